/* promql-func.c - PromQL functions: rate/increase/delta extrapolation, irate, *_over_time, histogram_quantile, absent, clamp. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "promql-int.h"

/*
 * Each function is Prometheus 2.42's promql/functions.go and
 * promql/quantile.go transcribed; the order of floating-point
 * operations is kept, because rule unit tests compare values with ==.
 */

static const struct pq_func funcs[] = {
	{ "rate", F_RATE, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "irate", F_IRATE, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "increase", F_INCREASE, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "delta", F_DELTA, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "avg_over_time", F_AVG_OT, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "min_over_time", F_MIN_OT, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "max_over_time", F_MAX_OT, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "sum_over_time", F_SUM_OT, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "count_over_time", F_COUNT_OT, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "quantile_over_time", F_QUANTILE_OT, PQ_T_VECTOR, 2, 2,
	    { PQ_T_SCALAR, PQ_T_MATRIX } },
	{ "last_over_time", F_LAST_OT, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "absent", F_ABSENT, PQ_T_VECTOR, 1, 1, { PQ_T_VECTOR } },
	{ "absent_over_time", F_ABSENT_OT, PQ_T_VECTOR, 1, 1, { PQ_T_MATRIX } },
	{ "histogram_quantile", F_HISTOGRAM_QUANTILE, PQ_T_VECTOR, 2, 2,
	    { PQ_T_SCALAR, PQ_T_VECTOR } },
	{ "abs", F_ABS, PQ_T_VECTOR, 1, 1, { PQ_T_VECTOR } },
	{ "clamp_min", F_CLAMP_MIN, PQ_T_VECTOR, 2, 2,
	    { PQ_T_VECTOR, PQ_T_SCALAR } },
	{ "clamp_max", F_CLAMP_MAX, PQ_T_VECTOR, 2, 2,
	    { PQ_T_VECTOR, PQ_T_SCALAR } },
	{ "time", F_TIME, PQ_T_SCALAR, 0, 0, { 0 } },
	{ "vector", F_VECTOR, PQ_T_VECTOR, 1, 1, { PQ_T_SCALAR } },
	{ "scalar", F_SCALAR, PQ_T_SCALAR, 1, 1, { PQ_T_VECTOR } },
};

const struct pq_func *
pq__func_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
		if (strlen(funcs[i].name) == len &&
		    strncmp(funcs[i].name, name, len) == 0)
			return &funcs[i];
	return NULL;
}

