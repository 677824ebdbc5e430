/* widgets-speed.c - times the widgets on an off-screen 200x50 terminal against raw curses painting of the same screen. */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "widgets/chart.h"
#include "widgets/table.h"
#include "widgets/textview.h"
#include "widgets/theme.h"

#define ROWS 50
#define COLS 200

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The floor any frame pays: every cell rewritten with plain text, then
 * doupdate() diffing and emitting it (to /dev/null).  Best of n. */
static double
raw_frame(int n)
{
	char line[COLS + 1];
	double best = 1e9;
	int i, y;

	for (i = 0; i < n; i++) {
		double t0 = now_ms();

		for (y = 0; y < ROWS; y++) {
			memset(line, 'a' + (i + y) % 26, COLS);
			line[COLS] = '\0';
			mvaddnstr(y, 0, line, COLS);
		}
		wnoutrefresh(stdscr);
		doupdate();
		if (now_ms() - t0 < best)
			best = now_ms() - t0;
	}
	return best;
}

struct src {
	size_t n;
	unsigned long calls;
};

static size_t
s_count(void *p)
{
	return ((struct src *)p)->n;
}

static void
s_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct src *s = p;

	s->calls++;
	if (col == 1)
		snprintf(out->buf, sizeof out->buf, "experiment-%zu-name", row % 977);
	else
		snprintf(out->buf, sizeof out->buf, "%.4f",
		    (double)((row * 2654435761u + (size_t)col) % 100000) / 1e5);
	out->text = out->buf;
}

static double
frame(struct widget *w, int key)
{
	double t0 = now_ms();

	if (key)
		widget_key(w, key);
	widget_draw(w, false);
	wnoutrefresh(stdscr);
	doupdate();
	return now_ms() - t0;
}

int
main(int argc, char **argv)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr;
	struct src s = { 100000, 0 };
	struct wtable_source ws = { s_count, s_cell, NULL, NULL, &s };
	struct wcolumn cols[12];
	struct wtable *t;
	struct wchart *c;
	struct wtext *tv;
	double raw, first, end, step, *y, tb, ta;
	size_t npts = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, i;
	char line[128];
	int k;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("LINES", "50", 1);
	setenv("COLUMNS", "200", 1);
	if (out == NULL || in == NULL ||
	    (scr = newterm("xterm-256color", out, in)) == NULL) {
		fprintf(stderr, "widgets-speed: cannot start curses\n");
		return 1;
	}
	widgets_init();
	wtheme_init(WTHEME_256);
	raw = raw_frame(20);
	printf("raw curses full frame %dx%d:        %7.2f ms (baseline)\n",
	    COLS, ROWS, raw);

	for (k = 0; k < 12; k++) {
		cols[k] = (struct wcolumn){ k == 1 ? "NAME" : "metric", k == 1 ? 0 : 9,
		    12, k == 1 ? 1 : 0, k == 1 ? 0 : WCOL_RIGHT };
	}
	t = wtable_new(stdscr, 0, 0, ROWS, COLS, WTABLE_MULTI);
	wtable_set_source(t, &ws);
	wtable_set_columns(t, cols, 12);
	erase();
	first = frame(wtable_widget(t), 0);
	end = frame(wtable_widget(t), 'G');
	step = 1e9;
	for (k = 0; k < 20; k++) {
		double d = frame(wtable_widget(t), 'k');

		if (d < step)
			step = d;
	}
	printf("table, 100,000 rows: first frame       %7.2f ms (%.1fx raw)\n",
	    first, first / raw);
	printf("table: G (to the end) + frame          %7.2f ms (%.1fx raw)\n",
	    end, end / raw);
	printf("table: k + frame (best of 20)          %7.2f ms (%.1fx raw)\n",
	    step, step / raw);
	printf("table: cell() calls in all those frames: %lu (rows x cols "
	    "on screen: %d)\n", s.calls, (ROWS - 1) * 12);
	widget_free(wtable_widget(t));

	y = malloc(npts * sizeof *y);
	if (y == NULL)
		return 1;
	for (i = 0; i < npts; i++)
		y[i] = exp(-(double)i / (double)npts * 5) +
		    0.05 * sin((double)i / 100.0);
	c = wchart_new(stdscr, 0, 0, ROWS, COLS);
	wchart_add_series(c, "loss", NULL, y, npts, -1);
	erase();
	first = frame(wchart_widget(c), 0);
	widget_invalidate(wchart_widget(c));
	step = frame(wchart_widget(c), 0);
	end = frame(wchart_widget(c), 'L');
	printf("chart, %zu points: first frame     %7.2f ms (%.1fx raw)\n",
	    npts, first, first / raw);
	printf("chart: repaint (bins cached)           %7.2f ms (%.1fx raw)\n",
	    step, step / raw);
	printf("chart: L (log scale, re-bin) + frame   %7.2f ms (%.1fx raw)\n",
	    end, end / raw);
	widget_free(wchart_widget(c));
	free(y);

	tv = wtext_new(stdscr, 0, 0, ROWS, COLS);
	ta = now_ms();
	for (i = 0; i < 200000; i++) {
		int n = snprintf(line, sizeof line, "epoch %zu step %zu loss "
		    "0.%06zu \x1b[32mok\x1b[0m lr=0.001 batch=64\n", i / 1000,
		    i, i * 7919 % 1000000);

		wtext_append(tv, line, (size_t)n);
	}
	tb = now_ms();
	erase();
	first = frame(wtext_widget(tv), 0);
	printf("text view: 200,000 lines appended      %7.2f ms (%.0f lines/ms)\n",
	    tb - ta, 200000 / (tb - ta));
	printf("text view: follow frame                %7.2f ms (%.1fx raw)\n",
	    first, first / raw);
	widget_free(wtext_widget(tv));

	widgets_done();
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	return 0;
}
