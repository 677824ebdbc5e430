#!/usr/bin/python3
# make-streams.py - generates the concept-drift test streams and the detector results expected on them.
#
# Run with /usr/bin/python3 from this directory.  Writes stream-*.csv (one
# column "x") and detect-expected.txt.  River is not installed here, so the
# detectors below are a plain Python transcription of River's newest update
# rules (../../../../shared/reference/drift-spec.md §5); River's own docstring
# and regression vectors pin them down (ANCHORS below are River's published
# outputs, not computed here, and the test checks both).
import math
import os
import random

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


class ADWIN:
    def __init__(self, delta=0.002, clock=32, max_buckets=5, min_window_length=5, grace_period=10):
        self.delta, self.clock, self.mb = delta, clock, max_buckets
        self.mwl, self.grace = min_window_length, grace_period
        self.drift = False
        self.reset()

    def reset(self):
        self.total = 0.0
        self.var = 0.0
        self.width = 0.0
        self.tick = 0
        self.rows = [[]]

    def insert(self, x):
        self.rows[0].append((x, 0.0))
        self.width += 1
        inc = 0.0
        if self.width > 1:
            inc = (self.width - 1) * (x - self.total / (self.width - 1)) ** 2 / self.width
        self.var += inc
        self.total += x
        idx = 0
        while idx < len(self.rows) and len(self.rows[idx]) == self.mb + 1:
            n1 = 2 ** idx
            (t0, v0), (t1, v1) = self.rows[idx][0], self.rows[idx][1]
            merged = (t0 + t1, v0 + v1 + n1 * 0.5 * (t0 / n1 - t1 / n1) ** 2)
            if idx + 1 == len(self.rows):
                self.rows.append([])
            self.rows[idx + 1].append(merged)
            del self.rows[idx][:2]
            if len(self.rows[idx + 1]) <= self.mb:
                break
            idx += 1

    def cut(self, n0, n1, dm):
        dp = math.log(2 * math.log(self.width) / self.delta)
        m = 1 / (n0 - self.mwl + 1) + 1 / (n1 - self.mwl + 1)
        eps = math.sqrt(2 * m * (self.var / self.width) * dp) + 2 / 3 * dp * m
        return abs(dm) > eps

    def delete_oldest(self):
        L = len(self.rows) - 1
        n = 2 ** L
        u, v = self.rows[L][0]
        self.width -= n
        self.total -= u
        muw = self.total / self.width
        self.var -= v + n * self.width * (u / n - muw) ** 2 / (n + self.width)
        del self.rows[L][0]
        if not self.rows[L]:
            self.rows.pop()

    def detect(self):
        self.tick += 1
        if self.tick % self.clock != 0 or self.width <= self.grace:
            return False
        change = False
        reduce = True
        while reduce:
            reduce = False
            n0, n1, u0, u1 = 0.0, self.width, 0.0, self.total
            done = False
            for idx in range(len(self.rows) - 1, -1, -1):
                for k, (t, v) in enumerate(self.rows[idx]):
                    n0 += 2 ** idx
                    n1 -= 2 ** idx
                    u0 += t
                    u1 -= t
                    if idx == 0 and k == len(self.rows[0]) - 1:
                        done = True
                        break
                    dm = u0 / n0 - u1 / n1
                    if n0 >= self.mwl and n1 >= self.mwl and self.cut(n0, n1, dm):
                        reduce = change = True
                        if self.width > 0:
                            self.delete_oldest()
                        done = True
                        break
                if done:
                    break
        return change

    def update(self, x):
        if self.drift:
            self.reset()
        self.insert(x)
        self.drift = self.detect()
        return self.drift, False


class DDM:
    def __init__(self, warm_start=30, warning_threshold=2.0, drift_threshold=3.0):
        self.ws, self.wt, self.dt = warm_start, warning_threshold, drift_threshold
        self.drift = False
        self.reset()

    def reset(self):
        self.n = 0
        self.mean = 0.0
        self.p_min = self.s_min = self.ps_min = float("inf")
        self.warning = False

    def update(self, x):
        if self.drift:
            self.reset()
        self.drift = False
        self.n += 1
        self.mean += (1 / self.n) * (x - self.mean)
        p = self.mean
        s = math.sqrt(p * (1 - p) / self.n)
        if self.n > self.ws:
            if p + s <= self.ps_min:
                self.p_min, self.s_min, self.ps_min = p, s, p + s
            self.warning = p + s > self.p_min + self.wt * self.s_min
            if p + s > self.p_min + self.dt * self.s_min:
                self.drift = True
                self.warning = False
        return self.drift, self.warning


