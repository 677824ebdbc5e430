/* predblock.c - prediction blocks: append, column encoding and decoding, and the id hash index (contract in predblock.h). */
#include "config.h"
#include "monitor/predblock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

_Static_assert(sizeof(double) == 8, "float64 columns");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "prediction blocks store float64 little-endian, the host order"
#endif

void
pl_pblock_free(struct pl_pblock *b)
{
	buf_free(&b->ids);
	free(b->off);
	free(b->ts);
	free(b->status);
	free(b->pred);
	free(b->score);
	free(b->lat);
	free(b->feat);
	memset(b, 0, sizeof *b);
}

/* Room for cap records' columns (features aside). */
static int
reserve(struct pl_pblock *b, size_t cap)
{
	if (cap <= b->cap)
		return 0;
#define GROW(p, n) do { \
		void *q_ = realloc((p), (n) * sizeof *(p)); \
		if (q_ == NULL) \
			return -1; \
		(p) = q_; \
	} while (0)
	GROW(b->off, cap + 1);
	GROW(b->ts, cap);
	GROW(b->status, cap);
	GROW(b->pred, cap);
	GROW(b->score, cap);
	GROW(b->lat, cap);
#undef GROW
	b->cap = cap;
	return 0;
}

int
pl_pblock_reset(struct pl_pblock *b, int64_t seq, size_t nfeat)
{
	if (reserve(b, PL_PBLOCK_RECORDS) != 0)
		return -1;
	if (b->feat == NULL || nfeat != b->nfeat) {
		double *f = realloc(b->feat,
		    (PL_PBLOCK_RECORDS * nfeat + 1) * sizeof *f);
		if (f == NULL)
			return -1;
		b->feat = f;
	}
	b->seq = seq;
	b->n = 0;
	b->nfeat = nfeat;
	buf_clear(&b->ids);
	b->off[0] = 0;
	b->ts_min = INT64_MAX;
	b->ts_max = INT64_MIN;
	b->errors = 0;
	b->dirty = 0;
	return 0;
}

int
pl_pblock_add(struct pl_pblock *b, const char *id, size_t idlen, int64_t ts,
    int error, double pred, double score, double lat,
    const double *features, size_t nf)
{
	size_t i = b->n;

	if (i >= PL_PBLOCK_RECORDS || b->feat == NULL || nf > b->nfeat)
		return -1;
	if (buf_add(&b->ids, id, idlen) != 0)
		return -1;
	b->off[i + 1] = (uint32_t)b->ids.len;
	b->ts[i] = ts;
	b->status[i] = error != 0;
	b->pred[i] = pred;
	b->score[i] = score;
	b->lat[i] = lat;
	double *f = b->feat + i * b->nfeat;
	size_t k = 0;
	for (; k < nf; k++)
		f[k] = features[k];
	for (; k < b->nfeat; k++)
		f[k] = NAN;
	if (ts < b->ts_min)
		b->ts_min = ts;
	if (ts > b->ts_max)
		b->ts_max = ts;
	b->errors += error != 0;
	b->n = i + 1;
	b->dirty = 1;
	return 0;
}

