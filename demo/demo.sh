#!/bin/sh
# demo.sh - plumb demo's orchestration: the whole MLOps loop with real components, narrated, in a fresh workspace.
#
# Run by `plumb demo` (cli/cmd-demo.c), which parses the options and sets:
#   PLUMB             the plumb binary to run (the one that started us)
#   PLUMB_DEMO_PYTHON the Debian python3 (configure's PYTHON3_SYS)
#   PLUMB_DEMO_SRC    this directory (churn.py, the stage scripts...)
#   PLUMB_DEMO_EXAMPLES  examples/ (model-server.py, load-gen.py, label-writer.py)
#   DEMO_DIR DEMO_FORCE DEMO_REALTIME DEMO_TUI DEMO_KEEP   the options
#
# Contract: every plumb command run is printed as the user would type it
# (in the workspace); no wait is silent for more than 2 s; every process
# started (model server, watcher, load generator, label writer) is
# stopped by its pid on exit, Ctrl-C or SIGTERM (unless --keep at a
# successful end), and the server's port is checked closed; a failed
# step stops the demo with the step, the command and its last lines.
# The figures narrated come from plumb's --json outputs, never assumed.
set -u

: "${PLUMB:?}" "${PLUMB_DEMO_PYTHON:?}" "${PLUMB_DEMO_SRC:?}" "${PLUMB_DEMO_EXAMPLES:?}"
: "${DEMO_DIR:=plumb-demo}" "${DEMO_FORCE:=0}" "${DEMO_REALTIME:=0}" "${DEMO_TUI:=0}" "${DEMO_KEEP:=0}"
PY=$PLUMB_DEMO_PYTHON
export PLUMB_DEMO_PYTHON
unset PLUMB_STORE PLUMB_RUN_ID PLUMB_FD PLUMB_EXPERIMENT
T0=$(date +%s)
STEP=0
STEP_TITLE="setting up"
STEP_START=$(date +%s)
PIDS=""			# "name:pid ..." of what we started
FINISHED=0
PORT=""
ME=$$

# ---- output -----------------------------------------------------------

elapsed() { echo $(($(date +%s) - T0)); }
say() {			# one narration line
	printf '\n[%d/8 %3ss] %s\n' "$STEP" "$(elapsed)" "$*"
}
note() { printf '        %s\n' "$*"; }
step() {
	[ "$STEP" -gt 0 ] && printf '%s\t%s\t%s\n' "$STEP" "$(($(date +%s) - STEP_START))" "$STEP_TITLE" >> run/durations
	STEP=$1; shift
	STEP_TITLE=$*
	printf '\n== Step %d/8: %s\n' "$STEP" "$*"
	STEP_START=$(date +%s)
}

# show ARGS...: how the user would type it (plumb, not its full path).
show() {
	out="  \$"
	for a in "$@"; do
		[ "$a" = "$PLUMB" ] && a=plumb
		case $a in
		*[!A-Za-z0-9_./:@=,+-]*|'') a="'$a'" ;;
		esac
		out="$out $a"
	done
	printf '%s\n' "$out"
}

# fail_step COMMAND-TEXT: stops the demo with the step, the command and
# the last lines of its output (run/.out).
fail_step() {
	printf '\nplumb demo: step %d (%s) failed: %s\n' "$STEP" "$STEP_TITLE" "$1" >&2
	if [ -s run/.out ]; then
		echo "its last lines:" >&2
		tail -n 15 run/.out | sed 's/^/  | /' >&2
	fi
	exit 1
}

# run ARGS...: prints the command, runs it with its output indented (as
# it comes: no silent wait), fails the step on a non-zero status.
run() {
	show "$@"
	{ "$@" 2>&1; echo $? > run/.rc; } < /dev/null | tee run/.out | sed -u 's/^/    /'
	rc=$(cat run/.rc)
	[ "$rc" = 0 ] || fail_step "$(show "$@" | sed 's/^  \$ //') exited with status $rc"
}

# run_quiet ARGS...: the same, output kept in run/.out only.
run_quiet() {
	show "$@"
	"$@" > run/.out 2>&1 < /dev/null ||
		fail_step "$(show "$@" | sed 's/^  \$ //') exited with status $?"
}

