#!/bin/sh
# tests/demo/demo-tui.sh - plumb demo --tui in tmux: the TUI opens on the monitor screen while the loop runs behind it, the drift alert shows up live, Q stops the loop; closing the terminal (SIGHUP) stops it too; nothing is left running or listening either way.
# Long, like demo.sh: run once, in the sanitizer suite of .ci/run.
if [ -n "${PLUMB_CI_PLAIN:-}" ]; then
	echo "SKIP: run in the sanitizer suite of .ci/run"
	exit 77
fi
. "$top_srcdir/tests/tui/tmux.sh"
: "${PYTHON3_SYS:=/usr/bin/python3}"
if ! "$PYTHON3_SYS" -c "import sklearn, prometheus_client, yaml, numpy" 2>/dev/null; then
	echo "SKIP: the demo needs python3-sklearn, python3-prometheus-client, python3-yaml and python3-numpy"
	exit 77
fi

# demo_start DIR: plumb demo --tui DIR in a 120x36 pane.
demo_start() {
	cat > "$T/run-$1.sh" <<EOS
cd '$T'
'$PLUMB' demo --tui '$1' 2>'$T/$1.stderr'
echo "EXITED \$?"
sleep 600
EOS
	tmux -L "$TM_SOCK" -f /dev/null new-session -d -x 120 -y 36 \
	    "sh '$T/run-$1.sh'"
	tmux -L "$TM_SOCK" set-option -g status off >/dev/null
}

# left DIR: processes whose command line names the demo's directory (the
# model server, the watcher, the load generator, the label writer).
left() {
	pgrep -f "$T/$1/" || :
}

# port_closed DIR (tests wait up to 30 s for it: the server, started with
# setsid, gets the demo's stop after the terminal is gone): no process of DIR's demo listens on its model server's
# port any more.  Another test's server may be given the same port once
# it is free (the suite runs in parallel), so a listener there counts only
# when its command line or working directory is in DIR (the model server
# runs as src/model-server.py from the workspace).
port_closed() {
	[ -s "$T/$1/run/port" ] || return 0
	"$PYTHON3_SYS" -c "
import os, sys
port, mark = int(open(sys.argv[1]).read()), sys.argv[2]
inodes = set()
for f in ('/proc/net/tcp', '/proc/net/tcp6'):
    try:
        rows = open(f).read().splitlines()[1:]
    except OSError:
        continue
    for r in rows:
        c = r.split()
        if int(c[1].rsplit(':', 1)[1], 16) == port and c[3] == '0A':
            inodes.add('socket:[%s]' % c[9])
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        fds = os.listdir('/proc/%s/fd' % pid)
        cmd = open('/proc/%s/cmdline' % pid, 'rb').read().decode(errors='replace')
        cmd += ' ' + os.readlink('/proc/%s/cwd' % pid) + '/'
    except OSError:
        continue
    for fd in fds:
        try:
            if os.readlink('/proc/%s/fd/%s' % (pid, fd)) in inodes and mark in cmd:
                sys.exit(1)
        except OSError:
            pass
sys.exit(0)" "$T/$1/run/port" "$T/$1/"
}

# --- Q: the alert fires on screen, then quitting stops everything ---
demo_start ws
expect "plumb ▸ monitor" "the TUI opens on the monitor screen" 120
expect "churn-api" "the demo's target is listed" 120
expect "ChurnInputDrift" "the drift alert shows up live, without a key" 240
expect "firing" "as firing" 30
tm_keys Q
expect "EXITED" "Q closes the TUI and the demo ends" 60
assert_contains "$(cat ws/run/demo.log)" "stop" "the loop's narration says it stopped"
i=0
while [ -n "$(left ws)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "" "$(left ws)" "no process of the demo left after Q"
i=0
while ! port_closed ws && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
port_closed ws && ok || fail "the model server's port still listens"
tmux -L "$TM_SOCK" kill-server 2>/dev/null || :

# --- SIGHUP: the terminal goes away mid-loop ---
demo_start ws2
expect "plumb ▸ monitor" "second demo: the monitor" 120
i=0
while ! [ -s ws2/run/port ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
[ -s ws2/run/port ] && ok || fail "the second demo never started its server"
tmux -L "$TM_SOCK" kill-server
i=0
while [ -n "$(left ws2)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq "" "$(left ws2)" "no process of the demo left after the terminal closed"
i=0
while ! port_closed ws2 && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
port_closed ws2 && ok || fail "the second server's port still listens"
done_testing
