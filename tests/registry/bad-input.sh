#!/bin/sh
# tests/registry/bad-input.sh - every "bad input" of the registry issue gets a clear error and loses nothing.
. "$top_srcdir/tests/registry/common.sh"

"$PLUMB" init >/dev/null
r1=$(train 0.90 12)
"$PLUMB" model register churn --run "$r1" --path model.bin >/dev/null

# --- unknown model, version, reference; bad names ---
assert_status 1 "unknown model" -- "$PLUMB" model show nope
assert_contains "$(cat "$T/.err")" "plumb: no model named 'nope' (models: churn)" "unknown model message"
assert_status 1 "unknown version" -- "$PLUMB" model show churn@7
assert_contains "$(cat "$T/.err")" "model churn has no version 7 (versions 1 to 1)" "unknown version message"
assert_status 1 "unknown alias" -- "$PLUMB" model show churn@bogus
assert_contains "$(cat "$T/.err")" "no version, stage or alias 'bogus'" "unknown reference message"
assert_status 1 "empty stage" -- "$PLUMB" model show churn@production
assert_contains "$(cat "$T/.err")" "no version of churn is in production" "empty stage message"
assert_status 1 "unknown model history" -- "$PLUMB" model history nope
assert_status 1 "invalid model name" -- "$PLUMB" model register 'bad name!' --run "$r1" --path model.bin
assert_contains "$(cat "$T/.err")" "invalid model name" "invalid name message"
assert_status 1 "missing artifact" -- "$PLUMB" model register churn --run "$r1" --path nothere.bin
assert_contains "$(cat "$T/.err")" "no file 'nothere.bin'" "missing artifact message"
assert_status 1 "unknown run" -- "$PLUMB" model register churn --run ffff --path model.bin
assert_status 2 "register without path" -- "$PLUMB" model register churn --run "$r1"
assert_status 2 "unknown subcommand" -- "$PLUMB" model frobnicate
assert_status 2 "model without subcommand" -- "$PLUMB" model

# --- a stage that does not exist ---
assert_status 2 "unknown stage" -- "$PLUMB" model promote churn@1 --to prod
assert_contains "$(cat "$T/.err")" "no stage 'prod' (stages: none, staging, production, archived)" "unknown stage message"
assert_status 2 "promote without --to" -- "$PLUMB" model promote churn@1
assert_status 1 "rollback with nothing in production" -- "$PLUMB" model rollback churn
assert_contains "$(cat "$T/.err")" "nothing to roll back" "empty rollback message"
assert_status 0 "promote to staging (no config, no gates)" -- "$PLUMB" model promote churn@1 --to staging
assert_status 1 "promote to the stage it is in" -- "$PLUMB" model promote churn@1 --to staging
assert_contains "$(cat "$T/.err")" "already in staging" "already-there message"
assert_eq 2 "$("$PLUMB" model history churn --json | json_get 'len(j)')" "refused commands left no history"

# --- a gate naming a metric the run lacks: a failed gate, explained ---
cat > plumb.yaml <<'EOF'
checks:
  f1-gate:
    gate: f1 >= 0.5
EOF
assert_status 1 "gate on a missing metric" -- "$PLUMB" model promote churn@1 --to production
assert_contains "$(cat "$T/.out")" "churn v1 has no metric 'f1' (its metrics: accuracy, latency_p95_ms, loss)" "missing metric explained"
assert_eq staging "$("$PLUMB" model show churn@1 --json | json_get 'j["stage"]')" "nothing changed after the failed gate"
assert_status 1 "check --model with missing metric" -- "$PLUMB" check --model churn@1
assert_contains "$(cat "$T/.out")" "FAIL  f1 >= 0.5" "check reports the failed gate"

