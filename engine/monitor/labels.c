/* labels.c - series names and label sets: validation, canonical text, selectors, matchers. */
#include "config.h"
#include "monitor/tsdb-int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "re2limits.h"

int
pl_ts_name_valid(const char *s)
{
	if (s == NULL || !(isalpha((unsigned char)*s) || *s == '_' || *s == ':'))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == ':'))
			return 0;
	return 1;
}

int
pl_ts_label_name_valid(const char *s)
{
	if (s == NULL || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (const char *p = s + 1; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return 0;
	return 1;
}

static int
cmp_label(const void *a, const void *b)
{
	const pl_label *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Appends value with Prometheus' label escaping (\\ \" \n). */
static int
esc(struct buf *b, const char *v)
{
	int bad = 0;

	for (; *v; v++) {
		if (*v == '\\')
			bad |= buf_puts(b, "\\\\");
		else if (*v == '"')
			bad |= buf_puts(b, "\\\"");
		else if (*v == '\n')
			bad |= buf_puts(b, "\\n");
		else
			bad |= buf_putc(b, *v);
	}
	return bad;
}

int
pl__ts_canon(struct buf *out, char *err, size_t err_len, const char *name,
    const pl_label *labels, size_t n)
{
	pl_label stackl[32], *l = stackl;
	size_t k = 0;
	int bad = 0;

	if (!pl_ts_name_valid(name)) {
		snprintf(err, err_len, "invalid metric name '%s'",
		    name ? name : "");
		return PL_EINVAL;
	}
	if (n > 32 && (l = malloc(n * sizeof *l)) == NULL)
		return PL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!pl_ts_label_name_valid(labels[i].name) ||
		    strncmp(labels[i].name, "__", 2) == 0) {
			snprintf(err, err_len, "invalid label name '%s' in %s",
			    labels[i].name ? labels[i].name : "", name);
			if (l != stackl)
				free(l);
			return PL_EINVAL;
		}
		if (labels[i].value && labels[i].value[0])
			l[k++] = labels[i];
	}
	qsort(l, k, sizeof *l, cmp_label);
	buf_clear(out);
	bad |= buf_puts(out, "");
	for (size_t i = 0; i < k; i++) {
		if (i > 0 && strcmp(l[i].name, l[i - 1].name) == 0) {
			snprintf(err, err_len, "label '%s' given twice in %s",
			    l[i].name, name);
			if (l != stackl)
				free(l);
			return PL_EINVAL;
		}
		if (i)
			bad |= buf_putc(out, ',');
		bad |= buf_puts(out, l[i].name);
		bad |= buf_puts(out, "=\"");
		bad |= esc(out, l[i].value);
		bad |= buf_putc(out, '"');
	}
	if (l != stackl)
		free(l);
	return bad ? PL_ENOMEM : PL_OK;
}

/*
 * Parses `name="value",...` (the canonical text, or the inside of a
 * selector's braces for equality-only sets) into label pairs whose
 * strings live in one block after the array.  Used to read ts_series.
 */
int
pl__ts_canon_parse(pl_label **out, size_t *out_n, const char *text)
{
	size_t len = strlen(text), cap = 1;

	for (const char *p = text; *p; p++)
		cap += *p == '=';
	pl_label *l = malloc(cap * sizeof *l + len + 1);
	if (l == NULL)
		return PL_ENOMEM;
	char *w = (char *)(l + cap);
	const char *p = text;
	size_t n = 0;

	while (*p) {
		const char *eq = strchr(p, '=');

		if (eq == NULL || eq[1] != '"' || n >= cap)
			goto bad;
		l[n].name = w;
		memcpy(w, p, (size_t)(eq - p));
		w += eq - p;
		*w++ = '\0';
		p = eq + 2;
		l[n].value = w;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1]) {
				p++;
				*w++ = *p == 'n' ? '\n' : *p;
			} else {
				*w++ = *p;
			}
			p++;
		}
		if (*p != '"')
			goto bad;
		*w++ = '\0';
		p++;
		n++;
		if (*p == ',')
			p++;
	}
	*out = l;
	*out_n = n;
	return PL_OK;
bad:
	free(l);
	return PL_ECORRUPT;
}

/* ---- selector parsing ---- */

static size_t
skip_ws(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
		i++;
	return i;
}

static int
serr(char *err, size_t len, size_t *off, size_t at, const char *msg)
{
	snprintf(err, len, "%s", msg);
	if (off)
		*off = at;
	return PL_EINVAL;
}

