/* cmd-monitor.c - `plumb monitor status|series|events`: what plumb watch collected, read from the store. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "fmt.h"
#include "json.h"
#include "timeparse.h"

static int
since_opt(int64_t *out, const char *cmd, const char *text)
{
	double s;

	if (pl_duration_parse(&s, text) != 0 || s <= 0)
		return cli_usage(cmd, "--since: '%s' is not a duration (e.g. "
		    "30m, 1h, 7d)", text);
	*out = (int64_t)(s * 1000);
	return CLI_OK;
}

static void
json_numz(struct json *j, double v)
{
	if (isfinite(v))
		json_num(j, v);
	else
		json_null(j);
}

/* A named number of a status object: null when not finite. */
struct json_field {
	const char *key;
	double v;
};

/* Writes the n fields of f in order, as "key": number-or-null. */
static void
json_fields(struct json *j, const struct json_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_key(j, f[i].key);
		json_numz(j, f[i].v);
	}
}

/* ---- status ---- */

static const char *
cell(char *out, size_t n, double v, int prec, double scale,
    const char *unit)
{
	if (isnan(v))
		return "-";
	snprintf(out, n, "%.*f%s", prec, v * scale, unit);
	return out;
}

/* "logs": what the prediction and label logs held (pl_predsrc_status),
 * null when the target has no log. */
