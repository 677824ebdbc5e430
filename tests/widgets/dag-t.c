/* dag-t.c - tests of the pipeline DAG widget: layering, routing, glyphs, keys, cycles, scrolling. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/dag.h"
#include "widgets/theme.h"
#include "wtest.h"

static int
setup(void **state)
{
	(void)state;
	wt_start(12, 70, true, "xterm-256color");
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

#define OK_ "\xe2\x9c\x93"	/* ✓ */
#define RUN "\xe2\x97\x90"	/* ◐ */
#define WAIT "\xe2\x80\xa6"	/* … */

/* prepare -> featurize, split -> train -> evaluate; prepare -> evaluate */
static struct wdag *
pipeline(int *ids)
{
	struct wdag *d = wdag_new(stdscr, 0, 0, 12, 70);

	ids[0] = wdag_add_node(d, "prepare", OK_, WR_OK);
	ids[1] = wdag_add_node(d, "featurize", RUN, WR_RUNNING);
	ids[2] = wdag_add_node(d, "split", OK_, WR_OK);
	ids[3] = wdag_add_node(d, "train", WAIT, WR_NORMAL);
	ids[4] = wdag_add_node(d, "evaluate", WAIT, WR_NORMAL);
	assert_int_equal(wdag_add_edge(d, ids[0], ids[1]), 0);
	assert_int_equal(wdag_add_edge(d, ids[0], ids[2]), 0);
	assert_int_equal(wdag_add_edge(d, ids[1], ids[3]), 0);
	assert_int_equal(wdag_add_edge(d, ids[2], ids[3]), 0);
	assert_int_equal(wdag_add_edge(d, ids[3], ids[4]), 0);
	assert_int_equal(wdag_add_edge(d, ids[0], ids[4]), 0);
	return d;
}

static void
test_layout_and_lines(void **state)
{
	int id[5];
	struct wdag *d = pipeline(id);

	(void)state;
	assert_int_equal(wdag_add_edge(d, id[0], id[0]), -1);
	assert_int_equal(wdag_add_edge(d, id[0], 99), -1);
	assert_int_equal(wdag_layer(d, id[0]), 0);
	assert_int_equal(wdag_layer(d, id[1]), 1);
	assert_int_equal(wdag_layer(d, id[2]), 1);
	assert_int_equal(wdag_layer(d, id[3]), 2);
	assert_int_equal(wdag_layer(d, id[4]), 3);	/* longest path */
	widget_draw(wdag_widget(d), false);
	assert_string_equal(wt_rowt(stdscr, 0),
	    "[" OK_ " prepare]\xe2\x94\x80\xe2\x94\x80\xe2\x94\xac\xe2\x94\x80\xe2\x94\x80\xe2\x96\xb6"
	    "[" RUN " featurize]\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\xac\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x96\xb6"
	    "[" WAIT " train]\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\xac\xe2\x94\x80\xe2\x94\x80\xe2\x96\xb6"
	    "[" WAIT " evaluate]");
	/* split forks off prepare's trunk (├) and joins train's row (┘) */
	assert_int_equal(wt_cp(stdscr, 2, 13), 0x251c);
	assert_int_equal(wt_cp(stdscr, 2, 16), 0x25b6);
	assert_int_equal(wt_cp(stdscr, 2, 34), 0x2518);
	/* the long edge runs below and never crosses a box */
	assert_int_equal(wt_cp(stdscr, 4, 13), 0x2514);
	assert_true(strstr(wt_row(stdscr, 2), "[" OK_ " split]") != NULL);
	assert_true(wt_screen_clean(stdscr));
	/* ASCII: -|+> lines */
	widgets_set_utf8(false);
	wdag_set_node(d, id[0], NULL, "ok", WR_OK);
	wdag_set_node(d, id[1], NULL, "..", WR_RUNNING);
	widget_draw(wdag_widget(d), false);
	assert_true(strncmp(wt_row(stdscr, 0), "[ok prepare]--+-->[.. featurize]", 32) == 0);
	assert_true(strncmp(wt_row(stdscr, 2), "              +-->[", 19) == 0);
	widgets_set_utf8(true);
	widget_free(wdag_widget(d));
}

