/* stats.c - Evidently's drift tests and distances on sorted samples and count vectors (spec §1.4-1.5). */
#include "config.h"
#include "drift/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * scipy's _cdf_distance(p, u, v): over the merged sorted values
 * w_0 <= w_1 <= ..., Σ |U(w_k) - V(w_k)|^p (w_{k+1} - w_k), with
 * U(t) = #(u <= t)/n1.  Zero-width steps (ties) add nothing, so walking
 * the distinct values gives the same sum.  Returns the raw sum (p = 1) or
 * sum of squares (p = 2) before any root.
 */
static double
cdf_distance_sum(const double *a, size_t n1, const double *b, size_t n2,
    int power)
{
	struct pl_drift_sum s = { 0, 0 };
	size_t i = 0, j = 0;
	double v;

	/* first distinct value */
	v = (b[0] < a[0]) ? b[0] : a[0];
	for (;;) {
		while (i < n1 && a[i] <= v)
			i++;
		while (j < n2 && b[j] <= v)
			j++;
		if (i >= n1 && j >= n2)
			break;
		double next;
		if (i >= n1)
			next = b[j];
		else if (j >= n2)
			next = a[i];
		else
			next = a[i] < b[j] ? a[i] : b[j];
		double d = (double)i / (double)n1 - (double)j / (double)n2;
		d = fabs(d);
		pl_drift_sum_add(&s, (power == 1 ? d : d * d) * (next - v));
		v = next;
	}
	return pl_drift_sum_get(&s);
}

double
pl_drift_wasserstein(const double *a, size_t n1, const double *b, size_t n2)
{
	return cdf_distance_sum(a, n1, b, n2, 1);
}

/* scipy.stats.energy_distance = √2 · sqrt(∫ (U - V)²). */
double
pl_drift_energy(const double *a, size_t n1, const double *b, size_t n2)
{
	return sqrt(2.0) * sqrt(cdf_distance_sum(a, n1, b, n2, 2));
}

/* np.std(x) (ddof 0): mean first, then the mean squared deviation. */
double
pl_drift_std(const double *x, size_t n)
{
	struct pl_drift_sum s = { 0, 0 }, q = { 0, 0 };

	for (size_t i = 0; i < n; i++)
		pl_drift_sum_add(&s, x[i]);
	double mean = pl_drift_sum_get(&s) / (double)n;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - mean;
		pl_drift_sum_add(&q, d * d);
	}
	return sqrt(pl_drift_sum_get(&q) / (double)n);
}

/*
 * scipy.stats.anderson_ksamp([a, b], midrank=True) (Scholz & Stephens
 * 1987, eq. 7).  For each distinct value z_j of the pooled sample:
 * l_j = its multiplicity, B_j = #(pooled < z_j) + l_j/2, and per sample
 * M_ij = #(s_i <= z_j) - f_ij/2 (f_ij = multiplicity in s_i);
 * A2akN = (N-1)/N Σ_i 1/n_i Σ_j l_j/N (N M_ij - B_j n_i)² /
 *         (B_j (N - B_j) - N l_j/4).
 * It is standardised with the variance σ² of eq. 4 (H, h, g sums) and
 * the p-value interpolated on log(significance) by a quadratic fit to
 * the critical values b0 + b1/√m + b2/m, m = k-1 = 1, capped to
 * [0.001, 0.25] as scipy 1.10 does.
 */
