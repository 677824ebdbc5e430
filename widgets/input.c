/* input.c - line editor widget: UTF-8 editing, kill keys, history, sideways scrolling. */
#include "config.h"
#include "input.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "theme.h"
#include "utf8.h"

struct winput {
	struct widget base;
	char *prompt;
	struct buf text;
	size_t cur;		/* byte offset of the cursor */
	size_t scroll;		/* text columns hidden on the left */
	int cursor_col;
	char **hist;		/* oldest first */
	size_t nhist, maxhist;
	size_t hpos;		/* == nhist: editing the new line */
	char *saved;		/* the new line while browsing history */
};

static void in_draw(struct widget *);
static unsigned in_key(struct widget *, int);
static void in_destroy(struct widget *);

static const struct widget_ops winput_ops = {
	.name = "input",
	.draw = in_draw,
	.key = in_key,
	.destroy = in_destroy,
};

struct winput *
winput_new(WINDOW *win, int y, int x, int w, const char *prompt)
{
	struct winput *in = calloc(1, sizeof *in);

	if (in == NULL)
		return NULL;
	widget_init(&in->base, &winput_ops, win, y, x, 1, w);
	in->prompt = strdup(prompt ? prompt : "");
	in->maxhist = 100;
	if (in->prompt == NULL || buf_add(&in->text, "", 0) < 0) {
		free(in->prompt);
		free(in);
		return NULL;
	}
	return in;
}

struct widget *
winput_widget(struct winput *in)
{
	return &in->base;
}

static void
in_destroy(struct widget *w)
{
	struct winput *in = (struct winput *)w;
	size_t i;

	for (i = 0; i < in->nhist; i++)
		free(in->hist[i]);
	free(in->hist);
	free(in->saved);
	free(in->prompt);
	buf_free(&in->text);
	free(in);
}

void
winput_set_prompt(struct winput *in, const char *prompt)
{
	char *p = strdup(prompt ? prompt : "");

	if (p == NULL)
		return;
	free(in->prompt);
	in->prompt = p;
	in->base.dirty = true;
}

int
winput_set_text(struct winput *in, const char *text)
{
	struct buf b = BUF_INIT;

	if (buf_puts(&b, text ? text : "") < 0 || buf_add(&b, "", 0) < 0) {
		buf_free(&b);
		return -1;
	}
	buf_free(&in->text);
	in->text = b;
	in->cur = b.len;
	in->base.dirty = true;
	return 0;
}

const char *
winput_text(const struct winput *in)
{
	return buf_str(&in->text);
}

size_t
winput_cursor(const struct winput *in)
{
	return in->cur;
}

void
winput_clear(struct winput *in)
{
	buf_clear(&in->text);
	in->cur = 0;
	in->scroll = 0;
	in->hpos = in->nhist;
	in->base.dirty = true;
}

int
winput_history_add(struct winput *in, const char *s)
{
	char *copy, **h;

	if (s == NULL || *s == '\0' ||
	    (in->nhist > 0 && strcmp(in->hist[in->nhist - 1], s) == 0)) {
		in->hpos = in->nhist;
		return 0;
	}
	copy = strdup(s);
	if (copy == NULL)
		return -1;
	if (in->nhist >= in->maxhist && in->nhist > 0) {
		free(in->hist[0]);
		memmove(in->hist, in->hist + 1, (in->nhist - 1) * sizeof *h);
		in->nhist--;
	}
	h = realloc(in->hist, (in->nhist + 1) * sizeof *h);
	if (h == NULL) {
		free(copy);
		return -1;
	}
	in->hist = h;
	in->hist[in->nhist++] = copy;
	in->hpos = in->nhist;
	return 0;
}

void
winput_set_history_max(struct winput *in, size_t max)
{
	in->maxhist = max ? max : 1;
	while (in->nhist > in->maxhist) {
		free(in->hist[0]);
		memmove(in->hist, in->hist + 1,
		    (in->nhist - 1) * sizeof *in->hist);
		in->nhist--;
	}
	in->hpos = in->nhist;
}

