/* screen-model-diff.c - two model versions side by side: params that differ, metric deltas judged by direction, data and code changes. */
#include "config.h"
#include "tui.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "theme.h"
#include "xalloc.h"

/*
 * The same comparison as `plumb model diff A B`: params of either
 * version whose values differ, every metric with its delta and a
 * better/worse mark in the direction plumb.yaml's models: gives it
 * (pl_config_metric_dir), data versions whose hash changed, and the two
 * code commits with the files changed between them (git, when the
 * commits are here).  Rows are built once; the table paints them.
 */

enum dkind { DK_SECTION, DK_SAME, DK_CHANGED, DK_BETTER, DK_WORSE };

struct drow {
	char *key, *a, *b, *delta, *mark;
	enum dkind kind;
};

struct mdiff {
	struct screen base;
	struct drow *rows;
	size_t n, cap;
	struct wtable *t;
	char title[256];
	char ha[64], hb[64];
	struct wcolumn cols[5];
};

/* The status bar: requests, their keys looked up in the keymap. */
static const struct hint_spec mdiff_hints[] = {
	{ REQ_MOVE_DOWN, "scroll" }, { REQ_BACK, "back" },
	{ REQ_HELP, "help" },
};

static void
add(struct mdiff *d, enum dkind kind, const char *key, const char *a,
    const char *b, const char *delta, const char *mark)
{
	struct drow *r;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->rows = xreallocarray(d->rows, d->cap, sizeof *d->rows);
	}
	r = &d->rows[d->n++];
	r->kind = kind;
	r->key = xstrdup(key ? key : "");
	r->a = xstrdup(a ? a : "");
	r->b = xstrdup(b ? b : "");
	r->delta = xstrdup(delta ? delta : "");
	r->mark = xstrdup(mark ? mark : "");
}

static const char *
kv_get(const pl_kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].value;
	return NULL;
}

static const pl_data_ref *
data_get(const pl_model_version *v, const char *path)
{
	for (size_t i = 0; i < v->ndata; i++)
		if (strcmp(v->data[i].path, path) == 0)
			return &v->data[i];
	return NULL;
}

static void
build_params(struct mdiff *d, const pl_model_version *va,
    const pl_model_version *vb)
{
	size_t before = d->n;

	add(d, DK_SECTION, "params", NULL, NULL, NULL, NULL);
	for (int pass = 0; pass < 2; pass++) {
		const pl_kvlist *l = pass ? vb->params : va->params;
		const pl_kvlist *o = pass ? va->params : vb->params;

		for (size_t i = 0; i < l->n; i++) {
			const char *k = l->items[i].key;
			const char *pa = pass ? NULL : l->items[i].value;
			const char *pb = pass ? l->items[i].value : kv_get(o, k);

			if (pass && kv_get(o, k))
				continue;	/* seen in pass 0 */
			if (pa && pb && strcmp(pa, pb) == 0)
				add(d, DK_SAME, k, pa, pb, NULL, NULL);
			else
				add(d, DK_CHANGED, k, pa ? pa : "(unset)",
				    pb ? pb : "(unset)", NULL, "\xe2\x97\x86");
		}
	}
	if (d->n == before + 1)
		add(d, DK_SAME, "(none)", NULL, NULL, NULL, NULL);
}

static void
build_metrics(struct mdiff *d, const pl_model_version *va,
    const pl_model_version *vb, const pl_config *cfg)
{
	char x[32], y[32], dl[48], mk[64];

	add(d, DK_SECTION, "metrics", NULL, NULL, NULL, NULL);
	for (int pass = 0; pass < 2; pass++) {
		const pl_model_version *l = pass ? vb : va;

		for (size_t i = 0; i < l->nmetrics; i++) {
			const char *k = l->metrics[i].key;
			double ma = NAN, mb = NAN;
			int ha = pl_model_metric_value(&ma, va, k);
			int hb = pl_model_metric_value(&mb, vb, k);
			int dir = pl_config_metric_dir(cfg, va->model, k);
			enum dkind kind = DK_SAME;

			if (pass && ha)
				continue;
			dl[0] = mk[0] = '\0';
			if (ha && hb && !isnan(ma) && !isnan(mb)) {
				snprintf(dl, sizeof dl, "%+.6g", mb - ma);
				if (ma == mb) {
					snprintf(mk, sizeof mk, "same");
				} else {
					int better = (mb > ma) == (dir > 0);

					kind = better ? DK_BETTER : DK_WORSE;
					snprintf(mk, sizeof mk, "%s (%s is "
					    "better)", better ? "better" :
					    "worse", dir > 0 ? "higher" :
					    "lower");
				}
			} else {
				kind = DK_CHANGED;
			}
			add(d, kind, k, ha ? tui_num(x, sizeof x, ma) : "-",
			    hb ? tui_num(y, sizeof y, mb) : "-", dl, mk);
		}
	}
}

