#!/bin/sh
# tests/monitor/watch.sh - plumb watch over the example model server, load generator and label writer; plumb monitor status/series/events; one watcher per store; SIGTERM; SIGHUP.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"

"$PLUMB" init > /dev/null
start_server
load 200 --bad 3
labels
write_config 1s

# --- one round: every log read, the states logged once ---
assert_status 0 "watch --once" -- "$PLUMB" watch --once
out=$(cat "$T/.out")
assert_contains "$out" "api predictions: ok" "state of the prediction log logged"
assert_contains "$out" "api labels: ok" "state of the label log logged"
assert_contains "$out" "stopped after 1 round" "one round"
case "$out" in
[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z\ *) ok ;;
*) fail "log lines start with a UTC timestamp: $out" ;;
esac

assert_eq 200 "$(status_json "t['logs']['stored']")" "200 predictions stored"
assert_eq 3 "$(status_json "t['logs']['predictions']['malformed']")" "3 malformed lines counted"
assert_eq 3 "$(status_json "t['malformed_lines']['predictions']")" "malformed series"
assert_eq 1 "$(status_json "t['label_coverage']")" "every prediction labelled"
acc=$(status_json "t['accuracy']")
assert_eq yes "$("$PYTHON3_SYS" -c "print('yes' if 0.85 <= $acc <= 1 else 'no')")" "accuracy $acc near 0.95"
assert_eq None "$(status_json "t['cpu_percent']")" "no process: source: null"
assert_eq None "$(status_json "t['up']")" "no probe: up is null"
assert_eq False "$(status_json "j['watcher']['running']")" "no watcher running"
assert_eq yes "$(status_json "'yes' if t['latency_s']['p99'] >= t['latency_s']['p50'] > 0 else 'no'")" "latency quantiles"

# every key of the JSON is documented in plumb-monitor(1) (stable shapes)
keys=$("$PYTHON3_SYS" -c "
import json
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            yield k
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
print(' '.join(sorted(set(walk(json.load(open('status.json')))))))")
man=$(sed -n '/^\.SH JSON/,/^\.SH EXIT/p' "$top_srcdir/doc/plumb-monitor.1")
for k in $keys; do
	assert_contains "$man" "\"$k\"" "status --json key $k documented in plumb-monitor(1)"
done

assert_status 0 "monitor status" -- "$PLUMB" monitor status
row=$(grep '^api ' "$T/.out")
assert_contains "$row" "(100%)" "text status: accuracy with coverage"
set -- $row
assert_eq "-" "$2" "text status: UP is - without a probe"

assert_status 0 "monitor series" -- "$PLUMB" monitor series 'plumb_predictions_total{target="api"}' --json
assert_eq 200 "$("$PYTHON3_SYS" -c "import json; s=json.load(open('$T/.out')); print(int(s[0]['samples'][-1][1]))")" "series --json"
assert_status 0 "monitor series --csv" -- "$PLUMB" monitor series '{__name__=~"plumb_log_.*",log="labels"}' --csv
assert_eq "series,time,value" "$(head -1 "$T/.out")" "csv header"
assert_contains "$(cat "$T/.out")" 'plumb_log_lines_total{log=""labels"",target=""api""}' "csv series column"
assert_status 2 "bad selector" -- "$PLUMB" monitor series 'up{'
assert_contains "$(cat "$T/.err")" "selector:4:" "selector error with its column"

assert_status 0 "monitor events" -- "$PLUMB" monitor events --json
kinds=$("$PYTHON3_SYS" -c "import json; print(' '.join(e['kind'] for e in json.load(open('$T/.out'))))")
assert_contains "$kinds" "watch-start" "watch-start event"
assert_contains "$kinds" "watch-stop" "watch-stop event"

# --- a running watcher; a second one is refused, naming it ---
"$PLUMB" watch --interval 200ms > w1.log 2>&1 &
W=$!
PIDS="$PIDS $W"
wait_for w1.log "watching 1 target" || fail "first watcher did not start: $(cat w1.log)"
assert_status 1 "second watcher refused" -- "$PLUMB" watch --once
assert_contains "$(cat "$T/.err")" "pid $W on host $(hostname)" "refusal names pid and host"
assert_eq True "$(status_json "j['watcher']['running']")" "status sees the watcher"
assert_eq "$W" "$(status_json "j['watcher']['pid']")" "status names its pid"

# a steady state is not logged again every round
load 20 --start 1000
sleep 1
assert_eq 1 "$(grep -c 'api predictions: ok' w1.log)" "one line per change of state, not per round"

# --- SIGHUP: a broken file is refused and the old configuration kept ---
cp plumb.yaml good.yaml
printf 'monitor:\n  targets:\n    api:\n      predictions: {path: x, colour: red}\n' > plumb.yaml
kill -HUP $W
wait_for w1.log "reload refused" 30 || fail "no reload refusal logged: $(cat w1.log)"
assert_contains "$(cat w1.log)" "plumb.yaml:4:" "refusal has FILE:LINE:COL"
kill -0 $W 2>/dev/null && ok || fail "watcher died on a broken reload"
load 10 --start 2000
sleep 1
assert_eq 230 "$(status_json "t['logs']['stored']")" "old configuration still collecting"
cp good.yaml plumb.yaml
kill -HUP $W
wait_for w1.log "configuration reloaded" 30 || fail "good reload not logged: $(cat w1.log)"

# --- SIGTERM: flushed and gone within a second ---
load 10 --start 3000
sleep 0.6
t0=$(date +%s%3N)
kill -TERM $W
wait $W 2>/dev/null || fail "watcher exit status on SIGTERM: $?"
t1=$(date +%s%3N)
PIDS=${PIDS% $W}
el=$((t1 - t0))
# The watcher reports how long after the signal it had everything
# written, closed and unlocked: that is the 1 s budget.  The wall time
# seen from here adds process start-up of `date` and the sanitizer's
# exit work on a loaded machine: a looser bound, against a hang.
ms=$(sed -n 's/.*closed \([0-9]*\) ms after the stop request.*/\1/p' w1.log)
[ -n "$ms" ] && [ "$ms" -le 1000 ] && ok || fail "SIGTERM: closed ${ms:-?} ms after the signal (> 1 s): $(tail -3 w1.log)"
[ "$el" -le 3000 ] && ok || fail "SIGTERM exit took ${el} ms"
assert_eq 240 "$(status_json "t['logs']['stored']")" "everything read before SIGTERM is stored"
assert_contains "$(cat w1.log)" "stopped after" "stop logged"
assert_eq False "$(status_json "j['watcher']['running']")" "lock released"
"$PLUMB" watch --once > /dev/null 2>&1 && ok || fail "a new watcher starts after the first stopped"

# --- usage ---
assert_status 2 "bad duration" -- "$PLUMB" watch --for soon
assert_status 0 "watch --help" -- "$PLUMB" watch --help
assert_contains "$(cat "$T/.out")" "--once" "watch --help"
assert_status 0 "monitor --help" -- "$PLUMB" monitor --help
assert_status 2 "monitor without subcommand" -- "$PLUMB" monitor

done_testing
