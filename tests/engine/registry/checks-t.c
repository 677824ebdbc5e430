/* checks-t.c - unit tests of plumb.yaml's checks:/deploy:/models: parsing, gate expressions and evaluation, CSV validation. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "registry/checks.h"
#include "config/plumb-yaml.h"
#include "store/error.h"
#include "registry/registry.h"

static int
parse(pl_config **c, const char *text, char *err, size_t n)
{
	return pl_config_parse(c, "p.yaml", "/w", text, strlen(text), err, n);
}

static void
test_gate_parse(void **state)
{
	pl_gate g;
	char err[256];
	size_t off;

	(void)state;
	assert_int_equal(pl_gate_parse(&g, "accuracy >= 0.85", err, sizeof err,
	    &off), PL_OK);
	assert_string_equal(g.metric, "accuracy");
	assert_int_equal(g.op, PL_OP_GE);
	assert_false(g.relative);
	assert_true(g.value == 0.85);
	pl_gate_dispose(&g);

	assert_int_equal(pl_gate_parse(&g, "accuracy >= production - 0.01",
	    err, sizeof err, &off), PL_OK);
	assert_true(g.relative);
	assert_int_equal(g.arith, '-');
	assert_true(g.value == 0.01);
	pl_gate_dispose(&g);

	assert_int_equal(pl_gate_parse(&g, "latency_p95_ms<=production*1.1",
	    err, sizeof err, &off), PL_OK);
	assert_string_equal(g.metric, "latency_p95_ms");
	assert_int_equal(g.op, PL_OP_LE);
	assert_int_equal(g.arith, '*');
	pl_gate_dispose(&g);

	assert_int_equal(pl_gate_parse(&g, "val/loss < -1e-3", err, sizeof err,
	    &off), PL_OK);
	assert_string_equal(g.metric, "val/loss");
	assert_true(g.value == -1e-3);
	pl_gate_dispose(&g);

	assert_int_equal(pl_gate_parse(&g, "auc != production", err,
	    sizeof err, &off), PL_OK);
	assert_int_equal(g.op, PL_OP_NE);
	assert_int_equal(g.arith, 0);
	pl_gate_dispose(&g);

	/* errors, with the offset of the problem */
	assert_int_equal(pl_gate_parse(&g, "accuracy >> 0.9", err, sizeof err,
	    &off), PL_EINVAL);
	assert_int_equal(off, 10);
	assert_int_equal(pl_gate_parse(&g, "accuracy 0.9", err, sizeof err,
	    &off), PL_EINVAL);
	assert_int_equal(off, 9);
	assert_non_null(strstr(err, "comparison"));
	assert_int_equal(pl_gate_parse(&g, ">= 0.9", err, sizeof err, &off),
	    PL_EINVAL);
	assert_int_equal(off, 0);
	assert_int_equal(pl_gate_parse(&g, "a >= production / 0", err,
	    sizeof err, &off), PL_EINVAL);
	assert_non_null(strstr(err, "division by zero"));
	assert_int_equal(pl_gate_parse(&g, "a >= 1 extra", err, sizeof err,
	    &off), PL_EINVAL);
	assert_int_equal(off, 7);
	assert_int_equal(pl_gate_parse(&g, "a >= production -", err,
	    sizeof err, &off), PL_EINVAL);
	assert_int_equal(pl_gate_parse(&g, "a >= productionx", err,
	    sizeof err, &off), PL_EINVAL);
}

static const char good_yaml[] =
    "stages:\n"
    "  train: {cmd: python train.py}\n"
    "checks:\n"
    "  train-data:\n"
    "    data: data/train.csv\n"
    "    delimiter: ';'\n"
    "    rows: {min: 10, max: 100}\n"
    "    columns:\n"
    "      age: {type: int, required: true, min: 0, max: 120}\n"
    "      country: {type: string, allowed: [FR, DE], max_missing: 0.25}\n"
    "      id: {unique: yes}\n"
    "      note:\n"
    "  quality:\n"
    "    model: churn\n"
    "    stages: production\n"
    "    gates:\n"
    "      - accuracy >= 0.85\n"
    "      - 'latency_p95_ms <= production * 1.1'\n"
    "  single:\n"
    "    gate: f1 > 0.5\n"
    "deploy:\n"
    "  local:\n"
    "    cmd: ./deploy.sh\n"
    "    health: ./health.sh\n"
    "    timeout: 2.5\n"
    "  stage-box:\n"
    "    model: churn\n"
    "    stage: staging\n"
    "    cmd: ./stage.sh\n"
    "models:\n"
    "  churn:\n"
    "    stage: train\n"
    "    path: model.bin\n"
    "    description: churn model\n"
    "    metrics: {accuracy: higher, error_rate: lower, speed: max}\n";

