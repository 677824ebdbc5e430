/* registry-t.c - unit tests of the model registry, promotion/rollback with deploy targets, racing promotions and the audit log. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "plumb.h"

struct fx {
	char dir[64];
	char store[128];
	pl_store *st;
	char run[3][PL_ID_LEN + 1];
};

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A store with three finished runs with metrics and params, and an
 * artifact file per run. */
static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	static const double acc[3] = { 0.90, 0.80, 0.93 };

	snprintf(fx->dir, sizeof fx->dir, "/tmp/plumb-registry-t.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->store, sizeof fx->store, "%s/.plumb", fx->dir);
	if (pl_store_init(&fx->st, fx->store) != PL_OK)
		return -1;
	for (int i = 0; i < 3; i++) {
		char path[256], text[64];
		pl_run_spec spec = { .experiment = "t" };

		if (pl_run_create(fx->run[i], fx->st, &spec) != PL_OK)
			return -1;
		pl_metric_log(fx->st, fx->run[i], "accuracy", 0.5, 0, 0);
		pl_metric_log(fx->st, fx->run[i], "accuracy", acc[i], 1, 0);
		pl_metric_log(fx->st, fx->run[i], "latency_p95_ms", 10 + i, 0, 0);
		snprintf(text, sizeof text, "%d", i + 1);
		pl_run_set_param(fx->st, fx->run[i], "seed", text);
		pl_run_set_param(fx->st, fx->run[i], "lr", "0.1");
		pl_run_finish(fx->st, fx->run[i], PL_RUN_FINISHED, 0, NULL);
		snprintf(path, sizeof path, "%s/m%d.bin", fx->dir, i + 1);
		snprintf(text, sizeof text, "model %d\n", i + 1);
		write_text(path, text);
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	pl_store_close(fx->st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static int
reg(struct fx *fx, int i)
{
	char path[256];
	pl_model_reg r = { .name = "churn", .run = fx->run[i], .path = path };
	int v = 0;

	snprintf(path, sizeof path, "%s/m%d.bin", fx->dir, i + 1);
	if (pl_model_register(&v, fx->st, &r) != PL_OK)
		fail_msg("register: %s", pl_store_errmsg(fx->st));
	return v;
}

static pl_model_stage
stage_of(struct fx *fx, int version)
{
	pl_model_version *v = NULL;
	pl_model_stage s;

	assert_int_equal(pl_model_get(&v, fx->st, "churn", version), PL_OK);
	s = v->stage;
	pl_model_version_free(v);
	return s;
}

static void
test_register_and_read(void **state)
{
	struct fx *fx = *state;
	pl_model_version *v = NULL;
	pl_data_ref data[] = { { "data/train.csv", "abc123", 42 } };
	pl_model_reg r = { .name = "churn", .run = fx->run[1],
	    .description = "second", .data = data, .ndata = 1 };
	char path[256];
	int ver = 0;
	double x;

	assert_int_equal(reg(fx, 0), 1);
	snprintf(path, sizeof path, "%s/m2.bin", fx->dir);
	r.path = path;
	assert_int_equal(pl_model_register(&ver, fx->st, &r), PL_OK);
	assert_int_equal(ver, 2);
	assert_int_equal(reg(fx, 2), 3);

	assert_int_equal(pl_model_get(&v, fx->st, "churn", 2), PL_OK);
	assert_int_equal(v->version, 2);
	assert_int_equal(v->stage, PL_MODEL_NONE);
	assert_string_equal(v->run_id, fx->run[1]);
	assert_string_equal(v->description, "second");
	assert_true(pl_model_metric_value(&x, v, "accuracy"));
	assert_true(x == 0.80);	/* the latest value, not the first */
	assert_false(pl_model_metric_value(&x, v, "f1"));
	assert_int_equal(v->params->n, 2);
	assert_string_equal(v->params->items[1].key, "seed");
	assert_string_equal(v->params->items[1].value, "2");
	assert_int_equal(v->ndata, 1);
	assert_string_equal(v->data[0].hash, "abc123");
	assert_int_equal(v->data[0].size, 42);
	assert_int_equal(v->size, 8);
	assert_int_equal(access(v->object_path, R_OK), 0);
	pl_model_version_free(v);

	/* bad input */
	r.name = "bad name";
	assert_int_equal(pl_model_register(&ver, fx->st, &r), PL_EINVAL);
	r.name = "churn";
	r.path = "/nonexistent/file";
	assert_int_equal(pl_model_register(&ver, fx->st, &r), PL_ENOTFOUND);
	r.path = fx->dir;	/* a directory */
	r.run = NULL;
	assert_int_equal(pl_model_register(&ver, fx->st, &r), PL_EINVAL);
	r.path = path;
	r.run = "zzzz";
	assert_int_not_equal(pl_model_register(&ver, fx->st, &r), PL_OK);
	assert_int_equal(pl_model_get(&v, fx->st, "churn", 4), PL_ENOTFOUND);
	assert_non_null(strstr(pl_store_errmsg(fx->st),
	    "model churn has no version 4 (versions 1 to 3)"));
	assert_int_equal(pl_model_get(&v, fx->st, "nope", 1), PL_ENOTFOUND);
	assert_non_null(strstr(pl_store_errmsg(fx->st),
	    "no model named 'nope' (models: churn)"));
}

static void
test_resolve_and_alias(void **state)
{
	struct fx *fx = *state;
	char *name, *ref;
	int v;

	reg(fx, 0);
	reg(fx, 1);
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", NULL), PL_OK);
	assert_int_equal(v, 2);
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", "latest"), PL_OK);
	assert_int_equal(v, 2);
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", "v1"), PL_OK);
	assert_int_equal(v, 1);
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", "0"),
	    PL_ENOTFOUND);
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", "production"),
	    PL_ENOTFOUND);
	assert_non_null(strstr(pl_store_errmsg(fx->st),
	    "no version of churn is in production"));
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", "none"), PL_OK);
	assert_int_equal(v, 2);

	assert_int_equal(pl_model_set_alias(fx->st, "churn", "champion", 1,
	    "best so far"), PL_OK);
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", "champion"),
	    PL_OK);
	assert_int_equal(v, 1);
	assert_int_equal(pl_model_set_alias(fx->st, "churn", "champion", 2,
	    NULL), PL_OK);
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", "champion"),
	    PL_OK);
	assert_int_equal(v, 2);
	assert_int_equal(pl_model_set_alias(fx->st, "churn", "champion", 0,
	    NULL), PL_OK);
	assert_int_equal(pl_model_resolve(&v, fx->st, "churn", "champion"),
	    PL_ENOTFOUND);
	assert_int_equal(pl_model_set_alias(fx->st, "churn", "champion", 0,
	    NULL), PL_ENOTFOUND);
	assert_int_equal(pl_model_set_alias(fx->st, "churn", "production", 1,
	    NULL), PL_EINVAL);
	assert_int_equal(pl_model_set_alias(fx->st, "churn", "latest", 1,
	    NULL), PL_EINVAL);
	assert_int_equal(pl_model_set_alias(fx->st, "churn", "7", 1, NULL),
	    PL_EINVAL);
	assert_int_equal(pl_model_set_alias(fx->st, "churn", "v7", 1, NULL),
	    PL_EINVAL);
	assert_int_equal(pl_model_set_alias(fx->st, "churn", "x", 9, NULL),
	    PL_ENOTFOUND);

	assert_int_equal(pl_model_ref_split(&name, &ref, "churn@3"), PL_OK);
	assert_string_equal(name, "churn");
	assert_string_equal(ref, "3");
	free(name);
	free(ref);
	assert_int_equal(pl_model_ref_split(&name, &ref, "churn"), PL_OK);
	assert_null(ref);
	free(name);
	assert_int_equal(pl_model_ref_split(&name, &ref, "@3"), PL_EINVAL);
	assert_int_equal(pl_model_ref_split(&name, &ref, "a;b@3"), PL_EINVAL);
}

