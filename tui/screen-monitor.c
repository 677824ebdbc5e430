/* screen-monitor.c - the on-call screen: every monitored target with sparklines, the selected target's charts on one time axis, and the alerts (ack, silence). */
#include "config.h"
#include "tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "spark.h"
#include "table.h"
#include "theme.h"
#include "xalloc.h"

/*
 * Everything here is read from the store that `plumb watch` writes
 * (pl_mon_status_get, pl_mon_history, the alert history): the screen
 * reloads when the store's data_version moves (the app's 1 s tick), so
 * an idle screen costs a poll a second and a watcher round one reload.
 *
 * Layout, top to bottom: the targets table (worst first), the charts of
 * the target under the cursor (a grid sharing one time window: zoom,
 * freeze, pan), the alerts (firing, pending, resolved in the last
 * hour).  Tab moves the focus between the two tables.
 */

#define SPARK_W 8		/* cells of a sparkline in the table */
#define SPARK_SPAN_MS 3600000	/* sparklines: the last hour */
#define STALE_S 120.0		/* no watcher round for this long: stale */
#define RESOLVED_SPAN_MS 3600000	/* resolved alerts listed this long */

enum { SP_REQ, SP_ERR, SP_P95, SP_CPU, SP_RSS, SP__COUNT };
static const pl_mon_metric spark_metric[SP__COUNT] = {
	PL_MM_REQ_RATE, PL_MM_ERR_RATIO, PL_MM_P95, PL_MM_CPU, PL_MM_RSS,
};

/* A target's state mark, worst first (the default sort). */
enum tstate { TS_FIRING, TS_DOWN, TS_PENDING, TS_STALE, TS_OK, TS_UNKNOWN };

struct mtarget {
	char *name;
	pl_mon_status s;
	double spark[SP__COUNT][SPARK_W];
	int firing, pending;
	enum tstate state;
};

/* The charts of the detail grid, each with up to three series. */
struct chartdef {
	const char *title;
	pl_mon_metric m[3];
	int nm;
	double scale;		/* value shown = value * scale */
};
static const struct chartdef chartdefs[] = {
	{ "latency (ms)", { PL_MM_P50, PL_MM_P95, PL_MM_P99 }, 3, 1000 },
	{ "requests/s", { PL_MM_REQ_RATE }, 1, 1 },
	{ "errors (%)", { PL_MM_ERR_RATIO }, 1, 100 },
	{ "accuracy, labelled, drift", { PL_MM_ACC, PL_MM_COV,
	    PL_MM_DRIFT }, 3, 1 },
	{ "CPU (% of a core)", { PL_MM_CPU }, 1, 1 },
	{ "memory (MiB)", { PL_MM_RSS }, 1, 1.0 / 1048576 },
};
#define NCHART ((int)(sizeof chartdefs / sizeof *chartdefs))

/* Zoom levels of the charts' window. */
static const struct { const char *name; int64_t ms; } zooms[] = {
	{ "15m", 900000 }, { "1h", 3600000 }, { "6h", 21600000 },
	{ "1d", 86400000 }, { "7d", 604800000 }, { "30d", 2592000000LL },
};
#define NZOOM ((int)(sizeof zooms / sizeof *zooms))

enum mpane { P_TARGETS, P_ALERTS, P__COUNT };

struct mon {
	struct screen base;
	struct mtarget *t;
	size_t nt;
	pl_alert_row *al;	/* active ones first, then resolved */
	size_t nal, nactive;
	struct wtable *tt, *at;
	struct wchart *ch[NCHART];
	int nshown;		/* charts that fit */
	double *cx;		/* shared x: bucket middles, Unix seconds */
	double *cy[NCHART][3];
	size_t npts;
	char chart_target[256];	/* whose charts are loaded */
	pl_event *ev;		/* the charts' event marks, oldest first */
	size_t nev;
	int64_t ev_sel;		/* id of the selected mark, 0: none */
	int zoom;
	bool frozen;		/* stop following now */
	int64_t end_ms;		/* the window's end while frozen */
	enum mpane focus;
	int watcher;		/* 1 running */
	long wpid;
	char whost[128];
	/* layout */
	int th, ah, cy0, chh;
};

static const struct hint_spec mon_hints[] = {
	{ REQ_NEXT_PANE, "pane" }, { REQ_ZOOM_IN, "zoom" },
	{ REQ_FOLLOW, "freeze" }, { REQ_ALERT_ACK, "ack" },
	{ REQ_ALERT_SILENCE, "silence" }, { REQ_VIEW_DRIFT, "drift" },
	{ REQ_MARK_NEXT, "events" },
	{ REQ_BACK, "back" },
	{ REQ_HELP, "help" },
};

/* ---- data -------------------------------------------------------------- */

static void
free_targets(struct mon *m)
{
	for (size_t i = 0; i < m->nt; i++)
		free(m->t[i].name);
	free(m->t);
	m->t = NULL;
	m->nt = 0;
}

