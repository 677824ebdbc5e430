/* tsdb-int.h - internals shared by the time-series store's files (engine-internal). */
#ifndef PL_ENGINE_MONITOR_TSDB_INT_H
#define PL_ENGINE_MONITOR_TSDB_INT_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "store/error.h"
#include "monitor/tsdb.h"

struct buf;

/* Time blocks (ms) of the chunks of each resolution. */
#define PL_TS_BLOCK_RAW (2LL * 3600000)
#define PL_TS_BLOCK_5M (86400000LL)
#define PL_TS_BLOCK_1H (30LL * 86400000)

/* Aggregate chunk columns, in this order. */
enum { PL_AGG_MIN, PL_AGG_MAX, PL_AGG_SUM, PL_AGG_COUNT, PL_AGG_LAST,
	PL_AGG_INC, PL_AGG_NCOLS };

static inline int64_t
pl__ts_floor(int64_t t, int64_t step)
{
	int64_t q = t / step;

	if (t % step != 0 && t < 0)
		q--;
	return q * step;
}

static inline int64_t
pl__ts_block_of(int64_t res)
{
	return res == PL_TS_RES_1H ? PL_TS_BLOCK_1H :
	    res == PL_TS_RES_5M ? PL_TS_BLOCK_5M : PL_TS_BLOCK_RAW;
}

/* Canonical label text of a set (sorted, empty values dropped) into out;
 * PL_EINVAL with a message in err for bad names or duplicates. */
int pl__ts_canon(struct buf *out, char *err, size_t err_len, const char *name,
    const pl_label *labels, size_t n);
/* Parses canonical text back: *out is one malloc'ed block. */
int pl__ts_canon_parse(pl_label **out, size_t *out_n, const char *text);

struct pl__ts_match {
	pl_matcher m;
	regex_t re;
	int compiled;
};
int pl__ts_matchers_compile(struct pl__ts_match *cm, const pl_matcher *m,
    size_t n, char *err, size_t err_len);
void pl__ts_matchers_free(struct pl__ts_match *cm, size_t n);
int pl__ts_match_value(const struct pl__ts_match *cm, const char *v);

/* A running aggregate of one bucket. */
struct pl__ts_bucket {
	int64_t t;		/* bucket start; INT64_MIN: empty */
	int64_t count;
	double min, max, sum, last, inc;
};
void pl__ts_bucket_reset(struct pl__ts_bucket *b, int64_t t);
/* Adds sample v; prev is the series' previous non-NaN value (NAN when
 * none) for the reset-aware increase. */
void pl__ts_bucket_add(struct pl__ts_bucket *b, double v, double prev);

#endif
