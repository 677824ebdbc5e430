/* notify.c - the notifier: alerts from the history routed and grouped with Alertmanager's timers and deduplication, payloads built (webhook v4, API v2), deliveries run off the caller's thread, retried with backoff, and recorded. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "alert/alert.h"
#include "alert/notify.h"
#include "alert/notify-int.h"
#include "alert/promql.h"
#include "config/plumb-yaml.h"
#include "store/error.h"
#include "store/internal.h"

/*
 * Alertmanager, in brief (dispatch/dispatch.go, notify/notify.go):
 * every alert is routed down the route tree; at each route that takes
 * it, it joins the aggregation group named by the route's key and the
 * values of its group_by labels.  A new group flushes after group_wait,
 * then every group_interval.  At a flush the DedupStage compares the
 * group's firing and resolved alerts with the notification log entry
 * (what was last sent successfully): it sends when a firing alert is
 * new, when (send_resolved) an alert resolved, when every alert resolved
 * (to clear the receiver), or when repeat_interval passed; a group that
 * never sent and holds only resolved alerts sends nothing.  Resolved
 * alerts leave the group once a notification carrying them succeeded.
 *
 * Here the alerts come from the alert history (firing rows, and rows
 * resolved within the last 15 minutes after having fired), read at each
 * tick.  The log entry is stored (notify_log) so a restart keeps it.  A
 * resolved alert is dropped from a group once an entry sent after it
 * ended holds it (sent_ms >= its end).
 *
 * An `alertmanager:` receiver gets Prometheus' behaviour instead (the
 * Alertmanager groups): its group is checked at every tick and sent when
 * it changed, else every minute (the resend delay), firing alerts with
 * endsAt = now + 4 minutes.
 */

struct nentry {
	char *group_key, *receiver;
	int64_t sent_ms;
	uint64_t *firing, *resolved;
	size_t nf, nr;
};

/* A notification being delivered (or waiting to retry). */
struct pend {
	struct njob j;
	char *group_key, *receiver, *status;
	int attempt;		/* of the attempt running or last run */
	int64_t next_ms;	/* start of the next attempt; 0 while running */
	int64_t snap_ms;	/* the flush it carries */
	uint64_t *firing, *resolved;
	size_t nf, nr;
	char **labels;		/* of its alerts, for notify_state */
	size_t nlabels;
	struct pend *next;
};

struct pl_notifier {
	pl_store *st;
	struct ncfg cfg;
	pl_notify_log_fn log;
	void *log_ctx;
	struct nentry *ent;
	size_t nent, capent;
	struct ngroup *g;
	size_t ng, capg;
	struct pend *jobs;
	pthread_mutex_t mu;
	int64_t next;
	int64_t now;		/* of the tick running */
	int curl;		/* pl__ndeliver_init() done */
};

/* ---- small helpers ---------------------------------------------------- */

static void
nlog(pl_notifier *n, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!n->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	n->log(n->log_ctx, n->now, line);
}

static void
fmt_secs(char *out, size_t len, int64_t ms)
{
	if (ms >= 60000 && ms % 60000 == 0)
		snprintf(out, len, "%lldm", (long long)(ms / 60000));
	else
		snprintf(out, len, "%llds", (long long)((ms + 999) / 1000));
}

/* Go's time.Time in RFC 3339 with nanoseconds, as encoding/json writes
 * it: the fraction without trailing zeros, none when whole. */
void
pl__n_rfc3339(char *out, size_t len, int64_t ms)
{
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)s * 1000);
	struct tm tm;
	size_t k;

	gmtime_r(&s, &tm);
	k = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac) {
		char f[8];
		snprintf(f, sizeof f, ".%03d", frac);
		for (size_t e = strlen(f); e > 1 && f[e - 1] == '0'; e--)
			f[e - 1] = '\0';
		snprintf(out + k, len - k, "%sZ", f);
	} else
		snprintf(out + k, len - k, "Z");
}

/* prometheus/common model.LabelSet.Fingerprint: FNV-1a 64 over the
 * sorted pairs, each name and value followed by 0xff. */
