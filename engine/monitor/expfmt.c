/* expfmt.c - a parser of Prometheus' text exposition format 0.0.4 (grammar in expfmt.h). */
#include "config.h"
#include "monitor/expfmt.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/error.h"
#include "utf8.h"

#define MAXLABELS 64
/* Longest value or timestamp token taken (Go's clients write at most
 * ~25 characters; a longer token is refused, not truncated). */
#define MAXNUM 128

/*
 * Names that had a TYPE or HELP line, to refuse a second one: an
 * open-addressing hash set (a scrape has thousands of metric names, and
 * a linear list made that quadratic).
 */
struct nameset {
	char **slot;	/* NULL: empty */
	unsigned char *flags;
	size_t cap, n;	/* cap a power of two */
};

/* Per-parse state: the line being read is unescaped into buf. */
struct px {
	char *buf;
	size_t cap;
	struct nameset seen;
	pl_expfmt_stats *st;
};

#define SEEN_TYPE 1
#define SEEN_HELP 2

static int
is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':';
}

static int
is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static int
is_label_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_label_char(int c)
{
	return is_label_start(c) || (c >= '0' && c <= '9');
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Counts a bad line; the first one's position (col: 1-based byte column
 * of the problem) and message are kept. */
static void
bad(struct px *p, int64_t line, size_t col, const char *msg)
{
	p->st->bad_lines++;
	if (p->st->first_bad_line == 0) {
		p->st->first_bad_line = line;
		p->st->first_bad_col = (int64_t)col;
		snprintf(p->st->first_bad, sizeof p->st->first_bad, "%s", msg);
	}
}

/* Offset of the first invalid UTF-8 byte of s[0..n), or n when valid
 * (the format's encoding). */
static size_t
utf8_bad_at(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_decode(&cp, s + i, n - i);

		if (k == 0)
			return i;
		i += k;
	}
	return n;
}

static size_t
hash_name(const char *s, size_t n)
{
	size_t h = 1469598103934665603ULL & (size_t)-1;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * (size_t)1099511628211ULL;
	return h;
}

/* Marks name s[0..n) with flag; *had receives whether it was already
 * set.  PL_ENOMEM only. */
static int
seen_mark(struct nameset *ns, const char *s, size_t n, unsigned flag,
    int *had)
{
	size_t i;

	if (2 * (ns->n + 1) > ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		char **slot = calloc(cap, sizeof *slot);
		unsigned char *fl = calloc(cap, 1);

		if (slot == NULL || fl == NULL) {
			free(slot);
			free(fl);
			return PL_ENOMEM;
		}
		for (size_t k = 0; k < ns->cap; k++) {
			if (ns->slot[k] == NULL)
				continue;
			i = hash_name(ns->slot[k], strlen(ns->slot[k])) &
			    (cap - 1);
			while (slot[i])
				i = (i + 1) & (cap - 1);
			slot[i] = ns->slot[k];
			fl[i] = ns->flags[k];
		}
		free(ns->slot);
		free(ns->flags);
		ns->slot = slot;
		ns->flags = fl;
		ns->cap = cap;
	}
	i = hash_name(s, n) & (ns->cap - 1);
	while (ns->slot[i]) {
		if (strlen(ns->slot[i]) == n && !memcmp(ns->slot[i], s, n)) {
			*had = (ns->flags[i] & flag) != 0;
			ns->flags[i] |= flag;
			return 0;
		}
		i = (i + 1) & (ns->cap - 1);
	}
	if ((ns->slot[i] = strndup(s, n)) == NULL)
		return PL_ENOMEM;
	ns->flags[i] = flag;
	ns->n++;
	*had = 0;
	return 0;
}