class EDDM:
    def __init__(self, warm_start=30, alpha=0.95, beta=0.9):
        self.ws, self.alpha, self.beta = warm_start, alpha, beta
        self.drift = False
        self.reset()

    def reset(self):
        self.n = 0
        self.last_error = 0
        self.n_errors = 0
        self.p2s_max = -1
        self.dn = 0
        self.dmean = 0.0
        self.dS = 0.0
        self.warning = False

    def update(self, x):
        if self.drift:
            self.reset()
        self.drift = False
        self.n += 1
        if x == 1:
            self.n_errors += 1
            v = self.n - self.last_error
            old = self.dmean
            self.dn += 1
            self.dmean += (v - self.dmean) / self.dn
            self.dS += (v - old) * (v - self.dmean)
            if self.n > self.ws:
                var = self.dS / (self.dn - 1) if self.dn > 1 else 0.0
                p2s = self.dmean + 2 * var ** 0.5
                if p2s > self.p2s_max:
                    self.p2s_max = p2s
                elif self.n_errors > self.ws:
                    level = p2s / self.p2s_max
                    if level < self.beta:
                        self.drift = True
                    elif level < self.alpha:
                        self.warning = True
                    else:
                        self.warning = False
            self.last_error = self.n
        return self.drift, self.warning


class PageHinkley:
    def __init__(self, min_instances=30, delta=0.005, threshold=50.0, alpha=1 - 0.0001):
        self.mi, self.delta, self.thr, self.alpha = min_instances, delta, threshold, alpha
        self.drift = False
        self.reset()

    def reset(self):
        self.n = 0
        self.mean = 0.0
        self.s_inc = self.s_dec = 0.0
        self.min_inc = float("inf")
        self.max_dec = -1.0

    def update(self, x):
        if self.drift:
            self.reset()
        self.n += 1
        self.mean += (x - self.mean) / self.n
        dev = x - self.mean
        self.s_inc = self.alpha * self.s_inc + dev - self.delta
        self.min_inc = min(self.min_inc, self.s_inc)
        self.s_dec = self.alpha * self.s_dec + dev + self.delta
        self.max_dec = max(self.max_dec, self.s_dec)
        self.drift = False
        if self.n >= self.mi:
            self.drift = (self.s_inc - self.min_inc > self.thr) or (self.max_dec - self.s_dec > self.thr)
        return self.drift, False


DETECTORS = {"adwin": ADWIN, "ddm": DDM, "eddm": EDDM, "page_hinkley": PageHinkley}


def run(det, data):
    """Drift rows, and warning onsets: rows flagged while the row before
    was not (plumb detect reports onsets, not every row of a warning zone)."""
    drifts, warnings, prev = [], [], False
    for i, x in enumerate(data):
        d, w = det.update(x)
        if d:
            drifts.append(i)
        if w and not prev:
            warnings.append(i)
        prev = w
    return drifts, warnings


def first_warnings(warnings, drifts):
    """River docstrings print a warning once, then again only after a drift."""
    # a warning is looked at before the drift of the same row, as in the docstring loop
    out, armed, events = [], True, sorted([(i, 0, "w") for i in warnings] + [(i, 1, "d") for i in drifts])
    for i, _, kind in events:
        if kind == "w" and armed:
            out.append(i)
            armed = False
        elif kind == "d":
            armed = True
    return out


def write_stream(name, data):
    with open(os.path.join(HERE, name), "w") as f:
        f.write("x\n")
        for v in data:
            f.write("%s\n" % repr(float(v)) if isinstance(v, float) else "%d\n" % v)


