/* expfmt.h - a parser of Prometheus' text exposition format 0.0.4. */
#ifndef PL_ENGINE_MONITOR_EXPFMT_H
#define PL_ENGINE_MONITOR_EXPFMT_H

#include <stddef.h>
#include <stdint.h>

#include "monitor/tsdb.h"

/*
 * The format (prometheus/docs exposition_formats.md; prometheus/common
 * expfmt): lines ending in '\n'; blank lines ignored; "# HELP name text"
 * and "# TYPE name counter|gauge|histogram|summary|untyped" (other "#"
 * lines are comments); samples
 *
 *     name[{label="value",...}] value [timestamp_ms]
 *
 * with label values escaping \\ \" \n, a trailing comma allowed inside
 * the braces, values as Go floats (NaN, +Inf, -Inf), timestamps int64
 * milliseconds.  Histograms and summaries come as their _bucket{le},
 * _sum, _count and {quantile} samples, which are ordinary samples here.
 *
 * The parser never stops at a bad line: it counts it, remembers the
 * first problem (line, column and message) and goes on.  A bad line is
 * one that is not valid by the grammar above, a TYPE with an unknown
 * kind, a TYPE or HELP given twice for a name, a label given twice, a
 * reserved label name ("__" prefix), more than 64 labels, a value or
 * timestamp token longer than 128 bytes, invalid UTF-8 in a label value
 * or HELP text, a NUL byte, or a line past the input's last '\n' that
 * does not end (a truncated body: as in Prometheus, the last line must
 * end with '\n' too).  A CR before the '\n' is tolerated.  Lines may be
 * of any length (memory grows with the longest).
 */

typedef struct pl_expfmt_stats {
	int64_t lines;		/* lines seen */
	int64_t samples;	/* samples handed to the callback */
	int64_t bad_lines;
	int64_t first_bad_line;	/* 1-based; 0 when none */
	int64_t first_bad_col;	/* 1-based byte column of the problem */
	char first_bad[160];	/* what was wrong with it */
} pl_expfmt_stats;

/* Called per sample; labels are borrowed for the call.  has_ts says
 * whether the line gave a timestamp.  Non-zero stops the parse and is
 * returned by pl_expfmt_parse(). */
typedef int (*pl_expfmt_cb)(void *ctx, const char *name,
    const pl_label *labels, size_t nlabels, double value, int has_ts,
    int64_t ts_ms);

/* Parses text[0..len).  Returns 0, or what a callback returned, or
 * PL_ENOMEM. */
int pl_expfmt_parse(const char *text, size_t len, pl_expfmt_cb cb, void *ctx,
    pl_expfmt_stats *stats);

#endif
