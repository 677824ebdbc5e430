/* keymap.c - request names and the default key bindings, per screen with a generic fallback. */
#include "config.h"
#include "tui.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- request names --------------------------------------------------- */

#define REQ_GROUP_NONE(g)
#define REQ_NAME(name, help) #name,
static const char *const req_upper[] = {
	NULL,
	REQ_INFO(REQ_GROUP_NONE, REQ_NAME)
};
#undef REQ_NAME
#define REQ_HELP(name, help) help,
static const char *const req_help[] = {
	NULL,
	REQ_INFO(REQ_GROUP_NONE, REQ_HELP)
};
#undef REQ_HELP
#undef REQ_GROUP_NONE

/* "MOVE_UP" -> "move-up", built once. */
static char req_names[REQ__COUNT][24];

const char *
request_name(enum request r)
{
	if (r <= REQ_NONE || r >= REQ__COUNT)
		return NULL;
	if (req_names[r][0] == '\0') {
		const char *u = req_upper[r];
		size_t i;

		for (i = 0; u[i] && i + 1 < sizeof req_names[r]; i++)
			req_names[r][i] = u[i] == '_' ? '-' :
			    (char)tolower((unsigned char)u[i]);
		req_names[r][i] = '\0';
	}
	return req_names[r];
}

const char *
request_help(enum request r)
{
	if (r <= REQ_NONE || r >= REQ__COUNT)
		return NULL;
	return req_help[r];
}

enum request
request_parse(const char *name)
{
	for (int r = 1; r < REQ__COUNT; r++)
		if (strcmp(request_name((enum request)r), name) == 0)
			return (enum request)r;
	return REQ_NONE;
}

/* ---- bindings -------------------------------------------------------- */

struct binding {
	const char *screen;	/* NULL: generic */
	int key;
	enum request req;
};

/*
 * The default bindings.  Screen maps come first: a screen may give a
 * generic key another meaning (c is compare on runs, cancel on the
 * pipeline).
 */
