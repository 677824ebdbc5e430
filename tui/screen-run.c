/* screen-run.c - one run: attributes and params, metrics with sparklines, a chart, logs that follow, artifacts. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chart.h"
#include "spark.h"
#include "table.h"
#include "tabs.h"
#include "textview.h"
#include "theme.h"
#include "xalloc.h"
#include "series.h"

/*
 * Layout: the attributes pane (left) and the metrics pane (right) on
 * top; below them a tab bar and one of: the chart of the selected
 * metric, stdout, stderr, artifacts.  Tab moves the keyboard between
 * the three panes.  While the run is running, a change in the store
 * reloads its summaries and the charted series, and the logs follow
 * their files (read from the last offset each second).
 */

enum bottom { B_CHART, B_STDOUT, B_STDERR, B_ARTIFACTS, B__COUNT };
enum pane { P_ATTR, P_METRICS, P_BOTTOM, P__COUNT };

#define LOG_TAIL_MAX (8 << 20)	/* show at most the last 8 MiB of a log */

struct logpane {
	struct wtext *text;
	char *path;
	off_t off;
	bool loaded;
};

struct run {
	struct screen base;
	char id[PL_ID_LEN + 1];
	pl_run_info *info;
	pl_kvlist *attrs;		/* the attribute pane's rows */
	pl_metric_summary *ms;
	size_t nms;
	struct series *series;		/* cache, one per metric key */
	size_t nseries;
	pl_artifact *arts;
	size_t narts;
	struct wtable *attr_t, *met_t, *art_t;
	struct wtabs *tabs;
	struct wchart *chart;
	struct logpane logs[2];
	enum bottom bottom;
	enum pane focus;
	int chart_key;			/* index into ms, -1: none */
	bool time_x;
	int top_h, lw;
	int pipe[2];			/* big series' threads say "done" */
};

/* The status bar: requests, their keys looked up in the keymap. */
static const struct hint_spec run_hints[] = {
	{ REQ_NEXT_PANE, "pane" }, { REQ_ENTER, "chart key" },
	{ REQ_CHART_X, "step/time" }, { REQ_LOG_SCALE, "log-scale" },
	{ REQ_VIEW_CHART, "chart" }, { REQ_VIEW_STDOUT, "stdout" },
	{ REQ_VIEW_STDERR, "stderr" }, { REQ_VIEW_ARTIFACTS, "artifacts" },
	{ REQ_VIEW_PAGER, "pager" }, { REQ_JUMP_MODEL, "model versions" },
	{ REQ_YANK, "copy" }, { REQ_FIND, "search" }, { REQ_BACK, "back" },
	{ REQ_HELP, "help" },
};

/* ---- data -------------------------------------------------------------- */

static void
kv_add(pl_kvlist *l, const char *k, const char *v)
{
	l->items = xreallocarray(l->items, l->n + 1, sizeof *l->items);
	l->items[l->n].key = xstrdup(k);
	l->items[l->n].value = xstrdup(v ? v : "-");
	l->n++;
}

static void
free_series(struct run *r)
{
	for (size_t i = 0; i < r->nseries; i++)
		series_dispose(&r->series[i]);
	free(r->series);
	r->series = NULL;
	r->nseries = 0;
}

/* Points in the series key, from its summary (0 if unknown). */
static int64_t
summary_count(const struct run *r, const char *key)
{
	for (size_t i = 0; i < r->nms; i++)
		if (strcmp(r->ms[i].key, key) == 0)
			return r->ms[i].count;
	return 0;
}

/*
 * The series of key, loaded once (empty if it cannot be read).  A big
 * one is read by a thread (series.c): it shows "loading" until
 * run_child_ready() installs it.
 */
static struct series *
get_series(struct run *r, const char *key)
{
	pl_point *p = NULL;
	size_t n = 0;
	struct series *s;

	for (size_t i = 0; i < r->nseries; i++)
		if (strcmp(r->series[i].key, key) == 0)
			return &r->series[i];
	r->series = xreallocarray(r->series, r->nseries + 1, sizeof *r->series);
	s = &r->series[r->nseries++];
	memset(s, 0, sizeof *s);
	s->key = xstrdup(key);
	if (r->pipe[1] >= 0 && summary_count(r, key) > SERIES_BIG &&
	    series_job_start(s, pl_store_dir(r->base.app->st), r->id,
	    r->info->start_ms, r->pipe[1]) == 0) {
		s->n = (size_t)summary_count(r, key);
		return s;
	}
	if (pl_metric_series(&p, &n, r->base.app->st, r->id, key) != PL_OK) {
		free(p);
		p = NULL;
		n = 0;
	}
	series_fill(s, p, n, r->info->start_ms);
	free(p);
	return s;
}

