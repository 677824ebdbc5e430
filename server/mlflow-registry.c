/* mlflow-registry.c - MLflow's model registry API on plumb serve: registered models, versions, stages (through plumb's promotion and its gates), aliases, tags, search. */
#include "config.h"
#include "plumb.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mlflow.h"

/*
 * An MLflow registered model is a plumb model, an MLflow model version a
 * plumb model version: `plumb model show` lists what the client made.
 * Stages map one to one (None, Staging, Production, Archived), and a
 * transition is plumb's promotion: the gates of plumb.yaml (found as
 * `plumb model promote` finds it) run, the deploy targets run, the
 * history and the audit log record it as the token's user.
 */

static const char *
stage_wire(pl_model_stage s)
{
	switch (s) {
	case PL_MODEL_STAGING: return "Staging";
	case PL_MODEL_PRODUCTION: return "Production";
	case PL_MODEL_ARCHIVED: return "Archived";
	default: return "None";
	}
}

static json_t *
tags_json(const pl_kvlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a && l && i < l->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "key",
		    l->items[i].key, "value", l->items[i].value));
	return a;
}

/* A version as MLflow's model_version; NULL after an error reply. */
static json_t *
version_json(struct ml_call *c, const pl_model_version *v)
{
	pl_kvlist *tags = NULL;
	int64_t created, updated;
	json_t *o, *al;
	char ver[16];
	int rc;

	if ((rc = pl_model_tags(&tags, c->st, v->model, v->version)) != PL_OK ||
	    (rc = pl_model_times(&created, &updated, c->st, v->model,
	    v->version)) != PL_OK) {
		pl_kvlist_free(tags);
		ml_engine_error(c, rc);
		return NULL;
	}
	snprintf(ver, sizeof ver, "%d", v->version);
	al = json_array();
	for (size_t i = 0; al && i < v->naliases; i++)
		json_array_append_new(al, json_string(v->aliases[i]));
	/* status READY: anything else makes the client poll for 300 s */
	o = json_pack("{s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:s}",
	    "name", v->model, "version", ver,
	    "creation_timestamp", (json_int_t)created,
	    "last_updated_timestamp", (json_int_t)updated,
	    "current_stage", stage_wire(v->stage),
	    "description", v->description ? v->description : "",
	    "source", v->source_path ? v->source_path : "",
	    "run_id", v->run_id, "status", "READY",
	    "tags", tags_json(tags), "run_link", "",
	    "aliases", al, "user_id", v->user ? v->user : "");
	pl_kvlist_free(tags);
	if (o == NULL)
		ml_error(c, "INTERNAL_ERROR", "out of memory");
	return o;
}

/* Reads version `version` of name and makes its JSON. */
static json_t *
version_get_json(struct ml_call *c, const char *name, int version)
{
	pl_model_version *v = NULL;
	json_t *o;
	int rc;

	if ((rc = pl_model_get(&v, c->st, name, version)) != PL_OK) {
		ml_engine_error(c, rc);
		return NULL;
	}
	o = version_json(c, v);
	pl_model_version_free(v);
	return o;
}

/* Every version of name, oldest first (*out: n entries to free). */
static int
all_versions(struct ml_call *c, const char *name, pl_model_version ***out,
    size_t *out_n)
{
	int *nums = NULL, rc;
	size_t n = 0;
	pl_model_version **v;

	*out = NULL;
	*out_n = 0;
	if ((rc = pl_model_versions(&nums, &n, c->st, name)) != PL_OK) {
		ml_engine_error(c, rc);
		return -1;
	}
	if ((v = calloc(n ? n : 1, sizeof *v)) == NULL) {
		free(nums);
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = pl_model_get(&v[i], c->st, name, nums[i])) != PL_OK) {
			for (size_t j = 0; j < i; j++)
				pl_model_version_free(v[j]);
			free(v);
			free(nums);
			ml_engine_error(c, rc);
			return -1;
		}
	free(nums);
	*out = v;
	*out_n = n;
	return 0;
}

static void
versions_free(pl_model_version **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pl_model_version_free(v[i]);
	free(v);
}

/* The newest version in each stage (of want[0..nwant), every stage
 * when nwant is 0), None to Archived, as a JSON array of model_version;
 * NULL after an error reply.  model_json's latest_versions and
 * get-latest-versions are this. */
static json_t *
latest_json(struct ml_call *c, pl_model_version **v, size_t nv,
    const pl_model_stage *want, size_t nwant)
{
	json_t *out = json_array();

	if (out == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return NULL;
	}
	for (int s = PL_MODEL_NONE; s <= PL_MODEL_ARCHIVED; s++) {
		int asked = nwant == 0;

		for (size_t i = 0; i < nwant; i++)
			asked |= (int)want[i] == s;
		if (!asked)
			continue;
		for (size_t i = nv; i-- > 0;)
			if ((int)v[i]->stage == s) {
				json_t *j = version_json(c, v[i]);

				if (j == NULL) {
					json_decref(out);
					return NULL;
				}
				json_array_append_new(out, j);
				break;
			}
	}
	return out;
}

/* The version holding alias among v, 0 when none. */
static int
alias_holder(pl_model_version **v, size_t nv, const char *alias)
{
	for (size_t i = 0; i < nv; i++)
		for (size_t k = 0; k < v[i]->naliases; k++)
			if (strcmp(v[i]->aliases[k], alias) == 0)
				return v[i]->version;
	return 0;
}

