/* run.c - tracked runs: create, finish, look up by prefix, params and tags. */
#include "config.h"
#include "track/run.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "store/audit.h"
#include "store/internal.h"
#include "store/endnote.h"
#include "vec.h"

static const char *const status_names[] = {
	"running", "finished", "failed", "killed", "lost"
};

const char *
pl_run_status_name(pl_run_status s)
{
	if ((unsigned)s >= sizeof status_names / sizeof status_names[0])
		return "unknown";
	return status_names[s];
}

int
pl_run_status_parse(pl_run_status *out, const char *name)
{
	for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
		if (strcasecmp(name, status_names[i]) == 0) {
			*out = (pl_run_status)i;
			return PL_OK;
		}
	return PL_EINVAL;
}

static int
new_id(char out[PL_ID_LEN + 1])
{
	unsigned char r[PL_ID_LEN / 2];
	size_t got = 0;

	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof r; i++)
		sprintf(out + 2 * i, "%02x", r[i]);
	return 0;
}

int
pl__key_id(pl_store *st, const char *name, int create, int64_t *out)
{
	static const char sel[] = "SELECT id FROM keys WHERE name = ?1";
	static const char ins[] = "INSERT INTO keys(name) VALUES (?1)";
	sqlite3_stmt *s = pl__stmt(st, sel);
	int rc;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return PL_OK;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "looking up a key");
	if (!create)
		return pl__err(st, PL_ENOTFOUND, "no key '%s'", name);
	if ((s = pl__stmt(st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE) {
		sqlite3_reset(s);
		return pl__sqlerr(st, rc, "adding a key");
	}
	sqlite3_reset(s);
	*out = sqlite3_last_insert_rowid(st->db);
	return PL_OK;
}

int
pl__run_rid(pl_store *st, const char *id, int64_t *out)
{
	static const char sql[] = "SELECT rid FROM runs WHERE id = ?1";
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PL_OK;
	if (rc == SQLITE_DONE)
		return pl__err(st, PL_ENOTFOUND, "no run %s", id);
	return pl__sqlerr(st, rc, "looking up a run");
}

static int
experiment_id(pl_store *st, const char *name, int64_t *out)
{
	static const char sel[] = "SELECT id FROM experiments WHERE name = ?1";
	static const char ins[] =
	    "INSERT INTO experiments(name, created_ms) VALUES (?1, ?2)";
	sqlite3_stmt *s = pl__stmt(st, sel);
	int rc;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PL_OK;
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "looking up an experiment");
	if ((s = pl__stmt(st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, pl__now_ms());
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "creating an experiment");
	*out = sqlite3_last_insert_rowid(st->db);
	return PL_OK;
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int
pl_run_create(char out[PL_ID_LEN + 1], pl_store *st, const pl_run_spec *spec)
{
	static const char ins[] =
	    "INSERT INTO runs(id, experiment_id, name, status, user, host, "
	    "pid, pid_start, cwd, command, start_ms, heartbeat_ms, "
	    "git_commit, git_branch, git_dirty, git_diff_hash, parent_rid) "
	    "VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?16, "
	    "?11, ?12, ?13, ?14, ?15)";
	const char *exp = spec && spec->experiment && *spec->experiment ?
	    spec->experiment : "Default";
	int detached = spec && spec->detached;
	char parent[PL_ID_LEN + 1], dir[PATH_MAX];
	int64_t exp_id = 0, parent_rid = 0, now = pl__now_ms();
	sqlite3_stmt *s;
	int rc;

	out[0] = '\0';
	if (new_id(out) < 0)
		return pl__err(st, PL_EIO, "no randomness for a run id: %s",
		    strerror(errno));
	if (spec && spec->parent) {
		if ((rc = pl_run_resolve(parent, st, spec->parent)) != PL_OK)
			return rc;
		if ((rc = pl__run_rid(st, parent, &parent_rid)) != PL_OK)
			return rc;
	}
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if (spec && spec->experiment_id > 0) {
		exp_id = spec->experiment_id;
		exp = NULL;
	} else if ((rc = experiment_id(st, exp, &exp_id)) != PL_OK) {
		goto fail;
	}
	if ((s = pl__stmt(st, ins)) == NULL) {
		rc = PL_ERROR;
		goto fail;
	}
	sqlite3_bind_text(s, 1, out, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, exp_id);
	bind_text_or_null(s, 3, spec ? spec->name : NULL);
	if (spec && spec->user)
		bind_text_or_null(s, 4, *spec->user ? spec->user : NULL);
	else
		sqlite3_bind_text(s, 4, pl__username(), -1, SQLITE_STATIC);
	if (!detached)
		sqlite3_bind_text(s, 5, pl__hostname(), -1, SQLITE_STATIC);
	if (spec && spec->pid > 0) {
		sqlite3_bind_int64(s, 6, spec->pid);
		sqlite3_bind_int64(s, 7, pl__proc_start(spec->pid));
	}
	bind_text_or_null(s, 8, spec ? spec->cwd : NULL);
	bind_text_or_null(s, 9, spec ? spec->command : NULL);
	sqlite3_bind_int64(s, 10, spec && spec->start_ms > 0 ? spec->start_ms :
	    now);
	if (spec && spec->git) {
		bind_text_or_null(s, 11, spec->git->commit);
		bind_text_or_null(s, 12, spec->git->branch);
		if (spec->git->dirty >= 0)
			sqlite3_bind_int(s, 13, spec->git->dirty);
		bind_text_or_null(s, 14, spec->git->diff_hash);
	}
	if (parent_rid)
		sqlite3_bind_int64(s, 15, parent_rid);
	if (!detached)		/* no heartbeat: never reaped */
		sqlite3_bind_int64(s, 16, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "creating a run");
		goto fail;
	}
	if ((rc = pl_audit_append(st, "run.start", out, exp)) != PL_OK)
		goto fail;
	if ((rc = pl__commit(st)) != PL_OK)
		return rc;
	snprintf(dir, sizeof dir, "%s/runs/%s", st->dir, out);
	if (pl__mkdirs(dir, 0777) < 0)
		return pl__err(st, PL_EIO, "cannot create %s: %s", dir,
		    strerror(errno));
	/* Room for the run's end if the disk fills before it ends
	 * (store/endnote.c); without it the run can only end up lost. */
	(void)pl__endnote_reserve(st, out);
	return PL_OK;
fail:
	pl__rollback(st);
	return rc;
}

/* Values bound to ?2, ?3, ... of an UPDATE (?1 is the run id). */
struct upd_val {
	char type;		/* 'i' int64, 't' text or NULL, 'n' NULL */
	int64_t i;
	const char *t;
};

/*
 * Runs one UPDATE on the run id in its own transaction.  When no row
 * changed (no such run, or its WHERE clause excluded it) returns none_rc
 * with the message "run ID NONE_MSG".
 */
static int
update_run(pl_store *st, const char *sql, const char *id,
    const struct upd_val *v, int nv, int none_rc, const char *none_msg)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sql)) == NULL) {
		pl__rollback(st);
		return PL_ERROR;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	for (int k = 0; k < nv; k++) {
		if (v[k].type == 'i')
			sqlite3_bind_int64(s, k + 2, v[k].i);
		else if (v[k].type == 't')
			bind_text_or_null(s, k + 2, v[k].t);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "updating a run");
		pl__rollback(st);
		return rc;
	}
	if (sqlite3_changes(st->db) == 0) {
		pl__rollback(st);
		return pl__err(st, none_rc, "run %s %s", id, none_msg);
	}
	return pl__commit(st);
}

