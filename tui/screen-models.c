/* screen-models.c - the model registry: models, versions with stage badges, lineage, history, promote/rollback through a gate dialog. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screen-models.h"
#include "theme.h"
#include "xalloc.h"

/*
 * Everything is read through the registry API (pl_model_list,
 * pl_model_versions, pl_model_get, pl_model_history) and re-read when
 * another process changes the store.  Promotion and rollback are not
 * done in this process: the gates are evaluated here first
 * (pl_check_promotion, which changes nothing) and shown in a confirm
 * dialog; on yes a reason is asked for, then `plumb model promote
 * NAME@V --to STAGE --reason R` (or `model rollback`) runs as a child,
 * so a slow deploy never freezes the screen.  Its progress (events,
 * deploy output, outcome) is read from the store, where the engine
 * records it (progress.h); a promotion started in another terminal
 * shows the same way.
 */

/* The status bar: requests, their keys looked up in the keymap. */
static const struct hint_spec models_hints[] = {
	{ REQ_ENTER, "lineage" }, { REQ_SELECT, "mark" },
	{ REQ_MODEL_DIFF, "diff" }, { REQ_MODEL_PROMOTE, "promote" },
	{ REQ_MODEL_ROLLBACK, "rollback" }, { REQ_MODEL_HISTORY, "history" },
	{ REQ_JUMP_RUN, "run" }, { REQ_YANK, "copy" },
	{ REQ_NEXT_PANE, "pane" }, { REQ_BACK, "back" }, { REQ_HELP, "help" },
};

/* ---- helpers ----------------------------------------------------------- */

static int
stage_role(pl_model_stage s)
{
	switch (s) {
	case PL_MODEL_PRODUCTION: return WR_OK;
	case PL_MODEL_STAGING: return WR_RUNNING;
	case PL_MODEL_ARCHIVED: return WR_DIM;
	default: return -1;
	}
}

static const char *
stage_badge(char *out, size_t n, pl_model_stage s)
{
	const char *g = widgets_utf8() ? (s == PL_MODEL_PRODUCTION ?
	    "\xe2\x97\x8f " : s == PL_MODEL_STAGING ? "\xe2\x97\x90 " :
	    s == PL_MODEL_ARCHIVED ? "\xe2\x97\x8b " : "\xc2\xb7 ") : "";

	snprintf(out, n, "%s%s", g, pl_model_stage_name(s));
	return out;
}

static void
free_versions(struct models_scr *m)
{
	for (size_t i = 0; i < m->nvers; i++)
		pl_model_version_free(m->vers[i]);
	free(m->vers);
	m->vers = NULL;
	m->nvers = 0;
	for (int i = 0; i < m->nmkeys; i++)
		free(m->mkeys[i]);
	m->nmkeys = 0;
}

static void
free_models(struct models_scr *m)
{
	for (size_t i = 0; i < m->nmodels; i++)
		free(m->maliases[i]);
	free(m->maliases);
	m->maliases = NULL;
	pl_model_summary_free(m->models, m->nmodels);
	m->models = NULL;
	m->nmodels = 0;
}

const pl_model_version *
mdl_version_of(const struct models_scr *m, int version)
{
	for (size_t i = 0; i < m->nvers; i++)
		if (m->vers[i]->version == version)
			return m->vers[i];
	return NULL;
}

const pl_model_version *
mdl_selected_version(struct models_scr *m)
{
	size_t c = wtable_cursor(m->vt);

	return c < m->nvers ? m->vers[c] : NULL;
}

/* plumb.yaml (models: directions, gates, deploy targets); none is fine. */
void
mdl_load_config(struct models_scr *m)
{
	char err[1024];
	int rc;

	pl_config_free(m->cfg);
	m->cfg = NULL;
	free(m->cfg_path);
	m->cfg_path = NULL;
	rc = pl_config_find(&m->cfg_path, NULL,
	    pl_store_dir(m->base.app->st));
	if (rc != PL_OK) {
		free(m->cfg_path);
		m->cfg_path = NULL;
		return;
	}
	if (pl_config_load(&m->cfg, m->cfg_path, err, sizeof err) != PL_OK)
		app_error(m->base.app, "%s", err);
}