/* A stage as MLflow names it (any case); -1 after MLflow's 400. */
static int
parse_stage(struct ml_call *c, const char *text, pl_model_stage *out)
{
	if (pl_model_stage_parse(out, text) == PL_OK)
		return 0;
	ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid Model Version stage: "
	    "%s. Value must be one of None, Staging, Production, Archived.",
	    text);
	return -1;
}

/* A registered model as MLflow's; NULL after an error reply. */
static json_t *
model_json(struct ml_call *c, const char *name)
{
	pl_model_summary *ms = NULL;
	pl_model_version **v = NULL;
	pl_kvlist *tags = NULL;
	const pl_model_summary *m = NULL;
	size_t nms = 0, nv = 0;
	int64_t created, updated;
	json_t *o = NULL, *latest, *al;
	int rc;

	if ((rc = pl_model_list(&ms, &nms, c->st)) != PL_OK ||
	    (rc = pl_model_tags(&tags, c->st, name, 0)) != PL_OK ||
	    (rc = pl_model_times(&created, &updated, c->st, name, 0)) != PL_OK) {
		ml_engine_error(c, rc);
		goto out;
	}
	for (size_t i = 0; i < nms && m == NULL; i++)
		if (strcmp(ms[i].name, name) == 0)
			m = &ms[i];
	if (m == NULL) {
		ml_error(c, "RESOURCE_DOES_NOT_EXIST", "Registered Model with "
		    "name=%s not found", name);
		goto out;
	}
	if (all_versions(c, name, &v, &nv) < 0)
		goto out;
	/* latest_versions: the newest version in each stage */
	if ((latest = latest_json(c, v, nv, NULL, 0)) == NULL)
		goto out;
	al = json_array();
	for (size_t i = 0; al && i < nv; i++)
		for (size_t k = 0; k < v[i]->naliases; k++) {
			char ver[16];

			snprintf(ver, sizeof ver, "%d", v[i]->version);
			json_array_append_new(al, json_pack("{s:s,s:s}",
			    "alias", v[i]->aliases[k], "version", ver));
		}
	o = json_pack("{s:s,s:I,s:I,s:s,s:o,s:o,s:o}", "name", m->name,
	    "creation_timestamp", (json_int_t)created,
	    "last_updated_timestamp", (json_int_t)updated,
	    "description", m->description ? m->description : "",
	    "latest_versions", latest, "tags", tags_json(tags),
	    "aliases", al);
	if (o == NULL)
		ml_error(c, "INTERNAL_ERROR", "out of memory");
out:
	versions_free(v, nv);
	pl_kvlist_free(tags);
	pl_model_summary_free(ms, nms);
	return o;
}

static void
reply_model(struct ml_call *c, const char *name)
{
	json_t *m = model_json(c, name);

	if (m)
		ml_ok(c, json_pack("{s:o}", "registered_model", m));
}

static void
reply_version(struct ml_call *c, const char *name, int version)
{
	json_t *v = version_get_json(c, name, version);

	if (v)
		ml_ok(c, json_pack("{s:o}", "model_version", v));
}

/* The version field: a string (or number) of digits. */
static int
get_version(struct ml_call *c, int *out)
{
	int64_t v;

	if (ml_get_i64(c, c->in, "version", 1, 0, &v) < 0)
		return -1;
	if (v <= 0 || v > 1000000000) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid version '%lld'"
		    ": a model version is a positive integer", (long long)v);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Registry tag rules: key 1-250 characters, value at most 5000. */
static int
check_tag(struct ml_call *c, const char *key, const char *value)
{
	if (key == NULL || *key == '\0' || strlen(key) > 250) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "A tag key must be 1 to "
		    "250 characters");
		return -1;
	}
	if (value && strlen(value) > 5000) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Tag value of '%s' "
		    "exceeds 5000 characters", key);
		return -1;
	}
	return 0;
}

/* tags[] of a create call, checked whole before anything is written. */
static int
set_tags(struct ml_call *c, const char *name, int version, int write)
{
	json_t *tags, *t;
	size_t i;
	int rc;

	if (ml_get_arr(c, c->in, "tags", &tags) < 0)
		return -1;
	json_array_foreach(tags, i, t) {
		const char *k = NULL, *v = NULL;

		if (!json_is_object(t) || ml_get_str(c, t, "key", 1, &k) < 0 ||
		    ml_get_str(c, t, "value", 0, &v) < 0)
			goto bad;
		if (check_tag(c, k, v) < 0)
			return -1;
		if (write && (rc = pl_model_tag_set(c->st, name, version, k,
		    v ? v : "")) != PL_OK) {
			ml_engine_error(c, rc);
			return -1;
		}
	}
	return 0;
bad:
	if (c->r->status == 0)
		ml_error(c, "INVALID_PARAMETER_VALUE", "A tag is an object "
		    "with a key and a value");
	return -1;
}

/* ---- registered models ---- */

void
ml_registered_models_create(struct ml_call *c)
{
	const char *name, *desc = NULL;
	int rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    ml_get_str(c, c->in, "description", 0, &desc) < 0 ||
	    set_tags(c, name, 0, 0) < 0)
		return;
	/* a replay meets RESOURCE_ALREADY_EXISTS, as on MLflow's server
	 * (mlflow.register_model goes on after it) */
	if ((rc = pl_model_create(c->st, name, desc)) != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	if (set_tags(c, name, 0, 1) < 0)
		return;
	reply_model(c, name);
}

