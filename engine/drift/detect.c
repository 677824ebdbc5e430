/* detect.c - River's ADWIN, DDM, EDDM and Page-Hinkley concept-drift detectors, update rule for update rule (spec §5). */
#include "config.h"
#include "drift/detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"

/* ---- ADWIN (river/drift/adwin.py + rust_src/adwin.rs, spec §5.1) ---- */

struct bucket {
	double total, variance;
};

/* Row i holds up to max_buckets + 1 buckets, each summarising 2^i
 * items, oldest first. */
struct brow {
	struct bucket *b;
	int n;
};

struct adwin {
	double total, variance, width;
	long tick;
	struct brow *rows;
	int nrows, caprows;
};

struct eddm_state {
	long n, n_errors, last_error;
	double d_n, d_mean, d_S;	/* River stats.Var over error distances */
	double p2s_max;
	int warning;
};

struct pl_detect {
	int kind;
	struct pl_detect_params p;
	int drift;		/* last update flagged drift: reset first */
	struct adwin aw;
	/* DDM */
	double ddm_n, ddm_mean, p_min, s_min, ps_min;
	int ddm_warning;
	struct eddm_state e;
	/* Page-Hinkley */
	double ph_n, ph_mean, s_inc, s_dec, min_inc, max_dec;
};

static void
adwin_clear(struct adwin *a)
{
	for (int i = 0; i < a->nrows; i++)
		free(a->rows[i].b);
	free(a->rows);
	memset(a, 0, sizeof *a);
}

static int
adwin_row(struct pl_detect *d, int idx)
{
	struct adwin *a = &d->aw;

	while (a->nrows <= idx) {
		if (a->nrows == a->caprows) {
			int nc = a->caprows ? a->caprows * 2 : 8;
			struct brow *r = realloc(a->rows, (size_t)nc * sizeof *r);
			if (r == NULL)
				return PL_ENOMEM;
			a->rows = r;
			a->caprows = nc;
		}
		struct brow *r = &a->rows[a->nrows];
		r->b = malloc((size_t)(d->p.max_buckets + 2) * sizeof *r->b);
		if (r->b == NULL)
			return PL_ENOMEM;
		r->n = 0;
		a->nrows++;
	}
	return PL_OK;
}

static void
row_drop_front(struct brow *r, int k)
{
	memmove(r->b, r->b + k, (size_t)(r->n - k) * sizeof *r->b);
	r->n -= k;
}

static int
adwin_insert(struct pl_detect *d, double x)
{
	struct adwin *a = &d->aw;
	int mb = d->p.max_buckets;

	if (adwin_row(d, 0) != PL_OK)
		return PL_ENOMEM;
	a->rows[0].b[a->rows[0].n++] = (struct bucket){ x, 0.0 };
	a->width += 1;
	/* incremental variance (sum of squared deviations) */
	double inc = 0.0;
	if (a->width > 1) {
		double dlt = x - a->total / (a->width - 1);
		inc = (a->width - 1) * dlt * dlt / a->width;
	}
	a->variance += inc;
	a->total += x;
	/* compress: a full row merges its two oldest buckets upward */
	for (int idx = 0; idx < a->nrows; idx++) {
		struct brow *r = &a->rows[idx];
		if (r->n != mb + 1)
			break;
		double n1 = ldexp(1.0, idx);
		struct bucket b0 = r->b[0], b1 = r->b[1];
		double dm = b0.total / n1 - b1.total / n1;
		struct bucket m = { b0.total + b1.total,
			b0.variance + b1.variance + n1 * 0.5 * dm * dm };
		if (adwin_row(d, idx + 1) != PL_OK)
			return PL_ENOMEM;
		r = &a->rows[idx];	/* rows may have moved */
		struct brow *up = &a->rows[idx + 1];
		up->b[up->n++] = m;
		row_drop_front(r, 2);
		if (up->n <= mb)
			break;
	}
	return PL_OK;
}

static int
adwin_cut(const struct pl_detect *d, double n0, double n1, double dm)
{
	const struct adwin *a = &d->aw;
	double mwl = d->p.min_window_length;
	double dp = log(2 * log(a->width) / d->p.delta);
	double m = 1.0 / (n0 - mwl + 1) + 1.0 / (n1 - mwl + 1);
	double eps = sqrt(2 * m * (a->variance / a->width) * dp) + 2.0 / 3.0 * dp * m;

	return fabs(dm) > eps;
}

