/* drift-t.c - unit tests of the drift statistics against scipy/numpy values committed in tests/data/drift. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drift/drift.h"
#include "drift/stats.h"
#include "store/error.h"

/* Tolerances of the issue: statistics and distances 1e-9 relative (or
 * 1e-12 absolute); p-values 1e-5 relative or 1e-10 absolute. */
#define STAT_REL 1e-9
#define STAT_ABS 1e-12
#define P_REL 1e-5
#define P_ABS 1e-10

static char datadir[2048];

static void
set_datadir(void)
{
	const char *top = getenv("top_srcdir");

	snprintf(datadir, sizeof datadir, "%s/tests/data/drift", top ? top : ".");
}

static int
close_enough(double got, double want, double rel, double abs_)
{
	if (isnan(want))
		return isnan(got);
	if (isinf(want))
		return got == want;
	if (isnan(got) || isinf(got))
		return 0;
	double d = fabs(got - want);
	return d <= abs_ || d <= rel * fabs(want);
}

static void
check_close(const char *what, const char *ctx, double got, double want,
    double rel, double abs_)
{
	if (!close_enough(got, want, rel, abs_))
		fail_msg("%s %s: got %.17g, want %.17g (rel err %.3g)", ctx,
		    what, got, want, fabs(got - want) / fabs(want));
}

static FILE *
open_data(const char *name)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", datadir, name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	return f;
}

/* ---- every case of expected.txt through pl_drift_files ---- */

struct ecase {
	char name[64], ref[64], cur[64], method[32], thr[32], cats[256];
};

static int cases_run, columns_checked, skips_checked;

static void
run_case(const struct ecase *ec, char lines[][512], size_t nlines)
{
	struct pl_drift_opts o;
	pl_drift_report *rep = NULL;
	char refp[4200], curp[4200], err[1024];
	const char *cats[16];
	char catbuf[256];
	size_t ncats = 0;

	memset(&o, 0, sizeof o);
	o.threshold = NAN;
	if (strcmp(ec->method, "-") != 0) {
		o.method = pl_drift_method_parse(ec->method);
		assert_true(o.method > 0);
	}
	if (strcmp(ec->thr, "-") != 0)
		o.threshold = strtod(ec->thr, NULL);
	if (strcmp(ec->cats, "-") != 0) {
		snprintf(catbuf, sizeof catbuf, "%s", ec->cats);
		for (char *tok = strtok(catbuf, ","); tok && ncats < 16;
		    tok = strtok(NULL, ","))
			cats[ncats++] = tok;
		o.categorical = cats;
		o.n_categorical = ncats;
	}
	snprintf(refp, sizeof refp, "%s/%s", datadir, ec->ref);
	snprintf(curp, sizeof curp, "%s/%s", datadir, ec->cur);
	int rc = pl_drift_files(&rep, refp, curp, &o, err, sizeof err);
	if (rc != PL_OK)
		fail_msg("case %s: %s", ec->name, err);
	assert_int_equal(pl_drift_ncolumns(rep), nlines);
	size_t drifted = 0, tested = 0;
	for (size_t i = 0; i < nlines; i++) {
		char kind[8], name[64], type[16], method[32];
		double stat, p, score, thr;
		int drift;
		unsigned nvals;
		char ctx[256];
		const struct pl_drift_column *c = pl_drift_column(rep, i);

		int n = sscanf(lines[i], "%7s %63s %15s %31s %lf %lf %lf %lf %d %u",
		    kind, name, type, method, &stat, &p, &score, &thr, &drift, &nvals);
		snprintf(ctx, sizeof ctx, "case %s column %s (%s)", ec->name, name,
		    method);
		assert_string_equal(c->name, name);
		assert_string_equal(c->type == PL_DRIFT_NUMERICAL ? "numerical" :
		    "categorical", type);
		if (strcmp(pl_drift_method_name(c->method), method) != 0)
			fail_msg("%s: method %s", ctx, pl_drift_method_name(c->method));
		if (strcmp(kind, "skip") == 0) {
			assert_int_equal(n, 4);
			if (!c->skipped)
				fail_msg("%s: should be skipped", ctx);
			skips_checked++;
			continue;
		}
		assert_int_equal(n, 10);
		assert_false(c->skipped);
		int isp = pl_drift_method_is_pvalue(c->method);
		/* the z statistic is a statistic; p-values get the p tolerance */
		check_close("statistic", ctx, c->statistic, stat, STAT_REL, STAT_ABS);
		if (isp) {
			check_close("p_value", ctx, c->p_value, p, P_REL, P_ABS);
			check_close("score", ctx, c->score, score, P_REL, P_ABS);
		} else {
			assert_true(isnan(c->p_value));
			check_close("score", ctx, c->score, score, STAT_REL, STAT_ABS);
		}
		check_close("threshold", ctx, c->threshold, thr, 0, 0);
		if (c->drift != drift)
			fail_msg("%s: drift %d, want %d (score %.17g, threshold %g)",
			    ctx, c->drift, drift, c->score, c->threshold);
		if (c->n_values != nvals)
			fail_msg("%s: n_values %zu want %u", ctx, c->n_values, nvals);
		tested++;
		drifted += drift;
		columns_checked++;
	}
	assert_int_equal(pl_drift_tested(rep), tested);
	assert_int_equal(pl_drift_drifted(rep), drifted);
	double share = tested ? (double)drifted / (double)tested : 0;
	assert_true(pl_drift_share(rep) == share);
	assert_int_equal(pl_drift_dataset_drift(rep), tested && share >= 0.5);
	pl_drift_report_free(rep);
	cases_run++;
}

