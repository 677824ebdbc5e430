#!/bin/sh
# tests/tui/pipeline.sh - the pipeline screen in tmux: the DAG with each stage's state, a repro
# launched from the TUI, its stage output in the log pane until every stage is up to date, a
# forced stage cancelled with c, a repro started in another terminal seen and cancelled, and
# Esc back to the runs.  Stage states come from the store (progress.h), not from repro's output.
. "$top_srcdir/tests/tui/tmux.sh"

"$PLUMB" init -q
cat >plumb.yaml <<'YAML'
stages:
  prepare:
    cmd: sh -c 'echo preparing; echo a > data.txt'
    outs: [data.txt]
  featurize:
    cmd: sh -c 'echo featurizing; cat data.txt > feat.txt'
    deps: [data.txt]
    outs: [feat.txt]
  split:
    cmd: sh -c 'cat data.txt > split.txt'
    deps: [data.txt]
    outs: [split.txt]
  train:
    cmd: sh -c 'for i in 1 2 3; do echo epoch-$i; done; if [ -f slow ]; then echo waiting-for-cancel; sleep 30; fi; cat feat.txt split.txt > model.bin'
    deps: [feat.txt, split.txt]
    outs: [model.bin]
YAML

tm_start 140 36 TERM=xterm-256color
expect "0 of 0" "the runs screen opens on an empty store"
tm_keys p
expect "pipeline" "p opens the pipeline screen"
expect "featurize" "stages are drawn"
expect "4 changed" "never-run stages are changed"
expect "never run" "the selected stage says why"
tm_keys r
expect "epoch-3" "the repro's output streams into the log"
expect "4 ran" "the repro's summary shows"
expect "4 up to date" "every stage is up to date at the end"
expect "repro finished" "the status line reports the end"
if [ -f model.bin ]; then ok; else fail "the pipeline really ran"; fi
assert_eq 4 "$("$PLUMB" runs --ids | wc -l)" "each stage ran as a tracked run"

# Force the last stage alone, make it wait, cancel it.
touch slow
tm_keys G
tm_keys f
expect "waiting-for-cancel" "a forced stage runs"
expect "1 running" "the running stage is counted"
tm_keys c
expect "killed" "c cancels the repro (SIGINT to its group)"
expect "repro killed" "the status line reports the cancel"
expect "0 running" "nothing runs after the cancel"

# A repro started in another terminal shows here too (the screen reads
# the stage states from the store), and c cancels it by its pid.
"$PLUMB" repro --force --single-item train >"$T/bg.out" 2>&1 &
bg=$!
expect "waiting-for-cancel" "another terminal's repro: its stage output shows"
expect "1 running" "another terminal's repro: its running stage is counted"
expect "repro running" "another terminal's repro: the header says a repro runs"
tm_keys c
expect "cancelling repro pid $bg" "c cancels another terminal's repro by pid"
expect "repro killed" "its end is reported"
wait "$bg" || true
expect "0 running" "nothing runs after that cancel"

tm_keys Enter
expect "filter: tags.stage = 'train'" "Enter lists the stage's runs"
expect "3 of 6" "the three runs of train"
tm_keys Escape
expect "DAG" "Esc from them comes back to the pipeline"
tm_keys Escape
expect "6 of 6" "Esc goes back to the runs, which list the stage runs"
tm_keys q
expect "EXITED 0" "quits"
done_testing
