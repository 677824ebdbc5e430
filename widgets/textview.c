/* textview.c - log viewer widget: line storage, sanitizing on arrival, follow/wrap scrolling, search highlight. */
#include "config.h"
#include "textview.h"

#include <stdlib.h>
#include <string.h>

#include "theme.h"
#include "utf8.h"

#define PENDING_MAX	65536	/* an unterminated line is cut here */
#define TABSTOP		8

struct wtext {
	struct widget base;
	char **lines;		/* sanitized, tab-expanded, owned */
	size_t n, cap, max;
	struct buf raw;		/* the unfinished last line, raw */
	struct buf pend;	/* raw sanitized (cache) */
	bool pend_ok;		/* pend is up to date */
	size_t top;		/* first line on screen */
	size_t sub;		/* wrapped row of line top at the screen's top */
	int hscroll;		/* columns skipped (no wrap) */
	bool follow, wrap;
	char *needle;
	long match;		/* line of the current match, -1: none */
};

static void tv_draw(struct widget *);
static unsigned tv_key(struct widget *, int);
static unsigned tv_mouse(struct widget *, const MEVENT *);
static void tv_resize(struct widget *);
static void tv_destroy(struct widget *);

static const struct widget_ops wtext_ops = {
	.name = "textview",
	.draw = tv_draw,
	.key = tv_key,
	.mouse = tv_mouse,
	.resize = tv_resize,
	.destroy = tv_destroy,
};

struct wtext *
wtext_new(WINDOW *win, int y, int x, int h, int w)
{
	struct wtext *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	widget_init(&t->base, &wtext_ops, win, y, x, h, w);
	t->max = 200000;
	t->follow = true;
	t->match = -1;
	return t;
}

struct widget *
wtext_widget(struct wtext *t)
{
	return &t->base;
}

void
wtext_clear(struct wtext *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->lines[i]);
	t->n = 0;
	t->top = t->sub = 0;
	t->match = -1;
	buf_clear(&t->raw);
	t->pend_ok = false;
	t->base.dirty = true;
}

static void
tv_destroy(struct widget *w)
{
	struct wtext *t = (struct wtext *)w;

	wtext_clear(t);
	free(t->lines);
	buf_free(&t->raw);
	buf_free(&t->pend);
	free(t->needle);
	free(t);
}

size_t
wtext_count(const struct wtext *t)
{
	return t->n + (t->raw.len > 0 ? 1 : 0);
}

/* Sanitizes one raw line into out: visible controls, '\r' semantics,
 * tabs expanded to TABSTOP columns. */
static int
clean_line(struct buf *out, const char *s, size_t n)
{
	struct buf tmp = BUF_INIT;
	const char *cr;
	size_t i, col = 0;
	int rc = 0;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	cr = n ? memrchr(s, '\r', n) : NULL;
	if (cr != NULL) {
		n -= (size_t)(cr + 1 - s);
		s = cr + 1;
	}
	buf_clear(out);
	if (wsan(&tmp, s, n, UTF8_KEEP_TAB) < 0)
		return -1;
	for (i = 0; i < tmp.len && rc == 0; ) {
		size_t len;
		uint32_t c;

		if (tmp.p[i] == '\t') {
			size_t k = TABSTOP - col % TABSTOP;

			col += k;
			while (k-- > 0 && rc == 0)
				rc = buf_putc(out, ' ');
			i++;
			continue;
		}
		len = utf8_decode(&c, tmp.p + i, tmp.len - i);
		if (len == 0)
			len = 1;
		col += wstr_width_n(tmp.p + i, len);
		rc = buf_add(out, tmp.p + i, len);
		i += len;
	}
	if (rc == 0 && out->p == NULL)
		rc = buf_add(out, "", 0);
	buf_free(&tmp);
	return rc;
}

static void
drop_oldest(struct wtext *t)
{
	size_t k, i;

	if (t->n <= t->max)
		return;
	k = t->n - t->max + t->max / 10;
	if (k > t->n)
		k = t->n;
	for (i = 0; i < k; i++)
		free(t->lines[i]);
	memmove(t->lines, t->lines + k, (t->n - k) * sizeof *t->lines);
	t->n -= k;
	if (t->top < k) {
		t->top = 0;
		t->sub = 0;
	} else {
		t->top -= k;
	}
	if (t->match >= 0)
		t->match = (size_t)t->match < k ? -1 : t->match - (long)k;
}

