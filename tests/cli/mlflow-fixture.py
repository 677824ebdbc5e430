#!/usr/bin/python3
# tests/cli/mlflow-fixture.py - writes one MLflow history both as a file store (mlruns/) and as an MLflow SQLite database, standard library only.
#
# usage: mlflow-fixture.py fs DIR       the mlruns/ tree, as MLflow's FileStore lays it out
#        mlflow-fixture.py db FILE ARTDIR  the same entities in MLflow's SQL schema
#        mlflow-fixture.py more-fs DIR  what a later session added (for the re-import test)
#        mlflow-fixture.py more-db FILE ARTDIR
#        mlflow-fixture.py check PLUMB [more]  compares every imported series
#
# The entities (ids are fixed so the test can name them):
#   experiment 0 "Default": run D0
#   experiment 1 "churn model": parent P (FINISHED) with children C1
#     (FAILED, name only in the mlflow.runName tag) and C2 (KILLED),
#     R (RUNNING), A (artifacts), X (deleted)
#   experiment 2 "old" (deleted) with one run; .trash/3 with two runs
#   registered model "churn": v1 from P (Archived), v2 from A
#     (Production, alias champion), v3 deleted; model "orphan": v1 whose
#     run is not in the store
import math
import os
import sqlite3
import sys

P = "a0000000000000000000000000000001"
C1 = "a0000000000000000000000000000002"
C2 = "a0000000000000000000000000000003"
R = "a0000000000000000000000000000004"
A = "a0000000000000000000000000000005"
X = "a0000000000000000000000000000006"
D0 = "a0000000000000000000000000000007"
OLD = "a0000000000000000000000000000008"
T1 = "a0000000000000000000000000000009"
T2 = "a000000000000000000000000000000a"
NEW = "a000000000000000000000000000000b"

T0 = 1700000000000
STATUS_NUM = {"RUNNING": 1, "SCHEDULED": 2, "FINISHED": 3, "FAILED": 4, "KILLED": 5}

# (exp_id, run_id, run_name, status, start, end, user, stage)
RUNS = [
    ("0", D0, "default-run", "FINISHED", T0 + 100, T0 + 200, "bob", "active"),
    ("1", P, "sweep", "FINISHED", T0 + 1000, T0 + 9000, "alice", "active"),
    ("1", C1, "", "FAILED", T0 + 2000, T0 + 3000, "alice", "active"),
    ("1", C2, "trial-2", "KILLED", T0 + 4000, T0 + 5000, "alice", "active"),
    ("1", R, "live", "RUNNING", T0 + 6000, None, "carol", "active"),
    ("1", A, "with-artifacts", "FINISHED", T0 + 7000, T0 + 8000, "alice", "active"),
    ("1", X, "gone", "FINISHED", T0 + 7500, T0 + 7600, "alice", "deleted"),
    ("2", OLD, "old-run", "FINISHED", T0 + 50, T0 + 60, "bob", "active"),
]
TRASH_RUNS = [("3", T1), ("3", T2)]

PARAMS = {
    P: {"lr": "0.01", "batch": "32", "opt/beta1": "0.9", "note": "two  spaces, 'quotes'"},
    C1: {"lr": "0.1"},
    C2: {"lr": "0.001"},
    A: {"model": "cnn"},
    D0: {"x": "1"},
}
TAGS = {
    P: {"mlflow.runName": "sweep", "mlflow.user": "alice", "team": "vision",
        "mlflow.source.git.commit": "0123abcd0123abcd0123abcd0123abcd0123abcd",
        "mlflow.source.name": "train.py"},
    C1: {"mlflow.runName": "trial-1", "mlflow.parentRunId": P},
    C2: {"mlflow.runName": "trial-2", "mlflow.parentRunId": P},
    R: {"mlflow.runName": "live"},
    A: {"mlflow.runName": "with-artifacts"},
}
# key -> [(timestamp, value, step)]
METRICS = {
    P: {
        "loss": [(T0 + 1100, 0.9, 0), (T0 + 1200, 0.5, 1), (T0 + 1300, float("nan"), 2),
                 (T0 + 1400, 1e-05, 3), (T0 + 1500, 0.25, 4)],
        "acc": [(T0 + 1100, float("inf"), 0), (T0 + 1200, float("-inf"), 0), (T0 + 1300, 0.75, 10)],
        "eval/auc": [(T0 + 1600, 0.875, 7)],
    },
    C1: {"loss": [(T0 + 2100, 2.5, 0), (T0 + 2200, 1.5, 1)]},
    C2: {"loss": [(T0 + 4100, 3.0, 0)]},
    R: {"loss": [(T0 + 6100 + i, 1.0 / (i + 1), i) for i in range(100)]},
    D0: {"m": [(T0 + 150, -1.5, 5)]},
}
ARTIFACTS = {
    P: {"model/MLmodel": b"flavors:\n  python_function: {}\n"},
    A: {"model/MLmodel": b"flavors:\n  sklearn:\n    pickled_model: model.pkl\n",
        "model/model.pkl": b"\x80\x04pickled model bytes\x00\xff",
        "plot.txt": b"a plot\n", "notes/readme.md": b"# notes\n"},
}
# What a later session logged: R got points, a tag and ended; a new run.
MORE_METRICS = {R: {"loss": [(T0 + 9000 + i, 0.001 * i, 100 + i) for i in range(20)]}}
MORE_TAGS = {R: {"phase": "done"}}

