/* events-t.c - unit tests of the monitoring events table. */
#include "config.h"
#include "../testutil.h"

static void
test_append_list(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_event *e;
	size_t n;
	pl_event_query q = { 0 };

	(void)state;
	assert_int_equal(pl_event_append(st, 3000, "watch-start", NULL, NULL,
	    0, "pid 1"), PL_OK);
	assert_int_equal(pl_event_append(st, 1000, "deploy", "api", "churn",
	    3, "deployed"), PL_OK);
	assert_int_equal(pl_event_append(st, 2000, "target-down", "api", NULL,
	    0, "connection refused"), PL_OK);
	assert_int_equal(pl_event_append(st, 0, "Bad Kind", NULL, NULL, 0,
	    "x"), PL_EINVAL);
	assert_int_equal(pl_event_list(&e, &n, st, &q), PL_OK);
	assert_int_equal(n, 3);
	/* time order */
	assert_string_equal(e[0].kind, "deploy");
	assert_string_equal(e[0].model, "churn");
	assert_int_equal(e[0].version, 3);
	assert_string_equal(e[1].kind, "target-down");
	assert_null(e[2].target);
	assert_non_null(e[2].user);
	pl_events_free(e, n);
	q.target = "api";
	q.start_ms = 1500;
	assert_int_equal(pl_event_list(&e, &n, st, &q), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].message, "connection refused");
	pl_events_free(e, n);
	memset(&q, 0, sizeof q);
	q.limit = 2;	/* the newest two, oldest first */
	assert_int_equal(pl_event_list(&e, &n, st, &q), PL_OK);
	assert_int_equal(n, 2);
	assert_true(e[0].time_ms == 2000 && e[1].time_ms == 3000);
	pl_events_free(e, n);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* Registering a model version records a register event. */
static void
test_registry_hook(void **state)
{
	char *dir, *art;
	pl_store *st = tu_store(&dir);
	pl_event *e;
	size_t n;
	int v;
	FILE *f;
	pl_model_reg r;
	pl_event_query q = { 0 };

	(void)state;
	assert_true(asprintf(&art, "%s/model.bin", dir) > 0);
	f = fopen(art, "w");
	assert_non_null(f);
	fputs("weights", f);
	fclose(f);
	memset(&r, 0, sizeof r);
	r.name = "churn";
	r.path = art;
	assert_int_equal(pl_model_register(&v, st, &r), PL_OK);
	q.kind = "register";
	assert_int_equal(pl_event_list(&e, &n, st, &q), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].model, "churn");
	assert_int_equal(e[0].version, v);
	pl_events_free(e, n);
	free(art);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_list),
		cmocka_unit_test(test_registry_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
