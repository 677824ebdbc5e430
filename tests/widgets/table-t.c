/* table-t.c - tests of the virtual table widget, rendered off-screen. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/table.h"
#include "widgets/theme.h"
#include "wtest.h"

/* A fake source of N rows: "row-<i>", a name, and a number. */
struct src {
	size_t n;
	unsigned long cells;	/* cell() calls */
	size_t max_row;		/* highest row asked for */
	size_t min_row;
	const char *name;	/* text of column 1, or NULL for row-based */
	bool reverse_ids;
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

	s->cells++;
	if (row > s->max_row)
		s->max_row = row;
	if (row < s->min_row)
		s->min_row = row;
	switch (col) {
	case 0:
		snprintf(out->buf, sizeof out->buf, "r%zu", row);
		out->text = out->buf;
		break;
	case 1:
		out->text = s->name ? s->name : "name";
		break;
	default:
		snprintf(out->buf, sizeof out->buf, "%zu", row * 10);
		out->text = out->buf;
		break;
	}
}

static uint64_t
s_id(void *p, size_t row)
{
	struct src *s = p;

	return s->reverse_ids ? (uint64_t)(s->n - row) * 1000 : row * 1000;
}

static int
s_match(void *p, size_t row, const char *needle)
{
	char b[32];

	(void)p;
	snprintf(b, sizeof b, "r%zu", row);
	return strcmp(b, needle) == 0;
}

static const struct wcolumn cols3[] = {
	{ "RUN", 8, 0, 0, 0 },
	{ "NAME", 0, 6, 1, 0 },
	{ "AUC", 7, 0, 0, WCOL_RIGHT },
};

static struct wtable *
mk(struct src *s, int h, int w, unsigned flags)
{
	struct wtable *t = wtable_new(stdscr, 0, 0, h, w, flags);
	struct wtable_source ws = { s_count, s_cell, s_id, s_match, s };

	assert_non_null(t);
	wtable_set_source(t, &ws);
	assert_int_equal(wtable_set_columns(t, cols3, 3), 0);
	s->min_row = (size_t)-1;
	return t;
}

static int
setup(void **state)
{
	(void)state;
	wt_start(24, 40, true, "xterm-256color");
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
	int w[3];
	struct wcolumn c[3] = {
		{ "A", 5, 0, 0, 0 }, { "B", 0, 4, 1, 0 }, { "C", 0, 4, 3, 0 },
	};

	(void)state;
	/* 5 + 4 + 4 + 2 gaps = 15; 25 spare split 1:3 => 6 and 18 (+1 rounding) */
	assert_int_equal(wtable_layout(c, 3, 40, w), 40);
	assert_int_equal(w[0], 5);
	assert_int_equal(w[1], 4 + 6);
	assert_int_equal(w[2], 40 - 5 - 10 - 2);
	/* too narrow: nothing below min; total exceeds avail */
	assert_int_equal(wtable_layout(c, 3, 10, w), 15);
	assert_int_equal(w[1], 4);
}

/* Content widths (want) are served before flex shares: a long value in a
 * non-flex column is not cut while flex columns soak up the room. */
static void
test_layout_want(void **state)
{
	int w[3];
	struct wcolumn c[3] = {
		{ "NAME", 0, 12, 2, 0, 30 }, { "EXP", 0, 8, 1, 0, 7 },
		{ "param", 6, 0, 0, 0, 25 },
	};

	(void)state;
	/* base 12 + 8 + 6 + 2 gaps = 28; avail 100: wants need 18 + 19 =
	 * 37, the 35 left go to the flex columns 2:1 (23 and 12). */
	assert_int_equal(wtable_layout(c, 3, 100, w), 100);
	assert_int_equal(w[2], 25);
	assert_int_equal(w[0], 30 + 23);
	assert_int_equal(w[1], 8 + 12);
	/* avail 46: 18 spare for a deficit of 37, shared in proportion
	 * (18*18/37 = 8, 18*19/37 = 9, the rounding cell to the first). */
	assert_int_equal(wtable_layout(c, 3, 46, w), 46);
	assert_int_equal(w[0], 12 + 8 + 1);
	assert_int_equal(w[2], 6 + 9);
	assert_int_equal(w[1], 8);
	/* No want anywhere: the old proportional rule, unchanged. */
	c[0].want = c[1].want = c[2].want = 0;
	assert_int_equal(wtable_layout(c, 3, 100, w), 100);
	assert_int_equal(w[2], 6);
	assert_int_equal(w[0], 12 + 48);
}