void
ml_registered_models_get(struct ml_call *c)
{
	const char *name;

	if (ml_get_str(c, c->in, "name", 1, &name) == 0)
		reply_model(c, name);
}

void
ml_registered_models_rename(struct ml_call *c)
{
	const char *name, *new_name;
	int rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    ml_get_str(c, c->in, "new_name", 1, &new_name) < 0)
		return;
	/* a replay: the old name is gone and the new one is there */
	rc = pl_model_rename(c->st, name, new_name);
	if (rc == PL_ENOTFOUND) {
		pl_model_summary *ms = NULL;
		size_t n = 0;
		int there = 0;

		if (pl_model_list(&ms, &n, c->st) == PL_OK)
			for (size_t i = 0; i < n; i++)
				there |= strcmp(ms[i].name, new_name) == 0;
		pl_model_summary_free(ms, n);
		if (!there) {
			ml_error(c, "RESOURCE_DOES_NOT_EXIST", "Registered Model "
			    "with name=%s not found", name);
			return;
		}
	} else if (rc != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	reply_model(c, new_name);
}

void
ml_registered_models_update(struct ml_call *c)
{
	const char *name, *desc = NULL;
	int rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    ml_get_str(c, c->in, "description", 0, &desc) < 0)
		return;
	if (desc && (rc = pl_model_describe(c->st, name, 0, desc)) != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	reply_model(c, name);
}

void
ml_registered_models_delete(struct ml_call *c)
{
	const char *name;
	int rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0)
		return;
	if ((rc = pl_model_delete_empty(c->st, name)) != PL_OK)
		ml_engine_error(c, rc);
}

static void
tag_call(struct ml_call *c, int with_version, int set)
{
	const char *name, *key, *value = NULL;
	int version = 0, rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    (with_version && get_version(c, &version) < 0) ||
	    ml_get_str(c, c->in, "key", 1, &key) < 0 ||
	    (set && ml_get_str(c, c->in, "value", 1, &value) < 0) ||
	    check_tag(c, key, value) < 0)
		return;
	if ((rc = pl_model_tag_set(c->st, name, version, key, value)) != PL_OK)
		ml_engine_error(c, rc);
}

void ml_registered_models_set_tag(struct ml_call *c) { tag_call(c, 0, 1); }
void ml_registered_models_delete_tag(struct ml_call *c) { tag_call(c, 0, 0); }
void ml_model_versions_set_tag(struct ml_call *c) { tag_call(c, 1, 1); }
void ml_model_versions_delete_tag(struct ml_call *c) { tag_call(c, 1, 0); }

void
ml_registered_models_latest(struct ml_call *c)
{
	const char *name;
	const char **stages = NULL;
	size_t ns = 0, nv = 0;
	pl_model_version **v = NULL;
	pl_model_stage want[4];
	json_t *out;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    ml_get_strs(c, "stages", &stages, &ns) < 0)
		return;
	if (ns > 4)
		ns = 4;
	for (size_t i = 0; i < ns; i++)
		if (parse_stage(c, stages[i], &want[i]) < 0) {
			free(stages);
			return;
		}
	free(stages);
	if (all_versions(c, name, &v, &nv) < 0)
		return;
	out = latest_json(c, v, nv, want, ns);
	versions_free(v, nv);
	if (out == NULL)
		return;
	ml_ok(c, json_array_size(out) ? json_pack("{s:o}", "model_versions",
	    out) : (json_decref(out), NULL));
}

/* ---- aliases ---- */

/* MLflow's alias rule: [\w-], 1-255 characters, not v<digits>. */
static int
alias_ok(struct ml_call *c, const char *a)
{
	size_t n = strlen(a);
	int digits = n > 1 && (a[0] == 'v' || a[0] == 'V');

	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)a[i]) && a[i] != '_' && a[i] != '-')
			goto bad;
		if (i > 0 && !isdigit((unsigned char)a[i]))
			digits = 0;
	}
	if (n == 0 || n > 255 || digits)
		goto bad;
	return 0;
bad:
	ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid alias name: '%s'. "
	    "Aliases may only contain alphanumerics, underscores and dashes, "
	    "and 'v<number>' is reserved.", a);
	return -1;
}

/* The version alias points at; 0 after a 400 (MLflow: an unknown alias
 * is INVALID_PARAMETER_VALUE). */
static int
alias_version(struct ml_call *c, const char *name, const char *alias)
{
	pl_model_version **v = NULL;
	size_t nv = 0;
	int found;

	if (all_versions(c, name, &v, &nv) < 0)
		return 0;
	found = alias_holder(v, nv, alias);
	versions_free(v, nv);
	if (!found)
		ml_error(c, "INVALID_PARAMETER_VALUE", "Registered model alias "
		    "%s not found.", alias);
	return found;
}

/* One path, three methods: POST sets, DELETE removes, GET reads. */
void
ml_registered_models_alias(struct ml_call *c)
{
	const char *name, *alias;
	int version = 0, rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    ml_get_str(c, c->in, "alias", 1, &alias) < 0 ||
	    alias_ok(c, alias) < 0)
		return;
	if (strcmp(c->r->method, "GET") == 0) {
		if ((version = alias_version(c, name, alias)) > 0)
			reply_version(c, name, version);
		return;
	}
	if (strcmp(c->r->method, "POST") == 0 && get_version(c, &version) < 0)
		return;
	if (version == 0) {	/* deleting: an absent alias is done */
		pl_model_version **v = NULL;
		size_t nv = 0;
		int there = 0;

		if (all_versions(c, name, &v, &nv) < 0)
			return;
		there = alias_holder(v, nv, alias) > 0;
		versions_free(v, nv);
		if (!there)
			return;
	}
	if ((rc = pl_model_set_alias(c->st, name, alias, version,
	    "MLflow API")) != PL_OK)
		ml_engine_error(c, rc);
}

