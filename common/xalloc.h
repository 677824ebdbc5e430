/* xalloc.h - allocation wrappers for the front ends: out of memory is fatal there. */
#ifndef PL_CLI_XALLOC_H
#define PL_CLI_XALLOC_H

#include <stddef.h>

/* The engine returns PL_ENOMEM instead; only cli/ and tui/ use these. */
void xoom(void) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
