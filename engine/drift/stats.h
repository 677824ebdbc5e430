/* stats.h - the statistical tests and distances behind drift.c (engine-internal, tested directly). */
#ifndef PL_ENGINE_DRIFT_STATS_H
#define PL_ENGINE_DRIFT_STATS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Numerical functions take the two cleaned samples SORTED ascending
 * (a[0..n1), b[0..n2), n1, n2 >= 1, no NaN or inf).  Categorical
 * functions take per-key counts r[k], c[k] (k < nk) over the union of the
 * keys of both sides, in a fixed (sorted) key order; n1 = Σr, n2 = Σc.
 * Section numbers refer to ../shared/reference/drift-spec.md.
 */

/* ---- sorting (sort.c) ---- */

/* Sorts x[0..n) ascending (LSD radix sort on the IEEE bits; tmp must hold
 * n doubles).  x must hold no NaN.  -0.0 sorts before +0.0. */
void pl_drift_sort(double *x, size_t n, double *tmp);

/* ---- special functions (special.c) ---- */

/* Regularised upper incomplete gamma Q(a, x). */
double pl_drift_igamc(double a, double x);
/* chi2.sf(x, dof) = Q(dof/2, x/2); NaN for dof <= 0. */
double pl_drift_chi2_sf(double x, double dof);
/* Standard normal CDF Φ(x) (scipy's ndtr). */
double pl_drift_ndtr(double x);
/* Compensated (Neumaier) summation helper. */
struct pl_drift_sum { double s, c; };
static inline void
pl_drift_sum_add(struct pl_drift_sum *k, double x)
{
	double t = k->s + x;
	if ((k->s < 0 ? -k->s : k->s) >= (x < 0 ? -x : x))
		k->c += (k->s - t) + x;
	else
		k->c += (x - t) + k->s;
	k->s = t;
}
static inline double
pl_drift_sum_get(const struct pl_drift_sum *k)
{
	return k->s + k->c;
}

/* ---- Kolmogorov–Smirnov (ks.c, §1.5 "KS") ---- */

/* Two-sample statistic D = max |F1 - F2| (scipy ks_2samp). */
double pl_drift_ks_stat(const double *a, size_t n1, const double *b,
    size_t n2);
/* scipy's method='auto' two-sided p-value for statistic D: exact when
 * max(n1, n2) <= 10000, else asymptotic.  *exact (may be NULL) tells
 * which path was used. */
double pl_drift_ks_pvalue(double D, size_t n1, size_t n2, int *exact);
/* Exact path: Pr(D_{n1,n2} >= D). */
double pl_drift_ks_exact(double D, size_t n1, size_t n2);
/* kstwo.sf(x, n): survival function of the one-sample two-sided
 * statistic (Simard & L'Ecuyer's algorithm selection). */
double pl_drift_kolmogn_sf(double n, double x);
/* One-sided Smirnov survival Pr(D+_n >= x) (Birnbaum–Tingey). */
double pl_drift_smirnov(double n, double x);

/* ---- numerical tests on sorted samples (stats.c) ---- */

/* scipy.stats.wasserstein_distance (W1). */
double pl_drift_wasserstein(const double *a, size_t n1, const double *b,
    size_t n2);
/* One walk: distinct values over both samples and in a, W1 and KS D
 * (bit-identical to the separate functions). */
void pl_drift_walk(const double *a, size_t n1, const double *b, size_t n2,
    size_t *nk, size_t *nref, double *w1, double *ks_d);
/*
 * A sorted, cleaned reference prepared once for many walks (the monitor's
 * window drift): its distinct values u[0..nu) and at each the empirical
 * CDF F[k] = #(v <= u[k]) / n, computed as the walk computes it, and its
 * standard deviation.  pl_drift_walk_ref(ref, b) equals
 * pl_drift_walk(v, n, b) bit for bit, in about half the time: no division
 * and no tie scan per reference value.  v stays the caller's.
 */
