/* lock.h - the pipeline lock file (plumb.lock): what each stage last ran with and produced. */
#ifndef PL_ENGINE_LOCK_H
#define PL_ENGINE_LOCK_H

#include <stddef.h>
#include <stdint.h>

#include "data/cache.h"

/*
 * plumb.lock sits next to the pipeline file and records, per stage that
 * last succeeded: the command, each dep and out with its SHA-256 and size
 * (and file count for a directory), and the value of every param used.
 * It is YAML in a fixed order (stages by name, entries by path, params by
 * file then key), so it diffs well under git:
 *
 *   schema: plumb-lock/1
 *   stages:
 *     train:
 *       cmd: python train.py
 *       deps:
 *       - path: data/clean
 *         sha256: 3b0c...
 *         size: 10240
 *         nfiles: 4
 *       params:
 *         params.yaml:
 *           train.lr: 0.01
 *       outs:
 *       - path: model.pkl
 *         sha256: 9f2e...
 *         size: 5120
 *
 * An http(s) dependency is recorded as DVC records it in dvc.lock, by
 * the server's ETag and the size, plus the sha256 plumb compares (of
 * those headers, see url.c):
 *
 *       - path: https://example.com/data.csv
 *         sha256: 5d1c...
 *         size: 1024
 *         etag: '"64f1-5d2b"'
 *
 * (last_modified instead of etag when the server sends no ETag.)
 *
 * Paths are as written in the stage (relative to its wdir).  The file is
 * replaced atomically (temp file, fsync, rename, fsync of the directory):
 * a reader or a crash sees the old lock or the new one, never a mix.
 *
 * Structs are plain data owned by their pl_lock; the reader API is what
 * other modules (the model registry's lineage) use.
 */
typedef struct pl_lock_entry {
	char *path;
	char hash[PL_HASH_HEX];
	int64_t size;
	int64_t nfiles;		/* files of a directory */
	int is_dir;
	char *etag;		/* a URL dep: its ETag (DVC's etag field), */
	char *modified;		/* else its Last-Modified; NULL otherwise */
} pl_lock_entry;

typedef struct pl_lock_param {
	char *file;		/* params file as written */
	char *key;		/* dotted key ("" for a whole file) */
	char *value;		/* canonical JSON text of the value */
} pl_lock_param;

typedef struct pl_lock_stage {
	char *name;
	char **cmds;
	size_t ncmds;
	pl_lock_entry *deps;
	size_t ndeps;
	pl_lock_entry *outs;
	size_t nouts;
	pl_lock_param *params;
	size_t nparams;
} pl_lock_stage;

typedef struct pl_lock pl_lock;

/* An empty lock; NULL on OOM. */
pl_lock *pl_lock_new(void);
void pl_lock_free(pl_lock *lk);

/*
 * Reads a lock file.  A file that does not exist gives an empty lock and
 * PL_OK.  A damaged one gives PL_EINVAL with "FILE:LINE:COL: message" in
 * err.  *out is freed with pl_lock_free().
 */
int pl_lock_read(pl_lock **out, const char *path, char *err, size_t err_len);

/* Writes the lock atomically (see above).  PL_EIO with err set. */
int pl_lock_write(const pl_lock *lk, const char *path, char *err,
    size_t err_len);

size_t pl_lock_nstages(const pl_lock *lk);
/* Stage i, sorted by name; borrowed. */
const pl_lock_stage *pl_lock_stage_at(const pl_lock *lk, size_t i);
/* The stage named name, or NULL; borrowed. */
const pl_lock_stage *pl_lock_find(const pl_lock *lk, const char *name);
/* The dep (or out) entry of a stage with this path, or NULL. */
const pl_lock_entry *pl_lock_stage_dep(const pl_lock_stage *s,
    const char *path);
const pl_lock_entry *pl_lock_stage_out(const pl_lock_stage *s,
    const char *path);

/* Sets (copies in, replacing one of the same name) or removes a stage. */
int pl_lock_set(pl_lock *lk, const pl_lock_stage *s);
void pl_lock_remove(pl_lock *lk, const char *name);

/* Frees the members of a stage the caller built (not the struct). */
void pl_lock_stage_dispose(pl_lock_stage *s);
/* Deep copy into *dst; PL_ENOMEM. */
int pl_lock_stage_copy(pl_lock_stage *dst, const pl_lock_stage *src);

#endif
