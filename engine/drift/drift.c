/* drift.c - per-column test selection, thresholds and the dataset verdict (spec §1.1-1.3), run on all cores. */
#include "config.h"
#include "drift/drift.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "drift/stats.h"
#include "ropen.h"
#include "store/error.h"
#include "utf8.h"

#define SMALL_REFERENCE 1000	/* n_ref <= 1000 is "small" (§1.2) */

static const char *const method_names[PL_DRIFT_NMETHODS] = {
	[PL_DRIFT_DEFAULT] = "default",
	[PL_DRIFT_KS] = "ks",
	[PL_DRIFT_CHISQUARE] = "chisquare",
	[PL_DRIFT_Z] = "z",
	[PL_DRIFT_WASSERSTEIN] = "wasserstein",
	[PL_DRIFT_PSI] = "psi",
	[PL_DRIFT_JENSENSHANNON] = "jensenshannon",
	[PL_DRIFT_KL_DIV] = "kl_div",
	[PL_DRIFT_HELLINGER] = "hellinger",
	[PL_DRIFT_ED] = "ed",
	[PL_DRIFT_ANDERSON] = "anderson",
};

const char *
pl_drift_method_name(int m)
{
	if (m < 0 || m >= PL_DRIFT_NMETHODS)
		return NULL;
	return method_names[m];
}

int
pl_drift_method_parse(const char *s)
{
	for (int m = 0; m < PL_DRIFT_NMETHODS; m++)
		if (strcmp(s, method_names[m]) == 0)
			return m;
	return -1;
}

int
pl_drift_method_applies(int m, int type)
{
	switch (m) {
	case PL_DRIFT_KS:
	case PL_DRIFT_WASSERSTEIN:
	case PL_DRIFT_ED:
	case PL_DRIFT_ANDERSON:
		return type == PL_DRIFT_NUMERICAL;
	case PL_DRIFT_CHISQUARE:
	case PL_DRIFT_Z:
		return type == PL_DRIFT_CATEGORICAL;
	case PL_DRIFT_PSI:
	case PL_DRIFT_JENSENSHANNON:
	case PL_DRIFT_KL_DIV:
	case PL_DRIFT_HELLINGER:
		return 1;
	default:
		return 0;
	}
}

/* StatTest.default_threshold (§1.3): 0.05 unless the test overrides it. */
double
pl_drift_default_threshold(int m)
{
	switch (m) {
	case PL_DRIFT_KS:
	case PL_DRIFT_CHISQUARE:
	case PL_DRIFT_Z:
		return 0.05;
	default:
		return 0.1;
	}
}

int
pl_drift_method_is_pvalue(int m)
{
	return m == PL_DRIFT_KS || m == PL_DRIFT_CHISQUARE || m == PL_DRIFT_Z ||
	    m == PL_DRIFT_ANDERSON;
}

/* Each test's own comparison (§1.3). */
static int
decide(int m, double score, double thr)
{
	switch (m) {
	case PL_DRIFT_KS:
		return score <= thr;
	case PL_DRIFT_CHISQUARE:
	case PL_DRIFT_Z:
	case PL_DRIFT_ANDERSON:
		return score < thr;
	case PL_DRIFT_ED:
		return score > thr;
	default:		/* wasserstein, psi, js, kl, hellinger */
		return score >= thr;
	}
}

struct pl_drift_report {
	struct pl_drift_column *cols;
	size_t ncols;
	size_t ref_rows, cur_rows;
	size_t tested, drifted;
	double share, share_thr;
	int dataset_drift;
	struct buf notes;
};

/* A column to compute. */
struct job {
	struct pl_drift_column *res;
	pl_csv_table *ref, *cur;
	size_t ri, ci;		/* column indices */
	int storage;
	int forced_method;	/* opts->method if it applies, else 0 */
	double threshold;	/* NAN: default */
	char reason[160];
	int rc;
};

/* ---- per-value keys ---- */

/*
 * Counts per distinct value over both sorted samples, keys ascending
 * (the smallest key is key 0, as the Z-test wants).  Returns the number
 * of keys; *nref_unique gets the distinct values of the reference alone.
 */
static size_t
num_keys(const double *a, size_t n1, const double *b, size_t n2,
    double *r, double *c, size_t *nref_unique)
{
	size_t i = 0, j = 0, nk = 0, nu = 0;

	while (i < n1 || j < n2) {
		double v;
		size_t i0 = i, j0 = j;
		if (j >= n2 || (i < n1 && a[i] <= b[j]))
			v = a[i];
		else
			v = b[j];
		while (i < n1 && a[i] <= v)
			i++;
		while (j < n2 && b[j] <= v)
			j++;
		if (r) {
			r[nk] = (double)(i - i0);
			c[nk] = (double)(j - j0);
		}
		if (i > i0)
			nu++;
		nk++;
	}
	if (nref_unique)
		*nref_unique = nu;
	return nk;
}

