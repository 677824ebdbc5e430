/* promql-fuzz.c - libFuzzer harness for the PromQL parser and evaluator (engine/alert/promql-*.c). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "promql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Parses the input as a PromQL expression.  On failure the contract is
 * a message and a column inside the text (1..len+1).  On success the
 * expression is evaluated, instant and range, over a small fixed series
 * set (a counter with a reset, a histogram, a gauge with NaN and a
 * staleness marker) - any crash, leak or sanitizer report is a bug.
 */
static pq_mem *
fixture(void)
{
	static const char *metrics[] = {
		"c_total{job=\"a\",i=\"1\"}", "c_total{job=\"b\",i=\"1\"}",
		"h_bucket{le=\"0.1\"}", "h_bucket{le=\"1\"}",
		"h_bucket{le=\"+Inf\"}", "g{job=\"a\"}",
	};
	pq_mem *m = pq_mem_new();
	for (size_t k = 0; k < sizeof metrics / sizeof metrics[0]; k++) {
		pq_labels *lb;
		int col;
		char err[64];
		const char *why;
		if (pq_parse_metric(&lb, metrics[k], &col, err, sizeof err) < 0)
			abort();
		for (int i = 0; i < 20; i++) {
			double v = (double)(i * (int)(k + 1) % 17);
			if (k == 5 && i == 7)
				v = NAN;
			if (k == 5 && i == 15)
				v = pq_stale_nan();
			pq_mem_append(m, lb, (int64_t)i * 30000, v, &why);
		}
		pq_labels_unref(lb);
	}
	return m;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pq_mem *m;
	char *text = malloc(size + 1), err[512];
	pq_expr *e;
	int col;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!m)
		m = fixture();
	if (pq_parse(&e, text, &col, err, sizeof err) < 0) {
		if (!err[0] || col < 1 || (size_t)col > strlen(text) + 1)
			abort();
	} else {
		pq_reader r = pq_mem_reader(m);
		pq_result res;
		pq_matrix mx;
		if (pq_expr_type(e) == PQ_T_SCALAR ||
		    pq_expr_type(e) == PQ_T_VECTOR) {
			if (pq_eval_instant(&res, e, &r, 300000, err,
			    sizeof err) == 0)
				pq_result_dispose(&res);
			else if (!err[0])
				abort();
			if (pq_eval_range(&mx, e, &r, 0, 600000, 60000, err,
			    sizeof err) == 0)
				pq_matrix_dispose(&mx);
		}
		pq_expr_free(e);
	}
	free(text);
	return 0;
}