# json_get EXPR ARGS...: runs plumb ARGS... (--json) and prints the Python
# expression EXPR over its output (j).
json_get() {
	expr=$1; shift
	"$PLUMB" "$@" > run/.json 2> run/.jerr || { echo "?"; return 1; }
	"$PY" -c "import json,sys
j=json.load(open('run/.json'))
print($expr)" 2>/dev/null || echo "?"
}

# live: one line of figures from the store.
live() {
	"$PLUMB" monitor status --json > run/.status 2>/dev/null || :
	"$PLUMB" alerts --json > run/.alerts 2>/dev/null || :
	"$PY" "$PLUMB_DEMO_SRC/live.py" run/.status run/.alerts
}

# wait_until TIMEOUT WHAT TEST...: polls TEST (a shell command) every
# half second, printing a live line every 2 s; fails the step at TIMEOUT.
wait_until() {
	limit=$1 what=$2; shift 2
	w0=$(date +%s) last=0
	note "waiting for $what (at most ${limit}s)"
	while :; do
		if "$@" > /dev/null 2>&1; then
			note "$(($(date +%s) - w0))s: $(live)"
			return 0
		fi
		now=$(date +%s)
		if [ $((now - w0)) -ge "$limit" ]; then
			note "$(live)"
			: > run/.out
			[ -f logs/watch.log ] && tail -n 15 logs/watch.log > run/.out
			fail_step "no $what after ${limit}s (the watcher's last lines follow)"
		fi
		if [ $((now - last)) -ge 2 ]; then
			note "$((now - w0))s: $(live)"
			last=$now
		fi
		sleep 0.5
	done
}

# ---- processes ----------------------------------------------------------

# start NAME LOGFILE CMD...: starts CMD in the background, records its pid.
start() {
	name=$1 log=$2; shift 2
	"$@" >> "$log" 2>&1 < /dev/null &
	pid=$!
	PIDS="$PIDS $name:$pid"
	echo "$pid" > "run/$name.pid"
	echo "$name $pid" >> run/pids.log	# every pid ever started (tests)
}

pid_of() {
	for e in $PIDS; do
		[ "${e%%:*}" = "$1" ] && { echo "${e#*:}"; return 0; }
	done
	return 1
}

# stop NAME: SIGTERM to the process, SIGKILL after 5 s.
stop() {
	p=$(pid_of "$1") || return 0
	if kill -0 "$p" 2>/dev/null; then
		kill "$p" 2>/dev/null
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		echo "stopped the $1 (pid $p)"
	fi
	rm -f "run/$1.pid"
	PIDS=$(for e in $PIDS; do [ "${e%%:*}" = "$1" ] || printf ' %s' "$e"; done)
}

# The model server is started by the deploy command (src/deploy.sh),
# by a promotion or by a trigger: its pid is in run/server.pid.
stop_server() {
	p=$(cat run/server.pid 2>/dev/null) || return 0
	[ -n "$p" ] || return 0
	if kill -0 "$p" 2>/dev/null; then
		kill "$p" 2>/dev/null
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
		echo "stopped the model server (pid $p)"
	fi
	rm -f run/server.pid
}

port_closed() {
	"$PY" -c "
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(('127.0.0.1', int(sys.argv[1]))) != 0 else 1)" "$1"
}

cleanup() {
	code=$?
	trap - INT TERM EXIT
	[ "$$" = "$ME" ] || exit "$code"
	[ -d run ] || exit "$code"
	if [ "$FINISHED" = 1 ] && [ "$DEMO_KEEP" = 1 ]; then
		echo
		echo "--keep: still running (their pids are in $(pwd)/run/):"
		for e in $PIDS; do echo "  ${e%%:*}  pid ${e#*:}"; done
		[ -s run/server.pid ] && echo "  model server  pid $(cat run/server.pid) on port $(cat run/port 2>/dev/null)"
		echo "stop them with:  kill \$(cat $(pwd)/run/*.pid)"
		exit "$code"
	fi
	echo
	[ "$FINISHED" = 1 ] || echo "plumb demo: stopping what the demo started..."
	stop load-gen; stop labels; stop watcher
	stop_server
	PORT=${PORT:-$(cat run/port 2>/dev/null || :)}
	if [ -n "$PORT" ]; then
		if port_closed "$PORT"; then
			echo "nothing listens on 127.0.0.1:$PORT any more"
		else
			echo "plumb demo: something still listens on 127.0.0.1:$PORT" >&2
			code=1
		fi
	fi
	if [ "$FINISHED" != 1 ]; then
		echo "plumb demo: stopped during step $STEP ($STEP_TITLE); the workspace is $(pwd)"
		echo "start again from scratch with:  plumb demo --force $DEMO_DIR"
		echo "or remove it:                   rm -rf $(pwd)"
		echo "interrupted at step $STEP ($STEP_TITLE)" > run/state
	fi
	exit "$code"
}
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP	# the terminal went away: stop everything too
trap cleanup EXIT