MODELS = [("churn", T0 + 10000, "predicts churn"), ("orphan", T0 + 11000, None)]
# (name, version, source run, stage, source path below the run's artifacts)
VERSIONS = [
    ("churn", 1, P, "Archived", None),
    ("churn", 2, A, "Production", "model"),
    ("churn", 3, A, "Deleted Internal", "model"),
    ("orphan", 1, "f" * 32, "None", None),
]
ALIASES = [("churn", "champion", 2)]


def pyfloat(v):
    # How Python (and so MLflow) writes a float into a metric file.
    return repr(v) if not math.isnan(v) else "nan"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def q(s):
    return "'" + s.replace("'", "''") + "'"


def run_meta(root, exp, rid, name, status, start, end, user, stage):
    return (
        f"artifact_uri: file:///elsewhere/mlruns/{exp}/{rid}/artifacts\n"
        f"end_time: {end if end is not None else 'null'}\n"
        "entry_point_name: ''\n"
        f"experiment_id: '{exp}'\n"
        f"lifecycle_stage: {stage}\n"
        f"run_id: {rid}\n"
        f"run_name: {q(name) if name else chr(39) * 2}\n"
        f"run_uuid: {rid}\n"
        "source_name: ''\n"
        "source_type: 4\n"
        "source_version: ''\n"
        f"start_time: {start}\n"
        f"status: {STATUS_NUM[status]}\n"
        "tags: []\n"
        f"user_id: {user}\n")


def exp_meta(exp, name, stage):
    return (f"artifact_location: file:///elsewhere/mlruns/{exp}\n"
            f"creation_time: {T0 + int(exp)}\n"
            f"experiment_id: '{exp}'\n"
            f"last_update_time: {T0 + int(exp)}\n"
            f"lifecycle_stage: {stage}\n"
            f"name: {q(name)}\n")


EXPS = [("0", "Default", "active"), ("1", "churn model", "active"), ("2", "old", "deleted")]


def metric_lines(points):
    return "".join(f"{ts} {pyfloat(v)} {step}\n" for ts, v, step in points)


def make_fs(root):
    for exp, name, stage in EXPS:
        write(f"{root}/{exp}/meta.yaml", exp_meta(exp, name, stage))
    write(f"{root}/1/tags/owner", "ml-team")
    for exp, rid, name, status, start, end, user, stage in RUNS:
        d = f"{root}/{exp}/{rid}"
        write(f"{d}/meta.yaml", run_meta(root, exp, rid, name, status, start, end, user, stage))
        for k, v in PARAMS.get(rid, {}).items():
            write(f"{d}/params/{k}", v)
        for k, v in TAGS.get(rid, {}).items():
            write(f"{d}/tags/{k}", v)
        for k, pts in METRICS.get(rid, {}).items():
            write(f"{d}/metrics/{k}", metric_lines(pts))
        os.makedirs(f"{d}/artifacts", exist_ok=True)
        for k, data in ARTIFACTS.get(rid, {}).items():
            write(f"{d}/artifacts/{k}", data)
    write(f"{root}/.trash/3/meta.yaml", exp_meta("3", "trashed", "deleted"))
    for exp, rid in TRASH_RUNS:
        write(f"{root}/.trash/{exp}/{rid}/meta.yaml",
              run_meta(root, exp, rid, "t", "FINISHED", T0, T0 + 1, "bob", "deleted"))
    # Damage: a run whose meta.yaml is no YAML, a metric file with a bad
    # line in the middle.
    write(f"{root}/1/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/meta.yaml",
          "run_id: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nstatus: [3\nstart_time: 1\n")
    with open(f"{root}/1/{C1}/metrics/loss", "a") as f:
        f.write("1700000002300 not-a-number 2\n1700000002400 0.5 3\n")
    # The registry.
    for name, created, desc in MODELS:
        m = f"{root}/models/{name}"
        write(f"{m}/meta.yaml",
              f"creation_timestamp: {created}\n"
              + (f"description: {q(desc)}\n" if desc else "description: null\n")
              + f"last_updated_timestamp: {created + 5}\nname: {name}\n")
    for name, ver, run, stage, sub in VERSIONS:
        src = f"file:///elsewhere/mlruns/1/{run}/artifacts/{sub}" if sub else f"runs:/{run}/model"
        write(f"{root}/models/{name}/version-{ver}/meta.yaml",
              f"creation_timestamp: {T0 + 12000 + ver}\n"
              f"current_stage: {stage}\n"
              "description: ''\n"
              f"last_updated_timestamp: {T0 + 13000 + ver}\n"
              f"name: {name}\n"
              f"run_id: {run}\n"
              "run_link: ''\n"
              f"source: {src}\n"
              "status: READY\n"
              "status_message: null\n"
              "user_id: null\n"
              f"version: {ver}\n")
    for name, alias, ver in ALIASES:
        write(f"{root}/models/{name}/aliases/{alias}", str(ver))


