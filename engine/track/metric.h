/* metric.h - metric series and their per-run summaries. */
#ifndef PL_ENGINE_METRIC_H
#define PL_ENGINE_METRIC_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Step value meaning "the next step": one past the key's last step in
 * this run (0 for its first point). */
#define PL_STEP_AUTO INT64_MIN

/*
 * Logs one point (a transaction of its own: use pl_ingest for many).
 * ts_ms 0 means now.  A NaN value is kept (read back as NaN).
 */
int pl_metric_log(pl_store *st, const char *run_id, const char *key,
    double value, int64_t step, int64_t ts_ms);

/* Per-key summary kept for every run: the latest value (highest step,
 * then latest timestamp), min, max, number of points. */
typedef struct pl_metric_summary {
	char *key;
	double last;
	int64_t last_step;
	int64_t last_ts;
	double min, max;
	int64_t count;
} pl_metric_summary;

/* Summaries of a run, sorted by key; free with pl_metric_summary_free. */
int pl_metric_summaries(pl_metric_summary **out, size_t *out_n,
    pl_store *st, const char *run_id);
void pl_metric_summary_free(pl_metric_summary *m, size_t n);

typedef struct pl_point {
	int64_t step;
	int64_t ts_ms;
	double value;
} pl_point;

/* The whole series of key in step (then time) order; *out is malloc'ed
 * (caller frees; NULL when empty). PL_ENOTFOUND if the run has no such
 * key. */
int pl_metric_series(pl_point **out, size_t *out_n, pl_store *st,
    const char *run_id, const char *key);

#endif
