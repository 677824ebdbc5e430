/* cmd-pipeline.h - helpers shared by the pipeline commands (repro, status, dag, data). */
#ifndef PL_CLI_CMD_PIPELINE_H
#define PL_CLI_CMD_PIPELINE_H

#include "plumb.h"

/*
 * Loads the pipeline named by -f FILE, else plumb.yaml or dvc.yaml in the
 * working directory.  Prints "plumb: FILE:LINE:COL: message" and returns
 * CLI_ERROR on failure.
 */
int pipe_load(pl_pipeline **out, const char *file, unsigned flags);

/*
 * Opens the store: --store / PLUMB_STORE / the nearest .plumb walking up;
 * when there is none, one is created in dir (the pipeline's directory),
 * so an existing DVC project works without `plumb init` -- unless
 * !create (status, repro --dry-run: commands that only look must not
 * write): then *out is NULL and the caller works without a store.
 */
int pipe_open_store(pl_store **out, const char *dir, int create);

#endif
