#!/bin/sh
# tests/registry/stage.sh - plumb check as a pipeline stage: bad data stops plumb repro, good data passes.
. "$top_srcdir/tests/registry/common.sh"

bindir=$(cd "$(dirname "$PLUMB")" && pwd)
PATH="$bindir:$PATH"
export PATH
"$PLUMB" init >/dev/null
cp "$DATA/bad.csv" train.csv
cat > plumb.yaml <<'EOF'
stages:
  validate:
    cmd: plumb check train-data --junit checks.xml
    deps: [train.csv]
    outs: [checks.xml]
  train:
    cmd: cp train.csv model.bin
    deps: [train.csv, checks.xml]
    outs: [model.bin]
models:
  churn:
    stage: train
    path: model.bin
checks:
  train-data:
    data: train.csv
    columns:
      age: {type: int, min: 0, max: 120}
EOF
assert_status 1 "repro stops on bad data" -- "$PLUMB" repro
[ ! -e model.bin ] && ok || fail "train must not run after a failed check"
cp "$DATA/good.csv" train.csv
assert_status 0 "repro passes on good data" -- "$PLUMB" repro
[ -e model.bin ] && ok || fail "train ran after the check passed"
assert_contains "$(cat checks.xml)" "<testsuites" "the stage wrote its JUnit report"

# register the train stage's output: run and data versions from the pipeline
assert_status 0 "register from the models: section" -- "$PLUMB" model register churn --json
"$PLUMB" model show churn --json > v.json
train_run=$("$PLUMB" runs --filter "tags.stage = 'train'" --json | json_get 'j[0]["id"]')
assert_eq "$train_run" "$(json_get 'j["run_id"]' < v.json)" "the version comes from the train stage's run"
assert_eq "checks.xml train.csv" "$(json_get '" ".join(d["path"] for d in j["data"])' < v.json)" "data versions from plumb.lock"
assert_eq "$(sha256sum train.csv | cut -c1-64)" "$(json_get '[d["hash"] for d in j["data"] if d["path"]=="train.csv"][0]' < v.json)" "the data hash is the file's SHA-256"
assert_eq "$(sha256sum model.bin | cut -c1-64)" "$(json_get 'j["artifact"]["sha256"]' < v.json)" "the artifact is the stage's output"

done_testing