struct tkey {
	const char *s;
	size_t len;
	int side;		/* 0 ref, 1 cur */
	uint32_t level;
};

static int
tkey_cmp(const void *x, const void *y)
{
	const struct tkey *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int d = memcmp(a->s, b->s, n);

	if (d)
		return d;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->side - b->side;
}

/*
 * Text columns: the union of both sides' levels sorted by their bytes,
 * with counts per side.  Returns the number of keys or (size_t)-1 on OOM;
 * *r and *c are malloc'd.
 */
static size_t
text_keys(pl_csv_table *ref, size_t ri, pl_csv_table *cur, size_t ci,
    double **pr, double **pc)
{
	size_t l1 = pl_csv_nlevels(ref, ri), l2 = pl_csv_nlevels(cur, ci);
	struct tkey *k = malloc((l1 + l2 + 1) * sizeof *k);
	size_t *map1 = malloc((l1 + 1) * sizeof *map1);
	size_t *map2 = malloc((l2 + 1) * sizeof *map2);
	double *r = NULL, *c = NULL;
	size_t nk = 0;

	if (!k || !map1 || !map2)
		goto oom;
	for (size_t j = 0; j < l1; j++) {
		k[j].s = pl_csv_level(ref, ri, j, &k[j].len);
		k[j].side = 0;
		k[j].level = (uint32_t)j;
	}
	for (size_t j = 0; j < l2; j++) {
		k[l1 + j].s = pl_csv_level(cur, ci, j, &k[l1 + j].len);
		k[l1 + j].side = 1;
		k[l1 + j].level = (uint32_t)j;
	}
	qsort(k, l1 + l2, sizeof *k, tkey_cmp);
	for (size_t j = 0; j < l1 + l2; j++) {
		if (j > 0 && k[j].len == k[j - 1].len &&
		    memcmp(k[j].s, k[j - 1].s, k[j].len) == 0)
			;	/* same key as the previous entry */
		else
			nk++;
		if (k[j].side == 0)
			map1[k[j].level] = nk - 1;
		else
			map2[k[j].level] = nk - 1;
	}
	r = calloc(nk ? nk : 1, sizeof *r);
	c = calloc(nk ? nk : 1, sizeof *c);
	if (!r || !c)
		goto oom;
	{
		const uint32_t *codes = pl_csv_codes(ref, ri);
		size_t n = pl_csv_count(ref, ri);
		for (size_t q = 0; q < n; q++)
			r[map1[codes[q]]] += 1;
		codes = pl_csv_codes(cur, ci);
		n = pl_csv_count(cur, ci);
		for (size_t q = 0; q < n; q++)
			c[map2[codes[q]]] += 1;
	}
	free(k);
	free(map1);
	free(map2);
	*pr = r;
	*pc = c;
	return nk;
oom:
	free(k);
	free(map1);
	free(map2);
	free(r);
	free(c);
	return (size_t)-1;
}

/* Evidently's _get_default_stattest (§1.2). */
static int
default_method(int type, size_t n_ref, size_t n_values)
{
	int small = n_ref <= SMALL_REFERENCE;

	if (n_values <= 2)
		return small ? PL_DRIFT_Z : PL_DRIFT_JENSENSHANNON;
	if (type == PL_DRIFT_CATEGORICAL)
		return small ? PL_DRIFT_CHISQUARE : PL_DRIFT_JENSENSHANNON;
	if (n_values <= 5)
		return small ? PL_DRIFT_CHISQUARE : PL_DRIFT_JENSENSHANNON;
	return small ? PL_DRIFT_KS : PL_DRIFT_WASSERSTEIN;
}

/* Scores on count vectors (r, c are modified by the binned tests). */
static void
count_test(struct pl_drift_column *res, int m, double *r, double *c,
    size_t nk)
{
	switch (m) {
	case PL_DRIFT_CHISQUARE:
		pl_drift_chisquare(r, c, nk, &res->statistic, &res->p_value);
		res->score = res->p_value;
		break;
	case PL_DRIFT_Z:
		pl_drift_ztest(r, c, nk, &res->statistic, &res->p_value);
		res->score = res->p_value;
		break;
	case PL_DRIFT_PSI:
		pl_drift_percents(r, c, nk, 1);
		res->statistic = res->score = pl_drift_psi(r, c, nk);
		break;
	case PL_DRIFT_KL_DIV:
		pl_drift_percents(r, c, nk, 1);
		res->statistic = res->score = pl_drift_kl(r, c, nk);
		break;
	case PL_DRIFT_JENSENSHANNON:
		pl_drift_percents(r, c, nk, 0);
		res->statistic = res->score = pl_drift_js(r, c, nk);
		break;
	case PL_DRIFT_HELLINGER:
		res->statistic = res->score = pl_drift_hellinger_cat(r, c, nk);
		break;
	}
}

