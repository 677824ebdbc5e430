/* pipeline-t.c - unit tests of pipeline files: schema, templating (vars, ${}, foreach, matrix), graph errors. */
#include "config.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/engine/testutil.h"
#include "pipeline/pipeline.h"
#include "config/ynode.h"

static char *tdir;

static void
put(const char *name, const char *text)
{
	char *p;
	FILE *f;

	assert_true(asprintf(&p, "%s/%s", tdir, name) > 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

/* Loads pipeline text; returns the status, err filled. */
static int
load(pl_pipeline **p, const char *yaml, unsigned flags, char *err,
    size_t len)
{
	char *path;
	int rc;

	put("plumb.yaml", yaml);
	assert_true(asprintf(&path, "%s/plumb.yaml", tdir) > 0);
	err[0] = '\0';
	rc = pl_pipeline_load(p, path, flags, err, len);
	free(path);
	if (rc != PL_OK && getenv("PL_TEST_VERBOSE"))
		fprintf(stderr, "load: %s\n", err);
	return rc;
}

static const pl_pipe_stage *
stage(const pl_pipeline *p, const char *name)
{
	long i = pl_pipeline_index(p, name);

	if (i < 0)
		fail_msg("no stage %s", name);
	return pl_pipeline_stage(p, (size_t)i);
}

/* Expects failure with "plumb.yaml:LINE:COL: ...needle..." */
static void
expect_err(const char *yaml, unsigned flags, int line, int col,
    const char *needle)
{
	pl_pipeline *p = NULL;
	char err[1024], where[64];

	assert_int_not_equal(load(&p, yaml, flags, err, sizeof err), PL_OK);
	assert_null(p);
	snprintf(where, sizeof where, "plumb.yaml:%d:%d: ", line, col);
	if (strstr(err, where) == NULL || strstr(err, needle) == NULL)
		fail_msg("expected [%s...%s], got [%s]", where, needle, err);
}

static int
setup(void **state)
{
	(void)state;
	tdir = tu_tmpdir();
	return tdir ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	tu_rmrf(tdir);
	free(tdir);
	return 0;
}

static void
test_basic(void **state)
{
	pl_pipeline *p;
	char err[1024];
	const pl_pipe_stage *s;
	const size_t *up;
	size_t nup;

	(void)state;
	put("params.yaml", "train:\n  lr: 0.01\n  epochs: 3\nseed: 7\n");
	assert_int_equal(load(&p,
	    "stages:\n"
	    "  prepare:\n"
	    "    cmd: python prep.py\n"
	    "    deps: [raw.csv]\n"
	    "    outs:\n"
	    "      - data/clean/\n"
	    "  train:\n"
	    "    cmd:\n"
	    "      - python train.py\n"
	    "      - echo done\n"
	    "    wdir: .\n"
	    "    deps: [data/clean/part1.csv]\n"
	    "    params: [train.lr, seed, {params.yaml: [train.epochs]}]\n"
	    "    outs:\n"
	    "      - model.pkl: {cache: false, persist: true}\n"
	    "    metrics: [{scores.json: {cache: false}}]\n"
	    "    plots: [{roc.json: {x: fpr, y: tpr}}]\n"
	    "    frozen: false\n"
	    "    always_changed: true\n"
	    "    desc: trains\n", 0, err, sizeof err), PL_OK);
	assert_int_equal(pl_pipeline_nstages(p), 2);
	s = stage(p, "prepare");
	assert_string_equal(s->outs[0].wpath, "data/clean");
	s = stage(p, "train");
	assert_int_equal(s->ncmds, 2);
	assert_string_equal(s->cmds[1], "echo done");
	assert_int_equal(s->nparams, 3);
	assert_string_equal(s->params[2].key, "train.epochs");
	assert_int_equal(s->nouts, 3);
	assert_false(s->outs[0].cache);
	assert_true(s->outs[0].persist);
	assert_int_equal(s->outs[1].kind, PL_OUT_METRIC);
	assert_int_equal(s->outs[2].kind, PL_OUT_PLOT);
	assert_true(s->always_changed);
	/* the dep inside prepare's output directory makes the edge */
	pl_pipeline_upstream(p, (size_t)pl_pipeline_index(p, "train"), &up,
	    &nup);
	assert_int_equal(nup, 1);
	assert_int_equal(up[0], (size_t)pl_pipeline_index(p, "prepare"));
	{
		char *v;

		assert_int_equal(pl_pipeline_param_value(&v, p,
		    &s->params[0]), PL_OK);
		assert_string_equal(v, "0.01");
		free(v);
	}
	pl_pipeline_free(p);
	unlink(tdir);
}

static void
test_templating(void **state)
{
	pl_pipeline *p;
	char err[1024];
	const pl_pipe_stage *s;

	(void)state;
	put("params.yaml", "model:\n  name: cnn\n  layers: 3\n"
	    "opts:\n  lr: 0.1\n  fast: true\n  slow: false\n"
	    "  tags: [a, 'b c']\n  nest: {k: v}\n"
	    "sets: {uk: {n: 1}, us: {n: 2}}\n");
	put("extra.yaml", "extra:\n  out: result\nother: 5\n");
	assert_int_equal(load(&p,
	    "vars:\n"
	    "  - extra.yaml:extra\n"
	    "  - prefix: run\n"
	    "stages:\n"
	    "  fit:\n"
	    "    cmd: train ${model.name} --layers ${model.layers} ${opts}\n"
	    "    outs: [\"${prefix}-${extra.out}.bin\"]\n"
	    "  each:\n"
	    "    foreach: ${sets}\n"
	    "    do:\n"
	    "      cmd: echo ${key} ${item.n}\n"
	    "      outs:\n        - out-${key}.txt\n"
	    "  list:\n"
	    "    foreach: [x, 2, {a: 1}]\n"
	    "    do:\n"
	    "      cmd: echo ${item}\n"
	    "  grid:\n"
	    "    matrix:\n"
	    "      m: [lr, svm]\n"
	    "      s: [1, 2]\n"
	    "      c: [{x: 1}]\n"
	    "    cmd: fit ${item.m} ${item.s} ${item.c.x}\n"
	    "    outs:\n      - m-${item.m}-${item.s}.pkl\n"
	    "  lit:\n"
	    "    cmd: echo \\${HOME}\n",
	    0, err, sizeof err), PL_OK);
	s = stage(p, "fit");
	assert_string_equal(s->cmds[0], "train cnn --layers 3 --lr 0.1 --fast "
	    "--tags a 'b c' --nest.k v");
	assert_string_equal(s->outs[0].path, "run-result.bin");
	/* params read through ${} are tracked; vars are not */
	{
		int has_name = 0, has_opts = 0;

		for (size_t i = 0; i < s->nparams; i++) {
			has_name |= strcmp(s->params[i].key, "model.name") == 0;
			has_opts |= strcmp(s->params[i].key, "opts") == 0;
			assert_true(s->params[i].implicit);
		}
		assert_true(has_name);
		(void)has_opts;
	}
	s = stage(p, "each@us");
	assert_string_equal(s->cmds[0], "echo us 2");
	assert_string_equal(s->outs[0].path, "out-us.txt");
	assert_string_equal(s->group, "each");
	assert_true(pl_pipeline_index(p, "list@0") >= 0);
	assert_true(pl_pipeline_index(p, "list@1") >= 0);
	assert_string_equal(stage(p, "list@1")->cmds[0], "echo 2");
	/* a mapping item in cmd is unpacked; its stage is named by index */
	assert_string_equal(stage(p, "list@2")->cmds[0], "echo --a 1");
	assert_true(pl_pipeline_index(p, "grid@lr-1-c0") >= 0);
	assert_true(pl_pipeline_index(p, "grid@svm-2-c0") >= 0);
	assert_string_equal(stage(p, "grid@svm-1-c0")->cmds[0], "fit svm 1 1");
	assert_string_equal(stage(p, "lit")->cmds[0], "echo ${HOME}");
	assert_int_equal(pl_pipeline_nstages(p), 1 + 2 + 3 + 4 + 1);
	{
		unsigned char mask[16] = { 0 };

		assert_int_equal(pl_pipeline_select(p, mask,
		    (char *[]){ (char *)"grid" }, 1, 1, err, sizeof err),
		    PL_OK);
		assert_int_equal(mask[pl_pipeline_index(p, "grid@lr-2-c0")], 1);
		assert_int_equal(mask[pl_pipeline_index(p, "fit")], 0);
	}
	pl_pipeline_free(p);
}

static void
test_errors(void **state)
{
	(void)state;
	put("params.yaml", "a: 1\nd: {x: 1}\n");
	expect_err("stages:\n  s:\n    cmd: x\n    outz: [a]\n", 0, 4, 5,
	    "unknown key 'outz' in a stage (did you mean 'outs'?)");
	expect_err("stages:\n  s:\n    deps: [a]\n", 0, 2, 3,
	    "stage 's' has no cmd");
	expect_err("stages:\n  s:\n    cmd: {a: 1}\n", 0, 3, 10,
	    "cmd must be a string or a list of strings");
	expect_err("stages:\n  s:\n    cmd: x\n    deps: a\n", 0, 4, 11,
	    "deps must be a list");
	expect_err("stages:\n  s:\n    cmd: x\n    frozen: yes\n", 0, 4, 13,
	    "frozen must be true or false");
	expect_err("stages:\n  a:\n    cmd: x\n    outs: [o]\n"
	    "  b:\n    cmd: y\n    outs: [o]\n", 0, 7, 12,
	    "output 'o' of stage 'b' is also an output of stage 'a'");
	expect_err("stages:\n  a:\n    cmd: x\n    outs: [d]\n"
	    "  b:\n    cmd: y\n    outs: [d/f]\n", 0, 7, 12,
	    "output 'd/f' of stage 'b' is inside output 'd' of stage 'a'");
	expect_err("stages:\n  a:\n    cmd: x\n    deps: [c]\n    outs: [a]\n"
	    "  b:\n    cmd: y\n    deps: [a]\n    outs: [b]\n"
	    "  c:\n    cmd: z\n    deps: [b]\n    outs: [c]\n", 0, 2, 3,
	    "dependency cycle: ");
	{
		pl_pipeline *p;
		char err[1024];

		assert_int_equal(load(&p, "stages:\n  a:\n    cmd: x\n"
		    "    deps: [c]\n    outs: [a]\n"
		    "  b:\n    cmd: y\n    deps: [a]\n    outs: [b]\n"
		    "  c:\n    cmd: z\n    deps: [b]\n    outs: [c]\n", 0, err,
		    sizeof err), PL_EINVAL);
		/* every stage on the cycle, in dependency order, with the
		 * dep path that links each to the next */
		assert_true(strstr(err, "a -> a -> b -> b -> c -> c -> a") ||
		    strstr(err, "b -> b -> c -> c -> a -> a -> b") ||
		    strstr(err, "c -> c -> a -> a -> b -> b -> c"));
	}
	expect_err("stages:\n  s:\n    cmd: x\n    deps: [nothere]\n",
	    PL_PIPE_CHECK_DEPS, 4, 12,
	    "dependency 'nothere' of stage 's' does not exist");
	expect_err("stages:\n  s:\n    cmd: x\n    params: [a, b]\n", 0, 4, 17,
	    "param 'b' of stage 's' is not in params.yaml");
	expect_err("stages:\n  s:\n    cmd: echo ${nope}\n", 0, 3, 10,
	    "cannot interpolate '${nope}'");
	expect_err("stages:\n  s:\n    cmd: x\n    outs: [\"${d}/f\"]\n", 0, 4,
	    12, "it is a mapping");
	expect_err("stages:\n  s:\n    foreach: 3\n    do: {cmd: x}\n", 0, 3,
	    14, "foreach needs a list or a mapping");
	expect_err("stages:\n  s:\n    foreach: [1]\n", 0, 2, 3, "has no 'do'");
	expect_err("stagez: {}\n", 0, 1, 1, "unknown key 'stagez'");
	expect_err("stages:\n  s: [1]\n", 0, 2, 6, "must be a mapping");
	expect_err("stages:\n  s:\n    cmd: x\n  s:\n    cmd: y\n", 0, 4, 3,
	    "duplicate key 's'");
	expect_err("stages:\n  s:\n    cmd: 'x\n", 0, 4, 1, "");
	expect_err("vars: [missing.yaml]\nstages: {}\n", 0, 1, 8,
	    "vars file 'missing.yaml' does not exist");
	expect_err("vars: [{a: 2}]\nstages: {}\n", 0, 1, 9,
	    "cannot redefine 'a'");
	expect_err("stages:\n  s:\n    matrix: {m: []}\n    cmd: x\n", 0, 3, 17,
	    "must be a non-empty list");
	expect_err("stages:\n  s:\n    cmd: x\n    outs: [{o: {cach: 1}}]\n", 0,
	    4, 17, "unknown key 'cach'");
	expect_err("stages:\n  b@d:\n    cmd: x\n", 0, 2, 3, "bad stage name");
	expect_err("stages:\n  s:\n    foreach: [a, b, a]\n    do: {cmd: x}\n",
	    0, 2, 3, "stage 's@a' is defined twice");
	{
		/* a big mapping: duplicate keys found without pairwise scans */
		char big[4096];
		size_t off = (size_t)snprintf(big, sizeof big, "stages:\n");

		for (int i = 0; i < 40; i++)
			off += (size_t)snprintf(big + off, sizeof big - off,
			    "  s%d:\n    cmd: x\n", i);
		snprintf(big + off, sizeof big - off, "  s7:\n    cmd: y\n");
		expect_err(big, 0, 82, 3, "duplicate key 's7' (first at line 16)");
	}
}

/* Names of the direct upstream stages of stage name, sorted, "," joined. */
static void
ups(const pl_pipeline *p, const char *name, char *out, size_t len)
{
	const size_t *up;
	size_t n;
	const char *names[16];

	pl_pipeline_upstream(p, (size_t)pl_pipeline_index(p, name), &up, &n);
	assert_true(n < 16);
	for (size_t i = 0; i < n; i++)
		names[i] = pl_pipeline_stage(p, up[i])->name;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				const char *t = names[i];

				names[i] = names[j];
				names[j] = t;
			}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
		    i ? "," : "", names[i]);
}

