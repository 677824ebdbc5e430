/* widget.h - the base "class" of plumb's curses widgets, keys, and shared paint helpers. */
#ifndef PL_WIDGETS_WIDGET_H
#define PL_WIDGETS_WIDGET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "wcurses.h"

/*
 * Widgets know curses and nothing of the engine: data reaches them through
 * plain structs or callbacks owned by the caller (the TUI screens).
 *
 * A concrete widget embeds struct widget as its FIRST member and points
 * it at one const struct widget_ops (htop's *_class, tig's view_ops).  It
 * paints into a rectangle (y, x, h, w) of a curses WINDOW it does not own:
 * several widgets may share stdscr or a pane window.  Painting never calls
 * wrefresh/doupdate: the loop draws whatever is dirty, then calls
 * wnoutrefresh() on its windows and ONE doupdate() per pass.
 *
 * Every mutator sets the dirty flag; widget_draw() paints only a dirty
 * widget (or any widget when forced) and clears the flag.
 */

/* ---- keys ---------------------------------------------------------- */

/*
 * A key is an int: a Unicode code point (>= 0, control characters
 * included: C-d is 4, Esc is 27), or a curses function key shifted past
 * the Unicode range with WK(), so KEY_UP (0403) cannot be confused with
 * U+0103.  wkey_from_wget_wch() converts what wget_wch() returns.
 */
#define WK_FN_BASE	0x200000
#define WK(k)		(WK_FN_BASE + (k))
#define WK_IS_FN(k)	((k) >= WK_FN_BASE)
#define WK_CTRL(c)	((c) & 0x1f)
#define WK_ESC		27
#define WK_UP		WK(KEY_UP)
#define WK_DOWN		WK(KEY_DOWN)
#define WK_LEFT		WK(KEY_LEFT)
#define WK_RIGHT	WK(KEY_RIGHT)
#define WK_HOME		WK(KEY_HOME)
#define WK_END		WK(KEY_END)
#define WK_PPAGE	WK(KEY_PPAGE)
#define WK_NPAGE	WK(KEY_NPAGE)
#define WK_BACKSPACE	WK(KEY_BACKSPACE)
#define WK_DC		WK(KEY_DC)
#define WK_ENTER	WK(KEY_ENTER)
#define WK_BTAB		WK(KEY_BTAB)
#define WK_RESIZE	WK(KEY_RESIZE)
#define WK_MOUSE	WK(KEY_MOUSE)

/* rc and ch as returned by wget_wch(); returns -1 for ERR. */
int wkey_from_wget_wch(int rc, wint_t ch);
/* Returns 1 for the keys that mean "confirm" (\n, \r, KEY_ENTER). */
int wkey_is_enter(int key);
/* Returns 1 for backspace in any of its spellings (^H, DEL, KEY_BACKSPACE). */
int wkey_is_backspace(int key);

/* ---- handler results (bits, OR-ed) --------------------------------- */

#define W_HANDLED	0x01u	/* the widget used the key/event */
#define W_REDRAW	0x02u	/* it changed and needs painting (dirty is set) */
#define W_ACTIVATE	0x04u	/* Enter/double click on an item (open it) */
#define W_SUBMIT	0x08u	/* input line / dialog: accepted (Enter, y) */
#define W_CANCEL	0x10u	/* input line / dialog: cancelled (Esc, n) */
#define W_CLOSE		0x20u	/* overlay wants to close (help: q, Esc) */
#define W_CHANGED	0x40u	/* content/value changed (text edited, tab switched) */
#define W_MOVED		0x80u	/* cursor/selection moved (screen may update a detail pane) */
#define W_SORT		0x100u	/* table header clicked: see wtable_clicked_column() */
#define W_SELECT	0x200u	/* multi-selection changed */

/* ---- the base class ------------------------------------------------ */

struct widget;

struct widget_ops {
	const char *name;
	/* Paint the whole rectangle; never refreshes.  Required. */
	void (*draw)(struct widget *w);
	/* One key; returns W_* bits (0: not handled).  Optional. */
	unsigned (*key)(struct widget *w, int key);
	/* One mouse event in SCREEN coordinates; returns W_* bits.  Optional. */
	unsigned (*mouse)(struct widget *w, const MEVENT *ev);
	/* Geometry changed (already stored in w); recompute layout.  Optional. */
	void (*resize)(struct widget *w);
	/* Free everything the widget owns, including itself.  Required. */
	void (*destroy)(struct widget *w);
};

