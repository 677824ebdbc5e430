/* executor-slurm.c - the Slurm executor: stages as batch jobs (sbatch, scontrol, scancel). */
#include "config.h"
#include "pipeline/executor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "store/error.h"

/*
 * Each stage becomes one batch job.  Its script (next to the run's logs)
 * changes to the stage's directory, exports the run's environment, and
 * runs the stage's commands one after another with /bin/sh -c, stopping
 * at the first failure.  Slurm writes stdout and stderr straight into the
 * run's log files (a shared filesystem is assumed, as for the outputs).
 *
 * There is no live output and no PLUMB_FD: the hooks stay uncalled.  The
 * job's state and exit code come from `scontrol show job -o` (sacct needs
 * slurmdbd, which a small cluster often lacks), polled at most every
 * 250 ms per job.  cancel sends SIGINT to the job's processes first
 * (scancel --signal=INT --full), then ends the job (scancel).
 */

struct sjob {
	char id[32];
	char *name;
	int ncancel;
	int done;
	int64_t last_poll, start_ms;
	pl_exec_result res;
};

struct sexec {
	pl_executor base;
	char **extra;		/* extra sbatch arguments */
	size_t nextra;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs argv, collects its stdout (and stderr) into out; returns its exit
 * status, or -1 when it could not run. */
static int
capture(char *const *argv, struct buf *out)
{
	int pfd[2], status = 0;
	pid_t pid;
	char chunk[4096];
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_add(out, chunk, (size_t)n);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
quote(struct buf *b, const char *s)
{
	int rc = buf_putc(b, '\'');

	for (; *s; s++)
		rc |= *s == '\'' ? buf_puts(b, "'\\''") : buf_putc(b, *s);
	return rc | buf_putc(b, '\'');
}

static int
s_submit(pl_executor *base, const pl_exec_job *job, void **handle,
    char *err, size_t err_len)
{
	struct sexec *ex = (struct sexec *)base;
	struct buf script = BUF_INIT, out = BUF_INIT;
	char *path = NULL, *dir, **argv = NULL, *o_arg = NULL, *e_arg = NULL,
	    *j_arg = NULL;
	struct sjob *j;
	FILE *f;
	int rc = PL_OK, st;
	size_t k = 0;

	*handle = NULL;
	if (job->stdout_log == NULL || job->stderr_log == NULL) {
		snprintf(err, err_len, "the Slurm executor needs log files");
		return PL_EINVAL;
	}
	dir = strdup(job->stdout_log);
	if (dir == NULL)
		return PL_ENOMEM;
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	if (asprintf(&path, "%s/slurm-job.sh", dir) < 0)
		path = NULL;
	free(dir);
	if (path == NULL)
		return PL_ENOMEM;
	buf_puts(&script, "#!/bin/sh\n# written by plumb: one pipeline stage\n");
	if (job->cwd) {
		buf_puts(&script, "cd ");
		quote(&script, job->cwd);
		buf_puts(&script, " || exit 1\n");
	}
	for (size_t i = 0; job->env && job->env[i]; i++) {
		const char *eq = strchr(job->env[i], '=');

		if (eq == NULL)
			continue;
		buf_printf(&script, "export %.*s=", (int)(eq - job->env[i]),
		    job->env[i]);
		quote(&script, eq + 1);
		buf_putc(&script, '\n');
	}
	for (size_t i = 0; i < job->ncmds; i++) {
		buf_puts(&script, "/bin/sh -c ");
		quote(&script, job->cmds[i]);
		buf_puts(&script, " </dev/null || exit $?\n");
	}
	f = fopen(path, "w");
	if (f == NULL || fputs(buf_str(&script), f) < 0 || fclose(f) != 0) {
		snprintf(err, err_len, "cannot write %s: %s", path,
		    strerror(errno));
		rc = PL_EIO;
		goto out;
	}
	argv = calloc(ex->nextra + 8, sizeof *argv);
	if (argv == NULL || asprintf(&o_arg, "--output=%s",
	    job->stdout_log) < 0 || asprintf(&e_arg, "--error=%s",
	    job->stderr_log) < 0 || asprintf(&j_arg, "--job-name=plumb:%s",
	    job->name ? job->name : "stage") < 0) {
		rc = PL_ENOMEM;
		goto out;
	}
	argv[k++] = (char *)"sbatch";
	argv[k++] = (char *)"--parsable";
	argv[k++] = j_arg;
	argv[k++] = o_arg;
	argv[k++] = e_arg;
	for (size_t i = 0; i < ex->nextra; i++)
		argv[k++] = ex->extra[i];
	argv[k++] = path;
	argv[k] = NULL;
	st = capture(argv, &out);
	if (st != 0) {
		snprintf(err, err_len, "sbatch failed (%d): %.200s", st,
		    buf_str(&out));
		rc = PL_EIO;
		goto out;
	}
	j = calloc(1, sizeof *j);
	if (j == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	/* "123" or "123;cluster" */
	snprintf(j->id, sizeof j->id, "%.*s", (int)strcspn(buf_str(&out),
	    ";\n"), buf_str(&out));
	j->name = job->name ? strdup(job->name) : NULL;
	j->start_ms = now_ms();
	*handle = j;
out:
	buf_free(&script);
	buf_free(&out);
	free(path);
	free(argv);
	free(o_arg);
	free(e_arg);
	free(j_arg);
	return rc;
}

/* Value of KEY=VALUE in a scontrol -o line ("" when absent). */
static void
field(char *out, size_t n, const char *line, const char *key)
{
	size_t kl = strlen(key);
	const char *p = line;

	out[0] = '\0';
	while ((p = strstr(p, key)) != NULL) {
		if ((p == line || p[-1] == ' ') && p[kl] == '=') {
			p += kl + 1;
			snprintf(out, n, "%.*s", (int)strcspn(p, " \n"), p);
			return;
		}
		p += kl;
	}
}

static int
s_poll(pl_executor *base, void *handle, pl_exec_result *res)
{
	struct sjob *j = handle;
	struct buf out = BUF_INIT;
	char state[64], code[64];
	char *argv[] = { (char *)"scontrol", (char *)"show", (char *)"job",
	    (char *)"-o", j->id, NULL };
	int st;

	(void)base;
	if (j->done) {
		*res = j->res;
		return 1;
	}
	if (now_ms() - j->last_poll < 250)
		return 0;
	j->last_poll = now_ms();
	st = capture(argv, &out);
	field(state, sizeof state, buf_str(&out), "JobState");
	field(code, sizeof code, buf_str(&out), "ExitCode");
	buf_free(&out);
	if (st != 0 || !state[0]) {
		/* forgotten by slurmctld (MinJobAge): its end is unknown */
		memset(&j->res, 0, sizeof j->res);
		j->res.exit_status = 1;
		snprintf(j->res.message, sizeof j->res.message, "Slurm job %s "
		    "is no longer known to slurmctld", j->id);
	} else if (!strcmp(state, "PENDING") || !strcmp(state, "RUNNING") ||
	    !strcmp(state, "CONFIGURING") || !strcmp(state, "COMPLETING") ||
	    !strcmp(state, "SUSPENDED") || !strcmp(state, "REQUEUED") ||
	    !strcmp(state, "RESIZING") || !strcmp(state, "SIGNALING") ||
	    !strcmp(state, "STAGE_OUT")) {
		return 0;
	} else {
		int ec = 0, sig = 0;

		memset(&j->res, 0, sizeof j->res);
		sscanf(code, "%d:%d", &ec, &sig);
		j->res.exit_status = sig ? 128 + sig : ec;
		j->res.signaled = sig != 0;
		j->res.term_signal = sig;
		if (!strcmp(state, "CANCELLED") || j->ncancel)
			j->res.cancelled = 1;
		if (strcmp(state, "COMPLETED") != 0 && j->res.exit_status == 0)
			j->res.exit_status = 1;
		if (strcmp(state, "COMPLETED") != 0)
			snprintf(j->res.message, sizeof j->res.message,
			    "Slurm job %s ended %s", j->id, state);
	}
	j->res.start_ms = j->start_ms;
	j->res.end_ms = now_ms();
	j->done = 1;
	*res = j->res;
	return 1;
}

static int
s_cancel(pl_executor *base, void *handle)
{
	struct sjob *j = handle;
	struct buf out = BUF_INIT;
	char *soft[] = { (char *)"scancel", (char *)"--signal=INT",
	    (char *)"--full", j->id, NULL };
	char *hard[] = { (char *)"scancel", j->id, NULL };

	(void)base;
	capture(j->ncancel++ == 0 ? soft : hard, &out);
	buf_free(&out);
	return PL_OK;
}

static void
s_wait(pl_executor *base, int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000,
	    (long)(timeout_ms % 1000) * 1000000L };

	(void)base;
	nanosleep(&ts, NULL);
}

static void
s_release(pl_executor *base, void *handle)
{
	struct sjob *j = handle;

	(void)base;
	if (j == NULL)
		return;
	free(j->name);
	free(j);
}

static void
s_destroy(pl_executor *base)
{
	struct sexec *ex = (struct sexec *)base;

	for (size_t i = 0; i < ex->nextra; i++)
		free(ex->extra[i]);
	free(ex->extra);
	free(ex);
}

static const struct pl_executor_ops slurm_ops = {
	"slurm", s_submit, s_poll, s_cancel, s_wait, s_release, s_destroy
};

int
pl_executor_slurm_new(pl_executor **out, const char *sbatch_args)
{
	struct sexec *ex = calloc(1, sizeof *ex);
	char *copy, *save = NULL;

	*out = NULL;
	if (ex == NULL)
		return PL_ENOMEM;
	ex->base.ops = &slurm_ops;
	if (sbatch_args && *sbatch_args) {
		copy = strdup(sbatch_args);
		if (copy == NULL) {
			free(ex);
			return PL_ENOMEM;
		}
		for (char *w = strtok_r(copy, " \t", &save); w;
		    w = strtok_r(NULL, " \t", &save)) {
			char **e = realloc(ex->extra, (ex->nextra + 1) *
			    sizeof *e);

			if (e == NULL || (e[ex->nextra] = strdup(w)) == NULL) {
				if (e)
					ex->extra = e;
				free(copy);
				s_destroy(&ex->base);
				return PL_ENOMEM;
			}
			ex->extra = e;
			ex->nextra++;
		}
		free(copy);
	}
	*out = &ex->base;
	return PL_OK;
}
