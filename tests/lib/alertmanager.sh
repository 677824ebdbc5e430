#!/bin/sh
# tests/lib/alertmanager.sh - a private Prometheus Alertmanager (Debian's prometheus-alertmanager) on loopback, in one directory, stopped by its pid.
#
# Sourced by the tests, or run by hand:
#   sh tests/lib/alertmanager.sh start DIR [WEBHOOK_URL]
#   sh tests/lib/alertmanager.sh stop DIR
# Sourced, it defines:
#   am_start DIR [WEBHOOK_URL]
#       writes DIR/am.yml (one route to one receiver: a webhook to
#       WEBHOOK_URL with send_resolved, or none; group_wait and
#       group_interval 1s so a test sees notifications at once), starts
#       the daemon on 127.0.0.1 and a free port, clustering off, its
#       data in DIR/data, and waits until /-/ready answers.  Sets AM_URL
#       (http://127.0.0.1:PORT) and AM_PID.  Returns 0 when it is up;
#       77 (the automake skip status) with the reason in $AM_SKIP only
#       when the binary is not installed; 1 with $AM_SKIP when it is
#       installed but did not start (a failure, not a skip).
#   am_stop DIR
#       SIGTERM to the pid it started (DIR/am.pid), SIGKILL after 5 s.

: "${PYTHON3_SYS:=/usr/bin/python3}"
AM_BIN=${AM_BIN:-prometheus-alertmanager}

am_start() {
	local D hook port i
	D=$1
	hook=${2:-}
	AM_SKIP=
	command -v "$AM_BIN" >/dev/null 2>&1 || {
		AM_SKIP="no $AM_BIN (Debian package prometheus-alertmanager; .ci/install-deps installs it)"
		return 77
	}
	mkdir -p "$D/data" || return 1
	{
		echo "route:"
		echo "  receiver: sink"
		echo "  group_by: [alertname]"
		echo "  group_wait: 1s"
		echo "  group_interval: 1s"
		echo "  repeat_interval: 1h"
		echo "receivers:"
		echo "- name: sink"
		if [ -n "$hook" ]; then
			echo "  webhook_configs:"
			echo "  - url: '$hook'"
			echo "    send_resolved: true"
		fi
	} > "$D/am.yml"
	# a free loopback port (the kernel's pick, released at once)
	port=$("$PYTHON3_SYS" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$AM_BIN" --config.file="$D/am.yml" --storage.path="$D/data" \
	    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
	    --log.level=warn > "$D/am.log" 2>&1 &
	AM_PID=$!
	echo "$AM_PID" > "$D/am.pid"
	AM_URL="http://127.0.0.1:$port"
	i=0
	until curl -fsS "$AM_URL/-/ready" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! kill -0 "$AM_PID" 2>/dev/null; then
			AM_SKIP="$AM_BIN did not start: $(tail -3 "$D/am.log")"
			am_stop "$D"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

am_stop() {
	local D p i
	D=$1
	[ -f "$D/am.pid" ] || return 0
	p=$(cat "$D/am.pid")
	kill "$p" 2>/dev/null || :
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$p" 2>/dev/null || :
	wait "$p" 2>/dev/null || :
	rm -f "$D/am.pid"
}

case "$0" in
*/lib/alertmanager.sh | lib/alertmanager.sh)
	case "${1:-}" in
	start) am_start "$2" "${3:-}" && echo "$AM_URL" ;;
	stop) am_stop "$2" ;;
	*) echo "usage: $0 start DIR [WEBHOOK_URL] | stop DIR" >&2; exit 2 ;;
	esac
	;;
esac
