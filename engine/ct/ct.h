/* ct.h - the public API of engine/ct/: continuous training, plumb.yaml's triggers: (cron, config, history, CT runs, the watcher's check). */
#ifndef PL_ENGINE_CT_CT_H
#define PL_ENGINE_CT_CT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/repro.h"
#include "store/store.h"

/*
 * plumb.yaml's triggers: start a pipeline without a person
 * (plumb-triggers(1), plumb.yaml(5)):
 *
 *   triggers:
 *     retrain-on-drift:
 *       on: {alert: ChurnInputDrift}   # or {data: data/raw/},
 *                                      # {schedule: "0 3 * * 1"},
 *                                      # {model: churn, event: promoted}
 *       repro: [train, evaluate]       # stages (or run: "a command")
 *       promote: {model: churn, to: production}   # optional
 *       cooldown: 6h                   # optional (default 0)
 *
 * Everything is checked at load, with FILE:LINE:COL: a stage the
 * pipeline lacks, a model neither in models: nor in the registry, an
 * alert name no rule defines (alerts: section, its rule files, the
 * built-in rules), a bad cron expression, a bad duration.
 */

/* ---- cron ------------------------------------------------------------- */

/* A parsed five-field cron expression (minute hour day-of-month month
 * day-of-week), Vixie cron's syntax: *, lists, ranges, steps, month and
 * day names, 7 = Sunday; day-of-month and day-of-week both restricted
 * means either matches. */
typedef struct pl_cron {
	uint64_t min;		/* bit per minute 0-59 */
	uint32_t hour;		/* 0-23 */
	uint32_t dom;		/* 1-31 */
	uint16_t mon;		/* 1-12 */
	uint8_t dow;		/* 0-6, Sunday 0 */
	int dom_star, dow_star;	/* the field was "*" (or "*\/N") */
} pl_cron;

/*
 * Parses text.  On failure returns PL_EINVAL with the reason in err and
 * *err_off (may be NULL) set to the 0-based offset in text of the bad
 * field.
 */
int pl_cron_parse(pl_cron *out, const char *text, size_t *err_off,
    char *err, size_t errlen);
/*
 * The first minute strictly after after_ms (ms since the epoch) that c
 * matches, in local time (TZ), as ms; -1 when none within 5 years (e.g.
 * "0 0 30 2 *").  Used once per firing: a watcher that was down never
 * catches up on the ticks it missed, only the next one after now counts.
 */
int64_t pl_cron_next(const pl_cron *c, int64_t after_ms);

/* ---- the triggers: section -------------------------------------------- */

typedef enum {
	PL_TRIG_ALERT, PL_TRIG_DATA, PL_TRIG_SCHEDULE, PL_TRIG_MODEL
} pl_trig_on;

typedef struct pl_trigger {
	char *name;
	pl_trig_on on;
	char *alert;		/* ALERT: the alert name */
	char *data;		/* DATA: the path as written */
	char *data_abs;		/* DATA: absolute (plumb.yaml's directory) */
	char *schedule;		/* SCHEDULE: the cron text */
	pl_cron cron;
	char *model;		/* MODEL: the model name ... */
	char *event;		/* ... and "promoted", "registered" or
				 * "rolled_back" */
	char **repro;		/* stage or group names (NULL-ended) ... */
	size_t nrepro;
	char *run;		/* ... or a shell command (one of the two) */
	char *promote_model;	/* NULL: no promotion */
	char *promote_to;	/* a stage name */
	int64_t cooldown_ms;	/* 0: none */
	int line, col;		/* of its name in plumb.yaml */
} pl_trigger;

typedef struct pl_triggers {
	char *path;		/* plumb.yaml */
	char *dir;		/* its directory */
	char *pipeline;		/* the pipeline file (plumb.yaml or dvc.yaml),
				 * NULL when no trigger uses repro: */
	pl_trigger *t;
	size_t n;
} pl_triggers;

