#!/bin/sh
# drift-bench.sh - `plumb drift` on 1M x (20 numerical + 2 categorical) vs a pandas+scipy script, same files, same run.
#
# Prints both times, the ratio (target >= 15x), plumb's peak memory, the
# per-core CSV parse speed (target >= 250 MB/s) and whether both agree on
# every column.  Never fails on a timer.  ROWS=N overrides the row count.
set -eu
: "${PLUMB:?PLUMB must name the plumb binary}"
: "${top_builddir:?}"
: "${top_srcdir:?}"
ROWS=${ROWS:-1000000}
PY=${PYTHON3_SYS:-/usr/bin/python3}
B="$top_builddir/tests/bench"
T=$(mktemp -d "${TMPDIR:-/tmp}/plumb-drift-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

make -C "$top_builddir" -s tests/bench/drift-gen tests/bench/csv-speed >/dev/null
echo "generating 2 x $ROWS rows x 22 columns (not timed)..."
"$B/drift-gen" "$ROWS" 1 0 "$T/ref.csv" &
"$B/drift-gen" "$ROWS" 2 0.15 "$T/cur.csv"
wait
ls -l "$T/ref.csv" "$T/cur.csv" | awk '{ printf "  %s %.1f MB\n", $NF, $5 / 1e6 }'
cat "$T/ref.csv" "$T/cur.csv" >/dev/null	# page cache, for both contenders

now() { date +%s.%N; }

# plumb: best of 3, with peak RSS from /usr/bin/time when available
best=999999
for i in 1 2 3; do
	t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%M" -o "$T/rss" "$PLUMB" drift "$T/ref.csv" "$T/cur.csv" --json >"$T/plumb.json"
	else
		"$PLUMB" drift "$T/ref.csv" "$T/cur.csv" --json >"$T/plumb.json"
	fi
	t1=$(now)
	best=$(echo "$t0 $t1 $best" | awk '{ d = $2 - $1; print (d < $3) ? d : $3 }')
done
rss=$( [ -f "$T/rss" ] && awk '{ printf "%.0f MiB", $1 / 1024 }' "$T/rss" || echo "n/a")

echo "running the pandas + scipy script..."
t0=$(now)
"$PY" "$top_srcdir/tests/bench/drift-pandas.py" "$T/ref.csv" "$T/cur.csv" >"$T/pandas.txt"
t1=$(now)
pandas=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')

speed=$("$B/csv-speed" "$T/ref.csv" 3)

# Do both give the same scores and decisions?
"$PY" - "$T/plumb.json" "$T/pandas.txt" <<'PY'
import json, sys
p = {c["name"]: c for c in json.load(open(sys.argv[1]))["columns"]}
bad = 0
for line in open(sys.argv[2]):
    f = line.split()
    if f[0] == "drifted":
        continue
    c = p[f[0]]
    s = float(f[2])
    if c["method"] != f[1] or abs(c["score"] - s) > 1e-9 * max(abs(s), 1e-3) or c["drift"] != (f[3] == "DRIFT"):
        bad += 1
        print("  MISMATCH %s: plumb %s %r %s, pandas %s" % (f[0], c["method"], c["score"], c["drift"], line.strip()))
print("  agreement: %d of %d columns identical (method, score to 1e-9, decision)" % (len(p) - bad, len(p)))
PY

echo "$best $pandas" | awk -v rss="$rss" -v speed="$speed" '{
	split(speed, s, " ");
	printf "plumb drift (default tests, best of 3): %.3f s, peak RSS %s\n", $1, rss;
	printf "pandas + scipy script:                   %.3f s\n", $2;
	printf "ratio:                                   %.1fx (target >= 15x)\n", $2 / $1;
	printf "CSV parse, one core:                     %.0f MB/s (target >= 250 MB/s; %.1f MB in %.3f s)\n", s[1], s[2] / 1e6, s[3];
}'
