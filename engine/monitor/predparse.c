/* predparse.c - a focused single-pass JSON-object and CSV line parser for prediction and label logs (contract in predparse.h). */
#include "config.h"
#include "monitor/predparse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csvread.h"
#include "store/error.h"
#include "monitor/logtail.h"

/*
 * Why not a general JSON library: the budget is 300k lines/s with 20
 * features on one core, and a DOM per line (allocation per member) costs
 * more than the whole line.  This parser walks the line once, matches
 * member names against the few it wants (feature names by a positional
 * hint, since writers emit them in the same order every line) and parses
 * numbers with csvread's exact Clinger/strtod parser.  It validates what
 * it reads (strings, escapes, nesting up to 64, trailing garbage) and is
 * fuzzed (tests/fuzz/predparse-fuzz.c).
 */

enum role { R_NONE = 0, R_ID, R_TIME, R_PRED, R_LAT, R_STATUS, R_LABEL,
	R_FEATURES, R_SCORE, R_NROLES };

struct pl_predparse {
	int format;
	char *names[R_NROLES];
	size_t lens[R_NROLES];
	int flat;			/* features are top-level members */
	char *positive;			/* the positive class, or NULL */
	size_t pos_len;
	double pos_num;			/* positive as a number, or NaN */
	/* feature schema */
	char *fname[PL_PRED_MAX_FEATURES];
	size_t flen[PL_PRED_MAX_FEATURES];
	/* the name is its own JSON text (no quote, backslash or control
	 * character): a member name can be matched in the line as it is */
	unsigned char fplain[PL_PRED_MAX_FEATURES];
	size_t nf;
	int had_record;			/* the schema is established */
	unsigned changes;
	char note[512];
	double vals[PL_PRED_MAX_FEATURES];
	/* CSV */
	int *colrole;			/* per column: role, or -1 - feature index */
	size_t ncols;
	char *header;			/* the previous header, to detect changes */
	/* per line */
	char *scratch;
	size_t scap;
	size_t sused;
	char err[256];
};

static int number(const char *s, size_t n, double *out);

static const char *const defaults[R_NROLES] = {
	[R_ID] = "id", [R_TIME] = "ts", [R_PRED] = "prediction",
	[R_LAT] = "latency", [R_STATUS] = "status", [R_LABEL] = "label",
	[R_FEATURES] = "features", [R_SCORE] = "score",
};

int
pl_predparse_new(pl_predparse **out, int format,
    const struct pl_pred_fields *f)
{
	pl_predparse *p;
	const char *given[R_NROLES] = { 0 };

	*out = NULL;
	if (format != PL_PRED_JSONL && format != PL_PRED_CSV)
		return PL_EINVAL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return PL_ENOMEM;
	p->format = format;
	if (f) {
		given[R_ID] = f->id;
		given[R_TIME] = f->time;
		given[R_PRED] = f->prediction;
		given[R_LAT] = f->latency;
		given[R_STATUS] = f->status;
		given[R_LABEL] = f->label;
		given[R_FEATURES] = f->features;
		given[R_SCORE] = f->score;
	}
	for (int r = 1; r < R_NROLES; r++) {
		p->names[r] = strdup(given[r] ? given[r] : defaults[r]);
		if (p->names[r] == NULL) {
			pl_predparse_free(p);
			return PL_ENOMEM;
		}
		p->lens[r] = strlen(p->names[r]);
	}
	p->flat = p->lens[R_FEATURES] == 0 || format == PL_PRED_CSV;
	p->pos_num = NAN;
	if (f && f->positive) {
		if ((p->positive = strdup(f->positive)) == NULL) {
			pl_predparse_free(p);
			return PL_ENOMEM;
		}
		p->pos_len = strlen(p->positive);
		if (number(p->positive, p->pos_len, &p->pos_num) != 0)
			p->pos_num = NAN;
	}
	*out = p;
	return PL_OK;
}

void
pl_predparse_free(pl_predparse *p)
{
	if (p == NULL)
		return;
	for (int r = 0; r < R_NROLES; r++)
		free(p->names[r]);
	free(p->positive);
	for (size_t i = 0; i < p->nf; i++)
		free(p->fname[i]);
	free(p->colrole);
	free(p->header);
	free(p->scratch);
	free(p);
}