/*
 * Reads and checks the triggers: section of the plumb.yaml at path.  st
 * (may be NULL: models are then looked up in models: only, and alert
 * names are not checked) is where the registry and the alert rules'
 * store live.  A file without the section gives an empty set.  On
 * failure *out is NULL and err has "FILE:LINE:COL: reason"; returns
 * PL_EINVAL, PL_EIO or PL_ENOMEM.
 */
int pl_triggers_load(pl_triggers **out, pl_store *st, const char *path,
    char *err, size_t errlen);
void pl_triggers_free(pl_triggers *t);
const pl_trigger *pl_triggers_find(const pl_triggers *t, const char *name);
/* "alert", "data", "schedule", "model" (static). */
const char *pl_trig_on_name(pl_trig_on on);
/* What the trigger listens to, e.g. "alert ChurnInputDrift" (malloc'ed). */
char *pl_trigger_on_text(const pl_trigger *t);

/* ---- history ---------------------------------------------------------- */

/*
 * One row of the trigger history (schema migration 9): a firing and what
 * it did.  status is "running", "succeeded", "failed",
 * "skipped-running" (a run of the trigger was in progress: the firing is
 * recorded, not queued) or "skipped-cooldown".  reason_kind is "alert",
 * "data", "schedule", "model" or "manual".  Strings may be NULL except
 * trigger, reason_kind, reason and status.
 */
typedef struct pl_trigger_row {
	int64_t id;
	char *trigger;
	char *reason_kind;
	char *reason;		/* human text: "alert X{...} = 3 (#12)", ... */
	int64_t alert_id;	/* alert_history.id, 0 when none */
	char *alert_name, *alert_labels;
	double alert_value;	/* NaN when none */
	char *data_hash;	/* data: the new content hash */
	int64_t started_ms, ended_ms;	/* ended 0 while running */
	char *status;
	char *run_ids;		/* tracked runs, space-separated ("" none) */
	char *model_version;	/* "churn v3" when the run registered one */
	char *promotion;	/* "promoted churn v3 to production", "rejected:
				 * ...", "failed: ...", NULL when none */
	char *message;		/* why it failed or was skipped */
	long pid;		/* of the CT run (0 none) */
	char *log_path;		/* its output (watcher-started runs) */
} pl_trigger_row;

/* A reason, as the firing side knows it. */
typedef struct pl_trigger_reason {
	const char *kind;	/* alert, data, schedule, model, manual */
	const char *text;
	int64_t alert_id;
	const char *alert_name, *alert_labels;
	double alert_value;	/* NaN: none */
	const char *data_hash;
} pl_trigger_reason;

/* Appends a row (status as given, started now_ms); *out_id its id. */
int pl_trigger_history_add(int64_t *out_id, pl_store *st, const char *trigger,
    const pl_trigger_reason *r, const char *status, const char *message,
    int64_t now_ms);
/* Rows started at or after since_ms (or still running), oldest first;
 * trigger NULL: every trigger. */
int pl_trigger_history(pl_trigger_row **out, size_t *out_n, pl_store *st,
    const char *trigger, int64_t since_ms);
/* The row with that id (PL_ENOTFOUND). */
int pl_trigger_history_get(pl_trigger_row **out, pl_store *st, int64_t id);
/* The trigger's last row that is a run (running, succeeded, failed);
 * *out NULL when none. */
int pl_trigger_last_run(pl_trigger_row **out, pl_store *st,
    const char *trigger);
/* The trigger's last row of any status; *out NULL when none. */
int pl_trigger_last_row(pl_trigger_row **out, pl_store *st,
    const char *trigger);
void pl_trigger_rows_free(pl_trigger_row *r, size_t n);

/* ---- a CT run --------------------------------------------------------- */

