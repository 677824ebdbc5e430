/* proto.c - parser of the PLUMB_FD line protocol (one record per line). */
#include "config.h"
#include "track/proto.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"
#include "track/metric.h"

static int
is_sep(char c)
{
	return c == ' ' || c == '\t';
}

/* A token is a run of bytes that are neither separators nor controls. */
static size_t
token(const char *s, size_t i, size_t len)
{
	while (i < len && !is_sep(s[i]))
		i++;
	return i;
}

static size_t
skip_sep(const char *s, size_t i, size_t len)
{
	while (i < len && is_sep(s[i]))
		i++;
	return i;
}

static int
fail(char *err, size_t err_len, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t err_len, size_t col, const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	if (err_len) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		snprintf(err, err_len, "column %zu: %s", col + 1, msg);
	}
	return PL_EINVAL;
}

/* Keys: 1..PL_KEY_MAX bytes, no control characters. */
static int
check_key(const char *k, size_t n, size_t col, char *err, size_t err_len)
{
	if (n == 0)
		return fail(err, err_len, col, "missing %s", "key");
	if (n > PL_KEY_MAX)
		return fail(err, err_len, col, "%s longer than 250 bytes",
		    "key");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x20 || k[i] == 0x7f)
			return fail(err, err_len, col + i,
			    "control character in %s", "key");
	return PL_OK;
}

/* Parses an integer token [s, s+n) into *out; 0 on success. */
static int
parse_i64(const char *s, size_t n, int64_t *out)
{
	char tmp[32], *end;
	long long v;

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno || *end != '\0' || end == tmp)
		return -1;
	*out = v;
	return 0;
}

static int
parse_double(const char *s, size_t n, double *out)
{
	char tmp[64], *end;
	double v;

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtod(tmp, &end);
	/* ERANGE on underflow still gives the nearest value; overflow gives
	 * +-inf, which is a faithful reading of the text. */
	if (*end != '\0' || end == tmp)
		return -1;
	*out = v;
	return 0;
}

int
pl_proto_parse(pl_record *out, const char *line, size_t len, char *err,
    size_t err_len)
{
	size_t i, j, k;

	memset(out, 0, sizeof *out);
	out->step = PL_STEP_AUTO;
	if (len && line[len - 1] == '\r')
		len--;
	i = skip_sep(line, 0, len);
	if (i == len || line[i] == '#')
		return PL_OK;
	j = token(line, i, len);
	if (j - i == 6 && memcmp(line + i, "metric", 6) == 0)
		out->type = PL_REC_METRIC;
	else if (j - i == 5 && memcmp(line + i, "param", 5) == 0)
		out->type = PL_REC_PARAM;
	else if (j - i == 3 && memcmp(line + i, "tag", 3) == 0)
		out->type = PL_REC_TAG;
	else if (j - i == 8 && memcmp(line + i, "artifact", 8) == 0)
		out->type = PL_REC_ARTIFACT;
	else {
		char word[24];

		snprintf(word, sizeof word, "%.*s", (int)(j - i > 20 ? 20 :
		    j - i), line + i);
		out->type = PL_REC_NONE;
		return fail(err, err_len, i, "unknown record type '%s' "
		    "(expected metric, param, tag or artifact)", word);
	}
	i = skip_sep(line, j, len);
	if (out->type == PL_REC_ARTIFACT) {
		if (i == len)
			return fail(err, err_len, i, "missing %s", "path");
		out->text = line + i;
		out->text_len = len - i;
		if (memchr(out->text, '\0', out->text_len))
			return fail(err, err_len, i, "NUL byte in %s", "path");
		return PL_OK;
	}
	j = token(line, i, len);
	if (check_key(line + i, j - i, i, err, err_len) != PL_OK)
		return PL_EINVAL;
	out->key = line + i;
	out->key_len = j - i;
	if (out->type == PL_REC_PARAM || out->type == PL_REC_TAG) {
		/* The value is the rest of the line after one run of
		 * separators; it may be empty. */
		i = skip_sep(line, j, len);
		out->text = line + i;
		out->text_len = len - i;
		if (out->text_len > PL_VALUE_MAX)
			return fail(err, err_len, i, "%s longer than 6000 bytes",
			    "value");
		if (memchr(out->text, '\0', out->text_len))
			return fail(err, err_len, i, "NUL byte in %s", "value");
		return PL_OK;
	}
	/* metric KEY VALUE [step=N] [ts=MS] */
	i = skip_sep(line, j, len);
	if (i == len)
		return fail(err, err_len, i, "missing %s", "value");
	j = token(line, i, len);
	if (parse_double(line + i, j - i, &out->value) < 0)
		return fail(err, err_len, i, "%s is not a number",
		    "metric value");
	for (i = skip_sep(line, j, len); i < len; i = skip_sep(line, j, len)) {
		j = token(line, i, len);
		if (j - i > 5 && memcmp(line + i, "step=", 5) == 0) {
			if (parse_i64(line + i + 5, j - i - 5, &out->step) < 0 ||
			    out->step < 0)
				return fail(err, err_len, i + 5,
				    "%s is not an integer >= 0", "step");
		} else if (j - i > 3 && memcmp(line + i, "ts=", 3) == 0) {
			if (parse_i64(line + i + 3, j - i - 3, &out->ts_ms) < 0 ||
			    out->ts_ms <= 0)
				return fail(err, err_len, i + 3,
				    "%s is not a positive integer (Unix ms)",
				    "ts");
		} else {
			k = j - i > 20 ? 20 : j - i;
			{
				char word[24];

				snprintf(word, sizeof word, "%.*s", (int)k,
				    line + i);
				return fail(err, err_len, i, "unexpected '%s' "
				    "(expected step=N or ts=UNIX_MS)", word);
			}
		}
	}
	return PL_OK;
}
