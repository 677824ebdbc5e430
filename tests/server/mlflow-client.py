#!/usr/bin/python3
# tests/server/mlflow-client.py - replays MLflow 2.12's Python client requests (paths, bodies, as its RestStore sends them) against plumb serve; prints "ok TEXT" or "FAIL TEXT" per check.
# Usage: mlflow-client.py URL   (stdlib only: the mlflow package is not needed)
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import mlflowtest  # noqa: E402  (this script's folder is on sys.path)
from mlflowtest import call, check, expect, kv  # noqa: E402,F401

mlflowtest.init(sys.argv[1])
T0 = 1767225600000  # 2026-01-01T00:00:00Z, in ms as the client sends


# --- mlflow.set_experiment("demo"): get-by-name 404, create, get ---
js = expect(call("GET", "experiments/get-by-name", query={"experiment_name": "demo"}), 404,
            "set_experiment: get-by-name of a new name", "RESOURCE_DOES_NOT_EXIST")
js = expect(call("POST", "experiments/create", {"name": "demo", "tags": [{"key": "team", "value": "ml"}]}),
            200, "experiments/create")
exp = js.get("experiment_id")
check(isinstance(exp, str) and exp not in ("", "0"), "experiment_id is a string, not Default's", exp)
js = expect(call("GET", "experiments/get", query={"experiment_id": exp}), 200, "experiments/get")
e = js.get("experiment", {})
check(e.get("name") == "demo" and e.get("lifecycle_stage") == "active", "experiment fields", e)
check(kv(e.get("tags")).get("team") == "ml", "experiment tags", e)
check(e.get("artifact_location", "").startswith("mlflow-artifacts:/"), "artifact location scheme", e)
js = expect(call("GET", "experiments/get-by-name", query={"experiment_name": "demo"}), 200,
            "get-by-name after create")
check(js.get("experiment", {}).get("experiment_id") == exp, "get-by-name finds it", js)
# A retried create: RESOURCE_ALREADY_EXISTS, one experiment stays.
expect(call("POST", "experiments/create", {"name": "demo"}), 400, "replayed experiments/create",
       "RESOURCE_ALREADY_EXISTS")
js = expect(call("POST", "experiments/search", {"max_results": 1000, "filter": "name = 'demo'"}), 200,
            "experiments/search by name")
check(len(js.get("experiments", [])) == 1, "one experiment named demo", js)

# Experiment "0" named Default exists.
js = expect(call("GET", "experiments/get", query={"experiment_id": "0"}), 200, "experiment 0")
check(js.get("experiment", {}).get("name") == "Default", "experiment 0 is Default", js)
js = expect(call("GET", "experiments/get-by-name", query={"experiment_name": "Default"}), 200,
            "get-by-name Default")
check(js.get("experiment", {}).get("experiment_id") == "0", "Default's id is 0", js)

# --- mlflow.start_run(): runs/create as the fluent API sends it ---
tags = [{"key": "mlflow.user", "value": "alice"}, {"key": "mlflow.source.name", "value": "train.py"},
        {"key": "mlflow.source.type", "value": "LOCAL"}]
js = expect(call("POST", "runs/create", {"experiment_id": exp, "user_id": "alice", "start_time": T0,
                                          "tags": tags, "run_name": "first"}), 200, "runs/create")
run = js.get("run", {})
info = run.get("info", {})
rid = info.get("run_id", "")
check(len(rid) == 32 and info.get("run_uuid") == rid, "run ids", info)
check(info.get("status") == "RUNNING" and info.get("start_time") == T0, "status and start_time", info)
check(info.get("run_name") == "first" and info.get("user_id") == "alice", "run_name and user_id", info)
check(info.get("experiment_id") == exp and info.get("lifecycle_stage") == "active", "experiment, lifecycle", info)
check(info.get("artifact_uri", "").startswith("mlflow-artifacts:/%s/%s" % (exp, rid)), "artifact_uri", info)
check(kv(run.get("data", {}).get("tags")).get("mlflow.runName") == "first", "server writes mlflow.runName", run)
check(not info.get("end_time"), "no end_time while running", info)

# log_params / log_metrics / set_tags go through log-batch.
expect(call("POST", "runs/log-batch", {"run_id": rid, "metrics": [],
                                        "params": [{"key": "lr", "value": "0.01"}, {"key": "epochs", "value": "3"}],
                                        "tags": []}), 200, "log-batch of params")
