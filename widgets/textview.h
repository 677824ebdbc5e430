/* textview.h - a log/text viewer widget: incremental append, follow mode, search, wrapping, safe display. */
#ifndef PL_WIDGETS_TEXTVIEW_H
#define PL_WIDGETS_TEXTVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "widget.h"

/*
 * struct wtext holds lines of text (it owns copies).  Text arrives raw,
 * in chunks of any size (e.g. straight from a child's pipe): it is split
 * on '\n', and each line is sanitized once, when complete, with
 * utf8_sanitize(), so no control character or escape sequence (ESC ]0;
 * title BEL, ESC [2J, ESC P ... ST, C1 controls, bidi overrides, invalid
 * UTF-8) ever reaches the terminal: they are shown in visible form
 * ("^[]0;title^G", "<U+202E>", "\xFF").  Tabs expand to 8-column stops.
 * "\r\n" ends a line like "\n"; a lone '\r' inside a line keeps only the
 * text after it (how a terminal would show a progress bar).  An
 * unfinished last line is shown too, and a line longer than 64 KiB is
 * cut into several.
 *
 * Follow mode (on by default) keeps the view at the bottom while lines
 * arrive; scrolling up turns it off, G/End or scrolling back to the
 * bottom turns it on again.
 *
 * Keys: Up/k Down/j PgUp PgDn C-u C-d g/Home G/End  scroll
 *       Left/h Right/l   scroll sideways (when not wrapping)
 *       w  toggle wrapping     f  toggle follow
 *       n N  next / previous match of the last wtext_search()
 * Mouse: the wheel scrolls.
 */

struct wtext;

struct wtext *wtext_new(WINDOW *win, int y, int x, int h, int w);
struct widget *wtext_widget(struct wtext *t);

/* Appends raw bytes (any chunking).  Returns 0, -1 on OOM. */
int wtext_append(struct wtext *t, const char *data, size_t n);
/* Appends one complete line (s without its '\n'). */
int wtext_add_line(struct wtext *t, const char *s);
void wtext_clear(struct wtext *t);
/* Oldest lines are dropped beyond this many (default 200,000). */
void wtext_set_max_lines(struct wtext *t, size_t max);
/* Lines held, counting an unfinished last line. */
size_t wtext_count(const struct wtext *t);
/* Sanitized text of line i (borrowed until the next append), or NULL. */
const char *wtext_line(struct wtext *t, size_t i);

void wtext_set_follow(struct wtext *t, bool on);
bool wtext_follow(const struct wtext *t);
void wtext_set_wrap(struct wtext *t, bool on);
bool wtext_wrap(const struct wtext *t);
/* Index of the first line on screen. */
size_t wtext_top(const struct wtext *t);
/* Scrolls so that line i is the first on screen (turns follow off). */
void wtext_scroll_to(struct wtext *t, size_t i);

/*
 * Finds the next line containing needle (smart case: case-insensitive
 * unless needle has an upper-case letter), starting after the current
 * match (or at the top line when from_top), in direction dir (+1/-1),
 * wrapping around.  Shows the match at the top and highlights every
 * occurrence on screen.  Remembers needle for n/N; "" clears it.
 * Returns the line index, or -1 if there is none.
 */
long wtext_search(struct wtext *t, const char *needle, int dir, bool from_top);

#endif