/* Issue 16: what real dvc.yaml files need. */
static void
test_dvc_compat(void **state)
{
	pl_pipeline *p;
	char err[1024], u[256];

	(void)state;
	/* 1: a sibling r.txt sorts between r and r/x.json; the dep on the
	 * directory r still sees r/x.json */
	assert_int_equal(load(&p, "stages:\n  a:\n    cmd: x\n"
	    "    outs: [r/x.json]\n  t:\n    cmd: x\n    outs: [r.txt]\n"
	    "  b:\n    cmd: y\n    deps: [r]\n", 0, err, sizeof err), PL_OK);
	ups(p, "b", u, sizeof u);
	assert_string_equal(u, "a");
	pl_pipeline_free(p);
	/* 2: a params file an upstream stage writes is an edge, and the
	 * graph does not need it to exist */
	assert_int_equal(load(&p, "stages:\n  gen:\n    cmd: x\n"
	    "    outs: [gen/p.yaml]\n  use:\n    cmd: y\n    params:\n"
	    "      - gen/p.yaml:\n          - lr\n", 0, err, sizeof err),
	    PL_OK);
	ups(p, "use", u, sizeof u);
	assert_string_equal(u, "gen");
	pl_pipeline_free(p);
	/* 6: merge keys, own keys win, earlier merged mappings win */
	assert_int_equal(load(&p, "vars:\n  - base: &base\n"
	    "      cmd: base\n      deps: [d0]\n"
	    "stages:\n  a:\n    <<: *base\n    cmd: own\n"
	    "  b:\n    <<: [{cmd: first}, *base]\n", 0, err, sizeof err),
	    PL_OK);
	assert_string_equal(stage(p, "a")->cmds[0], "own");
	assert_string_equal(stage(p, "a")->deps[0].path, "d0");
	assert_string_equal(stage(p, "b")->cmds[0], "first");
	pl_pipeline_free(p);
	expect_err("stages:\n  a:\n    <<: 3\n    cmd: x\n", 0, 3, 9,
	    "the merge key '<<' needs a mapping or a list of mappings");
	/* 8: libyaml's jargon is said in the user's terms */
	expect_err("stages:\n  a:\n    cmd: x\n   deps: [y]\n", 0, 4, 4,
	    "bad indentation");
	expect_err("stages:\n  a:\n    cmd: echo a: b\n", 0, 3, 16,
	    "quote a value that holds ': '");
	/* 9: the cycle names stage -> path -> stage */
	expect_err("stages:\n  a:\n    cmd: x\n    deps: [in/c.txt]\n"
	    "    outs: [a.txt]\n  c:\n    cmd: z\n    deps: [a.txt]\n"
	    "    outs: [in]\n", 0, 2, 3,
	    "dependency cycle: a -> a.txt -> c -> in/c.txt -> a");
	/* 10: a dep that contains the stage's own out is a cycle */
	expect_err("stages:\n  a:\n    cmd: x\n    deps: [data]\n"
	    "    outs: [data/x]\n", 0, 4, 12,
	    "dependency cycle: a -> data -> a");
	/* 10: an empty file has no stages */
	assert_int_equal(load(&p, "# nothing yet\n", 0, err, sizeof err),
	    PL_OK);
	assert_int_equal(pl_pipeline_nstages(p), 0);
	pl_pipeline_free(p);
	/* 15.3: an alias bomb is refused quickly */
	expect_err("vars:\n  - a: &a [x,x,x,x,x,x,x,x,x,x]\n"
	    "    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "stages: {}\n", 0, 6, 33, "aliases expand to more than");
}

/* Issue 16: templating as DVC does it. */
static void
test_dvc_templating(void **state)
{
	pl_pipeline *p;
	char err[1024], *v;

	(void)state;
	/* 3: vars (inline and file:key) resolve inside matrix values, and
	 * ${key} in a matrix stage is the name's suffix */
	put("sel.yaml", "opts:\n  lrs: [0.1, 1e-5]\nunused: 1\n");
	assert_int_equal(load(&p, "vars:\n  - models: [cnn]\n"
	    "  - sel.yaml:opts\nstages:\n  m:\n    matrix:\n"
	    "      model: ${models}\n      lr: [\"${opts.lrs[1]}\", 2]\n"
	    "      on: [true]\n"
	    "    cmd: fit ${key} ${item.model} ${item.lr}\n", 0, err,
	    sizeof err), PL_OK);
	/* 10: names as DVC writes them (Python's str()) */
	assert_int_equal(pl_pipeline_nstages(p), 2);
	assert_string_equal(pl_pipeline_stage(p, 0)->name,
	    "m@cnn-1e-05-true");
	assert_string_equal(pl_pipeline_stage(p, 0)->cmds[0],
	    "fit cnn-1e-05-true cnn 1e-05");
	assert_string_equal(pl_pipeline_stage(p, 1)->name, "m@cnn-2-true");
	pl_pipeline_free(p);
	assert_int_equal(load(&p, "stages:\n  f:\n"
	    "    foreach: [1.0e3, 0.0001, 1e16, -0.5, null, 0x10, false]\n"
	    "    do:\n      cmd: x\n", 0, err, sizeof err), PL_OK);
	{
		static const char *const want[] = { "f@1000.0", "f@0.0001",
		    "f@1e+16", "f@-0.5", "f@None", "f@16", "f@false" };

		for (size_t i = 0; i < 7; i++)
			assert_string_equal(pl_pipeline_stage(p, i)->name,
			    want[i]);
	}
	pl_pipeline_free(p);
	/* 10: a list interpolated whole into deps is refused */
	expect_err("vars:\n  - files: [a, b]\nstages:\n  s:\n    cmd: x\n"
	    "    deps: ${files}\n", 0, 6, 11,
	    "cannot interpolate '${files}' here: it is a list");
	/* 4: glob params keys: the value is every match */
	put("params.yaml", "ds:\n  moon_a: 1\n  moon_b: 2\n  sun: 3\n");
	assert_int_equal(load(&p, "stages:\n  s:\n    cmd: x\n"
	    "    params: [ds.moon*, 'ds.s?n']\n", 0, err, sizeof err), PL_OK);
	assert_int_equal(pl_pipeline_param_value(&v, p,
	    &stage(p, "s")->params[0]), PL_OK);
	assert_string_equal(v, "{\"ds.moon_a\":1,\"ds.moon_b\":2}");
	free(v);
	assert_int_equal(pl_pipeline_param_value(&v, p,
	    &stage(p, "s")->params[1]), PL_OK);
	assert_string_equal(v, "{\"ds.sun\":3}");
	free(v);
	pl_pipeline_free(p);
	put("params.yaml", "");
}

static void
test_wdir_back(void **state)
{
	pl_pipeline *p;
	char err[1024], u[256], *path, *sub;

	(void)state;
	/* 10: wdir: .. from proj/dvc.yaml, deps proj/data == data */
	assert_true(asprintf(&sub, "%s/proj", tdir) > 0);
	mkdir(sub, 0777);
	assert_true(asprintf(&path, "%s/dvc.yaml", sub) > 0);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("stages:\n  a:\n    wdir: ..\n    cmd: x\n"
		    "    outs: [proj/data]\n  b:\n    cmd: y\n"
		    "    deps: [data]\n", f);
		fclose(f);
	}
	assert_int_equal(pl_pipeline_load(&p, path, 0, err, sizeof err),
	    PL_OK);
	assert_string_equal(stage(p, "a")->outs[0].wpath, "data");
	ups(p, "b", u, sizeof u);
	assert_string_equal(u, "a");
	pl_pipeline_free(p);
	unlink(path);
	rmdir(sub);
	free(path);
	free(sub);
}

