/* cmd-status.c - `plumb status`: which pipeline stages changed, and why. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd-pipeline.h"
#include "json.h"

/* Slurm jobs a killed plumb repro of this store left on the cluster
 * (asked of Slurm only when the store recorded such a run). */
static void
report_orphans(pl_store *st)
{
	pl_slurm_job *v = NULL;
	size_t n = 0;
	char err[256];

	if (st == NULL)
		return;		/* no store: no runs, no jobs of plumb's */
	if (pl_slurm_orphans(&v, &n, st, 1, err, sizeof err) != PL_OK ||
	    n == 0)
		return;
	fprintf(stderr, "plumb: %zu Slurm job%s of an earlier plumb repro "
	    "(killed) %s still on the cluster:", n, n == 1 ? "" : "s",
	    n == 1 ? "is" : "are");
	for (size_t i = 0; i < n; i++) {
		fputc(' ', stderr);
		cli_put_safe(stderr, v[i].id);
		fputs(" (", stderr);
		cli_put_safe(stderr, v[i].name);
		fputc(' ', stderr);
		cli_put_safe(stderr, v[i].state);
		fputc(')', stderr);
	}
	fprintf(stderr, "\nplumb: cancel or adopt them with plumb repro "
	    "--executor slurm --orphans=cancel|adopt\n");
	free(v);
}

/* The end of stage i's newest run, when it did not finish. */
static const pl_stage_end *
end_of(const pl_stage_end *e, size_t ne, size_t i)
{
	for (size_t k = 0; k < ne; k++)
		if (e[k].stage == i)
			return &e[k];
	return NULL;
}

static void
print_end(const pl_stage_end *e)
{
	fputs("    last run: ", stdout);
	cli_put_safe(stdout, e->words);
	printf(" [%s]", e->mark);
	if (e->job_id[0]) {
		fputs(" (Slurm job ", stdout);
		cli_put_safe(stdout, e->job_id);
		if (e->queue_wait[0]) {
			fputs(", queued ", stdout);
			cli_put_safe(stdout, e->queue_wait);
		}
		fputc(')', stdout);
	}
	printf(", run %.8s\n", e->run_id);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'J' },
		{ "check", no_argument, NULL, 'c' },
		{ "single-item", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL;
	int c, json = 0, check = 0, single = 0, status = CLI_ERROR, nchanged = 0;
	pl_pipeline *p = NULL;
	pl_store *st = NULL;
	pl_pipe_status *ss = NULL;
	pl_stage_end *ends = NULL;
	unsigned char *mask = NULL;
	size_t n = 0, nends = 0;
	char err[2048];

	while ((c = getopt_long(argc, argv, "f:s", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'J': json = 1; break;
		case 'c': check = 1; break;
		case 's': single = 1; break;
		default:
			return cli_usage("status", "bad option");
		}
	}
	if (pipe_load(&p, file, 0) != CLI_OK)
		goto out;
	if (pipe_open_store(&st, pl_pipeline_dir(p), 0) != CLI_OK)
		goto out;
	mask = calloc(pl_pipeline_nstages(p) + 1, 1);
	if (mask == NULL || pl_pipeline_select(p, mask, argv + optind,
	    (size_t)(argc - optind), single, err, sizeof err) != PL_OK) {
		cli_error("%s", mask ? err : "out of memory");
		goto out;
	}
	if (pl_pipeline_status(&ss, &n, st, p, mask, err, sizeof err) !=
	    PL_OK) {
		cli_error("%s", err);
		goto out;
	}
	/* how the stages that did not finish last time ended (best
	 * effort: a store without runs has none) */
	if (st && pl_pipeline_last_ends(&ends, &nends, st, p) != PL_OK) {
		ends = NULL;
		nends = 0;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		for (size_t i = 0; i < n; i++) {
			const pl_pipe_stage *s = pl_pipeline_stage(p, ss[i].stage);

			json_key(&j, s->name);
			json_obj_begin(&j);
			json_key(&j, "changed");
			json_bool(&j, ss[i].changed);
			json_key(&j, "frozen");
			json_bool(&j, ss[i].frozen);
			json_key(&j, "restorable");
			json_bool(&j, ss[i].restorable);
			json_key(&j, "reasons");
			json_arr_begin(&j);
			for (size_t k = 0; k < ss[i].nreasons; k++)
				json_str(&j, ss[i].reasons[k]);
			json_arr_end(&j);
			if (end_of(ends, nends, ss[i].stage)) {
				const pl_stage_end *e = end_of(ends, nends,
				    ss[i].stage);

				json_key(&j, "last_run");
				json_obj_begin(&j);
				json_key(&j, "end");
				json_str(&j, e->words);
				json_key(&j, "mark");
				json_str(&j, e->mark);
				json_key(&j, "run");
				json_str(&j, e->run_id);
				if (e->job_id[0]) {
					json_key(&j, "slurm_job_id");
					json_str(&j, e->job_id);
				}
				if (e->queue_wait[0]) {
					json_key(&j, "queue_wait");
					json_str(&j, e->queue_wait);
				}
				json_obj_end(&j);
			}
			json_obj_end(&j);
			nchanged += ss[i].changed;
		}
		json_obj_end(&j);
		puts(buf_str(&b));
		buf_free(&b);
	} else {
		for (size_t i = 0; i < n; i++) {
			const pl_pipe_stage *s = pl_pipeline_stage(p, ss[i].stage);

			if (!ss[i].changed)
				continue;
			nchanged++;
			printf("%s%s%s", CLI_BOLD, s->name, CLI_RESET);
			if (ss[i].restorable)
				printf("  (outputs restorable from the cache)");
			putchar('\n');
			for (size_t k = 0; k < ss[i].nreasons; k++) {
				fputs("    ", stdout);
				cli_put_safe(stdout, ss[i].reasons[k]);
				putchar('\n');
			}
			if (end_of(ends, nends, ss[i].stage))
				print_end(end_of(ends, nends, ss[i].stage));
		}
		if (nchanged == 0)
			printf("Pipeline is up to date (%zu stage%s).\n", n,
			    n == 1 ? "" : "s");
	}
	status = check && nchanged ? CLI_ERROR : CLI_OK;
	report_orphans(st);
out:
	pl_pipe_status_free(ss, n);
	free(ends);
	free(mask);
	pl_pipeline_free(p);
	pl_store_close(st);
	return status;
}

const struct cli_cmd cli_cmd_status = {
	"status", run, "show which pipeline stages changed, and why",
	"usage: plumb status [-f FILE] [--json] [--check] [-s] [TARGET...]\n"
	"\n"
	"Compares every stage (or the TARGETs and their upstream stages) with\n"
	"plumb.lock and lists what changed: the command, a dep (changed,\n"
	"missing, new, removed), a param (with its old and new value), or an\n"
	"output that is missing or was modified (restorable from the cache\n"
	"without running when nothing else changed).  Unchanged files are not\n"
	"read again: their hashes come from the store's memo.\n"
	"\n"
	"  -f, --file FILE    the pipeline file (default plumb.yaml, dvc.yaml)\n"
	"      --json         one object per stage: changed, frozen,\n"
	"                     restorable, reasons\n"
	"      --check        exit 1 when some stage changed (for CI)\n"
	"  -s, --single-item  only the TARGETs, not their upstream stages\n",
};
