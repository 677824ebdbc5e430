#!/bin/sh
# slurm-nodefail.sh - the node dies under a running stage: Slurm requeues the job (its default) and plumb waits for it, saying "queued", and the stage ends done once the node is back; with --no-requeue the stage ends "node failure" (mark N) and the repro fails.
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
node=$(sinfo -h -o %N | head -1)
state() { squeue -h -n "plumb:$1" -o %T 2>/dev/null; }
run_of() { "$PLUMB" runs --csv -c id,name | grep ",$1\$" | head -1 | cut -d, -f1; }
# wait_file FILE [TENTHS]
wait_file() {
	i=0
	while [ ! -f "$1" ] && [ $i -lt "${2:-300}" ]; do i=$((i + 1)); sleep 0.1; done
	[ -f "$1" ]
}
node_down() { scontrol update nodename="$node" state=down reason=plumb-test; }
# The test cluster returns a node to service when its slurmd registers
# again (ReturnToService=2): resuming it may find it up already.
node_up() { scontrol update nodename="$node" state=resume 2>/dev/null || :; }

mkdir w && cd w
"$PLUMB" init -q
# The stage counts its starts, then waits for `release` the first time.
cat > plumb.yaml <<'P'
stages:
  train:
    cmd: echo x >> starts; [ "$(wc -l < starts)" -gt 1 ] || while [ ! -f release ]; do sleep 0.1; done; echo m > model.bin
    outs: [model.bin]
P
"$PLUMB" repro --executor slurm >r1 2>&1 &
pid=$!
wait_file starts || fail "the job never started: $(cat r1)"
node_down
# Slurm requeues a batch job whose node failed: it waits in the queue
# (the node is down) and plumb with it.
i=0
while ! state train | grep -q PENDING && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
assert_contains "$(state train)" "PENDING" "Slurm requeued the job"
sleep 2
kill -0 "$pid" 2>/dev/null && ok || fail "plumb gave up on a requeued job: $(cat r1)"
assert_contains "$("$PLUMB" status 2>&1)" "train" "plumb status still lists the stage"
node_up
set +e
wait $pid; st=$?
set -e
assert_eq 0 "$st" "the repro ends done once the job ran again: $(cat r1)"
assert_eq 2 "$(wc -l < starts | tr -d ' ')" "the stage ran twice (requeued once)"
assert_eq m "$(cat model.bin)" "its output is there"
assert_contains "$("$PLUMB" show "$(run_of train)" --json)" '"status":"finished"' "the stage's run finished"

# --no-requeue: the job ends NODE_FAIL, and plumb says so.
rm -f starts model.bin
cat > plumb.yaml <<'P'
stages:
  train:
    cmd: touch started; while [ ! -f release2 ]; do sleep 0.1; done; echo m > model.bin
    outs: [model.bin]
executor:
  slurm:
    defaults: {extra: [--no-requeue]}
P
"$PLUMB" repro --executor slurm >r2 2>&1 &
pid=$!
wait_file started || fail "the second job never started: $(cat r2)"
node_down
set +e
wait $pid; st=$?
set -e
node_up
assert_eq 1 "$st" "the repro fails"
assert_contains "$(cat r2)" "node failure: Slurm job" "the stage's end names the node failure"
assert_contains "$("$PLUMB" show "$(run_of train)")" "NODE_FAIL" "the run keeps Slurm's state"
assert_contains "$("$PLUMB" status 2>&1)" "last run: node failure" "plumb status says how it ended"
done_testing
