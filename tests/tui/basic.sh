#!/bin/sh
# tests/tui/basic.sh - the TUI end to end in a real terminal (tmux): open, move, filter (good
# and bad), sort, open a run, compare two, help, command mode, live update, resize, quit.
. "$top_srcdir/tests/tui/tmux.sh"

"$PLUMB" init -q
"$PLUMB" run -q -e churn -n gbm-depth8 -p model=gbm -p lr=0.05 -- sh -c '
	for i in 1 2 3 4 5; do
		echo "metric loss 0.$((9 - i)) step=$i" >&3
		echo "metric auc 0.8$i step=$i" >&3
	done
	echo "hello from depth8"; echo "warning on stderr" >&2
	echo weights > model.bin; echo "artifact model.bin" >&3'
"$PLUMB" run -q -e churn -n gbm-depth10 -p model=gbm -p lr=0.1 -- sh -c '
	for i in 1 2 3; do
		echo "metric loss 0.$((8 - i)) step=$i" >&3
		echo "metric auc 0.7$i step=$i" >&3
	done'
"$PLUMB" run -q -e base -n cnn-small -p model=cnn -- sh -c \
	'echo "metric loss 0.5" >&3; exit 3' || true

tm_start 120 40 TERM=xterm-256color
expect "3 of 3" "the runs screen opens with every run"
expect "cnn-small" "runs are listed"
expect "0 running" "the header counts running runs"
# Newest first: cnn-small, gbm-depth10, gbm-depth8.
if [ "$(line_of cnn-small)" -lt "$(line_of gbm-depth10)" ] &&
    [ "$(line_of gbm-depth10)" -lt "$(line_of gbm-depth8)" ]; then ok; else
	fail "newest run first: $(tm_screen)"
fi

# Move down one and open it.
tm_keys j Enter
expect "runs ▸" "Enter opens the run screen"
expect "gbm-depth10" "the run under the cursor is opened"
expect "finished" "its status is shown"
expect "auc" "its metrics are listed"
expect "pts" "the chart of the first metric is shown"
tm_keys Escape
expect "3 of 3" "Esc goes back to the runs"

# A good filter, then a bad one (error and caret in place, old filter kept).
tm_keys f
expect "filter:" "f opens the filter prompt"
tm_type "params.model = 'gbm'"
tm_keys Enter
expect "2 of 3" "the filter narrows the list"
expect_gone "cnn-small" "the filtered-out run is gone"
tm_keys f
tm_keys C-u
tm_type "metrics.loss <"
tm_keys Enter
expect "^ " "a bad filter shows a caret"
expect "expected" "a bad filter shows the parser's message"
tm_keys Escape
expect_gone "filter: metrics.loss" "Esc leaves the prompt"
expect "2 of 3" "the good filter stays after a bad one"

# Sort: > twice moves the sort from STARTED to DUR to the first metric
# (auc, biggest first); s reverses it.
tm_keys '>' '>'
expect "auc ▼" "the sorted column shows its arrow"
if [ "$(line_of gbm-depth8)" -lt "$(line_of gbm-depth10)" ]; then ok; else
	fail "auc descending puts depth8 (0.85) first: $(tm_screen)"
fi
tm_keys s
expect "auc ▲" "s reverses the order"
if [ "$(line_of gbm-depth10)" -lt "$(line_of gbm-depth8)" ]; then ok; else
	fail "auc ascending puts depth10 (0.73) first: $(tm_screen)"
fi

# Clear the filter; mark two runs and compare them.
tm_keys f
tm_keys C-u Enter
expect "3 of 3" "an empty filter shows everything"
tm_keys g Space Space
expect "2 marked" "space marks runs"
tm_keys c
expect "compare" "c opens the compare screen"
expect "◆" "a differing param is marked"
expect "params" "the params pane is shown"
expect "metrics" "the metrics pane is shown"
tm_keys d
expect "(differences)" "d shows only differing params"
expect_gone "model " "an equal param is hidden"
tm_keys x
expect "auc time" "x puts time on the chart's x axis"
tm_keys Escape
expect "3 of 3" "Esc from compare goes back"

