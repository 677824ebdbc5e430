/* cmd-repro.c - `plumb repro`: run what changed in the pipeline, in parallel, as tracked runs. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "cmd-pipeline.h"
#include "fmt.h"
#include "xalloc.h"

int
pipe_load(pl_pipeline **out, const char *file, unsigned flags)
{
	char err[2048], cwd[PATH_MAX], *found = NULL;
	int rc;

	*out = NULL;
	if (file == NULL) {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return cli_error("cannot read the working directory: "
			    "%s", strerror(errno));
		if (pl_pipeline_find(&found, cwd, err, sizeof err) != PL_OK)
			return cli_error("%s (-f FILE names one)", err);
		/* messages name the file as the user would */
		free(found);
		found = xstrdup(access("plumb.yaml", F_OK) == 0 ?
		    "plumb.yaml" : "dvc.yaml");
		file = found;
	}
	rc = pl_pipeline_load(out, file, flags, err, sizeof err);
	free(found);
	if (rc != PL_OK) {
		cli_error("%s", err);
		return CLI_ERROR;
	}
	return CLI_OK;
}

int
pipe_open_store(pl_store **out, const char *dir, int create)
{
	char err[512], *found = NULL, *sd;
	pl_store *st = NULL;

	*out = NULL;
	if (pl_store_find(&found, cli_g.store_dir, err, sizeof err) == PL_OK) {
		free(found);
		return cli_open_store(out, 0);
	}
	if (cli_g.store_dir || getenv("PLUMB_STORE"))
		return cli_open_store(out, 0);
	if (!create)
		return CLI_OK;
	sd = xasprintf("%s/%s", dir, PL_STORE_DIRNAME);
	if (pl_store_init(&st, sd) != PL_OK) {
		cli_error("cannot create a store in %s: %s", sd,
		    st ? pl_store_errmsg(st) : "out of memory");
		pl_store_close(st);
		free(sd);
		return CLI_ERROR;
	}
	fprintf(stderr, "plumb: created a store in %s\n", sd);
	free(sd);
	*out = st;
	return CLI_OK;
}

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	interrupted = sig;
}

struct view {
	int tty;		/* stderr is a terminal: live status line */
	int verbose;		/* stream stage output */
	int status_shown;
	int quiet;
	int dry_run;
	pl_store *st;
	struct buf partial;	/* verbose: an unfinished output line */
	const char *orphans;	/* --orphans, or NULL */
	int refused;		/* orphans on the cluster: nothing started */
	char **done_stage;	/* stages that ran and succeeded ... */
	char **done_run;	/* ... and their tracked runs */
	size_t ndone;
};

static void
clear_status(struct view *v)
{
	if (v->tty && v->status_shown) {
		fputs("\r\033[K", stderr);
		v->status_shown = 0;
	}
}

static void
show_tail(struct view *v, const char *run_id)
{
	char *path = pl_run_log_path(v->st, run_id, "stderr");
	FILE *f = path ? fopen(path, "r") : NULL;
	char *lines[10] = { NULL }, *line = NULL;
	size_t cap = 0, k = 0;
	ssize_t n;

	free(path);
	if (f == NULL)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		free(lines[k % 10]);
		lines[k % 10] = xstrdup(line);
		k++;
	}
	free(line);
	fclose(f);
	for (size_t i = k > 10 ? k - 10 : 0; i < k; i++) {
		fputs("  | ", stdout);
		lines[i % 10][strcspn(lines[i % 10], "\n")] = '\0';
		cli_put_safe(stdout, lines[i % 10]);
		fputc('\n', stdout);
	}
	for (size_t i = 0; i < 10; i++)
		free(lines[i]);
}

