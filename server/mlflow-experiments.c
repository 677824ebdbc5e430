/* mlflow-experiments.c - MLflow's experiments/ calls on plumb's experiments: create, get, get-by-name, delete, restore, update, set-experiment-tag. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlflow.h"

/* Experiment tags: key <= 250 characters, value <= 5000 (MLflow's). */
#define EXP_TAG_VALUE_MAX 5000

json_t *
ml_experiment_json(const pl_experiment_rec *e)
{
	char id[24], loc[64];
	json_t *o, *tags;

	ml_exp_wire_id(id, e->id, e->name);
	/* Without a location of its own, the artifacts proxy's scheme:
	 * with a local path, MLflow's client would write to its own disk. */
	snprintf(loc, sizeof loc, "mlflow-artifacts:/%s", id);
	o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I}", "experiment_id", id,
	    "name", e->name, "artifact_location", e->artifact_location ?
	    e->artifact_location : loc, "lifecycle_stage", e->deleted_ms ?
	    "deleted" : "active", "creation_time", (json_int_t)e->created_ms,
	    "last_update_time", (json_int_t)e->updated_ms);
	if (o == NULL)
		return NULL;
	if (e->tags->n) {
		tags = json_array();
		for (size_t i = 0; i < e->tags->n; i++)
			json_array_append_new(tags, json_pack("{s:s,s:s}",
			    "key", e->tags->items[i].key, "value",
			    e->tags->items[i].value));
		json_object_set_new(o, "tags", tags);
	}
	return o;
}

/* Reads the experiment_id field and the experiment. */
static int
read_exp(struct ml_call *c, pl_experiment_rec **out)
{
	const char *wire;
	int64_t id;
	int rc;

	*out = NULL;
	if (ml_get_str(c, c->in, "experiment_id", 1, &wire) < 0 ||
	    ml_exp_resolve(c, wire, &id) < 0)
		return -1;
	if ((rc = pl_experiment_read(out, c->st, id)) != PL_OK) {
		ml_engine_error(c, rc);
		return -1;
	}
	return 0;
}

static void
reply_exp(struct ml_call *c, const pl_experiment_rec *e)
{
	json_t *o = ml_experiment_json(e);

	if (o == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return;
	}
	ml_ok(c, json_pack("{s:o}", "experiment", o));
}

/* Reads tags[] of {key, value} into a kvlist (borrowed strings). */
static int
read_tags(struct ml_call *c, pl_kvlist *out)
{
	json_t *arr, *t;
	size_t i;

	out->n = 0;
	out->items = NULL;
	if (ml_get_arr(c, c->in, "tags", &arr) < 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	if ((out->items = calloc(json_array_size(arr), sizeof *out->items)) ==
	    NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, t) {
		const char *k, *v;

		if (!json_is_object(t)) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "tags[%zu] must "
			    "be an object with key and value", i);
			return -1;
		}
		if (ml_get_str(c, t, "key", 1, &k) < 0 ||
		    ml_get_str(c, t, "value", 0, &v) < 0 ||
		    ml_check_key(c, "tag", k) < 0)
			return -1;
		if (v && strlen(v) > EXP_TAG_VALUE_MAX) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "Tag value of "
			    "'%s' is over %d characters", k, EXP_TAG_VALUE_MAX);
			return -1;
		}
		out->items[out->n].key = (char *)k;
		out->items[out->n].value = (char *)(v ? v : "");
		out->n++;
	}
	return 0;
}

