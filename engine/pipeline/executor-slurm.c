/* executor-slurm.c - the Slurm executor: stages as batch jobs (sbatch, scontrol, scancel), their end states, and cancellation. */
#include "config.h"
#include "pipeline/executor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "store/error.h"
#include "store/internal.h"
#include "track/run.h"

/*
 * Each stage becomes one batch job.  Its script (next to the run's logs)
 * changes to the stage's directory, exports the run's environment, and
 * runs the stage's commands one after another with /bin/sh -c, stopping
 * at the first failure.  Slurm writes stdout and stderr straight into the
 * run's log files (a shared filesystem is assumed, as for the outputs).
 * The job is named plumb:STAGE and its comment is the job's label (store,
 * host, pid, run), so a later plumb finds the jobs of one it lost.
 *
 * There is no live output and no PLUMB_FD: the hooks stay uncalled.  The
 * job's state, exit code and the rest come from `scontrol show job -o`
 * (sacct needs slurmdbd, which a small cluster often lacks), polled about
 * every 100 ms per job (less often when many run).
 *
 * Every Slurm client plumb runs is in its own process group with SIGINT
 * and SIGHUP ignored: a Ctrl-C at the terminal (sent to plumb's process
 * group) must not kill the scontrol that would tell plumb a job's state,
 * nor the scancel that cancels it.  Each client gets a time bound.  A
 * failing scontrol is retried (the job's state is unknown, not ended); a
 * failing scancel is retried on the scheduler's next insistence, and after
 * the last attempt the job is reported by id, never dropped silently.
 * Cancelling is a plain scancel (Slurm's SIGTERM, then SIGKILL after
 * KillWait), which ends PENDING jobs at once; never --signal, which Slurm
 * keeps retrying on a job that has not started.
 */

#define POLL_MS 100		/* per job, with few jobs */
#define CLIENT_MS 10000		/* bound on one scontrol/squeue */
#define SBATCH_MS 30000		/* bound on one sbatch */
#define SCANCEL_MS 3000		/* bound on one scancel attempt */
#define CANCEL_TRIES 3		/* scancel calls before giving up */
#define CANCEL_GRACE_MS 8000	/* a cancelled job must end within this */
#define LOST_MS 30000		/* scontrol failing this long: give up */

struct sjob {
	char id[32];
	char *name;
	int ncancel, cancel_failed;
	int64_t cancel_ms;	/* first cancel, 0: none */
	int done;
	int64_t last_poll, submit_ms, fail_since;
	int64_t started_ms;	/* Slurm's StartTime once seen running */
	char lasterr[160];
	pl_exec_result res;
};

struct sexec {
	pl_executor base;
	char **extra;		/* extra sbatch arguments for every job */
	size_t nextra;
	size_t active;		/* submitted, not finished */
};

static int scancel_ids(char *const *ids, size_t n, int tries, char *err,
    size_t err_len);
static void s_release(pl_executor *base, void *handle);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Runs argv with stdin from /dev/null, in its own process group, SIGINT
 * and SIGHUP ignored; collects its stdout and stderr into out.  Returns
 * its exit status, -1 when it could not run or died of a signal, -2 when
 * it took longer than timeout_ms (it is killed).
 */
