#!/usr/bin/python3
"""prepare.py - the demo pipeline's first stage: validates and encodes the churn data, splits train and validation.

Reads the versioned dataset (data/raw/churn.csv) and, for continuous
training, the labelled production rows collected from the prediction
and label logs (data/labelled.csv, written by collect.py).  When that
file holds at least prepare.recent_rows rows, the model is retrained on
the most recent of them - the customers it serves today - else on the
raw dataset.  contract is encoded as its code (0 month-to-month,
1 one-year, 2 two-year): requests to the model server carry numbers.
Writes data/prepared/train.csv and valid.csv (features then churned).
"""
import csv
import os
import random
import sys

import yaml

CONTRACTS = {"month-to-month": 0, "one-year": 1, "two-year": 2}
FEATURES = ["tenure_months", "monthly_charges", "support_calls", "contract"]


def raw_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            yield [r["tenure_months"], r["monthly_charges"],
                   r["support_calls"], str(CONTRACTS[r["contract"]]),
                   r["churned"]]


def main():
    with open("params.yaml") as f:
        p = yaml.safe_load(f)["prepare"]
    labelled = []
    if os.path.exists("data/labelled.csv"):
        with open("data/labelled.csv", newline="", encoding="utf-8") as f:
            labelled = [[r[k] for k in FEATURES] + [r["churned"]]
                        for r in csv.DictReader(f)]
    if len(labelled) >= p["recent_rows"]:
        rows = labelled[-p["recent_rows"]:]
        src = "the %d most recent labelled production rows" % len(rows)
    else:
        rows = list(raw_rows("data/raw/churn.csv"))
        src = "data/raw/churn.csv (%d rows; %d labelled production rows " \
              "< %d)" % (len(rows), len(labelled), p["recent_rows"])
    random.Random(p["seed"]).shuffle(rows)
    ntest = int(len(rows) * p["test_share"])
    os.makedirs("data/prepared", exist_ok=True)
    for name, part in (("valid", rows[:ntest]), ("train", rows[ntest:])):
        with open("data/prepared/%s.csv" % name, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(FEATURES + ["churned"])
            w.writerows(part)
    print("prepared %d train / %d validation rows from %s"
          % (len(rows) - ntest, ntest, src))
    return 0


if __name__ == "__main__":
    sys.exit(main())
