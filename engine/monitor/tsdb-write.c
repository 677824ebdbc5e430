/* tsdb-write.c - the batching series writer: head chunks, downsampling, one transaction per flush. */
#include "config.h"
#include "monitor/tsdb-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "monitor/chunk.h"
#include "store/internal.h"

/*
 * Each series the writer has seen keeps, in memory:
 * - its raw head chunk (the encoder of the current 2-hour block),
 * - per aggregate resolution, the bucket being filled and the head
 *   chunk of completed buckets,
 * - its last time (to drop out-of-order samples) and last value (for
 *   the reset-aware increase).
 * A flush rewrites each changed head chunk whole, in place in ts_heads
 * (its row id is fixed per series and resolution), and writes the
 * chunks sealed since the last flush once and for all: their bytes
 * concatenated in one row of ts_packs (dense: a long row fills its
 * overflow pages), where each one is in ts_chunks.  All in one
 * transaction.
 * A series seen for the first time is looked up in the store and, when
 * it exists, its head chunks are decoded and resumed, and its partial
 * buckets rebuilt from the raw samples, so a restarted writer continues
 * exactly where the last one stopped.
 */

static const int64_t agg_res[2] = { PL_TS_RES_5M, PL_TS_RES_1H };

struct aggstate {
	struct pl__ts_bucket cur;
	int cur_done;		/* cur already written (series went quiet) */
	pl__chunkenc enc;
	int64_t block;
	int dirty;
};

struct series {
	char *key;		/* name '\0' canonical labels */
	size_t keylen;
	uint64_t hash;
	int64_t id;		/* 0 until stored */
	int64_t last_t;		/* INT64_MIN: none */
	double prev;		/* last non-NaN value, NAN when none */
	pl__chunkenc raw;
	int64_t raw_block;
	int raw_dirty;
	int in_dirty;		/* listed in w->dirty */
	struct aggstate agg[2];
};

struct sealed {
	size_t sidx;
	int64_t res, block, tmin, tmax;
	uint32_t n;
	unsigned char *data;
	size_t len;
};

struct pl_ts_writer {
	pl_store *st;
	struct series *s;
	size_t n, cap;
	size_t *table;		/* open addressing: index + 1, 0 empty */
	size_t tcap;
	size_t *dirty;
	size_t ndirty, dirtycap;
	struct sealed *sealed;
	size_t nsealed, sealedcap;
	struct buf key, canon;
	int64_t max_t;
	pl_ts_writer_stats stats;
	char err[512];
};

