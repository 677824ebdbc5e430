/* mlflow-runs.c - MLflow's runs/ calls on plumb runs: create, get, update, delete, restore, and logging metrics, params, tags and batches. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "mlflow.h"

/* mlflow/utils/validation.py */
#define MAX_METRICS 1000
#define MAX_PARAMS 100
#define MAX_TAGS 100
#define MAX_ENTITIES 1000
#define PARAM_VALUE_MAX 6000
#define TAG_VALUE_MAX 5000

#define RUN_NAME_TAG "mlflow.runName"

/* ---- runs as MLflow's JSON ---- */

static const char *
wire_status(pl_run_status s)
{
	switch (s) {
	case PL_RUN_RUNNING: return "RUNNING";
	case PL_RUN_FINISHED: return "FINISHED";
	case PL_RUN_KILLED: return "KILLED";
	default: return "FAILED";	/* failed, and lost: MLflow has no
					 * word for a run whose process died */
	}
}

json_t *
ml_run_info_json(const pl_run_info *ri)
{
	char exp[24], uri[128];
	json_t *o;

	ml_exp_wire_id(exp, ri->experiment_id, ri->experiment);
	snprintf(uri, sizeof uri, "mlflow-artifacts:/%s/%s/artifacts", exp,
	    ri->id);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s}",
	    "run_id", ri->id, "run_uuid", ri->id, "experiment_id", exp,
	    "run_name", ri->name ? ri->name : "",
	    "user_id", ri->user ? ri->user : "",
	    "status", wire_status(ri->status),
	    "start_time", (json_int_t)ri->start_ms,
	    "artifact_uri", uri,
	    "lifecycle_stage", ri->deleted_ms ? "deleted" : "active");
	if (o && ri->end_ms > 0)
		json_object_set_new(o, "end_time", json_integer(ri->end_ms));
	return o;
}

static json_t *
kv_array(const pl_kvlist *l, const char *name_tag, const char *name)
{
	json_t *a = json_array();
	int has_name = 0;

	for (size_t i = 0; a && i < l->n; i++) {
		if (name_tag && strcmp(l->items[i].key, name_tag) == 0)
			has_name = 1;
		json_array_append_new(a, json_pack("{s:s,s:s}", "key",
		    l->items[i].key, "value", l->items[i].value));
	}
	/* Runs plumb started itself have a name but not MLflow's tag, which
	 * the MLflow UI and client read the name from. */
	if (a && name_tag && name && !has_name)
		json_array_append_new(a, json_pack("{s:s,s:s}", "key",
		    name_tag, "value", name));
	return a;
}

/* run.inputs as MLflow gives it: {"dataset_inputs": [{"tags": [...],
 * "dataset": {...}}]}, or {} for a run without inputs.  NULL with the
 * engine's code in *rc. */
static json_t *
inputs_json(pl_store *st, const char *id, int *rc)
{
	pl_dataset_input *v = NULL;
	size_t n = 0;
	json_t *o, *a;

	if ((*rc = pl_run_inputs(&v, &n, st, id)) != PL_OK)
		return NULL;
	*rc = PL_ENOMEM;
	if ((o = json_object()) == NULL || n == 0) {
		pl_dataset_inputs_free(v, n);
		if (o)
			*rc = PL_OK;
		return o;
	}
	a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		json_t *t = json_array(), *d;

		for (size_t k = 0; t && k < v[i].ntags; k++)
			json_array_append_new(t, json_pack("{s:s,s:s}", "key",
			    v[i].tags[k].key, "value", v[i].tags[k].value));
		d = json_pack("{s:s,s:s,s:s,s:s}", "name", v[i].name, "digest",
		    v[i].digest, "source_type", v[i].source_type, "source",
		    v[i].source);
		if (d && v[i].schema)
			json_object_set_new(d, "schema", json_string(v[i].schema));
		if (d && v[i].profile)
			json_object_set_new(d, "profile",
			    json_string(v[i].profile));
		json_array_append_new(a, json_pack("{s:o,s:o}", "tags",
		    t ? t : json_array(), "dataset", d ? d : json_object()));
	}
	pl_dataset_inputs_free(v, n);
	if (a == NULL || json_object_set_new(o, "dataset_inputs", a) < 0) {
		json_decref(o);
		return NULL;
	}
	*rc = PL_OK;
	return o;
}

