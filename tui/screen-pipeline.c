/* screen-pipeline.c - the pipeline: stage DAG with live status, `plumb repro` as a child whose output streams into a log, cancel. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dag.h"
#include "textview.h"
#include "theme.h"
#include "xalloc.h"

/*
 * The graph and the up-to-date state come from the engine
 * (pl_pipeline_load, pl_pipeline_status).  A repro, whoever started it
 * (r/R/f here, or plumb repro in another terminal), records its job in
 * the store as it goes (progress.h): this screen reads the stage states
 * from there when the store changes, and the log pane shows the output
 * of the stage that runs (its tracked run's stdout log).  Starting one
 * runs `plumb repro -q` as a child in its own process group; nothing of
 * its output is parsed.  Cancel sends SIGINT (a second cancel SIGKILL).
 */

enum sstate { S_UNKNOWN, S_OK, S_CHANGED, S_FROZEN, S_RUNNING, S_FAILED,
	S_KILLED, S_BLOCKED, S_WAITING, S_QUEUED };

struct stage_ui {
	enum sstate st;
	char *reasons;		/* "; "-joined, or NULL */
	/* how its newest run ended when it did not finish (a cluster's
	 * words: timeout, cancelled by whom...), or NULL; mark is its
	 * one-letter badge (pl_stage_end) */
	char *end;
	const char *mark;
};

enum ppane { PP_DAG, PP_LOG, PP__COUNT };

struct pipe_scr {
	struct screen base;
	pl_pipeline *pl;
	char *file;
	struct stage_ui *stages;
	size_t n;
	struct wdag *dag;
	struct wtext *log;
	enum ppane focus;
	char *abs;		/* the pipeline file, absolute: the job's
				 * subject */
	char host[256];
	pid_t child;		/* a plumb repro this screen started */
	int fd;			/* child's output, -1 when none */
	int cancels;
	char tail[256];		/* child's last output line */
	int lw;
	char last[128];		/* the job's state or summary */
	/* the newest repro job of this pipeline (progress.h) */
	int64_t job_id;
	bool job_running, job_local, job_ended;
	long job_pid;
	char job_state[24];
	char out_run[PL_ID_LEN + 1];	/* whose output the log shows */
	int64_t out_size;
};

/* The status bar: requests, their keys looked up in the keymap. */
static const struct hint_spec pipe_hints[] = {
	{ REQ_REPRO_ALL, "repro all" }, { REQ_REPRO_STAGE, "repro selected" },
	{ REQ_REPRO_FORCE, "force" }, { REQ_CANCEL, "cancel" },
	{ REQ_NEXT_PANE, "pane" }, { REQ_ENTER, "stage runs" },
	{ REQ_BACK, "back" }, { REQ_HELP, "help" },
};

/* ---- status ------------------------------------------------------------ */

static const char *
badge(enum sstate s)
{
	bool u = widgets_utf8();

	switch (s) {
	case S_OK: return u ? "\xe2\x9c\x93" : "ok";		/* ✓ */
	case S_CHANGED: return u ? "\xe2\x80\xa6" : "..";	/* … */
	case S_FROZEN: return u ? "\xe2\x9d\x84" : "F";	/* ❄ */
	case S_RUNNING: return u ? "\xe2\x97\x90" : ">";	/* ◐ */
	case S_FAILED: return u ? "\xe2\x9c\x97" : "x";	/* ✗ */
	case S_KILLED: return u ? "\xe2\x97\x8b" : "-";	/* ○ */
	case S_BLOCKED: return u ? "\xe2\x8a\x98" : "#";	/* ⊘ */
	case S_WAITING: return u ? "\xe2\x80\xa6" : "..";	/* … */
	case S_QUEUED: return u ? "\xe2\x97\x94" : "q";	/* ◔ */
	default: return "?";
	}
}

static int
role(enum sstate s)
{
	switch (s) {
	case S_OK: return WR_OK;
	case S_RUNNING: return WR_RUNNING;
	case S_FAILED: return WR_FAILED;
	default: return WR_DIM;
	}
}

