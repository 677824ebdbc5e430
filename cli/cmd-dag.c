/* cmd-dag.c - `plumb dag`: the stage graph as text or Graphviz dot. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd-pipeline.h"

/* A name in dot syntax: always quoted, quotes and backslashes escaped. */
static void
dot_name(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "dot", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL;
	int c, dot = 0, status = CLI_ERROR;
	pl_pipeline *p = NULL;
	unsigned char *mask = NULL, *level_done;
	size_t n, *level = NULL, maxlevel = 0;
	const size_t *order;
	char err[1024];

	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'd': dot = 1; break;
		default:
			return cli_usage("dag", "bad option");
		}
	}
	if (pipe_load(&p, file, PL_PIPE_GRAPH_ONLY) != CLI_OK)
		goto out;
	n = pl_pipeline_nstages(p);
	order = pl_pipeline_order(p);
	mask = calloc(n + 1, 1);
	level = calloc(n + 1, sizeof *level);
	if (mask == NULL || level == NULL) {
		cli_error("out of memory");
		goto out;
	}
	if (pl_pipeline_select(p, mask, argv + optind, (size_t)(argc - optind),
	    0, err, sizeof err) != PL_OK) {
		cli_error("%s", err);
		goto out;
	}
	/* level: the longest path from a stage without upstream */
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k], nup;
		const size_t *up;

		pl_pipeline_upstream(p, i, &up, &nup);
		for (size_t j = 0; j < nup; j++)
			if (level[up[j]] + 1 > level[i])
				level[i] = level[up[j]] + 1;
		if (mask[i] && level[i] > maxlevel)
			maxlevel = level[i];
	}
	if (dot) {
		printf("digraph pipeline {\n\trankdir=LR;\n\tnode [shape=box];\n");
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k], nd;
			const size_t *down;

			if (!mask[i])
				continue;
			putchar('\t');
			dot_name(pl_pipeline_stage(p, i)->name);
			printf(";\n");
			pl_pipeline_downstream(p, i, &down, &nd);
			for (size_t j = 0; j < nd; j++) {
				if (!mask[down[j]])
					continue;
				putchar('\t');
				dot_name(pl_pipeline_stage(p, i)->name);
				printf(" -> ");
				dot_name(pl_pipeline_stage(p, down[j])->name);
				printf(";\n");
			}
		}
		printf("}\n");
		status = CLI_OK;
		goto out;
	}
	level_done = mask;	/* reuse: print level by level */
	for (size_t lv = 0; lv <= maxlevel; lv++) {
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k], nup;
			const size_t *up;
			int first = 1;

			if (!level_done[i] || level[i] != lv)
				continue;
			printf("%*s%s%s%s", (int)(2 * lv), "", CLI_BOLD,
			    pl_pipeline_stage(p, i)->name, CLI_RESET);
			pl_pipeline_upstream(p, i, &up, &nup);
			for (size_t j = 0; j < nup; j++) {
				if (!mask[up[j]])
					continue;
				printf("%s%s", first ? "  <- " : ", ",
				    pl_pipeline_stage(p, up[j])->name);
				first = 0;
			}
			putchar('\n');
		}
	}
	status = CLI_OK;
out:
	free(mask);
	free(level);
	pl_pipeline_free(p);
	return status;
}

const struct cli_cmd cli_cmd_dag = {
	"dag", run, "show the pipeline's stage graph",
	"usage: plumb dag [-f FILE] [--dot] [TARGET...]\n"
	"\n"
	"Shows the stages (or the TARGETs and their upstream stages) by depth,\n"
	"each with the stages it depends on (`train  <- prep, features`).  A\n"
	"stage depends on another when one of its deps is, contains or lies\n"
	"inside one of the other's outputs.\n"
	"\n"
	"  -f, --file FILE  the pipeline file (default plumb.yaml, dvc.yaml)\n"
	"      --dot        Graphviz dot (plumb dag --dot | dot -Tsvg)\n",
};
