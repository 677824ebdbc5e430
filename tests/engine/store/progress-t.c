/* progress-t.c - jobs in the store (progress.h): steps in order, event lines after a seq, the end, a lost job. */
#include "config.h"
#include "tests/engine/testutil.h"

#include <sqlite3.h>

static void
test_job_roundtrip(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	int64_t job = 0, last = 0;
	pl_job *j = NULL;
	pl_job_step *s = NULL;
	size_t n = 0;
	char **ev = NULL;

	(void)state;
	assert_int_equal(pl_job_latest(&j, st, "repro", "/p.yaml"),
	    PL_ENOTFOUND);
	assert_null(j);
	assert_int_equal(pl_job_begin(&job, st, "repro", "/p.yaml"), PL_OK);
	assert_true(job > 0);
	assert_int_equal(pl_job_set_step(st, job, "prepare", "waiting", NULL,
	    NULL), PL_OK);
	assert_int_equal(pl_job_set_step(st, job, "train", "waiting", NULL,
	    NULL), PL_OK);
	assert_int_equal(pl_job_set_step(st, job, "prepare", "running",
	    "abc", "never run"), PL_OK);
	assert_int_equal(pl_job_set_step(st, job, "prepare", "done", NULL,
	    NULL), PL_OK);
	assert_int_equal(pl_job_set_step(st, job, "train", "running", "def",
	    NULL), PL_OK);
	assert_int_equal(pl_job_latest(&j, st, "repro", "/p.yaml"), PL_OK);
	assert_string_equal(j->state, "running");
	assert_int_equal(j->end_ms, 0);
	pl_job_free(j);
	assert_int_equal(pl_job_steps(&s, &n, st, job), PL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].name, "prepare");	/* order of first use */
	assert_string_equal(s[0].state, "done");
	assert_string_equal(s[0].run_id, "abc");	/* kept */
	assert_string_equal(s[0].reason, "never run");
	assert_true(s[0].end_ms >= s[0].start_ms && s[0].start_ms > 0);
	assert_string_equal(s[1].state, "running");
	assert_int_equal(s[1].end_ms, 0);
	pl_job_steps_free(s, n);

	assert_int_equal(pl_job_event(st, job, "one"), PL_OK);
	assert_int_equal(pl_job_event(st, job, "two"), PL_OK);
	assert_int_equal(pl_job_events(&ev, &n, &last, st, job, 0, 1), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0], "one");
	pl_job_events_free(ev);
	assert_int_equal(pl_job_events(&ev, &n, &last, st, job, last, 0),
	    PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0], "two");
	pl_job_events_free(ev);
	assert_int_equal(pl_job_events(&ev, &n, &last, st, job, last, 0),
	    PL_OK);
	assert_int_equal(n, 0);
	pl_job_events_free(ev);

	/* The end: a running step is killed, the job carries its summary. */
	assert_int_equal(pl_job_end(st, job, "killed", "1 ran"), PL_OK);
	assert_int_equal(pl_job_latest(&j, st, "repro", NULL), PL_OK);
	assert_string_equal(j->state, "killed");
	assert_string_equal(j->message, "1 ran");
	assert_true(j->end_ms >= j->start_ms);
	pl_job_free(j);
	assert_int_equal(pl_job_steps(&s, &n, st, job), PL_OK);
	assert_string_equal(s[1].state, "killed");
	pl_job_steps_free(s, n);
	/* Another subject has no job. */
	assert_int_equal(pl_job_latest(&j, st, "repro", "/other.yaml"),
	    PL_ENOTFOUND);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* Steps set in one batch: created in order after the job's existing
 * steps, updated as one call each would, a run id kept when NULL. */
static void
test_job_steps_batch(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	int64_t job = 0;
	pl_job_step *s = NULL;
	size_t n = 0;
	const pl_job_step_set wait[] = {
		{ "b", "waiting", NULL, NULL },
		{ "c", "waiting", NULL, NULL },
		{ "d", "waiting", NULL, NULL },
	};
	const pl_job_step_set end[] = {
		{ "c", "up to date", NULL, NULL },
		{ "a", "failed", NULL, "exit 1" },
		{ "e", "frozen", NULL, NULL },	/* new: after d */
	};

	(void)state;
	assert_int_equal(pl_job_begin(&job, st, "repro", "/b.yaml"), PL_OK);
	assert_int_equal(pl_job_set_steps(st, job, wait, 0), PL_OK);
	assert_int_equal(pl_job_set_step(st, job, "a", "running", "r1", NULL),
	    PL_OK);
	assert_int_equal(pl_job_set_steps(st, job, wait, 3), PL_OK);
	assert_int_equal(pl_job_set_steps(st, job, end, 3), PL_OK);
	assert_int_equal(pl_job_set_step(st, job, "f", "waiting", NULL, NULL),
	    PL_OK);
	assert_int_equal(pl_job_steps(&s, &n, st, job), PL_OK);
	assert_int_equal(n, 6);
	assert_string_equal(s[0].name, "a");
	assert_string_equal(s[0].state, "failed");
	assert_string_equal(s[0].run_id, "r1");
	assert_string_equal(s[0].reason, "exit 1");
	assert_true(s[0].end_ms >= s[0].start_ms && s[0].start_ms > 0);
	assert_string_equal(s[1].name, "b");
	assert_string_equal(s[1].state, "waiting");
	assert_int_equal(s[1].start_ms, 0);
	assert_string_equal(s[2].name, "c");
	assert_string_equal(s[2].state, "up to date");
	assert_true(s[2].end_ms > 0);
	assert_string_equal(s[3].name, "d");
	assert_string_equal(s[4].name, "e");
	assert_string_equal(s[4].state, "frozen");
	assert_string_equal(s[5].name, "f");
	pl_job_steps_free(s, n);
	assert_int_equal(pl_job_set_steps(st, 0, wait, 3), PL_EINVAL);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* A running job whose process is gone (another start time) is lost. */
static void
test_job_lost(void **state)
{
	char *dir, *db;
	pl_store *st = tu_store(&dir);
	int64_t job = 0;
	pl_job *j = NULL;
	sqlite3 *h;

	(void)state;
	assert_int_equal(pl_job_begin(&job, st, "promote", "churn"), PL_OK);
	assert_true(asprintf(&db, "%s/.plumb/plumb.db", dir) > 0);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	assert_int_equal(sqlite3_exec(h, "UPDATE jobs SET pid_start = 1",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	free(db);
	assert_int_equal(pl_job_latest(&j, st, "promote", "churn"), PL_OK);
	assert_string_equal(j->state, "lost");
	pl_job_free(j);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_roundtrip),
		cmocka_unit_test(test_job_steps_batch),
		cmocka_unit_test(test_job_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
