#!/bin/sh
# tests/bench/tui-bench.sh - the TUI's budgets on a store of 100,000 runs (10 params, 10 metrics
# each) and one run with a 1,000,000-point series: first frame, keystroke redraws (moving,
# scrolling to the end, re-sorting by a metric), the run screen with the 1M-point chart, idle CPU
# while a live run updates, memory while scrolling the whole table.  Prints figures against the
# budgets; never fails on a timer.
#
# The figures come from plumb itself (PLUMB_TUI_BENCH=FILE: time from reading a key to the
# doupdate() that shows its effect, first frame since tui_main) and from /proc for CPU and memory.
# PLUMB_BENCH_STORE=DIR reuses (or keeps) a generated store; RUNS=N changes its size.
set -eu

: "${PLUMB:?PLUMB must name the plumb binary (make bench sets it)}"
: "${top_builddir:=.}" "${top_srcdir:=.}"
GEN="$top_builddir/tests/bench/gen-store"
RUNS=${RUNS:-100000}

if ! command -v tmux >/dev/null 2>&1; then
	echo "tui-bench: tmux is not installed; skipped"
	exit 0
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/plumb-tuibench.XXXXXX")
SOCK=plumbbench$$
livepid=
cleanup() {
	[ -n "$livepid" ] && kill "$livepid" 2>/dev/null || true
	tmux -L "$SOCK" kill-server >/dev/null 2>&1 || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
unset TMUX COLUMNS LINES

STORE=${PLUMB_BENCH_STORE:-$W/store}
if [ ! -f "$STORE/plumb.db" ]; then
	t0=$(date +%s)
	"$GEN" -r "$RUNS" "$STORE" >/dev/null 2>&1
	echo "store: $RUNS runs x (10 params, 10 metrics) + 1 run of 1,000,000 points," \
	    "generated in $(( $(date +%s) - t0 )) s"
fi
export PLUMB_STORE="$STORE"
B="$W/bench.txt"
: >"$B"

# ---- helpers: count, wait_count, last, report, press, cpu_ticks, rss_kb ----

. "$top_srcdir/tests/bench/tui-lib.sh"

# ---- start: first frame ---------------------------------------------------

cat >"$W/run.sh" <<EOF
date +%s%N >'$W/start'
exec env TERM=xterm-256color PLUMB_TUI_BENCH='$B' '$PLUMB' tui 2>'$W/stderr'
EOF
tmux -L "$SOCK" -f /dev/null new-session -d -x 160 -y 45 "sh '$W/run.sh'"
wait_count first_frame_ms 1
pid=$(last pid)
start_ms=$(awk '{ printf "%.3f", $1 / 1e6 }' "$W/start")
frame_ms=$(last first_frame_wall_ms)
echo "plumb tui on $(basename "$STORE"): $(tmux -L "$SOCK" display -p '#{pane_width}x#{pane_height}'), pid $pid"
report "first frame, from exec" "$(awk -v a="$start_ms" -v b="$frame_ms" 'BEGIN { print b - a }')" 100 ms
report "first frame, from tui_main" "$(last first_frame_ms)" 100 ms
wait_count idle_ms 1 10
echo "   (then the whole list is read while idle: $(last idle_ms) ms)"

# ---- keystrokes -----------------------------------------------------------

press "key j (move down)" 16 j
press "key PgDn" 16 NPage
press "key G (to the end of 100k runs)" 16 G
press "key g (back to the top)" 16 g
# A re-sort's frame shows the new order with "…" for rows not yet read;
# they are read and painted as soon as no key waits (rows_ms).
rows() {
	echo "   (its first screen of rows read and painted while idle: $(last rows_ms) ms)"
}
press "key > (sort by duration)" 16 '>'
rows
wait_count idle_ms 3 20
echo "   (then the whole re-sorted list while idle: $(last idle_ms) ms)"
press "key > (sort by metric loss)" 16 '>'
rows
i=$(count idle_ms)
wait_count idle_ms $((i + 1)) 20
echo "   (then the whole re-sorted list while idle: $(last idle_ms) ms)"
press "key s (reverse: loss ascending)" 16 s
rows
press "key G after the re-sort" 16 G
press "key < (sort back by duration)" 16 '<'
rows
press "key < (sort back by start time)" 16 '<'
rows
sleep 1

# ---- memory while scrolling the whole table --------------------------------

press "key g" 16 g
rss0=$(rss_kb "$pid")
k=$(count key_ms)
pages=$(( RUNS / 30 + 10 ))
tmux -L "$SOCK" send-keys -N "$pages" NPage
# Keys arrive in batches; wait until the stream stops.
prev=-1
while [ "$(count key_ms)" != "$prev" ]; do
	prev=$(count key_ms)
	sleep 0.5
done
rss1=$(rss_kb "$pid")
worst=$(grep '^key_ms ' "$B" | tail -n +"$((k + 1))" | sort -k2 -g | tail -1 | cut -d' ' -f2)
echo "scrolled the whole table ($pages pages): VmRSS $rss0 kB -> $rss1 kB" \
    "($(( rss1 - rss0 )) kB), slowest batch ${worst:-0} ms"

# ---- the run screen with the 1M-point chart --------------------------------

# The generator's big run is named "big": first by name.
big=$("$PLUMB" runs -s run_name -n 1 --ids)
tmux -L "$SOCK" send-keys : && sleep 0.2
tmux -L "$SOCK" send-keys -l "run $big" && sleep 0.2
press "run screen with the 1M-point chart" 100 Enter
# A thread reads and bins the million points off the input path; the
# chart says "loading" until then (tui/series.c).
wait_count series_loaded_ms 1 30
echo "   (the 1M points read and binned by their thread in $(last series_loaded_ms) ms; keys answered meanwhile)"
case "$(tmux -L "$SOCK" capture-pane -p)" in
*"1000000 pts"*) ;;
*) echo "   (warning: the 1M-point chart was not on screen)" ;;
esac
press "key L (log scale, re-decimate 1M points)" 16 L
press "key x (time on x, re-decimate 1M points)" 16 x
tmux -L "$SOCK" send-keys Escape
sleep 0.5

