/* cmd-import.c - `plumb import mlflow PATH`: a team's MLflow history (file store or SQLite database) into the store. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "json.h"

struct view {
	int tty;		/* live progress line on stderr */
	int shown;		/* the line is on screen */
	int quiet;
	int64_t last_ms;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
clear_line(struct view *v)
{
	if (v->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		v->shown = 0;
	}
}

/* 1234567 -> "1,234,567". */
static const char *
commas(char *out, size_t n, int64_t v)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%lld", (long long)v), o = 0;

	for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
		if (i > 0 && tmp[i - 1] != '-' && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = '\0';
	return out;
}

static void
on_problem(void *arg, const char *path, long line, const char *what)
{
	struct view *v = arg;

	clear_line(v);
	fputs("plumb: import: ", stderr);
	cli_put_safe(stderr, path);
	if (line > 0)
		fprintf(stderr, ":%ld", line);
	fputs(": ", stderr);
	cli_put_safe(stderr, what);
	fputs(" (skipped)\n", stderr);
}

/* A bar redrawn at most ten times a second, only on a terminal. */
static void
on_progress(void *arg, int64_t done, int64_t total)
{
	struct view *v = arg;
	char a[32], b[32], bar[31];
	int64_t now;
	int fill;

	if (!v->tty || v->quiet || total <= 0)
		return;
	now = mono_ms();
	if (done < total && now - v->last_ms < 100)
		return;
	v->last_ms = now;
	fill = (int)(done * 30 / total);
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(30 - fill));
	bar[30] = '\0';
	fprintf(stderr, "\r\033[Kimporting runs [%s] %s/%s %3d%%", bar,
	    commas(a, sizeof a, done), commas(b, sizeof b, total),
	    (int)(done * 100 / total));
	fflush(stderr);
	v->shown = 1;
}

static void
plural(struct buf *b, int *first, int64_t n, const char *one,
    const char *many)
{
	char c[32];

	buf_printf(b, "%s%s %s", *first ? "" : ", ", commas(c, sizeof c, n),
	    n == 1 ? one : many);
	*first = 0;
}

static void
print_summary(const pl_mlflow_stats *s, int dry_run)
{
	struct buf b = BUF_INIT;
	int first = 1;
	int64_t added = s->experiments + s->runs + s->runs_updated +
	    s->models + s->versions + s->aliases;

	if (added) {
		buf_puts(&b, dry_run ? "would import " : "imported ");
		/* What is zero is left out, except runs: "imported 0 runs;
		 * 3 runs imported before got new data" reads right. */
		if (s->experiments)
			plural(&b, &first, s->experiments, "experiment",
			    "experiments");
		plural(&b, &first, s->runs, "run", "runs");
		if (s->points)
			plural(&b, &first, s->points, "point", "points");
		if (s->artifacts)
			plural(&b, &first, s->artifacts, "artifact",
			    "artifacts");
		if (s->params)
			plural(&b, &first, s->params, "param", "params");
		if (s->tags)
			plural(&b, &first, s->tags, "tag", "tags");
		if (s->models)
			plural(&b, &first, s->models, "model", "models");
		if (s->versions)
			plural(&b, &first, s->versions, "model version",
			    "model versions");
		if (s->aliases)
			plural(&b, &first, s->aliases, "alias", "aliases");
		if (s->runs_updated) {
			buf_puts(&b, "; ");
			first = 1;
			plural(&b, &first, s->runs_updated,
			    "run imported before got new data",
			    "runs imported before got new data");
		}
	} else {
		char c[32];

		buf_printf(&b, "nothing new%s: %s %s already imported",
		    dry_run ? " to import" : "",
		    commas(c, sizeof c, s->runs_unchanged),
		    s->runs_unchanged == 1 ? "run was" : "runs were");
	}
	if (s->deleted_runs || s->deleted_experiments || s->versions_skipped) {
		buf_puts(&b, "; skipped ");
		first = 1;
		if (s->deleted_runs)
			plural(&b, &first, s->deleted_runs, "deleted run",
			    "deleted runs");
		if (s->deleted_experiments)
			plural(&b, &first, s->deleted_experiments,
			    "deleted experiment", "deleted experiments");
		if (s->versions_skipped)
			plural(&b, &first, s->versions_skipped,
			    "model version without a local artifact",
			    "model versions without a local artifact");
	}
	if (s->problems) {
		char c[32];

		buf_printf(&b, "; %s unreadable %s skipped (see above)",
		    commas(c, sizeof c, s->problems),
		    s->problems == 1 ? "file or line" : "files or lines");
	}
	printf("%s\n", buf_str(&b));
	buf_free(&b);
}

