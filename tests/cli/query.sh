#!/bin/sh
# tests/cli/query.sh - plumb runs: MLflow filters, or/not/parens, sorting, limits, columns, JSON and CSV.
. "$top_srcdir/tests/lib.sh"

"$PLUMB" init -q
# name model lr loss acc team
mk() {
	"$PLUMB" run -q -e "$1" -n "$2" -p model="$3" -p lr="$4" -t team="$7" -- \
	    sh -c "echo 'metric loss $5' >&3; echo 'metric acc $6' >&3; exit $8" || true
}
mk e1 a cnn 0.01 0.20 0.90 vision 0
mk e1 b cnn 0.1 0.45 0.80 vision 0
mk e1 c mlp 0.01 0.70 0.60 nlp 1
mk e2 d rnn 0.001 0.10 0.95 nlp 0
mk e2 e CNN 0.5 0.90 0.30 Vision 0
"$PLUMB" run -q -e e2 -n f -- true	# no metrics, no params

names() { "$PLUMB" runs -c name --csv "$@" | tail -n +2 | tr '\n' ' '; }

assert_eq "a b d " "$(names -f 'metrics.loss < 0.5' -s name)" "metric <"
assert_eq "a " "$(names -f "metrics.loss < 0.5 and params.lr = \"0.01\"")" "issue's filter"
assert_eq "a b " "$(names -f "params.model = 'cnn'" -s name)" "= is case-sensitive"
assert_eq "a b e " "$(names -f "params.model ILIKE 'cnn'" -s name)" "ILIKE ignores case"
assert_eq "a b " "$(names -f "params.model LIKE 'c%'" -s name)" "LIKE is case-sensitive"
assert_eq "a b c d e " "$(names -f "params.model like '___'" -s name)" "LIKE _"
assert_eq "c d e f " "$(names -f "not params.model = 'cnn'" -s name)" "not (includes runs without it)"
assert_eq "c d e " "$(names -f "params.model != 'cnn'" -s name)" "!= excludes runs without it (MLflow)"
assert_eq "a c e " "$(names -f "metrics.acc > 0.85 and params.lr = '0.01' or metrics.loss > 0.6" -s name)" "and binds tighter than or"
assert_eq "a " "$(names -f "metrics.acc > 0.85 and (params.lr = '0.01' or metrics.loss > 0.6)" -s name)" "parentheses"
assert_eq "b d e " "$(names -f "params.lr in ('0.1', '0.001', '0.5')" -s name)" "IN"
assert_eq "a c f " "$(names -f "params.lr not in ('0.1', '0.001', '0.5') or params.lr is null" -s name)" "NOT IN, IS NULL"
assert_eq "f " "$(names -f "metrics.loss is null")" "metric IS NULL"
assert_eq "a d " "$(names -f "params.lr < 0.05 and metrics.acc >= 0.9" -s name)" "numeric compare of params"
assert_eq "c " "$(names -f "attributes.status = 'FAILED'")" "status in MLflow case"
assert_eq "a b c d e f " "$(names -f "attributes.status in ('finished', 'failed')" -s name)" "status IN"
assert_eq "d e f " "$(names -f "attributes.experiment = 'e2'" -s name)" "experiment attribute"
assert_eq "d e f " "$(names -e e2 -s name)" "--experiment"
assert_eq "a b " "$(names -f "tags.team = 'vision'" -s name)" "tags"
assert_eq "c " "$(names -f "attributes.exit_status = 1")" "exit_status"
assert_eq "a b c d e f " "$(names -f "attributes.start_time > 0 and attributes.user = '$(id -un)'" -s name)" "start_time, user"
assert_eq "a " "$(names -f 'metrics.`loss` <= 0.2 and metrics.acc = 0.9')" "backquoted key, ="

# Sorting: metric ascending/descending (runs without it last), params, several keys.
assert_eq "d a b c e f " "$(names -s metrics.loss)" "sort by metric"
assert_eq "e c b a d f " "$(names -s -metrics.loss)" "sort by metric desc"
assert_eq "e c b a d f " "$(names -s 'metrics.loss desc')" "sort KEY desc"
assert_eq "d a c b e f " "$(names -s params.lr,name)" "sort by param, then name"
assert_eq "f e d c b a " "$(names)" "default: newest first"
assert_eq "d a " "$(names -s metrics.loss -n 2)" "limit"

# Output formats.
csv=$("$PLUMB" runs -c id,name,metrics.loss,params.model --csv -f "attributes.name = 'a'")
assert_eq "id,name,metrics.loss,params.model" "$(echo "$csv" | head -1)" "csv header"
assert_contains "$(echo "$csv" | tail -1)" ",a,0.2,cnn" "csv row"
json=$("$PLUMB" runs --json -f "attributes.name = 'b'")
assert_contains "$json" '"name":"b"' "json name"
assert_contains "$json" '"metrics":{"acc":0.8,"loss":0.45}' "json metrics"
assert_contains "$json" '"params":{"lr":"0.1","model":"cnn"}' "json params"
assert_contains "$json" '"tags":{"team":"vision"}' "json tags"
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==6' <<JSON && ok || fail "runs --json is valid JSON"
$("$PLUMB" runs --json)
JSON
fi
table=$("$PLUMB" runs -s name)
assert_contains "$table" "metrics.acc" "default columns include metrics"
assert_contains "$table" "params.model" "default columns include params"
# Default value columns: the keys the filter and sort name come first,
# then others, at most 6 in all.
extra=
for k in 1 2 3 4 5 6 7; do extra="$extra -p k$k=v"; done
"$PLUMB" run -q -e e3 -n wide $extra -- sh -c 'echo "metric zz 1" >&3'
head=$("$PLUMB" runs -e e3 -f "metrics.zz > 0" -s params.k7 | head -1)
assert_contains "$head" "duration  metrics.zz  params.k7  params.k1" "named keys first"
assert_eq 6 "$(echo "$head" | tr -s ' ' '\n' | grep -c '\.')" "at most 6 value columns by default"
assert_contains "$("$PLUMB" runs -e e3 -c params.k5 --csv)" "v" "--columns still reaches any key"
narrow=$(COLUMNS=50 "$PLUMB" runs -s name)
assert_contains "$narrow" "more columns not shown" "narrow terminal drops columns"
w=$(echo "$narrow" | head -1 | wc -c)
[ "$w" -le 51 ] && ok || fail "header fits 50 columns (got $w)"

exps=$("$PLUMB" experiments --json)
assert_contains "$exps" '{"name":"e1","runs":3,"running":0' "experiments json"
done_testing
