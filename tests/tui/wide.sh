#!/bin/sh
# tests/tui/wide.sh - on a wide terminal, long names and values are shown whole (issue 12: "text is
# truncated at 120 columns"); on a narrow one they are elided with "…", never wrapped or spilled.
. "$top_srcdir/tests/tui/tmux.sh"

name=$(printf 'n%.0s' $(seq 1 140))N
param=$(printf 'p%.0s' $(seq 1 60))P
"$PLUMB" init -q
"$PLUMB" run -q -e churn -n "$name" -p longparam="$param" -- true
"$PLUMB" run -q -e churn -n short -p longparam=x -- true

for lc in C.UTF-8 C; do
	tm_start 260 30 LC_ALL=$lc
	expect "2 of 2" "$lc 260 cols: the runs screen opens"
	expect "${name} " "$lc 260 cols: the 141-cell name is shown whole"
	expect "${param}" "$lc 260 cols: the 61-cell param is shown whole"
	# The run screen's attributes pane widens with the terminal.
	tm_keys j Enter
	expect "command " "$lc 260 cols: a run opens"
	expect "$(printf 'n%.0s' $(seq 1 60))" "$lc 260 cols: the run's name shows 60 cells and more"
	tm_keys Escape
	tmux -L "$TM_SOCK" resize-window -x 100 -y 30
	expect "short" "$lc 100 cols: still drawing"
	if tm_screen | grep -q "$name"; then
		fail "$lc 100 cols: the long name is elided"
	else
		ok
	fi
	# The rows keep the box's right edge (│, or ACS x in the C locale).
	row=$(tm_screen | grep "short" | sed 's/ *$//')
	case "$row" in
	*"│"|*x) ok ;;
	*) fail "$lc 100 cols: the row ends at the box edge: [$row]" ;;
	esac
	tmux -L "$TM_SOCK" kill-server
done

done_testing
