/* alerting-t.c - alert rules over the series store: states across evaluations on a fake clock, restored `for`, history rows, events, acks, silences, the alerts: section. */
#include "config.h"
#include "../testutil.h"

#include <math.h>

#include "alert/alert.h"
#include "config/plumb-yaml.h"
#include "monitor/tsdb.h"
#include "fixture.h"
#include "store/events.h"

#define T0 1767225600000LL	/* 2026-01-01T00:00:00Z */
#define S 1000LL
#define M (60 * S)

static void
eval(pl_alerting *a, int64_t t)
{
	if (pl_alerting_eval(a, t) != PL_OK)
		fail_msg("eval at %lld: %s", (long long)(t - T0),
		    pl_alerting_errmsg(a));
}

static size_t
count_events(pl_store *st, const char *prefix)
{
	pl_event *e = NULL;
	size_t n = 0, k = 0;
	pl_event_query q = { .kind = "alert" };

	assert_int_equal(pl_event_list(&e, &n, st, &q), PL_OK);
	for (size_t i = 0; i < n; i++)
		if (strncmp(e[i].message, prefix, strlen(prefix)) == 0)
			k++;
	pl_events_free(e, n);
	return k;
}

static const char rules_states[] =
    "alerts:\n"
    "  builtin: false\n"
    "  groups:\n"
    "  - name: g\n"
    "    interval: 15s\n"
    "    rules:\n"
    "    - record: job:x:max\n"
    "      expr: max by (job) (x)\n"
    "    - alert: HighX\n"
    "      expr: job:x:max > 5\n"
    "      for: 1m\n"
    "      labels: {severity: page}\n"
    "      annotations: {summary: 'x is {{ $value }} on {{ $labels.job }}'}\n";

/* inactive -> pending -> firing -> resolved, on a fake clock; the alert
 * reads a recording rule of its own group evaluated just before. */
