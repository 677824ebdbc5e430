# tests/registry/common.sh - shared setup of the registry shell tests: the common test helpers
# (tests/lib.sh: a temp workspace, assertions) plus JSON access and a training helper.
. "$top_srcdir/tests/lib.sh"
unset SSH_CLIENT SSH_CONNECTION
DATA="$top_srcdir/tests/data/registry"

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
