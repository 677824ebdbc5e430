/* model-edit.c - empty models, descriptions, renames and tags of the model registry, each audited. */
#include "config.h"
#include "registry/model-edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/internal.h"
#include "registry/internal.h"
#include "vec.h"

/* The row of version `version` of model mid (version 0: *out = 0). */
static int
mv_row(pl_store *st, int64_t mid, const char *name, int version,
    int64_t *out)
{
	static const char sel[] = "SELECT id FROM model_versions WHERE "
	    "model_id = ?1 AND version = ?2 AND deleted_ms IS NULL";
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if (version == 0)
		return PL_OK;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_int(s, 2, version);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PL_OK;
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "looking up a model version");
	return pl__err(st, PL_ENOTFOUND, "model %s has no version %d", name,
	    version);
}

/* One statement with up to two int64 and two text parameters, then the
 * audit entry; inside the caller's transaction. */
static int
exec4(pl_store *st, const char *sql, int64_t a, const char *t2,
    const char *t3, int64_t b4, const char *what)
{
	sqlite3_stmt *s = pl__stmt(st, sql);

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, a);
	if (t2)
		sqlite3_bind_text(s, 2, t2, -1, SQLITE_TRANSIENT);
	if (t3)
		sqlite3_bind_text(s, 3, t3, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, b4);
	return pl__reg_exec_done(st, s, what);
}

static int
audit(pl_store *st, const char *action, const char *name, int version,
    const char *detail)
{
	char obj[160];

	if (version)
		snprintf(obj, sizeof obj, "%s@%d", name, version);
	else
		snprintf(obj, sizeof obj, "%s", name);
	return pl_audit_append(st, action, obj, detail);
}

/* Stamps the last-update time of the model or version. */
static int
touch(pl_store *st, int64_t mid, int64_t mvid)
{
	if (mvid)
		return exec4(st, "UPDATE model_versions SET updated_ms = ?4 "
		    "WHERE id = ?1", mvid, NULL, NULL, pl__now_ms(),
		    "updating a version");
	return exec4(st, "UPDATE models SET updated_ms = ?4 WHERE id = ?1",
	    mid, NULL, NULL, pl__now_ms(), "updating a model");
}

