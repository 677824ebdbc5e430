/* cmd-runs.c - `plumb runs`: list runs with a filter, sort and columns; text, JSON or CSV. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "fmt.h"
#include "json.h"
#include "table.h"
#include "xalloc.h"

enum colkind { C_ID, C_EXP, C_NAME, C_STATUS, C_USER, C_HOST, C_START,
	C_END, C_DURATION, C_EXIT, C_COMMIT, C_METRIC, C_PARAM, C_TAG };

struct col {
	enum colkind kind;
	char *key;		/* metric/param/tag key */
	char *header;
};

static const struct {
	const char *name;
	enum colkind kind;
} base_cols[] = {
	{ "id", C_ID }, { "experiment", C_EXP }, { "name", C_NAME },
	{ "status", C_STATUS }, { "user", C_USER }, { "host", C_HOST },
	{ "start", C_START }, { "start_time", C_START }, { "end", C_END },
	{ "end_time", C_END }, { "duration", C_DURATION },
	{ "exit", C_EXIT }, { "exit_status", C_EXIT },
	{ "commit", C_COMMIT }, { "git_commit", C_COMMIT },
};

static int
add_col(struct col **cols, size_t *n, const char *spec)
{
	struct col c;
	const char *dot = strchr(spec, '.');

	memset(&c, 0, sizeof c);
	if (dot) {
		size_t k = (size_t)(dot - spec);

		if ((k == 7 && strncmp(spec, "metrics", 7) == 0) ||
		    (k == 6 && strncmp(spec, "metric", 6) == 0))
			c.kind = C_METRIC;
		else if ((k == 6 && strncmp(spec, "params", 6) == 0) ||
		    (k == 5 && strncmp(spec, "param", 5) == 0))
			c.kind = C_PARAM;
		else if ((k == 4 && strncmp(spec, "tags", 4) == 0) ||
		    (k == 3 && strncmp(spec, "tag", 3) == 0))
			c.kind = C_TAG;
		else if ((k == 10 && strncmp(spec, "attributes", 10) == 0))
			return add_col(cols, n, dot + 1);
		else
			return -1;
		if (dot[1] == '\0')
			return -1;
		c.key = xstrdup(dot + 1);
		c.header = xstrdup(spec);
	} else {
		size_t i;

		for (i = 0; i < sizeof base_cols / sizeof base_cols[0]; i++)
			if (strcmp(base_cols[i].name, spec) == 0)
				break;
		if (i == sizeof base_cols / sizeof base_cols[0])
			return -1;
		c.kind = base_cols[i].kind;
		c.header = xstrdup(spec);
	}
	*cols = xreallocarray(*cols, *n + 1, sizeof **cols);
	(*cols)[(*n)++] = c;
	return 0;
}

#define DEFAULT_VALUE_COLS 6

static int
has_col(const struct col *cols, size_t n, const char *header)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i].header, header) == 0)
			return 1;
	return 0;
}

static size_t
nvalue_cols(const struct col *cols, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += cols[i].key != NULL;
	return k;
}

/*
 * Adds a column for every metrics.K, params.K and tags.K that text (a
 * filter or sort) names: what a user filters or sorts on is what they
 * want to see.  Only a choice of columns: the engine parses the filter.
 */
static void
add_named_keys(struct col **cols, size_t *n, const char *text)
{
	static const char *const pre[] = { "metrics.", "metric.", "params.",
	    "param.", "tags.", "tag." };
	const char *p = text;

	while (p && *p) {
		size_t best = 0, plen = 0;
		const char *hit = NULL;

		for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
			const char *h = strstr(p, pre[i]);

			if (h && (hit == NULL || h < hit ||
			    (h == hit && strlen(pre[i]) > plen))) {
				hit = h;
				plen = strlen(pre[i]);
				best = i;
			}
		}
		if (hit == NULL)
			break;
		p = hit + plen;
		if (hit > text && (isalnum((unsigned char)hit[-1]) ||
		    hit[-1] == '_' || hit[-1] == '.'))
			continue;	/* inside another word */
		{
			char q = *p == '`' || *p == '"' ? *p : 0;
			const char *e;
			char *spec;

			if (q) {
				e = strchr(p + 1, q);
				if (e == NULL)
					break;
				spec = xasprintf("%s%.*s", best < 2 ? "metrics." :
				    best < 4 ? "params." : "tags.",
				    (int)(e - p - 1), p + 1);
				p = e + 1;
			} else {
				e = p;
				while (*e && !isspace((unsigned char)*e) &&
				    !strchr("=!<>(),'\"`", *e))
					e++;
				if (e == p)
					continue;
				spec = xasprintf("%s%.*s", best < 2 ? "metrics." :
				    best < 4 ? "params." : "tags.",
				    (int)(e - p), p);
				p = e;
			}
			if (!has_col(*cols, *n, spec))
				add_col(cols, n, spec);
			free(spec);
		}
	}
}

