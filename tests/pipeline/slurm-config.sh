#!/bin/sh
# slurm-config.sh - plumb.yaml's executor: slurm: section: per-stage sbatch arguments (as separate words, units converted) and bad values refused before anything is submitted (no cluster: stand-in sbatch/scontrol record their argv).
. "${top_srcdir}/tests/lib.sh"

# Stand-ins: sbatch records each argument on its own line and runs the
# script at once; scontrol says the job completed.
mkdir bin
cat > bin/sbatch <<'S'
#!/bin/sh
n=$(cat "$FAKE/n" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$FAKE/n"
for a in "$@"; do printf '%s\n' "$a"; done > "$FAKE/argv.$n"
for a in "$@"; do last=$a; done
sh "$last" >/dev/null 2>&1
echo $n
S
cat > bin/scontrol <<'S'
#!/bin/sh
echo "JobId=$5 JobName=x JobState=COMPLETED Reason=None ExitCode=0:0 Partition=debug NodeList=n1"
S
cat > bin/squeue <<'S'
#!/bin/sh
exit 0
S
chmod +x bin/*
export PATH="$T/bin:$PATH" FAKE="$T"

mkdir w && cd w
cat > plumb.yaml <<'P'
stages:
  prep:
    cmd: echo p > p.out
    outs: [p.out]
  train:
    foreach: [a, b]
    do:
      cmd: echo ${item} > ${item}.out
      outs:
        - ${item}.out
executor:
  slurm:
    defaults: {partition: debug, time: 10m, mem: 512}
    stages:
      prep: {time: 1, cpus: 2}
      "train@*": {time: 1h30m, mem: 4G, gres: "gpu:1", account: ml, qos: normal, extra: ["--comment-not-used=it's one word"]}
      train@b: {time: 1-00:00, partition: gpu}
    extra: ["--exclusive"]
P
"$PLUMB" repro --executor slurm -j 1 >r 2>&1 || fail "repro with stand-in Slurm: $(cat r)"
assert_contains "$(cat r)" "3 ran" "every stage submitted"
args_of() { grep -l "^--job-name=plumb:$1\$" "$T"/argv.* | head -1; }
a=$(cat "$(args_of prep)")
assert_contains "$a" "--time=1
" "a bare time is minutes"
assert_contains "$a" "--cpus-per-task=2" "cpus"
assert_contains "$a" "--partition=debug" "defaults apply"
assert_contains "$a" "--mem=512M" "bare mem is megabytes, per node"
assert_contains "$a" "--exclusive" "section extra"
a=$(cat "$(args_of train@a)")
assert_contains "$a" "--time=90
" "1h30m is 90 minutes"
assert_contains "$a" "--mem=4G" "mem with a unit"
assert_contains "$a" "--gres=gpu:1" "gres"
assert_contains "$a" "--account=ml" "account"
assert_contains "$a" "--qos=normal" "qos"
assert_contains "$a" "--comment-not-used=it's one word" "an extra word with a quote and spaces stays one argument"
a=$(cat "$(args_of train@b)")
assert_contains "$a" "--time=1-00:00" "an exact name wins over a glob; Slurm's form passes"
assert_contains "$a" "--partition=gpu" "the stage overrides defaults"
assert_not_contains "$a" "--gres" "only the first matching entry applies"
assert_contains "$(cat "$(args_of prep)")" "--comment=plumb store=" "each job is labelled with its store"

# Bad values: refused with FILE:LINE:COL naming the key, nothing submitted.
bad() {	# KEYLINE EXPECTED MESSAGE
	rm -f "$T"/argv.* "$T/n"
	cat > plumb.yaml <<P
stages:
  prep:
    cmd: echo p > p.out
    outs: [p.out]
executor:
  slurm:
    stages:
      $1
P
	assert_status 1 "$3" -- "$PLUMB" repro --executor slurm -F
	assert_contains "$(cat "$T/.err")" "$2" "$3"
	assert_eq "" "$(ls "$T" | grep argv || true)" "$3: nothing submitted"
}
bad "prep: {cpus: -1}" "plumb.yaml:8:20: executor.slurm.stages.prep: cpus must be a whole number of at least 1, not '-1'" "cpus: -1"
bad "prep: {time: soon}" "plumb.yaml:8:20: executor.slurm.stages.prep: time 'soon' is not a time limit" "time: soon"
bad "prep: {mem: lots}" "plumb.yaml:8:19: executor.slurm.stages.prep: mem 'lots' is not an amount of memory" "mem: lots"
bad "prep: {cpu: 2}" "plumb.yaml:8:14: executor.slurm.stages.prep: unknown key 'cpu'" "an unknown key"
bad "prep: {partition: 'a b'}" "partition 'a b' is not a Slurm name" "a partition with a space"
bad "prep: {extra: '--exclusive'}" "extra must be a list" "extra not a list"
bad "pre: {cpus: 1}" "plumb.yaml:8:7: executor.slurm.stages: no stage is named 'pre'" "a stage name that is not in the pipeline"
bad "prep: {time: 0}" "time '0' is not a time limit" "time: 0"

done_testing
