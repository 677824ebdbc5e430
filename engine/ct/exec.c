/* exec.c - one CT run of a trigger: its lock, repro or a command as tracked runs tagged with the reason, model registration, promotion through the gates, the history row. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config/names.h"
#include "config/plumb-yaml.h"
#include "ct/ct.h"
#include "ct/internal.h"
#include "pipeline/pipeline.h"
#include "pipeline/repro.h"
#include "registry/deploy.h"
#include "registry/from-pipeline.h"
#include "registry/registry.h"
#include "store/error.h"
#include "store/internal.h"
#include "track/launch.h"
#include "track/run.h"

char *
pl__trigger_lock_path(pl_store *st, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/triggers/%s.lock", pl_store_dir(st), name) < 0)
		return NULL;
	return p;
}

/* Opens (creating STORE/triggers/) the trigger's lock file. */
static int
lock_open(pl_store *st, const char *name)
{
	char *dir = NULL, *path;
	int fd;

	if (asprintf(&dir, "%s/triggers", pl_store_dir(st)) < 0)
		return -1;
	(void)mkdir(dir, 0777);
	free(dir);
	if ((path = pl__trigger_lock_path(st, name)) == NULL)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(path);
	return fd;
}

int
pl__trigger_locked(pl_store *st, const char *name)
{
	int fd = lock_open(st, name), held;

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		held = 0;
		(void)flock(fd, LOCK_UN);
	} else {
		held = errno == EWOULDBLOCK ? 1 : -1;
	}
	close(fd);
	return held;
}

/* What one CT run collects as it goes. */
struct ctx {
	pl_store *st;
	const pl_trigger *t;
	const pl_trigger_row *row;
	const pl_trigger_exec_opts *o;
	int64_t id;
	char **done_stage, **done_run;	/* stages that succeeded */
	size_t ndone;
	struct buf models;		/* "churn v3, other v2" */
	char **ran;			/* stages that started (both passes) */
	size_t nran;
	int failed_tag;
};

