/* stage-check.h - deciding whether a pipeline stage is up to date (engine-internal: status and repro). */
#ifndef PL_ENGINE_STAGE_CHECK_H
#define PL_ENGINE_STAGE_CHECK_H

#include <stddef.h>

#include "buf.h"
#include "data/hash.h"
#include "pipeline/lock.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

struct pl_url_meta;

/* What a stage looks like now, against its lock entry. */
struct check {
	int changed;
	int outs_only;		/* cmd, deps and params as locked; outs differ */
	int never;		/* not in the lock */
	struct buf reasons;	/* one per line */
	size_t nreasons;
	pl_hashed *deps;	/* ndeps */
	pl_hashed *outs;	/* nouts */
	char **pvals;		/* nparams canonical values (NULL: missing) */
	struct pl_url_meta *urls; /* ndeps: what the server said of a URL
				 * dep (zeroes for a local path) */
	char err[512];		/* why pl__check_stage failed, when it is
				 * not the store's message (a URL dep) */
};

/*
 * Compares stage i of p with its entry in the lock: command, the hashes
 * of its deps (through the memo), its params' values, its outputs.  Fills
 * *c (reasons one per line); pl__check_dispose() frees it.
 */
int pl__check_stage(struct check *c, pl_store *st, const pl_pipeline *p,
    size_t i, const pl_lock *lk);
void pl__check_dispose(struct check *c, const pl_pipe_stage *s);
/* Can every output be brought back to what the lock recorded: already
 * right on disk (cur, may be NULL), or in the cache? */
int pl__check_restorable(pl_store *st, const pl_pipe_stage *s,
    const pl_lock_stage *ls, const pl_hashed *cur);
/* A param's dotted key ("" for a whole-file param). */
const char *pl__check_param_key(const pl_param *pp);

#endif
