/* promql.h - PromQL (the subset alert rules use): labels, the series-reader interface, parsing and evaluation (engine-internal). */
#ifndef PL_ENGINE_ALERT_PROMQL_H
#define PL_ENGINE_ALERT_PROMQL_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What is implemented follows Prometheus 2.42 (promql/engine.go,
 * promql/functions.go, promql/quantile.go); the semantics are summed up
 * in the project's reference notes and in plumb-alerts(1).  Anything
 * outside the subset is refused by the parser with its column and the
 * name of the construct, never evaluated approximately.
 *
 * Times are int64 milliseconds since the epoch; values are doubles.
 */

/* ---- labels ------------------------------------------------------------ */

typedef struct pq_label {
	const char *name;
	const char *value;
} pq_label;

/*
 * An immutable, reference-counted label set, sorted by name (bytewise),
 * without empty values (an empty value means "no such label", as in
 * Prometheus).  The strings live in the same allocation.  hash covers
 * every pair and is what identifies a series.
 */
typedef struct pq_labels {
	unsigned refs;
	unsigned n;
	uint64_t hash;
	pq_label l[];
} pq_labels;

/* Copies and sorts (n pairs; a later duplicate name wins); NULL on OOM. */
pq_labels *pq_labels_new(const pq_label *l, size_t n);
pq_labels *pq_labels_ref(pq_labels *lb);
void pq_labels_unref(pq_labels *lb);
/* The value of a label, or NULL. */
const char *pq_labels_get(const pq_labels *lb, const char *name);
int pq_labels_cmp(const pq_labels *a, const pq_labels *b);
int pq_labels_equal(const pq_labels *a, const pq_labels *b);
/* New reference without __name__ (the same set when it has none). */
pq_labels *pq_labels_drop_name(pq_labels *lb);
/*
 * Returns a new set: with keep != 0 only the listed names, else all but
 * the listed names (and, when drop_name, without __name__ too).
 */
pq_labels *pq_labels_filter(const pq_labels *lb, int keep,
    char *const *names, size_t n, int drop_name);
/* Returns a new set with name=value set (value "" deletes). */
pq_labels *pq_labels_set(const pq_labels *lb, const char *name,
    const char *value);
/*
 * Matching signature: with on != 0 the hash of the listed labels only,
 * else of all labels but the listed ones and __name__.
 */
uint64_t pq_labels_sig(const pq_labels *lb, int on, char *const *names,
    size_t n);
struct buf;
/* Appends Prometheus' Labels.String(): {a="b", c="d"} (Go-quoted). */
int pq_labels_str(struct buf *b, const pq_labels *lb);
/* Appends the metric form of the query API: name{a="b"} (no braces when empty). */
int pq_go_quote(struct buf *b, const char *s);

/* ---- matchers ------------------------------------------------------------ */

enum pq_mtype { PQ_MEQ, PQ_MNE, PQ_MRE, PQ_MNRE };

typedef struct pq_matcher {
	enum pq_mtype type;
	char *name;
	char *value;
	regex_t re;		/* compiled ^(?:value)$ for =~ and !~ */
	int has_re;
} pq_matcher;

/* Compiles a regex matcher; 0, or -1 with a message in err. */
int pq_matcher_compile(pq_matcher *m, char *err, size_t errlen);
void pq_matcher_dispose(pq_matcher *m);
int pq_matcher_matches(const pq_matcher *m, const char *value);
/* True when every matcher accepts the set (a missing label reads ""). */
int pq_labels_match(const pq_labels *lb, const pq_matcher *m, size_t n);

/* ---- samples and the series reader ------------------------------------- */

typedef struct pq_sample {
	int64_t t;
	double v;
} pq_sample;

/* Prometheus' staleness marker: a NaN with these exact bits. */
#define PQ_STALE_BITS 0x7ff0000000000002ULL
double pq_stale_nan(void);
int pq_is_stale(double v);

/* One series handed out by a reader: labels and samples, both borrowed. */
typedef struct pq_series {
	pq_labels *lb;
	const pq_sample *s;	/* sorted by t, all inside the asked range */
	size_t n;
} pq_series;

/*
 * The evaluator reads through this interface only, so it runs over the
 * in-memory set of the rule unit tests and over the series store alike.
 *
 * select() returns, in *out (malloc'ed, freed by the caller with free()),
 * every series whose labels satisfy all matchers and that has at least
 * one sample in [mint, maxt], with those samples (staleness markers
 * included: the evaluator interprets them).  What the array points to
 * stays valid until release() is called or the reader is written to.
 * It returns 0, or -1 with a message in err.
 */
typedef struct pq_reader {
	void *ctx;
	int (*select)(void *ctx, const pq_matcher *m, size_t nm, int64_t mint,
	    int64_t maxt, pq_series **out, size_t *nout, char *err,
	    size_t errlen);
	void (*release)(void *ctx);	/* may be NULL */
} pq_reader;

/* ---- the in-memory series set (pq-mem.c) -------------------------------- */

typedef struct pq_mem pq_mem;
pq_mem *pq_mem_new(void);
void pq_mem_free(pq_mem *m);
/*
 * Appends a sample.  Out of order (t before the series' last sample) or
 * a different value at the same t is refused like Prometheus' head does
 * (returns -1 with the reason); the identical sample again is a no-op.
 * Takes no ownership of lb.
 */
int pq_mem_append(pq_mem *m, pq_labels *lb, int64_t t, double v,
    const char **why);