static void
build_data(struct mdiff *d, const pl_model_version *va,
    const pl_model_version *vb)
{
	size_t before;
	char x[24], y[24];

	add(d, DK_SECTION, "data", NULL, NULL, NULL, NULL);
	before = d->n;
	for (int pass = 0; pass < 2; pass++) {
		const pl_model_version *l = pass ? vb : va;

		for (size_t i = 0; i < l->ndata; i++) {
			const char *p = l->data[i].path;
			const pl_data_ref *da = data_get(va, p);
			const pl_data_ref *db = data_get(vb, p);
			const char *ha = da ? da->hash : NULL;
			const char *hb = db ? db->hash : NULL;

			if (pass && da)
				continue;
			snprintf(x, sizeof x, "%.12s", da ? (ha ? ha : "?") :
			    "(not read)");
			snprintf(y, sizeof y, "%.12s", db ? (hb ? hb : "?") :
			    "(not read)");
			if (da && db && ha && hb && strcmp(ha, hb) == 0)
				add(d, DK_SAME, p, x, y, NULL, "same");
			else
				add(d, DK_CHANGED, p, x, y, NULL, "changed");
		}
	}
	if (d->n == before)
		add(d, DK_SAME, "(none recorded)", NULL, NULL, NULL, NULL);
}

static void
build_code(struct mdiff *d, const pl_model_version *va,
    const pl_model_version *vb, const pl_config *cfg)
{
	char x[64], y[64], n[64];
	const char *ca = va->git.commit, *cb = vb->git.commit;
	int same = ca && cb && strcmp(ca, cb) == 0;

	add(d, DK_SECTION, "code", NULL, NULL, NULL, NULL);
	snprintf(x, sizeof x, "%.*s%s", ca ? 12 : 20, ca ? ca : "(not recorded)",
	    va->git.dirty == 1 ? " dirty" : "");
	snprintf(y, sizeof y, "%.*s%s", cb ? 12 : 20, cb ? cb : "(not recorded)",
	    vb->git.dirty == 1 ? " dirty" : "");
	if (ca == NULL && cb == NULL) {
		/* Neither run recorded a commit (not a git workspace, or
		 * no run): nothing is known to differ. */
		const char *none = widgets_utf8() ? "\xe2\x80\x94" : "-";

		add(d, DK_SAME, "commit", none, none, NULL, "not recorded (no git commit for either)");
		return;
	}
	add(d, same && va->git.dirty == vb->git.dirty ? DK_SAME : DK_CHANGED,
	    "commit", x, y, NULL, same ? (va->git.dirty == vb->git.dirty ?
	    "same commit" : "same commit, dirty state differs") :
	    ca && cb ? "changed" : "recorded for one version only");
	if (ca && cb && !same) {
		char **files = NULL;
		size_t nf = 0;

		if (pl_git_changed_files(&files, &nf, cfg ? cfg->dir : NULL,
		    ca, cb) == PL_OK) {
			snprintf(n, sizeof n, "%zu file%s changed", nf,
			    nf == 1 ? "" : "s");
			add(d, DK_CHANGED, "files", NULL, NULL, NULL, n);
			for (size_t i = 0; i < nf; i++)
				add(d, DK_CHANGED, "", files[i], files[i],
				    NULL, NULL);
			pl_strv_free(files);
		} else {
			add(d, DK_SAME, "files", NULL, NULL, NULL,
			    "not available (git or the commits are not here)");
		}
	}
}

/* ---- table ------------------------------------------------------------- */

static size_t
md_count(void *pl)
{
	return ((struct mdiff *)pl)->n;
}

static void
md_cell(void *pl, size_t row, int col, struct wcell *out)
{
	const struct drow *r = &((struct mdiff *)pl)->rows[row];

	if (r->kind == DK_SECTION) {
		out->text = col == 0 ? r->key : NULL;
		out->role = WR_HEADER;
		out->attr = A_BOLD;
		return;
	}
	switch (col) {
	case 0: out->text = r->key; break;
	case 1: out->text = r->a; break;
	case 2: out->text = r->b; break;
	case 3: out->text = r->delta; break;
	case 4:
		out->text = r->mark[0] && strcmp(r->mark, "\xe2\x97\x86") == 0
		    && !widgets_utf8() ? "*" : r->mark;
		break;
	}
	switch (r->kind) {
	case DK_CHANGED:
		if (col == 1 || col == 2 || col == 4)
			out->role = WR_CHANGED;
		break;
	case DK_BETTER:
		if (col >= 2)
			out->role = WR_BETTER;
		break;
	case DK_WORSE:
		if (col >= 2)
			out->role = WR_WORSE;
		break;
	default:
		if (col >= 1)
			out->role = WR_DIM;
	}
}

