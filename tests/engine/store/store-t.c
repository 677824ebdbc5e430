/* store-t.c - unit tests of the store: create, open, discovery, migrations, refusal, reaping, checks. */
#include "config.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/internal.h"
#include "tests/engine/testutil.h"
#include <sys/wait.h>

static void
test_init_open(void **state)
{
	char *dir, *sd, *path;
	pl_store *st = tu_store(&dir), *st2 = NULL;
	struct stat sb;

	(void)state;
	assert_int_equal(pl_store_schema_version(st), pl_store_schema_latest());
	assert_false(pl_store_readonly(st));
	assert_string_equal(pl_store_errmsg(st), "");
	assert_true(asprintf(&sd, "%s/.plumb", dir) > 0);
	assert_true(asprintf(&path, "%s/cache", sd) > 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	free(path);
	pl_store_close(st);
	/* Opening again; init again is idempotent. */
	assert_int_equal(pl_store_open(&st2, sd, 0), PL_OK);
	pl_store_close(st2);
	assert_int_equal(pl_store_init(&st2, sd), PL_OK);
	pl_store_close(st2);
	free(sd);
	tu_rmrf(dir);
	free(dir);
}

static void
test_open_errors(void **state)
{
	char *dir = tu_tmpdir(), *p;
	pl_store *st = NULL;
	FILE *f;

	(void)state;
	/* missing directory */
	assert_true(asprintf(&p, "%s/none", dir) > 0);
	assert_int_equal(pl_store_open(&st, p, 0), PL_ENOTFOUND);
	assert_non_null(st);
	assert_non_null(strstr(pl_store_errmsg(st), "no plumb store at"));
	pl_store_close(st);
	free(p);
	/* a directory without a database */
	assert_int_equal(pl_store_open(&st, dir, 0), PL_ENOTFOUND);
	assert_non_null(strstr(pl_store_errmsg(st), "not a plumb store"));
	pl_store_close(st);
	/* garbage in plumb.db */
	assert_true(asprintf(&p, "%s/plumb.db", dir) > 0);
	f = fopen(p, "w");
	for (int i = 0; i < 4096; i++)
		fputc(i * 7 % 251, f);
	fclose(f);
	assert_int_equal(pl_store_open(&st, dir, 0), PL_ECORRUPT);
	assert_non_null(strstr(pl_store_errmsg(st), "not a plumb store"));
	pl_store_close(st);
	free(p);
	pl_store_close(NULL);	/* no-op */
	tu_rmrf(dir);
	free(dir);
}

static void
set_user_version(const char *sd, int v)
{
	sqlite3 *db;
	char *p, sql[64];

	assert_true(asprintf(&p, "%s/plumb.db", sd) > 0);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(p);
}

static void
test_newer_refused(void **state)
{
	char *dir, *sd;
	pl_store *st = tu_store(&dir);

	(void)state;
	assert_true(asprintf(&sd, "%s/.plumb", dir) > 0);
	pl_store_close(st);
	set_user_version(sd, pl_store_schema_latest() + 1);
	assert_int_equal(pl_store_open(&st, sd, 0), PL_EVERSION);
	assert_non_null(strstr(pl_store_errmsg(st), "newer than this plumb"));
	pl_store_close(st);
	free(sd);
	tu_rmrf(dir);
	free(dir);
}

static void
test_find(void **state)
{
	char *dir, *sd, *sub, *found = NULL, cwd[4096], err[256];
	pl_store *st = tu_store(&dir);

	(void)state;
	pl_store_close(st);
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_true(asprintf(&sub, "%s/a/b", dir) > 0);
	assert_true(asprintf(&sd, "%s/.plumb", dir) > 0);
	assert_int_equal(pl__mkdirs(sub, 0777), 0);
	assert_int_equal(chdir(sub), 0);
	unsetenv("PLUMB_STORE");
	assert_int_equal(pl_store_find(&found, NULL, err, sizeof err), PL_OK);
	{
		char real[4096];

		assert_non_null(realpath(sd, real));
		assert_string_equal(found, real[0] ? sd : sd);
	}
	free(found);
	setenv("PLUMB_STORE", "/somewhere/else", 1);
	assert_int_equal(pl_store_find(&found, NULL, err, sizeof err), PL_OK);
	assert_string_equal(found, "/somewhere/else");
	free(found);
	assert_int_equal(pl_store_find(&found, "/explicit", err, sizeof err), PL_OK);
	assert_string_equal(found, "/explicit");
	free(found);
	unsetenv("PLUMB_STORE");
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(pl_store_find(&found, NULL, err, sizeof err),
	    access("/.plumb", F_OK) == 0 ? PL_OK : PL_ENOTFOUND);
	free(found);
	assert_int_equal(chdir(cwd), 0);
	free(sub);
	free(sd);
	tu_rmrf(dir);
	free(dir);
}

static void
test_reap(void **state)
{
	char *dir, id[PL_ID_LEN + 1], id2[PL_ID_LEN + 1], id3[PL_ID_LEN + 1];
	pl_store *st = tu_store(&dir);
	pl_run_spec spec;
	pl_run_info *ri;
	pid_t child;
	int n = -1;

	(void)state;
	/* A run whose keeper process has exited is lost. */
	child = fork();
	if (child == 0)
		_exit(0);
	memset(&spec, 0, sizeof spec);
	spec.pid = child;
	assert_int_equal(pl_run_create(id, st, &spec), PL_OK);
	/* A run kept by this (live) process stays running. */
	spec.pid = getpid();
	assert_int_equal(pl_run_create(id2, st, &spec), PL_OK);
	/* A detached run (an API client's) has no process to lose. */
	spec.pid = 0;
	spec.detached = 1;
	assert_int_equal(pl_run_create(id3, st, &spec), PL_OK);
	waitpid(child, NULL, 0);
	assert_int_equal(pl_store_reap(&n, st), PL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pl_run_get(&ri, st, id3), PL_OK);
	assert_int_equal(ri->status, PL_RUN_RUNNING);
	assert_true(ri->detached);
	assert_null(ri->host);
	pl_run_info_free(ri);
	assert_int_equal(pl_run_get(&ri, st, id), PL_OK);
	assert_int_equal(ri->status, PL_RUN_LOST);
	assert_true(ri->end_ms > 0);
	pl_run_info_free(ri);
	assert_int_equal(pl_run_get(&ri, st, id2), PL_OK);
	assert_int_equal(ri->status, PL_RUN_RUNNING);
	pl_run_info_free(ri);
	/* A lost run cannot be finished any more. */
	assert_int_equal(pl_run_finish(st, id, PL_RUN_FINISHED, 0, NULL),
	    PL_EINVAL);
	assert_int_equal(pl_run_finish(st, id2, PL_RUN_FINISHED, 0, NULL), PL_OK);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_check_and_version(void **state)
{
	char *dir, *rep = NULL;
	pl_store *st = tu_store(&dir);
	int64_t v1, v2;

	(void)state;
	assert_int_equal(pl_store_check(&rep, st), PL_OK);
	assert_string_equal(rep, "ok");
	free(rep);
	assert_int_equal(pl_store_data_version(&v1, st), PL_OK);
	{
		/* Another connection's commit changes data_version. */
		pl_store *other = NULL;
		char id[PL_ID_LEN + 1];

		assert_int_equal(pl_store_open(&other, pl_store_dir(st), 0), PL_OK);
		assert_int_equal(pl_run_create(id, other, NULL), PL_OK);
		pl_store_close(other);
	}
	assert_int_equal(pl_store_data_version(&v2, st), PL_OK);
	assert_true(v1 != v2);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_open),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_newer_refused),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_reap),
		cmocka_unit_test(test_check_and_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