json_t *
ml_run_json(pl_store *st, const pl_run_info *ri, int *rc)
{
	pl_kvlist *params = NULL, *tags = NULL;
	pl_metric_summary *m = NULL;
	size_t nm = 0;
	json_t *o = NULL, *data, *metrics, *inputs;
	int began = pl_store_read_begin(st);

	if ((*rc = pl_run_params(&params, st, ri->id)) != PL_OK ||
	    (*rc = pl_run_tags(&tags, st, ri->id)) != PL_OK ||
	    (*rc = pl_metric_summaries(&m, &nm, st, ri->id)) != PL_OK)
		goto done;
	*rc = PL_ENOMEM;
	metrics = json_array();
	for (size_t i = 0; metrics && i < nm; i++)
		json_array_append_new(metrics, json_pack("{s:s,s:o,s:I,s:I}",
		    "key", m[i].key, "value", ml_num(m[i].last),
		    "timestamp", (json_int_t)m[i].last_ts,
		    "step", (json_int_t)m[i].last_step));
	data = json_pack("{s:o,s:o,s:o}", "metrics", metrics,
	    "params", kv_array(params, NULL, NULL),
	    "tags", kv_array(tags, RUN_NAME_TAG, ri->name));
	if (data == NULL || (inputs = inputs_json(st, ri->id, rc)) == NULL) {
		json_decref(data);
		goto done;
	}
	o = json_pack("{s:o,s:o,s:o}", "info", ml_run_info_json(ri), "data",
	    data, "inputs", inputs);
	if (o)
		*rc = PL_OK;
done:
	pl_store_read_end(st, began);
	pl_kvlist_free(params);
	pl_kvlist_free(tags);
	pl_metric_summary_free(m, nm);
	return o;
}

/* Replies {"run": ...} for the run id, read again after a write. */
static void
reply_run(struct ml_call *c, const char *id, const char *field)
{
	pl_run_info *ri = NULL;
	json_t *o;
	int rc;

	if ((rc = pl_run_get(&ri, c->st, id)) != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	if (strcmp(field, "run_info") == 0) {
		o = ml_run_info_json(ri);
		rc = o ? PL_OK : PL_ENOMEM;
	} else {
		o = ml_run_json(c->st, ri, &rc);
	}
	pl_run_info_free(ri);
	if (o == NULL) {
		if (rc == PL_ENOMEM)
			ml_error(c, "INTERNAL_ERROR", "out of memory");
		else
			ml_engine_error(c, rc);
		return;
	}
	ml_ok(c, json_pack("{s:o}", field, o));
}

/* ---- reading keys and values ---- */

/* Reads an array of {key, value} (params or tags) into *out (borrowed
 * strings), checking keys and value lengths.  -1 after a 400. */
static int
read_kvs(struct ml_call *c, json_t *obj, const char *field, const char *what,
    size_t maxval, struct pl_kv **out, size_t *n)
{
	json_t *arr, *t;
	size_t i;

	*out = NULL;
	*n = 0;
	if (ml_get_arr(c, obj, field, &arr) < 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	if ((*out = calloc(json_array_size(arr), sizeof **out)) == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, t) {
		const char *k, *v;

		if (!json_is_object(t)) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "%s[%zu] must be "
			    "an object with key and value", field, i);
			return -1;
		}
		if (ml_get_str(c, t, "key", 1, &k) < 0 ||
		    ml_get_str(c, t, "value", 0, &v) < 0 ||
		    ml_check_key(c, what, k) < 0)
			return -1;
		if (v && strlen(v) > maxval) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "%s '%s' has a "
			    "value of %zu characters, over the limit of %zu",
			    what, k, strlen(v), maxval);
			return -1;
		}
		(*out)[*n].key = (char *)k;
		(*out)[*n].value = (char *)(v ? v : "");
		(*n)++;
	}
	return 0;
}

/* One metric {key, value, timestamp, step} of obj. */
static int
read_point(struct ml_call *c, json_t *obj, pl_batch_point *p)
{
	if (ml_get_str(c, obj, "key", 1, &p->key) < 0 ||
	    ml_check_key(c, "metric", p->key) < 0 ||
	    ml_get_dbl(c, obj, "value", 1, &p->value) < 0 ||
	    ml_get_i64(c, obj, "timestamp", 1, 0, &p->ts_ms) < 0 ||
	    ml_get_i64(c, obj, "step", 0, 0, &p->step) < 0)
		return -1;
	if (p->ts_ms < 0) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Metric '%s' has a "
		    "negative timestamp %lld", p->key, (long long)p->ts_ms);
		return -1;
	}
	return 0;
}

