#!/bin/sh
# tests/tui/escape.sh - escape sequences in a run's name, params, tags and logs never reach the
# terminal through the TUI: everything plumb writes to the pane is recorded raw (pipe-pane) and
# searched for the payloads, in a UTF-8 and in the C locale.
. "$top_srcdir/tests/tui/tmux.sh"

ESC=$(printf '\033')
BEL=$(printf '\007')
C1CSI=$(printf '\302\233')	# U+009B, the 8-bit CSI, as UTF-8
C1OSC=$(printf '\302\235')	# U+009D, the 8-bit OSC
RAWCSI=$(printf '\233')		# a lone 0x9B byte (invalid UTF-8)

"$PLUMB" init -q
"$PLUMB" run -q -e "exp${ESC}[2J" -n "evil${ESC}]0;PWNTITLE${BEL}name" \
	-p "model=${ESC}[2J${ESC}[31mREDPARAM" -p "lr=0.1" \
	-t "note=${ESC}P+qDCSMARK${ESC}\\" -- sh -c "
	printf 'metric loss 0.5\n' >&3
	printf 'param c1 ${C1CSI}31mC1PARAM\n' >&3
	printf 'tag osc ${C1OSC}0;C1TITLE${BEL}\n' >&3
	printf 'out ${ESC}]0;LOGTITLE${BEL} ${ESC}[2J${ESC}[31mREDLOG\n'
	printf 'out ${RAWCSI}31mRAWC1 ${C1CSI}32mC1LOG ${ESC}P1;2DCSLOG${ESC}\\\\\n'
	printf 'err ${ESC}]52;c;Y2xpcA==${BEL}CLIPLOG ${ESC}[6n\n' >&2"
"$PLUMB" run -q -n plain -p model=cnn -p lr=0.2 -- sh -c 'echo "metric loss 0.4" >&3'

# check_raw FILE LABEL: no payload sequence is in what the pane received.
check_raw() {
	raw=$(od -An -c "$1" | tr -s ' \n' '  ')
	hex=$(od -An -tx1 "$1" | tr -s ' \n' '  ')
	for p in "033 ] 0 ; P W N" "033 ] 0 ; L O G" "033 P + q D C S" \
	    "033 P 1 ; 2 D C S" "033 ] 5 2" "033 [ 6 n" "033 [ 3 1 m R E D" \
	    "033 [ 3 2 m C 1"; do
		case "$raw" in
		*"$p"*) fail "$2: the raw sequence [$p] reached the terminal" ;;
		*) ok ;;
		esac
	done
	for p in " c2 9b" " c2 9d" " 9b 33 31 6d 52 41 57"; do
		case "$hex" in
		*"$p"*) fail "$2: C1 control [$p] reached the terminal" ;;
		*) ok ;;
		esac
	done
	case "$raw" in
	*"P W N T I T L E"*) ok ;;
	*) fail "$2: the run's name was not drawn at all" ;;
	esac
}

# visit: the list, the run (attributes, params, tags), stdout, stderr,
# compare.  Every payload gets painted somewhere.
visit() {
	expect "evil^[]0;PWNTITLE^Gname" "$1: the name is shown in visible form"
	tm_keys G Enter
	expect "REDPARAM" "$1: the param is shown"
	tm_keys o
	expect "REDLOG" "$1: stdout is shown"
	tm_keys E
	expect "CLIPLOG" "$1: stderr is shown"
	tm_keys Escape g Space Space c
	expect "compare" "$1: compare shows both"
	tm_keys Escape q
	expect "EXITED 0" "$1: quits cleanly"
}

TM_RAW="$T/raw-utf8"
tm_start 160 45 TERM=xterm-256color LC_ALL=C.UTF-8
visit "UTF-8"
check_raw "$TM_RAW" "UTF-8"
# The raw stream is valid UTF-8 (no lone C1 byte, nothing cut).
if iconv -f UTF-8 -t UTF-8 "$TM_RAW" >/dev/null 2>&1; then ok; else
	fail "UTF-8: the terminal received invalid UTF-8"
fi
title=$(tmux -L "$TM_SOCK" display-message -p '#{pane_title}')
assert_not_contains "$title" "TITLE" "UTF-8: the pane title was not set by a run"
tmux -L "$TM_SOCK" kill-server
sleep 0.2

TM_RAW="$T/raw-c"
tm_start 160 45 TERM=xterm-256color LC_ALL=C
visit "C locale"
check_raw "$TM_RAW" "C locale"
# ASCII mode: not one byte above 0x7f reaches the terminal.
high=$(tr -d '\000-\177' <"$TM_RAW" | wc -c)
assert_eq 0 "$high" "C locale: only ASCII is written"
done_testing
