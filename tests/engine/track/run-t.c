/* run-t.c - unit tests of runs: create, finish, prefix lookup, params, tags, metrics, artifacts. */
#include "config.h"

#include <math.h>
#include <unistd.h>

#include "tests/engine/testutil.h"

static void
test_create_finish(void **state)
{
	char *dir, id[PL_ID_LEN + 1], child[PL_ID_LEN + 1];
	pl_store *st = tu_store(&dir);
	pl_run_spec spec;
	pl_gitinfo g = { (char *)"abc123", (char *)"main", 1, (char *)"ff00" };
	pl_run_info *ri;

	(void)state;
	memset(&spec, 0, sizeof spec);
	spec.experiment = "exp";
	spec.name = "first";
	spec.command = "train --fast";
	spec.cwd = "/w";
	spec.git = &g;
	spec.pid = getpid();
	assert_int_equal(pl_run_create(id, st, &spec), PL_OK);
	assert_int_equal(strlen(id), PL_ID_LEN);
	assert_int_equal(strspn(id, "0123456789abcdef"), PL_ID_LEN);
	assert_int_equal(pl_run_get(&ri, st, id), PL_OK);
	assert_string_equal(ri->experiment, "exp");
	assert_string_equal(ri->name, "first");
	assert_int_equal(ri->status, PL_RUN_RUNNING);
	assert_string_equal(ri->command, "train --fast");
	assert_string_equal(ri->git.commit, "abc123");
	assert_string_equal(ri->git.branch, "main");
	assert_int_equal(ri->git.dirty, 1);
	assert_string_equal(ri->git.diff_hash, "ff00");
	assert_false(ri->has_exit_status);
	assert_int_equal(ri->end_ms, 0);
	pl_run_info_free(ri);
	/* parent by prefix */
	spec.parent = "";
	spec.parent = NULL;
	{
		char pfx[9];

		memcpy(pfx, id, 8);
		pfx[8] = '\0';
		spec.parent = pfx;
		spec.name = NULL;
		spec.git = NULL;
		assert_int_equal(pl_run_create(child, st, &spec), PL_OK);
	}
	assert_int_equal(pl_run_get(&ri, st, child), PL_OK);
	assert_string_equal(ri->parent, id);
	assert_null(ri->name);
	assert_int_equal(ri->git.dirty, -1);
	pl_run_info_free(ri);
	assert_int_equal(pl_run_finish(st, id, PL_RUN_FAILED, 3, "boom"), PL_OK);
	assert_int_equal(pl_run_get(&ri, st, id), PL_OK);
	assert_int_equal(ri->status, PL_RUN_FAILED);
	assert_true(ri->has_exit_status);
	assert_int_equal(ri->exit_status, 3);
	assert_string_equal(ri->message, "boom");
	assert_true(ri->end_ms >= ri->start_ms);
	pl_run_info_free(ri);
	/* finishing twice, or as running/lost, is refused */
	assert_int_equal(pl_run_finish(st, id, PL_RUN_FINISHED, 0, NULL), PL_EINVAL);
	assert_int_equal(pl_run_finish(st, child, PL_RUN_LOST, 0, NULL), PL_EINVAL);
	assert_int_equal(pl_run_finish(st, "0123", PL_RUN_FINISHED, 0, NULL), PL_EINVAL);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_resolve(void **state)
{
	char *dir, ids[64][PL_ID_LEN + 1], out[PL_ID_LEN + 1], up[PL_ID_LEN + 1];
	pl_store *st = tu_store(&dir);
	int shared = -1;

	(void)state;
	for (int i = 0; i < 64; i++)
		assert_int_equal(pl_run_create(ids[i], st, NULL), PL_OK);
	assert_int_equal(pl_run_resolve(out, st, ids[5]), PL_OK);
	assert_string_equal(out, ids[5]);
	for (int i = 0; i < PL_ID_LEN; i++)
		up[i] = (char)(ids[5][i] >= 'a' ? ids[5][i] - 32 : ids[5][i]);
	up[PL_ID_LEN] = '\0';
	assert_int_equal(pl_run_resolve(out, st, up), PL_OK);	/* any case */
	assert_string_equal(out, ids[5]);
	/* 64 ids over 16 first digits: some digit is shared. */
	for (int i = 0; i < 64 && shared < 0; i++)
		for (int k = i + 1; k < 64; k++)
			if (ids[i][0] == ids[k][0]) {
				shared = i;
				break;
			}
	{
		char p[2] = { ids[shared][0], 0 };

		assert_int_equal(pl_run_resolve(out, st, p), PL_EAMBIGUOUS);
		assert_non_null(strstr(pl_store_errmsg(st), "ambiguous"));
		assert_string_equal(out, "");
	}
	assert_int_equal(pl_run_resolve(out, st, "g"), PL_EINVAL);
	assert_int_equal(pl_run_resolve(out, st, ""), PL_EINVAL);
	assert_int_equal(pl_run_resolve(out, st, "' or 1=1 --"), PL_EINVAL);
	{
		char full[PL_ID_LEN + 1];

		/* an id nobody has */
		memcpy(full, ids[0], sizeof full);
		full[PL_ID_LEN - 1] = full[PL_ID_LEN - 1] == '0' ? '1' : '0';
		if (pl_run_resolve(out, st, full) != PL_OK)
			assert_int_equal(pl_run_resolve(out, st, full), PL_ENOTFOUND);
	}
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_params_tags_metrics(void **state)
{
	char *dir, id[PL_ID_LEN + 1];
	pl_store *st = tu_store(&dir);
	pl_kvlist *kv;
	pl_metric_summary *m;
	pl_point *pts;
	size_t n;

	(void)state;
	assert_int_equal(pl_run_create(id, st, NULL), PL_OK);
	assert_int_equal(pl_run_set_param(st, id, "lr", "0.1"), PL_OK);
	assert_int_equal(pl_run_set_param(st, id, "lr", "0.2"), PL_OK);	/* replace */
	assert_int_equal(pl_run_set_param(st, id, "a", "x"), PL_OK);
	assert_int_equal(pl_run_set_param(st, id, "", "x"), PL_EINVAL);
	assert_int_equal(pl_run_params(&kv, st, id), PL_OK);
	assert_int_equal(kv->n, 2);
	assert_string_equal(kv->items[0].key, "a");
	assert_string_equal(kv->items[1].value, "0.2");
	pl_kvlist_free(kv);
	assert_int_equal(pl_run_set_tag(st, id, "t", "v"), PL_OK);
	assert_int_equal(pl_run_tags(&kv, st, id), PL_OK);
	assert_int_equal(kv->n, 1);
	pl_kvlist_free(kv);
	/* auto steps continue from the last; out-of-order steps read sorted;
	 * two values at one (step, ts) are both kept, in write order, as
	 * the summary counts them (MLflow keeps both). */
	assert_int_equal(pl_metric_log(st, id, "loss", 3.0, PL_STEP_AUTO, 100), PL_OK);
	assert_int_equal(pl_metric_log(st, id, "loss", 2.0, PL_STEP_AUTO, 200), PL_OK);
	assert_int_equal(pl_metric_log(st, id, "loss", 9.0, 10, 300), PL_OK);
	assert_int_equal(pl_metric_log(st, id, "loss", 5.0, 5, 400), PL_OK);
	assert_int_equal(pl_metric_log(st, id, "loss", 6.0, 5, 400), PL_OK);
	assert_int_equal(pl_metric_log(st, id, "loss", NAN, PL_STEP_AUTO, 500), PL_OK);
	assert_int_equal(pl_metric_series(&pts, &n, st, id, "loss"), PL_OK);
	assert_int_equal(n, 6);
	assert_int_equal(pts[0].step, 0);
	assert_true(pts[0].value == 3.0);
	assert_int_equal(pts[1].step, 1);
	assert_int_equal(pts[2].step, 5);
	assert_true(pts[2].value == 5.0);
	assert_int_equal(pts[3].step, 5);
	assert_true(pts[3].value == 6.0);
	assert_int_equal(pts[4].step, 10);
	assert_int_equal(pts[5].step, 11);
	assert_true(isnan(pts[5].value));
	free(pts);
	assert_int_equal(pl_metric_summaries(&m, &n, st, id), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].key, "loss");
	assert_true(isnan(m[0].last));	/* latest = highest step */
	assert_int_equal(m[0].last_step, 11);
	assert_true(m[0].min == 2.0);
	assert_true(m[0].max == 9.0);
	assert_int_equal(m[0].count, 6);
	pl_metric_summary_free(m, n);
	assert_int_equal(pl_metric_series(&pts, &n, st, id, "nokey"), PL_ENOTFOUND);
	assert_int_equal(pl_metric_log(st, "ffffffffffffffffffffffffffffffff",
	    "x", 1, 0, 0), PL_ENOTFOUND);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_artifacts_experiments(void **state)
{
	char *dir, id[PL_ID_LEN + 1], *path, *obj;
	pl_store *st = tu_store(&dir);
	pl_artifact *a;
	pl_experiment *e;
	pl_run_spec spec;
	size_t n;
	FILE *f;

	(void)state;
	memset(&spec, 0, sizeof spec);
	spec.experiment = "b-exp";
	assert_int_equal(pl_run_create(id, st, &spec), PL_OK);
	assert_int_equal(pl_run_create(id, st, NULL), PL_OK);
	assert_true(asprintf(&path, "%s/model.bin", dir) > 0);
	f = fopen(path, "w");
	fputs("abc", f);
	fclose(f);
	assert_int_equal(pl_run_log_artifact(st, id, path, "model.bin"), PL_OK);
	assert_int_equal(pl_run_artifacts(&a, &n, st, id), PL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].path, "model.bin");
	/* sha256("abc") */
	assert_string_equal(a[0].sha256,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(a[0].size, 3);
	obj = pl_cache_object_path(st, a[0].sha256);
	assert_int_equal(access(obj, R_OK), 0);
	assert_int_not_equal(access(obj, W_OK), 0 == getuid() ? 1 : 0);
	free(obj);
	pl_artifact_list_free(a, n);
	assert_int_equal(pl_run_log_artifact(st, id, "/nonexistent/file", NULL),
	    PL_ENOTFOUND);
	assert_int_equal(pl_run_log_artifact(st, id, dir, NULL), PL_EINVAL);
	assert_int_equal(pl_experiments(&e, &n, st), PL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].name, "Default");
	assert_string_equal(e[1].name, "b-exp");
	assert_int_equal(e[0].runs, 1);
	assert_int_equal(e[0].running, 1);
	pl_experiment_list_free(e, n);
	free(path);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* What MLflow's API needs of runs and experiments: all-or-nothing
 * batches with write-once params, updates, soft deletion, experiments
 * as records. */
static void
test_edit_batch_experiments(void **state)
{
	char *dir, id[PL_ID_LEN + 1], id2[PL_ID_LEN + 1];
	pl_store *st = tu_store(&dir);
	pl_run_spec spec;
	pl_run_info *ri;
	pl_experiment_rec *e;
	pl_kvlist *kv;
	pl_metric_summary *m;
	pl_runlist *l;
	pl_query q;
	pl_point *pts;
	size_t n;
	int64_t exp, other, dflt;
	struct pl_kv tag = { (char *)"t", (char *)"1" };
	struct pl_kv p1 = { (char *)"lr", (char *)"0.1" };
	struct pl_kv p2 = { (char *)"lr", (char *)"0.2" };
	pl_batch_point pt[3] = {
		{ "loss", 0.5, 1000, 0 }, { "acc", 0.7, 1000, -3 },
		{ "loss", 0.25, 2000, 1 },
	};

	(void)state;
	assert_int_equal(pl_experiment_create(&exp, st, "e1", NULL, NULL), PL_OK);
	assert_int_equal(pl_experiment_create(&other, st, "e1", NULL, NULL),
	    PL_EEXISTS);
	assert_int_equal(pl_experiment_default(&dflt, st), PL_OK);
	assert_true(dflt != exp);
	assert_int_equal(pl_experiment_default(&other, st), PL_OK);
	assert_int_equal(other, dflt);
	memset(&spec, 0, sizeof spec);
	spec.experiment_id = exp;
	spec.user = "alice";
	spec.start_ms = 5000;
	spec.detached = 1;
	assert_int_equal(pl_run_create(id, st, &spec), PL_OK);
	assert_int_equal(pl_run_create(id2, st, &spec), PL_OK);
	assert_int_equal(pl_run_get(&ri, st, id), PL_OK);
	assert_string_equal(ri->experiment, "e1");
	assert_int_equal(ri->experiment_id, exp);
	assert_string_equal(ri->user, "alice");
	assert_int_equal(ri->start_ms, 5000);
	pl_run_info_free(ri);

	/* A batch: points grouped by key, any step; params written once. */
	assert_int_equal(pl_run_log_batch(st, id, pt, 3, &p1, 1, &tag, 1), PL_OK);
	assert_int_equal(pl_run_log_batch(st, id, NULL, 0, &p1, 1, NULL, 0), PL_OK);
	assert_int_equal(pl_run_log_batch(st, id, pt, 1, &p2, 1, NULL, 0),
	    PL_EEXISTS);
	assert_int_equal(pl_metric_series(&pts, &n, st, id, "loss"), PL_OK);
	assert_int_equal(n, 2);		/* the refused batch left nothing */
	free(pts);
	assert_int_equal(pl_metric_summaries(&m, &n, st, id), PL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].key, "acc");
	assert_int_equal(m[0].last_step, -3);
	assert_true(m[1].last == 0.25);
	pl_metric_summary_free(m, n);
	assert_int_equal(pl_run_params(&kv, st, id), PL_OK);
	assert_int_equal(kv->n, 1);
	assert_string_equal(kv->items[0].value, "0.1");
	pl_kvlist_free(kv);
	assert_int_equal(pl_run_delete_tag(st, id, "t"), PL_OK);
	assert_int_equal(pl_run_delete_tag(st, id, "t"), PL_ENOTFOUND);

	/* Updates: end given, kept on repeat; back to running has no end. */
	assert_int_equal(pl_run_update(st, id, PL_RUN_FINISHED, 9000, "nm"),
	    PL_OK);
	assert_int_equal(pl_run_update(st, id, PL_RUN_FINISHED, 0, NULL), PL_OK);
	assert_int_equal(pl_run_get(&ri, st, id), PL_OK);
	assert_int_equal(ri->status, PL_RUN_FINISHED);
	assert_int_equal(ri->end_ms, 9000);
	assert_string_equal(ri->name, "nm");
	pl_run_info_free(ri);
	assert_int_equal(pl_run_update(st, id, PL_RUN_RUNNING, 0, NULL), PL_OK);
	assert_int_equal(pl_run_get(&ri, st, id), PL_OK);
	assert_int_equal(ri->end_ms, 0);
	pl_run_info_free(ri);
	assert_int_equal(pl_run_update(st, id, PL_RUN_LOST, 0, NULL), PL_EINVAL);
	assert_int_equal(pl_run_update(st, "0123", PL_RUN_KILLED, 0, NULL),
	    PL_ENOTFOUND);

	/* Soft deletion of a run, then of the experiment: restoring the
	 * experiment brings back only the runs deleted with it. */
	assert_int_equal(pl_run_set_deleted(st, id2, 1), PL_OK);
	assert_int_equal(pl_run_set_deleted(st, id2, 1), PL_OK);
	/* A deleted run takes no writes; in a group, it fails alone. */
	assert_int_equal(pl_run_log_batch(st, id2, pt, 1, NULL, 0, NULL, 0),
	    PL_EINVAL);
	{
		pl_batch_point acc = { "acc", 0.9, 3000, 5 };
		pl_run_points g[3] = {
			{ id2, pt, 1, 0 }, { id, &acc, 1, 0 },
			{ "00000000000000000000000000000000", pt, 1, 0 },
		};

		assert_int_equal(pl_runs_log_points(st, g, 3), PL_OK);
		assert_int_equal(g[0].rc, PL_EINVAL);
		assert_int_equal(g[1].rc, PL_OK);
		assert_int_equal(g[2].rc, PL_ENOTFOUND);
		assert_int_equal(pl_metric_series(&pts, &n, st, id, "acc"),
		    PL_OK);
		assert_int_equal(n, 2);
		free(pts);
	}
	memset(&q, 0, sizeof q);
	q.experiment_ids = &exp;
	q.n_experiment_ids = 1;
	q.view = PL_VIEW_ACTIVE;
	assert_int_equal(pl_runs_query(&l, st, &q), PL_OK);
	assert_int_equal(pl_runlist_count(l), 1);
	pl_runlist_free(l);
	q.view = PL_VIEW_ALL;
	assert_int_equal(pl_runs_query(&l, st, &q), PL_OK);
	assert_int_equal(pl_runlist_count(l), 2);
	pl_runlist_free(l);
	assert_int_equal(pl_experiment_set_deleted(st, exp, 1), PL_OK);
	assert_int_equal(pl_run_get(&ri, st, id), PL_OK);
	assert_true(ri->deleted_ms > 0);
	pl_run_info_free(ri);
	assert_int_equal(pl_experiment_set_deleted(st, exp, 0), PL_OK);
	assert_int_equal(pl_run_get(&ri, st, id), PL_OK);
	assert_int_equal(ri->deleted_ms, 0);
	pl_run_info_free(ri);
	assert_int_equal(pl_run_get(&ri, st, id2), PL_OK);
	assert_true(ri->deleted_ms > 0);
	pl_run_info_free(ri);

	/* Rename and tags. */
	assert_int_equal(pl_experiment_rename(st, exp, "Default"), PL_EEXISTS);
	assert_int_equal(pl_experiment_rename(st, exp, "e2"), PL_OK);
	assert_int_equal(pl_experiment_set_tag(st, exp, "k", "v"), PL_OK);
	assert_int_equal(pl_experiment_read(&e, st, exp), PL_OK);
	assert_string_equal(e->name, "e2");
	assert_int_equal(e->tags->n, 1);
	assert_string_equal(e->tags->items[0].value, "v");
	assert_int_equal(e->deleted_ms, 0);
	pl_experiment_rec_free(e);
	assert_int_equal(pl_experiment_read(&e, st, 4242), PL_ENOTFOUND);
	{
		pl_experiment_rec **all;

		assert_int_equal(pl_experiment_read_all(&all, &n, st), PL_OK);
		assert_int_equal(n, 2);
		assert_int_equal(all[0]->tags->n + all[1]->tags->n, 1);
		pl_experiment_recs_free(all, n);
	}
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

/* A replayed request stores nothing twice (MLflow's store keeps a point
 * once by key, step, timestamp and value), and "latest" breaks a tie on
 * step and timestamp by the larger value, as MLflow does. */
static void
test_replay_and_latest(void **state)
{
	char *dir, id[PL_ID_LEN + 1];
	pl_store *st = tu_store(&dir);
	pl_run_spec spec;
	pl_metric_summary *m;
	pl_point *pts;
	size_t n;
	pl_batch_point one = { "loss", 0.5, 1000, 3 };
	pl_batch_point batch[4] = {
		{ "acc", 0.1, 1000, 0 }, { "acc", 0.2, 2000, 1 },
		{ "acc", 0.3, 3000, 2 }, { "loss", 0.4, 900, 2 },
	};
	/* the same point twice in one batch, and one tie on (step, time) */
	pl_batch_point twice[3] = {
		{ "f1", 0.9, 500, 7 }, { "f1", 0.9, 500, 7 },
		{ "f1", 0.95, 500, 7 },
	};
	pl_run_points g[2] = { { NULL, &one, 1, 0 }, { NULL, &one, 1, 0 } };

	(void)state;
	memset(&spec, 0, sizeof spec);
	spec.detached = 1;
	assert_int_equal(pl_run_create(id, st, &spec), PL_OK);
	g[0].run_id = g[1].run_id = id;
	/* log-metric retried: once, then in a later group, then twice in
	 * one group */
	assert_int_equal(pl_runs_log_points(st, g, 1), PL_OK);
	assert_int_equal(pl_runs_log_points(st, g, 1), PL_OK);
	assert_int_equal(pl_runs_log_points(st, g, 2), PL_OK);
	/* log-batch retried whole, reaching back over stored steps */
	assert_int_equal(pl_run_log_batch(st, id, batch, 4, NULL, 0, NULL, 0),
	    PL_OK);
	assert_int_equal(pl_run_log_batch(st, id, batch, 4, NULL, 0, NULL, 0),
	    PL_OK);
	assert_int_equal(pl_run_log_batch(st, id, twice, 3, NULL, 0, NULL, 0),
	    PL_OK);
	assert_int_equal(pl_metric_summaries(&m, &n, st, id), PL_OK);
	assert_int_equal(n, 3);
	assert_string_equal(m[0].key, "acc");
	assert_int_equal(m[0].count, 3);
	assert_true(m[0].last == 0.3);
	assert_string_equal(m[1].key, "f1");
	assert_int_equal(m[1].count, 2);	/* 0.9 once, 0.95 */
	assert_true(m[1].last == 0.95);		/* the tie: the larger */
	assert_string_equal(m[2].key, "loss");
	assert_int_equal(m[2].count, 2);
	assert_int_equal(m[2].last_step, 3);
	assert_true(m[2].last == 0.5);
	pl_metric_summary_free(m, n);
	assert_int_equal(pl_metric_series(&pts, &n, st, id, "acc"), PL_OK);
	assert_int_equal(n, 3);
	free(pts);
	/* the history agrees with the count: 0.9 once, and 0.95 */
	assert_int_equal(pl_metric_series(&pts, &n, st, id, "f1"), PL_OK);
	assert_int_equal(n, 2);
	assert_true(pts[0].value == 0.9 && pts[1].value == 0.95);
	free(pts);
	/* the tie decided the same way when the larger value came first
	 * and the smaller in a later transaction */
	{
		pl_batch_point hi = { "r", 2.0, 100, 1 }, lo = { "r", 1.0, 100, 1 };

		assert_int_equal(pl_run_log_batch(st, id, &hi, 1, NULL, 0, NULL,
		    0), PL_OK);
		assert_int_equal(pl_run_log_batch(st, id, &lo, 1, NULL, 0, NULL,
		    0), PL_OK);
		assert_int_equal(pl_metric_summaries(&m, &n, st, id), PL_OK);
		assert_int_equal(n, 4);
		assert_string_equal(m[3].key, "r");
		assert_true(m[3].last == 2.0);
		assert_int_equal(m[3].count, 2);
		pl_metric_summary_free(m, n);
		/* both values in the history, the latest (2.0) among them */
		assert_int_equal(pl_metric_series(&pts, &n, st, id, "r"), PL_OK);
		assert_int_equal(n, 2);
		assert_true(pts[0].value == 2.0 && pts[1].value == 1.0);
		free(pts);
	}
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_finish),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_params_tags_metrics),
		cmocka_unit_test(test_artifacts_experiments),
		cmocka_unit_test(test_edit_batch_experiments),
		cmocka_unit_test(test_replay_and_latest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
