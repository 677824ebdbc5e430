/* table.h - aligned text tables for human CLI output, fitted to the terminal. */
#ifndef PL_CLI_TABLE_H
#define PL_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define TABLE_RIGHT 0x1		/* right-align (numbers) */

struct table;

/* Creates a table with the given column headers. Aborts on OOM (CLI only). */
struct table *table_new(size_t ncols, const char *const *headers);
void table_set_flags(struct table *t, size_t col, unsigned flags);
/* Adds a row; cells are copied and sanitized (untrusted text is fine).
 * A NULL cell prints as "-". color (may be NULL) is an SGR code such as
 * "31" applied to the whole cell when colour is on. */
void table_add_row(struct table *t, const char *const *cells);
void table_set_cell_color(struct table *t, size_t row, size_t col,
    const char *sgr);
size_t table_rows(const struct table *t);
/*
 * Prints the table. When width > 0 the table is fitted to it: columns
 * that do not fit are dropped from the right (a note says how many), and
 * wide cells are cut with an ellipsis. width 0 prints every column whole
 * (for pipes).
 */
void table_print(struct table *t, FILE *f, size_t width);
void table_free(struct table *t);

/* Width of the terminal on stdout, or 0 if stdout is not a TTY
 * ($COLUMNS wins when set). */
size_t table_term_width(void);

#endif
