/* buf.h - growable byte buffer (NUL-terminated), shared by engine, widgets and front ends. */
#ifndef PL_COMMON_BUF_H
#define PL_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A struct buf starts zeroed (BUF_INIT) and owns its memory; buf_free()
 * releases it.  Every append keeps p[len] == '\0' once anything has been
 * appended, so p can be used as a C string.  Appends return 0, or -1 when
 * memory runs out; the buffer is then left as it was (never half-appended),
 * so callers in the engine can report PL_ENOMEM instead of crashing.
 */
struct buf {
	char *p;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Empties the buffer but keeps its memory for reuse. */
void buf_clear(struct buf *b);
/* Hands the string to the caller (who frees it) and resets the buffer.
 * Returns an empty allocated string for an empty buffer, NULL on OOM. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);
/* Returns b->p, or "" when nothing was ever appended. */
const char *buf_str(const struct buf *b);

#endif
