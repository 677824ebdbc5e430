/* status.c - status bar widget: message area, key hints, right-hand text, badge. */
#include "config.h"
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

struct wstatus {
	struct widget base;
	struct whint *hints;	/* owned copies of key/desc */
	int nhints;
	char *msg;
	enum wstatus_level level;
	char *right;
	char *badge;
	int badge_role;
};

static void st_draw(struct widget *);
static void st_destroy(struct widget *);

static const struct widget_ops wstatus_ops = {
	.name = "status",
	.draw = st_draw,
	.destroy = st_destroy,
};

struct wstatus *
wstatus_new(WINDOW *win, int y, int x, int w)
{
	struct wstatus *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	widget_init(&s->base, &wstatus_ops, win, y, x, 1, w);
	return s;
}

struct widget *
wstatus_widget(struct wstatus *s)
{
	return &s->base;
}

static void
free_hints(struct wstatus *s)
{
	int i;

	for (i = 0; i < s->nhints; i++) {
		free((char *)s->hints[i].key);
		free((char *)s->hints[i].desc);
	}
	free(s->hints);
	s->hints = NULL;
	s->nhints = 0;
}

static void
st_destroy(struct widget *w)
{
	struct wstatus *s = (struct wstatus *)w;

	free_hints(s);
	free(s->msg);
	free(s->right);
	free(s->badge);
	free(s);
}

int
wstatus_set_hints(struct wstatus *s, const struct whint *hints, int n)
{
	int i;

	free_hints(s);
	s->base.dirty = true;
	if (n <= 0)
		return 0;
	s->hints = calloc((size_t)n, sizeof *s->hints);
	if (s->hints == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		s->hints[i].key = strdup(hints[i].key ? hints[i].key : "");
		s->hints[i].desc = strdup(hints[i].desc ? hints[i].desc : "");
		s->nhints = i + 1;
		if (s->hints[i].key == NULL || s->hints[i].desc == NULL) {
			free_hints(s);
			return -1;
		}
	}
	return 0;
}

void
wstatus_message(struct wstatus *s, enum wstatus_level level,
    const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	if (buf_vprintf(&b, fmt, ap) < 0) {
		va_end(ap);
		buf_free(&b);
		return;
	}
	va_end(ap);
	free(s->msg);
	s->msg = buf_detach(&b);
	s->level = level;
	s->base.dirty = true;
}

void
wstatus_clear_message(struct wstatus *s)
{
	if (s->msg != NULL) {
		free(s->msg);
		s->msg = NULL;
		s->base.dirty = true;
	}
}

bool
wstatus_has_message(const struct wstatus *s)
{
	return s->msg != NULL;
}

const char *
wstatus_message_text(const struct wstatus *s)
{
	return s->msg;
}

void
wstatus_set_right(struct wstatus *s, const char *text)
{
	free(s->right);
	s->right = text ? strdup(text) : NULL;
	s->base.dirty = true;
}

void
wstatus_set_badge(struct wstatus *s, const char *text, int role)
{
	if ((text == NULL || *text == '\0') && s->badge == NULL)
		return;
	if (text && s->badge && strcmp(text, s->badge) == 0 &&
	    role == s->badge_role)
		return;
	free(s->badge);
	s->badge = text && *text ? strdup(text) : NULL;
	s->badge_role = role;
	s->base.dirty = true;
}

static void
st_draw(struct widget *w)
{
	struct wstatus *s = (struct wstatus *)w;
	attr_t bar = wtheme_attr(WR_STATUS), key = wtheme_attr(WR_KEY);
	int x = w->x, end = w->x + w->w, i, rw = 0;

	wfill(w->win, w->y, w->x, w->w, " ", bar);
	if (s->badge != NULL) {
		int bw = (int)wsan_width(s->badge) + 2;

		if (bw < w->w / 2) {
			wput(w->win, w->y, end - bw, bw, s->badge, wtheme_attr(
			    (enum wrole)s->badge_role), WPUT_CENTER | WPUT_PAD);
			end -= bw + 1;
		}
	}
	if (s->right != NULL && *s->right != '\0') {
		rw = (int)wsan_width(s->right);
		if (rw > w->w / 3)
			rw = w->w / 3;
		wput(w->win, w->y, end - rw - 1, rw, s->right, bar, WPUT_ELIDE);
		end -= rw + 2;
	}
	if (s->msg != NULL) {
		attr_t a = wtheme_attr(s->level == WSTATUS_ERROR ? WR_ERROR :
		    WR_INFO);

		x += wput(w->win, w->y, x + 1, end - x - 1, s->msg, a,
		    WPUT_ELIDE) + 3;
	} else {
		x++;
	}
	for (i = 0; i < s->nhints && x < end; i++) {
		int kw = (int)wsan_width(s->hints[i].key);
		int dw = (int)wsan_width(s->hints[i].desc);

		/* Only whole hints: a cut "fil" helps nobody. */
		if (x + kw + 1 + dw > end)
			break;
		wput(w->win, w->y, x, kw, s->hints[i].key, key, 0);
		wput(w->win, w->y, x + kw + 1, dw, s->hints[i].desc, bar, 0);
		x += kw + 1 + dw + 2;
	}
}
