/* promql-t.c - unit tests of the PromQL subset: parse errors with columns, and Prometheus' evaluation semantics. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "promql.h"

/* Adds samples v[i] at i*step ms to the series written as a metric. */
static void
add(pq_mem *m, const char *metric, int64_t step, const double *v, size_t n)
{
	pq_labels *lb;
	int col;
	char err[256];
	const char *why;

	assert_int_equal(pq_parse_metric(&lb, metric, &col, err, sizeof err), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pq_mem_append(m, lb, (int64_t)i * step, v[i],
		    &why), 0);
	pq_labels_unref(lb);
}

/* Evaluates at t (seconds) and renders "labels value; ..." sorted. */
static char *
eval(pq_mem *m, const char *expr, double t)
{
	pq_expr *e;
	pq_result r;
	int col;
	char err[512], num[64];
	struct buf b = BUF_INIT;
	pq_reader rd = pq_mem_reader(m);

	if (pq_parse(&e, expr, &col, err, sizeof err) < 0) {
		buf_printf(&b, "parse error %d: %s", col, err);
		return buf_detach(&b);
	}
	if (pq_eval_instant(&r, e, &rd, (int64_t)(t * 1000), err,
	    sizeof err) < 0) {
		buf_printf(&b, "error: %s", err);
		pq_expr_free(e);
		return buf_detach(&b);
	}
	if (r.type == PQ_T_SCALAR) {
		pq_go_float(num, sizeof num, r.scalar, 'g');
		buf_printf(&b, "scalar %s", num);
	} else {
		pq_vector_sort(&r.vec);
		for (size_t i = 0; i < r.vec.n; i++) {
			if (i)
				buf_puts(&b, "; ");
			pq_labels_str(&b, r.vec.e[i].lb);
			pq_go_float(num, sizeof num, r.vec.e[i].v, 'g');
			buf_printf(&b, " %s", num);
		}
	}
	pq_result_dispose(&r);
	pq_expr_free(e);
	return buf_detach(&b);
}

#define EXPECT(m, expr, t, want) do { \
	char *got_ = eval(m, expr, t); \
	if (strcmp(got_, want) != 0) \
		fail_msg("%s at %g:\n  want %s\n  got  %s", expr, (double)(t), \
		    want, got_); \
	free(got_); \
} while (0)

