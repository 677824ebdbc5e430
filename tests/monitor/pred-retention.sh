#!/bin/sh
# tests/monitor/pred-retention.sh - plumb watch with performance: {positive, threshold, metrics} on class-name labels, and retention of stored predictions (old blocks deleted at start, an id logged again after that is new).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"
PY=$PYTHON3_SYS

"$PLUMB" init > /dev/null
mkdir -p logs
# 3072 predictions 40 days old (three full blocks), then 2100 from the
# last hour; labels are class names, "yes" the positive one
"$PY" - <<'PYEOF'
import time
now = int(time.time() * 1000)
with open("logs/predictions.jsonl", "w") as p, open("logs/labels.csv", "w") as l:
    l.write("id,churned\n")
    for i in range(5172):
        ts = now - 40 * 86400000 + i if i < 3072 else now - 3600000 + i
        score = (i % 10) / 10
        p.write('{"id":"o%d","ts":%d,"prediction":"%s","score":%.1f,"features":{"x":%d}}\n'
                % (i, ts, "yes" if score >= 0.5 else "no", score, i % 7))
        # truth: yes when the score is at least 0.7
        l.write("o%d,%s\n" % (i, "yes" if score >= 0.7 else "no"))
PYEOF
cat > plumb.yaml <<YAML
monitor:
  interval: 1s
  retention: {raw: 15d}
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
      labels: {path: logs/labels.csv, label: churned}
      performance: {positive: "yes", threshold: 0.7, metrics: [accuracy, auc]}
YAML

q() {
	"$PLUMB" monitor query "$1" --json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")'
}

assert_status 0 "plumb watch --once (first)" -- "$PLUMB" watch --once
assert_eq 5172 "$(status_json "t['logs']['stored']")" "every prediction stored at first"
assert_eq 0 "$(status_json "t['logs']['labels']['malformed']")" "class-name labels are not malformed"
# the score cut at 0.7 is exactly the truth: accuracy 1, AUC 1
assert_eq 1 "$(q 'plumb_model_accuracy{target="api"}')" "threshold 0.7 on the score: accuracy 1"
assert_eq 1 "$(q 'plumb_model_auc{target="api"}')" "AUC over the raw score"
assert_eq "" "$(q 'plumb_model_f1{target="api"}')" "f1 not asked for: not written"

# the next start applies retention: the three old blocks go with labels
assert_status 0 "plumb watch --once (second)" -- "$PLUMB" watch --once
assert_eq 2100 "$(status_json "t['logs']['stored']")" "predictions older than 15d deleted"
assert_eq 2100 "$(status_json "t['logs']['labelled']")" "their labels deleted with them"

# an id of a deleted prediction is new again; a retained one a duplicate
now=$("$PY" -c 'import time; print(int(time.time() * 1000))')
echo "{\"id\":\"o5\",\"ts\":$now,\"prediction\":\"no\",\"features\":{\"x\":1}}" >> logs/predictions.jsonl
echo "{\"id\":\"o4000\",\"ts\":$now,\"prediction\":\"no\",\"features\":{\"x\":1}}" >> logs/predictions.jsonl
assert_status 0 "plumb watch --once (third)" -- "$PLUMB" watch --once
assert_eq 2101 "$(status_json "t['logs']['stored']")" "a re-logged old id is stored as new"
assert_eq 1 "$(status_json "t['logs']['predictions']['duplicates']")" "a retained id is a duplicate"

# a metric of the other task is refused at load with FILE:LINE:COL
sed -i 's/metrics: \[accuracy, auc\]/metrics: [accuracy, mae]/' plumb.yaml
assert_status 1 "plumb watch --once (bad metric)" -- "$PLUMB" watch --once
grep -q "plumb.yaml:8:.*metric .mae. does not apply to classification" "$T/.err" &&
	ok || fail "the error names the metric's place: $(cat "$T/.err")"

done_testing
