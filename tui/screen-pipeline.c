/* screen-pipeline.c - the pipeline: stage DAG with live status, `plumb repro` as a child whose output streams into a log, cancel. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dag.h"
#include "textview.h"
#include "theme.h"
#include "xalloc.h"

/*
 * The graph and the up-to-date state come from the engine
 * (pl_pipeline_load, pl_pipeline_status).  Running is left to
 * `plumb repro -v`, started as a child process in its own process
 * group with stdout and stderr on one non-blocking pipe that the app's
 * poll() watches: its lines go to the log pane, and its progress lines
 * ("running  train  (run ...)", "done  train  1.2s", "failed ...")
 * colour the DAG as they come.  Cancel sends SIGINT to the group (a
 * second cancel SIGKILL), as Ctrl-C in a shell would.
 */

enum sstate { S_UNKNOWN, S_OK, S_CHANGED, S_FROZEN, S_RUNNING, S_FAILED,
	S_KILLED, S_BLOCKED };

struct stage_ui {
	enum sstate st;
	char *reasons;		/* "; "-joined, or NULL */
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
	pid_t child;
	int fd;			/* child's output, -1 when none */
	int cancels;
	char line[4096];	/* partial progress line */
	size_t linelen;
	int lw;
	char last[128];		/* last summary line */
};

static const struct whint pipe_hints[] = {
	{ "r", "repro all" }, { "R", "repro selected" }, { "f", "force" },
	{ "c", "cancel" }, { "tab", "pane" }, { "\xe2\x8f\x8e", "stage runs" },
	{ "esc", "back" }, { "?", "help" },
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
		"frozen", "running", "failed", "killed", "blocked" };

	return w[s];
}

static void
set_state(struct pipe_scr *p, size_t i, enum sstate s)
{
	p->stages[i].st = s;
	wdag_set_node(p->dag, (int)i, NULL, badge(s), role(s));
	p->base.dirty = true;
}

/* Asks the engine which stages are up to date (not while a repro runs:
 * it owns the lock file then). */
static void
load_status(struct pipe_scr *p)
{
	pl_pipe_status *ps = NULL;
	size_t n = 0;
	char err[512];

	if (p->child > 0)
		return;
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

/* ---- the repro child --------------------------------------------------- */

static long
stage_index(struct pipe_scr *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->n; i++) {
		const char *s = pl_pipeline_stage(p->pl, i)->name;

		if (strlen(s) == len && strncmp(s, name, len) == 0)
			return (long)i;
	}
	return -1;
}

/* One line of repro's own output: "<state word(s)>  <stage> ...". */
static void
progress_line(struct pipe_scr *p, const char *l)
{
	static const struct { const char *word; enum sstate st; } w[] = {
		{ "running ", S_RUNNING }, { "done ", S_OK },
		{ "up to date ", S_OK }, { "restored ", S_OK },
		{ "failed ", S_FAILED }, { "killed ", S_KILLED },
		{ "blocked ", S_BLOCKED }, { "frozen ", S_FROZEN },
	};

	for (size_t k = 0; k < sizeof w / sizeof *w; k++) {
		size_t wl = strlen(w[k].word), nl;
		const char *name;
		long i;

		if (strncmp(l, w[k].word, wl) != 0)
			continue;
		name = l + wl;
		while (*name == ' ')
			name++;
		nl = strcspn(name, " ");
		if ((i = stage_index(p, name, nl)) >= 0)
			set_state(p, (size_t)i, w[k].st);
		return;
	}
	/* "4 ran, 0 restored, ..." and "Pipeline is up to date ..." */
	if (strstr(l, " ran, ") || strncmp(l, "Pipeline ", 9) == 0)
		snprintf(p->last, sizeof p->last, "%.120s", l);
}

static void
feed(struct pipe_scr *p, const char *data, size_t n)
{
	wtext_append(p->log, data, n);
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			p->line[p->linelen] = '\0';
			progress_line(p, p->line);
			p->linelen = 0;
		} else if (p->linelen + 1 < sizeof p->line) {
			p->line[p->linelen++] = data[i];
		}
	}
	p->base.dirty = true;
}

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
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		app_info(p->base.app, "repro finished: %s", p->last[0] ?
		    p->last : "ok");
	else if (WIFEXITED(status))
		app_error(p->base.app, "repro ended with status %d%s%s",
		    WEXITSTATUS(status), p->last[0] ? ": " : "", p->last);
	else
		app_error(p->base.app, "repro killed by signal %d",
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
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

	if (p->child > 0) {
		app_error(p->base.app, "a repro is already running (c cancels "
		    "it)");
		return;
	}
	argv[k++] = (char *)"plumb";
	argv[k++] = (char *)"--store";
	argv[k++] = (char *)pl_store_dir(p->base.app->st);
	argv[k++] = (char *)"repro";
	argv[k++] = (char *)"-v";
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
	p->last[0] = '\0';
	p->linelen = 0;
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

static void
pipe_child_ready(struct screen *s)
{
	struct pipe_scr *p = (struct pipe_scr *)s;
	char buf[16384];

	for (;;) {
		ssize_t n = read(p->fd, buf, sizeof buf);

		if (n > 0) {
			feed(p, buf, (size_t)n);
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

static void
cancel(struct pipe_scr *p)
{
	if (p->child <= 0) {
		app_error(p->base.app, "nothing is running");
		return;
	}
	p->cancels++;
	kill(-p->child, p->cancels > 1 ? SIGKILL : SIGINT);
	app_info(p->base.app, "cancelling repro (%s)", p->cancels > 1 ?
	    "SIGKILL" : "SIGINT; c again kills it");
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
	size_t cnt[8] = { 0 };
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
	app_header(a, crumbs, p->child > 0 ? "repro running" : NULL);
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
			wput(a->win, 3 + dh, 1, p->lw - 2, su->reasons ?
			    su->reasons : "", wtheme_attr(WR_DIM), WPUT_ELIDE |
			    WPUT_PAD);
		}
	}
	if (p->lw < a->w) {
		snprintf(t, sizeof t, "%slog%s", p->focus == PP_LOG ? "[" : "",
		    p->focus == PP_LOG ? "]" : "");
		wbox(a->win, 1, p->lw, body, a->w - p->lw, t, p->child > 0 ?
		    "running" : p->last[0] ? p->last : NULL, b);
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
		runs_screen_command(rs, "filter", f);
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
	load_status((struct pipe_scr *)s);
}

static int
pipe_tick(struct screen *s)
{
	struct pipe_scr *p = (struct pipe_scr *)s;

	/* A child that closed its output but lives on, or died. */
	if (p->child > 0 && p->fd < 0)
		reap_child(p);
	return p->child > 0;
}

static const struct whint *
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
	for (size_t i = 0; i < p->n; i++)
		free(p->stages[i].reasons);
	free(p->stages);
	widget_free(wdag_widget(p->dag));
	widget_free(wtext_widget(p->log));
	pl_pipeline_free(p->pl);
	free(p->file);
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
	load_status(p);
	set_focus(p, PP_DAG);
	return &p->base;
}
