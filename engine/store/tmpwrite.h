/* tmpwrite.h - bytes from memory into a temporary file of the store's tmp/, for engine calls that take files (the cache). */
#ifndef PL_ENGINE_TMPWRITE_H
#define PL_ENGINE_TMPWRITE_H

#include <stddef.h>

#include "store/store.h"

/*
 * Writes len bytes of buf to a new file in the store's tmp/ (on the
 * cache's file system, named so that a crash leaves a file the store
 * sweeps) and returns its path in *out (malloc'ed).  The caller unlinks
 * it and frees *out.  PL_EIO with the reason on the handle.
 */
int pl_tmp_write(char **out, pl_store *st, const void *buf, size_t len);

#endif
