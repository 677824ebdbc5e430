/* ingest-t.c - unit tests of the batched ingester: line splitting, records, errors, stats. */
#include "config.h"

#include <math.h>

#include "buf.h"
#include "tests/engine/testutil.h"

static void
feed_in_pieces(pl_ingest *in, const char *s, size_t piece)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += piece)
		assert_int_equal(pl_ingest_feed(in, s + i,
		    n - i < piece ? n - i : piece), PL_OK);
}

static void
test_records(void **state)
{
	char *dir, id[PL_ID_LEN + 1], err[256];
	pl_store *st = tu_store(&dir);
	pl_ingest *in;
	pl_ingest_stats s;
	pl_point *pts;
	pl_kvlist *kv;
	size_t n;
	const char *text =
	    "param lr 0.01\n"
	    "metric loss 0.5\n"
	    "metric loss 0.25\r\n"
	    "tag team a b\n"
	    "garbage here\n"
	    "metric acc 1 step=9\n"
	    "\n"
	    "# comment\n"
	    "metric loss 0.125";	/* no final newline */

	(void)state;
	assert_int_equal(pl_run_create(id, st, NULL), PL_OK);
	for (size_t piece = 1; piece <= 7; piece += 3) {
		pl_store *s2;
		char id2[PL_ID_LEN + 1];

		assert_int_equal(pl_store_open(&s2, pl_store_dir(st), 0), PL_OK);
		assert_int_equal(pl_run_create(id2, s2, NULL), PL_OK);
		pl_store_close(s2);
		assert_int_equal(pl_ingest_start(&in, pl_store_dir(st), id2, NULL,
		    err, sizeof err), PL_OK);
		feed_in_pieces(in, text, piece);
		assert_int_equal(pl_ingest_finish(in), PL_OK);
		pl_ingest_get_stats(in, &s);
		assert_int_equal(s.lines, 9);
		assert_int_equal(s.points, 4);
		assert_int_equal(s.params, 1);
		assert_int_equal(s.tags, 1);
		assert_int_equal(s.bad_lines, 1);
		assert_string_equal(s.errors[0], "line 5: column 1: unknown record "
		    "type 'garbage' (expected metric, param, tag or artifact)");
		assert_string_equal(s.errors[1], "");
		pl_ingest_free(in);
		assert_int_equal(pl_metric_series(&pts, &n, st, id2, "loss"), PL_OK);
		assert_int_equal(n, 3);
		assert_int_equal(pts[2].step, 2);
		assert_true(pts[2].value == 0.125);
		free(pts);
		assert_int_equal(pl_run_tags(&kv, st, id2), PL_OK);
		assert_string_equal(kv->items[0].value, "a b");
		pl_kvlist_free(kv);
	}
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_volume(void **state)
{
	char *dir, id[PL_ID_LEN + 1], err[256], line[96];
	pl_store *st = tu_store(&dir);
	struct buf b = BUF_INIT;
	pl_ingest *in;
	pl_ingest_stats s;
	pl_metric_summary *m;
	pl_point *pts;
	size_t n;
	const int N = 200000;

	(void)state;
	assert_int_equal(pl_run_create(id, st, NULL), PL_OK);
	assert_int_equal(pl_ingest_start(&in, pl_store_dir(st), id, NULL, err,
	    sizeof err), PL_OK);
	for (int i = 0; i < N; i++) {
		int k = snprintf(line, sizeof line, "metric k%d %d\n", i % 3, i);

		buf_add(&b, line, (size_t)k);
		if (b.len > 60000) {
			assert_int_equal(pl_ingest_feed(in, b.p, b.len), PL_OK);
			buf_clear(&b);
		}
	}
	assert_int_equal(pl_ingest_feed(in, b.p, b.len), PL_OK);
	assert_int_equal(pl_ingest_finish(in), PL_OK);
	pl_ingest_get_stats(in, &s);
	assert_int_equal(s.points, N);
	assert_true(s.transactions >= 1);
	pl_ingest_free(in);
	buf_free(&b);
	assert_int_equal(pl_metric_series(&pts, &n, st, id, "k1"), PL_OK);
	assert_int_equal(n, (N + 1) / 3);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(pts[i].step, (int64_t)i);
		assert_true(pts[i].value == (double)(3 * i + 1));
	}
	free(pts);
	assert_int_equal(pl_metric_summaries(&m, &n, st, id), PL_OK);
	assert_int_equal(n, 3);
	assert_true(m[0].last == (double)(N - 2));	/* k0: last i with i%3==0 */
	assert_int_equal(m[0].count, (N + 2) / 3);
	pl_metric_summary_free(m, n);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_long_line_and_errors(void **state)
{
	char *dir, id[PL_ID_LEN + 1], err[256];
	pl_store *st = tu_store(&dir);
	pl_ingest *in;
	pl_ingest_stats s;
	char *big = malloc(3 << 20);

	(void)state;
	assert_int_equal(pl_run_create(id, st, NULL), PL_OK);
	assert_int_equal(pl_ingest_start(&in, pl_store_dir(st), id, NULL, err,
	    sizeof err), PL_OK);
	memset(big, 'x', 3 << 20);
	/* a 3 MiB line without newline, fed in pieces, then a good line */
	for (int i = 0; i < 3; i++)
		assert_int_equal(pl_ingest_feed(in, big, 1 << 20), PL_OK);
	assert_int_equal(pl_ingest_feed(in, "\nmetric ok 1\n", 13), PL_OK);
	for (int i = 0; i < 10; i++)
		assert_int_equal(pl_ingest_feed(in, "bad\n", 4), PL_OK);
	assert_int_equal(pl_ingest_finish(in), PL_OK);
	pl_ingest_get_stats(in, &s);
	assert_int_equal(s.bad_lines, 11);
	assert_int_equal(s.points, 1);
	assert_string_equal(s.errors[0], "line 1: line longer than 1 MiB");
	assert_string_not_equal(s.errors[PL_INGEST_MAX_ERRORS - 1], "");
	pl_ingest_free(in);
	free(big);
	/* a run that does not exist: the writer reports it */
	assert_int_equal(pl_ingest_start(&in, pl_store_dir(st),
	    "ffffffffffffffffffffffffffffffff", NULL, err, sizeof err), PL_OK);
	pl_ingest_feed(in, "metric a 1\n", 11);
	assert_int_not_equal(pl_ingest_finish(in), PL_OK);
	assert_non_null(strstr(pl_ingest_errmsg(in), "no run"));
	pl_ingest_free(in);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_volume),
		cmocka_unit_test(test_long_line_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
