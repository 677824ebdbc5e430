#!/bin/sh
# tests/server/metrics.sh - plumb serve's /metrics: runs by status, models in stages, the newest production
# series; valid for promtool check metrics; scraped by Debian's real Prometheus server on loopback.
. "$top_srcdir/tests/lib.sh"

if ! command -v curl >/dev/null 2>&1; then
	echo "SKIP: curl is not installed"
	exit 77
fi
"$PLUMB" init -q
"$PLUMB" run -q -n ok -- true
"$PLUMB" run -q -n ok2 -- true
"$PLUMB" run -q -n bad -- false || true
now=$(( $(date +%s) * 1000 ))
{
	echo "plumb_drift_share{target=\"churn-api\"} $((now - 20000)) 0.25"
	echo "plumb_model_accuracy{target=\"churn-api\"} $((now - 20000)) 0.875"
	echo "up{target=\"churn-api\"} $((now - 20000)) 1"
	echo "plumb_label_coverage{target=\"old\"} $((now - 3600000)) 0.5"
	echo "node_load1{target=\"n\"} $((now - 20000)) 3"
} | "$top_builddir/tests/server/ts-write" "$T/.plumb" > /dev/null

. "$top_srcdir/tests/server/lib-serve.sh"
prompid=
cleanup() {
	for p in $srvpid $prompid; do kill "$p" 2>/dev/null || true; done
	for p in $srvpid $prompid; do wait "$p" 2>/dev/null || true; done
	cd /; rm -rf "$T"
}
trap cleanup EXIT INT TERM

serve_start || { done_testing; exit 1; }

curl -s -D headers "$URL/metrics" > metrics.txt
assert_contains "$(cat headers)" "text/plain; version=0.0.4" "the exposition content type"
m=$(cat metrics.txt)
assert_contains "$m" 'plumb_runs{status="finished"} 2' "finished runs counted"
assert_contains "$m" 'plumb_runs{status="failed"} 1' "failed runs counted"
assert_contains "$m" 'plumb_runs{status="running"} 0' "a status without runs is 0, not absent"
assert_contains "$m" 'plumb_experiments 1' "experiments"
assert_contains "$m" "plumb_drift_share{target=\"churn-api\"} 0.25 $((now - 20000))" "drift share with its own time"
assert_contains "$m" 'plumb_model_accuracy{target="churn-api"} 0.875' "accuracy"
assert_contains "$m" 'up{target="churn-api"} 1' "target up"
assert_not_contains "$m" 'target="old"' "a sample older than 5 minutes is not exported"
assert_not_contains "$m" 'node_load1' "other exporters' series are not re-exported"
if command -v promtool >/dev/null 2>&1; then
	assert_status 0 "promtool check metrics accepts it" -- sh -c "promtool check metrics < metrics.txt"
fi

# Debian's Prometheus scrapes it.
if command -v prometheus >/dev/null 2>&1; then
	port=$(sed -n 's|.*:\([0-9]*\)$|\1|p' <<EOS
$URL
EOS
)
	pport=$(( (port % 20000) + 30000 ))
	cat > prom.yml <<EOS
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: plumb
    static_configs: [{targets: ['127.0.0.1:$port']}]
EOS
	prometheus --config.file=prom.yml --storage.tsdb.path="$T/tsdb" \
	    --web.listen-address="127.0.0.1:$pport" > prom.log 2>&1 &
	prompid=$!
	got=
	n=0
	while [ $n -lt 150 ]; do
		got=$(curl -s "http://127.0.0.1:$pport/api/v1/query?query=plumb_runs%7Bstatus%3D%22finished%22%7D" 2>/dev/null || true)
		case "$got" in *'"2"'*) break ;; esac
		sleep 0.2; n=$((n + 1))
	done
	assert_contains "$got" '"job":"plumb"' "Prometheus scraped plumb"
	assert_contains "$got" '"2"' "and stored the run count"
	up=$(curl -s "http://127.0.0.1:$pport/api/v1/query?query=up%7Bjob%3D%22plumb%22%7D")
	assert_contains "$up" '"1"]' "the scrape target is up"
	acc=$(curl -s "http://127.0.0.1:$pport/api/v1/query?query=plumb_model_accuracy")
	assert_contains "$acc" '"0.875"' "accuracy reached Prometheus with plumb's timestamp"
fi
done_testing
