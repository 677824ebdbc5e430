#!/bin/sh
# tests/cli/kill9.sh - kill -9 of plumb run mid-ingest: the store stays sound and the run reads lost.
. "$top_srcdir/tests/lib.sh"

EMIT="$top_builddir/tests/bench/emit"
"$PLUMB" init -q
# A child that logs forever, fast.
"$PLUMB" run -q -n victim -- sh -c "while :; do '$EMIT' 50000 loss || exit 0; done" >/dev/null 2>&1 &
pid=$!
# Wait until points are flowing.
for i in $(seq 1 50); do
	id=$("$PLUMB" runs --ids -f "attributes.name = 'victim'" 2>/dev/null || true)
	if [ -n "$id" ] && "$PLUMB" metrics "$id" 2>/dev/null | grep -q loss; then break; fi
	sleep 0.1
done
[ -n "$id" ] || fail "run never appeared"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
# the orphaned child dies on its own (EPIPE on PLUMB_FD) or we stop it
pkill -f "$EMIT 50000" 2>/dev/null || true
if command -v sqlite3 >/dev/null; then
	assert_eq ok "$(sqlite3 .plumb/plumb.db 'PRAGMA integrity_check')" "integrity_check"
fi
"$PLUMB" fsck >/dev/null && ok || fail "plumb fsck"
json=$("$PLUMB" show "$id" --json)
assert_contains "$json" '"status":"lost"' "killed plumb run reads lost"
assert_contains "$("$PLUMB" runs -f "attributes.status = 'lost'" --ids)" "$id" "filter finds lost runs"
# points committed before the kill are readable
n=$("$PLUMB" metrics "$id" loss --csv | tail -n +2 | wc -l | tr -d ' ')
[ "$n" -gt 0 ] && ok || fail "no points survived"
done_testing
