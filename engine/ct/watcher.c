/* watcher.c - the triggers as plumb watch drives them: firings from alerts, data, schedules and registry events; CT runs as children, never waited for. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ct/ct.h"
#include "ct/internal.h"
#include "data/hash.h"
#include "monitor/tsdb.h"
#include "store/error.h"
#include "store/internal.h"

extern char **environ;

/* Data paths are looked at this often (the hash memo makes an unchanged
 * tree cost its stats). */
#define DATA_EVERY_MS 5000
/* Children are reaped at least this often while they run. */
#define REAP_EVERY_MS 500
/* plumb_trigger_failed is written this often. */
#define SERIES_EVERY_MS 5000

struct child {
	int64_t id;		/* history row */
	pid_t pid;
	char *trigger;
};

/* Per trigger (parallel to ts->t) */
struct tstate {
	int64_t cron_next;	/* SCHEDULE: next minute, -1 none */
	char *hash;		/* DATA: last content hash known */
	int64_t data_next;
};

struct pl_ct {
	pl_store *st;
	pl_triggers *ts;
	struct tstate *s;
	char *exe;
	struct child *kids;
	size_t nkids;
	int64_t alert_seen_ms;	/* alert rows fired after this are new */
	int64_t model_seen_id;	/* model transitions after this are new */
	int64_t series_next;
	pl_ts_writer *w;
	void (*log)(void *, const char *);
	void *logctx;
};

static void
logf_(pl_ct *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logf_(pl_ct *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (c->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	c->log(c->logctx, line);
}

static int64_t
max_transition(pl_store *st)
{
	static const char sql[] = "SELECT COALESCE(MAX(id), 0) FROM "
	    "model_transitions";
	sqlite3_stmt *s = pl__stmt(st, sql);
	int64_t v = 0;

	if (s == NULL)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

/* The content hash of a data path ("" when missing), malloc'ed; NULL on
 * failure. */
static char *
data_hash(pl_store *st, const char *path)
{
	pl_hashed h;
	const char *paths[1] = { path };

	memset(&h, 0, sizeof h);
	if (pl_hash_paths(&h, NULL, st, paths, 1, 1, 0) != PL_OK)
		return NULL;
	return strdup(h.missing ? "" : h.hash);
}

static void
states_init(pl_ct *c, int64_t now_ms)
{
	for (size_t i = 0; i < c->ts->n; i++) {
		const pl_trigger *t = &c->ts->t[i];
		struct tstate *s = &c->s[i];

		s->cron_next = t->on == PL_TRIG_SCHEDULE ?
		    pl_cron_next(&t->cron, now_ms) : -1;
		if (t->on == PL_TRIG_DATA) {
			/* the hash the last firing recorded, so a change made
			 * while no watcher ran fires now; else today's */
			(void)pl__trigger_last_data_hash(&s->hash, c->st,
			    t->name);
			if (s->hash == NULL)
				s->hash = data_hash(c->st, t->data_abs);
			s->data_next = now_ms;
		}
	}
}

static void
states_free(struct tstate *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].hash);
	free(s);
}

int
pl_ct_open(pl_ct **out, pl_store *st, pl_triggers *ts, const char *exe,
    int64_t now_ms, char *err, size_t errlen)
{
	pl_ct *c;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->s = calloc(ts->n + 1, sizeof *c->s)) == NULL ||
	    (c->exe = strdup(exe)) == NULL) {
		if (c)
			free(c->s);
		free(c);
		snprintf(err, errlen, "out of memory");
		pl_triggers_free(ts);
		return PL_ENOMEM;
	}
	c->st = st;
	c->ts = ts;
	c->alert_seen_ms = now_ms;
	c->model_seen_id = max_transition(st);
	if (pl_ts_writer_open(&c->w, st) != PL_OK) {
		snprintf(err, errlen, "series store: %s", pl_store_errmsg(st));
		c->w = NULL;
		pl_ct_close(c, 0);
		return PL_EIO;
	}
	states_init(c, now_ms);
	*out = c;
	return PL_OK;
}

