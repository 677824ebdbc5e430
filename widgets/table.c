/* table.c - virtual table widget: column layout, cursor and scrolling, marks, search. */
#include "config.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "theme.h"

struct wtable {
	struct widget base;
	unsigned flags;
	struct wtable_source src;
	bool has_src;
	struct wcolumn *cols;
	int ncols;
	int frozen;
	int first;		/* first scrolled column (>= frozen) */
	int sort_col;
	bool sort_desc;
	char *empty;
	size_t cursor, top;
	size_t count;		/* as of the last paint or key */
	int clicked;
	uint64_t *marks;	/* sorted ids */
	size_t nmarks, capmarks;
	char *needle;
	bool search_failed;
	bool more_right;	/* some column is cut or hidden on the right */
	int *widths;
	bool fit_dirty;		/* WCOL_FIT wants to measure again */
};

static void tbl_draw(struct widget *);
static unsigned tbl_key(struct widget *, int);
static unsigned tbl_mouse(struct widget *, const MEVENT *);
static void tbl_destroy(struct widget *);

static const struct widget_ops wtable_ops = {
	.name = "table",
	.draw = tbl_draw,
	.key = tbl_key,
	.mouse = tbl_mouse,
	.destroy = tbl_destroy,
};

struct wtable *
wtable_new(WINDOW *win, int y, int x, int h, int w, unsigned flags)
{
	struct wtable *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	widget_init(&t->base, &wtable_ops, win, y, x, h, w);
	t->flags = flags;
	t->sort_col = -1;
	t->clicked = -1;
	return t;
}

struct widget *
wtable_widget(struct wtable *t)
{
	return &t->base;
}

static void
free_cols(struct wtable *t)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		free((char *)t->cols[i].title);
	free(t->cols);
	free(t->widths);
	t->cols = NULL;
	t->widths = NULL;
	t->ncols = 0;
}

static void
tbl_destroy(struct widget *w)
{
	struct wtable *t = (struct wtable *)w;

	free_cols(t);
	free(t->empty);
	free(t->marks);
	free(t->needle);
	free(t);
}

void
wtable_set_source(struct wtable *t, const struct wtable_source *src)
{
	t->src = *src;
	t->has_src = src->count != NULL && src->cell != NULL;
	t->base.dirty = true;
	t->fit_dirty = true;
}

void
wtable_source_changed(struct wtable *t)
{
	t->base.dirty = true;
	t->fit_dirty = true;
}

int
wtable_set_columns(struct wtable *t, const struct wcolumn *cols, int n)
{
	int i;

	free_cols(t);
	if (n <= 0)
		return 0;
	t->cols = calloc((size_t)n, sizeof *t->cols);
	t->widths = calloc((size_t)n, sizeof *t->widths);
	if (t->cols == NULL || t->widths == NULL) {
		free(t->cols);
		free(t->widths);
		t->cols = NULL;
		t->widths = NULL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		t->cols[i] = cols[i];
		t->cols[i].title = strdup(cols[i].title ? cols[i].title : "");
		if (t->cols[i].title == NULL) {
			t->ncols = i;
			free_cols(t);
			return -1;
		}
	}
	t->ncols = n;
	t->fit_dirty = true;
	if (t->frozen > n)
		t->frozen = n;
	if (t->first < t->frozen || t->first >= n)
		t->first = t->frozen;
	t->base.dirty = true;
	return 0;
}

void
wtable_set_frozen(struct wtable *t, int n)
{
	t->frozen = n < 0 ? 0 : n;
	if (t->first < t->frozen)
		t->first = t->frozen;
	t->base.dirty = true;
}

void
wtable_set_sort(struct wtable *t, int col, bool descending)
{
	t->sort_col = col;
	t->sort_desc = descending;
	t->base.dirty = true;
}

void
wtable_set_empty_text(struct wtable *t, const char *text)
{
	free(t->empty);
	t->empty = text ? strdup(text) : NULL;
	t->base.dirty = true;
}

size_t
wtable_cursor(const struct wtable *t)
{
	return t->cursor;
}

size_t
wtable_top(const struct wtable *t)
{
	return t->top;
}

int
wtable_clicked_column(const struct wtable *t)
{
	return t->clicked;
}

int
wtable_first_column(const struct wtable *t)
{
	return t->first;
}

static size_t
row_count(struct wtable *t)
{
	t->count = t->has_src ? t->src.count(t->src.payload) : 0;
	return t->count;
}

