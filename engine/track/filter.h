/* filter.h - MLflow search expressions compiled to parameterized SQL. */
#ifndef PL_ENGINE_FILTER_H
#define PL_ENGINE_FILTER_H

#include <stddef.h>

#include "buf.h"

/*
 * The filter language is MLflow's search syntax, extended with `or`,
 * `not` and parentheses:
 *
 *   expr  := term { OR term }          term := factor { AND factor }
 *   factor:= NOT factor | '(' expr ')' | cmp
 *   cmp   := ident op literal | ident [NOT] IN '(' literal {, literal} ')'
 *          | ident IS [NOT] NULL
 *   ident := (metrics|metric|params|param|tags|tag|attributes|attribute|attr)
 *            '.' KEY  -- KEY bare, `back-quoted` or "double-quoted"
 *   op    := = | != | <> | < | <= | > | >= | LIKE | ILIKE | NOT LIKE | NOT ILIKE
 *
 * metrics compare the run's latest value as numbers; params and tags are
 * strings (compared as numbers when an ordering operator gets a number);
 * attributes are status, name, user, host, experiment, run_id, command,
 * start_time, end_time, duration, exit_status, git_commit, git_branch,
 * git_dirty.  A run without the metric, param or tag never matches a
 * comparison on it (as in MLflow); `IS NULL` selects exactly those.
 *
 * User text never becomes SQL: keys and literals become bound parameters.
 */

/* A bound parameter of the compiled SQL. */
typedef struct pl_filter_bind {
	int is_text;
	char *text;
	double num;
} pl_filter_bind;

typedef struct pl_filter {
	struct buf sql;		/* a boolean SQL expression over runs `r` */
	pl_filter_bind *binds;	/* in order; bind i is parameter ?i+base */
	size_t nbinds;
} pl_filter;

/*
 * Compiles text into *out (emptied first with pl_filter_dispose rules).
 * Parameters are numbered from ?base.  On a syntax or meaning error
 * returns PL_EINVAL, writes a message into err, and sets *err_col to the
 * 1-based column where the problem is.
 */
int pl_filter_compile(pl_filter *out, const char *text, int base, char *err,
    size_t err_len, size_t *err_col);

/* Frees the contents of f (not f itself). */
void pl_filter_dispose(pl_filter *f);

/*
 * Parses one sort key, "-KEY", "KEY", "KEY ASC" or "KEY DESC", where KEY
 * is an identifier as above (attributes may be written bare: start_time).
 * Fills kind ('a' attribute, 'm' metric, 'p' param, 't' tag), *key
 * (malloc'ed), *desc.  For attributes, *key is the SQL expression.
 */
int pl_filter_sort_key(char *kind, char **key, int *desc, const char *text,
    char *err, size_t err_len);

/* SQL LIKE with MLflow semantics: '%' any run, '_' one character, case-
 * sensitive unless nocase (ASCII folding). Registered as pl_like(). */
int pl_like_match(const char *pat, const char *s, int nocase);

#endif