static void
build_attrs(struct run *r)
{
	pl_run_info *ri = r->info;
	pl_kvlist *params = NULL, *tags = NULL;
	char b[256], t1[48], t2[48];
	pl_store *st = r->base.app->st;

	pl_kvlist_free(r->attrs);
	r->attrs = xcalloc(1, sizeof *r->attrs);
	kv_add(r->attrs, "id", ri->id);
	kv_add(r->attrs, "name", ri->name);
	kv_add(r->attrs, "experiment", ri->experiment);
	kv_add(r->attrs, "status", pl_run_status_name(ri->status));
	snprintf(b, sizeof b, "%s@%s", ri->user ? ri->user : "?",
	    ri->host ? ri->host : "?");
	kv_add(r->attrs, "user", b);
	kv_add(r->attrs, "command", ri->command);
	kv_add(r->attrs, "cwd", ri->cwd);
	if (ri->git.commit) {
		snprintf(b, sizeof b, "%.12s (%s%s)", ri->git.commit,
		    ri->git.branch ? ri->git.branch : "detached",
		    ri->git.dirty == 1 ? ", dirty" : ri->git.dirty == 0 ?
		    "" : ", dirty?");
		kv_add(r->attrs, "code", b);
	} else {
		kv_add(r->attrs, "code", "not in a git repository");
	}
	snprintf(b, sizeof b, "%s  %s", tui_time(t1, sizeof t1, ri->start_ms),
	    tui_duration(t2, sizeof t2, (ri->end_ms ? ri->end_ms :
	    app_wall_ms()) - ri->start_ms));
	kv_add(r->attrs, "started", b);
	if (ri->has_exit_status) {
		snprintf(b, sizeof b, "%d", ri->exit_status);
		kv_add(r->attrs, "exit", b);
	}
	if (ri->message)
		kv_add(r->attrs, "message", ri->message);
	if (ri->parent[0])
		kv_add(r->attrs, "parent", ri->parent);
	if (ri->bad_lines) {
		snprintf(b, sizeof b, "%lld", (long long)ri->bad_lines);
		kv_add(r->attrs, "bad lines", b);
	}
	if (pl_run_params(&params, st, r->id) == PL_OK) {
		for (size_t i = 0; i < params->n; i++) {
			snprintf(b, sizeof b, "param %s", params->items[i].key);
			kv_add(r->attrs, b, params->items[i].value);
		}
	}
	if (pl_run_tags(&tags, st, r->id) == PL_OK) {
		for (size_t i = 0; i < tags->n; i++) {
			snprintf(b, sizeof b, "tag %s", tags->items[i].key);
			kv_add(r->attrs, b, tags->items[i].value);
		}
	}
	if (r->narts) {
		snprintf(b, sizeof b, "%zu (a shows them)", r->narts);
		kv_add(r->attrs, "artifacts", b);
	}
	pl_kvlist_free(params);
	pl_kvlist_free(tags);
}

static void set_chart(struct run *r);

/* (Re)reads everything but the logs; keeps the charted key. */
static int
load(struct run *r)
{
	pl_store *st = r->base.app->st;
	char *key = NULL;
	pl_run_info *ri = NULL;

	if (pl_run_get(&ri, st, r->id) != PL_OK) {
		app_error(r->base.app, "%s", pl_store_errmsg(st));
		return -1;
	}
	pl_run_info_free(r->info);
	r->info = ri;
	if (r->chart_key >= 0 && (size_t)r->chart_key < r->nms)
		key = xstrdup(r->ms[r->chart_key].key);
	pl_metric_summary_free(r->ms, r->nms);
	r->ms = NULL;
	r->nms = 0;
	pl_metric_summaries(&r->ms, &r->nms, st, r->id);
	pl_artifact_list_free(r->arts, r->narts);
	r->arts = NULL;
	r->narts = 0;
	pl_run_artifacts(&r->arts, &r->narts, st, r->id);
	wchart_clear(r->chart);	/* it borrows the series about to go */
	free_series(r);
	r->chart_key = r->nms ? 0 : -1;
	for (size_t i = 0; key && i < r->nms; i++)
		if (strcmp(r->ms[i].key, key) == 0)
			r->chart_key = (int)i;
	free(key);
	build_attrs(r);
	set_chart(r);
	wtable_source_changed(r->attr_t);
	wtable_source_changed(r->met_t);
	wtable_source_changed(r->art_t);
	return 0;
}