static void
test_parse_errors(void **state)
{
	static const struct { const char *e; int col; const char *msg; } c[] = {
		{ "rate(x[5m:1m])", 7, "subqueries are not supported" },
		{ "x offset 5m @ 100", 13, "the @ modifier is not supported" },
		{ "label_replace(x, \"a\", \"b\", \"c\", \"d\")", 1,
		    "function \"label_replace\" is not supported" },
		{ "foo(x)", 1, "unknown function with name \"foo\"" },
		{ "topk(3, x)", 1, "aggregation \"topk\" is not supported" },
		{ "a * on(x) group_left b", 11, "\"group_left\"" },
		{ "rate(x)", 6, "expected type range vector in call to "
		    "function \"rate\", got instant vector" },
		{ "1 > 2", 3, "comparisons between scalars must use BOOL" },
		{ "x[5]", 3, "bad duration: missing unit" },
		{ "{a=~\"\"}", 1, "at least one non-empty matcher" },
		{ "sum(x[5m])", 5, "expected type instant vector in "
		    "aggregation expression, got range vector" },
		{ "x + ", 5, "unexpected end of input" },
		{ "(x + 1)[5m]", 8, "ranges only allowed for vector selectors" },
		{ "x and 1", 3, "set operator \"and\" not allowed in binary "
		    "scalar expression" },
		{ "x{a=\"b\"", 8, "unexpected end of input" },
		{ "x{a=\"b", 5, "unterminated quoted string" },
		{ "\"str\"", 1, "string literals are not supported" },
		{ "atan2(1,2)", 1, "unknown function" },
		{ "x atan2 y", 3, "operator \"atan2\" is not supported" },
		{ "1 + bool 2", 5, "bool modifier can only be used on comparison" },
		{ "rate(x[5m]) offset 1m", 13, "offset modifier must be preceded" },
		/* what RE2 refuses and glibc would blow up on (fuzzer) */
		{ "x{a=~\"g+++\"}", 6, "invalid nested repetition operator: `++`" },
		{ "x{a=~\"(a{100}){11}\"}", 6, "invalid repeat count: `{11}`" },
		{ "x{a=~\"a{1001}\"}", 6, "invalid repeat count" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		pq_expr *e;
		int col;
		char err[256];
		if (pq_parse(&e, c[i].e, &col, err, sizeof err) == 0)
			fail_msg("%s parsed", c[i].e);
		if (col != c[i].col || !strstr(err, c[i].msg))
			fail_msg("%s: want col %d \"%s\", got col %d \"%s\"",
			    c[i].e, c[i].col, c[i].msg, col, err);
	}
}

static void
test_parse_ok(void **state)
{
	static const char *ok[] = {
		"sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / "
		    "sum by (job) (rate(http_requests_total[5m])) > 0.05",
		"histogram_quantile(0.99, sum without (instance) "
		    "(rate(x_bucket[5m])))",
		"-2 ^ 2", "2 ^ -1", "x offset 1h30m", "avg(x) by (a, b,)",
		"SUM(x)", "x AND y", "x == bool on(a) y", "x unless ignoring(b) y",
		"absent(up{job=\"x\"})", "quantile(0.9, x)", "time() - 1e3",
		"0x1F + Inf - NaN", "vector(1) # a comment", "{__name__=\"x\"}",
		"x:rate5m", "count_over_time(x[1y])", "sum(x) without ()",
	};
	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		pq_expr *e;
		int col;
		char err[256];
		if (pq_parse(&e, ok[i], &col, err, sizeof err) != 0)
			fail_msg("%s: col %d: %s", ok[i], col, err);
		pq_expr_free(e);
	}
}

static void
test_durations(void **state)
{
	int64_t ms;
	char s[32];

	(void)state;
	assert_int_equal(pq_parse_duration("1h30m", 5, &ms), 0);
	assert_true(ms == 5400000);
	assert_int_equal(pq_parse_duration("1y2w3d", 6, &ms), 0);
	assert_true(ms == (365 + 14 + 3) * 86400000LL);
	assert_int_equal(pq_parse_duration("100ms", 5, &ms), 0);
	assert_true(ms == 100);
	assert_int_equal(pq_parse_duration("0", 1, &ms), 0);
	assert_int_equal(pq_parse_duration("30m1h", 5, &ms), -1);
	assert_int_equal(pq_parse_duration("5", 1, &ms), -1);
	assert_int_equal(pq_parse_duration("5mm", 3, &ms), -1);
	pq_fmt_duration(s, sizeof s, 5400000);
	assert_string_equal(s, "1h30m");
	pq_fmt_duration(s, sizeof s, 0);
	assert_string_equal(s, "0s");
}

static void
test_arith_precedence(void **state)
{
	pq_mem *m = pq_mem_new();
	(void)state;
	EXPECT(m, "-2^2", 0, "scalar -4");
	EXPECT(m, "2^3^2", 0, "scalar 512");
	EXPECT(m, "1 + 2 * 3 % 4", 0, "scalar 3");
	EXPECT(m, "-7 % 3", 0, "scalar -1");
	EXPECT(m, "1 / 0", 0, "scalar +Inf");
	EXPECT(m, "0 / 0", 0, "scalar NaN");
	EXPECT(m, "1 < bool 2", 0, "scalar 1");
	EXPECT(m, "time()", 90, "scalar 90");
	EXPECT(m, "scalar(vector(3))", 0, "scalar 3");
	EXPECT(m, "vector(time())", 60, "{} 60");
	pq_mem_free(m);
}

