/* scale.c - nice tick steps, SI-ish labels, log ticks and per-pixel min/max decimation. */
#include "config.h"
#include "scale.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

double
wscale_nice_step(double range, int maxticks)
{
	double raw, mag, f;

	if (!(range > 0) || !isfinite(range))
		return 1;
	if (maxticks < 1)
		maxticks = 1;
	raw = range / maxticks;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	/* Guard against 0.999999 from the division. */
	if (f <= 1 + 1e-9)
		f = 1;
	else if (f <= 2 + 1e-9)
		f = 2;
	else if (f <= 5 + 1e-9)
		f = 5;
	else
		f = 10;
	return f * mag;
}

void
wscale_nice_range(double *lo, double *hi, int maxticks)
{
	double step;

	if (!isfinite(*lo) || !isfinite(*hi))
		return;
	if (*lo > *hi) {
		double t = *lo;

		*lo = *hi;
		*hi = t;
	}
	if (*lo == *hi) {
		double d = fabs(*lo) * 0.1;

		if (d == 0)
			d = 1;
		*lo -= d;
		*hi += d;
	}
	step = wscale_nice_step(*hi - *lo, maxticks);
	*lo = floor(*lo / step + 1e-9) * step;
	*hi = ceil(*hi / step - 1e-9) * step;
	/* The widened range may need a larger step: one more pass. */
	step = wscale_nice_step(*hi - *lo, maxticks);
	*lo = floor(*lo / step + 1e-9) * step;
	*hi = ceil(*hi / step - 1e-9) * step;
}

int
wscale_ticks(double lo, double hi, int maxticks, double *ticks, int max,
    double *step_out)
{
	double step, t, first;
	int n = 0, i;

	if (!isfinite(lo) || !isfinite(hi) || hi < lo)
		return 0;
	step = wscale_nice_step(hi - lo, maxticks);
	if (step_out != NULL)
		*step_out = step;
	first = ceil(lo / step - 1e-9);
	for (i = 0; n < max; i++) {
		t = (first + i) * step;
		if (t > hi + step * 1e-9)
			break;
		if (fabs(t) < step * 1e-9)
			t = 0;	/* no "-0" */
		ticks[n++] = t;
	}
	return n;
}

int
wscale_log_ticks(double lo, double hi, int maxticks, double *ticks, int max)
{
	int d0, d1, k, d, n = 0, every;
	static const double mult[] = { 1, 2, 5 };
	int nmult;

	if (!(lo > 0) || !(hi >= lo) || !isfinite(hi))
		return 0;
	if (maxticks < 1)
		maxticks = 1;
	d0 = (int)floor(log10(lo) + 1e-9);
	d1 = (int)floor(log10(hi) + 1e-9);
	every = (d1 - d0 + 1 + maxticks - 1) / maxticks;
	if (every < 1)
		every = 1;
	nmult = (d1 - d0 + 1) * 3 <= maxticks ? 3 : 1;
	for (d = d0; d <= d1 && n < max; d++) {
		if ((d - d0) % every != 0 && nmult == 1)
			continue;
		for (k = 0; k < nmult && n < max; k++) {
			double t = mult[k] * pow(10, d);

			if (t < lo * (1 - 1e-9) || t > hi * (1 + 1e-9))
				continue;
			ticks[n++] = t;
		}
	}
	return n;
}

/* Trims "1.50" to "1.5" and "2.0" to "2" (only after a decimal point). */
static void
trim_zeros(char *s)
{
	char *dot = strchr(s, '.'), *e;

	if (dot == NULL)
		return;
	e = dot + strlen(dot) - 1;
	while (e > dot && *e == '0')
		*e-- = '\0';
	if (e == dot)
		*e = '\0';
}

