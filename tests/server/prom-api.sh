#!/bin/sh
# tests/server/prom-api.sh - plumb serve's Prometheus API: curl and Debian's promtool against it, errors as
# Prometheus gives them, Grafana's form POST, the token rules, health, and a clean stop on SIGTERM.
. "$top_srcdir/tests/lib.sh"

if ! command -v curl >/dev/null 2>&1; then
	echo "SKIP: curl is not installed"
	exit 77
fi
"$PLUMB" init -q
T0=1767225600	# 2026-01-01T00:00:00Z
i=0
while [ $i -lt 40 ]; do
	t=$(( (T0 + i * 15) * 1000 ))
	echo "up{job=\"api\",instance=\"a:1\"} $t 1"
	echo "up{job=\"node\",instance=\"n:9\"} $t $(( i < 20 ? 1 : 0 ))"
	echo "http_requests_total{job=\"api\",code=\"200\"} $t $(( i * 30 ))"
	i=$((i + 1))
done > samples
"$top_builddir/tests/server/ts-write" "$T/.plumb" < samples > /dev/null

. "$top_srcdir/tests/server/lib-serve.sh"


serve_start
AT=$((T0 + 300))
q=$(curl -s "$URL/api/v1/query?query=up&time=$AT")
assert_eq '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a:1","job":"api"},"value":[1767225900,"1"]},{"metric":{"__name__":"up","instance":"n:9","job":"node"},"value":[1767225900,"0"]}]}}' \
	"$q" "instant query, Prometheus' JSON"
q=$(curl -s "$URL/api/v1/query?query=sum(rate(http_requests_total%5B1m%5D))&time=2026-01-01T00:05:00.000Z")
assert_eq '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1767225900,"2"]}]}}' \
	"$q" "rate over an RFC 3339 time"
# Grafana posts its queries as a form.
q=$(curl -s -X POST --data-urlencode 'query=count(up == 1)' --data "time=$AT" "$URL/api/v1/query")
assert_contains "$q" '"value":[1767225900,"1"]' "form POST as Grafana sends it"
q=$(curl -s "$URL/api/v1/query_range?query=up%7Bjob%3D%22node%22%7D&start=$((T0 + 270))&end=$((T0 + 330))&step=30s")
assert_eq '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"n:9","job":"node"},"values":[[1767225870,"1"],[1767225900,"0"],[1767225930,"0"]]}]}}' \
	"$q" "range query"

# Errors: 400 bad_data for bad input, never a 500.
code=$(curl -s -o err.json -w '%{http_code}' "$URL/api/v1/query?query=rate(up%5B5m%5D")
assert_eq 400 "$code" "a syntax error is 400"
assert_contains "$(cat err.json)" '"errorType":"bad_data"' "bad_data"
assert_contains "$(cat err.json)" 'parse error' "the parse error is told"
code=$(curl -s -o err.json -w '%{http_code}' "$URL/api/v1/query?query=up&time=yesterday")
assert_eq 400 "$code" "a bad time is 400"
assert_contains "$(cat err.json)" 'cannot parse \"yesterday\" to a valid timestamp' "the bad time is named"
code=$(curl -s -o err.json -w '%{http_code}' "$URL/api/v1/query_range?query=up&start=$T0&end=$((T0 + 60))&step=0")
assert_eq 400 "$code" "a zero step is 400"
code=$(curl -s -o err.json -w '%{http_code}' "$URL/api/v1/query")
assert_eq 400 "$code" "a missing query is 400"
code=$(curl -s -o err.json -w '%{http_code}' "$URL/api/v1/nosuch")
assert_eq 404 "$code" "an unknown endpoint is 404"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/query?query=$(printf 'x%.0s' $(seq 1 3000))")
assert_eq 200 "$code" "a long metric name is just an empty answer"

# Metadata.
assert_eq '{"status":"success","data":["__name__","code","instance","job"]}' \
	"$(curl -s "$URL/api/v1/labels")" "labels"
assert_eq '{"status":"success","data":["api","node"]}' \
	"$(curl -s "$URL/api/v1/label/job/values")" "label values"
assert_eq '{"status":"success","data":[{"__name__":"up","instance":"n:9","job":"node"}]}' \
	"$(curl -s -g "$URL/api/v1/series?match[]=up{job=\"node\"}")" "series by match[]"
assert_contains "$(curl -s "$URL/api/v1/status/buildinfo")" '"version":"2.42.0"' "buildinfo for Grafana"
code=$(curl -s -o err.json -w '%{http_code}' "$URL/api/v1/label/0job/values")
assert_eq 400 "$code" "a label name Prometheus would not take is 400"
assert_contains "$(cat err.json)" 'invalid label name' "... and says so"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/api/v1/labels")
assert_eq 405 "$code" "a method other than GET and POST is 405"
assert_eq "OK" "$(curl -s "$URL/-/healthy")" "health"

# Debian's promtool talks to it as to a Prometheus server.
if command -v promtool >/dev/null 2>&1; then
	out=$(promtool query instant --time="$AT" "$URL" 'up{job="api"}' 2>&1)
	assert_contains "$out" 'up{instance="a:1", job="api"} => 1 @[1767225900]' "promtool query instant"
	out=$(promtool query range --start="$((T0 + 270))" --end="$((T0 + 300))" --step=30s "$URL" 'up{job="node"}' 2>&1)
	assert_contains "$out" '0 @[1767225900]' "promtool query range"
	assert_contains "$out" '1 @[1767225870]' "promtool query range, first step"
	out=$(promtool query labels "$URL" job 2>&1)
	assert_contains "$out" 'node' "promtool query labels"
fi

# A clean stop on SIGTERM.
kill -TERM "$srvpid"
set +e; wait "$srvpid"; st=$?; set -e
srvpid=
assert_eq 0 "$st" "SIGTERM stops it with status 0"
assert_contains "$(cat serve.log)" "stopped" "and says so"

# Tokens: any address but loopback needs one.
assert_status 2 "0.0.0.0 without a token is refused" -- "$PLUMB" serve --host 0.0.0.0 --port 0
assert_contains "$(cat "$T/.err")" "without a token" "the refusal says why"
printf 'short\n' > short.tok
assert_status 1 "a short token is refused" -- "$PLUMB" serve --port 0 --token-file short.tok
printf 'sixteen-chars-or-more-secret\n' > good.tok
serve_start --token-file good.tok
assert_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/labels")" "no token: 401"
assert_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong-token-of-some-length' "$URL/api/v1/labels")" "a wrong token: 401"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer sixteen-chars-or-more-secret' "$URL/api/v1/labels")" "Bearer token: 200"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -u "x:sixteen-chars-or-more-secret" "$URL/api/v1/labels")" "basic auth with the token: 200"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/-/healthy")" "health needs no token"
serve_stop

assert_status 2 "a bad port" -- "$PLUMB" serve --port 70000
done_testing
