/* screen-runs.c - the home screen: every run in a virtual table, filtered, sorted, marked for compare, live. */
#include "config.h"
#include "tui.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "table.h"
#include "theme.h"
#include "xalloc.h"

/*
 * The table asks for visible cells only; each asks this screen's row
 * cache, which reads a run (pl_runlist_row) and each of its metric and
 * param cells (pl_runlist_metric/param) the first time they are shown.
 * So the screen costs the same for 50 runs and 100,000: the list itself
 * is 8 bytes a run.  A change in the store (another process) drops the
 * cache; the list is queried again only when runs appeared, disappeared
 * or changed status, because re-running a filter over 100k runs each
 * second while a run logs metrics would not be idle.
 */

enum colkind { K_ST, K_ID, K_NAME, K_EXP, K_USER, K_START, K_DUR,
	K_METRIC, K_PARAM };

struct col {
	enum colkind kind;
	char *key;		/* metric/param key */
	char *title;
};

#define CACHE 256		/* rows kept, direct-mapped by index */
#define MAX_KEYS 24		/* metric + param columns at most */
#define MAX_MARKS 64

struct rowc {
	size_t idx;
	uint64_t gen;		/* valid when == runs->gen */
	char id[PL_ID_LEN + 1];
	pl_run_status status;
	int64_t start, end;
	char *name, *exp, *user;
	char **vals;		/* per key column; loaded[] says if read */
	unsigned char *loaded;
	/* running rows: read fresh from the run, not the list's window */
	pl_metric_summary *ms;
	size_t nms;
	pl_kvlist *params;
	bool live_loaded;
};

struct runs {
	struct screen base;
	struct wtable *table;
	pl_runlist *list;
	char *filter;
	char *experiment;	/* NULL: all */
	struct col *cols;
	int ncols, nbase;
	int sort_col;
	bool desc;
	struct rowc cache[CACHE];
	uint64_t gen;
	int64_t total, running;	/* over the whole store */
	char marks[MAX_MARKS][PL_ID_LEN + 1];
	size_t nmarks;
	char *find;
	int box_h;
	bool partial;		/* list holds only the first rows so far */
	bool defer_rows;	/* a new order: paint rows not yet read as
				 * "…" and read them when no key waits */
	int64_t since_ms;	/* live refresh: runs started after this */
	uint64_t fp;		/* fingerprint() when last listed */
	char *remembered;	/* :columns spec for this store, or NULL */
};

/* The status bar: requests, their keys looked up in the keymap. */
static const struct hint_spec runs_hints[] = {
	{ REQ_MOVE_DOWN, "move" }, { REQ_ENTER, "open" },
	{ REQ_SELECT, "mark" }, { REQ_VIEW_COMPARE, "compare" },
	{ REQ_FIND, "search" }, { REQ_FILTER, "filter" },
	{ REQ_SORT_NEXT, "sort" }, { REQ_SORT_REVERSE, "reverse" },
	{ REQ_EXPERIMENT, "experiment" }, { REQ_YANK, "copy id" },
	{ REQ_EXPORT, "export" }, { REQ_VIEW_PIPELINE, "pipeline" },
	{ REQ_VIEW_MODELS, "models" }, { REQ_COMMAND, "command" },
	{ REQ_HELP, "help" }, { REQ_QUIT, "quit" },
};

/* ---- columns ----------------------------------------------------------- */

static void
free_cols(struct runs *r)
{
	for (int i = 0; i < r->ncols; i++) {
		free(r->cols[i].key);
		free(r->cols[i].title);
	}
	free(r->cols);
	r->cols = NULL;
	r->ncols = 0;
}

static void
drop_cache(struct runs *r)
{
	for (int i = 0; i < CACHE; i++) {
		struct rowc *c = &r->cache[i];

		free(c->name);
		free(c->exp);
		free(c->user);
		if (c->vals) {
			for (int k = 0; k < r->ncols; k++)
				free(c->vals[k]);
		}
		free(c->vals);
		free(c->loaded);
		pl_metric_summary_free(c->ms, c->nms);
		pl_kvlist_free(c->params);
		memset(c, 0, sizeof *c);
	}
	r->gen++;
}

static void
add_col(struct runs *r, enum colkind kind, const char *key, const char *title)
{
	r->cols = xreallocarray(r->cols, (size_t)r->ncols + 1, sizeof *r->cols);
	r->cols[r->ncols].kind = kind;
	r->cols[r->ncols].key = key ? xstrdup(key) : NULL;
	r->cols[r->ncols].title = xstrdup(title);
	r->ncols++;
}

/* The sort key of column i for pl_query.sort (without the sign). */
static char *
sort_key(const struct runs *r, int i)
{
	const struct col *c = &r->cols[i];

	switch (c->kind) {
	case K_ST: return xstrdup("status");
	case K_ID: return xstrdup("run_id");
	case K_NAME: return xstrdup("run_name");
	case K_EXP: return xstrdup("experiment");
	case K_USER: return xstrdup("user");
	case K_START: return xstrdup("start_time");
	case K_DUR: return xstrdup("duration");
	case K_METRIC: return xasprintf("metrics.`%s`", c->key);
	case K_PARAM: return xasprintf("params.`%s`", c->key);
	}
	return xstrdup("start_time");
}

