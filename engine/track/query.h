/* query.h - listing runs: filter, sort and page over any number of runs. */
#ifndef PL_ENGINE_QUERY_H
#define PL_ENGINE_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "track/run.h"
#include "store/store.h"

/* What to list.  Every field may be NULL/0. */
typedef struct pl_query {
	const char *experiment;	/* only this experiment's runs */
	const char *filter;	/* MLflow search syntax (filter.h) */
	const char *sort;	/* comma-separated sort keys; default
				 * "-start_time" (newest first) */
	int64_t limit;		/* 0: every matching run */
	/* Only runs of these experiments (ids; pl_experiment_find), in
	 * addition to .experiment; n 0: no restriction. */
	const int64_t *experiment_ids;
	size_t n_experiment_ids;
	int view;		/* PL_VIEW_*: deleted runs or not */
} pl_query;

/* pl_query.view: which runs by lifecycle.  Soft-deleted runs (MLflow's
 * runs/delete, or their experiment's delete) are hidden by
 * PL_VIEW_ACTIVE, the zero value, as MLflow hides them: a caller that
 * wants them asks (plumb runs --deleted / --all-runs). */
enum { PL_VIEW_ACTIVE = 0, PL_VIEW_ALL = 1, PL_VIEW_DELETED = 2 };

/*
 * A run list holds the matching runs' ids in order (8 bytes a run) and
 * reads each row's details only when asked, so a list of 100,000 runs
 * costs little more than its first screen.  It keeps using the store it
 * was made from: free it before closing the store.
 */
typedef struct pl_runlist pl_runlist;

/*
 * Runs the query.  A bad filter or sort key returns PL_EINVAL with the
 * message in pl_store_errmsg() and the 1-based column of the problem in
 * pl_store_error_offset() (0 when not about a column).
 */
int pl_runs_query(pl_runlist **out, pl_store *st, const pl_query *q);
size_t pl_runlist_count(const pl_runlist *l);
void pl_runlist_free(pl_runlist *l);

/* Column of the filter text where the last query error is, or 0. */
size_t pl_store_error_offset(const pl_store *st);

/* The summary of one listed run.  Valid until the next pl_runlist_row()
 * call on the same list, or until the list is freed. */
typedef struct pl_run_row {
	char id[PL_ID_LEN + 1];
	const char *experiment;
	const char *name;	/* may be NULL */
	pl_run_status status;
	const char *user;
	const char *host;
	int64_t start_ms, end_ms;	/* end 0 while running */
	int has_exit_status;
	int exit_status;
	const char *git_commit;	/* may be NULL */
	int git_dirty;		/* -1 unknown */
} pl_run_row;
int pl_runlist_row(const pl_run_row **out, pl_runlist *l, size_t i);
/* 1 when row i is in the loaded window (pl_runlist_row() would not read
 * the store), else 0.  Lets a screen paint what it has and load the rest
 * when no key is waiting. */
int pl_runlist_cached(const pl_runlist *l, size_t i);

/*
 * Value of a param or tag (*out malloc'ed, NULL when the run has none)
 * and a metric's latest value (*has 0 when the run has none) for row i.
 */
int pl_runlist_param(char **out, pl_runlist *l, size_t i, const char *key);
int pl_runlist_tag(char **out, pl_runlist *l, size_t i, const char *key);
int pl_runlist_metric(double *out, int *has, pl_runlist *l, size_t i,
    const char *key);

/*
 * Restricts the values the list reads to the wanted keys: kind 'm'
 * (metric), 'p' (param) or 't' (tag).  Without any call, a row's values
 * are read all at once when the first is asked for; after calls, only
 * the wanted keys are read (others answer "none"), which makes a listing
 * of many runs with a few value columns much cheaper.
 */
int pl_runlist_want(pl_runlist *l, char kind, const char *key);

/*
 * The metric and param keys used by rows [0, n) of the list (n is capped
 * at the count), sorted; for choosing columns.  Free with pl_kvlist_free
 * (keys in .key, the kind "metric" or "param" in .value).
 */
int pl_runlist_keys(pl_kvlist **out, pl_runlist *l, size_t n);

#endif