static void
test_lookback_staleness(void **state)
{
	pq_mem *m = pq_mem_new();
	double v[] = { 1, 2 };
	pq_labels *lb;
	int col;
	char err[64];
	const char *why;

	(void)state;
	add(m, "x{a=\"1\"}", 60000, v, 2);	/* samples at 0s and 60s */
	EXPECT(m, "x", 60, "{__name__=\"x\", a=\"1\"} 2");
	/* 5m lookback, closed at the left end in 2.x */
	EXPECT(m, "x", 360, "{__name__=\"x\", a=\"1\"} 2");
	EXPECT(m, "x", 360.001, "");
	/* a staleness marker hides the series at once */
	assert_int_equal(pq_parse_metric(&lb, "x{a=\"1\"}", &col, err,
	    sizeof err), 0);
	assert_int_equal(pq_mem_append(m, lb, 120000, pq_stale_nan(), &why), 0);
	EXPECT(m, "x", 119, "{__name__=\"x\", a=\"1\"} 2");
	EXPECT(m, "x", 120, "");
	EXPECT(m, "count_over_time(x[5m])", 150, "{a=\"1\"} 2");
	/* an ordinary NaN is a value */
	assert_int_equal(pq_mem_append(m, lb, 180000, NAN, &why), 0);
	EXPECT(m, "x", 200, "{__name__=\"x\", a=\"1\"} NaN");
	/* out of order and duplicates are refused like the head block */
	assert_int_equal(pq_mem_append(m, lb, 170000, 1, &why), -1);
	assert_string_equal(why, "out of order sample");
	assert_int_equal(pq_mem_append(m, lb, 180000, 1, &why), -1);
	pq_labels_unref(lb);
	pq_mem_free(m);
}

static void
test_rate_extrapolation(void **state)
{
	pq_mem *m = pq_mem_new();
	/* 0+10x10 every minute, a reset in the second series */
	double c[11], r[] = { 0, 10, 20, 5, 15, 25 };
	(void)state;
	for (int i = 0; i <= 10; i++)
		c[i] = 10 * i;
	add(m, "c_total{s=\"a\"}", 60000, c, 11);
	add(m, "r_total", 60000, r, 6);
	/* 5 samples in [5m,10m]... window (t-5m, t] closed: 5m..10m = 6 */
	EXPECT(m, "rate(c_total[5m])", 600, "{s=\"a\"} 0.16666666666666669");
	EXPECT(m, "increase(c_total[5m])", 600, "{s=\"a\"} 50");
	/* reference example: 45 over 300s */
	{
		pq_mem *m2 = pq_mem_new();
		double v[] = { 0, 15, 30, 45 };
		add(m2, "y", 100000, v, 4);
		EXPECT(m2, "rate(y[5m])", 300, "{} 0.15000000000000002");
		pq_mem_free(m2);
	}
	/* counter reset adds the value before the drop back */
	EXPECT(m, "increase(r_total[5m])", 300, "{} 45");
	EXPECT(m, "delta(r_total[5m])", 300, "{} 25");
	EXPECT(m, "irate(r_total[5m])", 300, "{} 0.16666666666666666");
	EXPECT(m, "irate(r_total[5m])", 180, "{} 0.08333333333333333");
	EXPECT(m, "rate(r_total[1m])", 30, "");	/* one sample only */
	pq_mem_free(m);
}

static void
test_over_time(void **state)
{
	pq_mem *m = pq_mem_new();
	double v[] = { 3, 1, NAN, 4, 1, 5 };
	(void)state;
	add(m, "g{k=\"v\"}", 60000, v, 6);
	EXPECT(m, "min_over_time(g[10m])", 300, "{k=\"v\"} 1");
	EXPECT(m, "max_over_time(g[10m])", 300, "{k=\"v\"} 5");
	EXPECT(m, "sum_over_time(g[10m])", 300, "{k=\"v\"} NaN");
	EXPECT(m, "count_over_time(g[10m])", 300, "{k=\"v\"} 6");
	EXPECT(m, "last_over_time(g[10m])", 300, "{__name__=\"g\", k=\"v\"} 5");
	EXPECT(m, "avg_over_time(g[2m])", 300, "{k=\"v\"} 3.3333333333333335");
	EXPECT(m, "quantile_over_time(0.5, g[2m])", 300, "{k=\"v\"} 4");
	EXPECT(m, "absent_over_time(g[1m])", 900, "{} 1");
	EXPECT(m, "absent_over_time(g{k=\"v\"}[1m])", 900, "{k=\"v\"} 1");
	EXPECT(m, "absent_over_time(g[10m])", 300, "");
	pq_mem_free(m);
}