struct pl_drift_ref {
	const double *v;
	size_t n;
	double std;		/* pl_drift_std(v, n); NAN when n is 0 */
	double *u, *F;
	size_t nu;
};
/* 0, or -1 out of memory (then *r holds nothing to free). */
int pl_drift_ref_prepare(struct pl_drift_ref *r, const double *v, size_t n);
void pl_drift_ref_free(struct pl_drift_ref *r);
void pl_drift_walk_ref(const struct pl_drift_ref *r, const double *b,
    size_t n2, size_t *nk, size_t *nref, double *w1, double *ks_d);
/* scipy.stats.energy_distance. */
double pl_drift_energy(const double *a, size_t n1, const double *b,
    size_t n2);
/* np.std(x, ddof=0). */
double pl_drift_std(const double *x, size_t n);
/* scipy.stats.anderson_ksamp([a, b]) (midrank): statistic A2 and the
 * interpolated p-value capped to [0.001, 0.25].  Returns -1 (and sets
 * NaN) when there is only one distinct value over both samples. */
int pl_drift_anderson(const double *a, size_t n1, const double *b,
    size_t n2, double *stat, double *p);

/*
 * numpy.histogram_bin_edges(x, "sturges") for data with minimum lo,
 * maximum hi and size N: returns the bin count nb and writes nb + 1 edges
 * into *edges (malloc'd; the caller frees).  Returns 0 on OOM.  Any lo and
 * hi are safe: the count is clamped to [1, 2*(log2 N + 2)] and a range
 * wider than the largest double is handled exactly (see the definition).
 */
size_t pl_drift_sturges_edges(double lo, double hi, size_t N, double **edges);
/* np.histogram(x, edges) for sorted x: counts[i] for i < nb. */
void pl_drift_hist_sorted(const double *x, size_t n, const double *edges,
    size_t nb, double *counts);

/* Numerical Hellinger (§1.5: Sturges over the distinct values). */
double pl_drift_hellinger_num(const double *a, size_t n1, const double *b,
    size_t n2);

/* ---- tests on count vectors (stats.c) ---- */

/* scipy.stats.chisquare(f_obs = c, f_exp = r * n2/n1). */
void pl_drift_chisquare(const double *r, const double *c, size_t nk,
    double *stat, double *p);
/* Evidently's two-proportion z-test (key 0 is the smallest key). */
void pl_drift_ztest(const double *r, const double *c, size_t nk,
    double *z, double *p);

/*
 * Turns counts into Evidently's get_binned_data percents in place:
 * r[k] /= n1, c[k] /= n2, then, if feel_zeroes, every zero of each side
 * becomes min(nonzero)/1e6 when min(nonzero) <= 1e-4, else 1e-4.
 */
void pl_drift_percents(double *r, double *c, size_t nk, int feel_zeroes);
/* On percents: PSI = Σ (r-c) ln(r/c). */
double pl_drift_psi(const double *r, const double *c, size_t nk);
/* scipy.stats.entropy(r, c) (renormalised, natural log). */
double pl_drift_kl(const double *r, const double *c, size_t nk);
/* scipy.spatial.distance.jensenshannon(r, c) (natural log). */
double pl_drift_js(const double *r, const double *c, size_t nk);
/* Categorical Hellinger on counts. */
double pl_drift_hellinger_cat(const double *r, const double *c, size_t nk);

/* ---- shared with the monitor (drift.c) ---- */

struct pl_drift_column;
/*
 * One column's test, threshold and decision on two samples already
 * cleaned and SORTED (a: reference, b: current), exactly as
 * pl_drift_compare() does it: the default test chosen from n1 and the
 * distinct values over both sides, or forced_method (which must apply to
 * type); threshold NAN for the test's default.  Fills every field of res
 * but name and the missing counts; an empty side is reported skipped
 * with the reason.  Returns PL_OK or PL_ENOMEM.
 */
int pl__drift_sorted(struct pl_drift_column *res, const double *a, size_t n1,
    const double *b, size_t n2, int type, int forced_method,
    double threshold, char *reason, size_t reasonlen);
/* The same against a reference prepared once (pl_drift_ref_prepare) and
 * reused by many windows: bit-identical results. */
int pl__drift_sorted_ref(struct pl_drift_column *res,
    const struct pl_drift_ref *ref, const double *b, size_t n2, int type,
    int forced_method, double threshold, char *reason, size_t reasonlen);

#endif
