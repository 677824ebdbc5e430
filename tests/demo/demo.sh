#!/bin/sh
# tests/demo/demo.sh - plumb demo end to end (compressed): the loop is asserted from the store's --json outputs, not from the narration; nothing is left running or listening.
# .ci/run runs the suite twice (sanitizers, then plain); this long test
# runs once, in the sanitizer suite, where its checks matter most.
if [ -n "${PLUMB_CI_PLAIN:-}" ]; then
	echo "SKIP: run in the sanitizer suite of .ci/run"
	exit 77
fi
. "$top_srcdir/tests/lib.sh"
: "${PYTHON3_SYS:=/usr/bin/python3}"

# Bad input first (cheap): a python without the packages is named with
# the install command; a non-empty directory is refused without --force.
printf '#!/bin/sh\nexit 1\n' > nopy
chmod +x nopy
PLUMB_DEMO_PYTHON=$T/nopy assert_status 1 "packages missing" -- "$PLUMB" demo ws0
assert_contains "$(cat "$T/.err")" "sudo apt-get install -y python3-sklearn" "the install command is named"
mkdir busy && echo mine > busy/notes.txt
assert_status 1 "non-empty directory" -- "$PLUMB" demo busy
assert_contains "$(cat "$T/.err")" "is not empty" "refused with the reason"
assert_contains "$(cat "$T/.err")" "--force" "and the way out"
assert_eq mine "$(cat busy/notes.txt)" "the user's file is untouched"
assert_status 2 "usage" -- "$PLUMB" demo a b

if ! "$PYTHON3_SYS" -c "import sklearn, prometheus_client, yaml, numpy" 2>/dev/null; then
	echo "SKIP: the demo needs python3-sklearn, python3-prometheus-client, python3-yaml and python3-numpy (sudo apt-get install -y python3-sklearn python3-prometheus-client python3-yaml)"
	done_testing > /dev/null || exit 1
	exit 77
fi

start=$(date +%s)
set +e
"$PLUMB" demo ws > demo.out 2>&1
rc=$?
set -e
echo "plumb demo: exit $rc in $(($(date +%s) - start)) s"
assert_eq 0 "$rc" "plumb demo completed (last lines: $(tail -n 20 demo.out))"
cd ws

# From the store: the registry's history.
"$PLUMB" model history churn --json > hist.json
py() { "$PYTHON3_SYS" -c "import json; $1"; }
promoted=$(py "h=json.load(open('hist.json')); print(' '.join(str(e['version']) for e in h if e['kind']=='promote' and e['status']=='ok' and e['to']=='production'))")
set -- $promoted
[ $# -ge 2 ] && ok || fail "two versions promoted to production, got [$promoted]"
rolled=$(py "h=json.load(open('hist.json')); print(sum(1 for e in h if e['kind']=='promote' and e['status']=='failed'))")
assert_eq 1 "$rolled" "one promotion failed its health check and was rolled back"
first=$1
last=$(eval echo "\${$#}")
[ "$first" != "$last" ] && ok || fail "the last promotion is another version ($first, $last)"
prod=$(py "import subprocess; print(json.loads(subprocess.run(['$PLUMB','model','show','churn@production','--json'],capture_output=True).stdout)['version'])")
assert_eq "$last" "$prod" "the retrained version holds production"

# The drift alert fired and resolved; so did the latency one.
"$PLUMB" alerts history --json > alerts.json
for a in ChurnInputDrift ChurnLatencyHigh; do
	got=$(py "a=json.load(open('alerts.json')); print(sum(1 for x in a if x['alertname']=='$a' and x.get('firedAt') and x.get('endsAt')))")
	[ "$got" -ge 1 ] && ok || fail "$a fired and resolved (alerts history: $(cat alerts.json | head -c 600))"
done

# The CT run: a tracked run whose reason is the drift alert.
if "$PLUMB" triggers --help > /dev/null 2>&1; then
	"$PLUMB" triggers history --json > ct.json
	got=$(py "t=json.load(open('ct.json')); print(sum(1 for x in t if 'ChurnInputDrift' in json.dumps(x)))")
	[ "$got" -ge 1 ] && ok || fail "a CT run caused by ChurnInputDrift (triggers history: $(head -c 600 ct.json))"
else
	echo "note: this plumb has no triggers (continuous training): the CT assertions are not made"
	assert_contains "$(cat ../demo.out)" "this plumb has no triggers: section yet" "the demo says so"
fi

# Notifications reached the receiver command, when this plumb has them.
if "$PLUMB" help alerts 2>/dev/null | grep -qi receiver; then
	assert_contains "$(cat logs/notifications.log)" "FIRING   ChurnInputDrift" "drift notification delivered"
	assert_contains "$(cat logs/notifications.log)" "RESOLVED ChurnInputDrift" "resolved notification delivered"
fi

# Nothing left behind: every process the demo or a deploy started is gone,
# and nothing listens on the server's port.
for p in $(awk '{ print $2 }' run/pids.log); do
	if kill -0 "$p" 2>/dev/null; then
		fail "pid $p ($(grep " $p\$" run/pids.log | cut -d' ' -f1)) still runs: $(tr '\0' ' ' < /proc/$p/cmdline)"
		kill "$p" 2>/dev/null || :
	else
		ok
	fi
done
[ "$(wc -l < run/pids.log)" -ge 5 ] && ok || fail "pids recorded: $(cat run/pids.log)"
port=$(cat run/port)
"$PYTHON3_SYS" -c "
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(('127.0.0.1', $port)) != 0 else 1)" && ok || fail "port $port still listens"

# Running it again says what to do.
cd "$T"
assert_status 1 "a second run" -- "$PLUMB" demo ws
assert_contains "$(cat "$T/.err")" "already holds a demo" "says so"
assert_contains "$(cat "$T/.err")" "plumb demo --force" "and how to start again"

done_testing
