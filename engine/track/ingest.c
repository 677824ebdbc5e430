/* ingest.c - batched ingestion of a run's PLUMB_FD stream: parse here, write on a thread. */
#include "config.h"
#include "track/ingest.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "track/metric.h"
#include "store/internal.h"
#include "track/proto.h"
#include "track/run.h"

/*
 * Threads and hand-off.  The caller's thread splits and parses lines into
 * the current batch.  A batch is handed to the writer when it is full, or
 * when the writer is idle and the batch has waited FLUSH_MS (checked by
 * feed() and by pl_ingest_tick(), which the caller's loop calls at least
 * every few hundred ms).  So under a light load points are written within
 * a fraction of a second (live charts) and each transaction still carries
 * many of them; under a heavy one, batches pile up while the writer
 * commits and are then written together in one transaction: the
 * transaction grows with the load and the disk is never waited on per
 * point.  A bounded queue gives back-
 * pressure: when it is full, feed() waits, the pipe fills, and the child
 * blocks on its write instead of plumb growing without limit.
 *
 * Metric keys are interned per ingest as small "slots" by the parsing
 * thread; the first record of a key in a batch is preceded by a slot
 * definition carrying its name, and batches are written in order, so the
 * writer learns each name before its first use and no table is shared
 * between the threads.
 */

#define BATCH_RECS 8192
#define FLUSH_MS 20
#define MAX_QUEUED 32

enum { R_METRIC, R_PARAM, R_TAG, R_ARTIFACT, R_SLOTDEF };

struct rec {
	uint8_t type;
	uint32_t slot;
	uint32_t off, len;	/* text in the batch arena */
	uint32_t koff, klen;	/* key text (params, tags, slot names) */
	int64_t step, ts;
	double v;
};

struct batch {
	struct rec *r;
	size_t n, cap;
	struct buf arena;
	struct batch *next;
};

struct slot_w {			/* writer's view of a key slot */
	int64_t kid;
	int64_t next_step;
	struct pl__chunk chunk;	/* this transaction's points */
};

struct pl_ingest {
	pthread_t thr;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_space;
	struct batch *q_head, *q_tail, *free_list;
	size_t q_len;
	int stop;
	int busy;		/* writer is inside a transaction */
	int werr;
	char werrmsg[512];

	/* parsing thread */
	struct batch *cur;
	int64_t cur_since;	/* mono ms when cur got its first record */
	struct buf partial;
	char **knames;
	size_t nslots, kcap;
	uint32_t *khash;	/* open addressing: slot + 1, 0 = empty */
	size_t khcap;
	pl_ingest_stats stats;

	/* writer thread */
	char *store_dir;
	char run_id[PL_ID_LEN + 1];
	char *cwd;
	struct slot_w *ws;
	size_t nws;
	int64_t points_written;
	int64_t txns;
};

static struct batch *
batch_get(pl_ingest *in)
{
	struct batch *b;

	pthread_mutex_lock(&in->mu);
	b = in->free_list;
	if (b)
		in->free_list = b->next;
	pthread_mutex_unlock(&in->mu);
	if (b == NULL) {
		b = calloc(1, sizeof *b);
		if (b == NULL)
			return NULL;
		b->r = malloc(BATCH_RECS * sizeof *b->r);
		if (b->r == NULL) {
			free(b);
			return NULL;
		}
		b->cap = BATCH_RECS;
	}
	b->n = 0;
	b->next = NULL;
	buf_clear(&b->arena);
	return b;
}

static void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	free(b->r);
	buf_free(&b->arena);
	free(b);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
set_werr(pl_ingest *in, int code, const char *msg)
{
	pthread_mutex_lock(&in->mu);
	if (in->werr == 0) {
		in->werr = code ? code : PL_ERROR;
		snprintf(in->werrmsg, sizeof in->werrmsg, "%s", msg);
	}
	pthread_mutex_unlock(&in->mu);
}

static int
ws_reserve(pl_ingest *in, uint32_t slot)
{
	if (slot < in->nws)
		return 0;
	{
		size_t n = slot + 64;
		struct slot_w *p = realloc(in->ws, n * sizeof *p);

		if (p == NULL)
			return -1;
		memset(p + in->nws, 0, (n - in->nws) * sizeof *p);
		in->ws = p;
		in->nws = n;
	}
	return 0;
}

/* Writes the batches of one hand-off in one transaction.  Artifacts are
 * copied afterwards, outside it (a copy can take long). */