size_t
winput_history_count(const struct winput *in)
{
	return in->nhist;
}

int
winput_cursor_col(const struct winput *in)
{
	return in->cursor_col;
}

/* ---- editing ------------------------------------------------------- */

static int
is_zero_width(const char *s, size_t n)
{
	uint32_t c;

	if (utf8_decode(&c, s, n) == 0 || c < 0x300)
		return 0;
	return wcwidth((wchar_t)c) == 0;
}

/* Byte offset of the character after / before pos (combining marks
 * belong to the character before them). */
static size_t
next_char(const struct winput *in, size_t pos)
{
	const char *s = in->text.p;
	size_t n = in->text.len, len;
	uint32_t c;

	if (pos >= n)
		return n;
	do {
		len = utf8_decode(&c, s + pos, n - pos);
		pos += len ? len : 1;
	} while (pos < n && is_zero_width(s + pos, n - pos));
	return pos;
}

static size_t
prev_char(const struct winput *in, size_t pos)
{
	const char *s = in->text.p;

	while (pos > 0) {
		do
			pos--;
		while (pos > 0 && ((unsigned char)s[pos] & 0xc0) == 0x80);
		if (!is_zero_width(s + pos, in->text.len - pos))
			break;
	}
	return pos;
}

static void
delete_range(struct winput *in, size_t a, size_t b)
{
	if (b <= a)
		return;
	memmove(in->text.p + a, in->text.p + b, in->text.len - b + 1);
	in->text.len -= b - a;
	if (in->cur > b)
		in->cur -= b - a;
	else if (in->cur > a)
		in->cur = a;
}

static int
insertable(int key)
{
	if (key < 0x20 || WK_IS_FN(key) || key > 0x10ffff)
		return 0;
	if (key >= 0x7f && key <= 0x9f)
		return 0;
	if ((key >= 0xd800 && key <= 0xdfff) ||
	    (key >= 0x202a && key <= 0x202e) ||
	    (key >= 0x2066 && key <= 0x2069) || key == 0x200e ||
	    key == 0x200f || key == 0x061c || key == 0xfeff)
		return 0;
	return 1;
}

static int
insert_cp(struct winput *in, unsigned c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (buf_grow(&in->text, n) < 0)
		return -1;
	memmove(in->text.p + in->cur + n, in->text.p + in->cur,
	    in->text.len - in->cur + 1);
	memcpy(in->text.p + in->cur, u, n);
	in->text.len += n;
	in->cur += n;
	return 0;
}

static void
history_go(struct winput *in, int dir)
{
	if (in->nhist == 0)
		return;
	if (dir < 0 && in->hpos == 0)
		return;
	if (dir > 0 && in->hpos >= in->nhist)
		return;
	if (in->hpos == in->nhist) {
		free(in->saved);
		in->saved = strdup(buf_str(&in->text));
	}
	in->hpos = dir < 0 ? in->hpos - 1 : in->hpos + 1;
	if (in->hpos == in->nhist) {
		winput_set_text(in, in->saved ? in->saved : "");
		free(in->saved);
		in->saved = NULL;
	} else {
		winput_set_text(in, in->hist[in->hpos]);
	}
}

