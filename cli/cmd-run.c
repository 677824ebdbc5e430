/* cmd-run.c - `plumb run`: run a command as a tracked run. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "fmt.h"
#include "xalloc.h"

static volatile sig_atomic_t pending_signal;

static void
on_signal(int sig)
{
	pending_signal = sig;
}

struct ctx {
	pl_ingest *in;
	int quiet;
	int ingest_rc;
};

static void
on_output(int stream, const char *data, size_t n, void *payload)
{
	(void)payload;
	/* The command's own output goes to our terminal as if it ran
	 * directly (plumb run is transparent, past the output gate: a
	 * progress bar's \r and colours work); it is also in the logs. */
	cli_write_raw(stream == 1 ? 1 : 2, data, n);
}

static int
on_proto(const char *data, size_t n, void *payload)
{
	struct ctx *c = payload;

	if (c->ingest_rc != PL_OK)
		return 1;
	c->ingest_rc = pl_ingest_feed(c->in, data, n);
	return c->ingest_rc != PL_OK;
}

static void
on_tick(void *payload)
{
	struct ctx *c = payload;

	if (c->ingest_rc == PL_OK)
		c->ingest_rc = pl_ingest_tick(c->in);
}

/* "KEY=VALUE" -> key, value (pointers into a copy the caller frees). */
static int
split_kv(const char *arg, char **copy, char **key, char **value)
{
	char *eq;

	*copy = xstrdup(arg);
	eq = strchr(*copy, '=');
	if (eq == NULL || eq == *copy)
		return -1;
	*eq = '\0';
	*key = *copy;
	*value = eq + 1;
	return 0;
}