static uint64_t
fingerprint(const pq_labels *lb)
{
	uint64_t h = 14695981039346656037ULL;

	for (unsigned i = 0; i < lb->n; i++) {
		for (const unsigned char *p = (const unsigned char *)
		    lb->l[i].name; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
		for (const unsigned char *p = (const unsigned char *)
		    lb->l[i].value; *p; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static int
has_fp(const uint64_t *set, size_t n, uint64_t fp)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == fp)
			return 1;
	return 0;
}

/* every element of sub is in set */
static int
subset(const uint64_t *sub, size_t nsub, const uint64_t *set, size_t nset)
{
	for (size_t i = 0; i < nsub; i++)
		if (!has_fp(set, nset, sub[i]))
			return 0;
	return 1;
}

static char *
fps_text(const uint64_t *f, size_t n)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		if (buf_printf(&b, "%s%016" PRIx64, i ? " " : "", f[i]) < 0) {
			buf_free(&b);
			return NULL;
		}
	return b.p ? buf_detach(&b) : strdup("");
}

static int
fps_parse(uint64_t **out, size_t *n, const char *t)
{
	size_t cap = 1;

	*n = 0;
	for (const char *p = t; *p; p++)
		cap += *p == ' ';
	if ((*out = calloc(cap, sizeof **out)) == NULL)
		return -1;
	while (*t) {
		char *e;
		uint64_t v = strtoull(t, &e, 16);
		if (e == t)
			break;
		(*out)[(*n)++] = v;
		t = e;
		while (*t == ' ')
			t++;
	}
	return 0;
}

/* ---- the notification log (notify_log) --------------------------------- */

static void
entry_dispose(struct nentry *e)
{
	free(e->group_key);
	free(e->receiver);
	free(e->firing);
	free(e->resolved);
}

static struct nentry *
entry_find(pl_notifier *n, const char *key, const char *recv)
{
	for (size_t i = 0; i < n->nent; i++)
		if (!strcmp(n->ent[i].group_key, key) &&
		    !strcmp(n->ent[i].receiver, recv))
			return &n->ent[i];
	return NULL;
}

static int
load_entries(pl_notifier *n)
{
	sqlite3_stmt *s = pl__stmt(n->st, "SELECT group_key, receiver, "
	    "sent_ms, firing, resolved FROM notify_log");
	int rc;

	if (s == NULL)
		return pl_store_errcode(n->st);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct nentry *e;
		if (n->nent == n->capent) {
			size_t nc = n->capent ? n->capent * 2 : 16;
			struct nentry *ne = realloc(n->ent, nc * sizeof *ne);
			if (!ne) {
				sqlite3_reset(s);
				return PL_ENOMEM;
			}
			n->ent = ne;
			n->capent = nc;
		}
		e = &n->ent[n->nent];
		memset(e, 0, sizeof *e);
		e->group_key = strdup((const char *)sqlite3_column_text(s, 0));
		e->receiver = strdup((const char *)sqlite3_column_text(s, 1));
		e->sent_ms = sqlite3_column_int64(s, 2);
		if (!e->group_key || !e->receiver || fps_parse(&e->firing,
		    &e->nf, (const char *)sqlite3_column_text(s, 3)) < 0 ||
		    fps_parse(&e->resolved, &e->nr,
		    (const char *)sqlite3_column_text(s, 4)) < 0) {
			entry_dispose(e);
			sqlite3_reset(s);
			return PL_ENOMEM;
		}
		n->nent++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PL_OK : pl__sqlerr(n->st, rc,
	    "reading the notification log");
}

/* After a successful delivery: the entry becomes what p carried. */
static int
entry_store(pl_notifier *n, const struct pend *p)
{
	struct nentry *e = entry_find(n, p->group_key, p->receiver);
	char *ft = fps_text(p->firing, p->nf), *rt = fps_text(p->resolved,
	    p->nr);
	sqlite3_stmt *s;
	int rc = PL_ENOMEM;

	if (!ft || !rt)
		goto out;
	if (e == NULL) {
		if (n->nent == n->capent) {
			size_t nc = n->capent ? n->capent * 2 : 16;
			struct nentry *ne = realloc(n->ent, nc * sizeof *ne);
			if (!ne)
				goto out;
			n->ent = ne;
			n->capent = nc;
		}
		e = &n->ent[n->nent];
		memset(e, 0, sizeof *e);
		if (!(e->group_key = strdup(p->group_key)) ||
		    !(e->receiver = strdup(p->receiver))) {
			entry_dispose(e);
			goto out;
		}
		n->nent++;
	}
	free(e->firing);
	free(e->resolved);
	e->firing = calloc(p->nf + 1, sizeof *e->firing);
	e->resolved = calloc(p->nr + 1, sizeof *e->resolved);
	e->nf = e->nr = 0;
	if (!e->firing || !e->resolved)
		goto out;
	memcpy(e->firing, p->firing, p->nf * sizeof *p->firing);
	memcpy(e->resolved, p->resolved, p->nr * sizeof *p->resolved);
	e->nf = p->nf;
	e->nr = p->nr;
	e->sent_ms = p->snap_ms;
	s = pl__stmt(n->st, "INSERT OR REPLACE INTO notify_log(group_key, "
	    "receiver, sent_ms, firing, resolved) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (s == NULL) {
		rc = pl_store_errcode(n->st);
		goto out;
	}
	sqlite3_bind_text(s, 1, p->group_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->receiver, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, p->snap_ms);
	sqlite3_bind_text(s, 4, ft, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rt, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE ? PL_OK : pl__sqlerr(n->st, rc,
	    "writing the notification log");
out:
	free(ft);
	free(rt);
	return rc;
}

/* ---- open / reload / close ---------------------------------------------- */

static int
load_cfg(struct ncfg *c, const struct pl_config *cfg, char *err,
    size_t errlen)
{
	memset(c, 0, sizeof *c);
	if (cfg == NULL || cfg->path == NULL)
		return PL_OK;
	return pl__ncfg_load(c, cfg->path, err, errlen);
}

int
pl_notifier_check(const struct pl_config *cfg, size_t *nreceivers, char *err,
    size_t errlen)
{
	struct ncfg c;
	int rc = load_cfg(&c, cfg, err, errlen);

	if (nreceivers)
		*nreceivers = rc == PL_OK ? c.nrecv : 0;
	if (rc == PL_OK)
		pl__ncfg_free(&c);
	return rc;
}

int
pl_notifier_open(pl_notifier **out, pl_store *st, const struct pl_config *cfg,
    pl_notify_log_fn log, void *log_ctx, char *err, size_t errlen)
{
	pl_notifier *n;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if ((n = calloc(1, sizeof *n)) == NULL)
		return PL_ENOMEM;
	n->st = st;
	n->log = log;
	n->log_ctx = log_ctx;
	n->next = INT64_MAX;
	pthread_mutex_init(&n->mu, NULL);
	if ((rc = load_cfg(&n->cfg, cfg, err, errlen)) != PL_OK) {
		pthread_mutex_destroy(&n->mu);
		free(n);
		return rc;
	}
	if (n->cfg.nrecv && (rc = load_entries(n)) != PL_OK) {
		snprintf(err, errlen, "notification log: %s",
		    pl_store_errmsg(st));
		pl_notifier_close(n);
		return rc;
	}
	/* HTTP receivers: libcurl's global state, once, before any thread
	 * of ours uses it */
	for (size_t i = 0; i < n->cfg.nrecv; i++)
		if (n->cfg.recv[i].kind != NR_COMMAND) {
			if (pl__ndeliver_init() != 0) {
				snprintf(err, errlen, "libcurl did not "
				    "initialise");
				pl_notifier_close(n);
				return PL_EIO;
			}
			n->curl = 1;
			break;
		}
	*out = n;
	return PL_OK;
}

static void
group_dispose(struct ngroup *g)
{
	free(g->key);
	free(g->receiver);
	pq_labels_unref(g->glabels);
	free(g->al);
}

int
pl_notifier_reload(pl_notifier *n, const struct pl_config *cfg, char *err,
    size_t errlen)
{
	struct ncfg c;
	int rc = load_cfg(&c, cfg, err, errlen);

	if (rc != PL_OK)
		return rc;
	/* groups point into the old routes: they are rebuilt from the
	 * alerts at the next tick (their log entries stay) */
	for (size_t i = 0; i < n->ng; i++)
		group_dispose(&n->g[i]);
	n->ng = 0;
	pl__ncfg_free(&n->cfg);
	n->cfg = c;
	if (n->nent == 0 && c.nrecv && (rc = load_entries(n)) != PL_OK)
		snprintf(err, errlen, "notification log: %s",
		    pl_store_errmsg(n->st));
	n->next = 0;
	return rc;
}

size_t
pl_notifier_nreceivers(const pl_notifier *n)
{
	return n->cfg.nrecv;
}

int64_t
pl_notifier_next(const pl_notifier *n)
{
	return n->next;
}

size_t
pl_notifier_inflight(const pl_notifier *n)
{
	size_t k = 0;

	for (const struct pend *p = n->jobs; p; p = p->next)
		k += p->j.running || p->j.done;
	return k;
}

static void
pend_free(struct pend *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->j.argv && p->j.argv[i]; i++)
		free(p->j.argv[i]);
	free(p->j.argv);
	free(p->j.url);
	free(p->j.body);
	free(p->group_key);
	free(p->receiver);
	free(p->status);
	free(p->firing);
	free(p->resolved);
	for (size_t i = 0; i < p->nlabels; i++)
		free(p->labels[i]);
	free(p->labels);
	free(p);
}

static int collect(pl_notifier *n, int64_t now, int wait);

void
pl_notifier_close(pl_notifier *n)
{
	if (n == NULL)
		return;
	/* cut off what runs, record it; retries waiting are dropped */
	pthread_mutex_lock(&n->mu);
	for (struct pend *p = n->jobs; p; p = p->next)
		if (p->j.running)
			p->j.cancel = 1;
	pthread_mutex_unlock(&n->mu);
	(void)collect(n, n->now, 1);
	while (n->jobs) {
		struct pend *p = n->jobs;
		n->jobs = p->next;
		pend_free(p);
	}
	for (size_t i = 0; i < n->ng; i++)
		group_dispose(&n->g[i]);
	free(n->g);
	for (size_t i = 0; i < n->nent; i++)
		entry_dispose(&n->ent[i]);
	free(n->ent);
	pl__ncfg_free(&n->cfg);
	pthread_mutex_destroy(&n->mu);
	if (n->curl)
		pl__ndeliver_fini();
	free(n);
}

/* ---- deliveries --------------------------------------------------------- */

struct thr {
	pl_notifier *n;
	struct pend *p;
};

static void *
job_main(void *arg)
{
	struct thr *t = arg;
	sigset_t all;

	/* signals are the main thread's; a command that does not read its
	 * stdin must give EPIPE, not SIGPIPE */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pl__njob_run(&t->p->j);
	pthread_mutex_lock(&t->n->mu);
	t->p->j.done = 1;
	pthread_mutex_unlock(&t->n->mu);
	free(t);
	return NULL;
}

static void
start_job(pl_notifier *n, struct pend *p, int64_t now)
{
	struct thr *t = malloc(sizeof *t);

	p->attempt++;
	p->next_ms = 0;
	p->j.done = 0;
	p->j.cancel = 0;
	if (t) {
		t->n = n;
		t->p = p;
		p->j.running = 1;
		if (pthread_create(&p->j.th, NULL, job_main, t) == 0)
			return;
		free(t);
		p->j.running = 0;
	}
	/* no thread: a failed attempt, retried later */
	p->j.ok = 0;
	snprintf(p->j.err, sizeof p->j.err, "cannot start a thread: %s",
	    strerror(errno));
	p->j.took_ms = 0;
	p->j.done = 1;
	(void)now;
}

static int64_t
backoff(int attempt)
{
	int64_t d = NTF_BACKOFF_BASE_MS;

	for (int i = 1; i < attempt && d < NTF_BACKOFF_MAX_MS; i++)
		d *= 2;
	return d < NTF_BACKOFF_MAX_MS ? d : NTF_BACKOFF_MAX_MS;
}

/* Records one finished attempt: a delivery row, the state of each of its
 * alerts at this receiver, the log entry on success.  One transaction. */
static int
record(pl_notifier *n, const struct pend *p, int64_t now)
{
	static const char q_del[] =
	    "INSERT INTO notify_deliveries(ms, receiver, group_key, status, "
	    "ok, attempt, error, next_ms, nfiring, nresolved, duration_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
	static const char q_state[] =
	    "INSERT INTO notify_state(labels, receiver, ms, ok, attempt, "
	    "error, next_ms, ok_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "CASE WHEN ?4 THEN ?3 END) ON CONFLICT(labels, receiver) DO "
	    "UPDATE SET ms = ?3, ok = ?4, attempt = ?5, error = ?6, "
	    "next_ms = ?7, ok_ms = CASE WHEN ?4 THEN ?3 ELSE ok_ms END";
	sqlite3_stmt *s;
	int rc;

	if ((rc = pl__begin(n->st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(n->st, q_del)) == NULL) {
		rc = pl_store_errcode(n->st);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, p->receiver, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, p->group_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, p->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, p->j.ok);
	sqlite3_bind_int(s, 6, p->attempt);
	sqlite3_bind_text(s, 7, p->j.err, -1, SQLITE_STATIC);
	if (p->next_ms)
		sqlite3_bind_int64(s, 8, p->next_ms);
	sqlite3_bind_int64(s, 9, (int64_t)p->nf);
	sqlite3_bind_int64(s, 10, (int64_t)p->nr);
	sqlite3_bind_int64(s, 11, p->j.took_ms);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(n->st, rc, "recording a delivery");
		goto fail;
	}
	for (size_t i = 0; i < p->nlabels; i++) {
		if ((s = pl__stmt(n->st, q_state)) == NULL) {
			rc = pl_store_errcode(n->st);
			goto fail;
		}
		sqlite3_bind_text(s, 1, p->labels[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, p->receiver, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, now);
		sqlite3_bind_int(s, 4, p->j.ok);
		sqlite3_bind_int(s, 5, p->attempt);
		sqlite3_bind_text(s, 6, p->j.err, -1, SQLITE_STATIC);
		if (p->next_ms)
			sqlite3_bind_int64(s, 7, p->next_ms);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			rc = pl__sqlerr(n->st, rc, "recording a delivery");
			goto fail;
		}
	}
	if (p->j.ok && (rc = entry_store(n, p)) != PL_OK)
		goto fail;
	return pl__commit(n->st);
fail:
	pl__rollback(n->st);
	return rc;
}

