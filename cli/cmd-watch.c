/* cmd-watch.c - `plumb watch`: the foreground collector of plumb.yaml's monitor: targets. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
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

/*
 * What runs over the collected series, on the watcher's writer thread:
 * the alerts: section's rules (and, as they land, notifications and
 * triggers).  A plumb.yaml reloaded with bad rules keeps the last good
 * ones, as Prometheus does.
 */
struct loop {
	pl_watch *w;			/* set once pl_watch_open() returned */
	const char *config_path;
	pl_alerting *alerting;
	unsigned gen;
	size_t failed;			/* rules that failed last time */
	pl_notifier *notifier;		/* route: and receivers: */
	unsigned ngen;
	int ntried, nfailing;
	pl_ct *ct;			/* the triggers: section (NULL: none yet) */
	unsigned ct_gen;
	const char *exe;		/* this plumb, for CT runs */
	int64_t started_ms, beat_ms;	/* the heartbeat (plumb alerts) */
	int beat_failing;
};

/* The heartbeat `plumb alerts` reads to report a watcher that is not
 * running (PlumbWatcherNotRunning): at most every PL_WATCHER_BEAT_MS,
 * and at the clean stop. */
static void
loop_beat(struct loop *l, pl_store *st, int64_t now_ms, int stopped)
{
	int builtin = l->alerting ? pl_alerting_builtin(l->alerting) : 1;

	if (!l->started_ms)
		l->started_ms = now_ms;
	if (!stopped && l->beat_ms && now_ms - l->beat_ms < PL_WATCHER_BEAT_MS)
		return;
	if (pl_watcher_beat(st, now_ms, l->started_ms, builtin, stopped) !=
	    PL_OK) {
		if (!l->beat_failing)
			pl_watch_log(l->w, "heartbeat: %s", pl_store_errmsg(st));
		l->beat_failing = 1;
		return;
	}
	l->beat_failing = 0;
	l->beat_ms = now_ms;
}

/* One line of the trigger check, through the watcher's log. */
static void
ct_log(void *ctx, const char *line)
{
	struct loop *l = ctx;

	pl_watch_log(l->w, "%s", line);
}

/*
 * The triggers: section, checked after the rules on every tick: a
 * firing starts a CT run as a child (plumb trigger run), reaped on later
 * ticks; nothing here waits for it.  A reload with bad triggers keeps
 * the last good ones.  Returns when the check wants the next tick.
 */
static int64_t
loop_triggers(struct loop *l, pl_store *st, unsigned gen, int64_t now_ms)
{
	char err[2048];

	if (l->ct == NULL || gen != l->ct_gen) {
		pl_triggers *ts = NULL;

		l->ct_gen = gen;
		if (pl_triggers_load(&ts, st, l->config_path, err, sizeof err) !=
		    PL_OK) {
			pl_watch_log(l->w, "triggers not %s, %s: %s",
			    l->ct ? "reloaded" : "loaded",
			    l->ct ? "the last good ones stay" :
			    "no trigger is checked", err);
			if (l->ct == NULL)
				return now_ms + 60000;
		} else if (l->ct == NULL) {
			if (pl_ct_open(&l->ct, st, ts, l->exe, now_ms, err,
			    sizeof err) != PL_OK) {
				pl_watch_log(l->w, "triggers: %s", err);
				return now_ms + 60000;
			}
		} else {
			pl_ct_replace(l->ct, ts, now_ms);
			pl_watch_log(l->w, "triggers reloaded: %zu trigger%s",
			    pl_ct_ntriggers(l->ct), pl_ct_ntriggers(l->ct) == 1 ?
			    "" : "s");
		}
	}
	return pl_ct_tick(l->ct, now_ms, ct_log, l);
}

/* Opens the alerting handle of the configuration at path over st. */
static int
loop_open_rules(pl_alerting **out, pl_store *st, const char *path, char *err,
    size_t errlen)
{
	pl_config *cfg = NULL;
	int rc;

	*out = NULL;
	if ((rc = pl_config_load(&cfg, path, err, errlen)) != PL_OK)
		return rc;
	rc = pl_alerting_open(out, st, cfg, err, errlen);
	pl_config_free(cfg);
	return rc;
}

static void
loop_notify_log(void *ctx, int64_t t_ms, const char *line)
{
	struct loop *l = ctx;

	(void)t_ms;
	pl_watch_log(l->w, "%s", line);
}

