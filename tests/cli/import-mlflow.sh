#!/bin/sh
# tests/cli/import-mlflow.sh - plumb import mlflow: a realistic mlruns/ tree and MLflow SQLite db land with exact values, deleted stays deleted, re-import adds only what is new, damage is reported by path:line.
. "$top_srcdir/tests/lib.sh"

PY=${PYTHON3_SYS:-/usr/bin/python3}
[ -x "$PY" ] || PY=$(command -v python3 || true)
# The fixtures are written by Python's standard library; without it,
# skip (automake's 77) rather than fail.
[ -n "$PY" ] || { echo "no python3: skipped"; exit 77; }
FX="$top_srcdir/tests/cli/mlflow-fixture.py"
P=a0000000000000000000000000000001
C1=a0000000000000000000000000000002
C2=a0000000000000000000000000000003
R=a0000000000000000000000000000004
A=a0000000000000000000000000000005
X=a0000000000000000000000000000006
D0=a0000000000000000000000000000007
OLD=a0000000000000000000000000000008
NEW=a000000000000000000000000000000b

# field JSON KEY: the text value of "KEY" in JSON (its last occurrence).
field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" | head -n 1; }

# check_store SOURCE_KIND: the assertions both sources must pass after the
# first import (the store is the current directory's).
check_store() {
	kind=$1
	exps=$("$PLUMB" experiments --json)
	assert_contains "$exps" '"name":"churn model","runs":5' "$kind: experiment with its runs"
	assert_contains "$exps" '"name":"Default","runs":1' "$kind: Default experiment"
	assert_not_contains "$exps" '"old"' "$kind: deleted experiment left out"
	assert_not_contains "$exps" '"trashed"' "$kind: .trash experiment left out"

	j=$("$PLUMB" show $P --json)
	assert_eq sweep "$(field "$j" name)" "$kind: run name"
	assert_eq finished "$(field "$j" status)" "$kind: FINISHED"
	assert_eq alice "$(field "$j" user)" "$kind: user"
	assert_eq 1700000001000 "$(field "$j" start_time)" "$kind: start time"
	assert_eq 1700000009000 "$(field "$j" end_time)" "$kind: end time"
	assert_eq 0123abcd0123abcd0123abcd0123abcd0123abcd "$(field "$j" commit)" "$kind: git commit from the source tag"
	assert_contains "$j" '"params":{"batch":"32","lr":"0.01","note":"two  spaces, '"'"'quotes'"'"'","opt/beta1":"0.9"}' "$kind: params exact, nested key"
	assert_contains "$j" '"team":"vision"' "$kind: tag"
	assert_contains "$j" "\"mlflow.run_id\":\"$P\"" "$kind: mlflow.run_id tag"

	j=$("$PLUMB" show $C1 --json)
	assert_eq trial-1 "$(field "$j" name)" "$kind: name from mlflow.runName"
	assert_eq failed "$(field "$j" status)" "$kind: FAILED"
	assert_eq $P "$(field "$j" parent)" "$kind: parent from mlflow.parentRunId"
	j=$("$PLUMB" show $C2 --json)
	assert_eq killed "$(field "$j" status)" "$kind: KILLED"
	assert_eq $P "$(field "$j" parent)" "$kind: second child"
	j=$("$PLUMB" show $R --json)
	assert_eq lost "$(field "$j" status)" "$kind: RUNNING becomes lost"
	assert_eq null "$(field "$j" end_time)" "$kind: no end time yet"
	assert_eq null "$(field "$j" parent)" "$kind: no parent"

	assert_status 1 "$kind: deleted run not imported" -- "$PLUMB" show $X
	assert_status 1 "$kind: run of a deleted experiment not imported" -- "$PLUMB" show $OLD

	# Every series, point by point (steps, timestamps, values, NaN, +-inf).
	out=$("$PY" "$FX" check "$PLUMB" 2>&1) && ok || fail "$kind: series differ: $out"
	assert_eq "step,timestamp,value
0,1700000001100,inf
0,1700000001200,-inf
10,1700000001300,0.75" "$("$PLUMB" metrics $P acc --csv)" "$kind: infinities and steps"
	assert_eq "step,timestamp,value
5,1700000000150,-1.5" "$("$PLUMB" metrics $D0 m --csv)" "$kind: Default run's metric"

	# Artifacts: in the cache, byte for byte.
	j=$("$PLUMB" show $A --json)
	for f in model/MLmodel model/model.pkl notes/readme.md plot.txt; do
		assert_contains "$j" "\"path\":\"$f\"" "$kind: artifact $f recorded"
	done
	h=$(printf '%s' "$j" | sed -n 's/.*"path":"model\/model.pkl","sha256":"\([0-9a-f]*\)".*/\1/p')
	obj=".plumb/cache/$(printf '%s' "$h" | cut -c1-2)/$(printf '%s' "$h" | cut -c3-)"
	[ -n "$h" ] && [ -f "$obj" ] && ok || fail "$kind: artifact object $obj missing"
	if [ -f "$obj" ]; then
		cmp -s "$obj" "$2/model/model.pkl" && ok || fail "$kind: artifact bytes differ"
	fi

	# The registry: numbers, stages, aliases and lineage kept.
	j=$("$PLUMB" model show churn@1 --json)
	assert_eq archived "$(field "$j" stage)" "$kind: v1 Archived"
	assert_eq $P "$(field "$j" run_id)" "$kind: v1's run"
	assert_eq model/MLmodel "$(field "$j" source)" "$kind: v1 keeps its model dir's MLmodel"
	assert_contains "$j" '"lr":"0.01"' "$kind: v1's params snapshot"
	assert_contains "$j" '"loss":0.25' "$kind: v1's metrics snapshot"
	assert_eq 1700000012001 "$(field "$j" created_time)" "$kind: v1's creation time"
	j=$("$PLUMB" model show churn@champion --json)
	assert_eq 2 "$(field "$j" version)" "$kind: alias champion -> v2"
	assert_eq production "$(field "$j" stage)" "$kind: v2 Production"
	assert_eq $A "$(field "$j" run_id)" "$kind: v2's run"
	assert_status 1 "$kind: deleted version v3 not imported" -- "$PLUMB" model show churn@3
	assert_not_contains "$("$PLUMB" model list)" orphan "$kind: a model with no file to hold is not made"
	assert_contains "$("$PLUMB" model history churn)" "imported from MLflow" "$kind: history says where from"
	"$PLUMB" fsck >/dev/null && ok || fail "$kind: fsck after import"
}