/* ---- loading ----------------------------------------------------------- */

static void
add_mkey(struct models_scr *m, const char *k)
{
	for (int i = 0; i < m->nmkeys; i++)
		if (strcmp(m->mkeys[i], k) == 0)
			return;
	if (m->nmkeys < NMETRIC_COLS)
		m->mkeys[m->nmkeys++] = xstrdup(k);
}

static void
load_versions(struct models_scr *m)
{
	int *nums = NULL, keep = 0;
	size_t n = 0;
	const pl_model_version *sel = m->vers ? mdl_selected_version(m) : NULL;
	pl_store *st = m->base.app->st;

	if (sel)
		keep = sel->version;
	free_versions(m);
	if (m->cur == NULL || pl_model_versions(&nums, &n, st, m->cur) !=
	    PL_OK) {
		wtable_source_changed(m->vt);
		return;
	}
	m->vers = xcalloc(n + 1, sizeof *m->vers);
	for (size_t i = n; i-- > 0;) {
		pl_model_version *v = NULL;

		if (pl_model_get(&v, st, m->cur, nums[i]) != PL_OK) {
			app_error(m->base.app, "%s", pl_store_errmsg(st));
			continue;
		}
		m->vers[m->nvers++] = v;
	}
	free(nums);
	/* Metric columns: the directions of models: first, then the rest. */
	{
		const pl_model_cfg *mc = m->cfg ? pl_config_model(m->cfg,
		    m->cur) : NULL;

		for (size_t i = 0; mc && i < mc->ndirs; i++)
			for (size_t k = 0; k < m->nvers; k++)
				if (pl_model_metric_value(&(double){ 0 },
				    m->vers[k], mc->dirs[i].metric)) {
					add_mkey(m, mc->dirs[i].metric);
					break;
				}
	}
	for (size_t k = 0; k < m->nvers; k++)
		for (size_t i = 0; i < m->vers[k]->nmetrics; i++)
			add_mkey(m, m->vers[k]->metrics[i].key);
	{
		struct wcolumn cols[5 + NMETRIC_COLS] = {
			{ "ver", 4, 0, 0, WCOL_RIGHT, 0 },
			{ "stage", 12, 0, 0, 0, 0 },
			{ "aliases", 0, 8, 2, 0, 0 },
			{ "run", 8, 0, 0, 0, 0 },
			{ "created", 11, 0, 0, 0, 0 },
		};

		for (int i = 0; i < m->nmkeys; i++)
			cols[5 + i] = (struct wcolumn){ m->mkeys[i], 0, 8, 1,
			    WCOL_RIGHT, 0 };
		wtable_set_columns(m->vt, cols, 5 + m->nmkeys);
	}
	wtable_source_changed(m->vt);
	for (size_t i = 0; keep && i < m->nvers; i++)
		if (m->vers[i]->version == keep)
			wtable_set_cursor(m->vt, i);
	m->base.dirty = true;
}

void
mdl_load_models(struct models_scr *m)
{
	pl_store *st = m->base.app->st;
	size_t cur = 0;

	free_models(m);
	if (pl_model_list(&m->models, &m->nmodels, st) != PL_OK) {
		app_error(m->base.app, "%s", pl_store_errmsg(st));
		m->models = NULL;
		m->nmodels = 0;
	}
	m->maliases = xcalloc(m->nmodels + 1, sizeof *m->maliases);
	for (size_t i = 0; i < m->nmodels; i++) {
		struct buf b = BUF_INIT;
		int *nums = NULL;
		size_t n = 0;

		if (pl_model_versions(&nums, &n, st, m->models[i].name) ==
		    PL_OK) {
			for (size_t k = 0; k < n; k++) {
				pl_model_version *v = NULL;

				if (pl_model_get(&v, st, m->models[i].name,
				    nums[k]) != PL_OK)
					continue;
				for (size_t a = 0; a < v->naliases; a++)
					buf_printf(&b, "%s%s=v%d", b.len ?
					    ", " : "", v->aliases[a],
					    v->version);
				pl_model_version_free(v);
			}
		}
		free(nums);
		m->maliases[i] = xstrdup(b.len ? buf_str(&b) : "");
		buf_free(&b);
		if (m->cur && strcmp(m->models[i].name, m->cur) == 0)
			cur = i;
	}
	wtable_source_changed(m->mt);
	if (m->nmodels) {
		wtable_set_cursor(m->mt, cur);
		free(m->cur);
		m->cur = xstrdup(m->models[cur].name);
	}
	load_versions(m);
}

