#!/bin/sh
# tests/registry/repro-register.sh - the models: section registers a stage's output each time the stage succeeds.
. "$top_srcdir/tests/registry/common.sh"

"$PLUMB" init >/dev/null
printf 'x,y\n1,2\n' > data.csv
cat > train.sh <<'SH'
cat clean.csv > model.bin
echo '{"accuracy": 0.9}' > m.json
SH
cat > plumb.yaml <<'YAML'
stages:
  prepare:
    cmd: cp data.csv clean.csv
    deps: [data.csv]
    outs: [clean.csv]
  train:
    cmd: sh train.sh
    deps: [clean.csv, train.sh]
    outs: [model.bin]
    metrics: [m.json]
models:
  churn:
    stage: train
    path: model.bin
    description: churn classifier
YAML
out=$("$PLUMB" repro 2>&1) || fail "first repro: $out"
assert_contains "$out" "registered  churn v1" "repro says what it registered"
"$PLUMB" model show churn --json > v1.json
train_run=$("$PLUMB" runs --ids -f "tags.stage = 'train'")
assert_contains "$(cat v1.json)" "\"run_id\":\"$train_run\"" "v1 comes from the train stage's run"
assert_contains "$(cat v1.json)" "$(sha256sum model.bin | cut -c1-64)" "v1's artifact is the stage output"
assert_contains "$(cat v1.json)" "$(sha256sum clean.csv | cut -c1-64)" "v1's lineage holds the dep's hash from plumb.lock"
assert_contains "$(cat v1.json)" '"description":"churn classifier"' "description from models:"

# Nothing changed: nothing runs, nothing is registered.
out=$("$PLUMB" repro 2>&1) || fail "second repro: $out"
assert_not_contains "$out" "registered" "an up-to-date stage registers nothing"
assert_eq 1 "$("$PLUMB" model show churn --json | sed -n 's/.*"version":\([0-9]*\).*/\1/p' | head -1)" "still v1"

# New data: train runs again and v2 appears, with the new data version.
printf 'x,y\n3,4\n' > data.csv
out=$("$PLUMB" repro 2>&1) || fail "third repro: $out"
assert_contains "$out" "registered  churn v2" "a new execution registers v2"
assert_contains "$("$PLUMB" model show churn@2 --json)" "$(sha256sum clean.csv | cut -c1-64)" "v2 records the new data"

# A failing stage registers nothing.
echo 'exit 3' > train.sh
set +e
out=$("$PLUMB" repro 2>&1)
set -e
assert_not_contains "$out" "registered" "a failed stage registers nothing"
assert_contains "$("$PLUMB" audit --json --action model.register)" '"action":"model.register"' "registrations are audited"
done_testing
