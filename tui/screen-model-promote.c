/* screen-model-promote.c - the models screen's promote and rollback: stage picker, gate results in a confirm dialog, the plumb model child. */
#include "config.h"
#include "screen-models.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "theme.h"
#include "xalloc.h"

/* ---- the promote/rollback child ---------------------------------------- */

void
mdl_reap_child(struct models_scr *m)
{
	int status = 0;
	pid_t r;

	if (m->child <= 0)
		return;
	do
		r = waitpid(m->child, &status, 0);
	while (r < 0 && errno == EINTR);
	m->child = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		app_info(m->base.app, "%s: done", m->what);
		mdl_line(m, "-- %s: done", m->what);
	} else {
		app_error(m->base.app, "%s failed (status %d): see the "
		    "detail pane", m->what, WIFEXITED(status) ?
		    WEXITSTATUS(status) : 128 + WTERMSIG(status));
		mdl_line(m, "-- %s: failed", m->what);
	}
	mdl_load_models(m);
	m->base.dirty = true;
}

void
mdl_close_child(struct models_scr *m)
{
	if (m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
	mdl_reap_child(m);
}

/* Runs `plumb --store DIR model ARGS...` with output into the detail. */
static void
launch(struct models_scr *m, const char *const *args, const char *what)
{
	char *argv[20];
	int fd, k = 0;
	pid_t pid;

	if (m->child > 0) {
		app_error(m->base.app, "%s is still running", m->what);
		return;
	}
	argv[k++] = (char *)"plumb";
	argv[k++] = (char *)"--store";
	argv[k++] = (char *)pl_store_dir(m->base.app->st);
	argv[k++] = (char *)"model";
	for (size_t i = 0; args[i] && k < 17; i++)
		argv[k++] = (char *)args[i];
	if (m->cfg_path) {
		argv[k++] = (char *)"--config";
		argv[k++] = m->cfg_path;
	}
	argv[k] = NULL;
	pid = app_spawn_plumb(m->base.app, argv,
	    m->cfg && m->cfg->dir ? m->cfg->dir : NULL, &fd);
	if (pid < 0)
		return;
	m->child = pid;
	m->fd = fd;
	snprintf(m->what, sizeof m->what, "%s", what);
	mdl_set_detail(m, MD_CHILD, 0, what);
	{
		struct buf b = BUF_INIT;

		for (int i = 0; argv[i]; i++)
			buf_printf(&b, "%s%s", i ? " " : "$ ", argv[i]);
		wtext_add_line(m->detail, buf_str(&b));
		buf_free(&b);
	}
	app_info(m->base.app, "%s started", what);
}

int
mdl_child_fd(struct screen *s)
{
	return ((struct models_scr *)s)->fd;
}

void
mdl_child_ready(struct screen *s)
{
	struct models_scr *m = (struct models_scr *)s;
	char buf[8192];

	for (;;) {
		ssize_t n = read(m->fd, buf, sizeof buf);

		if (n > 0) {
			wtext_append(m->detail, buf, (size_t)n);
			s->dirty = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		break;
	}
	mdl_close_child(m);
}

/* ---- promote and rollback ---------------------------------------------- */

static void
open_dialog(struct models_scr *m, enum mdialog kind, const char *title,
    const char *msg, bool default_yes)
{
	struct app *a = m->base.app;

	m->dlg = wdialog_new(a->win, 1, 0, app_body_h(a), a->w, title, msg,
	    default_yes);
	if (m->dlg == NULL)
		xoom();
	m->dkind = kind;
	m->base.dirty = true;
}

void
mdl_close_dialog(struct models_scr *m)
{
	widget_free(wdialog_widget(m->dlg));
	m->dlg = NULL;
	m->dkind = DLG_NONE;
	m->base.app->full = true;
	m->base.dirty = true;
}

/* Evaluates the gates (nothing changes) and asks. */
static void
promote_ask(struct models_scr *m, int version, pl_model_stage to)
{
	pl_check_report *rep = NULL;
	char err[1024], num[32], title[160];
	const pl_model_version *v = mdl_version_of(m, version);
	struct buf b = BUF_INIT;

	if (v == NULL)
		return;
	if (v->stage == to) {
		app_error(m->base.app, "%s v%d is already in %s", m->cur,
		    version, pl_model_stage_name(to));
		return;
	}
	mdl_load_config(m);
	if (pl_check_promotion(&rep, m->base.app->st, m->cfg, m->cur, version,
	    to, err, sizeof err) != PL_OK) {
		app_error(m->base.app, "%s", err);
		return;
	}
	snprintf(title, sizeof title, "gates for %s v%d -> %s", m->cur,
	    version, pl_model_stage_name(to));
	mdl_set_detail(m, MD_GATES, version, title);
	buf_printf(&b, "Promote %s v%d (%s) to %s?  Gates: ", m->cur, version,
	    pl_model_stage_name(v->stage), pl_model_stage_name(to));
	if (rep->n == 0) {
		buf_printf(&b, "none apply.");
		mdl_line(m, "no gate applies to %s", pl_model_stage_name(to));
	}
	for (size_t i = 0; i < rep->n; i++) {
		const pl_check_item *it = &rep->items[i];
		const char *w = it->status == PL_CHECK_PASS ? "PASS" :
		    it->status == PL_CHECK_SKIP ? "SKIP" : "FAIL";

		buf_printf(&b, "%s %s", w, it->name);
		if (it->has_value)
			buf_printf(&b, " (%s)", tui_num(num, sizeof num,
			    it->value));
		buf_printf(&b, "%s", i + 1 < rep->n ? "; " : ".");
		mdl_line(m, "%s  %s: %s", w, it->check, it->name);
		mdl_line(m, "      %s", it->message);
	}
	if (pl_check_report_failed(rep)) {
		/* The promotion would be rejected: nothing to confirm. */
		app_error(m->base.app, "%s v%d -> %s: a gate failed (%zu of "
		    "%zu); nothing changed", m->cur, version,
		    pl_model_stage_name(to), rep->nfail + rep->nerror, rep->n);
		mdl_line(m, "a gate failed: the promotion would be rejected; "
		    "nothing changed");
	} else {
		buf_printf(&b, " Then deploy and record it.");
		m->dlg_version = version;
		m->dlg_stage = to;
		open_dialog(m, DLG_PROMOTE, "promote", buf_str(&b), false);
	}
	buf_free(&b);
	pl_check_report_free(rep);
}

/* The version the current holder of stage replaced, from the history. */
static int
previous_holder(struct models_scr *m, pl_model_stage stage, int holder)
{
	pl_model_transition *t = NULL;
	size_t n = 0;
	int prev = 0;

	if (pl_model_history(&t, &n, m->base.app->st, m->cur) != PL_OK)
		return 0;
	for (size_t i = n; i-- > 0;) {
		if (t[i].version != holder || t[i].to_stage == NULL ||
		    strcmp(t[i].to_stage, pl_model_stage_name(stage)) != 0 ||
		    (t[i].status && strcmp(t[i].status, "ok") != 0))
			continue;
		prev = t[i].replaced_version;
		break;
	}
	pl_model_history_free(t, n);
	return prev;
}

void
mdl_rollback_ask(struct models_scr *m)
{
	const pl_model_version *v = mdl_selected_version(m);
	pl_model_stage stage = v && v->stage == PL_MODEL_STAGING ?
	    PL_MODEL_STAGING : PL_MODEL_PRODUCTION;
	int holder = 0, prev;
	char msg[512];

	if (m->cur == NULL)
		return;
	if (pl_model_stage_holder(&holder, m->base.app->st, m->cur, stage) !=
	    PL_OK) {
		app_error(m->base.app, "%s", pl_store_errmsg(m->base.app->st));
		return;
	}
	if (holder == 0) {
		app_error(m->base.app, "%s has no version in %s: nothing to "
		    "roll back", m->cur, pl_model_stage_name(stage));
		return;
	}
	prev = previous_holder(m, stage, holder);
	if (prev == 0) {
		app_error(m->base.app, "%s %s v%d replaced no version: nothing "
		    "to roll back to", m->cur, pl_model_stage_name(stage),
		    holder);
		return;
	}
	snprintf(msg, sizeof msg, "Roll back %s %s from v%d to v%d? v%d is "
	    "redeployed and v%d archived.", m->cur, pl_model_stage_name(stage),
	    holder, prev, prev, holder);
	m->dlg_stage = stage;
	m->dlg_version = holder;
	open_dialog(m, DLG_ROLLBACK, "rollback", msg, false);
}

void
mdl_dialog_yes(struct models_scr *m)
{
	char ref[256], what[160];
	const char *stage = pl_model_stage_name(m->dlg_stage);

	if (m->dkind == DLG_PROMOTE) {
		const char *args[] = { "promote", ref, "--to", stage,
			"--reason", "promoted from plumb tui", NULL };

		snprintf(ref, sizeof ref, "%s@%d", m->cur, m->dlg_version);
		snprintf(what, sizeof what, "promote %s v%d to %s", m->cur,
		    m->dlg_version, stage);
		launch(m, args, what);
	} else if (m->dkind == DLG_ROLLBACK) {
		const char *args[] = { "rollback", m->cur, "--stage", stage,
			"--reason", "rolled back from plumb tui", NULL };

		snprintf(what, sizeof what, "rollback %s %s", m->cur, stage);
		launch(m, args, what);
	}
}

int
mdl_dialog_key(struct models_scr *m, int key)
{
	unsigned r = widget_key(wdialog_widget(m->dlg), key);

	if (r & W_SUBMIT) {
		mdl_dialog_yes(m);
		mdl_close_dialog(m);
	} else if (r & W_CANCEL) {
		app_info(m->base.app, "cancelled: nothing changed");
		mdl_close_dialog(m);
	}
	return 1;
}

void
mdl_draw_picker(struct models_scr *m)
{
	struct app *a = m->base.app;
	attr_t d = wtheme_attr(WR_DIALOG);
	int w = 48, h = 5, y = 1 + app_body_h(a) / 2 - 2, x = (a->w - w) / 2;
	char t[96];

	if (x < 0) {
		x = 0;
		w = a->w;
	}
	for (int i = 0; i < h; i++)
		wfill(a->win, y + i, x, w, " ", d);
	snprintf(t, sizeof t, "promote %s v%d", m->cur ? m->cur : "?",
	    m->picking);
	wbox(a->win, y, x, h, w, t, NULL, d);
	wput(a->win, y + 2, x + 2, w - 4, "to:  s staging   p production   "
	    "Esc cancel", d, WPUT_TRUSTED | WPUT_ELIDE);
}

int
mdl_picker_key(struct models_scr *m, int key)
{
	int v = m->picking;

	if (key != 's' && key != 'p' && key != WK_ESC && key != 'q' &&
	    key != 'n')
		return 1;
	m->picking = 0;
	m->base.app->full = true;
	m->base.dirty = true;
	if (key == 's' || key == 'p')
		promote_ask(m, v, key == 's' ? PL_MODEL_STAGING :
		    PL_MODEL_PRODUCTION);
	else
		app_info(m->base.app, "cancelled: nothing changed");
	return 1;
}

