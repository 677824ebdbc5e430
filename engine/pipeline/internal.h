/* internal.h - engine-internal parts of pipelines shared by parse.c, graph.c and template.c. */
#ifndef PL_ENGINE_PIPELINE_INT_H
#define PL_ENGINE_PIPELINE_INT_H

#include <stddef.h>

#include "pipeline/pipeline.h"
#include "config/ynode.h"

/*
 * A templating context is what ${...} can see: the merged `vars` (the
 * default params.yaml first, then the top-level vars in order, then a
 * stage's own vars) plus, inside foreach/matrix, `item` and `key`.
 * Values from params files remember their file so that a param used
 * through ${} becomes a tracked param of the stage (DVC does the same).
 */
struct tpl_source {
	char *file;		/* params file as written (relative to its base) */
	char *wfile;		/* relative to the pipeline directory */
	ynode *tree;		/* the part of the file that was loaded */
};

struct tpl_ctx {
	ynode *vars;		/* MAP: the merged variables */
	struct tpl_source *src;
	size_t nsrc;
	ynode *item, *key;	/* foreach/matrix, or NULL */
};

/* A param used through ${}: file and dotted key. */
struct tpl_used {
	char *file, *wfile, *key;
};
struct tpl_used_list {
	struct tpl_used *v;
	size_t n;
};
void tpl_used_clear(struct tpl_used_list *u);

int tpl_ctx_init(struct tpl_ctx *c);
int tpl_ctx_clone(struct tpl_ctx *dst, const struct tpl_ctx *src);
void tpl_ctx_dispose(struct tpl_ctx *c);

/*
 * Merges map into the context.  origin names where it came from (for the
 * message when a key is defined twice); when file/wfile are given the
 * values are a params file's (tracked when used).  err gets
 * FILE:LINE:COL on a conflict.
 */
int tpl_ctx_merge(struct tpl_ctx *c, const ynode *map, const char *origin,
    const char *file, const char *wfile, char *err, size_t err_len);

/*
 * Loads one `vars` entry: a mapping, or "FILE" / "FILE:key1,key2" read
 * relative to base_dir (absolute directory of wdir) and named relative to
 * the pipeline directory with wbase.  loaded keeps files already merged
 * whole (params.yaml is loaded first by default; listing it again is
 * not a redefinition).
 */
int tpl_load_vars_entry(struct tpl_ctx *c, const ynode *entry,
    const char *base_dir, const char *wbase, char *err, size_t err_len);

/*
 * Interpolates one scalar.  When the whole text is one ${...} and
 * !is_cmd the value keeps its type (a list, a mapping, a number);
 * otherwise the result is a string, and inside cmd a mapping is unpacked
 * into --key value arguments.  *out is a new node (a copy when nothing
 * was interpolated).  used (may be NULL) collects params-file values
 * that were read.
 */
struct buf;
#define TPL_VALUE 0	/* a stage value: primitives only */
#define TPL_CMD 1	/* inside cmd: text, mappings unpacked */
#define TPL_ANY 2	/* foreach / matrix data: lists and mappings too */
int tpl_resolve(ynode **out, const struct tpl_ctx *c, const ynode *s,
    int is_cmd, struct tpl_used_list *used, char *err, size_t err_len);

/* Python's str() of a scalar, as DVC shows values in stage names and
 * interpolated text: true/false, None, 16 for 0x10, 1e-05, 1000.0. */
int tpl_py_str(struct buf *b, const ynode *v);

/* Interpolates every scalar of a tree (keys too); cmd_key names the key
 * whose values are commands ("cmd"), or NULL. */
int tpl_resolve_tree(ynode **out, const struct tpl_ctx *c, const ynode *n,
    int in_cmd, struct tpl_used_list *used, char *err, size_t err_len);

/* Formats a node for an error message location: "FILE:LINE:COL". */
#define YN_LOC_FMT "%s:%d:%d"
#define YN_LOC(n) ((n)->file ? (n)->file : "?"), (n)->line, (n)->col

/* Appends a shell-quoted copy of s (single quotes) to b. */
struct buf;
int tpl_shell_quote(struct buf *b, const char *s);

