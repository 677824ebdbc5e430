# tests/lib.sh - helpers sourced by the shell tests: a temp workspace and assertions.
set -eu

: "${PLUMB:?PLUMB must name the plumb binary (make check sets it)}"
: "${top_srcdir:=.}"

T=$(mktemp -d "${TMPDIR:-/tmp}/plumb-test.XXXXXX")
trap 'cd /; rm -rf "$T"' EXIT INT TERM
cd "$T"
unset PLUMB_STORE PLUMB_RUN_ID PLUMB_FD PLUMB_EXPERIMENT
export NO_COLOR=1 LC_ALL=C.UTF-8 COLUMNS=200
failures=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

ok() {
	checks=$((checks + 1))
}

# assert_eq EXPECTED ACTUAL MESSAGE
assert_eq() {
	if [ "$1" = "$2" ]; then ok; else fail "$3: expected [$1], got [$2]"; fi
}

# assert_contains HAYSTACK NEEDLE MESSAGE
assert_contains() {
	case "$1" in
	*"$2"*) ok ;;
	*) fail "$3: [$2] not in [$1]" ;;
	esac
}

assert_not_contains() {
	case "$1" in
	*"$2"*) fail "$3: [$2] unexpectedly in [$1]" ;;
	*) ok ;;
	esac
}

# assert_status EXPECTED MESSAGE -- CMD...: runs CMD, compares its exit status.
assert_status() {
	want=$1; msg=$2; shift 3
	set +e
	"$@" >"$T/.out" 2>"$T/.err"
	got=$?
	set -e
	if [ "$got" = "$want" ]; then ok; else
		fail "$msg: exit $got, expected $want; stderr: $(cat "$T/.err")"
	fi
}

done_testing() {
	echo "$checks checks, $failures failures"
	[ "$failures" = 0 ]
}
