/* serve-main.h - plumb serve's entry point, for cli/cmd-serve.c: the one server/ header the CLI may include (no server internals here). */
#ifndef PL_SERVER_SERVE_MAIN_H
#define PL_SERVER_SERVE_MAIN_H

#include "plumb.h"

/*
 * What the CLI lends the serve command, so that usage errors and the
 * store lookup (--store, PLUMB_STORE, walking up) stay the CLI's own and
 * read exactly like every other command's.
 */
struct serve_cli {
	/* Reports a usage error of command cmd on stderr (the text is
	 * sanitized by the callee) and returns the usage exit status. */
	int (*usage)(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
	/* Opens the store (flags PL_OPEN_*): 0 and *out set, or a non-zero
	 * exit status with the reason on stderr and *out NULL. */
	int (*open_store)(pl_store **out, unsigned flags);
};

/* `plumb --help`'s line and `plumb serve --help`'s text (static). */
extern const char serve_summary[];
extern const char serve_help[];

/*
 * Runs `plumb serve` with its arguments (argv[0] is "serve"): parses the
 * options, prints serve_help for --help, opens the store through cli and
 * serves it until SIGINT or SIGTERM.  Returns the command's exit status
 * (0 ok, 1 failure, 2 usage).
 */
int serve_cmd(const struct serve_cli *cli, int argc, char **argv);

#endif
