/* cmd-metrics.c - `plumb metrics RUN [KEY]`: a metric's whole series, or the run's keys. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "fmt.h"
#include "json.h"
#include "runref.h"
#include "table.h"

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "csv", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	char id[PL_ID_LEN + 1], nb[40];
	pl_store *st = NULL;
	pl_point *pts = NULL;
	pl_metric_summary *m = NULL;
	size_t n = 0;
	int c, json = 0, csv = 0, status = CLI_ERROR;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else if (c == 'C')
			csv = 1;
		else
			return cli_usage("metrics", "bad option");
	}
	if (json && csv)
		return cli_usage("metrics", "choose --json or --csv");
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("metrics", "expected RUN [KEY]");
	if (cli_open_store(&st, 0) != CLI_OK)
		return CLI_ERROR;
	if (cli_resolve_run(id, st, argv[optind]) != CLI_OK)
		goto out;
	if (argc - optind == 1) {
		/* No key: the run's metric keys and their sizes. */
		if (pl_metric_summaries(&m, &n, st, id) != PL_OK) {
			cli_error("%s", pl_store_errmsg(st));
			goto out;
		}
		if (json) {
			struct buf b = BUF_INIT;
			struct json j;

			json_init(&j, &b);
			json_arr_begin(&j);
			for (size_t i = 0; i < n; i++) {
				json_obj_begin(&j);
				json_key(&j, "key"); json_str(&j, m[i].key);
				json_key(&j, "points"); json_int(&j, m[i].count);
				json_key(&j, "last"); json_num(&j, m[i].last);
				json_obj_end(&j);
			}
			json_arr_end(&j);
			printf("%s\n", buf_str(&b));
			buf_free(&b);
		} else {
			for (size_t i = 0; i < n; i++) {
				cli_put_safe(stdout, m[i].key);
				printf("%s%s%lld points%s\n", csv ? "," : "\t",
				    CLI_DIM, (long long)m[i].count, CLI_RESET);
			}
		}
		status = CLI_OK;
		goto out;
	}
	if (pl_metric_series(&pts, &n, st, id, argv[optind + 1]) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (json) {
		/* Streamed: a series may hold millions of points. */
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_key(&j, "run"); json_str(&j, id);
		json_key(&j, "key"); json_str(&j, argv[optind + 1]);
		json_key(&j, "points");
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_key(&j, "step"); json_int(&j, pts[i].step);
			json_key(&j, "timestamp"); json_int(&j, pts[i].ts_ms);
			json_key(&j, "value"); json_num(&j, pts[i].value);
			json_obj_end(&j);
			if (b.len > 1 << 16) {
				fwrite(b.p, 1, b.len, stdout);
				buf_clear(&b);
			}
		}
		json_arr_end(&j);
		json_obj_end(&j);
		buf_putc(&b, '\n');
		fwrite(buf_str(&b), 1, b.len, stdout);
		buf_free(&b);
	} else {
		if (csv)
			printf("step,timestamp,value\n");
		else
			printf("%s%12s  %-23s  %s%s\n", CLI_BOLD, "step",
			    "time", "value", CLI_RESET);
		for (size_t i = 0; i < n; i++) {
			char tb[32];

			if (csv)
				printf("%lld,%lld,%.17g\n",
				    (long long)pts[i].step,
				    (long long)pts[i].ts_ms, pts[i].value);
			else
				printf("%12lld  %s.%03lld  %s\n",
				    (long long)pts[i].step,
				    fmt_time(tb, sizeof tb, pts[i].ts_ms),
				    (long long)(pts[i].ts_ms % 1000),
				    fmt_num(nb, sizeof nb, pts[i].value));
		}
	}
	status = CLI_OK;
out:
	free(pts);
	pl_metric_summary_free(m, m ? n : 0);
	pl_store_close(st);
	return status;
}

const struct cli_cmd cli_cmd_metrics = {
	"metrics", run, "print a metric's whole series (or a run's metrics)",
	"usage: plumb metrics RUN [KEY] [--json | --csv]\n"
	"\n"
	"With KEY, prints every point of the metric in step order (then time).\n"
	"Without KEY, lists the run's metric keys and their number of points.\n"
	"\n"
	"      --json   {\"run\", \"key\", \"points\": [{step, timestamp, value}]}\n"
	"      --csv    step,timestamp,value (values with 17 digits: exact)\n",
};
