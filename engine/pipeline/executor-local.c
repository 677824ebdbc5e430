/* executor-local.c - the local executor: each job on a thread of its own, through pl_launch_run(). */
#include "config.h"
#include "pipeline/executor.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/error.h"
#include "track/launch.h"

struct ljob {
	pthread_t tid;
	char *name, *cwd, *out_log, *err_log;
	char **cmds;
	size_t ncmds;
	char **env;
	void (*on_output)(int, const char *, size_t, void *);
	int (*on_proto)(const char *, size_t, void *);
	void *payload;
	volatile sig_atomic_t pending;	/* signal for pl_launch_run to forward */
	int ncancel;
	int done;			/* under the executor's lock */
	pl_exec_result res;
};

struct lexec {
	pl_executor base;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct tctx {
	struct lexec *ex;
	struct ljob *j;
};

static void *
job_thread(void *arg)
{
	struct tctx *t = arg;
	struct ljob *j = t->j;
	struct lexec *ex = t->ex;
	pl_exec_result r;

	free(t);
	memset(&r, 0, sizeof r);
	r.start_ms = now_ms();
	for (size_t i = 0; i < j->ncmds; i++) {
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", j->cmds[i],
		    NULL };
		pl_launch_opts lo;
		pl_launch_result lr;
		char err[256] = "";
		int rc;

		if (j->ncancel) {
			r.cancelled = 1;
			break;
		}
		memset(&lo, 0, sizeof lo);
		lo.argv = argv;
		lo.cwd = j->cwd;
		lo.env_add = j->env;
		lo.stdout_log = j->out_log;
		lo.stderr_log = j->err_log;
		lo.proto = j->on_proto != NULL;
		lo.on_output = j->on_output;
		lo.on_proto = j->on_proto;
		lo.payload = j->payload;
		lo.pending = &j->pending;
		lo.no_terminal = 1;
		lo.stdin_path = "/dev/null";
		rc = pl_launch_run(&lr, &lo, err, sizeof err);
		r.exit_status = lr.exit_status;
		r.signaled = lr.signaled;
		r.term_signal = lr.term_signal;
		if (lr.interrupted) {
			/* The shell may be gone while what it started in
			 * the background ignores SIGINT (POSIX shells do
			 * that for `cmd &`): stop the whole group. */
			r.cancelled = 1;
			if (lr.pid > 0)
				kill(-(pid_t)lr.pid, SIGKILL);
		}
		if (rc != PL_OK) {
			r.start_failed = 1;
			snprintf(r.message, sizeof r.message, "%s", err);
			if (r.exit_status == 0)
				r.exit_status = 127;
			break;
		}
		if (lr.exit_status != 0 || r.cancelled)
			break;
	}
	r.end_ms = now_ms();
	pthread_mutex_lock(&ex->mu);
	j->res = r;
	j->done = 1;
	pthread_cond_broadcast(&ex->cv);
	pthread_mutex_unlock(&ex->mu);
	return NULL;
}

static void
ljob_free(struct ljob *j)
{
	if (j == NULL)
		return;
	free(j->name);
	free(j->cwd);
	free(j->out_log);
	free(j->err_log);
	for (size_t i = 0; i < j->ncmds; i++)
		free(j->cmds[i]);
	free(j->cmds);
	for (size_t i = 0; j->env && j->env[i]; i++)
		free(j->env[i]);
	free(j->env);
	free(j);
}

static char *
dup0(const char *s, int *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*oom = 1;
	return d;
}

static int
l_submit(pl_executor *base, const pl_exec_job *job, void **handle,
    char *err, size_t err_len)
{
	struct lexec *ex = (struct lexec *)base;
	struct ljob *j = calloc(1, sizeof *j);
	struct tctx *t;
	size_t nenv = 0;
	int oom = 0;

	*handle = NULL;
	if (j == NULL)
		return PL_ENOMEM;
	j->name = dup0(job->name, &oom);
	j->cwd = dup0(job->cwd, &oom);
	j->out_log = dup0(job->stdout_log, &oom);
	j->err_log = dup0(job->stderr_log, &oom);
	j->cmds = calloc(job->ncmds + 1, sizeof *j->cmds);
	while (job->env && job->env[nenv])
		nenv++;
	j->env = calloc(nenv + 1, sizeof *j->env);
	if (j->cmds == NULL || j->env == NULL)
		oom = 1;
	for (size_t i = 0; !oom && i < job->ncmds; i++) {
		j->cmds[i] = dup0(job->cmds[i], &oom);
		j->ncmds++;
	}
	for (size_t i = 0; !oom && i < nenv; i++)
		j->env[i] = dup0(job->env[i], &oom);
	j->on_output = job->on_output;
	j->on_proto = job->on_proto;
	j->payload = job->payload;
	t = malloc(sizeof *t);
	if (oom || t == NULL) {
		free(t);
		ljob_free(j);
		snprintf(err, err_len, "out of memory");
		return PL_ENOMEM;
	}
	t->ex = ex;
	t->j = j;
	if (pthread_create(&j->tid, NULL, job_thread, t) != 0) {
		free(t);
		ljob_free(j);
		snprintf(err, err_len, "cannot start a thread: %s",
		    strerror(errno));
		return PL_EIO;
	}
	*handle = j;
	return PL_OK;
}

static int
l_poll(pl_executor *base, void *handle, pl_exec_result *res)
{
	struct lexec *ex = (struct lexec *)base;
	struct ljob *j = handle;
	int done;

	pthread_mutex_lock(&ex->mu);
	done = j->done;
	if (done)
		*res = j->res;
	pthread_mutex_unlock(&ex->mu);
	return done;
}

static int
l_cancel(pl_executor *base, void *handle)
{
	struct ljob *j = handle;

	(void)base;
	/* pl_launch_run forwards it to the process group; the third
	 * request becomes SIGKILL. */
	j->ncancel++;
	j->pending = SIGINT;
	return PL_OK;
}

static void
l_wait(pl_executor *base, int timeout_ms)
{
	struct lexec *ex = (struct lexec *)base;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&ex->mu);
	pthread_cond_timedwait(&ex->cv, &ex->mu, &ts);
	pthread_mutex_unlock(&ex->mu);
}

static void
l_release(pl_executor *base, void *handle)
{
	struct ljob *j = handle;

	(void)base;
	if (j == NULL)
		return;
	pthread_join(j->tid, NULL);
	ljob_free(j);
}

static void
l_destroy(pl_executor *base)
{
	struct lexec *ex = (struct lexec *)base;

	pthread_mutex_destroy(&ex->mu);
	pthread_cond_destroy(&ex->cv);
	free(ex);
}

static const struct pl_executor_ops local_ops = {
	"local", l_submit, l_poll, l_cancel, l_wait, l_release, l_destroy,
	NULL, NULL, NULL
};

int
pl_executor_local_new(pl_executor **out)
{
	struct lexec *ex = calloc(1, sizeof *ex);

	*out = NULL;
	if (ex == NULL)
		return PL_ENOMEM;
	ex->base.ops = &local_ops;
	pthread_mutex_init(&ex->mu, NULL);
	pthread_cond_init(&ex->cv, NULL);
	*out = &ex->base;
	return PL_OK;
}
