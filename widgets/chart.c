/* chart.c - line chart widget: auto-scaled axes from scale.c, per-column decimation, braille/block/ASCII painting. */
#include "config.h"
#include "chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scale.h"
#include "theme.h"

#define MAXTICKS 32

struct series {
	char *name;
	const double *x, *y;
	size_t n;
	bool env;
	double ex0, ex1;
	const double *ymin, *ymax;
	int role;
	/* per pixel column, valid while the chart's cache is */
	double *mn, *mx;
	unsigned char *brk;
};

struct wchart {
	struct widget base;
	struct series *s;
	int ns;
	bool logy;
	double ylo_fix, yhi_fix, xlo_fix, xhi_fix;
	enum wchart_cells cells;
	int legend;		/* -1 auto, 0 off, 1 on */
	bool xtime;
	wchart_fmt_fn xfmt, yfmt;
	void *xarg, *yarg;
	char *empty;
	/* caches */
	bool range_ok;		/* data ranges below are current */
	bool have_y, have_x;
	double dxlo, dxhi, dylo, dyhi;	/* data ranges (raw y, positive if log) */
	bool bins_ok;
	int bins_px;
	double bins_x0, bins_x1;
	/* last layout */
	bool drawn;
	double ylo, yhi;
	/* event marks */
	double *mx;
	int *mrole;
	size_t nm;
	int msel;
	/* paint grid */
	unsigned char *bits;
	signed char *owner;
	size_t gridsz;
};

static void ch_draw(struct widget *);
static unsigned ch_key(struct widget *, int);
static void ch_destroy(struct widget *);

static const struct widget_ops wchart_ops = {
	.name = "chart",
	.draw = ch_draw,
	.key = ch_key,
	.destroy = ch_destroy,
};

struct wchart *
wchart_new(WINDOW *win, int y, int x, int h, int w)
{
	struct wchart *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	widget_init(&c->base, &wchart_ops, win, y, x, h, w);
	c->ylo_fix = c->yhi_fix = c->xlo_fix = c->xhi_fix = NAN;
	c->legend = -1;
	c->msel = -1;
	return c;
}

struct widget *
wchart_widget(struct wchart *c)
{
	return &c->base;
}

static void
invalidate(struct wchart *c)
{
	c->range_ok = false;
	c->bins_ok = false;
	c->base.dirty = true;
}

void
wchart_clear(struct wchart *c)
{
	int i;

	for (i = 0; i < c->ns; i++) {
		free(c->s[i].name);
		free(c->s[i].mn);
		free(c->s[i].mx);
		free(c->s[i].brk);
	}
	free(c->s);
	c->s = NULL;
	c->ns = 0;
	invalidate(c);
}

static void
ch_destroy(struct widget *w)
{
	struct wchart *c = (struct wchart *)w;

	wchart_clear(c);
	free(c->mx);
	free(c->mrole);
	free(c->empty);
	free(c->bits);
	free(c->owner);
	free(c);
}

static struct series *
new_series(struct wchart *c, const char *name, int role)
{
	struct series *s = realloc(c->s, (size_t)(c->ns + 1) * sizeof *s);

	if (s == NULL)
		return NULL;
	c->s = s;
	s = &c->s[c->ns];
	memset(s, 0, sizeof *s);
	s->name = strdup(name ? name : "");
	if (s->name == NULL)
		return NULL;
	s->role = role >= 0 ? role : (int)wtheme_series(c->ns);
	c->ns++;
	invalidate(c);
	return s;
}

int
wchart_add_series(struct wchart *c, const char *name, const double *x,
    const double *y, size_t n, int role)
{
	struct series *s = new_series(c, name, role);

	if (s == NULL)
		return -1;
	s->x = x;
	s->y = y;
	s->n = y ? n : 0;
	return c->ns - 1;
}

int
wchart_add_envelope(struct wchart *c, const char *name, double x0, double x1,
    const double *ymin, const double *ymax, size_t nb, int role)
{
	struct series *s = new_series(c, name, role);

	if (s == NULL)
		return -1;
	s->env = true;
	s->ex0 = x0;
	s->ex1 = x1;
	s->ymin = ymin;
	s->ymax = ymax;
	s->n = ymin && ymax ? nb : 0;
	return c->ns - 1;
}

