/* chart.h - a line chart widget: several series, nice axes, log scale, braille/block/ASCII cells. */
#ifndef PL_WIDGETS_CHART_H
#define PL_WIDGETS_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "widget.h"

/*
 * struct wchart draws series of (x, y) doubles that the CALLER owns: the
 * chart keeps the pointers (borrowed) until wchart_clear() or the chart
 * is freed, and re-reads them when told with wchart_data_changed().  NaN
 * y values are gaps.  A series of a million points is decimated to one
 * min/max pair per pixel column in one O(n) pass (cached until the data,
 * the size or the scale changes), so painting is O(width); a caller that
 * already has a binned envelope can hand that over instead
 * (wchart_add_envelope) and skip even that pass.
 *
 * Layout (scale.h, pure and unit-tested) is separate from painting:
 *   - y axis: auto-scaled over all series (or fixed), widened to nice
 *     1-2-5 ticks, labels like "0.05", "1.5k", "1e-4"; log scale skips
 *     y <= 0 and ticks at powers of ten;
 *   - x axis: ticks and labels at the bottom, auto range over all series;
 *   - cells: braille (2x4 dots per cell, U+2800..U+28FF) on UTF-8
 *     terminals, half blocks (▀▄█, 1x2) if chosen, or ASCII (one point
 *     per cell, '*' '+' 'o' 'x' '#' '@' per series) in the C locale.
 * Where series overlap in one cell the later series' colour wins.
 *
 * Keys: L toggles the log scale (returns W_CHANGED).
 */

enum wchart_cells {
	WCHART_AUTO,	/* braille in UTF-8 mode, else ASCII */
	WCHART_BRAILLE,
	WCHART_BLOCK,
	WCHART_ASCII
};

struct wchart;

struct wchart *wchart_new(WINDOW *win, int y, int x, int h, int w);
struct widget *wchart_widget(struct wchart *c);

/*
 * Adds a series; x may be NULL (x = 0, 1, 2, ...).  name is copied,
 * x and y are borrowed.  role is an enum wrole, or -1 for the next
 * series colour.  Returns the series index, or -1 on OOM.
 */
int wchart_add_series(struct wchart *c, const char *name, const double *x,
    const double *y, size_t n, int role);
/*
 * Adds a pre-binned series: nb bins, bin i at x = x0 + i * (x1 - x0) /
 * (nb - 1), covering ymin[i]..ymax[i] (NaN: gap).  Arrays borrowed.
 */
int wchart_add_envelope(struct wchart *c, const char *name, double x0,
    double x1, const double *ymin, const double *ymax, size_t nb, int role);
/* Points series i at new arrays (e.g. after the caller's realloc). */
void wchart_set_data(struct wchart *c, int i, const double *x,
    const double *y, size_t n);
/* The arrays' contents changed (e.g. points appended in place). */
void wchart_data_changed(struct wchart *c);
/* Removes all series. */
void wchart_clear(struct wchart *c);

void wchart_set_log(struct wchart *c, bool logy);
bool wchart_log(const struct wchart *c);
/* Fixed ranges; NAN for either bound means automatic. */
void wchart_set_yrange(struct wchart *c, double lo, double hi);
void wchart_set_xrange(struct wchart *c, double lo, double hi);
void wchart_set_cells(struct wchart *c, enum wchart_cells mode);
/* Show a legend (series names) in the top right; default: with >1 series. */
void wchart_set_legend(struct wchart *c, bool on);
/* Shown instead of an empty plot (copied), e.g. "no data". */
void wchart_set_empty_text(struct wchart *c, const char *text);

/*
 * Axis labels.  wchart_set_xtime(c, true): x values are UNIX seconds;
 * ticks fall on clock units in local time and read "14:02", "11-27".
 * A custom formatter replaces the default label of an axis ('x' or 'y'):
 * fmt writes at most n bytes for tick value v (step: the tick spacing)
 * and returns the length; arg is passed through.  NULL restores.
 */
typedef int (*wchart_fmt_fn)(char *buf, size_t n, double v, double step,
    void *arg);
void wchart_set_xtime(struct wchart *c, bool on);
/*
 * Event marks on the x axis (deploys, alerts, ...): n positions in x
 * units and a role each (copied; n 0 clears them).  A mark is a triangle
 * on the axis line ("^" in ASCII) in its role; the mark sel (-1: none)
 * is reversed and draws a rule up through the empty cells of the plot,
 * so the eye finds its moment on every chart that shares the axis.
 * Marks outside the x range are not drawn.  0, or -1 on OOM (cleared).
 */
int wchart_set_marks(struct wchart *c, const double *x, const int *role,
    size_t n, int sel);
void wchart_set_format(struct wchart *c, int axis, wchart_fmt_fn fmt,
    void *arg);

/* The y range the last paint used (after widening to nice ticks; log10
 * units in log scale).  Returns 0 if nothing was drawn yet. */
int wchart_yrange(const struct wchart *c, double *lo, double *hi);

#endif