static void
test_states(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_config *c = config(dir, rules_states);
	pl_alerting *a;
	pl_alert_row *r;
	size_t n;
	char err[1024];
	int64_t t;

	(void)state;
	assert_int_equal(pl_alerting_open(&a, st, c, err, sizeof err), PL_OK);
	assert_int_equal(pl_alerting_nrules(a), 2);
	put(st, "a", T0 - S, 1);
	eval(a, T0);
	assert_int_equal(pl_alerts_active(&r, &n, st, T0), PL_OK);
	assert_int_equal(n, 0);
	pl_alert_rows_free(r, n);

	/* above the threshold: pending at once */
	put(st, "a", T0 + 14 * S, 10);
	eval(a, T0 + 14 * S);	/* not due yet: nothing happens */
	assert_int_equal(pl_alerts_active(&r, &n, st, T0), PL_OK);
	assert_int_equal(n, 0);
	pl_alert_rows_free(r, n);
	eval(a, T0 + 15 * S);
	assert_int_equal(pl_alerts_active(&r, &n, st, T0 + 15 * S), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].state, "pending");
	assert_string_equal(r[0].alertname, "HighX");
	assert_string_equal(r[0].labels,
	    "{alertname=\"HighX\", job=\"a\", severity=\"page\"}");
	assert_string_equal(r[0].annotations, "{summary=\"x is 10 on a\"}");
	assert_true(r[0].active_ms == T0 + 15 * S);
	assert_true(r[0].value == 10);
	pl_alert_rows_free(r, n);

	/* still pending 45 s later, firing at for = 1m; peak follows */
	for (t = T0 + 30 * S; t <= T0 + 60 * S; t += 15 * S) {
		put(st, "a", t - S, t == T0 + 45 * S ? 20 : 12);
		eval(a, t);
	}
	assert_int_equal(pl_alerts_active(&r, &n, st, t), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].state, "pending");
	pl_alert_rows_free(r, n);
	assert_int_equal(count_events(st, "firing"), 0);
	put(st, "a", T0 + 74 * S, 12);
	eval(a, T0 + 75 * S);
	assert_int_equal(pl_alerts_active(&r, &n, st, t), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].state, "firing");
	assert_true(r[0].fired_ms == T0 + 75 * S);
	assert_true(r[0].peak == 20);
	assert_true(r[0].value == 12);
	pl_alert_rows_free(r, n);
	assert_int_equal(count_events(st, "firing HighX"), 1);

	/* ALERTS went to the store through the evaluator */
	{
		pl_matcher m = { "__name__", PL_MATCH_EQ, "ALERTS" };
		pl_ts_set *set;
		assert_int_equal(pl_ts_select(&set, st, &m, 1), PL_OK);
		assert_int_equal(set->n, 2);	/* pending, then firing */
		pl_ts_set_free(set);
	}

	/* an ack is recorded on the open row */
	{
		size_t k;
		assert_int_equal(pl_alerts_ack(&k, st, "HighX", "looking",
		    T0 + 80 * S), PL_OK);
		assert_int_equal(k, 1);
		assert_int_equal(pl_alerts_ack(&k, st, "Nope", "x", T0),
		    PL_ENOTFOUND);
		assert_int_equal(pl_alerts_active(&r, &n, st, t), PL_OK);
		assert_true(r[0].ack_ms == T0 + 80 * S);
		assert_string_equal(r[0].ack_comment, "looking");
		assert_non_null(r[0].ack_user);
		pl_alert_rows_free(r, n);
	}

	/* back under: resolved, the row closed, an event */
	put(st, "a", T0 + 89 * S, 1);
	eval(a, T0 + 90 * S);
	assert_int_equal(pl_alerts_active(&r, &n, st, T0 + 90 * S), PL_OK);
	assert_int_equal(n, 0);
	pl_alert_rows_free(r, n);
	assert_int_equal(pl_alerts_history(&r, &n, st, T0), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].state, "resolved");
	assert_true(r[0].end_ms == T0 + 90 * S);
	assert_true(r[0].active_ms == T0 + 15 * S);
	pl_alert_rows_free(r, n);
	assert_int_equal(count_events(st, "resolved HighX"), 1);

	/* a pending alert that goes away closes its row without events */
	put(st, "a", T0 + 104 * S, 9);
	eval(a, T0 + 105 * S);
	put(st, "a", T0 + 119 * S, 2);
	eval(a, T0 + 120 * S);
	assert_int_equal(pl_alerts_history(&r, &n, st, T0), PL_OK);
	assert_int_equal(n, 2);
	assert_true(r[1].fired_ms == 0);
	assert_true(r[1].end_ms == T0 + 120 * S);
	pl_alert_rows_free(r, n);
	assert_int_equal(count_events(st, "firing"), 1);
	assert_int_equal(count_events(st, "resolved"), 1);

	pl_alerting_close(a);
	pl_config_free(c);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static const char rules_long[] =
    "alerts:\n"
    "  builtin: false\n"
    "  interval: 15s\n"
    "  groups:\n"
    "  - name: g\n"
    "    rules:\n"
    "    - alert: LongX\n"
    "      expr: x > 5\n"
    "      for: 20m\n";

/* A watcher restart in the middle of `for` keeps the time already spent
 * pending (shifted by the downtime), as Prometheus' RestoreForState. */