void
pl_ct_replace(pl_ct *c, pl_triggers *ts, int64_t now_ms)
{
	struct tstate *s = calloc(ts->n + 1, sizeof *s);

	if (s == NULL) {
		pl_triggers_free(ts);
		return;
	}
	states_free(c->s, c->ts->n);
	pl_triggers_free(c->ts);
	c->ts = ts;
	c->s = s;
	states_init(c, now_ms);
}

size_t
pl_ct_ntriggers(const pl_ct *c)
{
	return c->ts->n;
}

size_t
pl_ct_running(const pl_ct *c)
{
	return c->nkids;
}

static struct child *
child_of(pl_ct *c, const char *trigger)
{
	for (size_t i = 0; i < c->nkids; i++)
		if (!strcmp(c->kids[i].trigger, trigger))
			return &c->kids[i];
	return NULL;
}

/* Starts the CT run of row id as `EXE --store DIR trigger run NAME
 * --history-id ID -f PLUMB.YAML` in its own process group, output to
 * STORE/triggers/logs/ID.log. */
static int
spawn(pl_ct *c, const pl_trigger *t, int64_t id, char *why, size_t whylen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	char *logdir = NULL, *log = NULL, idtxt[32];
	char *argv[] = { c->exe, "--store", (char *)pl_store_dir(c->st),
		"trigger", "run", t->name, "--history-id", idtxt, "-f",
		c->ts->path, NULL };
	pid_t pid;
	int rc;

	snprintf(idtxt, sizeof idtxt, "%lld", (long long)id);
	if (asprintf(&logdir, "%s/triggers", pl_store_dir(c->st)) < 0)
		return -1;
	(void)mkdir(logdir, 0777);
	free(logdir);
	if (asprintf(&logdir, "%s/triggers/logs", pl_store_dir(c->st)) < 0)
		return -1;
	(void)mkdir(logdir, 0777);
	if (asprintf(&log, "%s/%lld.log", logdir, (long long)id) < 0) {
		free(logdir);
		return -1;
	}
	free(logdir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT |
	    O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addchdir_np(&fa, c->ts->dir);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, c->exe, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		snprintf(why, whylen, "cannot start %s: %s", c->exe,
		    strerror(rc));
		free(log);
		return -1;
	}
	{
		struct child *nk = realloc(c->kids, (c->nkids + 1) *
		    sizeof *nk);

		if (nk == NULL) {
			/* it runs anyway; reaped by nobody until exit */
			free(log);
			return 0;
		}
		c->kids = nk;
		nk[c->nkids].id = id;
		nk[c->nkids].pid = pid;
		nk[c->nkids].trigger = strdup(t->name);
		if (nk[c->nkids].trigger)
			c->nkids++;
	}
	(void)pl__trigger_set_pid(c->st, id, (long)pid, log);
	free(log);
	return 0;
}

/* A firing of t: skipped while it runs or within its cooldown, else a
 * history row and a child. */
static void
fire(pl_ct *c, const pl_trigger *t, const pl_trigger_reason *r, int64_t now)
{
	pl_trigger_row *last = NULL;
	char why[512];
	int64_t id;
	int held;

	held = child_of(c, t->name) != NULL;
	if (!held)
		held = pl__trigger_locked(c->st, t->name) == 1;
	if (held) {
		(void)pl_trigger_history_add(&id, c->st, t->name, r,
		    "skipped-running", "a run of the trigger is in progress",
		    now);
		logf_(c, "trigger %s: %s: skipped, a run is in progress",
		    t->name, r->text);
		return;
	}
	if (t->cooldown_ms > 0 && pl_trigger_last_run(&last, c->st, t->name) ==
	    PL_OK && last && last->started_ms + t->cooldown_ms > now) {
		snprintf(why, sizeof why, "cooldown: the last run started "
		    "%llds ago, the cooldown is %llds",
		    (long long)((now - last->started_ms) / 1000),
		    (long long)(t->cooldown_ms / 1000));
		(void)pl_trigger_history_add(&id, c->st, t->name, r,
		    "skipped-cooldown", why, now);
		logf_(c, "trigger %s: %s: skipped, %s", t->name, r->text, why);
		pl_trigger_rows_free(last, 1);
		return;
	}
	pl_trigger_rows_free(last, last ? 1 : 0);
	if (pl_trigger_history_add(&id, c->st, t->name, r, "running", NULL,
	    now) != PL_OK) {
		logf_(c, "trigger %s: cannot record the firing: %s", t->name,
		    pl_store_errmsg(c->st));
		return;
	}
	if (spawn(c, t, id, why, sizeof why) != 0) {
		(void)pl__trigger_finish(c->st, id, "failed", NULL, NULL, why,
		    now, 1);
		logf_(c, "trigger %s: %s", t->name, why);
		return;
	}
	logf_(c, "trigger %s fired (%s): CT run started, history #%lld",
	    t->name, r->text, (long long)id);
}

