/* run.h - tracked runs: creation, status, params, tags, lookup by id prefix. */
#ifndef PL_ENGINE_RUN_H
#define PL_ENGINE_RUN_H

#include <stdint.h>

#include "store/store.h"

/* A run id is PL_ID_LEN (store/store.h) lowercase hex digits. */

typedef enum {
	PL_RUN_RUNNING,
	PL_RUN_FINISHED,
	PL_RUN_FAILED,
	PL_RUN_KILLED,
	PL_RUN_LOST
} pl_run_status;
#define PL_RUN__NSTATUS 5

/* "running", "finished", ... (static). */
const char *pl_run_status_name(pl_run_status s);
/* Parses a status name (case-insensitive); PL_EINVAL if unknown. */
int pl_run_status_parse(pl_run_status *out, const char *name);

/* The code version of a run's working directory. Fields may be NULL
 * (not in a git repository); dirty is -1 when unknown. */
typedef struct pl_gitinfo {
	char *commit;		/* full hex commit id */
	char *branch;		/* branch name, or NULL when detached */
	int dirty;		/* 1 if the tree differs from HEAD */
	char *diff_hash;	/* SHA-256 of `git diff HEAD` (hex) */
} pl_gitinfo;

/* What a new run is made of.  Every pointer may be NULL. */
typedef struct pl_run_spec {
	const char *experiment;	/* default "Default"; created if missing */
	const char *name;
	const char *command;	/* the command line, for display */
	const char *cwd;
	const char *parent;	/* id (or unique prefix) of a parent run */
	const pl_gitinfo *git;
	long pid;		/* process that keeps the heartbeat (0: none) */
	int64_t experiment_id;	/* > 0: this experiment (by id), not
				 * .experiment */
	const char *user;	/* NULL: the current user */
	int64_t start_ms;	/* 0: now */
	/*
	 * A detached run has no process on this host: a client of plumb
	 * serve (MLflow's API) owns it and ends it with pl_run_update().
	 * It is recorded without host, pid or heartbeat, and the reaper
	 * (pl_store_reap) never marks it lost: a client may be quiet for
	 * hours between two writes, and nothing here could tell it died.
	 */
	int detached;
} pl_run_spec;

/*
 * Creates a run in state `running`, attributed to the current user and
 * host, and writes its id (NUL-terminated) into out.  The runs/<id>/
 * directory is created for its logs.
 */
int pl_run_create(char out[PL_ID_LEN + 1], pl_store *st,
    const pl_run_spec *spec);

/*
 * Ends a running run: status is finished, failed or killed; exit_status
 * is the command's exit status (or -1); message (may be NULL) is kept as
 * the reason shown with the run.  Ending a run that is no longer
 * `running` returns PL_EINVAL.
 */
int pl_run_finish(pl_store *st, const char *id, pl_run_status status,
    int exit_status, const char *message);

/*
 * Sets when the run really started and ended, where another clock knows
 * better than plumb's (a batch system's StartTime: queued time is not
 * run time).  A time of 0 is left as it is.
 */
int pl_run_set_times(pl_store *st, const char *id, int64_t start_ms,
    int64_t end_ms);

/* Records that the run's plumb process is alive (see PL_HEARTBEAT_MS). */
int pl_run_heartbeat(pl_store *st, const char *id);

/* Adds to the run's count of malformed protocol lines. */
int pl_run_add_bad_lines(pl_store *st, const char *id, int64_t n);

/*
 * Resolves a full id or any unique prefix (at least 1 hex digit) to the
 * full id.  Returns PL_ENOTFOUND or PL_EAMBIGUOUS (the message lists up
 * to 5 candidates), or PL_EINVAL for text that is not hex.
 */
int pl_run_resolve(char out[PL_ID_LEN + 1], pl_store *st, const char *prefix);

/* Everything known about one run.  Strings are owned by the struct. */
typedef struct pl_run_info {
	char id[PL_ID_LEN + 1];
	char *experiment;
	char *name;		/* may be NULL */
	pl_run_status status;
	char *user, *host, *cwd, *command;	/* may be NULL */
	long pid;
	int has_exit_status;
	int exit_status;
	int64_t start_ms, end_ms, heartbeat_ms;	/* end_ms 0 while running */
	pl_gitinfo git;
	char parent[PL_ID_LEN + 1];	/* empty when none */
	int64_t bad_lines;
	char *message;		/* why it ended, may be NULL */
	int64_t experiment_id;
	int64_t deleted_ms;	/* 0 unless deleted (pl_run_set_deleted) */
	int detached;		/* see pl_run_spec */
} pl_run_info;

/* Reads one run (full id).  *out is freed with pl_run_info_free(). */
int pl_run_get(pl_run_info **out, pl_store *st, const char *id);
void pl_run_info_free(pl_run_info *info);

/* A list of key/value pairs; pl_kvlist_free() frees it (NULL is fine). */
typedef struct pl_kvlist {
	size_t n;
	struct pl_kv {
		char *key;
		char *value;
	} *items;
} pl_kvlist;
void pl_kvlist_free(pl_kvlist *l);

/*
 * Changes a run after the fact, as MLflow's runs/update does: status
 * (any but lost; pass -1 to keep it), end time (0: keep; set to now
 * when the run ends without one), name (NULL: keep).  Safe to repeat.
 * A run going back to running loses its end time.
 */
int pl_run_update(pl_store *st, const char *id, int status, int64_t end_ms,
    const char *name);

/* Soft deletion of a run (MLflow's runs/delete and restore); safe to
 * repeat.  Deleted runs stay in the store and are listed only when a
 * query asks (pl_query.view). */
int pl_run_set_deleted(pl_store *st, const char *id, int deleted);

