/* keymap-t.c - tests of the TUI's request table, default key bindings and short formats. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui.h"

/* Every request has a unique name that parses back, and help text. */
static void
test_request_names(void **state)
{
	(void)state;
	assert_null(request_name(REQ_NONE));
	assert_null(request_name(REQ__COUNT));
	for (int r = 1; r < REQ__COUNT; r++) {
		const char *n = request_name((enum request)r);

		assert_non_null(n);
		assert_non_null(request_help((enum request)r));
		assert_true(strlen(request_help((enum request)r)) > 3);
		assert_int_equal(request_parse(n), r);
		for (const char *c = n; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || *c == '-');
		for (int o = 1; o < r; o++)
			assert_string_not_equal(n,
			    request_name((enum request)o));
	}
	assert_string_equal(request_name(REQ_MOVE_DOWN), "move-down");
	assert_int_equal(request_parse("nonsense"), REQ_NONE);
}

/* The keys people expect, and screen maps overriding the generic one. */
static void
test_bindings(void **state)
{
	(void)state;
	assert_int_equal(keymap_lookup("runs", 'j'), REQ_MOVE_DOWN);
	assert_int_equal(keymap_lookup("runs", WK_DOWN), REQ_MOVE_DOWN);
	assert_int_equal(keymap_lookup("run", 'k'), REQ_MOVE_UP);
	assert_int_equal(keymap_lookup(NULL, 'G'), REQ_MOVE_LAST);
	assert_int_equal(keymap_lookup(NULL, WK_NPAGE), REQ_MOVE_PAGE_DOWN);
	assert_int_equal(keymap_lookup(NULL, WK_CTRL('d')),
	    REQ_MOVE_HALF_DOWN);
	assert_int_equal(keymap_lookup(NULL, WK_CTRL('u')), REQ_MOVE_HALF_UP);
	assert_int_equal(keymap_lookup(NULL, '\t'), REQ_NEXT_PANE);
	assert_int_equal(keymap_lookup(NULL, WK_ESC), REQ_BACK);
	assert_int_equal(keymap_lookup(NULL, '\r'), REQ_ENTER);
	assert_int_equal(keymap_lookup(NULL, '?'), REQ_HELP);
	assert_int_equal(keymap_lookup(NULL, ':'), REQ_COMMAND);
	assert_int_equal(keymap_lookup(NULL, 'q'), REQ_QUIT);
	assert_int_equal(keymap_lookup(NULL, WK_CTRL('c')), REQ_QUIT_ALL);
	assert_int_equal(keymap_lookup(NULL, WK_CTRL('z')), REQ_SUSPEND);
	/* / searches as you type, f filters */
	assert_int_equal(keymap_lookup("runs", '/'), REQ_FIND);
	assert_int_equal(keymap_lookup("runs", 'f'), REQ_FILTER);
	assert_int_equal(keymap_lookup("run", '/'), REQ_FIND);
	/* c: compare on runs, cancel on the pipeline */
	assert_int_equal(keymap_lookup("runs", 'c'), REQ_VIEW_COMPARE);
	assert_int_equal(keymap_lookup("pipeline", 'c'), REQ_CANCEL);
	assert_int_equal(keymap_lookup("runs", 'Z'), REQ_NONE);
}

/* The help lists a screen's own keys, not generic keys it overrides. */
static void
test_keys_for_help(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(keymap_keys("runs", REQ_MOVE_DOWN, buf,
	    sizeof buf), "j Down");
	assert_string_equal(keymap_keys("runs", REQ_VIEW_COMPARE, buf,
	    sizeof buf), "c");
	assert_string_equal(keymap_keys("pipeline", REQ_CANCEL, buf,
	    sizeof buf), "c");
	/* / searches on runs and run, not on the pipeline (f forces there) */
	assert_string_equal(keymap_keys("pipeline", REQ_FIND, buf,
	    sizeof buf), "");
	assert_string_equal(keymap_keys("runs", REQ_ENTER, buf, sizeof buf),
	    "Enter");
	assert_string_equal(keymap_keys(NULL, REQ_SUSPEND, buf, sizeof buf),
	    "C-z");
	/* a tiny buffer is cut, not overrun */
	keymap_keys("runs", REQ_MOVE_DOWN, buf, 3);
	assert_true(strlen(buf) < 3);
}

/* Movement requests map to the widgets' canonical keys. */
static void
test_widget_keys(void **state)
{
	(void)state;
	assert_int_equal(keymap_widget_key(REQ_MOVE_DOWN), WK_DOWN);
	assert_int_equal(keymap_widget_key(REQ_MOVE_LAST), WK_END);
	assert_int_equal(keymap_widget_key(REQ_MOVE_HALF_DOWN), WK_CTRL('d'));
	assert_int_equal(keymap_widget_key(REQ_FIND_NEXT), 'n');
	assert_int_equal(keymap_widget_key(REQ_QUIT), 0);
	assert_int_equal(keymap_widget_key(REQ_FILTER), 0);
}

static void
test_formats(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(tui_duration(b, sizeof b, 0), "0:00");
	assert_string_equal(tui_duration(b, sizeof b, 14999), "0:14");
	assert_string_equal(tui_duration(b, sizeof b, 192000), "3:12");
	assert_string_equal(tui_duration(b, sizeof b, 3753000), "1:02:33");
	assert_string_equal(tui_duration(b, sizeof b, 273600000LL), "3d04h");
	assert_string_equal(tui_duration(b, sizeof b, -5), "0:00");
	assert_string_equal(tui_time(b, sizeof b, 0), "-");
	assert_string_equal(tui_num(b, sizeof b, 0.912), "0.912");
	assert_string_equal(tui_num(b, sizeof b, 0), "0");
	assert_string_equal(tui_num(b, sizeof b, 12345678), "1.235e+07");
	assert_string_equal(tui_num(b, sizeof b, 0.00001), "1.000e-05");
	assert_string_equal(tui_num(b, sizeof b, 0.0 / 0.0), "nan");
	assert_string_equal(tui_num(b, sizeof b, -1.0 / 0.0), "-inf");
	/* glyphs: Unicode in UTF-8 mode, ASCII otherwise, always distinct */
	widgets_set_utf8(true);
	assert_string_equal(tui_status_glyph(PL_RUN_FINISHED),
	    "\xe2\x97\x8f");
	widgets_set_utf8(false);
	assert_string_equal(tui_status_glyph(PL_RUN_FINISHED), "+");
	assert_string_equal(tui_status_glyph(PL_RUN_RUNNING), ">");
	assert_string_equal(tui_status_glyph(PL_RUN_FAILED), "x");
	assert_string_not_equal(tui_status_glyph(PL_RUN_KILLED),
	    tui_status_glyph(PL_RUN_LOST));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_names),
		cmocka_unit_test(test_bindings),
		cmocka_unit_test(test_keys_for_help),
		cmocka_unit_test(test_widget_keys),
		cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
