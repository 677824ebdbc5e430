/* predblock-t.c - unit tests of prediction blocks: column encoding round trips bit for bit, and the id index keeps every entry of a hash. */
#include "config.h"

#include <math.h>

#include "tests/engine/testutil.h"

#include "monitor/predblock.h"

static uint64_t x = 0x2545F4914F6CDD1Dull;

static uint64_t
rnd(void)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static int
same(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* Fills a head block, encodes, decodes: every value comes back with its
 * bits (NaN as a NaN), whatever the column holds: decimals ("%.6f"),
 * integers, -0.0, infinities, raw doubles, big values, NaN. */
static void
test_round_trip(void **state)
{
	struct pl_pblock b = { 0 }, d = { 0 };
	struct buf e[5] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	enum { NF = 7 };
	double want[PL_PBLOCK_RECORDS][NF];
	int64_t ts[PL_PBLOCK_RECORDS];

	(void)state;
	assert_int_equal(pl_pblock_reset(&b, 42, NF), 0);
	for (int i = 0; i < PL_PBLOCK_RECORDS; i++) {
		char id[32], t[40];
		double *f = want[i];
		snprintf(t, sizeof t, "%.6f", (double)(int64_t)rnd() / 1e13);
		f[0] = strtod(t, NULL);			/* decimals */
		f[1] = (double)(int)(rnd() % 5);	/* small integers */
		f[2] = (double)(int64_t)rnd() / 3.0;	/* raw */
		f[3] = i % 3 ? NAN : 1.5;		/* mostly missing */
		f[4] = i == 7 ? -0.0 : 0.25;		/* -0.0 forces raw */
		f[5] = i == 9 ? INFINITY : 1e-9 * (i % 13);
		f[6] = 123456789.123456789;		/* too many digits */
		ts[i] = i == 5 ? INT64_MIN + 3 : i == 6 ? INT64_MAX - 1 :
		    1796400000000LL + (int64_t)(rnd() % 100000) - 50000;
		snprintf(id, sizeof id, "id-%d-%llu", i, (unsigned long long)(rnd() % 1000));
		/* the last record has fewer features: padded with NaN */
		size_t nf = i == PL_PBLOCK_RECORDS - 1 ? 2 : NF;
		if (nf == 2)
			for (int k = 2; k < NF; k++)
				want[i][k] = NAN;
		assert_int_equal(pl_pblock_add(&b, id, strlen(id), ts[i], i % 4 == 0,
		    f[0], i % 2 ? NAN : f[2], f[5], f, nf), 0);
	}
	/* full */
	assert_int_equal(pl_pblock_add(&b, "x", 1, 0, 0, 0, 0, 0, NULL, 0), -1);
	assert_int_equal(pl_pblock_encode(&b, &e[0], &e[1], &e[2], &e[3], &e[4]), 0);
	/* decimals take fewer bytes than float64 */
	assert_true(e[3].len < 3 * 8 * PL_PBLOCK_RECORDS);
	assert_int_equal(pl_pblock_decode(&d, 42, b.n, e[0].p, e[0].len, e[1].p,
	    e[1].len, e[2].p, e[2].len, e[3].p, e[3].len), 0);
	double col[PL_PBLOCK_RECORDS];
	for (int k = 0; k < NF; k++) {
		assert_int_equal(pl_pblock_feature(e[4].p, e[4].len, b.n, NF, k,
		    col), 0);
		for (int i = 0; i < PL_PBLOCK_RECORDS; i++)
			if (!same(col[i], want[i][k]))
				fail_msg("feature %d record %d: %a, want %a", k, i,
				    col[i], want[i][k]);
	}
	for (int i = 0; i < PL_PBLOCK_RECORDS; i++) {
		assert_int_equal(pl_pblock_idlen(&d, i), pl_pblock_idlen(&b, i));
		assert_memory_equal(pl_pblock_id(&d, i), pl_pblock_id(&b, i),
		    pl_pblock_idlen(&b, i));
		assert_true(d.ts[i] == ts[i]);
		assert_int_equal(d.status[i], i % 4 == 0);
		assert_true(same(d.pred[i], want[i][0]));
		assert_true(same(d.score[i], i % 2 ? NAN : want[i][2]));
		assert_true(same(d.lat[i], want[i][5]));
	}
	assert_true(d.ts_min == INT64_MIN + 3 && d.ts_max == INT64_MAX - 1);
	assert_int_equal(d.errors, PL_PBLOCK_RECORDS / 4);
	/* truncated blobs are corrupt, not read past their end */
	assert_int_equal(pl_pblock_decode(&d, 42, b.n, e[0].p, e[0].len - 1,
	    NULL, 0, NULL, 0, NULL, 0), -2);
	assert_int_equal(pl_pblock_decode(&d, 42, b.n, NULL, 0, NULL, 0, NULL, 0,
	    e[3].p, e[3].len - 1), -2);
	assert_int_equal(pl_pblock_feature(e[4].p, e[4].len - 1, b.n, NF, NF - 1,
	    col), -2);
	assert_int_equal(pl_pblock_feature(e[4].p, e[4].len, b.n, NF, NF, col), -2);
	pl_pblock_free(&b);
	pl_pblock_free(&d);
	for (int k = 0; k < 5; k++)
		buf_free(&e[k]);
}

/* Entries with one hash are all found (the caller checks the ids), and
 * the table keeps everything through growth. */
static void
test_index(void **state)
{
	struct pl_pidx ix = { 0 };
	const struct pl_pidx_slot *sl;
	size_t pos;

	(void)state;
	assert_true(pl_pidx_hash("a", 1) != pl_pidx_hash("b", 1));
	assert_true(pl_pidx_hash("abcdefgh1", 9) != pl_pidx_hash("abcdefgh2", 9));
	assert_true(pl_pidx_hash("", 0) != 0);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(pl_pidx_add(&ix, 77, i, i * 10), 0);
	for (uint32_t i = 0; i < 200000; i++) {
		char id[16];
		snprintf(id, sizeof id, "r-%u", i);
		assert_int_equal(pl_pidx_add(&ix, pl_pidx_hash(id, strlen(id)),
		    i / 1024, i % 1024), 0);
	}
	int seen = 0;
	pos = (size_t)-1;
	while ((sl = pl_pidx_next(&ix, 77, &pos)) != NULL) {
		assert_int_equal(pl_pidx_idx(sl), pl_pidx_seq(sl) * 10);
		seen |= 1 << pl_pidx_seq(sl);
	}
	assert_int_equal(seen, 7);
	for (uint32_t i = 0; i < 200000; i += 997) {
		char id[16];
		int found = 0;
		snprintf(id, sizeof id, "r-%u", i);
		pos = (size_t)-1;
		while ((sl = pl_pidx_next(&ix, pl_pidx_hash(id, strlen(id)), &pos)))
			found |= pl_pidx_seq(sl) == i / 1024 &&
				    pl_pidx_idx(sl) == i % 1024;
		assert_true(found);
	}
	pos = (size_t)-1;
	assert_null(pl_pidx_next(&ix, 78, &pos));
	/* the largest block number a slot holds, and one past it */
	assert_int_equal(pl_pidx_add(&ix, 79, PL_PIDX_MAX_SEQ, 1023), 0);
	pos = (size_t)-1;
	sl = pl_pidx_next(&ix, 79, &pos);
	assert_true(sl && pl_pidx_seq(sl) == PL_PIDX_MAX_SEQ && pl_pidx_idx(sl) == 1023);
	assert_int_equal(pl_pidx_add(&ix, 80, PL_PIDX_MAX_SEQ + 1, 0), -1);
	pl_pidx_free(&ix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
