#!/bin/sh
# probe-tls.sh - the HTTP probe over https against openssl s_server with a fresh self-signed certificate:
# trusted through ca:, the TLS phase and the certificate's end date; refused without it.
. "${top_srcdir:-.}/tests/monitor/source-lib.sh"

command -v openssl >/dev/null || { echo "openssl is not installed (.ci/install-deps)" >&2; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 30 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
PORT=$(free_port)
openssl s_server -accept "127.0.0.1:$PORT" -cert cert.pem -key key.pem -www -quiet \
    </dev/null >s_server.log 2>&1 &
PIDS="$PIDS $!"
mkdir -p certs
cp cert.pem certs/ca.pem
cat >plumb.yaml <<YAML
monitor:
  targets:
    tls:
      probe: {url: "https://127.0.0.1:$PORT/", ca: certs/ca.pem}
    untrusted:
      probe: https://127.0.0.1:$PORT/
YAML
i=0
until "$DRIVE" plumb.yaml tls >out && [ "$(val out 'probe_success{target="tls"}')" = 1 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || break
	sleep 0.1
done
assert_eq 1 "$(val out 'probe_success{target="tls"}')" "https with the CA given: success"
assert_eq 1 "$(val out 'probe_http_ssl{target="tls"}')" "probe_http_ssl"
assert_eq up "$(state out probe)" "state"
want=$(date -d "$(openssl x509 -enddate -noout -in cert.pem | cut -d= -f2)" +%s)
assert_eq "$want" "$(val out 'probe_ssl_earliest_cert_expiry{target="tls"}')" "certificate end date"
tls=$(val out 'probe_http_duration_seconds{phase="tls",target="tls"}')
assert_contains "$(awk -v v="$tls" 'BEGIN { print (v > 0 && v < 5) ? "ok" : "bad " v }')" ok "a TLS phase"
days=$(awk -v e="$want" -v n="$(date +%s)" 'BEGIN { printf "%d", (e - n) / 86400 }')
assert_contains "29 30" "$days" "about 30 days left"

assert_status 0 "an untrusted certificate is data" -- "$DRIVE" plumb.yaml untrusted
assert_eq 0 "$(val "$T/.out" 'probe_success{target="untrusted"}')" "untrusted: no success"
assert_contains "$(state "$T/.out" probe)" "down SSL certificate problem" "untrusted reason"

done_testing