# ---- the workspace --------------------------------------------------------

# What the demo writes in DIR; --force removes only these.
DEMO_FILES=".plumb plumb.yaml plumb.lock params.yaml src data traffic logs run model.json eval .gitignore"

prepare_dir() {
	mkdir -p "$DEMO_DIR" || exit 1
	cd "$DEMO_DIR" || exit 1
	if [ -f run/state ]; then
		prev=$(cat run/state)
		if [ "$DEMO_FORCE" != 1 ]; then
			echo "plumb demo: $(pwd) already holds a demo ($prev)." >&2
			echo "  explore it:       cd $DEMO_DIR && plumb tui   (or plumb model history churn, plumb alerts history)" >&2
			echo "  start it again:   plumb demo --force $DEMO_DIR   (replaces the demo's files only)" >&2
			exit 1
		fi
	elif [ -n "$(ls -A . 2>/dev/null)" ] && [ "$DEMO_FORCE" != 1 ]; then
		echo "plumb demo: $(pwd) is not empty; use an empty or new directory, or --force to write the demo's files beside the others" >&2
		exit 1
	fi
	# What a previous run left running (it was killed -9): stop it by
	# its pid, then start from a clean slate.
	for f in run/*.pid; do
		[ -s "$f" ] || continue
		p=$(cat "$f")
		if kill -0 "$p" 2>/dev/null; then
			echo "stopping pid $p left running by a previous demo ($f)"
			kill "$p" 2>/dev/null
			sleep 0.5
		fi
	done
	rm -rf $DEMO_FILES
	mkdir -p run logs src data/raw traffic
	echo "running (step 0)" > run/state
}

# ---- timing: compressed (default) or production-like ---------------------

if [ "$DEMO_REALTIME" = 1 ]; then
	# group_wait is 10s, not Alertmanager's 30s: the trigger retrains
	# and redeploys within about 30s of the alert firing, and an alert
	# that resolves before its group's first notification is never
	# sent (Alertmanager's rule, which plumb follows)
	IV=15s RULE_IV=30s FOR=2m GROUP_WAIT=10s GROUP_IV=5m
	WINDOW_ROWS=2000 MIN_ROWS=500 PERF_WINDOW=1h LABEL_AGE=60 RATE=20
	LIMIT=900 RATE_RANGE=2m COOLDOWN=6h
else
	IV=1s RULE_IV=1s FOR=5s GROUP_WAIT=1s GROUP_IV=2s
	WINDOW_ROWS=300 MIN_ROWS=150 PERF_WINDOW=30s LABEL_AGE=1 RATE=50
	LIMIT=60 RATE_RANGE=10s COOLDOWN=1m
fi

# ---- features of this plumb (notifications and triggers land separately) --

# Notifications (receivers under alerts:) and continuous training
# (triggers:) are used when this plumb has them; otherwise the demo says
# which step is not available, and never pretends.
have_triggers() { "$PLUMB" triggers --help > /dev/null 2>&1; }
have_receivers() { "$PLUMB" help alerts 2>/dev/null | grep -qi 'receiver'; }

# ---- the plumb.yaml of each act -------------------------------------------

write_pipeline() {
	cat > params.yaml <<YAML
# params.yaml - the pipeline's parameters (plumb repro re-runs a stage
# when one of the params it lists changes)
prepare:
  test_share: 0.25      # held out for validation
  seed: 7
  recent_rows: 300      # retrain on the latest labelled production rows when there are this many
train:
  lr: 0.05
  alpha: 0.001
  epochs: 15
  seed: 1
  export_bug: false     # true plants a serving bug (step 4)
YAML
	cat > plumb.yaml <<YAML
# plumb.yaml - the demo's project: a DVC-shaped pipeline, data checks and
# model gates, the model, its deploy target (step 5 adds monitoring,
# alerts and continuous training).  See plumb.yaml(5).
stages:
  collect:                      # production rows that got their labels
    cmd: $PY src/collect.py
    deps: [logs/labels.csv, src/collect.py]
    outs: [data/labelled.csv]
  prepare:
    cmd: $PY src/prepare.py
    deps: [data/raw, data/labelled.csv, src/prepare.py]
    params: [prepare]
    outs: [data/prepared]
  train:
    cmd: $PY src/train.py
    deps: [data/prepared/train.csv, data/prepared/valid.csv, src/train.py]
    params: [train]
    outs: [model.json]
  evaluate:
    cmd: $PY src/evaluate.py
    deps: [model.json, data/prepared/valid.csv, src/evaluate.py, src/model-server.py]
    metrics: [eval/metrics.json]

checks:
  raw-data:
    data: data/raw/churn.csv
    rows: {min: 1000}
    columns:
      customer_id: {type: string, unique: true, required: true}
      tenure_months: {type: int, min: 1, max: 72, required: true}
      monthly_charges: {type: float, min: 0, max: 500, required: true}
      support_calls: {type: int, min: 0, max: 50}
      contract: {type: string, allowed: [month-to-month, one-year, two-year]}
      churned: {type: int, allowed: [0, 1], required: true}
  quality:
    model: churn
    gates:
      - accuracy >= 0.7
      - auc >= 0.75
      - accuracy >= production - 0.02

models:
  churn:
    stage: train
    path: model.json
    description: churn classifier (scikit-learn SGD, logistic loss)
    metrics: {accuracy: higher, auc: higher, log_loss: lower}

deploy:
  local:
    model: churn
    cmd: sh src/deploy.sh
    health: $PY src/health.py
    timeout: 30
YAML
}

write_monitoring() {
	port=$1
	cat >> plumb.yaml <<YAML

# ---- step 5: monitoring (intervals compressed: $IV here, 15s in production)
monitor:
  interval: $IV
  targets:
    churn-api:
      model: churn
      probe: http://127.0.0.1:$port/health
      scrape: http://127.0.0.1:$port/metrics
      process: {pidfile: run/server.pid}
      predictions: {path: logs/predictions.jsonl}
      labels: {path: logs/labels.csv, label: label, within: 1h}
      drift:
        reference: deployed     # the training data of the version in production
        window: {rows: $WINDOW_ROWS}
        min_rows: $MIN_ROWS
        features: [tenure_months, monthly_charges, support_calls, contract]
        method: wasserstein     # normed Wasserstein distance: a size, not a p-value
        threshold: 0.5          # half a standard deviation of the reference
      performance: {metrics: [accuracy], window: $PERF_WINDOW}

alerts:
  interval: $RULE_IV
YAML
	if [ "$HAVE_RECEIVERS" = 1 ]; then
		cat >> plumb.yaml <<YAML
  route:
    receiver: on-call
    group_by: [alertname]
    group_wait: $GROUP_WAIT
    group_interval: $GROUP_IV
    repeat_interval: 1h
  receivers:
    - name: on-call
      command: [sh, $(pwd)/src/notify.sh, $(pwd)/logs/notifications.log]
YAML
	fi
	cat >> plumb.yaml <<YAML
  groups:
    - name: churn
      rules:
        - alert: ChurnInputDrift
          expr: plumb_drift_share{target="churn-api"} >= 0.25
          for: $FOR
          labels: {severity: ticket}
          annotations:
            summary: 'input drift: {{ \$value | humanizePercentage }} of the features drifted'
        - alert: ChurnLatencyHigh
          expr: histogram_quantile(0.95, rate(predict_latency_seconds_bucket{target="churn-api"}[$RATE_RANGE])) > 0.1
          for: $FOR
          labels: {severity: page}
          annotations:
            summary: 'p95 latency {{ \$value | humanizeDuration }}'
YAML
	if [ "$HAVE_TRIGGERS" = 1 ]; then
		cat >> plumb.yaml <<YAML

# ---- step 7: continuous training
triggers:
  retrain-on-drift:
    on: {alert: ChurnInputDrift}
    repro: [collect, prepare, train, evaluate]
    promote: {model: churn, to: production}
    cooldown: $COOLDOWN
YAML
	fi
}

# ---- helpers over the store ---------------------------------------------

prod_version() { json_get "j['version']" model show churn@production --json; }
alert_state() {		# NAME: firing, pending or none
	"$PLUMB" alerts --json > run/.a 2>/dev/null || { echo none; return; }
	"$PY" -c "import json,sys
s=[a['state'] for a in json.load(open('run/.a')) if a.get('alertname')==sys.argv[1]]
print(s[0] if s else 'none')" "$1"
}
is_firing() { [ "$(alert_state "$1")" = firing ]; }
is_clear() { [ "$(alert_state "$1")" = none ]; }
status_num() {		# KEY: a number of plumb monitor status --json, or ""
	"$PLUMB" monitor status --json > run/.s 2>/dev/null || return 0
	"$PY" -c "import json,sys
t=[x for x in json.load(open('run/.s'))['targets'] if x['target']=='churn-api']
v=t[0].get(sys.argv[1]) if t else None
print('' if v is None else v)" "$1"
}
have_figures() { [ -n "$(status_num accuracy)" ] && [ -n "$(status_num drift_share)" ]; }
drift_below() { d=$(status_num drift_share); [ -n "$d" ] && "$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) < 0.25 else 1)" "$d"; }
notified() {		# STATUS NAME: the receiver got it
	grep -q "$1 *$2" logs/notifications.log 2>/dev/null
}
paged_or_gone() {	# NAME: its page was delivered, or it resolved first
	notified FIRING "$1" || is_clear "$1"
}
show_notifications() {
	if [ -s logs/notifications.log ]; then
		note "logs/notifications.log (what the receiver command got):"
		grep -v '^  json:' logs/notifications.log | sed 's/^/          /'
	fi
}
start_labels() {
	start labels logs/labels.out sh -c "trap 'exit 0' TERM
while :; do
  '$PY' src/label-writer.py --predictions logs/predictions.jsonl --out logs/labels.csv \
    --truth traffic/world.json --min-age $LABEL_AGE > /dev/null || exit 1
  sleep 1
done"
}
start_traffic() {	# PREFIX [LOAD-GEN ARGS...]
	prefix=$1; shift
	start load-gen logs/load-gen.out "$PY" src/load-gen.py --url "http://127.0.0.1:$PORT" \
		--dataset traffic/customers.csv -n 1000000 --rate "$RATE" --prefix "$prefix" "$@"
}

# ---- the loop ---------------------------------------------------------------

if [ "${DEMO_INNER:-0}" = 1 ]; then
	cd "$DEMO_DIR" || exit 1	# --tui: the outer demo prepared it
else
	prepare_dir
fi
if [ "$DEMO_TUI" = 1 ]; then
	# --tui: the loop runs in the background (narration in run/demo.log),
	# the TUI's monitor screen in the foreground; quitting it (q on
	# the runs screen, or closing the terminal) stops the loop, whose own trap stops what it started.
	DEMO_TUI=0 DEMO_INNER=1 DEMO_DIR=. sh "$0" > run/demo.log 2>&1 < /dev/null &
	inner=$!
	trap 'kill $inner 2>/dev/null; wait $inner 2>/dev/null; exit 130' INT TERM HUP
	trap - EXIT
	i=0
	while [ ! -d .plumb ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	"$PLUMB" tui --monitor
	if kill -0 "$inner" 2>/dev/null; then
		echo "plumb demo: the TUI was closed; stopping the loop..."
		kill "$inner" 2>/dev/null
	fi
	wait "$inner"
	rc=$?
	tail -n 12 run/demo.log
	echo "the whole narration: $(pwd)/run/demo.log"
	exit "$rc"
fi
HAVE_TRIGGERS=0; have_triggers && HAVE_TRIGGERS=1
HAVE_RECEIVERS=0; have_receivers && HAVE_RECEIVERS=1
cp "$PLUMB_DEMO_SRC"/churn.py "$PLUMB_DEMO_SRC"/collect.py "$PLUMB_DEMO_SRC"/prepare.py \
	"$PLUMB_DEMO_SRC"/train.py "$PLUMB_DEMO_SRC"/evaluate.py "$PLUMB_DEMO_SRC"/deploy.sh \
	"$PLUMB_DEMO_SRC"/health.py "$PLUMB_DEMO_SRC"/notify.sh \
	"$PLUMB_DEMO_EXAMPLES"/model-server.py "$PLUMB_DEMO_EXAMPLES"/load-gen.py \
	"$PLUMB_DEMO_EXAMPLES"/label-writer.py src/ || exit 1
printf '.plumb/\nrun/\nlogs/\n' > .gitignore

echo "plumb demo: the whole MLOps loop with real components, in $(pwd)"
if [ "$DEMO_REALTIME" = 1 ]; then
	echo "Production-like intervals (--real-time): watch every $IV, alerts every $RULE_IV with for: $FOR, notifications wait $GROUP_WAIT; expect 15 minutes or more."
else
	echo "Time is compressed so the loop takes about 3 minutes: the watcher polls every $IV (15s in production),"
	echo "alert rules hold for $FOR (minutes in production), notifications wait $GROUP_WAIT (30s), drift windows are $WINDOW_ROWS rows."
	echo "plumb demo --real-time uses production-like intervals."
fi
echo "Every plumb command is printed as you would type it in $(pwd)."

# 1 ---------------------------------------------------------------------------
step 1 "a versioned dataset"
say "4,000 customers of a telecom: tenure, monthly charges, support calls, contract (categorical) and whether they churned."
note "the known relation: churn rises with charges (steeply above \$90), support calls and month-to-month contracts; falls with tenure"
run_quiet "$PY" src/churn.py dataset --rows 4000 --seed 1 --out data/raw/churn.csv
run_quiet "$PY" src/churn.py traffic --rows 3000 --seed 2 --out traffic/customers.csv
run_quiet "$PY" src/churn.py world --out traffic/world.json
note "traffic/customers.csv: 3,000 other customers the load generator will send; traffic/world.json: the relation, for the delayed labels"
run "$PLUMB" init
say "Version the dataset: its content goes into the store's cache, data/raw.plumb is what git would keep."
run "$PLUMB" data add data/raw
printf 'id,label,ts\n' > logs/labels.csv
echo "running (step 1)" > run/state

# 2 ---------------------------------------------------------------------------
step 2 "a pipeline: prepare, train, evaluate"
write_pipeline
say "plumb.yaml holds a DVC-shaped pipeline (collect -> prepare -> train -> evaluate), params.yaml its parameters."
run "$PLUMB" dag
say "Train: scikit-learn's SGD logistic regression, one tracked run per stage, metrics logged every epoch."
run "$PLUMB" repro
v1=$(json_get "j['version']" model show churn@latest --json)
run1=$(json_get "j['run_id'][:8]" model show churn@1 --json)
run "$PLUMB" metrics "$run1" val_accuracy
note "the pipeline registered churn v$v1 in the model registry (models: in plumb.yaml), with its lineage"
echo "running (step 2)" > run/state

# 3 ---------------------------------------------------------------------------
step 3 "CI: data checks, model gates, a second experiment"
say "plumb check validates the raw data and gates the model (what CI runs; exit 1 when one fails, --junit for CI)."
run "$PLUMB" check --model "churn@$v1"
say "A second experiment: a smaller learning rate and less regularisation (params.yaml: train.lr 0.05 -> 0.01, train.alpha 0.001 -> 0.0001)."
sed -i 's/^  lr: 0.05/  lr: 0.01/; s/^  alpha: 0.001/  alpha: 0.0001/' params.yaml
run "$PLUMB" status
run "$PLUMB" repro
v2=$(json_get "j['version']" model show churn@latest --json)
run "$PLUMB" model diff "churn@$v1" "churn@$v2"
a1=$(json_get "j['metrics']['auc']" model show "churn@$v1" --json)
a2=$(json_get "j['metrics']['auc']" model show "churn@$v2" --json)
best=$v1; other=$v2
"$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$a2" "$a1" 2>/dev/null && { best=$v2; other=$v1; }
note "churn v$best has the better AUC ($a1 vs $a2): it goes to production"
echo "running (step 3)" > run/state

# 4 ---------------------------------------------------------------------------
step 4 "CD: promotion through the gates, deploy, health check, automatic rollback"
say "Promote churn v$best: the gates run, then the deploy command starts the model server on a free loopback port, then its health check."
run "$PLUMB" model promote "churn@$best" --to production --reason "best AUC of the first two experiments"
PORT=$(cat run/port)
note "the model server (examples/model-server.py --model, pid $(cat run/server.pid)) serves churn v$best on http://127.0.0.1:$PORT"
say "Now a deliberately bad version: params.yaml train.export_bug: true maps the coefficients to the wrong features at export."
sed -i 's/^  export_bug: false.*/  export_bug: true      # the planted serving bug/' params.yaml
run "$PLUMB" repro
bad=$(json_get "j['version']" model show churn@latest --json)
say "Its offline metrics are fine, so the gates pass; the health check sends known customers and catches it."
show "$PLUMB" model promote "churn@$bad" --to production --reason "new export code"
"$PLUMB" model promote "churn@$bad" --to production --reason "new export code" > run/.out 2>&1 < /dev/null
rc=$?
sed 's/^/    /' run/.out
[ $rc = 1 ] || fail_step "plumb model promote churn@$bad should have failed its health check and rolled back (exit $rc)"
now=$(prod_version)
[ "$now" = "$best" ] || fail_step "production should be back on v$best, it is v$now"
note "plumb redeployed churn v$best by itself; production never changed hands"
run "$PLUMB" model history churn
sed -i 's/^  export_bug: true.*/  export_bug: false     # true plants a serving bug (step 4)/' params.yaml
note "params.yaml: train.export_bug back to false"
echo "running (step 4)" > run/state

# 5 ---------------------------------------------------------------------------
step 5 "monitoring: plumb watch, live traffic, delayed labels"
write_monitoring "$PORT"
say "plumb.yaml gets monitor: (probe, scrape, process, prediction and label logs, drift, accuracy) and alerts: rules."
note "the new sections: sed -n '/^# ---- step 5/,\$p' plumb.yaml"
show "$PLUMB" watch
start watcher logs/watch.log "$PLUMB" watch
note "plumb watch runs in the background (pid $(pid_of watcher)); its log: logs/watch.log"
say "Traffic: 3,000 customers replayed at $RATE requests/s; their true outcome arrives ${LABEL_AGE}s later in logs/labels.csv."
show "$PY" src/load-gen.py --url "http://127.0.0.1:$PORT" --dataset traffic/customers.csv --rate "$RATE" --prefix base
start_traffic base
start_labels
wait_until "$LIMIT" "accuracy and drift figures in the store" have_figures
run "$PLUMB" monitor status
echo "running (step 5)" > run/state

# 6 ---------------------------------------------------------------------------
step 6 "trouble: the inputs drift"
say "A price increase: every customer now pays \$35 more a month (load-gen --shift 35 --shift-features monthly_charges)."
stop load-gen > /dev/null
show "$PY" src/load-gen.py --url "http://127.0.0.1:$PORT" --dataset traffic/customers.csv --rate "$RATE" \
	--prefix drift --shift 35 --shift-features monthly_charges
start_traffic drift --shift 35 --shift-features monthly_charges
DRIFT_T0=$(date +%s)
wait_until "$LIMIT" "the ChurnInputDrift alert to fire" is_firing ChurnInputDrift
note "from the first drifted request to firing: $(($(date +%s) - DRIFT_T0))s (window $WINDOW_ROWS rows + for: $FOR)"
run "$PLUMB" alerts
if [ "$HAVE_RECEIVERS" = 1 ]; then
	wait_until "$LIMIT" "the notification to reach the receiver" paged_or_gone ChurnInputDrift
	if notified FIRING ChurnInputDrift; then
		show_notifications
	else
		note "ChurnInputDrift resolved before its group_wait ($GROUP_WAIT) was over: like Alertmanager, plumb does not page for an alert that ended before its first notification"
		NO_PAGE=1
	fi
else
	note "notifications: this plumb has no alert receivers yet (alerts: receivers:), so none is delivered; step 6's notification is not available"
fi
echo "running (step 6)" > run/state

# 7 ---------------------------------------------------------------------------
step 7 "continuous training: the alert retrains, re-validates and redeploys"
if [ "$HAVE_TRIGGERS" = 1 ]; then
	say "The trigger retrain-on-drift fires on ChurnInputDrift: it re-runs the pipeline on the newly labelled rows and promotes through the gates."
	wait_until "$LIMIT" "a new version in production" sh -c "[ \"\$('$PLUMB' model show churn@production --json | '$PY' -c 'import json,sys; print(json.load(sys.stdin)[\"version\"])')\" != $best ]"
	run "$PLUMB" triggers history
else
	note "continuous training: this plumb has no triggers: section yet, so nothing retrains by itself;"
	note "the demo runs by hand what the trigger would (the step is not automatic here):"
	wait_until "$LIMIT" "300 labelled rows of the drifted traffic" sh -c "[ \$(grep -c '^drift-' logs/labels.csv) -ge 300 ]"
	run "$PLUMB" repro
	new=$(json_get "j['version']" model show churn@latest --json)
	run "$PLUMB" model promote "churn@$new" --to production --reason "retrain on drift (alert ChurnInputDrift)"
fi
ct=$(prod_version)
note "churn v$ct now serves; the watcher compares the traffic with the data it was trained on"
wait_until "$LIMIT" "the drift to recover" drift_below
wait_until "$LIMIT" "ChurnInputDrift to resolve" is_clear ChurnInputDrift
[ "$HAVE_RECEIVERS" = 1 ] && [ "${NO_PAGE:-0}" = 0 ] && { wait_until "$LIMIT" "the resolved notification" notified RESOLVED ChurnInputDrift; show_notifications; }
say "Second act: the server slows down (POST /admin delay_ms=150, as a bad dependency would)."
show curl -s -d '{"delay_ms": 150}' "http://127.0.0.1:$PORT/admin"
"$PY" -c "
import urllib.request, sys
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b'{\"delay_ms\": 150}', method='POST'), timeout=5).read()" "http://127.0.0.1:$PORT/admin" ||
	fail_step "POST /admin to the model server failed"
