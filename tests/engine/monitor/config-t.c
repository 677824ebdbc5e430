/* config-t.c - unit tests of plumb.yaml's monitor: section and of unknown top-level keys. */
#include "config.h"
#include "../testutil.h"

static const char full[] =
    "monitor:\n"
    "  interval: 15s\n"
    "  retention: {raw: 15d, downsampled: 1y}\n"
    "  targets:\n"
    "    churn-api:\n"
    "      model: churn\n"
    "      probe: http://127.0.0.1:8080/health\n"
    "      scrape: {url: 'http://127.0.0.1:8080/metrics', limit: 2MB, timeout: 1500ms}\n"
    "      process: {pidfile: run/serve.pid}\n"
    "      predictions: {path: logs/predictions.jsonl, id: request_id, time: ts, prediction: score}\n"
    "      labels: {path: logs/labels.csv, id: request_id, label: churned, within: 7d}\n"
    "      drift: {reference: deployed, window: 1h, min_rows: 500}\n"
    "      performance: {metrics: [accuracy, f1, auc], window: 1d}\n"
    "      concept: {detectors: [adwin, page-hinkley]}\n"
    "    other:\n"
    "      timeout: 2s\n"
    "      interval: 1m\n"
    "      probe: {url: https://example.invalid/, ca: certs/ca.pem}\n"
    "      process: {match: 'python3 .*serve'}\n";

static void
test_full(void **state)
{
	pl_config *c;
	char err[512];
	const pl_mon_target *t;

	(void)state;
	assert_int_equal(pl_config_parse(&c, "plumb.yaml", "/w", full,
	    sizeof full - 1, err, sizeof err), PL_OK);
	assert_true(c->monitor.present);
	assert_true(c->monitor.interval_s == 15);
	assert_true(c->monitor.retain_raw_ms == 15LL * 86400000);
	assert_true(c->monitor.retain_down_ms == 365LL * 86400000);
	assert_int_equal(c->monitor.ntargets, 2);
	t = pl_monitor_target(&c->monitor, "churn-api");
	assert_non_null(t);
	assert_string_equal(t->model, "churn");
	assert_string_equal(t->probe.url, "http://127.0.0.1:8080/health");
	assert_true(t->probe.timeout_s == 5);
	assert_true(t->scrape.timeout_s == 1.5);
	assert_true(t->scrape.limit == 2000000);
	assert_string_equal(t->process.pidfile, "/w/run/serve.pid");
	assert_string_equal(t->predictions.path, "/w/logs/predictions.jsonl");
	assert_string_equal(t->predictions.id, "request_id");
	assert_string_equal(t->predictions.prediction, "score");
	assert_string_equal(t->labels.label, "churned");
	assert_true(t->labels.within_s == 7 * 86400);
	assert_true(t->drift.set && t->drift.deployed);
	assert_true(t->drift.window_s == 3600 && t->drift.min_rows == 500);
	assert_int_equal(t->performance.nmetrics, 3);
	assert_string_equal(t->performance.metrics[2], "auc");
	assert_true(t->performance.window_s == 86400);
	assert_int_equal(t->concept.ndetectors, 2);
	t = pl_monitor_target(&c->monitor, "other");
	assert_true(t->interval_s == 60 && t->timeout_s == 2);
	assert_true(t->probe.timeout_s == 2);
	assert_non_null(strstr(t->probe.ca, "/certs/ca.pem"));
	assert_true(t->probe.ca[0] == '/');
	assert_true(t->scrape.url == NULL);
	assert_string_equal(t->process.match, "python3 .*serve");
	assert_true(t->scrape.limit == PL_MON_SCRAPE_LIMIT_DEFAULT);
	pl_config_free(c);
}

static void
test_defaults(void **state)
{
	pl_config *c;
	char err[512];
	static const char none[] = "models: {}\n";

	(void)state;
	assert_int_equal(pl_config_parse(&c, "p.yaml", "/w", none,
	    sizeof none - 1, err, sizeof err), PL_OK);
	assert_false(c->monitor.present);
	assert_true(c->monitor.interval_s == PL_MON_INTERVAL_DEFAULT);
	assert_int_equal(c->monitor.ntargets, 0);
	pl_config_free(c);
}