int
pl_drift_anderson(const double *a, size_t n1, const double *b, size_t n2,
    double *stat, double *pval)
{
	const double N = (double)(n1 + n2);
	struct pl_drift_sum acc1 = { 0, 0 }, acc2 = { 0, 0 };
	size_t i = 0, j = 0, ndistinct = 0;

	*stat = *pval = NAN;
	if (a[0] == a[n1 - 1] && b[0] == b[n2 - 1] && a[0] == b[0])
		return -1;	/* "needs more than one distinct observation" */
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
		ndistinct++;
		double lj = (double)((i - i0) + (j - j0));
		double Bj = (double)(i0 + j0) + lj / 2.0;
		double M1 = (double)i - (double)(i - i0) / 2.0;
		double M2 = (double)j - (double)(j - j0) / 2.0;
		double den = Bj * (N - Bj) - N * lj / 4.0;
		double t1 = N * M1 - Bj * (double)n1;
		double t2 = N * M2 - Bj * (double)n2;
		pl_drift_sum_add(&acc1, lj / N * t1 * t1 / den);
		pl_drift_sum_add(&acc2, lj / N * t2 * t2 / den);
	}
	(void)ndistinct;
	double A2kN = pl_drift_sum_get(&acc1) / (double)n1 +
	    pl_drift_sum_get(&acc2) / (double)n2;
	A2kN *= (N - 1.0) / N;

	/* H = Σ 1/n_i; h = Σ_{i=1}^{N-1} 1/i; g = Σ_{i=1}^{N-2} Σ_{j=i+1}^{N-1}
	 * 1/((N-i) j), computed the way scipy does: hs_cs = cumsum(1/(N-1),
	 * 1/(N-2), ..., 1/2), h = hs_cs[-1] + 1, g = Σ hs_cs[k]/(k+2). */
	double k = 2.0, H = 1.0 / (double)n1 + 1.0 / (double)n2;
	struct pl_drift_sum hs = { 0, 0 }, gs = { 0, 0 };
	size_t Nn = n1 + n2;
	for (size_t q = 0; q + 2 < Nn; q++) {	/* q = 0 .. N-3 */
		pl_drift_sum_add(&hs, 1.0 / (double)(Nn - 1 - q));
		pl_drift_sum_add(&gs, pl_drift_sum_get(&hs) / (double)(q + 2));
	}
	double h = pl_drift_sum_get(&hs) + 1.0, g = pl_drift_sum_get(&gs);
	double ca = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
	double cb = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * H -
	    8 * h + 4 * g - 6;
	double cc = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k +
	    (2 * h - 6) * H + 4 * h;
	double cd = (2 * h + 6) * k * k - 4 * h * k;
	double sigmasq = (ca * N * N * N + cb * N * N + cc * N + cd) /
	    ((N - 1.0) * (N - 2.0) * (N - 3.0));
	double m = k - 1;
	double A2 = (A2kN - m) / sqrt(sigmasq);

	static const double b0[7] = { 0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085 };
	static const double b1[7] = { -0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615 };
	static const double b2[7] = { -0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154 };
	static const double sig[7] = { 0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001 };
	double crit[7], cmin = INFINITY, cmax = -INFINITY;
	for (int q = 0; q < 7; q++) {
		crit[q] = b0[q] + b1[q] / sqrt(m) + b2[q] / m;
		cmin = fmin(cmin, crit[q]);
		cmax = fmax(cmax, crit[q]);
	}
	*stat = A2;
	if (A2 < cmin) {
		*pval = 0.25;
	} else if (A2 > cmax) {
		*pval = 0.001;
	} else {
		/* least-squares quadratic log(sig) ≈ c2 x² + c1 x + c0 via the
		 * normal equations in long double, on centred x for conditioning */
		long double xm = 0, S[5] = { 0 }, T[3] = { 0 };
		for (int q = 0; q < 7; q++)
			xm += crit[q];
		xm /= 7;
		for (int q = 0; q < 7; q++) {
			long double x = crit[q] - xm, y = logl(sig[q]), p = 1;
			for (int e = 0; e < 5; e++) {
				S[e] += p;
				if (e < 3)
					T[e] += p * y;
				p *= x;
			}
		}
		/* solve [S0 S1 S2; S1 S2 S3; S2 S3 S4] c = T by Cramer */
		long double M[3][3] = { { S[0], S[1], S[2] }, { S[1], S[2], S[3] },
			{ S[2], S[3], S[4] } };
		long double det = M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
		    M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
		    M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
		long double c[3];
		for (int col = 0; col < 3; col++) {
			long double R[3][3];
			memcpy(R, M, sizeof R);
			for (int r = 0; r < 3; r++)
				R[r][col] = T[r];
			c[col] = (R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) -
			    R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) +
			    R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0])) / det;
		}
		long double x = A2 - xm;
		*pval = (double)expl(c[0] + c[1] * x + c[2] * x * x);
	}
	return 0;
}

