#!/bin/sh
# tests/registry/audit.sh - the audit log: attribution (user, uid, host, SSH client), filters, and it cannot be edited.
. "$top_srcdir/tests/registry/common.sh"

"$PLUMB" init >/dev/null
r1=$(train 0.90 12)
SSH_CLIENT="203.0.113.7 52100 22" "$PLUMB" model register churn --run "$r1" --path model.bin >/dev/null
SSH_CONNECTION="2001:db8::5 40000 2001:db8::1 22" "$PLUMB" model alias churn@1 champion >/dev/null
SSH_CLIENT="evil;rm -rf / 1 2" "$PLUMB" model alias churn@1 best >/dev/null

"$PLUMB" audit --json > a.json
assert_eq "run.start model.register model.alias model.alias" "$(json_get '" ".join(e["action"] for e in j)' < a.json)" "every mutating action, in order"
assert_eq "$r1" "$(json_get 'j[0]["object"]' < a.json)" "run start names the run"
assert_eq "churn@1" "$(json_get 'j[1]["object"]' < a.json)" "register names the version"
assert_eq "203.0.113.7" "$(json_get 'j[1]["ssh_client"]' < a.json)" "SSH_CLIENT address recorded"
assert_eq "2001:db8::5" "$(json_get 'j[2]["ssh_client"]' < a.json)" "SSH_CONNECTION address recorded"
assert_eq "None" "$(json_get 'j[3]["ssh_client"]' < a.json)" "a malformed SSH_CLIENT is not recorded"
assert_eq "None" "$(json_get 'j[0]["ssh_client"]' < a.json)" "no SSH: no address"
assert_eq "$(id -u)" "$(json_get 'j[1]["uid"]' < a.json)" "uid"
assert_eq "$(id -un)" "$(json_get 'j[1]["user"]' < a.json)" "user"
assert_eq "$(hostname)" "$(json_get 'j[1]["host"]' < a.json)" "host"
assert_contains "$(json_get 'j[1]["detail"]' < a.json)" "sha256" "register detail has the artifact hash"

out=$("$PLUMB" audit)
assert_contains "$out" "(ssh 203.0.113.7)  model.register churn@1" "human output shows where from"
assert_eq 2 "$("$PLUMB" audit --action model.alias --json | json_get 'len(j)')" "filter by action"
assert_eq 3 "$("$PLUMB" audit --action model --json | json_get 'len(j)')" "action prefix"
assert_eq 3 "$("$PLUMB" audit --object churn --json | json_get 'len(j)')" "filter by model"
assert_eq "model.alias" "$("$PLUMB" audit -n 1 --json | json_get 'j[0]["action"]')" "limit keeps the newest"
assert_status 2 "bad limit" -- "$PLUMB" audit --limit zero

# The log and the history cannot be edited, even with SQL.
db=.plumb/plumb.db
edit_sql() {	# runs SQL on the store with the sqlite3 CLI or python's sqlite3
	if command -v sqlite3 >/dev/null 2>&1; then
		sqlite3 "$db" "$1" || return 1
	else
		"${PYTHON3_SYS:-/usr/bin/python3}" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' "$db" "$1" || return 1
	fi
}
assert_status 1 "UPDATE of the audit log fails" -- edit_sql "UPDATE audit SET user = 'mallory'"
assert_contains "$(cat "$T/.err")" "append-only" "UPDATE refused by the trigger"
assert_status 1 "DELETE from the audit log fails" -- edit_sql "DELETE FROM audit"
assert_status 1 "UPDATE of model history fails" -- edit_sql "UPDATE model_transitions SET user = 'mallory'"
assert_status 1 "DELETE of model history fails" -- edit_sql "DELETE FROM model_transitions"
assert_eq 4 "$("$PLUMB" audit --json | json_get 'len(j)')" "audit log intact"
assert_eq "$(id -un)" "$("$PLUMB" audit --json | json_get 'j[1]["user"]')" "audit entries unchanged"
assert_status 2 "plumb audit has no way to delete" -- "$PLUMB" audit --delete
assert_status 0 "an INSERT is still allowed (append-only, not read-only)" -- edit_sql "INSERT INTO audit(time_ms, user, action) VALUES (1, 'x', 'test.append')"

done_testing
