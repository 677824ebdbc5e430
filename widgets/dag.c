/* dag.c - DAG widget: longest-path layering, placeholder slots, barycentre ordering, line routing, painting. */
#include "config.h"
#include "dag.h"

#include <stdlib.h>
#include <string.h>

#include "theme.h"

#define GAP 6		/* least cells between layers: "──┬──▶" */
#define LN 1		/* line bits of a canvas cell */
#define LS 2
#define LE 4
#define LW 8
#define ARROW 16

struct node {
	char *label, *badge;
	int role;
	int layer;
	int w;			/* painted width of "[badge label]" */
};

struct edge {
	int from, to;
};

/* A slot of a layer: a real node, or a placeholder on a long edge. */
struct slot {
	int node;		/* node id, or -1 for a placeholder */
	int pred;		/* placeholder: slot index it continues, in the layer before */
	int row;
	int trunk;		/* column of its own vertical line in the gap, or -1 */
	double key;
};

struct layer {
	struct slot *s;
	int n, cap;
	int x, w;
};

struct wdag {
	struct widget base;
	struct node *nodes;
	int nn, capn;
	struct edge *edges;
	int ne, cape;
	int sel;
	/* layout */
	bool laid_out;
	struct layer *ly;
	int nly;
	int cw, ch;		/* canvas size */
	unsigned char *canvas;
	int vx, vy;		/* viewport origin in the canvas */
	/* segments: (layer, from slot) -> (layer + 1, to slot) */
	struct seg {
		int layer, a, b;
	} *segs;
	int nsegs, capsegs;
};

static void dg_draw(struct widget *);
static unsigned dg_key(struct widget *, int);
static unsigned dg_mouse(struct widget *, const MEVENT *);
static void dg_destroy(struct widget *);

static const struct widget_ops wdag_ops = {
	.name = "dag",
	.draw = dg_draw,
	.key = dg_key,
	.mouse = dg_mouse,
	.destroy = dg_destroy,
};

struct wdag *
wdag_new(WINDOW *win, int y, int x, int h, int w)
{
	struct wdag *d = calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	widget_init(&d->base, &wdag_ops, win, y, x, h, w);
	d->sel = -1;
	return d;
}

struct widget *
wdag_widget(struct wdag *d)
{
	return &d->base;
}

static void
free_layout(struct wdag *d)
{
	int i;

	for (i = 0; i < d->nly; i++)
		free(d->ly[i].s);
	free(d->ly);
	d->ly = NULL;
	d->nly = 0;
	free(d->canvas);
	d->canvas = NULL;
	free(d->segs);
	d->segs = NULL;
	d->nsegs = d->capsegs = 0;
	d->laid_out = false;
}

void
wdag_clear(struct wdag *d)
{
	int i;

	for (i = 0; i < d->nn; i++) {
		free(d->nodes[i].label);
		free(d->nodes[i].badge);
	}
	free(d->nodes);
	free(d->edges);
	d->nodes = NULL;
	d->edges = NULL;
	d->nn = d->capn = d->ne = d->cape = 0;
	d->sel = -1;
	d->vx = d->vy = 0;
	free_layout(d);
	d->base.dirty = true;
}

static void
dg_destroy(struct widget *w)
{
	struct wdag *d = (struct wdag *)w;

	wdag_clear(d);
	free(d);
}

static int
set_str(char **dst, const char *s)
{
	char *c;

	if (s == NULL)
		return 0;
	c = strdup(s);
	if (c == NULL)
		return -1;
	free(*dst);
	*dst = c;
	return 0;
}

