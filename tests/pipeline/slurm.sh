#!/bin/sh
# slurm.sh - plumb repro --executor slurm on a private one-node Slurm cluster (skipped without Slurm or root).
. "${top_srcdir}/tests/lib.sh"

. "${top_srcdir}/tests/lib/slurm-cluster.sh"

# A private cluster in $T/slurm, stopped by pid whatever happens.
S="$T/slurm"
trap 'slurm_cluster_stop "$S"; cd /; rm -rf "$T"' EXIT INT TERM
slurm_cluster_start "$S" || { rc=$?; echo "SKIP: $SLURM_SKIP"; exit $rc; }

mkdir w && cd w
cat > plumb.yaml <<'P'
stages:
  a:
    cmd: echo "host $SLURM_JOB_ID" > a.out; echo to-stderr >&2
    outs: [a.out]
  b:
    cmd: [cat a.out > b.out, echo second >> b.out]
    deps: [a.out]
    outs: [b.out]
  c:
    cmd: echo c > c.out
    outs: [c.out]
P
"$PLUMB" repro --executor slurm -j 2 >r1 2>&1 || fail "repro on slurm: $(cat r1)"
assert_contains "$(cat r1)" "3 ran" "every stage ran as a batch job"
assert_contains "$(cat a.out)" "host " "the job saw SLURM_JOB_ID"
[ "$(cat a.out)" != "host " ] && ok || fail "SLURM_JOB_ID was empty"
assert_eq "second" "$(tail -1 b.out)" "a list cmd runs in order"
assert_contains "$(cat plumb.lock)" "b.out" "the lock records the outputs"
id=$("$PLUMB" runs --csv -c id,name | grep ',a$' | cut -d, -f1)
assert_contains "$(cat "$(ls -d ../w/.plumb/runs/"$id"*)/stderr.log")" "to-stderr" "stderr captured by Slurm"
"$PLUMB" repro --executor slurm >r2 2>&1 || fail "second repro"
assert_contains "$(cat r2)" "Pipeline is up to date" "up to date on slurm too"

# a failing job, and one interrupted
cat > plumb.yaml <<'P'
stages:
  bad:
    cmd: exit 4
    outs: [bad.out]
  slow:
    cmd: touch started; sleep 60; echo s > slow.out
    outs: [slow.out]
P
rm -f plumb.lock
"$PLUMB" repro --executor slurm -j 2 -k >r3 2>&1 &
pid=$!
i=0
while [ ! -f started ] && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
sleep 1
kill -INT $pid
set +e
wait $pid; st=$?
set -e
assert_eq 130 "$st" "interrupted"
assert_contains "$(cat r3)" "FAILED      bad  (exit status 4" "the job's exit status comes back"
assert_contains "$(cat r3)" "killed      slow" "the running job is cancelled"
i=0
while squeue -h 2>/dev/null | grep -q . && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.2; done
assert_eq "" "$(squeue -h 2>/dev/null)" "no job is left in the queue"

done_testing