static void
test_histogram_quantile(void **state)
{
	pq_mem *m = pq_mem_new();
	double b1[] = { 10 }, b2[] = { 30 }, b3[] = { 45 }, bi[] = { 50 };
	(void)state;
	add(m, "h_bucket{le=\"0.1\",j=\"a\"}", 1000, b1, 1);
	add(m, "h_bucket{le=\"0.5\",j=\"a\"}", 1000, b2, 1);
	add(m, "h_bucket{le=\"1\",j=\"a\"}", 1000, b3, 1);
	add(m, "h_bucket{le=\"+Inf\",j=\"a\"}", 1000, bi, 1);
	/* rank 25 falls in (0.1, 0.5]: 0.1 + 0.4 * (15/20) */
	EXPECT(m, "histogram_quantile(0.5, h_bucket)", 1, "{j=\"a\"} 0.4");
	/* rank 49.5 beyond the last finite bucket: its bound */
	EXPECT(m, "histogram_quantile(0.99, h_bucket)", 1, "{j=\"a\"} 1");
	EXPECT(m, "histogram_quantile(0.05, h_bucket)", 1, "{j=\"a\"} 0.025");
	EXPECT(m, "histogram_quantile(1.5, h_bucket)", 1, "{j=\"a\"} +Inf");
	EXPECT(m, "histogram_quantile(-1, h_bucket)", 1, "{j=\"a\"} -Inf");
	/* no +Inf bucket: NaN */
	EXPECT(m, "histogram_quantile(0.5, h_bucket{le!=\"+Inf\"})", 1,
	    "{j=\"a\"} NaN");
	pq_mem_free(m);
}

static void
test_aggregation_matching(void **state)
{
	pq_mem *m = pq_mem_new();
	double one[] = { 1 }, two[] = { 2 }, three[] = { 3 }, ten[] = { 10 };
	(void)state;
	add(m, "a{job=\"x\",i=\"1\"}", 1000, one, 1);
	add(m, "a{job=\"x\",i=\"2\"}", 1000, two, 1);
	add(m, "a{job=\"y\",i=\"1\"}", 1000, three, 1);
	add(m, "b{job=\"x\",i=\"1\"}", 1000, ten, 1);
	EXPECT(m, "sum(a)", 0, "{} 6");
	EXPECT(m, "sum by (job) (a)", 0, "{job=\"x\"} 3; {job=\"y\"} 3");
	EXPECT(m, "max without (i) (a)", 0, "{job=\"x\"} 2; {job=\"y\"} 3");
	EXPECT(m, "count by (__name__) (a)", 0, "{__name__=\"a\"} 3");
	EXPECT(m, "avg(a)", 0, "{} 2");
	EXPECT(m, "quantile(0.5, a)", 0, "{} 2");
	EXPECT(m, "quantile(0.25, a)", 0, "{} 1.5");
	EXPECT(m, "a + b", 0, "{i=\"1\", job=\"x\"} 11");
	EXPECT(m, "a > 1", 0, "{__name__=\"a\", i=\"1\", job=\"y\"} 3; "
	    "{__name__=\"a\", i=\"2\", job=\"x\"} 2");
	EXPECT(m, "1 < a", 0, "{__name__=\"a\", i=\"1\", job=\"y\"} 3; "
	    "{__name__=\"a\", i=\"2\", job=\"x\"} 2");
	EXPECT(m, "a > bool 1", 0, "{i=\"1\", job=\"x\"} 0; "
	    "{i=\"1\", job=\"y\"} 1; {i=\"2\", job=\"x\"} 1");
	EXPECT(m, "a * on(i) b", 0, "error: multiple matches for labels: "
	    "many-to-one matching must be explicit (group_left/group_right)");
	EXPECT(m, "a{job=\"y\"} * on(i) b", 0, "{i=\"1\"} 30");
	EXPECT(m, "a{job=\"y\"} * ignoring(job) b", 0, "{i=\"1\"} 30");
	EXPECT(m, "a and b", 0, "{__name__=\"a\", i=\"1\", job=\"x\"} 1");
	EXPECT(m, "a unless b", 0, "{__name__=\"a\", i=\"1\", job=\"y\"} 3; "
	    "{__name__=\"a\", i=\"2\", job=\"x\"} 2");
	EXPECT(m, "b or a", 0, "{__name__=\"a\", i=\"1\", job=\"y\"} 3; "
	    "{__name__=\"a\", i=\"2\", job=\"x\"} 2; "
	    "{__name__=\"b\", i=\"1\", job=\"x\"} 10");
	EXPECT(m, "-a{i=\"2\"}", 0, "{i=\"2\", job=\"x\"} -2");
	EXPECT(m, "{job=\"x\",i=\"1\"} * 2", 0,
	    "error: vector cannot contain metrics with the same labelset");
	EXPECT(m, "abs(-b)", 0, "{i=\"1\", job=\"x\"} 10");
	EXPECT(m, "clamp_max(a, 2)", 0, "{i=\"1\", job=\"x\"} 1; "
	    "{i=\"1\", job=\"y\"} 2; {i=\"2\", job=\"x\"} 2");
	EXPECT(m, "clamp_min(b, NaN)", 0, "{i=\"1\", job=\"x\"} NaN");
	EXPECT(m, "absent(nope{job=\"x\", i=~\"1\"})", 0, "{job=\"x\"} 1");
	EXPECT(m, "absent(a)", 0, "");
	EXPECT(m, "scalar(a)", 0, "scalar NaN");
	pq_mem_free(m);
}

