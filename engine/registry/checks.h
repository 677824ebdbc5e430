/* checks.h - CI checks: data validation of CSV files and model gates against a bound or production. */
#ifndef PL_ENGINE_CHECKS_H
#define PL_ENGINE_CHECKS_H

#include <stddef.h>

#include "config/plumb-yaml.h"
#include "registry/registry.h"
#include "store/store.h"

/*
 * A check (plumb.yaml `checks:`, see config/plumb-yaml.h) produces items, one
 * per thing it verified: a data check gives "rows" (when a row range is
 * set), "format" (when records have the wrong number of fields) and one
 * "column NAME" per listed column; a gate check gives one item per
 * gate.  These map to JUnit test cases (check = suite, item = case).
 *
 * Data checks stream the CSV through libcsv (the dialect of csvread.h:
 * header line, ',' or the check's delimiter, RFC 4180 quotes, LF/CRLF/
 * CR records, blank lines skipped) and report line numbers of the
 * physical line where each bad record starts.  Missing values are the
 * empty field and "NA", "NaN", "nan", "null" (csvread.h's defaults);
 * numbers are parsed by pl_csv_parse_double().  Types: int (optional
 * sign and digits), float (any decimal number or inf), bool (true,
 * false, 1, 0, yes, no; any case), string (anything), any.  min/max
 * apply to numeric values (a non-number fails them); allowed compares
 * the text, or the number when the column's type is int or float.
 *
 * A gate names a metric of the model version under test (its snapshot,
 * registry.h) and compares it with a number or with the same metric of
 * the version in production.  A gate whose metric the version lacks
 * fails and says so; a relative gate with no version in production yet
 * is skipped (nothing to compare with), which never blocks promotion.
 */

enum pl_check_status {
	PL_CHECK_PASS,
	PL_CHECK_FAIL,		/* the check ran and the data/model is bad */
	PL_CHECK_SKIP,		/* does not apply / nothing to compare with */
	PL_CHECK_ERROR		/* could not run (file missing, bad CSV) */
};

/* "pass", "fail", "skip", "error" (static). */
const char *pl_check_status_name(enum pl_check_status s);

/* How many bad rows a column item lists (the count covers all). */
#define PL_CHECK_MAX_BAD_ROWS 5

typedef struct pl_check_item {
	char *check;		/* the check's name */
	char *kind;		/* "data" or "gate" */
	char *name;		/* "rows", "column age", the gate text... */
	enum pl_check_status status;
	char *message;		/* what was found; never NULL */
	int has_value, has_bound;
	double value, bound;	/* gates: the metric and the bound it met */
	double seconds;		/* time taken */
} pl_check_item;

typedef struct pl_check_report {
	pl_check_item *items;
	size_t n;
	size_t npass, nfail, nskip, nerror;
} pl_check_report;

/* A report with nothing in it, or NULL when out of memory. */
pl_check_report *pl_check_report_new(void);
void pl_check_report_free(pl_check_report *r);
/* 1 when an item failed or could not run. */
int pl_check_report_failed(const pl_check_report *r);

/* Validates a data check's CSV file, appending its items to rep.
 * Returns PL_OK (failures are items) or PL_ENOMEM. */
int pl_check_data(pl_check_report *rep, const pl_check *c);

/*
 * Evaluates a gate check for version v, appending one item per gate.
 * prod is the version in production (NULL when none).  The direction
 * of each comparison is as written.  Returns PL_OK or PL_ENOMEM.
 */
int pl_check_gates(pl_check_report *rep, const pl_check *c,
    const pl_model_version *v, const pl_model_version *prod);

/*
 * Runs checks of cfg: the ones named (names NULL/nnames 0: all of them,
 * in file order).  Gate checks evaluate model@version (model NULL: they
 * are skipped, saying --model is needed; a check for another model is
 * skipped too) against the model's production version read from st.
 * PL_ENOTFOUND (message in err) when a name is not a check, or the
 * model/version does not exist.
 */
int pl_check_run(pl_check_report **out, pl_store *st, const pl_config *cfg,
    const char *const *names, size_t nnames, const char *model, int version,
    char *err, size_t err_len);

/*
 * The gates that guard promoting model@version to stage: every gate
 * check whose model is this one (or unset) and whose stages include
 * stage, evaluated against the current production version.
 * *out may hold no item (no gates apply).
 */
int pl_check_promotion(pl_check_report **out, pl_store *st,
    const pl_config *cfg, const char *model, int version, pl_model_stage stage,
    char *err, size_t err_len);

#endif
