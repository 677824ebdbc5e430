/* promql-int.h - what the PromQL parser, evaluator and function files share (private to engine/alert/). */
#ifndef PL_ENGINE_ALERT_PROMQL_INT_H
#define PL_ENGINE_ALERT_PROMQL_INT_H

#include "promql.h"

enum pq_fid {
	F_RATE, F_IRATE, F_INCREASE, F_DELTA, F_AVG_OT, F_MIN_OT, F_MAX_OT,
	F_SUM_OT, F_COUNT_OT, F_QUANTILE_OT, F_LAST_OT, F_ABSENT,
	F_ABSENT_OT, F_HISTOGRAM_QUANTILE, F_ABS, F_CLAMP_MIN, F_CLAMP_MAX,
	F_TIME, F_VECTOR, F_SCALAR
};

struct pq_func {
	const char *name;
	enum pq_fid id;
	enum pq_type ret;
	int min_args, max_args;
	enum pq_type args[2];
};

const struct pq_func *pq__func_lookup(const char *name, size_t len);
void pq__node_free(pq_node *n);
int pq__is_comparison(enum pq_op op);
int pq__is_setop(enum pq_op op);

/* A value during evaluation: a scalar or an instant vector. */
typedef struct pq_val {
	enum pq_type type;
	double scalar;
	pq_vector vec;
} pq_val;

/* The data a selector node read for the whole evaluation. */
struct pq_seldata {
	const pq_node *node;
	pq_series *s;
	size_t n;
};

struct pq_ev {
	const pq_reader *r;
	int64_t t;		/* the step being evaluated (ms) */
	struct pq_seldata *sels;
	size_t nsels;
	pq_sample *scratch;	/* a window's samples, markers skipped */
	size_t scratch_cap;
	char *err;
	size_t errlen;
	int failed;
};

int pq__error(struct pq_ev *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pq__eval(struct pq_ev *ev, const pq_node *n, pq_val *out);
struct pq_seldata *pq__seldata(struct pq_ev *ev, const pq_node *sel);
/*
 * The samples of series s inside [mint, maxt] with staleness markers
 * left out, in ev's scratch space (valid until the next call).
 */
size_t pq__window(struct pq_ev *ev, const pq_series *s, int64_t mint,
    int64_t maxt, const pq_sample **out);
int pq__vec_push(struct pq_ev *ev, pq_vector *v, pq_labels *lb, double x);
/* Fails with Prometheus' message when two elements share a label set. */
int pq__check_dups(struct pq_ev *ev, const pq_vector *v);
int pq__call(struct pq_ev *ev, const pq_node *n, pq_val *out);
/* Prometheus' quantile() over values (sorted in place, NaN first). */
double pq__quantile(double q, double *v, size_t n);
/* Go's math.Max / math.Min (NaN and infinities as Go treats them). */
double pq__go_max(double a, double b);
double pq__go_min(double a, double b);

#endif
