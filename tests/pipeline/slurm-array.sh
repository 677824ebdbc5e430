#!/bin/sh
# slurm-array.sh - foreach/matrix stages on Slurm: the items of one group with the same resources and the same jobs to wait for go as one job array (task k runs item k, its output in its own run's logs), an item with other resources goes alone, a failed task's dependents never start while its siblings' do, and after kill -9 every task's run is found as an orphan.
# Long; .ci/run runs the suite twice (sanitizers, then plain): this test
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
run_of() { "$PLUMB" runs --csv -c id,name | grep ",$1\$" | head -1 | cut -d, -f1; }
tag_of() { "$PLUMB" show "$1" --json | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"; }

mkdir w && cd w
cat > plumb.yaml <<'P'
stages:
  prep:
    cmd: echo p > p.out
    outs: [p.out]
  train:
    foreach: [a, b, c, d]
    do:
      cmd: if [ "${item}" = b ] && [ -f fail-b ]; then exit 5; fi; echo "hello ${item}"; echo "${item} $SLURM_ARRAY_TASK_ID" > m-${item}.out; cat p.out >> m-${item}.out
      deps: [p.out]
      outs: ["m-${item}.out"]
  eval:
    foreach: [a, b, c, d]
    do:
      cmd: cat m-${item}.out > e-${item}.out
      deps: ["m-${item}.out"]
      outs: ["e-${item}.out"]
executor:
  slurm:
    defaults: {time: 5}
    stages:
      "train@d": {time: 7}
P
"$PLUMB" repro --executor slurm >r1 2>&1 || fail "repro: $(cat r1)"
assert_contains "$(cat r1)" "9 ran" "every stage ran"
ja=$(tag_of "$(run_of train@a)" slurm.array_job_id)
[ -n "$ja" ] && ok || fail "train@a ran as an array task"
assert_eq "$ja" "$(tag_of "$(run_of train@b)" slurm.array_job_id)" "train@b is a task of the same array"
assert_eq "$ja" "$(tag_of "$(run_of train@c)" slurm.array_job_id)" "train@c too"
assert_eq "0" "$(tag_of "$(run_of train@a)" slurm.array_task_id)" "train@a is task 0"
assert_eq "2" "$(tag_of "$(run_of train@c)" slurm.array_task_id)" "its task id is recorded"
assert_eq "" "$(tag_of "$(run_of train@d)" slurm.array_job_id)" "train@d (other resources) went alone"
assert_eq "c 2
p" "$(cat m-c.out)" "task 2 ran item c, after prep"
assert_contains "$(cat .plumb/runs/"$(run_of train@b)"/stdout.log)" "hello b" "each task's output is in its own run's log"
assert_not_contains "$(cat .plumb/runs/"$(run_of train@b)"/stdout.log)" "hello a" "and only its own"
assert_eq "a 0
p" "$(cat e-a.out)" "eval@a ran on train@a's output"
assert_eq "plumb:train" "$(scontrol show job -o "${ja}_0" | tr ' ' '\n' | sed -n 's/^JobName=//p')" "the array is named after the stage"
"$PLUMB" repro --executor slurm >r2 2>&1 || fail "second repro: $(cat r2)"
assert_contains "$(cat r2)" "Pipeline is up to date" "the tasks' outputs are locked"

# One task fails: its dependent never starts, the others' run.
touch fail-b
"$PLUMB" repro --executor slurm --force -k >r3 2>&1 && fail "a failed task fails the repro" || ok
assert_contains "$(cat r3)" "FAILED      train@b  (exit status 5" "train@b failed"
assert_contains "$(cat r3)" "blocked     eval@b  (upstream train@b failed; dependency never satisfied" "eval@b never started"
assert_contains "$(cat r3)" "done        eval@c" "eval@c ran"
assert_eq "" "$(squeue -h -o %i)" "no job left"

# Ctrl-C with array tasks running and pending: every task is cancelled.
cat > plumb.yaml <<'P'
stages:
  slow:
    foreach: [a, b, c, d, e, f]
    do:
      cmd: touch "started-${item}"; sleep 60; echo x > "s-${item}.out"
      outs: ["s-${item}.out"]
executor:
  slurm:
    defaults: {cpus: 2}
P
"$PLUMB" repro --executor slurm >r4 2>&1 &
pid=$!
i=0
while ! ls started-* >/dev/null 2>&1 && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.1; done
assert_contains "$(squeue -h -o '%i %T')" "PENDING" "some tasks wait for CPUs"
kill -INT $pid
set +e
wait $pid; st=$?
set -e
assert_eq 130 "$st" "interrupted"
i=0
while [ -n "$(squeue -h -o %i)" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
assert_eq "" "$(squeue -h -o %i)" "no task is left, running or pending"
assert_contains "$(cat r4)" "killed      slow@f" "a pending task is reported killed"

# kill -9 with array tasks running and pending: the next repro finds the
# array (its comment names task 0's run) and every task's run is tagged.
rm -f started-*
"$PLUMB" repro --executor slurm >r5 2>&1 &
pid=$!
i=0
while ! ls started-* >/dev/null 2>&1 && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.1; done
sleep 0.3
kill -9 $pid
set +e
wait $pid
set -e
assert_contains "$(squeue -h -o '%i %T')" "PENDING" "pending tasks stay after kill -9"
runs=""
for it in a b c d e f; do runs="$runs $(run_of "slow@$it")"; done
"$PLUMB" repro --executor slurm --orphans=cancel >r6 2>&1 &
pid=$!
i=0
while ! grep -q "cancelled" r6 && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
kill -INT $pid 2>/dev/null || true
set +e
wait $pid
set -e
assert_contains "$(cat r6)" "Slurm jobs of an earlier plumb repro" "the orphaned tasks are listed"
n=0
for r in $runs; do
	case "$(tag_of "$r" slurm.orphan)" in
	cancelled*) n=$((n + 1)) ;;
	esac
done
assert_eq 6 "$n" "every task's run says it was cancelled as an orphan"
i=0
while [ -n "$(squeue -h -o %i)" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
assert_eq "" "$(squeue -h -o %i)" "no task is left"

done_testing
