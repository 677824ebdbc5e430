/* cmd-model.c - `plumb model`: register, list, show, diff, history, alias, promote, rollback. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "cmd-model.h"
#include "fmt.h"
#include "json.h"
#include "table.h"
#include "xalloc.h"

static volatile sig_atomic_t pending_signal;

static void
on_signal(int sig)
{
	pending_signal = sig;
}

void
model_put_json(struct buf *b)
{
	buf_putc(b, '\n');
	fputs(buf_str(b), stdout);
	buf_free(b);
}

static void
field(const char *name, const char *value)
{
	printf("%s%-12s%s ", CLI_BOLD, name, CLI_RESET);
	cli_put_safe(stdout, value ? value : "-");
	putchar('\n');
}

/* Loads plumb.yaml when there is one (or --config); NULL when none.
 * Returns CLI_OK or CLI_ERROR (a bad file: FILE:LINE:COL printed). */
int
model_load_config(pl_config **out, const char *explicit_path, pl_store *st)
{
	char *path = NULL, err[1024];
	int rc;

	*out = NULL;
	rc = pl_config_find(&path, explicit_path, st ? pl_store_dir(st) : NULL);
	if (rc == PL_ENOTFOUND)
		return CLI_OK;
	if (rc != PL_OK)
		return cli_error("%s", pl_strerror(rc));
	rc = pl_config_load(out, path, err, sizeof err);
	free(path);
	if (rc != PL_OK)
		return cli_error("%s", err);
	return CLI_OK;
}

/* "NAME@REF" -> name and version; prints the error. */
int
model_resolve_ref(char **name, int *version, pl_store *st, const char *text)
{
	char *ref = NULL;
	int rc = pl_model_ref_split(name, &ref, text);

	if (rc == PL_EINVAL)
		return cli_error("invalid model reference '%s' (expected "
		    "NAME[@VERSION|@STAGE|@ALIAS])", text);
	if (rc != PL_OK)
		return cli_error("%s", pl_strerror(rc));
	rc = pl_model_resolve(version, st, *name, ref);
	free(ref);
	if (rc != PL_OK) {
		free(*name);
		*name = NULL;
		return cli_error("%s", pl_store_errmsg(st));
	}
	return CLI_OK;
}

static const char *
stage_color(pl_model_stage s)
{
	switch (s) {
	case PL_MODEL_PRODUCTION: return "32";
	case PL_MODEL_STAGING: return "33";
	case PL_MODEL_ARCHIVED: return "2";
	default: return NULL;
	}
}

/* ---------------- register ---------------- */

static int
hash_data(pl_data_ref **data, size_t *ndata, const char *path)
{
	char hash[PL_HASH_HEX], err[512];
	int64_t size = 0;
	pl_data_ref *nv;

	if (pl_hash_file(hash, &size, path, err, sizeof err) != PL_OK)
		return cli_error("--data %s: %s", path, err);
	nv = xreallocarray(*data, *ndata + 1, sizeof *nv);
	*data = nv;
	nv[*ndata].path = xstrdup(path);
	nv[*ndata].hash = xstrdup(hash);
	nv[*ndata].size = size;
	(*ndata)++;
	return CLI_OK;
}

/* The newest finished run of pipeline stage `stage` (plumb repro tags
 * each stage run with stage=NAME). */
static int
latest_stage_run(char out[PL_ID_LEN + 1], pl_store *st, const char *stage)
{
	pl_runlist *l = NULL;
	const pl_run_row *row;
	pl_query q;
	char *filter;
	int rc;

	if (strchr(stage, '\'') != NULL)
		return cli_error("stage name %s cannot be looked up", stage);
	if (asprintf(&filter, "tags.stage = '%s' and attributes.status = "
	    "'FINISHED'", stage) < 0)
		return cli_error("out of memory");
	memset(&q, 0, sizeof q);
	q.filter = filter;
	q.limit = 1;
	rc = pl_runs_query(&l, st, &q);
	free(filter);
	if (rc != PL_OK) {
		pl_runlist_free(l);
		return cli_error("%s", pl_store_errmsg(st));
	}
	if (pl_runlist_count(l) == 0) {
		pl_runlist_free(l);
		return cli_error("no finished run of pipeline stage '%s' "
		    "(run plumb repro, or give --run RUN)", stage);
	}
	rc = pl_runlist_row(&row, l, 0);
	if (rc == PL_OK)
		memcpy(out, row->id, PL_ID_LEN + 1);
	pl_runlist_free(l);
	return rc == PL_OK ? CLI_OK : cli_error("%s", pl_store_errmsg(st));
}

