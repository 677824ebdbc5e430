#!/bin/sh
# predret-bench.sh - memory of a long-lived watcher's prediction store with retention against the same life without it, same run.
#
# A watcher's life of DAYS (default 120) days, PER_DAY (default 50,000)
# predictions a day, one poll a day (tests/bench/predlog-bench retain):
# once with retention: raw 15d (the default), once with none (every
# prediction kept for ever, as before retention).  Printed: the rows
# stored at the end, the process's RSS, its anonymous part (heap: the id
# index and block buffers; the rest is the store file's mapped pages,
# which the kernel can drop) and the peak RSS.  The id index costs
# 16 to 32 bytes per stored prediction, so without retention memory grows
# with the whole life, with it only with 15 days' worth.  Never fails on
# a timer or a size.
set -eu
. "$top_srcdir/tests/bench/lib.sh"
DAYS=${DAYS:-120}
PER_DAY=${PER_DAY:-50000}
H="$top_builddir/tests/bench/predlog-bench"
make -C "$top_builddir" -s tests/bench/predlog-bench >/dev/null

run() {
	rm -rf "$BT/store" "$BT/p.jsonl"
	"$H" retain "$BT/store" "$BT/p.jsonl" "$DAYS" "$PER_DAY" "$1"
}
set -- $(run 15)
kept=$1 rss=$2 anon=$3 hwm=$4 t=$5
set -- $(run 0)
all=$1 brss=$2 banon=$3 bhwm=$4 bt=$5
echo "$DAYS days x $PER_DAY predictions a day, one poll a day:"
echo "  retention 15d:  $kept rows kept, RSS $((rss / 1024)) MB, anonymous $((anon / 1024)) MB (peak RSS $((hwm / 1024)) MB), ${t} s"
echo "  baseline, none: $all rows kept, RSS $((brss / 1024)) MB, anonymous $((banon / 1024)) MB (peak RSS $((bhwm / 1024)) MB), ${bt} s"
awk -v a="$anon" -v b="$banon" 'BEGIN { printf "  anonymous memory with retention: %.2fx the baseline\n", a / b }'
