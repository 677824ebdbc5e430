/* cmd-init.c - `plumb init`: create a store (and upgrade an old one). */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	char dir[PATH_MAX];
	pl_store *st = NULL;
	int c, quiet = 0, rc;

	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		if (c == 'q')
			quiet = 1;
		else
			return cli_usage("init", "bad option");
	}
	if (argc - optind > 1)
		return cli_usage("init", "too many arguments");
	if (cli_g.store_dir)
		snprintf(dir, sizeof dir, "%s", cli_g.store_dir);
	else if (optind < argc)
		snprintf(dir, sizeof dir, "%s/%s", argv[optind],
		    PL_STORE_DIRNAME);
	else if (getenv("PLUMB_STORE") && *getenv("PLUMB_STORE"))
		snprintf(dir, sizeof dir, "%s", getenv("PLUMB_STORE"));
	else
		snprintf(dir, sizeof dir, "%s", PL_STORE_DIRNAME);
	rc = pl_store_init(&st, dir);
	if (rc != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return CLI_ERROR;
	}
	if (!quiet) {
		fputs("plumb store ready in ", stdout);
		cli_put_safe(stdout, pl_store_dir(st));
		printf(" (schema %d)\n", pl_store_schema_version(st));
	}
	pl_store_close(st);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_init = {
	"init", run, "create a store (.plumb/) in a directory",
	"usage: plumb init [-q] [DIR]\n"
	"\n"
	"Creates a plumb store: DIR/.plumb (default: ./.plumb), or the\n"
	"directory named by --store or PLUMB_STORE.  Running it on an existing\n"
	"store is harmless and upgrades an older schema in place.\n"
	"\n"
	"  -q, --quiet   print nothing on success\n",
};