static int
run_text(struct job *jb)
{
	struct pl_drift_column *res = jb->res;
	double *r, *c;
	size_t nk = text_keys(jb->ref, jb->ri, jb->cur, jb->ci, &r, &c);

	if (nk == (size_t)-1)
		return PL_ENOMEM;
	res->n_values = nk;
	res->method = jb->forced_method ? jb->forced_method :
	    default_method(res->type, res->reference_count, nk);
	count_test(res, res->method, r, c, nk);
	free(r);
	free(c);
	return PL_OK;
}

static int run_value_test(struct pl_drift_column *res, char *reason,
    size_t reasonlen, int m, const double *a, size_t n1, const double *b,
    size_t n2, double w1, double ks_d, int e, double a_std);

/* Where the walk starts: the reference prepared once (a reused one), else
 * the plain walk of both samples. */
static void
walk(const struct pl_drift_ref *ref, const double *a, size_t n1,
    const double *b, size_t n2, size_t *nk, size_t *nref, double *w1,
    double *ks_d)
{
	if (ref)
		pl_drift_walk_ref(ref, b, n2, nk, nref, w1, ks_d);
	else
		pl_drift_walk(a, n1, b, n2, nk, nref, w1, ks_d);
}

/* The tests of one numerical column on both samples sorted (res->type,
 * counts set); shared with the monitor's window drift (pl__drift_sorted).
 * ref: a (n1 values) prepared once by the caller, or NULL. */
static int
num_sorted(struct pl_drift_column *res, const double *a, size_t n1,
    const double *b, size_t n2, int forced_method, char *reason,
    size_t reasonlen, const struct pl_drift_ref *ref)
{
	size_t nk, nref_unique;
	double w1, ks_d, a_std = ref ? ref->std : NAN;
	int m;

	walk(ref, a, n1, b, n2, &nk, &nref_unique, &w1, &ks_d);
	res->n_values = nk;
	m = forced_method ? forced_method :
	    default_method(res->type, n1, nk);
	res->method = m;

	int per_value = res->type == PL_DRIFT_CATEGORICAL ||
	    m == PL_DRIFT_CHISQUARE || m == PL_DRIFT_Z ||
	    ((m == PL_DRIFT_PSI || m == PL_DRIFT_KL_DIV ||
	    m == PL_DRIFT_JENSENSHANNON) && nref_unique <= 20) ||
	    (m == PL_DRIFT_HELLINGER && res->type == PL_DRIFT_CATEGORICAL);
	if (per_value) {
		double *r = calloc(nk, sizeof *r), *c = calloc(nk, sizeof *c);
		if (!r || !c) {
			free(r);
			free(c);
			return PL_ENOMEM;
		}
		num_keys(a, n1, b, n2, r, c, NULL);
		count_test(res, m, r, c, nk);
		free(r);
		free(c);
		return PL_OK;
	}
	/*
	 * Values near the ends of the double range (|x| > 2^400) overflow the
	 * arithmetic of the value-based tests (max - min, squares in the std,
	 * bin densities); subnormal ones (|x| < 2^-400) underflow it.  Those
	 * tests run on copies scaled by a power of two, 2^e, which is exact:
	 * Wasserstein (W1 / std), the binned tests and Hellinger do not change
	 * under scaling, energy distance scales by sqrt(2^e) (e is even).  On
	 * ordinary data nothing is copied and the results stay bit-identical.
	 */
	int e = 0;
	double *scaled = NULL;
	if (m != PL_DRIFT_KS && m != PL_DRIFT_ANDERSON) {
		double big = fmax(fmax(fabs(a[0]), fabs(a[n1 - 1])),
		    fmax(fabs(b[0]), fabs(b[n2 - 1])));
		if (big > 0x1p400 || (big > 0 && big < 0x1p-400)) {
			e = -ilogb(big);
			e -= e & 1;
			scaled = malloc((n1 + n2) * sizeof *scaled);
			if (scaled == NULL)
				return PL_ENOMEM;
			for (size_t q = 0; q < n1; q++)
				scaled[q] = ldexp(a[q], e);
			for (size_t q = 0; q < n2; q++)
				scaled[n1 + q] = ldexp(b[q], e);
			a = scaled;
			b = scaled + n1;
			pl_drift_walk(a, n1, b, n2, &nk, &nref_unique, &w1, &ks_d);
			a_std = NAN;	/* of the unscaled values */
		}
	}
	int rc = run_value_test(res, reason, reasonlen, m, a, n1, b, n2, w1,
	    ks_d, e, a_std);
	free(scaled);
	return rc;
}