void
ml_experiments_create(struct ml_call *c)
{
	const char *name, *loc;
	pl_kvlist tags;
	char wire[24];
	int64_t id;
	int rc;

	if (ml_get_str(c, c->in, "name", 1, &name) < 0 ||
	    ml_get_str(c, c->in, "artifact_location", 0, &loc) < 0)
		return;
	if (read_tags(c, &tags) < 0) {
		free(tags.items);
		return;
	}
	rc = pl_experiment_create(&id, c->st, name, loc, &tags);
	free(tags.items);
	if (rc == PL_EEXISTS) {
		/* A replayed create lands here too: one experiment stays. */
		ml_error(c, "RESOURCE_ALREADY_EXISTS", "Experiment '%s' "
		    "already exists.", name);
		return;
	}
	if (rc != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	ml_exp_wire_id(wire, id, name);
	ml_ok(c, json_pack("{s:s}", "experiment_id", wire));
}

void
ml_experiments_get(struct ml_call *c)
{
	pl_experiment_rec *e;

	if (read_exp(c, &e) < 0)
		return;
	reply_exp(c, e);
	pl_experiment_rec_free(e);
}

void
ml_experiments_get_by_name(struct ml_call *c)
{
	pl_experiment_rec *e = NULL;
	const char *name;
	int64_t id;
	int rc;

	if (ml_get_str(c, c->in, "experiment_name", 1, &name) < 0)
		return;
	if (strcmp(name, PL_EXPERIMENT_DEFAULT) == 0) {
		if (ml_exp_resolve(c, "0", &id) < 0)
			return;
		rc = PL_OK;
	} else {
		rc = pl_experiment_find(&id, c->st, name);
	}
	if (rc == PL_OK)
		rc = pl_experiment_read(&e, c->st, id);
	if (rc == PL_ENOTFOUND) {
		/* Exactly what the client reads as "no such experiment". */
		ml_error(c, "RESOURCE_DOES_NOT_EXIST", "Could not find "
		    "experiment with name '%s'", name);
		return;
	}
	if (rc != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	reply_exp(c, e);
	pl_experiment_rec_free(e);
}

static void
set_deleted(struct ml_call *c, int deleted)
{
	pl_experiment_rec *e;
	int rc;

	if (read_exp(c, &e) < 0)
		return;
	if (deleted && strcmp(e->name, PL_EXPERIMENT_DEFAULT) == 0) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Cannot delete the "
		    "default experiment '0'. This is an internally reserved "
		    "experiment.");
	} else if ((rc = pl_experiment_set_deleted(c->st, e->id, deleted)) !=
	    PL_OK) {
		ml_engine_error(c, rc);
	}
	pl_experiment_rec_free(e);
}

void
ml_experiments_delete(struct ml_call *c)
{
	set_deleted(c, 1);
}

void
ml_experiments_restore(struct ml_call *c)
{
	set_deleted(c, 0);
}

void
ml_experiments_update(struct ml_call *c)
{
	pl_experiment_rec *e;
	const char *name;
	int rc;

	if (read_exp(c, &e) < 0)
		return;
	if (ml_get_str(c, c->in, "new_name", 0, &name) < 0)
		goto done;
	if (name == NULL || *name == '\0') {	/* nothing to change */
		goto done;
	}
	if (e->deleted_ms) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Cannot rename a "
		    "non-active experiment.");
		goto done;
	}
	/* plumb's runs fall back to Default by name: it keeps its name. */
	if (strcmp(e->name, PL_EXPERIMENT_DEFAULT) == 0 &&
	    strcmp(name, e->name) != 0) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "The default experiment "
		    "'0' cannot be renamed.");
		goto done;
	}
	if ((rc = pl_experiment_rename(c->st, e->id, name)) != PL_OK)
		ml_engine_error(c, rc);
done:
	pl_experiment_rec_free(e);
}

void
ml_experiments_set_tag(struct ml_call *c)
{
	pl_experiment_rec *e;
	const char *key, *value;
	int rc;

	if (read_exp(c, &e) < 0)
		return;
	if (ml_get_str(c, c->in, "key", 1, &key) < 0 ||
	    ml_get_str(c, c->in, "value", 0, &value) < 0 ||
	    ml_check_key(c, "tag", key) < 0)
		goto done;
	if (e->deleted_ms) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "The experiment %s must "
		    "be in the 'active' state.", e->name);
		goto done;
	}
	if (value && strlen(value) > EXP_TAG_VALUE_MAX) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Tag value of '%s' is "
		    "over %d characters", key, EXP_TAG_VALUE_MAX);
		goto done;
	}
	if ((rc = pl_experiment_set_tag(c->st, e->id, key, value ? value :
	    "")) != PL_OK)
		ml_engine_error(c, rc);
done:
	pl_experiment_rec_free(e);
}