static pl_config *
config(struct fx *fx, const char *yaml)
{
	pl_config *c = NULL;
	char err[512];

	if (pl_config_parse(&c, "plumb.yaml", fx->dir, yaml, strlen(yaml), err,
	    sizeof err) != PL_OK)
		fail_msg("%s", err);
	return c;
}

static int
promote(pl_promote_result **res, struct fx *fx, pl_config *c, int version,
    pl_model_stage to, int force, const char *reason)
{
	pl_promote_opts o;

	memset(&o, 0, sizeof o);
	o.name = "churn";
	o.version = version;
	o.to = to;
	o.cfg = c;
	o.force = force;
	o.reason = reason;
	return pl_model_promote(res, fx->st, &o);
}

static void
test_promote_rollback(void **state)
{
	struct fx *fx = *state;
	pl_promote_result *res = NULL;
	pl_model_transition *h = NULL;
	pl_config *c;
	size_t n;
	int holder;
	char yaml[1024], live[256], buf[64];
	FILE *f;

	for (int i = 0; i < 3; i++)
		reg(fx, i);
	snprintf(live, sizeof live, "%s/live", fx->dir);
	snprintf(yaml, sizeof yaml,
	    "checks:\n"
	    "  q: {gates: ['accuracy >= 0.85', 'accuracy >= production - 0.05']}\n"
	    "deploy:\n"
	    "  box:\n"
	    "    cmd: '{ test \"$PLUMB_MODEL_VERSION\" != 3 || test ! -e fail3; } "
	    "&& cp \"$PLUMB_MODEL_PATH\" live'\n"
	    "    timeout: 5\n");
	c = config(fx, yaml);

	/* gate fails: nothing changes */
	assert_int_equal(promote(&res, fx, c, 2, PL_MODEL_PRODUCTION, 0, NULL),
	    PL_OK);
	assert_int_equal(res->outcome, PL_PROMOTE_REJECTED);
	assert_int_equal(res->gates->nfail, 1);
	assert_int_equal(res->transition_id, 0);
	pl_promote_result_free(res);
	assert_int_equal(stage_of(fx, 2), PL_MODEL_NONE);
	assert_int_not_equal(access(live, F_OK), 0);
	/* force needs a reason */
	assert_int_equal(promote(&res, fx, c, 2, PL_MODEL_PRODUCTION, 1, NULL),
	    PL_EINVAL);
	assert_null(res);

	/* v1 to production: deployed */
	assert_int_equal(promote(&res, fx, c, 1, PL_MODEL_PRODUCTION, 0,
	    "first"), PL_OK);
	assert_int_equal(res->outcome, PL_PROMOTE_DONE);
	assert_int_equal(res->ntargets, 1);
	pl_promote_result_free(res);
	f = fopen(live, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "model 1\n");
	assert_int_equal(pl_model_stage_holder(&holder, fx->st, "churn",
	    PL_MODEL_PRODUCTION), PL_OK);
	assert_int_equal(holder, 1);

	/* already there */
	assert_int_equal(promote(&res, fx, c, 1, PL_MODEL_PRODUCTION, 0, NULL),
	    PL_EINVAL);

	/* v3's deploy fails: v1 redeployed, attempt recorded as failed */
	snprintf(buf, sizeof buf, "%s/fail3", fx->dir);
	write_text(buf, "");
	assert_int_equal(promote(&res, fx, c, 3, PL_MODEL_PRODUCTION, 0, NULL),
	    PL_OK);
	assert_int_equal(res->outcome, PL_PROMOTE_FAILED);
	assert_non_null(strstr(res->detail, "redeployed v1"));
	pl_promote_result_free(res);
	assert_int_equal(stage_of(fx, 1), PL_MODEL_PRODUCTION);
	assert_int_equal(stage_of(fx, 3), PL_MODEL_NONE);
	unlink(buf);

	/* now it works: v1 archived */
	assert_int_equal(promote(&res, fx, c, 3, PL_MODEL_PRODUCTION, 0, NULL),
	    PL_OK);
	assert_int_equal(res->outcome, PL_PROMOTE_DONE);
	assert_int_equal(res->replaced_version, 1);
	pl_promote_result_free(res);
	assert_int_equal(stage_of(fx, 1), PL_MODEL_ARCHIVED);

	/* forced past the failing gate, to staging (no deploy target) */
	assert_int_equal(promote(&res, fx, c, 2, PL_MODEL_STAGING, 1, "qa"),
	    PL_OK);
	assert_int_equal(res->outcome, PL_PROMOTE_DONE);
	assert_true(res->forced);
	assert_int_equal(res->ntargets, 0);
	pl_promote_result_free(res);

	/* rollback: v1 back, v3 archived; then nothing older */
	{
		pl_promote_opts o;

		memset(&o, 0, sizeof o);
		o.name = "churn";
		o.cfg = c;
		assert_int_equal(pl_model_rollback(&res, fx->st, &o), PL_OK);
		assert_int_equal(res->outcome, PL_PROMOTE_DONE);
		assert_int_equal(res->version, 1);
		pl_promote_result_free(res);
		assert_int_equal(stage_of(fx, 1), PL_MODEL_PRODUCTION);
		assert_int_equal(stage_of(fx, 3), PL_MODEL_ARCHIVED);
		assert_int_equal(pl_model_rollback(&res, fx->st, &o),
		    PL_ENOTFOUND);
		o.to = PL_MODEL_ARCHIVED;
		assert_int_equal(pl_model_rollback(&res, fx->st, &o), PL_EINVAL);
	}

	assert_int_equal(pl_model_history(&h, &n, fx->st, "churn"), PL_OK);
	assert_int_equal(n, 3 + 5);
	assert_string_equal(h[3].kind, "promote");
	assert_string_equal(h[3].reason, "first");
	assert_int_equal(h[3].ngates, 2);
	assert_string_equal(h[3].gates[1].status, "skip");
	assert_string_equal(h[4].status, "failed");
	assert_string_equal(h[6].kind, "promote");
	assert_true(h[6].forced);
	assert_string_equal(h[7].kind, "rollback");
	assert_int_equal(h[7].replaced_version, 3);
	assert_int_equal(h[7].uid, (long)getuid());
	pl_model_history_free(h, n);
	pl_config_free(c);
}

