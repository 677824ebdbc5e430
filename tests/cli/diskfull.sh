#!/bin/sh
# tests/cli/diskfull.sh - the disk fills during ingest: the run ends with an error, the store stays sound.
. "$top_srcdir/tests/lib.sh"

EMIT="$top_builddir/tests/bench/emit"
"$PLUMB" init -q
"$PLUMB" run -q -n before -- "$EMIT" 1000 >/dev/null
size=$(du -k .plumb/plumb.db | cut -f1)
# A file-size limit stands in for a full disk: writes past it fail with
# EFBIG, which SQLite reports as a write error, exactly like ENOSPC.
set +e
(
	trap '' XFSZ
	ulimit -f $((size + 2048))
	exec "$PLUMB" run -q -n full -- "$EMIT" 3000000
) >out 2>err
rc=$?
set -e
[ "$rc" -ne 0 ] && ok || fail "run on a full disk exited 0"
assert_contains "$(cat err)" "recording the run failed" "error names the failure"
assert_not_contains "$(cat err)" "Segmentation" "no crash"
"$PLUMB" fsck >/dev/null && ok || fail "store sound after disk full"
if command -v sqlite3 >/dev/null; then
	assert_eq ok "$(sqlite3 .plumb/plumb.db 'PRAGMA integrity_check')" "integrity_check"
fi
b=$("$PLUMB" runs --ids -f "attributes.name = 'before'")
assert_eq 1000 "$("$PLUMB" metrics "$b" loss --csv | tail -n +2 | wc -l | tr -d ' ')" "earlier run intact"
f=$("$PLUMB" runs --ids -f "attributes.name = 'full'")
st=$("$PLUMB" show "$f" --json)
assert_contains "$st" '"status":"failed"' "the run is failed, not running"
assert_contains "$st" "disk full" "the reason is recorded"
done_testing