/*
 * Collects the finished attempts (wait: joins the running ones first):
 * records and logs each, frees the successful ones and schedules the
 * failed ones again.
 */
static int
collect(pl_notifier *n, int64_t now, int wait)
{
	struct pend **pp = &n->jobs;
	int rc = PL_OK;

	while (*pp) {
		struct pend *p = *pp;
		int done;
		char d[32];

		pthread_mutex_lock(&n->mu);
		done = p->j.done;
		pthread_mutex_unlock(&n->mu);
		if (!p->j.running && p->next_ms) {	/* waiting to retry */
			pp = &p->next;
			continue;
		}
		if (!done && !wait) {
			pp = &p->next;
			continue;
		}
		if (p->j.running) {
			pthread_join(p->j.th, NULL);
			p->j.running = 0;
		}
		p->j.done = 0;
		if (p->j.ok) {
			for (size_t i = 0; i < n->ng; i++)
				if (!strcmp(n->g[i].key, p->group_key) &&
				    !strcmp(n->g[i].receiver, p->receiver) &&
				    n->g[i].flushed_ms < p->snap_ms)
					n->g[i].flushed_ms = p->snap_ms;
			nlog(n, "notified %s: %zu firing, %zu resolved (group "
			    "%s, attempt %d, %lld ms)", p->receiver, p->nf,
			    p->nr, p->group_key, p->attempt,
			    (long long)p->j.took_ms);
			p->next_ms = 0;
		} else {
			p->next_ms = now + backoff(p->attempt);
			fmt_secs(d, sizeof d, p->next_ms - now);
			nlog(n, "delivery to %s FAILED (attempt %d): %s; next "
			    "attempt in %s", p->receiver, p->attempt, p->j.err,
			    wait ? "(at the next start)" : d);
		}
		int r = record(n, p, now);
		if (r != PL_OK && rc == PL_OK) {
			rc = r;
			nlog(n, "notifications: cannot record a delivery: %s",
			    pl_store_errmsg(n->st));
		}
		if (p->j.ok || wait) {
			*pp = p->next;
			pend_free(p);
		} else
			pp = &p->next;
	}
	return rc;
}

