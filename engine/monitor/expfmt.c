/* expfmt.c - a parser of Prometheus' text exposition format 0.0.4 (grammar in expfmt.h). */
#include "config.h"
#include "monitor/expfmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/error.h"

#define MAXLABELS 64

/* Per-parse state: the line being read is unescaped into buf. */
struct px {
	char *buf;
	size_t cap;
	/* names that had a TYPE line (to refuse a second one) */
	char **typed;
	size_t ntyped, typedcap;
	pl_expfmt_stats *st;
};

static int
is_name_start(int c)
{
	return isalpha(c) || c == '_' || c == ':';
}

static int
is_name_char(int c)
{
	return isalnum(c) || c == '_' || c == ':';
}

static void
bad(struct px *p, int64_t line, const char *msg)
{
	p->st->bad_lines++;
	if (p->st->first_bad_line == 0) {
		p->st->first_bad_line = line;
		snprintf(p->st->first_bad, sizeof p->st->first_bad, "%s", msg);
	}
}

/*
 * A Go float: decimal or exponent notation, or NaN, +Inf, -Inf, Inf
 * (ParseFloat is case-insensitive for those).  Hexadecimal floats and
 * "infinity" spellings are refused: Prometheus' clients never write them.
 */
static int
parse_float(const char *s, size_t n, double *out)
{
	char tmp[64], *end;

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!strcasecmp(tmp, "nan")) {
		*out = NAN;
		return 0;
	}
	if (!strcasecmp(tmp, "+inf") || !strcasecmp(tmp, "inf")) {
		*out = INFINITY;
		return 0;
	}
	if (!strcasecmp(tmp, "-inf")) {
		*out = -INFINITY;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!(isdigit((unsigned char)tmp[i]) || tmp[i] == '.' ||
		    tmp[i] == 'e' || tmp[i] == 'E' || tmp[i] == '+' ||
		    tmp[i] == '-'))
			return -1;
	errno = 0;
	*out = strtod(tmp, &end);
	if (*end != '\0' || end == tmp)
		return -1;
	return 0;	/* ERANGE gives +-Inf or 0 as Go does */
}

static int
parse_int64(const char *s, size_t n, int64_t *out)
{
	char tmp[32], *end;

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!(isdigit((unsigned char)tmp[i]) ||
		    (i == 0 && tmp[i] == '-')))
			return -1;
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	return *end == '\0' && errno == 0 ? 0 : -1;
}

static int
type_line(struct px *p, const char *s, size_t n, int64_t line)
{
	/* s: after "# TYPE " */
	size_t i = 0, ns, ne;
	static const char *const kinds[] = { "counter", "gauge", "histogram",
	    "summary", "untyped", NULL };

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	ns = i;
	if (i >= n || !is_name_start((unsigned char)s[i])) {
		bad(p, line, "TYPE without a metric name");
		return 0;
	}
	while (i < n && is_name_char((unsigned char)s[i]))
		i++;
	ne = i;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t ks = i;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	size_t ke = i;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	int ok = 0;
	for (size_t k = 0; kinds[k]; k++)
		ok |= ke - ks == strlen(kinds[k]) &&
		    memcmp(s + ks, kinds[k], ke - ks) == 0;
	if (!ok || i != n) {
		bad(p, line, "TYPE with an unknown metric type");
		return 0;
	}
	for (size_t k = 0; k < p->ntyped; k++)
		if (strlen(p->typed[k]) == ne - ns &&
		    memcmp(p->typed[k], s + ns, ne - ns) == 0) {
			bad(p, line, "second TYPE line for the same metric");
			return 0;
		}
	if (p->ntyped == p->typedcap) {
		size_t cap = p->typedcap ? p->typedcap * 2 : 32;
		char **t = realloc(p->typed, cap * sizeof *t);

		if (t == NULL)
			return PL_ENOMEM;
		p->typed = t;
		p->typedcap = cap;
	}
	if ((p->typed[p->ntyped] = strndup(s + ns, ne - ns)) == NULL)
		return PL_ENOMEM;
	p->ntyped++;
	return 0;
}

/* One sample line s[0..n) (no '\n').  Returns the callback's non-zero,
 * PL_ENOMEM, or 0 (bad lines are counted, not returned). */
