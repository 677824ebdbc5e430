#!/bin/sh
# tests/fuzz/run.sh - builds every fuzz harness (tests/fuzz/*-fuzz.c) with clang's libFuzzer under
# ASan + UBSan and runs each for a bounded time on a copy of its seed corpus (issue 15).
#
#   sh tests/fuzz/run.sh [SECONDS-PER-TARGET]      (default 12; from the top of the source tree)
#
# The engine is built once, into a temporary directory, with coverage
# instrumentation (-fsanitize=fuzzer-no-link), so libFuzzer sees the
# parsers' branches; the tree and its builds are not touched.
# Prints one line per target, "PASS: fuzz/NAME: R runs in S s (E exec/s),
# corpus N -> M" or "FAIL: fuzz/NAME: ... reproducer: PATH", and exits 1
# when any target failed (a crash, a leak, a sanitizer report, a harness
# abort, a timeout) or could not be built.  The work directory is kept when
# something failed (its path is printed), so the reproducer survives.
set -u
secs=${1:-12}
top=$(cd "$(dirname "$0")/../.." && pwd)
CC_FUZZ=${CC_FUZZ:-clang}
command -v "$CC_FUZZ" >/dev/null 2>&1 || {
	echo "FAIL: fuzz: $CC_FUZZ not found (.ci/install-deps installs clang)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/plumb-fuzz.XXXXXX")
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

# 1. the engine and common libraries, instrumented: every .c of engine/
#    and common/ (all of them go into libplumbengine.a / libplumbcommon.a),
#    with the config.h of any configured build (the tree's or CONFIG_DIR).
cfg=${CONFIG_DIR:-$top}
[ -f "$cfg/config.h" ] || {
	echo "FAIL: fuzz: no config.h in $cfg (run ./configure, or set CONFIG_DIR)"; exit 1; }
inc="-I$cfg -I$top -I$top/common -I$top/engine"
cflags="-g -O1 -fsanitize=fuzzer-no-link $san -DPLUMB_VERSION=\"fuzz\" $(pkg-config --cflags sqlite3 yaml-0.1 libcrypto libcurl)"
mkdir -p "$work/obj"
export CC_FUZZ cflags inc work
if ! (cd "$top" && find engine common -name '*.c' | sort |
    xargs -P 2 -I{} sh -c 'o="$work/obj/$(echo {} | tr / _).o";
	$CC_FUZZ $cflags $inc -c {} -o "$o" || { echo "failed: {}"; exit 255; }') \
    >"$work/build.log" 2>&1 || ! ar rcs "$work/libfuzzplumb.a" "$work"/obj/*.o; then
	tail -30 "$work/build.log"
	echo "FAIL: fuzz: the instrumented engine did not build (log: $work/build.log)"
	exit 1
fi
libs="$work/libfuzzplumb.a $(pkg-config --libs sqlite3 yaml-0.1 libcrypto libcurl) -lcsv -lm -pthread"

failed=0
for src in "$top"/tests/fuzz/*-fuzz.c; do
	name=$(basename "$src" -fuzz.c)
	bin="$work/$name-fuzz"
	# a harness of front-end code names the files it needs beside the
	# engine in its head comment: " * fuzz-sources: server/form.c ..."
	extra=
	for f in $(sed -n 's|^ \* fuzz-sources: ||p' "$src" | head -1); do
		extra="$extra $top/$f"
	done
	# (and the pkg-config packages they need: " * fuzz-pkgs: jansson")
	pkgs=$(sed -n 's|^ \* fuzz-pkgs: ||p' "$src" | head -1)
	[ -n "$pkgs" ] && extra="$extra $(pkg-config --cflags --libs $pkgs)"
	# shellcheck disable=SC2086
	if ! "$CC_FUZZ" -g -O1 -fsanitize=fuzzer $san -D_GNU_SOURCE \
	    $inc -I"$top/engine/alert" -I"$top/server" "$src" $extra $libs \
	    -o "$bin" >"$work/$name.build" 2>&1; then
		cat "$work/$name.build"
		echo "FAIL: fuzz/$name: the harness did not build"
		failed=1
		continue
	fi
	corpus="$work/$name-corpus"
	mkdir -p "$corpus"
	[ -d "$top/tests/fuzz/$name-corpus" ] && cp "$top/tests/fuzz/$name-corpus"/* "$corpus"/
	n0=$(ls "$corpus" | wc -l)
	# (halt_on_error: a UBSan report is a failure, not a note)
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ASAN_OPTIONS=detect_leaks=1 \
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=8192 -print_final_stats=1 \
	    -artifact_prefix="$work/$name-" "$corpus" >"$work/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -1)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$work/$name.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$name.log" | tail -1)
	n1=$(ls "$corpus" | wc -l)
	if [ "$rc" = 0 ]; then
		echo "PASS: fuzz/$name: ${runs:-?} runs in ${took:-$secs} s (${rate:-?} exec/s), corpus $n0 -> $n1"
	else
		failed=1
		repro=$(ls "$work/$name"-crash-* "$work/$name"-leak-* "$work/$name"-timeout-* \
		    "$work/$name"-oom-* 2>/dev/null | head -1)
		grep -E 'ERROR: |runtime error|SUMMARY' "$work/$name.log" | head -5
		echo "FAIL: fuzz/$name: exit $rc after ${runs:-?} runs; reproducer: ${repro:-none} (log: $work/$name.log)"
	fi
done
if [ "$failed" = 0 ]; then
	rm -rf "$work"
else
	echo "fuzz: kept $work (replay a reproducer with tests/fuzz/NAME-replay FILE in a sanitizer build)"
fi
exit "$failed"
