/* tsdb-read.c - reading the series store: selecting series, raw samples, aggregates at a resolution. */
#include "config.h"
#include "monitor/tsdb-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/chunk.h"
#include "store/internal.h"

/* ---- selecting ---- */

void
pl_ts_set_free(pl_ts_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].labels);
	}
	free(s->v);
	free(s);
}

static int
cmp_series(const void *a, const void *b)
{
	const pl_ts_series *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	for (size_t i = 0; i < x->nlabels && i < y->nlabels; i++) {
		if ((c = strcmp(x->labels[i].name, y->labels[i].name)))
			return c;
		if ((c = strcmp(x->labels[i].value, y->labels[i].value)))
			return c;
	}
	return (x->nlabels > y->nlabels) - (x->nlabels < y->nlabels);
}

int
pl_ts_select(pl_ts_set **out, pl_store *st, const pl_matcher *m, size_t nm)
{
	static const char by_name[] =
	    "SELECT id, name, labels FROM ts_series WHERE name = ?1";
	static const char by_label[] =
	    "SELECT s.id, s.name, s.labels FROM ts_labels l "
	    "JOIN ts_series s ON s.id = l.series_id "
	    "WHERE l.name = ?1 AND l.value = ?2";
	static const char by_both[] =
	    "SELECT s.id, s.name, s.labels FROM ts_labels l "
	    "JOIN ts_series s ON s.id = l.series_id "
	    "WHERE l.name = ?1 AND l.value = ?2 AND s.name = ?3";
	static const char all[] = "SELECT id, name, labels FROM ts_series";
	struct pl__ts_match *cm = NULL;
	pl_ts_set *set;
	sqlite3_stmt *q;
	size_t cap = 0;
	int rc, pick = -1, lpick = -1;
	char err[300];

	*out = NULL;
	pl__clear_err(st);
	if (nm && (cm = calloc(nm, sizeof *cm)) == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	if ((rc = pl__ts_matchers_compile(cm, m, nm, err, sizeof err))
	    != PL_OK) {
		free(cm);
		return pl__err(st, rc, "%s", err);
	}
	if ((set = calloc(1, sizeof *set)) == NULL) {
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto done;
	}
	/* The index serves one equality matcher with a non-empty value
	 * (the metric name preferred); the rest are checked here. */
	for (size_t i = 0; i < nm; i++) {
		if (m[i].op != PL_MATCH_EQ || m[i].value[0] == '\0')
			continue;
		if (pick < 0 || strcmp(m[i].name, "__name__") == 0)
			pick = (int)i;
		if (strcmp(m[i].name, "__name__") != 0 && lpick < 0)
			lpick = (int)i;
	}
	/*
	 * A name and a label equality both: the label's index narrows to
	 * the series carrying that label value and SQL keeps those of the
	 * name, so rate(x{service="s5"}[1m]) over 10,000 series named x
	 * parses the labels of s5's series only, not of all 10,000.
	 */
	if (pick >= 0 && lpick >= 0 && strcmp(m[pick].name, "__name__") == 0) {
		q = pl__stmt(st, by_both);
		if (q) {
			sqlite3_bind_text(q, 1, m[lpick].name, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(q, 2, m[lpick].value, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(q, 3, m[pick].value, -1,
			    SQLITE_STATIC);
		}
	} else if (pick >= 0 && strcmp(m[pick].name, "__name__") == 0) {
		q = pl__stmt(st, by_name);
		if (q)
			sqlite3_bind_text(q, 1, m[pick].value, -1,
			    SQLITE_STATIC);
	} else if (pick >= 0) {
		q = pl__stmt(st, by_label);
		if (q) {
			sqlite3_bind_text(q, 1, m[pick].name, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(q, 2, m[pick].value, -1,
			    SQLITE_STATIC);
		}
	} else {
		q = pl__stmt(st, all);
	}
	if (q == NULL) {
		rc = pl_store_errcode(st);
		goto done;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		pl_ts_series s;
		const char *name = (const char *)sqlite3_column_text(q, 1);
		const char *canon = (const char *)sqlite3_column_text(q, 2);
		int ok = 1;

		memset(&s, 0, sizeof s);
		s.id = sqlite3_column_int64(q, 0);
		if (pl__ts_canon_parse(&s.labels, &s.nlabels,
		    canon ? canon : "") != PL_OK)
			continue;	/* damaged row: fsck's business */
		s.name = (char *)name;
		for (size_t i = 0; i < nm && ok; i++)
			ok = pl__ts_match_value(&cm[i],
			    pl_ts_label(&s, m[i].name));
		if (!ok) {
			free(s.labels);
			continue;
		}
		if (set->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			pl_ts_series *v = realloc(set->v, nc * sizeof *v);

			if (v == NULL) {
				free(s.labels);
				rc = SQLITE_NOMEM;
				break;
			}
			set->v = v;
			cap = nc;
		}
		if ((s.name = strdup(name ? name : "")) == NULL) {
			free(s.labels);
			rc = SQLITE_NOMEM;
			break;
		}
		set->v[set->n++] = s;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "selecting series");
		goto done;
	}
	if (set->n > 1)
		qsort(set->v, set->n, sizeof *set->v, cmp_series);
	*out = set;
	set = NULL;
	rc = PL_OK;
done:
	pl_ts_set_free(set);
	pl__ts_matchers_free(cm, nm);
	free(cm);
	return rc;
}

/* ---- chunks ---- */

struct rchunk {
	uint32_t n;
	size_t len;
	unsigned char *data;
};

struct rchunks {
	struct rchunk *v;
	size_t n, cap;
};

static void
rchunks_free(struct rchunks *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].data);
	free(c->v);
	memset(c, 0, sizeof *c);
}

static int
rchunks_add(struct rchunks *c, uint32_t n, const void *data, size_t len)
{
	struct rchunk *k;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct rchunk *v = realloc(c->v, cap * sizeof *v);

		if (v == NULL)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	k = &c->v[c->n];
	if ((k->data = malloc(len ? len : 1)) == NULL)
		return -1;
	if (data != NULL)
		memcpy(k->data, data, len);
	k->n = n;
	k->len = len;
	c->n++;
	return 0;
}

/*
 * The chunks of series id at resolution res whose block is in [blo,
 * bhi] and whose last time is >= tmin, in time order: the sealed ones
 * (each read from its pack), then the head.  last: only the latest one.
 * The head's statement stays open while the sealed ones are read: one
 * read transaction, so a chunk sealed meanwhile is seen once.  A chunk
 * whose pack is gone or short is skipped (fsck reports it).
 */
static int
load_chunks(struct rchunks *out, pl_store *st, int64_t id, int64_t res,
    int64_t blo, int64_t bhi, int64_t tmin, int last)
{
	static const char head_sql[] =
	    "SELECT n, data FROM ts_heads WHERE id = ?1 + (?2 << 40) "
	    "AND block >= ?3 AND block <= ?4 AND t_max >= ?5";
	static const char sealed_sql[] =
	    "SELECT n, pack, off, len FROM ts_chunks WHERE series_id = ?1 "
	    "AND res = ?2 AND block >= ?3 AND block <= ?4 AND t_max >= ?5 "
	    "ORDER BY block";
	static const char last_sql[] =
	    "SELECT n, pack, off, len FROM ts_chunks WHERE series_id = ?1 "
	    "AND res = ?2 AND block >= ?3 AND block <= ?4 AND t_max >= ?5 "
	    "ORDER BY block DESC LIMIT 1";
	sqlite3_stmt *h, *q;
	sqlite3_blob *b = NULL;
	int64_t bpack = 0;
	int rc, hrc, k = res == PL_TS_RES_RAW ? 0 : res == PL_TS_RES_5M ? 1 : 2;

	memset(out, 0, sizeof *out);
	if ((h = pl__stmt(st, head_sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(h, 1, id);
	sqlite3_bind_int64(h, 2, k);
	sqlite3_bind_int64(h, 3, blo);
	sqlite3_bind_int64(h, 4, bhi);
	sqlite3_bind_int64(h, 5, tmin);
	hrc = sqlite3_step(h);
	if (hrc != SQLITE_ROW && hrc != SQLITE_DONE) {
		sqlite3_reset(h);
		return pl__sqlerr(st, hrc, "reading a head chunk");
	}
	rc = SQLITE_DONE;
	if (!(last && hrc == SQLITE_ROW)) {
		if ((q = pl__stmt(st, last ? last_sql : sealed_sql)) == NULL) {
			sqlite3_reset(h);
			return pl_store_errcode(st);
		}
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, res);
		sqlite3_bind_int64(q, 3, blo);
		sqlite3_bind_int64(q, 4, bhi);
		sqlite3_bind_int64(q, 5, tmin);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			int64_t pack = sqlite3_column_int64(q, 1);
			int64_t off = sqlite3_column_int64(q, 2);
			int64_t len = sqlite3_column_int64(q, 3);
			int orc;

			if (off < 0 || len <= 0 || len > INT32_MAX ||
			    off > INT32_MAX - len)
				continue;
			orc = b == NULL ? sqlite3_blob_open(st->db, "main",
			    "ts_packs", "data", pack, 0, &b) :
			    pack == bpack ? SQLITE_OK :
			    sqlite3_blob_reopen(b, pack);
			if (orc != SQLITE_OK) {
				if (b != NULL && orc != SQLITE_NOMEM) {
					sqlite3_blob_close(b);
					b = NULL;
				}
				if ((orc & 0xff) == SQLITE_NOMEM) {
					rc = SQLITE_NOMEM;
					break;
				}
				continue;	/* pack gone: skipped */
			}
			bpack = pack;
			if (rchunks_add(out, (uint32_t)sqlite3_column_int64(q,
			    0), NULL, (size_t)len) < 0) {
				rc = SQLITE_NOMEM;
				break;
			}
			if (sqlite3_blob_read(b, out->v[out->n - 1].data,
			    (int)len, (int)off) != SQLITE_OK) {
				free(out->v[--out->n].data);
				continue;	/* short pack: skipped */
			}
		}
		sqlite3_reset(q);
		if (b != NULL)
			sqlite3_blob_close(b);
	}
	if ((rc == SQLITE_DONE) && hrc == SQLITE_ROW &&
	    rchunks_add(out, (uint32_t)sqlite3_column_int64(h, 0),
	    sqlite3_column_blob(h, 1), (size_t)sqlite3_column_bytes(h, 1)) < 0)
		rc = SQLITE_NOMEM;
	sqlite3_reset(h);
	if (rc != SQLITE_DONE) {
		rchunks_free(out);
		return pl__sqlerr(st, rc, "reading chunks");
	}
	return PL_OK;
}

/* ---- raw samples ---- */

struct samples {
	pl_ts_sample *v;
	size_t n, cap;
};

static int
push(struct samples *s, int64_t t, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 512;
		pl_ts_sample *p = realloc(s->v, cap * sizeof *p);

		if (p == NULL)
			return -1;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n].t = t;
	s->v[s->n].v = v;
	s->n++;
	return 0;
}

int
pl_ts_read(pl_ts_sample **out, size_t *out_n, pl_store *st, int64_t id,
    int64_t start, int64_t end)
{
	struct samples s = { 0 };
	struct rchunks c;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (end < start)
		return PL_OK;
	if ((rc = load_chunks(&c, st, id, PL_TS_RES_RAW,
	    pl__ts_floor(start, PL_TS_BLOCK_RAW), end, start, 0)) != PL_OK)
		return rc;
	for (size_t k = 0; k < c.n; k++) {
		pl__chunkdec d;
		int64_t t;
		double v;

		if (pl__chunkdec_init(&d, c.v[k].data, c.v[k].len,
		    c.v[k].n) < 0)
			continue;
		while (pl__chunkdec_next(&d, &t, &v) == 1) {
			if (t < start)
				continue;
			if (t > end)
				break;
			if (push(&s, t, v) < 0) {
				rchunks_free(&c);
				free(s.v);
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
		}
	}
	rchunks_free(&c);
	*out = s.v;
	*out_n = s.n;
	return PL_OK;
}

int
pl_ts_last(pl_ts_sample *out, pl_store *st, int64_t id)
{
	struct rchunks c;
	int rc, found = 0;

	memset(out, 0, sizeof *out);
	if ((rc = load_chunks(&c, st, id, PL_TS_RES_RAW, INT64_MIN, INT64_MAX,
	    INT64_MIN, 1)) != PL_OK)
		return rc;
	if (c.n > 0) {
		pl__chunkdec d;
		int64_t t;
		double v;

		if (pl__chunkdec_init(&d, c.v[c.n - 1].data, c.v[c.n - 1].len,
		    c.v[c.n - 1].n) == 0)
			while (pl__chunkdec_next(&d, &t, &v) == 1) {
				out->t = t;
				out->v = v;
				found = 1;
			}
	}
	rchunks_free(&c);
	return found ? PL_OK : PL_ENOTFOUND;
}

/* ---- aggregates ---- */

struct aggs {
	pl_ts_agg *v;
	size_t n, cap;
};

/* Folds a res-sized point into the step-sized output (points arrive in
 * time order). */
static int
fold(struct aggs *a, int64_t step, const pl_ts_agg *p)
{
	int64_t bt = pl__ts_floor(p->t, step);
	pl_ts_agg *o;

	if (p->count == 0)
		return 0;
	if (a->n == 0 || a->v[a->n - 1].t != bt) {
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 256;
			pl_ts_agg *v = realloc(a->v, cap * sizeof *v);

			if (v == NULL)
				return -1;
			a->v = v;
			a->cap = cap;
		}
		o = &a->v[a->n++];
		*o = *p;
		o->t = bt;
		return 0;
	}
	o = &a->v[a->n - 1];
	if (p->min < o->min)
		o->min = p->min;
	if (p->max > o->max)
		o->max = p->max;
	o->sum += p->sum;
	o->count += p->count;
	o->last = p->last;
	o->inc += p->inc;
	return 0;
}

/* Buckets raw samples of [from, end] at width res into a, prev being
 * the value before them (NAN: unknown); samples before keep_from only
 * feed prev. */
static int
fold_raw(struct aggs *a, pl_store *st, int64_t id, int64_t from,
    int64_t keep_from, int64_t end, int64_t res, int64_t step, double prev)
{
	pl_ts_sample *s = NULL;
	size_t n = 0;
	struct pl__ts_bucket b;
	int rc;

	if ((rc = pl_ts_read(&s, &n, st, id, from, end)) != PL_OK)
		return rc;
	pl__ts_bucket_reset(&b, INT64_MIN);
	for (size_t i = 0; i < n; i++) {
		int64_t bt = pl__ts_floor(s[i].t, res);

		if (isnan(s[i].v))
			continue;
		if (s[i].t < keep_from) {
			prev = s[i].v;
			continue;
		}
		if (b.t != bt) {
			if (b.t != INT64_MIN) {
				pl_ts_agg p = { b.t, b.count, b.min, b.max,
				    b.sum, b.last, b.inc };
				if (fold(a, step, &p) < 0)
					goto oom;
			}
			pl__ts_bucket_reset(&b, bt);
		}
		pl__ts_bucket_add(&b, s[i].v, prev);
		prev = s[i].v;
	}
	if (b.t != INT64_MIN && b.count > 0) {
		pl_ts_agg p = { b.t, b.count, b.min, b.max, b.sum, b.last,
		    b.inc };
		if (fold(a, step, &p) < 0)
			goto oom;
	}
	free(s);
	return PL_OK;
oom:
	free(s);
	return pl__err(st, PL_ENOMEM, "out of memory");
}

int
pl_ts_read_agg(pl_ts_agg **out, size_t *out_n, int64_t *out_res,
    pl_store *st, int64_t id, int64_t start, int64_t end, int64_t step)
{
	struct aggs a = { 0 };
	int64_t res, from, tail;
	double prev = NAN;
	int rc = PL_OK;

	*out = NULL;
	*out_n = 0;
	if (out_res)
		*out_res = 0;
	if (step <= 0)
		return pl__err(st, PL_EINVAL, "step must be positive");
	if (end < start)
		return PL_OK;
	res = step % PL_TS_RES_1H == 0 ? PL_TS_RES_1H :
	    step % PL_TS_RES_5M == 0 ? PL_TS_RES_5M : PL_TS_RES_RAW;
	from = pl__ts_floor(start, step);
	tail = from;
	if (res != PL_TS_RES_RAW) {
		struct rchunks c;

		if ((rc = load_chunks(&c, st, id, res, pl__ts_floor(from,
		    pl__ts_block_of(res)), end, from, 0)) != PL_OK)
			return rc;
		for (size_t k = 0; k < c.n; k++) {
			pl__chunkdec d;
			int64_t t;
			double v[PL_AGG_NCOLS];

			if (pl__chunkdec_init(&d, c.v[k].data, c.v[k].len,
			    c.v[k].n) < 0 || d.ncols != PL_AGG_NCOLS)
				continue;
			while (pl__chunkdec_next(&d, &t, v) == 1) {
				pl_ts_agg p = { t, (int64_t)v[PL_AGG_COUNT],
				    v[PL_AGG_MIN], v[PL_AGG_MAX],
				    v[PL_AGG_SUM], v[PL_AGG_LAST],
				    v[PL_AGG_INC] };

				if (t < from || t > end)
					continue;
				if (fold(&a, step, &p) < 0) {
					rchunks_free(&c);
					free(a.v);
					return pl__err(st, PL_ENOMEM,
					    "out of memory");
				}
				tail = t + res;
				prev = p.last;
			}
		}
		rchunks_free(&c);
		if (out_res)
			*out_res = res;
	}
	/* What the aggregates do not cover yet comes from raw samples
	 * (one bucket earlier read only for the increase's first
	 * previous value when no aggregate gave it). */
	if (tail <= end) {
		int64_t w = res ? res : step;

		rc = fold_raw(&a, st, id, isnan(prev) ? tail - w : tail, tail,
		    end, w, step, prev);
		if (rc != PL_OK) {
			free(a.v);
			return rc;
		}
	}
	*out = a.v;
	*out_n = a.n;
	return PL_OK;
}

int
pl_ts_usage_get(pl_ts_usage *out, pl_store *st)
{
	static const char sql[] =
	    "SELECT (SELECT count(*) FROM ts_series), count(*), "
	    "coalesce(sum(data), 0), "
	    "coalesce(sum(CASE WHEN res = 0 THEN n END), 0) FROM "
	    "(SELECT res, n, len AS data FROM ts_chunks UNION ALL "
	    "SELECT res, n, length(data) FROM ts_heads)";
	sqlite3_stmt *q = pl__stmt(st, sql);
	int rc;

	memset(out, 0, sizeof *out);
	if (q == NULL)
		return pl_store_errcode(st);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		out->series = sqlite3_column_int64(q, 0);
		out->chunks = sqlite3_column_int64(q, 1);
		out->bytes = sqlite3_column_int64(q, 2);
		out->samples = sqlite3_column_int64(q, 3);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? PL_OK : pl__sqlerr(st, rc, "usage");
}
