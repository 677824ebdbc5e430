/* scheduler.c - pl_repro: restore, run cache, parallel tracked stage runs (change detection is stage-check.c). */
#include "config.h"
#include "pipeline/repro.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "data/hash.h"
#include "track/ingest.h"
#include "pipeline/lock.h"
#include "pipeline/metrics-file.h"
#include "track/metric.h"
#include "store/internal.h"
#include "store/progress.h"
#include "track/run.h"
#include "pipeline/stage-check.h"
#include "pipeline/internal.h"
#include "config/ynode.h"

/* --- the run cache ------------------------------------------------------------ */

/* The key of a stage's exact inputs: working directory, command, dep
 * hashes, param values and the output paths (a stage writing elsewhere is
 * another stage). */
static void
run_key(char out[PL_HASH_HEX], const pl_pipe_stage *s, const struct check *c)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	static const char hx[] = "0123456789abcdef";

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
#define PUT(str) EVP_DigestUpdate(ctx, (str), strlen(str) + 1)
	PUT("plumb-run/1");
	/* paths are relative to wdir: the same text elsewhere is another
	 * file */
	PUT("wdir");
	PUT(s->wdir);
	for (size_t i = 0; i < s->ncmds; i++) {
		PUT("cmd");
		PUT(s->cmds[i]);
	}
	for (size_t i = 0; i < s->ndeps; i++) {
		PUT("dep");
		PUT(s->deps[i].path);
		PUT(c->deps[i].hash);
	}
	for (size_t i = 0; i < s->nparams; i++) {
		PUT("param");
		PUT(s->params[i].file);
		PUT(pl__check_param_key(&s->params[i]));
		PUT(c->pvals[i] ? c->pvals[i] : "");
	}
	for (size_t i = 0; i < s->nouts; i++) {
		PUT("out");
		PUT(s->outs[i].path);
	}
#undef PUT
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (unsigned i = 0; i < mdlen; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
}

/* outs text: one "hash size nfiles isdir path" line per output. */
static char *
outs_text(const pl_pipe_stage *s, const pl_hashed *outs)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < s->nouts; i++)
		buf_printf(&b, "%s %lld %lld %d %s\n", outs[i].hash[0] ?
		    outs[i].hash : "-", (long long)outs[i].size,
		    (long long)outs[i].nfiles, outs[i].is_dir, s->outs[i].path);
	return buf_detach(&b);
}

/* Reads the run cache's outputs for key into outs (nouts entries). */
static int
run_cache_get(pl_store *st, const char *key, const pl_pipe_stage *s,
    pl_hashed *outs)
{
	sqlite3_stmt *q = pl__stmt(st, "SELECT outs FROM run_cache "
	    "WHERE key = ?1");
	const char *text;
	size_t found = 0;

	if (q == NULL)
		return 0;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return 0;
	}
	text = (const char *)sqlite3_column_text(q, 0);
	memset(outs, 0, s->nouts * sizeof *outs);
	for (const char *line = text; line && *line;) {
		char h[PL_HASH_HEX];
		long long size, nfiles;
		int isdir, off = 0;
		size_t len = strcspn(line, "\n");

		if (sscanf(line, "%64s %lld %lld %d %n", h, &size, &nfiles,
		    &isdir, &off) == 4 && off > 0) {
			for (size_t i = 0; i < s->nouts; i++)
				if (strlen(s->outs[i].path) == len - (size_t)off &&
				    strncmp(s->outs[i].path, line + off,
				    len - (size_t)off) == 0 &&
				    pl_hash_valid(h)) {
					memcpy(outs[i].hash, h, PL_HASH_HEX);
					outs[i].size = size;
					outs[i].nfiles = nfiles;
					outs[i].is_dir = isdir;
					found++;
				}
		}
		line += len + (line[len] == '\n');
	}
	sqlite3_reset(q);
	return found == s->nouts;
}

/* --- the scheduler ------------------------------------------------------------- */

enum sstate { S_IDLE, S_READY, S_RUNNING, S_OK, S_FAILED, S_KILLED,
	S_BLOCKED, S_NOTRUN };

struct slot {
	enum sstate state;
	int selected;
	size_t waiting;		/* selected upstream stages not finished */
	int will_run;		/* dry run: predicted to run */
	void *handle;
	char run_id[PL_ID_LEN + 1];
	pl_ingest *in;
	int ingest_rc;
	struct check chk;
	int have_chk;
	char *reason;
	char *outlog, *errlog;
	char **env;
	int64_t start_ms;
	struct sched *sc;
	size_t index;
	/* batch: its downstream stages were counted ready when it was
	 * submitted (they wait for it in the batch system) */
	int released;
	/* batch: submitted before an upstream stage ended, so its deps
	 * are hashed again when it ends, for the lock */
	int deferred;
	/* batch: a foreach/matrix stage prepared (its run exists) and held
	 * until the pass ends, to go with its siblings as one job array */
	int pending;
	int started;		/* batch: seen out of the queue */
	pl_exec_job job;
	char *p_cwd, *p_label, **p_after;
};

struct sched {
	pl_store *st;
	const pl_pipeline *p;
	const pl_repro_opts *o;
	pl_executor *ex;
	pl_lock *lk;
	int lock_dirty;
	int64_t lock_written_ms;
	struct slot *v;
	size_t n;
	size_t *ready;		/* queue of ready stage indexes */
	size_t nready;
	size_t running, done, total;
	int failed_any, stop_new, interrupted;
	pl_gitinfo git;
	int have_git;
	pthread_mutex_t evmu;
	pl_repro_summary sum;
	int64_t t0;
	char *err;
	size_t err_len;
	int64_t job;		/* progress.h: this repro's job, 0: none */
	int batch;		/* the executor is a batch system */
	size_t *pend;		/* stages held for a job array, in order */
	size_t npend;
	/* steps for watchers not yet written (flush_steps): the states a
	 * no-op repro sets on every stage, written together in one
	 * transaction rather than one commit each */
	pl_job_step_set *steps;
	size_t nsteps;
	int64_t steps_ms;	/* when the oldest was set */
	int work_begun;		/* opts' before_work was called */
};

static void
emit(struct sched *sc, pl_repro_event *ev)
{
	const char *names[64];
	size_t k = 0;

	if (sc->o->on_event == NULL)
		return;
	for (size_t i = 0; i < sc->n && k < 64; i++)
		if (sc->v[i].state == S_RUNNING)
			names[k++] = pl_pipeline_stage(sc->p, i)->name;
	ev->done = sc->done;
	ev->total = sc->total;
	ev->running = k;
	ev->running_names = names;
	ev->elapsed = (double)(pl__now_ms() - sc->t0) / 1000.0;
	pthread_mutex_lock(&sc->evmu);
	sc->o->on_event(ev, sc->o->payload);
	pthread_mutex_unlock(&sc->evmu);
}

/* The state word a stage event leaves in the store (progress.h). */
static const char *
step_state(pl_repro_event_type type)
{
	switch (type) {
	case PL_EV_SKIP: return "up to date";
	case PL_EV_FROZEN: return "frozen";
	case PL_EV_START: return "running";
	case PL_EV_DONE: return "done";
	case PL_EV_RESTORED: return "restored";
	case PL_EV_FAILED: return "failed";
	case PL_EV_KILLED: return "killed";
	case PL_EV_BLOCKED: return "blocked";
	default: return NULL;
	}
}

/* Writes the steps set so far (best effort: a repro does not fail
 * because its progress could not be written). */
static void
flush_steps(struct sched *sc)
{
	if (sc->nsteps > 0 && sc->job > 0 &&
	    pl_job_set_steps(sc->st, sc->job, sc->steps, sc->nsteps) != PL_OK)
		pl__clear_err(sc->st);
	sc->nsteps = 0;
}