for step, loss in enumerate([0.9, 0.5, 0.3]):
    expect(call("POST", "runs/log-metric", {"run_id": rid, "run_uuid": rid, "key": "loss", "value": loss,
                                             "timestamp": T0 + 1000 * step, "step": step}), 200,
           "log-metric step %d" % step)
expect(call("POST", "runs/log-batch", {"run_id": rid, "metrics": [
    {"key": "acc", "value": 0.5 + 0.1 * s, "timestamp": T0 + 1000 * s, "step": s} for s in range(3)],
    "params": [], "tags": [{"key": "stage", "value": "train"}]}), 200, "log-batch of metrics and a tag")
# A retried log-metric (answer lost): the point is stored once.
body = {"run_id": rid, "key": "loss", "value": 0.2, "timestamp": T0 + 3000, "step": 3}
expect(call("POST", "runs/log-metric", body), 200, "log-metric")
expect(call("POST", "runs/log-metric", body), 200, "the same log-metric retried")
# A param again: the same value is fine, another is 400.
expect(call("POST", "runs/log-parameter", {"run_id": rid, "key": "lr", "value": "0.01"}), 200,
       "log-parameter with the same value again")
expect(call("POST", "runs/log-parameter", {"run_id": rid, "key": "lr", "value": "0.02"}), 400,
       "log-parameter changing a value", "INVALID_PARAMETER_VALUE")
expect(call("POST", "runs/set-tag", {"run_id": rid, "key": "note", "value": "a"}), 200, "set-tag")
expect(call("POST", "runs/set-tag", {"run_id": rid, "key": "note", "value": "b"}), 200, "set-tag overwrites")
expect(call("POST", "runs/set-tag", {"run_id": rid, "key": "gone", "value": "x"}), 200, "set-tag to delete")
expect(call("POST", "runs/delete-tag", {"run_id": rid, "key": "gone"}), 200, "delete-tag")
expect(call("POST", "runs/delete-tag", {"run_id": rid, "key": "gone"}), 404, "delete-tag of an absent tag",
       "RESOURCE_DOES_NOT_EXIST")
# mlflow.log_input(dataset, context="training"): stored, shown by runs/get
# and runs/search, sent again (a retry, or the same dataset logged twice)
# it changes nothing; a dataset without its source is a 400.
iris = {"name": "iris", "digest": "2f3a9c1e", "source_type": "local",
        "source": "{\"uri\": \"/data/iris.csv\"}",
        "schema": "{\"mlflow_colspec\": [{\"type\": \"double\", \"name\": \"x\"}]}",
        "profile": "{\"num_rows\": 150}"}
body = {"run_id": rid, "datasets": [{"tags": [{"key": "mlflow.data.context", "value": "training"}],
                                     "dataset": iris}]}
expect(call("POST", "runs/log-inputs", body), 200, "log-inputs")
expect(call("POST", "runs/log-inputs", body), 200, "log-inputs retried")
expect(call("POST", "runs/log-inputs", {"run_id": rid, "datasets": [
    {"dataset": dict(iris, name="iris-test", digest="77aa")}]}), 200, "a second input, no tags")
expect(call("POST", "runs/log-inputs", {"run_id": rid, "datasets": [{"dataset": {"name": "d", "digest": "x"}}]}),
       400, "log-inputs without source_type and source", "INVALID_PARAMETER_VALUE")
expect(call("POST", "runs/log-inputs", {"run_id": rid, "datasets": [
    {"dataset": dict(iris, name="big", digest="y" * 37)}]}), 400, "a digest over 36 characters",
       "INVALID_PARAMETER_VALUE")
js = expect(call("GET", "runs/get", query={"run_id": rid}), 200, "runs/get with inputs")
di = js.get("run", {}).get("inputs", {}).get("dataset_inputs", [])
check([d["dataset"]["name"] for d in di] == ["iris", "iris-test"], "the run's inputs, once each, in order",
      di)
check(di and di[0]["dataset"] == iris, "the dataset as sent", di and di[0])
check(di and kv(di[0]["tags"]) == {"mlflow.data.context": "training"}, "the input's tags", di and di[0])
check(len(di) > 1 and di[1]["tags"] == [], "an input without tags has []", di)