/* Alerts gone to firing since the last tick (open rows, or rows that
 * ended since: the alert_history_open index keeps this cheap as the
 * history grows). */
static void
check_alerts(pl_ct *c, int64_t now)
{
	static const char sql[] = "SELECT id, alertname, labels, value FROM "
	    "alert_history WHERE (end_ms IS NULL OR end_ms > ?1) AND "
	    "fired_ms > ?1 AND fired_ms <= ?2 ORDER BY fired_ms, id";
	struct row { int64_t id; char *name, *labels; double value; } *v = NULL;
	size_t n = 0;
	sqlite3_stmt *s;
	int any = 0;

	for (size_t i = 0; i < c->ts->n; i++)
		any |= c->ts->t[i].on == PL_TRIG_ALERT;
	if (!any || (s = pl__stmt(c->st, sql)) == NULL) {
		c->alert_seen_ms = now;
		return;
	}
	sqlite3_bind_int64(s, 1, c->alert_seen_ms);
	sqlite3_bind_int64(s, 2, now);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct row *nv = realloc(v, (n + 1) * sizeof *v);

		if (nv == NULL)
			break;
		v = nv;
		v[n].id = sqlite3_column_int64(s, 0);
		v[n].name = strdup((const char *)sqlite3_column_text(s, 1));
		v[n].labels = strdup((const char *)sqlite3_column_text(s, 2));
		v[n].value = sqlite3_column_type(s, 3) == SQLITE_NULL ? NAN :
		    sqlite3_column_double(s, 3);
		n++;
	}
	sqlite3_reset(s);
	c->alert_seen_ms = now;
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; v[k].name && v[k].labels && i < c->ts->n;
		    i++) {
			const pl_trigger *t = &c->ts->t[i];
			pl_trigger_reason r;
			struct buf b = BUF_INIT;

			if (t->on != PL_TRIG_ALERT || strcmp(t->alert,
			    v[k].name))
				continue;
			buf_printf(&b, "alert %s%s = %.6g (alert history #%lld)",
			    v[k].name, v[k].labels, v[k].value,
			    (long long)v[k].id);
			memset(&r, 0, sizeof r);
			r.kind = "alert";
			r.text = b.p;
			r.alert_id = v[k].id;
			r.alert_name = v[k].name;
			r.alert_labels = v[k].labels;
			r.alert_value = v[k].value;
			fire(c, t, &r, now);
			buf_free(&b);
		}
		free(v[k].name);
		free(v[k].labels);
	}
	free(v);
}