/* The same when the oldest step kept is 50 ms old: watchers see a
 * stage's state that late at most, or one stage check late. */
static void
flush_old_steps(struct sched *sc)
{
	if (sc->nsteps > 0 && pl__now_ms() - sc->steps_ms >= 50)
		flush_steps(sc);
}

/*
 * Stage i's step for watchers is now state.  A stage that was up to
 * date or frozen took no time: kept to be written with the next ones;
 * any other state is written now, after those kept (in order).
 */
static void
set_step(struct sched *sc, size_t i, const char *state, const char *run_id,
    const char *reason)
{
	const char *name = pl_pipeline_stage(sc->p, i)->name;

	if (sc->job <= 0)
		return;
	if (reason == NULL && (strcmp(state, "up to date") == 0 ||
	    strcmp(state, "frozen") == 0)) {
		/* pointers kept: the stage's name and its slot's run id
		 * live as long as the repro */
		if (sc->nsteps == 0)
			sc->steps_ms = pl__now_ms();
		sc->steps[sc->nsteps++] = (pl_job_step_set){ name, state,
		    run_id, NULL };
		flush_old_steps(sc);
		return;
	}
	flush_steps(sc);
	(void)pl_job_set_step(sc->st, sc->job, name, state, run_id, reason);
}

static void
event(struct sched *sc, pl_repro_event_type type, size_t i,
    const char *why, double secs, int status)
{
	pl_repro_event ev;
	const char *word = step_state(type);

	/* Progress for watchers first. */
	if (word != NULL)
		set_step(sc, i, word, sc->v[i].run_id[0] ? sc->v[i].run_id :
		    NULL, why);

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.stage = pl_pipeline_stage(sc->p, i)->name;
	ev.reason = why;
	ev.seconds = secs;
	ev.exit_status = status;
	ev.run_id = sc->v[i].run_id[0] ? sc->v[i].run_id : NULL;
	emit(sc, &ev);
}

static void
on_output(int stream, const char *data, size_t n, void *payload)
{
	struct slot *sl = payload;
	struct sched *sc = sl->sc;
	pl_repro_event ev;

	if (sc->o->on_event == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = PL_EV_OUTPUT;
	ev.stage = pl_pipeline_stage(sc->p, sl->index)->name;
	ev.stream = stream;
	ev.data = data;
	ev.len = n;
	/* from an executor thread: only the fields above are valid */
	pthread_mutex_lock(&sc->evmu);
	sc->o->on_event(&ev, sc->o->payload);
	pthread_mutex_unlock(&sc->evmu);
}

static int
on_proto(const char *data, size_t n, void *payload)
{
	struct slot *sl = payload;

	if (sl->ingest_rc != PL_OK)
		return 1;
	sl->ingest_rc = pl_ingest_feed(sl->in, data, n);
	return sl->ingest_rc != PL_OK;
}

static int
flush_lock(struct sched *sc, int force)
{
	int64_t now = pl__now_ms();
	int rc;

	if (!sc->lock_dirty || (!force && now - sc->lock_written_ms < 500))
		return PL_OK;
	rc = pl_lock_write(sc->lk, pl_pipeline_lock_path(sc->p), sc->err,
	    sc->err_len);
	if (rc == PL_OK) {
		sc->lock_dirty = 0;
		sc->lock_written_ms = now;
	}
	return rc;
}

/* Builds the lock entry of a stage from its checked inputs and outs. */
static int
record_lock(struct sched *sc, size_t i, const pl_hashed *outs)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);
	struct check *c = &sc->v[i].chk;
	pl_lock_stage ls;
	int rc;

	memset(&ls, 0, sizeof ls);
	ls.name = (char *)s->name;
	ls.cmds = s->cmds;
	ls.ncmds = s->ncmds;
	ls.deps = calloc(s->ndeps + 1, sizeof *ls.deps);
	ls.outs = calloc(s->nouts + 1, sizeof *ls.outs);
	ls.params = calloc(s->nparams + 1, sizeof *ls.params);
	if (!ls.deps || !ls.outs || !ls.params) {
		free(ls.deps);
		free(ls.outs);
		free(ls.params);
		return PL_ENOMEM;
	}
	for (size_t j = 0; j < s->ndeps; j++) {
		pl_lock_entry *e = &ls.deps[ls.ndeps++];

		e->path = s->deps[j].path;
		memcpy(e->hash, c->deps[j].hash, PL_HASH_HEX);
		e->size = c->deps[j].size;
		e->nfiles = c->deps[j].nfiles;
		e->is_dir = c->deps[j].is_dir;
		if (c->urls && c->urls[j].etag[0])
			e->etag = c->urls[j].etag;
		else if (c->urls && c->urls[j].modified[0])
			e->modified = c->urls[j].modified;
	}
	for (size_t j = 0; j < s->nouts; j++) {
		pl_lock_entry *e = &ls.outs[ls.nouts++];

		e->path = s->outs[j].path;
		memcpy(e->hash, outs[j].hash, PL_HASH_HEX);
		e->size = outs[j].size;
		e->nfiles = outs[j].nfiles;
		e->is_dir = outs[j].is_dir;
	}
	for (size_t j = 0; j < s->nparams; j++) {
		if (c->pvals[j] == NULL)
			continue;
		ls.params[ls.nparams].file = s->params[j].file;
		ls.params[ls.nparams].key = (char *)pl__check_param_key(&s->params[j]);
		ls.params[ls.nparams].value = c->pvals[j];
		ls.nparams++;
	}
	rc = pl_lock_set(sc->lk, &ls);	/* copies */
	free(ls.deps);
	free(ls.outs);
	free(ls.params);
	if (rc == PL_OK) {
		sc->lock_dirty = 1;
		rc = flush_lock(sc, 0);
	}
	return rc;
}

static void
finish_slot(struct sched *sc, size_t i, enum sstate st)
{
	struct slot *sl = &sc->v[i];
	const size_t *down;
	size_t nd;

	sl->state = st;
	sc->done++;
	if (st == S_FAILED || st == S_KILLED)
		sc->failed_any = 1;
	pl_pipeline_downstream(sc->p, i, &down, &nd);
	for (size_t j = 0; j < nd; j++) {
		struct slot *d = &sc->v[down[j]];

		if (!d->selected || (d->state != S_IDLE &&
		    !(st != S_OK && d->state == S_READY)))
			continue;
		if (st == S_OK && sl->released)
			continue;	/* counted when it was submitted */
		if (d->state == S_READY) {
			/* queued to be evaluated: it never will be */
			for (size_t k = 0; k < sc->nready; k++)
				if (sc->ready[k] == down[j]) {
					memmove(sc->ready + k, sc->ready + k +
					    1, (--sc->nready - k) *
					    sizeof *sc->ready);
					break;
				}
			d->state = S_IDLE;
		}
		if (st != S_OK) {
			/* blocked, and so is everything below it (the
			 * recursion marks it S_BLOCKED, so a second failed
			 * upstream does not count it again) */
			sc->sum.blocked++;
			event(sc, PL_EV_BLOCKED, down[j],
			    pl_pipeline_stage(sc->p, i)->name, 0, 0);
			finish_slot(sc, down[j], S_BLOCKED);
			continue;
		}
		if (--d->waiting == 0) {
			d->state = S_READY;
			sc->ready[sc->nready++] = down[j];
		}
	}
}

/* An output of stage i leads out of the workspace (a symlink made since
 * the pipeline was loaded): plumb stops before touching it. */
static int
refuse_out(struct sched *sc, size_t i, size_t j, const char *why)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);

	snprintf(sc->err, sc->err_len, "%s:%d:%d: stage '%s': output '%s' %s",
	    s->file, s->outs[j].line, s->outs[j].col, s->name,
	    s->outs[j].path, why);
	return PL_EINVAL;
}

