#!/bin/sh
# tests/registry/lifecycle.sh - train twice, register, gate-fail, promote, deploy, broken deploy + rollback, history, audit, JUnit.
. "$top_srcdir/tests/registry/common.sh"

"$PLUMB" init >/dev/null
mkdir deployed
DEPLOY_DIR="$T/deployed"
export DEPLOY_DIR
cp "$DATA/good.csv" train.csv
cp "$DATA/bad.csv" bad.csv
cat > plumb.yaml <<EOF
stages:
  train:
    cmd: sh train.sh
checks:
  train-data:
    data: train.csv
    rows: {min: 3, max: 1000}
    columns:
      id: {type: int, unique: true}
      age: {type: int, required: true, min: 0, max: 120}
      country: {type: string, allowed: [FR, DE, US], max_missing: 0.5}
  quality:
    model: churn
    gates:
      - accuracy >= 0.85
      - accuracy >= production - 0.01
      - latency_p95_ms <= production * 1.1
deploy:
  local:
    model: churn
    stage: production
    cmd: sh "$DATA/deploy.sh"
    health: test -s "\$DEPLOY_DIR/current"
    timeout: 1
models:
  churn:
    stage: train
    path: model.bin
    description: churn classifier
    metrics: {accuracy: higher, latency_p95_ms: lower}
EOF

# --- train twice, register both (path from the models: section) ---
r1=$(train 0.90 12 0.1)
r2=$(train 0.80 20 0.3)
# lineage: the data the train stage read, from plumb.lock
write_lock() {
	printf 'schema: plumb-lock/1\nstages:\n  train:\n    cmd: sh train.sh\n    deps:\n    - path: train.csv\n      sha256: %s\n      size: %s\n' "$1" "$2" > plumb.lock
}
write_lock aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 100
assert_status 0 "register v1" -- "$PLUMB" model register churn --run "$r1"
assert_contains "$(cat "$T/.out")" "registered churn v1" "register says v1"
write_lock bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 120
assert_status 0 "register v2" -- "$PLUMB" model register churn --run "$r2" --json
assert_eq 2 "$(json_get 'j["version"]' < "$T/.out")" "second version is 2"

"$PLUMB" model show churn@1 --json > show1.json
assert_eq "$r1" "$(json_get 'j["run_id"]' < show1.json)" "lineage: run of v1"
assert_eq 0.9 "$(json_get 'j["metrics"]["accuracy"]' < show1.json)" "metrics snapshot"
assert_eq 0.1 "$(json_get 'j["params"]["lr"]' < show1.json)" "params snapshot"
assert_eq none "$(json_get 'j["stage"]' < show1.json)" "new version is in stage none"
obj1=$(json_get 'j["artifact"]["path"]' < show1.json)
assert_eq "model acc=0.90 lr=0.1" "$(cat "$obj1")" "v1 artifact is v1's model, from the run's logged artifact"
assert_eq "churn classifier" "$(json_get 'j["description"]' < show1.json)" "description from models:"
assert_eq "train.csv aaaaaaaaaaaa 100" "$(json_get '" ".join([j["data"][0]["path"], j["data"][0]["hash"][:12], str(j["data"][0]["size"])])' < show1.json)" "lineage: data versions from plumb.lock"

out=$("$PLUMB" model list)
assert_contains "$out" "churn" "model list"
assert_eq 2 "$("$PLUMB" model list --json | json_get 'j[0]["versions"]')" "list: 2 versions"

# --- diff: params, metrics with deltas and marks ---
out=$("$PLUMB" model diff churn@1 churn@2)
assert_contains "$out" "lr: 0.1 -> 0.3" "diff shows differing params"
assert_contains "$out" "accuracy" "diff shows metrics"
"$PLUMB" model diff churn@1 churn@2 --json > diff.json
assert_eq worse "$(json_get '[m for m in j["metrics"] if m["key"]=="accuracy"][0]["judgement"]' < diff.json)" "accuracy down is worse"
assert_eq worse "$(json_get '[m for m in j["metrics"] if m["key"]=="latency_p95_ms"][0]["judgement"]' < diff.json)" "latency up is worse"
assert_eq better "$(json_get '[m for m in j["metrics"] if m["key"]=="loss"][0]["judgement"]' < diff.json)" "loss down is better (convention)"
assert_eq True "$(json_get '[m for m in j["metrics"] if m["key"]=="latency_p95_ms"][0]["delta"] == 8' < diff.json)" "latency delta"
assert_contains "$out" "train.csv: aaaaaaaaaaaa -> bbbbbbbbbbbb" "diff shows the changed data version"

