/* events.h - the monitoring events table: deploys, promotions, rollbacks, watcher and scrape events, alarms. */
#ifndef PL_ENGINE_MONITOR_EVENTS_H
#define PL_ENGINE_MONITOR_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * One row per thing that happened to a monitored service, for charts
 * (marks on a time axis) and `plumb monitor events`.  Kinds in use:
 *   deploy, promote, rollback, register (a new model version: the
 *   training run that produced it), watch-start, watch-stop,
 *   watch-reload, target-down, target-up, scrape-failure,
 *   drift, concept-drift, alert, ct (a CT run starts or ends: its
 *   trigger, history id, status, first run and model; ct/history.c).
 * A kind is [a-z][a-z0-9.-]* (at most 40 bytes); other modules may add
 * kinds.  target, model (and version > 0) say what it concerns; message
 * is one human line.
 */
typedef struct pl_event {
	int64_t id;		/* increasing */
	int64_t time_ms;
	char *kind;
	char *target;		/* may be NULL */
	char *model;		/* may be NULL */
	int version;		/* 0 when none */
	char *message;
	char *user;		/* may be NULL */
	char *host;		/* may be NULL */
} pl_event;

/*
 * Appends an event at time_ms (0: now).  Like pl_audit_append(), it
 * joins the transaction open on st if there is one (so a promotion and
 * its event commit together), else it is a transaction of its own.
 */
int pl_event_append(pl_store *st, int64_t time_ms, const char *kind,
    const char *target, const char *model, int version,
    const char *message);

/* What to list; zero/NULL fields do not filter. */
typedef struct pl_event_query {
	int64_t start_ms, end_ms;	/* end 0: no upper bound */
	const char *kind;
	const char *target;
	const char *model;
	size_t limit;			/* 0: all; else the newest limit */
} pl_event_query;

/* Events in time order (then id).  *out is the caller's: free with
 * pl_events_free(). */
int pl_event_list(pl_event **out, size_t *out_n, pl_store *st,
    const pl_event_query *q);
/* Frees what one event holds (not the event itself). */
void pl_event_dispose(pl_event *e);
void pl_events_free(pl_event *e, size_t n);

#endif
