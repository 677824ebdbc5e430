/* cli.h - shared declarations of the plumb command-line front end. */
#ifndef PL_CLI_CLI_H
#define PL_CLI_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "plumb.h"

/* Exit statuses of every subcommand (DESIGN §5 "Errors"). */
#define CLI_OK    0
#define CLI_ERROR 1
#define CLI_USAGE 2

/*
 * One subcommand.  run() gets argv with argv[0] = the command name, so
 * getopt_long() works as usual (optind is reset by the dispatcher).  It
 * returns the process exit status.  help is printed by `plumb CMD --help`
 * and `plumb help CMD` (usage line first, then options).
 */
struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;	/* one line for `plumb --help` */
	const char *help;	/* full text for `plumb CMD --help` */
};

/*
 * Each cli/cmd-NAME.c defines one `const struct cli_cmd cli_cmd_NAME`;
 * the table in cli/cmd.c lists them and ends with NULL.
 */
extern const struct cli_cmd *const cli_cmds[];
const struct cli_cmd *cli_find(const char *name);

/* Global options, set by main() before the subcommand runs. */
struct cli_globals {
	const char *store_dir;	/* --store DIR (NULL: PLUMB_STORE or walk up) */
	int color;		/* 1 when stdout is a TTY and NO_COLOR unset */
	int stdout_tty;
	int stderr_escapes;	/* stderr is a TTY and NO_COLOR unset: plumb's
				 * own sequences may go there */
};
extern struct cli_globals cli_g;

/* "plumb: message" on stderr (DESIGN §5). Returns CLI_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: message plus "see plumb CMD --help". Returns CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the help text of cmd to stdout and returns CLI_OK. */
int cli_help(const char *cmd);
/* True if argv holds -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/*
 * Opens the store for a subcommand (--store, PLUMB_STORE, or the nearest
 * .plumb/ walking up from the working directory).  On failure prints the
 * reason and returns CLI_ERROR with *out NULL.  flags are PL_OPEN_*.
 */
int cli_open_store(pl_store **out, unsigned flags);

/* Writes untrusted text to f with every control character made visible
 * (no escape sequence from a run can reach the terminal). */
void cli_put_safe(FILE *f, const char *s);

/*
 * The output gate (outguard.c): replaces stdout and/or stderr by streams
 * that make every terminal control visible (C0 and C1 controls, DEL, bidi
 * overrides, bytes that are not UTF-8), letting through only plumb's own
 * colour sequences, and only where escapes are allowed (cli_g.color for
 * stdout, cli_g.stderr_escapes for stderr).  main() installs it for every
 * command; the TUI keeps the real stdout while curses owns the screen.
 * Returns 0 or -1.
 */
#define CLI_GUARD_STDOUT 1u
#define CLI_GUARD_STDERR 2u
int cli_guard_install(unsigned which);
/* Writes bytes to the real stdout (stream 1) or stderr (2), past the
 * gate: only for the user's own command's output under `plumb run`. */
void cli_write_raw(int stream, const char *data, size_t n);
/*
 * Flushes stdout at the end of a command and reports a write that failed
 * (a full disk, /dev/full, a closed descriptor) on stderr: returns rc,
 * or CLI_ERROR when rc was 0 and the output was lost, so that no command
 * says it succeeded without having written what it printed.
 */
int cli_output_finish(int rc);

/* Colour helpers: return the escape string, or "" when colour is off. */
const char *cli_color(const char *sgr);
#define CLI_BOLD   cli_color("1")
#define CLI_DIM    cli_color("2")
#define CLI_RED    cli_color("31")
#define CLI_GREEN  cli_color("32")
#define CLI_YELLOW cli_color("33")
#define CLI_BLUE   cli_color("34")
#define CLI_RESET  cli_color("0")

#endif