/* Checks out every output of stage i as recorded in outs. */
static int
restore_outs(struct sched *sc, size_t i, const pl_hashed *outs)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);

	for (size_t j = 0; j < s->nouts; j++) {
		const char *why = pl_pipeline_path_refusal(sc->p,
		    pl_store_dir(sc->st), s->outs[j].wpath, 1);
		char *abs;
		int rc;

		/* never written through a symlink that leads out */
		if (why)
			return refuse_out(sc, i, j, why);
		if ((abs = pl_pipeline_abspath(sc->p, s->outs[j].wpath)) == NULL)
			return PL_ENOMEM;
		/* an output already right stays as it is */
		if (!(sc->v[i].have_chk && !sc->v[i].chk.outs[j].missing &&
		    strcmp(sc->v[i].chk.outs[j].hash, outs[j].hash) == 0))
			rc = pl_cache_checkout(sc->st, abs, &outs[j],
			    sc->o->link_types);
		else
			rc = PL_OK;
		free(abs);
		if (rc != PL_OK) {
			snprintf(sc->err, sc->err_len, "%s",
			    pl_store_errmsg(sc->st));
			return rc;
		}
	}
	return PL_OK;
}

static void
git_once(struct sched *sc)
{
	if (sc->have_git)
		return;
	memset(&sc->git, 0, sizeof sc->git);
	sc->git.dirty = -1;
	pl_gitinfo_read(&sc->git, pl_pipeline_dir(sc->p));
	sc->have_git = 1;
}

static void
cmd_hash(char out[PL_HASH_HEX], const pl_pipe_stage *s)
{
	struct buf b = BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < s->ncmds; i++) {
		buf_puts(&b, s->cmds[i]);
		buf_putc(&b, '\n');
	}
	EVP_Digest(buf_str(&b), b.len, md, &mdlen, EVP_sha256(), NULL);
	buf_free(&b);
	for (unsigned i = 0; i < mdlen; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
}

/*
 * A batch system queues the whole graph at once: once stage i is
 * submitted, the stages below it may be submitted too (they wait for it
 * in the batch system, afterok), without waiting here for it to end.
 */
static void
release_downstream(struct sched *sc, size_t i)
{
	const size_t *down;
	size_t nd;

	sc->v[i].released = 1;
	pl_pipeline_downstream(sc->p, i, &down, &nd);
	for (size_t j = 0; j < nd; j++) {
		struct slot *d = &sc->v[down[j]];

		if (!d->selected || d->state != S_IDLE)
			continue;
		if (--d->waiting == 0) {
			d->state = S_READY;
			sc->ready[sc->nready++] = down[j];
		}
	}
}

/* Stage i's job was accepted: record its id, count it running. */
static void
submitted(struct sched *sc, size_t i)
{
	struct slot *sl = &sc->v[i];

	/* the batch system's job id, as soon as it has one */
	if (sc->ex->ops->job_id && sc->ex->ops->job_id(sc->ex, sl->handle)) {
		char key[64];

		snprintf(key, sizeof key, "%s.job_id", sc->ex->ops->name);
		if (pl_run_set_tag(sc->st, sl->run_id, key,
		    sc->ex->ops->job_id(sc->ex, sl->handle)) != PL_OK)
			pl__clear_err(sc->st);
	}
	sl->state = S_RUNNING;
	sc->running++;
	event(sc, PL_EV_START, i, sl->reason, 0, 0);
	/* in a batch system's queue: "queued" for watchers until it is
	 * seen running (poll_jobs) */
	if (sc->ex->ops->started)
		set_step(sc, i, "queued", NULL, NULL);
	if (sc->batch)
		release_downstream(sc, i);
}

/* Forgets what a held stage kept for its submission. */
static void
unhold(struct slot *sl)
{
	free(sl->p_cwd);
	free(sl->p_label);
	free(sl->p_after);
	sl->p_cwd = sl->p_label = NULL;
	sl->p_after = NULL;
	sl->pending = 0;
}

static int
same_words(char *const *a, char *const *b)
{
	size_t k = 0;

	if (a == NULL || b == NULL)
		return (a == NULL || a[0] == NULL) && (b == NULL || b[0] == NULL);
	for (; a[k] && b[k]; k++)
		if (strcmp(a[k], b[k]) != 0)
			return 0;
	return a[k] == NULL && b[k] == NULL;
}

/*
 * Submits the stages held in this pass.  The members of one foreach or
 * matrix group with the same sbatch arguments and the same jobs to wait
 * for (two or more) go as one job array, as a Slurm user would submit
 * them; any other goes alone.  A refused array fails all its stages.
 */
static int
flush_held(struct sched *sc)
{
	size_t *idx = calloc(sc->npend + 1, sizeof *idx);
	pl_exec_job *jobs = calloc(sc->npend + 1, sizeof *jobs);
	void **h = calloc(sc->npend + 1, sizeof *h);
	int rc = PL_OK;

	if (idx == NULL || jobs == NULL || h == NULL) {
		free(idx);
		free(jobs);
		free(h);
		return PL_ENOMEM;
	}
	for (size_t a = 0; a < sc->npend; a++) {
		struct slot *sl = &sc->v[sc->pend[a]];
		const pl_pipe_stage *s = pl_pipeline_stage(sc->p, sc->pend[a]);
		size_t n = 0;
		char err[512];
		int r;

		if (!sl->pending)
			continue;
		for (size_t b = a; b < sc->npend; b++) {
			struct slot *o = &sc->v[sc->pend[b]];
			const pl_pipe_stage *os = pl_pipeline_stage(sc->p,
			    sc->pend[b]);

			if (o->pending && rc == PL_OK && !strcmp(os->group,
			    s->group) && !strcmp(os->file, s->file) &&
			    same_words(o->job.submit_args,
			    sl->job.submit_args) && same_words(o->job.after,
			    sl->job.after)) {
				idx[n] = sc->pend[b];
				jobs[n] = o->job;
				h[n++] = NULL;
			}
		}
		err[0] = '\0';
		if (rc != PL_OK)
			r = PL_ERROR;	/* an earlier submission failed */
		else if (n >= 2)
			r = sc->ex->ops->submit_array(sc->ex, jobs, n, h, err,
			    sizeof err);
		else
			r = sc->ex->ops->submit(sc->ex, &jobs[0], &h[0], err,
			    sizeof err);
		for (size_t k = 0; k < n; k++) {
			struct slot *o = &sc->v[idx[k]];

			unhold(o);
			if (r == PL_OK) {
				o->handle = h[k];
				submitted(sc, idx[k]);
				continue;
			}
			pl_ingest_finish(o->in);
			pl_run_finish(sc->st, o->run_id, rc == PL_OK ?
			    PL_RUN_FAILED : PL_RUN_KILLED, -1, rc == PL_OK ?
			    err : "not submitted: plumb stopped");
		}
		if (r != PL_OK && rc == PL_OK) {
			snprintf(sc->err, sc->err_len, "%s", err);
			rc = r;
		}
	}
	sc->npend = 0;
	free(idx);
	free(jobs);
	free(h);
	return rc;
}

/* Before the first stage is restored or started: the caller's hook
 * (repro.h), once. */
static int
begin_work(struct sched *sc)
{
	if (sc->work_begun || sc->o->before_work == NULL)
		return PL_OK;
	sc->work_begun = 1;
	flush_steps(sc);
	if (sc->o->before_work(sc->o->payload) != 0) {
		sc->err[0] = '\0';
		sc->stop_new = 1;
		return PL_ERROR;
	}
	return PL_OK;
}

