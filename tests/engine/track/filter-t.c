/* filter-t.c - unit tests of the MLflow filter compiler: SQL, binds, errors with columns, LIKE. */
#include "config.h"

#include "track/filter.h"
#include "tests/engine/testutil.h"

static pl_filter f;
static char err[256];
static size_t col;

static int
compile(const char *text)
{
	pl_filter_dispose(&f);
	return pl_filter_compile(&f, text, 1, err, sizeof err, &col);
}

static void
test_compile(void **state)
{
	(void)state;
	assert_int_equal(compile("metrics.loss < 0.5"), PL_OK);
	assert_string_equal(f.sql.p, "((r.rid IN (SELECT run_id FROM "
	    "metric_summary WHERE key_id = (SELECT id FROM keys WHERE name = ?1) "
	    "AND last < ?2)))");
	assert_int_equal(f.nbinds, 2);
	assert_true(f.binds[0].is_text);
	assert_string_equal(f.binds[0].text, "loss");
	assert_false(f.binds[1].is_text);
	assert_true(f.binds[1].num == 0.5);
	/* user text only ever becomes binds */
	assert_int_equal(compile("params.`x'); DROP TABLE runs; --` = 'a''b'"), PL_OK);
	assert_null(strstr(f.sql.p, "DROP"));
	assert_string_equal(f.binds[0].text, "x'); DROP TABLE runs; --");
	assert_string_equal(f.binds[1].text, "a'b");
	assert_int_equal(compile("attributes.status = 'FINISHED'"), PL_OK);
	assert_string_equal(f.binds[0].text, "finished");
	assert_int_equal(compile("attr.status != \"x\" OR NOT (tags.t LIKE 'a%' AND "
	    "params.p IN ('1', 2)) and metrics.m is not null"), PL_OK);
	assert_non_null(strstr(f.sql.p, " OR "));
	assert_non_null(strstr(f.sql.p, "(NOT ("));
	assert_non_null(strstr(f.sql.p, "pl_like("));
	assert_int_equal(compile("metric.x >= -1e3 and param.y <= 5"), PL_OK);
	assert_true(f.binds[1].num == -1000);
	assert_non_null(strstr(f.sql.p, "CAST(value AS REAL) <= ?4"));
	/* With a param equality and no OR, metrics become EXISTS probes;
	 * with an OR they stay id sets (same rows, another plan). */
	assert_int_equal(compile("metrics.loss < 0.5 and params.lr = '0.01'"),
	    PL_OK);
	assert_non_null(strstr(f.sql.p, "EXISTS (SELECT 1 FROM metric_summary"));
	assert_int_equal(f.nbinds, 4);
	assert_int_equal(compile("metrics.loss < 0.5 or params.lr = '0.01'"),
	    PL_OK);
	assert_null(strstr(f.sql.p, "EXISTS"));
	assert_int_equal(compile("attributes.start_time > '123'"), PL_OK);
	assert_false(f.binds[0].is_text);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		size_t col;
		const char *msg;
	} cases[] = {
		{ "", 1, "empty filter" },
		{ "loss < 1", 1, "unknown identifier 'loss'" },
		{ "metrics.loss", 13, "expected a comparison operator" },
		{ "metrics.loss <", 15, "expected a value" },
		{ "metrics.loss < 1 and", 21, "expected a comparison, got the end" },
		{ "metrics.loss < 1 extra", 18, "expected AND, OR or the end" },
		{ "(metrics.a < 1", 1, "unclosed '('" },
		{ "metrics.a < 1)", 14, "unmatched ')'" },
		{ "params.a = 'x", 12, "unterminated string" },
		{ "bogus.a = 1", 1, "unknown entity 'bogus'" },
		{ "attributes.nope = 1", 12, "unknown attribute 'nope'" },
		{ "metrics. < 1", 9, "missing key" },
		{ "metrics.a LIKE 'x'", 11, "metrics are numbers" },
		{ "metrics.a = 'x'", 13, "metrics are numbers" },
		{ "params.a IN 'x'", 13, "expected '(' after IN" },
		{ "params.a IN ('x' 'y')", 18, "expected ',' or ')'" },
		{ "params.a ! 'x'", 10, "unexpected '!'" },
		{ "metrics.a < 1.2.3", 13, "malformed number" },
		{ "attributes.start_time > 'soon'", 25, "expected a number" },
		{ "params.a IS 3", 13, "expected NULL after IS" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (compile(cases[i].text) != PL_EINVAL)
			fail_msg("'%s' compiled", cases[i].text);
		if (strstr(err, cases[i].msg) == NULL)
			fail_msg("'%s': message '%s' lacks '%s'", cases[i].text,
			    err, cases[i].msg);
		if (col != cases[i].col)
			fail_msg("'%s': column %zu, expected %zu", cases[i].text,
			    col, cases[i].col);
		assert_int_equal(f.nbinds, 0);
	}
	{
		/* deep nesting is refused, not a stack overflow */
		char deep[2100];

		memset(deep, '(', 1000);
		strcpy(deep + 1000, "metrics.a < 1");
		assert_int_equal(compile(deep), PL_EINVAL);
		assert_non_null(strstr(err, "nested too deeply"));
	}
}

static void
test_sort_and_like(void **state)
{
	char kind, *key;
	int desc;

	(void)state;
	assert_int_equal(pl_filter_sort_key(&kind, &key, &desc, "-metrics.loss",
	    err, sizeof err), PL_OK);
	assert_int_equal(kind, 'm');
	assert_string_equal(key, "loss");
	assert_true(desc);
	free(key);
	assert_int_equal(pl_filter_sort_key(&kind, &key, &desc, "start_time desc",
	    err, sizeof err), PL_OK);
	assert_int_equal(kind, 'a');
	assert_string_equal(key, "r.start_ms");
	assert_true(desc);
	free(key);
	assert_int_equal(pl_filter_sort_key(&kind, &key, &desc, "params.lr ASC",
	    err, sizeof err), PL_OK);
	assert_false(desc);
	free(key);
	assert_int_equal(pl_filter_sort_key(&kind, &key, &desc, "metrics.a sideways",
	    err, sizeof err), PL_EINVAL);
	assert_int_equal(pl_filter_sort_key(&kind, &key, &desc, "", err,
	    sizeof err), PL_EINVAL);

	assert_true(pl_like_match("a%", "abc", 0));
	assert_false(pl_like_match("A%", "abc", 0));
	assert_true(pl_like_match("A%", "abc", 1));
	assert_true(pl_like_match("%b%", "abc", 0));
	assert_true(pl_like_match("a_c", "abc", 0));
	assert_true(pl_like_match("a_c", "a\303\251c", 0));	/* _ is a character */
	assert_false(pl_like_match("a_c", "ac", 0));
	assert_true(pl_like_match("%", "", 0));
	assert_true(pl_like_match("%%a%%", "xxa", 0));
	assert_false(pl_like_match("abc", "abcd", 0));
	assert_true(pl_like_match("%c%c%c", "cccc", 0));
}

static int
teardown(void **state)
{
	(void)state;
	pl_filter_dispose(&f);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_sort_and_like),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
