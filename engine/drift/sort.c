/* sort.c - LSD radix sort of doubles: each drift column is sorted once and reused by every test. */
#include "config.h"
#include "drift/stats.h"

#include <stdint.h>
#include <string.h>

/*
 * Map IEEE-754 bits to unsigned keys whose integer order is the numeric
 * order: negative numbers have all bits flipped, non-negative numbers
 * get the sign bit set.  (-0.0 then sorts just below +0.0.)
 */
static inline uint64_t
key_of(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	return (u >> 63) ? ~u : (u | (UINT64_C(1) << 63));
}

static inline double
double_of(uint64_t k)
{
	uint64_t u = (k >> 63) ? (k & ~(UINT64_C(1) << 63)) : ~k;
	double d;

	memcpy(&d, &u, sizeof d);
	return d;
}

/* Keys live in the doubles' own memory; memcpy keeps that aliasing-safe
 * (compilers turn it into plain 8-byte moves). */
static inline uint64_t
ldk(const void *base, size_t i)
{
	uint64_t k;

	memcpy(&k, (const char *)base + 8 * i, sizeof k);
	return k;
}

static inline void
stk(void *base, size_t i, uint64_t k)
{
	memcpy((char *)base + 8 * i, &k, sizeof k);
}

/*
 * Six passes of 11 bits (the last one 9), least significant first: 2048
 * counters per pass fit in L1/L2, and six passes beat eight byte passes on
 * random doubles.  One read of the data builds all six histograms, and a
 * pass whose digit is the same for every key is skipped (the high bits of
 * real data often are).
 */
#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)
#define NPASS 6

void
pl_drift_sort(double *x, size_t n, double *tmp)
{
	uint32_t (*hist)[RADIX];
	static _Thread_local uint32_t hbuf[NPASS][RADIX];
	void *src, *dst;

	if (n < 2)
		return;
	if (n <= 64) {		/* insertion sort */
		for (size_t i = 1; i < n; i++) {
			double v = x[i];
			size_t j = i;
			while (j > 0 && x[j - 1] > v) {
				x[j] = x[j - 1];
				j--;
			}
			x[j] = v;
		}
		return;
	}
	if (n > UINT32_MAX) {	/* counters are 32-bit: fall back per half */
		size_t h = n / 2;
		pl_drift_sort(x, h, tmp);
		pl_drift_sort(x + h, n - h, tmp);
		/* merge the two sorted halves through tmp */
		size_t i = 0, j = h, k = 0;
		while (i < h && j < n)
			tmp[k++] = x[j] < x[i] ? x[j++] : x[i++];
		while (i < h)
			tmp[k++] = x[i++];
		while (j < n)
			tmp[k++] = x[j++];
		memcpy(x, tmp, n * sizeof *x);
		return;
	}
	hist = hbuf;
	memset(hbuf, 0, sizeof hbuf);
	src = x;
	dst = tmp;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_of(x[i]);
		stk(src, i, k);
		for (int p = 0; p < NPASS; p++)
			hist[p][(k >> (RADIX_BITS * p)) & (RADIX - 1)]++;
	}
	for (int p = 0; p < NPASS; p++) {
		uint32_t sum = 0;
		int trivial = 0;
		unsigned shift = RADIX_BITS * (unsigned)p;

		for (unsigned d = 0; d < RADIX; d++) {
			if (hist[p][d] == n) {
				trivial = 1;
				break;
			}
			uint32_t c = hist[p][d];
			hist[p][d] = sum;
			sum += c;
		}
		if (trivial)
			continue;
		for (size_t i = 0; i < n; i++) {
			uint64_t k = ldk(src, i);
			stk(dst, hist[p][(k >> shift) & (RADIX - 1)]++, k);
		}
		void *t = src;
		src = dst;
		dst = t;
	}
	if (src != (void *)x)
		memcpy(x, src, n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = double_of(ldk(x, i));
}
