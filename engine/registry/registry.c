/* registry.c - the model registry: register, resolve, read, aliases, history (promotion is promote.c). */
#include "config.h"
#include "registry/registry.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/audit.h"
#include "buf.h"
#include "data/cache.h"
#include "track/metric.h"
#include "store/internal.h"
#include "registry/internal.h"
#include "store/events.h"
#include "vec.h"

int
pl__reg_stage_from_text(const unsigned char *t)
{
	pl_model_stage s;

	if (t && pl_model_stage_parse(&s, (const char *)t) == PL_OK)
		return (int)s;
	return PL_MODEL_NONE;
}

void
pl_data_refs_free(pl_data_ref *d, size_t n)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(d[i].path);
		free(d[i].hash);
	}
	free(d);
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

static void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Runs a cached statement that returns no row. */
int
pl__reg_exec_done(pl_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, what);
	return PL_OK;
}

/* Lists up to 5 model names into b (for "no model X" messages). */
static void
known_models(pl_store *st, struct buf *b)
{
	static const char sel[] = "SELECT name FROM models ORDER BY name "
	    "LIMIT 6";
	sqlite3_stmt *s = pl__stmt(st, sel);
	int n = 0;

	if (s == NULL)
		return;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n == 5) {
			buf_puts(b, ", ...");
			break;
		}
		buf_printf(b, "%s%s", n++ ? ", " : "",
		    (const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_reset(s);
	if (n == 0)
		buf_puts(b, "none registered yet");
}

/* Model id by name; PL_ENOTFOUND with a message naming the models. */
int
pl__reg_model_id(pl_store *st, const char *name, int64_t *out)
{
	static const char sel[] = "SELECT id FROM models WHERE name = ?1";
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return PL_OK;
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "looking up a model");
	{
		struct buf b = BUF_INIT;

		known_models(st, &b);
		pl__err(st, PL_ENOTFOUND, "no model named '%s' (models: %s)",
		    name, buf_str(&b));
		buf_free(&b);
	}
	return PL_ENOTFOUND;
}

