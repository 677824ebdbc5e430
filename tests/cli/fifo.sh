#!/bin/sh
# fifo.sh - a FIFO without a writer, /dev/zero or a directory where plumb expects a regular file is
# refused within 2 s with a clear error, never a hang, a growing memory or a spin (issue 15 item 4);
# a pipe with a writer still works: `plumb drift <(zcat ref.csv.gz) cur.csv` (read once).
. "${top_srcdir}/tests/lib.sh"

# within WHAT EXPECT-IN-STDERR -- CMD...: CMD must exit 1 (an error, not a signal: a hang is killed
# at 30 s) and say EXPECT on stderr, within 2 s more than plumb takes to start and answer at all
# (measured on this machine, now: `plumb runs`; a loaded CI machine under ASan is slow to start).
within() {
	what=$1 expect=$2
	shift 3
	t0=$(date +%s%N)
	"$PLUMB" runs >/dev/null 2>&1 || true
	base=$((($(date +%s%N) - t0) / 1000000))
	t0=$(date +%s%N)
	set +e
	timeout -s KILL 30 "$@" </dev/null >"$T/.out" 2>"$T/.err"
	got=$?
	set -e
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$got" = 1 ]; then ok; else
		fail "$what: exit $got, expected 1 (137 = hung and killed); stderr: $(head -c 300 "$T/.err")"
	fi
	[ "$ms" -lt $((2000 + 2 * base)) ] && ok || fail "$what: took $ms ms (plumb runs: $base ms)"
	assert_contains "$(cat "$T/.err")" "$expect" "$what: the error says why"
}

mkdir w && cd w
"$PLUMB" init -q
mkfifo fifo
mkdir dir
run=$("$PLUMB" run --name r -- true 2>&1 | grep -o '[0-9a-f]\{8,\}' | head -1)

for f in fifo /dev/zero dir; do
	case $f in
	fifo) kind="a FIFO" ;;
	/dev/zero) kind="a character device" ;;
	dir) kind="a directory" ;;
	esac
	within "log artifact $f" "is $kind" -- "$PLUMB" log artifact --run "$run" "$f"
	within "drift $f (ref)" "" -- "$PLUMB" drift "$f" /dev/null
	within "detect $f" "" -- "$PLUMB" detect "$f"
	[ "$f" = dir ] && continue	# a directory is a dataset
	within "data add $f" "is $kind, not a regular file" -- "$PLUMB" data add "$f"
	within "data hash $f" "is $kind, not a regular file" -- "$PLUMB" data hash "$f"
done
within "drift /dev/zero" "is a character device" -- "$PLUMB" drift /dev/zero /dev/zero
within "detect /dev/zero" "is a character device" -- "$PLUMB" detect /dev/zero
within "drift fifo" "fifo: empty file" -- "$PLUMB" drift fifo fifo

# artifacts of plumb run: the PLUMB_FD protocol's artifact line
set +e
timeout -s KILL 30 "$PLUMB" run --name a -- sh -c 'echo "artifact fifo" >&"$PLUMB_FD"; echo "artifact /dev/zero" >&"$PLUMB_FD"' \
	>"$T/.out" 2>"$T/.err"
got=$?
set -e
[ "$got" != 137 ] && ok || fail "run with a FIFO artifact hung"
assert_contains "$(cat "$T/.err")" "fifo: is a FIFO" "run: the FIFO artifact is named"
assert_contains "$(cat "$T/.err")" "/dev/zero: is a character device" "run: /dev/zero named"

# --- pipelines: dvc.yaml, params, vars:, plumb.lock, deps, metrics, pointer files -----------
cd .. && mkdir p && cd p
"$PLUMB" init -q
printf 'x\n' > in.txt
mkfifo pf
mv pf dvc.yaml
within "dvc.yaml a FIFO" "not a regular file" -- "$PLUMB" repro
within "dvc.yaml a FIFO (status)" "not a regular file" -- "$PLUMB" status
rm dvc.yaml && ln -s /dev/zero dvc.yaml
within "dvc.yaml to /dev/zero" "not a regular file" -- "$PLUMB" dag
rm dvc.yaml

printf 'stages:\n  s:\n    cmd: cat in.txt > out.txt\n    deps: [in.txt]\n    params: [lr]\n    outs: [out.txt]\n' > dvc.yaml
mkfifo params.yaml
within "params.yaml a FIFO" "params.yaml" -- "$PLUMB" repro
rm params.yaml && ln -s /dev/zero params.yaml
within "params.yaml to /dev/zero" "params.yaml" -- "$PLUMB" repro
rm params.yaml && printf 'lr: 1\n' > params.yaml

printf 'vars: [v.yaml]\nstages:\n  s:\n    cmd: cat in.txt > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n' > dvc.yaml
mkfifo v.yaml
within "vars file a FIFO" "v.yaml" -- "$PLUMB" repro
rm v.yaml && ln -s /dev/zero v.yaml
within "vars file to /dev/zero" "v.yaml" -- "$PLUMB" dag
rm v.yaml && printf 'a: 1\n' > v.yaml

