#!/bin/sh
# dvc-compat.sh - issue 16 from the command line: read-only commands write nothing, alias bombs are refused fast, errors read well.
. "${top_srcdir}/tests/lib.sh"

# 7: status and repro --dry-run in a directory without a store create none
mkdir ro && cd ro
printf 'stages:\n  a:\n    cmd: echo hi > o\n    outs: [o]\n' > dvc.yaml
"$PLUMB" status >s.out 2>&1 || fail "status: $(cat s.out)"
assert_contains "$(cat s.out)" "never run" "status works without a store"
"$PLUMB" repro --dry-run >d.out 2>&1 || fail "dry run: $(cat d.out)"
assert_contains "$(cat d.out)" "would run" "a dry run works without a store"
"$PLUMB" dag >/dev/null 2>&1 || fail "dag"
[ ! -e .plumb ] && ok || fail "a read-only command created .plumb/"
[ ! -e plumb.lock ] && ok || fail "a read-only command wrote plumb.lock"
"$PLUMB" repro >r.out 2>&1 || fail "repro: $(cat r.out)"
[ -d .plumb ] && ok || fail "repro makes the store it needs"
cd ..

# 15.3: "billion laughs" in every YAML the pipeline reads: refused with the
# file's name, in little memory (how fast: tests/bench/yaml-bomb-bench.sh;
# timing is not asserted here, the machine may be loaded)
bomb() {
	echo "$1"
	echo "  a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"
	prev=a
	for n in b c d e f g h i j; do
		printf '  %s: &%s [' "$n" "$n"
		for k in 1 2 3 4 5 6 7 8; do printf '*%s,' "$prev"; done
		printf '*%s]\n' "$prev"
		prev=$n
	done
}
measure() {	# FILE-TO-NAME CMD...: exit 1, message names it, < 100 MB
	want=$1; shift
	set +e
	/usr/bin/time -f '%e %M' -o time.out "$@" >b.out 2>&1
	rc=$?
	set -e
	assert_eq 1 "$rc" "$want: an alias bomb is an error"
	assert_contains "$(cat b.out)" "$want:" "$want: the message names the file"
	assert_contains "$(cat b.out)" "aliases expand to more than" "$want: says why"
	kb=$(tail -n 1 time.out | cut -d' ' -f2)
	[ "$kb" -lt 102400 ] && ok || fail "$want: peak RSS $kb KB"
}
if [ -x /usr/bin/time ]; then
	mkdir bombs && cd bombs
	{ bomb "vars:" | sed 's/^  a:/  - a:/; s/^  \([b-j]\):/    \1:/'; echo "stages: {}"; } > dvc.yaml
	measure dvc.yaml "$PLUMB" dag
	{ bomb "stages:" | sed 's/^  \([a-j]\): \(.*\)/  \1:\n    cmd: echo\n    meta: \2/'; } > plumb.yaml
	measure plumb.yaml "$PLUMB" dag -f plumb.yaml
	rm plumb.yaml
	printf 'stages:\n  s:\n    cmd: echo\n' > dvc.yaml
	bomb "x:" > params.yaml
	measure params.yaml "$PLUMB" status
	rm params.yaml
	bomb "x:" > v.yaml
	printf 'vars: [v.yaml]\nstages:\n  s:\n    cmd: echo\n' > dvc.yaml
	measure v.yaml "$PLUMB" dag
	printf 'stages:\n  s:\n    cmd: cp m.src m.yaml\n    deps: [m.src]\n    metrics: [m.yaml]\n' > dvc.yaml
	bomb "x:" > m.src
	# (reporting a metrics file that cannot be read is issue 15's item 7;
	# here: reading it costs neither time nor memory)
	/usr/bin/time -f '%e %M' -o time.out "$PLUMB" repro >r.out 2>&1 ||
		fail "repro with a bomb as metrics: $(cat r.out)"
	kb=$(tail -n 1 time.out | cut -d' ' -f2)
	[ "$kb" -lt 102400 ] && ok || fail "metrics: peak RSS $kb KB"
	cd ..
fi

# 8: bad indentation in the user's terms
printf 'stages:\n  a:\n    cmd: x\n   deps: [y]\n' > bad.yaml
assert_status 1 "bad indent" -- "$PLUMB" dag -f bad.yaml
assert_contains "$(cat "$T/.err")" "bad.yaml:4:4: bad indentation" "bad indentation named"

done_testing
