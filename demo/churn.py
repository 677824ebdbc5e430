#!/usr/bin/python3
"""churn.py - the demo's world: generates customer-churn data with a known relation, and its traffic.

A customer has four features:
  tenure_months    1..72, months with the company
  monthly_charges  18..150, dollars a month
  support_calls    0..10, calls to support last quarter
  contract         month-to-month | one-year | two-year (categorical)
and churns (churned = 1) with probability sigmoid(logit), the known
relation below.  Note the hinge: above 90 dollars a month every dollar
weighs thirteen times more - a price increase moves customers into a region
a model trained on today's customers has barely seen.

  churn.py dataset --rows N --seed S --out data/raw/churn.csv
      the labelled training data (contract as text)
  churn.py traffic --rows N --seed S --out traffic.csv
      customers for the load generator: the features only, contract
      encoded as its code (0, 1, 2) since requests carry numbers
  churn.py world --out world.json
      the relation itself as a model file (the format train.py exports;
      label-writer.py --truth draws the delayed labels from it)

Only the standard library: the demo's data must not depend on numpy's
random stream.
"""
import argparse
import json
import math
import random
import sys

CONTRACTS = ["month-to-month", "one-year", "two-year"]
FEATURES = ["tenure_months", "monthly_charges", "support_calls", "contract"]

# The known relation: the churn log-odds of a customer.
INTERCEPT = -0.8
W_TENURE = -0.08             # per month
W_CHARGES = 0.02             # per dollar
HINGE_AT, W_HINGE = 90.0, 0.25   # per dollar above HINGE_AT
W_CALLS = 0.8                # per support call
W_CONTRACT = [1.5, -0.5, -2.0]   # by contract code


def logit(f):
    c = f["monthly_charges"]
    return (INTERCEPT + W_TENURE * f["tenure_months"] + W_CHARGES * (c - 65)
            + W_HINGE * max(0.0, c - HINGE_AT)
            + W_CALLS * f["support_calls"] + W_CONTRACT[int(f["contract"])])


def customer(rng):
    code = rng.choices([0, 1, 2], weights=[55, 25, 20])[0]
    tenure = min(72, max(1, int(rng.expovariate(1 / (14 + 12 * code))) + 1))
    charges = min(150.0, max(18.0, rng.gauss(64 + 4 * code, 17)))
    lam = 1.2 + (0.6 if code == 0 else 0.0)
    calls = 0                  # Poisson by inversion (no numpy)
    p, s, u = math.exp(-lam), math.exp(-lam), rng.random()
    while u > s and calls < 10:
        calls += 1
        p *= lam / calls
        s += p
    return {"tenure_months": tenure, "monthly_charges": round(charges, 2),
            "support_calls": calls, "contract": code}


def churned(rng, f):
    return int(rng.random() < 1 / (1 + math.exp(-logit(f))))


def world_model():
    """The relation in the model-file format of train.py (see there)."""
    terms = [{"feature": "tenure_months", "kind": "num", "coef": W_TENURE},
             {"feature": "monthly_charges", "kind": "num", "coef": W_CHARGES,
              "center": 65.0},
             {"feature": "monthly_charges", "kind": "hinge",
              "at": HINGE_AT, "coef": W_HINGE},
             {"feature": "support_calls", "kind": "num", "coef": W_CALLS}]
    terms += [{"feature": "contract", "kind": "onehot", "value": k, "coef": w}
              for k, w in enumerate(W_CONTRACT)]
    return {"format": "plumb-demo-logistic/1", "name": "world",
            "intercept": INTERCEPT, "threshold": 0.5, "terms": terms}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=("dataset", "traffic", "world"))
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.what == "world":
        with open(a.out, "w") as f:
            json.dump(world_model(), f, indent=1)
            f.write("\n")
        return 0
    rng = random.Random(a.seed)
    with open(a.out, "w") as f:
        if a.what == "dataset":
            f.write("customer_id," + ",".join(FEATURES) + ",churned\n")
        else:
            f.write(",".join(FEATURES) + "\n")
        for i in range(a.rows):
            c = customer(rng)
            if a.what == "dataset":
                y = churned(rng, c)
                f.write("C%05d,%d,%.2f,%d,%s,%d\n" % (
                    i + 1, c["tenure_months"], c["monthly_charges"],
                    c["support_calls"], CONTRACTS[c["contract"]], y))
            else:
                f.write("%d,%.2f,%d,%d\n" % (
                    c["tenure_months"], c["monthly_charges"],
                    c["support_calls"], c["contract"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
