/* cmd-experiments.c - `plumb experiments`: experiments and their run counts. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cli.h"
#include "fmt.h"
#include "json.h"
#include "table.h"

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	pl_store *st = NULL;
	pl_experiment *e = NULL;
	size_t n = 0;
	int c, json = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else
			return cli_usage("experiments", "bad option");
	}
	if (optind < argc)
		return cli_usage("experiments", "unexpected argument");
	if (cli_open_store(&st, 0) != CLI_OK)
		return CLI_ERROR;
	if (pl_experiments(&e, &n, st) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return CLI_ERROR;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_key(&j, "name"); json_str(&j, e[i].name);
			json_key(&j, "runs"); json_int(&j, e[i].runs);
			json_key(&j, "running"); json_int(&j, e[i].running);
			json_key(&j, "created"); json_int(&j, e[i].created_ms);
			json_key(&j, "last_run");
			if (e[i].last_run_ms) json_int(&j, e[i].last_run_ms);
			else json_null(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		printf("%s\n", buf_str(&b));
		buf_free(&b);
	} else {
		static const char *const h[] = { "experiment", "runs",
		    "running", "last run" };
		struct table *t = table_new(4, h);

		table_set_flags(t, 1, TABLE_RIGHT);
		table_set_flags(t, 2, TABLE_RIGHT);
		for (size_t i = 0; i < n; i++) {
			char a[24], b[24], tb[32];
			const char *cells[4];

			snprintf(a, sizeof a, "%lld", (long long)e[i].runs);
			snprintf(b, sizeof b, "%lld", (long long)e[i].running);
			cells[0] = e[i].name;
			cells[1] = a;
			cells[2] = b;
			cells[3] = fmt_time(tb, sizeof tb, e[i].last_run_ms);
			table_add_row(t, cells);
		}
		table_print(t, stdout, table_term_width());
		table_free(t);
	}
	pl_experiment_list_free(e, n);
	pl_store_close(st);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_experiments = {
	"experiments", run, "list experiments and their runs",
	"usage: plumb experiments [--json]\n"
	"\n"
	"Lists experiments with their number of runs, how many are running,\n"
	"and when the last one started.  Runs made without -e belong to the\n"
	"experiment 'Default'.\n"
	"\n"
	"      --json   [{name, runs, running, created, last_run}]\n",
};