static int
cmd_register(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "path", required_argument, NULL, 'p' },
		{ "description", required_argument, NULL, 'd' },
		{ "data", required_argument, NULL, 'D' },
		{ "lock", required_argument, NULL, 'L' },
		{ "lock-stage", required_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	const char *run = NULL, *path = NULL, *desc = NULL, *lock = NULL;
	const char *lock_stage = NULL, *cfgpath = NULL;
	char **data_args = NULL, lockbuf[4200], err[1024], pathbuf[4200];
	char stage_run[PL_ID_LEN + 1];
	size_t ndata_args = 0, ndata = 0;
	pl_data_ref *data = NULL;
	pl_config *cfg = NULL;
	pl_store *st = NULL;
	pl_model_reg reg;
	int c, json = 0, version = 0, status = CLI_ERROR;
	const pl_model_cfg *mc;

	while ((c = getopt_long(argc, argv, "r:p:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'r': run = optarg; break;
		case 'p': path = optarg; break;
		case 'd': desc = optarg; break;
		case 'D':
			data_args = xreallocarray(data_args, ndata_args + 1,
			    sizeof *data_args);
			data_args[ndata_args++] = optarg;
			break;
		case 'L': lock = optarg; break;
		case 'S': lock_stage = optarg; break;
		case 'c': cfgpath = optarg; break;
		case 'J': json = 1; break;
		default:
			free(data_args);
			return cli_usage("model", "bad option");
		}
	}
	if (argc - optind != 1) {
		free(data_args);
		return cli_usage("model", "model register takes one NAME");
	}
	if (!pl_model_name_valid(argv[optind])) {
		free(data_args);
		return cli_error("invalid model name '%s' (letters, digits, "
		    "'.', '_', '-'; at most 100)", argv[optind]);
	}
	if (cli_open_store(&st, 0) != CLI_OK) {
		free(data_args);
		return CLI_ERROR;
	}
	if (model_load_config(&cfg, cfgpath, st) != CLI_OK)
		goto out;
	mc = pl_config_model(cfg, argv[optind]);
	if (path == NULL && mc && mc->path) {
		/* The models: entry's path is relative to plumb.yaml, unless
		 * the run logged an artifact by that name. */
		path = mc->path;
	}
	if (path == NULL) {
		status = cli_usage("model", "model register needs --path "
		    "ARTIFACT (or a path: in the models: section)");
		goto out;
	}
	if (desc == NULL && mc)
		desc = mc->description;
	if (mc && path == mc->path && cfg && path[0] != '/' &&
	    access(path, F_OK) != 0) {
		/* relative to plumb.yaml, not to where we are */
		snprintf(pathbuf, sizeof pathbuf, "%s/%s", cfg->dir, path);
		if (access(pathbuf, F_OK) == 0)
			path = pathbuf;
	}
	if (run == NULL && mc && mc->stage) {
		/* The newest finished run of the model's pipeline stage. */
		if (latest_stage_run(stage_run, st, mc->stage) != CLI_OK)
			goto out;
		run = stage_run;
	}
	if (run == NULL) {
		status = cli_usage("model", "model register needs --run RUN "
		    "(or a stage: for the model in the models: section)");
		goto out;
	}
	for (size_t i = 0; i < ndata_args; i++)
		if (hash_data(&data, &ndata, data_args[i]) != CLI_OK)
			goto out;
	if (lock == NULL && cfg && mc && mc->stage) {
		snprintf(lockbuf, sizeof lockbuf, "%s/plumb.lock", cfg->dir);
		if (access(lockbuf, R_OK) == 0) {
			lock = lockbuf;
			if (lock_stage == NULL)
				lock_stage = mc->stage;
		}
	}
	if (lock) {
		pl_data_ref *ld = NULL;
		size_t nld = 0;

		if (pl_lineage_from_lock(&ld, &nld, lock, lock_stage, err,
		    sizeof err) != PL_OK) {
			cli_error("%s", err);
			goto out;
		}
		data = xreallocarray(data, ndata + nld + 1, sizeof *data);
		memcpy(data + ndata, ld, nld * sizeof *ld);
		ndata += nld;
		free(ld);
	}
	memset(&reg, 0, sizeof reg);
	reg.name = argv[optind];
	reg.run = run;
	reg.path = path;
	reg.description = desc;
	reg.data = data;
	reg.ndata = ndata;
	if (pl_model_register(&version, st, &reg) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_key(&j, "model"); json_str(&j, argv[optind]);
		json_key(&j, "version"); json_int(&j, version);
		json_obj_end(&j);
		model_put_json(&b);
	} else {
		printf("registered %s v%d\n", argv[optind], version);
	}
	status = CLI_OK;
out:
	free(data_args);
	pl_data_refs_free(data, ndata);
	pl_config_free(cfg);
	pl_store_close(st);
	return status;
}

/* ---------------- list ---------------- */

static int
cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	pl_model_summary *m = NULL;
	size_t n = 0;
	pl_store *st = NULL;
	int c, json = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else
			return cli_usage("model", "bad option");
	}
	if (argc != optind)
		return cli_usage("model", "model list takes no arguments");
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		return CLI_ERROR;
	if (pl_model_list(&m, &n, st) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return CLI_ERROR;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_key(&j, "name"); json_str(&j, m[i].name);
			json_key(&j, "description");
			json_str(&j, m[i].description);
			json_key(&j, "versions"); json_int(&j, m[i].nversions);
			json_key(&j, "latest"); json_int(&j, m[i].latest);
			json_key(&j, "production");
			if (m[i].production) json_int(&j, m[i].production);
			else json_null(&j);
			json_key(&j, "staging");
			if (m[i].staging) json_int(&j, m[i].staging);
			else json_null(&j);
			json_key(&j, "created_time");
			json_int(&j, m[i].created_ms);
			json_key(&j, "updated_time");
			json_int(&j, m[i].updated_ms);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		model_put_json(&b);
	} else if (n == 0) {
		printf("no models registered (plumb model register NAME --run "
		    "RUN --path FILE)\n");
	} else {
		static const char *const h[] = { "MODEL", "VERSIONS", "LATEST",
		    "PRODUCTION", "STAGING", "UPDATED", "DESCRIPTION" };
		struct table *t = table_new(7, h);

		for (int k = 1; k <= 4; k++)
			table_set_flags(t, (size_t)k, TABLE_RIGHT);
		for (size_t i = 0; i < n; i++) {
			char b[4][24], tb[32];
			const char *cells[7];

			snprintf(b[0], 24, "%d", m[i].nversions);
			/* a model the MLflow API created has no version yet */
			snprintf(b[1], 24, m[i].latest ? "v%d" : "-",
			    m[i].latest);
			snprintf(b[2], 24, "v%d", m[i].production);
			snprintf(b[3], 24, "v%d", m[i].staging);
			cells[0] = m[i].name;
			cells[1] = b[0];
			cells[2] = b[1];
			cells[3] = m[i].production ? b[2] : NULL;
			cells[4] = m[i].staging ? b[3] : NULL;
			cells[5] = fmt_time(tb, sizeof tb, m[i].updated_ms);
			cells[6] = m[i].description;
			table_add_row(t, cells);
			if (m[i].production)
				table_set_cell_color(t, i, 3, "32");
		}
		table_print(t, stdout, table_term_width());
		table_free(t);
	}
	pl_model_summary_free(m, n);
	pl_store_close(st);
	return CLI_OK;
}

