#!/bin/sh
# tests/data/registry/train.sh - a stand-in training script for the registry tests.
# usage: train.sh OUT ACCURACY LATENCY_MS [LR]
# Writes a "model" file OUT and reports params and metrics through PLUMB_FD.
set -eu
out=$1 acc=$2 lat=$3 lr=${4:-0.1}
printf 'model acc=%s lr=%s\n' "$acc" "$lr" > "$out"
if [ -n "${PLUMB_FD:-}" ]; then
	{
		echo "param lr $lr"
		echo "param data train.csv"
		echo "metric accuracy $acc"
		echo "metric latency_p95_ms $lat"
		echo "metric loss 0.$(printf '%s' "$acc" | tr -d '.')"
		echo "artifact $out"
	} >&"$PLUMB_FD"
fi
