/* cmd-check.c - `plumb check`: run data validation and model gates, report as text, JSON or JUnit XML. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "json.h"
#include "ropen.h"
#include "utf8.h"
#include "xalloc.h"

/* Writes s as XML character data or attribute text: valid UTF-8, no
 * control characters (made visible), markup characters escaped. */
static void
xml_text(FILE *f, const char *s, int keep_newline)
{
	struct buf b = BUF_INIT;

	if (s == NULL)
		return;
	if (utf8_sanitize(&b, s, strlen(s), keep_newline ?
	    UTF8_KEEP_NEWLINE : 0) != 0)
		return;
	for (const char *p = buf_str(&b); *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*p, f);
		}
	}
	buf_free(&b);
}

static int
write_junit(const char *path, const pl_check_report *r, const char *host)
{
	FILE *f = stdout;
	char ts[32], why[512];
	time_t now = time(NULL);
	struct tm tm;
	double total = 0;

	if (strcmp(path, "-") != 0) {
		/* a FIFO nobody reads is refused at once, not waited on */
		int fd = wopen(path, why, sizeof why);

		if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
			if (fd >= 0) {
				snprintf(why, sizeof why, "%s: %s", path,
				    strerror(errno));
				close(fd);
			}
			return cli_error("cannot write %s", why);
		}
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	for (size_t i = 0; i < r->n; i++)
		total += r->items[i].seconds;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"plumb check\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.6f\">\n",
	    r->n, r->nfail, r->nerror, r->nskip, total);
	for (size_t i = 0; i < r->n;) {
		size_t j, nf = 0, ne = 0, ns = 0;
		double t = 0;

		for (j = i; j < r->n && !strcmp(r->items[j].check,
		    r->items[i].check); j++) {
			nf += r->items[j].status == PL_CHECK_FAIL;
			ne += r->items[j].status == PL_CHECK_ERROR;
			ns += r->items[j].status == PL_CHECK_SKIP;
			t += r->items[j].seconds;
		}
		fputs("  <testsuite name=\"", f);
		xml_text(f, r->items[i].check, 0);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		    "skipped=\"%zu\" time=\"%.6f\" timestamp=\"%s\" "
		    "hostname=\"", j - i, nf, ne, ns, t, ts);
		xml_text(f, host, 0);
		fputs("\">\n", f);
		for (size_t k = i; k < j; k++) {
			const pl_check_item *it = &r->items[k];

			fputs("    <testcase name=\"", f);
			xml_text(f, it->name, 0);
			fputs("\" classname=\"plumb.check.", f);
			xml_text(f, it->check, 0);
			fprintf(f, "\" time=\"%.6f\"", it->seconds);
			if (it->status == PL_CHECK_PASS) {
				fputs("/>\n", f);
				continue;
			}
			fputs(">\n", f);
			if (it->status == PL_CHECK_SKIP) {
				fputs("      <skipped message=\"", f);
				xml_text(f, it->message, 0);
				fputs("\"/>\n", f);
			} else {
				const char *tag = it->status == PL_CHECK_FAIL ?
				    "failure" : "error";

				fprintf(f, "      <%s message=\"", tag);
				xml_text(f, it->message, 0);
				fprintf(f, "\" type=\"%s\">", it->kind);
				xml_text(f, it->message, 1);
				fprintf(f, "</%s>\n", tag);
			}
			fputs("    </testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
		i = j;
	}
	fputs("</testsuites>\n", f);
	if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
		return cli_error("cannot write %s: %s", path, strerror(errno));
	return CLI_OK;
}

static void
report_json(const pl_check_report *r, const char *model, int version)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "model"); json_str(&j, model);
	json_key(&j, "version");
	if (model) json_int(&j, version); else json_null(&j);
	json_key(&j, "passed"); json_int(&j, (int64_t)r->npass);
	json_key(&j, "failed"); json_int(&j, (int64_t)r->nfail);
	json_key(&j, "errors"); json_int(&j, (int64_t)r->nerror);
	json_key(&j, "skipped"); json_int(&j, (int64_t)r->nskip);
	json_key(&j, "ok"); json_bool(&j, !pl_check_report_failed(r));
	json_key(&j, "items");
	json_arr_begin(&j);
	for (size_t i = 0; i < r->n; i++) {
		const pl_check_item *it = &r->items[i];

		json_obj_begin(&j);
		json_key(&j, "check"); json_str(&j, it->check);
		json_key(&j, "kind"); json_str(&j, it->kind);
		json_key(&j, "name"); json_str(&j, it->name);
		json_key(&j, "status");
		json_str(&j, pl_check_status_name(it->status));
		json_key(&j, "message"); json_str(&j, it->message);
		json_key(&j, "value");
		if (it->has_value) json_num(&j, it->value); else json_null(&j);
		json_key(&j, "bound");
		if (it->has_bound) json_num(&j, it->bound); else json_null(&j);
		json_key(&j, "seconds"); json_num(&j, it->seconds);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	buf_putc(&b, '\n');
	fputs(buf_str(&b), stdout);
	buf_free(&b);
}

