#!/bin/sh
# tests/cli/track.sh - plumb run: protocol, logs, exit status, params, artifacts, code version.
. "$top_srcdir/tests/lib.sh"

"$PLUMB" init -q
[ -f .plumb/plumb.db ] && ok || fail "init made no plumb.db"
"$PLUMB" init -q && ok || fail "init twice"

# A run that uses every record type, both output streams and plumb log.
cat > train.sh <<'SH'
echo "param lr 0.01" >&3
echo "param note  two  spaces kept" >&3
echo "tag team vision" >&3
for i in 0 1 2 3 4; do echo "metric loss 0.$((9 - i))" >&3; done
echo "metric acc 0.5 step=10 ts=1700000000000" >&3
echo "metric acc 0.75 step=20" >&3
echo "metric weird nan" >&3
echo "not a record" >&3
echo "metric loss abc" >&3
echo "metric x 1 step=-4" >&3
printf 'model bytes\n' > model.bin
echo "artifact model.bin" >&3
echo "to stdout"
echo "to stderr" >&2
test -n "$PLUMB_RUN_ID" && test -d "$PLUMB_STORE"
"$PLUMB" log metric shell_metric -2.5
"$PLUMB" log tag from_shell yes
exit 7
SH
set +e
"$PLUMB" run -e exp1 -n first -p batch=32 -t owner=me -- sh train.sh >out.txt 2>err.txt
rc=$?
set -e
assert_eq 7 "$rc" "exit status passed through"
assert_contains "$(cat out.txt)" "to stdout" "stdout shown"
assert_contains "$(cat err.txt)" "to stderr" "stderr shown"
assert_contains "$(cat err.txt)" "3 malformed protocol lines" "bad lines reported"
assert_contains "$(cat err.txt)" "line 12: column 1: unknown record type 'not'" "first bad line explained"
assert_contains "$(cat err.txt)" "step is not an integer >= 0" "bad step explained"

id=$("$PLUMB" runs --ids)
assert_eq 32 "${#id}" "one run with a 32-hex id"
json=$("$PLUMB" show "$id" --json)
assert_contains "$json" '"status":"failed"' "non-zero exit is failed"
assert_contains "$json" '"exit_status":7' "exit status recorded"
assert_contains "$json" '"experiment":"exp1"' "experiment"
assert_contains "$json" '"name":"first"' "name"
assert_contains "$json" '"lr":"0.01"' "param from protocol"
assert_contains "$json" '"batch":"32"' "param from -p"
assert_contains "$json" '"note":"two  spaces kept"' "param value to end of line"
assert_contains "$json" '"team":"vision"' "tag from protocol"
assert_contains "$json" '"owner":"me"' "tag from -t"
assert_contains "$json" '"from_shell":"yes"' "tag from plumb log"
assert_contains "$json" '"bad_lines":3' "bad lines stored"
assert_contains "$json" '"loss":{"last":0.5,"step":4,' "auto steps 0..4, latest 0.5"
assert_contains "$json" '"min":0.5,"max":0.9,"count":5' "loss min/max/count"
assert_contains "$json" '"acc":{"last":0.75,"step":20' "explicit steps"
assert_contains "$json" '"weird":{"last":"nan"' "NaN kept"
assert_contains "$json" '"shell_metric":{"last":-2.5' "negative metric from plumb log"
sha=$(sha256sum model.bin | cut -d' ' -f1)
assert_contains "$json" "\"sha256\":\"$sha\"" "artifact hash"
obj=".plumb/cache/$(echo "$sha" | cut -c1-2)/$(echo "$sha" | cut -c3-)"
[ -f "$obj" ] && ok || fail "artifact object missing at $obj"
cmp -s "$obj" model.bin && ok || fail "artifact content differs"
assert_eq "to stdout" "$(cat .plumb/runs/$id/stdout.log)" "stdout log"
assert_eq "to stderr" "$(cat .plumb/runs/$id/stderr.log)" "stderr log"

# The series in step order, exact values.
csv=$("$PLUMB" metrics "${id%????????????????????????}" loss --csv | cut -d, -f1,3 | tr '\n' ' ')
assert_eq "step,value 0,0.90000000000000002 1,0.80000000000000004 2,0.69999999999999996 3,0.59999999999999998 4,0.5 " "$csv" "series"
ts=$("$PLUMB" metrics "$id" acc --json)
assert_contains "$ts" '{"step":10,"timestamp":1700000000000,"value":0.5}' "ts= kept"

