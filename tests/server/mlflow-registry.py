#!/usr/bin/python3
# tests/server/mlflow-registry.py - replays MLflow 2.12's model registry requests (mlflow.register_model, MlflowClient stage, alias, tag and search calls) against plumb serve; prints "ok TEXT" / "FAIL TEXT" per check and "version NAME N RUN" lines for the shell test.
# Usage: mlflow-registry.py URL   (stdlib only)
import os
import sys
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import mlflowtest  # noqa: E402  (this script's folder is on sys.path)
from mlflowtest import call, check, expect, kv  # noqa: E402,F401

ROOT = sys.argv[1].rstrip("/")
TOKEN = os.environ.get("MLFLOW_TRACKING_TOKEN")
mlflowtest.init(ROOT, TOKEN)


def put_artifact(exp, run, rel, data):
    url = ROOT + "/api/2.0/mlflow-artifacts/artifacts/%s/%s/artifacts/%s" % (exp, run, urllib.parse.quote(rel))
    req = urllib.request.Request(url, data=data, method="PUT")
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status


# --- a training run that logs a metric and a model directory ---
def train(accuracy):
    js = expect(call("POST", "runs/create", {"experiment_id": exp, "start_time": 1767225600000,
                                             "run_name": "train"}), 200, "runs/create")
    info = js["run"]["info"]
    run = info["run_id"]
    expect(call("POST", "runs/log-metric", {"run_id": run, "key": "accuracy", "value": accuracy,
                                            "timestamp": 1767225600001, "step": 0}), 200, "log-metric")
    # mlflow.sklearn.log_model: the MLmodel file and the pickle under model/
    put_artifact(exp, run, "model/MLmodel", b"flavors:\n  python_function: {}\n")
    put_artifact(exp, run, "model/model.pkl", bytes(range(256)) * 4)
    expect(call("POST", "runs/update", {"run_id": run, "status": "FINISHED", "end_time": 1767225600500}),
           200, "runs/update")
    return info, run


js = expect(call("POST", "experiments/create", {"name": "registry"}), 200, "experiments/create")
exp = js["experiment_id"]
info1, run1 = train(0.70)
info2, run2 = train(0.93)

# --- mlflow.register_model("runs:/RUN/model", "iris"): create, then version with the run's URI ---
js = expect(call("POST", "registered-models/create", {"name": "iris", "tags": [{"key": "team", "value": "ml"}],
                                                      "description": "iris classifier"}),
            200, "registered-models/create")
rm = js.get("registered_model", {})
check(rm.get("name") == "iris" and rm.get("description") == "iris classifier", "registered_model fields", rm)
check(kv(rm.get("tags")).get("team") == "ml", "registered model tags", rm)
check(rm.get("creation_timestamp", 0) > 0, "creation_timestamp", rm)
expect(call("POST", "registered-models/create", {"name": "iris"}), 400,
       "a replayed registered-models/create", "RESOURCE_ALREADY_EXISTS")
source1 = info1["artifact_uri"] + "/model"
js = expect(call("POST", "model-versions/create", {"name": "iris", "source": source1, "run_id": run1,
                                                   "tags": [{"key": "flavor", "value": "sklearn"}],
                                                   "description": ""}),
            200, "model-versions/create with the run's artifact URI")
mv = js.get("model_version", {})
check(mv.get("version") == "1" and mv.get("status") == "READY", "version 1, READY", mv)
check(mv.get("run_id") == run1 and mv.get("source") == source1, "run_id and source", mv)
check(mv.get("current_stage") == "None", "a new version is in stage None", mv)
check(kv(mv.get("tags")).get("flavor") == "sklearn", "version tags", mv)
print("version iris 1 %s" % run1)
# MlflowClient.create_model_version passes runs:/ through
js = expect(call("POST", "model-versions/create", {"name": "iris", "source": "runs:/%s/model" % run2,
                                                   "run_id": run2}), 200, "model-versions/create runs:/")
mv2 = js.get("model_version", {})
check(mv2.get("version") == "2" and mv2.get("source") == "runs:/%s/model" % run2, "version 2", mv2)
print("version iris 2 %s" % run2)
# one file as the source: the version holds that artifact itself
js = expect(call("POST", "model-versions/create", {"name": "iris", "source": "runs:/%s/model/model.pkl" % run2,
                                                   "run_id": run2}), 200, "model-versions/create of one file")
check(js.get("model_version", {}).get("version") == "3", "version 3", js)
print("version iris 3 %s" % run2)
expect(call("POST", "model-versions/create", {"name": "nosuch", "source": "runs:/%s/model" % run2}), 200,
       "a version of a model not created first makes the model (plumb registers on first version)")
