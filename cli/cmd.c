/* cmd.c - the table of plumb's subcommands, in the order `plumb --help` lists them. */
#include "config.h"

#include "cli.h"
#include "cmds.h"

/*
 * The one command table: `plumb --help` is printed from it, and
 * tests/cli/manual.sh fails when plumb(1)'s COMMANDS section (doc/plumb.1)
 * does not have an entry for exactly these commands.  A new command goes
 * here, into cmds.h, and into the manual.
 */

const struct cli_cmd *const cli_cmds[] = {
	&cli_cmd_init,
	&cli_cmd_demo,
	&cli_cmd_run,
	&cli_cmd_log,
	&cli_cmd_runs,
	&cli_cmd_show,
	&cli_cmd_diff,
	&cli_cmd_metrics,
	&cli_cmd_experiments,
	&cli_cmd_fsck,
	&cli_cmd_model,
	&cli_cmd_check,
	&cli_cmd_audit,
	&cli_cmd_tui,
	&cli_cmd_drift,
	&cli_cmd_detect,
	&cli_cmd_repro,
	&cli_cmd_status,
	&cli_cmd_dag,
	&cli_cmd_data,
	&cli_cmd_serve,
	&cli_cmd_import,
	&cli_cmd_alerts,
	&cli_cmd_watch,
	&cli_cmd_monitor,
	&cli_cmd_silence,
	&cli_cmd_triggers,
	&cli_cmd_trigger,
	NULL
};
