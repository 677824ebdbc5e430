/* pq-labels.c - PromQL label sets (sorted, refcounted, hashed), label matchers and Go-style quoting. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "re2limits.h"
#include "promql.h"

#define FNV_OFF 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= FNV_PRIME;
	}
	h ^= 0xff;		/* separator, as model/signature.go */
	h *= FNV_PRIME;
	return h;
}

static int
cmp_label(const void *a, const void *b)
{
	const pq_label *x = a, *y = b;
	return strcmp(x->name, y->name);
}

pq_labels *
pq_labels_new(const pq_label *in, size_t n)
{
	pq_label *tmp = NULL;
	size_t k = 0, bytes = 0;
	pq_labels *lb;
	char *p;

	if (n) {
		tmp = malloc(n * sizeof *tmp);
		if (!tmp)
			return NULL;
		/* Later duplicates win: scan backwards, keep first seen. */
		for (size_t i = n; i-- > 0;) {
			int dup = 0;
			for (size_t j = 0; j < k; j++)
				if (strcmp(tmp[j].name, in[i].name) == 0) {
					dup = 1;
					break;
				}
			if (dup)
				continue;
			tmp[k++] = in[i];
		}
		/* Drop empty values after the duplicate pass. */
		size_t w = 0;
		for (size_t i = 0; i < k; i++)
			if (tmp[i].value && tmp[i].value[0])
				tmp[w++] = tmp[i];
		k = w;
		qsort(tmp, k, sizeof *tmp, cmp_label);
		for (size_t i = 0; i < k; i++)
			bytes += strlen(tmp[i].name) + strlen(tmp[i].value) + 2;
	}
	lb = malloc(sizeof *lb + k * sizeof(pq_label) + bytes);
	if (!lb) {
		free(tmp);
		return NULL;
	}
	lb->refs = 1;
	lb->n = (unsigned)k;
	lb->hash = FNV_OFF;
	p = (char *)(lb->l + k);
	for (size_t i = 0; i < k; i++) {
		size_t a = strlen(tmp[i].name) + 1, b = strlen(tmp[i].value) + 1;
		memcpy(p, tmp[i].name, a);
		lb->l[i].name = p;
		p += a;
		memcpy(p, tmp[i].value, b);
		lb->l[i].value = p;
		p += b;
		lb->hash = fnv(fnv(lb->hash, lb->l[i].name), lb->l[i].value);
	}
	free(tmp);
	return lb;
}

pq_labels *
pq_labels_ref(pq_labels *lb)
{
	if (lb)
		lb->refs++;
	return lb;
}

void
pq_labels_unref(pq_labels *lb)
{
	if (lb && --lb->refs == 0)
		free(lb);
}

