#!/bin/sh
# tests/bench/import-bench.sh - plumb import mlflow of a generated 10,000-run, 1M-point mlruns/, beside reading the same files with cat and the same points through PLUMB_FD.
. "$top_srcdir/tests/bench/lib.sh"

RUNS=${BENCH_RUNS:-10000}
PER=${BENCH_POINTS_PER_RUN:-100}	# two metrics of PER/2 points
PY=${PYTHON3_SYS:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
cd "$BT"
echo "generating an mlruns/ of $RUNS runs x $PER points..." >&2
"$PY" - "$RUNS" "$PER" <<'PY'
import os, sys
runs, per = int(sys.argv[1]), int(sys.argv[2])
T0 = 1700000000000
os.makedirs("mlruns/1", exist_ok=True)
with open("mlruns/1/meta.yaml", "w") as f:
    f.write("artifact_location: file:///x/mlruns/1\ncreation_time: %d\n"
            "experiment_id: '1'\nlifecycle_stage: active\nname: bench\n" % T0)
for r in range(runs):
    rid = "%032x" % (0xb0000000000000000000000000000000 + r)
    d = "mlruns/1/" + rid
    for sub in ("metrics", "params", "tags", "artifacts"):
        os.makedirs(d + "/" + sub)
    with open(d + "/meta.yaml", "w") as f:
        f.write("artifact_uri: file:///x/mlruns/1/%s/artifacts\nend_time: %d\n"
                "entry_point_name: ''\nexperiment_id: '1'\nlifecycle_stage: active\n"
                "run_id: %s\nrun_name: run-%d\nrun_uuid: %s\nsource_name: ''\n"
                "source_type: 4\nsource_version: ''\nstart_time: %d\nstatus: 3\n"
                "tags: []\nuser_id: bench\n" % (rid, T0 + r * 1000 + 900, rid, r, rid, T0 + r * 1000))
    for k, v in (("lr", "0.01"), ("batch", str(32 + r % 4)), ("model", "cnn")):
        with open(d + "/params/" + k, "w") as f:
            f.write(v)
    for k, v in (("mlflow.runName", "run-%d" % r), ("mlflow.user", "bench")):
        with open(d + "/tags/" + k, "w") as f:
            f.write(v)
    for key in ("loss", "acc"):
        with open(d + "/metrics/" + key, "w") as f:
            f.write("".join("%d %r %d\n" % (T0 + r * 1000 + i, 1.0 / (i + 1 + r % 7), i)
                            for i in range(per // 2)))
PY
N=$((RUNS * (PER / 2) * 2))

# Baseline 1: reading the same metric files, nothing else.
t0=$(now_ms)
find mlruns -path '*/metrics/*' -type f -exec cat {} + > /dev/null
t1=$(now_ms)
cat_ms=$((t1 - t0))

# Baseline 2: the same number of points through plumb's fastest ingest path.
mkdir fd && (cd fd && "$PLUMB" init -q)
t0=$(now_ms)
(cd fd && "$PLUMB" run -q -n emit -- "$top_builddir/tests/bench/emit" "$N" loss)
t1=$(now_ms)
fd_ms=$((t1 - t0))

mkdir st && cd st
"$PLUMB" init -q
# CPU time too: on a shared machine the wall clock mostly says how busy
# the other processes were.
timer=
[ -x /usr/bin/time ] && timer="/usr/bin/time -f %U+%S -o $BT/cpu"
t0=$(now_ms)
$timer "$PLUMB" import mlflow -q ../mlruns
t1=$(now_ms)
imp_ms=$((t1 - t0))
cpu=$( [ -n "$timer" ] && tail -n 1 "$BT/cpu" | awk -F+ '{ printf "%.2f", $1 + $2 }' || echo "?")
got=$("$PLUMB" import mlflow --json ../mlruns)
case $got in
*"\"runs_unchanged\":$RUNS,\"points\":0"*) ;;
*) echo "import-bench: second import not empty: $got" >&2; exit 1 ;;
esac
t0=$(now_ms)
"$PLUMB" import mlflow -q ../mlruns
t1=$(now_ms)
again_ms=$((t1 - t0))
stored=$("$PLUMB" runs --ids | wc -l)
[ "$stored" = "$RUNS" ] || { echo "import-bench: $stored of $RUNS runs" >&2; exit 1; }

sec() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }
echo "import of an mlruns/ with $RUNS runs, $N points (3 params, 2 tags each):"
report "plumb import mlflow" "$(sec $imp_ms)" "s" "budget <= 30 s"
report "  of which CPU (user + system)" "$cpu" "s" ""
report "  points per second (wall)" "$((N * 1000 / (imp_ms > 0 ? imp_ms : 1)))" "pts/s" ""
report "again (nothing new)" "$(sec $again_ms)" "s" ""
report "cat of every metric file (baseline)" "$(sec $cat_ms)" "s" "(same run)"
report "same points via plumb run PLUMB_FD" "$(sec $fd_ms)" "s" "(same run)"
awk -v a="$imp_ms" -v b="$cat_ms" -v c="$fd_ms" 'BEGIN {
	printf "%-44s %12.2f %-8s %s\n", "ratio import / cat", a / (b > 0 ? b : 1), "x", ""
	printf "%-44s %12.2f %-8s %s\n", "ratio import / PLUMB_FD ingest", a / (c > 0 ? c : 1), "x", "" }'