static const struct binding bindings[] = {
	/* / searches as you type (tig, less, k9s's habit for finding);
	 * f filters the list by an expression. */
	{ "runs", '/', REQ_FIND },
	{ "runs", 'f', REQ_FILTER },
	{ "runs", '\\', REQ_FILTER },
	{ "runs", 'y', REQ_YANK },
	{ "runs", 'X', REQ_EXPORT },
	{ "run", 'y', REQ_YANK },
	{ "run", 'v', REQ_VIEW_PAGER },
	{ "run", 'V', REQ_JUMP_MODEL },
	{ "models", 'y', REQ_YANK },
	{ "models", 'r', REQ_JUMP_RUN },
	{ "runs", ' ', REQ_SELECT },
	{ "runs", 'u', REQ_CLEAR_MARKS },
	{ "runs", 'c', REQ_VIEW_COMPARE },
	{ "runs", '>', REQ_SORT_NEXT },
	{ "runs", '<', REQ_SORT_PREV },
	{ "runs", 's', REQ_SORT_REVERSE },
	{ "runs", 'S', REQ_SORT_NEXT },
	{ "runs", 'e', REQ_EXPERIMENT },
	{ "run", 'x', REQ_CHART_X },
	{ "run", 'L', REQ_LOG_SCALE },
	{ "run", 'm', REQ_VIEW_CHART },
	{ "run", 'o', REQ_VIEW_STDOUT },
	{ "run", 'E', REQ_VIEW_STDERR },
	{ "run", 'a', REQ_VIEW_ARTIFACTS },
	{ "run", 'w', REQ_WRAP },
	{ "run", 'F', REQ_FOLLOW },
	{ "run", '/', REQ_FIND },
	{ "compare", 'd', REQ_DIFF_ONLY },
	{ "compare", 'x', REQ_CHART_X },
	{ "compare", 'L', REQ_LOG_SCALE },
	{ "pipeline", 'r', REQ_REPRO_ALL },
	{ "pipeline", 'R', REQ_REPRO_STAGE },
	{ "pipeline", 'f', REQ_REPRO_FORCE },
	{ "pipeline", 'c', REQ_CANCEL },
	{ "pipeline", 'w', REQ_WRAP },
	{ "models", ' ', REQ_SELECT },
	{ "models", 'u', REQ_CLEAR_MARKS },
	{ "models", 'd', REQ_MODEL_DIFF },
	{ "models", 'P', REQ_MODEL_PROMOTE },
	{ "models", 'B', REQ_MODEL_ROLLBACK },
	{ "models", 'h', REQ_MODEL_HISTORY },
	{ "models", 'w', REQ_WRAP },
	{ "monitor", '+', REQ_ZOOM_IN },
	{ "monitor", '=', REQ_ZOOM_IN },
	{ "monitor", '-', REQ_ZOOM_OUT },
	{ "monitor", '[', REQ_PAN_BACK },
	{ "monitor", ']', REQ_PAN_FORWARD },
	{ "monitor", 'F', REQ_FOLLOW },
	{ "monitor", 'a', REQ_ALERT_ACK },
	{ "monitor", 's', REQ_ALERT_SILENCE },
	{ "monitor", 'd', REQ_VIEW_DRIFT },
	{ "monitor", '<', REQ_MARK_PREV },
	{ "monitor", '>', REQ_MARK_NEXT },
	{ "drift", '+', REQ_ZOOM_IN },
	{ "drift", '=', REQ_ZOOM_IN },
	{ "drift", '-', REQ_ZOOM_OUT },
	{ "drift", '[', REQ_PAN_BACK },
	{ "drift", ']', REQ_PAN_FORWARD },
	{ "drift", 'F', REQ_FOLLOW },
	{ "drift", 'x', REQ_CLOSE_PANE },
	{ NULL, 'k', REQ_MOVE_UP },
	{ NULL, WK_UP, REQ_MOVE_UP },
	{ NULL, 'j', REQ_MOVE_DOWN },
	{ NULL, WK_DOWN, REQ_MOVE_DOWN },
	{ NULL, WK_PPAGE, REQ_MOVE_PAGE_UP },
	{ NULL, WK_CTRL('b'), REQ_MOVE_PAGE_UP },
	{ NULL, WK_NPAGE, REQ_MOVE_PAGE_DOWN },
	{ NULL, WK_CTRL('f'), REQ_MOVE_PAGE_DOWN },
	{ NULL, WK_CTRL('u'), REQ_MOVE_HALF_UP },
	{ NULL, WK_CTRL('d'), REQ_MOVE_HALF_DOWN },
	{ NULL, 'g', REQ_MOVE_FIRST },
	{ NULL, WK_HOME, REQ_MOVE_FIRST },
	{ NULL, 'G', REQ_MOVE_LAST },
	{ NULL, WK_END, REQ_MOVE_LAST },
	{ NULL, 'h', REQ_SCROLL_LEFT },
	{ NULL, WK_LEFT, REQ_SCROLL_LEFT },
	{ NULL, 'l', REQ_SCROLL_RIGHT },
	{ NULL, WK_RIGHT, REQ_SCROLL_RIGHT },
	{ NULL, '\t', REQ_NEXT_PANE },
	{ NULL, WK_BTAB, REQ_PREV_PANE },
	{ NULL, '\n', REQ_ENTER },
	{ NULL, '\r', REQ_ENTER },
	{ NULL, WK_ENTER, REQ_ENTER },
	{ NULL, WK_ESC, REQ_BACK },
	{ NULL, WK_BACKSPACE, REQ_BACK },
	{ NULL, 'n', REQ_FIND_NEXT },
	{ NULL, 'N', REQ_FIND_PREV },
	{ NULL, 'p', REQ_VIEW_PIPELINE },
	{ NULL, 'M', REQ_VIEW_MODELS },
	{ NULL, 'W', REQ_VIEW_MONITOR },
	{ NULL, '?', REQ_HELP },
	{ NULL, WK(KEY_F(1)), REQ_HELP },
	{ NULL, ':', REQ_COMMAND },
	{ NULL, WK_CTRL('r'), REQ_RELOAD },
	{ NULL, WK(KEY_F(5)), REQ_RELOAD },
	{ NULL, WK_CTRL('l'), REQ_REDRAW },
	{ NULL, WK_CTRL('z'), REQ_SUSPEND },
	{ NULL, 'q', REQ_QUIT },
	{ NULL, 'Q', REQ_QUIT_ALL },
	{ NULL, WK_CTRL('c'), REQ_QUIT_ALL },
};