/* 1 when the alert row's labels carry target="name". */
static int
alert_of(const pl_alert_row *r, const char *name)
{
	char want[300];

	snprintf(want, sizeof want, "target=\"%s\"", name);
	return r->labels && strstr(r->labels, want) != NULL;
}

static enum tstate
state_of(const struct mtarget *t)
{
	if (t->firing)
		return TS_FIRING;
	if (t->s.up == 0)
		return TS_DOWN;
	if (t->pending)
		return TS_PENDING;
	if (isnan(t->s.age_s) && t->s.up < 0)
		return TS_UNKNOWN;
	if (isnan(t->s.age_s) || t->s.age_s > STALE_S)
		return TS_STALE;
	return TS_OK;
}

static int
cmp_target(const void *a, const void *b)
{
	const struct mtarget *x = a, *y = b;

	if (x->state != y->state)
		return (int)x->state - (int)y->state;
	return strcmp(x->name, y->name);
}

static int64_t
window_end(const struct mon *m)
{
	return m->frozen ? m->end_ms : app_wall_ms();
}

/* The detail charts of the target under the cursor, for the window. */
/* The role of an event's mark: what went wrong red, what went right
 * green, the rest neutral. */
static int
event_role(const pl_event *e)
{
	const char *k = e->kind;

	if (!strcmp(k, "alert"))
		return e->message && !strncmp(e->message, "resolved", 8) ?
		    WR_OK : WR_FAILED;
	if (!strcmp(k, "rollback") || !strcmp(k, "target-down") ||
	    !strcmp(k, "scrape-failure") || !strcmp(k, "drift") ||
	    !strcmp(k, "concept-drift"))
		return WR_FAILED;
	if (!strcmp(k, "deploy") || !strcmp(k, "promote") ||
	    !strcmp(k, "target-up"))
		return WR_OK;
	/* a CT run: its end says how it went (history.c) */
	if (!strcmp(k, "ct") && e->message && strstr(e->message, " failed"))
		return WR_FAILED;
	if (!strcmp(k, "ct") && e->message && strstr(e->message,
	    " succeeded"))
		return WR_OK;
	return WR_TITLE;
}

/* Index of the selected mark in m->ev, or -1. */
static int
sel_index(const struct mon *m)
{
	for (size_t i = 0; i < m->nev; i++)
		if (m->ev[i].id == m->ev_sel)
			return (int)i;
	return -1;
}

/* The events of the charts' window, as marks on every chart. */
static void
load_marks(struct mon *m, int64_t start, int64_t end)
{
	double *x;
	int *role, sel;

	pl_events_free(m->ev, m->nev);
	m->ev = NULL;
	m->nev = 0;
	if (pl_mon_timeline(&m->ev, &m->nev, m->base.app->st,
	    m->chart_target, start, end) != PL_OK) {
		m->ev = NULL;
		m->nev = 0;
	}
	sel = sel_index(m);
	if (sel < 0)
		m->ev_sel = 0;
	x = xcalloc(m->nev + 1, sizeof *x);
	role = xcalloc(m->nev + 1, sizeof *role);
	for (size_t i = 0; i < m->nev; i++) {
		x[i] = (double)m->ev[i].time_ms / 1000.0;
		role[i] = event_role(&m->ev[i]);
	}
	for (int c = 0; c < NCHART; c++)
		if (wchart_set_marks(m->ch[c], x, role, m->nev, sel) != 0)
			xoom();
	free(x);
	free(role);
}

static void load_charts_in(struct mon *m);

/* The charts of the target under the cursor, read in one snapshot. */
static void
load_charts(struct mon *m)
{
	int began = pl_store_read_begin(m->base.app->st);

	load_charts_in(m);
	pl_store_read_end(m->base.app->st, began);
}

static void
load_charts_in(struct mon *m)
{
	struct app *a = m->base.app;
	int64_t end = window_end(m), span = zooms[m->zoom].ms;
	const char *name;
	size_t np = m->npts;

	for (int c = 0; c < NCHART; c++)
		wchart_clear(m->ch[c]);
	m->chart_target[0] = '\0';
	if (m->nt == 0 || np == 0)
		return;
	name = m->t[wtable_cursor(m->tt) < m->nt ? wtable_cursor(m->tt) :
	    0].name;
	snprintf(m->chart_target, sizeof m->chart_target, "%s", name);
	/* the middles of pl_mon_history's buckets */
	int64_t step, base = pl_mon_bucket_base(&step, end - span, end, np);

	for (size_t i = 0; i < np; i++)
		m->cx[i] = ((double)base + ((double)i + 0.5) * (double)step) /
		    1000.0;
	for (int c = 0; c < NCHART; c++) {
		const struct chartdef *d = &chartdefs[c];

		for (int k = 0; k < d->nm; k++) {
			double *y = m->cy[c][k];

			if (pl_mon_history(y, np, a->st, name, d->m[k], end -
			    span, end) != PL_OK)
				for (size_t i = 0; i < np; i++)
					y[i] = NAN;
			for (size_t i = 0; i < np; i++)
				y[i] *= d->scale;
			wchart_add_series(m->ch[c], pl_mon_metric_name(d->m[k]),
			    m->cx, y, np, -1);
		}
	}
	load_marks(m, end - span, end);
}