void
wchart_set_data(struct wchart *c, int i, const double *x, const double *y,
    size_t n)
{
	if (i < 0 || i >= c->ns || c->s[i].env)
		return;
	c->s[i].x = x;
	c->s[i].y = y;
	c->s[i].n = y ? n : 0;
	invalidate(c);
}

void
wchart_data_changed(struct wchart *c)
{
	invalidate(c);
}

void
wchart_set_log(struct wchart *c, bool logy)
{
	if (c->logy != logy) {
		c->logy = logy;
		invalidate(c);
	}
}

bool
wchart_log(const struct wchart *c)
{
	return c->logy;
}

void
wchart_set_yrange(struct wchart *c, double lo, double hi)
{
	c->ylo_fix = lo;
	c->yhi_fix = hi;
	c->base.dirty = true;
}

void
wchart_set_xrange(struct wchart *c, double lo, double hi)
{
	c->xlo_fix = lo;
	c->xhi_fix = hi;
	invalidate(c);
}

void
wchart_set_cells(struct wchart *c, enum wchart_cells mode)
{
	c->cells = mode;
	c->bins_ok = false;
	c->base.dirty = true;
}

void
wchart_set_legend(struct wchart *c, bool on)
{
	c->legend = on;
	c->base.dirty = true;
}

void
wchart_set_empty_text(struct wchart *c, const char *text)
{
	free(c->empty);
	c->empty = text ? strdup(text) : NULL;
	c->base.dirty = true;
}

void
wchart_set_xtime(struct wchart *c, bool on)
{
	c->xtime = on;
	c->base.dirty = true;
}

void
wchart_set_format(struct wchart *c, int axis, wchart_fmt_fn fmt, void *arg)
{
	if (axis == 'x') {
		c->xfmt = fmt;
		c->xarg = arg;
	} else if (axis == 'y') {
		c->yfmt = fmt;
		c->yarg = arg;
	}
	c->base.dirty = true;
}

int
wchart_yrange(const struct wchart *c, double *lo, double *hi)
{
	if (!c->drawn)
		return 0;
	*lo = c->ylo;
	*hi = c->yhi;
	return 1;
}

/* ---- layout -------------------------------------------------------- */

static void
merge(bool *have, double *lo, double *hi, double a, double b)
{
	if (!*have) {
		*lo = a;
		*hi = b;
		*have = true;
		return;
	}
	if (a < *lo)
		*lo = a;
	if (b > *hi)
		*hi = b;
}

/* The O(n) pass over every series for the data ranges; cached. */
static void
data_ranges(struct wchart *c)
{
	int i;

	if (c->range_ok)
		return;
	c->have_x = c->have_y = false;
	for (i = 0; i < c->ns; i++) {
		struct series *s = &c->s[i];
		double lo, hi, lo2, hi2;

		if (s->n == 0)
			continue;
		if (s->env) {
			merge(&c->have_x, &c->dxlo, &c->dxhi,
			    s->ex0 < s->ex1 ? s->ex0 : s->ex1,
			    s->ex0 < s->ex1 ? s->ex1 : s->ex0);
			if (wscale_minmax(s->ymin, s->n, c->logy, &lo, &hi) &&
			    wscale_minmax(s->ymax, s->n, c->logy, &lo2, &hi2))
				merge(&c->have_y, &c->dylo, &c->dyhi,
				    lo < lo2 ? lo : lo2, hi > hi2 ? hi : hi2);
			else if (wscale_minmax(s->ymax, s->n, c->logy, &lo,
			    &hi))
				merge(&c->have_y, &c->dylo, &c->dyhi, lo, hi);
			continue;
		}
		if (s->x == NULL)
			merge(&c->have_x, &c->dxlo, &c->dxhi, 0,
			    (double)(s->n - 1));
		else if (wscale_minmax(s->x, s->n, false, &lo, &hi))
			merge(&c->have_x, &c->dxlo, &c->dxhi, lo, hi);
		if (wscale_minmax(s->y, s->n, c->logy, &lo, &hi))
			merge(&c->have_y, &c->dylo, &c->dyhi, lo, hi);
	}
	c->range_ok = true;
}

struct layout {
	int cx, cy;		/* pixels per cell */
	int lw;			/* y label width (0: no axes) */
	int px0, pw, ph;	/* plot area in cells: x offset, width, height */
	double x0, x1, ylo, yhi;	/* ylo/yhi in log10 units when logy */
	double yt[MAXTICKS], xt[MAXTICKS];
	int nyt, nxt;
	double ystep, xstep;
};

