/* chart-t.c - tests of the line chart: braille, block and ASCII cells, axes, log scale, gaps, a million points. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/chart.h"
#include "widgets/theme.h"
#include "wtest.h"

static double up[11], down[11];

static int
setup(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 11; i++) {
		up[i] = i;
		down[i] = 10 - i;
	}
	wt_start(10, 30, true, "xterm-256color");
	wtheme_init(WTHEME_MONO);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	wt_end();
	return 0;
}

/* 1 if every cell of the plot area (rows 0..7, cols x0..29) is blank or
 * a braille pattern. */
static int
all_braille(int x0)
{
	int y, x;

	for (y = 0; y < 8; y++)
		for (x = x0; x < 30; x++) {
			unsigned c = wt_cp(stdscr, y, x);

			if (c != ' ' && (c < 0x2800 || c > 0x28ff))
				return 0;
		}
	return 1;
}

static void
test_braille_line(void **state)
{
	struct wchart *c = wchart_new(stdscr, 0, 0, 10, 30);
	double lo, hi;

	(void)state;
	assert_int_equal(wchart_add_series(c, "up", NULL, up, 11, -1), 0);
	widget_draw(wchart_widget(c), false);
	/* y axis: nice ticks 0, 5, 10; x axis: 0, 5, 10 */
	assert_string_equal(wt_rowt(stdscr, 0), "10\xe2\x94\xa4                        \xe2\xa1\xa0\xe2\xa0\x94\xe2\xa0\x8a");
	assert_string_equal(wt_rowt(stdscr, 3), " 5\xe2\x94\xa4             \xe2\xa2\x80\xe2\xa0\xa4\xe2\xa0\x92\xe2\xa0\x81");
	assert_string_equal(wt_rowt(stdscr, 7), " 0\xe2\x94\xa4\xe2\xa1\xa0\xe2\xa0\x94\xe2\xa0\x8a\xe2\xa0\x81");
	assert_string_equal(wt_rowt(stdscr, 8),
	    "  \xe2\x94\x94\xe2\x94\xac\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\xac\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\xac");
	assert_string_equal(wt_rowt(stdscr, 9), "   0            5           10");
	assert_true(all_braille(3));
	/* the first point is the bottom-left dot, the last the top-right */
	assert_true((wt_cp(stdscr, 7, 3) - 0x2800) & 0x40);
	assert_true((wt_cp(stdscr, 0, 29) - 0x2800) & 0x08);
	/* the line has no holes: every plot column has a dot */
	{
		int x, y, hit;

		for (x = 3; x < 30; x++) {
			for (hit = 0, y = 0; y < 8; y++)
				hit |= wt_cp(stdscr, y, x) != ' ';
			assert_true(hit);
		}
	}
	assert_true(wchart_yrange(c, &lo, &hi));
	assert_true(lo == 0 && hi == 10);
	assert_true(wt_screen_clean(stdscr));
	widget_free(wchart_widget(c));
}

static void
test_ascii_and_block(void **state)
{
	struct wchart *c = wchart_new(stdscr, 0, 0, 10, 30);
	int y, x;

	(void)state;
	wchart_add_series(c, "up", NULL, up, 11, -1);
	wchart_add_series(c, "down", NULL, down, 11, -1);
	widgets_set_utf8(false);
	widget_draw(wchart_widget(c), false);
	for (y = 0; y < 10; y++)
		for (x = 0; x < 30; x++)
			assert_true(wt_cp(stdscr, y, x) < 0x80);
	/* series glyphs differ, so overlays read without colour; legend */
	assert_string_equal(wt_rowt(stdscr, 0), "10\xe2\x94\xa4++                  ** up");
	assert_string_equal(wt_rowt(stdscr, 1), "  \xe2\x94\x82  +++++             ++ down");
	assert_string_equal(wt_rowt(stdscr, 7), " 0\xe2\x94\xa4**                       ++");
	/* block cells: 1x2 pixels per cell */
	widgets_set_utf8(true);
	wchart_set_cells(c, WCHART_BLOCK);
	widget_draw(wchart_widget(c), false);
	assert_string_equal(wt_rowt(stdscr, 7), " 0\xe2\x94\xa4\xe2\x96\x84\xe2\x96\x80\xe2\x96\x80                     \xe2\x96\x80\xe2\x96\x80\xe2\x96\x84");
	assert_string_equal(wt_rowt(stdscr, 1), "  \xe2\x94\x82    \xe2\x96\x80\xe2\x96\x84\xe2\x96\x84             \xe2\x96\x84\xe2\x96\x84 down");
	widget_free(wchart_widget(c));
}

static void
test_log_scale(void **state)
{
	double y[6] = { 1, 10, 100, 1000, 0, -5 };
	struct wchart *c = wchart_new(stdscr, 0, 0, 10, 30);
	double lo, hi;

	(void)state;
	wchart_add_series(c, "p", NULL, y, 6, -1);
	widget_draw(wchart_widget(c), false);
	/* linear: 0 .. 1000 with a negative value */
	assert_true(wchart_yrange(c, &lo, &hi));
	assert_true(lo < 0 && hi == 1000);
	assert_true(widget_key(wchart_widget(c), 'L') & W_CHANGED);
	assert_true(wchart_log(c));
	widget_draw(wchart_widget(c), false);
	assert_true(wchart_yrange(c, &lo, &hi));
	assert_true(lo == 0 && hi == 3);	/* decades 10^0 .. 10^3 */
	assert_true(strncmp(wt_row(stdscr, 0), " 1k\xe2\x94\xa4", 6) == 0);
	assert_true(strncmp(wt_row(stdscr, 2), "100\xe2\x94\xa4", 6) == 0);
	assert_true(strncmp(wt_row(stdscr, 5), " 10\xe2\x94\xa4", 6) == 0);
	assert_true(strncmp(wt_row(stdscr, 7), "  1\xe2\x94\xa4", 6) == 0);
	/* 1 sits at the bottom-left dot */
	assert_true((wt_cp(stdscr, 7, 4) - 0x2800) & 0x40);
	widget_free(wchart_widget(c));
}