# ---- file store ----------------------------------------------------------
mkdir fs && cd fs
"$PLUMB" init -q
"$PY" "$FX" fs mlruns
set +e
"$PLUMB" import mlflow mlruns >out 2>err
st=$?
set -e
assert_eq 1 "$st" "damaged files make the exit status 1"
assert_contains "$(cat out)" "imported 2 experiments, 6 runs, 114 points, 5 artifacts, 8 params, 11 tags, 1 model, 2 model versions, 1 alias; skipped 4 deleted runs, 2 deleted experiments, 1 model version without a local artifact; 2 unreadable files or lines skipped" "summary"
assert_contains "$(cat err)" "mlruns/1/$C1/metrics/loss:3: not a metric point" "bad metric line by path:line"
assert_contains "$(cat err)" "mlruns/1/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/meta.yaml:3: not YAML" "bad meta.yaml by path:line"
check_store files "mlruns/1/$A/artifacts"

# Again: nothing new, and it says so.
set +e
"$PLUMB" import mlflow mlruns --json >out 2>/dev/null
set -e
assert_contains "$(cat out)" '"experiments":0,"runs":0,"runs_updated":0,"runs_unchanged":6,"points":0,"params":0,"tags":0,"artifacts":0,"models":0,"versions":0,"aliases":0' "second import adds nothing"
set +e
"$PLUMB" import mlflow mlruns >out 2>/dev/null
set -e
assert_contains "$(cat out)" "nothing new: 6 runs were already imported" "second import says so"
out=$("$PY" "$FX" check "$PLUMB" 2>&1) && ok || fail "no duplicate points: $out"

# MLflow went on: R got points and a tag and finished; a new run came.
"$PY" "$FX" more-fs mlruns
set +e
"$PLUMB" import mlflow mlruns >out 2>/dev/null
set -e
assert_contains "$(cat out)" "imported 1 run, 21 points, 1 tag; 1 run imported before got new data" "top-up summary"
j=$("$PLUMB" show $R --json)
assert_eq finished "$(field "$j" status)" "ended run follows MLflow"
assert_eq 1700000009500 "$(field "$j" end_time)" "its end time"
assert_contains "$j" '"phase":"done"' "its new tag"
out=$("$PY" "$FX" check "$PLUMB" more 2>&1) && ok || fail "series after top-up: $out"
assert_eq newer "$(field "$("$PLUMB" show $NEW --json)" name)" "new run imported"