static enum wchart_cells
cell_mode(const struct wchart *c)
{
	if (c->cells == WCHART_AUTO)
		return widgets_utf8() ? WCHART_BRAILLE : WCHART_ASCII;
	if (!widgets_utf8())
		return WCHART_ASCII;
	return c->cells;
}

static void
ylabel(const struct wchart *c, const struct layout *L, double t, char *buf,
    size_t n)
{
	if (c->yfmt != NULL) {
		buf[0] = '\0';
		c->yfmt(buf, n, t, c->logy ? t : L->ystep, c->yarg);
		buf[n - 1] = '\0';
	} else if (c->logy)
		wscale_fmt(buf, n, t, t);
	else
		wscale_fmt(buf, n, t, L->ystep);
}

static int
compute_layout(struct wchart *c, struct layout *L)
{
	struct widget *w = &c->base;
	enum wchart_cells mode = cell_mode(c);
	double ylo, yhi;
	char lab[32];
	int i, axes;

	memset(L, 0, sizeof *L);
	L->cx = mode == WCHART_BRAILLE ? 2 : 1;
	L->cy = mode == WCHART_BRAILLE ? 4 : mode == WCHART_BLOCK ? 2 : 1;
	data_ranges(c);
	if (!c->have_x || !c->have_y)
		return -1;
	L->x0 = isnan(c->xlo_fix) ? c->dxlo : c->xlo_fix;
	L->x1 = isnan(c->xhi_fix) ? c->dxhi : c->xhi_fix;
	if (L->x1 <= L->x0) {
		L->x0 -= 0.5;
		L->x1 += 0.5;
	}
	ylo = isnan(c->ylo_fix) ? c->dylo : c->ylo_fix;
	yhi = isnan(c->yhi_fix) ? c->dyhi : c->yhi_fix;
	axes = w->h >= 4 && w->w >= 12;
	L->ph = axes ? w->h - 2 : w->h;
	if (c->logy) {
		if (!(ylo > 0))
			ylo = c->dylo;
		if (!(yhi > 0))
			yhi = c->dyhi;
		L->ylo = floor(log10(ylo) + 1e-9);
		L->yhi = ceil(log10(yhi) - 1e-9);
		if (L->yhi <= L->ylo)
			L->yhi = L->ylo + 1;
		L->nyt = wscale_log_ticks(pow(10, L->ylo), pow(10, L->yhi),
		    L->ph / 2 > 1 ? L->ph / 2 : 2, L->yt, MAXTICKS);
	} else {
		if (isnan(c->ylo_fix) || isnan(c->yhi_fix))
			wscale_nice_range(&ylo, &yhi,
			    L->ph / 2 > 1 ? L->ph / 2 : 2);
		if (yhi <= ylo)
			yhi = ylo + 1;
		L->ylo = ylo;
		L->yhi = yhi;
		L->nyt = wscale_ticks(ylo, yhi, L->ph / 2 > 1 ? L->ph / 2 : 2,
		    L->yt, MAXTICKS, &L->ystep);
	}
	if (axes) {
		for (i = 0; i < L->nyt; i++) {
			int n;

			ylabel(c, L, L->yt[i], lab, sizeof lab);
			n = (int)wsan_width(lab);
			if (n > L->lw)
				L->lw = n;
		}
		if (L->lw > w->w / 3)
			L->lw = w->w / 3;
		L->px0 = L->lw + 1;
	}
	L->pw = w->w - L->px0;
	if (L->pw < 1 || L->ph < 1)
		return -1;
	if (c->xtime)
		L->nxt = wscale_time_ticks(L->x0, L->x1,
		    L->pw / 10 > 1 ? L->pw / 10 : 1, L->xt, MAXTICKS, &L->xstep);
	else
		L->nxt = wscale_ticks(L->x0, L->x1,
		    L->pw / 10 > 1 ? L->pw / 10 : 1, L->xt, MAXTICKS, &L->xstep);
	return 0;
}

