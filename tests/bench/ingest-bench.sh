#!/bin/sh
# tests/bench/ingest-bench.sh - metric ingest through PLUMB_FD vs a raw SQLite insert loop, same run.
. "$top_srcdir/tests/bench/lib.sh"

N=${BENCH_POINTS:-1000000}
cd "$BT"
"$PLUMB" init -q
best_plumb=0
best_raw=0
for rep in 1 2 3; do
	rm -f raw.db raw.db-wal raw.db-shm
	raw=$("$top_builddir/tests/bench/raw-insert" raw.db "$N" | awk '{print $2}')
	t0=$(now_ms)
	"$PLUMB" run -q -n "ingest-$rep" -- "$top_builddir/tests/bench/emit" "$N" loss
	t1=$(now_ms)
	rate=$((N * 1000 / (t1 - t0)))
	[ "$rate" -gt "$best_plumb" ] && best_plumb=$rate
	[ "${raw%.*}" -gt "$best_raw" ] && best_raw=${raw%.*}
done
id=$("$PLUMB" runs --ids -n 1)
stored=$("$PLUMB" show "$id" --json | sed -n 's/.*"loss":{[^}]*"count":\([0-9]*\).*/\1/p')
[ "$stored" = "$N" ] || { echo "ingest-bench: stored $stored of $N points" >&2; exit 1; }
echo "ingest of $N points from a child process (best of 3, whole plumb run incl. the child):"
report "plumb run -- emit (PLUMB_FD)" "$best_plumb" "pts/s" "budget >= 1,000,000 pts/s"
report "raw SQLite prepared INSERT, row per point" "$best_raw" "pts/s" "(baseline, same run)"
awk -v a="$best_plumb" -v b="$best_raw" 'BEGIN { printf "%-44s %12.2f %-8s %s\n", "ratio plumb / raw", a / b, "x", "budget >= 0.50" }'
report "MLflow log_batch (published anchor)" 11700 "pts/s" "(not run here)"
