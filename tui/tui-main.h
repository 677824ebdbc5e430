/* tui-main.h - the TUI's entry point, for cli/cmd-tui.c (no curses here: cli/ stays curses-free). */
#ifndef PL_TUI_TUI_MAIN_H
#define PL_TUI_TUI_MAIN_H

#include "plumb.h"

/*
 * Runs the full-screen interface on an open store until the user quits:
 * returns 0, 1 on failure (message on stderr before the screen starts),
 * or TUI_NO_SCREEN when the terminal cannot address the cursor
 * (TERM=dumb): the caller prints the runs list instead.  The store
 * stays the caller's.
 */
#define TUI_NO_SCREEN 3
int tui_main(pl_store *st, const char *start);

#endif
