/* cmd-drift.c - `plumb drift`: data drift of every column between a reference and a current CSV file. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "drift/drift.h"
#include "fmt.h"
#include "json.h"
#include "table.h"
#include "utf8.h"
#include "xalloc.h"

/* Splits "a,b,c" into a NULL-terminated vector (empty items dropped). */
static char **
split_list(const char *s, size_t *n)
{
	char *copy = xstrdup(s), *save = NULL;
	char **v = NULL;
	size_t k = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		v = xreallocarray(v, k + 2, sizeof *v);
		v[k++] = xstrdup(tok);
	}
	v = xreallocarray(v, k + 1, sizeof *v);
	v[k] = NULL;
	free(copy);
	*n = k;
	return v;
}

static void
free_list(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Appends to an option that may be given several times. */
static char **
add_list(char **v, size_t *n, const char *s)
{
	size_t k;
	char **more = split_list(s, &k);

	v = xreallocarray(v, *n + k + 1, sizeof *v);
	for (size_t i = 0; i < k; i++)
		v[(*n)++] = more[i];
	v[*n] = NULL;
	free(more);
	return v;
}

static int
parse_double(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static void
print_json(const pl_drift_report *r, const char *refp, const char *curp)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "reference");
	json_obj_begin(&j);
	json_key(&j, "path");
	json_str(&j, refp);
	json_key(&j, "rows");
	json_int(&j, (int64_t)pl_drift_reference_rows(r));
	json_obj_end(&j);
	json_key(&j, "current");
	json_obj_begin(&j);
	json_key(&j, "path");
	json_str(&j, curp);
	json_key(&j, "rows");
	json_int(&j, (int64_t)pl_drift_current_rows(r));
	json_obj_end(&j);
	json_key(&j, "columns");
	json_arr_begin(&j);
	for (size_t i = 0; i < pl_drift_ncolumns(r); i++) {
		const struct pl_drift_column *c = pl_drift_column(r, i);

		json_obj_begin(&j);
		json_key(&j, "name");
		json_str(&j, c->name);
		json_key(&j, "type");
		json_str(&j, c->type == PL_DRIFT_NUMERICAL ? "numerical" :
		    "categorical");
		json_key(&j, "method");
		if (c->method)
			json_str(&j, pl_drift_method_name(c->method));
		else
			json_null(&j);
		json_key(&j, "statistic");
		if (c->skipped)
			json_null(&j);
		else
			json_num(&j, c->statistic);
		json_key(&j, "p_value");
		if (c->skipped || !pl_drift_method_is_pvalue(c->method))
			json_null(&j);
		else
			json_num(&j, c->p_value);
		json_key(&j, "score");
		if (c->skipped)
			json_null(&j);
		else
			json_num(&j, c->score);
		json_key(&j, "threshold");
		if (c->skipped)
			json_null(&j);
		else
			json_num(&j, c->threshold);
		json_key(&j, "drift");
		json_bool(&j, c->drift);
		json_key(&j, "reference_count");
		json_int(&j, (int64_t)c->reference_count);
		json_key(&j, "current_count");
		json_int(&j, (int64_t)c->current_count);
		json_key(&j, "reference_missing");
		json_int(&j, (int64_t)c->reference_missing);
		json_key(&j, "current_missing");
		json_int(&j, (int64_t)c->current_missing);
		json_key(&j, "n_values");
		json_int(&j, (int64_t)c->n_values);
		json_key(&j, "skipped");
		json_bool(&j, c->skipped);
		if (c->skipped) {
			json_key(&j, "reason");
			json_str(&j, c->reason);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "tested");
	json_int(&j, (int64_t)pl_drift_tested(r));
	json_key(&j, "drifted");
	json_int(&j, (int64_t)pl_drift_drifted(r));
	json_key(&j, "share");
	json_num(&j, pl_drift_share(r));
	json_key(&j, "drift_share");
	json_num(&j, pl_drift_share_threshold(r));
	json_key(&j, "dataset_drift");
	json_bool(&j, pl_drift_dataset_drift(r));
	json_obj_end(&j);
	if (json_error(&j))
		xoom();
	fwrite(b.p, 1, b.len, stdout);
	fputc('\n', stdout);
	buf_free(&b);
}

static void
print_table(const pl_drift_report *r)
{
	static const char *const hdr[] = { "column", "type", "test", "score",
		"threshold", "drift" };
	struct table *t = table_new(6, hdr);
	char sbuf[64], tbuf[64];

	table_set_flags(t, 3, TABLE_RIGHT);
	table_set_flags(t, 4, TABLE_RIGHT);
	for (size_t i = 0; i < pl_drift_ncolumns(r); i++) {
		const struct pl_drift_column *c = pl_drift_column(r, i);
		const char *cells[6];

		cells[0] = c->name;
		cells[1] = c->type == PL_DRIFT_NUMERICAL ? "numerical" : "categorical";
		if (c->skipped) {
			cells[2] = NULL;
			cells[3] = NULL;
			cells[4] = NULL;
			cells[5] = "not tested";
		} else {
			cells[2] = pl_drift_method_name(c->method);
			cells[3] = fmt_num(sbuf, sizeof sbuf, c->score);
			cells[4] = fmt_num(tbuf, sizeof tbuf, c->threshold);
			cells[5] = c->drift ? "DRIFT" : "no";
		}
		table_add_row(t, cells);
		if (c->drift)
			table_set_cell_color(t, table_rows(t) - 1, 5, "31");
		else if (c->skipped)
			table_set_cell_color(t, table_rows(t) - 1, 5, "33");
	}
	table_print(t, stdout, table_term_width());
	table_free(t);
	printf("\n%zu of %zu tested columns drifted (share %.4g, dataset drift when >= %.4g): %s%s%s\n",
	    pl_drift_drifted(r), pl_drift_tested(r), pl_drift_share(r),
	    pl_drift_share_threshold(r),
	    pl_drift_dataset_drift(r) ? CLI_RED : CLI_GREEN,
	    pl_drift_dataset_drift(r) ? "DATASET DRIFT" : "no dataset drift",
	    CLI_RESET);
}

static int
run(int argc, char **argv)
{
	enum { O_CAT = 256, O_NUM, O_METHOD, O_THR, O_SHARE, O_JSON, O_DELIM,
		O_NA, O_THREADS };
	static const struct option opts[] = {
		{ "columns", required_argument, NULL, 'c' },
		{ "categorical", required_argument, NULL, O_CAT },
		{ "numerical", required_argument, NULL, O_NUM },
		{ "method", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "drift-share", required_argument, NULL, O_SHARE },
		{ "json", no_argument, NULL, O_JSON },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "na-values", required_argument, NULL, O_NA },
		{ "threads", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct pl_drift_opts o;
	char **cols = NULL, **cats = NULL, **nums = NULL, **nas = NULL;
	size_t ncols = 0, ncats = 0, nnums = 0, nnas = 0;
	int c, json = 0, status = CLI_OK, rc;
	pl_drift_report *rep = NULL;
	char err[1024];

	memset(&o, 0, sizeof o);
	o.threshold = NAN;
	o.drift_share = 0.5;
	while ((c = getopt_long(argc, argv, "c:m:t:d:j:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cols = add_list(cols, &ncols, optarg);
			break;
		case O_CAT:
			cats = add_list(cats, &ncats, optarg);
			break;
		case O_NUM:
			nums = add_list(nums, &nnums, optarg);
			break;
		case 'm':
			o.method = pl_drift_method_parse(optarg);
			if (o.method <= 0) {
				status = cli_usage("drift", "unknown --method '%s' (ks, chisquare, z, wasserstein, psi, jensenshannon, kl_div, hellinger, ed, anderson)",
				    optarg);
				goto out;
			}
			break;
		case 't':
			if (parse_double(optarg, &o.threshold) != 0 || o.threshold < 0) {
				status = cli_usage("drift", "--threshold wants a number >= 0, not '%s'", optarg);
				goto out;
			}
			break;
		case O_SHARE:
			if (parse_double(optarg, &o.drift_share) != 0 ||
			    o.drift_share <= 0 || o.drift_share > 1) {
				status = cli_usage("drift", "--drift-share wants a number in (0, 1], not '%s'", optarg);
				goto out;
			}
			break;
		case O_JSON:
			json = 1;
			break;
		case 'd':
			if (strcmp(optarg, "\\t") == 0 || strcmp(optarg, "tab") == 0)
				o.delimiter = '\t';
			else if (strlen(optarg) == 1 && optarg[0] != '"' &&
			    optarg[0] != '\n' && optarg[0] != '\r')
				o.delimiter = optarg[0];
			else {
				status = cli_usage("drift", "--delimiter wants one character (or 'tab')");
				goto out;
			}
			break;
		case O_NA:
			free_list(nas);
			nas = split_list(optarg, &nnas);
			break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 64) {
				status = cli_usage("drift", "--threads wants 1 to 64");
				goto out;
			}
			o.threads = (int)v;
			break;
		}
		default:
			status = cli_usage("drift", "bad option");
			goto out;
		}
	}
	if (argc - optind != 2) {
		status = cli_usage("drift", "expected REFERENCE.csv and CURRENT.csv");
		goto out;
	}
	o.columns = (const char *const *)cols;
	o.n_columns = ncols;
	o.categorical = (const char *const *)cats;
	o.n_categorical = ncats;
	o.numerical = (const char *const *)nums;
	o.n_numerical = nnums;
	if (nas) {
		o.na_values = (const char *const *)nas;
		o.n_na_values = nnas;
	}
	rc = pl_drift_files(&rep, argv[optind], argv[optind + 1], &o, err,
	    sizeof err);
	if (rc != PL_OK) {
		struct buf b = BUF_INIT;
		utf8_sanitize(&b, err, strlen(err), 0);
		status = cli_error("%s", buf_str(&b));
		buf_free(&b);
		goto out;
	}
	/* Notes (a --method that does not fit a column, skipped columns). */
	{
		const char *notes = pl_drift_notes(rep), *p = notes;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			char *line = xstrndup(p, len);
			fputs("plumb: note: ", stderr);
			cli_put_safe(stderr, line);
			fputc('\n', stderr);
			free(line);
			p += len + (nl != NULL);
		}
	}
	if (json)
		print_json(rep, argv[optind], argv[optind + 1]);
	else
		print_table(rep);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = cli_error("error writing the report");
out:
	pl_drift_report_free(rep);
	free_list(cols);
	free_list(cats);
	free_list(nums);
	free_list(nas);
	return status;
}