static const char *
state_word(enum sstate s)
{
	static const char *const w[] = { "unknown", "up to date", "changed",
		"frozen", "running", "failed", "killed", "blocked", "waiting",
		"queued" };

	return w[s];
}

static void
set_state(struct pipe_scr *p, size_t i, enum sstate s)
{
	p->stages[i].st = s;
	/* a stage that did not finish last time shows how it ended
	 * (T timeout, M memory, C cancelled...) until it runs again */
	if (p->stages[i].mark && (s == S_CHANGED || s == S_FAILED ||
	    s == S_KILLED || s == S_BLOCKED))
		wdag_set_node(p->dag, (int)i, NULL, p->stages[i].mark,
		    WR_FAILED);
	else
		wdag_set_node(p->dag, (int)i, NULL, badge(s), role(s));
	p->base.dirty = true;
}

/* Asks the engine which stages are up to date (not while a repro runs:
 * it owns the lock file then). */
static void
load_status(struct pipe_scr *p)
{
	pl_pipe_status *ps = NULL;
	pl_stage_end *ends = NULL;
	size_t n = 0, nends = 0;
	char err[512];

	if (p->child > 0 || p->job_running)
		return;		/* the repro holds the lock file */
	for (size_t i = 0; i < p->n; i++) {
		free(p->stages[i].end);
		p->stages[i].end = NULL;
		p->stages[i].mark = NULL;
	}
	if (pl_pipeline_last_ends(&ends, &nends, p->base.app->st, p->pl) ==
	    PL_OK) {
		for (size_t k = 0; k < nends; k++) {
			struct stage_ui *su;
			struct buf b = BUF_INIT;

			if (ends[k].stage >= p->n)
				continue;
			su = &p->stages[ends[k].stage];
			buf_printf(&b, "last run: %s", ends[k].words);
			if (ends[k].job_id[0])
				buf_printf(&b, ", Slurm job %s", ends[k].job_id);
			if (ends[k].queue_wait[0])
				buf_printf(&b, ", queued %s",
				    ends[k].queue_wait);
			su->end = buf_detach(&b);
			buf_free(&b);
			su->mark = ends[k].mark;
		}
		free(ends);
	}
	if (pl_pipeline_status(&ps, &n, p->base.app->st, p->pl, NULL, err,
	    sizeof err) != PL_OK) {
		app_error(p->base.app, "%s", err);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		struct stage_ui *su;
		struct buf b = BUF_INIT;

		if (ps[k].stage >= p->n)
			continue;
		su = &p->stages[ps[k].stage];
		for (size_t r = 0; r < ps[k].nreasons; r++)
			buf_printf(&b, "%s%s", r ? "; " : "", ps[k].reasons[r]);
		free(su->reasons);
		su->reasons = b.len ? buf_detach(&b) : NULL;
		buf_free(&b);
		set_state(p, ps[k].stage, ps[k].frozen ? S_FROZEN :
		    ps[k].changed ? S_CHANGED : S_OK);
	}
	pl_pipe_status_free(ps, n);
}

/* ---- the repro job, read from the store ------------------------------- */

static enum sstate
state_of_word(const char *w)
{
	static const struct { const char *word; enum sstate st; } m[] = {
		{ "waiting", S_WAITING }, { "running", S_RUNNING },
		{ "queued", S_QUEUED },
		{ "done", S_OK }, { "up to date", S_OK }, { "restored", S_OK },
		{ "failed", S_FAILED }, { "killed", S_KILLED },
		{ "not started", S_KILLED }, { "blocked", S_BLOCKED },
		{ "frozen", S_FROZEN },
	};

	for (size_t k = 0; k < sizeof m / sizeof *m; k++)
		if (strcmp(w, m[k].word) == 0)
			return m[k].st;
	return S_UNKNOWN;
}

static long
stage_index(struct pipe_scr *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(pl_pipeline_stage(p->pl, i)->name, name) == 0)
			return (long)i;
	return -1;
}