/* ---- the loaded pipeline (parse.c reads it, graph.c links it) */

/* A params file read while loading. */
struct pfile {
	char *wfile;		/* relative to the pipeline directory */
	ynode *tree;		/* NULL when the file does not exist */
	int missing;
	int produced;		/* an output of some stage: read when asked
				 * (it changes while the pipeline runs) */
};

/* A dvc.yaml found in a subdirectory (see pl_pipeline_load()). */
struct subfile {
	char *shown;		/* as in messages: "sub/dvc.yaml" */
	char *addr;		/* stage address prefix, relative to the
				 * pipeline directory: "sub/dvc.yaml" */
	char *prefix;		/* its directory: "sub" */
	ynode *root;
};

struct pl_pipeline {
	char *file, *dir, *lock, *name;
	ynode *root;
	struct subfile *subs;
	size_t nsubs;
	/* while loading: the file being read (prefix and addr NULL for
	 * the main one) */
	const char *cur_file, *cur_prefix, *cur_addr;
	pl_pipe_stage *stages;
	size_t n, cap;
	struct pfile *pfiles;	/* params files read */
	size_t npfiles;
	/* graph */
	size_t **up, **down;
	size_t *nup, *ndown;
	const char ***upvia;	/* upvia[i][k]: the dep path of stage i
				 * through which it depends on up[i][k] */
	size_t *order;
};

/*
 * The room's files form a chain, each calling only those before it:
 * template.c, path.c <- params.c <- graph.c <- parse.c (the loader).
 */

/* path.c: resolves absolute path abs through symlinks, also when its tail does
 * not exist; *through when a symlink was followed. */
char *pl__path_resolve(const char *abs, int *through);
/* url.c: remote deps.  The scheme of a URL ("s3" for
 * "s3://b/k", lowercased into out), or NULL for a path. */
const char *pl__url_scheme(const char *path, char *out, size_t len);
int pl__url_is_http(const char *path);
/*
 * What an http(s) server says about url (HEAD, redirects followed), as a
 * hash: the SHA-256 of its ETag (else Last-Modified) and size; the
 * header itself goes to *meta (for the lock, as DVC's etag field).
 * 404/410 give missing = 1.  PL_EIO with err when the server cannot be
 * reached or answers an error; PL_EINVAL for another scheme ("unsupported
 * scheme s3: ..."), or a server that sends neither header.
 */
struct pl_hashed;
struct pl_url_meta {
	char etag[512];		/* ETag as sent (quotes kept), or "" */
	char modified[128];	/* Last-Modified when there is no ETag */
};
int pl__url_stat(struct pl_hashed *out, struct pl_url_meta *meta,
    const char *url, char *err, size_t err_len);

/* path.c: path (relative to wdir) relative to the pipeline directory. */
char *pl__pipe_wjoin(const pl_pipeline *p, const char *wdir,
    const char *path);
/* Is path a equal to, or inside, directory path b? */
int pl__pipe_path_within(const char *a, const char *b);
/* params.c: the params file wfile (read once and kept), or NULL after
 * setting err. */
struct pfile *pl__pipe_pfile_get(pl_pipeline *p, const char *wfile,
    char *err, size_t err_len, int *rc);
/* The entry for params file wfile, made (unread) when absent; NULL on
 * OOM. */
struct pfile *pl__pipe_pfile_add(pl_pipeline *p, const char *wfile);
/* Is a params key a glob ("ds.moon*")?  Its value is every match. */
int pl__pipe_param_is_glob(const char *key);
/* The value of dotted key in a params tree, or NULL. */
const ynode *pl__pipe_param_find(const ynode *t, const char *key);
/* graph.c: stage names, params, then the dependency graph
 * (edges from outputs to deps, overlaps, cycles, a topological order). */
int pl__pipe_check_names(pl_pipeline *p, char *err, size_t err_len);
int pl__pipe_check_params(pl_pipeline *p, char *err, size_t err_len);
int pl__pipe_build_graph(pl_pipeline *p, unsigned flags, char *err,
    size_t err_len);

#endif