/* Writes a batch and answers its engine errors as MLflow does: a param
 * changed is a 400 INVALID_PARAMETER_VALUE, not "already exists". */
static int
write_batch(struct ml_call *c, const char *id, const pl_batch_point *m,
    size_t nm, const struct pl_kv *p, size_t np, const struct pl_kv *t,
    size_t nt)
{
	int rc = pl_run_log_batch(c->st, id, m, nm, p, np, t, nt);

	if (rc == PL_OK)
		return 0;
	if (rc == PL_EEXISTS)
		ml_error(c, "INVALID_PARAMETER_VALUE", "%s",
		    pl_store_errmsg(c->st));
	else
		ml_engine_error(c, rc);
	return -1;
}

/* Setting mlflow.runName renames the run, as MLflow's server does. */
static int
rename_from_tags(struct ml_call *c, const char *id, const struct pl_kv *t,
    size_t nt)
{
	const char *name = NULL;
	int rc;

	for (size_t i = 0; i < nt; i++)
		if (strcmp(t[i].key, RUN_NAME_TAG) == 0)
			name = t[i].value;
	if (name == NULL)
		return 0;
	if ((rc = pl_run_update(c->st, id, -1, 0, name)) != PL_OK) {
		ml_engine_error(c, rc);
		return -1;
	}
	return 0;
}

/* ---- the calls ---- */

/* A name like MLflow's "bright-fox-412" for a run created without one. */
static void
invent_name(char *out, size_t len)
{
	static const char *const adj[] = {
		"amber", "bold", "brave", "bright", "calm", "clever", "crisp",
		"dapper", "eager", "gentle", "golden", "jolly", "keen", "lucky",
		"merry", "nimble", "quiet", "rare", "silent", "swift", "tidy",
		"vivid", "wise", "witty",
	};
	static const char *const noun[] = {
		"ant", "bass", "bear", "crane", "deer", "eel", "finch", "fox",
		"gull", "hare", "heron", "ibis", "lark", "lynx", "mole", "newt",
		"owl", "panda", "quail", "seal", "shrew", "stork", "toad",
		"wren",
	};
	unsigned char r[4] = { 0 };

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		r[0] = r[1] = r[2] = r[3] = 7;
	snprintf(out, len, "%s-%s-%u", adj[r[0] % 24], noun[r[1] % 24],
	    (unsigned)((r[2] << 8 | r[3]) % 1000));
}

void
ml_runs_create(struct ml_call *c)
{
	const char *wire = NULL, *user, *name;
	pl_experiment_rec *e = NULL;
	struct pl_kv *tags = NULL, *all = NULL;
	size_t nt = 0;
	int64_t exp_id, start;
	char id[PL_ID_LEN + 1], made[64];
	pl_run_spec spec;
	int rc;

	if (ml_get_str(c, c->in, "experiment_id", 0, &wire) < 0 ||
	    ml_exp_resolve(c, wire && *wire ? wire : "0", &exp_id) < 0 ||
	    ml_get_str(c, c->in, "user_id", 0, &user) < 0 ||
	    ml_get_i64(c, c->in, "start_time", 0, 0, &start) < 0 ||
	    ml_get_str(c, c->in, "run_name", 0, &name) < 0 ||
	    read_kvs(c, c->in, "tags", "tag", TAG_VALUE_MAX, &tags, &nt) < 0)
		goto done;
	if (start < 0) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "start_time must be >= "
		    "0, not %lld", (long long)start);
		goto done;
	}
	if ((rc = pl_experiment_read(&e, c->st, exp_id)) != PL_OK) {
		ml_engine_error(c, rc);
		goto done;
	}
	if (e->deleted_ms) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "The experiment %s must "
		    "be in the 'active' state. Current state is deleted.",
		    wire);
		goto done;
	}
	memset(&spec, 0, sizeof spec);
	/* The name: run_name, else the tag, else one made up (MLflow's
	 * server does the same and writes the tag). */
	for (size_t i = 0; i < nt; i++) {
		if ((name == NULL || *name == '\0') &&
		    strcmp(tags[i].key, RUN_NAME_TAG) == 0)
			name = tags[i].value;
		/* A nested run: plumb's own parent link, for lineage. */
		if (strcmp(tags[i].key, "mlflow.parentRunId") == 0 &&
		    strlen(tags[i].value) == PL_ID_LEN &&
		    pl_run_resolve(id, c->st, tags[i].value) == PL_OK)
			spec.parent = tags[i].value;
	}
	if (name == NULL || *name == '\0') {
		invent_name(made, sizeof made);
		name = made;
	}
	spec.experiment_id = exp_id;
	spec.name = name;
	/* The client's user_id, else the user of the request's token. */
	spec.user = user && *user ? user : c->r->user ? c->r->user : "";
	spec.start_ms = start;
	spec.detached = 1;
	if ((rc = pl_run_create(id, c->st, &spec)) != PL_OK) {
		ml_engine_error(c, rc);
		goto done;
	}
	/* The tags, with mlflow.runName the name the run got. */
	if ((all = calloc(nt + 1, sizeof *all)) == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	for (size_t i = 0; i < nt; i++)
		all[i] = tags[i];
	all[nt].key = (char *)RUN_NAME_TAG;
	all[nt].value = (char *)name;
	if (write_batch(c, id, NULL, 0, NULL, 0, all, nt + 1) < 0)
		goto done;
	reply_run(c, id, "run");
done:
	pl_experiment_rec_free(e);
	free(tags);
	free(all);
}

