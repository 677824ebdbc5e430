/* alert.h - the public API of engine/alert/: rule unit tests, PromQL queries, alerting over the store, on-call (alerts, acks, silences). */
#ifndef PL_ENGINE_ALERT_ALERT_H
#define PL_ENGINE_ALERT_ALERT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Runs promtool rule unit-test files (the format of `promtool test
 * rules`, cmd/promtool/unittest.go of Prometheus 2.42) unchanged.
 * *report gets the text to show (malloc'ed, the caller frees it): per
 * file "Unit Testing:  FILE" then SUCCESS, or FAILED: with promtool's
 * expected-vs-got listing, or the FILE:LINE:COL reason a file could not
 * be used.  *status is 0 when every test passed, 1 when some test failed,
 * 2 when some file (test or rule file) was unreadable or invalid.
 * Returns PL_OK, or PL_ENOMEM.
 */
int pl_alerts_test(char **report, int *status, const char *const *files,
    size_t nfiles);


struct pl_store;

/* Output forms of pl_promql_query(). */
enum { PL_QUERY_JSON = 0, PL_QUERY_TEXT = 1 };

/*
 * Evaluates PromQL expr over st's series store (the subset of
 * plumb-alerts(1), Prometheus' semantics): an instant query at start_ms
 * when step_ms is 0, else a range query over [start_ms, end_ms] every
 * step_ms.  *out (malloc'ed, the caller frees it) receives, for
 * PL_QUERY_JSON, the body Prometheus' /api/v1/query or /query_range
 * would return ({"status":"success","data":{"resultType":..,
 * "result":..}}), or for PL_QUERY_TEXT promtool query's lines
 * (`name{a="b"} => 1 @[1700000000]`).  A vector is sorted by labels.
 * Errors: PL_EINVAL for a bad expression or range (message on st;
 * *err_col, may be NULL, gets the 1-based column of a syntax error, or
 * 0), PL_ERROR when evaluation failed (message on st).
 */
int pl_promql_query(char **out, size_t *err_col, struct pl_store *st,
    const char *expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
    int format);

/* ---- alerting: rules evaluated over the series store ------------------ */

struct pl_config;
typedef struct pl_alerting pl_alerting;

/*
 * The alert and recording rules of plumb.yaml's alerts: section
 * (plumb-alerts(1)), evaluated over st's series store.  The watcher
 * opens one per store, calls pl_alerting_eval() once per collection
 * interval (or when pl_alerting_next() says), and closes it at exit:
 *
 *   alerts:
 *     interval: 30s             # default group interval (default: the
 *                               #   monitor: interval, else 15s)
 *     builtin: true             # the built-in rules (default true)
 *     for_grace_period: 10m     # Prometheus' --rules.alert.for-grace-period
 *     outage_tolerance: 1h      # ... --rules.alert.for-outage-tolerance
 *     rule_files: [rules.yml]    # Prometheus rule files (globs), relative to
 *                               #   plumb.yaml
 *     groups:                   # inline groups, the rule-file format
 *     - name: churn
 *       interval: 1m
 *       rules:
 *       - alert: ChurnInputDrift
 *         expr: plumb_drift_share > 0.3
 *         for: 10m
 *         labels: {severity: page}
 *         annotations: {summary: "drift {{ $value | humanize }}"}
 *
 * Built-in rules (group plumb-builtin): PlumbTargetDown (up == 0 for
 * 1m), PlumbProbeFailing (probe_success == 0 for 1m), PlumbNoPredictions
 * (no increase of plumb_predictions_total over 15m, for 5m),
 * PlumbTriggerFailed (plumb_trigger_failed == 1: the last run of a CT
 * trigger failed, engine/ct/ct.h).  A rule of the
 * user's with the same alert name replaces the built-in one; builtin:
 * false drops them all.
 *
 * cfg may be NULL (no plumb.yaml: the built-in rules only); it is read
 * during the call only (the section is read from cfg->path).  st must
 * stay open until pl_alerting_close(); the handle uses st's connection
 * and must be used on st's thread.  On failure *out is NULL and err has
 * "FILE:LINE:COL: reason"; returns PL_EINVAL (bad rules), PL_EIO,
 * PL_ENOMEM.
 */
int pl_alerting_open(pl_alerting **out, struct pl_store *st,
    const struct pl_config *cfg, char *err, size_t errlen);

/*
 * Evaluates every group due at now_ms (each group at its interval; all
 * of them at the first call), appends recording rules' output, ALERTS
 * and ALERTS_FOR_STATE to the series store, restores `for` state after
 * a group's first evaluation (as Prometheus does after a restart), and
 * records every transition in the alert history, firing and resolving
 * also as `alert` events.  Returns PL_OK, or PL_ERROR when some rule
 * failed (the others still ran; the first failure is in
 * pl_alerting_errmsg()), or the store's code when writing failed.
 */
int pl_alerting_eval(pl_alerting *a, int64_t now_ms);
/*
 * The watcher's evaluation, driven by the data: groups run as fresh
 * samples arrive, so a crossing is seen at the first evaluation after
 * the round that collected it, never one interval later.  With fresh = 1
 * (a batch of target rounds was just written) a group runs once it is
 * due within min(interval/2, 250 ms); with fresh = 0 (time alone) only
 * half an interval past its time, when no round came.  Evaluations stay
 * at least one interval apart: one triggered a little early is stamped
 * with the group's time (at most 250 ms ahead), so the `for` of a rule,
 * counted on those stamps as Prometheus counts it on its grid, is not
 * missed by a few ms of jitter.  Otherwise as pl_alerting_eval().
 */
int pl_alerting_tick(pl_alerting *a, int64_t now_ms, int fresh);
/* The earliest time a group is due (ms); after pl_alerting_tick(), the
 * time it runs without fresh samples. */
int64_t pl_alerting_next(const pl_alerting *a);
/* 1 when some loaded alerting rule (the user's or built-in) is named
 * name, else 0. */
int pl_alerting_has_alert(const pl_alerting *a, const char *name);
/* Rules loaded; rules that failed in the last evaluation. */
size_t pl_alerting_nrules(const pl_alerting *a);
size_t pl_alerting_failed(const pl_alerting *a);
/* The last failure's message ("" when none); owned by the handle. */
const char *pl_alerting_errmsg(const pl_alerting *a);
/* NULL is fine.  Flushes what is queued. */
void pl_alerting_close(pl_alerting *a);

/* 1 when the built-in rules are on (alerts: builtin:, default true). */
int pl_alerting_builtin(const pl_alerting *a);

/* Names of the built-in alerting rules (NULL-terminated). */
extern const char *const pl_alerts_builtin_names[];

/* ---- the watcher's heartbeat ------------------------------------------- */

/* plumb watch beats at most this often (its tick runs at least every
 * minute); a watcher holding the lock without a beat for
 * PL_WATCHER_STALE_MS is reported as hung. */
#define PL_WATCHER_BEAT_MS 5000
#define PL_WATCHER_STALE_MS (3 * 60 * 1000)

/*
 * Records that the watcher of st is alive at now_ms (pid and host of
 * this process, started_ms its start); stopped = 1 at a clean stop.
 * builtin = 0 when its alerts: section turned the built-in rules off
 * (then its absence is not reported).  PL_OK or the store's code.
 */
int pl_watcher_beat(struct pl_store *st, int64_t now_ms, int64_t started_ms,
    int builtin, int stopped);

typedef struct pl_watcher_health {
	int known;		/* a watcher beat on this store before */
	int running;		/* a live process holds the watch lock */
	int stale;		/* running, but no beat for PL_WATCHER_STALE_MS */
	long pid;		/* the lock holder's, else the last beat's */
	char host[256];
	int64_t started_ms, beat_ms, stopped_ms;	/* 0: none */
	int builtin;		/* the last watcher reported its absence */
} pl_watcher_health;

/* The watch lock and the heartbeat of st at now_ms.  PL_OK or the
 * store's code. */
int pl_watcher_health_get(pl_watcher_health *out, struct pl_store *st,
    int64_t now_ms);

/* ---- on-call: active alerts, history, acks, silences ------------------ */

/*
 * One row of the alert history: an episode of an alert instance, from
 * pending to its end.  state is "pending", "firing" or "resolved".
 * Strings are owned by the row (free with pl_alert_rows_free()).
 */
typedef struct pl_alert_row {
	int64_t id;
	char *alertname;
	char *labels;		/* {alertname="X", a="b"} */
	char *group;
	char *state;
	int64_t active_ms, fired_ms, end_ms;	/* 0 when not (yet) */
	double value, peak;	/* NaN when unknown */
	char *annotations;	/* {summary="..."} */
	int64_t ack_ms;		/* 0: not acknowledged */
	char *ack_user, *ack_host, *ack_ssh, *ack_comment;	/* may be NULL */
	char *silenced_by;	/* pl_alerts_active(): id of a silence that
				 * matches now, or NULL */
} pl_alert_row;

/* The alerts pending or firing (open rows), oldest first, each marked
 * with a silence active at now_ms that matches it; with them the
 * built-in PlumbWatcherNotRunning (id 0, group plumb-builtin, firing
 * since the last heartbeat) when pl_watcher_health_get() finds that a
 * watcher ran on this store and is not running now, or is stale, unless
 * that watcher ran with `builtin: false`. */
int pl_alerts_active(pl_alert_row **out, size_t *out_n, struct pl_store *st,
    int64_t now_ms);
/* Every row active at or after since_ms (ended or not), oldest first. */
int pl_alerts_history(pl_alert_row **out, size_t *out_n, struct pl_store *st,
    int64_t since_ms);
void pl_alert_rows_free(pl_alert_row *r, size_t n);

/*
 * Acknowledges the active alerts named alertname: the current user,
 * host and SSH client (as in the audit log), the time and comment are
 * recorded on their rows, and an audit entry alert.ack.  *out_n gets
 * how many; PL_ENOTFOUND (message on st) when none is active.
 */
int pl_alerts_ack(size_t *out_n, struct pl_store *st, const char *alertname,
    const char *comment, int64_t now_ms);

/* ---- Prometheus' API views (prom-view.c) ------------------------------ */

/*
 * The body of Prometheus' /api/v1/alerts ({"status":"success","data":
 * {"alerts":[{labels, annotations, state, activeAt, value}]}}): the
 * alerts pl_alerts_active() lists at now_ms, value as Go's 'e' format.
 * *out is malloc'ed (the caller frees it).  PL_OK or the store's code.
 */
int pl_alerts_prom_json(char **out, struct pl_store *st, int64_t now_ms);

enum { PL_RULES_ALL = 0, PL_RULES_ALERTING = 1, PL_RULES_RECORDING = 2 };

/* What /api/v1/rules lists: type=alert|record, rule_name[],
 * rule_group[], file[] (an empty list: any). */
typedef struct pl_rules_filter {
	int type;		/* PL_RULES_* */
	const char *const *names;
	size_t nnames;
	const char *const *groups;
	size_t ngroups;
	const char *const *files;
	size_t nfiles;
} pl_rules_filter;

/*
 * The body of Prometheus' /api/v1/rules over the rules cfg's alerts:
 * section loads (as the watcher loads them; cfg NULL: the built-in
 * rules), groups in order, each alerting rule with its state and alerts
 * from the alert history.  Health: while a watcher runs on st, each
 * listed rule's expression is evaluated at now_ms ("ok", or "err" with
 * lastError, lastEvaluation now_ms); with none running, "unknown" and
 * Go's zero time.  f may be NULL.  Errors: the rules' load failure
 * (PL_EINVAL, PL_EIO; "FILE:LINE:COL: reason" on st), the store's code.
 */
int pl_rules_prom_json(char **out, struct pl_store *st,
    const struct pl_config *cfg, const pl_rules_filter *f, int64_t now_ms);

/* Alertmanager's silence. */
typedef struct pl_silence {
	char *id;
	char *matchers;		/* {a="b", c=~"d"} */
	int64_t starts_ms, ends_ms, created_ms;
	char *created_by;	/* user@host, with " via ADDR" over SSH */
	char *comment;
} pl_silence;

/*
 * Adds a silence from matchers written like amtool's: NAME=VALUE,
 * NAME!=VALUE, NAME=~REGEX, NAME!~REGEX (the value may be quoted;
 * regexes anchored as in Alertmanager), active over [starts_ms,
 * ends_ms).  At least one matcher must not match the empty string, as
 * Alertmanager demands.  *out_id (malloc'ed) gets its id.  Bad input:
 * PL_EINVAL with the reason on st.  An audit entry silence.add.
 */
int pl_silence_add(char **out_id, struct pl_store *st, const char *const *matchers,
    size_t n, int64_t starts_ms, int64_t ends_ms, const char *comment);
/* Silences not expired at now_ms (all when all != 0), newest first. */
int pl_silence_list(pl_silence **out, size_t *out_n, struct pl_store *st,
    int64_t now_ms, int all);
void pl_silences_free(pl_silence *s, size_t n);
/* Ends a silence at now_ms; id may be a unique prefix.  PL_ENOTFOUND,
 * or PL_EINVAL when already expired or ambiguous. */
int pl_silence_expire(struct pl_store *st, const char *id, int64_t now_ms);
/* 1 when the silence's matchers all match the label set text (as
 * stored in a pl_alert_row), 0 when not, -1 on a bad text. */
int pl_silence_matches(const char *matchers, const char *labels);

#endif
