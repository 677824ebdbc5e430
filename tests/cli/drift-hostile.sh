#!/bin/sh
# drift-hostile.sh - hostile numbers in `plumb drift` (issue 15 item 2): values near ±1e308, ±inf, NaN,
# subnormals, a constant column, one row, an empty column give finite scores or a column that is
# "not tested" with its reason, never a sanitizer report; huge and tiny values score like their
# rescaled copies (the tests are scale-free, and the scaling plumb does inside is exact).
. "${top_srcdir:-.}/tests/lib.sh"

PY=${PYTHON3_SYS:-python3}
"$PY" - <<'EOF'
import random
random.seed(15)
def w(name, rows):
    with open(name, "w") as f:
        f.write("x,y\n")
        for r in rows:
            f.write("%s,%d\n" % (r, random.randint(0, 9)))
u = lambda n, lo, hi: [random.uniform(lo, hi) for _ in range(n)]
# more than 20 distinct values: the binned tests take Sturges bins over the range
w("bigref.csv", [repr(v * 1.79e308) for v in u(120, -1, 1)])
w("bigcur.csv", [repr(v * 1.79e308) for v in u(90, -0.5, 1)])
w("bigref-s.csv", [repr(float.fromhex(h) * 2.0**-1000) for h in
                   [float(l.split(",")[0]).hex() for l in open("bigref.csv").read().split()[1:]]])
w("bigcur-s.csv", [repr(float.fromhex(h) * 2.0**-1000) for h in
                   [float(l.split(",")[0]).hex() for l in open("bigcur.csv").read().split()[1:]]])
w("subref.csv", [repr(5e-324 * random.randint(1, 3000)) for _ in range(100)])
w("subcur.csv", [repr(5e-324 * random.randint(1, 5000)) for _ in range(100)])
w("subref-s.csv", [repr(float(l.split(",")[0]) * 2.0**1000) for l in open("subref.csv").read().split()[1:]])
w("subcur-s.csv", [repr(float(l.split(",")[0]) * 2.0**1000) for l in open("subcur.csv").read().split()[1:]])
w("extremes.csv", ["1.7976931348623157e308", "-1.7976931348623157e308", "inf", "-inf",
                   "nan", "NaN", "Infinity", "5e-324", "-5e-324", "0"] * 3)
w("normal.csv", [repr(random.gauss(0, 1)) for _ in range(60)])
w("const.csv", ["3"] * 40)
w("one.csv", ["1.5"])
w("emptycol.csv", ["NA"] * 10)
EOF

methods="ks wasserstein psi jensenshannon kl_div hellinger ed anderson"
sanitizer='AddressSanitizer|runtime error|LeakSanitizer'

# finite: every tested column has a finite score (no "nan"/"inf"/null),
# every untested one gives its reason in a note naming the column.
check_finite() {	# LABEL
	if grep -Eq "$sanitizer" "$T/.err"; then fail "$1: sanitizer report: $(head -5 "$T/.err")"; else ok; fi
	"$PY" - "$T/.out" "$T/.err" "$1" <<'EOF' || fail "$1: $(cat "$T/.py")"
import json, math, sys
out, err, label = sys.argv[1:4]
r = json.load(open(out))
msg = open(err).read()
bad = []
for c in r["columns"]:
    if c["skipped"]:
        if not c.get("reason") or ("column '%s' not tested" % c["name"]) not in msg:
            bad.append("%s skipped without a note: %r" % (c["name"], c))
    elif not isinstance(c["score"], (int, float)) or not math.isfinite(c["score"]):
        bad.append("%s: score %r" % (c["name"], c["score"]))
if bad:
    open(sys.argv[2].rsplit("/", 1)[0] + "/.py", "w").write("; ".join(bad))
    sys.exit(1)
EOF
	[ -s "$T/.py" ] || ok
	rm -f "$T/.py"
}

for m in $methods; do
	for pair in "bigref bigcur" "bigref normal" "subref subcur" "extremes normal" \
	    "extremes extremes" "const const" "const normal" "one one" "one normal" \
	    "emptycol normal"; do
		set -- $pair
		assert_status 0 "$m on $1 vs $2" -- "$PLUMB" drift "$1.csv" "$2.csv" -m "$m" --json
		check_finite "$m on $1 vs $2"
	done
done

# The scale-free tests give the same score on huge (or subnormal) values as on
# the same values times an exact power of two that brings them to ordinary size.
score() {	# REF CUR METHOD
	"$PLUMB" drift "$1" "$2" -m "$3" --columns x --json |
	    "$PY" -c 'import json,sys; print(repr(json.load(sys.stdin)["columns"][0]["score"]))'
}
for m in wasserstein psi jensenshannon kl_div hellinger; do
	assert_eq "$(score bigref-s.csv bigcur-s.csv $m)" "$(score bigref.csv bigcur.csv $m)" "$m near ±1e308 = on the rescaled values"
done
# (Wasserstein divides by max(std, 0.001): not scale-free on tiny values.)
for m in psi jensenshannon kl_div hellinger; do
	assert_eq "$(score subref-s.csv subcur-s.csv $m)" "$(score subref.csv subcur.csv $m)" "$m on subnormals = on the rescaled values"
done
# energy distance scales by the square root of the factor: 2^500
r=$("$PY" -c "print(float('$(score bigref.csv bigcur.csv ed)') / (float('$(score bigref-s.csv bigcur-s.csv ed)') * 2.0**500))")
assert_eq "1.0" "$r" "ed near ±1e308 = 2^500 × on the rescaled values"

# A constant column: tested where the test is defined, a reason where it is not.
assert_status 0 "anderson on a constant column" -- "$PLUMB" drift const.csv const.csv -m anderson --columns x --json
assert_contains "$(cat "$T/.err")" "column 'x' not tested: anderson needs more than one distinct value" "anderson reason"
printf 'c\na\na\n' >cat1.csv
assert_status 0 "chisquare over one category" -- "$PLUMB" drift cat1.csv cat1.csv -m chisquare --json
assert_contains "$(cat "$T/.err")" "column 'c' not tested: chisquare needs more than one distinct value" "chisquare reason"
assert_not_contains "$(cat "$T/.out")" "nan" "no NaN score"

done_testing