void
ml_runs_get(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];

	if (ml_get_run(c, 0, id, NULL) < 0)
		return;
	reply_run(c, id, "run");
}

/* MLflow's RunStatus by name (or number, as the proto enum), into a
 * pl_run_status; SCHEDULED is running to plumb. */
static int
parse_status(struct ml_call *c, int *out)
{
	static const struct {
		const char *name;
		int num;
		pl_run_status st;
	} map[] = {
		{ "RUNNING", 1, PL_RUN_RUNNING },
		{ "SCHEDULED", 2, PL_RUN_RUNNING },
		{ "FINISHED", 3, PL_RUN_FINISHED },
		{ "FAILED", 4, PL_RUN_FAILED },
		{ "KILLED", 5, PL_RUN_KILLED },
	};
	json_t *v = json_object_get(c->in, "status");

	*out = -1;
	if (v == NULL || json_is_null(v))
		return 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if ((json_is_string(v) && strcmp(json_string_value(v),
		    map[i].name) == 0) || (json_is_integer(v) &&
		    json_integer_value(v) == map[i].num)) {
			*out = (int)map[i].st;
			return 0;
		}
	ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid value for parameter "
	    "'status': expected one of RUNNING, SCHEDULED, FINISHED, FAILED, "
	    "KILLED");
	return -1;
}

void
ml_runs_update(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];
	const char *name;
	int64_t end;
	int status, rc;

	if (ml_get_run(c, 1, id, NULL) < 0 || parse_status(c, &status) < 0 ||
	    ml_get_i64(c, c->in, "end_time", 0, 0, &end) < 0 ||
	    ml_get_str(c, c->in, "run_name", 0, &name) < 0)
		return;
	if (end < 0) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "end_time must be >= 0, "
		    "not %lld", (long long)end);
		return;
	}
	if (name && *name == '\0')
		name = NULL;
	if ((rc = pl_run_update(c->st, id, status, end, name)) != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	if (name) {
		struct pl_kv t = { (char *)RUN_NAME_TAG, (char *)name };

		if (write_batch(c, id, NULL, 0, NULL, 0, &t, 1) < 0)
			return;
	}
	reply_run(c, id, "run_info");
}

static void
set_deleted(struct ml_call *c, int deleted)
{
	char id[PL_ID_LEN + 1];
	int rc;

	if (ml_get_run(c, 0, id, NULL) < 0)
		return;
	if ((rc = pl_run_set_deleted(c->st, id, deleted)) != PL_OK)
		ml_engine_error(c, rc);
}

void
ml_runs_delete(struct ml_call *c)
{
	set_deleted(c, 1);
}

void
ml_runs_restore(struct ml_call *c)
{
	set_deleted(c, 0);
}

