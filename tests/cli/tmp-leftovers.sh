#!/bin/sh
# tmp-leftovers.sh - kill -9 during `plumb data add` of a large file leaves its temporary file in
# .plumb/tmp/; `plumb fsck` reports it, `plumb fsck --repair` removes it but never a file that a
# live plumb process holds; a clean add leaves nothing (issue 15 item 8).
. "${top_srcdir}/tests/lib.sh"

"$PLUMB" init -q
head -c 300000000 /dev/urandom > big.bin 2>/dev/null || dd if=/dev/urandom of=big.bin bs=1M count=300 2>/dev/null
# a clean run leaves none
printf 'small\n' > small.txt
"$PLUMB" data add small.txt >/dev/null
assert_eq "" "$(ls .plumb/tmp)" "a clean data add leaves nothing in tmp/"

# kill -9 while the copy into the cache is on its way: the moment tmp/ holds a file
left=
for try in 1 2 3 4 5; do
	rm -f big.bin.plumb
	"$PLUMB" data add big.bin >/dev/null 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 3000 ] && [ -z "$(ls .plumb/tmp)" ] && kill -0 $pid 2>/dev/null; do
		i=$((i + 1))
	done
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	left=$(ls .plumb/tmp)
	[ -n "$left" ] && break
	# it finished first: take the object out of the cache and try again
	rm -rf .plumb/cache/*
done
[ -n "$left" ] && ok || fail "no leftover after 5 tries (the copy always won the race)"
case $left in put.*|obj.*) ok ;; *) fail "unexpected tmp name: $left" ;; esac

# a file a live plumb process holds: named with this shell's pid and start time (it lives)
start=$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20)
: > ".plumb/tmp/put.$$.$start.0"

assert_status 0 "fsck with leftovers" -- "$PLUMB" fsck
assert_contains "$(cat "$T/.out")" "leftover tmp/$left" "fsck names the leftover"
assert_contains "$(cat "$T/.out")" "plumb fsck --repair" "and says how to remove it"
assert_contains "$(cat "$T/.out")" "1 temporary file held by running plumb processes" "a held file is counted, not a leftover"
assert_not_contains "$(cat "$T/.out")" "leftover tmp/put.$$." "the held file is not a leftover"
assert_status 0 "fsck --repair" -- "$PLUMB" fsck --repair
assert_contains "$(cat "$T/.out")" "removed tmp/$left" "repair removes it"
[ ! -e ".plumb/tmp/$left" ] && ok || fail "the leftover is still there"
[ -e ".plumb/tmp/put.$$.$start.0" ] && ok || fail "repair removed a file a live process holds"
rm -f ".plumb/tmp/put.$$.$start.0"
assert_eq "" "$(ls .plumb/tmp)" "tmp/ is empty"

# the add completes afterwards, and leaves nothing
rm -f big.bin.plumb
"$PLUMB" data add big.bin >/dev/null && ok || fail "data add after the kill"
assert_eq "" "$(ls .plumb/tmp)" "a clean data add of a large file leaves nothing in tmp/"
"$PLUMB" fsck >f.out && ok || fail "fsck after"
assert_not_contains "$(cat f.out)" "leftover" "nothing reported"
done_testing