/* ---------------- show ---------------- */

void
model_version_json(struct json *j, const pl_model_version *v)
{
	json_obj_begin(j);
	json_key(j, "model"); json_str(j, v->model);
	json_key(j, "version"); json_int(j, v->version);
	json_key(j, "stage"); json_str(j, pl_model_stage_name(v->stage));
	json_key(j, "aliases");
	json_arr_begin(j);
	for (size_t i = 0; i < v->naliases; i++)
		json_str(j, v->aliases[i]);
	json_arr_end(j);
	json_key(j, "description"); json_str(j, v->description);
	json_key(j, "run_id"); json_str(j, v->run_id[0] ? v->run_id : NULL);
	json_key(j, "artifact");
	json_obj_begin(j);
	json_key(j, "source"); json_str(j, v->source_path);
	json_key(j, "sha256"); json_str(j, v->sha256);
	json_key(j, "size"); json_int(j, v->size);
	json_key(j, "path"); json_str(j, v->object_path);
	json_obj_end(j);
	json_key(j, "git");
	json_obj_begin(j);
	json_key(j, "commit"); json_str(j, v->git.commit);
	json_key(j, "branch"); json_str(j, v->git.branch);
	json_key(j, "dirty");
	if (v->git.dirty >= 0) json_bool(j, v->git.dirty); else json_null(j);
	json_key(j, "diff_sha256"); json_str(j, v->git.diff_hash);
	json_obj_end(j);
	json_key(j, "params");
	json_obj_begin(j);
	for (size_t i = 0; i < v->params->n; i++) {
		json_key(j, v->params->items[i].key);
		json_str(j, v->params->items[i].value);
	}
	json_obj_end(j);
	json_key(j, "metrics");
	json_obj_begin(j);
	for (size_t i = 0; i < v->nmetrics; i++) {
		json_key(j, v->metrics[i].key);
		json_num(j, v->metrics[i].value);
	}
	json_obj_end(j);
	json_key(j, "data");
	json_arr_begin(j);
	for (size_t i = 0; i < v->ndata; i++) {
		json_obj_begin(j);
		json_key(j, "path"); json_str(j, v->data[i].path);
		json_key(j, "hash"); json_str(j, v->data[i].hash);
		json_key(j, "size");
		if (v->data[i].size >= 0) json_int(j, v->data[i].size);
		else json_null(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "user"); json_str(j, v->user);
	json_key(j, "host"); json_str(j, v->host);
	json_key(j, "created_time"); json_int(j, v->created_ms);
	json_obj_end(j);
}

static int
cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	pl_model_version *v = NULL;
	pl_store *st = NULL;
	char *name = NULL, tb[32], tmp[256];
	int c, json = 0, version, status = CLI_ERROR;
	int *vs = NULL;
	size_t nvs = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else
			return cli_usage("model", "bad option");
	}
	if (argc - optind != 1)
		return cli_usage("model", "model show takes one "
		    "NAME[@VERSION|@STAGE|@ALIAS]");
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		return CLI_ERROR;
	if (model_resolve_ref(&name, &version, st, argv[optind]) != CLI_OK)
		goto out;
	if (pl_model_get(&v, st, name, version) != PL_OK ||
	    pl_model_versions(&vs, &nvs, st, name) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	status = CLI_OK;
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		model_version_json(&j, v);
		model_put_json(&b);
		goto out;
	}
	printf("%smodel %s v%d%s\n", CLI_BOLD, v->model, v->version,
	    CLI_RESET);
	printf("%s%-12s%s %s%s%s\n", CLI_BOLD, "stage", CLI_RESET,
	    stage_color(v->stage) ? cli_color(stage_color(v->stage)) : "",
	    pl_model_stage_name(v->stage), CLI_RESET);
	if (v->naliases) {
		struct buf b = BUF_INIT;

		for (size_t i = 0; i < v->naliases; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", v->aliases[i]);
		field("aliases", buf_str(&b));
		buf_free(&b);
	}
	if (v->description)
		field("description", v->description);
	field("run", v->run_id[0] ? v->run_id : "(none)");
	snprintf(tmp, sizeof tmp, "%s (%lld bytes)", v->source_path,
	    (long long)v->size);
	field("artifact", tmp);
	field("sha256", v->sha256);
	field("path", v->object_path);
	if (v->git.commit) {
		snprintf(tmp, sizeof tmp, "%.12s%s%s%s%s", v->git.commit,
		    v->git.branch ? " (" : "", v->git.branch ? v->git.branch :
		    "", v->git.branch ? ")" : "",
		    v->git.dirty == 1 ? ", dirty" : v->git.dirty == 0 ?
		    ", clean" : "");
		field("commit", tmp);
	} else {
		field("commit", "(unknown)");
	}
	snprintf(tmp, sizeof tmp, "%s@%s on %s", v->user ? v->user : "?",
	    v->host ? v->host : "?", fmt_time(tb, sizeof tb, v->created_ms));
	field("registered", tmp);
	{
		struct buf b = BUF_INIT;

		for (size_t i = 0; i < nvs; i++)
			buf_printf(&b, "%sv%d", i ? " " : "", vs[i]);
		field("versions", buf_str(&b));
		buf_free(&b);
	}
	if (v->ndata) {
		printf("\n%sdata%s\n", CLI_BOLD, CLI_RESET);
		for (size_t i = 0; i < v->ndata; i++) {
			printf("  %.12s  ", v->data[i].hash ? v->data[i].hash :
			    "?");
			cli_put_safe(stdout, v->data[i].path);
			putchar('\n');
		}
	}
	if (v->params->n) {
		printf("\n%sparams%s\n", CLI_BOLD, CLI_RESET);
		for (size_t i = 0; i < v->params->n; i++) {
			fputs("  ", stdout);
			cli_put_safe(stdout, v->params->items[i].key);
			fputs(" = ", stdout);
			cli_put_safe(stdout, v->params->items[i].value);
			putchar('\n');
		}
	}
	if (v->nmetrics) {
		printf("\n%smetrics%s\n", CLI_BOLD, CLI_RESET);
		for (size_t i = 0; i < v->nmetrics; i++) {
			char nb[32];

			fputs("  ", stdout);
			cli_put_safe(stdout, v->metrics[i].key);
			printf(" = %s\n", fmt_num(nb, sizeof nb,
			    v->metrics[i].value));
		}
	}
out:
	free(vs);
	free(name);
	pl_model_version_free(v);
	pl_store_close(st);
	return status;
}

