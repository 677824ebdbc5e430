/* cmd-model-diff.c - `plumb model diff`: params, metrics with better/worse marks, data and code between two versions. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cmd-model.h"
#include "fmt.h"
#include "json.h"
#include "xalloc.h"



static const char *
kv_get(const pl_kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].key, key))
			return l->items[i].value;
	return NULL;
}

static const pl_data_ref *
data_get(const pl_model_version *v, const char *path)
{
	for (size_t i = 0; i < v->ndata; i++)
		if (!strcmp(v->data[i].path, path))
			return &v->data[i];
	return NULL;
}

/* "better", "worse", "same" or NULL (not comparable) for b vs a. */
static const char *
judge(double a, double b, int dir)
{
	if (isnan(a) || isnan(b))
		return NULL;
	if (a == b)
		return "same";
	return (b > a) == (dir > 0) ? "better" : "worse";
}

int
model_cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	pl_model_version *va = NULL, *vb = NULL;
	pl_config *cfg = NULL;
	pl_store *st = NULL;
	char *na = NULL, *nb = NULL, **files = NULL, *bref = NULL;
	const char *cfgpath = NULL;
	size_t nfiles = 0;
	int c, json = 0, a, b, status = CLI_ERROR, git_rc = PL_ENOTFOUND;
	struct buf jb = BUF_INIT;
	struct json j;
	char x[32], y[32], d[32];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else if (c == 'c')
			cfgpath = optarg;
		else
			return cli_usage("model", "bad option");
	}
	if (argc - optind != 2)
		return cli_usage("model", "model diff takes NAME@A NAME@B");
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		return CLI_ERROR;
	if (model_load_config(&cfg, cfgpath, st) != CLI_OK ||
	    model_resolve_ref(&na, &a, st, argv[optind]) != CLI_OK)
		goto out;
	/* The second may be just "@B" or "B": same model. */
	if (argv[optind + 1][0] == '@' || strchr(argv[optind + 1], '@') ==
	    NULL) {
		bref = xmalloc(strlen(na) + strlen(argv[optind + 1]) + 2);
		sprintf(bref, "%s%s%s", na, argv[optind + 1][0] == '@' ? "" :
		    "@", argv[optind + 1]);
	} else {
		bref = xstrdup(argv[optind + 1]);
	}
	if (model_resolve_ref(&nb, &b, st, bref) != CLI_OK)
		goto out;
	if (pl_model_get(&va, st, na, a) != PL_OK ||
	    pl_model_get(&vb, st, nb, b) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (va->git.commit && vb->git.commit &&
	    strcmp(va->git.commit, vb->git.commit))
		git_rc = pl_git_changed_files(&files, &nfiles,
		    cfg ? cfg->dir : NULL, va->git.commit, vb->git.commit);
	status = CLI_OK;
	if (json) {
		json_init(&j, &jb);
		json_obj_begin(&j);
		json_key(&j, "a"); model_version_json(&j, va);
		json_key(&j, "b"); model_version_json(&j, vb);
		json_key(&j, "params");
		json_arr_begin(&j);
	} else {
		printf("%s%s v%d (%s)  ->  %s v%d (%s)%s\n", CLI_BOLD, na, a,
		    pl_model_stage_name(va->stage), nb, b, pl_model_stage_name(vb->stage),
		    CLI_RESET);
	}
	/* params: union of keys, those that differ */
	{
		int shown = 0;

		for (int pass = 0; pass < 2; pass++) {
			const pl_kvlist *l = pass ? vb->params : va->params;
			const pl_kvlist *o = pass ? va->params : vb->params;

			for (size_t i = 0; i < l->n; i++) {
				const char *k = l->items[i].key;
				const char *pa = pass ? kv_get(o, k) :
				    l->items[i].value;
				const char *pb = pass ? l->items[i].value :
				    kv_get(o, k);

				if (pass && kv_get(o, k))
					continue;	/* seen in pass 0 */
				if (pa && pb && !strcmp(pa, pb))
					continue;
				if (json) {
					json_obj_begin(&j);
					json_key(&j, "key"); json_str(&j, k);
					json_key(&j, "a"); json_str(&j, pa);
					json_key(&j, "b"); json_str(&j, pb);
					json_obj_end(&j);
					continue;
				}
				if (!shown++)
					printf("\n%sparams%s\n", CLI_BOLD,
					    CLI_RESET);
				fputs("  ", stdout);
				cli_put_safe(stdout, k);
				fputs(": ", stdout);
				cli_put_safe(stdout, pa ? pa : "(unset)");
				fputs(" -> ", stdout);
				cli_put_safe(stdout, pb ? pb : "(unset)");
				putchar('\n');
			}
		}
		if (!json && !shown)
			printf("\n%sparams%s  (same)\n", CLI_BOLD, CLI_RESET);
	}
	/* metrics: union of keys with delta and direction */
	if (json) {
		json_arr_end(&j);
		json_key(&j, "metrics");
		json_arr_begin(&j);
	} else if (va->nmetrics || vb->nmetrics) {
		printf("\n%smetrics%s\n", CLI_BOLD, CLI_RESET);
	}
	for (int pass = 0; pass < 2; pass++) {
		const pl_model_version *l = pass ? vb : va;

		for (size_t i = 0; i < l->nmetrics; i++) {
			const char *k = l->metrics[i].key;
			double ma = NAN, mb = NAN;
			int ha = pl_model_metric_value(&ma, va, k);
			int hb = pl_model_metric_value(&mb, vb, k);
			int dir = pl_config_metric_dir(cfg, na, k);
			const char *mark = ha && hb ? judge(ma, mb, dir) : NULL;

			if (pass && ha)
				continue;
			if (json) {
				json_obj_begin(&j);
				json_key(&j, "key"); json_str(&j, k);
				json_key(&j, "a");
				if (ha) json_num(&j, ma); else json_null(&j);
				json_key(&j, "b");
				if (hb) json_num(&j, mb); else json_null(&j);
				json_key(&j, "delta");
				if (ha && hb) json_num(&j, mb - ma);
				else json_null(&j);
				json_key(&j, "direction");
				json_str(&j, dir > 0 ? "higher" : "lower");
				json_key(&j, "judgement"); json_str(&j, mark);
				json_obj_end(&j);
				continue;
			}
			printf("  %-24s %12s -> %-12s", k, ha ? fmt_num(x,
			    sizeof x, ma) : "-", hb ? fmt_num(y, sizeof y, mb) :
			    "-");
			if (ha && hb) {
				snprintf(d, sizeof d, "%+.6g", mb - ma);
				printf(" %12s  %s%s%s", d,
				    mark && !strcmp(mark, "better") ? CLI_GREEN :
				    mark && !strcmp(mark, "worse") ? CLI_RED : "",
				    mark ? mark : "", CLI_RESET);
				printf(" (%s is better)", dir > 0 ? "higher" :
				    "lower");
			}
			putchar('\n');
		}
	}
	/* data versions */
	if (json) {
		json_arr_end(&j);
		json_key(&j, "data");
		json_arr_begin(&j);
	}
	{
		int shown = 0;

		for (int pass = 0; pass < 2; pass++) {
			const pl_model_version *l = pass ? vb : va;

			for (size_t i = 0; i < l->ndata; i++) {
				const char *p = l->data[i].path;
				const pl_data_ref *da = data_get(va, p);
				const pl_data_ref *db = data_get(vb, p);
				const char *ha = da ? da->hash : NULL;
				const char *hb = db ? db->hash : NULL;

				if (pass && da)
					continue;
				if (da && db && ha && hb && !strcmp(ha, hb))
					continue;
				if (json) {
					json_obj_begin(&j);
					json_key(&j, "path"); json_str(&j, p);
					json_key(&j, "a"); json_str(&j, ha);
					json_key(&j, "b"); json_str(&j, hb);
					json_obj_end(&j);
					continue;
				}
				if (!shown++)
					printf("\n%sdata%s\n", CLI_BOLD,
					    CLI_RESET);
				fputs("  ", stdout);
				cli_put_safe(stdout, p);
				printf(": %.12s -> %.12s\n",
				    da ? (ha ? ha : "?") : "(not read)",
				    db ? (hb ? hb : "?") : "(not read)");
			}
		}
		if (!json && !shown)
			printf("\n%sdata%s  (same)\n", CLI_BOLD, CLI_RESET);
	}
	if (json) {
		json_arr_end(&j);
		json_key(&j, "code");
		json_obj_begin(&j);
		json_key(&j, "a"); json_str(&j, va->git.commit);
		json_key(&j, "b"); json_str(&j, vb->git.commit);
		json_key(&j, "files_changed");
		if (git_rc == PL_OK) {
			json_arr_begin(&j);
			for (size_t i = 0; i < nfiles; i++)
				json_str(&j, files[i]);
			json_arr_end(&j);
		} else {
			json_null(&j);
		}
		json_obj_end(&j);
		json_obj_end(&j);
		model_put_json(&jb);
		goto out;
	}
	printf("\n%scode%s    %.12s%s -> %.12s%s\n", CLI_BOLD, CLI_RESET,
	    va->git.commit ? va->git.commit : "(unknown)",
	    va->git.dirty == 1 ? " (dirty)" : "",
	    vb->git.commit ? vb->git.commit : "(unknown)",
	    vb->git.dirty == 1 ? " (dirty)" : "");
	if (va->git.commit && vb->git.commit &&
	    !strcmp(va->git.commit, vb->git.commit))
		printf("  same commit\n");
	else if (git_rc == PL_OK) {
		printf("  %zu file%s changed\n", nfiles, nfiles == 1 ? "" : "s");
		for (size_t i = 0; i < nfiles; i++) {
			fputs("  ", stdout);
			cli_put_safe(stdout, files[i]);
			putchar('\n');
		}
	} else if (va->git.commit && vb->git.commit) {
		printf("  (files changed: not available, git or the commits "
		    "are not here)\n");
	}
out:
	pl_strv_free(files);
	free(bref);
	free(na);
	free(nb);
	pl_model_version_free(va);
	pl_model_version_free(vb);
	pl_config_free(cfg);
	pl_store_close(st);
	return status;
}

