#!/bin/sh
# tests/cli/manual.sh - plumb(1) lists exactly the commands of plumb's command table.
#
# `plumb --help` is generated from the command table (cli/cmd.c); this
# test compares the commands it lists with the entries of plumb(1)'s
# COMMANDS section, both ways, so the manual and the table cannot drift
# apart.  It also checks that every doc/plumb-NAME.1 page is about a
# command of the table and is named in plumb(1)'s SEE ALSO.  The
# comparison first runs on a doctored manual, to prove it can fail.
. "$top_srcdir/tests/lib.sh"

manual="$top_srcdir/doc/plumb.1"

# The commands of the table, one a line, sorted.
"$PLUMB" --help | awk '/^Commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }' |
	sort -u > "$T/table"
[ -s "$T/table" ] || fail "plumb --help lists no commands"

# manual_commands FILE: the command of each .TP entry of the COMMANDS
# section (the first word of the line after .TP, font macros and quotes
# removed), one a line, sorted.
manual_commands() {
	awk '
		/^\.SH / { in_cmds = ($0 ~ /^\.SH +"?COMMANDS"?$/); next }
		!in_cmds { next }
		/^\.TP/ { tp = 1; next }
		tp {
			tp = 0
			line = $0
			sub(/^\.[A-Z]+ +/, "", line)
			gsub(/"/, "", line)
			gsub(/\\f[BIRP]/, "", line)
			split(line, w, /[ |\[]/)
			print w[1]
		}' "$1" | sort -u
}

# compare FILE: prints each disagreement, returns their number.
compare() {
	manual_commands "$1" > "$T/manual"
	n=0
	for c in $(comm -23 "$T/table" "$T/manual"); do
		echo "plumb --help lists '$c', plumb(1) has no entry for it"
		n=$((n + 1))
	done
	for c in $(comm -13 "$T/table" "$T/manual"); do
		echo "plumb(1) has an entry for '$c', which is no command"
		n=$((n + 1))
	done
	return "$n"
}

# Self-test: rename one entry (fsck -> fsckx): one command missing from
# the manual and one that is no command, 2 disagreements.
sed 's/^\.B fsck$/.B fsckx/' "$manual" > "$T/doctored.1"
set +e
compare "$T/doctored.1" > "$T/self.out"
n=$?
set -e
assert_eq 2 "$n" "self-test on a manual with a renamed entry: $(cat "$T/self.out")"

set +e
compare "$manual" > "$T/real.out"
n=$?
set -e
assert_eq 0 "$n" "plumb(1) and the command table: $(cat "$T/real.out")"
assert_eq "$(wc -l < "$T/table")" "$(wc -l < "$T/manual")" \
	"as many manual entries as commands"

# Every per-command page documents a command and is in SEE ALSO.
for page in "$top_srcdir"/doc/plumb-*.1; do
	[ -f "$page" ] || continue
	name=${page##*/plumb-}
	name=${name%.1}
	grep -qx "$name" "$T/table" ||
		fail "doc/plumb-$name.1 documents '$name', which is no command"
	grep -q "^\.BR plumb\\\\-$name (1)" "$manual" ||
		fail "plumb(1) SEE ALSO does not name plumb-$name(1)"
	ok
done

done_testing
