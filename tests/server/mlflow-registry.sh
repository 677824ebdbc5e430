#!/bin/sh
# tests/server/mlflow-registry.sh - plumb serve's MLflow model registry: the client's register/stage/alias/tag/search requests replayed (tests/server/mlflow-registry.py), plumb.yaml's gate refusing a stage, the versions seen by plumb model, audited as the token's user, a read-only token refused.
. "$top_srcdir/tests/lib.sh"

PY=${PYTHON3_SYS:-/usr/bin/python3}
if ! [ -x "$PY" ]; then
	echo "SKIP: no python3"
	exit 77
fi
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
"$PLUMB" init -q

. "$top_srcdir/tests/server/lib-serve.sh"

# The gate `plumb model promote` applies: production needs accuracy >= 0.85.
cat > plumb.yaml <<'YAML'
checks:
  quality:
    model: iris
    stages: [production]
    gates:
      - accuracy >= 0.85
YAML
RO=ro-token-6a1e0c9b2d4f7a31
RW=rw-token-3c8d1b7e9f2a6b40
printf '%s carol ro\n%s alice rw\n' "$RO" "$RW" > tokens

serve_start --token-file tokens || { done_testing; exit 1; }

MLFLOW_TRACKING_TOKEN=$RW "$PY" "$top_srcdir/tests/server/mlflow-registry.py" "$URL" > client.out 2> client.err || true
[ -s client.err ] && fail "the client script failed: $(cat client.err)"
while read -r word rest; do
	case $word in
	ok) ok ;;
	FAIL) fail "$rest" ;;
	esac
done < client.out
checks_seen=$(grep -c '^ok ' client.out || true)
[ "$checks_seen" -gt 120 ] && ok || fail "only $checks_seen checks ran"
run1=$(sed -n 's/^version iris 1 //p' client.out)
run2=$(sed -n 's/^version iris 2 //p' client.out)

# A read-only token reads the registry and writes nothing.
code() { curl -s -o body.out -w '%{http_code}' "$@"; }
A="Authorization: Bearer $RO"
J="Content-Type: application/json"
assert_eq 200 "$(code -H "$A" "$URL/api/2.0/mlflow/registered-models/get?name=iris")" "read-only: get"
assert_eq 200 "$(code -H "$A" -H "$J" -d '{"name":"iris","stages":["Production"]}' \
    "$URL/api/2.0/mlflow/registered-models/get-latest-versions")" "read-only: get-latest-versions is a read"
for call in "POST registered-models/create {\"name\":\"ro\"}" \
    "POST model-versions/create {\"name\":\"iris\",\"source\":\"x\"}" \
    "POST model-versions/transition-stage {\"name\":\"iris\",\"version\":\"1\",\"stage\":\"Archived\"}" \
    "POST registered-models/alias {\"name\":\"iris\",\"alias\":\"ro\",\"version\":\"1\"}" \
    "DELETE registered-models/alias {\"name\":\"iris\",\"alias\":\"challenger\"}" \
    "PATCH registered-models/update {\"name\":\"iris\",\"description\":\"ro\"}"; do
	set -- $call
	assert_eq 403 "$(code -X "$1" -H "$A" -H "$J" -d "$3" "$URL/api/2.0/mlflow/$2")" "read-only: $1 $2 refused"
	assert_contains "$(cat body.out)" "PERMISSION_DENIED" "read-only: $2: MLflow's code"
done
serve_stop

# What the client registered is plumb's: versions with their run (lineage), stages, aliases, history.
out=$("$PLUMB" model show iris@1)
assert_contains "$out" "$run1" "plumb model show: v1's run"
assert_contains "$out" "staging" "plumb model show: v1 in staging"
assert_contains "$out" "challenger" "plumb model show: v1's alias"
assert_contains "$out" "accuracy = 0.7" "plumb model show: the run's metric snapshot"
out=$("$PLUMB" model show iris@2)
assert_contains "$out" "production" "v2 in production"
assert_contains "$out" "$run2" "v2's run"
out=$("$PLUMB" model list)
assert_contains "$out" "iris" "plumb model list: iris"
assert_contains "$out" "renamed" "plumb model list: the renamed model"
gated=$(printf '%s\n' "$out" | grep '^gated')
assert_contains "$gated" " - " "a model without versions lists no latest version"
hist=$("$PLUMB" model history iris)
assert_contains "$hist" "production" "history: the promotion"
n=$(printf '%s\n' "$hist" | grep -c 'staging' || true)
[ "$n" -ge 1 ] && ok || fail "history: the staging transition"
# The version holds the model directory's manifest, each file the run's artifact in the cache.
obj=$("$PLUMB" model show iris@1 | sed -n 's/^path *//p')
assert_contains "$(cat "$obj")" '"path": "model.pkl"' "the manifest names model.pkl"
sha=$("$PLUMB" show "$run1" 2>/dev/null | grep -c 'model/model.pkl' || true)
[ "$sha" -ge 1 ] && ok || fail "plumb show lists the run's model/model.pkl"
# v3 (one file as the source) holds that file itself.
obj=$("$PLUMB" model show iris@3 | sed -n 's/^path *//p')
assert_eq 1024 "$(wc -c < "$obj" | tr -d ' ')" "v3 is the 1024-byte pickle"
# Audited as the token's user.
aud=$("$PLUMB" audit)
assert_contains "$aud" "alice@127.0.0.1  model.create iris" "registered-models/create audited as alice"
assert_contains "$aud" "model.register" "the version's registration audited"
assert_contains "$aud" "model.tag iris@2" "a version tag audited"
assert_not_contains "$aud" "carol" "the read-only token wrote nothing"
# model-versions/delete: v4 gone from plumb's listings, recorded in the history and the audit log as alice.
lv=$("$PLUMB" model list --json | "$PY" -c 'import json,sys; m=[x for x in json.load(sys.stdin) if x["name"]=="iris"][0]; print(m["versions"], m["latest"])')
assert_eq "3 3" "$lv" "plumb model list: iris has 3 versions, the latest v3 (v4 deleted)"
"$PLUMB" model show iris@4 >/dev/null 2>&1 && fail "plumb model show: the deleted v4" || ok
assert_contains "$("$PLUMB" model history iris)" "delete" "history: the delete"
assert_contains "$aud" "alice@127.0.0.1  model.version.delete iris@4" "the delete audited as alice"

done_testing
