#!/bin/sh
# tests/alerts/watch-alerts.sh - plumb watch evaluates the alerts: section over what it collects: a rule fires from live samples, bad rules are refused at start with FILE:LINE:COL, a reload with bad rules keeps the last good ones.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"

"$PLUMB" init > /dev/null
start_server
load 150

# rules_config EXPR: plumb.yaml with the server's prediction log and one
# rule over the collected counter, evaluated every second.
rules_config() {
	cat > plumb.yaml <<YAML
monitor:
  interval: 1s
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
alerts:
  builtin: false
  groups:
  - name: g
    interval: 1s
    rules:
    - record: api:predictions
      expr: sum(plumb_predictions_total)
    - alert: ManyPredictions
      expr: $1
      for: 1s
      labels: {severity: page}
      annotations: {summary: "{{ \$value }} predictions"}
YAML
}

# --- a rule that is not PromQL: refused before anything runs ---
rules_config 'plumb_predictions_total >'
assert_status 1 "bad rule refused at start" -- "$PLUMB" watch --once
assert_contains "$(cat "$T/.err")" "plumb.yaml:15:38:" "the error names file, line and column"
if "$PLUMB" monitor events --json | grep -q watch-start; then
	fail "a watcher with bad rules started"
else
	ok
fi

# --- a rule over live samples goes pending, then firing ---
rules_config 'api:predictions > 100'
watch_start w.log "evaluating 2 alert rules"
i=0
until "$PLUMB" alerts --json 2>/dev/null | grep -q '"firing"' || [ $i -ge 150 ]; do
	sleep 0.1; i=$((i + 1))
done
json=$("$PLUMB" alerts --json)
state=$(printf '%s' "$json" | "$PYTHON3_SYS" -c "
import json, sys
a = [x for x in json.load(sys.stdin) if x['alertname'] == 'ManyPredictions']
print(a[0]['state'] if a else 'none')")
assert_eq firing "$state" "the rule fires from what the watcher collected"
assert_contains "$json" "150 predictions" "annotation rendered with the live value"
assert_status 0 "recorded series" -- "$PLUMB" monitor series 'api:predictions' --json
assert_contains "$(cat "$T/.out")" '"api:predictions"' "the recording rule wrote its series"

# --- a reload with a bad rule keeps the last good ones ---
rules_config 'rate(plumb_predictions_total[1m)'
kill -HUP "$W"
wait_for w.log "alert rules not reloaded, the last good ones stay" ||
	fail "bad reload not reported: $(cat w.log)"
grep -q "plumb.yaml:" w.log && ok || fail "reload error without FILE:LINE:COL: $(cat w.log)"
# the old rules keep running: the alert stays firing across evaluations
sleep 2
assert_contains "$("$PLUMB" alerts)" "firing" "still firing on the last good rules"

# --- a good reload takes the new rules: nothing above 1e9, it resolves ---
rules_config 'api:predictions > 1e9'
kill -HUP "$W"
wait_for w.log "alert rules reloaded: 2 rules" || fail "good reload not taken: $(cat w.log)"
i=0
while "$PLUMB" alerts --json | grep -q '"ManyPredictions"' && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
assert_not_contains "$("$PLUMB" alerts)" "ManyPredictions" "resolved under the new rule"
assert_status 0 "history" -- "$PLUMB" alerts history --json
assert_contains "$(cat "$T/.out")" '"resolved"' "the episode ended in the history"

kill -TERM "$W"
wait "$W"
assert_eq 0 $? "watcher exits 0 on SIGTERM"
done_testing