static void
test_virtual_100k_rows(void **state)
{
	struct src s = { 100000, 0, 0, 0, NULL, false };
	struct wtable *t = mk(&s, 21, 40, 0);

	(void)state;
	widget_draw(wtable_widget(t), false);
	/* 20 body rows x 3 columns: never more, never the other 99,980 */
	assert_int_equal(s.cells, 20 * 3);
	assert_int_equal(s.max_row, 19);
	assert_string_equal(wt_rowt(stdscr, 0), "RUN      NAME                        AUC");
	assert_string_equal(wt_rowt(stdscr, 1), "r0       name                          0");
	assert_string_equal(wt_rowt(stdscr, 20), "r19      name                        190");
	/* not dirty: drawing again asks nothing */
	s.cells = 0;
	assert_int_equal(widget_draw(wtable_widget(t), false), 0);
	assert_int_equal(s.cells, 0);

	/* G: scroll to the end; again only the visible rows are asked */
	s.cells = 0;
	s.min_row = (size_t)-1;
	assert_true(widget_key(wtable_widget(t), 'G') & W_MOVED);
	widget_draw(wtable_widget(t), false);
	assert_int_equal(wtable_cursor(t), 99999);
	assert_int_equal(wtable_top(t), 99980);
	assert_int_equal(s.cells, 20 * 3);
	assert_int_equal(s.min_row, 99980);
	assert_string_equal(wt_rowt(stdscr, 20), "r99999   name                     999990");
	widget_free(wtable_widget(t));
}

static void
test_cursor_keys(void **state)
{
	struct src s = { 100, 0, 0, 0, NULL, false };
	struct wtable *t = mk(&s, 11, 40, 0);	/* 10 body rows */
	struct widget *w = wtable_widget(t);

	(void)state;
	widget_set_focus(w, true);
	widget_draw(w, false);
	assert_true(wt_attr(stdscr, 1, 0) & A_REVERSE);
	assert_false(wt_attr(stdscr, 2, 0) & A_REVERSE);
	widget_key(w, 'j');
	widget_key(w, WK_DOWN);
	assert_int_equal(wtable_cursor(t), 2);
	widget_key(w, 'k');
	assert_int_equal(wtable_cursor(t), 1);
	widget_key(w, WK_NPAGE);
	assert_int_equal(wtable_cursor(t), 11);
	assert_int_equal(wtable_top(t), 2);
	widget_key(w, WK_CTRL('d'));
	assert_int_equal(wtable_cursor(t), 16);
	widget_key(w, WK_CTRL('u'));
	assert_int_equal(wtable_cursor(t), 11);
	widget_key(w, WK_PPAGE);
	assert_int_equal(wtable_cursor(t), 1);
	widget_key(w, 'G');
	assert_int_equal(wtable_cursor(t), 99);
	assert_int_equal(wtable_top(t), 90);
	widget_key(w, 'g');
	assert_int_equal(wtable_cursor(t), 0);
	assert_int_equal(wtable_top(t), 0);
	/* up at the top: handled, nothing moves */
	assert_int_equal(widget_key(w, 'k'), W_HANDLED);
	assert_true(widget_key(w, '\n') & W_ACTIVATE);
	assert_int_equal(widget_key(w, 'z'), 0);
	/* mouse: click on row 3 of the body, wheel down */
	{
		MEVENT ev = wt_mouse(4, 5, BUTTON1_CLICKED);

		assert_true(widget_mouse(w, &ev) & W_MOVED);
		assert_int_equal(wtable_cursor(t), 3);
		ev = wt_mouse(4, 5, BUTTON5_PRESSED);
		widget_mouse(w, &ev);
		assert_int_equal(wtable_top(t), 3);
		assert_int_equal(wtable_cursor(t), 3);
		ev = wt_mouse(0, 37, BUTTON1_CLICKED);
		assert_true(widget_mouse(w, &ev) & W_SORT);
		assert_int_equal(wtable_clicked_column(t), 2);
		ev = wt_mouse(30, 5, BUTTON1_CLICKED);
		assert_int_equal(widget_mouse(w, &ev), 0);
	}
	/* the source shrinks under the cursor: clamped on the next draw */
	s.n = 2;
	wtable_source_changed(t);
	widget_draw(w, false);
	assert_int_equal(wtable_cursor(t), 1);
	s.n = 0;
	wtable_set_empty_text(t, "no runs");
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 1), "no runs");
	assert_int_equal(wtable_cursor(t), 0);
	widget_free(w);
}

static void
test_elision_and_sort(void **state)
{
	struct src s = { 3, 0, 0, 0, "a-very-long-experiment-name-here", false };
	struct wtable *t = mk(&s, 4, 30, 0);

	(void)state;
	/* 8 + 1 + NAME + 1 + 7 = 30 => NAME gets 13 cells */
	wtable_set_sort(t, 2, true);
	widget_draw(wtable_widget(t), false);
	assert_string_equal(wt_rowt(stdscr, 0), "RUN      NAME            AUC \xe2\x96\xbc");
	assert_string_equal(wt_rowt(stdscr, 1), "r0       a-very-long-\xe2\x80\xa6       0");
	wtable_set_sort(t, 1, false);
	widget_draw(wtable_widget(t), false);
	assert_string_equal(wt_rowt(stdscr, 0), "RUN      NAME \xe2\x96\xb2            AUC");
	/* ASCII mode: ~ for the ellipsis, v/^ for the arrow */
	widgets_set_utf8(false);
	wtable_set_sort(t, 2, true);
	widget_draw(wtable_widget(t), false);
	assert_string_equal(wt_rowt(stdscr, 0), "RUN      NAME            AUC v");
	assert_string_equal(wt_rowt(stdscr, 1), "r0       a-very-long-~       0");
	widgets_set_utf8(true);
	widget_free(wtable_widget(t));
}