/* Starts stage i as a tracked run on the executor. */
static int
start_stage(struct sched *sc, size_t i)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);
	struct slot *sl = &sc->v[i];
	char *cwd = pl_pipeline_abspath(sc->p, s->wdir), err[512], *label;
	char **after = NULL;
	const size_t *up;
	size_t nup, nafter = 0;
	struct buf cmdline = BUF_INIT;
	pl_run_spec spec;
	pl_exec_job job;
	char ch[PL_HASH_HEX];
	int rc;

	if (cwd == NULL)
		return PL_ENOMEM;
	if ((rc = begin_work(sc)) != PL_OK) {
		free(cwd);
		return rc;
	}
	git_once(sc);
	/* DVC removes outputs before running, unless persist; never
	 * through a symlink that leads out of the workspace. */
	for (size_t j = 0; j < s->nouts; j++) {
		const char *why = pl_pipeline_path_refusal(sc->p,
		    pl_store_dir(sc->st), s->outs[j].wpath, 1);
		char *abs, *sl2;

		if (why) {
			free(cwd);
			return refuse_out(sc, i, j, why);
		}
		if ((abs = pl_pipeline_abspath(sc->p, s->outs[j].wpath)) ==
		    NULL) {
			free(cwd);
			return PL_ENOMEM;
		}
		if (!s->outs[j].persist)
			pl_remove_path(abs);
		sl2 = strrchr(abs, '/');
		if (sl2 && sl2 != abs) {
			*sl2 = '\0';
			pl__mkdirs(abs, 0777);
		}
		free(abs);
	}
	for (size_t j = 0; j < s->ncmds; j++) {
		if (j)
			buf_puts(&cmdline, " && ");
		buf_puts(&cmdline, s->cmds[j]);
	}
	memset(&spec, 0, sizeof spec);
	spec.experiment = pl_pipeline_name(sc->p);
	spec.name = s->name;
	spec.command = buf_str(&cmdline);
	spec.cwd = cwd;
	spec.git = &sc->git;
	spec.pid = (long)getpid();
	rc = pl_run_create(sl->run_id, sc->st, &spec);
	buf_free(&cmdline);
	if (rc != PL_OK) {
		snprintf(sc->err, sc->err_len, "%s", pl_store_errmsg(sc->st));
		free(cwd);
		return rc;
	}
	cmd_hash(ch, s);
	if ((rc = pl_run_set_tag(sc->st, sl->run_id, "stage", s->name)) ||
	    (rc = pl_run_set_tag(sc->st, sl->run_id, "reason", sl->reason)) ||
	    (rc = pl_run_set_tag(sc->st, sl->run_id, "pipeline",
	    pl_pipeline_file(sc->p))) ||
	    (rc = pl_run_set_tag(sc->st, sl->run_id, "cmd_sha256", ch)))
		goto fail_store;
	for (size_t j = 0; j < s->nparams; j++) {
		const char *v = sl->chk.pvals[j];
		char *plain = NULL;

		if (v == NULL)
			continue;
		/* a string param is recorded without its JSON quotes */
		if (v[0] == '"') {
			ynode *n = NULL;
			char e2[64];

			if (yn_parse(&n, v, strlen(v), "p", e2, sizeof e2) ==
			    PL_OK && n && n->kind == YN_SCALAR)
				plain = strdup(n->str);
			yn_free(n);
		}
		rc = pl_run_set_param(sc->st, sl->run_id, s->params[j].key ?
		    s->params[j].key : s->params[j].file, plain ? plain : v);
		free(plain);
		if (rc != PL_OK)
			goto fail_store;
	}
	if (pl_ingest_start(&sl->in, pl_store_dir(sc->st), sl->run_id, cwd,
	    err, sizeof err) != PL_OK) {
		snprintf(sc->err, sc->err_len, "%s", err);
		pl_run_finish(sc->st, sl->run_id, PL_RUN_FAILED, -1, err);
		free(cwd);
		return PL_EIO;
	}
	sl->outlog = pl_run_log_path(sc->st, sl->run_id, "stdout");
	sl->errlog = pl_run_log_path(sc->st, sl->run_id, "stderr");
	sl->env = calloc(5, sizeof *sl->env);
	if (sl->env == NULL || !sl->outlog || !sl->errlog ||
	    asprintf(&sl->env[0], "PLUMB_RUN_ID=%s", sl->run_id) < 0 ||
	    asprintf(&sl->env[1], "PLUMB_STORE=%s", pl_store_dir(sc->st)) < 0 ||
	    asprintf(&sl->env[2], "PLUMB_STAGE=%s", s->name) < 0 ||
	    (sl->env[3] = strdup("PYTHONUNBUFFERED=1")) == NULL) {
		free(cwd);
		return PL_ENOMEM;
	}
	memset(&job, 0, sizeof job);
	job.name = s->name;
	job.cmds = s->cmds;
	job.ncmds = s->ncmds;
	job.cwd = cwd;
	job.env = sl->env;
	job.stdout_log = sl->outlog;
	job.stderr_log = sl->errlog;
	job.on_output = on_output;
	job.on_proto = on_proto;
	job.payload = sl;
	job.submit_args = sc->o->submit_args ? sc->o->submit_args[i] : NULL;
	/* who the job belongs to, for a later plumb that finds it on a
	 * cluster after this one was killed (pl_slurm_list_jobs) */
	if (asprintf(&label, "plumb store=%s host=%s pid=%ld run=%s stage=%s",
	    pl_store_dir(sc->st), pl__hostname(), (long)getpid(), sl->run_id,
	    s->name) < 0) {
		free(cwd);
		return PL_ENOMEM;
	}
	job.label = label;
	/* the upstream stages still queued or running in the batch
	 * system: this job waits for them there */
	pl_pipeline_upstream(sc->p, i, &up, &nup);
	if (sc->batch && nup > 0 &&
	    (after = calloc(nup + 1, sizeof *after)) == NULL) {
		free(cwd);
		free(label);
		return PL_ENOMEM;
	}
	for (size_t j = 0; sc->batch && j < nup; j++) {
		struct slot *u = &sc->v[up[j]];
		const char *id = u->state == S_RUNNING && u->handle ?
		    sc->ex->ops->job_id(sc->ex, u->handle) : NULL;

		if (id)
			after[nafter++] = (char *)id;
	}
	job.after = after;
	sl->sc = sc;
	sl->index = i;
	sl->start_ms = pl__now_ms();
	if (sc->batch && s->group && sc->ex->ops->submit_array) {
		/* held: it may go with its siblings as one job array */
		sl->job = job;
		sl->p_cwd = cwd;
		sl->p_label = label;
		sl->p_after = after;
		sl->pending = 1;
		sc->pend[sc->npend++] = i;
		return PL_OK;
	}
	rc = sc->ex->ops->submit(sc->ex, &job, &sl->handle, err, sizeof err);
	free(cwd);
	free(label);
	free(after);
	if (rc != PL_OK) {
		snprintf(sc->err, sc->err_len, "%s", err);
		pl_ingest_finish(sl->in);
		pl_run_finish(sc->st, sl->run_id, PL_RUN_FAILED, -1, err);
		return rc;
	}
	submitted(sc, i);
	return PL_OK;
fail_store:
	snprintf(sc->err, sc->err_len, "%s", pl_store_errmsg(sc->st));
	pl_run_finish(sc->st, sl->run_id, PL_RUN_FAILED, -1, sc->err);
	free(cwd);
	return rc;
}

/*
 * What ingesting a stage's metrics files skipped (issue 15): each entry
 * names the file and the key, "metrics.json: key 'acc' is NaN", or the
 * file and the parse error with its line and column.  It becomes a warning
 * event and the run's tag `skipped_metrics`.
 */
struct skipped {
	struct buf text;	/* entries separated by "; " */
	size_t n;
};

