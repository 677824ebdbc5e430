# tests/monitor/source-lib.sh - helpers of the monitor source tests: the source driver, loopback servers stopped by pid.
. "${top_srcdir:-.}/tests/lib.sh"

PY=${PYTHON3_SYS:-/usr/bin/python3}
DRIVE="$top_builddir/tests/engine/monitor/source-drive"
PIDS=""

mon_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	cd /
	rm -rf "$T"
}
trap mon_cleanup EXIT
trap 'exit 1' INT TERM

# wait_file FILE: waits (up to 30 s) until FILE exists and is not empty.
wait_file() {
	_i=0
	while [ ! -s "$1" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 600 ]; then
			echo "timeout waiting for $1" >&2
			return 1
		fi
		sleep 0.05
	done
}

# fake MODE NAME [ARGS]: starts tests/monitor/fake-server.py in MODE on a
# free loopback port, written to $T/NAME.port.
fake() {
	_mode=$1 _name=$2
	shift 2
	"$PY" "$top_srcdir/tests/monitor/fake-server.py" "$_mode" \
	    --port-file "$T/$_name.port" "$@" &
	PIDS="$PIDS $!"
	wait_file "$T/$_name.port"
}

# model_server NAME: the example model server on a free port
# ($T/NAME.port), its pid in $T/NAME.pid, its log under $T/NAME-logs.
model_server() {
	"$PY" "$top_srcdir/examples/model-server.py" --port 0 \
	    --port-file "$T/$1.port" --pidfile "$T/$1.pid" \
	    --log "$T/$1-logs/predictions.jsonl" >/dev/null &
	PIDS="$PIDS $!"
	wait_file "$T/$1.port"
	wait_file "$T/$1.pid"
}

# free_port: a loopback port nothing listens on (bound then released).
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# val FILE SERIES: the value of the sample line for SERIES (exactly as
# printed, e.g. 'up{target="api"}'), empty when absent.
val() {
	awk -v s="$2" '$1 == "sample" && $4 == s { print $5; exit }' "$1"
}

# state FILE KEY: "STATE DETAIL" of the state line for KEY.
state() {
	awk -v k="$2" '$1 == "state" && $4 == k { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print; exit }' "$1"
}

# elapsed FILE TARGET KIND: the poll's milliseconds (integer part).
elapsed() {
	awk -v t="$2" -v k="$3" '$1 == "elapsed" && $2 == t && $3 == k { split($4, a, "."); print a[1]; exit }' "$1"
}

# wait_http URL: waits (up to 30 s) until URL answers at all.
wait_http() {
	"$PY" - "$1" <<'PYEOF'
import sys, time, urllib.request, urllib.error
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2).read()
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("no answer from " + sys.argv[1])
PYEOF
}

# post URL JSON: POSTs a JSON body (the model server's /admin, /predict).
post() {
	"$PY" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST")).read()' "$1" "$2"
}
