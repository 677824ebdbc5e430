/* screen-drift.c - the drift heatmap of one monitored target: features as rows, time windows as columns, a mark where a feature drifted; the cursor cell says method, score, threshold and window. */
#include "config.h"
#include "tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heat.h"
#include "hist.h"
#include "theme.h"
#include "xalloc.h"

/*
 * Read from the plumb_drift_score / plumb_drift_detected series the
 * watcher writes at each drift window (pl_mon_drift_grid); reloaded when
 * the store's data_version moves, and on the 1 s tick while following
 * now.  A cell is one slice of the zoomed time range: its shade is how
 * close the worst score of the slice came to the threshold (distance /
 * threshold, or threshold / p-value for p-value tests, so a full block is
 * "at or past the threshold"), X where some window of the slice drifted.
 */

static const struct { const char *name; int64_t ms; } dzooms[] = {
	{ "15m", 900000 }, { "1h", 3600000 }, { "6h", 21600000 },
	{ "1d", 86400000 }, { "7d", 604800000 }, { "30d", 2592000000LL },
};
#define NDZOOM ((int)(sizeof dzooms / sizeof *dzooms))

struct drift {
	struct screen base;
	char target[256];
	struct wheat *hm;
	pl_mon_drift_row *r;
	size_t nr, nb;
	int zoom;
	bool frozen;
	int64_t end_ms, start_ms;	/* the range loaded */
	size_t ndrifting;		/* features whose newest cell drifted */
	/* Enter: the two distributions behind the cursor cell */
	struct whist *hg;
	bool show_hist;
	char hist_title[320], hist_note[600];
};

#define NBINS 24

static const struct hint_spec drift_hints[] = {
	{ REQ_ZOOM_IN, "zoom" }, { REQ_ZOOM_OUT, "out" },
	{ REQ_PAN_BACK, "pan" }, { REQ_FOLLOW, "freeze" },
	{ REQ_ENTER, "distributions" },
	{ REQ_BACK, "back" }, { REQ_HELP, "help" },
};

/* How close a score came to its threshold: >= 1 at or past it. */
static double
level_of(const pl_mon_drift_row *r, double score)
{
	if (isnan(score))
		return NAN;
	if (!(r->threshold > 0))
		return 0;
	if (r->pvalue)
		return score <= r->threshold ? 1 : r->threshold / score;
	return score / r->threshold;
}

static void
load(struct drift *d)
{
	struct app *a = d->base.app;
	int64_t end = d->frozen ? d->end_ms : app_wall_ms();
	size_t nb = (size_t)wheat_columns(d->hm);
	double *lv;
	unsigned char *mk;
	const char **lab;

	pl_mon_drift_rows_free(d->r, d->nr);
	d->r = NULL;
	d->nr = 0;
	d->start_ms = end - dzooms[d->zoom].ms;
	d->end_ms = end;
	d->nb = nb;
	if (pl_mon_drift_grid(&d->r, &d->nr, a->st, d->target, d->start_ms,
	    end, nb) != PL_OK) {
		app_error(a, "drift: %s", pl_store_errmsg(a->st));
		wheat_set(d->hm, NULL, 0, 0, NULL, NULL);
		return;
	}
	lv = xcalloc(d->nr * nb + 1, sizeof *lv);
	mk = xcalloc(d->nr * nb + 1, 1);
	lab = xcalloc(d->nr + 1, sizeof *lab);
	d->ndrifting = 0;
	for (size_t i = 0; i < d->nr; i++) {
		const pl_mon_drift_row *r = &d->r[i];
		ssize_t lastc = -1;

		lab[i] = r->feature;
		for (size_t c = 0; c < nb; c++) {
			lv[i * nb + c] = level_of(r, r->score[c]);
			mk[i * nb + c] = r->drifted[c];
			if (!isnan(r->score[c]))
				lastc = (ssize_t)c;
		}
		if (lastc >= 0 && r->drifted[lastc])
			d->ndrifting++;
	}
	if (wheat_set(d->hm, lab, d->nr, nb, lv, mk) != 0)
		xoom();
	free(lv);
	free(mk);
	free(lab);
	d->base.dirty = true;
}

