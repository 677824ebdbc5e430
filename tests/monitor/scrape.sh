#!/bin/sh
# scrape.sh - the Prometheus scrape source against Debian's prometheus-node-exporter (checked against
# /proc/meminfo), the example model server's histogram, and faulty servers: refused, hung, garbage,
# oversized, a series that disappears (staleness marker), a scrape-failure event once per failure.
. "${top_srcdir:-.}/tests/monitor/source-lib.sh"

NODE_EXPORTER=$(command -v prometheus-node-exporter || true)
[ -n "$NODE_EXPORTER" ] || { echo "prometheus-node-exporter is not installed (.ci/install-deps)" >&2; exit 1; }

NODE=$(free_port)
"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NODE" >node.log 2>&1 &
PIDS="$PIDS $!"
model_server api
fake hang hang
fake garbage garbage
fake big big --size 3000000
fake alternate alt
API=$(cat "$T/api.port")
DEAD=$(free_port)
cat >plumb.yaml <<YAML
monitor:
  targets:
    node:
      scrape: http://127.0.0.1:$NODE/metrics
    api:
      scrape: http://127.0.0.1:$API/metrics
    dead:
      scrape: http://127.0.0.1:$DEAD/metrics
    hung:
      scrape: {url: "http://127.0.0.1:$(cat "$T/hang.port")/metrics", timeout: 1s}
    garbage:
      scrape: http://127.0.0.1:$(cat "$T/garbage.port")/metrics
    big:
      scrape: {url: "http://127.0.0.1:$(cat "$T/big.port")/metrics", limit: 1MB}
    big-ok:
      scrape: {url: "http://127.0.0.1:$(cat "$T/big.port")/metrics", limit: 4MB}
    alt:
      scrape: http://127.0.0.1:$(cat "$T/alt.port")/metrics
YAML
wait_http "http://127.0.0.1:$NODE/metrics"

# node exporter: every sample, with target; MemTotal as /proc/meminfo says
"$DRIVE" plumb.yaml node >out
assert_eq 1 "$(val out 'up{target="node"}')" "node up"
assert_eq up "$(state out scrape)" "node state"
want=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
got=$(val out 'node_memory_MemTotal_bytes{target="node"}')
assert_eq "$want" "$got" "node_memory_MemTotal_bytes = /proc/meminfo MemTotal"
n=$(val out 'scrape_samples_scraped{target="node"}')
lines=$(grep -c '^sample node scrape ' out)
# every sample of the body plus the five series of the scrape itself
assert_eq "$((n + 5))" "$lines" "every scraped sample queued"
assert_contains "$( [ "$n" -gt 200 ] && echo ok || echo "only $n")" ok "node exporter gives hundreds of samples"
assert_eq 0 "$(val out 'scrape_malformed_lines{target="node"}')" "no bad line in node exporter's text"
assert_contains "$(grep 'node_cpu_seconds_total{' out | head -1)" 'mode="' "labels kept"

# the model server: a real latency histogram, kept as its series
for i in 1 2 3; do post "http://127.0.0.1:$API/predict" '{"features": {"f0": 0.5}}'; done
"$DRIVE" -s store plumb.yaml api >out
assert_eq 3 "$(val out 'predict_latency_seconds_count{target="api"}')" "histogram count"
assert_eq 3 "$(val out 'predict_latency_seconds_bucket{le="+Inf",target="api"}')" "+Inf bucket"
assert_contains "$(grep -c 'predict_latency_seconds_bucket{' out)" 13 "13 buckets"
assert_eq 3 "$(val out 'predict_requests_total{status="ok",target="api"}')" "counter with its label"
assert_contains "$(grep 'predict_latency_seconds_sum{' out)" "api" "sum kept"
# stored in the series tables (drained and flushed by the driver): one
# series per sample line of the round
assert_eq "stored $(grep -c '^sample api scrape ' out) series" "$(grep '^stored ' out)" "store written"