/*
 * Shows the output of the stage being watched (the running one, else
 * the last that ran in this job): the tail of its tracked run's stdout
 * log, re-read when the file grew.
 */
static void
show_output(struct pipe_scr *p, const char *run_id, const char *stage)
{
	char *path;
	struct stat sb;
	FILE *f;

	if (run_id == NULL)
		return;
	if (strcmp(p->out_run, run_id) != 0) {
		snprintf(p->out_run, sizeof p->out_run, "%s", run_id);
		p->out_size = -1;
	}
	path = pl_run_log_path(p->base.app->st, run_id, "stdout");
	if (path == NULL)
		return;
	if (stat(path, &sb) == 0 && (off_t)p->out_size != sb.st_size &&
	    (f = fopen(path, "r")) != NULL) {
		char buf[16384];
		size_t n;
		char head[160];

		wtext_clear(p->log);
		snprintf(head, sizeof head, "-- %s (run %.8s) --", stage,
		    run_id);
		wtext_add_line(p->log, head);
		/* The last 64 KiB is what a log pane can show. */
		if (sb.st_size > 65536)
			fseeko(f, sb.st_size - 65536, SEEK_SET);
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			wtext_append(p->log, buf, n);
		fclose(f);
		p->out_size = (int64_t)sb.st_size;
		p->base.dirty = true;
	}
	free(path);
}

/*
 * Reads the newest repro job of this pipeline (whoever started it: this
 * screen, or plumb repro in another terminal) and colours the DAG from
 * its steps.  When a job ends, the engine's up-to-date check runs again.
 */
static void
load_job(struct pipe_scr *p)
{
	struct app *a = p->base.app;
	pl_job *j = NULL;
	pl_job_step *st = NULL;
	size_t n = 0;
	const char *watch_run = NULL, *watch_stage = NULL;
	bool was_running = p->job_running;

	if (pl_job_latest(&j, a->st, "repro", p->abs) != PL_OK)
		return;
	p->job_running = strcmp(j->state, "running") == 0;
	p->job_pid = j->pid;
	p->job_local = strcmp(j->host, p->host) == 0;
	if (j->id != p->job_id) {
		p->job_id = j->id;
		p->out_run[0] = '\0';
	}
	snprintf(p->job_state, sizeof p->job_state, "%s", j->state);
	if (p->job_running)
		snprintf(p->last, sizeof p->last, "running");
	else
		snprintf(p->last, sizeof p->last, "%.100s", j->message ?
		    j->message : j->state);
	/* Only a job running now, or the one that just ended under our
	 * eyes, paints the stages; an old one leaves the check's states. */
	if ((p->job_running || was_running || p->child > 0) &&
	    pl_job_steps(&st, &n, a->st, j->id) == PL_OK) {
		bool watch_fixed = false;

		for (size_t k = 0; k < n; k++) {
			long i = stage_index(p, st[k].name);

			if (i < 0)
				continue;
			set_state(p, (size_t)i, state_of_word(st[k].state));
			/* the running stage, else the last that ran: never
			 * a choice that depends on what is shown now, which
			 * flipped the pane between two finished stages.
			 * Every step still paints its stage (a stage queued
			 * behind the running one shows "queued"). */
			if (st[k].run_id && !watch_fixed) {
				watch_run = st[k].run_id;
				watch_stage = st[k].name;
				watch_fixed = strcmp(st[k].state, "running") ==
				    0;
			}
		}
		show_output(p, watch_run, watch_stage);
		pl_job_steps_free(st, n);
	}
	if (was_running && !p->job_running) {
		if (strcmp(j->state, "done") == 0)
			app_info(a, "repro finished: %s", p->last);
		else
			app_error(a, "repro %s: %s", j->state, p->last);
		p->job_ended = true;
	}
	p->base.dirty = true;
	pl_job_free(j);
}

/* The plumb repro child this screen started: its output is only kept
 * for a failure that happens before the job exists (a bad plumb.yaml,
 * another repro holding the pipeline). */
