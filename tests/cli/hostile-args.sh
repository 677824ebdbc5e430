#!/bin/sh
# tests/cli/hostile-args.sh - every command and subcommand of `plumb --help`, fed hostile
# arguments (terminal escapes, 64 KiB strings, invalid UTF-8, binary junk, FIFOs, /dev/zero,
# /dev/full as output, a store that does not exist): a documented exit status (never a
# signal), no sanitizer report, no raw escape on stdout or stderr, no hang, no change to
# the store (issue 15).
#
# Commands come from `plumb --help`, subcommands from each command's usage lines
# ("plumb model promote ..."), options that take a value from the same lines: a new
# command, subcommand or option is covered without editing this file.
# .ci/run runs the suite twice (sanitizers, then plain); this long test
# runs once, in the sanitizer suite, where its checks matter most.
if [ -n "${PLUMB_CI_PLAIN:-}" ]; then
	echo "SKIP: run in the sanitizer suite of .ci/run"
	exit 77
fi
. "$top_srcdir/tests/lib.sh"

LIMIT=${HOSTILE_LIMIT:-20}	# seconds one invocation may take (a hang is forever)
ESC=$(printf '\033')
BEL=$(printf '\007')
# escapes (clear screen, OSC 52 clipboard write, 8-bit CSI), invalid UTF-8,
# then every byte but NUL
junk=$(printf '\001\002\003\004\005\006\010\013\014\016\017\020\021\022\023\024\025\026\027\030\031\032\034\035\036\037\177\200\201\233\237\240\300\301\365\376\377')
text="a${ESC}[2J${ESC}]52;c;aGVsbG8=${BEL}b$(printf '\302\233')31m$(printf '\377\376\300\257')${junk}"
long=$(head -c 65536 /dev/zero | tr '\0' x)${ESC}[2J
# what must never reach the terminal raw: ESC, BEL, the 8-bit CSI and OSC
# bytes, C1 controls in UTF-8
ctl=$(printf '[\033\007\233\235]')
c1=$(printf '\302[\200-\237]')
mkfifo "$T/fifo"
ws="$T/ws"
mkdir "$ws" && cd "$ws"
"$PLUMB" init -q
printf 'a,b\n1,2\n' > data.csv
printf 'weights\n' > model.bin
"$PLUMB" run -q -n base -p lr=0.1 -- sh -c 'printf "metric acc 0.9\n" >&3'
id=$("$PLUMB" runs --ids)
"$PLUMB" model register churn --run "$id" --path model.bin >/dev/null
"$PLUMB" data add data.csv >/dev/null

dump() { sqlite3 "$ws/.plumb/plumb.db" .dump; }

# check WHAT ALLOWED-CODES -- CMD...: run CMD (stdin from /dev/null, at most LIMIT s).
check() {
	what=$1 codes=$2
	shift 3
	set +e
	timeout -s KILL "$LIMIT" "$@" </dev/null >"$T/.out" 2>"$T/.err"
	rc=$?
	set -e
	case " $codes " in
	*" $rc "*) ok ;;
	*)	if [ "$rc" = 137 ]; then fail "$what: no answer within $LIMIT s"
		elif [ "$rc" -ge 128 ]; then fail "$what: killed by signal $((rc - 128))"
		else fail "$what: exit $rc (documented: $codes)"; fi
		head -c 300 "$T/.err" | od -c | head -5 >&2 ;;
	esac
	if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$T/.err"; then
		fail "$what: sanitizer report"; head -20 "$T/.err" >&2
	else ok; fi
	if LC_ALL=C grep -q -e "$ctl" -e "$c1" "$T/.out" "$T/.err"; then
		fail "$what: a raw terminal control in the output"
		cat "$T/.out" "$T/.err" | od -c | grep -m3 -E '033|007|233|302' >&2
	else ok; fi
}

