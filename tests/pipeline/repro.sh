#!/bin/sh
# repro.sh - plumb repro: skips, reruns exactly what changed, restores from the cache and the run cache.
. "${top_srcdir}/tests/lib.sh"

# ran OUT: the stages a repro output says it ran, sorted, space-separated
ran() {
	grep '^running' "$1" | awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'
}

mkdir w && cd w
cat > params.yaml <<'P'
prep:
  sep: ","
train:
  lr: 0.1
  epochs: 3
eval:
  k: 5
P
printf 'x,y\n1,2\n' > raw.csv
printf 'a\n' > side.txt
cat > plumb.yaml <<'P'
stages:
  prep:
    cmd: cp raw.csv clean.csv
    deps: [raw.csv]
    params: [prep.sep]
    outs: [clean.csv]
  side:
    cmd: cp side.txt side.out
    deps: [side.txt]
    outs: [side.out]
  train:
    cmd: echo "lr=${train.lr}" > model.txt && cat clean.csv >> model.txt
    deps: [clean.csv]
    params: [train.epochs]
    outs: [model.txt]
  eval:
    cmd: >-
      echo "k ${eval.k}" > report.txt &&
      echo '{"acc": 0.75, "detail": {"f1": 0.5}}' > scores.json
    deps: [model.txt, side.out]
    outs: [report.txt]
    metrics:
      - scores.json: {cache: false}
P

"$PLUMB" repro >out1 2>err1 || fail "first repro: $(cat err1)"
assert_eq "eval prep side train" "$(ran out1)" "first repro runs every stage"
assert_contains "$(cat plumb.lock)" "schema: plumb-lock/1" "lock written"
assert_contains "$(cat plumb.lock)" "train.lr: 0.1" "a param used through \${} is recorded"

"$PLUMB" repro >out2 2>&1 || fail "second repro"
assert_eq "" "$(ran out2)" "nothing changed: nothing runs"
assert_contains "$(cat out2)" "Pipeline is up to date (4 stages" "says it is up to date"

assert_status 0 "status --check when up to date" -- "$PLUMB" status --check

# change one dep: exactly its downstream stages run again
printf 'b\n' > side.txt
assert_status 1 "status --check when a dep changed" -- "$PLUMB" status --check
assert_contains "$(cat "$T/.out")" "side
    dep side.txt changed" "status says which stage and why"
assert_contains "$("$PLUMB" status --json)" '"side":{"changed":true,"frozen":false,"restorable":false,"reasons":["dep side.txt changed"]}' "status --json"
"$PLUMB" repro >out3 2>&1 || fail "repro after side.txt"
assert_eq "eval side" "$(ran out3)" "a dep change reruns its stage and downstream"
assert_contains "$(cat out3)" "dep side.txt changed" "the reason names the dep"

# change a param: only stages using that key
sed -i 's/epochs: 3/epochs: 4/' params.yaml
"$PLUMB" repro >out4 2>&1 || fail "repro after epochs"
# train reran; its output came out the same, so eval (content-addressed) did not
assert_eq "train" "$(ran out4)" "a param change reruns only the stage using it"
assert_contains "$(cat out4)" "param train.epochs changed (3 -> 4)" "the reason names the param"
# a param nobody uses changes nothing
printf 'unused: 1\n' >> params.yaml
"$PLUMB" repro >out5 2>&1 || fail "repro after unused param"
assert_eq "" "$(ran out5)" "an unused param changes nothing"
# a param used through ${} is tracked too
sed -i 's/lr: 0.1/lr: 0.2/' params.yaml
"$PLUMB" repro >out6 2>&1 || fail "repro after lr"
assert_eq "eval train" "$(ran out6)" "a \${} param change reruns"
assert_eq "lr=0.2" "$(head -1 model.txt)" "the command saw the new value"