static void
logs_json(struct json *j, pl_store *st, const char *target)
{
	struct pl_predsrc_status ps;
	const struct pl_predlog_status *l[2] = { &ps.predictions, &ps.labels };
	static const char *const name[2] = { "predictions", "labels" };

	json_key(j, "logs");
	if (pl_predsrc_status(&ps, st, target) != PL_OK ||
	    (!ps.predictions.present && !ps.labels.present)) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_key(j, "stored");
	json_int(j, ps.stored);
	json_key(j, "labelled");
	json_int(j, ps.labelled);
	json_key(j, "pending_labels");
	json_int(j, ps.pending);
	for (int i = 0; i < 2; i++) {
		json_key(j, name[i]);
		if (!l[i]->present) {
			json_null(j);
			continue;
		}
		json_obj_begin(j);
		json_key(j, "lines");
		json_int(j, l[i]->lines);
		json_key(j, "records");
		json_int(j, l[i]->records);
		json_key(j, "malformed");
		json_int(j, l[i]->malformed);
		json_key(j, "duplicates");
		json_int(j, l[i]->duplicates);
		json_key(j, "schema_changes");
		json_int(j, l[i]->schema_changes);
		json_key(j, "last_error");
		if (l[i]->last_error[0])
			json_str(j, l[i]->last_error);
		else
			json_null(j);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static int
run_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	int c, json = 0, status = CLI_ERROR, running;
	pl_store *st = NULL;
	char **tg = NULL, host[256];
	size_t nt = 0;
	long pid;
	int64_t wstart;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else
			return cli_usage("monitor", "bad option");
	}
	if (optind < argc)
		return cli_usage("monitor", "unexpected argument '%s'",
		    argv[optind]);
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		return CLI_ERROR;
	if (pl_mon_targets(&tg, &nt, st) != PL_OK) {
		cli_error("out of memory");
		goto out;
	}
	running = pl_watch_holder(&pid, host, sizeof host, &wstart,
	    pl_store_dir(st));
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_key(&j, "watcher");
		json_obj_begin(&j);
		json_key(&j, "running");
		json_bool(&j, running);
		json_key(&j, "pid");
		if (running)
			json_int(&j, pid);
		else
			json_null(&j);
		json_key(&j, "host");
		if (running)
			json_str(&j, host);
		else
			json_null(&j);
		json_obj_end(&j);
		json_key(&j, "targets");
		json_arr_begin(&j);
		for (size_t i = 0; i < nt; i++) {
			pl_mon_status s;

			pl_mon_status_get(&s, st, tg[i], fmt_now_ms());
			json_obj_begin(&j);
			json_key(&j, "target");
			json_str(&j, tg[i]);
			json_key(&j, "up");
			if (s.up < 0)
				json_null(&j);
			else
				json_bool(&j, s.up);
			json_key(&j, "up_from");
			if (s.up_from)
				json_str(&j, s.up_from);
			else
				json_null(&j);
			json_fields(&j, (const struct json_field[]){
			    { "last_sample_age_s", s.age_s },
			    { "request_rate", s.req_rate },
			    { "error_ratio", s.err_ratio } }, 3);
			json_key(&j, "latency_s");
			json_obj_begin(&j);
			json_fields(&j, (const struct json_field[]){
			    { "p50", s.p50 }, { "p95", s.p95 }, { "p99", s.p99 } }, 3);
			json_obj_end(&j);
			json_fields(&j, (const struct json_field[]){
			    { "cpu_percent", s.cpu_pct },
			    { "rss_bytes", s.rss },
			    { "drift_share", s.drift },
			    { "accuracy", s.acc },
			    { "label_coverage", s.cov } }, 5);
			json_key(&j, "malformed_lines");
			json_obj_begin(&j);
			json_fields(&j, (const struct json_field[]){
			    { "predictions", s.bad_pred },
			    { "labels", s.bad_lab },
			    { "scrape", s.bad_scrape } }, 3);
			json_obj_end(&j);
			logs_json(&j, st, tg[i]);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		puts(buf_str(&b));
		buf_free(&b);
	} else {
		char a[32], b[32], c2[32], d[32], e[32], f[32], g[32], h[32],
		    k[1];

		if (running)
			printf("watcher: running, pid %ld on %s\n", pid, host);
		else
			printf("watcher: not running\n");
		if (nt == 0) {
			printf("no monitored targets (plumb.yaml monitor: "
			    "section) and no series in the store\n");
			status = CLI_OK;
			goto out;
		}
		printf("%s%-16s %-5s %7s %8s %6s %8s %8s %8s %6s %8s %6s "
		    "%13s %9s%s\n", CLI_BOLD, "TARGET", "UP", "AGE", "REQ/S",
		    "ERR%", "P50", "P95", "P99", "CPU%", "RSS", "DRIFT",
		    "ACC(LABELLED)", "MALFORMED", CLI_RESET);
		for (size_t i = 0; i < nt; i++) {
			pl_mon_status s;
			char mem[32], acc[40], bad[40];

			pl_mon_status_get(&s, st, tg[i], fmt_now_ms());
			if (isnan(s.rss))
				snprintf(mem, sizeof mem, "-");
			else
				snprintf(mem, sizeof mem, "%.1fM",
				    s.rss / 1048576.0);
			if (isnan(s.acc))
				snprintf(acc, sizeof acc, "-");
			else if (isnan(s.cov))
				snprintf(acc, sizeof acc, "%.3f", s.acc);
			else
				snprintf(acc, sizeof acc, "%.3f(%.0f%%)", s.acc,
				    s.cov * 100);
			if (isnan(s.bad_pred) && isnan(s.bad_lab) &&
			    isnan(s.bad_scrape))
				snprintf(bad, sizeof bad, "-");
			else
				snprintf(bad, sizeof bad, "%.0f",
				    (isnan(s.bad_pred) ? 0 : s.bad_pred) +
				    (isnan(s.bad_lab) ? 0 : s.bad_lab) +
				    (isnan(s.bad_scrape) ? 0 : s.bad_scrape));
			fputs(CLI_BOLD, stdout);
			cli_put_safe(stdout, tg[i]);
			fputs(CLI_RESET, stdout);
			printf("%*s", (int)(strlen(tg[i]) < 16 ? 16 -
			    strlen(tg[i]) : 0), "");
			printf(" %-5s %7s %8s %6s %8s %8s %8s %6s %8s %6s %13s "
			    "%9s\n",
			    s.up < 0 ? "-" : s.up ? "up" : "DOWN",
			    isnan(s.age_s) ? "-" : fmt_duration(a, sizeof a,
			    (int64_t)(s.age_s * 1000)),
			    cell(b, sizeof b, s.req_rate, 2, 1, ""),
			    cell(c2, sizeof c2, s.err_ratio, 1, 100, ""),
			    cell(d, sizeof d, s.p50, 1, 1000, "ms"),
			    cell(e, sizeof e, s.p95, 1, 1000, "ms"),
			    cell(f, sizeof f, s.p99, 1, 1000, "ms"),
			    cell(g, sizeof g, s.cpu_pct, 1, 1, ""), mem,
			    cell(h, sizeof h, s.drift, 2, 1, ""), acc, bad);
			(void)k;
		}
	}
	status = CLI_OK;
out:
	pl_mon_targets_free(tg, nt);
	pl_store_close(st);
	return status;
}

