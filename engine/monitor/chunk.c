/* chunk.c - Gorilla-style compressed sample chunks (format in chunk.h). */
#include "config.h"
#include "monitor/chunk.h"

#include <stdlib.h>
#include <string.h>

#define HDR_BITS 16		/* version byte + ncols byte */
#define CHUNK_VERSION 1

static uint64_t
d2u(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof u);
	return u;
}

static double
u2d(uint64_t u)
{
	double v;

	memcpy(&v, &u, sizeof v);
	return v;
}

/* ---- bit writer ---- */

static int
grow(pl__chunkenc *e, size_t need_bits)
{
	size_t need = (e->bits + need_bits + 7) / 8 + 8;

	if (need <= e->cap)
		return 0;
	size_t cap = e->cap ? e->cap : 64;
	while (cap < need)
		cap *= 2;
	unsigned char *b = realloc(e->buf, cap);
	if (b == NULL)
		return -1;
	memset(b + e->cap, 0, cap - e->cap);
	e->buf = b;
	e->cap = cap;
	return 0;
}

/* Writes the low nbits of x, most significant first (nbits <= 64). */
static void
put(pl__chunkenc *e, uint64_t x, int nbits)
{
	while (nbits > 0) {
		size_t byte = e->bits / 8;
		int free_bits = 8 - (int)(e->bits % 8);
		int take = nbits < free_bits ? nbits : free_bits;
		uint64_t part = (x >> (nbits - take)) & ((1u << take) - 1);

		e->buf[byte] |= (unsigned char)(part << (free_bits - take));
		e->bits += (size_t)take;
		nbits -= take;
	}
}

static void
put_dod(pl__chunkenc *e, int64_t dod)
{
	if (dod == 0) {
		put(e, 0, 1);
	} else if (dod >= -63 && dod <= 64) {
		put(e, 2, 2);
		put(e, (uint64_t)dod, 7);
	} else if (dod >= -255 && dod <= 256) {
		put(e, 6, 3);
		put(e, (uint64_t)dod, 9);
	} else if (dod >= -2047 && dod <= 2048) {
		put(e, 14, 4);
		put(e, (uint64_t)dod, 12);
	} else if (dod >= -524287 && dod <= 524288) {
		put(e, 30, 5);
		put(e, (uint64_t)dod, 20);
	} else {
		put(e, 31, 5);
		put(e, (uint64_t)dod, 64);
	}
}

static void
put_xor(pl__chunkenc *e, struct pl__colstate *c, uint64_t v)
{
	uint64_t x = v ^ c->prev;

	c->prev = v;
	if (x == 0) {
		put(e, 0, 1);
		return;
	}
	int lead = __builtin_clzll(x), trail = __builtin_ctzll(x);

	if (lead > 31)
		lead = 31;
	if (c->lead >= 0 && lead >= c->lead && trail >= c->trail) {
		int sig = 64 - c->lead - c->trail;

		put(e, 2, 2);
		put(e, x >> c->trail, sig);
		return;
	}
	int sig = 64 - lead - trail;

	put(e, 3, 2);
	put(e, (uint64_t)lead, 5);
	put(e, (uint64_t)(sig & 63), 6);
	put(e, x >> trail, sig);
	c->lead = lead;
	c->trail = trail;
}

void
pl__chunkenc_init(pl__chunkenc *e, int ncols)
{
	memset(e, 0, sizeof *e);
	e->ncols = ncols;
	for (int i = 0; i < PL_CHUNK_MAXCOLS; i++)
		e->col[i].lead = -1;
}

void
pl__chunkenc_dispose(pl__chunkenc *e)
{
	free(e->buf);
	e->buf = NULL;
	e->cap = 0;
}

int
pl__chunkenc_add(pl__chunkenc *e, int64_t t, const double *v)
{
	/* worst case: 69 bits of time + 77 per column */
	if (grow(e, HDR_BITS + 69 + 77 * (size_t)e->ncols) < 0)
		return -1;
	if (e->bits == 0) {
		put(e, CHUNK_VERSION, 8);
		put(e, (uint64_t)e->ncols, 8);
	}
	if (e->n == 0) {
		put(e, (uint64_t)t, 64);
		for (int i = 0; i < e->ncols; i++) {
			e->col[i].prev = d2u(v[i]);
			put(e, e->col[i].prev, 64);
		}
		e->t_first = t;
	} else {
		int64_t delta = t - e->t_prev;

		put_dod(e, delta - (e->n == 1 ? 0 : e->delta_prev));
		e->delta_prev = delta;
		for (int i = 0; i < e->ncols; i++)
			put_xor(e, &e->col[i], d2u(v[i]));
	}
	e->t_prev = t;
	e->n++;
	return 0;
}

/* ---- bit reader ---- */

static int
get(pl__chunkdec *d, int nbits, uint64_t *out)
{
	uint64_t x = 0;

	if (d->pos + (size_t)nbits > d->len * 8)
		return -1;
	while (nbits > 0) {
		size_t byte = d->pos / 8;
		int avail = 8 - (int)(d->pos % 8);
		int take = nbits < avail ? nbits : avail;
		unsigned bitsv = (d->buf[byte] >> (avail - take)) &
		    ((1u << take) - 1);

		x = (x << take) | bitsv;
		d->pos += (size_t)take;
		nbits -= take;
	}
	*out = x;
	return 0;
}