# --- malformed checks: / deploy: sections: FILE:LINE:COL ---
bad_yaml() {	# bad_yaml EXPECTED-MESSAGE: plumb.yaml from stdin
	cat > plumb.yaml
	assert_status 1 "bad plumb.yaml: $1" -- "$PLUMB" check
	assert_contains "$(cat "$T/.err")" "$1" "position and message"
	assert_status 1 "bad plumb.yaml refuses promotion too: $1" -- "$PLUMB" model promote churn@1 --to production
}
bad_yaml "plumb: plumb.yaml:5:11: unknown column rule 'maximum'" <<'EOF'
checks:
  d:
    data: x.csv
    columns:
      a: {maximum: 3}
EOF
bad_yaml "plumb: plumb.yaml:4:19: bad gate 'accuracy >> 0.9': expected a number" <<'EOF'
checks:
  g:
    gates:
      - accuracy >> 0.9
EOF
bad_yaml "plumb: plumb.yaml:3:5: deploy target 'local' needs cmd:" <<'EOF'
deploy:
  local:
    health: true
EOF
bad_yaml "plumb: plumb.yaml:4:14: timeout must be a number, not 'soon'" <<'EOF'
deploy:
  local:
    cmd: "true"
    timeout: soon
EOF
bad_yaml "plumb: plumb.yaml:3:12: stage of a deploy target must be staging or production" <<'EOF'
deploy:
  local:
    stage: prod
    cmd: "true"
EOF
bad_yaml "plumb: plumb.yaml:4:25: unknown column type 'integr'" <<'EOF'
checks:
  d:
    data: x.csv
    columns: {a: {type: integr}}
EOF
bad_yaml "plumb: plumb.yaml:3:5: check 'c' needs data:" <<'EOF'
checks:
  c:
    rows: {min: 1}
EOF
bad_yaml "plumb: plumb.yaml:3:1: did not find expected" <<'EOF'
checks:
 - [unclosed
EOF
bad_yaml "plumb: plumb.yaml:1:9: checks must be a mapping, not a list" <<'EOF'
checks: [a, b]
EOF

# --- a CSV that does not match its schema: first bad rows with lines ---
cp "$DATA/bad.csv" data.csv
cat > plumb.yaml <<'EOF'
checks:
  data:
    data: data.csv
    rows: {min: 10}
    columns:
      id: {type: int, unique: true}
      age: {type: int, required: true, min: 0, max: 120}
      country: {allowed: [FR, DE, US]}
      missing_col: {type: float}
EOF
assert_status 1 "bad CSV" -- "$PLUMB" check data
out=$(cat "$T/.out")
assert_contains "$out" "FAIL  rows: 7 rows, expected 10 to any" "row count"
assert_contains "$out" "line 9: expected 4 fields, found 2" "wrong field count, with line"
assert_contains "$out" "line 3: 'abc' is not an int" "type error, with line"
assert_contains "$out" "line 4: '130' is out of range [0, 120]" "range error, with line"
assert_contains "$out" "line 6: '' is missing (required)" "required error, with line"
assert_contains "$out" "line 5: '2' is a duplicate" "duplicate, with line"
assert_contains "$out" "line 7: '6^J' is not an int" "record spanning lines starts at its first line"
assert_contains "$out" "line 5: 'XX' is not an allowed value" "allowed values, with line"
assert_contains "$out" "column 'missing_col' is not in data.csv" "missing column"
assert_status 1 "unknown check name" -- "$PLUMB" check nosuch
assert_contains "$(cat "$T/.err")" "no check named 'nosuch'" "unknown check message"
assert_status 1 "missing CSV file is an error item" -- "$PLUMB" check --config /dev/null --model churn@1
cat > plumb.yaml <<'EOF'
checks:
  gone:
    data: nowhere.csv
EOF
assert_status 1 "missing CSV" -- "$PLUMB" check
assert_contains "$(cat "$T/.out")" "ERROR file: cannot read" "missing file reported"

# --- nothing was lost ---
assert_eq 2 "$("$PLUMB" model history churn --json | json_get 'len(j)')" "history intact"
assert_status 0 "fsck" -- "$PLUMB" fsck

done_testing