def more_fs(root):
    d = f"{root}/1/{R}"
    with open(f"{d}/metrics/loss", "a") as f:
        f.write(metric_lines(MORE_METRICS[R]["loss"]))
    for k, v in MORE_TAGS[R].items():
        write(f"{d}/tags/{k}", v)
    meta = open(f"{d}/meta.yaml").read()
    meta = meta.replace("end_time: null", f"end_time: {T0 + 9500}").replace("status: 1", "status: 3")
    write(f"{d}/meta.yaml", meta)
    d = f"{root}/1/{NEW}"
    write(f"{d}/meta.yaml", run_meta(root, "1", NEW, "newer", "FINISHED", T0 + 20000, T0 + 21000, "dan", "active"))
    write(f"{d}/metrics/loss", metric_lines([(T0 + 20001, 0.125, 0)]))


SCHEMA = """
CREATE TABLE experiments (experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL,
  artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT,
  last_update_time BIGINT, PRIMARY KEY (experiment_id), UNIQUE (name));
CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), source_type VARCHAR(20),
  source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256),
  status VARCHAR(9), start_time BIGINT, end_time BIGINT, deleted_time BIGINT,
  source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200),
  experiment_id INTEGER, PRIMARY KEY (run_uuid),
  FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id));
CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
  run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
  PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan));
CREATE TABLE latest_metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT,
  step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL,
  PRIMARY KEY (key, run_uuid));
CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL,
  run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL,
  PRIMARY KEY (key, run_uuid));
CREATE TABLE experiment_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),
  experiment_id INTEGER NOT NULL, PRIMARY KEY (key, experiment_id));
CREATE TABLE registered_models (name VARCHAR(256) NOT NULL, creation_time BIGINT,
  last_updated_time BIGINT, description VARCHAR(5000), PRIMARY KEY (name));
CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL,
  creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000),
  user_id VARCHAR(256), current_stage VARCHAR(20), source VARCHAR(500), run_id VARCHAR(32),
  status VARCHAR(20), status_message VARCHAR(500), run_link VARCHAR(500),
  storage_location VARCHAR(500), PRIMARY KEY (name, version));
CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),
  name VARCHAR(256) NOT NULL, PRIMARY KEY (key, name));
CREATE TABLE model_version_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),
  name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (key, name, version));
CREATE TABLE registered_model_aliases (alias VARCHAR(256) NOT NULL, version INTEGER NOT NULL,
  name VARCHAR(256) NOT NULL, PRIMARY KEY (name, alias));
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, PRIMARY KEY (version_num));
"""


def db_value(v):
    # MLflow's SQL store: NaN as 0 with is_nan, infinities clamped to
    # the largest double.
    if math.isnan(v):
        return 0.0, 1
    if math.isinf(v):
        return math.copysign(1.7976931348623157e308, v), 0
    return v, 0


def db_metrics(c, rid, metrics):
    for k, pts in metrics.items():
        for ts, v, step in pts:
            val, nan = db_value(v)
            c.execute("INSERT INTO metrics VALUES (?,?,?,?,?,?)", (k, val, ts, rid, step, nan))


