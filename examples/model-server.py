#!/usr/bin/python3
"""model-server.py - a small, deterministic model server for plumb's monitoring examples, tests and demo.

Endpoints (HTTP/1.1 on 127.0.0.1 by default):
  POST /predict   body {"id": "r1" (optional), "features": {"f0": 0.3, ...}}
                  -> 200 {"id", "prediction", "score"}; 400 on a bad body.
  GET  /health    -> 200 "ok" (503 while /admin set "healthy": false)
  GET  /metrics   -> Prometheus text exposition: request latency histogram,
                  request and error counters, process metrics.
  POST /admin     body {"delay_ms": N, "error_rate": x, "healthy": bool}:
                  degrade the service (latency knob, injected 500s).

Every /predict request (answered or failed) appends one JSON line to the
prediction log (--log):
  {"id":..., "ts": <Unix seconds, float>, "features": {...},
   "prediction": 0|1, "score": p, "latency": seconds, "status": "ok"|"error"}
The log is reopened on SIGHUP (logrotate's rename-and-create); it is opened
in append mode, so copytruncate works too.

The model is a fixed logistic formula over the features (weights below):
score = sigmoid(b + sum w_i * f_i) with w_i = (+1, -1, +0.5, -0.5, ...),
prediction = score >= 0.5.  Features absent from a request count as 0;
a non-numeric feature value is a 400 "error" line.

Ground truth for the same formula comes later from label-writer.py.

--model FILE serves a trained model instead: a JSON model file (never a
pickle: loading one cannot run code) of the format
"plumb-demo-logistic/1" that plumb's demo exports from scikit-learn:
  {"format": "plumb-demo-logistic/1", "intercept": b, "threshold": 0.5,
   "terms": [{"feature": F, "kind": "num", "coef": w, "center": c},
             {"feature": F, "kind": "hinge", "at": a, "coef": w},
             {"feature": F, "kind": "onehot", "value": k, "coef": w}, ...]}
score = sigmoid(b + sum of the terms): num is w*(x-c), hinge w*max(0, x-a),
onehot w when x == k.  A file that does not load stops the server before
it listens (exit 2).  --model-name/--model-version are shown by /health
and exported as the gauge model_info{name, version}.

Usage: model-server.py [--port N (0: a free port)] [--port-file F]
                       [--pidfile F] [--log F] [--host 127.0.0.1]
                       [--model FILE [--model-name N] [--model-version V]]
"""
import argparse
import json
import math
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, Counter,
                               Gauge, Histogram, generate_latest)

BIAS = -0.1

LATENCY = Histogram("predict_latency_seconds",
                    "Time to answer a /predict request",
                    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                             0.05, 0.1, 0.25, 0.5, 1.0, 2.5))
REQUESTS = Counter("predict_requests", "Prediction requests by outcome",
                   ["status"])
ERRORS = Counter("predict_errors", "Prediction requests that failed")