static void
test_sanitized_cells(void **state)
{
	struct src s = { 2, 0, 0, 0, "\x1b]0;pwned\x07x\x1b[2J", false };
	struct wtable *t = mk(&s, 3, 40, 0);

	(void)state;
	widget_draw(wtable_widget(t), false);
	assert_true(wt_screen_clean(stdscr));
	assert_string_equal(wt_rowt(stdscr, 1), "r0       ^[]0;pwned^Gx^[[2J            0");
	widget_free(wtable_widget(t));
}

static void
test_hscroll(void **state)
{
	struct src s = { 3, 0, 0, 0, "nm", false };
	struct wtable *t = mk(&s, 4, 16, 0);	/* 8+1+6+1+7 = 23 > 16 */
	struct widget *w = wtable_widget(t);

	(void)state;
	wtable_set_frozen(t, 1);
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 0), "RUN      NAME  \xe2\x80\xba");
	assert_true(widget_key(w, 'l') & W_REDRAW);
	assert_int_equal(wtable_first_column(t), 2);
	widget_draw(w, false);
	/* RUN stays (frozen); AUC now follows it */
	assert_string_equal(wt_rowt(stdscr, 0), "RUN          AUC");
	assert_string_equal(wt_rowt(stdscr, 1), "r0             0");
	/* nothing more to the right */
	assert_int_equal(widget_key(w, 'l'), W_HANDLED);
	widget_key(w, 'h');
	assert_int_equal(wtable_first_column(t), 1);
	widget_free(w);
}

static void
test_multiselect(void **state)
{
	struct src s = { 50, 0, 0, 0, NULL, false };
	struct wtable *t = mk(&s, 6, 40, WTABLE_MULTI);
	struct widget *w = wtable_widget(t);
	const uint64_t *ids;
	size_t n;

	(void)state;
	assert_true(widget_key(w, ' ') & W_SELECT);	/* marks 0, moves to 1 */
	widget_key(w, 'j');
	widget_key(w, ' ');				/* marks 2 */
	assert_int_equal(wtable_cursor(t), 3);
	ids = wtable_marks(t, &n);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 2000);
	assert_true(wtable_is_marked(t, 2));
	assert_false(wtable_is_marked(t, 1));
	widget_draw(w, false);
	assert_string_equal(wt_rowt(stdscr, 1), "*r0       name                         0");
	assert_string_equal(wt_rowt(stdscr, 2), " r1       name                        10");
	assert_true(wt_attr(stdscr, 1, 3) & A_BOLD);
	/* marks follow ids: after "re-sorting" row 48 has id 2000 */
	s.reverse_ids = true;
	s.n = 50;
	assert_false(wtable_is_marked(t, 2));
	assert_true(wtable_is_marked(t, 48));
	s.reverse_ids = false;
	/* toggling again unmarks */
	wtable_set_cursor(t, 2);
	widget_key(w, ' ');
	ids = wtable_marks(t, &n);
	assert_int_equal(n, 1);
	wtable_clear_marks(t);
	wtable_marks(t, &n);
	assert_int_equal(n, 0);
	widget_free(w);
}

static void
test_search(void **state)
{
	struct src s = { 100000, 0, 0, 0, NULL, false };
	struct wtable *t = mk(&s, 11, 40, 0);
	struct widget *w = wtable_widget(t);

	(void)state;
	assert_int_equal(wtable_search(t, "r77777", 1, true), 1);
	assert_int_equal(wtable_cursor(t), 77777);
	widget_draw(w, false);
	assert_true(wt_find(stdscr, "r77777"));
	assert_false(wtable_search_failed(t));
	/* n wraps around to the same single match */
	widget_key(w, 'n');
	assert_int_equal(wtable_cursor(t), 77777);
	assert_int_equal(wtable_search(t, "nope", 1, true), 0);
	assert_true(wtable_search_failed(t));
	assert_int_equal(wtable_cursor(t), 77777);
	/* backward from 77777 for r5 */
	assert_int_equal(wtable_search(t, "r5", -1, false), 1);
	assert_int_equal(wtable_cursor(t), 5);
	widget_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_layout_want),
		cmocka_unit_test_setup_teardown(test_virtual_100k_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elision_and_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sanitized_cells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hscroll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiselect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
