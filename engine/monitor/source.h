/* source.h - what plumb watch collects from: the source interface and the sink sources write into. */
#ifndef PL_ENGINE_MONITOR_SOURCE_H
#define PL_ENGINE_MONITOR_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "config/plumb-yaml.h"
#include "monitor/tsdb.h"

/*
 * A source kind (HTTP probe, Prometheus scrape, process stats,
 * prediction log, labels, drift, ...) is a table of operations.  The
 * watcher keeps, per target, one state per source kind that wants the
 * target, and at every round calls poll() on the target's own worker
 * thread with a deadline; a source must return by then (a hung target
 * only delays itself).  Adding a kind is one entry in pl_mon_sources[]
 * (sources.c): the watcher's loop does not change.
 *
 * Threading: open() and close() run on the watcher's main thread; poll()
 * on the target's worker thread, never at the same time as another call
 * on the same state.  A source must not use the watcher's store handle
 * in poll(); env->store_dir lets it open its own (read-only is best).
 */

typedef struct pl_mon_sink pl_mon_sink;

/* What a source is told when it opens. */
typedef struct pl_mon_env {
	const pl_config *config;	/* the whole plumb.yaml */
	const char *store_dir;		/* to open a store handle of its own */
} pl_mon_env;

typedef struct pl_mon_source_ops {
	const char *kind;	/* short name: "probe", "scrape", ... */
	/* 1 when target t uses this source (e.g. has probe: set). */
	int (*wants)(const pl_mon_target *t);
	/* Makes the state; PL_OK, or an error with a message in err (the
	 * target is then skipped and the message logged). */
	int (*open)(void **state, const pl_mon_target *t,
	    const pl_mon_env *env, char *err, size_t err_len);
	/* One round: observe at now_ms, write samples/events/states into
	 * sink, return by deadline_ms (wall clock, ms).  A failure to
	 * reach the target is data (up 0, a state), not an error: return
	 * non-PL_OK only for a fault of plumb itself (out of memory). */
	int (*poll)(void *state, int64_t now_ms, int64_t deadline_ms,
	    pl_mon_sink *sink);
	void (*close)(void *state);
} pl_mon_source_ops;

/* The known kinds, NULL-terminated. */
extern const pl_mon_source_ops *const pl_mon_sources[];

/* ---- the sink ---- */

/* A sink for target (its name becomes the `target` label of every
 * sample).  Free with pl_mon_sink_free(). */
int pl_mon_sink_new(pl_mon_sink **out, const char *target);
void pl_mon_sink_free(pl_mon_sink *k);
/* Empties it for the next round (keeps memory). */
void pl_mon_sink_reset(pl_mon_sink *k);

/* Queues a sample; a `target` label is added (one given is replaced).
 * Copies everything.  PL_ENOMEM only. */
int pl_mon_sink_sample(pl_mon_sink *k, const char *name,
    const pl_label *labels, size_t nlabels, int64_t t_ms, double v);
/* Queues an event of the target (kind as in events.h). */
int pl_mon_sink_event(pl_mon_sink *k, int64_t t_ms, const char *kind,
    const char *message);
/*
 * Reports the state of something the source watches (key, e.g.
 * "probe"), as a short word ("up", "down", "rotated") and a detail.  The
 * watcher logs one line when a key's state differs from the previous
 * round's, not every round.
 */
int pl_mon_sink_state(pl_mon_sink *k, const char *key, const char *state,
    const char *detail);

/* Readers of what was queued (the watcher and tests). */
size_t pl_mon_sink_nsamples(const pl_mon_sink *k);
typedef struct pl_mon_queued {
	const char *name;
	const pl_label *labels;		/* target included */
	size_t nlabels;
	int64_t t_ms;
	double v;
} pl_mon_queued;
void pl_mon_sink_get(pl_mon_queued *out, const pl_mon_sink *k, size_t i);
size_t pl_mon_sink_nevents(const pl_mon_sink *k);
void pl_mon_sink_event_get(int64_t *t_ms, const char **kind,
    const char **message, const pl_mon_sink *k, size_t i);
size_t pl_mon_sink_nstates(const pl_mon_sink *k);
void pl_mon_sink_state_get(const char **key, const char **state,
    const char **detail, const pl_mon_sink *k, size_t i);
const char *pl_mon_sink_target(const pl_mon_sink *k);

/*
 * Moves the queued samples into writer w (pl_ts_append each) and the
 * events into st (one transaction is the caller's business: call it
 * before pl_ts_flush()).  *out_n (may be NULL) receives the samples
 * appended.  The sink is left as it was (reset it yourself).
 */
int pl_mon_sink_drain(size_t *out_n, pl_mon_sink *k, pl_ts_writer *w,
    pl_store *st);

#endif
