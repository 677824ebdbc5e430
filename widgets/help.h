/* help.h - the help overlay widget: a scrollable list of "key  description" pairs in sections. */
#ifndef PL_WIDGETS_HELP_H
#define PL_WIDGETS_HELP_H

#include "widget.h"

/*
 * struct whelp is filled once (typically from the TUI's request table)
 * and shown as a box centred in its rectangle.  A NULL key starts a
 * section (the description is its heading).  Strings are copied.
 * Keys: Up/k Down/j PgUp PgDn C-u C-d g G scroll;
 *       q Esc ? Enter: W_CLOSE.  Everything else is swallowed (modal).
 * The mouse wheel scrolls.  When it closes, the caller redraws what is
 * underneath (widget_draw(w, true)).
 */

struct whelp;

struct whelp *whelp_new(WINDOW *win, int y, int x, int h, int w,
    const char *title);
struct widget *whelp_widget(struct whelp *hp);
/* Appends an entry; key NULL: a section heading.  Returns 0, -1 on OOM. */
int whelp_add(struct whelp *hp, const char *key, const char *desc);
int whelp_count(const struct whelp *hp);
/* First entry shown. */
int whelp_top(const struct whelp *hp);

#endif
