#!/bin/sh
# tests/alerts/notify.sh - plumb watch notifies from live samples: a command: receiver gets Alertmanager's webhook JSON on stdin, a webhook: receiver gets it POSTed, a hanging command is cut off at its timeout while evaluation goes on, a failing one is retried and shown by plumb alerts, resolved alerts are notified, bad receivers are refused with FILE:LINE:COL.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"

"$PLUMB" init > /dev/null
start_server
load 150

# the webhook receiver: a tiny HTTP server on loopback, stopped by pid
"$PYTHON3_SYS" "$top_srcdir/tests/alerts/webhook-sink.py" --port-file hook.port \
	--out hook.jsonl > hook.log 2>&1 &
HOOK=$!
PIDS="$PIDS $HOOK"
i=0
while [ ! -s hook.port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s hook.port ] || { fail "webhook sink did not start: $(cat hook.log)"; exit 1; }
HPORT=$(cat hook.port)

# notify_config EXPR [RECEIVER]: one rule over the collected counter,
# every route of the alert (severity="page") to its receiver.
# The hanging receiver's sleep, unique to this test run: pgrep must not
# see another run's (a parallel make check, another checkout's tests).
HANG="61.$$"

notify_config() {
	cat > plumb.yaml <<YAML
monitor:
  interval: 1s
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
alerts:
  builtin: false
  external_url: http://plumb.test/
  groups:
  - name: g
    interval: 1s
    rules:
    - record: api:predictions
      expr: sum(plumb_predictions_total)
    - alert: ManyPredictions
      expr: $1
      for: 1s
      labels: {severity: page, team: ml}
      annotations: {summary: "{{ \$value }} predictions"}
  route:
    receiver: ops
    group_by: [alertname]
    group_wait: 1s
    group_interval: 2s
    routes:
    - {matchers: ['severity="page"'], receiver: ops, continue: true}
    - {matchers: ['team=~"m.*"'], receiver: hook, continue: true}
    - {matchers: ['severity="page"'], receiver: hang, continue: true}
    - {matchers: ['severity!="none"'], receiver: ${2:-broken}}
  receivers:
  - name: ops
    command: [sh, -c, 'cat > "\$0/ops.tmp" && mv "\$0/ops.tmp" "\$0/ops.json"', '$T']
  - name: hook
    webhook: {url: 'http://127.0.0.1:$HPORT/hook', timeout: 5s}
  - name: hang
    command: [sleep, '$HANG']
    timeout: 3s
  - name: broken
    command: [sh, -c, 'cat > /dev/null; echo no route to pager >&2; exit 3']
YAML
}

# --- a route to a receiver that does not exist: refused at start ---
notify_config 'api:predictions > 100' nobody
assert_status 1 "unknown receiver refused at start" -- "$PLUMB" watch --once
assert_contains "$(cat "$T/.err")" "plumb.yaml:29:50: receiver 'nobody' is not defined" \
	"the error names file, line and column"

notify_config 'api:predictions > 100'
watch_start w.log "notifying 4 receivers"

# --- the command receiver: the webhook JSON on stdin ---
wait_for ops.json '"firing"' 150 || fail "ops not notified: $(cat w.log)"
"$PYTHON3_SYS" - ops.json > check.out 2>&1 <<'PY' && ok || fail "ops payload: $(cat check.out)"
import json, re, sys
p = json.load(open(sys.argv[1]))
assert p["version"] == "4", p
assert p["receiver"] == "ops" and p["status"] == "firing", p
assert p["groupKey"] == '{}/{severity="page"}:{alertname="ManyPredictions"}', p["groupKey"]
assert p["groupLabels"] == {"alertname": "ManyPredictions"}, p
assert p["commonLabels"] == {"alertname": "ManyPredictions", "severity": "page", "team": "ml"}, p
assert p["commonAnnotations"] == {"summary": "150 predictions"}, p
assert p["externalURL"] == "http://plumb.test/" and p["truncatedAlerts"] == 0, p
assert list(p) == ["receiver", "status", "alerts", "groupLabels", "commonLabels",
                   "commonAnnotations", "externalURL", "version", "groupKey",
                   "truncatedAlerts"], list(p)
[a] = p["alerts"]
assert a["status"] == "firing" and a["labels"]["alertname"] == "ManyPredictions", a
assert re.fullmatch(r"[0-9a-f]{16}", a["fingerprint"]), a
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", a["startsAt"]), a
assert a["endsAt"] == "0001-01-01T00:00:00Z", a
# Prometheus' link to the rule's expression, under external_url
from urllib.parse import quote_plus
assert a["generatorURL"] == ("http://plumb.test/graph?g0.expr=" +
    quote_plus("api:predictions > 100") + "&g0.tab=1"), a["generatorURL"]
PY

