/* promql-eval.c - PromQL evaluation: selectors with lookback and staleness, operators, vector matching, aggregations. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "promql-int.h"

/*
 * Semantics of Prometheus 2.42 (promql/engine.go): an instant selector
 * sees the latest sample in [t - 5m, t] unless it is a staleness
 * marker; a range selector sees every sample in [t - d, t] but the
 * markers.  Vector-vector operators match one-to-one on the label set
 * without __name__, or on on(...) / ignoring(...); comparisons filter
 * unless `bool`; arithmetic and `bool` drop __name__.  The input order of
 * series is the reader's (sorted by labels) and is kept through every
 * step, because the order of a float sum changes its last bits.
 */

int
pq__error(struct pq_ev *ev, const char *fmt, ...)
{
	va_list ap;

	if (!ev->failed) {
		ev->failed = 1;
		va_start(ap, fmt);
		vsnprintf(ev->err, ev->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
pq__vec_push(struct pq_ev *ev, pq_vector *v, pq_labels *lb, double x)
{
	if (!lb)
		return pq__error(ev, "out of memory");
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 16;
		pq_elem *ne = realloc(v->e, nc * sizeof *ne);
		if (!ne) {
			pq_labels_unref(lb);
			return pq__error(ev, "out of memory");
		}
		v->e = ne;
		v->cap = nc;
	}
	v->e[v->n].lb = lb;
	v->e[v->n].v = x;
	v->n++;
	return 0;
}

void
pq_vector_dispose(pq_vector *v)
{
	for (size_t i = 0; i < v->n; i++)
		pq_labels_unref(v->e[i].lb);
	free(v->e);
	v->e = NULL;
	v->n = v->cap = 0;
}

static int
cmp_elem(const void *a, const void *b)
{
	const pq_elem *x = a, *y = b;
	return pq_labels_cmp(x->lb, y->lb);
}

void
pq_vector_sort(pq_vector *v)
{
	if (v->n > 1)
		qsort(v->e, v->n, sizeof *v->e, cmp_elem);
}

void
pq_result_dispose(pq_result *r)
{
	pq_vector_dispose(&r->vec);
	r->type = PQ_T_NONE;
}

static void
val_dispose(pq_val *v)
{
	pq_vector_dispose(&v->vec);
}

/* ---- a small hash table from uint64 keys to indices -------------------- */

struct htab {
	uint64_t *k;
	size_t *v;
	unsigned char *used;
	size_t cap;
};

static int
ht_init(struct htab *h, size_t n)
{
	h->cap = 16;
	while (h->cap < 2 * n + 1)
		h->cap *= 2;
	h->k = malloc(h->cap * sizeof *h->k);
	h->v = malloc(h->cap * sizeof *h->v);
	h->used = calloc(h->cap, 1);
	return h->k && h->v && h->used ? 0 : -1;
}

static void
ht_free(struct htab *h)
{
	free(h->k);
	free(h->v);
	free(h->used);
}

/* Slot of key (used or the free slot where it would go). */
static size_t
ht_slot(const struct htab *h, uint64_t key)
{
	size_t i = (size_t)(key ^ (key >> 29)) & (h->cap - 1);
	while (h->used[i] && h->k[i] != key)
		i = (i + 1) & (h->cap - 1);
	return i;
}

/* Finds key; returns 1 and *idx when present. */
static int
ht_get(const struct htab *h, uint64_t key, size_t *idx)
{
	size_t i = ht_slot(h, key);
	if (!h->used[i])
		return 0;
	*idx = h->v[i];
	return 1;
}

/* Inserts (capacity was sized for every insert up front). */
static void
ht_put(struct htab *h, uint64_t key, size_t idx)
{
	size_t i = ht_slot(h, key);
	h->used[i] = 1;
	h->k[i] = key;
	h->v[i] = idx;
}

int
pq__check_dups(struct pq_ev *ev, const pq_vector *v)
{
	struct htab h;
	size_t j;

	if (v->n < 2)
		return 0;
	if (ht_init(&h, v->n) < 0) {
		ht_free(&h);
		return pq__error(ev, "out of memory");
	}
	for (size_t i = 0; i < v->n; i++) {
		if (ht_get(&h, v->e[i].lb->hash, &j) &&
		    pq_labels_equal(v->e[j].lb, v->e[i].lb)) {
			ht_free(&h);
			return pq__error(ev, "vector cannot contain metrics "
			    "with the same labelset");
		}
		ht_put(&h, v->e[i].lb->hash, i);
	}
	ht_free(&h);
	return 0;
}

/* ---- selectors ------------------------------------------------------------ */

struct pq_seldata *
pq__seldata(struct pq_ev *ev, const pq_node *sel)
{
	for (size_t i = 0; i < ev->nsels; i++)
		if (ev->sels[i].node == sel)
			return &ev->sels[i];
	return NULL;
}

/* Index of the first sample with t >= x. */
static size_t
lower_bound(const pq_sample *s, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s[mid].t < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
pq__window(struct pq_ev *ev, const pq_series *s, int64_t mint, int64_t maxt,
    const pq_sample **out)
{
	size_t a = lower_bound(s->s, s->n, mint);
	size_t b = lower_bound(s->s, s->n, maxt + 1);
	size_t k = 0;

	*out = ev->scratch;
	if (b <= a)
		return 0;
	if (b - a > ev->scratch_cap) {
		pq_sample *ns = realloc(ev->scratch, (b - a) * sizeof *ns);
		if (!ns) {
			pq__error(ev, "out of memory");
			return 0;
		}
		ev->scratch = ns;
		ev->scratch_cap = b - a;
		*out = ns;
	}
	for (size_t i = a; i < b; i++)
		if (!pq_is_stale(s->s[i].v))
			ev->scratch[k++] = s->s[i];
	return k;
}

static int
eval_vsel(struct pq_ev *ev, const pq_node *n, pq_val *out)
{
	struct pq_seldata *d = pq__seldata(ev, n);
	int64_t ref = ev->t - n->offset;

	out->type = PQ_T_VECTOR;
	if (!d)
		return pq__error(ev, "internal error: selector not loaded");
	for (size_t i = 0; i < d->n; i++) {
		const pq_series *s = &d->s[i];
		size_t b = lower_bound(s->s, s->n, ref + 1);
		if (b == 0)
			continue;
		const pq_sample *x = &s->s[b - 1];
		if (x->t < ref - PQ_LOOKBACK_MS || pq_is_stale(x->v))
			continue;
		if (pq__vec_push(ev, &out->vec, pq_labels_ref(s->lb), x->v) < 0)
			return -1;
	}
	return 0;
}

/* ---- operators -------------------------------------------------------------- */

/* vectorElemBinop: the value, and whether a comparison keeps it. */
static double
elem_op(enum pq_op op, double l, double r, int *keep)
{
	*keep = 1;
	switch (op) {
	case PQ_ADD: return l + r;
	case PQ_SUB: return l - r;
	case PQ_MUL: return l * r;
	case PQ_DIV: return l / r;
	case PQ_MOD: return fmod(l, r);
	case PQ_POW: return pow(l, r);
	case PQ_EQ: *keep = l == r; return l;
	case PQ_NE: *keep = l != r; return l;
	case PQ_GT: *keep = l > r; return l;
	case PQ_LT: *keep = l < r; return l;
	case PQ_GE: *keep = l >= r; return l;
	case PQ_LE: *keep = l <= r; return l;
	default: *keep = 0; return 0;
	}
}

static int
drops_name(enum pq_op op)
{
	return op <= PQ_POW;
}

static int
vector_scalar(struct pq_ev *ev, const pq_node *n, pq_vector *vec, double s,
    int swap, pq_val *out)
{
	out->type = PQ_T_VECTOR;
	for (size_t i = 0; i < vec->n; i++) {
		double lv = vec->e[i].v, rv = s, val;
		int keep;
		if (swap) {
			lv = s;
			rv = vec->e[i].v;
		}
		val = elem_op(n->op, lv, rv, &keep);
		/* A comparison with the scalar on the left still yields
		 * the vector's value. */
		if (pq__is_comparison(n->op) && swap)
			val = rv;
		if (n->bool_mod)
			val = keep ? 1.0 : 0.0;
		else if (!keep)
			continue;
		pq_labels *lb = drops_name(n->op) || n->bool_mod ?
		    pq_labels_drop_name(vec->e[i].lb) :
		    pq_labels_ref(vec->e[i].lb);
		if (pq__vec_push(ev, &out->vec, lb, val) < 0)
			return -1;
	}
	return 0;
}

static int
set_op(struct pq_ev *ev, const pq_node *n, pq_vector *l, pq_vector *r,
    pq_val *out)
{
	int on = n->matching == 1;
	struct htab h;
	size_t dummy;

	out->type = PQ_T_VECTOR;
	if (n->op == PQ_AND && (l->n == 0 || r->n == 0))
		return 0;
	if (ht_init(&h, l->n + r->n) < 0) {
		ht_free(&h);
		return pq__error(ev, "out of memory");
	}
	if (n->op == PQ_OR) {
		for (size_t i = 0; i < l->n; i++) {
			ht_put(&h, pq_labels_sig(l->e[i].lb, on, n->mlabels,
			    n->nmlabels), i);
			if (pq__vec_push(ev, &out->vec, pq_labels_ref(l->e[i].lb),
			    l->e[i].v) < 0)
				goto fail;
		}
		for (size_t i = 0; i < r->n; i++)
			if (!ht_get(&h, pq_labels_sig(r->e[i].lb, on, n->mlabels,
			    n->nmlabels), &dummy) &&
			    pq__vec_push(ev, &out->vec, pq_labels_ref(r->e[i].lb),
			    r->e[i].v) < 0)
				goto fail;
	} else {
		for (size_t i = 0; i < r->n; i++)
			ht_put(&h, pq_labels_sig(r->e[i].lb, on, n->mlabels,
			    n->nmlabels), i);
		for (size_t i = 0; i < l->n; i++) {
			int found = ht_get(&h, pq_labels_sig(l->e[i].lb, on,
			    n->mlabels, n->nmlabels), &dummy);
			if (found != (n->op == PQ_AND))
				continue;
			if (pq__vec_push(ev, &out->vec, pq_labels_ref(l->e[i].lb),
			    l->e[i].v) < 0)
				goto fail;
		}
	}
	ht_free(&h);
	return 0;
fail:
	ht_free(&h);
	return -1;
}

static int
vector_vector(struct pq_ev *ev, const pq_node *n, pq_vector *l, pq_vector *r,
    pq_val *out)
{
	int on = n->matching == 1;
	struct htab rh, matched;
	size_t j;
	uint64_t *rsig = NULL;

	out->type = PQ_T_VECTOR;
	if (ht_init(&rh, r->n) < 0 || ht_init(&matched, l->n) < 0)
		goto oom;
	/* The right side is the "one" side: its signatures must be unique. */
	for (size_t i = 0; i < r->n; i++) {
		uint64_t sig = pq_labels_sig(r->e[i].lb, on, n->mlabels,
		    n->nmlabels);
		if (ht_get(&rh, sig, &j)) {
			struct buf a = BUF_INIT, b = BUF_INIT, m = BUF_INIT;
			pq_labels *ml = pq_labels_filter(r->e[i].lb, on,
			    n->mlabels, n->nmlabels, !on);
			if (ml)
				pq_labels_str(&m, ml);
			pq_labels_unref(ml);
			pq_labels_str(&a, r->e[i].lb);
			pq_labels_str(&b, r->e[j].lb);
			pq__error(ev, "found duplicate series for the match "
			    "group %s on the right hand-side of the operation: "
			    "[%s, %s];many-to-many matching not allowed: "
			    "matching labels must be unique on one side",
			    buf_str(&m), buf_str(&a), buf_str(&b));
			buf_free(&a);
			buf_free(&b);
			buf_free(&m);
			goto fail;
		}
		ht_put(&rh, sig, i);
	}
	for (size_t i = 0; i < l->n; i++) {
		uint64_t sig = pq_labels_sig(l->e[i].lb, on, n->mlabels,
		    n->nmlabels);
		size_t dummy;
		int keep;
		double val;
		if (!ht_get(&rh, sig, &j))
			continue;
		val = elem_op(n->op, l->e[i].v, r->e[j].v, &keep);
		if (n->bool_mod)
			val = keep ? 1.0 : 0.0;
		else if (!keep)
			continue;
		if (ht_get(&matched, sig, &dummy)) {
			pq__error(ev, "multiple matches for labels: many-to-one "
			    "matching must be explicit (group_left/group_right)");
			goto fail;
		}
		ht_put(&matched, sig, i);
		/* resultMetric: drop the name for arithmetic, then keep the
		 * on() labels or drop the ignoring() ones. */
		pq_labels *lb;
		int dn = drops_name(n->op) || n->bool_mod;
		if (n->matching == 1)
			lb = pq_labels_filter(l->e[i].lb, 1, n->mlabels,
			    n->nmlabels, dn);
		else if (n->matching == 2)
			lb = pq_labels_filter(l->e[i].lb, 0, n->mlabels,
			    n->nmlabels, dn);
		else
			lb = dn ? pq_labels_drop_name(l->e[i].lb) :
			    pq_labels_ref(l->e[i].lb);
		if (pq__vec_push(ev, &out->vec, lb, val) < 0)
			goto fail;
	}
	ht_free(&rh);
	ht_free(&matched);
	free(rsig);
	return 0;
oom:
	pq__error(ev, "out of memory");
fail:
	ht_free(&rh);
	ht_free(&matched);
	free(rsig);
	return -1;
}

static int
eval_binary(struct pq_ev *ev, const pq_node *n, pq_val *out)
{
	pq_val l = { 0 }, r = { 0 };
	int rc = -1;

	if (pq__eval(ev, n->a, &l) < 0 || pq__eval(ev, n->b, &r) < 0)
		goto done;
	if (l.type == PQ_T_SCALAR && r.type == PQ_T_SCALAR) {
		int keep;
		double v = elem_op(n->op, l.scalar, r.scalar, &keep);
		out->type = PQ_T_SCALAR;
		out->scalar = pq__is_comparison(n->op) ? (keep ? 1.0 : 0.0) : v;
		rc = 0;
	} else if (l.type == PQ_T_VECTOR && r.type == PQ_T_VECTOR) {
		rc = pq__is_setop(n->op) ? set_op(ev, n, &l.vec, &r.vec, out) :
		    vector_vector(ev, n, &l.vec, &r.vec, out);
	} else if (l.type == PQ_T_VECTOR)
		rc = vector_scalar(ev, n, &l.vec, r.scalar, 0, out);
	else
		rc = vector_scalar(ev, n, &r.vec, l.scalar, 1, out);
	if (rc == 0 && out->type == PQ_T_VECTOR)
		rc = pq__check_dups(ev, &out->vec);
done:
	val_dispose(&l);
	val_dispose(&r);
	return rc;
}

/* ---- aggregations -------------------------------------------------------- */

struct group {
	pq_labels *lb;
	double value, mean;
	double count;
	double *vals;		/* quantile */
	size_t nvals, cap;
};

static int
eval_agg(struct pq_ev *ev, const pq_node *n, pq_val *out)
{
	pq_val in = { 0 }, param = { 0 };
	struct group *g = NULL;
	size_t ng = 0, gi;
	struct htab h;
	int rc = -1, have_h = 0;
	double q = 0;

	out->type = PQ_T_VECTOR;
	if (n->b) {
		if (pq__eval(ev, n->b, &param) < 0)
			goto done;
		q = param.scalar;
	}
	if (pq__eval(ev, n->a, &in) < 0)
		goto done;
	if (in.vec.n == 0) {
		rc = 0;
		goto done;
	}
	g = calloc(in.vec.n, sizeof *g);
	if (!g || ht_init(&h, in.vec.n) < 0) {
		if (g)
			ht_free(&h);
		pq__error(ev, "out of memory");
		goto done;
	}
	have_h = 1;
	for (size_t i = 0; i < in.vec.n; i++) {
		pq_elem *e = &in.vec.e[i];
		uint64_t key = n->grouping || n->without ?
		    pq_labels_sig(e->lb, !n->without, n->grouping, n->ngrouping) :
		    0;
		double v = e->v;
		if (!ht_get(&h, key, &gi)) {
			gi = ng++;
			ht_put(&h, key, gi);
			struct group *x = &g[gi];
			if (n->without)
				x->lb = pq_labels_filter(e->lb, 0, n->grouping,
				    n->ngrouping, 1);
			else
				x->lb = pq_labels_filter(e->lb, 1, n->grouping,
				    n->ngrouping, 0);
			if (!x->lb) {
				pq__error(ev, "out of memory");
				goto done;
			}
			x->value = x->mean = v;
			x->count = 1;
			if (n->agg == PQ_QUANTILE) {
				x->vals = malloc(4 * sizeof *x->vals);
				if (!x->vals) {
					pq__error(ev, "out of memory");
					goto done;
				}
				x->cap = 4;
				x->vals[x->nvals++] = v;
			}
			continue;
		}
		struct group *x = &g[gi];
		switch (n->agg) {
		case PQ_SUM:
			x->value += v;
			break;
		case PQ_AVG:
			x->count++;
			if (isinf(x->mean)) {
				if (isinf(v) && (x->mean > 0) == (v > 0))
					break;
				if (!isinf(v) && !isnan(v))
					break;
			}
			x->mean += v / x->count - x->mean / x->count;
			break;
		case PQ_MAX:
			if (x->value < v || isnan(x->value))
				x->value = v;
			break;
		case PQ_MIN:
			if (x->value > v || isnan(x->value))
				x->value = v;
			break;
		case PQ_COUNT:
			x->count++;
			break;
		case PQ_QUANTILE:
			if (x->nvals == x->cap) {
				double *nv = realloc(x->vals, 2 * x->cap *
				    sizeof *nv);
				if (!nv) {
					pq__error(ev, "out of memory");
					goto done;
				}
				x->vals = nv;
				x->cap *= 2;
			}
			x->vals[x->nvals++] = v;
			break;
		}
	}
	for (size_t i = 0; i < ng; i++) {
		double v = g[i].value;
		switch (n->agg) {
		case PQ_AVG: v = g[i].mean; break;
		case PQ_COUNT: v = g[i].count; break;
		case PQ_QUANTILE: v = pq__quantile(q, g[i].vals, g[i].nvals);
			break;
		default: break;
		}
		pq_labels *lb = g[i].lb;
		g[i].lb = NULL;
		if (pq__vec_push(ev, &out->vec, lb, v) < 0)
			goto done;
	}
	rc = 0;
done:
	if (have_h)
		ht_free(&h);
	if (g)
		for (size_t i = 0; i < ng; i++) {
			pq_labels_unref(g[i].lb);
			free(g[i].vals);
		}
	free(g);
	val_dispose(&in);
	val_dispose(&param);
	return rc;
}

/* ---- the dispatcher -------------------------------------------------------- */

static int
eval_node(struct pq_ev *ev, const pq_node *n, pq_val *out)
{
	switch (n->kind) {
	case PQ_NUMBER:
		out->type = PQ_T_SCALAR;
		out->scalar = n->num;
		return 0;
	case PQ_PAREN:
		return pq__eval(ev, n->a, out);
	case PQ_VSEL:
		return eval_vsel(ev, n, out);
	case PQ_MSEL:
		return pq__error(ev, "a range vector cannot be evaluated here");
	case PQ_NEG:
		if (pq__eval(ev, n->a, out) < 0)
			return -1;
		if (out->type == PQ_T_SCALAR) {
			out->scalar = -out->scalar;
			return 0;
		}
		for (size_t i = 0; i < out->vec.n; i++) {
			pq_labels *lb = pq_labels_drop_name(out->vec.e[i].lb);
			if (!lb)
				return pq__error(ev, "out of memory");
			pq_labels_unref(out->vec.e[i].lb);
			out->vec.e[i].lb = lb;
			out->vec.e[i].v = -out->vec.e[i].v;
		}
		return pq__check_dups(ev, &out->vec);
	case PQ_BINARY:
		return eval_binary(ev, n, out);
	case PQ_AGG:
		return eval_agg(ev, n, out);
	case PQ_CALL:
		return pq__call(ev, n, out);
	}
	return pq__error(ev, "internal error: unknown node");
}

/* On failure nothing is left in *out. */
int
pq__eval(struct pq_ev *ev, const pq_node *n, pq_val *out)
{
	memset(out, 0, sizeof *out);
	if (eval_node(ev, n, out) == 0)
		return 0;
	val_dispose(out);
	return -1;
}

/* ---- loading the selectors' data, and the two entry points ------------- */

static int
collect(struct pq_ev *ev, const pq_node *n, int64_t start, int64_t end)
{
	if (!n)
		return 0;
	if (n->kind == PQ_VSEL || n->kind == PQ_MSEL) {
		struct pq_seldata *ns = realloc(ev->sels, (ev->nsels + 1) *
		    sizeof *ns);
		if (!ns)
			return pq__error(ev, "out of memory");
		ev->sels = ns;
		struct pq_seldata *d = &ev->sels[ev->nsels++];
		d->node = n;
		d->s = NULL;
		d->n = 0;
		int64_t back = n->kind == PQ_MSEL ? n->range : PQ_LOOKBACK_MS;
		char err[256] = "";
		if (ev->r->select(ev->r->ctx, n->ms, n->nms,
		    start - n->offset - back, end - n->offset, &d->s, &d->n,
		    err, sizeof err) < 0)
			return pq__error(ev, "%s", err[0] ? err :
			    "reading series failed");
		return 0;
	}
	if (collect(ev, n->a, start, end) < 0 || collect(ev, n->b, start, end) < 0)
		return -1;
	for (size_t i = 0; i < n->nargs; i++)
		if (collect(ev, n->args[i], start, end) < 0)
			return -1;
	return 0;
}

static void
ev_dispose(struct pq_ev *ev)
{
	for (size_t i = 0; i < ev->nsels; i++)
		free(ev->sels[i].s);
	free(ev->sels);
	free(ev->scratch);
	if (ev->r->release)
		ev->r->release(ev->r->ctx);
}

int
pq_eval_instant(pq_result *out, const pq_expr *e, const pq_reader *r,
    int64_t t, char *err, size_t errlen)
{
	struct pq_ev ev = { .r = r, .t = t, .err = err, .errlen = errlen };
	pq_val v;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (errlen)
		err[0] = 0;
	if (e->root->type != PQ_T_SCALAR && e->root->type != PQ_T_VECTOR) {
		snprintf(err, errlen, "expression of type %s cannot be "
		    "evaluated as an instant query result (want an instant "
		    "vector or a scalar)", pq_type_name(e->root->type));
		return -1;
	}
	if (collect(&ev, e->root, t, t) == 0 && pq__eval(&ev, e->root, &v) == 0) {
		out->type = v.type;
		out->scalar = v.scalar;
		out->vec = v.vec;
		rc = 0;
	}
	ev_dispose(&ev);
	return rc;
}

void
pq_matrix_dispose(pq_matrix *m)
{
	for (size_t i = 0; i < m->n; i++) {
		pq_labels_unref(m->series[i].lb);
		free(m->series[i].s);
	}
	free(m->series);
	memset(m, 0, sizeof *m);
}

static int
rs_push(pq_rseries *s, int64_t t, double v)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 16;
		pq_sample *ns = realloc(s->s, nc * sizeof *ns);
		if (!ns)
			return -1;
		s->s = ns;
		s->cap = nc;
	}
	s->s[s->n].t = t;
	s->s[s->n].v = v;
	s->n++;
	return 0;
}

static int
cmp_rseries(const void *a, const void *b)
{
	const pq_rseries *x = a, *y = b;
	return pq_labels_cmp(x->lb, y->lb);
}

int
pq_eval_range(pq_matrix *out, const pq_expr *e, const pq_reader *r,
    int64_t start, int64_t end, int64_t step, char *err, size_t errlen)
{
	struct pq_ev ev = { .r = r, .err = err, .errlen = errlen };
	struct htab h = { 0 };
	size_t hcap = 0, idx;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (errlen)
		err[0] = 0;
	if (step <= 0 || end < start) {
		snprintf(err, errlen, "the step must be positive and the end "
		    "not before the start");
		return -1;
	}
	if (e->root->type != PQ_T_SCALAR && e->root->type != PQ_T_VECTOR) {
		snprintf(err, errlen, "expression of type %s cannot be "
		    "evaluated as a range query (want an instant vector or a "
		    "scalar)", pq_type_name(e->root->type));
		return -1;
	}
	if (collect(&ev, e->root, start, end) < 0)
		goto done;
	for (int64_t t = start; t <= end; t += step) {
		pq_val v;
		ev.t = t;
		if (pq__eval(&ev, e->root, &v) < 0)
			goto done;
		if (v.type == PQ_T_SCALAR) {
			if (out->n == 0) {
				out->series = calloc(1, sizeof *out->series);
				if (!out->series || !(out->series[0].lb =
				    pq_labels_new(NULL, 0))) {
					pq__error(&ev, "out of memory");
					goto done;
				}
				out->n = out->cap = 1;
			}
			if (rs_push(&out->series[0], t, v.scalar) < 0) {
				pq__error(&ev, "out of memory");
				goto done;
			}
			continue;
		}
		for (size_t i = 0; i < v.vec.n; i++) {
			pq_elem *x = &v.vec.e[i];
			int found = 0;
			if (hcap) {
				size_t slot = ht_slot(&h, x->lb->hash);
				while (h.used[slot]) {
					if (h.k[slot] == x->lb->hash &&
					    pq_labels_equal(out->series[h.v[slot]].lb,
					    x->lb)) {
						found = 1;
						idx = h.v[slot];
						break;
					}
					slot = (slot + 1) & (h.cap - 1);
				}
			}
			if (!found) {
				if (out->n == out->cap) {
					size_t nc = out->cap ? 2 * out->cap : 16;
					pq_rseries *ns = realloc(out->series,
					    nc * sizeof *ns);
					if (!ns) {
						pq_vector_dispose(&v.vec);
						pq__error(&ev, "out of memory");
						goto done;
					}
					out->series = ns;
					out->cap = nc;
				}
				if (out->n * 2 + 2 > hcap) {
					/* rehash into a bigger table */
					struct htab nh;
					if (ht_init(&nh, out->n * 2 + 16) < 0) {
						ht_free(&nh);
						pq_vector_dispose(&v.vec);
						pq__error(&ev, "out of memory");
						goto done;
					}
					for (size_t k = 0; k < out->n; k++) {
						size_t s = out->series[k].lb->hash &
						    (nh.cap - 1);
						s = (size_t)(out->series[k].lb->hash ^
						    (out->series[k].lb->hash >> 29)) &
						    (nh.cap - 1);
						while (nh.used[s])
							s = (s + 1) & (nh.cap - 1);
						nh.used[s] = 1;
						nh.k[s] = out->series[k].lb->hash;
						nh.v[s] = k;
					}
					if (hcap)
						ht_free(&h);
					h = nh;
					hcap = nh.cap;
				}
				idx = out->n++;
				memset(&out->series[idx], 0, sizeof out->series[idx]);
				out->series[idx].lb = pq_labels_ref(x->lb);
				size_t s = (size_t)(x->lb->hash ^ (x->lb->hash >> 29)) &
				    (h.cap - 1);
				while (h.used[s])
					s = (s + 1) & (h.cap - 1);
				h.used[s] = 1;
				h.k[s] = x->lb->hash;
				h.v[s] = idx;
			}
			if (rs_push(&out->series[idx], t, x->v) < 0) {
				pq_vector_dispose(&v.vec);
				pq__error(&ev, "out of memory");
				goto done;
			}
		}
		pq_vector_dispose(&v.vec);
	}
	if (out->n > 1)
		qsort(out->series, out->n, sizeof *out->series, cmp_rseries);
	rc = 0;
done:
	if (hcap)
		ht_free(&h);
	ev_dispose(&ev);
	if (rc)
		pq_matrix_dispose(out);
	return rc;
}