static int
push_line(struct wtext *t, const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		char **l = realloc(t->lines, cap * sizeof *l);

		if (l == NULL)
			return -1;
		t->lines = l;
		t->cap = cap;
	}
	if (clean_line(&b, s, n) < 0) {
		buf_free(&b);
		return -1;
	}
	t->lines[t->n++] = buf_detach(&b);
	if (t->lines[t->n - 1] == NULL) {
		t->n--;
		return -1;
	}
	drop_oldest(t);
	return 0;
}

static void stick_bottom(struct wtext *t);

int
wtext_append(struct wtext *t, const char *data, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(data + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (data + i)) : n - i;
		size_t room = PENDING_MAX - t->raw.len;
		bool brk = nl != NULL;

		if (len >= room) {	/* too long: cut it here */
			len = room;
			brk = true;
		}
		if (buf_add(&t->raw, data + i, len) < 0)
			return -1;
		i += len;
		if (!brk)
			continue;
		if (i < n && data[i] == '\n')
			i++;
		if (push_line(t, buf_str(&t->raw), t->raw.len) < 0)
			return -1;
		buf_clear(&t->raw);
	}
	t->pend_ok = false;
	t->base.dirty = true;
	if (t->follow)
		stick_bottom(t);
	return 0;
}

int
wtext_add_line(struct wtext *t, const char *s)
{
	int rc;

	if (t->raw.len > 0) {
		rc = push_line(t, buf_str(&t->raw), t->raw.len);
		buf_clear(&t->raw);
		t->pend_ok = false;
		if (rc < 0)
			return -1;
	}
	if (push_line(t, s, strlen(s)) < 0)
		return -1;
	t->base.dirty = true;
	if (t->follow)
		stick_bottom(t);
	return 0;
}

void
wtext_set_max_lines(struct wtext *t, size_t max)
{
	t->max = max ? max : 1;
	drop_oldest(t);
	t->base.dirty = true;
}

const char *
wtext_line(struct wtext *t, size_t i)
{
	if (i < t->n)
		return t->lines[i];
	if (i == t->n && t->raw.len > 0) {
		if (!t->pend_ok) {
			if (clean_line(&t->pend, t->raw.p, t->raw.len) < 0)
				return "";
			t->pend_ok = true;
		}
		return buf_str(&t->pend);
	}
	return NULL;
}

/* ---- geometry of wrapped lines ------------------------------------- */

/* Bytes of the wrapped row that starts at s (at least one character). */
static size_t
chunk_len(const char *s, int w)
{
	size_t nb = wstr_prefix(s, (size_t)(w > 0 ? w : 1));
	uint32_t c;

	if (nb == 0 && *s != '\0') {
		nb = utf8_decode(&c, s, strlen(s));
		if (nb == 0)
			nb = 1;
	}
	return nb;
}

static size_t
line_rows(struct wtext *t, size_t i)
{
	const char *s;
	size_t rows = 0, off = 0;

	if (!t->wrap)
		return 1;
	s = wtext_line(t, i);
	if (s == NULL || *s == '\0')
		return 1;
	while (s[off] != '\0') {
		off += chunk_len(s + off, t->base.w);
		rows++;
	}
	return rows;
}

/* The (top, sub) position that shows the last row at the bottom. */
static void
bottom_pos(struct wtext *t, size_t *top, size_t *sub)
{
	size_t count = wtext_count(t), need = (size_t)(t->base.h > 0 ?
	    t->base.h : 1), i, r;

	*top = *sub = 0;
	for (i = count; i > 0; i--) {
		r = line_rows(t, i - 1);
		if (r >= need) {
			*top = i - 1;
			*sub = r - need;
			return;
		}
		need -= r;
	}
}

static bool
at_or_past_bottom(struct wtext *t)
{
	size_t bt, bs;

	bottom_pos(t, &bt, &bs);
	return t->top > bt || (t->top == bt && t->sub >= bs);
}

static void
stick_bottom(struct wtext *t)
{
	bottom_pos(t, &t->top, &t->sub);
}

static void
clamp_pos(struct wtext *t)
{
	if (at_or_past_bottom(t))
		stick_bottom(t);
	if (t->sub >= line_rows(t, t->top))
		t->sub = 0;
}

