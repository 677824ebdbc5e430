/* gofmt.c - floats formatted as Go formats them (strconv shortest 'g'/'e'/'E'/'f', fmt verbs), for templates and promtool output. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promql.h"

/*
 * Go prints the fewest digits that read back as the same double
 * (strconv.FormatFloat with precision -1).  C has no such conversion, so
 * the shortest precision is found by trying %.Ne for N = 0..16 and
 * reading each back.  Go's 'g' then switches to exponent form when the
 * decimal exponent is below -4 or at least 6 (for the shortest form; 21
 * is only JavaScript's rule), with at least two exponent digits, as C.
 */

/* Shortest digits of |v|: mantissa digits (no dot) and decimal exponent. */
static void
shortest(double v, char *digits, size_t dlen, int *exp)
{
	char buf[64];

	for (int p = 0; p <= 16; p++) {
		snprintf(buf, sizeof buf, "%.*e", p, v);
		if (strtod(buf, NULL) == v || p == 16)
			break;
	}
	/* buf is d[.ddd]e±XX */
	char *e = strchr(buf, 'e');
	*exp = atoi(e + 1);
	size_t k = 0;
	for (char *q = buf; q < e && k + 1 < dlen; q++)
		if (*q >= '0' && *q <= '9')
			digits[k++] = *q;
	digits[k] = 0;
	/* strip trailing zeros (keep one digit) */
	while (k > 1 && digits[k - 1] == '0')
		digits[--k] = 0;
}

void
pq_go_float(char *out, size_t len, double v, char fmt)
{
	char d[32];
	int exp;
	size_t nd;
	const char *sign = "";

	if (isnan(v)) {
		snprintf(out, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, len, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (signbit(v)) {
		sign = "-";
		v = -v;
	}
	if (v == 0) {
		if (fmt == 'e' || fmt == 'E')
			snprintf(out, len, "%s0%c+00", sign, fmt);
		else
			snprintf(out, len, "%s0", sign);
		return;
	}
	shortest(v, d, sizeof d, &exp);
	nd = strlen(d);
	int use_e = fmt == 'e' || fmt == 'E' ||
	    (fmt == 'g' && (exp < -4 || exp >= 6));
	if (use_e) {
		char ec = fmt == 'E' ? 'E' : 'e';
		if (nd == 1)
			snprintf(out, len, "%s%c%c%c%02d", sign, d[0], ec,
			    exp < 0 ? '-' : '+', abs(exp));
		else
			snprintf(out, len, "%s%c.%s%c%c%02d", sign, d[0], d + 1,
			    ec, exp < 0 ? '-' : '+', abs(exp));
		return;
	}
	int decimals = (int)nd - 1 - exp;
	if (decimals < 0)
		decimals = 0;
	snprintf(out, len, "%s%.*f", sign, decimals, v);
}

void
pq_go_printf_float(char *out, size_t len, const char *spec, double v)
{
	size_t sl = strlen(spec);
	char verb = sl ? spec[sl - 1] : 'v';

	if (isnan(v) || isinf(v)) {
		/* Go: NaN, +Inf, -Inf (width honoured, precision ignored) */
		int width = 0;
		const char *p = spec + 1;
		int left = 0;
		while (*p == '-' || *p == '+' || *p == ' ' || *p == '#' ||
		    *p == '0') {
			if (*p == '-')
				left = 1;
			p++;
		}
		width = atoi(p);
		const char *s = isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
		snprintf(out, len, left ? "%-*s" : "%*s", width, s);
		return;
	}
	if (verb == 'v' || ((verb == 'g' || verb == 'G') && !strchr(spec, '.'))) {
		char tmp[64];
		pq_go_float(tmp, sizeof tmp, v, 'g');
		/* width of %10v / %10g */
		int width = atoi(spec + 1 + (spec[1] == '-'));
		snprintf(out, len, spec[1] == '-' ? "%-*s" : "%*s", width, tmp);
		return;
	}
	/* spec was checked by the caller to be one float conversion */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(out, len, spec, v);
#pragma GCC diagnostic pop
}