static void load_in(struct mon *m);

/* Everything the screen shows, read in one snapshot: one lock for the
 * few hundred reads of 20 targets instead of one per statement. */
static void
load(struct mon *m)
{
	int began = pl_store_read_begin(m->base.app->st);

	load_in(m);
	pl_store_read_end(m->base.app->st, began);
}

static void
load_in(struct mon *m)
{
	struct app *a = m->base.app;
	char **names = NULL, prev[256] = "";
	size_t n = 0;
	int64_t now = app_wall_ms();
	pl_alert_row *act = NULL, *hist = NULL;
	size_t nact = 0, nhist = 0;

	if (m->nt && wtable_cursor(m->tt) < m->nt)
		snprintf(prev, sizeof prev, "%s",
		    m->t[wtable_cursor(m->tt)].name);
	free_targets(m);
	pl_alert_rows_free(m->al, m->nal);
	m->al = NULL;
	m->nal = m->nactive = 0;

	if (pl_alerts_active(&act, &nact, a->st, now) != PL_OK)
		nact = 0;
	if (pl_alerts_history(&hist, &nhist, a->st, now -
	    RESOLVED_SPAN_MS) != PL_OK)
		nhist = 0;
	/* active first (newest first), then what resolved in the hour; a
	 * row taken is zeroed in its array, which then frees the rest */
	m->al = xcalloc(nact + nhist + 1, sizeof *m->al);
	for (size_t i = nact; i-- > 0;) {
		m->al[m->nal++] = act[i];
		memset(&act[i], 0, sizeof act[i]);
	}
	m->nactive = m->nal;
	for (size_t i = nhist; i-- > 0;) {
		if (hist[i].end_ms && hist[i].state &&
		    strcmp(hist[i].state, "resolved") == 0) {
			m->al[m->nal++] = hist[i];
			memset(&hist[i], 0, sizeof hist[i]);
		}
	}
	pl_alert_rows_free(act, nact);
	pl_alert_rows_free(hist, nhist);

	m->watcher = pl_watch_holder(&m->wpid, m->whost, sizeof m->whost,
	    &(int64_t){ 0 }, pl_store_dir(a->st));
	if (pl_mon_targets(&names, &n, a->st) != PL_OK)
		n = 0;
	m->t = xcalloc(n + 1, sizeof *m->t);
	for (size_t i = 0; i < n; i++) {
		struct mtarget *t = &m->t[m->nt++];

		t->name = names[i];
		pl_mon_status_get(&t->s, a->st, t->name, now);
		for (int k = 0; k < SP__COUNT; k++)
			if (pl_mon_history(t->spark[k], SPARK_W, a->st, t->name,
			    spark_metric[k], now - SPARK_SPAN_MS, now) !=
			    PL_OK)
				for (int j = 0; j < SPARK_W; j++)
					t->spark[k][j] = NAN;
		for (size_t j = 0; j < m->nactive; j++) {
			if (!alert_of(&m->al[j], t->name))
				continue;
			if (strcmp(m->al[j].state, "firing") == 0)
				t->firing++;
			else
				t->pending++;
		}
		t->state = state_of(t);
	}
	free(names);	/* the strings moved into m->t */
	qsort(m->t, m->nt, sizeof *m->t, cmp_target);
	wtable_source_changed(m->tt);
	wtable_source_changed(m->at);
	/* the cursor stays on the target it was on */
	for (size_t i = 0; i < m->nt && prev[0]; i++)
		if (strcmp(m->t[i].name, prev) == 0)
			wtable_set_cursor(m->tt, i);
	load_charts(m);
}

/* ---- the targets table ------------------------------------------------- */

enum { TC_MARK, TC_NAME, TC_REQ, TC_ERR, TC_P95, TC_CPU, TC_RSS, TC_DRIFT,
	TC_ACC, TC_MODEL, TC__COUNT };

static size_t
t_count(void *p)
{
	return ((struct mon *)p)->nt;
}

/* A sparkline of the last hour and the current value after it. */
static void
spark_cell(struct wcell *out, const double *v, const char *now)
{
	char sp[3 * SPARK_W + 1];

	wspark_render(v, SPARK_W, SPARK_W, NAN, NAN, widgets_utf8(), sp,
	    sizeof sp);
	snprintf(out->buf, sizeof out->buf, "%-*s %s", SPARK_W, sp, now);
	out->text = out->buf;
}

static const char *
num(char *b, size_t n, double v, double scale, int prec, const char *unit)
{
	if (isnan(v))
		return "-";
	snprintf(b, n, "%.*f%s", prec, v * scale, unit);
	return b;
}

