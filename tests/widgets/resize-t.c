/* resize-t.c - every widget at every small size: no crash, nothing painted outside its rectangle, ASCII on dumb terminals. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "widgets/chart.h"
#include "widgets/dag.h"
#include "widgets/dialog.h"
#include "widgets/help.h"
#include "widgets/hist.h"
#include "widgets/input.h"
#include "widgets/status.h"
#include "widgets/table.h"
#include "widgets/tabs.h"
#include "widgets/textview.h"
#include "widgets/theme.h"
#include "wtest.h"

#define ROWS 14
#define COLS 40

static double ys[50], ref[7] = { 1, 3, 5, 7, 5, 3, 1 }, cur[7] = { 0, 1, 2, 3, 6, 9, 4 };

static size_t
t_count(void *p)
{
	(void)p;
	return 1000;
}

static void
t_cell(void *p, size_t row, int col, struct wcell *out)
{
	(void)p;
	snprintf(out->buf, sizeof out->buf, col == 1 ?
	    "\xe4\xb8\xad\xe6\x96\x87 long name %zu \x1b[2J" : "%zu", row);
	out->text = out->buf;
}

static const struct wcolumn cols[] = {
	{ "ID", 5, 0, 0, WCOL_RIGHT }, { "NAME", 0, 4, 1, 0 },
	{ "VALUE", 8, 0, 0, WCOL_RIGHT },
};

/* Builds one widget of each kind, all at (1, 1, 1, 1) for now. */
static int
make_all(struct widget **w)
{
	struct wtable *t = wtable_new(stdscr, 1, 1, 1, 1, WTABLE_MULTI);
	struct wtable_source src = { t_count, t_cell, NULL, NULL, NULL };
	struct wtext *tv = wtext_new(stdscr, 1, 1, 1, 1);
	struct wchart *ch = wchart_new(stdscr, 1, 1, 1, 1);
	struct whist *hg = whist_new(stdscr, 1, 1, 1, 1);
	struct winput *in = winput_new(stdscr, 1, 1, 1, "filter: ");
	struct wtabs *tb = wtabs_new(stdscr, 1, 1, 1);
	struct wstatus *st = wstatus_new(stdscr, 1, 1, 1);
	struct wdialog *dl = wdialog_new(stdscr, 1, 1, 1, 1, "quit?",
	    "Really quit plumb while a pipeline runs?", false);
	struct whelp *hp = whelp_new(stdscr, 1, 1, 1, 1, "help");
	struct wdag *dg = wdag_new(stdscr, 1, 1, 1, 1);
	static const struct whint hints[] = { { "q", "quit" }, { "?", "help" } };
	int i;

	wtable_set_source(t, &src);
	wtable_set_columns(t, cols, 3);
	wtable_set_sort(t, 2, true);
	wtable_set_frozen(t, 1);
	for (i = 0; i < 30; i++)
		wtext_add_line(tv, "a log line that is long enough to wrap \xe4\xb8\xad\xe6\x96\x87 twice\x1b]0;x\x07");
	wchart_add_series(ch, "a", NULL, ys, 50, -1);
	wchart_add_series(ch, "b", NULL, ref, 7, -1);
	whist_set(hg, ref, cur, 7);
	whist_set_labels(hg, "0", "1k");
	winput_set_text(in, "metrics.auc > 0.8 and params.model = 'gbm'");
	widget_set_focus(winput_widget(in), true);
	wtabs_add(tb, "runs");
	wtabs_add(tb, "compare \xe4\xb8\xad");
	wstatus_set_hints(st, hints, 2);
	wstatus_message(st, WSTATUS_ERROR, "bad filter");
	wstatus_set_right(st, "1 of 9");
	for (i = 0; i < 20; i++)
		whelp_add(hp, i % 5 ? "C-d" : NULL, "half a page down");
	w[0] = wtable_widget(t);
	w[1] = wtext_widget(tv);
	w[2] = wchart_widget(ch);
	w[3] = whist_widget(hg);
	w[4] = winput_widget(in);
	w[5] = wtabs_widget(tb);
	w[6] = wstatus_widget(st);
	w[7] = wdialog_widget(dl);
	w[8] = whelp_widget(hp);
	for (i = 0; i < 6; i++)
		wdag_add_node(dg, i == 2 ? "a long stage name" : "st", "\xe2\x9c\x93",
		    WR_OK);
	wdag_add_edge(dg, 0, 1);
	wdag_add_edge(dg, 0, 2);
	wdag_add_edge(dg, 1, 3);
	wdag_add_edge(dg, 2, 3);
	wdag_add_edge(dg, 0, 5);
	wdag_add_edge(dg, 3, 4);
	wdag_select(dg, 4);
	w[9] = wdag_widget(dg);
	return 10;
}

/* Draws each widget at every size up to ROWS-2 x COLS-2 over a screen of
 * dots and checks that no cell outside its rectangle changed. */
static void
sweep(bool ascii_only)
{
	struct widget *w[10];
	int n = make_all(w), i, h, wd, y, x;

	for (i = 0; i < n; i++) {
		for (h = 0; h <= ROWS - 2; h++) {
			for (wd = 0; wd <= COLS - 2; wd++) {
				for (y = 0; y < ROWS; y++)
					mvwhline(stdscr, y, 0, '.', COLS);
				widget_place(w[i], stdscr, 1, 1, h, wd);
				widget_key(w[i], 'G');
				widget_key(w[i], 'l');
				widget_draw(w[i], false);
				for (y = 0; y < ROWS; y++) {
					for (x = 0; x < COLS; x++) {
						bool in = y >= 1 && y < 1 + h &&
						    x >= 1 && x < 1 + wd;
						unsigned c = wt_cp(stdscr, y, x);

						if (!in && c != '.') {
							print_error("%s %dx%d: "
							    "painted (%d,%d)\n",
							    w[i]->ops->name, h,
							    wd, y, x);
							wt_dump(stdscr);
							fail();
						}
						if (ascii_only && c >= 0x80) {
							print_error("%s %dx%d: "
							    "U+%04X at (%d,%d)\n",
							    w[i]->ops->name, h,
							    wd, c, y, x);
							fail();
						}
					}
				}
				assert_true(wt_screen_clean(stdscr));
			}
		}
	}
	for (i = 0; i < n; i++)
		widget_free(w[i]);
}

static void
test_sizes_utf8(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 50; i++)
		ys[i] = sin(i / 5.0) * 1000;
	wt_start(ROWS, COLS, true, "xterm-256color");
	wtheme_init(WTHEME_256);
	sweep(false);
	wt_end();
}

static void
test_sizes_ascii_dumb(void **state)
{
	(void)state;
	wt_start(ROWS, COLS, false, "dumb");
	wtheme_init(WTHEME_AUTO);
	sweep(true);
	wt_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_utf8),
		cmocka_unit_test(test_sizes_ascii_dumb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
