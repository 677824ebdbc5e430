/* progress.c - jobs, their steps and event lines in the store: written by repro and promotion as they go, read by any watcher. */
#include "config.h"
#include "store/progress.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/internal.h"

/*
 * Each write is an autocommit statement, or a batch in one BEGIN
 * IMMEDIATE transaction: a job may record progress while its caller
 * holds a transaction (the statements join it), and either way the
 * write lock is taken at once, so there is no reader-turned-writer to
 * deadlock (see pl__begin).
 */

static int
step_done(pl_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, what);
	return PL_OK;
}

int
pl_job_begin(int64_t *out, pl_store *st, const char *kind,
    const char *subject)
{
	static const char ins[] = "INSERT INTO jobs(kind, subject, host, pid, "
	    "pid_start, state, start_ms) VALUES(?1, ?2, ?3, ?4, ?5, "
	    "'running', ?6)";
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if ((s = pl__stmt(st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, pl__hostname(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, (int64_t)getpid());
	sqlite3_bind_int64(s, 5, pl__proc_start((long)getpid()));
	sqlite3_bind_int64(s, 6, pl__now_ms());
	if ((rc = step_done(st, s, "recording a job")) != PL_OK)
		return rc;
	*out = sqlite3_last_insert_rowid(st->db);
	return PL_OK;
}

static int
is_final(const char *state)
{
	return strcmp(state, "waiting") != 0 && strcmp(state, "running") != 0 &&
	    strcmp(state, "queued") != 0;
}

/*
 * One step's write.  An existing step is an UPDATE by its primary key;
 * only a new one needs its seq, one past the job's last: *nsteps when
 * the caller knows the count (>= 0, then incremented), else counted
 * here (a count per insert made a 1,000-step job quadratic).
 */
static int
set_step(pl_store *st, int64_t job, const char *name, const char *state,
    const char *run_id, const char *reason, int64_t now, int64_t *nsteps)
{
	static const char up[] = "UPDATE job_steps SET state = ?3, "
	    "run_id = coalesce(?4, run_id), reason = coalesce(?5, reason), "
	    "start_ms = coalesce(start_ms, ?6), end_ms = ?7 "
	    "WHERE job_id = ?1 AND name = ?2";
	static const char ins[] = "INSERT INTO job_steps(job_id, name, seq, "
	    "state, run_id, reason, start_ms, end_ms) VALUES(?1, ?2, "
	    "coalesce(?8, (SELECT count(*) FROM job_steps WHERE job_id = ?1)), "
	    "?3, ?4, ?5, ?6, ?7)";
	const char *sql[2] = { up, ins };
	int rc;

	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *s = pl__stmt(st, sql[k]);

		if (s == NULL)
			return PL_ERROR;
		sqlite3_bind_int64(s, 1, job);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, state, -1, SQLITE_TRANSIENT);
		if (run_id)
			sqlite3_bind_text(s, 4, run_id, -1, SQLITE_TRANSIENT);
		if (reason)
			sqlite3_bind_text(s, 5, reason, -1, SQLITE_TRANSIENT);
		if (strcmp(state, "waiting") != 0)
			sqlite3_bind_int64(s, 6, now);
		if (is_final(state))
			sqlite3_bind_int64(s, 7, now);
		if (k == 1 && nsteps && *nsteps >= 0)
			sqlite3_bind_int64(s, 8, *nsteps);
		if ((rc = step_done(st, s, "recording a job step")) != PL_OK)
			return rc;
		if (k == 0 && sqlite3_changes(st->db) > 0)
			return PL_OK;
	}
	if (nsteps && *nsteps >= 0)
		(*nsteps)++;
	return PL_OK;
}

int
pl_job_set_step(pl_store *st, int64_t job, const char *name, const char *state,
    const char *run_id, const char *reason)
{
	if (job <= 0)
		return PL_EINVAL;
	/* (only the job's own process writes its steps: nothing comes
	 * between the update that found no step and the insert) */
	return set_step(st, job, name, state, run_id, reason, pl__now_ms(),
	    NULL);
}

int
pl_job_set_steps(pl_store *st, int64_t job, const pl_job_step_set *v,
    size_t n)
{
	static const char cnt[] = "SELECT count(*) FROM job_steps "
	    "WHERE job_id = ?1";
	sqlite3_stmt *s;
	int64_t nsteps, now = pl__now_ms();
	int began = 0, rc = PL_OK;

	if (job <= 0)
		return PL_EINVAL;
	if (n == 0)
		return PL_OK;
	/* one transaction for all: one commit (a lock, a WAL append) where
	 * n autocommit writes cost n, and the job's step count read once */
	if (sqlite3_get_autocommit(st->db)) {
		if ((rc = pl__begin(st)) != PL_OK)
			return rc;
		began = 1;
	}
	if ((s = pl__stmt(st, cnt)) == NULL) {
		rc = PL_ERROR;
		goto out;
	}
	sqlite3_bind_int64(s, 1, job);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		rc = pl__sqlerr(st, rc, "counting a job's steps");
		goto out;
	}
	nsteps = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	rc = PL_OK;
	for (size_t k = 0; k < n && rc == PL_OK; k++)
		rc = set_step(st, job, v[k].name, v[k].state, v[k].run_id,
		    v[k].reason, now, &nsteps);
out:
	if (!began)
		return rc;
	if (rc != PL_OK) {
		pl__rollback(st);
		return rc;
	}
	return pl__commit(st);
}

