/* json.h - streaming JSON writer into a struct buf (for every --json output). */
#ifndef PL_COMMON_JSON_H
#define PL_COMMON_JSON_H

#include <stdint.h>

#include "buf.h"

#define JSON_MAX_DEPTH 32

/*
 * Writes compact JSON, one value at a time; commas are placed for you.
 * Inside an object, call json_key() before each value.  Strings are
 * escaped per RFC 8259 (controls as \uXXXX, and C1 controls and bidi
 * overrides too, so JSON printed on a terminal is inert; invalid UTF-8
 * bytes become U+FFFD so the output is always valid JSON).  Doubles are written with
 * 17 significant digits (round-trip exact); non-finite values as the
 * strings "inf", "-inf" and "nan".  Errors (OOM, nesting past
 * JSON_MAX_DEPTH) are sticky: check json_error() once at the end.
 */
struct json {
	struct buf *out;
	int depth;
	int err;
	int key_pending;		/* a key was written; its value comes next */
	unsigned char count[JSON_MAX_DEPTH];	/* values written per level (capped at 1) */
};

void json_init(struct json *j, struct buf *out);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t n);
void json_num(struct json *j, double v);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
int json_error(const struct json *j);

/* Appends s as a JSON string literal (with quotes) to out. */
int json_quote(struct buf *out, const char *s, size_t n);

#endif
