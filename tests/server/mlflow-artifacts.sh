#!/bin/sh
# tests/server/mlflow-artifacts.sh - plumb serve's mlflow-artifacts proxy: the client's uploads, listings and downloads replayed (tests/server/mlflow-artifacts.py), paths leaving the root refused, the files seen by plumb show as run artifacts, a read-only token refused, the body size limit.
. "$top_srcdir/tests/lib.sh"

PY=${PYTHON3_SYS:-/usr/bin/python3}
if ! [ -x "$PY" ]; then
	echo "SKIP: no python3"
	exit 77
fi
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
"$PLUMB" init -q

. "$top_srcdir/tests/server/lib-serve.sh"

RO=ro-token-0b6e2d9c4a1f3e57
RW=rw-token-7f3a9c1e5b2d8e64
printf '%s carol ro\n%s alice rw\n' "$RO" "$RW" > tokens
serve_start --token-file tokens || { done_testing; exit 1; }

MLFLOW_TRACKING_TOKEN=$RW "$PY" "$top_srcdir/tests/server/mlflow-artifacts.py" "$URL" > client.out 2> client.err || true
[ -s client.err ] && fail "the client script failed: $(cat client.err)"
while read -r word rest; do
	case $word in
	ok) ok ;;
	FAIL) fail "$rest" ;;
	esac
done < client.out
checks_seen=$(grep -c '^ok ' client.out || true)
[ "$checks_seen" -gt 60 ] && ok || fail "only $checks_seen checks ran"
run=$(sed -n 's/^run //p' client.out)
exp=$(curl -s -H "Authorization: Bearer $RW" "$URL/api/2.0/mlflow/runs/get?run_id=$run" |
    sed -n 's/.*"experiment_id":"\([0-9]*\)".*/\1/p')
A="$URL/api/2.0/mlflow-artifacts/artifacts/$exp/$run/artifacts"

code() { curl -s -o body.out -w '%{http_code}' "$@"; }
# A read-only token downloads and lists, and uploads nothing.
assert_eq 200 "$(code -H "Authorization: Bearer $RO" "$A/model/model.pkl")" "read-only: download"
assert_eq 200 "$(code -H "Authorization: Bearer $RO" \
    "$URL/api/2.0/mlflow-artifacts/artifacts?path=$exp/$run/artifacts")" "read-only: list"
printf 'ro' > ro.txt
assert_eq 403 "$(code -H "Authorization: Bearer $RO" -T ro.txt "$A/ro.txt")" "read-only: PUT refused"
assert_contains "$(cat body.out)" "PERMISSION_DENIED" "read-only: MLflow's code"
assert_eq 401 "$(code -T ro.txt "$A/ro.txt")" "no token: PUT refused"
# Bodies over the limit (16 MiB) are refused before they are read.
head -c 17000000 /dev/zero > big.bin
assert_eq 413 "$(code -H "Authorization: Bearer $RW" -T big.bin "$A/big.bin")" "a 17 MB upload: 413"
# A file of 1 MB goes through whole.
head -c 1048576 /dev/urandom > mid.bin
assert_eq 200 "$(code -H "Authorization: Bearer $RW" -T mid.bin "$A/data/mid.bin")" "a 1 MB upload"
curl -s -H "Authorization: Bearer $RW" -o mid.back "$A/data/mid.bin"
cmp -s mid.bin mid.back && ok || fail "the 1 MB download differs"
# DELETE of an artifact: plumb keeps a run's artifacts, said as 501
# NOT_IMPLEMENTED (MLflow's code), and the file stays.
assert_eq 501 "$(code -X DELETE -H "Authorization: Bearer $RW" "$A/data/mid.bin")" "DELETE: 501"
assert_contains "$(cat body.out)" "NOT_IMPLEMENTED" "DELETE: MLflow's code"
assert_contains "$(cat body.out)" "append-only" "DELETE: the reason"
assert_eq 403 "$(code -X DELETE -H "Authorization: Bearer $RO" "$A/data/mid.bin")" "DELETE: read-only refused"
curl -s -H "Authorization: Bearer $RW" -o mid.back "$A/data/mid.bin"
cmp -s mid.bin mid.back && ok || fail "the file is still there after DELETE"
# A 50 MB artifact (recorded by plumb run: uploads stop at 16 MB) is
# served from its cache file: byte-identical, and the server's peak
# resident memory (VmHWM) does not grow by its size.
head -c 52428800 /dev/urandom > huge.bin
printf 'artifact huge.bin\n' > art.sh
echo 'cat art.sh >&"$PLUMB_FD"' > rec.sh
"$PLUMB" run -q -- sh rec.sh >/dev/null 2>&1 || fail "plumb run with a 50 MB artifact"
hrun=$("$PLUMB" runs --ids | head -1)
hexp=$(curl -s -H "Authorization: Bearer $RW" "$URL/api/2.0/mlflow/runs/get?run_id=$hrun" |
    sed -n 's/.*"experiment_id":"\([0-9]*\)".*/\1/p')
H="$URL/api/2.0/mlflow-artifacts/artifacts/$hexp/$hrun/artifacts/huge.bin"
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$srvpid/status"; }
if [ -r "/proc/$srvpid/status" ]; then
	curl -s -H "Authorization: Bearer $RW" -o mid.back "$A/data/mid.bin"	# warm
	before=$(hwm)
	curl -s -H "Authorization: Bearer $RW" -o huge.back "$H"
	after=$(hwm)
	cmp -s huge.bin huge.back && ok || fail "the 50 MB download differs ($(wc -c < huge.back) bytes)"
	[ $((after - before)) -lt 20480 ] && ok ||
	    fail "serving 50 MB raised the server's peak memory by $((after - before)) kB"
fi
serve_stop

# The uploads are plumb run artifacts, in the content-addressed cache.
out=$("$PLUMB" show "$run")
assert_contains "$out" "model/model.pkl" "plumb show lists model/model.pkl"
assert_contains "$out" "notes with space.txt" "plumb show lists the file with spaces"
assert_contains "$out" "data/mid.bin" "plumb show lists the 1 MB file"
assert_not_contains "$out" "ro.txt" "the read-only upload left nothing"
assert_not_contains "$out" "passwd" "the traversal attempts left nothing"
sum=$(sha256sum mid.bin | cut -c1-64)
[ -f ".plumb/cache/$(printf %s "$sum" | cut -c1-2)/$(printf %s "$sum" | cut -c3-)" ] && ok ||
    fail "the 1 MB file is cache object $sum"
[ -z "$(ls .plumb/tmp 2>/dev/null)" ] && ok || fail "uploads left temporary files: $(ls .plumb/tmp)"

done_testing