/* ---- reading the alerts ------------------------------------------------- */

static void
alerts_free(struct nalert *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].labels);
		free(a[i].expr);
		pq_labels_unref(a[i].lb);
		pq_labels_unref(a[i].ann);
	}
	free(a);
}

/* Active silences (started, not ended) at now. */
static int
silenced(const pl_silence *s, size_t ns, const char *labels, int64_t now)
{
	for (size_t i = 0; i < ns; i++)
		if (s[i].starts_ms <= now && now < s[i].ends_ms &&
		    pl_silence_matches(s[i].matchers, labels) == 1)
			return 1;
	return 0;
}

/*
 * The candidates: alerts firing now, and alerts that fired and resolved
 * within NTF_RESOLVED_KEEP_MS, silenced ones left out; one per label
 * set (the firing or latest episode).
 */
static int
read_alerts(pl_notifier *n, struct nalert **out, size_t *out_n, int64_t now)
{
	static const char q[] =
	    "SELECT labels, annotations, fired_ms, end_ms, expr "
	    "FROM alert_history "
	    "WHERE (end_ms IS NULL AND state = 'firing') OR (state = "
	    "'resolved' AND fired_ms IS NOT NULL AND end_ms >= ?1) "
	    "ORDER BY end_ms IS NULL, end_ms";
	pl_silence *sil = NULL;
	size_t nsil = 0, na = 0, cap = 0;
	struct nalert *a = NULL;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((rc = pl_silence_list(&sil, &nsil, n->st, now, 0)) != PL_OK)
		return rc;
	if ((s = pl__stmt(n->st, q)) == NULL) {
		pl_silences_free(sil, nsil);
		return pl_store_errcode(n->st);
	}
	sqlite3_bind_int64(s, 1, now - NTF_RESOLVED_KEEP_MS);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *lt = (const char *)sqlite3_column_text(s, 0);
		const char *at = (const char *)sqlite3_column_text(s, 1);
		struct nalert x = { 0 };
		char perr[128];
		int col;

		if (!lt || silenced(sil, nsil, lt, now))
			continue;
		if (pq_parse_metric(&x.lb, lt, &col, perr, sizeof perr) < 0)
			continue;	/* written by us: cannot happen */
		if (pq_parse_metric(&x.ann, at ? at : "{}", &col, perr,
		    sizeof perr) < 0)
			x.ann = pq_labels_new(NULL, 0);
		x.labels = strdup(lt);
		x.expr = strdup(sqlite3_column_type(s, 4) == SQLITE_NULL ? "" :
		    (const char *)sqlite3_column_text(s, 4));
		x.starts = sqlite3_column_int64(s, 2);
		x.ends = sqlite3_column_type(s, 3) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(s, 3);
		x.fp = fingerprint(x.lb);
		if (!x.labels || !x.ann || !x.expr) {
			free(x.labels);
			free(x.expr);
			pq_labels_unref(x.lb);
			pq_labels_unref(x.ann);
			rc = PL_ENOMEM;
			break;
		}
		/* rows come resolved (oldest first) then firing: a later
		 * row of the same set replaces the earlier one */
		size_t k;
		for (k = 0; k < na; k++)
			if (a[k].fp == x.fp && pq_labels_equal(a[k].lb, x.lb))
				break;
		if (k < na) {
			free(a[k].labels);
			free(a[k].expr);
			pq_labels_unref(a[k].lb);
			pq_labels_unref(a[k].ann);
			a[k] = x;
			continue;
		}
		if (na == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct nalert *nx = realloc(a, nc * sizeof *nx);
			if (!nx) {
				free(x.labels);
				free(x.expr);
				pq_labels_unref(x.lb);
				pq_labels_unref(x.ann);
				rc = PL_ENOMEM;
				break;
			}
			a = nx;
			cap = nc;
		}
		a[na++] = x;
	}
	sqlite3_reset(s);
	pl_silences_free(sil, nsil);
	if (rc != SQLITE_DONE) {
		alerts_free(a, na);
		return rc == PL_ENOMEM ? rc : pl__sqlerr(n->st, rc,
		    "reading the alerts to notify");
	}
	*out = a;
	*out_n = na;
	return PL_OK;
}