static void
on_event(const pl_repro_event *ev, void *payload)
{
	struct view *v = payload;
	char d[32];

	if (ev->type == PL_EV_OUTPUT) {
		if (!v->verbose)
			return;
		clear_status(v);
		/* prefix each line with its stage */
		for (size_t i = 0; i < ev->len; i++) {
			if (v->partial.len == 0)
				buf_printf(&v->partial, "%s | ", ev->stage);
			buf_putc(&v->partial, ev->data[i]);
			if (ev->data[i] == '\n') {
				v->partial.p[v->partial.len - 1] = '\0';
				cli_put_safe(ev->stream == 1 ? stdout : stderr,
				    v->partial.p);
				fputc('\n', ev->stream == 1 ? stdout : stderr);
				buf_clear(&v->partial);
			}
		}
		fflush(stdout);
		return;
	}
	if (ev->type == PL_EV_TICK) {
		struct buf b = BUF_INIT;

		if (!v->tty)
			return;
		buf_printf(&b, "[%zu/%zu] %.1fs", ev->done, ev->total,
		    ev->elapsed);
		if (ev->running) {
			buf_puts(&b, "  running:");
			for (size_t i = 0; i < ev->running; i++)
				buf_printf(&b, " %s", ev->running_names[i]);
		}
		if (b.len > 150)
			b.p[150] = '\0';
		fputs("\r\033[K", stderr);
		cli_put_safe(stderr, b.p);
		fflush(stderr);
		v->status_shown = 1;
		buf_free(&b);
		return;
	}
	clear_status(v);
	switch (ev->type) {
	case PL_EV_SKIP:
		if (!v->quiet)
			printf("up to date  %s\n", ev->stage);
		break;
	case PL_EV_FROZEN:
		if (!v->quiet)
			printf("frozen      %s\n", ev->stage);
		break;
	case PL_EV_WOULD_RUN:
		printf("would run   %s  (", ev->stage);
		cli_put_safe(stdout, ev->reason);
		printf(")\n");
		break;
	case PL_EV_START:
		printf("%srunning%s     %s  (run %.8s: ", CLI_BOLD, CLI_RESET,
		    ev->stage, ev->run_id ? ev->run_id : "?");
		cli_put_safe(stdout, ev->reason);
		printf(")\n");
		break;
	case PL_EV_DONE:
		if (ev->run_id) {
			v->done_stage = xreallocarray(v->done_stage, v->ndone + 1,
			    sizeof *v->done_stage);
			v->done_run = xreallocarray(v->done_run, v->ndone + 1,
			    sizeof *v->done_run);
			v->done_stage[v->ndone] = xstrdup(ev->stage);
			v->done_run[v->ndone] = xstrdup(ev->run_id);
			v->ndone++;
		}
		fmt_duration(d, sizeof d, (int64_t)(ev->seconds * 1000));
		printf("%sdone%s        %s  %s\n", CLI_GREEN, CLI_RESET,
		    ev->stage, d);
		break;
	case PL_EV_RESTORED:
		if (v->dry_run) {
			printf("would restore %s  (", ev->stage);
			cli_put_safe(stdout, ev->reason);
			printf(")\n");
			break;
		}
		printf("%srestored%s    %s  (", CLI_BLUE, CLI_RESET, ev->stage);
		cli_put_safe(stdout, ev->reason);
		printf(")\n");
		break;
	case PL_EV_FAILED:
		printf("%sFAILED%s      %s  (", CLI_RED, CLI_RESET, ev->stage);
		cli_put_safe(stdout, ev->reason ? ev->reason : "failed");
		printf(", run %.8s)\n", ev->run_id ? ev->run_id : "?");
		if (ev->run_id && !v->verbose)
			show_tail(v, ev->run_id);
		break;
	case PL_EV_KILLED:
		printf("%skilled%s      %s  (", CLI_RED, CLI_RESET, ev->stage);
		/* who stopped it, when not this plumb (a Slurm scancel) */
		if (ev->reason && strcmp(ev->reason, "interrupted") != 0 &&
		    strncmp(ev->reason, "interrupted ", 12) != 0) {
			cli_put_safe(stdout, ev->reason);
			fputs(", ", stdout);
		}
		printf("run %.8s)\n", ev->run_id ? ev->run_id : "?");
		break;
	case PL_EV_BLOCKED:
		printf("blocked     %s  (upstream ", ev->stage);
		cli_put_safe(stdout, ev->reason);
		/* queued on a cluster behind it: the batch system ended
		 * the job unstarted */
		if (ev->run_id)
			printf(" failed; dependency never satisfied, its job "
			    "never started, run %.8s)\n", ev->run_id);
		else
			printf(" failed)\n");
		break;
	case PL_EV_WARNING:
		fflush(stdout);
		fputs("plumb: warning: stage ", stderr);
		cli_put_safe(stderr, ev->stage);
		fputs(": ", stderr);
		cli_put_safe(stderr, ev->reason);
		fputs(" (skipped; see the run's tag skipped_metrics)\n", stderr);
		break;
	default:
		break;
	}
	fflush(stdout);
}