/* The command line as one display string, words quoted when needed. */
static char *
join_argv(char **argv)
{
	struct buf b = BUF_INIT;

	for (int i = 0; argv[i]; i++) {
		const char *a = argv[i];

		if (i)
			buf_putc(&b, ' ');
		if (*a && strpbrk(a, " \t\n'\"\\$`;&|<>*?()[]{}!#~") == NULL) {
			buf_puts(&b, a);
			continue;
		}
		buf_putc(&b, '\'');
		for (; *a; a++) {
			if (*a == '\'')
				buf_puts(&b, "'\\''");
			else
				buf_putc(&b, *a);
		}
		buf_putc(&b, '\'');
	}
	return buf_detach(&b);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "experiment", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "param", required_argument, NULL, 'p' },
		{ "tag", required_argument, NULL, 't' },
		{ "parent", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	const char *experiment = getenv("PLUMB_EXPERIMENT"), *name = NULL;
	const char *parent = NULL;
	char **params = xcalloc((size_t)argc + 1, sizeof *params);
	char **tags = xcalloc((size_t)argc + 1, sizeof *tags);
	int np = 0, nt = 0, c, rc, quiet = 0, status = CLI_ERROR;
	char id[PL_ID_LEN + 1], cwd[PATH_MAX], err[512];
	char *cmdline = NULL, *outlog = NULL, *errlog = NULL;
	char *env[6] = { NULL };
	pl_store *st = NULL;
	pl_gitinfo git;
	pl_run_spec spec;
	pl_launch_opts lo;
	pl_launch_result res;
	pl_ingest_stats stats;
	pl_run_status final;
	struct ctx cx;
	struct sigaction sa, old_int, old_term, old_hup;
	const char *msg = NULL;
	char msgbuf[600];

	memset(&cx, 0, sizeof cx);
	memset(&git, 0, sizeof git);
	git.dirty = -1;
	while ((c = getopt_long(argc, argv, "+e:n:p:t:q", opts, NULL)) != -1) {
		switch (c) {
		case 'e': experiment = optarg; break;
		case 'n': name = optarg; break;
		case 'p': params[np++] = optarg; break;
		case 't': tags[nt++] = optarg; break;
		case 'P': parent = optarg; break;
		case 'q': quiet = 1; break;
		default:
			status = cli_usage("run", "bad option");
			goto out;
		}
	}
	if (optind >= argc) {
		status = cli_usage("run", "missing the command to run "
		    "(plumb run [OPTIONS] -- CMD [ARGS...])");
		goto out;
	}
	for (int i = 0; i < np; i++) {
		char *cp, *k, *v;
		int bad = split_kv(params[i], &cp, &k, &v);

		free(cp);
		if (bad) {
			status = cli_usage("run", "-p takes KEY=VALUE, got '%s'",
			    params[i]);
			goto out;
		}
	}
	for (int i = 0; i < nt; i++) {
		char *cp, *k, *v;
		int bad = split_kv(tags[i], &cp, &k, &v);

		free(cp);
		if (bad) {
			status = cli_usage("run", "-t takes KEY=VALUE, got '%s'",
			    tags[i]);
			goto out;
		}
	}
	if (cli_open_store(&st, 0) != CLI_OK)
		goto out;
	if (getcwd(cwd, sizeof cwd) == NULL) {
		cli_error("cannot read the working directory: %s",
		    strerror(errno));
		goto out;
	}
	pl_gitinfo_read(&git, cwd);
	cmdline = join_argv(argv + optind);
	memset(&spec, 0, sizeof spec);
	spec.experiment = experiment;
	spec.name = name;
	spec.command = cmdline;
	spec.cwd = cwd;
	spec.parent = parent;
	spec.git = &git;
	spec.pid = (long)getpid();
	if ((rc = pl_run_create(id, st, &spec)) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	for (int i = 0; i < np + nt; i++) {
		char *cp, *k = NULL, *v = NULL;

		split_kv(i < np ? params[i] : tags[i - np], &cp, &k, &v);
		rc = i < np ? pl_run_set_param(st, id, k, v) :
		    pl_run_set_tag(st, id, k, v);
		free(cp);
		if (rc != PL_OK) {
			cli_error("%s", pl_store_errmsg(st));
			pl_run_finish(st, id, PL_RUN_FAILED, -1,
			    pl_store_errmsg(st));
			goto out;
		}
	}
	if (pl_ingest_start(&cx.in, pl_store_dir(st), id, cwd, err,
	    sizeof err) != PL_OK) {
		cli_error("%s", err);
		pl_run_finish(st, id, PL_RUN_FAILED, -1, err);
		goto out;
	}
	outlog = pl_run_log_path(st, id, "stdout");
	errlog = pl_run_log_path(st, id, "stderr");
	env[0] = xasprintf("PLUMB_RUN_ID=%s", id);
	env[1] = xasprintf("PLUMB_STORE=%s", pl_store_dir(st));
	env[2] = getenv("PYTHONUNBUFFERED") ? NULL :
	    xstrdup("PYTHONUNBUFFERED=1");

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	memset(&lo, 0, sizeof lo);
	lo.argv = argv + optind;
	lo.env_add = env;	/* NULL-ended (env[2] may already be NULL) */
	lo.stdout_log = outlog;
	lo.stderr_log = errlog;
	lo.proto = 1;
	lo.on_output = on_output;
	lo.on_proto = on_proto;
	lo.on_tick = on_tick;
	lo.payload = &cx;
	lo.pending = &pending_signal;
	if (!quiet) {
		fprintf(stderr, "%splumb: run %.8s started%s\n", CLI_DIM, id,
		    CLI_RESET);
	}
	rc = pl_launch_run(&res, &lo, err, sizeof err);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);

	{
		int frc = pl_ingest_finish(cx.in);

		if (cx.ingest_rc == PL_OK)
			cx.ingest_rc = frc;
	}
	pl_ingest_get_stats(cx.in, &stats);
	if (rc != PL_OK) {
		cli_error("%s", err);
		final = PL_RUN_FAILED;
		msg = err;
		status = res.exit_status ? res.exit_status : CLI_ERROR;
	} else if (cx.ingest_rc != PL_OK) {
		snprintf(msgbuf, sizeof msgbuf, "recording the run failed: %s",
		    pl_ingest_errmsg(cx.in));
		cli_error("%s", msgbuf);
		final = PL_RUN_FAILED;
		msg = msgbuf;
		status = res.exit_status ? res.exit_status : CLI_ERROR;
	} else {
		status = res.exit_status;
		if (res.interrupted || (res.signaled &&
		    (res.term_signal == SIGINT || res.term_signal == SIGTERM ||
		    res.term_signal == SIGKILL || res.term_signal == SIGHUP)))
			final = PL_RUN_KILLED;
		else if (res.exit_status == 0)
			final = PL_RUN_FINISHED;
		else
			final = PL_RUN_FAILED;
		if (res.signaled) {
			snprintf(msgbuf, sizeof msgbuf, "ended by signal %d (%s)",
			    res.term_signal, strsignal(res.term_signal));
			msg = msgbuf;
		}
	}
	if (stats.bad_lines > 0) {
		fprintf(stderr, "plumb: run %.8s: %lld malformed protocol "
		    "line%s ignored:\n", id, (long long)stats.bad_lines,
		    stats.bad_lines == 1 ? "" : "s");
		for (int i = 0; i < PL_INGEST_MAX_ERRORS &&
		    stats.errors[i][0]; i++) {
			fputs("  ", stderr);
			cli_put_safe(stderr, stats.errors[i]);
			fputc('\n', stderr);
		}
		if (stats.bad_lines > PL_INGEST_MAX_ERRORS)
			fprintf(stderr, "  ...\n");
		pl_run_add_bad_lines(st, id, stats.bad_lines);
	}
	if (pl_run_finish(st, id, final, res.exit_status, msg) != PL_OK) {
		cli_error("cannot record the end of run %.8s: %s", id,
		    pl_store_errmsg(st));
		if (status == 0)
			status = CLI_ERROR;
	}
	if (!quiet) {
		char d[32];
		pl_run_info *ri = NULL;

		if (pl_run_get(&ri, st, id) == PL_OK)
			fmt_duration(d, sizeof d, ri->end_ms - ri->start_ms);
		else
			snprintf(d, sizeof d, "?");
		fprintf(stderr, "%splumb: run %.8s %s (exit %d, %s, %lld "
		    "points, %lld params)%s\n", CLI_DIM, id,
		    pl_run_status_name(final), res.exit_status, d,
		    (long long)stats.points, (long long)stats.params,
		    CLI_RESET);
		pl_run_info_free(ri);
	}
out:
	pl_ingest_free(cx.in);
	pl_gitinfo_dispose(&git);
	pl_store_close(st);
	free(params);
	free(tags);
	free(cmdline);
	free(outlog);
	free(errlog);
	for (int i = 0; i < 3; i++)
		free(env[i]);
	return status;
}

