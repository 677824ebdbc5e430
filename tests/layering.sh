#!/bin/sh
# layering.sh - checks the include rules of docs/architecture.md on the source tree.
#
#   1. widgets/ includes no engine header (nor sqlite3/libyaml/libcsv/libcrypto);
#   2. engine/ and common/ include no curses (nor any widgets/ header);
#   3. curses is included only by widgets/wcurses.h;
#   4. no sqlite3_ call outside engine/;
#   5. engine/ includes no front end (cli/, tui/, server/ headers);
#   6. front ends (cli/, tui/, server/) include only engine/plumb.h of the
#      engine;
#   7. common/ includes only common/ (and config.h): it knows no layer above;
#   8. only front ends include xalloc.h (out of memory is fatal there only);
#  10. a front end includes of another front end (cli/, tui/, server/)
#      only its entry header (tui/tui-main.h, server/serve-main.h): the
#      command line of `plumb tui` and `plumb serve` lives with them;
#   9. engine/ holds plumb.h and one folder per capability; each folder is
#      a room of known rank and includes only rooms of its rank or below
#      (store; track, data, config; pipeline, registry, drift; monitor;
#      alert; ct), and the rooms' includes form no circle (checked by tsort).
#
# The checks first run on a planted tree that breaks every rule, so the
# test proves it can fail, then on the real tree.
set -u

: "${top_srcdir:=.}"

# The engine's rooms and their ranks, bottom (0) to top.
room_rank() {
	case $1 in
	store) echo 0 ;;
	track|data|config) echo 1 ;;
	pipeline|registry|drift) echo 2 ;;
	monitor) echo 3 ;;
	alert) echo 4 ;;
	ct) echo 5 ;;
	*) echo -1 ;;
	esac
}

# includes FILE: the quoted and bracketed #include names of FILE.
includes() {
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]\([^">]*\)[">].*/\1/p' "$1"
}

# sources ROOT DIR: the .c and .h files under ROOT/DIR, at any depth.
sources() {
	[ -d "$1/$2" ] || return 0
	find "$1/$2" -type f \( -name '*.c' -o -name '*.h' \) | sort
}