expect(call("POST", "model-versions/create", {"name": "iris", "source": "x", "run_id": "f" * 32}), 404,
       "a version naming an unknown run", "RESOURCE_DOES_NOT_EXIST")
expect(call("POST", "model-versions/create", {"name": "iris"}), 400, "a version without a source",
       "INVALID_PARAMETER_VALUE")
expect(call("POST", "model-versions/create", {"name": "bad name", "source": "s"}), 400,
       "a model name plumb cannot hold", "INVALID_PARAMETER_VALUE")

js = expect(call("GET", "model-versions/get", query={"name": "iris", "version": "1"}), 200, "model-versions/get")
check(js.get("model_version", {}).get("run_id") == run1, "get: the run", js)
expect(call("GET", "model-versions/get", query={"name": "iris", "version": "99"}), 404, "an unknown version",
       "RESOURCE_DOES_NOT_EXIST")
expect(call("GET", "model-versions/get", query={"name": "iris", "version": "x"}), 400, "a version that is no number",
       "INVALID_PARAMETER_VALUE")
expect(call("GET", "registered-models/get", query={"name": "absent"}), 404, "an unknown model",
       "RESOURCE_DOES_NOT_EXIST")

# --- stages: plumb's promotion, with plumb.yaml's gate accuracy >= 0.85 on production ---
js = expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "1", "stage": "staging",
                                                             "archive_existing_versions": False}),
            200, "transition-stage to Staging (any case)")
check(js.get("model_version", {}).get("current_stage") == "Staging", "v1 in Staging", js)
js = expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "1", "stage": "Staging",
                                                             "archive_existing_versions": False}),
            200, "a replayed transition")
check(js.get("model_version", {}).get("current_stage") == "Staging", "still Staging", js)
js = expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "1", "stage": "Production",
                                                             "archive_existing_versions": True}),
            400, "a gate refuses Production for v1 (accuracy 0.7)", "INVALID_PARAMETER_VALUE")
check("gate" in js.get("message", "") and "accuracy" in js.get("message", ""), "the refusal names the gate", js)
js = expect(call("GET", "model-versions/get", query={"name": "iris", "version": "1"}), 200, "get after refusal")
check(js.get("model_version", {}).get("current_stage") == "Staging", "a refused transition changes nothing", js)
js = expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "2", "stage": "Production",
                                                             "archive_existing_versions": True}),
            200, "v2 (accuracy 0.93) passes the gate")
check(js.get("model_version", {}).get("current_stage") == "Production", "v2 in Production", js)
expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "1", "stage": "Live"}), 400,
       "an unknown stage", "INVALID_PARAMETER_VALUE")
js = expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "3", "stage": "Archived"}),
            200, "v3 to Archived")
# archive_existing_versions=false (the client's default, or absent): plumb
# holds one version per stage, so the holder is archived as with true, and
# the script that never passes the flag works unchanged.
js = expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "3", "stage": "Staging",
                                                             "archive_existing_versions": False}),
            200, "archive_existing_versions=false into a held stage")
check(js.get("model_version", {}).get("current_stage") == "Staging", "v3 in Staging", js)
js = expect(call("GET", "model-versions/get", query={"name": "iris", "version": "1"}), 200, "v1 after v3 took Staging")
check(js.get("model_version", {}).get("current_stage") == "Archived", "v1 archived: one version per stage", js)
js = expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "1", "stage": "Staging"}),
            200, "an absent archive_existing_versions (MLflow's false)")
js = expect(call("GET", "model-versions/get", query={"name": "iris", "version": "3"}), 200, "v3 after v1 took Staging")
check(js.get("model_version", {}).get("current_stage") == "Archived", "v3 archived", js)
js = expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "3", "stage": "Staging",
                                                             "archive_existing_versions": True}),
            200, "archive_existing_versions=true replaces the holder")
check(js.get("model_version", {}).get("current_stage") == "Staging", "v3 in Staging", js)
# back as the rest of this script expects: v1 Staging, v3 Archived
expect(call("POST", "model-versions/transition-stage", {"name": "iris", "version": "1", "stage": "Staging",
                                                        "archive_existing_versions": "true"}),
       200, "v1 back to Staging (a string true)")

# --- get-latest-versions (models:/iris/Production) ---
js = expect(call("POST", "registered-models/get-latest-versions", {"name": "iris", "stages": ["Production"]}),
            200, "get-latest-versions Production")
vs = js.get("model_versions", [])
check([v["version"] for v in vs] == ["2"], "Production's latest is v2", js)
js = expect(call("POST", "registered-models/get-latest-versions", {"name": "iris"}), 200,
            "get-latest-versions, all stages")
check(sorted((v["current_stage"], v["version"]) for v in js.get("model_versions", [])) ==
      [("Archived", "3"), ("Production", "2"), ("Staging", "1")], "one per stage", js)