/* Each bad file gives its exact FILE:LINE:COL and message. */
static void
expect_err(const char *text, const char *want)
{
	pl_config *c = NULL;
	char err[512];
	int rc = pl_config_parse(&c, "plumb.yaml", "/w", text, strlen(text),
	    err, sizeof err);

	if (rc == PL_OK || strstr(err, want) == NULL)
		fail_msg("for:\n%s\nwant '%s', got rc %d '%s'", text, want, rc,
		    rc == PL_OK ? "" : err);
	assert_null(c);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_err("monitors:\n  x: 1\n",
	    "plumb.yaml:1:1: unknown key 'monitors' at the top level (did "
	    "you mean 'monitor'?)");
	expect_err("stages: {}\nfrobnicate: 1\n",
	    "plumb.yaml:2:1: unknown key 'frobnicate' at the top level");
	expect_err("monitor:\n  intervall: 5s\n",
	    "plumb.yaml:2:3: unknown key 'intervall' in monitor (did you "
	    "mean 'interval'?)");
	expect_err("monitor:\n  interval: 5 parsecs\n",
	    "plumb.yaml:2:13: interval must be a duration");
	expect_err("monitor:\n  interval: 0s\n",
	    "plumb.yaml:2:13: interval must be more than zero");
	expect_err("monitor:\n  targets:\n    a:\n      probe: ftp://x\n",
	    "plumb.yaml:4:14: probe must be an http:// or https:// URL");
	expect_err("monitor:\n  targets:\n    a:\n      scrap: http://x\n",
	    "plumb.yaml:4:7: unknown key 'scrap' in target 'a' (did you "
	    "mean 'scrape'?)");
	expect_err("monitor:\n  targets:\n    a:\n      process: {pid: 1, "
	    "match: x}\n", "plumb.yaml:4:16: process needs exactly one");
	expect_err("monitor:\n  targets:\n    a:\n      process: {match: "
	    "'('}\n", "plumb.yaml:4:24: match is not a valid regular");
	expect_err("monitor:\n  targets:\n    a:\n      scrape: {url: "
	    "'http://x', limit: lots}\n", "limit must be a size");
	expect_err("monitor:\n  targets:\n    a:\n      labels: {path: l.csv,"
	    " label: y}\n", "plumb.yaml:4:15: labels are joined with "
	    "predictions");
	expect_err("monitor:\n  targets:\n    a:\n      predictions: {path: "
	    "p.jsonl}\n      drift: {window: 1h}\n",
	    "drift against the deployed model's training data needs model");
	expect_err("monitor:\n  targets:\n    a:\n      predictions: {path: "
	    "p.jsonl}\n      labels: {path: l.csv, label: y}\n      "
	    "performance: {metrics: [accuracy, f2]}\n",
	    "plumb.yaml:6:41: unknown metric 'f2'");
	/* a metric of the other task: FILE:LINE:COL of the metric */
	expect_err("monitor:\n  targets:\n    a:\n      predictions: {path: "
	    "p.jsonl}\n      labels: {path: l.csv, label: y}\n      "
	    "performance: {metrics: [accuracy, mae]}\n",
	    "plumb.yaml:6:41: metric 'mae' does not apply to classification "
	    "(implied at line 6, column 31)");
	expect_err("monitor:\n  targets:\n    a:\n      predictions: {path: "
	    "p.jsonl}\n      labels: {path: l.csv, label: y}\n      "
	    "performance: {task: regression, metrics: [rmse, f1]}\n",
	    "plumb.yaml:6:55: metric 'f1' does not apply to regression");
	expect_err("monitor:\n  targets:\n    a:\n      predictions: {path: "
	    "p.jsonl}\n      labels: {path: l.csv, label: y}\n      "
	    "performance: {positive: churned, metrics: [rmse]}\n",
	    "plumb.yaml:6:50: metric 'rmse' does not apply to classification");
	expect_err("monitor:\n  targets:\n    a:\n      predictions: {path: "
	    "p.jsonl}\n      labels: {path: l.csv, label: y}\n      "
	    "performance: {task: regression, threshold: 0.7}\n",
	    "plumb.yaml:6:50: threshold applies to classification");
	expect_err("monitor:\n  targets:\n    a:\n      predictions: {path: "
	    "p.jsonl}\n      labels: {path: l.csv, label: y}\n      "
	    "performance: {threshold: 1.5}\n",
	    "plumb.yaml:6:32: threshold must be a probability");
	expect_err("monitor:\n  targets:\n    a:\n      predictions: {path: "
	    "p.jsonl, colour: red}\n", "unknown key 'colour' in predictions");
	expect_err("monitor:\n  targets:\n    a:\n      concept: {detectors: "
	    "[adwn]}\n", "unknown detector 'adwn'");
	expect_err("monitor:\n  targets:\n    'a b': {}\n",
	    "plumb.yaml:3:5: a target needs a name");
	expect_err("monitor:\n  retention: {raw: 30d, downsampled: 1d}\n",
	    "downsampled retention must be at least the raw one");
	expect_err("monitor: [1]\n", "plumb.yaml:1:10: monitor must be a "
	    "mapping");
}

static void
test_durations(void **state)
{
	double s;

	(void)state;
	assert_int_equal(pl_duration_parse(&s, "1h30m"), 0);
	assert_true(s == 5400);
	assert_int_equal(pl_duration_parse(&s, "500ms"), 0);
	assert_true(s == 0.5);
	assert_int_equal(pl_duration_parse(&s, "2.5"), 0);
	assert_true(s == 2.5);
	assert_int_equal(pl_duration_parse(&s, "1y"), 0);
	assert_true(s == 365 * 86400.0);
	assert_int_equal(pl_duration_parse(&s, "1w2d"), 0);
	assert_true(s == 9 * 86400.0);
	assert_int_equal(pl_duration_parse(&s, "5x"), -1);
	assert_int_equal(pl_duration_parse(&s, "h"), -1);
	assert_int_equal(pl_duration_parse(&s, ""), -1);
	assert_int_equal(pl_duration_parse(&s, "-5s"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
