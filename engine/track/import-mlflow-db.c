/* import-mlflow-db.c - reads an MLflow SQLite database (experiments, runs, params, tags, metrics) on a read-only connection of its own. */
#include "config.h"
#include "track/import-mlflow-int.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/internal.h"

/*
 * MLflow's SQL store (mlflow/store/tracking/dbmodels/models.py):
 *   experiments(experiment_id, name, artifact_location, lifecycle_stage,
 *               creation_time, last_update_time)
 *   runs(run_uuid, name, user_id, status 'FINISHED'..., start_time,
 *        end_time, lifecycle_stage, artifact_uri, experiment_id, ...)
 *   params(key, value, run_uuid), tags(key, value, run_uuid)
 *   metrics(key, value, timestamp, run_uuid, step, is_nan)
 * A NaN is stored as 0 with is_nan = 1, an infinity as the largest
 * double of its sign.
 *
 * metrics has no index that starts with run_uuid, so asking for one
 * run's points at a time would scan the table once per run.  Instead
 * runs, params, tags and metrics are each read once, all ordered by
 * run_uuid, and walked side by side like a merge join: one sort of each
 * table in all.
 */

struct cur {
	sqlite3_stmt *s;
	int has;		/* a row is current */
};

static int
cur_next(struct cur *c, sqlite3 *db, pl_store *st)
{
	int rc = sqlite3_step(c->s);

	c->has = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__err(st, PL_EIO, "reading the MLflow database: %s",
		    sqlite3_errmsg(db));
	return PL_OK;
}

static const char *
col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

/* Moves c past the rows of runs before uuid (deleted runs, rows of no
 * run); 1 when its current row belongs to uuid. */
static int
cur_seek(struct cur *c, const char *uuid, sqlite3 *db, pl_store *st,
    int *err)
{
	while (c->has) {
		int d = strcmp(col(c->s, 0), uuid);

		if (d == 0)
			return 1;
		if (d > 0)
			return 0;
		if ((*err = cur_next(c, db, st)) != PL_OK)
			return 0;
	}
	return 0;
}

