/* query.c - PromQL queries over the series store, answered in the shape of Prometheus' HTTP API (plumb monitor query, plumb serve). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "alert/pq-tsdb.h"
#include "buf.h"
#include "json.h"
#include "store/internal.h"

/*
 * JSON follows Prometheus 2.42's web/api/v1 encoders: a timestamp is a
 * JSON number of seconds written as integer seconds plus, when the
 * milliseconds are not zero, "." and exactly three digits
 * (jsonutil.MarshalTimestamp); a value is a string, Go's
 * strconv.FormatFloat(v, 'f', -1, 64) ("NaN", "+Inf", "-Inf").  Text
 * follows promtool query's printing of model values:
 * `name{a="b"} => 1.5 @[1700000000.5]`.
 */

static void
put_ts_json(struct buf *b, int64_t t)
{
	if (t < 0) {
		buf_putc(b, '-');
		t = -t;
	}
	buf_printf(b, "%" PRId64, t / 1000);
	if (t % 1000)
		buf_printf(b, ".%03d", (int)(t % 1000));
}

static void
put_value_json(struct buf *b, double v)
{
	char num[64];

	pq_go_float(num, sizeof num, v, 'f');
	buf_printf(b, "\"%s\"", num);
}

static void
put_metric_json(struct buf *b, const pq_labels *lb)
{
	buf_putc(b, '{');
	for (unsigned i = 0; i < lb->n; i++) {
		if (i)
			buf_putc(b, ',');
		json_quote(b, lb->l[i].name, strlen(lb->l[i].name));
		buf_putc(b, ':');
		json_quote(b, lb->l[i].value, strlen(lb->l[i].value));
	}
	buf_putc(b, '}');
}

/* model.Metric.String(): name{a="b", c="d"}, "{}" when empty. */
static void
put_metric_text(struct buf *b, pq_labels *lb)
{
	const char *name = pq_labels_get(lb, "__name__");
	pq_labels *rest = pq_labels_drop_name(lb);

	if (name)
		buf_puts(b, name);
	if (rest && (rest->n || name == NULL))
		pq_labels_str(b, rest);
	pq_labels_unref(rest);
}

/* model.Time.String(): seconds, shortest 'f' form. */
static void
put_ts_text(struct buf *b, int64_t t)
{
	char num[64];

	pq_go_float(num, sizeof num, (double)t / 1000.0, 'f');
	buf_printf(b, " @[%s]", num);
}

static void
put_value_text(struct buf *b, double v)
{
	char num[64];

	pq_go_float(num, sizeof num, v, 'f');
	buf_puts(b, num);
}

static void
instant_out(struct buf *b, const pq_result *r, int64_t t, int format)
{
	if (format == PL_QUERY_TEXT) {
		if (r->type == PQ_T_SCALAR) {
			buf_puts(b, "scalar: ");
			put_value_text(b, r->scalar);
			put_ts_text(b, t);
			buf_putc(b, '\n');
			return;
		}
		for (size_t i = 0; i < r->vec.n; i++) {
			put_metric_text(b, r->vec.e[i].lb);
			buf_puts(b, " => ");
			put_value_text(b, r->vec.e[i].v);
			put_ts_text(b, t);
			buf_putc(b, '\n');
		}
		return;
	}
	buf_puts(b, "{\"status\":\"success\",\"data\":{\"resultType\":");
	if (r->type == PQ_T_SCALAR) {
		buf_puts(b, "\"scalar\",\"result\":[");
		put_ts_json(b, t);
		buf_putc(b, ',');
		put_value_json(b, r->scalar);
		buf_puts(b, "]}}");
		return;
	}
	buf_puts(b, "\"vector\",\"result\":[");
	for (size_t i = 0; i < r->vec.n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_puts(b, "{\"metric\":");
		put_metric_json(b, r->vec.e[i].lb);
		buf_puts(b, ",\"value\":[");
		put_ts_json(b, t);
		buf_putc(b, ',');
		put_value_json(b, r->vec.e[i].v);
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}}");
}