/* ---- model versions ---- */

/*
 * The run and artifact path a source names: runs:/RUN/PATH, or the
 * run's own artifact URI (mlflow-artifacts:/EXP/RUN/artifacts/PATH),
 * as mlflow.register_model sends it.  Else *run stays "" and the source
 * is only recorded.
 */
static void
parse_source(const char *src, char run[PL_ID_LEN + 1], const char **path)
{
	const char *p = NULL, *e;

	run[0] = '\0';
	*path = "";
	if (strncmp(src, "runs:/", 6) == 0) {
		p = src + 6;
	} else if (strncmp(src, "mlflow-artifacts:/", 18) == 0) {
		const char *s = src + 18;

		while (*s == '/')
			s++;
		if ((s = strchr(s, '/')) == NULL)	/* past EXP */
			return;
		p = s + 1;
	} else {
		return;
	}
	while (*p == '/')
		p++;
	e = strchr(p, '/');
	if ((e ? (size_t)(e - p) : strlen(p)) > PL_ID_LEN)
		return;
	memcpy(run, p, e ? (size_t)(e - p) : strlen(p));
	run[e ? e - p : (ptrdiff_t)strlen(p)] = '\0';
	if (e == NULL)
		return;
	p = e + 1;
	if (strncmp(src, "mlflow-artifacts:/", 18) == 0) {
		if (strncmp(p, "artifacts", 9) != 0 ||
		    (p[9] != '\0' && p[9] != '/')) {
			run[0] = '\0';
			return;
		}
		p += 9;
		while (*p == '/')
			p++;
	}
	*path = p;
}

/*
 * The object a version holds: the run's artifact when the source names
 * one file, else a manifest (JSON: the source, the run, and each file
 * under the path with its hash and size) put into the cache.  An MLflow
 * model is a directory (MLmodel, the pickled model, its environment):
 * the manifest names every file of it, and each file stays in the cache
 * as the run's artifact.  Nothing is read from the server's own disk: a
 * source that is a path on the server is only recorded.
 */
static int
version_object(struct ml_call *c, const char *source, const char *run,
    const char *path, char hash[PL_HASH_HEX], int64_t *size)
{
	pl_artifact *a = NULL;
	size_t na = 0, pl = strlen(path);
	json_t *files = json_array(), *man;
	char *text = NULL, *tmp = NULL;
	int rc;

	while (pl > 0 && path[pl - 1] == '/')
		pl--;
	if (run[0] && (rc = pl_run_artifacts(&a, &na, c->st, run)) != PL_OK) {
		json_decref(files);
		ml_engine_error(c, rc);
		return -1;
	}
	for (size_t i = 0; i < na; i++)
		if (pl && strlen(a[i].path) == pl &&
		    strncmp(a[i].path, path, pl) == 0) {
			memcpy(hash, a[i].sha256, PL_HASH_HEX);
			*size = a[i].size;
			pl_artifact_list_free(a, na);
			json_decref(files);
			return 0;
		}
	for (size_t i = 0; files && i < na; i++)
		if (pl == 0 || (strncmp(a[i].path, path, pl) == 0 &&
		    a[i].path[pl] == '/'))
			json_array_append_new(files, json_pack("{s:s,s:s,s:I}",
			    "path", a[i].path + (pl ? pl + 1 : 0),
			    "sha256", a[i].sha256, "size", (json_int_t)a[i].size));
	pl_artifact_list_free(a, na);
	man = json_pack("{s:s,s:s,s:s,s:o}", "kind", "mlflow-model-manifest",
	    "source", source, "run_id", run, "files", files);
	/* (jansson's memory is the call's arena: the text is copied out) */
	if (man == NULL || (text = ml_arena_strdup(json_dumps(man,
	    JSON_INDENT(1) | JSON_SORT_KEYS))) == NULL) {
		json_decref(man);
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return -1;
	}
	json_decref(man);
	if ((rc = pl_tmp_write(&tmp, c->st, text, strlen(text))) == PL_OK) {
		rc = pl_cache_put_file(hash, size, c->st, tmp);
		unlink(tmp);
	}
	free(tmp);
	free(text);
	if (rc != PL_OK) {
		ml_engine_error(c, rc);
		return -1;
	}
	return 0;
}

