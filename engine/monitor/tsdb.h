/* tsdb.h - the time-series store inside the plumb store: series, samples, downsampled aggregates. */
#ifndef PL_ENGINE_MONITOR_TSDB_H
#define PL_ENGINE_MONITOR_TSDB_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * A series is a metric name plus a set of labels (name=value pairs, names
 * unique, kept sorted by name), as in Prometheus.  Its samples are
 * (t_ms, value) pairs, times strictly increasing within a series.
 *
 * Storage (schema migration 5, tables ts_series, ts_labels, ts_chunks):
 * - raw samples in Gorilla-compressed chunks (delta-of-delta times, XOR
 *   floats; engine/monitor/chunk.h), one chunk per series and 2-hour
 *   block;
 * - downsampled aggregates per 5 minutes and per hour (min, max, sum,
 *   count, last, inc; see pl_ts_agg), in compressed chunks of 1 day and
 *   of 30 days, kept longer than the raw samples (retention below);
 * - an inverted index (label name, value) -> series.
 *
 * Writers batch in memory (pl_ts_writer) and flush in one transaction,
 * so a reader sees every chunk whole or not at all.  A series has one
 * writer at a time (the watcher: one per store).  NaN samples (the
 * staleness marker 0x7ff0000000000002 included) are stored raw bit for
 * bit and left out of the aggregates.
 */

/* Resolutions (ms) of the stored aggregates; 0 means raw samples. */
#define PL_TS_RES_RAW 0
#define PL_TS_RES_5M 300000
#define PL_TS_RES_1H 3600000

/* Default retentions (ms): raw 15 days, aggregates 1 year. */
#define PL_TS_RETAIN_RAW_DEFAULT (15LL * 86400000)
#define PL_TS_RETAIN_DOWN_DEFAULT (365LL * 86400000)

/* Prometheus' staleness marker (model/value/value.go). */
#define PL_TS_STALE_BITS 0x7ff0000000000002ULL
/* 1 when v is the staleness marker (not an ordinary NaN). */
int pl_ts_is_stale(double v);
double pl_ts_stale(void);

/* A label; in arrays given to the engine, names may come in any order. */
typedef struct pl_label {
	const char *name;
	const char *value;
} pl_label;

/* ---- writing ---- */

typedef struct pl_ts_writer pl_ts_writer;

/* Opens a writer on st (which must stay open until the writer is
 * closed; the writer uses st's connection, on the same thread). */
int pl_ts_writer_open(pl_ts_writer **out, pl_store *st);

/*
 * Queues one sample of the series name{labels}.  Label names must be
 * valid ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"), the metric
 * name [a-zA-Z_:][a-zA-Z0-9_:]*; labels with an empty value are dropped
 * (Prometheus: an empty label is an absent one).  A sample not newer
 * than the series' last one is dropped and counted (pl_ts_writer_stats);
 * that is not an error.  Returns PL_EINVAL for a bad name (message on
 * the writer), PL_ENOMEM, or an SQLite failure while looking the series
 * up.
 */
int pl_ts_append(pl_ts_writer *w, const char *name, const pl_label *labels,
    size_t nlabels, int64_t t_ms, double v);

/*
 * Faster path for a series appended to again and again: *out_ref names
 * it for pl_ts_append_ref() for the writer's lifetime.
 */
int pl_ts_ref(int64_t *out_ref, pl_ts_writer *w, const char *name,
    const pl_label *labels, size_t nlabels);
int pl_ts_append_ref(pl_ts_writer *w, int64_t ref, int64_t t_ms, double v);

/* Writes everything queued in one transaction.  On failure nothing of
 * this flush is stored and the queued data stay queued for a retry. */
int pl_ts_flush(pl_ts_writer *w);

/* Counters since the writer opened. */
typedef struct pl_ts_writer_stats {
	int64_t appended;	/* samples accepted */
	int64_t out_of_order;	/* dropped: not newer than the last */
	int64_t flushes;
	int64_t series;		/* series known to the writer */
	int64_t pending;	/* samples queued since the last flush */
} pl_ts_writer_stats;
void pl_ts_writer_stats_get(pl_ts_writer_stats *out, const pl_ts_writer *w);

/* Message of the writer's last failure ("" when none). */
const char *pl_ts_writer_errmsg(const pl_ts_writer *w);

/* Flushes (the result is returned) and frees the writer; NULL is fine. */
int pl_ts_writer_close(pl_ts_writer *w);

/*
 * Deletes raw chunks older than now - raw_ms and aggregate chunks older
 * than now - down_ms (whole blocks: a block goes once its end is past
 * the horizon), and series left without any chunk.  <= 0 keeps forever.
 * *out_deleted (may be NULL) receives the number of chunks removed.
 */
