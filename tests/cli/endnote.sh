#!/bin/sh
# tests/cli/endnote.sh - a run's end kept in runs/ID/end (the store was full when it ended) is applied instead of "lost"; a torn note is not.
. "$top_srcdir/tests/lib.sh"

"$PLUMB" init -q

# start NAME: a run whose plumb is then killed -9 (as if it died right
# after failing to record the end); prints the run id.
start() {
	rm -f child.pid
	"$PLUMB" run -q -n "$1" -- sh -c 'echo $$ > child.pid; exec sleep 60' \
	    >/dev/null 2>&1 &
	p=$!
	for i in $(seq 1 100); do
		[ -s child.pid ] && break
		sleep 0.05
	done
	[ -s child.pid ] || fail "run $1 never started"
	id=$("$PLUMB" runs --ids -f "attributes.name = '$1'")
	kill -9 "$p"
	wait "$p" 2>/dev/null || true
	kill "$(cat child.pid)" 2>/dev/null || true
	echo "$id"
}

a=$(start noted)
note=.plumb/runs/$a/end
[ -f "$note" ] && ok || fail "no end note reserved for a new run"
assert_eq 1024 "$(wc -c < "$note" | tr -d ' ')" "the note's bytes are reserved up front"
assert_eq "" "$(tr -d ' \n' < "$note")" "a reserved note is blank"
# What pl_run_finish() writes when the store has no room for the end.
printf 'plumb-run-end 1\nstatus=failed\nexit=3\nend_ms=1796533499367\nmessage=recording the run failed: committing: disk full\nend\n' |
    dd of="$note" conv=notrunc 2>/dev/null
st=$("$PLUMB" show "$a" --json)
assert_contains "$st" '"status":"failed"' "the kept end is applied, not lost"
assert_contains "$st" '"exit_status":3' "with its exit status"
assert_contains "$st" '"end_time":1796533499367' "and its end time"
assert_contains "$st" "disk full" "and its reason"

b=$(start torn)
# Torn: the closing line never reached the disk.
printf 'plumb-run-end 1\nstatus=finished\nexit=0\nend_ms=1796533499367\nmess' |
    dd of=.plumb/runs/$b/end conv=notrunc 2>/dev/null
assert_contains "$("$PLUMB" show "$b" --json)" '"status":"lost"' "a torn note is ignored"

c=$(start blank)
assert_contains "$("$PLUMB" show "$c" --json)" '"status":"lost"' "a blank note means lost"
"$PLUMB" fsck >/dev/null && ok || fail "plumb fsck with end notes in runs/"
done_testing
