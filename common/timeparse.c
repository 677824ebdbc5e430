/* timeparse.c - timestamps as Prometheus' API takes them: Unix seconds or RFC 3339. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "timeparse.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no time zone of the process gets involved. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
timeparse(const char *s, int64_t *ms)
{
	char *end;
	double v;
	int y, mo, d, h, mi, n = 0;
	double sec;
	const char *p;
	int64_t t;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtod(s, &end);
	if (*end == '\0' && isfinite(v) && fabs(v) < 9e15) {
		*ms = (int64_t)llround(v * 1000.0);
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec,
	    &n) != 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec < 0 || sec >= 61)
		return -1;
	p = s + n;
	t = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60) * 1000 + (int64_t)llround(sec * 1000.0);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, k = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5)
			return -1;
		t -= (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60) *
		    1000;
		p += 1 + k;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*ms = t;
	return 0;
}

