/* heat.h - the heatmap widget: labelled rows of cells shaded by level, with alarm marks and a cell cursor. */
#ifndef PL_WIDGETS_HEAT_H
#define PL_WIDGETS_HEAT_H

#include <stddef.h>

#include "widget.h"

/*
 * struct wheat paints a grid: one row per label (the label column on the
 * left, sanitized, elided to a third of the width at most), then one
 * cell per column.  A cell's level is in [0, 1] ("how close to the
 * alarm": 1 is at or over it) or NaN for "no data"; a marked cell is an
 * alarm.  Glyphs carry the meaning without colour: UTF-8 "·░▒▓█" by
 * level, "X" for a mark, blank for no data; ASCII ".:+*#", "X", blank.
 * Colour adds WR_OK / WR_RUNNING / WR_FAILED.  The cursor cell is
 * reversed when the widget has the focus.  Rows scroll to keep the
 * cursor visible.  Keys (arrows, h/j/k/l are the caller's to map: the
 * widget takes WK_UP/WK_DOWN/WK_LEFT/WK_RIGHT, Home/End) move the
 * cursor and return W_MOVED; Enter returns W_ACTIVATE.
 */
struct wheat;

struct wheat *wheat_new(WINDOW *win, int y, int x, int h, int w);
struct widget *wheat_widget(struct wheat *hm);
/* The number of cell columns that fit beside the labels now. */
int wheat_columns(const struct wheat *hm);
/*
 * Replaces the grid (copies everything): rows labels, level and mark
 * arrays of rows * cols (row-major; mark may be NULL).  The cursor is
 * kept where it can be, else clamped.  0, or -1 on OOM (grid emptied).
 */
int wheat_set(struct wheat *hm, const char *const *labels, size_t rows,
    size_t cols, const double *level, const unsigned char *mark);
void wheat_cursor(const struct wheat *hm, size_t *row, size_t *col);
/* Text shown when there are no rows (copied). */
void wheat_set_empty_text(struct wheat *hm, const char *text);

#endif