static void
test_config_good(void **state)
{
	pl_config *c = NULL;
	char err[512];
	const pl_check *k;

	(void)state;
	assert_int_equal(parse(&c, good_yaml, err, sizeof err), PL_OK);
	assert_int_equal(c->nchecks, 3);
	k = pl_config_check(c, "train-data");
	assert_non_null(k);
	assert_int_equal(k->kind, PL_CHECK_DATA);
	assert_string_equal(k->data_path, "/w/data/train.csv");
	assert_int_equal(k->delimiter, ';');
	assert_true(k->has_rows_min && k->has_rows_max);
	assert_int_equal(k->rows_min, 10);
	assert_int_equal(k->rows_max, 100);
	assert_int_equal(k->ncols, 4);
	assert_string_equal(k->cols[0].name, "age");
	assert_int_equal(k->cols[0].type, PL_COL_INT);
	assert_true(k->cols[0].required);
	assert_true(k->cols[0].has_min && k->cols[0].min == 0);
	assert_true(k->cols[0].has_max && k->cols[0].max == 120);
	assert_int_equal(k->cols[0].line, 9);
	assert_int_equal(k->cols[0].col, 7);
	assert_int_equal(k->cols[1].nallowed, 2);
	assert_string_equal(k->cols[1].allowed[1], "DE");
	assert_true(k->cols[1].max_missing == 0.25);
	assert_true(k->cols[2].unique);
	assert_true(k->cols[3].max_missing < 0);
	k = pl_config_check(c, "quality");
	assert_int_equal(k->kind, PL_CHECK_GATE);
	assert_string_equal(k->model, "churn");
	assert_int_equal(k->stages, 1 << PL_MODEL_PRODUCTION);
	assert_int_equal(k->ngates, 2);
	assert_true(k->gates[1].relative);
	assert_int_equal(k->gates[1].line, 18);
	k = pl_config_check(c, "single");
	assert_int_equal(k->ngates, 1);
	assert_int_equal(k->stages, (1 << PL_MODEL_STAGING) |
	    (1 << PL_MODEL_PRODUCTION));
	assert_null(k->model);
	assert_int_equal(c->ntargets, 2);
	assert_string_equal(c->targets[0].name, "local");
	assert_int_equal(c->targets[0].stage, PL_MODEL_PRODUCTION);
	assert_true(c->targets[0].timeout_s == 2.5);
	assert_string_equal(c->targets[0].health, "./health.sh");
	assert_int_equal(c->targets[1].stage, PL_MODEL_STAGING);
	assert_true(c->targets[1].timeout_s == PL_DEPLOY_TIMEOUT_DEFAULT);
	assert_int_equal(c->nmodels, 1);
	assert_string_equal(pl_config_model(c, "churn")->path, "model.bin");
	assert_int_equal(pl_config_metric_dir(c, "churn", "accuracy"), 1);
	assert_int_equal(pl_config_metric_dir(c, "churn", "error_rate"), -1);
	assert_int_equal(pl_config_metric_dir(c, "churn", "speed"), 1);
	pl_config_free(c);

	/* an empty file and a file with other sections only */
	assert_int_equal(parse(&c, "", err, sizeof err), PL_OK);
	assert_int_equal(c->nchecks, 0);
	pl_config_free(c);
	assert_int_equal(parse(&c, "stages: {a: {cmd: x}}\nchecks:\n", err,
	    sizeof err), PL_OK);
	pl_config_free(c);
}

static void
test_metric_dir_convention(void **state)
{
	(void)state;
	assert_int_equal(pl_config_metric_dir(NULL, NULL, "accuracy"), 1);
	assert_int_equal(pl_config_metric_dir(NULL, NULL, "f1"), 1);
	assert_int_equal(pl_config_metric_dir(NULL, NULL, "val_loss"), -1);
	assert_int_equal(pl_config_metric_dir(NULL, NULL, "Latency_P95_ms"),
	    -1);
	assert_int_equal(pl_config_metric_dir(NULL, NULL, "rmse"), -1);
	assert_int_equal(pl_config_metric_dir(NULL, NULL, "error"), -1);
	assert_int_equal(pl_config_metric_dir(NULL, NULL, "train_time_s"), -1);
}