def weight(i):
    """Weight of feature i: +1, -1, +0.5, -0.5, +0.25, ... (pairs halve)."""
    return (1.0 if i % 2 == 0 else -1.0) / (2 ** (i // 2))


def feature_index(name):
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else 0


def margin(features):
    return BIAS + sum(weight(feature_index(k)) * float(v)
                      for k, v in features.items())


def sigmoid(z):
    if z < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def score_of(features):
    return sigmoid(margin(features))


MODEL_FORMAT = "plumb-demo-logistic/1"


def load_model(path):
    """Reads and validates a model file; raises ValueError saying why."""
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    if not isinstance(m, dict) or m.get("format") != MODEL_FORMAT:
        raise ValueError("%s: not a %s model file" % (path, MODEL_FORMAT))
    terms = m.get("terms")
    if not isinstance(terms, list) or not terms:
        raise ValueError("%s: no terms" % path)
    nums = [m.get("intercept"), m.get("threshold", 0.5)]
    for t in terms:
        if not isinstance(t, dict) or not isinstance(t.get("feature"), str) \
                or t.get("kind") not in ("num", "hinge", "onehot"):
            raise ValueError("%s: bad term %r" % (path, t))
        nums += [t.get("coef"), t.get("center", 0.0), t.get("at", 0.0),
                 t.get("value", 0)]
    for v in nums:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or \
                not math.isfinite(v):
            raise ValueError("%s: a coefficient is not a finite number"
                             % path)
    return m


def model_margin(m, features):
    """The log-odds of a model file (load_model) for one request."""
    z = m["intercept"]
    for t in m["terms"]:
        x = float(features.get(t["feature"], 0.0))
        if t["kind"] == "num":
            z += t["coef"] * (x - t.get("center", 0.0))
        elif t["kind"] == "hinge":
            z += t["coef"] * max(0.0, x - t["at"])
        elif int(x) == t["value"]:
            z += t["coef"]
    return z


class State:
    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.log_path = log_path
        self.log = None
        self.delay_ms = 0.0
        self.error_rate = 0.0
        self.healthy = True
        self.nreq = 0
        self.model = None       # a model file (load_model), or the formula
        self.model_desc = ""
        self.reopen()

    def reopen(self):
        with self.lock:
            if self.log:
                self.log.close()
            self.log = None
            if self.log_path:
                d = os.path.dirname(self.log_path)
                if d:
                    os.makedirs(d, exist_ok=True)
                # Line-buffered append: one write(2) per line, so a
                # reader never sees half a line unless it races the write.
                self.log = open(self.log_path, "a", buffering=1,
                                encoding="utf-8")

    def write(self, rec):
        line = json.dumps(rec, separators=(",", ":")) + "\n"
        with self.lock:
            if self.log:
                self.log.write(line)

    def inject_error(self):
        """Deterministic error injection: every k-th request fails."""
        with self.lock:
            self.nreq += 1
            if self.error_rate <= 0:
                return False
            k = max(1, int(round(1.0 / self.error_rate)))
            return self.nreq % k == 0


STATE = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "plumb-example-model/1"
    # The header and the body go out in two writes on a kept-alive
    # connection: with Nagle on, the body could wait for the client's
    # delayed ACK of the header (40 ms on Linux).  Go's net/http (the
    # node exporter) sets TCP_NODELAY too.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def reply(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 1 << 20:
            raise ValueError("body too large")
        return json.loads(self.rfile.read(n) or b"{}")

    def do_GET(self):
        if self.path == "/health":
            if STATE.healthy:
                self.reply(200, "ok%s\n" % STATE.model_desc, "text/plain")
            else:
                self.reply(503, "unhealthy\n", "text/plain")
        elif self.path == "/metrics":
            self.reply(200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
        else:
            self.reply(404, '{"error":"not found"}')

    def do_POST(self):
        if self.path == "/predict":
            self.predict()
        elif self.path == "/admin":
            try:
                cfg = self.body()
                if "delay_ms" in cfg:
                    STATE.delay_ms = float(cfg["delay_ms"])
                if "error_rate" in cfg:
                    STATE.error_rate = float(cfg["error_rate"])
                if "healthy" in cfg:
                    STATE.healthy = bool(cfg["healthy"])
            except (ValueError, TypeError) as e:
                self.reply(400, json.dumps({"error": str(e)}))
                return
            self.reply(200, json.dumps({"delay_ms": STATE.delay_ms,
                                        "error_rate": STATE.error_rate,
                                        "healthy": STATE.healthy}))
        else:
            self.reply(404, '{"error":"not found"}')

    def predict(self):
        t0 = time.perf_counter()
        ts = time.time()
        rid, feats, code, out = None, {}, 200, None
        try:
            req = self.body()
            if not isinstance(req, dict):
                raise ValueError("body must be a JSON object")
            rid = str(req.get("id") or uuid.uuid4().hex)
            feats = req.get("features") or {}
            if not isinstance(feats, dict):
                raise ValueError("features must be an object")
            for k, v in feats.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ValueError("feature %s is not a number" % k)
            if STATE.delay_ms > 0:
                time.sleep(STATE.delay_ms / 1000.0)
            if STATE.inject_error():
                code = 500
                out = {"id": rid, "error": "injected failure"}
            else:
                if STATE.model is not None:
                    p = sigmoid(model_margin(STATE.model, feats))
                    cut = STATE.model.get("threshold", 0.5)
                else:
                    p, cut = score_of(feats), 0.5
                out = {"id": rid, "prediction": int(p >= cut),
                       "score": round(p, 6)}
        except (ValueError, TypeError) as e:
            code = 400
            out = {"id": rid, "error": str(e)}
        lat = time.perf_counter() - t0
        LATENCY.observe(lat)
        status = "ok" if code == 200 else "error"
        REQUESTS.labels(status).inc()
        if code != 200:
            ERRORS.inc()
        rec = {"id": rid or uuid.uuid4().hex, "ts": round(ts, 6),
               "features": feats if isinstance(feats, dict) else {},
               "prediction": out.get("prediction"),
               "score": out.get("score"), "latency": round(lat, 6),
               "status": status}
        STATE.write(rec)
        self.reply(code, json.dumps(out))


def main():
    global STATE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080,
                    help="TCP port; 0 picks a free one (printed on stdout)")
    ap.add_argument("--port-file", help="write the bound port here")
    ap.add_argument("--pidfile", help="write the process id here")
    ap.add_argument("--log", default="logs/predictions.jsonl",
                    help="prediction log (JSONL); '' disables it")
    ap.add_argument("--model", help="serve this model file (JSON)")
    ap.add_argument("--model-name", default="")
    ap.add_argument("--model-version", default="")
    a = ap.parse_args()

    model = None
    if a.model:
        try:
            model = load_model(a.model)
        except (OSError, ValueError) as e:
            print("model-server.py: %s" % e, file=sys.stderr)
            return 2
    STATE = State(a.log)
    STATE.model = model
    if model is not None:
        name = a.model_name or model.get("name") or "model"
        STATE.model_desc = " model %s%s" % (
            name, " v" + a.model_version if a.model_version else "")
        Gauge("model_info", "The model served (1)", ["name", "version"]) \
            .labels(name, a.model_version).set(1)
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, lambda s, f: STATE.reopen())
    if a.pidfile:
        with open(a.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(a.pidfile + ".tmp", a.pidfile)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.replace(a.port_file + ".tmp", a.port_file)
    print("listening on http://%s:%d" % (a.host, port), flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
        if a.pidfile:
            try:
                os.unlink(a.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