typedef struct pl_trigger_exec_opts {
	/* The row the watcher made (status running) for this run; 0: a
	 * manual run (a row with reason manual is made). */
	int64_t history_id;
	volatile sig_atomic_t *interrupt;	/* nonzero: stop */
	/* repro: progress, as pl_repro() gives it (may be NULL) */
	void (*on_event)(const pl_repro_event *ev, void *payload);
	/* one line of what the CT run does ("registered churn v3",
	 * "promoted ..."; may be NULL) */
	void (*on_line)(const char *line, void *payload);
	/* run: the command's output (may be NULL) */
	void (*on_output)(int stream, const char *data, size_t n,
	    void *payload);
	void *payload;
} pl_trigger_exec_opts;

/*
 * Runs trigger name of ts once, now, as a CT run: takes the trigger's
 * lock (STORE/triggers/NAME.lock, flock: one run of a trigger at a
 * time, whoever starts it), runs its repro: stages (the listed stages
 * always run, forced when up to date; stages upstream run when changed)
 * or its run: command as a tracked run, registers the models of the
 * stages that ran (models: section), promotes promote:'s model's new
 * version through the existing gates, deploy and health checks (a
 * failed health check rolls back there), and tags every tracked run
 * with its reason (tags trigger, trigger_reason, trigger_history, and
 * for an alert alert, alert_labels, alert_value, alert_history).  The
 * history row gets the status, run ids, model version and promotion.
 *
 * Returns PL_OK when the run happened (*out_status 0 succeeded, 1
 * failed), PL_EBUSY when another run holds the lock (the row says
 * skipped-running), PL_ENOTFOUND for an unknown trigger, or another
 * code; the message is on st.  out_id (may be NULL) gets the row id.
 */
int pl_trigger_exec(int *out_status, int64_t *out_id, pl_store *st,
    const pl_triggers *ts, const char *name, const pl_trigger_exec_opts *o);

/* ---- the watcher's check ---------------------------------------------- */

typedef struct pl_ct pl_ct;

/*
 * The triggers as plumb watch drives them: opened with a checked set
 * (pl_triggers_load; the handle takes it over), then pl_ct_tick() on
 * every watcher tick on st's thread, after the alert rules ran.  A tick
 * never blocks: a firing starts `EXE --store DIR trigger run NAME
 * --history-id ID -f PLUMB.YAML` as a child in its own process group
 * (output to STORE/triggers/logs/ID.log) and later ticks reap it.
 *
 * Firings: an alert named by a trigger going to firing (alert history
 * rows fired since the last tick: its labels, value and row id are the
 * reason); a data path whose content hash changed (the hash memo makes
 * an unchanged tree cost stats only; the last hash is kept in the
 * history, so a change while the watcher was down fires at start); the
 * schedule's next minute (never a catch-up); a model registry event.
 * A firing while the trigger runs is recorded skipped-running; within
 * its cooldown (since its last run started) skipped-cooldown.
 *
 * Each tick also writes plumb_trigger_failed{trigger="NAME"} (1 when
 * the trigger's last run failed, else 0) to the series store, which the
 * built-in rule PlumbTriggerFailed alerts on.
 */
int pl_ct_open(pl_ct **out, pl_store *st, pl_triggers *ts, const char *exe,
    int64_t now_ms, char *err, size_t errlen);
/* Replaces the triggers (a reload), keeping running children. */
void pl_ct_replace(pl_ct *c, pl_triggers *ts, int64_t now_ms);
/* Checks every trigger, starts and reaps CT runs; log (may be NULL)
 * gets one line per firing, skip or end.  Returns when the next tick is
 * wanted (ms). */
int64_t pl_ct_tick(pl_ct *c, int64_t now_ms,
    void (*log)(void *ctx, const char *line), void *ctx);
size_t pl_ct_ntriggers(const pl_ct *c);
/* CT runs in progress (children). */
size_t pl_ct_running(const pl_ct *c);
/* Stops the running children (SIGTERM to their groups, SIGKILL after
 * grace_ms), reaps them, frees everything.  NULL is fine. */
void pl_ct_close(pl_ct *c, int64_t grace_ms);

#endif
