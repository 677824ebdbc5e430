/* import-models.c - MLflow registered models, versions, stages and aliases onto plumb's registry, after the runs they came from. */
#include "config.h"
#include "registry/import-models.h"

int
pl_mlflow_import(pl_store *st, const char *source,
    const pl_mlflow_opts *opts, pl_mlflow_stats *stats)
{
	return pl_mlflow_import_runs(st, source, opts, stats);
}
