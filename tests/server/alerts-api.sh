#!/bin/sh
# tests/server/alerts-api.sh - plumb serve's /api/v1/alerts and /api/v1/rules: Prometheus' JSON shapes over
# plumb.yaml's rules and the alert states the engine evaluated; filters; health while a watcher runs.
. "$top_srcdir/tests/lib.sh"
# lib-serve.sh first: the trap of monitor/lib.sh (every pid of PIDS) wins.
. "$top_srcdir/tests/server/lib-serve.sh"
. "$top_srcdir/tests/monitor/lib.sh"

if ! command -v curl >/dev/null 2>&1; then
	echo "SKIP: curl is not installed"
	exit 77
fi
"$PLUMB" init -q
mkdir -p logs
: > logs/predictions.jsonl
cat > plumb.yaml <<'Y'
monitor:
  interval: 1s
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
alerts:
  builtin: true
  groups:
  - name: g
    interval: 15s
    rules:
    - record: job:x:max
      expr: max by (job) (x)
    - alert: HighX
      expr: x > 5
      for: 1m
      labels: {severity: page, team: '{{ $labels.job }}-oncall'}
      annotations: {summary: "x is {{ $value }} on {{ $labels.job }}", runbook: "https://runbooks/x"}
    - alert: Clash
      expr: x * on() x
Y
now=$(date +%s)
T0=$(( (now - 300) * 1000 ))
i=0
times=
while [ $i -le 20 ]; do
	t=$(( T0 + i * 15000 ))
	echo "x{job=\"a\"} $(( t - 1000 )) 10"
	echo "x{job=\"b\"} $(( t - 1000 )) $(( i < 18 ? 10 : 6 ))"
	echo "x{job=\"c\"} $(( t - 1000 )) $(( i < 19 ? 1 : 7 ))"
	times="$times $t"
	i=$((i + 1))
done > samples
"$top_builddir/tests/server/ts-write" "$T/.plumb" < samples > /dev/null
# (Clash fails to evaluate: many-to-many matching; the others still run)
# shellcheck disable=SC2086
assert_status 1 "evaluation with one failing rule" -- "$top_builddir/tests/alerts/alert-eval" \
    "$T/.plumb" plumb.yaml $times

serve_start || :
PIDS="$PIDS $srvpid"
[ -n "$URL" ] || { done_testing; exit 1; }