static int
put_uv(struct buf *o, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;

	do {
		t[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	return buf_add(o, t, n);
}

static int
get_uv(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t r = 0;

	for (int sh = 0; sh < 64; sh += 7) {
		if (*p == end)
			return -1;
		unsigned c = *(*p)++;
		r |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

/*
 * A column of n numbers: a kind byte, then
 *   kind 255: n float64 little-endian, as they are;
 *   kind e (0..9): n LEB128 u, u = 0 for NaN, else zigzag(k) + 1 with
 *     the value k / 10^e.
 * Values written by a program as decimals (the usual log: "%.6f") come
 * back bit for bit from k / 10^e (IEEE division rounds correctly, and so
 * did the parser), in half the bytes or less; every value is checked
 * before a column is written so, else it is stored raw.  NaN comes back
 * as the one NaN (every reader only asks isnan).
 */
static const double pow10_[10] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9 };

static int
decimal_ok(double x, int e, int64_t *k)
{
	double y = x * pow10_[e];

	if (!(y > -4e15 && y < 4e15))
		return 0;
	int64_t r = llrint(y);
	double back = (double)r / pow10_[e];
	if (memcmp(&back, &x, 8) != 0)
		return 0;
	*k = r;
	return 1;
}

static int
col_put(struct buf *o, const double *v, size_t stride, size_t n)
{
	int64_t ks[PL_PBLOCK_RECORDS];
	int e = 0;

	if (n > PL_PBLOCK_RECORDS)
		e = 10;		/* not a block's column: raw */
	for (; e < 10; e++) {
		size_t i = 0;
		for (; i < n; i++) {
			double x = v[i * stride];
			if (isnan(x))
				ks[i] = INT64_MIN;
			else if (!decimal_ok(x, e, &ks[i]))
				break;
		}
		if (i == n)
			break;
	}
	if (e == 10) {
		if (buf_putc(o, (char)255) != 0 || buf_grow(o, n * 8 + 1) != 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			memcpy(o->p + o->len + i * 8, &v[i * stride], 8);
		o->len += n * 8;
		o->p[o->len] = '\0';
		return 0;
	}
	if (buf_putc(o, (char)e) != 0 || buf_grow(o, n * 10 + 1) != 0)
		return -1;
	unsigned char *w = (unsigned char *)o->p + o->len, *w0 = w;
	for (size_t i = 0; i < n; i++) {
		int64_t k = ks[i];
		uint64_t u = k == INT64_MIN ? 0 :
		    (((uint64_t)k << 1) ^ (uint64_t)(k >> 63)) + 1;
		while (u >= 0x80) {
			*w++ = (unsigned char)(u | 0x80);
			u >>= 7;
		}
		*w++ = (unsigned char)u;
	}
	o->len += (size_t)(w - w0);
	o->p[o->len] = '\0';
	return 0;
}

/* Decodes a column into out[i * stride]; 0 or -2 (corrupt). */
static int
col_get(const unsigned char **pp, const unsigned char *end, size_t n,
    double *out, size_t stride)
{
	const unsigned char *p = *pp;

	if (p == end)
		return n == 0 ? 0 : -2;
	unsigned kind = *p++;
	if (kind == 255) {
		if ((size_t)(end - p) < n * 8)
			return -2;
		for (size_t i = 0; i < n; i++)
			memcpy(&out[i * stride], p + i * 8, 8);
		*pp = p + n * 8;
		return 0;
	}
	if (kind > 9)
		return -2;
	double sc = pow10_[kind];
	for (size_t i = 0; i < n; i++) {
		uint64_t u;
		if (p < end && *p < 0x80)
			u = *p++;
		else if (get_uv(&p, end, &u) != 0)
			return -2;
		if (u == 0)
			out[i * stride] = NAN;
		else {
			u--;
			int64_t k = (int64_t)((u >> 1) ^ (0 - (u & 1)));
			out[i * stride] = (double)k / sc;
		}
	}
	*pp = p;
	return 0;
}

int
pl_pblock_feature(const void *blob, size_t len, size_t n, size_t nfeat,
    size_t k, double *out)
{
	const unsigned char *p = blob, *end = p + len;

	if (k >= nfeat)
		return -2;
	for (size_t j = 0;; j++) {
		uint64_t l;
		if (get_uv(&p, end, &l) != 0 || l > (size_t)(end - p))
			return -2;
		if (j == k) {
			const unsigned char *q = p;
			if (col_get(&q, p + l, n, out, 1) != 0 || q != p + l)
				return -2;
			return 0;
		}
		p += l;
	}
}

int
pl_pblock_encode(const struct pl_pblock *b, struct buf *ids, struct buf *ts,
    struct buf *status, struct buf *vals, struct buf *feat)
{
	size_t n = b->n;
	int64_t prev = 0;

	buf_clear(ids);
	buf_clear(ts);
	buf_clear(status);
	buf_clear(vals);
	buf_clear(feat);
	for (size_t i = 0; i < n; i++) {
		size_t l = pl_pblock_idlen(b, i);
		if (put_uv(ids, l) != 0 || buf_add(ids, pl_pblock_id(b, i), l) != 0)
			return -1;
		/* wrapping difference, then zigzag */
		uint64_t d = (uint64_t)b->ts[i] - (uint64_t)prev;
		int64_t sd = (int64_t)d;
		prev = b->ts[i];
		if (put_uv(ts, ((uint64_t)sd << 1) ^ (uint64_t)(sd >> 63)) != 0)
			return -1;
	}
	if (buf_add(status, n ? (const void *)b->status : "", n) != 0 ||
	    col_put(vals, b->pred, 1, n) != 0 ||
	    col_put(vals, b->score, 1, n) != 0 ||
	    col_put(vals, b->lat, 1, n) != 0)
		return -1;
	for (size_t k = 0; k < b->nfeat; k++) {
		/* the column's length first, so a reader skips to the one
		 * it wants */
		size_t at = feat->len;
		unsigned char t[10];
		if (col_put(feat, b->feat + k, b->nfeat, n) != 0)
			return -1;
		uint64_t l = feat->len - at;
		size_t tn = 0;
		do {
			t[tn] = (unsigned char)(l & 0x7f);
			l >>= 7;
			if (l)
				t[tn] |= 0x80;
			tn++;
		} while (l);
		if (buf_grow(feat, tn) != 0)
			return -1;
		memmove(feat->p + at + tn, feat->p + at, feat->len - at + 1);
		memcpy(feat->p + at, t, tn);
		feat->len += tn;
	}
	return 0;
}

int
pl_pblock_decode(struct pl_pblock *b, int64_t seq, size_t n, const void *ids,
    size_t ids_len, const void *ts, size_t ts_len, const void *status,
    size_t status_len, const void *vals, size_t vals_len)
{
	b->seq = seq;
	b->n = 0;
	b->dirty = 0;
	buf_clear(&b->ids);
	if (reserve(b, n ? n : 1) != 0)
		return -1;
	if (ids) {
		const unsigned char *p = ids, *end = p + ids_len;
		if (buf_grow(&b->ids, ids_len + 1) != 0)
			return -1;
		b->off[0] = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t l;
			if (get_uv(&p, end, &l) != 0 || l > (size_t)(end - p))
				return -2;
			memcpy(b->ids.p + b->ids.len, p, l);
			b->ids.len += l;
			p += l;
			b->off[i + 1] = (uint32_t)b->ids.len;
		}
		b->ids.p[b->ids.len] = '\0';
	}
	if (ts) {
		const unsigned char *p = ts, *end = p + ts_len;
		uint64_t prev = 0;
		b->ts_min = INT64_MAX;
		b->ts_max = INT64_MIN;
		for (size_t i = 0; i < n; i++) {
			uint64_t z;
			if (get_uv(&p, end, &z) != 0)
				return -2;
			uint64_t d = (z >> 1) ^ (0 - (z & 1));
			prev += d;
			b->ts[i] = (int64_t)prev;
			if (b->ts[i] < b->ts_min)
				b->ts_min = b->ts[i];
			if (b->ts[i] > b->ts_max)
				b->ts_max = b->ts[i];
		}
	}
	if (status) {
		if (status_len != n)
			return -2;
		memcpy(b->status, status, n);
		b->errors = 0;
		for (size_t i = 0; i < n; i++)
			b->errors += b->status[i] != 0;
	}
	if (vals) {
		const unsigned char *p = vals, *end = p + vals_len;
		if (col_get(&p, end, n, b->pred, 1) != 0 ||
		    col_get(&p, end, n, b->score, 1) != 0 ||
		    col_get(&p, end, n, b->lat, 1) != 0 || p != end)
			return -2;
	}
	b->n = n;
	return 0;
}

/* ---- the id index ---- */

static inline uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
pl_pidx_hash(const char *id, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (len * 0x100000001b3ULL);
	const char *p = id;
	size_t n = len;

	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x87c37b91114253d5ULL;
		h = (h << 31) | (h >> 33);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * 0x4cf5ad432745937fULL;
	}
	h = mix(h);
	return h ? h : 1;
}

/* Slots for a table of cap entries.  Written (not calloc'ed) at once:
 * calloc maps the zero page and every first write to a page then takes
 * a second fault, which on a virtual machine cost more than filling the
 * table; and a large table asks for huge pages (fewer faults, fewer TLB
 * misses: the index is probed at random). */
static struct pl_pidx_slot *
slots_new(size_t cap)
{
	size_t bytes = cap * sizeof(struct pl_pidx_slot);
	void *p;

	if (bytes >= (4u << 20)) {
		if (posix_memalign(&p, 2u << 20, bytes) != 0)
			return NULL;
#ifdef MADV_HUGEPAGE
		madvise(p, bytes, MADV_HUGEPAGE);
#endif
	} else if ((p = malloc(bytes)) == NULL)
		return NULL;
	memset(p, 0, bytes);
	return p;
}

static int
grow(struct pl_pidx *x, size_t want)
{
	size_t cap = x->cap ? x->cap : 4096;

	while (want * 4 > cap * 3)
		cap *= 2;
	struct pl_pidx_slot *s = slots_new(cap);

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < x->cap; i++) {
		if (x->s[i].h == 0)
			continue;
		size_t j = (size_t)x->s[i].h & (cap - 1);
		while (s[j].h)
			j = (j + 1) & (cap - 1);
		s[j] = x->s[i];
	}
	free(x->s);
	x->s = s;
	x->cap = cap;
	return 0;
}

int
pl_pidx_reserve(struct pl_pidx *x, size_t n)
{
	return n * 4 > x->cap * 3 ? grow(x, n) : 0;
}

int
pl_pidx_add(struct pl_pidx *x, uint64_t h, uint32_t seq, uint32_t idx)
{
	if (seq > PL_PIDX_MAX_SEQ || idx >= PL_PBLOCK_RECORDS)
		return -1;
	if ((x->n + 1) * 4 > x->cap * 3 && grow(x, (x->n + 1) * 2) != 0)
		return -1;
	size_t j = (size_t)h & (x->cap - 1);
	while (x->s[j].h)
		j = (j + 1) & (x->cap - 1);
	x->s[j].h = h;
	x->s[j].loc = seq << 10 | idx;
	x->n++;
	return 0;
}

const struct pl_pidx_slot *
pl_pidx_next(const struct pl_pidx *x, uint64_t h, size_t *pos)
{
	if (x->cap == 0)
		return NULL;
	size_t j = *pos == (size_t)-1 ? (size_t)h & (x->cap - 1) :
	    (*pos + 1) & (x->cap - 1);
	for (; x->s[j].h; j = (j + 1) & (x->cap - 1))
		if (x->s[j].h == h) {
			*pos = j;
			return &x->s[j];
		}
	return NULL;
}

void
pl_pidx_free(struct pl_pidx *x)
{
	free(x->s);
	memset(x, 0, sizeof *x);
}