/* ---------------- history ---------------- */

static void
gate_json(struct json *j, const char *check, const char *gate,
    const char *status, int hv, double v, int hb, double bnd,
    const char *msg)
{
	json_obj_begin(j);
	json_key(j, "check"); json_str(j, check);
	json_key(j, "gate"); json_str(j, gate);
	json_key(j, "status"); json_str(j, status);
	json_key(j, "value"); if (hv) json_num(j, v); else json_null(j);
	json_key(j, "bound"); if (hb) json_num(j, bnd); else json_null(j);
	json_key(j, "message"); json_str(j, msg);
	json_obj_end(j);
}

static int
cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	pl_model_transition *t = NULL;
	size_t n = 0;
	pl_store *st = NULL;
	int c, json = 0;
	char tb[32];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else
			return cli_usage("model", "bad option");
	}
	if (argc - optind != 1)
		return cli_usage("model", "model history takes one NAME");
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		return CLI_ERROR;
	if (pl_model_history(&t, &n, st, argv[optind]) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return CLI_ERROR;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_key(&j, "id"); json_int(&j, t[i].id);
			json_key(&j, "model"); json_str(&j, t[i].model);
			json_key(&j, "version"); json_int(&j, t[i].version);
			json_key(&j, "kind"); json_str(&j, t[i].kind);
			json_key(&j, "from"); json_str(&j, t[i].from_stage);
			json_key(&j, "to"); json_str(&j, t[i].to_stage);
			json_key(&j, "status"); json_str(&j, t[i].status);
			json_key(&j, "replaced_version");
			if (t[i].replaced_version)
				json_int(&j, t[i].replaced_version);
			else
				json_null(&j);
			json_key(&j, "forced"); json_bool(&j, t[i].forced);
			json_key(&j, "reason"); json_str(&j, t[i].reason);
			json_key(&j, "detail"); json_str(&j, t[i].detail);
			json_key(&j, "user"); json_str(&j, t[i].user);
			json_key(&j, "uid");
			if (t[i].uid >= 0) json_int(&j, t[i].uid);
			else json_null(&j);
			json_key(&j, "host"); json_str(&j, t[i].host);
			json_key(&j, "ssh_client"); json_str(&j, t[i].ssh_client);
			json_key(&j, "pid"); json_int(&j, t[i].pid);
			json_key(&j, "time"); json_int(&j, t[i].time_ms);
			json_key(&j, "gates");
			json_arr_begin(&j);
			for (size_t g = 0; g < t[i].ngates; g++) {
				pl_gate_record *r = &t[i].gates[g];

				gate_json(&j, r->check, r->gate, r->status,
				    r->has_value, r->value, r->has_bound,
				    r->bound, r->message);
			}
			json_arr_end(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		model_put_json(&b);
	} else {
		for (size_t i = 0; i < n; i++) {
			const pl_model_transition *e = &t[i];
			int failed = strcmp(e->status, "ok") != 0;

			printf("%s  v%-3d %-9s ", fmt_time(tb, sizeof tb,
			    e->time_ms), e->version, e->kind);
			if (e->to_stage)
				printf("%s -> %s", e->from_stage ?
				    e->from_stage : "(new)", e->to_stage);
			printf("  %s%s%s", failed ? CLI_RED : CLI_GREEN,
			    failed ? "FAILED" : "ok", CLI_RESET);
			if (e->forced)
				printf(" %sFORCED%s", CLI_YELLOW, CLI_RESET);
			fputs("  by ", stdout);
			cli_put_safe(stdout, e->user);
			fputs("@", stdout);
			cli_put_safe(stdout, e->host);
			printf(" (uid %ld", e->uid);
			if (e->ssh_client) {
				fputs(", ssh from ", stdout);
				cli_put_safe(stdout, e->ssh_client);
			}
			printf(")\n");
			if (e->replaced_version && !failed &&
			    strcmp(e->kind, "alias"))
				printf("      replaced v%d\n",
				    e->replaced_version);
			if (e->reason) {
				fputs("      reason: ", stdout);
				cli_put_safe(stdout, e->reason);
				putchar('\n');
			}
			if (e->detail && *e->detail) {
				fputs("      ", stdout);
				cli_put_safe(stdout, e->detail);
				putchar('\n');
			}
			for (size_t g = 0; g < e->ngates; g++) {
				printf("      gate %-4s ", e->gates[g].status);
				cli_put_safe(stdout, e->gates[g].check);
				fputs(": ", stdout);
				cli_put_safe(stdout, e->gates[g].gate);
				fputs(" (", stdout);
				cli_put_safe(stdout, e->gates[g].message);
				fputs(")\n", stdout);
			}
		}
	}
	pl_model_history_free(t, n);
	pl_store_close(st);
	return CLI_OK;
}