/* The end (ms) of cursor column col's slice. */
static int64_t
cell_end(const struct drift *d, size_t col)
{
	int64_t step;
	int64_t base = pl_mon_bucket_base(&step, d->start_ms, d->end_ms,
	    d->nb);

	return base + (int64_t)(col + 1) * step;
}

/* Counts of v in NBINS equal bins over [lo, hi]. */
static void
bin(double *out, const double *v, size_t n, double lo, double hi)
{
	for (int i = 0; i < NBINS; i++)
		out[i] = 0;
	for (size_t i = 0; i < n; i++) {
		int k = hi > lo ? (int)((v[i] - lo) / (hi - lo) * NBINS) : 0;

		out[k < 0 ? 0 : k >= NBINS ? NBINS - 1 : k] += 1;
	}
}

/* Enter: reads and bins the reference and the window of the cursor
 * cell's feature, the window ending where the cell does. */
static void
open_hist(struct drift *d)
{
	struct app *a = d->base.app;
	size_t row, col, nc = 0, nr = 0;
	double *cur = NULL, *ref = NULL, lo = INFINITY, hi = -INFINITY;
	double bc[NBINS], br[NBINS];
	char when[32], l[48], r[48];
	time_t tt;
	struct tm tm;
	int64_t end;

	wheat_cursor(d->hm, &row, &col);
	if (d->nr == 0 || row >= d->nr)
		return;
	end = cell_end(d, col);
	if (pl_mon_feature_values(&cur, &nc, &ref, &nr, d->hist_note,
	    sizeof d->hist_note, a->st, d->target, d->r[row].feature, end) !=
	    PL_OK) {
		app_error(a, "%s", pl_store_errmsg(a->st));
		return;
	}
	for (size_t i = 0; i < nc; i++) {
		lo = cur[i] < lo ? cur[i] : lo;
		hi = cur[i] > hi ? cur[i] : hi;
	}
	for (size_t i = 0; i < nr; i++) {
		lo = ref[i] < lo ? ref[i] : lo;
		hi = ref[i] > hi ? ref[i] : hi;
	}
	tt = (time_t)(end / 1000);
	localtime_r(&tt, &tm);
	strftime(when, sizeof when, "%H:%M", &tm);
	snprintf(d->hist_title, sizeof d->hist_title, "%s: reference (%zu) "
	    "vs the window ending %s (%zu)", d->r[row].feature, nr, when, nc);
	if (nc + nr == 0) {
		whist_set(d->hg, NULL, NULL, 0);
		whist_set_labels(d->hg, NULL, NULL);
	} else {
		bin(br, ref, nr, lo, hi);
		bin(bc, cur, nc, lo, hi);
		if (whist_set(d->hg, nr ? br : NULL, nc ? bc : NULL, NBINS) != 0)
			xoom();
		snprintf(l, sizeof l, "%.4g", lo);
		snprintf(r, sizeof r, "%.4g", hi);
		whist_set_labels(d->hg, l, r);
	}
	free(cur);
	free(ref);
	d->show_hist = true;
	d->base.dirty = true;
}

/* Rows of the heatmap: one per feature, as many as fit. */
static int
heat_h(const struct drift *d)
{
	int max = app_body_h(d->base.app) - 5, n = d->nr ? (int)d->nr : 1;

	if (d->show_hist)
		max -= 9;	/* the histograms' box */

	if (max < 1)
		max = 1;
	return n < max ? n : max;
}

static void
drift_layout(struct screen *s)
{
	struct drift *d = (struct drift *)s;
	struct app *a = s->app;
	int h = heat_h(d);

	widget_place(wheat_widget(d->hm), a->win, 2, 1, h, a->w - 2 > 1 ?
	    a->w - 2 : 1);
	if ((size_t)wheat_columns(d->hm) != d->nb) {
		load(d);
		if (heat_h(d) != h)	/* the number of features changed */
			widget_place(wheat_widget(d->hm), a->win, 2, 1,
			    heat_h(d), a->w - 2 > 1 ? a->w - 2 : 1);
	}
}

/* "14:05" or "12-03 14:05" for an axis end. */
static void
axis_time(char *out, size_t n, int64_t ms, int64_t span)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, n, span > 86400000 ? "%m-%d %H:%M" : "%H:%M", &tm);
}

