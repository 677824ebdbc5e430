#!/usr/bin/python3
# make-fixtures.py - generates the drift test fixtures and their expected values with scipy/numpy/pandas.
#
# Run with Debian's /usr/bin/python3 (python3-scipy 1.10, python3-numpy 1.24,
# python3-pandas) from this directory:   /usr/bin/python3 make-fixtures.py
# It rewrites the *.csv fixtures and expected.txt / ks-expected.txt.  The
# tests read only those committed files: scipy is not needed at test time.
#
# The per-column logic below is Evidently's (legacy stattests, see
# ../../../../shared/reference/drift-spec.md §1), written out with pandas,
# numpy and scipy exactly as Evidently calls them.
import math
import os
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance
from scipy.stats import kstwo

HERE = os.path.dirname(os.path.abspath(__file__))
NA_VALUES = ["NA", "NaN", "nan", "null"]


# ---------------------------------------------------------------- Evidently
def get_binned_data(ref, cur, ftype, feel_zeroes):
    n_vals = ref.nunique()
    if ftype == "numerical" and n_vals > 20:
        bins = np.histogram_bin_edges(pd.concat([ref, cur], axis=0).values, bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(set(ref.unique()) | set(cur.unique()))
        rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
        cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
        r = np.array([rd[k] / len(ref) for k in keys])
        c = np.array([cd[k] / len(cur) for k in keys])
    if feel_zeroes:
        for a in (r, c):
            m = min(a[a != 0])
            np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def t_ks(ref, cur, ftype):
    res = stats.ks_2samp(ref, cur)
    return res.statistic, res.pvalue, res.pvalue


def t_chisquare(ref, cur, ftype):
    keys = list(set(ref.unique()) | set(cur.unique()))
    keys.sort()
    rd = {**dict.fromkeys(keys, 0), **dict(ref.value_counts())}
    cd = {**dict.fromkeys(keys, 0), **dict(cur.value_counts())}
    k_norm = cur.shape[0] / ref.shape[0]
    f_exp = [rd[k] * k_norm for k in keys]
    f_obs = [cd[k] for k in keys]
    with np.errstate(divide="ignore", invalid="ignore"):
        stat, p = stats.chisquare(f_obs, f_exp)
    return stat, p, p


def t_z(ref, cur, ftype):
    if ref.nunique() == 1 and cur.nunique() == 1 and ref.unique()[0] == cur.unique()[0]:
        return 0.0, 1.0, 1.0
    keys = sorted(set(ref) | set(cur))
    r01 = ref.apply(lambda x: 0 if x == keys[0] else 1)
    c01 = cur.apply(lambda x: 0 if x == keys[0] else 1)
    n1, n2 = len(r01), len(c01)
    p1 = float(sum(r01)) / n1
    p2 = float(sum(c01)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    p = 2 * (1 - stats.norm.cdf(np.abs(z)))
    return z, p, p


def t_wasserstein(ref, cur, ftype):
    norm = max(np.std(ref), 0.001)
    w = stats.wasserstein_distance(ref, cur) / norm
    return w, math.nan, w


def t_psi(ref, cur, ftype):
    r, c = get_binned_data(ref, cur, ftype, True)
    psi = 0
    for i in range(len(r)):
        psi += (r[i] - c[i]) * np.log(r[i] / c[i])
    return psi, math.nan, psi


def t_kl(ref, cur, ftype):
    r, c = get_binned_data(ref, cur, ftype, True)
    v = stats.entropy(r, c)
    return v, math.nan, v


def t_js(ref, cur, ftype):
    r, c = get_binned_data(ref, cur, ftype, False)
    v = distance.jensenshannon(r, c)
    return v, math.nan, v


def t_hellinger(ref, cur, ftype):
    keys = list(set(ref.unique()) | set(cur.unique()))
    if ftype == "categorical":
        rr = (ref.value_counts() / len(ref)).to_dict()
        cc = (cur.value_counts() / len(cur)).to_dict()
        h = 0.0
        for k in keys:
            h += math.sqrt(rr.get(k, 0) * cc.get(k, 0))
    else:
        bins = np.histogram_bin_edges(keys, bins="sturges")
        h1 = np.histogram(ref.to_numpy(), bins=bins, density=True)[0]
        h2 = np.histogram(cur.to_numpy(), bins=bins, density=True)[0]
        bw = (max(bins) - min(bins)) / (len(bins) - 1)
        h = 0.0
        for i in range(len(h1)):
            h += math.sqrt(h1[i] * h2[i]) * bw
    h = np.clip(h, 0, 1)
    h = math.sqrt(1 - h)
    return h, math.nan, h


def t_ed(ref, cur, ftype):
    v = stats.energy_distance(ref, cur)
    return v, math.nan, v


def t_anderson(ref, cur, ftype):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.anderson_ksamp([ref.to_numpy(), cur.to_numpy()])
    return res.statistic, res.significance_level, res.significance_level


TESTS = {
    "ks": (t_ks, 0.05, lambda s, t: s <= t),
    "chisquare": (t_chisquare, 0.05, lambda s, t: s < t),
    "z": (t_z, 0.05, lambda s, t: s < t),
    "wasserstein": (t_wasserstein, 0.1, lambda s, t: s >= t),
    "psi": (t_psi, 0.1, lambda s, t: s >= t),
    "kl_div": (t_kl, 0.1, lambda s, t: s >= t),
    "jensenshannon": (t_js, 0.1, lambda s, t: s >= t),
    "hellinger": (t_hellinger, 0.1, lambda s, t: s >= t),
    "ed": (t_ed, 0.1, lambda s, t: s > t),
    "anderson": (t_anderson, 0.1, lambda s, t: s < t),
}
NUM_ONLY = {"ks", "wasserstein", "ed", "anderson"}
CAT_ONLY = {"chisquare", "z"}


def default_test(ref, cur, ftype):
    n_values = pd.concat([ref, cur]).nunique()
    small = ref.shape[0] <= 1000
    if ftype == "numerical" and n_values > 5:
        return "ks" if small else "wasserstein"
    if n_values > 2:
        return "chisquare" if small else "jensenshannon"
    return "z" if small else "jensenshannon"


def column_drift(ref, cur, ftype, method=None, threshold=None):
    ref = ref.replace([-np.inf, np.inf], np.nan).dropna()
    cur = cur.replace([-np.inf, np.inf], np.nan).dropna()
    if method is not None:
        if (method in NUM_ONLY and ftype != "numerical") or (method in CAT_ONLY and ftype != "categorical"):
            method = None
    if method is None:
        method = default_test(ref, cur, ftype)
    fn, thr, rule = TESTS[method]
    if threshold is not None:
        thr = threshold
    try:
        stat, p, score = fn(ref, cur, ftype)
    except ValueError:          # e.g. anderson_ksamp on one distinct value
        return dict(method=method, skip=True)
    n_values = pd.concat([ref, cur]).nunique()
    return dict(method=method, statistic=float(stat), p_value=float(p), score=float(score),
                threshold=thr, drift=bool(rule(score, thr)), n_values=int(n_values))


# ---------------------------------------------------------------- fixtures
def fmt(v):
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "NA"
    return repr(float(v))


def write_csv(name, cols):
    n = len(next(iter(cols.values())))
    with open(os.path.join(HERE, name), "w", newline="") as f:
        f.write(",".join(cols) + "\n")
        for i in range(n):
            f.write(",".join(fmt(cols[c][i]) for c in cols) + "\n")


def read(name):
    # what the engine reads: NA strings, empty = missing; inf stays inf (cleaned later)
    return pd.read_csv(os.path.join(HERE, name), keep_default_na=False, na_values=NA_VALUES)


def main():
    rng = np.random.default_rng(20261127)
    cases = []

    # 1. small reference (n_ref <= 1000): ks exact (n1 != n2), z, chisquare, categorical
    n1, n2 = 300, 250
    ref = {
        "x_cont": rng.normal(0, 1, n1),
        "x_bin": rng.integers(0, 2, n1).astype(float),
        "x_four": rng.integers(0, 4, n1).astype(float),
        "x_const": np.full(n1, 7.0),
        "x_ties": rng.integers(0, 9, n1).astype(float),
        "c_cat": rng.choice(["a", "b", "c", "e"], n1),
        "c_bin": rng.choice(["yes", "no"], n1),
    }
    cur = {
        "x_cont": rng.normal(0.3, 1, n2),
        "x_bin": (rng.random(n2) < 0.6).astype(float),
        "x_four": rng.integers(0, 4, n2).astype(float),
        "x_const": np.full(n2, 7.0),
        "x_ties": rng.integers(1, 10, n2).astype(float),
        "c_cat": rng.choice(["a", "b", "c", "d"], n2),   # d unseen, e vanished
        "c_bin": rng.choice(["yes", "no"], n2, p=[0.3, 0.7]),
    }
    ref["x_cont"][[3, 17]] = np.nan          # missing values dropped
    cur["x_cont"][5] = np.inf                # inf treated as missing
    write_csv("small-ref.csv", ref)
    write_csv("small-cur.csv", cur)
    cases.append(("small", "small-ref.csv", "small-cur.csv", None, None, []))
    for m in ["psi", "kl_div", "jensenshannon", "hellinger", "ed", "anderson", "ks", "wasserstein"]:
        cases.append(("small-" + m, "small-ref.csv", "small-cur.csv", m, None, []))
    cases.append(("small-thr", "small-ref.csv", "small-cur.csv", None, 0.2, []))
    cases.append(("small-cat", "small-ref.csv", "small-cur.csv", "chisquare", None, ["x_ties"]))

    # 2. equal sizes: exact KS through the n1 == n2 formula
    n = 400
    write_csv("equal-ref.csv", {"a": rng.normal(0, 1, n), "b": rng.exponential(1, n)})
    write_csv("equal-cur.csv", {"a": rng.normal(0.15, 1, n), "b": rng.exponential(1.2, n)})
    cases.append(("equal", "equal-ref.csv", "equal-cur.csv", None, None, []))

    # 3. large reference (n_ref > 1000): wasserstein, JS per value, JS categorical;
    #    n_ref == 1000 boundary via missing values in the reference
    n1, n2 = 1005, 1100
    bnd = rng.normal(0, 1, n1)
    bnd[:5] = np.nan                          # n_ref = 1000: small -> ks
    bnd2 = rng.normal(0, 1, n1)
    bnd2[:4] = np.nan                         # n_ref = 1001: large -> wasserstein
    ref = {
        "n_ref_1000": bnd,
        "n_ref_1001": bnd2,
        "x_five": rng.integers(0, 5, n1).astype(float),   # 5 values: JS
        "x_six": rng.integers(0, 6, n1).astype(float),    # 6 values: wasserstein
        "x_wide": rng.uniform(-5, 5, n1),
        "c_many": rng.choice(list("abcdefg"), n1),
        "x_constref": np.full(n1, 1.5),
    }
    cur = {
        "n_ref_1000": rng.normal(0.2, 1, n2),
        "n_ref_1001": rng.normal(0.2, 1, n2),
        "x_five": rng.integers(0, 5, n2).astype(float),
        "x_six": rng.integers(0, 6, n2).astype(float),
        "x_wide": rng.uniform(-4, 7, n2),
        "c_many": rng.choice(list("abcdefgh"), n2, p=[.1, .1, .1, .1, .1, .1, .2, .2]),
        "x_constref": rng.normal(1.5, 0.1, n2),
    }
    write_csv("large-ref.csv", ref)
    write_csv("large-cur.csv", cur)
    cases.append(("large", "large-ref.csv", "large-cur.csv", None, None, []))
    for m in ["psi", "kl_div", "jensenshannon", "hellinger", "ed", "anderson", "ks"]:
        cases.append(("large-" + m, "large-ref.csv", "large-cur.csv", m, None, []))

    # 4. asymptotic KS (max(n1, n2) > 10000) and heavy ties
    n1, n2 = 12000, 10500
    write_csv("asymp-ref.csv", {"a": rng.normal(0, 1, n1), "t": rng.integers(0, 40, n1).astype(float),
                                "s": rng.normal(0, 1, n1)})
    write_csv("asymp-cur.csv", {"a": rng.normal(0.05, 1, n2), "t": rng.integers(0, 41, n2).astype(float),
                                "s": rng.normal(0, 1, n2)})
    cases.append(("asymp", "asymp-ref.csv", "asymp-cur.csv", None, None, []))
    for m in ["ks", "psi", "jensenshannon", "kl_div", "hellinger", "ed", "anderson"]:
        cases.append(("asymp-" + m, "asymp-ref.csv", "asymp-cur.csv", m, None, []))

    with open(os.path.join(HERE, "expected.txt"), "w") as f:
        f.write("# expected.txt - drift results computed by make-fixtures.py with scipy %s, numpy %s, pandas %s\n"
                % (__import__("scipy").__version__, np.__version__, pd.__version__))
        f.write("# case NAME REF CUR METHOD|- THRESHOLD|- CATEGORICAL,..|-\n")
        f.write("# col NAME TYPE METHOD STATISTIC P_VALUE SCORE THRESHOLD DRIFT N_VALUES\n")
        f.write("# skip NAME TYPE METHOD   (Evidently/scipy raise: not computable)\n")
        for name, rf, cf, method, thr, cats in cases:
            r, c = read(rf), read(cf)
            f.write("case %s %s %s %s %s %s\n" % (name, rf, cf, method or "-",
                                                 "-" if thr is None else repr(thr),
                                                 ",".join(cats) or "-"))
            for col in r.columns:
                ftype = "numerical" if (pd.api.types.is_numeric_dtype(r[col]) and
                                        pd.api.types.is_numeric_dtype(c[col]) and col not in cats) \
                    else "categorical"
                res = column_drift(r[col], c[col], ftype, method, thr)
                if res.get("skip"):
                    f.write("skip %s %s %s\n" % (col, ftype, res["method"]))
                    continue
                f.write("col %s %s %s %s %s %s %s %d %d\n" % (
                    col, ftype, res["method"], repr(res["statistic"]), repr(res["p_value"]),
                    repr(res["score"]), repr(res["threshold"]), res["drift"], res["n_values"]))

    # KS p-values straight from scipy: exact (n1 == n2, n1 != n2) and asymptotic
    with open(os.path.join(HERE, "ks-expected.txt"), "w") as f:
        f.write("# ks-expected.txt - scipy %s values, from make-fixtures.py\n" % __import__("scipy").__version__)
        f.write("# ks2 N1 N2 D P        (ks_2samp method='auto' p-value for statistic D)\n")
        f.write("# kstwo N X SF         (scipy.stats.kstwo.sf)\n")
        f.write("# chi2 X DOF SF        (scipy.stats.chi2.sf)\n")
        f.write("# ndtr X CDF           (scipy.stats.norm.cdf)\n")
        pairs = [(5, 5), (10, 7), (30, 30), (100, 80), (250, 300), (1000, 999), (3000, 3000),
                 (10000, 9000), (20000, 15000), (50, 20000), (100, 30000), (200, 40000),
                 (100000, 90000), (400000, 1000000)]
        for a, b in pairs:
            for shift in (0.0, 0.05, 0.2, 0.6):
                x = rng.normal(0, 1, a)
                y = rng.normal(shift, 1, b)
                res = stats.ks_2samp(x, y)
                f.write("ks2 %d %d %r %r\n" % (a, b, res.statistic, res.pvalue))
        for N in [3, 10, 50, 140, 141, 500, 5000, 100000, 100001, 500000]:
            for x in [0.01, 0.03, 0.05, 0.08, 0.1, 0.2, 0.3, 0.45, 0.6, 0.9, 0.99]:
                f.write("kstwo %d %r %r\n" % (N, x, kstwo.sf(x, N)))
        for dof in [1, 2, 3, 7, 30, 200]:
            for x in [0.001, 0.5, 1.0, 3.0, 10.0, 50.0, 300.0, 1000.0]:
                f.write("chi2 %r %d %r\n" % (x, dof, stats.chi2.sf(x, dof)))
        for x in [-40, -8.5, -3, -0.5, 0, 0.3, 0.7, 2, 6, 9]:
            f.write("ndtr %r %r\n" % (float(x), stats.norm.cdf(x)))


if __name__ == "__main__":
    sys.exit(main())