/* Two processes promote different versions at once; the deploy takes
 * long enough for them to overlap.  Exactly one wins. */
static void
test_race(void **state)
{
	struct fx *fx = *state;
	pid_t pid[2];
	int wins = 0, busy = 0;

	reg(fx, 0);
	reg(fx, 2);
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			pl_store *st = NULL;
			pl_promote_result *res = NULL;
			pl_promote_opts o;
			pl_config *c = NULL;
			static const char y[] =
			    "deploy: {box: {cmd: 'sleep 0.7', timeout: 10}}\n";
			char err[256];
			int rc;

			if (pl_store_open(&st, fx->store, 0) != PL_OK ||
			    pl_config_parse(&c, "p", fx->dir, y, strlen(y), err,
			    sizeof err) != PL_OK)
				_exit(3);
			memset(&o, 0, sizeof o);
			o.name = "churn";
			o.version = i == 0 ? 1 : 2;
			o.to = PL_MODEL_PRODUCTION;
			o.cfg = c;
			rc = pl_model_promote(&res, st, &o);
			if (rc == PL_OK && res->outcome == PL_PROMOTE_DONE)
				rc = 0;
			else if (rc == PL_EBUSY)
				rc = 1;
			else
				rc = 2;
			pl_promote_result_free(res);
			pl_config_free(c);
			pl_store_close(st);
			_exit(rc);
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;

		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		wins += WEXITSTATUS(status) == 0;
		busy += WEXITSTATUS(status) == 1;
	}
	assert_int_equal(wins, 1);
	assert_int_equal(busy, 1);
	{
		pl_model_transition *h = NULL;
		size_t n, promotes = 0;

		assert_int_equal(pl_model_history(&h, &n, fx->st, "churn"),
		    PL_OK);
		for (size_t i = 0; i < n; i++)
			promotes += !strcmp(h[i].kind, "promote");
		assert_int_equal(promotes, 1);
		pl_model_history_free(h, n);
	}
}

