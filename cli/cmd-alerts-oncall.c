/* cmd-alerts-oncall.c - the on-call commands: `plumb alerts [--json]`, `alerts history`, `alerts ack`, and `plumb silence add|list|expire`. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "cli.h"
#include "fmt.h"

int cli_alerts_oncall(int argc, char **argv);
int cli_alerts_notifications(int argc, char **argv);
void cli_alerts_delivery_text(pl_store *st, const char *labels, int64_t now);
void cli_alerts_delivery_json(struct json *j, pl_store *st,
    const char *labels);

/*
 * rows_json: the alert rows; with the trigger history (tr may be NULL:
 * no key), each row also lists the CT runs it caused ("triggers": the
 * history entries naming its alert history id, their status and runs),
 * the other side of the link plumb triggers history shows.
 */
static void
rows_json(struct json *j, const pl_alert_row *r, size_t n, pl_store *st,
    int with_triggers, const pl_trigger_row *tr, size_t ntr)
{
	json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		json_obj_begin(j);
		json_key(j, "id");
		json_int(j, r[i].id);
		json_key(j, "alertname");
		json_str(j, r[i].alertname);
		json_key(j, "labels");
		json_str(j, r[i].labels);
		json_key(j, "annotations");
		json_str(j, r[i].annotations);
		json_key(j, "group");
		json_str(j, r[i].group);
		json_key(j, "state");
		json_str(j, r[i].state);
		fmt_json_time(j, "activeAt", r[i].active_ms);
		fmt_json_time(j, "firedAt", r[i].fired_ms);
		fmt_json_time(j, "endsAt", r[i].end_ms);
		fmt_json_dbl(j, "value", r[i].value);
		fmt_json_dbl(j, "peak", r[i].peak);
		json_key(j, "acknowledged");
		if (r[i].ack_ms) {
			json_obj_begin(j);
			fmt_json_time(j, "at", r[i].ack_ms);
			json_key(j, "user");
			json_str(j, r[i].ack_user ? r[i].ack_user : "");
			json_key(j, "host");
			json_str(j, r[i].ack_host ? r[i].ack_host : "");
			json_key(j, "sshClient");
			if (r[i].ack_ssh)
				json_str(j, r[i].ack_ssh);
			else
				json_null(j);
			json_key(j, "comment");
			json_str(j, r[i].ack_comment ? r[i].ack_comment : "");
			json_obj_end(j);
		} else
			json_null(j);
		json_key(j, "silencedBy");
		if (r[i].silenced_by)
			json_str(j, r[i].silenced_by);
		else
			json_null(j);
		if (st)
			cli_alerts_delivery_json(j, st, r[i].labels);
		if (with_triggers) {
			json_key(j, "triggers");
			json_arr_begin(j);
			for (size_t k = 0; k < ntr; k++) {
				const char *p = tr[k].run_ids;

				if (tr[k].alert_id != r[i].id)
					continue;
				json_obj_begin(j);
				json_key(j, "id");
				json_int(j, tr[k].id);
				json_key(j, "trigger");
				json_str(j, tr[k].trigger);
				json_key(j, "status");
				json_str(j, tr[k].status);
				json_key(j, "runs");
				json_arr_begin(j);
				while (*p) {
					size_t len = strcspn(p, " ");
					char id[64];

					if (len && len < sizeof id) {
						memcpy(id, p, len);
						id[len] = '\0';
						json_str(j, id);
					}
					p += len;
					p += strspn(p, " ");
				}
				json_arr_end(j);
				json_obj_end(j);
			}
			json_arr_end(j);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* Labels without alertname (it is in its own column). */
static void
put_labels(const char *labels)
{
	const char *p = strstr(labels, "alertname=\"");

	if (p == labels + 1) {
		const char *q = strchr(p + 11, '"');
		if (q) {
			q++;
			if (q[0] == ',' && q[1] == ' ')
				q += 2;
			fputc('{', stdout);
			cli_put_safe(stdout, q);
			return;
		}
	}
	cli_put_safe(stdout, labels);
}

static int
list_active(int json)
{
	pl_store *st;
	pl_alert_row *r = NULL;
	size_t n = 0;
	int64_t now = fmt_now_ms();
	int rc;

	if ((rc = cli_open_store(&st, PL_OPEN_READONLY)) != 0)
		return rc;
	if (pl_alerts_active(&r, &n, st, now) != PL_OK) {
		rc = cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return rc;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b);
		rows_json(&j, r, n, st, 0, NULL, 0);
		pl_store_close(st);
		pl_alert_rows_free(r, n);
		return fmt_emit_json(&b);
	}
	if (n == 0)
		printf("no alert is pending or firing\n");
	for (size_t i = 0; i < n; i++) {
		char d[32], v[32];
		int firing = !strcmp(r[i].state, "firing");
		fmt_duration(d, sizeof d, now - (firing ? r[i].fired_ms :
		    r[i].active_ms));
		printf("%s%-8s%s ", firing ? CLI_RED : CLI_YELLOW,
		    r[i].state, CLI_RESET);
		cli_put_safe(stdout, r[i].alertname);
		printf(" ");
		put_labels(r[i].labels);
		printf("  for %s  value %s", d, isnan(r[i].value) ? "-" :
		    fmt_num(v, sizeof v, r[i].value));
		if (r[i].ack_ms) {
			printf("  %sacked by ", CLI_DIM);
			cli_put_safe(stdout, r[i].ack_user ? r[i].ack_user : "?");
			printf(": ");
			cli_put_safe(stdout, r[i].ack_comment ? r[i].ack_comment :
			    "");
			printf("%s", CLI_RESET);
		}
		if (r[i].silenced_by)
			printf("  %ssilenced (%.8s)%s", CLI_DIM, r[i].silenced_by,
			    CLI_RESET);
		printf("\n");
		if (strcmp(r[i].annotations, "{}")) {
			printf("         ");
			cli_put_safe(stdout, r[i].annotations);
			printf("\n");
		}
		cli_alerts_delivery_text(st, r[i].labels, now);
	}
	pl_store_close(st);
	pl_alert_rows_free(r, n);
	return 0;
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

static int
list_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t since = 24 * 3600 * 1000LL, now = fmt_now_ms();
	int json = 0, c, rc;
	pl_store *st;
	pl_alert_row *r = NULL;
	pl_trigger_row *tr = NULL;
	size_t n = 0, ntr = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's') {
			if ((rc = parse_dur("--since", optarg, &since)) != 0)
				return rc;
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
	if (pl_alerts_history(&r, &n, st, now - since) != PL_OK) {
		rc = cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return rc;
	}
	/* the CT runs the alerts caused (plumb-triggers(1)); a store that
	 * cannot say (read-only, older) lists none */
	if (json && pl_trigger_history(&tr, &ntr, st, NULL, 0) != PL_OK) {
		tr = NULL;
		ntr = 0;
	}
	pl_store_close(st);
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;
		json_init(&j, &b);
		rows_json(&j, r, n, NULL, 1, tr, ntr);
		pl_alert_rows_free(r, n);
		pl_trigger_rows_free(tr, ntr);
		return fmt_emit_json(&b);
	}
	if (n == 0)
		printf("no alert in that period\n");
	for (size_t i = 0; i < n; i++) {
		char a[40], e[40], d[32], pk[32];
		fmt_time(a, sizeof a, r[i].active_ms);
		if (r[i].end_ms) {
			fmt_time(e, sizeof e, r[i].end_ms);
			fmt_duration(d, sizeof d, r[i].end_ms - r[i].active_ms);
		} else {
			snprintf(e, sizeof e, "(active)");
			fmt_duration(d, sizeof d, now - r[i].active_ms);
		}
		printf("%s  %-19s  %-8s  %s%s  ", a, e, d, r[i].fired_ms ?
		    "fired   " : "", r[i].state);
		cli_put_safe(stdout, r[i].alertname);
		printf(" ");
		put_labels(r[i].labels);
		printf("  peak %s", isnan(r[i].peak) ? "-" :
		    fmt_num(pk, sizeof pk, r[i].peak));
		if (r[i].ack_ms) {
			printf("  acked by ");
			cli_put_safe(stdout, r[i].ack_user ? r[i].ack_user : "?");
		}
		printf("\n");
	}
	pl_alert_rows_free(r, n);
	return 0;
}

