/* json.c - streaming JSON writer. */
#include "config.h"
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void
json_init(struct json *j, struct buf *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
}

static void
put(struct json *j, const char *s, size_t n)
{
	if (!j->err && buf_add(j->out, s, n) < 0)
		j->err = 1;
}

/* Called before every value or key: writes the separating comma. A value
 * right after a key needs none (the key set count already). */
static void
sep(struct json *j, int after_key)
{
	if (after_key)
		return;
	if (j->count[j->depth])
		put(j, ",", 1);
	j->count[j->depth] = 1;
}

static void
value_start(struct json *j)
{
	sep(j, j->key_pending);
	j->key_pending = 0;
}

static void
open_level(struct json *j, char c)
{
	value_start(j);
	put(j, &c, 1);
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->err = 1;
		return;
	}
	j->depth++;
	j->count[j->depth] = 0;
}

static void
close_level(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	put(j, &c, 1);
}

void json_obj_begin(struct json *j) { open_level(j, '{'); }
void json_obj_end(struct json *j) { close_level(j, '}'); }
void json_arr_begin(struct json *j) { open_level(j, '['); }
void json_arr_end(struct json *j) { close_level(j, ']'); }

int
json_quote(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, len, start;
	uint32_t cp;
	char tmp[8];

	if (buf_putc(out, '"') < 0)
		return -1;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		start = i;
		while (i < n && (unsigned char)s[i] >= 0x20 &&
		    (unsigned char)s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			i++;
		if (i > start && buf_add(out, s + start, i - start) < 0)
			return -1;
		if (i >= n)
			break;
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			if (buf_add(out, tmp, 2) < 0)
				return -1;
			i++;
		} else if (c < 0x20) {
			const char *e = NULL;

			switch (c) {
			case '\n': e = "\\n"; break;
			case '\r': e = "\\r"; break;
			case '\t': e = "\\t"; break;
			case '\b': e = "\\b"; break;
			case '\f': e = "\\f"; break;
			}
			if (e)
				len = strlen(strcpy(tmp, e));
			else
				len = (size_t)snprintf(tmp, sizeof tmp,
				    "\\u%04x", c);
			if (buf_add(out, tmp, len) < 0)
				return -1;
			i++;
		} else {
			len = utf8_decode(&cp, s + i, n - i);
			if (len == 0) {
				if (buf_puts(out, "\xef\xbf\xbd") < 0)
					return -1;
				i++;
			} else if ((cp >= 0x7f && cp <= 0x9f) ||
			    (cp >= 0x202a && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069)) {
				/* C1 controls and bidi overrides are escaped
				 * too, so JSON shown on a terminal is safe. */
				len = (size_t)snprintf(tmp, sizeof tmp,
				    "\\u%04x", (unsigned)cp);
				if (buf_add(out, tmp, len) < 0)
					return -1;
				i += utf8_decode(&cp, s + i, n - i);
			} else {
				if (buf_add(out, s + i, len) < 0)
					return -1;
				i += len;
			}
		}
	}
	return buf_putc(out, '"');
}

void
json_key(struct json *j, const char *key)
{
	sep(j, 0);
	if (!j->err && (json_quote(j->out, key, strlen(key)) < 0 ||
	    buf_putc(j->out, ':') < 0))
		j->err = 1;
	j->key_pending = 1;
}

void
json_strn(struct json *j, const char *s, size_t n)
{
	value_start(j);
	if (!j->err && json_quote(j->out, s, n) < 0)
		j->err = 1;
}

void
json_str(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_strn(j, s, strlen(s));
}

void
json_num(struct json *j, double v)
{
	char tmp[40];
	int n;

	if (isnan(v)) {
		json_str(j, "nan");
		return;
	}
	if (isinf(v)) {
		json_str(j, v > 0 ? "inf" : "-inf");
		return;
	}
	value_start(j);
	n = snprintf(tmp, sizeof tmp, "%.17g", v);
	/* Prefer the shortest form that reads back to the same double. */
	for (int prec = 1; prec < 17; prec++) {
		char t2[40];
		int m = snprintf(t2, sizeof t2, "%.*g", prec, v);

		if (strtod(t2, NULL) == v) {
			memcpy(tmp, t2, (size_t)m + 1);
			n = m;
			break;
		}
	}
	put(j, tmp, (size_t)n);
}

void
json_int(struct json *j, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);

	value_start(j);
	put(j, tmp, (size_t)n);
}

void
json_bool(struct json *j, int v)
{
	value_start(j);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void
json_null(struct json *j)
{
	value_start(j);
	put(j, "null", 4);
}

int
json_error(const struct json *j)
{
	return j->err;
}
