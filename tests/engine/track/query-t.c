/* query-t.c - unit tests of run lists: filtering, sorting (missing values last), limits, lazy rows. */
#include "config.h"

#include <math.h>

#include "buf.h"
#include "tests/engine/testutil.h"

static char ids[6][PL_ID_LEN + 1];

static void
make_runs(pl_store *st)
{
	static const struct {
		const char *exp, *name, *lr;
		double loss;
	} r[] = {
		{ "e1", "a", "0.1", 0.3 }, { "e1", "b", "0.01", 0.1 },
		{ "e2", "c", "0.5", 0.9 }, { "e2", "d", NULL, NAN },
		{ "e2", "e", "0.01", 0.5 }, { "e1", "f", NULL, -1 },
	};
	pl_run_spec spec;

	for (int i = 0; i < 6; i++) {
		memset(&spec, 0, sizeof spec);
		spec.experiment = r[i].exp;
		spec.name = r[i].name;
		assert_int_equal(pl_run_create(ids[i], st, &spec), PL_OK);
		if (r[i].lr)
			assert_int_equal(pl_run_set_param(st, ids[i], "lr", r[i].lr),
			    PL_OK);
		if (!isnan(r[i].loss) && r[i].loss >= 0)
			assert_int_equal(pl_metric_log(st, ids[i], "loss",
			    r[i].loss, 0, 0), PL_OK);
		if (i != 1)
			assert_int_equal(pl_run_finish(st, ids[i], PL_RUN_FINISHED,
			    0, NULL), PL_OK);
	}
}

/* Names of the listed runs, concatenated. */
static char *
names(pl_store *st, const char *exp, const char *filter, const char *sort,
    int64_t limit)
{
	static char out[64];
	pl_query q = { exp, filter, sort, limit };
	pl_runlist *l;
	const pl_run_row *r;

	out[0] = '\0';
	if (pl_runs_query(&l, st, &q) != PL_OK)
		fail_msg("query: %s", pl_store_errmsg(st));
	for (size_t i = 0; i < pl_runlist_count(l); i++) {
		assert_int_equal(pl_runlist_row(&r, l, i), PL_OK);
		strcat(out, r->name);
	}
	pl_runlist_free(l);
	return out;
}

