/* theme.h - colour roles mapped to curses attributes, for 256, 8 or no colours. */
#ifndef PL_WIDGETS_THEME_H
#define PL_WIDGETS_THEME_H

#include <stdbool.h>

#include "wcurses.h"

/*
 * Widgets ask for a ROLE, never a colour: wtheme_attr(WR_FAILED).  The
 * theme maps roles to colour pairs plus attributes.  Without colour
 * (NO_COLOR set, TERM=dumb/vt100, or a terminal without colours) every
 * role that must stand out still does through A_REVERSE / A_BOLD /
 * A_UNDERLINE / A_DIM, and screens always pair status colours with a
 * word or glyph, so nothing depends on colour alone.
 */
enum wrole {
	WR_NORMAL,
	WR_DIM,		/* secondary text, axes, lost/killed runs */
	WR_HEADER,	/* table header, column titles */
	WR_TITLE,	/* box titles, screen name */
	WR_BORDER,
	WR_CURSOR,	/* the cursor row of a focused list */
	WR_CURSOR_IDLE,	/* the cursor row of an unfocused list */
	WR_MARKED,	/* multi-selected rows */
	WR_MATCH,	/* search match highlight */
	WR_STATUS,	/* status bar background */
	WR_KEY,		/* a key in the key hints ("q") */
	WR_INFO,	/* status message */
	WR_ERROR,	/* error message */
	WR_OK,		/* finished / up to date (green) */
	WR_RUNNING,	/* running / pending (yellow) */
	WR_FAILED,	/* failed / firing (red) */
	WR_TAB,
	WR_TAB_ACTIVE,
	WR_DIALOG,	/* dialog and help overlay body */
	WR_BUTTON,	/* dialog button */
	WR_BUTTON_ACTIVE,
	WR_REF,		/* reference distribution (histogram) */
	WR_CUR,		/* current distribution (histogram) */
	WR_CHANGED,	/* compare: a value that differs between runs (with ◆) */
	WR_BETTER,	/* compare: a delta in the good direction (with its sign) */
	WR_WORSE,	/* compare: a delta in the bad direction (with its sign) */
	WR_SERIES0,	/* chart series 0..5 (cycled) */
	WR_SERIES1,
	WR_SERIES2,
	WR_SERIES3,
	WR_SERIES4,
	WR_SERIES5,
	WR__COUNT
};

enum wtheme_mode {
	WTHEME_AUTO,	/* decide from NO_COLOR and the terminal */
	WTHEME_MONO,	/* attributes only */
	WTHEME_8,	/* the 8 ANSI colours */
	WTHEME_256	/* xterm 256-colour palette */
};

/*
 * Sets up colour pairs for the current curses screen (call after
 * initscr/newterm, and again after a new screen).  AUTO picks MONO when
 * NO_COLOR is set (any value, per no-color.org) or the terminal has no
 * colours, 256 when COLORS >= 256, else 8.  Returns the mode chosen.
 */
enum wtheme_mode wtheme_init(enum wtheme_mode mode);
enum wtheme_mode wtheme_mode(void);
/* The attribute (colour pair | A_*) for a role; WR_NORMAL before init. */
attr_t wtheme_attr(enum wrole role);
/* The role of chart/histogram series i (cycles through WR_SERIES0..5). */
enum wrole wtheme_series(int i);
/* Stable role name ("cursor", "failed", ...), for config files and tests. */
const char *wtheme_role_name(enum wrole role);

#endif