const struct cli_cmd cli_cmd_drift = {
	"drift", run, "data drift between a reference and a current CSV file",
	"usage: plumb drift REFERENCE.csv CURRENT.csv [--columns C,..]\n"
	"                   [--categorical C,..] [--numerical C,..] [--method M]\n"
	"                   [--threshold T] [--drift-share S] [--json]\n"
	"\n"
	"Tests every column (or those of --columns) of CURRENT against REFERENCE\n"
	"with Evidently's statistical tests and default choices, and prints a\n"
	"table: column, type, test, score, threshold, drift; then the share of\n"
	"drifted columns and the dataset verdict (share >= --drift-share).\n"
	"Exit status 0 whether or not drift is found; 1 on an error.\n"
	"\n"
	"Missing values (empty, NA, NaN, nan, null; inf and -inf in numbers) are\n"
	"dropped per column before testing.  A column is numerical when every\n"
	"other value on both sides is a number, else categorical.  Default test:\n"
	"  reference size after dropping <= 1000: z (<= 2 values),\n"
	"    chisquare (categorical, or 3-5 numbers), ks (numerical);\n"
	"  larger: jensenshannon (categorical, or <= 5 numbers), wasserstein.\n"
	"\n"
	"options:\n"
	"  -c, --columns C,..      compare only these columns\n"
	"      --categorical C,..  treat these columns as categorical\n"
	"      --numerical C,..    treat these columns as numerical\n"
	"  -m, --method M          force test M on every column it applies to:\n"
	"                          ks, wasserstein, ed, anderson (numerical);\n"
	"                          chisquare, z (categorical); psi,\n"
	"                          jensenshannon, kl_div, hellinger (both)\n"
	"  -t, --threshold T       drift threshold (default: the test's own,\n"
	"                          0.05 for ks/chisquare/z, else 0.1)\n"
	"      --drift-share S     dataset drift when this share of columns\n"
	"                          drifts (default 0.5)\n"
	"      --json              print the report as JSON\n"
	"  -d, --delimiter CHAR    field separator (default ','; 'tab' for TAB)\n"
	"      --na-values A,..    strings read as missing (default NA,NaN,nan,null)\n"
	"  -j, --threads N         worker threads (default: all cores)\n"
	"\n"
	"See plumb-drift(1) for the exact formulas and JSON fields.\n"
};
