#!/bin/sh
# tests/cli/quickstart.sh - examples/quickstart.sh runs with an installed plumb (on PATH, no
# ../plumb beside it) and with the built one, and says so clearly when there is none.
. "$top_srcdir/tests/lib.sh"

# An "installed" layout: the examples copied somewhere, plumb on PATH.
mkdir -p inst/bin ex
cp "$top_srcdir/examples/quickstart.sh" "$top_srcdir/examples/train.sh" ex/
ln -s "$PLUMB" inst/bin/plumb
out=$(env -u PLUMB PATH="$T/inst/bin:$PATH" sh ex/quickstart.sh ws1 2>&1) ||
	fail "quickstart with plumb on PATH failed: $out"
assert_contains "$out" "== best run" "the quick start reaches the best run"
assert_not_contains "$out" "not found" "no missing ../plumb"
assert_contains "$out" "Try: $T/inst/bin/plumb" "it names the plumb it used"

# No plumb anywhere: one clear line, exit 1.
set +e
out=$(env -u PLUMB PATH=/usr/bin:/bin sh ex/quickstart.sh ws2 2>&1)
st=$?
set -e
assert_eq 1 "$st" "no plumb: exit 1"
assert_contains "$out" "no plumb found" "no plumb: says so"

done_testing
