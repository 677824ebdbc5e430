#!/bin/sh
# tests/alerts/oncall.sh - the on-call CLI over a store whose alerts were evaluated by the engine: plumb alerts, history, ack, silences; alerts: errors with FILE:LINE:COL.
. "$top_srcdir/tests/lib.sh"

"$PLUMB" init -q
cat > plumb.yaml <<'Y'
alerts:
  builtin: false
  groups:
  - name: g
    interval: 15s
    rules:
    - alert: HighX
      expr: x > 5
      for: 1m
      labels: {severity: page}
      annotations: {summary: "x is {{ $value }} on {{ $labels.job }}"}
Y
now=$(date +%s)
T0=$(( (now - 300) * 1000 ))
i=0
times=
while [ $i -le 20 ]; do
	t=$(( T0 + i * 15000 ))
	echo "x{job=\"a\"} $(( t - 1000 )) 10"
	echo "x{job=\"b\"} $(( t - 1000 )) $(( i < 18 ? 10 : 1 ))"
	times="$times $t"
	i=$((i + 1))
done > samples
"$top_builddir/tests/server/ts-write" "$T/.plumb" < samples > /dev/null
# shellcheck disable=SC2086
assert_status 0 "evaluation" -- "$top_builddir/tests/alerts/alert-eval" \
    "$T/.plumb" plumb.yaml $times

out=$("$PLUMB" alerts)
assert_contains "$out" 'firing   HighX {job="a", severity="page"}' "a fires"
assert_contains "$out" 'value 10' "value shown"
assert_contains "$out" 'summary="x is 10 on a"' "annotations shown"
assert_not_contains "$out" 'job="b"' "b resolved"
json=$("$PLUMB" alerts --json)
assert_contains "$json" '"state":"firing"' "json state"
assert_contains "$json" '"labels":"{alertname=\"HighX\", job=\"a\", severity=\"page\"}"' "json labels"
assert_contains "$json" '"acknowledged":null' "not acked yet"

hist=$("$PLUMB" alerts history --json)
assert_contains "$hist" '"state":"resolved"' "b resolved in history"
assert_contains "$hist" '"peak":1e+01' "peak kept"
assert_status 0 "history text" -- "$PLUMB" alerts history --since 1h
assert_contains "$(cat "$T/.out")" 'resolved  HighX {job="b"' "history lists b"
assert_status 2 "bad --since" -- "$PLUMB" alerts history --since soon

# events mark firing and resolving on the charts
ev=$("$PLUMB" monitor events 2>/dev/null || true)
if [ -n "$ev" ]; then
	assert_contains "$ev" "firing HighX" "firing event"
fi

# ack: user recorded, shown
assert_status 2 "ack needs a comment" -- "$PLUMB" alerts ack HighX
assert_status 1 "ack of nothing" -- "$PLUMB" alerts ack Nope --comment x
assert_contains "$(cat "$T/.err")" "no active alert named 'Nope'" "ack message"
assert_status 0 "ack" -- "$PLUMB" alerts ack HighX --comment "on it"
assert_contains "$(cat "$T/.out")" "acknowledged 1 alert" "ack count"
out=$("$PLUMB" alerts)
assert_contains "$out" "acked by $(id -un): on it" "ack shown"
json=$("$PLUMB" alerts --json)
assert_contains "$json" "\"user\":\"$(id -un)\"" "ack user in json"
assert_contains "$("$PLUMB" audit 2>/dev/null || true)" "alert.ack" "audited"

# silences
assert_status 2 "silence needs a comment" -- "$PLUMB" silence add job=a
assert_status 1 "silence of everything" -- "$PLUMB" silence add 'job=~.*' --comment x
assert_contains "$(cat "$T/.err")" "empty string" "refused"
assert_status 1 "bad matcher" -- "$PLUMB" silence add 'job~a' --comment x
assert_status 0 "silence add" -- "$PLUMB" silence add 'job=~"a|c"' alertname=HighX --for 2h --comment "deploy"
id=$(cat "$T/.out")
assert_eq 36 "${#id}" "silence id is a UUID"
out=$("$PLUMB" alerts)
assert_contains "$out" "silenced ($(echo "$id" | cut -c1-8))" "alert marked silenced"
sl=$("$PLUMB" silence list --json)
assert_contains "$sl" '"matchers":"{job=~\"a|c\", alertname=\"HighX\"}"' "matchers kept"
assert_contains "$sl" "\"createdBy\":\"$(id -un)@" "creator"
assert_contains "$sl" '"comment":"deploy"' "comment"
assert_contains "$sl" '"state":"active"' "active"
assert_status 0 "expire" -- "$PLUMB" silence expire "$(echo "$id" | cut -c1-8)"
assert_eq "no active silence" "$("$PLUMB" silence list)" "expired silence gone"
assert_contains "$("$PLUMB" silence list --all --json)" '"state":"expired"' "listed with --all"
assert_not_contains "$("$PLUMB" alerts)" "silenced" "no longer silenced"
assert_status 1 "expire twice" -- "$PLUMB" silence expire "$id"

# a bad alerts: section: FILE:LINE:COL
cat > bad.yaml <<'Y'
alerts:
  groups:
  - name: g
    rules:
    - alert: A
      expr: rate(x[5m) > 1
Y
assert_status 2 "bad rule refused" -- "$top_builddir/tests/alerts/alert-eval" "$T/.plumb" bad.yaml
assert_contains "$(cat "$T/.err")" "bad.yaml:6:" "error has its position"
printf 'alerts:\n  rule_file: [x.yml]\n' > bad2.yaml
assert_status 2 "unknown key" -- "$top_builddir/tests/alerts/alert-eval" "$T/.plumb" bad2.yaml
assert_contains "$(cat "$T/.err")" "bad2.yaml:2:3: unknown key 'rule_file'" "unknown key position"

done_testing
