#!/bin/sh
# slurm-states.sh - Slurm's end states on the stage's run (time limit, cancelled outside plumb) with job id, partition, nodes and times; an sbatch rejection names the stage and cancels what was submitted.
# Long (Slurm's own waits: a one-minute time limit, a node's death and
# return): .ci/run runs the suite twice (sanitizers, then plain); this test
# runs once, in the sanitizer suite.
if [ -n "${PLUMB_CI_PLAIN:-}" ]; then
	echo "SKIP: run in the sanitizer suite of .ci/run"
	exit 77
fi
. "${top_srcdir}/tests/lib.sh"
. "${top_srcdir}/tests/lib/slurm-cluster.sh"

S="$T/slurm"
trap 'slurm_cluster_stop "$S"; cd /; rm -rf "$T"' EXIT INT TERM
slurm_cluster_start "$S" || { rc=$?; echo "SKIP: $SLURM_SKIP"; exit $rc; }
queue() { squeue -h -o '%i %T %j' 2>/dev/null; }
run_of() { "$PLUMB" runs --csv -c id,name | grep ",$1\$" | head -1 | cut -d, -f1; }

mkdir w && cd w
# An invalid partition for one stage: sbatch refuses it, plumb names the
# stage and Slurm's message, and cancels the job it had submitted.
cat > plumb.yaml <<'P'
stages:
  a:
    cmd: touch a-started; sleep 60; echo a > a.out
    outs: [a.out]
  b:
    cmd: echo b > b.out
    outs: [b.out]
executor:
  slurm:
    stages:
      b: {partition: nope}
P
assert_status 1 "an invalid partition fails the repro" -- "$PLUMB" repro --executor slurm
assert_contains "$(cat "$T/.out" "$T/.err")" "Slurm refused stage 'b': sbatch: error: invalid partition specified: nope" "the stage and Slurm's message"
i=0
while [ -n "$(queue)" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
assert_eq "" "$(queue)" "what was submitted is cancelled"
assert_contains "$("$PLUMB" show "$(run_of a)")" "slurm.job_id" "the cancelled stage's run has its job id"

# A stage past its time limit (1 minute; OverTimeLimit=0, KillWait=1)
# and one cancelled with scancel by someone else.
cat > plumb.yaml <<'P'
stages:
  slow:
    cmd: sleep 300; echo s > s.out
    outs: [s.out]
  victim:
    cmd: touch v-started; sleep 300; echo v > v.out
    outs: [v.out]
executor:
  slurm:
    defaults: {time: 5}
    stages:
      slow: {time: 1}
P
"$PLUMB" repro --executor slurm -k >r 2>&1 &
pid=$!
i=0
while [ ! -f v-started ] && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
sleep 1
scancel "$(squeue -h -n plumb:victim -o %i)"
set +e
wait $pid; st=$?
set -e
assert_eq 1 "$st" "the repro failed"
assert_contains "$(cat r)" "timeout: Slurm job" "a timed-out stage says timeout"
assert_contains "$(cat r)" "reached its time limit (00:01:00)" "with its limit"
assert_not_contains "$(cat r)" "interrupted" "a time limit is not an interruption"
assert_contains "$(cat r)" "cancelled outside plumb" "a job cancelled by someone else says so"
s=$("$PLUMB" show "$(run_of slow)")
assert_contains "$s" "slurm.state" "the end state is on the run"
assert_contains "$s" "TIMEOUT" "TIMEOUT"
assert_contains "$s" "slurm.partition" "partition recorded"
assert_contains "$s" "debug" "partition value"
assert_contains "$s" "slurm.node_list" "nodes recorded"
assert_contains "$s" "$(hostname -s)" "node value"
assert_contains "$s" "slurm.start_time" "Slurm's start time"
assert_contains "$s" "slurm.end_time" "Slurm's end time"
assert_contains "$s" "slurm.submit_time" "Slurm's submit time"
assert_contains "$("$PLUMB" show "$(run_of victim)")" "CANCELLED" "the cancelled stage's state"
assert_eq "" "$(queue)" "no job left"

done_testing
