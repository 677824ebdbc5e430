/* cmd-log.c - `plumb log`: record a metric, param, tag or artifact from a shell. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
parse_i64(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *s == '\0' || *end != '\0' ? -1 : 0;
}

/*
 * Options may stand anywhere, but negative numbers are values, so this
 * scans by hand instead of using getopt's permutation (which would take
 * "-0.5" for an option).  Returns 0, or a CLI status on a usage error.
 */
static int
take_opt(const char *name, const char *val, const char **run_arg,
    long long *step, long long *ts, const char **aname)
{
	if (strcmp(name, "run") == 0 || strcmp(name, "r") == 0) {
		*run_arg = val;
	} else if (strcmp(name, "step") == 0) {
		if (parse_i64(val, step) < 0 || *step < 0)
			return cli_usage("log", "--step takes an integer >= 0, "
			    "got '%s'", val);
	} else if (strcmp(name, "ts") == 0) {
		if (parse_i64(val, ts) < 0 || *ts <= 0)
			return cli_usage("log", "--ts takes Unix milliseconds, "
			    "got '%s'", val);
	} else if (strcmp(name, "name") == 0) {
		*aname = val;
	} else {
		return cli_usage("log", "unknown option '%s'", name);
	}
	return 0;
}

/* Records one value; args[0] is what (metric, param, tag, artifact). */
static int
log_one(const char *run_arg, long long step, long long ts, const char *name,
    int nargs, char **args)
{
	const char *what;
	char id[PL_ID_LEN + 1];
	pl_store *st = NULL;
	int rc;

	if (nargs == 0)
		return cli_usage("log", "missing what to log (metric, param, "
		    "tag or artifact)");
	what = args[0];
	if (strcmp(what, "metric") == 0 || strcmp(what, "param") == 0 ||
	    strcmp(what, "tag") == 0) {
		if (nargs != 3)
			return cli_usage("log", "usage: plumb log %s KEY VALUE",
			    what);
	} else if (strcmp(what, "artifact") == 0) {
		if (nargs != 2)
			return cli_usage("log", "usage: plumb log artifact PATH "
			    "[--name NAME]");
	} else {
		return cli_usage("log", "cannot log '%s' (expected metric, "
		    "param, tag or artifact)", what);
	}
	if (run_arg == NULL || *run_arg == '\0')
		return cli_usage("log", "no run: use --run RUN, or call it "
		    "inside `plumb run` (PLUMB_RUN_ID)");
	if (strcmp(what, "metric") == 0) {
		char *end;
		double v = strtod(args[2], &end);

		if (*args[2] == '\0' || *end != '\0')
			return cli_usage("log", "metric value '%s' is not a "
			    "number", args[2]);
		if (cli_open_store(&st, 0) != CLI_OK)
			return CLI_ERROR;
		rc = pl_run_resolve(id, st, run_arg);
		if (rc == PL_OK)
			rc = pl_metric_log(st, id, args[1], v, step, ts);
	} else {
		if (cli_open_store(&st, 0) != CLI_OK)
			return CLI_ERROR;
		rc = pl_run_resolve(id, st, run_arg);
		if (rc == PL_OK && strcmp(what, "param") == 0)
			rc = pl_run_set_param(st, id, args[1], args[2]);
		else if (rc == PL_OK && strcmp(what, "tag") == 0)
			rc = pl_run_set_tag(st, id, args[1], args[2]);
		else if (rc == PL_OK)
			rc = pl_run_log_artifact(st, id, args[1], name);
	}
	if (rc != PL_OK)
		cli_error("%s", pl_store_errmsg(st));
	pl_store_close(st);
	return rc == PL_OK ? CLI_OK : CLI_ERROR;
}

static int
run(int argc, char **argv)
{
	const char *run_arg = getenv("PLUMB_RUN_ID"), *name = NULL;
	long long step = PL_STEP_AUTO, ts = 0;
	char **pos = calloc((size_t)argc + 1, sizeof *pos);
	int rc, nargs = 0;

	if (pos == NULL)
		return cli_error("out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char nm[32];
		const char *val;

		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				pos[nargs++] = argv[i];
			break;
		}
		if (strncmp(a, "--", 2) == 0 || strcmp(a, "-r") == 0) {
			const char *eq = strchr(a, '=');

			snprintf(nm, sizeof nm, "%.*s", (int)(eq ?
			    (size_t)(eq - a) - (a[1] == '-' ? 2 : 1) :
			    strlen(a) - (a[1] == '-' ? 2 : 1)),
			    a + (a[1] == '-' ? 2 : 1));
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				free(pos);
				return cli_usage("log", "option '%s' needs a "
				    "value", a);
			}
			if ((rc = take_opt(nm, val, &run_arg, &step, &ts,
			    &name)) != 0) {
				free(pos);
				return rc;
			}
			continue;
		}
		pos[nargs++] = argv[i];
	}
	rc = log_one(run_arg, step, ts, name, nargs, pos);
	free(pos);
	return rc;
}

const struct cli_cmd cli_cmd_log = {
	"log", run, "log a metric, param, tag or artifact to a run",
	"usage: plumb log metric KEY VALUE [--step N] [--ts UNIX_MS] [--run RUN]\n"
	"       plumb log param KEY VALUE [--run RUN]\n"
	"       plumb log tag KEY VALUE [--run RUN]\n"
	"       plumb log artifact PATH [--name NAME] [--run RUN]\n"
	"\n"
	"Records one value in a run: the run of $PLUMB_RUN_ID (set inside\n"
	"`plumb run`), or the one named by --run (an id or a unique prefix).\n"
	"An artifact is copied into the store's content-addressed cache.\n"
	"\n"
	"  -r, --run RUN     the run (default: $PLUMB_RUN_ID)\n"
	"      --step N      the metric's step (default: one past its last)\n"
	"      --ts UNIX_MS  the metric's time (default: now)\n"
	"      --name NAME   the artifact's name (default: PATH as given)\n",
};