/* ---- table sources ----------------------------------------------------- */

static size_t
mt_count(void *pl)
{
	return ((struct models_scr *)pl)->nmodels;
}

static void
mt_cell(void *pl, size_t row, int col, struct wcell *out)
{
	struct models_scr *m = pl;
	const pl_model_summary *s = &m->models[row];

	switch (col) {
	case 0: out->text = s->name; break;
	case 1:
		/* a model made through MLflow's registered-models/create has
		 * no version yet: "-", not a "v0" that never existed */
		if (s->latest > 0) {
			snprintf(out->buf, sizeof out->buf, "v%d", s->latest);
			out->text = out->buf;
		} else {
			out->text = "-";
			out->role = WR_DIM;
		}
		break;
	case 2:
		if (s->production) {
			snprintf(out->buf, sizeof out->buf, "v%d",
			    s->production);
			out->text = out->buf;
			out->role = WR_OK;
		} else {
			out->text = "-";
			out->role = WR_DIM;
		}
		break;
	case 3:
		if (s->staging) {
			snprintf(out->buf, sizeof out->buf, "v%d", s->staging);
			out->text = out->buf;
			out->role = WR_RUNNING;
		} else {
			out->text = "-";
			out->role = WR_DIM;
		}
		break;
	case 4: out->text = m->maliases[row]; break;
	case 5:
		snprintf(out->buf, sizeof out->buf, "%d", s->nversions);
		out->text = out->buf;
		break;
	case 6: out->text = s->description; out->role = WR_DIM; break;
	}
}

static uint64_t
vt_row_id(void *pl, size_t row)
{
	return (uint64_t)((struct models_scr *)pl)->vers[row]->version;
}

static size_t
vt_count(void *pl)
{
	return ((struct models_scr *)pl)->nvers;
}

static void
vt_cell(void *pl, size_t row, int col, struct wcell *out)
{
	struct models_scr *m = pl;
	const pl_model_version *v = m->vers[row];
	double x;

	switch (col) {
	case 0:
		snprintf(out->buf, sizeof out->buf, "v%d", v->version);
		out->text = out->buf;
		break;
	case 1:
		out->text = stage_badge(out->buf, sizeof out->buf, v->stage);
		out->role = stage_role(v->stage);
		if (v->stage == PL_MODEL_PRODUCTION)
			out->attr = A_BOLD;
		break;
	case 2: {
		size_t o = 0;

		out->buf[0] = '\0';
		for (size_t i = 0; i < v->naliases && o < sizeof out->buf;
		    i++)
			o += (size_t)snprintf(out->buf + o, sizeof out->buf - o,
			    "%s%s", i ? "," : "", v->aliases[i]);
		out->text = out->buf;
		break;
	}
	case 3:
		snprintf(out->buf, sizeof out->buf, "%.8s", v->run_id[0] ?
		    v->run_id : "-");
		out->text = out->buf;
		break;
	case 4:
		out->text = tui_time(out->buf, sizeof out->buf, v->created_ms);
		out->role = WR_DIM;
		break;
	default:
		if (col - 5 < m->nmkeys && pl_model_metric_value(&x, v,
		    m->mkeys[col - 5]))
			out->text = tui_num(out->buf, sizeof out->buf, x);
		else
			out->text = "";
	}
}

/* ---- the detail pane: lineage, history --------------------------------- */

void
mdl_line(struct models_scr *m, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		xoom();
	va_end(ap);
	wtext_add_line(m->detail, s);
	free(s);
}

static void set_focus(struct models_scr *m, enum mpane f);