/* A reader over the set (valid while the set lives). */
pq_reader pq_mem_reader(pq_mem *m);
size_t pq_mem_series_count(const pq_mem *m);

/* ---- expressions ------------------------------------------------------- */

enum pq_type { PQ_T_NONE, PQ_T_SCALAR, PQ_T_VECTOR, PQ_T_MATRIX, PQ_T_STRING };

enum pq_kind {
	PQ_NUMBER, PQ_VSEL, PQ_MSEL, PQ_NEG, PQ_BINARY, PQ_AGG, PQ_CALL,
	PQ_PAREN
};

/* Binary operators, in no particular order. */
enum pq_op {
	PQ_ADD, PQ_SUB, PQ_MUL, PQ_DIV, PQ_MOD, PQ_POW,
	PQ_EQ, PQ_NE, PQ_GT, PQ_LT, PQ_GE, PQ_LE,
	PQ_AND, PQ_OR, PQ_UNLESS
};

enum pq_aggop { PQ_SUM, PQ_AVG, PQ_MIN, PQ_MAX, PQ_COUNT, PQ_QUANTILE };

struct pq_func;

typedef struct pq_node pq_node;
struct pq_node {
	enum pq_kind kind;
	enum pq_type type;
	int pos;		/* byte offset in the text where it starts */
	double num;		/* PQ_NUMBER */
	/* PQ_VSEL (and the vector selector inside a PQ_MSEL) */
	char *name;		/* the metric name written before {, or NULL */
	pq_matcher *ms;
	size_t nms;
	int64_t offset;		/* ms */
	int64_t range;		/* PQ_MSEL: ms */
	/* PQ_BINARY */
	enum pq_op op;
	int bool_mod;
	int matching;		/* 0 none, 1 on(...), 2 ignoring(...) */
	char **mlabels;
	size_t nmlabels;
	/* PQ_AGG */
	enum pq_aggop agg;
	int without;		/* 1: without(...), 0: by(...) or none */
	char **grouping;
	size_t ngrouping;
	/* children: NEG/PAREN: a; BINARY: a op b; AGG: a = expr, b = param;
	 * CALL: args */
	pq_node *a, *b;
	const struct pq_func *fn;
	pq_node **args;
	size_t nargs;
};

typedef struct pq_expr {
	pq_node *root;
	char *text;
} pq_expr;

/*
 * Parses text.  On failure returns -1, *out NULL, the 1-based column
 * (byte offset + 1; for multi-line text the offset counts from the
 * start) in *col and the message in err (without the column).
 */
int pq_parse(pq_expr **out, const char *text, int *col, char *err,
    size_t errlen);
void pq_expr_free(pq_expr *e);
enum pq_type pq_expr_type(const pq_expr *e);
const char *pq_type_name(enum pq_type t);

/* Parses a Prometheus duration ("5m", "1h30m", "0"); 0 or -1. */
int pq_parse_duration(const char *s, size_t len, int64_t *ms);
/* Formats like Prometheus' model.Duration ("1h30m", "0s"). */
void pq_fmt_duration(char *out, size_t len, int64_t ms);
/* Parses a label set written as a metric: name{a="b"} or {a="b"}. */
int pq_parse_metric(pq_labels **out, const char *text, int *col, char *err,
    size_t errlen);

/* ---- evaluation ---------------------------------------------------------- */

typedef struct pq_elem {
	pq_labels *lb;		/* a reference owned by the vector */
	double v;
} pq_elem;

typedef struct pq_vector {
	pq_elem *e;
	size_t n, cap;
} pq_vector;

void pq_vector_dispose(pq_vector *v);
/* Sorts by labels (for stable output). */
void pq_vector_sort(pq_vector *v);

/* The result of an instant query: a scalar or a vector. */
typedef struct pq_result {
	enum pq_type type;
	double scalar;
	pq_vector vec;
} pq_result;

void pq_result_dispose(pq_result *r);

/* Lookback of an instant selector (Prometheus' default, 5 minutes). */
#define PQ_LOOKBACK_MS (5 * 60 * 1000)

/* Instant query at t; 0, or -1 with the message in err. */
int pq_eval_instant(pq_result *out, const pq_expr *e, const pq_reader *r,
    int64_t t, char *err, size_t errlen);

/* One output series of a range query. */
typedef struct pq_rseries {
	pq_labels *lb;
	pq_sample *s;
	size_t n, cap;
} pq_rseries;

typedef struct pq_matrix {
	pq_rseries *series;
	size_t n, cap;
} pq_matrix;

void pq_matrix_dispose(pq_matrix *m);

/*
 * Range query: the expression at start, start+step, ... <= end.  The
 * selectors' data is read once for the whole range.  A scalar
 * expression yields one series without labels (as Prometheus' API).
 */
int pq_eval_range(pq_matrix *out, const pq_expr *e, const pq_reader *r,
    int64_t start, int64_t end, int64_t step, char *err, size_t errlen);

/* ---- Go-compatible number formatting (gofmt.c) ------------------------ */

/* Go's strconv.FormatFloat(v, fmt, -1, 64) for fmt 'g' ('%v'), 'e', 'E', 'f'. */
void pq_go_float(char *out, size_t len, double v, char fmt);
/* Go's fmt "%.<prec>g" etc. with NaN/+Inf/-Inf spelt as Go does. */
void pq_go_printf_float(char *out, size_t len, const char *spec, double v);

#endif
