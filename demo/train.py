#!/usr/bin/python3
"""train.py - the demo pipeline's training stage: a scikit-learn logistic model of churn, tracked by plumb, exported as JSON.

Reads data/prepared/train.csv and test.csv and the train: section of
params.yaml; fits scikit-learn's SGDClassifier (logistic loss) one epoch
at a time with partial_fit, logging per epoch to plumb (PLUMB_FD) the
training log-loss and the test accuracy; at the end logs the test
accuracy, AUC, F1 and log-loss - the metrics the registry snapshots and
the gates judge.  The numeric features are standardized; contract is
one-hot encoded.

The model is exported as model.json (the format model-server.py --model
serves: coefficients, never a pickle, so deploying a file cannot run
code).  params train.export_bug: true plants a serving bug: the export
maps the coefficients to the wrong feature names (a reordered feature
list), so the offline metrics stay good while the served model is wrong
- what the deploy's health check is there to catch.
"""
import csv
import json
import os
import sys

import numpy as np
import yaml
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score

NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]
CONTRACTS = 3


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[k]) for k in NUMERIC] + [float(r["contract"])]
                  for r in rows])
    y = np.array([int(r["churned"]) for r in rows])
    return x, y


def design(x, mean, scale):
    num = (x[:, :len(NUMERIC)] - mean) / scale
    code = x[:, len(NUMERIC)].astype(int)
    onehot = np.eye(CONTRACTS)[code]
    return np.hstack([num, onehot])


def main():
    with open("params.yaml") as f:
        p = yaml.safe_load(f)["train"]
    fd = os.environ.get("PLUMB_FD")
    out = os.fdopen(int(fd), "w", buffering=1) if fd else sys.stdout

    def log(line):
        out.write(line + "\n")

    xtr, ytr = load("data/prepared/train.csv")
    xte, yte = load("data/prepared/valid.csv")
    mean = xtr[:, :len(NUMERIC)].mean(axis=0)
    scale = xtr[:, :len(NUMERIC)].std(axis=0) + 1e-9
    ztr, zte = design(xtr, mean, scale), design(xte, mean, scale)
    clf = SGDClassifier(loss="log_loss", learning_rate="constant",
                        eta0=p["lr"], alpha=p["alpha"],
                        random_state=p["seed"])
    rng = np.random.default_rng(p["seed"])
    for epoch in range(p["epochs"]):
        order = rng.permutation(len(ytr))
        clf.partial_fit(ztr[order], ytr[order], classes=[0, 1])
        loss = log_loss(ytr, clf.predict_proba(ztr)[:, 1])
        acc = accuracy_score(yte, clf.predict(zte))
        log("metric loss %.6f step=%d" % (loss, epoch))
        log("metric val_accuracy %.6f step=%d" % (acc, epoch))
    prob = clf.predict_proba(zte)[:, 1]
    pred = (prob >= 0.5).astype(int)
    metrics = {"accuracy": accuracy_score(yte, pred),
               "auc": roc_auc_score(yte, prob),
               "f1": f1_score(yte, pred),
               "log_loss": log_loss(yte, prob)}
    for k, v in metrics.items():
        log("metric %s %.6f" % (k, v))
    log("metric train_rows %d" % len(ytr))

    w = clf.coef_[0]
    names = list(NUMERIC)
    if p.get("export_bug"):
        names = names[1:] + names[:1]       # the planted serving bug
    terms = [{"feature": names[i], "kind": "num",
              "coef": float(w[i] / scale[i]), "center": float(mean[i])}
             for i in range(len(NUMERIC))]
    terms += [{"feature": "contract", "kind": "onehot", "value": k,
               "coef": float(w[len(NUMERIC) + k])} for k in range(CONTRACTS)]
    model = {"format": "plumb-demo-logistic/1", "name": "churn",
             "intercept": float(clf.intercept_[0]), "threshold": 0.5,
             "terms": terms}
    with open("model.json.tmp", "w") as f:
        json.dump(model, f, indent=1)
        f.write("\n")
    os.replace("model.json.tmp", "model.json")
    log("artifact model.json")
    print("trained %d epochs on %d rows: test accuracy %.3f, AUC %.3f"
          % (p["epochs"], len(ytr), metrics["accuracy"], metrics["auc"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