/* ---------------- alias ---------------- */

static int
cmd_alias(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "delete", no_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	const char *reason = NULL;
	pl_store *st = NULL;
	char *name = NULL;
	int c, del = 0, version = 0, status = CLI_ERROR;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			del = 1;
		else if (c == 'R')
			reason = optarg;
		else
			return cli_usage("model", "bad option");
	}
	if (argc - optind != 2)
		return cli_usage("model", "model alias takes NAME@VERSION "
		    "ALIAS (or NAME ALIAS --delete)");
	if (cli_open_store(&st, 0) != CLI_OK)
		return CLI_ERROR;
	if (del) {
		char *ref = NULL;

		if (pl_model_ref_split(&name, &ref, argv[optind]) != PL_OK) {
			cli_error("invalid model name '%s'", argv[optind]);
			goto out;
		}
		free(ref);
	} else if (model_resolve_ref(&name, &version, st, argv[optind]) != CLI_OK) {
		goto out;
	}
	if (pl_model_set_alias(st, name, argv[optind + 1], del ? 0 : version,
	    reason) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (del)
		printf("removed alias %s of %s\n", argv[optind + 1], name);
	else
		printf("%s@%s -> v%d\n", name, argv[optind + 1], version);
	status = CLI_OK;
out:
	free(name);
	pl_store_close(st);
	return status;
}

