# tests/bench/lib.sh - helpers for benchmarks: timing, medians, the shared generated store.
set -eu
: "${PLUMB:?}" "${top_srcdir:?}" "${top_builddir:?}"
export NO_COLOR=1
BT=$(mktemp -d "${TMPDIR:-/tmp}/plumb-bench.XXXXXX")
trap 'rm -rf "$BT"' EXIT INT TERM

# now_ms: monotonic-enough wall clock in milliseconds
now_ms() { date +%s%3N; }

# median_ms N CMD...: runs CMD N times (output discarded), prints the median ms
median_ms() {
	n=$1; shift
	i=0
	: > "$BT/times"
	while [ "$i" -lt "$n" ]; do
		t0=$(now_ms); "$@" >/dev/null 2>&1; t1=$(now_ms)
		echo $((t1 - t0)) >> "$BT/times"
		i=$((i + 1))
	done
	sort -n "$BT/times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# cpu_ms N CMD...: runs CMD N times, prints the median CPU time (user +
# system, ms, at the kernel's 10 ms tick) it used: on a shared machine,
# a figure the other sessions' load moves less than the wall clock
cpu_ms() {
	n=$1; shift
	i=0
	: > "$BT/cpu"
	while [ "$i" -lt "$n" ]; do
		sh -c '"$@" >/dev/null 2>&1; times' sh "$@" | sed -n 2p |
		    awk '{ t = 0; for (f = 1; f <= 2; f++) { split($f, a, "m");
			sub("s", "", a[2]); t += a[1] * 60 + a[2] }
			printf "%d\n", t * 1000 + 0.5 }' >> "$BT/cpu"
		i=$((i + 1))
	done
	sort -n "$BT/cpu" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# bench_store: path of a generated store (100k runs x 10 params x 10 metrics
# + a 1M-point run), cached between benchmark runs under $PLUMB_BENCH_CACHE.
bench_store() {
	cache=${PLUMB_BENCH_CACHE:-${TMPDIR:-/tmp}/plumb-bench-cache}
	stamp="$cache/store/.generated-by-$(stat -c %Y "$top_builddir/tests/bench/gen-store")"
	if [ ! -f "$stamp" ]; then
		rm -rf "$cache/store"
		mkdir -p "$cache"
		echo "generating the benchmark store (once)..." >&2
		"$top_builddir/tests/bench/gen-store" "$cache/store" >&2
		touch "$stamp"
	fi
	echo "$cache/store"
}

# report NAME FIGURE UNIT BUDGET_TEXT
report() { printf '%-44s %12s %-8s %s\n' "$1" "$2" "$3" "$4"; }