static uint64_t
fnv(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
werr(pl_ts_writer *w, int code, const char *msg)
{
	snprintf(w->err, sizeof w->err, "%s", msg);
	return code;
}

static int
wsql(pl_ts_writer *w, int rc)
{
	snprintf(w->err, sizeof w->err, "%s", pl_store_errmsg(w->st));
	return rc;
}

void
pl__ts_bucket_reset(struct pl__ts_bucket *b, int64_t t)
{
	b->t = t;
	b->count = 0;
	b->min = b->max = b->last = NAN;
	b->sum = 0;
	b->inc = 0;
}

void
pl__ts_bucket_add(struct pl__ts_bucket *b, double v, double prev)
{
	if (b->count == 0 || v < b->min)
		b->min = v;
	if (b->count == 0 || v > b->max)
		b->max = v;
	b->sum += v;
	b->last = v;
	b->count++;
	if (!isnan(prev))
		b->inc += v >= prev ? v - prev : v;
}

int
pl_ts_writer_open(pl_ts_writer **out, pl_store *st)
{
	pl_ts_writer *w;

	*out = NULL;
	if (pl_store_readonly(st))
		return pl__err(st, PL_EINVAL, "the store is open read-only");
	if ((w = calloc(1, sizeof *w)) == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	w->st = st;
	w->max_t = INT64_MIN;
	*out = w;
	return PL_OK;
}

static void
series_init(struct series *s)
{
	memset(s, 0, sizeof *s);
	s->last_t = INT64_MIN;
	s->prev = NAN;
	pl__chunkenc_init(&s->raw, 1);
	s->raw_block = INT64_MIN;
	for (int r = 0; r < 2; r++) {
		pl__chunkenc_init(&s->agg[r].enc, PL_AGG_NCOLS);
		s->agg[r].block = INT64_MIN;
		pl__ts_bucket_reset(&s->agg[r].cur, INT64_MIN);
	}
}

static void
series_dispose(struct series *s)
{
	free(s->key);
	pl__chunkenc_dispose(&s->raw);
	for (int r = 0; r < 2; r++)
		pl__chunkenc_dispose(&s->agg[r].enc);
}

static int
rehash(pl_ts_writer *w)
{
	size_t cap = w->tcap ? w->tcap * 2 : 1024;
	size_t *t = calloc(cap, sizeof *t);

	if (t == NULL)
		return -1;
	for (size_t i = 0; i < w->n; i++) {
		size_t j = w->s[i].hash & (cap - 1);

		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = i + 1;
	}
	free(w->table);
	w->table = t;
	w->tcap = cap;
	return 0;
}

static void
mark_dirty(pl_ts_writer *w, size_t i)
{
	if (w->s[i].in_dirty)
		return;
	if (w->ndirty == w->dirtycap) {
		size_t cap = w->dirtycap ? w->dirtycap * 2 : 256;
		size_t *d = realloc(w->dirty, cap * sizeof *d);

		if (d == NULL)
			return;	/* caught at flush: every series scanned */
		w->dirty = d;
		w->dirtycap = cap;
	}
	w->dirty[w->ndirty++] = i;
	w->s[i].in_dirty = 1;
}

/* Moves a finished head chunk to the sealed list (to be written at the
 * next flush) and starts an empty one.  0 or -1 on OOM. */
static int
seal(pl_ts_writer *w, size_t si, pl__chunkenc *e, int64_t res, int64_t block,
    int64_t tmin, int64_t tmax)
{
	struct sealed *z;

	if (w->nsealed == w->sealedcap) {
		size_t cap = w->sealedcap ? w->sealedcap * 2 : 64;
		struct sealed *p = realloc(w->sealed, cap * sizeof *p);

		if (p == NULL)
			return -1;
		w->sealed = p;
		w->sealedcap = cap;
	}
	z = &w->sealed[w->nsealed++];
	z->sidx = si;
	z->res = res;
	z->block = block;
	z->tmin = tmin;
	z->tmax = tmax;
	z->n = e->n;
	z->len = pl__chunkenc_bytes(e);
	z->data = e->buf;	/* ownership moves */
	e->buf = NULL;
	e->cap = 0;
	pl__chunkenc_init(e, e->ncols);
	return 0;
}

/* Appends a completed bucket to the aggregate head chunk. */
static int
agg_emit(pl_ts_writer *w, size_t si, int r)
{
	struct series *s = &w->s[si];
	struct aggstate *a = &s->agg[r];
	int64_t blk = pl__ts_floor(a->cur.t, pl__ts_block_of(agg_res[r]));
	double v[PL_AGG_NCOLS];

	if (a->cur.count == 0 || a->cur_done)
		return 0;
	/* sealed even when unchanged since resumed: it moves from
	 * ts_heads to ts_chunks */
	if (a->enc.n > 0 && blk != a->block &&
	    seal(w, si, &a->enc, agg_res[r], a->block, a->enc.t_first,
	    a->enc.t_prev) < 0)
		return -1;
	if (a->enc.n > 0 && a->cur.t <= a->enc.t_prev)
		return 0;	/* already stored (resumed writer) */
	a->block = blk;
	v[PL_AGG_MIN] = a->cur.min;
	v[PL_AGG_MAX] = a->cur.max;
	v[PL_AGG_SUM] = a->cur.sum;
	v[PL_AGG_COUNT] = (double)a->cur.count;
	v[PL_AGG_LAST] = a->cur.last;
	v[PL_AGG_INC] = a->cur.inc;
	if (pl__chunkenc_add(&a->enc, a->cur.t, v) < 0)
		return -1;
	a->dirty = 1;
	mark_dirty(w, si);
	return 0;
}

/* Loads the stored state of series s (id known): head chunks, last time
 * and value, partial buckets. */
static int
series_resume(pl_ts_writer *w, struct series *s)
{
	static const char sql[] =
	    "SELECT block, n, t_max, data FROM ts_heads "
	    "WHERE id = ?1 + (?2 << 40)";
	pl_store *st = w->st;
	sqlite3_stmt *q;
	int rc;

	for (int r = -1; r < 2; r++) {
		pl__chunkenc *e = r < 0 ? &s->raw : &s->agg[r].enc;

		if ((q = pl__stmt(st, sql)) == NULL)
			return wsql(w, pl_store_errcode(st));
		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_int64(q, 2, r + 1);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			int64_t blk = sqlite3_column_int64(q, 0);
			uint32_t n = (uint32_t)sqlite3_column_int64(q, 1);
			int64_t tmax = sqlite3_column_int64(q, 2);
			const void *d = sqlite3_column_blob(q, 3);
			int len = sqlite3_column_bytes(q, 3);
			pl__chunkenc tmp;

			if (pl__chunk_resume(&tmp, d, (size_t)len, n) == 0) {
				pl__chunkenc_dispose(e);
				*e = tmp;
				if (r < 0) {
					s->raw_block = blk;
					s->last_t = tmax;
				} else {
					s->agg[r].block = blk;
				}
			}
			/* a damaged chunk is left alone: a new one starts
			 * (and replaces it at the next flush); fsck
			 * reports it */
		} else if (rc != SQLITE_DONE) {
			sqlite3_reset(q);
			return wsql(w, pl__sqlerr(st, rc, "reading a chunk"));
		}
		sqlite3_reset(q);
	}
	if (s->last_t == INT64_MIN)
		return PL_OK;
	/* Rebuild the partial buckets and the last value from the raw
	 * samples since the start of the last hour bucket (one before it
	 * for the increase's previous value). */
	{
		pl_ts_sample *smp = NULL;
		size_t n = 0;
		int64_t from = pl__ts_floor(s->last_t, PL_TS_RES_1H);

		rc = pl_ts_read(&smp, &n, st, s->id, from - PL_TS_RES_1H,
		    s->last_t);
		if (rc != PL_OK)
			return wsql(w, rc);
		for (size_t i = 0; i < n; i++) {
			double v = smp[i].v;

			if (isnan(v))
				continue;
			for (int r = 0; r < 2; r++) {
				struct aggstate *a = &s->agg[r];
				int64_t bt = pl__ts_floor(smp[i].t, agg_res[r]);

				if (bt != pl__ts_floor(s->last_t, agg_res[r]))
					continue;
				if (a->cur.t != bt)
					pl__ts_bucket_reset(&a->cur, bt);
				pl__ts_bucket_add(&a->cur, v, s->prev);
				/* stored already: a quiet series' bucket
				 * flushed by pl_ts_flush */
				a->cur_done = a->enc.n > 0 &&
				    a->enc.t_prev >= bt;
			}
			s->prev = v;
		}
		free(smp);
	}
	return PL_OK;
}

static int
lookup_id(pl_ts_writer *w, const char *name, const char *canon,
    int64_t *out)
{
	static const char sql[] =
	    "SELECT id FROM ts_series WHERE name = ?1 AND labels = ?2";
	sqlite3_stmt *q = pl__stmt(w->st, sql);
	int rc;

	*out = 0;
	if (q == NULL)
		return wsql(w, pl_store_errcode(w->st));
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, canon, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return wsql(w, pl__sqlerr(w->st, rc, "looking up a series"));
	return PL_OK;
}

int
pl_ts_ref(int64_t *out_ref, pl_ts_writer *w, const char *name,
    const pl_label *labels, size_t nlabels)
{
	size_t j, klen;
	uint64_t h;
	int rc;

	*out_ref = 0;
	if ((rc = pl__ts_canon(&w->canon, w->err, sizeof w->err, name, labels,
	    nlabels)) != PL_OK)
		return rc;
	/* key = name '\0' canonical labels */
	buf_clear(&w->key);
	if (buf_add(&w->key, name, strlen(name) + 1) < 0 ||
	    buf_add(&w->key, buf_str(&w->canon), w->canon.len) < 0)
		return werr(w, PL_ENOMEM, "out of memory");
	klen = w->key.len;
	h = fnv(w->key.p, klen);
	if (w->tcap && w->tcap > 0) {
		for (j = h & (w->tcap - 1); w->table[j];
		    j = (j + 1) & (w->tcap - 1)) {
			struct series *s = &w->s[w->table[j] - 1];

			if (s->hash == h && s->keylen == klen &&
			    memcmp(s->key, w->key.p, klen) == 0) {
				*out_ref = (int64_t)w->table[j];
				return PL_OK;
			}
		}
	}
	/* new to this writer */
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct series *p = realloc(w->s, cap * sizeof *p);

		if (p == NULL)
			return werr(w, PL_ENOMEM, "out of memory");
		w->s = p;
		w->cap = cap;
	}
	if ((w->n + 1) * 2 > w->tcap && rehash(w) < 0)
		return werr(w, PL_ENOMEM, "out of memory");
	struct series *s = &w->s[w->n];
	series_init(s);
	if ((s->key = malloc(klen + 1)) == NULL)
		return werr(w, PL_ENOMEM, "out of memory");
	memcpy(s->key, w->key.p, klen);
	s->key[klen] = '\0';
	s->keylen = klen;
	s->hash = h;
	if ((rc = lookup_id(w, s->key, s->key + strlen(s->key) + 1, &s->id))
	    != PL_OK || (s->id && (rc = series_resume(w, s)) != PL_OK)) {
		series_dispose(s);
		return rc;
	}
	for (j = h & (w->tcap - 1); w->table[j]; j = (j + 1) & (w->tcap - 1))
		;
	w->table[j] = w->n + 1;
	w->n++;
	w->stats.series = (int64_t)w->n;
	*out_ref = (int64_t)w->n;
	return PL_OK;
}

