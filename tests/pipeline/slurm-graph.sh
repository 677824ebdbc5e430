#!/bin/sh
# slurm-graph.sh - the whole graph queued at once (afterok dependencies, --kill-on-invalid-dep), a failed upstream's dependents reported as never started, who cancelled a job, and Slurm's StartTime as the run's start with the queue wait apart.
. "${top_srcdir}/tests/lib.sh"
. "${top_srcdir}/tests/lib/slurm-cluster.sh"

S="$T/slurm"
trap 'slurm_cluster_stop "$S"; cd /; rm -rf "$T"' EXIT INT TERM
slurm_cluster_start "$S" || { rc=$?; echo "SKIP: $SLURM_SKIP"; exit $rc; }
queue() { squeue -h -o '%j %T %E' 2>/dev/null | sort; }
run_of() { "$PLUMB" runs --csv -c id,name | grep ",$1\$" | head -1 | cut -d, -f1; }
tag_of() { "$PLUMB" show "$1" --json | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"; }
wait_for() { i=0; while [ ! -e "$1" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.1; done; }

mkdir w && cd w
# a -> b -> c, and d beside them: while a runs, b and c are already in
# the queue, each waiting for its parent.
cat > plumb.yaml <<'P'
stages:
  a:
    cmd: touch a-started; while [ ! -f go ]; do sleep 0.1; done; echo a > a.out
    outs: [a.out]
  b:
    cmd: cat a.out > b.out
    deps: [a.out]
    outs: [b.out]
  c:
    cmd: cat b.out > c.out; echo c >> c.out
    deps: [b.out]
    outs: [c.out]
P
"$PLUMB" repro --executor slurm >r1 2>&1 &
pid=$!
wait_for a-started
sleep 0.3
q=$(queue)
# while a runs, its run already starts at Slurm's StartTime
sst=$(scontrol show job -o "$(squeue -h -n plumb:a -o %i)" | tr ' ' '\n' | sed -n 's/^StartTime=//p')
i=0
while :; do
	ast=$("$PLUMB" show "$(run_of a)" --json | sed -n 's/.*"start_time":\([0-9]*\).*/\1/p')
	[ "$((ast / 1000))" = "$(date -d "$sst" +%s)" ] || [ $i -ge 30 ] && break
	i=$((i + 1)); sleep 0.1
done
assert_eq "$(date -d "$sst" +%s)" "$((ast / 1000))" "a running: its run's start is Slurm's StartTime already"
touch go
assert_contains "$q" "plumb:b PENDING afterok:" "b is queued while a runs, waiting for it"
assert_contains "$q" "plumb:c PENDING afterok:" "c is queued too, waiting for b"
assert_contains "$q" "plumb:a RUNNING" "a runs"
set +e
wait $pid; st=$?
set -e
assert_eq 0 "$st" "the chain succeeds: $(cat r1)"
assert_contains "$(cat r1)" "3 ran" "three stages ran"
assert_eq "a
c" "$(cat c.out)" "c saw b's output, made from a's"
assert_contains "$(cat plumb.lock)" "c.out" "the lock records c"
"$PLUMB" repro --executor slurm >r2 2>&1 || fail "second repro: $(cat r2)"
assert_contains "$(cat r2)" "Pipeline is up to date" "the lock has the hashes of the outputs the jobs made"
assert_eq "" "$(squeue -h -o %i)" "nothing submitted by an up-to-date repro"
# Slurm's StartTime is the run's start; the queue wait is apart.
b=$(run_of b)
start=$("$PLUMB" show "$b" --json | sed -n 's/.*"start_time":\([0-9]*\).*/\1/p')
sstart=$(tag_of "$b" slurm.start_time)
assert_eq "$(date -d "$sstart" +%s)" "$((start / 1000))" "b's run starts at Slurm's StartTime"
w=$(tag_of "$b" slurm.queue_wait)
case "$w" in [0-9]*s) ok ;; *) fail "queue wait: '$w'" ;; esac
[ "${w%s}" -ge 1 ] && ok || fail "b waited in the queue behind a: $w"
assert_contains "$("$PLUMB" show "$b")" "queued" "plumb show says how long it was queued"

# A failed upstream: its queued dependents end unstarted, reported as
# such (not as failures of their own), and nothing is left.
cat > plumb.yaml <<'P'
stages:
  a:
    cmd: sleep 1; exit 3
    outs: [a.out]
  b:
    cmd: cat a.out > b.out
    deps: [a.out]
    outs: [b.out]
  c:
    cmd: cat b.out > c.out
    deps: [b.out]
    outs: [c.out]
  d:
    cmd: echo d > d.out
    outs: [d.out]
P
rm -f plumb.lock
assert_status 1 "a failed upstream fails the repro" -- "$PLUMB" repro --executor slurm -k
out=$(cat "$T/.out")
assert_contains "$out" "FAILED      a  (exit status 3" "a failed"
assert_contains "$out" "blocked     b  (upstream a failed; dependency never satisfied" "b: never started"
assert_contains "$out" "blocked     c  (upstream b failed; dependency never satisfied" "c: never started"
assert_contains "$out" "1 ran" "d ran"
assert_eq "CANCELLED" "$(tag_of "$(run_of b)" slurm.state)" "b's job state"
assert_eq "DependencyNeverSatisfied" "$(tag_of "$(run_of b)" slurm.reason)" "b's reason from Slurm"
assert_contains "$("$PLUMB" show "$(run_of c)")" "dependency never satisfied" "c's run says why"
assert_eq "" "$(squeue -h -o %i)" "no job left"
st=$("$PLUMB" status 2>&1)
assert_contains "$st" "last run: dependency never satisfied" "plumb status shows the end state"
assert_contains "$st" "last run: failed" "and a's plain failure"

# Cancelled outside plumb: by whom (slurmctld's log; no accounting here).
cat > plumb.yaml <<'P'
stages:
  v:
    cmd: touch v-started; sleep 60; echo v > v.out
    outs: [v.out]
P
rm -f v-started
"$PLUMB" repro --executor slurm >r3 2>&1 &
pid=$!
wait_for v-started
scancel "$(squeue -h -n plumb:v -o %i)"
set +e
wait $pid
set -e
assert_contains "$(cat r3)" "cancelled outside plumb by root (uid 0)" "who cancelled it"
assert_eq "root (uid 0)" "$(tag_of "$(run_of v)" slurm.cancelled_by)" "the run's tag"
st=$("$PLUMB" status 2>&1)
assert_contains "$st" "last run: cancelled by root (uid 0)" "plumb status says by whom"
assert_eq "" "$(squeue -h -o %i)" "no job left"

done_testing