/* The tests of num_sorted() that look at values, not only at counts; a
 * and b are scaled by 2^e (see there), w1 and ks_d come from their walk;
 * a_std is pl_drift_std(a, n1) or NAN (computed here). */
static int
run_value_test(struct pl_drift_column *res, char *reason, size_t reasonlen,
    int m, const double *a, size_t n1, const double *b, size_t n2,
    double w1, double ks_d, int e, double a_std)
{
	switch (m) {
	case PL_DRIFT_KS:
		res->statistic = ks_d;
		res->p_value = pl_drift_ks_pvalue(res->statistic, n1, n2, NULL);
		res->score = res->p_value;
		break;
	case PL_DRIFT_WASSERSTEIN: {
		/* W1 / max(std(ref), 0.001); the floor is in the data's units */
		double sd = isnan(a_std) ? pl_drift_std(a, n1) : a_std;
		if (e == 0 || ldexp(sd, -e) >= 0.001)
			res->statistic = res->score = w1 / (e ? sd : fmax(sd, 0.001));
		else
			res->statistic = res->score = ldexp(w1, -e) / 0.001;
		break;
	}
	case PL_DRIFT_ED:
		res->statistic = res->score =
		    ldexp(pl_drift_energy(a, n1, b, n2), -e / 2);
		break;
	case PL_DRIFT_ANDERSON:
		if (pl_drift_anderson(a, n1, b, n2, &res->statistic,
		    &res->p_value) != 0) {
			snprintf(reason, reasonlen,
			    "anderson needs more than one distinct value");
			res->skipped = 1;
			return PL_OK;
		}
		res->score = res->p_value;
		break;
	case PL_DRIFT_HELLINGER:
		res->statistic = res->score = pl_drift_hellinger_num(a, n1, b, n2);
		break;
	case PL_DRIFT_PSI:
	case PL_DRIFT_KL_DIV:
	case PL_DRIFT_JENSENSHANNON: {
		/* Sturges bins over the combined sample (§1.4) */
		double *edges, lo = fmin(a[0], b[0]),
		    hi = fmax(a[n1 - 1], b[n2 - 1]);
		size_t nb = pl_drift_sturges_edges(lo, hi, n1 + n2, &edges);
		if (nb == 0)
			return PL_ENOMEM;
		double *r = calloc(nb, sizeof *r), *c = calloc(nb, sizeof *c);
		if (!r || !c) {
			free(r);
			free(c);
			free(edges);
			return PL_ENOMEM;
		}
		pl_drift_hist_sorted(a, n1, edges, nb, r);
		pl_drift_hist_sorted(b, n2, edges, nb, c);
		count_test(res, m, r, c, nb);
		free(r);
		free(c);
		free(edges);
		break;
	}
	}
	return PL_OK;
}

static int
run_num(struct job *jb, double *scratch)
{
	struct pl_drift_column *res = jb->res;
	double *a = pl_csv_num(jb->ref, jb->ri), *b = pl_csv_num(jb->cur, jb->ci);

	/* Sort each column once; every test reuses the order. */
	pl_drift_sort(a, res->reference_count, scratch);
	pl_drift_sort(b, res->current_count, scratch);
	return num_sorted(res, a, res->reference_count, b, res->current_count,
	    jb->forced_method, jb->reason, sizeof jb->reason, NULL);
}

/*
 * The decision on a tested column, shared by `plumb drift` and the
 * monitor's window drift.  Every score is a finite number or the column is
 * not tested, with a reason that says why (hostile data must never turn
 * into a verdict from a NaN comparison).  Chi-square over one value has no
 * degree of freedom (scipy: p = NaN); the others can only overflow on
 * values that the scaling in num_sorted() could not bring into range.
 * threshold NaN: the method's default.
 */
static void
verdict(struct pl_drift_column *res, double threshold, char *reason,
    size_t reasonlen)
{
	if (!isfinite(res->score)) {
		if (res->method == PL_DRIFT_CHISQUARE && res->n_values <= 1)
			snprintf(reason, reasonlen,
			    "chisquare needs more than one distinct value");
		else
			snprintf(reason, reasonlen,
			    "the %s test has no finite result for these values",
			    method_names[res->method]);
		res->skipped = 1;
		res->statistic = res->score = res->p_value = NAN;
		return;
	}
	res->threshold = isnan(threshold) ?
	    pl_drift_default_threshold(res->method) : threshold;
	if (!pl_drift_method_is_pvalue(res->method))
		res->p_value = NAN;
	res->drift = decide(res->method, res->score, res->threshold);
}

