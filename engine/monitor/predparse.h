/* predparse.h - parses prediction-log and label-log lines (flat JSONL or CSV) into typed rows, fast. */
#ifndef PL_ENGINE_PREDPARSE_H
#define PL_ENGINE_PREDPARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * One line is one record.
 *
 * JSONL: a JSON object (RFC 8259) per line.  Top-level members named by
 * struct pl_pred_fields give the id (string or number), the time, the
 * prediction, its score (a probability, optional), the latency in
 * seconds, the status and (label logs) the label.  The features are the members of the object named by
 * `features` (numbers; an array of numbers gives features "0", "1", ...),
 * or, when `features` is "", every other numeric top-level member.
 * Other members are skipped whatever they hold.  NaN, Infinity and
 * -Infinity (Python's json writes them) and null read as missing.
 *
 * CSV: the first line of each file is the header; fields are separated by
 * ',' and may be quoted ("" is a quote).  Columns that are not one of the
 * named fields are the features.  An empty field is missing.
 *
 * Values:
 *  - time: a number of Unix seconds (< 1e11), milliseconds (< 1e14),
 *    microseconds (< 1e17) or nanoseconds; or an RFC 3339 / ISO 8601
 *    string "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|-HH:MM]" (no zone:
 *    UTC).  Absent: INT64_MIN (the source uses the time it read the line).
 *  - prediction, score, label: a number, true/false (1/0), or a string holding a
 *    number.  Other strings are malformed, except when fields.positive
 *    names the positive class: a label is then 1 when its text equals
 *    positive (or both are numbers and equal: "1.0" is "1"), else 0; a
 *    prediction whose text is not a number is a class name, 1 when it
 *    equals positive, else 0 (a number stays a score or 0/1 class).
 *  - status: a number is an HTTP status (error iff >= 400); the strings
 *    "ok", "success", "200".."399" are ok; any other string is an error.
 *    Absent: -1 (the source counts it as ok).
 *
 * The feature schema is the union of the feature names seen, in order of
 * first appearance (at most PL_PRED_MAX_FEATURES): a line that lacks a
 * feature has NaN there.  A name appearing after the first record (or a
 * CSV header that differs from the previous file's) is a schema change:
 * counted once and described by pl_predparse_schema_note(), never per line.
 */

#define PL_PRED_MAX_FEATURES 256

enum pl_pred_format {
	PL_PRED_JSONL = 1,
	PL_PRED_CSV = 2
};

/* Field names; NULL means the default shown. */
struct pl_pred_fields {
	const char *id;		/* "id" */
	const char *time;	/* "ts" */
	const char *prediction;	/* "prediction" */
	const char *latency;	/* "latency" */
	const char *status;	/* "status" */
	const char *features;	/* "features" ("" = flat) */
	const char *label;	/* "label" */
	const char *score;	/* "score": a probability for ROC AUC */
	const char *positive;	/* the positive class's label; NULL: labels
				 * are numbers (1 positive) */
};

struct pl_pred_row {
	const char *id;		/* not NUL-terminated; NULL when absent */
	size_t id_len;
	int64_t ts_ms;		/* INT64_MIN: absent */
	double prediction;	/* NaN: absent */
	double latency;		/* seconds; NaN: absent */
	double label;		/* NaN: absent */
	double score;		/* NaN: absent */
	int status;		/* 0 ok, 1 error, -1 absent */
	const double *features;	/* nfeatures values by schema index */
	size_t nfeatures;
};

typedef struct pl_predparse pl_predparse;

/* fields may be NULL (all defaults).  PL_OK, PL_EINVAL, PL_ENOMEM. */
int pl_predparse_new(pl_predparse **out, int format,
    const struct pl_pred_fields *fields);
void pl_predparse_free(pl_predparse *p);

/*
 * Parses one line (no newline).  flags are the PL_TAIL_LINE_* flags from
 * logtail.h (the CSV header is the first line of a file).  Returns PL_OK
 * with *row filled (pointers valid until the next call), PL_ITEROVER for
 * a line that holds no record (blank, a header), or PL_EINVAL for a
 * malformed line (pl_predparse_errmsg: "column C: what").
 */
int pl_predparse_line(pl_predparse *p, const char *line, size_t len,
    unsigned flags, struct pl_pred_row *row);
const char *pl_predparse_errmsg(const pl_predparse *p);

size_t pl_predparse_nfeatures(const pl_predparse *p);
const char *pl_predparse_feature(const pl_predparse *p, size_t i);
/* Adds a feature name to the schema up front (e.g. from stored state),
 * without counting a change.  Returns its index or -1 (full / OOM). */
long pl_predparse_add_feature(pl_predparse *p, const char *name);
/* Schema changes seen so far and a description of the latest. */
unsigned pl_predparse_schema_changes(const pl_predparse *p);
const char *pl_predparse_schema_note(const pl_predparse *p);

/* RFC 3339 / ISO 8601 text to Unix milliseconds; 0 on success. */
int pl_predparse_time(const char *s, size_t n, int64_t *ms);

#endif
