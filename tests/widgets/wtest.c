/* wtest.c - off-screen curses harness for widget tests (see wtest.h). */
#include "config.h"
#include "wtest.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "widgets/widget.h"

static SCREEN *scr;
static FILE *out_f, *in_f;
static char rowbuf[4096];

void
wt_start(int lines, int cols, bool utf8, const char *term)
{
	char n[16];

	if (utf8 && setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "C.utf8");
	if (!utf8)
		setlocale(LC_ALL, "C");
	snprintf(n, sizeof n, "%d", lines);
	setenv("LINES", n, 1);
	snprintf(n, sizeof n, "%d", cols);
	setenv("COLUMNS", n, 1);
	setenv("TERM", term, 1);
	out_f = fopen("/dev/null", "w");
	in_f = fopen("/dev/null", "r");
	if (out_f == NULL || in_f == NULL) {
		fprintf(stderr, "wtest: cannot open /dev/null\n");
		exit(1);
	}
	scr = newterm(term, out_f, in_f);
	if (scr == NULL) {
		fprintf(stderr, "wtest: newterm(%s) failed\n", term);
		exit(1);
	}
	set_term(scr);
	widgets_init();
	widgets_set_utf8(utf8);
	werase(stdscr);
}

void
wt_end(void)
{
	widgets_done();
	endwin();
	delscreen(scr);
	scr = NULL;
	fclose(out_f);
	fclose(in_f);
}

static size_t
put_utf8(char *p, unsigned c)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xc0 | (c >> 6));
		p[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (char)(0xe0 | (c >> 12));
		p[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		p[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (c >> 18));
	p[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	p[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

unsigned
wt_cp(WINDOW *win, int y, int x)
{
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t a;
	short pair;

	if (mvwin_wch(win, y, x, &cc) == ERR)
		return 0;
	memset(wch, 0, sizeof wch);
	getcchar(&cc, wch, &a, &pair, NULL);
	return (unsigned)wch[0];
}

/* The Unicode line-drawing character for an ACS cell ('q' -> U+2500). */
static unsigned
acs_unicode(unsigned c)
{
	switch (c) {
	case 'q': return 0x2500;
	case 'x': return 0x2502;
	case 'l': return 0x250c;
	case 'k': return 0x2510;
	case 'm': return 0x2514;
	case 'j': return 0x2518;
	case 't': return 0x251c;
	case 'u': return 0x2524;
	case 'w': return 0x252c;
	case 'v': return 0x2534;
	case 'n': return 0x253c;
	default: return c;
	}
}

const char *
wt_row(WINDOW *win, int y)
{
	int x, cols = getmaxx(win);
	size_t n = 0;

	for (x = 0; x < cols && n + 8 < sizeof rowbuf; x++) {
		unsigned c = wt_cp(win, y, x);
		int w;

		if (wt_attr(win, y, x) & A_ALTCHARSET)
			c = acs_unicode(c);
		w = c < 0x80 ? 1 : wcwidth((wchar_t)c);

		n += put_utf8(rowbuf + n, c ? c : ' ');
		if (w == 2)
			x++;	/* the next cell continues this character */
	}
	rowbuf[n] = '\0';
	return rowbuf;
}

const char *
wt_rowt(WINDOW *win, int y)
{
	size_t n;

	wt_row(win, y);
	n = strlen(rowbuf);
	while (n > 0 && rowbuf[n - 1] == ' ')
		rowbuf[--n] = '\0';
	return rowbuf;
}

attr_t
wt_attr(WINDOW *win, int y, int x)
{
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t a = 0;
	short pair = 0;

	if (mvwin_wch(win, y, x, &cc) == ERR)
		return 0;
	getcchar(&cc, wch, &a, &pair, NULL);
	return a & ~A_COLOR;
}

int
wt_pair(WINDOW *win, int y, int x)
{
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t a = 0;
	short pair = 0;

	if (mvwin_wch(win, y, x, &cc) == ERR)
		return 0;
	getcchar(&cc, wch, &a, &pair, NULL);
	return pair;
}

int
wt_screen_clean(WINDOW *win)
{
	int y, x, k, rows = getmaxy(win), cols = getmaxx(win);
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t a;
	short pair;

	for (y = 0; y < rows; y++) {
		for (x = 0; x < cols; x++) {
			if (mvwin_wch(win, y, x, &cc) == ERR)
				continue;
			memset(wch, 0, sizeof wch);
			getcchar(&cc, wch, &a, &pair, NULL);
			for (k = 0; k < CCHARW_MAX && wch[k] != 0; k++) {
				unsigned c = (unsigned)wch[k];

				if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
				    (c >= 0x202a && c <= 0x202e) ||
				    (c >= 0x2066 && c <= 0x2069) ||
				    c == 0x200e || c == 0x200f) {
					fprintf(stderr, "wtest: control U+%04X "
					    "at %d,%d\n", c, y, x);
					return 0;
				}
			}
		}
	}
	return 1;
}

int
wt_find(WINDOW *win, const char *text)
{
	int y;

	for (y = 0; y < getmaxy(win); y++)
		if (strstr(wt_row(win, y), text) != NULL)
			return 1;
	return 0;
}

void
wt_dump(WINDOW *win)
{
	int y;

	for (y = 0; y < getmaxy(win); y++)
		fprintf(stderr, "%2d|%s|\n", y, wt_row(win, y));
}

MEVENT
wt_mouse(int y, int x, mmask_t bstate)
{
	MEVENT ev;

	memset(&ev, 0, sizeof ev);
	ev.y = y;
	ev.x = x;
	ev.bstate = bstate;
	return ev;
}
