/* screen-model-promote.c - the models screen's promote and rollback: stage picker, gate results in a confirm dialog, the plumb model child whose progress is read from the store. */
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

/* ---- the promote/rollback job, read from the store -------------------- */

/*
 * Promotion and rollback run in a `plumb model` child (a slow deploy
 * never freezes the screen).  What it does is read from the store, not
 * from its output: the engine records the job's event lines, the deploy
 * output and the outcome as it goes (progress.h).  The same reading
 * shows a promotion of the selected model started from another
 * terminal.
 */

/* Appends the job's new event lines to the detail pane; notes its end. */
void
mdl_watch_job(struct models_scr *m)
{
	struct app *a = m->base.app;
	static const char *const kinds[] = { "promote", "rollback" };
	pl_job *best = NULL;
	char **ev = NULL;
	size_t n = 0;
	int64_t last = 0;
	bool running;

	if (m->cur == NULL)
		return;
	for (size_t k = 0; k < 2; k++) {
		pl_job *j = NULL;

		if (pl_job_latest(&j, a->st, kinds[k], m->cur) != PL_OK)
			continue;
		if (best == NULL || j->id > best->id) {
			pl_job_free(best);
			best = j;
		} else {
			pl_job_free(j);
		}
	}
	if (best == NULL)
		return;
	running = strcmp(best->state, "running") == 0;
	/* A job to follow: ours (started after the launch), or one that
	 * runs now from elsewhere. */
	if (best->id != m->job_id) {
		bool ours = m->child > 0 && best->start_ms >= m->launch_ms;

		if (!ours && !running) {
			pl_job_free(best);
			return;
		}
		m->job_id = best->id;
		m->job_seq = 0;
		m->job_running = true;
		if (!ours) {
			snprintf(m->what, sizeof m->what, "%s %s (pid %ld on "
			    "%s)", best->kind, best->subject, best->pid,
			    best->host);
			mdl_set_detail(m, MD_CHILD, 0, m->what);
		}
	}
	if (pl_job_events(&ev, &n, &last, a->st, m->job_id, m->job_seq, 0) ==
	    PL_OK) {
		for (size_t i = 0; i < n; i++)
			mdl_line(m, "%s", ev[i]);
		m->job_seq = last;
		pl_job_events_free(ev);
	}
	if (m->job_running && !running) {
		m->job_running = false;
		if (strcmp(best->state, "done") == 0) {
			app_info(a, "%s: done", m->what);
			mdl_line(m, "-- %s: done", m->what);
		} else {
			app_error(a, "%s %s: see the detail pane", m->what,
			    best->state);
			mdl_line(m, "-- %s: %s", m->what, best->state);
		}
		m->job_done = true;
	}
	m->base.dirty = true;
	pl_job_free(best);
}

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
	mdl_watch_job(m);
	/* Failed before its job existed (bad arguments, a busy model):
	 * its last line says why. */
	if (!m->job_done && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		app_error(m->base.app, "%s failed (status %d): %s", m->what,
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status), m->tail);
		mdl_line(m, "-- %s: failed: %s", m->what, m->tail);
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

/* Runs `plumb --store DIR model ARGS...`; its progress is read from
 * the store. */
static void
launch(struct models_scr *m, const char *const *args, const char *what)
{
	char *argv[20];
	int fd, k = 0;
	pid_t pid;

	if (m->child > 0 || m->job_running) {
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
	m->launch_ms = app_wall_ms() - 1000;	/* clocks of two processes */
	pid = app_spawn_plumb(m->base.app, argv,
	    m->cfg && m->cfg->dir ? m->cfg->dir : NULL, &fd);
	if (pid < 0)
		return;
	m->child = pid;
	m->fd = fd;
	m->tail[0] = '\0';
	m->job_done = false;
	snprintf(m->what, sizeof m->what, "%s", what);
	mdl_set_detail(m, MD_CHILD, 0, what);
	app_info(m->base.app, "%s started", what);
}

int
mdl_child_fd(struct screen *s)
{
	return ((struct models_scr *)s)->fd;
}

/* The child's own output is not shown (the job in the store is): only
 * its last line is kept, for a failure before the job began. */
void
mdl_child_ready(struct screen *s)
{
	struct models_scr *m = (struct models_scr *)s;
	char buf[8192];

	for (;;) {
		ssize_t n = read(m->fd, buf, sizeof buf);

		if (n > 0) {
			size_t e = (size_t)n, b;

			while (e > 0 && buf[e - 1] == '\n')
				e--;
			for (b = e; b > 0 && buf[b - 1] != '\n'; b--)
				;
			if (e > b) {
				size_t len = e - b < sizeof m->tail - 1 ?
				    e - b : sizeof m->tail - 1;

				memcpy(m->tail, buf + b, len);
				m->tail[len] = '\0';
			}
			mdl_watch_job(m);
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

/* The reason prompt after yes: Enter goes ahead (an empty reason is
 * recorded as none), Esc cancels. */
static int
reason_cb(struct screen *s, const char *text, unsigned ev)
{
	struct models_scr *m = (struct models_scr *)s;
	char ref[256], what[160];
	const char *stage = pl_model_stage_name(m->pend_stage);
	const char *args[8];
	int k = 0;

	if (ev & W_CANCEL) {
		app_info(s->app, "cancelled: nothing changed");
		m->pend_kind = DLG_NONE;
		return 0;
	}
	if (!(ev & W_SUBMIT))
		return 1;
	if (m->pend_kind == DLG_PROMOTE) {
		snprintf(ref, sizeof ref, "%s@%d", m->cur, m->pend_version);
		snprintf(what, sizeof what, "promote %s v%d to %s", m->cur,
		    m->pend_version, stage);
		args[k++] = "promote";
		args[k++] = ref;
		args[k++] = "--to";
	} else if (m->pend_kind == DLG_ROLLBACK) {
		snprintf(what, sizeof what, "rollback %s %s", m->cur, stage);
		args[k++] = "rollback";
		args[k++] = m->cur;
		args[k++] = "--stage";
	} else {
		return 0;
	}
	args[k++] = stage;
	if (text && *text) {
		args[k++] = "--reason";
		args[k++] = text;
	}
	args[k] = NULL;
	m->pend_kind = DLG_NONE;
	launch(m, args, what);
	return 0;
}

void
mdl_dialog_yes(struct models_scr *m)
{
	if (m->dkind != DLG_PROMOTE && m->dkind != DLG_ROLLBACK)
		return;
	m->pend_kind = m->dkind;
	m->pend_version = m->dlg_version;
	m->pend_stage = m->dlg_stage;
	app_prompt(m->base.app, &m->base, m->dkind == DLG_PROMOTE ?
	    "reason for the promotion (Enter: none): " :
	    "reason for the rollback (Enter: none): ", "", reason_cb);
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

