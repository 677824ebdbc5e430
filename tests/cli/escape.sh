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

# Issue 15 item 6: every text plumb prints, errors included, and CSV.
# CSV: RFC 4180 quoting, control characters neutralised, the text kept.
csv=$("$PLUMB" runs --csv -c name,params.evil,tags.t)
assert_not_contains "$(printf '%s' "$csv" | od -An -tx1 | tr -d '\n')" " 1b" "no ESC in --csv"
assert_contains "$csv" 'name^[]0;pwned^G,^[]0;pwned^G^[[2J,<U+202E>x\xFFy' "csv fields neutralised"
"$PLUMB" run -q -n 'a,"b"' -p "multi=one
two" -- true
csv=$("$PLUMB" runs --csv -c name,params.multi -f "params.multi LIKE 'one%'")
assert_eq 'name,params.multi
"a,""b""","one
two"' "$csv" "csv quoting per RFC 4180"

# Arguments echoed in errors: an unknown run id, command, option, file.
all=$({
	"$PLUMB" show "ab${clear}cd" || true
	"$PLUMB" diff "$id" "x${title}" || true
	"$PLUMB" metrics "$id" "k${clear}" || true
	"$PLUMB" "cmd${clear}" || true
	"$PLUMB" runs "--bogus${clear}" || true
	"$PLUMB" runs -n "5${title}" || true
	"$PLUMB" drift "a${clear}.csv" "b${c1}.csv" || true
	"$PLUMB" --store "/nonexistent/${clear}" runs || true
	"$PLUMB" log metric "k${clear}" 1 --run "$id${clear}" || true
	"$PLUMB" model show "m${clear}" || true
	"$PLUMB" repro -f "p${clear}.yaml" || true
} 2>&1 | od -An -tx1 | tr -d '\n')
assert_not_contains "$all" " 1b" "no ESC in error messages"
assert_not_contains "$all" " 07" "no BEL in error messages"
assert_not_contains "$all" " c2 9b" "no C1 CSI in error messages"
assert_status 1 "unknown run id" -- "$PLUMB" show "ab${clear}cd"
assert_contains "$(cat "$T/.err")" "ab^[[2Jcd" "the id is shown, made visible"
assert_status 2 "unknown command" -- "$PLUMB" "cmd${clear}"
assert_contains "$(cat "$T/.err")" "unknown command 'cmd^[[2J'" "the command is shown, made visible"

# With NO_COLOR (set by tests/lib.sh) no 0x1b byte reaches stdout or
# stderr from any command that shows stored text.
all=$({
	"$PLUMB" runs; "$PLUMB" runs --csv; "$PLUMB" runs --json; "$PLUMB" runs --ids
	"$PLUMB" show "$id"; "$PLUMB" show "$id" --json
	"$PLUMB" diff "$id" "$id" --all; "$PLUMB" metrics "$id"
	"$PLUMB" metrics "$id" "$(printf 'k\302\233ey')" --csv
	"$PLUMB" experiments; "$PLUMB" experiments --json; "$PLUMB" audit
} 2>&1 | od -An -tx1 | tr -d '\n')
assert_not_contains "$all" " 1b" "NO_COLOR: no ESC byte at all"
assert_not_contains "$all" " c2 9b" "NO_COLOR: no C1 CSI"

done_testing
