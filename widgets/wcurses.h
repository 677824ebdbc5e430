/* wcurses.h - the one place in plumb that includes the curses header. */
#ifndef PL_WIDGETS_WCURSES_H
#define PL_WIDGETS_WCURSES_H

/*
 * plumb needs the wide-character API of ncursesw (cchar_t, wget_wch,
 * mvwin_wch, setcchar).  pkg-config's ncursesw CFLAGS on Debian give
 * -D_XOPEN_SOURCE=600, which already turns it on; NCURSES_WIDECHAR makes
 * sure of it whatever the feature macros are.  Everything else (widgets/,
 * tui/) includes this header instead of <curses.h>, so the choice of
 * header lives here only (htop's ProvideCurses.h).
 */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#if defined(__has_include)
#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif
#else
#include <curses.h>
#endif

#endif
