/* input.h - a one-line text editor widget fed key by key (filters, search, command mode), with history. */
#ifndef PL_WIDGETS_INPUT_H
#define PL_WIDGETS_INPUT_H

#include <stddef.h>

#include "widget.h"

/*
 * struct winput never reads the keyboard: the loop feeds it keys with
 * widget_key() (linenoise's EditStart/Feed/Stop shape), so the TUI keeps
 * polling its pipes and timers while the user types.  Text is UTF-8 and
 * the cursor moves by character (combining marks travel with their base).
 * Control characters, C1 and bidi controls are never inserted.
 *
 * Keys:  Left/C-b Right/C-f  Home/C-a End/C-e     move
 *        Backspace/C-h  Delete/C-d                 delete a character
 *        C-k  to end     C-u  to start     C-w  previous word
 *        Up/C-p Down/C-n                           history
 *        Enter: W_SUBMIT (the text is added to history; the caller reads
 *               it with winput_text() and clears or hides the line)
 *        Esc, C-g: W_CANCEL
 * Edits return W_CHANGED (for incremental search while typing).  Other
 * keys return 0, so a screen can give them another meaning.
 *
 * The line paints as prompt + text, scrolled sideways to keep the cursor
 * visible; when focused, the cursor cell is shown reversed, and
 * winput_cursor_col() says where to put the terminal cursor.
 */

struct winput;

/* One row at (y, x) of win, w cells wide.  prompt is copied (may be NULL). */
struct winput *winput_new(WINDOW *win, int y, int x, int w, const char *prompt);
struct widget *winput_widget(struct winput *in);

void winput_set_prompt(struct winput *in, const char *prompt);
/* Replaces the text (copied), cursor at its end.  Returns 0, -1 on OOM. */
int winput_set_text(struct winput *in, const char *text);
/* The text, borrowed until the next edit. */
const char *winput_text(const struct winput *in);
/* Cursor position in bytes. */
size_t winput_cursor(const struct winput *in);
void winput_clear(struct winput *in);

/* Adds s to the history (not if empty or equal to the newest entry);
 * the oldest entries go beyond the maximum (default 100). */
int winput_history_add(struct winput *in, const char *s);
void winput_set_history_max(struct winput *in, size_t max);
size_t winput_history_count(const struct winput *in);

/* Column of the cursor in win after the last paint (for wmove). */
int winput_cursor_col(const struct winput *in);

#endif
