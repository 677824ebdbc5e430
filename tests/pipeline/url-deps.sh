#!/bin/sh
# url-deps.sh - http(s) dependencies checked by ETag / Last-Modified and size against a server on 127.0.0.1; other schemes refused by name.
. "${top_srcdir}/tests/lib.sh"

py=${PYTHON3_SYS:-python3}
pid=
start() {	# start [--no-etag|--no-validators]: serves $T/www
	rm -f "$T/port"
	"$py" "${top_srcdir}/tests/pipeline/httpd.py" "$T/www" "$T/port" "$@" &
	pid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	port=$(cat "$T/port")
}
stop() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	pid=
}
trap 'stop; cd /; rm -rf "$T"' EXIT INT TERM

mkdir www p
echo "a,b" > www/data.csv
start
cd p
cat > dvc.yaml <<YAML
stages:
  get:
    cmd: echo fetched > got.txt
    deps:
      - http://127.0.0.1:$port/data.csv
    outs: [got.txt]
YAML
"$PLUMB" dag --json > dag.json 2>&1 || fail "dag: $(cat dag.json)"
assert_contains "$(cat dag.json)" "\"deps\":[\"http://127.0.0.1:$port/data.csv\"]" "a URL dep is kept as written"
"$PLUMB" repro > r1 2>&1 || fail "repro with an http dep: $(cat r1)"
assert_contains "$(cat r1)" "1 ran" "the stage ran"
assert_contains "$(cat plumb.lock)" "path: http://127.0.0.1:$port/data.csv" "the lock records the URL"
etag1=$(sed -n 's/^ *etag: //p' plumb.lock)
[ -n "$etag1" ] && ok || fail "the lock records the ETag as DVC does: $(cat plumb.lock)"
assert_contains "$(grep -A4 "path: http" plumb.lock)" "size: 4" "and the size from Content-Length"
"$PLUMB" status > s1 2>&1 || fail "status: $(cat s1)"
assert_contains "$(cat s1)" "up to date" "unchanged on the server: up to date"
echo "a,b,c" > ../www/data.csv
"$PLUMB" status > s2 2>&1 || fail "status: $(cat s2)"
assert_contains "$(cat s2)" "dep http://127.0.0.1:$port/data.csv changed" "a new ETag is a change"
"$PLUMB" repro > r2 2>&1 || fail "repro: $(cat r2)"
assert_contains "$(cat r2)" "1 ran" "the stage ran again"
etag2=$(sed -n 's/^ *etag: //p' plumb.lock)
[ -n "$etag2" ] && [ "$etag2" != "$etag1" ] && ok || fail "the new ETag is recorded: $etag1 / $etag2"
"$PLUMB" repro > r2b 2>&1 || fail "repro: $(cat r2b)"
assert_not_contains "$(cat r2b)" "1 ran" "unchanged since: nothing runs"
rm ../www/data.csv
"$PLUMB" status > s3 2>&1 || fail "status: $(cat s3)"
assert_contains "$(cat s3)" "dep http://127.0.0.1:$port/data.csv is missing" "404 is a missing dep"
echo "a,b" > ../www/data.csv

# Last-Modified and size when the server sends no ETag (python's own)
stop
start --no-etag
sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$port/" dvc.yaml
"$PLUMB" repro > r3 2>&1 || fail "repro, Last-Modified only: $(cat r3)"
assert_contains "$(cat plumb.lock)" "last_modified:" "the lock keeps Last-Modified when there is no ETag"
assert_not_contains "$(cat plumb.lock)" "etag:" "and no stale ETag"
"$PLUMB" status > s4 2>&1 || fail "status: $(cat s4)"
assert_contains "$(cat s4)" "up to date" "Last-Modified unchanged: up to date"
echo "longer content" > ../www/data.csv
touch -d '2001-01-01' ../www/data.csv
"$PLUMB" status > s5 2>&1 || fail "status: $(cat s5)"
assert_contains "$(cat s5)" "changed" "a new Last-Modified and size is a change"

# neither validator: refused, since no change could ever be seen
stop
start --no-validators
sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$port/" dvc.yaml
assert_status 1 "no validators" -- "$PLUMB" status
assert_contains "$(cat "$T/.err")" "neither an ETag nor a Last-Modified" "says why"

# unreachable: a clear message, not a missing file; as in DVC, the
# stage is neither up to date nor re-run (status and repro both fail)
stop
start
sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$port/" dvc.yaml
"$PLUMB" repro > r4 2>&1 || fail "repro: $(cat r4)"
stop
assert_status 1 "server down, repro" -- "$PLUMB" repro
assert_contains "$(cat "$T/.err")" "dvc.yaml:5:9: dependency 'http://127.0.0.1:$port/data.csv' of stage 'get': cannot reach the server" "names the stage, the URL and why"
assert_not_contains "$(cat "$T/.err")" "missing" "not a missing file"
assert_status 1 "server down, status" -- "$PLUMB" status
assert_contains "$(cat "$T/.err")" "of stage 'get': cannot reach the server" "status says the same"
[ -f got.txt ] && ok || fail "the output is left alone"

# other schemes: refused by name when running, fine for the graph
cat > dvc.yaml <<YAML
stages:
  s3:
    cmd: echo
    deps:
      - s3://bucket/data.csv
YAML
"$PLUMB" dag > /dev/null 2>&1 && ok || fail "dag accepts an s3 dep"
assert_status 1 "s3 dep" -- "$PLUMB" repro
assert_contains "$(cat "$T/.err")" "dvc.yaml:5:9: dependency 's3://bucket/data.csv' of stage 's3': unsupported scheme s3: plumb checks http and https URLs" "s3 named"
assert_not_contains "$(cat "$T/.err")" "does not exist" "not a missing file"
sed -i 's|s3://bucket/data.csv|remote://storage/data.csv|' dvc.yaml
assert_status 1 "remote:// dep, status" -- "$PLUMB" status
assert_contains "$(cat "$T/.err")" "dvc.yaml:5:9: dependency 'remote://storage/data.csv' of stage 's3': unsupported scheme remote" "status names the scheme too"
printf 'stages:\n  o:\n    cmd: echo\n    outs: [s3://b/k]\n' > dvc.yaml
assert_status 1 "URL out" -- "$PLUMB" dag
assert_contains "$(cat "$T/.err")" "must be a path in the workspace, not a s3:// URL" "an output URL is refused"
done_testing
