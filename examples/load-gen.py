#!/usr/bin/python3
"""load-gen.py - sends deterministic /predict traffic to model-server.py, with drift and degradation knobs.

Features f0..f{N-1} are drawn from a seeded normal distribution
N(shift, scale^2) per feature (--shift moves the mean of every feature, or
only of the listed ones with --shift-features f0,f2): --shift 0 --scale 1
is the training distribution (see make_reference below), anything else is
data drift.  --delay-ms and --error-rate are sent to the server's /admin
endpoint before the traffic starts (latency degradation, injected 500s);
--bad N also sends N malformed requests (non-numeric feature) at the end.

--dataset FILE replays rows of a CSV instead (header: the feature names;
numeric fields), drawn at random with the seed: the demo's customers.
--shift X then adds X to the listed --shift-features (all when none are
listed) - a shifted input distribution - and --scale is not used.

A request the server cannot answer (connection refused while it is being
redeployed, a timeout) counts as failed and the traffic goes on.

Request ids are PREFIX-<seq> so label-writer.py and tests can predict them.

  load-gen.py --url http://127.0.0.1:PORT -n 500 [--rate 200] [--seed 1]
              [--features 4] [--shift 0] [--scale 1] [--shift-features LIST]
              [--delay-ms 0] [--error-rate 0] [--bad 0] [--prefix r]
              [--dataset FILE.csv]
  load-gen.py --reference FILE [-n 10000] [--features 4] [--seed 7]
              writes a CSV of the training distribution (header f0,...)
"""
import argparse
import json
import random
import sys
import time
import urllib.request


def post(url, obj, timeout=5.0):
    data = json.dumps(obj).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, OSError, ValueError):
        return 0, None          # no answer: counted as failed


def draw(rng, nfeat, shift, scale, shifted):
    out = {}
    for i in range(nfeat):
        name = "f%d" % i
        mu = shift if (shifted is None or name in shifted) else 0.0
        sd = scale if (shifted is None or name in shifted) else 1.0
        out[name] = round(rng.gauss(mu, sd), 6)
    return out


def load_rows(path):
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]
    if not rows:
        raise ValueError("%s: no rows" % path)
    return rows


def draw_row(rng, rows, shift, shifted):
    r = dict(rng.choice(rows))
    if shift:
        for k in r:
            if shifted is None or k in shifted:
                r[k] = round(r[k] + shift, 6)
    return r


def make_reference(path, n, nfeat, seed):
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write(",".join("f%d" % i for i in range(nfeat)) + "\n")
        for _ in range(n):
            row = draw(rng, nfeat, 0.0, 1.0, None)
            f.write(",".join(repr(row["f%d" % i]) for i in range(nfeat)) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", help="server base URL, e.g. http://127.0.0.1:8080")
    ap.add_argument("-n", "--count", type=int, default=100)
    ap.add_argument("--rate", type=float, default=0,
                    help="requests per second (0: as fast as possible)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--features", type=int, default=4)
    ap.add_argument("--shift", type=float, default=0.0)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--shift-features", help="comma-separated feature names")
    ap.add_argument("--delay-ms", type=float)
    ap.add_argument("--error-rate", type=float)
    ap.add_argument("--bad", type=int, default=0)
    ap.add_argument("--prefix", default="r")
    ap.add_argument("--start", type=int, default=0, help="first sequence number")
    ap.add_argument("--reference", help="write a reference CSV and exit")
    ap.add_argument("--dataset", help="replay the rows of this CSV")
    a = ap.parse_args()

    if a.reference:
        make_reference(a.reference, a.count, a.features, a.seed)
        return 0
    if not a.url:
        ap.error("--url is required (or --reference)")
    base = a.url.rstrip("/")
    admin = {}
    if a.delay_ms is not None:
        admin["delay_ms"] = a.delay_ms
    if a.error_rate is not None:
        admin["error_rate"] = a.error_rate
    if admin:
        code, _ = post(base + "/admin", admin)
        if code != 200:
            print("load-gen: /admin answered %d" % code, file=sys.stderr)
            return 1
    shifted = set(a.shift_features.split(",")) if a.shift_features else None
    rows = None
    if a.dataset:
        try:
            rows = load_rows(a.dataset)
        except (OSError, ValueError) as e:
            print("load-gen: %s" % e, file=sys.stderr)
            return 1
    rng = random.Random(a.seed)
    ok = err = 0
    t0 = time.monotonic()
    for k in range(a.count):
        if a.rate > 0:
            due = t0 + k / a.rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
        if rows is not None:
            feats = draw_row(rng, rows, a.shift, shifted)
        else:
            feats = draw(rng, a.features, a.shift, a.scale, shifted)
        code, _ = post(base + "/predict",
                       {"id": "%s-%d" % (a.prefix, a.start + k),
                        "features": feats})
        if code == 200:
            ok += 1
        else:
            err += 1
            if code == 0:
                time.sleep(0.05)    # no server: do not spin
    for k in range(a.bad):
        code, _ = post(base + "/predict",
                       {"id": "%s-bad-%d" % (a.prefix, k),
                        "features": {"f0": "not a number"}})
        err += code != 200
    print("sent %d: %d ok, %d failed" % (a.count + a.bad, ok, err))
    return 0


if __name__ == "__main__":
    sys.exit(main())
