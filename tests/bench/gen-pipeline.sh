#!/bin/sh
# gen-pipeline.sh DIR N - writes an N-stage pipeline (plumb.yaml) and the equivalent Makefile into DIR.
# Stage i reads src/(i % 10).txt and, for i > 0, the output of stage (i-1)/2
# (a binary tree, so the graph has depth log2 N), and writes out/i.txt.
set -eu
dir=$1; n=$2
mkdir -p "$dir/src" "$dir/out"
i=0
while [ $i -lt 10 ]; do echo "source $i" > "$dir/src/$i.txt"; i=$((i + 1)); done
awk -v n="$n" 'BEGIN {
	print "stages:"
	for (i = 0; i < n; i++) {
		printf "  s%d:\n    cmd: cat src/%d.txt", i, i % 10
		if (i > 0) printf " out/%d.txt", int((i - 1) / 2)
		printf " > out/%d.txt\n    deps:\n      - src/%d.txt\n", i, i % 10
		if (i > 0) printf "      - out/%d.txt\n", int((i - 1) / 2)
		printf "    outs:\n      - out/%d.txt\n", i
	}
}' > "$dir/plumb.yaml"
awk -v n="$n" 'BEGIN {
	printf "all:"
	for (i = 0; i < n; i++) printf " out/%d.txt", i
	print ""
	for (i = 0; i < n; i++) {
		d = i > 0 ? sprintf(" out/%d.txt", int((i - 1) / 2)) : ""
		printf "out/%d.txt: src/%d.txt%s\n\tcat src/%d.txt%s > out/%d.txt\n", i, i % 10, d, i % 10, d, i
	}
}' > "$dir/Makefile"
