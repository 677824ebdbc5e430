# tests/bench/tui-lib.sh - what the TUI benchmarks share: reading plumb's PLUMB_TUI_BENCH
# file ($B: "KIND VALUE" lines), pressing keys in the tmux server $SOCK and reporting against
# a budget, CPU and memory of a pid from /proc.  Sourced; never fails on a timer.

# count KIND: lines of KIND so far.
count() { grep -c "^$1 " "$B" 2>/dev/null || true; }

# wait_count KIND N [SECONDS]: until there are at least N lines of KIND.
wait_count() {
	n=$(( ${3:-30} * 50 ))
	while [ "$(count "$1")" -lt "$2" ] && [ "$n" -gt 0 ]; do
		sleep 0.02
		n=$((n - 1))
	done
}

# last KIND: the newest value of KIND.
last() { grep "^$1 " "$B" | tail -1 | cut -d' ' -f2; }

# report LABEL VALUE BUDGET UNIT [SUFFIX]
report() {
	verdict=$(awk -v v="$2" -v b="$3" 'BEGIN { print (v <= b) ? "within" : "OVER" }')
	printf '%-48s %10.2f %s   (budget %s %s: %s)%s\n' "$1" "$2" "$4" "$3" "$4" \
	    "$verdict" "${5:-}"
}

# press LABEL BUDGET KEY...: one key batch; its redraw time (wall), and
# the CPU plumb spent on it (which a loaded machine does not inflate).
press() {
	label=$1 budget=$2
	shift 2
	k=$(count key_ms)
	tmux -L "$SOCK" send-keys "$@"
	wait_count key_ms $((k + 1))
	report "$label" "$(last key_ms)" "$budget" ms " CPU $(last key_cpu_ms) ms"
	# Deferred work (the whole list after a re-sort) runs after the frame.
	sleep 0.3
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