# twice the usual wait: on a loaded machine (CI's sanitizer suite) the
# slowed server's p95 once took over 60 s to hold above the threshold
wait_until "$((LIMIT * 2))" "the ChurnLatencyHigh alert to fire" is_firing ChurnLatencyHigh
[ "$HAVE_RECEIVERS" = 1 ] && { wait_until "$LIMIT" "the page" notified FIRING ChurnLatencyHigh; show_notifications; }
say "The dependency is fixed (delay_ms=0)."
"$PY" -c "
import urllib.request, sys
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b'{\"delay_ms\": 0}', method='POST'), timeout=5).read()" "http://127.0.0.1:$PORT/admin" ||
	fail_step "POST /admin to the model server failed"
wait_until "$LIMIT" "ChurnLatencyHigh to resolve" is_clear ChurnLatencyHigh
echo "running (step 7)" > run/state

# 8 ---------------------------------------------------------------------------
step 8 "the end"
printf '8\t0\tthe end\n' >> run/durations
run "$PLUMB" model history churn
run "$PLUMB" alerts history
[ "$HAVE_TRIGGERS" = 1 ] && run "$PLUMB" triggers history
"$PLUMB" model history churn --json > run/.h 2>/dev/null
"$PLUMB" alerts history --json > run/.ah 2>/dev/null
"$PY" - "$(elapsed)" <<'PYEOF'
import json, sys
h = json.load(open("run/.h"))
ah = json.load(open("run/.ah"))
reg = sum(1 for e in h if e.get("kind") == "register")
prom = [e for e in h if e.get("kind") == "promote" and e.get("status") == "ok"]
failed = [e for e in h if e.get("kind") == "promote" and e.get("status") != "ok"]
fired = [a for a in ah if a.get("firedAt")]
print()
print("  %-34s %s" % ("model versions registered", reg))
print("  %-34s %s" % ("promotions to production",
      ", ".join("v%d" % e["version"] for e in prom) or "none"))
print("  %-34s %s" % ("promotions rolled back",
      ", ".join("v%d" % e["version"] for e in failed) or "none"))
print("  %-34s %s" % ("alerts fired", ", ".join(sorted({a["alertname"] for a in fired})) or "none"))
print("  %-34s %s" % ("alerts resolved", sum(1 for a in fired if a.get("endsAt"))))
print("  %-34s %ss" % ("wall time", sys.argv[1]))
print()
for line in open("run/durations"):
    n, secs, title = line.rstrip("\n").split("\t", 2)
    print("  step %s  %4ss  %s" % (n, secs, title))
PYEOF
echo
echo "Explore (in $(pwd)):"
echo "  plumb tui --monitor        the monitor screen (targets, charts, alerts)"
echo "  plumb monitor status       the service now;  plumb monitor series 'plumb_drift_share' --since 10m"
echo "  plumb alerts history       every alert episode"
echo "  plumb model history churn  every version, promotion and rollback, with the gates"
echo "  plumb audit                who promoted what, when"
[ "$HAVE_TRIGGERS" = 1 ] && echo "  plumb triggers history     what retrained, why, and what it produced"
echo "done (step 8)" > run/state
FINISHED=1
