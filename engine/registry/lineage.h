/* lineage.h - the data versions a model was trained on, read from the pipeline's lock file. */
#ifndef PL_ENGINE_REGISTRY_LINEAGE_H
#define PL_ENGINE_REGISTRY_LINEAGE_H

#include <stddef.h>

#include "registry/registry.h"

/*
 * Lineage from the pipeline's lock file (plumb.lock, read with
 * pl_lock_read() of pipeline/lock.h): the deps of stage (NULL: every
 * stage's deps, each path once) with their SHA-256 and size: "the data
 * versions the run read".  PL_ENOTFOUND when the file or the stage is
 * missing; PL_EINVAL with "FILE:LINE:COL: message" for a damaged lock.
 * Free *out with pl_data_refs_free().
 */
int pl_lineage_from_lock(pl_data_ref **out, size_t *out_n,
    const char *lock_path, const char *stage, char *err, size_t err_len);

#endif
