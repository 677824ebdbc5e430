/* query-t.c - PromQL over the series store: the same answers as the in-memory reader, and Prometheus' API JSON. */
#include "config.h"
#include "../testutil.h"

#include <math.h>

#include "buf.h"
#include "alert/promql.h"
#include "alert/pq-tsdb.h"
#include "monitor/tsdb.h"

#define T0 1767225600000LL	/* 2026-01-01T00:00:00Z */
#define STEP 15000LL

/*
 * One data set written twice, to the series store and to the in-memory
 * set the rule unit tests use: a counter with a reset and a gap, a gauge
 * with a staleness marker, histogram buckets for two jobs.
 */
struct series_def {
	const char *name;
	pl_label l[3];
	size_t nl;
};

static const struct series_def defs[] = {
	{ "http_requests_total", { { "job", "api" }, { "code", "200" } }, 2 },
	{ "http_requests_total", { { "job", "api" }, { "code", "500" } }, 2 },
	{ "http_requests_total", { { "job", "web" }, { "code", "200" } }, 2 },
	{ "mem_bytes", { { "job", "api" } }, 1 },
	{ "lat_bucket", { { "job", "api" }, { "le", "0.1" } }, 2 },
	{ "lat_bucket", { { "job", "api" }, { "le", "0.5" } }, 2 },
	{ "lat_bucket", { { "job", "api" }, { "le", "+Inf" } }, 2 },
};
#define NDEFS (sizeof defs / sizeof defs[0])
#define NPTS 400

static double
value(size_t s, int i)
{
	switch (s) {
	case 0: return i < 200 ? i * 3.0 : (i - 200) * 2.0;	/* reset */
	case 1: return i / 10;
	case 2: return i * 0.5;
	case 3: return i == 250 ? pl_ts_stale() : 1e6 + (i % 7) * 1024;
	case 4: return i * 1.0;
	case 5: return i * 3.0;
	default: return i * 4.0;
	}
}

static pl_store *
fill(char **dir, pq_mem **mem)
{
	pl_store *st = tu_store(dir);
	pl_ts_writer *w;

	*mem = pq_mem_new();
	assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
	for (size_t s = 0; s < NDEFS; s++) {
		pq_label pl[4];
		pq_labels *lb;

		pl[0].name = "__name__";
		pl[0].value = defs[s].name;
		for (size_t k = 0; k < defs[s].nl; k++) {
			pl[k + 1].name = defs[s].l[k].name;
			pl[k + 1].value = defs[s].l[k].value;
		}
		lb = pq_labels_new(pl, defs[s].nl + 1);
		for (int i = 0; i < NPTS; i++) {
			const char *why;

			if (s == 2 && i >= 100 && i < 130)
				continue;	/* a gap longer than the lookback */
			assert_int_equal(pl_ts_append(w, defs[s].name,
			    defs[s].l, defs[s].nl, T0 + i * STEP,
			    value(s, i)), PL_OK);
			assert_int_equal(pq_mem_append(*mem, lb, T0 + i * STEP,
			    value(s, i), &why), 0);
		}
		pq_labels_unref(lb);
	}
	assert_int_equal(pl_ts_flush(w), PL_OK);
	assert_int_equal(pl_ts_writer_close(w), PL_OK);
	return st;
}