# delete an output: restored from the cache without running
rm model.txt
"$PLUMB" repro -n >out7n 2>&1 || fail "dry run after rm"
assert_contains "$(cat out7n)" "would restore train  (output model.txt is missing)" "a dry run says it would restore"
[ ! -e model.txt ] && ok || fail "a dry run restores nothing"
"$PLUMB" repro >out7 2>&1 || fail "repro after rm"
assert_eq "" "$(ran out7)" "a deleted output is not rebuilt"
assert_contains "$(cat out7)" "restored    train" "it is restored"
assert_eq "lr=0.2" "$(head -1 model.txt)" "with its content"
# an edited output is put back as well; the cache is not touched by the edit
echo tampered >> report.txt
"$PLUMB" repro >out8 2>&1 || fail "repro after edit"
assert_eq "" "$(ran out8)" "an edited output is not rebuilt"
assert_not_contains "$(cat report.txt)" "tampered" "the edit is undone"

# the run cache: back to an earlier param value restores without running
sed -i 's/lr: 0.2/lr: 0.1/' params.yaml
"$PLUMB" repro >out9 2>&1 || fail "repro back to lr 0.1"
assert_not_contains "$(ran out9)" "train" "inputs seen before are not run again"
assert_contains "$(cat out9)" "restored    train  (same inputs ran before (run cache))" "the run cache says so"
assert_eq "lr=0.1" "$(head -1 model.txt)" "outputs of the earlier run are back"

# --force and --dry-run
"$PLUMB" repro --dry-run >out10 2>&1 || fail "dry run"
assert_contains "$(cat out10)" "0 of 4 stages would run" "dry run of an up-to-date pipeline"
printf 'x,y\n3,4\n' > raw.csv
"$PLUMB" repro -n >out11 2>&1 || fail "dry run 2"
assert_contains "$(cat out11)" "would run   prep" "dry run names the changed stage"
assert_contains "$(cat out11)" "would run   train  (an upstream stage will run)" "and its downstream"
assert_eq "x,y
1,2" "$(cat clean.csv)" "a dry run changes nothing"
"$PLUMB" repro -q prep >out12 2>&1 || fail "target"
assert_eq "prep" "$(ran out12)" "a target runs only it and its upstream"
"$PLUMB" repro --force -s side >out13 2>&1 || fail "force"
assert_eq "side" "$(ran out13)" "--force -s runs just the target"

# tracked runs: tags, reason, metrics from metrics files
"$PLUMB" runs --csv -c tags.stage,metrics.acc,metrics.detail.f1 >runs.csv 2>&1 ||
	fail "runs"
assert_contains "$(cat runs.csv)" "eval," "stage runs are tracked with a stage tag"
assert_contains "$(cat runs.csv)" "0.75,0.5" "metrics files are ingested (nested keys dotted)"
assert_eq "w" "$("$PLUMB" runs --csv -c experiment -n 1 | tail -1)" "experiment = the pipeline's directory"

# a failing stage stops its downstream; --keep-going runs the others
cat > plumb.yaml <<'P'
stages:
  bad:
    cmd: echo boom >&2; exit 3
    outs: [bad.out]
  after:
    cmd: cp bad.out after.out
    deps: [bad.out]
    outs: [after.out]
  indep:
    cmd: echo ok > indep.out
    outs: [indep.out]
P
rm -f plumb.lock
set +e
"$PLUMB" repro -j 1 -k >f1 2>&1; st=$?
set -e
assert_eq 1 "$st" "a failed stage makes repro exit 1"
assert_contains "$(cat f1)" "FAILED      bad  (exit status 3" "the failure is reported"
assert_contains "$(cat f1)" "| boom" "with the tail of its stderr"
assert_contains "$(cat f1)" "blocked     after  (upstream bad failed)" "downstream is blocked"
assert_contains "$(cat f1)" "done        indep" "--keep-going runs independent stages"
assert_not_contains "$(cat plumb.lock)" "bad:" "a failed stage is not in the lock"
assert_contains "$(cat plumb.lock)" "indep:" "a stage that succeeded is"
assert_contains "$("$PLUMB" runs --csv -c tags.stage,status)" "bad,failed" "its run is failed"

# an output a stage did not produce is an error
cat > plumb.yaml <<'P'
stages:
  lazy:
    cmd: "true"
    outs: [never.txt]
P
set +e
"$PLUMB" repro >f2 2>&1; st=$?
set -e
assert_eq 1 "$st" "missing output fails the stage"
assert_contains "$(cat f2)" "output never.txt was not produced" "and says which"

done_testing