const char *
pq_labels_get(const pq_labels *lb, const char *name)
{
	size_t lo = 0, hi = lb->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(lb->l[mid].name, name);
		if (c == 0)
			return lb->l[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* labels.Compare: pairwise by name then value, then by length. */
int
pq_labels_cmp(const pq_labels *a, const pq_labels *b)
{
	size_t n = a->n < b->n ? a->n : b->n;

	for (size_t i = 0; i < n; i++) {
		int c = strcmp(a->l[i].name, b->l[i].name);
		if (c)
			return c;
		c = strcmp(a->l[i].value, b->l[i].value);
		if (c)
			return c;
	}
	return (a->n > b->n) - (a->n < b->n);
}

int
pq_labels_equal(const pq_labels *a, const pq_labels *b)
{
	if (a == b)
		return 1;
	return a->hash == b->hash && a->n == b->n && pq_labels_cmp(a, b) == 0;
}

static int
listed(const char *name, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

pq_labels *
pq_labels_filter(const pq_labels *lb, int keep, char *const *names, size_t n,
    int drop_name)
{
	pq_label tmp[lb->n ? lb->n : 1];
	size_t k = 0;

	for (size_t i = 0; i < lb->n; i++) {
		int in = listed(lb->l[i].name, names, n);
		if (keep ? !in : in)
			continue;
		if (drop_name && strcmp(lb->l[i].name, "__name__") == 0)
			continue;
		tmp[k++] = lb->l[i];
	}
	return pq_labels_new(tmp, k);
}

pq_labels *
pq_labels_drop_name(pq_labels *lb)
{
	if (!pq_labels_get(lb, "__name__"))
		return pq_labels_ref(lb);
	return pq_labels_filter(lb, 0, NULL, 0, 1);
}

pq_labels *
pq_labels_set(const pq_labels *lb, const char *name, const char *value)
{
	pq_label tmp[lb->n + 1];

	memcpy(tmp, lb->l, lb->n * sizeof *tmp);
	tmp[lb->n].name = name;
	tmp[lb->n].value = value;
	return pq_labels_new(tmp, lb->n + 1);
}

uint64_t
pq_labels_sig(const pq_labels *lb, int on, char *const *names, size_t n)
{
	uint64_t h = FNV_OFF;

	for (size_t i = 0; i < lb->n; i++) {
		int in = listed(lb->l[i].name, names, n);
		if (on ? !in : (in || strcmp(lb->l[i].name, "__name__") == 0))
			continue;
		h = fnv(fnv(h, lb->l[i].name), lb->l[i].value);
	}
	return h;
}

/* strconv.Quote for the printable-ASCII-and-UTF-8 text labels hold. */
int
pq_go_quote(struct buf *b, const char *s)
{
	int rc = buf_putc(b, '"');

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': rc |= buf_puts(b, "\\\""); break;
		case '\\': rc |= buf_puts(b, "\\\\"); break;
		case '\n': rc |= buf_puts(b, "\\n"); break;
		case '\t': rc |= buf_puts(b, "\\t"); break;
		case '\r': rc |= buf_puts(b, "\\r"); break;
		case '\a': rc |= buf_puts(b, "\\a"); break;
		case '\b': rc |= buf_puts(b, "\\b"); break;
		case '\f': rc |= buf_puts(b, "\\f"); break;
		case '\v': rc |= buf_puts(b, "\\v"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				rc |= buf_printf(b, "\\x%02x", *p);
			else
				rc |= buf_putc(b, (char)*p);
		}
	}
	return rc | buf_putc(b, '"');
}

int
pq_labels_str(struct buf *b, const pq_labels *lb)
{
	int rc = buf_putc(b, '{');

	for (size_t i = 0; i < lb->n; i++) {
		if (i)
			rc |= buf_puts(b, ", ");
		rc |= buf_puts(b, lb->l[i].name);
		rc |= buf_putc(b, '=');
		rc |= pq_go_quote(b, lb->l[i].value);
	}
	return rc | buf_putc(b, '}');
}

/* ---- matchers ---------------------------------------------------------- */

int
pq_matcher_compile(pq_matcher *m, char *err, size_t errlen)
{
	struct buf re = BUF_INIT;
	int rc;

	m->has_re = 0;
	if (m->type != PQ_MRE && m->type != PQ_MNRE)
		return 0;
	if (re2_limits(m->value, err, errlen) != 0)
		return -1;
	/* Prometheus anchors the regex at both ends: ^(?:re)$. */
	if (buf_printf(&re, "^(%s)$", m->value) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = regcomp(&m->re, re.p, REG_EXTENDED | REG_NOSUB);
	buf_free(&re);
	if (rc != 0) {
		char msg[128];
		regerror(rc, &m->re, msg, sizeof msg);
		snprintf(err, errlen, "error parsing regexp %s: %s", m->value,
		    msg);
		return -1;
	}
	m->has_re = 1;
	return 0;
}

void
pq_matcher_dispose(pq_matcher *m)
{
	if (m->has_re)
		regfree(&m->re);
	m->has_re = 0;
	free(m->name);
	free(m->value);
	m->name = m->value = NULL;
}

int
pq_matcher_matches(const pq_matcher *m, const char *v)
{
	switch (m->type) {
	case PQ_MEQ: return strcmp(v, m->value) == 0;
	case PQ_MNE: return strcmp(v, m->value) != 0;
	case PQ_MRE: return regexec(&m->re, v, 0, NULL, 0) == 0;
	case PQ_MNRE: return regexec(&m->re, v, 0, NULL, 0) != 0;
	}
	return 0;
}

int
pq_labels_match(const pq_labels *lb, const pq_matcher *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = pq_labels_get(lb, m[i].name);
		if (!pq_matcher_matches(&m[i], v ? v : ""))
			return 0;
	}
	return 1;
}

double
pq_stale_nan(void)
{
	uint64_t bits = PQ_STALE_BITS;
	double d;

	memcpy(&d, &bits, sizeof d);
	return d;
}

int
pq_is_stale(double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof bits);
	return bits == PQ_STALE_BITS;
}