void
ml_runs_log_metric(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];
	pl_batch_point p;

	/* The commonest call, from many clients at once: no read of the
	 * run first (the group's transaction refuses a missing or deleted
	 * run for this entry alone), and a group commit that answers. */
	if (ml_get_run_id(c, id) < 0 || read_point(c, c->in, &p) < 0)
		return;
	ml_group_log_point(c, id, &p);
}

/* key and value of a log-parameter or set-tag call. */
static int
read_kv(struct ml_call *c, const char *what, size_t maxval, struct pl_kv *kv)
{
	const char *k, *v;

	if (ml_get_str(c, c->in, "key", 1, &k) < 0 ||
	    ml_check_key(c, what, k) < 0 ||
	    ml_get_str(c, c->in, "value", 0, &v) < 0)
		return -1;
	if (v == NULL) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Missing value for "
		    "required parameter 'value'.");
		return -1;
	}
	if (strlen(v) > maxval) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "%s '%s' has a value of "
		    "%zu characters, over the limit of %zu", what, k,
		    strlen(v), maxval);
		return -1;
	}
	kv->key = (char *)k;
	kv->value = (char *)v;
	return 0;
}

void
ml_runs_log_param(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];
	struct pl_kv kv;

	if (ml_get_run(c, 1, id, NULL) < 0 ||
	    read_kv(c, "param", PARAM_VALUE_MAX, &kv) < 0)
		return;
	write_batch(c, id, NULL, 0, &kv, 1, NULL, 0);
}

void
ml_runs_set_tag(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];
	struct pl_kv kv;

	if (ml_get_run(c, 1, id, NULL) < 0 ||
	    read_kv(c, "tag", TAG_VALUE_MAX, &kv) < 0)
		return;
	if (write_batch(c, id, NULL, 0, NULL, 0, &kv, 1) == 0)
		rename_from_tags(c, id, &kv, 1);
}

void
ml_runs_delete_tag(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];
	const char *key;
	int rc;

	if (ml_get_run(c, 1, id, NULL) < 0 ||
	    ml_get_str(c, c->in, "key", 1, &key) < 0)
		return;
	if ((rc = pl_run_delete_tag(c->st, id, key)) != PL_OK)
		ml_engine_error(c, rc);
}

void
ml_runs_log_batch(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];
	struct pl_kv *params = NULL, *tags = NULL;
	pl_batch_point *pts = NULL;
	size_t np = 0, nt = 0, nm = 0, i;
	json_t *marr, *m;

	if (ml_get_run(c, 1, id, NULL) < 0 ||
	    ml_get_arr(c, c->in, "metrics", &marr) < 0)
		return;
	nm = marr ? json_array_size(marr) : 0;
	/* The limits first, before reading thousands of entries. */
	{
		json_t *pa = json_object_get(c->in, "params");
		json_t *ta = json_object_get(c->in, "tags");
		size_t pn = json_is_array(pa) ? json_array_size(pa) : 0;
		size_t tn = json_is_array(ta) ? json_array_size(ta) : 0;

		if (nm > MAX_METRICS || pn > MAX_PARAMS || tn > MAX_TAGS ||
		    nm + pn + tn > MAX_ENTITIES) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "A batch logging "
			    "request can contain at most %d metrics, %d "
			    "params, %d tags and %d items in all; got %zu "
			    "metrics, %zu params and %zu tags", MAX_METRICS,
			    MAX_PARAMS, MAX_TAGS, MAX_ENTITIES, nm, pn, tn);
			return;
		}
	}
	if (read_kvs(c, c->in, "params", "param", PARAM_VALUE_MAX, &params,
	    &np) < 0 || read_kvs(c, c->in, "tags", "tag", TAG_VALUE_MAX, &tags,
	    &nt) < 0)
		goto done;
	for (i = 0; i < np; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(params[i].key, params[j].key) == 0) {
				ml_error(c, "INVALID_PARAMETER_VALUE", "Duplicate "
				    "parameter keys have been submitted: "
				    "'%s'", params[i].key);
				goto done;
			}
	if (nm && (pts = calloc(nm, sizeof *pts)) == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	json_array_foreach(marr, i, m) {
		if (!json_is_object(m)) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "metrics[%zu] "
			    "must be an object", i);
			goto done;
		}
		if (read_point(c, m, &pts[i]) < 0)
			goto done;
	}
	/* Validated whole: a refused batch leaves nothing. */
	if (write_batch(c, id, pts, nm, params, np, tags, nt) == 0)
		rename_from_tags(c, id, tags, nt);