static int
write_batches(pl_ingest *in, pl_store *st, int64_t rid, struct batch *list)
{
	int rc;
	char *name;
	int64_t pending = 0;

	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	for (struct batch *b = list; b; b = b->next) {
		for (size_t i = 0; i < b->n; i++) {
			struct rec *r = &b->r[i];
			struct slot_w *w;

			switch (r->type) {
			case R_SLOTDEF:
				if (ws_reserve(in, r->slot) < 0) {
					rc = pl__err(st, PL_ENOMEM,
					    "out of memory");
					goto fail;
				}
				w = &in->ws[r->slot];
				name = b->arena.p + r->koff;
				if ((rc = pl__key_id(st, name, 1, &w->kid)) ||
				    (rc = pl__last_step(st, rid, w->kid,
				    &w->next_step)))
					goto fail;
				w->next_step++;
				pl__chunk_dispose(&w->chunk);
				pl__chunk_init(&w->chunk, w->kid);
				break;
			case R_METRIC:
				w = &in->ws[r->slot];
				if (r->step == PL_STEP_AUTO)
					r->step = w->next_step;
				if (r->step >= w->next_step)
					w->next_step = r->step + 1;
				if ((rc = pl__chunk_add(&w->chunk, r->step,
				    r->ts, r->v)) != PL_OK) {
					pl__err(st, rc, "out of memory");
					goto fail;
				}
				pending++;
				break;
			case R_PARAM:
			case R_TAG: {
				static const char sp[] = "INSERT OR REPLACE INTO "
				    "params(run_id, key_id, value) VALUES "
				    "(?1, ?2, ?3)";
				static const char stg[] = "INSERT OR REPLACE INTO "
				    "tags(run_id, key_id, value) VALUES "
				    "(?1, ?2, ?3)";
				sqlite3_stmt *s;
				int64_t kid;

				if ((rc = pl__key_id(st, b->arena.p + r->koff, 1,
				    &kid)) != PL_OK)
					goto fail;
				s = pl__stmt(st, r->type == R_PARAM ? sp : stg);
				if (s == NULL) {
					rc = PL_ERROR;
					goto fail;
				}
				sqlite3_bind_int64(s, 1, rid);
				sqlite3_bind_int64(s, 2, kid);
				sqlite3_bind_text(s, 3, b->arena.p + r->off,
				    (int)r->len, SQLITE_STATIC);
				rc = sqlite3_step(s);
				sqlite3_reset(s);
				if (rc != SQLITE_DONE) {
					rc = pl__sqlerr(st, rc,
					    "writing a param or tag");
					goto fail;
				}
				break;
			}
			default:
				break;
			}
		}
	}
	for (size_t k = 0; k < in->nws; k++) {
		struct slot_w *w = &in->ws[k];

		if ((rc = pl__chunk_write(st, rid, &w->chunk)) != PL_OK)
			goto fail;
	}
	{
		static const char hb[] =
		    "UPDATE runs SET heartbeat_ms = ?2 WHERE rid = ?1";
		sqlite3_stmt *s = pl__stmt(st, hb);

		if (s == NULL) {
			rc = PL_ERROR;
			goto fail;
		}
		sqlite3_bind_int64(s, 1, rid);
		sqlite3_bind_int64(s, 2, pl__now_ms());
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			rc = pl__sqlerr(st, rc, "writing the heartbeat");
			goto fail;
		}
	}
	if ((rc = pl__commit(st)) != PL_OK)
		return rc;
	in->txns++;
	in->points_written += pending;
	/* Artifacts: each copy and record is its own transaction. */
	for (struct batch *b = list; b; b = b->next)
		for (size_t i = 0; i < b->n; i++) {
			struct rec *r = &b->r[i];
			char path[PATH_MAX];
			const char *p = b->arena.p + r->off;

			if (r->type != R_ARTIFACT)
				continue;
			if (p[0] != '/' && in->cwd)
				snprintf(path, sizeof path, "%s/%s", in->cwd, p);
			else
				snprintf(path, sizeof path, "%s", p);
			if (pl_run_log_artifact(st, in->run_id, path, p) != PL_OK) {
				pthread_mutex_lock(&in->mu);
				in->stats.bad_lines++;
				for (int e = 0; e < PL_INGEST_MAX_ERRORS; e++)
					if (in->stats.errors[e][0] == '\0') {
						snprintf(in->stats.errors[e],
						    sizeof in->stats.errors[e],
						    "artifact: %s",
						    pl_store_errmsg(st));
						break;
					}
				pthread_mutex_unlock(&in->mu);
			} else {
				pthread_mutex_lock(&in->mu);
				in->stats.artifacts++;
				pthread_mutex_unlock(&in->mu);
			}
		}
	return PL_OK;
