/* table.h - a virtual table widget: rows come from a callback source, only visible rows are asked for. */
#ifndef PL_WIDGETS_TABLE_H
#define PL_WIDGETS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "widget.h"

/*
 * struct wtable never holds rows.  On each paint it asks the source for
 * count() once and for cell(row, col) of the rows and columns on screen
 * only, so a table of 100,000 runs costs what 50 cost.  Sorting and
 * filtering are the source's business (the table shows the sort arrow).
 *
 * Keys (wtable_key via widget_key):
 *   Up/k Down/j  Home/g End/G  PgUp PgDn  C-u C-d (half page)  move
 *   Left/h Right/l       scroll columns (frozen columns stay)
 *   space                toggle the mark on the cursor row, move down
 *                        (only with WTABLE_MULTI)
 *   Enter                W_ACTIVATE
 *   n N                  repeat the last search forward / backward
 * Mouse: wheel scrolls, click moves the cursor, double click activates,
 * a click on the header returns W_SORT (see wtable_clicked_column()).
 */

/*
 * One cell, filled by the source.  text is borrowed: it must stay valid
 * until the next cell() call (point it at buf, at the source's own
 * storage, or at a literal).  NULL text paints nothing.  The text is
 * untrusted: the table sanitizes it.
 */
struct wcell {
	const char *text;
	int role;		/* enum wrole for this cell, -1: the row's */
	attr_t attr;		/* extra A_* bits OR-ed in */
	char buf[128];		/* scratch for the source (snprintf here) */
};

struct wtable_source {
	/* Number of rows.  Required. */
	size_t (*count)(void *payload);
	/* Fills *out (zeroed, role -1) for a visible cell.  Required. */
	void (*cell)(void *payload, size_t row, int col, struct wcell *out);
	/* A stable id of row, so marks survive re-sorting.  Optional:
	 * without it the row index is the id. */
	uint64_t (*row_id)(void *payload, size_t row);
	/* 1 if row matches needle.  Optional (no search without it). */
	int (*match)(void *payload, size_t row, const char *needle);
	void *payload;
};

#define WCOL_RIGHT	0x1u	/* right-align cells and title (numbers) */
#define WCOL_FIT	0x2u	/* the table measures want from the cells */

/* Rows WCOL_FIT measures: the first ones in the source's order. */
#define WTABLE_FIT_ROWS	256

struct wcolumn {
	const char *title;	/* copied by wtable_set_columns */
	int width;		/* > 0: fixed width (unless flex) */
	int min;		/* flex columns never shrink below this */
	int flex;		/* > 0: share spare width in this proportion */
	unsigned flags;		/* WCOL_* */
	/* > 0: the content's natural width.  Spare width goes first to the
	 * columns narrower than their want (flex or not), so a long name
	 * or value is not cut while a wide terminal has room; what is left
	 * goes to flex columns.  With WCOL_FIT the table sets it itself. */
	int want;
};

#define WTABLE_MULTI	0x1u	/* a mark gutter and space to mark rows */
#define WTABLE_NOHEADER	0x2u	/* no header row (plain list) */

struct wtable;

/* Creates an empty table (no source, no columns) painting in the given
 * rectangle of win.  Free with widget_free(wtable_widget(t)). */
struct wtable *wtable_new(WINDOW *win, int y, int x, int h, int w,
    unsigned flags);
struct widget *wtable_widget(struct wtable *t);
/* The source struct is copied; payload stays the caller's. */
void wtable_set_source(struct wtable *t, const struct wtable_source *src);
/* Tell the table the source's rows changed (count, order, values). */
void wtable_source_changed(struct wtable *t);
/* Copies the columns (and their titles). Returns 0, -1 on OOM. */
int wtable_set_columns(struct wtable *t, const struct wcolumn *cols, int n);
/* Columns [0, n) never scroll horizontally (e.g. status and name). */
void wtable_set_frozen(struct wtable *t, int n);
/* Shows ▼ (descending) or ▲ after column col's title; col -1: none. */
void wtable_set_sort(struct wtable *t, int col, bool descending);
/* Text shown when the source has no rows (copied). */
void wtable_set_empty_text(struct wtable *t, const char *text);

size_t wtable_cursor(const struct wtable *t);
void wtable_set_cursor(struct wtable *t, size_t row);
/* First row on screen. */
size_t wtable_top(const struct wtable *t);
/* Column index of the last header click (after W_SORT), or -1. */
int wtable_clicked_column(const struct wtable *t);
/* First column shown right of the frozen ones. */
int wtable_first_column(const struct wtable *t);

/* Marks (multi-selection), by row id. */
bool wtable_is_marked(const struct wtable *t, size_t row);
void wtable_toggle_mark(struct wtable *t, size_t row);
void wtable_clear_marks(struct wtable *t);
/* The marked ids in ascending order; borrowed until the next change. */
const uint64_t *wtable_marks(const struct wtable *t, size_t *n);

/*
 * Searches for a row matching needle with the source's match(), from
 * the cursor (from_cursor: the cursor row itself may match, as for
 * incremental search while typing) or from the next row, in direction
 * dir (+1 forward, -1 backward), wrapping around.  Remembers needle for
 * n/N.  Returns 1 and moves the cursor if found, 0 if not.
 */
int wtable_search(struct wtable *t, const char *needle, int dir,
    bool from_cursor);
/* 1 if the last search (or n/N) found nothing. */
bool wtable_search_failed(const struct wtable *t);

/*
 * Pure layout: widths of n columns for avail cells (a one-cell gap
 * between columns is NOT included in the widths but is accounted for).
 * Returns the total width including gaps.
 */
int wtable_layout(const struct wcolumn *cols, int n, int avail, int *widths);

#endif
