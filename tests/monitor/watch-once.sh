#!/bin/sh
# tests/monitor/watch-once.sh - probe, scrape and process sources end to end through `plumb watch --once` into the store, read back with `plumb monitor query|status|events`: Debian's prometheus-node-exporter (MemTotal against /proc/meminfo), the example model server (probe, its histogram, its process), and a dead target that is up 0 with exit 0.
. "${top_srcdir:-.}/tests/monitor/source-lib.sh"

NODE_EXPORTER=$(command -v prometheus-node-exporter || true)
[ -n "$NODE_EXPORTER" ] || { echo "prometheus-node-exporter is not installed (.ci/install-deps)" >&2; exit 1; }

NODE=$(free_port)
"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NODE" >node.log 2>&1 &
PIDS="$PIDS $!"
model_server api
API=$(cat "$T/api.port")
DEAD=$(free_port)
"$PLUMB" init >/dev/null
cat >plumb.yaml <<YAML
monitor:
  interval: 15s
  targets:
    node:
      scrape: http://127.0.0.1:$NODE/metrics
    api:
      probe: http://127.0.0.1:$API/health
      scrape: http://127.0.0.1:$API/metrics
      process: {pidfile: $T/api.pid}
    dead:
      probe: {url: "http://127.0.0.1:$DEAD/health", timeout: 2s}
      scrape: http://127.0.0.1:$DEAD/metrics
YAML
wait_http "http://127.0.0.1:$NODE/metrics"
wait_http "http://127.0.0.1:$API/health"
"$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$API/predict', data=b'{\"id\":\"w1\",\"features\":{\"x\":1}}').read()" 2>/dev/null || :

assert_status 0 "plumb watch --once" -- "$PLUMB" watch --once

# q EXPR: the value of the single sample EXPR gives now ("" when none).
q() {
	"$PLUMB" monitor query "$1" --json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")'
}

assert_eq 1 "$(q 'up{target="node"}')" "node exporter scraped: up 1"
assert_eq 1 "$(q 'up{target="api"}')" "model server scraped: up 1"
assert_eq 0 "$(q 'up{target="dead"}')" "dead target: up 0"
assert_eq 0 "$(q 'probe_success{target="dead"}')" "dead target: probe_success 0"
assert_eq 1 "$(q 'probe_success{target="api"}')" "model server probe_success 1"
assert_eq 200 "$(q 'probe_http_status_code{target="api"}')" "probe status code 200"
d=$(q 'probe_duration_seconds{target="api"}')
awk -v d="$d" 'BEGIN { exit !(d > 0 && d < 5) }' && ok || fail "probe duration in (0, 5) s: [$d]"

mem=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
got=$(q 'node_memory_MemTotal_bytes{target="node"}')
assert_eq "$mem" "$(awk -v v="$got" 'BEGIN { printf "%.0f", v }')" "MemTotal as /proc/meminfo says"
n=$(q 'scrape_samples_scraped{target="node"}')
awk -v n="$n" 'BEGIN { exit !(n > 100) }' && ok || fail "node exporter: over 100 samples ($n)"
q 'count(predict_latency_seconds_bucket{target="api"})' > buckets
awk '{ exit !($1 >= 5) }' buckets && ok || fail "the server's latency histogram kept by bucket ($(cat buckets))"

pid=$(cat "$T/api.pid")
rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$pid/status")
got=$(q 'process_resident_memory_bytes{target="api"}')
# RSS moves a little between the two reads: within 20%
awk -v a="$rss" -v b="$got" 'BEGIN { exit !(b > 0.8 * a && b < 1.2 * a) }' && ok ||
	fail "process RSS $got near /proc's $rss"
assert_eq 1 "$(q 'process_up{target="api"}')" "process_up 1"

# the CLI twins see the same
"$PLUMB" monitor status --json > st.json
"$PY" - st.json <<'PYEOF' && ok || fail "monitor status: api up, dead down ($(cat st.json))"
import json, sys
t = {x["target"]: x for x in json.load(open(sys.argv[1]))["targets"]}
assert t["api"]["up"] is True, t["api"]
assert t["dead"]["up"] is False, t["dead"]
PYEOF
assert_status 0 "events" -- "$PLUMB" monitor events --json
assert_contains "$(cat "$T/.out")" "dead" "the dead target's failure is an event"

# a second --once adds one more round, never a duplicate of the first
assert_status 0 "second round" -- "$PLUMB" watch --once
assert_eq 2 "$(q 'count_over_time(up{target="node"}[1h])')" "two rounds, two samples"
done_testing