# The commands, and each one's subcommands and value options.
cmds=$("$PLUMB" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" { print $1 }')
[ "$(echo "$cmds" | wc -l)" -ge 20 ] && ok || fail "only $(echo "$cmds" | wc -l) commands found in plumb --help"

# usage lines of a command, continuation lines joined: "plumb model promote NAME@VERSION --to STAGE ..."
usage_lines() {
	"$PLUMB" "$1" --help 2>&1 | awk -v c="$1" '
		/^$/ { if (u) exit }
		{ sub(/^usage:/, "") }
		$1 == "plumb" && $2 == c { if (line != "") print line; line = $0; u = 1; next }
		u && /^ +[[-]/ { line = line " " $0; next }
		u { exit }
		END { if (line != "") print line }'
}

nentries=0
entries=
for c in $cmds; do
	usage=$(usage_lines "$c")
	subs=$(echo "$usage" | awk '$3 ~ /^[a-z][a-z-]*$/ { print $3 }' | sort -u)
	[ -n "$subs" ] || subs="-"
	for s in $subs; do
		if [ "$s" = "-" ]; then set -- "$c"; u=$usage; else set -- "$c" "$s"
			u=$(echo "$usage" | awk -v s="$s" '$3 == s'); fi
		name="$*"
		entries="$entries|$name|"
		nentries=$((nentries + 1))
		# options taking a value ("--to STAGE", "-f FILE", "[--since D]"),
		# as "OPTION METAVAR"
		opts=$(echo "$u" | tr -d '[]' | tr ' |' '\n\n' | awk '
			prev ~ /^--?[a-zA-Z][a-z-]*$/ && $0 ~ /^[A-Z][A-Z_@=.]*$/ { print prev "=" $0 }
			{ prev = $0 }' | sort -u)
		codes="0 1 2"
		# plumb run runs its argument: "command not found" (127) and
		# "cannot execute" (126) are plumb run's documented answers, and
		# it records every run it starts (the store changes)
		[ "$c" = run ] && codes="0 1 2 126 127"
		before=$(dump)
		# (plumb demo DIR creates DIR, whatever its name, and runs a
		# three-minute demo in it: only its options and errors here)
		[ "$c" = demo ] || {
		check "$name [text]" "$codes" -- "$PLUMB" "$@" "$text"
		check "$name [64 KiB]" "$codes" -- "$PLUMB" "$@" "$long"
		check "$name fifo" "$codes" -- "$PLUMB" "$@" "$T/fifo"
		check "$name /dev/zero" "$codes" -- "$PLUMB" "$@" /dev/zero
		check "$name [text] [text]" "$codes" -- "$PLUMB" "$@" "$text" "$text"
		}
		for ov in $opts; do
			o=${ov%%=*}
			check "$name $o [text]" "$codes" -- "$PLUMB" "$@" "$o" "$text"
			case ${ov#*=} in
			*FILE*|*PATH*|*ARTIFACT*|*DIR*|*STREAM*)
				check "$name $o fifo" "$codes" -- "$PLUMB" "$@" "$o" "$T/fifo"
				check "$name $o /dev/zero" "$codes" -- "$PLUMB" "$@" "$o" /dev/zero ;;
			*)	check "$name $o [64 KiB]" "$codes" -- "$PLUMB" "$@" "$o" "$long" ;;
			esac
		done
		check "$name --<escapes>" "$codes" -- "$PLUMB" "$@" "--x${ESC}[2J"
		[ "$c" = demo ] || check "$name with a store that does not exist" "$codes" -- \
			"$PLUMB" --store "$T/nonexistent/${ESC}[2J" "$@" "$text"
		# /dev/full as stdout: the write error must fail the command
		check "$name --help >/dev/full" "1" -- sh -c '"$0" "$@" --help >/dev/full' "$PLUMB" "$@"
		if [ "$c" != run ]; then
			after=$(dump)
			if [ "$before" = "$after" ]; then ok; else
				fail "$name: the store changed"
				printf '%s\n' "$before" > "$T/before"; printf '%s\n' "$after" > "$T/after"
				diff "$T/before" "$T/after" | head -10 >&2
			fi
		fi
	done
done
[ "$nentries" -ge 35 ] && ok || fail "only $nentries commands and subcommands found"
for sub in "model promote" "alerts ack" "silence add" "monitor series" "data add" "log metric"; do
	case "$entries" in *"|$sub|"*) ok ;; *) fail "$sub not enumerated" ;; esac
done
# an unknown command, plumb's own options, a hostile PLUMB_STORE
PLUMB_STORE="$T/no${ESC}]52;c;aGk=${BEL}" check "PLUMB_STORE hostile: runs" "1 2" -- "$PLUMB" runs
PLUMB_STORE="$T/fifo" check "PLUMB_STORE fifo: show" "1 2" -- "$PLUMB" show "$id"
check "runs >/dev/full" "1" -- sh -c '"$0" runs >/dev/full' "$PLUMB"
check "unknown command" "2" -- "$PLUMB" "$text"
check "--store [text] runs" "1 2" -- "$PLUMB" --store "$text" runs
check "--store fifo runs" "1 2" -- "$PLUMB" --store "$T/fifo" runs
check "--store /dev/zero runs" "1 2" -- "$PLUMB" --store /dev/zero runs
done_testing
