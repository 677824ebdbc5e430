/* predsrc-store.c - a prediction source's stored predictions: blocks, the id index, label joins, the move from the former table. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/predsrc-int.h"
#include "store/error.h"
#include "store/internal.h"

/* ---- stored predictions: blocks and the id index ---- */

int
pl__ps_oom(pl_predsrc *s)
{
	return pl__ps_seterr(s, PL_ENOMEM, "out of memory");
}

int
pl__ps_write_block(pl_predsrc *s, struct pl_pblock *b)
{
	sqlite3_stmt *q = pl__stmt(s->st,
	    "INSERT OR REPLACE INTO mon_pred_blocks(target, seq, n, nfeat,"
	    " ts_min, ts_max, errors, ids, ts, status, vals, features)"
	    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
	int rc;

	if (q == NULL)
		return pl__ps_dbfail(s, "storing predictions");
	if (pl_pblock_encode(b, &s->enc[0], &s->enc[1], &s->enc[2], &s->enc[3],
	    &s->enc[4]) != 0)
		return pl__ps_oom(s);
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, b->seq);
	sqlite3_bind_int64(q, 3, (int64_t)b->n);
	sqlite3_bind_int64(q, 4, (int64_t)b->nfeat);
	sqlite3_bind_int64(q, 5, b->ts_min);
	sqlite3_bind_int64(q, 6, b->ts_max);
	sqlite3_bind_int64(q, 7, b->errors);
	for (int k = 0; k < 5; k++)
		sqlite3_bind_blob(q, 8 + k, s->enc[k].len ? s->enc[k].p : "",
		    (int)s->enc[k].len, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "storing predictions");
		return pl__ps_dbfail(s, "storing predictions");
	}
	b->dirty = 0;
	return PL_OK;
}

/* Makes room in the head block for a record with nf features: a full
 * head (or one with fewer feature columns) is stored and the next one
 * begun. */
static int
head_room(pl_predsrc *s, size_t nf)
{
	struct pl_pblock *h = &s->head;
	int rc;

	if (h->feat && h->n < PL_PBLOCK_RECORDS && nf <= h->nfeat)
		return PL_OK;
	int64_t seq = h->seq;
	if (h->n > 0) {
		if ((rc = pl__ps_write_block(s, h)) != PL_OK)
			return rc;
		seq++;
	}
	size_t pnf = s->pred.parser ? pl_predparse_nfeatures(s->pred.parser) : 0;
	return pl_pblock_reset(h, seq, nf > pnf ? nf : pnf) == 0 ? PL_OK : pl__ps_oom(s);
}

static int
mark_joined(pl_predsrc *s, int64_t seq, uint32_t idx)
{
	if ((size_t)seq >= s->njoined) {
		size_t n = s->njoined ? s->njoined : 64;
		while (n <= (size_t)seq)
			n *= 2;
		uint8_t **v = realloc(s->joined, n * sizeof *v);
		if (v == NULL)
			return pl__ps_oom(s);
		memset(v + s->njoined, 0, (n - s->njoined) * sizeof *v);
		s->joined = v;
		s->njoined = n;
	}
	if (s->joined[seq] == NULL &&
	    (s->joined[seq] = calloc(PL_PBLOCK_RECORDS / 8, 1)) == NULL)
		return pl__ps_oom(s);
	s->joined[seq][idx / 8] |= (uint8_t)(1u << (idx % 8));
	return PL_OK;
}

int
pl__ps_is_joined(const pl_predsrc *s, int64_t seq, uint32_t idx)
{
	return (size_t)seq < s->njoined && s->joined[seq] &&
	    (s->joined[seq][idx / 8] >> (idx % 8) & 1);
}

/* Block seq, decoded (all but its features), or the head. */
static int
block_at(pl_predsrc *s, int64_t seq, const struct pl_pblock **out)
{
	if (seq == s->head.seq && s->head.feat) {
		*out = &s->head;
		return PL_OK;
	}
	for (int k = 0; k < 2; k++)
		if (s->look[k].off && s->look[k].seq == seq) {
			*out = &s->look[k];
			return PL_OK;
		}
	struct pl_pblock *b = &s->look[s->look_next++ & 1];
	sqlite3_stmt *q = pl__stmt(s->st, "SELECT n, ids, ts, status, vals"
	    " FROM mon_pred_blocks WHERE target = ?1 AND seq = ?2");
	int rc, drc = -2;

	if (q == NULL)
		return pl__ps_dbfail(s, "reading predictions");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, seq);
	b->seq = -1;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		drc = pl_pblock_decode(b, seq, (size_t)sqlite3_column_int64(q, 0),
		    sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1),
		    sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2),
		    sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q, 3),
		    sqlite3_column_blob(q, 4), (size_t)sqlite3_column_bytes(q, 4));
	sqlite3_reset(q);
	if (drc == -1)
		return pl__ps_oom(s);
	if (drc != 0) {
		b->seq = -1;
		return pl__ps_seterr(s, PL_ECORRUPT, "prediction block %lld of target"
		    " %s is %s", (long long)seq, s->target,
		    rc == SQLITE_ROW ? "corrupt" : "missing");
	}
	*out = b;
	return PL_OK;
}

