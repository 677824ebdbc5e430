/* csv-t.c - unit tests of the streaming CSV reader and its exact number parser. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "data/csvread.h"
#include "store/error.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* The fast path must give strtod's result bit for bit. */
static void
test_parse_matches_strtod(void **state)
{
	char s[64];
	int fast_like = 0;

	(void)state;
	for (int i = 0; i < 300000; i++) {
		int kind = (int)(rnd() % 6);
		uint64_t m = rnd();
		int e = (int)(rnd() % 60) - 30;
		switch (kind) {
		case 0:	/* short decimals: the fast path */
			snprintf(s, sizeof s, "%s%llu.%0*llu", (rnd() & 1) ? "-" : "",
			    (unsigned long long)(m % 100000), (int)(rnd() % 7 + 1),
			    (unsigned long long)(rnd() % 1000000));
			fast_like++;
			break;
		case 1:	/* 17 significant digits: the fallback */
			snprintf(s, sizeof s, "%.17g", ldexp((double)(m >> 11), e));
			break;
		case 2:	/* exponents */
			snprintf(s, sizeof s, "%llue%d", (unsigned long long)(m % 10000000),
			    e);
			break;
		case 3:	/* long mantissas beyond 19 digits */
			snprintf(s, sizeof s, "%llu%llu.5", (unsigned long long)m,
			    (unsigned long long)(rnd() % 1000));
			break;
		case 4:	/* near 2^53 */
			snprintf(s, sizeof s, "%llu", (unsigned long long)((1ull << 53) -
			    50 + (m % 100)));
			break;
		default: /* leading zeros, no integer part */
			snprintf(s, sizeof s, ".%05llue%d", (unsigned long long)(m % 100000),
			    e % 20);
			break;
		}
		double got, want = strtod(s, NULL);
		assert_true(pl_csv_parse_double(s, strlen(s), &got));
		if (!same_bits(got, want))
			fail_msg("'%s': got %.17g want %.17g", s, got, want);
	}
	assert_true(fast_like > 10000);
}

static void
test_parse_grammar(void **state)
{
	static const char *const bad[] = { "", " ", "1e", ".", "-", "+", "abc",
		"0x10", "nan", "NaN", "1.2.3", "1e5x", "--1", "1 2", "e5", "inf1",
		"1,5" };
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (pl_csv_parse_double(bad[i], strlen(bad[i]), &v))
			fail_msg("'%s' parsed as %g", bad[i], v);
	assert_true(pl_csv_parse_double(" 2.5\t", 5, &v) && v == 2.5);
	assert_true(pl_csv_parse_double("-inf", 4, &v) && v == -INFINITY);
	assert_true(pl_csv_parse_double("Infinity", 8, &v) && v == INFINITY);
	assert_true(pl_csv_parse_double("1.", 2, &v) && v == 1.0);
	assert_true(pl_csv_parse_double("-0", 2, &v) && v == 0 && signbit(v));
	assert_true(pl_csv_parse_double("1e400", 5, &v) && isinf(v));
}

static pl_csv_table *
load(const char *text, const struct pl_csv_opts *o, int want_rc, char *err,
    size_t errlen)
{
	pl_csv_table *t = NULL;
	int rc = pl_csv_read_mem(&t, "f.csv", text, strlen(text), o, err, errlen);

	if (rc != want_rc)
		fail_msg("rc %d want %d (%s)", rc, want_rc, err);
	return t;
}