int
wdag_add_node(struct wdag *d, const char *label, const char *badge, int role)
{
	struct node *n;

	if (d->nn == d->capn) {
		int cap = d->capn ? d->capn * 2 : 16;

		n = realloc(d->nodes, (size_t)cap * sizeof *n);
		if (n == NULL)
			return -1;
		d->nodes = n;
		d->capn = cap;
	}
	n = &d->nodes[d->nn];
	memset(n, 0, sizeof *n);
	if (set_str(&n->label, label ? label : "") < 0 ||
	    set_str(&n->badge, badge ? badge : "") < 0) {
		free(n->label);
		free(n->badge);
		return -1;
	}
	n->role = role;
	if (d->sel < 0)
		d->sel = d->nn;
	d->laid_out = false;
	d->base.dirty = true;
	return d->nn++;
}

int
wdag_add_edge(struct wdag *d, int from, int to)
{
	if (from < 0 || to < 0 || from >= d->nn || to >= d->nn || from == to)
		return -1;
	if (d->ne == d->cape) {
		int cap = d->cape ? d->cape * 2 : 16;
		struct edge *e = realloc(d->edges, (size_t)cap * sizeof *e);

		if (e == NULL)
			return -1;
		d->edges = e;
		d->cape = cap;
	}
	d->edges[d->ne].from = from;
	d->edges[d->ne].to = to;
	d->ne++;
	d->laid_out = false;
	d->base.dirty = true;
	return 0;
}

int
wdag_set_node(struct wdag *d, int id, const char *label, const char *badge,
    int role)
{
	if (id < 0 || id >= d->nn)
		return -1;
	if (set_str(&d->nodes[id].label, label) < 0 ||
	    set_str(&d->nodes[id].badge, badge) < 0)
		return -1;
	d->nodes[id].role = role;
	d->laid_out = false;	/* widths may change */
	d->base.dirty = true;
	return 0;
}

int
wdag_count(const struct wdag *d)
{
	return d->nn;
}

int
wdag_selected(const struct wdag *d)
{
	return d->sel;
}

void
wdag_select(struct wdag *d, int id)
{
	if (id >= 0 && id < d->nn && id != d->sel) {
		d->sel = id;
		d->base.dirty = true;
	}
}

/* ---- layout -------------------------------------------------------- */

static int
push_slot(struct layer *l, int node, int pred)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 8;
		struct slot *s = realloc(l->s, (size_t)cap * sizeof *s);

		if (s == NULL)
			return -1;
		l->s = s;
		l->cap = cap;
	}
	l->s[l->n].node = node;
	l->s[l->n].pred = pred;
	l->s[l->n].row = 0;
	l->s[l->n].trunk = -1;
	l->s[l->n].key = 0;
	return l->n++;
}

static int
push_seg(struct wdag *d, int layer, int a, int b)
{
	if (d->nsegs == d->capsegs) {
		int cap = d->capsegs ? d->capsegs * 2 : 16;
		struct seg *s = realloc(d->segs, (size_t)cap * sizeof *s);

		if (s == NULL)
			return -1;
		d->segs = s;
		d->capsegs = cap;
	}
	d->segs[d->nsegs].layer = layer;
	d->segs[d->nsegs].a = a;
	d->segs[d->nsegs].b = b;
	d->nsegs++;
	return 0;
}

static int
slot_of(const struct layer *l, int node)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->s[i].node == node)
			return i;
	return -1;
}

static int
cmp_key(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->key < y->key)
		return -1;
	if (x->key > y->key)
		return 1;
	return x->row - y->row;	/* stable: previous position */
}

/* Longest-path layers by Kahn's algorithm; nodes left on a cycle go in
 * one extra layer.  Returns the number of layers, -1 on OOM. */
