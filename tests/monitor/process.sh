#!/bin/sh
# process.sh - the /proc process source: by pid, pidfile and command-line match, figures checked against
# /proc/PID/status, fd and limits; a comm with ") " in it; a vanished process and a restart are states, not errors.
. "${top_srcdir:-.}/tests/monitor/source-lib.sh"

# a process with 3 extra threads that burns ~0.6 s of CPU, then waits
cat >burn.py <<'PYEOF'
import sys, threading, time
for _ in range(3):
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
t = time.process_time()
while time.process_time() - t < 0.6:
    pass
open(sys.argv[1], "w").write("ready\n")
time.sleep(600)
PYEOF
spawned=$(date +%s)
"$PY" burn.py "$T/burn.ready" &
BURN=$!
PIDS="$PIDS $BURN"
wait_file "$T/burn.ready"
sleep 301.5 &
SLEEP=$!
PIDS="$PIDS $SLEEP"
sleep 0.1
sleep 301.5 &
SLEEP2=$!
PIDS="$PIDS $SLEEP2"
cp "$(command -v sleep)" "we ird) x("
"./we ird) x(" 303 &
WEIRD=$!
PIDS="$PIDS $WEIRD"
model_server api
echo "$SLEEP" >sleep.pid
echo "not a pid" >garbage.pid
cat >plumb.yaml <<YAML
monitor:
  targets:
    burn:
      process: {pid: $BURN}
    api:
      process: {pidfile: $T/api.pid}
    sleeper:
      process: {match: "sleep 301\\\\.5"}
    weird:
      process: {pid: $WEIRD}
    nofile:
      process: {pidfile: $T/missing.pid}
    badfile:
      process: {pidfile: $T/garbage.pid}
    nomatch:
      process: {match: "no-such-command-[0-9]{9}"}
    restarting:
      process: {pidfile: $T/sleep.pid}
YAML

"$DRIVE" plumb.yaml burn >out
assert_eq 1 "$(val out 'process_up{target="burn"}')" "up"
assert_eq "up pid $BURN" "$(state out process)" "state names the pid"
assert_eq 4 "$(val out 'process_threads{target="burn"}')" "threads"
cpu=$(val out 'process_cpu_seconds_total{target="burn"}')
assert_contains "$(awk -v c="$cpu" 'BEGIN { print (c >= 0.55 && c < 10) ? "ok" : "bad " c }')" ok "cpu seconds"
# stat's rss (what client libraries read) lags VmRSS by the per-thread
# counter caches of a threaded process: within 10%
rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 * 1024 }' /proc/$BURN/status)
got=$(val out 'process_resident_memory_bytes{target="burn"}')
assert_contains "$(awk -v a="$got" -v b="$rss" 'BEGIN { d = (a - b) / b; print (a > 0 && d > -0.1 && d < 0.1) ? "ok" : "bad " a " vs VmRSS " b }')" ok "rss ~ VmRSS"
vsz=$(awk '/^VmSize:/ { printf "%.0f", $2 * 1024 }' /proc/$BURN/status)
assert_eq "$vsz" "$(val out 'process_virtual_memory_bytes{target="burn"}')" "vsz = VmSize"
assert_eq "$(ls /proc/$BURN/fd | wc -l)" "$(val out 'process_open_fds{target="burn"}')" "open fds"
assert_eq "$(awk '/^Max open files/ { print $4 }' /proc/$BURN/limits)" "$(val out 'process_max_fds{target="burn"}')" "max fds"
st=$(val out 'process_start_time_seconds{target="burn"}')
assert_contains "$(awk -v s="$st" -v w="$spawned" 'BEGIN { d = s - w; print (d > -3 && d < 5) ? "ok" : "bad " s " vs " w }')" ok "start time"

"$DRIVE" plumb.yaml api >out
assert_eq "up pid $(cat "$T/api.pid")" "$(state out process)" "pidfile"
"$DRIVE" plumb.yaml sleeper >out
assert_eq "up pid $SLEEP" "$(state out process)" "match: the oldest of two matching processes"
"$DRIVE" plumb.yaml weird >out
assert_eq 1 "$(val out 'process_threads{target="weird"}')" "a comm with ') ' parses"
assert_eq "up pid $WEIRD" "$(state out process)" "weird state"

assert_status 0 "no pidfile" -- "$DRIVE" plumb.yaml nofile
assert_eq 0 "$(val "$T/.out" 'process_up{target="nofile"}')" "no pidfile: down"
assert_eq "down pidfile $T/missing.pid: No such file or directory" "$(state "$T/.out" process)" "no pidfile reason"
assert_eq "" "$(val "$T/.out" 'process_threads{target="nofile"}')" "no figures while down"
assert_status 0 "bad pidfile" -- "$DRIVE" plumb.yaml badfile
assert_eq "down pidfile $T/garbage.pid does not hold a pid" "$(state "$T/.out" process)" "bad pidfile reason"
assert_status 0 "no match" -- "$DRIVE" plumb.yaml nomatch
assert_eq "down no process matches 'no-such-command-[0-9]{9}'" "$(state "$T/.out" process)" "no match reason"

# round 1 sees SLEEP; then the pidfile names another process: restarted;
# then that one is killed: down (exit 0 throughout)
"$DRIVE" -r 3 -g gate plumb.yaml restarting sleeper >out 2>err &
D=$!
i=0
while ! grep -q '^elapsed sleeper' out && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
echo "$SLEEP2" >sleep.pid
touch gate.2
while ! [ "$(grep -c '^elapsed sleeper' out)" = 2 ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
kill "$SLEEP" "$SLEEP2"
wait "$SLEEP" 2>/dev/null || true
wait "$SLEEP2" 2>/dev/null || true
touch gate.3
set +e
wait "$D"
rc=$?
set -e
assert_eq 0 "$rc" "driver exit status ($(cat err))"
assert_eq "up pid $SLEEP
restarted pid $SLEEP -> pid $SLEEP2
down pid $SLEEP2 is gone" "$(awk '$1 == "state" && $2 == "restarting" { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' out)" "restart, then gone"
# the match target follows the process it matched while it lives, and
# says when none is left
assert_eq "up pid $SLEEP
up pid $SLEEP
down no process matches 'sleep 301\\.5'" "$(awk '$1 == "state" && $2 == "sleeper" { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' out)" "match target over the rounds"

done_testing
