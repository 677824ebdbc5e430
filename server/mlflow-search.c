/* mlflow-search.c - MLflow's searches on plumb: runs/search (filter and order_by onto plumb's run queries), experiments/search, metrics/get-history, with page tokens. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mlflow.h"

#define RUNS_MAX_RESULTS 50000		/* MLflow's SEARCH_MAX_RESULTS_THRESHOLD */
#define RUNS_DEFAULT_RESULTS 1000
#define EXPS_MAX_RESULTS 50000
#define EXPS_DEFAULT_RESULTS 1000
#define HISTORY_DEFAULT_RESULTS 25000

/* view_type / run_view_type: by name or proto number; ACTIVE_ONLY when
 * absent. */
static int
read_view(struct ml_call *c, const char *field, int *out)
{
	json_t *v = json_object_get(c->in, field);

	*out = PL_VIEW_ACTIVE;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (strcmp(s, "ACTIVE_ONLY") == 0 || strcmp(s, "1") == 0)
			return 0;
		if (strcmp(s, "DELETED_ONLY") == 0 || strcmp(s, "2") == 0) {
			*out = PL_VIEW_DELETED;
			return 0;
		}
		if (strcmp(s, "ALL") == 0 || strcmp(s, "3") == 0) {
			*out = PL_VIEW_ALL;
			return 0;
		}
	} else if (json_is_integer(v) && json_integer_value(v) >= 1 &&
	    json_integer_value(v) <= 3) {
		*out = json_integer_value(v) == 1 ? PL_VIEW_ACTIVE :
		    json_integer_value(v) == 2 ? PL_VIEW_DELETED : PL_VIEW_ALL;
		return 0;
	}
	ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid value for parameter "
	    "'%s': expected ACTIVE_ONLY, DELETED_ONLY or ALL", field);
	return -1;
}

static int
read_max(struct ml_call *c, int64_t def, int64_t limit, int64_t *out)
{
	if (ml_get_i64(c, c->in, "max_results", 0, def, out) < 0)
		return -1;
	if (*out <= 0 || *out > limit) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid value for "
		    "parameter 'max_results' supplied. It must be a positive "
		    "integer at most %lld, not %lld", (long long)limit,
		    (long long)*out);
		return -1;
	}
	return 0;
}

/* ---- runs/search ---- */

/* order_by entries as plumb's comma-separated sort: each "KEY [ASC|DESC]"
 * is a plumb sort key as written.  A comma inside one would split it. */
static int
runs_sort(struct ml_call *c, struct buf *out)
{
	const char **v;
	size_t n;

	if (ml_get_strs(c, "order_by", &v, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strchr(v[i], ',')) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid order_by "
			    "clause '%.200s'", v[i]);
			free(v);
			return -1;
		}
		if (*v[i])
			buf_printf(out, "%s%s", out->len ? "," : "", v[i]);
	}
	free(v);
	return 0;
}

