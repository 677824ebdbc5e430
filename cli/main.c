/* main.c - entry point of plumb: global options, then one subcommand. */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct cli_globals cli_g;

static void
usage_all(FILE *f)
{
	fprintf(f,
	    "usage: plumb [--store DIR] COMMAND [ARGS...]\n"
	    "\n"
	    "plumb is an MLOps workbench for the terminal: experiment tracking,\n"
	    "pipelines, data and model versioning, checks and promotion, drift,\n"
	    "production monitoring (plumb watch, plumb monitor).\n"
	    "\n"
	    "Commands:\n");
	for (const struct cli_cmd *const *cp = cli_cmds; *cp; cp++)
		fprintf(f, "  %-12s %s\n", (*cp)->name, (*cp)->summary);
	fprintf(f,
	    "\n"
	    "Global options:\n"
	    "  --store DIR   use the store in DIR (default: $PLUMB_STORE, else\n"
	    "                the nearest .plumb/ above the working directory)\n"
	    "  --no-color    never colour the output (NO_COLOR does the same)\n"
	    "  --version     print the version and exit\n"
	    "  -h, --help    this help; `plumb COMMAND --help` (or `plumb help\n"
	    "                COMMAND`) for a command\n"
	    "\n"
	    "See plumb(1) for the whole manual, plumb.yaml(5) for the project file.\n");
}

static int run_main(int argc, char **argv);

int
main(int argc, char **argv)
{
	return cli_output_finish(run_main(argc, argv));
}

static int
run_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd *cmd;
	int c, no_color = 0;

	setlocale(LC_ALL, "");
	/* A closed pipe (plumb runs | head) ends output quietly. */
	signal(SIGPIPE, SIG_DFL);

	/* "+" stops at the first non-option: the subcommand's own options
	 * are not ours. */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cli_g.store_dir = optarg;
			break;
		case 'C':
			no_color = 1;
			break;
		case 'V':
			printf("plumb %s\n", PLUMB_VERSION);
			return CLI_OK;
		case 'h':
			usage_all(stdout);
			return CLI_OK;
		default:
			fprintf(stderr, "plumb: see plumb --help\n");
			return CLI_USAGE;
		}
	}
	cli_g.stdout_tty = isatty(STDOUT_FILENO);
	cli_g.color = cli_g.stdout_tty && !no_color &&
	    (getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0') &&
	    !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
	cli_g.stderr_escapes = isatty(STDERR_FILENO) && !no_color &&
	    (getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0') &&
	    getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
	/* Everything printed from here on passes the output gate; the TUI
	 * gets the real stdout for curses (see cmd-tui.c). */
	cmd = optind < argc ? cli_find(argv[optind]) : NULL;
	if (cli_guard_install(CLI_GUARD_STDERR |
	    (optind >= argc || cmd == cli_find("tui") ? 0 : CLI_GUARD_STDOUT)) < 0) {
		fprintf(stderr, "plumb: out of memory\n");
		return CLI_ERROR;
	}

	if (optind >= argc) {
		/* With no command: the TUI on a terminal, help otherwise. */
		cmd = isatty(STDIN_FILENO) && cli_g.stdout_tty ?
		    cli_find("tui") : NULL;
		if (cmd == NULL) {
			cli_guard_install(CLI_GUARD_STDOUT);
			usage_all(isatty(STDOUT_FILENO) ? stdout : stderr);
			return isatty(STDOUT_FILENO) ? CLI_OK : CLI_USAGE;
		}
		{
			char *targv[] = { (char *)"tui", NULL };
			optind = 0;
			return cmd->run(1, targv);
		}
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 < argc)
			return cli_help(argv[optind + 1]);
		usage_all(stdout);
		return CLI_OK;
	}
	cmd = cli_find(argv[optind]);
	if (cmd == NULL) {
		cli_error("unknown command '%s' (see plumb --help)",
		    argv[optind]);
		return CLI_USAGE;
	}
	argc -= optind;
	argv += optind;
	if (cli_wants_help(argc, argv))
		return cli_help(cmd->name);
	optind = 0;	/* glibc: 0 re-initialises getopt for the subcommand */
	return cmd->run(argc, argv);
}