/* ---- logs -------------------------------------------------------------- */

/* Reads what was appended to the log since the last call. */
static void
follow_log(struct logpane *lp)
{
	char buf[65536];
	struct stat sb;
	int fd;

	if (lp->path == NULL || (fd = open(lp->path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (fstat(fd, &sb) == 0) {
		if (sb.st_size < lp->off) {	/* truncated: start again */
			wtext_clear(lp->text);
			lp->off = 0;
		}
		if (!lp->loaded && sb.st_size - lp->off > LOG_TAIL_MAX) {
			lp->off = sb.st_size - LOG_TAIL_MAX;
			wtext_add_line(lp->text, "[... earlier output not shown]");
		}
	}
	lp->loaded = true;
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof buf, lp->off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		wtext_append(lp->text, buf, (size_t)n);
		lp->off += n;
	}
	close(fd);
}

/* ---- table sources ----------------------------------------------------- */

static size_t
attr_count(void *p)
{
	struct run *r = p;

	return r->attrs ? r->attrs->n : 0;
}

static void
attr_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct run *r = p;
	const struct pl_kv *kv = &r->attrs->items[row];

	if (col == 0) {
		out->text = kv->key;
		out->role = WR_DIM;
	} else {
		out->text = kv->value;
		if (strcmp(kv->key, "status") == 0)
			out->role = tui_status_role(r->info->status);
	}
}

static size_t
met_count(void *p)
{
	return ((struct run *)p)->nms;
}

static void
met_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct run *r = p;
	const pl_metric_summary *m = &r->ms[row];

	switch (col) {
	case 0:
		out->text = m->key;
		break;
	case 1:
		out->text = tui_num(out->buf, sizeof out->buf, m->last);
		break;
	case 2:
		out->text = get_series(r, m->key)->spark;
		out->role = WR_SERIES0;
		break;
	case 3:
		out->text = tui_num(out->buf, sizeof out->buf, m->min);
		break;
	case 4:
		out->text = tui_num(out->buf, sizeof out->buf, m->max);
		break;
	case 5:
		snprintf(out->buf, sizeof out->buf, "%lld",
		    (long long)m->count);
		out->text = out->buf;
		break;
	}
}

static size_t
art_count(void *p)
{
	return ((struct run *)p)->narts;
}

static void
art_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct run *r = p;
	const pl_artifact *a = &r->arts[row];

	switch (col) {
	case 0:
		out->text = a->path;
		break;
	case 1:
		if (a->size >= 1 << 20)
			snprintf(out->buf, sizeof out->buf, "%.1f MB",
			    a->size / 1048576.0);
		else if (a->size >= 1024)
			snprintf(out->buf, sizeof out->buf, "%.1f kB",
			    a->size / 1024.0);
		else
			snprintf(out->buf, sizeof out->buf, "%lld B",
			    (long long)a->size);
		out->text = out->buf;
		break;
	case 2:
		snprintf(out->buf, sizeof out->buf, "%.12s", a->sha256);
		out->text = out->buf;
		break;
	case 3:
		out->text = tui_time(out->buf, sizeof out->buf, a->logged_ms);
		break;
	}
}

/* ---- chart ------------------------------------------------------------- */

static void
set_chart(struct run *r)
{
	struct series *s;
	int m = r->time_x ? 1 : 0;

	wchart_clear(r->chart);
	wchart_set_format(r->chart, 'x', m ? tui_fmt_elapsed : tui_fmt_step,
	    NULL);
	if (r->chart_key < 0 || (size_t)r->chart_key >= r->nms) {
		wchart_set_empty_text(r->chart, "no metrics");
		return;
	}
	s = get_series(r, r->ms[r->chart_key].key);
	if (s->job) {
		char b[96], n[32];

		snprintf(n, sizeof n, "%zu", s->n);
		snprintf(b, sizeof b, "loading %s points...", n);
		wchart_set_empty_text(r->chart, b);
		return;
	}
	wchart_set_empty_text(r->chart, "no points");
	if (s->mn[m])
		wchart_add_envelope(r->chart, s->key, s->x0[m], s->x1[m],
		    s->mn[m], s->mx[m], SERIES_ENV_BINS, -1);
	else
		wchart_add_series(r->chart, s->key, m ? s->xt : s->x, s->y,
		    s->n, -1);
}