# ---- idle CPU while a live run updates ------------------------------------

"$PLUMB" run -q -n live-bench -- sh -c \
	'i=0; while [ $i -lt 120 ]; do echo "metric loss $i step=$i" >&3;
	 echo "epoch $i"; i=$((i + 1)); sleep 1; done' >/dev/null 2>&1 &
livepid=$!
sleep 2
# It is the newest run now: open it and follow its log.
tmux -L "$SOCK" send-keys g Enter
sleep 1
tmux -L "$SOCK" send-keys o
sleep 2
case "$(tmux -L "$SOCK" capture-pane -p)" in
*live-bench*) ;;
*) echo "   (warning: the live run's screen was not shown)" ;;
esac
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks "$pid")
sleep 20
c1=$(cpu_ticks "$pid")
report "idle CPU, live run screen (20 s)" \
    "$(awk -v d=$((c1 - c0)) -v hz="$hz" 'BEGIN { print d * 100 / (hz * 20) }')" 0.5 "% of a core"
# The same on the runs list (100k rows, one of them live).
tmux -L "$SOCK" send-keys Escape
sleep 2
c0=$(cpu_ticks "$pid")
sleep 10
c1=$(cpu_ticks "$pid")
report "idle CPU, runs list with a live run (10 s)" \
    "$(awk -v d=$((c1 - c0)) -v hz="$hz" 'BEGIN { print d * 100 / (hz * 10) }')" 0.5 "% of a core"
kill "$livepid" 2>/dev/null || true
wait "$livepid" 2>/dev/null || true
livepid=

tmux -L "$SOCK" send-keys Escape q
sleep 0.5
if [ -s "$W/stderr" ]; then
	echo "stderr of plumb tui:"
	cat "$W/stderr"
fi
exit 0
