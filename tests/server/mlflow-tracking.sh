#!/bin/sh
# tests/server/mlflow-tracking.sh - plumb serve's MLflow tracking API: the Python client's request sequence replayed (tests/server/mlflow-client.py), retries, MLflow's error codes, and the runs it makes seen by plumb runs / plumb show.
. "$top_srcdir/tests/lib.sh"

PY=${PYTHON3_SYS:-/usr/bin/python3}
if ! [ -x "$PY" ]; then
	echo "SKIP: no python3"
	exit 77
fi
"$PLUMB" init -q

. "$top_srcdir/tests/server/lib-serve.sh"

serve_start || { done_testing; exit 1; }

"$PY" "$top_srcdir/tests/server/mlflow-client.py" "$URL" > client.out 2> client.err || true
[ -s client.err ] && fail "the client script failed: $(cat client.err)"
while read -r word rest; do
	case $word in
	ok) ok ;;
	FAIL) fail "$rest" ;;
	esac
done < client.out
checks_seen=$(grep -c '^ok ' client.out || true)
[ "$checks_seen" -gt 150 ] && ok || fail "only $checks_seen checks ran"
finished=$(sed -n 's/^finished-run //p' client.out)
running=$(sed -n 's/^left-running //p' client.out)

# The server's routes besides MLflow's still answer.
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/2.0/mlflow/registered-models/get?name=x" 2>/dev/null || echo none)
case $code in 404|none) ok ;; *) fail "an unserved MLflow path: $code" ;; esac
serve_stop

# Runs made over REST are ordinary plumb runs.  The one left running has
# no process here: opening the store (which reaps runs whose process
# died) must leave it running, however long its client is quiet.
out=$("$PLUMB" show "$finished")
assert_contains "$out" "finished" "plumb show: the REST run finished"
assert_contains "$out" "lr = 0.01" "plumb show: its param"
assert_contains "$out" "mlflow.runName = renamed" "plumb show: its tags"
assert_contains "$out" "iris  2f3a9c1e  local" "plumb show: its dataset input"
assert_contains "$out" "(mlflow.data.context=training)" "plumb show: the input's tags"
assert_contains "$("$PLUMB" show --json "$finished")" '"inputs":[{"name":"iris","digest":"2f3a9c1e"' "plumb show --json: its inputs"
out=$("$PLUMB" runs -e demo)
assert_contains "$out" "renamed" "plumb runs lists the REST runs by experiment"
out=$("$PLUMB" show "$running")
assert_contains "$out" "running" "a REST run without a process is not reaped"
assert_not_contains "$out" "lost" "not lost"
if command -v sqlite3 >/dev/null 2>&1; then
	# Even when it started long ago: no heartbeat to be late.
	sqlite3 .plumb/plumb.db "UPDATE runs SET start_ms = start_ms - 86400000 WHERE id = '$running'"
	out=$("$PLUMB" show "$running")
	assert_contains "$out" "running" "a day-old REST run is not reaped"
fi
done_testing