static void
on_registered(const char *model, int version, void *payload)
{
	(void)payload;
	printf("%sregistered%s  ", CLI_GREEN, CLI_RESET);
	cli_put_safe(stdout, model);
	printf(" v%d\n", version);
}

/*
 * The models: section registers a new version of each model whose stage
 * ran and succeeded, with that run and the data versions plumb.lock now
 * records for it.  The section lives in the pipeline file, or beside a
 * dvc.yaml in plumb.yaml.  Returns CLI_OK or CLI_ERROR (printed).
 */
static int
register_models(struct view *v, const pl_pipeline *p)
{
	const char *file = pl_pipeline_file(p), *base = strrchr(file, '/');
	char *cfgpath, *lockpath, err[1024];
	pl_config *cfg = NULL;
	int rc = PL_OK;

	if (v->ndone == 0)
		return CLI_OK;
	base = base ? base + 1 : file;
	if (strcmp(base, "dvc.yaml") == 0)
		cfgpath = xasprintf("%s/plumb.yaml", pl_pipeline_dir(p));
	else
		cfgpath = xstrdup(file);
	lockpath = xasprintf("%s/plumb.lock", pl_pipeline_dir(p));
	if (access(cfgpath, R_OK) == 0) {
		rc = pl_config_load(&cfg, cfgpath, err, sizeof err);
		if (rc != PL_OK)
			cli_error("%s", err);
	}
	for (size_t i = 0; rc == PL_OK && cfg && i < v->ndone; i++) {
		rc = pl_model_register_stage(v->st, cfg, v->done_stage[i],
		    v->done_run[i], lockpath, on_registered, NULL);
		if (rc != PL_OK)
			cli_error("registering the model of stage %s: %s",
			    v->done_stage[i], pl_store_errmsg(v->st));
	}
	pl_config_free(cfg);
	free(cfgpath);
	free(lockpath);
	return rc == PL_OK ? CLI_OK : CLI_ERROR;
}

/* The config file that goes with pipeline p: the pipeline file itself,
 * or plumb.yaml beside a dvc.yaml.  Malloc'ed. */
static char *
config_path(const pl_pipeline *p)
{
	const char *file = pl_pipeline_file(p), *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	if (strcmp(base, "dvc.yaml") == 0)
		return xasprintf("%s/plumb.yaml", pl_pipeline_dir(p));
	return xstrdup(file);
}

/*
 * Each stage's sbatch arguments from plumb.yaml's executor: slurm:
 * section, all checked before anything is submitted: a bad value, or a
 * stage name there that the pipeline lacks, is FILE:LINE:COL: message.
 */
static int
slurm_args(char ****out, const pl_pipeline *p)
{
	char *cfgpath = config_path(p), err[1024];
	pl_config *cfg = NULL;
	size_t n = pl_pipeline_nstages(p);
	char ***v;

	*out = NULL;
	if (access(cfgpath, R_OK) == 0 &&
	    pl_config_load(&cfg, cfgpath, err, sizeof err) != PL_OK) {
		cli_error("%s", err);
		free(cfgpath);
		return CLI_ERROR;
	}
	for (size_t r = 0; cfg && r < cfg->slurm.nstages; r++) {
		const pl_slurm_rule *rule = &cfg->slurm.stages[r];
		int glob = strpbrk(rule->pattern, "*?[") != NULL, hit = 0;

		for (size_t i = 0; i < n && !hit; i++)
			hit = glob ? fnmatch(rule->pattern,
			    pl_pipeline_stage(p, i)->name, 0) == 0 :
			    strcmp(rule->pattern,
			    pl_pipeline_stage(p, i)->name) == 0;
		if (!hit) {
			cli_error("%s:%d:%d: executor.slurm.stages: no stage "
			    "%s '%s' in the pipeline", cfgpath, rule->line,
			    rule->col, glob ? "matches" : "is named",
			    rule->pattern);
			pl_config_free(cfg);
			free(cfgpath);
			return CLI_ERROR;
		}
	}
	v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; cfg && i < n; i++)
		if (pl_slurm_cfg_args(&v[i], &cfg->slurm,
		    pl_pipeline_stage(p, i)->name) != PL_OK) {
			cli_error("out of memory");
			for (size_t k = 0; k < i; k++)
				pl_strv_free(v[k]);
			free(v);
			pl_config_free(cfg);
			free(cfgpath);
			return CLI_ERROR;
		}
	pl_config_free(cfg);
	free(cfgpath);
	*out = v;
	return CLI_OK;
}

