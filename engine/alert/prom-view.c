/* prom-view.c - plumb's rules and alert states as the bodies of Prometheus' /api/v1/rules and /api/v1/alerts. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "alert/alert.h"
#include "alert/rules.h"
#include "store/internal.h"

/*
 * Shapes of Prometheus 2.42's web/api/v1 (AlertDiscovery, RuleDiscovery,
 * AlertingRule, RecordingRule), which Grafana's alert list and rule
 * views read.  The rules are the ones plumb.yaml loads (as the watcher
 * loads them); alert instances and their states are the open rows of
 * the alert history the watcher keeps (pl_alerts_active).  The watcher
 * is another process and keeps no per-rule health, so health is
 * measured here: while a watcher runs, each listed rule's expression is
 * evaluated at the request's time over the same store with the same
 * engine (ok, or err with lastError), and lastEvaluation and
 * evaluationTime are those of that evaluation; with no watcher running
 * nothing evaluates the rules, and health is "unknown" with Go's zero
 * time, as Prometheus shows a rule it has not evaluated yet.
 */

/* Go's time.Time in JSON (RFC 3339 with the fraction's trailing zeros
 * cut, UTC); ms 0 or less: the zero time. */
static void
put_time(struct json *j, int64_t ms)
{
	char s[64];
	struct tm tm;
	time_t t;
	int len;

	if (ms <= 0) {
		json_str(j, "0001-01-01T00:00:00Z");
		return;
	}
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	len = (int)strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms % 1000) {
		len += snprintf(s + len, sizeof s - (size_t)len, ".%03d",
		    (int)(ms % 1000));
		while (s[len - 1] == '0')
			s[--len] = '\0';
	}
	snprintf(s + len, sizeof s - (size_t)len, "Z");
	json_str(j, s);
}

/* Seconds as Go marshals a float64 of whole seconds: an integer when
 * it is one. */
static void
put_secs(struct json *j, int64_t ms)
{
	if (ms % 1000 == 0)
		json_int(j, ms / 1000);
	else
		json_num(j, (double)ms / 1000.0);
}

/* A label set stored as text ({a="b", ...}) as a JSON object; {} when
 * the text does not parse (it was written by plumb, so never). */
static void
put_label_text(struct json *j, const char *text)
{
	pq_labels *lb = NULL;
	char err[128];
	int col;

	json_obj_begin(j);
	if (text && pq_parse_metric(&lb, text, &col, err, sizeof err) == 0 &&
	    lb) {
		for (unsigned i = 0; i < lb->n; i++) {
			json_key(j, lb->l[i].name);
			json_str(j, lb->l[i].value);
		}
	}
	pq_labels_unref(lb);
	json_obj_end(j);
}

/* names[i] = values[i], sorted by name as labels.Labels marshals. */
static void
put_map(struct json *j, char **names, char **values, size_t n)
{
	size_t done = 0;
	const char *last = NULL;

	json_obj_begin(j);
	/* n is small (a rule's labels): select the next name each time */
	while (done < n) {
		size_t k = n;

		for (size_t i = 0; i < n; i++)
			if ((last == NULL || strcmp(names[i], last) > 0) &&
			    (k == n || strcmp(names[i], names[k]) < 0))
				k = i;
		if (k == n)
			break;
		json_key(j, names[k]);
		json_str(j, values && values[k] ? values[k] : "");
		last = names[k];
		done++;
	}
	json_obj_end(j);
}

/* Go's strconv.FormatFloat(v, 'e', -1, 64), Prometheus' alert value. */
static void
put_value(struct json *j, double v)
{
	char s[64];

	pq_go_float(s, sizeof s, v, 'e');
	json_str(j, s);
}

static void
put_alert(struct json *j, const pl_alert_row *a)
{
	json_obj_begin(j);
	json_key(j, "labels");
	put_label_text(j, a->labels);
	json_key(j, "annotations");
	put_label_text(j, a->annotations);
	json_key(j, "state");
	json_str(j, a->state);
	json_key(j, "activeAt");
	put_time(j, a->active_ms);
	json_key(j, "value");
	put_value(j, a->value);
	json_obj_end(j);
}