static void
test_lists(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);

	(void)state;
	make_runs(st);
	assert_string_equal(names(st, NULL, NULL, NULL, 0), "fedcba");
	assert_string_equal(names(st, "e1", NULL, "name", 0), "abf");
	assert_string_equal(names(st, NULL, "metrics.loss < 0.6", "name", 0), "abe");
	assert_string_equal(names(st, NULL, NULL, "metrics.loss", 0), "baecfd");
	assert_string_equal(names(st, NULL, NULL, "-metrics.loss", 0), "ceabfd");
	assert_string_equal(names(st, NULL, NULL, "params.lr,name", 0), "beacdf");
	assert_string_equal(names(st, NULL, NULL, "metrics.loss", 2), "ba");
	/* nullable attributes: the running run (no end yet) sorts last
	 * either way, also past a limit */
	assert_string_equal(names(st, NULL, NULL, "end_time,name", 0), "acdefb");
	assert_string_equal(names(st, NULL, NULL, "-end_time,-name", 0),
	    "fedcab");
	assert_string_equal(names(st, NULL, NULL, "-duration", 7)
	    + strlen(names(st, NULL, NULL, "-duration", 7)) - 1, "b");
	assert_string_equal(names(st, "e1", NULL, "exit_status,name", 0), "afb");
	assert_string_equal(names(st, NULL, "attributes.status = 'running'", NULL, 0), "b");
	assert_string_equal(names(st, "e2", "params.lr = '0.01' or params.lr is null",
	    "name", 0), "de");
	/* the experiment's name leads: one query per experiment, in name
	 * order, each run's later keys (or newest first) inside it */
	assert_string_equal(names(st, NULL, NULL, "experiment,name", 0), "abfcde");
	assert_string_equal(names(st, NULL, NULL, "-experiment,name", 0), "cdeabf");
	assert_string_equal(names(st, NULL, NULL, "experiment", 4), "fbae");
	assert_string_equal(names(st, NULL, "metrics.loss < 0.6",
	    "-experiment,name", 0), "eab");
	assert_string_equal(names(st, "e2", NULL, "experiment,-name", 0), "edc");
	/* NOT NULL attributes in index order; ties newest first */
	assert_string_equal(names(st, NULL, NULL, "status,name", 0), "acdefb");
	assert_string_equal(names(st, NULL, NULL, "-status", 0), "bfedca");
	assert_string_equal(names(st, NULL, NULL, "status", 3), "fed");
	assert_string_equal(names(st, NULL, NULL, "user,-name", 0), "fedcba");
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_rows_values_errors(void **state)
{
	char *dir, *v;
	pl_store *st = tu_store(&dir);
	pl_query q;
	pl_runlist *l;
	const pl_run_row *r;
	pl_kvlist *keys;
	double m;
	int has;

	(void)state;
	make_runs(st);
	memset(&q, 0, sizeof q);
	q.sort = "name";
	assert_int_equal(pl_runs_query(&l, st, &q), PL_OK);
	assert_int_equal(pl_runlist_count(l), 6);
	assert_int_equal(pl_runlist_row(&r, l, 0), PL_OK);
	assert_string_equal(r->id, ids[0]);
	assert_string_equal(r->experiment, "e1");
	assert_int_equal(r->status, PL_RUN_FINISHED);
	assert_true(r->has_exit_status);
	assert_int_equal(pl_runlist_row(&r, l, 1), PL_OK);
	assert_int_equal(r->status, PL_RUN_RUNNING);
	assert_int_equal(r->end_ms, 0);
	assert_int_equal(pl_runlist_row(&r, l, 6), PL_EINVAL);
	assert_int_equal(pl_runlist_param(&v, l, 2, "lr"), PL_OK);
	assert_string_equal(v, "0.5");
	free(v);
	assert_int_equal(pl_runlist_param(&v, l, 3, "lr"), PL_OK);
	assert_null(v);
	assert_int_equal(pl_runlist_metric(&m, &has, l, 1, "loss"), PL_OK);
	assert_true(has && m == 0.1);
	assert_int_equal(pl_runlist_metric(&m, &has, l, 3, "loss"), PL_OK);
	assert_false(has);
	assert_int_equal(pl_runlist_keys(&keys, l, 100), PL_OK);
	assert_int_equal(keys->n, 2);
	assert_string_equal(keys->items[0].key, "loss");
	assert_string_equal(keys->items[0].value, "metric");
	assert_string_equal(keys->items[1].key, "lr");
	pl_kvlist_free(keys);
	/* Wanting only the metric: it is read, params are not. */
	assert_int_equal(pl_runlist_want(l, 'm', "loss"), PL_OK);
	assert_int_equal(pl_runlist_want(l, 'm', "nosuchkey"), PL_OK);
	assert_int_equal(pl_runlist_metric(&m, &has, l, 1, "loss"), PL_OK);
	assert_true(has && m == 0.1);
	assert_int_equal(pl_runlist_param(&v, l, 2, "lr"), PL_OK);
	assert_null(v);
	assert_int_equal(pl_runlist_want(l, 'p', "lr"), PL_OK);
	assert_int_equal(pl_runlist_param(&v, l, 2, "lr"), PL_OK);
	assert_string_equal(v, "0.5");
	free(v);
	assert_int_equal(pl_runlist_want(l, 'x', "lr"), PL_EINVAL);
	pl_runlist_free(l);

	q.sort = NULL;
	q.filter = "metrics.loss <";
	assert_int_equal(pl_runs_query(&l, st, &q), PL_EINVAL);
	assert_null(l);
	assert_int_equal(pl_store_error_offset(st), 15);
	q.filter = NULL;
	q.sort = "bogus.x";
	assert_int_equal(pl_runs_query(&l, st, &q), PL_EINVAL);
	assert_int_equal(pl_store_error_offset(st), 0);
	assert_non_null(strstr(pl_store_errmsg(st), "bad sort key"));
	q.sort = NULL;
	q.experiment = "nope";
	assert_int_equal(pl_runs_query(&l, st, &q), PL_ENOTFOUND);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* Rows are read in windows that grow from 64 to 512 rows: every row
 * and value is right whichever way the reader moves (down, back up,
 * jumps past the window). */
static void
test_windows(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_query q;
	pl_runlist *l;
	const pl_run_row *r;
	enum { N = 700 };
	static const size_t jumps[] = { 699, 0, 600, 63, 64, 640, 1, 698,
		511, 512, 130 };

	(void)state;
	for (int i = 0; i < N; i++) {
		pl_run_spec spec;
		char id[PL_ID_LEN + 1], name[16], v[16];

		memset(&spec, 0, sizeof spec);
		snprintf(name, sizeof name, "r%04d", i);
		snprintf(v, sizeof v, "%d", i * 7);
		spec.name = name;
		assert_int_equal(pl_run_create(id, st, &spec), PL_OK);
		assert_int_equal(pl_run_set_param(st, id, "k", v), PL_OK);
	}
	memset(&q, 0, sizeof q);
	q.sort = "-name";
	assert_int_equal(pl_runs_query(&l, st, &q), PL_OK);
	assert_int_equal(pl_runlist_count(l), N);
	for (int pass = 0; pass < 3; pass++) {
		size_t n = pass == 2 ? sizeof jumps / sizeof *jumps : N;

		for (size_t k = 0; k < n; k++) {
			size_t i = pass == 0 ? k : pass == 1 ? N - 1 - k :
			    jumps[k];
			int want = N - 1 - (int)i;
			char name[16], v[16], *got = NULL;

			snprintf(name, sizeof name, "r%04d", want);
			snprintf(v, sizeof v, "%d", want * 7);
			assert_int_equal(pl_runlist_row(&r, l, i), PL_OK);
			assert_string_equal(r->name, name);
			assert_int_equal(pl_runlist_param(&got, l, i, "k"),
			    PL_OK);
			assert_non_null(got);
			assert_string_equal(got, v);
			free(got);
		}
	}
	pl_runlist_free(l);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* Filter text "KEY IN (v0, ..., v{n-1})" whose items are the values
 * fmt(i), then the extra ones. */
static char *
in_list(const char *head, size_t n, const char *fmt, const char *extra)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, head);
	buf_puts(&b, " (");
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_printf(&b, fmt, i);
	}
	buf_puts(&b, extra);
	buf_putc(&b, ')');
	return (char *)buf_str(&b);
}