int
pl_model_create(pl_store *st, const char *name, const char *description)
{
	int64_t mid;
	int rc;

	pl__clear_err(st);
	if (name == NULL || !pl_model_name_valid(name))
		return pl__err(st, PL_EINVAL, "invalid model name '%s' (letters, "
		    "digits, '.', '_', '-'; at most 100; starting with a "
		    "letter or digit)", name ? name : "");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	rc = pl__reg_model_id(st, name, &mid);
	if (rc == PL_OK) {
		rc = pl__err(st, PL_EEXISTS, "Registered Model (name=%s) "
		    "already exists.", name);
		goto fail;
	}
	pl__clear_err(st);
	if (rc != PL_ENOTFOUND)
		goto fail;
	{
		sqlite3_stmt *s = pl__stmt(st, "INSERT INTO models(name, "
		    "description, created_ms, updated_ms) VALUES (?1, ?2, ?3, "
		    "?3)");

		if (s == NULL) {
			rc = PL_ERROR;
			goto fail;
		}
		sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
		if (description && *description)
			sqlite3_bind_text(s, 2, description, -1,
			    SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, pl__now_ms());
		if ((rc = pl__reg_exec_done(st, s, "creating a model")) != PL_OK)
			goto fail;
	}
	if ((rc = audit(st, "model.create", name, 0, description)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_model_describe(pl_store *st, const char *name, int version,
    const char *description)
{
	int64_t mid, mvid;
	int rc;

	pl__clear_err(st);
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK ||
	    (rc = mv_row(st, mid, name, version, &mvid)) != PL_OK)
		goto fail;
	rc = mvid ? exec4(st, "UPDATE model_versions SET description = ?2, "
	    "updated_ms = ?4 WHERE id = ?1", mvid, description, NULL,
	    pl__now_ms(), "describing a version") :
	    exec4(st, "UPDATE models SET description = ?2, updated_ms = ?4 "
	    "WHERE id = ?1", mid, description, NULL, pl__now_ms(),
	    "describing a model");
	if (rc != PL_OK || (rc = audit(st, "model.describe", name, version,
	    description)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_model_rename(pl_store *st, const char *name, const char *new_name)
{
	int64_t mid, other;
	int rc;

	pl__clear_err(st);
	if (new_name == NULL || !pl_model_name_valid(new_name))
		return pl__err(st, PL_EINVAL, "invalid model name '%s'",
		    new_name ? new_name : "");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK)
		goto fail;
	if (strcmp(name, new_name) == 0)	/* a repeated rename */
		return pl__commit(st);
	if (pl__reg_model_id(st, new_name, &other) == PL_OK) {
		rc = pl__err(st, PL_EEXISTS, "Registered Model (name=%s) "
		    "already exists.", new_name);
		goto fail;
	}
	pl__clear_err(st);
	if ((rc = exec4(st, "UPDATE models SET name = ?2, updated_ms = ?4 "
	    "WHERE id = ?1", mid, new_name, NULL, pl__now_ms(),
	    "renaming a model")) != PL_OK ||
	    (rc = audit(st, "model.rename", name, 0, new_name)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_model_delete_empty(pl_store *st, const char *name)
{
	int64_t mid, mvid = 0;
	sqlite3_stmt *s;
	int rc;

	pl__clear_err(st);
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK)
		goto fail;
	if ((s = pl__stmt(st, "SELECT id FROM model_versions WHERE "
	    "model_id = ?1 LIMIT 1")) == NULL) {
		rc = PL_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, mid);
	if (sqlite3_step(s) == SQLITE_ROW)
		mvid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (mvid) {
		rc = pl__err(st, PL_EINVAL, "model %s has versions: plumb's "
		    "registry keeps every version and its history; archive "
		    "them instead (stage Archived)", name);
		goto fail;
	}
	if ((rc = exec4(st, "DELETE FROM model_tags WHERE model_id = ?1",
	    mid, NULL, NULL, 0, "deleting a model")) != PL_OK ||
	    (rc = exec4(st, "DELETE FROM models WHERE id = ?1", mid, NULL,
	    NULL, 0, "deleting a model")) != PL_OK ||
	    (rc = audit(st, "model.delete", name, 0, NULL)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_model_version_delete(pl_store *st, const char *name, int version,
    const char *reason)
{
	int64_t mid, mvid = 0;
	int rc, prod = 0;
	char detail[64];

	pl__clear_err(st);
	if (version <= 0)
		return pl__err(st, PL_EINVAL, "invalid version %d", version);
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK ||
	    (rc = mv_row(st, mid, name, version, &mvid)) != PL_OK ||
	    (rc = pl__reg_holder_of(st, mid, PL_MODEL_PRODUCTION, &prod)) !=
	    PL_OK)
		goto fail;
	/* what production serves is never pulled from under it: promote
	 * another version (or archive this one) first */
	if (prod == version) {
		rc = pl__err(st, PL_EINVAL, "model %s version %d is in "
		    "Production: promote another version or archive it before "
		    "deleting it", name, version);
		goto fail;
	}
	snprintf(detail, sizeof detail, "version %d deleted", version);
	if ((rc = exec4(st, "UPDATE model_versions SET deleted_ms = ?4, "
	    "updated_ms = ?4 WHERE id = ?1", mvid, NULL, NULL, pl__now_ms(),
	    "deleting a model version")) != PL_OK ||
	    (rc = exec4(st, "DELETE FROM model_aliases WHERE mv_id = ?1", mvid,
	    NULL, NULL, 0, "removing a deleted version's aliases")) != PL_OK)
		goto fail;
	{
		struct trans t = { .mid = mid, .version = version,
		    .kind = "delete", .status = "ok", .reason = reason,
		    .detail = detail };

		if ((rc = pl__reg_insert_transition(st, &t, NULL)) != PL_OK)
			goto fail;
	}
	if ((rc = audit(st, "model.version.delete", name, version,
	    reason)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_model_tag_set(pl_store *st, const char *name, int version,
    const char *key, const char *value)
{
	int64_t mid, mvid;
	char *detail = NULL;
	int rc;

	pl__clear_err(st);
	if (key == NULL || *key == '\0')
		return pl__err(st, PL_EINVAL, "a tag needs a key");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK ||
	    (rc = mv_row(st, mid, name, version, &mvid)) != PL_OK)
		goto fail;
	if (value)
		rc = exec4(st, mvid ? "INSERT OR REPLACE INTO "
		    "model_version_tags(mv_id, key, value) VALUES (?1, ?2, ?3)" :
		    "INSERT OR REPLACE INTO model_tags(model_id, key, value) "
		    "VALUES (?1, ?2, ?3)", mvid ? mvid : mid, key, value, 0,
		    "setting a tag");
	else
		rc = exec4(st, mvid ? "DELETE FROM model_version_tags WHERE "
		    "mv_id = ?1 AND key = ?2" : "DELETE FROM model_tags WHERE "
		    "model_id = ?1 AND key = ?2", mvid ? mvid : mid, key, NULL,
		    0, "removing a tag");
	if (rc != PL_OK || (rc = touch(st, mid, mvid)) != PL_OK)
		goto fail;
	if (asprintf(&detail, "%s %s%s%s", value ? "set" : "remove", key,
	    value ? " = " : "", value ? value : "") < 0) {
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto fail;
	}
	rc = audit(st, "model.tag", name, version, detail);
	free(detail);
	if (rc != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_model_tags(pl_kvlist **out, pl_store *st, const char *name, int version)
{
	int64_t mid, mvid;
	pl_kvlist *l;
	size_t cap = 0;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK ||
	    (rc = mv_row(st, mid, name, version, &mvid)) != PL_OK)
		return rc;
	if ((l = calloc(1, sizeof *l)) == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	s = pl__stmt(st, mvid ? "SELECT key, value FROM model_version_tags "
	    "WHERE mv_id = ?1 ORDER BY key" : "SELECT key, value FROM "
	    "model_tags WHERE model_id = ?1 ORDER BY key");
	if (s == NULL) {
		free(l);
		return PL_ERROR;
	}
	sqlite3_bind_int64(s, 1, mvid ? mvid : mid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (vec_grow(&l->items, &cap, l->n, sizeof *l->items, 8) < 0)
			break;
		l->items[l->n].key = strdup((const char *)
		    sqlite3_column_text(s, 0));
		l->items[l->n].value = strdup((const char *)
		    sqlite3_column_text(s, 1));
		l->n++;
		if (!l->items[l->n - 1].key || !l->items[l->n - 1].value)
			break;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_kvlist_free(l);
		return rc == SQLITE_ROW ? pl__err(st, PL_ENOMEM, "out of memory")
		    : pl__sqlerr(st, rc, "listing tags");
	}
	*out = l;
	return PL_OK;
}

int
pl_model_times(int64_t *created_ms, int64_t *updated_ms, pl_store *st,
    const char *name, int version)
{
	static const char model_sql[] =
	    "SELECT m.created_ms, max(coalesce(m.updated_ms, 0), "
	    "  coalesce((SELECT max(created_ms) FROM model_versions v "
	    "    WHERE v.model_id = m.id), 0), "
	    "  coalesce((SELECT max(updated_ms) FROM model_versions v "
	    "    WHERE v.model_id = m.id), 0), "
	    "  coalesce((SELECT max(time_ms) FROM model_transitions t "
	    "    WHERE t.model_id = m.id), 0)) FROM models m WHERE m.id = ?1";
	static const char version_sql[] =
	    "SELECT v.created_ms, max(coalesce(v.updated_ms, 0), "
	    "  coalesce((SELECT max(time_ms) FROM model_transitions t "
	    "    WHERE t.model_id = v.model_id AND t.version = v.version), 0)) "
	    "FROM model_versions v WHERE v.id = ?1";
	int64_t mid, mvid;
	sqlite3_stmt *s;
	int rc;

	*created_ms = *updated_ms = 0;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK ||
	    (rc = mv_row(st, mid, name, version, &mvid)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, mvid ? version_sql : model_sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mvid ? mvid : mid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*created_ms = sqlite3_column_int64(s, 0);
		*updated_ms = sqlite3_column_int64(s, 1);
		if (*updated_ms < *created_ms)
			*updated_ms = *created_ms;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? PL_OK : pl__sqlerr(st, rc, "reading times");
}
