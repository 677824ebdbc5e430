# tests/server/mlflowtest.py - what the MLflow client replays (mlflow-client.py, mlflow-registry.py) share: a request as MLflow 2.12's RestStore sends it, and the "ok TEXT" / "FAIL TEXT" lines the shell tests count.
# stdlib only: the mlflow package is not needed.
import json
import urllib.error
import urllib.parse
import urllib.request

ROOT = ""    # the server, as the shell test passes it (no trailing /)
BASE = ""    # ROOT + "/api/2.0/mlflow/"
TOKEN = None  # sent as Authorization: Bearer TOKEN when set


def init(url, token=None):
    """Points call() at the server of url, with token (None: no header)."""
    global ROOT, BASE, TOKEN
    ROOT = url.rstrip("/")
    BASE = ROOT + "/api/2.0/mlflow/"
    TOKEN = token


def call(method, path, body=None, query=None, raw=None, ctype="application/json"):
    """One request as the client makes it; returns (status, parsed JSON or text).
    body is sent as JSON, raw as the bytes given; ctype None sends no Content-Type."""
    url = BASE + path
    if query:
        url += "?" + urllib.parse.urlencode(query, doseq=True)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("User-Agent", "mlflow-python-client/2.12.2")
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None and ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def check(cond, text, detail=""):
    print(("ok " if cond else "FAIL ") + text + ("" if cond else ": " + str(detail)[:600]))


def expect(resp, status, text, code=None):
    """A reply with this status (and MLflow error_code); an error is never a 5xx."""
    st, js = resp
    good = st == status and (code is None or (isinstance(js, dict) and js.get("error_code") == code))
    check(good, text, "status %s body %s" % (st, js))
    if status >= 400:
        check(st < 500, text + ": never a 5xx for bad input", st)
    return js if isinstance(js, dict) else {}


def kv(lst):
    return {d["key"]: d["value"] for d in lst or []}