static void
scroll_rows(struct wtext *t, long delta)
{
	if (delta > 0) {
		while (delta-- > 0 && !at_or_past_bottom(t)) {
			if (++t->sub >= line_rows(t, t->top)) {
				t->top++;
				t->sub = 0;
			}
		}
		t->follow = at_or_past_bottom(t);
	} else {
		while (delta++ < 0) {
			if (t->sub > 0) {
				t->sub--;
			} else if (t->top > 0) {
				t->top--;
				t->sub = line_rows(t, t->top) - 1;
			} else {
				break;
			}
		}
		t->follow = false;
	}
	clamp_pos(t);
}

void
wtext_set_follow(struct wtext *t, bool on)
{
	t->follow = on;
	if (on)
		stick_bottom(t);
	t->base.dirty = true;
}

bool
wtext_follow(const struct wtext *t)
{
	return t->follow;
}

void
wtext_set_wrap(struct wtext *t, bool on)
{
	t->wrap = on;
	t->sub = 0;
	t->hscroll = 0;
	if (t->follow)
		stick_bottom(t);
	else
		clamp_pos(t);
	t->base.dirty = true;
}

bool
wtext_wrap(const struct wtext *t)
{
	return t->wrap;
}

size_t
wtext_top(const struct wtext *t)
{
	return t->top;
}

void
wtext_scroll_to(struct wtext *t, size_t i)
{
	size_t count = wtext_count(t);

	t->follow = false;
	t->top = count == 0 ? 0 : (i < count ? i : count - 1);
	t->sub = 0;
	clamp_pos(t);
	t->base.dirty = true;
}

static void
tv_resize(struct widget *w)
{
	struct wtext *t = (struct wtext *)w;

	if (t->follow)
		stick_bottom(t);
	else
		clamp_pos(t);
}

/* ---- search -------------------------------------------------------- */

static bool
smartcase(const char *needle)
{
	for (; *needle; needle++)
		if (*needle >= 'A' && *needle <= 'Z')
			return false;
	return true;
}

static const char *
find(const char *hay, const char *needle, bool icase)
{
	return icase ? strcasestr(hay, needle) : strstr(hay, needle);
}

long
wtext_search(struct wtext *t, const char *needle, int dir, bool from_top)
{
	size_t count = wtext_count(t), i, start, line;
	bool icase;

	if (needle != t->needle) {
		free(t->needle);
		t->needle = needle && *needle ? strdup(needle) : NULL;
	}
	t->base.dirty = true;
	if (t->needle == NULL || count == 0) {
		t->match = -1;
		return -1;
	}
	icase = smartcase(t->needle);
	dir = dir < 0 ? -1 : 1;
	if (from_top || t->match < 0 || (size_t)t->match >= count)
		start = t->top, i = 0;
	else
		start = (size_t)t->match, i = 1;
	for (; i <= count; i++) {
		line = dir > 0 ? (start + i) % count :
		    (start + count - i % count) % count;
		if (find(wtext_line(t, line), t->needle, icase) != NULL) {
			t->match = (long)line;
			wtext_scroll_to(t, line);
			return t->match;
		}
	}
	t->match = -1;
	return -1;
}

/* ---- painting ------------------------------------------------------ */

static int
paint(WINDOW *win, int y, int x, const char *s, size_t n, attr_t a)
{
	wattrset(win, a);
	mvwaddnstr(win, y, x, s, (int)n);
	return (int)wstr_width_n(s, n);
}

/* Paints bytes [start, end) of line s on row y, then highlights every
 * occurrence of the needle that overlaps them. */
static void
paint_row(struct wtext *t, int y, const char *s, size_t start, size_t end)
{
	struct widget *w = &t->base;
	attr_t norm = wtheme_attr(WR_NORMAL), hl = wtheme_attr(WR_MATCH);
	const char *p;
	size_t nl;
	bool icase;
	int used;

	used = paint(w->win, y, w->x, s + start, end - start, norm);
	if (used < w->w)
		wfill(w->win, y, w->x + used, w->w - used, " ", norm);
	if (t->needle == NULL)
		return;
	nl = strlen(t->needle);
	icase = smartcase(t->needle);
	for (p = find(s, t->needle, icase); p != NULL;
	    p = find(p + (nl ? nl : 1), t->needle, icase)) {
		size_t a = (size_t)(p - s), b = a + nl;

		if (b <= start || a >= end)
			continue;
		if (a < start)
			a = start;
		if (b > end)
			b = end;
		paint(w->win, y, w->x + (int)wstr_width_n(s + start, a - start),
		    s + a, b - a, hl);
	}
}

