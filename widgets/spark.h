/* spark.h - one-row sparklines (▁▂▃▄▅▆▇█, ASCII "_.-:=+*#") from an array of doubles. */
#ifndef PL_WIDGETS_SPARK_H
#define PL_WIDGETS_SPARK_H

#include <stddef.h>

#include "widget.h"

/*
 * A sparkline is not a widget object: screens draw one per metric row,
 * so it is a pure renderer plus a paint call.  With more values than
 * cells, each cell shows the mean of its bucket of values (the whole
 * series fits); with fewer, one cell per value, left-aligned.  NaN
 * values (or empty buckets) are blank cells.  lo/hi NaN: auto-scale to
 * the finite values; a flat series sits at mid height.
 */

/* Level 0..7 of each of the width cells, -1 for blank; returns the
 * number of cells used (<= width).  Pure: no curses, no locale. */
int wspark_levels(const double *v, size_t n, int width, double lo, double hi,
    int *levels);

/* Renders into out (UTF-8 when utf8, else ASCII), NUL-terminated;
 * returns the cells used.  outsz >= 3 * width + 1 always suffices. */
int wspark_render(const double *v, size_t n, int width, double lo, double hi,
    int utf8, char *out, size_t outsz);

/* Paints width cells at (y, x) of win (blank-padded) in widgets' mode. */
void wspark_draw(WINDOW *win, int y, int x, int width, const double *v,
    size_t n, double lo, double hi, attr_t attr);

#endif