/* ---- routing and grouping ---------------------------------------------- */

/* Alertmanager's Route.Match: the routes that take lb, depth first. */
static int
route_match(const struct nroute *r, const pq_labels *lb,
    const struct nroute **out, size_t *nout, size_t cap)
{
	size_t before = *nout;

	if (!pq_labels_match(lb, r->m, r->nm))
		return 0;
	for (size_t i = 0; i < r->nkids; i++) {
		if (route_match(&r->kids[i], lb, out, nout, cap) &&
		    !r->kids[i].cont)
			break;
	}
	if (*nout == before && *nout < cap)
		out[(*nout)++] = r;
	return 1;
}

static pq_labels *
group_labels(const struct nroute *r, const pq_labels *lb)
{
	pq_label l[64];
	size_t k = 0;

	if (r->group_all)
		return pq_labels_ref((pq_labels *)lb);
	for (size_t i = 0; i < r->ngroup_by && k < 64; i++) {
		const char *v = pq_labels_get(lb, r->group_by[i]);
		if (v) {
			l[k].name = r->group_by[i];
			l[k].value = v;
			k++;
		}
	}
	return pq_labels_new(l, k);
}

/* The group of route r and group labels gl; created when the alert
 * (fingerprint fp) fires, or when it resolved but the group's last
 * notification had it firing (a restarted watcher still sends the
 * resolution). */