# Experiments and commands that shape the list.
tm_keys e
expect "experiment: base" "e shows one experiment"
expect "1 of 3" "only its runs"
tm_keys e
expect "experiment: churn" "e cycles to the next one"
tm_keys e
expect "experiment: all" "and back to all"
tm_keys :
tm_type "columns params.lr"
tm_keys Enter
expect_gone " auc " ":columns replaces the key columns"
tm_keys :
tm_type "sort -lr"
tm_keys Enter
expect "lr ▼" ":sort sorts by a column"
if [ "$(line_of gbm-depth10)" -lt "$(line_of gbm-depth8)" ]; then ok; else
	fail ":sort -lr puts lr 0.1 first: $(tm_screen)"
fi
assert_contains "$(cat "$T/config/plumb/tui-columns" 2>/dev/null)" \
	"$T/.plumb	params.lr" ":columns is remembered for this store"
tm_keys :
tm_type "columns"
tm_keys Enter
expect " auc " ":columns alone chooses the columns again"
assert_not_contains "$(cat "$T/config/plumb/tui-columns")" "params.lr" \
	":columns alone forgets the choice"
tm_keys :
tm_type "sort STARTED"
tm_keys Enter
expect "STARTED ▼" ":sort by a title"

# Help overlay and command mode.
tm_keys '?'
expect "help: runs" "? opens the help"
expect "move down one line" "help lists the requests"
tm_keys q
expect_gone "help: runs" "q closes the help"
tm_keys :
tm_type "run $("$PLUMB" runs --ids | tail -1 | cut -c1-8)"
tm_keys Enter
expect "gbm-depth8" ":run ID opens that run"
tm_keys o
expect "hello from depth8" "o shows the run's stdout"
tm_keys E
expect "warning on stderr" "E shows the run's stderr"
tm_keys a
expect "model.bin" "a shows the run's artifacts"
expect "8 B" "with their size"
tm_keys :
tm_type "nosuchcommand"
tm_keys Enter
expect "unknown command" "an unknown command is an error on the status line"
tm_keys :
tm_type runs
tm_keys Enter
expect "3 of 3" ":runs goes home"

# Search by name, then n for the next match.
tm_keys /
tm_type "gbm-depth"
tm_keys Enter
tm_keys Enter
expect "runs ▸" "/ then Enter opens the found run"
expect "gbm-depth10" "/ finds the first match from the cursor"
tm_keys Escape
tm_keys n Enter
expect "gbm-depth8" "n moves to the next match"
tm_keys Escape

# Live: a run started by another process shows up without a key press,
# its screen follows its metrics and log, and its end is seen too.
"$PLUMB" run -q -e churn -n live-one -- sh -c '
	i=0
	while [ ! -f "'"$T"'/stop" ]; do
		echo "metric loss $i step=$i" >&3; echo "tick-$i"
		i=$((i + 1)); sleep 0.1
	done' &
livepid=$!
expect "live-one" "a new run appears by itself"
expect "1 running" "the running count follows"
tm_keys g Enter
expect "live-one" "the live run opens"
expect "◐ running" "its header says running"
tm_keys o
expect "tick-5" "its stdout follows while it runs"
expect "tick-15" "and keeps following"
touch "$T/stop"
wait $livepid || true
expect "● finished" "its end shows without a key press"
tm_keys Escape
expect "0 running" "the run's end is seen on the list"
expect "4 of 4" "the count follows"

# Resize down to 40x12 and back.
tmux -L "$TM_SOCK" resize-window -x 40 -y 12
expect "plumb" "still drawing at 40x12"
tmux -L "$TM_SOCK" resize-window -x 20 -y 5
expect "too small" "below the minimum it says so"
tmux -L "$TM_SOCK" resize-window -x 120 -y 40
expect "4 of 4" "back to full size"
expect "cnn-small" "rows are back after the resize"

# A runs-list command typed on another screen brings the list back and
# applies there (commands.c: top screen, then home screen).
tm_keys g Enter
expect "live-one" "a run is open"
tm_keys :
tm_type "filter params.lr = '0.05'"
tm_keys Enter
expect "1 of 4" ":filter from a run screen filters the runs list"
tm_keys :
tm_type "nosuchcommand"
tm_keys Enter
expect "nosuchcommand" "an unknown command is named on the status line"
tm_keys :
tm_type "filter"
tm_keys Enter
expect "4 of 4" ":filter alone clears the filter"

tm_keys q
expect "EXITED 0" "q quits with status 0"
if [ -s "$T/tui.stderr" ]; then
	fail "nothing on stderr while the screen is up: $(cat "$T/tui.stderr")"
else
	ok
fi
done_testing
