/* repro.h - reproducing a pipeline: what changed, skip/restore/run, parallel scheduling, status. */
#ifndef PL_ENGINE_REPRO_H
#define PL_ENGINE_REPRO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/executor.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

/*
 * A stage is up to date when its command, the hashes of its deps and the
 * values of its params equal what plumb.lock recorded, and its outputs
 * are there unchanged.  pl_repro() walks the selected stages in
 * dependency order and for each one:
 *
 *   frozen                       -> left alone
 *   up to date (and no --force)  -> skipped
 *   only outputs missing/edited  -> restored from the cache, not run
 *   exact inputs seen before     -> outputs restored from the run cache
 *   otherwise                    -> run (non-persist outputs removed
 *                                   first) as a tracked run
 *
 * Independent stages run concurrently, up to opts.jobs at once.  Each
 * execution is a tracked run: experiment = the pipeline's name, name and
 * tag `stage` = the stage, tag `reason` = why it ran, tag `cmd_sha256`,
 * the code version of the workspace, logs under runs/<id>/, and the
 * numbers found in its `metrics:` files (nested keys joined with dots)
 * logged as the run's metrics.  Its deps and outs are recorded for
 * lineage.
 *
 * A failed stage blocks its downstream stages; without keep_going no new
 * stage starts after a failure.  When *opts.interrupt becomes nonzero
 * (the caller's SIGINT handler), every running stage is cancelled (its
 * process group gets SIGINT, later SIGKILL) and recorded `killed`.
 * plumb.lock only ever gains stages that succeeded; it is rewritten
 * atomically.
 */

typedef enum {
	PL_EV_SKIP,		/* up to date */
	PL_EV_FROZEN,
	PL_EV_WOULD_RUN,	/* dry run: it would run (reason) */
	PL_EV_START,		/* started (run_id) */
	PL_EV_DONE,		/* finished successfully */
	PL_EV_RESTORED,		/* outputs restored from the cache (reason) */
	PL_EV_FAILED,		/* exit_status, reason */
	PL_EV_KILLED,
	PL_EV_BLOCKED,		/* an upstream stage failed */
	PL_EV_OUTPUT,		/* stage output (stream, data, len) */
	PL_EV_TICK,		/* periodic, for progress displays */
	PL_EV_WARNING		/* the stage ran, but (reason): e.g. what of
				 * its metrics files was skipped */
} pl_repro_event_type;

typedef struct pl_repro_event {
	pl_repro_event_type type;
	const char *stage;		/* NULL for TICK */
	const char *reason;		/* why it runs / ran / failed */
	const char *run_id;		/* tracked run, when there is one */
	int exit_status;
	double seconds;			/* duration of a finished stage */
	int stream;			/* OUTPUT: 1 stdout, 2 stderr */
	const char *data;
	size_t len;
	/* progress */
	size_t done, total, running;
	const char *const *running_names;	/* `running` names */
	double elapsed;
} pl_repro_event;

typedef struct pl_repro_opts {
	int jobs;			/* concurrent stages; 0 = CPUs */
	int force;			/* run the selected stages regardless */
	int dry_run;			/* say what would run; change nothing */
	int keep_going;
	int single;			/* only the targets, not their upstream */
	char *const *targets;		/* stage or group names; none = all */
	size_t ntargets;
	int link_types;			/* PL_LINK_*; 0 = default */
	int no_run_cache;
	volatile sig_atomic_t *interrupt;	/* nonzero: stop */
	pl_executor *executor;		/* NULL: a local executor */
	/* Per stage (indexed like the pipeline's stages), the executor's
	 * submit words for it (sbatch options from plumb.yaml's executor:
	 * section), NULL-ended; NULL for none. */
	char **const *submit_args;
	/* Events come from the calling thread, except OUTPUT which may
	 * come from an executor thread; calls are never concurrent. */
	void (*on_event)(const pl_repro_event *ev, void *payload);
	void *payload;
	/* Called once, with payload, before the first stage is restored or
	 * started (not at all when every stage is up to date): the Slurm
	 * orphan check, which asks squeue, costs a no-op nothing.  Nonzero
	 * stops the repro there, nothing started: PL_ERROR, err empty (the
	 * hook has said why).  NULL: none. */
	int (*before_work)(void *payload);
} pl_repro_opts;

typedef struct pl_repro_summary {
	size_t selected, ran, skipped, restored, failed, killed, blocked,
	    frozen, would_run, not_started;
} pl_repro_summary;

/*
 * Reproduces pipeline p with store st (used from this thread only).
 * Returns PL_OK when every selected stage is up to date at the end,
 * PL_ERROR when some stage failed, was killed or blocked (the summary
 * says which), or another code when plumb itself failed (err says why).
 */
int pl_repro(pl_repro_summary *out, pl_store *st, const pl_pipeline *p,
    const pl_repro_opts *opts, char *err, size_t err_len);

/* Why one stage is or is not up to date. */
typedef struct pl_pipe_status {
	size_t stage;		/* index in the pipeline */
	int changed;
	int frozen;
	int restorable;		/* only outputs differ, and the cache has them */
	size_t nreasons;
	char **reasons;		/* "dep data.csv changed", ... */
} pl_pipe_status;

/*
 * The status of the stages marked in mask (NULL: all), in dependency
 * order.  Hashing goes through the memo, so unchanged files are not
 * read.  Free with pl_pipe_status_free().
 */
int pl_pipeline_status(pl_pipe_status **out, size_t *out_n, pl_store *st,
    const pl_pipeline *p, const unsigned char *mask, char *err,
    size_t err_len);
void pl_pipe_status_free(pl_pipe_status *s, size_t n);

/*
 * How a stage's newest run ended, when it did not finish: a plain
 * failure or kill, or a batch system's end state from the run's tags
 * (slurm.state, slurm.reason, slurm.cancelled_by).  mark is one letter
 * for a narrow display (T timeout, M out of memory, N node failure,
 * P preempted, C cancelled by someone, D dependency never satisfied,
 * K killed/cancelled, F failed); words say it in full.  The texts come
 * from the store (a cluster's words): sanitize before a terminal.
 */
typedef enum {
	PL_END_FAILED, PL_END_KILLED, PL_END_TIMEOUT, PL_END_OOM,
	PL_END_NODE_FAIL, PL_END_PREEMPTED, PL_END_CANCELLED,
	PL_END_DEPENDENCY
} pl_end_kind;

typedef struct pl_stage_end {
	size_t stage;			/* index in the pipeline */
	pl_end_kind kind;
	const char *mark;		/* static */
	char words[128];
	char run_id[PL_ID_LEN + 1];
	char job_id[32];		/* "" when not a batch job */
	char queue_wait[32];		/* "3s", "" when unknown */
} pl_stage_end;

/* The stages whose newest run (in the pipeline's experiment) failed or
 * was killed, in no particular order.  *out: free() it. */
int pl_pipeline_last_ends(pl_stage_end **out, size_t *n, pl_store *st,
    const pl_pipeline *p);

#endif