static void
t_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct mon *m = p;
	const struct mtarget *t = &m->t[row];
	char b[48];
	bool u = widgets_utf8();

	switch (col) {
	case TC_MARK:
		switch (t->state) {
		case TS_FIRING:
			out->text = "!";
			out->role = WR_FAILED;
			out->attr = A_BOLD;
			break;
		case TS_DOWN:
			out->text = u ? "\xe2\x96\xbc" : "v";	/* ▼ */
			out->role = WR_FAILED;
			break;
		case TS_PENDING:
			out->text = u ? "\xe2\x97\x8f" : "*";
			out->role = WR_RUNNING;
			break;
		case TS_STALE:
			out->text = "~";
			out->role = WR_DIM;
			break;
		case TS_OK:
			out->text = u ? "\xe2\x97\x8f" : "+";	/* ● */
			out->role = WR_OK;
			break;
		default:
			out->text = "?";
			out->role = WR_DIM;
		}
		break;
	case TC_NAME:
		out->text = t->name;
		break;
	case TC_REQ:
		spark_cell(out, t->spark[SP_REQ], num(b, sizeof b,
		    t->s.req_rate, 1, 1, ""));
		break;
	case TC_ERR:
		spark_cell(out, t->spark[SP_ERR], num(b, sizeof b,
		    t->s.err_ratio, 100, 1, "%"));
		if (!isnan(t->s.err_ratio) && t->s.err_ratio >= 0.05)
			out->role = WR_FAILED;
		break;
	case TC_P95:
		spark_cell(out, t->spark[SP_P95], num(b, sizeof b, t->s.p95,
		    1000, 1, "ms"));
		break;
	case TC_CPU:
		spark_cell(out, t->spark[SP_CPU], num(b, sizeof b,
		    t->s.cpu_pct, 1, 0, "%"));
		break;
	case TC_RSS:
		spark_cell(out, t->spark[SP_RSS], num(b, sizeof b, t->s.rss,
		    1.0 / 1048576, 0, "M"));
		break;
	case TC_DRIFT:
		out->text = num(out->buf, sizeof out->buf, t->s.drift, 100, 0,
		    "%");
		if (!isnan(t->s.drift) && t->s.drift > 0)
			out->role = WR_RUNNING;
		break;
	case TC_ACC:
		if (isnan(t->s.acc))
			out->text = "-";
		else {
			if (isnan(t->s.cov))
				snprintf(out->buf, sizeof out->buf, "%.3f",
				    t->s.acc);
			else
				snprintf(out->buf, sizeof out->buf,
				    "%.3f (%.0f%%)", t->s.acc,
				    t->s.cov * 100);
			out->text = out->buf;
		}
		break;
	case TC_MODEL:
		if (!t->s.model[0])
			out->text = "-";
		else if (t->s.model_version)
			snprintf(out->buf, sizeof out->buf, "%.100s v%d",
			    t->s.model, t->s.model_version);
		else
			snprintf(out->buf, sizeof out->buf, "%.100s (none)",
			    t->s.model);
		if (t->s.model[0])
			out->text = out->buf;
		break;
	}
}

static int
t_match(void *p, size_t row, const char *needle)
{
	return strstr(((struct mon *)p)->t[row].name, needle) != NULL;
}

/* ---- the alerts table -------------------------------------------------- */

enum { AC_STATE, AC_FOR, AC_NAME, AC_VALUE, AC_LABELS, AC_NOTE, AC__COUNT };

static size_t
a_count(void *p)
{
	return ((struct mon *)p)->nal;
}

static void
a_cell(void *p, size_t row, int col, struct wcell *out)
{
	struct mon *m = p;
	const pl_alert_row *r = &m->al[row];
	bool firing = strcmp(r->state, "firing") == 0;
	bool resolved = row >= m->nactive;
	int64_t now = app_wall_ms(), from;

	if (resolved)
		out->role = WR_DIM;
	switch (col) {
	case AC_STATE:
		out->text = resolved ? "resolved" : r->state;
		if (!resolved)
			out->role = firing ? WR_FAILED : WR_RUNNING;
		break;
	case AC_FOR:
		/* firing: since it fired; pending: since it went active;
		 * resolved: how long it lasted */
		from = firing && r->fired_ms ? r->fired_ms : r->active_ms;
		tui_duration(out->buf, sizeof out->buf, (resolved && r->end_ms ?
		    r->end_ms : now) - from);
		out->text = out->buf;
		break;
	case AC_NAME:
		out->text = r->alertname;
		break;
	case AC_VALUE:
		out->text = tui_num(out->buf, sizeof out->buf, r->value);
		break;
	case AC_LABELS:
		out->text = r->labels;
		break;
	case AC_NOTE:
		if (r->silenced_by)
			snprintf(out->buf, sizeof out->buf, "silenced %.8s",
			    r->silenced_by);
		else if (r->ack_ms)
			snprintf(out->buf, sizeof out->buf, "acked by %s%s%s",
			    r->ack_user ? r->ack_user : "?",
			    r->ack_comment ? ": " : "",
			    r->ack_comment ? r->ack_comment : "");
		else
			out->buf[0] = '\0';
		out->text = out->buf;
		break;
	}
}