static void
test_paths(void **state)
{
	char *s;

	(void)state;
	s = pl_path_normalize("a/./b//c/../d/");
	assert_string_equal(s, "a/b/d");
	free(s);
	s = pl_path_normalize("./");
	assert_string_equal(s, ".");
	free(s);
	s = pl_path_normalize("../x/../../y");
	assert_string_equal(s, "../../y");
	free(s);
	s = pl_path_join("sub", "../top.txt");
	assert_string_equal(s, "top.txt");
	free(s);
	s = pl_path_join("sub", "/abs/p");
	assert_string_equal(s, "/abs/p");
	free(s);
}

static void
test_wdir(void **state)
{
	pl_pipeline *p;
	char err[1024];
	const pl_pipe_stage *s;

	(void)state;
	put("params.yaml", "k: 1\n");
	assert_int_equal(load(&p,
	    "stages:\n"
	    "  a:\n    cmd: x\n    wdir: sub\n    outs: [../o.txt, in.txt]\n"
	    "    params: [{../params.yaml: [k]}]\n"
	    "  b:\n    cmd: y\n    deps: [o.txt, sub/in.txt]\n",
	    0, err, sizeof err), PL_OK);
	s = stage(p, "a");
	assert_string_equal(s->outs[0].wpath, "o.txt");
	assert_string_equal(s->outs[1].wpath, "sub/in.txt");
	assert_string_equal(s->params[0].wfile, "params.yaml");
	{
		const size_t *up;
		size_t n;

		pl_pipeline_upstream(p, 1, &up, &n);
		assert_int_equal(n, 1);
	}
	pl_pipeline_free(p);
}

