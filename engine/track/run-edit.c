/* run-edit.c - changing runs after the fact: update, soft delete, tag removal, all-or-nothing batches. */
#include "config.h"
#include "track/run.h"

#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/internal.h"

int
pl_run_update(pl_store *st, const char *id, int status, int64_t end_ms,
    const char *name)
{
	/* ?2 the new status or NULL, ?3 the end given, ?4 now, ?5 the name.
	 * A running run has no end; an ended one keeps the end it has
	 * unless a new one is given, and gets now when it has none. */
	static const char sql[] =
	    "UPDATE runs SET status = coalesce(?2, status), "
	    "end_ms = CASE WHEN coalesce(?2, status) = 'running' THEN NULL "
	    "  WHEN ?3 > 0 THEN ?3 ELSE coalesce(end_ms, ?4) END, "
	    "name = coalesce(?5, name) WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	if (status == PL_RUN_LOST || status >= PL_RUN__NSTATUS)
		return pl__err(st, PL_EINVAL, "a run cannot be set to %s",
		    pl_run_status_name((pl_run_status)status));
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sql)) == NULL) {
		pl__rollback(st);
		return PL_ERROR;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (status >= 0)
		sqlite3_bind_text(s, 2, pl_run_status_name(
		    (pl_run_status)status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, end_ms);
	sqlite3_bind_int64(s, 4, pl__now_ms());
	if (name)
		sqlite3_bind_text(s, 5, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "updating a run");
		pl__rollback(st);
		return rc;
	}
	if (sqlite3_changes(st->db) == 0) {
		pl__rollback(st);
		return pl__err(st, PL_ENOTFOUND, "no run %s", id);
	}
	return pl__commit(st);
}

int
pl_run_set_deleted(pl_store *st, const char *id, int deleted)
{
	/* coalesce: deleting twice keeps the first stamp. */
	static const char sql[] =
	    "UPDATE runs SET deleted_ms = CASE WHEN ?2 THEN "
	    "coalesce(deleted_ms, ?3) ELSE NULL END WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sql)) == NULL) {
		pl__rollback(st);
		return PL_ERROR;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, deleted != 0);
	sqlite3_bind_int64(s, 3, pl__now_ms());
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "deleting a run");
		goto fail;
	}
	if (sqlite3_changes(st->db) == 0) {
		rc = pl__err(st, PL_ENOTFOUND, "no run %s", id);
		goto fail;
	}
	if ((rc = pl_audit_append(st, deleted ? "run.delete" : "run.restore",
	    id, NULL)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_run_delete_tag(pl_store *st, const char *id, const char *key)
{
	static const char sql[] =
	    "DELETE FROM tags WHERE run_id = ?1 AND "
	    "key_id = (SELECT id FROM keys WHERE name = ?2)";
	int64_t rid;
	sqlite3_stmt *s;
	int rc;

	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__run_rid(st, id, &rid)) != PL_OK)
		goto fail;
	if ((s = pl__stmt(st, sql)) == NULL) {
		rc = PL_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "deleting a tag");
		goto fail;
	}
	if (sqlite3_changes(st->db) == 0) {
		rc = pl__err(st, PL_ENOTFOUND, "run %s has no tag '%s'", id,
		    key);
		goto fail;
	}
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

/* The rid of a run that may be written: PL_ENOTFOUND when there is no
 * such run, PL_EINVAL when it is deleted (MLflow refuses writes to a
 * deleted run; restore it first). */
int
pl__live_rid(pl_store *st, const char *id, int64_t *out)
{
	static const char sql[] =
	    "SELECT rid, deleted_ms IS NOT NULL FROM runs WHERE id = ?1";
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc, deleted = 0;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		deleted = sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return pl__err(st, PL_ENOTFOUND, "no run %s", id);
	if (rc != SQLITE_ROW)
		return pl__sqlerr(st, rc, "looking up a run");
	if (deleted)
		return pl__err(st, PL_EINVAL, "run %s is deleted: restore it "
		    "before writing to it", id);
	return PL_OK;
}

/* A write-once param: absent -> inserted; same value -> nothing; other
 * value -> PL_EEXISTS. */
