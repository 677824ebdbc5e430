/* repro-t.c - pl_repro driven through a fake executor: the interface a cluster backend implements. */
#include "config.h"

#include <signal.h>
#include <unistd.h>

#include "tests/engine/testutil.h"

/*
 * The fake executor plays a batch system: submit() queues a job, each
 * poll() advances it, and when it "finishes" it writes the stage's output
 * itself (as a remote job would, on a shared filesystem).  Nothing is
 * forked, so the scheduler's bookkeeping is tested on its own.
 */
struct fjob {
	char name[64];
	char out[256];		/* file to write on success */
	int polls;
	int cancelled;
};

struct fake {
	pl_executor base;
	struct fjob jobs[16];
	int njobs;
	int fail_b;		/* stage b exits 3 */
	volatile sig_atomic_t *interrupt_after_submit;
	int cancels;
};

static int
f_submit(pl_executor *ex, const pl_exec_job *job, void **handle, char *err,
    size_t err_len)
{
	struct fake *f = (struct fake *)ex;
	struct fjob *j = &f->jobs[f->njobs++];

	(void)err;
	(void)err_len;
	memset(j, 0, sizeof *j);
	snprintf(j->name, sizeof j->name, "%s", job->name);
	/* the command is "make OUT": the fake writes OUT */
	assert_int_equal(job->ncmds, 1);
	assert_true(strncmp(job->cmds[0], "make ", 5) == 0);
	snprintf(j->out, sizeof j->out, "%s/%s", job->cwd, job->cmds[0] + 5);
	assert_non_null(job->stdout_log);
	if (f->interrupt_after_submit)
		*f->interrupt_after_submit = SIGINT;
	*handle = j;
	return PL_OK;
}

static int
f_poll(pl_executor *ex, void *handle, pl_exec_result *res)
{
	struct fake *f = (struct fake *)ex;
	struct fjob *j = handle;

	if (j->cancelled) {
		memset(res, 0, sizeof *res);
		res->cancelled = 1;
		res->exit_status = 130;
		return 1;
	}
	if (++j->polls < 3)
		return 0;
	memset(res, 0, sizeof *res);
	res->start_ms = 1000;
	res->end_ms = 1500;
	if (f->fail_b && strcmp(j->name, "b") == 0) {
		res->exit_status = 3;
		return 1;
	}
	{
		FILE *o = fopen(j->out, "w");

		assert_non_null(o);
		fprintf(o, "made by %s\n", j->name);
		fclose(o);
	}
	return 1;
}

static int
f_cancel(pl_executor *ex, void *handle)
{
	struct fake *f = (struct fake *)ex;

	f->cancels++;
	((struct fjob *)handle)->cancelled = 1;
	return PL_OK;
}

static void
f_wait(pl_executor *ex, int timeout_ms)
{
	(void)ex;
	(void)timeout_ms;
}

static void
f_release(pl_executor *ex, void *handle)
{
	(void)ex;
	(void)handle;
}

static void
f_destroy(pl_executor *ex)
{
	(void)ex;
}

static const struct pl_executor_ops fake_ops = {
	"fake", f_submit, f_poll, f_cancel, f_wait, f_release, f_destroy
};

struct seen {
	char log[2048];
};

static void
on_event(const pl_repro_event *ev, void *payload)
{
	struct seen *s = payload;
	static const char *const names[] = { "skip", "frozen", "would",
	    "start", "done", "restored", "failed", "killed", "blocked",
	    "output", "tick" };

	if (ev->type == PL_EV_TICK || ev->type == PL_EV_OUTPUT)
		return;
	snprintf(s->log + strlen(s->log), sizeof s->log - strlen(s->log),
	    "%s:%s ", names[ev->type], ev->stage);
}

