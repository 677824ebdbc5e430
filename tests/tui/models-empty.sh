#!/bin/sh
# tests/tui/models-empty.sh - the models screen with a model that has no version (made by MLflow's registered-models/create through plumb serve): its latest column shows "-", never "v0".
. "$top_srcdir/tests/tui/tmux.sh"

command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
"$PLUMB" init -q

srvpid=
stop() { [ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null; wait "$srvpid" 2>/dev/null || true; srvpid=; }
trap 'stop; tm_cleanup' EXIT INT TERM

"$PLUMB" serve --port 0 2> serve.log &
srvpid=$!
n=0
while ! grep -q "listening on" serve.log && [ $n -lt 200 ]; do
	kill -0 "$srvpid" 2>/dev/null || break
	sleep 0.05; n=$((n + 1))
done
URL=$(sed -n 's|.*listening on \(http://[^ ]*\)/ .*|\1|p' serve.log)
[ -n "$URL" ] || { fail "serve did not start: $(cat serve.log)"; done_testing; exit 1; }
code=$(curl -s -o create.out -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"name":"hollow"}' "$URL/api/2.0/mlflow/registered-models/create")
[ "$code" = 200 ] && ok || fail "registered-models/create: $code $(cat create.out)"
stop

tm_start 120 30 TERM=xterm-256color
tm_keys M
expect "hollow" "the models list shows the model without versions"
expect "no versions" "its versions table is empty"
# the row of the list (not the title bar, nor "versions of hollow")
row=$(tm_screen | grep -E "^.hollow " | head -1)
[ -n "$row" ] && ok || fail "no row for hollow: $(tm_screen)"
case $row in
*v0*) fail "a model without versions shows v0: [$row]" ;;
*) ok ;;
esac
tm_keys q q
expect "EXITED 0" "quits"
done_testing