# check ROOT: prints each violation, returns the number found (capped).
check() {
	root=$1
	bad=0
	out=$(mktemp "${TMPDIR:-/tmp}/layering-out.XXXXXX")
	edges=$(mktemp "${TMPDIR:-/tmp}/layering-edges.XXXXXX")

	# Base names of the engine's headers (plumb.h and the rooms').
	eng_headers=$( (cd "$root" && find engine -name '*.h' 2>/dev/null) |
		sed 's|^.*/||' | sort -u)
	rooms=$( (cd "$root" && find engine -mindepth 1 -maxdepth 1 -type d ! -name ".*" \
		2>/dev/null) | sed 's|^engine/||' | sort)

	# is_engine_inc INC DIR...: INC names an engine header, spelled
	# engine/..., ROOM/... or as a bare name that no DIR (the includer's
	# own directories) has.
	is_engine_inc() {
		inc=$1; shift
		case $inc in engine/*) return 0 ;; esac
		for r in $rooms; do
			case $inc in "$r"/*) return 0 ;; esac
		done
		base=${inc##*/}
		[ "$base" = "$inc" ] || return 1
		for d in "$@"; do
			[ -f "$root/$d/$base" ] && return 1
		done
		for h in $eng_headers; do
			[ "$h" = "$base" ] && return 0
		done
		return 1
	}

	# 1. widgets/ -> engine.
	for f in $(sources "$root" widgets); do
		for inc in $(includes "$f"); do
			case $inc in
			sqlite3.h|yaml.h|csv.h|openssl/*)
				echo "layering: ${f#$root/} includes $inc (widgets know no engine)"
				bad=$((bad + 1)); continue ;;
			esac
			if is_engine_inc "$inc" widgets common "${f#$root/}/.."; then
				echo "layering: ${f#$root/} includes engine header $inc (widgets know no engine)"
				bad=$((bad + 1))
			fi
		done
	done

	# 2. engine/ and common/ -> curses or widgets.
	for d in engine common; do
		for f in $(sources "$root" $d); do
			for inc in $(includes "$f"); do
				case $inc in
				curses.h|ncurses.h|cursesw.h|ncursesw.h|ncursesw/*|ncurses/*|term.h|wcurses.h|widgets/*)
					echo "layering: curses/widgets in the $d layer: ${f#$root/} includes $inc"
					bad=$((bad + 1)) ;;
				esac
			done
		done
	done

	# 3. only widgets/wcurses.h includes the curses header itself.
	for d in widgets tui cli server engine common; do
		for f in $(sources "$root" $d); do
			[ "${f#$root/}" = widgets/wcurses.h ] && continue
			for inc in $(includes "$f"); do
				case $inc in
				curses.h|ncurses.h|cursesw.h|ncursesw.h|ncursesw/*|ncurses/*)
					echo "layering: ${f#$root/} includes curses directly (use widgets/wcurses.h)"
					bad=$((bad + 1)) ;;
				esac
			done
		done
	done

	# 4. SQL stays in the engine: no sqlite3_ call anywhere else.
	for d in widgets tui cli server common examples; do
		for f in $(sources "$root" $d); do
			hits=$(grep -nE '\bsqlite3_[a-z0-9_]+[[:space:]]*\(' "$f")
			[ -n "$hits" ] || continue
			echo "$hits" | sed "s|^|layering: sqlite3 outside engine/: ${f#$root/}:|"
			bad=$((bad + $(echo "$hits" | wc -l)))
		done
	done

	# 5. engine/ -> front ends.
	fe_headers=$( (cd "$root" && find cli tui server -name '*.h' 2>/dev/null) |
		sed 's|^.*/||' | sort -u)
	for f in $(sources "$root" engine); do
		for inc in $(includes "$f"); do
			hit=
			case $inc in cli/*|tui/*|server/*) hit=1 ;; esac
			base=${inc##*/}
			if [ -z "$hit" ] && [ "$base" = "$inc" ] &&
			    [ ! -f "$(dirname "$f")/$base" ] && [ ! -f "$root/common/$base" ]; then
				for h in $fe_headers; do
					[ "$h" = "$base" ] && hit=1
				done
			fi
			if [ -n "$hit" ]; then
				echo "layering: ${f#$root/} includes front-end header $inc (the engine knows no front end)"
				bad=$((bad + 1))
			fi
		done
	done

	# 6. front ends include only engine/plumb.h of the engine.
	for d in cli tui server; do
		for f in $(sources "$root" $d); do
			for inc in $(includes "$f"); do
				case $inc in plumb.h|engine/plumb.h) continue ;; esac
				if is_engine_inc "$inc" "$d" common widgets; then
					echo "layering: ${f#$root/} includes $inc (front ends include only engine/plumb.h)"
					bad=$((bad + 1))
				fi
			done
		done
	done

	# 10. a front end includes of another front end only its entry header.
	for d in cli tui server; do
		for f in $(sources "$root" $d); do
			for inc in $(includes "$f"); do
				case $inc in
				tui-main.h|tui/tui-main.h|serve-main.h|server/serve-main.h)
					continue ;;
				esac
				base=${inc##*/}
				[ -f "$root/$d/$base" ] && continue
				# A bare name found in common/ or widgets/ is theirs
				# (widgets/table.h, not cli/table.h).
				if [ "$base" = "$inc" ] && { [ -f "$root/common/$base" ] ||
				    [ -f "$root/widgets/$base" ]; }; then
					continue
				fi
				for o in cli tui server; do
					[ "$o" = "$d" ] && continue
					case $inc in "$o"/*) ;; *)
						[ "$base" = "$inc" ] || continue ;;
					esac
					if [ -f "$root/$o/$base" ]; then
						echo "layering: ${f#$root/} includes $o/$base (a front end reaches another only through its entry header)"
						bad=$((bad + 1))
					fi
				done
			done
		done
	done

	# 7. common/ includes only common/ headers, config.h and system headers.
	for f in $(sources "$root" common); do
		for inc in $(includes "$f"); do
			[ "$inc" = config.h ] && continue
			grep -q "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"$inc\"" "$f" ||
				continue	# <system> header
			if [ ! -f "$root/common/$inc" ]; then
				echo "layering: ${f#$root/} includes $inc (common/ knows only common/)"
				bad=$((bad + 1))
			fi
		done
	done

	# 8. xalloc.h: front ends only.
	for d in engine widgets; do
		for f in $(sources "$root" $d); do
			if includes "$f" | grep -qx 'xalloc.h'; then
				echo "layering: ${f#$root/} includes xalloc.h (only front ends may exit on OOM)"
				bad=$((bad + 1))
			fi
		done
	done

	# 9. engine rooms.
	for f in $( (cd "$root" && find engine -maxdepth 1 -type f \
	    \( -name '*.c' -o -name '*.h' \) 2>/dev/null) | sort); do
		[ "$f" = engine/plumb.h ] && continue
		echo "layering: $f is not in a room (git mv it into engine/ROOM/)"
		bad=$((bad + 1))
	done
	for r in $rooms; do
		rr=$(room_rank "$r")
		if [ "$rr" -lt 0 ]; then
			echo "layering: engine/$r/ is no known room (add it to room_rank in tests/layering.sh and to docs/architecture.md)"
			bad=$((bad + 1))
			continue
		fi
		echo "$r $r" >> "$edges"
		for f in $(sources "$root" "engine/$r"); do
			for inc in $(includes "$f"); do
				t=${inc%%/*}
				[ "$t" != "$inc" ] && [ "$t" != "$r" ] || continue
				[ -d "$root/engine/$t" ] || continue
				tr=$(room_rank "$t")
				if [ "$tr" -gt "$rr" ]; then
					echo "layering: ${f#$root/} includes $inc: room $r (rank $rr) reaches up to $t (rank $tr)"
					bad=$((bad + 1))
				fi
				echo "$t $r" >> "$edges"
			done
		done
	done
	if ! tsort "$edges" > /dev/null 2> "$out"; then
		echo "layering: rooms include each other in a circle:" \
			$(sed -n 's/^tsort: \([a-z]*\)$/\1/p' "$out")
		bad=$((bad + 1))
	fi

	rm -f "$out" "$edges"
	[ "$bad" -gt 100 ] && bad=100
	return "$bad"
}

# Self-test: a tree that breaks each rule once must give 13 violations.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/layering.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/widgets" "$tmp/engine/store" "$tmp/engine/track" \
	"$tmp/engine/data" "$tmp/common" "$tmp/cli" "$tmp/tui"
printf '/* x */\n' > "$tmp/engine/store/store.h"
printf '/* x */\n' > "$tmp/engine/plumb.h"
printf '/* x */\n' > "$tmp/cli/cli.h"
# 1: a widget includes an engine header, by base name.
printf '#include "config.h"\n#include "store.h"\n' > "$tmp/widgets/a.c"
# 2 and 3: the engine includes a widget, and a front end curses.
printf '#include "config.h"\n#include "widgets/wcurses.h"\n' > "$tmp/engine/store/c.c"
printf '#include <curses.h>\n' > "$tmp/cli/d.c"
# 4: SQL in a front end.
printf 'int f(void) { return sqlite3_exec (0, 0, 0, 0, 0); }\n' > "$tmp/cli/e.c"
# 5: the engine includes a front end.
printf '#include "cli.h"\n' > "$tmp/engine/store/f.c"
# 6: a front end includes an engine room's header (plumb.h is fine).
printf '#include "plumb.h"\n#include "store/store.h"\n' > "$tmp/tui/g.c"
# 7 and 8: common/ includes the engine and xalloc.h in the engine.
printf '#include "config.h"\n#include <stdio.h>\n#include "plumb.h"\n' > "$tmp/common/h.c"
printf '#include "xalloc.h"\n' > "$tmp/engine/track/i.c"
# 9: a flat engine file, a room reaching up, a circle of two rooms of
# one rank, an unknown room.
printf '/* x */\n' > "$tmp/engine/flat.c"
printf '#include "track/x.h"\n' > "$tmp/engine/store/j.c"
printf '#include "data/x.h"\n' > "$tmp/engine/track/k.c"
printf '#include "track/x.h"\n' > "$tmp/engine/data/l.c"
mkdir "$tmp/engine/attic"
# 10: the CLI reaches into a front end's internals (its entry header is fine).
printf '/* x */\n' > "$tmp/tui/tui-main.h"
printf '/* x */\n' > "$tmp/tui/screen.h"
printf '#include "tui-main.h"\n#include "screen.h"\n' > "$tmp/cli/m.c"
check "$tmp" > "$tmp/out"
n=$?
if [ "$n" -ne 13 ]; then
	echo "layering.sh self-test: expected 13 violations on the planted tree, got $n:"
	cat "$tmp/out"
	exit 1
fi

check "$top_srcdir"
n=$?
if [ "$n" -ne 0 ]; then
	echo "layering: $n violation(s)"
	exit 1
fi
echo "layering: widgets/ engine/ (room by room) common/ cli/ tui/ server/ follow the rules"
exit 0