/*
 * Jobs an earlier plumb repro of this store left on the cluster when it
 * was killed (only_if_recorded: only if the store records such a plumb,
 * see pl_slurm_orphans): listed, and without --orphans a refusal (they may be
 * writing the outputs this repro would write); --orphans=cancel cancels
 * them, --orphans=adopt waits for them to end.
 */
static int
settle_orphans(pl_store *st, const char *action, int only_if_recorded)
{
	pl_slurm_job *v = NULL;
	size_t n = 0;
	char err[512];

	if (pl_slurm_orphans(&v, &n, st, only_if_recorded, err,
	    sizeof err) != PL_OK) {
		cli_error("cannot look for jobs left by an earlier plumb: %s",
		    err);
		return CLI_ERROR;
	}
	if (n == 0)
		return CLI_OK;
	fprintf(stderr, "plumb: %zu Slurm job%s of an earlier plumb repro "
	    "(killed) %s still on the cluster:\n", n, n == 1 ? "" : "s",
	    n == 1 ? "is" : "are");
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "  job ");
		cli_put_safe(stderr, v[i].id);
		fprintf(stderr, "  ");
		cli_put_safe(stderr, v[i].state);
		fprintf(stderr, "  ");
		cli_put_safe(stderr, v[i].name);
		fputc('\n', stderr);
	}
	if (action == NULL) {
		cli_error("rerun with --orphans=cancel to cancel %s, or "
		    "--orphans=adopt to wait for %s to end", n == 1 ? "it" :
		    "them", n == 1 ? "it" : "them");
		free(v);
		return CLI_ERROR;
	}
	if (!strcmp(action, "adopt"))
		fprintf(stderr, "plumb: waiting for %s to end...\n", n == 1 ?
		    "it" : "them");
	if (pl_slurm_orphans_settle(st, v, n, action, err, sizeof err) !=
	    PL_OK) {
		cli_error("%s the jobs: %s", action, err);
		free(v);
		return CLI_ERROR;
	}
	fprintf(stderr, "plumb: %s %zu job%s\n", !strcmp(action, "cancel") ?
	    "cancelled" : "adopted", n, n == 1 ? "" : "s");
	free(v);
	return CLI_OK;
}

/*
 * pl_repro's before_work: the orphan check before anything is started on
 * the cluster.  A repro with nothing to do never asks squeue (its no-op
 * costs what a local one does); the store's record of a killed plumb
 * makes run() ask at once.
 */