void
mdl_set_detail(struct models_scr *m, enum mdetail mode, int version,
    const char *title)
{
	m->dmode = mode;
	m->dversion = version;
	snprintf(m->dtitle, sizeof m->dtitle, "%s", title);
	wtext_clear(m->detail);
	wtext_set_follow(m->detail, mode == MD_CHILD);
	/* Narrow, the detail is only seen when focused: show what was
	 * asked for. */
	if (m->narrow && mode != MD_NONE)
		set_focus(m, MP_DETAIL);
	m->base.dirty = true;
}

static void
show_lineage(struct models_scr *m, const pl_model_version *v)
{
	char t[64], title[160];

	snprintf(title, sizeof title, "lineage %s v%d", v->model, v->version);
	mdl_set_detail(m, MD_LINEAGE, v->version, title);
	mdl_line(m, "%s v%d  %s%s%s", v->model, v->version,
	    pl_model_stage_name(v->stage), v->description ? "  " : "",
	    v->description ? v->description : "");
	for (size_t i = 0; i < v->naliases; i++)
		mdl_line(m, "alias     %s", v->aliases[i]);
	mdl_line(m, "artifact  %s  (%lld bytes)", v->source_path ?
	    v->source_path : "?", (long long)v->size);
	mdl_line(m, "sha256    %s", v->sha256);
	mdl_line(m, "run       %s", v->run_id[0] ? v->run_id : "(none)");
	mdl_line(m, "code      %s%s%s%s", v->git.commit ? v->git.commit :
	    "(unknown)", v->git.branch ? " on " : "", v->git.branch ?
	    v->git.branch : "", v->git.dirty == 1 ? "  dirty" : "");
	mdl_line(m, "created   %s by %s@%s", tui_time(t, sizeof t,
	    v->created_ms), v->user ? v->user : "?", v->host ? v->host : "?");
	mdl_line(m, "data      %zu version%s", v->ndata, v->ndata == 1 ? "" :
	    "s");
	for (size_t i = 0; i < v->ndata; i++)
		mdl_line(m, "  %s  %.16s  %lld B", v->data[i].path,
		    v->data[i].hash ? v->data[i].hash : "?",
		    (long long)v->data[i].size);
	mdl_line(m, "params    %zu", v->params->n);
	for (size_t i = 0; i < v->params->n; i++)
		mdl_line(m, "  %s = %s", v->params->items[i].key,
		    v->params->items[i].value);
	mdl_line(m, "metrics   %zu", v->nmetrics);
	for (size_t i = 0; i < v->nmetrics; i++)
		mdl_line(m, "  %s = %s", v->metrics[i].key, tui_num(t, sizeof t,
		    v->metrics[i].value));
	wtext_scroll_to(m->detail, 0);
}

static void
show_history(struct models_scr *m)
{
	pl_model_transition *t = NULL;
	size_t n = 0;
	char title[160], tm[64];
	pl_store *st = m->base.app->st;

	if (m->cur == NULL) {
		app_error(m->base.app, "no model selected");
		return;
	}
	if (pl_model_history(&t, &n, st, m->cur) != PL_OK) {
		app_error(m->base.app, "%s", pl_store_errmsg(st));
		return;
	}
	snprintf(title, sizeof title, "history %s (%zu)", m->cur, n);
	mdl_set_detail(m, MD_HISTORY, 0, title);
	for (size_t i = n; i-- > 0;) {
		const pl_model_transition *x = &t[i];

		mdl_line(m, "%s  %-8s v%d  %s -> %s  %s%s", tui_time(tm, sizeof tm,
		    x->time_ms), x->kind, x->version, x->from_stage ?
		    x->from_stage : "-", x->to_stage ? x->to_stage : "-",
		    x->status ? x->status : "", x->forced ? "  FORCED" : "");
		mdl_line(m, "    by %s@%s%s%s%s", x->user ? x->user : "?",
		    x->host ? x->host : "?", x->ssh_client ? " (ssh " : "",
		    x->ssh_client ? x->ssh_client : "", x->ssh_client ? ")" :
		    "");
		if (x->replaced_version)
			mdl_line(m, "    replaced v%d", x->replaced_version);
		if (x->reason)
			mdl_line(m, "    reason: %s", x->reason);
		if (x->detail)
			mdl_line(m, "    %s", x->detail);
		for (size_t g = 0; g < x->ngates; g++)
			mdl_line(m, "    gate %-4s %s: %s  %s",
			    x->gates[g].status ? x->gates[g].status : "?",
			    x->gates[g].check ? x->gates[g].check : "?",
			    x->gates[g].gate ? x->gates[g].gate : "?",
			    x->gates[g].message ? x->gates[g].message : "");
	}
	if (n == 0)
		mdl_line(m, "(no history)");
	pl_model_history_free(t, n);
	wtext_scroll_to(m->detail, 0);
}