static void
print_json(const pl_mlflow_stats *s, int dry_run)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "dry_run"); json_bool(&j, dry_run);
	json_key(&j, "experiments"); json_int(&j, s->experiments);
	json_key(&j, "runs"); json_int(&j, s->runs);
	json_key(&j, "runs_updated"); json_int(&j, s->runs_updated);
	json_key(&j, "runs_unchanged"); json_int(&j, s->runs_unchanged);
	json_key(&j, "points"); json_int(&j, s->points);
	json_key(&j, "params"); json_int(&j, s->params);
	json_key(&j, "tags"); json_int(&j, s->tags);
	json_key(&j, "artifacts"); json_int(&j, s->artifacts);
	json_key(&j, "models"); json_int(&j, s->models);
	json_key(&j, "versions"); json_int(&j, s->versions);
	json_key(&j, "aliases"); json_int(&j, s->aliases);
	json_key(&j, "skipped_deleted_runs"); json_int(&j, s->deleted_runs);
	json_key(&j, "skipped_deleted_experiments");
	json_int(&j, s->deleted_experiments);
	json_key(&j, "skipped_versions"); json_int(&j, s->versions_skipped);
	json_key(&j, "problems"); json_int(&j, s->problems);
	json_obj_end(&j);
	printf("%s\n", buf_str(&b));
	buf_free(&b);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-artifacts", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	pl_mlflow_opts o;
	pl_mlflow_stats s;
	struct view v;
	pl_store *st = NULL;
	int c, json = 0, rc;

	memset(&o, 0, sizeof o);
	memset(&s, 0, sizeof s);
	memset(&v, 0, sizeof v);
	while ((c = getopt_long(argc, argv, "nq", opts, NULL)) != -1) {
		switch (c) {
		case 'n': o.dry_run = 1; break;
		case 'A': o.no_artifacts = 1; break;
		case 'J': json = 1; break;
		case 'q': v.quiet = 1; break;
		default: return cli_usage("import", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage("import", "what to import: plumb import "
		    "mlflow PATH");
	if (strcmp(argv[optind], "mlflow") != 0)
		return cli_usage("import", "unknown source kind '%s' (plumb "
		    "imports from mlflow)", argv[optind]);
	if (optind + 2 != argc)
		return cli_usage("import", optind + 1 >= argc ?
		    "the MLflow store to import: a mlruns/ directory or "
		    "sqlite:///path/mlflow.db" : "one store at a time");
	if (cli_open_store(&st, 0) != CLI_OK)
		return CLI_ERROR;
	v.tty = cli_g.stderr_escapes;
	o.problem = on_problem;
	o.progress = on_progress;
	o.arg = &v;
	rc = pl_mlflow_import(st, argv[optind + 1], &o, &s);
	clear_line(&v);
	if (rc != PL_OK) {
		cli_error("import: %s", pl_store_errmsg(st));
		if (s.runs || s.experiments)
			fprintf(stderr, "plumb: import: the runs committed "
			    "before the error are kept; importing again adds "
			    "the rest\n");
		pl_store_close(st);
		return CLI_ERROR;
	}
	if (json)
		print_json(&s, o.dry_run);
	else if (!v.quiet || s.problems)
		print_summary(&s, o.dry_run);
	pl_store_close(st);
	return s.problems ? CLI_ERROR : CLI_OK;
}

const struct cli_cmd cli_cmd_import = {
	"import", run, "import history from MLflow (mlruns/ or its SQLite db)",
	"usage: plumb import mlflow [--dry-run] [--no-artifacts] [--json] [-q]\n"
	"                           PATH\n"
	"\n"
	"Imports an MLflow tracking store into plumb's store: experiments, runs\n"
	"(status, start and end, user, run name, parent run), params, tags,\n"
	"whole metric series (steps, timestamps, NaN and infinities kept),\n"
	"artifacts (copied into the cache), and the model registry (models,\n"
	"versions with their run, stages, aliases).\n"
	"\n"
	"PATH is an MLflow file store (the mlruns/ directory, or file:///...)\n"
	"or an MLflow SQLite database (sqlite:///mlflow.db, or a path ending in\n"
	".db), read without writing to it.\n"
	"\n"
	"A run keeps its MLflow id (plumb show ID works) and the tag\n"
	"mlflow.run_id.  Importing again adds only what is new: runs not seen\n"
	"before, and to runs imported before the params, tags, artifacts and\n"
	"metric points they did not have, with MLflow's current status.\n"
	"Deleted runs and deleted experiments are not imported (counted as\n"
	"skipped).  RUNNING runs become lost (no plumb process owns them).\n"
	"\n"
	"A file or metric line that cannot be read is reported as PATH:LINE and\n"
	"skipped; the rest is imported and the exit status is 1.\n"
	"\n"
	"  -n, --dry-run       read everything, say what would be imported, write\n"
	"                      nothing\n"
	"      --no-artifacts  leave artifacts out (faster; import them later by\n"
	"                      running the import again without this option)\n"
	"      --json          the summary as {dry_run, experiments, runs,\n"
	"                      runs_updated, runs_unchanged, points, params, tags,\n"
	"                      artifacts, models, versions, aliases,\n"
	"                      skipped_deleted_runs, skipped_deleted_experiments,\n"
	"                      skipped_versions, problems}\n"
	"  -q, --quiet         no progress bar and no summary (problems are still\n"
	"                      reported)\n"
	"\n"
	"Exit status: 0 all imported, 1 some files were skipped or the store\n"
	"could not be written, 2 usage error.\n",
};
