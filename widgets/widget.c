/* widget.c - base widget dispatch, key decoding, ASCII/UTF-8 mode and the shared paint helpers. */
#include "config.h"
#include "widget.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "utf8.h"

static bool utf8_mode;
static struct buf scratch;	/* wput's sanitizing buffer, reused */

int
wkey_from_wget_wch(int rc, wint_t ch)
{
	if (rc == ERR)
		return -1;
	if (rc == KEY_CODE_YES)
		return WK((int)ch);
	return (int)ch;
}

int
wkey_is_enter(int key)
{
	return key == '\n' || key == '\r' || key == WK_ENTER;
}

int
wkey_is_backspace(int key)
{
	return key == 8 || key == 127 || key == WK_BACKSPACE;
}

void
widget_init(struct widget *w, const struct widget_ops *ops, WINDOW *win,
    int y, int x, int h, int wd)
{
	w->ops = ops;
	w->win = win;
	w->y = y;
	w->x = x;
	w->h = h < 0 ? 0 : h;
	w->w = wd < 0 ? 0 : wd;
	w->dirty = true;
	w->focused = false;
}

void
widget_place(struct widget *w, WINDOW *win, int y, int x, int h, int wd)
{
	w->win = win;
	w->y = y;
	w->x = x;
	w->h = h < 0 ? 0 : h;
	w->w = wd < 0 ? 0 : wd;
	w->dirty = true;
	if (w->ops->resize != NULL)
		w->ops->resize(w);
}

int
widget_draw(struct widget *w, bool force)
{
	if (w == NULL || w->win == NULL || (!w->dirty && !force))
		return 0;
	w->dirty = false;
	if (w->h > 0 && w->w > 0)
		w->ops->draw(w);
	return 1;
}

unsigned
widget_key(struct widget *w, int key)
{
	unsigned r;

	if (w == NULL || w->ops->key == NULL)
		return 0;
	r = w->ops->key(w, key);
	if (r & W_REDRAW)
		w->dirty = true;
	return r;
}

unsigned
widget_mouse(struct widget *w, const MEVENT *ev)
{
	unsigned r;

	if (w == NULL || w->ops->mouse == NULL)
		return 0;
	r = w->ops->mouse(w, ev);
	if (r & W_REDRAW)
		w->dirty = true;
	return r;
}

void
widget_set_focus(struct widget *w, bool focused)
{
	if (w->focused != focused) {
		w->focused = focused;
		w->dirty = true;
	}
}

void
widget_invalidate(struct widget *w)
{
	w->dirty = true;
}

void
widget_free(struct widget *w)
{
	if (w != NULL)
		w->ops->destroy(w);
}

int
widget_hit(const struct widget *w, const MEVENT *ev, int *row, int *col)
{
	int by = 0, bx = 0, r, c;

	if (w->win != NULL) {
		by = getbegy(w->win);
		bx = getbegx(w->win);
	}
	r = ev->y - by - w->y;
	c = ev->x - bx - w->x;
	if (row != NULL)
		*row = r;
	if (col != NULL)
		*col = c;
	return r >= 0 && r < w->h && c >= 0 && c < w->w;
}

/*
 * UTF-8 mode follows the locale's codeset, like ncurses itself: in the C
 * locale a braille or box glyph would come out as M-x garbage.
 */
void
widgets_init(void)
{
	const char *cs = nl_langinfo(CODESET);

	utf8_mode = cs != NULL && (strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0);
}

void
widgets_done(void)
{
	buf_free(&scratch);
}

bool
widgets_utf8(void)
{
	return utf8_mode;
}

void
widgets_set_utf8(bool on)
{
	utf8_mode = on;
}

const char *
wellipsis(void)
{
	return utf8_mode ? "\xe2\x80\xa6" : "~";
}

int
wsan(struct buf *out, const char *s, size_t n, unsigned flags)
{
	size_t start = out->len, i, j, len;
	uint32_t cp;

	if (utf8_sanitize(out, s, n, flags) < 0)
		return -1;
	if (utf8_mode) {
		/*
		 * A zero-width joiner glues emoji into one glyph in some
		 * terminals (tmux, kitty: 2 cells) and not in others
		 * (xterm: 4), while curses counts wcwidth() of each part.
		 * Either way curses' idea of the cursor and the terminal's
		 * part, and the rest of the row shifts.  Dropping the
		 * joiner leaves separate emoji, which every terminal and
		 * curses agree on.
		 */
		for (i = j = start; i < out->len; ) {
			if (out->len - i >= 3 &&
			    memcmp(out->p + i, "\xe2\x80\x8d", 3) == 0) {
				i += 3;
				continue;
			}
			out->p[j++] = out->p[i++];
		}
		out->len = j;
		if (out->p != NULL)
			out->p[j] = '\0';
		return 0;
	}
	/* ASCII mode: collapse each (valid, sanitized) multibyte char to '?'. */
	for (i = j = start; i < out->len; j++) {
		unsigned char b = (unsigned char)out->p[i];

		if (b < 0x80) {
			out->p[j] = out->p[i++];
			continue;
		}
		len = utf8_decode(&cp, out->p + i, out->len - i);
		i += len ? len : 1;
		out->p[j] = '?';
	}
	out->len = j;
	if (out->p != NULL)
		out->p[j] = '\0';
	return 0;
}