static int
assign_layers(struct wdag *d)
{
	int *indeg = calloc((size_t)d->nn + 1, sizeof *indeg);
	int *queue = calloc((size_t)d->nn + 1, sizeof *queue);
	int qh = 0, qt = 0, i, e, maxl = 0, done = 0;

	if (indeg == NULL || queue == NULL) {
		free(indeg);
		free(queue);
		return -1;
	}
	for (i = 0; i < d->nn; i++)
		d->nodes[i].layer = -1;
	for (e = 0; e < d->ne; e++)
		indeg[d->edges[e].to]++;
	for (i = 0; i < d->nn; i++)
		if (indeg[i] == 0) {
			queue[qt++] = i;
			d->nodes[i].layer = 0;
		}
	while (qh < qt) {
		int u = queue[qh++];

		done++;
		for (e = 0; e < d->ne; e++) {
			int v = d->edges[e].to;

			if (d->edges[e].from != u)
				continue;
			if (d->nodes[v].layer < d->nodes[u].layer + 1)
				d->nodes[v].layer = d->nodes[u].layer + 1;
			if (--indeg[v] == 0)
				queue[qt++] = v;
		}
	}
	for (i = 0; i < d->nn; i++)
		if (d->nodes[i].layer > maxl)
			maxl = d->nodes[i].layer;
	if (done < d->nn) {
		maxl++;
		for (i = 0; i < d->nn; i++)
			if (indeg[i] > 0)
				d->nodes[i].layer = maxl;
	}
	free(indeg);
	free(queue);
	return d->nn ? maxl + 1 : 0;
}

static void
dg_link(struct wdag *d, int r1, int c1, int r2, int c2)
{
	unsigned char *a = &d->canvas[r1 * d->cw + c1];
	unsigned char *b = &d->canvas[r2 * d->cw + c2];

	if (r1 == r2) {
		*a |= c2 > c1 ? LE : LW;
		*b |= c2 > c1 ? LW : LE;
	} else {
		*a |= r2 > r1 ? LS : LN;
		*b |= r2 > r1 ? LN : LS;
	}
}

/* Marks line cells from (r, c1) to (r, c2) or (r1, c) to (r2, c). */
static void
dg_hline(struct wdag *d, int r, int c1, int c2)
{
	int c, step = c2 >= c1 ? 1 : -1;

	for (c = c1; c != c2; c += step)
		dg_link(d, r, c, r, c + step);
}

static void
dg_vline(struct wdag *d, int c, int r1, int r2)
{
	int r, step = r2 >= r1 ? 1 : -1;

	for (r = r1; r != r2; r += step)
		dg_link(d, r, c, r + step, c);
}

