#!/bin/sh
# notify.sh - the demo's alert receiver (plumb.yaml alerts: receivers: command:): appends each notification to logs/notifications.log.
# plumb runs it with Alertmanager's webhook JSON (version 4) on stdin;
# a real receiver would page someone, post to chat or open a ticket.
# One line per alert of the group: time, status, alert name, summary;
# then the whole JSON for whoever wants it.
# Usage: notify.sh LOGFILE
set -eu
PY=${PLUMB_DEMO_PYTHON:-/usr/bin/python3}
"$PY" -c '
import json, sys, time
msg = json.load(sys.stdin)
with open(sys.argv[1], "a") as log:
    for a in msg.get("alerts", []):
        log.write("%s %-8s %s %s\n" % (
            time.strftime("%H:%M:%S"), a.get("status", "?").upper(),
            a.get("labels", {}).get("alertname", "?"),
            a.get("annotations", {}).get("summary", "")))
    log.write("  json: " + json.dumps(msg, separators=(",", ":")) + "\n")
' "${1:?usage: notify.sh LOGFILE}"
