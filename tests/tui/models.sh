#!/bin/sh
# tests/tui/models.sh - the models screen in tmux: versions with stage badges, lineage, diff of two marked versions,
# promote through the gate dialog (no, a failed gate, yes + deploy), rollback through its dialog, and the history.
. "$top_srcdir/tests/tui/tmux.sh"

"$PLUMB" init -q
mkdir deployed
cat >train.sh <<'EOF'
# train.sh ACC LATENCY LR: writes model.bin, logs params, metrics and the artifact
printf 'model acc=%s lr=%s\n' "$1" "$3" > model.bin
{
	echo "param lr $3"
	echo "metric accuracy $1"
	echo "metric latency_p95_ms $2"
	echo "artifact model.bin"
} >&"$PLUMB_FD"
EOF
cat >deploy.sh <<'EOF'
echo "deploying $PLUMB_MODEL_NAME v$PLUMB_MODEL_VERSION to $PLUMB_MODEL_STAGE"
cp "$PLUMB_MODEL_PATH" deployed/current
EOF
cat >plumb.yaml <<'EOF'
checks:
  quality:
    model: churn
    gates:
      - accuracy >= 0.85
deploy:
  local:
    model: churn
    stage: production
    cmd: sh deploy.sh
    timeout: 10
models:
  churn:
    description: churn classifier
    metrics: {accuracy: higher, latency_p95_ms: lower}
EOF

train() {
	"$PLUMB" run -q -- sh train.sh "$@" >/dev/null 2>&1
	"$PLUMB" model register churn --run "$("$PLUMB" runs --ids | head -1)" \
	    --path model.bin >/dev/null
}
train 0.88 12 0.1
train 0.92 15 0.2
train 0.70 9 0.3
"$PLUMB" model promote churn@1 --to production >/dev/null 2>&1
assert_eq "acc=0.88" "$(cut -d' ' -f2 deployed/current)" "v1 deployed by the CLI"

# The row of version N in the versions table shows its stage.
badge() {
	case $2 in
	production) g='\342\227\217' ;; staging) g='\342\227\220' ;;
	archived) g='\342\227\213' ;; *) g='\302\267' ;;
	esac
	tm_wait "v$1 $(printf "$g") $2" 10
}

tm_start 160 45 TERM=xterm-256color
expect "3 of 3" "the runs screen opens"
tm_keys M
expect "versions of churn" "M opens the models screen on the first model"
expect "churn classifier" "the models list shows the description"
if badge 1 production; then ok; else fail "v1 holds production: $(tm_screen)"; fi
expect "v2 $(printf '\302\267') none" "v2 is in no stage"
expect "accuracy" "a metric column"

# Lineage of v2 (versions are newest first: v3, v2, v1).
tm_keys Enter j Enter
expect "lineage churn v2" "Enter shows the lineage"
expect "lr = 0.2" "lineage: params"
expect "accuracy = 0.92" "lineage: metrics snapshot"
run2=$("$PLUMB" model show churn@2 --json | sed -n 's/.*"run_id": *"\([0-9a-f]*\)".*/\1/p' | head -1)
assert_eq 32 "${#run2}" "the CLI shows v2's run"
expect "run       $run2" "lineage: the run"

# Diff v2 and v1.
tm_keys Space Space d
expect "diff v1 (production) vs v2 (none)" "d opens the diff of the marked versions"
expect "better (higher is better)" "accuracy judged by its direction"
expect "worse (lower is better)" "latency judged by its direction"
expect "+0.04" "metric delta"
tm_keys Escape
expect "versions of churn" "Esc comes back"
tm_keys u k

# Promote v2 to production: first say no, nothing changes.
tm_keys P
expect "s staging" "P asks for the stage"
tm_keys p
expect "Gates:" "the confirm dialog shows the gates"
expect "PASS" "the gate result is in the dialog"
expect "0.92" "with the metric's value"
tm_keys n
expect "cancelled: nothing changed" "no changes nothing"
if badge 1 production; then ok; else fail "v1 still in production"; fi
assert_eq "acc=0.88" "$(cut -d' ' -f2 deployed/current)" "no deploy on no"

# A failing gate: v3 to staging is refused before any dialog.
tm_keys g P s
expect "a gate failed" "a failed gate is reported"
expect "FAIL  quality: accuracy >= 0.85" "the detail pane lists it"

# Now yes.
tm_keys j P p
expect "Gates:" "the dialog again"
tm_keys y
expect "reason for the promotion" "yes asks for a reason"
tm_type "better accuracy"
tm_keys Enter
expect "promote churn v2 to production: done" "the promotion ran" 15
if badge 2 production; then ok; else fail "v2 badge: $(tm_screen)"; fi
if badge 1 archived; then ok; else fail "v1 archived: $(tm_screen)"; fi
expect "deploying churn v2 to production" "deploy output streams into the pane"
assert_eq "acc=0.92" "$(cut -d' ' -f2 deployed/current)" "the deploy target has v2"

# Rollback.
tm_keys B
expect "from v2 to v1" "the rollback dialog names both versions"
tm_keys y
expect "reason for the rollback" "yes asks for a reason"
tm_keys Enter
expect "rollback churn production: done" "the rollback ran" 15
if badge 1 production; then ok; else fail "v1 back in production: $(tm_screen)"; fi
assert_eq "acc=0.88" "$(cut -d' ' -f2 deployed/current)" "v1 redeployed"

# History, newest first.
tm_keys h
expect "history churn" "h shows the history"
expect "rollback v1  archived -> production  ok" "the rollback transition"
expect "promote  v2  none -> production  ok" "the promotion"
expect "gate pass quality: accuracy >= 0.85" "with its gate results"
expect "reason: better accuracy" "and the reason typed"

# A promotion started in another terminal shows in the detail pane
# (read from the store).  Its deploy waits until released.
cat >deploy.sh <<'EOS'
echo "deploying $PLUMB_MODEL_NAME v$PLUMB_MODEL_VERSION to $PLUMB_MODEL_STAGE"
while [ ! -f release ]; do sleep 0.1; done
echo "deploy released"
cp "$PLUMB_MODEL_PATH" deployed/current
EOS
"$PLUMB" model promote churn@2 --to production --reason elsewhere >"$T/bg.out" 2>&1 &
bg=$!
expect "promote churn (pid $bg" "another terminal's promotion is followed"
expect "deploying churn v2 to production" "its deploy output shows"
touch release
expect "deploy released" "its later lines follow"
expect "churn v2 now in production" "its outcome shows"
wait "$bg" || fail "the background promotion: $(cat "$T/bg.out")"

tm_keys Escape
expect "3 of 3" "Esc back to the runs"
tm_keys : && tm_type "model nosuch" && tm_keys Enter
expect "no model named 'nosuch' (models: churn)" "an unknown model is an error on the status line"
tm_keys : && tm_type "model churn" && tm_keys Enter
expect "versions of churn" ":model NAME opens it"
tm_keys q q
expect "EXITED 0" "quits"
done_testing
