/* srvparams-fuzz.c - libFuzzer harness for plumb serve's form/query-string decoding and Prometheus API parameter parsing (server/form.c, server/prom-params.c).
 * fuzz-sources: server/form.c server/prom-params.c
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plumb.h"
#include "form.h"
#include "prom-params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: "METHOD PATH\nQUERY-STRING\nFORM-BODY", PATH being what follows
 * /api/v1/ (the first line without a space is a GET of it).  The query
 * string and the body are decoded as the server decodes them, and the
 * endpoint's parameters parsed from them, query string first, as
 * srv_param() looks them up.  Checked: every decoded field re-encodes
 * and decodes back to itself; the parse answers 0 or 400/404/405 with
 * an errorType and a message; what it accepts holds (a query, end not
 * before start, a positive step, a valid label name, at most 64 match[]);
 * every match[] accepted goes through the selector parser, which either
 * parses it or points inside it.  Crashes, leaks and sanitizer reports
 * are bugs too.
 */

struct src {
	char **q, **b;
	size_t nq, nb;
};

static const char *
get(void *ctx, const char *name)
{
	struct src *s = ctx;

	for (size_t i = 0; i < s->nq; i++)
		if (strcmp(s->q[2 * i], name) == 0)
			return s->q[2 * i + 1];
	for (size_t i = 0; i < s->nb; i++)
		if (strcmp(s->b[2 * i], name) == 0)
			return s->b[2 * i + 1];
	return NULL;
}

static size_t
getv(void *ctx, const char *name, const char **out, size_t max)
{
	struct src *s = ctx;
	size_t n = 0;

	for (size_t i = 0; i < s->nq && n < max; i++)
		if (strcmp(s->q[2 * i], name) == 0)
			out[n++] = s->q[2 * i + 1];
	for (size_t i = 0; i < s->nb && n < max; i++)
		if (strcmp(s->b[2 * i], name) == 0)
			out[n++] = s->b[2 * i + 1];
	return n;
}

/* Percent-encodes every byte but unreserved ones, decodes, compares. */
static void
roundtrip(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *e = malloc(3 * n + 1), *o = e;

	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	if (srv_form_decode(e) != n || strcmp(e, s) != 0)
		abort();
	free(e);
}

static void
check_pairs(char **p, size_t n, size_t inlen)
{
	if (n > SRV_FORM_MAX)
		abort();
	for (size_t i = 0; i < 2 * n; i++) {
		if (p[i] == NULL || strlen(p[i]) > inlen)
			abort();
		roundtrip(p[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data, *end = t + size;
	const char *nl1 = memchr(t, '\n', size), *nl2 = NULL, *sp;
	char method[16] = "GET", path[512], msg[512] = "";
	struct src s = { NULL, NULL, 0, 0 };
	struct prom_params pp;
	const char *etype = NULL;
	size_t plen;
	int st;

	if (nl1)
		nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1));
	plen = (size_t)((nl1 ? nl1 : end) - t);
	if (plen >= sizeof path)
		plen = sizeof path - 1;
	memcpy(path, t, plen);
	path[plen] = '\0';
	if (strlen(path) != plen)	/* a NUL in the path line: not HTTP */
		return 0;
	if ((sp = strchr(path, ' ')) != NULL && (size_t)(sp - path) <
	    sizeof method) {
		memcpy(method, path, (size_t)(sp - path));
		method[sp - path] = '\0';
		memmove(path, sp + 1, strlen(sp + 1) + 1);
	}
	if (nl1) {
		const char *qe = nl2 ? nl2 : end;

		if (srv_form_parse(&s.q, &s.nq, nl1 + 1, (size_t)(qe - nl1 -
		    1)) < 0)
			goto out;
		check_pairs(s.q, s.nq, (size_t)(qe - nl1 - 1));
	}
	if (nl2) {
		if (srv_form_parse(&s.b, &s.nb, nl2 + 1, (size_t)(end - nl2 -
		    1)) < 0)
			goto out;
		check_pairs(s.b, s.nb, (size_t)(end - nl2 - 1));
	}
	st = prom_params_parse(&pp, method, path, get, getv, &s,
	    1767225600000LL, &etype, msg, sizeof msg);
	if (st != 0) {
		if ((st != 400 && st != 404 && st != 405) || etype == NULL ||
		    msg[0] == '\0')
			abort();
		goto out;
	}
	switch (pp.ep) {
	case PROM_QUERY:
	case PROM_QUERY_RANGE:
		if (pp.query == NULL || pp.query[0] == '\0' ||
		    pp.end < pp.start)
			abort();
		if (pp.ep == PROM_QUERY_RANGE && pp.step <= 0)
			abort();
		if (pp.ep == PROM_QUERY && pp.start != pp.end)
			abort();
		break;
	case PROM_LABEL_VALUES:
		if (pp.label[0] == '\0' || strlen(pp.label) >= sizeof pp.label)
			abort();
		/* fall through */
	case PROM_SERIES:
	case PROM_LABELS:
		if (pp.nmatch > PROM_MAX_MATCH)
			abort();
		for (size_t i = 0; i < pp.nmatch; i++) {
			pl_matcher *m = NULL;
			size_t nm = 0, off = 0;
			char err[256] = "";

			if (pl_ts_selector_parse(&m, &nm, pp.match[i], err,
			    sizeof err, &off) != PL_OK) {
				if (off > strlen(pp.match[i]) || err[0] == '\0')
					abort();
			}
			free(m);
		}
		break;
	case PROM_RULES:
		if (pp.rules_type < PL_RULES_ALL ||
		    pp.rules_type > PL_RULES_RECORDING ||
		    pp.nnames > PROM_MAX_MATCH)
			abort();
		break;
	case PROM_ALERTS:
	case PROM_BUILDINFO:
		break;
	}
out:
	srv_form_free(s.q, s.nq);
	srv_form_free(s.b, s.nb);
	return 0;
}