/* ---------------- promote / rollback ---------------- */

static void
on_output(int stream, const char *data, size_t n, void *payload)
{
	(void)stream;
	(void)payload;
	/* Deploy output goes to stderr so that --json stays parseable. */
	fwrite(data, 1, n, stderr);
	fflush(stderr);
}

static void
on_event(const char *msg, void *payload)
{
	(void)payload;
	fputs("plumb: ", stderr);
	cli_put_safe(stderr, msg);
	fputc('\n', stderr);
}

static void
print_gates(const pl_check_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const pl_check_item *it = &r->items[i];
		int bad = it->status == PL_CHECK_FAIL ||
		    it->status == PL_CHECK_ERROR;

		printf("  %s%-5s%s ", bad ? CLI_RED : it->status ==
		    PL_CHECK_SKIP ? CLI_YELLOW : CLI_GREEN,
		    bad ? "FAIL" : pl_check_status_name(it->status), CLI_RESET);
		cli_put_safe(stdout, it->check);
		fputs(": ", stdout);
		cli_put_safe(stdout, it->name);
		fputs("\n        ", stdout);
		cli_put_safe(stdout, it->message);
		putchar('\n');
	}
}

static void
result_json(const pl_promote_result *r, const char *kind)
{
	struct buf b = BUF_INIT;
	struct json j;
	static const char *const outcomes[] = { "done", "rejected", "failed" };

	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "kind"); json_str(&j, kind);
	json_key(&j, "model"); json_str(&j, r->model);
	json_key(&j, "version"); json_int(&j, r->version);
	json_key(&j, "from"); json_str(&j, pl_model_stage_name(r->from));
	json_key(&j, "to"); json_str(&j, pl_model_stage_name(r->to));
	json_key(&j, "outcome"); json_str(&j, outcomes[r->outcome]);
	json_key(&j, "replaced_version");
	if (r->replaced_version) json_int(&j, r->replaced_version);
	else json_null(&j);
	json_key(&j, "forced"); json_bool(&j, r->forced);
	json_key(&j, "detail"); json_str(&j, r->detail);
	json_key(&j, "deploy_targets"); json_int(&j, r->ntargets);
	json_key(&j, "gates");
	json_arr_begin(&j);
	for (size_t i = 0; i < r->gates->n; i++) {
		const pl_check_item *it = &r->gates->items[i];

		gate_json(&j, it->check, it->name,
		    pl_check_status_name(it->status), it->has_value, it->value,
		    it->has_bound, it->bound, it->message);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	model_put_json(&b);
}