static int64_t
sext(uint64_t x, int nbits)
{
	/* The encoder wrote a two's-complement value in nbits; a value of
	 * the positive end of the range (64, 256, ...) comes back as the
	 * negative one and is corrected here. */
	uint64_t m = 1ull << (nbits - 1);
	int64_t v = (int64_t)((x ^ m) - m);

	if (v == -(int64_t)m)
		v = (int64_t)m;
	return v;
}

static int
get_dod(pl__chunkdec *d, int64_t *out)
{
	uint64_t b, x;
	int ones = 0;

	while (ones < 5) {
		if (get(d, 1, &b) < 0)
			return -1;
		if (b == 0)
			break;
		ones++;
	}
	static const int width[] = { 0, 7, 9, 12, 20, 64 };
	if (ones == 0) {
		*out = 0;
		return 0;
	}
	if (get(d, width[ones], &x) < 0)
		return -1;
	*out = ones == 5 ? (int64_t)x : sext(x, width[ones]);
	return 0;
}

static int
get_xor(pl__chunkdec *d, struct pl__colstate *c)
{
	uint64_t b, x, lead, sig;

	if (get(d, 1, &b) < 0)
		return -1;
	if (b == 0)
		return 0;
	if (get(d, 1, &b) < 0)
		return -1;
	if (b == 0) {
		if (c->lead < 0)
			return -1;
		int s = 64 - c->lead - c->trail;
		if (get(d, s, &x) < 0)
			return -1;
		c->prev ^= x << c->trail;
		return 0;
	}
	if (get(d, 5, &lead) < 0 || get(d, 6, &sig) < 0)
		return -1;
	if (sig == 0)
		sig = 64;
	if (lead + sig > 64)
		return -1;
	if (get(d, (int)sig, &x) < 0)
		return -1;
	c->lead = (int)lead;
	c->trail = (int)(64 - lead - sig);
	c->prev ^= c->trail == 64 ? 0 : x << c->trail;
	return 0;
}

int
pl__chunkdec_init(pl__chunkdec *d, const unsigned char *blob, size_t len,
    uint32_t n)
{
	memset(d, 0, sizeof *d);
	d->buf = blob;
	d->len = len;
	d->n = n;
	for (int i = 0; i < PL_CHUNK_MAXCOLS; i++)
		d->col[i].lead = -1;
	if (n == 0)
		return 0;
	if (len < 2 || blob[0] != CHUNK_VERSION || blob[1] < 1 ||
	    blob[1] > PL_CHUNK_MAXCOLS)
		return -1;
	d->ncols = blob[1];
	d->pos = HDR_BITS;
	return 0;
}

int
pl__chunkdec_next(pl__chunkdec *d, int64_t *t, double *v)
{
	uint64_t x;

	if (d->i >= d->n)
		return 0;
	if (d->i == 0) {
		if (get(d, 64, &x) < 0)
			return -1;
		d->t = (int64_t)x;
		for (int i = 0; i < d->ncols; i++) {
			if (get(d, 64, &d->col[i].prev) < 0)
				return -1;
		}
	} else {
		int64_t dod;

		if (get_dod(d, &dod) < 0)
			return -1;
		d->delta = (d->i == 1 ? 0 : d->delta) + dod;
		d->t += d->delta;
		for (int i = 0; i < d->ncols; i++)
			if (get_xor(d, &d->col[i]) < 0)
				return -1;
	}
	d->i++;
	*t = d->t;
	for (int i = 0; i < d->ncols; i++)
		v[i] = u2d(d->col[i].prev);
	return 1;
}

int
pl__chunk_resume(pl__chunkenc *e, const unsigned char *blob, size_t len,
    uint32_t n)
{
	pl__chunkdec d;
	int64_t t;
	double v[PL_CHUNK_MAXCOLS];
	int r;

	if (pl__chunkdec_init(&d, blob, len, n) < 0 || n == 0)
		return -1;
	while ((r = pl__chunkdec_next(&d, &t, v)) == 1)
		;
	if (r < 0)
		return -1;
	pl__chunkenc_init(e, d.ncols);
	e->cap = len + 64;
	if ((e->buf = calloc(1, e->cap)) == NULL)
		return -1;
	memcpy(e->buf, blob, len);
	/* Clear any bits past the stream's end in the last byte: put()
	 * ORs into the buffer. */
	if (d.pos % 8)
		e->buf[d.pos / 8] &= (unsigned char)(0xff << (8 - d.pos % 8));
	memset(e->buf + (d.pos + 7) / 8, 0, e->cap - (d.pos + 7) / 8);
	e->bits = d.pos;
	e->n = n;
	e->t_prev = d.t;
	e->delta_prev = d.delta;
	/* t_first is not needed to append; read it back for completeness */
	{
		pl__chunkdec d0;
		if (pl__chunkdec_init(&d0, blob, len, n) == 0 &&
		    pl__chunkdec_next(&d0, &t, v) == 1)
			e->t_first = t;
	}
	memcpy(e->col, d.col, sizeof e->col);
	return 0;
}
