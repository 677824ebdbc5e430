/* experiment.c - experiments as records: create, read, rename, tags, soft deletion. */
#include "config.h"
#include "track/experiment.h"

#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/internal.h"
#include "vec.h"

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

/* Inserts or replaces one tag; inside the caller's transaction. */
static int
put_tag(pl_store *st, int64_t id, const char *key, const char *value)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) "
	    "VALUES (?1, ?2, ?3)";
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	if (s == NULL)
		return PL_ERROR;
	if (key == NULL || *key == '\0')
		return pl__err(st, PL_EINVAL, "empty tag key");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, value ? value : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "setting an experiment tag");
	return PL_OK;
}

int
pl_experiment_find(int64_t *out_id, pl_store *st, const char *name)
{
	static const char sql[] = "SELECT id FROM experiments WHERE name = ?1";
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	*out_id = 0;
	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PL_OK;
	if (rc == SQLITE_DONE)
		return pl__err(st, PL_ENOTFOUND, "no experiment named '%s'",
		    name);
	return pl__sqlerr(st, rc, "looking up an experiment");
}

int
pl_experiment_create(int64_t *out_id, pl_store *st, const char *name,
    const char *artifact_location, const pl_kvlist *tags)
{
	static const char ins[] =
	    "INSERT INTO experiments(name, created_ms, updated_ms, "
	    "artifact_location) VALUES (?1, ?2, ?2, ?3)";
	int64_t id;
	sqlite3_stmt *s;
	int rc;

	*out_id = 0;
	if (name == NULL || *name == '\0')
		return pl__err(st, PL_EINVAL, "an experiment needs a name");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	/* Looked up inside the write transaction: two clients creating one
	 * name cannot both pass. */
	if (pl_experiment_find(&id, st, name) == PL_OK) {
		pl__rollback(st);
		return pl__err(st, PL_EEXISTS, "an experiment named '%s' "
		    "already exists", name);
	}
	if ((s = pl__stmt(st, ins)) == NULL) {
		rc = PL_ERROR;
		goto fail;
	}
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, pl__now_ms());
	if (artifact_location && *artifact_location)
		sqlite3_bind_text(s, 3, artifact_location, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "creating an experiment");
		goto fail;
	}
	id = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; tags && i < tags->n; i++)
		if ((rc = put_tag(st, id, tags->items[i].key,
		    tags->items[i].value)) != PL_OK)
			goto fail;
	if ((rc = pl_audit_append(st, "experiment.create", name, NULL)) !=
	    PL_OK)
		goto fail;
	if ((rc = pl__commit(st)) != PL_OK)
		return rc;
	*out_id = id;
	return PL_OK;
fail:
	pl__rollback(st);
	return rc;
}

int
pl_experiment_default(int64_t *out_id, pl_store *st)
{
	int rc = pl_experiment_find(out_id, st, PL_EXPERIMENT_DEFAULT);

	if (rc != PL_ENOTFOUND)
		return rc;
	rc = pl_experiment_create(out_id, st, PL_EXPERIMENT_DEFAULT, NULL,
	    NULL);
	/* Another writer made it between the two calls. */
	if (rc == PL_EEXISTS)
		rc = pl_experiment_find(out_id, st, PL_EXPERIMENT_DEFAULT);
	return rc;
}

void
pl_experiment_rec_free(pl_experiment_rec *e)
{
	if (e == NULL)
		return;
	free(e->name);
	free(e->artifact_location);
	pl_kvlist_free(e->tags);
	free(e);
}

void
pl_experiment_recs_free(pl_experiment_rec **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pl_experiment_rec_free(v[i]);
	free(v);
}

#define REC_COLS "id, name, artifact_location, created_ms, " \
	"coalesce(updated_ms, created_ms), coalesce(deleted_ms, 0)"

static pl_experiment_rec *
rec_from(sqlite3_stmt *s)
{
	pl_experiment_rec *e = calloc(1, sizeof *e);

	if (e == NULL)
		return NULL;
	e->id = sqlite3_column_int64(s, 0);
	e->name = col_dup(s, 1);
	e->artifact_location = col_dup(s, 2);
	e->created_ms = sqlite3_column_int64(s, 3);
	e->updated_ms = sqlite3_column_int64(s, 4);
	e->deleted_ms = sqlite3_column_int64(s, 5);
	e->tags = calloc(1, sizeof *e->tags);
	if (e->name == NULL || e->tags == NULL) {
		pl_experiment_rec_free(e);
		return NULL;
	}
	return e;
}