static void
reap_child(struct pipe_scr *p)
{
	int status = 0;
	pid_t r;

	if (p->child <= 0)
		return;
	do
		r = waitpid(p->child, &status, 0);
	while (r < 0 && errno == EINTR);
	p->child = 0;
	load_job(p);
	if (!p->job_ended && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		app_error(p->base.app, "repro ended with status %d: %s",
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status), p->tail[0] ? p->tail : "");
	load_status(p);
	p->base.dirty = true;
}

static void
close_child(struct pipe_scr *p)
{
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	reap_child(p);
}

static void
launch(struct pipe_scr *p, const char *target, bool force)
{
	char *argv[12];
	int fd, k = 0;
	pid_t pid;

	load_job(p);
	if (p->child > 0 || p->job_running) {
		app_error(p->base.app, "a repro is already running (c cancels "
		    "it)");
		return;
	}
	argv[k++] = (char *)"plumb";
	argv[k++] = (char *)"--store";
	argv[k++] = (char *)pl_store_dir(p->base.app->st);
	argv[k++] = (char *)"repro";
	argv[k++] = (char *)"-q";
	argv[k++] = (char *)"-f";
	argv[k++] = p->file;
	if (force) {
		argv[k++] = (char *)"--force";
		argv[k++] = (char *)"--single-item";
	}
	if (target)
		argv[k++] = (char *)target;
	argv[k] = NULL;
	pid = app_spawn_plumb(p->base.app, argv, pl_pipeline_dir(p->pl), &fd);
	if (pid < 0)
		return;
	p->child = pid;
	p->fd = fd;
	p->cancels = 0;
	p->tail[0] = '\0';
	p->job_ended = false;
	p->job_running = true;	/* until the store says otherwise */
	p->last[0] = '\0';
	wtext_clear(p->log);
	wtext_set_follow(p->log, true);
	app_info(p->base.app, "repro %s%s started", target ? target : "(all)",
	    force ? " --force" : "");
	p->base.dirty = true;
}

static int
pipe_child_fd(struct screen *s)
{
	return ((struct pipe_scr *)s)->fd;
}

/* Keeps the last line the child wrote (for a failure message). */
static void
keep_tail(struct pipe_scr *p, const char *data, size_t n)
{
	size_t i, start, len;

	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (n == 0)
		return;
	for (i = n; i > 0 && data[i - 1] != '\n'; i--)
		;
	start = i;
	len = n - start;
	if (len >= sizeof p->tail)
		len = sizeof p->tail - 1;
	memcpy(p->tail, data + start, len);
	p->tail[len] = '\0';
}