static int
body_rows(const struct wtable *t)
{
	int h = t->base.h - ((t->flags & WTABLE_NOHEADER) ? 0 : 1);

	return h < 1 ? 1 : h;
}

/* Keeps cursor inside [0, count) and on screen, moving top minimally. */
static void
clamp(struct wtable *t)
{
	size_t rows = (size_t)body_rows(t);

	if (t->count == 0) {
		t->cursor = t->top = 0;
		return;
	}
	if (t->cursor >= t->count)
		t->cursor = t->count - 1;
	if (t->top > t->cursor)
		t->top = t->cursor;
	if (t->cursor >= t->top + rows)
		t->top = t->cursor - rows + 1;
	/* Don't leave blank rows at the bottom when rows could fill them. */
	if (t->count >= rows && t->top > t->count - rows)
		t->top = t->count - rows;
}

void
wtable_set_cursor(struct wtable *t, size_t row)
{
	t->cursor = row;
	row_count(t);
	clamp(t);
	t->base.dirty = true;
}

int
wtable_layout(const struct wcolumn *cols, int n, int avail, int *widths)
{
	int i, total = 0, spare, flexsum = 0, given;

	for (i = 0; i < n; i++) {
		int tw = (int)wstr_width(cols[i].title ? cols[i].title : "");

		if (cols[i].width > 0)
			widths[i] = cols[i].width;
		else
			widths[i] = cols[i].min > tw ? cols[i].min : tw;
		if (cols[i].flex > 0) {
			flexsum += cols[i].flex;
			if (widths[i] < cols[i].min)
				widths[i] = cols[i].min;
		}
		total += widths[i] + (i > 0);
	}
	spare = avail - total;
	/* First the columns below their content's width, all of them when
	 * there is room, else in proportion to what each misses. */
	if (spare > 0) {
		long deficit = 0;

		for (i = 0; i < n; i++)
			if (cols[i].want > widths[i])
				deficit += cols[i].want - widths[i];
		given = 0;
		for (i = 0; i < n && deficit > 0; i++) {
			int miss = cols[i].want - widths[i], add;

			if (miss <= 0)
				continue;
			add = deficit <= spare ? miss :
			    (int)((long)spare * miss / deficit);
			widths[i] += add;
			given += add;
		}
		/* Rounding leftovers go to the first column still short. */
		for (i = 0; i < n && deficit > spare && given < spare; i++) {
			if (cols[i].want > widths[i]) {
				widths[i] += spare - given;
				given = spare;
			}
		}
		total += given;
		spare -= given;
	}
	if (spare > 0 && flexsum > 0) {
		given = 0;
		for (i = 0; i < n; i++) {
			int add;

			if (cols[i].flex <= 0)
				continue;
			add = (int)((long)spare * cols[i].flex / flexsum);
			widths[i] += add;
			given += add;
		}
		/* Rounding leftovers go to the last flex column. */
		for (i = n - 1; i >= 0 && given < spare; i--) {
			if (cols[i].flex > 0) {
				widths[i] += spare - given;
				break;
			}
		}
		total = avail;
	}
	return total;
}

/* Marks: a sorted array of row ids, so memory follows the number of
 * marks, not of rows, and marks survive re-sorting when row_id exists. */
static uint64_t
row_id(const struct wtable *t, size_t row)
{
	if (t->has_src && t->src.row_id != NULL)
		return t->src.row_id(t->src.payload, row);
	return (uint64_t)row;
}