void
ml_runs_search(struct ml_call *c)
{
	const char **exps = NULL, *filter, *token;
	int64_t *ids = NULL, max, offset;
	size_t nexp = 0;
	struct buf sort = BUF_INIT;
	pl_runlist *l = NULL;
	pl_query q;
	json_t *runs = NULL, *o;
	int rc, began = 0;

	memset(&q, 0, sizeof q);
	if (ml_get_strs(c, "experiment_ids", &exps, &nexp) < 0 ||
	    ml_get_str(c, c->in, "filter", 0, &filter) < 0 ||
	    read_view(c, "run_view_type", &q.view) < 0 ||
	    read_max(c, RUNS_DEFAULT_RESULTS, RUNS_MAX_RESULTS, &max) < 0 ||
	    ml_get_str(c, c->in, "page_token", 0, &token) < 0 ||
	    ml_token_offset(c, token, &offset) < 0 || runs_sort(c, &sort) < 0)
		goto done;
	if ((ids = calloc(nexp + 1, sizeof *ids)) == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	for (size_t i = 0; i < nexp; i++)
		if (ml_exp_resolve(c, exps[i], &ids[i]) < 0)
			goto done;
	if (nexp == 0) {	/* MLflow needs one; plumb searches all */
		q.experiment_ids = NULL;
	} else {
		q.experiment_ids = ids;
		q.n_experiment_ids = nexp;
	}
	q.filter = filter;
	q.sort = sort.len ? buf_str(&sort) : NULL;
	/* One more than the page: is there a next one? */
	q.limit = offset + max + 1;
	if ((rc = pl_runs_query(&l, c->st, &q)) != PL_OK) {
		if (rc == PL_EINVAL)
			ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid search "
			    "(filter or order_by): %s", pl_store_errmsg(c->st));
		else
			ml_engine_error(c, rc);
		goto done;
	}
	runs = json_array();
	began = pl_store_read_begin(c->st);
	for (size_t i = (size_t)offset; runs && i < pl_runlist_count(l) &&
	    i < (size_t)(offset + max); i++) {
		const pl_run_row *row;
		pl_run_info *ri;
		json_t *r;

		if (pl_runlist_row(&row, l, i) != PL_OK)
			continue;
		/* A run deleted from the store since the query: skip it. */
		if (pl_run_get(&ri, c->st, row->id) != PL_OK)
			continue;
		r = ml_run_json(c->st, ri, &rc);
		pl_run_info_free(ri);
		if (r)
			json_array_append_new(runs, r);
	}
	pl_store_read_end(c->st, began);
	if (runs == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	o = json_object();
	/* MLflow leaves empty lists out: {} when nothing matched. */
	if (json_array_size(runs))
		json_object_set(o, "runs", runs);
	if (pl_runlist_count(l) > (size_t)(offset + max)) {
		char *t = ml_token_make(offset + max);

		if (t)
			json_object_set_new(o, "next_page_token", json_string(t));
		free(t);
	}
	ml_ok(c, o);
done:
	json_decref(runs);
	pl_runlist_free(l);
	buf_free(&sort);
	free(ids);
	free(exps);
}

/* ---- experiments/search ---- */

/*
 * The filter of experiments/search: clauses joined by AND, each
 * IDENT OP VALUE, where IDENT is name, creation_time, last_update_time
 * (optionally attribute(s).) or tags.KEY (KEY bare, `quoted` or
 * "quoted"), OP is = != < <= > >= LIKE ILIKE, and VALUE a 'string' or a
 * number.  Few experiments exist: they are matched here, in memory.
 */
struct eclause {
	char kind;		/* 'n' name, 'c' creation, 'u' update, 't' tag */
	char key[256];
	char op[8];
	char text[1024];
	double num;
	int is_num;
};

static const char *
skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int
read_word(const char **pp, char *out, size_t len)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '`' || *p == '"') {
		char q = *p++;

		while (*p && *p != q && n + 1 < len)
			out[n++] = *p++;
		if (*p != q)
			return -1;
		p++;
	} else {
		while ((isalnum((unsigned char)*p) || strchr("_.-/", *p)) &&
		    *p && n + 1 < len)
			out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p;
	return n ? 0 : -1;
}

static int
parse_eclauses(const char *f, struct eclause **out, size_t *n)
{
	static const char *const ops[] = {
		"<=", ">=", "!=", "=", "<", ">",
	};
	const char *p = skip_ws(f);

	*out = NULL;
	*n = 0;
	while (*p) {
		struct eclause e, *g;
		char ident[300];

		memset(&e, 0, sizeof e);
		if (read_word(&p, ident, sizeof ident) < 0)
			return -1;
		if (strncasecmp(ident, "tags.", 5) == 0 ||
		    strncasecmp(ident, "tag.", 4) == 0) {
			const char *k = strchr(ident, '.') + 1;

			e.kind = 't';
			if (*k == '\0') {	/* tags.`quoted key` */
				if (read_word(&p, e.key, sizeof e.key) < 0)
					return -1;
			} else {
				snprintf(e.key, sizeof e.key, "%s", k);
			}
		} else {
			const char *a = ident;

			if (strncasecmp(a, "attributes.", 11) == 0)
				a += 11;
			else if (strncasecmp(a, "attribute.", 10) == 0)
				a += 10;
			if (strcasecmp(a, "name") == 0)
				e.kind = 'n';
			else if (strcasecmp(a, "creation_time") == 0)
				e.kind = 'c';
			else if (strcasecmp(a, "last_update_time") == 0)
				e.kind = 'u';
			else
				return -1;
		}
		p = skip_ws(p);
		for (size_t i = 0; i < sizeof ops / sizeof ops[0] &&
		    !e.op[0]; i++)
			if (strncmp(p, ops[i], strlen(ops[i])) == 0) {
				snprintf(e.op, sizeof e.op, "%s", ops[i]);
				p += strlen(ops[i]);
			}
		if (!e.op[0]) {
			if (strncasecmp(p, "ILIKE", 5) == 0)
				snprintf(e.op, sizeof e.op, "ILIKE");
			else if (strncasecmp(p, "LIKE", 4) == 0)
				snprintf(e.op, sizeof e.op, "LIKE");
			else
				return -1;
			p += strlen(e.op);
		}
		p = skip_ws(p);
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			size_t k = 0;

			while (*p && *p != q && k + 1 < sizeof e.text)
				e.text[k++] = *p++;
			if (*p != q)
				return -1;
			p++;
		} else {
			char *end;

			e.num = strtod(p, &end);
			if (end == p)
				return -1;
			e.is_num = 1;
			p = end;
		}
		/* numbers for the times, strings for name and tags */
		if ((e.kind == 'c' || e.kind == 'u') != e.is_num)
			return -1;
		if (e.is_num && strstr("LIKE ILIKE", e.op))
			return -1;
		if (!e.is_num && strchr("<>", e.op[0]))
			return -1;
		if ((g = realloc(*out, (*n + 1) * sizeof *g)) == NULL)
			return -1;
		*out = g;
		g[(*n)++] = e;
		p = skip_ws(p);
		if (*p == '\0')
			break;
		if (strncasecmp(p, "and", 3) != 0 || !isspace((unsigned char)p[3]))
			return -1;
		p = skip_ws(p + 3);
	}
	return 0;
}

