#!/bin/sh
# layering.sh - checks the layering rules of DESIGN.md §3 on the source tree.
#
#   1. widgets/ includes no engine header (nor sqlite3/libyaml/libcsv/libcrypto);
#   2. engine/ and common/ include no curses (nor any widgets/ header);
#   3. curses is included only by widgets/wcurses.h;
#   4. no sqlite3_ call outside engine/.
#
# The checks first run on a planted tree that breaks every rule, so the
# test proves it can fail, then on the real tree.
set -u

: "${top_srcdir:=.}"

# check ROOT: prints each violation, returns the number found (capped).
check() {
	root=$1
	bad=0

	# 1. widgets/ -> engine: any #include of a header that lives in
	#    engine/, spelled with or without the directory.
	if [ -d "$root/widgets" ]; then
		eng_headers=$(cd "$root" && ls engine/*.h engine/*/*.h 2>/dev/null |
			sed 's|^.*/||')
		for f in "$root"/widgets/*.c "$root"/widgets/*.h; do
			[ -f "$f" ] || continue
			incs=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]\([^">]*\)[">].*/\1/p' "$f")
			for inc in $incs; do
				base=${inc##*/}
				case $inc in
				engine/*|sqlite3.h|yaml.h|csv.h|openssl/*)
					echo "layering: ${f#$root/} includes $inc (widgets know no engine)"
					bad=$((bad + 1)); continue ;;
				esac
				for h in $eng_headers; do
					if [ "$base" = "$h" ] && [ ! -f "$root/widgets/$base" ] &&
					    [ ! -f "$root/common/$base" ]; then
						echo "layering: ${f#$root/} includes engine header $inc"
						bad=$((bad + 1))
					fi
				done
			done
		done
	fi

	# 2. engine/ and common/ -> curses or widgets.
	for d in engine common; do
		[ -d "$root/$d" ] || continue
		hits=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((n?cursesw?/)?n?curses(w)?\.h|term\.h|wcurses\.h|widgets/[^">]*)[">]' \
			"$root/$d"/*.c "$root/$d"/*.h "$root/$d"/*/*.c "$root/$d"/*/*.h 2>/dev/null)
		if [ -n "$hits" ]; then
			echo "$hits" | sed "s|^$root/|layering: curses/widgets in the $d layer: |"
			bad=$((bad + $(echo "$hits" | wc -l)))
		fi
	done

	# 3. only widgets/wcurses.h includes the curses header itself.
	for d in widgets tui cli engine common; do
		[ -d "$root/$d" ] || continue
		hits=$(grep -lE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?cursesw?/)?n?cursesw?\.h[">]' \
			"$root/$d"/*.c "$root/$d"/*.h "$root/$d"/*/*.c "$root/$d"/*/*.h 2>/dev/null |
			grep -v "/widgets/wcurses\.h$")
		if [ -n "$hits" ]; then
			echo "$hits" | sed "s|^$root/|layering: includes curses directly (use widgets/wcurses.h): |"
			bad=$((bad + $(echo "$hits" | wc -l)))
		fi
	done

	# 4. SQL stays in the engine: no sqlite3_ call anywhere else.
	for d in widgets tui cli common examples; do
		[ -d "$root/$d" ] || continue
		hits=$(grep -nE '\bsqlite3_[a-z0-9_]+[[:space:]]*\(' \
			"$root/$d"/*.c "$root/$d"/*.h 2>/dev/null)
		if [ -n "$hits" ]; then
			echo "$hits" | sed "s|^$root/|layering: sqlite3 outside engine/: |"
			bad=$((bad + $(echo "$hits" | wc -l)))
		fi
	done
	[ "$bad" -gt 100 ] && bad=100
	return "$bad"
}

# Self-test: a tree that breaks each rule once must give 5 violations.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/layering.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/widgets" "$tmp/engine" "$tmp/common" "$tmp/cli"
printf '/* x */\n' > "$tmp/engine/store.h"
printf '#include "config.h"\n#include "store.h"\n' > "$tmp/widgets/a.c"
printf '#include "engine/plumb.h"\n' > "$tmp/widgets/b.h"
printf '#include "config.h"\n#include "widgets/wcurses.h"\n' > "$tmp/engine/c.c"
printf '#include <curses.h>\n' > "$tmp/cli/d.c"
printf 'int f(void) { return sqlite3_exec (0, 0, 0, 0, 0); }\n' > "$tmp/cli/e.c"
check "$tmp" > "$tmp/out"
n=$?
if [ "$n" -ne 5 ]; then
	echo "layering.sh self-test: expected 5 violations on the planted tree, got $n:"
	cat "$tmp/out"
	exit 1
fi

check "$top_srcdir"
n=$?
if [ "$n" -ne 0 ]; then
	echo "layering: $n violation(s)"
	exit 1
fi
echo "layering: widgets/ engine/ common/ cli/ tui/ follow the rules"
exit 0