const struct cli_cmd cli_cmd_run = {
	"run", run, "run a command as a tracked run",
	"usage: plumb run [-e EXPERIMENT] [-n NAME] [-p KEY=VALUE]... "
	"[-t KEY=VALUE]...\n"
	"                 [--parent RUN] [-q] -- CMD [ARG...]\n"
	"\n"
	"Runs CMD as a tracked run and exits with its exit status.  Its stdout\n"
	"and stderr are shown and captured in the store (runs/ID/*.log).  The\n"
	"code version (git commit, branch, dirty flag, diff hash) is recorded\n"
	"when the working directory is in a git repository.\n"
	"\n"
	"The command gets PLUMB_RUN_ID, PLUMB_STORE and PLUMB_FD, a file\n"
	"descriptor on which it may write one record per line:\n"
	"\n"
	"  metric KEY VALUE [step=N] [ts=UNIX_MS]\n"
	"  param KEY VALUE-TO-END-OF-LINE\n"
	"  tag KEY VALUE-TO-END-OF-LINE\n"
	"  artifact PATH\n"
	"\n"
	"A malformed line is counted and reported, never fatal.  Without\n"
	"step=, a metric's step is one past its previous step.  SIGINT,\n"
	"SIGTERM and SIGHUP are passed to the command's process group and the\n"
	"run is recorded as killed.\n"
	"\n"
	"  -e, --experiment NAME  experiment (default: $PLUMB_EXPERIMENT or\n"
	"                         Default); created when new\n"
	"  -n, --name NAME        a name for the run\n"
	"  -p, --param KEY=VALUE  record a param (repeatable)\n"
	"  -t, --tag KEY=VALUE    record a tag (repeatable)\n"
	"      --parent RUN       make this a child of RUN (id or prefix)\n"
	"  -q, --quiet            no start and end lines on stderr\n",
};