static void
test_go_float(void **state)
{
	static const struct { double v; char f; const char *s; } c[] = {
		{ 1e6, 'g', "1e+06" }, { 12345678, 'g', "1.2345678e+07" },
		{ 1e-5, 'g', "1e-05" }, { 123456.5, 'g', "123456.5" },
		{ 0.0012345, 'g', "0.0012345" }, { 0.1, 'g', "0.1" },
		{ 1, 'E', "1E+00" }, { 1234, 'E', "1.234E+03" },
		{ -0.5, 'g', "-0.5" }, { 100, 'g', "100" },
	};
	char out[64];
	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		pq_go_float(out, sizeof out, c[i].v, c[i].f);
		assert_string_equal(out, c[i].s);
	}
	pq_go_printf_float(out, sizeof out, "%.2f", NAN);
	assert_string_equal(out, "NaN");
	pq_go_printf_float(out, sizeof out, "%.2f", 3.14159);
	assert_string_equal(out, "3.14");
}

static void
test_range_query(void **state)
{
	pq_mem *m = pq_mem_new();
	pq_matrix mx;
	pq_expr *e;
	int col;
	char err[256];
	double v[] = { 1, 2, 3 };
	pq_reader rd = pq_mem_reader(m);

	(void)state;
	add(m, "x", 60000, v, 3);
	assert_int_equal(pq_parse(&e, "x * 2", &col, err, sizeof err), 0);
	assert_int_equal(pq_eval_range(&mx, e, &rd, 0, 600000, 60000, err,
	    sizeof err), 0);
	assert_int_equal(mx.n, 1);
	/* 0..120s have their own sample; 180..420 look back to 120s */
	assert_int_equal(mx.series[0].n, 8);
	assert_true(mx.series[0].s[7].v == 6);
	pq_matrix_dispose(&mx);
	pq_expr_free(e);
	pq_mem_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_arith_precedence),
		cmocka_unit_test(test_lookback_staleness),
		cmocka_unit_test(test_rate_extrapolation),
		cmocka_unit_test(test_over_time),
		cmocka_unit_test(test_histogram_quantile),
		cmocka_unit_test(test_aggregation_matching),
		cmocka_unit_test(test_go_float),
		cmocka_unit_test(test_range_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