static void
tv_draw(struct widget *w)
{
	struct wtext *t = (struct wtext *)w;
	size_t count = wtext_count(t), line = t->top, sub = t->sub, k, off;
	int r;

	if (t->follow)
		stick_bottom(t);
	line = t->top;
	sub = t->sub;
	for (r = 0; r < w->h; r++) {
		const char *s = line < count ? wtext_line(t, line) : NULL;

		if (s == NULL) {
			wfill(w->win, w->y + r, w->x, w->w, " ",
			    wtheme_attr(WR_NORMAL));
			continue;
		}
		if (!t->wrap) {
			off = wstr_prefix(s, (size_t)t->hscroll);
			/* a wide char cut by the left edge: skip it whole */
			if (wstr_width_n(s, off) < (size_t)t->hscroll &&
			    s[off] != '\0')
				off += chunk_len(s + off, 1);
			paint_row(t, w->y + r, s, off,
			    off + wstr_prefix(s + off, (size_t)w->w));
			line++;
			continue;
		}
		for (off = 0, k = 0; k < sub && s[off] != '\0'; k++)
			off += chunk_len(s + off, w->w);
		k = s[off] ? chunk_len(s + off, w->w) : 0;
		paint_row(t, w->y + r, s, off, off + k);
		if (s[off + k] == '\0') {
			line++;
			sub = 0;
		} else {
			sub++;
		}
	}
}

/* ---- keys ---------------------------------------------------------- */

static unsigned
tv_key(struct widget *w, int key)
{
	struct wtext *t = (struct wtext *)w;
	long page = w->h > 1 ? w->h - 1 : 1;

	switch (key) {
	case WK_UP:
	case 'k':
		scroll_rows(t, -1);
		break;
	case WK_DOWN:
	case 'j':
		scroll_rows(t, 1);
		break;
	case WK_PPAGE:
	case WK_CTRL('b'):
		scroll_rows(t, -page);
		break;
	case WK_NPAGE:
	case WK_CTRL('f'):
	case ' ':
		scroll_rows(t, page);
		break;
	case WK_CTRL('u'):
		scroll_rows(t, -(w->h / 2 > 0 ? w->h / 2 : 1));
		break;
	case WK_CTRL('d'):
		scroll_rows(t, w->h / 2 > 0 ? w->h / 2 : 1);
		break;
	case WK_HOME:
	case 'g':
		t->top = t->sub = 0;
		t->follow = false;
		clamp_pos(t);
		break;
	case WK_END:
	case 'G':
		wtext_set_follow(t, true);
		break;
	case WK_LEFT:
	case 'h':
		if (t->wrap || t->hscroll == 0)
			return W_HANDLED;
		t->hscroll = t->hscroll > 8 ? t->hscroll - 8 : 0;
		break;
	case WK_RIGHT:
	case 'l':
		if (t->wrap)
			return W_HANDLED;
		t->hscroll += 8;
		break;
	case 'w':
		wtext_set_wrap(t, !t->wrap);
		return W_HANDLED | W_REDRAW | W_CHANGED;
	case 'f':
		wtext_set_follow(t, !t->follow);
		return W_HANDLED | W_REDRAW | W_CHANGED;
	case 'n':
	case 'N':
		if (t->needle == NULL)
			return 0;
		wtext_search(t, t->needle, key == 'n' ? 1 : -1, false);
		break;
	default:
		return 0;
	}
	return W_HANDLED | W_REDRAW | W_MOVED;
}

static unsigned
tv_mouse(struct widget *w, const MEVENT *ev)
{
	struct wtext *t = (struct wtext *)w;

	if (!widget_hit(w, ev, NULL, NULL))
		return 0;
#ifdef BUTTON5_PRESSED
	if (ev->bstate & BUTTON4_PRESSED) {
		scroll_rows(t, -3);
		return W_HANDLED | W_REDRAW | W_MOVED;
	}
	if (ev->bstate & BUTTON5_PRESSED) {
		scroll_rows(t, 3);
		return W_HANDLED | W_REDRAW | W_MOVED;
	}
#endif
	return W_HANDLED;
}
