/* heat.c - the heatmap widget: labelled rows of shaded cells with alarm marks and a cell cursor. */
#include "config.h"
#include "heat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

struct wheat {
	struct widget base;
	char **labels;
	size_t rows, cols;
	double *level;
	unsigned char *mark;
	size_t crow, ccol, top;
	char *empty;
};

static void ht_draw(struct widget *);
static unsigned ht_key(struct widget *, int);
static void ht_destroy(struct widget *);

static const struct widget_ops wheat_ops = {
	.name = "heatmap",
	.draw = ht_draw,
	.key = ht_key,
	.destroy = ht_destroy,
};

struct wheat *
wheat_new(WINDOW *win, int y, int x, int h, int w)
{
	struct wheat *hm = calloc(1, sizeof *hm);

	if (hm == NULL)
		return NULL;
	widget_init(&hm->base, &wheat_ops, win, y, x, h, w);
	return hm;
}

struct widget *
wheat_widget(struct wheat *hm)
{
	return &hm->base;
}

static void
clear_grid(struct wheat *hm)
{
	for (size_t i = 0; i < hm->rows; i++)
		free(hm->labels[i]);
	free(hm->labels);
	free(hm->level);
	free(hm->mark);
	hm->labels = NULL;
	hm->level = NULL;
	hm->mark = NULL;
	hm->rows = hm->cols = 0;
}

static void
ht_destroy(struct widget *w)
{
	struct wheat *hm = (struct wheat *)w;

	clear_grid(hm);
	free(hm->empty);
	free(hm);
}

/* Width of the label column: the longest label, at most a third. */
static int
label_w(const struct wheat *hm)
{
	size_t lw = 4;

	for (size_t i = 0; i < hm->rows; i++) {
		size_t k = wsan_width(hm->labels[i]);
		if (k > lw)
			lw = k;
	}
	if ((int)lw > hm->base.w / 3)
		lw = (size_t)(hm->base.w / 3);
	return (int)lw;
}

int
wheat_columns(const struct wheat *hm)
{
	int n = hm->base.w - label_w(hm) - 1;

	return n > 1 ? n : 1;
}

int
wheat_set(struct wheat *hm, const char *const *labels, size_t rows,
    size_t cols, const double *level, const unsigned char *mark)
{
	size_t n = rows * cols;

	clear_grid(hm);
	hm->base.dirty = true;
	if (rows == 0 || cols == 0)
		goto clamp;
	hm->labels = calloc(rows, sizeof *hm->labels);
	hm->level = malloc(n * sizeof *hm->level);
	hm->mark = calloc(n, 1);
	if (!hm->labels || !hm->level || !hm->mark)
		goto oom;
	hm->rows = rows;
	for (size_t i = 0; i < rows; i++)
		if ((hm->labels[i] = strdup(labels[i] ? labels[i] : "")) ==
		    NULL)
			goto oom;
	memcpy(hm->level, level, n * sizeof *level);
	if (mark)
		memcpy(hm->mark, mark, n);
	hm->cols = cols;
clamp:
	if (hm->crow >= hm->rows)
		hm->crow = hm->rows ? hm->rows - 1 : 0;
	if (hm->ccol >= hm->cols)
		hm->ccol = hm->cols ? hm->cols - 1 : 0;
	return 0;
oom:
	clear_grid(hm);
	return -1;
}

void
wheat_cursor(const struct wheat *hm, size_t *row, size_t *col)
{
	*row = hm->crow;
	*col = hm->ccol;
}

void
wheat_set_empty_text(struct wheat *hm, const char *text)
{
	free(hm->empty);
	hm->empty = text ? strdup(text) : NULL;
	hm->base.dirty = true;
}

/* The glyph and role of a cell. */
static const char *
glyph(double lv, int marked, enum wrole *role)
{
	static const char *const u[] = { "\xc2\xb7", "\xe2\x96\x91",
		"\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88" };
	static const char *const a[] = { ".", ":", "+", "*", "#" };
	int k;

	if (marked) {
		*role = WR_FAILED;
		return "X";
	}
	if (isnan(lv)) {
		*role = WR_DIM;
		return " ";
	}
	k = lv >= 1 ? 4 : lv < 0 ? 0 : (int)(lv * 4);
	*role = lv >= 1 ? WR_FAILED : lv >= 0.5 ? WR_RUNNING : WR_OK;
	return widgets_utf8() ? u[k] : a[k];
}

static void
ht_draw(struct widget *w)
{
	struct wheat *hm = (struct wheat *)w;
	int lw = label_w(hm), vis;

	for (int r = 0; r < w->h; r++)
		wfill(w->win, w->y + r, w->x, w->w, " ", wtheme_attr(WR_NORMAL));
	if (hm->rows == 0) {
		if (hm->empty)
			wput(w->win, w->y, w->x, w->w, hm->empty,
			    wtheme_attr(WR_DIM), WPUT_ELIDE);
		return;
	}
	vis = w->h;
	if (hm->crow < hm->top)
		hm->top = hm->crow;
	else if (hm->crow >= hm->top + (size_t)vis)
		hm->top = hm->crow - (size_t)vis + 1;
	for (int r = 0; r < vis && hm->top + (size_t)r < hm->rows; r++) {
		size_t i = hm->top + (size_t)r;
		int y = w->y + r;

		wput(w->win, y, w->x, lw, hm->labels[i], wtheme_attr(
		    i == hm->crow ? WR_HEADER : WR_NORMAL), WPUT_ELIDE);
		for (size_t c = 0; c < hm->cols && (int)c < w->w - lw - 1;
		    c++) {
			enum wrole role;
			const char *g = glyph(hm->level[i * hm->cols + c],
			    hm->mark[i * hm->cols + c], &role);
			attr_t at = wtheme_attr(role);

			if (w->focused && i == hm->crow && c == hm->ccol)
				at |= A_REVERSE;
			wput(w->win, y, w->x + lw + 1 + (int)c, 1, g, at,
			    WPUT_TRUSTED);
		}
	}
}

static unsigned
ht_key(struct widget *w, int key)
{
	struct wheat *hm = (struct wheat *)w;
	size_t r = hm->crow, c = hm->ccol;

	if (hm->rows == 0)
		return 0;
	switch (key) {
	case WK_UP:
		r = r ? r - 1 : 0;
		break;
	case WK_DOWN:
		r = r + 1 < hm->rows ? r + 1 : r;
		break;
	case WK_LEFT:
		c = c ? c - 1 : 0;
		break;
	case WK_RIGHT:
		c = c + 1 < hm->cols ? c + 1 : c;
		break;
	case WK_HOME:
		c = 0;
		break;
	case WK_END:
		c = hm->cols - 1;
		break;
	case '\n':
	case '\r':
	case WK_ENTER:
		return W_HANDLED | W_ACTIVATE;
	default:
		return 0;
	}
	if (r == hm->crow && c == hm->ccol)
		return W_HANDLED;
	hm->crow = r;
	hm->ccol = c;
	w->dirty = true;
	return W_HANDLED | W_REDRAW | W_MOVED;
}
