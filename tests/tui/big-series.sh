#!/bin/sh
# tests/tui/big-series.sh - a run with a big series: the run screen opens at once and a thread reads and bins the points (the chart says "loading" until they are in); leaving the screen while it loads is safe.
. "$top_srcdir/tests/tui/tmux.sh"

EMIT="$top_builddir/tests/bench/emit"
"$PLUMB" init -q
# 60,000 points of loss: over the 16,384 that are charted as they are.
"$PLUMB" run -q -n big -- sh -c "'$EMIT' 60000 loss; echo 'metric zacc 0.5 step=1' >&3"

tm_start 120 40 TERM=xterm-256color PLUMB_TUI_BENCH="$T/bench.txt"
expect "1 of 1" "the runs screen opens"
# Open and leave at once, twice: the loading thread outlives the screen.
tm_keys Enter Escape Enter Escape
expect "1 of 1" "back on the runs"
tm_keys Enter
expect "runs ▸" "Enter opens the run screen"
expect "60000 pts" "the chart's box counts the points from the summary"
expect_gone "loading" "the points are read and binned, and the chart replaces the loading mark" 20
case "$(tm_screen)" in
*"no points"*) fail "the big series was charted empty: $(tm_screen)" ;;
*) ok ;;
esac
i=0
while ! grep -q '^series_loaded_ms ' "$T/bench.txt" && [ $i -lt 100 ]; do
	i=$((i + 1)); sleep 0.1
done
grep -q '^series_loaded_ms ' "$T/bench.txt" && ok ||
	fail "the series was not loaded by the thread"
tm_keys x
expect "loss time" "x re-bins the loaded envelope by time"
tm_keys Escape q
expect "EXITED 0" "quits"
assert_eq "" "$(cat "$T/tui.stderr")" "nothing on stderr (sanitizers would print here)"

# 80x24, the C locale, no colour: the same, in ASCII.
tmux -L "$TM_SOCK" kill-server >/dev/null 2>&1 || :
tm_start 80 24 TERM=xterm LC_ALL=C NO_COLOR=1
expect "1 of 1" "80x24: the runs screen"
tm_keys Enter
expect "60000 pts" "80x24: the big series' box"
expect_gone "loading" "80x24: the chart replaces the loading mark" 20
tm_keys Escape q
expect "EXITED 0" "80x24: quits"
done_testing
