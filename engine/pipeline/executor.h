/* executor.h - where stage commands run: the interface the scheduler drives (local now; Slurm fits). */
#ifndef PL_ENGINE_EXECUTOR_H
#define PL_ENGINE_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * The scheduler never forks by itself: it submits jobs to an executor,
 * polls them, cancels them, and reads their exit status.  These four verbs
 * are what a batch system offers too, so a cluster backend (Slurm: sbatch
 * --parsable, scontrol show job -o, scancel; see notes/slurm.md) plugs in
 * without touching the scheduler:
 *
 *   submit  start a job; returns a handle at once
 *   poll    non-blocking: finished yet?  if so, its result
 *   cancel  ask it to stop (repeat to insist; the local executor sends
 *           SIGINT to the process group, then SIGKILL on the third call)
 *   wait    sleep until some job may have changed state, or a timeout
 *
 * All calls come from the scheduler's thread.  A job's commands run in
 * order, each as `/bin/sh -c CMD` (DVC's semantics), stopping at the first
 * failure.  Live hooks (on_output, on_proto) are optional: an executor
 * that cannot stream (a batch system) leaves them uncalled and the logs
 * are read afterwards.
 */
typedef struct pl_exec_job {
	const char *name;		/* for messages */
	char *const *cmds;		/* shell commands, run in order */
	size_t ncmds;
	const char *cwd;
	char *const *env;		/* "KEY=VALUE" added, NULL-ended, or NULL */
	const char *stdout_log;		/* appended to (may be NULL) */
	const char *stderr_log;
	/* Optional hooks, called on an executor thread (never two at once
	 * for one job).  on_proto gets the bytes of PLUMB_FD. */
	void (*on_output)(int stream, const char *data, size_t n,
	    void *payload);
	int (*on_proto)(const char *data, size_t n, void *payload);
	void *payload;
} pl_exec_job;

typedef struct pl_exec_result {
	int exit_status;	/* as a shell reports it (128+N: signal N) */
	int signaled, term_signal;
	int cancelled;		/* cancel() reached it */
	int start_failed;	/* it could not be started (message says why) */
	int64_t start_ms, end_ms;
	char message[256];
} pl_exec_result;

typedef struct pl_executor pl_executor;

struct pl_executor_ops {
	const char *name;
	/* Copies what it needs from job; *handle identifies the job. */
	int (*submit)(pl_executor *ex, const pl_exec_job *job, void **handle,
	    char *err, size_t err_len);
	/* 1 = finished (res filled), 0 = still running, < 0 = error. */
	int (*poll)(pl_executor *ex, void *handle, pl_exec_result *res);
	int (*cancel)(pl_executor *ex, void *handle);
	void (*wait)(pl_executor *ex, int timeout_ms);
	/* Forgets a finished job. */
	void (*release)(pl_executor *ex, void *handle);
	void (*destroy)(pl_executor *ex);
};

struct pl_executor {
	const struct pl_executor_ops *ops;
};

/* The local executor: one thread per running job, processes in their own
 * process groups, stdin from /dev/null, never the terminal. */
int pl_executor_local_new(pl_executor **out);

/*
 * The Slurm executor: each stage is a batch job (sbatch --parsable; state
 * and exit code from scontrol show job -o; scancel --signal=INT, then
 * scancel).  Logs are written by Slurm into the run's log files, so the
 * store and the workspace must be on a filesystem the nodes share.
 * sbatch_args (may be NULL) are extra words for sbatch, e.g.
 * "--partition=gpu --time=10".  Clients find the cluster as usual
 * (SLURM_CONF).
 */
int pl_executor_slurm_new(pl_executor **out, const char *sbatch_args);

static inline void
pl_executor_free(pl_executor *ex)
{
	if (ex)
		ex->ops->destroy(ex);
}

#endif
