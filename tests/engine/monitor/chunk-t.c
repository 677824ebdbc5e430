/* chunk-t.c - unit tests of the Gorilla chunk codec: round trips, edge values, resuming. */
#include "config.h"
#include "../testutil.h"

#include <math.h>

#include "monitor/chunk.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
same(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Encodes n points, decodes them, compares bit for bit. */
static void
roundtrip(const int64_t *t, const double *v, size_t n, int ncols)
{
	pl__chunkenc e;
	pl__chunkdec d;
	int64_t tt;
	double vv[PL_CHUNK_MAXCOLS];

	pl__chunkenc_init(&e, ncols);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pl__chunkenc_add(&e, t[i], v + i * ncols), 0);
	assert_int_equal(pl__chunkdec_init(&d, e.buf, pl__chunkenc_bytes(&e),
	    (uint32_t)n), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(pl__chunkdec_next(&d, &tt, vv), 1);
		assert_true(tt == t[i]);
		for (int c = 0; c < ncols; c++)
			assert_true(same(vv[c], v[i * ncols + c]));
	}
	assert_int_equal(pl__chunkdec_next(&d, &tt, vv), 0);
	pl__chunkenc_dispose(&e);
}

static void
test_regular(void **state)
{
	int64_t t[500];
	double v[500];

	(void)state;
	for (int i = 0; i < 500; i++) {
		t[i] = 1700000000000LL + i * 15000 + (int64_t)(next() % 40);
		v[i] = 1000 + i * 3;
	}
	roundtrip(t, v, 500, 1);
}

static void
test_edge_values(void **state)
{
	uint64_t stale = 0x7ff0000000000002ULL;
	double sv;
	int64_t t[12];
	double v[12] = { 0, -0.0, NAN, INFINITY, -INFINITY, 1e308, 5e-324,
	    0, 1, 1, 0.1, 0 };

	(void)state;
	memcpy(&sv, &stale, sizeof sv);
	v[7] = sv;
	/* every dod bucket, forward and backward steps included */
	int64_t gaps[12] = { 0, 1, 64, -63, 256, -255, 2048, -2047, 524288,
	    -524287, 99999999999LL, 3 };
	int64_t cur = -5000, delta = 1000;
	for (int i = 0; i < 12; i++) {
		delta += gaps[i];
		if (delta < 1)
			delta = 1;
		cur += delta;
		t[i] = cur;
	}
	roundtrip(t, v, 12, 1);
}

static void
test_random_bits(void **state)
{
	enum { N = 2000 };
	static int64_t t[N];
	static double v[N * 3];

	(void)state;
	int64_t cur = 0;
	for (int i = 0; i < N; i++) {
		cur += 1 + (int64_t)(next() % 100000);
		t[i] = cur;
		for (int c = 0; c < 3; c++) {
			uint64_t u = next();
			double x;

			memcpy(&x, &u, sizeof x);
			v[i * 3 + c] = (i % 7 == 0) ? x : (double)(next() % 5);
		}
	}
	roundtrip(t, v, N, 3);
}

static void
test_one_point_and_size(void **state)
{
	int64_t t = 42;
	double v = 3.5;
	pl__chunkenc e;

	(void)state;
	roundtrip(&t, &v, 1, 1);
	/* a constant series at a constant step costs ~2 bits a point */
	pl__chunkenc_init(&e, 1);
	for (int i = 0; i < 480; i++) {
		double c = 7;
		assert_int_equal(pl__chunkenc_add(&e, i * 15000LL, &c), 0);
	}
	assert_true(pl__chunkenc_bytes(&e) <= 142);
	pl__chunkenc_dispose(&e);
}

static void
test_resume(void **state)
{
	pl__chunkenc e, r;
	pl__chunkdec d;
	int64_t tt;
	double vv[2];

	(void)state;
	pl__chunkenc_init(&e, 2);
	for (int i = 0; i < 100; i++) {
		double v[2] = { i * 0.5, 100 - i };
		assert_int_equal(pl__chunkenc_add(&e, i * 1000LL + i % 3, v), 0);
	}
	assert_int_equal(pl__chunk_resume(&r, e.buf, pl__chunkenc_bytes(&e),
	    e.n), 0);
	assert_int_equal(r.n, 100);
	for (int i = 100; i < 200; i++) {
		double v[2] = { i * 0.5, 100 - i };
		assert_int_equal(pl__chunkenc_add(&e, i * 1000LL + i % 3, v), 0);
		assert_int_equal(pl__chunkenc_add(&r, i * 1000LL + i % 3, v), 0);
	}
	/* resuming is exact: the same bytes as never stopping */
	assert_int_equal(pl__chunkenc_bytes(&e), pl__chunkenc_bytes(&r));
	assert_memory_equal(e.buf, r.buf, pl__chunkenc_bytes(&e));
	assert_int_equal(pl__chunkdec_init(&d, r.buf, pl__chunkenc_bytes(&r),
	    r.n), 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(pl__chunkdec_next(&d, &tt, vv), 1);
		assert_true(tt == i * 1000LL + i % 3);
		assert_true(vv[0] == i * 0.5 && vv[1] == 100 - i);
	}
	pl__chunkenc_dispose(&e);
	pl__chunkenc_dispose(&r);
}

static void
test_damaged(void **state)
{
	pl__chunkenc e;
	pl__chunkdec d;
	int64_t tt;
	double vv;
	int r = 1;

	(void)state;
	pl__chunkenc_init(&e, 1);
	for (int i = 0; i < 50; i++) {
		double v = (double)(next() % 1000) / 7;
		assert_int_equal(pl__chunkenc_add(&e, i * 1000LL, &v), 0);
	}
	/* truncated: the decoder says so instead of reading past the end */
	assert_int_equal(pl__chunkdec_init(&d, e.buf, 20, e.n), 0);
	for (int i = 0; i < 50 && r == 1; i++)
		r = pl__chunkdec_next(&d, &tt, &vv);
	assert_int_equal(r, -1);
	/* bad header */
	e.buf[0] = 9;
	assert_int_equal(pl__chunkdec_init(&d, e.buf, pl__chunkenc_bytes(&e),
	    e.n), -1);
	pl__chunkenc_dispose(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),
		cmocka_unit_test(test_edge_values),
		cmocka_unit_test(test_random_bits),
		cmocka_unit_test(test_one_point_and_size),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
