# tests/tui/tmux.sh - sourced by the TUI tests: drive `plumb tui` in a private tmux server.
#
# tm_start W H [ENV=VALUE...]   starts plumb tui in a W x H pane (env applied)
# tm_keys KEY...                send-keys (tmux key names: Enter, Escape, C-u)
# tm_type TEXT                  send TEXT literally
# tm_wait TEXT [SECONDS]        poll the screen until TEXT shows (default 10 s)
# tm_gone TEXT [SECONDS]        poll until TEXT is no longer shown
# tm_screen                     print the screen (capture-pane -p)
# The pane prints "EXITED <status>" when plumb ends.  The server (socket
# plumbtest<pid>) is killed on exit, whatever happens.
. "$top_srcdir/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed"
	exit 77
fi

TM_SOCK=plumbtest$$
TM_T="$T"
tm_cleanup() {
	tmux -L "$TM_SOCK" kill-server >/dev/null 2>&1 || true
	# The server may leave its socket file behind.
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TM_SOCK"
	cd /
	rm -rf "$TM_T"
}
trap tm_cleanup EXIT INT TERM

# ncurses keeps a few allocations until exit: not ours to free.
# Slow unwinding names the library of every allocation (ncurses has no
# frame pointers), so the suppressions match.
LSAN_OPTIONS="suppressions=$top_srcdir/tests/tui/lsan.supp:print_suppressions=0"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export LSAN_OPTIONS ASAN_OPTIONS
unset TMUX
# :columns is remembered under the user's config: not the real one.
XDG_CONFIG_HOME="$T/config"
export XDG_CONFIG_HOME

tm_start() {
	tm_w=$1 tm_h=$2
	shift 2
	# The pane waits for "go" so that pipe-pane can be attached first.
	cat >"$T/tm-run.sh" <<EOS
cd '$T'
while [ ! -f '$T/go' ]; do sleep 0.02; done
env $* '$PLUMB' tui 2>'$T/tui.stderr'
echo "EXITED \$?"
sleep 600
EOS
	rm -f "$T/go"
	tmux -L "$TM_SOCK" -f /dev/null new-session -d -x "$tm_w" -y "$tm_h" \
	    "sh '$T/tm-run.sh'"
	tmux -L "$TM_SOCK" set-option -g status off >/dev/null
	if [ -n "${TM_RAW:-}" ]; then
		tmux -L "$TM_SOCK" pipe-pane -o "cat >>'$TM_RAW'"
	fi
	touch "$T/go"
}

tm_keys() {
	tmux -L "$TM_SOCK" send-keys "$@"
}

tm_type() {
	tmux -L "$TM_SOCK" send-keys -l -- "$1"
}

tm_screen() {
	tmux -L "$TM_SOCK" capture-pane -p
}

# tm_wait TEXT [SECONDS]: 0 when TEXT shows up in time.
tm_wait() {
	tm_n=$(( ${2:-10} * 20 ))
	while [ "$tm_n" -gt 0 ]; do
		case "$(tm_screen)" in
		*"$1"*) return 0 ;;
		esac
		sleep 0.05
		tm_n=$((tm_n - 1))
	done
	return 1
}

tm_gone() {
	tm_n=$(( ${2:-10} * 20 ))
	while [ "$tm_n" -gt 0 ]; do
		case "$(tm_screen)" in
		*"$1"*) ;;
		*) return 0 ;;
		esac
		sleep 0.05
		tm_n=$((tm_n - 1))
	done
	return 1
}

# expect TEXT MESSAGE [SECONDS]: an assertion on the screen.
expect() {
	if tm_wait "$1" "${3:-10}"; then
		ok
	else
		fail "$2: [$1] not on screen:
$(tm_screen)"
	fi
}

expect_gone() {
	if tm_gone "$1" "${3:-10}"; then
		ok
	else
		fail "$2: [$1] still on screen:
$(tm_screen)"
	fi
}

# line_of TEXT: the screen line number where TEXT first shows (0: none).
line_of() {
	tm_screen | grep -n -F -- "$1" | head -1 | cut -d: -f1 | grep . || echo 0
}
