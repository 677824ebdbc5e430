/* re2limits.c - refuse, before regcomp, the regexes Go's regexp (RE2) refuses and glibc would blow up on. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "re2limits.h"

/* A {n}, {n,} or {n,m} at p (RE2 reads any other { as a literal): its
 * length and the largest count (m, or n for {n,}), else 0. */
static size_t
re_braces(const char *p, long *count)
{
	const char *q = p + 1;
	long n = -1, m = -1;

	if (*q < '0' || *q > '9')
		return 0;
	n = strtol(q, (char **)&q, 10);
	if (*q == ',') {
		q++;
		if (*q >= '0' && *q <= '9')
			m = strtol(q, (char **)&q, 10);
	}
	if (*q != '}')
		return 0;
	*count = m >= 0 ? m : n;
	if (m >= 0 && m < n)
		*count = -1;
	return (size_t)(q - p) + 1;
}

/*
 * What Go's regexp (RE2) refuses before it compiles, checked here
 * because glibc's regcomp accepts it and then duplicates the tree of
 * each nested repetition: "x++++" (40 of them) took 2 GB (found by the
 * promql fuzzer).  RE2 refuses a repetition of a repetition (a lazy ?
 * after one is fine), a count above 1000, and nested counts whose
 * product exceeds 1000.  0, or -1 with Go's message in err.
 */
int
re2_limits(const char *re, char *err, size_t errlen)
{
	/* inner[d]: the largest product of counts inside the open group at
	 * depth d; last: that of the atom just read (a closed group's) */
	long inner[65], last = 1, count, prod;
	int depth = 0, rep = 0, lazy = 0;
	const char *rs = re;	/* where the last repetition began */
	size_t n;

	inner[0] = 1;
	if (re == NULL)
		return 0;
	for (const char *p = re; *p; p++) {
		if (*p == '\\') {
			rep = 0;
			last = 1;
			if (p[1])
				p++;
			continue;
		}
		if (*p == '[') {	/* a class: skip to its closing ] */
			const char *q = p + 1;

			if (*q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']') {
				if (*q == '\\' && q[1])
					q++;
				q++;
			}
			p = *q ? q : q - 1;
			rep = 0;
			last = 1;
			continue;
		}
		if (*p == '(') {
			if (depth < 64)
				inner[++depth] = 1;
			rep = 0;
			continue;
		}
		if (*p == ')') {
			last = inner[depth];
			if (depth > 0)
				depth--;
			if (last > inner[depth])
				inner[depth] = last;
			rep = 0;
			continue;
		}
		count = 1;
		n = 0;
		if (*p == '*' || *p == '+' || *p == '?')
			n = 1;
		else if (*p == '{')
			n = re_braces(p, &count);
		if (n == 0) {
			rep = 0;
			last = 1;
			continue;
		}
		if (rep && *p == '?' && !lazy) {
			lazy = 1;	/* x*? x+? x?? x{n}? */
			continue;
		}
		if (rep) {
			snprintf(err, errlen, "error parsing regexp: invalid "
			    "nested repetition operator: `%.*s`",
			    (int)(p + n - rs), rs);
			return -1;
		}
		prod = count > 1 ? last * count : last;
		if (count < 0 || count > 1000 || prod > 1000) {
			snprintf(err, errlen, "error parsing regexp: invalid "
			    "repeat count: `%.*s`", (int)n, p);
			return -1;
		}
		if (prod > inner[depth])
			inner[depth] = prod;
		rep = 1;
		lazy = 0;
		rs = p;
		p += n - 1;
	}
	return 0;
}