/* ---- layout and paint -------------------------------------------------- */

static void
set_columns(struct mon *m)
{
	static const struct wcolumn tc[TC__COUNT] = {
		{ .title = "", .width = 1 },
		{ .title = "TARGET", .width = 8, .min = 6, .flags = WCOL_FIT },
		{ .title = "REQ/S", .width = SPARK_W + 6 },
		{ .title = "ERR", .width = SPARK_W + 6 },
		{ .title = "P95", .width = SPARK_W + 8 },
		{ .title = "CPU", .width = SPARK_W + 5 },
		{ .title = "RSS", .width = SPARK_W + 6 },
		{ .title = "DRIFT", .width = 5, .flags = WCOL_RIGHT },
		{ .title = "ACC (LABELLED)", .width = 14 },
		{ .title = "MODEL", .width = 8, .flex = 1, .flags = WCOL_FIT },
	};
	static const struct wcolumn ac[AC__COUNT] = {
		{ .title = "STATE", .width = 8 },
		{ .title = "FOR", .width = 8, .flags = WCOL_RIGHT },
		{ .title = "ALERT", .width = 12, .flags = WCOL_FIT },
		{ .title = "VALUE", .width = 8, .flags = WCOL_RIGHT },
		{ .title = "LABELS", .width = 20, .flex = 2, .min = 10 },
		{ .title = "NOTE", .width = 10, .flex = 1 },
	};

	wtable_set_columns(m->tt, tc, TC__COUNT);
	wtable_set_frozen(m->tt, 2);
	wtable_set_columns(m->at, ac, AC__COUNT);
}

/*
 * Rows: the targets box (its rows, 3..8 of them, plus header and
 * borders), the alerts box (at least 3 rows inside), and the charts in
 * between in a grid of 2 columns (3 from 150 columns), each at least 6
 * rows; the charts that do not fit are left out.
 */
static void
mon_layout(struct screen *s)
{
	struct mon *m = (struct mon *)s;
	struct app *a = s->app;
	int body = app_body_h(a), rows, cols, left, cw, np;
	int nt = m->nt < 1 ? 1 : m->nt > 8 ? 8 : (int)m->nt;

	m->th = nt + 3;
	m->ah = body >= 20 ? 6 : 4;
	if (m->th + m->ah > body) {
		m->ah = body / 3 < 3 ? 3 : body / 3;
		m->th = body - m->ah;
	}
	left = body - m->th - m->ah;
	cols = a->w >= 150 ? 3 : 2;
	rows = left / 6;
	if (rows * cols > NCHART)
		rows = (NCHART + cols - 1) / cols;
	m->nshown = rows * cols > NCHART ? NCHART : rows * cols;
	if (rows == 0) {
		m->nshown = 0;
		m->ah += left;
	}
	m->cy0 = 1 + m->th;
	m->chh = rows ? left / rows : 0;
	if (rows)
		m->ah += left - rows * m->chh;
	widget_place(wtable_widget(m->tt), a->win, 2, 1, m->th - 2 > 1 ?
	    m->th - 2 : 1, a->w - 2 > 1 ? a->w - 2 : 1);
	widget_place(wtable_widget(m->at), a->win, 1 + body - m->ah + 1, 1,
	    m->ah - 2 > 1 ? m->ah - 2 : 1, a->w - 2 > 1 ? a->w - 2 : 1);
	cw = a->w / cols;
	np = 0;
	for (int c = 0; c < NCHART; c++) {
		int r = c / cols, k = c % cols;
		int x = k * cw, w = k == cols - 1 ? a->w - x : cw;

		if (c >= m->nshown) {
			widget_place(wchart_widget(m->ch[c]), a->win, 0, 0, 1,
			    1);
			continue;
		}
		widget_place(wchart_widget(m->ch[c]), a->win, m->cy0 + r *
		    m->chh + 1, x + 1, m->chh - 2 > 1 ? m->chh - 2 : 1,
		    w - 2 > 1 ? w - 2 : 1);
		if (2 * (w - 2) > np)
			np = 2 * (w - 2);	/* braille: 2 dots a cell */
	}
	if (np < 2)
		np = 2;
	if ((size_t)np != m->npts) {
		free(m->cx);
		for (int c = 0; c < NCHART; c++)
			for (int k = 0; k < 3; k++) {
				free(m->cy[c][k]);
				m->cy[c][k] = xcalloc((size_t)np, sizeof(double));
			}
		m->cx = xcalloc((size_t)np, sizeof(double));
		m->npts = (size_t)np;
		load_charts(m);
	}
}