static void
range_out(struct buf *b, const pq_matrix *m, int format)
{
	if (format == PL_QUERY_TEXT) {
		for (size_t i = 0; i < m->n; i++) {
			put_metric_text(b, m->series[i].lb);
			buf_puts(b, " =>\n");
			for (size_t k = 0; k < m->series[i].n; k++) {
				put_value_text(b, m->series[i].s[k].v);
				put_ts_text(b, m->series[i].s[k].t);
				buf_putc(b, '\n');
			}
		}
		return;
	}
	buf_puts(b, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"matrix\",\"result\":[");
	for (size_t i = 0; i < m->n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_puts(b, "{\"metric\":");
		put_metric_json(b, m->series[i].lb);
		buf_puts(b, ",\"values\":[");
		for (size_t k = 0; k < m->series[i].n; k++) {
			if (k)
				buf_putc(b, ',');
			buf_putc(b, '[');
			put_ts_json(b, m->series[i].s[k].t);
			buf_putc(b, ',');
			put_value_json(b, m->series[i].s[k].v);
			buf_putc(b, ']');
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}}");
}

/* Prometheus refuses more than 11,000 points per series in a range query. */
#define MAX_POINTS 11000

int
pl_promql_query(char **out, size_t *err_col, pl_store *st, const char *expr,
    int64_t start_ms, int64_t end_ms, int64_t step_ms, int format)
{
	pq_expr *e = NULL;
	pq_tsdb *t = NULL;
	pq_reader rd;
	struct buf b = { 0 };
	char err[512];
	int col = 0, rc;

	*out = NULL;
	if (err_col)
		*err_col = 0;
	if (pq_parse(&e, expr, &col, err, sizeof err) < 0) {
		if (err_col)
			*err_col = (size_t)col;
		return pl__err(st, PL_EINVAL, "%s", err);
	}
	if (step_ms < 0 || (step_ms > 0 && end_ms < start_ms)) {
		pq_expr_free(e);
		return pl__err(st, PL_EINVAL, step_ms < 0 ?
		    "zero or negative query resolution step widths are not "
		    "accepted" : "end timestamp must not be before start time");
	}
	if (step_ms > 0 && (end_ms - start_ms) / step_ms >= MAX_POINTS) {
		pq_expr_free(e);
		return pl__err(st, PL_EINVAL, "exceeded maximum resolution of "
		    "11,000 points per timeseries; try decreasing the query "
		    "resolution (--step)");
	}
	if (step_ms > 0 && pq_expr_type(e) != PQ_T_SCALAR &&
	    pq_expr_type(e) != PQ_T_VECTOR) {
		rc = pl__err(st, PL_EINVAL, "invalid expression type \"%s\" "
		    "for range query, must be Scalar or instant Vector",
		    pq_type_name(pq_expr_type(e)));
		pq_expr_free(e);
		return rc;
	}
	if ((t = pq_tsdb_new(st)) == NULL) {
		pq_expr_free(e);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	rd = pq_tsdb_reader(t);
	if (step_ms == 0) {
		pq_result r;

		if (pq_eval_instant(&r, e, &rd, start_ms, err, sizeof err) < 0) {
			rc = pl__err(st, PL_ERROR, "%s", err);
			goto done;
		}
		if (format != PL_QUERY_TEXT)
			pq_vector_sort(&r.vec);
		instant_out(&b, &r, start_ms, format);
		pq_result_dispose(&r);
	} else {
		pq_matrix m;

		if (pq_eval_range(&m, e, &rd, start_ms, end_ms, step_ms, err,
		    sizeof err) < 0) {
			rc = pl__err(st, PL_ERROR, "%s", err);
			goto done;
		}
		range_out(&b, &m, format);
		pq_matrix_dispose(&m);
	}
	if (format == PL_QUERY_JSON)
		buf_putc(&b, '\n');
	if ((*out = buf_detach(&b)) == NULL)
		*out = strdup("");
	rc = *out ? PL_OK : pl__err(st, PL_ENOMEM, "out of memory");
done:
	buf_free(&b);
	pq_tsdb_free(t);
	pq_expr_free(e);
	return rc;
}