static struct ngroup *
group_get(pl_notifier *n, const struct nroute *r, pq_labels *gl, int64_t now,
    int firing, uint64_t fp)
{
	struct buf key = BUF_INIT;
	struct ngroup *g;

	if (buf_printf(&key, "%s:", r->key) < 0 || pq_labels_str(&key, gl) < 0 ||
	    (gl->n == 0 && buf_puts(&key, "{}") < 0)) {
		buf_free(&key);
		return NULL;
	}
	for (size_t i = 0; i < n->ng; i++)
		if (!strcmp(n->g[i].key, key.p) && n->g[i].route == r) {
			buf_free(&key);
			return &n->g[i];
		}
	if (!firing) {
		const struct nentry *e = entry_find(n, key.p,
		    n->cfg.recv[r->recv].name);
		if (e == NULL || !has_fp(e->firing, e->nf, fp)) {
			buf_free(&key);
			return NULL;
		}
	}
	if (n->ng == n->capg) {
		size_t nc = n->capg ? n->capg * 2 : 8;
		struct ngroup *ng = realloc(n->g, nc * sizeof *ng);
		if (!ng) {
			buf_free(&key);
			return NULL;
		}
		n->g = ng;
		n->capg = nc;
	}
	g = &n->g[n->ng];
	memset(g, 0, sizeof *g);
	g->key = buf_detach(&key);
	g->recv = r->recv;
	g->receiver = strdup(n->cfg.recv[r->recv].name);
	g->route = r;
	g->glabels = pq_labels_ref(gl);
	g->created = now;
	g->next_flush = n->cfg.recv[r->recv].kind == NR_ALERTMANAGER ? now :
	    now + r->group_wait;
	if (!g->key || !g->receiver) {
		group_dispose(g);
		return NULL;
	}
	n->ng++;
	return g;
}

static int
group_add(struct ngroup *g, struct nalert *a)
{
	for (size_t i = 0; i < g->nal; i++)
		if (g->al[i] == a)
			return 0;
	if (g->nal == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 8;
		struct nalert **na = realloc(g->al, nc * sizeof *na);
		if (!na)
			return -1;
		g->al = na;
		g->cap = nc;
	}
	g->al[g->nal++] = a;
	return 0;
}

static struct pend *
pend_of(pl_notifier *n, const char *key, const char *recv)
{
	for (struct pend *p = n->jobs; p; p = p->next)
		if (!strcmp(p->group_key, key) && !strcmp(p->receiver, recv))
			return p;
	return NULL;
}

/* Alerts in label order, as Alertmanager sends them. */
static int
cmp_alert(const void *x, const void *y)
{
	const struct nalert *a = *(struct nalert *const *)x;
	const struct nalert *b = *(struct nalert *const *)y;

	return pq_labels_cmp(a->lb, b->lb);
}

/* ---- flushing ----------------------------------------------------------- */

/* notify/notify.go DedupStage.needsUpdate */
static int
needs_update(const struct nentry *e, const uint64_t *f, size_t nf,
    const uint64_t *r, size_t nr, int send_resolved, int64_t repeat,
    int64_t now)
{
	if (e == NULL)
		return nf > 0;
	if (!subset(f, nf, e->firing, e->nf))
		return 1;
	if (nf == 0)
		return e->nf > 0;
	if (send_resolved && !subset(r, nr, e->resolved, e->nr))
		return 1;
	return e->sent_ms <= now - repeat;
}

