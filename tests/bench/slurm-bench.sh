#!/bin/sh
# tests/bench/slurm-bench.sh - plumb repro on a private one-node Slurm cluster: a 3-level chain's overhead after its last job ends, and a no-op repro of 1,000 stages (nothing submitted) beside the local executor.
. "$top_srcdir/tests/bench/lib.sh"
. "$top_srcdir/tests/lib/slurm-cluster.sh"

S="$BT/slurm"
trap 'slurm_cluster_stop "$S"; rm -rf "$BT"' EXIT INT TERM
slurm_cluster_start "$S" || { echo "skipped: $SLURM_SKIP"; exit 0; }
# the machine may be shared: the figures are read against its load
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# mtime of a file in ms (when the job wrote it)
mtime_ms() { stat -c %.3Y "$1" | tr -d . ; }

# 1. A 3-level chain of trivial stages: how long after the last job
# wrote its output plumb has recorded everything and exited.
mkdir "$BT/chain" && cd "$BT/chain"
cat > plumb.yaml <<'P'
stages:
  a:
    cmd: echo a > a.out
    outs: [a.out]
  b:
    cmd: cat a.out > b.out
    deps: [a.out]
    outs: [b.out]
  c:
    cmd: cat b.out > c.out
    deps: [b.out]
    outs: [c.out]
P
"$PLUMB" init >/dev/null 2>&1 || true
: > "$BT/after"
: > "$BT/total"
for k in 1 2 3 4 5; do
	t0=$(now_ms)
	"$PLUMB" repro --executor slurm -F >"$BT/chain.out" 2>&1 || { cat "$BT/chain.out"; exit 1; }
	t1=$(now_ms)
	echo $((t1 - $(mtime_ms c.out))) >> "$BT/after"
	echo $((t1 - t0)) >> "$BT/total"
done
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t0=$(now_ms); sh -c 'echo a > a.x; cat a.x > b.x; cat b.x > c.x'; t_local=$(( $(now_ms) - t0 ))
t0=$(now_ms); "$PLUMB" repro -F >/dev/null 2>&1; t_plocal=$(( $(now_ms) - t0 ))
echo "3-level chain of trivial stages on a one-node Slurm (median of 5):"
report "after the last job ends, plumb done in" "$(med "$BT/after")" "ms" "budget <= 1500 ms"
report "whole chain on Slurm (3 jobs)" "$(med "$BT/total")" "ms" ""
report "the same chain, local executor (baseline)" "$t_plocal" "ms" "(same run)"
report "the commands alone in one shell" "$t_local" "ms" ""

echo "load average after part 1: $(cut -d' ' -f1-3 /proc/loadavg)"

# 2. No-op repro of 1,000 stages: nothing submitted.
N=1000
W="$BT/pipe"
sh "$top_srcdir/tests/bench/gen-pipeline.sh" "$W" $N
cd "$W"
"$PLUMB" init >/dev/null 2>&1 || true
"$PLUMB" repro -q >/dev/null 2>&1
"$PLUMB" repro -q >/dev/null 2>&1
"$PLUMB" repro -q --executor slurm | tail -1 | grep -q "Pipeline is up to date ($N stages" ||
	echo "warning: the pipeline is not up to date"
# jobs from part 1 stay in scontrol's memory (MinJobAge), none from this part
before=$(squeue -h -t all -o %i | wc -l)
t_slurm=$(median_ms 7 "$PLUMB" repro -q --executor slurm)
t_local=$(median_ms 7 "$PLUMB" repro -q)
c_slurm=$(cpu_ms 7 "$PLUMB" repro -q --executor slurm)
c_local=$(cpu_ms 7 "$PLUMB" repro -q)
after=$(squeue -h -t all -o %i | wc -l)
echo "pipeline: $N stages, every stage up to date (median of 7):"
report "plumb repro --executor slurm (no-op)" "$t_slurm" "ms" "budget <= 200 ms"
report "plumb repro, local executor (baseline)" "$t_local" "ms" "(same run)"
awk -v a="$t_slurm" -v b="$t_local" 'BEGIN { printf "%-44s %12.2f %-8s\n", "ratio slurm / local", a / (b > 0 ? b : 1), "x" }'
report "CPU time (user + system), Slurm no-op" "$c_slurm" "ms" "(its clients included)"
report "CPU time, local executor no-op" "$c_local" "ms" "(same run)"
report "jobs submitted by the no-op repros" "$((after - before))" "" "(must be 0)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
