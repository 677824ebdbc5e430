/* query-t.c - unit tests of run lists: filtering, sorting (missing values last), limits, lazy rows. */
#include "config.h"

#include <math.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_rows_values_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