/*
 * Notifications, after the rules: the notifier is (re)loaded like them
 * (a bad reload keeps the last good receivers) and never waits for a
 * delivery.  Returns when it wants the next tick.
 */
static int64_t
loop_notify(struct loop *l, pl_store *st, unsigned gen, int64_t now_ms)
{
	pl_config *cfg = NULL;
	char err[2048];
	int rc;

	if (!l->ntried || gen != l->ngen) {
		rc = pl_config_load(&cfg, l->config_path, err, sizeof err);
		if (rc == PL_OK)
			rc = l->notifier ? pl_notifier_reload(l->notifier, cfg,
			    err, sizeof err) : pl_notifier_open(&l->notifier,
			    st, cfg, loop_notify_log, l, err, sizeof err);
		pl_config_free(cfg);
		if (rc != PL_OK)
			pl_watch_log(l->w, "receivers not %s, %s: %s",
			    l->ntried ? "reloaded" : "loaded", l->notifier ?
			    "the last good ones stay" : "nothing is notified",
			    err);
		else if (l->ntried)
			pl_watch_log(l->w, "receivers reloaded: %zu",
			    pl_notifier_nreceivers(l->notifier));
		l->ntried = 1;
		l->ngen = gen;
	}
	if (l->notifier == NULL)
		return INT64_MAX;
	rc = pl_notifier_tick(l->notifier, now_ms);
	if (rc != PL_OK && !l->nfailing)
		pl_watch_log(l->w, "notifications: %s", pl_store_errmsg(st));
	l->nfailing = rc != PL_OK;
	return pl_notifier_next(l->notifier);
}

static int64_t
loop_tick(void *ctx, pl_store *st, unsigned gen, int64_t now_ms, int last,
    int fresh)
{
	struct loop *l = ctx;
	char err[2048];
	size_t failed;
	int rc;

	if (last) {
		loop_beat(l, st, now_ms, 1);
		pl_notifier_close(l->notifier);
		l->notifier = NULL;
		pl_alerting_close(l->alerting);
		l->alerting = NULL;
		/* CT runs in progress are stopped (recorded failed:
		 * interrupted), never left behind */
		if (l->ct && pl_ct_running(l->ct))
			pl_watch_log(l->w, "stopping %zu CT run%s",
			    pl_ct_running(l->ct), pl_ct_running(l->ct) == 1 ?
			    "" : "s");
		pl_ct_close(l->ct, 10000);
		l->ct = NULL;
		return 0;
	}
	if (l->alerting == NULL || gen != l->gen) {
		pl_alerting *a;

		if (loop_open_rules(&a, st, l->config_path, err, sizeof err) !=
		    PL_OK) {
			pl_watch_log(l->w, "alert rules not %s, %s: %s",
			    l->alerting ? "reloaded" : "loaded",
			    l->alerting ? "the last good ones stay" :
			    "no rule is evaluated", err);
			l->gen = gen;
			if (l->alerting == NULL)
				return now_ms + 60000;
		} else {
			if (l->alerting)
				pl_watch_log(l->w, "alert rules reloaded: %zu "
				    "rule%s", pl_alerting_nrules(a),
				    pl_alerting_nrules(a) == 1 ? "" : "s");
			pl_alerting_close(l->alerting);
			l->alerting = a;
			l->gen = gen;
		}
	}
	/* on the data: a group runs after the round that brought its
	 * samples (pl_alerting_tick), not at the next one */
	if (fresh || now_ms >= pl_alerting_next(l->alerting)) {
		rc = pl_alerting_tick(l->alerting, now_ms, fresh);
		failed = pl_alerting_failed(l->alerting);
		/* a failing rule is logged when it starts failing or
		 * changes, not every interval */
		if (rc != PL_OK && failed != l->failed)
			pl_watch_log(l->w, "alert rules: %zu failed: %s",
			    failed, pl_alerting_errmsg(l->alerting));
		else if (rc == PL_OK && l->failed)
			pl_watch_log(l->w, "alert rules: all evaluate again");
		l->failed = rc == PL_OK ? 0 : failed;
	}
	loop_beat(l, st, now_ms, 0);
	{
		int64_t next = pl_alerting_next(l->alerting);
		int64_t nnext = loop_notify(l, st, gen, now_ms);
		int64_t tnext = loop_triggers(l, st, gen, now_ms);

		if (nnext < next)
			next = nnext;
		return tnext < next ? tnext : next;
	}
}