/* ---- layout and paint -------------------------------------------------- */

static struct widget *
bottom_widget(struct run *r)
{
	switch (r->bottom) {
	case B_CHART: return wchart_widget(r->chart);
	case B_STDOUT: return wtext_widget(r->logs[0].text);
	case B_STDERR: return wtext_widget(r->logs[1].text);
	default: return wtable_widget(r->art_t);
	}
}

static struct widget *
pane_widget(struct run *r, enum pane p)
{
	switch (p) {
	case P_ATTR: return wtable_widget(r->attr_t);
	case P_METRICS: return wtable_widget(r->met_t);
	default: return bottom_widget(r);
	}
}

static void
set_focus(struct run *r, enum pane p)
{
	for (int i = 0; i < P__COUNT; i++)
		widget_set_focus(pane_widget(r, (enum pane)i), i == (int)p);
	r->focus = p;
	r->base.dirty = true;
}

static int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void
run_layout(struct screen *sc)
{
	struct run *r = (struct run *)sc;
	struct app *a = sc->app;
	int body = app_body_h(a), by, bh, rw;

	r->top_h = clampi(body * 2 / 5, 4, body - 4 > 4 ? body - 4 : 4);
	if ((size_t)r->top_h > r->nms + 3 && r->nms + 3 > (size_t)8)
		r->top_h = (int)r->nms + 3;
	/* Attributes take 2/5 of the width, at most 60 cells until the
	 * metrics keep 100 (a wide terminal shows long names whole). */
	r->lw = clampi(a->w * 2 / 5, 10, a->w - 100 > 60 ? a->w - 100 : 60);
	rw = a->w - r->lw;
	widget_place(wtable_widget(r->attr_t), a->win, 2, 1,
	    r->top_h - 2 > 1 ? r->top_h - 2 : 1, r->lw - 2 > 1 ? r->lw - 2 : 1);
	widget_place(wtable_widget(r->met_t), a->win, 2, r->lw + 1,
	    r->top_h - 2 > 1 ? r->top_h - 2 : 1, rw - 2 > 1 ? rw - 2 : 1);
	by = 1 + r->top_h;
	widget_place(wtabs_widget(r->tabs), a->win, by, 1, 1,
	    a->w - 2 > 1 ? a->w - 2 : 1);
	bh = a->h - 1 - (by + 1);
	if (bh < 3)
		bh = 3;
	for (int b = 0; b < B__COUNT; b++) {
		struct widget *w = b == B_CHART ? wchart_widget(r->chart) :
		    b == B_STDOUT ? wtext_widget(r->logs[0].text) :
		    b == B_STDERR ? wtext_widget(r->logs[1].text) :
		    wtable_widget(r->art_t);

		widget_place(w, a->win, by + 2, 1, bh - 2 > 1 ? bh - 2 : 1,
		    a->w - 2 > 1 ? a->w - 2 : 1);
	}
}

static const char *const bottom_names[] = { "chart", "stdout", "stderr",
	"artifacts" };