/* ---- diff -------------------------------------------------------------- */

static void
open_diff(struct models_scr *m)
{
	size_t n = 0;
	const uint64_t *ids = wtable_marks(m->vt, &n);
	const pl_model_version *a = NULL, *b = NULL;
	struct screen *d;

	if (n == 2) {
		a = mdl_version_of(m, (int)ids[0]);
		b = mdl_version_of(m, (int)ids[1]);
	} else if (n == 0 && m->nvers >= 2) {
		/* The cursor and the version before it. */
		size_t c = wtable_cursor(m->vt);

		if (c + 1 < m->nvers) {
			a = m->vers[c + 1];
			b = m->vers[c];
		}
	}
	if (a == NULL || b == NULL) {
		app_error(m->base.app, "mark two versions with space, then d");
		return;
	}
	mdl_load_config(m);
	if ((d = model_diff_screen_new(m->base.app, a, b, m->cfg)) != NULL)
		app_push(m->base.app, d);
}

/* ---- layout and paint -------------------------------------------------- */

static void
models_layout(struct screen *s)
{
	struct models_scr *m = (struct models_scr *)s;
	struct app *a = s->app;
	int body = app_body_h(a), rest;

	m->split = (int)m->nmodels + 3;
	if (m->split < 5)
		m->split = 5;
	if (m->split > body / 3)
		m->split = body / 3 > 4 ? body / 3 : 4;
	rest = body - m->split;
	m->lw = a->w * 11 / 20;
	if (m->lw < 30)
		m->lw = a->w;
	/* Narrow (under about 55 columns): the versions and the detail
	 * share the lower box, the focused one (Tab) shown. */
	m->narrow = m->lw >= a->w;
	widget_place(wtable_widget(m->mt), a->win, 2, 1, m->split - 2 > 1 ?
	    m->split - 2 : 1, a->w - 2);
	widget_place(wtable_widget(m->vt), a->win, 2 + m->split, 1,
	    rest - 2 > 1 ? rest - 2 : 1, m->lw - 2 > 1 ? m->lw - 2 : 1);
	if (!m->narrow)
		widget_place(wtext_widget(m->detail), a->win, 2 + m->split,
		    m->lw + 1, rest - 2 > 1 ? rest - 2 : 1,
		    a->w - m->lw - 2 > 1 ? a->w - m->lw - 2 : 1);
	else
		widget_place(wtext_widget(m->detail), a->win, 2 + m->split,
		    1, rest - 2 > 1 ? rest - 2 : 1, a->w - 2 > 1 ? a->w - 2 :
		    1);
	if (m->dlg)
		widget_place(wdialog_widget(m->dlg), a->win, 1, 0, body, a->w);
}

