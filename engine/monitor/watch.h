/* watch.h - plumb watch: per-target collector threads, one writer into the series store, one watcher per store. */
#ifndef PL_ENGINE_MONITOR_WATCH_H
#define PL_ENGINE_MONITOR_WATCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * A watcher runs every source kind of pl_mon_sources[] that wants a
 * target of plumb.yaml's monitor: section:
 *
 *  - one worker thread per target polls the target's sources every
 *    interval (the target's, else the section's) with a deadline of now
 *    + timeout; a slow or hung target delays only its own thread.  A
 *    round that starts late (the previous one overran) is skipped, not
 *    queued.
 *  - one writer thread takes every finished round, appends its events
 *    (one transaction) and its samples (pl_ts_flush(): one transaction)
 *    and compares each reported state with the previous one of the same
 *    target and key: a change is one log line, a steady state none.
 *  - retention (monitor: retention:) runs at start and every hour.
 *  - events watch-start, watch-stop, watch-reload, and the sources'.
 *
 * One watcher per store: pl_watch_open() takes an exclusive lock on
 * STORE/watch.lock (flock; the file records pid, host and start time).
 * A second watcher gets PL_EBUSY with a message naming the first's pid
 * and host.  The kernel drops the lock of a process that died, so a
 * stale lock (kill -9) is taken over without ado.
 *
 * The engine never prints: each log line goes to the log callback
 * (called from one thread at a time), without a timestamp (t_ms is
 * given) and without a newline.  Text in it can come from the monitored
 * services: the front end sanitizes it.
 */

typedef struct pl_watch pl_watch;

typedef void (*pl_watch_log_fn)(void *ctx, int64_t t_ms, const char *line);

struct pl_store;

/*
 * The tick: what runs over the collected series (alert rules,
 * notifications, triggers) lives in rooms above this one, so the front
 * end hands it in as a callback.  It is called on the writer thread,
 * with the watcher's store (use it only during the call, on this
 * thread):
 *  - after every batch of samples is written and flushed (the rules see
 *    the fresh samples),
 *  - and whenever the time it last returned has come (wall clock, ms;
 *    0: no wish, then at least every 60 s);
 *  - a last time with last = 1 as the writer stops (close what uses
 *    st; the store is still open).
 * gen counts successful reloads of plumb.yaml (0 at start): when it
 * changes, the tick re-reads its sections of config_path.  now_ms is
 * the watcher's wall clock.  fresh is 1 when the call follows a batch of
 * target rounds just written (rules run on the data as it arrives),
 * 0 for a call on time alone.  It must not block for long: the writer
 * waits for it.
 */
typedef int64_t (*pl_watch_tick_fn)(void *ctx, struct pl_store *st,
    unsigned gen, int64_t now_ms, int last, int fresh);

struct pl_watch_opts {
	const char *store_dir;		/* required */
	const char *config_path;	/* plumb.yaml; required */
	double interval_s;		/* > 0: overrides every interval */
	pl_watch_log_fn log;		/* may be NULL */
	void *log_ctx;
	pl_watch_tick_fn tick;		/* may be NULL */
	void *tick_ctx;
};

/*
 * Takes the store's watcher lock, loads the configuration and opens the
 * store.  On failure *out is NULL and err says why (PL_EBUSY: another
 * watcher; PL_EINVAL: a bad plumb.yaml, "FILE:LINE:COL: message").  No
 * thread runs yet.
 */
int pl_watch_open(pl_watch **out, const struct pl_watch_opts *o, char *err,
    size_t err_len);

/*
 * Runs: rounds = 1 does one round of every target (each waits for its
 * sources, within their deadlines), writes it and returns; rounds = 0
 * runs until pl_watch_request(PL_WATCH_STOP) or until run_ms
 * milliseconds have passed (run_ms <= 0: no limit).  On stop the
 * workers are given up to ~0.6 s to finish their round; what was
 * collected is flushed before this returns.  PL_OK, or a fault of
 * plumb itself (store, memory) with pl_watch_errmsg().
 */
int pl_watch_run(pl_watch *w, int rounds, int64_t run_ms);

/* Requests, safe to call from a signal handler (they set a flag and
 * write one byte to a pipe). */
enum { PL_WATCH_STOP = 1, PL_WATCH_RELOAD = 2 };
void pl_watch_request(pl_watch *w, int what);

/* One line through the watcher's log callback (for the tick). */
void pl_watch_log(pl_watch *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Message of the last failure. */
const char *pl_watch_errmsg(const pl_watch *w);

/* Counters for tests and the bench. */
struct pl_watch_stats {
	int64_t rounds;		/* target rounds written */
	int64_t samples;	/* samples appended */
	int64_t events;
	int64_t reloads;	/* successful */
	int64_t late;		/* rounds that overran their deadline */
};
void pl_watch_stats_get(struct pl_watch_stats *out, pl_watch *w);

/*
 * Writes watch-stop, closes the store and releases the lock.  A worker
 * still stuck in a source past the stop grace is abandoned, not freed
 * (the process is about to exit); NULL is fine.
 */
void pl_watch_close(pl_watch *w);

/* Who holds the watcher lock of store_dir: 1 and pid, host, start time
 * when a live watcher holds it, 0 when none. */
int pl_watch_holder(long *pid, char *host, size_t host_len,
    int64_t *start_ms, const char *store_dir);

#endif