static void
skip_note(struct skipped *sk, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
skip_note(struct skipped *sk, const char *fmt, ...)
{
	va_list ap;

	if (sk->n++ && buf_puts(&sk->text, "; ") < 0)
		return;
	va_start(ap, fmt);
	buf_vprintf(&sk->text, fmt, ap);
	va_end(ap);
}

/* pl__metrics_file_read() callbacks: a metric of the stage's run, or a
 * note of what was skipped. */
struct mctx {
	pl_store *st;
	const char *run_id;
	struct skipped *sk;
};

static int
metric_value(void *vctx, const char *key, double v, const char **why)
{
	struct mctx *m = vctx;

	if (pl_metric_log(m->st, m->run_id, key, v, 0, 0) == PL_OK)
		return 0;
	*why = pl_store_errmsg(m->st);
	return -1;
}

static void
metric_skip(void *vctx, const char *text)
{
	struct mctx *m = vctx;

	skip_note(m->sk, "%s", text);
}

static void
ingest_metrics(struct sched *sc, size_t i)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);
	struct skipped sk = { BUF_INIT, 0 };
	struct mctx m = { sc->st, sc->v[i].run_id, &sk };
	const struct pl_metrics_reader r = { metric_value, metric_skip, &m };

	for (size_t j = 0; j < s->nouts; j++) {
		char *abs;

		if (s->outs[j].kind != PL_OUT_METRIC)
			continue;
		abs = pl_pipeline_abspath(sc->p, s->outs[j].wpath);
		if (abs == NULL) {
			skip_note(&sk, "%s: out of memory", s->outs[j].path);
			continue;
		}
		pl__metrics_file_read(&r, abs, s->outs[j].path);
		free(abs);
	}
	pl__clear_err(sc->st);
	if (sk.n) {
		const char *what = sk.text.p ? sk.text.p : "out of memory";

		if (pl_run_set_tag(sc->st, sc->v[i].run_id, "skipped_metrics",
		    what) != PL_OK)
			pl__clear_err(sc->st);
		event(sc, PL_EV_WARNING, i, what, 0, 0);
	}
	buf_free(&sk.text);
}

/* Deps and outs of a run, for lineage. */
static void
record_io(struct sched *sc, size_t i, const pl_hashed *outs)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);
	sqlite3_stmt *q;
	int64_t rid;

	if (pl__run_rid(sc->st, sc->v[i].run_id, &rid) != PL_OK ||
	    pl__begin(sc->st) != PL_OK) {
		pl__clear_err(sc->st);
		return;
	}
	for (size_t j = 0; j < s->ndeps + s->nouts; j++) {
		int dep = j < s->ndeps;
		const pl_hashed *h = dep ? &sc->v[i].chk.deps[j] :
		    &outs[j - s->ndeps];
		char *abs = pl_pipeline_abspath(sc->p, dep ? s->deps[j].wpath :
		    s->outs[j - s->ndeps].wpath);

		if (abs == NULL || h->missing || !h->hash[0] ||
		    (q = pl__stmt(sc->st, "INSERT OR REPLACE INTO run_io"
		    "(run_id, kind, path, sha256) VALUES (?1, ?2, ?3, ?4)")) ==
		    NULL) {
			free(abs);
			continue;
		}
		sqlite3_bind_int64(q, 1, rid);
		sqlite3_bind_text(q, 2, dep ? "dep" : "out", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, abs, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 4, h->hash, -1, SQLITE_STATIC);
		sqlite3_step(q);
		sqlite3_reset(q);
		free(abs);
	}
	if (pl__commit(sc->st) != PL_OK)
		pl__clear_err(sc->st);
}

static void
run_cache_put(struct sched *sc, size_t i, const pl_hashed *outs)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);
	char key[PL_HASH_HEX], *text;
	sqlite3_stmt *q;
	int64_t rid = 0;

	for (size_t j = 0; j < s->nouts; j++)
		if (!s->outs[j].cache)
			return;		/* not restorable: not cached */
	run_key(key, s, &sc->v[i].chk);
	text = outs_text(s, outs);
	if (text == NULL)
		return;
	if (sc->v[i].run_id[0])
		pl__run_rid(sc->st, sc->v[i].run_id, &rid);
	q = pl__stmt(sc->st, "INSERT OR REPLACE INTO run_cache(key, stage, "
	    "outs, run_id, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (q) {
		sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, s->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, text, -1, SQLITE_STATIC);
		if (rid)
			sqlite3_bind_int64(q, 4, rid);
		else
			sqlite3_bind_null(q, 4);
		sqlite3_bind_int64(q, 5, pl__now_ms());
		sqlite3_step(q);
		sqlite3_reset(q);
	}
	pl__clear_err(sc->st);
	free(text);
}

/* What the executor knows of a job that ended (a batch system's job id,
 * partition, nodes, its times and end state) as the run's tags,
 * "slurm.partition" and so on. */
static void
record_exec_info(struct sched *sc, size_t i, const pl_exec_result *r)
{
	const char *p = r->info;
	char key[96];

	if (r->end_state[0]) {
		snprintf(key, sizeof key, "%s.state", sc->ex->ops->name);
		if (pl_run_set_tag(sc->st, sc->v[i].run_id, key,
		    r->end_state) != PL_OK)
			pl__clear_err(sc->st);
	}
	while (*p) {
		size_t len = strcspn(p, "\n"), kl = strcspn(p, "=");
		char *val;

		if (kl < len && kl < 48) {
			snprintf(key, sizeof key, "%s.%.*s", sc->ex->ops->name,
			    (int)kl, p);
			/* JobId -> slurm.job_id, NodeList -> slurm.node_list */
			for (char *k = key + strlen(sc->ex->ops->name) + 1, *w;
			    *k; k++)
				if (*k >= 'A' && *k <= 'Z') {
					int first = k[-1] == '.';

					*k = (char)(*k - 'A' + 'a');
					if (!first && strlen(key) + 1 <
					    sizeof key) {
						w = k + strlen(k);
						memmove(k + 1, k, (size_t)(w -
						    k) + 1);
						*k = '_';
						k++;
					}
				}
			if ((val = strndup(p + kl + 1, len - kl - 1)) != NULL) {
				if (pl_run_set_tag(sc->st, sc->v[i].run_id,
				    key, val) != PL_OK)
					pl__clear_err(sc->st);
				free(val);
			}
		}
		p += len + (p[len] == '\n');
	}
}