static int
count(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* The run's artifact directory on this machine, or "" when it has none
 * here: a file: URI or a plain path (relative ones against the
 * database's directory, where `mlflow server` usually ran), and for
 * mlflow-artifacts:/ (the server's proxy) the server's default
 * destination mlartifacts/ beside the database. */
static void
artifact_dir(char *out, size_t len, const char *uri, const char *dbdir)
{
	struct stat sb;
	const char *p = uri;
	int n;

	out[0] = '\0';
	if (strncmp(p, "file://", 7) == 0)
		p += 7;
	if (strncmp(p, "mlflow-artifacts:", 17) == 0) {
		p += 17;
		while (*p == '/')
			p++;
		n = snprintf(out, len, "%s/mlartifacts/%s", dbdir, p);
	} else if (strstr(p, "://") != NULL || *p == '\0')
		return;		/* s3://, gs://, ...: not on this machine */
	else if (*p == '/')
		n = snprintf(out, len, "%s", p);
	else
		n = snprintf(out, len, "%s/%s", dbdir, p);
	if (n < 0 || (size_t)n >= len || stat(out, &sb) != 0 ||
	    !S_ISDIR(sb.st_mode))
		out[0] = '\0';
}

static double
metric_value(sqlite3_stmt *s, int vcol, int nancol)
{
	double v = sqlite3_column_double(s, vcol);

	if (sqlite3_column_int(s, nancol))
		return NAN;
	/* What MLflow stored for an infinity. */
	if (v == DBL_MAX)
		return INFINITY;
	if (v == -DBL_MAX)
		return -INFINITY;
	return v;
}

static int
read_all(struct mli *m, sqlite3 *db, const char *dbdir, const char *dbpath)
{
	static const char q_runs[] =
	    "SELECT r.run_uuid, e.name, r.name, r.user_id, r.status, "
	    "r.start_time, r.end_time, r.artifact_uri "
	    "FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id "
	    "WHERE coalesce(r.lifecycle_stage, 'active') <> 'deleted' "
	    "AND coalesce(e.lifecycle_stage, 'active') <> 'deleted' "
	    "ORDER BY r.run_uuid";
	static const char q_params[] =
	    "SELECT run_uuid, key, value FROM params ORDER BY run_uuid, key";
	static const char q_tags[] =
	    "SELECT run_uuid, key, value FROM tags ORDER BY run_uuid, key";
	/* Within a key, by time then step: MLflow appends, so the points a
	 * later import finds past plumb's count are the new ones. */
	static const char q_metrics[] =
	    "SELECT run_uuid, key, timestamp, step, value, is_nan FROM metrics "
	    "ORDER BY run_uuid, key, timestamp, step, value, is_nan";
	static const char q_exps[] =
	    "SELECT name, creation_time FROM experiments "
	    "WHERE coalesce(lifecycle_stage, 'active') <> 'deleted' "
	    "ORDER BY experiment_id";
	pl_store *st = mli_store(m);
	struct cur runs = { 0 }, params = { 0 }, tags = { 0 }, mets = { 0 };
	sqlite3_stmt *s = NULL;
	int64_t total = 0, done = 0, n;
	int rc = PL_OK;

	/* Deleted experiments with their runs, deleted runs elsewhere. */
	if (count(db, "SELECT count(*) FROM experiments "
	    "WHERE lifecycle_stage = 'deleted'", &n) == 0)
		for (int64_t i = 0; i < n; i++)
			mli_skip_deleted(m, 1, 0);
	if (count(db, "SELECT count(*) FROM runs r JOIN experiments e "
	    "ON e.experiment_id = r.experiment_id "
	    "WHERE e.lifecycle_stage = 'deleted' OR r.lifecycle_stage = "
	    "'deleted'", &n) == 0)
		mli_skip_deleted(m, 0, n);
	if (count(db, "SELECT count(*) FROM runs r JOIN experiments e "
	    "ON e.experiment_id = r.experiment_id "
	    "WHERE coalesce(r.lifecycle_stage, 'active') <> 'deleted' "
	    "AND coalesce(e.lifecycle_stage, 'active') <> 'deleted'",
	    &total) != 0)
		return pl__err(st, PL_EINVAL, "%s: not an MLflow database "
		    "(%s)", dbpath, sqlite3_errmsg(db));
	mli_progress(m, 0, total);

	if (sqlite3_prepare_v2(db, q_exps, -1, &s, NULL) != SQLITE_OK)
		return pl__err(st, PL_EINVAL, "%s: not an MLflow database "
		    "(%s)", dbpath, sqlite3_errmsg(db));
	while (rc == PL_OK && sqlite3_step(s) == SQLITE_ROW)
		rc = mli_exp(m, col(s, 0), sqlite3_column_int64(s, 1));
	sqlite3_finalize(s);
	if (rc != PL_OK)
		return rc;

	if (sqlite3_prepare_v2(db, q_runs, -1, &runs.s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, q_params, -1, &params.s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, q_tags, -1, &tags.s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, q_metrics, -1, &mets.s, NULL) != SQLITE_OK) {
		rc = pl__err(st, PL_EINVAL, "%s: not an MLflow database "
		    "(%s)", dbpath, sqlite3_errmsg(db));
		goto out;
	}
	if ((rc = cur_next(&runs, db, st)) != PL_OK ||
	    (rc = cur_next(&params, db, st)) != PL_OK ||
	    (rc = cur_next(&tags, db, st)) != PL_OK ||
	    (rc = cur_next(&mets, db, st)) != PL_OK)
		goto out;
	while (rc == PL_OK && runs.has) {
		char *uuid = strdup(col(runs.s, 0)), dir[PATH_MAX];
		struct mli_run r;

		if (uuid == NULL) {
			rc = pl__err(st, PL_ENOMEM, "out of memory");
			break;
		}
		memset(&r, 0, sizeof r);
		r.run_id = uuid;
		r.experiment = col(runs.s, 1);
		r.name = col(runs.s, 2);
		r.user = col(runs.s, 3);
		r.status = col(runs.s, 4);
		r.start_ms = sqlite3_column_int64(runs.s, 5);
		r.end_ms = sqlite3_column_int64(runs.s, 6);
		if ((rc = mli_run_begin(m, &r)) != PL_OK) {
			free(uuid);
			break;
		}
		while (cur_seek(&params, uuid, db, st, &rc) && rc == PL_OK) {
			if ((rc = mli_param(m, col(params.s, 1),
			    col(params.s, 2))) != PL_OK)
				break;
			rc = cur_next(&params, db, st);
		}
		while (rc == PL_OK && cur_seek(&tags, uuid, db, st, &rc) &&
		    rc == PL_OK) {
			if ((rc = mli_tag(m, col(tags.s, 1), col(tags.s, 2)))
			    != PL_OK)
				break;
			rc = cur_next(&tags, db, st);
		}
		while (rc == PL_OK && cur_seek(&mets, uuid, db, st, &rc) &&
		    rc == PL_OK) {
			/* A copy of the whole key: the inner loop must stop
			 * exactly where the key changes, whatever its length. */
			char *key = strdup(col(mets.s, 1));

			if (key == NULL) {
				rc = pl__err(st, PL_ENOMEM, "out of memory");
				break;
			}
			if ((rc = mli_metric_begin(m, key)) != PL_OK) {
				free(key);
				break;
			}
			while (rc == PL_OK && mets.has &&
			    strcmp(col(mets.s, 0), uuid) == 0 &&
			    strcmp(col(mets.s, 1), key) == 0) {
				rc = mli_point(m, sqlite3_column_int64(mets.s, 3),
				    sqlite3_column_int64(mets.s, 2),
				    metric_value(mets.s, 4, 5));
				if (rc == PL_OK)
					rc = cur_next(&mets, db, st);
			}
			if (rc == PL_OK)
				rc = mli_metric_end(m);
			free(key);
		}
		if (rc == PL_OK && mli_want_artifacts(m)) {
			artifact_dir(dir, sizeof dir, col(runs.s, 7), dbdir);
			if (dir[0])
				rc = pl__mlflow_walk_artifacts(m, dir);
		}
		if (rc == PL_OK)
			rc = mli_run_end(m);
		mli_progress(m, ++done, total);
		free(uuid);
		if (rc == PL_OK)
			rc = cur_next(&runs, db, st);
	}
out:
	sqlite3_finalize(runs.s);
	sqlite3_finalize(params.s);
	sqlite3_finalize(tags.s);
	sqlite3_finalize(mets.s);
	return rc;
}

static int
open_db(sqlite3 **out, pl_store *st, const char *dbpath)
{
	struct stat sb;

	*out = NULL;
	if (stat(dbpath, &sb) != 0)
		return pl__err(st, PL_ENOTFOUND, "%s: no such database",
		    dbpath);
	/* Read-only, and never created: MLflow may be writing to it. */
	if (sqlite3_open_v2(dbpath, out, SQLITE_OPEN_READONLY, NULL)
	    != SQLITE_OK) {
		int rc = pl__err(st, PL_EIO, "cannot open %s: %s", dbpath,
		    *out ? sqlite3_errmsg(*out) : "out of memory");

		sqlite3_close(*out);
		*out = NULL;
		return rc;
	}
	sqlite3_busy_timeout(*out, 10000);
	return PL_OK;
}

int
pl__mlflow_read_sqlite(struct mli *m, const char *dbpath)
{
	char dbdir[PATH_MAX];
	const char *slash = strrchr(dbpath, '/');
	sqlite3 *db;
	int rc;

	if ((rc = open_db(&db, mli_store(m), dbpath)) != PL_OK)
		return rc;
	if (slash)
		snprintf(dbdir, sizeof dbdir, "%.*s", (int)(slash - dbpath),
		    dbpath);
	else
		snprintf(dbdir, sizeof dbdir, ".");
	if (dbdir[0] == '\0')
		snprintf(dbdir, sizeof dbdir, "/");
	/* One read transaction: every table is read as of one moment, even
	 * while MLflow writes. */
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	rc = read_all(m, db, dbdir, dbpath);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}