static void
test_expected_cases(void **state)
{
	FILE *f = open_data("expected.txt");
	static char lines[64][512];
	char line[512];
	struct ecase ec;
	size_t n = 0;
	int have = 0;

	(void)state;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		if (strncmp(line, "case ", 5) == 0) {
			if (have)
				run_case(&ec, lines, n);
			memset(&ec, 0, sizeof ec);
			assert_int_equal(sscanf(line, "case %63s %63s %63s %31s %31s %255s",
			    ec.name, ec.ref, ec.cur, ec.method, ec.thr, ec.cats), 6);
			n = 0;
			have = 1;
		} else if (n < 64) {
			snprintf(lines[n++], sizeof lines[0], "%s", line);
		}
	}
	if (have)
		run_case(&ec, lines, n);
	fclose(f);
	/* the fixture covers every test and the skip path */
	assert_true(cases_run >= 28);
	assert_true(columns_checked >= 150);
	assert_true(skips_checked >= 1);
}

/* ---- special functions and KS p-value paths ---- */

static void
test_ks_expected(void **state)
{
	FILE *f = open_data("ks-expected.txt");
	char line[512];
	int nks = 0, nkstwo = 0, nchi = 0, nndtr = 0, exact_seen = 0, asymp_seen = 0;

	(void)state;
	while (fgets(line, sizeof line, f)) {
		unsigned long a, b;
		double x, y, want;
		char ctx[128];

		if (line[0] == '#')
			continue;
		if (sscanf(line, "ks2 %lu %lu %lf %lf", &a, &b, &x, &want) == 4) {
			int exact;
			double p = pl_drift_ks_pvalue(x, a, b, &exact);
			snprintf(ctx, sizeof ctx, "ks2 n1=%lu n2=%lu D=%.17g", a, b, x);
			check_close("p", ctx, p, want, P_REL, P_ABS);
			exact_seen += exact;
			asymp_seen += !exact;
			nks++;
		} else if (sscanf(line, "kstwo %lu %lf %lf", &a, &x, &want) == 3) {
			snprintf(ctx, sizeof ctx, "kstwo n=%lu x=%.17g", a, x);
			check_close("sf", ctx, pl_drift_kolmogn_sf((double)a, x), want,
			    P_REL, P_ABS);
			nkstwo++;
		} else if (sscanf(line, "chi2 %lf %lf %lf", &x, &y, &want) == 3) {
			snprintf(ctx, sizeof ctx, "chi2 x=%g dof=%g", x, y);
			check_close("sf", ctx, pl_drift_chi2_sf(x, y), want, 1e-9, 1e-300);
			nchi++;
		} else if (sscanf(line, "ndtr %lf %lf", &x, &want) == 2) {
			snprintf(ctx, sizeof ctx, "ndtr x=%g", x);
			check_close("cdf", ctx, pl_drift_ndtr(x), want, 1e-14, 1e-300);
			nndtr++;
		}
	}
	fclose(f);
	assert_true(nks >= 50 && nkstwo >= 100 && nchi >= 40 && nndtr >= 10);
	assert_true(exact_seen > 10 && asymp_seen > 10);
}

