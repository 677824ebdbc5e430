#!/bin/sh
# tests/server/auth.sh - plumb serve's tokens: the TOKEN USER [ro|rw] file, Bearer and Basic, 401/403 and their
# bodies, read-only tokens refused on writes, writes audited as the token's user, size limits answered (413, 431),
# non-loopback without a token.
. "$top_srcdir/tests/lib.sh"
: "${PYTHON3_SYS:=/usr/bin/python3}"

if ! command -v curl >/dev/null 2>&1; then
	echo "SKIP: curl is not installed"
	exit 77
fi
"$PLUMB" init -q

. "$top_srcdir/tests/server/lib-serve.sh"

# code ARGS...: the HTTP status curl gets; body in body.out.
code() { curl -s -o body.out -w '%{http_code}' "$@"; }

RO=ro-token-4f1c9e0b7a3d5e26
RW=rw-token-9d2b7c4e1f0a3b58
cat > tokens <<EOF
# plumb serve tokens
$RO carol ro
$RW alice rw

rw-token-default-access-0001 dave
EOF
serve_start --token-file tokens -v
assert_contains "$(cat serve.log)" "3 tokens, 1 read-only" "the start line counts the tokens"

assert_eq 401 "$(code "$URL/api/v1/labels")" "no token: 401"
assert_contains "$(cat body.out)" '"error_code":"UNAUTHENTICATED"' "401 body"
assert_eq 401 "$(code -H "Authorization: Bearer ${RO}x" "$URL/api/v1/labels")" "a token with one more character: 401"
assert_eq 401 "$(code -H "Authorization: Bearer ro-token-4f1c9e0b7a3d5e2" "$URL/api/v1/labels")" "a token with one less: 401"
assert_eq 200 "$(code -H "Authorization: Bearer $RO" "$URL/api/v1/labels")" "read-only Bearer reads"
assert_eq 200 "$(code -X POST --data 'query=1' -H "Authorization: Bearer $RO" "$URL/api/v1/query")" \
	"read-only token: Prometheus' form POST is a read"
assert_eq 200 "$(code -u "carol:$RO" "$URL/api/v1/labels")" "Basic USER:TOKEN"
assert_eq 401 "$(code -u "alice:$RO" "$URL/api/v1/labels")" "Basic with another user's name: 401"
assert_eq 401 "$(code -u "carol:" "$URL/api/v1/labels")" "Basic without a token: 401"
assert_eq 401 "$(code -H 'Authorization: Basic !!notbase64' "$URL/api/v1/labels")" "Basic that is not base64: 401"
assert_eq 200 "$(code -u "dave:rw-token-default-access-0001" "$URL/api/v1/labels")" "a line without access is rw"

# Writes of a read-only token: 403 with MLflow's body on MLflow's paths,
# before the body is read; the rw token gets past the check (to the route).
assert_eq 403 "$(code -X POST -H "Authorization: Bearer $RO" -H 'Content-Type: application/json' \
	--data '{"experiment_id":"0"}' "$URL/api/2.0/mlflow/runs/create")" "read-only token: MLflow write 403"
"$PYTHON3_SYS" - body.out <<'PY' || fail "403 body is not MLflow's PERMISSION_DENIED: $(cat body.out)"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["error_code"] == "PERMISSION_DENIED", b
assert "carol" in b["message"] and "read-only" in b["message"], b
PY
ok
for m in PUT DELETE PATCH; do
	assert_eq 403 "$(code -X $m -H "Authorization: Bearer $RO" "$URL/api/2.0/mlflow-artifacts/artifacts/x")" \
		"read-only token: $m is a write"
done
assert_not_contains "$(code -X POST -H "Authorization: Bearer $RO" -H 'Content-Type: application/json' \
	--data '{}' "$URL/api/2.0/mlflow/runs/search") $(cat body.out)" PERMISSION_DENIED \
	"read-only token: MLflow's search POST is no write"
assert_not_contains "$(code -X POST -u "alice:$RW" -H 'Content-Type: application/json' \
	--data '{"experiment_id":"0"}' "$URL/api/2.0/mlflow/runs/create") $(cat body.out)" PERMISSION_DENIED \
	"rw token: the write is not refused"
# What the rw token writes is audited under its user, from the client's
# address; the read-only token's refused write left nothing.
assert_eq 200 "$(code -X POST -u "alice:$RW" -H 'Content-Type: application/json' \
	--data '{"experiment_id":"0","run_name":"by-alice"}' "$URL/api/2.0/mlflow/runs/create")" \
	"rw token: MLflow runs/create"
run=$("$PYTHON3_SYS" -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["info"]["run_id"])' body.out)
assert_eq 200 "$(code -X POST -H "Authorization: Bearer $RW" -H 'Content-Type: application/json' \
	--data '{"name":"alices-exp"}' "$URL/api/2.0/mlflow/experiments/create")" "rw token: experiments/create"
assert_eq 200 "$(code -X POST -H "Authorization: Bearer $RO" -H 'Content-Type: application/json' \
	--data '{"experiment_ids":["0"]}' "$URL/api/2.0/mlflow/runs/search")" "read-only token: runs/search answers"