int
wscale_fmt(char *buf, size_t n, double v, double step)
{
	static const char suffix[] = " kMGTPE";
	char tmp[64];
	double a = fabs(v), scale;
	int k, dec, e;

	if (n == 0)
		return 0;
	if (!isfinite(v)) {
		snprintf(tmp, sizeof tmp, "%s", isnan(v) ? "nan" :
		    v > 0 ? "inf" : "-inf");
	} else if (!(step > 0) || !isfinite(step)) {
		snprintf(tmp, sizeof tmp, "%.3g", v);
	} else if (a < step * 1e-6) {
		snprintf(tmp, sizeof tmp, "0");
	} else if (a >= 1000 || step >= 1000) {
		k = (int)floor(log10(a > step ? a : step) / 3);
		if (k > 6)
			k = 6;
		scale = pow(1000, k);
		dec = (int)-floor(log10(step / scale) + 1e-9);
		if (dec < 0)
			dec = 0;
		if (dec > 6)
			dec = 6;
		snprintf(tmp, sizeof tmp, "%.*f", dec, v / scale);
		trim_zeros(tmp);
		snprintf(tmp + strlen(tmp), sizeof tmp - strlen(tmp), "%c",
		    suffix[k]);
	} else if (step >= 1e-3) {
		dec = (int)-floor(log10(step) + 1e-9);
		if (dec < 0)
			dec = 0;
		snprintf(tmp, sizeof tmp, "%.*f", dec, v);
		trim_zeros(tmp);
	} else {
		/* Tiny values: mantissa and exponent, "1.2e-4". */
		e = (int)floor(log10(a) + 1e-9);
		dec = e - (int)floor(log10(step) + 1e-9);
		if (dec < 0)
			dec = 0;
		if (dec > 6)
			dec = 6;
		snprintf(tmp, sizeof tmp, "%.*f", dec, v / pow(10, e));
		trim_zeros(tmp);
		snprintf(tmp + strlen(tmp), sizeof tmp - strlen(tmp), "e%d", e);
	}
	if (strcmp(tmp, "-0") == 0)
		strcpy(tmp, "0");
	return snprintf(buf, n, "%s", tmp);
}

size_t
wscale_minmax(const double *v, size_t n, bool positive_only, double *lo,
    double *hi)
{
	size_t i, c = 0;
	double mn = 0, mx = 0;

	for (i = 0; i < n; i++) {
		double y = v[i];

		if (!isfinite(y) || (positive_only && !(y > 0)))
			continue;
		if (c == 0 || y < mn)
			mn = y;
		if (c == 0 || y > mx)
			mx = y;
		c++;
	}
	if (c > 0) {
		*lo = mn;
		*hi = mx;
	}
	return c;
}

static void
bin_reset(int ncols, double *mn, double *mx, unsigned char *brk)
{
	int c;

	for (c = 0; c < ncols; c++) {
		mn[c] = NAN;
		mx[c] = NAN;
		brk[c] = 0;
	}
}

static int
col_of(double x, double x0, double x1, int ncols)
{
	double f;

	if (x1 <= x0)
		return 0;
	f = (x - x0) / (x1 - x0) * (ncols - 1);
	return (int)floor(f + 0.5);
}

void
wscale_bin(const double *x, const double *y, size_t n, double x0, double x1,
    int ncols, bool logy, double *mn, double *mx, unsigned char *brk)
{
	size_t i;
	int c;

	if (ncols <= 0)
		return;
	bin_reset(ncols, mn, mx, brk);
	for (i = 0; i < n; i++) {
		double xv = x ? x[i] : (double)i, yv = y[i];

		if (!isfinite(xv) || xv < x0 || xv > x1)
			continue;
		c = col_of(xv, x0, x1, ncols);
		if (c < 0 || c >= ncols)
			continue;
		if (isnan(yv)) {
			brk[c] = 1;
			continue;
		}
		if (logy) {
			if (!(yv > 0))
				continue;
			yv = log10(yv);
		}
		if (!isfinite(yv))
			continue;
		if (isnan(mn[c]) || yv < mn[c])
			mn[c] = yv;
		if (isnan(mx[c]) || yv > mx[c])
			mx[c] = yv;
	}
}