static int
layout(struct wdag *d)
{
	int nl, i, j, e, k, x;

	free_layout(d);
	nl = assign_layers(d);
	if (nl < 0)
		return -1;
	d->ly = calloc((size_t)nl + 1, sizeof *d->ly);
	if (d->ly == NULL)
		return -1;
	d->nly = nl;
	for (i = 0; i < d->nn; i++)
		if (push_slot(&d->ly[d->nodes[i].layer], i, -1) < 0)
			return -1;
	/* Edges: placeholders in every skipped layer, then segments. */
	for (e = 0; e < d->ne; e++) {
		int u = d->edges[e].from, v = d->edges[e].to;
		int lu = d->nodes[u].layer, lv = d->nodes[v].layer;
		int prev = slot_of(&d->ly[lu], u);

		if (lv <= lu)
			continue;	/* closes a cycle: not drawn */
		for (k = lu + 1; k < lv; k++) {
			int s = push_slot(&d->ly[k], -1, prev);

			if (s < 0 || push_seg(d, k - 1, prev, s) < 0)
				return -1;
			prev = s;
		}
		if (push_seg(d, lv - 1, prev, slot_of(&d->ly[lv], v)) < 0)
			return -1;
	}
	/* Order: two sweeps of barycentres of the inputs. */
	for (k = 0; k < 2; k++) {
		for (i = 1; i < nl; i++) {
			struct layer *l = &d->ly[i];
			int *map;

			for (j = 0; j < l->n; j++) {
				double sum = 0;
				int cnt = 0, sg;

				for (sg = 0; sg < d->nsegs; sg++)
					if (d->segs[sg].layer == i - 1 &&
					    d->segs[sg].b == j) {
						sum += d->ly[i - 1].s[d->segs[sg].a].row;
						cnt++;
					}
				l->s[j].key = cnt ? sum / cnt : j;
				l->s[j].row = j;
			}
			for (j = 0; j < d->ly[i - 1].n; j++)
				d->ly[i - 1].s[j].row = j;
			qsort(l->s, (size_t)l->n, sizeof *l->s, cmp_key);
			/* Renumber the segments that point into this layer. */
			map = malloc((size_t)l->n * sizeof *map);
			if (map == NULL)
				return -1;
			for (j = 0; j < l->n; j++)
				map[l->s[j].row] = j;
			for (e = 0; e < d->nsegs; e++) {
				if (d->segs[e].layer == i - 1)
					d->segs[e].b = map[d->segs[e].b];
				if (d->segs[e].layer == i)
					d->segs[e].a = map[d->segs[e].a];
			}
			free(map);
		}
	}
	/*
	 * Coordinates: a layer is as wide as its widest box; rows 0, 2, 4.
	 * Each slot with outgoing edges gets its own vertical trunk in the
	 * gap after its layer (top source, leftmost trunk), so lines from
	 * different sources never share a segment: where they meet, it is
	 * a visible crossing, not a merge.
	 */
	d->ch = 1;
	for (i = 0, x = 0; i < nl; i++) {
		struct layer *l = &d->ly[i];
		int nt = 0;

		l->x = x;
		l->w = 1;
		for (j = 0; j < l->n; j++) {
			l->s[j].row = 2 * j;
			if (l->s[j].node >= 0) {
				struct node *n = &d->nodes[l->s[j].node];

				n->w = (int)wsan_width(n->label) + 2 +
				    (n->badge[0] ? (int)wsan_width(n->badge) + 1 : 0);
				if (n->w > l->w)
					l->w = n->w;
			}
			if (2 * j + 1 > d->ch)
				d->ch = 2 * j + 1;
		}
		for (j = 0; j < l->n; j++) {
			for (e = 0; e < d->nsegs; e++)
				if (d->segs[e].layer == i && d->segs[e].a == j)
					break;
			if (e < d->nsegs)
				l->s[j].trunk = x + l->w + 2 + 2 * nt++;
		}
		x += l->w + (i + 1 < nl ? (nt > 1 ? 2 * nt + 4 : GAP) : 0);
	}
	d->cw = x > 0 ? x : 1;
	d->canvas = calloc((size_t)d->cw * (size_t)d->ch, 1);
	if (d->canvas == NULL)
		return -1;
	/* Lines: from a box (or across a placeholder) out to its trunk,
	 * along the trunk, and in to the target's row. */
	for (i = 0; i < nl; i++) {
		struct layer *l = &d->ly[i];

		for (j = 0; j < l->n; j++) {
			int r = l->s[j].row, c0;

			if (l->s[j].node < 0)
				c0 = l->x;
			else
				c0 = l->x + d->nodes[l->s[j].node].w;
			if (l->s[j].trunk >= 0) {
				dg_hline(d, r, c0, l->s[j].trunk);
				d->canvas[r * d->cw + c0] |= LW;
			} else if (l->s[j].node < 0) {
				dg_hline(d, r, c0, l->x + l->w - 1);
			}
		}
	}
	for (e = 0; e < d->nsegs; e++) {
		struct layer *a = &d->ly[d->segs[e].layer];
		struct layer *b = &d->ly[d->segs[e].layer + 1];
		int ra = a->s[d->segs[e].a].row, rb = b->s[d->segs[e].b].row;
		int trunk = a->s[d->segs[e].a].trunk;
		int end = b->s[d->segs[e].b].node >= 0 ? b->x - 1 : b->x;

		dg_vline(d, trunk, ra, rb);
		dg_hline(d, rb, trunk, end);
		if (b->s[d->segs[e].b].node >= 0)
			d->canvas[rb * d->cw + end] |= ARROW;
	}
	d->laid_out = true;
	return 0;
}

int
wdag_layer(struct wdag *d, int id)
{
	if (id < 0 || id >= d->nn || (!d->laid_out && layout(d) < 0))
		return -1;
	return d->nodes[id].layer;
}

