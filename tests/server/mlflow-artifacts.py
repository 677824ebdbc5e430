#!/usr/bin/python3
# tests/server/mlflow-artifacts.py - replays MLflow 2.12's artifact requests (http_artifact_repo: log_artifact PUTs, list, download) against plumb serve's mlflow-artifacts proxy, and paths that try to leave the root; prints "ok TEXT" / "FAIL TEXT" and "run ID" for the shell test.
# Usage: mlflow-artifacts.py URL   (stdlib only)
import http.client
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

ROOT = sys.argv[1].rstrip("/")
TOKEN = os.environ.get("MLFLOW_TRACKING_TOKEN")


def request(method, url, data=None, ctype=None):
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("User-Agent", "mlflow-python-client/2.12.2")
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def raw(method, path):
    """A request line sent as is (urllib would normalise it)."""
    u = urllib.parse.urlsplit(ROOT)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.putrequest(method, path, skip_accept_encoding=True)
    if TOKEN:
        c.putheader("Authorization", "Bearer " + TOKEN)
    c.putheader("Content-Length", "1")
    c.endheaders()
    c.send(b"x")
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def api(method, path, body):
    st, b = request(method, ROOT + "/api/2.0/mlflow/" + path, json.dumps(body).encode(), "application/json")
    return st, json.loads(b.decode() or "{}")


def check(cond, text, detail=""):
    print(("ok " if cond else "FAIL ") + text + ("" if cond else ": " + str(detail)[:600]))


def err(resp, status, text, code="INVALID_PARAMETER_VALUE"):
    st, b = resp
    try:
        js = json.loads(b.decode())
    except ValueError:
        js = {}
    check(st == status and js.get("error_code") == code, text, "status %s body %r" % (st, b[:300]))


ART = ROOT + "/api/2.0/mlflow-artifacts/artifacts"

st, js = api("POST", "experiments/create", {"name": "arts"})
exp = js["experiment_id"]
st, js = api("POST", "runs/create", {"experiment_id": exp, "start_time": 1767225600000})
info = js["run"]["info"]
run = info["run_id"]
print("run %s" % run)
check(info["artifact_uri"] == "mlflow-artifacts:/%s/%s/artifacts" % (exp, run), "runs/create: artifact_uri", info)
st, js = request("GET", ROOT + "/api/2.0/mlflow/runs/get?run_id=" + run)
check(json.loads(js)["run"]["info"]["artifact_uri"] == info["artifact_uri"], "runs/get: the same artifact_uri")

# mlflow-artifacts:/P -> .../mlflow-artifacts/artifacts/P; one PUT a file, segments URL-encoded
base = "%s/%s/artifacts" % (exp, run)
files = {
    "model/MLmodel": b"flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n",
    "model/model.pkl": bytes(range(256)) * 300 + b"\x00\xff\x00",
    "notes with space.txt": "r\u00e9sum\u00e9 \u2713\n".encode(),
    "plots/a/b/roc.png": b"\x89PNG\r\n\x1a\n" + os.urandom(4096),
}
for rel, data in files.items():
    quoted = "/".join(urllib.parse.quote(s) for s in rel.split("/"))
    st, b = request("PUT", "%s/%s/%s" % (ART, base, quoted), data, "application/octet-stream")
    check(st == 200 and json.loads(b.decode()) == {}, "PUT %s" % rel, (st, b))


def listing(path):
    st, b = request("GET", ART + "?" + urllib.parse.urlencode({"path": path}))
    check(st == 200, "list %s" % path, (st, b))
    return json.loads(b.decode()).get("files", [])


top = listing(base)
check(sorted((f["path"], f["is_dir"]) for f in top) ==
      [("model", True), ("notes with space.txt", False), ("plots", True)], "list the run's root", top)