static void
pipe_child_ready(struct screen *s)
{
	struct pipe_scr *p = (struct pipe_scr *)s;
	char buf[16384];

	for (;;) {
		ssize_t n = read(p->fd, buf, sizeof buf);

		if (n > 0) {
			keep_tail(p, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		break;		/* EOF or error: the child is done */
	}
	close_child(p);
}

/*
 * Cancel: our own child gets SIGINT in its process group (a second
 * cancel SIGKILL), as Ctrl-C in a shell would.  A repro of this host
 * started elsewhere gets SIGINT by the pid its job recorded (plumb
 * repro stops its stages and records them killed).
 */
static void
cancel(struct pipe_scr *p)
{
	if (p->child > 0) {
		p->cancels++;
		kill(-p->child, p->cancels > 1 ? SIGKILL : SIGINT);
		app_info(p->base.app, "cancelling repro (%s)", p->cancels > 1 ?
		    "SIGKILL" : "SIGINT; c again kills it");
		return;
	}
	load_job(p);
	if (!p->job_running) {
		app_error(p->base.app, "nothing is running");
		return;
	}
	if (!p->job_local || p->job_pid <= 0) {
		app_error(p->base.app, "the repro runs on another host");
		return;
	}
	if (kill((pid_t)p->job_pid, SIGINT) == 0)
		app_info(p->base.app, "cancelling repro pid %ld (SIGINT)",
		    p->job_pid);
	else
		app_error(p->base.app, "cannot signal pid %ld: %s",
		    p->job_pid, strerror(errno));
}

/* ---- layout and paint -------------------------------------------------- */

static void
pipe_layout(struct screen *s)
{
	struct pipe_scr *p = (struct pipe_scr *)s;
	struct app *a = s->app;
	int body = app_body_h(a), dh;

	p->lw = a->w * 11 / 20;
	if (p->lw < 20)
		p->lw = a->w;
	dh = body - 4 > 3 ? body - 4 : body;
	widget_place(wdag_widget(p->dag), a->win, 2, 1,
	    dh - 2 > 1 ? dh - 2 : 1, p->lw - 2 > 1 ? p->lw - 2 : 1);
	if (p->lw < a->w)
		widget_place(wtext_widget(p->log), a->win, 2, p->lw + 1,
		    body - 2 > 1 ? body - 2 : 1,
		    a->w - p->lw - 2 > 1 ? a->w - p->lw - 2 : 1);
	else
		widget_place(wtext_widget(p->log), a->win, 1 + dh, 0, 1, 1);
}

static void
pipe_draw(struct screen *s, bool force)
{
	struct pipe_scr *p = (struct pipe_scr *)s;
	struct app *a = s->app;
	attr_t b = wtheme_attr(WR_BORDER);
	int body = app_body_h(a), dh = body - 4 > 3 ? body - 4 : body;
	size_t cnt[S_QUEUED + 1] = { 0 };
	char crumbs[512], t[256];
	int sel = wdag_selected(p->dag);

	if (!force && !s->dirty) {
		widget_draw(wdag_widget(p->dag), false);
		widget_draw(wtext_widget(p->log), false);
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		cnt[p->stages[i].st]++;
	snprintf(crumbs, sizeof crumbs, "pipeline  %s  %zu stages %s %zu up "
	    "to date %s %zu running %s %zu changed%s", p->file, p->n,
	    widgets_utf8() ? "\xc2\xb7" : "-", cnt[S_OK],
	    widgets_utf8() ? "\xc2\xb7" : "-", cnt[S_RUNNING],
	    widgets_utf8() ? "\xc2\xb7" : "-", cnt[S_CHANGED],
	    cnt[S_FAILED] ? "  FAILED" : "");
	if (cnt[S_QUEUED] && strlen(crumbs) + 24 < sizeof crumbs)
		snprintf(crumbs + strlen(crumbs), sizeof crumbs -
		    strlen(crumbs), " %s %zu queued", widgets_utf8() ?
		    "\xc2\xb7" : "-", cnt[S_QUEUED]);
	app_header(a, crumbs, p->job_running ? "repro running" : NULL);
	wbox(a->win, 1, 0, dh, p->lw, p->focus == PP_DAG ? "[DAG]" : "DAG",
	    NULL, b);
	widget_draw(wdag_widget(p->dag), true);
	if (dh < body) {
		/* The selected stage: state and why. */
		wbox(a->win, 1 + dh, 0, body - dh, p->lw, "stage", NULL, b);
		if (sel >= 0 && (size_t)sel < p->n) {
			const struct stage_ui *su = &p->stages[sel];

			snprintf(t, sizeof t, "%s: %s",
			    pl_pipeline_stage(p->pl, (size_t)sel)->name,
			    state_word(su->st));
			wput(a->win, 2 + dh, 1, p->lw - 2, t,
			    wtheme_attr((enum wrole)role(su->st)), WPUT_ELIDE |
			    WPUT_PAD);
			if (su->end && su->st != S_OK && su->st != S_RUNNING &&
			    su->st != S_WAITING && su->st != S_QUEUED) {
				/* how it ended last time, before why it
				 * runs (sanitized by wput) */
				struct buf eb = BUF_INIT;

				buf_printf(&eb, "%s%s%s", su->end, su->reasons ?
				    "; " : "", su->reasons ? su->reasons : "");
				wput(a->win, 3 + dh, 1, p->lw - 2, buf_str(&eb),
				    wtheme_attr(WR_FAILED), WPUT_ELIDE |
				    WPUT_PAD);
				buf_free(&eb);
			} else
				wput(a->win, 3 + dh, 1, p->lw - 2, su->reasons ?
				    su->reasons : "", wtheme_attr(WR_DIM),
				    WPUT_ELIDE | WPUT_PAD);
		}
	}
	if (p->lw < a->w) {
		snprintf(t, sizeof t, "%slog%s", p->focus == PP_LOG ? "[" : "",
		    p->focus == PP_LOG ? "]" : "");
		wbox(a->win, 1, p->lw, body, a->w - p->lw, t, p->last[0] ?
		    p->last : NULL, b);
		widget_draw(wtext_widget(p->log), true);
	}
}

/* ---- requests ---------------------------------------------------------- */

static void
set_focus(struct pipe_scr *p, enum ppane f)
{
	p->focus = f;
	widget_set_focus(wdag_widget(p->dag), f == PP_DAG);
	widget_set_focus(wtext_widget(p->log), f == PP_LOG);
	p->base.dirty = true;
}

static const char *
selected_name(struct pipe_scr *p)
{
	int sel = wdag_selected(p->dag);

	if (sel < 0 || (size_t)sel >= p->n) {
		app_error(p->base.app, "no stage selected");
		return NULL;
	}
	return pl_pipeline_stage(p->pl, (size_t)sel)->name;
}

static int
pipe_request(struct screen *s, enum request req, int key)
{
	struct pipe_scr *p = (struct pipe_scr *)s;
	const char *name;

	switch (req) {
	case REQ_REPRO_ALL:
		launch(p, NULL, false);
		return 1;
	case REQ_REPRO_STAGE:
	case REQ_REPRO_FORCE:
		if ((name = selected_name(p)) != NULL)
			launch(p, name, req == REQ_REPRO_FORCE);
		return 1;
	case REQ_CANCEL:
		cancel(p);
		return 1;
	case REQ_NEXT_PANE:
	case REQ_PREV_PANE:
		set_focus(p, p->focus == PP_DAG ? PP_LOG : PP_DAG);
		return 1;
	case REQ_WRAP:
		wtext_set_wrap(p->log, !wtext_wrap(p->log));
		s->dirty = true;
		return 1;
	case REQ_ENTER: {
		/* The stage's runs: the runs screen filtered by its tag.
		 * Pushed over this screen, so Esc comes back here. */
		struct screen *rs;
		char *f;

		if ((name = selected_name(p)) == NULL || strchr(name, '\''))
			return 1;
		if ((rs = runs_screen_new(s->app)) == NULL)
			return 1;
		app_push(s->app, rs);
		f = xasprintf("tags.stage = '%s'", name);
		app_screen_command(rs, "filter", f);
		free(f);
		return 1;
	}
	default:
		if (keymap_widget_key(req)) {
			struct widget *w = p->focus == PP_DAG ?
			    wdag_widget(p->dag) : wtext_widget(p->log);
			unsigned r = widget_key(w, keymap_widget_key(req));

			s->dirty = true;	/* the stage box follows */
			return r != 0;
		}
	}
	(void)key;
	return 0;
}

static int
pipe_mouse(struct screen *s, const MEVENT *ev)
{
	struct pipe_scr *p = (struct pipe_scr *)s;
	int row, col;

	if (widget_hit(wdag_widget(p->dag), ev, &row, &col)) {
		set_focus(p, PP_DAG);
		widget_mouse(wdag_widget(p->dag), ev);
		return 1;
	}
	if (widget_hit(wtext_widget(p->log), ev, &row, &col)) {
		set_focus(p, PP_LOG);
		widget_mouse(wtext_widget(p->log), ev);
		return 1;
	}
	return 0;
}

static void
pipe_reload(struct screen *s)
{
	struct pipe_scr *p = (struct pipe_scr *)s;

	load_job(p);
	if (p->job_ended && p->child <= 0) {
		p->job_ended = false;
		load_status(p);
	} else if (!p->job_running) {
		load_status(p);
	}
}

static int
pipe_tick(struct screen *s)
{
	struct pipe_scr *p = (struct pipe_scr *)s;

	/* A child that closed its output but lives on, or died. */
	if (p->child > 0 && p->fd < 0)
		reap_child(p);
	/* The running stage's log grows without the store moving; a
	 * job whose process died reads back as lost. */
	if (p->job_running)
		load_job(p);
	return p->child > 0 || p->job_running;
}

static const struct hint_spec *
pipe_hints_fn(struct screen *s, int *n)
{
	(void)s;
	*n = (int)(sizeof pipe_hints / sizeof *pipe_hints);
	return pipe_hints;
}

static void
pipe_destroy(struct screen *s)
{
	struct pipe_scr *p = (struct pipe_scr *)s;

	if (p->child > 0) {
		/* Leaving the screen stops its repro: nobody would see it. */
		kill(-p->child, SIGTERM);
		close_child(p);
	}
	if (p->fd >= 0)
		close(p->fd);
	for (size_t i = 0; i < p->n; i++) {
		free(p->stages[i].reasons);
		free(p->stages[i].end);
	}
	free(p->stages);
	widget_free(wdag_widget(p->dag));
	widget_free(wtext_widget(p->log));
	pl_pipeline_free(p->pl);
	free(p->file);
	free(p->abs);
	free(p);
}

static const struct screen_ops pipe_ops = {
	.name = "pipeline",
	.layout = pipe_layout,
	.draw = pipe_draw,
	.request = pipe_request,
	.mouse = pipe_mouse,
	.reload = pipe_reload,
	.tick = pipe_tick,
	.child_fd = pipe_child_fd,
	.child_ready = pipe_child_ready,
	.hints = pipe_hints_fn,
	.destroy = pipe_destroy,
};

struct screen *
pipeline_screen_new(struct app *a)
{
	struct pipe_scr *p;
	char err[1024], cwd[4096];
	char *file = NULL;
	pl_pipeline *pl = NULL;

	if (getcwd(cwd, sizeof cwd) == NULL ||
	    pl_pipeline_find(&file, cwd, err, sizeof err) != PL_OK) {
		app_error(a, "no pipeline here: %s", err);
		free(file);
		return NULL;
	}
	if (pl_pipeline_load(&pl, file, 0, err, sizeof err) != PL_OK) {
		app_error(a, "%s", err);
		free(file);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->base.ops = &pipe_ops;
	p->base.app = a;
	p->pl = pl;
	p->file = file;
	p->fd = -1;
	p->n = pl_pipeline_nstages(pl);
	p->stages = xcalloc(p->n + 1, sizeof *p->stages);
	p->dag = wdag_new(a->win, 0, 0, 1, 1);
	p->log = wtext_new(a->win, 0, 0, 1, 1);
	if (p->dag == NULL || p->log == NULL)
		xoom();
	for (size_t i = 0; i < p->n; i++)
		wdag_add_node(p->dag, pl_pipeline_stage(pl, i)->name,
		    badge(S_UNKNOWN), WR_DIM);
	for (size_t i = 0; i < p->n; i++) {
		const size_t *up;
		size_t nup;

		pl_pipeline_upstream(pl, i, &up, &nup);
		for (size_t k = 0; k < nup; k++)
			wdag_add_edge(p->dag, (int)up[k], (int)i);
	}
	wtext_add_line(p->log, "r runs plumb repro for the whole pipeline, "
	    "R the selected stage (with its upstream), f forces it alone.");
	p->abs = realpath(file, NULL);
	if (p->abs == NULL)
		p->abs = xstrdup(file);
	if (gethostname(p->host, sizeof p->host - 1) != 0)
		p->host[0] = '\0';
	p->out_size = -1;
	load_job(p);
	load_status(p);
	set_focus(p, PP_DAG);
	return &p->base;
}
