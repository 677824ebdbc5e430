/* status.h - the status bar widget: key hints, a message area for info and errors, right-hand text, a badge. */
#ifndef PL_WIDGETS_STATUS_H
#define PL_WIDGETS_STATUS_H

#include <stdbool.h>

#include "widget.h"

/*
 * struct wstatus is the one row where the TUI talks to the user: errors
 * go here, never to stderr.  It shows, left to right: the message (if
 * any: WR_INFO, or WR_ERROR which is reversed+bold without colour), the
 * key hints ("q quit  / filter", keys in WR_KEY) in the space left, and
 * a right-hand text (e.g. "212 of 1,204"), then at the far right a badge
 * that the app, not the screen, owns (the firing-alert count shown on
 * every screen), painted in its role.  The message wins the space, except
 * over the badge, which is never elided while it fits.
 * Messages stay until cleared or replaced; screens usually clear them on
 * the next key.  All strings are copied and sanitized when painted.
 */

struct whint {
	const char *key;	/* "q", "/", "\xe2\x8f\x8e" */
	const char *desc;	/* "quit" */
};

enum wstatus_level {
	WSTATUS_INFO,
	WSTATUS_ERROR
};

struct wstatus;

struct wstatus *wstatus_new(WINDOW *win, int y, int x, int w);
struct widget *wstatus_widget(struct wstatus *s);
/* Copies n hints. Returns 0, -1 on OOM. */
int wstatus_set_hints(struct wstatus *s, const struct whint *hints, int n);
void wstatus_message(struct wstatus *s, enum wstatus_level level,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void wstatus_clear_message(struct wstatus *s);
bool wstatus_has_message(const struct wstatus *s);
/* Text of the current message, or NULL. */
const char *wstatus_message_text(const struct wstatus *s);
void wstatus_set_right(struct wstatus *s, const char *text);
/* The badge at the far right (copied; NULL or "" hides it), painted in
 * role (a theme role, e.g. WR_FAILED; reverse or bold without colour). */
void wstatus_set_badge(struct wstatus *s, const char *text, int role);

#endif