const char *
pl_predparse_errmsg(const pl_predparse *p)
{
	return p->err;
}

size_t
pl_predparse_nfeatures(const pl_predparse *p)
{
	return p->nf;
}

const char *
pl_predparse_feature(const pl_predparse *p, size_t i)
{
	return i < p->nf ? p->fname[i] : NULL;
}

unsigned
pl_predparse_schema_changes(const pl_predparse *p)
{
	return p->changes;
}

const char *
pl_predparse_schema_note(const pl_predparse *p)
{
	return p->note;
}

static long
add_feature(pl_predparse *p, const char *s, size_t n)
{
	char *c;

	if (p->nf >= PL_PRED_MAX_FEATURES)
		return -1;
	c = malloc(n + 1);
	if (c == NULL)
		return -1;
	memcpy(c, s, n);
	c[n] = '\0';
	p->fname[p->nf] = c;
	p->flen[p->nf] = n;
	p->fplain[p->nf] = 1;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20)
			p->fplain[p->nf] = 0;
	p->vals[p->nf] = NAN;
	return (long)p->nf++;
}

long
pl_predparse_add_feature(pl_predparse *p, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < p->nf; i++)
		if (p->flen[i] == n && memcmp(p->fname[i], name, n) == 0)
			return (long)i;
	return add_feature(p, name, n);
}

/* Index of feature s[0..n), adding it (a schema change once records
 * exist).  *hint is where the next feature is expected. */
static long
feature_index(pl_predparse *p, const char *s, size_t n, size_t *hint)
{
	size_t h = *hint;

	if (h < p->nf && p->flen[h] == n && memcmp(p->fname[h], s, n) == 0) {
		*hint = h + 1;
		return (long)h;
	}
	for (size_t i = 0; i < p->nf; i++)
		if (p->flen[i] == n && memcmp(p->fname[i], s, n) == 0) {
			*hint = i + 1;
			return (long)i;
		}
	long k = add_feature(p, s, n);
	if (k < 0)
		return -1;
	if (p->had_record) {
		p->changes++;
		snprintf(p->note, sizeof p->note, "new column '%.*s' after %zu known",
		    (int)(n > 64 ? 64 : n), s, (size_t)k);
	}
	*hint = (size_t)k + 1;
	return k;
}

static int
fail(pl_predparse *p, const char *line, const char *at, const char *what)
{
	snprintf(p->err, sizeof p->err, "column %zu: %s",
	    (size_t)(at - line) + 1, what);
	return PL_EINVAL;
}

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits(const char *s, size_t n, size_t *i, int count, int *out)
{
	int v = 0;

	for (int k = 0; k < count; k++) {
		if (*i >= n || s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	*out = v;
	return 0;
}

int
pl_predparse_time(const char *s, size_t n, int64_t *ms)
{
	size_t i = 0;
	int Y, M, D, h, m, sec, frac_ms = 0;
	int64_t off = 0;

	if (digits(s, n, &i, 4, &Y) || i >= n || s[i++] != '-' ||
	    digits(s, n, &i, 2, &M) || i >= n || s[i++] != '-' ||
	    digits(s, n, &i, 2, &D))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31)
		return -1;
	h = m = sec = 0;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		i++;
		if (digits(s, n, &i, 2, &h) || i >= n || s[i++] != ':' ||
		    digits(s, n, &i, 2, &m))
			return -1;
		if (i < n && s[i] == ':') {
			i++;
			if (digits(s, n, &i, 2, &sec))
				return -1;
		}
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			int scale = 100, any = 0;
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				frac_ms += (s[i] - '0') * scale;
				scale /= 10;
				i++;
				any = 1;
			}
			if (!any)
				return -1;
		}
		if (h > 23 || m > 59 || sec > 60)
			return -1;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z'))
		i++;
	else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
		if (digits(s, n, &i, 2, &oh))
			return -1;
		if (i < n && s[i] == ':')
			i++;
		if (i < n && digits(s, n, &i, 2, &om))
			return -1;
		off = sign * ((int64_t)oh * 3600 + om * 60);
	}
	if (i != n)
		return -1;
	*ms = ((days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 +
	    h * 3600 + m * 60 + sec - off) * 1000) + frac_ms;
	return 0;
}

