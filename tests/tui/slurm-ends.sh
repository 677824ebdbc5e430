#!/bin/sh
# tests/tui/slurm-ends.sh - the pipeline screen after a repro on a private Slurm cluster: a stage whose job never started (dependency never satisfied) and one cancelled outside plumb show their one-letter marks and, when selected, their end in words (who cancelled), sanitized.
. "$top_srcdir/tests/tui/tmux.sh"
. "$top_srcdir/tests/lib/slurm-cluster.sh"

S="$T/slurm"
trap 'slurm_cluster_stop "$S"; tm_cleanup' EXIT INT TERM
slurm_cluster_start "$S" || { rc=$?; echo "SKIP: $SLURM_SKIP"; exit $rc; }

cd "$T"
"$PLUMB" init -q
cat >plumb.yaml <<'YAML'
stages:
  prep:
    cmd: sleep 1; exit 3
    outs: [prep.out]
  train:
    cmd: cat prep.out > model.bin
    deps: [prep.out]
    outs: [model.bin]
  zeval:
    cmd: touch z-started; sleep 60; echo z > z.out
    outs: [z.out]
YAML
"$PLUMB" repro --executor slurm -k >repro.out 2>&1 &
pid=$!
i=0
while [ ! -f z-started ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.1; done
scancel "$(squeue -h -n plumb:zeval -o %i)"
wait $pid || true
assert_contains "$(cat repro.out)" "blocked     train" "train never started"
z=$("$PLUMB" runs --csv -c id,name | grep ',zeval$' | cut -d, -f1)
# what a cluster says reaches the terminal sanitized: a hostile name
"$PLUMB" log tag slurm.cancelled_by "$(printf 'root\033[31mRED')" --run "$z"
st=$("$PLUMB" status 2>&1)
assert_contains "$st" "last run: dependency never satisfied" "status: train's end"
assert_contains "$st" "last run: cancelled by root" "status: zeval's end, by whom"
case "$st" in *"$(printf '\033')"*) fail "an escape reached the terminal from plumb status" ;; *) ok ;; esac

tm_start 140 36 TERM=xterm-256color
expect "3 of 3" "the runs screen opens on the three stage runs"
tm_keys p
expect "[DAG]" "p opens the pipeline screen"
expect "zeval" "the pipeline screen draws the stages"
# select each stage in turn (arrows move in the DAG) until TEXT shows
select_showing() {
	for k in g j j j G k k k; do
		tm_wait "$1" 1 && { ok; return; }
		tm_keys $k
	done
	fail "$2: [$1] never on screen: $(tm_screen)"
}
select_showing "last run: cancelled by root" "zeval says how its last run ended, by whom"
expect_gone "rootRED" "the cluster's words are sanitized (no escape sequence reached tmux)"
select_showing "last run: failed" "prep's plain failure"
select_showing "last run: dependency never satisfied" "train: its job never started"
tm_screen >screen.txt
assert_contains "$(cat screen.txt)" "[D train]" "train's mark in the DAG: D, dependency never satisfied"
assert_contains "$(cat screen.txt)" "[C zeval]" "zeval's: C, cancelled by someone"
assert_contains "$(cat screen.txt)" "[F prep]" "prep's: F, failed"
tm_keys Escape
expect "3 of 3" "Esc goes back to the runs"

# The whole graph queued at once: the screen tells queued from running.
# (prep waits for release-prep: "go" is tmux.sh's own start signal in $T)
cat >plumb.yaml <<'YAML'
stages:
  prep:
    cmd: touch p-started; while [ ! -f release-prep ]; do sleep 0.1; done; echo p > prep.out
    outs: [prep.out]
  train:
    cmd: cat prep.out > model.bin
    deps: [prep.out]
    outs: [model.bin]
YAML
"$PLUMB" repro --executor slurm >repro2.out 2>&1 &
pid=$!
i=0
while [ ! -f p-started ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.1; done
tm_keys p
expect "1 running" "prep runs"
expect "1 queued" "train waits in Slurm's queue, and says so"
touch release-prep
wait $pid || fail "the repro: $(cat repro2.out)"
expect "2 up to date" "both ran"
tm_keys Escape
expect "of 5" "back to the runs"
tm_keys q
expect "EXITED 0" "quits"
done_testing
