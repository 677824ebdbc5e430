#!/bin/sh
# drift-basic.sh - `plumb drift` reports, JSON shape, options and verdicts on the committed fixtures.
. "${top_srcdir:-.}/tests/lib.sh"

D="$top_srcdir/tests/data/drift"

# Human report: a table, the share and the verdict; exit 0 even with drift.
assert_status 0 "drift with drift found exits 0" -- "$PLUMB" drift "$D/small-ref.csv" "$D/small-cur.csv"
out=$(cat "$T/.out")
assert_contains "$out" "column" "table header"
assert_contains "$out" "x_cont" "numeric column listed"
assert_contains "$out" "ks" "small reference uses ks"
assert_contains "$out" "chisquare" "chisquare for categorical"
assert_contains "$out" "DRIFT" "drift flagged"
assert_contains "$out" "5 of 7 tested columns drifted" "share line"
assert_contains "$out" "DATASET DRIFT" "verdict"

# JSON: the exact shape of the issue.
"$PLUMB" drift "$D/small-ref.csv" "$D/small-cur.csv" --json >"$T/s.json"
j=$(cat "$T/s.json")
assert_contains "$j" '"reference":{"path":"' "reference object"
assert_contains "$j" '"rows":300}' "reference rows"
assert_contains "$j" '"current":{"path":"' "current object"
assert_contains "$j" '"name":"x_cont","type":"numerical","method":"ks","statistic":0.1279345570200' "ks statistic"
assert_contains "$j" '"reference_count":298,"current_count":249,"reference_missing":2,"current_missing":1' "counts and missing"
assert_contains "$j" '"name":"c_cat","type":"categorical","method":"chisquare","statistic":"inf","p_value":0,"score":0,"threshold":0.05,"drift":true' "unseen category: inf statistic as a string"
assert_contains "$j" '"drifted":5' "drifted"
assert_contains "$j" '"dataset_drift":true' "dataset drift"
if [ -n "${PYTHON3_SYS:-}" ] && [ -x "$PYTHON3_SYS" ]; then
	if "$PYTHON3_SYS" - "$T/s.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert set(r) >= {"reference", "current", "columns", "drifted", "share", "dataset_drift"}
for c in r["columns"]:
    assert set(c) >= {"name", "type", "method", "statistic", "p_value", "score", "threshold",
                      "drift", "reference_count", "current_count", "reference_missing", "current_missing"}, c
    assert c["type"] in ("numerical", "categorical")
    if c["method"] in ("ks", "chisquare", "z", "anderson"):
        assert c["score"] == c["p_value"] or c["p_value"] is None
assert r["share"] == r["drifted"] / len(r["columns"])
PY
	then ok; else fail "JSON does not parse or has the wrong shape"; fi
fi

# Large reference: wasserstein (p_value null) and jensenshannon.
"$PLUMB" drift "$D/large-ref.csv" "$D/large-cur.csv" --json >"$T/l.json"
j=$(cat "$T/l.json")
assert_contains "$j" '"name":"n_ref_1000","type":"numerical","method":"ks"' "n_ref == 1000 is small"
assert_contains "$j" '"name":"n_ref_1001","type":"numerical","method":"wasserstein","statistic":' "n_ref 1001 is large"
assert_contains "$j" '"method":"wasserstein","statistic":0.' "wasserstein score"
assert_contains "$j" '"p_value":null' "distances have no p-value"
assert_contains "$j" '"name":"x_five","type":"numerical","method":"jensenshannon"' "5 values: JS"
assert_contains "$j" '"name":"x_six","type":"numerical","method":"wasserstein"' "6 values: wasserstein"

# --method forces a test where it applies; a note for the others.
assert_status 0 "--method ks" -- "$PLUMB" drift "$D/small-ref.csv" "$D/small-cur.csv" --method ks --json
assert_contains "$(cat "$T/.out")" '"name":"x_bin","type":"numerical","method":"ks"' "ks forced on numerical"
assert_contains "$(cat "$T/.out")" '"name":"c_cat","type":"categorical","method":"chisquare"' "categorical keeps its default"
assert_contains "$(cat "$T/.err")" "does not apply to categorical column 'c_cat'" "note about --method"
"$PLUMB" drift "$D/small-ref.csv" "$D/small-cur.csv" --method psi --json >"$T/p.json"
assert_contains "$(cat "$T/p.json")" '"name":"x_ties","type":"numerical","method":"psi","statistic":1.73021525355' "psi value"

# --columns, --threshold, --drift-share, --categorical.
"$PLUMB" drift "$D/small-ref.csv" "$D/small-cur.csv" --columns x_four,x_const --json >"$T/c.json"
j=$(cat "$T/c.json")
assert_contains "$j" '"name":"x_four"' "selected column"
assert_not_contains "$j" '"name":"x_cont"' "unselected column"
assert_contains "$j" '"drifted":0' "none drifted"
assert_contains "$j" '"dataset_drift":false' "no dataset drift"
"$PLUMB" drift "$D/small-ref.csv" "$D/small-cur.csv" --columns x_four --threshold 0.1 --json >"$T/t.json"
assert_contains "$(cat "$T/t.json")" '"threshold":0.1,"drift":true' "threshold option flips x_four"
"$PLUMB" drift "$D/small-ref.csv" "$D/small-cur.csv" --drift-share 0.8 >"$T/share.txt"
assert_contains "$(cat "$T/share.txt")" "no dataset drift" "--drift-share 0.8"
"$PLUMB" drift "$D/small-ref.csv" "$D/small-cur.csv" --columns x_ties --categorical x_ties --json >"$T/cat.json"
assert_contains "$(cat "$T/cat.json")" '"name":"x_ties","type":"categorical","method":"chisquare"' "--categorical"

# Same file on both sides: nothing drifts.
"$PLUMB" drift "$D/equal-ref.csv" "$D/equal-ref.csv" --json >"$T/same.json"
assert_contains "$(cat "$T/same.json")" '"p_value":1,' "identical samples: p = 1"
assert_contains "$(cat "$T/same.json")" '"drifted":0,"share":0' "identical: share 0"

# Tab-separated input.
tr ',' '\t' <"$D/equal-ref.csv" >tab-ref.tsv
tr ',' '\t' <"$D/equal-cur.csv" >tab-cur.tsv
"$PLUMB" drift "$D/equal-ref.csv" "$D/equal-cur.csv" --json >"$T/comma.json"
"$PLUMB" drift tab-ref.tsv tab-cur.tsv --delimiter tab --json | sed 's/"path":"[^"]*"//g' >"$T/tab.json"
sed 's/"path":"[^"]*"//g' "$T/comma.json" >"$T/comma2.json"
assert_eq "$(cat "$T/comma2.json")" "$(cat "$T/tab.json")" "tab delimiter gives the same report"

# help
assert_status 0 "help" -- "$PLUMB" drift --help
assert_contains "$(cat "$T/.out")" "usage: plumb drift" "help text"

done_testing