static int
bin_all(struct wchart *c, const struct layout *L)
{
	int px = L->pw * L->cx, i;

	if (c->bins_ok && c->bins_px == px && c->bins_x0 == L->x0 &&
	    c->bins_x1 == L->x1)
		return 0;
	for (i = 0; i < c->ns; i++) {
		struct series *s = &c->s[i];
		double *mn = realloc(s->mn, (size_t)px * sizeof *mn);
		double *mx;
		unsigned char *brk;

		if (mn == NULL)
			return -1;
		s->mn = mn;
		mx = realloc(s->mx, (size_t)px * sizeof *mx);
		if (mx == NULL)
			return -1;
		s->mx = mx;
		brk = realloc(s->brk, (size_t)px);
		if (brk == NULL)
			return -1;
		s->brk = brk;
		if (s->env)
			wscale_bin_envelope(s->ymin, s->ymax, s->n, s->ex0,
			    s->ex1, L->x0, L->x1, px, c->logy, mn, mx, brk);
		else
			wscale_bin(s->x, s->y, s->n, L->x0, L->x1, px, c->logy,
			    mn, mx, brk);
	}
	c->bins_ok = true;
	c->bins_px = px;
	c->bins_x0 = L->x0;
	c->bins_x1 = L->x1;
	return 0;
}

/* ---- painting ------------------------------------------------------ */

static const char ascii_glyph[] = "*+ox#@";

/* Sets the dots of pixel column col, rows top..bot, for series si. */
static void
dots(struct wchart *c, const struct layout *L, int si, int col, int top,
    int bot)
{
	static const unsigned char braille[2][4] = {
		{ 0x01, 0x02, 0x04, 0x40 }, { 0x08, 0x10, 0x20, 0x80 },
	};
	int r, py = L->ph * L->cy;

	if (top < 0)
		top = 0;
	if (bot > py - 1)
		bot = py - 1;
	for (r = top; r <= bot; r++) {
		size_t cell = (size_t)(r / L->cy) * (size_t)L->pw +
		    (size_t)(col / L->cx);
		unsigned char bit;

		if (L->cy == 4)
			bit = braille[col % 2][r % 4];
		else if (L->cy == 2)
			bit = (r % 2) ? 2 : 1;
		else
			bit = 1;
		c->bits[cell] |= bit;
		c->owner[cell] = (signed char)si;
	}
}

/*
 * Plots one series from its per-column min/max.  Each column gets a
 * vertical run from min to max; consecutive points are joined so the
 * line has no holes: across empty columns (sparse data) by linear
 * interpolation, between adjacent columns by stretching the run to
 * touch the previous one.  A NaN in a column breaks the line there.
 */
static void
plot_series(struct wchart *c, const struct layout *L, int si)
{
	const struct series *s = &c->s[si];
	int px = L->pw * L->cx, py = L->ph * L->cy, col, k;
	int ptop = 0, pbot = 0, pc = -1;
	bool prev = false;

	for (col = 0; col < px; col++) {
		int top, bot, t0, b0;

		if (isnan(s->mn[col])) {
			if (s->brk[col])
				prev = false;
			continue;
		}
		top = py - 1 - wscale_pixel(s->mx[col], L->ylo, L->yhi, py);
		bot = py - 1 - wscale_pixel(s->mn[col], L->ylo, L->yhi, py);
		t0 = top;
		b0 = bot;
		if (prev && col > pc + 1) {
			double pv = (ptop + pbot) / 2.0, cv = (t0 + b0) / 2.0;
			int last = (int)lround(pv);

			for (k = pc + 1; k < col; k++) {
				int rk = (int)lround(pv + (cv - pv) *
				    (k - pc) / (col - pc));

				if (rk > last + 1)
					dots(c, L, si, k, last + 1, rk);
				else if (rk < last - 1)
					dots(c, L, si, k, rk, last - 1);
				else
					dots(c, L, si, k, rk, rk);
				last = rk;
			}
			ptop = pbot = last;
		}
		if (prev) {
			if (top > pbot + 1)
				top = pbot + 1;
			if (bot < ptop - 1)
				bot = ptop - 1;
		}
		dots(c, L, si, col, top, bot);
		ptop = t0;
		pbot = b0;
		pc = col;
		prev = !s->brk[col];
	}
}

static void
cell_glyph(enum wchart_cells mode, unsigned char bits, int owner, char *g)
{
	static const char *blocks[] = { " ", "\xe2\x96\x80", "\xe2\x96\x84",
	    "\xe2\x96\x88" };

	if (mode == WCHART_BRAILLE) {
		g[0] = (char)0xe2;
		g[1] = (char)(0xa0 | (bits >> 6));
		g[2] = (char)(0x80 | (bits & 0x3f));
		g[3] = '\0';
	} else if (mode == WCHART_BLOCK) {
		strcpy(g, blocks[bits & 3]);
	} else {
		g[0] = ascii_glyph[owner % 6];
		g[1] = '\0';
	}
}