/* Each bad document and the start of the message it must produce. */
static void
test_config_errors(void **state)
{
	static const struct {
		const char *yaml;
		const char *msg;
	} cases[] = {
		{ "checks: [a]\n", "p.yaml:1:9: checks must be a mapping" },
		{ "checks:\n  c: {data: x.csv, gates: [a > 1]}\n",
		  "p.yaml:2:6: check 'c' has both data and gates" },
		{ "checks:\n  c: {rows: {min: 1}}\n", "p.yaml:2:6: check 'c' needs" },
		{ "checks:\n  c: {data: x.csv, rows: {min: 5, max: 2}}\n",
		  "p.yaml:2:26: rows: min (5) is greater than max (2)" },
		{ "checks:\n  c: {data: x.csv, rows: {min: -1}}\n",
		  "p.yaml:2:32: min must be a whole number" },
		{ "checks:\n  c: {data: x.csv, colums: {}}\n",
		  "p.yaml:2:20: unknown key 'colums' in check 'c'" },
		{ "checks:\n  c:\n    data: x.csv\n    columns:\n      a: {max_missing: 2}\n",
		  "p.yaml:5:24: max_missing is a fraction" },
		{ "checks:\n  c:\n    data: x.csv\n    columns:\n      a: {min: 3, max: 1}\n",
		  "p.yaml:5:10: min is greater than max" },
		{ "checks:\n  c:\n    data: x.csv\n    columns:\n      a: {required: maybe}\n",
		  "p.yaml:5:21: required must be true or false" },
		{ "checks:\n  c:\n    data: x.csv\n    columns:\n      a: {allowed: FR}\n",
		  "p.yaml:5:20: allowed must be a list" },
		{ "checks:\n  g:\n    gates: []\n", "p.yaml:3:12: gates is empty" },
		{ "checks:\n  g:\n    gates:\n      - accuracy\n",
		  "p.yaml:4:17: bad gate 'accuracy': expected a comparison" },
		{ "checks:\n  g:\n    gates:\n      - \"accuracy >= prod\"\n",
		  "p.yaml:4:22: bad gate" },
		{ "checks:\n  g: {gate: a > 1, stages: [prod]}\n",
		  "p.yaml:2:29: unknown stage 'prod'" },
		{ "checks:\n  g: {gate: a > 1, model: 'bad name'}\n",
		  "p.yaml:2:27: invalid model name 'bad name'" },
		{ "checks:\n  c: {data: x.csv}\n  c: {data: y.csv}\n",
		  "p.yaml:3:3: check 'c' is defined twice" },
		{ "deploy:\n  t: {health: x}\n", "p.yaml:2:6: deploy target 't' needs cmd:" },
		{ "deploy:\n  t: {cmd: x, timeout: 0}\n",
		  "p.yaml:2:24: timeout must be more than 0" },
		{ "deploy:\n  t: {cmd: x, stage: archived}\n",
		  "p.yaml:2:22: stage of a deploy target must be staging or production" },
		{ "deploy:\n  t: {cmd: x, helth: y}\n",
		  "p.yaml:2:15: unknown key 'helth' in deploy target 't'" },
		{ "deploy:\n  t: {cmd: [a, b]}\n", "p.yaml:2:12: cmd must be a string" },
		{ "models:\n  m: {metrics: {acc: up}}\n",
		  "p.yaml:2:22: direction of metric 'acc' must be higher or lower" },
		{ "models:\n  'a b': {path: x}\n", "p.yaml:2:3: invalid model name 'a b'" },
		{ "checks: {a: [\n", "p.yaml:2:1: " },
		{ "- just\n- a list\n", "p.yaml:1:1: the top level of the file must be a mapping" },
	};
	char err[512];
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pl_config *c = (pl_config *)1;
		int rc = parse(&c, cases[i].yaml, err, sizeof err);

		if (rc != PL_EINVAL || strncmp(err, cases[i].msg,
		    strlen(cases[i].msg)) != 0) {
			print_error("case %zu: rc %d, got [%s], want [%s...]\n",
			    i, rc, err, cases[i].msg);
			bad++;
		}
		assert_null(c);
	}
	assert_int_equal(bad, 0);
}

/* ---- gates against versions built by hand ---- */

static pl_model_version *
fake_version(int version, const char *k1, double v1, const char *k2,
    double v2)
{
	pl_model_version *v = calloc(1, sizeof *v);

	v->model = strdup("churn");
	v->version = version;
	v->params = calloc(1, sizeof *v->params);
	v->metrics = calloc(2, sizeof *v->metrics);
	v->metrics[0].key = strdup(k1);
	v->metrics[0].value = v1;
	v->nmetrics = 1;
	if (k2) {
		v->metrics[1].key = strdup(k2);
		v->metrics[1].value = v2;
		v->nmetrics = 2;
	}
	v->git.dirty = -1;
	return v;
}

