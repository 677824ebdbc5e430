/* screen-compare.c - two or more runs side by side: params with differences marked, metrics with deltas, an overlaid chart. */
#include "config.h"
#include "tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "table.h"
#include "theme.h"
#include "xalloc.h"

#define MAX_RUNS 16

struct cmprun {
	char id[PL_ID_LEN + 1];
	pl_run_info *info;
	pl_kvlist *params;
	pl_metric_summary *ms;
	size_t nms;
	/* the charted series */
	double *x, *y;		/* x: step, or seconds since the run started */
	size_t n;
};

enum cpane { C_PARAMS, C_METRICS, C_CHART, C__COUNT };

struct cmp {
	struct screen base;
	struct cmprun runs[MAX_RUNS];
	size_t nruns;
	char **pkeys;		/* union of param keys (sorted) */
	size_t npkeys;
	size_t *prow;		/* rows shown (indexes into pkeys) */
	size_t nprow;
	char **mkeys;		/* union of metric keys */
	size_t nmkeys;
	bool diff_only;
	struct wtable *pt, *mt;
	struct wchart *chart;
	int chart_key;		/* index into mkeys */
	bool time_x;
	enum cpane focus;
	int lw, ph;
};

/* The status bar: requests, their keys looked up in the keymap. */
static const struct hint_spec cmp_hints[] = {
	{ REQ_NEXT_PANE, "pane" }, { REQ_ENTER, "chart key" },
	{ REQ_DIFF_ONLY, "only differences" }, { REQ_CHART_X, "step/time" },
	{ REQ_LOG_SCALE, "log-scale" }, { REQ_BACK, "back" },
	{ REQ_HELP, "help" },
};

/* ---- data -------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_key(char ***keys, size_t *n, const char *k)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*keys)[i], k) == 0)
			return;
	*keys = xreallocarray(*keys, *n + 1, sizeof **keys);
	(*keys)[(*n)++] = xstrdup(k);
}

static const char *
param_of(const struct cmprun *cr, const char *key)
{
	for (size_t i = 0; cr->params && i < cr->params->n; i++)
		if (strcmp(cr->params->items[i].key, key) == 0)
			return cr->params->items[i].value;
	return NULL;
}

static const pl_metric_summary *
metric_of(const struct cmprun *cr, const char *key)
{
	for (size_t i = 0; i < cr->nms; i++)
		if (strcmp(cr->ms[i].key, key) == 0)
			return &cr->ms[i];
	return NULL;
}

static bool
param_differs(const struct cmp *c, const char *key)
{
	const char *v0 = param_of(&c->runs[0], key);

	for (size_t i = 1; i < c->nruns; i++) {
		const char *v = param_of(&c->runs[i], key);

		if ((v == NULL) != (v0 == NULL) || (v && strcmp(v, v0) != 0))
			return true;
	}
	return false;
}

static void
build_rows(struct cmp *c)
{
	free(c->prow);
	c->prow = xcalloc(c->npkeys + 1, sizeof *c->prow);
	c->nprow = 0;
	for (size_t i = 0; i < c->npkeys; i++)
		if (!c->diff_only || param_differs(c, c->pkeys[i]))
			c->prow[c->nprow++] = i;
	wtable_source_changed(c->pt);
}

static void
free_keys(char **k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i]);
	free(k);
}

static void
set_chart(struct cmp *c)
{
	wchart_clear(c->chart);
	wchart_set_format(c->chart, 'x', c->time_x ? tui_fmt_elapsed :
	    tui_fmt_step, NULL);
	for (size_t i = 0; i < c->nruns; i++) {
		struct cmprun *cr = &c->runs[i];
		pl_point *p = NULL;
		size_t n = 0;
		char name[16];

		free(cr->x);
		free(cr->y);
		cr->x = cr->y = NULL;
		cr->n = 0;
		if (c->chart_key < 0)
			continue;
		if (pl_metric_series(&p, &n, c->base.app->st, cr->id,
		    c->mkeys[c->chart_key]) != PL_OK || n == 0) {
			free(p);
			continue;
		}
		cr->x = xreallocarray(NULL, n, sizeof *cr->x);
		cr->y = xreallocarray(NULL, n, sizeof *cr->y);
		for (size_t k = 0; k < n; k++) {
			cr->x[k] = c->time_x ? (p[k].ts_ms - cr->info->start_ms) /
			    1000.0 : (double)p[k].step;
			cr->y[k] = p[k].value;
		}
		cr->n = n;
		free(p);
		snprintf(name, sizeof name, "%.7s", cr->id);
		wchart_add_series(c->chart, name, cr->x, cr->y, cr->n,
		    wtheme_series((int)i));
	}
	wchart_set_legend(c->chart, true);
	wchart_set_empty_text(c->chart, c->nmkeys ? "no points" :
	    "no metrics");
}

static void
unload(struct cmp *c)
{
	wchart_clear(c->chart);
	wchart_set_format(c->chart, 'x', c->time_x ? tui_fmt_elapsed :
	    tui_fmt_step, NULL);
	for (size_t i = 0; i < c->nruns; i++) {
		struct cmprun *cr = &c->runs[i];

		pl_run_info_free(cr->info);
		pl_kvlist_free(cr->params);
		pl_metric_summary_free(cr->ms, cr->nms);
		free(cr->x);
		free(cr->y);
		cr->info = NULL;
		cr->params = NULL;
		cr->ms = NULL;
		cr->nms = 0;
		cr->x = cr->y = NULL;
		cr->n = 0;
	}
	free_keys(c->pkeys, c->npkeys);
	free_keys(c->mkeys, c->nmkeys);
	c->pkeys = c->mkeys = NULL;
	c->npkeys = c->nmkeys = 0;
}

static int
load(struct cmp *c)
{
	pl_store *st = c->base.app->st;
	char *key = c->chart_key >= 0 && c->mkeys ?
	    xstrdup(c->mkeys[c->chart_key]) : NULL;

	unload(c);
	for (size_t i = 0; i < c->nruns; i++) {
		struct cmprun *cr = &c->runs[i];

		if (pl_run_get(&cr->info, st, cr->id) != PL_OK) {
			app_error(c->base.app, "%s", pl_store_errmsg(st));
			free(key);
			return -1;
		}
		pl_run_params(&cr->params, st, cr->id);
		pl_metric_summaries(&cr->ms, &cr->nms, st, cr->id);
		for (size_t k = 0; cr->params && k < cr->params->n; k++)
			add_key(&c->pkeys, &c->npkeys, cr->params->items[k].key);
		for (size_t k = 0; k < cr->nms; k++)
			add_key(&c->mkeys, &c->nmkeys, cr->ms[k].key);
	}
	if (c->npkeys)
		qsort(c->pkeys, c->npkeys, sizeof *c->pkeys, cmp_str);
	if (c->nmkeys)
		qsort(c->mkeys, c->nmkeys, sizeof *c->mkeys, cmp_str);
	c->chart_key = c->nmkeys ? 0 : -1;
	for (size_t i = 0; key && i < c->nmkeys; i++)
		if (strcmp(c->mkeys[i], key) == 0)
			c->chart_key = (int)i;
	free(key);
	build_rows(c);
	wtable_source_changed(c->mt);
	set_chart(c);
	return 0;
}

/* ---- table sources ----------------------------------------------------- */