/* ---- painting ------------------------------------------------------ */

static const char *
line_glyph(unsigned char b, bool utf8)
{
	static const char *u[16] = {
		" ", "\xe2\x94\x82", "\xe2\x94\x82", "\xe2\x94\x82",
		"\xe2\x94\x80", "\xe2\x94\x94", "\xe2\x94\x8c", "\xe2\x94\x9c",
		"\xe2\x94\x80", "\xe2\x94\x98", "\xe2\x94\x90", "\xe2\x94\xa4",
		"\xe2\x94\x80", "\xe2\x94\xb4", "\xe2\x94\xac", "\xe2\x94\xbc",
	};
	static const char *a[16] = {
		" ", "|", "|", "|", "-", "+", "+", "+",
		"-", "+", "+", "+", "-", "+", "+", "+",
	};

	if (b & ARROW)
		return utf8 ? "\xe2\x96\xb6" : ">";
	return utf8 ? u[b & 15] : a[b & 15];
}

/* Where node id sits: layer and slot; returns 0 if found. */
static int
find_node(const struct wdag *d, int id, int *li, int *si)
{
	if (id < 0 || id >= d->nn)
		return -1;
	*li = d->nodes[id].layer;
	*si = slot_of(&d->ly[*li], id);
	return *si < 0 ? -1 : 0;
}

static void
scroll_to_sel(struct wdag *d)
{
	struct widget *w = &d->base;
	int li, si, r, x0, x1;

	if (find_node(d, d->sel, &li, &si) < 0)
		return;
	r = d->ly[li].s[si].row;
	x0 = d->ly[li].x;
	x1 = x0 + d->nodes[d->sel].w;
	if (r < d->vy)
		d->vy = r;
	if (r >= d->vy + w->h)
		d->vy = r - w->h + 1;
	if (x1 > d->vx + w->w)
		d->vx = x1 - w->w;
	if (x0 < d->vx)
		d->vx = x0;
	if (d->vy > d->ch - w->h)
		d->vy = d->ch - w->h > 0 ? d->ch - w->h : 0;
	if (d->vx > d->cw - w->w)
		d->vx = d->cw - w->w > 0 ? d->cw - w->w : 0;
}

static void
dg_draw(struct widget *w)
{
	struct wdag *d = (struct wdag *)w;
	attr_t dim = wtheme_attr(WR_DIM);
	bool utf8 = widgets_utf8();
	int r, c, i, j;

	for (r = 0; r < w->h; r++)
		wfill(w->win, w->y + r, w->x, w->w, " ", wtheme_attr(WR_NORMAL));
	if (d->nn == 0 || (!d->laid_out && layout(d) < 0))
		return;
	scroll_to_sel(d);
	for (r = 0; r < w->h && d->vy + r < d->ch; r++)
		for (c = 0; c < w->w && d->vx + c < d->cw; c++) {
			unsigned char b = d->canvas[(d->vy + r) * d->cw + d->vx + c];

			if (b != 0)
				wput(w->win, w->y + r, w->x + c, 1,
				    line_glyph(b, utf8), dim, WPUT_TRUSTED);
		}
	for (i = 0; i < d->nly; i++) {
		for (j = 0; j < d->ly[i].n; j++) {
			int id = d->ly[i].s[j].node, row, col, room, skip;
			struct buf b = BUF_INIT;
			attr_t a;

			if (id < 0)
				continue;
			row = d->ly[i].s[j].row - d->vy;
			col = d->ly[i].x - d->vx;
			if (row < 0 || row >= w->h || col >= w->w ||
			    col + d->nodes[id].w <= 0)
				continue;
			a = id == d->sel ? wtheme_attr(w->focused ? WR_CURSOR :
			    WR_CURSOR_IDLE) : wtheme_attr((enum wrole)
			    d->nodes[id].role);
			buf_putc(&b, '[');
			if (d->nodes[id].badge[0]) {
				buf_puts(&b, d->nodes[id].badge);
				buf_putc(&b, ' ');
			}
			buf_puts(&b, d->nodes[id].label);
			buf_putc(&b, ']');
			/* Clip on the left by skipping cells of the sanitized text. */
			skip = col < 0 ? -col : 0;
			room = w->w - (col + skip);
			if (room > 0) {
				struct buf s = BUF_INIT;
				const char *t;

				wsan(&s, buf_str(&b), b.len, 0);
				t = buf_str(&s) + wstr_prefix(buf_str(&s),
				    (size_t)skip);
				wput(w->win, w->y + row, w->x + col + skip, room,
				    t, a, WPUT_TRUSTED);
				buf_free(&s);
			}
			buf_free(&b);
		}
	}
}

