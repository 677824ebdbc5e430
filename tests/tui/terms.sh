#!/bin/sh
# tests/tui/terms.sh - the TUI on the terminals people have: vt100, linux, xterm-256color, screen,
# with and without NO_COLOR, UTF-8 and the C locale (ASCII), and TERM=dumb (falls back to the list).
. "$top_srcdir/tests/tui/tmux.sh"

ESC=$(printf '\033')
"$PLUMB" init -q
"$PLUMB" run -q -n ok-run -p model=gbm -- sh -c \
	'for i in 1 2 3 4; do echo "metric loss 0.$i step=$i" >&3; done'
"$PLUMB" run -q -n bad-run -p model=cnn -- sh -c 'exit 2' || true

# session NAME ENV...: open, open a run, back, quit; raw output in $T/raw-NAME.
session() {
	name=$1
	shift
	TM_RAW="$T/raw-$name"
	tm_start 100 30 "$@"
	expect "2 of 2" "$name: the runs screen opens"
	tm_keys G Enter
	expect "ok-run" "$name: a run opens"
	expect "loss" "$name: its metrics show"
	tm_keys Escape
	expect "2 of 2" "$name: back to the runs"
	screen_text=$(tm_screen)
	tm_keys q
	expect "EXITED 0" "$name: quits with status 0"
	tmux -L "$TM_SOCK" kill-server
	sleep 0.2
}

has_colour() {
	grep -q "${ESC}\[3[0-7]m\|${ESC}\[38;5;\|;3[0-7]m\|;38;5;" "$1"
}

session vt100 TERM=vt100
if has_colour "$T/raw-vt100"; then fail "vt100: no colours"; else ok; fi

session linux -u NO_COLOR TERM=linux
if has_colour "$T/raw-linux"; then ok; else fail "linux: 8 colours used"; fi

session xterm256 -u NO_COLOR TERM=xterm-256color
if has_colour "$T/raw-xterm256"; then ok; else fail "xterm-256color: colours used"; fi

session nocolor NO_COLOR=1 TERM=xterm-256color
if has_colour "$T/raw-nocolor"; then fail "NO_COLOR: no colours"; else ok; fi
assert_contains "$screen_text" "●" "UTF-8: status glyphs"

session ascii TERM=screen LC_ALL=C
assert_not_contains "$screen_text" "●" "C locale: no Unicode glyph"
assert_contains "$screen_text" "+  " "C locale: ASCII status glyph"
high=$(tr -d '\000-\177' <"$T/raw-ascii" | wc -c)
assert_eq 0 "$high" "C locale: only ASCII is written"

# TERM=dumb cannot address the cursor: the list is printed instead.
TM_RAW=
tm_start 100 30 TERM=dumb
expect "ok-run" "dumb: prints the runs"
expect "EXITED 0" "dumb: exits 0"
assert_contains "$(cat "$T/tui.stderr")" "cannot show the full-screen" \
	"dumb: says why on stderr"
done_testing
