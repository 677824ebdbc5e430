/* status-t.c - tests of the status bar, tabs, boxes, wput, key decoding and theme roles without colour. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/status.h"
#include "widgets/tabs.h"
#include "widgets/theme.h"
#include "wtest.h"

static int
setup(void **state)
{
	(void)state;
	wt_start(12, 50, true, "xterm-256color");
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

static const struct whint hints[] = {
	{ "q", "quit" }, { "/", "filter" }, { "?", "help" },
	{ "space", "select" },
};

static void
test_status(void **state)
{
	struct wstatus *s = wstatus_new(stdscr, 11, 0, 50);
	struct widget *w = wstatus_widget(s);

	(void)state;
	assert_int_equal(wstatus_set_hints(s, hints, 4), 0);
	wstatus_set_right(s, "212 of 1,204");
	widget_draw(w, false);
	/* whole hints only: "space select" does not fit before the right text */
	assert_string_equal(wt_rowt(stdscr, 11), " q quit  / filter  ? help            212 of 1,204");
	assert_true(wt_attr(stdscr, 11, 1) & A_BOLD);	/* key */
	assert_false(wt_attr(stdscr, 11, 3) & A_BOLD);	/* description */
	/* an error takes the space, reversed+bold without colour */
	wstatus_message(s, WSTATUS_ERROR, "filter: unexpected '%s' at column %d",
	    ")", 12);
	assert_true(wstatus_has_message(s));
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 11), " filter: unexpected ')' at column 12 212 of 1,204");
	assert_true(wt_attr(stdscr, 11, 1) & A_REVERSE);
	assert_true(wt_attr(stdscr, 11, 1) & A_BOLD);
	/* untrusted text in a message is shown inert */
	wstatus_message(s, WSTATUS_INFO, "run %s", "\x1b]0;x\x07");
	widget_draw(w, false);
	assert_true(wt_screen_clean(stdscr));
	assert_true(wt_find(stdscr, "run ^[]0;x^G"));
	assert_false(wt_attr(stdscr, 11, 1) & A_REVERSE);
	wstatus_clear_message(s);
	assert_null(wstatus_message_text(s));
	widget_draw(w, false);
	assert_true(wt_find(stdscr, " q quit"));
	/* narrow: hints drop, nothing spills */
	widget_place(w, stdscr, 11, 0, 1, 12);
	wstatus_set_right(s, NULL);
	werase(stdscr);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 11), " q quit");
	widget_free(w);
}

static void
test_tabs(void **state)
{
	struct wtabs *t = wtabs_new(stdscr, 0, 0, 50);
	struct widget *w = wtabs_widget(t);
	MEVENT ev;

	(void)state;
	assert_int_equal(wtabs_add(t, "runs"), 0);
	assert_int_equal(wtabs_add(t, "run 7f3a91c"), 1);
	assert_int_equal(wtabs_add(t, "compare"), 2);
	wtabs_set_active(t, 1);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), " runs \xe2\x94\x82 run 7f3a91c \xe2\x94\x82 compare");
	assert_true(wt_attr(stdscr, 0, 9) & A_REVERSE);
	assert_false(wt_attr(stdscr, 0, 2) & A_REVERSE);
	assert_true(widget_key(w, '3') & W_CHANGED);
	assert_int_equal(wtabs_active(t), 2);
	assert_int_equal(widget_key(w, '3'), W_HANDLED);
	assert_int_equal(widget_key(w, '9'), 0);	/* no such tab */
	wtabs_next(t, 1);
	assert_int_equal(wtabs_active(t), 0);
	wtabs_next(t, -1);
	assert_int_equal(wtabs_active(t), 2);
	widget_draw(w, false);
	ev = wt_mouse(0, 2, BUTTON1_CLICKED);
	assert_true(widget_mouse(w, &ev) & W_CHANGED);
	assert_int_equal(wtabs_active(t), 0);
	wtabs_remove(t, 0);
	assert_int_equal(wtabs_count(t), 2);
	wtabs_set_label(t, 0, "run \x1b[31mred");
	widgets_set_utf8(false);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), " run ^[[31mred | compare");
	assert_true(wt_screen_clean(stdscr));
	widgets_set_utf8(true);
	/* many tabs in a narrow bar: labels elided, nothing spills */
	widget_place(w, stdscr, 0, 0, 1, 12);
	werase(stdscr);
	widget_draw(w, false);
	assert_true(strlen(wt_rowt(stdscr, 0)) <= 12 + 6);
	assert_int_equal(wt_cp(stdscr, 0, 12), ' ');
	widget_free(w);
}

static void
test_wput_and_box(void **state)
{
	(void)state;
	assert_int_equal(wput(stdscr, 0, 0, 10, "abc", 0, WPUT_RIGHT | WPUT_PAD), 10);
	assert_string_equal(wt_rowt(stdscr, 0), "       abc");
	wput(stdscr, 1, 0, 5, "abcdefgh", 0, WPUT_ELIDE);
	assert_string_equal(wt_rowt(stdscr, 1), "abcd\xe2\x80\xa6");
	wput(stdscr, 2, 0, 5, "abcdefgh", 0, 0);
	assert_string_equal(wt_rowt(stdscr, 2), "abcde");
	wput(stdscr, 3, 0, 9, "mid", 0, WPUT_CENTER);
	assert_string_equal(wt_rowt(stdscr, 3), "   mid");
	/* wide characters are never cut in half */
	wput(stdscr, 4, 0, 4, "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", 0, WPUT_ELIDE);
	assert_string_equal(wt_rowt(stdscr, 4), "\xe4\xb8\xad\xe2\x80\xa6");
	assert_int_equal(wsan_width("\x1b[1m"), 5);
	wbox(stdscr, 6, 0, 4, 30, "experiment: all", "3 of 9", 0);
	assert_string_equal(wt_rowt(stdscr, 6), "\xe2\x94\x8c experiment: all \xe2\x94\x80\xe2\x94\x80 3 of 9 \xe2\x94\x80\xe2\x94\x90");
	assert_string_equal(wt_rowt(stdscr, 7), "\xe2\x94\x82                            \xe2\x94\x82");
	assert_string_equal(wt_rowt(stdscr, 9), "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x98");
	/* ASCII mode: non-ASCII becomes '?', the ellipsis '~' */
	widgets_set_utf8(false);
	wput(stdscr, 10, 0, 6, "caf\xc3\xa9 ok", 0, WPUT_ELIDE | WPUT_PAD);
	assert_string_equal(wt_rowt(stdscr, 10), "caf? ~");
	widgets_set_utf8(true);
}

