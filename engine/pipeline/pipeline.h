/* pipeline.h - pipeline files (DVC's stages: schema + templating), validated into a stage graph. */
#ifndef PL_ENGINE_PIPELINE_H
#define PL_ENGINE_PIPELINE_H

#include <stddef.h>

#include "path.h"

/*
 * A pl_pipeline is a pipeline file read, templated (vars, ${...},
 * foreach/do, matrix, as DVC defines them), checked against the stage
 * schema, and turned into a graph of stages: stage B depends on stage A
 * when one of B's deps is, contains or lies inside one of A's outs.
 *
 * Every problem found in the file is reported as "FILE:LINE:COL: message"
 * (1-based) in the caller's err buffer: unknown keys, wrong types, a
 * stage without cmd, two stages writing one output, an output nested in
 * another, a dependency cycle (naming every stage on it), a missing param
 * key, and (with PL_PIPE_CHECK_DEPS) a dependency that neither exists nor
 * is produced by a stage.
 *
 * Paths: every dep/out is kept twice, as written (relative to the stage's
 * wdir; that is what the lock file records) and normalised relative to
 * the pipeline file's directory (what the graph compares).
 *
 * A pl_pipeline is immutable after loading; it may be read from several
 * threads at once.  Free it with pl_pipeline_free().
 */
typedef struct pl_pipeline pl_pipeline;

/* pl_pipeline_load() flags. */
#define PL_PIPE_CHECK_DEPS 0x1	/* a dep must exist or be produced */
#define PL_PIPE_GRAPH_ONLY 0x2	/* the graph only: params files are not
				 * checked (their keys and values are
				 * status's and repro's business) */

typedef enum { PL_OUT_OUT, PL_OUT_METRIC, PL_OUT_PLOT } pl_out_kind;

typedef struct pl_dep {
	char *path;		/* as written, relative to wdir */
	char *wpath;		/* relative to the pipeline directory (a URL
				 * as written) */
	int url;		/* a URL ("https://...", "s3://..."): no
				 * edges; http(s) is checked by HEAD */
	int line, col;
} pl_dep;

typedef struct pl_out {
	char *path, *wpath;
	pl_out_kind kind;
	int cache;		/* store in the cache (default 1) */
	int persist;		/* not removed before the stage runs */
	int line, col;
} pl_out;

typedef struct pl_param {
	char *file;		/* params file as written (default params.yaml) */
	char *wfile;		/* relative to the pipeline directory */
	char *key;		/* dotted key; NULL: every param of the file */
	int implicit;		/* found through ${} in the stage (DVC tracks those) */
	int line, col;
} pl_param;

typedef struct pl_pipe_stage {
	char *name;		/* "train", "build@us", "fit@cnn-3" */
	char *group;		/* foreach/matrix entry name, or NULL */
	char **cmds;		/* one or more shell commands (run in order) */
	size_t ncmds;
	char *wdir;		/* relative to the pipeline directory ("." default) */
	pl_dep *deps;
	size_t ndeps;
	pl_out *outs;		/* outs, then metrics, then plots */
	size_t nouts;
	pl_param *params;
	size_t nparams;
	int frozen, always_changed;
	char *desc;
	const char *file;	/* the pipeline file it is defined in, as
				 * shown in messages (owned by the pipeline) */
	int line, col;		/* where the stage is defined */
} pl_pipe_stage;

/*
 * Reads the pipeline file at path.  When it is named dvc.yaml or
 * plumb.yaml, every dvc.yaml in the directories below it is read too, as
 * DVC collects them in a repository (not under .git, .dvc, .plumb or a
 * directory .dvcignore names, symlinks not followed): their stages are
 * named by DVC's address "sub/dvc.yaml:stage", their paths, wdir, params
 * and vars are relative to their own file's directory, and one graph
 * links them all.  On failure *out is NULL, err holds
 * "FILE:LINE:COL: message" (or "FILE: message") and the return is
 * PL_EINVAL (bad file), PL_ENOTFOUND or PL_EIO.
 */
int pl_pipeline_load(pl_pipeline **out, const char *path, unsigned flags,
    char *err, size_t err_len);