static void
test_keys_and_mouse(void **state)
{
	int id[5];
	struct wdag *d = pipeline(id);
	struct widget *w = wdag_widget(d);
	MEVENT ev;

	(void)state;
	widget_set_focus(w, true);
	assert_int_equal(wdag_selected(d), id[0]);
	widget_draw(w, false);
	assert_true(wt_attr(stdscr, 0, 3) & A_REVERSE);
	assert_true(widget_key(w, 'l') & W_MOVED);
	assert_int_equal(wdag_selected(d), id[1]);
	widget_key(w, 'j');
	assert_int_equal(wdag_selected(d), id[2]);
	assert_int_equal(widget_key(w, 'j'), W_HANDLED);	/* last in layer */
	widget_key(w, 'k');
	assert_int_equal(wdag_selected(d), id[1]);
	widget_key(w, WK_RIGHT);
	assert_int_equal(wdag_selected(d), id[3]);
	widget_key(w, 'l');
	assert_int_equal(wdag_selected(d), id[4]);
	widget_key(w, 'h');
	assert_int_equal(wdag_selected(d), id[3]);
	widget_key(w, 'g');
	assert_int_equal(wdag_selected(d), id[0]);
	widget_key(w, 'G');
	assert_int_equal(wdag_selected(d), id[4]);
	assert_true(widget_key(w, '\n') & W_ACTIVATE);
	assert_int_equal(widget_key(w, 'z'), 0);
	widget_draw(w, false);
	assert_false(wt_attr(stdscr, 0, 3) & A_REVERSE);
	ev = wt_mouse(2, 20, BUTTON1_CLICKED);
	assert_true(widget_mouse(w, &ev) & W_MOVED);
	assert_int_equal(wdag_selected(d), id[2]);
	ev = wt_mouse(0, 2, BUTTON1_DOUBLE_CLICKED);
	assert_true(widget_mouse(w, &ev) & W_ACTIVATE);
	assert_int_equal(wdag_selected(d), id[0]);
	widget_free(w);
}

static void
test_cycle_and_hostile(void **state)
{
	struct wdag *d = wdag_new(stdscr, 0, 0, 12, 70);
	int a, b, c;

	(void)state;
	a = wdag_add_node(d, "a\x1b]0;pwn\x07", NULL, WR_NORMAL);
	b = wdag_add_node(d, "b", "", WR_NORMAL);
	c = wdag_add_node(d, "c\xe2\x80\xae", NULL, WR_NORMAL);
	wdag_add_edge(d, c, a);
	wdag_add_edge(d, a, b);
	wdag_add_edge(d, b, a);		/* a cycle: must not hang */
	widget_draw(wdag_widget(d), false);
	assert_int_equal(wdag_layer(d, c), 0);
	/* a and b are on the cycle: both in one last layer */
	assert_int_equal(wdag_layer(d, a), 2);
	assert_int_equal(wdag_layer(d, b), 2);
	assert_true(wt_screen_clean(stdscr));
	assert_true(wt_find(stdscr, "[a^[]0;pwn^G]"));
	assert_true(wt_find(stdscr, "[c<U+202E>]"));
	wdag_clear(d);
	assert_int_equal(wdag_count(d), 0);
	assert_int_equal(wdag_selected(d), -1);
	widget_draw(wdag_widget(d), false);
	assert_string_equal(wt_rowt(stdscr, 0), "");
	assert_int_equal(widget_key(wdag_widget(d), 'j'), 0);
	widget_free(wdag_widget(d));
}

static void
test_scrolls_to_selection(void **state)
{
	struct wdag *d = wdag_new(stdscr, 0, 0, 3, 30);
	char name[32];
	int i, prev = -1, id = -1;

	(void)state;
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "stage%d", i);
		id = wdag_add_node(d, name, NULL, WR_NORMAL);
		if (prev >= 0)
			wdag_add_edge(d, prev, id);
		prev = id;
	}
	widget_draw(wdag_widget(d), false);
	assert_true(strncmp(wt_row(stdscr, 0), "[stage0]", 8) == 0);
	wdag_select(d, id);
	widget_draw(wdag_widget(d), false);
	/* the last stage ends at the widget's right edge */
	assert_true(strstr(wt_row(stdscr, 0), "[stage9]") != NULL);
	assert_int_equal(wt_cp(stdscr, 0, 29), ']');
	assert_int_equal(wt_cp(stdscr, 0, 30), ' ');	/* nothing outside */
	widget_free(wdag_widget(d));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout_and_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_and_mouse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle_and_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scrolls_to_selection, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
