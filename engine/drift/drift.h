/* drift.h - data drift between a reference and a current table, Evidently-exact (drift-spec §1). */
#ifndef PL_ENGINE_DRIFT_H
#define PL_ENGINE_DRIFT_H

#include <stddef.h>

#include "data/csvread.h"

/*
 * Per column, the values of both sides are cleaned (missing and ±inf
 * dropped), a test is chosen (the forced one, else Evidently's default by
 * type, reference size after cleaning and distinct values over both
 * sides: spec §1.2), its score is compared with the threshold using that
 * test's own comparison (§1.3), and the share of drifted columns decides
 * dataset drift (share >= drift_share).  Values match scipy/numpy: see
 * stats.h for each formula.
 */

enum pl_drift_type {
	PL_DRIFT_NUMERICAL = 1,
	PL_DRIFT_CATEGORICAL = 2
};

enum pl_drift_method {
	PL_DRIFT_DEFAULT = 0,	/* Evidently's selection (§1.2) */
	PL_DRIFT_KS,
	PL_DRIFT_CHISQUARE,
	PL_DRIFT_Z,
	PL_DRIFT_WASSERSTEIN,
	PL_DRIFT_PSI,
	PL_DRIFT_JENSENSHANNON,
	PL_DRIFT_KL_DIV,
	PL_DRIFT_HELLINGER,
	PL_DRIFT_ED,
	PL_DRIFT_ANDERSON,
	PL_DRIFT_NMETHODS
};

/* "ks", "chisquare", ... (NULL for an unknown value). */
const char *pl_drift_method_name(int method);
/* The method named s, or -1. */
int pl_drift_method_parse(const char *s);
/* 1 if method can test a column of this type (Evidently's registry:
 * ks, wasserstein, ed, anderson: numerical only; chisquare, z:
 * categorical only; psi, jensenshannon, kl_div, hellinger: both). */
int pl_drift_method_applies(int method, int type);
/* The test's default threshold (0.05 or 0.1, §1.3). */
double pl_drift_default_threshold(int method);
/* 1 if the test's score is a p-value (drift when small). */
int pl_drift_method_is_pvalue(int method);

struct pl_drift_opts {
	/* Columns to compare (NULL: every column of the reference; each must
	 * also be in the current file). */
	const char *const *columns;
	size_t n_columns;
	/* Type overrides.  Otherwise numerical iff every non-missing value
	 * on both sides is a number. */
	const char *const *categorical;
	size_t n_categorical;
	const char *const *numerical;
	size_t n_numerical;
	int method;		/* PL_DRIFT_DEFAULT or a forced test */
	double threshold;	/* NAN: each test's default */
	double drift_share;	/* <= 0 or NAN: 0.5 */
	int threads;		/* <= 0: number of online CPUs (max 64) */
	/* CSV options for pl_drift_files() (delimiter, NA strings). */
	char delimiter;
	const char *const *na_values;
	size_t n_na_values;
};

/* Result for one column.  Strings belong to the report. */
struct pl_drift_column {
	const char *name;
	int type;		/* PL_DRIFT_NUMERICAL / _CATEGORICAL */
	int method;		/* the test used */
	int skipped;		/* 1: not computable (reason says why) */
	const char *reason;	/* NULL unless skipped */
	int forced;		/* 1 if opts->method was applied */
	double statistic;	/* KS D, chi-square, z, A2, or the distance */
	double p_value;		/* NAN when the test gives none */
	double score;		/* p-value or distance: compared with threshold */
	double threshold;
	int drift;
	size_t reference_count, current_count;		/* after cleaning */
	size_t reference_missing, current_missing;	/* dropped */
	size_t n_values;	/* distinct values over both sides */
};

typedef struct pl_drift_report pl_drift_report;

/*
 * Compares every selected column of ref with cur.  Numerical columns are
 * sorted in place in both tables (their values stay, their order does
 * not).  On success *out is a report freed with pl_drift_report_free().
 * On failure returns a PL_E* code, *out is NULL and err holds the message
 * (a column absent from one side, a type override naming no column, a
 * column forced numerical that holds text, --method applying to no
 * selected column, ...).  A column that is empty after cleaning is not an
 * error: it is reported with skipped = 1 and left out of the share.
 */
int pl_drift_compare(pl_drift_report **out, pl_csv_table *ref,
    pl_csv_table *cur, const struct pl_drift_opts *opts,
    char *err, size_t errlen);

/*
 * Reads both CSV files (in parallel) and compares them.  Text columns on
 * one side whose other side is numeric are re-read as text, so the values
 * compare by their spelling.  Error messages name the file (and line).
 */
int pl_drift_files(pl_drift_report **out, const char *ref_path,
    const char *cur_path, const struct pl_drift_opts *opts,
    char *err, size_t errlen);

size_t pl_drift_ncolumns(const pl_drift_report *r);
const struct pl_drift_column *pl_drift_column(const pl_drift_report *r,
    size_t i);
size_t pl_drift_reference_rows(const pl_drift_report *r);
size_t pl_drift_current_rows(const pl_drift_report *r);
/* Columns tested (not skipped), drifted among them, their share
 * (drifted / tested, 0 when none was tested), and the verdict. */
size_t pl_drift_tested(const pl_drift_report *r);
size_t pl_drift_drifted(const pl_drift_report *r);
double pl_drift_share(const pl_drift_report *r);
double pl_drift_share_threshold(const pl_drift_report *r);
int pl_drift_dataset_drift(const pl_drift_report *r);
/* Notes for the user (e.g. "--method ks does not apply to categorical
 * column 'c': its default test was used"), one per line, or "". */
const char *pl_drift_notes(const pl_drift_report *r);

void pl_drift_report_free(pl_drift_report *r);

#endif