static int
cmp_num(const char *op, double a, double b)
{
	if (strcmp(op, "=") == 0) return a == b;
	if (strcmp(op, "!=") == 0) return a != b;
	if (strcmp(op, "<") == 0) return a < b;
	if (strcmp(op, "<=") == 0) return a <= b;
	if (strcmp(op, ">") == 0) return a > b;
	return a >= b;
}

static int
exp_matches(const pl_experiment_rec *e, const struct eclause *cl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;

		if (cl[i].kind == 'c' || cl[i].kind == 'u') {
			if (!cmp_num(cl[i].op, (double)(cl[i].kind == 'c' ?
			    e->created_ms : e->updated_ms), cl[i].num))
				return 0;
			continue;
		}
		if (cl[i].kind == 'n')
			s = e->name;
		for (size_t k = 0; cl[i].kind == 't' && k < e->tags->n; k++)
			if (strcmp(e->tags->items[k].key, cl[i].key) == 0)
				s = e->tags->items[k].value;
		if (s == NULL)	/* a missing tag never matches */
			return 0;
		if (strcmp(cl[i].op, "=") == 0 ? strcmp(s, cl[i].text) != 0 :
		    strcmp(cl[i].op, "!=") == 0 ? strcmp(s, cl[i].text) == 0 :
		    !pl_like_match(cl[i].text, s, cl[i].op[0] == 'I'))
			return 0;
	}
	return 1;
}

/* order_by of experiments: up to 4 keys of name, experiment_id,
 * creation_time, last_update_time. */
struct eorder {
	char key;		/* 'n', 'i', 'c', 'u' */
	int desc;
};

static int
parse_eorder(const char *s, struct eorder *o)
{
	char word[64];
	const char *p = skip_ws(s);

	if (read_word(&p, word, sizeof word) < 0)
		return -1;
	{
		const char *a = word;

		if (strncasecmp(a, "attributes.", 11) == 0)
			a += 11;
		else if (strncasecmp(a, "attribute.", 10) == 0)
			a += 10;
		if (strcasecmp(a, "name") == 0)
			o->key = 'n';
		else if (strcasecmp(a, "experiment_id") == 0)
			o->key = 'i';
		else if (strcasecmp(a, "creation_time") == 0)
			o->key = 'c';
		else if (strcasecmp(a, "last_update_time") == 0)
			o->key = 'u';
		else
			return -1;
	}
	p = skip_ws(p);
	o->desc = 0;
	if (strncasecmp(p, "DESC", 4) == 0) {
		o->desc = 1;
		p += 4;
	} else if (strncasecmp(p, "ASC", 3) == 0) {
		p += 3;
	}
	return *skip_ws(p) ? -1 : 0;
}

struct eorders {
	const struct eorder *v;
	size_t n;
};

static int
cmp_exp(const void *a, const void *b, void *ctx)
{
	const struct eorders *ords = ctx;
	const pl_experiment_rec *x = *(pl_experiment_rec *const *)a;
	const pl_experiment_rec *y = *(pl_experiment_rec *const *)b;

	for (size_t i = 0; i < ords->n; i++) {
		int c = 0;

		switch (ords->v[i].key) {
		case 'n': c = strcmp(x->name, y->name); break;
		case 'i': c = (x->id > y->id) - (x->id < y->id); break;
		case 'c': c = (x->created_ms > y->created_ms) -
		    (x->created_ms < y->created_ms); break;
		case 'u': c = (x->updated_ms > y->updated_ms) -
		    (x->updated_ms < y->updated_ms); break;
		}
		if (c)
			return ords->v[i].desc ? -c : c;
	}
	return 0;
}

