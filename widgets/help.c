/* help.c - help overlay widget: key/description list in a centred, scrollable box. */
#include "config.h"
#include "help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

struct entry {
	char *key;		/* NULL: section heading */
	char *desc;
};

struct whelp {
	struct widget base;
	char *title;
	struct entry *e;
	int n, top;
	int rows;		/* entries visible at the last paint */
};

static void hp_draw(struct widget *);
static unsigned hp_key(struct widget *, int);
static unsigned hp_mouse(struct widget *, const MEVENT *);
static void hp_destroy(struct widget *);

static const struct widget_ops whelp_ops = {
	.name = "help",
	.draw = hp_draw,
	.key = hp_key,
	.mouse = hp_mouse,
	.destroy = hp_destroy,
};

struct whelp *
whelp_new(WINDOW *win, int y, int x, int h, int w, const char *title)
{
	struct whelp *hp = calloc(1, sizeof *hp);

	if (hp == NULL)
		return NULL;
	widget_init(&hp->base, &whelp_ops, win, y, x, h, w);
	hp->title = strdup(title ? title : "help");
	if (hp->title == NULL) {
		free(hp);
		return NULL;
	}
	hp->rows = 1;
	return hp;
}

struct widget *
whelp_widget(struct whelp *hp)
{
	return &hp->base;
}

static void
hp_destroy(struct widget *w)
{
	struct whelp *hp = (struct whelp *)w;
	int i;

	for (i = 0; i < hp->n; i++) {
		free(hp->e[i].key);
		free(hp->e[i].desc);
	}
	free(hp->e);
	free(hp->title);
	free(hp);
}

int
whelp_add(struct whelp *hp, const char *key, const char *desc)
{
	struct entry *e = realloc(hp->e, (size_t)(hp->n + 1) * sizeof *e);

	if (e == NULL)
		return -1;
	hp->e = e;
	e = &hp->e[hp->n];
	e->key = key ? strdup(key) : NULL;
	e->desc = strdup(desc ? desc : "");
	if ((key && e->key == NULL) || e->desc == NULL) {
		free(e->key);
		free(e->desc);
		return -1;
	}
	hp->n++;
	hp->base.dirty = true;
	return 0;
}

int
whelp_count(const struct whelp *hp)
{
	return hp->n;
}

int
whelp_top(const struct whelp *hp)
{
	return hp->top;
}

static void
hp_draw(struct widget *w)
{
	struct whelp *hp = (struct whelp *)w;
	attr_t body = wtheme_attr(WR_DIALOG), key = wtheme_attr(WR_KEY);
	attr_t head = wtheme_attr(WR_HEADER);
	int bw = w->w - 4, bh = w->h - 2, bx, by, kw = 0, i, r;
	char pos[48];

	if (bw > 72)
		bw = 72;
	if (bh > hp->n + 2)
		bh = hp->n + 2;
	if (bw < 10 || bh < 3) {
		bw = w->w;
		bh = w->h;
	}
	if (bw < 3 || bh < 3)
		return;
	bx = w->x + (w->w - bw) / 2;
	by = w->y + (w->h - bh) / 2;
	hp->rows = bh - 2;
	if (hp->top > hp->n - hp->rows)
		hp->top = hp->n - hp->rows;
	if (hp->top < 0)
		hp->top = 0;
	for (i = 0; i < hp->n; i++) {
		int k = hp->e[i].key ? (int)wsan_width(hp->e[i].key) : 0;

		if (k > kw)
			kw = k;
	}
	if (kw > bw / 3)
		kw = bw / 3;
	for (r = 0; r < bh; r++)
		wfill(w->win, by + r, bx, bw, " ", body);
	if (hp->n > hp->rows)
		snprintf(pos, sizeof pos, "%d-%d of %d", hp->top + 1,
		    hp->top + hp->rows, hp->n);
	else
		pos[0] = '\0';
	wbox(w->win, by, bx, bh, bw, hp->title, pos, body);
	for (r = 0; r < hp->rows && hp->top + r < hp->n; r++) {
		const struct entry *e = &hp->e[hp->top + r];
		int y = by + 1 + r;

		if (e->key == NULL) {
			wput(w->win, y, bx + 2, bw - 4, e->desc, head,
			    WPUT_ELIDE);
			continue;
		}
		wput(w->win, y, bx + 2, kw, e->key, key, WPUT_ELIDE);
		wput(w->win, y, bx + 4 + kw, bw - 6 - kw, e->desc, body,
		    WPUT_ELIDE);
	}
}

static unsigned
hp_scroll(struct whelp *hp, int delta)
{
	int old = hp->top, max = hp->n - hp->rows;

	hp->top += delta;
	if (hp->top > max)
		hp->top = max;
	if (hp->top < 0)
		hp->top = 0;
	return hp->top != old ? W_HANDLED | W_REDRAW : W_HANDLED;
}

static unsigned
hp_key(struct widget *w, int key)
{
	struct whelp *hp = (struct whelp *)w;
	int page = hp->rows > 1 ? hp->rows - 1 : 1;

	if (wkey_is_enter(key))
		return W_HANDLED | W_CLOSE;
	switch (key) {
	case 'q':
	case '?':
	case WK_ESC:
		return W_HANDLED | W_CLOSE;
	case WK_UP:
	case 'k':
		return hp_scroll(hp, -1);
	case WK_DOWN:
	case 'j':
		return hp_scroll(hp, 1);
	case WK_PPAGE:
		return hp_scroll(hp, -page);
	case WK_NPAGE:
	case ' ':
		return hp_scroll(hp, page);
	case WK_CTRL('u'):
		return hp_scroll(hp, -(page / 2 + 1));
	case WK_CTRL('d'):
		return hp_scroll(hp, page / 2 + 1);
	case 'g':
	case WK_HOME:
		return hp_scroll(hp, -hp->n);
	case 'G':
	case WK_END:
		return hp_scroll(hp, hp->n);
	default:
		return W_HANDLED;
	}
}

static unsigned
hp_mouse(struct widget *w, const MEVENT *ev)
{
	struct whelp *hp = (struct whelp *)w;

#ifdef BUTTON5_PRESSED
	if (ev->bstate & BUTTON4_PRESSED)
		return hp_scroll(hp, -3);
	if (ev->bstate & BUTTON5_PRESSED)
		return hp_scroll(hp, 3);
#endif
	return W_HANDLED;
}
