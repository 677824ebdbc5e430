/* theme.c - colour roles to curses pairs, with attribute-only fallbacks for monochrome terminals. */
#include "config.h"
#include "theme.h"

#include <stdlib.h>

/*
 * One row per role: the colours for 8- and 256-colour terminals (-1 is
 * the terminal's default), the attributes added in colour modes, and the
 * attributes used alone in monochrome.  The mono column is what keeps
 * roles apart without colour: cursor is reversed, marked rows bold and
 * underlined, errors bold+reverse, and so on.
 */
struct role_def {
	const char *name;
	short fg8, bg8;
	short fg256, bg256;
	attr_t color_attr;
	attr_t mono_attr;
};

static const struct role_def roles[WR__COUNT] = {
	[WR_NORMAL] = { "normal", -1, -1, -1, -1, A_NORMAL, A_NORMAL },
	[WR_DIM] = { "dim", COLOR_WHITE, -1, 244, -1, A_NORMAL, A_DIM },
	[WR_HEADER] = { "header", COLOR_CYAN, -1, 110, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[WR_TITLE] = { "title", COLOR_CYAN, -1, 117, -1, A_BOLD, A_BOLD },
	[WR_BORDER] = { "border", COLOR_BLUE, -1, 240, -1, A_NORMAL, A_NORMAL },
	[WR_CURSOR] = { "cursor", COLOR_BLACK, COLOR_CYAN, 16, 117, A_NORMAL, A_REVERSE },
	[WR_CURSOR_IDLE] = { "cursor-idle", COLOR_WHITE, COLOR_BLUE, 252, 238, A_NORMAL, A_UNDERLINE },
	[WR_MARKED] = { "marked", COLOR_MAGENTA, -1, 213, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[WR_MATCH] = { "match", COLOR_BLACK, COLOR_YELLOW, 16, 222, A_NORMAL, A_REVERSE | A_UNDERLINE },
	[WR_STATUS] = { "status", COLOR_WHITE, COLOR_BLUE, 252, 236, A_NORMAL, A_NORMAL },
	[WR_KEY] = { "key", COLOR_YELLOW, COLOR_BLUE, 222, 236, A_BOLD, A_BOLD },
	[WR_INFO] = { "info", COLOR_GREEN, -1, 114, -1, A_NORMAL, A_BOLD },
	[WR_ERROR] = { "error", COLOR_WHITE, COLOR_RED, 231, 160, A_BOLD, A_BOLD | A_REVERSE },
	[WR_OK] = { "ok", COLOR_GREEN, -1, 114, -1, A_NORMAL, A_NORMAL },
	[WR_RUNNING] = { "running", COLOR_YELLOW, -1, 222, -1, A_NORMAL, A_BOLD },
	[WR_FAILED] = { "failed", COLOR_RED, -1, 203, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[WR_TAB] = { "tab", -1, -1, 250, -1, A_NORMAL, A_NORMAL },
	[WR_TAB_ACTIVE] = { "tab-active", COLOR_BLACK, COLOR_CYAN, 16, 117, A_BOLD, A_REVERSE | A_BOLD },
	[WR_DIALOG] = { "dialog", COLOR_WHITE, COLOR_BLUE, 252, 237, A_NORMAL, A_NORMAL },
	[WR_BUTTON] = { "button", COLOR_WHITE, COLOR_BLUE, 252, 237, A_NORMAL, A_NORMAL },
	[WR_BUTTON_ACTIVE] = { "button-active", COLOR_BLACK, COLOR_CYAN, 16, 117, A_BOLD, A_REVERSE | A_BOLD },
	[WR_REF] = { "reference", COLOR_BLUE, -1, 67, -1, A_NORMAL, A_DIM },
	[WR_CUR] = { "current", COLOR_YELLOW, -1, 215, -1, A_NORMAL, A_BOLD },
	[WR_CHANGED] = { "changed", COLOR_YELLOW, -1, 222, -1, A_BOLD, A_BOLD },
	[WR_BETTER] = { "better", COLOR_GREEN, -1, 114, -1, A_NORMAL, A_BOLD },
	[WR_WORSE] = { "worse", COLOR_RED, -1, 203, -1, A_NORMAL, A_BOLD | A_UNDERLINE },
	[WR_SERIES0] = { "series0", COLOR_CYAN, -1, 81, -1, A_NORMAL, A_NORMAL },
	[WR_SERIES1] = { "series1", COLOR_YELLOW, -1, 221, -1, A_NORMAL, A_BOLD },
	[WR_SERIES2] = { "series2", COLOR_MAGENTA, -1, 176, -1, A_NORMAL, A_UNDERLINE },
	[WR_SERIES3] = { "series3", COLOR_GREEN, -1, 114, -1, A_NORMAL, A_DIM },
	[WR_SERIES4] = { "series4", COLOR_RED, -1, 203, -1, A_NORMAL, A_NORMAL },
	[WR_SERIES5] = { "series5", COLOR_BLUE, -1, 111, -1, A_NORMAL, A_BOLD },
};

static enum wtheme_mode cur_mode = WTHEME_MONO;
static attr_t role_attr[WR__COUNT];
static int initialised;

enum wtheme_mode
wtheme_init(enum wtheme_mode mode)
{
	const char *nc = getenv("NO_COLOR");
	bool defaults;
	int i;

	if (mode == WTHEME_AUTO) {
		if ((nc != NULL && *nc != '\0') || !has_colors())
			mode = WTHEME_MONO;
		else {
			mode = WTHEME_8;
			if (start_color() == OK && COLORS >= 256)
				mode = WTHEME_256;
		}
	}
	if (mode != WTHEME_MONO && (start_color() == ERR || !has_colors()))
		mode = WTHEME_MONO;
	if (mode == WTHEME_256 && COLORS < 256)
		mode = WTHEME_8;
	/* Without use_default_colors() (or assume_default_colors) the
	 * terminal's own colours cannot be named: fall back to white on
	 * black for the -1 entries instead of failing init_pair. */
	defaults = mode != WTHEME_MONO && use_default_colors() == OK;
	for (i = 0; i < WR__COUNT; i++) {
		const struct role_def *r = &roles[i];
		short fg, bg;

		if (mode == WTHEME_MONO) {
			role_attr[i] = r->mono_attr;
			continue;
		}
		if (i == WR_NORMAL) {
			role_attr[i] = A_NORMAL;
			continue;
		}
		fg = mode == WTHEME_256 ? r->fg256 : r->fg8;
		bg = mode == WTHEME_256 ? r->bg256 : r->bg8;
		if (!defaults && fg < 0)
			fg = COLOR_WHITE;
		if (!defaults && bg < 0)
			bg = COLOR_BLACK;
		init_pair((short)i, fg, bg);
		role_attr[i] = COLOR_PAIR(i) | r->color_attr;
	}
	cur_mode = mode;
	initialised = 1;
	return mode;
}

enum wtheme_mode
wtheme_mode(void)
{
	return cur_mode;
}

attr_t
wtheme_attr(enum wrole role)
{
	if (!initialised || (int)role < 0 || role >= WR__COUNT)
		return A_NORMAL;
	return role_attr[role];
}

enum wrole
wtheme_series(int i)
{
	if (i < 0)
		i = -i;
	return (enum wrole)(WR_SERIES0 + i % 6);
}

const char *
wtheme_role_name(enum wrole role)
{
	if ((int)role < 0 || role >= WR__COUNT)
		return "?";
	return roles[role].name;
}