done:
	free(pts);
	free(params);
	free(tags);
}

/* MLflow's limits on dataset inputs (mlflow/utils/validation.py). */
#define DATASET_NAME_MAX 500
#define DATASET_DIGEST_MAX 36
#define DATASET_SOURCE_MAX 65535
#define DATASET_SCHEMA_MAX 1048575
#define DATASET_PROFILE_MAX 16384
#define INPUT_TAG_KEY_MAX 255
#define INPUT_TAG_VALUE_MAX 500

/* A string field of a dataset, at most max bytes; -1 after the 400. */
static int
ds_str(struct ml_call *c, json_t *obj, const char *name, int required,
    size_t max, const char **out)
{
	if (ml_get_str(c, obj, name, required, out) < 0)
		return -1;
	if (*out && strlen(*out) > max) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "dataset %s of %zu "
		    "bytes is over the limit of %zu", name, strlen(*out), max);
		return -1;
	}
	return 0;
}

/* One element of datasets[]: {"dataset": {...}, "tags": [...]}. */
static int
read_input(struct ml_call *c, json_t *e, pl_dataset_input *in)
{
	json_t *ds, *tags = NULL;
	size_t n;

	memset(in, 0, sizeof *in);
	if (!json_is_object(e) || !json_is_object(ds = json_object_get(e,
	    "dataset"))) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "each of datasets must "
		    "be an object with a dataset object");
		return -1;
	}
	if (ds_str(c, ds, "name", 1, DATASET_NAME_MAX,
	    (const char **)&in->name) < 0 ||
	    ds_str(c, ds, "digest", 1, DATASET_DIGEST_MAX,
	    (const char **)&in->digest) < 0 ||
	    ds_str(c, ds, "source_type", 1, DATASET_SOURCE_MAX,
	    (const char **)&in->source_type) < 0 ||
	    ds_str(c, ds, "source", 1, DATASET_SOURCE_MAX,
	    (const char **)&in->source) < 0 ||
	    ds_str(c, ds, "schema", 0, DATASET_SCHEMA_MAX,
	    (const char **)&in->schema) < 0 ||
	    ds_str(c, ds, "profile", 0, DATASET_PROFILE_MAX,
	    (const char **)&in->profile) < 0 ||
	    ml_get_arr(c, e, "tags", &tags) < 0)
		return -1;
	if (tags == NULL || (n = json_array_size(tags)) == 0)
		return 0;
	if ((in->tags = calloc(n, sizeof *in->tags)) == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(tags, i);
		const char *k, *v;

		if (!json_is_object(t)) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "an input tag "
			    "must be an object with key and value");
			return -1;
		}
		if (ml_get_str(c, t, "key", 1, &k) < 0 ||
		    ml_get_str(c, t, "value", 1, &v) < 0)
			return -1;
		if (strlen(k) > INPUT_TAG_KEY_MAX ||
		    strlen(v) > INPUT_TAG_VALUE_MAX) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "input tag '%.64s' "
			    "is over the limit (key %d, value %d characters)", k,
			    INPUT_TAG_KEY_MAX, INPUT_TAG_VALUE_MAX);
			return -1;
		}
		in->tags[i].key = (char *)k;
		in->tags[i].value = (char *)v;
		in->ntags++;
	}
	return 0;
}

void
ml_runs_log_inputs(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];
	pl_dataset_input *v = NULL;
	json_t *ds;
	size_t n = 0;
	int rc;

	/* Checked whole before anything is written: a refused call writes
	 * nothing.  The strings stay jansson's (borrowed). */
	if (ml_get_run(c, 1, id, NULL) < 0 ||
	    ml_get_arr(c, c->in, "datasets", &ds) < 0)
		return;
	if (ds && (n = json_array_size(ds)) > 0) {
		if ((v = calloc(n, sizeof *v)) == NULL) {
			ml_error(c, "INTERNAL_ERROR", "out of memory");
			return;
		}
		for (size_t i = 0; i < n; i++)
			if (read_input(c, json_array_get(ds, i), &v[i]) < 0)
				goto done;
		if ((rc = pl_run_log_inputs(c->st, id, v, n)) != PL_OK)
			ml_engine_error(c, rc);
	}
done:
	for (size_t i = 0; v && i < n; i++)
		free(v[i].tags);
	free(v);
}