int
pl_alerts_prom_json(char **out, pl_store *st, int64_t now_ms)
{
	pl_alert_row *rows = NULL;
	size_t n = 0;
	struct buf b = BUF_INIT;
	struct json j;
	int rc;

	*out = NULL;
	if ((rc = pl_alerts_active(&rows, &n, st, now_ms)) != PL_OK)
		return rc;
	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "status");
	json_str(&j, "success");
	json_key(&j, "data");
	json_obj_begin(&j);
	json_key(&j, "alerts");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++)
		put_alert(&j, &rows[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_obj_end(&j);
	pl_alert_rows_free(rows, n);
	if (json_error(&j) || buf_putc(&b, '\n') < 0) {
		buf_free(&b);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	*out = buf_detach(&b);
	return PL_OK;
}

/* 1 when s is one of list (or the list is empty). */
static int
listed(const char *s, const char *const *list, size_t n)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int
rule_listed(const struct pl_rule *r, const pl_rules_filter *f)
{
	if (f == NULL)
		return 1;
	if ((f->type == PL_RULES_ALERTING && !r->alert) ||
	    (f->type == PL_RULES_RECORDING && r->alert))
		return 0;
	return listed(r->name, f->names, f->nnames);
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Health of one rule: its expression evaluated at now_ms; *secs gets
 * how long that took.  Returns 1 ok, 0 err (message in err). */
static int
rule_health(pl_store *st, const struct pl_rule *r, int64_t now_ms,
    double *secs, char *err, size_t errlen)
{
	char *o = NULL;
	size_t col = 0;
	int64_t t0 = mono_ns();
	int rc = pl_promql_query(&o, &col, st, r->expr_text, now_ms, now_ms,
	    0, PL_QUERY_JSON);

	*secs = (double)(mono_ns() - t0) / 1e9;
	free(o);
	if (rc == PL_OK)
		return 1;
	snprintf(err, errlen, "%s", pl_store_errmsg(st));
	return 0;
}

static void
put_rule(struct json *j, pl_store *st, const struct pl_rgroup *g,
    const struct pl_rule *r, const pl_alert_row *rows, size_t nrows,
    int live, int64_t now_ms, double *gsecs)
{
	char err[1024] = "";
	double secs = 0;
	int ok = live ? rule_health(st, r, now_ms, &secs, err, sizeof err) : 1;

	*gsecs += secs;
	json_obj_begin(j);
	if (r->alert) {
		const char *state = "inactive";

		for (size_t i = 0; i < nrows; i++)
			if (strcmp(rows[i].alertname, r->name) == 0 &&
			    rows[i].group && strcmp(rows[i].group, g->name) == 0) {
				if (strcmp(rows[i].state, "firing") == 0)
					state = "firing";
				else if (strcmp(state, "inactive") == 0)
					state = "pending";
			}
		json_key(j, "state");
		json_str(j, state);
	}
	json_key(j, "name");
	json_str(j, r->name);
	json_key(j, "query");
	json_str(j, r->expr_text);
	if (r->alert) {
		json_key(j, "duration");
		put_secs(j, r->for_ms);
		json_key(j, "keepFiringFor");
		put_secs(j, r->keep_firing_ms);
	}
	if (r->alert || r->nlabels) {
		/* (a recording rule's labels are omitted when empty) */
		json_key(j, "labels");
		put_map(j, r->lnames, r->lraw, r->nlabels);
	}
	if (r->alert) {
		json_key(j, "annotations");
		put_map(j, r->anames, r->araw, r->nann);
		json_key(j, "alerts");
		json_arr_begin(j);
		for (size_t i = 0; i < nrows; i++)
			if (strcmp(rows[i].alertname, r->name) == 0 &&
			    rows[i].group && strcmp(rows[i].group, g->name) == 0)
				put_alert(j, &rows[i]);
		json_arr_end(j);
	}
	json_key(j, "health");
	json_str(j, !live ? "unknown" : ok ? "ok" : "err");
	if (live && !ok) {
		json_key(j, "lastError");
		json_str(j, err);
	}
	json_key(j, "evaluationTime");
	json_num(j, secs);
	json_key(j, "lastEvaluation");
	put_time(j, live ? now_ms : 0);
	json_key(j, "type");
	json_str(j, r->alert ? "alerting" : "recording");
	json_obj_end(j);
}

int
pl_rules_prom_json(char **out, pl_store *st, const struct pl_config *cfg,
    const pl_rules_filter *f, int64_t now_ms)
{
	struct pl_ruleset rs = { NULL, 0 };
	pl_alert_row *rows = NULL;
	pl_watcher_health wh;
	size_t nrows = 0;
	int64_t interval;
	struct buf b = BUF_INIT;
	struct json j;
	char err[1024];
	int rc, live;

	*out = NULL;
	if ((rc = pl__alerting_load(&rs, &interval, NULL, NULL, NULL, cfg, err,
	    sizeof err)) != PL_OK)
		return pl__err(st, rc, "%s", err);
	if ((rc = pl_watcher_health_get(&wh, st, now_ms)) != PL_OK ||
	    (rc = pl_alerts_active(&rows, &nrows, st, now_ms)) != PL_OK) {
		pl__ruleset_dispose(&rs);
		return rc;
	}
	live = wh.running && !wh.stale;
	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "status");
	json_str(&j, "success");
	json_key(&j, "data");
	json_obj_begin(&j);
	json_key(&j, "groups");
	json_arr_begin(&j);
	for (size_t gi = 0; gi < rs.n; gi++) {
		const struct pl_rgroup *g = &rs.g[gi];
		double gsecs = 0;
		size_t nlisted = 0;

		if (f && (!listed(g->name, f->groups, f->ngroups) ||
		    !listed(g->file ? g->file : "", f->files, f->nfiles)))
			continue;
		for (size_t i = 0; i < g->n; i++)
			nlisted += (size_t)rule_listed(&g->rules[i], f);
		/* Prometheus drops a group left empty by a filter, and
		 * keeps an empty group when nothing filtered it */
		if (nlisted == 0 && g->n > 0)
			continue;
		json_obj_begin(&j);
		json_key(&j, "name");
		json_str(&j, g->name);
		json_key(&j, "file");
		json_str(&j, g->file ? g->file : "");
		json_key(&j, "rules");
		json_arr_begin(&j);
		for (size_t i = 0; i < g->n; i++)
			if (rule_listed(&g->rules[i], f))
				put_rule(&j, st, g, &g->rules[i], rows, nrows,
				    live, now_ms, &gsecs);
		json_arr_end(&j);
		json_key(&j, "interval");
		put_secs(&j, g->interval > 0 ? g->interval : interval);
		json_key(&j, "limit");
		json_int(&j, 0);
		json_key(&j, "evaluationTime");
		json_num(&j, gsecs);
		json_key(&j, "lastEvaluation");
		put_time(&j, live ? now_ms : 0);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_obj_end(&j);
	pl_alert_rows_free(rows, nrows);
	pl__ruleset_dispose(&rs);
	if (json_error(&j) || buf_putc(&b, '\n') < 0) {
		buf_free(&b);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	*out = buf_detach(&b);
	pl__clear_err(st);
	return PL_OK;
}