static void
run_draw(struct screen *sc, bool force)
{
	struct run *r = (struct run *)sc;
	struct app *a = sc->app;
	pl_run_info *ri = r->info;
	char crumbs[256], right[128], d[32], title[256], rt[64];
	attr_t border = wtheme_attr(WR_BORDER);
	int by = 1 + r->top_h, bh = a->h - 1 - (by + 1);

	if (bh < 3)
		bh = 3;
	if (force) {
		snprintf(crumbs, sizeof crumbs, "runs %s %.7s %s",
		    widgets_utf8() ? "\xe2\x96\xb8" : ">", r->id,
		    ri->name ? ri->name : "");
		rt[0] = '\0';
		if (ri->has_exit_status)
			snprintf(rt, sizeof rt, "exit %d  ", ri->exit_status);
		snprintf(right, sizeof right, "%s %s  %s%s",
		    tui_status_glyph(ri->status),
		    pl_run_status_name(ri->status), rt,
		    tui_duration(d, sizeof d, (ri->end_ms ? ri->end_ms :
		    app_wall_ms()) - ri->start_ms));
		app_header(a, crumbs, right);
		wbox(a->win, 1, 0, r->top_h, r->lw,
		    r->focus == P_ATTR ? "[attributes]" : "attributes", NULL,
		    border);
		snprintf(rt, sizeof rt, "%zu", r->nms);
		wbox(a->win, 1, r->lw, r->top_h, a->w - r->lw,
		    r->focus == P_METRICS ? "[metrics]" : "metrics", rt,
		    border);
		widget_draw(wtabs_widget(r->tabs), true);
		if (r->bottom == B_CHART && r->chart_key >= 0) {
			const pl_metric_summary *m = &r->ms[r->chart_key];

			snprintf(title, sizeof title, "%s%s%s %s %s",
			    r->focus == P_BOTTOM ? "[" : "", m->key,
			    r->focus == P_BOTTOM ? "]" : "",
			    r->time_x ? "time (s)" : "step",
			    wchart_log(r->chart) ? "log" : "");
			snprintf(rt, sizeof rt, "%lld pts",
			    (long long)get_series(r, m->key)->n);
		} else {
			snprintf(title, sizeof title, "%s%s%s",
			    r->focus == P_BOTTOM ? "[" : "",
			    bottom_names[r->bottom],
			    r->focus == P_BOTTOM ? "]" : "");
			rt[0] = '\0';
			if (r->bottom == B_STDOUT || r->bottom == B_STDERR) {
				struct wtext *t = r->logs[r->bottom - 1].text;

				size_t nl = wtext_count(t);

				/* "1 line", "3 lines", then whether the
				 * view follows the end. */
				snprintf(rt, sizeof rt, "%zu line%s%s", nl,
				    nl == 1 ? "" : "s", wtext_follow(t) ?
				    " \xc2\xb7 following" : "");
				if (!widgets_utf8() && wtext_follow(t))
					snprintf(rt, sizeof rt, "%zu line%s, "
					    "following", nl, nl == 1 ? "" :
					    "s");
			}
		}
		wbox(a->win, by + 1, 0, bh, a->w, title, rt[0] ? rt : NULL,
		    border);
	}
	widget_draw(wtable_widget(r->attr_t), force);
	widget_draw(wtable_widget(r->met_t), force);
	widget_draw(wtabs_widget(r->tabs), force);
	widget_draw(bottom_widget(r), force);
}

/* ---- requests ---------------------------------------------------------- */

static void
show_bottom(struct run *r, enum bottom b)
{
	r->bottom = b;
	wtabs_set_active(r->tabs, (int)b);
	if (b == B_STDOUT || b == B_STDERR) {
		struct logpane *lp = &r->logs[b - 1];

		if (!lp->loaded)
			follow_log(lp);
	}
	set_focus(r, r->focus);
	r->base.dirty = true;
}

static int
search_cb(struct screen *sc, const char *text, unsigned ev)
{
	struct run *r = (struct run *)sc;

	if ((ev & W_SUBMIT) && (r->bottom == B_STDOUT || r->bottom == B_STDERR)) {
		if (wtext_search(r->logs[r->bottom - 1].text, text, 1, true) < 0)
			app_error(sc->app, "not found: %s", text);
		sc->dirty = true;
	}
	return 0;
}

/*
 * v (or Enter on an artifact): the artifact under the cursor in $PAGER
 * (from the store's cache: what was logged, not today's file); on a
 * log pane, that log.
 */
static void
page(struct run *r)
{
	struct app *a = r->base.app;
	char *path = NULL;

	if (r->bottom == B_ARTIFACTS) {
		if (r->narts == 0) {
			app_error(a, "this run has no artifacts");
			return;
		}
		path = pl_cache_object_path(a->st,
		    r->arts[wtable_cursor(r->art_t)].sha256);
	} else if (r->bottom == B_STDOUT || r->bottom == B_STDERR) {
		path = pl_run_log_path(a->st, r->id, r->bottom == B_STDOUT ?
		    "stdout" : "stderr");
	} else {
		app_error(a, "a opens the artifacts, v then shows one");
		return;
	}
	if (path)
		app_page_file(a, path);
	free(path);
}

/*
 * V: the model versions registered from this run.  The registry has no
 * index by run, so every version is looked at (registries hold tens to
 * hundreds of versions, read once per key press).
 */
