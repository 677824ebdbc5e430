/* artifact.c - a run's artifacts: files copied into the cache and recorded. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/cache.h"
#include "store/internal.h"
#include "track/run.h"
#include "vec.h"

int
pl_run_log_artifact(pl_store *st, const char *id, const char *path,
    const char *name)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO artifacts(run_id, path, sha256, size, "
	    "logged_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
	char hash[PL_HASH_HEX];
	int64_t size, rid;
	sqlite3_stmt *s;
	int rc;

	if ((rc = pl_cache_put_file(hash, &size, st, path)) != PL_OK)
		return rc;
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__run_rid(st, id, &rid)) != PL_OK)
		goto fail;
	if ((s = pl__stmt(st, sql)) == NULL) {
		rc = PL_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_text(s, 2, name ? name : path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, size);
	sqlite3_bind_int64(s, 5, pl__now_ms());
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "recording an artifact");
		goto fail;
	}
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_run_artifacts(pl_artifact **out, size_t *out_n, pl_store *st,
    const char *id)
{
	static const char sql[] =
	    "SELECT path, sha256, size, logged_ms FROM artifacts "
	    "WHERE run_id = (SELECT rid FROM runs WHERE id = ?1) ORDER BY path";
	pl_artifact *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = pl__stmt(st, sql);
	int rc;

	*out = NULL;
	*out_n = 0;
	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (vec_grow(&v, &cap, n, sizeof *v, 8) < 0) {
			sqlite3_reset(s);
			pl_artifact_list_free(v, n);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
		v[n].path = strdup((const char *)sqlite3_column_text(s, 0));
		snprintf(v[n].sha256, sizeof v[n].sha256, "%s",
		    sqlite3_column_text(s, 1));
		v[n].size = sqlite3_column_int64(s, 2);
		v[n].logged_ms = sqlite3_column_int64(s, 3);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_artifact_list_free(v, n);
		return pl__sqlerr(st, rc, "listing artifacts");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

void
pl_artifact_list_free(pl_artifact *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].path);
	free(a);
}
