#!/bin/sh
# alert-latency-bench.sh - from a sample crossing a threshold to the receiver being called, through a real plumb watch (issue 11's budget: one evaluation interval + for + group_wait).
#
# A loopback exporter (value-exporter.py) serves bench_value{trial="K"};
# plumb watch scrapes it every INTERVAL, evaluates `bench_value > 10`
# (for: FOR) every INTERVAL and routes the alert to a command: receiver
# with group_wait: WAIT (group_by trial: each trial is a new group).  Each
# trial waits a random part of an interval, writes a value above the
# threshold under a new trial label (the crossing, timed), and times the
# receiver's start (it writes its own clock first).  Printed: median and
# worst crossing -> receiver over the trials, against the theoretical
# floor (for + group_wait: the crossing lands just before a scrape that
# is evaluated at once) and the budget (interval + for + group_wait).
. "$top_srcdir/tests/bench/lib.sh"
: "${PYTHON3_SYS:=/usr/bin/python3}"
INTERVAL_MS=${INTERVAL_MS:-1000}
FOR_MS=${FOR_MS:-2000}
WAIT_MS=${WAIT_MS:-1000}
TRIALS=${TRIALS:-8}

cd "$BT"
"$PLUMB" init > /dev/null
echo "0 0" > value
"$PYTHON3_SYS" "$top_srcdir/tests/bench/value-exporter.py" --port-file port \
	--value-file value > exporter.log 2>&1 &
EXP=$!
i=0
while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s port ] || { echo "the exporter did not start: $(cat exporter.log)" >&2; kill $EXP; exit 1; }
mkdir -p got
: > got/fired
cat > plumb.yaml <<YAML
monitor:
  interval: ${INTERVAL_MS}ms
  targets:
    exp:
      scrape: http://127.0.0.1:$(cat port)/metrics
alerts:
  builtin: false
  interval: ${INTERVAL_MS}ms
  groups:
  - name: bench
    rules:
    - alert: BenchHigh
      expr: bench_value > 10
      for: ${FOR_MS}ms
  route:
    receiver: clock
    group_by: [trial]
    group_wait: ${WAIT_MS}ms
  receivers:
  - name: clock
    # its own clock first, then which trial (status firing only)
    command: [sh, -c, 't=\$(date +%s%3N); grep -q "\"status\":\"firing\"" && printf "%s\n" "\$t" >> "$BT/got/fired"']
YAML
"$PLUMB" watch > watch.log 2>&1 &
W=$!
trap 'kill $W $EXP 2>/dev/null; wait $W $EXP 2>/dev/null; rm -rf "$BT"' EXIT INT TERM
i=0
until grep -q "notifying 1 receiver" watch.log || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 2
: > lat
: > trials
k=1
while [ $k -le "$TRIALS" ]; do
	# a random phase against the scrape and evaluation rounds
	sleep "$(awk -v s="$(date +%N)" -v iv="$INTERVAL_MS" 'BEGIN { srand(s); printf "%.3f", rand() * iv / 1000 }')"
	n0=$(wc -l < got/fired 2>/dev/null)
	t0=$(now_ms)
	echo "$k 20" > value
	i=0
	while [ "$(wc -l < got/fired 2>/dev/null)" -le "$n0" ] && [ $i -lt 300 ]; do
		sleep 0.02; i=$((i + 1))
	done
	t1=$(tail -1 got/fired 2>/dev/null || echo "")
	if [ "$(wc -l < got/fired 2>/dev/null)" -gt "$n0" ]; then
		echo $((t1 - t0)) >> lat
		echo "$k $t0 $t1" >> trials
	else
		echo "trial $k: the receiver was not called within 6 s" >&2
	fi
	# back under the threshold: the alert resolves before the next trial
	echo "$k 0" > value
	sleep "$(awk -v iv="$INTERVAL_MS" 'BEGIN { printf "%.3f", 2 * iv / 1000 }')"
	k=$((k + 1))
done
[ -s lat ] || { echo "no trial completed; watch.log:" >&2; tail -5 watch.log >&2; exit 1; }
med=$(sort -n lat | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
max=$(sort -n lat | tail -1)
floor=$((FOR_MS + WAIT_MS))
budget=$((INTERVAL_MS + FOR_MS + WAIT_MS))
echo "trials (ms): $(sort -n lat | tr '\n' ' ')"
report "crossing -> receiver, median of $(wc -l < lat)" "$med" ms "floor for+group_wait $floor ms; budget interval+for+group_wait $budget ms"
report "crossing -> receiver, worst" "$max" ms "$(awk -v m="$max" -v b="$budget" 'BEGIN { printf "%.2fx the budget", m / b }')"
# where the time went, from the alert history: crossing -> pending (the
# collection and evaluation), pending -> firing (for), firing -> receiver
# (group_wait and the receiver's start)
"$PLUMB" alerts history --json > hist.json
"$PYTHON3_SYS" - trials hist.json <<'PY'
import json, re, sys
from datetime import datetime
def ms(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000)
rows = {}
for x in json.load(open(sys.argv[2])):
    m = re.search(r'trial="(\d+)"', x["labels"])
    if m and x.get("firedAt"):
        rows[m.group(1)] = x
parts = [[], [], []]
for line in open(sys.argv[1]):
    k, t0, t1 = line.split()
    if k not in rows:
        continue
    a, f = ms(rows[k]["activeAt"]), ms(rows[k]["firedAt"])
    for i, v in enumerate((a - int(t0), f - a, int(t1) - f)):
        parts[i].append(v)
def med(v):
    v = sorted(v)
    return v[(len(v) - 1) // 2] if v else "-"
print("medians (ms): crossing -> pending %s, pending -> firing %s, firing -> receiver %s"
      % tuple(med(p) for p in parts))
PY