static void
test_nan_gap(void **state)
{
	double y[21];
	struct wchart *c = wchart_new(stdscr, 0, 0, 10, 30);
	int i, x, yy, blank_cols = 0;

	(void)state;
	for (i = 0; i < 21; i++)
		y[i] = (i >= 8 && i <= 12) ? NAN : 5;
	y[0] = 0;
	y[20] = 10;
	wchart_add_series(c, "g", NULL, y, 21, -1);
	widget_draw(wchart_widget(c), false);
	for (x = 3; x < 30; x++) {
		int hit = 0;

		for (yy = 0; yy < 8; yy++)
			hit |= wt_cp(stdscr, yy, x) != ' ';
		blank_cols += !hit;
	}
	/* 5 of 20 x-steps missing over 27 columns: a visible hole */
	assert_true(blank_cols >= 4);
	widget_free(wchart_widget(c));
}

static void
test_million_points_and_envelope(void **state)
{
	size_t n = 1000000, i;
	double *y = malloc(n * sizeof *y), emin[100], emax[100], lo, hi;
	struct wchart *c = wchart_new(stdscr, 0, 0, 10, 30);
	int x, hit;

	(void)state;
	assert_non_null(y);
	for (i = 0; i < n; i++)
		y[i] = sin((double)i / 50000.0);
	y[123457] = 40;		/* one spike among a million */
	wchart_add_series(c, "big", NULL, y, n, -1);
	widget_draw(wchart_widget(c), false);
	assert_true(wchart_yrange(c, &lo, &hi));
	assert_true(lo <= -1 && lo > -40 && hi == 40);
	/* the spike reaches the top row: decimation keeps extremes */
	for (hit = 0, x = 3; x < 30; x++)
		hit |= wt_cp(stdscr, 0, x) != ' ';
	assert_true(hit);
	assert_true(wt_find(stdscr, "500k"));	/* x labels: 0, 500k */
	/* data changed in place: redrawn from the new values */
	y[123457] = 0;
	wchart_data_changed(c);
	widget_draw(wchart_widget(c), false);
	assert_true(wchart_yrange(c, &lo, &hi));
	assert_true(hi < 40);
	/* a pre-binned envelope instead of the points */
	wchart_clear(c);
	for (i = 0; i < 100; i++) {
		emin[i] = -1;
		emax[i] = i == 50 ? 9 : 1;
	}
	wchart_add_envelope(c, "env", 0, 999999, emin, emax, 100, -1);
	widget_draw(wchart_widget(c), false);
	assert_true(wchart_yrange(c, &lo, &hi));
	assert_true(lo <= -1 && hi >= 9);
	assert_true(all_braille(3));
	free(y);
	widget_free(wchart_widget(c));
}

static int
ms_fmt(char *buf, size_t n, double v, double step, void *arg)
{
	(void)step;
	return snprintf(buf, n, "%g%s", v, (const char *)arg);
}

static void
test_time_axis_and_formatter(void **state)
{
	double x[3] = { 1795766400, 1795768200, 1795770000 };	/* 08:00 .. 09:00 UTC */
	struct wchart *c = wchart_new(stdscr, 0, 0, 10, 30);

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	wchart_add_series(c, "lat", x, up, 3, -1);
	wchart_set_xtime(c, true);
	widget_draw(wchart_widget(c), false);
	assert_true(wt_find(stdscr, "08:00"));
	assert_true(wt_find(stdscr, "09:00"));
	/* a caller's formatter for the y axis, e.g. units */
	wchart_set_format(c, 'y', ms_fmt, " ms");
	widget_draw(wchart_widget(c), false);
	assert_true(strncmp(wt_row(stdscr, 0), "  2 ms\xe2\x94\xa4", 9) == 0);
	assert_true(strncmp(wt_row(stdscr, 7), "  0 ms\xe2\x94\xa4", 9) == 0);
	assert_true(wt_find(stdscr, "1.5 ms"));
	wchart_set_format(c, 'y', NULL, NULL);
	widget_draw(wchart_widget(c), false);
	assert_true(strncmp(wt_row(stdscr, 7), "  0\xe2\x94\xa4", 6) == 0);
	widget_free(wchart_widget(c));
}

static void
test_empty_and_tiny(void **state)
{
	struct wchart *c = wchart_new(stdscr, 0, 0, 10, 30);
	double nan1[3] = { NAN, NAN, NAN };

	(void)state;
	wchart_set_empty_text(c, "no data");
	widget_draw(wchart_widget(c), false);
	assert_true(wt_find(stdscr, "no data"));
	wchart_add_series(c, "nan", NULL, nan1, 3, -1);
	widget_draw(wchart_widget(c), false);
	assert_true(wt_find(stdscr, "no data"));
	/* a 2x3 chart draws without axes and without crashing */
	wchart_clear(c);
	wchart_add_series(c, "up", NULL, up, 11, -1);
	widget_place(wchart_widget(c), stdscr, 0, 0, 2, 3);
	werase(stdscr);
	widget_draw(wchart_widget(c), false);
	assert_true(wt_cp(stdscr, 1, 0) >= 0x2800);
	assert_int_equal(wt_cp(stdscr, 2, 0), ' ');
	widget_free(wchart_widget(c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_braille_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ascii_and_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_scale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nan_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_million_points_and_envelope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_axis_and_formatter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_tiny, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