static void
apply_columns(struct runs *r)
{
	struct wcolumn *wc = xcalloc((size_t)r->ncols, sizeof *wc);

	for (int i = 0; i < r->ncols; i++) {
		const struct col *c = &r->cols[i];

		wc[i].title = c->title;
		switch (c->kind) {
		case K_ST: wc[i].width = 2; break;
		case K_ID: wc[i].width = 7; break;
		case K_NAME: wc[i].min = 12; wc[i].flex = 2; break;
		case K_EXP: wc[i].min = 8; wc[i].flex = 1; break;
		case K_USER: wc[i].min = 6; break;
		case K_START: wc[i].width = 11; break;
		case K_DUR: wc[i].width = 7; wc[i].flags = WCOL_RIGHT; break;
		case K_METRIC:
			wc[i].min = 8;
			wc[i].flags = WCOL_RIGHT;
			break;
		case K_PARAM: wc[i].min = 6; break;
		}
		/* Text columns grow to their content on a wide terminal
		 * before the name and experiment take the rest. */
		if (c->kind == K_NAME || c->kind == K_EXP ||
		    c->kind == K_USER || c->kind >= K_METRIC)
			wc[i].flags |= WCOL_FIT;
		if (c->kind >= K_METRIC) {
			int tw = (int)wsan_width(c->title);

			if (wc[i].min < tw)
				wc[i].min = tw < 16 ? tw : 16;
			wc[i].width = wc[i].min;
		}
	}
	wtable_set_columns(r->table, wc, r->ncols);
	wtable_set_frozen(r->table, 3);
	wtable_set_sort(r->table, r->sort_col, r->desc);
	free(wc);
}

static int query(struct runs *r, const char *filter);

/* Appends the key columns of a spec ("metrics.loss,params.lr,auc"; a
 * bare key is a metric). */
static void
add_spec_columns(struct runs *r, const char *spec)
{
	char *copy = xstrdup(spec), *save = NULL, *tok;

	for (tok = strtok_r(copy, ", ", &save); tok;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (strncmp(tok, "metrics.", 8) == 0)
			add_col(r, K_METRIC, tok + 8, tok + 8);
		else if (strncmp(tok, "metric.", 7) == 0)
			add_col(r, K_METRIC, tok + 7, tok + 7);
		else if (strncmp(tok, "params.", 7) == 0)
			add_col(r, K_PARAM, tok + 7, tok + 7);
		else if (strncmp(tok, "param.", 6) == 0)
			add_col(r, K_PARAM, tok + 6, tok + 6);
		else
			add_col(r, K_METRIC, tok, tok);
	}
	free(copy);
}

/*
 * After the columns changed: the sort column is found again by its sort
 * key; when it is gone, the list goes back to newest first.
 */
static void
resort_after_columns(struct runs *r, char *old_key)
{
	int found = -1;

	for (int i = 0; old_key && i < r->ncols; i++) {
		char *sk = sort_key(r, i);

		if (strcmp(sk, old_key) == 0)
			found = i;
		free(sk);
	}
	free(old_key);
	if (found >= 0) {
		r->sort_col = found;
	} else {
		r->sort_col = 5;	/* STARTED */
		r->desc = true;
		if (r->list && query(r, r->filter) != PL_OK)
			app_error(r->base.app, "%s",
			    pl_store_errmsg(r->base.app->st));
	}
	apply_columns(r);
}

/* Base columns, then the metric and param keys the first rows use. */
static void
choose_columns(struct runs *r)
{
	pl_kvlist *keys = NULL;
	char *old = r->cols && r->sort_col < r->ncols ?
	    sort_key(r, r->sort_col) : NULL;

	drop_cache(r);
	free_cols(r);
	add_col(r, K_ST, NULL, "ST");
	add_col(r, K_ID, NULL, "RUN");
	add_col(r, K_NAME, NULL, "NAME");
	add_col(r, K_EXP, NULL, "EXPERIMENT");
	add_col(r, K_USER, NULL, "USER");
	add_col(r, K_START, NULL, "STARTED");
	add_col(r, K_DUR, NULL, "DUR");
	r->nbase = r->ncols;
	if (r->remembered) {
		add_spec_columns(r, r->remembered);
	} else if (r->list && pl_runlist_keys(&keys, r->list, 50) == PL_OK) {
		for (size_t i = 0; i < keys->n && i < MAX_KEYS; i++)
			add_col(r, strcmp(keys->items[i].value, "metric") == 0 ?
			    K_METRIC : K_PARAM, keys->items[i].key,
			    keys->items[i].key);
	}
	pl_kvlist_free(keys);
	resort_after_columns(r, old);
}

/* ---- the query --------------------------------------------------------- */

static void
count_runs(struct runs *r)
{
	pl_experiment *e = NULL;
	size_t n = 0;

	r->total = r->running = 0;
	if (pl_experiments(&e, &n, r->base.app->st) != PL_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		r->total += e[i].runs;
		r->running += e[i].running;
	}
	pl_experiment_list_free(e, n);
}

/*
 * Runs the query with filter (not yet r->filter: a bad one must not
 * replace the good one).  On error returns the engine code; the message
 * and column are on the store handle.
 *
 * Listing 100k runs sorted by anything takes the engine a few hundred
 * milliseconds; a screenful takes a few.  So the first query asks for
 * FIRST_ROWS rows, the screen paints them, and the whole list is read
 * when no key is waiting (runs_idle), or at once when the user goes
 * past what is there (G, a search).  Both lists have the same order,
 * so the cursor and the row cache stay valid across the swap.
 */
#define FIRST_ROWS 128	/* a tall screen's worth: sorted by a value, each
			 * row costs a lookup of its start time (ties) */

static int
run_query(struct runs *r, const char *filter, int64_t limit)
{
	pl_query q;
	pl_runlist *l = NULL;
	char *sk = NULL, *sort = NULL;
	int rc;

	memset(&q, 0, sizeof q);
	q.experiment = r->experiment;
	q.filter = filter;
	q.limit = limit;
	if (r->cols && r->sort_col >= 0 && r->sort_col < r->ncols) {
		sk = sort_key(r, r->sort_col);
		sort = xasprintf("%s%s", r->desc ? "-" : "", sk);
		q.sort = sort;
	}
	rc = pl_runs_query(&l, r->base.app->st, &q);
	free(sk);
	free(sort);
	if (rc != PL_OK)
		return rc;
	if (limit == 0 && r->partial) {
		/* Same order, more rows: the cache stays right. */
		pl_runlist_free(r->list);
		r->list = l;
	} else {
		drop_cache(r);
		pl_runlist_free(r->list);
		r->list = l;
	}
	r->partial = limit > 0 && (int64_t)pl_runlist_count(l) >= limit;
	r->base.idle_work = r->partial;
	wtable_source_changed(r->table);
	return PL_OK;
}