# --- /api/v1/alerts: a and b firing/pending as evaluated, c pending ---
curl -s "$URL/api/v1/alerts" > alerts.json
"$PYTHON3_SYS" - alerts.json "$T0" > check.out 2>&1 <<'PY' && ok || fail "/api/v1/alerts: $(cat check.out)"
import json, sys, datetime
doc = json.load(open(sys.argv[1]))
assert doc["status"] == "success", doc
alerts = doc["data"]["alerts"]
by = {a["labels"].get("job"): a for a in alerts if a["labels"]["alertname"] == "HighX"}
assert set(by) == {"a", "b", "c"}, alerts
a = by["a"]
assert set(a) == {"labels", "annotations", "state", "activeAt", "value"}, a
assert a["labels"] == {"alertname": "HighX", "job": "a", "severity": "page", "team": "a-oncall"}, a
assert a["annotations"] == {"summary": "x is 10 on a", "runbook": "https://runbooks/x"}, a
assert a["state"] == "firing" and by["b"]["state"] == "firing", alerts
assert by["c"]["state"] == "pending", by["c"]
# Prometheus' value: Go's strconv.FormatFloat(v, 'e', -1, 64)
assert a["value"] == "1e+01" and by["b"]["value"] == "6e+00" and by["c"]["value"] == "7e+00", alerts
# activeAt: RFC 3339 in UTC, the first evaluation that saw it
t0 = int(sys.argv[2]) / 1000
at = datetime.datetime.strptime(a["activeAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
assert at.timestamp() == t0, (a["activeAt"], t0)
assert by["c"]["activeAt"] > a["activeAt"], by["c"]
PY

# --- /api/v1/rules: every group, both rule types, states, no watcher ---
curl -s "$URL/api/v1/rules" > rules.json
"$PYTHON3_SYS" - rules.json > check.out 2>&1 <<'PY' && ok || fail "/api/v1/rules: $(cat check.out)"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["status"] == "success", doc
groups = doc["data"]["groups"]
names = [g["name"] for g in groups]
assert names == ["g", "plumb-builtin"], names
g = groups[0]
assert set(g) == {"name", "file", "rules", "interval", "limit", "evaluationTime", "lastEvaluation"}, g
assert g["file"].endswith("plumb.yaml") and g["interval"] == 15 and g["limit"] == 0, g
rec, high, clash = g["rules"]
assert rec == {"name": "job:x:max", "query": "max by (job) (x)", "health": "unknown",
	"evaluationTime": 0, "lastEvaluation": "0001-01-01T00:00:00Z", "type": "recording"}, rec
assert high["type"] == "alerting" and high["name"] == "HighX" and high["query"] == "x > 5", high
assert high["duration"] == 60 and high["keepFiringFor"] == 0, high
assert high["labels"] == {"severity": "page", "team": "{{ $labels.job }}-oncall"}, high
assert high["annotations"]["summary"] == "x is {{ $value }} on {{ $labels.job }}", high
assert high["state"] == "firing", high
assert sorted((a["labels"]["job"], a["state"]) for a in high["alerts"]) == \
	[("a", "firing"), ("b", "firing"), ("c", "pending")], high["alerts"]
assert high["health"] == "unknown", high	# no watcher runs
assert clash["state"] == "inactive" and clash["alerts"] == [] and clash["duration"] == 0, clash
b = groups[1]
assert b["file"] == "(built-in rules)", b
assert "PlumbTargetDown" in [r["name"] for r in b["rules"]], b
assert all(r["state"] == "inactive" for r in b["rules"]), b
PY

# filters: type, rule_name[], rule_group[]
t=$(curl -s "$URL/api/v1/rules?type=record")
assert_eq '["job:x:max"]' "$(printf '%s' "$t" | "$PYTHON3_SYS" -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps([r["name"] for g in d["data"]["groups"] for r in g["rules"]]))')" \
	"type=record: only the recording rule, the groups left empty dropped"
t=$(curl -s -g "$URL/api/v1/rules?type=alert&rule_group[]=g&rule_name[]=Clash&rule_name[]=HighX")
assert_eq '["HighX", "Clash"]' "$(printf '%s' "$t" | "$PYTHON3_SYS" -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps([r["name"] for g in d["data"]["groups"] for r in g["rules"]]))')" \
	"rule_name[] and rule_group[] select, in file order"
assert_eq 400 "$(curl -s -o bad.json -w '%{http_code}' "$URL/api/v1/rules?type=both")" "an unknown type: 400"
assert_contains "$(cat bad.json)" '"errorType":"bad_data"' "... bad_data"
# Grafana posts its form too
assert_contains "$(curl -s -X POST --data 'type=alert' "$URL/api/v1/rules")" '"name":"HighX"' "POST form"

# --- while a watcher runs, health is measured: ok, and err with lastError ---
"$PLUMB" watch --interval 1s > w.log 2>&1 &
W=$!
PIDS="$PIDS $W"
i=0
until [ "$(curl -s "$URL/api/v1/rules?rule_name[]=HighX" -g | grep -c '"health":"ok"')" = 1 ] || [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1))
done
curl -s "$URL/api/v1/rules?rule_group[]=g" -g > rules2.json
"$PYTHON3_SYS" - rules2.json > check.out 2>&1 <<'PY' && ok || fail "health with a watcher: $(cat check.out)"
import json, sys
g = json.load(open(sys.argv[1]))["data"]["groups"][0]
rec, high, clash = g["rules"]
assert rec["health"] == "ok" and high["health"] == "ok", g
assert "lastError" not in high, high
assert high["lastEvaluation"] != "0001-01-01T00:00:00Z" and high["evaluationTime"] >= 0, high
assert clash["health"] == "err", clash
assert "many-to-many" in clash["lastError"], clash
PY
kill "$W"; wait "$W" 2>/dev/null || :

# promtool has no alerts query; its instant query of ALERTS reads the series the rules wrote
if command -v promtool >/dev/null 2>&1; then
	out=$(promtool query instant "$URL" 'count by (alertstate) (ALERTS{alertname="HighX"})' --time="$(( T0 / 1000 + 300 ))" 2>&1)
	assert_contains "$out" '{alertstate="firing"} => 2' "promtool reads ALERTS: a and b firing"
fi
done_testing
