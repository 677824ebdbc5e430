/* deploy.c - running a deploy target's command and health check for one model version. */
#include "config.h"
#include "registry/deploy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"
#include "track/launch.h"

/* Runs one shell command with the model environment. */
static int
run_step(pl_deploy_outcome *out, const char *what, const char *cmd,
    double timeout_s, const char *cwd, char *const *env,
    const pl_deploy_io *io)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL };
	pl_launch_opts lo;
	pl_launch_result lr;
	char err[256] = "";
	int rc;

	memset(&lo, 0, sizeof lo);
	memset(&lr, 0, sizeof lr);
	lo.argv = argv;
	lo.cwd = cwd;
	lo.env_add = env;
	lo.stdout_log = io ? io->log_path : NULL;
	lo.stderr_log = io ? io->log_path : NULL;
	lo.on_output = io ? io->on_output : NULL;
	lo.payload = io ? io->payload : NULL;
	lo.pending = io ? io->pending : NULL;
	lo.timeout_s = timeout_s;
	lo.no_terminal = 1;
	lo.stdin_path = "/dev/null";
	rc = pl_launch_run(&lr, &lo, err, sizeof err);
	if (rc != PL_OK) {
		out->exit_status = lr.exit_status;
		snprintf(out->message, sizeof out->message,
		    "%s could not start: %s", what, err);
		return 0;
	}
	out->exit_status = lr.exit_status;
	if (lr.timed_out) {
		out->timed_out = 1;
		snprintf(out->message, sizeof out->message,
		    "%s timed out after %gs", what, timeout_s);
		return 0;
	}
	if (lr.interrupted) {
		snprintf(out->message, sizeof out->message,
		    "%s was interrupted", what);
		return 0;
	}
	if (lr.exit_status != 0) {
		if (lr.signaled)
			snprintf(out->message, sizeof out->message,
			    "%s was killed by signal %d", what, lr.term_signal);
		else
			snprintf(out->message, sizeof out->message,
			    "%s exited with status %d", what, lr.exit_status);
		return 0;
	}
	return 1;
}

int
pl_deploy_run(pl_deploy_outcome *out, const pl_deploy_target *t,
    const char *cwd, const char *model, int version, const char *model_path,
    const char *stage, const pl_deploy_io *io)
{
	char *env[6] = { NULL };
	int rc = PL_OK;

	memset(out, 0, sizeof *out);
	if (asprintf(&env[0], "PLUMB_MODEL_NAME=%s", model) < 0 ||
	    asprintf(&env[1], "PLUMB_MODEL_VERSION=%d", version) < 0 ||
	    asprintf(&env[2], "PLUMB_MODEL_PATH=%s", model_path) < 0 ||
	    asprintf(&env[3], "PLUMB_MODEL_STAGE=%s", stage) < 0 ||
	    asprintf(&env[4], "PLUMB_DEPLOY_TARGET=%s", t->name) < 0) {
		rc = PL_ENOMEM;
		goto out;
	}
	if (!run_step(out, "deploy", t->cmd, t->timeout_s, cwd, env, io)) {
		out->failed_step = 0;
		goto out;
	}
	if (t->health && !run_step(out, "health check", t->health,
	    t->timeout_s, cwd, env, io)) {
		out->failed_step = 1;
		goto out;
	}
	out->ok = 1;
	snprintf(out->message, sizeof out->message, "%s",
	    t->health ? "deployed, health check passed" : "deployed");
out:
	for (int i = 0; i < 5; i++)
		free(env[i]);
	return rc;
}