static int
query(struct runs *r, const char *filter)
{
	return run_query(r, filter, FIRST_ROWS);
}

/* Reads the whole list now (the user went past the first rows). */
static void
complete(struct runs *r)
{
	if (!r->partial)
		return;
	if (run_query(r, r->filter, 0) != PL_OK)
		app_error(r->base.app, "%s", pl_store_errmsg(r->base.app->st));
	r->partial = false;
	r->base.idle_work = false;
	r->base.dirty = true;
}

static void
runs_idle(struct screen *s)
{
	struct runs *r = (struct runs *)s;

	if (r->defer_rows) {
		/* the rows of the new order's first screen (see deferred) */
		const pl_run_row *row;

		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		r->defer_rows = false;
		if (r->list && pl_runlist_count(r->list) > 0)
			(void)pl_runlist_row(&row, r->list,
			    wtable_top(r->table));
		/* paint now: the rows' values are read here, not in the
		 * next key's frame */
		widget_draw(wtable_widget(r->table), true);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (s->app->bench) {
			fprintf(s->app->bench, "rows_ms %.3f\n",
			    (t1.tv_sec - t0.tv_sec) * 1e3 +
			    (t1.tv_nsec - t0.tv_nsec) / 1e6);
			fflush(s->app->bench);
		}
		r->base.dirty = true;
		r->base.idle_work = r->partial;
		return;
	}
	complete(r);
}

/* ---- the row cache ----------------------------------------------------- */

static struct rowc *
fetch(struct runs *r, size_t idx)
{
	struct rowc *c = &r->cache[idx % CACHE];
	const pl_run_row *row;

	if (c->gen == r->gen && c->idx == idx && c->id[0])
		return c;
	free(c->name);
	free(c->exp);
	free(c->user);
	if (c->vals)
		for (int k = 0; k < r->ncols; k++)
			free(c->vals[k]);
	free(c->vals);
	free(c->loaded);
	pl_metric_summary_free(c->ms, c->nms);
	pl_kvlist_free(c->params);
	memset(c, 0, sizeof *c);
	if (r->list == NULL || pl_runlist_row(&row, r->list, idx) != PL_OK)
		return NULL;
	c->idx = idx;
	c->gen = r->gen;
	memcpy(c->id, row->id, sizeof c->id);
	c->status = row->status;
	c->start = row->start_ms;
	c->end = row->end_ms;
	c->name = row->name ? xstrdup(row->name) : NULL;
	c->exp = xstrdup(row->experiment ? row->experiment : "");
	c->user = row->user ? xstrdup(row->user) : NULL;
	c->vals = xcalloc((size_t)r->ncols, sizeof *c->vals);
	c->loaded = xcalloc((size_t)r->ncols, 1);
	return c;
}

static const char *
key_value(struct runs *r, struct rowc *c, int col)
{
	const struct col *k = &r->cols[col];

	if (!c->loaded[col] && c->status == PL_RUN_RUNNING) {
		/* The list reads values in windows and keeps them; a running
		 * run's values move, so read them from the run itself. */
		pl_store *st = r->base.app->st;
		char b[32];

		c->loaded[col] = 1;
		if (!c->live_loaded) {
			c->live_loaded = true;
			pl_metric_summaries(&c->ms, &c->nms, st, c->id);
			pl_run_params(&c->params, st, c->id);
		}
		if (k->kind == K_METRIC) {
			for (size_t i = 0; i < c->nms; i++)
				if (strcmp(c->ms[i].key, k->key) == 0)
					c->vals[col] = xstrdup(tui_num(b,
					    sizeof b, c->ms[i].last));
		} else {
			for (size_t i = 0; c->params && i < c->params->n; i++)
				if (strcmp(c->params->items[i].key, k->key) ==
				    0)
					c->vals[col] = xstrdup(
					    c->params->items[i].value);
		}
	}
	if (!c->loaded[col]) {
		c->loaded[col] = 1;
		if (k->kind == K_METRIC) {
			double v;
			int has = 0;
			char b[32];

			if (pl_runlist_metric(&v, &has, r->list, c->idx,
			    k->key) == PL_OK && has)
				c->vals[col] = xstrdup(tui_num(b, sizeof b, v));
		} else {
			pl_runlist_param(&c->vals[col], r->list, c->idx, k->key);
		}
	}
	return c->vals[col];
}

static size_t
src_count(void *p)
{
	struct runs *r = p;

	return r->list ? pl_runlist_count(r->list) : 0;
}

/*
 * After a re-sort the first screen's runs are scattered over the whole
 * table: reading them costs cold pages, 15-50 ms with 100k runs on a
 * virtual machine whose page faults are dear.  The key's frame shows
 * the new order's header with placeholders; runs_idle() reads the rows
 * as soon as no key is waiting, and the next frame shows them.
 */
static bool
deferred(struct runs *r, size_t row)
{
	struct rowc *c;

	if (!r->defer_rows || r->list == NULL)
		return false;
	c = &r->cache[row % CACHE];
	if (c->gen == r->gen && c->idx == row && c->id[0])
		return false;
	return !pl_runlist_cached(r->list, row);
}