/*
 * numpy.histogram_bin_edges(x, bins="sturges") (spec §1.4): width from the
 * data range, count = ceil((hi - lo)/width) in that exact order (it can
 * exceed ceil(log2 N + 1) by one), edges by linspace: i*step + lo, the
 * last one exactly hi.  A zero range widens to [lo - 0.5, hi + 0.5], 1 bin.
 *
 * Hostile data: the bin count is a float computed from the data, so it is
 * clamped to [1, 2*(log2 N + 2)] before it sizes an allocation (a NaN,
 * an infinity or a rounding accident can never ask for a huge or wrapped
 * size; on finite data the count is at most log2 N + 2, so the clamp never
 * changes a result numpy would give).  A range wider than the largest
 * double (lo near -1e308, hi near +1e308: numpy overflows to inf and
 * fails) is computed on lo/2 and hi/2 and the edges doubled back: halving
 * and doubling are exact there, so the edges are the ones numpy would give
 * with an unbounded exponent.
 */
size_t
pl_drift_sturges_edges(double lo, double hi, size_t N, double **edges)
{
	double sturges = log2((double)(N ? N : 1)) + 1.0;
	double scale = 1.0;
	double first = lo, last = hi, nbf;
	size_t nb, cap = 2 * ((size_t)sturges + 2);

	*edges = NULL;
	if (isfinite(lo) && isfinite(hi) && !isfinite(hi - lo)) {
		scale = 2.0;
		first = lo / 2;
		last = hi / 2;
	}
	double width = (last - first) / sturges;
	if (first == last) {
		first -= 0.5;
		last += 0.5;
	}
	if (width != 0)
		nbf = ceil((last - first) / width);
	else
		nbf = 1;
	if (!(nbf >= 1))	/* also NaN */
		nb = 1;
	else if (nbf > (double)cap)
		nb = cap;
	else
		nb = (size_t)nbf;
	*edges = malloc((nb + 1) * sizeof **edges);
	if (*edges == NULL)
		return 0;
	double delta = last - first, step = delta / (double)nb;
	for (size_t i = 0; i <= nb; i++) {
		if (step == 0)
			(*edges)[i] = ((double)i / (double)nb) * delta + first;
		else
			(*edges)[i] = (double)i * step + first;
		(*edges)[i] *= scale;
	}
	(*edges)[nb] = scale == 1.0 ? last : hi;
	return nb;
}

