/* ynode.h - a small YAML document tree over libyaml, with source marks (engine-internal). */
#ifndef PL_ENGINE_YNODE_H
#define PL_ENGINE_YNODE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Pipelines, params files, lock files, pointer files and metrics files
 * are all read into this tree.  Every node keeps the 1-based line and
 * column where it starts, so that any later check (schema, templating,
 * graph) can say FILE:LINE:COL.  Aliases are expanded into copies, at
 * most YN_ALIAS_MAX_NODES nodes in all per document (beyond that the
 * file is refused: an alias bomb would otherwise take gigabytes); YAML
 * 1.1 merge keys (`<<: *base`) are applied.  Scalars keep their text and whether they were quoted, which is how a
 * YAML 1.2 core-schema type is told apart (plain `3` is an int, '3' a
 * string).
 *
 * Ownership: a tree belongs to whoever got it from yn_parse*() or
 * yn_copy(); yn_free() frees a node and everything under it.
 */
typedef enum { YN_SCALAR, YN_MAP, YN_SEQ } yn_kind;

/* Nodes that aliases may copy in one document: about 15 MB. */
#define YN_ALIAS_MAX_NODES 100000

/* The type a scalar reads as (core schema). */
typedef enum { YT_NULL, YT_BOOL, YT_INT, YT_FLOAT, YT_STR } yn_type;

typedef struct ynode ynode;
struct ynode {
	yn_kind kind;
	int line, col;		/* 1-based */
	char *str;		/* scalar text (NUL-terminated) */
	int quoted;		/* scalar was quoted or a block scalar */
	size_t n;		/* SEQ: items; MAP: pairs */
	ynode **items;		/* SEQ items; MAP: keys[i] = items[2i], values = items[2i+1] */
	size_t cap;		/* slots allocated in items */
	int half;		/* (while adding a pair) */
	const char *file;	/* file name for messages (borrowed, static per parse) */
};

/*
 * Parses text (len bytes) holding one YAML document.  An empty document
 * gives NULL with PL_OK.  file is used in messages and kept (borrowed) on
 * every node: it must outlive the tree.  On a syntax error returns
 * PL_EINVAL with "FILE:LINE:COL: message" in err.
 */
int yn_parse(ynode **out, const char *text, size_t len, const char *file,
    char *err, size_t err_len);
/* Reads and parses a file.  PL_ENOTFOUND when it does not exist. */
int yn_parse_file(ynode **out, const char *path, const char *name,
    char *err, size_t err_len);

/*
 * Writes "FILE:LINE:COL: message" into err (err_len bytes, cut to fit)
 * for node n; file NULL: the node's own file, else "plumb.yaml"; n NULL:
 * line 1, column 1.  Returns PL_EINVAL, so a check can `return
 * yn_errf(...)`.  The one place that spells the position of a config
 * error.
 */
int yn_errf(char *err, size_t err_len, const char *file, const ynode *n,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int yn_verrf(char *err, size_t err_len, const char *file, const ynode *n,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

void yn_free(ynode *n);
ynode *yn_copy(const ynode *n);	/* NULL on OOM */

/* New nodes (NULL on OOM).  s is copied. */
ynode *yn_new_scalar(const char *s, int quoted, int line, int col);
ynode *yn_new(yn_kind kind, int line, int col);
/* Appends to a SEQ, or a key/value pair to a MAP (takes ownership). */
int yn_append(ynode *n, ynode *item);
int yn_map_put(ynode *map, ynode *key, ynode *value);

/* MAP lookup by key text; NULL when absent. */
ynode *yn_get(const ynode *map, const char *key);
static inline ynode *yn_key(const ynode *m, size_t i) { return m->items[2 * i]; }
static inline ynode *yn_val(const ynode *m, size_t i) { return m->items[2 * i + 1]; }

/* Core-schema type of a scalar (YT_STR for anything quoted). */
yn_type yn_scalar_type(const ynode *n);
/* The value of an int text as DVC reads it (0b/0o/0x, _ dropped, 017
 * is 17): 0 with *neg and *mag, 1 when it exceeds 64 bits, -1 when s
 * is no int. */
int yn_int_text(const char *s, int *neg, unsigned long long *mag);
/* Boolean value of a YT_BOOL scalar. */
int yn_bool(const ynode *n);
/* Parses a scalar as a number; 0 on success. */
int yn_number(const ynode *n, double *out);

/*
 * Canonical compact JSON text of a node: keys in document order,
 * strings quoted, numbers and booleans as written (normalised: true /
 * false / null).  Used to compare param values across runs.  Malloc'ed.
 */
char *yn_canonical(const ynode *n);

/* "seq", "map", "string", "int", ... for messages (static). */
const char *yn_type_name(const ynode *n);
/* The same with its article: "an integer", "a list", "null". */
const char *yn_a_type(const ynode *n);

/* Emits a node as YAML text (block style) into a malloc'ed string. */
char *yn_emit(const ynode *n);

#endif
