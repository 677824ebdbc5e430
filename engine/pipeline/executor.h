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
	/* For a batch system: words added to its submit command for this
	 * job, each one argument (never through a shell), NULL-ended or
	 * NULL; and a label that identifies whose job it is (store, repro,
	 * run), kept with the job so a later plumb can find it. */
	char *const *submit_args;
	const char *label;
	/* For a batch system: ids of jobs (as job_id() gave them) this one
	 * may start only after, each ended successfully (Slurm's
	 * --dependency=afterok, with --kill-on-invalid-dep=yes so a failed
	 * one ends it at once).  NULL-ended, or NULL. */
	char *const *after;
} pl_exec_job;

typedef struct pl_exec_result {
	int exit_status;	/* as a shell reports it (128+N: signal N) */
	int signaled, term_signal;
	int cancelled;		/* cancel() reached it */
	int start_failed;	/* it could not be started (message says why) */
	int64_t start_ms, end_ms;
	char message[256];
	/* A batch system's own end state ("TIMEOUT", "OUT_OF_MEMORY",
	 * "CANCELLED"; "" locally or when it completed), and what it knows
	 * of the job as "key=value" lines (job id, partition, nodes, submit,
	 * start and end times, reason), recorded as the run's tags. */
	char end_state[32];
	char info[1024];
	/* It never started: a job it had to wait for failed (Slurm's
	 * DependencyNeverSatisfied). */
	int dep_failed;
	/* When the batch system queued it (0: unknown or local); start_ms
	 * is then when it really started, 0 when it never did. */
	int64_t submit_ms;
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
	/* Optional (NULL locally): the batch system's id of a job, for the
	 * run's record as soon as it is submitted. */
	const char *(*job_id)(pl_executor *ex, void *handle);
	/* Optional (NULL locally): jobs[0..n) as one submission (Slurm's
	 * job array, one task per job, in order); handles[k] is job k's.
	 * All or none are submitted. */
	int (*submit_array)(pl_executor *ex, const pl_exec_job *jobs,
	    size_t n, void **handles, char *err, size_t err_len);
	/* Optional (NULL locally): when a queued job started (the batch
	 * system's StartTime, ms), 0 while it waits; known after a poll
	 * saw it run. */
	int64_t (*started)(pl_executor *ex, void *handle);
};

struct pl_executor {
	const struct pl_executor_ops *ops;
};

/* The local executor: one thread per running job, processes in their own
 * process groups, stdin from /dev/null, never the terminal. */
int pl_executor_local_new(pl_executor **out);

/*
 * The Slurm executor: each stage is a batch job (sbatch --parsable; state,
 * exit code and the rest from scontrol show job -o; scancel).  Logs are
 * written by Slurm into the run's log files, so the store and the
 * workspace must be on a filesystem the nodes share.  sbatch_args (may be
 * NULL) are extra words for every sbatch, split on whitespace (the old
 * $PLUMB_SLURM_ARGS; per-stage resources come with each job).  Clients
 * find the cluster as usual (SLURM_CONF).  plumb's own sbatch, scontrol
 * and scancel run in their own process group, so a Ctrl-C at the
 * terminal reaches plumb only; each is bounded in time.
 */
int pl_executor_slurm_new(pl_executor **out, const char *sbatch_args);

/* One job of plumb's still queued or running on the cluster. */
typedef struct pl_slurm_job {
	char id[32];
	char state[32];		/* PENDING, RUNNING, ... */
	char name[128];		/* job name: plumb:STAGE */
	char label[512];	/* the comment plumb gave it */
} pl_slurm_job;

/*
 * The current user's jobs whose comment starts with label_prefix (plumb
 * labels its jobs "plumb store=DIR pid=PID run=ID stage=NAME"): queued or
 * running, from squeue.  *out is malloc'ed (free it); err says why on
 * failure (Slurm unreachable, squeue missing).
 */
int pl_slurm_list_jobs(pl_slurm_job **out, size_t *n, const char *label_prefix,
    char *err, size_t err_len);
/* scancel the given job ids (bounded retries); err names the ones that
 * could not be cancelled. */
int pl_slurm_cancel_jobs(char *const *ids, size_t n, char *err, size_t err_len);

struct pl_store;
/*
 * Orphans: jobs a plumb repro of this store submitted and left queued or
 * running when it died (kill -9, a lost login node session), found by
 * their label whose pid, on this host, no longer runs.  With
 * only_if_recorded, Slurm is asked only when the store has a run of a
 * plumb that died with a slurm.job_id and no recorded end (so `plumb
 * status` costs nothing on a machine without Slurm).  *out: free() it.
 */
int pl_slurm_orphans(pl_slurm_job **out, size_t *n, struct pl_store *st,
    int only_if_recorded, char *err, size_t err_len);
/* Settles orphans: "cancel" (scancel them) or "adopt" (wait for them to
 * end); either way their runs get the tag slurm.orphan saying so. */
int pl_slurm_orphans_settle(struct pl_store *st, const pl_slurm_job *jobs,
    size_t n, const char *action, char *err, size_t err_len);

static inline void
pl_executor_free(pl_executor *ex)
{
	if (ex)
		ex->ops->destroy(ex);
}

#endif
