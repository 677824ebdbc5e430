/* deploy.h - CD: deploy targets, and promotion/rollback of model versions through gates, deploy and health checks. */
#ifndef PL_ENGINE_DEPLOY_H
#define PL_ENGINE_DEPLOY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "registry/checks.h"
#include "config/plumb-yaml.h"
#include "registry/registry.h"
#include "store/store.h"

/*
 * A deploy target (plumb.yaml `deploy:`) is a command run by /bin/sh in
 * the directory of plumb.yaml, with the model passed in the environment
 * (never pasted into the command text):
 *
 *   PLUMB_MODEL_NAME     the model's name
 *   PLUMB_MODEL_VERSION  the version number
 *   PLUMB_MODEL_PATH     the artifact in the store's cache (read-only)
 *   PLUMB_MODEL_STAGE    the stage it is being deployed to
 *   PLUMB_DEPLOY_TARGET  the target's name
 *
 * then its health command, if any, with the same environment.  Each of
 * the two has the target's timeout: past it the command's process group
 * gets SIGTERM, then SIGKILL 5 s later, and the step fails.  Both
 * commands' stdin is /dev/null; their output is appended to the log file
 * and handed to on_output.
 */

typedef struct pl_deploy_outcome {
	int ok;			/* deploy and health check both passed */
	int failed_step;	/* 0 cmd, 1 health (when !ok) */
	int exit_status;	/* of the failed step */
	int timed_out;
	char message[512];	/* "deploy exited with status 3", ... */
} pl_deploy_outcome;

typedef struct pl_deploy_io {
	/* Output of the commands (stream 1 or 2); may be NULL. */
	void (*on_output)(int stream, const char *data, size_t n,
	    void *payload);
	/* One line of progress ("deploying churn v2 to local"); may be NULL. */
	void (*on_event)(const char *msg, void *payload);
	void *payload;
	const char *log_path;	/* append both streams here (may be NULL) */
	volatile sig_atomic_t *pending;	/* signal to forward (may be NULL) */
} pl_deploy_io;

/*
 * Runs target t for model@version (artifact at model_path) into stage.
 * cwd is where the commands run (plumb.yaml's directory; NULL: here).
 * Returns PL_OK once it ran (out->ok says whether it worked), or
 * PL_ENOMEM.
 */
int pl_deploy_run(pl_deploy_outcome *out, const pl_deploy_target *t,
    const char *cwd, const char *model, int version, const char *model_path,
    const char *stage, const pl_deploy_io *io);

typedef enum {
	PL_PROMOTE_DONE,	/* recorded: the version holds the stage */
	PL_PROMOTE_REJECTED,	/* a gate failed: nothing changed */
	PL_PROMOTE_FAILED	/* deploy or health check failed: the previous
				 * version was redeployed, the attempt recorded
				 * as failed, stages unchanged */
} pl_promote_outcome;

typedef struct pl_promote_opts {
	const char *name;
	int version;		/* promote: the version; rollback: ignored */
	pl_model_stage to;		/* promote: target stage; rollback: the stage
				 * to roll back (staging or production) */
	const char *reason;	/* may be NULL, except with force */
	int force;		/* proceed although gates failed (needs reason) */
	const pl_config *cfg;	/* gates and deploy targets; NULL: none */
	pl_deploy_io io;
} pl_promote_opts;

typedef struct pl_promote_result {
	pl_promote_outcome outcome;
	char *model;
	int version;		/* the version moved into the stage */
	pl_model_stage from, to;
	int replaced_version;	/* previous holder (archived on success) */
	int forced;		/* gates failed and were overridden */
	pl_check_report *gates;	/* never NULL (may hold no item) */
	char *detail;		/* what deploy did, what failed, what was
				 * restored; never NULL */
	int ntargets;		/* deploy targets run */
	int64_t transition_id;	/* the history entry, 0 when none */
} pl_promote_result;
void pl_promote_result_free(pl_promote_result *r);

/*
 * Promotes name@version to stage `to`: evaluates the gates that guard
 * the stage (checks.h), then runs the deploy targets of (model, stage)
 * in file order, each with its health check, then records the
 * transition: the previous holder of staging/production is archived.
 * Promoting to none or archived runs no gates and no deploy.
 *
 * If a gate fails, nothing changes (outcome REJECTED), unless force is
 * set with a reason: then it proceeds, and the history and the audit log
 * say the gates were forced.  If a deploy or health check fails (or
 * times out), every target already touched gets the previous holder
 * redeployed, and the attempt is recorded as failed (outcome FAILED).
 *
 * Two promotions of one model at once serialize: the first to claim the
 * model (an IMMEDIATE transaction that also re-checks that the stage
 * holder is still the one the gates were evaluated against) proceeds;
 * the other fails with PL_EBUSY and changes nothing.  A claim left by a
 * process that died is taken over.
 *
 * Returns PL_OK when the attempt ran to one of the outcomes (*out says
 * which), or an error: PL_ENOTFOUND (model/version), PL_EINVAL (already
 * in that stage; force without reason), PL_EBUSY (lost the race).
 */
int pl_model_promote(pl_promote_result **out, pl_store *st,
    const pl_promote_opts *o);

/*
 * Rolls back o->to (default production when it is none): redeploys the
 * version that the current holder replaced when it was promoted, and
 * records it like a promotion (kind "rollback"; the current holder is
 * archived).  No gates run: the version was in the stage before.  If
 * its deploy fails, the current holder is redeployed and the rollback
 * recorded as failed.  PL_ENOTFOUND when there is nothing to roll back
 * to.
 */
int pl_model_rollback(pl_promote_result **out, pl_store *st,
    const pl_promote_opts *o);

#endif
