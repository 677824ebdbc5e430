/* fmtui.c - short formats for the TUI: status glyphs, compact times and durations, numbers. */
#include "config.h"
#include "tui.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "theme.h"

const char *
tui_status_glyph(pl_run_status st)
{
	bool u = widgets_utf8();

	switch (st) {
	case PL_RUN_RUNNING: return u ? "\xe2\x97\x90" : ">";	/* ◐ */
	case PL_RUN_FINISHED: return u ? "\xe2\x97\x8f" : "+";	/* ● */
	case PL_RUN_FAILED: return u ? "\xe2\x9c\x97" : "x";	/* ✗ */
	case PL_RUN_KILLED: return u ? "\xe2\x97\x8b" : "-";	/* ○ */
	case PL_RUN_LOST: return "?";
	}
	return "?";
}

int
tui_status_role(pl_run_status st)
{
	switch (st) {
	case PL_RUN_RUNNING: return WR_RUNNING;
	case PL_RUN_FINISHED: return WR_OK;
	case PL_RUN_FAILED: return WR_FAILED;
	default: return WR_DIM;
	}
}

const char *
tui_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000), now = time(NULL);
	struct tm tm, tn;

	if (ms <= 0) {
		snprintf(out, n, "-");
		return out;
	}
	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		strftime(out, n, "today %H:%M", &tm);
	else if (tm.tm_year == tn.tm_year)
		strftime(out, n, "%m-%d %H:%M", &tm);
	else
		strftime(out, n, "%Y-%m-%d", &tm);
	return out;
}

const char *
tui_duration(char *out, size_t n, int64_t ms)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s >= 86400)
		snprintf(out, n, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(out, n, "%lld:%02lld:%02lld", (long long)(s / 3600),
		    (long long)(s % 3600 / 60), (long long)(s % 60));
	else
		snprintf(out, n, "%lld:%02lld", (long long)(s / 60),
		    (long long)(s % 60));
	return out;
}

const char *
tui_num(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "nan");
	else if (isinf(v))
		snprintf(out, n, v > 0 ? "inf" : "-inf");
	else if (v != 0 && (fabs(v) >= 1e7 || fabs(v) < 1e-4))
		snprintf(out, n, "%.3e", v);
	else {
		snprintf(out, n, "%.6g", v);
		/* 0.1000000001 reads as 0.1: %.6g already trimmed it. */
	}
	return out;
}

int
tui_fmt_step(char *buf, size_t n, double v, double step, void *arg)
{
	(void)arg;
	(void)step;
	/* Steps are counts: "1500", never "1.5k" (which reads as a
	 * quantity with a unit). */
	if (fabs(v) < 1e9)
		return snprintf(buf, n, "%.0f", v);
	return snprintf(buf, n, "%.3g", v);
}

int
tui_fmt_elapsed(char *buf, size_t n, double v, double step, void *arg)
{
	(void)arg;
	/* Seconds since the run started, as a clock reads them. */
	if (step > 0 && step < 1 && fabs(v) < 60)
		return snprintf(buf, n, "%.*fs", step < 0.1 ? 2 : 1, v);
	tui_duration(buf, n, (int64_t)llround(v * 1000));
	return (int)strlen(buf);
}