/* first index with x[k] >= v (left) or x[k] > v (right) */
static size_t
lower_bound(const double *x, size_t n, double v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t
upper_bound(const double *x, size_t n, double v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* np.histogram(x, edges): bins [e_i, e_{i+1}), the last one closed. */
void
pl_drift_hist_sorted(const double *x, size_t n, const double *e, size_t nb,
    double *counts)
{
	size_t prev = lower_bound(x, n, e[0]);

	for (size_t i = 0; i < nb; i++) {
		size_t next = (i + 1 == nb) ? upper_bound(x, n, e[nb]) :
		    lower_bound(x, n, e[i + 1]);
		counts[i] = (double)(next - prev);
		prev = next;
	}
}

/*
 * Evidently's numerical Hellinger: Sturges edges over the DISTINCT values
 * of both samples (their count, not N, enters Sturges), densities
 * h = count / width / n, bw = (max edge - min edge)/(#edges - 1),
 * BC = Σ sqrt(h1 h2) bw (a plain running sum, as the Python loop),
 * H = sqrt(1 - clip(BC, 0, 1)).
 */
double
pl_drift_hellinger_num(const double *a, size_t n1, const double *b, size_t n2)
{
	size_t i = 0, j = 0, nu = 0, nb;
	double lo = fmin(a[0], b[0]), hi = fmax(a[n1 - 1], b[n2 - 1]);
	double *edges, *h1, *h2, bc = 0;

	while (i < n1 || j < n2) {
		double v;
		if (j >= n2 || (i < n1 && a[i] <= b[j]))
			v = a[i];
		else
			v = b[j];
		while (i < n1 && a[i] <= v)
			i++;
		while (j < n2 && b[j] <= v)
			j++;
		nu++;
	}
	nb = pl_drift_sturges_edges(lo, hi, nu, &edges);
	if (nb == 0)
		return NAN;
	h1 = malloc(nb * sizeof *h1);
	h2 = malloc(nb * sizeof *h2);
	if (h1 == NULL || h2 == NULL) {
		free(h1);
		free(h2);
		free(edges);
		return NAN;
	}
	pl_drift_hist_sorted(a, n1, edges, nb, h1);
	pl_drift_hist_sorted(b, n2, edges, nb, h2);
	double bw = (edges[nb] - edges[0]) / (double)nb;
	for (size_t k = 0; k < nb; k++) {
		double db = edges[k + 1] - edges[k];
		double d1 = h1[k] / db / (double)n1, d2 = h2[k] / db / (double)n2;
		bc += sqrt(d1 * d2) * bw;
	}
	free(edges);
	free(h1);
	free(h2);
	bc = fmin(fmax(bc, 0), 1);
	return sqrt(1 - bc);
}

/* ---------------- count-vector tests ---------------- */

static double
total(const double *x, size_t n)
{
	struct pl_drift_sum s = { 0, 0 };

	for (size_t i = 0; i < n; i++)
		pl_drift_sum_add(&s, x[i]);
	return pl_drift_sum_get(&s);
}

/*
 * scipy.stats.chisquare(f_obs, f_exp) as Evidently calls it:
 * f_exp = r * (n2/n1), f_obs = c, stat = Σ (f_obs - f_exp)²/f_exp,
 * p = chi2.sf(stat, k - 1).  A key unseen in the reference gives
 * f_exp = 0 < f_obs: stat = inf, p = 0.  One key: dof 0, p = NaN.
 */
void
pl_drift_chisquare(const double *r, const double *c, size_t nk,
    double *stat, double *p)
{
	double n1 = total(r, nk), n2 = total(c, nk), knorm = n2 / n1;
	struct pl_drift_sum s = { 0, 0 };
	int inf = 0;

	for (size_t k = 0; k < nk; k++) {
		double fe = r[k] * knorm, d = c[k] - fe;
		if (fe == 0) {
			if (d != 0)
				inf = 1;
			continue;
		}
		pl_drift_sum_add(&s, d * d / fe);
	}
	*stat = inf ? INFINITY : pl_drift_sum_get(&s);
	*p = pl_drift_chi2_sf(*stat, (double)nk - 1.0);
}

/*
 * Evidently's z-test: if both sides hold one and the same value, p = 1.
 * Otherwise values map to 0 (the smallest key, k = 0) or 1;
 * p1, p2 = shares of ones, P = pooled share,
 * z = (p1 - p2)/sqrt(P(1-P)(1/n1 + 1/n2)), p = 2(1 - Φ(|z|)).
 */
void
pl_drift_ztest(const double *r, const double *c, size_t nk, double *z,
    double *p)
{
	double n1 = total(r, nk), n2 = total(c, nk);

	if (nk <= 1) {
		*z = 0;
		*p = 1;
		return;
	}
	double p1 = (n1 - r[0]) / n1, p2 = (n2 - c[0]) / n2;
	double P = (p1 * n1 + p2 * n2) / (n1 + n2);
	*z = (p1 - p2) / sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));
	*p = 2 * (1 - pl_drift_ndtr(fabs(*z)));
}

static void
fill_zeroes(double *x, size_t n)
{
	double mn = INFINITY;

	for (size_t k = 0; k < n; k++)
		if (x[k] != 0 && x[k] < mn)
			mn = x[k];
	if (isinf(mn))
		return;		/* all zero: cannot happen for a non-empty side */
	double fill = mn <= 0.0001 ? mn / 1e6 : 0.0001;
	for (size_t k = 0; k < n; k++)
		if (x[k] == 0)
			x[k] = fill;
}