/* Mutated pipelines (bytes flipped, cut, spliced) must load or fail
 * with a message, never crash or leak (run under ASan in CI). */
static void
test_mutations(void **state)
{
	static const char *const seeds[] = {
	    "vars:\n  - p: {a: 1, b: [x, y]}\nstages:\n  s:\n"
	    "    foreach: ${p.b}\n    do:\n      cmd: echo ${item} ${p}\n"
	    "      outs: [o-${item}]\n",
	    "stages:\n  m:\n    matrix:\n      a: [1, 2]\n      b: [{k: v}]\n"
	    "    cmd: [\"x ${item.a}\", y]\n    deps: [d]\n"
	    "    params: [k, {f.yaml: [a.b]}]\n    outs: [{o: {cache: false}}]\n",
	    "stages:\n  a:\n    cmd: x\n    outs: [a]\n  b:\n    cmd: y\n"
	    "    deps: [a]\n    outs: [b]\n    wdir: ..\n",
	};
	unsigned seed = 12345;
	char err[1024];

	(void)state;
	put("params.yaml", "k: 1\na: {b: 2}\n");
	put("f.yaml", "a: {b: 3}\n");
	for (int iter = 0; iter < 3000; iter++) {
		const char *base = seeds[iter % 3];
		size_t len = strlen(base);
		char *m = malloc(len + 64);
		pl_pipeline *p = NULL;
		int edits;

		assert_non_null(m);
		memcpy(m, base, len + 1);
		seed = seed * 1103515245u + 12345u;
		edits = 1 + (int)((seed >> 16) % 4);
		for (int e = 0; e < edits; e++) {
			size_t at;

			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % (len ? len : 1);
			switch ((seed >> 4) % 4) {
			case 0:		/* a random byte */
			{
				static const char pick[] = "${}[]:,-@ \n\"'ax.#&*!|>";

				m[at] = pick[(seed >> 20) % (sizeof pick - 1)];
			}
				break;
			case 1:		/* cut the rest */
				m[at] = '\0';
				len = at;
				break;
			case 2:		/* duplicate a slice */
				if (len + 32 < len + 64 && at + 16 < len) {
					memmove(m + at + 16, m + at, len - at + 1);
					len += 16;
				}
				break;
			default:	/* delete a byte */
				memmove(m + at, m + at + 1, len - at);
				if (len)
					len--;
				break;
			}
		}
		if (load(&p, m, PL_PIPE_CHECK_DEPS, err, sizeof err) == PL_OK)
			pl_pipeline_free(p);
		else
			assert_true(err[0] != '\0');
		free(m);
	}
}

