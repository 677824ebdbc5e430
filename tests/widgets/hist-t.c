/* hist-t.c - tests of the paired histogram: layout, normalisation, merging, glyphs with and without UTF-8. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/hist.h"
#include "widgets/theme.h"
#include "wtest.h"

static int
setup(void **state)
{
	(void)state;
	wt_start(8, 30, true, "xterm-256color");
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

static void
test_layout(void **state)
{
	int m, b, g;

	(void)state;
	assert_int_equal(whist_layout(5, 30, &m, &b, &g), 5);
	assert_int_equal(m, 1);
	assert_int_equal(b, 2);
	assert_int_equal(g, 1);
	assert_int_equal(whist_layout(10, 25, &m, &b, &g), 10);	/* no gap */
	assert_int_equal(b, 1);
	assert_int_equal(g, 0);
	assert_int_equal(whist_layout(20, 10, &m, &b, &g), 5);	/* merged by 4 */
	assert_int_equal(m, 4);
	assert_int_equal(whist_layout(0, 10, &m, &b, &g), 0);
	assert_int_equal(whist_layout(2, 100, &m, &b, &g), 2);
	assert_int_equal(b, 8);	/* capped */
}

static void
test_paired_bars(void **state)
{
	double ref[5] = { 1, 2, 4, 2, 1 }, cur[5] = { 0, 1, 2, 4, 3 };
	struct whist *h = whist_new(stdscr, 0, 0, 6, 30);
	struct widget *w = whist_widget(h);

	(void)state;
	assert_int_equal(whist_set(h, ref, cur, 5), 0);
	whist_set_labels(h, "0", "100");
	widget_draw(w, false);
	/* tallest bars (ref bin 2, cur bin 3: 4/10 each) fill all 5 rows */
	assert_string_equal(wt_rowt(stdscr, 0), "          \xe2\x96\x92\xe2\x96\x92     \xe2\x96\x88\xe2\x96\x88");
	assert_string_equal(wt_rowt(stdscr, 4), "\xe2\x96\x92\xe2\x96\x92   \xe2\x96\x92\xe2\x96\x92\xe2\x96\x88\xe2\x96\x88 \xe2\x96\x92\xe2\x96\x92\xe2\x96\x88\xe2\x96\x88 \xe2\x96\x92\xe2\x96\x92\xe2\x96\x88\xe2\x96\x88 \xe2\x96\x92\xe2\x96\x92\xe2\x96\x88\xe2\x96\x88");
	assert_string_equal(wt_rowt(stdscr, 5), "0                          100");
	/* cur bin 4 is 3/10: 3.75 rows -> an eighth-block top (▆) */
	assert_int_equal(wt_cp(stdscr, 1, 22), 0x2586);
	/* reference and current differ without colour (mono theme) */
	assert_true(wt_attr(stdscr, 4, 0) != wt_attr(stdscr, 4, 7));
	/* the first cur bin is empty: nothing painted */
	assert_int_equal(wt_cp(stdscr, 4, 2), ' ');
	widget_free(w);
}

static void
test_normalize_and_ascii(void **state)
{
	double ref[4] = { 10, 10, 10, 10 }, cur[4] = { 1, 1, 1, 1 };
	struct whist *h = whist_new(stdscr, 0, 0, 4, 12);
	struct widget *w = whist_widget(h);
	int y, x;

	(void)state;
	whist_set(h, ref, cur, 4);
	widgets_set_utf8(false);
	widget_draw(w, false);
	/* normalised: equal shapes, full height both */
	assert_string_equal(wt_rowt(stdscr, 0), ":# :# :# :#");
	assert_string_equal(wt_rowt(stdscr, 3), ":# :# :# :#");
	/* raw counts: cur is a tenth of ref */
	whist_set_normalize(h, false);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), ":  :  :  :");
	assert_string_equal(wt_rowt(stdscr, 3), ":# :# :# :#");
	for (y = 0; y < 4; y++)
		for (x = 0; x < 12; x++)
			assert_true(wt_cp(stdscr, y, x) < 0x80);
	/* merged bins when narrow: 4 bins in 4 cells -> 2 groups */
	widget_place(w, stdscr, 0, 0, 4, 4);
	werase(stdscr);
	whist_set_normalize(h, true);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 3), ":#:#");
	widgets_set_utf8(true);
	widget_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test_setup_teardown(test_paired_bars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_normalize_and_ascii, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