static int64_t
time_from_number(double v)
{
	double a = fabs(v);

	if (a < 1e11)
		return (int64_t)llround(v * 1000.0);
	if (a < 1e14)
		return (int64_t)llround(v);
	if (a < 1e17)
		return (int64_t)llround(v / 1000.0);
	return (int64_t)llround(v / 1e6);
}

/* ---- values shared by both formats ---- */

/* Status text: ok, success, or 1xx-3xx codes are fine. */
static int
status_of_text(const char *s, size_t n)
{
	if ((n == 2 && strncasecmp(s, "ok", 2) == 0) ||
	    (n == 7 && strncasecmp(s, "success", 7) == 0))
		return 0;
	if (n == 3 && s[0] >= '1' && s[0] <= '3' && s[1] >= '0' && s[1] <= '9' &&
	    s[2] >= '0' && s[2] <= '9')
		return 0;
	return 1;
}

static int
is_nan_token(const char *s, size_t n)
{
	return (n == 3 && memcmp(s, "NaN", 3) == 0) ||
	    (n == 8 && memcmp(s, "Infinity", 8) == 0) ||
	    (n == 9 && memcmp(s, "-Infinity", 9) == 0);
}

static inline int
token_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

/*
 * The common number in one pass: -?(0|[1-9][0-9]*)(.[0-9]+)? (JSON's
 * grammar without an exponent) whose digits, dot aside, make an integer
 * m <= 2^53 with at most 22 after the dot.  Then m and 10^f are exact
 * doubles and one IEEE division rounds m / 10^f correctly: the value
 * pl_csv_parse_double (a correctly rounding parser) gives, bit for bit,
 * without a second and third scan of the token.  Returns 1 and sets *out
 * and *stop (the first byte after the token), or 0: anything else
 * (exponent, long mantissa, not a number, a token going on) takes the
 * general path.
 */
static const double pow10_exact[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
	1e19, 1e20, 1e21, 1e22 };

static int
fast_number(const char *s, const char *end, double *out, const char **stop)
{
	const char *p = s;
	uint64_t m = 0;
	int neg = 0, frac = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == end)
		return 0;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9') {
			if (m >= (1ULL << 53))
				return 0;
			m = m * 10 + (uint64_t)(*p++ - '0');
		}
	} else
		return 0;
	if (p < end && *p == '.') {
		p++;
		if (p == end || *p < '0' || *p > '9')
			return 0;
		while (p < end && *p >= '0' && *p <= '9') {
			if (m >= (1ULL << 53) || frac == 22)
				return 0;
			m = m * 10 + (uint64_t)(*p++ - '0');
			frac++;
		}
	}
	if ((p < end && token_char(*p)) || m > (1ULL << 53))
		return 0;
	double v = (double)m;
	if (frac)
		v /= pow10_exact[frac];
	*out = neg ? -v : v;
	*stop = p;
	return 1;
}

/* Number text to a value (NaN tokens are missing); -1 if not a number. */
static int
number(const char *s, size_t n, double *out)
{
	const char *stop;

	if (fast_number(s, s + n, out, &stop) && stop == s + n)
		return 0;
	if (is_nan_token(s, n)) {
		*out = NAN;
		return 0;
	}
	if (!pl_csv_parse_double(s, n, out))
		return -1;
	if (isinf(*out))
		*out = NAN;
	return 0;
}

