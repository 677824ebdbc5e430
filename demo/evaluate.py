#!/usr/bin/python3
"""evaluate.py - the demo pipeline's evaluation stage: scores model.json exactly as the server will, on the validation split.

Loads the exported model with model-server.py's own code (what is
evaluated is what is served), and writes eval/metrics.json (the served
accuracy, overall and per contract) that plumb repro ingests as the
stage's metrics.  A planted export bug shows here first.
"""
import csv
import importlib.util
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "model_server", os.path.join(here, "model-server.py"))
srv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(srv)

NAMES = ["month-to-month", "one-year", "two-year"]


def main():
    m = srv.load_model("model.json")
    right, total = [0, 0, 0], [0, 0, 0]
    with open("data/prepared/valid.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            feats = {k: float(v) for k, v in r.items() if k != "churned"}
            p = srv.sigmoid(srv.model_margin(m, feats))
            c = int(feats["contract"])
            total[c] += 1
            right[c] += int((p >= m.get("threshold", 0.5)) ==
                            (r["churned"] == "1"))
    out = {"served_accuracy": sum(right) / max(1, sum(total))}
    for c, name in enumerate(NAMES):
        if total[c]:
            out["accuracy_" + name.replace("-", "_")] = right[c] / total[c]
    os.makedirs("eval", exist_ok=True)
    with open("eval/metrics.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("served model accuracy on the validation split: %.3f"
          % out["served_accuracy"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