static int
cmd_move(int argc, char **argv, int rollback)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "stage", required_argument, NULL, 's' },
		{ "reason", required_argument, NULL, 'R' },
		{ "force", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	const char *to = NULL, *cfgpath = NULL, *what = rollback ? "rollback" :
	    "promote";
	pl_promote_opts po;
	pl_promote_result *res = NULL;
	pl_config *cfg = NULL;
	pl_store *st = NULL;
	char *name = NULL;
	int c, json = 0, rc, status = CLI_ERROR;
	struct sigaction sa, old_int, old_term, old_hup;

	memset(&po, 0, sizeof po);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': case 's': to = optarg; break;
		case 'R': po.reason = optarg; break;
		case 'f': po.force = 1; break;
		case 'c': cfgpath = optarg; break;
		case 'J': json = 1; break;
		default: return cli_usage("model", "bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("model", rollback ? "model rollback takes one "
		    "NAME" : "model promote takes one NAME@VERSION");
	if (!rollback && to == NULL)
		return cli_usage("model", "model promote needs --to STAGE "
		    "(staging, production, archived or none)");
	if (to && pl_model_stage_parse(&po.to, to) != PL_OK)
		return cli_usage("model", "no stage '%s' (stages: none, "
		    "staging, production, archived)", to);
	if (rollback && to == NULL)
		po.to = PL_MODEL_PRODUCTION;
	if (po.force && (po.reason == NULL || *po.reason == '\0'))
		return cli_usage("model", "--force needs --reason TEXT (the "
		    "audit log records why the gates were overridden)");
	if (po.force && rollback)
		return cli_usage("model", "rollback runs no gates: --force "
		    "does not apply");
	if (cli_open_store(&st, 0) != CLI_OK)
		return CLI_ERROR;
	if (model_load_config(&cfg, cfgpath, st) != CLI_OK)
		goto out;
	if (rollback) {
		char *ref = NULL;

		if (pl_model_ref_split(&name, &ref, argv[optind]) != PL_OK ||
		    ref != NULL) {
			free(ref);
			cli_error("model rollback takes a model NAME (not '%s')",
			    argv[optind]);
			goto out;
		}
	} else if (model_resolve_ref(&name, &po.version, st, argv[optind]) !=
	    CLI_OK) {
		goto out;
	}
	po.name = name;
	po.cfg = cfg;
	po.io.on_output = on_output;
	po.io.on_event = on_event;
	po.io.pending = &pending_signal;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	rc = rollback ? pl_model_rollback(&res, st, &po) :
	    pl_model_promote(&res, st, &po);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (rc != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (json)
		result_json(res, what);
	else if (res->gates->n) {
		printf("gates for %s v%d -> %s:\n", name, res->version,
		    pl_model_stage_name(res->to));
		print_gates(res->gates);
	}
	switch (res->outcome) {
	case PL_PROMOTE_REJECTED:
		cli_error("%s v%d not promoted to %s: a gate failed, nothing "
		    "changed (--force --reason TEXT overrides)", name,
		    res->version, pl_model_stage_name(res->to));
		break;
	case PL_PROMOTE_FAILED:
		fflush(stdout);
		fputs("plumb: ", stderr);
		fprintf(stderr, "%s of %s v%d to %s failed, recorded as failed: ",
		    what, name, res->version, pl_model_stage_name(res->to));
		cli_put_safe(stderr, res->detail);
		fputc('\n', stderr);
		break;
	default:
		status = CLI_OK;
		if (json)
			break;
		if (rollback)
			printf("rolled back %s %s to v%d", name,
			    pl_model_stage_name(res->to), res->version);
		else
			printf("promoted %s v%d to %s", name, res->version,
			    pl_model_stage_name(res->to));
		if (res->replaced_version && res->replaced_version !=
		    res->version)
			printf(" (v%d archived)", res->replaced_version);
		if (res->forced)
			printf(" %sgates forced%s", CLI_YELLOW, CLI_RESET);
		putchar('\n');
		if (res->ntargets) {
			fputs("  ", stdout);
			cli_put_safe(stdout, res->detail);
			putchar('\n');
		}
	}
out:
	free(name);
	pl_promote_result_free(res);
	pl_config_free(cfg);
	pl_store_close(st);
	return status;
}

static int
cmd_promote(int argc, char **argv)
{
	return cmd_move(argc, argv, 0);
}

static int
cmd_rollback(int argc, char **argv)
{
	return cmd_move(argc, argv, 1);
}

static const struct {
	const char *name;
	int (*run)(int, char **);
} subs[] = {
	{ "register", cmd_register },
	{ "list", cmd_list },
	{ "ls", cmd_list },
	{ "show", cmd_show },
	{ "diff", model_cmd_diff },
	{ "history", cmd_history },
	{ "alias", cmd_alias },
	{ "promote", cmd_promote },
	{ "rollback", cmd_rollback },
};

static int
run(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("model", "expected a subcommand (register, "
		    "list, show, diff, history, alias, promote, rollback)");
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (!strcmp(argv[1], subs[i].name)) {
			optind = 0;
			return subs[i].run(argc - 1, argv + 1);
		}
	return cli_usage("model", "unknown subcommand '%s'", argv[1]);
}

const struct cli_cmd cli_cmd_model = {
	"model", run, "model registry: register, promote, deploy, roll back",
	"usage: plumb model register NAME [--run RUN] [--path ARTIFACT]\n"
	"                   [--description TEXT] [--data FILE]...\n"
	"                   [--lock FILE [--lock-stage STAGE]] [--json]\n"
	"       plumb model list [--json]\n"
	"       plumb model show NAME[@VERSION|@STAGE|@ALIAS] [--json]\n"
	"       plumb model diff NAME@A NAME@B [--json]\n"
	"       plumb model history NAME [--json]\n"
	"       plumb model alias NAME@VERSION ALIAS | NAME ALIAS --delete\n"
	"       plumb model promote NAME@VERSION --to STAGE [--reason TEXT]\n"
	"                   [--force] [--json]\n"
	"       plumb model rollback NAME [--stage STAGE] [--reason TEXT]\n"
	"                   [--json]\n"
	"\n"
	"The model registry.  register copies the artifact (a file, or an\n"
	"artifact the run logged) into the store's cache as the next version\n"
	"(1, 2, 3...) with its lineage: run, code commit and dirty state,\n"
	"params and metrics, and the data versions read (--data files, or the\n"
	"deps of the model's stage in plumb.lock).  Stages: none, staging,\n"
	"production, archived.  promote runs the gates of plumb.yaml's checks:\n"
	"section, then the deploy: targets of the stage (with their health\n"
	"checks), then records the transition; a failed gate changes nothing,\n"
	"a failed deploy redeploys the previous version and is recorded as\n"
	"failed.  rollback redeploys the version the current holder replaced.\n"
	"\n"
	"      --to STAGE       stage to promote to\n"
	"      --stage STAGE    stage to roll back (default production)\n"
	"      --reason TEXT    why (kept in the history and audit log)\n"
	"      --force          promote although gates failed (needs --reason)\n"
	"      --config FILE    plumb.yaml to use (default: nearest one)\n"
	"      --json           machine-readable output (see plumb-model(1))\n"
	"\n"
	"Exit status: 0 done; 1 a gate failed, a deploy failed (rolled back),\n"
	"another promotion is in progress, or an error; 2 usage error.\n",
};
