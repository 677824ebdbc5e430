/* csvread.c - streaming CSV reader over libcsv: typed columns, exact fast number parsing. */
#include "config.h"
#include "data/csvread.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/error.h"
#include "ropen.h"
#include "utf8.h"

#define CHUNK (1u << 20)	/* bytes fed to libcsv per call */

/* ------------------------------------------------------------------ */
/* Number parsing                                                     */
/* ------------------------------------------------------------------ */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void
c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Exact powers of ten representable as doubles (10^22 is the last). */
static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n && lit[i]; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return 0;
	}
	return i == n && lit[i] == '\0';
}

static double
slow_strtod(const char *s, size_t n)
{
	char stack[128];
	char *tmp = stack;
	double v;

	if (n >= sizeof stack) {
		tmp = malloc(n + 1);
		if (tmp == NULL)
			return NAN;	/* caller treats NaN as "not parsed" */
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale != (locale_t)0)
		v = strtod_l(tmp, NULL, c_locale);
	else
		v = strtod(tmp, NULL);
	if (tmp != stack)
		free(tmp);
	return v;
}

/*
 * Grammar: [blanks][+-](digits[.digits*] | .digits)([eE][+-]digits)?[blanks]
 * or [blanks][+-](inf|infinity)[blanks], case-insensitive.
 *
 * Fast path (Clinger 1990): when the significant digits fit in w <= 2^53
 * and the decimal exponent e satisfies |e| <= 22, w and 10^|e| are both
 * exact doubles, so the single IEEE multiplication or division
 * w * 10^e (w / 10^-e) is correctly rounded - the same result as a
 * correctly rounding strtod.  Everything else goes to strtod_l("C").
 */
int
pl_csv_parse_double(const char *str, size_t n, double *out)
{
	const unsigned char *p = (const unsigned char *)str, *e = p + n;
	const unsigned char *start, *ds;
	uint64_t w = 0;
	size_t nint, nfrac = 0;
	long e10 = 0;
	int neg = 0;

	while (p < e && is_blank((char)*p))
		p++;
	while (e > p && is_blank((char)e[-1]))
		e--;
	if (p == e)
		return 0;
	start = p;
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (p < e && (*p | 0x20) == 'i') {
		if (ieq((const char *)p, (size_t)(e - p), "inf") ||
		    ieq((const char *)p, (size_t)(e - p), "infinity")) {
			*out = neg ? -INFINITY : INFINITY;
			return 1;
		}
		return 0;
	}
	/* Mantissa digits go into w as they come; with at most 19 digits in
	 * all w < 10^19 < 2^64 cannot overflow (longer ones use strtod). */
	ds = p;
	while (p < e && (unsigned)(*p - '0') < 10)
		w = w * 10 + (unsigned)(*p++ - '0');
	nint = (size_t)(p - ds);
	if (p < e && *p == '.') {
		const unsigned char *fs = ++p;
		while (p < e && (unsigned)(*p - '0') < 10)
			w = w * 10 + (unsigned)(*p++ - '0');
		nfrac = (size_t)(p - fs);
	}
	if (nint + nfrac == 0)
		return 0;
	if (p < e && (*p | 0x20) == 'e') {
		int eneg = 0;
		long ev = 0;
		const unsigned char *es;

		p++;
		if (p < e && (*p == '+' || *p == '-')) {
			eneg = *p == '-';
			p++;
		}
		es = p;
		while (p < e && (unsigned)(*p - '0') < 10) {
			if (ev < 100000000)
				ev = ev * 10 + (*p - '0');
			p++;
		}
		if (p == es)
			return 0;
		e10 = eneg ? -ev : ev;
	}
	if (p != e)
		return 0;
	e10 -= (long)nfrac;
	if (nint + nfrac <= 19 && w <= (UINT64_C(1) << 53)) {
		double v = (double)w;	/* exact: w <= 2^53 */

		if (w == 0) {
			*out = neg ? -0.0 : 0.0;
			return 1;
		}
		if (e10 >= 0 && e10 <= 22) {
			v *= pow10_exact[e10];
			*out = neg ? -v : v;
			return 1;
		}
		if (e10 < 0 && e10 >= -22) {
			v /= pow10_exact[-e10];
			*out = neg ? -v : v;
			return 1;
		}
	}
	{
		double v = slow_strtod((const char *)start, (size_t)(e - start));
		if (isnan(v))
			return 0;
		*out = v;
		return 1;
	}
}

