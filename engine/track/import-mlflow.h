/* import-mlflow.h - importing an MLflow tracking store (mlruns/ directory or SQLite database) into plumb. */
#ifndef PL_ENGINE_IMPORT_MLFLOW_H
#define PL_ENGINE_IMPORT_MLFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * The source is either an MLflow file store (the mlruns/ directory, or
 * a "file:" URI naming it) or an MLflow SQLite database ("sqlite:///
 * path", or any path ending in ".db"), which is opened read-only on a
 * connection of its own.
 *
 * What lands where:
 * - an experiment becomes the plumb experiment of the same name; a
 *   deleted experiment (lifecycle_stage deleted, or under .trash/) is
 *   skipped with its runs;
 * - a run becomes a plumb run keeping its MLflow id when that id is 32
 *   hex digits (so `plumb show MLFLOW_ID` works), with the tag
 *   mlflow.run_id naming it in every case; status FINISHED, FAILED and
 *   KILLED keep their meaning, RUNNING and SCHEDULED (no process of
 *   plumb owns them) become lost; start and end times, user, run name
 *   (run_name, else the mlflow.runName tag), parent (the
 *   mlflow.parentRunId tag) and git commit/branch (mlflow.source.git.*)
 *   are kept; a deleted run is not imported (and counted as skipped);
 * - params, tags and whole metric series (every step, timestamp and
 *   value, NaN and infinities included) are copied; artifacts are
 *   copied into the store's cache like `plumb run`'s.
 *
 * Importing again adds only what is new: a run already imported (found
 * by its mlflow.run_id tag) is topped up with the params, tags,
 * artifacts and metric points it did not have yet (MLflow only ever
 * appends to a series, so the points past the ones plumb already holds
 * are the new ones), and its status and end time follow MLflow's.
 */

/* A file that could not be read or parsed: reported, skipped, and the
 * rest goes on.  line is 0 when it applies to the whole file. */
typedef void (*pl_mlflow_problem_fn)(void *arg, const char *path,
    long line, const char *what);
/* Progress over the runs: done of total (total may grow as the reader
 * learns more). */
typedef void (*pl_mlflow_progress_fn)(void *arg, int64_t done,
    int64_t total);

typedef struct pl_mlflow_opts {
	int dry_run;		/* read and count everything, write nothing */
	int no_artifacts;	/* leave artifacts out */
	pl_mlflow_problem_fn problem;	/* may be NULL */
	pl_mlflow_progress_fn progress;	/* may be NULL */
	void *arg;		/* passed to both */
} pl_mlflow_opts;

/* What an import added (a dry run: would add). */
typedef struct pl_mlflow_stats {
	int64_t experiments;	/* created in plumb */
	int64_t runs;		/* created in plumb */
	int64_t runs_updated;	/* already imported, got something new */
	int64_t runs_unchanged;	/* already imported, nothing new */
	int64_t points, params, tags, artifacts;
	int64_t deleted_runs;	/* skipped: deleted in MLflow */
	int64_t deleted_experiments;	/* skipped with their runs */
	int64_t problems;	/* files or lines reported and skipped */
	/* Registry (filled by pl_mlflow_import_models). */
	int64_t models, versions, aliases;
	int64_t versions_skipped;	/* no artifact to register */
} pl_mlflow_stats;

/* The kind of source PATH names: 'f' file store, 'd' SQLite database,
 * or 0 (not an MLflow store; *path_out is still set).  *path_out is a
 * malloc'ed local path with any URI scheme removed. */
int pl_mlflow_source_kind(char **path_out, const char *source);

/*
 * Imports experiments and runs (with params, tags, metrics, artifacts)
 * from source into st, adding to *stats (the caller zeroes it).  Writes
 * go in batched transactions.  Returns PL_OK when everything readable
 * was imported (stats->problems says whether some files were skipped),
 * PL_ENOTFOUND / PL_EINVAL when source is no MLflow store, or the
 * store's error (message on st) when writing failed.
 */
int pl_mlflow_import_runs(pl_store *st, const char *source,
    const pl_mlflow_opts *opts, pl_mlflow_stats *stats);

/* Engine-internal: the same, calling hook(st, arg) inside the last
 * write transaction (open even when nothing else was written), so what
 * the hook writes commits, or for a dry run rolls back, with the runs
 * it may refer to (registry/import-models.c). */
int pl__mlflow_import_runs_then(pl_store *st, const char *source,
    const pl_mlflow_opts *opts, pl_mlflow_stats *stats,
    int (*hook)(pl_store *st, void *arg), void *arg);

#endif