size_t
wstr_width(const char *s)
{
	return utf8_width(s);
}

size_t
wsan_width(const char *s)
{
	struct buf b = BUF_INIT;
	size_t w;

	if (s == NULL || wsan(&b, s, strlen(s), 0) < 0) {
		buf_free(&b);
		return 0;
	}
	w = wstr_width(buf_str(&b));
	buf_free(&b);
	return w;
}

size_t
wstr_width_n(const char *s, size_t n)
{
	size_t i = 0, w = 0, len;
	uint32_t c;
	int cw;

	while (i < n && s[i] != '\0') {
		len = utf8_decode(&c, s + i, n - i);
		if (len == 0)
			len = 1;
		cw = c < 0x80 ? 1 : wcwidth((wchar_t)c);
		w += cw < 0 ? 1 : (size_t)cw;
		i += len;
	}
	return w;
}

size_t
wstr_prefix(const char *s, size_t cols)
{
	return utf8_prefix_for_width(s, cols);
}

int
wput(WINDOW *win, int y, int x, int width, const char *s, attr_t attr,
    unsigned flags)
{
	const char *t;
	size_t tw, nb;
	int lead = 0, used;

	if (width <= 0)
		return 0;
	if (s == NULL)
		s = "";
	if (flags & WPUT_TRUSTED) {
		t = s;
	} else {
		buf_clear(&scratch);
		if (wsan(&scratch, s, strlen(s), 0) < 0)
			return 0;
		t = buf_str(&scratch);
	}
	tw = wstr_width(t);
	wattrset(win, attr);
	if (tw > (size_t)width) {
		if ((flags & WPUT_ELIDE) && width >= 1) {
			nb = wstr_prefix(t, (size_t)width - 1);
			used = (int)wstr_width_n(t, nb);
			mvwaddnstr(win, y, x, t, (int)nb);
			mvwaddstr(win, y, x + used, wellipsis());
			used++;
		} else {
			nb = wstr_prefix(t, (size_t)width);
			mvwaddnstr(win, y, x, t, (int)nb);
			used = (int)wstr_width_n(t, nb);
		}
	} else {
		if (flags & WPUT_RIGHT)
			lead = width - (int)tw;
		else if (flags & WPUT_CENTER)
			lead = (width - (int)tw) / 2;
		if (lead > 0 && (flags & WPUT_PAD))
			mvwprintw(win, y, x, "%*s", lead, "");
		mvwaddstr(win, y, x + lead, t);
		used = lead + (int)tw;
	}
	if ((flags & WPUT_PAD) && used < width) {
		mvwprintw(win, y, x + used, "%*s", width - used, "");
		used = width;
	}
	return used;
}

void
wfill(WINDOW *win, int y, int x, int width, const char *ch, attr_t attr)
{
	int i;

	wattrset(win, attr);
	wmove(win, y, x);
	for (i = 0; i < width; i++)
		waddstr(win, ch);
}

void
wbox(WINDOW *win, int y, int x, int h, int w, const char *title,
    const char *right, attr_t attr)
{
	int i, tx, rw = 0;

	if (h < 2 || w < 2)
		return;
	wattrset(win, attr);
	mvwaddch(win, y, x, ACS_ULCORNER);
	mvwhline(win, y, x + 1, ACS_HLINE, w - 2);
	mvwaddch(win, y, x + w - 1, ACS_URCORNER);
	for (i = 1; i < h - 1; i++) {
		mvwaddch(win, y + i, x, ACS_VLINE);
		mvwaddch(win, y + i, x + w - 1, ACS_VLINE);
	}
	mvwaddch(win, y + h - 1, x, ACS_LLCORNER);
	mvwhline(win, y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvwaddch(win, y + h - 1, x + w - 1, ACS_LRCORNER);
	if (right != NULL && *right != '\0' && w > 6) {
		buf_clear(&scratch);
		wsan(&scratch, right, strlen(right), 0);
		rw = (int)wstr_width(buf_str(&scratch));
		if (rw > w / 2 - 3)
			rw = w / 2 - 3;
		tx = x + w - 3 - rw;
		mvwaddch(win, y, tx - 1, ' ');
		wput(win, y, tx, rw, right, attr, WPUT_ELIDE);
		mvwaddch(win, y, tx + rw, ' ');
		rw += 3;
	}
	if (title != NULL && *title != '\0' && w > 4) {
		mvwaddch(win, y, x + 1, ' ');
		i = wput(win, y, x + 2, w - 5 - rw, title, attr, WPUT_ELIDE);
		mvwaddch(win, y, x + 2 + i, ' ');
	}
}
