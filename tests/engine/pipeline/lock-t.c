/* lock-t.c - unit tests of plumb.lock (round trip, order, quoting, errors) and of file hashing (manifests, memo). */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/engine/testutil.h"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void
spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_lock_roundtrip(void **state)
{
	char *dir = tu_tmpdir(), *path, *p2, *a, *b, err[512];
	pl_lock *lk = pl_lock_new(), *back = NULL;
	pl_lock_entry deps[2], outs[1];
	pl_lock_param params[4];
	char *cmds[] = { (char *)"python train.py --x 'a b'", (char *)"echo ok" };
	pl_lock_stage s;
	const pl_lock_stage *r;

	(void)state;
	memset(deps, 0, sizeof deps);
	memset(outs, 0, sizeof outs);
	deps[0].path = (char *)"z.csv";
	memset(deps[0].hash, '1', 64);	/* all digits: must stay a string */
	deps[0].size = 10;
	deps[1].path = (char *)"a dir";
	memset(deps[1].hash, 'a', 64);
	deps[1].size = 20;
	deps[1].nfiles = 3;
	deps[1].is_dir = 1;
	outs[0].path = (char *)"model.pkl";
	memset(outs[0].hash, 'f', 64);
	outs[0].size = 5;
	params[0] = (pl_lock_param){ (char *)"params.yaml", (char *)"lr",
	    (char *)"0.01" };
	params[1] = (pl_lock_param){ (char *)"params.yaml", (char *)"name",
	    (char *)"\"007\"" };
	params[2] = (pl_lock_param){ (char *)"conf.yaml", (char *)"flag",
	    (char *)"\"yes\"" };
	params[3] = (pl_lock_param){ (char *)"params.yaml", (char *)"grid",
	    (char *)"{\"a\":[1,2],\"b\":true}" };
	memset(&s, 0, sizeof s);
	s.cmds = cmds;
	s.ncmds = 2;
	s.deps = deps;
	s.ndeps = 2;
	s.outs = outs;
	s.nouts = 1;
	s.params = params;
	s.nparams = 4;
	s.name = (char *)"train";
	assert_int_equal(pl_lock_set(lk, &s), PL_OK);
	s.name = (char *)"a-first";
	s.ncmds = 1;
	assert_int_equal(pl_lock_set(lk, &s), PL_OK);
	assert_int_equal(pl_lock_nstages(lk), 2);
	assert_string_equal(pl_lock_stage_at(lk, 0)->name, "a-first");
	assert_true(asprintf(&path, "%s/plumb.lock", dir) > 0);
	assert_true(asprintf(&p2, "%s/again.lock", dir) > 0);
	assert_int_equal(pl_lock_write(lk, path, err, sizeof err), PL_OK);
	assert_int_equal(pl_lock_read(&back, path, err, sizeof err), PL_OK);
	r = pl_lock_find(back, "train");
	assert_non_null(r);
	assert_int_equal(r->ncmds, 2);
	assert_string_equal(r->cmds[0], "python train.py --x 'a b'");
	assert_int_equal(r->ndeps, 2);
	/* entries come back sorted by path, with their kinds */
	assert_string_equal(r->deps[0].path, "a dir");
	assert_true(r->deps[0].is_dir);
	assert_int_equal(r->deps[0].nfiles, 3);
	assert_string_equal(pl_lock_stage_dep(r, "z.csv")->hash,
	    "1111111111111111111111111111111111111111111111111111111111111111");
	assert_int_equal(pl_lock_stage_out(r, "model.pkl")->size, 5);
	/* param values keep their types */
	for (size_t i = 0; i < r->nparams; i++) {
		if (strcmp(r->params[i].key, "name") == 0)
			assert_string_equal(r->params[i].value, "\"007\"");
		if (strcmp(r->params[i].key, "flag") == 0)
			assert_string_equal(r->params[i].value, "\"yes\"");
		if (strcmp(r->params[i].key, "lr") == 0)
			assert_string_equal(r->params[i].value, "0.01");
		if (strcmp(r->params[i].key, "grid") == 0)
			assert_string_equal(r->params[i].value,
			    "{\"a\":[1,2],\"b\":true}");
	}
	/* deterministic: what was read writes back byte for byte */
	assert_int_equal(pl_lock_write(back, p2, err, sizeof err), PL_OK);
	a = slurp(path);
	b = slurp(p2);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "schema: plumb-lock/1\nstages:\n  a-first:\n"));
	free(a);
	free(b);
	/* no temp file is left behind */
	{
		char *tmp;

		assert_true(asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) > 0);
		assert_int_not_equal(access(tmp, F_OK), 0);
		free(tmp);
	}
	pl_lock_remove(back, "train");
	assert_null(pl_lock_find(back, "train"));
	pl_lock_free(back);
	pl_lock_free(lk);
	/* a missing file is an empty lock; a damaged one says where */
	unlink(path);
	assert_int_equal(pl_lock_read(&back, path, err, sizeof err), PL_OK);
	assert_int_equal(pl_lock_nstages(back), 0);
	pl_lock_free(back);
	spit(path, "schema: plumb-lock/1\nstages:\n  s:\n    cmd: x\n"
	    "    outs:\n    - sha256: abc\n");
	assert_int_equal(pl_lock_read(&back, path, err, sizeof err),
	    PL_EINVAL);
	assert_non_null(strstr(err, "plumb.lock:6:7: an entry needs a path"));
	spit(path, "stages: {}\n");
	assert_int_equal(pl_lock_read(&back, path, err, sizeof err),
	    PL_EINVAL);
	assert_non_null(strstr(err, "not a plumb lock file"));
	free(path);
	free(p2);
	tu_rmrf(dir);
	free(dir);
}