static void
say(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct ctx *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (c->o == NULL || c->o->on_line == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	c->o->on_line(line, c->o->payload);
}

/* Tags a tracked run with the CT run's reason and records it on the
 * row: linked both ways. */
static void
tag_run(struct ctx *c, const char *run_id)
{
	const pl_trigger_row *r = c->row;
	char num[64];
	int bad = 0;

	bad |= pl__trigger_add_run(c->st, c->id, run_id);
	bad |= pl_run_set_tag(c->st, run_id, "trigger", c->t->name);
	bad |= pl_run_set_tag(c->st, run_id, "trigger_reason", r->reason_kind);
	bad |= pl_run_set_tag(c->st, run_id, "trigger_reason_text", r->reason);
	snprintf(num, sizeof num, "%lld", (long long)c->id);
	bad |= pl_run_set_tag(c->st, run_id, "trigger_history", num);
	if (r->alert_name)
		bad |= pl_run_set_tag(c->st, run_id, "alert", r->alert_name);
	if (r->alert_labels)
		bad |= pl_run_set_tag(c->st, run_id, "alert_labels",
		    r->alert_labels);
	if (!isnan(r->alert_value)) {
		snprintf(num, sizeof num, "%.17g", r->alert_value);
		bad |= pl_run_set_tag(c->st, run_id, "alert_value", num);
	}
	if (r->alert_id) {
		snprintf(num, sizeof num, "%lld", (long long)r->alert_id);
		bad |= pl_run_set_tag(c->st, run_id, "alert_history", num);
	}
	if (r->data_hash)
		bad |= pl_run_set_tag(c->st, run_id, "data_hash", r->data_hash);
	if (bad)
		c->failed_tag = 1;
}

static int
strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof **v);

	if (nv == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static void
on_repro_event(const pl_repro_event *ev, void *payload)
{
	struct ctx *c = payload;

	/* START and DONE come on this thread (OUTPUT may not: it only
	 * goes on to the caller) */
	if (ev->type == PL_EV_START && ev->stage) {
		(void)strv_push(&c->ran, &c->nran, ev->stage);
		if (ev->run_id)
			tag_run(c, ev->run_id);
	}
	if (ev->type == PL_EV_DONE && ev->run_id && ev->stage) {
		size_t ns = c->ndone, nr = c->ndone;

		if (strv_push(&c->done_stage, &ns, ev->stage) == 0) {
			if (strv_push(&c->done_run, &nr, ev->run_id) == 0)
				c->ndone++;
			else
				free(c->done_stage[ns - 1]);
		}
	}
	if (c->o && c->o->on_event)
		c->o->on_event(ev, c->o->payload);
}

static void
on_registered(const char *model, int version, void *payload)
{
	struct ctx *c = payload;

	buf_printf(&c->models, "%s%s v%d", c->models.len ? ", " : "", model,
	    version);
	say(c, "registered %s v%d", model, version);
}

/* The repro: of t: the listed stages always run (forced when up to date
 * after the first pass); upstream stages only when changed. */
static int
do_repro(struct ctx *c, const pl_triggers *ts, char *msg, size_t msglen)
{
	const pl_trigger *t = c->t;
	pl_pipeline *p = NULL;
	pl_repro_opts ro;
	pl_repro_summary sum;
	char err[2048] = "", **rest = NULL;
	size_t nrest = 0;
	int rc;

	if (pl_pipeline_load(&p, ts->pipeline, PL_PIPE_CHECK_DEPS, err,
	    sizeof err) != PL_OK) {
		snprintf(msg, msglen, "%s", err);
		return PL_ERROR;
	}
	memset(&ro, 0, sizeof ro);
	ro.targets = t->repro;
	ro.ntargets = t->nrepro;
	ro.interrupt = c->o ? c->o->interrupt : NULL;
	ro.on_event = on_repro_event;
	ro.payload = c;
	rc = pl_repro(&sum, c->st, p, &ro, err, sizeof err);
	if (rc == PL_OK && !(ro.interrupt && *ro.interrupt)) {
		for (size_t i = 0; i < t->nrepro; i++) {
			int ran = 0;

			for (size_t k = 0; k < c->nran && !ran; k++)
				ran = !strcmp(c->ran[k], t->repro[i]) ||
				    (!strncmp(c->ran[k], t->repro[i],
				    strlen(t->repro[i])) &&
				    c->ran[k][strlen(t->repro[i])] == '@');
			if (!ran && strv_push(&rest, &nrest, t->repro[i]) < 0)
				rc = PL_ENOMEM;
		}
		if (rc == PL_OK && nrest) {
			ro.targets = rest;
			ro.ntargets = nrest;
			ro.force = 1;
			ro.single = 1;
			rc = pl_repro(&sum, c->st, p, &ro, err, sizeof err);
		}
	}
	for (size_t i = 0; i < nrest; i++)
		free(rest[i]);
	free(rest);
	if (rc == PL_ERROR)
		snprintf(msg, msglen, "%zu stage%s failed, %zu killed, %zu "
		    "blocked", sum.failed, sum.failed == 1 ? "" : "s",
		    sum.killed, sum.blocked + sum.not_started);
	else if (rc != PL_OK)
		snprintf(msg, msglen, "%s", err[0] ? err : pl_strerror(rc));
	if (ro.interrupt && *ro.interrupt) {
		snprintf(msg, msglen, "interrupted");
		rc = PL_ERROR;
	}
	/* stages that succeeded register their models, as plumb repro does */
	if (ro.interrupt == NULL || !*ro.interrupt) {
		pl_config *cfg = NULL;
		char *lockpath = NULL;

		if (c->ndone && pl_config_load(&cfg, ts->path, err, sizeof err) !=
		    PL_OK) {
			if (rc == PL_OK)
				snprintf(msg, msglen, "%s", err);
			rc = PL_ERROR;
		}
		if (cfg && asprintf(&lockpath, "%s/plumb.lock",
		    pl_pipeline_dir(p)) < 0)
			lockpath = NULL;
		for (size_t i = 0; cfg && lockpath && i < c->ndone; i++)
			if (pl_model_register_stage(c->st, cfg, c->done_stage[i],
			    c->done_run[i], lockpath, on_registered, c) !=
			    PL_OK) {
				if (rc == PL_OK)
					snprintf(msg, msglen, "registering the "
					    "model of stage %s: %s",
					    c->done_stage[i],
					    pl_store_errmsg(c->st));
				rc = PL_ERROR;
			}
		free(lockpath);
		pl_config_free(cfg);
	}
	pl_pipeline_free(p);
	return rc == PL_OK ? PL_OK : PL_ERROR;
}

/* The run: command of t as one tracked run. */
static int
do_command(struct ctx *c, const pl_triggers *ts, char *msg, size_t msglen)
{
	char id[PL_ID_LEN + 1], err[1024] = "";
	char *argv[] = { "/bin/sh", "-c", c->t->run, NULL };
	char *outlog = NULL, *errlog = NULL;
	pl_run_spec spec;
	pl_launch_opts lo;
	pl_launch_result res;
	int rc;

	memset(&spec, 0, sizeof spec);
	spec.experiment = "triggers";
	spec.name = c->t->name;
	spec.command = c->t->run;
	spec.cwd = ts->dir;
	spec.pid = (long)getpid();
	if ((rc = pl_run_create(id, c->st, &spec)) != PL_OK) {
		snprintf(msg, msglen, "%s", pl_store_errmsg(c->st));
		return PL_ERROR;
	}
	tag_run(c, id);
	outlog = pl_run_log_path(c->st, id, "stdout");
	errlog = pl_run_log_path(c->st, id, "stderr");
	memset(&lo, 0, sizeof lo);
	lo.argv = argv;
	lo.cwd = ts->dir;
	lo.stdout_log = outlog;
	lo.stderr_log = errlog;
	lo.on_output = c->o ? c->o->on_output : NULL;
	lo.payload = c->o ? c->o->payload : NULL;
	lo.pending = c->o ? c->o->interrupt : NULL;
	lo.no_terminal = 1;
	lo.stdin_path = "/dev/null";
	memset(&res, 0, sizeof res);
	rc = pl_launch_run(&res, &lo, err, sizeof err);
	free(outlog);
	free(errlog);
	if (rc != PL_OK) {
		snprintf(msg, msglen, "%s", err);
		(void)pl_run_finish(c->st, id, PL_RUN_FAILED, res.exit_status,
		    err);
		return PL_ERROR;
	}
	if (res.exit_status == 0 && !res.signaled) {
		(void)pl_run_finish(c->st, id, PL_RUN_FINISHED, 0, NULL);
		return PL_OK;
	}
	snprintf(msg, msglen, "%s", res.interrupted ? "interrupted" :
	    "command failed");
	if (!res.interrupted)
		snprintf(msg, msglen, "run: exited with status %d",
		    res.exit_status);
	(void)pl_run_finish(c->st, id, res.interrupted ? PL_RUN_KILLED :
	    PL_RUN_FAILED, res.exit_status, msg);
	return PL_ERROR;
}

static int
max_version(pl_store *st, const char *model)
{
	int *v = NULL, m = 0;
	size_t n = 0;

	if (pl_model_versions(&v, &n, st, model) == PL_OK && n)
		m = v[n - 1];
	free(v);
	return m;
}

static void
deploy_line(const char *msg, void *payload)
{
	struct ctx *c = payload;

	say(c, "%s", msg);
}

/* promote: through the existing promotion: gates, deploy, health check,
 * rollback of a failed deploy.  *failed when the deploy failed. */
static char *
do_promote(struct ctx *c, const pl_triggers *ts, int before, int *failed)
{
	const pl_trigger *t = c->t;
	pl_promote_opts po;
	pl_promote_result *res = NULL;
	pl_config *cfg = NULL;
	struct buf b = BUF_INIT;
	char err[1024], reason[512];
	int after = max_version(c->st, t->promote_model), rc;

	*failed = 0;
	if (after <= before) {
		buf_printf(&b, "not promoted: no new version of %s",
		    t->promote_model);
		return buf_detach(&b);
	}
	if (pl_config_load(&cfg, ts->path, err, sizeof err) != PL_OK) {
		*failed = 1;
		buf_printf(&b, "error: %s", err);
		return buf_detach(&b);
	}
	memset(&po, 0, sizeof po);
	po.name = t->promote_model;
	po.version = after;
	(void)pl_model_stage_parse(&po.to, t->promote_to);
	snprintf(reason, sizeof reason, "trigger %s (%s)", t->name,
	    c->row->reason);
	po.reason = reason;
	po.cfg = cfg;
	po.io.on_event = deploy_line;
	po.io.payload = c;
	po.io.pending = c->o ? c->o->interrupt : NULL;
	say(c, "promoting %s v%d to %s", t->promote_model, after,
	    t->promote_to);
	rc = pl_model_promote(&res, c->st, &po);
	if (rc != PL_OK) {
		*failed = 1;
		buf_printf(&b, "error: %s", pl_store_errmsg(c->st));
	} else if (res->outcome == PL_PROMOTE_DONE) {
		buf_printf(&b, "promoted %s v%d to %s", t->promote_model, after,
		    t->promote_to);
		if (res->replaced_version && res->replaced_version != after)
			buf_printf(&b, " (v%d archived)", res->replaced_version);
	} else if (res->outcome == PL_PROMOTE_REJECTED) {
		/* the gates did their job: not a failure of the CT run */
		buf_printf(&b, "rejected: a gate failed for %s v%d -> %s",
		    t->promote_model, after, t->promote_to);
		for (size_t i = 0; res->gates && i < res->gates->n; i++)
			if (res->gates->items[i].status == PL_CHECK_FAIL)
				buf_printf(&b, "; %s: %s",
				    res->gates->items[i].name,
				    res->gates->items[i].message);
	} else {
		*failed = 1;
		buf_printf(&b, "failed: %s", res->detail);
	}
	pl_promote_result_free(res);
	pl_config_free(cfg);
	say(c, "%s", b.p ? b.p : "");
	return buf_detach(&b);
}

int
pl_trigger_exec(int *out_status, int64_t *out_id, pl_store *st,
    const pl_triggers *ts, const char *name, const pl_trigger_exec_opts *o)
{
	const pl_trigger *t = pl_triggers_find(ts, name);
	pl_trigger_row *row = NULL;
	struct ctx c;
	char msg[1024] = "", *promotion = NULL;
	int fd, rc, before = 0, failed, pfailed = 0;
	int64_t id = o ? o->history_id : 0;

	*out_status = 1;
	if (out_id)
		*out_id = id;
	if (t == NULL)
		return pl__err(st, PL_ENOTFOUND, "no trigger '%s' in %s", name,
		    ts->path);
	if ((fd = lock_open(st, name)) < 0)
		return pl__err(st, PL_EIO, "cannot open the lock of trigger %s: "
		    "%s", name, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		pl_trigger_reason r = { "manual", "manual", 0, NULL, NULL, NAN,
			NULL };

		close(fd);
		if (e != EWOULDBLOCK)
			return pl__err(st, PL_EIO, "cannot lock trigger %s: %s",
			    name, strerror(e));
		if (id)
			(void)pl__trigger_finish(st, id, "skipped-running", NULL,
			    NULL, "a run of the trigger is in progress",
			    pl__now_ms(), 1);
		else
			(void)pl_trigger_history_add(&id, st, name, &r,
			    "skipped-running", "a run of the trigger is in "
			    "progress", pl__now_ms());
		if (out_id)
			*out_id = id;
		return pl__err(st, PL_EBUSY, "trigger %s is running (another "
		    "run holds %s/triggers/%s.lock); recorded as skipped", name,
		    pl_store_dir(st), name);
	}
	if (id == 0) {
		pl_trigger_reason r = { "manual", "manual", 0, NULL, NULL, NAN,
			NULL };

		if ((rc = pl_trigger_history_add(&id, st, name, &r, "running",
		    NULL, pl__now_ms())) != PL_OK)
			goto unlock;
	}
	if (out_id)
		*out_id = id;
	if ((rc = pl_trigger_history_get(&row, st, id)) != PL_OK)
		goto unlock;
	(void)pl__trigger_set_pid(st, id, (long)getpid(), NULL);
	memset(&c, 0, sizeof c);
	c.st = st;
	c.t = t;
	c.row = row;
	c.o = o;
	c.id = id;
	if (t->promote_model)
		before = max_version(st, t->promote_model);
	rc = t->run ? do_command(&c, ts, msg, sizeof msg) :
	    do_repro(&c, ts, msg, sizeof msg);
	failed = rc != PL_OK;
	if (!failed && t->promote_model) {
		promotion = do_promote(&c, ts, before, &pfailed);
		if (pfailed) {
			failed = 1;
			snprintf(msg, sizeof msg, "promotion %s", promotion);
		}
	}
	if (!failed && c.failed_tag) {
		failed = 1;
		snprintf(msg, sizeof msg, "tagging the runs: %s",
		    pl_store_errmsg(st));
	}
	rc = pl__trigger_finish(st, id, failed ? "failed" : "succeeded",
	    c.models.len ? c.models.p : NULL, promotion, failed ? msg : NULL,
	    pl__now_ms(), 0);
	*out_status = failed;
	free(promotion);
	buf_free(&c.models);
	for (size_t i = 0; i < c.ndone; i++) {
		free(c.done_stage[i]);
		free(c.done_run[i]);
	}
	free(c.done_stage);
	free(c.done_run);
	for (size_t i = 0; i < c.nran; i++)
		free(c.ran[i]);
	free(c.ran);
	if (failed && msg[0] && rc == PL_OK)
		(void)pl__err(st, PL_OK, "%s", msg);
unlock:
	pl_trigger_rows_free(row, row ? 1 : 0);
	(void)flock(fd, LOCK_UN);
	close(fd);
	return rc;
}