/* Registry events since the last tick. */
static void
check_models(pl_ct *c, int64_t now)
{
	static const char sql[] = "SELECT t.id, m.name, t.kind, t.version, "
	    "COALESCE(t.to_stage, '') FROM model_transitions t JOIN models m "
	    "ON m.id = t.model_id WHERE t.id > ?1 AND t.status = 'ok' "
	    "ORDER BY t.id";
	sqlite3_stmt *s;
	int any = 0;

	for (size_t i = 0; i < c->ts->n; i++)
		any |= c->ts->t[i].on == PL_TRIG_MODEL;
	if (!any) {
		c->model_seen_id = max_transition(c->st);
		return;
	}
	if ((s = pl__stmt(c->st, sql)) == NULL)
		return;
	sqlite3_bind_int64(s, 1, c->model_seen_id);
	/* collected first: firing writes to the store */
	struct ev { int64_t id; char *model, *event, *text; } *v = NULL;
	size_t n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(s, 2);
		const char *event = !strcmp(kind, "register") ? "registered" :
		    !strcmp(kind, "promote") ? "promoted" :
		    !strcmp(kind, "rollback") ? "rolled_back" : NULL;
		struct ev *nv;
		struct buf b = BUF_INIT;

		c->model_seen_id = sqlite3_column_int64(s, 0);
		if (event == NULL || (nv = realloc(v, (n + 1) * sizeof *v)) ==
		    NULL)
			continue;
		v = nv;
		buf_printf(&b, "model %s v%d %s", (const char *)
		    sqlite3_column_text(s, 1), sqlite3_column_int(s, 3), event);
		if (sqlite3_column_bytes(s, 4))
			buf_printf(&b, " to %s", (const char *)
			    sqlite3_column_text(s, 4));
		v[n].id = c->model_seen_id;
		v[n].model = strdup((const char *)sqlite3_column_text(s, 1));
		v[n].event = strdup(event);
		v[n].text = buf_detach(&b);
		n++;
	}
	sqlite3_reset(s);
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; v[k].model && v[k].text && i < c->ts->n;
		    i++) {
			const pl_trigger *t = &c->ts->t[i];
			pl_trigger_reason r;

			if (t->on != PL_TRIG_MODEL || strcmp(t->model,
			    v[k].model) || strcmp(t->event, v[k].event))
				continue;
			memset(&r, 0, sizeof r);
			r.kind = "model";
			r.text = v[k].text;
			r.alert_value = NAN;
			fire(c, t, &r, now);
		}
		free(v[k].model);
		free(v[k].event);
		free(v[k].text);
	}
	free(v);
}

static void
check_data(pl_ct *c, const pl_trigger *t, struct tstate *s, int64_t now)
{
	char *h;
	pl_trigger_reason r;
	struct buf b = BUF_INIT;

	if (now < s->data_next)
		return;
	s->data_next = now + DATA_EVERY_MS;
	if ((h = data_hash(c->st, t->data_abs)) == NULL)
		return;
	if (s->hash && !strcmp(s->hash, h)) {
		free(h);
		return;
	}
	if (s->hash == NULL) {
		s->hash = h;
		return;
	}
	buf_printf(&b, "data %s changed: %.12s -> %.12s", t->data,
	    s->hash[0] ? s->hash : "(missing)", h[0] ? h : "(missing)");
	memset(&r, 0, sizeof r);
	r.kind = "data";
	r.text = b.p;
	r.alert_value = NAN;
	r.data_hash = h;
	fire(c, t, &r, now);
	buf_free(&b);
	free(s->hash);
	s->hash = h;
}

/* Reaps children that ended; a row still running is their failure. */
static void
reap(pl_ct *c, int64_t now)
{
	for (size_t i = 0; i < c->nkids;) {
		struct child *k = &c->kids[i];
		int status;
		pid_t r = waitpid(k->pid, &status, WNOHANG);
		pl_trigger_row *row = NULL;
		char why[128];

		if (r == 0) {
			i++;
			continue;
		}
		if (r < 0 && errno == EINTR) {
			i++;
			continue;
		}
		if (r > 0 && WIFSIGNALED(status))
			snprintf(why, sizeof why, "the CT run was killed by "
			    "signal %d", WTERMSIG(status));
		else if (r > 0)
			snprintf(why, sizeof why, "the CT run exited with "
			    "status %d", WEXITSTATUS(status));
		else
			snprintf(why, sizeof why, "the CT run was lost");
		(void)pl__trigger_finish(c->st, k->id, "failed", NULL, NULL,
		    why, now, 1);
		if (pl_trigger_history_get(&row, c->st, k->id) == PL_OK) {
			if (!strcmp(row->status, "failed"))
				logf_(c, "trigger %s: CT run #%lld failed: %s",
				    k->trigger, (long long)k->id, row->message ?
				    row->message : why);
			else
				logf_(c, "trigger %s: CT run #%lld %s%s%s%s%s",
				    k->trigger, (long long)k->id, row->status,
				    row->model_version ? ", registered " : "",
				    row->model_version ? row->model_version : "",
				    row->promotion ? ", " : "",
				    row->promotion ? row->promotion : "");
			pl_trigger_rows_free(row, 1);
		}
		free(k->trigger);
		c->kids[i] = c->kids[--c->nkids];
		c->series_next = 0;	/* write the outcome now */
	}
}