int
pl_ts_selector_parse(pl_matcher **out, size_t *out_n, const char *text,
    char *err, size_t err_len, size_t *err_off)
{
	size_t len = strlen(text), i = 0, n = 0, cap = 2;
	pl_matcher *m;
	char *w;

	*out = NULL;
	*out_n = 0;
	for (const char *p = text; *p; p++)
		cap += *p == '=' || *p == '~';
	/* one block: matchers, then the strings they point to */
	m = calloc(1, cap * sizeof *m + 2 * len + 16);
	if (m == NULL)
		return PL_ENOMEM;
	w = (char *)(m + cap);
	i = skip_ws(text, 0);
	if (isalpha((unsigned char)text[i]) || text[i] == '_' ||
	    text[i] == ':') {
		size_t s0 = i;

		while (isalnum((unsigned char)text[i]) || text[i] == '_' ||
		    text[i] == ':')
			i++;
		m[n].name = "__name__";
		m[n].op = PL_MATCH_EQ;
		m[n].value = w;
		memcpy(w, text + s0, i - s0);
		w += i - s0;
		*w++ = '\0';
		n++;
		i = skip_ws(text, i);
	}
	if (text[i] == '{') {
		i = skip_ws(text, i + 1);
		while (text[i] != '}') {
			size_t s0 = i;
			char q;

			if (n >= cap) {	/* cannot happen: one '=' each */
				free(m);
				return serr(err, err_len, err_off, i,
				    "too many matchers");
			}

			if (!(isalpha((unsigned char)text[i]) ||
			    text[i] == '_')) {
				free(m);
				return serr(err, err_len, err_off, i,
				    "expected a label name");
			}
			while (isalnum((unsigned char)text[i]) ||
			    text[i] == '_')
				i++;
			m[n].name = w;
			memcpy(w, text + s0, i - s0);
			w += i - s0;
			*w++ = '\0';
			i = skip_ws(text, i);
			if (text[i] == '=' && text[i + 1] == '~') {
				m[n].op = PL_MATCH_RE;
				i += 2;
			} else if (text[i] == '!' && text[i + 1] == '~') {
				m[n].op = PL_MATCH_NRE;
				i += 2;
			} else if (text[i] == '!' && text[i + 1] == '=') {
				m[n].op = PL_MATCH_NE;
				i += 2;
			} else if (text[i] == '=') {
				m[n].op = PL_MATCH_EQ;
				i++;
			} else {
				free(m);
				return serr(err, err_len, err_off, i,
				    "expected =, !=, =~ or !~");
			}
			i = skip_ws(text, i);
			q = text[i];
			if (q != '"' && q != '\'') {
				free(m);
				return serr(err, err_len, err_off, i,
				    "expected a quoted value");
			}
			i++;
			m[n].value = w;
			while (text[i] && text[i] != q) {
				if (text[i] == '\\' && text[i + 1]) {
					i++;
					*w++ = text[i] == 'n' ? '\n' :
					    text[i] == 't' ? '\t' : text[i];
				} else {
					*w++ = text[i];
				}
				i++;
			}
			if (text[i] != q) {
				free(m);
				return serr(err, err_len, err_off, i,
				    "unterminated string");
			}
			*w++ = '\0';
			n++;
			i = skip_ws(text, i + 1);
			if (text[i] == ',')
				i = skip_ws(text, i + 1);
			else if (text[i] != '}') {
				free(m);
				return serr(err, err_len, err_off, i,
				    "expected ',' or '}'");
			}
		}
		i = skip_ws(text, i + 1);
	}
	if (text[i] != '\0') {
		free(m);
		return serr(err, err_len, err_off, i,
		    "unexpected text after the selector");
	}
	if (n == 0 && len > 0 && strchr(text, '{') == NULL) {
		free(m);
		return serr(err, err_len, err_off, 0, "empty selector");
	}
	*out = m;
	*out_n = n;
	return PL_OK;
}

/* ---- matching ---- */

int
pl__ts_matchers_compile(struct pl__ts_match *cm, const pl_matcher *m,
    size_t n, char *err, size_t err_len)
{
	for (size_t i = 0; i < n; i++) {
		cm[i].m = m[i];
		cm[i].compiled = 0;
		if (m[i].op == PL_MATCH_RE || m[i].op == PL_MATCH_NRE) {
			struct buf b = BUF_INIT;
			int rc;

			if (re2_limits(m[i].value, err, err_len) != 0) {
				pl__ts_matchers_free(cm, i);
				return PL_EINVAL;
			}
			/* anchored, as Prometheus does */
			buf_printf(&b, "^(%s)$", m[i].value);
			rc = regcomp(&cm[i].re, buf_str(&b),
			    REG_EXTENDED | REG_NOSUB);
			buf_free(&b);
			if (rc != 0) {
				char msg[200];

				regerror(rc, &cm[i].re, msg, sizeof msg);
				snprintf(err, err_len, "bad regex \"%s\" for "
				    "%s: %s", m[i].value, m[i].name, msg);
				pl__ts_matchers_free(cm, i);
				return PL_EINVAL;
			}
			cm[i].compiled = 1;
		}
	}
	return PL_OK;
}

void
pl__ts_matchers_free(struct pl__ts_match *cm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cm[i].compiled)
			regfree(&cm[i].re);
}

int
pl__ts_match_value(const struct pl__ts_match *cm, const char *v)
{
	if (v == NULL)
		v = "";
	switch (cm->m.op) {
	case PL_MATCH_EQ:
		return strcmp(v, cm->m.value) == 0;
	case PL_MATCH_NE:
		return strcmp(v, cm->m.value) != 0;
	case PL_MATCH_RE:
		return regexec(&cm->re, v, 0, NULL, 0) == 0;
	case PL_MATCH_NRE:
		return regexec(&cm->re, v, 0, NULL, 0) != 0;
	}
	return 0;
}

const char *
pl_ts_label(const pl_ts_series *s, const char *name)
{
	if (strcmp(name, "__name__") == 0)
		return s->name;
	for (size_t i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}

int
pl_ts_is_stale(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof u);
	return u == PL_TS_STALE_BITS;
}

double
pl_ts_stale(void)
{
	uint64_t u = PL_TS_STALE_BITS;
	double v;

	memcpy(&v, &u, sizeof v);
	return v;
}
