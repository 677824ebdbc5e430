#!/usr/bin/python3
"""live.py - one progress line of plumb demo from plumb's own JSON: traffic, accuracy, drift share, alerts.

  live.py STATUS.json ALERTS.json
STATUS.json is `plumb monitor status --json`, ALERTS.json `plumb alerts
--json` (either may be empty or missing: the field then shows "-").
Prints e.g. "38 req/s  accuracy 0.81  drift share 0.25  ChurnInputDrift
firing".  Every figure comes from the store, as the user would read it.
"""
import json
import sys


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def num(v, fmt):
    return fmt % v if isinstance(v, (int, float)) else "-"


def main():
    st = load(sys.argv[1]) or {}
    al = load(sys.argv[2]) or []
    t = {}
    for x in st.get("targets") or []:
        if x.get("target") == "churn-api":
            t = x
    lat = t.get("latency_s") or {}
    p95 = lat.get("p95") if isinstance(lat, dict) else None
    parts = ["%s req/s" % num(t.get("request_rate"), "%.0f"),
             "p95 %s ms" % num(p95 * 1000 if isinstance(p95, (int, float))
                               else None, "%.1f"),
             "accuracy %s" % num(t.get("accuracy"), "%.2f"),
             "drift share %s" % num(t.get("drift_share"), "%.2f")]
    active = ["%s %s" % (a.get("alertname"), a.get("state"))
              for a in al if isinstance(a, dict)
              and not str(a.get("alertname", "")).startswith("Plumb")]
    parts.append("alerts: " + (", ".join(active) if active else "none"))
    print("  ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
