/* status.h - what a monitored target looks like now and over time, read from the series store: the figures of `plumb monitor status` and the TUI's monitor screen. */
#ifndef PL_ENGINE_MONITOR_STATUS_H
#define PL_ENGINE_MONITOR_STATUS_H

#include <stddef.h>
#include <stdint.h>

struct pl_store;

/*
 * The targets to show: plumb.yaml's monitor: targets (found from the
 * store's directory, in file order), then any other target that has
 * series in the store (in series order).  *out and its strings are
 * malloc'ed: free with pl_mon_targets_free().  A plumb.yaml that does not
 * load is skipped (the store's targets remain).  PL_OK or PL_ENOMEM.
 */
int pl_mon_targets(char ***out, size_t *out_n, struct pl_store *st);
void pl_mon_targets_free(char **v, size_t n);

/* The figures of one target; NaN where the series does not exist. */
typedef struct pl_mon_status {
	int up;			/* 1, 0, -1 unknown */
	const char *up_from;	/* "probe", "scrape", "process" or NULL */
	double age_s;		/* since the watcher's last round */
	double req_rate;	/* requests (predictions) per second */
	double err_ratio;	/* 0..1 */
	double p50, p95, p99;	/* latency, seconds */
	double cpu_pct;		/* % of one core */
	double rss;		/* bytes */
	double drift;		/* share of drifted features, 0..1 */
	double acc, cov;	/* accuracy, label coverage, 0..1 */
	double bad_pred, bad_lab, bad_scrape;	/* malformed lines */
	char model[128];	/* plumb.yaml's model: of the target, or "" */
	int model_version;	/* its production version, 0: none */
} pl_mon_status;

/* Fills *out for target at now_ms.  PL_OK (missing figures are NaN). */
int pl_mon_status_get(pl_mon_status *out, struct pl_store *st,
    const char *target, int64_t now_ms);

/* The figures pl_mon_history() charts. */
typedef enum pl_mon_metric {
	PL_MM_REQ_RATE, PL_MM_ERR_RATIO, PL_MM_P50, PL_MM_P95, PL_MM_P99,
	PL_MM_CPU, PL_MM_RSS, PL_MM_DRIFT, PL_MM_ACC, PL_MM_COV,
	PL_MM__COUNT
} pl_mon_metric;

/* "req/s", "err", "p50", ... (static). */
const char *pl_mon_metric_name(pl_mon_metric m);

/*
 * metric of target over [start_ms, end_ms) in nb equal buckets: out[i]
 * is the mean of the gauge's samples in bucket i, or for counters (CPU,
 * a request counter when no rate gauge exists) the increase over the
 * bucket per second; NaN where the bucket has no sample.  Long ranges
 * read the store's 5-minute and hourly aggregates (pl_ts_read_agg), so
 * the cost is bounded by nb, not by the samples.  PL_OK, PL_EINVAL (nb
 * 0 or an empty range), or the store's error.
 */
int pl_mon_history(double *out, size_t nb, struct pl_store *st,
    const char *target, pl_mon_metric metric, int64_t start_ms,
    int64_t end_ms);

/*
 * The buckets pl_mon_history() and pl_mon_drift_grid() use for nb cells
 * over [start, end): *step is the range over nb (at least 1 ms), and the
 * buckets are aligned on multiples of it since the epoch (as the store's
 * aggregates are), the last one holding end; bucket i is [base + i *
 * step, base + (i + 1) * step), base returned.  Aligning on the end, not
 * on the start, keeps the newest samples in the last bucket instead of
 * past it.
 */
static inline int64_t
pl_mon_bucket_base(int64_t *step, int64_t start, int64_t end, size_t nb)
{
	int64_t s = nb ? (end - start + (int64_t)nb - 1) / (int64_t)nb : 1;
	int64_t top;

	if (s < 1)
		s = 1;
	*step = s;
	top = end - end % s;
	if (end % s != 0 && end < 0)
		top -= s;
	return top - (int64_t)(nb ? nb - 1 : 0) * s;
}

/* ---- events of a target, for marks on its charts ---- */

struct pl_event;
/*
 * What happened to target in [start_ms, end_ms], oldest first: the
 * store's events about the target itself (target-down, drift, ...), those
 * about its plumb.yaml model: (register, promote, deploy, rollback), and
 * alert starts and ends whose labels name the target.  Watcher events
 * about no target (watch-start, ...) are left out.  *out is the caller's:
 * free with pl_events_free().  PL_OK, PL_ENOMEM or the store's error.
 */
int pl_mon_timeline(struct pl_event **out, size_t *out_n,
    struct pl_store *st, const char *target, int64_t start_ms,
    int64_t end_ms);

/* ---- the drift heatmap ---- */

/* One feature's drift over time (see pl_mon_drift_grid()). */
typedef struct pl_mon_drift_row {
	char *feature;
	char *method;		/* "ks", "psi", ... as the watcher chose */
	double threshold;	/* the one the watcher compares with */
	int pvalue;		/* 1: the score is a p-value, drift when below */
	double *score;		/* nb cells: the worst score of the bucket
				 * (lowest p-value, highest distance); NaN
				 * where no window was evaluated */
	unsigned char *drifted;	/* nb cells: 1 where some window drifted */
	double last;		/* the newest score, NaN if none in range */
} pl_mon_drift_row;

/*
 * The per-feature drift of target over [start_ms, end_ms) in nb equal
 * buckets, read from the plumb_drift_score and plumb_drift_detected
 * series the watcher writes each window (one row per feature and method,
 * sorted by feature).  The threshold is the target's drift: threshold in
 * plumb.yaml, else the method's default.  *out (rows and their arrays)
 * is malloc'ed: free with pl_mon_drift_rows_free().  Features without any
 * evaluation in the range still get a row (all NaN) when the store has
 * their series.  PL_OK, PL_EINVAL (nb 0 or an empty range), PL_ENOMEM, or
 * the store's error.
 */
int pl_mon_drift_grid(pl_mon_drift_row **out, size_t *out_n,
    struct pl_store *st, const char *target, int64_t start_ms,
    int64_t end_ms, size_t nb);
void pl_mon_drift_rows_free(pl_mon_drift_row *r, size_t n);

/*
 * The two distributions behind a heatmap cell (featvals.c): *cur gets
 * feature's logged values in the drift window ending at end_ms (the
 * target's drift: window, by time or by rows), *ref the feature's column
 * of the target's drift reference (the deployed version's training CSV,
 * or the configured file).  Both malloc'ed (the caller frees them), empty
 * (NULL, 0) when unavailable, with note saying why (no drift: section,
 * feature not logged, no reference, no such column) or, when the
 * reference was read, which file.  PL_OK, PL_ENOMEM, PL_ECORRUPT, or the
 * store's error.
 */
int pl_mon_feature_values(double **cur, size_t *ncur, double **ref,
    size_t *nref, char *note, size_t note_len, struct pl_store *st,
    const char *target, const char *feature, int64_t end_ms);

#endif