static size_t
p_count(void *p)
{
	return ((struct cmp *)p)->nprow;
}

static void
p_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct cmp *c = p;
	const char *key = c->pkeys[c->prow[row]];
	bool diff = param_differs(c, key);

	if (col == 0) {
		out->text = diff ? (widgets_utf8() ? "\xe2\x97\x86" : "*") : "";
		out->role = WR_RUNNING;
	} else if (col == 1) {
		out->text = key;
	} else {
		const char *v = param_of(&c->runs[col - 2], key);

		out->text = v ? v : (widgets_utf8() ? "\xe2\x80\x94" : "-");
		if (diff)
			out->attr = A_BOLD;
		if (diff && col > 2)
			out->role = WR_RUNNING;
	}
}

static size_t
m_count(void *p)
{
	return ((struct cmp *)p)->nmkeys;
}

static void
m_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct cmp *c = p;
	const char *key = c->mkeys[row];
	const pl_metric_summary *m0, *m;
	char a[32], d[32];

	if (col == 0) {
		out->text = (int)row == c->chart_key ?
		    (widgets_utf8() ? "\xe2\x96\xb8" : ">") : "";
		return;
	}
	if (col == 1) {
		out->text = key;
		return;
	}
	m = metric_of(&c->runs[col - 2], key);
	m0 = metric_of(&c->runs[0], key);
	if (m == NULL) {
		out->text = widgets_utf8() ? "\xe2\x80\x94" : "-";
		out->role = WR_DIM;
		return;
	}
	tui_num(a, sizeof a, m->last);
	if (col == 2 || m0 == NULL) {
		snprintf(out->buf, sizeof out->buf, "%s", a);
	} else {
		double delta = m->last - m0->last;

		tui_num(d, sizeof d, fabs(delta));
		snprintf(out->buf, sizeof out->buf, "%s %s%s", a,
		    delta > 0 ? "+" : delta < 0 ? "-" : "=",
		    delta == 0 ? "" : d);
		if (delta != 0)
			out->role = WR_RUNNING;
	}
	out->text = out->buf;
}

/* ---- layout and paint -------------------------------------------------- */