void
ml_model_versions_create(struct ml_call *c)
{
	const char *name, *source, *run_id = NULL, *desc = NULL, *path;
	char run[PL_ID_LEN + 1], hash[PL_HASH_HEX];
	pl_model_reg reg;
	int64_t size = 0;
	int version = 0, rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    ml_get_str(c, c->in, "source", 1, &source) < 0 ||
	    ml_get_str(c, c->in, "run_id", 0, &run_id) < 0 ||
	    ml_get_str(c, c->in, "description", 0, &desc) < 0 ||
	    set_tags(c, name, 0, 0) < 0)
		return;
	parse_source(source, run, &path);
	if (run_id && *run_id) {
		/* run_id links the version to its run (lineage); a source in
		 * another run keeps its own files */
		if (run[0] && strcmp(run, run_id) != 0)
			path = "";
		if (strlen(run_id) > PL_ID_LEN) {
			ml_error(c, "RESOURCE_DOES_NOT_EXIST", "Run '%s' not "
			    "found", run_id);
			return;
		}
		if (!run[0] || strcmp(run, run_id) != 0)
			snprintf(run, sizeof run, "%s", run_id);
	}
	if (run[0]) {
		pl_run_info *ri = NULL;

		/* a whole id, as MLflow has no prefixes */
		if ((rc = pl_run_get(&ri, c->st, run)) != PL_OK) {
			ml_engine_error(c, rc);
			return;
		}
		pl_run_info_free(ri);
	}
	if (version_object(c, source, run, path, hash, &size) < 0)
		return;
	memset(&reg, 0, sizeof reg);
	reg.name = name;
	reg.run = run[0] ? run : NULL;
	reg.path = source;
	reg.description = desc && *desc ? desc : NULL;
	reg.object_sha256 = hash;
	reg.object_size = size;
	if ((rc = pl_model_register(&version, c->st, &reg)) != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	if (set_tags(c, name, version, 1) < 0)
		return;
	reply_version(c, name, version);
}

void
ml_model_versions_get(struct ml_call *c)
{
	const char *name;
	int version;

	if (ml_get_str(c, c->in, "name", 1, &name) == 0 &&
	    get_version(c, &version) == 0)
		reply_version(c, name, version);
}

void
ml_model_versions_update(struct ml_call *c)
{
	const char *name, *desc = NULL;
	int version, rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    get_version(c, &version) < 0 ||
	    ml_get_str(c, c->in, "description", 0, &desc) < 0)
		return;
	if (desc && (rc = pl_model_describe(c->st, name, version, desc)) !=
	    PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	reply_version(c, name, version);
}

/* MLflow's delete on plumb's append-only registry: the version is marked
 * deleted (history and audit name the token's user) and vanishes from
 * get, search and get-latest-versions; its aliases go.  A version in
 * Production is refused (400 INVALID_PARAMETER_VALUE): promote another
 * first.  A deleted version deleted again is 404, as MLflow. */
void
ml_model_versions_delete(struct ml_call *c)
{
	const char *name;
	int version, rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    get_version(c, &version) < 0)
		return;
	if ((rc = pl_model_version_delete(c->st, name, version,
	    "MLflow API model-versions/delete")) != PL_OK)
		ml_engine_error(c, rc);
}

void
ml_model_versions_download_uri(struct ml_call *c)
{
	const char *name;
	int version, rc;
	pl_model_version *v = NULL;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    get_version(c, &version) < 0)
		return;
	if ((rc = pl_model_get(&v, c->st, name, version)) != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	ml_ok(c, json_pack("{s:s}", "artifact_uri", v->source_path ?
	    v->source_path : ""));
	pl_model_version_free(v);
}

/* The gates that failed, for the message of a refused transition. */
static void
failed_gates(char *out, size_t len, const pl_check_report *g)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; g && i < g->n && o + 1 < len; i++) {
		int n;

		if (g->items[i].status != PL_CHECK_FAIL &&
		    g->items[i].status != PL_CHECK_ERROR)
			continue;
		n = snprintf(out + o, len - o, "%s%s: %s (%s)", o ? "; " : "",
		    g->items[i].check, g->items[i].name, g->items[i].message);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (o >= len)
		out[len - 1] = '\0';
}

void
ml_model_versions_transition(struct ml_call *c)
{
	const char *name, *stage;
	pl_model_stage to;
	pl_model_version *v = NULL;
	pl_promote_result *res = NULL;
	pl_promote_opts po;
	pl_config *cfg = NULL;
	char *cfgpath = NULL, err[1024], gates[800];
	int version, rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    get_version(c, &version) < 0 ||
	    ml_get_str(c, c->in, "stage", 1, &stage) < 0)
		return;
	if (parse_stage(c, stage, &to) < 0)
		return;
	if ((rc = pl_model_get(&v, c->st, name, version)) != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	/* a replayed transition finds the version there already: the same
	 * answer, nothing run twice */
	if (v->stage == to) {
		pl_model_version_free(v);
		reply_version(c, name, version);
		return;
	}
	pl_model_version_free(v);
	/* plumb holds one version per stage for Staging and Production (a
	 * deploy target serves one version): promotion archives the holder,
	 * whatever archive_existing_versions says.  With false (the
	 * client's default) MLflow would keep both in the stage, and its
	 * get-latest-versions would then give the newer one: what plumb
	 * gives too.  Refusing false instead broke every script that calls
	 * transition_model_version_stage without the flag. */
	/* the gates and deploy targets of plumb.yaml, as `plumb model
	 * promote` finds it */
	rc = pl_config_find(&cfgpath, NULL, pl_store_dir(c->st));
	if (rc == PL_OK) {
		rc = pl_config_load(&cfg, cfgpath, err, sizeof err);
		free(cfgpath);
		if (rc != PL_OK) {
			ml_error(c, "INVALID_STATE", "plumb.yaml: %s", err);
			return;
		}
	}
	memset(&po, 0, sizeof po);
	po.name = name;
	po.version = version;
	po.to = to;
	po.reason = "MLflow API transition-stage";
	po.cfg = cfg;
	rc = pl_model_promote(&res, c->st, &po);
	if (rc != PL_OK) {
		ml_engine_error(c, rc);
		goto out;
	}
	switch (res->outcome) {
	case PL_PROMOTE_DONE:
		reply_version(c, name, version);
		break;
	case PL_PROMOTE_REJECTED:
		/* deterministic: a 4xx, so the client does not retry it */
		failed_gates(gates, sizeof gates, res->gates);
		ml_error(c, "INVALID_PARAMETER_VALUE", "Model %s version %d was "
		    "not moved to %s: a gate of plumb.yaml failed (%s); nothing "
		    "changed", name, version, stage_wire(to), gates);
		break;
	case PL_PROMOTE_FAILED:
		ml_error(c, "RESOURCE_CONFLICT", "Model %s version %d was not "
		    "moved to %s: deploy failed and the previous version was "
		    "restored: %s", name, version, stage_wire(to), res->detail);
		break;
	}
out:
	pl_promote_result_free(res);
	pl_config_free(cfg);
}

