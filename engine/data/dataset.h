/* dataset.h - versioning raw datasets: pointer files, status, checkout and the version log. */
#ifndef PL_ENGINE_DATA_H
#define PL_ENGINE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "data/hash.h"
#include "track/run.h"
#include "store/store.h"

/*
 * `plumb data add data/raw` puts the content of data/raw (a file or a
 * directory) in the store's cache and writes a small pointer file next to
 * it, data/raw.plumb, meant for git:
 *
 *     path: raw
 *     sha256: 5e3c...
 *     size: 1048576
 *     nfiles: 12          (directories only)
 *
 * Each add is also recorded in the store (who, when, which hash), so the
 * history of a path can be listed with the runs that read each version.
 * Inside a git work tree the data's name is added to the .gitignore of
 * its directory, so only the pointer is committed.
 */
#define PL_DATA_SUFFIX ".plumb"

typedef struct pl_data_pointer {
	char *pointer;		/* the pointer file */
	char *data;		/* the data path it describes */
	pl_hashed h;		/* recorded content */
} pl_data_pointer;

void pl_data_pointer_dispose(pl_data_pointer *p);

/* Maps "x" or "x.plumb" to the data path and its pointer (malloc'ed). */
int pl_data_paths(char **data, char **pointer, const char *arg);

/*
 * Versions path: caches its content, writes path.plumb atomically and
 * records the version.  out (may be NULL) receives the hash.
 */
int pl_data_add(pl_hashed *out, pl_store *st, const char *path);

/* Reads a pointer file.  PL_ENOTFOUND, or PL_EINVAL (st's message says
 * FILE:LINE:COL). */
int pl_data_pointer_read(pl_data_pointer *out, pl_store *st,
    const char *pointer);

typedef enum {
	PL_DATA_CLEAN,		/* the workspace holds the recorded content */
	PL_DATA_MODIFIED,	/* it holds something else */
	PL_DATA_MISSING,	/* nothing there: `data checkout` restores it */
} pl_data_state;

/* Compares the workspace with a pointer (hashing through the memo).
 * *cached is 1 when the cache holds the recorded content. */
int pl_data_status(pl_data_state *state, int *cached, pl_store *st,
    const pl_data_pointer *p);

/* Restores the data of a pointer.  A modified workspace copy is only
 * replaced with force (else PL_EEXISTS). */
int pl_data_checkout(pl_store *st, const pl_data_pointer *p, int link_types,
    int force);

/* Every pointer file under dir (not in .plumb/ or .git/), sorted;
 * *out is a malloc'ed array of malloc'ed paths. */
int pl_data_find_pointers(char ***out, size_t *out_n, const char *dir);

typedef struct pl_data_version {
	char hash[PL_HASH_HEX];
	int64_t size, nfiles;
	char *user, *host;
	int64_t created_ms;
	size_t nruns;
	char (*runs)[PL_ID_LEN + 1];	/* runs whose stages read it */
} pl_data_version;

/* Versions of path (newest first).  Free with pl_data_log_free(). */
int pl_data_log(pl_data_version **out, size_t *out_n, pl_store *st,
    const char *path);
void pl_data_log_free(pl_data_version *v, size_t n);

#endif