/* The rules are checked before the watcher starts: a mistake is refused
 * with FILE:LINE:COL instead of being found on the first tick. */
static int
loop_check_rules(const char *store_dir, const char *path, size_t *nrules,
    size_t *ntriggers, size_t *nrecv)
{
	pl_store *st = NULL;
	pl_alerting *a = NULL;
	char err[2048];
	int rc;

	if ((rc = pl_store_open(&st, store_dir, 0)) != PL_OK) {
		cli_error("%s", st ? pl_store_errmsg(st) : "out of memory");
		pl_store_close(st);
		return CLI_ERROR;
	}
	rc = loop_open_rules(&a, st, path, err, sizeof err);
	if (rc == PL_OK)
		*nrules = pl_alerting_nrules(a);
	if (rc == PL_OK) {
		pl_config *cfg = NULL;
		if ((rc = pl_config_load(&cfg, path, err, sizeof err)) == PL_OK)
			rc = pl_notifier_check(cfg, nrecv, err, sizeof err);
		pl_config_free(cfg);
	}
	pl_alerting_close(a);
	if (rc == PL_OK) {
		pl_triggers *ts = NULL;

		/* and the triggers: an unknown stage, model or alert is an
		 * error now, not at 3 a.m. */
		rc = pl_triggers_load(&ts, st, path, err, sizeof err);
		if (rc == PL_OK)
			*ntriggers = ts->n;
		pl_triggers_free(ts);
	}
	pl_store_close(st);
	if (rc != PL_OK)
		return cli_error("%s", err);
	return CLI_OK;
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
	struct loop loop;
	struct sigaction sa;
	const char *file = NULL;
	char *store_dir = NULL, *cfg = NULL, err[2048];
	double for_s = 0, interval_s = 0;
	int c, once = 0, rc, status = CLI_ERROR;
	size_t nrules = 0, ntriggers = 0, nrecv = 0;
	pl_watch *w = NULL;
	char *exe = NULL;

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
	if (loop_check_rules(store_dir, cfg, &nrules, &ntriggers, &nrecv) !=
	    CLI_OK)
		goto out;
	memset(&loop, 0, sizeof loop);
	loop.config_path = cfg;
	/* CT runs re-execute this very plumb */
	if ((exe = realpath("/proc/self/exe", NULL)) == NULL) {
		cli_error("cannot find this program (/proc/self/exe): %s",
		    strerror(errno));
		goto out;
	}
	loop.exe = exe;
	memset(&o, 0, sizeof o);
	o.store_dir = store_dir;
	o.config_path = cfg;
	o.interval_s = interval_s;
	o.log = log_line;
	o.tick = loop_tick;
	o.tick_ctx = &loop;
	if ((rc = pl_watch_open(&w, &o, err, sizeof err)) != PL_OK) {
		cli_error("%s", err);
		goto out;
	}
	loop.w = w;
	pl_watch_log(w, "evaluating %zu alert rule%s", nrules,
	    nrules == 1 ? "" : "s");
	if (nrecv)
		pl_watch_log(w, "notifying %zu receiver%s", nrecv,
		    nrecv == 1 ? "" : "s");
	if (ntriggers)
		pl_watch_log(w, "checking %zu trigger%s", ntriggers,
		    ntriggers == 1 ? "" : "s");
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
	free(exe);
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
	"its own deadline, until interrupted, and evaluates the rules of its\n"
	"alerts: section (and the built-in ones) at their interval, right\n"
	"after the round that brings their samples, notifies\n"
	"its receivers (plumb-alerts(1), NOTIFICATIONS; deliveries never\n"
	"waited for), then the\n"
	"triggers: section (continuous training, plumb-triggers(1): a firing\n"
	"starts a CT run in the background, never waited for).  Prints\n"
	"one line, with a UTC timestamp, when something changes state (a log\n"
	"rotated, drift found, a target down, rules failing), never one a\n"
	"round.  One watcher per store: a\n"
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
	"refused, with FILE:LINE:COL, and the running configuration kept;\n"
	"bad alert rules, receivers or triggers keep the last good ones).\n"
	"Stopping the watcher stops its CT runs (recorded failed).\n"
	"\n"
	"See plumb-monitor(1) and plumb.yaml(5).\n"
};