static void
test_hash_and_memo(void **state)
{
	char *dir, *f1, *f2, *d, *sub;
	pl_store *st = tu_store(&dir);
	pl_hashed h[3];
	pl_hash_stats stats;
	const char *paths[3];
	struct stat sb;

	(void)state;
	assert_true(asprintf(&d, "%s/data", dir) > 0);
	assert_true(asprintf(&sub, "%s/data/sub", dir) > 0);
	assert_true(asprintf(&f1, "%s/data/b.txt", dir) > 0);
	assert_true(asprintf(&f2, "%s/data/sub/a.txt", dir) > 0);
	mkdir(d, 0777);
	mkdir(sub, 0777);
	spit(f1, "hello\n");
	spit(f2, "");
	chmod(f1, 0644);
	chmod(f2, 0600);
	paths[0] = f1;
	paths[1] = d;
	paths[2] = "/nonexistent/plumb/x";
	assert_int_equal(pl_hash_paths(h, &stats, st, paths, 3, 2,
	    PL_HASH_SAVE_MANIFESTS), PL_OK);
	/* sha256("hello\n") */
	assert_string_equal(h[0].hash,
	    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	assert_int_equal(h[0].size, 6);
	assert_true(h[1].is_dir);
	assert_int_equal(h[1].nfiles, 2);
	assert_int_equal(h[1].size, 6);
	assert_true(h[2].missing);
	assert_int_equal(stats.hashed, 3);	/* b.txt twice (file + dir) */
	/* the manifest is in the cache and reads back sorted */
	{
		pl_manifest_entry *m;
		size_t n;

		assert_int_equal(pl_manifest_read(&m, &n, st, h[1].hash), PL_OK);
		assert_int_equal(n, 2);
		assert_string_equal(m[0].path, "b.txt");
		assert_string_equal(m[1].path, "sub/a.txt");
		assert_int_equal(m[1].mode, 0600);
		assert_string_equal(m[1].hash, "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855");
		pl_manifest_free(m, n);
	}
	/* files just written are not trusted from the memo yet (racy)... */
	assert_int_equal(pl_hash_paths(h, &stats, st, paths, 2, 0, 0), PL_OK);
	assert_true(stats.hashed > 0);
	/* ...but files older than that are: nothing is read */
	{
		struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

		utimensat(AT_FDCWD, f1, old, 0);
		utimensat(AT_FDCWD, f2, old, 0);
	}
	assert_int_equal(pl_hash_paths(h, &stats, st, paths, 2, 0, 0), PL_OK);
	assert_int_equal(stats.hashed, 3);	/* mtime changed: read again */
	assert_int_equal(pl_hash_paths(h, &stats, st, paths, 2, 0, 0), PL_OK);
	assert_int_equal(stats.hashed, 0);
	assert_int_equal(stats.files, 3);
	/* a change of content with the same size and mtime is what the memo
	 * cannot see; a change of size it can */
	spit(f1, "hello world\n");
	assert_int_equal(pl_hash_paths(h, &stats, st, paths, 1, 0, 0), PL_OK);
	assert_int_equal(stats.hashed, 1);
	assert_int_equal(stat(f1, &sb), 0);
	assert_int_equal(h[0].size, sb.st_size);
	/* no memo: always read */
	assert_int_equal(pl_hash_paths(h, &stats, st, paths, 2, 1,
	    PL_HASH_NO_MEMO), PL_OK);
	assert_int_equal(stats.hashed, 3);
	/* put + checkout restores a directory exactly */
	{
		pl_hashed put;

		assert_int_equal(pl_cache_put_path(&put, st, d), PL_OK);
		assert_true(pl_cache_has(st, &put));
		spit(f1, "edited\n");
		unlink(f2);
		assert_int_equal(pl_cache_checkout(st, d, &put,
		    PL_LINK_DEFAULT), PL_OK);
		assert_int_equal(pl_hash_paths(h, NULL, st, paths + 1, 1, 0,
		    0), PL_OK);
		assert_string_equal(h[0].hash, put.hash);
	}
	assert_int_equal(pl_link_parse("copy,reflink"), PL_LINK_COPY |
	    PL_LINK_REFLINK);
	assert_int_equal(pl_link_parse("symlink"), -1);
	pl_store_close(st);
	free(f1);
	free(f2);
	free(d);
	free(sub);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_roundtrip),
		cmocka_unit_test(test_hash_and_memo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
