/* series.h - a run's metric series shaped for the run screen's chart, and a big one loaded in a thread. */
#ifndef PL_TUI_SERIES_H
#define PL_TUI_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plumb.h"

/*
 * A series small enough is handed to the chart as points.  A big one
 * (a million points) is binned once, when loaded, into an envelope of
 * SERIES_ENV_BINS min/max pairs per x mode (step and time), and the
 * points are dropped: the chart then re-bins a few thousand values on
 * every resize, scale or mode change instead of a million.
 */
#define SERIES_ENV_BINS 4096
#define SERIES_BIG (4 * SERIES_ENV_BINS)

struct series_job;

struct series {
	char *key;
	size_t n;		/* points */
	double *x;		/* small: step */
	double *y;
	double *xt;		/* small: seconds since the run started */
	double *mn[2], *mx[2];	/* big: envelope per x mode (0 step, 1 time) */
	double x0[2], x1[2];
	char spark[128];	/* rendered once */
	struct series_job *job;	/* non-NULL while a thread loads it */
};

/* Fills s (key already set, the rest zero) from n points p (not kept);
 * start_ms is the run's start, the origin of the time axis. */
void series_fill(struct series *s, const pl_point *p, size_t n,
    int64_t start_ms);

/* Frees what s holds (not s).  A series still loading is abandoned: its
 * thread frees its own work when it ends. */
void series_dispose(struct series *s);

/*
 * Starts loading the series key of run_id from the store in store_dir
 * (the thread opens its own read-only handle) into s, which shows
 * "loading" until series_job_finish().  When the thread is done it
 * writes one byte to notify_fd (a pipe the screen polls).  Returns 0, or
 * -1 when no thread could start (the caller loads in place).
 */
int series_job_start(struct series *s, const char *store_dir,
    const char *run_id, int64_t start_ms, int notify_fd);

/* When s's thread is done: moves its result into s, joins the thread
 * and returns 1 (the milliseconds it took in *ms); else 0. */
int series_job_finish(struct series *s, double *ms);

#endif