# A metric file of garbage: the first five lines by number, then a count.
mkdir -p junk/0/cccccccccccccccccccccccccccccccc/metrics
printf 'name: Default\nlifecycle_stage: active\n' > junk/0/meta.yaml
printf 'run_id: cccccccccccccccccccccccccccccccc\nstatus: 3\nstart_time: 5\nend_time: 6\nlifecycle_stage: active\n' > junk/0/cccccccccccccccccccccccccccccccc/meta.yaml
{ for i in 1 2 3 4 5 6 7 8; do echo "garbage $i"; done; echo "7 1.5 0"; } > junk/0/cccccccccccccccccccccccccccccccc/metrics/m
set +e
"$PLUMB" import mlflow junk --json >out 2>err
st=$?
set -e
assert_eq 1 "$st" "garbage lines: exit 1"
assert_eq 6 "$(wc -l < err)" "five lines reported, then one count"
assert_contains "$(cat err)" "junk/0/cccccccccccccccccccccccccccccccc/metrics/m:5: not a metric point" "fifth line by number"
assert_contains "$(cat err)" "metrics/m: 3 more malformed lines (skipped)" "the rest counted"
assert_contains "$(cat out)" '"points":1,' "the good line imported"
assert_contains "$(cat out)" '"problems":8' "every bad line counted"

# A dry run on a fresh store counts and writes nothing.
mkdir ../dry && cd ../dry
"$PLUMB" init -q
set +e
"$PLUMB" import mlflow --dry-run ../fs/mlruns >out 2>/dev/null
set -e
assert_contains "$(cat out)" "would import 2 experiments, 7 runs, 135 points, 5 artifacts, 8 params, 12 tags, 1 model, 2 model versions, 1 alias" "dry run counts"
assert_eq "" "$("$PLUMB" runs --ids)" "dry run wrote no run"
assert_eq 0 "$(find .plumb/cache -type f | wc -l)" "dry run copied no artifact"
assert_contains "$("$PLUMB" model list)" "no models" "dry run registered nothing"

# ---- SQLite database -------------------------------------------------------
mkdir ../db && cd ../db
"$PLUMB" init -q
"$PY" "$FX" db mlflow.db art
cp mlflow.db pristine.db
"$PLUMB" import mlflow sqlite:///mlflow.db >out 2>err && ok || fail "db import: $(cat err)"
assert_contains "$(cat out)" "imported 2 experiments, 6 runs, 114 points, 5 artifacts, 8 params, 11 tags, 1 model, 2 model versions, 1 alias; skipped 4 deleted runs, 2 deleted experiments, 1 model version without a local artifact" "db summary"
check_store db "art/1/$A/artifacts"
cmp -s mlflow.db pristine.db && ok || fail "the MLflow database was written to"
"$PLUMB" import mlflow mlflow.db >out 2>&1 && ok || fail "db second import"
assert_contains "$(cat out)" "nothing new: 6 runs were already imported" "db second import adds nothing"
"$PY" "$FX" more-db mlflow.db art
"$PLUMB" import mlflow "sqlite:///$PWD/mlflow.db" >out 2>&1 && ok || fail "db top-up: $(cat out)"
assert_contains "$(cat out)" "imported 1 run, 21 points, 1 tag; 1 run imported before got new data" "db top-up summary"
j=$("$PLUMB" show $R --json)
assert_eq finished "$(field "$j" status)" "db: ended run follows MLflow"
assert_eq 1700000009500 "$(field "$j" end_time)" "db: its end time"
out=$("$PY" "$FX" check "$PLUMB" more 2>&1) && ok || fail "db series after top-up: $out"
printf 'not a database at all, just text\n' > junk.db
assert_status 1 "a .db that is no database" -- "$PLUMB" import mlflow junk.db
assert_contains "$(cat "$T/.err")" "junk.db" "names the file"

# On a terminal, a progress bar on stderr (script(1) gives it one).
if command -v script >/dev/null 2>&1; then
	mkdir ../tty && cd ../tty
	"$PLUMB" init -q
	NO_COLOR= TERM=xterm script -qec "\"$PLUMB\" import mlflow ../fs/mlruns" typescript >/dev/null 2>&1 || true
	assert_contains "$(cat typescript)" "importing runs [" "progress bar on a terminal"
	assert_contains "$(cat typescript)" "10/10 100%" "it reaches the end (10 run directories)"
	cd ../db
fi

# Usage errors.
assert_status 2 "no source" -- "$PLUMB" import
assert_status 2 "unknown kind" -- "$PLUMB" import wandb x
assert_status 1 "missing path" -- "$PLUMB" import mlflow ./nowhere
cd ..

done_testing