static void
mon_draw(struct screen *s, bool force)
{
	struct mon *m = (struct mon *)s;
	struct app *a = s->app;
	int body = app_body_h(a), cols = a->w >= 150 ? 3 : 2, cw = a->w / cols;
	attr_t b = wtheme_attr(WR_BORDER);
	char right[256], t[320], rt[64];
	size_t firing = 0;

	if (force) {
		for (size_t i = 0; i < m->nactive; i++)
			firing += strcmp(m->al[i].state, "firing") == 0;
		if (a->w < 70)
			snprintf(right, sizeof right, "%zu firing%s", firing,
			    m->watcher ? "" : ", no watcher");
		else if (m->watcher)
			snprintf(right, sizeof right, "%zu firing  watcher pid "
			    "%ld on %s", firing, m->wpid, m->whost);
		else
			snprintf(right, sizeof right, "%zu firing  watcher "
			    "NOT running", firing);
		app_header(a, "monitor", right);
		snprintf(t, sizeof t, "%stargets%s", m->focus == P_TARGETS ?
		    "[" : "", m->focus == P_TARGETS ? "]" : "");
		snprintf(rt, sizeof rt, "%zu, worst first; sparklines: "
		    "last hour", m->nt);
		wbox(a->win, 1, 0, m->th, a->w, t, rt, b);
		for (int c = 0; c < m->nshown; c++) {
			int r = c / cols, k = c % cols;
			int x = k * cw, w = k == cols - 1 ? a->w - x : cw;

			snprintf(t, sizeof t, "%s %s", m->chart_target,
			    chartdefs[c].title);
			snprintf(rt, sizeof rt, "%s%s", zooms[m->zoom].name,
			    m->frozen ? " frozen" : "");
			wbox(a->win, m->cy0 + r * m->chh, x, m->chh, w, t, rt,
			    b);
		}
		snprintf(t, sizeof t, "%salerts%s", m->focus == P_ALERTS ?
		    "[" : "", m->focus == P_ALERTS ? "]" : "");
		snprintf(rt, sizeof rt, "%zu active, %zu resolved in the "
		    "last hour", m->nactive, m->nal - m->nactive);
		wbox(a->win, 1 + body - m->ah, 0, m->ah, a->w, t, rt, b);
	}
	widget_draw(wtable_widget(m->tt), force);
	for (int c = 0; c < m->nshown; c++)
		widget_draw(wchart_widget(m->ch[c]), force);
	widget_draw(wtable_widget(m->at), force);
}

/* ---- requests ---------------------------------------------------------- */

static void
set_focus(struct mon *m, enum mpane p)
{
	widget_set_focus(wtable_widget(m->tt), p == P_TARGETS);
	widget_set_focus(wtable_widget(m->at), p == P_ALERTS);
	m->focus = p;
	m->base.dirty = true;
}

/* The alert under the alerts cursor that is active, or NULL. */
static const pl_alert_row *
cursor_alert(struct mon *m)
{
	size_t i = wtable_cursor(m->at);

	if (m->focus != P_ALERTS || i >= m->nactive) {
		app_error(m->base.app, "put the alerts cursor (Tab) on a "
		    "firing or pending alert");
		return NULL;
	}
	return &m->al[i];
}

static int
ack_cb(struct screen *s, const char *text, unsigned ev)
{
	struct mon *m = (struct mon *)s;
	const pl_alert_row *r;
	size_t n = 0;

	if (!(ev & W_SUBMIT) || (r = cursor_alert(m)) == NULL)
		return 0;
	if (text == NULL || *text == '\0') {
		app_prompt_error(s->app, "a comment is needed (what you are "
		    "doing about it)", 0);
		return 1;
	}
	if (pl_alerts_ack(&n, s->app->st, r->alertname, text,
	    app_wall_ms()) != PL_OK)
		app_error(s->app, "%s", pl_store_errmsg(s->app->st));
	else
		app_info(s->app, "acknowledged %zu alert%s %s", n, n == 1 ?
		    "" : "s", r->alertname);
	load(m);
	s->dirty = true;
	return 0;
}

