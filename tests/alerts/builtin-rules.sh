#!/bin/sh
# tests/alerts/builtin-rules.sh - the built-in rules read the series the watcher really writes: PlumbNoPredictions goes pending then firing when a target's prediction log stops growing (time moved by the watcher's test clock), and resolves when predictions come back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"

"$PLUMB" init > /dev/null
start_server
echo 0 > clock
export PLUMB_TEST_CLOCK_FILE="$T/clock"
cat > plumb.yaml <<YAML
monitor:
  interval: 1s
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
alerts:
  interval: 1s
YAML

"$PLUMB" watch > w.log 2>&1 &
W=$!
PIDS="$W $PIDS"
wait_for w.log "alert rules" || fail "watcher did not start: $(cat w.log)"
wait_for w.log "api predictions" || fail "predictions not watched: $(cat w.log)"
sleep 1.5
load 40 --delay-ms 50

# state NAME: the alert's state in `plumb alerts --json`, or "none".
state() {
	"$PLUMB" alerts --json | "$PYTHON3_SYS" -c '
import json, sys
a = [x for x in json.load(sys.stdin) if x["alertname"] == sys.argv[1]]
print(a[0]["state"] if a else "none")' "$1"
}
# wait_state NAME STATE: up to 15 s.
wait_state() {
	i=0
	while [ "$(state "$1")" != "$2" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	assert_eq "$2" "$(state "$1")" "$1 is $2"
}

i=0
until "$PLUMB" monitor query 'sum(plumb_predictions_total)' --json 2>/dev/null | grep -q '"40"'; do
	[ $i -lt 100 ] || break; sleep 0.1; i=$((i + 1))
done
assert_status 0 "the counter the rule reads is collected" -- \
	"$PLUMB" monitor query 'sum by (target) (plumb_predictions_total)' --json
assert_contains "$(cat "$T/.out")" '"40"' "40 predictions counted"
sleep 2
assert_eq none "$(state PlumbNoPredictions)" "not active while the window holds new predictions"

# 16 minutes without a prediction: the 15-minute increase is 0, pending
echo 960000 > clock
wait_state PlumbNoPredictions pending
# 6 more minutes: past its for: 5m, firing
echo 1320000 > clock
wait_state PlumbNoPredictions firing
assert_contains "$("$PLUMB" alerts)" "No prediction logged by api" "its summary names the target"

# predictions again: resolved
load 10 --prefix again
wait_state PlumbNoPredictions none
assert_status 0 "history" -- "$PLUMB" alerts history --json
assert_contains "$(cat "$T/.out")" '"PlumbNoPredictions"' "the episode is in the history"

kill -TERM "$W"
wait "$W"
assert_eq 0 $? "watcher exits 0 on SIGTERM"
done_testing
