#!/bin/sh
# tests/cli/concurrent.sh - 8 plumb run processes each logging 100,000 points at once:
# every point stored, no "database is locked".
. "$top_srcdir/tests/lib.sh"

EMIT="$top_builddir/tests/bench/emit"
"$PLUMB" init -q
pids=
for i in 1 2 3 4 5 6 7 8; do
	"$PLUMB" run -q -e conc -n "r$i" -- "$EMIT" 100000 loss >"out$i" 2>"err$i" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "a plumb run exited non-zero"
done
cat err* >all-err
assert_not_contains "$(cat all-err)" "locked" "no database is locked error"
assert_not_contains "$(cat all-err)" "busy" "no busy error"
total=0
for id in $("$PLUMB" runs -e conc --ids); do
	n=$("$PLUMB" metrics "$id" loss --csv | tail -n +2 | wc -l | tr -d ' ')
	assert_eq 100000 "$n" "points of run $id"
	total=$((total + n))
done
assert_eq 800000 "$total" "points stored in all"
assert_eq 8 "$("$PLUMB" runs -e conc -f "attributes.status = 'FINISHED'" --ids | wc -l | tr -d ' ')" "8 finished runs"
# the summaries agree with the series: latest value at step 99999
assert_eq 8 "$("$PLUMB" runs -e conc -f 'metrics.loss = 1e-05' --ids | wc -l | tr -d ' ')" "summary latest value"
"$PLUMB" fsck >/dev/null && ok || fail "fsck after concurrent writers"
done_testing