/* ---- series ---- */

static void
series_text(struct buf *b, const pl_ts_series *s)
{
	buf_puts(b, s->name);
	buf_putc(b, '{');
	for (size_t i = 0; i < s->nlabels; i++) {
		buf_printf(b, "%s%s=\"", i ? "," : "", s->labels[i].name);
		for (const char *c = s->labels[i].value; *c; c++) {
			if (*c == '"' || *c == '\\')
				buf_putc(b, '\\');
			if (*c == '\n')
				buf_puts(b, "\\n");
			else
				buf_putc(b, *c);
		}
		buf_putc(b, '"');
	}
	buf_putc(b, '}');
}

static int
run_series(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'J' },
		{ "csv", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	int c, json = 0, csv = 0, status = CLI_ERROR;
	int64_t since = 3600000, now = fmt_now_ms();
	pl_matcher *m = NULL;
	size_t nm = 0;
	pl_store *st = NULL;
	pl_ts_set *set = NULL;
	struct buf out = BUF_INIT;
	struct json j;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (since_opt(&since, "monitor", optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'J': json = 1; break;
		case 'C': csv = 1; break;
		default:
			return cli_usage("monitor", "bad option");
		}
	}
	if (json && csv)
		return cli_usage("monitor", "--json and --csv exclude each "
		    "other");
	if (argc - optind > 1)
		return cli_usage("monitor", "series takes one selector");
	if (optind < argc) {
		char err[256];
		size_t off = 0;

		if (pl_ts_selector_parse(&m, &nm, argv[optind], err,
		    sizeof err, &off) != PL_OK) {
			fprintf(stderr, "plumb: selector:%zu: %s\n  ", off + 1,
			    err);
			cli_put_safe(stderr, argv[optind]);
			fprintf(stderr, "\n  %*s^\n", (int)off, "");
			return CLI_USAGE;
		}
	}
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		goto out;
	if (pl_ts_select(&set, st, m, nm) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (json) {
		json_init(&j, &out);
		json_arr_begin(&j);
	} else if (csv)
		puts("series,time,value");
	for (size_t i = 0; i < set->n; i++) {
		const pl_ts_series *s = &set->v[i];
		pl_ts_sample *v = NULL;
		size_t n = 0;
		struct buf name = BUF_INIT;
		char tb[40], nb[40];

		if (pl_ts_read(&v, &n, st, s->id, now - since, INT64_MAX) !=
		    PL_OK) {
			cli_error("%s", pl_store_errmsg(st));
			goto out;
		}
		series_text(&name, s);
		if (json) {
			json_obj_begin(&j);
			json_key(&j, "name");
			json_str(&j, s->name);
			json_key(&j, "labels");
			json_obj_begin(&j);
			for (size_t k = 0; k < s->nlabels; k++) {
				json_key(&j, s->labels[k].name);
				json_str(&j, s->labels[k].value);
			}
			json_obj_end(&j);
			json_key(&j, "samples");
			json_arr_begin(&j);
			for (size_t k = 0; k < n; k++) {
				json_arr_begin(&j);
				json_int(&j, v[k].t);
				json_numz(&j, v[k].v);
				json_arr_end(&j);
			}
			json_arr_end(&j);
			json_obj_end(&j);
		} else if (csv) {
			for (size_t k = 0; k < n; k++) {
				fmt_csv_field(stdout, buf_str(&name));
				printf(",%s,%s\n", fmt_iso_ms(tb, sizeof tb, v[k].t),
				    fmt_num(nb, sizeof nb, v[k].v));
			}
		} else {
			cli_put_safe(stdout, buf_str(&name));
			if (n == 0)
				printf("  (no sample in the last %s)\n",
				    fmt_duration(tb, sizeof tb, since));
			else
				printf("  %s at %s (%zu sample%s)\n",
				    fmt_num(nb, sizeof nb, v[n - 1].v),
				    fmt_iso_ms(tb, sizeof tb, v[n - 1].t), n,
				    n == 1 ? "" : "s");
		}
		buf_free(&name);
		free(v);
	}
	if (json) {
		json_arr_end(&j);
		puts(buf_str(&out));
	} else if (!csv && set->n == 0)
		printf("no series match\n");
	status = CLI_OK;
out:
	buf_free(&out);
	pl_ts_set_free(set);
	pl_store_close(st);
	free(m);
	return status;
}

/* ---- events ---- */

static int
run_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "target", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	int c, json = 0, status = CLI_ERROR;
	int64_t since = 86400000;
	pl_event_query q;
	pl_event *ev = NULL;
	size_t n = 0;
	pl_store *st = NULL;

	memset(&q, 0, sizeof q);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (since_opt(&since, "monitor", optarg) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'k': q.kind = optarg; break;
		case 't': q.target = optarg; break;
		case 'J': json = 1; break;
		default:
			return cli_usage("monitor", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage("monitor", "unexpected argument '%s'",
		    argv[optind]);
	q.start_ms = fmt_now_ms() - since;
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		return CLI_ERROR;
	if (pl_event_list(&ev, &n, st, &q) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;
		char tb[40];

		json_init(&j, &b);
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_key(&j, "id");
			json_int(&j, ev[i].id);
			json_key(&j, "time_ms");
			json_int(&j, ev[i].time_ms);
			json_key(&j, "time");
			json_str(&j, fmt_iso_ms(tb, sizeof tb, ev[i].time_ms));
			json_key(&j, "kind");
			json_str(&j, ev[i].kind);
#define OPTSTR(k, v) json_key(&j, k); if (v) json_str(&j, v); else json_null(&j)
			OPTSTR("target", ev[i].target);
			OPTSTR("model", ev[i].model);
			json_key(&j, "version");
			if (ev[i].version > 0)
				json_int(&j, ev[i].version);
			else
				json_null(&j);
			OPTSTR("message", ev[i].message);
			OPTSTR("user", ev[i].user);
			OPTSTR("host", ev[i].host);
#undef OPTSTR
			json_obj_end(&j);
		}
		json_arr_end(&j);
		puts(buf_str(&b));
		buf_free(&b);
	} else {
		char tb[40];

		if (n == 0)
			printf("no events in the last %s\n",
			    fmt_duration(tb, sizeof tb, since));
		for (size_t i = 0; i < n; i++) {
			printf("%s  %s%-14s%s ", fmt_iso_ms(tb, sizeof tb,
			    ev[i].time_ms), CLI_BOLD, ev[i].kind, CLI_RESET);
			cli_put_safe(stdout, ev[i].target ? ev[i].target :
			    "-");
			if (ev[i].model) {
				putchar(' ');
				cli_put_safe(stdout, ev[i].model);
				if (ev[i].version > 0)
					printf(" v%d", ev[i].version);
			}
			fputs("  ", stdout);
			cli_put_safe(stdout, ev[i].message ? ev[i].message :
			    "");
			putchar('\n');
		}
	}
	status = CLI_OK;
out:
	pl_events_free(ev, n);
	pl_store_close(st);
	return status;
}

/* ---- query ---- */

/* A time of --at/--start/--end: "now", now minus a duration ("-1h",
 * "now-1h"), Unix seconds or RFC 3339. */
static int
time_opt(int64_t *out, const char *opt, const char *text, int64_t now)
{
	const char *d = NULL;
	double s;

	if (strcmp(text, "now") == 0) {
		*out = now;
		return CLI_OK;
	}
	if (strncmp(text, "now-", 4) == 0)
		d = text + 4;
	else if (text[0] == '-')
		d = text + 1;
	if (d) {
		if (pl_duration_parse(&s, d) == 0 && s >= 0) {
			*out = now - (int64_t)(s * 1000);
			return CLI_OK;
		}
	} else if (timeparse(text, out) == 0)
		return CLI_OK;
	return cli_usage("monitor", "%s: '%s' is not a time (now, -1h, "
	    "now-30m, Unix seconds, or RFC 3339 like 2026-12-05T18:00:00Z)",
	    opt, text);
}

static int
run_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "step", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	int c, json = 0, at_set = 0, range = 0, rc, status = CLI_ERROR;
	int64_t now = fmt_now_ms(), at = now, start = now - 3600000, end = now;
	int64_t step = 0;
	double d;
	size_t col = 0;
	char *out = NULL;
	pl_store *st = NULL;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (time_opt(&at, "--at", optarg, now) != CLI_OK)
				return CLI_USAGE;
			at_set = 1;
			break;
		case 's':
			if (time_opt(&start, "--start", optarg, now) != CLI_OK)
				return CLI_USAGE;
			range = 1;
			break;
		case 'e':
			if (time_opt(&end, "--end", optarg, now) != CLI_OK)
				return CLI_USAGE;
			range = 1;
			break;
		case 'S':
			if (pl_duration_parse(&d, optarg) != 0 || d <= 0)
				return cli_usage("monitor", "--step: '%s' is "
				    "not a duration (e.g. 15s, 1m)", optarg);
			step = (int64_t)(d * 1000);
			if (step < 1)
				step = 1;
			range = 1;
			break;
		case 'J': json = 1; break;
		default:
			return cli_usage("monitor", "bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("monitor", "query takes one PromQL "
		    "expression (quote it for the shell)");
	if (at_set && range)
		return cli_usage("monitor", "--at excludes --start, --end and "
		    "--step");
	if (range && end < start)
		return cli_usage("monitor", "--end is before --start");
	if (range && step == 0) {
		/* about 250 points, as Prometheus' graph does */
		step = (end - start) / 250;
		step = step < 1000 ? 1000 : (step + 999) / 1000 * 1000;
	}
	if (range && (end - start) / step > 11000)
		return cli_usage("monitor", "%lld points: more than 11,000 "
		    "(Prometheus' limit); give a larger --step",
		    (long long)((end - start) / step));
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		goto out;
	rc = pl_promql_query(&out, &col, st, argv[optind], range ? start : at,
	    range ? end : at, range ? step : 0,
	    json ? PL_QUERY_JSON : PL_QUERY_TEXT);
	if (rc != PL_OK) {
		if (col) {
			fprintf(stderr, "plumb: query:%zu: ", col);
			cli_put_safe(stderr, pl_store_errmsg(st));
			fputs("\n  ", stderr);
			cli_put_safe(stderr, argv[optind]);
			fprintf(stderr, "\n  %*s^\n", (int)(col - 1), "");
		} else
			cli_error("%s", pl_store_errmsg(st));
		status = rc == PL_EINVAL ? CLI_USAGE : CLI_ERROR;
		goto out;
	}
	fputs(out, stdout);
	if (*out && out[strlen(out) - 1] != '\n')
		putchar('\n');
	status = CLI_OK;
out:
	free(out);
	pl_store_close(st);
	return status;
}

