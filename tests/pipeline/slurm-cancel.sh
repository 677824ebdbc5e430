#!/bin/sh
# slurm-cancel.sh - Ctrl-C and SIGTERM to plumb repro on Slurm cancel every job (running and pending) within 10 s; jobs of a plumb killed -9 are found and cancelled or adopted.
. "${top_srcdir}/tests/lib.sh"
. "${top_srcdir}/tests/lib/slurm-cluster.sh"

S="$T/slurm"
trap 'slurm_cluster_stop "$S"; cd /; rm -rf "$T"' EXIT INT TERM
slurm_cluster_start "$S" || { rc=$?; echo "SKIP: $SLURM_SKIP"; exit $rc; }

now_ms() { date +%s%3N; }
queue() { squeue -h -o '%i %T %j' 2>/dev/null; }
wait_empty() {
	i=0
	while [ -n "$(queue)" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
}

mkdir w && cd w
# Three independent stages of 3 CPUs each on a 4-CPU node: one runs, two
# wait in the queue (PENDING, reason Resources).
cat > plumb.yaml <<'P'
stages:
  a:
    cmd: touch started-a; sleep 120; echo a > a.out
    outs: [a.out]
  b:
    cmd: touch started-b; sleep 120; echo b > b.out
    outs: [b.out]
  c:
    cmd: touch started-c; sleep 120; echo c > c.out
    outs: [c.out]
P
export PLUMB_SLURM_ARGS="--cpus-per-task=3"

# SIGINT to the process group (as a terminal's Ctrl-C), SIGTERM to plumb,
# then SIGINT to the group again: each time, every job goes.
for sig in INT TERM INT; do
	rm -f started-*
	setsid "$PLUMB" repro --executor slurm >r 2>&1 &
	pid=$!
	i=0
	while ! ls started-* >/dev/null 2>&1 && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
	i=0
	until [ "$(queue | grep -c PENDING)" = 2 ] || [ $i -lt 0 ] || [ $i -ge 50 ]; do i=$((i + 1)); sleep 0.1; done
	assert_eq "1 running, 2 pending" "$(queue | grep -c RUNNING) running, $(queue | grep -c PENDING) pending" "$sig: the queue before the signal"
	t0=$(now_ms)
	if [ $sig = INT ]; then kill -INT -$pid; else kill -TERM $pid; fi
	set +e
	wait $pid; st=$?
	set -e
	t1=$(now_ms)
	assert_eq 130 "$st" "$sig: plumb says it was interrupted"
	[ $((t1 - t0)) -le 10000 ] && ok || fail "$sig: plumb took $((t1 - t0)) ms to exit"
	assert_eq "" "$(queue)" "$sig: no job is left behind"
	assert_not_contains "$(cat r)" "no longer known" "$sig: plumb's own scontrol was not killed by the signal"
	assert_contains "$(cat r)" "killed" "$sig: the stages are recorded killed"
	assert_contains "$(cat r)" "0 ran" "$sig: nothing ran to the end"
	wait_empty
done

# kill -9: the jobs stay; the next repro finds them by their label.
rm -f started-*
"$PLUMB" repro --executor slurm >r 2>&1 &
pid=$!
i=0
while ! ls started-* >/dev/null 2>&1 && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
sleep 0.3
kill -9 $pid
set +e
wait $pid
set -e
assert_eq 3 "$(queue | wc -l)" "the jobs of a killed plumb stay on the cluster"
assert_contains "$(squeue -h -o %k | head -1)" "plumb store=" "the job's comment names the store"
assert_status 1 "a repro refuses while orphans run" -- "$PLUMB" repro --executor slurm
assert_contains "$(cat "$T/.err")" "3 Slurm jobs of an earlier plumb repro" "the orphans are listed"
assert_contains "$(cat "$T/.err")" "--orphans=cancel" "the way out is named"
"$PLUMB" status >s 2>&1 || true
assert_contains "$(cat s)" "3 Slurm jobs of an earlier plumb repro" "plumb status lists the orphans"
assert_status 2 "a bad --orphans word" -- "$PLUMB" repro --executor slurm --orphans=maybe
PLUMB_SLURM_ARGS= "$PLUMB" repro --executor slurm --orphans=cancel -F >r 2>&1 &
pid=$!
i=0
while ! grep -q "cancelled 3 jobs" r && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
kill -INT $pid 2>/dev/null || true
set +e
wait $pid
set -e
assert_contains "$(cat r)" "cancelled 3 jobs" "--orphans=cancel cancels them"
wait_empty
assert_eq "" "$(queue)" "nothing left"

done_testing