static int drift_sorted(struct pl_drift_column *res, const double *a,
    size_t n1, const struct pl_drift_ref *ref, const double *b, size_t n2,
    int type, int forced_method, double threshold, char *reason,
    size_t reasonlen);

int
pl__drift_sorted(struct pl_drift_column *res, const double *a, size_t n1,
    const double *b, size_t n2, int type, int forced_method,
    double threshold, char *reason, size_t reasonlen)
{
	return drift_sorted(res, a, n1, NULL, b, n2, type, forced_method,
	    threshold, reason, reasonlen);
}

int
pl__drift_sorted_ref(struct pl_drift_column *res,
    const struct pl_drift_ref *ref, const double *b, size_t n2, int type,
    int forced_method, double threshold, char *reason, size_t reasonlen)
{
	return drift_sorted(res, ref->v, ref->n, ref, b, n2, type,
	    forced_method, threshold, reason, reasonlen);
}

static int
drift_sorted(struct pl_drift_column *res, const double *a, size_t n1,
    const struct pl_drift_ref *ref, const double *b, size_t n2, int type,
    int forced_method, double threshold, char *reason, size_t reasonlen)
{
	int rc;

	res->type = type;
	res->forced = forced_method != 0;
	res->reference_count = n1;
	res->current_count = n2;
	res->statistic = res->score = res->p_value = res->threshold = NAN;
	res->skipped = res->drift = 0;
	if (n1 == 0 || n2 == 0) {
		res->skipped = 1;
		snprintf(reason, reasonlen, "no values left in %s after dropping missing values",
		    n1 == 0 ? "the reference" : "the current window");
		return PL_OK;
	}
	rc = num_sorted(res, a, n1, b, n2, forced_method, reason, reasonlen,
	    ref);
	if (rc != PL_OK || res->skipped)
		return rc;
	verdict(res, threshold, reason, reasonlen);
	return PL_OK;
}

static void
run_job(struct job *jb, double *scratch)
{
	struct pl_drift_column *res = jb->res;

	if (res->skipped)
		return;
	jb->rc = jb->storage == PL_CSV_NUM ? run_num(jb, scratch) : run_text(jb);
	if (jb->rc != PL_OK || res->skipped)
		return;
	verdict(res, jb->threshold, jb->reason, sizeof jb->reason);
}

struct pool {
	struct job *jobs;
	size_t njobs;
	size_t next;		/* atomic */
	size_t scratch_n;
	int rc;
};

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	double *scratch = NULL;

	if (pl->scratch_n) {
		scratch = malloc(pl->scratch_n * sizeof *scratch);
		if (scratch == NULL) {
			__atomic_store_n(&pl->rc, PL_ENOMEM, __ATOMIC_SEQ_CST);
			return NULL;
		}
	}
	for (;;) {
		size_t i = __atomic_fetch_add(&pl->next, 1, __ATOMIC_SEQ_CST);
		if (i >= pl->njobs)
			break;
		run_job(&pl->jobs[i], scratch);
	}
	free(scratch);
	return NULL;
}

