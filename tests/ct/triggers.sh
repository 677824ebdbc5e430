#!/bin/sh
# tests/ct/triggers.sh - continuous training with a real plumb watch: an alert from live samples fires a trigger whose CT run (a child) reproduces a stage as a tracked run tagged with the alert, registers and promotes the model; a firing during the run and a manual run are skipped; cooldown; data triggers; a failing CT run raises PlumbTriggerFailed; bad triggers are refused with FILE:LINE:COL; no process is left behind.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"

"$PLUMB" init > /dev/null
start_server
load 150

# The pipeline: train copies data.txt into model.bin, waiting while the
# file `hold` exists (so a second firing and a manual run meet the run in
# progress however slow the machine is).
cat > train.sh <<'SH'
while [ -f hold ]; do sleep 0.1; done
cp data.txt model.bin
echo "trained on $(cat data.txt)"
SH
echo v1 > data.txt
: > hold
mkdir -p incoming
echo a > incoming/batch.csv

# config TRIGGER-ALERT: plumb.yaml with the monitor, a rule that fires
# two instances at once (by target, and overall) from the live counter,
# and the triggers.
config() {
	cat > plumb.yaml <<YAML
stages:
  train:
    cmd: sh train.sh
    deps: [train.sh, data.txt]
    outs: [model.bin]
models:
  churn: {stage: train, path: model.bin}
monitor:
  interval: 1s
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
alerts:
  groups:
  - name: g
    interval: 1s
    rules:
    - alert: ManyPredictions
      expr: sum by (target) (plumb_predictions_total) > 100 or sum(plumb_predictions_total) > 100
triggers:
  retrain:
    on: {alert: $1}
    repro: [train]
    promote: {model: churn, to: staging}
    cooldown: 1h
  broken:
    on: {alert: ManyPredictions}
    run: "echo going to fail; exit 3"
  newdata:
    on: {data: incoming/}
    run: "ls incoming > seen.txt"
    cooldown: 1h
  after-promote:
    on: {model: churn, event: promoted}
    run: "echo promoted > promoted.txt"
YAML
}

# --- bad triggers: refused before the watcher starts ---
config NoSuchAlert
assert_status 1 "unknown alert refused at start" -- "$PLUMB" watch --once
assert_contains "$(cat "$T/.err")" "plumb.yaml:22:17: on: alert: no alerting rule is named 'NoSuchAlert'" \
	"the error names file, line and column"
config ManyPredictions
sed 's/repro: \[train\]/repro: [train, evaluate]/' plumb.yaml > p2 && mv p2 plumb.yaml
assert_status 1 "unknown stage refused at start" -- "$PLUMB" watch --once
assert_contains "$(cat "$T/.err")" "plumb.yaml:23:20: repro: no stage 'evaluate'" "unknown stage, with its place"
assert_status 1 "plumb triggers checks too" -- "$PLUMB" triggers
assert_contains "$(cat "$T/.err")" "no stage 'evaluate'" "plumb triggers refuses it"

# --- the alert fires: a CT run as a child, a second firing skipped ---
config ManyPredictions
assert_status 0 "plumb triggers lists them" -- "$PLUMB" triggers
assert_contains "$(cat "$T/.out")" "alert ManyPredictions" "plumb triggers shows what a trigger listens to"
assert_contains "$(cat "$T/.out")" "never fired" "nothing fired yet"
"$PLUMB" watch --interval 1s > w.log 2>&1 &
W=$!
PIDS="$PIDS $W"
wait_for w.log "checking 4 triggers" || fail "watcher did not start: $(cat w.log)"
wait_for w.log "trigger retrain fired" 150 || fail "the trigger did not fire: $(cat w.log)"
# the watcher did not wait for the run: it still evaluates and logs
wait_for w.log "trigger retrain: .*skipped, a run is in progress" 50 ||
	fail "the second instance's firing was not skipped: $(cat w.log)"

# a manual run while the watcher's runs: the lock says no
assert_status 1 "manual run while one is in progress" -- "$PLUMB" trigger run retrain
assert_contains "$(cat "$T/.err")" "recorded as skipped" "the manual firing is skipped"
rm -f hold

wait_for w.log "CT run #[0-9]* succeeded" 150 || fail "the CT run did not succeed: $(cat w.log)"
"$PLUMB" triggers history --json > h.json
"$PYTHON3_SYS" - > h.txt <<'PY'
import json
h = json.load(open("h.json"))
ret = [r for r in h if r["trigger"] == "retrain"]
ran = [r for r in ret if r["status"] == "succeeded"]
skipped = [r for r in ret if r["status"] == "skipped-running"]
print("ran", len(ran))
print("skipped", len(skipped), sorted(r["reasonKind"] for r in skipped))
r = ran[0]
print("reason", r["reasonKind"], r["alertname"], r["alertHistoryId"] is not None,
      r["alertValue"])
