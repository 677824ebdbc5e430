#!/bin/sh
# tests/cli/errors.sh - bad input gets a clear error and the right exit status; nothing is lost.
. "$top_srcdir/tests/lib.sh"

"$PLUMB" init -q
for i in $(seq 1 40); do "$PLUMB" run -q -n "r$i" -- true; done

# Unknown ids, ambiguous prefixes, not an id.
assert_status 1 "unknown run" -- "$PLUMB" show ffffffffffffffffffffffffffffffff
assert_contains "$(cat "$T/.err")" "plumb: no run matches 'ffffffffffffffffffffffffffffffff'" "unknown run message"
# 40 runs over 16 first hex digits: some 1-digit prefix is shared.
p=$("$PLUMB" runs --ids | cut -c1 | sort | uniq -d | head -1)
assert_status 1 "ambiguous prefix" -- "$PLUMB" show "$p"
assert_contains "$(cat "$T/.err")" "run id prefix '$p' is ambiguous: it matches $p" "ambiguous message lists candidates"
assert_status 1 "not hex" -- "$PLUMB" show 'zz;drop table runs'
assert_contains "$(cat "$T/.err")" "is not a run id" "non-hex id message"

# Bad filters point at the column.
assert_status 2 "bad filter" -- "$PLUMB" runs -f "metrics.loss < 0.5 and params.lr ~ 1"
assert_contains "$(cat "$T/.err")" "column 34" "filter error column"
assert_contains "$(cat "$T/.err")" "^ column 34" "caret line"
assert_status 2 "unknown entity" -- "$PLUMB" runs -f "metricz.loss < 1"
assert_contains "$(cat "$T/.err")" "unknown entity 'metricz'" "entity message"
assert_status 2 "unclosed paren" -- "$PLUMB" runs -f "(metrics.a < 1"
assert_contains "$(cat "$T/.err")" "unclosed '('" "paren message"
assert_status 2 "string vs metric" -- "$PLUMB" runs -f "metrics.a < 'x'"
assert_contains "$(cat "$T/.err")" "metrics are numbers" "type message"
assert_status 2 "unterminated string" -- "$PLUMB" runs -f "params.a = 'x"
assert_contains "$(cat "$T/.err")" "unterminated string" "string message"
assert_status 2 "bad sort" -- "$PLUMB" runs -s "nonsense.x"
assert_status 2 "bad column" -- "$PLUMB" runs -c "id,bogus"
assert_status 1 "unknown experiment" -- "$PLUMB" runs -e nope
assert_contains "$(cat "$T/.err")" "no experiment named 'nope'" "experiment message"
# A filter is never pasted into SQL: quotes and SQL text are just values.
assert_status 0 "injection attempt is a value" -- "$PLUMB" runs -f "params.x = '1'' OR 1=1 --'"
assert_eq "" "$(cat "$T/.out" | tail -n +2)" "injection matched nothing"
assert_eq 40 "$("$PLUMB" runs --ids | wc -l | tr -d ' ')" "all runs still there"

# Bad usage.
assert_status 2 "-p without =" -- "$PLUMB" run -p novalue -- true
assert_status 2 "log without run" -- env -u PLUMB_RUN_ID "$PLUMB" log metric a 1
assert_status 2 "log bad value" -- "$PLUMB" log metric a notanumber --run "$p"
assert_status 1 "metrics of unknown key" -- "$PLUMB" metrics "$("$PLUMB" runs --ids | head -1)" nokey
assert_contains "$(cat "$T/.err")" "has no metric 'nokey'" "unknown key message"

# A store that is missing, not a store, corrupt, newer, or read-only.
assert_status 1 "missing store dir" -- "$PLUMB" --store "$T/nowhere" runs
assert_contains "$(cat "$T/.err")" "no plumb store at" "missing store message"
mkdir notastore
assert_status 1 "dir without db" -- "$PLUMB" --store notastore runs
assert_contains "$(cat "$T/.err")" "is not a plumb store" "not a store message"
mkdir corrupt && head -c 8192 /dev/urandom > corrupt/plumb.db
assert_status 1 "corrupt store" -- "$PLUMB" --store corrupt runs
assert_contains "$(cat "$T/.err")" "not a plumb store" "corrupt store message"
if command -v sqlite3 >/dev/null; then
	mkdir other && sqlite3 other/plumb.db "CREATE TABLE t(x); PRAGMA user_version=3"
	assert_status 1 "foreign sqlite db" -- "$PLUMB" --store other runs
	assert_contains "$(cat "$T/.err")" "not a plumb store" "foreign db message"
	cp -r .plumb newer
	sqlite3 newer/plumb.db "PRAGMA user_version=999"
	assert_status 1 "newer store" -- "$PLUMB" --store newer runs
	assert_contains "$(cat "$T/.err")" "newer than this plumb understands" "newer store message"
	assert_contains "$(cat "$T/.err")" "upgrade plumb" "newer store advice"
fi
# A read-only store: its owner without write permission, or (as root, who
# ignores permissions) another user who may only read it.
cp -r .plumb ro
if [ "$(id -u)" != 0 ]; then
	chmod -R a-w ro
	AS=
elif command -v setpriv >/dev/null; then
	chmod -R a+rX,go-w ro
	chmod a+rx "$T"
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	AS=skip
fi
if [ "$AS" != skip ]; then
	assert_status 0 "read-only store lists" -- $AS "$PLUMB" --store "$T/ro" runs --ids
	assert_eq 40 "$(wc -l < "$T/.out" | tr -d ' ')" "read-only store lists every run"
	assert_status 1 "read-only store refuses a run" -- $AS "$PLUMB" --store "$T/ro" run -- true
	assert_contains "$(cat "$T/.err")" "read-only" "read-only message"
	assert_status 1 "read-only store refuses plumb log" -- $AS "$PLUMB" --store "$T/ro" log tag a b --run "$("$PLUMB" runs --ids | head -1)"
	assert_contains "$(cat "$T/.err")" "read-only" "read-only message for log"
	chmod -R u+w ro
fi
"$PLUMB" fsck >/dev/null && ok || fail "store sound after all that"
done_testing