/* Row id of model_id's version; PL_ENOTFOUND explained. */
static int
version_row(pl_store *st, int64_t mid, const char *name, int version,
    int64_t *out)
{
	static const char sel[] = "SELECT id FROM model_versions WHERE "
	    "model_id = ?1 AND version = ?2 AND deleted_ms IS NULL";
	static const char range[] = "SELECT min(version), max(version) FROM "
	    "model_versions WHERE model_id = ?1 AND deleted_ms IS NULL";
	sqlite3_stmt *s;
	int rc;

	*out = 0;
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
	if ((s = pl__stmt(st, range)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		pl__err(st, PL_ENOTFOUND, "model %s has no version %d "
		    "(versions %d to %d)", name, version,
		    sqlite3_column_int(s, 0), sqlite3_column_int(s, 1));
	else
		pl__err(st, PL_ENOTFOUND, "model %s has no version %d", name,
		    version);
	sqlite3_reset(s);
	return PL_ENOTFOUND;
}

static int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Valid alias: a model-name-like word that is not a reserved ref. */
static int
alias_valid(const char *a)
{
	pl_model_stage s;

	if (!pl_model_name_valid(a) || !strcasecmp(a, "latest") ||
	    pl_model_stage_parse(&s, a) == PL_OK || is_number(a) ||
	    ((a[0] == 'v' || a[0] == 'V') && is_number(a + 1)))
		return 0;
	return 1;
}

int
pl_model_ref_split(char **out_name, char **out_ref, const char *text)
{
	const char *at = strchr(text, '@');

	*out_name = *out_ref = NULL;
	*out_name = at ? strndup(text, (size_t)(at - text)) : strdup(text);
	if (*out_name == NULL)
		return PL_ENOMEM;
	if (at && (*out_ref = strdup(at + 1)) == NULL) {
		free(*out_name);
		*out_name = NULL;
		return PL_ENOMEM;
	}
	if (!pl_model_name_valid(*out_name)) {
		free(*out_name);
		free(*out_ref);
		*out_name = *out_ref = NULL;
		return PL_EINVAL;
	}
	return PL_OK;
}

int
pl_model_resolve(int *out_version, pl_store *st, const char *name,
    const char *ref)
{
	static const char latest[] = "SELECT max(version) FROM model_versions "
	    "WHERE model_id = ?1 AND deleted_ms IS NULL";
	static const char bystage[] = "SELECT max(version) FROM "
	    "model_versions WHERE model_id = ?1 AND stage = ?2 AND "
	    "deleted_ms IS NULL";
	static const char byalias[] = "SELECT v.version FROM model_aliases a "
	    "JOIN model_versions v ON v.id = a.mv_id WHERE a.model_id = ?1 "
	    "AND a.alias = ?2";
	int64_t mid, row;
	sqlite3_stmt *s;
	pl_model_stage stage;
	int rc, v = 0;

	*out_version = 0;
	pl__clear_err(st);
	if (!pl_model_name_valid(name))
		return pl__err(st, PL_EINVAL, "invalid model name '%s' (letters, "
		    "digits, '.', '_', '-'; at most 100)", name ? name : "");
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK)
		return rc;
	if (ref == NULL || *ref == '\0' || !strcasecmp(ref, "latest")) {
		s = pl__stmt(st, latest);
	} else if (is_number(ref) || ((ref[0] == 'v' || ref[0] == 'V') &&
	    is_number(ref + 1))) {
		const char *d = isdigit((unsigned char)ref[0]) ? ref : ref + 1;
		long n = strlen(d) > 9 ? -1 : strtol(d, NULL, 10);

		if (n <= 0)
			return pl__err(st, PL_ENOTFOUND, "model %s has no "
			    "version %s", name, ref);
		if ((rc = version_row(st, mid, name, (int)n, &row)) != PL_OK)
			return rc;
		*out_version = (int)n;
		return PL_OK;
	} else if (pl_model_stage_parse(&stage, ref) == PL_OK) {
		if ((s = pl__stmt(st, bystage)) != NULL)
			sqlite3_bind_text(s, 2, pl_model_stage_name(stage), -1,
			    SQLITE_STATIC);
	} else {
		if ((s = pl__stmt(st, byalias)) != NULL)
			sqlite3_bind_text(s, 2, ref, -1, SQLITE_TRANSIENT);
	}
	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "resolving a model version");
	if (v > 0) {
		*out_version = v;
		return PL_OK;
	}
	if (ref == NULL || *ref == '\0' || !strcasecmp(ref, "latest"))
		return pl__err(st, PL_ENOTFOUND, "model %s has no versions",
		    name);
	if (pl_model_stage_parse(&stage, ref) == PL_OK)
		return pl__err(st, PL_ENOTFOUND, "no version of %s is in %s",
		    name, pl_model_stage_name(stage));
	return pl__err(st, PL_ENOTFOUND, "model %s has no version, stage or "
	    "alias '%s' (stages: none, staging, production, archived)", name,
	    ref);
}

/* ---- transitions ---- */


