#!/bin/sh
# widgets-bench.sh - widget paint costs on an off-screen 200x50 terminal, beside raw curses painting of the same screen.
#
# Prints each figure and its ratio to a raw full-screen curses frame
# measured in the same run (the floor any frame pays).  Budgets from
# DESIGN.md §6 for context: a keystroke's redraw <= 16 ms; the run
# screen with a 1M-point chart <= 100 ms.  Never fails on a timer.
set -eu
: "${top_builddir:?}"
make -C "$top_builddir" -s tests/bench/widgets-speed >/dev/null
"$top_builddir/tests/bench/widgets-speed" "${POINTS:-1000000}"