/* "2h disk full, fixing" -> a silence of the alert's labels for 2h. */
static int
silence_cb(struct screen *s, const char *text, unsigned ev)
{
	struct mon *m = (struct mon *)s;
	const pl_alert_row *r;
	char dur[32], *id = NULL, *mt[2], a1[300], a2[300];
	const char *reason, *tgt;
	double secs;
	int64_t now = app_wall_ms();
	size_t nm = 0;
	int k = 0;

	if (!(ev & W_SUBMIT) || (r = cursor_alert(m)) == NULL)
		return 0;
	if (text == NULL || sscanf(text, "%31s %n", dur, &k) != 1 ||
	    pl_duration_parse(&secs, dur) != 0 || secs <= 0) {
		app_prompt_error(s->app, "start with a duration, then the "
		    "reason: 2h deploying a fix", 1);
		return 1;
	}
	reason = text + k;
	if (*reason == '\0') {
		app_prompt_error(s->app, "a reason is needed after the "
		    "duration", 0);
		return 1;
	}
	snprintf(a1, sizeof a1, "alertname=%s", r->alertname);
	mt[nm++] = a1;
	if ((tgt = strstr(r->labels, "target=\"")) != NULL) {
		const char *e = strchr(tgt + 8, '"');

		if (e) {
			snprintf(a2, sizeof a2, "target=%.*s",
			    (int)(e - tgt - 8), tgt + 8);
			mt[nm++] = a2;
		}
	}
	if (pl_silence_add(&id, s->app->st, (const char *const *)mt, nm, now,
	    now + (int64_t)(secs * 1000), reason) != PL_OK)
		app_error(s->app, "%s", pl_store_errmsg(s->app->st));
	else
		app_info(s->app, "silence %.8s: %s%s%s for %s", id, a1,
		    nm > 1 ? " " : "", nm > 1 ? a2 : "", dur);
	free(id);
	load(m);
	s->dirty = true;
	return 0;
}

/* Enter on a selected mark: the model of a registry event (its run for
 * a registration that names one), the training run of a CT run, the
 * alerts pane for an alert. */
static int
open_event(struct mon *m, const pl_event *e)
{
	struct app *a = m->base.app;
	char cmd[300];
	const char *run;

	if ((!strcmp(e->kind, "register") || !strcmp(e->kind, "ct")) &&
	    e->message && (run = strstr(e->message, " run ")) != NULL) {
		char id[65] = "";

		if (sscanf(run + 5, "%64[0-9a-f]", id) == 1) {
			snprintf(cmd, sizeof cmd, "run %s", id);
			app_command(a, cmd);
		}
	} else if (e->model) {
		snprintf(cmd, sizeof cmd, "model %s", e->model);
		app_command(a, cmd);
	} else if (!strcmp(e->kind, "alert")) {
		set_focus(m, P_ALERTS);
	} else {
		app_info(a, "%s: nothing to open", e->kind);
	}
	return 1;
}

static int
mon_request(struct screen *s, enum request req, int key)
{
	struct mon *m = (struct mon *)s;
	struct widget *fw = m->focus == P_TARGETS ? wtable_widget(m->tt) :
	    wtable_widget(m->at);
	size_t before = wtable_cursor(m->tt);

	(void)key;
	switch (req) {
	case REQ_NEXT_PANE:
	case REQ_PREV_PANE:
		set_focus(m, m->focus == P_TARGETS ? P_ALERTS : P_TARGETS);
		return 1;
	case REQ_RELOAD:
		load(m);
		s->dirty = true;
		return 1;
	case REQ_ZOOM_IN:
	case REQ_ZOOM_OUT:
		if (req == REQ_ZOOM_IN ? m->zoom == 0 : m->zoom == NZOOM - 1)
			return 1;
		m->zoom += req == REQ_ZOOM_IN ? -1 : 1;
		load_charts(m);
		s->dirty = true;
		return 1;
	case REQ_FOLLOW:
		m->frozen = !m->frozen;
		if (m->frozen)
			m->end_ms = app_wall_ms();
		app_info(s->app, m->frozen ? "frozen: [ and ] pan, F follows "
		    "now again" : "following now");
		load_charts(m);
		s->dirty = true;
		return 1;
	case REQ_PAN_BACK:
	case REQ_PAN_FORWARD:
		if (!m->frozen) {
			m->frozen = true;
			m->end_ms = app_wall_ms();
		}
		m->end_ms += (req == REQ_PAN_BACK ? -1 : 1) *
		    zooms[m->zoom].ms / 2;
		if (m->end_ms >= app_wall_ms())
			m->frozen = false;	/* caught up with now */
		load_charts(m);
		s->dirty = true;
		return 1;
	case REQ_ALERT_ACK:
		if (cursor_alert(m))
			app_prompt(s->app, s, "ack comment: ", "", ack_cb);
		return 1;
	case REQ_ALERT_SILENCE:
		if (cursor_alert(m))
			app_prompt(s->app, s, "silence for DURATION REASON "
			    "(2h fixing it): ", "", silence_cb);
		return 1;
	case REQ_ENTER: {
		int i = sel_index(m);

		if (i >= 0)
			return open_event(m, &m->ev[i]);
		if (m->focus == P_TARGETS)
			set_focus(m, P_ALERTS);
		return 1;
	}
	case REQ_MARK_PREV:
	case REQ_MARK_NEXT: {
		int i = sel_index(m);
		char when[32];

		if (m->nev == 0) {
			app_info(s->app, "no event in this window (zoom out "
			    "with -)");
			return 1;
		}
		if (i < 0)
			i = req == REQ_MARK_NEXT ? 0 : (int)m->nev - 1;
		else if (req == REQ_MARK_NEXT)
			i = i + 1 < (int)m->nev ? i + 1 : i;
		else
			i = i > 0 ? i - 1 : 0;
		m->ev_sel = m->ev[i].id;
		load_marks(m, window_end(m) - zooms[m->zoom].ms,
		    window_end(m));
		tui_time(when, sizeof when, m->ev[i].time_ms);
		char what[200] = "";

		if (m->ev[i].model && m->ev[i].version)
			snprintf(what, sizeof what, " %s v%d", m->ev[i].model,
			    m->ev[i].version);
		else if (m->ev[i].model)
			snprintf(what, sizeof what, " %s", m->ev[i].model);
		app_info(s->app, "%s %s%s: %s (%d of %zu; Enter opens)", when,
		    m->ev[i].kind, what, m->ev[i].message ? m->ev[i].message :
		    "", i + 1, m->nev);
		s->dirty = true;
		return 1;
	}
	case REQ_VIEW_DRIFT:
		if (m->nt == 0)
			app_info(s->app, "no monitored target");
		else
			app_push(s->app, drift_screen_new(s->app,
			    m->t[wtable_cursor(m->tt)].name, m->zoom));
		return 1;
	default:
		if (keymap_widget_key(req)) {
			unsigned res = widget_key(fw, keymap_widget_key(req));

			if (m->focus == P_TARGETS && wtable_cursor(m->tt) !=
			    before) {
				load_charts(m);
				s->dirty = true;
			}
			return res != 0;
		}
	}
	return 0;
}