static void
test_gates_eval(void **state)
{
	pl_config *c = NULL;
	pl_check_report *r = pl_check_report_new();
	pl_model_version *cand = fake_version(2, "accuracy", 0.86,
	    "latency_p95_ms", 13.0);
	pl_model_version *prod = fake_version(1, "accuracy", 0.88,
	    "latency_p95_ms", 12.0);
	pl_model_version *bare = fake_version(3, "loss", 0.1, NULL, 0);
	char err[256];

	(void)state;
	assert_int_equal(parse(&c,
	    "checks:\n"
	    "  q:\n"
	    "    gates:\n"
	    "      - accuracy >= 0.85\n"
	    "      - accuracy >= production - 0.01\n"
	    "      - latency_p95_ms <= production * 1.1\n"
	    "      - latency_p95_ms < production\n"
	    "      - f1 >= 0.5\n", err, sizeof err), PL_OK);
	assert_int_equal(pl_check_gates(r, &c->checks[0], cand, prod), PL_OK);
	assert_int_equal(r->n, 5);
	assert_int_equal(r->items[0].status, PL_CHECK_PASS);
	assert_int_equal(r->items[1].status, PL_CHECK_FAIL);	/* 0.86 < 0.87 */
	assert_true(fabs(r->items[1].bound - 0.87) < 1e-12);
	assert_non_null(strstr(r->items[1].message, "production v1: 0.88"));
	assert_int_equal(r->items[2].status, PL_CHECK_PASS);	/* 13 <= 13.2 */
	assert_int_equal(r->items[3].status, PL_CHECK_FAIL);	/* 13 < 12 */
	assert_int_equal(r->items[4].status, PL_CHECK_FAIL);
	assert_non_null(strstr(r->items[4].message,
	    "churn v2 has no metric 'f1' (its metrics: accuracy, "
	    "latency_p95_ms)"));
	assert_int_equal(r->nfail, 3);
	assert_int_equal(r->npass, 2);
	assert_true(pl_check_report_failed(r));
	pl_check_report_free(r);

	/* no production version: relative gates are skipped */
	r = pl_check_report_new();
	assert_int_equal(pl_check_gates(r, &c->checks[0], cand, NULL), PL_OK);
	assert_int_equal(r->items[1].status, PL_CHECK_SKIP);
	assert_int_equal(r->nskip, 3);
	pl_check_report_free(r);

	/* production lacks the metric: a failed gate, explained */
	r = pl_check_report_new();
	assert_int_equal(pl_check_gates(r, &c->checks[0], prod, bare), PL_OK);
	assert_int_equal(r->items[1].status, PL_CHECK_FAIL);
	assert_non_null(strstr(r->items[1].message, "the production version "
	    "churn v3 has no metric 'accuracy'"));
	pl_check_report_free(r);

	/* a NaN metric never passes */
	cand->metrics[0].value = NAN;
	r = pl_check_report_new();
	assert_int_equal(pl_check_gates(r, &c->checks[0], cand, prod), PL_OK);
	assert_int_equal(r->items[0].status, PL_CHECK_FAIL);
	pl_check_report_free(r);

	pl_model_version_free(cand);
	pl_model_version_free(prod);
	pl_model_version_free(bare);
	pl_config_free(c);
}

/* ---- CSV validation ---- */

static char tmpdir[64];

static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const pl_check_item *
item(const pl_check_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].name, name))
			return &r->items[i];
	fail_msg("no item '%s'", name);
	return NULL;
}

static void
run_data(pl_check_report **r, const char *yaml_cols, const char *csv,
    pl_config **c)
{
	char yaml[2048], err[512];

	write_file("d.csv", csv);
	snprintf(yaml, sizeof yaml, "checks:\n  d:\n    data: d.csv\n%s",
	    yaml_cols);
	if (pl_config_parse(c, "p.yaml", tmpdir, yaml, strlen(yaml), err,
	    sizeof err) != PL_OK)
		fail_msg("%s", err);
	*r = pl_check_report_new();
	assert_int_equal(pl_check_data(*r, &(*c)->checks[0]), PL_OK);
}