static void
jump_model(struct run *r)
{
	struct app *a = r->base.app;
	pl_model_summary *ms = NULL;
	size_t nm = 0, found = 0;
	char first[256] = "", list[512] = "";
	int first_v = 0;

	if (pl_model_list(&ms, &nm, a->st) != PL_OK) {
		app_error(a, "%s", pl_store_errmsg(a->st));
		return;
	}
	for (size_t i = 0; i < nm; i++) {
		int *vs = NULL;
		size_t nv = 0;

		if (pl_model_versions(&vs, &nv, a->st, ms[i].name) != PL_OK)
			continue;
		for (size_t k = 0; k < nv; k++) {
			pl_model_version *v = NULL;

			if (pl_model_get(&v, a->st, ms[i].name, vs[k]) !=
			    PL_OK)
				continue;
			if (strcmp(v->run_id, r->id) == 0) {
				size_t l = strlen(list);

				if (found++ == 0) {
					snprintf(first, sizeof first, "%s",
					    ms[i].name);
					first_v = vs[k];
				}
				snprintf(list + l, sizeof list - l, "%s%s v%d",
				    l ? ", " : "", ms[i].name, vs[k]);
			}
			pl_model_version_free(v);
		}
		free(vs);
	}
	pl_model_summary_free(ms, nm);
	if (found == 0) {
		app_error(a, "no model version was registered from this run");
		return;
	}
	{
		struct screen *s = models_screen_new(a, first);

		if (s == NULL)
			return;
		app_push(a, s);
		models_screen_select(s, first_v);
		if (found > 1)
			app_info(a, "this run produced %zu versions: %s", found,
			    list);
	}
}

static int
run_request(struct screen *sc, enum request req, int key)
{
	struct run *r = (struct run *)sc;
	struct widget *fw = pane_widget(r, r->focus);
	unsigned res;

	switch (req) {
	case REQ_NEXT_PANE:
	case REQ_PREV_PANE:
		set_focus(r, (enum pane)((r->focus + (req == REQ_NEXT_PANE ?
		    1 : P__COUNT - 1)) % P__COUNT));
		return 1;
	case REQ_VIEW_CHART:
		show_bottom(r, B_CHART);
		return 1;
	case REQ_VIEW_STDOUT:
		show_bottom(r, B_STDOUT);
		return 1;
	case REQ_VIEW_STDERR:
		show_bottom(r, B_STDERR);
		return 1;
	case REQ_VIEW_ARTIFACTS:
		show_bottom(r, B_ARTIFACTS);
		return 1;
	case REQ_RELOAD:
		load(r);
		return 1;
	case REQ_CHART_X:
		r->time_x = !r->time_x;
		set_chart(r);
		sc->dirty = true;
		return 1;
	case REQ_LOG_SCALE:
		wchart_set_log(r->chart, !wchart_log(r->chart));
		sc->dirty = true;
		return 1;
	case REQ_WRAP:
	case REQ_FOLLOW:
		if (r->bottom == B_STDOUT || r->bottom == B_STDERR) {
			struct wtext *t = r->logs[r->bottom - 1].text;

			if (req == REQ_WRAP)
				wtext_set_wrap(t, !wtext_wrap(t));
			else
				wtext_set_follow(t, !wtext_follow(t));
			sc->dirty = true;
		}
		return 1;
	case REQ_FIND:
		if (r->bottom != B_STDOUT && r->bottom != B_STDERR)
			show_bottom(r, B_STDOUT);
		set_focus(r, P_BOTTOM);
		app_prompt(sc->app, sc, "search: ", "", search_cb);
		return 1;
	case REQ_YANK:
		/* The artifact's path in the store's cache when the
		 * artifacts pane has the keyboard, else the run id. */
		if (r->focus == P_BOTTOM && r->bottom == B_ARTIFACTS &&
		    r->narts) {
			char *path = pl_cache_object_path(sc->app->st,
			    r->arts[wtable_cursor(r->art_t)].sha256);

			if (path)
				app_yank(sc->app, path, "artifact path");
			free(path);
		} else {
			app_yank(sc->app, r->id, "run id");
		}
		return 1;
	case REQ_VIEW_PAGER:
		page(r);
		return 1;
	case REQ_JUMP_MODEL:
		jump_model(r);
		return 1;
	case REQ_ENTER:
		if (r->focus == P_BOTTOM && r->bottom == B_ARTIFACTS) {
			page(r);
			return 1;
		}
		if (r->focus == P_METRICS && r->nms) {
			r->chart_key = (int)wtable_cursor(r->met_t);
			show_bottom(r, B_CHART);
			set_chart(r);
			return 1;
		}
		return 1;
	default:
		if (keymap_widget_key(req)) {
			res = widget_key(fw, keymap_widget_key(req));
			if (res & (W_REDRAW | W_MOVED | W_CHANGED))
				fw->dirty = true;
			/* the title shows follow on/off */
			if (r->focus == P_BOTTOM && r->bottom != B_CHART)
				sc->dirty = true;
			return res != 0 || req == REQ_FIND_NEXT ||
			    req == REQ_FIND_PREV;
		}
	}
	(void)key;
	return 0;
}

