/* cmd-demo.c - `plumb demo [DIR]`: finds the demo's files and Debian's python3, checks the packages it needs, runs the narrated loop (demo/demo.sh). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "utf8.h"

/*
 * The loop itself is a POSIX sh script (demo/demo.sh): it starts and
 * stops processes, prints every plumb command as the user would type
 * it, and is easy to read next to its narration.  This command only
 * decides where the script and the example programs are, which python
 * runs them, and that the Debian packages they import are installed -
 * naming the package and the install command when one is missing.
 *
 * Where the files are, first found wins:
 *   1. $PLUMB_DEMO_DIR (and $PLUMB_DEMO_EXAMPLES, default DIR/../examples);
 *   2. the source tree, when this plumb is the one built in the build
 *      tree (its directory is PLUMB_BUILDDIR): PLUMB_SRCDIR/demo;
 *   3. the installed copy: PLUMB_PKGDATADIR/demo and .../examples.
 */

#ifndef PLUMB_PYTHON3
#define PLUMB_PYTHON3 "/usr/bin/python3"
#endif

static int
is_file(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat sb;

	if (snprintf(p, sizeof p, "%s/%s", dir, name) >= (int)sizeof p)
		return 0;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Fills demo and examples; 0, or -1 when no copy of the demo is found. */
static int
find_files(char *demo, char *examples, size_t len, const char *exe)
{
	const char *env = getenv("PLUMB_DEMO_DIR");

	if (env && *env) {
		const char *ex = getenv("PLUMB_DEMO_EXAMPLES");

		snprintf(demo, len, "%s", env);
		if (ex && *ex)
			snprintf(examples, len, "%s", ex);
		else
			snprintf(examples, len, "%s/../examples", env);
		return is_file(demo, "demo.sh") &&
		    is_file(examples, "model-server.py") ? 0 : -1;
	}
#if defined(PLUMB_SRCDIR) && defined(PLUMB_BUILDDIR)
	{
		char dir[PATH_MAX], real[PATH_MAX], build[PATH_MAX];
		char *slash;

		snprintf(dir, sizeof dir, "%s", exe);
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		if (realpath(dir, real) && realpath(PLUMB_BUILDDIR, build) &&
		    strcmp(real, build) == 0) {
			snprintf(demo, len, "%s/demo", PLUMB_SRCDIR);
			snprintf(examples, len, "%s/examples", PLUMB_SRCDIR);
			if (is_file(demo, "demo.sh"))
				return 0;
		}
	}
#endif
#ifdef PLUMB_PKGDATADIR
	snprintf(demo, len, "%s/demo", PLUMB_PKGDATADIR);
	snprintf(examples, len, "%s/examples", PLUMB_PKGDATADIR);
	if (is_file(demo, "demo.sh") && is_file(examples, "model-server.py"))
		return 0;
#endif
	(void)exe;
	return -1;
}

/* The Debian packages the demo's python code imports. */
static const struct {
	const char *module, *package;
} needs[] = {
	{ "sklearn", "python3-sklearn" },
	{ "numpy", "python3-numpy" },
	{ "prometheus_client", "python3-prometheus-client" },
	{ "yaml", "python3-yaml" },
};

/* 0 when python imports module (quietly). */
static int
can_import(const char *python, const char *module)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char code[128];
		int null = open("/dev/null", O_WRONLY);

		/* plain fds: stdout is plumb's output guard, not a file */
		snprintf(code, sizeof code, "import %s", module);
		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execl(python, python, "-c", code, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "real-time", no_argument, NULL, 'r' },
		{ "tui", no_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	int c, force = 0, realtime = 0, tui = 0, keep = 0;
	char exe[PATH_MAX], demo[PATH_MAX], examples[PATH_MAX], script[PATH_MAX];
	const char *python = getenv("PLUMB_DEMO_PYTHON");
	char missing[256] = "";
	ssize_t n;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = 1; break;
		case 'r': realtime = 1; break;
		case 't': tui = 1; break;
		case 'k': keep = 1; break;
		default: return cli_usage("demo", "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage("demo", "one directory at most");
	/* the narration shows the directory in every hint it prints */
	if (optind < argc && (argv[optind][0] == '\0' ||
	    !utf8_is_clean(argv[optind], strlen(argv[optind]), 0)))
		return cli_usage("demo", "the directory name is empty or holds "
		    "a control character or invalid UTF-8; choose a plain "
		    "name");
	if (tui && !isatty(STDOUT_FILENO))
		return cli_usage("demo", "--tui needs a terminal");
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) < 0)
		return cli_error("cannot find the plumb binary: %s",
		    strerror(errno));
	exe[n] = '\0';
	if (find_files(demo, examples, sizeof demo, exe) != 0)
		return cli_error("the demo's files are not installed (looked "
		    "in $PLUMB_DEMO_DIR, the source tree and %s/demo); "
		    "reinstall plumb (make install)",
#ifdef PLUMB_PKGDATADIR
		    PLUMB_PKGDATADIR
#else
		    "the data directory"
#endif
		    );
	if (python == NULL || *python == '\0')
		python = PLUMB_PYTHON3;
	if (access(python, X_OK) != 0)
		return cli_error("%s: %s; the demo needs Debian's python3: "
		    "sudo apt-get install -y python3", python, strerror(errno));
	for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++)
		if (can_import(python, needs[i].module) != 0) {
			size_t used = strlen(missing);

			snprintf(missing + used, sizeof missing - used, " %s",
			    needs[i].package);
		}
	if (missing[0])
		return cli_error("the demo needs Debian packages that are not "
		    "installed:%s\n  install them with: sudo apt-get install "
		    "-y%s\n  (or sh .ci/install-deps in plumb's source tree)",
		    missing, missing);

	if (setenv("PLUMB", exe, 1) || setenv("PLUMB_DEMO_PYTHON", python, 1) ||
	    setenv("PLUMB_DEMO_SRC", demo, 1) ||
	    setenv("PLUMB_DEMO_EXAMPLES", examples, 1) ||
	    setenv("DEMO_DIR", optind < argc ? argv[optind] : "plumb-demo",
	    1) || setenv("DEMO_FORCE", force ? "1" : "0", 1) ||
	    setenv("DEMO_REALTIME", realtime ? "1" : "0", 1) ||
	    setenv("DEMO_TUI", tui ? "1" : "0", 1) ||
	    setenv("DEMO_KEEP", keep ? "1" : "0", 1))
		return cli_error("out of memory");
	if (cli_g.store_dir)
		cli_error("--store is ignored: the demo makes its own store "
		    "in its directory");
	if (snprintf(script, sizeof script, "%s/demo.sh", demo) >=
	    (int)sizeof script)
		return cli_error("%s: path too long", demo);
	fflush(NULL);
	/* The script owns the terminal from here: its output is plumb's
	 * narration and the commands' own (already sanitized) output. */
	execl("/bin/sh", "sh", script, (char *)NULL);
	return cli_error("/bin/sh %s: %s", script, strerror(errno));
}

