/* names.h - the series names plumb's sources write and `plumb monitor status` reads. */
#ifndef PL_ENGINE_MONITOR_NAMES_H
#define PL_ENGINE_MONITOR_NAMES_H

/*
 * Every series a source writes carries a `target` label (the target's
 * name in plumb.yaml).  Names follow Prometheus: the blackbox exporter's
 * for probes, the client libraries' for processes.  The model source
 * writes the plumb_* names below; `plumb monitor status`, the monitor
 * screen and the built-in alert rules read them by these macros, so a
 * rename cannot leave a reader behind.  A field shows "-" when its series
 * do not exist.
 */

/* scrape (one per scrape, as Prometheus writes them) */
#define PL_SERIES_UP "up"
#define PL_SERIES_SCRAPE_DURATION "scrape_duration_seconds"
#define PL_SERIES_SCRAPE_SAMPLES "scrape_samples_scraped"
/* lines of the exposition that did not parse, per scrape */
#define PL_SERIES_SCRAPE_BAD_LINES "scrape_malformed_lines"

/* HTTP probe (blackbox exporter) */
#define PL_SERIES_PROBE_SUCCESS "probe_success"
#define PL_SERIES_PROBE_DURATION "probe_duration_seconds"
#define PL_SERIES_PROBE_STATUS "probe_http_status_code"
/* {phase="resolve|connect|tls|processing|transfer"}; processing ends at
 * the first byte */
#define PL_SERIES_PROBE_PHASE "probe_http_duration_seconds"
#define PL_SERIES_PROBE_CERT_EXPIRY "probe_ssl_earliest_cert_expiry"

/* process (client libraries' process collector) */
#define PL_SERIES_PROC_CPU "process_cpu_seconds_total"
#define PL_SERIES_PROC_RSS "process_resident_memory_bytes"
#define PL_SERIES_PROC_VSZ "process_virtual_memory_bytes"
#define PL_SERIES_PROC_FDS "process_open_fds"
#define PL_SERIES_PROC_MAX_FDS "process_max_fds"
#define PL_SERIES_PROC_START "process_start_time_seconds"
#define PL_SERIES_PROC_THREADS "process_threads"
/* 1 while the process (or a matching one) exists, else 0 */
#define PL_SERIES_PROC_UP "process_up"

/* model side: the prediction and label logs, drift and concept drift
 * (predsrc.c); plumb-monitor(1) lists them, with their labels */
#define PL_SERIES_PREDICTIONS "plumb_predictions_total"		/* counter */
#define PL_SERIES_PRED_ERRORS "plumb_prediction_errors_total"	/* counter */
/* predictions per second over the last round */
#define PL_SERIES_PRED_RATE "plumb_prediction_rate"
/* share of the round's predictions logged as errors, 0..1 */
#define PL_SERIES_PRED_ERR_RATIO "plumb_prediction_error_ratio"
/* {quantile="0.5|0.95|0.99"} over the round, seconds */
#define PL_SERIES_PRED_LATENCY "plumb_prediction_latency_seconds"
#define PL_SERIES_DRIFT_SHARE "plumb_drift_share"	/* 0..1 */
/* {feature, method}: each window's score (p-value or distance) and 0/1 */
#define PL_SERIES_DRIFT_SCORE "plumb_drift_score"
#define PL_SERIES_DRIFT_DETECTED "plumb_drift_detected"
#define PL_SERIES_ACCURACY "plumb_model_accuracy"	/* 0..1 */
#define PL_SERIES_LABEL_COVERAGE "plumb_label_coverage"	/* 0..1 */
/* {log="predictions|labels"}: lines that did not parse */
#define PL_SERIES_LOG_MALFORMED "plumb_log_malformed_total"	/* counter */
/* {source="scrape"}: exposition lines that did not parse, summed */
#define PL_SERIES_MALFORMED "plumb_malformed_lines_total"	/* counter */
/* seconds one round of the target took (the watcher) */
#define PL_SERIES_WATCH_ROUND "plumb_watch_round_seconds"

#endif
