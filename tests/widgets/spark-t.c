/* spark-t.c - tests of sparklines: levels, bucketing, NaN, UTF-8 and ASCII rendering, painting. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/spark.h"
#include "widgets/theme.h"
#include "wtest.h"

static void
test_levels(void **state)
{
	double v[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, flat[3] = { 2, 2, 2 };
	double gaps[4] = { 0, NAN, 7, INFINITY };
	int lv[16], i;

	(void)state;
	assert_int_equal(wspark_levels(v, 8, 16, NAN, NAN, lv), 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(lv[i], i);
	/* more values than cells: the mean of each bucket */
	assert_int_equal(wspark_levels(v, 8, 2, NAN, NAN, lv), 2);
	assert_int_equal(lv[0], 2);	/* mean 1.5 of 0..7 -> 1.5 */
	assert_int_equal(lv[1], 6);	/* mean 5.5 -> 5.5 */
	/* a flat series sits mid-height */
	assert_int_equal(wspark_levels(flat, 3, 5, NAN, NAN, lv), 3);
	assert_int_equal(lv[0], 3);
	/* NaN and inf are blank */
	assert_int_equal(wspark_levels(gaps, 4, 4, NAN, NAN, lv), 4);
	assert_int_equal(lv[0], 0);
	assert_int_equal(lv[1], -1);
	assert_int_equal(lv[2], 7);
	assert_int_equal(lv[3], -1);
	/* fixed range clamps */
	assert_int_equal(wspark_levels(v, 8, 8, 2, 4, lv), 8);
	assert_int_equal(lv[0], 0);
	assert_int_equal(lv[3], 4);
	assert_int_equal(lv[7], 7);
	assert_int_equal(wspark_levels(v, 0, 8, NAN, NAN, lv), 0);
	assert_int_equal(wspark_levels(v, 8, 0, NAN, NAN, lv), 0);
}

static void
test_render(void **state)
{
	double v[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	double loss[12] = { 9, 8, 7, 6, 5, 4.5, 4, 3.5, 3, 2.5, 2, 1 };
	char out[64];

	(void)state;
	assert_int_equal(wspark_render(v, 8, 20, NAN, NAN, 1, out, sizeof out), 8);
	assert_string_equal(out, "\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84\xe2\x96\x85\xe2\x96\x86\xe2\x96\x87\xe2\x96\x88");
	wspark_render(v, 8, 20, NAN, NAN, 0, out, sizeof out);
	assert_string_equal(out, "_.-:=+*#");
	wspark_render(loss, 12, 12, NAN, NAN, 0, out, sizeof out);
	assert_string_equal(out, "#*+==::--.._");
	/* a too-small buffer is never overrun */
	assert_int_equal(wspark_render(v, 8, 8, NAN, NAN, 1, out, 7), 2);
	assert_int_equal(strlen(out), 6);
}

static void
test_draw(void **state)
{
	double v[4] = { 1, 2, 3, 4 };

	(void)state;
	wt_start(3, 20, true, "xterm-256color");
	wtheme_init(WTHEME_MONO);
	mvwaddstr(stdscr, 1, 0, "xxxxxxxxxxxxxxxxxxxx");
	wspark_draw(stdscr, 1, 2, 6, v, 4, NAN, NAN, A_BOLD);
	assert_string_equal(wt_row(stdscr, 1), "xx\xe2\x96\x81\xe2\x96\x83\xe2\x96\x86\xe2\x96\x88  xxxxxxxxxxxx");
	assert_true(wt_attr(stdscr, 1, 2) & A_BOLD);
	widgets_set_utf8(false);
	wspark_draw(stdscr, 1, 2, 6, v, 4, NAN, NAN, 0);
	assert_string_equal(wt_row(stdscr, 1), "xx_-+#  xxxxxxxxxxxx");
	wt_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_draw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