# mlflow.end_run(): update FINISHED, twice (a retry) gives one result.
for attempt in ("", " retried"):
    js = expect(call("POST", "runs/update", {"run_id": rid, "run_uuid": rid, "status": "FINISHED",
                                              "end_time": T0 + 9000}), 200, "runs/update FINISHED" + attempt)
    ri = js.get("run_info", {})
    check(ri.get("status") == "FINISHED" and ri.get("end_time") == T0 + 9000, "run_info after update" + attempt, ri)

js = expect(call("GET", "runs/get", query={"run_id": rid}), 200, "runs/get")
run = js.get("run", {})
data = run.get("data", {})
m = {d["key"]: d for d in data.get("metrics", [])}
check(m.get("loss", {}).get("value") == 0.2 and m.get("loss", {}).get("step") == 3, "latest loss point", m)
check(abs(m.get("acc", {}).get("value", 0) - 0.7) < 1e-9, "latest acc point", m)
check(kv(data.get("params")) == {"lr": "0.01", "epochs": "3"}, "params", data)
t = kv(data.get("tags"))
check(t.get("note") == "b" and t.get("stage") == "train" and "gone" not in t, "tags", t)
check(t.get("mlflow.user") == "alice", "client tags kept", t)

# Renaming by the mlflow.runName tag, and by update.
expect(call("POST", "runs/set-tag", {"run_id": rid, "key": "mlflow.runName", "value": "renamed"}), 200,
       "set-tag mlflow.runName")
js = expect(call("GET", "runs/get", query={"run_id": rid}), 200, "runs/get after rename")
check(js.get("run", {}).get("info", {}).get("run_name") == "renamed", "the tag renames the run", js)

# --- history with paging ---
seen, token, pages = [], None, 0
while True:
    q = {"run_id": rid, "metric_key": "loss", "max_results": 2}
    if token:
        q["page_token"] = token
    js = expect(call("GET", "metrics/get-history", query=q), 200, "get-history page %d" % pages)
    seen += [(p["step"], p["value"], p["timestamp"]) for p in js.get("metrics", [])]
    token = js.get("next_page_token")
    pages += 1
    if not token or pages > 5:
        break
check(seen == [(0, 0.9, T0), (1, 0.5, T0 + 1000), (2, 0.3, T0 + 2000), (3, 0.2, T0 + 3000)],
      "the whole history over pages, the retried point once", seen)
check(pages == 2, "two pages of two", pages)
js = expect(call("GET", "metrics/get-history", query={"run_id": rid, "metric_key": "nope"}), 200,
            "history of a key never logged")
check(not js.get("metrics"), "is empty", js)

# --- search with filter, order_by and paging ---
ids = {}
for i, (loss, lr) in enumerate([(0.1, "0.01"), (0.4, "0.01"), (0.6, "0.01"), (0.05, "0.1"), (0.35, "0.01")]):
    js = expect(call("POST", "runs/create", {"experiment_id": exp, "user_id": "bob", "start_time": T0 + 100 * i,
                                              "tags": []}), 200, "runs/create %d" % i)
    r = js.get("run", {}).get("info", {}).get("run_id")
    check(js.get("run", {}).get("info", {}).get("run_name"), "a run without a name gets one", js)
    ids[r] = loss
    expect(call("POST", "runs/log-batch", {"run_id": r, "metrics": [{"key": "loss", "value": loss,
                                                                     "timestamp": T0, "step": 0}],
                                            "params": [{"key": "lr", "value": lr}]}), 200, "log-batch %d" % i)
want = [0.1, 0.2, 0.35, 0.4]  # loss < 0.5 and lr = '0.01', ascending (0.2 is the first run)
got, token, pages = [], None, 0
while True:
    body = {"experiment_ids": [exp], "filter": "metrics.loss < 0.5 and params.lr = '0.01'",
            "run_view_type": "ACTIVE_ONLY", "max_results": 3, "order_by": ["metrics.loss ASC"]}
    if token:
        body["page_token"] = token
    js = expect(call("POST", "runs/search", body), 200, "runs/search page %d" % pages)
    for r in js.get("runs", []):
        got.append([d["value"] for d in r["data"]["metrics"] if d["key"] == "loss"][0])
    token = js.get("next_page_token")
    pages += 1
    if not token or pages > 5:
        break