/* Inserts a history entry (inside the caller's transaction). */
int
pl__reg_insert_transition(pl_store *st, const struct trans *t, int64_t *out_id)
{
	static const char ins[] =
	    "INSERT INTO model_transitions(model_id, version, kind, "
	    "from_stage, to_stage, status, replaced_version, forced, reason, "
	    "detail, user, uid, host, ssh_client, pid, time_ms) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16)";
	static const char gins[] =
	    "INSERT INTO transition_gates(transition_id, seq, check_name, "
	    "gate, status, value, bound, message) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	sqlite3_stmt *s;
	pl_actor a;
	int64_t id;
	int rc;

	pl_store_actor(st, &a);
	if ((s = pl__stmt(st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, t->mid);
	sqlite3_bind_int(s, 2, t->version);
	sqlite3_bind_text(s, 3, t->kind, -1, SQLITE_STATIC);
	bind_opt(s, 4, t->from);
	bind_opt(s, 5, t->to);
	sqlite3_bind_text(s, 6, t->status, -1, SQLITE_STATIC);
	if (t->replaced > 0)
		sqlite3_bind_int(s, 7, t->replaced);
	sqlite3_bind_int(s, 8, t->forced);
	bind_opt(s, 9, t->reason);
	bind_opt(s, 10, t->detail);
	sqlite3_bind_text(s, 11, a.user, -1, SQLITE_TRANSIENT);
	if (a.uid >= 0)
		sqlite3_bind_int64(s, 12, a.uid);
	sqlite3_bind_text(s, 13, a.host, -1, SQLITE_TRANSIENT);
	bind_opt(s, 14, a.ssh_client[0] ? a.ssh_client : NULL);
	sqlite3_bind_int64(s, 15, a.pid);
	sqlite3_bind_int64(s, 16, pl__now_ms());
	if ((rc = pl__reg_exec_done(st, s, "recording a model transition")) != PL_OK)
		return rc;
	id = sqlite3_last_insert_rowid(st->db);
	if (out_id)
		*out_id = id;
	for (size_t i = 0; i < t->ngates; i++) {
		const pl_gate_record *it = &t->gates[i];

		if ((s = pl__stmt(st, gins)) == NULL)
			return PL_ERROR;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_text(s, 3, it->check, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, it->gate, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, it->status, -1, SQLITE_STATIC);
		if (it->has_value && !isnan(it->value))
			sqlite3_bind_double(s, 6, it->value);
		if (it->has_bound && !isnan(it->bound))
			sqlite3_bind_double(s, 7, it->bound);
		bind_opt(s, 8, it->message);
		if ((rc = pl__reg_exec_done(st, s, "recording gate results")) != PL_OK)
			return rc;
	}
	return PL_OK;
}

/* ---- register ---- */

/* The artifact: a run's logged artifact by name, or a file to cache. */
static int
find_artifact(pl_store *st, const char *run, const char *path,
    char hash[PL_HASH_HEX], int64_t *size)
{
	pl_artifact *a = NULL;
	size_t na = 0;
	struct stat sb;
	int rc;

	/* What the run logged wins over the working tree's file of the same
	 * name: a later run may have overwritten that file since. */
	if (run) {
		if ((rc = pl_run_artifacts(&a, &na, st, run)) != PL_OK)
			return rc;
		for (size_t i = 0; i < na; i++) {
			char *obj;
			int there;

			if (strcmp(a[i].path, path))
				continue;
			obj = pl_cache_object_path(st, a[i].sha256);
			there = obj && access(obj, R_OK) == 0;
			free(obj);
			if (there) {
				memcpy(hash, a[i].sha256, PL_HASH_HEX);
				*size = a[i].size;
				pl_artifact_list_free(a, na);
				return PL_OK;
			}
		}
		pl_artifact_list_free(a, na);
	}
	if (stat(path, &sb) != 0) {
		if (run)
			return pl__err(st, PL_ENOTFOUND, "no file '%s', and run "
			    "%.12s logged no artifact by that name", path, run);
		return pl__err(st, PL_ENOTFOUND, "no file '%s': %s", path,
		    strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return pl__err(st, PL_EINVAL, "'%s' is not a regular file "
		    "(a model artifact is one file; archive a directory "
		    "first)", path);
	return pl_cache_put_file(hash, size, st, path);
}

int
pl_model_register(int *out_version, pl_store *st, const pl_model_reg *r)
{
	static const char ins_model[] = "INSERT INTO models(name, "
	    "description, created_ms) VALUES (?1, ?2, ?3)";
	static const char next_v[] = "SELECT coalesce(max(version), 0) + 1 "
	    "FROM model_versions WHERE model_id = ?1";
	static const char ins_v[] =
	    "INSERT INTO model_versions(model_id, version, stage, run_rid, "
	    "source_path, sha256, size, description, git_commit, git_branch, "
	    "git_dirty, git_diff_hash, user, host, created_ms) VALUES "
	    "(?1, ?2, 'none', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14)";
	static const char ins_p[] = "INSERT INTO model_params(mv_id, key, "
	    "value) VALUES (?1, ?2, ?3)";
	static const char ins_m[] = "INSERT INTO model_metrics(mv_id, key, "
	    "value) VALUES (?1, ?2, ?3)";
	static const char ins_d[] = "INSERT OR REPLACE INTO model_data(mv_id, "
	    "path, hash, size) VALUES (?1, ?2, ?3, ?4)";
	char run[PL_ID_LEN + 1] = "", hash[PL_HASH_HEX], obj[128];
	pl_run_info *ri = NULL;
	pl_kvlist *params = NULL;
	pl_metric_summary *m = NULL;
	size_t nm = 0;
	int64_t size = 0, mid = 0, run_rid = 0, mvid;
	int version = 0, rc;
	sqlite3_stmt *s;

	*out_version = 0;
	pl__clear_err(st);
	if (r == NULL || !pl_model_name_valid(r->name))
		return pl__err(st, PL_EINVAL, "invalid model name '%s' (letters, "
		    "digits, '.', '_', '-'; at most 100; starting with a "
		    "letter or digit)", r && r->name ? r->name : "");
	if (r->path == NULL || *r->path == '\0')
		return pl__err(st, PL_EINVAL, "a model version needs an "
		    "artifact path");
	if (r->run) {
		if ((rc = pl_run_resolve(run, st, r->run)) != PL_OK)
			return rc;
		if ((rc = pl_run_get(&ri, st, run)) != PL_OK ||
		    (rc = pl_run_params(&params, st, run)) != PL_OK ||
		    (rc = pl_metric_summaries(&m, &nm, st, run)) != PL_OK ||
		    (rc = pl__run_rid(st, run, &run_rid)) != PL_OK)
			goto out;
	}
	if (r->object_sha256) {
		char *o = pl_cache_object_path(st, r->object_sha256);
		int there = pl_hash_valid(r->object_sha256) && o &&
		    access(o, R_OK) == 0;

		free(o);
		if (!there) {
			rc = pl__err(st, PL_ENOTFOUND, "no object %.12s in the "
			    "cache", r->object_sha256);
			goto out;
		}
		memcpy(hash, r->object_sha256, PL_HASH_HEX);
		size = r->object_size;
	} else if ((rc = find_artifact(st, run[0] ? run : NULL, r->path, hash,
	    &size)) != PL_OK)
		goto out;
	if ((rc = pl__begin(st)) != PL_OK)
		goto out;
	rc = pl__reg_model_id(st, r->name, &mid);
	if (rc == PL_ENOTFOUND) {
		pl__clear_err(st);
		if ((s = pl__stmt(st, ins_model)) == NULL)
			goto fail;
		sqlite3_bind_text(s, 1, r->name, -1, SQLITE_TRANSIENT);
		bind_opt(s, 2, r->description);
		sqlite3_bind_int64(s, 3, pl__now_ms());
		if ((rc = pl__reg_exec_done(st, s, "creating a model")) != PL_OK)
			goto fail;
		mid = sqlite3_last_insert_rowid(st->db);
	} else if (rc != PL_OK) {
		goto fail;
	}
	if ((s = pl__stmt(st, next_v)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, mid);
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (version <= 0) {
		rc = pl__err(st, PL_ERROR, "cannot number the new version");
		goto fail;
	}
	if ((s = pl__stmt(st, ins_v)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_int(s, 2, version);
	if (run_rid)
		sqlite3_bind_int64(s, 3, run_rid);
	sqlite3_bind_text(s, 4, r->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, size);
	bind_opt(s, 7, r->description);
	if (ri) {
		bind_opt(s, 8, ri->git.commit);
		bind_opt(s, 9, ri->git.branch);
		if (ri->git.dirty >= 0)
			sqlite3_bind_int(s, 10, ri->git.dirty);
		bind_opt(s, 11, ri->git.diff_hash);
	}
	sqlite3_bind_text(s, 12, pl__actor_user(st), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 13, pl__hostname(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 14, pl__now_ms());
	if ((rc = pl__reg_exec_done(st, s, "registering a model version")) != PL_OK)
		goto fail;
	mvid = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; params && i < params->n; i++) {
		if ((s = pl__stmt(st, ins_p)) == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, mvid);
		sqlite3_bind_text(s, 2, params->items[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, params->items[i].value, -1,
		    SQLITE_STATIC);
		if ((rc = pl__reg_exec_done(st, s, "recording params")) != PL_OK)
			goto fail;
	}
	for (size_t i = 0; i < nm; i++) {
		if ((s = pl__stmt(st, ins_m)) == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, mvid);
		sqlite3_bind_text(s, 2, m[i].key, -1, SQLITE_STATIC);
		if (!isnan(m[i].last))
			sqlite3_bind_double(s, 3, m[i].last);
		if ((rc = pl__reg_exec_done(st, s, "recording metrics")) != PL_OK)
			goto fail;
	}
	for (size_t i = 0; r->data && i < r->ndata; i++) {
		if (r->data[i].path == NULL)
			continue;
		if ((s = pl__stmt(st, ins_d)) == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, mvid);
		sqlite3_bind_text(s, 2, r->data[i].path, -1, SQLITE_STATIC);
		bind_opt(s, 3, r->data[i].hash);
		if (r->data[i].size >= 0)
			sqlite3_bind_int64(s, 4, r->data[i].size);
		if ((rc = pl__reg_exec_done(st, s, "recording data versions")) != PL_OK)
			goto fail;
	}
	{
		struct trans t = { .mid = mid, .version = version,
		    .kind = "register", .to = "none", .status = "ok",
		    .reason = r->description };

		if ((rc = pl__reg_insert_transition(st, &t, NULL)) != PL_OK)
			goto fail;
	}
	snprintf(obj, sizeof obj, "%s@%d", r->name, version);
	{
		char *detail = NULL;

		if (asprintf(&detail, "artifact %s sha256 %s%s%s", r->path,
		    hash, run[0] ? " run " : "", run) < 0) {
			rc = pl__err(st, PL_ENOMEM, "out of memory");
			goto fail;
		}
		rc = pl_audit_append(st, "model.register", obj, detail);
		if (rc == PL_OK)
			rc = pl_event_append(st, 0, "register", NULL, r->name,
			    version, detail);
		free(detail);
		if (rc != PL_OK)
			goto fail;
	}
	if ((rc = pl__commit(st)) != PL_OK)
		goto out;
	*out_version = version;
	rc = PL_OK;
	goto out;
fail:
	if (rc == PL_OK)
		rc = PL_ERROR;
	pl__rollback(st);
out:
	pl_run_info_free(ri);
	pl_kvlist_free(params);
	pl_metric_summary_free(m, nm);
	return rc;
}

/* ---- reading ---- */

void
pl_model_version_free(pl_model_version *v)
{
	if (v == NULL)
		return;
	free(v->model);
	free(v->description);
	free(v->source_path);
	free(v->object_path);
	pl_gitinfo_dispose(&v->git);
	free(v->user);
	free(v->host);
	for (size_t i = 0; i < v->naliases; i++)
		free(v->aliases[i]);
	free(v->aliases);
	pl_kvlist_free(v->params);
	for (size_t i = 0; i < v->nmetrics; i++)
		free(v->metrics[i].key);
	free(v->metrics);
	pl_data_refs_free(v->data, v->ndata);
	free(v);
}

int
pl_model_metric_value(double *out, const pl_model_version *v,
    const char *key)
{
	for (size_t i = 0; i < v->nmetrics; i++)
		if (!strcmp(v->metrics[i].key, key)) {
			*out = v->metrics[i].value;
			return 1;
		}
	return 0;
}

int
pl_model_get(pl_model_version **out, pl_store *st, const char *name,
    int version)
{
	static const char sel[] =
	    "SELECT v.id, v.stage, v.description, r.id, v.source_path, "
	    "v.sha256, v.size, v.git_commit, v.git_branch, v.git_dirty, "
	    "v.git_diff_hash, v.user, v.host, v.created_ms FROM "
	    "model_versions v LEFT JOIN runs r ON r.rid = v.run_rid "
	    "WHERE v.id = ?1";
	static const char sel_a[] = "SELECT alias FROM model_aliases WHERE "
	    "mv_id = ?1 ORDER BY alias";
	static const char sel_p[] = "SELECT key, value FROM model_params "
	    "WHERE mv_id = ?1 ORDER BY key";
	static const char sel_m[] = "SELECT key, value FROM model_metrics "
	    "WHERE mv_id = ?1 ORDER BY key";
	static const char sel_d[] = "SELECT path, hash, size FROM model_data "
	    "WHERE mv_id = ?1 ORDER BY path";
	pl_model_version *v;
	int64_t mid, row;
	sqlite3_stmt *s;
	int rc;
	size_t cap;

	*out = NULL;
	pl__clear_err(st);
	if (!pl_model_name_valid(name))
		return pl__err(st, PL_EINVAL, "invalid model name '%s'",
		    name ? name : "");
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK ||
	    (rc = version_row(st, mid, name, version, &row)) != PL_OK)
		return rc;
	if ((v = calloc(1, sizeof *v)) == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	v->git.dirty = -1;
	v->model = strdup(name);
	v->version = version;
	if ((s = pl__stmt(st, sel)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, row);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		pl__sqlerr(st, rc, "reading a model version");
		goto fail;
	}
	v->stage = (pl_model_stage)pl__reg_stage_from_text(sqlite3_column_text(s, 1));
	v->description = col_dup(s, 2);
	if (sqlite3_column_text(s, 3))
		snprintf(v->run_id, sizeof v->run_id, "%s",
		    (const char *)sqlite3_column_text(s, 3));
	v->source_path = col_dup(s, 4);
	snprintf(v->sha256, sizeof v->sha256, "%s",
	    (const char *)sqlite3_column_text(s, 5));
	v->size = sqlite3_column_int64(s, 6);
	v->git.commit = col_dup(s, 7);
	v->git.branch = col_dup(s, 8);
	if (sqlite3_column_type(s, 9) != SQLITE_NULL)
		v->git.dirty = sqlite3_column_int(s, 9);
	v->git.diff_hash = col_dup(s, 10);
	v->user = col_dup(s, 11);
	v->host = col_dup(s, 12);
	v->created_ms = sqlite3_column_int64(s, 13);
	sqlite3_reset(s);
	v->object_path = pl_cache_object_path(st, v->sha256);
	/* aliases */
	if ((s = pl__stmt(st, sel_a)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, row);
	cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (v->naliases == cap) {
			char **na;

			cap = cap ? cap * 2 : 4;
			if ((na = realloc(v->aliases, cap * sizeof *na)) == NULL)
				break;
			v->aliases = na;
		}
		v->aliases[v->naliases++] = col_dup(s, 0);
	}
	sqlite3_reset(s);
	/* params */
	if ((v->params = calloc(1, sizeof *v->params)) == NULL ||
	    (s = pl__stmt(st, sel_p)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, row);
	cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (vec_grow(&v->params->items, &cap, v->params->n,
		    sizeof *v->params->items, 16) < 0)
			break;
		v->params->items[v->params->n].key = col_dup(s, 0);
		v->params->items[v->params->n++].value = col_dup(s, 1);
	}
	sqlite3_reset(s);
	/* metrics */
	if ((s = pl__stmt(st, sel_m)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, row);
	cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (vec_grow(&v->metrics, &cap, v->nmetrics,
		    sizeof *v->metrics, 16) < 0)
			break;
		v->metrics[v->nmetrics].key = col_dup(s, 0);
		v->metrics[v->nmetrics++].value =
		    sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN :
		    sqlite3_column_double(s, 1);
	}
	sqlite3_reset(s);
	/* data */
	if ((s = pl__stmt(st, sel_d)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, row);
	cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (v->ndata == cap) {
			pl_data_ref *nd;

			cap = cap ? cap * 2 : 8;
			if ((nd = realloc(v->data, cap * sizeof *nd)) == NULL)
				break;
			v->data = nd;
		}
		v->data[v->ndata].path = col_dup(s, 0);
		v->data[v->ndata].hash = col_dup(s, 1);
		v->data[v->ndata++].size =
		    sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	*out = v;
	return PL_OK;
fail:
	pl_model_version_free(v);
	if (st->errmsg[0] == '\0')
		pl__err(st, PL_ENOMEM, "out of memory");
	return PL_ERROR;
}

void
pl_model_summary_free(pl_model_summary *m, size_t n)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].description);
	}
	free(m);
}

int
pl_model_list(pl_model_summary **out, size_t *out_n, pl_store *st)
{
	static const char sel[] =
	    "SELECT m.name, m.description, count(v.id), max(v.version), "
	    "max(CASE WHEN v.stage = 'production' THEN v.version END), "
	    "max(CASE WHEN v.stage = 'staging' THEN v.version END), "
	    "m.created_ms, max(v.created_ms), "
	    "(SELECT max(time_ms) FROM model_transitions t WHERE "
	    "  t.model_id = m.id) "
	    "FROM models m LEFT JOIN model_versions v ON v.model_id = m.id "
	    "  AND v.deleted_ms IS NULL "
	    "GROUP BY m.id ORDER BY m.name";
	pl_model_summary *v = NULL, *nv;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = nv;
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = col_dup(s, 0);
		v[n].description = col_dup(s, 1);
		v[n].nversions = sqlite3_column_int(s, 2);
		v[n].latest = sqlite3_column_int(s, 3);
		v[n].production = sqlite3_column_int(s, 4);
		v[n].staging = sqlite3_column_int(s, 5);
		v[n].created_ms = sqlite3_column_int64(s, 6);
		v[n].updated_ms = sqlite3_column_int64(s, 8);
		if (sqlite3_column_int64(s, 7) > v[n].updated_ms)
			v[n].updated_ms = sqlite3_column_int64(s, 7);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_model_summary_free(v, n);
		return pl__sqlerr(st, rc, "listing models");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

int
pl_model_versions(int **out, size_t *out_n, pl_store *st, const char *name)
{
	static const char sel[] = "SELECT version FROM model_versions WHERE "
	    "model_id = ?1 AND deleted_ms IS NULL ORDER BY version";
	int64_t mid;
	int *v = NULL, *nv;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = nv;
		}
		v[n++] = sqlite3_column_int(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return pl__sqlerr(st, rc, "listing versions");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

int
pl__reg_holder_of(pl_store *st, int64_t mid, pl_model_stage stage, int *out)
{
	static const char sel[] = "SELECT max(version) FROM model_versions "
	    "WHERE model_id = ?1 AND stage = ?2 AND deleted_ms IS NULL";
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_text(s, 2, pl_model_stage_name(stage), -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return pl__sqlerr(st, rc, "reading stage holders");
	return PL_OK;
}

int
pl_model_stage_holder(int *out, pl_store *st, const char *name,
    pl_model_stage stage)
{
	int64_t mid;
	int rc;

	*out = 0;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK)
		return rc;
	return pl__reg_holder_of(st, mid, stage, out);
}

int
pl_model_set_alias(pl_store *st, const char *name, const char *alias,
    int version, const char *reason)
{
	static const char del[] = "DELETE FROM model_aliases WHERE "
	    "model_id = ?1 AND alias = ?2";
	static const char cur[] = "SELECT v.version FROM model_aliases a JOIN "
	    "model_versions v ON v.id = a.mv_id WHERE a.model_id = ?1 AND "
	    "a.alias = ?2";
	static const char ins[] = "INSERT INTO model_aliases(model_id, alias, "
	    "mv_id) VALUES (?1, ?2, ?3)";
	int64_t mid, row = 0;
	int rc, prev = 0;
	sqlite3_stmt *s;
	char obj[160], detail[200];

	pl__clear_err(st);
	if (alias == NULL || !alias_valid(alias))
		return pl__err(st, PL_EINVAL, "invalid alias '%s' (letters, "
		    "digits, '.', '_', '-'; not a number, a stage name or "
		    "'latest')", alias ? alias : "");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK ||
	    (version > 0 && (rc = version_row(st, mid, name, version,
	    &row)) != PL_OK))
		goto fail;
	if ((s = pl__stmt(st, cur)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_text(s, 2, alias, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		prev = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (version <= 0 && prev == 0) {
		rc = pl__err(st, PL_ENOTFOUND, "model %s has no alias '%s'",
		    name, alias);
		goto fail;
	}
	if ((s = pl__stmt(st, del)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_text(s, 2, alias, -1, SQLITE_TRANSIENT);
	if ((rc = pl__reg_exec_done(st, s, "removing an alias")) != PL_OK)
		goto fail;
	if (version > 0) {
		if ((s = pl__stmt(st, ins)) == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, mid);
		sqlite3_bind_text(s, 2, alias, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, row);
		if ((rc = pl__reg_exec_done(st, s, "setting an alias")) != PL_OK)
			goto fail;
	}
	if (version > 0 && prev > 0 && prev != version)
		snprintf(detail, sizeof detail, "alias %s moved from v%d",
		    alias, prev);
	else if (version > 0)
		snprintf(detail, sizeof detail, "alias %s", alias);
	else
		snprintf(detail, sizeof detail, "alias %s removed", alias);
	{
		struct trans t = { .mid = mid,
		    .version = version > 0 ? version : prev,
		    .kind = version > 0 ? "alias" : "alias-remove",
		    .status = "ok", .reason = reason, .detail = detail,
		    .replaced = version > 0 && prev != version ? prev : 0 };

		if ((rc = pl__reg_insert_transition(st, &t, NULL)) != PL_OK)
			goto fail;
	}
	snprintf(obj, sizeof obj, "%s@%d", name, version > 0 ? version : prev);
	if ((rc = pl_audit_append(st, version > 0 ? "model.alias" :
	    "model.alias.remove", obj, detail)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	if (rc == PL_OK)
		rc = PL_ERROR;
	pl__rollback(st);
	return rc;
}

/* ---- history ---- */

void
pl_model_history_free(pl_model_transition *t, size_t n)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(t[i].model);
		free(t[i].kind);
		free(t[i].from_stage);
		free(t[i].to_stage);
		free(t[i].status);
		free(t[i].reason);
		free(t[i].detail);
		free(t[i].user);
		free(t[i].host);
		free(t[i].ssh_client);
		for (size_t g = 0; g < t[i].ngates; g++) {
			free(t[i].gates[g].check);
			free(t[i].gates[g].gate);
			free(t[i].gates[g].status);
			free(t[i].gates[g].message);
		}
		free(t[i].gates);
	}
	free(t);
}

int
pl_model_history(pl_model_transition **out, size_t *out_n, pl_store *st,
    const char *name)
{
	static const char sel[] =
	    "SELECT id, version, kind, from_stage, to_stage, status, "
	    "replaced_version, forced, reason, detail, user, uid, host, "
	    "ssh_client, pid, time_ms FROM model_transitions WHERE "
	    "model_id = ?1 ORDER BY id";
	static const char gsel[] =
	    "SELECT check_name, gate, status, value, bound, message FROM "
	    "transition_gates WHERE transition_id = ?1 ORDER BY seq";
	pl_model_transition *v = NULL, *nv;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int64_t mid;
	int rc;

	*out = NULL;
	*out_n = 0;
	pl__clear_err(st);
	if ((rc = pl__reg_model_id(st, name, &mid)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pl_model_transition *t;

		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = nv;
		}
		t = &v[n++];
		memset(t, 0, sizeof *t);
		t->id = sqlite3_column_int64(s, 0);
		t->model = strdup(name);
		t->version = sqlite3_column_int(s, 1);
		t->kind = col_dup(s, 2);
		t->from_stage = col_dup(s, 3);
		t->to_stage = col_dup(s, 4);
		t->status = col_dup(s, 5);
		t->replaced_version = sqlite3_column_int(s, 6);
		t->forced = sqlite3_column_int(s, 7);
		t->reason = col_dup(s, 8);
		t->detail = col_dup(s, 9);
		t->user = col_dup(s, 10);
		t->uid = sqlite3_column_type(s, 11) == SQLITE_NULL ? -1 :
		    (long)sqlite3_column_int64(s, 11);
		t->host = col_dup(s, 12);
		t->ssh_client = col_dup(s, 13);
		t->pid = (long)sqlite3_column_int64(s, 14);
		t->time_ms = sqlite3_column_int64(s, 15);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_model_history_free(v, n);
		return pl__sqlerr(st, rc, "reading model history");
	}
	for (size_t i = 0; i < n; i++) {
		size_t gcap = 0;

		if ((s = pl__stmt(st, gsel)) == NULL) {
			pl_model_history_free(v, n);
			return PL_ERROR;
		}
		sqlite3_bind_int64(s, 1, v[i].id);
		while (sqlite3_step(s) == SQLITE_ROW) {
			pl_gate_record *g;

			if (vec_grow(&v[i].gates, &gcap, v[i].ngates,
			    sizeof *v[i].gates, 4) < 0)
				break;
			g = &v[i].gates[v[i].ngates++];
			memset(g, 0, sizeof *g);
			g->check = col_dup(s, 0);
			g->gate = col_dup(s, 1);
			g->status = col_dup(s, 2);
			if ((g->has_value = sqlite3_column_type(s, 3) !=
			    SQLITE_NULL))
				g->value = sqlite3_column_double(s, 3);
			if ((g->has_bound = sqlite3_column_type(s, 4) !=
			    SQLITE_NULL))
				g->bound = sqlite3_column_double(s, 4);
			g->message = col_dup(s, 5);
		}
		sqlite3_reset(s);
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}
