#!/bin/sh
# tests/fuzz/replay.sh - replays the fuzzers' seed corpora through the harnesses (no libFuzzer needed),
# so every `make check` (and the sanitizer build in CI) exercises the parsers of outside input.
set -eu
for h in proto filter csv promql predparse expfmt; do
	"$top_builddir/tests/fuzz/$h-replay" "$top_srcdir/tests/fuzz/$h-corpus"/*
done