int
pl_run_finish(pl_store *st, const char *id, pl_run_status status,
    int exit_status, const char *message)
{
	struct upd_val v[4] = {
		{ exit_status >= 0 ? 'i' : 'n', exit_status, NULL },
		{ 'i', pl__now_ms(), NULL },
		{ 't', 0, message },
		{ 't', 0, pl_run_status_name(status) },
	};

	int rc;

	if (status == PL_RUN_RUNNING || status == PL_RUN_LOST)
		return pl__err(st, PL_EINVAL, "a run cannot end as %s",
		    pl_run_status_name(status));
	rc = update_run(st,
	    "UPDATE runs SET status = ?5, exit_status = ?2, end_ms = ?3, "
	    "heartbeat_ms = ?3, message = coalesce(?4, message) "
	    "WHERE id = ?1 AND status = 'running'", id, v, 4, PL_EINVAL,
	    "is not running");
	/* The store could not take the write (a full disk): keep the end in
	 * the run's reserved note, which the next writer applies. */
	if ((rc == PL_EFULL || rc == PL_EIO) && strlen(id) == 32 &&
	    strspn(id, "0123456789abcdef") == 32 &&
	    pl__endnote_write(st, id, pl_run_status_name(status),
	    exit_status, v[1].i, message) == 0) {
		char why[sizeof st->errmsg / 2];

		snprintf(why, sizeof why, "%s", pl_store_errmsg(st));
		return pl__err(st, rc, "%s; the end of the run is kept in "
		    "runs/%s/end and recorded when the store has room", why,
		    id);
	}
	return rc;
}

