/* import-mlflow-int.h - between the MLflow readers (file store, SQLite) and the writer into plumb's store (engine-internal). */
#ifndef PL_ENGINE_IMPORT_MLFLOW_INT_H
#define PL_ENGINE_IMPORT_MLFLOW_INT_H

#include <stdint.h>

#include "track/import-mlflow.h"

/*
 * A reader walks its source and hands each run to the writer:
 *   mli_exp()            once per experiment it will read runs of;
 *   mli_run_begin()      the run's own fields;
 *   mli_param/mli_tag()  any number;
 *   mli_metric_begin()   then mli_point()* then mli_metric_end(), per key;
 *   mli_artifact()       per file;
 *   mli_run_end().
 * Params and tags must come before the first metric or artifact (the
 * run row is written then, with its name and parent from the tags).
 * The writer batches transactions and counts; every function returns
 * PL_OK or a store error, which stops the import.
 */
struct mli;

/* One MLflow run as read.  Strings are borrowed for the call. */
struct mli_run {
	const char *run_id;
	const char *experiment;	/* name */
	const char *name;	/* NULL or "" when none */
	const char *user;	/* may be NULL */
	const char *status;	/* "FINISHED", "FAILED", ... */
	int64_t start_ms, end_ms;	/* 0 when unknown */
};

/* Reports a problem (counted) through the caller's callback. */
void mli_problem(struct mli *m, const char *path, long line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Counts a problem without reporting it; reports without counting. */
void mli_count_problem(struct mli *m);
void mli_report_only(struct mli *m, const char *path, const char *what);
void mli_progress(struct mli *m, int64_t done, int64_t total);
/* Counts a deleted run or experiment left out. */
void mli_skip_deleted(struct mli *m, int experiment, int64_t runs);

int mli_exp(struct mli *m, const char *name, int64_t created_ms);
int mli_run_begin(struct mli *m, const struct mli_run *r);
int mli_param(struct mli *m, const char *key, const char *value);
int mli_tag(struct mli *m, const char *key, const char *value);
/* *skip is how many points of this key plumb already holds: the reader
 * hands every point anyway; the writer drops the first *skip. */
int mli_metric_begin(struct mli *m, const char *key);
int mli_point(struct mli *m, int64_t step, int64_t ts_ms, double v);
int mli_metric_end(struct mli *m);
/* A file of the run's artifacts: name relative to the artifact root,
 * path where it is on disk, mtime as its logging time. */
int mli_artifact(struct mli *m, const char *name, const char *path,
    int64_t mtime_ms);
int mli_run_end(struct mli *m);
/* The store written to (for its error message). */
pl_store *mli_store(struct mli *m);
/* Whether artifacts are wanted at all. */
int mli_want_artifacts(const struct mli *m);

/* The readers. */
int pl__mlflow_read_files(struct mli *m, const char *root);
int pl__mlflow_read_sqlite(struct mli *m, const char *dbpath);
/* Hands every regular file under dir to mli_artifact() (symlinks are
 * not followed). */
int pl__mlflow_walk_artifacts(struct mli *m, const char *dir);

/* Parses an MLflow metric value as Python prints a float ("nan",
 * "inf", "-inf", "1e-05", ...).  0 on success. */
int mli_parse_double(const char *s, double *out);

#endif