fail:
	pl__rollback(st);
	return rc;
}

static void *
writer_main(void *arg)
{
	pl_ingest *in = arg;
	pl_store *st = NULL;
	int64_t rid = 0, last_hb = mono_ms();
	int rc;

	rc = pl_store_open(&st, in->store_dir, 0);
	if (rc == PL_OK)
		rc = pl__run_rid(st, in->run_id, &rid);
	if (rc != PL_OK)
		set_werr(in, rc, st ? pl_store_errmsg(st) : "out of memory");
	for (;;) {
		struct batch *list, *tail;
		int stop;

		pthread_mutex_lock(&in->mu);
		while (in->q_head == NULL && !in->stop) {
			struct timespec ts;
			int64_t left = last_hb + PL_HEARTBEAT_MS - mono_ms();

			if (left <= 0)
				break;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += left / 1000;
			ts.tv_nsec += (left % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&in->cv_work, &in->mu, &ts);
		}
		list = in->q_head;
		in->q_head = in->q_tail = NULL;
		in->q_len = 0;
		stop = in->stop;
		in->busy = list != NULL;
		pthread_cond_broadcast(&in->cv_space);
		pthread_mutex_unlock(&in->mu);

		if (list && in->werr == 0) {
			rc = write_batches(in, st, rid, list);
			if (rc != PL_OK)
				set_werr(in, rc, pl_store_errmsg(st));
			last_hb = mono_ms();
		} else if (list == NULL && !stop && in->werr == 0) {
			if (pl_run_heartbeat(st, in->run_id) != PL_OK)
				set_werr(in, PL_EIO, pl_store_errmsg(st));
			last_hb = mono_ms();
		}
		/* Recycle the batches. */
		for (tail = list; tail && tail->next; tail = tail->next)
			;
		pthread_mutex_lock(&in->mu);
		if (tail) {
			tail->next = in->free_list;
			in->free_list = list;
		}
		in->busy = 0;
		in->stats.points = in->points_written;
		in->stats.transactions = in->txns;
		pthread_cond_broadcast(&in->cv_space);
		if (stop && in->q_head == NULL) {
			pthread_mutex_unlock(&in->mu);
			break;
		}
		pthread_mutex_unlock(&in->mu);
	}
	pl_store_close(st);
	return NULL;
}

int
pl_ingest_start(pl_ingest **out, const char *store_dir, const char *run_id,
    const char *cwd, char *err, size_t err_len)
{
	pl_ingest *in = calloc(1, sizeof *in);

	*out = NULL;
	if (in == NULL)
		goto oom;
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->cv_work, NULL);
	pthread_cond_init(&in->cv_space, NULL);
	in->store_dir = strdup(store_dir);
	in->cwd = cwd ? strdup(cwd) : NULL;
	snprintf(in->run_id, sizeof in->run_id, "%s", run_id);
	in->khcap = 256;
	in->khash = calloc(in->khcap, sizeof *in->khash);
	in->cur = batch_get(in);
	if (in->store_dir == NULL || (cwd && in->cwd == NULL) ||
	    in->khash == NULL || in->cur == NULL)
		goto oom;
	if (pthread_create(&in->thr, NULL, writer_main, in) != 0) {
		snprintf(err, err_len, "cannot start the ingest thread: %s",
		    strerror(errno));
		pl_ingest_free(in);
		return PL_ERROR;
	}
	in->started = 1;
	*out = in;
	return PL_OK;
oom:
	snprintf(err, err_len, "out of memory");
	pl_ingest_free(in);
	return PL_ENOMEM;
}

