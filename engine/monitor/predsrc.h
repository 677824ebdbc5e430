/* predsrc.h - the model-performance source of plumb watch: prediction and label logs, accuracy, data and concept drift. */
#ifndef PL_ENGINE_PREDSRC_H
#define PL_ENGINE_PREDSRC_H

#include <stddef.h>
#include <stdint.h>

#include "monitor/predparse.h"
#include "store/store.h"

/*
 * One pl_predsrc per monitored target.  Each poll:
 *  1. tails the prediction log (logtail.h: rotation both ways, deletion,
 *     restart at the stored position) and stores every record with its
 *     features in blocks (predblock.h: mon_pred_blocks, the head block
 *     rewritten until full) in one transaction together with the log's
 *     new position: a kill -9 at any moment neither loses nor duplicates
 *     a record.  A second record with an id already stored (found by the
 *     in-memory id index, exact) is counted as a duplicate and not stored
 *     again (within retention, below).  The index costs 16 to 32 bytes
 *     of memory per stored record of the target.
 *     Malformed lines are counted (mon_logs.malformed, with the last
 *     message) and skipped; a change of columns is reported once.
 *  2. tails the labels log the same way and joins each label by id with
 *     its prediction when the prediction is at most `within` older than
 *     the label (default 7 days); a label whose prediction has not been
 *     read yet waits in mon_labels_pending for up to `within`.  Joins
 *     survive restarts: predictions and labels are in the store.
 *  3. emits derived series through the callbacks (names below), the
 *     window metrics, window drift against the prepared reference, and
 *     concept-drift alarms of the detectors fed, label by label, with the
 *     error of each joined prediction.
 *
 * Series (every one carries target="NAME" besides the labels shown):
 *   plumb_predictions_total, plumb_prediction_errors_total      counters
 *   plumb_prediction_rate (records/s since the previous poll),
 *   plumb_prediction_error_ratio (errors / records, this poll)
 *   plumb_prediction_latency_seconds{quantile="0.5|0.95|0.99"}   this poll
 *   plumb_prediction_value{quantile="0.5"}, plumb_prediction_mean,
 *   plumb_prediction_positive_ratio (classification)             this poll
 *   plumb_log_lines_total{log}, plumb_log_malformed_total{log},
 *   plumb_log_schema_changes_total{log}       log = predictions | labels
 *   plumb_model_accuracy, _precision, _recall, _f1, _auc (classification)
 *   plumb_model_mae, _rmse (regression): those in opts.metrics (0: all
 *   of the task); plumb_label_coverage,
 *   plumb_labelled_predictions                    over the performance window
 *   plumb_drift_score{feature,method}, plumb_drift_detected{feature,method},
 *   plumb_drift_share, plumb_drift_dataset, plumb_drift_window_rows
 *   plumb_concept_drift{detector} (1 on a poll with an alarm, else 0),
 *   plumb_concept_warning{detector}
 * Retention (retain_ms > 0): at the first poll and then hourly, in a
 * transaction of its own, the blocks whose newest prediction is older
 * than retain_ms are deleted with their joined labels, and the id index
 * is rebuilt from what is left (so memory follows the retained rows).
 * The horizon is counted back from the newest stored prediction (or now,
 * when that is later: log times in the future) and never cuts into what
 * the labels' `within`, the performance window or a time drift window
 * still read; the two newest blocks (more for a drift window of rows)
 * always stay.  Duplicates are so detected within retention: an id
 * logged again after its first prediction was deleted is a new record.
 * plumb_prediction_errors_total counts the stored errors when the source
 * opens, so after a restart that followed a deletion it starts lower
 * (a counter reset).
 *
 * Events: "drift" when the dataset verdict turns to drift, "concept-drift"
 * per detector alarm, "log-rotated", "log-schema" (columns changed).
 * States (logged on change): "predictions", "labels": ok, missing,
 * rotated, truncated; "drift": ok, drift, waiting.
 */

struct pl_predsrc_opts {
	const char *target;		/* name; required */
	/* prediction log; NULL: none */
	const char *pred_path;
	int pred_format;		/* PL_PRED_*; 0: by extension (.csv) */
	struct pl_pred_fields pred_fields;
	/* labels log; NULL: none */
	const char *label_path;
	int label_format;
	struct pl_pred_fields label_fields;
	int64_t within_ms;		/* 0: 7 days */
	/* performance */
	int task;			/* PL_PERF_*: 0 auto */
	int64_t perf_window_ms;		/* 0: 1 day */
	double threshold;		/* score cut; 0: 0.5 (perf.h) */
	unsigned metrics;		/* PL_PERF_M_* bits; 0: every one of the task */
	/* data drift; reference NULL: none */
	const char *drift_reference;	/* CSV path */
	int64_t drift_window_ms;	/* by time (0: use rows; both 0: 1h) */
	size_t drift_window_rows;
	size_t drift_min_rows;		/* 0: 500 */
	const char *const *drift_features;	/* NULL: every reference column */
	size_t n_drift_features;
	int drift_method;		/* PL_DRIFT_DEFAULT or forced */
	double drift_threshold;		/* NAN: default */
	/* concept drift: pl_detect kinds */
	const int *detectors;
	size_t ndetectors;
	/* most bytes read from a log per poll (0: 64 MB) */
	size_t max_bytes;
	/* retention of stored predictions (monitor: retention: raw); 0:
	 * kept for ever.  See "Retention" above. */
	int64_t retain_ms;
};

/* Where a poll's output goes.  Labels are name/value pairs (npairs of
 * them, target not included).  A callback returning non-zero stops the
 * poll with PL_ERROR after the store is consistent. */
struct pl_predsrc_out {
	int (*sample)(void *ctx, const char *name, const char *const *labels,
	    size_t npairs, int64_t t_ms, double v);
	int (*event)(void *ctx, int64_t t_ms, const char *kind,
	    const char *message);
	int (*state)(void *ctx, const char *key, const char *state,
	    const char *detail);
	void *ctx;
};

typedef struct pl_predsrc pl_predsrc;

/*
 * Opens its own handle on the store in store_dir (read-write) and the
 * reference (read and sorted once).  On failure *out is NULL and err
 * says why (a reference CSV error names PATH:LINE).
 */
int pl_predsrc_open(pl_predsrc **out, const char *store_dir,
    const struct pl_predsrc_opts *o, char *err, size_t errlen);
/* One round at now_ms (wall clock).  PL_OK, or a fault of plumb itself
 * (store, memory) with pl_predsrc_errmsg(). */
int pl_predsrc_poll(pl_predsrc *s, int64_t now_ms,
    const struct pl_predsrc_out *out);
/* Replaces the drift reference by another CSV (the deployed version
 * changed); the window, read from the store, is tested against it at
 * the next poll.  On failure the old reference stays and err says why. */
int pl_predsrc_set_reference(pl_predsrc *s, const char *reference_csv,
    char *err, size_t errlen);
const char *pl_predsrc_errmsg(const pl_predsrc *s);
void pl_predsrc_close(pl_predsrc *s);

/* What `plumb monitor status` shows of a target's logs. */
struct pl_predlog_status {
	int present;			/* the log has been read at least once */
	int64_t lines, records, malformed, duplicates, schema_changes;
	char last_error[256];		/* "" when none */
	int64_t updated_ms;
};
struct pl_predsrc_status {
	struct pl_predlog_status predictions, labels;
	int64_t stored, labelled, pending;	/* rows */
};
int pl_predsrc_status(struct pl_predsrc_status *out, pl_store *st,
    const char *target);

#endif
