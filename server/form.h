/* form.h - application/x-www-form-urlencoded text (query strings and form bodies) decoded into name/value pairs (pure, no socket). */
#ifndef PL_SERVER_FORM_H
#define PL_SERVER_FORM_H

#include <stddef.h>

/*
 * Decodes s in place: '+' is a space, %XX a byte (a malformed escape is
 * kept as written, as Go's lenient readers do not; Prometheus would
 * refuse it, but nothing is lost by reading it literally).  The result
 * may hold NUL bytes from %00: its length is returned, and the string is
 * NUL-terminated there too.
 */
size_t srv_form_decode(char *s);

/*
 * Appends the pairs of text (len bytes, '&'-separated NAME=VALUE, a NAME
 * without '=' has the value "") to *pairs, as 2 * *npairs malloc'ed
 * strings, name then value, both decoded (a name or value cut at its
 * first %00, since C strings end there).  Empty fields ("a=1&&b=2") are
 * skipped.  At most SRV_FORM_MAX pairs in all (the rest are ignored, so
 * a hostile body costs bounded memory).  Returns 0, or -1 when out of
 * memory (the pairs so far are kept).  Free with srv_form_free().
 */
#define SRV_FORM_MAX 4096
int srv_form_parse(char ***pairs, size_t *npairs, const char *text,
    size_t len);
void srv_form_free(char **pairs, size_t npairs);

#endif