/* The text of one cell (NULL for none); *tmp holds malloc'ed text. */
static const char *
cell(char *sbuf, size_t sn, char **tmp, const struct col *c,
    const pl_run_row *r, pl_runlist *l, size_t i)
{
	double v;
	int has;

	*tmp = NULL;
	switch (c->kind) {
	case C_ID:
		snprintf(sbuf, sn, "%.8s", r->id);
		return sbuf;
	case C_EXP: return r->experiment;
	case C_NAME: return r->name;
	case C_STATUS: return pl_run_status_name(r->status);
	case C_USER: return r->user;
	case C_HOST: return r->host;
	case C_START: return fmt_time(sbuf, sn, r->start_ms);
	case C_END: return r->end_ms ? fmt_time(sbuf, sn, r->end_ms) : NULL;
	case C_DURATION:
		if (r->end_ms == 0)
			return NULL;
		return fmt_duration(sbuf, sn, r->end_ms - r->start_ms);
	case C_EXIT:
		if (!r->has_exit_status)
			return NULL;
		snprintf(sbuf, sn, "%d", r->exit_status);
		return sbuf;
	case C_COMMIT:
		if (r->git_commit == NULL)
			return NULL;
		snprintf(sbuf, sn, "%.8s%s", r->git_commit,
		    r->git_dirty == 1 ? "+" : "");
		return sbuf;
	case C_METRIC:
		if (pl_runlist_metric(&v, &has, l, i, c->key) != PL_OK || !has)
			return NULL;
		return fmt_num(sbuf, sn, v);
	case C_PARAM:
		pl_runlist_param(tmp, l, i, c->key);
		return *tmp;
	case C_TAG:
		pl_runlist_tag(tmp, l, i, c->key);
		return *tmp;
	}
	return NULL;
}

static void
json_run(struct json *j, pl_store *st, const pl_run_row *r)
{
	pl_kvlist *kv = NULL;
	pl_metric_summary *m = NULL;
	size_t nm = 0;

	json_obj_begin(j);
	json_key(j, "id"); json_str(j, r->id);
	json_key(j, "experiment"); json_str(j, r->experiment);
	json_key(j, "name"); json_str(j, r->name);
	json_key(j, "status"); json_str(j, pl_run_status_name(r->status));
	json_key(j, "user"); json_str(j, r->user);
	json_key(j, "host"); json_str(j, r->host);
	json_key(j, "start_time"); json_int(j, r->start_ms);
	json_key(j, "end_time");
	if (r->end_ms) json_int(j, r->end_ms); else json_null(j);
	json_key(j, "exit_status");
	if (r->has_exit_status) json_int(j, r->exit_status); else json_null(j);
	json_key(j, "git_commit"); json_str(j, r->git_commit);
	json_key(j, "git_dirty");
	if (r->git_dirty >= 0) json_bool(j, r->git_dirty); else json_null(j);
	json_key(j, "metrics");
	json_obj_begin(j);
	if (pl_metric_summaries(&m, &nm, st, r->id) == PL_OK)
		for (size_t k = 0; k < nm; k++) {
			json_key(j, m[k].key);
			json_num(j, m[k].last);
		}
	pl_metric_summary_free(m, nm);
	json_obj_end(j);
	for (int pass = 0; pass < 2; pass++) {
		json_key(j, pass ? "tags" : "params");
		json_obj_begin(j);
		if ((pass ? pl_run_tags(&kv, st, r->id) :
		    pl_run_params(&kv, st, r->id)) == PL_OK)
			for (size_t k = 0; k < kv->n; k++) {
				json_key(j, kv->items[k].key);
				json_str(j, kv->items[k].value);
			}
		pl_kvlist_free(kv);
		kv = NULL;
		json_obj_end(j);
	}
	json_obj_end(j);
}

