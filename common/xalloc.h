/* xalloc.h - allocation wrappers for the front ends: out of memory is fatal there. */
#ifndef PL_COMMON_XALLOC_H
#define PL_COMMON_XALLOC_H

#include <stddef.h>

/* Only the front ends (cli/, tui/) use these: the engine returns PL_ENOMEM
 * and widgets return -1 instead, so neither includes this header. */
void xoom(void) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
