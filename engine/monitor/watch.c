/* watch.c - plumb watch's engine: per-target worker threads, one writer thread into the series store, the watcher lock, reload. */
#include "config.h"
#include "monitor/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "config/plumb-yaml.h"
#include "monitor/source.h"
#include "monitor/tsdb.h"
#include "store/error.h"
#include "store/events.h"
#include "store/internal.h"

/*
 * Threads and what they own:
 *  - the caller's thread (pl_watch_run): configuration, starting and
 *    joining workers, reload, the watch-* events before the writer
 *    starts and after it stopped;
 *  - a worker per target: its sources' states (open/close happen on the
 *    caller's thread while the worker is not running) and the sink of
 *    the round under way, handed to the queue when the round is done;
 *  - the writer: the store handle and pl_ts_writer, and the last state
 *    of every (target, key), compared to log changes only.
 * w->mu guards the queue, the flags and the counters.
 */

#define MAX_SOURCES 16
#define STOP_GRACE_MS 300
#define RETENTION_EVERY_MS 3600000
#define TICK_EVERY_MS 60000	/* the tick runs at least this often */
#define wlog pl_watch_log

struct src {
	const pl_mon_source_ops *ops;
	void *state;
};

struct seen {
	char *key, *state;
};

struct target_rt {
	pl_watch *w;
	const pl_mon_target *t;		/* in w->cfg */
	char *name;
	struct src src[MAX_SOURCES];
	size_t nsrc;
	int64_t interval_ms, timeout_ms;
	pthread_t th;
	int running;			/* thread started, not joined */
	int finished;			/* thread has returned (under mu) */
};

struct item {
	pl_mon_sink *k;
	int64_t late_ms;		/* > 0: the round overran its deadline */
	int control;			/* the watcher's own events: no target */
};

/* Previous states, by target name (they survive a reload). */
struct tstates {
	char *target;
	struct seen *v;
	size_t n;
};

struct pl_watch {
	char *store_dir, *config_path;
	double interval_s;
	pl_watch_log_fn log;
	void *log_ctx;
	pthread_mutex_t log_mu;
	pl_watch_tick_fn tick;
	void *tick_ctx;
	unsigned gen;			/* successful reloads (under mu) */

	pl_config *cfg;
	pl_store *st;
	pl_ts_writer *tw;
	int lockfd;

	struct target_rt *t;
	size_t nt;

	pthread_mutex_t mu;
	pthread_cond_t wake;		/* workers sleep on it (monotonic) */
	pthread_cond_t qcv;		/* the writer sleeps on it */
	struct item *q;
	size_t nq, qcap;
	int stopping;			/* workers: stop after this round */
	int writer_stop;
	int writer_running;
	pthread_t writer;
	int64_t retain_raw_ms, retain_down_ms;

	struct tstates *ts;
	size_t nts;

	int pipefd[2];
	volatile sig_atomic_t req_stop, req_reload;
	volatile int64_t stop_mono;	/* when the stop was requested */
	int abandoned;			/* a worker did not stop in time */

	struct pl_watch_stats stats;
	int64_t start_ms;
	char err[1024];
};

/*
 * The wall clock.  For the clock-step tests only, PLUMB_TEST_CLOCK_FILE
 * names a file holding milliseconds added to it (read at each call;
 * stepping the machine's own clock would disturb everything else on
 * it).  Scheduling never uses it: intervals run on CLOCK_MONOTONIC.
 */
static const char *clock_file;