struct widget {
	const struct widget_ops *ops;	/* first member: the "class" */
	WINDOW *win;			/* borrowed; the caller owns it */
	int y, x, h, w;			/* rectangle inside win */
	bool dirty;			/* set by mutators, cleared by widget_draw */
	bool focused;			/* has the keyboard (cursor rows look active) */
};

/* Initialises the base part of a widget (called by the _new functions). */
void widget_init(struct widget *w, const struct widget_ops *ops,
    WINDOW *win, int y, int x, int h, int wd);
/* Moves/resizes (also to another window); marks dirty, calls ops->resize. */
void widget_place(struct widget *w, WINDOW *win, int y, int x, int h, int wd);
/* Paints if dirty or force; returns 1 if it painted.  Caller refreshes. */
int widget_draw(struct widget *w, bool force);
unsigned widget_key(struct widget *w, int key);
unsigned widget_mouse(struct widget *w, const MEVENT *ev);
void widget_set_focus(struct widget *w, bool focused);
void widget_invalidate(struct widget *w);
/* Calls ops->destroy; NULL is fine. */
void widget_free(struct widget *w);
/*
 * Converts a mouse event to coordinates relative to the widget's
 * rectangle; returns 1 if the event falls inside it.
 */
int widget_hit(const struct widget *w, const MEVENT *ev, int *row, int *col);

/* ---- widgets-wide settings ----------------------------------------- */

/*
 * widgets_init() reads the locale (call setlocale(LC_ALL, "") first):
 * a UTF-8 codeset turns on Unicode glyphs (braille, blocks, ▼, …);
 * otherwise every widget paints plain ASCII.  Call it once after the
 * curses screen exists; widgets_done() frees shared scratch memory.
 */
void widgets_init(void);
void widgets_done(void);
bool widgets_utf8(void);
/* Overrides the locale's answer (tests, a --ascii option). */
void widgets_set_utf8(bool on);

/* ---- text helpers every widget uses -------------------------------- */

/*
 * Appends untrusted text s[0..n) to out, ready to paint: sanitized by
 * utf8_sanitize() (controls and escape sequences made visible, invalid
 * UTF-8 escaped) with the given UTF8_* flags, and, when widgets are in
 * ASCII mode, every non-ASCII character replaced by '?'.  Returns 0 or
 * -1 on OOM.
 */
int wsan(struct buf *out, const char *s, size_t n, unsigned flags);

/* Display width of painted (already wsan'ed) text; bytes of the longest
 * prefix no wider than cols; bytes to skip to drop the first cols cells. */
size_t wstr_width(const char *s);
size_t wstr_prefix(const char *s, size_t cols);
/* Display width of untrusted s once painted (sanitized, mode applied). */
size_t wsan_width(const char *s);
/* Width of the first n bytes of s. */
size_t wstr_width_n(const char *s, size_t n);

/* Flags for wput(). */
#define WPUT_RIGHT	0x1u	/* right-align inside width */
#define WPUT_CENTER	0x2u	/* centre inside width */
#define WPUT_ELIDE	0x4u	/* too long: cut and end with an ellipsis */
#define WPUT_PAD	0x8u	/* fill the rest of width with spaces in attr */
#define WPUT_TRUSTED	0x10u	/* s is our own text: skip sanitizing */

/*
 * Paints s (untrusted unless WPUT_TRUSTED: it is sanitized here) at
 * (y, x) of win with attr, using at most width cells.  Returns the
 * number of cells painted (width when padded).
 */
int wput(WINDOW *win, int y, int x, int width, const char *s, attr_t attr,
    unsigned flags);
/* Fills width cells with ch (a one-cell UTF-8 or ASCII string). */
void wfill(WINDOW *win, int y, int x, int width, const char *ch, attr_t attr);
/* The ellipsis glyph: "…" in UTF-8 mode, "~" in ASCII mode. */
const char *wellipsis(void);

/*
 * Draws a box with a title in its top border: "┌ title ─────┐" (ACS line
 * characters, which curses maps to +-| on terminals without them).
 * title may be NULL; it is sanitized.  right, if not NULL, is put at
 * the right end of the top border (e.g. "212 of 1,204").
 */
void wbox(WINDOW *win, int y, int x, int h, int w, const char *title,
    const char *right, attr_t attr);

#endif