/* ---- sorting ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
test_sort(void **state)
{
	size_t sizes[] = { 0, 1, 2, 63, 64, 65, 1000, 100003 };
	uint64_t s = 88172645463325252ull;

	(void)state;
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t n = sizes[k];
		double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y),
		    *tmp = malloc((n + 1) * sizeof *tmp);
		for (size_t i = 0; i < n; i++) {
			s ^= s << 13; s ^= s >> 7; s ^= s << 17;
			switch (s % 5) {
			case 0: x[i] = (double)(int64_t)(s >> 40) - 8e6; break;
			case 1: x[i] = ldexp((double)(s >> 11), -60) * ((s & 1) ? -1 : 1); break;
			case 2: x[i] = (double)(s % 7); break;	/* ties */
			case 3: x[i] = ((s >> 3) & 1) ? 1e300 : -1e-300; break;
			default: x[i] = 0.0; break;
			}
			y[i] = x[i];
		}
		pl_drift_sort(x, n, tmp);
		qsort(y, n, sizeof *y, cmp_double);
		for (size_t i = 0; i < n; i++)
			assert_true(x[i] == y[i]);
		/* the fused walk equals the separate functions bit for bit */
		if (n > 4) {
			size_t h = n / 3, nk, nref;
			double w1, d;
			pl_drift_walk(x, h, x + h, n - h, &nk, &nref, &w1, &d);
			assert_true(w1 == pl_drift_wasserstein(x, h, x + h, n - h));
			assert_true(d == pl_drift_ks_stat(x, h, x + h, n - h));
			assert_true(nref >= 1 && nk >= nref);
		}
		free(x);
		free(y);
		free(tmp);
	}
}

/* ---- hand-checked small cases (edge rules of the spec) ---- */

static void
test_sturges_edges(void **state)
{
	double *e;
	size_t nb;

	(void)state;
	/* constant data: [lo - 0.5, hi + 0.5] in one bin */
	nb = pl_drift_sturges_edges(3.0, 3.0, 10, &e);
	assert_int_equal(nb, 1);
	assert_true(e[0] == 2.5 && e[1] == 3.5);
	free(e);
	/* N = 8: log2(8) + 1 = 4 bins of width 1 over [0, 4]; last edge is hi */
	nb = pl_drift_sturges_edges(0.0, 4.0, 8, &e);
	assert_int_equal(nb, 4);
	assert_true(e[0] == 0 && e[2] == 2 && e[4] == 4.0);
	free(e);
	/* histogram: last bin closed, others half-open */
	double x[] = { 0, 1, 1, 2, 3.9, 4 }, c[4];
	nb = pl_drift_sturges_edges(0.0, 4.0, 8, &e);
	pl_drift_hist_sorted(x, 6, e, nb, c);
	assert_true(c[0] == 1 && c[1] == 2 && c[2] == 1 && c[3] == 2);
	free(e);
	/* a range wider than DBL_MAX (issue 15): finite, increasing edges,
	 * the ends exact, as many bins as for any other range */
	nb = pl_drift_sturges_edges(-DBL_MAX, DBL_MAX, 8, &e);
	assert_int_equal(nb, 4);
	assert_true(e[0] == -DBL_MAX && e[2] == 0 && e[4] == DBL_MAX);
	for (size_t i = 0; i < nb; i++)
		assert_true(isfinite(e[i]) && e[i] < e[i + 1]);
	free(e);
	/* NaN and infinite ends never size a huge or wrapped allocation */
	nb = pl_drift_sturges_edges(NAN, 1.0, 1000, &e);
	assert_true(nb >= 1 && nb <= 2 * (10 + 2));
	free(e);
	nb = pl_drift_sturges_edges(-INFINITY, INFINITY, 1000, &e);
	assert_true(nb >= 1 && nb <= 2 * (10 + 2));
	free(e);
	nb = pl_drift_sturges_edges(0, 5e-324, 1u << 20, &e);
	assert_true(nb >= 1 && nb <= 2 * (20 + 2));
	free(e);
}

