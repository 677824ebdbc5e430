#!/bin/sh
# promtool-tests.sh - `plumb alerts test` on promtool rule unit-test files: passing, failing and invalid
# files give exit 0/1/2 with promtool's listing; where Debian's promtool is installed, both must agree.
. "${top_srcdir:-.}/tests/lib.sh"

D="$top_srcdir/tests/data/alerts"
cp -r "$D" data
cd data

pass="rates.yml overtime.yml histogram.yml staleness.yml operators.yml aggregations.yml alerts.yml recording.yml"

for f in $pass; do
	assert_status 0 "$f passes" -- "$PLUMB" alerts test "$f"
	assert_contains "$(cat "$T/.out")" "Unit Testing:  $f
  SUCCESS" "$f report"
done
assert_status 0 "several files at once" -- "$PLUMB" alerts test $pass

for f in fail/*.yml; do
	assert_status 1 "$f fails" -- "$PLUMB" alerts test "$f"
	assert_contains "$(cat "$T/.out")" "  FAILED:" "$f report"
done
assert_status 1 "wrong value listed" -- "$PLUMB" alerts test fail/wrong-value.yml
assert_contains "$(cat "$T/.out")" '    expr: "rate(c_total[5m])", time: 10m,
        exp: {} 6E-01
        got: {} 5E-01' "expected vs got, as promtool prints it"
assert_contains "$(cat "$T/.out")" '    alertname: InstanceDown, time: 2m, 
        exp:[
            0:
              Labels:{alertname="InstanceDown", instance="i", job="x", severity="page", team="x-oncall"}
              Annotations:{}
            ], 
        got:[]' "a missing alert listed"
assert_status 1 "evaluation error" -- "$PLUMB" alerts test fail/eval-error.yml
assert_contains "$(cat "$T/.out")" "found duplicate series for the match group {i=\"1\"} on the right hand-side" "many-to-many error"

# a failing file among passing ones: 1; an invalid one: 2 (worst wins)
assert_status 1 "pass + fail" -- "$PLUMB" alerts test rates.yml fail/nan.yml
assert_status 2 "fail + invalid" -- "$PLUMB" alerts test fail/nan.yml invalid/bad-values.yml

for f in invalid/*.yml; do
	case $f in *-rules.yml) continue ;; esac
	assert_status 2 "$f is invalid" -- "$PLUMB" alerts test "$f"
done
assert_status 2 "unknown key" -- "$PLUMB" alerts test invalid/unknown-key.yml
assert_contains "$(cat "$T/.out")" "invalid/unknown-key.yml:3:5: field input_seriess not found" "unknown key at its line and column"
assert_status 2 "bad duration" -- "$PLUMB" alerts test invalid/bad-duration.yml
assert_contains "$(cat "$T/.out")" 'invalid/bad-duration.yml:1:22: evaluation_interval: not a valid duration: "1q"' "bad duration"
assert_status 2 "outside the subset" -- "$PLUMB" alerts test invalid/subset-refused.yml
assert_contains "$(cat "$T/.out")" "invalid/subset-refused-rules.yml:5:21: could not parse expression: subqueries are not supported" "subquery refused at its column"
assert_status 2 "missing rule file" -- "$PLUMB" alerts test invalid/missing-rules.yml
assert_status 2 "missing test file" -- "$PLUMB" alerts test nothere.yml
assert_contains "$(cat "$T/.out")" "nothere.yml" "missing file named"
assert_status 2 "no file" -- "$PLUMB" alerts test
assert_status 2 "unknown subcommand" -- "$PLUMB" alerts frobnicate
assert_status 0 "help" -- "$PLUMB" alerts --help
assert_contains "$(cat "$T/.out")" "plumb alerts test FILE..." "help text"

# Cross-check with the real promtool (Debian package prometheus).
if command -v promtool >/dev/null 2>&1; then
	for f in $pass fail/*.yml; do
		set +e
		promtool test rules "$f" >pt.out 2>&1
		pt=$?
		"$PLUMB" alerts test "$f" >pl.out 2>&1
		pl=$?
		set -e
		assert_eq "$pt" "$pl" "$f: promtool and plumb agree on the exit status"
		# the values both print for a failure are the same
		grep 'got:' pt.out >pt.got || :
		grep 'got:' pl.out >pl.got || :
		assert_eq "$(cat pt.got)" "$(cat pl.got)" "$f: same got: lines as promtool"
	done
	# promtool rejects the same broken files (its status for them is 1)
	for f in invalid/unknown-key.yml invalid/bad-values.yml invalid/bad-duration.yml; do
		set +e
		promtool test rules "$f" >/dev/null 2>&1
		pt=$?
		set -e
		assert_eq 1 "$pt" "promtool rejects $f too"
	done
else
	echo "SKIP: promtool not installed (Debian package prometheus): no cross-check"
fi

done_testing