int
pl_ts_append_ref(pl_ts_writer *w, int64_t ref, int64_t t, double v)
{
	size_t si;
	struct series *s;
	int64_t blk;

	if (ref < 1 || (size_t)ref > w->n)
		return werr(w, PL_EINVAL, "unknown series reference");
	si = (size_t)ref - 1;
	s = &w->s[si];
	if (s->last_t != INT64_MIN && t <= s->last_t) {
		w->stats.out_of_order++;
		return PL_OK;
	}
	blk = pl__ts_floor(t, PL_TS_BLOCK_RAW);
	/* sealed even when unchanged since resumed: it moves from
	 * ts_heads to ts_chunks */
	if (s->raw.n > 0 && blk != s->raw_block &&
	    seal(w, si, &s->raw, PL_TS_RES_RAW, s->raw_block, s->raw.t_first,
	    s->raw.t_prev) < 0)
		return werr(w, PL_ENOMEM, "out of memory");
	if (s->raw.n == 0)
		s->raw_block = blk;
	if (pl__chunkenc_add(&s->raw, t, &v) < 0)
		return werr(w, PL_ENOMEM, "out of memory");
	s->raw_dirty = 1;
	mark_dirty(w, si);
	if (!isnan(v)) {
		for (int r = 0; r < 2; r++) {
			struct aggstate *a = &s->agg[r];
			int64_t bt = pl__ts_floor(t, agg_res[r]);

			if (a->cur.t != bt) {
				if (a->cur.t != INT64_MIN &&
				    agg_emit(w, si, r) < 0)
					return werr(w, PL_ENOMEM,
					    "out of memory");
				pl__ts_bucket_reset(&a->cur, bt);
				a->cur_done = 0;
			}
			if (!a->cur_done)
				pl__ts_bucket_add(&a->cur, v, s->prev);
		}
		s->prev = v;
	}
	s->last_t = t;
	if (t > w->max_t)
		w->max_t = t;
	w->stats.appended++;
	w->stats.pending++;
	return PL_OK;
}