static int64_t
wall_ms(void)
{
	struct timespec ts;
	int64_t off = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (clock_file) {
		FILE *f = fopen(clock_file, "r");
		long long v;

		if (f) {
			if (fscanf(f, "%lld", &v) == 1)
				off = v;
			fclose(f);
		}
	}
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + off;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
pl_watch_log(pl_watch *w, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (w->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&w->log_mu);
	w->log(w->log_ctx, wall_ms(), line);
	pthread_mutex_unlock(&w->log_mu);
}

static int __attribute__((format(printf, 3, 4)))
werr(pl_watch *w, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
	return code;
}

/* ---- the lock ---- */

static char *
lock_path(const char *store_dir)
{
	size_t n = strlen(store_dir) + sizeof "/watch.lock";
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/watch.lock", store_dir);
	return p;
}

/* Parses "pid host start_ms" from the lock file's fd. */
static int
lock_read(int fd, long *pid, char *host, size_t host_len, int64_t *start)
{
	char buf[512], h[256];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	long long s;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %255s %lld", pid, h, &s) != 3)
		return 0;
	snprintf(host, host_len, "%s", h);
	*start = s;
	return 1;
}

int
pl_watch_holder(long *pid, char *host, size_t host_len, int64_t *start_ms,
    const char *store_dir)
{
	char *p = lock_path(store_dir);
	int fd, held = 0;

	*pid = 0;
	*start_ms = 0;
	if (host_len)
		host[0] = '\0';
	if (p == NULL)
		return 0;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
		held = lock_read(fd, pid, host, host_len, start_ms);
	close(fd);
	return held;
}

static int
lock_take(pl_watch *w)
{
	char *p = lock_path(w->store_dir), host[256] = "?", line[512];
	long pid;
	int64_t start;
	int fd, n;

	if (p == NULL)
		return werr(w, PL_ENOMEM, "out of memory");
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		werr(w, errno == EROFS || errno == EACCES ? PL_EREADONLY :
		    PL_EIO, "%s: %s", p, strerror(errno));
		free(p);
		return errno == EROFS || errno == EACCES ? PL_EREADONLY :
		    PL_EIO;
	}
	/* a few tries: `plumb monitor status` takes a shared lock for an
	 * instant to see whether a watcher runs */
	for (int i = 0; i < 10 && (n = flock(fd, LOCK_EX | LOCK_NB)) != 0 &&
	    errno == EWOULDBLOCK; i++)
		usleep(20000);
	if (n != 0 && errno != EWOULDBLOCK) {
		werr(w, PL_EIO, "%s: cannot lock: %s", p, strerror(errno));
		close(fd);
		free(p);
		return PL_EIO;
	}
	if (n != 0) {
		char when[64] = "?";
		int got = lock_read(fd, &pid, host, sizeof host, &start);

		if (got) {
			time_t s = (time_t)(start / 1000);
			struct tm tm;

			gmtime_r(&s, &tm);
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		close(fd);
		free(p);
		if (!got)
			return werr(w, PL_EBUSY, "another plumb watch holds "
			    "this store's lock (%s/watch.lock)", w->store_dir);
		return werr(w, PL_EBUSY, "another plumb watch is running on "
		    "this store: pid %ld on host %s, since %s", pid, host,
		    when);
	}
	/* Ours: the previous holder (if any) is gone; record who we are. */
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	for (char *c = host; *c; c++)
		if (*c == ' ' || *c == '\n')
			*c = '_';
	n = snprintf(line, sizeof line, "%ld %s %lld\n", (long)getpid(), host,
	    (long long)w->start_ms);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
		werr(w, PL_EIO, "%s: %s", p, strerror(errno));
		close(fd);
		free(p);
		return PL_EIO;
	}
	free(p);
	w->lockfd = fd;
	return PL_OK;
}

/* ---- the queue ---- */

static int
enqueue(pl_watch *w, pl_mon_sink *k, int64_t late_ms, int control)
{
	pthread_mutex_lock(&w->mu);
	if (w->nq == w->qcap) {
		size_t nc = w->qcap ? w->qcap * 2 : 16;
		struct item *q = realloc(w->q, nc * sizeof *q);

		if (q == NULL) {
			pthread_mutex_unlock(&w->mu);
			return PL_ENOMEM;
		}
		w->q = q;
		w->qcap = nc;
	}
	w->q[w->nq].k = k;
	w->q[w->nq].late_ms = late_ms;
	w->q[w->nq].control = control;
	w->nq++;
	pthread_cond_signal(&w->qcv);
	pthread_mutex_unlock(&w->mu);
	return PL_OK;
}

/* A control event (watch-start/-stop/-reload), written by the writer. */
static void
control_event(pl_watch *w, const char *kind, const char *msg)
{
	pl_mon_sink *k;

	if (pl_mon_sink_new(&k, "") != PL_OK)
		return;
	if (pl_mon_sink_event(k, wall_ms(), kind, msg) != PL_OK ||
	    enqueue(w, k, 0, 1) != PL_OK)
		pl_mon_sink_free(k);
}

/* ---- workers ---- */