static int
put_param(pl_store *st, int64_t rid, const char *key, const char *value)
{
	static const char sel[] =
	    "SELECT value FROM params WHERE run_id = ?1 AND key_id = ?2";
	static const char ins[] =
	    "INSERT INTO params(run_id, key_id, value) VALUES (?1, ?2, ?3)";
	sqlite3_stmt *s;
	int64_t kid;
	int rc;

	if (key == NULL || *key == '\0')
		return pl__err(st, PL_EINVAL, "empty param key");
	if ((rc = pl__key_id(st, key, 1, &kid)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, kid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *old = (const char *)sqlite3_column_text(s, 0);
		int same = old && strcmp(old, value) == 0;

		if (!same)
			rc = pl__err(st, PL_EEXISTS, "param '%s' is already "
			    "'%.200s'; a param is written once and cannot "
			    "become '%.200s'", key, old ? old : "", value);
		sqlite3_reset(s);
		return same ? PL_OK : rc;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "reading a param");
	if ((s = pl__stmt(st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, kid);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "saving a param");
	return PL_OK;
}

static int
put_tag(pl_store *st, int64_t rid, const char *key, const char *value)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO tags(run_id, key_id, value) "
	    "VALUES (?1, ?2, ?3)";
	sqlite3_stmt *s;
	int64_t kid;
	int rc;

	if (key == NULL || *key == '\0')
		return pl__err(st, PL_EINVAL, "empty tag key");
	if ((rc = pl__key_id(st, key, 1, &kid)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, kid);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "saving a tag");
	return PL_OK;
}

/* Index order of a batch's points: by key, then as given. */
static int
cmp_by_key(const void *a, const void *b, void *ctx)
{
	const pl_batch_point *m = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(m[x].key, m[y].key);

	return c ? c : (x < y ? -1 : x > y);
}

/* Writes the points one chunk per key (keys grouped by a sorted index,
 * so a batch of 1000 points over 10 keys costs 10 chunk rows). */
static int
put_points(pl_store *st, int64_t rid, const pl_batch_point *m, size_t nm)
{
	size_t *ix, i = 0;
	int64_t now = pl__now_ms();
	int rc = PL_OK;
	if (nm == 0)
		return PL_OK;
	if ((ix = malloc(nm * sizeof *ix)) == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	for (i = 0; i < nm; i++) {
		if (m[i].key == NULL || *m[i].key == '\0') {
			free(ix);
			return pl__err(st, PL_EINVAL, "empty metric key");
		}
		ix[i] = i;
	}
	if (nm > 1)
		qsort_r(ix, nm, sizeof *ix, cmp_by_key, (void *)m);
	for (i = 0; i < nm && rc == PL_OK;) {
		struct pl__chunk c;
		int64_t kid;
		size_t j = i;

		if ((rc = pl__key_id(st, m[ix[i]].key, 1, &kid)) != PL_OK)
			break;
		pl__chunk_init(&c, kid);
		for (; j < nm && strcmp(m[ix[j]].key, m[ix[i]].key) == 0; j++)
			if ((rc = pl__chunk_add(&c, m[ix[j]].step,
			    m[ix[j]].ts_ms ? m[ix[j]].ts_ms : now,
			    m[ix[j]].value)) != PL_OK) {
				rc = pl__err(st, PL_ENOMEM, "out of memory");
				break;
			}
		/* a replayed request stores nothing twice (the client
		 * retries a POST whose answer it lost) */
		if (rc == PL_OK)
			rc = pl__chunk_drop_known(st, rid, &c);
		if (rc == PL_OK)
			rc = pl__chunk_write(st, rid, &c);
		pl__chunk_dispose(&c);
		i = j;
	}
	free(ix);
	return rc;
}

int
pl_run_log_batch(pl_store *st, const char *id, const pl_batch_point *m,
    size_t nm, const struct pl_kv *params, size_t np, const struct pl_kv *tags,
    size_t nt)
{
	int64_t rid;
	int rc;

	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__live_rid(st, id, &rid)) != PL_OK)
		goto fail;
	for (size_t i = 0; i < np; i++)
		if ((rc = put_param(st, rid, params[i].key,
		    params[i].value ? params[i].value : "")) != PL_OK)
			goto fail;
	for (size_t i = 0; i < nt; i++)
		if ((rc = put_tag(st, rid, tags[i].key,
		    tags[i].value ? tags[i].value : "")) != PL_OK)
			goto fail;
	if ((rc = put_points(st, rid, m, nm)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_runs_log_points(pl_store *st, pl_run_points *v, size_t n)
{
	int rc;

	for (size_t i = 0; i < n; i++)
		v[i].rc = PL_OK;
	if ((rc = pl__begin(st)) != PL_OK)
		goto all;
	for (size_t i = 0; i < n; i++) {
		int64_t rid;
		size_t k;

		if ((v[i].rc = pl__live_rid(st, v[i].run_id, &rid)) != PL_OK)
			continue;
		/* put_points refuses an empty key before writing anything:
		 * checked here so that an entry fails alone, never half. */
		for (k = 0; k < v[i].n && v[i].points[k].key &&
		    *v[i].points[k].key; k++)
			;
		if (k < v[i].n) {
			v[i].rc = pl__err(st, PL_EINVAL, "empty metric key");
			continue;
		}
		if ((rc = put_points(st, rid, v[i].points, v[i].n)) != PL_OK) {
			pl__rollback(st);
			goto all;
		}
	}
	if ((rc = pl__commit(st)) == PL_OK)
		return PL_OK;
all:
	for (size_t i = 0; i < n; i++)
		v[i].rc = rc;
	return rc;
}
