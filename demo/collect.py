#!/usr/bin/python3
"""collect.py - the demo pipeline's CT input: joins the prediction log with the delayed labels into data/labelled.csv.

Each labelled prediction becomes a training row (its logged features,
then the label as churned), in prediction-time order, so prepare.py can
retrain on the customers the model serves today.  Health-check canary
requests (ids canary-*) are left out.
"""
import csv
import json
import os
import sys

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "contract"]


def main():
    labels = {}
    if os.path.exists("logs/labels.csv"):
        with open("logs/labels.csv", newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                labels[r["id"]] = r["label"]
    rows = []
    if os.path.exists("logs/predictions.jsonl"):
        with open("logs/predictions.jsonl", encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue     # a line being written
                rid = rec.get("id")
                feats = rec.get("features") or {}
                if rid in labels and not rid.startswith("canary-") and \
                        all(k in feats for k in FEATURES):
                    rows.append((rec.get("ts", 0), [feats[k] for k in FEATURES]
                                 + [labels[rid]]))
    rows.sort(key=lambda r: r[0])
    os.makedirs("data", exist_ok=True)
    with open("data/labelled.csv.tmp", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FEATURES + ["churned"])
        w.writerows(r[1] for r in rows)
    os.replace("data/labelled.csv.tmp", "data/labelled.csv")
    print("collected %d labelled production rows" % len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
