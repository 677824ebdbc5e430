#!/bin/sh
# dvc.sh - a DVC-style dvc.yaml (vars, ${}, foreach, matrix, wdir, persist, plots, frozen) runs unchanged.
. "${top_srcdir}/tests/lib.sh"

cp -R "${top_srcdir}/tests/data/pipeline/dvc-project" p
chmod -R u+w p
cd p
"$PLUMB" dag >dag.out 2>&1 || fail "dag: $(cat dag.out)"
for s in prepare@us prepare@eu features@us features@eu train@linear-1 \
    train@linear-2 train@tree-1 train@tree-2 report publish; do
	assert_contains "$(cat dag.out)" "$s" "stage $s is expanded"
done
assert_contains "$(cat dag.out)" "report  <- train@linear-1, train@linear-2, train@tree-1, train@tree-2" \
	"a dep on a directory depends on the outputs inside it"

"$PLUMB" repro >r1 2>&1 || fail "repro: $(cat r1)"
assert_contains "$(cat r1)" "9 ran, 0 restored" "every stage but the frozen one ran"
assert_contains "$(cat r1)" "frozen      publish" "the frozen stage did not"
assert_eq "us,0
us,1
us,2" "$(cat data/us.csv)" "foreach over a params mapping: \${key}, \${item.rows}"
assert_eq "eu:0
eu:1" "$(cat features/eu.txt)" "foreach over a list; vars file with :keys"
assert_eq "model=tree depth=2 args=--lr 0.5 --verbose --layers 8 4" \
	"$(cat models/tree-2.txt)" "matrix item values and dictionary unpacking"
assert_contains "$(cat results/summary.txt)" "model=linear depth=1" "wdir from vars; a list cmd"
[ ! -e published.txt ] && ok || fail "a frozen stage must not run"
assert_contains "$(cat plumb.lock)" "train@tree-2:" "expanded names in the lock"
assert_contains "$(cat plumb.lock)" "cmd: sh src/train.sh tree 2 --lr 0.5 --verbose --layers 8 4 > models/tree-2.txt" \
	"the lock records the command as run"
assert_contains "$(cat plumb.lock)" "seed: 42" "explicit params are recorded"
assert_contains "$(cat plumb.lock)" "      train:
          lr: 0.5" "params read through \${} are recorded (a mapping whole)"
[ ! -e dvc.lock ] && ok || fail "plumb does not write dvc.lock"

"$PLUMB" repro >r2 2>&1 || fail "second repro"
assert_contains "$(cat r2)" "Pipeline is up to date (10 stages" "nothing to do the second time"

# a foreach item changes: only that stage (and what reads its output)
sed -i 's/rows: 2/rows: 1/' params.yaml
"$PLUMB" status >s1 2>&1 || fail "status"
assert_contains "$(cat s1)" "prepare@eu" "status names the changed foreach stage"
assert_contains "$(cat s1)" "command changed" "because its command changed"
assert_not_contains "$(cat s1)" "prepare@us" "its sibling did not change"
"$PLUMB" repro >r3 2>&1 || fail "repro 3"
assert_contains "$(cat r3)" "running     prepare@eu" "the changed item runs"
assert_contains "$(cat r3)" "running     features@eu" "and its downstream"
assert_not_contains "$(cat r3)" "running     prepare@us" "not its sibling"
assert_not_contains "$(cat r3)" "running     features@us" "nor its sibling's downstream"
# a dict param used through unpacking in cmd
sed -i 's/lr: 0.5/lr: 0.25/' params.yaml
"$PLUMB" repro >r4 2>&1 || fail "repro 4"
assert_contains "$(cat r4)" "running     train@tree-1" "the unpacked params reach the command"
assert_contains "$(cat models/linear-1.txt)" "--lr 0.25" "with the new value"
# metrics of the report stage are its run's metrics
assert_contains "$("$PLUMB" runs --csv -c name,metrics.score.best,metrics.score.runs)" \
	"report,0.87,4" "nested metrics keys are dotted"
# targets: a group name selects the group
"$PLUMB" repro --force -s train >r5 2>&1 || fail "repro group"
assert_contains "$(cat r5)" "4 ran" "a matrix group name selects its 4 stages"

done_testing