double
pq__go_max(double a, double b)
{
	if (isinf(a) && a > 0)
		return a;
	if (isinf(b) && b > 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && b == 0)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

double
pq__go_min(double a, double b)
{
	if (isinf(a) && a < 0)
		return a;
	if (isinf(b) && b < 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && b == 0)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

/* vectorByValueHeap order: NaN first, then ascending. */
static int
cmp_val(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	if (isnan(x))
		return isnan(y) ? 0 : -1;
	if (isnan(y))
		return 1;
	return (x > y) - (x < y);
}

double
pq__quantile(double q, double *v, size_t n)
{
	if (n == 0 || isnan(q))
		return NAN;
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	qsort(v, n, sizeof *v, cmp_val);
	double fn = (double)n, rank = q * (fn - 1);
	double lower = fmax(0, floor(rank));
	double upper = fmin(fn - 1, lower + 1);
	double weight = rank - floor(rank);
	return v[(size_t)lower] * (1 - weight) + v[(size_t)upper] * weight;
}

/* kahanSumInc with Neumaier's improvement. */
static double
kahan_inc(double inc, double sum, double *c)
{
	double t = sum + inc;
	if (fabs(sum) >= fabs(inc))
		*c += (sum - t) + inc;
	else
		*c += (inc - t) + sum;
	return t;
}

/* extrapolatedRate for rate, increase (counters) and delta. */
static int
extrapolated(const pq_sample *s, size_t n, int64_t t, int64_t range,
    int64_t offset, int counter, int is_rate, double *out)
{
	int64_t rstart = t - (range + offset), rend = t - offset;
	double result, prev;

	if (n < 2)
		return 0;
	result = s[n - 1].v - s[0].v;
	prev = s[0].v;
	if (counter)
		for (size_t i = 1; i < n; i++) {
			if (s[i].v < prev)
				result += prev;
			prev = s[i].v;
		}
	double to_start = (double)(s[0].t - rstart) / 1000;
	double to_end = (double)(rend - s[n - 1].t) / 1000;
	double sampled = (double)(s[n - 1].t - s[0].t) / 1000;
	double avg = sampled / (double)(n - 1);
	if (counter && result > 0 && s[0].v >= 0) {
		double to_zero = sampled * (s[0].v / result);
		if (to_zero < to_start)
			to_start = to_zero;
	}
	double threshold = avg * 1.1, ext = sampled;
	ext += to_start < threshold ? to_start : avg / 2;
	ext += to_end < threshold ? to_end : avg / 2;
	double factor = ext / sampled;
	if (is_rate)
		factor /= (double)range / 1000;
	*out = result * factor;
	return 1;
}

/* The matrix selector under an argument (through parentheses). */
static const pq_node *
msel_of(const pq_node *n)
{
	while (n->kind == PQ_PAREN)
		n = n->a;
	return n->kind == PQ_MSEL ? n : NULL;
}

/*
 * absent(): createLabelsForAbsentFunction - the first `=` matcher of a
 * name gives the label, unless any other matcher names it too.
 */
static pq_labels *
absent_labels(const pq_node *arg)
{
	while (arg->kind == PQ_PAREN)
		arg = arg->a;
	if (arg->kind != PQ_VSEL && arg->kind != PQ_MSEL)
		return pq_labels_new(NULL, 0);
	pq_label l[arg->nms + 1];
	const char *empty[arg->nms + 1];
	size_t k = 0, ne = 0;
	for (size_t i = 0; i < arg->nms; i++) {
		const pq_matcher *m = &arg->ms[i];
		int has = 0;
		if (strcmp(m->name, "__name__") == 0)
			continue;
		for (size_t j = 0; j < k; j++)
			if (strcmp(l[j].name, m->name) == 0)
				has = 1;
		if (m->type == PQ_MEQ && !has) {
			if (m->value[0])
				l[k++] = (pq_label){ m->name, m->value };
		} else
			empty[ne++] = m->name;
	}
	size_t w = 0;
	for (size_t j = 0; j < k; j++) {
		int drop = 0;
		for (size_t e = 0; e < ne; e++)
			if (strcmp(empty[e], l[j].name) == 0)
				drop = 1;
		if (!drop)
			l[w++] = l[j];
	}
	return pq_labels_new(l, w);
}

static int
range_func(struct pq_ev *ev, const pq_node *n, const pq_node *ms, double param,
    pq_val *out)
{
	struct pq_seldata *d = pq__seldata(ev, ms);
	int64_t maxt = ev->t - ms->offset, mint = maxt - ms->range;
	enum pq_fid id = n->fn->id;
	size_t nonempty = 0;

	if (!d)
		return pq__error(ev, "internal error: selector not loaded");
	for (size_t i = 0; i < d->n; i++) {
		const pq_sample *s;
		size_t k = pq__window(ev, &d->s[i], mint, maxt, &s);
		double v = 0;
		if (ev->failed)
			return -1;
		if (k == 0)
			continue;
		nonempty++;
		if (id == F_ABSENT_OT)
			continue;
		switch (id) {
		case F_RATE:
			if (!extrapolated(s, k, ev->t, ms->range, ms->offset, 1,
			    1, &v))
				continue;
			break;
		case F_INCREASE:
			if (!extrapolated(s, k, ev->t, ms->range, ms->offset, 1,
			    0, &v))
				continue;
			break;
		case F_DELTA:
			if (!extrapolated(s, k, ev->t, ms->range, ms->offset, 0,
			    0, &v))
				continue;
			break;
		case F_IRATE: {
			if (k < 2)
				continue;
			const pq_sample *last = &s[k - 1], *prev = &s[k - 2];
			v = last->v < prev->v ? last->v : last->v - prev->v;
			int64_t gap = last->t - prev->t;
			if (gap == 0)
				continue;
			v /= (double)gap / 1000;
			break;
		}
		case F_AVG_OT: {
			double mean = 0, count = 0, c = 0;
			for (size_t j = 0; j < k; j++) {
				count++;
				if (isinf(mean)) {
					if (isinf(s[j].v) &&
					    (mean > 0) == (s[j].v > 0))
						continue;
					if (!isinf(s[j].v) && !isnan(s[j].v))
						continue;
				}
				mean = kahan_inc(s[j].v / count - mean / count,
				    mean, &c);
			}
			v = isinf(mean) ? mean : mean + c;
			break;
		}
		case F_SUM_OT: {
			double sum = 0, c = 0;
			for (size_t j = 0; j < k; j++)
				sum = kahan_inc(s[j].v, sum, &c);
			v = isinf(sum) ? sum : sum + c;
			break;
		}
		case F_MIN_OT:
			v = s[0].v;
			for (size_t j = 0; j < k; j++)
				if (s[j].v < v || isnan(v))
					v = s[j].v;
			break;
		case F_MAX_OT:
			v = s[0].v;
			for (size_t j = 0; j < k; j++)
				if (s[j].v > v || isnan(v))
					v = s[j].v;
			break;
		case F_COUNT_OT:
			v = (double)k;
			break;
		case F_LAST_OT:
			v = s[k - 1].v;
			break;
		case F_QUANTILE_OT: {
			double *vals = malloc(k * sizeof *vals);
			if (!vals)
				return pq__error(ev, "out of memory");
			for (size_t j = 0; j < k; j++)
				vals[j] = s[j].v;
			v = pq__quantile(param, vals, k);
			free(vals);
			break;
		}
		default:
			return pq__error(ev, "internal error: function");
		}
		pq_labels *lb = id == F_LAST_OT ? pq_labels_ref(d->s[i].lb) :
		    pq_labels_drop_name(d->s[i].lb);
		if (pq__vec_push(ev, &out->vec, lb, v) < 0)
			return -1;
	}
	if (id == F_ABSENT_OT) {
		if (nonempty == 0)
			return pq__vec_push(ev, &out->vec, absent_labels(ms), 1);
		return 0;
	}
	return pq__check_dups(ev, &out->vec);
}

/* ---- histogram_quantile ---------------------------------------------------- */

struct bucket {
	double le, count;
};

struct hgroup {
	pq_labels *key;		/* labels without le (the grouping key) */
	pq_labels *out;		/* without le and __name__ */
	struct bucket *b;
	size_t n, cap;
};

static int
cmp_bucket(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;
	return (x->le > y->le) - (x->le < y->le);
}

static double
bucket_quantile(double q, struct bucket *b, size_t n)
{
	if (isnan(q))
		return NAN;
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	qsort(b, n, sizeof *b, cmp_bucket);
	if (!(isinf(b[n - 1].le) && b[n - 1].le > 0))
		return NAN;
	/* coalesceBuckets: equal bounds are summed. */
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w > 0 && b[w - 1].le == b[i].le)
			b[w - 1].count += b[i].count;
		else
			b[w++] = b[i];
	}
	n = w;
	/* ensureMonotonic */
	double max = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (b[i].count > max)
			max = b[i].count;
		else if (b[i].count < max)
			b[i].count = max;
	}
	if (n < 2)
		return NAN;
	double obs = b[n - 1].count;
	if (obs == 0)
		return NAN;
	double rank = q * obs;
	/* sort.Search over n-1 buckets for count >= rank */
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (b[mid].count >= rank)
			hi = mid;
		else
			lo = mid + 1;
	}
	size_t k = lo;
	if (k == n - 1)
		return b[n - 2].le;
	if (k == 0 && b[0].le <= 0)
		return b[0].le;
	double start = 0, end = b[k].le, count = b[k].count;
	if (k > 0) {
		start = b[k - 1].le;
		count -= b[k - 1].count;
		rank -= b[k - 1].count;
	}
	return start + (end - start) * (rank / count);
}

