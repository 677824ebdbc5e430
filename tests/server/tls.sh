#!/bin/sh
# tests/server/tls.sh - plumb serve --cert/--key: HTTPS with a self-signed certificate checked by curl --cacert,
# plain HTTP and unknown CAs refused, tokens over TLS, and clear refusals of bad certificate/key files.
. "$top_srcdir/tests/lib.sh"

for c in curl openssl; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "SKIP: $c is not installed"
		exit 77
	fi
done
"$PLUMB" init -q

. "$top_srcdir/tests/server/lib-serve.sh"

# a self-signed certificate for localhost and 127.0.0.1, and a stranger's
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null ||
	{ fail "openssl could not make a certificate"; done_testing; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-key.pem -out other.pem -days 2 \
	-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
chmod 600 key.pem other-key.pem

RW=rw-token-9d2b7c4e1f0a3b58
printf '%s alice rw\n' "$RW" > tokens
serve_start --cert cert.pem --key key.pem --token-file tokens
case "$URL" in https://127.0.0.1:*) ok ;; *) fail "the start line says https: $URL" ;; esac
assert_eq "OK" "$(curl -s --cacert cert.pem "$URL/-/healthy")" "HTTPS verified against the certificate"
assert_eq 200 "$(curl -s -o q.json -w '%{http_code}' --cacert cert.pem -H "Authorization: Bearer $RW" \
	"$URL/api/v1/query?query=1%2B1")" "a token over HTTPS"
assert_contains "$(cat q.json)" '"result":[' "the query answered"
assert_contains "$(cat q.json)" ',"2"]' "... with 1+1"
assert_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem "$URL/api/v1/labels")" "no token over HTTPS: 401"
# the certificate is what curl checks: another CA's is refused
st=0; curl -s -o /dev/null --cacert other.pem "$URL/-/healthy" || st=$?
assert_eq 60 "$st" "a client trusting another certificate refuses the server (curl 60)"
# no plain HTTP on the HTTPS port
st=0; curl -s -o /dev/null --max-time 5 "http://${URL#https://}/-/healthy" || st=$?
[ "$st" != 0 ] && ok || fail "plain HTTP answered on the HTTPS port"
# and the server still serves after those failed handshakes
assert_eq "OK" "$(curl -s --cacert cert.pem "$URL/health")" "still serving after failed handshakes"
serve_stop
assert_contains "$(openssl x509 -in cert.pem -noout -subject 2>/dev/null)" "localhost" "(the certificate is the one made)"

# Refusals, before anything listens, that name the file and the reason.
assert_status 2 "--cert without --key" -- "$PLUMB" serve --port 0 --cert cert.pem
assert_contains "$(cat "$T/.err")" "--cert and --key go together" "says why"
assert_status 1 "a key that is not the certificate's" -- "$PLUMB" serve --port 0 --cert cert.pem --key other-key.pem
assert_contains "$(cat "$T/.err")" "do not match" "GnuTLS's reason is shown"
echo "not a certificate" > junk.pem
assert_status 1 "a certificate file that is not PEM" -- "$PLUMB" serve --port 0 --cert junk.pem --key key.pem
assert_contains "$(cat "$T/.err")" "--cert junk.pem: not a PEM file" "names the file"
assert_status 1 "a missing key file" -- "$PLUMB" serve --port 0 --cert cert.pem --key nope.pem
assert_contains "$(cat "$T/.err")" "--key nope.pem" "names the file"
# a key others can read is served, with a warning
cp key.pem open-key.pem; chmod 644 open-key.pem
serve_start --cert cert.pem --key open-key.pem
assert_contains "$(cat serve.log)" "can be read by others than its owner" "a readable key is warned about"
serve_stop
done_testing