static void
test_reader_basics(void **state)
{
	char err[512];
	/* BOM, CRLF, quoted delimiters, quoted newline, escaped quotes, blank
	 * line, missing markers, inf in a numeric column */
	const char *text = "\xEF\xBB\xBFid,name,score\r\n"
	    "1,\"a,b\",1.5\r\n"
	    "\r\n"
	    "2,\"line1\nline2\",NA\r\n"
	    "3,\"say \"\"hi\"\"\",inf\r\n"
	    "4,,-2e3\r\n";
	pl_csv_table *t;

	(void)state;
	t = load(text, NULL, PL_OK, err, sizeof err);
	assert_int_equal(pl_csv_rows(t), 4);
	assert_int_equal(pl_csv_ncols(t), 3);
	assert_string_equal(pl_csv_name(t, 0), "id");
	assert_int_equal(pl_csv_storage(t, 0), PL_CSV_NUM);
	assert_int_equal(pl_csv_storage(t, 1), PL_CSV_TEXT);
	assert_int_equal(pl_csv_storage(t, 2), PL_CSV_NUM);
	assert_int_equal(pl_csv_count(t, 2), 2);
	assert_int_equal(pl_csv_missing(t, 2), 2);	/* NA and inf */
	assert_true(pl_csv_num(t, 2)[0] == 1.5 && pl_csv_num(t, 2)[1] == -2000);
	assert_int_equal(pl_csv_missing(t, 1), 1);	/* empty field */
	assert_int_equal(pl_csv_nlevels(t, 1), 3);
	assert_string_equal(pl_csv_level(t, 1, 0, NULL), "a,b");
	assert_string_equal(pl_csv_level(t, 1, 1, NULL), "line1\nline2");
	assert_string_equal(pl_csv_level(t, 1, 2, NULL), "say \"hi\"");
	pl_csv_free(t);
}

static void
test_reader_errors(void **state)
{
	char err[512];

	(void)state;
	/* ragged row: the line is the physical line, after a 2-line field */
	load("a,b\n1,\"x\ny\"\n2\n", NULL, PL_EINVAL, err, sizeof err);
	assert_string_equal(err, "f.csv:4: expected 2 fields, found 1");
	load("a,b\r\n1,2\r\n3,4,5\r\n", NULL, PL_EINVAL, err, sizeof err);
	assert_string_equal(err, "f.csv:3: expected 2 fields, found 3");
	/* duplicate names */
	load("a,b,a\n1,2,3\n", NULL, PL_EINVAL, err, sizeof err);
	assert_non_null(strstr(err, "duplicate column name 'a'"));
	/* empty file, header only */
	load("", NULL, PL_EINVAL, err, sizeof err);
	assert_non_null(strstr(err, "empty file"));
	load("a,b\n", NULL, PL_EINVAL, err, sizeof err);
	assert_non_null(strstr(err, "no data rows"));
	/* invalid UTF-8 in a value, with its line */
	load("a,b\n1,ok\n2,bad\xff\n", NULL, PL_EINVAL, err, sizeof err);
	assert_string_equal(err, "f.csv:3: invalid UTF-8 in column 'b'");
	/* a selected column that is not there */
	const char *cols[] = { "zz" };
	struct pl_csv_opts o = { 0 };
	o.columns = cols;
	o.n_columns = 1;
	load("a,b\n1,2\n", &o, PL_ENOTFOUND, err, sizeof err);
	assert_non_null(strstr(err, "no column named 'zz'"));
	/* missing file */
	pl_csv_table *t;
	assert_int_equal(pl_csv_read(&t, "/nonexistent/x.csv", NULL, err, sizeof err),
	    PL_ENOTFOUND);
	assert_null(t);
	assert_non_null(strstr(err, "/nonexistent/x.csv"));
}

/* A column with numbers first and text later keeps every spelling. */
static void
test_late_text_column(void **state)
{
	char err[256];
	pl_csv_table *t;

	(void)state;
	t = load("v\n1.0\n1\nabc\n1.0\nNA\n", NULL, PL_OK, err, sizeof err);
	assert_int_equal(pl_csv_storage(t, 0), PL_CSV_TEXT);
	assert_int_equal(pl_csv_count(t, 0), 4);
	assert_int_equal(pl_csv_missing(t, 0), 1);
	assert_int_equal(pl_csv_nlevels(t, 0), 3);
	assert_string_equal(pl_csv_level(t, 0, 0, NULL), "1.0");
	assert_string_equal(pl_csv_level(t, 0, 1, NULL), "1");
	assert_int_equal(pl_csv_codes(t, 0)[3], 0);
	pl_csv_free(t);
	/* forced text keeps numbers as their text */
	const char *tc[] = { "v" };
	struct pl_csv_opts o = { 0 };
	o.text_columns = tc;
	o.n_text_columns = 1;
	t = load("v\n2\n2.0\n", &o, PL_OK, err, sizeof err);
	assert_int_equal(pl_csv_storage(t, 0), PL_CSV_TEXT);
	assert_int_equal(pl_csv_nlevels(t, 0), 2);
	pl_csv_free(t);
}

