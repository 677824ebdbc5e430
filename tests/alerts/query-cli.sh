#!/bin/sh
# tests/alerts/query-cli.sh - plumb monitor query: instant and range PromQL over the store, promtool's text and Prometheus' JSON, times, errors with the column.
. "$top_srcdir/tests/lib.sh"

"$PLUMB" init -q
# a counter growing 10 per 15 s (reset once) and a gauge, over 10 minutes
T0=1700000000
i=0
while [ $i -le 40 ]; do
	t=$(( (T0 + i * 15) * 1000 ))
	c=$(( i < 30 ? i * 10 : (i - 30) * 10 ))
	echo "reqs_total{job=\"a\"} $t $c"
	echo "temp{job=\"a\"} $t $(( 20 + i % 3 ))"
	echo "temp{job=\"b\"} $t 30"
	i=$((i + 1))
done > samples
"$top_builddir/tests/server/ts-write" "$T/.plumb" < samples > /dev/null
END=$((T0 + 600))

assert_status 0 "instant" -- "$PLUMB" monitor query 'temp' --at "$END"
assert_eq 'temp{job="a"} => 21 @[1700000600]
temp{job="b"} => 30 @[1700000600]' "$(cat "$T/.out")" "instant vector as promtool prints it"

assert_status 0 "aggregation, RFC 3339 time" -- "$PLUMB" monitor query 'sum(temp)' --at 2023-11-14T22:23:20Z
assert_eq '{} => 51 @[1700000600]' "$(cat "$T/.out")" "sum at an RFC 3339 time"

# rate over a window with a reset, Prometheus 2.x (the window [t-5m, t]
# closed on both ends): samples 200..290, reset, 0..100: an increase of
# 190 over the 300 s sampled, no extrapolation needed
assert_status 0 "rate with reset" -- "$PLUMB" monitor query 'rate(reqs_total[5m])' --at "$END" --json
v=$("$PYTHON3_SYS" -c "
import json; j=json.load(open('$T/.out'))
assert j['status'] == 'success' and j['data']['resultType'] == 'vector'
print(round(float(j['data']['result'][0]['value'][1]), 4))")
assert_eq 0.6333 "$v" "rate() across a counter reset"

assert_status 0 "range" -- "$PLUMB" monitor query 'temp{job="a"}' --start $((T0 + 300)) --end "$END" --step 1m --json
n=$("$PYTHON3_SYS" -c "
import json; j=json.load(open('$T/.out'))
assert j['data']['resultType'] == 'matrix'
print(len(j['data']['result'][0]['values']))")
assert_eq 6 "$n" "6 steps of 1m over 5 minutes"

assert_status 0 "scalar" -- "$PLUMB" monitor query '1 + 2' --at "$END"
assert_contains "$(cat "$T/.out")" "3" "scalar result"

# --- errors ---
assert_status 2 "syntax error" -- "$PLUMB" monitor query 'sum(temp' --at "$END"
assert_contains "$(cat "$T/.err")" "query:" "error names the column"
assert_contains "$(cat "$T/.err")" "^" "caret under the column"
assert_status 2 "unknown function" -- "$PLUMB" monitor query 'holt_winters(temp[5m], 0.1, 0.1)'
assert_contains "$(cat "$T/.err")" "holt_winters" "the construct is named"
assert_status 2 "bad time" -- "$PLUMB" monitor query temp --at yesterday
assert_contains "$(cat "$T/.err")" "'yesterday' is not a time" "bad time named"
assert_status 2 "--at with --step" -- "$PLUMB" monitor query temp --at now --step 1m
assert_status 2 "too many points" -- "$PLUMB" monitor query temp --start -30d --end now --step 1s
assert_status 2 "end before start" -- "$PLUMB" monitor query temp --start now --end -1h
assert_status 2 "no expression" -- "$PLUMB" monitor query
assert_status 0 "relative times" -- "$PLUMB" monitor query temp --start now-1h --end now
done_testing
