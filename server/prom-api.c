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
#include "timeparse.h"

/*
 * Shapes and status codes follow Prometheus 2.42 web/api/v1: success is
 * {"status":"success","data":...}; a bad parameter is 400 with
 * errorType "bad_data"; an expression that fails to evaluate is 422
 * "execution".  Times are RFC 3339 or Unix seconds with a fraction;
 * durations (step) are Prometheus durations or seconds.  Grafana's
 * Prometheus data source and `promtool query` use exactly these.
 */

#define JSON_CT "application/json"
#define MAX_MATCH 64

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

static int
time_param(struct srv_req *r, const char *name, int64_t dflt, int64_t *out)
{
	const char *s = srv_param(r, name);
	char msg[256];

	if (s == NULL || *s == '\0') {
		*out = dflt;
		return 0;
	}
	if (timeparse(s, out) == 0)
		return 0;
	snprintf(msg, sizeof msg, "invalid parameter \"%s\": cannot parse "
	    "\"%.100s\" to a valid timestamp", name, s);
	api_error(r, 400, "bad_data", msg);
	return -1;
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

static void
api_query(struct srv_req *r)
{
	const char *q = srv_param(r, "query");
	int64_t t;

	if (q == NULL || *q == '\0') {
		api_error(r, 400, "bad_data", "invalid parameter \"query\": "
		    "missing query");
		return;
	}
	if (time_param(r, "time", now_ms(), &t) < 0)
		return;
	run_query(r, q, t, t, 0);
}

static void
api_query_range(struct srv_req *r)
{
	const char *q = srv_param(r, "query"), *st = srv_param(r, "step");
	int64_t start, end;
	double step_s;

	if (q == NULL || *q == '\0') {
		api_error(r, 400, "bad_data", "invalid parameter \"query\": "
		    "missing query");
		return;
	}
	if (srv_param(r, "start") == NULL || srv_param(r, "end") == NULL) {
		api_error(r, 400, "bad_data", "invalid parameter \"start\" "
		    "or \"end\": both are required");
		return;
	}
	if (time_param(r, "start", 0, &start) < 0 ||
	    time_param(r, "end", 0, &end) < 0)
		return;
	if (end < start) {
		api_error(r, 400, "bad_data", "invalid parameter \"end\": end "
		    "timestamp must not be before start time");
		return;
	}
	if (st == NULL || pl_duration_parse(&step_s, st) < 0 ||
	    !(step_s > 0)) {
		api_error(r, 400, "bad_data", "invalid parameter \"step\": "
		    "zero or negative query resolution step widths are not "
		    "accepted. Try a positive integer");
		return;
	}
	run_query(r, q, start, end, (int64_t)llround(step_s * 1000.0));
}

/* The series of every match[] (or all when none), deduplicated by id. */
static int
select_series(struct srv_req *r, pl_store *st, pl_ts_set ***sets,
    size_t *nsets)
{
	const char *m[MAX_MATCH];
	size_t nm = srv_params(r, "match[]", m, MAX_MATCH);

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
api_meta(struct srv_req *r, int what, const char *label)
{
	const char *why = NULL;
	pl_store *st = srv_store(&why);
	pl_ts_set **sets = NULL;
	size_t nsets = 0, n = 0, cap = 0;
	const char **strs = NULL;
	int64_t start = INT64_MIN, end = INT64_MAX;
	int has_range = srv_param(r, "start") || srv_param(r, "end");
	struct buf b = { 0 };
	int first = 1;

	if (st == NULL) {
		api_error(r, 503, "unavailable", why);
		return;
	}
	if (time_param(r, "start", INT64_MIN, &start) < 0 ||
	    time_param(r, "end", INT64_MAX, &end) < 0)
		return;
	if (select_series(r, st, &sets, &nsets) < 0) {
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
api_rules(struct srv_req *r)
{
	const char *why = NULL, *type = srv_param(r, "type");
	const char *names[MAX_MATCH], *groups[MAX_MATCH], *files[MAX_MATCH];
	pl_store *st = srv_store(&why);
	pl_rules_filter f = { 0 };
	pl_config *cfg = NULL;
	char *path = NULL, *out = NULL, err[1024];
	int rc;

	if (st == NULL) {
		api_error(r, 503, "unavailable", why);
		return;
	}
	if (type && *type) {
		if (strcmp(type, "alert") == 0)
			f.type = PL_RULES_ALERTING;
		else if (strcmp(type, "record") == 0)
			f.type = PL_RULES_RECORDING;
		else {
			snprintf(err, sizeof err, "invalid parameter \"type\": "
			    "not supported value \"%.100s\"", type);
			api_error(r, 400, "bad_data", err);
			return;
		}
	}
	f.names = names;
	f.nnames = srv_params(r, "rule_name[]", names, MAX_MATCH);
	f.groups = groups;
	f.ngroups = srv_params(r, "rule_group[]", groups, MAX_MATCH);
	f.files = files;
	f.nfiles = srv_params(r, "file[]", files, MAX_MATCH);
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

int
srv_prom_api(struct srv_req *r)
{
	const char *p = r->path;

	if (strncmp(p, "/api/v1/", 8) != 0)
		return 0;
	p += 8;
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "POST") != 0) {
		api_error(r, 405, "bad_data", "method not allowed");
		return 1;
	}
	if (strcmp(p, "query") == 0)
		api_query(r);
	else if (strcmp(p, "query_range") == 0)
		api_query_range(r);
	else if (strcmp(p, "series") == 0)
		api_meta(r, 0, NULL);
	else if (strcmp(p, "labels") == 0)
		api_meta(r, 1, NULL);
	else if (strcmp(p, "alerts") == 0)
		api_alerts(r);
	else if (strcmp(p, "rules") == 0)
		api_rules(r);
	else if (strncmp(p, "label/", 6) == 0 &&
	    strlen(p) > 13 && strcmp(p + strlen(p) - 7, "/values") == 0) {
		char name[256];
		size_t len = strlen(p) - 6 - 7;

		if (len == 0 || len >= sizeof name) {
			api_error(r, 400, "bad_data", "invalid label name");
			return 1;
		}
		memcpy(name, p + 6, len);
		name[len] = '\0';
		api_meta(r, 2, name);
	} else if (strcmp(p, "status/buildinfo") == 0)
		srv_replyf(r, 200, JSON_CT, "{\"status\":\"success\",\"data\":"
		    "{\"version\":\"2.42.0\",\"revision\":\"plumb-%s\","
		    "\"branch\":\"plumb\",\"buildUser\":\"plumb\","
		    "\"buildDate\":\"\",\"goVersion\":\"none\"}}\n",
		    PACKAGE_VERSION);
	else
		api_error(r, 404, "not_found", "unknown API endpoint");
	return 1;
}
