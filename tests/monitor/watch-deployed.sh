#!/bin/sh
# tests/monitor/watch-deployed.sh - drift: {reference: deployed} follows the registry: no model, no production version, then the training CSV of the production version's lineage; a running watcher swaps the reference when another version is promoted, and the same traffic stops drifting.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"

"$PLUMB" init > /dev/null
"$PYTHON3_SYS" "$EX/load-gen.py" --reference train.csv -n 600 > /dev/null
echo weights > model.bin
mkdir logs
cat > plumb.yaml <<'YAML'
monitor:
  targets:
    api:
      model: churn
      predictions: {path: logs/p.jsonl}
      drift: {min_rows: 20}
YAML
# 40 predictions whose f0 is far from the training data's
i=0
while [ $i -lt 40 ]; do
	echo "{\"id\":\"x$i\",\"ts\":$(date +%s),\"features\":{\"f0\":$((50 + i)),\"f1\":0.1,\"f2\":-0.2,\"f3\":0.3},\"prediction\":1}"
	i=$((i + 1))
done > logs/p.jsonl

assert_status 0 "watch without the model registered" -- "$PLUMB" watch --once
assert_contains "$(cat "$T/.out")" "drift: no-reference model 'churn' is not in the registry" "no model"
assert_eq 40 "$(status_json "t['logs']['stored']")" "the rest of the target is collected"

"$PLUMB" run -- true > /dev/null 2>&1
run=$("$PLUMB" runs --json | "$PYTHON3_SYS" -c "import json,sys; print(json.load(sys.stdin)[0]['id'])")
"$PLUMB" model register churn --run "$run" --path model.bin --data train.csv > /dev/null
assert_status 0 "watch with no production version" -- "$PLUMB" watch --once
assert_contains "$(cat "$T/.out")" "has no deployed (production) version" "no production version"

"$PLUMB" model promote churn@1 --to production --force --reason test > /dev/null
assert_status 0 "watch against the deployed version" -- "$PLUMB" watch --once
assert_contains "$(cat "$T/.out")" "api drift: drift" "drift found against the training data"
assert_status 0 "events" -- "$PLUMB" monitor events --kind drift-reference
assert_contains "$(cat "$T/.out")" "churn v1 training data train.csv" "which reference was used"
share=$(status_json "t['drift_share']")
assert_eq yes "$("$PYTHON3_SYS" -c "print('yes' if $share > 0 else 'no')")" "drift share $share > 0"

# --- a running watcher follows a promotion: v2, trained on data like
# the traffic, takes production; the reference swaps without a restart
# and the same traffic no longer drifts ---
"$PYTHON3_SYS" - > train2.csv <<'PY'
import random
random.seed(7)
print("f0,f1,f2,f3")
for i in range(600):
    print(f"{random.uniform(50, 95):.4f},0.1,-0.2,0.3")
PY
cat > plumb.yaml <<'YAML'
monitor:
  interval: 1s
  targets:
    api:
      model: churn
      predictions: {path: logs/p.jsonl}
      drift: {min_rows: 20, window: {rows: 40}}
YAML
"$PLUMB" watch > w.log 2>&1 &
W=$!
PIDS="$W $PIDS"
wait_for w.log "api drift: drift" 100 || fail "the watcher did not find the drift: $(cat w.log)"
"$PLUMB" model register churn --run "$run" --path model.bin --data train2.csv > /dev/null
"$PLUMB" model promote churn@2 --to production --force --reason retrained > /dev/null
# new traffic like v2's training data
i=0
while [ $i -lt 40 ]; do
	echo "{\"id\":\"y$i\",\"ts\":$(date +%s),\"features\":{\"f0\":$((55 + i)),\"f1\":0.1,\"f2\":-0.2,\"f3\":0.3},\"prediction\":1}"
	i=$((i + 1))
done >> logs/p.jsonl
i=0
until "$PLUMB" monitor events --kind drift-reference 2>/dev/null | grep -q "churn v2 training data train2.csv"; do
	[ $i -lt 100 ] || break; sleep 0.1; i=$((i + 1))
done
assert_contains "$("$PLUMB" monitor events --kind drift-reference)" "churn v2 training data train2.csv" \
	"the running watcher swapped to v2's training data"
i=0
while [ "$(status_json "t['drift_share'] == 0")" != True ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
assert_eq True "$(status_json "t['drift_share'] == 0")" "no drift against the new reference ($(status_json "t['drift_share']"))"
kill -TERM "$W"
wait "$W"
assert_eq 0 $? "watcher exits 0"
done_testing