int
pl_ts_append(pl_ts_writer *w, const char *name, const pl_label *labels,
    size_t nlabels, int64_t t_ms, double v)
{
	int64_t ref;
	int rc = pl_ts_ref(&ref, w, name, labels, nlabels);

	return rc != PL_OK ? rc : pl_ts_append_ref(w, ref, t_ms, v);
}

/* Writes the head chunk of a series and resolution to its row of
 * ts_heads. */
static int
put_head(pl_ts_writer *w, int64_t id, int64_t res, int64_t block,
    uint32_t n, int64_t tmin, int64_t tmax, const void *data, size_t len)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO ts_heads(id, series_id, res, block, n, "
	    "t_min, t_max, data) VALUES (?1 + (?8 << 40), ?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7)";
	sqlite3_stmt *q = pl__stmt(w->st, sql);
	int rc;

	if (q == NULL)
		return pl_store_errcode(w->st);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, res);
	sqlite3_bind_int64(q, 3, block);
	sqlite3_bind_int64(q, 4, n);
	sqlite3_bind_int64(q, 5, tmin);
	sqlite3_bind_int64(q, 6, tmax);
	sqlite3_bind_blob(q, 7, data, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 8, res == PL_TS_RES_RAW ? 0 :
	    res == PL_TS_RES_5M ? 1 : 2);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? PL_OK :
	    pl__sqlerr(w->st, rc, "writing a head chunk");
}