/* Scalars as DVC's ruamel reads them (YAML 1.2, lenient): the values,
 * and what stays a string. */
static void
test_yaml_numbers(void **state)
{
	static const struct { const char *text; int type; double v; } c[] = {
		{ "1_000", YT_INT, 1000 }, { "0b101", YT_INT, 5 },
		{ "0o17", YT_INT, 15 }, { "0o1_7", YT_INT, 15 },
		{ "017", YT_INT, 17 }, { "0x_1F", YT_INT, 31 },
		{ "-0b11", YT_INT, -3 }, { "+0x10", YT_INT, 16 },
		{ "1_", YT_INT, 1 }, { "00", YT_INT, 0 },
		{ "1_0.5", YT_FLOAT, 10.5 }, { "1_e5", YT_FLOAT, 1e5 },
		{ "-.5", YT_FLOAT, -0.5 }, { "1e5", YT_FLOAT, 1e5 },
		{ "_1", YT_STR, 0 }, { "0o8", YT_STR, 0 }, { "0x", YT_STR, 0 },
		{ "0b", YT_STR, 0 }, { "yes", YT_STR, 0 }, { "1:20", YT_STR, 0 },
	};
	unsigned long long u;
	int neg;

	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		ynode *n = yn_new_scalar(c[i].text, 0, 1, 1);
		double v;

		assert_non_null(n);
		if ((int)yn_scalar_type(n) != c[i].type)
			fail_msg("%s: type %d, expected %d", c[i].text,
			    (int)yn_scalar_type(n), c[i].type);
		if (c[i].type != YT_STR) {
			assert_int_equal(yn_number(n, &v), 0);
			if (v != c[i].v)
				fail_msg("%s: %g, expected %g", c[i].text, v,
				    c[i].v);
		}
		yn_free(n);
	}
	assert_int_equal(yn_int_text("18446744073709551616", &neg, &u), 1);
	assert_int_equal(yn_int_text("0xFFFFFFFFFFFFFFFF", &neg, &u), 0);
	assert_true(u == ULLONG_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_templating),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_wdir),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_dvc_compat),
		cmocka_unit_test(test_wdir_back),
		cmocka_unit_test(test_dvc_templating),
		cmocka_unit_test(test_yaml_numbers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
