/* cmd-tui.c - `plumb tui`: the full-screen interface (also what `plumb` alone opens on a terminal). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "tui-main.h"

static int
tui_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "monitor", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	pl_store *st = NULL;
	const char *start = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_help("tui");
		if (c == 'm') {
			start = "monitor";
			continue;
		}
		return cli_usage("tui", "unknown option");
	}
	if (optind < argc)
		return cli_usage("tui", "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_open_store(&st, 0)) != CLI_OK)
		return rc;
	rc = tui_main(st, start);
	pl_store_close(st);
	if (rc == TUI_NO_SCREEN) {
		/* A terminal without cursor addressing gets the list. */
		const struct cli_cmd *runs = cli_find("runs");
		char *rargv[] = { (char *)"runs", NULL };

		cli_guard_install(CLI_GUARD_STDOUT);
		cli_error( "plumb: this terminal (TERM=%s) cannot show the "
		    "full-screen interface; here is plumb runs",
		    getenv("TERM") ? getenv("TERM") : "");
		optind = 0;
		return runs ? runs->run(1, rargv) : CLI_ERROR;
	}
	return rc;
}

const struct cli_cmd cli_cmd_tui = {
	.name = "tui",
	.run = tui_run,
	.summary = "the full-screen interface (also: plumb with no command)",
	.help =
	    "usage: plumb tui [--monitor]\n"
	    "\n"
	    "Opens the full-screen terminal interface on the store: the runs\n"
	    "list (filter, sort, mark and compare), a run's metrics, charts,\n"
	    "logs and artifacts, run comparisons, the pipeline, the models and\n"
	    "the monitor (W: targets, charts, alerts).  --monitor opens on the\n"
	    "monitor screen.  Press ? inside for the keys.  `plumb` with no\n"
	    "command on a terminal opens it too.  NO_COLOR turns colours off;\n"
	    "the C locale draws ASCII.  On a terminal without cursor\n"
	    "addressing (TERM=dumb) it prints the runs list instead.\n"
	    "See plumb-tui(1).\n",
};