static void
test_restore(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_config *c = config(dir, rules_long);
	pl_alerting *a;
	pl_alert_row *r;
	size_t n;
	char err[1024];
	int64_t t;

	(void)state;
	assert_int_equal(pl_alerting_open(&a, st, c, err, sizeof err), PL_OK);
	for (t = T0; t <= T0 + 5 * M; t += 15 * S) {
		put(st, "a", t - S, 10);
		eval(a, t);
	}
	pl_alerting_close(a);
	/* down 2 minutes; x stays high */
	assert_int_equal(pl_alerting_open(&a, st, c, err, sizeof err), PL_OK);
	for (t = T0 + 7 * M; t < T0 + 22 * M; t += 15 * S) {
		put(st, "a", t - S, 10);
		eval(a, t);
	}
	assert_int_equal(pl_alerts_active(&r, &n, st, t), PL_OK);
	assert_int_equal(n, 1);
	/* 5 minutes pending before, 2 down: active since T0 + 2m */
	assert_true(r[0].active_ms == T0 + 2 * M);
	assert_string_equal(r[0].state, "pending");
	pl_alert_rows_free(r, n);
	put(st, "a", t - S, 10);
	eval(a, t);		/* T0 + 22m: 20 minutes after T0 + 2m */
	assert_int_equal(pl_alerts_active(&r, &n, st, t), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].state, "firing");
	assert_true(r[0].fired_ms == T0 + 22 * M);
	pl_alert_rows_free(r, n);
	/* one episode, one row across the restart */
	assert_int_equal(pl_alerts_history(&r, &n, st, 0), PL_OK);
	assert_int_equal(n, 1);
	pl_alert_rows_free(r, n);
	pl_alerting_close(a);

	/* down longer than the outage tolerance: for starts over */
	assert_int_equal(pl_alerting_open(&a, st, c, err, sizeof err), PL_OK);
	t = T0 + 22 * M + 2 * 60 * M;
	put(st, "a", t - S, 10);
	eval(a, t);
	assert_int_equal(pl_alerts_active(&r, &n, st, t), PL_OK);
	assert_int_equal(n, 1);
	assert_true(r[0].active_ms == t);
	pl_alert_rows_free(r, n);
	pl_alerting_close(a);

	pl_config_free(c);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_silences(void **state)
{
	char *dir, *id = NULL, *id2 = NULL;
	pl_store *st = tu_store(&dir);
	const char *ms[] = { "alertname=HighX", "job=~\"a|b\"" };
	const char *empty[] = { "job=~.*" };
	const char *bad[] = { "job~a" };
	const char *badre[] = { "job=~(" };
	pl_silence *s;
	size_t n;

	(void)state;
	assert_int_equal(pl_silence_add(&id, st, ms, 2, T0, T0 + 2 * 60 * M,
	    "deploying"), PL_OK);
	assert_int_equal(strlen(id), 36);
	assert_int_equal(pl_silence_add(&id2, st, empty, 1, T0, T0 + M, "x"),
	    PL_EINVAL);
	assert_non_null(strstr(pl_store_errmsg(st), "empty string"));
	assert_int_equal(pl_silence_add(&id2, st, bad, 1, T0, T0 + M, "x"),
	    PL_EINVAL);
	assert_int_equal(pl_silence_add(&id2, st, badre, 1, T0, T0 + M, "x"),
	    PL_EINVAL);
	assert_int_equal(pl_silence_add(&id2, st, ms, 2, T0, T0 + M, ""),
	    PL_EINVAL);
	assert_int_equal(pl_silence_list(&s, &n, st, T0, 0), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(s[0].matchers,
	    "{alertname=\"HighX\", job=~\"a|b\"}");
	assert_non_null(strchr(s[0].created_by, '@'));
	assert_string_equal(s[0].comment, "deploying");
	assert_int_equal(pl_silence_matches(s[0].matchers,
	    "{alertname=\"HighX\", job=\"a\"}"), 1);
	assert_int_equal(pl_silence_matches(s[0].matchers,
	    "{alertname=\"HighX\", job=\"ab\"}"), 0);	/* anchored */
	assert_int_equal(pl_silence_matches(s[0].matchers,
	    "{alertname=\"Other\", job=\"a\"}"), 0);
	assert_int_equal(pl_silence_matches("{job!=\"a\", x=\"\"}",
	    "{alertname=\"A\", job=\"b\"}"), 1);	/* missing = "" */
	assert_int_equal(pl_silence_matches("{job!~\"a|b\"}",
	    "{alertname=\"A\", job=\"b\"}"), 0);
	pl_silences_free(s, n);
	/* expire by prefix; twice is an error; listed with all only */
	id[8] = '\0';
	assert_int_equal(pl_silence_expire(st, id, T0 + M), PL_OK);
	assert_int_equal(pl_silence_expire(st, id, T0 + 2 * M), PL_EINVAL);
	assert_int_equal(pl_silence_expire(st, "ffffffff", T0), PL_ENOTFOUND);
	assert_int_equal(pl_silence_list(&s, &n, st, T0 + 2 * M, 0), PL_OK);
	assert_int_equal(n, 0);
	pl_silences_free(s, n);
	assert_int_equal(pl_silence_list(&s, &n, st, T0 + 2 * M, 1), PL_OK);
	assert_int_equal(n, 1);
	assert_true(s[0].ends_ms == T0 + M);
	pl_silences_free(s, n);
	free(id);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* An active alert is marked with the silence that matches it. */
static void
test_silenced_alert(void **state)
{
	char *dir, *id;
	pl_store *st = tu_store(&dir);
	pl_config *c = config(dir, rules_states);
	const char *ms[] = { "job=a" };
	pl_alerting *a;
	pl_alert_row *r;
	size_t n;
	char err[1024];

	(void)state;
	assert_int_equal(pl_alerting_open(&a, st, c, err, sizeof err), PL_OK);
	put(st, "a", T0 - S, 10);
	put(st, "b", T0 - S, 10);
	eval(a, T0);
	assert_int_equal(pl_silence_add(&id, st, ms, 1, T0, T0 + M, "c"),
	    PL_OK);
	assert_int_equal(pl_alerts_active(&r, &n, st, T0 + S), PL_OK);
	assert_int_equal(n, 2);
	assert_non_null(strstr(r[0].labels, "job=\"a\""));
	assert_string_equal(r[0].silenced_by, id);
	assert_null(r[1].silenced_by);
	pl_alert_rows_free(r, n);
	/* after its end it silences nothing */
	assert_int_equal(pl_alerts_active(&r, &n, st, T0 + 2 * M), PL_OK);
	assert_null(r[0].silenced_by);
	pl_alert_rows_free(r, n);
	free(id);
	pl_alerting_close(a);
	pl_config_free(c);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static int
open_err(const char *text, char *err, size_t errlen, size_t *nrules)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_config *c = config(dir, text);
	pl_alerting *a = NULL;
	FILE *f;
	char *p;
	int rc;

	assert_true(asprintf(&p, "%s/rules.yml", dir) > 0);
	f = fopen(p, "w");
	fputs("groups:\n- name: file\n  rules:\n  - alert: FromFile\n"
	    "    expr: up == 0\n", f);
	fclose(f);
	free(p);
	rc = pl_alerting_open(&a, st, c, err, errlen);
	if (rc == PL_OK) {
		*nrules = pl_alerting_nrules(a);
		/* the message names the file without the temp dir */
	}
	pl_alerting_close(a);
	pl_config_free(c);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
	return rc;
}

static void
test_config(void **state)
{
	char err[1024];
	size_t n = 0;

	(void)state;
	/* no alerts: section: the five built-in rules */
	assert_int_equal(open_err("models: {}\n", err, sizeof err, &n), PL_OK);
	assert_int_equal(n, 5);
	/* a rule of the same name replaces a built-in one */
	assert_int_equal(open_err("alerts:\n  groups:\n  - name: g\n    rules:\n"
	    "    - alert: PlumbTargetDown\n      expr: up == 0\n"
	    "      for: 5m\n", err, sizeof err, &n), PL_OK);
	assert_int_equal(n, 5);
	/* rule files relative to plumb.yaml, with inline groups */
	assert_int_equal(open_err("alerts:\n  builtin: false\n"
	    "  rule_files: [rules.yml]\n  groups:\n  - name: g\n    rules:\n"
	    "    - record: r\n      expr: vector(1)\n", err, sizeof err, &n),
	    PL_OK);
	assert_int_equal(n, 2);
	/* errors with FILE:LINE:COL */
	assert_int_equal(open_err("alerts:\n  intervall: 1m\n", err,
	    sizeof err, &n), PL_EINVAL);
	assert_non_null(strstr(err, "plumb.yaml:2:3: unknown key 'intervall'"));
	assert_int_equal(open_err("alerts:\n  interval: soon\n", err,
	    sizeof err, &n), PL_EINVAL);
	assert_non_null(strstr(err, "plumb.yaml:2:13: interval"));
	assert_int_equal(open_err("alerts:\n  groups:\n  - name: g\n"
	    "    rules:\n    - alert: A\n      expr: up == bogus(1)\n",
	    err, sizeof err, &n), PL_EINVAL);
	assert_non_null(strstr(err, "plumb.yaml:6:"));
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(open_err("alerts:\n  rule_files: [nothere.yml]\n",
	    err, sizeof err, &n), PL_EINVAL);
	if (!strstr(err, "plumb.yaml:2:16: rule file nothere.yml"))
		fail_msg("%s", err);
	assert_int_equal(open_err("alerts:\n  builtin: false\n"
	    "  rule_files: [rules.yml]\n  groups:\n  - name: g\n    rules:\n"
	    "    - alert: FromFile\n      expr: vector(1)\n", err, sizeof err,
	    &n), PL_EINVAL);
	assert_non_null(strstr(err, "defined twice"));
}

/*
 * The built-in PlumbLabelsStopped: a label log (plumb_log_lines_total
 * {log="labels"}) watched for 24 h without one new line.  "api" grows
 * for the last time at 5 h (from the sample at 4h55): pending once that
 * sample leaves the 24 h window, at 28h55, firing 15 min later; "ok" keeps
 * growing; "young" never grew but is watched for less than 24 h.
 */
static void
test_labels_stopped(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_config *c = config(dir, "alerts:\n  interval: 5m\n");
	pl_alerting *a;
	pl_ts_writer *w;
	pl_alert_row *r;
	size_t n;
	char err[1024];
	const int64_t step = 5 * M, H = 60 * M;
	int64_t pending = 0, firing = 0;

	(void)state;
	assert_int_equal(pl_alerting_open(&a, st, c, err, sizeof err), PL_OK);
	assert_true(pl_alerting_has_alert(a, "PlumbLabelsStopped"));
	for (int64_t t = T0; t <= T0 + 31 * H; t += step) {
		pl_label api[] = { { "log", "labels" }, { "target", "api" } };
		pl_label ok[] = { { "log", "labels" }, { "target", "ok" } };
		pl_label young[] = { { "log", "labels" }, { "target", "young" } };
		double k = (double)((t - T0) / step);

		assert_int_equal(pl_ts_writer_open(&w, st), PL_OK);
		assert_int_equal(pl_ts_append(w, "plumb_log_lines_total", api, 2,
		    t, t < T0 + 5 * H ? k : (double)(5 * H / step)), PL_OK);
		assert_int_equal(pl_ts_append(w, "plumb_log_lines_total", ok, 2,
		    t, k * 3), PL_OK);
		if (t >= T0 + 20 * H)
			assert_int_equal(pl_ts_append(w, "plumb_log_lines_total",
			    young, 2, t, 7), PL_OK);
		assert_int_equal(pl_ts_writer_close(w), PL_OK);
		if (t < T0 + 24 * H)
			continue;
		eval(a, t + 1);
		assert_int_equal(pl_alerts_active(&r, &n, st, t + 1), PL_OK);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(r[i].alertname, "PlumbLabelsStopped"))
				continue;
			if (!strstr(r[i].labels, "target=\"api\""))
				fail_msg("fired for %s", r[i].labels);
			if (!pending)
				pending = t;
			if (!firing && !strcmp(r[i].state, "firing"))
				firing = t;
		}
		pl_alert_rows_free(r, n);
	}
	if (pending != T0 + 29 * H - step || firing != T0 + 29 * H + 10 * M)
		fail_msg("pending at %+lld min, firing at %+lld min (from T0)",
		    (long long)((pending - T0) / M),
		    (long long)((firing - T0) / M));
	pl_alerting_close(a);
	pl_config_free(c);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/*
 * pl_alerting_tick(), the watcher's evaluation on the data: a round
 * flushed a little early or late is evaluated at once, stamped at least
 * one interval after the previous evaluation, so `for` fires at the
 * evaluation it would on Prometheus' grid despite a few ms of jitter;
 * on time alone a group waits half an interval for its samples.
 */
static void
test_data_driven(void **state)
{
	char *dir;
	pl_store *st = tu_store(&dir);
	pl_config *c = config(dir, "alerts:\n  builtin: false\n  groups:\n"
	    "  - name: g\n    interval: 15s\n    rules:\n"
	    "    - alert: HighX\n      expr: x > 5\n      for: 30s\n");
	pl_alerting *a;
	pl_alert_row *r;
	size_t n;
	char err[1024];

	(void)state;
	assert_int_equal(pl_alerting_open(&a, st, c, err, sizeof err), PL_OK);
	put(st, "a", T0 - S, 1);
	assert_int_equal(pl_alerting_tick(a, T0, 1), PL_OK);	/* first */
	/* fresh samples 1 s before the group's time: not yet */
	put(st, "a", T0 + 14 * S, 1);
	assert_int_equal(pl_alerting_tick(a, T0 + 14 * S, 1), PL_OK);
	assert_true(pl_alerting_next(a) == T0 + 15 * S + 7500);
	/* time alone at the group's time: waits for the round */
	assert_int_equal(pl_alerting_tick(a, T0 + 15 * S, 0), PL_OK);
	/* the round, late by 200 ms, crosses: evaluated at once */
	put(st, "a", T0 + 15 * S + 150, 10);
	assert_int_equal(pl_alerting_tick(a, T0 + 15 * S + 200, 1), PL_OK);
	assert_int_equal(pl_alerts_active(&r, &n, st, T0 + 16 * S), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].state, "pending");
	assert_true(r[0].active_ms == T0 + 15 * S + 200);
	pl_alert_rows_free(r, n);
	/* the next rounds come 100 ms and 50 ms early: stamped on time */
	put(st, "a", T0 + 30 * S + 50, 10);
	assert_int_equal(pl_alerting_tick(a, T0 + 30 * S + 100, 1), PL_OK);
	put(st, "a", T0 + 45 * S + 100, 10);
	assert_int_equal(pl_alerting_tick(a, T0 + 45 * S + 150, 1), PL_OK);
	/* 30 s after it became active by the stamps: firing (stamped by
	 * the wall clock, 29.95 s would have missed it by 50 ms) */
	assert_int_equal(pl_alerts_active(&r, &n, st, T0 + 46 * S), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].state, "firing");
	assert_true(r[0].fired_ms == T0 + 45 * S + 200);
	pl_alert_rows_free(r, n);
	/* no round for a while: on time alone, half an interval late */
	assert_int_equal(pl_alerting_tick(a, T0 + 60 * S + 200, 0), PL_OK);
	assert_int_equal(pl_alerts_active(&r, &n, st, T0 + 61 * S), PL_OK);
	assert_true(n == 1 && r[0].fired_ms == T0 + 45 * S + 200);
	pl_alert_rows_free(r, n);
	assert_true(pl_alerting_next(a) == T0 + 60 * S + 200 + 7500);
	put(st, "a", T0 + 61 * S, 1);
	assert_int_equal(pl_alerting_tick(a, T0 + 67 * S + 700, 0), PL_OK);
	assert_int_equal(pl_alerts_active(&r, &n, st, T0 + 68 * S), PL_OK);
	assert_int_equal(n, 0);	/* resolved by the timed evaluation */
	pl_alert_rows_free(r, n);
	pl_alerting_close(a);
	pl_config_free(c);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_silences),
		cmocka_unit_test(test_silenced_alert),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_labels_stopped),
		cmocka_unit_test(test_data_driven),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