int
pl_run_set_times(pl_store *st, const char *id, int64_t start_ms,
    int64_t end_ms)
{
	struct upd_val v[2] = {
		{ 'i', start_ms, NULL },
		{ 'i', end_ms, NULL },
	};

	return update_run(st,
	    "UPDATE runs SET "
	    "start_ms = CASE WHEN ?2 > 0 THEN ?2 ELSE start_ms END, "
	    "end_ms = CASE WHEN ?3 > 0 THEN ?3 ELSE end_ms END "
	    "WHERE id = ?1", id, v, 2, PL_ENOTFOUND, "does not exist");
}

int
pl_run_heartbeat(pl_store *st, const char *id)
{
	struct upd_val v = { 'i', pl__now_ms(), NULL };

	return update_run(st, "UPDATE runs SET heartbeat_ms = ?2 WHERE id = ?1",
	    id, &v, 1, PL_ENOTFOUND, "does not exist");
}

int
pl_run_add_bad_lines(pl_store *st, const char *id, int64_t n)
{
	struct upd_val v = { 'i', n, NULL };

	return update_run(st,
	    "UPDATE runs SET bad_lines = bad_lines + ?2 WHERE id = ?1",
	    id, &v, 1, PL_ENOTFOUND, "does not exist");
}

static int
is_hex(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
pl_run_resolve(char out[PL_ID_LEN + 1], pl_store *st, const char *prefix)
{
	static const char sql[] =
	    "SELECT id FROM runs WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 6";
	char lo[PL_ID_LEN + 1], hi[PL_ID_LEN + 2];
	char cand[6][PL_ID_LEN + 1];
	size_t n = strlen(prefix), i;
	int rc, found = 0;
	sqlite3_stmt *s;

	out[0] = '\0';
	if (!is_hex(prefix) || n > PL_ID_LEN)
		return pl__err(st, PL_EINVAL,
		    "'%.40s' is not a run id (expected up to %d hex digits)",
		    prefix, PL_ID_LEN);
	for (i = 0; i < n; i++)
		lo[i] = (char)tolower((unsigned char)prefix[i]);
	lo[n] = '\0';
	/* Every id with this prefix sorts in [prefix, prefix + "g"). */
	snprintf(hi, sizeof hi, "%sg", lo);
	if ((s = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && found < 6)
		snprintf(cand[found++], PL_ID_LEN + 1, "%s",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pl__sqlerr(st, rc, "looking up a run");
	if (found == 0)
		return pl__err(st, PL_ENOTFOUND, "no run matches '%s'", lo);
	if (found > 1) {
		char list[6 * (PL_ID_LEN + 2)] = "";

		size_t used = 0;

		for (int k = 0; k < found && k < 5; k++)
			used += (size_t)snprintf(list + used, sizeof list - used,
			    "%s%.12s", k ? ", " : "", cand[k]);
		return pl__err(st, PL_EAMBIGUOUS,
		    "run id prefix '%s' is ambiguous: it matches %s%s", lo,
		    list, found > 5 ? ", ..." : "");
	}
	memcpy(out, cand[0], PL_ID_LEN + 1);
	return PL_OK;
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

int
pl_run_get(pl_run_info **out, pl_store *st, const char *id)
{
	static const char sql[] =
	    "SELECT r.id, e.name, r.name, r.status, r.user, r.host, r.cwd, "
	    "r.command, r.pid, r.exit_status, r.start_ms, r.end_ms, "
	    "r.heartbeat_ms, r.git_commit, r.git_branch, r.git_dirty, "
	    "r.git_diff_hash, p.id, r.bad_lines, r.message, r.experiment_id, "
	    "r.deleted_ms, r.heartbeat_ms IS NULL AND r.pid IS NULL "
	    "FROM runs r JOIN experiments e ON e.id = r.experiment_id "
	    "LEFT JOIN runs p ON p.rid = r.parent_rid WHERE r.id = ?1";
	sqlite3_stmt *s = pl__stmt(st, sql);
	pl_run_info *r;
	int rc;

	*out = NULL;
	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return pl__err(st, PL_ENOTFOUND, "no run %s", id);
		return pl__sqlerr(st, rc, "reading a run");
	}
	r = calloc(1, sizeof *r);
	if (r == NULL) {
		sqlite3_reset(s);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	snprintf(r->id, sizeof r->id, "%s", sqlite3_column_text(s, 0));
	r->experiment = col_dup(s, 1);
	r->name = col_dup(s, 2);
	pl_run_status_parse(&r->status, (const char *)sqlite3_column_text(s, 3));
	r->user = col_dup(s, 4);
	r->host = col_dup(s, 5);
	r->cwd = col_dup(s, 6);
	r->command = col_dup(s, 7);
	r->pid = (long)sqlite3_column_int64(s, 8);
	r->has_exit_status = sqlite3_column_type(s, 9) != SQLITE_NULL;
	r->exit_status = sqlite3_column_int(s, 9);
	r->start_ms = sqlite3_column_int64(s, 10);
	r->end_ms = sqlite3_column_int64(s, 11);
	r->heartbeat_ms = sqlite3_column_int64(s, 12);
	r->git.commit = col_dup(s, 13);
	r->git.branch = col_dup(s, 14);
	r->git.dirty = sqlite3_column_type(s, 15) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, 15);
	r->git.diff_hash = col_dup(s, 16);
	if (sqlite3_column_type(s, 17) != SQLITE_NULL)
		snprintf(r->parent, sizeof r->parent, "%s",
		    sqlite3_column_text(s, 17));
	r->bad_lines = sqlite3_column_int64(s, 18);
	r->message = col_dup(s, 19);
	r->experiment_id = sqlite3_column_int64(s, 20);
	r->deleted_ms = sqlite3_column_int64(s, 21);
	r->detached = sqlite3_column_int(s, 22);
	sqlite3_reset(s);
	*out = r;
	return PL_OK;
}

void
pl_gitinfo_dispose(pl_gitinfo *g)
{
	if (g == NULL)
		return;
	free(g->commit);
	free(g->branch);
	free(g->diff_hash);
	g->commit = g->branch = g->diff_hash = NULL;
}

void
pl_run_info_free(pl_run_info *r)
{
	if (r == NULL)
		return;
	free(r->experiment);
	free(r->name);
	free(r->user);
	free(r->host);
	free(r->cwd);
	free(r->command);
	free(r->message);
	pl_gitinfo_dispose(&r->git);
	free(r);
}

void
pl_kvlist_free(pl_kvlist *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	free(l);
}

static int
set_kv(pl_store *st, const char *sql, const char *id, const char *key,
    const char *value)
{
	int64_t rid, kid;
	sqlite3_stmt *s;
	int rc;

	if (*key == '\0')
		return pl__err(st, PL_EINVAL, "empty key");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__run_rid(st, id, &rid)) != PL_OK ||
	    (rc = pl__key_id(st, key, 1, &kid)) != PL_OK)
		goto fail;
	if ((s = pl__stmt(st, sql)) == NULL) {
		rc = PL_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, kid);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "saving a value");
		goto fail;
	}
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_run_set_param(pl_store *st, const char *id, const char *key,
    const char *value)
{
	return set_kv(st, "INSERT OR REPLACE INTO params(run_id, key_id, value) "
	    "VALUES (?1, ?2, ?3)", id, key, value);
}