static void
adwin_delete_oldest(struct adwin *a)
{
	int L = a->nrows - 1;
	struct brow *r = &a->rows[L];
	double n = ldexp(1.0, L);
	struct bucket b = r->b[0];

	a->width -= n;
	a->total -= b.total;
	double muw = a->total / a->width;
	double dd = b.total / n - muw;
	a->variance -= b.variance + n * a->width * dd * dd / (n + a->width);
	row_drop_front(r, 1);
	if (r->n == 0) {
		free(r->b);
		a->nrows--;
	}
}

static int
adwin_detect(struct pl_detect *d)
{
	struct adwin *a = &d->aw;
	int change = 0, reduce;

	a->tick++;
	if (a->tick % d->p.clock != 0 || a->width <= d->p.grace_period)
		return 0;
	do {
		double n0 = 0, n1 = a->width, u0 = 0, u1 = a->total;
		reduce = 0;
		for (int idx = a->nrows - 1; idx >= 0 && !reduce; idx--) {
			struct brow *r = &a->rows[idx];
			double sz = ldexp(1.0, idx);
			for (int k = 0; k < r->n; k++) {
				n0 += sz;
				n1 -= sz;
				u0 += r->b[k].total;
				u1 -= r->b[k].total;
				if (idx == 0 && k == r->n - 1) {
					idx = -1;	/* exit both loops */
					break;
				}
				double dm = u0 / n0 - u1 / n1;
				if (n0 >= d->p.min_window_length &&
				    n1 >= d->p.min_window_length &&
				    adwin_cut(d, n0, n1, dm)) {
					reduce = change = 1;
					if (a->width > 0)
						adwin_delete_oldest(a);
					break;
				}
			}
		}
	} while (reduce);
	return change;
}

/* ---- common ---- */

void
pl_detect_defaults(struct pl_detect_params *p, int kind)
{
	memset(p, 0, sizeof *p);
	p->delta = kind == PL_DETECT_PAGE_HINKLEY ? 0.005 : 0.002;
	p->clock = 32;
	p->max_buckets = 5;
	p->min_window_length = 5;
	p->grace_period = 10;
	p->warm_start = 30;
	p->warning_threshold = 2.0;
	p->drift_threshold = 3.0;
	if (kind == PL_DETECT_PAGE_HINKLEY)
		p->alpha = 1 - 0.0001;
	else
		p->alpha = 0.95;
	p->beta = 0.9;
	p->min_instances = 30;
	p->threshold = 50.0;
	p->mode = 0;
}

void
pl_detect_reset(pl_detect *d)
{
	adwin_clear(&d->aw);
	d->drift = 0;
	d->ddm_n = d->ddm_mean = 0;
	d->p_min = d->s_min = d->ps_min = INFINITY;
	d->ddm_warning = 0;
	memset(&d->e, 0, sizeof d->e);
	d->e.p2s_max = -1;
	d->ph_n = d->ph_mean = 0;
	d->s_inc = d->s_dec = 0;
	d->min_inc = INFINITY;
	d->max_dec = -1;	/* sic: River starts it at -1, not -inf */
}

int
pl_detect_new(pl_detect **out, int kind, const struct pl_detect_params *params)
{
	pl_detect *d;

	*out = NULL;
	if (kind < PL_DETECT_ADWIN || kind > PL_DETECT_PAGE_HINKLEY)
		return PL_EINVAL;
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return PL_ENOMEM;
	d->kind = kind;
	if (params)
		d->p = *params;
	else
		pl_detect_defaults(&d->p, kind);
	if ((kind == PL_DETECT_ADWIN && (d->p.clock < 1 || d->p.max_buckets < 1 ||
	    !(d->p.delta > 0 && d->p.delta < 1) || d->p.min_window_length < 1)) ||
	    (kind == PL_DETECT_EDDM && d->p.alpha < d->p.beta) ||
	    (kind == PL_DETECT_PAGE_HINKLEY && (d->p.mode < 0 || d->p.mode > 2))) {
		free(d);
		return PL_EINVAL;
	}
	pl_detect_reset(d);
	*out = d;
	return PL_OK;
}

void
pl_detect_free(pl_detect *d)
{
	if (d == NULL)
		return;
	adwin_clear(&d->aw);
	free(d);
}

/* DDM (river/drift/binary/ddm.py, §5.2). */
static int
ddm_update(pl_detect *d, double x)
{
	d->ddm_n += 1;
	d->ddm_mean += (1.0 / d->ddm_n) * (x - d->ddm_mean);	/* stats.Mean */
	double p = d->ddm_mean, s = sqrt(p * (1 - p) / d->ddm_n);

	if (d->ddm_n > d->p.warm_start) {
		if (p + s <= d->ps_min) {
			d->p_min = p;
			d->s_min = s;
			d->ps_min = p + s;
		}
		d->ddm_warning = p + s > d->p_min + d->p.warning_threshold * d->s_min;
		if (p + s > d->p_min + d->p.drift_threshold * d->s_min) {
			d->ddm_warning = 0;
			return PL_DETECT_DRIFT;
		}
	}
	return d->ddm_warning ? PL_DETECT_WARNING : PL_DETECT_NONE;
}

