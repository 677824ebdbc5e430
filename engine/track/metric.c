/* metric.c - metric points, the per-run summary, and reading series back. */
#include "config.h"
#include "track/metric.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "vec.h"

void
pl__agg_init(struct pl__agg *a, int64_t kid)
{
	a->kid = kid;
	a->last_step = -1;
	a->last_ts = 0;
	a->last = NAN;
	a->min = NAN;
	a->max = NAN;
	a->count = 0;
}

/* "Latest" is MLflow's: the highest step, then the latest timestamp,
 * then the largest value (a comparison with NaN is false, as Python's:
 * NaN neither replaces nor is replaced on a tie). */
void
pl__agg_add(struct pl__agg *a, int64_t step, int64_t ts, double v)
{
	if (a->count == 0 || step > a->last_step ||
	    (step == a->last_step && ts > a->last_ts) ||
	    (step == a->last_step && ts == a->last_ts && v > a->last)) {
		a->last_step = step;
		a->last_ts = ts;
		a->last = v;
	}
	if (!isnan(v)) {
		if (isnan(a->min) || v < a->min)
			a->min = v;
		if (isnan(a->max) || v > a->max)
			a->max = v;
	}
	a->count++;
}

static void
bind_real(sqlite3_stmt *s, int i, double v)
{
	/* SQLite stores NaN as NULL; bind NULL explicitly to say so. */
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

int
pl__summary_upsert(pl_store *st, int64_t rid, const struct pl__agg *a)
{
	/* In an upsert's SET, bare column names are the old row's values
	 * and excluded.* the new aggregate's, so each expression merges. */
	static const char sql[] =
	    "INSERT INTO metric_summary(run_id, key_id, last, last_step, "
	    "last_ts, min, max, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT(run_id, key_id) DO UPDATE SET "
	    /* (pl__agg_add's order; NULL is NaN, its comparisons false) */
	    "last = CASE WHEN excluded.last_step > last_step OR "
	    "  (excluded.last_step = last_step AND excluded.last_ts > last_ts) "
	    "  OR (excluded.last_step = last_step AND excluded.last_ts = last_ts "
	    "  AND excluded.last > last) "
	    "  THEN excluded.last ELSE last END, "
	    "last_ts = CASE WHEN excluded.last_step > last_step OR "
	    "  (excluded.last_step = last_step AND excluded.last_ts >= last_ts) "
	    "  THEN excluded.last_ts ELSE last_ts END, "
	    "last_step = max(last_step, excluded.last_step), "
	    "min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)), "
	    "max = max(coalesce(max, excluded.max), coalesce(excluded.max, max)), "
	    "count = count + excluded.count";
	sqlite3_stmt *s;
	int rc;

	if (a->count == 0)
		return PL_OK;
	if ((s = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, a->kid);
	bind_real(s, 3, a->last);
	sqlite3_bind_int64(s, 4, a->last_step);
	sqlite3_bind_int64(s, 5, a->last_ts);
	bind_real(s, 6, a->min);
	bind_real(s, 7, a->max);
	sqlite3_bind_int64(s, 8, a->count);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "updating a metric summary");
	return PL_OK;
}

/*
 * Chunk format: n points of 24 bytes each, in the order they were
 * logged: step (int64), timestamp in ms (int64), value (IEEE-754
 * double, NaN kept), all little-endian.  A reader orders the points of
 * all chunks of a key by (step, timestamp, write order); a point written
 * twice (same step, timestamp and value) is read once.
 */
#define POINT_BYTES 24

static void
put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void
pl__chunk_init(struct pl__chunk *c, int64_t kid)
{
	memset(c, 0, sizeof *c);
	c->kid = kid;
	pl__agg_init(&c->agg, kid);
}

int
pl__chunk_add(struct pl__chunk *c, int64_t step, int64_t ts, double v)
{
	unsigned char *p;
	uint64_t bits;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 256;

		p = realloc(c->data, ncap * POINT_BYTES);
		if (p == NULL)
			return PL_ENOMEM;
		c->data = p;
		c->cap = ncap;
	}
	p = c->data + c->n * POINT_BYTES;
	memcpy(&bits, &v, sizeof bits);
	put_u64(p, (uint64_t)step);
	put_u64(p + 8, (uint64_t)ts);
	put_u64(p + 16, bits);
	if (c->n == 0 || step < c->min_step)
		c->min_step = step;
	if (c->n == 0 || step > c->max_step)
		c->max_step = step;
	c->n++;
	pl__agg_add(&c->agg, step, ts, v);
	return PL_OK;
}

