#!/bin/sh
# tests/registry/race.sh - two promotions of one model at once: exactly one wins, the history stays consistent.
. "$top_srcdir/tests/registry/common.sh"

"$PLUMB" init >/dev/null
mkdir deployed
DEPLOY_DIR="$T/deployed"
export DEPLOY_DIR
touch deployed/slow	# each deploy takes 1 s: the two attempts overlap
cat > plumb.yaml <<EOF
deploy:
  local:
    cmd: sh "$DATA/deploy.sh"
    timeout: 20
EOF
r1=$(train 0.90 12)
r2=$(train 0.91 11)
"$PLUMB" model register churn --run "$r1" --path model.bin >/dev/null
"$PLUMB" model register churn --run "$r2" --path model.bin >/dev/null

# Round 1: two different versions race for production.
set +e
"$PLUMB" model promote churn@1 --to production >a.out 2>a.err &
pa=$!
"$PLUMB" model promote churn@2 --to production >b.out 2>b.err &
pb=$!
wait $pa; sa=$?
wait $pb; sb=$?
set -e
assert_eq "0 1" "$(printf '%s\n' "$sa" "$sb" | sort | tr '\n' ' ' | sed 's/ $//')" "exactly one of two racing promotions wins"
loser_err=$(cat a.err b.err)
assert_contains "$loser_err" "in progress" "the loser is told another promotion is in progress"
assert_contains "$loser_err" "nothing changed" "the loser changed nothing"
"$PLUMB" model history churn --json > h.json
assert_eq 1 "$(json_get 'len([t for t in j if t["kind"]=="promote"])' < h.json)" "one promotion recorded"
assert_eq 1 "$("$PLUMB" model list --json | json_get '1 if j[0]["production"] in (1, 2) else 0')" "one version in production"
winner=$("$PLUMB" model show churn@production --json | json_get 'j["version"]')
assert_eq "$winner" "$(cat deployed/live-version)" "the deployed version is the recorded one"
n_prod=$(for v in 1 2; do "$PLUMB" model show churn@$v --json | json_get 'j["stage"]'; done | grep -c production || true)
assert_eq 1 "$n_prod" "exactly one holder of production"

# Round 2: the same version promoted twice at once to staging (no deploy
# target for staging, so both are fast: serialized by the store).
other=$((3 - winner))
set +e
"$PLUMB" model promote churn@$other --to staging >c.out 2>c.err &
pc=$!
"$PLUMB" model promote churn@$other --to staging >d.out 2>d.err &
pd=$!
wait $pc; sc=$?
wait $pd; sd=$?
set -e
assert_eq "0 1" "$(printf '%s\n' "$sc" "$sd" | sort | tr '\n' ' ' | sed 's/ $//')" "same promotion twice at once: one wins"
assert_eq 1 "$("$PLUMB" model history churn --json | json_get 'len([t for t in j if t["to"]=="staging"])')" "one staging transition"

# The store is sound and no claim is left behind: a later promotion works.
rm deployed/slow
assert_status 0 "promotion after the race" -- "$PLUMB" model promote churn@$other --to production
assert_status 0 "fsck" -- "$PLUMB" fsck

done_testing