/* The stored record with this id: 1 (*seq, *idx, *b set), 0 none. */
int
pl__ps_find_id(pl_predsrc *s, const char *id, size_t len, int64_t *seq,
    uint32_t *idx, const struct pl_pblock **b)
{
	uint64_t h = pl_pidx_hash(id, len);
	size_t pos = (size_t)-1;
	const struct pl_pidx_slot *sl;
	int rc;

	while ((sl = pl_pidx_next(&s->idx, h, &pos)) != NULL) {
		uint32_t sseq = pl_pidx_seq(sl), sidx = pl_pidx_idx(sl);
		const struct pl_pblock *blk = NULL;
		if ((rc = block_at(s, sseq, &blk)) != PL_OK)
			return rc;
		if (sidx < blk->n && pl_pblock_idlen(blk, sidx) == len &&
		    memcmp(pl_pblock_id(blk, sidx), id, len) == 0) {
			*seq = sseq;
			*idx = sidx;
			*b = blk;
			return 1;
		}
	}
	return 0;
}

int
pl__ps_add_record(pl_predsrc *s, const char *id, size_t len, int64_t ts,
    int error, double pred, double score, double lat, const double *f,
    size_t nf)
{
	int rc;

	if ((rc = head_room(s, nf)) != PL_OK)
		return rc;
	if (s->head.seq > PL_PIDX_MAX_SEQ)
		return pl__ps_seterr(s, PL_ERROR, "target %s has more prediction blocks"
		    " than the id index holds (%u)", s->target, PL_PIDX_MAX_SEQ);
	if (pl_pblock_add(&s->head, id, len, ts, error, pred, score, lat, f,
	    nf) != 0 || pl_pidx_add(&s->idx, pl_pidx_hash(id, len),
	    (uint32_t)s->head.seq, (uint32_t)(s->head.n - 1)) != 0)
		return pl__ps_oom(s);
	return PL_OK;
}

int
pl__ps_store_label(pl_predsrc *s, int64_t seq, uint32_t idx, double label,
    int64_t label_ms)
{
	sqlite3_stmt *q = pl__stmt(s->st, "INSERT INTO mon_pred_labels(target,"
	    " seq, idx, label, label_ms) VALUES(?1, ?2, ?3, ?4, ?5)");
	int rc;

	if (q == NULL)
		return pl__ps_dbfail(s, "joining a label");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, seq);
	sqlite3_bind_int64(q, 3, idx);
	sqlite3_bind_double(q, 4, label);
	sqlite3_bind_int64(q, 5, label_ms);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "joining a label");
		return pl__ps_dbfail(s, "joining a label");
	}
	return mark_joined(s, seq, idx);
}

/* Rows of mon_predictions (schema 5 to 11) of this target, moved into
 * blocks in their reading order, with their labels. */
static int
convert_legacy(pl_predsrc *s)
{
	sqlite3_stmt *q = pl__stmt(s->st, "SELECT id, ts_ms, prediction, score,"
	    " latency, status, features, label, label_ms FROM mon_predictions"
	    " WHERE target = ?1 ORDER BY rid");
	double f[PL_PRED_MAX_FEATURES];
	int rc, ret = PL_OK;
	int64_t n = 0;

	if (q == NULL)
		return pl__ps_dbfail(s, "moving predictions into blocks");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		size_t len = (size_t)sqlite3_column_bytes(q, 0);
		const unsigned char *fb = sqlite3_column_blob(q, 6);
		size_t nf = (size_t)sqlite3_column_bytes(q, 6) / 8;
		double v[3];
		if (nf > PL_PRED_MAX_FEATURES)
			nf = PL_PRED_MAX_FEATURES;
		if (nf)
			memcpy(f, fb, nf * 8);
		for (int k = 0; k < 3; k++)
			v[k] = sqlite3_column_type(q, 2 + k) == SQLITE_NULL ? NAN :
			    sqlite3_column_double(q, 2 + k);
		if ((ret = pl__ps_add_record(s, id ? id : "", len,
		    sqlite3_column_int64(q, 1), sqlite3_column_int(q, 5) != 0,
		    v[0], v[1], v[2], f, nf)) != PL_OK)
			break;
		if (sqlite3_column_type(q, 7) != SQLITE_NULL &&
		    (ret = pl__ps_store_label(s, s->head.seq, (uint32_t)(s->head.n - 1),
		    sqlite3_column_double(q, 7), sqlite3_column_int64(q, 8))) != PL_OK)
			break;
		n++;
	}
	sqlite3_reset(q);
	if (ret != PL_OK)
		return ret;
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "moving predictions into blocks");
		return pl__ps_dbfail(s, "moving predictions into blocks");
	}
	if (n == 0)
		return PL_OK;
	if (s->head.dirty && (ret = pl__ps_write_block(s, &s->head)) != PL_OK)
		return ret;
	q = pl__stmt(s->st, "DELETE FROM mon_predictions WHERE target = ?1");
	if (q == NULL)
		return pl__ps_dbfail(s, "moving predictions into blocks");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "moving predictions into blocks");
		return pl__ps_dbfail(s, "moving predictions into blocks");
	}
	return PL_OK;
}

