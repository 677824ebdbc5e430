#!/bin/sh
# lock-full.sh - a full disk while plumb.lock is written (issue 15 item 9): the stage is not
# reported done, the error names the file and the cause, and repro exits nonzero.
. "${top_srcdir}/tests/lib.sh"

"$PLUMB" init -q
printf 'x\n' > in.txt
printf 'stages:\n  s:\n    cmd: cat in.txt > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n' > dvc.yaml
# plumb writes plumb.lock.tmp.PID, then renames it: that name, linked to /dev/full (every write
# fails with ENOSPC) by a shell that then becomes plumb (exec keeps the pid), is a full disk.
set +e
PLUMB="$PLUMB" sh -c 'ln -s /dev/full plumb.lock.tmp.$$ && exec "$PLUMB" repro' >out 2>err
rc=$?
set -e
assert_eq 1 "$rc" "repro exits 1 when plumb.lock cannot be written"
assert_contains "$(cat err)" "cannot write" "the error is on stderr"
assert_contains "$(cat err)" "No space left on device" "the cause is named"
assert_not_contains "$(cat out)" "done        s" "the stage is not reported done"
assert_contains "$(cat out)" "FAILED      s  (recording it in the lock file" "the stage is reported failed, and why"
assert_contains "$(cat out)" "0 ran" "the summary does not count it as ran"
# nothing left behind, and the next run records it
[ ! -e plumb.lock.tmp.* ] 2>/dev/null && ok || fail "a tmp lock file is left: $(ls)"
assert_status 0 "repro once the disk has room" -- "$PLUMB" repro
assert_contains "$(cat plumb.lock)" "out.txt" "plumb.lock records the stage"
done_testing