/* strconv.ParseFloat of a bucket bound; 0 when it parses. */
static int
parse_le(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	*out = strtod(s, &end);
	return *end ? -1 : 0;
}

static int
histogram_quantile(struct pq_ev *ev, double q, pq_vector *in, pq_val *out)
{
	struct hgroup *g = NULL;
	size_t ng = 0;
	int rc = -1;
	char *le_name[] = { "le" };

	for (size_t i = 0; i < in->n; i++) {
		double le;
		if (parse_le(pq_labels_get(in->e[i].lb, "le"), &le) < 0)
			continue;
		pq_labels *key = pq_labels_filter(in->e[i].lb, 0, le_name, 1, 0);
		if (!key) {
			pq__error(ev, "out of memory");
			goto done;
		}
		size_t j;
		for (j = 0; j < ng; j++)
			if (pq_labels_equal(g[j].key, key))
				break;
		if (j == ng) {
			struct hgroup *ngp = realloc(g, (ng + 1) * sizeof *g);
			if (!ngp) {
				pq_labels_unref(key);
				pq__error(ev, "out of memory");
				goto done;
			}
			g = ngp;
			memset(&g[ng], 0, sizeof g[ng]);
			g[ng].key = pq_labels_ref(key);
			g[ng].out = pq_labels_drop_name(key);
			ng++;
		}
		pq_labels_unref(key);
		if (g[j].n == g[j].cap) {
			size_t nc = g[j].cap ? 2 * g[j].cap : 16;
			struct bucket *nb = realloc(g[j].b, nc * sizeof *nb);
			if (!nb) {
				pq__error(ev, "out of memory");
				goto done;
			}
			g[j].b = nb;
			g[j].cap = nc;
		}
		g[j].b[g[j].n].le = le;
		g[j].b[g[j].n].count = in->e[i].v;
		g[j].n++;
	}
	for (size_t j = 0; j < ng; j++) {
		double v = bucket_quantile(q, g[j].b, g[j].n);
		pq_labels *lb = g[j].out;
		g[j].out = NULL;
		if (pq__vec_push(ev, &out->vec, lb, v) < 0)
			goto done;
	}
	rc = pq__check_dups(ev, &out->vec);
done:
	for (size_t j = 0; j < ng; j++) {
		pq_labels_unref(g[j].key);
		pq_labels_unref(g[j].out);
		free(g[j].b);
	}
	free(g);
	return rc;
}