check(got == want, "filter and order_by over pages", got)
check(pages == 2, "paged by 3", pages)
js = expect(call("POST", "runs/search", {"experiment_ids": [exp], "filter": "attributes.status = 'FINISHED'"}),
            200, "search by status")
check([r["info"]["run_id"] for r in js.get("runs", [])] == [rid], "only the finished run", js)
js = expect(call("POST", "runs/search", {"experiment_ids": [exp], "filter": "tags.\"mlflow.runName\" = 'renamed'"}),
            200, "search by the quoted mlflow.runName tag")
check(len(js.get("runs", [])) == 1, "finds the renamed run", js)
js = expect(call("POST", "runs/search", {"experiment_ids": [exp], "order_by": ["attributes.start_time DESC"],
                                          "max_results": 1}), 200, "search ordered by start_time")
check(js.get("runs", [{}])[0].get("info", {}).get("start_time") == T0 + 400 and js.get("next_page_token"),
      "newest first, with a next page", js)
js = expect(call("POST", "runs/search", {"experiment_ids": [exp], "filter": "metrics.loss > 100"}), 200,
            "a search matching nothing")
check(js == {}, "is {}", js)

# --- delete and restore ---
victim = [r for r, loss in ids.items() if loss == 0.6][0]
for attempt in ("", " retried"):
    expect(call("POST", "runs/delete", {"run_id": victim}), 200, "runs/delete" + attempt)
js = expect(call("POST", "runs/search", {"experiment_ids": [exp], "max_results": 100}), 200, "search after delete")
check(victim not in [r["info"]["run_id"] for r in js.get("runs", [])], "a deleted run is not listed", js)
js = expect(call("POST", "runs/search", {"experiment_ids": [exp], "run_view_type": "DELETED_ONLY"}), 200,
            "search DELETED_ONLY")
check([r["info"]["run_id"] for r in js.get("runs", [])] == [victim], "only the deleted run", js)
js = expect(call("GET", "runs/get", query={"run_id": victim}), 200, "runs/get of a deleted run")
check(js.get("run", {}).get("info", {}).get("lifecycle_stage") == "deleted", "lifecycle deleted", js)
expect(call("POST", "runs/log-metric", {"run_id": victim, "key": "x", "value": 1, "timestamp": T0}), 400,
       "writing to a deleted run", "INVALID_PARAMETER_VALUE")
expect(call("POST", "runs/restore", {"run_id": victim}), 200, "runs/restore")
expect(call("POST", "runs/log-metric", {"run_id": victim, "key": "x", "value": 1, "timestamp": T0}), 200,
       "writing to a restored run")

js = expect(call("POST", "experiments/create", {"name": "scratch"}), 200, "create scratch")
exp2 = js.get("experiment_id")
js = expect(call("POST", "runs/create", {"experiment_id": exp2, "start_time": T0}), 200, "a run in scratch")
r2 = js.get("run", {}).get("info", {}).get("run_id")
expect(call("POST", "experiments/update", {"experiment_id": exp2, "new_name": "scratch2"}), 200,
       "experiments/update renames")
expect(call("POST", "experiments/update", {"experiment_id": exp2, "new_name": "demo"}), 400,
       "renaming onto a taken name", "RESOURCE_ALREADY_EXISTS")
expect(call("POST", "experiments/set-experiment-tag", {"experiment_id": exp2, "key": "k", "value": "v"}), 200,
       "set-experiment-tag")
js = expect(call("POST", "experiments/search", {"filter": "tags.k = 'v'"}), 200, "experiments/search by tag")
check([x["name"] for x in js.get("experiments", [])] == ["scratch2"], "finds it by tag", js)
expect(call("POST", "experiments/delete", {"experiment_id": exp2}), 200, "experiments/delete")
expect(call("POST", "experiments/delete", {"experiment_id": exp2}), 200, "experiments/delete retried")
js = expect(call("GET", "runs/get", query={"run_id": r2}), 200, "its run")
check(js.get("run", {}).get("info", {}).get("lifecycle_stage") == "deleted", "goes with it", js)
expect(call("POST", "runs/create", {"experiment_id": exp2, "start_time": T0}), 400,
       "a run in a deleted experiment", "INVALID_PARAMETER_VALUE")
