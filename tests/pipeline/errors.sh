#!/bin/sh
# errors.sh - pipeline file errors: "plumb: FILE:LINE:COL: message", exit 1; usage errors exit 2.
. "${top_srcdir}/tests/lib.sh"

# expect_err WHAT LOCATION-AND-MESSAGE: plumb.yaml holds the bad pipeline
expect_err() {
	set +e
	"$PLUMB" repro >"$T/.out" 2>"$T/.err"
	st=$?
	set -e
	assert_eq 1 "$st" "$1: exit status"
	assert_contains "$(cat "$T/.err")" "plumb: $2" "$1: message"
}

mkdir w && cd w
printf 'lr: 0.1\n' > params.yaml
touch in.txt

printf 'stages:\n  s:\n    cmd: x\n    outz: [a]\n' > plumb.yaml
expect_err "unknown key" "plumb.yaml:4:5: unknown key 'outz' in a stage (did you mean 'outs'?)"
printf 'stages:\n  s:\n    deps: [in.txt]\n' > plumb.yaml
expect_err "no cmd" "plumb.yaml:2:3: stage 's' has no cmd"
printf 'stages:\n  s:\n    cmd: x\n    always_changed: 1\n' > plumb.yaml
expect_err "wrong type" "plumb.yaml:4:21: always_changed must be true or false, not an integer"
printf 'stages:\n  a:\n    cmd: x\n    outs: [o]\n  b:\n    cmd: y\n    outs: [./o]\n' > plumb.yaml
expect_err "two writers" "plumb.yaml:7:12: output './o' of stage 'b' is also an output of stage 'a' (line 4)"
printf 'stages:\n  a:\n    cmd: x\n    outs: [d]\n  b:\n    cmd: y\n    outs: [d/sub/f]\n' > plumb.yaml
expect_err "nested" "plumb.yaml:7:12: output 'd/sub/f' of stage 'b' is inside output 'd' of stage 'a'"
cat > plumb.yaml <<'P'
stages:
  one:
    cmd: x
    deps: [three.out]
    outs: [one.out]
  two:
    cmd: x
    deps: [one.out]
    outs: [two.out]
  three:
    cmd: x
    deps: [two.out]
    outs: [three.out]
P
expect_err "cycle" "plumb.yaml:2:3: dependency cycle: "
for s in one two three; do
	assert_contains "$(cat "$T/.err")" "$s" "the cycle names $s"
done
printf 'stages:\n  s:\n    cmd: x\n    deps: [in.txt, nowhere.csv]\n' > plumb.yaml
expect_err "missing dep" "plumb.yaml:4:20: dependency 'nowhere.csv' of stage 's' does not exist and no stage produces it"
printf 'stages:\n  s:\n    cmd: x\n    params: [lr, momentum]\n' > plumb.yaml
expect_err "missing param" "plumb.yaml:4:18: param 'momentum' of stage 's' is not in params.yaml"
printf 'stages:\n  s:\n    cmd: x\n    params: [{other.yaml: [a]}]\n' > plumb.yaml
expect_err "missing params file" "plumb.yaml:4:28: params file 'other.yaml' of stage 's' does not exist"
printf 'stages:\n  s:\n    cmd: echo ${nope.x}\n' > plumb.yaml
expect_err "undefined" "plumb.yaml:3:10: cannot interpolate '\${nope.x}': not defined"
printf 'stages:\n  s:\n    cmd: [x\n' > plumb.yaml
expect_err "yaml syntax" "plumb.yaml:4:1: "

# dvc.yaml when there is no plumb.yaml; -f names another file
rm plumb.yaml
printf 'stages:\n  s:\n    cmd: x\n    outs: bad\n' > dvc.yaml
expect_err "dvc.yaml" "dvc.yaml:4:11: outs must be a list, not a string"
printf 'stages:\n  s:\n    kmd: x\n' > other.yaml
set +e
"$PLUMB" status -f other.yaml >/dev/null 2>"$T/.err"; st=$?
set -e
assert_eq 1 "$st" "-f FILE: exit"
assert_contains "$(cat "$T/.err")" "plumb: other.yaml:3:5: unknown key 'kmd' in a stage (did you mean 'cmd'?)" "-f FILE: message"
rm dvc.yaml
set +e
"$PLUMB" repro >/dev/null 2>"$T/.err"; st=$?
set -e
assert_eq 1 "$st" "no pipeline file"
assert_contains "$(cat "$T/.err")" "no plumb.yaml or dvc.yaml" "no pipeline file: message"

# usage errors: exit 2
printf 'stages:\n  s:\n    cmd: "true"\n' > plumb.yaml
assert_status 2 "bad -j" -- "$PLUMB" repro -j 0
assert_status 2 "bad --link" -- "$PLUMB" repro --link symlink
assert_status 2 "bad option" -- "$PLUMB" repro --frobnicate
assert_status 2 "data without subcommand" -- "$PLUMB" data
assert_status 2 "data log without path" -- "$PLUMB" data log
assert_status 1 "unknown target" -- "$PLUMB" repro nosuchstage
assert_contains "$(cat "$T/.err")" "no stage named 'nosuchstage'" "unknown target: message"

# a damaged lock file is reported where it is damaged
"$PLUMB" repro >/dev/null 2>&1 || fail "repro"
printf 'schema: plumb-lock/1\nstages:\n  s:\n    deps: [1]\n' > plumb.lock
set +e
"$PLUMB" status >/dev/null 2>"$T/.err"; st=$?
set -e
assert_eq 1 "$st" "damaged lock: exit"
assert_contains "$(cat "$T/.err")" "plumb.lock:4:5: a stage needs its cmd" "damaged lock: location"

done_testing