void
ml_experiments_search(struct ml_call *c)
{
	const char *filter, *token, **order = NULL;
	struct eclause *cl = NULL;
	struct eorder ord[6];
	size_t ncl = 0, norder = 0, nord = 0, nall = 0, k = 0;
	pl_experiment_rec **all = NULL;
	int64_t max, offset, dflt;
	json_t *list = NULL, *o;
	int view, rc;

	if (ml_get_str(c, c->in, "filter", 0, &filter) < 0 ||
	    read_view(c, "view_type", &view) < 0 ||
	    read_max(c, EXPS_DEFAULT_RESULTS, EXPS_MAX_RESULTS, &max) < 0 ||
	    ml_get_str(c, c->in, "page_token", 0, &token) < 0 ||
	    ml_token_offset(c, token, &offset) < 0 ||
	    ml_get_strs(c, "order_by", &order, &norder) < 0)
		goto done;
	if (filter && parse_eclauses(filter, &cl, &ncl) < 0) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid filter "
		    "'%.200s': experiments filter on name, creation_time, "
		    "last_update_time and tags.KEY, clauses joined by AND",
		    filter);
		goto done;
	}
	for (size_t i = 0; i < norder; i++) {
		if (nord == 4 || parse_eorder(order[i], &ord[nord]) < 0) {
			ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid order_by "
			    "clause '%.200s'", order[i]);
			goto done;
		}
		nord++;
	}
	/* MLflow's default and tie-breaks. */
	ord[nord++] = (struct eorder){ 'c', 1 };
	ord[nord++] = (struct eorder){ 'i', 0 };
	if (ml_exp_resolve(c, "0", &dflt) < 0)	/* Default exists */
		goto done;
	if ((rc = pl_experiment_read_all(&all, &nall, c->st)) != PL_OK) {
		ml_engine_error(c, rc);
		goto done;
	}
	{
		struct eorders ords = { ord, nord };

		qsort_r(all, nall, sizeof *all, cmp_exp, &ords);
	}
	list = json_array();
	for (size_t i = 0; list && i < nall; i++) {
		if ((view == PL_VIEW_ACTIVE && all[i]->deleted_ms) ||
		    (view == PL_VIEW_DELETED && !all[i]->deleted_ms) ||
		    !exp_matches(all[i], cl, ncl))
			continue;
		if (k >= (size_t)offset && k < (size_t)(offset + max))
			json_array_append_new(list, ml_experiment_json(all[i]));
		k++;
	}
	if (list == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		goto done;
	}
	o = json_object();
	if (json_array_size(list))
		json_object_set(o, "experiments", list);
	if (k > (size_t)(offset + max)) {
		char *t = ml_token_make(offset + max);

		if (t)
			json_object_set_new(o, "next_page_token", json_string(t));
		free(t);
	}
	ml_ok(c, o);
done:
	json_decref(list);
	pl_experiment_recs_free(all, nall);
	free(cl);
	free(order);
}

/* ---- metrics/get-history ---- */

void
ml_metrics_history(struct ml_call *c)
{
	char id[PL_ID_LEN + 1];
	const char *key, *token;
	int64_t max, offset;
	pl_point *pts = NULL;
	size_t n = 0;
	json_t *list, *o;
	int rc;

	if (ml_get_run(c, 0, id, NULL) < 0 ||
	    ml_get_str(c, c->in, "metric_key", 1, &key) < 0 ||
	    read_max(c, HISTORY_DEFAULT_RESULTS, INT64_MAX / 2, &max) < 0 ||
	    ml_get_str(c, c->in, "page_token", 0, &token) < 0 ||
	    ml_token_offset(c, token, &offset) < 0)
		return;
	rc = pl_metric_series(&pts, &n, c->st, id, key);
	if (rc != PL_OK && rc != PL_ENOTFOUND) {
		ml_engine_error(c, rc);
		return;
	}
	/* A key the run never logged: an empty history, as MLflow's. */
	list = json_array();
	for (size_t i = (size_t)offset; list && i < n &&
	    i < (size_t)offset + (size_t)max; i++)
		json_array_append_new(list, json_pack("{s:s,s:o,s:I,s:I}",
		    "key", key, "value", ml_num(pts[i].value),
		    "timestamp", (json_int_t)pts[i].ts_ms,
		    "step", (json_int_t)pts[i].step));
	free(pts);
	if (list == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return;
	}
	o = json_object();
	if (json_array_size(list))
		json_object_set(o, "metrics", list);
	if ((size_t)offset + (size_t)max < n) {
		char *t = ml_token_make(offset + (int64_t)max);

		if (t)
			json_object_set_new(o, "next_page_token", json_string(t));
		free(t);
	}
	json_decref(list);
	ml_ok(c, o);
}
