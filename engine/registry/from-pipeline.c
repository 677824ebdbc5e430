/* from-pipeline.c - registering the models a pipeline stage produced, when it succeeds. */
#include "config.h"
#include "registry/from-pipeline.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/error.h"
#include "store/internal.h"
#include "registry/registry.h"

/* "train@small" matches "train@small" and its group "train". */
static int
stage_matches(const char *want, const char *stage)
{
	size_t n = strcspn(stage, "@");

	return strcmp(want, stage) == 0 ||
	    (strlen(want) == n && strncmp(want, stage, n) == 0);
}

int
pl_model_register_stage(pl_store *st, const pl_config *cfg,
    const char *stage, const char *run_id, const char *lockpath,
    void (*on_registered)(const char *model, int version, void *payload),
    void *payload)
{
	char path[PATH_MAX], err[1024];
	int rc = PL_OK;

	if (cfg == NULL)
		return PL_OK;
	for (size_t i = 0; i < cfg->nmodels && rc == PL_OK; i++) {
		const pl_model_cfg *mc = &cfg->models[i];
		pl_data_ref *data = NULL;
		size_t ndata = 0;
		pl_model_reg reg;
		int version;

		if (mc->stage == NULL || !stage_matches(mc->stage, stage))
			continue;
		if (mc->path == NULL) {
			rc = pl__err(st, PL_EINVAL, "%s:%zu:%zu: model %s names "
			    "stage %s but no path: to register", cfg->path,
			    mc->line, mc->col, mc->name, mc->stage);
			break;
		}
		if (mc->path[0] == '/')
			snprintf(path, sizeof path, "%s", mc->path);
		else
			snprintf(path, sizeof path, "%s/%s", cfg->dir, mc->path);
		/* Lineage: the data versions this execution read, as the
		 * lock file (written for it just now) records them. */
		if (lockpath && access(lockpath, R_OK) == 0 &&
		    pl_lineage_from_lock(&data, &ndata, lockpath, stage, err,
		    sizeof err) != PL_OK) {
			rc = pl__err(st, PL_EINVAL, "%s", err);
			break;
		}
		memset(&reg, 0, sizeof reg);
		reg.name = mc->name;
		reg.run = run_id;
		reg.path = path;
		reg.description = mc->description;
		reg.data = data;
		reg.ndata = ndata;
		rc = pl_model_register(&version, st, &reg);
		pl_data_refs_free(data, ndata);
		if (rc == PL_OK && on_registered)
			on_registered(mc->name, version, payload);
	}
	return rc;
}
