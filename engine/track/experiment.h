/* experiment.h - experiments as records: create, read, rename, tags, soft deletion. */
#ifndef PL_ENGINE_EXPERIMENT_H
#define PL_ENGINE_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "track/run.h"

/*
 * Runs name their experiment and pl_run_create() makes a missing one;
 * these functions are for clients that manage experiments themselves
 * (MLflow's API in plumb serve).  An experiment is known by its integer
 * id, stable for its life, and by its unique name.  Deleting one is
 * soft: it keeps its runs and can be restored.
 */

/* Name of the experiment runs go to when none is named. */
#define PL_EXPERIMENT_DEFAULT "Default"

/* One experiment.  Strings and tags are owned by the record. */
typedef struct pl_experiment_rec {
	int64_t id;
	char *name;
	char *artifact_location;	/* as created with; may be NULL */
	int64_t created_ms;
	int64_t updated_ms;	/* last change (rename, tag, lifecycle);
				 * created_ms when never changed */
	int64_t deleted_ms;	/* 0 while active */
	pl_kvlist *tags;	/* sorted by key; never NULL */
} pl_experiment_rec;

/*
 * Creates an experiment; tags (may be NULL) are set in the same
 * transaction.  PL_EEXISTS when the name is taken (deleted experiments
 * keep their names), PL_EINVAL for an empty name.
 */
int pl_experiment_create(int64_t *out_id, pl_store *st, const char *name,
    const char *artifact_location, const pl_kvlist *tags);

/* The id of the Default experiment, created when missing. */
int pl_experiment_default(int64_t *out_id, pl_store *st);

/* Id of the experiment named name; PL_ENOTFOUND when none. */
int pl_experiment_find(int64_t *out_id, pl_store *st, const char *name);

/* Reads one experiment; PL_ENOTFOUND when none.  Free with
 * pl_experiment_rec_free(). */
int pl_experiment_read(pl_experiment_rec **out, pl_store *st, int64_t id);
void pl_experiment_rec_free(pl_experiment_rec *e);

/* Every experiment, deleted ones too, by id.  Free with
 * pl_experiment_recs_free(). */
int pl_experiment_read_all(pl_experiment_rec ***out, size_t *out_n,
    pl_store *st);
void pl_experiment_recs_free(pl_experiment_rec **v, size_t n);

/*
 * Soft deletion.  Deleting marks the experiment and its active runs
 * deleted (one time stamp); restoring brings back the experiment and
 * the runs deleted with it, not those deleted before.  Both are no-ops
 * on an experiment already in that state (safe to repeat).
 */
int pl_experiment_set_deleted(pl_store *st, int64_t id, int deleted);

/* Renames; PL_EEXISTS when the name is taken, PL_EINVAL when empty. */
int pl_experiment_rename(pl_store *st, int64_t id, const char *name);

/* Sets (inserts or replaces) a tag. */
int pl_experiment_set_tag(pl_store *st, int64_t id, const char *key,
    const char *value);

#endif
