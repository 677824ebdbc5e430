#!/bin/sh
# tests/tui/review.sh - the review fixes of issue 12 in tmux: :sort by key with +/-/asc/desc, Q on the
# "too small" screen, "1 line", ZWJ emoji alignment, the NO_COLOR chart axis, model diff without git,
# the models detail at 40x12, and the filter prompt after a resize.
. "$top_srcdir/tests/tui/tmux.sh"

ESC=$(printf '\033')
ZWJ=$(printf '\342\200\215')
"$PLUMB" init -q
"$PLUMB" run -q -e churn -n low-lr -p lr=0.01 -- sh -c '
	for i in 1 2 3; do echo "metric loss 0.$((9 - i)) step=$i" >&3; done
	echo "metric auc 0.70" >&3; echo "one line"'
"$PLUMB" run -q -e churn -n high-lr -p lr=0.5 -- sh -c '
	for i in 1 2 3; do echo "metric loss 0.$((5 - i)) step=$i" >&3; done
	echo "metric auc 0.90" >&3'
"$PLUMB" run -q -e churn -n "dev-$(printf '\360\237\221\251')${ZWJ}$(printf '\360\237\222\273')-x" \
	-p lr=0.1 -- sh -c 'echo "metric loss 0.6" >&3; echo "metric auc 0.8" >&3'

sorted_first() {	# the first of two names on screen
	if [ "$(line_of "$1")" -lt "$(line_of "$2")" ]; then echo "$1"; else echo "$2"; fi
}
# expect_above A B MESSAGE: poll until A shows above B.
expect_above() {
	n=200
	while [ $n -gt 0 ] && [ "$(sorted_first "$1" "$2")" != "$1" ]; do
		sleep 0.05; n=$((n - 1))
	done
	assert_eq "$1" "$(sorted_first "$1" "$2")" "$3"
}

for size in "80 24" "40 12"; do
	set -- $size
	tm_start "$1" "$2" TERM=xterm-256color
	expect "3 of 3" "$1x$2: the runs screen opens"
	# :sort with the key as the query language spells it.
	tm_keys :
	tm_type "sort metrics.loss"
	tm_keys Enter
	expect_gone "no column" "$1x$2: :sort metrics.loss is accepted" 2
	tm_keys :
	tm_type "sort +loss"
	tm_keys Enter
	expect_above high-lr low-lr "$1x$2: :sort +loss: lowest loss first"
	tm_keys :
	tm_type "sort -loss"
	tm_keys Enter
	expect_above low-lr high-lr "$1x$2: :sort -loss: highest loss first"
	tm_keys :
	tm_type "sort params.lr asc"
	tm_keys Enter
	expect_above low-lr high-lr "$1x$2: :sort params.lr asc: 0.01 first"
	tm_keys :
	tm_type "sort params.lr desc"
	tm_keys Enter
	expect_above high-lr low-lr "$1x$2: :sort params.lr desc: 0.5 first"
	tm_keys :
	tm_type "sort metrics.nosuch"
	tm_keys Enter
	expect "no column" "$1x$2: an unknown key is refused"
	tm_keys Q
	expect "EXITED 0" "$1x$2: Q quits"
	tmux -L "$TM_SOCK" kill-server
	sleep 0.2
done

# The ZWJ emoji: the row keeps the width of the others (80 cells = 78
# characters, the two emoji being 2 cells each), no joiner sent.
tm_start 80 24 TERM=xterm-256color
expect "3 of 3" "zwj: the runs screen opens"
zline=$(tm_screen | grep -F "dev-" | head -1)
assert_not_contains "$zline" "$ZWJ" "zwj: the joiner is not sent to the terminal"
assert_eq 78 "$(printf '%s' "$zline" | LC_ALL=C.UTF-8 wc -m | tr -d ' ')" \
	"zwj: the row is as wide as the others"

# "1 line", not "1 lines".
tm_keys :
tm_type "sort +auc"
tm_keys Enter
expect_above low-lr dev- "one line: sorted by auc"
tm_keys g Enter
expect "low-lr" "one line: the run opens"
tm_keys o
expect "1 line" "one line: singular"
expect_gone "1 lines" "one line: no '1 lines'"
tm_keys Escape
expect "3 of 3" "back"
tmux -L "$TM_SOCK" kill-server
sleep 0.2

# Q (and q) on the "too small" screen.
for k in Q q; do
	tm_start 19 5 TERM=xterm-256color
	expect "too small" "too small: says so"
	tm_keys "$k"
	expect "EXITED 0" "too small: $k quits"
	tmux -L "$TM_SOCK" kill-server
	sleep 0.2
done

# The filter prompt scrolled at 40 columns comes back after a resize.
tm_start 40 12 TERM=xterm-256color
expect "3 of 3" "resize: opens"
tm_keys f
tm_type "params.lr = '0.01' and metrics.loss < 0.9 and metrics.auc > 0.1"
expect_gone "filter: params" "resize: the long filter scrolls at 40 columns" 3
tmux -L "$TM_SOCK" resize-window -x 120 -y 24
expect "filter: params.lr = '0.01' and metrics.loss" "resize: the whole filter shows again"
tm_keys Escape
tmux -L "$TM_SOCK" kill-server
sleep 0.2

# NO_COLOR: the compare chart's axis is dim and nothing else (no bold
# or underline leaking from the series).
tm_start 100 30 NO_COLOR=1 TERM=xterm-256color
expect "3 of 3" "axis: opens"
tm_keys Space Space c
expect "compare" "axis: compare opens"
expect "step" "axis: the chart is drawn"
raw=$(tmux -L "$TM_SOCK" capture-pane -p -e)
assert_not_contains "$raw" "${ESC}[1;2m" "axis: no bold+dim cell"
assert_not_contains "$raw" "${ESC}[2;4m" "axis: no dim+underline cell"
assert_contains "$raw" "${ESC}[2m" "axis: dim is used"
tmux -L "$TM_SOCK" kill-server
sleep 0.2

# Models: the diff of two versions without git says "not recorded",
# not "(unknown)"; at 40x12 the detail pane shows in the lower box.
echo weights >model.bin
for id in $("$PLUMB" runs --ids | head -2); do
	"$PLUMB" model register churn --run "$id" --path model.bin >/dev/null
done
tm_start 80 24 TERM=xterm-256color
expect "3 of 3" "models: opens"
tm_keys M
expect "versions of churn" "models: M opens the registry"
tm_keys Tab Space Space d
expect "not recorded" "model diff: commits not recorded"
expect_gone "(unknown)" "model diff: no (unknown)"
tmux -L "$TM_SOCK" kill-server
sleep 0.2
tm_start 40 12 TERM=xterm-256color
expect "3 of 3" "models 40x12: opens"
tm_keys M
expect "versions of churn" "models 40x12: opens the registry"
bottom=$(tm_screen | sed -n 11p)
case "$bottom" in
"└"*|m*) ok ;;
*) fail "models 40x12: the box corner is clean: [$bottom]" ;;
esac
tm_keys Tab Enter
expect "[lineage churn v2]" "models 40x12: the lineage shows in the lower box"
expect "artifact" "models 40x12: with its lines"
tm_keys Tab Tab
expect "[versions of churn]" "models 40x12: Tab comes back to the versions"
tmux -L "$TM_SOCK" kill-server

done_testing