js = expect(call("POST", "experiments/search", {"view_type": "DELETED_ONLY"}), 200, "search deleted experiments")
check([x["name"] for x in js.get("experiments", [])] == ["scratch2"], "lists it", js)
expect(call("POST", "experiments/restore", {"experiment_id": exp2}), 200, "experiments/restore")
js = expect(call("GET", "runs/get", query={"run_id": r2}), 200, "its run again")
check(js.get("run", {}).get("info", {}).get("lifecycle_stage") == "active", "comes back", js)
expect(call("POST", "experiments/delete", {"experiment_id": "0"}), 400, "Default cannot be deleted",
       "INVALID_PARAMETER_VALUE")

# A run that names no experiment lands in Default ("0").
js = expect(call("POST", "runs/create", {"start_time": T0}), 200, "runs/create without experiment")
check(js.get("run", {}).get("info", {}).get("experiment_id") == "0", "goes to experiment 0", js)
print("left-running " + js.get("run", {}).get("info", {}).get("run_id", ""))

# --- bad input: MLflow's 400/404, never a 500 ---
bad = [
    ("POST", "runs/create", None, b"{not json", 400, "INVALID_PARAMETER_VALUE", "malformed JSON"),
    ("POST", "runs/create", None, b"[1,2]", 400, "INVALID_PARAMETER_VALUE", "a body that is not an object"),
    ("POST", "runs/log-metric", {"run_id": rid, "key": "loss", "value": "abc", "timestamp": T0}, None, 400,
     "INVALID_PARAMETER_VALUE", "a value that is not a number"),
    ("POST", "runs/log-metric", {"run_id": rid, "key": "loss", "value": 1, "timestamp": T0, "step": "x"}, None,
     400, "INVALID_PARAMETER_VALUE", "a step that is not an integer"),
    ("POST", "runs/log-metric", {"run_id": rid, "key": "loss", "value": 1}, None, 400,
     "INVALID_PARAMETER_VALUE", "a missing timestamp"),
    ("POST", "runs/log-metric", {"run_id": rid, "key": "loss", "value": 1, "timestamp": -5}, None, 400,
     "INVALID_PARAMETER_VALUE", "a negative timestamp"),
    ("POST", "runs/log-metric", {"run_id": rid, "key": "../x", "value": 1, "timestamp": T0}, None, 400,
     "INVALID_PARAMETER_VALUE", "a key that leaves its directory"),
    ("POST", "runs/log-metric", {"run_id": rid, "key": "a//b", "value": 1, "timestamp": T0}, None, 400,
     "INVALID_PARAMETER_VALUE", "a key that normalises to another"),
    ("POST", "runs/log-metric", {"run_id": "0" * 32, "key": "k", "value": 1, "timestamp": T0}, None, 404,
     "RESOURCE_DOES_NOT_EXIST", "a missing run"),
    ("POST", "runs/log-metric", {"key": "k", "value": 1, "timestamp": T0}, None, 400,
     "INVALID_PARAMETER_VALUE", "no run_id"),
    ("POST", "runs/log-batch", {"run_id": rid, "tags": "x"}, None, 400, "INVALID_PARAMETER_VALUE",
     "tags that are not a list"),
    ("POST", "runs/log-batch", {"run_id": rid, "params": [{"key": "p", "value": "1"}, {"key": "p", "value": "1"}]},
     None, 400, "INVALID_PARAMETER_VALUE", "duplicate param keys"),
    ("POST", "runs/log-parameter", {"run_id": rid, "key": "long", "value": "x" * 6001}, None, 400,
     "INVALID_PARAMETER_VALUE", "a param value over 6000 characters"),
    ("POST", "runs/update", {"run_id": rid, "status": "DONE"}, None, 400, "INVALID_PARAMETER_VALUE",
     "an unknown status"),
    ("POST", "runs/create", {"experiment_id": "999999"}, None, 404, "RESOURCE_DOES_NOT_EXIST",
     "a run in a missing experiment"),
    ("POST", "runs/create", {"experiment_id": "abc"}, None, 400, "INVALID_PARAMETER_VALUE",
     "a bad experiment id"),
    ("POST", "runs/create", {"experiment_id": 5}, None, 400, "INVALID_PARAMETER_VALUE",
     "an experiment id that is not a string"),
    ("POST", "experiments/create", {"name": ""}, None, 400, "INVALID_PARAMETER_VALUE", "an empty name"),
    ("POST", "experiments/create", {"name": ["x"]}, None, 400, "INVALID_PARAMETER_VALUE", "a name that is a list"),
    ("POST", "runs/search", {"filter": "metrics.loss <"}, None, 400, "INVALID_PARAMETER_VALUE", "a bad filter"),
    ("POST", "runs/search", {"order_by": ["nonsense.x"]}, None, 400, "INVALID_PARAMETER_VALUE", "a bad order_by"),
    ("POST", "runs/search", {"page_token": "%%%"}, None, 400, "INVALID_PARAMETER_VALUE", "a bad page token"),
    ("POST", "runs/search", {"max_results": 50001}, None, 400, "INVALID_PARAMETER_VALUE", "max_results over 50000"),
    ("POST", "experiments/search", {"filter": "owner = 'x'"}, None, 400, "INVALID_PARAMETER_VALUE",
     "a bad experiments filter"),
]
for method, path, body, raw, status, code, text in bad:
    expect(call(method, path, body, raw=raw), status, text, code)
