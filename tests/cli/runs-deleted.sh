#!/bin/sh
# tests/cli/runs-deleted.sh - runs deleted through MLflow's API (runs/delete, experiments/delete) are hidden from `plumb runs` and `plumb experiments` as MLflow hides them; --deleted and --all-runs show them; a restore brings them back.
. "$top_srcdir/tests/lib.sh"

command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
"$PLUMB" init -q
"$PLUMB" run -q -n kept -- true
"$PLUMB" run -q -n gone -- true

srvpid=
stop() { [ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null; wait "$srvpid" 2>/dev/null || true; srvpid=; }
trap 'stop; cd /; rm -rf "$T"' EXIT INT TERM
"$PLUMB" serve --port 0 2> serve.log &
srvpid=$!
n=0
while ! grep -q "listening on" serve.log && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
API=$(sed -n 's|.*listening on \(http://[^ ]*\)/ .*|\1|p' serve.log)/api/2.0/mlflow
[ -n "$API" ] || { fail "serve did not start: $(cat serve.log)"; done_testing; exit 1; }
post() { curl -s -X POST -H 'Content-Type: application/json' -d "$2" "$API/$1"; }

gone=$("$PLUMB" runs --csv -c id,name | sed -n 's/,gone$//p')
kept=$("$PLUMB" runs --csv -c id,name | sed -n 's/,kept$//p')
assert_eq "{}" "$(post runs/delete "{\"run_id\":\"$gone\"}")" "runs/delete"
assert_eq "$kept" "$("$PLUMB" runs --ids)" "plumb runs hides the deleted run"
assert_eq "$gone" "$("$PLUMB" runs --ids --deleted)" "plumb runs --deleted"
assert_eq 2 "$("$PLUMB" runs --ids --all-runs | wc -l)" "plumb runs --all-runs"
assert_eq "$kept" "$("$PLUMB" runs --ids -f "attributes.status = 'FINISHED'")" "a filter does not bring it back"
assert_contains "$("$PLUMB" experiments --json)" '"runs":1' "the experiment counts its live run only"
assert_status 2 "--deleted with --all-runs" -- "$PLUMB" runs --deleted --all-runs

# an experiment deleted: its runs and itself are hidden
exp=$(post experiments/create '{"name":"doomed"}' | sed -n 's/.*"experiment_id":"\([0-9]*\)".*/\1/p')
r=$(post runs/create "{\"experiment_id\":\"$exp\",\"run_name\":\"in-doomed\"}" | sed -n 's/.*"run_id":"\([0-9a-f]*\)".*/\1/p')
assert_eq 2 "$("$PLUMB" runs --ids | wc -l)" "a new run in a new experiment is listed"
post experiments/delete "{\"experiment_id\":\"$exp\"}" > /dev/null
assert_eq "$kept" "$("$PLUMB" runs --ids)" "the deleted experiment's run is hidden"
assert_not_contains "$("$PLUMB" experiments)" "doomed" "the deleted experiment is not listed"
post experiments/restore "{\"experiment_id\":\"$exp\"}" > /dev/null
assert_contains "$("$PLUMB" runs --ids)" "$r" "a restored experiment's run is back"
post runs/restore "{\"run_id\":\"$gone\"}" > /dev/null
assert_eq 3 "$("$PLUMB" runs --ids | wc -l)" "a restored run is listed again"
stop
done_testing
