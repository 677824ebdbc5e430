/* notify.h - the public API of alert notifications: Alertmanager-style routes, grouping and receivers (command, webhook, Alertmanager v2), driven by the watcher, and their delivery log. */
#ifndef PL_ENGINE_ALERT_NOTIFY_H
#define PL_ENGINE_ALERT_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

struct pl_store;
struct pl_config;

/*
 * The notifier: the route: and receivers: keys of plumb.yaml's alerts:
 * section (plumb-alerts(1), NOTIFICATIONS), shaped like Alertmanager's
 * configuration:
 *
 *   alerts:
 *     external_url: http://host/        # externalURL of the payloads
 *     route:
 *       receiver: ops
 *       group_by: [alertname]           # '...': every label
 *       group_wait: 30s                 # defaults as Alertmanager's
 *       group_interval: 5m
 *       repeat_interval: 4h
 *       routes:
 *       - matchers: ['severity="page"']
 *         receiver: pager
 *         continue: false
 *     receivers:
 *     - name: ops
 *       command: [prog, arg]            # webhook JSON on stdin
 *       timeout: 10s
 *     - name: hook
 *       webhook: {url: http://..., timeout: 10s}
 *     - name: am
 *       alertmanager: {url: http://host:9093}
 *
 * Alerts (firing, and resolved within the last 15 minutes) are read
 * from the alert history pl_alerting_eval() writes, routed, grouped by
 * the route's group_by and notified with Alertmanager's timers and
 * deduplication (dispatch/dispatch.go, notify/notify.go DedupStage):
 * first after group_wait, then at each group_interval when the group
 * changed, again after repeat_interval.  Alerts matched by an active
 * silence are not sent.  What was last sent to each group is stored, so
 * a restarted watcher does not notify again what was already sent.
 *
 * Deliveries run on threads of their own (a command in its own process
 * group, libcurl for HTTP); the tick never waits for one.  A delivery
 * still running at its timeout (default 10 s) is cut off (the command's
 * process group killed).  A failed delivery is retried with exponential
 * backoff (5 s, 10 s, 20 s ... at most 5 min) until it succeeds or a
 * newer notification of the same group replaces it.  Every attempt is
 * logged through the log callback and recorded in the store
 * (pl_notify_deliveries(), pl_notify_states()).
 *
 * All calls on the thread of st (the watcher's writer thread).
 */
typedef struct pl_notifier pl_notifier;

/* A log line (no newline; may hold text a receiver wrote: sanitize it
 * before a terminal). */
typedef void (*pl_notify_log_fn)(void *ctx, int64_t t_ms, const char *line);

/*
 * Reads the route and receivers of cfg (cfg->path; NULL or no route:
 * a notifier that sends nothing).  On a bad configuration *out is NULL
 * and err has "FILE:LINE:COL: reason" (PL_EINVAL); PL_EIO, PL_ENOMEM.
 * st must stay open until pl_notifier_close().
 */
int pl_notifier_open(pl_notifier **out, struct pl_store *st,
    const struct pl_config *cfg, pl_notify_log_fn log, void *log_ctx,
    char *err, size_t errlen);

/*
 * Takes the route and receivers of a new configuration.  On a bad one
 * the notifier keeps its last good ones and returns PL_EINVAL with
 * "FILE:LINE:COL: reason" in err.  Deliveries in flight finish.
 */
int pl_notifier_reload(pl_notifier *n, const struct pl_config *cfg,
    char *err, size_t errlen);

/* Only checks a configuration (as pl_notifier_open would). */
int pl_notifier_check(const struct pl_config *cfg, size_t *nreceivers,
    char *err, size_t errlen);

/*
 * Does what is due at now_ms: collects finished deliveries (records,
 * logs, schedules retries), reads the alerts, flushes the groups whose
 * time has come and starts the deliveries due.  Never waits for a
 * delivery.  PL_OK, or the store's code (message on st).
 */
int pl_notifier_tick(pl_notifier *n, int64_t now_ms);

/* When the notifier wants its next tick (ms; INT64_MAX: nothing to do). */
int64_t pl_notifier_next(const pl_notifier *n);

/* Receivers configured (0: the notifier sends nothing). */
size_t pl_notifier_nreceivers(const pl_notifier *n);

/* Delivery attempts started and not yet collected by a tick (retries
 * waiting for their time are not counted). */
size_t pl_notifier_inflight(const pl_notifier *n);

/*
 * Cuts off the deliveries still running (commands killed, transfers
 * aborted), records them and frees the notifier.  NULL is fine.
 */
void pl_notifier_close(pl_notifier *n);

/* ---- the delivery log, for `plumb alerts` ------------------------------ */

/* One delivery attempt.  Strings owned by the row. */
typedef struct pl_delivery {
	int64_t id;
	int64_t ms;		/* when the attempt ended */
	char *receiver;
	char *group_key;
	char *status;		/* "firing" or "resolved" (the payload's) */
	int ok;
	int attempt;		/* 1, 2, ... of this notification */
	char *error;		/* "" when ok */
	int64_t next_ms;	/* next attempt, 0 when none */
	int nfiring, nresolved;
	int64_t duration_ms;
} pl_delivery;

/* Attempts that ended at or after since_ms, newest first, at most limit
 * (0: no limit). */
int pl_notify_deliveries(pl_delivery **out, size_t *out_n,
    struct pl_store *st, int64_t since_ms, size_t limit);
void pl_deliveries_free(pl_delivery *d, size_t n);

/* The last delivery state of one alert (its label text, as in
 * pl_alert_row.labels) at one receiver. */
typedef struct pl_notify_state {
	char *receiver;
	int ok;			/* the last attempt succeeded */
	int64_t ms;		/* when */
	int attempt;
	char *error;
	int64_t next_ms;	/* next attempt, 0 when none */
	int64_t ok_ms;		/* last success, 0 when never */
} pl_notify_state;

int pl_notify_states(pl_notify_state **out, size_t *out_n,
    struct pl_store *st, const char *labels);
void pl_notify_states_free(pl_notify_state *s, size_t n);

#endif