/* A claim left by a dead process does not block the model forever. */
static void
test_stale_claim(void **state)
{
	struct fx *fx = *state;
	pl_promote_result *res = NULL;
	sqlite3 *db;
	char path[256];

	reg(fx, 0);
	snprintf(path, sizeof path, "%s/plumb.db", fx->store);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE models SET op_token = 'x', "
	    "op_pid = 999999999, op_pid_start = 1, op_host = (SELECT host "
	    "FROM runs LIMIT 1), op_user = 'ghost', op_ms = 1, "
	    "op_what = 'promote'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(promote(&res, fx, NULL, 1, PL_MODEL_STAGING, 0, NULL),
	    PL_OK);
	assert_int_equal(res->outcome, PL_PROMOTE_DONE);
	pl_promote_result_free(res);
}

static void
test_audit(void **state)
{
	struct fx *fx = *state;
	pl_audit_entry *e = NULL;
	pl_audit_query q = { 0 };
	size_t n;
	sqlite3 *db;
	char path[256];

	setenv("SSH_CLIENT", "192.0.2.1 4000 22", 1);
	assert_int_equal(pl_audit_append(fx->st, "data.add", "data/x.csv",
	    "sha256 0"), PL_OK);
	unsetenv("SSH_CLIENT");
	assert_int_equal(pl_audit_append(fx->st, "", NULL, NULL), PL_EINVAL);
	assert_int_equal(pl_audit_list(&e, &n, fx->st, NULL), PL_OK);
	assert_int_equal(n, 4);	/* three run starts from the fixture */
	assert_string_equal(e[0].action, "run.start");
	assert_string_equal(e[0].object, fx->run[0]);
	assert_string_equal(e[3].action, "data.add");
	assert_string_equal(e[3].ssh_client, "192.0.2.1");
	assert_null(e[0].ssh_client);
	assert_int_equal(e[3].uid, (long)getuid());
	assert_int_equal(e[3].pid, (long)getpid());
	pl_audit_list_free(e, n);
	q.action = "data";
	assert_int_equal(pl_audit_list(&e, &n, fx->st, &q), PL_OK);
	assert_int_equal(n, 1);
	pl_audit_list_free(e, n);
	q.action = "run";
	q.limit = 2;
	assert_int_equal(pl_audit_list(&e, &n, fx->st, &q), PL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(e[1].object, fx->run[2]);
	pl_audit_list_free(e, n);

	snprintf(path, sizeof path, "%s/plumb.db", fx->store);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE audit SET user = 'm'", NULL,
	    NULL, NULL), SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL,
	    NULL), SQLITE_CONSTRAINT);
	sqlite3_close(db);
	assert_int_equal(pl_audit_list(&e, &n, fx->st, NULL), PL_OK);
	assert_int_equal(n, 4);
	pl_audit_list_free(e, n);
}

