/* expfmt-t.c - unit tests of the text exposition format parser (engine/monitor/expfmt.c). */
#include "config.h"
#include "../testutil.h"

#include <math.h>

#include "monitor/expfmt.h"

/* What the callback saw, one sample per line as "name{a=b,c=d} v ts". */
struct got {
	char text[8192];
	size_t len;
	int n;
	double last_v;
	int stop_after;	/* > 0: return 7 at that sample */
};

static void
put(struct got *g, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (g->len >= sizeof g->text - 1)
		return;	/* full: later samples are counted, not kept */
	va_start(ap, fmt);
	k = vsnprintf(g->text + g->len, sizeof g->text - g->len, fmt, ap);
	va_end(ap);
	if (k > 0)
		g->len += (size_t)k;
	if (g->len > sizeof g->text - 1)
		g->len = sizeof g->text - 1;
}

static int
collect(void *ctx, const char *name, const pl_label *labels, size_t nl,
    double v, int has_ts, int64_t ts)
{
	struct got *g = ctx;

	g->n++;
	g->last_v = v;
	put(g, "%s{", name);
	for (size_t i = 0; i < nl; i++)
		put(g, "%s%s=%s", i ? "," : "", labels[i].name,
		    labels[i].value);
	if (isnan(v))
		put(g, "} NaN");
	else
		put(g, "} %.17g", v);
	if (has_ts)
		put(g, " @%lld", (long long)ts);
	put(g, "\n");
	return g->stop_after > 0 && g->n == g->stop_after ? 7 : 0;
}

static int
parse(struct got *g, pl_expfmt_stats *st, const char *text)
{
	memset(g, 0, sizeof *g);
	return pl_expfmt_parse(text, strlen(text), collect, g, st);
}

/* What the Go client writes: HELP, TYPE, a counter, a histogram and a
 * summary, kept as their _bucket/_sum/_count/quantile samples. */
static void
test_client_output(void **state)
{
	struct got g;
	pl_expfmt_stats st;
	const char *text =
	    "# HELP http_requests_total The total number of HTTP requests.\n"
	    "# TYPE http_requests_total counter\n"
	    "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
	    "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
	    "\n"
	    "# A free comment\n"
	    "# TYPE rpc_duration_seconds summary\n"
	    "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
	    "rpc_duration_seconds_sum 1.7560473e+07\n"
	    "rpc_duration_seconds_count 2693\n"
	    "# TYPE lat histogram\n"
	    "lat_bucket{le=\"0.05\"} 24054\n"
	    "lat_bucket{le=\"+Inf\"} 144320\n"
	    "lat_sum 53423\n"
	    "lat_count 144320\n";

	(void)state;
	assert_int_equal(parse(&g, &st, text), 0);
	assert_string_equal(g.text,
	    "http_requests_total{method=post,code=200} 1027 @1395066363000\n"
	    "http_requests_total{method=post,code=400} 3 @1395066363000\n"
	    "rpc_duration_seconds{quantile=0.5} 4773\n"
	    "rpc_duration_seconds_sum{} 17560473\n"
	    "rpc_duration_seconds_count{} 2693\n"
	    "lat_bucket{le=0.05} 24054\n"
	    "lat_bucket{le=+Inf} 144320\n"
	    "lat_sum{} 53423\n"
	    "lat_count{} 144320\n");
	assert_int_equal(st.lines, 15);
	assert_int_equal(st.samples, 9);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(st.first_bad_line, 0);
}

/* \\ \" \n in label values; other escapes are bad; a trailing comma and
 * blanks inside the braces are fine. */