/* Sleeps until mono deadline or until stopping; 1 when stopping. */
static int
sleep_until(pl_watch *w, int64_t until)
{
	int stop;

	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		int64_t left = until - mono_ms();
		struct timespec ts;

		if (left <= 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (left % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&w->wake, &w->mu, &ts);
	}
	stop = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

struct worker_arg {
	struct target_rt *r;
	int rounds;
};

static void
one_round(struct target_rt *r)
{
	pl_watch *w = r->w;
	pl_mon_sink *k;
	int64_t start = wall_ms(), m0 = mono_ms(), deadline, took;
	int64_t late = 0;

	if (pl_mon_sink_new(&k, r->name) != PL_OK)
		return;
	deadline = start + r->timeout_ms;
	for (size_t i = 0; i < r->nsrc; i++) {
		int rc = r->src[i].ops->poll(r->src[i].state, start, deadline,
		    k);

		if (rc != PL_OK) {
			char d[128];

			snprintf(d, sizeof d, "%s source: %s",
			    r->src[i].ops->kind, pl_strerror(rc));
			pl_mon_sink_state(k, r->src[i].ops->kind, "error", d);
		}
	}
	took = mono_ms() - m0;
	if (took > r->timeout_ms + 1000)
		late = took;
	{
		pl_label none[1];
		pl_mon_sink_sample(k, "plumb_watch_round_seconds", none, 0,
		    start, (double)took / 1000.0);
	}
	if (enqueue(w, k, late, 0) != PL_OK)
		pl_mon_sink_free(k);
}

static void *
worker_main(void *arg)
{
	struct worker_arg *a = arg;
	struct target_rt *r = a->r;
	pl_watch *w = r->w;
	int rounds = a->rounds;
	int64_t next = mono_ms();
	sigset_t all;

	free(a);
	/* signals go to the caller's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (int done = 0; ; ) {
		if (sleep_until(w, next))
			break;
		one_round(r);
		if (rounds > 0 && ++done >= rounds)
			break;
		next += r->interval_ms;
		if (next <= mono_ms())	/* overran: skip, do not queue up */
			next = mono_ms() + r->interval_ms;
	}
	pthread_mutex_lock(&w->mu);
	r->finished = 1;
	pthread_cond_broadcast(&w->qcv);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- the writer ---- */

static struct tstates *
tstates_of(pl_watch *w, const char *target)
{
	struct tstates *t;

	for (size_t i = 0; i < w->nts; i++)
		if (strcmp(w->ts[i].target, target) == 0)
			return &w->ts[i];
	t = realloc(w->ts, (w->nts + 1) * sizeof *t);
	if (t == NULL)
		return NULL;
	w->ts = t;
	t = &w->ts[w->nts];
	memset(t, 0, sizeof *t);
	if ((t->target = strdup(target)) == NULL)
		return NULL;
	w->nts++;
	return t;
}

/* Logs the states of k that changed since the target's previous. */
static void
log_states(pl_watch *w, pl_mon_sink *k, int64_t late_ms)
{
	const char *tg = pl_mon_sink_target(k);
	struct tstates *ts = tstates_of(w, tg);
	char lbuf[32];

	if (ts == NULL)
		return;
	snprintf(lbuf, sizeof lbuf, "%.1fs", (double)late_ms / 1000.0);
	for (size_t i = 0; i <= pl_mon_sink_nstates(k); i++) {
		const char *key, *state, *detail;
		struct seen *s = NULL;

		if (i < pl_mon_sink_nstates(k))
			pl_mon_sink_state_get(&key, &state, &detail, k, i);
		else {
			key = "round";
			state = late_ms ? "late" : "ok";
			detail = late_ms ? lbuf : "";
		}
		for (size_t j = 0; j < ts->n; j++)
			if (strcmp(ts->v[j].key, key) == 0)
				s = &ts->v[j];
		if (s && strcmp(s->state, state) == 0)
			continue;
		if (s == NULL && strcmp(key, "round") == 0 && !late_ms) {
			/* an on-time round is not news */
		} else if (s == NULL)
			wlog(w, "%s %s: %s%s%s", tg, key, state,
			    detail[0] ? " " : "", detail);
		else
			wlog(w, "%s %s: %s -> %s%s%s", tg, key, s->state,
			    state, detail[0] ? " " : "", detail);
		if (s == NULL) {
			struct seen *v = realloc(ts->v, (ts->n + 1) *
			    sizeof *v);

			if (v == NULL)
				return;
			ts->v = v;
			s = &v[ts->n];
			if ((s->key = strdup(key)) == NULL)
				return;
			s->state = NULL;
			ts->n++;
		}
		free(s->state);
		s->state = strdup(state);
		if (s->state == NULL) {
			/* keep the entry well-formed */
			s->state = strdup("");
		}
	}
}

static void
write_batch(pl_watch *w, struct item *it, size_t n)
{
	size_t total = 0, nev = 0;
	int rc = PL_OK;

	for (size_t i = 0; i < n; i++)
		if (!it[i].control)
			log_states(w, it[i].k, it[i].late_ms);
	/* events first, in one transaction of their own (pl_ts_flush()
	 * opens its own) */
	for (size_t i = 0; i < n; i++)
		nev += pl_mon_sink_nevents(it[i].k);
	if (nev) {
		rc = pl__begin(w->st);
		for (size_t i = 0; i < n && rc == PL_OK; i++) {
			pl_mon_sink *k = it[i].k;

			for (size_t e = 0; e < pl_mon_sink_nevents(k) &&
			    rc == PL_OK; e++) {
				int64_t t;
				const char *kind, *msg, *tg;

				pl_mon_sink_event_get(&t, &kind, &msg, k, e);
				tg = it[i].control ? NULL : pl_mon_sink_target(k);
				rc = pl_event_append(w->st, t, kind, tg, NULL, 0,
				    msg);
			}
		}
		if (rc == PL_OK)
			rc = pl__commit(w->st);
		else
			pl__rollback(w->st);
		if (rc != PL_OK)
			wlog(w, "writing events: %s", pl_store_errmsg(w->st));
	}
	for (size_t i = 0; i < n; i++) {
		size_t got = 0;

		if (it[i].control)
			continue;
		if (pl_mon_sink_drain(&got, it[i].k, w->tw, NULL) != PL_OK)
			wlog(w, "%s: queueing samples: %s",
			    pl_mon_sink_target(it[i].k),
			    pl_ts_writer_errmsg(w->tw));
		total += got;
	}
	if (pl_ts_flush(w->tw) != PL_OK)
		wlog(w, "writing samples (kept for the next round): %s",
		    pl_ts_writer_errmsg(w->tw));
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < n; i++)
		if (!it[i].control) {
			w->stats.rounds++;
			if (it[i].late_ms)
				w->stats.late++;
		}
	w->stats.samples += (int64_t)total;
	w->stats.events += (int64_t)(rc == PL_OK ? nev : 0);
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < n; i++)
		pl_mon_sink_free(it[i].k);
}

