/* inputs.c - the datasets a run read (MLflow's runs/log-inputs): recorded once per name and digest, read back in order. */
#include "config.h"
#include "track/run.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

static int
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) :
	    sqlite3_bind_null(s, i);
}

/* Inserts one input and, when it is new, its tags. */
static int
put_input(pl_store *st, int64_t rid, const pl_dataset_input *in)
{
	static const char ins[] =
	    "INSERT OR IGNORE INTO run_inputs(run_id, seq, name, digest, "
	    "source_type, source, schema, profile) VALUES (?1, (SELECT "
	    "coalesce(max(seq), -1) + 1 FROM run_inputs WHERE run_id = ?1), "
	    "?2, ?3, ?4, ?5, ?6, ?7)";
	static const char tag[] =
	    "INSERT OR REPLACE INTO run_input_tags(run_id, name, digest, key, "
	    "value) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *s;
	int rc;

	if (in->name == NULL || *in->name == '\0' || in->digest == NULL ||
	    *in->digest == '\0')
		return pl__err(st, PL_EINVAL, "a dataset input needs a name "
		    "and a digest");
	if ((s = pl__stmt(st, ins)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_text(s, 2, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, in->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, in->source_type ? in->source_type : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 5, in->source ? in->source : "", -1,
	    SQLITE_STATIC);
	bind_opt(s, 6, in->schema);
	bind_opt(s, 7, in->profile);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "recording a dataset input");
	/* held already: left as it is (MLflow's rule), tags too */
	if (sqlite3_changes(st->db) == 0)
		return PL_OK;
	for (size_t k = 0; k < in->ntags; k++) {
		if ((s = pl__stmt(st, tag)) == NULL)
			return PL_ERROR;
		sqlite3_bind_int64(s, 1, rid);
		sqlite3_bind_text(s, 2, in->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, in->digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, in->tags[k].key ? in->tags[k].key : "",
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, in->tags[k].value ?
		    in->tags[k].value : "", -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return pl__sqlerr(st, rc, "recording an input's tag");
	}
	return PL_OK;
}

int
pl_run_log_inputs(pl_store *st, const char *id, const pl_dataset_input *v,
    size_t n)
{
	int64_t rid;
	int rc;

	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__live_rid(st, id, &rid)) != PL_OK)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if ((rc = put_input(st, rid, &v[i])) != PL_OK)
			goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

/* The tags of one input (v->tags, v->ntags). */
static int
read_tags(pl_store *st, int64_t rid, pl_dataset_input *v)
{
	static const char sql[] =
	    "SELECT key, value FROM run_input_tags WHERE run_id = ?1 AND "
	    "name = ?2 AND digest = ?3 ORDER BY key";
	sqlite3_stmt *s = pl__stmt(st, sql);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_text(s, 2, v->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, v->digest, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (v->ntags == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct pl_kv *g = realloc(v->tags, nc * sizeof *g);

			if (g == NULL) {
				sqlite3_reset(s);
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
			v->tags = g;
			cap = nc;
		}
		v->tags[v->ntags].key = col_dup(s, 0);
		v->tags[v->ntags].value = col_dup(s, 1);
		if (v->tags[v->ntags].key == NULL ||
		    v->tags[v->ntags].value == NULL) {
			free(v->tags[v->ntags].key);
			free(v->tags[v->ntags].value);
			sqlite3_reset(s);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
		v->ntags++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "reading an input's tags");
	return PL_OK;
}

int
pl_run_inputs(pl_dataset_input **out, size_t *out_n, pl_store *st,
    const char *id)
{
	static const char sql[] =
	    "SELECT name, digest, source_type, source, schema, profile "
	    "FROM run_inputs WHERE run_id = ?1 ORDER BY seq";
	pl_dataset_input *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int64_t rid;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((rc = pl__run_rid(st, id, &rid)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, rid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 4;
			pl_dataset_input *g = realloc(v, nc * sizeof *g);

			if (g == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = g;
			cap = nc;
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = col_dup(s, 0);
		v[n].digest = col_dup(s, 1);
		v[n].source_type = col_dup(s, 2);
		v[n].source = col_dup(s, 3);
		v[n].schema = col_dup(s, 4);
		v[n].profile = col_dup(s, 5);
		n++;
		if (!v[n - 1].name || !v[n - 1].digest ||
		    !v[n - 1].source_type || !v[n - 1].source) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc == SQLITE_NOMEM) {
		pl_dataset_inputs_free(v, n);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	if (rc != SQLITE_DONE) {
		pl_dataset_inputs_free(v, n);
		return pl__sqlerr(st, rc, "reading a run's inputs");
	}
	/* (tags after the list: one statement at a time) */
	for (size_t i = 0; i < n; i++)
		if ((rc = read_tags(st, rid, &v[i])) != PL_OK) {
			pl_dataset_inputs_free(v, n);
			return rc;
		}
	*out = v;
	*out_n = n;
	return PL_OK;
}

void
pl_dataset_inputs_free(pl_dataset_input *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].digest);
		free(v[i].source_type);
		free(v[i].source);
		free(v[i].schema);
		free(v[i].profile);
		for (size_t k = 0; k < v[i].ntags; k++) {
			free(v[i].tags[k].key);
			free(v[i].tags[k].value);
		}
		free(v[i].tags);
	}
	free(v);
}