/* ------------------------------------------------------------------ */
/* Tables                                                             */
/* ------------------------------------------------------------------ */

struct strtab {			/* interned strings of one text column */
	char *arena;		/* "s0\0s1\0..." */
	size_t alen, acap;
	size_t *off;		/* offset of level j in arena */
	size_t *len;		/* length of level j */
	size_t n, cap;
	uint32_t *slot;		/* open addressing: level+1, 0 = empty */
	uint32_t *shash;	/* hash of the level in that slot */
	size_t nslots;		/* power of two */
};

struct column {
	char *name;
	int storage;
	int selected;		/* loaded (else its fields are skipped) */
	int force_text;
	int reread;		/* demoted to text after numbers were kept */
	double *num;
	size_t nnum, capnum;
	uint32_t *codes;
	size_t ncodes, capcodes;
	struct strtab lv;
	size_t missing;
};

struct pl_csv_table {
	struct column *cols;
	size_t ncols;
	size_t rows;
	int keep_missing;	/* numeric columns hold NaN for missing */
};

static void
strtab_free(struct strtab *st)
{
	free(st->arena);
	free(st->off);
	free(st->len);
	free(st->slot);
	free(st->shash);
	memset(st, 0, sizeof *st);
}

static uint32_t
hash_bytes(const char *s, size_t n)
{
	/* FNV-1a, 32 bit */
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int
strtab_rehash(struct strtab *st, size_t nslots)
{
	uint32_t *slot = calloc(nslots, sizeof *slot);
	uint32_t *shash = calloc(nslots, sizeof *shash);

	if (slot == NULL || shash == NULL) {
		free(slot);
		free(shash);
		return PL_ENOMEM;
	}
	for (size_t i = 0; i < st->nslots; i++) {
		if (st->slot[i] == 0)
			continue;
		size_t k = st->shash[i] & (nslots - 1);
		while (slot[k] != 0)
			k = (k + 1) & (nslots - 1);
		slot[k] = st->slot[i];
		shash[k] = st->shash[i];
	}
	free(st->slot);
	free(st->shash);
	st->slot = slot;
	st->shash = shash;
	st->nslots = nslots;
	return PL_OK;
}

/* Interns s[0..n); stores its level index in *code. */
static int
strtab_intern(struct strtab *st, const char *s, size_t n, uint32_t *code)
{
	uint32_t h = hash_bytes(s, n);
	size_t k;

	if (st->nslots == 0 || (st->n + 1) * 2 > st->nslots) {
		if (st->n >= UINT32_MAX - 1)
			return PL_ENOMEM;
		if (strtab_rehash(st, st->nslots ? st->nslots * 2 : 64) != PL_OK)
			return PL_ENOMEM;
	}
	k = h & (st->nslots - 1);
	while (st->slot[k] != 0) {
		size_t j = st->slot[k] - 1;
		if (st->shash[k] == h && st->len[j] == n &&
		    memcmp(st->arena + st->off[j], s, n) == 0) {
			*code = (uint32_t)j;
			return PL_OK;
		}
		k = (k + 1) & (st->nslots - 1);
	}
	if (st->n == st->cap) {
		size_t nc = st->cap ? st->cap * 2 : 16;
		size_t *o = realloc(st->off, nc * sizeof *o);
		if (o == NULL)
			return PL_ENOMEM;
		st->off = o;
		size_t *l = realloc(st->len, nc * sizeof *l);
		if (l == NULL)
			return PL_ENOMEM;
		st->len = l;
		st->cap = nc;
	}
	if (st->alen + n + 1 > st->acap) {
		size_t nc = st->acap ? st->acap : 4096;
		while (nc < st->alen + n + 1)
			nc *= 2;
		char *a = realloc(st->arena, nc);
		if (a == NULL)
			return PL_ENOMEM;
		st->arena = a;
		st->acap = nc;
	}
	memcpy(st->arena + st->alen, s, n);
	st->arena[st->alen + n] = '\0';
	st->off[st->n] = st->alen;
	st->len[st->n] = n;
	st->alen += n + 1;
	st->slot[k] = (uint32_t)(st->n + 1);
	st->shash[k] = h;
	*code = (uint32_t)st->n;
	st->n++;
	return PL_OK;
}

static void
column_free(struct column *c)
{
	free(c->name);
	free(c->num);
	free(c->codes);
	strtab_free(&c->lv);
}

void
pl_csv_free(pl_csv_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		column_free(&t->cols[i]);
	free(t->cols);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Loader (libcsv callbacks)                                          */
/* ------------------------------------------------------------------ */

static const char *const default_na[] = { "NA", "NaN", "nan", "null" };

struct loader {
	const char *name;	/* file name for messages */
	const struct pl_csv_opts *opts;
	const char *const *na;
	size_t nna;
	pl_csv_table *t;
	int in_header;
	size_t field;		/* index of the next field in the record */
	size_t line;		/* line where the current record starts */
	size_t nl_in_record;	/* newlines inside quoted fields */
	int last_term;		/* terminator of the previous cb2 call */
	int rc;			/* first error (sticky) */
	int done;		/* max_rows reached */
	char *err;
	size_t errlen;
	/* header collection */
	char **hdr;
	size_t nhdr, caphdr;
};

static void
lfail(struct loader *ld, int rc, int with_line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
lfail(struct loader *ld, int rc, int with_line, const char *fmt, ...)
{
	va_list ap;
	int k = 0;

	if (ld->rc != PL_OK)
		return;
	ld->rc = rc;
	if (ld->errlen == 0)
		return;
	if (with_line)
		k = snprintf(ld->err, ld->errlen, "%s:%zu: ", ld->name, ld->line);
	else
		k = snprintf(ld->err, ld->errlen, "%s: ", ld->name);
	if (k < 0 || (size_t)k >= ld->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ld->err + k, ld->errlen - (size_t)k, fmt, ap);
	va_end(ap);
}

static size_t
count_newlines(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			c++;
		else if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
			c++;
	}
	return c;
}

static int
is_na(const struct loader *ld, const char *s, size_t n)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < ld->nna; i++)
		if (strlen(ld->na[i]) == n && memcmp(ld->na[i], s, n) == 0)
			return 1;
	return 0;
}

