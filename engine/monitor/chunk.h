/* chunk.h - Gorilla-style compressed sample chunks: delta-of-delta times, XOR floats (engine-internal). */
#ifndef PL_ENGINE_MONITOR_CHUNK_H
#define PL_ENGINE_MONITOR_CHUNK_H

#include <stddef.h>
#include <stdint.h>

/*
 * A chunk holds n points of one series, each a timestamp (ms) and ncols
 * float64 values (1 for raw samples; 6 for downsampled aggregates).  It
 * is the encoding of Facebook's Gorilla paper as Prometheus' TSDB uses
 * it (tsdb/chunkenc/xor.go), extended to several value columns:
 *
 *   blob   = version byte (1) | ncols byte | bit stream
 *   point 0: t as 64 bits, then each column's value as 64 raw bits
 *   point 1: delta t as a zig-zag varint-in-bits (see put_dod with the
 *            previous delta taken as 0), then each column XOR-coded
 *   point k: delta-of-delta of t:  '0'            dod = 0
 *                                  '10'  + 7 bits   -63..64
 *                                  '110' + 9 bits   -255..256
 *                                  '1110'+ 12 bits  -2047..2048
 *                                  '11110'+20 bits  +-2^19
 *                                  '11111'+64 bits  anything
 *            then per column x = v XOR previous v:
 *                                  '0'              x = 0
 *                                  '10' + meaningful bits, inside the
 *                                         previous leading/trailing window
 *                                  '11' + 5 bits leading zeros (<= 31)
 *                                       + 6 bits length (64 stored as 0)
 *                                       + the meaningful bits
 *
 * The number of points is not in the blob: it lives beside it (the n
 * column of ts_chunks), which also says where the stream ends.  Values
 * round-trip bit for bit (NaN payloads included: the staleness marker
 * survives).  An encoder can be rebuilt from a stored blob and appended
 * to (pl__chunk_resume), which is how a restarted writer continues the
 * head chunk of a series.
 */

#define PL_CHUNK_MAXCOLS 6

struct pl__colstate {
	uint64_t prev;		/* previous value's bits */
	int lead, trail;	/* window of the previous XOR; lead -1: none */
};

typedef struct pl__chunkenc {
	unsigned char *buf;
	size_t cap;
	size_t bits;		/* bits written, header included */
	int ncols;
	uint32_t n;		/* points */
	int64_t t_first, t_prev, delta_prev;
	struct pl__colstate col[PL_CHUNK_MAXCOLS];
} pl__chunkenc;

/* Starts an empty chunk of ncols value columns (1..PL_CHUNK_MAXCOLS). */
void pl__chunkenc_init(pl__chunkenc *e, int ncols);
void pl__chunkenc_dispose(pl__chunkenc *e);
/* Appends a point; the caller keeps times increasing.  -1 on OOM. */
int pl__chunkenc_add(pl__chunkenc *e, int64_t t, const double *v);
/* Bytes of the blob so far (the bit stream rounded up). */
static inline size_t
pl__chunkenc_bytes(const pl__chunkenc *e)
{
	return (e->bits + 7) / 8;
}
/* Rebuilds the encoder from a stored blob of n points so more can be
 * appended.  -1 when the blob is damaged or memory runs out. */
int pl__chunk_resume(pl__chunkenc *e, const unsigned char *blob, size_t len,
    uint32_t n);

/* A decoder over a blob. */
typedef struct pl__chunkdec {
	const unsigned char *buf;
	size_t len;		/* bytes */
	size_t pos;		/* bit position */
	int ncols;
	uint32_t n, i;
	int64_t t, delta;
	struct pl__colstate col[PL_CHUNK_MAXCOLS];
} pl__chunkdec;

/* Starts decoding; -1 when the header is damaged. */
int pl__chunkdec_init(pl__chunkdec *d, const unsigned char *blob, size_t len,
    uint32_t n);
/* Next point into *t and v[0..ncols-1]: 1 when one was read, 0 at the
 * end, -1 when the stream is damaged (truncated). */
int pl__chunkdec_next(pl__chunkdec *d, int64_t *t, double *v);

#endif