static size_t
mark_pos(const struct wtable *t, uint64_t id, bool *found)
{
	size_t lo = 0, hi = t->nmarks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->marks[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->nmarks && t->marks[lo] == id;
	return lo;
}

bool
wtable_is_marked(const struct wtable *t, size_t row)
{
	bool found;

	if (t->nmarks == 0)
		return false;
	mark_pos(t, row_id(t, row), &found);
	return found;
}

void
wtable_toggle_mark(struct wtable *t, size_t row)
{
	uint64_t id = row_id(t, row);
	bool found;
	size_t pos = mark_pos(t, id, &found);

	if (found) {
		memmove(t->marks + pos, t->marks + pos + 1,
		    (t->nmarks - pos - 1) * sizeof *t->marks);
		t->nmarks--;
	} else {
		if (t->nmarks == t->capmarks) {
			size_t cap = t->capmarks ? t->capmarks * 2 : 16;
			uint64_t *m = realloc(t->marks, cap * sizeof *m);

			if (m == NULL)
				return;
			t->marks = m;
			t->capmarks = cap;
		}
		memmove(t->marks + pos + 1, t->marks + pos,
		    (t->nmarks - pos) * sizeof *t->marks);
		t->marks[pos] = id;
		t->nmarks++;
	}
	t->base.dirty = true;
}

void
wtable_clear_marks(struct wtable *t)
{
	t->nmarks = 0;
	t->base.dirty = true;
}

const uint64_t *
wtable_marks(const struct wtable *t, size_t *n)
{
	*n = t->nmarks;
	return t->marks;
}

int
wtable_search(struct wtable *t, const char *needle, int dir, bool from_cursor)
{
	size_t i, row, n;

	if (needle != t->needle) {
		char *copy = strdup(needle ? needle : "");

		if (copy == NULL)
			return 0;
		free(t->needle);
		t->needle = copy;
	}
	n = row_count(t);
	t->search_failed = true;
	if (n == 0 || t->src.match == NULL || t->needle[0] == '\0')
		return 0;
	dir = dir < 0 ? -1 : 1;
	for (i = from_cursor ? 0 : 1; i <= n; i++) {
		if (dir > 0)
			row = (t->cursor + i) % n;
		else
			row = (t->cursor + n - i % n) % n;
		if (t->src.match(t->src.payload, row, t->needle)) {
			t->search_failed = false;
			t->cursor = row;
			clamp(t);
			t->base.dirty = true;
			return 1;
		}
	}
	return 0;
}

bool
wtable_search_failed(const struct wtable *t)
{
	return t->search_failed;
}

/* ---- painting ------------------------------------------------------ */

static int
gutter(const struct wtable *t)
{
	return (t->flags & WTABLE_MULTI) ? 1 : 0;
}

/*
 * Calls fn for each visible column with its x offset and painted width:
 * frozen columns first, then columns from t->first while they fit; the
 * last one may be cut.  Sets more_right when a column is hidden or cut.
 */
struct colpos {
	int col, x, w;
};

/* WCOL_FIT: want = the widest of the title and the first rows' cells
 * (sanitized width, as painted). */
static void
measure_fit(struct wtable *t)
{
	struct wcell cell;
	size_t rows = t->count < WTABLE_FIT_ROWS ? t->count : WTABLE_FIT_ROWS;

	t->fit_dirty = false;
	for (int i = 0; i < t->ncols; i++) {
		struct wcolumn *c = &t->cols[i];
		size_t want;

		if (!(c->flags & WCOL_FIT))
			continue;
		want = wsan_width(c->title);
		for (size_t row = 0; row < rows; row++) {
			size_t cw;

			memset(&cell, 0, sizeof cell);
			cell.role = -1;
			t->src.cell(t->src.payload, row, i, &cell);
			if (cell.text && (cw = wsan_width(cell.text)) > want)
				want = cw;
		}
		c->want = want > 4096 ? 4096 : (int)want;
	}
}

static int
visible_columns(struct wtable *t, struct colpos *out)
{
	int avail = t->base.w - gutter(t), x = 0, n = 0, i;

	wtable_layout(t->cols, t->ncols, avail, t->widths);
	t->more_right = false;
	for (i = 0; i < t->ncols; i++) {
		int w;

		if (i >= t->frozen && i < t->first)
			continue;
		if (x >= avail) {
			t->more_right = true;
			break;
		}
		w = t->widths[i];
		if (x + w > avail) {
			w = avail - x;
			t->more_right = true;
		}
		out[n].col = i;
		out[n].x = x;
		out[n].w = w;
		n++;
		x += w + 1;
	}
	return n;
}

static void
draw_header(struct wtable *t, const struct colpos *cp, int n)
{
	WINDOW *win = t->base.win;
	attr_t a = wtheme_attr(WR_HEADER);
	int y = t->base.y, x0 = t->base.x + gutter(t), i;
	bool utf8 = widgets_utf8();

	wfill(win, y, t->base.x, t->base.w, " ", a);
	for (i = 0; i < n; i++) {
		const struct wcolumn *c = &t->cols[cp[i].col];
		unsigned fl = WPUT_ELIDE | WPUT_PAD |
		    ((c->flags & WCOL_RIGHT) ? WPUT_RIGHT : 0);
		int w = cp[i].w;

		if (cp[i].col == t->sort_col && w >= 3) {
			const char *arrow = t->sort_desc ?
			    (utf8 ? "\xe2\x96\xbc" : "v") :
			    (utf8 ? "\xe2\x96\xb2" : "^");
			int tw = (int)wstr_width(c->title);

			if (tw > w - 2)
				tw = w - 2;
			if (c->flags & WCOL_RIGHT) {
				wput(win, y, x0 + cp[i].x, w - 2, c->title, a,
				    fl);
			} else {
				wput(win, y, x0 + cp[i].x, tw, c->title, a,
				    WPUT_ELIDE);
				wfill(win, y, x0 + cp[i].x + tw, 1, " ", a);
				wput(win, y, x0 + cp[i].x + tw + 1, 1, arrow, a,
				    WPUT_TRUSTED);
				continue;
			}
			wfill(win, y, x0 + cp[i].x + w - 2, 1, " ", a);
			wput(win, y, x0 + cp[i].x + w - 1, 1, arrow, a,
			    WPUT_TRUSTED);
		} else {
			wput(win, y, x0 + cp[i].x, w, c->title, a, fl);
		}
	}
	if (t->more_right && t->base.w >= 1)
		wput(win, y, t->base.x + t->base.w - 1, 1,
		    utf8 ? "\xe2\x80\xba" : ">", a, WPUT_TRUSTED);
	if (t->first > t->frozen && t->base.w >= 1 && gutter(t))
		wput(win, y, t->base.x, 1, "<", a, WPUT_TRUSTED);
}

static void
tbl_draw(struct widget *w)
{
	struct wtable *t = (struct wtable *)w;
	struct colpos *cp;
	struct wcell cell;
	int n, r, i, rows, y0, x0;

	row_count(t);
	clamp(t);
	if (t->fit_dirty && t->has_src)
		measure_fit(t);
	cp = calloc((size_t)(t->ncols + 1), sizeof *cp);
	if (cp == NULL)
		return;
	n = visible_columns(t, cp);
	y0 = w->y;
	if (!(t->flags & WTABLE_NOHEADER)) {
		draw_header(t, cp, n);
		y0++;
	}
	rows = w->h - (y0 - w->y);
	x0 = w->x + gutter(t);
	for (r = 0; r < rows; r++) {
		size_t row = t->top + (size_t)r;
		attr_t ra;
		bool marked;

		if (row >= t->count) {
			wfill(w->win, y0 + r, w->x, w->w, " ",
			    wtheme_attr(WR_NORMAL));
			if (t->count == 0 && r == 0 && t->empty != NULL)
				wput(w->win, y0, x0, w->w - gutter(t), t->empty,
				    wtheme_attr(WR_DIM), WPUT_ELIDE);
			continue;
		}
		marked = wtable_is_marked(t, row);
		if (row == t->cursor)
			ra = wtheme_attr(w->focused ? WR_CURSOR :
			    WR_CURSOR_IDLE);
		else if (marked)
			ra = wtheme_attr(WR_MARKED);
		else
			ra = wtheme_attr(WR_NORMAL);
		wfill(w->win, y0 + r, w->x, w->w, " ", ra);
		if (gutter(t) && marked)
			wput(w->win, y0 + r, w->x, 1, "*", ra | A_BOLD,
			    WPUT_TRUSTED);
		for (i = 0; i < n; i++) {
			const struct wcolumn *c = &t->cols[cp[i].col];
			attr_t a = ra;

			memset(&cell, 0, sizeof cell);
			cell.role = -1;
			t->src.cell(t->src.payload, row, cp[i].col, &cell);
			if (cell.role >= 0 && row != t->cursor)
				a = wtheme_attr((enum wrole)cell.role);
			a |= cell.attr;
			wput(w->win, y0 + r, x0 + cp[i].x, cp[i].w, cell.text, a,
			    WPUT_ELIDE | WPUT_PAD |
			    ((c->flags & WCOL_RIGHT) ? WPUT_RIGHT : 0));
		}
	}
	free(cp);
}

/* ---- keys and mouse ------------------------------------------------ */

static unsigned
move_to(struct wtable *t, size_t row)
{
	size_t old = t->cursor;

	t->cursor = row;
	clamp(t);
	if (t->cursor == old)
		return W_HANDLED;
	return W_HANDLED | W_REDRAW | W_MOVED;
}

static unsigned
move_by(struct wtable *t, long delta)
{
	size_t row;

	if (t->count == 0)
		return W_HANDLED;
	if (delta < 0 && (size_t)-delta > t->cursor)
		row = 0;
	else
		row = t->cursor + (size_t)delta;
	if (row >= t->count)
		row = t->count - 1;
	return move_to(t, row);
}

static unsigned
tbl_key(struct widget *w, int key)
{
	struct wtable *t = (struct wtable *)w;
	long page = body_rows(t);
	unsigned r;

	row_count(t);
	clamp(t);
	switch (key) {
	case WK_UP:
	case 'k':
		return move_by(t, -1);
	case WK_DOWN:
	case 'j':
		return move_by(t, 1);
	case WK_HOME:
	case 'g':
		return move_to(t, 0);
	case WK_END:
	case 'G':
		return move_to(t, t->count ? t->count - 1 : 0);
	case WK_PPAGE:
	case WK_CTRL('b'):
		return move_by(t, -page);
	case WK_NPAGE:
	case WK_CTRL('f'):
		return move_by(t, page);
	case WK_CTRL('u'):
		return move_by(t, -(page / 2 > 0 ? page / 2 : 1));
	case WK_CTRL('d'):
		return move_by(t, page / 2 > 0 ? page / 2 : 1);
	case WK_LEFT:
	case 'h':
		if (t->first > t->frozen) {
			t->first--;
			return W_HANDLED | W_REDRAW;
		}
		return W_HANDLED;
	case WK_RIGHT:
	case 'l': {
		struct colpos *cp = calloc((size_t)t->ncols + 1, sizeof *cp);

		if (cp == NULL)
			return W_HANDLED;
		visible_columns(t, cp);
		free(cp);
		if (t->more_right && t->first < t->ncols - 1) {
			t->first++;
			return W_HANDLED | W_REDRAW;
		}
		return W_HANDLED;
	}
	case ' ':
		if (!(t->flags & WTABLE_MULTI) || t->count == 0)
			return 0;
		wtable_toggle_mark(t, t->cursor);
		r = move_by(t, 1);
		return r | W_REDRAW | W_SELECT;
	case 'n':
	case 'N':
		if (t->needle == NULL)
			return 0;
		r = wtable_search(t, t->needle, key == 'n' ? 1 : -1, false);
		return W_HANDLED | W_REDRAW | (r ? W_MOVED : 0);
	default:
		if (wkey_is_enter(key))
			return t->count ? W_HANDLED | W_ACTIVATE : W_HANDLED;
		return 0;
	}
}

static unsigned
tbl_mouse(struct widget *w, const MEVENT *ev)
{
	struct wtable *t = (struct wtable *)w;
	int row, col, hdr = (t->flags & WTABLE_NOHEADER) ? 0 : 1;
	size_t rows = (size_t)body_rows(t);

	if (!widget_hit(w, ev, &row, &col))
		return 0;
	row_count(t);
	clamp(t);
#ifdef BUTTON5_PRESSED
	if (ev->bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		/* Wheel: scroll the view 3 rows, drag the cursor along. */
		if (ev->bstate & BUTTON4_PRESSED)
			t->top = t->top > 3 ? t->top - 3 : 0;
		else if (t->count > rows)
			t->top = t->top + 3 > t->count - rows ?
			    t->count - rows : t->top + 3;
		if (t->cursor < t->top)
			t->cursor = t->top;
		if (t->cursor >= t->top + rows)
			t->cursor = t->top + rows - 1;
		clamp(t);
		return W_HANDLED | W_REDRAW | W_MOVED;
	}
#endif
	if (row < hdr) {
		struct colpos *cp = calloc((size_t)t->ncols + 1, sizeof *cp);
		int n, i;

		if (cp == NULL)
			return W_HANDLED;
		n = visible_columns(t, cp);
		t->clicked = -1;
		for (i = 0; i < n; i++)
			if (col - gutter(t) >= cp[i].x &&
			    col - gutter(t) < cp[i].x + cp[i].w + 1)
				t->clicked = cp[i].col;
		free(cp);
		return t->clicked >= 0 ? W_HANDLED | W_SORT : W_HANDLED;
	}
	if (t->top + (size_t)(row - hdr) >= t->count)
		return W_HANDLED;
	move_to(t, t->top + (size_t)(row - hdr));
	if (ev->bstate & BUTTON1_DOUBLE_CLICKED)
		return W_HANDLED | W_REDRAW | W_MOVED | W_ACTIVATE;
	return W_HANDLED | W_REDRAW | W_MOVED;
}
