/* ct-t.c - continuous training's engine parts: cron parsing and next ticks (no catch-up), the triggers: section's checks with FILE:LINE:COL, the trigger history. */
#include "config.h"
#include "../testutil.h"

#include <math.h>
#include <time.h>

/* 2026-01-05T10:17:30Z, a Monday */
#define T0 1767608250000LL
#define MIN 60000LL

static int64_t
next(const char *expr, int64_t after)
{
	pl_cron c;
	char err[256];

	if (pl_cron_parse(&c, expr, NULL, err, sizeof err) != PL_OK)
		fail_msg("%s: %s", expr, err);
	return pl_cron_next(&c, after);
}

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm) * 1000;
}

static void
test_cron_next(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(utc(2026, 1, 5, 10, 17) + 30000, T0);
	/* every minute: the next whole minute, strictly after */
	assert_int_equal(next("* * * * *", T0), utc(2026, 1, 5, 10, 18));
	assert_int_equal(next("* * * * *", utc(2026, 1, 5, 10, 18)),
	    utc(2026, 1, 5, 10, 19));
	assert_int_equal(next("*/15 * * * *", T0), utc(2026, 1, 5, 10, 30));
	assert_int_equal(next("5/20 * * * *", T0), utc(2026, 1, 5, 10, 25));
	assert_int_equal(next("0 3 * * *", T0), utc(2026, 1, 6, 3, 0));
	/* the example: Mondays at 3:00; T0 is a Monday after 3 */
	assert_int_equal(next("0 3 * * 1", T0), utc(2026, 1, 12, 3, 0));
	assert_int_equal(next("0 3 * * mon", T0), utc(2026, 1, 12, 3, 0));
	/* 7 is Sunday too */
	assert_int_equal(next("0 0 * * 7", T0), utc(2026, 1, 11, 0, 0));
	assert_int_equal(next("0 0 * * 0", T0), utc(2026, 1, 11, 0, 0));
	/* month names, ranges, lists */
	assert_int_equal(next("30 8 1 mar,jun *", T0), utc(2026, 3, 1, 8, 30));
	assert_int_equal(next("0 9-17/4 * * 1-5", T0), utc(2026, 1, 5, 13, 0));
	/* both day fields restricted: either matches (the 15th, or a Friday) */
	assert_int_equal(next("0 0 15 * 5", T0), utc(2026, 1, 9, 0, 0));
	/* "*" in day-of-week: day-of-month alone decides */
	assert_int_equal(next("0 0 15 * *", T0), utc(2026, 1, 15, 0, 0));
	/* Feb 29th: the next leap year */
	assert_int_equal(next("0 0 29 2 *", T0), utc(2028, 2, 29, 0, 0));
	/* never */
	assert_int_equal(next("0 0 30 2 *", T0), -1);
}

static void
test_cron_no_catch_up(void **state)
{
	int64_t down, after;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	/* hourly; a watcher down from 10:17 to 15:40 misses five ticks: the
	 * one that counts is the next after now (16:00), never 11:00 */
	down = utc(2026, 1, 5, 15, 40);
	after = next("0 * * * *", down);
	assert_int_equal(after, utc(2026, 1, 5, 16, 0));
	assert_true(after > down);
}