static void
src_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct runs *r = p;
	struct rowc *c;

	if (deferred(r, row)) {
		out->text = col == 2 ? (widgets_utf8() ? "\xe2\x80\xa6" :
		    "...") : "";
		out->role = WR_DIM;
		return;
	}
	c = fetch(r, row);
	if (c == NULL) {
		out->text = col == 2 ? "(gone)" : "";
		return;
	}
	switch (r->cols[col].kind) {
	case K_ST:
		out->text = tui_status_glyph(c->status);
		out->role = tui_status_role(c->status);
		break;
	case K_ID:
		snprintf(out->buf, sizeof out->buf, "%.7s", c->id);
		out->text = out->buf;
		break;
	case K_NAME:
		out->text = c->name ? c->name : "";
		break;
	case K_EXP:
		out->text = c->exp;
		break;
	case K_USER:
		out->text = c->user ? c->user : "";
		break;
	case K_START:
		out->text = tui_time(out->buf, sizeof out->buf, c->start);
		break;
	case K_DUR:
		out->text = tui_duration(out->buf, sizeof out->buf,
		    (c->end ? c->end : app_wall_ms()) - c->start);
		if (c->status == PL_RUN_RUNNING)
			out->role = WR_RUNNING;
		break;
	default:
		out->text = key_value(r, c, col);
		if (out->text == NULL) {
			out->text = widgets_utf8() ? "\xe2\x80\x94" : "-";
			out->role = WR_DIM;
		}
	}
}

static uint64_t
src_row_id(void *p, size_t row)
{
	struct runs *r = p;
	struct rowc *c = deferred(r, row) ? NULL : fetch(r, row);
	char hex[17];

	if (c == NULL)
		return row;
	memcpy(hex, c->id, 16);
	hex[16] = '\0';
	return strtoull(hex, NULL, 16);
}

static int
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static int
src_match(void *p, size_t row, const char *needle)
{
	struct runs *r = p;
	struct rowc *c = fetch(r, row);

	if (c == NULL)
		return 0;
	return contains_nocase(c->name, needle) ||
	    strncasecmp(c->id, needle, strlen(needle)) == 0;
}

/* ---- painting ---------------------------------------------------------- */

static void
runs_layout(struct screen *s)
{
	struct runs *r = (struct runs *)s;
	struct app *a = s->app;

	r->box_h = a->h - 2;
	widget_place(wtable_widget(r->table), a->win, 2, 1,
	    r->box_h - 2 > 1 ? r->box_h - 2 : 1, a->w - 2 > 1 ? a->w - 2 : 1);
}

static void
group(char *out, size_t n, int64_t v)
{
	char tmp[32];
	int len, o = 0;

	len = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
	for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0 && tmp[0] != '-')
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = '\0';
}

static void
runs_draw(struct screen *s, bool force)
{
	struct runs *r = (struct runs *)s;
	struct app *a = s->app;
	char right[256], title[512], cnt[128], a1[32], a2[32];

	if (force) {
		group(a2, sizeof a2, r->total);
		snprintf(right, sizeof right, "%s   %lld running %s %s runs",
		    a->user_host, (long long)r->running,
		    widgets_utf8() ? "\xc2\xb7" : "-", a2);
		app_header(a, pl_store_dir(a->st), right);
		snprintf(title, sizeof title, "runs %s experiment: %s%s%s",
		    widgets_utf8() ? "\xe2\x94\x80" : "-",
		    r->experiment ? r->experiment : "all",
		    r->filter ? "  filter: " : "", r->filter ? r->filter : "");
		group(a1, sizeof a1, (int64_t)src_count(r));
		if (r->partial && r->filter == NULL && r->experiment == NULL)
			group(a1, sizeof a1, r->total);
		snprintf(cnt, sizeof cnt, "%s%s of %s", r->partial &&
		    (r->filter || r->experiment) ? "over " : "", a1, a2);
		if (r->nmarks)
			snprintf(cnt + strlen(cnt), sizeof cnt - strlen(cnt),
			    "  %zu marked", r->nmarks);
		wbox(a->win, 1, 0, r->box_h, a->w, title, cnt,
		    wtheme_attr(WR_BORDER));
	}
	widget_draw(wtable_widget(r->table), force);
}

/* ---- marks ------------------------------------------------------------- */

static void
toggle_mark(struct runs *r, const char *id)
{
	for (size_t i = 0; i < r->nmarks; i++) {
		if (strcmp(r->marks[i], id) == 0) {
			memmove(r->marks[i], r->marks[i + 1],
			    (r->nmarks - i - 1) * sizeof r->marks[0]);
			r->nmarks--;
			return;
		}
	}
	if (r->nmarks < MAX_MARKS)
		memcpy(r->marks[r->nmarks++], id, PL_ID_LEN + 1);
}

static size_t
runs_selection(struct screen *s, char out[][PL_ID_LEN + 1], size_t max)
{
	struct runs *r = (struct runs *)s;
	size_t n = 0;

	if (strcmp(s->ops->name, "runs") != 0)
		return 0;
	for (size_t i = 0; i < r->nmarks && n < max; i++)
		memcpy(out[n++], r->marks[i], PL_ID_LEN + 1);
	if (n == 0 && max >= 2) {
		size_t cur = wtable_cursor(r->table);

		for (size_t i = cur; i < cur + 2 && i < src_count(r); i++) {
			struct rowc *c = fetch(r, i);

			if (c)
				memcpy(out[n++], c->id, PL_ID_LEN + 1);
		}
	}
	return n;
}

/* ---- prompts ----------------------------------------------------------- */

static int
filter_cb(struct screen *s, const char *text, unsigned ev)
{
	struct runs *r = (struct runs *)s;
	struct app *a = s->app;
	const char *f = text;

	if (ev & W_CHANGED) {
		app_prompt_error(a, NULL, 0);
		return 1;
	}
	if (!(ev & W_SUBMIT))
		return 0;
	while (*f == ' ')
		f++;
	if (query(r, *f ? text : NULL) != PL_OK) {
		app_prompt_error(a, pl_store_errmsg(a->st),
		    pl_store_error_offset(a->st));
		return 1;
	}
	free(r->filter);
	r->filter = *f ? xstrdup(text) : NULL;
	wtable_set_cursor(r->table, 0);
	s->dirty = true;
	return 0;
}

static int
find_cb(struct screen *s, const char *text, unsigned ev)
{
	struct runs *r = (struct runs *)s;

	if (ev & W_CANCEL)
		return 0;
	complete(r);
	/* Incremental: each edit searches from the cursor row itself, so
	 * the match found while typing stays when Enter confirms it. */
	if (*text && !wtable_search(r->table, text, 1, true))
		app_error(s->app, "no run matches '%s'", text);
	free(r->find);
	r->find = xstrdup(text);
	return 0;
}