void
pl_drift_percents(double *r, double *c, size_t nk, int feel_zeroes)
{
	double n1 = total(r, nk), n2 = total(c, nk);

	for (size_t k = 0; k < nk; k++) {
		r[k] /= n1;
		c[k] /= n2;
	}
	if (feel_zeroes) {
		fill_zeroes(r, nk);
		fill_zeroes(c, nk);
	}
}

double
pl_drift_psi(const double *r, const double *c, size_t nk)
{
	double s = 0;

	for (size_t k = 0; k < nk; k++)
		s += (r[k] - c[k]) * log(r[k] / c[k]);
	return s;
}

/* rel_entr(x, y) = x ln(x/y), 0 for x = 0, inf for y = 0 < x. */
static double
rel_entr(double x, double y)
{
	if (x > 0 && y > 0)
		return x * log(x / y);
	if (x == 0 && y >= 0)
		return 0;
	return INFINITY;
}

double
pl_drift_kl(const double *r, const double *c, size_t nk)
{
	double sr = total(r, nk), sc = total(c, nk);
	struct pl_drift_sum s = { 0, 0 };

	for (size_t k = 0; k < nk; k++)
		pl_drift_sum_add(&s, rel_entr(r[k] / sr, c[k] / sc));
	return pl_drift_sum_get(&s);
}

double
pl_drift_js(const double *r, const double *c, size_t nk)
{
	double sr = total(r, nk), sc = total(c, nk);
	struct pl_drift_sum L = { 0, 0 }, R = { 0, 0 };

	for (size_t k = 0; k < nk; k++) {
		double p = r[k] / sr, q = c[k] / sc, m = (p + q) / 2.0;
		pl_drift_sum_add(&L, rel_entr(p, m));
		pl_drift_sum_add(&R, rel_entr(q, m));
	}
	double js = (pl_drift_sum_get(&L) + pl_drift_sum_get(&R)) / 2.0;
	return sqrt(js);
}

double
pl_drift_hellinger_cat(const double *r, const double *c, size_t nk)
{
	double n1 = total(r, nk), n2 = total(c, nk), bc = 0;

	for (size_t k = 0; k < nk; k++)
		bc += sqrt((r[k] / n1) * (c[k] / n2));
	bc = fmin(fmax(bc, 0), 1);
	return sqrt(1 - bc);
}

/*
 * One pass over both sorted samples for the common path: the number of
 * distinct values over both (*nk) and in the reference alone (*nref), the
 * W1 integral and the KS statistic - the same operations, in the same
 * order, as num_keys(), pl_drift_wasserstein() and pl_drift_ks_stat(), so
 * the results are bit-identical; one walk instead of three over 2N values.
 */
void
pl_drift_walk(const double *a, size_t n1, const double *b, size_t n2,
    size_t *nk, size_t *nref, double *w1, double *ks_d)
{
	struct pl_drift_sum s = { 0, 0 };
	size_t i = 0, j = 0, k = 0, nu = 0;
	double dmax = 0, dmin = 0;
	double v = (b[0] < a[0]) ? b[0] : a[0];

	for (;;) {
		size_t i0 = i;
		while (i < n1 && a[i] <= v)
			i++;
		while (j < n2 && b[j] <= v)
			j++;
		k++;
		nu += i > i0;
		double d = (double)i / (double)n1 - (double)j / (double)n2;
		if (d > dmax)
			dmax = d;
		if (d < dmin)
			dmin = d;
		if (i >= n1 && j >= n2)
			break;
		/*
		 * The common stretch: reference values below the next current
		 * value b[j] (so j, and j/n2, stay put).  The same operations
		 * in the same order as the general step, minus its branches: a
		 * 100k-row reference against a 5k-row window spends nearly all
		 * of its steps here.  Ends with d of the last value walked.
		 */
		if (j < n2 && i < n1 && a[i] < b[j]) {
			const double bj = b[j], dj = (double)j / (double)n2;
			do {
				double next = a[i];
				pl_drift_sum_add(&s, fabs(d) * (next - v));
				v = next;
				i++;
				while (i < n1 && a[i] <= v)
					i++;
				k++;
				nu++;
				d = (double)i / (double)n1 - dj;
				if (d > dmax)
					dmax = d;
				if (d < dmin)
					dmin = d;
			} while (i < n1 && a[i] < bj);
		}
		double next;
		if (i >= n1)
			next = b[j];
		else if (j >= n2)
			next = a[i];
		else
			next = a[i] < b[j] ? a[i] : b[j];
		pl_drift_sum_add(&s, fabs(d) * (next - v));
		v = next;
	}
	dmin = -dmin;
	if (dmin > 1)
		dmin = 1;
	*nk = k;
	*nref = nu;
	*w1 = pl_drift_sum_get(&s);
	*ks_d = dmin > dmax ? dmin : dmax;
}