/* A scalar for role r (text s[0..n), quoted or not). */
static int
set_role(pl_predparse *p, struct pl_pred_row *row, int r, const char *s,
    size_t n, int quoted, const char **why)
{
	double v;

	switch (r) {
	case R_ID:
		row->id = s;
		row->id_len = n;
		return 0;
	case R_TIME:
		if (quoted && pl_predparse_time(s, n, &row->ts_ms) == 0)
			return 0;
		if (number(s, n, &v) != 0 || isnan(v)) {
			*why = "time is neither a number nor an ISO 8601 time";
			return -1;
		}
		row->ts_ms = time_from_number(v);
		return 0;
	case R_STATUS:
		if (quoted) {
			row->status = status_of_text(s, n);
			return 0;
		}
		if (number(s, n, &v) != 0) {
			*why = "status is not a number or a string";
			return -1;
		}
		row->status = v >= 400;
		return 0;
	case R_PRED:
	case R_SCORE:
	case R_LAT:
	case R_LABEL:
		if ((r == R_PRED || r == R_LABEL) && p->positive &&
		    n == p->pos_len && memcmp(s, p->positive, n) == 0) {
			v = 1;		/* the positive class by name */
			goto have;
		} else if (!quoted && n == 4 && memcmp(s, "true", 4) == 0)
			v = 1;
		else if (!quoted && n == 5 && memcmp(s, "false", 5) == 0)
			v = 0;
		else if (number(s, n, &v) != 0) {
			if ((r == R_PRED || r == R_LABEL) && p->positive) {
				v = 0;	/* another class by name */
				goto have;
			}
			*why = r == R_PRED ? "prediction is not a number" :
			    r == R_LAT ? "latency is not a number" :
			    r == R_SCORE ? "score is not a number" :
			    "label is not a number";
			return -1;
		}
		if (r == R_LABEL && p->positive && !isnan(v))
			v = !isnan(p->pos_num) ? v == p->pos_num : 0;
have:
		if (r == R_PRED)
			row->prediction = v;
		else if (r == R_LAT)
			row->latency = v;
		else if (r == R_SCORE)
			row->score = v;
		else
			row->label = v;
		return 0;
	}
	(void)p;
	return 0;
}

static int
role_of(const pl_predparse *p, const char *s, size_t n)
{
	for (int r = 1; r < R_NROLES; r++)
		if (p->lens[r] == n && memcmp(p->names[r], s, n) == 0)
			return r;
	return R_NONE;
}

static void
row_init(pl_predparse *p, struct pl_pred_row *row)
{
	memset(row, 0, sizeof *row);
	row->ts_ms = INT64_MIN;
	row->prediction = row->latency = row->label = row->score = NAN;
	row->status = -1;
	for (size_t i = 0; i < p->nf; i++)
		p->vals[i] = NAN;
}

static int
scratch_reserve(pl_predparse *p, size_t n)
{
	if (p->scap >= n)
		return 0;
	size_t c = p->scap ? p->scap : 256;
	while (c < n)
		c *= 2;
	char *s = realloc(p->scratch, c);
	if (s == NULL)
		return -1;
	p->scratch = s;
	p->scap = c;
	return 0;
}

/* ---- JSON ---- */

struct js {
	pl_predparse *p;
	const char *line, *s, *end;
	const char *why;
	const char *at;
};

static inline void
ws(struct js *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' ||
	    *j->s == '\r' || *j->s == '\n'))
		j->s++;
}