static int
orphans_before_work(void *payload)
{
	struct view *v = payload;

	clear_status(v);
	if (settle_orphans(v->st, v->orphans, 0) != CLI_OK) {
		v->refused = 1;
		return 1;
	}
	return 0;
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'F' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "single-item", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "link", required_argument, NULL, 'L' },
		{ "no-run-cache", no_argument, NULL, 'R' },
		{ "executor", required_argument, NULL, 'X' },
		{ "orphans", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL, *link = getenv("PLUMB_CACHE_TYPE");
	const char *executor = getenv("PLUMB_EXECUTOR"), *orphans = NULL;
	pl_executor *ex = NULL;
	char ***sargs = NULL;
	pl_repro_opts ro;
	pl_repro_summary sum;
	pl_pipeline *p = NULL;
	pl_store *st = NULL;
	struct view v;
	struct sigaction sa, old_int, old_term, old_hup;
	char err[2048] = "";
	int c, rc, status = CLI_ERROR;
	int64_t t0;

	memset(&ro, 0, sizeof ro);
	memset(&v, 0, sizeof v);
	while ((c = getopt_long(argc, argv, "f:j:Fnksvq", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'j': {
			char *end;
			long j = strtol(optarg, &end, 10);

			if (*end || j < 1 || j > 1024)
				return cli_usage("repro", "-j takes a number of "
				    "jobs (1-1024), got '%s'", optarg);
			ro.jobs = (int)j;
			break;
		}
		case 'F': ro.force = 1; break;
		case 'n': ro.dry_run = 1; break;
		case 'k': ro.keep_going = 1; break;
		case 's': ro.single = 1; break;
		case 'v': v.verbose = 1; break;
		case 'q': v.quiet = 1; break;
		case 'L': link = optarg; break;
		case 'R': ro.no_run_cache = 1; break;
		case 'X': executor = optarg; break;
		case 'O': orphans = optarg; break;
		default:
			return cli_usage("repro", "bad option");
		}
	}
	ro.link_types = pl_link_parse(link);
	if (ro.link_types < 0)
		return cli_usage("repro", "--link takes reflink, hardlink and/or "
		    "copy (comma-separated), got '%s'", link);
	if (executor && strcmp(executor, "local") != 0 &&
	    strcmp(executor, "slurm") != 0)
		return cli_usage("repro", "--executor takes local or slurm, got "
		    "'%s'", executor);
	if (orphans && strcmp(orphans, "cancel") != 0 &&
	    strcmp(orphans, "adopt") != 0)
		return cli_usage("repro", "--orphans takes cancel or adopt, got "
		    "'%s'", orphans);
	ro.targets = argv + optind;
	ro.ntargets = (size_t)(argc - optind);
	if (pipe_load(&p, file, PL_PIPE_CHECK_DEPS) != CLI_OK)
		goto out;
	if (pipe_open_store(&st, pl_pipeline_dir(p), !ro.dry_run) != CLI_OK)
		goto out;
	if (executor && strcmp(executor, "slurm") == 0) {
		if (pl_executor_slurm_new(&ex, getenv("PLUMB_SLURM_ARGS")) !=
		    PL_OK) {
			cli_error("out of memory");
			goto out;
		}
		ro.executor = ex;
		if (slurm_args(&sargs, p) != CLI_OK)
			goto out;
		ro.submit_args = sargs;
		/* a killed plumb recorded in the store: asked now; else
		 * before the first stage starts (orphans_before_work) */
		if (!ro.dry_run) {
			if (settle_orphans(st, orphans, 1) != CLI_OK)
				goto out;
			v.orphans = orphans;
			ro.before_work = orphans_before_work;
		}
	}
	/* The live status line needs "\r ESC [ K": only where plumb may
	 * send escapes (a terminal, NO_COLOR unset, TERM not dumb). */
	v.tty = cli_g.stderr_escapes;
	v.st = st;
	v.dry_run = ro.dry_run;
	ro.interrupt = &interrupted;
	ro.on_event = on_event;
	ro.payload = &v;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	t0 = 0;
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		t0 = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	rc = pl_repro(&sum, st, p, &ro, err, sizeof err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	clear_status(&v);
	if (v.refused) {	/* settle_orphans said why */
		buf_free(&v.partial);
		status = CLI_ERROR;
		goto out;
	}
	if (v.partial.len) {
		cli_put_safe(stdout, v.partial.p);
		fputc('\n', stdout);
	}
	buf_free(&v.partial);
	{
		struct timespec ts;
		char d[32];

		clock_gettime(CLOCK_MONOTONIC, &ts);
		fmt_duration(d, sizeof d, (int64_t)ts.tv_sec * 1000 +
		    ts.tv_nsec / 1000000 - t0);
		if (ro.dry_run)
			printf("%zu of %zu stage%s would run\n", sum.would_run,
			    sum.selected, sum.selected == 1 ? "" : "s");
		else if (sum.ran + sum.restored + sum.failed + sum.killed == 0 &&
		    rc == PL_OK)
			printf("Pipeline is up to date (%zu stage%s, %s).\n",
			    sum.selected, sum.selected == 1 ? "" : "s", d);
		else
			printf("%zu ran, %zu restored, %zu up to date, %zu "
			    "failed, %zu killed, %zu blocked (%s)\n", sum.ran,
			    sum.restored, sum.skipped, sum.failed, sum.killed,
			    sum.blocked + sum.not_started, d);
	}
	if (rc != PL_OK && rc != PL_ERROR)
		cli_error("%s", err[0] ? err : pl_strerror(rc));
	/* Stages that succeeded register their models even when another
	 * stage failed (--keep-going): their versions are good. */
	if (!ro.dry_run && !interrupted && register_models(&v, p) != CLI_OK &&
	    rc == PL_OK)
		rc = PL_ERROR;
	if (interrupted)
		status = 130;
	else
		status = rc == PL_OK ? CLI_OK : CLI_ERROR;
out:
	for (size_t i = 0; i < v.ndone; i++) {
		free(v.done_stage[i]);
		free(v.done_run[i]);
	}
	free(v.done_stage);
	free(v.done_run);
	for (size_t i = 0; sargs && i < pl_pipeline_nstages(p); i++)
		pl_strv_free(sargs[i]);
	free(sargs);
	pl_executor_free(ex);
	pl_pipeline_free(p);
	pl_store_close(st);
	return status;
}

const struct cli_cmd cli_cmd_repro = {
	"repro", run, "run the pipeline stages whose inputs changed",
	"usage: plumb repro [-f FILE] [-j N] [--force] [--dry-run] "
	"[--keep-going]\n"
	"                   [--single-item] [-v] [-q] [--link TYPES]\n"
	"                   [--executor local|slurm] [--orphans cancel|adopt]\n"
	"                   [TARGET...]\n"
	"\n"
	"Reproduces the pipeline in plumb.yaml (or dvc.yaml: DVC's stages:\n"
	"schema, vars, ${...}, foreach and matrix run unchanged).  A stage runs\n"
	"when its command, a dep's content or a param it uses changed since\n"
	"plumb.lock recorded it; outputs that are only missing or edited are\n"
	"restored from the cache, and inputs seen before take their outputs\n"
	"from the run cache.  Independent stages run in parallel.  Each stage\n"
	"execution is a tracked run (experiment: the pipeline's directory;\n"
	"tags stage and reason), its output captured in the store and its\n"
	"metrics files ingested.  TARGETs are stage names or foreach/matrix\n"
	"groups; their upstream stages come along.\n"
	"\n"
	"  -f, --file FILE     the pipeline file\n"
	"  -j, --jobs N        local stages at once (default: number of CPUs;\n"
	"                      on Slurm, the cluster decides)\n"
	"      --force         run the selected stages even if up to date\n"
	"  -n, --dry-run       say what would run and why; change nothing\n"
	"  -k, --keep-going    after a failure, go on with independent stages\n"
	"  -s, --single-item   only the TARGETs, not their upstream stages\n"
	"  -v, --verbose       show stage output as it comes (prefixed)\n"
	"  -q, --quiet         no lines for stages that are up to date\n"
	"      --link TYPES    how outputs are restored: reflink, hardlink,\n"
	"                      copy, tried in order (default reflink,copy;\n"
	"                      also $PLUMB_CACHE_TYPE)\n"
	"      --no-run-cache  always run changed stages\n"
	"      --executor E    local (default) or slurm: each stage a batch\n"
	"                      job (sbatch; extra arguments from\n"
	"                      $PLUMB_SLURM_ARGS; also $PLUMB_EXECUTOR)\n"
	"      --orphans A     Slurm jobs a killed plumb repro left running:\n"
	"                      cancel them, or adopt (wait for them to end);\n"
	"                      without it, plumb lists them and stops\n"
	"\n"
	"Exit status: 0 when every selected stage is up to date at the end,\n"
	"1 when a stage failed or the pipeline file is wrong (plumb: FILE:LINE:\n"
	"COL: message), 2 for usage errors, 130 when interrupted (running\n"
	"stages are stopped and recorded killed).\n",
};