const struct cli_cmd cli_cmd_demo = {
	"demo", run, "run the whole MLOps loop on a laptop, narrated",
	"usage: plumb demo [--force] [--real-time] [--tui] [--keep] [DIR]\n"
	"\n"
	"Creates a workspace in DIR (default ./plumb-demo) and runs the loop\n"
	"plumb is for, with real components, narrating each step and printing\n"
	"every plumb command it runs so you can repeat it: a versioned churn\n"
	"dataset; a pipeline (prepare, train with scikit-learn, evaluate)\n"
	"with tracked runs; data checks and model gates, a second experiment\n"
	"compared; promotion to production, whose deploy starts a real model\n"
	"server on a free loopback port, and a bad version rolled back by its\n"
	"health check; plumb watch over live traffic and delayed labels;\n"
	"input drift and a latency regression that fire alert rules and\n"
	"notify a receiver; continuous training that retrains, re-validates\n"
	"and redeploys; a summary.  About 3 minutes with time compressed.\n"
	"\n"
	"  --force      use DIR even though it holds other files, or start a\n"
	"               previous demo in DIR again (only the demo's own\n"
	"               files are replaced)\n"
	"  --real-time  production-like intervals (15 s polls, minutes of\n"
	"               for:, 30 s group waits): 15 minutes or more\n"
	"  --tui        run the loop in the background and open plumb tui\n"
	"               on its monitor screen; quitting the TUI stops the demo\n"
	"  --keep       leave the model server, watcher and traffic running\n"
	"               at the end (their pids are in DIR/run/)\n"
	"\n"
	"Ctrl-C stops every process the demo started, by pid, and says how to\n"
	"start again.  Needs Debian's python3-sklearn, python3-numpy,\n"
	"python3-prometheus-client and python3-yaml (named, with the install\n"
	"command, when missing).  See plumb-demo(1).\n",
};