static int
jfail(struct js *j, const char *why)
{
	if (j->why == NULL) {
		j->why = why;
		j->at = j->s;
	}
	return -1;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		char c = s[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/*
 * A string at j->s (on the opening quote).  *out, *n get its text: a
 * pointer into the line when it has no escape, else into the scratch
 * arena (sized for the whole line up front, so pointers stay valid).
 */
static int
jstring(struct js *j, const char **out, size_t *n)
{
	const char *s = ++j->s, *e = j->end;
	const char *q = s;

	while (q < e && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	if (q < e && *q == '"') {
		*out = s;
		*n = (size_t)(q - s);
		j->s = q + 1;
		return 0;
	}
	/* escapes: decode into the arena */
	pl_predparse *p = j->p;
	char *d = p->scratch + p->sused, *d0 = d;
	memcpy(d, s, (size_t)(q - s));
	d += q - s;
	while (q < e) {
		unsigned char c = (unsigned char)*q;
		if (c == '"') {
			*out = d0;
			*n = (size_t)(d - d0);
			p->sused += *n;
			j->s = q + 1;
			return 0;
		}
		if (c < 0x20) {
			j->s = q;
			return jfail(j, "control character in a string");
		}
		if (c != '\\') {
			*d++ = (char)c;
			q++;
			continue;
		}
		if (q + 1 >= e) {
			j->s = q;
			return jfail(j, "unterminated string");
		}
		char x = q[1];
		q += 2;
		switch (x) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '/': *d++ = '/'; break;
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'u': {
			unsigned u, lo;
			if (e - q < 4 || hex4(q, &u)) {
				j->s = q;
				return jfail(j, "bad \\u escape");
			}
			q += 4;
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (e - q < 6 || q[0] != '\\' || q[1] != 'u' ||
				    hex4(q + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
					j->s = q;
					return jfail(j, "unpaired surrogate in a \\u escape");
				}
				q += 6;
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			} else if (u >= 0xDC00 && u <= 0xDFFF) {
				j->s = q;
				return jfail(j, "unpaired surrogate in a \\u escape");
			}
			/* UTF-8; "\u0000" is kept (ids are length-counted).
			 * The encoding is never longer than the escape. */
			if (u < 0x80)
				*d++ = (char)u;
			else if (u < 0x800) {
				*d++ = (char)(0xC0 | (u >> 6));
				*d++ = (char)(0x80 | (u & 0x3F));
			} else if (u < 0x10000) {
				*d++ = (char)(0xE0 | (u >> 12));
				*d++ = (char)(0x80 | ((u >> 6) & 0x3F));
				*d++ = (char)(0x80 | (u & 0x3F));
			} else {
				*d++ = (char)(0xF0 | (u >> 18));
				*d++ = (char)(0x80 | ((u >> 12) & 0x3F));
				*d++ = (char)(0x80 | ((u >> 6) & 0x3F));
				*d++ = (char)(0x80 | (u & 0x3F));
			}
			break;
		}
		default:
			j->s = q - 1;
			return jfail(j, "bad escape in a string");
		}
	}
	j->s = e;
	return jfail(j, "unterminated string");
}

/* A bare token (number, true, false, null, NaN, Infinity). */
static int
jtoken(struct js *j, const char **out, size_t *n)
{
	const char *s = j->s;

	while (j->s < j->end && token_char(*j->s))
		j->s++;
	if (j->s == s)
		return jfail(j, "expected a value");
	*out = s;
	*n = (size_t)(j->s - s);
	return 0;
}

/* Validates a JSON number token (RFC 8259 grammar). */
static int
json_number_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return 0;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

static int jskip(struct js *j, int depth);

static int
jskip_container(struct js *j, int depth, char close)
{
	const char *k;
	size_t kn;

	j->s++;
	ws(j);
	if (j->s < j->end && *j->s == close) {
		j->s++;
		return 0;
	}
	for (;;) {
		ws(j);
		if (close == '}') {
			if (j->s >= j->end || *j->s != '"')
				return jfail(j, "expected a member name");
			if (jstring(j, &k, &kn))
				return -1;
			ws(j);
			if (j->s >= j->end || *j->s != ':')
				return jfail(j, "expected ':'");
			j->s++;
			ws(j);
		}
		if (jskip(j, depth + 1))
			return -1;
		ws(j);
		if (j->s < j->end && *j->s == ',') {
			j->s++;
			continue;
		}
		if (j->s < j->end && *j->s == close) {
			j->s++;
			return 0;
		}
		return jfail(j, close == '}' ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	}
}

static int
jskip(struct js *j, int depth)
{
	const char *t;
	size_t n;

	if (depth > 64)
		return jfail(j, "nested too deeply");
	if (j->s >= j->end)
		return jfail(j, "expected a value");
	switch (*j->s) {
	case '"':
		return jstring(j, &t, &n);
	case '{':
		return jskip_container(j, depth, '}');
	case '[':
		return jskip_container(j, depth, ']');
	default:
		if (jtoken(j, &t, &n))
			return -1;
		if ((n == 4 && (memcmp(t, "true", 4) == 0 || memcmp(t, "null", 4) == 0)) ||
		    (n == 5 && memcmp(t, "false", 5) == 0) || is_nan_token(t, n) ||
		    json_number_ok(t, n))
			return 0;
		j->s = t;
		return jfail(j, "not a JSON value");
	}
}

/* A scalar value for a role or a feature. */
static int
jscalar(struct js *j, const char **t, size_t *n, int *quoted, int *isnull)
{
	*quoted = *isnull = 0;
	if (j->s < j->end && *j->s == '"') {
		*quoted = 1;
		return jstring(j, t, n);
	}
	const char *at = j->s;
	if (jtoken(j, t, n))
		return -1;
	if (*n == 4 && memcmp(*t, "null", 4) == 0) {
		*isnull = 1;
		return 0;
	}
	if ((*n == 4 && memcmp(*t, "true", 4) == 0) ||
	    (*n == 5 && memcmp(*t, "false", 5) == 0) || is_nan_token(*t, *n) ||
	    json_number_ok(*t, *n))
		return 0;
	j->s = at;
	return jfail(j, "not a JSON value");
}

/* A feature value: numbers (true/false as 1/0), null and NaN missing. */
static int
jfeature(struct js *j, const char *name, size_t nn, size_t *hint)
{
	const char *t;
	size_t n;
	int quoted, isnull;
	double v = NAN;
	const char *at = j->s;

	if (*j->s == '{' || *j->s == '[')
		return jskip(j, 1);	/* nested: not a feature */
	if (fast_number(j->s, j->end, &v, &t)) {
		j->s = t;
		goto store;
	}
	if (jscalar(j, &t, &n, &quoted, &isnull))
		return -1;
	if (quoted) {
		j->s = at;
		return jfail(j, "a feature value is a string, not a number");
	}
	if (!isnull) {
		if (n == 4 && memcmp(t, "true", 4) == 0)
			v = 1;
		else if (n == 5 && memcmp(t, "false", 5) == 0)
			v = 0;
		else if (number(t, n, &v) != 0) {
			j->s = at;
			return jfail(j, "bad number");
		}
	}
store:;
	long k = feature_index(j->p, name, nn, hint);
	if (k < 0) {
		j->s = at;
		return jfail(j, "too many features");
	}
	j->p->vals[k] = v;
	return 0;
}

static int
jfeatures(struct js *j)
{
	size_t hint = 0;
	char close = *j->s == '{' ? '}' : ']';
	size_t idx = 0;

	j->s++;
	ws(j);
	if (j->s < j->end && *j->s == close) {
		j->s++;
		return 0;
	}
	for (;;) {
		const char *k;
		size_t kn;
		char nb[24];
		pl_predparse *p = j->p;

		ws(j);
		if (close == '}' && hint < p->nf && p->fplain[hint] &&
		    (size_t)(j->end - j->s) > p->flen[hint] + 1 &&
		    j->s[0] == '"' && j->s[p->flen[hint] + 1] == '"' &&
		    memcmp(j->s + 1, p->fname[hint], p->flen[hint]) == 0) {
			/* the expected name, written as it is: what jstring
			 * would have returned, without scanning it twice */
			k = j->s + 1;
			kn = p->flen[hint];
			j->s += kn + 2;
			ws(j);
			if (j->s >= j->end || *j->s != ':')
				return jfail(j, "expected ':'");
			j->s++;
			ws(j);
		} else if (close == '}') {
			if (j->s >= j->end || *j->s != '"')
				return jfail(j, "expected a member name");
			if (jstring(j, &k, &kn))
				return -1;
			ws(j);
			if (j->s >= j->end || *j->s != ':')
				return jfail(j, "expected ':'");
			j->s++;
			ws(j);
		} else {
			kn = (size_t)snprintf(nb, sizeof nb, "%zu", idx++);
			k = nb;
		}
		if (j->s >= j->end)
			return jfail(j, "expected a value");
		if (jfeature(j, k, kn, &hint))
			return -1;
		ws(j);
		if (j->s < j->end && *j->s == ',') {
			j->s++;
			continue;
		}
		if (j->s < j->end && *j->s == close) {
			j->s++;
			return 0;
		}
		return jfail(j, close == '}' ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	}
}

static int
parse_json(pl_predparse *p, const char *line, size_t len,
    struct pl_pred_row *row)
{
	struct js j = { p, line, line, line + len, NULL, NULL };
	size_t hint = 0;

	ws(&j);
	if (j.s == j.end)
		return PL_ITEROVER;
	if (*j.s != '{') {
		jfail(&j, "expected '{' (a JSON object per line)");
		goto bad;
	}
	j.s++;
	ws(&j);
	if (j.s < j.end && *j.s == '}') {
		j.s++;
		goto end;
	}
	for (;;) {
		const char *k, *t;
		size_t kn, n;
		int quoted, isnull;

		ws(&j);
		if (j.s >= j.end || *j.s != '"') {
			jfail(&j, "expected a member name");
			goto bad;
		}
		if (jstring(&j, &k, &kn))
			goto bad;
		ws(&j);
		if (j.s >= j.end || *j.s != ':') {
			jfail(&j, "expected ':'");
			goto bad;
		}
		j.s++;
		ws(&j);
		if (j.s >= j.end) {
			jfail(&j, "expected a value");
			goto bad;
		}
		int r = role_of(p, k, kn);
		if (r == R_FEATURES && !p->flat && (*j.s == '{' || *j.s == '[')) {
			if (jfeatures(&j))
				goto bad;
		} else if (r == R_NONE || r == R_FEATURES) {
			if (p->flat && r == R_NONE && *j.s != '"' &&
			    *j.s != '{' && *j.s != '[') {
				if (jfeature(&j, k, kn, &hint))
					goto bad;
			} else if (jskip(&j, 1))
				goto bad;
		} else {
			const char *at = j.s;
			const char *why = NULL;
			if (*j.s == '{' || *j.s == '[') {
				jfail(&j, "expected a scalar value");
				goto bad;
			}
			if (jscalar(&j, &t, &n, &quoted, &isnull))
				goto bad;
			if (!isnull && set_role(p, row, r, t, n, quoted, &why)) {
				j.s = at;
				jfail(&j, why);
				goto bad;
			}
		}
		ws(&j);
		if (j.s < j.end && *j.s == ',') {
			j.s++;
			continue;
		}
		if (j.s < j.end && *j.s == '}') {
			j.s++;
			break;
		}
		jfail(&j, "expected ',' or '}'");
		goto bad;
	}
end:
	ws(&j);
	if (j.s != j.end) {
		jfail(&j, "text after the object");
		goto bad;
	}
	return PL_OK;
bad:
	return fail(p, line, j.at ? j.at : j.s, j.why ? j.why : "malformed");
}

/* ---- CSV ---- */

/* Splits the next field at *pos; text in the arena when quoted. */
static int
csv_field(pl_predparse *p, const char *line, size_t len, size_t *pos,
    const char **out, size_t *n, int *quoted, int *last)
{
	size_t i = *pos;

	*quoted = 0;
	if (i < len && line[i] == '"') {
		char *d = p->scratch + p->sused, *d0 = d;
		i++;
		for (;;) {
			if (i >= len)
				return fail(p, line, line + i, "unterminated quoted field");
			if (line[i] == '"') {
				if (i + 1 < len && line[i + 1] == '"') {
					*d++ = '"';
					i += 2;
					continue;
				}
				i++;
				break;
			}
			*d++ = line[i++];
		}
		if (i < len && line[i] != ',')
			return fail(p, line, line + i, "text after a quoted field");
		*out = d0;
		*n = (size_t)(d - d0);
		p->sused += *n;
		*quoted = 1;
	} else {
		const char *c = memchr(line + i, ',', len - i);
		size_t e = c ? (size_t)(c - line) : len;
		*out = line + i;
		*n = e - i;
		i = e;
	}
	*last = i >= len;
	*pos = i + 1;
	return PL_OK;
}

static int
csv_header(pl_predparse *p, const char *line, size_t len, int replay)
{
	size_t pos = 0, nc = 0, cap = 16;
	int *roles = malloc(cap * sizeof *roles);
	int last = 0;
	int had = p->had_record, changed = 0;

	if (roles == NULL)
		return PL_ENOMEM;
	while (!last) {
		const char *t;
		size_t n;
		int q;
		if (csv_field(p, line, len, &pos, &t, &n, &q, &last) != PL_OK) {
			free(roles);
			return PL_EINVAL;
		}
		if (nc == cap) {
			int *r = realloc(roles, (cap *= 2) * sizeof *r);
			if (r == NULL) {
				free(roles);
				return PL_ENOMEM;
			}
			roles = r;
		}
		int r = role_of(p, t, n);
		if (r == R_FEATURES)
			r = R_NONE;
		if (r != R_NONE)
			roles[nc++] = r;
		else {
			size_t before = p->nf;
			size_t hint = 0;
			long k = feature_index(p, t, n, &hint);
			if (k < 0) {
				free(roles);
				return fail(p, line, line + pos, "too many columns");
			}
			if (p->nf != before)
				changed = 1;
			roles[nc++] = -1 - (int)k;
		}
	}
	/* A different header than the previous file's is a change, even
	 * when it only drops or reorders columns (but not on a replay). */
	if (!replay && had && !changed && p->header &&
	    (strlen(p->header) != len || memcmp(p->header, line, len) != 0)) {
		p->changes++;
		snprintf(p->note, sizeof p->note, "the CSV header changed");
	}
	free(p->colrole);
	p->colrole = roles;
	p->ncols = nc;
	free(p->header);
	p->header = strndup(line, len);
	return PL_ITEROVER;
}

static int
parse_csv(pl_predparse *p, const char *line, size_t len, unsigned flags,
    struct pl_pred_row *row)
{
	size_t pos = 0, col = 0;
	int last = 0;

	if (len == 0)
		return PL_ITEROVER;
	if (flags & PL_TAIL_LINE_FIRST)
		return csv_header(p, line, len, (flags & PL_TAIL_LINE_HEADER_ONLY) != 0);
	if (p->colrole == NULL)
		return fail(p, line, line, "no CSV header seen before this row");
	while (!last) {
		const char *t;
		size_t n;
		int q;
		const char *at = line + pos;
		if (csv_field(p, line, len, &pos, &t, &n, &q, &last) != PL_OK)
			return PL_EINVAL;
		if (col >= p->ncols) {
			snprintf(p->err, sizeof p->err,
			    "column %zu: more fields than the header's %zu",
			    (size_t)(at - line) + 1, p->ncols);
			return PL_EINVAL;
		}
		int r = p->colrole[col++];
		if (n == 0)
			continue;	/* missing */
		if (r < 0) {
			double v;
			if (number(t, n, &v) != 0)
				return fail(p, line, at, "a feature value is not a number");
			p->vals[-1 - r] = v;
		} else {
			const char *why = NULL;
			/* CSV has no types: a time or status that is not a
			 * number is read as text. */
			double tmp;
			int quoted = q;
			if (r == R_TIME || r == R_STATUS)
				quoted = number(t, n, &tmp) != 0;
			if (set_role(p, row, r, t, n, quoted, &why))
				return fail(p, line, at, why);
		}
	}
	if (col != p->ncols) {
		snprintf(p->err, sizeof p->err, "column %zu: %zu fields, the header has %zu",
		    len + 1, col, p->ncols);
		return PL_EINVAL;
	}
	return PL_OK;
}

int
pl_predparse_line(pl_predparse *p, const char *line, size_t len,
    unsigned flags, struct pl_pred_row *row)
{
	int rc;

	p->err[0] = '\0';
	row_init(p, row);
	/* Unescaped text is never longer than the line. */
	if (scratch_reserve(p, len + 1) != 0) {
		snprintf(p->err, sizeof p->err, "out of memory");
		return PL_ENOMEM;
	}
	p->sused = 0;
	if (p->format == PL_PRED_CSV)
		rc = parse_csv(p, line, len, flags, row);
	else {
		if (flags & PL_TAIL_LINE_HEADER_ONLY)
			return PL_ITEROVER;
		rc = parse_json(p, line, len, row);
	}
	if (rc == PL_OK) {
		p->had_record = 1;
		row->features = p->vals;
		row->nfeatures = p->nf;
	}
	return rc;
}
