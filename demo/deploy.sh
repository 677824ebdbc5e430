#!/bin/sh
# deploy.sh - the demo's deploy command (plumb.yaml deploy:): replaces the running model server by one serving $PLUMB_MODEL_PATH.
# plumb model promote runs it with PLUMB_MODEL_NAME, PLUMB_MODEL_VERSION
# and PLUMB_MODEL_PATH set, in the workspace.  The server gets the port
# of the previous one (run/port), or a free one the first time (--port 0);
# it runs in its own session with its output in logs/server.log, so it
# outlives this script and never holds plumb's output pipe.  Its pid is
# in run/server.pid: that is how the demo stops it.
set -eu
PY=${PLUMB_DEMO_PYTHON:-/usr/bin/python3}
mkdir -p run logs
old=$(cat run/server.pid 2>/dev/null || :)
if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
	echo "deploy: stopping the server of the previous version (pid $old)"
	kill "$old"
	i=0
	while kill -0 "$old" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi
port=$(cat run/port 2>/dev/null || echo 0)
cp "$PLUMB_MODEL_PATH" run/model.json.tmp && mv run/model.json.tmp run/model.json
rm -f run/server.pid
start() {
	setsid "$PY" src/model-server.py --port "$1" --port-file run/port \
		--pidfile run/server.pid --log logs/predictions.jsonl \
		--model run/model.json --model-name "$PLUMB_MODEL_NAME" \
		--model-version "$PLUMB_MODEL_VERSION" \
		>> logs/server.log 2>&1 < /dev/null 3>&- &
	i=0
	while [ ! -s run/server.pid ] && [ $i -lt 100 ]; do
		kill -0 $! 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	[ -s run/server.pid ]
}
if ! start "$port"; then
	# the port was taken meanwhile: any free one (the demo's monitor
	# section follows run/port when it is written)
	[ "$port" = 0 ] && { tail -3 logs/server.log >&2; exit 1; }
	echo "deploy: port $port is taken, asking for a free one" >&2
	start 0 || { tail -3 logs/server.log >&2; exit 1; }
fi
echo "server $(cat run/server.pid)" >> run/pids.log	# every pid (tests)
echo "deploy: $PLUMB_MODEL_NAME v$PLUMB_MODEL_VERSION serving on http://127.0.0.1:$(cat run/port) (pid $(cat run/server.pid))"