/* plumb_trigger_failed{trigger} = 1 while a trigger's last run failed. */
static void
write_series(pl_ct *c, int64_t now)
{
	if (now < c->series_next || c->w == NULL)
		return;
	c->series_next = now + SERIES_EVERY_MS;
	for (size_t i = 0; i < c->ts->n; i++) {
		pl_trigger_row *last = NULL;
		pl_label l = { "trigger", c->ts->t[i].name };

		if (pl_trigger_last_run(&last, c->st, c->ts->t[i].name) !=
		    PL_OK || last == NULL || !strcmp(last->status, "running")) {
			pl_trigger_rows_free(last, last ? 1 : 0);
			continue;
		}
		(void)pl_ts_append(c->w, "plumb_trigger_failed", &l, 1, now,
		    !strcmp(last->status, "failed") ? 1.0 : 0.0);
		pl_trigger_rows_free(last, 1);
	}
	(void)pl_ts_flush(c->w);
}

int64_t
pl_ct_tick(pl_ct *c, int64_t now, void (*log)(void *, const char *),
    void *ctx)
{
	int64_t next = now + 60000;

	c->log = log;
	c->logctx = ctx;
	reap(c, now);
	check_alerts(c, now);
	check_models(c, now);
	for (size_t i = 0; i < c->ts->n; i++) {
		const pl_trigger *t = &c->ts->t[i];
		struct tstate *s = &c->s[i];

		if (t->on == PL_TRIG_DATA) {
			check_data(c, t, s, now);
			if (s->data_next < next)
				next = s->data_next;
		}
		if (t->on == PL_TRIG_SCHEDULE && s->cron_next >= 0) {
			if (now >= s->cron_next) {
				pl_trigger_reason r;
				char text[128];
				time_t when = (time_t)(s->cron_next / 1000);
				struct tm tm;

				localtime_r(&when, &tm);
				strftime(text, sizeof text, "schedule: the tick "
				    "of %Y-%m-%d %H:%M", &tm);
				memset(&r, 0, sizeof r);
				r.kind = "schedule";
				r.text = text;
				r.alert_value = NAN;
				fire(c, t, &r, now);
				/* the next tick after now: never a catch-up */
				s->cron_next = pl_cron_next(&t->cron, now);
			}
			if (s->cron_next >= 0 && s->cron_next < next)
				next = s->cron_next;
		}
	}
	write_series(c, now);
	if (c->nkids && now + REAP_EVERY_MS < next)
		next = now + REAP_EVERY_MS;
	if (c->series_next > now && c->series_next < next)
		next = c->series_next;
	c->log = NULL;
	return next;
}

void
pl_ct_close(pl_ct *c, int64_t grace_ms)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nkids; i++)
		(void)kill(-c->kids[i].pid, SIGTERM);
	for (int64_t waited = 0, killed = 0; c->nkids && waited <= grace_ms +
	    5000; waited += 50) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (waited >= grace_ms && !killed++)
			for (size_t i = 0; i < c->nkids; i++)
				(void)kill(-c->kids[i].pid, SIGKILL);
		reap(c, pl__now_ms());
		if (c->nkids)
			nanosleep(&ts, NULL);
	}
	for (size_t i = 0; i < c->nkids; i++)
		free(c->kids[i].trigger);
	free(c->kids);
	if (c->w)
		(void)pl_ts_writer_close(c->w);
	states_free(c->s, c->ts ? c->ts->n : 0);
	pl_triggers_free(c->ts);
	free(c->exe);
	free(c);
}
