/* alert-eval.c - test driver: evaluates plumb.yaml's alert rules over a store at the given times, as the watcher would. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "plumb.h"

/*
 * Usage: alert-eval STORE_DIR PLUMB_YAML T_MS...  One pl_alerting handle
 * evaluates at each time in turn (a fake clock), so states progress as
 * under `plumb watch`; run it again to see a restart.  Exit 0, 1 when a
 * rule failed (message on stderr), 2 when the rules do not load
 * (FILE:LINE:COL on stderr).
 */
int
main(int argc, char **argv)
{
	pl_store *st = NULL;
	pl_config *cfg = NULL;
	pl_alerting *a = NULL;
	char err[2048];
	int status = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: alert-eval STORE_DIR PLUMB_YAML T_MS...\n");
		return 2;
	}
	if (pl_store_open(&st, argv[1], 0) != PL_OK) {
		fprintf(stderr, "alert-eval: %s\n", pl_store_errmsg(st));
		return 2;
	}
	if (pl_config_load(&cfg, argv[2], err, sizeof err) != PL_OK ||
	    pl_alerting_open(&a, st, cfg, err, sizeof err) != PL_OK) {
		fprintf(stderr, "%s\n", err);
		pl_config_free(cfg);
		pl_store_close(st);
		return 2;
	}
	for (int i = 3; i < argc; i++)
		if (pl_alerting_eval(a, strtoll(argv[i], NULL, 10)) != PL_OK) {
			fprintf(stderr, "alert-eval: %s\n",
			    pl_alerting_errmsg(a));
			status = 1;
		}
	printf("%zu rules\n", pl_alerting_nrules(a));
	pl_alerting_close(a);
	pl_config_free(cfg);
	pl_store_close(st);
	return status;
}
