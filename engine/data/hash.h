/* hash.h - content hashes of files and directories (parallel SHA-256, memo), cache put and checkout. */
#ifndef PL_ENGINE_HASH_H
#define PL_ENGINE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "data/cache.h"
#include "store/store.h"

/*
 * Files are hashed with SHA-256 (libcrypto, SHA-NI where the CPU has
 * it) on several threads at once.  A directory is hashed as its manifest:
 * one line per file, sorted by relative path (bytewise),
 *
 *     <sha256> <size> <mode, octal> <relative path>\n
 *
 * and the directory's hash is the SHA-256 of that text.  The manifest is
 * itself a cache object, so a directory can be restored from its hash.
 *
 * The memo: a file's hash is remembered in the store keyed by (device,
 * inode) and trusted while its size and mtime (ns) are unchanged, so an
 * unchanged file is never read again, across restarts.  A file modified
 * less than PL_HASH_RACY_NS before it was hashed is not trusted (a second
 * write in the same timestamp tick would be invisible) and is re-read.
 */
#define PL_HASH_RACY_NS 50000000LL	/* 50 ms */

typedef struct pl_hashed {
	char hash[PL_HASH_HEX];	/* "" when missing */
	int64_t size;		/* bytes (all files of a directory) */
	int64_t nfiles;		/* files in a directory; 0 for a file */
	int is_dir;
	int missing;		/* the path does not exist */
} pl_hashed;

/* pl_hash_paths() flags. */
#define PL_HASH_NO_MEMO 0x1		/* neither read nor write the memo */
#define PL_HASH_SAVE_MANIFESTS 0x2	/* put directory manifests in the cache */

/* Statistics of the last pl_hash_paths() on this thread. */
typedef struct pl_hash_stats {
	int64_t files;		/* files looked at */
	int64_t hashed;		/* of which read and hashed */
	int64_t bytes_hashed;
} pl_hash_stats;

/*
 * Hashes the n paths (absolute, or relative to the working directory)
 * into out[0..n-1].  A path that does not exist gets missing = 1 (not an
 * error).  st may be NULL (no memo, no manifests stored).  threads 0
 * means one per online CPU.  stats may be NULL.  Errors: PL_EIO (a file
 * that cannot be read; st's message says which), PL_ENOMEM.
 */
int pl_hash_paths(pl_hashed *out, pl_hash_stats *stats, pl_store *st,
    const char *const *paths, size_t n, int threads, unsigned flags);

/* One file of a directory manifest. */
typedef struct pl_manifest_entry {
	char *path;		/* relative to the directory */
	char hash[PL_HASH_HEX];
	int64_t size;
	unsigned mode;
} pl_manifest_entry;

/* Reads manifest object hash from the cache.  Free with
 * pl_manifest_free().  PL_ENOTFOUND when it is not cached. */
int pl_manifest_read(pl_manifest_entry **out, size_t *out_n, pl_store *st,
    const char *hash);
void pl_manifest_free(pl_manifest_entry *m, size_t n);

/*
 * Stores the content of path (a file, or every file of a directory and
 * its manifest) in the cache, and sets *out to its hash.  Objects are
 * written read-only through the store's tmp/ and renamed into place;
 * a reflink (FICLONE) is used when the filesystem can, else a kernel
 * copy.  A present object is kept.
 */
int pl_cache_put_path(pl_hashed *out, pl_store *st, const char *path);

/* 1 when everything h needs (object, or manifest and every object of
 * it) is in the cache, else 0 (always 0 without a store: st NULL). */
int pl_cache_has(pl_store *st, const pl_hashed *h);

/* Ways to place a cached object in the workspace, tried in order. */
#define PL_LINK_REFLINK 0x1	/* copy-on-write clone: safe and instant */
#define PL_LINK_HARDLINK 0x2	/* shares the object: checked out read-only */
#define PL_LINK_COPY 0x4	/* a full copy */
#define PL_LINK_DEFAULT (PL_LINK_REFLINK | PL_LINK_COPY)

/*
 * Parses "reflink,hardlink,copy" (any subset, comma-separated) into
 * PL_LINK_* bits; -1 for an unknown word.  NULL or "" gives the default.
 */
int pl_link_parse(const char *s);

/*
 * Restores path from the cache so that it holds exactly h (a file, or a
 * directory whose extra files are removed).  Workspace files are never
 * the cache's own inode unless PL_LINK_HARDLINK was allowed (then they
 * are read-only, so an edit in place fails instead of corrupting the
 * cache).  The memo learns the restored files.  PL_ENOTFOUND when an
 * object is missing from the cache.
 */
int pl_cache_checkout(pl_store *st, const char *path, const pl_hashed *h,
    int link_types);

/* Removes a file or a directory tree (like rm -rf); ENOENT is fine. */
int pl_remove_path(const char *path);

#endif
