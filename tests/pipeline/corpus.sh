#!/bin/sh
# corpus.sh - every small pipeline under tests/data/pipeline/corpus gives the graph DVC would build (expected.json), or DVC's refusal (expected.err).
. "${top_srcdir}/tests/lib.sh"

# Each case is a directory: a dvc.yaml (or the file named by `args`, which
# holds extra arguments for plumb dag), the files it reads, and either
# expected.json (`plumb dag --json`, pretty-printed) or expected.err (a
# line the error message must contain; exit status 1).  To add a case,
# write the pipeline, work out the graph DVC builds by hand, and write
# it down; `PLUMB_CORPUS_SHOW=1` prints what plumb gives.
py=${PYTHON3_SYS:-python3}
corpus="${top_srcdir}/tests/data/pipeline/corpus"
n=0
for dir in "$corpus"/*/; do
	name=$(basename "$dir")
	rm -rf "$T/case" && cp -R "$dir" "$T/case" && chmod -R u+w "$T/case"
	cd "$T/case"
	args=$(cat args 2>/dev/null || true)
	set +e
	# shellcheck disable=SC2086
	"$PLUMB" dag --json $args >out.json 2>err.txt
	rc=$?
	set -e
	n=$((n + 1))
	if [ -e expected.err ]; then
		assert_eq 1 "$rc" "$name: refused"
		assert_contains "$(cat err.txt)" "$(cat expected.err)" "$name: message"
	else
		assert_eq 0 "$rc" "$name: accepted ($(cat err.txt))"
		if "$py" -m json.tool --indent 2 out.json >got.json 2>/dev/null; then
			if diff -u expected.json got.json >diff.txt; then ok; else
				fail "$name: graph differs from DVC's:
$(cat diff.txt)"
			fi
		else
			fail "$name: not JSON: $(cat out.json)"
		fi
	fi
	[ -n "${PLUMB_CORPUS_SHOW:-}" ] && cat out.json err.txt >&2
	[ ! -e .plumb ] && ok || fail "$name: plumb dag wrote a store"
	cd "$T"
done
[ "$n" -ge 19 ] && ok || fail "the corpus holds $n cases"
done_testing