static void
test_keys(void **state)
{
	(void)state;
	assert_int_equal(wkey_from_wget_wch(OK, 'a'), 'a');
	assert_int_equal(wkey_from_wget_wch(OK, 0x103), 0x103);	/* ă, not KEY_UP */
	assert_int_equal(wkey_from_wget_wch(KEY_CODE_YES, KEY_UP), WK_UP);
	assert_true(WK_UP != 0x103);
	assert_int_equal(wkey_from_wget_wch(ERR, 0), -1);
	assert_true(WK_IS_FN(WK_RESIZE));
	assert_false(WK_IS_FN(0x10ffff));
	assert_true(wkey_is_enter('\r') && wkey_is_enter('\n') && wkey_is_enter(WK_ENTER));
	assert_true(wkey_is_backspace(127) && wkey_is_backspace(8) &&
	    wkey_is_backspace(WK_BACKSPACE));
	assert_int_equal(WK_CTRL('d'), 4);
}

/* Every role that must stand out does so with attributes alone, and the
 * ones that must differ from each other do. */
static void
test_theme_mono(void **state)
{
	static const enum wrole must_stand_out[] = {
		WR_HEADER, WR_CURSOR, WR_CURSOR_IDLE, WR_MARKED, WR_MATCH,
		WR_ERROR, WR_KEY, WR_TAB_ACTIVE, WR_BUTTON_ACTIVE, WR_FAILED,
		WR_RUNNING, WR_DIM, WR_CHANGED, WR_BETTER, WR_WORSE,
	};
	size_t i, j;

	(void)state;
	assert_int_equal(wtheme_mode(), WTHEME_MONO);
	for (i = 0; i < sizeof must_stand_out / sizeof *must_stand_out; i++) {
		attr_t a = wtheme_attr(must_stand_out[i]);

		assert_int_equal(a & A_COLOR, 0);
		assert_int_not_equal(a, A_NORMAL);
	}
	/* cursor, marked, match and error are told apart */
	{
		enum wrole r[] = { WR_CURSOR, WR_MARKED, WR_MATCH, WR_ERROR,
		    WR_CURSOR_IDLE };

		for (i = 0; i < 5; i++)
			for (j = i + 1; j < 5; j++)
				assert_int_not_equal(wtheme_attr(r[i]),
				    wtheme_attr(r[j]));
	}
	assert_int_not_equal(wtheme_attr(WR_BETTER), wtheme_attr(WR_WORSE));
	assert_int_equal(wtheme_attr(WR__COUNT), A_NORMAL);
	/* every role has a name (the table has no holes) */
	for (i = 0; i < WR__COUNT; i++)
		assert_non_null(wtheme_role_name((enum wrole)i));
	assert_string_equal(wtheme_role_name(WR_CURSOR), "cursor");
	assert_int_equal(wtheme_series(7), WR_SERIES1);
}

static void
test_theme_colour(void **state)
{
	(void)state;
	unsetenv("NO_COLOR");
	assert_int_equal(wtheme_init(WTHEME_AUTO), WTHEME_256);
	assert_int_not_equal(wtheme_attr(WR_FAILED) & A_COLOR, 0);
	assert_int_not_equal(PAIR_NUMBER(wtheme_attr(WR_OK)),
	    PAIR_NUMBER(wtheme_attr(WR_FAILED)));
	assert_int_equal(wtheme_init(WTHEME_8), WTHEME_8);
	assert_int_not_equal(wtheme_attr(WR_RUNNING) & A_COLOR, 0);
	/* NO_COLOR (any non-empty value) wins */
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(wtheme_init(WTHEME_AUTO), WTHEME_MONO);
	assert_int_equal(wtheme_attr(WR_FAILED) & A_COLOR, 0);
}

static void
test_theme_dumb(void **state)
{
	(void)state;
	unsetenv("NO_COLOR");
	wt_start(5, 20, false, "dumb");
	/* TERM=dumb has no colours: attributes only */
	assert_int_equal(wtheme_init(WTHEME_AUTO), WTHEME_MONO);
	assert_int_equal(wtheme_init(WTHEME_256), WTHEME_MONO);
	assert_true(wtheme_attr(WR_CURSOR) & A_REVERSE);
	wput(stdscr, 0, 0, 20, "\xe2\x96\x81ok", 0, 0);
	assert_string_equal(wt_rowt(stdscr, 0), "?ok");
	wt_end();
	wt_start(5, 20, false, "vt100");
	assert_int_equal(wtheme_init(WTHEME_AUTO), WTHEME_MONO);
	wt_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tabs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wput_and_box, setup, teardown),
		cmocka_unit_test(test_keys),
		cmocka_unit_test_setup_teardown(test_theme_mono, setup, teardown),
		cmocka_unit_test_setup_teardown(test_theme_colour, setup, teardown),
		cmocka_unit_test(test_theme_dumb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
