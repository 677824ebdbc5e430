/* cmd-show.c - `plumb show RUN`: everything recorded about one run. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "fmt.h"
#include "json.h"
#include "runref.h"
#include "table.h"

static void
field(const char *name, const char *value)
{
	printf("%s%-12s%s ", CLI_BOLD, name, CLI_RESET);
	cli_put_safe(stdout, value ? value : "-");
	putchar('\n');
}

static void
show_json(pl_run_info *ri, pl_kvlist *params, pl_kvlist *tags,
    pl_metric_summary *m, size_t nm, pl_artifact *a, size_t na,
    const pl_dataset_input *in, size_t nin, pl_store *st)
{
	struct buf b = BUF_INIT;
	struct json j;
	char *p;

	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "id"); json_str(&j, ri->id);
	json_key(&j, "experiment"); json_str(&j, ri->experiment);
	json_key(&j, "name"); json_str(&j, ri->name);
	json_key(&j, "status"); json_str(&j, pl_run_status_name(ri->status));
	json_key(&j, "user"); json_str(&j, ri->user);
	json_key(&j, "host"); json_str(&j, ri->host);
	json_key(&j, "cwd"); json_str(&j, ri->cwd);
	json_key(&j, "command"); json_str(&j, ri->command);
	json_key(&j, "exit_status");
	if (ri->has_exit_status) json_int(&j, ri->exit_status);
	else json_null(&j);
	json_key(&j, "start_time"); json_int(&j, ri->start_ms);
	json_key(&j, "end_time");
	if (ri->end_ms) json_int(&j, ri->end_ms); else json_null(&j);
	json_key(&j, "parent"); json_str(&j, ri->parent[0] ? ri->parent : NULL);
	json_key(&j, "message"); json_str(&j, ri->message);
	json_key(&j, "bad_lines"); json_int(&j, ri->bad_lines);
	json_key(&j, "git");
	json_obj_begin(&j);
	json_key(&j, "commit"); json_str(&j, ri->git.commit);
	json_key(&j, "branch"); json_str(&j, ri->git.branch);
	json_key(&j, "dirty");
	if (ri->git.dirty >= 0) json_bool(&j, ri->git.dirty); else json_null(&j);
	json_key(&j, "diff_sha256"); json_str(&j, ri->git.diff_hash);
	json_obj_end(&j);
	for (int pass = 0; pass < 2; pass++) {
		pl_kvlist *kv = pass ? tags : params;

		json_key(&j, pass ? "tags" : "params");
		json_obj_begin(&j);
		for (size_t i = 0; i < kv->n; i++) {
			json_key(&j, kv->items[i].key);
			json_str(&j, kv->items[i].value);
		}
		json_obj_end(&j);
	}
	json_key(&j, "metrics");
	json_obj_begin(&j);
	for (size_t i = 0; i < nm; i++) {
		json_key(&j, m[i].key);
		json_obj_begin(&j);
		json_key(&j, "last"); json_num(&j, m[i].last);
		json_key(&j, "step"); json_int(&j, m[i].last_step);
		json_key(&j, "timestamp"); json_int(&j, m[i].last_ts);
		json_key(&j, "min"); json_num(&j, m[i].min);
		json_key(&j, "max"); json_num(&j, m[i].max);
		json_key(&j, "count"); json_int(&j, m[i].count);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_key(&j, "artifacts");
	json_arr_begin(&j);
	for (size_t i = 0; i < na; i++) {
		json_obj_begin(&j);
		json_key(&j, "path"); json_str(&j, a[i].path);
		json_key(&j, "sha256"); json_str(&j, a[i].sha256);
		json_key(&j, "size"); json_int(&j, a[i].size);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "inputs");
	json_arr_begin(&j);
	for (size_t i = 0; i < nin; i++) {
		json_obj_begin(&j);
		json_key(&j, "name"); json_str(&j, in[i].name);
		json_key(&j, "digest"); json_str(&j, in[i].digest);
		json_key(&j, "source_type"); json_str(&j, in[i].source_type);
		json_key(&j, "source"); json_str(&j, in[i].source);
		json_key(&j, "tags");
		json_obj_begin(&j);
		for (size_t k = 0; k < in[i].ntags; k++) {
			json_key(&j, in[i].tags[k].key);
			json_str(&j, in[i].tags[k].value);
		}
		json_obj_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "logs");
	json_obj_begin(&j);
	p = pl_run_log_path(st, ri->id, "stdout");
	json_key(&j, "stdout"); json_str(&j, p);
	free(p);
	p = pl_run_log_path(st, ri->id, "stderr");
	json_key(&j, "stderr"); json_str(&j, p);
	free(p);
	json_obj_end(&j);
	json_obj_end(&j);
	buf_putc(&b, '\n');
	fputs(buf_str(&b), stdout);
	buf_free(&b);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	char id[PL_ID_LEN + 1], t1[32], t2[32], tmp[128];
	pl_store *st = NULL;
	pl_run_info *ri = NULL;
	pl_kvlist *params = NULL, *tags = NULL;
	pl_metric_summary *m = NULL;
	pl_artifact *a = NULL;
	pl_dataset_input *in = NULL;
	size_t nin = 0;
	size_t nm = 0, na = 0;
	int c, json = 0, status = CLI_ERROR;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else
			return cli_usage("show", "bad option");
	}
	if (argc - optind != 1)
		return cli_usage("show", "expected one run id");
	if (cli_open_store(&st, 0) != CLI_OK)
		return CLI_ERROR;
	if (cli_resolve_run(id, st, argv[optind]) != CLI_OK)
		goto out;
	if (pl_run_get(&ri, st, id) != PL_OK ||
	    pl_run_params(&params, st, id) != PL_OK ||
	    pl_run_tags(&tags, st, id) != PL_OK ||
	    pl_metric_summaries(&m, &nm, st, id) != PL_OK ||
	    pl_run_artifacts(&a, &na, st, id) != PL_OK ||
	    pl_run_inputs(&in, &nin, st, id) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (json) {
		show_json(ri, params, tags, m, nm, a, na, in, nin, st);
		status = CLI_OK;
		goto out;
	}
	printf("%srun %s%s\n", CLI_BOLD, ri->id, CLI_RESET);
	field("experiment", ri->experiment);
	field("name", ri->name);
	printf("%s%-12s%s %s%s%s", CLI_BOLD, "status", CLI_RESET,
	    fmt_status_color(pl_run_status_name(ri->status)) ?
	    cli_color(fmt_status_color(pl_run_status_name(ri->status))) : "",
	    pl_run_status_name(ri->status), CLI_RESET);
	if (ri->has_exit_status)
		printf(" (exit %d)", ri->exit_status);
	putchar('\n');
	if (ri->message)
		field("reason", ri->message);
	field("command", ri->command);
	field("directory", ri->cwd);
	snprintf(tmp, sizeof tmp, "%s@%s", ri->user ? ri->user : "?",
	    ri->host ? ri->host : "?");
	field("by", tmp);
	/* a batch job: queued time is not run time, so it is said apart
	 * (the run starts at the batch system's StartTime) */
	for (size_t i = 0; i < tags->n; i++)
		if (strcmp(tags->items[i].key, "slurm.submit_time") == 0) {
			const char *w = NULL;

			for (size_t k = 0; k < tags->n; k++)
				if (!strcmp(tags->items[k].key,
				    "slurm.queue_wait"))
					w = tags->items[k].value;
			snprintf(tmp, sizeof tmp, "%s (Slurm; waited %s)",
			    tags->items[i].value, w ? w : "?");
			field("queued", tmp);
		}
	field("started", fmt_time(t1, sizeof t1, ri->start_ms));
	if (ri->end_ms) {
		snprintf(tmp, sizeof tmp, "%s (%s)",
		    fmt_time(t1, sizeof t1, ri->end_ms),
		    fmt_duration(t2, sizeof t2, ri->end_ms - ri->start_ms));
		field("ended", tmp);
	}
	if (ri->git.commit) {
		snprintf(tmp, sizeof tmp, "%.12s%s%s%s", ri->git.commit,
		    ri->git.branch ? " (" : "",
		    ri->git.branch ? ri->git.branch : "",
		    ri->git.branch ? ")" : "");
		field("commit", tmp);
		if (ri->git.dirty == 1) {
			snprintf(tmp, sizeof tmp, "dirty, diff sha256 %.16s",
			    ri->git.diff_hash ? ri->git.diff_hash : "?");
			field("worktree", tmp);
		} else if (ri->git.dirty == 0) {
			field("worktree", "clean");
		}
	} else {
		field("commit", "(not in a git repository)");
	}
	if (ri->parent[0])
		field("parent", ri->parent);
	if (ri->bad_lines) {
		snprintf(tmp, sizeof tmp, "%lld malformed protocol lines",
		    (long long)ri->bad_lines);
		field("warnings", tmp);
	}
	if (params->n) {
		printf("\n%sparams%s\n", CLI_BOLD, CLI_RESET);
		for (size_t i = 0; i < params->n; i++) {
			fputs("  ", stdout);
			cli_put_safe(stdout, params->items[i].key);
			fputs(" = ", stdout);
			cli_put_safe(stdout, params->items[i].value);
			putchar('\n');
		}
	}
	if (tags->n) {
		printf("\n%stags%s\n", CLI_BOLD, CLI_RESET);
		for (size_t i = 0; i < tags->n; i++) {
			fputs("  ", stdout);
			cli_put_safe(stdout, tags->items[i].key);
			fputs(" = ", stdout);
			cli_put_safe(stdout, tags->items[i].value);
			putchar('\n');
		}
	}
	if (nm) {
		static const char *const h[] = { "metric", "last", "step",
		    "min", "max", "points" };
		struct table *t = table_new(6, h);
		char b[5][32];

		for (int k = 1; k < 6; k++)
			table_set_flags(t, (size_t)k, TABLE_RIGHT);
		printf("\n");
		for (size_t i = 0; i < nm; i++) {
			const char *cells[6];

			cells[0] = m[i].key;
			cells[1] = fmt_num(b[0], 32, m[i].last);
			snprintf(b[1], 32, "%lld", (long long)m[i].last_step);
			cells[2] = b[1];
			cells[3] = fmt_num(b[2], 32, m[i].min);
			cells[4] = fmt_num(b[3], 32, m[i].max);
			snprintf(b[4], 32, "%lld", (long long)m[i].count);
			cells[5] = b[4];
			table_add_row(t, cells);
		}
		table_print(t, stdout, table_term_width());
		table_free(t);
	}
	if (na) {
		printf("\n%sartifacts%s\n", CLI_BOLD, CLI_RESET);
		for (size_t i = 0; i < na; i++) {
			printf("  %.12s  %10lld  ", a[i].sha256,
			    (long long)a[i].size);
			cli_put_safe(stdout, a[i].path);
			putchar('\n');
		}
	}
	if (nin) {
		/* (names and sources are the client's text) */
		printf("\n%sinputs%s\n", CLI_BOLD, CLI_RESET);
		for (size_t i = 0; i < nin; i++) {
			printf("  ");
			cli_put_safe(stdout, in[i].name);
			printf("  ");
			cli_put_safe(stdout, in[i].digest);
			printf("  ");
			cli_put_safe(stdout, in[i].source_type);
			printf(" ");
			cli_put_safe(stdout, in[i].source);
			for (size_t k = 0; k < in[i].ntags; k++) {
				printf("%s", k ? ", " : "  (");
				cli_put_safe(stdout, in[i].tags[k].key);
				putchar('=');
				cli_put_safe(stdout, in[i].tags[k].value);
			}
			printf("%s\n", in[i].ntags ? ")" : "");
		}
	}
	{
		char *p = pl_run_log_path(st, id, "stdout");

		printf("\n%slogs%s        ", CLI_BOLD, CLI_RESET);
		cli_put_safe(stdout, p);
		fputs(" (and stderr.log)\n", stdout);
		free(p);
	}
	status = CLI_OK;
out:
	pl_run_info_free(ri);
	pl_kvlist_free(params);
	pl_kvlist_free(tags);
	pl_metric_summary_free(m, nm);
	pl_artifact_list_free(a, na);
	pl_dataset_inputs_free(in, nin);
	pl_store_close(st);
	return status;
}

const struct cli_cmd cli_cmd_show = {
	"show", run, "show everything recorded about a run",
	"usage: plumb show RUN [--json]\n"
	"\n"
	"Shows a run's attributes, code version, params, tags, metrics\n"
	"(latest, min, max, number of points), artifacts and log files.  RUN\n"
	"is a run id or any unique prefix of one.\n"
	"\n"
	"      --json   one JSON object (documented in plumb(1))\n",
};