def make_db(path, artifact_root):
    c = sqlite3.connect(path)
    c.executescript(SCHEMA)
    c.execute("INSERT INTO alembic_version VALUES ('4465047574b1')")
    for exp, name, stage in EXPS + [("3", "trashed", "deleted")]:
        c.execute("INSERT INTO experiments VALUES (?,?,?,?,?,?)",
                  (int(exp), name, f"{artifact_root}/{exp}", stage, T0 + int(exp), T0 + int(exp)))
    c.execute("INSERT INTO experiment_tags VALUES ('owner','ml-team',1)")
    for exp, rid, name, status, start, end, user, stage in RUNS + [
            (e, r, "t", "FINISHED", T0, T0 + 1, "bob", "deleted") for e, r in TRASH_RUNS]:
        c.execute("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  (rid, name, "LOCAL", "", "", user, status, start, end,
                   None, "", stage, f"{artifact_root}/{exp}/{rid}/artifacts", int(exp)))
        for k, v in PARAMS.get(rid, {}).items():
            c.execute("INSERT INTO params VALUES (?,?,?)", (k, v, rid))
        for k, v in TAGS.get(rid, {}).items():
            c.execute("INSERT INTO tags VALUES (?,?,?)", (k, v, rid))
        db_metrics(c, rid, METRICS.get(rid, {}))
        for k, data in ARTIFACTS.get(rid, {}).items():
            write(f"{artifact_root}/{exp}/{rid}/artifacts/{k}", data)
    # The bad line of the file store cannot exist in a database; its good
    # neighbour can.
    db_metrics(c, C1, {"loss": [(1700000002400, 0.5, 3)]})
    for name, created, desc in MODELS:
        c.execute("INSERT INTO registered_models VALUES (?,?,?,?)", (name, created, created + 5, desc))
    for name, ver, run, stage, sub in VERSIONS:
        src = f"{artifact_root}/1/{run}/artifacts/{sub}" if sub else f"runs:/{run}/model"
        c.execute("INSERT INTO model_versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  (name, ver, T0 + 12000 + ver, T0 + 13000 + ver, "", None, stage, src, run,
                   "READY", None, "", None))
    for name, alias, ver in ALIASES:
        c.execute("INSERT INTO registered_model_aliases VALUES (?,?,?)", (alias, ver, name))
    c.commit()


def more_db(path, artifact_root):
    c = sqlite3.connect(path)
    db_metrics(c, R, MORE_METRICS[R])
    for k, v in MORE_TAGS[R].items():
        c.execute("INSERT INTO tags VALUES (?,?,?)", (k, v, R))
    c.execute("UPDATE runs SET status='FINISHED', end_time=? WHERE run_uuid=?", (T0 + 9500, R))
    c.execute("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
              (NEW, "newer", "LOCAL", "", "", "dan", "FINISHED", T0 + 20000, T0 + 21000,
               None, "", "active", f"{artifact_root}/1/{NEW}/artifacts", 1))
    db_metrics(c, NEW, {"loss": [(T0 + 20001, 0.125, 0)]})
    c.commit()


def expected_series(more):
    out = {}
    for exp, rid, name, status, start, end, user, stage in RUNS:
        if stage == "deleted" or exp == "2":
            continue
        for k, pts in METRICS.get(rid, {}).items():
            out[(rid, k)] = list(pts)
    out[(C1, "loss")].append((1700000002400, 0.5, 3))
    if more:
        out[(R, "loss")] += MORE_METRICS[R]["loss"]
        out[(NEW, "loss")] = [(T0 + 20001, 0.125, 0)]
    return out


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def check(plumb, more):
    # Every series, point by point, read back through plumb's CSV (17
    # significant digits: exact).
    import subprocess
    bad = 0
    series = expected_series(more)
    for (rid, k), pts in sorted(series.items()):
        got = subprocess.run([plumb, "metrics", rid, k, "--csv"], capture_output=True,
                             text=True).stdout.splitlines()[1:]
        got = [(int(t), float(v), int(s)) for s, t, v in (l.split(",") for l in got)]
        want = sorted(pts, key=lambda p: (p[2], p[0]))
        if len(got) != len(want) or not all(
                g[0] == w[0] and g[2] == w[2] and same(g[1], w[1]) for g, w in zip(got, want)):
            print(f"series {rid} {k}: got {got[:5]}... ({len(got)}), want {want[:5]}... ({len(want)})")
            bad += 1
    print(f"{len(series)} series checked, {bad} differ")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    mode, target = sys.argv[1], sys.argv[2]
    if mode == "fs":
        make_fs(target)
    elif mode == "more-fs":
        more_fs(target)
    elif mode == "db":
        make_db(target, os.path.abspath(sys.argv[3]))
    elif mode == "check":
        check(target, len(sys.argv) > 3 and sys.argv[3] == "more")
    elif mode == "more-db":
        more_db(target, os.path.abspath(sys.argv[3]))
    else:
        sys.exit("unknown mode " + mode)
