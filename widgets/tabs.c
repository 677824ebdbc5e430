/* tabs.c - tab bar widget: labels, active tab, number keys and clicks. */
#include "config.h"
#include "tabs.h"

#include <stdlib.h>
#include <string.h>

#include "theme.h"

struct wtabs {
	struct widget base;
	char **labels;
	int n, active;
	int *xs, *ws;		/* painted position and width of each tab */
};

static void tb_draw(struct widget *);
static unsigned tb_key(struct widget *, int);
static unsigned tb_mouse(struct widget *, const MEVENT *);
static void tb_destroy(struct widget *);

static const struct widget_ops wtabs_ops = {
	.name = "tabs",
	.draw = tb_draw,
	.key = tb_key,
	.mouse = tb_mouse,
	.destroy = tb_destroy,
};

struct wtabs *
wtabs_new(WINDOW *win, int y, int x, int w)
{
	struct wtabs *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	widget_init(&t->base, &wtabs_ops, win, y, x, 1, w);
	return t;
}

struct widget *
wtabs_widget(struct wtabs *t)
{
	return &t->base;
}

static void
tb_destroy(struct widget *w)
{
	struct wtabs *t = (struct wtabs *)w;
	int i;

	for (i = 0; i < t->n; i++)
		free(t->labels[i]);
	free(t->labels);
	free(t->xs);
	free(t->ws);
	free(t);
}

int
wtabs_add(struct wtabs *t, const char *label)
{
	char **l = realloc(t->labels, (size_t)(t->n + 1) * sizeof *l);
	int *xs, *ws;

	if (l == NULL)
		return -1;
	t->labels = l;
	xs = realloc(t->xs, (size_t)(t->n + 1) * sizeof *xs);
	if (xs == NULL)
		return -1;
	t->xs = xs;
	ws = realloc(t->ws, (size_t)(t->n + 1) * sizeof *ws);
	if (ws == NULL)
		return -1;
	t->ws = ws;
	t->labels[t->n] = strdup(label ? label : "");
	if (t->labels[t->n] == NULL)
		return -1;
	t->xs[t->n] = t->ws[t->n] = 0;
	t->base.dirty = true;
	return t->n++;
}

int
wtabs_set_label(struct wtabs *t, int i, const char *label)
{
	char *c;

	if (i < 0 || i >= t->n)
		return -1;
	c = strdup(label ? label : "");
	if (c == NULL)
		return -1;
	free(t->labels[i]);
	t->labels[i] = c;
	t->base.dirty = true;
	return 0;
}

void
wtabs_remove(struct wtabs *t, int i)
{
	if (i < 0 || i >= t->n)
		return;
	free(t->labels[i]);
	memmove(t->labels + i, t->labels + i + 1,
	    (size_t)(t->n - i - 1) * sizeof *t->labels);
	t->n--;
	if (t->active > i || t->active >= t->n)
		t->active = t->active > 0 ? t->active - 1 : 0;
	t->base.dirty = true;
}

int
wtabs_count(const struct wtabs *t)
{
	return t->n;
}

void
wtabs_set_active(struct wtabs *t, int i)
{
	if (i >= 0 && i < t->n && i != t->active) {
		t->active = i;
		t->base.dirty = true;
	}
}

int
wtabs_active(const struct wtabs *t)
{
	return t->active;
}

void
wtabs_next(struct wtabs *t, int dir)
{
	if (t->n == 0)
		return;
	wtabs_set_active(t, ((t->active + (dir < 0 ? -1 : 1)) % t->n + t->n) %
	    t->n);
}

static void
tb_draw(struct widget *w)
{
	struct wtabs *t = (struct wtabs *)w;
	attr_t norm = wtheme_attr(WR_TAB), act = wtheme_attr(WR_TAB_ACTIVE);
	int i, x = w->x, maxw;
	const char *sep = widgets_utf8() ? "\xe2\x94\x82" : "|";

	wfill(w->win, w->y, w->x, w->w, " ", norm);
	if (t->n == 0)
		return;
	/* Each label gets an equal share when they don't all fit. */
	maxw = w->w / t->n - 3;
	if (maxw < 1)
		maxw = 1;
	for (i = 0; i < t->n && x < w->x + w->w; i++) {
		attr_t a = i == t->active ? act : norm;
		int lw, room = w->x + w->w - x;

		lw = (int)wsan_width(t->labels[i]);
		if (lw > maxw)
			lw = maxw;
		if (i > 0) {
			wput(w->win, w->y, x, 1, sep, norm, WPUT_TRUSTED);
			x++;
			room--;
		}
		t->xs[i] = x;
		if (room <= 0)
			break;
		wput(w->win, w->y, x, 1, " ", a, WPUT_TRUSTED);
		lw = wput(w->win, w->y, x + 1, lw < room - 1 ? lw : room - 1,
		    t->labels[i], a, WPUT_ELIDE);
		if (x + 1 + lw < w->x + w->w)
			wput(w->win, w->y, x + 1 + lw, 1, " ", a, WPUT_TRUSTED);
		t->ws[i] = lw + 2;
		x += lw + 2;
	}
}

static unsigned
tb_key(struct widget *w, int key)
{
	struct wtabs *t = (struct wtabs *)w;

	if (key >= '1' && key <= '9' && key - '1' < t->n) {
		if (t->active == key - '1')
			return W_HANDLED;
		wtabs_set_active(t, key - '1');
		return W_HANDLED | W_REDRAW | W_CHANGED;
	}
	return 0;
}

static unsigned
tb_mouse(struct widget *w, const MEVENT *ev)
{
	struct wtabs *t = (struct wtabs *)w;
	int row, col, i;

	if (!widget_hit(w, ev, &row, &col))
		return 0;
	for (i = 0; i < t->n; i++) {
		if (col + w->x >= t->xs[i] && col + w->x < t->xs[i] + t->ws[i]) {
			if (i == t->active)
				return W_HANDLED;
			wtabs_set_active(t, i);
			return W_HANDLED | W_REDRAW | W_CHANGED;
		}
	}
	return W_HANDLED;
}