/* pl_store_set_actor(): plumb serve's callers in the log, per handle. */
static void
test_audit_actor(void **state)
{
	struct fx *fx = *state;
	pl_audit_entry *e = NULL;
	pl_store *other = NULL;
	pl_actor a;
	size_t n;

	assert_int_equal(pl_store_open(&other, fx->store, 0), PL_OK);
	pl_store_set_actor(fx->st, "alice", "198.51.100.9");
	pl_store_actor(fx->st, &a);
	assert_string_equal(a.user, "alice");
	assert_int_equal(a.uid, -1);
	assert_int_equal(pl_audit_append(fx->st, "model.alias", "m@1", NULL),
	    PL_OK);
	/* another handle of the same process still acts as the process */
	assert_int_equal(pl_audit_append(other, "model.alias", "m@2", NULL),
	    PL_OK);
	pl_store_set_actor(fx->st, "bob\x1b[2J", NULL);
	assert_int_equal(pl_audit_append(fx->st, "model.alias", "m@3", NULL),
	    PL_OK);
	pl_store_set_actor(fx->st, NULL, NULL);
	assert_int_equal(pl_audit_append(fx->st, "model.alias", "m@4", NULL),
	    PL_OK);
	assert_int_equal(pl_audit_list(&e, &n, fx->st, NULL), PL_OK);
	assert_int_equal(n, 7);		/* after the fixture's three */
	assert_string_equal(e[3].user, "alice");
	assert_string_equal(e[3].host, "198.51.100.9");
	assert_int_equal(e[3].uid, -1);
	assert_string_not_equal(e[4].user, "alice");
	assert_int_equal(e[4].uid, (long)getuid());
	assert_string_equal(e[5].user, "bob?[2J");
	assert_string_not_equal(e[5].host, "198.51.100.9");
	assert_string_equal(e[6].user, e[4].user);
	assert_string_equal(e[6].host, e[4].host);
	assert_int_equal(e[6].uid, (long)getuid());
	pl_audit_list_free(e, n);
	pl_store_close(other);
}

