#!/bin/sh
# slurm-preempt.sh - a higher-priority partition's job preempts a running stage (PreemptMode=CANCEL): the stage ends "preempted" (mark P) with Slurm's state on its run, and the repro fails instead of waiting.
. "${top_srcdir}/tests/lib.sh"
. "${top_srcdir}/tests/lib/slurm-cluster.sh"

S="$T/slurm"
trap 'slurm_cluster_stop "$S"; cd /; rm -rf "$T"' EXIT INT TERM
slurm_cluster_start "$S" PreemptType=preempt/partition_prio PreemptMode=CANCEL \
    "PartitionName=high Nodes=$(hostname -s) PriorityTier=10 MaxTime=INFINITE State=UP" ||
	{ rc=$?; echo "SKIP: $SLURM_SKIP"; exit $rc; }
run_of() { "$PLUMB" runs --csv -c id,name | grep ",$1\$" | head -1 | cut -d, -f1; }

mkdir w && cd w
"$PLUMB" init -q
cat > plumb.yaml <<'P'
stages:
  train:
    cmd: touch started; sleep 120; echo m > model.bin
    outs: [model.bin]
executor:
  slurm:
    defaults: {partition: debug, extra: [--exclusive]}
P
"$PLUMB" repro --executor slurm >r 2>&1 &
pid=$!
i=0
while [ ! -f started ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
[ -f started ] && ok || fail "the stage never started: $(cat r)"
# Someone's urgent job on the high partition takes the node.
sbatch -p high --exclusive -o /dev/null --wrap 'sleep 3' >/dev/null
set +e
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
kill -0 "$pid" 2>/dev/null && { kill "$pid"; fail "plumb still waits for a preempted stage: $(cat r)"; }
wait $pid; st=$?
set -e
assert_eq 1 "$st" "the repro fails"
assert_contains "$(cat r)" "preempted: Slurm job" "the stage's end says it was preempted"
assert_contains "$("$PLUMB" show "$(run_of train)")" "PREEMPTED" "the run keeps Slurm's state"
assert_contains "$("$PLUMB" status 2>&1)" "last run: preempted" "plumb status says how it ended"
done_testing