int
pl_run_set_tag(pl_store *st, const char *id, const char *key,
    const char *value)
{
	return set_kv(st, "INSERT OR REPLACE INTO tags(run_id, key_id, value) "
	    "VALUES (?1, ?2, ?3)", id, key, value);
}

static int
list_kv(pl_kvlist **out, pl_store *st, const char *sql, const char *id)
{
	pl_kvlist *l = calloc(1, sizeof *l);
	size_t cap = 0;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if (l == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	if ((s = pl__stmt(st, sql)) == NULL) {
		free(l);
		return PL_ERROR;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (vec_grow(&l->items, &cap, l->n, sizeof *l->items, 16) < 0)
			goto oom;
		l->items[l->n].key = col_dup(s, 0);
		l->items[l->n].value = col_dup(s, 1);
		l->n++;
		if (!l->items[l->n - 1].key || !l->items[l->n - 1].value)
			goto oom;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_kvlist_free(l);
		return pl__sqlerr(st, rc, "listing values");
	}
	*out = l;
	return PL_OK;
oom:
	sqlite3_reset(s);
	pl_kvlist_free(l);
	return pl__err(st, PL_ENOMEM, "out of memory");
}

int
pl_run_params(pl_kvlist **out, pl_store *st, const char *id)
{
	return list_kv(out, st,
	    "SELECT k.name, p.value FROM params p JOIN keys k ON k.id = p.key_id "
	    "WHERE p.run_id = (SELECT rid FROM runs WHERE id = ?1) "
	    "ORDER BY k.name", id);
}

int
pl_run_tags(pl_kvlist **out, pl_store *st, const char *id)
{
	return list_kv(out, st,
	    "SELECT k.name, t.value FROM tags t JOIN keys k ON k.id = t.key_id "
	    "WHERE t.run_id = (SELECT rid FROM runs WHERE id = ?1) "
	    "ORDER BY k.name", id);
}

char *
pl_run_log_path(const pl_store *st, const char *id, const char *which)
{
	char *p;

	if (asprintf(&p, "%s/runs/%s/%s.log", st->dir, id, which) < 0)
		return NULL;
	return p;
}

int
pl_run_counts(int64_t out[PL_RUN__NSTATUS], pl_store *st)
{
	static const char sql[] =
	    "SELECT status, count(*) FROM runs GROUP BY status";
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	for (int i = 0; i < PL_RUN__NSTATUS; i++)
		out[i] = 0;
	if (s == NULL)
		return PL_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pl_run_status k;
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (name && pl_run_status_parse(&k, name) == PL_OK)
			out[k] = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "counting runs");
	return PL_OK;
}