static void
models_draw(struct screen *s, bool force)
{
	struct models_scr *m = (struct models_scr *)s;
	struct app *a = s->app;
	attr_t b = wtheme_attr(WR_BORDER);
	int body = app_body_h(a), rest = body - m->split;
	char crumbs[256], t[224], r[64];
	size_t nm = 0;

	wtable_marks(m->vt, &nm);
	if (!force && !s->dirty && m->dlg == NULL && !m->picking) {
		bool det = m->narrow && m->focus == MP_DETAIL;

		widget_draw(wtable_widget(m->mt), false);
		if (!det)
			widget_draw(wtable_widget(m->vt), false);
		if (det || !m->narrow)
			widget_draw(wtext_widget(m->detail), false);
		return;
	}
	snprintf(crumbs, sizeof crumbs, "models  %zu model%s%s%s", m->nmodels,
	    m->nmodels == 1 ? "" : "s", m->cur ? "  " : "",
	    m->cur ? m->cur : "");
	app_header(a, crumbs, m->child > 0 || m->job_running ? m->what :
	    NULL);
	wbox(a->win, 1, 0, m->split, a->w, m->focus == MP_MODELS ?
	    "[models]" : "models", NULL, b);
	widget_draw(wtable_widget(m->mt), true);
	snprintf(t, sizeof t, "%sversions%s%s%s", m->focus == MP_VERSIONS ?
	    "[" : "", m->cur ? " of " : "", m->cur ? m->cur : "",
	    m->focus == MP_VERSIONS ? "]" : "");
	snprintf(r, sizeof r, "%zu marked", nm);
	if (!m->narrow || m->focus != MP_DETAIL) {
		wbox(a->win, 1 + m->split, 0, rest, m->lw, t, nm ? r : NULL,
		    b);
		widget_draw(wtable_widget(m->vt), true);
	}
	if (m->narrow && m->focus == MP_DETAIL) {
		snprintf(t, sizeof t, "[%s]", m->dtitle[0] ? m->dtitle :
		    "detail");
		wbox(a->win, 1 + m->split, 0, rest, a->w, t,
		    m->child > 0 || m->job_running ? "running" : NULL, b);
		widget_draw(wtext_widget(m->detail), true);
	} else if (!m->narrow) {
		snprintf(t, sizeof t, "%s%s%s", m->focus == MP_DETAIL ? "[" :
		    "", m->dtitle[0] ? m->dtitle : "detail",
		    m->focus == MP_DETAIL ? "]" : "");
		wbox(a->win, 1 + m->split, m->lw, rest, a->w - m->lw, t,
		    m->child > 0 || m->job_running ? "running" : NULL, b);
		widget_draw(wtext_widget(m->detail), true);
	}
	if (m->picking)
		mdl_draw_picker(m);
	if (m->dlg)
		widget_draw(wdialog_widget(m->dlg), true);
}

/* ---- requests ---------------------------------------------------------- */

static void
set_focus(struct models_scr *m, enum mpane f)
{
	m->focus = f;
	widget_set_focus(wtable_widget(m->mt), f == MP_MODELS);
	widget_set_focus(wtable_widget(m->vt), f == MP_VERSIONS);
	widget_set_focus(wtext_widget(m->detail), f == MP_DETAIL);
	m->base.dirty = true;
}

static void
model_moved(struct models_scr *m)
{
	size_t c = wtable_cursor(m->mt);

	if (c >= m->nmodels || (m->cur && strcmp(m->cur,
	    m->models[c].name) == 0))
		return;
	free(m->cur);
	m->cur = xstrdup(m->models[c].name);
	wtable_clear_marks(m->vt);
	wtable_set_cursor(m->vt, 0);
	load_versions(m);
	wtable_set_cursor(m->vt, 0);
	mdl_set_detail(m, MD_NONE, 0, "");
}