print("runs", len(r["runs"]))
print("run", r["runs"][0])
print("model", r["modelVersion"])
print("promotion", r["promotion"])
print("alertid", r["alertHistoryId"])
print("pids", " ".join(str(x["pid"]) for x in h if x["pid"]))
PY
assert_contains "$(cat h.txt)" "ran 1" "one CT run of retrain"
assert_contains "$(cat h.txt)" "skipped 2 ['alert', 'manual']" "the second alert instance and the manual run were skipped"
assert_contains "$(cat h.txt)" "reason alert ManyPredictions True 150" "the reason: the alert, its history row and value"
assert_contains "$(cat h.txt)" "runs 1" "the stage ran as one tracked run"
assert_contains "$(cat h.txt)" "model churn v1" "the CT run registered the model"
assert_contains "$(cat h.txt)" "promotion promoted churn v1 to staging" "and promoted it through the registry"
run=$(sed -n 's/^run //p' h.txt)
alertid=$(sed -n 's/^alertid //p' h.txt)
assert_status 0 "show the CT run" -- "$PLUMB" show "$run" --json
show=$(cat "$T/.out")
assert_contains "$show" '"trigger"' "the run is tagged with the trigger"
assert_contains "$show" '"retrain"' "... its name"
assert_contains "$show" '"ManyPredictions"' "... the alert"
assert_contains "$show" "\"$alertid\"" "... the alert history id (linked both ways)"
assert_contains "$show" 'target=' "... the alert's labels"
"$PLUMB" alerts history --json > ah.json
"$PYTHON3_SYS" -c "
import json
a = {x['id']: x for x in json.load(open('ah.json'))}.get($alertid)
t = [x for x in a['triggers'] if x['trigger'] == 'retrain'] if a else []
print('found', t[0]['status'] if t else None, t[0]['runs'] if t else None)" > ah.txt
assert_eq "found succeeded ['$run']" "$(cat ah.txt)" "plumb alerts history --json names the CT run the alert caused"
# The CT run is a mark on the monitor's charts: its start and its end,
# which names the run (the TUI's Enter on the mark opens it).
ev=$("$PLUMB" monitor events --kind ct)
assert_contains "$ev" "CT trigger retrain started" "monitor events: the CT run's start"
assert_contains "$ev" "CT trigger retrain succeeded" "monitor events: its end"
assert_contains "$ev" "; run $run" "the end names the CT run's training run"
assert_status 0 "model" -- "$PLUMB" model show churn@staging --json
assert_contains "$(cat "$T/.out")" '"version":1,"stage":"staging"' "churn v1 holds staging"

# --- a registry event fires: the promotion above ---
wait_for w.log "trigger after-promote fired (model churn v1 promoted to staging)" 100 ||
	fail "the promotion did not fire after-promote: $(cat w.log)"
wait_for promoted.txt promoted 100 || fail "after-promote's command did not run"

# --- a failing CT run raises PlumbTriggerFailed ---
wait_for w.log "trigger broken: CT run #[0-9]* failed" 100 || fail "broken's failure not logged: $(cat w.log)"
i=0
until "$PLUMB" alerts --json 2>/dev/null | grep -q '"PlumbTriggerFailed"' || [ $i -ge 150 ]; do
	sleep 0.1; i=$((i + 1))