static void
test_escapes(void **state)
{
	struct got g;
	pl_expfmt_stats st;

	(void)state;
	assert_int_equal(parse(&g, &st,
	    "m{path=\"C:\\\\dir\\\\\",q=\"say \\\"hi\\\"\",nl=\"a\\nb\",} 1\n"
	    "m{ a = \"x\" , b=\"y\" } 2\n"
	    "m{a=\"\"} 3\n"
	    "m{} 4\n"), 0);
	assert_string_equal(g.text,
	    "m{path=C:\\dir\\,q=say \"hi\",nl=a\nb} 1\n"
	    "m{a=x,b=y} 2\n"
	    "m{a=} 3\n"
	    "m{} 4\n");
	assert_int_equal(st.bad_lines, 0);

	assert_int_equal(parse(&g, &st, "m{a=\"x\\t\"} 1\nok 2\n"), 0);
	assert_int_equal(st.bad_lines, 1);
	assert_int_equal(st.first_bad_line, 1);
	assert_int_equal(st.first_bad_col, 7);
	assert_non_null(strstr(st.first_bad, "bad escape"));
	assert_string_equal(g.text, "ok{} 2\n");

	/* a backslash at the very end of the line never closes the value */
	assert_int_equal(parse(&g, &st, "m{a=\"x\\\n"), 0);
	assert_int_equal(st.bad_lines, 1);
	assert_non_null(strstr(st.first_bad, "unterminated"));
	assert_int_equal(st.first_bad_col, 5);
	assert_int_equal(parse(&g, &st, "m{a=\"x\\\"} 1\n"), 0);
	assert_int_equal(st.bad_lines, 1);
	assert_int_equal(g.n, 0);
}

