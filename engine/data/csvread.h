/* csvread.h - streaming CSV reader (over libcsv) that loads typed columns for drift and monitoring. */
#ifndef PL_ENGINE_CSVREAD_H
#define PL_ENGINE_CSVREAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * (This header is csvread.h, not csv.h: engine/ is on the include path,
 * and a csv.h there would hide libcsv's own <csv.h>.)
 *
 * The reader streams a CSV file through libcsv in fixed-size chunks and
 * builds one typed column per header field, keeping only the values
 * (never whole rows):
 *
 *   - The first record is the header (column names).  A UTF-8 byte order
 *     mark before it is skipped.  Duplicate names are an error.
 *   - Fields are separated by opts->delimiter (',' by default), may be
 *     quoted with '"' ("" inside quotes is one quote), and quoted fields
 *     may hold delimiters and newlines.  Records end with LF, CRLF or CR.
 *     Blank lines are skipped.  Spaces are kept (never trimmed).
 *   - Every record must have as many fields as the header, else the read
 *     fails with "FILE:LINE: expected N fields, found M" (LINE is the
 *     physical line where the record starts, counting newlines inside
 *     quoted fields).
 *   - Missing values: the empty field and every string of
 *     opts->na_values (default "NA", "NaN", "nan", "null").  In a numeric
 *     column "inf", "-inf", "infinity" (any case, optional sign) are also
 *     missing (drift-spec §1.1: the engine treats ±inf as missing).
 *   - A column is numeric ("storage PL_CSV_NUM") when every non-missing
 *     value parses as a decimal number ([+-]digits[.digits][e[+-]digits],
 *     surrounding blanks allowed); otherwise its values are kept as text
 *     ("storage PL_CSV_TEXT").  Numbers are parsed by a fast exact path
 *     (Clinger: <= 19 digits, mantissa <= 2^53, |exp10| <= 22) with a
 *     strtod fallback in the "C" locale: results are bit-identical to
 *     strtod.  -0.0 is stored as +0.0 (pandas/numpy treat them as one
 *     value).
 *   - Text must be valid UTF-8 (header and text values), else the read
 *     fails with FILE:LINE.  Fields of any size are accepted.
 *
 * Values are kept without their missing entries, in file order; the
 * missing count is kept per column.
 */

enum pl_csv_storage {
	PL_CSV_NUM = 1,		/* doubles */
	PL_CSV_TEXT = 2		/* interned strings: codes into levels */
};

struct pl_csv_opts {
	char delimiter;			/* 0 means ',' */
	/* Missing-value strings besides the empty field; NULL: defaults. */
	const char *const *na_values;
	size_t n_na_values;
	/* Load only these columns (NULL: all).  A name absent from the header
	 * is an error.  Order of the table follows the header. */
	const char *const *columns;
	size_t n_columns;
	/* Columns whose values must be kept as text even when they all parse
	 * as numbers (used to compare a column that is text in another file). */
	const char *const *text_columns;
	size_t n_text_columns;
	/* Stop after this many data records (0: no limit). */
	size_t max_rows;
	/* Keep a NaN in place of each missing value of a numeric column, so
	 * value k is row k (streams whose row index matters).  Counts and
	 * missing counts stay as documented. */
	int keep_missing;
};

typedef struct pl_csv_table pl_csv_table;

/*
 * Reads the CSV file at path.  On success *out is a table the caller frees
 * with pl_csv_free().  On failure *out is NULL, a negative PL_E* code is
 * returned and err (if errlen > 0) holds a message that starts with
 * "PATH:LINE: " when a line is known (PL_ENOTFOUND: no such file;
 * PL_EIO: read error; PL_EINVAL: bad CSV; PL_ENOMEM).
 * opts may be NULL.
 */
int pl_csv_read(pl_csv_table **out, const char *path,
    const struct pl_csv_opts *opts, char *err, size_t errlen);

/* Same, from memory; name is used in messages. */
int pl_csv_read_mem(pl_csv_table **out, const char *name, const void *data,
    size_t len, const struct pl_csv_opts *opts, char *err, size_t errlen);

void pl_csv_free(pl_csv_table *t);

/* Number of data records (header excluded, blank lines excluded). */
size_t pl_csv_rows(const pl_csv_table *t);
size_t pl_csv_ncols(const pl_csv_table *t);
/* Column index of name, or -1. */
long pl_csv_find(const pl_csv_table *t, const char *name);
/* Name of column i (owned by the table). */
const char *pl_csv_name(const pl_csv_table *t, size_t i);
int pl_csv_storage(const pl_csv_table *t, size_t i);
/* Number of missing values of column i. */
size_t pl_csv_missing(const pl_csv_table *t, size_t i);
/* Number of non-missing values of column i (rows - missing). */
size_t pl_csv_count(const pl_csv_table *t, size_t i);

/*
 * Non-missing values of numeric column i, in file order (with
 * keep_missing: one value per row, NaN where missing; the array then has
 * pl_csv_rows() entries) (NULL for a text
 * column or when there is none).  The array belongs to the table; the
 * caller may reorder it in place (drift sorts it) but not resize it.
 */
double *pl_csv_num(pl_csv_table *t, size_t i);

/*
 * Text column i: codes[k] (k < pl_csv_count) indexes the distinct values
 * ("levels") in order of first appearance.  Returns NULL for a numeric
 * column.  The arrays belong to the table.
 */
const uint32_t *pl_csv_codes(const pl_csv_table *t, size_t i);
size_t pl_csv_nlevels(const pl_csv_table *t, size_t i);
/* Level j of text column i as a NUL-terminated string (length in *len if
 * len is not NULL).  Levels never contain NUL bytes... unless the file
 * did: then *len is the truth. */
const char *pl_csv_level(const pl_csv_table *t, size_t i, size_t j,
    size_t *len);

/*
 * The number parser used by the reader: parses s[0..n) as a decimal
 * number (grammar above) or an infinity.  Returns 1 and sets *out on
 * success, 0 if the text is not a number.  The result equals strtod()'s
 * in the C locale bit for bit.  Exposed for tests and other readers.
 */
int pl_csv_parse_double(const char *s, size_t n, double *out);

#endif