/* A job ended: record it, cache its outputs, update the lock. */
static int
complete_stage(struct sched *sc, size_t i, const pl_exec_result *r)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);
	struct slot *sl = &sc->v[i];
	pl_hashed *outs = calloc(s->nouts + 1, sizeof *outs);
	pl_run_status final;
	char msg[512] = "";
	int rc = PL_OK, ok;
	double secs = (double)(r->end_ms - r->start_ms) / 1000.0;

	if (outs == NULL)
		return PL_ENOMEM;
	{
		int frc = pl_ingest_finish(sl->in);

		if (sl->ingest_rc == PL_OK)
			sl->ingest_rc = frc;
	}
	ok = r->exit_status == 0 && !r->cancelled && !r->start_failed &&
	    !r->end_state[0] && sl->ingest_rc == PL_OK;
	record_exec_info(sc, i, r);
	if (r->dep_failed && !r->cancelled) {
		/* the batch system ended it unstarted: a job it waited for
		 * failed.  Blocked, as it would be locally, and said so. */
		const size_t *up;
		size_t nup;
		const char *who = "?";

		pl_pipeline_upstream(sc->p, i, &up, &nup);
		for (size_t j = 0; j < nup; j++)
			if (sc->v[up[j]].state == S_FAILED ||
			    sc->v[up[j]].state == S_KILLED ||
			    sc->v[up[j]].state == S_BLOCKED) {
				who = pl_pipeline_stage(sc->p, up[j])->name;
				break;
			}
		snprintf(msg, sizeof msg, "blocked: upstream stage %s failed; "
		    "%s", who, r->message);
		if (pl_run_finish(sc->st, sl->run_id, PL_RUN_KILLED, -1,
		    msg) != PL_OK)
			pl__clear_err(sc->st);
		sc->running--;
		sc->sum.blocked++;
		event(sc, PL_EV_BLOCKED, i, who, 0, 0);
		finish_slot(sc, i, S_BLOCKED);
		free(outs);
		return PL_OK;
	}
	if (r->end_state[0] && strcmp(r->end_state, "CANCELLED") != 0) {
		/* the batch system ended it (time limit, memory, node,
		 * preemption): a failure, said in its words */
		final = PL_RUN_FAILED;
		ok = 0;
		snprintf(msg, sizeof msg, "%s", r->message[0] ? r->message :
		    r->end_state);
	} else if (r->cancelled || r->end_state[0] || (r->signaled &&
	    (r->term_signal == SIGINT || r->term_signal == SIGKILL ||
	    r->term_signal == SIGTERM))) {
		final = PL_RUN_KILLED;
		ok = 0;
		snprintf(msg, sizeof msg, "%s", r->message[0] ? r->message :
		    "interrupted");
	} else if (r->start_failed) {
		final = PL_RUN_FAILED;
		snprintf(msg, sizeof msg, "%s", r->message);
	} else if (r->exit_status != 0) {
		final = PL_RUN_FAILED;
		snprintf(msg, sizeof msg, "exit status %d", r->exit_status);
	} else if (sl->ingest_rc != PL_OK) {
		final = PL_RUN_FAILED;
		snprintf(msg, sizeof msg, "recording the run failed: %s",
		    pl_ingest_errmsg(sl->in));
	} else {
		final = PL_RUN_FINISHED;
	}
	/* Outputs: cached ones into the cache, then all must exist.  One
	 * the command made a symlink out of the workspace is not read
	 * through (that would copy a file from anywhere into the cache). */
	for (size_t j = 0; ok && j < s->nouts; j++) {
		const char *why = pl_pipeline_path_refusal(sc->p,
		    pl_store_dir(sc->st), s->outs[j].wpath, 1);
		char *abs;
		const char *pp[1];

		if (why) {
			snprintf(msg, sizeof msg, "output %s %s",
			    s->outs[j].path, why);
			final = PL_RUN_FAILED;
			ok = 0;
			break;
		}
		if ((abs = pl_pipeline_abspath(sc->p, s->outs[j].wpath)) ==
		    NULL) {
			rc = PL_ENOMEM;
			break;
		}
		pp[0] = abs;
		if (s->outs[j].cache)
			rc = pl_cache_put_path_in(&outs[j], sc->st,
			    pl_pipeline_dir(sc->p), abs);
		else
			rc = pl_hash_paths_in(&outs[j], NULL, sc->st,
			    pl_pipeline_dir(sc->p), pp, 1, 0, 0);
		if (rc == PL_ENOTFOUND || (rc == PL_OK && outs[j].missing)) {
			snprintf(msg, sizeof msg, "output %s was not produced",
			    s->outs[j].path);
			final = PL_RUN_FAILED;
			ok = 0;
			rc = PL_OK;
			pl__clear_err(sc->st);
		} else if (rc != PL_OK) {
			snprintf(msg, sizeof msg, "caching output %s: %s",
			    s->outs[j].path, pl_store_errmsg(sc->st));
			final = PL_RUN_FAILED;
			ok = 0;
			rc = PL_OK;
		}
		free(abs);
	}
	if (ok && sl->deferred) {
		/* submitted before its inputs existed: hash them now, as
		 * the job found them, for the lock and the run cache */
		pl__check_dispose(&sl->chk, s);
		sl->have_chk = 0;
		if ((rc = pl__check_stage(&sl->chk, sc->st, sc->p, i,
		    sc->lk)) != PL_OK) {
			snprintf(sc->err, sc->err_len, "%s", sl->chk.err[0] ?
			    sl->chk.err : pl_store_errmsg(sc->st));
			free(outs);
			return rc;
		}
		sl->have_chk = 1;
	}
	if (ok)
		ingest_metrics(sc, i);
	if (pl_run_finish(sc->st, sl->run_id, final, r->exit_status,
	    msg[0] ? msg : NULL) != PL_OK)
		pl__clear_err(sc->st);
	/* a batch job's run starts when the batch system started it (its
	 * queue wait is the tag <executor>.queue_wait), and ends when it
	 * says */
	if (r->submit_ms > 0 && r->start_ms > 0 && pl_run_set_times(sc->st,
	    sl->run_id, r->start_ms, r->end_ms) != PL_OK)
		pl__clear_err(sc->st);
	sc->running--;
	if (ok) {
		record_io(sc, i, outs);
		run_cache_put(sc, i, outs);
		rc = record_lock(sc, i, outs);
		if (rc != PL_OK) {
			/* the stage ran, but plumb.lock does not say so (a
			 * full disk): never report it done (issue 15) */
			char why[600];

			snprintf(why, sizeof why, "recording it in the lock "
			    "file: %s", sc->err);
			sc->sum.failed++;
			event(sc, PL_EV_FAILED, i, why, secs, 0);
			finish_slot(sc, i, S_FAILED);
		} else {
			sc->sum.ran++;
			event(sc, PL_EV_DONE, i, NULL, secs, 0);
			finish_slot(sc, i, S_OK);
		}
	} else if (final == PL_RUN_KILLED) {
		sc->sum.killed++;
		event(sc, PL_EV_KILLED, i, msg, secs, r->exit_status);
		finish_slot(sc, i, S_KILLED);
	} else {
		sc->sum.failed++;
		event(sc, PL_EV_FAILED, i, msg, secs, r->exit_status);
		finish_slot(sc, i, S_FAILED);
	}
	free(outs);
	return rc;
}

