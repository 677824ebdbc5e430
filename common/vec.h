/* vec.h - growing a plain C array by doubling (the one copy of a loop every list reader needs). */
#ifndef PL_COMMON_VEC_H
#define PL_COMMON_VEC_H

#include <stddef.h>

/*
 * Makes room for element n of the array *pp (pp is the address of a
 * T * holding n elements in *cap slots of elem bytes): when full, the
 * capacity doubles (first to min).  Returns 0, or -1 when memory runs
 * out; the array is then unchanged, still owned by the caller.
 *
 *     if (vec_grow(&items, &cap, n, sizeof *items, 16) < 0)
 *             goto oom;
 *     items[n++] = x;
 */
int vec_grow(void *pp, size_t *cap, size_t n, size_t elem, size_t min);

#endif
