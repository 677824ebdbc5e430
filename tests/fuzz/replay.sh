#!/bin/sh
# tests/fuzz/replay.sh - replays the fuzzers' seed corpora through the harnesses (no libFuzzer needed),
# so every `make check` (and the sanitizer build in CI) exercises the parsers of outside input.
# Every tests/fuzz/NAME-corpus/ is replayed through tests/fuzz/NAME-replay: a new harness
# with a corpus is covered without editing this file.
set -eu
n=0
for c in "$top_srcdir"/tests/fuzz/*-corpus; do
	h=$(basename "$c" -corpus)
	"$top_builddir/tests/fuzz/$h-replay" "$c"/*
	n=$((n + 1))
done
[ "$n" -ge 9 ] || { echo "replay.sh: only $n corpora found" >&2; exit 1; }
