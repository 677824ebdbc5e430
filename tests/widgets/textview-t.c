/* textview-t.c - tests of the log viewer: escape sequences never reach the screen, follow, wrap, search. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/textview.h"
#include "widgets/theme.h"
#include "wtest.h"

static int
setup(void **state)
{
	(void)state;
	wt_start(12, 60, true, "xterm-256color");
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

#define ADD(t, s) assert_int_equal(wtext_append((t), (s), sizeof(s) - 1), 0)

/* Every hostile sequence the issue lists, one per line; each must be
 * shown in a visible, inert form and no control may reach a cell. */
static void
test_escapes_are_visible_not_executed(void **state)
{
	struct wtext *t = wtext_new(stdscr, 0, 0, 12, 60);
	struct widget *w = wtext_widget(t);
	int y;

	(void)state;
	ADD(t, "title:\x1b]0;pwned\x07.\n");		/* OSC set title, BEL */
	ADD(t, "osc8:\x1b]8;;http://x\x1b\\link\n");	/* OSC 8 hyperlink, ST */
	ADD(t, "clear:\x1b[2J\x1b[H.\n");		/* CSI erase + home */
	ADD(t, "dcs:\x1bPq#0;2\x1b\\.\n");		/* DCS ... ST */
	ADD(t, "c1:\xc2\x9b" "31m \xc2\x90x\xc2\x9c.\n");	/* C1 CSI, DCS, ST */
	ADD(t, "raw8:\x9b" "2J.\n");			/* 8-bit C1 byte alone */
	ADD(t, "bidi:\xe2\x80\xae" "gnp.exe\xe2\x81\xa6.\n");	/* RLO, LRI */
	ADD(t, "bad:\xff\xfe\xc3(\xed\xa0\x80.\n");	/* invalid UTF-8, surrogate */
	ADD(t, "bs:a\x08" "b\x7f\x01.\n");
	ADD(t, "cr:progress 10%\rprogress 100%\r\n");
	widget_draw(w, false);
	assert_true(wt_screen_clean(stdscr));
	y = 0;
	assert_string_equal(wt_rowt(stdscr, y++), "title:^[]0;pwned^G.");
	assert_string_equal(wt_rowt(stdscr, y++), "osc8:^[]8;;http://x^[\\link");
	assert_string_equal(wt_rowt(stdscr, y++), "clear:^[[2J^[[H.");
	assert_string_equal(wt_rowt(stdscr, y++), "dcs:^[Pq#0;2^[\\.");
	assert_string_equal(wt_rowt(stdscr, y++), "c1:<U+009B>31m <U+0090>x<U+009C>.");
	assert_string_equal(wt_rowt(stdscr, y++), "raw8:\\x9B2J.");
	assert_string_equal(wt_rowt(stdscr, y++), "bidi:<U+202E>gnp.exe<U+2066>.");
	assert_string_equal(wt_rowt(stdscr, y++), "bad:\\xFF\\xFE\\xC3(\\xED\\xA0\\x80.");
	assert_string_equal(wt_rowt(stdscr, y++), "bs:a^Hb^?^A.");
	assert_string_equal(wt_rowt(stdscr, y++), "progress 100%");
	/* the stored lines are clean too (no ESC byte anywhere) */
	for (y = 0; y < (int)wtext_count(t); y++)
		assert_null(strchr(wtext_line(t, (size_t)y), '\x1b'));
	widget_free(w);
}

static void
test_ascii_mode(void **state)
{
	struct wtext *t = wtext_new(stdscr, 0, 0, 3, 60);

	(void)state;
	widgets_set_utf8(false);
	ADD(t, "caf\xc3\xa9 \xe2\x96\x81 \x1b[1m\n");
	widget_draw(wtext_widget(t), false);
	assert_string_equal(wt_rowt(stdscr, 0), "caf? ? ^[[1m");
	assert_true(wt_screen_clean(stdscr));
	widgets_set_utf8(true);
	widget_free(wtext_widget(t));
}

static void
test_chunks_partial_lines_tabs(void **state)
{
	struct wtext *t = wtext_new(stdscr, 0, 0, 4, 60);
	struct widget *w = wtext_widget(t);

	(void)state;
	ADD(t, "ab");
	assert_int_equal(wtext_count(t), 1);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), "ab");
	/* é split between two chunks stays one character */
	ADD(t, "c\xc3");
	ADD(t, "\xa9\x1b");
	ADD(t, "[0m\n");
	assert_int_equal(wtext_count(t), 1);
	assert_string_equal(wtext_line(t, 0), "abc\xc3\xa9^[[0m");
	ADD(t, "a\tb\tc\n\n");
	assert_string_equal(wtext_line(t, 1), "a       b       c");
	assert_string_equal(wtext_line(t, 2), "");
	assert_int_equal(wtext_count(t), 3);
	assert_int_equal(wtext_add_line(t, "x\ny"), 0);
	assert_string_equal(wtext_line(t, 3), "x^Jy");
	widget_free(w);
}