void
wscale_bin_envelope(const double *ymin, const double *ymax, size_t nb,
    double ex0, double ex1, double x0, double x1, int ncols, bool logy,
    double *mn, double *mx, unsigned char *brk)
{
	size_t i;
	int c;

	if (ncols <= 0)
		return;
	bin_reset(ncols, mn, mx, brk);
	for (i = 0; i < nb; i++) {
		double xv = nb > 1 ? ex0 + (ex1 - ex0) * (double)i /
		    (double)(nb - 1) : ex0;
		double lo = ymin[i], hi = ymax[i];

		if (xv < x0 || xv > x1)
			continue;
		c = col_of(xv, x0, x1, ncols);
		if (c < 0 || c >= ncols)
			continue;
		if (isnan(lo) || isnan(hi)) {
			brk[c] = 1;
			continue;
		}
		if (logy) {
			if (!(hi > 0))
				continue;
			lo = lo > 0 ? log10(lo) : log10(hi);
			hi = log10(hi);
		}
		if (isnan(mn[c]) || lo < mn[c])
			mn[c] = lo;
		if (isnan(mx[c]) || hi > mx[c])
			mx[c] = hi;
	}
}

int
wscale_pixel(double v, double lo, double hi, int npix)
{
	double f;

	if (npix <= 1 || !(hi > lo))
		return 0;
	f = (v - lo) / (hi - lo) * (npix - 1);
	if (f < 0)
		f = 0;
	if (f > npix - 1)
		f = npix - 1;
	return (int)floor(f + 0.5);
}

double
wscale_time_step(double range, int maxticks)
{
	static const double steps[] = {
		1, 2, 5, 10, 15, 30,
		60, 120, 300, 600, 900, 1800,
		3600, 7200, 10800, 21600, 43200,
		86400, 172800, 604800,
	};
	size_t i;

	if (!(range > 0) || !isfinite(range))
		return 1;
	if (maxticks < 1)
		maxticks = 1;
	if (range / maxticks < 1)
		return wscale_nice_step(range, maxticks);	/* sub-second */
	for (i = 0; i < sizeof steps / sizeof *steps; i++)
		if (range / steps[i] <= maxticks)
			return steps[i];
	/* Beyond weeks: 1-2-5 multiples of a week. */
	return 604800 * wscale_nice_step(range / 604800, maxticks);
}

/* Seconds east of UTC at time t, in the local time zone. */
static double
local_offset(double t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return (double)tm.tm_gmtoff;
}

int
wscale_time_ticks(double lo, double hi, int maxticks, double *ticks, int max,
    double *step_out)
{
	double step, off, t;
	int n = 0;

	if (!isfinite(lo) || !isfinite(hi) || hi < lo)
		return 0;
	step = wscale_time_step(hi - lo, maxticks);
	if (step_out != NULL)
		*step_out = step;
	/* Align in local time: a day tick at local midnight, not UTC's. */
	off = step >= 3600 ? local_offset(lo) : 0;
	for (t = ceil((lo + off) / step - 1e-9) * step - off;
	    t <= hi + step * 1e-9 && n < max; t += step)
		ticks[n++] = t;
	return n;
}

int
wscale_time_fmt(char *buf, size_t n, double t, double step)
{
	time_t tt = (time_t)floor(t + 0.5);
	struct tm tm;
	size_t k;

	if (n == 0)
		return 0;
	if (!isfinite(t) || localtime_r(&tt, &tm) == NULL)
		return snprintf(buf, n, "?");
	if (step < 60)
		k = strftime(buf, n, "%H:%M:%S", &tm);
	else if (step < 86400)
		k = strftime(buf, n, "%H:%M", &tm);
	else
		k = strftime(buf, n, "%m-%d", &tm);
	if (k == 0)
		buf[0] = '\0';
	return (int)strlen(buf);
}