int
pl__chunk_write(pl_store *st, int64_t rid, struct pl__chunk *c)
{
	/* seq is computed inside the write transaction, so concurrent
	 * writers to one run and key (plumb log beside an ingest) never
	 * collide. */
	static const char sql[] =
	    "INSERT INTO metric_chunks(run_id, key_id, seq, n, min_step, "
	    "max_step, data) VALUES (?1, ?2, (SELECT coalesce(max(seq), -1) + 1 "
	    "FROM metric_chunks WHERE run_id = ?1 AND key_id = ?2), ?3, ?4, ?5, "
	    "?6)";
	sqlite3_stmt *s;
	int rc;

	if (c->n == 0)
		return PL_OK;
	if ((s = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, c->kid);
	sqlite3_bind_int64(s, 3, (int64_t)c->n);
	sqlite3_bind_int64(s, 4, c->min_step);
	sqlite3_bind_int64(s, 5, c->max_step);
	sqlite3_bind_blob(s, 6, c->data, (int)(c->n * POINT_BYTES),
	    SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "writing metric points");
	if ((rc = pl__summary_upsert(st, rid, &c->agg)) != PL_OK)
		return rc;
	c->n = 0;
	pl__agg_init(&c->agg, c->kid);
	return PL_OK;
}

/* A point as three words, for sorting and searching by all of them. */
struct pkey {
	int64_t step, ts;
	uint64_t bits;
};

static int
cmp_pkey(const void *a, const void *b)
{
	const struct pkey *x = a, *y = b;

	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->bits < y->bits ? -1 : x->bits > y->bits;
}

/* ... and its place in the chunk: equal points sort in chunk order, so
 * the first of them is the one kept. */
struct ipkey {
	struct pkey k;
	size_t i;
};

static int
cmp_ipkey(const void *a, const void *b)
{
	const struct ipkey *x = a, *y = b;
	int c = cmp_pkey(&x->k, &y->k);

	return c ? c : (x->i < y->i ? -1 : x->i > y->i);
}

static void
get_pkey(struct pkey *k, const unsigned char *d)
{
	k->step = (int64_t)get_u64(d);
	k->ts = (int64_t)get_u64(d + 8);
	k->bits = get_u64(d + 16);
}

int
pl__chunk_drop_known(pl_store *st, int64_t rid, struct pl__chunk *c)
{
	static const char sql[] =
	    "SELECT data, n FROM metric_chunks WHERE run_id = ?1 AND "
	    "key_id = ?2 AND max_step >= ?3 AND min_step <= ?4";
	struct pkey *have = NULL, *mine = NULL;
	size_t nhave = 0, cap = 0, nmine = c->n;
	unsigned char *old;
	sqlite3_stmt *s;
	int64_t last;
	int rc, dup = 0;

	if (c->n == 0)
		return PL_OK;
	if ((rc = pl__last_step(st, rid, c->kid, &last)) != PL_OK)
		return rc;
	/* the usual append: past the stored steps, (step, time) growing */
	if (last < c->min_step) {
		size_t i;

		for (i = 1; i < c->n; i++) {
			const unsigned char *p = c->data + i * POINT_BYTES;
			int64_t s0 = (int64_t)get_u64(p - POINT_BYTES);
			int64_t s1 = (int64_t)get_u64(p);

			if (s1 < s0 || (s1 == s0 && (int64_t)get_u64(p + 8) <=
			    (int64_t)get_u64(p - POINT_BYTES + 8)))
				break;
		}
		if (i >= c->n)
			return PL_OK;
	}
	/* the chunk's own duplicates (a batch naming one point twice) */
	if ((mine = malloc(nmine * sizeof *mine)) == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	for (size_t i = 0; i < nmine; i++)
		get_pkey(&mine[i], c->data + i * POINT_BYTES);
	if (last >= c->min_step) {
		if ((s = pl__stmt(st, sql)) == NULL) {
			free(mine);
			return PL_ERROR;
		}
		sqlite3_bind_int64(s, 1, rid);
		sqlite3_bind_int64(s, 2, c->kid);
		sqlite3_bind_int64(s, 3, c->min_step);
		sqlite3_bind_int64(s, 4, c->max_step);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const unsigned char *d = sqlite3_column_blob(s, 0);
			size_t m = (size_t)sqlite3_column_int64(s, 1);

			if ((size_t)sqlite3_column_bytes(s, 0) < m * POINT_BYTES)
				m = (size_t)sqlite3_column_bytes(s, 0) /
				    POINT_BYTES;
			if (nhave + m > cap) {
				struct pkey *g;

				cap = (nhave + m) * 2;
				if ((g = realloc(have, cap * sizeof *g)) == NULL) {
					sqlite3_reset(s);
					free(have);
					free(mine);
					return pl__err(st, PL_ENOMEM,
					    "out of memory");
				}
				have = g;
			}
			for (size_t k = 0; k < m; k++)
				get_pkey(&have[nhave++], d + k * POINT_BYTES);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			free(have);
			free(mine);
			return pl__sqlerr(st, rc, "reading a metric's points");
		}
		if (nhave > 1)
			qsort(have, nhave, sizeof *have, cmp_pkey);
	}
	/* Marks what to drop: stored already, or earlier in this chunk. */
	{
		struct ipkey *sorted = NULL;
		unsigned char *drop = calloc(nmine, 1);
		int increasing = 1;

		for (size_t i = 1; i < nmine && increasing; i++)
			if (mine[i].step < mine[i - 1].step ||
			    (mine[i].step == mine[i - 1].step &&
			    mine[i].ts <= mine[i - 1].ts))
				increasing = 0;
		/* repeats within the chunk: impossible when (step, time)
		 * only grows, the usual batch; else a sort finds them */
		if (!increasing && drop &&
		    (sorted = malloc(nmine * sizeof *sorted)) != NULL) {
			for (size_t i = 0; i < nmine; i++) {
				sorted[i].k = mine[i];
				sorted[i].i = i;
			}
			qsort(sorted, nmine, sizeof *sorted, cmp_ipkey);
			for (size_t i = 1; i < nmine; i++)
				if (cmp_pkey(&sorted[i].k, &sorted[i - 1].k) == 0)
					drop[sorted[i].i] = 1;
		}
		if (drop == NULL || (!increasing && sorted == NULL)) {
			free(sorted);
			free(drop);
			free(have);
			free(mine);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
		for (size_t i = 0; i < nmine; i++) {
			if (!drop[i] && nhave && bsearch(&mine[i], have, nhave,
			    sizeof *have, cmp_pkey))
				drop[i] = 1;
			dup += drop[i];
		}
		free(sorted);
		free(have);
		if (dup == 0) {
			free(drop);
			free(mine);
			return PL_OK;
		}
		/* rebuilt from the points kept, aggregate included */
		old = c->data;
		c->data = NULL;
		c->n = c->cap = 0;
		pl__agg_init(&c->agg, c->kid);
		for (size_t i = 0; i < nmine; i++) {
			double v;

			if (drop[i])
				continue;
			memcpy(&v, &mine[i].bits, sizeof v);
			if (pl__chunk_add(c, mine[i].step, mine[i].ts, v) !=
			    PL_OK) {
				free(old);
				free(drop);
				free(mine);
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
		}
		free(old);
		free(drop);
	}
	free(mine);
	return PL_OK;
}

void
pl__chunk_dispose(struct pl__chunk *c)
{
	free(c->data);
	c->data = NULL;
	c->n = c->cap = 0;
}

int
pl__last_step(pl_store *st, int64_t rid, int64_t kid, int64_t *out)
{
	static const char sql[] =
	    "SELECT last_step FROM metric_summary WHERE run_id = ?1 AND "
	    "key_id = ?2";
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	*out = -1;
	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, kid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "reading a metric summary");
	return PL_OK;
}

int
pl_metric_log(pl_store *st, const char *run_id, const char *key,
    double value, int64_t step, int64_t ts_ms)
{
	struct pl__chunk c;
	int64_t rid, kid;
	int rc;

	if (key == NULL || *key == '\0')
		return pl__err(st, PL_EINVAL, "empty metric key");
	if (step < 0 && step != PL_STEP_AUTO)
		return pl__err(st, PL_EINVAL, "a step is an integer >= 0");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__run_rid(st, run_id, &rid)) != PL_OK ||
	    (rc = pl__key_id(st, key, 1, &kid)) != PL_OK)
		goto fail;
	if (step == PL_STEP_AUTO) {
		if ((rc = pl__last_step(st, rid, kid, &step)) != PL_OK)
			goto fail;
		if (step == INT64_MAX) {	/* never a wrapped, negative step */
			rc = pl__err(st, PL_EINVAL, "metric '%s' has no step "
			    "left after 9223372036854775807: give a step",
			    key);
			goto fail;
		}
		step++;
	}
	if (ts_ms == 0)
		ts_ms = pl__now_ms();
	pl__chunk_init(&c, kid);
	if ((rc = pl__chunk_add(&c, step, ts_ms, value)) != PL_OK ||
	    (rc = pl__chunk_write(st, rid, &c)) != PL_OK) {
		pl__chunk_dispose(&c);
		goto fail;
	}
	pl__chunk_dispose(&c);
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

static double
col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN :
	    sqlite3_column_double(s, i);
}