static void
draw_axes(struct wchart *c, const struct layout *L)
{
	struct widget *w = &c->base;
	attr_t dim = wtheme_attr(WR_DIM);
	int i, r, lastx = -1, py = L->ph * L->cy;
	char lab[32];

	/* waddch ORs the window's current attributes into each cell: what
	 * the series or the legend left set (bold, underline in monochrome)
	 * must not leak into the axis, which is dim and nothing else. */
	wattrset(w->win, A_NORMAL);
	for (r = 0; r < L->ph; r++)
		mvwaddch(w->win, w->y + r, w->x + L->lw, ACS_VLINE | dim);
	for (i = 0; i < L->nyt; i++) {
		double v = c->logy ? log10(L->yt[i]) : L->yt[i];

		r = (py - 1 - wscale_pixel(v, L->ylo, L->yhi, py)) / L->cy;
		ylabel(c, L, L->yt[i], lab, sizeof lab);
		wput(w->win, w->y + r, w->x, L->lw, lab, dim,
		    WPUT_RIGHT | WPUT_ELIDE);
		mvwaddch(w->win, w->y + r, w->x + L->lw, ACS_RTEE | dim);
	}
	wattrset(w->win, dim);
	mvwaddch(w->win, w->y + L->ph, w->x + L->lw, ACS_LLCORNER | dim);
	mvwhline(w->win, w->y + L->ph, w->x + L->px0, ACS_HLINE | dim, L->pw);
	wfill(w->win, w->y + L->ph + 1, w->x, w->w, " ", dim);
	for (i = 0; i < L->nxt; i++) {
		int col = wscale_pixel(L->xt[i], L->x0, L->x1, L->pw * L->cx) /
		    L->cx, n, lx;

		mvwaddch(w->win, w->y + L->ph, w->x + L->px0 + col,
		    ACS_TTEE | dim);
		if (c->xfmt != NULL) {
			lab[0] = '\0';
			c->xfmt(lab, sizeof lab, L->xt[i], L->xstep, c->xarg);
			lab[sizeof lab - 1] = '\0';
			n = (int)wsan_width(lab);
		} else if (c->xtime) {
			n = wscale_time_fmt(lab, sizeof lab, L->xt[i], L->xstep);
		} else {
			n = wscale_fmt(lab, sizeof lab, L->xt[i], L->xstep);
		}
		lx = L->px0 + col - n / 2;
		if (lx < L->px0)
			lx = L->px0;
		if (lx + n > w->w)
			lx = w->w - n;
		if (lx <= lastx)
			continue;	/* would overlap the previous label */
		if (n > w->w)
			continue;
		wput(w->win, w->y + L->ph + 1, w->x + lx, n, lab, dim, 0);
		lastx = lx + n;
	}
	wattrset(w->win, A_NORMAL);
}

static void
draw_legend(struct wchart *c, const struct layout *L, enum wchart_cells mode)
{
	struct widget *w = &c->base;
	int i, maxw = 0;

	if (c->legend == 0 || (c->legend < 0 && c->ns < 2))
		return;
	for (i = 0; i < c->ns; i++) {
		int n = (int)wstr_width(c->s[i].name);

		if (n > maxw)
			maxw = n;
	}
	if (maxw > L->pw / 2 - 3)
		maxw = L->pw / 2 - 3;
	if (maxw < 1)
		return;
	for (i = 0; i < c->ns && i < L->ph; i++) {
		int x = w->x + w->w - maxw - 3;
		attr_t a = wtheme_attr((enum wrole)c->s[i].role);
		char g[8];

		if (mode == WCHART_ASCII) {
			g[0] = ascii_glyph[i % 6];
			g[1] = g[0];
			g[2] = '\0';
		} else if (mode == WCHART_BLOCK) {
			strcpy(g, "\xe2\x96\x84\xe2\x96\x84");	/* ▄▄ */
		} else {
			strcpy(g, "\xe2\xa3\x80\xe2\xa3\x80");	/* ⣀⣀ */
		}
		wput(w->win, w->y + i, x, 2, g, a, WPUT_TRUSTED);
		wput(w->win, w->y + i, x + 2, maxw + 1, "", a, WPUT_PAD);
		wput(w->win, w->y + i, x + 3, maxw, c->s[i].name, a,
		    WPUT_ELIDE);
	}
}