# --- the webhook receiver: the same JSON, POSTed ---
wait_for hook.jsonl '"firing"' 100 || fail "webhook not called: $(cat w.log)"
"$PYTHON3_SYS" - hook.jsonl > check.out 2>&1 <<'PY' && ok || fail "webhook payload: $(cat check.out)"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["path"] == "/hook" and r["type"] == "application/json", r
p = r["body"]
assert p["version"] == "4" and p["receiver"] == "hook" and p["status"] == "firing", p
assert p["groupKey"] == '{}/{team=~"m.*"}:{alertname="ManyPredictions"}', p["groupKey"]
assert p["alerts"][0]["labels"] == {"alertname": "ManyPredictions", "severity": "page", "team": "ml"}, p
PY

# --- a hanging receiver never blocks evaluation, and is cut off ---
i=0
until pgrep -f "sleep $HANG" > /dev/null || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
pgrep -f "sleep $HANG" > /dev/null && ok || fail "the hanging receiver never ran"
n1=$("$PLUMB" monitor series 'api:predictions' --since 10m --csv | wc -l)
sleep 1.5
n2=$("$PLUMB" monitor series 'api:predictions' --since 10m --csv | wc -l)
[ "$n2" -gt "$n1" ] && ok || fail "rules not evaluated while a receiver hangs ($n1 then $n2)"
wait_for w.log "delivery to hang FAILED (attempt 1): timed out after 3s (process group killed)" 60 ||
	fail "hang not cut off: $(cat w.log)"
pgrep -f "sleep $HANG" > /dev/null && fail "the hanging command survived its timeout" || ok

# --- a failing receiver: retried with backoff, visible in plumb alerts ---
wait_for w.log "delivery to broken FAILED (attempt 2): exit 3: no route to pager; next attempt in 10s" 100 ||
	fail "no retry of the failing receiver: $(cat w.log)"
out=$("$PLUMB" alerts)
assert_contains "$out" "delivery to broken FAILING: exit 3: no route to pager, attempt 2, next in" \
	"plumb alerts shows the failing delivery"
assert_contains "$out" "notified ops" "plumb alerts shows the successful one"
"$PLUMB" alerts --json > alerts.json
"$PYTHON3_SYS" - alerts.json > check.out 2>&1 <<'PY' && ok || fail "alerts --json: $(cat check.out)"
import json, sys
[a] = [x for x in json.load(open(sys.argv[1])) if x["alertname"] == "ManyPredictions"]
s = {n["receiver"]: n for n in a["notifications"]}
assert s["broken"]["state"] == "failing" and s["broken"]["attempt"] >= 2, s
assert s["broken"]["error"] == "exit 3: no route to pager" and s["broken"]["nextAttemptAt"], s
assert s["ops"]["state"] == "notified" and s["hook"]["state"] == "notified", s
PY
"$PLUMB" alerts notifications --json > deliveries.json
"$PYTHON3_SYS" - deliveries.json > check.out 2>&1 <<'PY' && ok || fail "notifications --json: $(cat check.out)"
import json, sys
d = json.load(open(sys.argv[1]))
by = {}
for x in d:
    by.setdefault(x["receiver"], []).append(x)
assert all(x["ok"] for x in by["ops"]) and all(x["ok"] for x in by["hook"]), by
assert not any(x["ok"] for x in by["broken"]) and max(x["attempt"] for x in by["broken"]) >= 2, by
assert by["hang"][0]["error"] == "timed out after 3s (process group killed)", by["hang"]
PY
assert_status 0 "notifications listing" -- "$PLUMB" alerts notifications
assert_contains "$(cat "$T/.out")" "FAILED  broken" "the text listing shows failures"

# --- a reload with a bad receiver keeps the last good ones ---
notify_config 'api:predictions > 1e9' nobody
kill -HUP "$W"
wait_for w.log "receivers not reloaded, the last good ones stay" ||
	fail "bad reload not reported: $(cat w.log)"
grep -q "plumb.yaml:29:50: receiver 'nobody'" w.log && ok || fail "reload error without FILE:LINE:COL"

# --- resolved: the alert ends, the receivers hear it ---
notify_config 'api:predictions > 1e9'
kill -HUP "$W"
wait_for w.log "receivers reloaded: 4" || fail "good reload not taken: $(cat w.log)"
wait_for ops.json '"resolved"' 150 || fail "resolution not notified: $(cat ops.json)"
"$PYTHON3_SYS" - ops.json > check.out 2>&1 <<'PY' && ok || fail "resolved payload: $(cat check.out)"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["status"] == "resolved" and p["alerts"][0]["status"] == "resolved", p
assert p["alerts"][0]["endsAt"] != "0001-01-01T00:00:00Z", p
PY
wait_for hook.jsonl '"resolved"' 100 && ok || fail "webhook did not hear the resolution"

kill -TERM "$W"
wait "$W"
assert_eq 0 $? "watcher exits 0 on SIGTERM"
pgrep -f "sleep $HANG" > /dev/null && fail "a receiver outlived the watcher" || ok
done_testing
