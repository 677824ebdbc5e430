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
	static const char sql[] =
	    "SELECT n, data FROM ts_chunks WHERE series_id = ?1 AND res = 0 "
	    "AND block >= ?2 AND block <= ?3 AND t_max >= ?4 ORDER BY block";
	struct samples s = { 0 };
	sqlite3_stmt *q;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (end < start)
		return PL_OK;
	if ((q = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, pl__ts_floor(start, PL_TS_BLOCK_RAW));
	sqlite3_bind_int64(q, 3, end);
	sqlite3_bind_int64(q, 4, start);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		pl__chunkdec d;
		int64_t t;
		double v;
		int r;

		if (pl__chunkdec_init(&d, sqlite3_column_blob(q, 1),
		    (size_t)sqlite3_column_bytes(q, 1),
		    (uint32_t)sqlite3_column_int64(q, 0)) < 0)
			continue;
		while ((r = pl__chunkdec_next(&d, &t, &v)) == 1) {
			if (t < start)
				continue;
			if (t > end)
				break;
			if (push(&s, t, v) < 0) {
				rc = SQLITE_NOMEM;
				goto out;
			}
		}
	}
out:
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		free(s.v);
		return pl__sqlerr(st, rc, "reading samples");
	}
	*out = s.v;
	*out_n = s.n;
	return PL_OK;
}

int
pl_ts_last(pl_ts_sample *out, pl_store *st, int64_t id)
{
	static const char sql[] =
	    "SELECT n, data FROM ts_chunks WHERE series_id = ?1 AND res = 0 "
	    "ORDER BY block DESC LIMIT 1";
	sqlite3_stmt *q;
	int rc, found = 0;

	memset(out, 0, sizeof *out);
	if ((q = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		pl__chunkdec d;
		int64_t t;
		double v;

		if (pl__chunkdec_init(&d, sqlite3_column_blob(q, 1),
		    (size_t)sqlite3_column_bytes(q, 1),
		    (uint32_t)sqlite3_column_int64(q, 0)) == 0)
			while (pl__chunkdec_next(&d, &t, &v) == 1) {
				out->t = t;
				out->v = v;
				found = 1;
			}
		rc = SQLITE_DONE;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "reading the last sample");
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
	static const char sql[] =
	    "SELECT n, data FROM ts_chunks WHERE series_id = ?1 AND res = ?2 "
	    "AND block >= ?3 AND block <= ?4 AND t_max >= ?5 ORDER BY block";
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
		sqlite3_stmt *q = pl__stmt(st, sql);

		if (q == NULL)
			return pl_store_errcode(st);
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, res);
		sqlite3_bind_int64(q, 3, pl__ts_floor(from,
		    pl__ts_block_of(res)));
		sqlite3_bind_int64(q, 4, end);
		sqlite3_bind_int64(q, 5, from);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			pl__chunkdec d;
			int64_t t;
			double v[PL_AGG_NCOLS];
			int r;

			if (pl__chunkdec_init(&d, sqlite3_column_blob(q, 1),
			    (size_t)sqlite3_column_bytes(q, 1),
			    (uint32_t)sqlite3_column_int64(q, 0)) < 0 ||
			    d.ncols != PL_AGG_NCOLS)
				continue;
			while ((r = pl__chunkdec_next(&d, &t, v)) == 1) {
				pl_ts_agg p = { t, (int64_t)v[PL_AGG_COUNT],
				    v[PL_AGG_MIN], v[PL_AGG_MAX],
				    v[PL_AGG_SUM], v[PL_AGG_LAST],
				    v[PL_AGG_INC] };

				if (t < from || t > end)
					continue;
				if (fold(&a, step, &p) < 0) {
					rc = SQLITE_NOMEM;
					break;
				}
				tail = t + res;
				prev = p.last;
			}
			if (rc == SQLITE_NOMEM)
				break;
		}
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			free(a.v);
			return pl__sqlerr(st, rc, "reading aggregates");
		}
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
	    "coalesce(sum(length(data)), 0), "
	    "coalesce(sum(CASE WHEN res = 0 THEN n END), 0) FROM ts_chunks";
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
