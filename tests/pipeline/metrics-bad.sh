#!/bin/sh
# metrics-bad.sh - a stage's broken metrics files are never dropped in silence (issue 15 item 7): a
# warning names the file and the key (or FILE:LINE:COL of the parse error), the stage's run records
# what was skipped in its tag skipped_metrics, and the good values are still ingested.
. "${top_srcdir}/tests/lib.sh"

mkdir w && cd w
printf '{"acc": 0.9,\n "loss": 0.1\n' > broken.src
printf '{"acc": 0.9, "loss": }\n' > null.src
printf '{"acc": 0.75, "loss": NaN, "nested": {"f1": Infinity, "auc": -Infinity}}\n' > nf.src
printf 'acc: .nan\nrecall: 0.5\nbig: .inf\nmodel: resnet\nok: true\n' > m.src
printf '0.5\n' > scalar.src
printf '{"acc": 0.5}\n' > good.src
cat > plumb.yaml <<'P'
stages:
  broken:
    cmd: cp broken.src broken.json
    metrics: [broken.json]
  null:
    cmd: cp null.src null.json
    metrics: [null.json]
  nonfinite:
    cmd: cp nf.src nf.json
    metrics: [nf.json]
  yaml:
    cmd: cp m.src m.yaml
    metrics: [m.yaml]
  notmap:
    cmd: cp scalar.src scalar.json && touch empty.json
    metrics: [scalar.json, empty.json]
  good:
    cmd: cp good.src good.json
    metrics: [good.json]
P
"$PLUMB" init -q
assert_status 0 "repro with broken metrics files" -- "$PLUMB" repro
err=$(cat "$T/.err")
assert_contains "$err" "plumb: warning: stage broken: broken.json:3:1: YAML syntax error" "broken JSON: FILE:LINE:COL"
assert_contains "$err" "stage null: null.json:1:22: key 'loss' has no value" "a key without a value"
assert_contains "$err" "stage nonfinite: nf.json:1:" "NaN: file and position"
assert_contains "$err" "key 'loss' is NaN, not a finite number" "NaN: key named"
assert_contains "$err" "key 'nested.f1' is Infinity, not a finite number" "Infinity: nested key named"
assert_contains "$err" "key 'nested.auc' is -Infinity" "-Infinity: key named"
assert_contains "$err" "stage yaml: m.yaml:1:6: key 'acc' is .nan, not a finite number" "YAML .nan"
assert_contains "$err" "m.yaml:3:6: key 'big' is .inf" "YAML .inf"
assert_not_contains "$err" "model" "text values are not metrics (as DVC): no warning"
assert_contains "$err" "stage notmap: scalar.json: not a mapping of metrics" "a scalar file"
assert_contains "$err" "empty.json: empty file, no metrics in it" "an empty file"
assert_not_contains "$err" "stage good" "no warning for a good file"

tag() {	# STAGE: its run's skipped_metrics tag
	"$PLUMB" runs --csv -c tags.skipped_metrics -f "tags.stage = '$1'" | sed 1d
}
assert_contains "$(tag broken)" "broken.json:3:1:" "the run records the broken file"
assert_contains "$(tag nonfinite)" "key 'loss' is NaN" "the run records the NaN key"
assert_contains "$(tag nonfinite)" "key 'nested.f1' is Infinity" "the run records the Infinity key"
assert_eq "" "$(tag good)" "nothing recorded for a good file"

# the finite values are still there, the skipped ones are not
vals=$("$PLUMB" runs --csv -c tags.stage,metrics.acc,metrics.loss,metrics.recall,metrics.big -s tags.stage | sed 1d)
assert_contains "$vals" "nonfinite,0.75,," "finite values of a file with NaN are kept"
assert_contains "$vals" "yaml,,,0.5," "YAML: finite kept, .nan and .inf skipped"
assert_contains "$vals" "good,0.5,," "good file"

done_testing
