/* model-edit.h - edits of the model registry beyond versions and stages: empty models, descriptions, renames, tags (what MLflow's registry API needs). */
#ifndef PL_ENGINE_MODEL_EDIT_H
#define PL_ENGINE_MODEL_EDIT_H

#include <stdint.h>

#include "registry/registry.h"

/*
 * Every write here is one transaction with its audit entry (action
 * model.create, model.describe, model.rename, model.delete, model.tag)
 * and stamps the model's (or version's) last-update time.  version 0
 * names the model itself, else that version of it.
 */

/* Creates model name without versions.  PL_EEXISTS when it exists,
 * PL_EINVAL for a bad name. */
int pl_model_create(pl_store *st, const char *name, const char *description);

/* Sets the description (NULL clears it). */
int pl_model_describe(pl_store *st, const char *name, int version,
    const char *description);

/* Renames a model; its versions, aliases and history follow it.
 * PL_EEXISTS when new_name is taken. */
int pl_model_rename(pl_store *st, const char *name, const char *new_name);

/* Deletes a model that has no versions.  A model with versions is
 * PL_EINVAL: the registry's history is append-only and names every
 * version, so versions are archived, never deleted. */
int pl_model_delete_empty(pl_store *st, const char *name);

/*
 * MLflow's delete of a version on the append-only registry: the version
 * is marked deleted (its row, history and number stay; the history and
 * the audit log record who deleted it) and from then on no lookup,
 * listing, stage holder or search finds it; its aliases are removed.
 * A version in Production is PL_EINVAL (promote another first);
 * PL_ENOTFOUND when there is no such (undeleted) version.
 */
int pl_model_version_delete(pl_store *st, const char *name, int version,
    const char *reason);

/* Sets tag key to value, or removes it when value is NULL (removing an
 * absent tag is PL_OK). */
int pl_model_tag_set(pl_store *st, const char *name, int version,
    const char *key, const char *value);

/* Tags, sorted by key (never NULL on PL_OK; pl_kvlist_free). */
int pl_model_tags(pl_kvlist **out, pl_store *st, const char *name,
    int version);

/* Creation and last-update times in ms: the later of the last edit and
 * the last transition (register, stage, alias) of the model or
 * version. */
int pl_model_times(int64_t *created_ms, int64_t *updated_ms, pl_store *st,
    const char *name, int version);

#endif