static int
nthreads(int want, size_t njobs)
{
	long n = want > 0 ? want : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	if ((size_t)n > njobs)
		n = (long)(njobs ? njobs : 1);
	return (int)n;
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
in_list(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* Sanitized copy of a column name for messages (static buffer per call
 * site is not thread-safe; messages are built on the calling thread). */
static const char *
safe(struct buf *b, const char *s)
{
	buf_clear(b);
	if (utf8_sanitize(b, s, strlen(s), 0) != 0)
		return "?";
	return buf_str(b);
}

void
pl_drift_report_free(pl_drift_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ncols; i++) {
		free((char *)r->cols[i].name);
		free((char *)r->cols[i].reason);
	}
	free(r->cols);
	buf_free(&r->notes);
	free(r);
}

static int
compare_named(pl_drift_report **out, pl_csv_table *ref, pl_csv_table *cur,
    const struct pl_drift_opts *opts, const char *rname, const char *cname,
    char *err, size_t errlen)
{
	struct pl_drift_opts defaults;
	pl_drift_report *r;
	struct job *jobs = NULL;
	const char *const *names;
	size_t ncols, scratch_n = 0;
	struct buf nb = BUF_INIT;
	int rc = PL_OK, any_applies = 0;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (opts == NULL) {
		memset(&defaults, 0, sizeof defaults);
		defaults.threshold = NAN;
		opts = &defaults;
	}
	if (opts->method < 0 || opts->method >= PL_DRIFT_NMETHODS) {
		seterr(err, errlen, "unknown drift method %d", opts->method);
		return PL_EINVAL;
	}
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return PL_ENOMEM;
	r->ref_rows = pl_csv_rows(ref);
	r->cur_rows = pl_csv_rows(cur);
	r->share_thr = (opts->drift_share > 0) ? opts->drift_share : 0.5;
	ncols = opts->columns ? opts->n_columns : pl_csv_ncols(ref);
	r->cols = calloc(ncols ? ncols : 1, sizeof *r->cols);
	jobs = calloc(ncols ? ncols : 1, sizeof *jobs);
	names = opts->columns;
	if (r->cols == NULL || jobs == NULL) {
		rc = PL_ENOMEM;
		goto fail;
	}
	/* Overrides must name selected columns. */
	for (int pass = 0; pass < 2; pass++) {
		const char *const *list = pass ? opts->numerical : opts->categorical;
		size_t n = pass ? opts->n_numerical : opts->n_categorical;
		for (size_t k = 0; k < n; k++) {
			int found = names ? in_list(names, ncols, list[k]) :
			    pl_csv_find(ref, list[k]) >= 0;
			if (!found) {
				seterr(err, errlen, "--%s names no compared column: '%s'",
				    pass ? "numerical" : "categorical",
				    safe(&nb, list[k]));
				rc = PL_ENOTFOUND;
				goto fail;
			}
			if (pass && opts->categorical &&
			    in_list(opts->categorical, opts->n_categorical, list[k])) {
				seterr(err, errlen, "column '%s' is both --categorical and --numerical",
				    safe(&nb, list[k]));
				rc = PL_EINVAL;
				goto fail;
			}
		}
	}
	for (size_t k = 0; k < ncols; k++) {
		const char *name = names ? names[k] : pl_csv_name(ref, k);
		long ri = pl_csv_find(ref, name), ci = pl_csv_find(cur, name);
		struct pl_drift_column *res = &r->cols[k];
		struct job *jb = &jobs[k];

		for (size_t q = 0; q < k; q++)
			if (strcmp(r->cols[q].name, name) == 0) {
				seterr(err, errlen, "column '%s' is listed twice",
				    safe(&nb, name));
				rc = PL_EINVAL;
				goto fail;
			}
		res->name = strdup(name);
		if (res->name == NULL) {
			rc = PL_ENOMEM;
			goto fail;
		}
		r->ncols = k + 1;
		if (ri < 0 || ci < 0) {
			seterr(err, errlen, "column '%s' is in %s but not in %s",
			    safe(&nb, name), ri < 0 ? cname : rname,
			    ri < 0 ? rname : cname);
			rc = PL_ENOTFOUND;
			goto fail;
		}
		int s1 = pl_csv_storage(ref, (size_t)ri),
		    s2 = pl_csv_storage(cur, (size_t)ci);
		if (opts->numerical &&
		    in_list(opts->numerical, opts->n_numerical, name)) {
			if (s1 != PL_CSV_NUM || s2 != PL_CSV_NUM) {
				seterr(err, errlen, "column '%s' is --numerical but holds text in %s",
				    safe(&nb, name), s1 != PL_CSV_NUM ? rname : cname);
				rc = PL_EINVAL;
				goto fail;
			}
			res->type = PL_DRIFT_NUMERICAL;
		} else if (opts->categorical &&
		    in_list(opts->categorical, opts->n_categorical, name))
			res->type = PL_DRIFT_CATEGORICAL;
		else
			res->type = (s1 == PL_CSV_NUM && s2 == PL_CSV_NUM) ?
			    PL_DRIFT_NUMERICAL : PL_DRIFT_CATEGORICAL;
		if (s1 != s2) {
			seterr(err, errlen, "column '%s' holds numbers in %s and text in %s: read it as text on both sides",
			    safe(&nb, name), s1 == PL_CSV_NUM ? rname : cname,
			    s1 == PL_CSV_NUM ? cname : rname);
			rc = PL_EINVAL;
			goto fail;
		}
		jb->res = res;
		jb->ref = ref;
		jb->cur = cur;
		jb->ri = (size_t)ri;
		jb->ci = (size_t)ci;
		jb->storage = s1;
		jb->threshold = opts->threshold;
		res->p_value = NAN;
		res->statistic = res->score = NAN;
		res->threshold = NAN;
		res->reference_count = pl_csv_count(ref, (size_t)ri);
		res->current_count = pl_csv_count(cur, (size_t)ci);
		res->reference_missing = pl_csv_missing(ref, (size_t)ri);
		res->current_missing = pl_csv_missing(cur, (size_t)ci);
		if (opts->method != PL_DRIFT_DEFAULT) {
			if (pl_drift_method_applies(opts->method, res->type)) {
				jb->forced_method = opts->method;
				res->forced = 1;
				any_applies = 1;
			} else {
				buf_printf(&r->notes, "--method %s does not apply to %s column '%s': its default test was used\n",
				    method_names[opts->method],
				    res->type == PL_DRIFT_NUMERICAL ? "numerical" : "categorical",
				    safe(&nb, name));
			}
		}
		if (res->reference_count == 0 || res->current_count == 0) {
			res->skipped = 1;
			snprintf(jb->reason, sizeof jb->reason,
			    "no values left in %s after dropping missing values",
			    res->reference_count == 0 ?
			    (res->current_count == 0 ? "either file" : "the reference") :
			    "the current file");
		} else if (jb->storage == PL_CSV_NUM && res->reference_count > scratch_n)
			scratch_n = res->reference_count;
		if (jb->storage == PL_CSV_NUM && res->current_count > scratch_n &&
		    !res->skipped)
			scratch_n = res->current_count;
	}
	if (opts->method != PL_DRIFT_DEFAULT && !any_applies && ncols > 0) {
		seterr(err, errlen, "--method %s applies to none of the compared columns (%s)",
		    method_names[opts->method],
		    pl_drift_method_applies(opts->method, PL_DRIFT_NUMERICAL) ?
		    "it needs numerical columns" : "it needs categorical columns");
		rc = PL_EINVAL;
		goto fail;
	}

	{
		struct pool pl = { jobs, ncols, 0, scratch_n, PL_OK };
		int nt = nthreads(opts->threads, ncols);
		pthread_t th[64];
		int started = 0;

		for (int t = 1; t < nt; t++) {
			if (pthread_create(&th[t], NULL, worker, &pl) != 0)
				break;
			started = t;
		}
		worker(&pl);
		for (int t = 1; t <= started; t++)
			pthread_join(th[t], NULL);
		if (pl.rc != PL_OK) {
			rc = pl.rc;
			seterr(err, errlen, "out of memory");
			goto fail;
		}
	}
	for (size_t k = 0; k < ncols; k++) {
		struct pl_drift_column *res = &r->cols[k];
		if (jobs[k].rc != PL_OK) {
			rc = jobs[k].rc;
			seterr(err, errlen, "out of memory");
			goto fail;
		}
		if (res->skipped) {
			res->reason = strdup(jobs[k].reason);
			res->drift = 0;
			buf_printf(&r->notes, "column '%s' not tested: %s\n",
			    safe(&nb, res->name), jobs[k].reason);
			continue;
		}
		r->tested++;
		r->drifted += res->drift != 0;
	}
	r->share = r->tested ? (double)r->drifted / (double)r->tested : 0.0;
	r->dataset_drift = r->tested > 0 && r->share >= r->share_thr;
	free(jobs);
	buf_free(&nb);
	*out = r;
	return PL_OK;
fail:
	if (rc == PL_ENOMEM && errlen && err[0] == '\0')
		seterr(err, errlen, "out of memory");
	free(jobs);
	buf_free(&nb);
	pl_drift_report_free(r);
	return rc;
}

int
pl_drift_compare(pl_drift_report **out, pl_csv_table *ref, pl_csv_table *cur,
    const struct pl_drift_opts *opts, char *err, size_t errlen)
{
	return compare_named(out, ref, cur, opts, "the reference",
	    "the current data", err, errlen);
}

/* ---- files ---- */

struct reader {
	const char *path;
	struct pl_csv_opts co;
	pl_csv_table *t;
	int rc;
	char err[512];
	struct buf bytes;	/* a pipe's whole content: it reads only once */
	int piped;
};

/* Reads side RD (again, when a column must be kept as text): a FIFO or
 * pipe (`plumb drift <(zcat ref.csv.gz) cur.csv`) is drained into memory
 * the first time, since a second read would find it empty. */
static int
read_side(pl_csv_table **out, struct reader *rd)
{
	struct stat sb;

	if (!rd->piped && stat(rd->path, &sb) == 0 && S_ISFIFO(sb.st_mode)) {
		char chunk[65536];
		ssize_t n;
		int fd = ropen(rd->path, ROPEN_PIPE, NULL, rd->err,
		    sizeof rd->err);

		if (fd < 0)
			return errno == EINVAL ? PL_EINVAL : PL_EIO;
		while ((n = read(fd, chunk, sizeof chunk)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				seterr(rd->err, sizeof rd->err, "%s: %s",
				    rd->path, strerror(errno));
				close(fd);
				return PL_EIO;
			}
			if (buf_add(&rd->bytes, chunk, (size_t)n) < 0) {
				close(fd);
				seterr(rd->err, sizeof rd->err, "out of memory");
				return PL_ENOMEM;
			}
		}
		close(fd);
		rd->piped = 1;
	}
	if (rd->piped)
		return pl_csv_read_mem(out, rd->path, rd->bytes.len ?
		    rd->bytes.p : "", rd->bytes.len, &rd->co, rd->err,
		    sizeof rd->err);
	return pl_csv_read(out, rd->path, &rd->co, rd->err, sizeof rd->err);
}

static void *
read_thread(void *arg)
{
	struct reader *rd = arg;

	rd->rc = read_side(&rd->t, rd);
	return NULL;
}

int
pl_drift_files(pl_drift_report **out, const char *ref_path,
    const char *cur_path, const struct pl_drift_opts *opts,
    char *err, size_t errlen)
{
	struct reader rd[2];
	pthread_t th;
	int threaded, rc;

	*out = NULL;
	memset(rd, 0, sizeof rd);
	for (int i = 0; i < 2; i++) {
		rd[i].path = i ? cur_path : ref_path;
		if (opts) {
			rd[i].co.delimiter = opts->delimiter;
			rd[i].co.na_values = opts->na_values;
			rd[i].co.n_na_values = opts->n_na_values;
			rd[i].co.columns = opts->columns;
			rd[i].co.n_columns = opts->n_columns;
		}
	}
	/* The two files are read at the same time, one per core. */
	threaded = (opts == NULL || opts->threads != 1) &&
	    pthread_create(&th, NULL, read_thread, &rd[1]) == 0;
	read_thread(&rd[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		read_thread(&rd[1]);
	for (int i = 0; i < 2; i++)
		if (rd[i].rc != PL_OK) {
			seterr(err, errlen, "%s", rd[i].err);
			rc = rd[i].rc;
			goto done;
		}
	/* A column that is text on one side and numbers on the other is
	 * compared as text: re-read the numeric side keeping its spelling. */
	for (int side = 0; side < 2; side++) {
		pl_csv_table *a = rd[side].t, *b = rd[1 - side].t;
		const char **txt = NULL;
		size_t ntxt = 0;

		for (size_t i = 0; i < pl_csv_ncols(a); i++) {
			long j = pl_csv_find(b, pl_csv_name(a, i));
			if (j < 0 || pl_csv_storage(a, i) != PL_CSV_NUM ||
			    pl_csv_storage(b, (size_t)j) != PL_CSV_TEXT)
				continue;
			if (opts && opts->columns &&
			    !in_list(opts->columns, opts->n_columns, pl_csv_name(a, i)))
				continue;
			const char **nt = realloc(txt, (ntxt + 1) * sizeof *nt);
			if (nt == NULL) {
				free(txt);
				rc = PL_ENOMEM;
				seterr(err, errlen, "out of memory");
				goto done;
			}
			txt = nt;
			txt[ntxt++] = pl_csv_name(a, i);
		}
		if (ntxt == 0)
			continue;
		pl_csv_table *again = NULL;
		rd[side].co.text_columns = txt;
		rd[side].co.n_text_columns = ntxt;
		rc = read_side(&again, &rd[side]);
		free(txt);
		rd[side].co.text_columns = NULL;
		rd[side].co.n_text_columns = 0;
		if (rc != PL_OK) {
			seterr(err, errlen, "%s", rd[side].err);
			goto done;
		}
		pl_csv_free(rd[side].t);
		rd[side].t = again;
	}
	rc = compare_named(out, rd[0].t, rd[1].t, opts, ref_path, cur_path,
	    err, errlen);
done:
	pl_csv_free(rd[0].t);
	pl_csv_free(rd[1].t);
	buf_free(&rd[0].bytes);
	buf_free(&rd[1].bytes);
	return rc;
}

size_t
pl_drift_ncolumns(const pl_drift_report *r)
{
	return r->ncols;
}

const struct pl_drift_column *
pl_drift_column(const pl_drift_report *r, size_t i)
{
	return &r->cols[i];
}

size_t
pl_drift_reference_rows(const pl_drift_report *r)
{
	return r->ref_rows;
}

size_t
pl_drift_current_rows(const pl_drift_report *r)
{
	return r->cur_rows;
}

size_t
pl_drift_tested(const pl_drift_report *r)
{
	return r->tested;
}

size_t
pl_drift_drifted(const pl_drift_report *r)
{
	return r->drifted;
}

double
pl_drift_share(const pl_drift_report *r)
{
	return r->share;
}

double
pl_drift_share_threshold(const pl_drift_report *r)
{
	return r->share_thr;
}

int
pl_drift_dataset_drift(const pl_drift_report *r)
{
	return r->dataset_drift;
}

const char *
pl_drift_notes(const pl_drift_report *r)
{
	return buf_str(&r->notes);
}
