/* prom-api.c - the read side of Prometheus' HTTP API over plumb's series store: query, query_range, series, labels, label values, alerts, rules, buildinfo. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "srv.h"
#include "json.h"
#include "prom-params.h"

/*
 * Shapes and status codes follow Prometheus 2.42 web/api/v1: success is
 * {"status":"success","data":...}; a bad parameter is 400 with
 * errorType "bad_data"; an expression that fails to evaluate is 422
 * "execution".  Times are RFC 3339 or Unix seconds with a fraction;
 * durations (step) are Prometheus durations or seconds.  Grafana's
 * Prometheus data source and `promtool query` use exactly these.
 */

#define JSON_CT "application/json"

static void
api_error(struct srv_req *r, int status, const char *type, const char *msg)
{
	struct buf b = { 0 };

	buf_puts(&b, "{\"status\":\"error\",\"errorType\":");
	json_quote(&b, type, strlen(type));
	buf_puts(&b, ",\"error\":");
	json_quote(&b, msg, strlen(msg));
	buf_puts(&b, "}\n");
	srv_reply_take(r, status, JSON_CT, buf_detach(&b));
	buf_free(&b);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs a query; err_col and messages become Prometheus' errors. */
static void
run_query(struct srv_req *r, const char *q, int64_t start, int64_t end,
    int64_t step)
{
	const char *why = NULL;
	pl_store *st = srv_store(&why);
	char *out = NULL, msg[768];
	size_t col = 0;
	int rc;

	if (st == NULL) {
		api_error(r, 503, "unavailable", why);
		return;
	}
	rc = pl_promql_query(&out, &col, st, q, start, end, step,
	    PL_QUERY_JSON);
	if (rc == PL_OK) {
		srv_reply_take(r, 200, JSON_CT, out);
		return;
	}
	if (col)
		snprintf(msg, sizeof msg, "invalid parameter \"query\": 1:%zu: "
		    "parse error: %s", col, pl_store_errmsg(st));
	else
		snprintf(msg, sizeof msg, "%s", pl_store_errmsg(st));
	api_error(r, rc == PL_EINVAL ? 400 : 422, rc == PL_EINVAL ?
	    "bad_data" : "execution", msg);
}

/* The series of every match[] (or all when none), deduplicated by id. */
static int
select_series(struct srv_req *r, const struct prom_params *pp, pl_store *st,
    pl_ts_set ***sets, size_t *nsets)
{
	const char *const *m = pp->match;
	size_t nm = pp->nmatch;

	*sets = calloc(nm ? nm : 1, sizeof **sets);
	*nsets = 0;
	if (*sets == NULL) {
		api_error(r, 500, "internal", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < (nm ? nm : 1); i++) {
		pl_matcher *mt = NULL;
		size_t nmt = 0, off = 0;
		char err[256], msg[512];

		if (nm && pl_ts_selector_parse(&mt, &nmt, m[i], err,
		    sizeof err, &off) != PL_OK) {
			snprintf(msg, sizeof msg, "invalid parameter "
			    "\"match[]\": 1:%zu: parse error: %s", off + 1,
			    err);
			api_error(r, 400, "bad_data", msg);
			return -1;
		}
		if (pl_ts_select(&(*sets)[i], st, mt, nmt) != PL_OK) {
			free(mt);
			api_error(r, 422, "execution", pl_store_errmsg(st));
			return -1;
		}
		free(mt);
		(*nsets)++;
	}
	return 0;
}

static void
free_sets(pl_ts_set **sets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pl_ts_set_free(sets[i]);
	free(sets);
}

/* 1 when series id has a sample in [start, end] (no bounds: always). */
static int
in_range(pl_store *st, int64_t id, int has_range, int64_t start, int64_t end)
{
	pl_ts_sample *s = NULL;
	size_t n = 0;

	if (!has_range)
		return 1;
	if (pl_ts_read(&s, &n, st, id, start, end) != PL_OK)
		return 0;
	free(s);
	return n > 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * /series: label sets; /labels: names; /label/NAME/values: values.
 * Strings are collected, sorted and deduplicated.
 */
static void
api_meta(struct srv_req *r, const struct prom_params *pp)
{
	const char *why = NULL, *label = pp->label;
	pl_store *st = srv_store(&why);
	pl_ts_set **sets = NULL;
	size_t nsets = 0, n = 0, cap = 0;
	const char **strs = NULL;
	int64_t start = pp->start, end = pp->end;
	int has_range = pp->has_range;
	int what = pp->ep == PROM_SERIES ? 0 : pp->ep == PROM_LABELS ? 1 : 2;
	struct buf b = { 0 };
	int first = 1;

	if (st == NULL) {
		api_error(r, 503, "unavailable", why);
		return;
	}
	if (select_series(r, pp, st, &sets, &nsets) < 0) {
		free_sets(sets, nsets);
		return;
	}
	buf_puts(&b, "{\"status\":\"success\",\"data\":[");
	for (size_t k = 0; k < nsets; k++) {
		for (size_t i = 0; i < sets[k]->n; i++) {
			const pl_ts_series *s = &sets[k]->v[i];

			if (!in_range(st, s->id, has_range, start, end))
				continue;
			if (what == 0) {
				/* one object per series (a series matched
				 * twice shows twice only across match[]s) */
				buf_puts(&b, first ? "{" : ",{");
				first = 0;
				buf_puts(&b, "\"__name__\":");
				json_quote(&b, s->name, strlen(s->name));
				for (size_t l = 0; l < s->nlabels; l++) {
					buf_putc(&b, ',');
					json_quote(&b, s->labels[l].name,
					    strlen(s->labels[l].name));
					buf_putc(&b, ':');
					json_quote(&b, s->labels[l].value,
					    strlen(s->labels[l].value));
				}
				buf_putc(&b, '}');
				continue;
			}
			for (size_t l = 0; l <= s->nlabels; l++) {
				const char *v;

				if (what == 1)
					v = l == 0 ? "__name__" :
					    s->labels[l - 1].name;
				else if (l > 0)
					break;
				else if ((v = pl_ts_label(s, label)) == NULL)
					continue;
				if (n == cap) {
					size_t nc = cap ? cap * 2 : 64;
					const char **g = realloc(strs,
					    nc * sizeof *g);

					if (g == NULL)
						goto oom;
					strs = g;
					cap = nc;
				}
				strs[n++] = v;
			}
		}
	}
	if (what != 0) {
		if (n)	/* (strs is NULL when nothing matched) */
			qsort(strs, n, sizeof *strs, cmp_str);
		for (size_t i = 0; i < n; i++) {
			if (i && strcmp(strs[i], strs[i - 1]) == 0)
				continue;
			if (!first)
				buf_putc(&b, ',');
			first = 0;
			json_quote(&b, strs[i], strlen(strs[i]));
		}
	}
	buf_puts(&b, "]}\n");
	srv_reply_take(r, 200, JSON_CT, buf_detach(&b));
	buf_free(&b);
	free(strs);
	free_sets(sets, nsets);
	return;
oom:
	buf_free(&b);
	free(strs);
	free_sets(sets, nsets);
	api_error(r, 500, "internal", "out of memory");
}

/* /alerts: the alerts the watcher keeps, pending and firing. */
static void
api_alerts(struct srv_req *r)
{
	const char *why = NULL;
	pl_store *st = srv_store(&why);
	char *out = NULL;

	if (st == NULL) {
		api_error(r, 503, "unavailable", why);
		return;
	}
	if (pl_alerts_prom_json(&out, st, now_ms()) != PL_OK) {
		api_error(r, 500, "internal", pl_store_errmsg(st));
		return;
	}
	srv_reply_take(r, 200, JSON_CT, out);
}

/*
 * /rules: the rules of plumb.yaml (found as the watcher finds it: up
 * from the working directory, else beside the store) with their states;
 * type=alert|record, rule_name[], rule_group[], file[] filter them.
 */
static void
api_rules(struct srv_req *r, const struct prom_params *pp)
{
	const char *why = NULL;
	pl_store *st = srv_store(&why);
	pl_rules_filter f = { pp->rules_type, pp->names, pp->nnames,
	    pp->groups, pp->ngroups, pp->files, pp->nfiles };
	pl_config *cfg = NULL;
	char *path = NULL, *out = NULL, err[1024];
	int rc;

	if (st == NULL) {
		api_error(r, 503, "unavailable", why);
		return;
	}
	rc = pl_config_find(&path, NULL, pl_store_dir(st));
	if (rc == PL_OK)
		rc = pl_config_load(&cfg, path, err, sizeof err);
	else if (rc == PL_ENOTFOUND)
		rc = PL_OK;	/* no plumb.yaml: the built-in rules */
	else
		snprintf(err, sizeof err, "plumb.yaml: %s", pl_strerror(rc));
	free(path);
	if (rc != PL_OK) {
		/* the server's configuration, not the request, is wrong */
		api_error(r, 500, "internal", err);
		return;
	}
	rc = pl_rules_prom_json(&out, st, cfg, &f, now_ms());
	pl_config_free(cfg);
	if (rc != PL_OK) {
		api_error(r, 500, "internal", pl_store_errmsg(st));
		return;
	}
	srv_reply_take(r, 200, JSON_CT, out);
}

static const char *
get_param(void *ctx, const char *name)
{
	return srv_param(ctx, name);
}

static size_t
get_params(void *ctx, const char *name, const char **out, size_t max)
{
	return srv_params(ctx, name, out, max);
}

int
srv_prom_api(struct srv_req *r)
{
	struct prom_params pp;
	const char *etype = NULL;
	char msg[512];
	int status;

	if (strncmp(r->path, "/api/v1/", 8) != 0)
		return 0;
	status = prom_params_parse(&pp, r->method, r->path + 8, get_param,
	    get_params, r, now_ms(), &etype, msg, sizeof msg);
	if (status) {
		api_error(r, status, etype, msg);
		return 1;
	}
	switch (pp.ep) {
	case PROM_QUERY:
		run_query(r, pp.query, pp.start, pp.end, 0);
		break;
	case PROM_QUERY_RANGE:
		run_query(r, pp.query, pp.start, pp.end, pp.step);
		break;
	case PROM_SERIES:
	case PROM_LABELS:
	case PROM_LABEL_VALUES:
		api_meta(r, &pp);
		break;
	case PROM_ALERTS:
		api_alerts(r);
		break;
	case PROM_RULES:
		api_rules(r, &pp);
		break;
	case PROM_BUILDINFO:
		srv_replyf(r, 200, JSON_CT, "{\"status\":\"success\",\"data\":"
		    "{\"version\":\"2.42.0\",\"revision\":\"plumb-%s\","
		    "\"branch\":\"plumb\",\"buildUser\":\"plumb\","
		    "\"buildDate\":\"\",\"goVersion\":\"none\"}}\n",
		    PACKAGE_VERSION);
		break;
	}
	return 1;
}
