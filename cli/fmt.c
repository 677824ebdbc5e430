/* fmt.c - formatting of times, durations, numbers and CSV fields. */
#include "config.h"
#include "fmt.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "json.h"
#include "utf8.h"

const char *
fmt_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		snprintf(out, n, "-");
		return out;
	}
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
	return out;
}

const char *
fmt_duration(char *out, size_t n, int64_t ms)
{
	if (ms < 0)
		snprintf(out, n, "-");
	else if (ms < 1000)
		snprintf(out, n, "%lldms", (long long)ms);
	else if (ms < 60000)
		snprintf(out, n, "%.1fs", ms / 1000.0);
	else if (ms < 3600000)
		snprintf(out, n, "%lldm%02llds", (long long)(ms / 60000),
		    (long long)(ms / 1000 % 60));
	else if (ms < 86400000)
		snprintf(out, n, "%lldh%02lldm", (long long)(ms / 3600000),
		    (long long)(ms / 60000 % 60));
	else
		snprintf(out, n, "%lldd%02lldh", (long long)(ms / 86400000),
		    (long long)(ms / 3600000 % 24));
	return out;
}

const char *
fmt_num(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "nan");
	else if (isinf(v))
		snprintf(out, n, v > 0 ? "inf" : "-inf");
	else
		snprintf(out, n, "%.6g", v);
	return out;
}

/*
 * RFC 4180: a field holding a comma, a quote, CR or LF is quoted, quotes
 * doubled.  Control characters are neutralised first (utf8_sanitize:
 * ESC -> "^[", CR -> "^M", C1 -> "<U+009B>", invalid bytes -> "\xNN"); a
 * newline stays, inside quotes, as the RFC allows.
 */
void
fmt_csv_field(FILE *f, const char *s)
{
	struct buf b = BUF_INIT;

	if (s == NULL)
		return;
	if (!utf8_is_clean(s, strlen(s), UTF8_KEEP_NEWLINE | UTF8_KEEP_TAB)) {
		if (utf8_sanitize(&b, s, strlen(s),
		    UTF8_KEEP_NEWLINE | UTF8_KEEP_TAB) != 0) {
			buf_free(&b);
			return;
		}
		s = buf_str(&b);
	}
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		buf_free(&b);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
	buf_free(&b);
}

const char *
fmt_status_color(const char *status)
{
	if (strcmp(status, "finished") == 0)
		return "32";
	if (strcmp(status, "running") == 0)
		return "34";
	if (strcmp(status, "failed") == 0 || strcmp(status, "lost") == 0)
		return "31";
	if (strcmp(status, "killed") == 0)
		return "33";
	return NULL;
}

int64_t
fmt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
fmt_iso_ms(char *out, size_t n, int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	size_t len;

	gmtime_r(&s, &tm);
	len = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
	if (len + 6 <= n)
		snprintf(out + len, n - len, ".%03dZ", (int)(ms % 1000));
	return out;
}

void
fmt_json_time(struct json *j, const char *key, int64_t ms)
{
	char t[40];

	json_key(j, key);
	if (ms <= 0) {
		json_null(j);
		return;
	}
	json_str(j, fmt_iso_ms(t, sizeof t, ms));
}

void
fmt_json_dbl(struct json *j, const char *key, double v)
{
	json_key(j, key);
	if (isnan(v))
		json_null(j);
	else
		json_num(j, v);
}

int
fmt_emit_json(struct buf *b)
{
	fwrite(b->p ? b->p : "", 1, b->len, stdout);
	fputc('\n', stdout);
	buf_free(b);
	return fflush(stdout) == 0 ? 0 : cli_error("cannot write output");
}
