/* cmd-fsck.c - `plumb fsck`: check a store's integrity; --repair removes what dead processes left in tmp/. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Deploys that started and never reported (kill -9 during a promote). */
static void
report_unfinished(pl_store *st)
{
	pl_audit_entry *e = NULL;
	size_t n = 0;

	if (pl_audit_unfinished(&e, &n, st) != PL_OK) {
		cli_error("reading the audit log: %s", pl_store_errmsg(st));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char when[32], *det = e[i].detail ? e[i].detail : "";
		const char *colon = strstr(det, ": starting");
		time_t t = (time_t)(e[i].time_ms / 1000);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
		printf("unfinished deploy: audit #%lld, %s: deploy of ",
		    (long long)e[i].id, when);
		cli_put_safe(stdout, e[i].object ? e[i].object : "?");
		fputs(" (", stdout);
		if (colon) {
			char *t2 = strndup(det, (size_t)(colon - det));

			cli_put_safe(stdout, t2 ? t2 : "");
			free(t2);
		}
		printf(") by pid %ld started, and no outcome was recorded: "
		    "the process died mid-deploy.  The target may run the new "
		    "version or the old one; check it, then promote again.\n",
		    e[i].pid);
	}
	pl_audit_list_free(e, n);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repair", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	pl_store *st = NULL;
	char *report = NULL, **left = NULL;
	size_t nleft = 0, held = 0;
	int rc, c, repair = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': repair = 1; break;
		default: return cli_usage("fsck", "bad option");
		}
	}
	if (argc != optind)
		return cli_usage("fsck", "unexpected argument '%s'",
		    argv[optind]);
	if (cli_open_store(&st, repair ? 0 : PL_OPEN_READONLY) != CLI_OK)
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
	/* tmp/ leftovers: reported always, removed with --repair (never a
	 * file a live plumb process holds) */
	if (pl_store_tmp_leftovers(&left, &nleft, &held, st, repair) !=
	    PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		rc = PL_EIO;
	} else {
		for (size_t i = 0; i < nleft; i++) {
			printf("%s tmp/", repair ? "removed" : "leftover");
			cli_put_safe(stdout, left[i]);
			fputc('\n', stdout);
		}
		if (nleft && !repair)
			printf("%zu leftover temporary file%s of plumb "
			    "processes that died; `plumb fsck --repair` "
			    "removes them\n", nleft, nleft == 1 ? "" : "s");
		if (held)
			printf("%zu temporary file%s held by running plumb "
			    "processes (left alone)\n", held,
			    held == 1 ? "" : "s");
	}
	pl_store_tmp_free(left, nleft);
	report_unfinished(st);
	free(report);
	pl_store_close(st);
	return rc == PL_OK ? CLI_OK : CLI_ERROR;
}

const struct cli_cmd cli_cmd_fsck = {
	"fsck", run, "check the store's integrity",
	"usage: plumb fsck [--repair]\n"
	"\n"
	"Runs SQLite's integrity check and plumb's foreign-key checks on the\n"
	"store without changing it, lists temporary files in the store's tmp/\n"
	"that plumb processes left when they died (kill -9 during plumb data\n"
	"add), and explains deploys whose intent is in the audit log without\n"
	"an outcome (a plumb model promote killed mid-deploy).\n"
	"\n"
	"  --repair   remove those leftover temporary files; a file that a\n"
	"             running plumb process holds (its name carries the pid and\n"
	"             the process's start time) is never removed\n"
	"\n"
	"Exit status 0 when the store is sound (leftovers are reported, not\n"
	"failures), 1 otherwise.\n",
};
