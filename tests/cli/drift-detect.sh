#!/bin/sh
# drift-detect.sh - `plumb detect` on River's published streams, JSON shape and bad input.
. "${top_srcdir:-.}/tests/lib.sh"

D="$top_srcdir/tests/data/drift"

"$PLUMB" detect "$D/stream-doc12345.csv" --json >"$T/a.json"
assert_eq '{"detector":"adwin","path":"'"$D"'/stream-doc12345.csv","column":"x","rows":2000,"missing":0,"drifts":[1023],"warnings":[]}' \
	"$(cat "$T/a.json")" "ADWIN docstring vector"
"$PLUMB" detect "$D/stream-multi42.csv" >"$T/m.txt"
assert_contains "$(cat "$T/m.txt")" "3 drifts at rows 1023, 2015, 3007" "ADWIN regression vector"
"$PLUMB" detect "$D/stream-bin42.csv" --detector ddm --json >"$T/d.json"
assert_contains "$(cat "$T/d.json")" '"drifts":[1334]' "DDM docstring drift"
assert_contains "$(cat "$T/d.json")" '"warnings":[1084,' "DDM first warning"
"$PLUMB" detect "$D/stream-bin42.csv" -D eddm --alpha 0.8 --beta 0.75 --json >"$T/e.json"
assert_contains "$(cat "$T/e.json")" '"drifts":[1278],"warnings":[1059]' "EDDM docstring vector"
"$PLUMB" detect "$D/stream-doc12345.csv" -D page_hinkley --json >"$T/p.json"
assert_contains "$(cat "$T/p.json")" '"drifts":[1006]' "Page-Hinkley docstring vector"

# Missing rows are skipped but keep their index.
{ echo "a,x"; i=0; while [ $i -lt 2000 ]; do
	if [ $i -lt 1000 ]; then v=0; else v=10; fi
	if [ $i = 5 ]; then v=NA; fi
	echo "$i,$v"; i=$((i + 1)); done; } >gap.csv
"$PLUMB" detect gap.csv --column x --json >"$T/g.json"
assert_contains "$(cat "$T/g.json")" '"rows":2000,"missing":1' "missing counted"
assert_contains "$(cat "$T/g.json")" '"drifts":[10' "drift found after the shift"

assert_status 2 "several columns need --column" -- "$PLUMB" detect gap.csv
assert_status 2 "unknown detector" -- "$PLUMB" detect gap.csv -c x -D kswin2
printf 'x\na\nb\n' >text.csv
assert_status 1 "text column" -- "$PLUMB" detect text.csv
assert_contains "$(cat "$T/.err")" "holds text" "text column message"
assert_status 1 "missing file" -- "$PLUMB" detect nothere.csv
assert_status 1 "absent column" -- "$PLUMB" detect gap.csv -c nope
assert_contains "$(cat "$T/.err")" "no column named 'nope'" "absent column message"

done_testing
