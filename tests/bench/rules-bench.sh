#!/bin/sh
# rules-bench.sh - rule evaluation cost: 200 rules over 10,000 series at a 15 s interval, plumb beside promtool.
#
# The same promtool test file (10,000 input series, 200 rules: a recording
# and an alerting rule per service) runs twice, evaluated for 5 and for
# 15 minutes of 15 s steps; the difference of the CPU times divided by
# the 40 extra steps is the cost of one evaluation of all rules, and that
# over 15 s is the share of one core (budget: 5%).  Where Debian's
# promtool is installed it runs the same files in the same run as the
# baseline.
. "$top_srcdir/tests/bench/lib.sh"

gen() {
	awk -v maxt="$1" 'BEGIN {
		print "rule_files: [rules.yml]"
		print "evaluation_interval: 15s"
		print "tests:"
		print "  - interval: 15s"
		print "    input_series:"
		for (s = 0; s < 100; s++)
			for (i = 0; i < 50; i++) {
				printf "      - series: %chttp_requests_total{service=\"s%d\",instance=\"i%d\",code=\"200\"}%c\n", 39, s, i, 39
				printf "        values: %c0+%dx80%c\n", 39, 10 + (s + i) % 7, 39
				printf "      - series: %chttp_requests_total{service=\"s%d\",instance=\"i%d\",code=\"500\"}%c\n", 39, s, i, 39
				printf "        values: %c0+%dx80%c\n", 39, (s % 10 == 0) ? 2 : 0, 39
			}
		print "    promql_expr_test:"
		print "      - expr: count(ALERTS) >= 0"
		printf "        eval_time: %s\n", maxt
		print "        exp_samples: [{labels: \"{}\", value: 10}]"
	}'
}
awk 'BEGIN {
	print "groups:"
	print "  - name: bench"
	print "    rules:"
	for (s = 0; s < 100; s++) {
		printf "      - record: service:requests:rate1m\n"
		printf "        expr: sum by (service, code) (rate(http_requests_total{service=\"s%d\"}[1m]))\n", s
		printf "      - alert: HighErrorRate_s%d\n", s
		printf "        expr: sum(rate(http_requests_total{service=\"s%d\",code=\"500\"}[1m])) / sum(rate(http_requests_total{service=\"s%d\"}[1m])) > 0.05\n", s, s
		printf "        for: 1m\n"
		printf "        labels: {severity: page}\n"
		printf "        annotations: {summary: \"{{ $labels.service }} errors at {{ $value | humanizePercentage }}\"}\n"
	}
}' > "$BT/rules.yml"
gen 5m > "$BT/short.yml"
gen 15m > "$BT/long.yml"

cpu() { # cpu CMD... -> user+sys seconds
	/usr/bin/time -f '%U %S' -o "$BT/cpu" "$@" >"$BT/out" 2>&1 || :
	awk '{print $1 + $2}' "$BT/cpu"
}

per_step() { # per_step TOOL ARGS... -> ms per evaluation of the 200 rules
	a=$(cpu "$@" "$BT/short.yml"); b=$(cpu "$@" "$BT/long.yml")
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b - a) * 1000 / 40 }'
}

p=$(per_step "$PLUMB" alerts test)
"$PLUMB" alerts test "$BT/long.yml" >"$BT/check" 2>&1 || { cat "$BT/check"; exit 1; }
share=$(awk -v p="$p" 'BEGIN { printf "%.3f", p / 15000 * 100 }')
report "rules: 200 x 10k series, one evaluation" "$p" "ms" "(plumb)"
report "rules: share of one core at 15 s" "$share" "%" "budget <= 5%"
if command -v promtool >/dev/null 2>&1; then
	q=$(per_step promtool test rules)
	report "rules: same with promtool 2.42 (baseline)" "$q" "ms" \
	    "ratio plumb/promtool $(awk -v p="$p" -v q="$q" 'BEGIN { if (q > 0) printf "%.2f", p / q; else print "n/a" }')"
else
	echo "promtool not installed (Debian package prometheus): no baseline"
fi

# --- the same rules over plumb's series store, as plumb watch runs them ---
# The 10,000 series get 15 minutes of samples at 15 s in a store; the
# alert-eval driver evaluates the rules at 20 and at 60 evaluation times
# (the watcher's pl_alerting_eval); the CPU difference over the 40 extra
# evaluations is the cost of one.
make -s -C "$top_builddir" tests/alerts/alert-eval tests/server/ts-write >/dev/null
mkdir -p "$BT/store"
(cd "$BT/store" && "$PLUMB" init -q)
T0=$(( ($(date +%s) - 1200) * 1000 ))
awk -v t0="$T0" 'BEGIN {
	for (k = 0; k <= 60; k++) {
		t = t0 + k * 15000
		for (s = 0; s < 100; s++)
			for (i = 0; i < 50; i++) {
				printf "http_requests_total{code=\"200\",instance=\"i%d\",service=\"s%d\"} %.0f %d\n", i, s, t, k * (10 + (s + i) % 7)
				printf "http_requests_total{code=\"500\",instance=\"i%d\",service=\"s%d\"} %.0f %d\n", i, s, t, k * ((s % 10 == 0) ? 2 : 0)
			}
	}
}' | "$top_builddir/tests/server/ts-write" "$BT/store/.plumb" >/dev/null
cat > "$BT/store/plumb.yaml" <<Y
alerts:
  builtin: false
  rule_files: [$BT/rules.yml]
Y
times() { # times N: N evaluation times 15 s apart, ending at the last sample
	awk -v t0="$T0" -v n="$1" 'BEGIN { for (k = 60 - n + 1; k <= 60; k++) printf "%.0f ", t0 + k * 15000 + 1000 }'
}
# shellcheck disable=SC2046
a=$(cpu "$top_builddir/tests/alerts/alert-eval" "$BT/store/.plumb" "$BT/store/plumb.yaml" $(times 20))
grep -q "^200 rules" "$BT/out" || { cat "$BT/out"; exit 1; }
# shellcheck disable=SC2046
b=$(cpu "$top_builddir/tests/alerts/alert-eval" "$BT/store/.plumb" "$BT/store/plumb.yaml" $(times 60))
ps=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b - a) * 1000 / 40 }')
# the evaluations did the work: the 10 services with errors fire
nf=$(cd "$BT/store" && "$PLUMB" alerts --json | grep -o '"state": *"firing"' | wc -l)
[ "$nf" -eq 10 ] || { echo "rules over the store: $nf alerts firing, expected 10"; exit 1; }
report "rules over the store: one evaluation" "$ps" "ms" "ratio store/in-memory $(awk -v p="$p" -v q="$ps" 'BEGIN { if (p > 0) printf "%.2f", q / p; else print "n/a" }')"
report "rules over the store: share of one core" "$(awk -v p="$ps" 'BEGIN { printf "%.3f", p / 15000 * 100 }')" "%" "budget <= 5%"