static int
ack(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "comment", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *comment = NULL;
	pl_store *st;
	size_t n = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			comment = optarg;
		else
			return cli_usage("alerts", "bad option");
	}
	if (optind != argc - 1)
		return cli_usage("alerts", "alerts ack needs one alert name");
	if (comment == NULL || !comment[0])
		return cli_usage("alerts", "alerts ack needs --comment TEXT");
	if ((rc = cli_open_store(&st, 0)) != 0)
		return rc;
	if (pl_alerts_ack(&n, st, argv[optind], comment, fmt_now_ms()) != PL_OK) {
		rc = cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return rc;
	}
	pl_store_close(st);
	printf("acknowledged %zu alert%s\n", n, n == 1 ? "" : "s");
	return 0;
}

int
cli_alerts_oncall(int argc, char **argv)
{
	/* argv[0] is "alerts" */
	if (argc >= 2 && !strcmp(argv[1], "history"))
		return list_history(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "ack"))
		return ack(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "notifications"))
		return cli_alerts_notifications(argc - 1, argv + 1);
	if (argc == 1)
		return list_active(0);
	if (argc == 2 && !strcmp(argv[1], "--json"))
		return list_active(1);
	if (argv[1][0] == '-')
		return cli_usage("alerts", "unknown option '%s'", argv[1]);
	return cli_usage("alerts", "unknown subcommand '%s'", argv[1]);
}

/* ---- plumb silence ------------------------------------------------------ */