# The same history as an MLflow SQLite database (MLflow's own schema).
cd "$BT"
"$PY" - "$RUNS" "$PER" "$top_srcdir/tests/cli/mlflow-fixture.py" <<'PY'
import importlib.util, sqlite3, sys
runs, per = int(sys.argv[1]), int(sys.argv[2])
spec = importlib.util.spec_from_file_location("fx", sys.argv[3])
fx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fx)
T0 = 1700000000000
c = sqlite3.connect("mlflow.db")
c.executescript(fx.SCHEMA)
c.execute("INSERT INTO experiments VALUES (1, 'bench', '/x', 'active', ?, ?)", (T0, T0))
R, P, T, M = [], [], [], []
for r in range(runs):
    rid = "%032x" % (0xb0000000000000000000000000000000 + r)
    R.append((rid, "run-%d" % r, "LOCAL", "", "", "bench", "FINISHED", T0 + r * 1000,
              T0 + r * 1000 + 900, None, "", "active", "/nonexistent", 1))
    P += [("lr", "0.01", rid), ("batch", str(32 + r % 4), rid), ("model", "cnn", rid)]
    T += [("mlflow.runName", "run-%d" % r, rid), ("mlflow.user", "bench", rid)]
    for key in ("loss", "acc"):
        M += [(key, 1.0 / (i + 1 + r % 7), T0 + r * 1000 + i, rid, i, 0) for i in range(per // 2)]
c.executemany("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", R)
c.executemany("INSERT INTO params VALUES (?,?,?)", P)
c.executemany("INSERT INTO tags VALUES (?,?,?)", T)
c.executemany("INSERT INTO metrics VALUES (?,?,?,?,?,?)", M)
c.commit()
PY
mkdir sq && cd sq
"$PLUMB" init -q
t0=$(now_ms)
$timer "$PLUMB" import mlflow -q ../mlflow.db
t1=$(now_ms)
db_ms=$((t1 - t0))
cpu=$( [ -n "$timer" ] && tail -n 1 "$BT/cpu" | awk -F+ '{ printf "%.2f", $1 + $2 }' || echo "?")
stored=$("$PLUMB" runs --ids | wc -l)
[ "$stored" = "$RUNS" ] || { echo "import-bench: $stored of $RUNS runs from SQLite" >&2; exit 1; }
report "plumb import mlflow sqlite:///mlflow.db" "$(sec $db_ms)" "s" "(same history)"
report "  of which CPU (user + system)" "$cpu" "s" ""
