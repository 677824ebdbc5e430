/* srvauth-fuzz.c - libFuzzer harness for plumb serve's token file, Authorization header and write rules (server/auth.c).
 * fuzz-sources: server/auth.c
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a token file, then a NUL byte, then an Authorization header
 * value, then a NUL byte, then "METHOD PATH".  Checked: a refused file
 * says why and leaves the set as it was; an accepted one has 1 to
 * SRV_TOKENS_MAX unique tokens of 16+ characters and valid users; the
 * header matches a token only when it carries that very token (as a
 * Bearer, or Basic with its user), and each token's own Bearer and
 * Basic headers match it; base64 decodes what it encodes.
 */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
encode(char *out, const char *in, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)(unsigned char)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned long)(unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	const char *z1 = memchr(t, '\0', size), *z2 = NULL;
	struct srv_tokens tk = { NULL, 0 };
	char err[256] = "", *hdr = NULL, *mp = NULL;
	size_t flen = z1 ? (size_t)(z1 - t) : size;
	const struct srv_token *hit;

	if (z1)
		z2 = memchr(z1 + 1, '\0', size - flen - 1);
	if (srv_tokens_parse(&tk, t, flen, err, sizeof err) < 0) {
		if (err[0] == '\0' || tk.n != 0 || tk.v != NULL)
			abort();
	} else {
		if (tk.n == 0 || tk.n > SRV_TOKENS_MAX)
			abort();
		for (size_t i = 0; i < tk.n; i++) {
			const struct srv_token *a = &tk.v[i];
			char h[SRV_USER_MAX + SRV_TOKEN_MAX + 16];
			char enc[4 * sizeof h / 3 + 8];
			char dec[sizeof h];

			if (strlen(a->token) < 16 || a->user[0] == '\0' ||
			    strchr(a->token, ' ') || strchr(a->user, ':'))
				abort();
			for (size_t k = 0; k < i; k++)
				if (strcmp(tk.v[k].token, a->token) == 0)
					abort();
			snprintf(h, sizeof h, "Bearer %s", a->token);
			if (srv_tokens_check(&tk, h) != a)
				abort();
			snprintf(h, sizeof h, "%s:%s", a->user, a->token);
			if (srv_base64_decode(enc, 0, dec, sizeof dec) != 0)
				abort();
			encode(enc, h, strlen(h));
			if (srv_base64_decode(enc, strlen(enc), dec,
			    sizeof dec) != (long)strlen(h) || strcmp(dec, h))
				abort();
			memmove(enc + 6, enc, strlen(enc) + 1);
			memcpy(enc, "Basic ", 6);
			if (srv_tokens_check(&tk, enc) != a)
				abort();
		}
	}
	if (z1) {
		size_t hl = z2 ? (size_t)(z2 - z1 - 1) : size - flen - 1;

		if ((hdr = malloc(hl + 1)) == NULL)
			goto out;
		memcpy(hdr, z1 + 1, hl);
		hdr[hl] = '\0';
		hit = srv_tokens_check(&tk, hdr);
		if (hit != NULL) {
			/* only a header carrying the token itself matches */
			if (hit < tk.v || hit >= tk.v + tk.n)
				abort();
			if (strstr(hdr, hit->token) == NULL &&
			    strncasecmp(hdr + strspn(hdr, " "), "Basic ", 6))
				abort();
		}
	}
	if (z2) {
		size_t ml = size - (size_t)(z2 + 1 - t);
		char *sp;

		if ((mp = malloc(ml + 1)) == NULL)
			goto out;
		memcpy(mp, z2 + 1, ml);
		mp[ml] = '\0';
		if ((sp = strchr(mp, ' ')) != NULL) {
			*sp = '\0';
			/* a valid method is a token: no quote, no control */
			if (srv_method_valid(mp) && strpbrk(mp, "\"\\ \t\r\n()"))
				abort();
			/* reads: GET, HEAD, OPTIONS whatever the path */
			if (srv_is_write(mp, sp + 1) &&
			    (!strcmp(mp, "GET") || !strcmp(mp, "HEAD") ||
			    !strcmp(mp, "OPTIONS")))
				abort();
			/* every other method but POST writes */
			if (!srv_is_write(mp, sp + 1) && strcmp(mp, "GET") &&
			    strcmp(mp, "HEAD") && strcmp(mp, "OPTIONS") &&
			    strcmp(mp, "POST"))
				abort();
		}
	}
out:
	free(hdr);
	free(mp);
	srv_tokens_free(&tk);
	return 0;
}
