/* cron.c - five-field cron expressions (Vixie cron's syntax) and the next minute they match. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ct/ct.h"
#include "store/error.h"

static const char *const mon_names[] = { "jan", "feb", "mar", "apr", "may",
	"jun", "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu",
	"fri", "sat" };

struct field {
	const char *what;
	int lo, hi;
	const char *const *names;	/* names for lo..lo+11 / 0..6 */
	int nnames;
};

static const struct field fields[5] = {
	{ "minute", 0, 59, NULL, 0 },
	{ "hour", 0, 23, NULL, 0 },
	{ "day of month", 1, 31, NULL, 0 },
	{ "month", 1, 12, mon_names, 12 },
	{ "day of week", 0, 7, dow_names, 7 },
};

/* A number or (for month/day of week) a name at *p; -1 when neither. */
static int
value(const char **p, const struct field *f)
{
	const char *s = *p;

	if (isdigit((unsigned char)*s)) {
		long v = 0;

		while (isdigit((unsigned char)*s) && v < 1000)
			v = v * 10 + (*s++ - '0');
		*p = s;
		return (int)v;
	}
	for (int i = 0; i < f->nnames; i++)
		if (strncasecmp(s, f->names[i], 3) == 0 &&
		    !isalpha((unsigned char)s[3])) {
			*p = s + 3;
			return f->lo == 1 ? i + 1 : i;
		}
	return -1;
}

/* Parses one field (text up to the next blank) into *bits. */
static int
parse_field(uint64_t *bits, int *star, const char *text, size_t len,
    const struct field *f, char *err, size_t errlen)
{
	char buf[128];
	const char *p;

	*bits = 0;
	*star = 0;
	if (len >= sizeof buf) {
		snprintf(err, errlen, "%s field too long", f->what);
		return PL_EINVAL;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	p = buf;
	for (;;) {
		int a, b, step = 1, is_star = 0;

		if (*p == '*') {
			a = f->lo;
			b = f->hi == 7 ? 6 : f->hi;
			is_star = 1;
			p++;
		} else {
			if ((a = value(&p, f)) < 0)
				goto bad;
			b = a;
			if (*p == '-') {
				p++;
				if ((b = value(&p, f)) < 0)
					goto bad;
			}
		}
		if (*p == '/') {
			const char *q = ++p;
			long s = 0;

			while (isdigit((unsigned char)*p) && s < 1000)
				s = s * 10 + (*p++ - '0');
			if (p == q || s < 1) {
				snprintf(err, errlen, "%s: a step is a number "
				    "from 1 (in '%s')", f->what, buf);
				return PL_EINVAL;
			}
			step = (int)s;
			/* "5/15": from 5 to the end, as Vixie cron */
			if (!is_star && b == a)
				b = f->hi == 7 ? 6 : f->hi;
		}
		if (a < f->lo || b > f->hi || a > b) {
			if (a == b)
				snprintf(err, errlen, "%s: %d is outside %d-%d "
				    "(in '%s')", f->what, a, f->lo, f->hi, buf);
			else
				snprintf(err, errlen, "%s: %d-%d is not a range "
				    "within %d-%d (in '%s')", f->what, a, b,
				    f->lo, f->hi, buf);
			return PL_EINVAL;
		}
		for (int v = a; v <= b; v += step)
			*bits |= 1ULL << (f->hi == 7 && v == 7 ? 0 : v);
		if (*p == '\0')
			break;
		if (*p != ',')
			goto bad;
		p++;
	}
	/* Vixie cron: a field starting with * is "any" for the
	 * day-of-month / day-of-week rule */
	*star = buf[0] == '*';
	return PL_OK;
bad:
	snprintf(err, errlen, "%s: cannot read '%s' (a number%s, *, a range "
	    "A-B, a step /N, a list A,B)", f->what, buf, f->names ?
	    " or a name" : "");
	return PL_EINVAL;
}

int
pl_cron_parse(pl_cron *out, const char *text, size_t *err_off, char *err,
    size_t errlen)
{
	const char *p = text;
	uint64_t bits[5];
	int star[5];
	size_t off = 0;

	memset(out, 0, sizeof *out);
	if (err_off)
		*err_off = 0;
	for (int i = 0; i < 5; i++) {
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		off = (size_t)(p - text);
		if (*p == '\0') {
			snprintf(err, errlen, "a cron schedule has 5 fields "
			    "(minute hour day-of-month month day-of-week), "
			    "this one %d", i);
			if (err_off)
				*err_off = off;
			return PL_EINVAL;
		}
		len = strcspn(p, " \t");
		if (parse_field(&bits[i], &star[i], p, len, &fields[i], err,
		    errlen) != PL_OK) {
			if (err_off)
				*err_off = off;
			return PL_EINVAL;
		}
		p += len;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p) {
		snprintf(err, errlen, "a cron schedule has 5 fields (minute hour "
		    "day-of-month month day-of-week); '%s' is one too many", p);
		if (err_off)
			*err_off = (size_t)(p - text);
		return PL_EINVAL;
	}
	out->min = bits[0];
	out->hour = (uint32_t)bits[1];
	out->dom = (uint32_t)bits[2];
	out->mon = (uint16_t)bits[3];
	out->dow = (uint8_t)bits[4];
	out->dom_star = star[2];
	out->dow_star = star[4];
	return PL_OK;
}

/* Does the day of tm match (cron's rule: when both day fields are
 * restricted, either one matching is enough)? */
static int
day_ok(const pl_cron *c, const struct tm *tm)
{
	int dom = (c->dom >> tm->tm_mday) & 1, dow = (c->dow >> tm->tm_wday) & 1;

	if (c->dom_star || c->dow_star)
		return dom && dow;
	return dom || dow;
}

int64_t
pl_cron_next(const pl_cron *c, int64_t after_ms)
{
	time_t t = (time_t)(after_ms / 1000), limit;
	struct tm tm;

	if (after_ms < 0)
		t = 0;
	/* the next whole minute strictly after */
	t = t - (t % 60) + 60;
	limit = t + (time_t)5 * 366 * 86400;
	localtime_r(&t, &tm);
	tm.tm_sec = 0;
	for (int guard = 0; guard < 200000; guard++) {
		time_t cur;

		tm.tm_isdst = -1;
		if ((cur = mktime(&tm)) == (time_t)-1 || cur > limit)
			return -1;
		localtime_r(&cur, &tm);
		if (!((c->mon >> (tm.tm_mon + 1)) & 1)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = 0;
			tm.tm_min = 0;
			continue;
		}
		if (!day_ok(c, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = 0;
			tm.tm_min = 0;
			continue;
		}
		if (!((c->hour >> tm.tm_hour) & 1)) {
			tm.tm_hour++;
			tm.tm_min = 0;
			continue;
		}
		if (!((c->min >> tm.tm_min) & 1)) {
			tm.tm_min++;
			continue;
		}
		if (cur * 1000 <= after_ms) {	/* DST fold: go on */
			tm.tm_min++;
			continue;
		}
		return (int64_t)cur * 1000;
	}
	return -1;
}
