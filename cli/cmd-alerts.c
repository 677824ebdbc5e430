/* cmd-alerts.c - `plumb alerts`: the alerts now, their history and acks (cmd-alerts-oncall.c), and `alerts test FILE...`, promtool rule unit-test files run by plumb's PromQL engine. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_alerts_oncall(int argc, char **argv);

static int
run_test(int argc, char **argv)
{
	char *report = NULL;
	int status = 0;

	if (argc < 2)
		return cli_usage("alerts", "alerts test needs at least one test "
		    "file");
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return cli_usage("alerts", "unknown option '%s'",
			    argv[i]);
	if (pl_alerts_test(&report, &status, (const char *const *)argv + 1,
	    (size_t)argc - 1) != PL_OK)
		return cli_error("out of memory");
	/* test files are user text: no escape sequence reaches the tty */
	cli_put_safe(stdout, report);
	fflush(stdout);
	free(report);
	return status;
}

static int
run(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		return run_test(argc - 1, argv + 1);
	return cli_alerts_oncall(argc, argv);
}

const struct cli_cmd cli_cmd_alerts = {
	"alerts", run, "alerts firing and pending, history, acks, rule unit tests",
	"usage: plumb alerts [--json]\n"
	"       plumb alerts history [--since D] [--json]\n"
	"       plumb alerts ack ALERT --comment TEXT\n"
	"       plumb alerts notifications [--since D] [--limit N] [--json]\n"
	"       plumb alerts test FILE...\n"
	"\n"
	"plumb alerts lists the alerts pending or firing as the watcher last\n"
	"evaluated the rules of plumb.yaml's alerts: section (and the built-in\n"
	"ones): state, name, labels, for how long, the last value, annotations,\n"
	"and marks when acknowledged or silenced (plumb silence), and, under\n"
	"each, its last delivery to each receiver (\"notified ops 12:03:04\",\n"
	"or \"delivery to ops FAILING: exit 3, attempt 4, next in 40s\").\n"
	"\n"
	"  history        every alert episode of the last D (--since, default\n"
	"                 24h): start, end, fired or not, peak value, ack\n"
	"  ack ALERT      acknowledge the active alerts named ALERT; the user,\n"
	"                 host and SSH client are recorded, as in the audit log\n"
	"  notifications  the delivery log of the last D (--since, default 24h;\n"
	"                 --limit N, default 50, 0 for all), newest first:\n"
	"                 receiver, ok or FAILED with the reason, attempt\n"
	"  --json         JSON (activeAt, firedAt, endsAt in RFC 3339; an\n"
	"                 alert's notifications: receiver, state, at,\n"
	"                 attempt, error, nextAttemptAt, lastNotifiedAt)\n"
	"\n"
	"alerts test:\n"
	"Runs Prometheus rule unit-test files - the files `promtool test rules`\n"
	"reads, unchanged: rule_files (relative to the test file, globs),\n"
	"evaluation_interval, group_eval_order and tests: with interval,\n"
	"input_series in the expanding notation (0+10x5, _, _x3, stale),\n"
	"alert_rule_test and promql_expr_test.  The rules and expressions are\n"
	"evaluated by plumb's PromQL engine with Prometheus' semantics (the\n"
	"subset listed in plumb-alerts(1); anything else is refused with its\n"
	"FILE:LINE:COL).  A failure is listed as promtool lists it: expected\n"
	"versus got.\n"
	"\n"
	"exit status: 0 all tests passed, 1 some test failed, 2 a test or rule\n"
	"file was unreadable or invalid.\n"
	"\n"
	"See plumb-alerts(1).\n"
};