js = expect(call("GET", "registered-models/get", query={"name": "iris"}), 200, "registered-models/get")
check(len(js.get("registered_model", {}).get("latest_versions", [])) == 3, "latest_versions", js)

# --- aliases (models:/iris@champion) ---
expect(call("POST", "registered-models/alias", {"name": "iris", "alias": "champion", "version": "2"}), 200,
       "set alias")
expect(call("POST", "registered-models/alias", {"name": "iris", "alias": "champion", "version": "2"}), 200,
       "a replayed set alias")
js = expect(call("GET", "registered-models/alias", query={"name": "iris", "alias": "champion"}), 200, "get alias")
check(js.get("model_version", {}).get("version") == "2" and "champion" in js["model_version"].get("aliases", []),
      "alias points at v2", js)
js = expect(call("GET", "registered-models/get", query={"name": "iris"}), 200, "model with alias")
check({"alias": "champion", "version": "2"} in js.get("registered_model", {}).get("aliases", []),
      "registered_model aliases", js)
expect(call("GET", "registered-models/alias", query={"name": "iris", "alias": "nobody"}), 400,
       "an unknown alias is a 400", "INVALID_PARAMETER_VALUE")
expect(call("POST", "registered-models/alias", {"name": "iris", "alias": "v3", "version": "1"}), 400,
       "v<digits> is reserved", "INVALID_PARAMETER_VALUE")
expect(call("DELETE", "registered-models/alias", {"name": "iris", "alias": "champion"}), 200, "delete alias")
expect(call("DELETE", "registered-models/alias", {"name": "iris", "alias": "champion"}), 200,
       "a replayed delete alias")
expect(call("GET", "registered-models/alias", query={"name": "iris", "alias": "champion"}), 400,
       "the deleted alias is gone", "INVALID_PARAMETER_VALUE")
expect(call("POST", "registered-models/alias", {"name": "iris", "alias": "challenger", "version": "1"}), 200,
       "another alias")

# --- tags, descriptions, download URI ---
expect(call("POST", "registered-models/set-tag", {"name": "iris", "key": "owner", "value": "ana"}), 200,
       "registered-models/set-tag")
expect(call("DELETE", "registered-models/delete-tag", {"name": "iris", "key": "team"}), 200,
       "registered-models/delete-tag")
expect(call("POST", "model-versions/set-tag", {"name": "iris", "version": "2", "key": "approved", "value": "yes"}),
       200, "model-versions/set-tag")
expect(call("DELETE", "model-versions/delete-tag", {"name": "iris", "version": "1", "key": "flavor"}), 200,
       "model-versions/delete-tag")
js = expect(call("PATCH", "registered-models/update", {"name": "iris", "description": "v2 of the classifier"}),
            200, "registered-models/update")
rm = js.get("registered_model", {})
check(rm.get("description") == "v2 of the classifier" and kv(rm.get("tags")) == {"owner": "ana"},
      "description and tags of the model", rm)
js = expect(call("PATCH", "model-versions/update", {"name": "iris", "version": "2", "description": "champion"}),
            200, "model-versions/update")
check(js.get("model_version", {}).get("description") == "champion" and
      kv(js["model_version"].get("tags")) == {"approved": "yes"}, "version description and tags", js)
js = expect(call("GET", "model-versions/get-download-uri", query={"name": "iris", "version": "1"}), 200,
            "get-download-uri")
check(js.get("artifact_uri") == source1, "the download URI is the source", js)
expect(call("POST", "registered-models/update", {"name": "iris"}), 405, "update is a PATCH")

# --- search ---
js = expect(call("GET", "registered-models/search", query={"filter": "name = 'iris'"}), 200,
            "registered-models/search by name")
check([m["name"] for m in js.get("registered_models", [])] == ["iris"], "one model named iris", js)
js = expect(call("GET", "registered-models/search", query={"filter": "name ILIKE '%O%'", "max_results": "1"}),
            200, "registered-models/search ILIKE, one a page")
check([m["name"] for m in js.get("registered_models", [])] == ["nosuch"] and js.get("next_page_token") is None,
      "ILIKE", js)
js = expect(call("GET", "registered-models/search", query={"max_results": "1"}), 200, "page 1")
tok = js.get("next_page_token")
check([m["name"] for m in js.get("registered_models", [])] == ["iris"] and tok, "page 1 has iris and a token", js)
js = expect(call("GET", "registered-models/search", query={"max_results": "1", "page_token": tok}), 200, "page 2")
check([m["name"] for m in js.get("registered_models", [])] == ["nosuch"] and not js.get("next_page_token"),
      "page 2 ends", js)
js = expect(call("GET", "registered-models/search", query={"filter": "tags.owner = 'ana'"}), 200,
            "search by tag")