static int
flush(pl_notifier *n, struct ngroup *g, int64_t now)
{
	const struct nrecv *r = &n->cfg.recv[g->recv];
	int am = r->kind == NR_ALERTMANAGER;
	const struct nentry *e = entry_find(n, g->key, g->receiver);
	struct pend *old = pend_of(n, g->key, g->receiver), *p;
	uint64_t *f, *rs;
	size_t nf = 0, nr = 0, nsend = 0;
	struct nalert **send;
	struct buf body = BUF_INIT;
	int rc;

	if (old && old->j.running) {
		/* an attempt runs: flush when it ended */
		g->next_flush = now + 1000;
		return PL_OK;
	}
	f = calloc(g->nal + 1, sizeof *f);
	rs = calloc(g->nal + 1, sizeof *rs);
	send = calloc(g->nal + 1, sizeof *send);
	if (!f || !rs || !send) {
		free(f);
		free(rs);
		free(send);
		return PL_ENOMEM;
	}
	qsort(g->al, g->nal, sizeof *g->al, cmp_alert);
	for (size_t i = 0; i < g->nal; i++) {
		if (g->al[i]->ends)
			rs[nr++] = g->al[i]->fp;
		else
			f[nf++] = g->al[i]->fp;
		/* send_resolved: false leaves resolved alerts out */
		if (!g->al[i]->ends || r->send_resolved)
			send[nsend++] = g->al[i];
	}
	g->next_flush = am ? now : now + g->route->group_interval;
	if (!needs_update(e, f, nf, rs, nr, r->send_resolved, am ?
	    NTF_RESEND_MS : g->route->repeat_interval, now) ||
	    nsend == 0) {
		g->flushed_ms = now;
		free(f);
		free(rs);
		free(send);
		return PL_OK;
	}
	rc = am ? pl__n_am_body(&body, n->cfg.external_url, send, nsend,
	    now) : pl__n_webhook_body(&body, n->cfg.external_url, g, r, send,
	    nsend, nf > 0);
	if (rc != PL_OK || (p = calloc(1, sizeof *p)) == NULL) {
		buf_free(&body);
		free(f);
		free(rs);
		free(send);
		return PL_ENOMEM;
	}
	p->j.kind = r->kind;
	p->j.timeout_ms = r->timeout_ms;
	p->j.len = body.len;
	p->j.body = buf_detach(&body);
	p->group_key = strdup(g->key);
	p->receiver = strdup(g->receiver);
	p->status = strdup(nf > 0 ? "firing" : "resolved");
	p->snap_ms = now;
	p->firing = f;
	p->nf = nf;
	p->resolved = rs;
	p->nr = nr;
	p->next_ms = now;
	p->labels = calloc(nsend + 1, sizeof *p->labels);
	rc = !p->j.body || !p->group_key || !p->receiver || !p->status ||
	    !p->labels ? PL_ENOMEM : PL_OK;
	for (size_t i = 0; rc == PL_OK && i < nsend; i++)
		if ((p->labels[p->nlabels++] = strdup(send[i]->labels)) == NULL)
			rc = PL_ENOMEM;
	if (rc == PL_OK && r->kind == NR_COMMAND) {
		size_t k = 0;
		while (r->argv[k])
			k++;
		if ((p->j.argv = calloc(k + 1, sizeof *p->j.argv)) == NULL)
			rc = PL_ENOMEM;
		for (size_t i = 0; rc == PL_OK && i < k; i++)
			if ((p->j.argv[i] = strdup(r->argv[i])) == NULL)
				rc = PL_ENOMEM;
	} else if (rc == PL_OK) {
		struct buf u = BUF_INIT;
		size_t ul = strlen(r->url);
		if (am)
			rc = buf_printf(&u, "%.*s/api/v2/alerts", (int)(ul &&
			    r->url[ul - 1] == '/' ? ul - 1 : ul), r->url) < 0 ?
			    PL_ENOMEM : PL_OK;
		else
			rc = buf_puts(&u, r->url) < 0 ? PL_ENOMEM : PL_OK;
		p->j.url = buf_detach(&u);
	}
	free(send);
	if (rc != PL_OK) {
		pend_free(p);
		return rc;
	}
	if (old) {
		/* a retry still waiting: the new notification carries the
		 * group as it is now, on the old one's backoff schedule (a
		 * failing receiver is not hammered at every group_interval) */
		struct pend **pp = &n->jobs;
		while (*pp != old)
			pp = &(*pp)->next;
		*pp = old->next;
		p->attempt = old->attempt;
		if (old->next_ms > p->next_ms)
			p->next_ms = old->next_ms;
		pend_free(old);
	}
	p->next = n->jobs;
	n->jobs = p;
	return PL_OK;
}

/* ---- the tick ----------------------------------------------------------- */

