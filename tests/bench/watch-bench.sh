#!/bin/sh
# watch-bench.sh - cost of `plumb watch` with 5 targets at 15 s: CPU (% of one core) and peak RSS, against `tail -F` of the same logs in the same run.
#
# Five targets, each with a prediction log (10 lines/s, 8 features, the
# model server's JSONL shape), a label log (every prediction labelled a
# few seconds later), window drift against a 5,000-row reference and the
# performance metrics.  The watcher polls every 15 s (the default) for
# WATCH_SECONDS (default 120; the budget is stated over 5 minutes: set
# WATCH_SECONDS=300 for that).  CPU is utime+stime of the watcher's process
# from /proc over the whole period, start-up included; peak RSS is its
# VmHWM.  Budget: <= 1 % of one core, <= 50 MB (a sanitizer build pays
# ASan's shadow memory and slower code: read those figures with that in
# mind).  Baseline: `tail -F` of the five prediction logs, the least any
# follower of the logs costs.  Never fails on a timer.
set -eu
. "$top_srcdir/tests/bench/lib.sh"
PY=${PYTHON3_SYS:-/usr/bin/python3}
SECS=${WATCH_SECONDS:-120}
case "$SECS" in ''|*[!0-9]*) SECS=120 ;; esac
cd "$BT"
"$PLUMB" init > /dev/null
"$PY" "$top_srcdir/examples/load-gen.py" --reference ref.csv -n 5000 --features 8 > /dev/null
mkdir -p logs
{
	echo "monitor:"
	echo "  interval: 15s"
	echo "  targets:"
	for i in 1 2 3 4 5; do
		echo "    api$i:"
		echo "      predictions: {path: logs/p$i.jsonl}"
		echo "      labels: {path: logs/l$i.csv, label: label}"
		echo "      drift: {reference: ref.csv, window: 5m, min_rows: 200}"
		echo "      performance: {window: 1h}"
		echo "      concept: {detectors: [ddm]}"
	done
} > plumb.yaml
for i in 1 2 3 4 5; do : > logs/p$i.jsonl; echo "id,label,ts" > logs/l$i.csv; done

# the services: 10 predictions/s per target, labels 3 s later
"$PY" - "$SECS" <<'PY' > /dev/null 2>&1 &
import json, random, sys, time
end = time.time() + int(sys.argv[1]) + 5
rnd = random.Random(1)
pf = [open("logs/p%d.jsonl" % i, "a", buffering=1) for i in range(1, 6)]
lf = [open("logs/l%d.csv" % i, "a", buffering=1) for i in range(1, 6)]
pending, n = [], 0
while time.time() < end:
    now = time.time()
    for k in range(5):
        f = {"f%d" % j: rnd.gauss(0, 1) for j in range(8)}
        s = 1 / (1 + 2.718 ** -(f["f0"] - f["f1"]))
        rid = "r%d" % n
        n += 1
        pf[k].write(json.dumps({"id": rid, "ts": now, "features": f,
            "prediction": int(s >= .5), "score": s,
            "latency": rnd.uniform(.001, .02), "status": "ok"}) + "\n")
        pending.append((now + 3, k, rid, int(rnd.random() < s)))
    while pending and pending[0][0] <= now:
        _, k, rid, y = pending.pop(0)
        lf[k].write("%s,%d,%.3f\n" % (rid, y, now))
    time.sleep(0.1)
PY
GEN=$!

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }

tail -q -F logs/p1.jsonl logs/p2.jsonl logs/p3.jsonl logs/p4.jsonl logs/p5.jsonl > /dev/null 2>&1 &
TAIL=$!
"$PLUMB" watch > watch.log 2>&1 &
W=$!
t0=$(now_ms)
echo "measuring for $SECS s (5 targets, 15 s interval, 50 predictions/s in all)..."
sleep "$SECS"
t1=$(now_ms)
wc=$(cpu_ticks $W); wr=$(hwm_kb $W)
tc=$(cpu_ticks $TAIL); tr=$(hwm_kb $TAIL)
kill -TERM $W; wait $W || :
kill $TAIL $GEN 2>/dev/null || :; wait $TAIL $GEN 2>/dev/null || :
hz=$(getconf CLK_TCK)
rounds=$("$PLUMB" monitor series plumb_watch_round_seconds --since 1d --json |
	"$PY" -c "import json,sys; print(sum(len(s['samples']) for s in json.load(sys.stdin)))")
stored=$("$PLUMB" monitor status --json | "$PY" -c "import json,sys; print(sum((t['logs'] or {}).get('stored', 0) for t in json.load(sys.stdin)['targets']))")
pct() { echo "$1 $hz $t0 $t1" | awk '{ printf "%.2f", 100 * ($1 / $2) / (($4 - $3) / 1000) }'; }
wp=$(pct "$wc"); tp=$(pct "$tc")
report "plumb watch, 5 targets @15s: CPU" "$wp" "% core" "<= 1 (over ${SECS}s, $rounds target rounds, $stored predictions)"
report "plumb watch: peak RSS" "$(echo "$wr" | awk '{ printf "%.1f", $1 / 1024 }')" "MB" "<= 50"
report "  tail -F of the 5 logs: CPU" "$tp" "% core" "baseline"
report "  tail -F: peak RSS" "$(echo "$tr" | awk '{ printf "%.1f", $1 / 1024 }')" "MB" "baseline"
report "  ratio watch / tail -F CPU" "$(echo "$wc $tc" | awk '{ printf "%.1f", ($2 > 0) ? $1 / $2 : 0 }')" "x" "(tail: $tc ticks)"