static int
run_client(char *const *argv, struct buf *out, int timeout_ms)
{
	int pfd[2], status = 0, timed_out = 0;
	int64_t deadline = mono_ms() + timeout_ms;
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
		sigset_t none;

		setpgid(0, 0);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);	/* also here: no window for a signal */
	close(pfd[1]);
	for (;;) {
		struct pollfd pf = { pfd[0], POLLIN, 0 };
		int64_t left = deadline - mono_ms();
		int r;

		if (left <= 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		r = poll(&pf, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0)
			continue;
		n = read(pfd[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len < 65536)
			buf_add(out, chunk, (size_t)n);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return -2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first line of a client's output, for a message. */
static void
first_line(char *dst, size_t n, const char *text, int st)
{
	size_t len = strcspn(text, "\n");

	if (st == -2)
		snprintf(dst, n, "no answer within the time bound");
	else if (st == -1 && len == 0)
		snprintf(dst, n, "could not run (is Slurm installed?)");
	else if (st == 127 && len == 0)
		snprintf(dst, n, "command not found");
	else
		snprintf(dst, n, "%.*s", (int)(len > 150 ? 150 : len), text);
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < 32)
			*p = ' ';
}

static int
quote(struct buf *b, const char *s)
{
	int rc = buf_putc(b, '\'');

	for (; *s; s++)
		rc |= *s == '\'' ? buf_puts(b, "'\\''") : buf_putc(b, *s);
	return rc | buf_putc(b, '\'');
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

/* "2026-12-05T12:09:00" (local time, as scontrol prints) to ms; 0 when
 * unknown ("Unknown", "None"). */
static int64_t
slurm_time_ms(const char *s)
{
	struct tm tm;
	char *end;
	time_t t;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL || *end)
		return 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t == (time_t)-1 ? 0 : (int64_t)t * 1000;
}

static int
active_state(const char *state)
{
	static const char *const live[] = { "PENDING", "RUNNING",
		"CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED",
		"REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING",
		"STAGE_OUT", "RESV_DEL_HOLD", "SPECIAL_EXIT", NULL };

	for (size_t i = 0; live[i]; i++)
		if (strcmp(state, live[i]) == 0)
			return 1;
	return 0;
}

/* The commands of one job as script lines (after the shebang). */
static void
job_lines(struct buf *script, const pl_exec_job *job)
{
	if (job->cwd) {
		buf_puts(script, "cd ");
		quote(script, job->cwd);
		buf_puts(script, " || exit 1\n");
	}
	for (size_t i = 0; job->env && job->env[i]; i++) {
		const char *eq = strchr(job->env[i], '=');

		if (eq == NULL)
			continue;
		buf_printf(script, "export %.*s=", (int)(eq - job->env[i]),
		    job->env[i]);
		quote(script, eq + 1);
		buf_putc(script, '\n');
	}
	for (size_t i = 0; i < job->ncmds; i++) {
		buf_puts(script, "/bin/sh -c ");
		quote(script, job->cmds[i]);
		buf_puts(script, " </dev/null || exit $?\n");
	}
}

/*
 * Ends the sbatch command line argv (k arguments so far) the same way for
 * a stage and for a job array: the afterok dependency on job's parents
 * (spelled in dep, which must outlive argv), the executor's extra
 * arguments, the stage's own nsub submit arguments, the script path and
 * the NULL.  argv has room for 4 + nextra + nsub more.
 */
static void
sbatch_tail(char **argv, size_t k, struct buf *dep, const struct sexec *ex,
    const pl_exec_job *job, size_t nsub, char *path)
{
	/* The whole graph is queued at once: a job waits for its parents
	 * in Slurm (afterok), and one whose parent failed is ended by
	 * Slurm at once instead of pending forever. */
	if (job->after && job->after[0]) {
		buf_puts(dep, "--dependency=afterok");
		for (size_t i = 0; job->after[i]; i++)
			buf_printf(dep, ":%s", job->after[i]);
		argv[k++] = (char *)buf_str(dep);
		argv[k++] = (char *)"--kill-on-invalid-dep=yes";
	}
	for (size_t i = 0; i < ex->nextra; i++)
		argv[k++] = ex->extra[i];
	for (size_t i = 0; i < nsub; i++)
		argv[k++] = job->submit_args[i];
	argv[k++] = path;
	argv[k] = NULL;
}

static int
s_submit(pl_executor *base, const pl_exec_job *job, void **handle,
    char *err, size_t err_len)
{
	struct sexec *ex = (struct sexec *)base;
	struct buf script = BUF_INIT, out = BUF_INIT;
	char *path = NULL, *dir, **argv = NULL, *o_arg = NULL, *e_arg = NULL,
	    *j_arg = NULL, *c_arg = NULL;
	struct buf dep = BUF_INIT;
	struct sjob *j;
	FILE *f;
	int rc = PL_OK, st;
	size_t k = 0, nsub = 0;

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
	job_lines(&script, job);
	f = fopen(path, "w");
	if (f == NULL || fputs(buf_str(&script), f) < 0 || fclose(f) != 0) {
		snprintf(err, err_len, "cannot write %s: %s", path,
		    strerror(errno));
		rc = PL_EIO;
		goto out;
	}
	while (job->submit_args && job->submit_args[nsub])
		nsub++;
	argv = calloc(ex->nextra + nsub + 12, sizeof *argv);
	if (argv == NULL || asprintf(&o_arg, "--output=%s",
	    job->stdout_log) < 0 || asprintf(&e_arg, "--error=%s",
	    job->stderr_log) < 0 || asprintf(&j_arg, "--job-name=plumb:%s",
	    job->name ? job->name : "stage") < 0 ||
	    asprintf(&c_arg, "--comment=%s", job->label ? job->label :
	    "plumb") < 0) {
		rc = PL_ENOMEM;
		goto out;
	}
	argv[k++] = (char *)"sbatch";
	argv[k++] = (char *)"--parsable";
	argv[k++] = j_arg;
	argv[k++] = c_arg;
	argv[k++] = o_arg;
	argv[k++] = e_arg;
	sbatch_tail(argv, k, &dep, ex, job, nsub, path);
	st = run_client(argv, &out, SBATCH_MS);
	if (st != 0) {
		char line[160];

		first_line(line, sizeof line, buf_str(&out), st);
		snprintf(err, err_len, "Slurm refused stage '%s': %s",
		    job->name ? job->name : "?", line);
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
	j->submit_ms = now_ms();
	ex->active++;
	*handle = j;
out:
	buf_free(&script);
	buf_free(&out);
	buf_free(&dep);
	free(path);
	free(argv);
	free(o_arg);
	free(e_arg);
	free(j_arg);
	free(c_arg);
	return rc;
}

/*
 * A job array: one sbatch for n jobs of the same shape (a foreach or
 * matrix stage's items, same sbatch arguments, same jobs to wait for).
 * Task k runs job k: the script dispatches on SLURM_ARRAY_TASK_ID and
 * sends each task's output to its own run's logs (Slurm's own --output
 * cannot name n different files).  The array is named plumb:GROUP from
 * the first job's name (train@a -> plumb:train); its tasks' ids are
 * ARRAY_k, which is also what a dependent job waits for.
 */
static int
s_submit_array(pl_executor *base, const pl_exec_job *jobs, size_t n,
    void **handles, char *err, size_t err_len)
{
	struct sexec *ex = (struct sexec *)base;
	struct buf script = BUF_INIT, out = BUF_INIT, dep = BUF_INIT;
	char *path = NULL, *dir, **argv = NULL, *a_arg = NULL, *j_arg = NULL,
	    *c_arg = NULL, id[32];
	const pl_exec_job *j0 = &jobs[0];
	size_t k = 0, nsub = 0, glen;
	FILE *f;
	int rc = PL_OK, st;

	for (size_t i = 0; i < n; i++) {
		handles[i] = NULL;
		if (jobs[i].stdout_log == NULL || jobs[i].stderr_log == NULL) {
			snprintf(err, err_len, "the Slurm executor needs log "
			    "files");
			return PL_EINVAL;
		}
	}
	if ((dir = strdup(j0->stdout_log)) == NULL)
		return PL_ENOMEM;
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	if (asprintf(&path, "%s/slurm-array.sh", dir) < 0)
		path = NULL;
	free(dir);
	if (path == NULL)
		return PL_ENOMEM;
	buf_puts(&script, "#!/bin/sh\n# written by plumb: the items of one "
	    "foreach/matrix stage, one per array task\n"
	    "case \"$SLURM_ARRAY_TASK_ID\" in\n");
	for (size_t i = 0; i < n; i++) {
		buf_printf(&script, "%zu)\nexec >>", i);
		quote(&script, jobs[i].stdout_log);
		buf_puts(&script, " 2>>");
		quote(&script, jobs[i].stderr_log);
		buf_putc(&script, '\n');
		job_lines(&script, &jobs[i]);
		buf_puts(&script, ";;\n");
	}
	buf_puts(&script, "*) echo \"plumb: no task $SLURM_ARRAY_TASK_ID\" >&2; "
	    "exit 1;;\nesac\n");
	f = fopen(path, "w");
	if (f == NULL || fputs(buf_str(&script), f) < 0 || fclose(f) != 0) {
		snprintf(err, err_len, "cannot write %s: %s", path,
		    strerror(errno));
		rc = PL_EIO;
		goto out;
	}
	while (j0->submit_args && j0->submit_args[nsub])
		nsub++;
	glen = j0->name ? strcspn(j0->name, "@") : 0;
	argv = calloc(ex->nextra + nsub + 14, sizeof *argv);
	if (argv == NULL || asprintf(&a_arg, "--array=0-%zu", n - 1) < 0 ||
	    asprintf(&j_arg, "--job-name=plumb:%.*s", (int)glen, j0->name ?
	    j0->name : "") < 0 || asprintf(&c_arg, "--comment=%s", j0->label ?
	    j0->label : "plumb") < 0) {
		rc = PL_ENOMEM;
		goto out;
	}
	argv[k++] = (char *)"sbatch";
	argv[k++] = (char *)"--parsable";
	argv[k++] = a_arg;
	argv[k++] = j_arg;
	argv[k++] = c_arg;
	argv[k++] = (char *)"--output=/dev/null";
	argv[k++] = (char *)"--error=/dev/null";
	sbatch_tail(argv, k, &dep, ex, j0, nsub, path);
	st = run_client(argv, &out, SBATCH_MS);
	if (st != 0) {
		char line[160];

		first_line(line, sizeof line, buf_str(&out), st);
		snprintf(err, err_len, "Slurm refused stage '%.*s' (a job "
		    "array of %zu): %s", (int)glen, j0->name ? j0->name : "?",
		    n, line);
		rc = PL_EIO;
		goto out;
	}
	snprintf(id, sizeof id, "%.*s", (int)strcspn(buf_str(&out), ";\n"),
	    buf_str(&out));
	for (size_t i = 0; i < n; i++) {
		struct sjob *j = calloc(1, sizeof *j);

		if (j == NULL) {
			/* never half: cancel the array, forget the tasks */
			char *ids[1] = { id }, e2[160];

			(void)scancel_ids(ids, 1, CANCEL_TRIES, e2, sizeof e2);
			for (size_t q = 0; q < i; q++) {
				s_release(base, handles[q]);
				handles[q] = NULL;
			}
			rc = PL_ENOMEM;
			goto out;
		}
		snprintf(j->id, sizeof j->id, "%.12s_%u", id, (unsigned)i);
		j->name = jobs[i].name ? strdup(jobs[i].name) : NULL;
		j->submit_ms = now_ms();
		ex->active++;
		handles[i] = j;
	}
out:
	buf_free(&script);
	buf_free(&out);
	buf_free(&dep);
	free(path);
	free(argv);
	free(a_arg);
	free(j_arg);
	free(c_arg);
	return rc;
}

/* Ends a job's record: res is its result from now on. */
static void
finish(struct sexec *ex, struct sjob *j)
{
	if (!j->done && ex->active)
		ex->active--;
	j->done = 1;
	if (j->res.end_ms == 0)
		j->res.end_ms = now_ms();
	if (j->res.start_ms == 0)
		j->res.start_ms = j->submit_ms;
}


/* "uid N" as "NAME (uid N)" when this host knows the name. */
static void
uid_words(char *out, size_t n, long uid)
{
	struct passwd *pw = getpwuid((uid_t)uid);

	if (pw && pw->pw_name)
		snprintf(out, n, "%.40s (uid %ld)", pw->pw_name, uid);
	else
		snprintf(out, n, "uid %ld", uid);
}

/*
 * Who cancelled job id, when it was not plumb.  Slurm's accounting
 * (sacct, with slurmdbd) says "CANCELLED by UID"; without accounting
 * `scontrol show job` has no such field, and the only record is
 * slurmctld's own log line "REQUEST_KILL_JOB JobId=ID uid UID", read
 * when the log (SlurmctldLogFile) is readable from here (the
 * controller's host, a shared log directory).  Its last 4 MiB are
 * searched.  "" when neither says; *src names the source.
 */
static void
cancelled_by(char *out, size_t n, const char **src, const char *id)
{
	char *sacct[] = { (char *)"sacct", (char *)"-n", (char *)"-X",
	    (char *)"-P", (char *)"-o", (char *)"State", (char *)"-j",
	    (char *)id, NULL };
	char *conf[] = { (char *)"scontrol", (char *)"show", (char *)"config",
	    NULL };
	struct buf o = BUF_INIT;
	char logpath[512] = "", needle[64];
	const char *p;
	long uid = -1;
	FILE *f;

	out[0] = '\0';
	*src = "";
	if (run_client(sacct, &o, CLIENT_MS) == 0 &&
	    (p = strstr(buf_str(&o), "CANCELLED by ")) != NULL &&
	    sscanf(p + 13, "%ld", &uid) == 1) {
		uid_words(out, n, uid);
		*src = "Slurm accounting";
		buf_free(&o);
		return;
	}
	buf_free(&o);
	if (run_client(conf, &o, CLIENT_MS) == 0 &&
	    (p = strstr(buf_str(&o), "SlurmctldLogFile")) != NULL &&
	    (p = strchr(p, '=')) != NULL) {
		p++;
		while (*p == ' ')
			p++;
		snprintf(logpath, sizeof logpath, "%.*s", (int)strcspn(p,
		    " \n"), p);
	}
	buf_free(&o);
	if (logpath[0] != '/' || (f = fopen(logpath, "r")) == NULL)
		return;
	snprintf(needle, sizeof needle, "REQUEST_KILL_JOB JobId=%s uid ", id);
	if (fseeko(f, 0, SEEK_END) == 0 && ftello(f) > 4 << 20)
		fseeko(f, -(4 << 20), SEEK_END);
	else
		rewind(f);
	{
		char line[1024];

		while (fgets(line, sizeof line, f))
			if ((p = strstr(line, needle)) != NULL)
				sscanf(p + strlen(needle), "%ld", &uid);
	}
	fclose(f);
	if (uid >= 0) {
		uid_words(out, n, uid);
		*src = "slurmctld log";
	}
}

/* The result of a job that scontrol shows ended, from its line. */
static void
read_end(struct sjob *j, const char *line, const char *state)
{
	char code[32], reason[128], f[256], limit[32];
	int ec = 0, sig = 0;
	pl_exec_result *r = &j->res;
	struct buf info = BUF_INIT;
	static const char *const keep[] = { "JobId", "ArrayJobId",
		"ArrayTaskId", "Partition", "NodeList", "SubmitTime",
		"StartTime", "EndTime", "TimeLimit", "Reason", "ExitCode",
		"JobState", NULL };

	memset(r, 0, sizeof *r);
	field(code, sizeof code, line, "ExitCode");
	field(reason, sizeof reason, line, "Reason");
	field(limit, sizeof limit, line, "TimeLimit");
	sscanf(code, "%d:%d", &ec, &sig);
	snprintf(r->end_state, sizeof r->end_state, "%.31s", state);
	for (size_t i = 0; keep[i]; i++) {
		field(f, sizeof f, line, keep[i]);
		if (f[0] && strcmp(f, "(null)") && strcmp(f, "Unknown") &&
		    strcmp(f, "None"))
			buf_printf(&info, "%s=%s\n", keep[i], f);
	}
	field(f, sizeof f, line, "SubmitTime");
	r->submit_ms = slurm_time_ms(f);
	field(f, sizeof f, line, "StartTime");
	r->start_ms = slurm_time_ms(f);
	field(f, sizeof f, line, "EndTime");
	r->end_ms = slurm_time_ms(f);
	if (r->start_ms == 0 || r->end_ms < r->start_ms)
		r->start_ms = r->end_ms = 0;	/* never started */
	r->dep_failed = !strcmp(state, "CANCELLED") &&
	    !strcmp(reason, "DependencyNeverSatisfied");
	if (r->dep_failed)
		r->start_ms = 0;	/* Slurm sets StartTime = EndTime */
	/* Queued time is not run time: the wait is said apart. */
	if (r->start_ms && r->submit_ms && r->start_ms >= r->submit_ms)
		buf_printf(&info, "QueueWait=%llds\n",
		    (long long)((r->start_ms - r->submit_ms) / 1000));
	if (!strcmp(state, "COMPLETED")) {
		snprintf(r->info, sizeof r->info, "%s", buf_str(&info));
		buf_free(&info);
		r->exit_status = ec;
		r->end_state[0] = '\0';
		return;
	}
	/* A signal in ExitCode is Slurm's doing for these states (TIMEOUT
	 * reports 0:15), not a user's: plumb says what Slurm says. */
	r->exit_status = sig ? 128 + sig : ec ? ec : 1;
	if (!strcmp(state, "FAILED")) {
		r->end_state[0] = '\0';
		r->exit_status = sig ? 128 + sig : ec ? ec : 1;
		r->signaled = sig != 0;
		r->term_signal = sig;
		if (ec == 0 && sig == 0)
			snprintf(r->message, sizeof r->message, "Slurm job %s "
			    "failed (%s)", j->id, reason);
	} else if (!strcmp(state, "TIMEOUT"))
		snprintf(r->message, sizeof r->message, "timeout: Slurm job %s "
		    "reached its time limit (%s)", j->id, limit);
	else if (!strcmp(state, "OUT_OF_MEMORY"))
		snprintf(r->message, sizeof r->message, "out of memory: Slurm "
		    "job %s went over its memory limit", j->id);
	else if (r->dep_failed)
		snprintf(r->message, sizeof r->message, "dependency never "
		    "satisfied: Slurm job %s never started, a job it waited "
		    "for failed", j->id);
	else if (!strcmp(state, "CANCELLED") && j->ncancel) {
		r->cancelled = 1;
		snprintf(r->message, sizeof r->message, "interrupted (plumb "
		    "cancelled its Slurm job)");
	} else if (!strcmp(state, "CANCELLED")) {
		char who[96];
		const char *src;

		cancelled_by(who, sizeof who, &src, j->id);
		if (who[0]) {
			buf_printf(&info, "CancelledBy=%s\n", who);
			snprintf(r->message, sizeof r->message, "cancelled "
			    "outside plumb by %s: Slurm job %s (from the %s)",
			    who, j->id, src);
		} else
			snprintf(r->message, sizeof r->message, "cancelled "
			    "outside plumb: Slurm job %s (by whom: Slurm does "
			    "not say without accounting or a readable "
			    "slurmctld log%s%.40s)", j->id, strcmp(reason,
			    "None") ? "; reason " : "", strcmp(reason,
			    "None") ? reason : "");
	} else if (!strcmp(state, "NODE_FAIL"))
		snprintf(r->message, sizeof r->message, "node failure: Slurm "
		    "job %s lost its node", j->id);
	else if (!strcmp(state, "PREEMPTED"))
		snprintf(r->message, sizeof r->message, "preempted: Slurm job "
		    "%s was preempted", j->id);
	else
		snprintf(r->message, sizeof r->message, "Slurm job %s ended %s "
		    "(%s)", j->id, state, reason);
	snprintf(r->info, sizeof r->info, "%s", buf_str(&info));
	buf_free(&info);
}

static int
s_poll(pl_executor *base, void *handle, pl_exec_result *res)
{
	struct sexec *ex = (struct sexec *)base;
	struct sjob *j = handle;
	struct buf out = BUF_INIT;
	char state[64];
	char *argv[] = { (char *)"scontrol", (char *)"show", (char *)"job",
	    (char *)"-o", j->id, NULL };
	int64_t now = now_ms(), every = POLL_MS;
	int st;

	if (j->done) {
		*res = j->res;
		return 1;
	}
	/* about 20 scontrol calls a second in all, whatever the number of
	 * jobs; while cancelling, faster */
	if (ex->active > 2)
		every = POLL_MS * (int64_t)ex->active / 2;
	if (j->ncancel)
		every = POLL_MS;
	if (now - j->last_poll < every)
		return 0;
	j->last_poll = now;
	st = run_client(argv, &out, CLIENT_MS);
	field(state, sizeof state, buf_str(&out), "JobState");
	if (st == 0 && state[0]) {
		j->fail_since = 0;
		if (active_state(state) && !strcmp(state, "PENDING") &&
		    j->ncancel == 0) {
			char reason[64];

			field(reason, sizeof reason, buf_str(&out), "Reason");
			if (!strcmp(reason, "DependencyNeverSatisfied")) {
				/* a cluster where --kill-on-invalid-dep is
				 * off: it would pend forever */
				char *ids[1] = { j->id }, e2[160];

				(void)scancel_ids(ids, 1, 2, e2, sizeof e2);
				read_end(j, buf_str(&out), "CANCELLED");
				buf_free(&out);
				finish(ex, j);
				*res = j->res;
				return 1;
			}
		}
		if (active_state(state) && j->started_ms == 0 &&
		    strcmp(state, "PENDING") && strcmp(state, "REQUEUED") &&
		    strcmp(state, "REQUEUE_HOLD") &&
		    strcmp(state, "REQUEUE_FED")) {
			char t[64];

			field(t, sizeof t, buf_str(&out), "StartTime");
			j->started_ms = slurm_time_ms(t);
			if (j->started_ms == 0)
				j->started_ms = now_ms();
		}
		if (active_state(state)) {
			buf_free(&out);
			if (j->ncancel && now - j->cancel_ms > CANCEL_GRACE_MS &&
			    strcmp(state, "COMPLETING")) {
				memset(&j->res, 0, sizeof j->res);
				j->res.cancelled = 1;
				j->res.exit_status = 1;
				snprintf(j->res.message, sizeof j->res.message,
				    "Slurm job %s is still %s %d s after "
				    "scancel: it may be left on the cluster",
				    j->id, state, CANCEL_GRACE_MS / 1000);
				finish(ex, j);
				*res = j->res;
				return 1;
			}
			return 0;
		}
		read_end(j, buf_str(&out), state);
		buf_free(&out);
		finish(ex, j);
		*res = j->res;
		return 1;
	}
	if (strstr(buf_str(&out), "Invalid job id")) {
		/* forgotten by slurmctld (MinJobAge): its end is unknown */
		buf_free(&out);
		memset(&j->res, 0, sizeof j->res);
		j->res.exit_status = 1;
		j->res.cancelled = j->ncancel > 0;
		snprintf(j->res.message, sizeof j->res.message, "Slurm job %s "
		    "is no longer known to slurmctld", j->id);
		finish(ex, j);
		*res = j->res;
		return 1;
	}
	/* scontrol failed: the job's state is unknown, not ended.  Retry;
	 * give up (and say the job may run on) only after a while. */
	first_line(j->lasterr, sizeof j->lasterr, buf_str(&out), st);
	buf_free(&out);
	if (j->fail_since == 0)
		j->fail_since = now;
	if (now - j->fail_since > (j->ncancel ? CANCEL_GRACE_MS : LOST_MS)) {
		memset(&j->res, 0, sizeof j->res);
		j->res.exit_status = 1;
		j->res.cancelled = j->ncancel > 0;
		snprintf(j->res.message, sizeof j->res.message, "lost track of "
		    "Slurm job %s (scontrol: %.100s); it may still be on the "
		    "cluster", j->id, j->lasterr);
		finish(ex, j);
		*res = j->res;
		return 1;
	}
	return 0;
}

/* scancel of one or more job ids, SCANCEL_MS each try, at most tries. */
static int
scancel_ids(char *const *ids, size_t n, int tries, char *err, size_t err_len)
{
	char **argv = calloc(n + 3, sizeof *argv);
	int st = -1;

	if (err_len)
		err[0] = '\0';
	if (argv == NULL)
		return PL_ENOMEM;
	argv[0] = (char *)"scancel";
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = ids[i];
	for (int t = 0; t < tries; t++) {
		struct buf out = BUF_INIT;

		if (t) {
			struct timespec ts = { 0, 200 * 1000000L };

			nanosleep(&ts, NULL);
		}
		st = run_client(argv, &out, SCANCEL_MS);
		/* a job that ended meanwhile is no failure */
		if (st != 0 && (strstr(buf_str(&out), "already completing") ||
		    strstr(buf_str(&out), "Invalid job id")))
			st = 0;
		if (st != 0)
			first_line(err, err_len, buf_str(&out), st);
		buf_free(&out);
		if (st == 0)
			break;
	}
	free(argv);
	return st == 0 ? PL_OK : PL_EIO;
}

static int
s_cancel(pl_executor *base, void *handle)
{
	struct sexec *ex = (struct sexec *)base;
	struct sjob *j = handle;
	char *ids[1] = { j->id }, msg[160];

	if (j->done)
		return PL_OK;
	if (j->ncancel++ == 0)
		j->cancel_ms = now_ms();
	j->last_poll = 0;	/* see the new state soon */
	if (scancel_ids(ids, 1, 2, msg, sizeof msg) == PL_OK)
		return PL_OK;
	snprintf(j->lasterr, sizeof j->lasterr, "%s", msg);
	if (++j->cancel_failed >= CANCEL_TRIES) {
		/* reported, never dropped silently */
		memset(&j->res, 0, sizeof j->res);
		j->res.cancelled = 1;
		j->res.exit_status = 1;
		snprintf(j->res.message, sizeof j->res.message, "could not "
		    "cancel Slurm job %s (scancel: %.100s); it may still be on "
		    "the cluster", j->id, msg);
		finish(ex, j);
	}
	return PL_EIO;
}

static void
s_wait(pl_executor *base, int timeout_ms)
{
	struct timespec ts;

	(void)base;
	/* the polls are what take time; 50 ms between rounds at most */
	if (timeout_ms > 50)
		timeout_ms = 50;
	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static void
s_release(pl_executor *base, void *handle)
{
	struct sexec *ex = (struct sexec *)base;
	struct sjob *j = handle;

	if (j == NULL)
		return;
	if (!j->done && ex->active)
		ex->active--;
	free(j->name);
	free(j);
}

static const char *
s_job_id(pl_executor *base, void *handle)
{
	struct sjob *j = handle;

	(void)base;
	return j ? j->id : NULL;
}

static int64_t
s_started(pl_executor *base, void *handle)
{
	struct sjob *j = handle;

	(void)base;
	return j ? j->started_ms : 0;
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
	"slurm", s_submit, s_poll, s_cancel, s_wait, s_release, s_destroy,
	s_job_id, s_submit_array, s_started
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

/* --- jobs of a plumb that is gone ------------------------------------------- */

int
pl_slurm_list_jobs(pl_slurm_job **out, size_t *n, const char *label_prefix,
    char *err, size_t err_len)
{
	char uid[32];
	char *argv[] = { (char *)"squeue", (char *)"--noheader", (char *)"-u",
	    uid, (char *)"-o", (char *)"%i|%T|%j|%k", NULL };
	struct buf o = BUF_INIT;
	pl_slurm_job *v = NULL;
	size_t nv = 0, plen = strlen(label_prefix);
	int st;

	*out = NULL;
	*n = 0;
	snprintf(uid, sizeof uid, "%ld", (long)getuid());
	st = run_client(argv, &o, CLIENT_MS);
	if (st != 0) {
		char line[160];

		first_line(line, sizeof line, buf_str(&o), st);
		snprintf(err, err_len, "squeue: %s", line);
		buf_free(&o);
		return PL_EIO;
	}
	for (char *line = (char *)buf_str(&o); *line;) {
		size_t len = strcspn(line, "\n");
		char *f[4];
		int k = 0;

		line[len] = '\0';
		f[0] = line;
		for (char *p = line; *p && k < 3; p++)
			if (*p == '|') {
				*p = '\0';
				f[++k] = p + 1;
			}
		if (k == 3 && strncmp(f[3], label_prefix, plen) == 0) {
			pl_slurm_job *nv2 = realloc(v, (nv + 1) * sizeof *v);

			if (nv2 == NULL) {
				free(v);
				buf_free(&o);
				return PL_ENOMEM;
			}
			v = nv2;
			memset(&v[nv], 0, sizeof *v);
			snprintf(v[nv].id, sizeof v[nv].id, "%s", f[0]);
			snprintf(v[nv].state, sizeof v[nv].state, "%s", f[1]);
			snprintf(v[nv].name, sizeof v[nv].name, "%s", f[2]);
			snprintf(v[nv].label, sizeof v[nv].label, "%s", f[3]);
			nv++;
		}
		line += len + 1;
		if (line > o.p + o.len)
			break;
	}
	buf_free(&o);
	*out = v;
	*n = nv;
	return PL_OK;
}

int
pl_slurm_cancel_jobs(char *const *ids, size_t n, char *err, size_t err_len)
{
	if (n == 0)
		return PL_OK;
	return scancel_ids(ids, n, CANCEL_TRIES, err, err_len);
}

/* A label field "key=VALUE" (up to the next space), "" when absent. */
static void
label_field(char *out, size_t n, const char *label, const char *key)
{
	field(out, n, label, key);
}

/* Does the plumb that labelled a job still run?  Another host's plumb
 * is assumed alive: plumb cannot see its processes. */
static int
owner_gone(const char *label)
{
	char host[256], pid[32];
	long p;

	label_field(host, sizeof host, label, "host");
	label_field(pid, sizeof pid, label, "pid");
	if (strcmp(host, pl__hostname()) != 0 || !pid[0])
		return 0;
	p = strtol(pid, NULL, 10);
	if (p <= 0 || p == (long)getpid())
		return 0;
	return kill((pid_t)p, 0) < 0 && errno == ESRCH;
}

static int
store_has_lost_slurm_runs(pl_store *st)
{
	sqlite3_stmt *q = pl__stmt(st, "SELECT 1 FROM runs r "
	    "JOIN tags t ON t.run_id = r.rid "
	    "JOIN keys k ON k.id = t.key_id AND k.name = 'slurm.job_id' "
	    "WHERE r.status IN ('lost', 'running') AND NOT EXISTS ("
	    "  SELECT 1 FROM tags t2 JOIN keys k2 ON k2.id = t2.key_id "
	    "  WHERE t2.run_id = r.rid AND k2.name IN ('slurm.state', "
	    "  'slurm.orphan')) LIMIT 1");
	int found;

	if (q == NULL) {
		pl__clear_err(st);
		return 0;
	}
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_reset(q);
	return found;
}

int
pl_slurm_orphans(pl_slurm_job **out, size_t *n, pl_store *st,
    int only_if_recorded, char *err, size_t err_len)
{
	char *prefix;
	pl_slurm_job *v;
	size_t nv, k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (only_if_recorded && !store_has_lost_slurm_runs(st))
		return PL_OK;
	if (asprintf(&prefix, "plumb store=%s ", pl_store_dir(st)) < 0)
		return PL_ENOMEM;
	rc = pl_slurm_list_jobs(&v, &nv, prefix, err, err_len);
	free(prefix);
	if (rc != PL_OK)
		return rc;
	for (size_t i = 0; i < nv; i++)
		if (owner_gone(v[i].label))
			v[k++] = v[i];
	if (k == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = k;
	return PL_OK;
}

/* The run whose slurm.job_id tag is id ("" when none). */
static void
run_of_job(char out[64], pl_store *st, const char *id)
{
	sqlite3_stmt *q = pl__stmt(st, "SELECT r.id FROM tags t "
	    "JOIN keys k ON k.id = t.key_id AND k.name = 'slurm.job_id' "
	    "JOIN runs r ON r.rid = t.run_id WHERE t.value = ?1 "
	    "ORDER BY r.rid DESC LIMIT 1");

	out[0] = '\0';
	if (q == NULL) {
		pl__clear_err(st);
		return;
	}
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
		snprintf(out, 64, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
}

/*
 * Tags with what the runs of orphan job j: its label's run (for an array,
 * task 0's, the label being the whole array's), and for the tasks of an
 * array, "BASE_K" (running) or "BASE_[0-3,7%2]" (pending) as squeue
 * lists them, the run recorded with that task's id as slurm.job_id.
 */
static void
tag_orphan_runs(pl_store *st, const pl_slurm_job *j, const char *what)
{
	char run[64], base[32], task[48];
	const char *us = strchr(j->id, '_'), *p;
	int zero = us == NULL;	/* the label's run is one of them */

	if (us != NULL) {
		snprintf(base, sizeof base, "%.*s", (int)(us - j->id), j->id);
		p = us + 1;
		if (*p == '[')
			p++;
		/* ranges "A", "A-B", comma separated, up to ']' or '%' */
		while (*p >= '0' && *p <= '9') {
			char *end;
			unsigned long a = strtoul(p, &end, 10), b = a;

			p = end;
			if (*p == '-' && p[1] >= '0' && p[1] <= '9') {
				b = strtoul(p + 1, &end, 10);
				p = end;
			}
			for (unsigned long k = a; k <= b && k - a < 100000; k++) {
				if (k == 0)
					zero = 1;
				snprintf(task, sizeof task, "%s_%lu", base, k);
				run_of_job(run, st, task);
				if (run[0] && pl_run_set_tag(st, run,
				    "slurm.orphan", what) != PL_OK)
					pl__clear_err(st);
			}
			if (*p == ',')
				p++;
		}
	}
	label_field(run, sizeof run, j->label, "run");
	if (zero && run[0] && pl_run_set_tag(st, run, "slurm.orphan", what) !=
	    PL_OK)
		pl__clear_err(st);
}

int
pl_slurm_orphans_settle(pl_store *st, const pl_slurm_job *jobs, size_t n,
    const char *action, char *err, size_t err_len)
{
	char **ids = calloc(n + 1, sizeof *ids);
	int rc = PL_OK, cancel = strcmp(action, "cancel") == 0;

	if (ids == NULL)
		return PL_ENOMEM;
	for (size_t i = 0; i < n; i++)
		ids[i] = (char *)jobs[i].id;
	if (cancel)
		rc = pl_slurm_cancel_jobs(ids, n, err, err_len);
	else {
		/* adopt: wait until none of them is queued or running */
		for (;;) {
			pl_slurm_job *v;
			size_t nv, left = 0;
			struct timespec ts = { 0, 200 * 1000000L };

			if ((rc = pl_slurm_list_jobs(&v, &nv, "plumb ", err,
			    err_len)) != PL_OK)
				break;
			for (size_t i = 0; i < nv; i++)
				for (size_t j = 0; j < n; j++)
					if (!strcmp(v[i].id, jobs[j].id))
						left++;
			free(v);
			if (left == 0)
				break;
			nanosleep(&ts, NULL);
		}
	}
	for (size_t i = 0; rc == PL_OK && i < n; i++)
		tag_orphan_runs(st, &jobs[i], cancel ? "cancelled by a later "
		    "plumb repro" : "adopted: waited for by a later plumb "
		    "repro");
	free(ids);
	return rc;
}