/* ---- search ---- */

/* One clause of a registry filter: IDENT OP 'value' | IDENT IN (...). */
struct clause {
	char ident[256];	/* "name", "run_id", "source_path",
				 * "tags.KEY" */
	char op[8];		/* "=", "!=", "like", "ilike", "in" */
	char **vals;
	size_t nvals;
};

static void
clauses_free(struct clause *cl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < cl[i].nvals; k++)
			free(cl[i].vals[k]);
		free(cl[i].vals);
	}
	free(cl);
}

static const char *
skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* A quoted string ('...' or "..."), malloc'ed into *out. */
static const char *
quoted(const char *p, char **out)
{
	char q = *p;
	const char *e;

	*out = NULL;
	if (q != '\'' && q != '"')
		return NULL;
	if ((e = strchr(p + 1, q)) == NULL)
		return NULL;
	*out = strndup(p + 1, (size_t)(e - p - 1));
	return *out ? e + 1 : NULL;
}

static int
word_is(const char *p, const char *w)
{
	size_t n = strlen(w);

	return strncasecmp(p, w, n) == 0 && !isalnum((unsigned char)p[n]) &&
	    p[n] != '_';
}

/* Parses filter (clauses joined by AND) for idents allowed (a
 * NULL-terminated list; "tags." allows tags); -1 after a 400. */
static int
parse_filter(struct ml_call *c, const char *f, const char *const *allowed,
    struct clause **out, size_t *out_n)
{
	struct clause *cl = NULL;
	size_t n = 0;
	const char *p = skip_ws(f ? f : "");

	*out = NULL;
	*out_n = 0;
	while (*p) {
		struct clause *g = realloc(cl, (n + 1) * sizeof *cl), *k;
		size_t il = 0;
		int ok = 0;

		if (g == NULL)
			goto bad;
		cl = g;
		k = &cl[n++];
		memset(k, 0, sizeof *k);
		/* identifier: word chars and dots, or tags.`key` / tags."key" */
		if (strncasecmp(p, "tags.", 5) == 0 || strncasecmp(p, "tag.", 4)
		    == 0) {
			char *key = NULL;

			p = strchr(p, '.') + 1;
			if (*p == '`' || *p == '"') {
				char q = *p;
				const char *e = strchr(p + 1, q);

				if (e == NULL)
					goto bad;
				key = strndup(p + 1, (size_t)(e - p - 1));
				p = e + 1;
			} else {
				const char *s = p;

				while (isalnum((unsigned char)*p) || *p == '_' ||
				    *p == '.' || *p == '-')
					p++;
				key = strndup(s, (size_t)(p - s));
			}
			if (key == NULL || !*key)
				goto bad_key;
			snprintf(k->ident, sizeof k->ident, "tags.%s", key);
			free(key);
			ok = 1;
		} else {
			while ((isalnum((unsigned char)p[il]) || p[il] == '_') &&
			    il + 1 < sizeof k->ident) {
				k->ident[il] = (char)tolower((unsigned char)p[il]);
				il++;
			}
			k->ident[il] = '\0';
			p += il;
			for (size_t i = 0; allowed[i]; i++)
				ok |= strcmp(allowed[i], k->ident) == 0;
		}
		if (!ok) {
		bad_key:
			ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid filter "
			    "'%s': unsupported attribute (searchable: %s%s%s, "
			    "tags.KEY)", f, allowed[0], allowed[1] ? ", " : "",
			    allowed[1] ? allowed[1] : "");
			clauses_free(cl, n);
			return -1;
		}
		p = skip_ws(p);
		if (p[0] == '!' && p[1] == '=') {
			strcpy(k->op, "!=");
			p += 2;
		} else if (p[0] == '=') {
			strcpy(k->op, "=");
			p += 1;
		} else if (word_is(p, "ilike")) {
			strcpy(k->op, "ilike");
			p += 5;
		} else if (word_is(p, "like")) {
			strcpy(k->op, "like");
			p += 4;
		} else if (word_is(p, "in")) {
			strcpy(k->op, "in");
			p += 2;
		} else {
			goto bad;
		}
		p = skip_ws(p);
		if (strcmp(k->op, "in") == 0) {
			if (*p++ != '(')
				goto bad;
			for (;;) {
				char *v, **gv;

				p = skip_ws(p);
				if ((p = quoted(p, &v)) == NULL)
					goto bad;
				gv = realloc(k->vals, (k->nvals + 1) *
				    sizeof *gv);
				if (gv == NULL) {
					free(v);
					goto bad;
				}
				k->vals = gv;
				k->vals[k->nvals++] = v;
				p = skip_ws(p);
				if (*p == ')') {
					p++;
					break;
				}
				if (*p++ != ',')
					goto bad;
			}
		} else {
			char *v;

			if ((p = quoted(p, &v)) == NULL ||
			    (k->vals = malloc(sizeof *k->vals)) == NULL) {
				free(p ? v : NULL);
				goto bad;
			}
			k->vals[0] = v;
			k->nvals = 1;
		}
		p = skip_ws(p);
		if (*p == '\0')
			break;
		if (!word_is(p, "and"))
			goto bad;
		p = skip_ws(p + 3);
	}
	*out = cl;
	*out_n = n;
	return 0;