# --- gate-fail the worse one: nothing changes ---
hist_before=$("$PLUMB" model history churn --json | json_get 'len(j)')
assert_status 1 "promote worse version is refused" -- "$PLUMB" model promote churn@2 --to production
assert_contains "$(cat "$T/.out")" "FAIL" "gate failure shown"
assert_contains "$(cat "$T/.out")" "accuracy = 0.8, needs >= 0.85" "gate failure explained"
assert_contains "$(cat "$T/.err")" "nothing changed" "refusal says nothing changed"
assert_eq "$hist_before" "$("$PLUMB" model history churn --json | json_get 'len(j)')" "no history entry for a gate failure"
assert_eq none "$("$PLUMB" model show churn@2 --json | json_get 'j["stage"]')" "v2 still none"
[ ! -e deployed/log ] && ok || fail "nothing was deployed for a failed gate"

# --- promote the better one: deployed ---
assert_status 0 "promote better version" -- "$PLUMB" model promote churn@1 --to production --reason "first release"
assert_eq 1 "$(cat deployed/live-version)" "v1 is live"
assert_eq "model acc=0.90 lr=0.1" "$(cat deployed/current)" "deployed file is v1's artifact"
assert_eq production "$("$PLUMB" model show churn@production --json | json_get 'j["stage"]')" "resolve @production"
assert_eq 1 "$("$PLUMB" model show churn@production --json | json_get 'j["version"]')" "v1 in production"

# --- a third, better model; its deploy breaks: rollback to v1 ---
r3=$(train 0.91 12.5 0.2)
"$PLUMB" model register churn --run "$r3" >/dev/null
touch deployed/fail-v3
assert_status 1 "broken deploy fails" -- "$PLUMB" model promote churn@3 --to production
assert_contains "$(cat "$T/.err")" "deploy exited with status 3" "deploy failure explained"
assert_contains "$(cat "$T/.err")" "redeployed v1" "previous version redeployed"
assert_eq 1 "$(cat deployed/live-version)" "v1 live again after the failed deploy"
assert_eq 1 "$("$PLUMB" model show churn@production --json | json_get 'j["version"]')" "v1 still holds production"
assert_eq none "$("$PLUMB" model show churn@3 --json | json_get 'j["stage"]')" "v3 still none"
rm deployed/fail-v3

# --- a deploy that hangs: timeout, then rollback ---
touch deployed/hang-v3
assert_status 1 "hanging deploy times out" -- "$PLUMB" model promote churn@3 --to production
assert_contains "$(cat "$T/.err")" "timed out after 1s" "timeout explained"
assert_eq 1 "$(cat deployed/live-version)" "v1 live after the timeout"
rm deployed/hang-v3

# --- a health check that fails ---
cat > health-fail.yaml <<EOF
deploy:
  local:
    cmd: sh "$DATA/deploy.sh"
    health: "false"
    timeout: 5
EOF
assert_status 1 "failing health check" -- "$PLUMB" model promote churn@3 --to production --config health-fail.yaml
assert_contains "$(cat "$T/.err")" "health check exited with status 1" "health failure explained"
assert_eq 1 "$(cat deployed/live-version)" "v1 redeployed after the failed health check"

# --- now it works: v3 replaces v1, v1 archived ---
assert_status 0 "promote v3" -- "$PLUMB" model promote churn@3 --to production --reason "better accuracy"
assert_eq 3 "$(cat deployed/live-version)" "v3 live"
assert_eq archived "$("$PLUMB" model show churn@1 --json | json_get 'j["stage"]')" "v1 archived"

# --- rollback: v1 back, v3 archived ---
assert_status 0 "rollback" -- "$PLUMB" model rollback churn --reason "alerts"
assert_contains "$(cat "$T/.out")" "rolled back churn production to v1" "rollback message"
assert_eq 1 "$(cat deployed/live-version)" "v1 live after rollback"
assert_eq archived "$("$PLUMB" model show churn@3 --json | json_get 'j["stage"]')" "v3 archived by rollback"
assert_status 1 "nothing further to roll back" -- "$PLUMB" model rollback churn
assert_contains "$(cat "$T/.err")" "nothing to roll back to" "rollback past the first release explained"