assert_contains "$(cat body.out)" "$run" "... and finds alice's run"
audit=$("$PLUMB" audit)
assert_contains "$audit" "alice@127.0.0.1  run.start $run" "the run's start is audited as alice, from 127.0.0.1"
assert_contains "$audit" "alice@127.0.0.1  experiment.create alices-exp" "the experiment too"
assert_not_contains "$audit" "carol" "the read-only token's refused write left no entry"
assert_not_contains "$audit" "$(id -un)@" "no entry is the server's own user's"
"$PLUMB" audit --json > audit.json
"$PYTHON3_SYS" - audit.json "$run" > check.out 2>&1 <<'PY' && ok || fail "audit --json: $(cat check.out)"
import json, sys
e = json.load(open(sys.argv[1]))
assert e and all(x["user"] == "alice" and x["uid"] is None and x["host"] == "127.0.0.1" for x in e), e
assert [x for x in e if x["action"] == "run.start" and x["object"] == sys.argv[2]], e
PY
assert_eq 403 "$(code -X POST -H "Authorization: Bearer $RO" "$URL/api/v1/admin/tsdb/snapshot")" \
	"read-only token: a POST Prometheus' read API does not have"
assert_contains "$(cat body.out)" '"errorType":"forbidden"' "... in Prometheus' error shape"

# Limits: a declared body over 16 MB is refused from its headers (413, the
# connection answered, not dropped); headers over 64 kB get 431.
assert_eq 413 "$(printf x | code -X POST -u "alice:$RW" -H 'Content-Length: 16777217' \
	--data-binary @- "$URL/api/v1/query")" "Content-Length over the limit: 413"
head -c 16777300 /dev/zero | tr '\0' a > big
assert_eq 413 "$(code -X POST -u "alice:$RW" -H 'Transfer-Encoding: chunked' \
	--data-binary @big "$URL/api/v1/query")" "a chunked body over the limit: 413"
rm -f big
long=$(head -c 70000 /dev/zero | tr '\0' a)
assert_eq 431 "$(code -u "alice:$RW" -H "X-Long: $long" "$URL/api/v1/labels")" "headers over 64 kB: 431"
# A method that is not an HTTP token (libmicrohttpd passes any bytes) is
# 400 with a JSON body, before routes that would quote it (mlflow-fuzz).
"$PYTHON3_SYS" - "${URL#http://}" > rawbad.out 2>&1 <<'PY' && ok || fail "a method with a quote and ESC: $(cat rawbad.out)"
import json, socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
s.sendall(b'DE"L\x1b /api/2.0/mlflow/runs/get?run_id=abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
head, body = data.split(b"\r\n\r\n", 1)
assert head.startswith(b"HTTP/1.1 400"), head
assert json.loads(body)["error_code"] == "BAD_REQUEST", body
PY
assert_eq 200 "$(code "$URL/-/healthy")" "health needs no token"
assert_eq 200 "$(code "$URL/health")" "nor /health"
assert_eq 401 "$(code "$URL/healthz")" "a path that only begins like /health needs one"
# the request log names the user, and never the token
assert_contains "$(cat serve.log)" "GET /api/v1/labels 200 carol" "the log names the user"
assert_not_contains "$(cat serve.log)" "$RO" "the log never holds a token"
serve_stop

# The one-token form (a single bare token) still works, as user "token", rw.
printf 'sixteen-chars-or-more-secret\n' > one.tok
serve_start --token-file one.tok
assert_eq 200 "$(code -H 'Authorization: Bearer sixteen-chars-or-more-secret' "$URL/api/v1/labels")" "one-token form: Bearer"
assert_eq 200 "$(code -u 'anyone:sixteen-chars-or-more-secret' "$URL/api/v1/labels")" "one-token form: any basic-auth user"
serve_stop

# Bad token files are refused at start, with the line.
printf 'short alice\n' > bad1
assert_status 1 "a short token" -- "$PLUMB" serve --port 0 --token-file bad1
assert_contains "$(cat "$T/.err")" "line 1: a token must have 16" "says which line and why"
printf '%s a\n%s b\n' "$RW" "$RW" > bad2
assert_status 1 "a token twice" -- "$PLUMB" serve --port 0 --token-file bad2
assert_contains "$(cat "$T/.err")" "line 2" "says which line"
printf '%s alice admin\n' "$RW" > bad3
assert_status 1 "an access that is neither ro nor rw" -- "$PLUMB" serve --port 0 --token-file bad3
printf '%s alice\nbare-token-without-user-01\n' "$RW" > bad4
assert_status 1 "a bare token among named ones" -- "$PLUMB" serve --port 0 --token-file bad4
printf '%s al/ice\n' "$RW" > bad5
assert_status 1 "a user name with a slash" -- "$PLUMB" serve --port 0 --token-file bad5
: > empty
assert_status 1 "an empty token file" -- "$PLUMB" serve --port 0 --token-file empty

# Any address but loopback needs a token.
assert_status 2 "0.0.0.0 without a token is refused" -- "$PLUMB" serve --host 0.0.0.0 --port 0
assert_contains "$(cat "$T/.err")" "without a token" "the refusal says why"
assert_status 2 ":: without a token is refused" -- "$PLUMB" serve --host :: --port 0
done_testing