/* ---- export ------------------------------------------------------------ */

static void
csv_field(struct buf *b, const char *v)
{
	if (v == NULL)
		v = "";
	if (strpbrk(v, ",\"\r\n") == NULL) {
		buf_puts(b, v);
		return;
	}
	buf_putc(b, '"');
	for (; *v; v++) {
		if (*v == '"')
			buf_putc(b, '"');
		buf_putc(b, *v);
	}
	buf_putc(b, '"');
}

/*
 * Writes the table as the list is now (filter, experiment, sort, the
 * columns shown) to path: CSV (RFC 4180, a header row) or, when path
 * ends in ".json", a JSON array of objects.  Values are for machines:
 * full run ids, times in ms since the epoch, durations in ms, metrics
 * and params keyed "metrics.KEY" / "params.KEY" as in filters.  The
 * status column is its word.  Returns the rows written, or -1.
 */
static long
export_table(struct runs *r, const char *path)
{
	struct app *a = r->base.app;
	bool json = strlen(path) > 5 &&
	    strcasecmp(path + strlen(path) - 5, ".json") == 0;
	struct buf b = BUF_INIT;
	struct json j;
	size_t n;
	char **keys;
	FILE *f;
	long rows = 0;

	complete(r);
	n = src_count(r);
	keys = xcalloc((size_t)r->ncols, sizeof *keys);
	for (int c = 0; c < r->ncols; c++) {
		const struct col *k = &r->cols[c];
		static const char *const base[] = { "status", "run_id",
			"run_name", "experiment", "user", "start_time",
			"duration_ms" };

		keys[c] = k->kind == K_METRIC ? xasprintf("metrics.%s",
		    k->key) : k->kind == K_PARAM ? xasprintf("params.%s",
		    k->key) : xstrdup(base[k->kind]);
	}
	json_init(&j, &b);
	if (json) {
		json_arr_begin(&j);
	} else {
		for (int c = 0; c < r->ncols; c++) {
			if (c)
				buf_putc(&b, ',');
			csv_field(&b, keys[c]);
		}
		buf_puts(&b, "\r\n");
	}
	for (size_t i = 0; i < n; i++) {
		struct rowc *row = fetch(r, i);

		if (row == NULL)
			continue;
		if (json)
			json_obj_begin(&j);
		for (int c = 0; c < r->ncols; c++) {
			const char *v = NULL;
			char num[32];
			int64_t ival = 0;
			bool is_int = false;

			switch (r->cols[c].kind) {
			case K_ST: v = pl_run_status_name(row->status); break;
			case K_ID: v = row->id; break;
			case K_NAME: v = row->name; break;
			case K_EXP: v = row->exp; break;
			case K_USER: v = row->user; break;
			case K_START: ival = row->start; is_int = true; break;
			case K_DUR:
				ival = row->end ? row->end - row->start : 0;
				is_int = row->end != 0;
				break;
			default: v = key_value(r, row, c); break;
			}
			if (json) {
				json_key(&j, keys[c]);
				if (is_int)
					json_int(&j, ival);
				else if (v == NULL)
					json_null(&j);
				else if (r->cols[c].kind == K_METRIC)
					json_num(&j, strtod(v, NULL));
				else
					json_str(&j, v);
			} else {
				if (c)
					buf_putc(&b, ',');
				if (is_int) {
					snprintf(num, sizeof num, "%lld",
					    (long long)ival);
					v = num;
				}
				csv_field(&b, v);
			}
		}
		if (json)
			json_obj_end(&j);
		else
			buf_puts(&b, "\r\n");
		rows++;
	}
	if (json) {
		json_arr_end(&j);
		buf_putc(&b, '\n');
	}
	for (int c = 0; c < r->ncols; c++)
		free(keys[c]);
	free(keys);
	if (json && json_error(&j)) {
		buf_free(&b);
		app_error(a, "export: out of memory");
		return -1;
	}
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(b.p ? b.p : "", 1, b.len, f) != b.len || fclose(f) != 0) {
		app_error(a, "export: %s: %s", path, strerror(errno));
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	app_info(a, "exported %ld run%s to %s", rows, rows == 1 ? "" : "s",
	    path);
	return rows;
}

static int
export_cb(struct screen *s, const char *text, unsigned ev)
{
	if ((ev & W_SUBMIT) && text && *text)
		export_table((struct runs *)s, text);
	return 0;
}

/* ---- requests ---------------------------------------------------------- */

static void runs_refresh(struct screen *s);

static void
set_sort(struct runs *r, int col, bool desc)
{
	int old = r->sort_col;
	bool olddesc = r->desc;

	r->sort_col = col;
	r->desc = desc;
	if (query(r, r->filter) != PL_OK) {
		app_error(r->base.app, "%s", pl_store_errmsg(r->base.app->st));
		r->sort_col = old;
		r->desc = olddesc;
		return;
	}
	wtable_set_sort(r->table, col, desc);
	wtable_set_cursor(r->table, 0);
	r->defer_rows = true;
	r->base.idle_work = true;
	r->base.dirty = true;
}

/* Numbers and times sort biggest first, text A to Z. */
static bool
natural_desc(const struct runs *r, int col)
{
	enum colkind k = r->cols[col].kind;

	return k == K_START || k == K_DUR || k == K_METRIC;
}