#define H_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void
test_lineage_from_lock(void **state)
{
	struct fx *fx = *state;
	pl_data_ref *d = NULL;
	size_t n = 0;
	char path[256], err[256];

	snprintf(path, sizeof path, "%s/plumb.lock", fx->dir);
	write_text(path,
	    "schema: plumb-lock/1\n"
	    "stages:\n"
	    "  prep:\n"
	    "    cmd: prep\n"
	    "    deps:\n"
	    "    - path: raw.csv\n"
	    "      sha256: " H_A "\n"
	    "      size: 10\n"
	    "  train:\n"
	    "    cmd: train\n"
	    "    deps:\n"
	    "    - path: data/train.csv\n"
	    "      sha256: " H_B "\n"
	    "      size: 20\n"
	    "    - path: raw.csv\n"
	    "      sha256: " H_A "\n"
	    "      size: 10\n"
	    "    outs:\n"
	    "    - path: model.bin\n"
	    "      sha256: " H_B "\n"
	    "      size: 5\n");
	assert_int_equal(pl_lineage_from_lock(&d, &n, path, "train", err,
	    sizeof err), PL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].path, "data/train.csv");
	assert_string_equal(d[0].hash, H_B);
	assert_int_equal(d[0].size, 20);
	assert_string_equal(d[1].path, "raw.csv");
	assert_int_equal(d[1].size, 10);
	pl_data_refs_free(d, n);
	assert_int_equal(pl_lineage_from_lock(&d, &n, path, NULL, err,
	    sizeof err), PL_OK);
	assert_int_equal(n, 2);	/* raw.csv once */
	pl_data_refs_free(d, n);
	assert_int_equal(pl_lineage_from_lock(&d, &n, path, "nope", err,
	    sizeof err), PL_ENOTFOUND);
	assert_non_null(strstr(err, "no stage 'nope'"));
	assert_int_equal(pl_lineage_from_lock(&d, &n, "/nonexistent", NULL,
	    err, sizeof err), PL_ENOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_and_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_resolve_and_alias, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_promote_rollback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_claim, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_actor, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lineage_from_lock, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
