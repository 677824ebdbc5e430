/* timeparse.h - timestamps as Prometheus' API takes them: Unix seconds or RFC 3339. */
#ifndef PL_COMMON_TIMEPARSE_H
#define PL_COMMON_TIMEPARSE_H

#include <stdint.h>

/*
 * Prometheus' parseTime: Unix seconds with an optional fraction
 * ("1700000000.5") or RFC 3339 with Z or a numeric offset
 * ("2026-12-05T18:00:00Z", "...+01:00").  No time zone of the process
 * is involved.  0 and *ms (milliseconds since the epoch), or -1.
 */
int timeparse(const char *s, int64_t *ms);

#endif
