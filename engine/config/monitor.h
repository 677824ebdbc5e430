/* monitor.h - plumb.yaml's monitor: section: targets and what to collect from each. */
#ifndef PL_ENGINE_CONFIG_MONITOR_H
#define PL_ENGINE_CONFIG_MONITOR_H

#include <stddef.h>
#include <stdint.h>

/*
 *   monitor:
 *     interval: 15s                      # collection period (default 15s)
 *     timeout: 5s                        # per request (default 5s)
 *     retention: {raw: 15d, downsampled: 1y}
 *     targets:
 *       churn-api:
 *         model: churn                   # registry model it serves
 *         interval: 30s                  # optional, overrides the above
 *         timeout: 2s                    # optional, overrides the above
 *         probe: http://127.0.0.1:8080/health      # or {url, timeout, ca}
 *         scrape: http://127.0.0.1:8080/metrics    # or {url, timeout, limit, ca}
 *                 # ca: a PEM file of the CAs to trust for https (a
 *                 # private CA or a self-signed certificate)
 *         process: {pidfile: run/serve.pid}        # or {pid: N} or {match: REGEX}
 *         predictions: {path: logs/predictions.jsonl, format: jsonl,
 *                       id: request_id, time: ts, prediction: score,
 *                       features: [a, b], latency: latency_ms,
 *                       status: status}
 *         labels: {path: logs/labels.csv, id: request_id, label: churned,
 *                  time: ts, within: 7d}
 *         drift: {reference: deployed, window: 1h, min_rows: 500,
 *                 features: [a, b], method: ks, threshold: 0.05}
 *                 # reference: deployed (the training data of the
 *                 # deployed version) or a CSV path; window: a duration
 *                 # or {rows: N}
 *         performance: {metrics: [accuracy, f1, auc], window: 1d,
 *                       task: classification, threshold: 0.5,
 *                       positive: "1"}
 *         concept: {detectors: [adwin, ddm], series: error}
 *
 * Durations: a number of seconds, or Prometheus-style units ms s m h d w
 * y, compound allowed ("1h30m").  Sizes: bytes, or with kB MB GB (1000s)
 * or KiB MiB GiB.  Paths are relative to plumb.yaml's directory and
 * stored resolved.  Every unknown key is an error with FILE:LINE:COL.
 */

#define PL_MON_INTERVAL_DEFAULT 15.0	/* s */
#define PL_MON_TIMEOUT_DEFAULT 5.0	/* s */
#define PL_MON_SCRAPE_LIMIT_DEFAULT (10 * 1000 * 1000)	/* bytes */
#define PL_MON_WITHIN_DEFAULT (7 * 86400.0)	/* s */
#define PL_MON_MIN_ROWS_DEFAULT 500

typedef struct pl_mon_http {
	char *url;		/* NULL: not configured */
	double timeout_s;	/* resolved: target's, else section's */
	int64_t limit;		/* response bytes (scrape) */
	char *ca;		/* resolved CA bundle path (PEM) for https, or
				 * NULL: the system's trusted CAs */
	size_t line, col;
} pl_mon_http;

typedef struct pl_mon_process {
	int set;
	long pid;		/* 0 when not given */
	char *pidfile;		/* resolved path, or NULL */
	char *match;		/* POSIX ERE over the command line, or NULL */
	size_t line, col;
} pl_mon_process;

typedef struct pl_mon_predictions {
	char *path;		/* resolved; NULL: none configured */
	char *format;		/* "jsonl", "csv" or NULL (by extension) */
	char *id, *time, *prediction, *score, *latency, *status; /* field names */
	char **features;	/* NULL: every other field */
	size_t nfeatures;
	size_t line, col;
} pl_mon_predictions;

typedef struct pl_mon_labels {
	char *path;		/* resolved; NULL: none configured */
	char *format;
	char *id, *label, *time;
	double within_s;	/* how long a prediction waits for its label */
	size_t line, col;
} pl_mon_labels;

typedef struct pl_mon_drift {
	int set;
	int deployed;		/* reference: deployed */
	char *reference;	/* resolved CSV path when not deployed */
	double window_s;	/* 0 when windows are counted in rows */
	int64_t window_rows;	/* 0 when windows are by time */
	int64_t min_rows;
	char **features;	/* NULL: every feature */
	size_t nfeatures;
	char *method;		/* NULL: plumb drift's default choice */
	double threshold;	/* < 0: the method's default */
	size_t line, col;
} pl_mon_drift;

typedef struct pl_mon_performance {
	int set;
	char **metrics;		/* accuracy precision recall f1 auc mae rmse */
	size_t nmetrics;
	double window_s;
	char *task;		/* "classification", "regression" or NULL */
	double threshold;	/* score cut for classification; < 0 unset */
	char *positive;		/* positive class label, or NULL */
	size_t line, col;
} pl_mon_performance;

typedef struct pl_mon_concept {
	int set;
	char **detectors;	/* adwin ddm eddm page-hinkley */
	size_t ndetectors;
	char *series;		/* "error" (default) or a metric name */
	size_t line, col;
} pl_mon_concept;

typedef struct pl_mon_target {
	char *name;
	char *model;		/* may be NULL */
	double interval_s;	/* resolved */
	double timeout_s;	/* resolved */
	pl_mon_http probe, scrape;
	pl_mon_process process;
	pl_mon_predictions predictions;
	pl_mon_labels labels;
	pl_mon_drift drift;
	pl_mon_performance performance;
	pl_mon_concept concept;
	size_t line, col;
} pl_mon_target;

typedef struct pl_monitor_cfg {
	int present;		/* the file has a monitor: section */
	double interval_s;
	double timeout_s;
	int64_t retain_raw_ms, retain_down_ms;
	pl_mon_target *targets;
	size_t ntargets;
	size_t line, col;
} pl_monitor_cfg;

struct ynode;

/*
 * Parses the monitor: section's node (sec, may be NULL: defaults) into
 * *out; dir resolves relative paths.  On failure returns PL_EINVAL with
 * "FILE:LINE:COL: message" in err (PL_ENOMEM too); *out is then
 * disposed.
 */
int pl__monitor_cfg_parse(pl_monitor_cfg *out, const struct ynode *sec,
    const char *dir, char *err, size_t err_len);
void pl__monitor_cfg_dispose(pl_monitor_cfg *m);

/* The target named name, or NULL. */
const pl_mon_target *pl_monitor_target(const pl_monitor_cfg *m,
    const char *name);

/*
 * Parses a duration ("15s", "1h30m", "500ms", "7d", a plain number of
 * seconds) into seconds.  0 on success, -1 when malformed.
 */
int pl_duration_parse(double *out_s, const char *text);

#endif
