/* predblock.h - the block layout of stored predictions (many records per mon_pred_blocks row, column-encoded) and the in-memory id index that finds duplicates and label joins. */
#ifndef PL_ENGINE_PREDBLOCK_H
#define PL_ENGINE_PREDBLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Why blocks: one SQLite row per prediction, unique by (target, id),
 * caps ingest at the rate SQLite inserts indexed rows (~150k/s here,
 * tests/bench/raw-insert.c), half the budget.  A block holds up to
 * PL_PBLOCK_RECORDS records of one target in reading order, one row of
 * mon_pred_blocks (schema.c, migration 12) with its columns encoded:
 *
 *   ids       per record: LEB128 length, then the id's bytes
 *   ts        per record: zigzag LEB128 delta of ts_ms from the previous
 *             record's (the first from 0)
 *   status    per record: one byte, 1 for an error status, else 0
 *   vals      three number columns: prediction, score, latency
 *   features  nfeat number columns, each after its LEB128 byte length,
 *             in mon_logs.features order
 *
 * A number column (n values, NaN: absent) is one kind byte, then either
 * n float64 little-endian (kind 255) or, when every value is a decimal
 * with at most e <= 9 places that k / 10^e gives back bit for bit, n
 * LEB128 of zigzag(k) + 1 (0: NaN) (kind e): what a model server writes
 * with "%.6f" takes about half the bytes, and fewer bytes written is
 * what ingest is bound by once rows are few.
 *
 * A record is addressed by (seq, idx): its block's number (per target,
 * increasing in reading order) and its place in the block, so (seq, idx)
 * order is reading order, the order of the former table's rowids.
 * Uniqueness by id is kept in memory (pl_pidx below) and is exact: the
 * index holds 64-bit hashes and every hit is checked against the stored
 * id.
 */

#define PL_PBLOCK_RECORDS 1024

/* A block: the head being filled (row-major features) or one decoded
 * from the store (features left encoded, see pl_pblock_decode). */
struct pl_pblock {
	int64_t seq;
	size_t n, cap, nfeat;
	struct buf ids;			/* id bytes, concatenated */
	uint32_t *off;			/* n + 1 offsets into ids */
	int64_t *ts;
	uint8_t *status;
	double *pred, *score, *lat;
	double *feat;			/* head only: n x nfeat, row-major */
	int64_t ts_min, ts_max, errors;
	int dirty;			/* head: records not stored yet */
};

/* Empties b to be the head block seq with nfeat features per record, room
 * for PL_PBLOCK_RECORDS.  0 or -1 (memory). */
int pl_pblock_reset(struct pl_pblock *b, int64_t seq, size_t nfeat);
void pl_pblock_free(struct pl_pblock *b);
/* Appends a record to a head block (features: nf values, fewer than
 * nfeat padded with NaN).  0, or -1: memory, or the block is full or nf
 * exceeds nfeat (the caller starts another block first). */
int pl_pblock_add(struct pl_pblock *b, const char *id, size_t idlen,
    int64_t ts, int error, double pred, double score, double lat,
    const double *features, size_t nf);
static inline size_t
pl_pblock_idlen(const struct pl_pblock *b, size_t i)
{
	return b->off[i + 1] - b->off[i];
}
static inline const char *
pl_pblock_id(const struct pl_pblock *b, size_t i)
{
	return b->ids.p + b->off[i];
}

/* The encoded columns of a head block, in bufs the caller owns. */
int pl_pblock_encode(const struct pl_pblock *b, struct buf *ids,
    struct buf *ts, struct buf *status, struct buf *vals, struct buf *feat);
/* Decodes the columns given (a NULL blob: that column is not wanted)
 * of an n-record block into b.  0, -1 on memory, -2 on a corrupt blob. */
int pl_pblock_decode(struct pl_pblock *b, int64_t seq, size_t n,
    const void *ids, size_t ids_len, const void *ts, size_t ts_len,
    const void *status, size_t status_len, const void *vals,
    size_t vals_len);

/* Feature column k (of nfeat) of an n-record features blob into out[n].
 * 0, -2 on a corrupt blob. */
int pl_pblock_feature(const void *blob, size_t len, size_t n, size_t nfeat,
    size_t k, double *out);

/* The id index: hash -> (seq, idx), open addressing, linear probing,
 * at most 3/4 full.  12 bytes a slot (the place packed with its block
 * number: up to 2^22 blocks of a target), so 16 to 32 bytes of memory
 * per stored record. */
#define PL_PIDX_MAX_SEQ ((1u << 22) - 1)
struct pl_pidx_slot {
	uint64_t h;			/* 0: empty */
	uint32_t loc;			/* seq << 10 | idx */
} __attribute__((packed));
_Static_assert(sizeof(struct pl_pidx_slot) == 12, "packed slots");
_Static_assert(PL_PBLOCK_RECORDS == 1024, "10 bits of place in a slot");
static inline uint32_t
pl_pidx_seq(const struct pl_pidx_slot *s)
{
	return s->loc >> 10;
}
static inline uint32_t
pl_pidx_idx(const struct pl_pidx_slot *s)
{
	return s->loc & 1023;
}
struct pl_pidx {
	struct pl_pidx_slot *s;
	size_t cap, n;			/* cap: a power of two */
};

uint64_t pl_pidx_hash(const char *id, size_t len);
/* Room for n entries without growing.  0 or -1 (memory). */
int pl_pidx_reserve(struct pl_pidx *x, size_t n);
/* 0, or -1: memory, or seq > PL_PIDX_MAX_SEQ. */
int pl_pidx_add(struct pl_pidx *x, uint64_t h, uint32_t seq, uint32_t idx);
/* Walks the slots holding hash h: start with *pos = (size_t)-1; returns
 * the next slot or NULL. */
const struct pl_pidx_slot *pl_pidx_next(const struct pl_pidx *x, uint64_t h,
    size_t *pos);
void pl_pidx_free(struct pl_pidx *x);

#endif