int
pl_experiments(pl_experiment **out, size_t *out_n, pl_store *st)
{
	static const char sql[] =
	    /* deleted runs and experiments are not counted or listed (as
	     * plumb runs and MLflow hide them); the deleted ones are few,
	     * counted through their partial index */
	    "SELECT e.name, e.created_ms, "
	    "  (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) - "
	    "  (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id "
	    "     AND r.deleted_ms IS NOT NULL), "
	    "  (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id "
	    "     AND r.status = 'running' AND r.deleted_ms IS NULL), "
	    "  (SELECT start_ms FROM runs r WHERE r.experiment_id = e.id "
	    "     AND r.deleted_ms IS NULL ORDER BY start_ms DESC LIMIT 1) "
	    "FROM experiments e WHERE e.deleted_ms IS NULL ORDER BY e.name";
	pl_experiment *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	*out = NULL;
	*out_n = 0;
	if (s == NULL)
		return PL_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (vec_grow(&v, &cap, n, sizeof *v, 8) < 0) {
			sqlite3_reset(s);
			pl_experiment_list_free(v, n);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
		v[n].name = col_dup(s, 0);
		v[n].created_ms = sqlite3_column_int64(s, 1);
		v[n].runs = sqlite3_column_int64(s, 2);
		v[n].running = sqlite3_column_int64(s, 3);
		v[n].last_run_ms = sqlite3_column_int64(s, 4);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_experiment_list_free(v, n);
		return pl__sqlerr(st, rc, "listing experiments");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

void
pl_experiment_list_free(pl_experiment *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}
