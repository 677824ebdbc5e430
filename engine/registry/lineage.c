/* lineage.c - lineage: the dep paths and hashes a stage read, from the pipeline's lock file (pl_lock). */
#include "config.h"
#include "config/plumb-yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/error.h"
#include "pipeline/lock.h"
#include "registry/registry.h"

/* Appends the deps of s not already in v (a path read by several
 * stages is listed once). */
static int
add_deps(pl_data_ref **v, size_t *n, const pl_lock_stage *s)
{
	for (size_t i = 0; i < s->ndeps; i++) {
		const pl_lock_entry *e = &s->deps[i];
		pl_data_ref *nv;
		size_t k;

		for (k = 0; k < *n; k++)
			if (!strcmp((*v)[k].path, e->path))
				break;
		if (k < *n)
			continue;
		if ((nv = realloc(*v, (*n + 1) * sizeof **v)) == NULL)
			return PL_ENOMEM;
		*v = nv;
		nv[*n].path = strdup(e->path);
		nv[*n].hash = e->hash[0] ? strdup(e->hash) : NULL;
		nv[*n].size = e->size;
		(*n)++;
		if (nv[*n - 1].path == NULL || (e->hash[0] &&
		    nv[*n - 1].hash == NULL))
			return PL_ENOMEM;
	}
	return PL_OK;
}

int
pl_lineage_from_lock(pl_data_ref **out, size_t *out_n, const char *lock_path,
    const char *stage, char *err, size_t err_len)
{
	pl_lock *lk = NULL;
	pl_data_ref *v = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (access(lock_path, R_OK) != 0) {
		snprintf(err, err_len, "%s: %s", lock_path, strerror(errno));
		return errno == ENOENT ? PL_ENOTFOUND : PL_EIO;
	}
	if ((rc = pl_lock_read(&lk, lock_path, err, err_len)) != PL_OK)
		return rc;
	if (stage) {
		const pl_lock_stage *s = pl_lock_find(lk, stage);

		if (s == NULL) {
			snprintf(err, err_len, "%s: no stage '%s' in the lock "
			    "file (has it run yet?)", lock_path, stage);
			rc = PL_ENOTFOUND;
		} else {
			rc = add_deps(&v, &n, s);
		}
	} else {
		for (size_t i = 0; rc == PL_OK && i < pl_lock_nstages(lk); i++)
			rc = add_deps(&v, &n, pl_lock_stage_at(lk, i));
	}
	pl_lock_free(lk);
	if (rc != PL_OK) {
		if (rc == PL_ENOMEM)
			snprintf(err, err_len, "out of memory");
		pl_data_refs_free(v, n);
		return rc;
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}