static void
report_text(const pl_check_report *r, const pl_config *cfg)
{
	const char *cur = NULL;

	for (size_t i = 0; i < r->n; i++) {
		const pl_check_item *it = &r->items[i];
		int bad = it->status == PL_CHECK_FAIL ||
		    it->status == PL_CHECK_ERROR;

		if (cur == NULL || strcmp(cur, it->check)) {
			const pl_check *c = pl_config_check(cfg, it->check);

			cur = it->check;
			printf("%scheck %s%s", CLI_BOLD, it->check, CLI_RESET);
			if (c && c->kind == PL_CHECK_DATA) {
				fputs(" (data: ", stdout);
				cli_put_safe(stdout, c->data);
				fputs(")", stdout);
			} else {
				fputs(" (gates)", stdout);
			}
			putchar('\n');
		}
		printf("  %s%-5s%s ", bad ? CLI_RED : it->status ==
		    PL_CHECK_SKIP ? CLI_YELLOW : CLI_GREEN,
		    it->status == PL_CHECK_FAIL ? "FAIL" :
		    it->status == PL_CHECK_ERROR ? "ERROR" :
		    pl_check_status_name(it->status), CLI_RESET);
		cli_put_safe(stdout, it->name);
		fputs(": ", stdout);
		cli_put_safe(stdout, it->message);
		putchar('\n');
	}
	printf("%zu passed, %zu failed, %zu errors, %zu skipped\n", r->npass,
	    r->nfail, r->nerror, r->nskip);
}

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'J' },
		{ "junit", required_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *model_arg = NULL, *junit = NULL, *cfgpath = NULL;
	char *path = NULL, *name = NULL, *ref = NULL, err[1024];
	pl_check_report *rep = NULL;
	pl_config *cfg = NULL;
	pl_store *st = NULL;
	int c, json = 0, version = 0, rc, status = CLI_ERROR;

	while ((c = getopt_long(argc, argv, "m:", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model_arg = optarg; break;
		case 'J': json = 1; break;
		case 'j': junit = optarg; break;
		case 'c': cfgpath = optarg; break;
		default: return cli_usage("check", "bad option");
		}
	}
	if (model_arg) {
		if (pl_model_ref_split(&name, &ref, model_arg) != PL_OK)
			return cli_usage("check", "--model takes NAME@VERSION, "
			    "not '%s'", model_arg);
		if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
			goto out;
		if (pl_model_resolve(&version, st, name, ref) != PL_OK) {
			cli_error("%s", pl_store_errmsg(st));
			goto out;
		}
	}
	rc = pl_config_find(&path, cfgpath, st ? pl_store_dir(st) : NULL);
	if (rc == PL_ENOTFOUND) {
		cli_error("no plumb.yaml here or in any parent directory "
		    "(checks live in its checks: section; or use --config "
		    "FILE)");
		goto out;
	}
	if (rc != PL_OK || (rc = pl_config_load(&cfg, path, err,
	    sizeof err)) != PL_OK) {
		cli_error("%s", rc == PL_OK ? pl_strerror(rc) : err);
		goto out;
	}
	rc = pl_check_run(&rep, st, cfg, (const char *const *)argv + optind,
	    (size_t)(argc - optind), name, version, err, sizeof err);
	if (rc != PL_OK) {
		cli_error("%s", err);
		goto out;
	}
	if (cfg->nchecks == 0 && !json)
		fprintf(stderr, "plumb: no checks in %s\n", cfg->path);
	if (json)
		report_json(rep, name, version);
	else
		report_text(rep, cfg);
	if (junit) {
		char host[256] = "localhost";

		gethostname(host, sizeof host - 1);
		if (write_junit(junit, rep, host) != CLI_OK)
			goto out;
	}
	status = pl_check_report_failed(rep) ? CLI_ERROR : CLI_OK;
out:
	pl_check_report_free(rep);
	pl_config_free(cfg);
	pl_store_close(st);
	free(path);
	free(name);
	free(ref);
	return status;
}

const struct cli_cmd cli_cmd_check = {
	"check", run, "run data validation and model gates (CI)",
	"usage: plumb check [NAME...] [--model NAME@VERSION] [--json]\n"
	"                   [--junit FILE] [--config FILE]\n"
	"\n"
	"Runs the checks of plumb.yaml's checks: section (all of them, or the\n"
	"ones named): data checks validate a CSV file (columns present, type,\n"
	"required, min/max, allowed values, max missing fraction, unique, row\n"
	"count) and list the first bad rows with their line numbers; gate\n"
	"checks compare a model version's metrics with a bound or with the\n"
	"production version (accuracy >= production - 0.01).  Gate checks\n"
	"need --model; without it they are skipped.\n"
	"\n"
	"  -m, --model NAME@REF  the model version the gates judge\n"
	"      --json           one JSON object (see plumb-check(1))\n"
	"      --junit FILE     also write JUnit XML (\"-\": stdout)\n"
	"      --config FILE    plumb.yaml to use (default: nearest one)\n"
	"\n"
	"Exit status: 0 every check passed (or was skipped); 1 a check failed\n"
	"or could not run, or an error; 2 usage error.  As a pipeline stage:\n"
	"cmd: plumb check train-data --junit reports/checks.xml\n",
};
