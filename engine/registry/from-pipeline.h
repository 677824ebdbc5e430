/* from-pipeline.h - registering the models a pipeline stage produced, when it succeeds. */
#ifndef PL_ENGINE_MODEL_STAGE_H
#define PL_ENGINE_MODEL_STAGE_H

#include "config/plumb-yaml.h"
#include "store/store.h"

/*
 * Registers a new version of every model in cfg's models: section whose
 * `stage:` is the stage that just succeeded, from its tracked run:
 *
 *   models:
 *     churn: {stage: train, path: model.bin}
 *
 * stage is the executed stage's name; a foreach/matrix instance
 * ("train@small") matches a models: entry naming the instance or its
 * group ("train").  The artifact is the entry's path, relative to
 * plumb.yaml's directory; the lineage's data versions are the stage's
 * deps in lockpath (plumb.lock, already updated for this run; NULL:
 * none).  on_registered (may be NULL) is told each new version.
 * Returns PL_OK (also when no model matches) or the first failure, with
 * its message on st.
 */
int pl_model_register_stage(pl_store *st, const pl_config *cfg,
    const char *stage, const char *run_id, const char *lockpath,
    void (*on_registered)(const char *model, int version, void *payload),
    void *payload);

#endif