check(all("file_size" not in f for f in top if f["is_dir"]), "directories have no file_size", top)
sub = listing(base + "/model")
check(sorted((f["path"], f.get("file_size")) for f in sub) ==
      [("MLmodel", len(files["model/MLmodel"])), ("model.pkl", len(files["model/model.pkl"]))],
      "list model/: bare names and sizes", sub)
check([f["path"] for f in listing(base + "/plots")] == ["a"], "list plots/: one directory")
check(listing(base + "/model/MLmodel") == [], "a file lists empty (the client then downloads it)")
check(listing(base + "/nothing") == [], "an absent path lists empty")

for rel, data in files.items():
    quoted = "/".join(urllib.parse.quote(s) for s in rel.split("/"))
    st, b = request("GET", "%s/%s/%s" % (ART, base, quoted))
    check(st == 200 and b == data, "download %s: identical bytes" % rel, (st, len(b), len(data)))

# A retried PUT changes nothing; a new upload of the name replaces it.
st, b = request("PUT", "%s/%s/model/MLmodel" % (ART, base), files["model/MLmodel"])
check(st == 200 and len(listing(base + "/model")) == 2, "a replayed PUT: still two files", (st, b))
st, b = request("PUT", "%s/%s/model/MLmodel" % (ART, base), b"v2\n")
st, b = request("GET", "%s/%s/model/MLmodel" % (ART, base))
check(b == b"v2\n", "a new PUT of a name replaces it", b)
st, b = request("PUT", "%s/%s/empty.txt" % (ART, base), b"")
st, b = request("GET", "%s/%s/empty.txt" % (ART, base))
check(st == 200 and b == b"", "an empty file", (st, b))

err(request("GET", "%s/%s/model/absent" % (ART, base)), 404, "download of an absent file: 404",
    "RESOURCE_DOES_NOT_EXIST")
err(request("GET", "%s/%s/%s/artifacts/x" % (ART, exp, "0" * 32)), 404, "an unknown run: 404",
    "RESOURCE_DOES_NOT_EXIST")
err(request("GET", "%s/%s/%s/artifacts/model/MLmodel" % (ART, "0", run)), 404,
    "the run under another experiment: 404", "RESOURCE_DOES_NOT_EXIST")
err(request("PUT", "%s/%s/%s/model/x" % (ART, exp, run), b"x"), 400, "a path that is not EXP/RUN/artifacts/...")
err(request("PUT", "%s/%s" % (ART, base), b"x"), 400, "an upload without a file name")
st, b = request("POST", "%s/%s/x" % (ART, base), b"x")
check(st == 405, "POST is not an artifact method", st)

# Paths that try to leave the root: 400 INVALID_PARAMETER_VALUE, as raw request lines.
for method in ("PUT", "GET"):
    for bad in ("/../../../../etc/passwd", "/..%2F..%2F..%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/x",
                "/a/../../x", "/%2Fetc%2Fpasswd", "//etc/passwd", "/./x", "/a%5C..%5Cx", "/a%00b",
                "/a%0Ab"):
        err(raw(method, "/api/2.0/mlflow-artifacts/artifacts/" + base + bad), 400,
            "%s %s refused" % (method, bad))
err(raw("GET", "/api/2.0/mlflow-artifacts/artifacts/%2E%2E%2F" + base + "/x"), 400, "%2E%2E%2F before the root")
for bad in ("../" + base, base + "/../../x", "/" + base, base + "/a/./b", base + "//a", base + "\\..\\x"):
    err(request("GET", ART + "?" + urllib.parse.urlencode({"path": bad})), 400, "list %r refused" % bad)
names = sorted(f["path"] for f in listing(base))
check(names == ["empty.txt", "model", "notes with space.txt", "plots"], "nothing else was written", names)

# A deleted run takes no uploads.
api("POST", "runs/delete", {"run_id": run})
err(request("PUT", "%s/%s/late.txt" % (ART, base), b"x"), 400, "upload to a deleted run")
api("POST", "runs/restore", {"run_id": run})
