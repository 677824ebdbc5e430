/* dialog-t.c - tests of the confirm dialog, the help overlay and the word wrapper. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/dialog.h"
#include "widgets/help.h"
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

static void
test_wrap(void **state)
{
	size_t off[8], len[8];
	const char *s = "the quick brown fox  jumps";
	int n;

	(void)state;
	n = wwrap(s, 10, off, len, 8);
	assert_int_equal(n, 3);
	assert_int_equal(off[0], 0);
	assert_int_equal(len[0], 9);	/* "the quick" */
	assert_true(strncmp(s + off[1], "brown fox", len[1]) == 0 && len[1] == 9);
	assert_true(strncmp(s + off[2], "jumps", len[2]) == 0 && len[2] == 5);
	/* a word longer than the line is cut */
	n = wwrap("abcdefghijkl", 5, off, len, 8);
	assert_int_equal(n, 3);
	assert_int_equal(len[0], 5);
	assert_int_equal(off[2], 10);
	assert_int_equal(wwrap("", 5, off, len, 8), 0);
	assert_int_equal(wwrap("   ", 5, off, len, 8), 0);
	/* max bounds what is stored, not what is counted */
	assert_int_equal(wwrap("a b c d", 1, off, len, 2), 4);
}

static void
test_dialog(void **state)
{
	struct wdialog *d = wdialog_new(stdscr, 0, 0, 12, 50, "confirm",
	    "Cancel the running stage train? Its partial outputs are removed.",
	    false);
	struct widget *w = wdialog_widget(d);
	MEVENT ev;

	(void)state;
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 3), " \xe2\x94\x8c confirm \xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x90");
	assert_string_equal(wt_rowt(stdscr, 4), " \xe2\x94\x82 Cancel the running stage train? Its partial  \xe2\x94\x82");
	assert_string_equal(wt_rowt(stdscr, 5), " \xe2\x94\x82 outputs are removed.                         \xe2\x94\x82");
	assert_string_equal(wt_rowt(stdscr, 7), " \xe2\x94\x82               [ Yes ]  [ No ]                \xe2\x94\x82");
	/* default No is highlighted (reversed in mono) */
	assert_true(wt_attr(stdscr, 7, 26) & A_REVERSE);
	assert_false(wt_attr(stdscr, 7, 17) & A_REVERSE);
	assert_int_equal(wdialog_answer(d), 0);
	/* modal: unrelated keys are swallowed */
	assert_int_equal(widget_key(w, 'x'), W_HANDLED);
	assert_true(widget_key(w, '\n') & W_CANCEL);
	assert_true(widget_key(w, WK_LEFT) & W_REDRAW);
	assert_int_equal(wdialog_answer(d), 1);
	widget_draw(w, false);
	assert_true(wt_attr(stdscr, 7, 17) & A_REVERSE);
	assert_true(widget_key(w, WK_ENTER) & W_SUBMIT);
	assert_true(widget_key(w, WK_ESC) & W_CANCEL);
	assert_int_equal(wdialog_answer(d), 0);
	assert_true(widget_key(w, 'y') & W_SUBMIT);
	assert_int_equal(wdialog_answer(d), 1);
	assert_true(widget_key(w, 'n') & W_CANCEL);
	/* mouse on the buttons */
	ev = wt_mouse(7, 18, BUTTON1_CLICKED);
	assert_true(widget_mouse(w, &ev) & W_SUBMIT);
	ev = wt_mouse(7, 27, BUTTON1_CLICKED);
	assert_true(widget_mouse(w, &ev) & W_CANCEL);
	widget_free(w);
}

static void
test_dialog_hostile_and_tiny(void **state)
{
	struct wdialog *d = wdialog_new(stdscr, 0, 0, 12, 50, "\x1b]0;t\x07",
	    "delete \x1b[2J\xe2\x80\xae" "exe?", true);
	struct widget *w = wdialog_widget(d);

	(void)state;
	widget_draw(w, false);
	assert_true(wt_screen_clean(stdscr));
	assert_true(wt_find(stdscr, "delete ^[[2J<U+202E>exe?"));
	assert_true(wt_find(stdscr, "^[]0;t^G"));
	/* a region too small for the box: no crash, nothing outside it */
	werase(stdscr);
	widget_place(w, stdscr, 0, 0, 2, 3);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 5), "");
	widget_free(w);
}

static void
test_help(void **state)
{
	struct whelp *h = whelp_new(stdscr, 0, 0, 12, 50, "keys");
	struct widget *w = whelp_widget(h);
	char k[16], dsc[32];
	int i;

	(void)state;
	whelp_add(h, NULL, "Moving");
	for (i = 0; i < 12; i++) {
		snprintf(k, sizeof k, "k%d", i);
		snprintf(dsc, sizeof dsc, "does thing %d", i);
		assert_int_equal(whelp_add(h, k, dsc), 0);
	}
	assert_int_equal(whelp_count(h), 13);
	widget_draw(w, false);
	assert_true(wt_find(stdscr, " 1-8 of 13 "));
	assert_string_equal(wt_rowt(stdscr, 2), "  \xe2\x94\x82 Moving                                     \xe2\x94\x82");
	assert_string_equal(wt_rowt(stdscr, 3), "  \xe2\x94\x82 k0   does thing 0                          \xe2\x94\x82");
	assert_true(wt_attr(stdscr, 2, 4) & A_BOLD);	/* heading */
	assert_true(wt_attr(stdscr, 3, 4) & A_BOLD);	/* key */
	assert_false(wt_attr(stdscr, 3, 9) & A_BOLD);	/* description */
	widget_key(w, 'j');
	assert_int_equal(whelp_top(h), 1);
	widget_key(w, 'G');
	assert_int_equal(whelp_top(h), 5);
	assert_int_equal(widget_key(w, 'j'), W_HANDLED);	/* at the end */
	widget_draw(w, false);
	assert_true(wt_find(stdscr, " 6-13 of 13 "));
	assert_true(wt_find(stdscr, "k11  does thing 11"));
	widget_key(w, 'g');
	assert_int_equal(whelp_top(h), 0);
	assert_true(widget_key(w, '?') & W_CLOSE);
	assert_true(widget_key(w, 'q') & W_CLOSE);
	assert_true(widget_key(w, WK_ESC) & W_CLOSE);
	assert_int_equal(widget_key(w, 'x'), W_HANDLED);
	widget_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap),
		cmocka_unit_test_setup_teardown(test_dialog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialog_hostile_and_tiny, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
