/* dialog.c - confirm dialog widget and the word wrapper it uses. */
#include "config.h"
#include "dialog.h"

#include <stdlib.h>
#include <string.h>

#include "theme.h"

#define MAXLINES 16

struct wdialog {
	struct widget base;
	char *title;
	struct buf msg;		/* sanitized */
	int yes;		/* highlighted / answered button */
	int by, byes, bno;	/* last painted button row and columns */
};

static void dl_draw(struct widget *);
static unsigned dl_key(struct widget *, int);
static unsigned dl_mouse(struct widget *, const MEVENT *);
static void dl_destroy(struct widget *);

static const struct widget_ops wdialog_ops = {
	.name = "dialog",
	.draw = dl_draw,
	.key = dl_key,
	.mouse = dl_mouse,
	.destroy = dl_destroy,
};

struct wdialog *
wdialog_new(WINDOW *win, int y, int x, int h, int w, const char *title,
    const char *message, bool default_yes)
{
	struct wdialog *d = calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	widget_init(&d->base, &wdialog_ops, win, y, x, h, w);
	d->title = strdup(title ? title : "");
	if (d->title == NULL || wsan(&d->msg, message ? message : "",
	    message ? strlen(message) : 0, 0) < 0 ||
	    buf_add(&d->msg, "", 0) < 0) {
		free(d->title);
		buf_free(&d->msg);
		free(d);
		return NULL;
	}
	d->yes = default_yes;
	d->by = -1;
	return d;
}

struct widget *
wdialog_widget(struct wdialog *d)
{
	return &d->base;
}

int
wdialog_answer(const struct wdialog *d)
{
	return d->yes;
}

static void
dl_destroy(struct widget *w)
{
	struct wdialog *d = (struct wdialog *)w;

	free(d->title);
	buf_free(&d->msg);
	free(d);
}

int
wwrap(const char *s, int width, size_t *off, size_t *len, int max)
{
	size_t pos = 0, n = strlen(s);
	int lines = 0;

	if (width < 1)
		width = 1;
	while (pos < n) {
		size_t fit, end, next;

		while (pos < n && s[pos] == ' ')
			pos++;
		if (pos >= n)
			break;
		fit = wstr_prefix(s + pos, (size_t)width);
		if (fit == 0)
			fit = 1;	/* a character wider than the line */
		if (pos + fit >= n) {
			end = next = n;
		} else {
			/* Break at the last space that fits, if any. */
			end = pos + fit;
			while (end > pos && s[end] != ' ')
				end--;
			if (end == pos)
				end = pos + fit;	/* one long word: cut */
			next = end;
		}
		while (end > pos && s[end - 1] == ' ')
			end--;
		if (lines < max) {
			off[lines] = pos;
			len[lines] = end - pos;
		}
		lines++;
		pos = next;
	}
	return lines;
}

static void
dl_draw(struct widget *w)
{
	struct wdialog *d = (struct wdialog *)w;
	size_t off[MAXLINES], len[MAXLINES];
	attr_t body = wtheme_attr(WR_DIALOG);
	int bw, bh, bx, by, n, i, mw = (int)wstr_width(buf_str(&d->msg));
	const char *yes = "[ Yes ]", *no = "[ No ]";

	bw = mw + 4;
	if (bw < 24)
		bw = 24;
	if (bw > w->w - 2)
		bw = w->w - 2;
	if (bw > 64)
		bw = 64;
	if (bw < 4)
		return;
	n = wwrap(buf_str(&d->msg), bw - 4, off, len, MAXLINES);
	if (n > MAXLINES)
		n = MAXLINES;
	bh = n + 4;
	if (bh > w->h)
		bh = w->h;
	n = bh - 4;
	if (n < 0)
		n = 0;
	bx = w->x + (w->w - bw) / 2;
	by = w->y + (w->h - bh) / 2;
	for (i = 0; i < bh; i++)
		wfill(w->win, by + i, bx, bw, " ", body);
	wbox(w->win, by, bx, bh, bw, d->title, NULL, body);
	for (i = 0; i < n; i++) {
		wattrset(w->win, body);
		mvwaddnstr(w->win, by + 1 + i, bx + 2, buf_str(&d->msg) + off[i],
		    (int)len[i]);
	}
	if (bh < 3)
		return;
	d->by = by + bh - 2;
	if (bw - 2 < 15) {
		/* Too narrow for buttons: a bare "y/n" prompt, no clicks. */
		d->byes = d->bno = -100;
		if (bw - 2 >= 3)
			wput(w->win, d->by, bx + (bw - 3) / 2, 3, "y/n",
			    wtheme_attr(WR_BUTTON_ACTIVE), WPUT_TRUSTED);
		return;
	}
	d->byes = bx + bw / 2 - 8;
	d->bno = bx + bw / 2 + 1;
	wput(w->win, d->by, d->byes, 7, yes,
	    wtheme_attr(d->yes ? WR_BUTTON_ACTIVE : WR_BUTTON), WPUT_TRUSTED);
	wput(w->win, d->by, d->bno, 6, no,
	    wtheme_attr(d->yes ? WR_BUTTON : WR_BUTTON_ACTIVE), WPUT_TRUSTED);
}

static unsigned
dl_key(struct widget *w, int key)
{
	struct wdialog *d = (struct wdialog *)w;

	if (wkey_is_enter(key))
		return W_HANDLED | (d->yes ? W_SUBMIT : W_CANCEL);
	switch (key) {
	case 'y':
	case 'Y':
		d->yes = 1;
		return W_HANDLED | W_SUBMIT;
	case 'n':
	case 'N':
	case 'q':
	case WK_ESC:
		d->yes = 0;
		return W_HANDLED | W_CANCEL;
	case WK_LEFT:
	case WK_RIGHT:
	case WK_BTAB:
	case '\t':
	case 'h':
	case 'l':
		d->yes = !d->yes;
		return W_HANDLED | W_REDRAW;
	default:
		return W_HANDLED;	/* modal */
	}
}

static unsigned
dl_mouse(struct widget *w, const MEVENT *ev)
{
	struct wdialog *d = (struct wdialog *)w;
	int sy = ev->y - getbegy(w->win), sx = ev->x - getbegx(w->win);

	if (sy == d->by && sx >= d->byes && sx < d->byes + 7) {
		d->yes = 1;
		return W_HANDLED | W_SUBMIT;
	}
	if (sy == d->by && sx >= d->bno && sx < d->bno + 6) {
		d->yes = 0;
		return W_HANDLED | W_CANCEL;
	}
	return W_HANDLED;
}
