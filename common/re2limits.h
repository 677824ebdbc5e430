/* re2limits.h - refuse, before regcomp, the regexes Go's regexp (RE2) refuses and glibc would blow up on. */
#ifndef PL_COMMON_RE2LIMITS_H
#define PL_COMMON_RE2LIMITS_H

#include <stddef.h>

/*
 * Prometheus' regexes are RE2's; plumb compiles them with glibc's
 * regcomp, which accepts a repetition of a repetition ("x++++") and
 * duplicates the tree for each: 40 of them took 2 GB.  RE2 refuses a
 * repetition of a repetition (a lazy ? after one is fine), a count above
 * 1000, and nested counts whose product exceeds 1000.  Returns 0, or -1
 * with Go's message ("error parsing regexp: invalid nested repetition
 * operator: `++`") in err.
 */
int re2_limits(const char *re, char *err, size_t errlen);

#endif