/* Writes the sealed chunks (their series stored) as one pack and their
 * places in ts_chunks. */
static int
put_sealed(pl_ts_writer *w)
{
	static const char pack[] = "INSERT INTO ts_packs(data) VALUES (?1)";
	static const char dir[] =
	    "INSERT OR REPLACE INTO ts_chunks(series_id, res, block, n, "
	    "t_min, t_max, pack, off, len) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9)";
	size_t total = 0, off = 0;
	unsigned char *blob;
	sqlite3_stmt *q;
	int64_t pid;
	int rc;

	for (size_t k = 0; k < w->nsealed; k++)
		total += w->sealed[k].len;
	if (total > (size_t)INT32_MAX / 2)
		return pl__err(w->st, PL_EINVAL, "too many sealed chunks");
	if ((blob = malloc(total ? total : 1)) == NULL)
		return pl__err(w->st, PL_ENOMEM, "out of memory");
	for (size_t k = 0; k < w->nsealed; k++) {
		memcpy(blob + off, w->sealed[k].data, w->sealed[k].len);
		off += w->sealed[k].len;
	}
	if ((q = pl__stmt(w->st, pack)) == NULL) {
		free(blob);
		return pl_store_errcode(w->st);
	}
	sqlite3_bind_blob(q, 1, blob, (int)total, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	free(blob);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(w->st, rc, "writing sealed chunks");
	pid = sqlite3_last_insert_rowid(w->st->db);
	off = 0;
	for (size_t k = 0; k < w->nsealed; k++) {
		struct sealed *z = &w->sealed[k];

		if ((q = pl__stmt(w->st, dir)) == NULL)
			return pl_store_errcode(w->st);
		sqlite3_bind_int64(q, 1, w->s[z->sidx].id);
		sqlite3_bind_int64(q, 2, z->res);
		sqlite3_bind_int64(q, 3, z->block);
		sqlite3_bind_int64(q, 4, z->n);
		sqlite3_bind_int64(q, 5, z->tmin);
		sqlite3_bind_int64(q, 6, z->tmax);
		sqlite3_bind_int64(q, 7, pid);
		sqlite3_bind_int64(q, 8, (int64_t)off);
		sqlite3_bind_int64(q, 9, (int64_t)z->len);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			return pl__sqlerr(w->st, rc, "writing sealed chunks");
		off += z->len;
	}
	return PL_OK;
}

static int
create_series(pl_ts_writer *w, struct series *s, int64_t now)
{
	static const char ins[] =
	    "INSERT OR IGNORE INTO ts_series(name, labels, created_ms) "
	    "VALUES (?1, ?2, ?3)";
	static const char lab[] =
	    "INSERT OR IGNORE INTO ts_labels(name, value, series_id) "
	    "VALUES (?1, ?2, ?3)";
	const char *canon = s->key + strlen(s->key) + 1;
	sqlite3_stmt *q = pl__stmt(w->st, ins);
	pl_label *l = NULL;
	size_t nl = 0;
	int rc;

	if (q == NULL)
		return pl_store_errcode(w->st);
	sqlite3_bind_text(q, 1, s->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, canon, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(w->st, rc, "creating a series");
	if ((rc = lookup_id(w, s->key, canon, &s->id)) != PL_OK)
		return rc;
	if (s->id == 0)
		return pl__err(w->st, PL_EIO, "series vanished while created");
	if ((rc = pl__ts_canon_parse(&l, &nl, canon)) != PL_OK)
		return pl__err(w->st, rc, "damaged label text");
	for (size_t i = 0; i < nl && rc == PL_OK; i++) {
		if ((q = pl__stmt(w->st, lab)) == NULL) {
			rc = pl_store_errcode(w->st);
			break;
		}
		sqlite3_bind_text(q, 1, l[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, l[i].value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, s->id);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		rc = rc == SQLITE_DONE ? PL_OK :
		    pl__sqlerr(w->st, rc, "indexing a series");
	}
	free(l);
	return rc;
}

int
pl_ts_flush(pl_ts_writer *w)
{
	pl_store *st = w->st;
	size_t *created = NULL, ncreated = 0;
	int rc;

	if (w->ndirty == 0 && w->nsealed == 0)
		return PL_OK;
	/* Buckets of series that went quiet: once the writer has seen
	 * samples a full bucket past a bucket's end, store it. */
	for (size_t i = 0; i < w->n; i++) {
		struct series *s = &w->s[i];

		for (int r = 0; r < 2; r++) {
			struct aggstate *a = &s->agg[r];

			if (a->cur.t == INT64_MIN || a->cur_done ||
			    a->cur.count == 0 ||
			    a->cur.t + 2 * agg_res[r] > w->max_t)
				continue;
			if (agg_emit(w, i, r) < 0)
				return werr(w, PL_ENOMEM, "out of memory");
			a->cur_done = 1;
		}
	}
	if ((created = malloc((w->ndirty + w->nsealed + 1) *
	    sizeof *created)) == NULL)
		return werr(w, PL_ENOMEM, "out of memory");
	if ((rc = pl__begin(st)) != PL_OK) {
		free(created);
		return wsql(w, rc);
	}
	int64_t now = pl__now_ms();
	for (size_t k = 0; k < w->ndirty && rc == PL_OK; k++) {
		struct series *s = &w->s[w->dirty[k]];

		if (s->id == 0) {
			rc = create_series(w, s, now);
			created[ncreated++] = w->dirty[k];
		}
	}
	for (size_t k = 0; k < w->nsealed && rc == PL_OK; k++) {
		struct sealed *z = &w->sealed[k];
		struct series *s = &w->s[z->sidx];

		if (s->id == 0) {
			rc = create_series(w, s, now);
			created[ncreated++] = z->sidx;
			if (rc != PL_OK)
				break;
		}
	}
	if (rc == PL_OK && w->nsealed > 0)
		rc = put_sealed(w);
	for (size_t k = 0; k < w->ndirty && rc == PL_OK; k++) {
		struct series *s = &w->s[w->dirty[k]];

		if (s->raw_dirty && s->raw.n > 0)
			rc = put_head(w, s->id, PL_TS_RES_RAW, s->raw_block,
			    s->raw.n, s->raw.t_first, s->raw.t_prev,
			    s->raw.buf, pl__chunkenc_bytes(&s->raw));
		for (int r = 0; r < 2 && rc == PL_OK; r++) {
			struct aggstate *a = &s->agg[r];

			if (a->dirty && a->enc.n > 0)
				rc = put_head(w, s->id, agg_res[r], a->block,
				    a->enc.n, a->enc.t_first, a->enc.t_prev,
				    a->enc.buf, pl__chunkenc_bytes(&a->enc));
		}
	}
	if (rc == PL_OK)
		rc = pl__commit(st);
	if (rc != PL_OK) {
		pl__rollback(st);
		/* ids handed out in the rolled-back transaction are void */
		for (size_t k = 0; k < ncreated; k++)
			w->s[created[k]].id = 0;
		free(created);
		return wsql(w, rc);
	}
	free(created);
	for (size_t k = 0; k < w->ndirty; k++) {
		struct series *s = &w->s[w->dirty[k]];

		s->raw_dirty = 0;
		s->agg[0].dirty = s->agg[1].dirty = 0;
		s->in_dirty = 0;
	}
	w->ndirty = 0;
	for (size_t k = 0; k < w->nsealed; k++)
		free(w->sealed[k].data);
	w->nsealed = 0;
	w->stats.flushes++;
	w->stats.pending = 0;
	return PL_OK;
}

void
pl_ts_writer_stats_get(pl_ts_writer_stats *out, const pl_ts_writer *w)
{
	*out = w->stats;
}

const char *
pl_ts_writer_errmsg(const pl_ts_writer *w)
{
	return w->err;
}

int
pl_ts_writer_close(pl_ts_writer *w)
{
	int rc;

	if (w == NULL)
		return PL_OK;
	rc = pl_ts_flush(w);
	for (size_t i = 0; i < w->n; i++)
		series_dispose(&w->s[i]);
	for (size_t k = 0; k < w->nsealed; k++)
		free(w->sealed[k].data);
	free(w->sealed);
	free(w->s);
	free(w->table);
	free(w->dirty);
	buf_free(&w->key);
	buf_free(&w->canon);
	free(w);
	return rc;
}

int
pl_ts_retention(int64_t *out_deleted, pl_store *st, int64_t now_ms,
    int64_t raw_ms, int64_t down_ms)
{
	static const char *const sqls[2][2] = {
		{ "DELETE FROM ts_chunks WHERE res = 0 AND t_max < ?1",
		  "DELETE FROM ts_heads WHERE res = 0 AND t_max < ?1" },
		{ "DELETE FROM ts_chunks WHERE res > 0 AND t_max < ?1",
		  "DELETE FROM ts_heads WHERE res > 0 AND t_max < ?1" } };
	int64_t total = 0;
	int rc;

	if (out_deleted)
		*out_deleted = 0;
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	for (int k = 0; k < 2; k++) {
		int64_t keep = k == 0 ? raw_ms : down_ms;
		sqlite3_stmt *q;

		if (keep <= 0)
			continue;
		for (int h = 0; h < 2; h++) {
			if ((q = pl__stmt(st, sqls[k][h])) == NULL) {
				pl__rollback(st);
				return pl_store_errcode(st);
			}
			/* a block goes once its last sample is past the
			 * horizon */
			sqlite3_bind_int64(q, 1, now_ms - keep);
			rc = sqlite3_step(q);
			sqlite3_reset(q);
			if (rc != SQLITE_DONE) {
				pl__rollback(st);
				return pl__sqlerr(st, rc, "expiring chunks");
			}
			total += sqlite3_changes(st->db);
		}
	}
	/* the packs no chunk is left in */
	if (total > 0) {
		sqlite3_stmt *q = pl__stmt(st, "DELETE FROM ts_packs WHERE id "
		    "NOT IN (SELECT pack FROM ts_chunks)");

		if (q == NULL) {
			pl__rollback(st);
			return pl_store_errcode(st);
		}
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			pl__rollback(st);
			return pl__sqlerr(st, rc, "expiring chunks");
		}
	}
	if ((rc = pl__commit(st)) != PL_OK) {
		pl__rollback(st);
		return rc;
	}
	if (out_deleted)
		*out_deleted = total;
	return PL_OK;
}