int
pl_drift_ref_prepare(struct pl_drift_ref *r, const double *v, size_t n)
{
	size_t nu = 0;

	memset(r, 0, sizeof *r);
	r->u = malloc((n ? n : 1) * sizeof *r->u);
	r->F = malloc((n ? n : 1) * sizeof *r->F);
	if (r->u == NULL || r->F == NULL) {
		pl_drift_ref_free(r);
		return -1;
	}
	/* Groups by the walk's own test (a[i] <= v), so -0.0 and 0.0 are one
	 * value, represented, as in the walk, by the first of the group. */
	for (size_t i = 0; i < n;) {
		double x = v[i];
		while (i < n && v[i] <= x)
			i++;
		r->u[nu] = x;
		r->F[nu] = (double)i / (double)n;
		nu++;
	}
	r->v = v;
	r->n = n;
	r->nu = nu;
	r->std = n ? pl_drift_std(v, n) : NAN;
	return 0;
}

void
pl_drift_ref_free(struct pl_drift_ref *r)
{
	free(r->u);
	free(r->F);
	memset(r, 0, sizeof *r);
}

/*
 * pl_drift_walk() with the reference side read from its distinct values:
 * at a merged value w the walk's i / n1 is F of the last distinct
 * reference value <= w (0 before the first), the very double the walk
 * divides out; every other operation is the walk's, in its order.
 */
void
pl_drift_walk_ref(const struct pl_drift_ref *r, const double *b, size_t n2,
    size_t *nk, size_t *nref, double *w1, double *ks_d)
{
	const double *u = r->u, *F = r->F;
	const size_t nu_ref = r->nu;
	struct pl_drift_sum s = { 0, 0 };
	size_t p = 0, j = 0, k = 0, nu = 0;
	double dmax = 0, dmin = 0, Fi = 0.0 / (double)r->n;
	double v = (b[0] < u[0]) ? b[0] : u[0];

	for (;;) {
		/* at most one distinct reference value is <= v here */
		int adv = p < nu_ref && u[p] <= v;
		if (adv)
			Fi = F[p++];
		while (j < n2 && b[j] <= v)
			j++;
		k++;
		nu += adv;
		double d = Fi - (double)j / (double)n2;
		if (d > dmax)
			dmax = d;
		if (d < dmin)
			dmin = d;
		if (p >= nu_ref && j >= n2)
			break;
		if (j < n2 && p < nu_ref && u[p] < b[j]) {
			const double bj = b[j], dj = (double)j / (double)n2;
			do {
				double next = u[p];
				pl_drift_sum_add(&s, fabs(d) * (next - v));
				v = next;
				d = F[p++] - dj;
				k++;
				nu++;
				if (d > dmax)
					dmax = d;
				if (d < dmin)
					dmin = d;
			} while (p < nu_ref && u[p] < bj);
			Fi = F[p - 1];
		}
		double next;
		if (p >= nu_ref)
			next = b[j];
		else if (j >= n2)
			next = u[p];
		else
			next = u[p] < b[j] ? u[p] : b[j];
		pl_drift_sum_add(&s, fabs(d) * (next - v));
		v = next;
	}
	dmin = -dmin;
	if (dmin > 1)
		dmin = 1;
	*nk = k;
	*nref = nu;
	*w1 = pl_drift_sum_get(&s);
	*ks_d = dmin > dmax ? dmin : dmax;
}