static void
cycle_experiment(struct runs *r)
{
	pl_experiment *e = NULL;
	size_t n = 0, i;
	char *next = NULL;

	if (pl_experiments(&e, &n, r->base.app->st) != PL_OK) {
		app_error(r->base.app, "%s", pl_store_errmsg(r->base.app->st));
		return;
	}
	if (r->experiment == NULL) {
		if (n > 0)
			next = xstrdup(e[0].name);
	} else {
		for (i = 0; i < n; i++)
			if (strcmp(e[i].name, r->experiment) == 0)
				break;
		if (i + 1 < n)
			next = xstrdup(e[i + 1].name);
	}
	pl_experiment_list_free(e, n);
	free(r->experiment);
	r->experiment = next;
	if (query(r, r->filter) != PL_OK) {
		app_error(r->base.app, "%s", pl_store_errmsg(r->base.app->st));
		return;
	}
	choose_columns(r);
	wtable_set_cursor(r->table, 0);
	r->base.dirty = true;
}

static void
open_run(struct runs *r)
{
	struct rowc *c;

	if (src_count(r) == 0)
		return;
	c = fetch(r, wtable_cursor(r->table));
	if (c)
		app_push(r->base.app, run_screen_new(r->base.app, c->id));
}

static void
compare(struct runs *r)
{
	char ids[16][PL_ID_LEN + 1];
	size_t n = runs_selection(&r->base, ids, 16);

	if (n < 2) {
		app_error(r->base.app, "compare needs two runs: mark them with "
		    "space");
		return;
	}
	app_push(r->base.app, compare_screen_new(r->base.app, ids, n));
}

static int
runs_request(struct screen *s, enum request req, int key)
{
	struct runs *r = (struct runs *)s;
	struct widget *tw = wtable_widget(r->table);
	struct app *a = s->app;
	unsigned res;

	switch (req) {
	case REQ_ENTER:
		open_run(r);
		return 1;
	case REQ_SELECT: {
		struct rowc *c;

		if (src_count(r) == 0)
			return 1;
		c = fetch(r, wtable_cursor(r->table));
		if (c == NULL)
			return 1;
		toggle_mark(r, c->id);
		widget_key(tw, ' ');
		s->dirty = true;
		return 1;
	}
	case REQ_CLEAR_MARKS:
		r->nmarks = 0;
		wtable_clear_marks(r->table);
		s->dirty = true;
		return 1;
	case REQ_EXPORT:
		app_prompt(a, s, "export to (.csv or .json): ", "runs.csv",
		    export_cb);
		return 1;
	case REQ_YANK: {
		struct rowc *c = src_count(r) ? fetch(r,
		    wtable_cursor(r->table)) : NULL;

		if (c == NULL)
			app_error(a, "no run to copy");
		else
			app_yank(a, c->id, "run id");
		return 1;
	}
	case REQ_VIEW_COMPARE:
		compare(r);
		return 1;
	case REQ_FILTER:
		app_prompt(a, s, "filter: ", r->filter, filter_cb);
		return 1;
	case REQ_FIND:
		app_prompt(a, s, "search: ", "", find_cb);
		return 1;
	case REQ_SORT_NEXT:
	case REQ_SORT_PREV: {
		int c = (r->sort_col + (req == REQ_SORT_NEXT ? 1 : -1) +
		    r->ncols) % r->ncols;

		set_sort(r, c, natural_desc(r, c));
		return 1;
	}
	case REQ_SORT_REVERSE:
		set_sort(r, r->sort_col, !r->desc);
		return 1;
	case REQ_EXPERIMENT:
		cycle_experiment(r);
		return 1;
	case REQ_RELOAD:
		r->fp = 0;	/* count and list again, whatever changed */
		runs_refresh(s);
		return 1;
	case REQ_MOVE_LAST:
	case REQ_MOVE_PAGE_DOWN:
	case REQ_MOVE_HALF_DOWN:
	case REQ_MOVE_DOWN:
		/* Going past the first rows needs the whole list. */
		if (r->partial && (req == REQ_MOVE_LAST ||
		    wtable_cursor(r->table) + (size_t)r->box_h * 2 >=
		    src_count(r)))
			complete(r);
		return widget_key(tw, keymap_widget_key(req)) != 0;
	case REQ_FIND_NEXT:
	case REQ_FIND_PREV:
		complete(r);
		if (r->find == NULL) {
			app_error(a, "no search yet: / searches");
			return 1;
		}
		/* fall through */
	default:
		if (keymap_widget_key(req)) {
			res = widget_key(tw, keymap_widget_key(req));
			if ((req == REQ_FIND_NEXT || req == REQ_FIND_PREV) &&
			    wtable_search_failed(r->table))
				app_error(a, "no run matches '%s'", r->find);
			return res != 0;
		}
	}
	(void)key;
	return 0;
}

static int
runs_mouse(struct screen *s, const MEVENT *ev)
{
	struct runs *r = (struct runs *)s;
	unsigned res;

	complete(r);
	res = widget_mouse(wtable_widget(r->table), ev);

	if (res & W_SORT) {
		int c = wtable_clicked_column(r->table);

		if (c >= 0)
			set_sort(r, c, c == r->sort_col ? !r->desc :
			    natural_desc(r, c));
	}
	if (res & W_ACTIVATE)
		open_run(r);
	return res != 0;
}

/* ---- live data --------------------------------------------------------- */

static void
keep_cursor(struct runs *r, const char *id)
{
	size_t n = src_count(r), cur = wtable_cursor(r->table), lo, hi;

	if (id[0] == '\0' || n == 0)
		return;
	/* New runs usually arrive above: look near the old place. */
	lo = cur > 64 ? cur - 64 : 0;
	hi = cur + 64 < n ? cur + 64 : n;
	for (size_t i = cur < n ? cur : n - 1; ; ) {
		struct rowc *c = fetch(r, i);

		if (c && strcmp(c->id, id) == 0) {
			wtable_set_cursor(r->table, i);
			return;
		}
		if (++i >= hi)
			break;
	}
	for (size_t i = lo; i < cur && i < n; i++) {
		struct rowc *c = fetch(r, i);

		if (c && strcmp(c->id, id) == 0) {
			wtable_set_cursor(r->table, i);
			return;
		}
	}
}