int
wchart_set_marks(struct wchart *c, const double *x, const int *role,
    size_t n, int sel)
{
	free(c->mx);
	free(c->mrole);
	c->mx = NULL;
	c->mrole = NULL;
	c->nm = 0;
	c->msel = -1;
	c->base.dirty = true;
	if (n == 0)
		return 0;
	c->mx = malloc(n * sizeof *c->mx);
	c->mrole = malloc(n * sizeof *c->mrole);
	if (c->mx == NULL || c->mrole == NULL) {
		free(c->mx);
		free(c->mrole);
		c->mx = NULL;
		c->mrole = NULL;
		return -1;
	}
	memcpy(c->mx, x, n * sizeof *x);
	memcpy(c->mrole, role, n * sizeof *role);
	c->nm = n;
	c->msel = sel;
	return 0;
}

static void
draw_marks(struct wchart *c, const struct layout *L)
{
	struct widget *w = &c->base;
	bool u = widgets_utf8();
	const char *tri = u ? "\xe2\x96\xb2" : "^";
	const char *rule = u ? "\xe2\x94\x82" : "|";

	for (size_t i = 0; i < c->nm; i++) {
		int col, sel = (int)i == c->msel;
		attr_t a = wtheme_attr((enum wrole)c->mrole[i]);

		if (!(c->mx[i] >= L->x0 && c->mx[i] <= L->x1))
			continue;
		col = wscale_pixel(c->mx[i], L->x0, L->x1, L->pw * L->cx) /
		    L->cx;
		if (col < 0 || col >= L->pw)
			continue;
		if (sel) {
			for (int r = 0; r < L->ph; r++)
				if (c->bits[(size_t)r * (size_t)L->pw +
				    (size_t)col] == 0)
					wput(w->win, w->y + r, w->x + L->px0 +
					    col, 1, rule, a, WPUT_TRUSTED);
			a |= A_REVERSE;
		}
		wput(w->win, w->y + L->ph, w->x + L->px0 + col, 1, tri, a,
		    WPUT_TRUSTED);
	}
}

static void
ch_draw(struct widget *w)
{
	struct wchart *c = (struct wchart *)w;
	enum wchart_cells mode = cell_mode(c);
	struct layout L;
	size_t cells, k;
	int i, r, col;
	char g[8];

	for (r = 0; r < w->h; r++)
		wfill(w->win, w->y + r, w->x, w->w, " ", wtheme_attr(WR_NORMAL));
	c->drawn = false;
	if (compute_layout(c, &L) < 0 || bin_all(c, &L) < 0) {
		if (c->empty != NULL)
			wput(w->win, w->y + w->h / 2, w->x, w->w, c->empty,
			    wtheme_attr(WR_DIM), WPUT_CENTER | WPUT_ELIDE);
		return;
	}
	c->drawn = true;
	c->ylo = L.ylo;
	c->yhi = L.yhi;
	cells = (size_t)L.pw * (size_t)L.ph;
	if (cells > c->gridsz) {
		unsigned char *b = realloc(c->bits, cells);
		signed char *o;

		if (b == NULL)
			return;
		c->bits = b;
		o = realloc(c->owner, cells);
		if (o == NULL)
			return;
		c->owner = o;
		c->gridsz = cells;
	}
	memset(c->bits, 0, cells);
	memset(c->owner, 0, cells);
	for (i = 0; i < c->ns; i++)
		if (c->s[i].n > 0)
			plot_series(c, &L, i);
	for (r = 0; r < L.ph; r++) {
		for (col = 0; col < L.pw; col++) {
			k = (size_t)r * (size_t)L.pw + (size_t)col;
			if (c->bits[k] == 0)
				continue;
			cell_glyph(mode, c->bits[k], c->owner[k], g);
			wput(w->win, w->y + r, w->x + L.px0 + col, 1, g,
			    wtheme_attr((enum wrole)c->s[c->owner[k]].role),
			    WPUT_TRUSTED);
		}
	}
	if (L.px0 > 0)
		draw_axes(c, &L);
	draw_marks(c, &L);
	draw_legend(c, &L, mode);
}

static unsigned
ch_key(struct widget *w, int key)
{
	struct wchart *c = (struct wchart *)w;

	if (key == 'L') {
		wchart_set_log(c, !c->logy);
		return W_HANDLED | W_REDRAW | W_CHANGED;
	}
	return 0;
}
