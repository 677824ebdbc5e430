#!/bin/sh
# tests/alerts/am-receiver.sh - the alertmanager: receiver against a real Alertmanager (Debian's prometheus-alertmanager) on loopback: the alerts plumb watch posts show up in /api/v2/alerts with their labels, annotations, startsAt, endsAt and generatorURL, and resolve (Alertmanager's own webhook then says resolved, with plumb's endsAt).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/monitor/lib.sh"
. "$top_srcdir/tests/lib/alertmanager.sh"

# Alertmanager's webhook goes to the sink: what Alertmanager itself
# notifies after routing what plumb posted
"$PYTHON3_SYS" "$top_srcdir/tests/alerts/webhook-sink.py" --port-file hook.port \
	--out hook.jsonl > hook.log 2>&1 &
PIDS="$PIDS $!"
i=0
while [ ! -s hook.port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s hook.port ] || { fail "webhook sink did not start: $(cat hook.log)"; exit 1; }

am_start "$T/am" "http://127.0.0.1:$(cat hook.port)/am" || {
	rc=$?
	[ $rc = 77 ] && { echo "SKIP: $AM_SKIP"; exit 77; }
	fail "$AM_SKIP"
	exit 1
}
# stopped by its pid, before the workspace goes
trap 'am_stop "$T/am"; cleanup_pids' EXIT INT TERM

"$PLUMB" init > /dev/null
start_server
load 150

am_config() {
	cat > plumb.yaml <<YAML
monitor:
  interval: 1s
  targets:
    api:
      predictions: {path: logs/predictions.jsonl}
alerts:
  builtin: false
  external_url: http://prometheus.test:9090/
  groups:
  - name: g
    interval: 1s
    rules:
    - record: api:predictions
      expr: sum(plumb_predictions_total)
    - alert: ManyPredictions
      expr: $1
      for: 1s
      labels: {severity: page, team: ml}
      annotations: {summary: "{{ \$value }} predictions", runbook: "http://wiki.test/ManyPredictions"}
  route:
    receiver: am
    group_wait: 1s
  receivers:
  - name: am
    alertmanager: {url: '$AM_URL', timeout: 5s}
YAML
}
am_config 'api:predictions > 100'
watch_start w.log "notifying 1 receiver"

# --- firing: in Alertmanager's API, as plumb posted it ---
i=0
until curl -fsS "$AM_URL/api/v2/alerts" 2>/dev/null | grep -q ManyPredictions || [ $i -ge 150 ]; do
	sleep 0.1; i=$((i + 1))
done
curl -fsS "$AM_URL/api/v2/alerts" > am.json || fail "GET /api/v2/alerts"
"$PLUMB" alerts history --json > hist.json
"$PYTHON3_SYS" - am.json hist.json > check.out 2>&1 <<'PY' && ok || fail "firing in Alertmanager: $(cat check.out; cat w.log)"
import json, sys
from datetime import datetime, timezone, timedelta
from urllib.parse import quote_plus
def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
am = json.load(open(sys.argv[1]))
[a] = [x for x in am if x["labels"].get("alertname") == "ManyPredictions"]
assert a["labels"] == {"alertname": "ManyPredictions", "severity": "page", "team": "ml"}, a
assert a["annotations"] == {"summary": "150 predictions", "runbook": "http://wiki.test/ManyPredictions"}, a
assert a["status"]["state"] == "active", a
assert [r["name"] for r in a["receivers"]] == ["sink"], a
assert a["generatorURL"] == ("http://prometheus.test:9090/graph?g0.expr=" +
    quote_plus("api:predictions > 100") + "&g0.tab=1"), a["generatorURL"]
[h] = [x for x in json.load(open(sys.argv[2])) if x["alertname"] == "ManyPredictions"]
# startsAt: when it fired, as Prometheus sends it
assert t(a["startsAt"]) == t(h["firedAt"]), (a["startsAt"], h["firedAt"])
# endsAt: four resend delays (4 minutes) after the last post
now = datetime.now(timezone.utc)
ends = t(a["endsAt"])
assert now + timedelta(minutes=3) < ends <= now + timedelta(minutes=4, seconds=5), (now, ends)
PY
# and Alertmanager routed it to its own receiver
wait_for hook.jsonl '"firing"' 100 || fail "Alertmanager did not notify: $(cat "$T/am/am.log")"
grep -q '"generatorURL": "http://prometheus.test:9090/graph?g0.expr=' hook.jsonl && ok ||
	fail "Alertmanager's webhook lacks plumb's generatorURL: $(cat hook.jsonl)"
"$PLUMB" alerts > alerts.txt
assert_contains "$(cat alerts.txt)" "notified am" "plumb alerts shows the delivery to Alertmanager"

# --- resolved: plumb posts endsAt, Alertmanager resolves it ---
am_config 'api:predictions > 1e9'
kill -HUP "$W"
wait_for w.log "alert rules reloaded" || fail "reload not taken: $(cat w.log)"
i=0
while curl -fsS "$AM_URL/api/v2/alerts" 2>/dev/null | grep -q ManyPredictions && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
curl -fsS "$AM_URL/api/v2/alerts" > am2.json
assert_not_contains "$(cat am2.json)" "ManyPredictions" "resolved: no longer active in Alertmanager"
wait_for hook.jsonl '"resolved"' 100 || fail "Alertmanager did not notify the resolution: $(cat hook.jsonl)"
"$PLUMB" alerts history --json > hist2.json
"$PYTHON3_SYS" - hook.jsonl hist2.json > check.out 2>&1 <<'PY' && ok || fail "resolved: $(cat check.out)"
import json, sys
from datetime import datetime
def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
msgs = [json.loads(l)["body"] for l in open(sys.argv[1])]
[m] = [x for x in msgs if x["status"] == "resolved"]
[a] = m["alerts"]
assert a["status"] == "resolved" and a["labels"]["alertname"] == "ManyPredictions", a
[h] = [x for x in json.load(open(sys.argv[2])) if x["alertname"] == "ManyPredictions"]
assert h["state"] == "resolved" and h["endsAt"], h
# plumb's end of the episode is Alertmanager's endsAt
assert t(a["endsAt"]) == t(h["endsAt"]), (a["endsAt"], h["endsAt"])
assert t(a["startsAt"]) == t(h["firedAt"]), (a["startsAt"], h["firedAt"])
assert "g0.expr=api%3Apredictions+%3E+100&" in a["generatorURL"], a["generatorURL"]
PY

kill -TERM "$W"
wait "$W" || fail "watcher exit status $?"
done_testing