static int
run_mouse(struct screen *sc, const MEVENT *ev)
{
	struct run *r = (struct run *)sc;

	if (widget_mouse(wtabs_widget(r->tabs), ev) & W_CHANGED) {
		show_bottom(r, (enum bottom)wtabs_active(r->tabs));
		return 1;
	}
	for (int p = 0; p < P__COUNT; p++) {
		struct widget *w = pane_widget(r, (enum pane)p);
		int row, col;

		if (!widget_hit(w, ev, &row, &col))
			continue;
		if (r->focus != (enum pane)p)
			set_focus(r, (enum pane)p);
		if ((widget_mouse(w, ev) & W_ACTIVATE) && p == P_METRICS)
			run_request(sc, REQ_ENTER, '\n');
		return 1;
	}
	return 0;
}

/* ---- live -------------------------------------------------------------- */

/*
 * The store changed (maybe not this run).  A running run, or one that
 * just ended, is read again whole; a finished run only has its params,
 * tags and artifacts re-read, so that other runs logging every second
 * do not make it reload a million-point series every second.
 */
static void
run_refresh(struct screen *sc)
{
	struct run *r = (struct run *)sc;
	pl_store *st = sc->app->st;
	pl_run_info *ri = NULL;

	if (r->info->status == PL_RUN_RUNNING) {
		load(r);
		return;
	}
	if (pl_run_get(&ri, st, r->id) != PL_OK)
		return;		/* gone: keep showing what we had */
	if (ri->status != r->info->status || ri->end_ms != r->info->end_ms) {
		pl_run_info_free(ri);
		load(r);
		return;
	}
	pl_run_info_free(r->info);
	r->info = ri;
	pl_artifact_list_free(r->arts, r->narts);
	r->arts = NULL;
	r->narts = 0;
	pl_run_artifacts(&r->arts, &r->narts, st, r->id);
	build_attrs(r);
	wtable_source_changed(r->attr_t);
	wtable_source_changed(r->art_t);
}

static int
run_tick(struct screen *sc)
{
	struct run *r = (struct run *)sc;

	if (r->info->status != PL_RUN_RUNNING)
		return 0;
	for (int i = 0; i < 2; i++)
		if (r->logs[i].loaded)
			follow_log(&r->logs[i]);
	/* the duration in the header ticks */
	sc->dirty = true;
	return 1;
}

/* The pipe of the series threads while one is loading, else -1. */
static int
run_child_fd(struct screen *sc)
{
	struct run *r = (struct run *)sc;

	for (size_t i = 0; i < r->nseries; i++)
		if (r->series[i].job)
			return r->pipe[0];
	return -1;
}

/* A series thread is done: install what it loaded. */
static void
run_child_ready(struct screen *sc)
{
	struct run *r = (struct run *)sc;
	char buf[64];
	double ms;
	bool any = false;

	while (read(r->pipe[0], buf, sizeof buf) > 0)
		;
	for (size_t i = 0; i < r->nseries; i++) {
		if (!series_job_finish(&r->series[i], &ms))
			continue;
		any = true;
		if (sc->app->bench) {
			fprintf(sc->app->bench, "series_loaded_ms %.3f\n", ms);
			fflush(sc->app->bench);
		}
	}
	if (!any)
		return;
	set_chart(r);
	wtable_source_changed(r->met_t);
	sc->dirty = true;
}

static const struct hint_spec *
run_hints_fn(struct screen *sc, int *n)
{
	(void)sc;
	*n = (int)(sizeof run_hints / sizeof *run_hints);
	return run_hints;
}

