/* cmd-watch.c - `plumb watch`: the foreground collector of plumb.yaml's monitor: targets. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* The running watcher, for the signal handlers (set only while it runs). */
static pl_watch *volatile the_watch;

static void
on_stop(int sig)
{
	(void)sig;
	if (the_watch)
		pl_watch_request(the_watch, PL_WATCH_STOP);
}

static void
on_hup(int sig)
{
	(void)sig;
	if (the_watch)
		pl_watch_request(the_watch, PL_WATCH_RELOAD);
}

/* One log line: UTC timestamp, then the engine's text made safe (it can
 * hold what a monitored service wrote). */
static void
log_line(void *ctx, int64_t t_ms, const char *line)
{
	time_t s = (time_t)(t_ms / 1000);
	struct tm tm;
	char when[32];

	(void)ctx;
	gmtime_r(&s, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%s.%03dZ ", when, (int)(t_ms % 1000));
	cli_put_safe(stdout, line);
	putchar('\n');
	fflush(stdout);
}

static int
duration_opt(double *out, const char *opt, const char *text)
{
	if (pl_duration_parse(out, text) != 0 || *out <= 0)
		return cli_usage("watch", "%s: '%s' is not a duration (e.g. "
		    "15s, 1m30s, 2h)", opt, text);
	return CLI_OK;
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "for", required_argument, NULL, 'F' },
		{ "interval", required_argument, NULL, 'i' },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct pl_watch_opts o;
	struct sigaction sa;
	const char *file = NULL;
	char *store_dir = NULL, *cfg = NULL, err[2048];
	double for_s = 0, interval_s = 0;
	int c, once = 0, rc, status = CLI_ERROR;
	pl_watch *w = NULL;

	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': once = 1; break;
		case 'F':
			if (duration_opt(&for_s, "--for", optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'i':
			if (duration_opt(&interval_s, "--interval", optarg) !=
			    CLI_OK)
				return CLI_USAGE;
			break;
		case 'f': file = optarg; break;
		default:
			return cli_usage("watch", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage("watch", "unexpected argument '%s'",
		    argv[optind]);
	if (once && for_s > 0)
		return cli_usage("watch", "--once and --for exclude each other");
	if (pl_store_find(&store_dir, cli_g.store_dir, err, sizeof err) !=
	    PL_OK)
		return cli_error("%s", err);
	rc = pl_config_find(&cfg, file, store_dir);
	if (rc == PL_ENOTFOUND) {
		cli_error("no plumb.yaml found (give one with -f FILE); "
		    "plumb watch collects the targets of its monitor: "
		    "section, see plumb.yaml(5)");
		goto out;
	}
	if (rc != PL_OK) {
		cli_error("%s", pl_strerror(rc));
		goto out;
	}
	memset(&o, 0, sizeof o);
	o.store_dir = store_dir;
	o.config_path = cfg;
	o.interval_s = interval_s;
	o.log = log_line;
	if ((rc = pl_watch_open(&w, &o, err, sizeof err)) != PL_OK) {
		cli_error("%s", err);
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	the_watch = w;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	rc = pl_watch_run(w, once ? 1 : 0, (int64_t)(for_s * 1000));
	if (rc != PL_OK)
		cli_error("%s", pl_watch_errmsg(w));
	else
		status = CLI_OK;
	/* a late signal must not reach a freed watcher */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	the_watch = NULL;
out:
	pl_watch_close(w);
	free(store_dir);
	free(cfg);
	return status;
}

const struct cli_cmd cli_cmd_watch = {
	"watch", run, "collect the monitor: targets of plumb.yaml (foreground)",
	"usage: plumb watch [-f FILE] [--once] [--for DURATION] "
	"[--interval DURATION]\n"
	"\n"
	"Collects every target of plumb.yaml's monitor: section into the\n"
	"store's time series and events, each target on its own thread with\n"
	"its own deadline, until interrupted.  Prints one line, with a UTC\n"
	"timestamp, when something changes state (a log rotated, drift\n"
	"found, a target down), never one a round.  One watcher per store: a\n"
	"second one is refused with the first one's pid and host.\n"
	"\n"
	"  -f, --file FILE        plumb.yaml (default: the nearest one)\n"
	"      --once             one round of every target, then exit\n"
	"      --for DURATION     run this long, then exit (e.g. 10m)\n"
	"      --interval DURATION  poll every target this often (default:\n"
	"                         monitor: interval:, 15s)\n"
	"\n"
	"Signals: SIGINT and SIGTERM flush what was collected and exit within\n"
	"a second; SIGHUP reloads plumb.yaml (a file with a mistake is\n"
	"refused, with FILE:LINE:COL, and the running configuration kept).\n"
	"\n"
	"See plumb-monitor(1) and plumb.yaml(5).\n"
};
