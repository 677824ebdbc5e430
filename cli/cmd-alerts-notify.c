/* cmd-alerts-notify.c - what `plumb alerts` shows of notifications: each alert's last delivery per receiver, and `plumb alerts notifications`, the delivery log. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "cli.h"
#include "fmt.h"

int cli_alerts_notifications(int argc, char **argv);
void cli_alerts_delivery_text(pl_store *st, const char *labels, int64_t now);
void cli_alerts_delivery_json(struct json *j, pl_store *st,
    const char *labels);

/* HH:MM:SS in local time, as fmt_time (the day too when not today). */
static void
clock_of(char *out, size_t n, int64_t ms, int64_t now)
{
	time_t s = (time_t)(ms / 1000), t = (time_t)(now / 1000);
	struct tm tm, tn;

	localtime_r(&s, &tm);
	localtime_r(&t, &tn);
	strftime(out, n, tm.tm_yday == tn.tm_yday && tm.tm_year == tn.tm_year ?
	    "%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
}

/*
 * Under an alert of `plumb alerts`: one line per receiver it went to,
 * "notified ops 12:03:04", or "delivery to ops FAILING: exit 3, attempt
 * 4, next in 40s".  A store without the tables (never watched since)
 * shows nothing.
 */
void
cli_alerts_delivery_text(pl_store *st, const char *labels, int64_t now)
{
	pl_notify_state *s = NULL;
	size_t n = 0;

	if (pl_notify_states(&s, &n, st, labels) != PL_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		char t[40], d[32];

		printf("         ");
		if (s[i].ok) {
			clock_of(t, sizeof t, s[i].ms, now);
			printf("%snotified ", CLI_DIM);
			cli_put_safe(stdout, s[i].receiver);
			printf(" %s%s\n", t, CLI_RESET);
			continue;
		}
		printf("%sdelivery to ", CLI_RED);
		cli_put_safe(stdout, s[i].receiver);
		printf(" FAILING: ");
		cli_put_safe(stdout, s[i].error);
		printf(", attempt %d", s[i].attempt);
		if (s[i].next_ms > now) {
			fmt_duration(d, sizeof d, s[i].next_ms - now);
			printf(", next in %s", d);
		} else if (s[i].next_ms)
			printf(", next attempt due");
		if (s[i].ok_ms) {
			clock_of(t, sizeof t, s[i].ok_ms, now);
			printf(" (last notified %s)", t);
		}
		printf("%s\n", CLI_RESET);
	}
	pl_notify_states_free(s, n);
}

/* "notifications": [...] of an alert in `plumb alerts --json`. */
void
cli_alerts_delivery_json(struct json *j, pl_store *st, const char *labels)
{
	pl_notify_state *s = NULL;
	size_t n = 0;

	json_key(j, "notifications");
	json_arr_begin(j);
	if (pl_notify_states(&s, &n, st, labels) == PL_OK)
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(j);
			json_key(j, "receiver");
			json_str(j, s[i].receiver);
			json_key(j, "state");
			json_str(j, s[i].ok ? "notified" : "failing");
			fmt_json_time(j, "at", s[i].ms);
			json_key(j, "attempt");
			json_int(j, s[i].attempt);
			json_key(j, "error");
			json_str(j, s[i].error);
			fmt_json_time(j, "nextAttemptAt", s[i].next_ms);
			fmt_json_time(j, "lastNotifiedAt", s[i].ok_ms);
			json_obj_end(j);
		}
	json_arr_end(j);
	pl_notify_states_free(s, n);
}

static int
parse_dur(const char *what, const char *s, int64_t *ms)
{
	double sec;

	if (pl_duration_parse(&sec, s) != 0 || sec <= 0)
		return cli_usage("alerts", "%s: '%s' is not a duration (like "
		    "30m, 2h, 7d)", what, s);
	*ms = (int64_t)(sec * 1000);
	return 0;
}

/* `plumb alerts notifications [--since D] [--limit N] [--json]` */
int
cli_alerts_notifications(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct timespec ts;
	int64_t since = 24 * 3600 * 1000LL, now;
	long limit = 50;
	int json = 0, c, rc;
	pl_delivery *d = NULL;
	size_t n = 0;
	pl_store *st;
	char *e;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's') {
			if ((rc = parse_dur("--since", optarg, &since)) != 0)
				return rc;
		} else if (c == 'l') {
			limit = strtol(optarg, &e, 10);
			if (*e || e == optarg || limit < 0)
				return cli_usage("alerts", "--limit: '%s' is not "
				    "a count (0: no limit)", optarg);
		} else if (c == 'j')
			json = 1;
		else
			return cli_usage("alerts", "bad option");
	}
	if (optind < argc)
		return cli_usage("alerts", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cli_open_store(&st, PL_OPEN_READONLY)) != 0)
		return rc;
	if (pl_notify_deliveries(&d, &n, st, now - since, (size_t)limit) !=
	    PL_OK) {
		rc = cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return rc;
	}
	pl_store_close(st);
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			fmt_json_time(&j, "at", d[i].ms);
			json_key(&j, "receiver");
			json_str(&j, d[i].receiver);
			json_key(&j, "groupKey");
			json_str(&j, d[i].group_key);
			json_key(&j, "status");
			json_str(&j, d[i].status);
			json_key(&j, "ok");
			json_bool(&j, d[i].ok);
			json_key(&j, "attempt");
			json_int(&j, d[i].attempt);
			json_key(&j, "error");
			json_str(&j, d[i].error);
			fmt_json_time(&j, "nextAttemptAt", d[i].next_ms);
			json_key(&j, "firing");
			json_int(&j, d[i].nfiring);
			json_key(&j, "resolved");
			json_int(&j, d[i].nresolved);
			json_key(&j, "durationMs");
			json_int(&j, d[i].duration_ms);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		pl_deliveries_free(d, n);
		fwrite(b.p ? b.p : "", 1, b.len, stdout);
		fputc('\n', stdout);
		buf_free(&b);
		return fflush(stdout) == 0 ? 0 : cli_error("cannot write "
		    "output");
	}
	if (n == 0)
		printf("no delivery in that period\n");
	for (size_t i = 0; i < n; i++) {
		char t[40];

		fmt_time(t, sizeof t, d[i].ms);
		printf("%s  %s%-6s%s  ", t, d[i].ok ? "" : CLI_RED,
		    d[i].ok ? "ok" : "FAILED", CLI_RESET);
		cli_put_safe(stdout, d[i].receiver);
		printf("  %s (%d firing, %d resolved)  attempt %d  %lld ms  ",
		    d[i].status, d[i].nfiring, d[i].nresolved, d[i].attempt,
		    (long long)d[i].duration_ms);
		cli_put_safe(stdout, d[i].group_key);
		if (!d[i].ok) {
			printf("\n    ");
			cli_put_safe(stdout, d[i].error);
		}
		printf("\n");
	}
	pl_deliveries_free(d, n);
	return 0;
}
