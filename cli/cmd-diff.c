/* cmd-diff.c - `plumb diff RUN RUN`: params that differ, metric deltas, code change. */
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

static const char *
kv_get(const pl_kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].value;
	return NULL;
}

static const pl_metric_summary *
m_get(const pl_metric_summary *m, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].key, key) == 0)
			return &m[i];
	return NULL;
}

static int
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Union of the keys of two sorted lists, in order, calling fn for each. */
static void
each_key(const pl_kvlist *a, const pl_kvlist *b,
    void (*fn)(const char *key, void *p), void *p)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		int c = i >= a->n ? 1 : j >= b->n ? -1 :
		    strcmp(a->items[i].key, b->items[j].key);

		if (c <= 0) {
			fn(a->items[i].key, p);
			i++;
			if (c == 0)
				j++;
		} else {
			fn(b->items[j].key, p);
			j++;
		}
	}
}

struct dctx {
	pl_kvlist *pa, *pb;
	struct table *t;
	struct json *j;
	int all;
	int ndiff;
};

static void
param_row(const char *key, void *p)
{
	struct dctx *d = p;
	const char *a = kv_get(d->pa, key), *b = kv_get(d->pb, key);
	int same = str_eq(a, b);

	if (same && !d->all)
		return;
	if (!same)
		d->ndiff++;
	if (d->j) {
		json_obj_begin(d->j);
		json_key(d->j, "key"); json_str(d->j, key);
		json_key(d->j, "a"); json_str(d->j, a);
		json_key(d->j, "b"); json_str(d->j, b);
		json_key(d->j, "same"); json_bool(d->j, same);
		json_obj_end(d->j);
	} else {
		const char *cells[3] = { key, a, b };

		table_add_row(d->t, cells);
		if (!same)
			table_set_cell_color(d->t, table_rows(d->t) - 1, 2,
			    "33");
	}
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	char ida[PL_ID_LEN + 1], idb[PL_ID_LEN + 1];
	pl_store *st = NULL;
	pl_run_info *ra = NULL, *rb = NULL;
	pl_kvlist *pa = NULL, *pb = NULL;
	pl_metric_summary *ma = NULL, *mb = NULL;
	size_t nma = 0, nmb = 0;
	struct buf out = BUF_INIT;
	struct json j;
	struct dctx d;
	int c, json = 0, all = 0, status = CLI_ERROR;

	while ((c = getopt_long(argc, argv, "a", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else if (c == 'a')
			all = 1;
		else
			return cli_usage("diff", "bad option");
	}
	if (argc - optind != 2)
		return cli_usage("diff", "expected two run ids");
	if (cli_open_store(&st, 0) != CLI_OK)
		return CLI_ERROR;
	if (cli_resolve_run(ida, st, argv[optind]) != CLI_OK ||
	    cli_resolve_run(idb, st, argv[optind + 1]) != CLI_OK)
		goto out;
	if (pl_run_get(&ra, st, ida) || pl_run_get(&rb, st, idb) ||
	    pl_run_params(&pa, st, ida) || pl_run_params(&pb, st, idb) ||
	    pl_metric_summaries(&ma, &nma, st, ida) ||
	    pl_metric_summaries(&mb, &nmb, st, idb)) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	/* Metric keys as kvlists so they merge like params. */
	{
		pl_kvlist *la = calloc(1, sizeof *la), *lb = calloc(1, sizeof *lb);

		la->items = calloc(nma + 1, sizeof *la->items);
		lb->items = calloc(nmb + 1, sizeof *lb->items);
		for (size_t i = 0; i < nma; i++)
			la->items[la->n++].key = ma[i].key;
		for (size_t i = 0; i < nmb; i++)
			lb->items[lb->n++].key = mb[i].key;
		memset(&d, 0, sizeof d);
		d.pa = pa;
		d.pb = pb;
		d.all = all;
		json_init(&j, &out);
		if (json) {
			d.j = &j;
			json_obj_begin(&j);
			json_key(&j, "a"); json_str(&j, ida);
			json_key(&j, "b"); json_str(&j, idb);
			json_key(&j, "code");
			json_obj_begin(&j);
			json_key(&j, "a_commit"); json_str(&j, ra->git.commit);
			json_key(&j, "b_commit"); json_str(&j, rb->git.commit);
			json_key(&j, "same_commit");
			json_bool(&j, str_eq(ra->git.commit, rb->git.commit));
			json_key(&j, "a_dirty");
			if (ra->git.dirty >= 0) json_bool(&j, ra->git.dirty);
			else json_null(&j);
			json_key(&j, "b_dirty");
			if (rb->git.dirty >= 0) json_bool(&j, rb->git.dirty);
			else json_null(&j);
			json_key(&j, "same_diff");
			json_bool(&j, str_eq(ra->git.diff_hash,
			    rb->git.diff_hash));
			json_obj_end(&j);
			json_key(&j, "params");
			json_arr_begin(&j);
			each_key(pa, pb, param_row, &d);
			json_arr_end(&j);
			json_key(&j, "metrics");
			json_arr_begin(&j);
		} else {
			static const char *const h[] = { "param", "A", "B" };
			char t1[16], t2[16];

			printf("%sA%s %s  %sB%s %s\n", CLI_BOLD, CLI_RESET, ida,
			    CLI_BOLD, CLI_RESET, idb);
			snprintf(t1, sizeof t1, "%.10s", ra->git.commit ?
			    ra->git.commit : "-");
			snprintf(t2, sizeof t2, "%.10s", rb->git.commit ?
			    rb->git.commit : "-");
			if (ra->git.commit == NULL && rb->git.commit == NULL)
				printf("code: neither run was in a git "
				    "repository\n");
			else if (str_eq(ra->git.commit, rb->git.commit))
				printf("code: same commit %s%s\n", t1,
				    str_eq(ra->git.diff_hash,
				    rb->git.diff_hash) ? "" :
				    " (different uncommitted changes)");
			else
				printf("code: %s%s -> %s%s%s\n", t1,
				    ra->git.dirty == 1 ? "+dirty" : "",
				    cli_color("33"), t2, CLI_RESET);
			d.t = table_new(3, h);
			each_key(pa, pb, param_row, &d);
			putchar('\n');
			if (table_rows(d.t))
				table_print(d.t, stdout, table_term_width());
			else
				printf("params: no differences\n");
			table_free(d.t);
		}
		/* Metrics: every key of either run, with the delta. */
		{
			static const char *const h[] = { "metric", "A", "B",
			    "delta", "change" };
			struct table *t = json ? NULL : table_new(5, h);
			size_t i = 0, k = 0;

			if (t)
				for (int q = 1; q < 5; q++)
					table_set_flags(t, (size_t)q, TABLE_RIGHT);
			while (i < la->n || k < lb->n) {
				int cmp = i >= la->n ? 1 : k >= lb->n ? -1 :
				    strcmp(la->items[i].key, lb->items[k].key);
				const char *key = cmp <= 0 ? la->items[i].key :
				    lb->items[k].key;
				const pl_metric_summary *x = m_get(ma, nma, key);
				const pl_metric_summary *y = m_get(mb, nmb, key);
				double delta = x && y ? y->last - x->last : NAN;
				double pct = x && y && x->last != 0 ?
				    100.0 * delta / fabs(x->last) : NAN;

				if (cmp <= 0) i++;
				if (cmp >= 0) k++;
				if (json) {
					json_obj_begin(&j);
					json_key(&j, "key"); json_str(&j, key);
					json_key(&j, "a");
					if (x) json_num(&j, x->last); else json_null(&j);
					json_key(&j, "b");
					if (y) json_num(&j, y->last); else json_null(&j);
					json_key(&j, "delta");
					if (x && y) json_num(&j, delta); else json_null(&j);
					json_obj_end(&j);
				} else {
					char b1[32], b2[32], b3[32], b4[32];
					const char *cells[5];

					cells[0] = key;
					cells[1] = x ? fmt_num(b1, 32, x->last) : NULL;
					cells[2] = y ? fmt_num(b2, 32, y->last) : NULL;
					if (x && y) {
						snprintf(b3, 32, "%+.6g", delta);
						cells[3] = b3;
					} else {
						cells[3] = NULL;
					}
					if (isfinite(pct)) {
						snprintf(b4, 32, "%+.1f%%", pct);
						cells[4] = b4;
					} else {
						cells[4] = NULL;
					}
					table_add_row(t, cells);
				}
			}
			if (t) {
				putchar('\n');
				if (table_rows(t))
					table_print(t, stdout, table_term_width());
				else
					printf("metrics: none\n");
				table_free(t);
			}
		}
		free(la->items);
		free(lb->items);
		free(la);
		free(lb);
	}
	if (json) {
		json_arr_end(&j);
		json_obj_end(&j);
		buf_putc(&out, '\n');
		fputs(buf_str(&out), stdout);
	}
	status = CLI_OK;
out:
	buf_free(&out);
	pl_run_info_free(ra);
	pl_run_info_free(rb);
	pl_kvlist_free(pa);
	pl_kvlist_free(pb);
	pl_metric_summary_free(ma, nma);
	pl_metric_summary_free(mb, nmb);
	pl_store_close(st);
	return status;
}

const struct cli_cmd cli_cmd_diff = {
	"diff", run, "compare two runs: params, metrics, code",
	"usage: plumb diff RUN_A RUN_B [--all] [--json]\n"
	"\n"
	"Compares two runs: the code commit (and whether uncommitted changes\n"
	"differ), the params that differ, and every metric's latest value\n"
	"with the delta B - A and the relative change.\n"
	"\n"
	"  -a, --all    list equal params too\n"
	"      --json   {\"a\", \"b\", \"code\": {...}, \"params\": [{key, a, b,\n"
	"               same}], \"metrics\": [{key, a, b, delta}]}\n",
};
