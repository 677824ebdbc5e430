# tests/registry/common.sh - shared setup of the registry shell tests: helpers, a workspace with two trained runs.
# Sourced after tests/lib.sh would be; self-contained so that it does not
# depend on other areas' helpers.
set -eu

: "${PLUMB:?PLUMB must name the plumb binary (make check sets it)}"
: "${top_srcdir:=.}"

T=$(mktemp -d "${TMPDIR:-/tmp}/plumb-reg.XXXXXX")
trap 'cd /; rm -rf "$T"' EXIT INT TERM
cd "$T"
unset PLUMB_STORE PLUMB_RUN_ID PLUMB_FD PLUMB_EXPERIMENT SSH_CLIENT SSH_CONNECTION
export NO_COLOR=1 LC_ALL=C.UTF-8 COLUMNS=200
DATA="$top_srcdir/tests/data/registry"
failures=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

ok() {
	checks=$((checks + 1))
}

assert_eq() {
	if [ "$1" = "$2" ]; then ok; else fail "$3: expected [$1], got [$2]"; fi
}

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

# assert_status EXPECTED MESSAGE -- CMD...: runs CMD; stdout in $T/.out,
# stderr in $T/.err.
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

# json_get EXPR: evaluates a Python expression on the JSON read from
# stdin (bound to j); prints the result.
json_get() {
	"${PYTHON3_SYS:-/usr/bin/python3}" -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# train ACC LATENCY [LR]: a tracked training run writing model.bin;
# prints the run id.
train() {
	"$PLUMB" run -q -- sh "$DATA/train.sh" model.bin "$@" >/dev/null 2>&1
	"$PLUMB" runs --limit 1 --json | json_get 'j[0]["id"]'
}
