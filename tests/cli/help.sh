#!/bin/sh
# tests/cli/help.sh - every command has --help; usage errors exit 2; version.
. "$top_srcdir/tests/lib.sh"

out=$("$PLUMB" --help)
assert_contains "$out" "usage: plumb" "plumb --help"
for cmd in $("$PLUMB" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}'); do
	out=$("$PLUMB" "$cmd" --help) || fail "plumb $cmd --help failed"
	assert_contains "$out" "usage: plumb $cmd" "plumb $cmd --help"
	out=$("$PLUMB" help "$cmd" 2>&1 || true)
done
assert_status 2 "unknown command" -- "$PLUMB" frobnicate
assert_contains "$(cat "$T/.err")" "unknown command 'frobnicate'" "unknown command message"
assert_status 2 "bad option" -- "$PLUMB" runs --no-such-option
assert_status 2 "run without command" -- "$PLUMB" run
assert_status 0 "version" -- "$PLUMB" --version
assert_contains "$(cat "$T/.out")" "plumb " "version text"
# no command and not a TTY: usage on stderr, status 2
assert_status 2 "bare plumb off a tty" -- "$PLUMB"
done_testing