mkfifo plumb.lock
within "plumb.lock a FIFO" "plumb.lock" -- "$PLUMB" status
rm plumb.lock && ln -s /dev/zero plumb.lock
within "plumb.lock to /dev/zero" "plumb.lock" -- "$PLUMB" repro
rm plumb.lock

rm in.txt && mkfifo in.txt
within "dep a FIFO" "in.txt is a FIFO" -- "$PLUMB" repro
rm in.txt && ln -s /dev/zero in.txt
within "dep to /dev/zero" "in.txt" -- "$PLUMB" repro
rm in.txt && mkdir in.txt && mkfifo in.txt/f && printf 'y\n' > in.txt/g
printf 'vars: [v.yaml]\nstages:\n  s:\n    cmd: ls in.txt > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n' > dvc.yaml
set +e
timeout -s KILL 30 "$PLUMB" repro >"$T/.out" 2>"$T/.err"; got=$?
set -e
assert_eq 0 "$got" "a dep directory holding a FIFO: hashed without it, no hang ($(cat "$T/.err"))"

# metrics a stage writes: a FIFO, a link to /dev/zero, a directory (each its own stage)
printf 'stages:\n  m1:\n    cmd: mkfifo m1.json\n    metrics: [m1.json]\n  m2:\n    cmd: ln -sf /dev/zero m2.json\n    metrics: [m2.json]\n' > dvc.yaml
set +e
timeout -s KILL 30 "$PLUMB" repro >"$T/.out" 2>"$T/.err"; got=$?
set -e
assert_eq 1 "$got" "repro with FIFO/device/directory metrics fails, no hang"
out=$(cat "$T/.out" "$T/.err")
assert_contains "$out" "m1.json is a FIFO" "metrics FIFO: named"
assert_contains "$out" "m2.json" "metrics /dev/zero: named"
printf 'stages:\n  m3:\n    cmd: mkdir -p m3.json\n    metrics: [{m3.json: {cache: false}}]\n' > dvc.yaml
set +e
timeout -s KILL 30 "$PLUMB" repro >"$T/.out" 2>"$T/.err"; got=$?
set -e
assert_eq 0 "$got" "a directory as metrics: a warning, the stage ran"
assert_contains "$(cat "$T/.err")" "m3.json: is a directory" "metrics directory: named"
rm -rf m1.json m2.json m3.json

# pointer files
printf 'data\n' > d.txt
"$PLUMB" data add d.txt >/dev/null
mv d.txt.plumb p.save && mkfifo d.txt.plumb
within "pointer file a FIFO" "d.txt.plumb" -- "$PLUMB" data checkout d.txt
rm d.txt.plumb && ln -s /dev/zero d.txt.plumb
within "pointer file to /dev/zero" "d.txt.plumb: is a character device" -- "$PLUMB" data status d.txt
rm d.txt.plumb

# --- plumb check --junit to a FIFO nobody reads: refused at once, not blocked on ----------------
cd .. && mkdir c && cd c
printf 'a\n1\n2\n' > x.csv
printf 'checks:\n  d:\n    data: x.csv\n    columns:\n      a: {max: 3}\n' > plumb.yaml
mkfifo junit.xml
within "check --junit FIFO" "is a FIFO that nothing reads" -- "$PLUMB" check --junit junit.xml
# with a reader it is written: this shell holds the FIFO open (read and write, so the open does
# not wait), plumb writes the report into the pipe, and it is read back after
exec 3<>junit.xml
assert_status 0 "check --junit to a FIFO with a reader" -- timeout -s KILL 30 "$PLUMB" check --junit junit.xml
timeout 2 cat <&3 > got.xml || true
exec 3<&-
assert_contains "$(cat got.xml)" "<testsuites" "the reader got the report"
rm x.csv && mkfifo x.csv
assert_status 1 "check on a FIFO data file" -- timeout -s KILL 30 "$PLUMB" check
assert_contains "$(cat "$T/.out")" "x.csv: empty file" "check: a FIFO without writer reads as empty"
rm x.csv && ln -s /dev/zero x.csv
assert_status 1 "check on /dev/zero" -- timeout -s KILL 30 "$PLUMB" check
assert_contains "$(cat "$T/.out")" "is a character device" "check: /dev/zero refused"

# --- a pipe WITH a writer is a real input, read once ----------------------------------------------
cd .. && mkdir d && cd d
printf 'a,b\n1,x\n2,y\n3,z\n' > text.csv
printf 'a,b\n1,2\n3,4\n5,6\n' > num.csv
gzip -k text.csv num.csv
# b is text on one side and numbers on the other: the numeric side is read again, as text;
# a pipe must be drained once and kept
for args in "num text" "text num"; do
	set -- $args
	out=$(bash -c "\"\$PLUMB\" drift <(zcat $1.csv.gz) <(zcat $2.csv.gz)" 2>&1) &&
		ok || fail "drift of two pipes ($args): $out"
	assert_contains "$out" "categorical" "drift of pipes ($args): b compared as text"
	out=$(bash -c "\"\$PLUMB\" drift <(zcat $1.csv.gz) $2.csv" 2>&1) &&
		ok || fail "drift of a pipe and a file ($args): $out"
done
bash -c '"$PLUMB" detect -c a <(zcat num.csv.gz)' >/dev/null 2>&1 && ok || fail "detect on a pipe"

done_testing