done
assert_contains "$("$PLUMB" alerts)" "PlumbTriggerFailed" "a failed CT run raises the built-in alert"
assert_contains "$("$PLUMB" alerts --json)" 'trigger=\"broken\"' "... labelled with the trigger"
grep -q "going to fail" .plumb/triggers/logs/*.log && ok || fail "the CT run's output is not in its log"

# --- data: a change fires, a second change within the cooldown is skipped ---
echo b > incoming/batch2.csv
wait_for w.log "trigger newdata fired (data incoming/ changed" 100 || fail "data change did not fire: $(cat w.log)"
wait_for w.log "trigger newdata: CT run #[0-9]* succeeded" 100 || fail "data CT run: $(cat w.log)"
assert_contains "$(cat seen.txt)" "batch2.csv" "the data trigger's command ran"
echo c > incoming/batch3.csv
wait_for w.log "trigger newdata: data incoming/ changed.*skipped, cooldown" 100 ||
	fail "a change within the cooldown was not skipped: $(cat w.log)"

# --- plumb triggers: state and last firing ---
assert_status 0 "plumb triggers --json" -- "$PLUMB" triggers --json
"$PYTHON3_SYS" -c "
import json, sys
t = {x['name']: x for x in json.load(open('$T/.out'))}
print(t['retrain']['state'], t['retrain']['cooldownLeftSeconds'] > 3000, t['newdata']['lastStatus'])" > st.txt
assert_eq "cooldown True skipped-cooldown" "$(cat st.txt)" "state, cooldown left, last status"

# --- a reload with bad triggers keeps the last good ones ---
config ManyPredictions
sed 's/repro: \[train\]/repro: [train, evaluate]/' plumb.yaml > p2 && mv p2 plumb.yaml
kill -HUP "$W"
wait_for w.log "triggers not reloaded, the last good ones stay" 100 ||
	fail "bad triggers reload not reported: $(cat w.log)"
grep -q "plumb.yaml:23:20: repro: no stage 'evaluate'" w.log && ok ||
	fail "the reload error has no FILE:LINE:COL: $(cat w.log)"
config ManyPredictions
kill -HUP "$W"
wait_for w.log "triggers reloaded: 4 triggers" 100 || fail "good reload not taken: $(cat w.log)"

# --- stop the watcher; then a manual run, in the foreground ---
kill -TERM "$W"
wait "$W"
assert_eq 0 $? "watcher exits 0 on SIGTERM"
assert_status 0 "manual run" -- "$PLUMB" trigger run retrain
assert_contains "$(cat "$T/.out")" "running     train" "progress of the stages"
assert_contains "$(cat "$T/.out")" "registered churn v2" "the manual run registered v2"
assert_contains "$(cat "$T/.out")" "promoted churn v2 to staging" "and promoted it (no cooldown for a manual run)"
"$PLUMB" triggers history --json --trigger retrain > h2.json
"$PYTHON3_SYS" -c "
import json
r = json.load(open('h2.json'))[-1]
print(r['reasonKind'], r['status'], len(r['runs']))" > h2.txt
assert_eq "manual succeeded 1" "$(cat h2.txt)" "the manual run is in the history"
run2=$("$PYTHON3_SYS" -c "import json; print(json.load(open('h2.json'))[-1]['runs'][0])")
assert_contains "$("$PLUMB" show "$run2" --json)" '"manual"' "its run is tagged manual"
assert_status 1 "a failing manual run exits 1" -- "$PLUMB" trigger run broken
assert_contains "$(cat "$T/.err")" "exited with status 3" "... saying why"
assert_status 1 "unknown trigger" -- "$PLUMB" trigger run nosuch
assert_contains "$(cat "$T/.err")" "no trigger 'nosuch'" "an unknown trigger is named"
assert_status 0 "history text" -- "$PLUMB" triggers history
assert_contains "$(cat "$T/.out")" "skipped-running" "the text history shows skips"

# --- no process left behind: every CT run's pid is gone ---
left=""
for p in $(sed -n 's/^pids //p' h.txt); do
	kill -0 "$p" 2>/dev/null && left="$left $p"
done
assert_eq "" "$left" "no CT run outlives the watcher"
# --- stopping the watcher stops a CT run in progress, nothing left ---
mkdir -p incoming2
echo a > incoming2/f0
cat > plumb.yaml <<'YAML'
monitor:
  interval: 1s
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
triggers:
  slow:
    on: {data: incoming2}
    run: "echo $$ > slow.pid; exec sleep 60"
  weekly:
    on: {schedule: "0 3 * * mon"}
    run: "true"
YAML
TZ=UTC "$PLUMB" triggers --json > sched.json
"$PYTHON3_SYS" -c "
import json, datetime
t = {x['name']: x for x in json.load(open('sched.json'))}['weekly']
n = datetime.datetime.strptime(t['nextSchedule'], '%Y-%m-%dT%H:%M:%S.%fZ')
now = datetime.datetime.utcnow()
print(n.weekday(), n.hour, n.minute, 0 < (n - now).total_seconds() <= 7 * 86400)" > sched.txt
assert_eq "0 3 0 True" "$(cat sched.txt)" "a schedule's next tick: the coming Monday 03:00"
# (from a subdirectory, with -f: the CT run still finds plumb.yaml)
cd logs
"$PLUMB" watch -f ../plumb.yaml --interval 1s > ../w2.log 2>&1 &
W=$!
cd ..
PIDS="$PIDS $W"
wait_for w2.log "checking 2 triggers" || fail "watcher 2 did not start: $(cat w2.log)"
# the first check takes the data's hash as it is: change it after that
sleep 2
echo b > incoming2/f1
wait_for w2.log "trigger slow fired" 100 || fail "slow did not fire: $(cat w2.log)"
wait_for slow.pid "[0-9]" 100 || fail "the slow command did not start"
kill -TERM "$W"
wait "$W"
assert_eq 0 $? "watcher exits 0 with a CT run in progress"
assert_contains "$(cat w2.log)" "stopping 1 CT run" "the watcher says it stops the run"
"$PLUMB" triggers history --json --trigger slow > h3.json
"$PYTHON3_SYS" -c "
import json
r = json.load(open('h3.json'))[-1]
print(r['status'], r['pid'])" > h3.txt
assert_eq failed "$(cut -d' ' -f1 h3.txt)" "the stopped CT run is recorded failed"
p=$(cut -d' ' -f2 h3.txt)
kill -0 "$p" 2>/dev/null && fail "the CT run $p outlived the watcher" || ok
kill -0 "$(cat slow.pid)" 2>/dev/null && fail "the CT run's command outlived the watcher" || ok

for c in trigger triggers; do
	assert_status 0 "$c --help" -- "$PLUMB" $c --help
	assert_contains "$(cat "$T/.out")" "usage: plumb $c" "$c has --help"
done
done_testing