int
pl_job_event(pl_store *st, int64_t job, const char *text)
{
	static const char ins[] = "INSERT INTO job_events(job_id, seq, ms, "
	    "text) VALUES(?1, (SELECT coalesce(max(seq), 0) + 1 FROM "
	    "job_events WHERE job_id = ?1), ?2, ?3)";
	sqlite3_stmt *s;

	if (job <= 0)
		return PL_EINVAL;
	if ((s = pl__stmt(st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, job);
	sqlite3_bind_int64(s, 2, pl__now_ms());
	sqlite3_bind_text(s, 3, text, -1, SQLITE_TRANSIENT);
	return step_done(st, s, "recording a job event");
}

int
pl_job_end(pl_store *st, int64_t job, const char *state, const char *message)
{
	static const char steps[] = "UPDATE job_steps SET state = CASE state "
	    "WHEN 'running' THEN 'killed' WHEN 'queued' THEN 'killed' "
	    "ELSE 'not started' END, "
	    "end_ms = ?2 WHERE job_id = ?1 AND state IN ('running', "
	    "'waiting', 'queued')";
	static const char end[] = "UPDATE jobs SET state = ?2, end_ms = ?3, "
	    "message = ?4 WHERE id = ?1";
	sqlite3_stmt *s;
	int64_t now = pl__now_ms();
	int rc;

	if (job <= 0)
		return PL_EINVAL;
	if ((s = pl__stmt(st, steps)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, job);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = step_done(st, s, "ending a job's steps")) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, end)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, job);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, now);
	if (message)
		sqlite3_bind_text(s, 4, message, -1, SQLITE_TRANSIENT);
	return step_done(st, s, "ending a job");
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t ? strdup(t) : NULL;
}

void
pl_job_free(pl_job *j)
{
	if (j == NULL)
		return;
	free(j->kind);
	free(j->subject);
	free(j->host);
	free(j->state);
	free(j->message);
	free(j);
}

int
pl_job_latest(pl_job **out, pl_store *st, const char *kind,
    const char *subject)
{
	static const char sel[] = "SELECT id, kind, subject, host, pid, "
	    "pid_start, state, start_ms, coalesce(end_ms, 0), message "
	    "FROM jobs WHERE kind = ?1 AND (?2 IS NULL OR subject = ?2) "
	    "ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *s;
	pl_job *j;
	int rc;

	*out = NULL;
	pl__clear_err(st);
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_TRANSIENT);
	if (subject)
		sqlite3_bind_text(s, 2, subject, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc == SQLITE_DONE)
			return pl__err(st, PL_ENOTFOUND, "no %s recorded",
			    kind);
		return pl__sqlerr(st, rc, "reading a job");
	}
	if ((j = calloc(1, sizeof *j)) == NULL) {
		sqlite3_reset(s);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	j->id = sqlite3_column_int64(s, 0);
	j->kind = col_dup(s, 1);
	j->subject = col_dup(s, 2);
	j->host = col_dup(s, 3);
	j->pid = (long)sqlite3_column_int64(s, 4);
	j->state = col_dup(s, 6);
	j->start_ms = sqlite3_column_int64(s, 7);
	j->end_ms = sqlite3_column_int64(s, 8);
	j->message = col_dup(s, 9);
	/* A running job of a dead process of this host is lost. */
	if (j->state && strcmp(j->state, "running") == 0 && j->host &&
	    strcmp(j->host, pl__hostname()) == 0 &&
	    pl__proc_start(j->pid) != sqlite3_column_int64(s, 5)) {
		free(j->state);
		j->state = strdup("lost");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (!j->kind || !j->subject || !j->host || !j->state) {
		pl_job_free(j);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	*out = j;
	return PL_OK;
}

void
pl_job_steps_free(pl_job_step *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].state);
		free(v[i].run_id);
		free(v[i].reason);
	}
	free(v);
}

int
pl_job_steps(pl_job_step **out, size_t *out_n, pl_store *st, int64_t job)
{
	static const char sel[] = "SELECT name, state, run_id, reason, "
	    "coalesce(start_ms, 0), coalesce(end_ms, 0) FROM job_steps "
	    "WHERE job_id = ?1 ORDER BY seq";
	sqlite3_stmt *s;
	pl_job_step *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, job);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			pl_job_step *nv = realloc(v, nc * sizeof *v);

			if (nv == NULL)
				goto oom;
			v = nv;
			cap = nc;
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = col_dup(s, 0);
		v[n].state = col_dup(s, 1);
		v[n].run_id = col_dup(s, 2);
		v[n].reason = col_dup(s, 3);
		v[n].start_ms = sqlite3_column_int64(s, 4);
		v[n].end_ms = sqlite3_column_int64(s, 5);
		n++;
		if (!v[n - 1].name || !v[n - 1].state)
			goto oom;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_job_steps_free(v, n);
		return pl__sqlerr(st, rc, "reading job steps");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
oom:
	sqlite3_reset(s);
	pl_job_steps_free(v, n);
	return pl__err(st, PL_ENOMEM, "out of memory");
}

void
pl_job_events_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int
pl_job_events(char ***out, size_t *out_n, int64_t *out_last, pl_store *st,
    int64_t job, int64_t after, size_t max)
{
	static const char sel[] = "SELECT seq, text FROM job_events WHERE "
	    "job_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
	sqlite3_stmt *s;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*out_n = 0;
	*out_last = after;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, job);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, max ? (int64_t)max : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n + 1 >= cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nv = realloc(v, nc * sizeof *v);

			if (nv == NULL)
				goto oom;
			v = nv;
			cap = nc;
		}
		*out_last = sqlite3_column_int64(s, 0);
		if ((v[n] = col_dup(s, 1)) == NULL)
			goto oom;
		v[++n] = NULL;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_job_events_free(v);
		return pl__sqlerr(st, rc, "reading job events");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
oom:
	sqlite3_reset(s);
	pl_job_events_free(v);
	return pl__err(st, PL_ENOMEM, "out of memory");
}
