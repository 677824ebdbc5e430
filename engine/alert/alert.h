/* alert.h - the public API of engine/alert/: promtool rule unit tests and PromQL queries, for front ends. */
#ifndef PL_ENGINE_ALERT_ALERT_H
#define PL_ENGINE_ALERT_ALERT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Runs promtool rule unit-test files (the format of `promtool test
 * rules`, cmd/promtool/unittest.go of Prometheus 2.42) unchanged.
 * *report gets the text to show (malloc'ed, the caller frees it): per
 * file "Unit Testing:  FILE" then SUCCESS, or FAILED: with promtool's
 * expected-vs-got listing, or the FILE:LINE:COL reason a file could not
 * be used.  *status is 0 when every test passed, 1 when some test failed,
 * 2 when some file (test or rule file) was unreadable or invalid.
 * Returns PL_OK, or PL_ENOMEM.
 */
int pl_alerts_test(char **report, int *status, const char *const *files,
    size_t nfiles);


struct pl_store;

/* Output forms of pl_promql_query(). */
enum { PL_QUERY_JSON = 0, PL_QUERY_TEXT = 1 };

/*
 * Evaluates PromQL expr over st's series store (the subset of
 * plumb-alerts(1), Prometheus' semantics): an instant query at start_ms
 * when step_ms is 0, else a range query over [start_ms, end_ms] every
 * step_ms.  *out (malloc'ed, the caller frees it) receives, for
 * PL_QUERY_JSON, the body Prometheus' /api/v1/query or /query_range
 * would return ({"status":"success","data":{"resultType":..,
 * "result":..}}), or for PL_QUERY_TEXT promtool query's lines
 * (`name{a="b"} => 1 @[1700000000]`).  A vector is sorted by labels.
 * Errors: PL_EINVAL for a bad expression or range (message on st;
 * *err_col, may be NULL, gets the 1-based column of a syntax error, or
 * 0), PL_ERROR when evaluation failed (message on st).
 */
int pl_promql_query(char **out, size_t *err_col, struct pl_store *st,
    const char *expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
    int format);

#endif