static int
models_request(struct screen *s, enum request req, int key)
{
	struct models_scr *m = (struct models_scr *)s;
	const pl_model_version *v;

	if (req == REQ_QUIT_ALL)
		return 0;
	if (m->dlg)
		return mdl_dialog_key(m, key);
	if (m->picking)
		return mdl_picker_key(m, key);
	switch (req) {
	case REQ_NEXT_PANE:
		set_focus(m, (enum mpane)((m->focus + 1) % MP__COUNT));
		return 1;
	case REQ_PREV_PANE:
		set_focus(m, (enum mpane)((m->focus + MP__COUNT - 1) %
		    MP__COUNT));
		return 1;
	case REQ_ENTER:
		if (m->focus == MP_MODELS) {
			set_focus(m, MP_VERSIONS);
		} else if ((v = mdl_selected_version(m)) != NULL) {
			show_lineage(m, v);
		}
		return 1;
	case REQ_SELECT:
		if (m->nvers) {
			size_t c = wtable_cursor(m->vt);

			wtable_toggle_mark(m->vt, c);
			if (c + 1 < m->nvers)
				wtable_set_cursor(m->vt, c + 1);
			s->dirty = true;
		}
		return 1;
	case REQ_CLEAR_MARKS:
		wtable_clear_marks(m->vt);
		s->dirty = true;
		return 1;
	case REQ_MODEL_DIFF:
		open_diff(m);
		return 1;
	case REQ_MODEL_PROMOTE:
		if (m->child > 0) {
			app_error(s->app, "%s is still running", m->what);
		} else if ((v = mdl_selected_version(m)) != NULL) {
			m->picking = v->version;
			s->dirty = true;
		} else {
			app_error(s->app, "no version selected");
		}
		return 1;
	case REQ_MODEL_ROLLBACK:
		if (m->child > 0)
			app_error(s->app, "%s is still running", m->what);
		else
			mdl_rollback_ask(m);
		return 1;
	case REQ_MODEL_HISTORY:
		show_history(m);
		return 1;
	case REQ_YANK:
		if ((v = mdl_selected_version(m)) != NULL) {
			char ref[256];

			snprintf(ref, sizeof ref, "%s@%d", v->model,
			    v->version);
			app_yank(s->app, ref, "model version");
		} else if (m->cur) {
			app_yank(s->app, m->cur, "model");
		}
		return 1;
	case REQ_JUMP_RUN:
		if ((v = mdl_selected_version(m)) == NULL) {
			app_error(s->app, "no version selected");
		} else if (v->run_id[0] == '\0') {
			app_error(s->app, "%s v%d was registered without a "
			    "run", v->model, v->version);
		} else {
			struct screen *rs = run_screen_new(s->app, v->run_id);

			if (rs)
				app_push(s->app, rs);
		}
		return 1;
	case REQ_WRAP:
		wtext_set_wrap(m->detail, !wtext_wrap(m->detail));
		s->dirty = true;
		return 1;
	default:
		if (keymap_widget_key(req)) {
			struct widget *w = m->focus == MP_MODELS ?
			    wtable_widget(m->mt) : m->focus == MP_VERSIONS ?
			    wtable_widget(m->vt) : wtext_widget(m->detail);
			unsigned r = widget_key(w, keymap_widget_key(req));

			if (m->focus == MP_MODELS)
				model_moved(m);
			s->dirty = true;
			return r != 0;
		}
	}
	return 0;
}

static int
models_mouse(struct screen *s, const MEVENT *ev)
{
	struct models_scr *m = (struct models_scr *)s;
	int row, col;

	if (m->dlg) {
		unsigned r = widget_mouse(wdialog_widget(m->dlg), ev);

		if (r & W_SUBMIT) {
			mdl_dialog_yes(m);
			mdl_close_dialog(m);
		} else if (r & W_CANCEL) {
			mdl_close_dialog(m);
		}
		return 1;
	}
	if (m->picking)
		return 1;
	if (widget_hit(wtable_widget(m->mt), ev, &row, &col)) {
		set_focus(m, MP_MODELS);
		widget_mouse(wtable_widget(m->mt), ev);
		model_moved(m);
		return 1;
	}
	if (widget_hit(wtable_widget(m->vt), ev, &row, &col)) {
		set_focus(m, MP_VERSIONS);
		if (widget_mouse(wtable_widget(m->vt), ev) & W_ACTIVATE) {
			const pl_model_version *v = mdl_selected_version(m);

			if (v)
				show_lineage(m, v);
		}
		return 1;
	}
	if (widget_hit(wtext_widget(m->detail), ev, &row, &col)) {
		set_focus(m, MP_DETAIL);
		widget_mouse(wtext_widget(m->detail), ev);
		return 1;
	}
	return 0;
}

static void
models_reload(struct screen *s)
{
	struct models_scr *m = (struct models_scr *)s;

	mdl_load_models(m);
	models_layout(s);
	/* A promotion (ours or another terminal's) takes the detail. */
	mdl_watch_job(m);
	if (m->dmode == MD_CHILD)
		return;
	/* Keep what the detail pane shows current (not a job's log). */
	if (m->dmode == MD_HISTORY) {
		show_history(m);
	} else if (m->dmode == MD_LINEAGE) {
		const pl_model_version *v = mdl_version_of(m, m->dversion);

		if (v)
			show_lineage(m, v);
	}
}