/* Issue 15: IN lists of 40,000 values (one JSON bind past 32 items,
 * linear; more values than SQLite's 32766 parameters) give the same rows
 * as short ones; 501 conditions and 33 levels are "too complex". */
static void
test_long_filters(void **state)
{
	char *dir, *f;
	pl_store *st = tu_store(&dir);
	struct buf b = BUF_INIT;

	(void)state;
	make_runs(st);
	f = in_list("params.lr IN", 40000, "'x%zu'", ",'0.01'");
	assert_string_equal(names(st, NULL, f, "name", 0), "be");
	free(f);
	f = in_list("params.lr NOT IN", 40000, "'x%zu'", ",'0.01'");
	assert_string_equal(names(st, NULL, f, "name", 0), "ac");
	free(f);
	f = in_list("metrics.loss IN", 40000, "%zu.25", ",0.1,0.3");
	assert_string_equal(names(st, NULL, f, "name", 0), "ab");
	free(f);
	f = in_list("attributes.status IN", 40000, "'s%zu'", ",'RUNNING'");
	assert_string_equal(names(st, NULL, f, "name", 0), "b");
	free(f);
	f = in_list("attributes.name IN", 40000, "'%zu'", ",'c','e'");
	assert_string_equal(names(st, NULL, f, "name", 0), "ce");
	free(f);
	/* a list of exactly 32 and of 33 values: both paths, same rows */
	f = in_list("params.lr IN", 31, "'x%zu'", ",'0.5'");
	assert_string_equal(names(st, NULL, f, "name", 0), "c");
	free(f);
	f = in_list("params.lr IN", 32, "'x%zu'", ",'0.5'");
	assert_string_equal(names(st, NULL, f, "name", 0), "c");
	free(f);

	/* 500 conditions work; 501 are refused with the reason */
	for (int i = 0; i < 500; i++)
		buf_printf(&b, "%smetrics.loss > -%d", i ? " and " : "", i + 1);
	assert_string_equal(names(st, NULL, buf_str(&b), "name", 0), "abce");
	buf_puts(&b, " and metrics.loss > -1000");
	{
		pl_query q = { NULL, buf_str(&b), NULL, 0 };
		pl_runlist *l;

		assert_int_equal(pl_runs_query(&l, st, &q), PL_EINVAL);
		assert_non_null(strstr(pl_store_errmsg(st),
		    "filter too complex: more than 500 conditions"));
		buf_clear(&b);
		for (int i = 0; i < 5000; i++)
			buf_printf(&b, "%smetrics.loss > %d", i ? " and " : "", i);
		q.filter = buf_str(&b);
		assert_int_equal(pl_runs_query(&l, st, &q), PL_EINVAL);
		assert_non_null(strstr(pl_store_errmsg(st), "filter too complex"));
	}
	/* 32 levels of NOT and parentheses work (SQLite's parser stack) */
	buf_clear(&b);
	for (int i = 0; i < 16; i++)
		buf_puts(&b, "(not ");
	buf_puts(&b, "metrics.loss < 0.2");
	for (int i = 0; i < 16; i++)
		buf_putc(&b, ')');
	assert_string_equal(names(st, NULL, buf_str(&b), "name", 0), "b");
	buf_free(&b);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_long_filters),
		cmocka_unit_test(test_rows_values_errors),
		cmocka_unit_test(test_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