static int
sample_line(struct px *p, const char *s, size_t n, int64_t line,
    pl_expfmt_cb cb, void *ctx)
{
	pl_label lab[MAXLABELS];
	size_t nl = 0, i = 0, w = 0;
	char *b;
	double v;
	int64_t ts = 0;
	int has_ts = 0;

	/* unescaped strings go to buf: it never needs more than n+2*64+1 */
	if (p->cap < n + 2 * MAXLABELS + 2) {
		size_t cap = n + 2 * MAXLABELS + 256;
		char *nb = realloc(p->buf, cap);

		if (nb == NULL)
			return PL_ENOMEM;
		p->buf = nb;
		p->cap = cap;
	}
	b = p->buf;
	/* name */
	if (!is_name_start((unsigned char)s[0])) {
		bad(p, line, "a sample must start with a metric name");
		return 0;
	}
	const char *name = b + w;
	while (i < n && is_name_char((unsigned char)s[i]))
		b[w++] = s[i++];
	b[w++] = '\0';
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '{') {
		i++;
		for (;;) {
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < n && s[i] == '}') {
				i++;
				break;
			}
			if (i >= n || !(isalpha((unsigned char)s[i]) ||
			    s[i] == '_')) {
				bad(p, line, "expected a label name");
				return 0;
			}
			if (nl == MAXLABELS) {
				bad(p, line, "too many labels");
				return 0;
			}
			lab[nl].name = b + w;
			while (i < n && (isalnum((unsigned char)s[i]) ||
			    s[i] == '_'))
				b[w++] = s[i++];
			b[w++] = '\0';
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i >= n || s[i] != '=') {
				bad(p, line, "expected '=' after a label name");
				return 0;
			}
			i++;
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i >= n || s[i] != '"') {
				bad(p, line, "expected a quoted label value");
				return 0;
			}
			i++;
			lab[nl].value = b + w;
			while (i < n && s[i] != '"') {
				if (s[i] == '\\') {
					if (i + 1 >= n) {
						break;
					}
					i++;
					if (s[i] == 'n')
						b[w++] = '\n';
					else if (s[i] == '\\' || s[i] == '"')
						b[w++] = s[i];
					else {
						bad(p, line, "bad escape in a "
						    "label value");
						return 0;
					}
					i++;
				} else {
					b[w++] = s[i++];
				}
			}
			if (i >= n) {
				bad(p, line, "unterminated label value");
				return 0;
			}
			i++;
			b[w++] = '\0';
			if (strncmp(lab[nl].name, "__", 2) == 0) {
				bad(p, line, "reserved label name (__ prefix)");
				return 0;
			}
			for (size_t k = 0; k < nl; k++)
				if (!strcmp(lab[k].name, lab[nl].name)) {
					bad(p, line, "label given twice");
					return 0;
				}
			nl++;
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < n && s[i] == ',') {
				i++;
				continue;
			}
			if (i < n && s[i] == '}') {
				i++;
				break;
			}
			bad(p, line, "expected ',' or '}' after a label");
			return 0;
		}
	}
	/* value */
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t vs = i;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	if (vs == i || (vs > 0 && s[vs - 1] != ' ' && s[vs - 1] != '\t' &&
	    s[vs - 1] != '}')) {
		bad(p, line, "expected a value");
		return 0;
	}
	if (parse_float(s + vs, i - vs, &v) < 0) {
		bad(p, line, "the value is not a number");
		return 0;
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n) {
		size_t tsb = i;

		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		if (parse_int64(s + tsb, i - tsb, &ts) < 0) {
			bad(p, line, "the timestamp is not an integer of "
			    "milliseconds");
			return 0;
		}
		has_ts = 1;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n) {
			bad(p, line, "text after the timestamp");
			return 0;
		}
	}
	p->st->samples++;
	return cb(ctx, name, lab, nl, v, has_ts, ts);
}

int
pl_expfmt_parse(const char *text, size_t len, pl_expfmt_cb cb, void *ctx,
    pl_expfmt_stats *stats)
{
	struct px p;
	size_t pos = 0;
	int64_t line = 0;
	int rc = 0;

	memset(stats, 0, sizeof *stats);
	memset(&p, 0, sizeof p);
	p.st = stats;
	while (pos < len && rc == 0) {
		const char *s = text + pos;
		const char *nlp = memchr(s, '\n', len - pos);
		size_t n = nlp ? (size_t)(nlp - s) : len - pos;

		line++;
		stats->lines++;
		pos += n + (nlp != NULL);
		if (nlp == NULL) {
			bad(&p, line, "the last line does not end (truncated?)");
			break;
		}
		if (memchr(s, '\0', n)) {
			bad(&p, line, "NUL byte in the line");
			continue;
		}
		if (n > 0 && s[n - 1] == '\r')
			n--;	/* tolerate CRLF */
		size_t i = 0;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			continue;
		if (s[i] == '#') {
			/* "# TYPE " and "# HELP " are checked; other comments
			 * are free text */
			if (n - i > 7 && memcmp(s + i, "# TYPE ", 7) == 0)
				rc = type_line(&p, s + i + 7, n - i - 7, line);
			else if (n - i >= 6 && memcmp(s + i, "# HELP", 6) == 0 &&
			    (n - i == 6 || (s[i + 6] != ' ' &&
			    s[i + 6] != '\t')))
				bad(&p, line, "HELP without a metric name");
			continue;
		}
		rc = sample_line(&p, s + i, n - i, line, cb, ctx);
	}
	for (size_t k = 0; k < p.ntyped; k++)
		free(p.typed[k]);
	free(p.typed);
	free(p.buf);
	return rc;
}
