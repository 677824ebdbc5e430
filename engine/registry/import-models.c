/* import-models.c - MLflow registered models, versions, stages and aliases onto plumb's registry, after the runs they came from. */
#include "config.h"
#include "registry/import-models.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/names.h"
#include "config/ynode.h"
#include "data/cache.h"
#include "registry/internal.h"
#include "store/audit.h"
#include "store/internal.h"
#include "vec.h"

/*
 * The registry part reads the whole MLflow registry into memory (it is
 * small: models and versions, no points), then writes it in one
 * transaction after the runs are in, so a version finds its run.
 *
 * A plumb version is one cached file with its lineage; an MLflow version
 * names a source, usually the model directory a run logged (runs:/ID/
 * model, or .../ID/artifacts/model).  The file kept is, in order: the
 * run's imported artifact of that name (a file), or that directory's
 * MLmodel (the model's descriptor; the other files stay artifacts of
 * the run); else the source as a local file or directory holding an
 * MLmodel.  A version with none of these is skipped and counted.
 */

struct mv {
	char *model;
	int version;
	char *stage;		/* MLflow's: "None", "Production", ... */
	char *run_id;		/* MLflow run id, may be NULL */
	char *source;
	char *description;
	char *user;
	int64_t created_ms;
};

struct model {
	char *name;
	char *description;
	int64_t created_ms;
};

struct alias {
	char *model, *alias;
	int version;
};

struct reg {
	pl_store *st;
	const pl_mlflow_opts *o;
	pl_mlflow_stats *s;
	struct model *m;
	size_t nm, cm;
	struct mv *v;
	size_t nv, cv;
	struct alias *a;
	size_t na, ca;
};

