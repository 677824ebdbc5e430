#!/bin/sh
# scrape-bench.sh - the scrape source and the series store against their budgets, each beside a baseline of the same run:
#
# 1. scrape + parse + store of a 1,000-series exposition (budget 20 ms),
#    against the bare libcurl GET of the same body from the same
#    loopback server (transfer only), and Debian's `promtool check
#    metrics` on the same text (a parse and lint, process start included);
# 2. bytes per sample on disk, all overheads included: growth of the
#    store's files / samples, for 1,000 series x 1 day at 15 s
#    (budget 4), against the 16 bytes of a raw (int64 time, double) pair,
#    and the WAL's peak size while writing;
# 3. one series over 30 days read at 5-minute resolution (budget 50 ms),
#    against reading its raw samples over the same range.
# Never fails on a timer.
set -eu
. "$top_srcdir/tests/bench/lib.sh"
H="$top_builddir/tests/bench/scrape-bench"
make -C "$top_builddir" -s tests/bench/scrape-bench >/dev/null

set -- $("$H" scrape "$BT/s1" "$BT/expo.txt"); shift	# the leading word names the mode
med=$1 p90=$2 get=$3 series=$4 poll=$5 flush=$6
report "scrape+parse+store, $series series (median)" "$med" ms "budget 20 ms (p90 $p90 ms)"
report "  of which GET+parse+queue (the poll)" "$poll" ms ""
report "  of which the store's flush (1 transaction)" "$flush" ms ""
report "  baseline: libcurl GET alone" "$get" ms "ratio $(awk -v a="$med" -v b="$get" 'BEGIN { printf "%.1f", a / b }')x"
if command -v promtool >/dev/null 2>&1; then
	pt=$(median_ms 5 sh -c "promtool check metrics <'$BT/expo.txt'")
	report "  baseline: promtool check metrics" "$pt" ms "ratio $(awk -v a="$med" -v b="$pt" 'BEGIN { printf "%.2f", a / b }')x"
fi

set -- $("$H" storage "$BT/s2"); shift	# the leading word names the mode
samples=$1 bytes=$2 secs=$3 walpeak=$4
bps=$(awk -v b="$bytes" -v s="$samples" 'BEGIN { printf "%.3f", b / s }')
report "bytes/sample, 1,000 series x 1 day at 15 s" "$bps" B "budget 4 ($samples samples, $bytes bytes, written in $secs s)"
report "  WAL at its largest while writing" "$(awk -v b="$walpeak" 'BEGIN { printf "%.1f", b / 1048576 }')" MiB "(kept on disk while the watcher runs; bounded, not per sample)"
report "  baseline: raw int64+double pair" 16 B "ratio $(awk -v a="$bps" 'BEGIN { printf "%.3f", a / 16 }')x"

set -- $("$H" read "$BT/s3"); shift	# the leading word names the mode
agg=$1 points=$2 raw=$3 nraw=$4 res=$5
report "read 1 series, 30 days at 5 min ($points pts)" "$agg" ms "budget 50 ms (resolution read: ${res} ms)"
report "  baseline: its $nraw raw samples" "$raw" ms "ratio $(awk -v a="$agg" -v b="$raw" 'BEGIN { printf "%.3f", a / b }')x"