static int
silence_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "comment", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *comment = NULL;
	int64_t dur = 3600 * 1000LL, now = fmt_now_ms();
	char *id = NULL;
	pl_store *st;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f') {
			double sec;
			if (pl_duration_parse(&sec, optarg) != 0 || sec <= 0)
				return cli_usage("silence", "--for: '%s' is not "
				    "a duration (like 30m, 2h)", optarg);
			dur = (int64_t)(sec * 1000);
		} else if (c == 'c')
			comment = optarg;
		else
			return cli_usage("silence", "bad option");
	}
	if (optind >= argc)
		return cli_usage("silence", "silence add needs at least one "
		    "matcher (like alertname=HighLatency)");
	if (comment == NULL || !comment[0])
		return cli_usage("silence", "silence add needs --comment TEXT");
	if ((rc = cli_open_store(&st, 0)) != 0)
		return rc;
	if (pl_silence_add(&id, st, (const char *const *)argv + optind,
	    (size_t)(argc - optind), now, now + dur, comment) != PL_OK) {
		rc = cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return rc;
	}
	pl_store_close(st);
	printf("%s\n", id);
	free(id);
	return 0;
}

static int
silence_list(int argc, char **argv)
{
	int json = 0, all = 0;
	pl_silence *s = NULL;
	size_t n = 0;
	pl_store *st;
	int64_t now = fmt_now_ms();
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else
			return cli_usage("silence", "unexpected '%s'", argv[i]);
	}
	if ((rc = cli_open_store(&st, PL_OPEN_READONLY)) != 0)
		return rc;
	if (pl_silence_list(&s, &n, st, now, all) != PL_OK) {
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
			json_key(&j, "id");
			json_str(&j, s[i].id);
			json_key(&j, "matchers");
			json_str(&j, s[i].matchers);
			fmt_json_time(&j, "startsAt", s[i].starts_ms);
			fmt_json_time(&j, "endsAt", s[i].ends_ms);
			fmt_json_time(&j, "createdAt", s[i].created_ms);
			json_key(&j, "createdBy");
			json_str(&j, s[i].created_by);
			json_key(&j, "comment");
			json_str(&j, s[i].comment);
			json_key(&j, "status");
			json_obj_begin(&j);
			json_key(&j, "state");
			json_str(&j, s[i].ends_ms <= now ? "expired" :
			    s[i].starts_ms > now ? "pending" : "active");
			json_obj_end(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		pl_silences_free(s, n);
		return fmt_emit_json(&b);
	}
	if (n == 0)
		printf("no active silence\n");
	for (size_t i = 0; i < n; i++) {
		char e[40];
		fmt_time(e, sizeof e, s[i].ends_ms);
		printf("%s  %s %s  ", s[i].id, s[i].ends_ms <= now ? "ended" :
		    "ends", e);
		cli_put_safe(stdout, s[i].matchers);
		printf("  by ");
		cli_put_safe(stdout, s[i].created_by);
		printf(": ");
		cli_put_safe(stdout, s[i].comment);
		printf("\n");
	}
	pl_silences_free(s, n);
	return 0;
}

static int
silence_run(int argc, char **argv)
{
	pl_store *st;
	int rc;

	if (argc < 2)
		return cli_usage("silence", "missing subcommand (add, list, "
		    "expire)");
	if (!strcmp(argv[1], "add"))
		return silence_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return silence_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "expire"))
		return cli_usage("silence", "unknown subcommand '%s'", argv[1]);
	if (argc != 3)
		return cli_usage("silence", "silence expire needs one ID");
	if ((rc = cli_open_store(&st, 0)) != 0)
		return rc;
	if (pl_silence_expire(st, argv[2], fmt_now_ms()) != PL_OK) {
		rc = cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return rc;
	}
	pl_store_close(st);
	printf("expired\n");
	return 0;
}

const struct cli_cmd cli_cmd_silence = {
	"silence", silence_run, "silence alerts (Alertmanager's silences)",
	"usage: plumb silence add MATCHER... [--for D] --comment TEXT\n"
	"       plumb silence list [--all] [--json]\n"
	"       plumb silence expire ID\n"
	"\n"
	"A silence hides the alerts its matchers all match from `plumb alerts`\n"
	"(marked silenced) for a while, with Alertmanager's fields: matchers,\n"
	"startsAt, endsAt, createdBy (user@host, and the SSH client when over\n"
	"SSH, as in the audit log), comment.\n"
	"\n"
	"  MATCHER        NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX\n"
	"                 (regexes anchored; a missing label is \"\"; at least\n"
	"                 one matcher must not match the empty string)\n"
	"  --for D        how long (default 1h; 30m, 2h, 1d)\n"
	"  --comment TEXT why (required)\n"
	"  --all          list expired silences too\n"
	"  --json         Alertmanager-like JSON\n"
	"\n"
	"add prints the new silence's id; expire takes the id or a unique\n"
	"prefix of it (8 characters are shown by `plumb alerts`).\n"
	"\n"
	"See plumb-alerts(1).\n"
};
