#!/bin/sh
# examples/quickstart.sh - plumb's main job on a fresh workspace: track a few runs, list and compare them.
# Usage: examples/quickstart.sh [WORKSPACE_DIR]   (default: ./plumb-quickstart)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# The plumb built next to this script (a source tree), else the one on
# PATH (an installed plumb), else a clear message.
if [ -z "${PLUMB:-}" ]; then
	if [ -x "$here/../plumb" ] && [ ! -d "$here/../plumb" ]; then
		PLUMB=$here/../plumb
	elif command -v plumb >/dev/null 2>&1; then
		PLUMB=$(command -v plumb)
	else
		echo "quickstart.sh: no plumb found (build it, put it on PATH, or set PLUMB)" >&2
		exit 1
	fi
fi
ws=${1:-plumb-quickstart}
mkdir -p "$ws"
cd "$ws"

"$PLUMB" init
for lr in 0.05 0.1 0.4; do
	"$PLUMB" run -e toy -n "lr-$lr" -p model=linear -- sh "$here/train.sh" "$lr" 30
done
echo
echo "== all runs"
"$PLUMB" runs -e toy
echo
echo "== runs with loss < 0.2 and the linear model, best first"
"$PLUMB" runs -e toy -f "metrics.loss < 0.2 and params.model = 'linear'" -s metrics.loss \
	-c id,name,status,metrics.loss,metrics.accuracy,params.lr
echo
set -- $("$PLUMB" runs -e toy -s metrics.loss --ids)
echo "== best run"
"$PLUMB" show "$1"
echo
echo "== best vs worst"
"$PLUMB" diff "$1" "$3"
echo
echo "Workspace: $(pwd).  Try: $PLUMB runs --json, $PLUMB metrics $(echo "$1" | cut -c1-8) loss"
