/* alert.h - the public API of engine/alert/: promtool rule unit tests and PromQL queries, for front ends. */
#ifndef PL_ENGINE_ALERT_ALERT_H
#define PL_ENGINE_ALERT_ALERT_H

#include <stddef.h>

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

#endif