int
pq__call(struct pq_ev *ev, const pq_node *n, pq_val *out)
{
	enum pq_fid id = n->fn->id;
	pq_val a = { 0 }, b = { 0 };
	int rc = -1;

	out->type = n->fn->ret;
	switch (id) {
	case F_TIME:
		out->scalar = (double)ev->t / 1000;
		return 0;
	case F_RATE: case F_IRATE: case F_INCREASE: case F_DELTA:
	case F_AVG_OT: case F_MIN_OT: case F_MAX_OT: case F_SUM_OT:
	case F_COUNT_OT: case F_LAST_OT: case F_ABSENT_OT:
		return range_func(ev, n, msel_of(n->args[0]), 0, out);
	case F_QUANTILE_OT:
		if (pq__eval(ev, n->args[0], &a) < 0)
			return -1;
		return range_func(ev, n, msel_of(n->args[1]), a.scalar, out);
	default:
		break;
	}
	if (pq__eval(ev, n->args[0], &a) < 0)
		goto done;
	if (n->nargs > 1 && pq__eval(ev, n->args[1], &b) < 0)
		goto done;
	switch (id) {
	case F_VECTOR:
		rc = pq__vec_push(ev, &out->vec, pq_labels_new(NULL, 0),
		    a.scalar);
		break;
	case F_SCALAR:
		out->scalar = a.vec.n == 1 ? a.vec.e[0].v : NAN;
		rc = 0;
		break;
	case F_ABSENT:
		rc = a.vec.n ? 0 : pq__vec_push(ev, &out->vec,
		    absent_labels(n->args[0]), 1);
		break;
	case F_HISTOGRAM_QUANTILE:
		rc = histogram_quantile(ev, a.scalar, &b.vec, out);
		break;
	case F_ABS: case F_CLAMP_MIN: case F_CLAMP_MAX:
		rc = 0;
		for (size_t i = 0; i < a.vec.n && rc == 0; i++) {
			double v = a.vec.e[i].v;
			if (id == F_ABS)
				v = fabs(v);
			else if (id == F_CLAMP_MIN)
				v = pq__go_max(b.scalar, v);
			else
				v = pq__go_min(b.scalar, v);
			rc = pq__vec_push(ev, &out->vec,
			    pq_labels_drop_name(a.vec.e[i].lb), v);
		}
		if (rc == 0)
			rc = pq__check_dups(ev, &out->vec);
		break;
	default:
		rc = pq__error(ev, "internal error: function");
	}
done:
	pq_vector_dispose(&a.vec);
	pq_vector_dispose(&b.vec);
	return rc;
}
