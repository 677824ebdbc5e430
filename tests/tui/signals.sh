#!/bin/sh
# tests/tui/signals.sh - suspend and resume (C-z), and a clean terminal when plumb tui is ended by
# SIGTERM, SIGHUP or a crash (SIGSEGV): the full screen is left, the status is the signal's.
. "$top_srcdir/tests/tui/tmux.sh"

"$PLUMB" init -q
"$PLUMB" run -q -n one -- sh -c 'echo "metric loss 0.5" >&3'
"$PLUMB" run -q -n two -- sh -c 'echo "metric loss 0.4" >&3'

# start: a fresh session; $pid is plumb's.
start() {
	tmux -L "$TM_SOCK" kill-server >/dev/null 2>&1 || true
	sleep 0.1
	rm -f "$T/bench"
	tm_start 100 30 TERM=xterm-256color PLUMB_TUI_BENCH="$T/bench"
	expect "2 of 2" "$1: the TUI is up"
	pid=$(sed -n 's/^pid //p' "$T/bench" 2>/dev/null | head -1)
	[ -n "$pid" ] || fail "$1: plumb's pid is known"
}

# C-z under a shell with job control: stopped, the shell's prompt on a
# normal screen, then fg brings the full screen back, working.
tmux -L "$TM_SOCK" -f /dev/null new-session -d -x 100 -y 30 \
    "cd '$T' && TERM=xterm-256color PS1='PROMPT\$ ' sh -i"
tmux -L "$TM_SOCK" set-option -g status off >/dev/null
expect "PROMPT$" "C-z: an interactive shell"
tm_type "'$PLUMB'"
tm_keys Enter
expect "2 of 2" "C-z: plumb with no command opens the TUI on a terminal"
tm_keys C-z
expect "Stopped" "C-z: plumb is stopped"
expect_gone "2 of 2" "C-z: the normal screen is back while stopped"
tm_type fg
tm_keys Enter
expect "2 of 2" "C-z: fg brings the screen back"
tm_keys j Enter
expect "runs ▸" "C-z: keys work after resuming"
tm_keys C-c
expect_gone "runs ▸" "C-c quits from a sub-screen"
expect "PROMPT$" "C-c: back to the shell"

for sig in TERM HUP; do
	start "SIG$sig"
	kill -"$sig" "$pid"
	expect "EXITED" "SIG$sig: plumb ends"
	expect_gone "2 of 2" "SIG$sig: the full screen is left"
	case "$(tm_screen)" in
	*"EXITED $(( 128 + $(kill -l "$sig") ))"*) ok ;;
	*) fail "SIG$sig: the exit status is the signal's: $(tm_screen)" ;;
	esac
done

# A crash restores the terminal before the default (or sanitizer) handler.
start "SIGSEGV"
kill -SEGV "$pid"
expect "EXITED" "SIGSEGV: plumb ends"
expect_gone "2 of 2" "SIGSEGV: the full screen is left"
assert_not_contains "$(tm_screen)" "EXITED 0" "SIGSEGV: not a success"
# A run whose plumb process is killed -9 turns from running to lost on
# screen by itself (the TUI reaps every 10 s).
start "lost"
"$PLUMB" run -q -n doomed -- sh -c 'echo $$ >"'"$T"'/doomed.pid"; exec sleep 60' &
doomed=$!
expect "doomed" "lost: the run shows up"
expect "1 running" "lost: as running"
kill -9 "$doomed"
wait "$doomed" 2>/dev/null || true
kill "$(cat "$T/doomed.pid")" 2>/dev/null || true
expect "0 running" "lost: the dead run stops counting as running" 15
tm_keys g Enter
expect "lost" "lost: its screen says lost"
tm_keys q q
done_testing
