#!/usr/bin/python3
"""label-writer.py - writes the delayed ground truth for a model-server.py prediction log.

Reads the prediction log (JSONL) and appends one label per answered
prediction to the labels log, as the outcome would arrive days later:

  CSV  (default, --format csv): header "id,label,ts" then one row each
  JSONL (--format jsonl):       {"id":..., "label": 0|1, "ts": ...}

The true label follows the server's own formula (so the model is right
most of the time), with a deterministic per-id disagreement rate
(--noise, default 0.05).  --flip makes the world change (concept drift):
every label of a prediction whose id sequence number is >= --flip is
inverted, so accuracy collapses from that point on.  --coverage keeps only
a deterministic share of the ids (label coverage); --only PREFIX labels
only ids starting with PREFIX.  Already labelled ids (present in the
output) are skipped, so it can be run again as the log grows.

--truth FILE draws the truth from a model file instead of the server's
formula (the "world" of plumb's demo, format of model-server.py --model):
label = 1 with the file's probability, by a deterministic per-id draw
(--noise is then not applied: the draw is the noise).  --min-age S labels
only predictions at least S seconds old, as outcomes arrive later.

  label-writer.py --predictions logs/predictions.jsonl --out logs/labels.csv
                  [--coverage 1.0] [--noise 0.05] [--flip N] [--format csv]
                  [--truth MODEL.json] [--min-age SECONDS]
"""
import argparse
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def unit(rid, salt):
    """Deterministic number in [0, 1) from an id."""
    h = hashlib.sha256((salt + ":" + rid).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0 ** 64


def seq(rid):
    tail = rid.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def server():
    import importlib.util
    global _server
    if "_server" not in globals():
        p = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "model-server.py")
        spec = importlib.util.spec_from_file_location("model_server", p)
        _server = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_server)
    return _server


def margin(features):
    return server().margin(features)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--predictions", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    ap.add_argument("--coverage", type=float, default=1.0)
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--flip", type=int, default=-1)
    ap.add_argument("--only", default="")
    ap.add_argument("--truth", help="model file of the true relation")
    ap.add_argument("--min-age", type=float, default=0.0)
    a = ap.parse_args()
    truth = None
    if a.truth:
        try:
            truth = server().load_model(a.truth)
        except (OSError, ValueError) as e:
            print("label-writer.py: %s" % e, file=sys.stderr)
            return 2
    cutoff = time.time() - a.min_age

    done = set()
    if os.path.exists(a.out):
        with open(a.out, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("id,"):
                    continue
                if a.format == "csv":
                    done.add(line.split(",", 1)[0])
                else:
                    try:
                        done.add(json.loads(line)["id"])
                    except (ValueError, KeyError):
                        pass
    new = os.path.getsize(a.out) == 0 if os.path.exists(a.out) else True
    n = 0
    with open(a.predictions, encoding="utf-8") as src, \
            open(a.out, "a", encoding="utf-8") as out:
        if new and a.format == "csv":
            out.write("id,label,ts\n")
        for line in src:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            rid = rec.get("id")
            if (not isinstance(rid, str) or rid in done or
                    rec.get("status") != "ok" or not rid.startswith(a.only)):
                continue
            if unit(rid, "coverage") >= a.coverage:
                continue
            ts = rec.get("ts")
            if a.min_age > 0 and (not isinstance(ts, (int, float)) or
                                  ts > cutoff):
                continue
            if truth is not None:
                srv = server()
                p = srv.sigmoid(srv.model_margin(truth,
                                                 rec.get("features") or {}))
                y = int(unit(rid, "truth") < p)
            else:
                y = int(margin(rec.get("features") or {}) >= 0)
                if unit(rid, "noise") < a.noise:
                    y = 1 - y
            if a.flip >= 0 and seq(rid) >= a.flip:
                y = 1 - y
            ts = round(time.time(), 3)
            if a.format == "csv":
                out.write("%s,%d,%s\n" % (rid, y, ts))
            else:
                out.write(json.dumps({"id": rid, "label": y, "ts": ts}) + "\n")
            done.add(rid)
            n += 1
    print("labelled %d predictions" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
