/* cache.h - the store's content-addressed object cache (SHA-256, two-level fan-out). */
#ifndef PL_ENGINE_CACHE_H
#define PL_ENGINE_CACHE_H

#include <stdint.h>

#include "store/store.h"

/* Hex SHA-256 plus NUL. */
#define PL_HASH_HEX 65

/*
 * Hashes a file with SHA-256 (OpenSSL libcrypto, which uses the CPU's
 * SHA instructions).  out receives 64 hex digits.  err gets the reason
 * on failure (PL_ENOTFOUND, PL_EIO).
 */
int pl_hash_file(char out[PL_HASH_HEX], int64_t *out_size, const char *path,
    char *err, size_t err_len);

/*
 * Copies the file at path into the cache as object <hash> (read once:
 * hashed while copied), stored read-only at cache/<2 hex>/<62 hex>.  An
 * object already present is kept.  The copy is written to the store's
 * tmp/ and renamed into place, so a crash never leaves a partial object.
 */
int pl_cache_put_file(char out_hash[PL_HASH_HEX], int64_t *out_size,
    pl_store *st, const char *path);

/* Path of object hash in the cache (malloc'ed; it may not exist). */
char *pl_cache_object_path(const pl_store *st, const char *hash);

#endif