int pl_ts_retention(int64_t *out_deleted, pl_store *st, int64_t now_ms,
    int64_t raw_ms, int64_t down_ms);

/* ---- selecting series ---- */

enum pl_match_op { PL_MATCH_EQ, PL_MATCH_NE, PL_MATCH_RE, PL_MATCH_NRE };

/*
 * A matcher as in a PromQL selector: name is a label name or "__name__"
 * (the metric name).  Regexes are POSIX extended, anchored at both ends
 * as in Prometheus.  A missing label has the value "", so {x=""}
 * matches series without x.
 */
typedef struct pl_matcher {
	const char *name;
	enum pl_match_op op;
	const char *value;
} pl_matcher;

typedef struct pl_ts_series {
	int64_t id;
	char *name;
	pl_label *labels;	/* sorted by name; strings owned by the set */
	size_t nlabels;
} pl_ts_series;

typedef struct pl_ts_set {
	pl_ts_series *v;
	size_t n;
} pl_ts_set;

/*
 * The series matching every matcher, sorted by name then labels (the
 * order of Prometheus' label-set comparison with __name__ first).  A
 * set of matchers that all match "" (e.g. none) selects every series.
 * Bad regex: PL_EINVAL with the regcomp message on st.  Free with
 * pl_ts_set_free().
 */
int pl_ts_select(pl_ts_set **out, pl_store *st, const pl_matcher *m,
    size_t nm);
void pl_ts_set_free(pl_ts_set *s);
/* The value of label name in series s ("__name__" gives the name), or
 * NULL when absent.  Borrowed. */
const char *pl_ts_label(const pl_ts_series *s, const char *name);

/*
 * Parses a selector like `up{target="api",job=~"a|b"}`, `{__name__=~"x.*"}`
 * or a bare metric name into matchers (Prometheus syntax: = != =~ !~,
 * double- or single-quoted values with \\ \" \n escapes, a trailing
 * comma allowed).  *out is one malloc'ed block (free() it) holding
 * matchers and strings.  On a syntax error returns PL_EINVAL, writes
 * a message to err and the 0-based offset to *err_off.
 */
int pl_ts_selector_parse(pl_matcher **out, size_t *out_n, const char *text,
    char *err, size_t err_len, size_t *err_off);

/* ---- reading ---- */

typedef struct pl_ts_sample {
	int64_t t;
	double v;
} pl_ts_sample;

/* Raw samples of series id with start <= t <= end, in time order.
 * *out is malloc'ed (NULL when none). */
int pl_ts_read(pl_ts_sample **out, size_t *out_n, pl_store *st, int64_t id,
    int64_t start, int64_t end);

/* The newest sample of series id: PL_ENOTFOUND when it has none. */
int pl_ts_last(pl_ts_sample *out, pl_store *st, int64_t id);

/*
 * One downsampled point: the samples with t in [t, t + step).
 * min/max/sum/last/count are over the non-NaN samples of the bucket;
 * inc is the counter increase over the bucket, reset-aware: the sum of
 * (v - previous v), or v alone where v dropped (a reset), the previous
 * sample possibly being in the bucket before.  Summing inc over buckets
 * gives the increase of a counter over a range as rate() needs it, even
 * where only aggregates remain.
 */
typedef struct pl_ts_agg {
	int64_t t;		/* bucket start (ms, aligned on step) */
	int64_t count;
	double min, max, sum, last, inc;
} pl_ts_agg;

/*
 * Aggregated points of series id over [start, end] in buckets of step ms
 * (aligned on multiples of step since the epoch; step > 0).  The
 * coarsest stored resolution that divides step serves it (1 h, then
 * 5 min, else raw samples); buckets newer than the last stored
 * aggregate, or older ones whose aggregates are missing, are computed
 * from raw samples.  Empty buckets are left out.  *out_res (may be NULL)
 * receives the resolution read (PL_TS_RES_*).
 */
int pl_ts_read_agg(pl_ts_agg **out, size_t *out_n, int64_t *out_res,
    pl_store *st, int64_t id, int64_t start, int64_t end, int64_t step);

/* Disk use of the series tables: chunks, their bytes, series. */
typedef struct pl_ts_usage {
	int64_t series, chunks, bytes, samples;
} pl_ts_usage;
int pl_ts_usage_get(pl_ts_usage *out, pl_store *st);

/*
 * Label names are valid: [a-zA-Z_][a-zA-Z0-9_]*; metric names may also
 * hold ':'.  These return 1 when valid.
 */
int pl_ts_name_valid(const char *name);
int pl_ts_label_name_valid(const char *name);

#endif