static void
test_data_checks(void **state)
{
	pl_check_report *r;
	pl_config *c;
	const pl_check_item *it;

	(void)state;
	/* A clean file passes every rule. */
	run_data(&r,
	    "    rows: {min: 2, max: 3}\n"
	    "    columns:\n"
	    "      id: {type: int, unique: true, required: true}\n"
	    "      x: {type: float, min: -1, max: 1}\n"
	    "      ok: {type: bool}\n"
	    "      c: {type: string, allowed: [a, b], max_missing: 0.5}\n",
	    "\xef\xbb\xbfid,x,ok,c\r\n1,0.5,true,a\r\n2,-1,NO,\r\n3,1e-3,0,b\r\n",
	    &c);
	assert_int_equal(r->nfail + r->nerror, 0);
	assert_int_equal(r->npass, 5);
	it = item(r, "rows");
	assert_true(it->value == 3);
	pl_check_report_free(r);
	pl_config_free(c);

	/* Bad rows are counted and the first ones listed with lines, where
	 * a record with a quoted newline counts its first line. */
	run_data(&r,
	    "    rows: {max: 2}\n"
	    "    columns:\n"
	    "      id: {type: int, unique: true}\n"
	    "      x: {min: 0, max: 10, required: true}\n"
	    "      c: {allowed: [a], max_missing: 0.1}\n"
	    "      nope: {}\n",
	    "id,x,c\n"
	    "1,5,a\n"
	    "\n"
	    "2,\"1\n2\",b\n"
	    "2,11,\n"
	    "x,,a\n"
	    "7,3\n",
	    &c);
	it = item(r, "rows");
	assert_int_equal(it->status, PL_CHECK_FAIL);
	assert_true(it->value == 5);
	it = item(r, "format");
	assert_int_equal(it->status, PL_CHECK_FAIL);
	assert_non_null(strstr(it->message, "line 8: expected 3 fields, found 2"));
	it = item(r, "column id");
	assert_int_equal(it->status, PL_CHECK_FAIL);
	assert_non_null(strstr(it->message, "1 not an int"));
	assert_non_null(strstr(it->message, "1 duplicate"));
	assert_non_null(strstr(it->message, "line 6: '2' is a duplicate"));
	assert_non_null(strstr(it->message, "line 7: 'x' is not an int"));
	it = item(r, "column x");
	assert_non_null(strstr(it->message,
	    "line 4: '1^J2' is not a number, for range [0, 10]"));
	assert_non_null(strstr(it->message,
	    "line 6: '11' is out of range [0, 10]"));
	assert_non_null(strstr(it->message, "line 7: '' is missing (required)"));
	it = item(r, "column c");
	assert_non_null(strstr(it->message, "line 4: 'b' is not an allowed value"));
	assert_non_null(strstr(it->message, "missing fraction"));
	it = item(r, "column nope");
	assert_non_null(strstr(it->message, "column 'nope' is not in d.csv"));
	pl_check_report_free(r);
	pl_config_free(c);

	/* Only the first PL_CHECK_MAX_BAD_ROWS rows are listed. */
	{
		char csv[4096] = "v\n";

		for (int i = 0; i < 20; i++)
			strcat(csv, "bad\n");
		run_data(&r, "    columns:\n      v: {type: int}\n", csv, &c);
		it = item(r, "column v");
		assert_non_null(strstr(it->message, "20 not an int"));
		assert_non_null(strstr(it->message, "line 6:"));
		assert_null(strstr(it->message, "line 7:"));
		assert_non_null(strstr(it->message, "; ..."));
		pl_check_report_free(r);
		pl_config_free(c);
	}

	/* Missing and empty files are errors, not passes. */
	run_data(&r, "    columns:\n      v: {}\n", "", &c);
	assert_int_equal(r->nerror, 1);
	assert_non_null(strstr(r->items[0].message, "empty file"));
	pl_check_report_free(r);
	pl_config_free(c);
	unlink(write_file("d.csv", ""));
	{
		char err[256];

		assert_int_equal(pl_config_parse(&c, "p.yaml", tmpdir,
		    "checks: {d: {data: gone.csv}}", 29, err, sizeof err), PL_OK);
		r = pl_check_report_new();
		assert_int_equal(pl_check_data(r, &c->checks[0]), PL_OK);
		assert_int_equal(r->nerror, 1);
		assert_non_null(strstr(r->items[0].message, "cannot read"));
		pl_check_report_free(r);
		pl_config_free(c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_parse),
		cmocka_unit_test(test_config_good),
		cmocka_unit_test(test_metric_dir_convention),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_gates_eval),
		cmocka_unit_test(test_data_checks),
	};
	int rc;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/plumb-checks-t.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			rc = rc ? rc : 1;
	}
	return rc;
}