static void
test_count_rules(void **state)
{
	double stat, p;

	(void)state;
	/* chi-square: key unseen in the reference -> inf, p = 0 */
	double r1[] = { 10, 5, 0 }, c1[] = { 3, 3, 1 };
	pl_drift_chisquare(r1, c1, 3, &stat, &p);
	assert_true(isinf(stat) && p == 0.0);
	/* single key: dof 0 -> NaN */
	double r2[] = { 4 }, c2[] = { 6 };
	pl_drift_chisquare(r2, c2, 1, &stat, &p);
	assert_true(isnan(p));
	/* z: one identical value on both sides -> p = 1 */
	pl_drift_ztest(r2, c2, 1, &stat, &p);
	assert_true(p == 1.0);
	/* z far in the tail: 2(1 - Φ) is exactly 0, as scipy gives */
	double r3[] = { 100000, 0 }, c3[] = { 0, 100000 };
	pl_drift_ztest(r3, c3, 2, &stat, &p);
	assert_true(p == 0.0);
	/* feel_zeroes: min <= 1e-4 -> min/1e6, else 1e-4; no renormalising */
	double r4[] = { 1, 0, 99999 }, c4[] = { 1, 1, 0 };
	pl_drift_percents(r4, c4, 3, 1);
	assert_true(r4[1] == (1.0 / 100000) / 1e6);
	assert_true(c4[2] == 0.0001);
	/* JS of identical distributions is 0; of disjoint ones sqrt(ln 2) */
	double r5[] = { 1, 0 }, c5[] = { 0, 1 };
	assert_true(fabs(pl_drift_js(r5, c5, 2) - sqrt(log(2.0))) < 1e-15);
	assert_true(pl_drift_js(r5, r5, 2) == 0.0);
	/* Hellinger of identical distributions is 0 */
	double r6[] = { 3, 5, 2 };
	assert_true(pl_drift_hellinger_cat(r6, r6, 3) < 1e-7);
}

static void
test_selection_rules(void **state)
{
	(void)state;
	assert_int_equal(pl_drift_method_parse("ks"), PL_DRIFT_KS);
	assert_int_equal(pl_drift_method_parse("jensenshannon"), PL_DRIFT_JENSENSHANNON);
	assert_int_equal(pl_drift_method_parse("nope"), -1);
	assert_false(pl_drift_method_applies(PL_DRIFT_KS, PL_DRIFT_CATEGORICAL));
	assert_false(pl_drift_method_applies(PL_DRIFT_Z, PL_DRIFT_NUMERICAL));
	assert_true(pl_drift_method_applies(PL_DRIFT_PSI, PL_DRIFT_CATEGORICAL));
	assert_true(pl_drift_default_threshold(PL_DRIFT_KS) == 0.05);
	assert_true(pl_drift_default_threshold(PL_DRIFT_ANDERSON) == 0.1);
	assert_true(pl_drift_default_threshold(PL_DRIFT_ED) == 0.1);
}