/* Appends a tag to the record's list (kept sorted by the query). */
static int
rec_add_tag(pl_experiment_rec *e, sqlite3_stmt *s, size_t *cap)
{
	struct pl_kv *kv;

	if (vec_grow(&e->tags->items, cap, e->tags->n, sizeof *kv, 4) < 0)
		return -1;
	kv = &e->tags->items[e->tags->n];
	kv->key = col_dup(s, 1);
	kv->value = col_dup(s, 2);
	e->tags->n++;
	return kv->key && kv->value ? 0 : -1;
}

int
pl_experiment_read(pl_experiment_rec **out, pl_store *st, int64_t id)
{
	static const char sql[] =
	    "SELECT " REC_COLS " FROM experiments WHERE id = ?1";
	static const char tsql[] =
	    "SELECT experiment_id, key, value FROM experiment_tags "
	    "WHERE experiment_id = ?1 ORDER BY key";
	pl_experiment_rec *e = NULL;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	if ((s = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && (e = rec_from(s)) == NULL) {
		sqlite3_reset(s);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return pl__err(st, PL_ENOTFOUND, "no experiment with id %lld",
		    (long long)id);
	if (rc != SQLITE_ROW)
		return pl__sqlerr(st, rc, "reading an experiment");
	if ((s = pl__stmt(st, tsql)) == NULL) {
		pl_experiment_rec_free(e);
		return PL_ERROR;
	}
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (rec_add_tag(e, s, &cap) < 0) {
			sqlite3_reset(s);
			pl_experiment_rec_free(e);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_experiment_rec_free(e);
		return pl__sqlerr(st, rc, "reading experiment tags");
	}
	*out = e;
	return PL_OK;
}

int
pl_experiment_read_all(pl_experiment_rec ***out, size_t *out_n,
    pl_store *st)
{
	static const char sql[] =
	    "SELECT " REC_COLS " FROM experiments ORDER BY id";
	static const char tsql[] =
	    "SELECT experiment_id, key, value FROM experiment_tags "
	    "ORDER BY experiment_id, key";
	pl_experiment_rec **v = NULL;
	size_t n = 0, cap = 0, k = 0, tcap = 0;
	int64_t last = -1;
	sqlite3_stmt *s;
	int rc, began = pl_store_read_begin(st);

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sql)) == NULL) {
		rc = PL_ERROR;
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (vec_grow(&v, &cap, n, sizeof *v, 16) < 0 ||
		    (v[n] = rec_from(s)) == NULL) {
			sqlite3_reset(s);
			rc = pl__err(st, PL_ENOMEM, "out of memory");
			goto done;
		}
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "listing experiments");
		goto done;
	}
	if ((s = pl__stmt(st, tsql)) == NULL) {
		rc = PL_ERROR;
		goto done;
	}
	/* Both lists are in id order: one merge pass. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t eid = sqlite3_column_int64(s, 0);

		while (k < n && v[k]->id < eid)
			k++;
		if (k == n)
			break;
		if (v[k]->id != eid)
			continue;
		if (eid != last) {
			tcap = 0;
			last = eid;
		}
		if (rec_add_tag(v[k], s, &tcap) < 0) {
			sqlite3_reset(s);
			rc = pl__err(st, PL_ENOMEM, "out of memory");
			goto done;
		}
	}
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? PL_OK :
	    pl__sqlerr(st, rc, "reading experiment tags");
done:
	pl_store_read_end(st, began);
	if (rc != PL_OK) {
		pl_experiment_recs_free(v, n);
		return rc;
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

/* Runs one statement binding ?1 = id, ?2 = now, ?3 = text. */
static int
exec_id(pl_store *st, const char *sql, int64_t id, int64_t now,
    const char *text)
{
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	if (text)
		sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "updating an experiment");
	return PL_OK;
}