static void
retention(pl_watch *w)
{
	int64_t del = 0, raw, down;

	pthread_mutex_lock(&w->mu);
	raw = w->retain_raw_ms;
	down = w->retain_down_ms;
	pthread_mutex_unlock(&w->mu);
	if (pl_ts_retention(&del, w->st, wall_ms(), raw, down) != PL_OK)
		wlog(w, "retention: %s", pl_store_errmsg(w->st));
	else if (del > 0)
		wlog(w, "retention: %lld old chunk%s deleted", (long long)del,
		    del == 1 ? "" : "s");
}

/* Calls the tick; returns the monotonic time it wants next (INT64_MAX:
 * no wish). */
static int64_t
run_tick(pl_watch *w, int last, int fresh)
{
	int64_t now, want;
	unsigned gen;

	if (w->tick == NULL)
		return INT64_MAX;
	pthread_mutex_lock(&w->mu);
	gen = w->gen;
	pthread_mutex_unlock(&w->mu);
	now = wall_ms();
	want = w->tick(w->tick_ctx, w->st, gen, now, last, fresh);
	if (want <= 0)
		return INT64_MAX;
	/* wall to monotonic; never sooner than 10 ms from now */
	want -= now;
	return mono_ms() + (want < 10 ? 10 : want);
}