static void
problem(struct reg *r, const char *path, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void
problem(struct reg *r, const char *path, long line, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	r->s->problems++;
	if (r->o && r->o->problem)
		r->o->problem(r->o->arg, path, line, what);
}

static char *
dupn(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int
add_model(struct reg *r, const char *name, const char *desc, int64_t ms)
{
	if (vec_grow(&r->m, &r->cm, r->nm, sizeof *r->m, 8) < 0)
		return pl__err(r->st, PL_ENOMEM, "out of memory");
	r->m[r->nm].name = strdup(name);
	r->m[r->nm].description = dupn(desc);
	r->m[r->nm].created_ms = ms;
	r->nm++;
	return PL_OK;
}

static int
add_version(struct reg *r, const struct mv *v)
{
	struct mv *d;

	if (vec_grow(&r->v, &r->cv, r->nv, sizeof *r->v, 16) < 0)
		return pl__err(r->st, PL_ENOMEM, "out of memory");
	d = &r->v[r->nv++];
	d->model = strdup(v->model);
	d->version = v->version;
	d->stage = dupn(v->stage);
	d->run_id = dupn(v->run_id);
	d->source = dupn(v->source);
	d->description = dupn(v->description);
	d->user = dupn(v->user);
	d->created_ms = v->created_ms;
	return PL_OK;
}

static int
add_alias(struct reg *r, const char *model, const char *alias, int version)
{
	if (vec_grow(&r->a, &r->ca, r->na, sizeof *r->a, 8) < 0)
		return pl__err(r->st, PL_ENOMEM, "out of memory");
	r->a[r->na].model = strdup(model);
	r->a[r->na].alias = strdup(alias);
	r->a[r->na].version = version;
	r->na++;
	return PL_OK;
}

static void
reg_free(struct reg *r)
{
	for (size_t i = 0; i < r->nm; i++) {
		free(r->m[i].name);
		free(r->m[i].description);
	}
	for (size_t i = 0; i < r->nv; i++) {
		free(r->v[i].model);
		free(r->v[i].stage);
		free(r->v[i].run_id);
		free(r->v[i].source);
		free(r->v[i].description);
		free(r->v[i].user);
	}
	for (size_t i = 0; i < r->na; i++) {
		free(r->a[i].model);
		free(r->a[i].alias);
	}
	free(r->m);
	free(r->v);
	free(r->a);
}

/* ---- reading a file store's models/ ---- */

static const char *
field(const ynode *map, const char *key)
{
	const ynode *v = yn_get(map, key);

	if (v == NULL || v->kind != YN_SCALAR)
		return NULL;
	if (!v->quoted && yn_scalar_type(v) == YT_NULL)
		return NULL;
	return v->str;
}

static int64_t
int_field(const ynode *map, const char *key)
{
	const char *s = field(map, key);

	return s ? strtoll(s, NULL, 10) : 0;
}

static ynode *
read_yaml(struct reg *r, const char *path)
{
	char err[512];
	ynode *y = NULL;

	if (yn_parse_file(&y, path, path, err, sizeof err) != PL_OK) {
		long line = 0;
		size_t n = strlen(path);
		const char *why = err;

		if (strncmp(err, path, n) == 0 && err[n] == ':') {
			char *e;

			line = strtol(err + n + 1, &e, 10);
			why = e;
			while (*why == ':' || isdigit((unsigned char)*why) ||
			    *why == ' ')
				why++;
		}
		problem(r, path, line, "%s", why);
		return NULL;
	}
	if (y == NULL || y->kind != YN_MAP) {
		problem(r, path, 0, "not a YAML mapping");
		yn_free(y);
		return NULL;
	}
	return y;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **
subdirs(const char *dir, size_t *out_n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0;

	*out_n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (vec_grow(&v, &cap, n, sizeof *v, 16) < 0)
			break;
		if ((v[n] = strdup(e->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, cmp_name);
	*out_n = n;
	return v;
}

static void
free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
read_fs(struct reg *r, const char *root)
{
	char dir[PATH_MAX], path[PATH_MAX];
	size_t nmod, nsub;
	char **mods;
	int rc = PL_OK;

	if (snprintf(dir, sizeof dir, "%s/models", root) >= (int)sizeof dir)
		return PL_OK;
	if ((mods = subdirs(dir, &nmod)) == NULL)
		return PL_OK;
	for (size_t i = 0; i < nmod && rc == PL_OK; i++) {
		char **subs;
		ynode *y;
		const char *name;

		if (snprintf(path, sizeof path, "%s/%s/meta.yaml", dir,
		    mods[i]) >= (int)sizeof path ||
		    (y = read_yaml(r, path)) == NULL)
			continue;
		name = field(y, "name");
		if (name == NULL)
			name = mods[i];
		rc = add_model(r, name, field(y, "description"),
		    int_field(y, "creation_timestamp"));
		yn_free(y);
		if (rc != PL_OK)
			break;
		name = r->m[r->nm - 1].name;	/* the copy: y is gone */
		if (snprintf(path, sizeof path, "%s/%s", dir, mods[i]) >=
		    (int)sizeof path)
			continue;
		subs = subdirs(path, &nsub);
		for (size_t k = 0; k < nsub && rc == PL_OK; k++) {
			char p[PATH_MAX];
			struct mv v;

			if (strncmp(subs[k], "version-", 8) != 0)
				continue;
			if (snprintf(p, sizeof p, "%s/%s/meta.yaml", path,
			    subs[k]) >= (int)sizeof p ||
			    (y = read_yaml(r, p)) == NULL)
				continue;
			memset(&v, 0, sizeof v);
			v.model = (char *)name;
			v.version = (int)int_field(y, "version");
			if (v.version <= 0)
				v.version = atoi(subs[k] + 8);
			v.stage = (char *)field(y, "current_stage");
			v.run_id = (char *)field(y, "run_id");
			v.source = (char *)field(y, "source");
			v.description = (char *)field(y, "description");
			v.user = (char *)field(y, "user_id");
			v.created_ms = int_field(y, "creation_timestamp");
			if (v.version <= 0)
				problem(r, p, 0, "no version number");
			else
				rc = add_version(r, &v);
			yn_free(y);
		}
		free_names(subs, nsub);
		/* aliases/<alias> holds the version number. */
		{
			char ad[PATH_MAX];
			size_t nal;
			char **al;

			al = snprintf(ad, sizeof ad, "%s/aliases", path) <
			    (int)sizeof ad ? subdirs(ad, &nal) : NULL;
			if (al == NULL)
				nal = 0;
			for (size_t k = 0; k < nal && rc == PL_OK; k++) {
				char p[PATH_MAX], txt[32] = "";
				FILE *f;

				if (snprintf(p, sizeof p, "%s/%s", ad, al[k]) >=
				    (int)sizeof p || (f = fopen(p, "r")) == NULL)
					continue;
				if (fgets(txt, sizeof txt, f) && atoi(txt) > 0)
					rc = add_alias(r, name, al[k], atoi(txt));
				else
					problem(r, p, 1, "not a version number");
				fclose(f);
			}
			free_names(al, nal);
		}
	}
	free_names(mods, nmod);
	return rc;
}

/* ---- reading an MLflow database's registry tables ---- */

static const char *
col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return (const char *)t;
}

static int
read_db(struct reg *r, const char *dbpath)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc = PL_OK;

	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL)
	    != SQLITE_OK) {
		rc = pl__err(r->st, PL_EIO, "cannot open %s: %s", dbpath,
		    db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	/* A database from before the registry has none of these tables:
	 * nothing to import, no problem. */
	if (sqlite3_prepare_v2(db, "SELECT name, description, creation_time "
	    "FROM registered_models ORDER BY name", -1, &s, NULL) == SQLITE_OK) {
		while (rc == PL_OK && sqlite3_step(s) == SQLITE_ROW)
			rc = add_model(r, col(s, 0), col(s, 1),
			    sqlite3_column_int64(s, 2));
		sqlite3_finalize(s);
	}
	if (rc == PL_OK && sqlite3_prepare_v2(db, "SELECT name, version, "
	    "current_stage, run_id, source, description, user_id, "
	    "creation_time FROM model_versions ORDER BY name, version", -1,
	    &s, NULL) == SQLITE_OK) {
		while (rc == PL_OK && sqlite3_step(s) == SQLITE_ROW) {
			struct mv v;

			v.model = (char *)col(s, 0);
			v.version = sqlite3_column_int(s, 1);
			v.stage = (char *)col(s, 2);
			v.run_id = (char *)col(s, 3);
			v.source = (char *)col(s, 4);
			v.description = (char *)col(s, 5);
			v.user = (char *)col(s, 6);
			v.created_ms = sqlite3_column_int64(s, 7);
			if (v.model && v.version > 0)
				rc = add_version(r, &v);
		}
		sqlite3_finalize(s);
	}
	if (rc == PL_OK && sqlite3_prepare_v2(db, "SELECT name, alias, version "
	    "FROM registered_model_aliases ORDER BY name, alias", -1, &s,
	    NULL) == SQLITE_OK) {
		while (rc == PL_OK && sqlite3_step(s) == SQLITE_ROW)
			if (col(s, 0) && col(s, 1))
				rc = add_alias(r, col(s, 0), col(s, 1),
				    sqlite3_column_int(s, 2));
		sqlite3_finalize(s);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* ---- writing ---- */

static int
alias_ok(const char *a)
{
	pl_model_stage st;
	const char *d = a;

	if (!pl_model_name_valid(a) || strcasecmp(a, "latest") == 0 ||
	    pl_model_stage_parse(&st, a) == PL_OK)
		return 0;
	if (*d == 'v' || *d == 'V')
		d++;
	while (isdigit((unsigned char)*d))
		d++;
	return *d != '\0';
}

/* The plumb run imported for MLflow run id mlid: row id and plumb id. */
static int
imported_run(struct reg *r, const char *mlid, int64_t *rid,
    char id[PL_ID_LEN + 1])
{
	static const char sql[] =
	    "SELECT r.rid, r.id FROM tags t JOIN keys k ON k.id = t.key_id "
	    "JOIN runs r ON r.rid = t.run_id "
	    "WHERE k.name = 'mlflow.run_id' AND t.value = ?1 LIMIT 1";
	sqlite3_stmt *s = pl__stmt(r->st, sql);
	int rc;

	*rid = 0;
	id[0] = '\0';
	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, mlid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*rid = sqlite3_column_int64(s, 0);
		snprintf(id, PL_ID_LEN + 1, "%s", col(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__sqlerr(r->st, rc, "looking up a run");
	return PL_OK;
}

/* The recorded artifact `name` of run rid: 1 and its hash and size. */
static int
run_artifact(struct reg *r, int64_t rid, const char *name,
    char hash[PL_HASH_HEX], int64_t *size)
{
	static const char sql[] = "SELECT sha256, size FROM artifacts "
	    "WHERE run_id = ?1 AND path = ?2";
	sqlite3_stmt *s = pl__stmt(r->st, sql);
	int found = 0;

	if (s == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && col(s, 0)) {
		snprintf(hash, PL_HASH_HEX, "%s", col(s, 0));
		*size = sqlite3_column_int64(s, 1);
		found = pl_hash_valid(hash);
	}
	sqlite3_reset(s);
	return found;
}

/* The part of source below the run's artifact root ("model"), or NULL:
 * runs:/ID/SUB, or any URI or path holding /ID/artifacts/SUB. */
static const char *
artifact_sub(const char *source, const char *mlid)
{
	const char *p;

	if (source == NULL || mlid == NULL)
		return NULL;
	if (strncmp(source, "runs:/", 6) == 0) {
		p = source + 6;
		if (strncmp(p, mlid, strlen(mlid)) == 0) {
			p += strlen(mlid);
			while (*p == '/')
				p++;
			return p;
		}
		return NULL;
	}
	if ((p = strstr(source, mlid)) != NULL) {
		p += strlen(mlid);
		if (strncmp(p, "/artifacts/", 11) == 0)
			return p + 11;
	}
	return NULL;
}

/*
 * Finds the file a version keeps (see the top of this file): *name is
 * what is recorded as its source path (malloc'ed).  0 found, -1 not.
 */
static int
version_file(struct reg *r, const struct mv *v, int64_t rid,
    char hash[PL_HASH_HEX], int64_t *size, char **name, int dry)
{
	const char *sub = artifact_sub(v->source, v->run_id);
	const char *p = v->source;
	char buf[PATH_MAX];
	struct stat sb;

	*name = NULL;
	if (rid && sub && *sub) {
		if (run_artifact(r, rid, sub, hash, size)) {
			*name = strdup(sub);
			return 0;
		}
		snprintf(buf, sizeof buf, "%s/MLmodel", sub);
		if (run_artifact(r, rid, buf, hash, size)) {
			*name = strdup(buf);
			return 0;
		}
	}
	if (p == NULL)
		return -1;
	if (strncmp(p, "file://", 7) == 0)
		p += 7;
	if (*p != '/' || stat(p, &sb) != 0)
		return -1;
	if (S_ISDIR(sb.st_mode)) {
		if (snprintf(buf, sizeof buf, "%s/MLmodel", p) >=
		    (int)sizeof buf || stat(buf, &sb) != 0 ||
		    !S_ISREG(sb.st_mode))
			return -1;
		p = buf;
	} else if (!S_ISREG(sb.st_mode))
		return -1;
	if (dry) {
		memset(hash, '0', PL_HASH_HEX - 1);
		hash[PL_HASH_HEX - 1] = '\0';
		*size = (int64_t)sb.st_size;
	} else if (pl_cache_put_file(hash, size, r->st, p) != PL_OK) {
		problem(r, p, 0, "%s", pl_store_errmsg(r->st));
		pl__clear_err(r->st);
		return -1;
	}
	*name = strdup(p);
	return 0;
}

static int
model_row(struct reg *r, const char *name, int64_t *mid)
{
	static const char ins[] = "INSERT OR IGNORE INTO models(name, "
	    "description, created_ms) VALUES (?1, ?2, ?3)";
	static const char sel[] = "SELECT id FROM models WHERE name = ?1";
	const struct model *m = NULL;
	sqlite3_stmt *s;
	int rc;

	for (size_t i = 0; i < r->nm; i++)
		if (strcmp(r->m[i].name, name) == 0)
			m = &r->m[i];
	if ((s = pl__stmt(r->st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (m && m->description)
		sqlite3_bind_text(s, 2, m->description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, m && m->created_ms > 0 ? m->created_ms :
	    pl__now_ms());
	if ((rc = pl__reg_exec_done(r->st, s, "creating a model")) != PL_OK)
		return rc;
	if (sqlite3_changes(r->st->db) > 0)
		r->s->models++;
	if ((s = pl__stmt(r->st, sel)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*mid = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return *mid ? PL_OK : pl__sqlerr(r->st, rc, "finding a model");
}

static int
have_version(struct reg *r, int64_t mid, int version, int64_t *mvid)
{
	static const char sql[] = "SELECT id FROM model_versions "
	    "WHERE model_id = ?1 AND version = ?2";
	sqlite3_stmt *s = pl__stmt(r->st, sql);

	*mvid = 0;
	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_int(s, 2, version);
	if (sqlite3_step(s) == SQLITE_ROW)
		*mvid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return PL_OK;
}

/* plumb keeps one holder of staging and of production: the newest
 * version MLflow has there holds it, older ones are archived. */
static int
settle_stage(struct reg *r, int64_t mid, int version, pl_model_stage *stage)
{
	static const char demote[] = "UPDATE model_versions SET stage = "
	    "'archived' WHERE model_id = ?1 AND version = ?2";
	int holder = 0, rc;
	sqlite3_stmt *s;

	if (*stage != PL_MODEL_STAGING && *stage != PL_MODEL_PRODUCTION)
		return PL_OK;
	if ((rc = pl__reg_holder_of(r->st, mid, *stage, &holder)) != PL_OK)
		return rc;
	if (holder == 0)
		return PL_OK;
	if (holder > version) {
		*stage = PL_MODEL_ARCHIVED;
		return PL_OK;
	}
	if ((s = pl__stmt(r->st, demote)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_int(s, 2, holder);
	if ((rc = pl__reg_exec_done(r->st, s, "archiving a version")) != PL_OK)
		return rc;
	{
		struct trans t = { .mid = mid, .version = holder,
		    .kind = "import", .from = pl_model_stage_name(*stage),
		    .to = "archived", .status = "ok",
		    .reason = "imported from MLflow: a newer version holds "
		    "the stage" };

		return pl__reg_insert_transition(r->st, &t, NULL);
	}
}

static int
snapshot(struct reg *r, int64_t mvid, int64_t rid)
{
	static const char p[] = "INSERT OR IGNORE INTO model_params(mv_id, key, "
	    "value) SELECT ?1, k.name, p.value FROM params p JOIN keys k "
	    "ON k.id = p.key_id WHERE p.run_id = ?2";
	static const char m[] = "INSERT OR IGNORE INTO model_metrics(mv_id, "
	    "key, value) SELECT ?1, k.name, s.last FROM metric_summary s "
	    "JOIN keys k ON k.id = s.key_id WHERE s.run_id = ?2";
	sqlite3_stmt *s;
	int rc;

	if ((s = pl__stmt(r->st, p)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mvid);
	sqlite3_bind_int64(s, 2, rid);
	if ((rc = pl__reg_exec_done(r->st, s, "recording params")) != PL_OK)
		return rc;
	if ((s = pl__stmt(r->st, m)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mvid);
	sqlite3_bind_int64(s, 2, rid);
	return pl__reg_exec_done(r->st, s, "recording metrics");
}

static int
import_version(struct reg *r, const struct mv *v, int dry)
{
	static const char ins[] =
	    "INSERT INTO model_versions(model_id, version, stage, run_rid, "
	    "source_path, sha256, size, description, git_commit, git_branch, "
	    "user, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "(SELECT git_commit FROM runs WHERE rid = ?4), "
	    "(SELECT git_branch FROM runs WHERE rid = ?4), ?9, ?10)";
	char hash[PL_HASH_HEX], id[PL_ID_LEN + 1], reason[600];
	pl_model_stage stage = PL_MODEL_NONE;
	int64_t mid = 0, mvid = 0, rid = 0, size = 0;
	char *name = NULL;
	sqlite3_stmt *s;
	int rc;

	/* MLflow marks a deleted version with this stage and keeps it. */
	if (v->stage && strcasecmp(v->stage, "Deleted Internal") == 0)
		return PL_OK;
	if (!pl_model_name_valid(v->model)) {
		r->s->versions_skipped++;
		return PL_OK;
	}
	rc = pl__reg_model_id(r->st, v->model, &mid);
	if (rc == PL_ENOTFOUND)
		pl__clear_err(r->st);
	else if (rc != PL_OK ||
	    (rc = have_version(r, mid, v->version, &mvid)) != PL_OK)
		return rc;
	if (mvid)
		return PL_OK;	/* imported before (or plumb's own) */
	if (v->run_id && (rc = imported_run(r, v->run_id, &rid, id)) != PL_OK)
		return rc;
	if (version_file(r, v, rid, hash, &size, &name, dry) != 0) {
		r->s->versions_skipped++;
		return PL_OK;
	}
	/* The model is made with its first version that has a file: plumb
	 * has no models without versions. */
	if ((rc = model_row(r, v->model, &mid)) != PL_OK)
		goto out;
	if (v->stage && pl_model_stage_parse(&stage, v->stage) != PL_OK)
		stage = PL_MODEL_NONE;
	if ((rc = settle_stage(r, mid, v->version, &stage)) != PL_OK)
		goto out;
	if ((s = pl__stmt(r->st, ins)) == NULL) {
		rc = PL_ERROR;
		goto out;
	}
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_int(s, 2, v->version);
	sqlite3_bind_text(s, 3, pl_model_stage_name(stage), -1, SQLITE_STATIC);
	if (rid)
		sqlite3_bind_int64(s, 4, rid);
	sqlite3_bind_text(s, 5, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, size);
	if (v->description)
		sqlite3_bind_text(s, 8, v->description, -1, SQLITE_STATIC);
	if (v->user)
		sqlite3_bind_text(s, 9, v->user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, v->created_ms > 0 ? v->created_ms :
	    pl__now_ms());
	if ((rc = pl__reg_exec_done(r->st, s, "importing a model version"))
	    != PL_OK)
		goto out;
	mvid = sqlite3_last_insert_rowid(r->st->db);
	if (rid && (rc = snapshot(r, mvid, rid)) != PL_OK)
		goto out;
	snprintf(reason, sizeof reason, "imported from MLflow (%s%s%s)",
	    v->source ? v->source : "no source",
	    id[0] ? ", run " : "", id[0] ? id : "");
	{
		struct trans t = { .mid = mid, .version = v->version,
		    .kind = "import", .to = pl_model_stage_name(stage),
		    .status = "ok", .reason = reason };

		if ((rc = pl__reg_insert_transition(r->st, &t, NULL)) != PL_OK)
			goto out;
	}
	r->s->versions++;
out:
	free(name);
	return rc;
}

static int
import_alias(struct reg *r, const struct alias *a)
{
	static const char cur[] = "SELECT mv_id FROM model_aliases "
	    "WHERE model_id = ?1 AND alias = ?2";
	static const char set[] = "INSERT OR REPLACE INTO model_aliases("
	    "model_id, alias, mv_id) VALUES (?1, ?2, ?3)";
	int64_t mid, mvid, now = 0;
	sqlite3_stmt *s;
	int rc;

	if (!alias_ok(a->alias))
		return PL_OK;
	rc = pl__reg_model_id(r->st, a->model, &mid);
	if (rc == PL_ENOTFOUND) {
		pl__clear_err(r->st);
		return PL_OK;
	}
	if (rc != PL_OK || (rc = have_version(r, mid, a->version, &mvid))
	    != PL_OK)
		return rc;
	if (mvid == 0)
		return PL_OK;	/* its version was not imported */
	if ((s = pl__stmt(r->st, cur)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_text(s, 2, a->alias, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		now = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	/* An alias plumb already has is plumb's to move, not MLflow's. */
	if (now)
		return PL_OK;
	if ((s = pl__stmt(r->st, set)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_text(s, 2, a->alias, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, mvid);
	if ((rc = pl__reg_exec_done(r->st, s, "setting an alias")) != PL_OK)
		return rc;
	{
		char detail[300];
		struct trans t = { .mid = mid, .version = a->version,
		    .kind = "alias", .status = "ok",
		    .reason = "imported from MLflow", .detail = detail };

		snprintf(detail, sizeof detail, "alias %s", a->alias);
		if ((rc = pl__reg_insert_transition(r->st, &t, NULL)) != PL_OK)
			return rc;
	}
	r->s->aliases++;
	return PL_OK;
}

struct hook_arg {
	const char *source;
	const pl_mlflow_opts *o;
	pl_mlflow_stats *stats;
};

/* Runs inside the import's last transaction (see
 * pl__mlflow_import_runs_then): it commits or rolls back with it. */
static int
import_models(pl_store *st, void *arg)
{
	struct hook_arg *h = arg;
	struct reg r;
	char *path = NULL;
	int kind, rc, dry = h->o && h->o->dry_run;

	memset(&r, 0, sizeof r);
	r.st = st;
	r.o = h->o;
	r.s = h->stats;
	kind = pl_mlflow_source_kind(&path, h->source);
	if (path == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	rc = kind == 'f' ? read_fs(&r, path) : kind == 'd' ?
	    read_db(&r, path) : PL_OK;
	free(path);
	/* Versions in number order, so stages settle as they did; a model
	 * is made with its first version (plumb has no empty models). */
	for (size_t i = 0; i < r.nv && rc == PL_OK; i++)
		rc = import_version(&r, &r.v[i], dry);
	for (size_t i = 0; i < r.na && rc == PL_OK; i++)
		rc = import_alias(&r, &r.a[i]);
	reg_free(&r);
	return rc;
}

int
pl_mlflow_import(pl_store *st, const char *source,
    const pl_mlflow_opts *opts, pl_mlflow_stats *stats)
{
	struct hook_arg h = { source, opts, stats };

	return pl__mlflow_import_runs_then(st, source, opts, stats,
	    import_models, &h);
}