check([m["name"] for m in js.get("registered_models", [])] == ["iris"], "by tag", js)
js = expect(call("GET", "model-versions/search", query={"filter": "name='iris' AND run_id='%s'" % run2}), 200,
            "model-versions/search by name and run_id")
check(sorted(v["version"] for v in js.get("model_versions", [])) == ["2", "3"], "run2's versions", js)
js = expect(call("GET", "model-versions/search", query={"filter": "run_id IN ('%s')" % run1,
                                                      "order_by": ["version_number DESC"]}), 200, "IN")
check([v["version"] for v in js.get("model_versions", [])] == ["1"], "run1's version", js)
js = expect(call("GET", "model-versions/search", query={"filter": "name = 'iris'",
                                                      "order_by": ["version_number ASC"]}), 200, "order_by")
check([v["version"] for v in js.get("model_versions", [])] == ["1", "2", "3"], "ascending", js)
expect(call("GET", "registered-models/search", query={"filter": "name = 'a' OR name = 'b'"}), 400,
       "OR is refused", "INVALID_PARAMETER_VALUE")
expect(call("GET", "model-versions/search", query={"filter": "flavor = 'x'"}), 400, "an unknown attribute",
       "INVALID_PARAMETER_VALUE")
expect(call("GET", "registered-models/search", query={"max_results": "5000"}), 400, "max_results over 1000",
       "INVALID_PARAMETER_VALUE")
expect(call("GET", "registered-models/search", query={"page_token": "!!"}), 400, "a bad page token",
       "INVALID_PARAMETER_VALUE")

# --- rename, deletes ---
js = expect(call("POST", "registered-models/rename", {"name": "nosuch", "new_name": "renamed"}), 200, "rename")
check(js.get("registered_model", {}).get("name") == "renamed", "renamed", js)
expect(call("POST", "registered-models/rename", {"name": "nosuch", "new_name": "renamed"}), 200,
       "a replayed rename")
expect(call("POST", "registered-models/rename", {"name": "renamed", "new_name": "iris"}), 400,
       "rename onto a taken name", "RESOURCE_ALREADY_EXISTS")
# model-versions/delete: a soft delete on plumb's append-only history
js = expect(call("POST", "model-versions/create", {"name": "iris", "source": "runs:/%s/model/model.pkl" % run2,
                                                   "run_id": run2}), 200, "v4, to be deleted")
check(js.get("model_version", {}).get("version") == "4", "version 4", js)
expect(call("POST", "registered-models/alias", {"name": "iris", "alias": "doomed", "version": "4"}), 200,
       "an alias on v4")
js = expect(call("DELETE", "model-versions/delete", {"name": "iris", "version": "2"}), 400,
            "the Production version is not deleted", "INVALID_PARAMETER_VALUE")
check("Production" in js.get("message", ""), "the refusal says Production", js)
expect(call("GET", "model-versions/get", query={"name": "iris", "version": "2"}), 200, "v2 still there")
expect(call("DELETE", "model-versions/delete", {"name": "iris", "version": "4"}), 200, "model-versions/delete v4")
expect(call("GET", "model-versions/get", query={"name": "iris", "version": "4"}), 404, "a deleted version is gone",
       "RESOURCE_DOES_NOT_EXIST")
expect(call("DELETE", "model-versions/delete", {"name": "iris", "version": "4"}), 404, "a replayed delete: gone",
       "RESOURCE_DOES_NOT_EXIST")
js = expect(call("GET", "model-versions/search", query={"filter": "name = 'iris'"}), 200, "search after delete")
check(sorted(v["version"] for v in js.get("model_versions", [])) == ["1", "2", "3"], "search skips v4", js)
js = expect(call("POST", "registered-models/get-latest-versions", {"name": "iris", "stages": ["None"]}), 200,
            "get-latest-versions None after delete")
check(all(v["version"] != "4" for v in js.get("model_versions", [])), "get-latest-versions skips v4", js)
expect(call("GET", "registered-models/alias", query={"name": "iris", "alias": "doomed"}), 400,
       "the deleted version's alias went", "INVALID_PARAMETER_VALUE")
expect(call("DELETE", "registered-models/delete", {"name": "iris"}), 400,
       "a model with versions is not deleted", "INVALID_PARAMETER_VALUE")
expect(call("POST", "registered-models/create", {"name": "empty"}), 200, "an empty model")
expect(call("DELETE", "registered-models/delete", {"name": "empty"}), 200, "delete the empty model")
expect(call("DELETE", "registered-models/delete", {"name": "empty"}), 404, "a replayed delete: gone",
       "RESOURCE_DOES_NOT_EXIST")
expect(call("POST", "registered-models/create", {"name": "gated"}), 200, "a model left empty")