/* ---- keys and mouse ------------------------------------------------ */

static int
nearest_in_layer(const struct wdag *d, int li, int row)
{
	int j, best = -1, bd = 0;

	for (j = 0; j < d->ly[li].n; j++) {
		int id = d->ly[li].s[j].node, dist;

		if (id < 0)
			continue;
		dist = abs(d->ly[li].s[j].row - row);
		if (best < 0 || dist < bd) {
			best = id;
			bd = dist;
		}
	}
	return best;
}

static unsigned
go(struct wdag *d, int id)
{
	if (id < 0 || id == d->sel)
		return W_HANDLED;
	d->sel = id;
	return W_HANDLED | W_REDRAW | W_MOVED;
}

static unsigned
dg_key(struct widget *w, int key)
{
	struct wdag *d = (struct wdag *)w;
	int li, si, j, row;

	if (d->nn == 0)
		return 0;
	if (!d->laid_out && layout(d) < 0)
		return 0;
	if (find_node(d, d->sel, &li, &si) < 0)
		return go(d, 0);
	row = d->ly[li].s[si].row;
	if (wkey_is_enter(key))
		return W_HANDLED | W_ACTIVATE;
	switch (key) {
	case WK_UP:
	case 'k':
		for (j = si - 1; j >= 0; j--)
			if (d->ly[li].s[j].node >= 0)
				return go(d, d->ly[li].s[j].node);
		return W_HANDLED;
	case WK_DOWN:
	case 'j':
		for (j = si + 1; j < d->ly[li].n; j++)
			if (d->ly[li].s[j].node >= 0)
				return go(d, d->ly[li].s[j].node);
		return W_HANDLED;
	case WK_LEFT:
	case 'h':
		for (j = li - 1; j >= 0; j--)
			if (nearest_in_layer(d, j, row) >= 0)
				return go(d, nearest_in_layer(d, j, row));
		return W_HANDLED;
	case WK_RIGHT:
	case 'l':
		for (j = li + 1; j < d->nly; j++)
			if (nearest_in_layer(d, j, row) >= 0)
				return go(d, nearest_in_layer(d, j, row));
		return W_HANDLED;
	case 'g':
	case WK_HOME:
		return go(d, nearest_in_layer(d, 0, 0));
	case 'G':
	case WK_END:
		return go(d, nearest_in_layer(d, d->nly - 1, d->ch));
	default:
		return 0;
	}
}

static unsigned
dg_mouse(struct widget *w, const MEVENT *ev)
{
	struct wdag *d = (struct wdag *)w;
	int row, col, i, j;

	if (!widget_hit(w, ev, &row, &col) || !d->laid_out)
		return 0;
	row += d->vy;
	col += d->vx;
	for (i = 0; i < d->nly; i++)
		for (j = 0; j < d->ly[i].n; j++) {
			int id = d->ly[i].s[j].node;

			if (id >= 0 && d->ly[i].s[j].row == row &&
			    col >= d->ly[i].x &&
			    col < d->ly[i].x + d->nodes[id].w) {
				unsigned r = go(d, id) | W_REDRAW;

				if (ev->bstate & BUTTON1_DOUBLE_CLICKED)
					r |= W_ACTIVATE;
				return r;
			}
		}
	return W_HANDLED;
}
