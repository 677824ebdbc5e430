/* metrics.c - plumb serve's /metrics: plumb's own state in the Prometheus text format 0.0.4, for an existing Prometheus to scrape. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "srv.h"

/*
 * What is exposed:
 *  - plumb_runs{status}: runs by status; plumb_experiments;
 *  - plumb_model_stage_version{model,stage}: the version in production
 *    and staging (0: none); plumb_model_metric{model,version,stage,
 *    metric}: the metrics snapshot of those versions;
 *  - the newest sample of every series plumb watch keeps about
 *    production (names plumb_*, ALERTS, up, probe_success) when it is
 *    at most 5 minutes old and not a staleness marker — Prometheus'
 *    lookback, as its /federate does — with its own timestamp, so a
 *    scraping Prometheus stores it at the time plumb observed it.
 * Scraped series of other exporters are not re-exported: scrape them
 * directly.
 */

#define LOOKBACK_MS (5 * 60 * 1000)

/* Exposition label value: \\, \" and \n escaped (format 0.0.4). */
static void
put_lv(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			buf_puts(b, "\\\\");
		else if (*v == '"')
			buf_puts(b, "\\\"");
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *v);
	}
}

/* Go's %g-like shortest form that Prometheus parses back exactly. */
static void
put_num(struct buf *b, double v)
{
	if (isnan(v))
		buf_puts(b, "NaN");
	else if (isinf(v))
		buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else
		buf_printf(b, "%.17g", v);
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int
exported(const char *name)
{
	return strncmp(name, "plumb_", 6) == 0 || strcmp(name, "ALERTS") == 0 ||
	    strcmp(name, "up") == 0 || strcmp(name, "probe_success") == 0;
}

static void
put_models(struct buf *b, pl_store *st)
{
	pl_model_summary *m = NULL;
	size_t n = 0;

	if (pl_model_list(&m, &n, st) != PL_OK)
		return;
	family(b, "plumb_model_stage_version", "gauge",
	    "Version of a registered model in a stage (0: none).");
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, "plumb_model_stage_version{model=\"");
		put_lv(b, m[i].name);
		buf_printf(b, "\",stage=\"production\"} %d\n", m[i].production);
		buf_puts(b, "plumb_model_stage_version{model=\"");
		put_lv(b, m[i].name);
		buf_printf(b, "\",stage=\"staging\"} %d\n", m[i].staging);
	}
	family(b, "plumb_model_metric", "gauge",
	    "A metric of the model version in a stage, as its run logged it.");
	for (size_t i = 0; i < n; i++) {
		int vers[2] = { m[i].production, m[i].staging };
		static const char *const stage[2] = { "production", "staging" };

		for (int k = 0; k < 2; k++) {
			pl_model_version *v = NULL;

			if (vers[k] == 0 ||
			    pl_model_get(&v, st, m[i].name, vers[k]) != PL_OK) {
				pl_model_version_free(v);
				continue;
			}
			for (size_t j = 0; j < v->nmetrics; j++) {
				buf_puts(b, "plumb_model_metric{model=\"");
				put_lv(b, m[i].name);
				buf_printf(b, "\",version=\"%d\",stage=\"%s\","
				    "metric=\"", vers[k], stage[k]);
				put_lv(b, v->metrics[j].key);
				buf_puts(b, "\"} ");
				put_num(b, v->metrics[j].value);
				buf_putc(b, '\n');
			}
			pl_model_version_free(v);
		}
	}
	pl_model_summary_free(m, n);
}

static void
put_series(struct buf *b, pl_store *st, int64_t now)
{
	pl_ts_set *set = NULL;
	const char *last_family = "";

	if (pl_ts_select(&set, st, NULL, 0) != PL_OK)
		return;
	for (size_t i = 0; i < set->n; i++) {
		const pl_ts_series *s = &set->v[i];
		pl_ts_sample smp;

		if (!exported(s->name) ||
		    pl_ts_last(&smp, st, s->id) != PL_OK ||
		    pl_ts_is_stale(smp.v) || smp.t < now - LOOKBACK_MS)
			continue;
		/* Samples of one name stay together: the set is sorted by
		 * name, so one TYPE line per family. */
		if (strcmp(last_family, s->name) != 0) {
			buf_printf(b, "# HELP %s The newest sample plumb "
			    "watch stored (at most 5 minutes old).\n"
			    "# TYPE %s untyped\n", s->name, s->name);
			last_family = s->name;
		}
		buf_puts(b, s->name);
		for (size_t l = 0; l < s->nlabels; l++) {
			buf_puts(b, l ? ",": "{");
			buf_puts(b, s->labels[l].name);
			buf_puts(b, "=\"");
			put_lv(b, s->labels[l].value);
			buf_putc(b, '"');
		}
		if (s->nlabels)
			buf_putc(b, '}');
		buf_putc(b, ' ');
		put_num(b, smp.v);
		buf_printf(b, " %lld\n", (long long)smp.t);
	}
	pl_ts_set_free(set);
}

int
srv_metrics(struct srv_req *r)
{
	const char *why = NULL;
	pl_store *st;
	struct buf b = { 0 };
	int64_t counts[PL_RUN__NSTATUS];
	pl_experiment *e = NULL;
	size_t ne = 0;
	struct timespec ts;

	if (strcmp(r->path, "/metrics") != 0)
		return 0;
	if ((st = srv_store(&why)) == NULL) {
		srv_replyf(r, 503, "text/plain", "store unavailable: %s\n", why);
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (pl_run_counts(counts, st) == PL_OK) {
		family(&b, "plumb_runs", "gauge", "Runs in the store by status.");
		for (int i = 0; i < PL_RUN__NSTATUS; i++)
			buf_printf(&b, "plumb_runs{status=\"%s\"} %lld\n",
			    pl_run_status_name((pl_run_status)i),
			    (long long)counts[i]);
	}
	if (pl_experiments(&e, &ne, st) == PL_OK) {
		family(&b, "plumb_experiments", "gauge",
		    "Experiments in the store.");
		buf_printf(&b, "plumb_experiments %zu\n", ne);
		pl_experiment_list_free(e, ne);
	}
	put_models(&b, st);
	put_series(&b, st, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	srv_reply_take(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    buf_detach(&b));
	buf_free(&b);
	return 1;
}
