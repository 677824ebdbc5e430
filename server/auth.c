/* auth.c - plumb serve's tokens: parsing the token file, checking Bearer and Basic credentials, telling writes from reads. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"

/* ---- the token file ---- */

static int
user_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
	    c == '+' || c == '-';
}

/* Splits line [p, e) into at most 4 words at spaces and tabs; returns
 * the count (4 meaning "too many"). */
static int
words(const char *p, const char *e, const char *w[4], size_t wl[4])
{
	int n = 0;

	while (p < e) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == e || *p == '#')
			break;
		if (n == 4)
			return 4;
		w[n] = p;
		while (p < e && *p != ' ' && *p != '\t')
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
	return n;
}

int
srv_tokens_parse(struct srv_tokens *t, const char *text, size_t len,
    char *err, size_t errlen)
{
	struct srv_tokens nt = { NULL, 0 };
	const char *p = text, *end = text + len;
	size_t cap = 0, nlines = 0;
	int line = 0;

	if (len > SRV_TOKEN_FILE_MAX) {
		snprintf(err, errlen, "over %u bytes", SRV_TOKEN_FILE_MAX);
		return -1;
	}
	if (memchr(text, '\0', len)) {
		const char *z = memchr(text, '\0', len);
		int ln = 1;

		for (const char *q = text; q < z; q++)
			ln += *q == '\n';
		snprintf(err, errlen, "line %d: a NUL byte (not a text file)",
		    ln);
		return -1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *w[4];
		size_t wl[4];
		struct srv_token *tk;
		int nw;

		line++;
		if (le > p && le[-1] == '\r')
			le--;
		for (const char *q = p; q < le; q++)
			if ((unsigned char)*q < 0x20 && *q != '\t') {
				snprintf(err, errlen, "line %d: a control "
				    "character (byte %d of the line)", line,
				    (int)(q - p) + 1);
				goto fail;
			} else if ((unsigned char)*q >= 0x7f) {
				snprintf(err, errlen, "line %d: a byte that "
				    "is not printable ASCII", line);
				goto fail;
			}
		nw = words(p, le, w, wl);
		p = nl ? nl + 1 : end;
		if (nw == 0)
			continue;
		nlines++;
		if (nw == 4) {
			snprintf(err, errlen, "line %d: more than TOKEN USER "
			    "[ro|rw]", line);
			goto fail;
		}
		if (wl[0] < 16 || wl[0] > SRV_TOKEN_MAX) {
			snprintf(err, errlen, "line %d: a token must have 16 "
			    "to %d characters", line, SRV_TOKEN_MAX);
			goto fail;
		}
		if (nw >= 2) {
			if (wl[1] > SRV_USER_MAX) {
				snprintf(err, errlen, "line %d: a user name "
				    "has at most %d characters", line,
				    SRV_USER_MAX);
				goto fail;
			}
			for (size_t i = 0; i < wl[1]; i++)
				if (!user_char((unsigned char)w[1][i])) {
					snprintf(err, errlen, "line %d: a user "
					    "name is made of letters, digits "
					    "and . _ @ + -", line);
					goto fail;
				}
		}
		if (nw == 3 && !((wl[2] == 2 && memcmp(w[2], "ro", 2) == 0) ||
		    (wl[2] == 2 && memcmp(w[2], "rw", 2) == 0))) {
			snprintf(err, errlen, "line %d: the access is ro or rw, "
			    "not '%.*s'", line, (int)(wl[2] > 16 ? 16 : wl[2]),
			    w[2]);
			goto fail;
		}
		for (size_t i = 0; i < nt.n; i++)
			if (strlen(nt.v[i].token) == wl[0] &&
			    memcmp(nt.v[i].token, w[0], wl[0]) == 0) {
				snprintf(err, errlen, "line %d: the token of "
				    "user %s again (tokens must be unique)",
				    line, nt.v[i].user);
				goto fail;
			}
		if (nt.n == SRV_TOKENS_MAX) {
			snprintf(err, errlen, "line %d: more than %d tokens",
			    line, SRV_TOKENS_MAX);
			goto fail;
		}
		if (nt.n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct srv_token *g = realloc(nt.v, nc * sizeof *g);

			if (g == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			nt.v = g;
			cap = nc;
		}
		tk = &nt.v[nt.n++];
		memset(tk, 0, sizeof *tk);
		memcpy(tk->token, w[0], wl[0]);
		if (nw >= 2)
			memcpy(tk->user, w[1], wl[1]);
		else
			tk->legacy = 1;
		tk->readonly = nw == 3 && memcmp(w[2], "ro", 2) == 0;
	}
	/* a bare token is only the one-token form, alone in its file:
	 * among named ones it is more likely a line missing its user */
	for (size_t i = 0; i < nt.n; i++)
		if (nt.v[i].legacy) {
			if (nlines > 1) {
				snprintf(err, errlen, "a line holds a token "
				    "without a user (TOKEN USER [ro|rw]); only "
				    "a file of one bare token is allowed");
				goto fail;
			}
			snprintf(nt.v[i].user, sizeof nt.v[i].user, "token");
		}
	if (nt.n == 0) {
		snprintf(err, errlen, "no token in the file");
		goto fail;
	}
	srv_tokens_free(t);
	*t = nt;
	return 0;
fail:
	free(nt.v);
	return -1;
}

void
srv_tokens_free(struct srv_tokens *t)
{
	if (t->v)
		/* the secrets do not outlive their use in freed memory */
		memset(t->v, 0, t->n * sizeof *t->v);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* ---- credentials ---- */

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
srv_base64_decode(const char *in, size_t inlen, char *out, size_t outlen)
{
	unsigned long acc = 0;
	size_t o = 0;
	int bits = 0;

	while (inlen && in[inlen - 1] == '=')
		inlen--;
	if (outlen == 0 || inlen % 4 == 1)
		return -1;
	for (size_t i = 0; i < inlen; i++) {
		int v = b64val((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return (long)o;
}

/* Constant time in the token's length: no early exit on a mismatch. */
static int
same(const char *a, size_t alen, const char *tok)
{
	size_t tlen = strlen(tok);
	unsigned char d = (unsigned char)(alen != tlen);

	for (size_t i = 0; i < tlen; i++)
		d |= (unsigned char)(tok[i] ^ (i < alen ? a[i] : 0));
	return d == 0;
}

/* The token equal to [a, a+alen), comparing every one of them. */
static const struct srv_token *
find(const struct srv_tokens *t, const char *a, size_t alen)
{
	const struct srv_token *hit = NULL;

	for (size_t i = 0; i < t->n; i++)
		if (same(a, alen, t->v[i].token) && hit == NULL)
			hit = &t->v[i];
	return hit;
}

const struct srv_token *
srv_tokens_check(const struct srv_tokens *t, const char *h)
{
	char dec[SRV_USER_MAX + SRV_TOKEN_MAX + 8], *colon;
	const struct srv_token *tk;
	size_t len;
	long n;

	if (h == NULL)
		return NULL;
	while (*h == ' ')
		h++;
	if (strncasecmp(h, "Bearer ", 7) == 0) {
		h += 7;
		while (*h == ' ')
			h++;
		len = strlen(h);
		while (len && h[len - 1] == ' ')
			len--;
		return len ? find(t, h, len) : NULL;
	}
	if (strncasecmp(h, "Basic ", 6) != 0)
		return NULL;
	h += 6;
	while (*h == ' ')
		h++;
	len = strlen(h);
	while (len && h[len - 1] == ' ')
		len--;
	if ((n = srv_base64_decode(h, len, dec, sizeof dec)) < 0 ||
	    memchr(dec, '\0', (size_t)n) ||
	    (colon = strchr(dec, ':')) == NULL)
		return NULL;
	*colon = '\0';
	tk = find(t, colon + 1, strlen(colon + 1));
	if (tk && !tk->legacy && strcmp(dec, tk->user) != 0)
		tk = NULL;
	memset(dec, 0, sizeof dec);
	return tk;
}

/* ---- reads and writes ---- */

int
srv_method_valid(const char *m)
{
	size_t n = 0;

	for (; m[n]; n++) {
		unsigned char c = (unsigned char)m[n];

		if (n == 32 || !((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c && strchr("!#$%&'*+-.^_`|~", c))))
			return 0;
	}
	return n > 0;
}

/* 1 when path ends with suffix. */
static int
ends(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);

	return n >= m && strcmp(path + n - m, suffix) == 0;
}

int
srv_is_write(const char *method, const char *path)
{
	static const char *const prom_reads[] = {
		"/api/v1/query", "/api/v1/query_range", "/api/v1/series",
		"/api/v1/labels", "/api/v1/query_exemplars",
		"/api/v1/format_query", NULL
	};

	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
	    strcmp(method, "OPTIONS") == 0)
		return 0;
	if (strcmp(method, "POST") != 0)
		return 1;
	for (size_t i = 0; prom_reads[i]; i++)
		if (strcmp(path, prom_reads[i]) == 0)
			return 0;
	if (strncmp(path, "/api/v1/label/", 14) == 0 && ends(path, "/values"))
		return 0;
	if (strncmp(path, "/api/2.0/mlflow/", 16) == 0 ||
	    strncmp(path, "/ajax-api/2.0/mlflow/", 21) == 0)
		return !(ends(path, "/search") ||
		    ends(path, "/registered-models/get-latest-versions"));
	return 1;
}