void
pl__ps_unload(pl_predsrc *s)
{
	pl_pidx_free(&s->idx);
	pl_pblock_free(&s->head);
	for (int k = 0; k < 2; k++)
		pl_pblock_free(&s->look[k]);
	for (size_t i = 0; i < s->njoined; i++)
		free(s->joined[i]);
	free(s->joined);
	s->joined = NULL;
	s->njoined = 0;
	s->loaded = 0;
}

/* The id index and joined marks from the store (inside the poll's
 * transaction), older rows moved into blocks, a fresh head. */
int
pl__ps_load(pl_predsrc *s)
{
	sqlite3_stmt *q;
	int rc, drc = 0;
	int64_t next = 0;

	if (s->loaded)
		return PL_OK;
	pl__ps_unload(s);
	q = pl__stmt(s->st, "SELECT coalesce(sum(n), 0) FROM mon_pred_blocks"
	    " WHERE target = ?1");
	if (q == NULL)
		return pl__ps_dbfail(s, "reading predictions");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	int64_t total = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	if (pl_pidx_reserve(&s->idx, (size_t)total + PL_PBLOCK_RECORDS) != 0)
		return pl__ps_oom(s);
	q = pl__stmt(s->st, "SELECT seq, n, ids FROM mon_pred_blocks"
	    " WHERE target = ?1 ORDER BY seq");
	if (q == NULL)
		return pl__ps_dbfail(s, "reading predictions");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	struct pl_pblock *b = &s->look[0];
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(q, 0);
		size_t n = (size_t)sqlite3_column_int64(q, 1);
		drc = pl_pblock_decode(b, seq, n, sqlite3_column_blob(q, 2),
		    (size_t)sqlite3_column_bytes(q, 2), NULL, 0, NULL, 0, NULL, 0);
		if (drc != 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (pl_pidx_add(&s->idx, pl_pidx_hash(pl_pblock_id(b, i),
			    pl_pblock_idlen(b, i)), (uint32_t)seq, (uint32_t)i) != 0) {
				drc = -1;
				break;
			}
		if (drc != 0)
			break;
		next = seq + 1;
	}
	sqlite3_reset(q);
	pl_pblock_free(b);	/* ids only: not a cached block */
	if (drc == -1)
		return pl__ps_oom(s);
	if (drc != 0)
		return pl__ps_seterr(s, PL_ECORRUPT, "a prediction block of target %s is"
		    " corrupt", s->target);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "reading predictions");
		return pl__ps_dbfail(s, "reading predictions");
	}
	q = pl__stmt(s->st, "SELECT seq, idx FROM mon_pred_labels"
	    " WHERE target = ?1");
	if (q == NULL)
		return pl__ps_dbfail(s, "reading labels");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	int ret = PL_OK;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && ret == PL_OK) {
		int64_t seq = sqlite3_column_int64(q, 0);
		int64_t i = sqlite3_column_int64(q, 1);
		if (seq >= 0 && i >= 0 && i < PL_PBLOCK_RECORDS)
			ret = mark_joined(s, seq, (uint32_t)i);
	}
	sqlite3_reset(q);
	if (ret != PL_OK)
		return ret;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		pl__sqlerr(s->st, rc, "reading labels");
		return pl__ps_dbfail(s, "reading labels");
	}
	s->head.seq = next;
	if ((rc = convert_legacy(s)) != PL_OK)
		return rc;
	s->loaded = 1;
	return PL_OK;
}

int
pl__ps_read_fail(pl_predsrc *s, int rc, const char *what)
{
	if (rc == SQLITE_NOMEM)
		return pl__ps_oom(s);
	if (rc == SQLITE_CORRUPT)
		return pl__ps_seterr(s, PL_ECORRUPT, "a prediction block of "
		    "target %s is corrupt", s->target);
	pl__sqlerr(s->st, rc, what);
	return pl__ps_dbfail(s, what);
}