static unsigned
in_key(struct widget *w, int key)
{
	struct winput *in = (struct winput *)w;
	const unsigned moved = W_HANDLED | W_REDRAW;
	const unsigned edited = W_HANDLED | W_REDRAW | W_CHANGED;
	size_t p;

	if (wkey_is_enter(key)) {
		winput_history_add(in, buf_str(&in->text));
		return W_HANDLED | W_SUBMIT;
	}
	if (wkey_is_backspace(key)) {
		if (in->cur == 0)
			return W_HANDLED;
		delete_range(in, prev_char(in, in->cur), in->cur);
		return edited;
	}
	switch (key) {
	case WK_ESC:
	case WK_CTRL('g'):
		return W_HANDLED | W_CANCEL;
	case WK_LEFT:
	case WK_CTRL('b'):
		in->cur = prev_char(in, in->cur);
		return moved;
	case WK_RIGHT:
	case WK_CTRL('f'):
		in->cur = next_char(in, in->cur);
		return moved;
	case WK_HOME:
	case WK_CTRL('a'):
		in->cur = 0;
		return moved;
	case WK_END:
	case WK_CTRL('e'):
		in->cur = in->text.len;
		return moved;
	case WK_DC:
	case WK_CTRL('d'):
		if (in->cur >= in->text.len)
			return W_HANDLED;
		delete_range(in, in->cur, next_char(in, in->cur));
		return edited;
	case WK_CTRL('k'):
		delete_range(in, in->cur, in->text.len);
		return edited;
	case WK_CTRL('u'):
		delete_range(in, 0, in->cur);
		return edited;
	case WK_CTRL('w'):
		p = in->cur;
		while (p > 0 && in->text.p[p - 1] == ' ')
			p--;
		while (p > 0 && in->text.p[p - 1] != ' ')
			p--;
		delete_range(in, p, in->cur);
		return edited;
	case WK_UP:
	case WK_CTRL('p'):
		history_go(in, -1);
		return edited;
	case WK_DOWN:
	case WK_CTRL('n'):
		history_go(in, 1);
		return edited;
	default:
		if (!insertable(key))
			return 0;
		if (insert_cp(in, (unsigned)key) < 0)
			return W_HANDLED;
		return edited;
	}
}

/* ---- painting ------------------------------------------------------ */

static void
in_draw(struct widget *w)
{
	struct winput *in = (struct winput *)w;
	struct buf shown = BUF_INIT;
	attr_t a = wtheme_attr(WR_NORMAL);
	int pw, avail, ccol;
	size_t ctext, off, nb;
	const char *s;

	wfill(w->win, w->y, w->x, w->w, " ", a);
	pw = wput(w->win, w->y, w->x, w->w - 1, in->prompt,
	    wtheme_attr(WR_TITLE), WPUT_ELIDE);
	avail = w->w - pw - 1;	/* one cell for the cursor at the end */
	if (avail < 1) {
		in->cursor_col = w->x + pw;
		return;
	}
	/* Text was filtered on insert, but set_text may bring anything. */
	wsan(&shown, in->text.p, in->cur, 0);
	ctext = wstr_width(buf_str(&shown));
	buf_clear(&shown);
	wsan(&shown, in->text.p, in->text.len, 0);
	s = buf_str(&shown);
	/* Never scrolled further than needed: after the terminal grew
	 * (or text was deleted) the text slides back to the right. */
	{
		size_t total = wstr_width(s);

		if (total <= (size_t)avail)
			in->scroll = 0;
		else if (in->scroll > total - (size_t)avail)
			in->scroll = total - (size_t)avail;
	}
	if (ctext < in->scroll)
		in->scroll = ctext;
	if (ctext > in->scroll + (size_t)avail)
		in->scroll = ctext - (size_t)avail;
	off = wstr_prefix(s, in->scroll);
	nb = wstr_prefix(s + off, (size_t)avail);
	wattrset(w->win, a);
	mvwaddnstr(w->win, w->y, w->x + pw, s + off, (int)nb);
	ccol = w->x + pw + (int)(ctext - in->scroll);
	in->cursor_col = ccol;
	if (w->focused) {
		/* Show the cursor cell reversed: visible even with curs_set(0). */
		const char *cs = s + wstr_prefix(s, ctext);
		size_t cl = *cs ? wstr_prefix(cs, 1) : 0;
		char one[8] = " ";

		if (cl > 0 && cl < sizeof one) {
			memcpy(one, cs, cl);
			one[cl] = '\0';
		}
		wput(w->win, w->y, ccol, 1, one, a | A_REVERSE,
		    WPUT_TRUSTED | WPUT_PAD);
	}
	buf_free(&shown);
}
