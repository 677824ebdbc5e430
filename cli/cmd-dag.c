/* cmd-dag.c - `plumb dag`: the stage graph as text or Graphviz dot. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd-pipeline.h"
#include "json.h"

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

/*
 * The graph as data (stable: keys are added, never renamed):
 *   {"file": F, "stages": [{"name", "group", "cmd": [...], "wdir",
 *    "deps": [...], "outs": [{"path", "type", "cache", "persist"}],
 *    "params": [{"file", "key"}], "frozen", "always_changed",
 *    "upstream": [...]}], "edges": [{"from", "to", "via"}],
 *    "order": [...]}
 * Paths are relative to the pipeline file's directory, after wdir: the
 * paths the graph compares.  Stages in file order; edges by the file
 * order of "to", then of "from".
 */
static void
dag_json(const pl_pipeline *p, const unsigned char *mask)
{
	static const char *const kinds[] = { "out", "metric", "plot" };
	size_t n = pl_pipeline_nstages(p);
	const size_t *order = pl_pipeline_order(p);
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "file");
	json_str(&j, pl_pipeline_file(p));
	json_key(&j, "stages");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const pl_pipe_stage *s = pl_pipeline_stage(p, i);
		const size_t *up;
		size_t nup;

		if (!mask[i])
			continue;
		json_obj_begin(&j);
		json_key(&j, "name");
		json_str(&j, s->name);
		json_key(&j, "group");
		if (s->group)
			json_str(&j, s->group);
		else
			json_null(&j);
		json_key(&j, "cmd");
		json_arr_begin(&j);
		for (size_t k = 0; k < s->ncmds; k++)
			json_str(&j, s->cmds[k]);
		json_arr_end(&j);
		json_key(&j, "wdir");
		json_str(&j, s->wdir);
		json_key(&j, "deps");
		json_arr_begin(&j);
		for (size_t k = 0; k < s->ndeps; k++)
			json_str(&j, s->deps[k].wpath);
		json_arr_end(&j);
		json_key(&j, "outs");
		json_arr_begin(&j);
		for (size_t k = 0; k < s->nouts; k++) {
			json_obj_begin(&j);
			json_key(&j, "path");
			json_str(&j, s->outs[k].wpath);
			json_key(&j, "type");
			json_str(&j, kinds[s->outs[k].kind]);
			json_key(&j, "cache");
			json_bool(&j, s->outs[k].cache);
			json_key(&j, "persist");
			json_bool(&j, s->outs[k].persist);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_key(&j, "params");
		json_arr_begin(&j);
		for (size_t k = 0; k < s->nparams; k++) {
			json_obj_begin(&j);
			json_key(&j, "file");
			json_str(&j, s->params[k].wfile);
			json_key(&j, "key");
			if (s->params[k].key)
				json_str(&j, s->params[k].key);
			else
				json_null(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_key(&j, "frozen");
		json_bool(&j, s->frozen);
		json_key(&j, "always_changed");
		json_bool(&j, s->always_changed);
		json_key(&j, "upstream");
		json_arr_begin(&j);
		pl_pipeline_upstream(p, i, &up, &nup);
		for (size_t f = 0; f < n; f++)	/* in file order */
			for (size_t k = 0; k < nup; k++)
				if (up[k] == f && mask[f])
					json_str(&j, pl_pipeline_stage(p,
					    f)->name);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "edges");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const size_t *up;
		size_t nup;

		if (!mask[i])
			continue;
		pl_pipeline_upstream(p, i, &up, &nup);
		for (size_t f = 0; f < n; f++)
			for (size_t k = 0; k < nup; k++) {
				if (up[k] != f || !mask[f])
					continue;
				json_obj_begin(&j);
				json_key(&j, "from");
				json_str(&j, pl_pipeline_stage(p, f)->name);
				json_key(&j, "to");
				json_str(&j, pl_pipeline_stage(p, i)->name);
				json_key(&j, "via");
				json_str(&j, pl_pipeline_upstream_via(p, i, k));
				json_obj_end(&j);
			}
	}
	json_arr_end(&j);
	json_key(&j, "order");
	json_arr_begin(&j);
	for (size_t k = 0; k < n; k++)
		if (mask[order[k]])
			json_str(&j, pl_pipeline_stage(p, order[k])->name);
	json_arr_end(&j);
	json_obj_end(&j);
	puts(buf_str(&b));
	buf_free(&b);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "dot", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL;
	int c, dot = 0, json = 0, status = CLI_ERROR;
	pl_pipeline *p = NULL;
	unsigned char *mask = NULL, *level_done;
	size_t n, *level = NULL, maxlevel = 0;
	const size_t *order;
	char err[1024];

	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'd': dot = 1; break;
		case 'J': json = 1; break;
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
	if (json) {
		dag_json(p, mask);
		status = CLI_OK;
		goto out;
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
	"usage: plumb dag [-f FILE] [--dot | --json] [TARGET...]\n"
	"\n"
	"Shows the stages (or the TARGETs and their upstream stages) by depth,\n"
	"each with the stages it depends on (`train  <- prep, features`).  A\n"
	"stage depends on another when one of its deps is, contains or lies\n"
	"inside one of the other's outputs.\n"
	"\n"
	"  -f, --file FILE  the pipeline file (default plumb.yaml, dvc.yaml)\n"
	"      --dot        Graphviz dot (plumb dag --dot | dot -Tsvg)\n"
	"      --json       the graph as data: stages (cmd, wdir, deps, outs,\n"
	"                   params, upstream), edges with the dep that makes\n"
	"                   each, a topological order (see plumb-repro(1))\n",
};