/*
 * A cheap fingerprint of the store's run set, for live refresh: the
 * running runs (status index) and how many runs started after since_ms
 * (start index).  Both are tiny range scans, unlike counting 100k runs
 * per experiment, so a store that changes every second (a run logging
 * metrics) costs the runs screen only these and its visible rows.
 */
static uint64_t
fingerprint(struct runs *r)
{
	pl_store *st = r->base.app->st;
	pl_query q;
	pl_runlist *l = NULL;
	uint64_t fp = 1469598103934665603ULL;
	char f[96];

	memset(&q, 0, sizeof q);
	q.filter = "attributes.status = 'running'";
	q.sort = "run_id";
	if (pl_runs_query(&l, st, &q) == PL_OK) {
		size_t n = pl_runlist_count(l);

		for (size_t i = 0; i < n; i++) {
			const pl_run_row *row;

			if (pl_runlist_row(&row, l, i) == PL_OK)
				for (const char *c = row->id; *c; c++)
					fp = (fp ^ (unsigned char)*c) *
					    1099511628211ULL;
		}
		fp ^= n << 32;
		pl_runlist_free(l);
	}
	snprintf(f, sizeof f, "attributes.start_time > %lld",
	    (long long)r->since_ms);
	q.filter = f;
	q.sort = "start_time";
	if (pl_runs_query(&l, st, &q) == PL_OK) {
		fp = (fp ^ pl_runlist_count(l)) * 1099511628211ULL;
		pl_runlist_free(l);
	}
	return fp;
}

static void
runs_refresh(struct screen *s)
{
	struct runs *r = (struct runs *)s;
	char id[PL_ID_LEN + 1] = "";
	uint64_t fp = fingerprint(r);

	if (src_count(r) > 0) {
		struct rowc *c = fetch(r, wtable_cursor(r->table));

		if (c)
			memcpy(id, c->id, sizeof id);
	}
	if (fp != r->fp || r->list == NULL) {
		/* Runs came, went or changed state: count and list again,
		 * and look for new runs from now on (a minute back, for
		 * other hosts' clocks). */
		count_runs(r);
		r->since_ms = app_wall_ms() - 60000;
		r->fp = fingerprint(r);
		if (query(r, r->filter) != PL_OK)
			app_error(s->app, "%s", pl_store_errmsg(s->app->st));
		if (r->ncols <= r->nbase)
			choose_columns(r);
		keep_cursor(r, id);
	} else {
		/* Same runs: only values (metrics, durations) moved. */
		drop_cache(r);
	}
	wtable_source_changed(r->table);
}

static int
runs_tick(struct screen *s)
{
	struct runs *r = (struct runs *)s;

	/* Durations of running runs tick: repaint (cells come from cache). */
	if (r->running > 0) {
		widget_invalidate(wtable_widget(r->table));
		return 1;
	}
	return 0;
}

static const struct hint_spec *
runs_hints_fn(struct screen *s, int *n)
{
	(void)s;
	*n = (int)(sizeof runs_hints / sizeof *runs_hints);
	return runs_hints;
}

static void
runs_destroy(struct screen *s)
{
	struct runs *r = (struct runs *)s;

	drop_cache(r);
	free_cols(r);
	pl_runlist_free(r->list);
	widget_free(wtable_widget(r->table));
	free(r->filter);
	free(r->experiment);
	free(r->find);
	free(r->remembered);
	free(r);
}

static int runs_command(struct screen *s, const char *verb,
    const char *arg);

static const struct cmd_spec runs_cmds[] = {
	{ "filter", ":filter EXPR", "filter the runs (empty: none)" },
	{ "sort", ":sort [+|-]COLUMN [asc|desc]",
	    "sort the runs (metrics.loss, params.lr, a title)" },
	{ "export", ":export FILE",
	    "write the listed runs as CSV (or JSON for .json)" },
	{ "columns", ":columns a,b",
	    "metric/param columns (metrics.loss,params.lr)" },
	{ "experiment", ":experiment [NAME]", "one experiment (empty: all)" },
};

static const struct screen_ops runs_ops = {
	.name = "runs",
	.layout = runs_layout,
	.draw = runs_draw,
	.request = runs_request,
	.mouse = runs_mouse,
	.reload = runs_refresh,
	.tick = runs_tick,
	.idle = runs_idle,
	.hints = runs_hints_fn,
	.commands = runs_cmds,
	.ncommands = sizeof runs_cmds / sizeof runs_cmds[0],
	.command = runs_command,
	.selection = runs_selection,
	.destroy = runs_destroy,
};

struct screen *
runs_screen_new(struct app *a)
{
	struct runs *r = xcalloc(1, sizeof *r);
	struct wtable_source src = {
		.count = src_count, .cell = src_cell, .row_id = src_row_id,
		.match = src_match, .payload = r,
	};

	r->base.ops = &runs_ops;
	r->base.app = a;
	r->remembered = tui_columns_load(pl_store_dir(a->st));
	r->sort_col = 5;	/* STARTED, newest first */
	r->desc = true;
	r->table = wtable_new(a->win, 2, 1, 1, 1, WTABLE_MULTI);
	if (r->table == NULL)
		xoom();
	wtable_set_source(r->table, &src);
	wtable_set_empty_text(r->table, "no runs (plumb run -- CMD records "
	    "one)");
	widget_set_focus(wtable_widget(r->table), true);
	count_runs(r);
	r->since_ms = app_wall_ms() - 60000;
	r->fp = fingerprint(r);
	choose_columns(r);	/* sort column indexes need the base columns */
	if (query(r, NULL) != PL_OK)
		app_error(a, "%s", pl_store_errmsg(a->st));
	choose_columns(r);
	return &r->base;
}

/* ---- commands ---------------------------------------------------------- */

/* Columns from a list like "metrics.loss,params.lr,auc" (a bare key is a
 * metric).  Returns 0. */