/* Bad input through the file API: clear messages, no crash. */
static void
test_bad_inputs(void **state)
{
	pl_drift_report *rep;
	char err[1024], ref[4200], cur[4200];
	struct pl_drift_opts o;
	int rc;

	(void)state;
	snprintf(ref, sizeof ref, "%s/small-ref.csv", datadir);
	snprintf(cur, sizeof cur, "%s/equal-cur.csv", datadir);
	memset(&o, 0, sizeof o);
	o.threshold = NAN;
	/* column present in one file only */
	rc = pl_drift_files(&rep, ref, cur, &o, err, sizeof err);
	assert_int_equal(rc, PL_ENOTFOUND);
	assert_null(rep);
	assert_non_null(strstr(err, "x_cont"));
	assert_non_null(strstr(err, "not in"));
	/* missing file */
	rc = pl_drift_files(&rep, "/nonexistent/ref.csv", cur, &o, err, sizeof err);
	assert_int_equal(rc, PL_ENOTFOUND);
	assert_non_null(strstr(err, "/nonexistent/ref.csv"));
	/* a method that applies to no column */
	snprintf(cur, sizeof cur, "%s/small-cur.csv", datadir);
	const char *cols[] = { "c_cat" };
	o.columns = cols;
	o.n_columns = 1;
	o.method = PL_DRIFT_KS;
	rc = pl_drift_files(&rep, ref, cur, &o, err, sizeof err);
	assert_int_equal(rc, PL_EINVAL);
	assert_non_null(strstr(err, "--method ks"));
	/* --numerical on a text column */
	o.method = 0;
	o.numerical = cols;
	o.n_numerical = 1;
	rc = pl_drift_files(&rep, ref, cur, &o, err, sizeof err);
	assert_int_equal(rc, PL_EINVAL);
	assert_non_null(strstr(err, "holds text"));
	/* --categorical naming no compared column */
	const char *bad[] = { "zzz" };
	o.numerical = NULL;
	o.n_numerical = 0;
	o.categorical = bad;
	o.n_categorical = 1;
	rc = pl_drift_files(&rep, ref, cur, &o, err, sizeof err);
	assert_int_equal(rc, PL_ENOTFOUND);
	assert_non_null(strstr(err, "zzz"));
}

/* A column empty after cleaning is skipped, named and left out of the share. */
static void
test_empty_column(void **state)
{
	const char *r = "a,b\n1,NA\n2,\n3,nan\n4,inf\n";
	const char *c = "a,b\n1,5\n2,6\n9,7\n";
	pl_csv_table *tr, *tc;
	pl_drift_report *rep;
	char err[256];

	(void)state;
	assert_int_equal(pl_csv_read_mem(&tr, "r", r, strlen(r), NULL, err, sizeof err), PL_OK);
	assert_int_equal(pl_csv_read_mem(&tc, "c", c, strlen(c), NULL, err, sizeof err), PL_OK);
	assert_int_equal(pl_drift_compare(&rep, tr, tc, NULL, err, sizeof err), PL_OK);
	assert_int_equal(pl_drift_ncolumns(rep), 2);
	const struct pl_drift_column *b = pl_drift_column(rep, 1);
	assert_true(b->skipped);
	assert_non_null(strstr(b->reason, "reference"));
	assert_int_equal(b->reference_missing, 4);
	assert_int_equal(pl_drift_tested(rep), 1);
	assert_non_null(strstr(pl_drift_notes(rep), "'b'"));
	/* a: 4 vs 3 values, 5 distinct -> chisquare (small reference) */
	assert_int_equal(pl_drift_column(rep, 0)->method, PL_DRIFT_CHISQUARE);
	pl_drift_report_free(rep);
	pl_csv_free(tr);
	pl_csv_free(tc);
}

/* The window-drift entry point (pl__drift_sorted, used by the monitor)
 * gives the same "not tested" verdict as plumb drift for a score with no
 * finite value: chi-square over one distinct value. */
static void
test_sorted_not_finite(void **state)
{
	(void)state;
	double a[] = {7, 7, 7, 7}, b[] = {7, 7, 7};
	struct pl_drift_column res;
	char why[128] = "";

	memset(&res, 0, sizeof res);
	assert_int_equal(pl__drift_sorted(&res, a, 4, b, 3, PL_DRIFT_NUMERICAL,
	    PL_DRIFT_CHISQUARE, NAN, why, sizeof why), PL_OK);
	assert_true(res.skipped);
	assert_false(res.drift);
	assert_true(isnan(res.score));
	assert_non_null(strstr(why, "more than one distinct value"));
}

/* Two results agree bit for bit (NaN equals NaN). */
static int
same(double x, double y)
{
	return memcmp(&x, &y, sizeof x) == 0 || (isnan(x) && isnan(y));
}

/*
 * A reference prepared once (the monitor's window drift) gives what the
 * plain walk and pl__drift_sorted give, bit for bit: interleaved samples
 * with ties, -0.0 beside 0.0, one side all below or above the other, one
 * distinct value, every default and forced numerical test.
 */