static void
set_columns(struct cmp *c)
{
	struct wcolumn cols[MAX_RUNS + 2];
	char titles[MAX_RUNS][PL_ID_LEN + 64];

	memset(cols, 0, sizeof cols);
	cols[0].title = "";
	cols[0].width = 1;
	cols[1].title = "KEY";
	cols[1].min = 10;
	cols[1].flex = 1;
	for (size_t i = 0; i < c->nruns; i++) {
		const pl_run_info *ri = c->runs[i].info;

		snprintf(titles[i], sizeof titles[i], "%.7s %s", ri->id,
		    ri->name ? ri->name : "");
		cols[i + 2].title = titles[i];
		cols[i + 2].min = 14;
		cols[i + 2].flex = 1;
	}
	wtable_set_columns(c->pt, cols, (int)c->nruns + 2);
	wtable_set_columns(c->mt, cols, (int)c->nruns + 2);
	wtable_set_frozen(c->pt, 2);
	wtable_set_frozen(c->mt, 2);
}

static void
cmp_layout(struct screen *s)
{
	struct cmp *c = (struct cmp *)s;
	struct app *a = s->app;
	int body = app_body_h(a), mh;

	c->lw = a->w * 3 / 5;
	if (c->lw < 20)
		c->lw = a->w;
	c->ph = body / 2 < 3 ? 3 : body / 2;
	mh = body - c->ph < 3 ? 3 : body - c->ph;
	widget_place(wtable_widget(c->pt), a->win, 2, 1,
	    c->ph - 2 > 1 ? c->ph - 2 : 1, c->lw - 2 > 1 ? c->lw - 2 : 1);
	widget_place(wtable_widget(c->mt), a->win, 1 + c->ph + 1, 1,
	    mh - 2 > 1 ? mh - 2 : 1, c->lw - 2 > 1 ? c->lw - 2 : 1);
	widget_place(wchart_widget(c->chart), a->win, 2, c->lw + 1,
	    body - 2 > 1 ? body - 2 : 1,
	    a->w - c->lw - 2 > 1 ? a->w - c->lw - 2 : 1);
}

static struct widget *
pane(struct cmp *c, enum cpane p)
{
	return p == C_PARAMS ? wtable_widget(c->pt) : p == C_METRICS ?
	    wtable_widget(c->mt) : wchart_widget(c->chart);
}

static void
set_focus(struct cmp *c, enum cpane p)
{
	for (int i = 0; i < C__COUNT; i++)
		widget_set_focus(pane(c, (enum cpane)i), i == (int)p);
	c->focus = p;
	c->base.dirty = true;
}

static void
cmp_draw(struct screen *s, bool force)
{
	struct cmp *c = (struct cmp *)s;
	struct app *a = s->app;
	char crumbs[256], t[128], rt[32];
	int body = app_body_h(a);
	attr_t b = wtheme_attr(WR_BORDER);
	size_t len = 0;

	if (force) {
		len = (size_t)snprintf(crumbs, sizeof crumbs, "compare ");
		for (size_t i = 0; i < c->nruns && len < sizeof crumbs; i++)
			len += (size_t)snprintf(crumbs + len, sizeof crumbs -
			    len, "%s%.7s", i ? (widgets_utf8() ?
			    " \xc2\xb7 " : " - ") : " ", c->runs[i].id);
		app_header(a, crumbs, NULL);
		snprintf(t, sizeof t, "%sparams%s%s", c->focus == C_PARAMS ?
		    "[" : "", c->focus == C_PARAMS ? "]" : "",
		    c->diff_only ? " (differences)" : "");
		snprintf(rt, sizeof rt, "%zu of %zu", c->nprow, c->npkeys);
		wbox(a->win, 1, 0, c->ph, c->lw, t, rt, b);
		snprintf(t, sizeof t, "%smetrics%s",
		    c->focus == C_METRICS ? "[" : "",
		    c->focus == C_METRICS ? "]" : "");
		wbox(a->win, 1 + c->ph, 0, body - c->ph < 3 ? 3 :
		    body - c->ph, c->lw, t, NULL, b);
		if (c->lw < a->w) {
			snprintf(t, sizeof t, "%s%s%s %s", c->focus == C_CHART ?
			    "[" : "", c->chart_key >= 0 ?
			    c->mkeys[c->chart_key] : "chart",
			    c->focus == C_CHART ? "]" : "",
			    c->time_x ? "time" : "step");
			wbox(a->win, 1, c->lw, body, a->w - c->lw, t,
			    wchart_log(c->chart) ? "log" : NULL, b);
		}
	}
	widget_draw(wtable_widget(c->pt), force);
	widget_draw(wtable_widget(c->mt), force);
	if (c->lw < a->w)
		widget_draw(wchart_widget(c->chart), force);
}

/* ---- requests ---------------------------------------------------------- */