/* Removes a tag; PL_ENOTFOUND when the run has no such tag. */
int pl_run_delete_tag(pl_store *st, const char *id, const char *key);

/* One metric point of a batch. */
typedef struct pl_batch_point {
	const char *key;
	double value;
	int64_t ts_ms;		/* 0: now */
	int64_t step;		/* any int64 */
} pl_batch_point;

/*
 * A dataset a run read (MLflow's runs/log-inputs, mlflow.log_input): its
 * name and digest identify it; source_type ("local", "http", ...) and
 * source say where it came from; schema and profile (JSON text, may be
 * NULL) describe it.  tags (ntags, may be 0) are the input's, e.g.
 * mlflow.data.context = "training".
 */
typedef struct pl_dataset_input {
	char *name, *digest, *source_type, *source;
	char *schema, *profile;
	struct pl_kv *tags;
	size_t ntags;
} pl_dataset_input;

/*
 * Records n inputs of run id in one transaction.  An input the run holds
 * already (same name and digest) is left as it is, tags included, as
 * MLflow does: a repeated call changes nothing.  PL_ENOTFOUND (no run),
 * PL_EINVAL (a deleted run, an empty name or digest).  The strings are
 * copied; v stays the caller's.
 */
int pl_run_log_inputs(pl_store *st, const char *id, const pl_dataset_input *v,
    size_t n);
/* The run's inputs in the order first logged (*out malloc'ed, NULL and 0
 * when none); free with pl_dataset_inputs_free. */
int pl_run_inputs(pl_dataset_input **out, size_t *out_n, pl_store *st,
    const char *id);
void pl_dataset_inputs_free(pl_dataset_input *v, size_t n);

/*
 * Logs metrics, params and tags in one transaction: all or nothing.
 * Params are write-once: the same value again is accepted, a different
 * one refuses the whole batch with PL_EEXISTS (message names the key).
 * Tags are set (replaced).  Any array may be empty (n 0).  A deleted
 * run (pl_run_set_deleted) takes nothing: PL_EINVAL.
 */
int pl_run_log_batch(pl_store *st, const char *id, const pl_batch_point *m,
    size_t nm, const struct pl_kv *params, size_t np, const struct pl_kv *tags,
    size_t nt);

/* One run's share of a group write (pl_runs_log_points). */
typedef struct pl_run_points {
	const char *run_id;
	const pl_batch_point *points;
	size_t n;
	int rc;			/* out: PL_OK, or why these were not written */
} pl_run_points;

/*
 * Writes the points of many runs (or many requests for one run) in one
 * transaction: a server gathering concurrent clients' points pays one
 * commit for all of them (group commit).  An entry whose run does not
 * exist or whose key is empty fails alone (its rc); the others are
 * written (a deleted run's entry fails with PL_EINVAL, as in
 * pl_run_log_batch).  Returns PL_OK when the transaction committed; otherwise
 * nothing was written and every rc holds the error.
 */
int pl_runs_log_points(pl_store *st, pl_run_points *v, size_t n);

/* Params and tags: set (insert or replace) and list (sorted by key). */
int pl_run_set_param(pl_store *st, const char *id, const char *key,
    const char *value);
int pl_run_set_tag(pl_store *st, const char *id, const char *key,
    const char *value);
int pl_run_params(pl_kvlist **out, pl_store *st, const char *id);
int pl_run_tags(pl_kvlist **out, pl_store *st, const char *id);

/* Artifacts of a run, sorted by path. Free with pl_artifact_list_free(). */
typedef struct pl_artifact {
	char *path;
	char sha256[65];
	int64_t size;
	int64_t logged_ms;
} pl_artifact;
int pl_run_artifacts(pl_artifact **out, size_t *out_n, pl_store *st,
    const char *id);
void pl_artifact_list_free(pl_artifact *a, size_t n);

/*
 * Copies the file at path into the store's cache and records it as an
 * artifact of the run under the name `name` (NULL: path as given).
 * Logging the same name again replaces the record.
 */
int pl_run_log_artifact(pl_store *st, const char *id, const char *path,
    const char *name);

/* Path of a run's captured log ("stdout" or "stderr"); malloc'ed. */
char *pl_run_log_path(const pl_store *st, const char *id, const char *which);

/* Experiments with their run counts, sorted by name. */
typedef struct pl_experiment {
	char *name;
	int64_t runs;
	int64_t running;
	int64_t created_ms;
	int64_t last_run_ms;	/* 0 when it has no runs */
} pl_experiment;
int pl_experiments(pl_experiment **out, size_t *out_n, pl_store *st);
/* Number of runs in each status (indexed by pl_run_status). */
int pl_run_counts(int64_t out[PL_RUN__NSTATUS], pl_store *st);
void pl_experiment_list_free(pl_experiment *e, size_t n);

/* Frees the strings of a pl_gitinfo (not the struct itself). */
void pl_gitinfo_dispose(pl_gitinfo *g);
/*
 * Reads the code version of directory dir by running git: commit,
 * branch, dirty flag and the SHA-256 of `git diff HEAD`.  Outside a git
 * repository (or without git) every field stays NULL/-1 and PL_OK is
 * returned: nothing breaks outside one.
 */
int pl_gitinfo_read(pl_gitinfo *out, const char *dir);

/*
 * Files changed between two commits: `git diff --name-only A B` run in
 * dir (NULL: the working directory), one path per element, sorted as git
 * prints them.  *out is a NULL-ended malloc'ed array of malloc'ed
 * strings (free with pl_strv_free).  PL_ENOTFOUND when git is missing,
 * dir is not a repository, or a commit is unknown there.
 */
int pl_git_changed_files(char ***out, size_t *out_n, const char *dir,
    const char *commit_a, const char *commit_b);
void pl_strv_free(char **v);

#endif
