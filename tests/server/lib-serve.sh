# tests/server/lib-serve.sh - plumb serve for the server tests: start on a free port, wait for its start line, stop; sourced after tests/lib.sh.
#
# Sourcing installs an EXIT trap that stops the server and removes $T; a
# test with more processes to reap sets its own trap afterwards.

srvpid= URL= PORT=

# serve_stop: stops the server serve_start started, if it still runs.  It
# must exit 0 on SIGTERM: anything else (a crash, a leak reported by the
# sanitizers at exit) is a failed check.
serve_stop() {
	[ -n "$srvpid" ] || return 0
	kill "$srvpid" 2>/dev/null || true
	_st=0
	wait "$srvpid" 2>/dev/null || _st=$?
	srvpid=
	[ "$_st" = 0 ] || fail "plumb serve exited with status $_st when stopped: $(tail -5 "${_log:-serve.log}" 2>/dev/null)"
}
trap 'serve_stop; cd /; rm -rf "$T"' EXIT INT TERM

# serve_start [--log FILE] ARGS...: runs `plumb serve --port 0 ARGS` in the
# background, stderr to FILE (default serve.log), and waits up to 30 s
# (a sanitizer build on a loaded machine) for its "listening on" line.
# Sets srvpid, URL (http[s]://HOST:PORT) and
# PORT.  If the server exits or never says where it listens: a failed
# check with its log, and status 1 (callers at top level then stop with
# `|| { done_testing; exit 1; }`).
serve_start() {
	_log=serve.log
	if [ "${1:-}" = --log ]; then
		_log=$2
		shift 2
	fi
	"$PLUMB" serve --port 0 "$@" 2> "$_log" &
	srvpid=$!
	_n=0
	while ! grep -q "listening on" "$_log" && [ $_n -lt 600 ]; do
		kill -0 "$srvpid" 2>/dev/null || break
		sleep 0.05; _n=$((_n + 1))
	done
	URL=$(sed -n 's|.*listening on \(https*://[^ ]*\)/ .*|\1|p' "$_log")
	PORT=${URL##*:}
	[ -n "$URL" ] || { fail "serve did not start: $(cat "$_log")"; return 1; }
}