static void
test_special_values(void **state)
{
	struct got g;
	pl_expfmt_stats st;

	(void)state;
	assert_int_equal(parse(&g, &st,
	    "a +Inf\nb -Inf\nc NaN\nd nan\ne Inf\nf 1e-3\ng -0\nh .5\n"
	    "i 1.7976931348623157e+308\nj 1e400\n"), 0);
	assert_string_equal(g.text,
	    "a{} inf\nb{} -inf\nc{} NaN\nd{} NaN\ne{} inf\n"
	    "f{} 0.001\ng{} -0\nh{} 0.5\ni{} 1.7976931348623157e+308\n"
	    "j{} inf\n");
	assert_int_equal(st.bad_lines, 0);
	/* not numbers */
	assert_int_equal(parse(&g, &st,
	    "a 0x10\nb 1,5\nc Infinity\nd one\ne 1e\nf --1\ng\n"), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(st.bad_lines, 7);
	assert_int_equal(st.first_bad_line, 1);
	assert_int_equal(st.first_bad_col, 3);
	assert_non_null(strstr(st.first_bad, "not a number"));
}

static void
test_timestamps(void **state)
{
	struct got g;
	pl_expfmt_stats st;

	(void)state;
	assert_int_equal(parse(&g, &st,
	    "a 1 1700000000123\nb 2 -5\nc 3\t 42 \t\nd{x=\"1\"} 4 0\n"), 0);
	assert_string_equal(g.text, "a{} 1 @1700000000123\nb{} 2 @-5\n"
	    "c{} 3 @42\nd{x=1} 4 @0\n");
	assert_int_equal(parse(&g, &st,
	    "a 1 1.5\nb 1 12x\nc 1 99999999999999999999\nd 1 2 3\ne 1 -\n"),
	    0);
	assert_int_equal(g.n, 0);
	assert_int_equal(st.bad_lines, 5);
	assert_non_null(strstr(st.first_bad, "timestamp"));
	assert_int_equal(st.first_bad_col, 5);
}

/* HELP and TYPE: checked; a second one for the same name, an unknown
 * type, no name: bad.  Comments are free text. */
static void
test_meta_lines(void **state)
{
	struct got g;
	pl_expfmt_stats st;

	(void)state;
	assert_int_equal(parse(&g, &st,
	    "# HELP a some \\\\ help \\n text\n"
	    "# TYPE a gauge\n"
	    "#comment without a blank\n"
	    "# HELPER is just a comment\n"
	    "#\n"
	    "   # indented comment\n"
	    "# TYPE b untyped\n"
	    "a 1\n"), 0);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(g.n, 1);

	assert_int_equal(parse(&g, &st,
	    "# TYPE a gauge\n"
	    "# TYPE a counter\n"		/* twice */
	    "# TYPE b hist\n"			/* unknown kind */
	    "# TYPE c\n"			/* no kind */
	    "# HELP\n"				/* no name */
	    "# HELP \n"				/* no name */
	    "# HELP d x\n# HELP d y\n"		/* twice */
	    "# TYPE e gauge extra\n"
	    "# TYPE 9x gauge\n"
	    "a 1\n"), 0);
	assert_int_equal(st.bad_lines, 8);
	assert_int_equal(st.first_bad_line, 2);
	assert_int_equal(st.first_bad_col, 8);
	assert_non_null(strstr(st.first_bad, "second TYPE"));
	assert_int_equal(g.n, 1);
}

/* The last line must end with '\n' (as in Prometheus): a truncated body
 * loses its last line, which is counted; CRLF is tolerated. */
static void
test_trailing_newline(void **state)
{
	struct got g;
	pl_expfmt_stats st;

	(void)state;
	assert_int_equal(parse(&g, &st, "a 1\nb 2"), 0);
	assert_string_equal(g.text, "a{} 1\n");
	assert_int_equal(st.bad_lines, 1);
	assert_int_equal(st.first_bad_line, 2);
	assert_int_equal(st.first_bad_col, 4);
	assert_non_null(strstr(st.first_bad, "newline"));
	assert_int_equal(parse(&g, &st, "a 1\r\nb{x=\"y\"} 2 5\r\n"), 0);
	assert_string_equal(g.text, "a{} 1\nb{x=y} 2 @5\n");
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(parse(&g, &st, ""), 0);
	assert_int_equal(st.lines, 0);
	assert_int_equal(parse(&g, &st, "\n\n  \t\n"), 0);
	assert_int_equal(st.lines, 3);
	assert_int_equal(g.n, 0);
}

static void
test_labels(void **state)
{
	struct got g;
	pl_expfmt_stats st;

	(void)state;
	assert_int_equal(parse(&g, &st,
	    "m{a=\"1\",a=\"2\"} 1\n"		/* duplicate */
	    "m{__name__=\"x\"} 1\n"		/* reserved */
	    "m{1a=\"x\"} 1\n"			/* bad name */
	    "m{a=x} 1\n"			/* unquoted */
	    "m{a \"x\"} 1\n"			/* no = */
	    "m{a=\"x\" b=\"y\"} 1\n"		/* no comma */
	    "m{a=\"x\"\n"			/* unclosed */
	    "m{a=\"x\"}1\n"			/* value right after } : ok */
	    "m{a:b=\"x\"} 1\n"			/* ':' not in label names */
	    "m 1 2 extra\n"
	    "9m 1\n"
	    "m-x 1\n"
	    "m1\n"), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text, "m{a=x} 1\n");
	assert_int_equal(st.bad_lines, 12);
	assert_int_equal(st.first_bad_line, 1);
	assert_int_equal(st.first_bad_col, 9);
	assert_non_null(strstr(st.first_bad, "twice"));

	/* 64 labels are fine, 65 are not */
	char line[4096];
	size_t w = 0;
	w += (size_t)snprintf(line + w, sizeof line - w, "m{");
	for (int i = 0; i < 64; i++)
		w += (size_t)snprintf(line + w, sizeof line - w, "l%d=\"%d\",",
		    i, i);
	snprintf(line + w, sizeof line - w, "} 1\n");
	assert_int_equal(parse(&g, &st, line), 0);
	assert_int_equal(g.n, 1);
	snprintf(line + w, sizeof line - w, "x=\"1\"} 1\n");
	assert_int_equal(parse(&g, &st, line), 0);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(st.first_bad, "too many"));
}

/* Very long lines parse (no fixed line buffer); over-long numbers are
 * refused, not cut. */