static pl_pipeline *
setup_pipeline(char **dir, pl_store **st)
{
	char *path, err[512];
	FILE *f;
	pl_pipeline *p;

	*st = tu_store(dir);
	assert_true(asprintf(&path, "%s/plumb.yaml", *dir) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("stages:\n"
	    "  a:\n    cmd: make a.txt\n    outs: [a.txt]\n"
	    "  b:\n    cmd: make b.txt\n    deps: [a.txt]\n    outs: [b.txt]\n"
	    "  c:\n    cmd: make c.txt\n    outs: [c.txt]\n", f);
	fclose(f);
	if (pl_pipeline_load(&p, path, 0, err, sizeof err) != PL_OK)
		fail_msg("%s", err);
	free(path);
	return p;
}

static void
test_fake_executor(void **state)
{
	char *dir, err[512];
	pl_store *st;
	pl_pipeline *p = setup_pipeline(&dir, &st);
	struct fake f;
	struct seen seen;
	pl_repro_opts o;
	pl_repro_summary sum;
	pl_lock *lk;

	(void)state;
	memset(&f, 0, sizeof f);
	f.base.ops = &fake_ops;
	f.fail_b = 1;
	memset(&seen, 0, sizeof seen);
	memset(&o, 0, sizeof o);
	o.jobs = 2;
	o.keep_going = 1;
	o.executor = &f.base;
	o.on_event = on_event;
	o.payload = &seen;
	assert_int_equal(pl_repro(&sum, st, p, &o, err, sizeof err), PL_ERROR);
	assert_int_equal(sum.ran, 2);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(f.njobs, 3);
	assert_non_null(strstr(seen.log, "failed:b"));
	assert_non_null(strstr(seen.log, "done:a"));
	assert_non_null(strstr(seen.log, "done:c"));
	/* only the stages that succeeded are in the lock */
	assert_int_equal(pl_lock_read(&lk, pl_pipeline_lock_path(p), err,
	    sizeof err), PL_OK);
	assert_non_null(pl_lock_find(lk, "a"));
	assert_null(pl_lock_find(lk, "b"));
	assert_non_null(pl_lock_find(lk, "c"));
	pl_lock_free(lk);
	/* b now succeeds; a and c are up to date and not submitted again */
	f.fail_b = 0;
	f.njobs = 0;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(pl_repro(&sum, st, p, &o, err, sizeof err), PL_OK);
	assert_int_equal(f.njobs, 1);
	assert_string_equal(f.jobs[0].name, "b");
	assert_non_null(strstr(seen.log, "skip:a"));
	assert_non_null(strstr(seen.log, "done:b"));
	/* the status agrees */
	{
		pl_pipe_status *ss;
		size_t n;

		assert_int_equal(pl_pipeline_status(&ss, &n, st, p, NULL, err,
		    sizeof err), PL_OK);
		assert_int_equal(n, 3);
		for (size_t i = 0; i < n; i++)
			assert_false(ss[i].changed);
		pl_pipe_status_free(ss, n);
	}
	pl_pipeline_free(p);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void
test_interrupt(void **state)
{
	char *dir, err[512];
	pl_store *st;
	pl_pipeline *p = setup_pipeline(&dir, &st);
	static volatile sig_atomic_t stop;
	struct fake f;
	struct seen seen;
	pl_repro_opts o;
	pl_repro_summary sum;

	(void)state;
	stop = 0;
	memset(&f, 0, sizeof f);
	f.base.ops = &fake_ops;
	f.interrupt_after_submit = &stop;
	memset(&seen, 0, sizeof seen);
	memset(&o, 0, sizeof o);
	o.jobs = 1;
	o.executor = &f.base;
	o.interrupt = &stop;
	o.on_event = on_event;
	o.payload = &seen;
	assert_int_equal(pl_repro(&sum, st, p, &o, err, sizeof err), PL_ERROR);
	assert_int_equal(f.njobs, 1);		/* nothing new after the interrupt */
	assert_true(f.cancels >= 1);		/* the running job was cancelled */
	assert_int_equal(sum.killed, 1);
	assert_non_null(strstr(seen.log, "killed:"));
	{
		pl_lock *lk;

		assert_int_equal(pl_lock_read(&lk, pl_pipeline_lock_path(p), err,
		    sizeof err), PL_OK);
		assert_int_equal(pl_lock_nstages(lk), 0);
		pl_lock_free(lk);
	}
	pl_pipeline_free(p);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_executor),
		cmocka_unit_test(test_interrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
