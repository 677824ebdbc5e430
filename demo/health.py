#!/usr/bin/python3
"""health.py - the demo's deploy health check: the server answers /health, and a canary of known customers is predicted well enough.

Sends the first --rows rows of the validation split (ids canary-N) to the
server started by deploy.sh and compares its predictions with their
labels.  Exit 0 when /health is 200 and the canary accuracy reaches
--min-accuracy, else 1 with the reason: plumb model promote then
redeploys the previous version.
"""
import argparse
import csv
import json
import sys
import urllib.request


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", default="run/port")
    ap.add_argument("--canary", default="data/prepared/valid.csv")
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--min-accuracy", type=float, default=0.7)
    a = ap.parse_args()
    with open(a.port_file) as f:
        base = "http://127.0.0.1:%d" % int(f.read())
    try:
        with urllib.request.urlopen(base + "/health", timeout=5) as r:
            print("health: %s" % r.read().decode().strip())
    except OSError as e:
        print("health: %s/health: %s" % (base, e))
        return 1
    right = n = 0
    with open(a.canary, newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i >= a.rows:
                break
            feats = {k: float(v) for k, v in row.items() if k != "churned"}
            body = json.dumps({"id": "canary-%d" % i,
                               "features": feats}).encode()
            req = urllib.request.Request(
                base + "/predict", data=body, method="POST",
                headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5) as r:
                pred = json.loads(r.read())["prediction"]
            right += int(str(pred) == row["churned"])
            n += 1
    acc = right / max(1, n)
    ok = acc >= a.min_accuracy
    print("health: canary accuracy %.3f on %d known customers (minimum %.2f)"
          " - %s" % (acc, n, a.min_accuracy, "ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
