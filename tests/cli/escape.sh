#!/bin/sh
# tests/cli/escape.sh - untrusted text (names, params, tags, keys, experiments) never puts an
# escape sequence on the terminal through plumb's own output.
. "$top_srcdir/tests/lib.sh"

"$PLUMB" init -q
ESC=$(printf '\033')
BEL=$(printf '\007')
title="${ESC}]0;pwned${BEL}"
clear="${ESC}[2J"
dcs="${ESC}Pq#0;2;0;0;0${ESC}\\"
c1=$(printf '\302\233')	# U+009B, the 8-bit CSI
bidi=$(printf '\342\200\256')	# U+202E right-to-left override
bad=$(printf 'x\377y')	# not UTF-8
"$PLUMB" run -q -e "exp$clear" -n "name$title" -p "p$dcs=v$c1" -t "t=$bidi$bad" -- \
	sh -c "printf 'param evil %s\n' '$title$clear' >&3; printf 'metric k${c1}ey 1\n' >&3"
id=$("$PLUMB" runs --ids)
out=$({
	"$PLUMB" runs
	"$PLUMB" runs -c name,params.evil,tags.t
	"$PLUMB" show "$id"
	"$PLUMB" diff "$id" "$id" --all
	"$PLUMB" experiments
	"$PLUMB" metrics "$id"
	"$PLUMB" runs -f "params.x = '$title" 2>&1 || true
} | od -An -tx1 | tr -d '\n')
assert_not_contains "$out" " 1b" "no ESC byte in output"
assert_not_contains "$out" " 07" "no BEL byte in output"
assert_not_contains "$out" " c2 9b" "no C1 CSI in output"
assert_not_contains "$out" " e2 80 ae" "no bidi override in output"
shown=$("$PLUMB" show "$id")
assert_contains "$shown" "name^[]0;pwned^G" "escapes made visible, not dropped"
assert_contains "$shown" "<U+202E>" "bidi override made visible"
assert_contains "$shown" 'x\xFFy' "invalid UTF-8 made visible"
# JSON keeps the exact text, escaped for JSON.
json=$("$PLUMB" show "$id" --json)
assert_contains "$json" '"name":"name\u001b]0;pwned\u0007"' "json escapes controls"
done_testing