int
pl_metric_summaries(pl_metric_summary **out, size_t *out_n, pl_store *st,
    const char *run_id)
{
	static const char sql[] =
	    "SELECT k.name, m.last, m.last_step, m.last_ts, m.min, m.max, "
	    "m.count FROM metric_summary m JOIN keys k ON k.id = m.key_id "
	    "WHERE m.run_id = (SELECT rid FROM runs WHERE id = ?1) "
	    "ORDER BY k.name";
	pl_metric_summary *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	*out = NULL;
	*out_n = 0;
	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, run_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (vec_grow(&v, &cap, n, sizeof *v, 16) < 0)
			goto oom;
		v[n].key = strdup((const char *)sqlite3_column_text(s, 0));
		if (v[n].key == NULL)
			goto oom;
		v[n].last = col_real(s, 1);
		v[n].last_step = sqlite3_column_int64(s, 2);
		v[n].last_ts = sqlite3_column_int64(s, 3);
		v[n].min = col_real(s, 4);
		v[n].max = col_real(s, 5);
		v[n].count = sqlite3_column_int64(s, 6);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_metric_summary_free(v, n);
		return pl__sqlerr(st, rc, "reading metric summaries");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
oom:
	sqlite3_reset(s);
	pl_metric_summary_free(v, n);
	return pl__err(st, PL_ENOMEM, "out of memory");
}

