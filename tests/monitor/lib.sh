# tests/monitor/lib.sh - helpers of the plumb watch tests: the example model server on loopback, its load, labels, a plumb.yaml.
# Sourced after tests/lib.sh (which made $T the working directory).

: "${PYTHON3_SYS:=/usr/bin/python3}"
EX="$top_srcdir/examples"
PIDS=""

# Every process a test starts is stopped by its pid on exit.
cleanup_pids() {
	for p in $PIDS; do kill "$p" 2>/dev/null || :; done
	for p in $PIDS; do wait "$p" 2>/dev/null || :; done
	cd /
	rm -rf "$T"
}
trap cleanup_pids EXIT INT TERM

# start_server: the example model server on 127.0.0.1, a free port; sets
# PORT and SRV (its pid); logs to logs/predictions.jsonl.
start_server() {
	mkdir -p logs
	rm -f port
	"$PYTHON3_SYS" "$EX/model-server.py" --port 0 --port-file port \
		--log logs/predictions.jsonl > server.out 2>&1 &
	SRV=$!
	PIDS="$PIDS $SRV"
	i=0
	while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s port ] || { cat server.out >&2; fail "the model server did not start"; exit 1; }
	PORT=$(cat port)
}

# load N [ARGS...]: N requests to the server (ids PREFIX-SEQ).
load() {
	n=$1; shift
	"$PYTHON3_SYS" "$EX/load-gen.py" --url "http://127.0.0.1:$PORT" -n "$n" "$@" > load.out 2>&1 ||
		{ cat load.out >&2; fail "load-gen failed"; }
}

labels() {
	"$PYTHON3_SYS" "$EX/label-writer.py" --predictions logs/predictions.jsonl \
		--out logs/labels.csv "$@" > labels.out 2>&1 ||
		{ cat labels.out >&2; fail "label-writer failed"; }
}

# write_config [INTERVAL]: plumb.yaml watching the server's logs.
write_config() {
	cat > plumb.yaml <<YAML
monitor:
  interval: ${1:-1s}
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
      labels: {path: logs/labels.csv, label: label}
      drift: {reference: ref.csv, min_rows: 20}
YAML
	[ -f ref.csv ] || "$PYTHON3_SYS" "$EX/load-gen.py" --reference ref.csv -n 500 > /dev/null
}

# status_json EXPR: evaluates a Python expression over `plumb monitor status
# --json` (j; t is its first target) and prints it.
status_json() {
	"$PLUMB" monitor status --json > status.json
	"$PYTHON3_SYS" -c "import json,sys; j=json.load(open('status.json')); t=j['targets'][0]; print($1)"
}

# wait_for FILE TEXT [TENTHS]: waits until FILE holds TEXT.
wait_for() {
	i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null && [ $i -lt "${3:-100}" ]; do
		sleep 0.1; i=$((i + 1))
	done
	grep -q -- "$2" "$1"
}

# watch_start LOG TEXT [ARGS...]: `plumb watch --interval 1s ARGS` in the
# background, its output in LOG, its pid in W (stopped on exit with the
# others of PIDS); waits until LOG holds TEXT, a failed check if it never
# does.
watch_start() {
	_log=$1 _text=$2
	shift 2
	"$PLUMB" watch --interval 1s "$@" > "$_log" 2>&1 &
	W=$!
	PIDS="$PIDS $W"
	wait_for "$_log" "$_text" || fail "watcher did not start: $(cat "$_log")"
}

# unique_ids FILE...: distinct ids of the well-formed prediction lines
# (numeric features) of the logs given.
unique_ids() {
	cat "$@" 2>/dev/null | "$PYTHON3_SYS" -c '
import json, sys
ids = set()
for line in sys.stdin:
    try:
        r = json.loads(line)
    except ValueError:
        continue
    f = r.get("features") if isinstance(r, dict) else None
    if isinstance(f, dict) and all(isinstance(v, (int, float)) for v in f.values()):
        ids.add(r["id"])
print(len(ids))'
}