def main():
    streams = {}
    rng = random.Random(12345)
    streams["stream-doc12345.csv"] = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    np.random.seed(12345)
    streams["stream-np12345.csv"] = [int(v) for v in np.concatenate(
        (np.random.randint(2, size=1000), np.random.randint(8, size=1000)))]
    rng = random.Random(42)
    streams["stream-multi42.csv"] = (rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
                                     + rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000))
    rng = random.Random(42)
    streams["stream-bin42.csv"] = rng.choices([0, 1], k=1000) + rng.choices([0, 1], k=1000, weights=[0.3, 0.7])
    # abrupt, gradual and stationary streams, real-valued and binary
    g = np.random.default_rng(7)
    streams["stream-abrupt.csv"] = [float(v) for v in np.concatenate((g.normal(0, 1, 2000), g.normal(1.5, 1, 2000)))]
    mix = np.linspace(0, 1, 2000)
    grad = np.where(g.random(2000) < mix, g.normal(2, 1, 2000), g.normal(0, 1, 2000))
    streams["stream-gradual.csv"] = [float(v) for v in np.concatenate((g.normal(0, 1, 1500), grad, g.normal(2, 1, 1500)))]
    streams["stream-stationary.csv"] = [float(v) for v in g.normal(0, 1, 5000)]
    streams["stream-abrupt-bin.csv"] = [int(v) for v in np.concatenate((g.random(2000) < 0.1, g.random(2000) < 0.4))]
    p = np.concatenate((np.full(1500, 0.1), np.linspace(0.1, 0.4, 2000), np.full(1500, 0.4)))
    streams["stream-gradual-bin.csv"] = [int(v) for v in (g.random(5000) < p)]
    streams["stream-stationary-bin.csv"] = [int(v) for v in (g.random(5000) < 0.2)]

    for name, data in streams.items():
        write_stream(name, data)

    with open(os.path.join(HERE, "detect-expected.txt"), "w") as f:
        f.write("# detect-expected.txt - detector results from make-streams.py (River's update rules)\n")
        f.write("# STREAM DETECTOR PARAMS drifts=I,I,.. warnings=I,I,..   (warning onsets; - = none; params: - or k=v,..)\n")
        f.write("# anchor STREAM DETECTOR PARAMS drifts=.. first_warnings=..   (River's published outputs)\n")
        cases = []
        for s in ["stream-abrupt.csv", "stream-gradual.csv", "stream-stationary.csv"]:
            for d in ["adwin", "page_hinkley"]:
                cases.append((s, d, {}))
        for s in ["stream-abrupt-bin.csv", "stream-gradual-bin.csv", "stream-stationary-bin.csv"]:
            for d in ["adwin", "ddm", "eddm", "page_hinkley"]:
                cases.append((s, d, {}))
        cases.append(("stream-bin42.csv", "eddm", {"alpha": 0.8, "beta": 0.75}))
        for s, d, params in cases:
            data = streams[s]
            drifts, warnings = run(DETECTORS[d](**params), data)
            ps = ",".join("%s=%r" % kv for kv in params.items()) or "-"
            f.write("%s %s %s drifts=%s warnings=%s\n" % (s, d, ps, ",".join(map(str, drifts)) or "-",
                                                         ",".join(map(str, warnings)) or "-"))
        # River's own published vectors (docstrings, test_adwin_regression.py)
        anchors = [
            ("stream-doc12345.csv", "adwin", {}, [1023], None),
            ("stream-np12345.csv", "adwin", {}, [1023], None),
            ("stream-multi42.csv", "adwin", {}, [1023, 2015, 3007], None),
            ("stream-bin42.csv", "ddm", {}, [1334], [1084, 1492]),
            ("stream-bin42.csv", "eddm", {"alpha": 0.8, "beta": 0.75}, [1278], [1059]),
            ("stream-doc12345.csv", "page_hinkley", {}, [1006], None),
        ]
        for s, d, params, want_d, want_w in anchors:
            drifts, warnings = run(DETECTORS[d](**params), streams[s])
            got_w = first_warnings(warnings, drifts)
            ok = drifts == want_d and (want_w is None or got_w == want_w)
            print("%-22s %-13s drifts %s first warnings %s %s" % (s, d, drifts, got_w, "OK" if ok else "MISMATCH"))
            ps = ",".join("%s=%r" % kv for kv in params.items()) or "-"
            f.write("anchor %s %s %s drifts=%s first_warnings=%s\n" % (
                s, d, ps, ",".join(map(str, want_d)), ",".join(map(str, want_w)) if want_w else "-"))


if __name__ == "__main__":
    main()