int
pl_notifier_tick(pl_notifier *n, int64_t now)
{
	struct nalert *al = NULL;
	size_t na = 0;
	int rc;

	n->now = now;
	rc = collect(n, now, 0);
	n->next = INT64_MAX;
	if (!n->cfg.has_route)
		goto start;
	if ((rc = read_alerts(n, &al, &na, now)) != PL_OK)
		goto start;
	for (size_t i = 0; i < n->ng; i++) {
		n->g[i].nal = 0;
		n->g[i].live = 0;
	}
	for (size_t i = 0; i < na; i++) {
		const struct nroute *rt[32];
		size_t nrt = 0;

		route_match(&n->cfg.root, al[i].lb, rt, &nrt, 32);
		for (size_t k = 0; k < nrt; k++) {
			pq_labels *gl = group_labels(rt[k], al[i].lb);
			struct ngroup *g;
			const struct nentry *e;

			if (gl == NULL) {
				rc = PL_ENOMEM;
				break;
			}
			g = group_get(n, rt[k], gl, now, al[i].ends == 0,
			    al[i].fp);
			pq_labels_unref(gl);
			if (g == NULL)
				continue;
			/* resolved before a flush that went well (sent, or
			 * nothing to send): it left the group, as in
			 * Alertmanager */
			if (al[i].ends && g->flushed_ms >= al[i].ends)
				continue;
			/* resolved, and sent as such already: done */
			e = entry_find(n, g->key, g->receiver);
			if (al[i].ends && e && e->sent_ms >= al[i].ends &&
			    has_fp(e->resolved, e->nr, al[i].fp))
				continue;
			if (al[i].ends && e && !has_fp(e->firing, e->nf,
			    al[i].fp) && !has_fp(e->resolved, e->nr, al[i].fp) &&
			    e->sent_ms >= al[i].ends)
				continue;	/* never sent; ended before */
			if (group_add(g, &al[i]) < 0)
				rc = PL_ENOMEM;
			g->live = 1;
		}
	}
	/* flush what is due; drop groups left empty */
	for (size_t i = 0; i < n->ng;) {
		struct ngroup *g = &n->g[i];

		if (g->nal == 0 && !g->live) {
			group_dispose(g);
			n->g[i] = n->g[--n->ng];
			continue;
		}
		if (now >= g->next_flush) {
			int fr = flush(n, g, now);
			if (fr != PL_OK && rc == PL_OK)
				rc = fr;
		}
		if (g->next_flush < n->next)
			n->next = g->next_flush;
		g->nal = 0;	/* the alerts are this tick's */
		i++;
	}
	alerts_free(al, na);
start:
	/* start what is due; poll what runs */
	for (struct pend *p = n->jobs; p; p = p->next) {
		if (!p->j.running && p->next_ms && p->next_ms <= now)
			start_job(n, p, now);
		if (p->j.running || p->j.done) {
			if (now + 100 < n->next)
				n->next = now + 100;
		} else if (p->next_ms && p->next_ms < n->next)
			n->next = p->next_ms;
	}
	return rc;
}

/* ---- the delivery log ----------------------------------------------------- */

void
pl_deliveries_free(pl_delivery *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].receiver);
		free(d[i].group_key);
		free(d[i].status);
		free(d[i].error);
	}
	free(d);
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

int
pl_notify_deliveries(pl_delivery **out, size_t *out_n, pl_store *st,
    int64_t since_ms, size_t limit)
{
	sqlite3_stmt *s = pl__stmt(st, "SELECT id, ms, receiver, group_key, "
	    "status, ok, attempt, error, next_ms, nfiring, nresolved, "
	    "duration_ms FROM notify_deliveries WHERE ms >= ?1 ORDER BY ms "
	    "DESC, id DESC LIMIT ?2");
	pl_delivery *d = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (s == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int64(s, 2, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			pl_delivery *nd = realloc(d, nc * sizeof *nd);
			if (!nd) {
				sqlite3_reset(s);
				pl_deliveries_free(d, n);
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
			d = nd;
			cap = nc;
		}
		pl_delivery *x = &d[n++];
		x->id = sqlite3_column_int64(s, 0);
		x->ms = sqlite3_column_int64(s, 1);
		x->receiver = col_dup(s, 2);
		x->group_key = col_dup(s, 3);
		x->status = col_dup(s, 4);
		x->ok = sqlite3_column_int(s, 5);
		x->attempt = sqlite3_column_int(s, 6);
		x->error = col_dup(s, 7);
		x->next_ms = sqlite3_column_int64(s, 8);
		x->nfiring = sqlite3_column_int(s, 9);
		x->nresolved = sqlite3_column_int(s, 10);
		x->duration_ms = sqlite3_column_int64(s, 11);
		if (!x->receiver || !x->group_key || !x->status || !x->error) {
			sqlite3_reset(s);
			pl_deliveries_free(d, n);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_deliveries_free(d, n);
		return pl__sqlerr(st, rc, "reading deliveries");
	}
	*out = d;
	*out_n = n;
	return PL_OK;
}

void
pl_notify_states_free(pl_notify_state *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].receiver);
		free(s[i].error);
	}
	free(s);
}

int
pl_notify_states(pl_notify_state **out, size_t *out_n, pl_store *st,
    const char *labels)
{
	sqlite3_stmt *s = pl__stmt(st, "SELECT receiver, ok, ms, attempt, "
	    "error, next_ms, ok_ms FROM notify_state WHERE labels = ?1 ORDER "
	    "BY receiver");
	pl_notify_state *r = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (s == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_text(s, 1, labels, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pl_notify_state *nr = realloc(r, (n + 1) * sizeof *nr);
		if (!nr) {
			sqlite3_reset(s);
			pl_notify_states_free(r, n);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
		r = nr;
		pl_notify_state *x = &r[n++];
		x->receiver = col_dup(s, 0);
		x->ok = sqlite3_column_int(s, 1);
		x->ms = sqlite3_column_int64(s, 2);
		x->attempt = sqlite3_column_int(s, 3);
		x->error = col_dup(s, 4);
		x->next_ms = sqlite3_column_int64(s, 5);
		x->ok_ms = sqlite3_column_int64(s, 6);
		if (!x->receiver || !x->error) {
			sqlite3_reset(s);
			pl_notify_states_free(r, n);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_notify_states_free(r, n);
		return pl__sqlerr(st, rc, "reading delivery states");
	}
	*out = r;
	*out_n = n;
	return PL_OK;
}