static enum request
lookup(const char *screen, int key)
{
	for (size_t i = 0; i < sizeof bindings / sizeof *bindings; i++) {
		const struct binding *b = &bindings[i];

		if (b->key != key)
			continue;
		if (screen == NULL ? b->screen == NULL :
		    b->screen != NULL && strcmp(b->screen, screen) == 0)
			return b->req;
	}
	return REQ_NONE;
}

enum request
keymap_lookup(const char *screen, int key)
{
	enum request r = screen ? lookup(screen, key) : REQ_NONE;

	return r != REQ_NONE ? r : lookup(NULL, key);
}

static void
kname(char *out, size_t n, int key)
{
	switch (key) {
	case WK_UP: snprintf(out, n, "Up"); return;
	case WK_DOWN: snprintf(out, n, "Down"); return;
	case WK_LEFT: snprintf(out, n, "Left"); return;
	case WK_RIGHT: snprintf(out, n, "Right"); return;
	case WK_PPAGE: snprintf(out, n, "PgUp"); return;
	case WK_NPAGE: snprintf(out, n, "PgDn"); return;
	case WK_HOME: snprintf(out, n, "Home"); return;
	case WK_END: snprintf(out, n, "End"); return;
	case WK_BTAB: snprintf(out, n, "S-Tab"); return;
	case WK_ENTER: case '\r': out[0] = '\0'; return;
	case WK_BACKSPACE: snprintf(out, n, "Backspace"); return;
	case WK(KEY_F(1)): snprintf(out, n, "F1"); return;
	case WK(KEY_F(5)): snprintf(out, n, "F5"); return;
	case WK_ESC: snprintf(out, n, "Esc"); return;
	case '\t': snprintf(out, n, "Tab"); return;
	case '\n': snprintf(out, n, "Enter"); return;
	case ' ': snprintf(out, n, "Space"); return;
	default:
		if (key > 0 && key < 32)
			snprintf(out, n, "C-%c", key + 'a' - 1);
		else if (key < 127)
			snprintf(out, n, "%c", key);
		else
			out[0] = '\0';
	}
}

const char *
keymap_keys(const char *screen, enum request req, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof bindings / sizeof *bindings; i++) {
			const struct binding *b = &bindings[i];
			char k[16];

			if (b->req != req)
				continue;
			if (pass == 0 ? b->screen == NULL ||
			    (screen && strcmp(b->screen, screen) != 0) :
			    b->screen != NULL)
				continue;
			/* A generic key the screen map overrides is not this
			 * request's key there. */
			if (pass == 1 && screen && lookup(screen, b->key) !=
			    REQ_NONE && lookup(screen, b->key) != req)
				continue;
			kname(k, sizeof k, b->key);
			if (k[0] == '\0' || strstr(buf, k) != NULL)
				continue;
			len += (size_t)snprintf(buf + len, len < n ? n - len : 0,
			    "%s%s", len ? " " : "", k);
			if (len >= n)
				return buf;
		}
	}
	return buf;
}

int
keymap_widget_key(enum request req)
{
	switch (req) {
	case REQ_MOVE_UP: return WK_UP;
	case REQ_MOVE_DOWN: return WK_DOWN;
	case REQ_MOVE_PAGE_UP: return WK_PPAGE;
	case REQ_MOVE_PAGE_DOWN: return WK_NPAGE;
	case REQ_MOVE_HALF_UP: return WK_CTRL('u');
	case REQ_MOVE_HALF_DOWN: return WK_CTRL('d');
	case REQ_MOVE_FIRST: return WK_HOME;
	case REQ_MOVE_LAST: return WK_END;
	case REQ_SCROLL_LEFT: return WK_LEFT;
	case REQ_SCROLL_RIGHT: return WK_RIGHT;
	case REQ_ENTER: return '\n';
	case REQ_FIND_NEXT: return 'n';
	case REQ_FIND_PREV: return 'N';
	default: return 0;
	}
}
