/* fmt.h - formatting of times, durations, numbers and CSV fields for CLI output. */
#ifndef PL_CLI_FMT_H
#define PL_CLI_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "2026-11-27 23:10:05" in local time; "-" for 0. */
const char *fmt_time(char *out, size_t n, int64_t ms);
/* "850ms", "12.3s", "4m05s", "2h03m", "3d04h". */
const char *fmt_duration(char *out, size_t n, int64_t ms);
/* Shortest of %.6g that reads well; "nan", "inf". */
const char *fmt_num(char *out, size_t n, double v);
/* Writes s as one CSV field (quoted when needed, RFC 4180). */
void fmt_csv_field(FILE *f, const char *s);
/* The SGR colour code for a run status ("32" finished, ...). */
const char *fmt_status_color(const char *status);

#endif
