/* scale.h - pure axis math for charts: nice 1-2-5 ticks, short number labels, log scale, per-column binning. */
#ifndef PL_WIDGETS_SCALE_H
#define PL_WIDGETS_SCALE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Nothing here touches curses: chart layout is computed by these
 * functions and unit-tested on its own; chart.c only paints the result.
 */

/* The 1, 2 or 5 x 10^k step that cuts range into at most maxticks
 * intervals (at least 1).  range <= 0 or not finite: returns 1. */
double wscale_nice_step(double range, int maxticks);

/* Widens [*lo, *hi] outward to multiples of the nice step for maxticks;
 * an empty range (lo == hi) is opened around the value first. */
void wscale_nice_range(double *lo, double *hi, int maxticks);

/*
 * Stores up to max ticks (multiples of the nice step) inside [lo, hi]
 * in ticks[], and the step in *step (may be NULL).  Returns the count.
 */
int wscale_ticks(double lo, double hi, int maxticks, double *ticks, int max,
    double *step);

/*
 * Log-scale ticks inside [lo, hi] (both > 0): powers of ten, thinned to
 * every k-th decade when there are more than maxticks, or with 2x and 5x
 * added when few decades leave room.  Returns the count (0 if lo <= 0).
 */
int wscale_log_ticks(double lo, double hi, int maxticks, double *ticks,
    int max);

/*
 * Formats v as a short axis label, precise enough to tell ticks step
 * apart: "0", "0.05", "12", "1.5k", "2M", "3G", "1.2e-4".  Always ASCII.
 * Returns the length written (like snprintf, truncated to n - 1).
 */
int wscale_fmt(char *buf, size_t n, double v, double step);

/*
 * Finite min and max of v[0..n) (only v > 0 when positive_only).
 * Returns the number of values counted; *lo, *hi are untouched if 0.
 */
size_t wscale_minmax(const double *v, size_t n, bool positive_only,
    double *lo, double *hi);

/*
 * Decimates a series into ncols pixel columns spanning [x0, x1] in one
 * O(n) pass: mn[c], mx[c] get the min and max y of the points in column
 * c (NaN when none), brk[c] is set when a NaN y (a gap) fell in column
 * c.  x may be NULL (x = index).  With logy, y <= 0 is skipped and the
 * rest is stored as log10(y).  Points outside [x0, x1] are ignored.
 */
void wscale_bin(const double *x, const double *y, size_t n, double x0,
    double x1, int ncols, bool logy, double *mn, double *mx,
    unsigned char *brk);

/*
 * Re-bins a pre-binned envelope (nb bins of ymin/ymax evenly covering
 * [ex0, ex1]) into ncols columns over [x0, x1], so a caller with a
 * million points can hand over a few thousand bins instead.
 */
void wscale_bin_envelope(const double *ymin, const double *ymax, size_t nb,
    double ex0, double ex1, double x0, double x1, int ncols, bool logy,
    double *mn, double *mx, unsigned char *brk);

/*
 * Time axes (x in UNIX seconds): a step from the clock's own units (1 2 5
 * 10 15 30 s, 1 2 5 10 15 30 min, 1 2 3 6 12 h, 1 2 d, then weeks) that
 * cuts range into at most maxticks intervals ...
 */
double wscale_time_step(double range, int maxticks);
/* ... ticks at multiples of that step in LOCAL time (so day ticks fall
 * on midnight), inside [lo, hi]; returns the count ... */
int wscale_time_ticks(double lo, double hi, int maxticks, double *ticks,
    int max, double *step);
/* ... and a label for tick t: "14:02:30" (step < 1 min), "14:02"
 * (< 1 day), "11-27" (days).  Local time, like the rest of the TUI. */
int wscale_time_fmt(char *buf, size_t n, double t, double step);

/*
 * Maps v in [lo, hi] to a pixel index in [0, npix): 0 is lo, npix - 1 is
 * hi (rounded).  Values outside are clamped.  (Axis inversion for screen
 * rows is the caller's business.)
 */
int wscale_pixel(double v, double lo, double hi, int npix);

#endif