# --- forced promotion needs a reason and is audited ---
assert_status 2 "force without reason" -- "$PLUMB" model promote churn@2 --to staging --force
assert_status 0 "force with reason" -- "$PLUMB" model promote churn@2 --to staging --force --reason "demo for QA"
assert_contains "$(cat "$T/.out")" "gates forced" "forced promotion says so"

# --- aliases ---
assert_status 0 "alias" -- "$PLUMB" model alias churn@3 champion
assert_eq 3 "$("$PLUMB" model show churn@champion --json | json_get 'j["version"]')" "resolve alias"
assert_status 1 "alias that is a stage name" -- "$PLUMB" model alias churn@3 production

# --- history ---
"$PLUMB" model history churn --json > hist.json
assert_eq "register register promote register promote promote promote promote rollback promote alias" \
	"$(json_get '" ".join(t["kind"] for t in j)' < hist.json)" "history kinds in order"
assert_eq "ok ok ok ok failed failed failed ok ok ok ok" \
	"$(json_get '" ".join(t["status"] for t in j)' < hist.json)" "history statuses"
assert_eq "first release" "$(json_get 'j[2]["reason"]' < hist.json)" "reason recorded"
assert_eq "$(id -u)" "$(json_get 'j[2]["uid"]' < hist.json)" "uid recorded"
assert_eq "$(id -un)" "$(json_get 'j[2]["user"]' < hist.json)" "user recorded"
assert_eq 3 "$(json_get 'len(j[2]["gates"])' < hist.json)" "gate results recorded with the transition"
assert_eq True "$(json_get 'j[9]["forced"]' < hist.json)" "forced flag in history"
assert_eq 3 "$(json_get 'j[8]["replaced_version"]' < hist.json)" "rollback replaced v3"
out=$("$PLUMB" model history churn)
assert_contains "$out" "FAILED" "human history shows failures"
assert_contains "$out" "reason: better accuracy" "human history shows reasons"

# --- audit log ---
"$PLUMB" audit --json > audit.json
actions=$(json_get '" ".join(sorted(set(e["action"] for e in j)))' < audit.json)
for a in run.start model.register model.promote model.promote.failed model.deploy model.rollback model.gates.forced model.alias; do
	assert_contains " $actions " " $a " "audit has $a"
done
assert_contains "$(json_get '[e["detail"] for e in j if e["action"]=="model.gates.forced"][0]' < audit.json)" "demo for QA" "forced gates: reason in audit"
assert_eq "$(id -un)" "$(json_get 'j[0]["user"]' < audit.json)" "audit user"
assert_contains "$("$PLUMB" audit --action model.deploy)" "failed: deploy exited with status 3" "audit lists the failed deploy"

# --- checks: data passes, gates need a model; JUnit ---
assert_status 0 "plumb check (data ok, gates skipped)" -- "$PLUMB" check --junit junit1.xml
assert_contains "$(cat "$T/.out")" "skip" "gates skipped without --model"
assert_status 1 "plumb check --model churn@2 fails its gate" -- "$PLUMB" check --model churn@2 --junit junit2.xml --json
assert_eq False "$(json_get 'j["ok"]' < "$T/.out")" "json says not ok"
cat > junit-check.py <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
for a in ("tests", "failures", "errors"):
    assert a in root.attrib, a
n = f = 0
for s in root:
    assert s.tag == "testsuite", s.tag
    for a in ("name", "tests", "failures", "errors", "skipped", "time"):
        assert a in s.attrib, a
    cases = list(s)
    assert int(s.attrib["tests"]) == len(cases)
    for c in cases:
        assert c.tag == "testcase"
        assert c.attrib.get("name") and c.attrib.get("classname"), c.attrib
        float(c.attrib["time"])
        n += 1
        for x in c:
            assert x.tag in ("failure", "error", "skipped"), x.tag
            assert "message" in x.attrib
            if x.tag == "failure":
                f += 1
                assert "type" in x.attrib
assert int(root.attrib["tests"]) == n and int(root.attrib["failures"]) == f
print(n, f)
EOF
py=${PYTHON3_SYS:-/usr/bin/python3}
assert_eq "7 0" "$("$py" junit-check.py junit1.xml)" "junit of a passing run"
assert_eq "7 3" "$("$py" junit-check.py junit2.xml)" "junit with a failed gate"
assert_contains "$(cat junit2.xml)" "<failure message=\"accuracy = 0.8, needs &gt;= 0.85\" type=\"gate\">" "failure element text"

done_testing