/* FNV-1a */
static uint32_t
hash_key(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int
khash_grow(pl_ingest *in)
{
	size_t ncap = in->khcap * 2;
	uint32_t *nh = calloc(ncap, sizeof *nh);

	if (nh == NULL)
		return -1;
	for (size_t i = 0; i < in->nslots; i++) {
		size_t j = hash_key(in->knames[i], strlen(in->knames[i])) &
		    (ncap - 1);

		while (nh[j])
			j = (j + 1) & (ncap - 1);
		nh[j] = (uint32_t)i + 1;
	}
	free(in->khash);
	in->khash = nh;
	in->khcap = ncap;
	return 0;
}

static int
push_rec(pl_ingest *in, const struct rec *r)
{
	if (in->cur->n == 0)
		in->cur_since = mono_ms();
	if (in->cur->n == in->cur->cap) {
		struct rec *p = realloc(in->cur->r,
		    in->cur->cap * 2 * sizeof *p);

		if (p == NULL)
			return -1;
		in->cur->r = p;
		in->cur->cap *= 2;
	}
	in->cur->r[in->cur->n++] = *r;
	return 0;
}

/* Copies s[0..n) + NUL into the batch arena; returns its offset. */
static int
arena_add(pl_ingest *in, const char *s, size_t n, uint32_t *off)
{
	*off = (uint32_t)in->cur->arena.len;
	if (buf_add(&in->cur->arena, s, n) < 0 ||
	    buf_putc(&in->cur->arena, '\0') < 0)
		return -1;
	return 0;
}

/* Slot of a key; defines it in the current batch when new. The slot
 * definition must be in the batch that first uses the slot, or in an
 * earlier one; new slots are always defined in the current batch. */
static int
key_slot(pl_ingest *in, const char *k, size_t n, uint32_t *out)
{
	size_t j = hash_key(k, n) & (in->khcap - 1);
	struct rec d;

	while (in->khash[j]) {
		const char *name = in->knames[in->khash[j] - 1];

		if (strncmp(name, k, n) == 0 && name[n] == '\0') {
			*out = in->khash[j] - 1;
			return 0;
		}
		j = (j + 1) & (in->khcap - 1);
	}
	if (in->nslots == in->kcap) {
		size_t nc = in->kcap ? in->kcap * 2 : 64;
		char **p = realloc(in->knames, nc * sizeof *p);

		if (p == NULL)
			return -1;
		in->knames = p;
		in->kcap = nc;
	}
	in->knames[in->nslots] = strndup(k, n);
	if (in->knames[in->nslots] == NULL)
		return -1;
	in->khash[j] = (uint32_t)in->nslots + 1;
	*out = (uint32_t)in->nslots++;
	memset(&d, 0, sizeof d);
	d.type = R_SLOTDEF;
	d.slot = *out;
	d.klen = (uint32_t)n;
	if (arena_add(in, k, n, &d.koff) < 0 || push_rec(in, &d) < 0)
		return -1;
	if (in->nslots * 2 > in->khcap && khash_grow(in) < 0)
		return -1;
	return 0;
}

/* Hands the current batch to the writer (waiting while the queue is full). */
static int
hand_off(pl_ingest *in)
{
	struct batch *b = in->cur, *nb;

	if (b->n == 0)
		return 0;
	pthread_mutex_lock(&in->mu);
	while (in->q_len >= MAX_QUEUED && in->werr == 0)
		pthread_cond_wait(&in->cv_space, &in->mu);
	if (in->q_tail)
		in->q_tail->next = b;
	else
		in->q_head = b;
	in->q_tail = b;
	in->q_len++;
	pthread_cond_signal(&in->cv_work);
	pthread_mutex_unlock(&in->mu);
	nb = batch_get(in);
	if (nb == NULL)
		return -1;
	in->cur = nb;
	return 0;
}

static void
note_bad(pl_ingest *in, const char *reason)
{
	pthread_mutex_lock(&in->mu);
	in->stats.bad_lines++;
	for (int e = 0; e < PL_INGEST_MAX_ERRORS; e++)
		if (in->stats.errors[e][0] == '\0') {
			snprintf(in->stats.errors[e], sizeof in->stats.errors[e],
			    "line %lld: %s", (long long)in->stats.lines, reason);
			break;
		}
	pthread_mutex_unlock(&in->mu);
}

static int
take_line(pl_ingest *in, const char *line, size_t len)
{
	char err[160];
	pl_record rec;
	struct rec r;

	in->stats.lines++;
	if (pl_proto_parse(&rec, line, len, err, sizeof err) != PL_OK) {
		note_bad(in, err);
		return 0;
	}
	memset(&r, 0, sizeof r);
	switch (rec.type) {
	case PL_REC_NONE:
		return 0;
	case PL_REC_METRIC:
		if (key_slot(in, rec.key, rec.key_len, &r.slot) < 0)
			return -1;
		r.type = R_METRIC;
		r.step = rec.step;
		r.ts = rec.ts_ms ? rec.ts_ms : pl__now_ms();
		r.v = rec.value;
		break;
	case PL_REC_PARAM:
	case PL_REC_TAG:
		r.type = rec.type == PL_REC_PARAM ? R_PARAM : R_TAG;
		if (arena_add(in, rec.key, rec.key_len, &r.koff) < 0 ||
		    arena_add(in, rec.text, rec.text_len, &r.off) < 0)
			return -1;
		r.len = (uint32_t)rec.text_len;
		if (r.type == R_PARAM)
			in->stats.params++;
		else
			in->stats.tags++;
		break;
	case PL_REC_ARTIFACT:
		r.type = R_ARTIFACT;
		if (arena_add(in, rec.text, rec.text_len, &r.off) < 0)
			return -1;
		r.len = (uint32_t)rec.text_len;
		break;
	}
	if (push_rec(in, &r) < 0)
		return -1;
	if (in->cur->n >= BATCH_RECS)
		return hand_off(in);
	return 0;
}

int
pl_ingest_feed(pl_ingest *in, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			/* Keep the partial line; cap it so a stream without
			 * newlines cannot eat memory (it becomes a bad line). */
			if (in->partial.len < 1 << 20 &&
			    buf_add(&in->partial, p, (size_t)(end - p)) < 0)
				return PL_ENOMEM;
			break;
		}
		if (in->partial.len) {
			int rc = 0;

			if (in->partial.len < 1 << 20) {
				if (buf_add(&in->partial, p,
				    (size_t)(nl - p)) < 0)
					return PL_ENOMEM;
				rc = take_line(in, in->partial.p,
				    in->partial.len);
			} else {
				in->stats.lines++;
				note_bad(in, "line longer than 1 MiB");
			}
			buf_clear(&in->partial);
			if (rc < 0)
				return PL_ENOMEM;
		} else if (take_line(in, p, (size_t)(nl - p)) < 0) {
			return PL_ENOMEM;
		}
		p = nl + 1;
	}
	return pl_ingest_tick(in);
}