static void
test_follow(void **state)
{
	struct wtext *t = wtext_new(stdscr, 0, 0, 5, 60);
	struct widget *w = wtext_widget(t);
	char line[32];
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		wtext_append(t, line, strlen(line));
	}
	widget_draw(w, false);
	assert_true(wtext_follow(t));
	assert_int_equal(wtext_top(t), 95);
	assert_string_equal(wt_rowt(stdscr, 4), "line 99");
	/* scrolling up leaves follow mode; new lines don't move the view */
	widget_key(w, 'k');
	assert_false(wtext_follow(t));
	assert_int_equal(wtext_top(t), 94);
	wtext_append(t, "line 100\n", 9);
	widget_draw(w, false);
	assert_int_equal(wtext_top(t), 94);
	assert_string_equal(wt_rowt(stdscr, 0), "line 94");
	/* G follows again */
	widget_key(w, 'G');
	assert_true(wtext_follow(t));
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 4), "line 100");
	wtext_append(t, "line 101\nline 1", 15);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 3), "line 101");
	assert_string_equal(wt_rowt(stdscr, 4), "line 1");
	/* g: top; scrolling down back to the bottom re-enables follow */
	widget_key(w, 'g');
	assert_int_equal(wtext_top(t), 0);
	assert_false(wtext_follow(t));
	for (i = 0; i < 40; i++)
		widget_key(w, WK_NPAGE);
	assert_true(wtext_follow(t));
	/* cap: only the last lines are kept */
	wtext_set_max_lines(t, 10);
	assert_true(wtext_count(t) <= 11);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 4), "line 1");
	widget_free(w);
}

static void
test_wrap_and_hscroll(void **state)
{
	struct wtext *t = wtext_new(stdscr, 0, 0, 3, 10);
	struct widget *w = wtext_widget(t);

	(void)state;
	wtext_set_follow(t, false);
	ADD(t, "0123456789abcdefghijKLMNO\nshort\n");
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), "0123456789");
	assert_string_equal(wt_rowt(stdscr, 1), "short");
	widget_key(w, 'l');
	widget_draw(w, false);
	assert_string_equal(wt_row(stdscr, 0) + 0, "89abcdefgh" "                                                  ");
	widget_key(w, 'w');
	assert_true(wtext_wrap(t));
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), "0123456789");
	assert_string_equal(wt_rowt(stdscr, 1), "abcdefghij");
	assert_string_equal(wt_rowt(stdscr, 2), "KLMNO");
	/* scroll by rows inside the wrapped line; at the bottom now */
	widget_key(w, 'j');
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), "abcdefghij");
	assert_string_equal(wt_rowt(stdscr, 2), "short");
	assert_true(wtext_follow(t));
	assert_int_equal(widget_key(w, 'j') & W_HANDLED, W_HANDLED);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), "abcdefghij");
	widget_key(w, 'k');
	widget_key(w, 'k');
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), "0123456789");
	widget_free(w);
}

static void
test_search(void **state)
{
	struct wtext *t = wtext_new(stdscr, 0, 0, 3, 40);
	struct widget *w = wtext_widget(t);
	int i;
	char line[32];

	(void)state;
	for (i = 0; i < 50; i++) {
		snprintf(line, sizeof line, "%s %d\n", i % 10 == 7 ? "Error" :
		    "ok", i);
		wtext_append(t, line, strlen(line));
	}
	/* from the first line on screen (following: line 47) */
	assert_int_equal(wtext_search(t, "error", 1, true), 47);
	wtext_scroll_to(t, 0);
	assert_int_equal(wtext_search(t, "error", 1, true), 7);	/* smart case */
	assert_false(wtext_follow(t));
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), "Error 7");
	assert_true(wt_attr(stdscr, 0, 0) & A_REVERSE);
	assert_true(wt_attr(stdscr, 0, 4) & A_REVERSE);
	assert_false(wt_attr(stdscr, 0, 5) & A_REVERSE);
	widget_key(w, 'n');
	assert_int_equal(wtext_top(t), 17);
	widget_key(w, 'N');
	widget_key(w, 'N');
	assert_int_equal(wtext_top(t), 47);	/* wrapped around backwards */
	assert_int_equal(wtext_search(t, "Error 5", 1, true), -1);
	assert_int_equal(wtext_search(t, "error 5", 1, true), -1);
	assert_int_equal(wtext_search(t, "ERROR", 1, true), -1);	/* case-sensitive */
	widget_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_escapes_are_visible_not_executed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ascii_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunks_partial_lines_tabs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_and_hscroll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
