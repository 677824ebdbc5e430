#!/bin/sh
# drift-errors.sh - bad input to `plumb drift`: clear messages, right exit statuses, nothing crashes.
# Long; .ci/run runs the suite twice (sanitizers, then plain): this test
# runs once, in the sanitizer suite.
if [ -n "${PLUMB_CI_PLAIN:-}" ]; then
	echo "SKIP: run in the sanitizer suite of .ci/run"
	exit 77
fi
. "${top_srcdir:-.}/tests/lib.sh"

D="$top_srcdir/tests/data/drift"
printf 'a,b,c\n1,2,3\n4,5,6\n' >ok.csv

assert_status 2 "one file only" -- "$PLUMB" drift ok.csv
assert_status 2 "unknown method" -- "$PLUMB" drift ok.csv ok.csv --method nope
assert_contains "$(cat "$T/.err")" "unknown --method 'nope'" "unknown method message"
assert_status 2 "bad threshold" -- "$PLUMB" drift ok.csv ok.csv --threshold abc
assert_status 2 "bad drift share" -- "$PLUMB" drift ok.csv ok.csv --drift-share 0

assert_status 1 "missing file" -- "$PLUMB" drift nothere.csv ok.csv
assert_contains "$(cat "$T/.err")" "plumb: nothere.csv: No such file or directory" "missing file message"

: >empty.csv
assert_status 1 "empty file" -- "$PLUMB" drift empty.csv ok.csv
assert_contains "$(cat "$T/.err")" "empty.csv: empty file" "empty file message"

printf 'a,b,c\n' >header.csv
assert_status 1 "header only" -- "$PLUMB" drift ok.csv header.csv
assert_contains "$(cat "$T/.err")" "header.csv: no data rows" "header only message"

printf 'a,b,c\n1,2,3\n"x\ny",2\n' >ragged.csv
assert_status 1 "ragged row" -- "$PLUMB" drift ok.csv ragged.csv
assert_eq "plumb: ragged.csv:3: expected 3 fields, found 2" "$(cat "$T/.err")" "ragged message"

printf 'a,b\n1,2\n' >twocols.csv
assert_status 1 "column absent from one side" -- "$PLUMB" drift ok.csv twocols.csv
assert_contains "$(cat "$T/.err")" "column 'c' is in ok.csv but not in twocols.csv" "absent column message"
assert_status 1 "--columns naming an absent column" -- "$PLUMB" drift ok.csv ok.csv --columns a,zz
assert_contains "$(cat "$T/.err")" "no column named 'zz'" "--columns message"

printf 'a,b,a\n1,2,3\n' >dup.csv
assert_status 1 "duplicate names" -- "$PLUMB" drift dup.csv ok.csv
assert_contains "$(cat "$T/.err")" "dup.csv:1: duplicate column name 'a'" "duplicate message"

printf 'a,b,c\n1,NA,3\n4,,6\n' >emptycol.csv
assert_status 0 "column empty after dropping missing values" -- "$PLUMB" drift emptycol.csv ok.csv --json
assert_contains "$(cat "$T/.out")" '"name":"b"' "empty column reported"
assert_contains "$(cat "$T/.out")" '"skipped":true,"reason":"no values left in the reference after dropping missing values"' "skip reason"
assert_contains "$(cat "$T/.err")" "column 'b' not tested" "skip note"

printf 'a,b,c\nx,y,z\nu,v,w\n' >text.csv
assert_status 1 "--method that applies to no column" -- "$PLUMB" drift text.csv text.csv --method wasserstein
assert_contains "$(cat "$T/.err")" "--method wasserstein applies to none of the compared columns" "method message"
assert_status 1 "--numerical on text" -- "$PLUMB" drift text.csv text.csv --numerical a
assert_contains "$(cat "$T/.err")" "column 'a' is --numerical but holds text" "numerical message"

printf 'a,b,c\n1,2,\377\n' >latin1.csv
assert_status 1 "non-UTF-8" -- "$PLUMB" drift latin1.csv latin1.csv
assert_contains "$(cat "$T/.err")" "latin1.csv:2: invalid UTF-8 in column 'c'" "UTF-8 message"

# A 1 MB field is fine.
{ printf 'a,b\n1,"'; head -c 1048576 /dev/zero | tr '\0' 'q'; printf '"\n2,z\n'; } >big.csv
assert_status 0 "1 MB field" -- "$PLUMB" drift big.csv big.csv --json
assert_contains "$(cat "$T/.out")" '"name":"b","type":"categorical"' "big field column"

# Escape sequences in names and paths never reach the terminal.
printf 'x\033]0;pwned\007,b\n1,2\n3,4\n' >esc.csv
"$PLUMB" drift esc.csv esc.csv >"$T/esc.out" 2>&1 || true
if grep -q "$(printf '\033')" "$T/esc.out"; then fail "escape byte reached the output"; else ok; fi

# One side numbers, the other text: compared as text (categorical).
printf 'v\n1\n2\n1\n' >num.csv
printf 'v\n1\nx\n2\n' >mixed.csv
assert_status 0 "numbers vs text" -- "$PLUMB" drift num.csv mixed.csv --json
assert_contains "$(cat "$T/.out")" '"name":"v","type":"categorical","method":"chisquare","statistic":"inf"' "unseen text value"

done_testing
