#!/bin/sh
# tests/tui/actions.sh - the actions a review found missing (issue 12), in tmux: / searches as
# you type and f filters; y yanks (OSC 52, into tmux's buffer); X and :export write the listed
# runs as CSV/JSON; v shows an artifact in $PAGER; V jumps from a run to its model versions and r
# back; step axes read as counts; the help bar and ? come from the keymap.
. "$top_srcdir/tests/tui/tmux.sh"

"$PLUMB" init -q
"$PLUMB" run -q -e churn -n alpha-run -p lr=0.1 -- sh -c '
	i=0; while [ $i -le 2000 ]; do echo "metric loss 0.$((i % 9 + 1)) step=$i" >&3; i=$((i + 250)); done
	echo weights-alpha > model.bin; echo "artifact model.bin" >&3'
"$PLUMB" run -q -e churn -n beta-run -p lr=0.2 -- sh -c 'echo "metric loss 0.3" >&3'
"$PLUMB" run -q -e churn -n gamma-run -p lr=0.3 -- sh -c 'echo "metric loss 0.2" >&3'
alpha=$("$PLUMB" runs --ids -f "attributes.run_name = 'alpha-run'")
"$PLUMB" model register churn --run "$alpha" --path model.bin >/dev/null
cat >pager.sh <<EOS
#!/bin/sh
cp "\$1" '$T/paged'
EOS
chmod +x pager.sh

for size in "80 24" "40 12"; do
	set -- $size
	tm_start "$1" "$2" TERM=xterm-256color "PAGER=$T/pager.sh"
	tmux -L "$TM_SOCK" set-option -g set-clipboard on >/dev/null
	expect "3 of 3" "$1x$2: opens"
	# / searches as you type: the cursor moves, nothing is filtered.
	tm_keys /
	expect "search" "$1x$2: / opens the search prompt"
	tm_type "alph"
	tm_keys Enter
	expect "3 of 3" "$1x$2: searching filters nothing"
	# y copies the run under the cursor: the one the search found.
	tm_keys y
	expect "copied run id" "$1x$2: y says what it copied"
	n=100
	while [ $n -gt 0 ] && [ "$(tmux -L "$TM_SOCK" show-buffer 2>/dev/null)" != "$alpha" ]; do
		sleep 0.05; n=$((n - 1))
	done
	assert_eq "$alpha" "$(tmux -L "$TM_SOCK" show-buffer 2>/dev/null)" \
		"$1x$2: the clipboard (OSC 52) holds the run id"
	# f filters.
	tm_keys f
	expect "filter:" "$1x$2: f opens the filter prompt"
	tm_type "params.lr > 0.15"
	tm_keys Enter
	expect "2 of 3" "$1x$2: the filter narrows the list"
	# X exports what is listed.
	rm -f "$T/out.json"
	tm_keys X
	expect "export to" "$1x$2: X asks where to"
	tm_keys C-u
	tm_type "$T/out.json"
	tm_keys Enter
	expect "exported 2 runs" "$1x$2: X exports the listed runs"
	tmux -L "$TM_SOCK" kill-server
	sleep 0.2
done
json=$(cat "$T/out.json" 2>/dev/null || true)
assert_contains "$json" '"run_name":"beta-run"' "the JSON export has the listed runs"
assert_not_contains "$json" "alpha-run" "and only those"
assert_contains "$json" '"metrics.loss":0.3' "metrics as numbers"

tm_start 120 30 TERM=xterm-256color "PAGER=$T/pager.sh"
expect "3 of 3" "opens"
tm_keys :
tm_type "export $T/out.csv"
tm_keys Enter
expect "exported 3 runs" ":export writes CSV"
head1=$(head -1 "$T/out.csv" | tr -d '\r')
assert_contains "$head1" "status,run_id,run_name" "the CSV header names the columns"
assert_contains "$head1" "metrics.loss" "the CSV header has the metric key"
assert_eq 4 "$(wc -l <"$T/out.csv" | tr -d ' ')" "one CSV line per run and a header"

# The help bar comes from the keymap: the keys shown are the bound ones.
expect "/ search" "the bar shows / as search"
expect "f filter" "the bar shows f as filter"
tm_keys '?'
expect "help: runs" "? opens the help"
expect_gone "Pipeline" "? has no empty group (no pipeline key on runs)" 2
expect "search as you type" "? lists the search"
tm_keys q
expect "3 of 3" "q closes the help"

# Open alpha-run: step axis as counts, its artifact in $PAGER, V to its model version.
tm_keys /
tm_type "alpha"
tm_keys Enter Enter
expect "alpha-run" "alpha-run opens"
expect "2000" "the step axis reads as a count"
expect_gone "2k" "no SI suffix on steps" 2
tm_keys a
expect "model.bin" "the artifacts pane lists model.bin"
rm -f "$T/paged"
tm_keys v
n=200
while [ $n -gt 0 ] && [ ! -s "$T/paged" ]; do sleep 0.05; n=$((n - 1)); done
assert_eq "weights-alpha" "$(cat "$T/paged" 2>/dev/null)" "v shows the artifact in \$PAGER"
expect "alpha-run" "the screen comes back after the pager"
tm_keys V
expect "versions of churn" "V opens the model versions of the run"
expect "v1" "with its version"
tm_keys r
expect "runs ▸" "r opens the version's run"
expect "alpha-run" "the run of v1"
tm_keys Q
expect "EXITED 0" "quits"

done_testing