static void
test_overlong(void **state)
{
	struct got g;
	pl_expfmt_stats st;
	size_t big = 300000;
	char *text = malloc(big + 64), *p = text;

	(void)state;
	p += sprintf(p, "m{v=\"");
	memset(p, 'x', big);
	p += big;
	p += sprintf(p, "\"} 1.5\n");
	memset(&g, 0, sizeof g);
	assert_int_equal(pl_expfmt_parse(text, (size_t)(p - text), collect,
	    &g, &st), 0);
	assert_int_equal(g.n, 1);
	assert_true(g.last_v == 1.5);
	/* a 300 kB metric name too */
	p = text;
	memset(p, 'n', big);
	p += big;
	p += sprintf(p, " 2\n");
	assert_int_equal(pl_expfmt_parse(text, (size_t)(p - text), collect,
	    &g, &st), 0);
	assert_int_equal(st.bad_lines, 0);
	assert_true(g.last_v == 2);
	/* a 200-digit value */
	p = text;
	p += sprintf(p, "m 1");
	memset(p, '0', 200);
	p += 200;
	p += sprintf(p, "\n");
	assert_int_equal(pl_expfmt_parse(text, (size_t)(p - text), collect,
	    &g, &st), 0);
	assert_int_equal(st.bad_lines, 1);
	free(text);
}

static void
test_utf8(void **state)
{
	struct got g;
	pl_expfmt_stats st;

	(void)state;
	assert_int_equal(parse(&g, &st,
	    "m{city=\"Zürich\",e=\"日本\"} 1\n"
	    "# HELP m température\n"), 0);
	assert_int_equal(st.bad_lines, 0);
	assert_string_equal(g.text, "m{city=Zürich,e=日本} 1\n");
	assert_int_equal(parse(&g, &st,
	    "m{a=\"ok\",b=\"\xff\xfe\"} 1\n"	/* invalid bytes */
	    "m{a=\"\xc3\"} 1\n"			/* truncated sequence */
	    "m{a=\"\xc0\xaf\"} 1\n"		/* overlong */
	    "m{a=\"\xed\xa0\x80\"} 1\n"		/* surrogate */
	    "# HELP m bad \xff help\n"
	    "mé 1\n"				/* not a name character */
	    "ok 1\n"), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(st.bad_lines, 6);
	assert_int_equal(st.first_bad_col, 13);
	assert_non_null(strstr(st.first_bad, "UTF-8"));
}

static void
test_nul_and_callback_stop(void **state)
{
	struct got g;
	pl_expfmt_stats st;
	const char text[] = "a 1\nb\0 2\nc 3\nd 4\n";

	(void)state;
	memset(&g, 0, sizeof g);
	assert_int_equal(pl_expfmt_parse(text, sizeof text - 1, collect, &g,
	    &st), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(st.bad_lines, 1);
	assert_int_equal(st.first_bad_line, 2);
	assert_int_equal(st.first_bad_col, 2);
	/* a callback's non-zero stops the parse and is returned */
	memset(&g, 0, sizeof g);
	g.stop_after = 2;
	assert_int_equal(pl_expfmt_parse(text, sizeof text - 1, collect, &g,
	    &st), 7);
	assert_int_equal(g.n, 2);
}

/* Thousands of typed names: each TYPE is checked against all the others
 * (a hash set; the list this replaced made it quadratic). */
static void
test_many_types(void **state)
{
	struct got g;
	pl_expfmt_stats st;
	size_t cap = 5000 * 64, w = 0;
	char *text = malloc(cap);

	(void)state;
	for (int i = 0; i < 5000; i++)
		w += (size_t)snprintf(text + w, cap - w,
		    "# TYPE m%d gauge\nm%d %d\n", i, i, i);
	w += (size_t)snprintf(text + w, cap - w, "# TYPE m4999 gauge\n");
	memset(&g, 0, sizeof g);
	assert_int_equal(pl_expfmt_parse(text, w, collect, &g, &st), 0);
	assert_int_equal(st.samples, 5000);
	assert_int_equal(st.bad_lines, 1);
	assert_int_equal(st.first_bad_line, 10001);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_output),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_meta_lines),
		cmocka_unit_test(test_trailing_newline),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_nul_and_callback_stop),
		cmocka_unit_test(test_many_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
