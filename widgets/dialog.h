/* dialog.h - a modal yes/no confirm dialog widget, centred in a region. */
#ifndef PL_WIDGETS_DIALOG_H
#define PL_WIDGETS_DIALOG_H

#include <stdbool.h>

#include "widget.h"

/*
 * struct wdialog asks one question ("Cancel stage train?") in a box
 * centred in its rectangle (usually the whole screen), the message
 * word-wrapped, with [ Yes ] and [ No ] buttons.  It is modal: it
 * swallows every key.
 *   y Y           W_SUBMIT (answer: yes)
 *   n N Esc q     W_CANCEL (answer: no)
 *   Enter         the highlighted button's answer (W_SUBMIT or W_CANCEL)
 *   Left Right Tab h l   move the highlight
 * A mouse click on a button answers too.  The dialog paints over what
 * is below; when it closes, the caller redraws the widgets underneath
 * (widget_draw(w, true)).  Strings are copied and sanitized.
 */

struct wdialog;

struct wdialog *wdialog_new(WINDOW *win, int y, int x, int h, int w,
    const char *title, const char *message, bool default_yes);
struct widget *wdialog_widget(struct wdialog *d);
/* 1 for yes, 0 for no (the highlighted button until answered). */
int wdialog_answer(const struct wdialog *d);

/*
 * Word-wraps sanitized text into lines of at most width cells: stores
 * the byte offset and length of each line (up to max) and returns the
 * number of lines needed.  Long words are cut.  Pure; exported for
 * screens that show wrapped notes.
 */
int wwrap(const char *s, int width, size_t *off, size_t *len, int max);

#endif
