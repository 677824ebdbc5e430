#!/bin/sh
# tests/monitor/watch-faults.sh - plumb watch through log faults (truncation, rotation by rename and by copytruncate, deletion), a clock step, and kill -9 mid-write: no prediction row lost or stored twice.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"

"$PLUMB" init > /dev/null
start_server
write_config 200ms
echo 0 > clock
export PLUMB_TEST_CLOCK_FILE="$T/clock"

start_watch() {
	"$PLUMB" watch >> w.log 2>&1 &
	W=$!
	PIDS="$PIDS $W"
	wait_for w.log "watching 1 target" || fail "watcher did not start: $(cat w.log)"
}

stored() { status_json "t['logs']['stored'] if t['logs'] else 0"; }

# wait_stored N: until N predictions are stored (10 s at most).
wait_stored() {
	i=0
	while [ "$(stored)" != "$1" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	assert_eq "$1" "$(stored)" "$2"
}

start_watch
load 50 --prefix a
wait_stored 50 "first batch stored"

# --- truncated in place (what was in it is kept aside, to count ids) ---
cat logs/predictions.jsonl >> gone.jsonl
: > logs/predictions.jsonl
wait_for w.log "predictions: ok -> truncated" 50 || fail "truncation not logged: $(cat w.log)"
load 30 --prefix b
wait_stored 80 "after a truncation, new lines stored"

# --- rotated by rename and create (logrotate's default; the server
# reopens its log on SIGHUP) ---
mv logs/predictions.jsonl logs/predictions.jsonl.1
load 10 --prefix c		# still written to the renamed file
kill -HUP "$SRV"
sleep 0.3
load 20 --prefix d
wait_stored 110 "rename-and-create: the old file's tail and the new file"
assert_contains "$(cat w.log)" "rotated" "rotation logged"

# --- copytruncate ---
cp logs/predictions.jsonl logs/predictions.jsonl.2
: > logs/predictions.jsonl
load 25 --prefix e
wait_stored 135 "copytruncate"

# --- deleted, then recreated ---
cat logs/predictions.jsonl >> gone.jsonl
rm logs/predictions.jsonl
wait_for w.log "missing" 50 || fail "deletion not logged: $(cat w.log)"
kill -HUP "$SRV"
sleep 0.3
load 15 --prefix f
wait_stored 150 "deleted and recreated"
assert_eq 150 "$(unique_ids gone.jsonl logs/predictions.jsonl*)" "the logs held 150 ids"
assert_eq 0 "$(status_json "t['logs']['predictions']['duplicates']")" "nothing read twice"

# --- a clock step back by an hour, then forward again ---
echo -3600000 > clock
wait_for w.log "stepped back" 50 || fail "clock step not logged: $(cat w.log)"
load 10 --prefix g
wait_stored 160 "collecting goes on after a clock step"
kill -0 "$W" 2>/dev/null && ok || fail "watcher died on a clock step"
echo 0 > clock
wait_for w.log "stepped forward" 50 || fail "step forward not logged"
r0=$("$PLUMB" monitor series 'plumb_watch_round_seconds' --since 5m --json |
	"$PYTHON3_SYS" -c "import json,sys; print(len(json.load(sys.stdin)[0]['samples']))")
sleep 1
r1=$("$PLUMB" monitor series 'plumb_watch_round_seconds' --since 5m --json |
	"$PYTHON3_SYS" -c "import json,sys; print(len(json.load(sys.stdin)[0]['samples']))")
[ "$r1" -gt "$r0" ] && ok || fail "rounds stored again once the clock is back ($r0 -> $r1)"
kill -TERM "$W"; wait "$W" || fail "watcher exit status after faults"
PIDS=${PIDS% $W}

# --- kill -9 mid-write, restart: nothing lost, nothing twice ---
"$PYTHON3_SYS" "$EX/load-gen.py" --url "http://127.0.0.1:$PORT" -n 600 --rate 100 --prefix k > load9.out 2>&1 &
L=$!
PIDS="$PIDS $L"
for round in 1 2 3 4; do
	start_watch
	sleep 0.$((3 + round))
	kill -9 "$W"
	wait "$W" 2>/dev/null || :
	PIDS=${PIDS% $W}
done
wait "$L" || fail "load-gen during kill -9"
start_watch			# takes over the lock of the killed one
wait_stored 760 "after four kill -9 and a restart, every prediction stored once"
assert_eq 760 "$(unique_ids gone.jsonl logs/predictions.jsonl*)" "ids in the logs"
kill -TERM "$W"; wait "$W" || :
PIDS=${PIDS% $W}
assert_status 0 "fsck after kill -9" -- "$PLUMB" fsck
assert_eq 0 "$(status_json "t['logs']['predictions']['duplicates']")" "no duplicate read"

done_testing