# nothing listens: up 0, exit 0, one scrape-failure event
assert_status 0 "a refused scrape is data" -- "$DRIVE" -r 2 -i 10 plumb.yaml dead
assert_eq 0 "$(val "$T/.out" 'up{target="dead"}')" "dead up 0"
assert_contains "$(state "$T/.out" scrape)" "down connection refused" "dead reason"
assert_eq 1 "$(grep -c '^event dead scrape scrape-failure' "$T/.out")" "one failure event for two failed rounds"

# accepts, never answers: 1 s timeout; the node target is not delayed
assert_status 0 "hung" -- "$DRIVE" plumb.yaml hung node
assert_eq 0 "$(val "$T/.out" 'up{target="hung"}')" "hung up 0"
assert_eq "down timeout after 1 s" "$(state "$T/.out" scrape)" "hung reason"
e=$(elapsed "$T/.out" hung scrape)
assert_contains "$( [ "$e" -ge 950 ] && [ "$e" -lt 3000 ] && echo ok || echo "bad $e")" ok "hung scrape took its timeout"
assert_eq 1 "$(val "$T/.out" 'up{target="node"}')" "node scraped meanwhile"
assert_status 0 "deadline" -- "$DRIVE" -d 300 plumb.yaml hung
e=$(elapsed "$T/.out" hung scrape)
assert_contains "$( [ "$e" -ge 200 ] && [ "$e" -lt 1500 ] && echo ok || echo "bad $e")" ok "deadline honoured"

# garbage: good lines kept, bad ones counted, the first one located
assert_status 0 "garbage" -- "$DRIVE" plumb.yaml garbage
assert_eq 1 "$(val "$T/.out" 'up{target="garbage"}')" "garbage is still up"
assert_eq 7 "$(val "$T/.out" 'good_total{a="1",target="garbage"}')" "good line kept"
assert_eq 3.5 "$(val "$T/.out" 'also_good{target="garbage"}')" "good line after bad ones kept"
assert_eq 4 "$(val "$T/.out" 'scrape_malformed_lines{target="garbage"}')" "bad lines counted"
assert_eq 4 "$(val "$T/.out" 'plumb_malformed_lines_total{source="scrape",target="garbage"}')" "malformed counter"
assert_eq 2 "$(val "$T/.out" 'scrape_samples_scraped{target="garbage"}')" "samples"
assert_eq "malformed 4 malformed lines, the first at 4:9: bad escape in a label value (only \\\\, \\\" and \\n)" \
    "$(state "$T/.out" scrape)" "first bad line:col"

# oversized: 3 MB against a 1 MB limit is refused; under 4 MB it passes
assert_status 0 "oversized" -- "$DRIVE" plumb.yaml big
assert_eq 0 "$(val "$T/.out" 'up{target="big"}')" "oversized: up 0"
assert_eq "down response larger than the limit of 1000000 bytes" "$(state "$T/.out" scrape)" "limit reason"
assert_eq 0 "$(val "$T/.out" 'scrape_samples_scraped{target="big"}')" "nothing of it kept"
assert_status 0 "under the limit" -- "$DRIVE" plumb.yaml big-ok
assert_eq 1 "$(val "$T/.out" 'up{target="big-ok"}')" "3 MB under 4 MB: up"
assert_eq 111112 "$(val "$T/.out" 'scrape_samples_scraped{target="big-ok"}')" "all samples"

# a series that disappears gets a staleness marker
assert_status 0 "staleness" -- "$DRIVE" -r 3 -i 10 plumb.yaml alt
assert_eq 2 "$(grep -c '^sample alt scrape b{x="y",target="alt"} [0-9]' "$T/.out")" "b in rounds 1 and 3"
assert_eq 1 "$(grep -c '^sample alt scrape b{x="y",target="alt"} stale' "$T/.out")" "b marked stale in round 2"
assert_eq 0 "$(grep -c '^sample alt scrape a{target="alt"} stale' "$T/.out")" "a never stale"

done_testing