static void
run_destroy(struct screen *sc)
{
	struct run *r = (struct run *)sc;

	widget_free(wtable_widget(r->attr_t));
	widget_free(wtable_widget(r->met_t));
	widget_free(wtable_widget(r->art_t));
	widget_free(wtabs_widget(r->tabs));
	widget_free(wchart_widget(r->chart));
	for (int i = 0; i < 2; i++) {
		widget_free(wtext_widget(r->logs[i].text));
		free(r->logs[i].path);
	}
	free_series(r);		/* abandons loading threads first */
	for (int i = 0; i < 2; i++)
		if (r->pipe[i] >= 0)
			close(r->pipe[i]);
	pl_run_info_free(r->info);
	pl_kvlist_free(r->attrs);
	pl_metric_summary_free(r->ms, r->nms);
	pl_artifact_list_free(r->arts, r->narts);
	free(r);
}

static const struct screen_ops run_ops = {
	.name = "run",
	.layout = run_layout,
	.draw = run_draw,
	.request = run_request,
	.mouse = run_mouse,
	.reload = run_refresh,
	.tick = run_tick,
	.child_fd = run_child_fd,
	.child_ready = run_child_ready,
	.hints = run_hints_fn,
	.destroy = run_destroy,
};

struct screen *
run_screen_new(struct app *a, const char *id)
{
	struct run *r = xcalloc(1, sizeof *r);
	struct wtable_source as = { .count = attr_count, .cell = attr_cell,
		.payload = r };
	struct wtable_source ms = { .count = met_count, .cell = met_cell,
		.payload = r };
	struct wtable_source ar = { .count = art_count, .cell = art_cell,
		.payload = r };
	static const struct wcolumn acols[] = {
		{ .title = "", .min = 10, .flex = 0 },
		{ .title = "", .min = 10, .flex = 1 },
	};
	static const struct wcolumn mcols[] = {
		{ .title = "KEY", .min = 8, .flex = 1 },
		{ .title = "LAST", .width = 9, .flags = WCOL_RIGHT },
		{ .title = "TREND", .width = 20 },
		{ .title = "MIN", .width = 9, .flags = WCOL_RIGHT },
		{ .title = "MAX", .width = 9, .flags = WCOL_RIGHT },
		{ .title = "N", .width = 7, .flags = WCOL_RIGHT },
	};
	static const struct wcolumn artcols[] = {
		{ .title = "PATH", .min = 10, .flex = 1 },
		{ .title = "SIZE", .width = 9, .flags = WCOL_RIGHT },
		{ .title = "SHA-256", .width = 12 },
		{ .title = "LOGGED", .width = 11 },
	};

	r->base.ops = &run_ops;
	r->base.app = a;
	memcpy(r->id, id, sizeof r->id);
	r->chart_key = -1;
	/* No pipe: big series load in place, as before. */
	if (pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		r->pipe[0] = r->pipe[1] = -1;
	r->attr_t = wtable_new(a->win, 0, 0, 1, 1, WTABLE_NOHEADER);
	r->met_t = wtable_new(a->win, 0, 0, 1, 1, 0);
	r->art_t = wtable_new(a->win, 0, 0, 1, 1, 0);
	r->tabs = wtabs_new(a->win, 0, 0, 1);
	r->chart = wchart_new(a->win, 0, 0, 1, 1);
	for (int i = 0; i < 2; i++) {
		r->logs[i].text = wtext_new(a->win, 0, 0, 1, 1);
		r->logs[i].path = pl_run_log_path(a->st, id,
		    i ? "stderr" : "stdout");
		if (r->logs[i].text == NULL)
			xoom();
	}
	if (!r->attr_t || !r->met_t || !r->art_t || !r->tabs || !r->chart)
		xoom();
	wtable_set_source(r->attr_t, &as);
	wtable_set_columns(r->attr_t, acols, 2);
	wtable_set_source(r->met_t, &ms);
	wtable_set_columns(r->met_t, mcols, 6);
	wtable_set_empty_text(r->met_t, "no metrics logged");
	wtable_set_source(r->art_t, &ar);
	wtable_set_columns(r->art_t, artcols, 4);
	wtable_set_empty_text(r->art_t, "no artifacts");
	for (int b = 0; b < B__COUNT; b++)
		wtabs_add(r->tabs, bottom_names[b]);
	if (load(r) != 0) {
		run_destroy(&r->base);
		return NULL;
	}
	set_focus(r, r->nms ? P_METRICS : P_ATTR);
	/* Nothing to chart: the log is more useful. */
	if (r->nms == 0)
		show_bottom(r, B_STDOUT);
	return &r->base;
}