# A successful run; plumb log from outside with --run and a prefix.
"$PLUMB" run -q -e exp1 -n second -- true
id2=$("$PLUMB" runs --ids -f "attributes.name = 'second'")
"$PLUMB" log metric loss 0.25 --run "$(echo "$id2" | cut -c1-10)" --step 3
assert_contains "$("$PLUMB" show "$id2" --json)" '"status":"finished"' "exit 0 is finished"
assert_contains "$("$PLUMB" show "$id2" --json)" '"loss":{"last":0.25,"step":3' "log --run --step"

# Store discovery: walk up, --store, PLUMB_STORE.
mkdir -p sub/dir && cd sub/dir
assert_eq 2 "$("$PLUMB" runs --ids | wc -l | tr -d ' ')" "store found walking up"
other=$(mktemp -d "${TMPDIR:-/tmp}/plumb-nostore.XXXXXX")
cd "$other"
assert_status 1 "no store" -- "$PLUMB" runs
assert_contains "$(cat "$T/.err")" "no plumb store here or in any parent" "no store message"
assert_eq 2 "$("$PLUMB" --store "$T/.plumb" runs --ids | wc -l | tr -d ' ')" "--store"
assert_eq 2 "$(PLUMB_STORE="$T/.plumb" "$PLUMB" runs --ids | wc -l | tr -d ' ')" "PLUMB_STORE"
cd "$T"
rmdir "$other"

# Code version inside a git repository: commit, branch, dirty, diff hash.
if command -v git >/dev/null; then
	mkdir repo && cd repo
	git init -q -b main . && git config user.email t@e && git config user.name t
	echo a > f && git add f && git commit -qm one
	commit=$(git rev-parse HEAD)
	"$PLUMB" --store "$T/.plumb" run -q -n clean -- true
	echo b >> f
	"$PLUMB" --store "$T/.plumb" run -q -n dirty -- true
	c=$("$PLUMB" --store "$T/.plumb" runs --ids -f "attributes.name = 'clean'")
	d=$("$PLUMB" --store "$T/.plumb" runs --ids -f "attributes.name = 'dirty'")
	jc=$("$PLUMB" --store "$T/.plumb" show "$c" --json)
	jd=$("$PLUMB" --store "$T/.plumb" show "$d" --json)
	assert_contains "$jc" "\"commit\":\"$commit\"" "commit recorded"
	assert_contains "$jc" '"branch":"main"' "branch recorded"
	assert_contains "$jc" '"dirty":false' "clean tree"
	assert_contains "$jd" '"dirty":true' "dirty tree"
	dh=$(git diff --no-ext-diff --binary HEAD | sha256sum | cut -d' ' -f1)
	assert_contains "$jd" "\"diff_sha256\":\"$dh\"" "diff hash = sha256 of git diff HEAD"
	diffout=$("$PLUMB" --store "$T/.plumb" diff "$c" "$d")
	assert_contains "$diffout" "different uncommitted changes" "diff notes dirty change"
	cd "$T"
fi
outside=$("$PLUMB" show "$id2" --json)
assert_contains "$outside" '"commit":null' "outside git: no commit, nothing breaks"

# A command that does not exist: 127 and a failed run with the reason.
assert_status 127 "missing command" -- "$PLUMB" run -q -n missing -- /nonexistent/cmd
assert_contains "$(cat "$T/.err")" "cannot run '/nonexistent/cmd'" "missing command message"
m=$("$PLUMB" runs --ids -f "attributes.name = 'missing'")
assert_contains "$("$PLUMB" show "$m" --json)" '"status":"failed"' "missing command run failed"

# SIGTERM to plumb run: forwarded to the child's group, run killed.
"$PLUMB" run -q -n sleeper -- sh -c 'sleep 30 & wait' &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	s=$("$PLUMB" runs --ids -f "attributes.name = 'sleeper'" || true)
	[ -n "$s" ] && break
	sleep 0.2
done
sleep 0.3
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
assert_eq 143 "$rc" "killed run exits 128+SIGTERM"
s=$("$PLUMB" runs --ids -f "attributes.name = 'sleeper'")
assert_contains "$("$PLUMB" show "$s" --json)" '"status":"killed"' "SIGTERM marks the run killed"
done_testing