static void
test_prepared_reference(void **state)
{
	(void)state;
	uint64_t s = 0x9E3779B97F4A7C15ull;
	static const size_t n1s[] = { 1, 2, 7, 64, 1001, 5000 };
	static const size_t n2s[] = { 1, 3, 50, 700 };
	static const int methods[] = { 0, PL_DRIFT_KS, PL_DRIFT_WASSERSTEIN,
		PL_DRIFT_ED, PL_DRIFT_PSI, PL_DRIFT_JENSENSHANNON,
		PL_DRIFT_KL_DIV, PL_DRIFT_HELLINGER, PL_DRIFT_ANDERSON,
		PL_DRIFT_CHISQUARE, PL_DRIFT_Z };

	for (int shape = 0; shape < 5; shape++)
	for (size_t x1 = 0; x1 < sizeof n1s / sizeof n1s[0]; x1++)
	for (size_t x2 = 0; x2 < sizeof n2s / sizeof n2s[0]; x2++) {
		size_t n1 = n1s[x1], n2 = n2s[x2];
		double *a = malloc(n1 * sizeof *a), *b = malloc(n2 * sizeof *b),
		    *tmp = malloc((n1 > n2 ? n1 : n2) * sizeof *tmp);
		for (size_t i = 0; i < n1 + n2; i++) {
			s ^= s << 13; s ^= s >> 7; s ^= s << 17;
			double u = (double)(s >> 11) / 9007199254740992.0, x;
			switch (shape) {
			case 0: x = u * 10 - 5; break;		/* continuous */
			case 1: x = (double)(s % 9) - 4; break;	/* ties */
			case 2: x = (s % 3) == 0 ? -0.0 : (s % 3) == 1 ? 0.0 : u; break;
			case 3: x = i < n1 ? u : u + 2; break;	/* apart */
			default: x = 3; break;			/* one value */
			}
			if (i < n1)
				a[i] = x;
			else
				b[i - n1] = x == 0 ? 0.0 : x;
		}
		pl_drift_sort(a, n1, tmp);
		pl_drift_sort(b, n2, tmp);
		struct pl_drift_ref ref;
		assert_int_equal(pl_drift_ref_prepare(&ref, a, n1), 0);
		size_t k1, k2, r1, r2;
		double w1, w2, d1, d2;
		pl_drift_walk(a, n1, b, n2, &k1, &r1, &w1, &d1);
		pl_drift_walk_ref(&ref, b, n2, &k2, &r2, &w2, &d2);
		assert_int_equal(k1, k2);
		assert_int_equal(r1, r2);
		assert_true(same(w1, w2));
		assert_true(same(d1, d2));
		for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
			struct pl_drift_column x, y;
			char wx[160] = "", wy[160] = "";
			memset(&x, 0, sizeof x);
			memset(&y, 0, sizeof y);
			assert_int_equal(pl__drift_sorted(&x, a, n1, b, n2,
			    PL_DRIFT_NUMERICAL, methods[m], NAN, wx, sizeof wx), PL_OK);
			assert_int_equal(pl__drift_sorted_ref(&y, &ref, b, n2,
			    PL_DRIFT_NUMERICAL, methods[m], NAN, wy, sizeof wy), PL_OK);
			assert_int_equal(x.method, y.method);
			assert_int_equal(x.n_values, y.n_values);
			assert_int_equal(x.skipped, y.skipped);
			assert_int_equal(x.drift, y.drift);
			assert_true(same(x.statistic, y.statistic));
			assert_true(same(x.score, y.score));
			assert_true(same(x.p_value, y.p_value));
			assert_true(same(x.threshold, y.threshold));
			assert_string_equal(wx, wy);
		}
		pl_drift_ref_free(&ref);
		free(a);
		free(b);
		free(tmp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected_cases),
		cmocka_unit_test(test_ks_expected),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_sturges_edges),
		cmocka_unit_test(test_count_rules),
		cmocka_unit_test(test_selection_rules),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_empty_column),
		cmocka_unit_test(test_sorted_not_finite),
		cmocka_unit_test(test_prepared_reference),
	};

	set_datadir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