/* Checks the experiment exists, inside a transaction. */
static int
exists(pl_store *st, int64_t id, int64_t *deleted_ms, char **name)
{
	static const char sql[] =
	    "SELECT coalesce(deleted_ms, 0), name FROM experiments "
	    "WHERE id = ?1";
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*deleted_ms = sqlite3_column_int64(s, 0);
		if (name)
			*name = col_dup(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PL_OK;
	if (rc == SQLITE_DONE)
		return pl__err(st, PL_ENOTFOUND, "no experiment with id %lld",
		    (long long)id);
	return pl__sqlerr(st, rc, "reading an experiment");
}

int
pl_experiment_set_deleted(pl_store *st, int64_t id, int deleted)
{
	static const char del_runs[] =
	    "UPDATE runs SET deleted_ms = ?2 WHERE experiment_id = ?1 AND "
	    "deleted_ms IS NULL";
	static const char del_exp[] =
	    "UPDATE experiments SET deleted_ms = ?2, updated_ms = ?2 "
	    "WHERE id = ?1";
	/* ?2 is the experiment's deletion stamp here. */
	static const char res_runs[] =
	    "UPDATE runs SET deleted_ms = NULL WHERE experiment_id = ?1 AND "
	    "deleted_ms = ?2";
	static const char res_exp[] =
	    "UPDATE experiments SET deleted_ms = NULL, updated_ms = ?2 "
	    "WHERE id = ?1";
	int64_t was = 0, now = pl__now_ms();
	char *name = NULL;
	int rc;

	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = exists(st, id, &was, &name)) != PL_OK)
		goto fail;
	if ((was != 0) == (deleted != 0)) {	/* already so: a replay */
		free(name);
		pl__rollback(st);
		return PL_OK;
	}
	if (deleted) {
		/* A stamp no run of the experiment deleted before has (same
		 * millisecond), or restoring would bring those back too. */
		sqlite3_stmt *s = pl__stmt(st, "SELECT max(?2, coalesce("
		    "max(deleted_ms) + 1, 0)) FROM runs WHERE experiment_id = ?1");

		if (s == NULL) {
			rc = PL_ERROR;
			goto fail;
		}
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, now);
		if (sqlite3_step(s) == SQLITE_ROW)
			now = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	if (deleted)
		rc = exec_id(st, del_runs, id, now, NULL);
	else
		rc = exec_id(st, res_runs, id, was, NULL);
	if (rc == PL_OK)
		rc = exec_id(st, deleted ? del_exp : res_exp, id, now, NULL);
	if (rc == PL_OK)
		rc = pl_audit_append(st, deleted ? "experiment.delete" :
		    "experiment.restore", name, NULL);
	if (rc != PL_OK)
		goto fail;
	free(name);
	return pl__commit(st);
fail:
	free(name);
	pl__rollback(st);
	return rc;
}

int
pl_experiment_rename(pl_store *st, int64_t id, const char *name)
{
	static const char sql[] =
	    "UPDATE experiments SET name = ?3, updated_ms = ?2 WHERE id = ?1";
	int64_t was, other;
	char *old = NULL;
	int rc;

	if (name == NULL || *name == '\0')
		return pl__err(st, PL_EINVAL, "an experiment needs a name");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = exists(st, id, &was, &old)) != PL_OK)
		goto fail;
	if (old && strcmp(old, name) == 0) {	/* a replay */
		free(old);
		pl__rollback(st);
		return PL_OK;
	}
	if (pl_experiment_find(&other, st, name) == PL_OK) {
		rc = pl__err(st, PL_EEXISTS, "an experiment named '%s' "
		    "already exists", name);
		goto fail;
	}
	if ((rc = exec_id(st, sql, id, pl__now_ms(), name)) != PL_OK ||
	    (rc = pl_audit_append(st, "experiment.rename", old, name)) !=
	    PL_OK)
		goto fail;
	free(old);
	return pl__commit(st);
fail:
	free(old);
	pl__rollback(st);
	return rc;
}

int
pl_experiment_set_tag(pl_store *st, int64_t id, const char *key,
    const char *value)
{
	int64_t was;
	int rc;

	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = exists(st, id, &was, NULL)) != PL_OK ||
	    (rc = put_tag(st, id, key, value)) != PL_OK ||
	    (rc = exec_id(st, "UPDATE experiments SET updated_ms = ?2 "
	    "WHERE id = ?1", id, pl__now_ms(), NULL)) != PL_OK) {
		pl__rollback(st);
		return rc;
	}
	return pl__commit(st);
}