static int
same_value(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static const char *const exprs[] = {
	"http_requests_total",
	"rate(http_requests_total[5m])",
	"sum by (job) (increase(http_requests_total[10m]))",
	"http_requests_total{code=~\"2..\"} / ignoring(code) group_left "
	    "sum by (job) (http_requests_total)",
	"sum by (job) (rate(http_requests_total{code!=\"200\"}[5m])) / "
	    "sum by (job) (rate(http_requests_total[5m]))",
	"mem_bytes",
	"max_over_time(mem_bytes[30m])",
	"absent(nosuch_metric{job=\"x\"})",
	"histogram_quantile(0.9, sum by (le, job) (rate(lat_bucket[5m])))",
	"count(http_requests_total > 100)",
	"{__name__=~\"http_.*\", job=\"api\"}",
	"time()",
};

static void
test_same_as_memory(void **state)
{
	char *dir, err[256];
	pq_mem *mem;
	pl_store *st = fill(&dir, &mem);
	pq_tsdb *tt = pq_tsdb_new(st);
	pq_reader rt = pq_tsdb_reader(tt), rm = pq_mem_reader(mem);
	int64_t ats[] = { T0 + 90 * STEP, T0 + 120 * STEP, T0 + 201 * STEP,
	    T0 + 252 * STEP, T0 + 399 * STEP, T0 + 500 * STEP };
	size_t compared = 0;

	(void)state;
	for (size_t x = 0; x < sizeof exprs / sizeof exprs[0]; x++) {
		pq_expr *e;
		int col;

		if (pq_parse(&e, exprs[x], &col, err, sizeof err) < 0) {
			/* group_left is outside the subset: refused the
			 * same way by both, nothing to compare. */
			continue;
		}
		for (size_t a = 0; a < sizeof ats / sizeof ats[0]; a++) {
			pq_result r1, r2;

			assert_int_equal(pq_eval_instant(&r1, e, &rm, ats[a],
			    err, sizeof err), 0);
			if (pq_eval_instant(&r2, e, &rt, ats[a], err,
			    sizeof err) < 0)
				fail_msg("%s: %s", exprs[x], err);
			assert_int_equal(r1.type, r2.type);
			if (r1.type == PQ_T_SCALAR)
				assert_true(same_value(r1.scalar, r2.scalar));
			pq_vector_sort(&r1.vec);
			pq_vector_sort(&r2.vec);
			if (r1.vec.n != r2.vec.n)
				fail_msg("%s at +%lld: %zu vs %zu elements",
				    exprs[x], (long long)(ats[a] - T0),
				    r1.vec.n, r2.vec.n);
			for (size_t i = 0; i < r1.vec.n; i++) {
				assert_true(pq_labels_equal(r1.vec.e[i].lb,
				    r2.vec.e[i].lb));
				if (!same_value(r1.vec.e[i].v, r2.vec.e[i].v))
					fail_msg("%s: %.17g vs %.17g", exprs[x],
					    r1.vec.e[i].v, r2.vec.e[i].v);
			}
			compared += r1.vec.n + 1;
			pq_result_dispose(&r1);
			pq_result_dispose(&r2);
		}
		/* and a range query over the whole set, gap and reset */
		if (pq_expr_type(e) == PQ_T_VECTOR ||
		    pq_expr_type(e) == PQ_T_SCALAR) {
			pq_matrix m1, m2;

			assert_int_equal(pq_eval_range(&m1, e, &rm, T0,
			    T0 + 410 * STEP, 60000, err, sizeof err), 0);
			assert_int_equal(pq_eval_range(&m2, e, &rt, T0,
			    T0 + 410 * STEP, 60000, err, sizeof err), 0);
			assert_int_equal(m1.n, m2.n);
			for (size_t i = 0; i < m1.n; i++) {
				assert_true(pq_labels_equal(m1.series[i].lb,
				    m2.series[i].lb));
				assert_int_equal(m1.series[i].n,
				    m2.series[i].n);
				for (size_t k = 0; k < m1.series[i].n; k++) {
					assert_true(m1.series[i].s[k].t ==
					    m2.series[i].s[k].t);
					assert_true(same_value(
					    m1.series[i].s[k].v,
					    m2.series[i].s[k].v));
				}
				compared += m1.series[i].n;
			}
			pq_matrix_dispose(&m1);
			pq_matrix_dispose(&m2);
		}
		pq_expr_free(e);
	}
	/* the comparisons saw real data, not empty answers */
	assert_true(compared > 1000);
	pq_tsdb_free(tt);
	pq_mem_free(mem);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_api_json(void **state)
{
	char *dir, *out;
	pq_mem *mem;
	pl_store *st = fill(&dir, &mem);
	size_t col;

	(void)state;
	/* instant vector: sorted by labels, seconds with 3 decimals only
	 * when there are milliseconds, values as Go's 'f' strings */
	assert_int_equal(pl_promql_query(&out, &col, st,
	    "http_requests_total{job=\"api\"}", T0 + 10 * STEP + 500, 0, 0,
	    PL_QUERY_JSON), PL_OK);
	assert_string_equal(out, "{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":["
	    "{\"metric\":{\"__name__\":\"http_requests_total\",\"code\":\"200\","
	    "\"job\":\"api\"},\"value\":[1767225750.500,\"30\"]},"
	    "{\"metric\":{\"__name__\":\"http_requests_total\",\"code\":\"500\","
	    "\"job\":\"api\"},\"value\":[1767225750.500,\"1\"]}]}}\n");
	free(out);
	/* scalar */
	assert_int_equal(pl_promql_query(&out, &col, st, "1/4", T0, 0, 0,
	    PL_QUERY_JSON), PL_OK);
	assert_string_equal(out, "{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"scalar\",\"result\":[1767225600,\"0.25\"]}}\n");
	free(out);
	/* range: matrix with values */
	assert_int_equal(pl_promql_query(&out, &col, st,
	    "mem_bytes", T0, T0 + 60000, 30000, PL_QUERY_JSON), PL_OK);
	assert_string_equal(out, "{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":"
	    "\"mem_bytes\",\"job\":\"api\"},\"values\":[[1767225600,"
	    "\"1000000\"],[1767225630,\"1002048\"],[1767225660,"
	    "\"1004096\"]]}]}}\n");
	free(out);
	/* text, as promtool query prints */
	assert_int_equal(pl_promql_query(&out, &col, st,
	    "sum by (job) (http_requests_total)", T0 + 10 * STEP, 0, 0,
	    PL_QUERY_TEXT), PL_OK);
	assert_non_null(strstr(out, "{job=\"api\"} => 31 @[1767225750]\n"));
	assert_non_null(strstr(out, "{job=\"web\"} => 5 @[1767225750]\n"));
	free(out);
	/* errors: a column for syntax, a message for the rest */
	assert_int_equal(pl_promql_query(&out, &col, st, "rate(x[5m]",
	    T0, 0, 0, PL_QUERY_JSON), PL_EINVAL);
	assert_null(out);
	assert_true(col > 0);
	assert_int_equal(pl_promql_query(&out, &col, st, "x[5m]", T0, T0 + 1,
	    1, PL_QUERY_JSON), PL_EINVAL);
	assert_non_null(strstr(pl_store_errmsg(st), "range query"));
	assert_int_equal(pl_promql_query(&out, &col, st, "x", T0,
	    T0 + 86400000LL * 30, 1000, PL_QUERY_JSON), PL_EINVAL);
	assert_non_null(strstr(pl_store_errmsg(st), "11,000"));
	pq_mem_free(mem);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_memory),
		cmocka_unit_test(test_api_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