/* Decides what to do with a ready stage, and does it (unless it runs). */
static int
evaluate(struct sched *sc, size_t i)
{
	const pl_pipe_stage *s = pl_pipeline_stage(sc->p, i);
	struct slot *sl = &sc->v[i];
	const pl_lock_stage *ls = pl_lock_find(sc->lk, s->name);
	int rc, upstream_runs = 0;
	const size_t *up;
	size_t nup;

	if (s->frozen) {
		sc->sum.frozen++;
		event(sc, PL_EV_FROZEN, i, NULL, 0, 0);
		finish_slot(sc, i, S_OK);
		return PL_OK;
	}
	flush_old_steps(sc);	/* a check may take long (hashing) */
	if ((rc = pl__check_stage(&sl->chk, sc->st, sc->p, i, sc->lk)) != PL_OK) {
		snprintf(sc->err, sc->err_len, "%s", sl->chk.err[0] ?
		    sl->chk.err : pl_store_errmsg(sc->st));
		return rc;
	}
	sl->have_chk = 1;
	pl_pipeline_upstream(sc->p, i, &up, &nup);
	for (size_t j = 0; j < nup; j++)
		if (sc->v[up[j]].will_run)
			upstream_runs = 1;
	if (sc->o->dry_run) {
		if (sl->chk.changed || sc->o->force || upstream_runs) {
			const char *why = sl->chk.changed ?
			    buf_str(&sl->chk.reasons) : sc->o->force ? "forced" :
			    "an upstream stage will run";

			sl->will_run = !(sl->chk.outs_only &&
			    pl__check_restorable(sc->st, s, ls, sl->chk.outs)) ||
			    sc->o->force;
			sc->sum.would_run++;
			event(sc, sl->will_run ? PL_EV_WOULD_RUN :
			    PL_EV_RESTORED, i, why, 0, 0);
		} else {
			sc->sum.skipped++;
			event(sc, PL_EV_SKIP, i, NULL, 0, 0);
		}
		finish_slot(sc, i, S_OK);
		return PL_OK;
	}
	/* A batch system: an upstream stage is queued or running there, so
	 * this one runs too, queued behind it now (its inputs are not
	 * there yet to compare). */
	for (size_t j = 0; sc->batch && j < nup; j++)
		if (sc->v[up[j]].state == S_RUNNING) {
			free(sl->reason);
			if (asprintf(&sl->reason, "upstream stage %s runs",
			    pl_pipeline_stage(sc->p, up[j])->name) < 0) {
				sl->reason = NULL;
				return PL_ENOMEM;
			}
			sl->deferred = 1;
			return start_stage(sc, i);
		}
	if (!sl->chk.changed && !sc->o->force) {
		sc->sum.skipped++;
		event(sc, PL_EV_SKIP, i, NULL, 0, 0);
		finish_slot(sc, i, S_OK);
		return PL_OK;
	}
	free(sl->reason);
	sl->reason = strdup(sc->o->force && !sl->chk.changed ? "forced" :
	    buf_str(&sl->chk.reasons));
	if (sl->reason == NULL)
		return PL_ENOMEM;
	for (char *q = sl->reason; *q; q++)
		if (*q == '\n')
			*q = ';';
	if ((rc = begin_work(sc)) != PL_OK)
		return rc;
	/* Only outputs differ: put back what the lock recorded. */
	if (!sc->o->force && sl->chk.outs_only &&
	    pl__check_restorable(sc->st, s, ls, sl->chk.outs)) {
		pl_hashed *outs = calloc(s->nouts + 1, sizeof *outs);

		if (outs == NULL)
			return PL_ENOMEM;
		for (size_t j = 0; j < s->nouts; j++) {
			const pl_lock_entry *e = pl_lock_stage_out(ls,
			    s->outs[j].path);

			memcpy(outs[j].hash, e->hash, PL_HASH_HEX);
			outs[j].size = e->size;
			outs[j].nfiles = e->nfiles;
			outs[j].is_dir = e->is_dir;
		}
		rc = restore_outs(sc, i, outs);
		free(outs);
		if (rc != PL_OK)
			return rc;
		sc->sum.restored++;
		event(sc, PL_EV_RESTORED, i, sl->reason, 0, 0);
		finish_slot(sc, i, S_OK);
		return PL_OK;
	}
	/* The same inputs ran before: take its outputs from the run cache. */
	if (!sc->o->force && !sc->o->no_run_cache && !s->always_changed) {
		char key[PL_HASH_HEX];
		pl_hashed *outs = calloc(s->nouts + 1, sizeof *outs);
		int hit = 0;

		if (outs == NULL)
			return PL_ENOMEM;
		run_key(key, s, &sl->chk);
		if (s->nouts > 0 && run_cache_get(sc->st, key, s, outs)) {
			hit = 1;
			for (size_t j = 0; j < s->nouts && hit; j++)
				hit = s->outs[j].cache &&
				    pl_cache_has(sc->st, &outs[j]);
		}
		pl__clear_err(sc->st);
		if (hit) {
			rc = restore_outs(sc, i, outs);
			if (rc == PL_OK)
				rc = record_lock(sc, i, outs);
			free(outs);
			if (rc != PL_OK)
				return rc;
			sc->sum.restored++;
			event(sc, PL_EV_RESTORED, i, "same inputs ran before "
			    "(run cache)", 0, 0);
			finish_slot(sc, i, S_OK);
			return PL_OK;
		}
		free(outs);
	}
	return start_stage(sc, i);
}

static void
slot_dispose(struct sched *sc, size_t i)
{
	struct slot *sl = &sc->v[i];

	if (sl->handle)
		sc->ex->ops->release(sc->ex, sl->handle);
	pl_ingest_free(sl->in);
	if (sl->have_chk)
		pl__check_dispose(&sl->chk, pl_pipeline_stage(sc->p, i));
	free(sl->reason);
	free(sl->outlog);
	free(sl->errlog);
	for (size_t k = 0; sl->env && sl->env[k]; k++)
		free(sl->env[k]);
	free(sl->env);
}

/* Is an upstream stage of i still queued or running? */
static int
upstream_running(struct sched *sc, size_t i)
{
	const size_t *up;
	size_t nup;

	pl_pipeline_upstream(sc->p, i, &up, &nup);
	for (size_t j = 0; j < nup; j++)
		if (sc->v[up[j]].state == S_RUNNING)
			return 1;
	return 0;
}

/* Polls the running jobs once; completes the finished ones. */
static int
poll_jobs(struct sched *sc)
{
	int rc = PL_OK;

	for (size_t i = 0; i < sc->n; i++) {
		pl_exec_result r;
		int done;

		if (sc->v[i].state != S_RUNNING)
			continue;
		done = sc->ex->ops->poll(sc->ex, sc->v[i].handle, &r);
		if (done <= 0 && sc->ex->ops->started && !sc->v[i].started) {
			int64_t t = sc->ex->ops->started(sc->ex,
			    sc->v[i].handle);

			/* it left the queue: the run starts now (Slurm's
			 * StartTime), and watchers see it run */
			if (t > 0) {
				sc->v[i].started = 1;
				if (pl_run_set_times(sc->st, sc->v[i].run_id, t,
				    0) != PL_OK)
					pl__clear_err(sc->st);
				set_step(sc, i, "running", NULL, NULL);
			}
		}
		if (done <= 0)
			continue;
		if (sc->interrupted)
			r.cancelled = 1;
		if (r.dep_failed && !r.cancelled && upstream_running(sc, i))
			continue;	/* said after the upstream's end */
		{
			int crc = complete_stage(sc, i, &r);

			if (crc != PL_OK && rc == PL_OK)
				rc = crc;
		}
	}
	return rc;
}