static void
test_options(void **state)
{
	char err[256];
	pl_csv_table *t;
	struct pl_csv_opts o = { 0 };

	(void)state;
	/* delimiter, custom NA list, -0 normalised, spaces kept in text */
	const char *na[] = { "missing" };
	o.delimiter = ';';
	o.na_values = na;
	o.n_na_values = 1;
	t = load("x;y\n-0;  a \nmissing;NA\n3,5;b\n", &o, PL_OK, err, sizeof err);
	assert_int_equal(pl_csv_storage(t, 0), PL_CSV_TEXT);	/* "3,5" */
	pl_csv_free(t);
	t = load("x;y\n-0;  a \nmissing;NA\n", &o, PL_OK, err, sizeof err);
	assert_int_equal(pl_csv_storage(t, 0), PL_CSV_NUM);
	assert_true(pl_csv_num(t, 0)[0] == 0 && !signbit(pl_csv_num(t, 0)[0]));
	assert_int_equal(pl_csv_missing(t, 0), 1);
	assert_string_equal(pl_csv_level(t, 1, 0, NULL), "  a ");
	assert_string_equal(pl_csv_level(t, 1, 1, NULL), "NA");	/* not NA here */
	pl_csv_free(t);
	/* keep_missing: one slot per row */
	memset(&o, 0, sizeof o);
	o.keep_missing = 1;
	t = load("x\n1\n\n2\nNA\n3\n", &o, PL_OK, err, sizeof err);
	/* the blank line is skipped, NA is kept as NaN */
	assert_int_equal(pl_csv_rows(t), 4);
	assert_int_equal(pl_csv_count(t, 0), 3);
	assert_true(isnan(pl_csv_num(t, 0)[2]) && pl_csv_num(t, 0)[3] == 3);
	pl_csv_free(t);
}

/* A 1 MB field is read whole. */
static void
test_huge_field(void **state)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 64), err[256];
	size_t len;
	pl_csv_table *t;

	(void)state;
	len = (size_t)sprintf(text, "a,b\n1,\"");
	memset(text + len, 'x', n);
	len += n;
	memcpy(text + len, "\"\n2,y\n", 7);
	t = load(text, NULL, PL_OK, err, sizeof err);
	size_t l0;
	pl_csv_level(t, 1, 0, &l0);
	assert_int_equal(l0, n);
	assert_int_equal(pl_csv_rows(t), 2);
	pl_csv_free(t);
	free(text);
}

/* Reading through the file API, in chunks, gives the same as memory. */
static void
test_file_chunks(void **state)
{
	char path[] = "/tmp/plumb-csv-t-XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *f;
	pl_csv_table *t;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("k,v\n", f);
	for (int i = 0; i < 300000; i++)	/* > several 1 MiB chunks */
		fprintf(f, "%s,%d.25\n", (i % 3) ? "\"q,\nx\"" : "p", i);
	fclose(f);
	assert_int_equal(pl_csv_read(&t, path, NULL, err, sizeof err), PL_OK);
	unlink(path);
	assert_int_equal(pl_csv_rows(t), 300000);
	assert_int_equal(pl_csv_nlevels(t, 0), 2);
	assert_true(pl_csv_num(t, 1)[299999] == 299999.25);
	pl_csv_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_matches_strtod),
		cmocka_unit_test(test_parse_grammar),
		cmocka_unit_test(test_reader_basics),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_late_text_column),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_huge_field),
		cmocka_unit_test(test_file_chunks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
