/* cmds.h - the subcommand descriptors defined by cli/cmd-*.c. */
#ifndef PL_CLI_CMDS_H
#define PL_CLI_CMDS_H

#include "cli.h"

extern const struct cli_cmd cli_cmd_init;
extern const struct cli_cmd cli_cmd_demo;
extern const struct cli_cmd cli_cmd_run;
extern const struct cli_cmd cli_cmd_log;
extern const struct cli_cmd cli_cmd_runs;
extern const struct cli_cmd cli_cmd_show;
extern const struct cli_cmd cli_cmd_diff;
extern const struct cli_cmd cli_cmd_metrics;
extern const struct cli_cmd cli_cmd_experiments;
extern const struct cli_cmd cli_cmd_fsck;
extern const struct cli_cmd cli_cmd_model;
extern const struct cli_cmd cli_cmd_check;
extern const struct cli_cmd cli_cmd_audit;
extern const struct cli_cmd cli_cmd_tui;
extern const struct cli_cmd cli_cmd_drift;
extern const struct cli_cmd cli_cmd_detect;

extern const struct cli_cmd cli_cmd_repro;

extern const struct cli_cmd cli_cmd_status;

extern const struct cli_cmd cli_cmd_dag;

extern const struct cli_cmd cli_cmd_data;
extern const struct cli_cmd cli_cmd_serve;
extern const struct cli_cmd cli_cmd_import;

extern const struct cli_cmd cli_cmd_alerts;
extern const struct cli_cmd cli_cmd_silence;
extern const struct cli_cmd cli_cmd_triggers;
extern const struct cli_cmd cli_cmd_trigger;

extern const struct cli_cmd cli_cmd_watch;
extern const struct cli_cmd cli_cmd_monitor;

#endif