static void
seen_free(struct nameset *ns)
{
	for (size_t k = 0; k < ns->cap; k++)
		free(ns->slot[k]);
	free(ns->slot);
	free(ns->flags);
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void
c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/*
 * A Go float: decimal or exponent notation, or NaN, +Inf, -Inf, Inf
 * (ParseFloat is case-insensitive for those).  Hexadecimal floats and
 * "infinity" spellings are refused: Prometheus' clients never write them.
 * Parsed in the C locale whatever the program's (a front end may have
 * called setlocale()).
 */
static int
parse_float(const char *s, size_t n, double *out)
{
	char tmp[MAXNUM + 1], *end;

	if (n == 0 || n > MAXNUM)
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
		if (!((tmp[i] >= '0' && tmp[i] <= '9') || tmp[i] == '.' ||
		    tmp[i] == 'e' || tmp[i] == 'E' || tmp[i] == '+' ||
		    tmp[i] == '-'))
			return -1;
	pthread_once(&c_locale_once, c_locale_init);
	errno = 0;
	*out = c_locale ? strtod_l(tmp, &end, c_locale) : strtod(tmp, &end);
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
		if (!((tmp[i] >= '0' && tmp[i] <= '9') ||
		    (i == 0 && tmp[i] == '-' && n > 1)))
			return -1;
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	return *end == '\0' && errno == 0 ? 0 : -1;
}

/*
 * "# HELP name text" or "# TYPE name kind": s[0..n) is the line after
 * "# HELP" / "# TYPE", off its column offset in the line.
 */
static int
meta_line(struct px *p, const char *s, size_t n, size_t off, int64_t line,
    int type)
{
	size_t i = 0, ns, ne;
	int had, rc;
	static const char *const kinds[] = { "counter", "gauge", "histogram",
	    "summary", "untyped", NULL };
	const char *what = type ? "TYPE" : "HELP";
	char msg[80];

	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	ns = i;
	if (i >= n || !is_name_start((unsigned char)s[i])) {
		snprintf(msg, sizeof msg, "%s without a metric name", what);
		bad(p, line, off + i + 1, msg);
		return 0;
	}
	while (i < n && is_name_char((unsigned char)s[i]))
		i++;
	ne = i;
	if (i < n && !is_blank((unsigned char)s[i])) {
		snprintf(msg, sizeof msg, "bad character in the metric name "
		    "of a %s line", what);
		bad(p, line, off + i + 1, msg);
		return 0;
	}
	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	if (type) {
		size_t ks = i;

		while (i < n && !is_blank((unsigned char)s[i]))
			i++;
		size_t ke = i;
		int ok = 0;

		while (i < n && is_blank((unsigned char)s[i]))
			i++;
		for (size_t k = 0; kinds[k]; k++)
			ok |= ke - ks == strlen(kinds[k]) &&
			    memcmp(s + ks, kinds[k], ke - ks) == 0;
		if (!ok || i != n) {
			bad(p, line, off + ks + 1,
			    "TYPE with an unknown metric type");
			return 0;
		}
	} else if (utf8_bad_at(s + i, n - i) != n - i) {
		bad(p, line, off + i + utf8_bad_at(s + i, n - i) + 1,
		    "invalid UTF-8 in a HELP text");
		return 0;
	}
	if ((rc = seen_mark(&p->seen, s + ns, ne - ns,
	    type ? SEEN_TYPE : SEEN_HELP, &had)) != 0)
		return rc;
	if (had) {
		snprintf(msg, sizeof msg, "second %s line for the same metric",
		    what);
		bad(p, line, off + ns + 1, msg);
	}
	return 0;
}

/* One sample line s[0..n) (no '\n'), off its column offset in the
 * line.  Returns the callback's non-zero, PL_ENOMEM, or 0 (bad lines
 * are counted, not returned). */
static int
sample_line(struct px *p, const char *s, size_t n, size_t off, int64_t line,
    pl_expfmt_cb cb, void *ctx)
{
	pl_label lab[MAXLABELS];
	size_t nl = 0, i = 0, w = 0;
	char *b;
	double v;
	int64_t ts = 0;
	int has_ts = 0;

#define BAD(at, msg) do { bad(p, line, off + (at) + 1, (msg)); return 0; } \
	while (0)
	/* unescaped strings go to buf: never more than n bytes of text plus
	 * one NUL per string (name and two per label) */
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
	if (!is_name_start((unsigned char)s[0]))
		BAD(0, "a sample must start with a metric name");
	const char *name = b + w;
	while (i < n && is_name_char((unsigned char)s[i]))
		b[w++] = s[i++];
	b[w++] = '\0';
	if (i < n && !is_blank((unsigned char)s[i]) && s[i] != '{')
		BAD(i, "bad character in the metric name");
	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '{') {
		i++;
		for (;;) {
			while (i < n && is_blank((unsigned char)s[i]))
				i++;
			if (i < n && s[i] == '}') {
				i++;
				break;
			}
			if (i >= n || !is_label_start((unsigned char)s[i]))
				BAD(i, "expected a label name");
			if (nl == MAXLABELS)
				BAD(i, "too many labels (more than 64)");
			size_t at = i;
			lab[nl].name = b + w;
			while (i < n && is_label_char((unsigned char)s[i]))
				b[w++] = s[i++];
			b[w++] = '\0';
			while (i < n && is_blank((unsigned char)s[i]))
				i++;
			if (i >= n || s[i] != '=')
				BAD(i, "expected '=' after a label name");
			i++;
			while (i < n && is_blank((unsigned char)s[i]))
				i++;
			if (i >= n || s[i] != '"')
				BAD(i, "expected a quoted label value");
			i++;
			size_t vs = i;
			lab[nl].value = b + w;
			while (i < n && s[i] != '"') {
				if (s[i] != '\\') {
					b[w++] = s[i++];
					continue;
				}
				if (i + 1 >= n)
					break;	/* unterminated, below */
				i++;
				if (s[i] == 'n')
					b[w++] = '\n';
				else if (s[i] == '\\' || s[i] == '"')
					b[w++] = s[i];
				else
					BAD(i - 1, "bad escape in a label value "
					    "(only \\\\, \\\" and \\n)");
				i++;
			}
			if (i >= n || s[i] != '"')
				BAD(vs - 1, "unterminated label value");
			size_t bad_at = utf8_bad_at(s + vs, i - vs);
			if (bad_at != i - vs)
				BAD(vs + bad_at, "invalid UTF-8 in a label value");
			i++;
			b[w++] = '\0';
			if (strncmp(lab[nl].name, "__", 2) == 0)
				BAD(at, "reserved label name (__ prefix)");
			for (size_t k = 0; k < nl; k++)
				if (!strcmp(lab[k].name, lab[nl].name))
					BAD(at, "label given twice");
			nl++;
			while (i < n && is_blank((unsigned char)s[i]))
				i++;
			if (i < n && s[i] == ',') {
				i++;
				continue;
			}
			if (i < n && s[i] == '}') {
				i++;
				break;
			}
			BAD(i, "expected ',' or '}' after a label");
		}
	}
	/* value: after blanks, or right after '}' */
	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	size_t vs = i;
	while (i < n && !is_blank((unsigned char)s[i]))
		i++;
	if (vs == i || !(is_blank((unsigned char)s[vs - 1]) ||
	    s[vs - 1] == '}'))
		BAD(vs, "expected a value");
	if (parse_float(s + vs, i - vs, &v) < 0)
		BAD(vs, "the value is not a number");
	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	if (i < n) {
		size_t tsb = i;

		while (i < n && !is_blank((unsigned char)s[i]))
			i++;
		if (parse_int64(s + tsb, i - tsb, &ts) < 0)
			BAD(tsb, "the timestamp is not an integer of "
			    "milliseconds");
		has_ts = 1;
		while (i < n && is_blank((unsigned char)s[i]))
			i++;
		if (i < n)
			BAD(i, "text after the timestamp");
	}
#undef BAD
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
		const char *z;

		line++;
		stats->lines++;
		pos += n + (nlp != NULL);
		if (nlp == NULL) {
			bad(&p, line, n + 1,
			    "the last line does not end with a newline "
			    "(truncated?)");
			break;
		}
		if ((z = memchr(s, '\0', n)) != NULL) {
			bad(&p, line, (size_t)(z - s) + 1, "NUL byte in the line");
			continue;
		}
		if (n > 0 && s[n - 1] == '\r')
			n--;	/* tolerate CRLF */
		size_t i = 0;
		while (i < n && is_blank((unsigned char)s[i]))
			i++;
		if (i == n)
			continue;
		if (s[i] == '#') {
			/* "# TYPE" and "# HELP" followed by a blank (or the
			 * end) are checked; other comments are free text */
			size_t r = n - i;

			if (r >= 6 && (memcmp(s + i, "# TYPE", 6) == 0 ||
			    memcmp(s + i, "# HELP", 6) == 0) &&
			    (r == 6 || is_blank((unsigned char)s[i + 6])))
				rc = meta_line(&p, s + i + 6, r - 6, i + 6,
				    line, s[i + 2] == 'T');
			continue;
		}
		rc = sample_line(&p, s + i, n - i, i, line, cb, ctx);
	}
	seen_free(&p.seen);
	free(p.buf);
	return rc;
}