void pl_pipeline_free(pl_pipeline *p);

/*
 * The pipeline file of directory dir: plumb.yaml, else dvc.yaml.  *out is
 * malloc'ed.  PL_ENOTFOUND (err says which names were tried).
 */
int pl_pipeline_find(char **out, const char *dir, char *err, size_t err_len);

/* The file as given, its directory (absolute), the lock file that goes
 * with it (plumb.yaml and dvc.yaml -> plumb.lock, X.yaml -> X.lock) and
 * a name for the experiment its runs are filed under.  Owned by p. */
const char *pl_pipeline_file(const pl_pipeline *p);
const char *pl_pipeline_dir(const pl_pipeline *p);
const char *pl_pipeline_lock_path(const pl_pipeline *p);
const char *pl_pipeline_name(const pl_pipeline *p);

size_t pl_pipeline_nstages(const pl_pipeline *p);
/* Stages in file order (expanded); borrowed. */
const pl_pipe_stage *pl_pipeline_stage(const pl_pipeline *p, size_t i);
/* Index of the stage named name, or -1. */
long pl_pipeline_index(const pl_pipeline *p, const char *name);

/* Direct upstream (producers of its deps) / downstream stages of stage i. */
void pl_pipeline_upstream(const pl_pipeline *p, size_t i,
    const size_t **out, size_t *n);
void pl_pipeline_downstream(const pl_pipeline *p, size_t i,
    const size_t **out, size_t *n);
/* The dep of stage i (as written: a dep path or a params file) through
 * which it depends on its k-th upstream stage (pl_pipeline_upstream's
 * out[k]); borrowed. */
const char *pl_pipeline_upstream_via(const pl_pipeline *p, size_t i,
    size_t k);
/* All stages in a topological order (upstream first); borrowed. */
const size_t *pl_pipeline_order(const pl_pipeline *p);

/*
 * Marks in mask (nstages bytes, zeroed by the caller) the stages named by
 * targets (stage names or foreach/matrix group names) and, unless
 * single_only, everything upstream of them.  ntargets 0 selects every
 * stage.  PL_ENOTFOUND with err naming an unknown target.
 */
int pl_pipeline_select(const pl_pipeline *p, unsigned char *mask,
    char *const *targets, size_t ntargets, int single_only, char *err,
    size_t err_len);

/*
 * The current value of a param as canonical JSON text (malloc'ed into
 * *out), read from the params file as it was when the pipeline was
 * loaded (a params file that a stage writes is read at each call: its
 * value is the one the upstream stage left).  A param with key NULL gives the whole file.  PL_ENOTFOUND
 * when the key is missing.
 */
int pl_pipeline_param_value(char **out, const pl_pipeline *p,
    const pl_param *prm);

/* Path of a workspace-relative path, made absolute (malloc'ed). */
char *pl_pipeline_abspath(const pl_pipeline *p, const char *wpath);

/*
 * Confinement.  Every dep and out of a pipeline must
 * resolve, after wdir and after symlinks, inside the workspace (the
 * pipeline's directory), must not be the workspace itself (an out), and
 * must not lie in .plumb/, .git/ or the store: plumb deletes outputs
 * before a stage runs and restores them from the cache, and a path that
 * leads elsewhere would let a pipeline file delete or overwrite a user's
 * store, workspace or home.  pl_pipeline_load() checks this (without a
 * store); pl_pipeline_check_paths() checks it again against the store
 * and the file system as they are now: PL_EINVAL with err
 * "FILE:LINE:COL: stage 'S': output 'P' is outside the workspace".
 * store_dir may be NULL.
 */
int pl_pipeline_check_paths(const pl_pipeline *p, const char *store_dir,
    char *err, size_t err_len);
/*
 * Why the workspace-relative path wpath may not be written or deleted
 * (is_out) or read: NULL when it may, else a static phrase such as "is
 * outside the workspace (through a symlink)".  store_dir may be NULL.
 */
const char *pl_pipeline_path_refusal(const pl_pipeline *p,
    const char *store_dir, const char *wpath, int is_out);

/* pl_path_normalize() and pl_path_join() are in common/path.h. */

#endif