for q, status, code, text in [
        ({"run_id": "f" * 32}, 404, "RESOURCE_DOES_NOT_EXIST", "runs/get of a missing run"),
        ({"run_id": "zz"}, 404, "RESOURCE_DOES_NOT_EXIST", "runs/get of a malformed id"),
        ({}, 400, "INVALID_PARAMETER_VALUE", "runs/get without run_id")]:
    expect(call("GET", "runs/get", query=q), status, text, code)
expect(call("GET", "experiments/get", query={"experiment_id": "424242"}), 404, "experiments/get of a missing one",
       "RESOURCE_DOES_NOT_EXIST")
expect(call("GET", "metrics/get-history", query={"run_id": "e" * 32, "metric_key": "loss"}), 404,
       "history of a missing run", "RESOURCE_DOES_NOT_EXIST")
st, _ = call("GET", "runs/log-metric")
check(st == 405, "a GET on a POST call is 405", st)
# log-batch limits: 1001 metrics refused whole, nothing written.
many = [{"key": "m%d" % i, "value": i, "timestamp": T0, "step": 0} for i in range(1001)]
expect(call("POST", "runs/log-batch", {"run_id": rid, "metrics": many}), 400, "1001 metrics in one batch",
       "INVALID_PARAMETER_VALUE")
expect(call("POST", "runs/log-batch", {"run_id": rid, "metrics": many[:999] + [{"key": "bad", "value": "x",
                                                                                "timestamp": T0}]}), 400,
       "a batch with one bad metric", "INVALID_PARAMETER_VALUE")
js = expect(call("GET", "runs/get", query={"run_id": rid}), 200, "runs/get after refused batches")
check(not [d for d in js.get("run", {}).get("data", {}).get("metrics", []) if d["key"].startswith("m")],
      "a refused batch leaves nothing", js)
expect(call("POST", "runs/log-batch", {"run_id": rid, "metrics": many[:1000]}), 200, "1000 metrics in one batch")
expect(call("POST", "runs/log-batch", {"run_id": rid, "params": [{"key": "p%d" % i, "value": "v"}
                                                                  for i in range(101)]}), 400,
       "101 params in one batch", "INVALID_PARAMETER_VALUE")
# NaN and infinities as MLflow writes them.
expect(call("POST", "runs/log-batch", {"run_id": rid, "metrics": [
    {"key": "n", "value": "NaN", "timestamp": T0, "step": 0},
    {"key": "pinf", "value": "Infinity", "timestamp": T0, "step": 0}]}), 200, "NaN and Infinity")
js = expect(call("GET", "metrics/get-history", query={"run_id": rid, "metric_key": "n"}), 200, "NaN history")
check([p["value"] for p in js.get("metrics", [])] == ["NaN"], "NaN is written \"NaN\"", js)
js = expect(call("GET", "metrics/get-history", query={"run_id": rid, "metric_key": "pinf"}), 200, "inf history")
check([p["value"] for p in js.get("metrics", [])] == ["Infinity"], "inf is written \"Infinity\"", js)
print("finished-run " + rid)