static int
mon_mouse(struct screen *s, const MEVENT *ev)
{
	struct mon *m = (struct mon *)s;
	struct widget *w[2] = { wtable_widget(m->tt), wtable_widget(m->at) };
	size_t before = wtable_cursor(m->tt);

	for (int p = 0; p < 2; p++) {
		int row, col;

		if (!widget_hit(w[p], ev, &row, &col))
			continue;
		if (m->focus != (enum mpane)p)
			set_focus(m, (enum mpane)p);
		widget_mouse(w[p], ev);
		if (p == P_TARGETS && wtable_cursor(m->tt) != before) {
			load_charts(m);
			s->dirty = true;
		}
		return 1;
	}
	return 0;
}

static void
mon_reload(struct screen *s)
{
	load((struct mon *)s);
	if (s->app)
		mon_layout(s);	/* the number of targets sets the layout */
}

/* Keeps the 1 s tick going: ages and "for" durations move, and a
 * following window slides. */
static int
mon_tick(struct screen *s)
{
	struct mon *m = (struct mon *)s;

	if (!m->frozen)
		load_charts(m);
	s->dirty = true;
	return 1;
}

static const struct hint_spec *
mon_hints_fn(struct screen *s, int *n)
{
	(void)s;
	*n = (int)(sizeof mon_hints / sizeof *mon_hints);
	return mon_hints;
}

static void
mon_destroy(struct screen *s)
{
	struct mon *m = (struct mon *)s;

	free_targets(m);
	pl_events_free(m->ev, m->nev);
	pl_alert_rows_free(m->al, m->nal);
	widget_free(wtable_widget(m->tt));
	widget_free(wtable_widget(m->at));
	for (int c = 0; c < NCHART; c++) {
		widget_free(wchart_widget(m->ch[c]));
		for (int k = 0; k < 3; k++)
			free(m->cy[c][k]);
	}
	free(m->cx);
	free(m);
}

static const struct screen_ops mon_ops = {
	.name = "monitor",
	.layout = mon_layout,
	.draw = mon_draw,
	.request = mon_request,
	.mouse = mon_mouse,
	.reload = mon_reload,
	.tick = mon_tick,
	.hints = mon_hints_fn,
	.destroy = mon_destroy,
};

struct screen *
monitor_screen_new(struct app *a)
{
	struct mon *m = xcalloc(1, sizeof *m);
	struct wtable_source ts = { .count = t_count, .cell = t_cell,
		.match = t_match, .payload = m };
	struct wtable_source as = { .count = a_count, .cell = a_cell,
		.payload = m };

	m->base.ops = &mon_ops;
	m->base.app = a;
	m->zoom = 1;	/* 1h */
	m->tt = wtable_new(a->win, 0, 0, 1, 1, 0);
	m->at = wtable_new(a->win, 0, 0, 1, 1, 0);
	if (!m->tt || !m->at)
		xoom();
	for (int c = 0; c < NCHART; c++) {
		if ((m->ch[c] = wchart_new(a->win, 0, 0, 1, 1)) == NULL)
			xoom();
		wchart_set_xtime(m->ch[c], true);
		wchart_set_empty_text(m->ch[c], "no data in this window");
	}
	wtable_set_source(m->tt, &ts);
	wtable_set_source(m->at, &as);
	wtable_set_empty_text(m->tt, "no monitored targets: add a monitor: "
	    "section to plumb.yaml and run plumb watch");
	wtable_set_empty_text(m->at, "no alert firing, pending or resolved "
	    "in the last hour");
	set_columns(m);
	load(m);
	set_focus(m, P_TARGETS);
	return &m->base;
}
