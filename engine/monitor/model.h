/* model.h - the "model" source kind of plumb watch (prediction/label logs, accuracy, drift), wrapping pl_predsrc. */
#ifndef PL_ENGINE_MONITOR_MODEL_H
#define PL_ENGINE_MONITOR_MODEL_H

#include <stddef.h>

#include "monitor/source.h"

/*
 * Wants a target with predictions: or labels:.  Its series, events and
 * states are pl_predsrc's (predsrc.h); drift: {reference: deployed}
 * compares with the training data of the model's production version.
 */
extern const pl_mon_source_ops pl_mon_source_model;

/*
 * Resolves `reference: deployed` for model: the CSV the production
 * version of model was trained on (registry lineage), found in the
 * store's cache.  *out is malloc'ed, or NULL when there is none; note
 * then says why (no model:, not registered, no production version, no
 * recorded CSV), else which version and file.  Fails only with
 * PL_ENOMEM.
 */
int pl_mon_deployed_reference(char **out, char *note, size_t note_len,
    const char *store_dir, const char *model);

#endif
