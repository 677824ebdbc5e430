#!/bin/sh
# tests/alerts/watcher-absent.sh - the built-in PlumbWatcherNotRunning: plumb alerts (and --json) reports a watcher that was killed or stopped, from the watch lock and the heartbeat it writes into the store; nothing before a watcher ever ran, nothing while one runs, nothing with builtin: false.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"

"$PLUMB" init > /dev/null
mkdir -p logs
: > logs/predictions.jsonl
config() {
	cat > plumb.yaml <<YAML
monitor:
  interval: 1s
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
alerts:
  builtin: $1
YAML
}
config true

# no watcher ever ran on this store: nothing to report
assert_contains "$("$PLUMB" alerts)" "no alert is pending or firing" "no watcher yet: nothing reported"

start_watch() {
	: > w.log
	watch_start w.log "evaluating"
	# its first heartbeat comes with its first tick
	i=0
	until [ "$(sqlite3 .plumb/plumb.db 'SELECT pid FROM watch_heartbeat')" = "$W" ] ||
	    [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
}

start_watch
out=$("$PLUMB" alerts)
assert_not_contains "$out" "PlumbWatcherNotRunning" "a running watcher is not reported"

# --- killed: the lock is gone at once, the alert is reported ---
kill -9 "$W"
wait "$W" 2>/dev/null || :
out=$("$PLUMB" alerts)
assert_contains "$out" "firing   PlumbWatcherNotRunning {severity=\"critical\"}" "a killed watcher is reported"
assert_contains "$out" "pid $W on $(hostname) is gone without stopping" "... with its pid and host"
"$PLUMB" alerts --json > a.json
"$PYTHON3_SYS" - a.json > check.out 2>&1 <<'PY' && ok || fail "alerts --json: $(cat check.out)"
import json, sys
[a] = [x for x in json.load(open(sys.argv[1])) if x["alertname"] == "PlumbWatcherNotRunning"]
assert a["state"] == "firing" and a["group"] == "plumb-builtin", a
assert a["labels"] == '{alertname="PlumbWatcherNotRunning", severity="critical"}', a
assert a["firedAt"] and a["activeAt"] == a["firedAt"] and a["endsAt"] is None, a
assert "killed or crashed" in a["annotations"], a
PY
# a silence covers it like any alert
id=$("$PLUMB" silence add alertname=PlumbWatcherNotRunning --for 1h --comment maintenance)
assert_contains "$("$PLUMB" alerts)" "silenced (" "a silence matches it"
"$PLUMB" silence expire "$id" > /dev/null

# --- running again: gone ---
start_watch
assert_not_contains "$("$PLUMB" alerts)" "PlumbWatcherNotRunning" "a restarted watcher clears it"

# --- stopped cleanly: still reported (nothing is evaluated), saying so ---
kill -TERM "$W"
wait "$W" 2>/dev/null || :
out=$("$PLUMB" alerts)
assert_contains "$out" "PlumbWatcherNotRunning" "a stopped watcher is reported"
assert_contains "$out" "it was stopped at" "... as stopped, not crashed"

# --- a watcher that holds the lock but no longer beats: hung ---
start_watch
# Stop it between two writes: a watcher stopped inside a write
# transaction holds SQLite's write lock, and the UPDATE below would wait
# on it (CI once hung here).  Stopped, the store must take a write.
i=0
while :; do
	kill -STOP "$W"
	sqlite3 -cmd '.timeout 200' .plumb/plumb.db 'BEGIN IMMEDIATE; ROLLBACK;' \
		> /dev/null 2>&1 && break
	kill -CONT "$W"
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "the watcher never paused between writes"; break; }
	sleep 0.13
done
now=$(date +%s%3N)
sqlite3 -cmd '.timeout 5000' .plumb/plumb.db "UPDATE watch_heartbeat SET beat_ms = $now - 200000"
out=$("$PLUMB" alerts)
kill -CONT "$W"
assert_contains "$out" "holds the watch lock but has not evaluated since" "a hung watcher is reported"
kill -TERM "$W"
wait "$W" 2>/dev/null || :

# --- builtin: false: not reported ---
config false
start_watch
kill -9 "$W"
wait "$W" 2>/dev/null || :
assert_not_contains "$("$PLUMB" alerts)" "PlumbWatcherNotRunning" "builtin: false turns it off"

done_testing
