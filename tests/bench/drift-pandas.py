#!/usr/bin/python3
# drift-pandas.py - the baseline of drift-bench.sh: pandas + scipy computing plumb drift's default tests.
#
# usage: drift-pandas.py REFERENCE.csv CURRENT.csv
# What Evidently does inside for each column (drift-spec §1): drop missing
# values, pick the default test by type / reference size / distinct values,
# compute it with scipy/numpy.  On the benchmark files that is normed
# Wasserstein for the numerical columns and Jensen-Shannon for the
# categorical ones - the same statistics `plumb drift` computes.
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance


def binned(ref, cur):
    keys = list(set(ref.unique()) | set(cur.unique()))
    rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
    cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
    return (np.array([rd[k] / len(ref) for k in keys]),
            np.array([cd[k] / len(cur) for k in keys]))


def column(ref, cur, numerical):
    ref = ref.replace([-np.inf, np.inf], np.nan).dropna()
    cur = cur.replace([-np.inf, np.inf], np.nan).dropna()
    n_values = pd.concat([ref, cur]).nunique()
    small = len(ref) <= 1000
    if numerical and n_values > 5:
        if small:
            return "ks", stats.ks_2samp(ref, cur).pvalue
        return "wasserstein", stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
    if n_values <= 2 and small:
        raise SystemExit("z-test not needed for the benchmark files")
    if small:
        raise SystemExit("chi-square not needed for the benchmark files")
    r, c = binned(ref, cur)
    return "jensenshannon", distance.jensenshannon(r, c)


def main():
    t0 = time.time()
    ref = pd.read_csv(sys.argv[1])
    cur = pd.read_csv(sys.argv[2])
    drifted = 0
    for name in ref.columns:
        num = pd.api.types.is_numeric_dtype(ref[name]) and pd.api.types.is_numeric_dtype(cur[name])
        method, score = column(ref[name], cur[name], num)
        drift = score >= 0.1
        drifted += drift
        print("%s %s %.10g %s" % (name, method, score, "DRIFT" if drift else "no"))
    share = drifted / len(ref.columns)
    print("drifted %d share %.4f dataset_drift %s (%.2fs)" % (drifted, share, share >= 0.5, time.time() - t0))


if __name__ == "__main__":
    main()
