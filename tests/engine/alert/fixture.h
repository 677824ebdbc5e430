/* fixture.h - what the alerting and notification tests (alerting-t.c, notify-t.c) share: a plumb.yaml written and loaded, one sample of series x{job=JOB} written. */
#ifndef PL_TESTS_ALERT_FIXTURE_H
#define PL_TESTS_ALERT_FIXTURE_H

#include "config/plumb-yaml.h"
#include "monitor/tsdb.h"

/* Writes text as dir/plumb.yaml and loads it (the test fails on an error);
 * the caller frees the config. */
static inline pl_config *
config(const char *dir, const char *text)
{
	char *path;
	pl_config *c = NULL;
	char err[1024];
	FILE *f;

	assert_true(asprintf(&path, "%s/plumb.yaml", dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (pl_config_load(&c, path, err, sizeof err) != PL_OK)
		fail_msg("config: %s", err);
	free(path);
	return c;
}

/* Stores x{job=job} = v at t through a writer of its own. */
static inline void
put(pl_store *st, const char *job, int64_t t, double v)
{
	pl_ts_writer *w;
	pl_label l = { "job", job };

	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	assert_int_equal(pl_ts_append(w, "x", &l, 1, t, v), PL_OK);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
}

#endif