/* EDDM (river/drift/binary/eddm.py, §5.3). */
static int
eddm_update(pl_detect *d, double x)
{
	struct eddm_state *e = &d->e;
	int drift = 0;

	e->n++;
	if (x == 1) {
		e->n_errors++;
		/* stats.Var: Welford, sample variance (ddof 1), 0 while n <= 1 */
		double v = (double)(e->n - e->last_error), old = e->d_mean;
		e->d_n += 1;
		e->d_mean += (v - e->d_mean) / e->d_n;
		e->d_S += (v - old) * (v - e->d_mean);
		if (e->n > d->p.warm_start) {
			double var = e->d_n > 1 ? e->d_S / (e->d_n - 1) : 0.0;
			double p2s = e->d_mean + 2 * sqrt(var);
			if (p2s > e->p2s_max)
				e->p2s_max = p2s;
			else if (e->n_errors > d->p.warm_start) {
				double level = p2s / e->p2s_max;
				if (level < d->p.beta)
					drift = 1;
				else if (level < d->p.alpha)
					e->warning = 1;
				else
					e->warning = 0;
			}
		}
		e->last_error = e->n;
	}
	if (drift)
		return PL_DETECT_DRIFT;
	return e->warning ? PL_DETECT_WARNING : PL_DETECT_NONE;
}

/* Page-Hinkley (river/drift/page_hinkley.py, §5.4). */
static int
ph_update(pl_detect *d, double x)
{
	d->ph_n += 1;
	d->ph_mean += (x - d->ph_mean) / d->ph_n;
	double dev = x - d->ph_mean;	/* the mean already includes x */

	d->s_inc = d->p.alpha * d->s_inc + dev - d->p.delta;
	d->min_inc = fmin(d->min_inc, d->s_inc);
	d->s_dec = d->p.alpha * d->s_dec + dev + d->p.delta;
	d->max_dec = fmax(d->max_dec, d->s_dec);
	if (d->ph_n >= d->p.min_instances) {
		int up = d->s_inc - d->min_inc > d->p.threshold;
		int down = d->max_dec - d->s_dec > d->p.threshold;
		int hit = d->p.mode == 1 ? up : d->p.mode == 2 ? down : (up || down);
		if (hit)
			return PL_DETECT_DRIFT;
	}
	return PL_DETECT_NONE;
}

int
pl_detect_update(pl_detect *d, double x)
{
	int sig = PL_DETECT_NONE;

	/* River: the update after a drift starts from a fresh detector. */
	if (d->drift)
		pl_detect_reset(d);
	switch (d->kind) {
	case PL_DETECT_ADWIN:
		if (adwin_insert(d, x) != PL_OK)
			return PL_ENOMEM;
		sig = adwin_detect(d) ? PL_DETECT_DRIFT : PL_DETECT_NONE;
		break;
	case PL_DETECT_DDM:
		sig = ddm_update(d, x);
		break;
	case PL_DETECT_EDDM:
		sig = eddm_update(d, x);
		break;
	case PL_DETECT_PAGE_HINKLEY:
		sig = ph_update(d, x);
		break;
	}
	d->drift = sig == PL_DETECT_DRIFT;
	return sig;
}

static const char *const kind_names[] = {
	NULL, "adwin", "ddm", "eddm", "page_hinkley"
};

const char *
pl_detect_kind_name(int kind)
{
	if (kind < PL_DETECT_ADWIN || kind > PL_DETECT_PAGE_HINKLEY)
		return NULL;
	return kind_names[kind];
}

int
pl_detect_kind_parse(const char *s)
{
	for (int k = PL_DETECT_ADWIN; k <= PL_DETECT_PAGE_HINKLEY; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

int
pl_detect_has_warnings(int kind)
{
	return kind == PL_DETECT_DDM || kind == PL_DETECT_EDDM;
}

double
pl_detect_adwin_width(const pl_detect *d)
{
	return d->kind == PL_DETECT_ADWIN ? d->aw.width : 0;
}

double
pl_detect_adwin_mean(const pl_detect *d)
{
	if (d->kind != PL_DETECT_ADWIN || d->aw.width <= 0)
		return 0;
	return d->aw.total / d->aw.width;
}
