/* import-mlflow.c - writes what the MLflow readers hand over into plumb's store: runs, params, tags, points, artifacts, in batched transactions. */
#include "config.h"
#include "track/import-mlflow-int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "data/cache.h"
#include "store/audit.h"
#include "store/internal.h"
#include "vec.h"

/* A batch commits after this many runs or points: big enough that the
 * fsync of a commit is noise, small enough that an interrupted import
 * keeps most of its work (a run is never split across batches). */
#define BATCH_RUNS 1000
#define BATCH_POINTS 2000000
/* Points per chunk row: a long series is stored in several rows so no
 * blob grows past a few MB. */
#define CHUNK_POINTS 65536

struct kv {
	char *k, *v;
};

struct mli {
	pl_store *st;
	const pl_mlflow_opts *o;
	pl_mlflow_stats *s;
	const char *source;
	int in_tx;
	int64_t batch_runs, batch_points;
	int64_t kid_runid;	/* key id of "mlflow.run_id" */

	/* The run being read. */
	int in_run, written;
	char *mlid, *exp, *name, *user, *status;
	int64_t start_ms, end_ms;
	struct kv *params, *tags;
	size_t nparams, ntags, cparams, ctags;
	int64_t rid;
	int is_new;
	int64_t added;		/* rows this run got (existing runs) */

	/* The series being read. */
	int in_metric;
	int64_t skip;
	struct pl__chunk chunk;
	int chunk_ready;
};

void
mli_problem(struct mli *m, const char *path, long line, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	m->s->problems++;
	if (m->o && m->o->problem)
		m->o->problem(m->o->arg, path, line, what);
}

void
mli_count_problem(struct mli *m)
{
	m->s->problems++;
}

void
mli_report_only(struct mli *m, const char *path, const char *what)
{
	if (m->o && m->o->problem)
		m->o->problem(m->o->arg, path, 0, what);
}

void
mli_progress(struct mli *m, int64_t done, int64_t total)
{
	if (m->o && m->o->progress)
		m->o->progress(m->o->arg, done, total);
}

void
mli_skip_deleted(struct mli *m, int experiment, int64_t runs)
{
	if (experiment)
		m->s->deleted_experiments++;
	m->s->deleted_runs += runs;
}

pl_store *
mli_store(struct mli *m)
{
	return m->st;
}

int
mli_want_artifacts(const struct mli *m)
{
	return !(m->o && m->o->no_artifacts);
}

int
mli_parse_double(const char *s, double *out)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	/* Underflow to a denormal or zero is still the value Python wrote;
	 * only trailing garbage makes the text malformed. */
	while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
		end++;
	return *end == '\0' ? 0 : -1;
}

static int
begin_batch(struct mli *m)
{
	int rc;

	if (m->in_tx)
		return PL_OK;
	if ((rc = pl__begin(m->st)) != PL_OK)
		return rc;
	m->in_tx = 1;
	m->batch_runs = m->batch_points = 0;
	/* The tag naming the MLflow run is looked up once per batch: its
	 * key id is stable once created.  It is not created here: an import
	 * that adds nothing (a bad path) must leave the store as it was; the
	 * first run tagged creates it (see import_run). */
	if ((rc = pl__key_id(m->st, "mlflow.run_id", 0, &m->kid_runid)) ==
	    PL_ENOTFOUND) {
		pl__clear_err(m->st);
		m->kid_runid = -1;	/* no run was ever imported */
		rc = PL_OK;
	}
	return rc;
}

static int
end_batch(struct mli *m)
{
	if (!m->in_tx)
		return PL_OK;
	m->in_tx = 0;
	return pl__commit(m->st);
}

static int
step_done(struct mli *m, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pl__sqlerr(m->st, rc, what);
	return PL_OK;
}