/* Prints the filter error with a caret under the offending column. */
static int
filter_error(pl_store *st, const char *filter)
{
	size_t col = pl_store_error_offset(st);

	cli_error("bad filter: %s%s", pl_store_errmsg(st),
	    col ? "" : "");
	if (col) {
		fprintf(stderr, "  ");
		cli_put_safe(stderr, filter);
		fprintf(stderr, "\n  %*s^ column %zu\n", (int)(col - 1), "",
		    col);
	}
	return CLI_USAGE;
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "experiment", required_argument, NULL, 'e' },
		{ "filter", required_argument, NULL, 'f' },
		{ "sort", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ "columns", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "csv", no_argument, NULL, 'C' },
		{ "ids", no_argument, NULL, 'I' },
		{ "deleted", no_argument, NULL, 'D' },
		{ "all-runs", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	pl_query q;
	pl_runlist *l = NULL;
	pl_store *st = NULL;
	struct col *cols = NULL;
	size_t ncols = 0, n, hidden = 0;
	const char *colspec = NULL;
	int c, json = 0, csv = 0, ids = 0, views = 0, status = CLI_ERROR;

	memset(&q, 0, sizeof q);
	while ((c = getopt_long(argc, argv, "e:f:s:n:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'e': q.experiment = optarg; break;
		case 'f': q.filter = optarg; break;
		case 's': q.sort = optarg; break;
		case 'n': {
			char *end;

			errno = 0;
			q.limit = strtoll(optarg, &end, 10);
			if (errno || *end || q.limit < 0)
				return cli_usage("runs", "--limit takes a "
				    "number >= 0, got '%s'", optarg);
			break;
		}
		case 'c': colspec = optarg; break;
		case 'J': json = 1; break;
		case 'C': csv = 1; break;
		case 'I': ids = 1; break;
		case 'D': q.view = PL_VIEW_DELETED; views++; break;
		case 'A': q.view = PL_VIEW_ALL; views++; break;
		default: return cli_usage("runs", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage("runs", "unexpected argument '%s'", argv[optind]);
	if (json + csv + ids > 1)
		return cli_usage("runs", "choose one of --json, --csv, --ids");
	if (views > 1)
		return cli_usage("runs", "choose one of --deleted, --all-runs");
	if (colspec) {
		char *copy = xstrdup(colspec), *save = NULL, *t;

		for (t = strtok_r(copy, ",", &save); t;
		    t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			if (add_col(&cols, &ncols, t) < 0) {
				cli_usage("runs", "unknown column '%s' (id, "
				    "experiment, name, status, user, host, start, "
				    "end, duration, exit, commit, metrics.KEY, "
				    "params.KEY, tags.KEY)", t);
				free(copy);
				status = CLI_USAGE;
				goto out;
			}
		}
		free(copy);
	}
	if (cli_open_store(&st, 0) != CLI_OK)
		goto out;
	if (pl_runs_query(&l, st, &q) != PL_OK) {
		/* PL_EINVAL is a bad filter or sort key: a usage error. */
		if (pl_store_error_offset(st))
			status = filter_error(st, q.filter);
		else if (pl_store_errcode(st) == PL_EINVAL)
			status = cli_usage("runs", "%s", pl_store_errmsg(st));
		else
			status = cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	n = pl_runlist_count(l);
	if (ids) {
		const pl_run_row *r;

		for (size_t i = 0; i < n; i++)
			if (pl_runlist_row(&r, l, i) == PL_OK)
				printf("%s\n", r->id);
		status = CLI_OK;
		goto out;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;
		const pl_run_row *r;

		json_init(&j, &b);
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			if (pl_runlist_row(&r, l, i) != PL_OK)
				continue;
			json_run(&j, st, r);
			if (b.len > 1 << 16) {
				fwrite(b.p, 1, b.len, stdout);
				buf_clear(&b);
			}
		}
		json_arr_end(&j);
		buf_putc(&b, '\n');
		fwrite(buf_str(&b), 1, b.len, stdout);
		buf_free(&b);
		status = json_error(&j) ? CLI_ERROR : CLI_OK;
		goto out;
	}
	if (cols == NULL) {
		static const char *const defaults[] = { "id", "experiment",
		    "name", "status", "user", "start", "duration" };
		pl_kvlist *keys = NULL;

		for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
			add_col(&cols, &ncols, defaults[i]);
		/* Value columns: first the keys the filter and sort name,
		 * then the metrics and params of the first screenful, up to
		 * DEFAULT_VALUE_COLS in all (--columns or --json for more). */
		add_named_keys(&cols, &ncols, q.filter);
		add_named_keys(&cols, &ncols, q.sort);
		if (pl_runlist_keys(&keys, l, 200) == PL_OK)
			for (size_t i = 0; i < keys->n; i++) {
				char *spec = xasprintf("%s.%s",
				    strcmp(keys->items[i].value, "metric") == 0 ?
				    "metrics" : "params", keys->items[i].key);

				if (!has_col(cols, ncols, spec)) {
					if (nvalue_cols(cols, ncols) <
					    DEFAULT_VALUE_COLS)
						add_col(&cols, &ncols, spec);
					else
						hidden++;
				}
				free(spec);
			}
		pl_kvlist_free(keys);
	}
	/* Read only the values shown. */
	for (size_t k = 0; k < ncols; k++)
		if (cols[k].key)
			pl_runlist_want(l, cols[k].kind == C_METRIC ? 'm' :
			    cols[k].kind == C_PARAM ? 'p' : 't', cols[k].key);
	if (csv) {
		const pl_run_row *r;

		for (size_t k = 0; k < ncols; k++) {
			if (k)
				putchar(',');
			fmt_csv_field(stdout, cols[k].header);
		}
		putchar('\n');
		for (size_t i = 0; i < n; i++) {
			if (pl_runlist_row(&r, l, i) != PL_OK)
				continue;
			for (size_t k = 0; k < ncols; k++) {
				char sb[64], *tmp;
				const char *v;

				if (k)
					putchar(',');
				v = cols[k].kind == C_ID ? r->id :
				    cell(sb, sizeof sb, &tmp, &cols[k], r, l, i);
				fmt_csv_field(stdout, v);
				if (cols[k].kind != C_ID)
					free(tmp);
			}
			putchar('\n');
		}
		status = CLI_OK;
		goto out;
	}
	{
		const char **heads = xcalloc(ncols, sizeof *heads);
		const char **cells = xcalloc(ncols, sizeof *cells);
		char **tmps = xcalloc(ncols, sizeof *tmps);
		char (*sb)[64] = xcalloc(ncols, sizeof *sb);
		struct table *t;
		const pl_run_row *r;

		for (size_t k = 0; k < ncols; k++)
			heads[k] = cols[k].header;
		t = table_new(ncols, heads);
		for (size_t k = 0; k < ncols; k++)
			if (cols[k].kind == C_METRIC || cols[k].kind == C_EXIT ||
			    cols[k].kind == C_DURATION)
				table_set_flags(t, k, TABLE_RIGHT);
		for (size_t i = 0; i < n; i++) {
			if (pl_runlist_row(&r, l, i) != PL_OK)
				continue;
			for (size_t k = 0; k < ncols; k++)
				cells[k] = cell(sb[k], sizeof sb[k], &tmps[k],
				    &cols[k], r, l, i);
			table_add_row(t, cells);
			for (size_t k = 0; k < ncols; k++) {
				if (cols[k].kind == C_STATUS)
					table_set_cell_color(t, i, k,
					    fmt_status_color(cells[k]));
				free(tmps[k]);
				tmps[k] = NULL;
			}
		}
		table_print(t, stdout, table_term_width());
		if (cli_g.stdout_tty)
			printf("%s%zu run%s%s%s\n", CLI_DIM, n, n == 1 ? "" : "s",
			    hidden ? "; more metric and param columns with "
			    "--columns or --json" : "", CLI_RESET);
		table_free(t);
		free(heads);
		free(cells);
		free(tmps);
		free(sb);
	}
	status = CLI_OK;
out:
	for (size_t k = 0; k < ncols; k++) {
		free(cols[k].key);
		free(cols[k].header);
	}
	free(cols);
	pl_runlist_free(l);
	pl_store_close(st);
	return status;
}

const struct cli_cmd cli_cmd_runs = {
	"runs", run, "list runs (filter, sort, columns; text, JSON or CSV)",
	"usage: plumb runs [-e EXPERIMENT] [-f FILTER] [-s KEY[,KEY...]] "
	"[-n LIMIT]\n"
	"                  [-c COLUMNS] [--json | --csv | --ids]\n"
	"                  [--deleted | --all-runs]\n"
	"\n"
	"Lists runs, newest first; deleted runs (MLflow's runs/delete, or\n"
	"their experiment's delete) only when asked.  FILTER is MLflow's\n"
	"search syntax plus `or`, `not` and parentheses, e.g.\n"
	"\n"
	"  metrics.loss < 0.3 and params.model = 'cnn'\n"
	"  attributes.status = 'FINISHED' or tags.team = 'x'\n"
	"  not (params.lr in ('0.1', '0.01')) and metrics.acc is not null\n"
	"\n"
	"Operators: = != < <= > >= LIKE ILIKE [NOT] IN, IS [NOT] NULL.\n"
	"Attributes: status name user host experiment run_id command\n"
	"start_time end_time duration exit_status git_commit git_branch\n"
	"git_dirty.  Metrics compare their latest value.\n"
	"\n"
	"  -e, --experiment NAME  only this experiment's runs\n"
	"  -f, --filter EXPR      only runs matching EXPR\n"
	"  -s, --sort KEYS        e.g. metrics.loss, -start_time, "
	"'params.lr desc'\n"
	"  -n, --limit N          at most N runs\n"
	"  -c, --columns LIST     e.g. id,name,status,metrics.loss,params.lr\n"
	"                         (default: attributes, then the keys the\n"
	"                         filter and sort name, then other metrics\n"
	"                         and params; at most 6 value columns)\n"
	"      --json             a JSON array of runs, each with all metrics\n"
	"                         (latest values), params and tags\n"
	"      --csv              CSV with the chosen columns (full ids)\n"
	"      --ids              full run ids, one per line\n"
	"      --deleted          only deleted runs\n"
	"      --all-runs         deleted runs too\n",
};
