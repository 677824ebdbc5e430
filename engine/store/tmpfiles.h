/* tmpfiles.h - the store's tmp/: names that say who holds them, and finding what dead processes left. */
#ifndef PL_ENGINE_TMPFILES_H
#define PL_ENGINE_TMPFILES_H

#include <stddef.h>

#include "store/store.h"

/*
 * Temporary files left in the store's tmp/ by a plumb process that died
 * (kill -9 during `plumb data add`): the names in *out (malloc'ed, free
 * with pl_store_tmp_free), how many are still held by a live process in
 * *out_held (may be NULL).  With remove, the leftovers are deleted (never
 * one a live process holds) and *out lists what was removed.
 */
int pl_store_tmp_leftovers(char ***out, size_t *out_n, size_t *out_held,
    pl_store *st, int remove);
void pl_store_tmp_free(char **v, size_t n);

#endif
