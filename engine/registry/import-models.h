/* import-models.h - the whole MLflow import: tracking (track/import-mlflow.h) then the model registry. */
#ifndef PL_ENGINE_IMPORT_MODELS_H
#define PL_ENGINE_IMPORT_MODELS_H

#include "store/store.h"
#include "track/import-mlflow.h"

/*
 * Imports everything from the MLflow store source (see
 * track/import-mlflow.h): experiments and runs first, then registered
 * models, their versions, stages and aliases onto plumb's registry.
 * Adds to *stats (the caller zeroes it).  Returns like
 * pl_mlflow_import_runs().
 */
int pl_mlflow_import(pl_store *st, const char *source,
    const pl_mlflow_opts *opts, pl_mlflow_stats *stats);

#endif