int
pl_repro(pl_repro_summary *out, pl_store *st, const pl_pipeline *p,
    const pl_repro_opts *o, char *err, size_t err_len)
{
	struct sched sc;
	size_t n = pl_pipeline_nstages(p);
	unsigned char *mask = calloc(n + 1, 1);
	const size_t *order = pl_pipeline_order(p);
	int rc = PL_OK, jobs = o->jobs > 0 ? o->jobs :
	    (int)sysconf(_SC_NPROCESSORS_ONLN);
	int64_t last_tick = 0, last_cancel = 0;
	pl_executor *own = NULL;
	int lockfd = -1, batch = 0;

	memset(out, 0, sizeof *out);
	memset(&sc, 0, sizeof sc);
	if (jobs < 1)
		jobs = 1;
	sc.st = st;
	sc.p = p;
	sc.o = o;
	sc.n = n;
	sc.err = err;
	sc.err_len = err_len;
	sc.t0 = pl__now_ms();
	pthread_mutex_init(&sc.evmu, NULL);
	sc.v = calloc(n + 1, sizeof *sc.v);
	sc.ready = calloc(n + 1, sizeof *sc.ready);
	sc.pend = calloc(n + 1, sizeof *sc.pend);
	sc.steps = calloc(n + 1, sizeof *sc.steps);
	if (mask == NULL || sc.v == NULL || sc.ready == NULL || sc.pend == NULL ||
	    sc.steps == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	if ((rc = pl_pipeline_select(p, mask, o->targets, o->ntargets,
	    o->single, err, err_len)) != PL_OK)
		goto out;
	/* One repro per pipeline at a time: two would run the same stages
	 * and lose each other's lock updates.  The lock is on the pipeline
	 * file itself (nothing new in the workspace); the kernel drops it
	 * when the process dies, however it dies. */
	if (!o->dry_run) {
		/* O_NONBLOCK: the file was parsed, but it may have been
		 * swapped for a FIFO since; an open must not wait */
		lockfd = open(pl_pipeline_file(p), O_RDONLY | O_NONBLOCK |
		    O_CLOEXEC);
		if (lockfd >= 0 && flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
			snprintf(err, err_len, "%s: another plumb repro is "
			    "running this pipeline", pl_pipeline_file(p));
			rc = PL_EBUSY;
			goto out;
		}
	}
	/* Every path again, against the store and the files as they are
	 * now: before any stage runs. */
	if ((rc = pl_pipeline_check_paths(p, st ? pl_store_dir(st) : NULL,
	    err, err_len)) != PL_OK)
		goto out;
	if ((rc = pl_lock_read(&sc.lk, pl_pipeline_lock_path(p), err,
	    err_len)) != PL_OK)
		goto out;
	sc.ex = o->executor;
	if (sc.ex == NULL) {
		if ((rc = pl_executor_local_new(&own)) != PL_OK)
			goto out;
		sc.ex = own;
	}
	/* On a cluster, parallelism is the batch system's business: -j
	 * limits only stages that run here. */
	batch = sc.ex->ops->job_id != NULL;	/* a batch system's jobs */
	sc.batch = batch;
	for (size_t i = 0; i < n; i++) {
		const size_t *up;
		size_t nup;

		sc.v[i].selected = mask[i];
		if (!mask[i])
			continue;
		sc.total++;
		pl_pipeline_upstream(p, i, &up, &nup);
		for (size_t j = 0; j < nup; j++)
			if (mask[up[j]])
				sc.v[i].waiting++;
	}
	sc.sum.selected = sc.total;
	/* The job watchers read (progress.h): every selected stage waits. */
	if (!o->dry_run) {
		char *abs = realpath(pl_pipeline_file(p), NULL);

		if (pl_job_begin(&sc.job, st, "repro", abs ? abs :
		    pl_pipeline_file(p)) != PL_OK)
			sc.job = 0;
		free(abs);
		for (size_t k = 0; sc.job > 0 && k < n; k++)
			if (mask[order[k]])
				sc.steps[sc.nsteps++] = (pl_job_step_set){
				    pl_pipeline_stage(p, order[k])->name,
				    "waiting", NULL, NULL };
		flush_steps(&sc);
	}
	/* ready in dependency order */
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];

		if (mask[i] && sc.v[i].waiting == 0) {
			sc.v[i].state = S_READY;
			sc.ready[sc.nready++] = i;
		}
	}
	while (sc.done < sc.total) {
		if (o->interrupt && *o->interrupt && !sc.interrupted) {
			sc.interrupted = 1;
			sc.stop_new = 1;
			last_cancel = pl__now_ms();
			for (size_t i = 0; i < n; i++)
				if (sc.v[i].state == S_RUNNING)
					sc.ex->ops->cancel(sc.ex, sc.v[i].handle);
		}
		if (sc.interrupted && pl__now_ms() - last_cancel > 2000) {
			/* insist: the third request is SIGKILL */
			last_cancel = pl__now_ms();
			for (size_t i = 0; i < n; i++)
				if (sc.v[i].state == S_RUNNING)
					sc.ex->ops->cancel(sc.ex, sc.v[i].handle);
		}
		if (sc.failed_any && !o->keep_going)
			sc.stop_new = 1;
		do {
			while (!sc.stop_new && sc.nready > 0 &&
			    (sc.running < (size_t)jobs || batch)) {
				size_t i = sc.ready[0];

				memmove(sc.ready, sc.ready + 1,
				    (--sc.nready) * sizeof *sc.ready);
				if ((rc = evaluate(&sc, i)) != PL_OK)
					goto drain;
				if (sc.failed_any && !o->keep_going)
					sc.stop_new = 1;
			}
			/* a batch system: the pass's held foreach stages go
			 * now (job arrays); the stages below them may be
			 * queued at once, in the next pass */
			if (sc.npend && (rc = flush_held(&sc)) != PL_OK)
				goto drain;
		} while (batch && !sc.stop_new && sc.nready > 0);
		flush_steps(&sc);	/* before waiting */
		if (sc.running == 0 && (sc.stop_new || sc.nready == 0))
			break;
		if (sc.running > 0)
			sc.ex->ops->wait(sc.ex, 100);
		if ((rc = poll_jobs(&sc)) != PL_OK)
			goto drain;
		if (pl__now_ms() - last_tick >= 100) {
			pl_repro_event ev;

			memset(&ev, 0, sizeof ev);
			ev.type = PL_EV_TICK;
			emit(&sc, &ev);
			last_tick = pl__now_ms();
		}
	}
drain:
	/* held stages that were never submitted end here */
	for (size_t k = 0; k < sc.npend; k++) {
		struct slot *sl = &sc.v[sc.pend[k]];

		if (!sl->pending)
			continue;
		unhold(sl);
		pl_ingest_finish(sl->in);
		pl_run_finish(st, sl->run_id, PL_RUN_KILLED, -1,
		    "not submitted: plumb stopped");
	}
	sc.npend = 0;
	/* plumb itself failed, or we were interrupted: stop what runs. */
	while (sc.running > 0) {
		if (rc != PL_OK && !sc.interrupted) {
			sc.interrupted = 1;
			for (size_t i = 0; i < n; i++)
				if (sc.v[i].state == S_RUNNING)
					sc.ex->ops->cancel(sc.ex, sc.v[i].handle);
			last_cancel = pl__now_ms();
		}
		if (sc.interrupted && pl__now_ms() - last_cancel > 2000) {
			last_cancel = pl__now_ms();
			for (size_t i = 0; i < n; i++)
				if (sc.v[i].state == S_RUNNING)
					sc.ex->ops->cancel(sc.ex, sc.v[i].handle);
		}
		sc.ex->ops->wait(sc.ex, 100);
		if (poll_jobs(&sc) != PL_OK && rc == PL_OK)
			rc = PL_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		if (sc.v[i].selected && (sc.v[i].state == S_IDLE ||
		    sc.v[i].state == S_READY))
			sc.sum.not_started++;
	if (sc.lk) {
		char e2[512];
		int frc = sc.lock_dirty ? pl_lock_write(sc.lk,
		    pl_pipeline_lock_path(p), e2, sizeof e2) : PL_OK;

		if (frc != PL_OK && rc == PL_OK) {
			snprintf(err, err_len, "%s", e2);
			rc = frc;
		}
	}
	if (rc == PL_OK && (sc.sum.failed || sc.sum.killed || sc.sum.blocked ||
	    sc.sum.not_started))
		rc = PL_ERROR;
	flush_steps(&sc);
	if (sc.job > 0) {
		char msg[256];

		snprintf(msg, sizeof msg, "%zu ran, %zu restored, %zu up to "
		    "date, %zu failed, %zu killed, %zu blocked", sc.sum.ran,
		    sc.sum.restored, sc.sum.skipped, sc.sum.failed,
		    sc.sum.killed, sc.sum.blocked);
		(void)pl_job_end(st, sc.job, sc.interrupted ? "killed" :
		    rc == PL_OK ? "done" : "failed", rc == PL_OK ||
		    rc == PL_ERROR ? msg : err);
	}
out:
	*out = sc.sum;
	for (size_t i = 0; sc.v && i < n; i++)
		slot_dispose(&sc, i);
	free(sc.v);
	free(sc.ready);
	free(sc.pend);
	free(sc.steps);
	free(mask);
	pl_lock_free(sc.lk);
	if (sc.have_git)
		pl_gitinfo_dispose(&sc.git);
	if (own)
		pl_executor_free(own);
	if (lockfd >= 0)
		close(lockfd);
	pthread_mutex_destroy(&sc.evmu);
	return rc;
}
