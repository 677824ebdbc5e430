#!/bin/sh
# examples/train.sh - a toy "training" script that reports to plumb over PLUMB_FD.
# Usage (inside plumb run): train.sh LEARNING_RATE EPOCHS
# It needs nothing but a POSIX shell and awk, so the quick start runs anywhere.
set -eu
lr=${1:-0.1}
epochs=${2:-20}
fd=${PLUMB_FD:-}
say() { if [ -n "$fd" ]; then echo "$*" >&3; fi; }

say "param lr $lr"
say "param epochs $epochs"
say "param optimizer sgd"
say "tag dataset toy-v1"
awk -v lr="$lr" -v n="$epochs" 'BEGIN {
	# loss decays towards a floor that depends on the learning rate
	floor = (lr > 0.3) ? 0.35 : 0.05 + lr / 4
	for (e = 0; e < n; e++) {
		loss = floor + (1 - floor) * exp(-e * lr * 1.5)
		acc = 1 - loss * 0.8
		printf "metric loss %.6f step=%d\n", loss, e
		printf "metric accuracy %.6f step=%d\n", acc, e
	}
}' | if [ -n "$fd" ]; then cat >&3; else cat; fi
printf 'weights for lr=%s\n' "$lr" > model.txt
say "artifact model.txt"
echo "trained $epochs epochs with lr=$lr"
