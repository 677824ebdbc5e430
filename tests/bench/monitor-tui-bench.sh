#!/bin/sh
# tests/bench/monitor-tui-bench.sh - the TUI's monitor screen with 20 targets (issue 12's budget): first frame, the redraw of each interaction (cursor, zoom to 1d and 7d, the drift heatmap, an event mark) against 16 ms, and idle CPU against 0.5 % of a core, quiet and while a watcher-like writer adds a round every 15 s; baseline: the same key on the runs list, measured in the same run.  Never fails on a timer.
#
# The store holds 20 targets x 6 hours at 15 s of the series the watcher
# writes (rate, errors, latency quantiles, CPU, RSS, accuracy, coverage,
# drift share, 5 features' drift scores), written with tests/server/ts-write
# so the bench does not depend on live services.  Figures come from plumb
# itself (PLUMB_TUI_BENCH=FILE: key read to doupdate, wall and the
# process's CPU time: on a loaded machine the wall time of a full-screen
# repaint also waits for tmux to read the terminal) and /proc.
set -eu
: "${PLUMB:?PLUMB must name the plumb binary (make bench sets it)}"
: "${top_srcdir:?}" "${top_builddir:?}"
PY=${PYTHON3_SYS:-/usr/bin/python3}
TSW="$top_builddir/tests/server/ts-write"
make -C "$top_builddir" -s tests/server/ts-write >/dev/null
if ! command -v tmux >/dev/null 2>&1; then
	echo "monitor-tui-bench: tmux is not installed; skipped"
	exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/plumb-monbench.XXXXXX")
SOCK=plumbmonbench$$
writer=
cleanup() {
	[ -n "$writer" ] && kill "$writer" 2>/dev/null || true
	tmux -L "$SOCK" kill-server >/dev/null 2>&1 || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
unset TMUX COLUMNS LINES
cd "$W"
"$PLUMB" init -q
{
	echo "monitor:"
	echo "  interval: 15s"
	echo "  targets:"
	for i in $(seq -w 1 20); do
		echo "    svc$i: {predictions: {path: logs/p$i.jsonl}}"
	done
} > plumb.yaml

# gen T0 N: N rounds of every target's series from T0 (ms), 15 s apart.
gen() {
	"$PY" - "$1" "$2" <<'PYEOF'
import math, random, sys
t0, n = int(sys.argv[1]), int(sys.argv[2])
random.seed(t0)
out = sys.stdout
for i in range(n):
    t = t0 + i * 15000
    for k in range(1, 21):
        tg = f"svc{k:02d}"
        w = lambda name, v, extra="": out.write(f'{name}{{{extra}target="{tg}"}} {t} {v:.6g}\n')
        w("plumb_watch_round_seconds", 0.01)
        w("plumb_prediction_rate", 20 + 10 * math.sin(i / 30 + k))
        w("plumb_prediction_error_ratio", 0.01 + 0.01 * random.random())
        for q, b in (("0.5", 0.02), ("0.95", 0.05), ("0.99", 0.09)):
            w("plumb_prediction_latency_seconds", b * (1 + 0.2 * random.random()), f'quantile="{q}",')
        w("process_cpu_seconds_total", i * 15 * 0.02)
        w("process_resident_memory_bytes", 50e6 + 1e4 * i)
        w("plumb_model_accuracy", 0.9 - 0.05 * random.random())
        w("plumb_label_coverage", 0.8)
        w("plumb_drift_share", 0.2 if (i // 100 + k) % 7 == 0 else 0.0)
        for f, m in (("f0", "ks"), ("f1", "ks"), ("f2", "wasserstein"), ("f3", "psi"), ("f4", "ks")):
            v = random.random() if m == "ks" else 0.05 * random.random()
            w("plumb_drift_score", v, f'feature="{f}",method="{m}",')
            w("plumb_drift_detected", 1 if (m == "ks" and v < 0.05) else 0, f'feature="{f}",method="{m}",')
PYEOF
}
now=$(date +%s)
t0=$(( (now - 6 * 3600) * 1000 ))
s0=$(date +%s%N)
gen "$t0" 1440 | "$TSW" .plumb > /dev/null
echo "store: 20 targets x 6 h at 15 s, $(( 20 * 19 * 1440 )) samples, written in" \
    "$(( ($(date +%s%N) - s0) / 1000000 )) ms"
B="$W/bench.txt"
: > "$B"

. "$top_srcdir/tests/bench/tui-lib.sh"
hz=$(getconf CLK_TCK)
idle() {
	c0=$(cpu_ticks "$pid")
	sleep "$2"
	c1=$(cpu_ticks "$pid")
	report "$1" "$(awk -v d=$((c1 - c0)) -v hz="$hz" -v s="$2" 'BEGIN { print d * 100 / (hz * s) }')" 0.5 "% of a core"
}

cat > run.sh <<EOS
cd '$W'
exec env TERM=xterm-256color PLUMB_TUI_BENCH='$B' '$PLUMB' tui 2>'$W/stderr'
EOS
tmux -L "$SOCK" -f /dev/null new-session -d -x 160 -y 45 "sh '$W/run.sh'"
wait_count first_frame_ms 1
pid=$(last pid)
press "baseline: key j on the runs list" 16 j
press "W: the monitor screen, 20 targets" 16 W
case "$(tmux -L "$SOCK" capture-pane -p)" in
*svc20*) ;;
*) echo "   (warning: svc20 not on screen)" ;;
esac
press "key j (next target: its charts)" 16 j
press "key - (zoom out to 6h)" 16 -
press "key - (1d, hourly aggregates)" 16 -
press "key - (7d)" 16 -
press "key + (back to 1d)" 16 +
press "key d (the drift heatmap, 5 features)" 16 d
press "key l (heatmap cursor)" 16 l
press "key q (back to the monitor)" 16 q
press "key > (select an event mark)" 16 '>'
idle "idle CPU, monitor screen, nothing written (20 s)" 20
# a watcher-like writer: one round of the 20 targets every 15 s
(
	t=$(( $(date +%s) * 1000 ))
	while :; do
		gen "$t" 1 | "$TSW" .plumb > /dev/null 2>&1 || :
		t=$((t + 15000))
		sleep 15
	done
) &
writer=$!
sleep 1
idle "idle CPU, a round written every 15 s (30 s)" 30
kill "$writer" 2>/dev/null || true
writer=
tmux -L "$SOCK" send-keys Q
sleep 0.5
[ -s "$W/stderr" ] && { echo "stderr of plumb tui:"; cat "$W/stderr"; }
exit 0
