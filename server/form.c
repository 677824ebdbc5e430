/* form.c - application/x-www-form-urlencoded decoding: the query strings and form bodies Prometheus' clients send. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "form.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
srv_form_decode(char *s)
{
	char *o = s, *start = s;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && hexval((unsigned char)s[1]) >= 0 &&
		    hexval((unsigned char)s[2]) >= 0) {
			*o++ = (char)(hexval((unsigned char)s[1]) * 16 +
			    hexval((unsigned char)s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return (size_t)(o - start);
}

static char *
field(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
		srv_form_decode(s);
	}
	return s;
}

int
srv_form_parse(char ***pairs, size_t *npairs, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end && *npairs < SRV_FORM_MAX) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *fe = amp ? amp : end, *eq;
		char **g, *name, *value;

		/* (a NUL byte in the text ends the field there too) */
		const char *nul = memchr(p, '\0', (size_t)(fe - p));

		if (fe == p) {
			p = fe + 1;
			continue;
		}
		eq = memchr(p, '=', (size_t)((nul ? nul : fe) - p));
		name = field(p, (size_t)((eq ? eq : nul ? nul : fe) - p));
		value = eq ? field(eq + 1, (size_t)((nul ? nul : fe) -
		    (eq + 1))) : strdup("");
		g = name && value ? realloc(*pairs, (*npairs + 1) * 2 *
		    sizeof *g) : NULL;
		if (g == NULL) {
			free(name);
			free(value);
			return -1;
		}
		*pairs = g;
		g[*npairs * 2] = name;
		g[*npairs * 2 + 1] = value;
		(*npairs)++;
		p = amp ? amp + 1 : end;
	}
	return 0;
}

void
srv_form_free(char **pairs, size_t npairs)
{
	for (size_t i = 0; i < npairs * 2; i++)
		free(pairs[i]);
	free(pairs);
}
