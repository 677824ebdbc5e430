#!/bin/sh
# probe.sh - the HTTP probe source against the example model server and faulty servers: up, 503, 404,
# refused, redirects, a server that accepts and never answers (timeout and deadline; another target not delayed).
. "${top_srcdir:-.}/tests/monitor/source-lib.sh"

model_server api
fake hang hang
fake status st
API=$(cat "$T/api.port") HANG=$(cat "$T/hang.port") ST=$(cat "$T/st.port")
DEAD=$(free_port)
cat >plumb.yaml <<YAML
monitor:
  targets:
    api:
      probe: http://127.0.0.1:$API/health
    missing:
      probe: http://127.0.0.1:$API/nope
    dead:
      probe: http://127.0.0.1:$DEAD/health
    hung:
      probe: {url: "http://127.0.0.1:$HANG/health", timeout: 1s}
    moved:
      probe: http://127.0.0.1:$ST/301
    failing:
      probe: http://127.0.0.1:$ST/503
YAML

# a healthy service: success, 200, the phases, up
"$DRIVE" plumb.yaml api >out
assert_eq 1 "$(val out 'probe_success{target="api"}')" "api success"
assert_eq 200 "$(val out 'probe_http_status_code{target="api"}')" "api status"
assert_eq 0 "$(val out 'probe_http_ssl{target="api"}')" "plain http"
assert_eq up "$(state out probe)" "api state"
for ph in resolve connect tls processing transfer; do
	v=$(val out "probe_http_duration_seconds{phase=\"$ph\",target=\"api\"}")
	assert_contains "$(awk -v v="$v" 'BEGIN { print (v != "" && v >= 0 && v < 5) ? "ok" : "bad " v }')" ok "phase $ph"
done
d=$(val out 'probe_duration_seconds{target="api"}')
assert_contains "$(awk -v v="$d" 'BEGIN { print (v > 0 && v < 5) ? "ok" : "bad " v }')" ok "duration"

# the service says it is unhealthy: 503 is down with the reason
"$PY" -c "
import urllib.request
urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:$API/admin',
    data=b'{\"healthy\": false}', method='POST')).read()"
"$DRIVE" plumb.yaml api >out
assert_eq 0 "$(val out 'probe_success{target="api"}')" "unhealthy: no success"
assert_eq 503 "$(val out 'probe_http_status_code{target="api"}')" "503 status"
assert_eq "down HTTP 503" "$(state out probe)" "503 state"

"$DRIVE" plumb.yaml missing >out
assert_eq "down HTTP 404" "$(state out probe)" "404 state"
"$DRIVE" plumb.yaml failing >out
assert_eq "down HTTP 503" "$(state out probe)" "503 from another server"
# a redirect is followed; the final status counts
"$DRIVE" plumb.yaml moved >out
assert_eq 200 "$(val out 'probe_http_status_code{target="moved"}')" "redirect followed"
assert_eq up "$(state out probe)" "redirect state"

# nothing listens: up 0, a reason, exit 0
assert_status 0 "a refused probe is data, not an error" -- "$DRIVE" plumb.yaml dead
assert_eq 0 "$(val "$T/.out" 'probe_success{target="dead"}')" "refused success"
assert_eq 0 "$(val "$T/.out" 'probe_http_status_code{target="dead"}')" "refused status"
assert_contains "$(state "$T/.out" probe)" "down connection refused" "refused reason"

# accepts, never answers: the target's timeout (1 s) ends it, and the
# healthy target polled at the same time is not delayed
"$PY" -c "
import urllib.request
urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:$API/admin',
    data=b'{\"healthy\": true}', method='POST')).read()"
assert_status 0 "hung target" -- "$DRIVE" plumb.yaml hung api
assert_eq "down timeout after 1 s" "$(state "$T/.out" probe)" "hung reason"
e=$(elapsed "$T/.out" hung probe)
assert_contains "$( [ "$e" -ge 950 ] && [ "$e" -lt 3000 ] && echo ok || echo "bad $e")" ok "hung poll took its 1 s timeout"
e=$(elapsed "$T/.out" api probe)
assert_contains "$( [ "$e" -lt 900 ] && echo ok || echo "bad $e")" ok "the other target is not delayed"
assert_eq 1 "$(val "$T/.out" 'probe_success{target="api"}')" "the other target is up"
# the round's deadline (400 ms) comes before the timeout: it wins
assert_status 0 "deadline" -- "$DRIVE" -d 400 plumb.yaml hung
e=$(elapsed "$T/.out" hung probe)
assert_contains "$( [ "$e" -ge 300 ] && [ "$e" -lt 1500 ] && echo ok || echo "bad $e")" ok "deadline honoured"
assert_contains "$(state "$T/.out" probe)" "down timeout after 0." "deadline reason"
# a deadline already past: no request at all, said so
assert_status 0 "no time left" -- "$DRIVE" -d 0 plumb.yaml api
assert_eq "down no time left before the round's deadline" "$(state "$T/.out" probe)" "no time"

done_testing
