#!/bin/sh
# subdirs.sh - dvc.yaml files in subdirectories are collected as DVC collects them: addresses sub/dvc.yaml:stage, paths relative to each file, one graph, targets by address, file or unambiguous name.
. "${top_srcdir}/tests/lib.sh"

mkdir -p w/models/train w/.git w/ignored w/etl && cd w
cat > dvc.yaml <<'YAML'
stages:
  prepare:
    cmd: mkdir -p data && echo raw > data/raw.csv
    outs: [data/raw.csv]
  report:
    cmd: cat models/train/model.bin > report.txt
    deps: [models/train/model.bin]
    outs: [report.txt]
YAML
cat > models/train/dvc.yaml <<'YAML'
vars: [cfg.yaml]
stages:
  fit:
    cmd: (cat ../../data/raw.csv; echo ${lr}) > model.bin
    deps: [../../data/raw.csv]
    params: [lr]
    outs: [model.bin]
  evaluate:
    foreach: ${splits}
    do:
      wdir: eval
      cmd: echo ${item} > ${item}.json
      deps: [../model.bin]
      metrics:
        - ${item}.json
YAML
printf 'lr: 0.1\n' > models/train/params.yaml
printf 'splits: [test, val]\n' > models/train/cfg.yaml
# never read: under .git/, or named by .dvcignore
printf 'stages: [broken\n' > .git/dvc.yaml
printf 'stages: [broken\n' > ignored/dvc.yaml
printf 'ignored/\n' > .dvcignore
# a second file with a stage named like one of models/train
cat > etl/dvc.yaml <<'YAML'
stages:
  fit:
    cmd: echo etl > etl.txt
    outs: [etl.txt]
YAML

"$PLUMB" dag --json > dag.json 2> err.txt || fail "dag: $(cat err.txt)"
dag=$(cat dag.json)
assert_contains "$dag" '"name":"models/train/dvc.yaml:fit"' "a stage of a sub file is named by its address"
assert_contains "$dag" '"name":"models/train/dvc.yaml:evaluate@test","group":"models/train/dvc.yaml:evaluate"' "foreach in a sub file, vars read next to it"
assert_contains "$dag" '"wdir":"models/train/eval"' "wdir is relative to the sub file"
assert_contains "$dag" '{"from":"prepare","to":"models/train/dvc.yaml:fit","via":"../../data/raw.csv"}' "edge from the main file into a sub file"
assert_contains "$dag" '{"from":"models/train/dvc.yaml:fit","to":"report","via":"models/train/model.bin"}' "edge from a sub file into the main file"
assert_contains "$dag" '{"from":"models/train/dvc.yaml:fit","to":"models/train/dvc.yaml:evaluate@val","via":"../model.bin"}' "edge inside the sub file"
assert_contains "$dag" '"name":"etl/dvc.yaml:fit"' "every sub file is read"
assert_not_contains "$dag" "ignored" ".dvcignore'd directories are skipped"
[ ! -e .plumb ] && ok || fail "dag wrote a store"

"$PLUMB" init -q
"$PLUMB" repro > r1 2>&1 || fail "repro: $(cat r1)"
assert_eq "raw
0.1" "$(cat models/train/model.bin 2>/dev/null)" "the sub stage ran in its directory with its params.yaml"
[ -f models/train/eval/val.json ] && [ -f report.txt ] && [ -f etl/etl.txt ] && ok || fail "every stage ran: $(cat r1)"
"$PLUMB" status > s1 2>&1 || fail "status: $(cat s1)"
assert_not_contains "$(cat s1)" "changed" "all up to date: $(cat s1)"

# the sub file's params.yaml is the one that counts
printf 'lr: 0.2\n' > models/train/params.yaml
"$PLUMB" status > s2 2>&1 || fail "status: $(cat s2)"
assert_contains "$(cat s2)" "models/train/dvc.yaml:fit" "a param of the sub file changed"
assert_contains "$(cat s2)" "param lr changed (0.1 -> 0.2)" "with the reason"

# targets: an address, a file, an unambiguous bare name, the main file's address
"$PLUMB" repro --dry-run --single-item models/train/dvc.yaml:fit > t1 2>&1 || fail "address: $(cat t1)"
assert_contains "$(cat t1)" "models/train/dvc.yaml:fit" "target by address"
assert_not_contains "$(cat t1)" "evaluate" "only that stage"
"$PLUMB" repro --dry-run --force --single-item models/train/dvc.yaml > t2 2>&1 || fail "file target: $(cat t2)"
assert_contains "$(cat t2)" "evaluate@val" "a file selects its stages"
assert_not_contains "$(cat t2)" "etl/" "and no other file's"
"$PLUMB" repro --dry-run --force --single-item evaluate@test > t3 2>&1 || fail "bare name: $(cat t3)"
assert_contains "$(cat t3)" "models/train/dvc.yaml:evaluate@test" "an unambiguous bare name finds the sub file's stage"
assert_status 1 "ambiguous" -- "$PLUMB" status fit
assert_contains "$(cat "$T/.err")" "'fit' is ambiguous: etl/dvc.yaml:fit or models/train/dvc.yaml:fit" "an ambiguous name lists the candidates"
"$PLUMB" repro --dry-run --force --single-item dvc.yaml:report > t4 2>&1 || fail "main address: $(cat t4)"
assert_contains "$(cat t4)" "report" "the main file's address"
assert_not_contains "$(cat t4)" "prepare" "(only it)"
"$PLUMB" repro models/train/dvc.yaml:fit > r2 2>&1 || fail "repro: $(cat r2)"
assert_eq "raw
0.2" "$(cat models/train/model.bin)" "repro by address"

# errors point into the sub file
printf 'stages:\n  bad:\n    cmd: echo\n    dep: [x]\n' > etl/dvc.yaml
assert_status 1 "bad sub file" -- "$PLUMB" dag
assert_contains "$(cat "$T/.err")" "etl/dvc.yaml:4:5: unknown key 'dep'" "file:line:col of the sub file"
printf 'stages:\n  out:\n    cmd: echo\n    outs: [../../outside]\n' > etl/dvc.yaml
assert_status 1 "escaping sub file" -- "$PLUMB" dag
assert_contains "$(cat "$T/.err")" "etl/dvc.yaml:4:12: stage 'etl/dvc.yaml:out': output '../../outside' is outside" "confinement holds for sub files"
printf 'stages:\n  dup:\n    cmd: echo > ../report.txt\n    outs: [../report.txt]\n' > etl/dvc.yaml
assert_status 1 "one output, two files" -- "$PLUMB" dag
assert_contains "$(cat "$T/.err")" "is also an output of stage" "outputs are unique across files"
rm etl/dvc.yaml
printf '' > etl/dvc.yaml
"$PLUMB" dag > /dev/null 2>&1 && ok || fail "an empty sub file has no stages"

# -f names one file: nothing else is collected
cp dvc.yaml only.yaml
"$PLUMB" dag --json -f only.yaml > d2 2>&1 || fail "dag -f: $(cat d2)"
assert_not_contains "$(cat d2)" "models/train/dvc.yaml:" "-f X.yaml reads X.yaml alone"
done_testing
