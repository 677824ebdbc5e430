#!/bin/sh
# promql-bench.sh - builds and runs promql-bench (histogram_quantile over 30 days at 5-minute steps).
. "$top_srcdir/tests/bench/lib.sh"
make -s -C "$top_builddir" tests/bench/promql-bench >/dev/null
"$top_builddir/tests/bench/promql-bench"