static void
detail(struct drift *d, char *out, size_t n)
{
	size_t row, col;
	const pl_mon_drift_row *r;
	int64_t step, c0;
	char t0[32], t1[32];

	wheat_cursor(d->hm, &row, &col);
	if (d->nr == 0 || row >= d->nr || col >= d->nb) {
		snprintf(out, n, " ");
		return;
	}
	r = &d->r[row];
	c0 = pl_mon_bucket_base(&step, d->start_ms, d->end_ms, d->nb) +
	    (int64_t)col * step;
	axis_time(t0, sizeof t0, c0, d->end_ms - d->start_ms);
	axis_time(t1, sizeof t1, c0 + step, d->end_ms - d->start_ms);
	if (isnan(r->score[col]))
		snprintf(out, n, "%s  %s  %s-%s  no window evaluated",
		    r->feature, r->method, t0, t1);
	else
		snprintf(out, n, "%s  %s  %s %.4g %s threshold %.4g  %s  "
		    "%s-%s", r->feature, r->method, r->pvalue ? "p-value" :
		    "distance", r->score[col], r->drifted[col] ? (r->pvalue ?
		    "<" : ">=") : (r->pvalue ? ">=" : "<"), r->threshold,
		    r->drifted[col] ? "DRIFTED" : "no drift", t0, t1);
}

static void
drift_draw(struct screen *s, bool force)
{
	struct drift *d = (struct drift *)s;
	struct app *a = s->app;
	int h = heat_h(d);
	char crumbs[320], right[128], t0[32], t1[32], line[512];

	if (wheat_widget(d->hm)->h != h) {	/* features came or went */
		widget_place(wheat_widget(d->hm), a->win, 2, 1, h,
		    a->w - 2 > 1 ? a->w - 2 : 1);
		force = true;
	}
	if (force || s->dirty) {
		for (int y = 1; y <= app_body_h(a); y++)
			wfill(a->win, y, 0, a->w, " ", wtheme_attr(WR_NORMAL));
		snprintf(crumbs, sizeof crumbs, "monitor %s drift %s",
		    widgets_utf8() ? "\xe2\x96\xb8" : ">", d->target);
		if (a->w < 70)
			snprintf(right, sizeof right, "%zu/%zu drifting",
			    d->ndrifting, d->nr);
		else
			snprintf(right, sizeof right, "%zu features, %zu "
			    "drifting now", d->nr, d->ndrifting);
		app_header(a, crumbs, right);
		snprintf(line, sizeof line, "%s%s", dzooms[d->zoom].name,
		    d->frozen ? " frozen" : "");
		wbox(a->win, 1, 0, h + 2, a->w, "features x time", line,
		    wtheme_attr(WR_BORDER));
		/* the time axis under the cells */
		wfill(a->win, h + 3, 0, a->w, " ", wtheme_attr(WR_NORMAL));
		wfill(a->win, h + 4, 0, a->w, " ", wtheme_attr(WR_NORMAL));
		if (d->nr > 0) {
			int x0 = 1 + a->w - 2 - wheat_columns(d->hm);

			axis_time(t0, sizeof t0, d->start_ms, d->end_ms -
			    d->start_ms);
			axis_time(t1, sizeof t1, d->end_ms, d->end_ms -
			    d->start_ms);
			wput(a->win, h + 3, x0, (int)strlen(t0), t0,
			    wtheme_attr(WR_DIM), WPUT_TRUSTED);
			wput(a->win, h + 3, a->w - 1 - (int)strlen(t1),
			    (int)strlen(t1), t1, wtheme_attr(WR_DIM),
			    WPUT_TRUSTED);
		}
		detail(d, line, sizeof line);
		wput(a->win, h + 4, 1, a->w - 2, line, wtheme_attr(WR_NORMAL),
		    WPUT_ELIDE);
		if (d->show_hist) {
			int hy = h + 5, hh = app_body_h(a) - hy + 1;

			if (hh > 3) {
				wbox(a->win, hy, 0, hh, a->w, d->hist_title,
				    "Enter: again  x: close",
				    wtheme_attr(WR_BORDER));
				widget_place(whist_widget(d->hg), a->win, hy + 1,
				    1, hh - 3, a->w - 2);
				wput(a->win, hy + hh - 2, 1, a->w - 2,
				    d->hist_note, wtheme_attr(WR_DIM),
				    WPUT_ELIDE);
			}
		}
		s->dirty = false;
		force = true;
	}
	widget_draw(wheat_widget(d->hm), force);
	if (d->show_hist)
		widget_draw(whist_widget(d->hg), force);
}