static int
set_key_columns(struct runs *r, const char *spec)
{
	char *old = sort_key(r, r->sort_col);

	drop_cache(r);
	while (r->ncols > r->nbase) {
		r->ncols--;
		free(r->cols[r->ncols].key);
		free(r->cols[r->ncols].title);
	}
	add_spec_columns(r, spec);
	free(r->remembered);
	r->remembered = xstrdup(spec);
	resort_after_columns(r, old);
	r->base.dirty = true;
	return 0;
}

/* Whether some of the first listed runs has metric/param key
 * ("metrics.loss"): a typo must not become an empty column. */
static bool
key_in_list(struct runs *r, const char *key)
{
	pl_kvlist *keys = NULL;
	bool metric = key[0] == 'm', found = false;
	const char *k = key + (metric ? 8 : 7);

	if (r->list == NULL || pl_runlist_keys(&keys, r->list, 2000) != PL_OK)
		return false;
	for (size_t i = 0; i < keys->n && !found; i++)
		found = strcmp(keys->items[i].key, k) == 0 &&
		    (strcmp(keys->items[i].value, "metric") == 0) == metric;
	pl_kvlist_free(keys);
	return found;
}

/*
 * ":sort [+|-]COLUMN [asc|desc]": COLUMN is a title ("loss", "STARTED"),
 * a sort key ("metrics.loss", "params.lr", "start_time") or a bare
 * metric key.  "-" or "desc" sorts descending, "+" or "asc" ascending;
 * neither: the column's natural order.  A metric or param that is not a
 * column yet becomes one, so that the order can be seen.
 */
static int
sort_command(struct runs *r, const char *arg)
{
	struct app *a = r->base.app;
	char *k = xstrdup(arg), *sp;
	int dir = 0;		/* -1 ascending, 1 descending, 0 natural */
	const char *key;
	int found = -1;

	for (sp = k + strlen(k); sp > k && sp[-1] == ' '; )
		*--sp = '\0';
	if ((sp = strrchr(k, ' ')) != NULL) {
		if (strcasecmp(sp + 1, "asc") == 0)
			dir = -1;
		else if (strcasecmp(sp + 1, "desc") == 0)
			dir = 1;
		else {
			app_error(a, "sort: '%s' is not asc or desc", sp + 1);
			free(k);
			return 1;
		}
		while (sp > k && sp[-1] == ' ')
			sp--;
		*sp = '\0';
	}
	key = k;
	while (*key == ' ')
		key++;
	if (*key == '-' || *key == '+') {
		if (dir == 0)
			dir = *key == '-' ? 1 : -1;
		key++;
	}
	if (*key == '\0') {
		app_error(a, "usage: :sort [+|-]COLUMN [asc|desc]");
		free(k);
		return 1;
	}
	for (int pass = 0; pass < 2 && found < 0; pass++) {
		for (int i = 0; i < r->ncols && found < 0; i++) {
			const struct col *c = &r->cols[i];
			char *sk = sort_key(r, i);
			char *plain = c->kind == K_METRIC ?
			    xasprintf("metrics.%s", c->key) :
			    c->kind == K_PARAM ?
			    xasprintf("params.%s", c->key) : NULL;
			bool hit = strcasecmp(c->title, key) == 0 ||
			    strcmp(sk, key) == 0 ||
			    (plain && strcmp(plain, key) == 0) ||
			    (c->key && strcmp(c->key, key) == 0);

			free(sk);
			free(plain);
			if (hit)
				found = i;
		}
		if (found >= 0 || pass == 1)
			break;
		/* Not a column: a metric or param key becomes one (the
		 * row cache is sized by the columns: dropped first). */
		if (!(strncmp(key, "metrics.", 8) == 0 && key[8]) &&
		    !(strncmp(key, "params.", 7) == 0 && key[7]))
			break;
		if (!key_in_list(r, key))
			break;
		drop_cache(r);
		if (key[0] == 'm')
			add_col(r, K_METRIC, key + 8, key + 8);
		else
			add_col(r, K_PARAM, key + 7, key + 7);
		apply_columns(r);
	}
	if (found < 0) {
		app_error(a, "no column '%s' (:columns adds one)", key);
		free(k);
		return 1;
	}
	free(k);
	set_sort(r, found, dir > 0 ? true : dir < 0 ? false :
	    natural_desc(r, found));
	r->base.dirty = true;
	return 1;
}

static int
runs_command(struct screen *s, const char *verb, const char *arg)
{
	struct runs *r = (struct runs *)s;
	struct app *a = s->app;

	if (strcmp(s->ops->name, "runs") != 0)
		return 0;
	if (strcmp(verb, "filter") == 0) {
		if (query(r, *arg ? arg : NULL) != PL_OK) {
			app_error(a, "%s (column %zu)", pl_store_errmsg(a->st),
			    pl_store_error_offset(a->st));
			return 1;
		}
		free(r->filter);
		r->filter = *arg ? xstrdup(arg) : NULL;
	} else if (strcmp(verb, "experiment") == 0) {
		char *old = r->experiment;

		r->experiment = *arg ? xstrdup(arg) : NULL;
		if (query(r, r->filter) != PL_OK) {
			app_error(a, "%s", pl_store_errmsg(a->st));
			free(r->experiment);
			r->experiment = old;
			return 1;
		}
		free(old);
		choose_columns(r);
	} else if (strcmp(verb, "sort") == 0) {
		return sort_command(r, arg);
	} else if (strcmp(verb, "export") == 0) {
		if (*arg == '\0')
			app_error(a, "usage: :export FILE.csv|FILE.json");
		else
			export_table(r, arg);
		return 1;
	} else if (strcmp(verb, "columns") == 0) {
		if (*arg == '\0') {
			/* Forget the choice: the first runs' keys again. */
			free(r->remembered);
			r->remembered = NULL;
			choose_columns(r);
		} else
			set_key_columns(r, arg);
		if (tui_columns_save(pl_store_dir(a->st), arg) != 0)
			app_error(a, "could not remember the columns");
	} else {
		return 0;
	}
	wtable_set_cursor(r->table, 0);
	s->dirty = true;
	return 1;
}
