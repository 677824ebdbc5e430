#!/bin/sh
# tests/registry/promote-kill.sh - kill -9 during `plumb model promote` while its deploy command
# runs (issue 15 item 9): the audit log already holds the deploy's intent, `plumb fsck` explains
# an intent without outcome, and a later promotion completes and records its outcome.
. "$top_srcdir/tests/registry/common.sh"

"$PLUMB" init >/dev/null
r1=$(train 0.90 12)
"$PLUMB" model register churn --run "$r1" --path model.bin >/dev/null
cat > plumb.yaml <<'EOF2'
deploy:
  slow:
    model: churn
    stage: staging
    cmd: echo $$ > deploy.pid && touch deploy.started && exec sleep 30
EOF2
"$PLUMB" model promote churn@1 --to staging >out 2>&1 &
pid=$!
i=0
while [ ! -e deploy.started ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
[ -e deploy.started ] && ok || fail "the deploy command never started: $(cat out)"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
kill -9 "$(cat deploy.pid)" 2>/dev/null || true	# the deploy command, by its pid

a=$("$PLUMB" audit --action model.deploy --json)
assert_contains "$a" '"action":"model.deploy.intent"' "the deploy's intent is in the audit log"
assert_contains "$a" '"object":"churn@1"' "naming the version"
assert_contains "$a" "target slow, stage staging: starting" "and the target"
assert_not_contains "$a" '"action":"model.deploy",' "no outcome was recorded (the process died)"

assert_status 0 "fsck after the kill" -- "$PLUMB" fsck
assert_contains "$(cat "$T/.out")" "unfinished deploy: audit #" "fsck reports the intent without outcome"
assert_contains "$(cat "$T/.out")" "deploy of churn@1 (target slow, stage staging)" "naming version and target"
assert_contains "$(cat "$T/.out")" "no outcome was recorded" "and what it means"

# the next promotion goes through (the dead claim is taken over) and records both
sed -i 's/exec sleep 30/true/' plumb.yaml
assert_status 0 "promote again" -- "$PLUMB" model promote churn@1 --to staging
a=$("$PLUMB" audit --action model.deploy --json)
assert_eq 2 "$(printf '%s' "$a" | json_get 'sum(e["action"] == "model.deploy.intent" for e in j)')" "two intents"
assert_eq 1 "$(printf '%s' "$a" | json_get 'sum(e["action"] == "model.deploy" for e in j)')" "one outcome"
"$PLUMB" fsck > f.out
assert_contains "$(cat f.out)" "unfinished deploy" "the killed one is still explained"
assert_eq 1 "$(grep -c 'unfinished deploy' f.out)" "the finished one is not"
done_testing
