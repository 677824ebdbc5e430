#!/bin/sh
# tests/bench/query-bench.sh - plumb runs --filter and sorted first screen over 100,000 runs.
. "$top_srcdir/tests/bench/lib.sh"

S=$(bench_store)
export PLUMB_STORE="$S"
F='metrics.loss < 0.5 and params.lr = "0.01"'
n=$("$PLUMB" runs --ids -f "$F" | wc -l | tr -d ' ')
t_filter=$(median_ms 5 "$PLUMB" runs -f "$F")
t_ids=$(median_ms 5 "$PLUMB" runs --ids -f "$F")
t_sort=$(median_ms 5 "$PLUMB" runs -s metrics.loss -n 50)
t_first=$(median_ms 5 "$PLUMB" runs -n 50)
# Baseline in the same run: the sqlite3 shell answering the same filter
# with the straightforward join a simple tracker would use.
t_sql=$(median_ms 5 sqlite3 "$S/plumb.db" "SELECT r.id FROM runs r
  JOIN metric_summary m ON m.run_id = r.rid JOIN keys km ON km.id = m.key_id
  JOIN params p ON p.run_id = r.rid JOIN keys kp ON kp.id = p.key_id
  WHERE km.name = 'loss' AND m.last < 0.5 AND kp.name = 'lr' AND p.value = '0.01'
  ORDER BY r.start_ms DESC")
echo "store: 100,000 runs x 10 params x 10 metrics; filter matches $n runs (median of 5):"
report "plumb runs --filter (default table)" "$t_filter" "ms" "budget <= 200 ms"
report "plumb runs --filter --ids" "$t_ids" "ms" ""
report "plumb runs -s metrics.loss -n 50" "$t_sort" "ms" "budget <= 100 ms"
report "plumb runs -n 50 (newest first)" "$t_first" "ms" ""
report "sqlite3 shell, plain join (baseline)" "$t_sql" "ms" "(same run)"
awk -v a="$t_filter" -v b="$t_sql" 'BEGIN { printf "%-44s %12.2f %-8s\n", "ratio plumb --filter / sqlite3 join", a / b, "x" }'
report "MLflow search_runs, 1,000 runs (anchor)" 630 "ms" "(not run here)"
