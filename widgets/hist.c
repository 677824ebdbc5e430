/* hist.c - paired histogram: bin merging, normalisation and bar painting. */
#include "config.h"
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

struct whist {
	struct widget base;
	double *ref, *cur;	/* owned copies, NULL if absent */
	size_t n;
	bool normalize;
	char *left, *right;
};

static void hg_draw(struct widget *);
static void hg_destroy(struct widget *);

static const struct widget_ops whist_ops = {
	.name = "histogram",
	.draw = hg_draw,
	.destroy = hg_destroy,
};

struct whist *
whist_new(WINDOW *win, int y, int x, int h, int w)
{
	struct whist *hg = calloc(1, sizeof *hg);

	if (hg == NULL)
		return NULL;
	widget_init(&hg->base, &whist_ops, win, y, x, h, w);
	hg->normalize = true;
	return hg;
}

struct widget *
whist_widget(struct whist *hg)
{
	return &hg->base;
}

static void
hg_destroy(struct widget *w)
{
	struct whist *hg = (struct whist *)w;

	free(hg->ref);
	free(hg->cur);
	free(hg->left);
	free(hg->right);
	free(hg);
}

static double *
dup_vals(const double *v, size_t n)
{
	double *d;

	if (v == NULL || n == 0)
		return NULL;
	d = malloc(n * sizeof *d);
	if (d != NULL)
		memcpy(d, v, n * sizeof *d);
	return d;
}

int
whist_set(struct whist *hg, const double *ref, const double *cur,
    size_t nbins)
{
	double *r = dup_vals(ref, nbins), *c = dup_vals(cur, nbins);

	if ((ref && nbins && r == NULL) || (cur && nbins && c == NULL)) {
		free(r);
		free(c);
		return -1;
	}
	free(hg->ref);
	free(hg->cur);
	hg->ref = r;
	hg->cur = c;
	hg->n = nbins;
	hg->base.dirty = true;
	return 0;
}

void
whist_set_normalize(struct whist *hg, bool on)
{
	hg->normalize = on;
	hg->base.dirty = true;
}

void
whist_set_labels(struct whist *hg, const char *left, const char *right)
{
	free(hg->left);
	free(hg->right);
	hg->left = left ? strdup(left) : NULL;
	hg->right = right ? strdup(right) : NULL;
	hg->base.dirty = true;
}

int
whist_layout(size_t nbins, int width, int *merge, int *bar, int *gap)
{
	size_t groups;

	*merge = 1;
	*bar = 1;
	*gap = 1;
	if (nbins == 0 || width < 2)
		return 0;
	if (nbins * 3 <= (size_t)width) {
		*bar = (int)(((size_t)width - nbins) / (2 * nbins));
		if (*bar < 1)
			*bar = 1;
		if (*bar > 8)
			*bar = 8;
		return (int)nbins;
	}
	*gap = 0;
	if (nbins * 2 <= (size_t)width)
		return (int)nbins;
	/* Merge k bins per group so that 2 cells per group fit. */
	groups = (size_t)width / 2;
	*merge = (int)((nbins + groups - 1) / groups);
	groups = (nbins + (size_t)*merge - 1) / (size_t)*merge;
	return (int)groups;
}

static double
total(const double *v, size_t n)
{
	double t = 0;
	size_t i;

	for (i = 0; v && i < n; i++)
		if (isfinite(v[i]) && v[i] > 0)
			t += v[i];
	return t;
}

static double
group_val(const double *v, size_t n, size_t g, int merge, double tot,
    bool norm)
{
	double s = 0;
	size_t i;

	if (v == NULL)
		return 0;
	for (i = g * (size_t)merge; i < (g + 1) * (size_t)merge && i < n; i++)
		if (isfinite(v[i]) && v[i] > 0)
			s += v[i];
	return norm && tot > 0 ? s / tot : s;
}

/* Paints one vertical bar of height h8 eighths of a cell, bottom at row
 * ybot; ref bars use whole cells of a shade so they differ from cur. */
static void
bar(WINDOW *win, int ybot, int x, int width, int rows, long h8, bool ref,
    attr_t a)
{
	static const char *eighth[] = { "", "\xe2\x96\x81", "\xe2\x96\x82",
	    "\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
	    "\xe2\x96\x87" };
	bool utf8 = widgets_utf8();
	int r;

	for (r = 0; r < rows && h8 > 0; r++, h8 -= 8) {
		const char *g;

		if (!utf8)
			g = ref ? ":" : "#";
		else if (ref)
			g = "\xe2\x96\x92";	/* ▒ */
		else if (h8 >= 8)
			g = "\xe2\x96\x88";	/* █ */
		else
			g = eighth[h8];
		wfill(win, ybot - r, x, width, g, a);
	}
}

static void
hg_draw(struct widget *w)
{
	struct whist *hg = (struct whist *)w;
	int merge, bw, gap, groups, rows, g, x;
	double tr = total(hg->ref, hg->n), tc = total(hg->cur, hg->n), mx = 0;
	attr_t ar = wtheme_attr(WR_REF), ac = wtheme_attr(WR_CUR);
	bool labels = hg->left != NULL || hg->right != NULL;
	int r;

	for (r = 0; r < w->h; r++)
		wfill(w->win, w->y + r, w->x, w->w, " ", wtheme_attr(WR_NORMAL));
	rows = w->h - (labels ? 1 : 0);
	groups = whist_layout(hg->n, w->w, &merge, &bw, &gap);
	if (rows < 1 || groups == 0)
		return;
	for (g = 0; g < groups; g++) {
		double a = group_val(hg->ref, hg->n, (size_t)g, merge, tr,
		    hg->normalize);
		double b = group_val(hg->cur, hg->n, (size_t)g, merge, tc,
		    hg->normalize);

		if (a > mx)
			mx = a;
		if (b > mx)
			mx = b;
	}
	for (g = 0, x = w->x; g < groups; g++) {
		double a = group_val(hg->ref, hg->n, (size_t)g, merge, tr,
		    hg->normalize);
		double b = group_val(hg->cur, hg->n, (size_t)g, merge, tc,
		    hg->normalize);
		long ha = mx > 0 ? lround(a / mx * rows * 8) : 0;
		long hb = mx > 0 ? lround(b / mx * rows * 8) : 0;

		/* A non-empty bin never vanishes: at least one eighth. */
		if (a > 0 && ha == 0)
			ha = 1;
		if (b > 0 && hb == 0)
			hb = 1;
		/* Reference bars use whole cells (▒ has no eighths). */
		ha = (ha + 7) / 8 * 8;
		bar(w->win, w->y + rows - 1, x, bw, rows, ha, true, ar);
		bar(w->win, w->y + rows - 1, x + bw, bw, rows, hb, false, ac);
		x += 2 * bw + gap;
	}
	if (labels) {
		attr_t dim = wtheme_attr(WR_DIM);

		if (hg->left)
			wput(w->win, w->y + rows, w->x, w->w / 2, hg->left, dim,
			    WPUT_ELIDE);
		if (hg->right)
			wput(w->win, w->y + rows, w->x + w->w / 2,
			    w->w - w->w / 2, hg->right, dim,
			    WPUT_ELIDE | WPUT_RIGHT);
	}
}
