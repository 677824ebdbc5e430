/* wdrift.h - data drift of a window of logged features against a reference prepared once (plumb drift's tests and numbers). */
#ifndef PL_ENGINE_WDRIFT_H
#define PL_ENGINE_WDRIFT_H

#include <stddef.h>

#include "drift/drift.h"

/*
 * The reference (a CSV file: an explicit one, or the training data of
 * the deployed model version) is read once; each of its numeric columns
 * is cleaned (missing and ±inf dropped), sorted, reduced to its distinct
 * values with the empirical CDF at each, and its standard deviation taken,
 * once (pl_drift_ref_prepare).  Every window is then one merge walk per
 * feature against it (5k rows x 20 features against 100k rows: ~8 ms of
 * CPU, tests/bench/predlog-bench.sh): the same test selection,
 * thresholds, comparisons and dataset share as `plumb drift` on the same
 * values (pl_drift_compare), so a window's numbers equal
 * `plumb drift REFERENCE WINDOW.csv`.
 *
 * Log features are numbers; a reference column of text is not compared
 * (skipped, with a reason).
 */

typedef struct pl_wdrift pl_wdrift;

struct pl_wdrift_opts {
	int method;		/* PL_DRIFT_DEFAULT or a forced numerical test */
	double threshold;	/* NAN: each test's default */
	double drift_share;	/* <= 0 or NAN: 0.5 */
};

/* Reads and prepares the reference.  opts may be NULL.  On failure *out is
 * NULL and err holds "PATH:LINE: ..." or another message. */
int pl_wdrift_new(pl_wdrift **out, const char *reference_csv,
    const struct pl_wdrift_opts *opts, char *err, size_t errlen);
void pl_wdrift_free(pl_wdrift *w);

/* Reference columns (all of them, text ones included). */
size_t pl_wdrift_ncolumns(const pl_wdrift *w);
const char *pl_wdrift_column_name(const pl_wdrift *w, size_t i);
/* Column index of name, or -1. */
long pl_wdrift_find(const pl_wdrift *w, const char *name);
size_t pl_wdrift_reference_rows(const pl_wdrift *w);

/*
 * Evaluates one window: cols[i] (i < pl_wdrift_ncolumns) holds the n
 * window values of reference column i (NaN where missing), or NULL when
 * the log has no such feature (reported skipped).  Results live in w
 * until the next evaluation.  Returns PL_OK or PL_ENOMEM.
 */
int pl_wdrift_eval(pl_wdrift *w, const double *const *cols, size_t n);
const struct pl_drift_column *pl_wdrift_result(const pl_wdrift *w, size_t i);
size_t pl_wdrift_tested(const pl_wdrift *w);
size_t pl_wdrift_drifted(const pl_wdrift *w);
double pl_wdrift_share(const pl_wdrift *w);	/* drifted / tested (0 if none) */
int pl_wdrift_dataset_drift(const pl_wdrift *w);

#endif