static int
md_match(void *pl, size_t row, const char *needle)
{
	return strstr(((struct mdiff *)pl)->rows[row].key, needle) != NULL;
}

/* ---- screen ------------------------------------------------------------ */

static void
mdiff_layout(struct screen *s)
{
	struct mdiff *d = (struct mdiff *)s;
	struct app *a = s->app;
	int body = app_body_h(a);

	widget_place(wtable_widget(d->t), a->win, 2, 1, body - 2 > 1 ?
	    body - 2 : 1, a->w - 2);
}

static void
mdiff_draw(struct screen *s, bool force)
{
	struct mdiff *d = (struct mdiff *)s;
	struct app *a = s->app;

	if (!force && !s->dirty) {
		widget_draw(wtable_widget(d->t), false);
		return;
	}
	app_header(a, d->title, NULL);
	wbox(a->win, 1, 0, app_body_h(a), a->w, "diff", NULL,
	    wtheme_attr(WR_BORDER));
	widget_draw(wtable_widget(d->t), true);
}

static int
mdiff_request(struct screen *s, enum request req, int key)
{
	struct mdiff *d = (struct mdiff *)s;

	(void)key;
	if (keymap_widget_key(req)) {
		unsigned r = widget_key(wtable_widget(d->t),
		    keymap_widget_key(req));

		return r != 0;
	}
	return 0;
}

static const struct hint_spec *
mdiff_hints_fn(struct screen *s, int *n)
{
	(void)s;
	*n = (int)(sizeof mdiff_hints / sizeof *mdiff_hints);
	return mdiff_hints;
}

static void
mdiff_destroy(struct screen *s)
{
	struct mdiff *d = (struct mdiff *)s;

	for (size_t i = 0; i < d->n; i++) {
		free(d->rows[i].key);
		free(d->rows[i].a);
		free(d->rows[i].b);
		free(d->rows[i].delta);
		free(d->rows[i].mark);
	}
	free(d->rows);
	widget_free(wtable_widget(d->t));
	free(d);
}

static const struct screen_ops mdiff_ops = {
	.name = "model-diff",
	.layout = mdiff_layout,
	.draw = mdiff_draw,
	.request = mdiff_request,
	.hints = mdiff_hints_fn,
	.destroy = mdiff_destroy,
};

struct screen *
model_diff_screen_new(struct app *a, const pl_model_version *va,
    const pl_model_version *vb, const pl_config *cfg)
{
	struct wtable_source src = { md_count, md_cell, NULL, md_match, NULL };
	struct mdiff *d = xcalloc(1, sizeof *d);

	d->base.ops = &mdiff_ops;
	d->base.app = a;
	snprintf(d->title, sizeof d->title, "models  %s  diff v%d (%s) "
	    "vs v%d (%s)", va->model, va->version,
	    pl_model_stage_name(va->stage), vb->version,
	    pl_model_stage_name(vb->stage));
	snprintf(d->ha, sizeof d->ha, "v%d %s", va->version,
	    pl_model_stage_name(va->stage));
	snprintf(d->hb, sizeof d->hb, "v%d %s", vb->version,
	    pl_model_stage_name(vb->stage));
	build_params(d, va, vb);
	build_metrics(d, va, vb, cfg);
	build_data(d, va, vb);
	build_code(d, va, vb, cfg);
	d->cols[0] = (struct wcolumn){ "", 0, 12, 2, 0, 0 };
	d->cols[1] = (struct wcolumn){ d->ha, 0, 12, 3, 0, 0 };
	d->cols[2] = (struct wcolumn){ d->hb, 0, 12, 3, 0, 0 };
	d->cols[3] = (struct wcolumn){ "delta", 12, 0, 0, WCOL_RIGHT, 0 };
	d->cols[4] = (struct wcolumn){ "", 0, 10, 2, 0, 0 };
	d->t = wtable_new(a->win, 0, 0, 1, 1, 0);
	if (d->t == NULL)
		xoom();
	src.payload = d;
	wtable_set_source(d->t, &src);
	wtable_set_columns(d->t, d->cols, 5);
	wtable_set_frozen(d->t, 1);
	widget_set_focus(wtable_widget(d->t), true);
	return &d->base;
}
