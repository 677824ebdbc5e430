#!/bin/sh
# parallel.sh - plumb repro -j: independent stages overlap; SIGINT stops them; kill -9 never tears the lock.
. "${top_srcdir}/tests/lib.sh"

# run_times STAGE: "start end" (ms) of the latest run of STAGE, from the store
run_times() {
	"$PLUMB" runs --json | sed 's/},{"id"/}\n{"id"/g' |
	grep "\"name\":\"$1\"" | head -1 |
	sed -E 's/.*"start_time":([0-9]+),"end_time":([0-9]+).*/\1 \2/'
}

mkdir w && cd w
cat > plumb.yaml <<'P'
stages:
  a:
    cmd: sleep 1; echo a > a.out
    outs: [a.out]
  b:
    cmd: sleep 1; echo b > b.out
    outs: [b.out]
  c:
    cmd: cat a.out b.out > c.out
    deps: [a.out, b.out]
    outs: [c.out]
P
"$PLUMB" repro -j 2 >out1 2>&1 || fail "repro -j 2: $(cat out1)"
set -- $(run_times a); as=$1; ae=$2
set -- $(run_times b); bs=$1; be=$2
set -- $(run_times c); cs=$1
[ "$as" -lt "$be" ] && [ "$bs" -lt "$ae" ] && ok ||
	fail "a ($as-$ae) and b ($bs-$be) should overlap under -j 2"
[ "$cs" -ge "$ae" ] && [ "$cs" -ge "$be" ] && ok ||
	fail "c ($cs) must start after a ($ae) and b ($be) end"
assert_eq "a
b" "$(cat c.out)" "c saw both outputs"

"$PLUMB" repro -j 1 --force >out2 2>&1 || fail "repro -j 1"
set -- $(run_times a); as=$1; ae=$2
set -- $(run_times b); bs=$1; be=$2
{ [ "$ae" -le "$bs" ] || [ "$be" -le "$as" ]; } && ok ||
	fail "under -j 1, a ($as-$ae) and b ($bs-$be) must not overlap"

# SIGINT: every running stage's process group is stopped and recorded killed
cat > plumb.yaml <<'P'
stages:
  slow1:
    cmd: touch started1; sleep 30; echo x > s1.out
    outs: [s1.out]
  slow2:
    cmd: touch started2; sleep 30 & echo $! > bg.pid; wait; echo y > s2.out
    outs: [s2.out]
  quick:
    cmd: echo q > q.out
    outs: [q.out]
P
rm -f plumb.lock
"$PLUMB" repro -j 3 >out3 2>&1 &
pid=$!
i=0
while [ ! -f started1 ] || [ ! -f started2 ] || [ ! -f q.out ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || break
	sleep 0.1
done
sleep 0.3
kill -INT $pid
set +e
wait $pid
st=$?
set -e
assert_eq 130 "$st" "an interrupted repro exits 130"
assert_contains "$(cat out3)" "killed      slow1" "slow1 is reported killed"
assert_contains "$(cat out3)" "killed      slow2" "slow2 is reported killed"
assert_contains "$("$PLUMB" runs --csv -c name,status)" "slow1,killed" "its run is recorded killed"
assert_contains "$("$PLUMB" runs --csv -c name,status)" "slow2,killed" "so is the other one's"
assert_not_contains "$(cat plumb.lock)" "slow1" "a killed stage is not in the lock"
assert_contains "$(cat plumb.lock)" "quick:" "a stage that succeeded before the interrupt is"
sleep 0.2
# a background process of a stage (it ignores SIGINT) is stopped too
# (a zombie is dead: nothing reaps orphans in some containers)
state=$(sed 's/.*) //' "/proc/$(cat bg.pid)/stat" 2>/dev/null | cut -c1 || true)
if [ -n "$state" ] && [ "${state#Z}" = "$state" ]; then
	fail "the stage's background process is still running"
	kill -9 "$(cat bg.pid)" || true
else
	ok
fi

# one repro per pipeline at a time
printf 'stages:\n  hold:\n    cmd: touch held; sleep 2; echo h > hold.out\n    outs: [hold.out]\n' > plumb.yaml
rm -f plumb.lock held
"$PLUMB" repro >out5 2>&1 &
pid=$!
i=0
while [ ! -f held ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
assert_status 1 "a second repro at the same time" -- "$PLUMB" repro
assert_contains "$(cat "$T/.err")" "another plumb repro is running this pipeline" "says why"
assert_status 0 "a dry run may look meanwhile" -- "$PLUMB" repro --dry-run
wait $pid || fail "the first repro"

# kill -9 at any moment: the lock is the old one or the new one, never torn
cat > gen.sh <<'P'
echo "stages:"
i=0
while [ $i -lt 40 ]; do
	echo "  s$i:"
	echo "    cmd: echo $i > o$i.txt"
	echo "    outs: [o$i.txt]"
	i=$((i + 1))
done
P
sh gen.sh > plumb.yaml
rm -f plumb.lock
for delay in 0.05 0.15 0.3 0.5 0.8; do
	"$PLUMB" repro -j 2 >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	if [ -f plumb.lock ]; then
		head -1 plumb.lock | grep -q '^schema: plumb-lock/1$' && ok ||
			fail "lock after kill -9 at ${delay}s has no header"
		"$PLUMB" status >st.out 2>&1 && ok ||
			fail "lock after kill -9 at ${delay}s is unreadable: $(cat st.out)"
	fi
done
"$PLUMB" repro -j 2 >out4 2>&1 || fail "repro after the kills: $(cat out4)"
"$PLUMB" status >st2 2>&1
assert_contains "$(cat st2)" "Pipeline is up to date (40 stages)" "everything settles"
"$PLUMB" fsck >fsck.out 2>&1 && ok || fail "store damaged: $(cat fsck.out)"

done_testing
