/* vec.c - growing a plain C array by doubling. */
#include "config.h"
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
vec_grow(void *pp, size_t *cap, size_t n, size_t elem, size_t min)
{
	void *p, *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : (min ? min : 1);
	if (nc <= n)
		nc = n + 1;
	if (elem && nc > SIZE_MAX / elem)
		return -1;
	/* pp points at a T *: read and write it as bytes, which is valid
	 * whatever T is. */
	memcpy(&p, pp, sizeof p);
	np = realloc(p, nc * elem);
	if (np == NULL)
		return -1;
	memcpy(pp, &np, sizeof np);
	*cap = nc;
	return 0;
}