bad:
	ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid filter '%s': clauses "
	    "are IDENT = 'value', != , LIKE, ILIKE or IN ('a', 'b'), joined "
	    "by AND", f);
	clauses_free(cl, n);
	return -1;
}

/* Whether value (NULL: absent, never matches) passes clause k. */
static int
clause_match(const struct clause *k, const char *value)
{
	if (value == NULL)
		return 0;
	if (strcmp(k->op, "=") == 0)
		return strcmp(value, k->vals[0]) == 0;
	if (strcmp(k->op, "!=") == 0)
		return strcmp(value, k->vals[0]) != 0;
	if (strcmp(k->op, "like") == 0 || strcmp(k->op, "ilike") == 0)
		return pl_like_match(k->vals[0], value, k->op[0] == 'i');
	for (size_t i = 0; i < k->nvals; i++)
		if (strcmp(value, k->vals[i]) == 0)
			return 1;
	return 0;
}

static const char *
kv_get(const pl_kvlist *l, const char *key)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].value;
	return NULL;
}

/* Paging of a sorted result: max_results (default def, at most lim) and
 * the offset of page_token.  -1 after a 400. */
static int
paging(struct ml_call *c, int64_t def, int64_t lim, int64_t *max,
    int64_t *off)
{
	const char *tok = NULL;

	if (ml_get_i64(c, c->in, "max_results", 0, def, max) < 0 ||
	    ml_get_str(c, c->in, "page_token", 0, &tok) < 0 ||
	    ml_token_offset(c, tok, off) < 0)
		return -1;
	if (*max <= 0 || *max > lim) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid value for "
		    "max_results: it must be between 1 and %lld",
		    (long long)lim);
		return -1;
	}
	return 0;
}

/* order_by: one key of keys (with ASC/DESC); *key -1 for the default. */
static int
order_by(struct ml_call *c, const char *const *keys, int *key, int *desc)
{
	const char **v = NULL;
	size_t n = 0;

	*key = -1;
	*desc = 0;
	if (ml_get_strs(c, "order_by", &v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && i < 1; i++) {
		const char *p = skip_ws(v[i]);
		size_t l = 0;

		while (p[l] && !isspace((unsigned char)p[l]))
			l++;
		for (int k = 0; keys[k]; k++)
			if (strlen(keys[k]) == l && strncasecmp(p, keys[k], l)
			    == 0)
				*key = k;
		p = skip_ws(p + l);
		if (*key < 0 || (*p && !word_is(p, "asc") &&
		    !word_is(p, "desc"))) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid order_by "
			    "clause '%s'", v[i]);
			free(v);
			return -1;
		}
		*desc = word_is(p, "desc");
	}
	free(v);
	return 0;
}

/* A page of the JSON items in all (taking them), under field. */
static void
reply_page(struct ml_call *c, json_t *all, const char *field, int64_t max,
    int64_t off)
{
	json_t *page = json_array(), *o = json_object();
	size_t n = json_array_size(all);

	for (size_t i = (size_t)off; page && i < n && i < (size_t)(off + max);
	    i++)
		json_array_append(page, json_array_get(all, i));
	if (json_array_size(page))
		json_object_set_new(o, field, page);
	else
		json_decref(page);
	if ((size_t)(off + max) < n) {
		char *t = ml_token_make(off + max);

		if (t)
			json_object_set_new(o, "next_page_token",
			    json_string(t));
		free(t);
	}
	json_decref(all);
	ml_ok(c, o);
}

struct sortable {
	json_t *j;
	const char *name;
	int version;
	int64_t created, updated;
};

struct sort_by {
	int key, desc;
};

static int
cmp_items(const void *a, const void *b, void *arg)
{
	const struct sortable *x = a, *y = b;
	const struct sort_by *sb = arg;
	int r = 0;

	switch (sb->key) {
	case 1:
		r = x->version < y->version ? -1 : x->version > y->version;
		break;
	case 2:
		r = x->created < y->created ? -1 : x->created > y->created;
		break;
	case 3:
		r = x->updated < y->updated ? -1 : x->updated > y->updated;
		break;
	default:
		r = strcmp(x->name, y->name);
	}
	if (sb->desc)
		r = -r;
	if (r == 0)
		r = strcmp(x->name, y->name);
	if (r == 0)	/* versions: newest first */
		r = y->version - x->version;
	return r;
}

static int64_t
jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Sorts items by the order_by key and replies a page. */
static void
sort_reply(struct ml_call *c, struct sortable *it, size_t n, int key,
    int desc, const char *field, int64_t max, int64_t off)
{
	json_t *all = json_array();
	struct sort_by sb = { key < 0 ? 0 : key, desc };

	qsort_r(it, n, sizeof *it, cmp_items, &sb);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(all, it[i].j);
	reply_page(c, all, field, max, off);
}

