/* cmd-fsck.c - `plumb fsck`: check a store's integrity. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int
run(int argc, char **argv)
{
	pl_store *st = NULL;
	char *report = NULL;
	int rc;

	if (argc > 1)
		return cli_usage("fsck", "unexpected argument '%s'", argv[1]);
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		return CLI_ERROR;
	rc = pl_store_check(&report, st);
	if (rc == PL_OK) {
		printf("%s: ok\n", pl_store_dir(st));
	} else if (rc == PL_ECORRUPT) {
		cli_error("%s is damaged:", pl_store_dir(st));
		cli_put_safe(stderr, report);
		fputc('\n', stderr);
	} else {
		cli_error("%s", pl_store_errmsg(st));
	}
	free(report);
	pl_store_close(st);
	return rc == PL_OK ? CLI_OK : CLI_ERROR;
}

const struct cli_cmd cli_cmd_fsck = {
	"fsck", run, "check the store's integrity",
	"usage: plumb fsck\n"
	"\n"
	"Runs SQLite's integrity check and plumb's foreign-key checks on the\n"
	"store without changing it.  Exit status 0 when sound, 1 otherwise.\n",
};
