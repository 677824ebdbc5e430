/* input-t.c - tests of the line editor: editing keys, UTF-8, history, scrolling, refused controls. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/input.h"
#include "widgets/theme.h"
#include "wtest.h"

static int
setup(void **state)
{
	(void)state;
	wt_start(3, 20, true, "xterm-256color");
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
type(struct winput *in, const char *s)
{
	/* ASCII only; UTF-8 is fed as code points by the tests */
	for (; *s; s++)
		assert_true(widget_key(winput_widget(in), (unsigned char)*s) &
		    W_CHANGED);
}

static unsigned
key(struct winput *in, int k)
{
	return widget_key(winput_widget(in), k);
}

static void
test_editing(void **state)
{
	struct winput *in = winput_new(stdscr, 0, 0, 20, "/");

	(void)state;
	type(in, "hello world");
	assert_string_equal(winput_text(in), "hello world");
	key(in, WK_LEFT);
	key(in, WK_LEFT);
	key(in, WK_CTRL('b'));
	assert_int_equal(winput_cursor(in), 8);
	key(in, 'X');
	assert_string_equal(winput_text(in), "hello woXrld");
	key(in, WK_BACKSPACE);
	key(in, 127);			/* DEL as backspace */
	assert_string_equal(winput_text(in), "hello wrld");
	key(in, WK_DC);
	assert_string_equal(winput_text(in), "hello wld");
	key(in, WK_CTRL('a'));
	assert_int_equal(winput_cursor(in), 0);
	key(in, WK_CTRL('d'));
	assert_string_equal(winput_text(in), "ello wld");
	key(in, WK_CTRL('e'));
	assert_int_equal(winput_cursor(in), 8);
	key(in, WK_CTRL('w'));
	assert_string_equal(winput_text(in), "ello ");
	type(in, "a b  ");
	key(in, WK_CTRL('w'));		/* trailing spaces go with the word */
	assert_string_equal(winput_text(in), "ello a ");
	key(in, WK_HOME);
	key(in, WK_RIGHT);
	key(in, WK_CTRL('k'));
	assert_string_equal(winput_text(in), "e");
	type(in, "xyz");
	key(in, WK_LEFT);
	key(in, WK_CTRL('u'));
	assert_string_equal(winput_text(in), "z");
	assert_int_equal(winput_cursor(in), 0);
	/* at the edges: handled, nothing changes */
	assert_int_equal(key(in, WK_BACKSPACE), W_HANDLED);
	key(in, WK_END);
	assert_int_equal(key(in, WK_DC), W_HANDLED);
	/* Esc cancels, Enter submits */
	assert_true(key(in, WK_ESC) & W_CANCEL);
	assert_true(key(in, '\r') & W_SUBMIT);
	/* function keys the line does not use are left to the screen */
	assert_int_equal(key(in, WK(KEY_F(5))), 0);
	widget_free(winput_widget(in));
}

static void
test_utf8_and_controls(void **state)
{
	struct winput *in = winput_new(stdscr, 0, 0, 20, "> ");

	(void)state;
	key(in, 0xe9);		/* é */
	key(in, 'e');
	key(in, 0x301);		/* combining acute */
	key(in, 0x4e2d);	/* 中, two cells */
	assert_string_equal(winput_text(in), "\xc3\xa9" "e\xcc\x81\xe4\xb8\xad");
	/* left steps over whole characters, the combining mark included */
	key(in, WK_LEFT);
	assert_int_equal(winput_cursor(in), 5);
	key(in, WK_LEFT);
	assert_int_equal(winput_cursor(in), 2);
	key(in, WK_BACKSPACE);
	assert_string_equal(winput_text(in), "e\xcc\x81\xe4\xb8\xad");
	/* controls, C1, bidi overrides and raw ESC are never inserted */
	assert_int_equal(key(in, 0x1c), 0);
	assert_int_equal(key(in, 0x9b), 0);
	assert_int_equal(key(in, 0x202e), 0);
	assert_int_equal(key(in, 0x2066), 0);
	assert_string_equal(winput_text(in), "e\xcc\x81\xe4\xb8\xad");
	/* set_text may bring anything: it is painted sanitized */
	winput_set_text(in, "a\x1b[2Jb");
	widget_draw(winput_widget(in), false);
	assert_string_equal(wt_rowt(stdscr, 0), "> a^[[2Jb");
	assert_true(wt_screen_clean(stdscr));
	widget_free(winput_widget(in));
}

static void
test_history(void **state)
{
	struct winput *in = winput_new(stdscr, 0, 0, 20, ":");

	(void)state;
	type(in, "one");
	assert_true(key(in, '\n') & W_SUBMIT);
	winput_clear(in);
	type(in, "two");
	key(in, '\n');
	winput_clear(in);
	type(in, "two");
	key(in, '\n');			/* duplicate of the newest: skipped */
	winput_clear(in);
	winput_history_add(in, "");	/* empty: skipped */
	assert_int_equal(winput_history_count(in), 2);
	type(in, "dra");
	key(in, WK_UP);
	assert_string_equal(winput_text(in), "two");
	key(in, WK_CTRL('p'));
	assert_string_equal(winput_text(in), "one");
	key(in, WK_UP);			/* oldest: stays */
	assert_string_equal(winput_text(in), "one");
	key(in, WK_DOWN);
	assert_string_equal(winput_text(in), "two");
	key(in, WK_CTRL('n'));		/* back to the unfinished line */
	assert_string_equal(winput_text(in), "dra");
	assert_int_equal(winput_cursor(in), 3);
	key(in, WK_DOWN);
	assert_string_equal(winput_text(in), "dra");
	winput_set_history_max(in, 1);
	assert_int_equal(winput_history_count(in), 1);
	key(in, WK_UP);
	assert_string_equal(winput_text(in), "two");
	widget_free(winput_widget(in));
}

static void
test_paint_and_scroll(void **state)
{
	struct winput *in = winput_new(stdscr, 1, 2, 10, "/");
	struct widget *w = winput_widget(in);

	(void)state;
	widget_set_focus(w, true);
	type(in, "abc");
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 1), "  /abc");
	assert_int_equal(winput_cursor_col(in), 6);
	/* the cursor cell is reversed (visible without a terminal cursor) */
	assert_true(wt_attr(stdscr, 1, 6) & A_REVERSE);
	assert_false(wt_attr(stdscr, 1, 5) & A_REVERSE);
	/* longer than the line: scrolled so the cursor stays visible */
	type(in, "defghijklmn");
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 1), "  /ghijklmn");
	assert_int_equal(winput_cursor_col(in), 11);
	key(in, WK_HOME);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 1), "  /abcdefgh");
	assert_int_equal(winput_cursor_col(in), 3);
	assert_true(wt_attr(stdscr, 1, 3) & A_REVERSE);
	widget_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_editing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utf8_and_controls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paint_and_scroll, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
