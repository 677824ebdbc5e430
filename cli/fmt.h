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
/* Milliseconds since the epoch, now (wall clock). */
int64_t fmt_now_ms(void);
/* "2026-12-06T05:10:16.123Z": RFC 3339 in UTC with milliseconds, as
 * Prometheus' and Alertmanager's APIs write times. */
const char *fmt_iso_ms(char *out, size_t n, int64_t ms);

struct json;
struct buf;
/* JSON members: key and the time in fmt_iso_ms(), null when ms <= 0; key
 * and v, null when NaN. */
void fmt_json_time(struct json *j, const char *key, int64_t ms);
void fmt_json_dbl(struct json *j, const char *key, double v);
/* Writes b and a newline to stdout and frees b; 0, or the CLI's error
 * status when the output cannot be written. */
int fmt_emit_json(struct buf *b);

/* Writes s as one CSV field (quoted when needed, RFC 4180). */
void fmt_csv_field(FILE *f, const char *s);
/* The SGR colour code for a run status ("32" finished, ...). */
const char *fmt_status_color(const char *status);

#endif
