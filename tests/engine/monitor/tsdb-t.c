/* tsdb-t.c - unit tests of the series store: append/flush/read, selectors, restart, aggregates, retention. */
#include "config.h"
#include "../testutil.h"

#include <math.h>
#include <sqlite3.h>

#include "store/schema.h"

#define T0 1767225600000LL	/* 2026-01-01T00:00:00Z */

static void
test_append_read(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_label l[] = { { "job", "api" }, { "instance", "a:1" } };
	pl_ts_sample *s;
	size_t n;
	pl_ts_set *set;
	pl_matcher m[] = { { "__name__", PL_MATCH_EQ, "http_requests_total" } };
	pl_ts_writer_stats ws;

	(void)state;
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(pl_ts_append(w, "http_requests_total", l, 2,
		    T0 + i * 15000LL, i * 2.0), PL_OK);
	/* nothing visible before the flush */
	assert_int_equal(pl_ts_select(&set, st, m, 1), PL_OK);
	assert_int_equal(set->n, 0);
	pl_ts_set_free(set);
	assert_int_equal(pl_ts_flush(w), PL_OK);
	/* out of order and duplicate times are dropped and counted */
	assert_int_equal(pl_ts_append(w, "http_requests_total", l, 2,
	    T0 + 15000, 5), PL_OK);
	pl_ts_writer_stats_get(&ws, w);
	assert_int_equal(ws.out_of_order, 1);
	assert_int_equal(ws.appended, 1000);
	assert_int_equal(pl_ts_select(&set, st, m, 1), PL_OK);
	assert_int_equal(set->n, 1);
	assert_string_equal(pl_ts_label(&set->v[0], "job"), "api");
	assert_string_equal(set->v[0].labels[0].name, "instance");
	assert_int_equal(pl_ts_read(&s, &n, st, set->v[0].id, T0 + 15000 * 10,
	    T0 + 15000 * 19), PL_OK);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < n; i++) {
		assert_true(s[i].t == T0 + (int64_t)(10 + i) * 15000);
		assert_true(s[i].v == (10 + i) * 2.0);
	}
	free(s);
	/* whole range crosses 2-hour blocks */
	assert_int_equal(pl_ts_read(&s, &n, st, set->v[0].id, 0, INT64_MAX),
	    PL_OK);
	assert_int_equal(n, 1000);
	free(s);
	{
		pl_ts_sample last;
		assert_int_equal(pl_ts_last(&last, st, set->v[0].id), PL_OK);
		assert_true(last.t == T0 + 999 * 15000LL && last.v == 1998);
	}
	pl_ts_set_free(set);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_bad_names(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_label bad[] = { { "9x", "v" } }, dup[] = { { "a", "1" }, { "a", "2" } };
	pl_label res[] = { { "__x", "v" } };

	(void)state;
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	assert_int_equal(pl_ts_append(w, "bad name", NULL, 0, 1, 1), PL_EINVAL);
	assert_int_equal(pl_ts_append(w, "ok", bad, 1, 1, 1), PL_EINVAL);
	assert_int_equal(pl_ts_append(w, "ok", dup, 2, 1, 1), PL_EINVAL);
	assert_non_null(strstr(pl_ts_writer_errmsg(w), "twice"));
	assert_int_equal(pl_ts_append(w, "ok", res, 1, 1, 1), PL_EINVAL);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
add3(pl_ts_writer *w, const char *name, const char *job, const char *code,
    int64_t t, double v)
{
	pl_label l[] = { { "job", job }, { "code", code } };
	assert_int_equal(pl_ts_append(w, name, l, 2, t, v), PL_OK);
}

static size_t
nsel(pl_store *st, const char *sel)
{
	pl_matcher *m;
	size_t nm, off, n;
	char err[200];
	pl_ts_set *set;

	assert_int_equal(pl_ts_selector_parse(&m, &nm, sel, err, sizeof err,
	    &off), PL_OK);
	assert_int_equal(pl_ts_select(&set, st, m, nm), PL_OK);
	n = set->n;
	pl_ts_set_free(set);
	free(m);
	return n;
}

static void
test_selectors(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_matcher *m;
	size_t nm, off;
	char err[200];

	(void)state;
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	add3(w, "req_total", "api", "200", T0, 1);
	add3(w, "req_total", "api", "500", T0, 1);
	add3(w, "req_total", "web", "200", T0, 1);
	add3(w, "req_total", "web", "", T0, 1);	/* empty = absent */
	add3(w, "up", "api", "", T0, 1);
	assert_int_equal(pl_ts_flush(w), PL_OK);
	assert_int_equal(nsel(st, "req_total"), 4);
	assert_int_equal(nsel(st, "req_total{job=\"api\"}"), 2);
	assert_int_equal(nsel(st, "req_total{job!=\"api\"}"), 2);
	assert_int_equal(nsel(st, "req_total{code=~\"5..\"}"), 1);
	assert_int_equal(nsel(st, "req_total{code=~\"5\"}"), 0); /* anchored */
	assert_int_equal(nsel(st, "req_total{code!~\"2.*\"}"), 2);
	assert_int_equal(nsel(st, "req_total{code=\"\"}"), 1);
	assert_int_equal(nsel(st, "{job='api'}"), 3);
	assert_int_equal(nsel(st, "{__name__=~\"req.*|up\",}"), 5);
	assert_int_equal(nsel(st, "{}"), 5);
	assert_int_equal(nsel(st, "nothing"), 0);
	/* syntax errors carry an offset */
	assert_int_equal(pl_ts_selector_parse(&m, &nm, "up{job=api}", err,
	    sizeof err, &off), PL_EINVAL);
	assert_int_equal(off, 7);
	assert_int_equal(pl_ts_selector_parse(&m, &nm, "up{job=\"a\"", err,
	    sizeof err, &off), PL_EINVAL);
	assert_int_equal(pl_ts_selector_parse(&m, &nm, "up{job<\"a\"}", err,
	    sizeof err, &off), PL_EINVAL);
	/* a bad regex is an error from select, with the message */
	assert_int_equal(pl_ts_selector_parse(&m, &nm, "up{job=~\"(\"}", err,
	    sizeof err, &off), PL_OK);
	{
		pl_ts_set *set;
		assert_int_equal(pl_ts_select(&set, st, m, nm), PL_EINVAL);
		assert_non_null(strstr(pl_store_errmsg(st), "bad regex"));
	}
	free(m);
	/* sorted by name, then labels */
	{
		pl_ts_set *set;
		assert_int_equal(pl_ts_select(&set, st, NULL, 0), PL_OK);
		assert_string_equal(set->v[0].name, "req_total");
		assert_string_equal(pl_ts_label(&set->v[0], "code"), "200");
		assert_string_equal(set->v[4].name, "up");
		pl_ts_set_free(set);
	}
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* A restarted writer continues the head chunk and partial buckets as if
 * it had never stopped. */
static void
test_restart(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_label l[] = { { "t", "x" } };
	pl_ts_set *set;
	pl_ts_sample *s;
	pl_ts_agg *a;
	size_t n;
	int64_t res;
	char *sd;

	(void)state;
	assert_true(asprintf(&sd, "%s/.plumb", dir) > 0);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
		for (int i = round * 300; i < (round + 1) * 300; i++)
			assert_int_equal(pl_ts_append(w, "c_total", l, 1,
			    T0 + i * 15000LL, i), PL_OK);
		assert_int_equal(pl_ts_writer_close(w), PL_OK);
		pl_store_close(st);
		assert_int_equal(pl_store_open(&st, sd, 0), PL_OK);
	}
	assert_int_equal(pl_ts_select(&set, st, NULL, 0), PL_OK);
	assert_int_equal(set->n, 1);
	assert_int_equal(pl_ts_read(&s, &n, st, set->v[0].id, 0, INT64_MAX),
	    PL_OK);
	assert_int_equal(n, 900);
	for (size_t i = 0; i < n; i++)
		assert_true(s[i].v == (double)i);
	free(s);
	/* 5-minute buckets: 20 samples each, increase 20 (first: 19) */
	assert_int_equal(pl_ts_read_agg(&a, &n, &res, st, set->v[0].id, T0,
	    T0 + 900 * 15000LL, 300000), PL_OK);
	assert_int_equal(res, PL_TS_RES_5M);
	assert_int_equal(n, 45);
	for (size_t i = 0; i < n; i++) {
		assert_true(a[i].t == T0 + (int64_t)i * 300000);
		assert_int_equal(a[i].count, 20);
		assert_true(a[i].min == i * 20.0 && a[i].max == i * 20.0 + 19);
		assert_true(a[i].last == i * 20.0 + 19);
		assert_true(a[i].inc == (i == 0 ? 19 : 20));
	}
	free(a);
	pl_ts_set_free(set);
	pl_store_close(st);
	free(sd);
	tu_rmrf(dir);
	free(dir);
}

/* A store of schema 12 (one WITHOUT ROWID ts_chunks holding the heads
 * too) migrates to 13: every sample still reads back, the last block of
 * each series moves to ts_heads, and a writer resumes from it and seals
 * it into ts_chunks once a later block starts. */
static void
test_migration_13(void **state)
{
	char *dir, *sd, *db;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_label l[] = { { "t", "x" } };
	pl_ts_set *set;
	pl_ts_sample *s;
	pl_ts_agg *a;
	pl_ts_usage u;
	size_t n;
	int64_t res;
	sqlite3 *h;
	sqlite3_stmt *q;

	(void)state;
	assert_true(asprintf(&sd, "%s/.plumb", dir) > 0);
	assert_true(asprintf(&db, "%s/plumb.db", sd) > 0);
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	for (int i = 0; i < 1000; i++)	/* 3 raw blocks, 4 h 10 min */
		assert_int_equal(pl_ts_append(w, "c_total", l, 1,
		    T0 + i * 15000LL, i), PL_OK);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	pl_store_close(st);
	/* back to the layout of 6..10 */
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
	    "CREATE TABLE old(series_id INTEGER NOT NULL, res INTEGER NOT NULL,"
	    " block INTEGER NOT NULL, n INTEGER NOT NULL CHECK(n > 0),"
	    " t_min INTEGER NOT NULL, t_max INTEGER NOT NULL,"
	    " data BLOB NOT NULL, PRIMARY KEY(series_id, res, block))"
	    " STRICT, WITHOUT ROWID;"
	    "INSERT INTO old SELECT series_id, res, block, n, t_min, t_max,"
	    " substr(p.data, off + 1, len) FROM ts_chunks c"
	    " JOIN ts_packs p ON p.id = c.pack"
	    " UNION ALL SELECT series_id, res, block, n, t_min,"
	    " t_max, data FROM ts_heads;"
	    "DROP TABLE ts_heads; DROP TABLE ts_chunks; DROP TABLE ts_packs;"
	    "ALTER TABLE old RENAME TO ts_chunks;"
	    "CREATE INDEX ts_chunks_age ON ts_chunks(res, t_max);",
	    NULL, NULL, NULL), SQLITE_OK);
	/* migration 13 itself, on that layout (rewinding user_version would
	 * replay the later migrations too, which are not idempotent) */
	assert_int_equal(sqlite3_exec(h, pl__schema_migration(13), NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(pl_store_open(&st, sd, 0), PL_OK);
	assert_int_equal(pl_store_schema_version(st), pl_store_schema_latest());
	assert_int_equal(pl_ts_usage_get(&u, st), PL_OK);
	assert_int_equal(u.samples, 1000);
	assert_int_equal(u.chunks, 5);	/* 3 raw, one 5m, one 1h */
	assert_int_equal(pl_ts_select(&set, st, NULL, 0), PL_OK);
	assert_int_equal(set->n, 1);
	assert_int_equal(pl_ts_read(&s, &n, st, set->v[0].id, 0, INT64_MAX),
	    PL_OK);
	assert_int_equal(n, 1000);
	for (size_t i = 0; i < n; i++)
		assert_true(s[i].v == (double)i);
	free(s);
	/* the writer resumes the head of the third block, then seals it */
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	for (int i = 1000; i < 1500; i++)
		assert_int_equal(pl_ts_append(w, "c_total", l, 1,
		    T0 + i * 15000LL, i), PL_OK);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	assert_int_equal(pl_ts_read(&s, &n, st, set->v[0].id, 0, INT64_MAX),
	    PL_OK);
	assert_int_equal(n, 1500);
	for (size_t i = 0; i < n; i++)
		assert_true(s[i].v == (double)i &&
		    s[i].t == T0 + (int64_t)i * 15000);
	free(s);
	assert_int_equal(pl_ts_read_agg(&a, &n, &res, st, set->v[0].id, T0,
	    T0 + 1500 * 15000LL - 1, 300000), PL_OK);
	assert_int_equal(n, 75);
	for (size_t i = 0; i < n; i++)
		assert_true(a[i].count == 20 && a[i].last == i * 20.0 + 19);
	free(a);
	/* sealed blocks 0..3 in ts_chunks, one head per resolution */
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT (SELECT count(*) FROM "
	    "ts_chunks WHERE res = 0), (SELECT count(*) FROM ts_heads), "
	    "(SELECT sum(n) FROM ts_heads WHERE res = 0)", -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 3);
	assert_int_equal(sqlite3_column_int(q, 1), 3);
	assert_int_equal(sqlite3_column_int(q, 2), 1500 - 3 * 480);
	sqlite3_finalize(q);
	sqlite3_close(h);
	pl_ts_set_free(set);
	pl_store_close(st);
	free(db);
	free(sd);
	tu_rmrf(dir);
	free(dir);
}

/* Aggregates read from the stored 5m/1h chunks equal those computed
 * from raw samples; a counter reset is handled by inc. */
static void
test_aggregates(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_ts_set *set;
	pl_ts_agg *a, *b;
	size_t na, nb;
	int64_t res;
	double v = 0, total = 0;

	(void)state;
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	/* 3 days at 15 s; a reset at sample 7003; a NaN now and then */
	for (int i = 0; i < 3 * 5760; i++) {
		double x;

		if (i == 7003) {
			v = 0;
		} else {
			v += i % 5;
			total += i % 5;
		}
		x = i % 1000 == 999 ? NAN : v;
		assert_int_equal(pl_ts_append(w, "c_total", NULL, 0,
		    T0 + i * 15000LL, x), PL_OK);
		if (i % 40 == 0)
			assert_int_equal(pl_ts_flush(w), PL_OK);
	}
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	assert_int_equal(pl_ts_select(&set, st, NULL, 0), PL_OK);
	/* hourly from the 1h chunks vs 90 s buckets from raw, refolded */
	assert_int_equal(pl_ts_read_agg(&a, &na, &res, st, set->v[0].id, T0,
	    T0 + 3 * 86400000LL, 3600000), PL_OK);
	assert_int_equal(res, PL_TS_RES_1H);
	assert_int_equal(na, 72);
	assert_int_equal(pl_ts_read_agg(&b, &nb, &res, st, set->v[0].id, T0,
	    T0 + 3 * 86400000LL, 90000), PL_OK);
	assert_int_equal(res, PL_TS_RES_RAW);
	{
		double inc = 0, sum_a = 0, sum_b = 0;
		int64_t cnt_a = 0, cnt_b = 0;

		for (size_t i = 0; i < na; i++) {
			inc += a[i].inc;
			sum_a += a[i].sum;
			cnt_a += a[i].count;
		}
		for (size_t i = 0; i < nb; i++) {
			sum_b += b[i].sum;
			cnt_b += b[i].count;
		}
		/* the reset: the counter's increase is still exact */
		assert_true(fabs(inc - total) < 1e-6);
		assert_true(cnt_a == cnt_b && cnt_a == 3 * 5760 - 17);
		assert_true(fabs(sum_a - sum_b) < 1e-3 * fabs(sum_a));
	}
	free(a);
	free(b);
	/* a range read by day (1h chunks refolded) */
	assert_int_equal(pl_ts_read_agg(&a, &na, &res, st, set->v[0].id, T0,
	    T0 + 3 * 86400000LL - 1, 86400000), PL_OK);
	assert_int_equal(na, 3);
	assert_int_equal(a[0].count + a[1].count + a[2].count, 3 * 5760 - 17);
	free(a);
	pl_ts_set_free(set);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_retention_and_usage(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_ts_usage u;
	pl_ts_set *set;
	pl_ts_sample *s;
	pl_ts_agg *a;
	size_t n;
	int64_t del;

	(void)state;
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	for (int i = 0; i < 2 * 5760; i++)
		assert_int_equal(pl_ts_append(w, "g", NULL, 0,
		    T0 + i * 15000LL, i % 17), PL_OK);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	assert_int_equal(pl_ts_usage_get(&u, st), PL_OK);
	assert_int_equal(u.samples, 2 * 5760);
	assert_true(u.bytes < 2 * 5760 * 2);	/* well under 2 B/sample */
	/* keep one day of raw samples: day 1's blocks go */
	assert_int_equal(pl_ts_retention(&del, st, T0 + 2 * 86400000LL,
	    86400000LL, 0), PL_OK);
	assert_int_equal(del, 12);
	assert_int_equal(pl_ts_select(&set, st, NULL, 0), PL_OK);
	assert_int_equal(pl_ts_read(&s, &n, st, set->v[0].id, 0, INT64_MAX),
	    PL_OK);
	assert_int_equal(n, 5760);
	free(s);
	/* the aggregates of day 1 remain */
	assert_int_equal(pl_ts_read_agg(&a, &n, NULL, st, set->v[0].id, T0,
	    T0 + 86400000LL - 1, 3600000), PL_OK);
	assert_int_equal(n, 24);
	assert_int_equal(a[0].count, 240);
	free(a);
	pl_ts_set_free(set);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_stale_marker(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_ts_set *set;
	pl_ts_sample *s;
	size_t n;

	(void)state;
	assert_true(pl_ts_is_stale(pl_ts_stale()));
	assert_false(pl_ts_is_stale(NAN));
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	assert_int_equal(pl_ts_append(w, "x", NULL, 0, T0, 1), PL_OK);
	assert_int_equal(pl_ts_append(w, "x", NULL, 0, T0 + 1, pl_ts_stale()),
	    PL_OK);
	assert_int_equal(pl_ts_append(w, "x", NULL, 0, T0 + 2, NAN), PL_OK);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	assert_int_equal(pl_ts_select(&set, st, NULL, 0), PL_OK);
	assert_int_equal(pl_ts_read(&s, &n, st, set->v[0].id, 0, INT64_MAX),
	    PL_OK);
	assert_int_equal(n, 3);
	assert_true(pl_ts_is_stale(s[1].v));
	assert_true(isnan(s[2].v) && !pl_ts_is_stale(s[2].v));
	free(s);
	pl_ts_set_free(set);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* The figures the TUI charts (status.c): the newest sample lands in the
 * last bucket, however the range's start falls on the step; a drift
 * score and its mark in the heatmap's last cell. */
static void
test_history_last_bucket(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_ts_writer *w;
	pl_label tg[] = { { "target", "api" } };
	pl_label fl[] = { { "target", "api" }, { "feature", "f0" },
		{ "method", "ks" } };
	/* an end just past a sample, with a start that is not a multiple
	 * of the step (1 h / 8 = 450 s): the case that lost the newest */
	int64_t end = T0 + 3600000 + 123457, start = end - 3600000;
	double h[8];
	pl_mon_drift_row *r;
	size_t n;

	(void)state;
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	for (int i = 0; i < 240; i++)
		assert_int_equal(pl_ts_append(w, "plumb_prediction_rate", tg, 1,
		    start + 15000 * (i + 1) - 1000, i < 239 ? 1.0 : 9.0),
		    PL_OK);
	assert_int_equal(pl_ts_append(w, "plumb_drift_score", fl, 3,
	    end - 1000, 0.001), PL_OK);
	assert_int_equal(pl_ts_append(w, "plumb_drift_detected", fl, 3,
	    end - 1000, 1), PL_OK);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	assert_int_equal(pl_mon_history(h, 8, st, "api", PL_MM_REQ_RATE,
	    start, end), PL_OK);
	/* the last bucket holds the newest sample (9) */
	assert_false(isnan(h[7]));
	assert_true(h[7] > 1.0);
	assert_int_equal(pl_mon_drift_grid(&r, &n, st, "api", start, end, 60),
	    PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].feature, "f0");
	assert_true(r[0].score[59] == 0.001);
	assert_int_equal(r[0].drifted[59], 1);
	assert_true(r[0].pvalue && r[0].threshold == 0.05);
	for (int i = 0; i < 59; i++)
		assert_true(isnan(r[0].score[i]));
	pl_mon_drift_rows_free(r, n);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_read),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_migration_13),
		cmocka_unit_test(test_aggregates),
		cmocka_unit_test(test_retention_and_usage),
		cmocka_unit_test(test_stale_marker),
		cmocka_unit_test(test_history_last_bucket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