void
pl_metric_summary_free(pl_metric_summary *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].key);
	free(m);
}

/* Order of points in a series: step, then time, then write order. */
struct seq_point {
	pl_point p;
	size_t order;
};

static int
cmp_point(const void *a, const void *b)
{
	const struct seq_point *x = a, *y = b;

	if (x->p.step != y->p.step)
		return x->p.step < y->p.step ? -1 : 1;
	if (x->p.ts_ms != y->p.ts_ms)
		return x->p.ts_ms < y->p.ts_ms ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Decodes m packed points into out (the chunk format is the in-memory
 * layout of pl_point on little-endian hosts: one copy then). */
static void
decode_points(pl_point *out, const unsigned char *d, size_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (sizeof(pl_point) == POINT_BYTES) {
		memcpy(out, d, m * POINT_BYTES);
		return;
	}
#endif
	for (size_t k = 0; k < m; k++, d += POINT_BYTES) {
		uint64_t bits = get_u64(d + 16);

		out[k].step = (int64_t)get_u64(d);
		out[k].ts_ms = (int64_t)get_u64(d + 8);
		memcpy(&out[k].value, &bits, sizeof bits);
	}
}

int
pl_metric_series(pl_point **out, size_t *out_n, pl_store *st,
    const char *run_id, const char *key)
{
	static const char sql[] =
	    "SELECT data, n FROM metric_chunks "
	    "WHERE run_id = ?1 AND key_id = ?2 ORDER BY seq";
	int64_t rid, kid;
	pl_point *pts = NULL;
	size_t n = 0, cap = 0, k;
	int ordered = 1, rc;
	sqlite3_stmt *s;

	*out = NULL;
	*out_n = 0;
	if ((rc = pl__run_rid(st, run_id, &rid)) != PL_OK)
		return rc;
	if (pl__key_id(st, key, 0, &kid) != PL_OK)
		return pl__err(st, PL_ENOTFOUND, "run %.8s has no metric '%s'",
		    run_id, key);
	if ((s = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, kid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *d = sqlite3_column_blob(s, 0);
		size_t m = (size_t)sqlite3_column_int64(s, 1);

		if ((size_t)sqlite3_column_bytes(s, 0) != m * POINT_BYTES) {
			sqlite3_reset(s);
			free(pts);
			return pl__err(st, PL_ECORRUPT, "a metric chunk of run "
			    "%.8s key '%s' is damaged", run_id, key);
		}
		if (n + m > cap) {
			void *p;

			cap = (n + m) * 2;
			p = realloc(pts, cap * sizeof *pts);
			if (p == NULL) {
				sqlite3_reset(s);
				free(pts);
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
			pts = p;
		}
		decode_points(pts + n, d, m);
		/* Strictly increasing (step, time) in write order is the
		 * common case: no sort and no duplicate to drop. */
		for (k = n ? n : 1; ordered && k < n + m; k++)
			if (pts[k].step < pts[k - 1].step ||
			    (pts[k].step == pts[k - 1].step &&
			    pts[k].ts_ms <= pts[k - 1].ts_ms))
				ordered = 0;
		n += m;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(pts);
		return pl__sqlerr(st, rc, "reading a metric series");
	}
	if (n == 0) {
		free(pts);
		return pl__err(st, PL_ENOTFOUND, "run %.8s has no metric '%s'",
		    run_id, key);
	}
	if (!ordered) {
		/* Sort by (step, time, write order); a point logged again
		 * with the same step, time and value is kept once (what the
		 * summary counts, and MLflow's history); two values at one
		 * step and time are both kept, in write order. */
		struct seq_point *v = malloc(n * sizeof *v);
		size_t m = 0;

		if (v == NULL) {
			free(pts);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
		for (k = 0; k < n; k++) {
			v[k].p = pts[k];
			v[k].order = k;
		}
		qsort(v, n, sizeof *v, cmp_point);
		for (k = 0; k < n; k++) {
			size_t g = m;	/* kept points of this (step, time) */
			int seen = 0;

			while (g > 0 && pts[g - 1].step == v[k].p.step &&
			    pts[g - 1].ts_ms == v[k].p.ts_ms && !seen) {
				g--;
				seen = memcmp(&pts[g].value, &v[k].p.value,
				    sizeof v[k].p.value) == 0;
			}
			if (!seen)
				pts[m++] = v[k].p;
		}
		free(v);
		n = m;
	}
	*out = pts;
	*out_n = n;
	return PL_OK;
}
