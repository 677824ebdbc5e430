#!/bin/sh
# tests/tui/drift-dist.sh - the drift heatmap over a real watcher's store: Enter on a cell draws the feature's reference distribution beside the window's, from the stored prediction blocks and the reference CSV; x closes them.
. "$top_srcdir/tests/tui/tmux.sh"
. "$top_srcdir/tests/monitor/lib.sh"
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; tm_cleanup' EXIT INT TERM

"$PLUMB" init > /dev/null
start_server
write_config 1s
load 80 --shift 3
assert_status 0 "a round of the watcher" -- "$PLUMB" watch --once
assert_status 0 "drift scores stored" -- "$PLUMB" monitor query 'count(plumb_drift_score{target="api"})' --json
assert_contains "$(cat "$T/.out")" '"4"' "one score per feature"

tm_start 120 40 TERM=xterm-256color LC_ALL=C.UTF-8
expect "plumb" "the TUI is up"
tm_keys W
expect "plumb ▸ monitor" "the monitor"
tm_keys d
expect "drift api" "the heatmap"
expect "f0" "its features"
tm_keys G Enter
expect "f0: reference (500) vs the window ending" "Enter: the two distributions of the cursor's feature"
expect "reference " "the note names the reference file"
expect "x: close" "how to close them"
screen=$(tm_screen)
assert_contains "$screen" "▒" "reference bars"
assert_contains "$screen" "█" "window bars"
tm_keys j Enter
expect "f1: reference (500)" "the next feature's"
tm_keys x
expect_gone "f1: reference" "x closes them"
tm_keys Q
expect "EXITED 0" "Q quits"
[ ! -s tui.stderr ] && ok || fail "stderr: $(cat tui.stderr)"
done_testing