static int
cmp_request(struct screen *s, enum request req, int key)
{
	struct cmp *c = (struct cmp *)s;
	struct widget *fw = pane(c, c->focus);
	unsigned res;

	switch (req) {
	case REQ_NEXT_PANE:
	case REQ_PREV_PANE:
		set_focus(c, (enum cpane)((c->focus + (req == REQ_NEXT_PANE ?
		    1 : C__COUNT - 1)) % C__COUNT));
		return 1;
	case REQ_RELOAD:
		load(c);
		s->dirty = true;
		return 1;
	case REQ_DIFF_ONLY:
		c->diff_only = !c->diff_only;
		build_rows(c);
		s->dirty = true;
		return 1;
	case REQ_LOG_SCALE:
		wchart_set_log(c->chart, !wchart_log(c->chart));
		s->dirty = true;
		return 1;
	case REQ_CHART_X:
		c->time_x = !c->time_x;
		set_chart(c);
		s->dirty = true;
		return 1;
	case REQ_ENTER:
		if (c->focus == C_METRICS && c->nmkeys) {
			c->chart_key = (int)wtable_cursor(c->mt);
			set_chart(c);
			s->dirty = true;
		}
		return 1;
	default:
		if (keymap_widget_key(req)) {
			res = widget_key(fw, keymap_widget_key(req));
			return res != 0;
		}
	}
	(void)key;
	return 0;
}

static int
cmp_mouse(struct screen *s, const MEVENT *ev)
{
	struct cmp *c = (struct cmp *)s;

	for (int p = 0; p < C__COUNT; p++) {
		struct widget *w = pane(c, (enum cpane)p);
		int row, col;

		if (!widget_hit(w, ev, &row, &col))
			continue;
		if (c->focus != (enum cpane)p)
			set_focus(c, (enum cpane)p);
		if ((widget_mouse(w, ev) & W_ACTIVATE) && p == C_METRICS)
			cmp_request(s, REQ_ENTER, '\n');
		return 1;
	}
	return 0;
}

/* Only runs that are (or were, at the last load) running can have
 * changed what this screen shows. */
static void
cmp_refresh(struct screen *s)
{
	struct cmp *c = (struct cmp *)s;

	for (size_t i = 0; i < c->nruns; i++) {
		if (c->runs[i].info && c->runs[i].info->status ==
		    PL_RUN_RUNNING) {
			load(c);
			return;
		}
	}
}

static int
cmp_tick(struct screen *s)
{
	struct cmp *c = (struct cmp *)s;

	for (size_t i = 0; i < c->nruns; i++)
		if (c->runs[i].info && c->runs[i].info->status ==
		    PL_RUN_RUNNING)
			return 1;
	return 0;
}

static const struct hint_spec *
cmp_hints_fn(struct screen *s, int *n)
{
	(void)s;
	*n = (int)(sizeof cmp_hints / sizeof *cmp_hints);
	return cmp_hints;
}

static void
cmp_destroy(struct screen *s)
{
	struct cmp *c = (struct cmp *)s;

	unload(c);
	free(c->prow);
	widget_free(wtable_widget(c->pt));
	widget_free(wtable_widget(c->mt));
	widget_free(wchart_widget(c->chart));
	free(c);
}

static const struct screen_ops cmp_ops = {
	.name = "compare",
	.layout = cmp_layout,
	.draw = cmp_draw,
	.request = cmp_request,
	.mouse = cmp_mouse,
	.reload = cmp_refresh,
	.tick = cmp_tick,
	.hints = cmp_hints_fn,
	.destroy = cmp_destroy,
};

struct screen *
compare_screen_new(struct app *a, char ids[][PL_ID_LEN + 1], size_t n)
{
	struct cmp *c = xcalloc(1, sizeof *c);
	struct wtable_source ps = { .count = p_count, .cell = p_cell,
		.payload = c };
	struct wtable_source ms = { .count = m_count, .cell = m_cell,
		.payload = c };

	c->base.ops = &cmp_ops;
	c->base.app = a;
	c->chart_key = -1;
	for (size_t i = 0; i < n && i < MAX_RUNS; i++)
		memcpy(c->runs[c->nruns++].id, ids[i], PL_ID_LEN + 1);
	c->pt = wtable_new(a->win, 0, 0, 1, 1, 0);
	c->mt = wtable_new(a->win, 0, 0, 1, 1, 0);
	c->chart = wchart_new(a->win, 0, 0, 1, 1);
	if (!c->pt || !c->mt || !c->chart)
		xoom();
	wtable_set_source(c->pt, &ps);
	wtable_set_source(c->mt, &ms);
	wtable_set_empty_text(c->pt, "no params");
	wtable_set_empty_text(c->mt, "no metrics");
	if (load(c) != 0) {
		cmp_destroy(&c->base);
		return NULL;
	}
	set_columns(c);
	set_focus(c, C_PARAMS);
	return &c->base;
}
