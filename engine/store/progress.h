/* progress.h - work in progress recorded in the store (repro stages, promotion steps), for any process to watch. */
#ifndef PL_ENGINE_PROGRESS_H
#define PL_ENGINE_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Long jobs (a `repro` of a pipeline, a `promote` or `rollback` of a
 * model) write what they do into the store as they go: one job row,
 * one step row per stage / gate / deploy target with its state, and a
 * list of event lines.  Another process (the TUI, another terminal)
 * reads them, and learns about changes from pl_store_data_version().
 * Nothing reads human-oriented output.
 *
 * The subject names what the job works on: a repro's pipeline file as
 * an absolute path, a promotion's model name.  Recording is best
 * effort for the job itself: a job must not fail because its progress
 * could not be written (the writers below return the error, callers in
 * the engine ignore it).
 *
 * A job whose process died without ending it (kill -9, power loss)
 * reads back as state "lost" when its process is gone (same host, pid
 * with another start time).
 */

typedef struct pl_job {
	int64_t id;
	char *kind;		/* "repro", "promote", "rollback" */
	char *subject;
	char *host;
	long pid;
	char *state;		/* "running", "done", "failed", "killed",
				 * "lost" */
	int64_t start_ms, end_ms;	/* end 0 while running */
	char *message;		/* summary at the end (may be NULL) */
} pl_job;

typedef struct pl_job_step {
	char *name;		/* stage, gate or target */
	char *state;		/* "waiting", "queued" (in a batch
				 * system's queue), "running", "done", "failed",
				 * "killed", "blocked", "skipped",
				 * "restored", "frozen", "passed" */
	char *run_id;		/* the tracked run, or NULL */
	char *reason;		/* or NULL */
	int64_t start_ms, end_ms;	/* 0 when not yet */
} pl_job_step;

/* Starts a job of this process: *out is its id. */
int pl_job_begin(int64_t *out, pl_store *st, const char *kind,
    const char *subject);
/*
 * Sets step name's state (created on first use, in order of first
 * use); run_id and reason may be NULL (kept when NULL).  A "running"
 * step gets its start time, a final state its end time.
 */
int pl_job_set_step(pl_store *st, int64_t job, const char *name,
    const char *state, const char *run_id, const char *reason);
/* One step of pl_job_set_steps(): the arguments of pl_job_set_step(),
 * borrowed for the call. */
typedef struct pl_job_step_set {
	const char *name, *state, *run_id, *reason;
} pl_job_step_set;
/*
 * Sets n steps as n pl_job_set_step() calls in this order would, in one
 * transaction (or the caller's): for a repro's 1,000 "waiting" and "up
 * to date" steps, one commit instead of 1,000.
 */
int pl_job_set_steps(pl_store *st, int64_t job, const pl_job_step_set *v,
    size_t n);
/* Appends one event line ("deploying churn v2 to local"). */
int pl_job_event(pl_store *st, int64_t job, const char *text);
/* Ends the job with state ("done", "failed", "killed") and a summary
 * (may be NULL).  Steps still "running" or "queued" become "killed",
 * "waiting" ones "not started"; alike: a reader never sees a finished job with a
 * running step. */
int pl_job_end(pl_store *st, int64_t job, const char *state,
    const char *message);

/*
 * The newest job of kind on subject (subject NULL: any subject).
 * PL_ENOTFOUND (and *out NULL) when there is none.  Free with
 * pl_job_free().
 */
int pl_job_latest(pl_job **out, pl_store *st, const char *kind,
    const char *subject);
void pl_job_free(pl_job *j);
/* The steps of a job in order of first use.  Free with
 * pl_job_steps_free(). */
int pl_job_steps(pl_job_step **out, size_t *out_n, pl_store *st,
    int64_t job);
void pl_job_steps_free(pl_job_step *s, size_t n);
/* Event lines of a job with seq > after (0: all), at most max (0: no
 * limit), oldest first; *out_last is the seq of the last one returned
 * (after when none).  NULL-terminated; free with pl_job_events_free(). */
int pl_job_events(char ***out, size_t *out_n, int64_t *out_last,
    pl_store *st, int64_t job, int64_t after, size_t max);
void pl_job_events_free(char **v);

#endif