int
pl_ingest_tick(pl_ingest *in)
{
	int idle;

	if (in->cur->n == 0 || mono_ms() - in->cur_since < FLUSH_MS)
		return in->werr;
	pthread_mutex_lock(&in->mu);
	idle = in->q_head == NULL && !in->busy;
	pthread_mutex_unlock(&in->mu);
	if (idle && hand_off(in) < 0)
		return PL_ENOMEM;
	return in->werr;
}

int
pl_ingest_finish(pl_ingest *in)
{
	int rc = PL_OK;

	if (in->partial.len) {
		if (take_line(in, in->partial.p, in->partial.len) < 0)
			rc = PL_ENOMEM;
		buf_clear(&in->partial);
	}
	if (hand_off(in) < 0)
		rc = PL_ENOMEM;
	pthread_mutex_lock(&in->mu);
	in->stop = 1;
	pthread_cond_signal(&in->cv_work);
	pthread_mutex_unlock(&in->mu);
	if (in->started) {
		pthread_join(in->thr, NULL);
		in->started = 0;
	}
	return in->werr ? in->werr : rc;
}

void
pl_ingest_get_stats(const pl_ingest *in, pl_ingest_stats *out)
{
	pthread_mutex_lock((pthread_mutex_t *)&in->mu);
	*out = in->stats;
	pthread_mutex_unlock((pthread_mutex_t *)&in->mu);
}

const char *
pl_ingest_errmsg(const pl_ingest *in)
{
	return in->werrmsg;
}

void
pl_ingest_free(pl_ingest *in)
{
	struct batch *b, *n;

	if (in == NULL)
		return;
	if (in->started)
		pl_ingest_finish(in);
	batch_free(in->cur);
	for (b = in->q_head; b; b = n) {
		n = b->next;
		batch_free(b);
	}
	for (b = in->free_list; b; b = n) {
		n = b->next;
		batch_free(b);
	}
	for (size_t i = 0; i < in->nslots; i++)
		free(in->knames[i]);
	for (size_t i = 0; i < in->nws; i++)
		pl__chunk_dispose(&in->ws[i].chunk);
	free(in->knames);
	free(in->khash);
	free(in->ws);
	buf_free(&in->partial);
	free(in->store_dir);
	free(in->cwd);
	pthread_mutex_destroy(&in->mu);
	pthread_cond_destroy(&in->cv_work);
	pthread_cond_destroy(&in->cv_space);
	free(in);
}