static void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int
mli_exp(struct mli *m, const char *name, int64_t created_ms)
{
	static const char sql[] =
	    "INSERT OR IGNORE INTO experiments(name, created_ms) "
	    "VALUES (?1, ?2)";
	sqlite3_stmt *s;
	int rc;

	if ((rc = begin_batch(m)) != PL_OK)
		return rc;
	if ((s = pl__stmt(m->st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, created_ms > 0 ? created_ms : pl__now_ms());
	if ((rc = step_done(m, s, "creating an experiment")) != PL_OK)
		return rc;
	if (sqlite3_changes(m->st->db) > 0)
		m->s->experiments++;
	return PL_OK;
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static void
kv_clear(struct kv *v, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free(v[i].k);
		free(v[i].v);
	}
	*n = 0;
}

static void
run_clear(struct mli *m)
{
	free(m->mlid);
	free(m->exp);
	free(m->name);
	free(m->user);
	free(m->status);
	m->mlid = m->exp = m->name = m->user = m->status = NULL;
	kv_clear(m->params, &m->nparams);
	kv_clear(m->tags, &m->ntags);
	m->in_run = m->written = 0;
}

int
mli_run_begin(struct mli *m, const struct mli_run *r)
{
	run_clear(m);
	m->mlid = strdup(r->run_id);
	m->exp = strdup(r->experiment);
	m->name = dup_or_null(r->name);
	m->user = dup_or_null(r->user);
	m->status = dup_or_null(r->status);
	if (m->mlid == NULL || m->exp == NULL)
		return pl__err(m->st, PL_ENOMEM, "out of memory");
	m->start_ms = r->start_ms;
	m->end_ms = r->end_ms;
	m->in_run = 1;
	m->added = 0;
	return PL_OK;
}

static int
kv_push(struct mli *m, struct kv **v, size_t *n, size_t *cap,
    const char *k, const char *val)
{
	if (vec_grow(v, cap, *n, sizeof **v, 16) < 0)
		return pl__err(m->st, PL_ENOMEM, "out of memory");
	(*v)[*n].k = strdup(k);
	(*v)[*n].v = strdup(val);
	if ((*v)[*n].k == NULL || (*v)[*n].v == NULL) {
		free((*v)[*n].k);
		free((*v)[*n].v);
		return pl__err(m->st, PL_ENOMEM, "out of memory");
	}
	(*n)++;
	return PL_OK;
}

int
mli_param(struct mli *m, const char *key, const char *value)
{
	return kv_push(m, &m->params, &m->nparams, &m->cparams, key, value);
}

int
mli_tag(struct mli *m, const char *key, const char *value)
{
	return kv_push(m, &m->tags, &m->ntags, &m->ctags, key, value);
}

static const char *
tag_value(const struct mli *m, const char *key)
{
	for (size_t i = 0; i < m->ntags; i++)
		if (strcmp(m->tags[i].k, key) == 0)
			return m->tags[i].v;
	return NULL;
}

/* plumb's status for MLflow's; RUNNING and SCHEDULED runs have no plumb
 * process to end them, which is what `lost` says. */
static const char *
map_status(const char *s)
{
	if (s == NULL)
		return "lost";
	if (strcasecmp(s, "FINISHED") == 0)
		return "finished";
	if (strcasecmp(s, "FAILED") == 0)
		return "failed";
	if (strcasecmp(s, "KILLED") == 0)
		return "killed";
	return "lost";
}

static int
is_hex32(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return i == PL_ID_LEN;
}

/* The run already imported for this MLflow id: by its mlflow.run_id
 * tag, else a plumb run with the very same id. */
static int
find_run(struct mli *m, int64_t *rid, const char *plid)
{
	static const char by_tag[] =
	    "SELECT run_id FROM tags WHERE key_id = ?1 AND value = ?2 LIMIT 1";
	static const char by_id[] = "SELECT rid FROM runs WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	*rid = 0;
	if ((s = pl__stmt(m->st, by_tag)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, m->kid_runid);
	sqlite3_bind_text(s, 2, m->mlid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*rid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__sqlerr(m->st, rc, "looking up an imported run");
	if (*rid || plid == NULL)
		return PL_OK;
	if ((s = pl__stmt(m->st, by_id)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, plid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*rid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__sqlerr(m->st, rc, "looking up a run");
	return PL_OK;
}

static int
random_id(struct mli *m, char out[PL_ID_LEN + 1])
{
	unsigned char r[PL_ID_LEN / 2];
	size_t got = 0;

	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return pl__err(m->st, PL_EIO, "no randomness for a run "
			    "id: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof r; i++)
		sprintf(out + 2 * i, "%02x", r[i]);
	return PL_OK;
}

static int
insert_run(struct mli *m, const char *plid)
{
	static const char sql[] =
	    "INSERT INTO runs(id, experiment_id, name, status, user, "
	    "start_ms, end_ms, heartbeat_ms, git_commit, git_branch, message) "
	    "VALUES (?1, (SELECT id FROM experiments WHERE name = ?2), ?3, ?4, "
	    "?5, ?6, ?7, coalesce(?7, ?6), ?8, ?9, ?10)";
	const char *name = m->name ? m->name : tag_value(m, "mlflow.runName");
	const char *status = map_status(m->status);
	char msg[96];
	sqlite3_stmt *s;
	int rc;

	if ((s = pl__stmt(m->st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, plid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->exp, -1, SQLITE_STATIC);
	bind_opt(s, 3, name);
	sqlite3_bind_text(s, 4, status, -1, SQLITE_STATIC);
	bind_opt(s, 5, m->user);
	sqlite3_bind_int64(s, 6, m->start_ms);
	if (m->end_ms > 0)
		sqlite3_bind_int64(s, 7, m->end_ms);
	bind_opt(s, 8, tag_value(m, "mlflow.source.git.commit"));
	bind_opt(s, 9, tag_value(m, "mlflow.source.git.branch"));
	if (strcmp(status, "lost") == 0) {
		snprintf(msg, sizeof msg, "imported from MLflow as %s",
		    m->status ? m->status : "(no status)");
		sqlite3_bind_text(s, 10, msg, -1, SQLITE_TRANSIENT);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(m->st, rc, "creating an imported run");
	m->rid = sqlite3_last_insert_rowid(m->st->db);
	return PL_OK;
}

/* An already imported run follows MLflow's status and times (a run that
 * was running at the last import may have ended since). */
static int
update_run(struct mli *m)
{
	static const char sql[] =
	    "UPDATE runs SET status = ?2, end_ms = ?3, "
	    "heartbeat_ms = coalesce(?3, heartbeat_ms), "
	    "message = CASE WHEN ?2 = 'lost' THEN message ELSE NULL END "
	    "WHERE rid = ?1 AND (status IS NOT ?2 OR end_ms IS NOT ?3)";
	sqlite3_stmt *s;
	int rc;

	if ((s = pl__stmt(m->st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, m->rid);
	sqlite3_bind_text(s, 2, map_status(m->status), -1, SQLITE_STATIC);
	if (m->end_ms > 0)
		sqlite3_bind_int64(s, 3, m->end_ms);
	if ((rc = step_done(m, s, "updating an imported run")) != PL_OK)
		return rc;
	m->added += sqlite3_changes(m->st->db);
	return PL_OK;
}

static int
put_kv(struct mli *m, const char *sql, const char *key, const char *value,
    int64_t *count)
{
	sqlite3_stmt *s;
	int64_t kid;
	int rc;

	if ((rc = pl__key_id(m->st, key, 1, &kid)) != PL_OK)
		return rc;
	if ((s = pl__stmt(m->st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, m->rid);
	sqlite3_bind_int64(s, 2, kid);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	if ((rc = step_done(m, s, "writing a param or tag")) != PL_OK)
		return rc;
	if (sqlite3_changes(m->st->db) > 0) {
		if (count)
			(*count)++;
		m->added++;
	}
	return PL_OK;
}

/* MLflow params never change once logged (first value kept); tags do,
 * and only a changed value counts as new. */
static const char param_sql[] =
    "INSERT OR IGNORE INTO params(run_id, key_id, value) VALUES (?1, ?2, ?3)";
static const char tag_sql[] =
    "INSERT INTO tags(run_id, key_id, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(run_id, key_id) DO UPDATE SET value = excluded.value "
    "WHERE value IS NOT excluded.value";

/* Writes the run row (or finds the one imported before) and its params
 * and tags: called at its first metric, artifact or its end. */
static int
write_run(struct mli *m)
{
	char plid[PL_ID_LEN + 1];
	int rc;

	if (m->written)
		return PL_OK;
	if ((rc = begin_batch(m)) != PL_OK)
		return rc;
	snprintf(plid, sizeof plid, "%s", m->mlid);
	for (char *p = plid; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((rc = find_run(m, &m->rid, is_hex32(m->mlid) ? plid : NULL))
	    != PL_OK)
		return rc;
	m->is_new = m->rid == 0;
	if (m->is_new) {
		if (!is_hex32(m->mlid) &&
		    (rc = random_id(m, plid)) != PL_OK)
			return rc;
		if ((rc = insert_run(m, plid)) != PL_OK)
			return rc;
		m->s->runs++;
	} else if ((rc = update_run(m)) != PL_OK)
		return rc;
	if ((rc = put_kv(m, tag_sql, "mlflow.run_id", m->mlid, NULL)) != PL_OK)
		return rc;
	if (m->kid_runid < 0 && (rc = pl__key_id(m->st, "mlflow.run_id", 0,
	    &m->kid_runid)) != PL_OK)
		return rc;
	for (size_t i = 0; i < m->nparams; i++)
		if ((rc = put_kv(m, param_sql, m->params[i].k, m->params[i].v,
		    &m->s->params)) != PL_OK)
			return rc;
	for (size_t i = 0; i < m->ntags; i++)
		if ((rc = put_kv(m, tag_sql, m->tags[i].k, m->tags[i].v,
		    &m->s->tags)) != PL_OK)
			return rc;
	m->written = 1;
	return PL_OK;
}

int
mli_metric_begin(struct mli *m, const char *key)
{
	static const char sql[] =
	    "SELECT count FROM metric_summary WHERE run_id = ?1 AND key_id = ?2";
	int64_t kid;
	int rc;

	if ((rc = write_run(m)) != PL_OK)
		return rc;
	if ((rc = pl__key_id(m->st, key, 1, &kid)) != PL_OK)
		return rc;
	m->skip = 0;
	if (!m->is_new) {
		sqlite3_stmt *s = pl__stmt(m->st, sql);

		if (s == NULL)
			return PL_ERROR;
		sqlite3_bind_int64(s, 1, m->rid);
		sqlite3_bind_int64(s, 2, kid);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			m->skip = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return pl__sqlerr(m->st, rc, "reading a metric summary");
	}
	if (!m->chunk_ready) {
		pl__chunk_init(&m->chunk, kid);
		m->chunk_ready = 1;
	} else {
		m->chunk.n = 0;
		m->chunk.kid = kid;
		pl__agg_init(&m->chunk.agg, kid);
	}
	m->in_metric = 1;
	return PL_OK;
}

static int
flush_chunk(struct mli *m)
{
	int64_t n = (int64_t)m->chunk.n;
	int rc;

	if (n == 0)
		return PL_OK;
	if ((rc = pl__chunk_write(m->st, m->rid, &m->chunk)) != PL_OK)
		return rc;
	m->s->points += n;
	m->batch_points += n;
	m->added += n;
	return PL_OK;
}

int
mli_point(struct mli *m, int64_t step, int64_t ts_ms, double v)
{
	if (m->skip > 0) {
		m->skip--;
		return PL_OK;
	}
	if (pl__chunk_add(&m->chunk, step, ts_ms, v) != PL_OK)
		return pl__err(m->st, PL_ENOMEM, "out of memory");
	if (m->chunk.n >= CHUNK_POINTS)
		return flush_chunk(m);
	return PL_OK;
}

int
mli_metric_end(struct mli *m)
{
	m->in_metric = 0;
	return flush_chunk(m);
}

int
mli_artifact(struct mli *m, const char *name, const char *path,
    int64_t mtime_ms)
{
	static const char have[] =
	    "SELECT 1 FROM artifacts WHERE run_id = ?1 AND path = ?2";
	static const char ins[] =
	    "INSERT OR IGNORE INTO artifacts(run_id, path, sha256, size, "
	    "logged_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
	char hash[PL_HASH_HEX];
	int64_t size;
	sqlite3_stmt *s;
	int rc;

	if (!mli_want_artifacts(m))
		return PL_OK;
	if ((rc = write_run(m)) != PL_OK)
		return rc;
	if (!m->is_new) {
		/* Asked before hashing: a re-import reads no artifact twice. */
		if ((s = pl__stmt(m->st, have)) == NULL)
			return PL_ERROR;
		sqlite3_bind_int64(s, 1, m->rid);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc == SQLITE_ROW)
			return PL_OK;
		if (rc != SQLITE_DONE)
			return pl__sqlerr(m->st, rc, "looking up an artifact");
	}
	if (m->o && m->o->dry_run) {
		/* Recorded without its bytes (the transaction is rolled
		 * back), so the registry part still finds it. */
		struct stat sb;

		memset(hash, '0', PL_HASH_HEX - 1);
		hash[PL_HASH_HEX - 1] = '\0';
		size = stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
	} else if (pl_cache_put_file(hash, &size, m->st, path) != PL_OK) {
		/* An unreadable artifact is one problem, not the end of the
		 * import; the store is fine (the copy goes through tmp/). */
		mli_problem(m, path, 0, "%s", pl_store_errmsg(m->st));
		pl__clear_err(m->st);
		return PL_OK;
	}
	if ((s = pl__stmt(m->st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, m->rid);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, size);
	sqlite3_bind_int64(s, 5, mtime_ms > 0 ? mtime_ms : pl__now_ms());
	if ((rc = step_done(m, s, "recording an artifact")) != PL_OK)
		return rc;
	if (sqlite3_changes(m->st->db) > 0) {
		m->s->artifacts++;
		m->added++;
	}
	return PL_OK;
}

int
mli_run_end(struct mli *m)
{
	int rc;

	if (!m->in_run)
		return PL_OK;
	if ((rc = write_run(m)) != PL_OK)
		return rc;
	if (!m->is_new) {
		if (m->added)
			m->s->runs_updated++;
		else
			m->s->runs_unchanged++;
	}
	run_clear(m);
	m->batch_runs++;
	if (!(m->o && m->o->dry_run) && (m->batch_runs >= BATCH_RUNS ||
	    m->batch_points >= BATCH_POINTS))
		return end_batch(m);
	return PL_OK;
}

/* Parents are linked once every run is in: a child may come before its
 * parent in the source's order.  Only runs without a parent yet that
 * name one by mlflow.parentRunId, so a re-import changes nothing. */
static int
link_parents(struct mli *m)
{
	static const char sql[] =
	    "UPDATE runs SET parent_rid = ("
	    "  SELECT p.run_id FROM tags c JOIN tags p "
	    "    ON p.key_id = ?1 AND p.value = c.value "
	    "  WHERE c.run_id = runs.rid AND c.key_id = ?2 LIMIT 1) "
	    "WHERE parent_rid IS NULL AND rid IN "
	    "  (SELECT run_id FROM tags WHERE key_id = ?2)";
	sqlite3_stmt *s;
	int64_t kid;
	int rc;

	rc = pl__key_id(m->st, "mlflow.parentRunId", 0, &kid);
	if (rc == PL_ENOTFOUND) {
		pl__clear_err(m->st);
		return PL_OK;
	}
	if (rc != PL_OK)
		return rc;
	if ((s = pl__stmt(m->st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, m->kid_runid);
	sqlite3_bind_int64(s, 2, kid);
	return step_done(m, s, "linking parent runs");
}

int
pl_mlflow_source_kind(char **path_out, const char *source)
{
	const char *p = source;
	size_t n;
	struct stat sb;
	int kind = 0;

	if (strncmp(p, "sqlite:///", 10) == 0) {
		/* SQLAlchemy's form: sqlite:///rel.db is relative to the
		 * working directory, sqlite:////abs.db absolute.  Many write
		 * sqlite:///abs/x.db meaning /abs/x.db: taken when only that
		 * one exists. */
		p += 10;
		if (*p != '/' && stat(p, &sb) != 0 && stat(p - 1, &sb) == 0)
			p--;
		kind = 'd';
	} else if (strncmp(p, "file://", 7) == 0) {
		p += 7;
		kind = 'f';
	}
	if ((*path_out = strdup(p)) == NULL)
		return 0;
	n = strlen(p);
	if (kind)
		return kind;
	if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 'f';
	if (n > 3 && strcmp(p + n - 3, ".db") == 0)
		return 'd';
	return 0;
}

int
pl_mlflow_import_runs(pl_store *st, const char *source,
    const pl_mlflow_opts *opts, pl_mlflow_stats *stats)
{
	return pl__mlflow_import_runs_then(st, source, opts, stats, NULL,
	    NULL);
}

int
pl__mlflow_import_runs_then(pl_store *st, const char *source,
    const pl_mlflow_opts *opts, pl_mlflow_stats *stats,
    int (*hook)(pl_store *st, void *arg), void *arg)
{
	struct mli m;
	char *path = NULL;
	int kind, rc;

	memset(&m, 0, sizeof m);
	m.st = st;
	m.o = opts;
	m.s = stats;
	m.source = source;
	kind = pl_mlflow_source_kind(&path, source);
	if (path == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	if (kind == 0) {
		struct stat sb;

		rc = stat(path, &sb) == 0 ?
		    pl__err(st, PL_EINVAL, "%s is neither an MLflow file store "
		    "(a directory) nor an MLflow SQLite database (.db)", path) :
		    pl__err(st, PL_ENOTFOUND, "%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (kind == 'f')
		rc = pl__mlflow_read_files(&m, path);
	else
		rc = pl__mlflow_read_sqlite(&m, path);
	if (rc == PL_OK && m.in_tx)
		rc = link_parents(&m);
	if (rc == PL_OK && hook && (rc = begin_batch(&m)) == PL_OK)
		rc = hook(st, arg);
	if (rc == PL_OK && m.in_tx && !(opts && opts->dry_run) &&
	    (stats->runs || stats->runs_updated || stats->experiments ||
	    stats->models || stats->versions || stats->aliases)) {
		char detail[320];

		snprintf(detail, sizeof detail, "%lld experiments, %lld runs "
		    "(%lld topped up), %lld points, %lld artifacts, %lld "
		    "models, %lld model versions, %lld aliases",
		    (long long)stats->experiments, (long long)stats->runs,
		    (long long)stats->runs_updated, (long long)stats->points,
		    (long long)stats->artifacts, (long long)stats->models,
		    (long long)stats->versions, (long long)stats->aliases);
		rc = pl_audit_append(st, "import.mlflow", source, detail);
	}
	if (m.in_tx) {
		if (rc == PL_OK && !(opts && opts->dry_run))
			rc = end_batch(&m);
		else {
			/* A failed batch is undone whole: no half run stays;
			 * the batches before it are kept (a re-import tops
			 * up from there). */
			pl__rollback(st);
			m.in_tx = 0;
		}
	}
	run_clear(&m);
	free(m.params);
	free(m.tags);
	if (m.chunk_ready)
		pl__chunk_dispose(&m.chunk);
	free(path);
	return rc;
}