static void
test_cron_errors(void **state)
{
	pl_cron c;
	char err[256];
	size_t off;

	(void)state;
	assert_int_equal(pl_cron_parse(&c, "0 3 * *", &off, err, sizeof err),
	    PL_EINVAL);
	assert_non_null(strstr(err, "5 fields"));
	assert_int_equal(pl_cron_parse(&c, "0 3 * * * *", &off, err,
	    sizeof err), PL_EINVAL);
	assert_int_equal(off, 10);
	assert_int_equal(pl_cron_parse(&c, "0 25 * * *", &off, err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(off, 2);
	assert_non_null(strstr(err, "hour"));
	assert_int_equal(pl_cron_parse(&c, "60 * * * *", &off, err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(off, 0);
	assert_int_equal(pl_cron_parse(&c, "* * * foo *", &off, err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(off, 6);
	assert_non_null(strstr(err, "month"));
	assert_int_equal(pl_cron_parse(&c, "*/0 * * * *", &off, err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(pl_cron_parse(&c, "5-1 * * * *", &off, err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(pl_cron_parse(&c, "", &off, err, sizeof err),
	    PL_EINVAL);
	assert_int_equal(pl_cron_parse(&c, "1,2,,3 * * * *", &off, err,
	    sizeof err), PL_EINVAL);
}

/* Writes dir/plumb.yaml (a pipeline with stages prepare and train, a
 * model, an alert rule) plus the triggers: text given, and loads it. */
static int
load(pl_store *st, const char *dir, const char *triggers, char *err,
    size_t errlen, pl_triggers **out)
{
	char *path;
	FILE *f;
	int rc;

	assert_true(asprintf(&path, "%s/plumb.yaml", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	    "stages:\n"
	    "  prepare:\n"
	    "    cmd: echo 1 > data.txt\n"
	    "    outs: [data.txt]\n"
	    "  train:\n"
	    "    cmd: cp data.txt model.bin\n"
	    "    deps: [data.txt]\n"
	    "    outs: [model.bin]\n"
	    "models:\n"
	    "  churn: {stage: train, path: model.bin}\n"
	    "alerts:\n"
	    "  groups:\n"
	    "  - name: g\n"
	    "    rules:\n"
	    "    - alert: Drift\n"
	    "      expr: vector(1)\n"
	    "%s", triggers);
	fclose(f);
	rc = pl_triggers_load(out, st, path, err, errlen);
	free(path);
	return rc;
}

#define LINE0 17	/* the line of "triggers:" in load()'s file */

static void
expect_err(pl_store *st, const char *dir, const char *triggers, int line,
    int col, const char *what)
{
	pl_triggers *ts = NULL;
	char err[2048], want[64];

	assert_int_equal(load(st, dir, triggers, err, sizeof err, &ts),
	    PL_EINVAL);
	assert_null(ts);
	snprintf(want, sizeof want, "plumb.yaml:%d:%d: ", line, col);
	if (strstr(err, want) == NULL || strstr(err, what) == NULL)
		fail_msg("want %s...%s, got: %s", want, what, err);
}

static void
test_config(void **state)
{
	char *dir = NULL, err[2048];
	pl_store *st = tu_store(&dir);
	pl_triggers *ts = NULL;

	(void)state;
	/* good: one of each kind */
	assert_int_equal(load(st, dir,
	    "triggers:\n"
	    "  on-drift:\n"
	    "    on: {alert: Drift}\n"
	    "    repro: [train]\n"
	    "    promote: {model: churn, to: production}\n"
	    "    cooldown: 6h\n"
	    "  on-data:\n"
	    "    on: {data: data/raw/}\n"
	    "    repro: [prepare, train]\n"
	    "  weekly:\n"
	    "    on: {schedule: \"0 3 * * 1\"}\n"
	    "    run: \"echo hi\"\n"
	    "  after-promote:\n"
	    "    on: {model: churn, event: promoted}\n"
	    "    run: \"true\"\n"
	    "  builtin-alert:\n"
	    "    on: {alert: PlumbTargetDown}\n"
	    "    run: \"true\"\n", err, sizeof err, &ts), PL_OK);
	assert_int_equal(ts->n, 5);
	assert_int_equal(ts->t[0].on, PL_TRIG_ALERT);
	assert_string_equal(ts->t[0].alert, "Drift");
	assert_int_equal(ts->t[0].cooldown_ms, 6 * 3600 * 1000LL);
	assert_string_equal(ts->t[0].promote_to, "production");
	assert_int_equal(ts->t[1].on, PL_TRIG_DATA);
	assert_non_null(strstr(ts->t[1].data_abs, "/data/raw"));
	assert_int_equal(ts->t[1].nrepro, 2);
	assert_int_equal(ts->t[2].on, PL_TRIG_SCHEDULE);
	assert_string_equal(ts->t[2].run, "echo hi");
	assert_int_equal(ts->t[3].on, PL_TRIG_MODEL);
	assert_string_equal(ts->t[3].event, "promoted");
	assert_non_null(ts->pipeline);
	pl_triggers_free(ts);

	/* every mistake at load, with its place */
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: Drift}\n"
	    "    repro: [train, evaluate]\n", LINE0 + 3, 20, "no stage "
	    "'evaluate'");
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: NoSuchAlert}\n"
	    "    repro: [train]\n", LINE0 + 2, 17, "no alerting rule is named "
	    "'NoSuchAlert'");
	expect_err(st, dir, "triggers:\n  t:\n    on: {model: nosuch, event: "
	    "promoted}\n    run: x\n", LINE0 + 2, 17, "no model 'nosuch'");
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: Drift}\n"
	    "    repro: [train]\n    promote: {model: other, to: production}\n",
	    LINE0 + 4, 22, "no model 'other'");
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: Drift}\n"
	    "    repro: [train]\n    promote: {model: churn, to: prod}\n",
	    LINE0 + 4, 33, "staging, production or archived");
	/* a bad cron field: the column of the field inside the string */
	expect_err(st, dir, "triggers:\n  t:\n    on: {schedule: \"0 25 * * "
	    "*\"}\n    run: x\n", LINE0 + 2, 23, "hour");
	expect_err(st, dir, "triggers:\n  t:\n    on: {schedule: \"0 3 * "
	    "*\"}\n    run: x\n", LINE0 + 2, 28, "5 fields");
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: Drift}\n"
	    "    run: x\n    cooldown: 6 hours\n", LINE0 + 4, 15, "cooldown: "
	    "not a valid duration");
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: Drift}\n",
	    LINE0 + 1, 3, "needs one of repro");
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: Drift}\n"
	    "    run: x\n    repro: [train]\n", LINE0 + 3, 10, "not both");
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: Drift, data: "
	    "x}\n    run: x\n", LINE0 + 2, 24, "not both");
	expect_err(st, dir, "triggers:\n  t:\n    on: {model: churn}\n"
	    "    run: x\n", LINE0 + 2, 9, "needs event");
	expect_err(st, dir, "triggers:\n  t:\n    on: {model: churn, event: "
	    "deleted}\n    run: x\n", LINE0 + 2, 31, "promoted, registered");
	expect_err(st, dir, "triggers:\n  t:\n    on: {alert: Drift}\n"
	    "    run: x\n    retries: 3\n", LINE0 + 4, 5, "unknown key "
	    "'retries'");
	expect_err(st, dir, "triggers:\n  bad/name:\n    on: {alert: Drift}\n"
	    "    run: x\n", LINE0 + 1, 3, "letters, digits");
	expect_err(st, dir, "triggers: [a]\n", LINE0, 11, "must be a map");
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_history(void **state)
{
	char *dir = NULL;
	pl_store *st = tu_store(&dir);
	pl_trigger_reason r = { "alert", "alert Drift{a=\"b\"} = 3", 7,
		"Drift", "{a=\"b\"}", 3.0, NULL };
	pl_trigger_reason m = { "manual", "manual", 0, NULL, NULL, NAN, NULL };
	pl_trigger_row *rows = NULL, *last = NULL;
	size_t n = 0;
	int64_t id1, id2;

	(void)state;
	assert_int_equal(pl_trigger_history_add(&id1, st, "t", &r, "running",
	    NULL, 1000), PL_OK);
	assert_int_equal(pl_trigger_history_add(&id2, st, "t", &m,
	    "skipped-running", "busy", 2000), PL_OK);
	assert_int_equal(pl_trigger_history(&rows, &n, st, NULL, 0), PL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].alert_id, 7);
	assert_string_equal(rows[0].alert_labels, "{a=\"b\"}");
	assert_true(rows[0].alert_value == 3.0);
	assert_int_equal(rows[0].ended_ms, 0);
	assert_string_equal(rows[1].status, "skipped-running");
	assert_int_equal(rows[1].ended_ms, 2000);
	assert_true(isnan(rows[1].alert_value));
	pl_trigger_rows_free(rows, n);
	/* the last run ignores skipped firings */
	assert_int_equal(pl_trigger_last_run(&last, st, "t"), PL_OK);
	assert_non_null(last);
	assert_int_equal(last->id, id1);
	pl_trigger_rows_free(last, 1);
	assert_int_equal(pl_trigger_last_run(&last, st, "other"), PL_OK);
	assert_null(last);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cron_next),
		cmocka_unit_test(test_cron_no_catch_up),
		cmocka_unit_test(test_cron_errors),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