static int
utf8_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(&cp, s + i, n - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

static inline int
push_num(struct column *c, double v)
{
	if (__builtin_expect(c->nnum == c->capnum, 0)) {
		size_t nc = c->capnum ? c->capnum * 2 : 1024;
		double *p = realloc(c->num, nc * sizeof *p);
		if (p == NULL)
			return PL_ENOMEM;
		c->num = p;
		c->capnum = nc;
	}
	c->num[c->nnum++] = v;
	return PL_OK;
}

static int
push_text(struct column *c, const char *s, size_t n)
{
	uint32_t code;
	int rc = strtab_intern(&c->lv, s, n, &code);

	if (rc != PL_OK)
		return rc;
	if (c->ncodes == c->capcodes) {
		size_t nc = c->capcodes ? c->capcodes * 2 : 1024;
		uint32_t *p = realloc(c->codes, nc * sizeof *p);
		if (p == NULL)
			return PL_ENOMEM;
		c->codes = p;
		c->capcodes = nc;
	}
	c->codes[c->ncodes++] = code;
	return PL_OK;
}

static void
header_field(struct loader *ld, const char *s, size_t n)
{
	if (!utf8_valid(s, n)) {
		lfail(ld, PL_EINVAL, 1, "invalid UTF-8 in the name of column %zu",
		    ld->nhdr + 1);
		return;
	}
	if (ld->nhdr == ld->caphdr) {
		size_t nc = ld->caphdr ? ld->caphdr * 2 : 16;
		char **p = realloc(ld->hdr, nc * sizeof *p);
		if (p == NULL) {
			lfail(ld, PL_ENOMEM, 0, "out of memory");
			return;
		}
		ld->hdr = p;
		ld->caphdr = nc;
	}
	char *name = malloc(n + 1);
	if (name == NULL) {
		lfail(ld, PL_ENOMEM, 0, "out of memory");
		return;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	ld->hdr[ld->nhdr++] = name;
}

static int
in_list(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* The header record is complete: build the columns. */
static void
header_done(struct loader *ld)
{
	const struct pl_csv_opts *o = ld->opts;
	pl_csv_table *t = ld->t;

	for (size_t i = 0; i < ld->nhdr; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(ld->hdr[i], ld->hdr[j]) == 0) {
				struct buf b = BUF_INIT;
				utf8_sanitize(&b, ld->hdr[i], strlen(ld->hdr[i]), 0);
				lfail(ld, PL_EINVAL, 1,
				    "duplicate column name '%s' (columns %zu and %zu)",
				    buf_str(&b), j + 1, i + 1);
				buf_free(&b);
				return;
			}
	if (o && o->columns)
		for (size_t k = 0; k < o->n_columns; k++) {
			int found = 0;
			for (size_t i = 0; i < ld->nhdr; i++)
				if (strcmp(ld->hdr[i], o->columns[k]) == 0)
					found = 1;
			if (!found) {
				struct buf b = BUF_INIT;
				utf8_sanitize(&b, o->columns[k],
				    strlen(o->columns[k]), 0);
				lfail(ld, PL_ENOTFOUND, 0, "no column named '%s'",
				    buf_str(&b));
				buf_free(&b);
				return;
			}
		}
	t->cols = calloc(ld->nhdr ? ld->nhdr : 1, sizeof *t->cols);
	if (t->cols == NULL) {
		lfail(ld, PL_ENOMEM, 0, "out of memory");
		return;
	}
	t->ncols = ld->nhdr;
	for (size_t i = 0; i < ld->nhdr; i++) {
		struct column *c = &t->cols[i];
		c->name = ld->hdr[i];
		ld->hdr[i] = NULL;
		c->selected = !(o && o->columns) ||
		    in_list(o->columns, o->n_columns, c->name);
		c->force_text = o && o->text_columns &&
		    in_list(o->text_columns, o->n_text_columns, c->name);
		c->storage = c->force_text ? PL_CSV_TEXT : PL_CSV_NUM;
	}
	ld->nhdr = 0;
}

static void
cb_field(void *data, size_t n, void *arg)
{
	struct loader *ld = arg;
	const char *s = data ? data : "";
	struct column *c;
	double v;
	int rc = PL_OK;

	if (ld->rc != PL_OK || ld->done)
		return;
	if (data == NULL)
		n = 0;
	if (ld->in_header) {
		ld->nl_in_record += count_newlines(s, n);
		header_field(ld, s, n);
		return;
	}
	if (ld->field >= ld->t->ncols) {
		ld->field++;	/* reported at the end of the record */
		return;
	}
	c = &ld->t->cols[ld->field++];
	if (!c->selected) {
		if (n && (memchr(s, '\n', n) || memchr(s, '\r', n)))
			ld->nl_in_record += count_newlines(s, n);
		return;
	}
	if (c->storage == PL_CSV_NUM) {
		if (n == 0)
			goto num_missing;
		if (pl_csv_parse_double(s, n, &v)) {
			if (isinf(v))
				goto num_missing;
			if (v == 0)
				v = 0.0;	/* -0.0 and 0.0 are one value */
			rc = push_num(c, v);
			if (rc != PL_OK)
				lfail(ld, rc, 0, "out of memory");
			return;
		}
		if (is_na(ld, s, n))
			goto num_missing;
		/* Not a number: the column holds text. */
		if (c->nnum > 0)
			c->reread = 1;	/* earlier numbers need their text */
		free(c->num);
		c->num = NULL;
		c->nnum = c->capnum = 0;
		c->storage = PL_CSV_TEXT;
	}
	ld->nl_in_record += count_newlines(s, n);
	if (is_na(ld, s, n)) {
		c->missing++;
		return;
	}
	if (!utf8_valid(s, n)) {
		struct buf b = BUF_INIT;
		utf8_sanitize(&b, c->name, strlen(c->name), 0);
		lfail(ld, PL_EINVAL, 1, "invalid UTF-8 in column '%s'",
		    buf_str(&b));
		buf_free(&b);
		return;
	}
	rc = push_text(c, s, n);
	if (rc != PL_OK)
		lfail(ld, rc, 0, "out of memory");
	return;
num_missing:
	c->missing++;
	if (ld->opts && ld->opts->keep_missing &&
	    (rc = push_num(c, NAN)) != PL_OK)
		lfail(ld, rc, 0, "out of memory");
}

static void
cb_record(int term, void *arg)
{
	struct loader *ld = arg;
	size_t nfields = ld->field;
	int empty = !ld->in_header ? nfields == 0 : ld->nhdr == 0;
	int crlf_tail = empty && term == '\n' && ld->last_term == '\r';

	ld->last_term = term;
	if (ld->rc != PL_OK || ld->done)
		return;
	if (crlf_tail)
		return;		/* the LF of a CRLF: same line */
	if (empty) {		/* blank line */
		ld->line += 1 + ld->nl_in_record;
		ld->nl_in_record = 0;
		return;
	}
	if (ld->in_header) {
		header_done(ld);
		ld->in_header = 0;
	} else if (nfields != ld->t->ncols) {
		lfail(ld, PL_EINVAL, 1, "expected %zu fields, found %zu",
		    ld->t->ncols, nfields);
		return;
	} else {
		ld->t->rows++;
		if (ld->opts && ld->opts->max_rows &&
		    ld->t->rows >= ld->opts->max_rows)
			ld->done = 1;
	}
	ld->field = 0;
	ld->line += 1 + ld->nl_in_record;
	ld->nl_in_record = 0;
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
lib_feed(struct loader *ld, struct csv_parser *p, const unsigned char *s,
    size_t n)
{
	if (csv_parse(p, s, n, cb_field, cb_record, ld) != n && ld->rc == PL_OK)
		lfail(ld, csv_error(p) == CSV_ENOMEM ? PL_ENOMEM : PL_EINVAL, 1,
		    "%s", csv_strerror(csv_error(p)));
}

/*
 * Fast path for the common line: no quote anywhere and no CR except the
 * one of a CRLF ending.  Such a line splits on the delimiter with memchr
 * and gives exactly the fields libcsv would give (spaces are kept, as the
 * reader's libcsv is told), without libcsv's per-byte state machine.
 */
static int
plain_line(const unsigned char *s, size_t n)
{
	const unsigned char *cr;

	if (memchr(s, '"', n) != NULL)
		return 0;
	cr = memchr(s, '\r', n);
	return cr == NULL || (cr == s + n - 2 && s[n - 1] == '\n');
}

static void
split_line(struct loader *ld, const unsigned char *s, size_t n,
    unsigned char delim)
{
	const unsigned char *q = s, *end;

	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	end = s + n;
	if (n > 0)
		for (;;) {
			const unsigned char *d = memchr(q, delim, (size_t)(end - q));
			size_t fl = (size_t)((d ? d : end) - q);
			cb_field((void *)(uintptr_t)q, fl, ld);
			if (d == NULL)
				break;
			q = d + 1;
		}
	cb_record('\n', ld);
}

/* libcsv's "no record begun" parser state (libcsv.c ROW_NOT_BEGUN). */
#define LIBCSV_ROW_NOT_BEGUN 0

/*
 * Hands s[0..n) to the parser line by line: plain lines to split_line(),
 * the others (quotes, a lone CR, and everything while libcsv is inside a
 * record) to libcsv.  Without at_eof a last line with no LF is left for
 * the next call; returns the bytes consumed.
 */
static size_t
feed_lines(struct loader *ld, struct csv_parser *p, const unsigned char *s,
    size_t n, int at_eof)
{
	unsigned char delim = csv_get_delim(p);
	size_t i = 0;

	while (i < n && ld->rc == PL_OK && !ld->done) {
		const unsigned char *nl = memchr(s + i, '\n', n - i);
		size_t end;

		if (nl == NULL && !at_eof)
			break;
		end = nl ? (size_t)(nl - s) + 1 : n;
		if (p->pstate == LIBCSV_ROW_NOT_BEGUN && plain_line(s + i, end - i))
			split_line(ld, s + i, end - i, delim);
		else
			lib_feed(ld, p, s + i, end - i);
		i = end;
	}
	return i;
}

/*
 * Source of bytes: a file descriptor or a memory block.  Loading may need a
 * second pass (a column turned out to be text after numbers were kept), so
 * the source must be re-readable.
 */
struct source {
	int fd;			/* -1 for memory */
	const unsigned char *mem;
	size_t memlen;
};

static int
load_once(pl_csv_table **out, const char *name, const struct source *src,
    const struct pl_csv_opts *opts, const char *const *extra_text,
    size_t n_extra, char *err, size_t errlen)
{
	struct csv_parser p;
	struct loader ld;
	struct pl_csv_opts o2;
	const char **textcols = NULL;
	unsigned char *buf = NULL;
	int first = 1;
	size_t cap = CHUNK, have = 0;

	*out = NULL;
	memset(&ld, 0, sizeof ld);
	if (opts == NULL) {
		memset(&o2, 0, sizeof o2);
		opts = &o2;
	}
	if (n_extra > 0) {	/* merge forced text columns */
		o2 = *opts;
		textcols = calloc(opts->n_text_columns + n_extra, sizeof *textcols);
		if (textcols == NULL)
			return PL_ENOMEM;
		for (size_t i = 0; i < opts->n_text_columns; i++)
			textcols[i] = opts->text_columns[i];
		for (size_t i = 0; i < n_extra; i++)
			textcols[opts->n_text_columns + i] = extra_text[i];
		o2.text_columns = textcols;
		o2.n_text_columns = opts->n_text_columns + n_extra;
		opts = &o2;
	}
	ld.name = name;
	ld.opts = opts;
	ld.na = opts->na_values ? opts->na_values : default_na;
	ld.nna = opts->na_values ? opts->n_na_values :
	    sizeof default_na / sizeof default_na[0];
	ld.in_header = 1;
	ld.line = 1;
	ld.err = err;
	ld.errlen = errlen;
	ld.t = calloc(1, sizeof *ld.t);
	if (ld.t == NULL) {
		free(textcols);
		return PL_ENOMEM;
	}
	ld.t->keep_missing = opts->keep_missing != 0;
	if (csv_init(&p, CSV_REPALL_NL) != 0) {
		free(textcols);
		free(ld.t);
		return PL_ENOMEM;
	}
	csv_set_space_func(&p, no_space);
	csv_set_delim(&p, (unsigned char)(opts->delimiter ? opts->delimiter : ','));
	csv_set_blk_size(&p, 256);
	if (src->fd >= 0) {
		buf = malloc(cap);
		if (buf == NULL)
			lfail(&ld, PL_ENOMEM, 0, "out of memory");
		if (lseek(src->fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
			lfail(&ld, PL_EIO, 0, "%s", strerror(errno));
		while (ld.rc == PL_OK && !ld.done) {
			size_t n, used;
			ssize_t r;

			if (have == cap) {
				/* no line end in a full buffer: one huge record,
				 * libcsv keeps its state across the pieces */
				lib_feed(&ld, &p, buf, have);
				have = 0;
				continue;
			}
			r = read(src->fd, buf + have, cap - have);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				lfail(&ld, PL_EIO, 0, "%s", strerror(errno));
				break;
			}
			n = have + (size_t)r;
			if (first && n < 3 && r > 0) {
				have = n;	/* need 3 bytes to look for a BOM */
				continue;
			}
			if (first) {
				first = 0;
				if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB &&
				    buf[2] == 0xBF) {
					memmove(buf, buf + 3, n - 3);
					n -= 3;
				}
			}
			used = feed_lines(&ld, &p, buf, n, r == 0);
			memmove(buf, buf + used, n - used);
			have = n - used;
			if (r == 0)
				break;
		}
	} else {
		const unsigned char *m = src->mem;
		size_t n = src->memlen;

		if (n >= 3 && m[0] == 0xEF && m[1] == 0xBB && m[2] == 0xBF) {
			m += 3;
			n -= 3;
		}
		feed_lines(&ld, &p, m, n, 1);
	}
	if (ld.rc == PL_OK && !ld.done)
		csv_fini(&p, cb_field, cb_record, &ld);
	csv_free(&p);
	free(buf);
	free(textcols);
	for (size_t i = 0; i < ld.nhdr; i++)
		free(ld.hdr[i]);
	free(ld.hdr);
	if (ld.rc == PL_OK && ld.in_header) {
		ld.line = 1;
		lfail(&ld, PL_EINVAL, 0, "empty file (no header line)");
	}
	if (ld.rc == PL_OK && ld.t->rows == 0)
		lfail(&ld, PL_EINVAL, 0, "no data rows after the header");
	if (ld.rc != PL_OK) {
		pl_csv_free(ld.t);
		return ld.rc;
	}
	*out = ld.t;
	return PL_OK;
}

static int
load(pl_csv_table **out, const char *name, const struct source *src,
    const struct pl_csv_opts *opts, char *err, size_t errlen)
{
	pl_csv_table *t;
	const char **again;
	size_t nagain = 0;
	int rc;

	rc = load_once(&t, name, src, opts, NULL, 0, err, errlen);
	if (rc != PL_OK) {
		*out = NULL;
		return rc;
	}
	for (size_t i = 0; i < t->ncols; i++)
		nagain += t->cols[i].reread;
	if (nagain == 0) {
		*out = t;
		return PL_OK;
	}
	/* Some columns held numbers before their first text value: read
	 * once more keeping those columns as text from the first row, so
	 * every value keeps its exact spelling. */
	again = calloc(nagain, sizeof *again);
	if (again == NULL) {
		pl_csv_free(t);
		*out = NULL;
		return PL_ENOMEM;
	}
	nagain = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i].reread)
			again[nagain++] = t->cols[i].name;
	pl_csv_table *t2;
	rc = load_once(&t2, name, src, opts, again, nagain, err, errlen);
	free(again);
	pl_csv_free(t);
	*out = rc == PL_OK ? t2 : NULL;
	return rc;
}

int
pl_csv_read(pl_csv_table **out, const char *path,
    const struct pl_csv_opts *opts, char *err, size_t errlen)
{
	struct source src = { -1, NULL, 0 };
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	/* a pipe is a real input (`plumb drift <(zcat ref.csv.gz) cur.csv`)
	 * and is read once, from the start; a device or directory is not */
	src.fd = ropen(path, ROPEN_PIPE, NULL, err, errlen);
	if (src.fd < 0) {
		int e = errno;
		return e == ENOENT ? PL_ENOTFOUND :
		    e == EINVAL ? PL_EINVAL : PL_EIO;
	}
	rc = load(out, path, &src, opts, err, errlen);
	close(src.fd);
	return rc;
}

int
pl_csv_read_mem(pl_csv_table **out, const char *name, const void *data,
    size_t len, const struct pl_csv_opts *opts, char *err, size_t errlen)
{
	struct source src = { -1, data, len };

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	return load(out, name, &src, opts, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                          */
/* ------------------------------------------------------------------ */

size_t
pl_csv_rows(const pl_csv_table *t)
{
	return t->rows;
}

size_t
pl_csv_ncols(const pl_csv_table *t)
{
	return t->ncols;
}

long
pl_csv_find(const pl_csv_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

const char *
pl_csv_name(const pl_csv_table *t, size_t i)
{
	return t->cols[i].name;
}

int
pl_csv_storage(const pl_csv_table *t, size_t i)
{
	return t->cols[i].storage;
}

size_t
pl_csv_missing(const pl_csv_table *t, size_t i)
{
	return t->cols[i].selected ? t->cols[i].missing : t->rows;
}

size_t
pl_csv_count(const pl_csv_table *t, size_t i)
{
	const struct column *c = &t->cols[i];

	if (!c->selected)
		return 0;
	if (c->storage == PL_CSV_NUM)
		return c->nnum - (t->keep_missing ? c->missing : 0);
	return c->ncodes;
}

double *
pl_csv_num(pl_csv_table *t, size_t i)
{
	return t->cols[i].storage == PL_CSV_NUM ? t->cols[i].num : NULL;
}

const uint32_t *
pl_csv_codes(const pl_csv_table *t, size_t i)
{
	return t->cols[i].storage == PL_CSV_TEXT ? t->cols[i].codes : NULL;
}

size_t
pl_csv_nlevels(const pl_csv_table *t, size_t i)
{
	return t->cols[i].storage == PL_CSV_TEXT ? t->cols[i].lv.n : 0;
}

const char *
pl_csv_level(const pl_csv_table *t, size_t i, size_t j, size_t *len)
{
	const struct strtab *st = &t->cols[i].lv;

	if (len)
		*len = st->len[j];
	return st->arena + st->off[j];
}