static void *
writer_main(void *arg)
{
	pl_watch *w = arg;
	int64_t next_ret = mono_ms();	/* at start, then hourly */
	int64_t next_tick = w->tick ? mono_ms() + TICK_EVERY_MS : INT64_MAX;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct item *it;
		size_t n;
		int stop, fresh = 0;

		pthread_mutex_lock(&w->mu);
		while (w->nq == 0 && !w->writer_stop &&
		    mono_ms() < next_ret && mono_ms() < next_tick) {
			struct timespec ts;
			int64_t until = next_ret < next_tick ? next_ret :
			    next_tick, left = until - mono_ms();

			if (left > 60000)
				left = 60000;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += left / 1000;
			ts.tv_nsec += (left % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&w->qcv, &w->mu, &ts);
		}
		it = w->q;
		n = w->nq;
		w->q = NULL;
		w->nq = w->qcap = 0;
		stop = w->writer_stop;
		pthread_mutex_unlock(&w->mu);
		for (size_t i = 0; i < n; i++)
			fresh |= !it[i].control;
		if (n)
			write_batch(w, it, n);
		free(it);
		if (mono_ms() >= next_ret) {
			retention(w);
			next_ret = mono_ms() + RETENTION_EVERY_MS;
		}
		if (w->tick && (n || mono_ms() >= next_tick)) {
			int64_t want = run_tick(w, 0, fresh);
			int64_t cap = mono_ms() + TICK_EVERY_MS;

			next_tick = want < cap ? want : cap;
		}
		if (stop && n == 0)
			break;
	}
	if (w->tick)
		run_tick(w, 1, 0);
	return NULL;
}

/* ---- targets ---- */

static void
targets_close(pl_watch *w)
{
	for (size_t i = 0; i < w->nt; i++) {
		struct target_rt *r = &w->t[i];

		for (size_t j = 0; j < r->nsrc; j++)
			r->src[j].ops->close(r->src[j].state);
		free(r->name);
	}
	free(w->t);
	w->t = NULL;
	w->nt = 0;
}

/* Opens the sources of every target of cfg (a source that fails to
 * open is logged and left out). */
static int
targets_open(pl_watch *w, const pl_config *cfg)
{
	const pl_monitor_cfg *m = &cfg->monitor;
	pl_mon_env env = { cfg, w->store_dir };

	w->t = calloc(m->ntargets ? m->ntargets : 1, sizeof *w->t);
	if (w->t == NULL)
		return werr(w, PL_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->ntargets; i++) {
		const pl_mon_target *t = &m->targets[i];
		struct target_rt *r = &w->t[w->nt];
		double iv = w->interval_s > 0 ? w->interval_s : t->interval_s;

		memset(r, 0, sizeof *r);
		r->w = w;
		r->t = t;
		if ((r->name = strdup(t->name)) == NULL)
			return werr(w, PL_ENOMEM, "out of memory");
		w->nt++;
		r->interval_ms = (int64_t)(iv * 1000);
		if (r->interval_ms < 10)
			r->interval_ms = 10;
		r->timeout_ms = (int64_t)(t->timeout_s * 1000);
		for (size_t k = 0; pl_mon_sources[k] &&
		    r->nsrc < MAX_SOURCES; k++) {
			const pl_mon_source_ops *ops = pl_mon_sources[k];
			char err[1024] = "";
			void *state = NULL;
			int rc;

			if (!ops->wants(t))
				continue;
			rc = ops->open(&state, t, &env, err, sizeof err);
			if (rc == PL_ENOMEM)
				return werr(w, rc, "out of memory");
			if (rc != PL_OK) {
				wlog(w, "%s %s: not watched: %s", t->name,
				    ops->kind, err[0] ? err : pl_strerror(rc));
				continue;
			}
			r->src[r->nsrc].ops = ops;
			r->src[r->nsrc].state = state;
			r->nsrc++;
		}
		if (r->nsrc == 0)
			wlog(w, "%s: nothing to collect (no source configured "
			    "or none opened)", t->name);
	}
	return PL_OK;
}

static int
workers_start(pl_watch *w, int rounds)
{
	pthread_mutex_lock(&w->mu);
	w->stopping = 0;
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < w->nt; i++) {
		struct target_rt *r = &w->t[i];
		struct worker_arg *a;

		if (r->nsrc == 0)
			continue;
		if ((a = malloc(sizeof *a)) == NULL)
			return werr(w, PL_ENOMEM, "out of memory");
		a->r = r;
		a->rounds = rounds;
		r->finished = 0;
		if (pthread_create(&r->th, NULL, worker_main, a) != 0) {
			free(a);
			return werr(w, PL_ERROR, "cannot start a thread: %s",
			    strerror(errno));
		}
		r->running = 1;
	}
	return PL_OK;
}

