#!/bin/sh
# tests/server/load.sh - plumb serve under load: 50 log-metric clients while 500 idle keep-alive connections are held, nothing lost, no thread per connection, and the WAL kept small by the checkpoint thread.
. "$top_srcdir/tests/lib.sh"

LOAD="$top_builddir/tests/bench/mlflow-load"
[ -x "$LOAD" ] || { echo "SKIP: no $LOAD"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 1200 ] || ulimit -n 1200 2>/dev/null ||
	{ echo "SKIP: cannot open 1200 files"; exit 77; }
"$PLUMB" init -q

. "$top_srcdir/tests/server/lib-serve.sh"
serve_start || { done_testing; exit 1; }
API=http://127.0.0.1:$PORT/api/2.0/mlflow
run=$(curl -s -X POST -d '{"experiment_id":"0"}' "$API/runs/create" |
	sed -n 's/.*"run_id":"\([0-9a-f]*\)".*/\1/p')
[ -n "$run" ] || fail "no run created"

threads() { sed -n 's/^Threads:[[:space:]]*//p' "/proc/$srvpid/status"; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$srvpid/status"; }
th0=$(threads)
rss0=$(rss_kb)

# 500 idle keep-alive connections, held while the load runs
"$LOAD" idle "$PORT" - 500 8 > idle.out &
idlepid=$!
n=0
while ! grep -q '^open' idle.out && [ $n -lt 300 ]; do sleep 0.05; n=$((n + 1)); done
assert_eq "open 500" "$(head -1 idle.out)" "500 idle connections opened"
th1=$(threads)
rss1=$(rss_kb)
assert_eq "$th0" "$th1" "threads with 500 idle connections (no thread per connection)"
[ $((rss1 - rss0)) -lt 65536 ] && ok ||
	fail "500 idle connections cost $((rss1 - rss0)) KB of memory"

# 50 clients x 200 log-metric at once, each on its own connection
out=$("$LOAD" metric "$PORT" "$run" 50 200)
errs=$(echo "$out" | sed -n 's/.* errors \([0-9]*\) .*/\1/p')
assert_eq 0 "$errs" "log-metric errors under load ($out)"
wal=$(stat -c %s .plumb/plumb.db-wal 2>/dev/null || echo 0)
# 10,000 single-point commits write ~120 MB of WAL frames: a WAL that is
# never started again from the top grows to that.
[ "$wal" -lt $((48 * 1024 * 1024)) ] && ok || fail "WAL grew to $wal bytes under load"
wait "$idlepid" || true
assert_eq "held 500 answered 500" "$(tail -1 idle.out)" "idle connections still served after the load"

# nothing lost: every point of four clients read back, in order
for k in 0 17 33 49; do
	got=$(curl -s "$API/metrics/get-history?run_id=$run&metric_key=c$k&max_results=1000" |
		grep -o '"step":[0-9]*' | sed 's/.*://' | tr '\n' ' ')
	assert_eq "$(seq 0 199 | tr '\n' ' ')" "$got" "steps of c$k"
done
assert_eq 10000 "$("$PLUMB" metrics "$run" --json | grep -o '"points":[0-9]*' | awk -F: '{s+=$2} END {print s}')" "points stored in all"
kill -TERM "$srvpid"
set +e
wait "$srvpid"
st=$?
set -e
srvpid=
# (under the sanitizers, a leak at exit is a non-zero status)
assert_eq 0 "$st" "exit status after the load"
assert_contains "$(cat serve.log)" "stopped" "the server stopped cleanly"

# Stopped in the middle of a load: it exits 0, and every point it
# acknowledged is stored (the writer answers what it holds before the
# daemon stops; later requests fail, none is half-answered).
serve_start --log serve2.log || { done_testing; exit 1; }
run2=$(curl -s -X POST -d '{"experiment_id":"0"}' "http://127.0.0.1:$PORT/api/2.0/mlflow/runs/create" |
	sed -n 's/.*"run_id":"\([0-9a-f]*\)".*/\1/p')
"$LOAD" metric "$PORT" "$run2" 20 2000 > mid.out &
loadpid=$!
sleep 1
kill -TERM "$srvpid"
set +e
wait "$srvpid"
st=$?
set -e
srvpid=
assert_eq 0 "$st" "exit status when stopped under load"
wait "$loadpid" || true
req=$(sed -n 's/^requests \([0-9]*\) .*/\1/p' mid.out)
errs=$(sed -n 's/.* errors \([0-9]*\) .*/\1/p' mid.out)
acked=$((req - errs))
stored=$("$PLUMB" metrics "$run2" --json | grep -o '"points":[0-9]*' | awk -F: '{s+=$2} END {print s + 0}')
[ "$acked" -gt 0 ] && [ "$errs" -gt 0 ] && ok || fail "the stop did not land mid-load ($(cat mid.out))"
[ "$stored" -ge "$acked" ] && ok || fail "acknowledged $acked points, stored $stored"
assert_contains "$(cat serve2.log)" "stopped" "the server stopped cleanly under load"
done_testing
