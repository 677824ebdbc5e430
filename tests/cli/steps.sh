#!/bin/sh
# tests/cli/steps.sh - metric steps and timestamps at the ends of int64 (issue 15 item 5): a point with no
# step left after INT64_MAX is refused and counted as malformed, never a wrapped negative step or a
# UBSan report; extreme timestamps are kept and shown.
. "$top_srcdir/tests/lib.sh"

"$PLUMB" init -q
ubsan='runtime error|AddressSanitizer'
cat > train.sh <<'SH'
echo "metric loss 1 step=9223372036854775807" >&3
echo "metric loss 2" >&3
echo "metric lr 1 step=9223372036854775806" >&3
echo "metric lr 2" >&3
echo "metric lr 3" >&3
echo "metric lr 4 step=5" >&3
echo "metric lr 5 step=9223372036854775808" >&3
echo "metric acc 1 ts=9223372036854775807" >&3
echo "metric acc 2 ts=1" >&3
echo "metric acc 3 ts=-9223372036854775808" >&3
SH
assert_status 0 "a run that runs out of steps" -- "$PLUMB" run -n steps -- sh train.sh
err=$(cat "$T/.err")
if printf '%s\n' "$err" | grep -Eq "$ubsan"; then fail "sanitizer report: $err"; else ok; fi
assert_contains "$err" "4 malformed protocol lines" "refused points are counted"
assert_contains "$err" "line 2: no step left after 9223372036854775807 for this metric: give step=N" "no step left (auto after INT64_MAX)"
assert_contains "$err" "line 5: no step left after 9223372036854775807" "no step left (auto after auto)"
assert_contains "$err" "line 7: column 18: step is not an integer >= 0" "step beyond INT64_MAX"
assert_contains "$err" "line 10: column 17: ts is not a positive integer" "ts below INT64_MIN"
id=$("$PLUMB" runs --ids | head -1)

assert_status 0 "show" -- "$PLUMB" show "$id" --json
assert_contains "$(cat "$T/.out")" '"bad_lines":4' "run records the malformed lines"
assert_status 0 "lr series" -- "$PLUMB" metrics "$id" lr --csv
assert_eq "step,timestamp,value
5,$(sed -n 's/^5,\([0-9]*\),.*/\1/p' "$T/.out"),4
9223372036854775806,$(sed -n 's/^9223372036854775806,\([0-9]*\),.*/\1/p' "$T/.out"),1
9223372036854775807,$(sed -n 's/^9223372036854775807,\([0-9]*\),.*/\1/p' "$T/.out"),2" "$(cat "$T/.out")" "lr: no wrapped step"
assert_not_contains "$(cat "$T/.out")" ",-" "no negative number"
assert_status 0 "loss series" -- "$PLUMB" metrics "$id" loss --json
assert_contains "$(cat "$T/.out")" '"points":[{"step":9223372036854775807,' "loss keeps its one point"
assert_not_contains "$(cat "$T/.out")" '"step":-' "no negative step"

# extreme timestamps are kept exactly and shown
assert_status 0 "acc series" -- "$PLUMB" metrics "$id" acc --csv
assert_eq "step,timestamp,value
0,9223372036854775807,1
1,1,2" "$(cat "$T/.out")" "acc timestamps kept"
for cmd in "metrics $id acc" "show $id" "runs -c id,metrics.acc,metrics.loss" "diff $id $id"; do
	assert_status 0 "$cmd" -- "$PLUMB" $cmd
	if grep -Eq "$ubsan" "$T/.err"; then fail "$cmd: sanitizer report: $(cat "$T/.err")"; else ok; fi
done

# plumb log: the same refusal, a clear message and exit 1; the store unchanged
assert_status 1 "plumb log after INT64_MAX" -- "$PLUMB" log metric loss 3 --run "$id"
assert_eq "plumb: metric 'loss' has no step left after 9223372036854775807: give a step" "$(cat "$T/.err")" "log message"
assert_status 0 "an explicit step is still fine" -- "$PLUMB" log metric loss 3 --step 7 --run "$id"
assert_status 0 "loss series" -- "$PLUMB" metrics "$id" loss --csv
assert_eq 3 "$(wc -l <"$T/.out" | tr -d ' ')" "two points, no wrapped one"
assert_status 2 "plumb log step beyond INT64_MAX" -- "$PLUMB" log metric loss 3 --step 9223372036854775808 --run "$id"
assert_status 0 "plumb log ts INT64_MAX" -- "$PLUMB" log metric big 1 --ts 9223372036854775807 --run "$id"

done_testing