/*
 * Stops the workers: asks them to stop and joins each that returns
 * within grace_ms (< 0: waits as long as it takes).  Returns the number
 * abandoned (still inside a source).
 */
static int
workers_stop(pl_watch *w, int64_t grace_ms, int ask)
{
	int64_t until = mono_ms() + grace_ms;
	int left = 0;

	pthread_mutex_lock(&w->mu);
	if (ask)
		w->stopping = 1;
	pthread_cond_broadcast(&w->wake);
	for (;;) {
		int busy = 0;

		for (size_t i = 0; i < w->nt; i++)
			busy += w->t[i].running && !w->t[i].finished;
		if (busy == 0 || (grace_ms >= 0 && mono_ms() >= until)) {
			left = busy;
			break;
		}
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 20 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		/* workers broadcast qcv when they finish */
		pthread_cond_timedwait(&w->qcv, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < w->nt; i++) {
		struct target_rt *r = &w->t[i];

		if (!r->running)
			continue;
		if (r->finished) {
			pthread_join(r->th, NULL);
			r->running = 0;
		} else {
			pthread_detach(r->th);
			wlog(w, "%s: still inside a source at stop; abandoned",
			    r->name);
		}
	}
	return left;
}

static int
writer_start(pl_watch *w)
{
	w->writer_stop = 0;
	if (pthread_create(&w->writer, NULL, writer_main, w) != 0)
		return werr(w, PL_ERROR, "cannot start a thread: %s",
		    strerror(errno));
	w->writer_running = 1;
	return PL_OK;
}

static void
writer_stop(pl_watch *w)
{
	if (!w->writer_running)
		return;
	pthread_mutex_lock(&w->mu);
	w->writer_stop = 1;
	pthread_cond_broadcast(&w->qcv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->writer, NULL);
	w->writer_running = 0;
}

/* ---- open, run, reload, close ---- */

static void
apply_cfg_globals(pl_watch *w, const pl_config *c)
{
	pthread_mutex_lock(&w->mu);
	w->retain_raw_ms = c->monitor.retain_raw_ms;
	w->retain_down_ms = c->monitor.retain_down_ms;
	pthread_mutex_unlock(&w->mu);
}

int
pl_watch_open(pl_watch **out, const struct pl_watch_opts *o, char *err,
    size_t err_len)
{
	pl_watch *w;
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	w = calloc(1, sizeof *w);
	if (w == NULL) {
		snprintf(err, err_len, "out of memory");
		return PL_ENOMEM;
	}
	w->lockfd = -1;
	w->pipefd[0] = w->pipefd[1] = -1;
	w->interval_s = o->interval_s;
	w->log = o->log;
	w->log_ctx = o->log_ctx;
	w->tick = o->tick;
	w->tick_ctx = o->tick_ctx;
	clock_file = getenv("PLUMB_TEST_CLOCK_FILE");
	if (clock_file && !*clock_file)
		clock_file = NULL;
	w->start_ms = wall_ms();
	pthread_mutex_init(&w->mu, NULL);
	pthread_mutex_init(&w->log_mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_cond_init(&w->qcv, &ca);
	pthread_condattr_destroy(&ca);
	w->store_dir = strdup(o->store_dir);
	w->config_path = strdup(o->config_path);
	if (w->store_dir == NULL || w->config_path == NULL) {
		rc = werr(w, PL_ENOMEM, "out of memory");
		goto fail;
	}
	if (pipe(w->pipefd) != 0) {
		rc = werr(w, PL_EIO, "pipe: %s", strerror(errno));
		goto fail;
	}
	fcntl(w->pipefd[0], F_SETFL, O_NONBLOCK);
	fcntl(w->pipefd[1], F_SETFL, O_NONBLOCK);
	fcntl(w->pipefd[0], F_SETFD, FD_CLOEXEC);
	fcntl(w->pipefd[1], F_SETFD, FD_CLOEXEC);
	if ((rc = lock_take(w)) != PL_OK)
		goto fail;
	if ((rc = pl_config_load(&w->cfg, w->config_path, w->err,
	    sizeof w->err)) != PL_OK)
		goto fail;
	if (!w->cfg->monitor.present || w->cfg->monitor.ntargets == 0) {
		rc = werr(w, PL_EINVAL, "%s: no monitor: targets to watch "
		    "(see plumb.yaml(5))", w->config_path);
		goto fail;
	}
	apply_cfg_globals(w, w->cfg);
	if ((rc = pl_store_open(&w->st, w->store_dir, 0)) != PL_OK) {
		werr(w, rc, "%s", w->st ? pl_store_errmsg(w->st) :
		    "out of memory");
		goto fail;
	}
	if ((rc = pl_ts_writer_open(&w->tw, w->st)) != PL_OK) {
		werr(w, rc, "%s", pl_store_errmsg(w->st));
		goto fail;
	}
	*out = w;
	return PL_OK;
fail:
	snprintf(err, err_len, "%s", w->err);
	pl_watch_close(w);
	return rc;
}

void
pl_watch_request(pl_watch *w, int what)
{
	char c = (char)what;
	int saved = errno;

	if (what == PL_WATCH_STOP) {
		if (!w->req_stop)
			w->stop_mono = mono_ms();	/* async-signal-safe */
		w->req_stop = 1;
	}
	else if (what == PL_WATCH_RELOAD)
		w->req_reload = 1;
	if (write(w->pipefd[1], &c, 1) < 0) {
		/* full pipe: the flag is set, that is enough */
	}
	errno = saved;
}

/* Reloads plumb.yaml: a bad file keeps the running configuration. */
static int
reload(pl_watch *w)
{
	pl_config *nc = NULL;
	char err[1024];
	int rc;

	rc = pl_config_load(&nc, w->config_path, err, sizeof err);
	if (rc == PL_ENOMEM)
		return werr(w, rc, "out of memory");
	if (rc == PL_OK && (!nc->monitor.present ||
	    nc->monitor.ntargets == 0)) {
		snprintf(err, sizeof err, "%s: no monitor: targets",
		    w->config_path);
		rc = PL_EINVAL;
	}
	if (rc != PL_OK) {
		wlog(w, "reload refused, the running configuration is kept: "
		    "%s", err);
		pl_config_free(nc);
		return PL_OK;
	}
	/* A worker inside a source ends its round within its deadline. */
	workers_stop(w, -1, 1);
	targets_close(w);
	pl_config_free(w->cfg);
	w->cfg = nc;
	apply_cfg_globals(w, nc);
	if ((rc = targets_open(w, nc)) != PL_OK)
		return rc;
	snprintf(err, sizeof err, "configuration reloaded from %s: %zu "
	    "target%s", w->config_path, nc->monitor.ntargets,
	    nc->monitor.ntargets == 1 ? "" : "s");
	wlog(w, "%s", err);
	control_event(w, "watch-reload", err);
	pthread_mutex_lock(&w->mu);
	w->stats.reloads++;
	w->gen++;
	pthread_mutex_unlock(&w->mu);
	return workers_start(w, 0);
}

/*
 * The wall clock jumped (NTP step, a manual date): intervals are
 * unaffected (monotonic), but samples are stamped with the wall clock
 * and a series only takes samples newer than its last, so after a step
 * back nothing is stored until the clock has caught up.  Say so once.
 */
static void
clock_step(pl_watch *w, int64_t d)
{
	char msg[256];
	int64_t a = d < 0 ? -d : d;

	snprintf(msg, sizeof msg, "the wall clock stepped %s by %lld.%03llds%s",
	    d < 0 ? "back" : "forward", (long long)(a / 1000),
	    (long long)(a % 1000), d < 0 ? "; samples not newer than the "
	    "last stored of their series are dropped until it catches up" :
	    "");
	wlog(w, "%s", msg);
	control_event(w, "clock-step", msg);
}

int
pl_watch_run(pl_watch *w, int rounds, int64_t run_ms)
{
	char msg[512];
	int64_t end = run_ms > 0 ? mono_ms() + run_ms : 0;
	int rc;

	if ((rc = targets_open(w, w->cfg)) != PL_OK)
		return rc;
	snprintf(msg, sizeof msg, "watching %zu target%s (pid %ld)%s",
	    w->nt, w->nt == 1 ? "" : "s", (long)getpid(),
	    rounds == 1 ? ", one round" : "");
	wlog(w, "%s", msg);
	if ((rc = writer_start(w)) != PL_OK)
		return rc;
	control_event(w, "watch-start", msg);
	if ((rc = workers_start(w, rounds)) != PL_OK)
		goto stop;
	if (rounds > 0) {
		/* each worker returns after its rounds, within deadlines;
		 * a stop request still cuts it short */
		for (;;) {
			int busy = 0;
			struct pollfd p = { w->pipefd[0], POLLIN, 0 };

			pthread_mutex_lock(&w->mu);
			for (size_t i = 0; i < w->nt; i++)
				busy += w->t[i].running && !w->t[i].finished;
			pthread_mutex_unlock(&w->mu);
			if (busy == 0 || w->req_stop)
				break;
			poll(&p, 1, 20);
			if (p.revents & POLLIN) {
				char b[64];

				while (read(w->pipefd[0], b, sizeof b) > 0)
					;
			}
		}
	} else {
		int64_t skew = wall_ms() - mono_ms();

		for (;;) {
			struct pollfd p = { w->pipefd[0], POLLIN, 0 };
			int timeout = 1000;
			int64_t sk = wall_ms() - mono_ms();

			if (sk - skew > 2000 || skew - sk > 2000) {
				clock_step(w, sk - skew);
				skew = sk;
			}
			if (w->req_stop)
				break;
			if (w->req_reload) {
				w->req_reload = 0;
				if ((rc = reload(w)) != PL_OK)
					goto stop;
				continue;
			}
			if (end) {
				int64_t left = end - mono_ms();

				if (left <= 0)
					break;
				if (left < timeout)
					timeout = (int)left;
			}
			poll(&p, 1, timeout);
			if (p.revents & POLLIN) {
				char b[64];

				while (read(w->pipefd[0], b, sizeof b) > 0)
					;
			}
		}
	}
	rc = PL_OK;
stop:
	if (workers_stop(w, w->req_stop ? STOP_GRACE_MS : -1, 1) > 0)
		w->abandoned = 1;
	writer_stop(w);
	return rc;
}

const char *
pl_watch_errmsg(const pl_watch *w)
{
	return w->err;
}

void
pl_watch_stats_get(struct pl_watch_stats *out, pl_watch *w)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	pthread_mutex_unlock(&w->mu);
}

void
pl_watch_close(pl_watch *w)
{
	if (w == NULL)
		return;
	if (w->writer_running)
		writer_stop(w);
	char msg[256] = "";

	if (w->st && w->tw) {
		struct pl_watch_stats s = w->stats;

		snprintf(msg, sizeof msg, "stopped after %lld round%s, %lld "
		    "sample%s", (long long)s.rounds, s.rounds == 1 ? "" : "s",
		    (long long)s.samples, s.samples == 1 ? "" : "s");
		if (pl_ts_writer_close(w->tw) != PL_OK)
			wlog(w, "flushing samples: %s", pl_store_errmsg(w->st));
		w->tw = NULL;
		pl_event_append(w->st, 0, "watch-stop", NULL, NULL, 0, msg);
	}
	pl_ts_writer_close(w->tw);
	pl_store_close(w->st);
	w->st = NULL;
	if (w->lockfd >= 0) {
		/* release first; the file stays (truncating it would race
		 * with the next watcher's write) */
		flock(w->lockfd, LOCK_UN);
		close(w->lockfd);
		w->lockfd = -1;
	}
	if (!w->abandoned)
		targets_close(w);
	if (msg[0] && w->req_stop && w->stop_mono)
		wlog(w, "%s; closed %lld ms after the stop request", msg,
		    (long long)(mono_ms() - w->stop_mono));
	else if (msg[0])
		wlog(w, "%s", msg);
	if (w->abandoned)
		return;	/* a worker may still touch w and its target */
	pl_config_free(w->cfg);
	for (size_t i = 0; i < w->nq; i++)
		pl_mon_sink_free(w->q[i].k);
	free(w->q);
	for (size_t i = 0; i < w->nts; i++) {
		for (size_t j = 0; j < w->ts[i].n; j++) {
			free(w->ts[i].v[j].key);
			free(w->ts[i].v[j].state);
		}
		free(w->ts[i].v);
		free(w->ts[i].target);
	}
	free(w->ts);
	if (w->pipefd[0] >= 0)
		close(w->pipefd[0]);
	if (w->pipefd[1] >= 0)
		close(w->pipefd[1]);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->qcv);
	pthread_mutex_destroy(&w->mu);
	pthread_mutex_destroy(&w->log_mu);
	free(w->store_dir);
	free(w->config_path);
	free(w);
}