static int
run(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("monitor", "missing subcommand (status, "
		    "series, events, query)");
	if (strcmp(argv[1], "query") == 0)
		return run_query(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return run_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "series") == 0)
		return run_series(argc - 1, argv + 1);
	if (strcmp(argv[1], "events") == 0)
		return run_events(argc - 1, argv + 1);
	return cli_usage("monitor", "unknown subcommand '%s'", argv[1]);
}

const struct cli_cmd cli_cmd_monitor = {
	"monitor", run, "show what plumb watch collected: status, series, "
	"events, PromQL queries",
	"usage: plumb monitor status [--json]\n"
	"       plumb monitor series [SELECTOR] [--since DURATION] "
	"[--json|--csv]\n"
	"       plumb monitor events [--since DURATION] [--kind K] "
	"[--target T] [--json]\n"
	"       plumb monitor query EXPR [--at T | --start T --end T "
	"--step D] [--json]\n"
	"\n"
	"status   one line per target: up, age of the last round, request\n"
	"         rate, error share, latency p50/p95/p99, CPU, RSS, drift\n"
	"         share, accuracy with label coverage, malformed log lines;\n"
	"         \"-\" where that source is not configured or has no data\n"
	"series   the series matching a PromQL selector (e.g.\n"
	"         'up{target=\"api\"}'; none: every series) with their\n"
	"         samples of the last --since (default 1h)\n"
	"events   deploys, promotions, watcher starts and stops, drift,\n"
	"         rotations... of the last --since (default 1d)\n"
	"query    a PromQL expression over the series (the subset of\n"
	"         plumb-alerts(1)): instant at --at (default now), or a\n"
	"         range --start..--end (defaults now-1h..now) every --step\n"
	"         (default: ~250 points); T is now, -1h, now-30m, Unix\n"
	"         seconds or RFC 3339.  Text as `promtool query` prints it;\n"
	"         --json as Prometheus' HTTP API (resultType, result)\n"
	"\n"
	"  --json   machine-readable, shapes documented in plumb-monitor(1)\n"
	"  --csv    series: one row per sample (series,time,value)\n"
	"\n"
	"See plumb-monitor(1).\n"
};