static int
drift_request(struct screen *s, enum request req, int key)
{
	struct drift *d = (struct drift *)s;

	(void)key;
	switch (req) {
	case REQ_ZOOM_IN:
	case REQ_ZOOM_OUT:
		if (req == REQ_ZOOM_IN ? d->zoom == 0 : d->zoom == NDZOOM - 1)
			return 1;
		d->zoom += req == REQ_ZOOM_IN ? -1 : 1;
		load(d);
		return 1;
	case REQ_FOLLOW:
		d->frozen = !d->frozen;
		if (d->frozen)
			d->end_ms = app_wall_ms();
		load(d);
		return 1;
	case REQ_PAN_BACK:
	case REQ_PAN_FORWARD:
		if (!d->frozen) {
			d->frozen = true;
			d->end_ms = app_wall_ms();
		}
		d->end_ms += (req == REQ_PAN_BACK ? -1 : 1) *
		    dzooms[d->zoom].ms / 2;
		if (d->end_ms >= app_wall_ms())
			d->frozen = false;
		load(d);
		return 1;
	case REQ_RELOAD:
		load(d);
		return 1;
	case REQ_ENTER:
		open_hist(d);
		drift_layout(s);
		return 1;
	case REQ_CLOSE_PANE:
		if (d->show_hist) {
			d->show_hist = false;
			drift_layout(s);
			s->dirty = true;
		}
		return 1;
	default:
		if (keymap_widget_key(req)) {
			unsigned res = widget_key(wheat_widget(d->hm),
			    keymap_widget_key(req));

			if (res & W_MOVED)
				s->dirty = true;
			return res != 0;
		}
	}
	return 0;
}

static void
drift_reload(struct screen *s)
{
	load((struct drift *)s);
}

static int
drift_tick(struct screen *s)
{
	struct drift *d = (struct drift *)s;

	if (!d->frozen && app_wall_ms() - d->end_ms >= (d->end_ms -
	    d->start_ms) / (int64_t)(d->nb ? d->nb : 1))
		load(d);	/* the window slid by a cell */
	return 1;
}

static const struct hint_spec *
drift_hints_fn(struct screen *s, int *n)
{
	(void)s;
	*n = (int)(sizeof drift_hints / sizeof *drift_hints);
	return drift_hints;
}

static void
drift_destroy(struct screen *s)
{
	struct drift *d = (struct drift *)s;

	pl_mon_drift_rows_free(d->r, d->nr);
	widget_free(wheat_widget(d->hm));
	widget_free(whist_widget(d->hg));
	free(d);
}

static const struct screen_ops drift_ops = {
	.name = "drift",
	.layout = drift_layout,
	.draw = drift_draw,
	.request = drift_request,
	.reload = drift_reload,
	.tick = drift_tick,
	.hints = drift_hints_fn,
	.destroy = drift_destroy,
};

struct screen *
drift_screen_new(struct app *a, const char *target, int zoom)
{
	struct drift *d = xcalloc(1, sizeof *d);

	d->base.ops = &drift_ops;
	d->base.app = a;
	snprintf(d->target, sizeof d->target, "%s", target);
	d->zoom = zoom >= 0 && zoom < NDZOOM ? zoom : 1;
	if ((d->hm = wheat_new(a->win, 2, 1, 1, 1)) == NULL ||
	    (d->hg = whist_new(a->win, 0, 0, 1, 1)) == NULL)
		xoom();
	wheat_set_empty_text(d->hm, "no drift evaluated for this target: "
	    "give it predictions: and drift: in plumb.yaml and run plumb "
	    "watch");
	widget_set_focus(wheat_widget(d->hm), true);
	load(d);
	return &d->base;
}