void
ml_registered_models_search(struct ml_call *c)
{
	static const char *const idents[] = { "name", NULL };
	static const char *const keys[] = { "name", "version_number_unused",
	    "creation_timestamp", "last_updated_timestamp", NULL };
	const char *filter = NULL;
	struct clause *cl = NULL;
	size_t ncl = 0, nms = 0, n = 0;
	pl_model_summary *ms = NULL;
	struct sortable *it = NULL;
	int64_t max, off;
	int key, desc, rc;

	if (ml_get_str(c, c->in, "filter", 0, &filter) < 0 ||
	    paging(c, 100, 1000, &max, &off) < 0 ||
	    order_by(c, keys, &key, &desc) < 0 ||
	    parse_filter(c, filter, idents, &cl, &ncl) < 0)
		return;
	if ((rc = pl_model_list(&ms, &nms, c->st)) != PL_OK) {
		ml_engine_error(c, rc);
		goto out;
	}
	if ((it = calloc(nms ? nms : 1, sizeof *it)) == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nms; i++) {
		pl_kvlist *tags = NULL;
		int match = 1;
		json_t *j;

		if ((rc = pl_model_tags(&tags, c->st, ms[i].name, 0)) != PL_OK) {
			ml_engine_error(c, rc);
			goto out;
		}
		for (size_t k = 0; k < ncl && match; k++)
			match = clause_match(&cl[k], strncmp(cl[k].ident,
			    "tags.", 5) == 0 ? kv_get(tags, cl[k].ident + 5) :
			    ms[i].name);
		pl_kvlist_free(tags);
		if (!match)
			continue;
		if ((j = model_json(c, ms[i].name)) == NULL)
			goto out;
		it[n].j = j;
		it[n].name = json_string_value(json_object_get(j, "name"));
		it[n].created = jint(j, "creation_timestamp");
		it[n].updated = jint(j, "last_updated_timestamp");
		n++;
	}
	sort_reply(c, it, n, key, desc, "registered_models", max, off);
	n = 0;
out:
	for (size_t i = 0; i < n; i++)
		json_decref(it[i].j);
	free(it);
	pl_model_summary_free(ms, nms);
	clauses_free(cl, ncl);
}

void
ml_model_versions_search(struct ml_call *c)
{
	static const char *const idents[] = { "name", "run_id",
	    "source_path", NULL };
	static const char *const keys[] = { "name", "version_number",
	    "creation_timestamp", "last_updated_timestamp", NULL };
	const char *filter = NULL;
	struct clause *cl = NULL;
	size_t ncl = 0, nms = 0, n = 0, cap = 0;
	pl_model_summary *ms = NULL;
	struct sortable *it = NULL;
	int64_t max, off;
	int key, desc, rc;

	if (ml_get_str(c, c->in, "filter", 0, &filter) < 0 ||
	    paging(c, 10000, 200000, &max, &off) < 0 ||
	    order_by(c, keys, &key, &desc) < 0 ||
	    parse_filter(c, filter, idents, &cl, &ncl) < 0)
		return;
	if ((rc = pl_model_list(&ms, &nms, c->st)) != PL_OK) {
		ml_engine_error(c, rc);
		goto out;
	}
	for (size_t i = 0; i < nms; i++) {
		pl_model_version **v = NULL;
		size_t nv = 0;
		int skip = 0;

		/* a name clause that cannot match skips the model whole */
		for (size_t k = 0; k < ncl; k++)
			if (strcmp(cl[k].ident, "name") == 0 &&
			    !clause_match(&cl[k], ms[i].name))
				skip = 1;
		if (skip)
			continue;
		if (all_versions(c, ms[i].name, &v, &nv) < 0)
			goto out;
		for (size_t j = 0; j < nv; j++) {
			pl_kvlist *tags = NULL;
			int match = 1;
			json_t *o;

			if ((rc = pl_model_tags(&tags, c->st, ms[i].name,
			    v[j]->version)) != PL_OK) {
				versions_free(v, nv);
				ml_engine_error(c, rc);
				goto out;
			}
			for (size_t k = 0; k < ncl && match; k++) {
				const char *id = cl[k].ident;

				match = clause_match(&cl[k],
				    strncmp(id, "tags.", 5) == 0 ?
				    kv_get(tags, id + 5) :
				    strcmp(id, "run_id") == 0 ? v[j]->run_id :
				    strcmp(id, "source_path") == 0 ?
				    v[j]->source_path : v[j]->model);
			}
			pl_kvlist_free(tags);
			if (!match)
				continue;
			if (n == cap) {
				struct sortable *g;

				cap = cap ? cap * 2 : 16;
				if ((g = realloc(it, cap * sizeof *it)) == NULL) {
					versions_free(v, nv);
					ml_error(c, "INTERNAL_ERROR", "out of "
					    "memory");
					goto out;
				}
				it = g;
			}
			if ((o = version_json(c, v[j])) == NULL) {
				versions_free(v, nv);
				goto out;
			}
			it[n].j = o;
			it[n].name = json_string_value(json_object_get(o,
			    "name"));
			it[n].version = v[j]->version;
			it[n].created = jint(o, "creation_timestamp");
			it[n].updated = jint(o, "last_updated_timestamp");
			n++;
		}
		versions_free(v, nv);
	}
	sort_reply(c, it, n, key, desc, "model_versions", max, off);
	n = 0;
out:
	for (size_t i = 0; i < n; i++)
		json_decref(it[i].j);
	free(it);
	pl_model_summary_free(ms, nms);
	clauses_free(cl, ncl);
}
