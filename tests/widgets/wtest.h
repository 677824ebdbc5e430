/* wtest.h - off-screen curses harness for widget tests: a screen on /dev/null, cell read-back. */
#ifndef PL_TESTS_WIDGETS_WTEST_H
#define PL_TESTS_WIDGETS_WTEST_H

#include <stdbool.h>

#include "widgets/wcurses.h"

/*
 * wt_start() creates a curses screen of the given size whose output goes
 * to /dev/null (tig's TIG_NO_DISPLAY idea): widgets paint into stdscr's
 * cell buffer and the test reads the cells back.  utf8 selects the
 * locale (C.UTF-8 or C) and the widgets' glyph mode; term is the
 * terminfo name ("xterm-256color", "dumb", ...).  wt_end() tears it all
 * down (endwin + delscreen + widgets_done), so ASan sees no leak.
 */
void wt_start(int lines, int cols, bool utf8, const char *term);
void wt_end(void);

/* Row y of win as UTF-8 text (trailing blanks kept; ACS line cells as
 * Unicode box characters); static buffer. */
const char *wt_row(WINDOW *win, int y);
/* Same, trailing blanks removed. */
const char *wt_rowt(WINDOW *win, int y);
/* Attributes (A_* without colour) of the cell at (y, x). */
attr_t wt_attr(WINDOW *win, int y, int x);
/* Colour pair of the cell at (y, x). */
int wt_pair(WINDOW *win, int y, int x);
/* The code point in cell (y, x). */
unsigned wt_cp(WINDOW *win, int y, int x);
/*
 * Returns 1 if no cell of win holds a control character (C0, DEL, C1),
 * an ESC, or a bidi override: what must never reach a terminal.
 */
int wt_screen_clean(WINDOW *win);
/* 1 if text occurs anywhere on the window (row by row). */
int wt_find(WINDOW *win, const char *text);
/* Dumps win to stderr (debugging failed tests). */
void wt_dump(WINDOW *win);
/* A mouse event at screen (y, x) with bstate. */
MEVENT wt_mouse(int y, int x, mmask_t bstate);

#endif