static int
models_tick(struct screen *s)
{
	struct models_scr *m = (struct models_scr *)s;

	if (m->child > 0 && m->fd < 0)
		mdl_reap_child(m);
	if (m->child > 0 || m->job_running)
		mdl_watch_job(m);
	return m->child > 0 || m->job_running;
}

static const struct hint_spec *
models_hints_fn(struct screen *s, int *n)
{
	(void)s;
	*n = (int)(sizeof models_hints / sizeof *models_hints);
	return models_hints;
}

static void
models_destroy(struct screen *s)
{
	struct models_scr *m = (struct models_scr *)s;

	if (m->child > 0) {
		/* A promotion is not interrupted halfway by leaving the
		 * screen: wait for it (the deploy has its own timeout). */
		mdl_close_child(m);
	}
	if (m->fd >= 0)
		close(m->fd);
	if (m->dlg)
		widget_free(wdialog_widget(m->dlg));
	free_versions(m);
	free_models(m);
	free(m->cur);
	pl_config_free(m->cfg);
	free(m->cfg_path);
	widget_free(wtable_widget(m->mt));
	widget_free(wtable_widget(m->vt));
	widget_free(wtext_widget(m->detail));
	free(m);
}

static const struct screen_ops models_ops = {
	.name = "models",
	.layout = models_layout,
	.draw = models_draw,
	.request = models_request,
	.mouse = models_mouse,
	.reload = models_reload,
	.tick = models_tick,
	.child_fd = mdl_child_fd,
	.child_ready = mdl_child_ready,
	.hints = models_hints_fn,
	.destroy = models_destroy,
};

void
models_screen_select(struct screen *s, int version)
{
	struct models_scr *m = (struct models_scr *)s;

	for (size_t i = 0; i < m->nvers; i++) {
		if (m->vers[i]->version == version) {
			wtable_set_cursor(m->vt, i);
			set_focus(m, MP_VERSIONS);
			return;
		}
	}
}

struct screen *
models_screen_new(struct app *a, const char *model)
{
	static const struct wcolumn mcols[] = {
		{ "model", 0, 10, 2, 0, 0 },
		{ "latest", 6, 0, 0, WCOL_RIGHT, 0 },
		{ "production", 10, 0, 0, WCOL_RIGHT, 0 },
		{ "staging", 7, 0, 0, WCOL_RIGHT, 0 },
		{ "aliases", 0, 10, 3, 0, 0 },
		{ "versions", 8, 0, 0, WCOL_RIGHT, 0 },
		{ "description", 0, 10, 2, 0, 0 },
	};
	struct wtable_source ms = { mt_count, mt_cell, NULL, NULL, NULL };
	struct wtable_source vs = { vt_count, vt_cell, vt_row_id, NULL, NULL };
	struct models_scr *m;
	int v = 0;

	if (model && pl_model_resolve(&v, a->st, model, NULL) != PL_OK) {
		app_error(a, "%s", pl_store_errmsg(a->st));
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->base.ops = &models_ops;
	m->base.app = a;
	m->fd = -1;
	m->cur = model ? xstrdup(model) : NULL;
	m->mt = wtable_new(a->win, 0, 0, 1, 1, 0);
	m->vt = wtable_new(a->win, 0, 0, 1, 1, WTABLE_MULTI);
	m->detail = wtext_new(a->win, 0, 0, 1, 1);
	if (m->mt == NULL || m->vt == NULL || m->detail == NULL)
		xoom();
	ms.payload = m;
	vs.payload = m;
	wtable_set_source(m->mt, &ms);
	wtable_set_source(m->vt, &vs);
	wtable_set_columns(m->mt, mcols, (int)(sizeof mcols / sizeof *mcols));
	wtable_set_frozen(m->mt, 1);
	wtable_set_frozen(m->vt, 2);
	wtable_set_empty_text(m->mt, "no models: plumb model register NAME "
	    "--run ID --path FILE");
	wtable_set_empty_text(m->vt, "no versions");
	mdl_load_config(m);
	mdl_load_models(m);
	wtext_add_line(m->detail, "Enter shows a version's lineage, h the "
	    "history; space marks two versions for d (diff); P promotes, "
	    "B rolls back.");
	set_focus(m, model ? MP_VERSIONS : MP_MODELS);
	return &m->base;
}
