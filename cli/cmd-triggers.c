/* cmd-triggers.c - `plumb triggers [--json]`, `plumb triggers history`, `plumb trigger run NAME`: continuous training's triggers. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "fmt.h"
#include "json.h"

static void
jstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_str(j, s);
	else
		json_null(j);
}

/* Loads (and checks) the triggers of plumb.yaml (-f FILE or the nearest
 * one) with store st. */
static int
load(pl_triggers **out, pl_store *st, const char *file, const char *cmd)
{
	char *cfg = NULL, err[2048];
	int rc;

	*out = NULL;
	rc = pl_config_find(&cfg, file, pl_store_dir(st));
	if (rc == PL_ENOTFOUND)
		return cli_error("no plumb.yaml found (give one with -f FILE); "
		    "%s reads its triggers: section, see plumb-triggers(1)",
		    cmd);
	if (rc != PL_OK)
		return cli_error("%s", pl_strerror(rc));
	rc = pl_triggers_load(out, st, cfg, err, sizeof err);
	free(cfg);
	if (rc != PL_OK)
		return cli_error("%s", err);
	return CLI_OK;
}

static int
parse_dur(const char *cmd, const char *what, const char *s, int64_t *ms)
{
	double sec;

	if (pl_duration_parse(&sec, s) != 0 || sec <= 0)
		return cli_usage(cmd, "%s: '%s' is not a duration (like 30m, 2h, "
		    "7d)", what, s);
	*ms = (int64_t)(sec * 1000);
	return CLI_OK;
}

/* ---------------- plumb triggers ---------------- */

struct tview {
	const pl_trigger *t;
	pl_trigger_row *last;	/* last row (any status) */
	pl_trigger_row *run;	/* last run */
	const char *state;	/* running, cooldown, idle */
	int64_t next;		/* schedule: next tick, else 0 */
	int64_t cooldown_left;
};

static void
view_of(struct tview *v, pl_store *st, const pl_trigger *t, int64_t now)
{
	memset(v, 0, sizeof *v);
	v->t = t;
	(void)pl_trigger_last_row(&v->last, st, t->name);
	(void)pl_trigger_last_run(&v->run, st, t->name);
	v->state = "idle";
	if (v->run && !strcmp(v->run->status, "running"))
		v->state = "running";
	else if (v->run && t->cooldown_ms > 0 && v->run->started_ms +
	    t->cooldown_ms > now) {
		v->state = "cooldown";
		v->cooldown_left = v->run->started_ms + t->cooldown_ms - now;
	}
	if (t->on == PL_TRIG_SCHEDULE) {
		v->next = pl_cron_next(&t->cron, now);
		if (v->next < 0)
			v->next = 0;
	}
}

static void
view_free(struct tview *v)
{
	pl_trigger_rows_free(v->last, v->last ? 1 : 0);
	pl_trigger_rows_free(v->run, v->run ? 1 : 0);
}

static int
list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	pl_triggers *ts = NULL;
	pl_store *st = NULL;
	int json = 0, c, rc;
	int64_t now = fmt_now_ms();

	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'f')
			file = optarg;
		else
			return cli_usage("triggers", "bad option");
	}
	if (optind < argc)
		return cli_usage("triggers", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cli_open_store(&st, 0)) != CLI_OK)
		return rc;
	if ((rc = load(&ts, st, file, "plumb triggers")) != CLI_OK) {
		pl_store_close(st);
		return rc;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_arr_begin(&j);
		for (size_t i = 0; i < ts->n; i++) {
			struct tview v;
			char *on = pl_trigger_on_text(&ts->t[i]);

			view_of(&v, st, &ts->t[i], now);
			json_obj_begin(&j);
			jstr(&j, "name", ts->t[i].name);
			jstr(&j, "on", pl_trig_on_name(ts->t[i].on));
			jstr(&j, "onText", on);
			json_key(&j, "repro");
			if (ts->t[i].run) {
				json_null(&j);
			} else {
				json_arr_begin(&j);
				for (size_t k = 0; k < ts->t[i].nrepro; k++)
					json_str(&j, ts->t[i].repro[k]);
				json_arr_end(&j);
			}
			jstr(&j, "run", ts->t[i].run);
			json_key(&j, "promote");
			if (ts->t[i].promote_model) {
				json_obj_begin(&j);
				jstr(&j, "model", ts->t[i].promote_model);
				jstr(&j, "to", ts->t[i].promote_to);
				json_obj_end(&j);
			} else {
				json_null(&j);
			}
			json_key(&j, "cooldownSeconds");
			json_int(&j, ts->t[i].cooldown_ms / 1000);
			jstr(&j, "state", v.state);
			fmt_json_time(&j, "lastFired", v.last ? v.last->started_ms :
			    0);
			jstr(&j, "lastStatus", v.last ? v.last->status :
			    NULL);
			fmt_json_time(&j, "lastRun", v.run ? v.run->started_ms : 0);
			jstr(&j, "lastRunStatus", v.run ? v.run->status :
			    NULL);
			fmt_json_time(&j, "nextSchedule", v.next);
			json_key(&j, "cooldownLeftSeconds");
			json_int(&j, (v.cooldown_left + 999) / 1000);
			json_obj_end(&j);
			free(on);
			view_free(&v);
		}
		json_arr_end(&j);
		pl_triggers_free(ts);
		pl_store_close(st);
		return fmt_emit_json(&b);
	}
	if (ts->n == 0)
		printf("no trigger (plumb.yaml has no triggers: section)\n");
	for (size_t i = 0; i < ts->n; i++) {
		struct tview v;
		char *on = pl_trigger_on_text(&ts->t[i]), tm[40], d[32];

		view_of(&v, st, &ts->t[i], now);
		printf("%s%s%s\n", CLI_BOLD, ts->t[i].name, CLI_RESET);
		printf("  on        ");
		cli_put_safe(stdout, on);
		printf("\n  does      ");
		if (ts->t[i].run) {
			printf("run: ");
			cli_put_safe(stdout, ts->t[i].run);
		} else {
			printf("repro:");
			for (size_t k = 0; k < ts->t[i].nrepro; k++) {
				putchar(' ');
				cli_put_safe(stdout, ts->t[i].repro[k]);
			}
		}
		if (ts->t[i].promote_model) {
			printf(", promote ");
			cli_put_safe(stdout, ts->t[i].promote_model);
			printf(" to %s", ts->t[i].promote_to);
		}
		printf("\n  state     %s", v.state);
		if (v.cooldown_left > 0) {
			fmt_duration(d, sizeof d, v.cooldown_left);
			printf(" (%s of cooldown left)", d);
		}
		printf("\n  last      ");
		if (v.last) {
			fmt_time(tm, sizeof tm, v.last->started_ms);
			printf("%s  %s  ", tm, v.last->status);
			cli_put_safe(stdout, v.last->reason);
		} else {
			printf("never fired");
		}
		if (v.next) {
			fmt_time(tm, sizeof tm, v.next);
			printf("\n  next      %s", tm);
		}
		if (ts->t[i].cooldown_ms) {
			fmt_duration(d, sizeof d, ts->t[i].cooldown_ms);
			printf("\n  cooldown  %s", d);
		}
		printf("\n");
		free(on);
		view_free(&v);
	}
	pl_triggers_free(ts);
	pl_store_close(st);
	return CLI_OK;
}

static void
row_json(struct json *j, const pl_trigger_row *r)
{
	json_obj_begin(j);
	json_key(j, "id");
	json_int(j, r->id);
	jstr(j, "trigger", r->trigger);
	jstr(j, "reasonKind", r->reason_kind);
	jstr(j, "reason", r->reason);
	json_key(j, "alertHistoryId");
	if (r->alert_id)
		json_int(j, r->alert_id);
	else
		json_null(j);
	jstr(j, "alertname", r->alert_name);
	jstr(j, "alertLabels", r->alert_labels);
	json_key(j, "alertValue");
	if (isnan(r->alert_value))
		json_null(j);
	else
		json_num(j, r->alert_value);
	jstr(j, "dataHash", r->data_hash);
	fmt_json_time(j, "started", r->started_ms);
	fmt_json_time(j, "ended", r->ended_ms);
	jstr(j, "status", r->status);
	json_key(j, "runs");
	json_arr_begin(j);
	for (const char *p = r->run_ids; *p;) {
		size_t n = strcspn(p, " ");
		char id[64];

		if (n && n < sizeof id) {
			memcpy(id, p, n);
			id[n] = '\0';
			json_str(j, id);
		}
		p += n;
		p += strspn(p, " ");
	}
	json_arr_end(j);
	jstr(j, "modelVersion", r->model_version);
	jstr(j, "promotion", r->promotion);
	jstr(j, "message", r->message);
	json_key(j, "pid");
	if (r->pid)
		json_int(j, r->pid);
	else
		json_null(j);
	jstr(j, "log", r->log_path);
	json_obj_end(j);
}

static int
history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "trigger", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t since = 7 * 24 * 3600 * 1000LL, now = fmt_now_ms();
	const char *trigger = NULL;
	pl_trigger_row *r = NULL;
	size_t n = 0;
	pl_store *st = NULL;
	int json = 0, c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's') {
			if ((rc = parse_dur("triggers", "--since", optarg,
			    &since)) != CLI_OK)
				return rc;
		} else if (c == 'j')
			json = 1;
		else if (c == 't')
			trigger = optarg;
		else
			return cli_usage("triggers", "bad option");
	}
	if (optind < argc)
		return cli_usage("triggers", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cli_open_store(&st, 0)) != CLI_OK)
		return rc;
	if (pl_trigger_history(&r, &n, st, trigger, now - since) != PL_OK) {
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
		for (size_t i = 0; i < n; i++)
			row_json(&j, &r[i]);
		json_arr_end(&j);
		pl_trigger_rows_free(r, n);
		return fmt_emit_json(&b);
	}
	if (n == 0)
		printf("no trigger fired in that period\n");
	for (size_t i = 0; i < n; i++) {
		char tm[40], d[32];

		fmt_time(tm, sizeof tm, r[i].started_ms);
		if (r[i].ended_ms)
			fmt_duration(d, sizeof d, r[i].ended_ms -
			    r[i].started_ms);
		else
			snprintf(d, sizeof d, "-");
		printf("#%-5lld %s  %-8s  %-16s  ", (long long)r[i].id, tm, d,
		    r[i].status);
		cli_put_safe(stdout, r[i].trigger);
		printf("  ");
		cli_put_safe(stdout, r[i].reason);
		printf("\n");
		if (r[i].run_ids[0]) {
			printf("         runs ");
			cli_put_safe(stdout, r[i].run_ids);
			printf("\n");
		}
		if (r[i].model_version) {
			printf("         model ");
			cli_put_safe(stdout, r[i].model_version);
			printf("\n");
		}
		if (r[i].promotion) {
			printf("         ");
			cli_put_safe(stdout, r[i].promotion);
			printf("\n");
		}
		if (r[i].message) {
			printf("         ");
			cli_put_safe(stdout, r[i].message);
			printf("\n");
		}
	}
	pl_trigger_rows_free(r, n);
	return CLI_OK;
}

static int
run_triggers(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "history"))
		return history(argc - 1, argv + 1);
	return list(argc, argv);
}

const struct cli_cmd cli_cmd_triggers = {
	"triggers", run_triggers, "continuous training: the triggers and what "
	"they did",
	"usage: plumb triggers [-f FILE] [--json]\n"
	"       plumb triggers history [--since DURATION] [--trigger NAME] "
	"[--json]\n"
	"\n"
	"Lists the triggers of plumb.yaml's triggers: section (checked as\n"
	"plumb watch checks them): what each listens to, what it does, its\n"
	"state (idle, running, cooldown), when it last fired and how that\n"
	"ended, the next tick of a schedule, the cooldown left.\n"
	"\n"
	"history lists the firings (default: the last 7 days), oldest first:\n"
	"the reason (the alert with its labels, value and alert history id;\n"
	"the data hash that changed; the schedule; the registry event;\n"
	"manual), the status (running, succeeded, failed, skipped-running,\n"
	"skipped-cooldown), the tracked runs, the model version registered\n"
	"and the promotion's result.\n"
	"\n"
	"  -f, --file FILE       plumb.yaml (default: the nearest one)\n"
	"      --json            JSON (the history: one object per firing)\n"
	"      --since DURATION  history: firings this recent (e.g. 1d)\n"
	"      --trigger NAME    history: of this trigger only\n"
	"\n"
	"Triggers fire in plumb watch; plumb trigger run NAME fires one by\n"
	"hand.  See plumb-triggers(1) and plumb.yaml(5).\n"
};

/* ---------------- plumb trigger run ---------------- */

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

static void
on_event(const pl_repro_event *ev, void *payload)
{
	char d[32];

	(void)payload;
	switch (ev->type) {
	case PL_EV_START:
		printf("running     %s  (run %.8s: ", ev->stage, ev->run_id ?
		    ev->run_id : "?");
		cli_put_safe(stdout, ev->reason ? ev->reason : "");
		printf(")\n");
		break;
	case PL_EV_DONE:
		fmt_duration(d, sizeof d, (int64_t)(ev->seconds * 1000));
		printf("done        %s  %s\n", ev->stage, d);
		break;
	case PL_EV_SKIP:
		printf("up to date  %s\n", ev->stage);
		break;
	case PL_EV_RESTORED:
		printf("restored    %s\n", ev->stage);
		break;
	case PL_EV_FAILED:
		printf("FAILED      %s  (", ev->stage);
		cli_put_safe(stdout, ev->reason ? ev->reason : "failed");
		printf(", run %.8s)\n", ev->run_id ? ev->run_id : "?");
		break;
	case PL_EV_KILLED:
		printf("killed      %s\n", ev->stage);
		break;
	case PL_EV_BLOCKED:
		printf("blocked     %s\n", ev->stage);
		break;
	default:
		return;
	}
	fflush(stdout);
}

static void
on_line(const char *line, void *payload)
{
	(void)payload;
	cli_put_safe(stdout, line);
	putchar('\n');
	fflush(stdout);
}

static void
on_output(int stream, const char *data, size_t n, void *payload)
{
	(void)payload;
	cli_write_raw(stream, data, n);
}

static int
trigger_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "history-id", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	pl_trigger_exec_opts o;
	pl_triggers *ts = NULL;
	pl_store *st = NULL;
	struct sigaction sa, old_int, old_term, old_hup;
	int64_t id = 0;
	int c, rc, failed = 1, status = CLI_ERROR;

	memset(&o, 0, sizeof o);
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c == 'f')
			file = optarg;
		else if (c == 'H') {
			char *end;

			errno = 0;
			o.history_id = strtoll(optarg, &end, 10);
			if (*end || errno || o.history_id <= 0)
				return cli_usage("trigger", "--history-id takes "
				    "a history entry number");
		} else
			return cli_usage("trigger", "bad option");
	}
	if (optind >= argc || strcmp(argv[optind], "run") != 0)
		return cli_usage("trigger", "the command is: plumb trigger run "
		    "NAME");
	if (argc - optind != 2)
		return cli_usage("trigger", "trigger run takes one trigger NAME");
	if ((rc = cli_open_store(&st, 0)) != CLI_OK)
		return rc;
	if (load(&ts, st, file, "plumb trigger run") != CLI_OK)
		goto out;
	if (pl_triggers_find(ts, argv[optind + 1]) == NULL) {
		cli_error("no trigger '%s' in %s", argv[optind + 1], ts->path);
		goto out;
	}
	o.interrupt = &interrupted;
	o.on_event = on_event;
	o.on_line = on_line;
	o.on_output = on_output;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	printf("trigger %s: %s\n", argv[optind + 1], o.history_id ?
	    "CT run started by plumb watch" : "manual run");
	fflush(stdout);
	rc = pl_trigger_exec(&failed, &id, st, ts, argv[optind + 1], &o);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (rc != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		goto out;
	}
	if (failed) {
		cli_error("trigger %s: the CT run failed (history #%lld): %s",
		    argv[optind + 1], (long long)id, pl_store_errmsg(st));
	} else {
		printf("trigger %s: succeeded (history #%lld)\n",
		    argv[optind + 1], (long long)id);
		status = CLI_OK;
	}
	if (interrupted)
		status = 130;
out:
	pl_triggers_free(ts);
	pl_store_close(st);
	return status;
}

const struct cli_cmd cli_cmd_trigger = {
	"trigger", trigger_run, "fire a continuous-training trigger by hand",
	"usage: plumb trigger run NAME [-f FILE]\n"
	"\n"
	"Runs trigger NAME of plumb.yaml's triggers: section now, in the\n"
	"foreground, with the reason manual: its repro: stages (the listed\n"
	"stages always run; their upstream stages when changed) or its run:\n"
	"command, as tracked runs tagged trigger=NAME, trigger_reason=manual;\n"
	"the models of the stages that ran are registered, and promote:\n"
	"promotes the new version through the gates of plumb.yaml's checks:\n"
	"(a failed deploy or health check rolls back).  The cooldown does\n"
	"not apply to a manual run; the trigger's lock does: while another\n"
	"run of it is in progress (plumb watch's or another person's), the\n"
	"firing is recorded as skipped and plumb exits 1.\n"
	"\n"
	"  -f, --file FILE   plumb.yaml (default: the nearest one)\n"
	"\n"
	"Exit status: 0 when the CT run succeeded, 1 when it failed or was\n"
	"skipped, 2 for usage errors, 130 when interrupted.  See\n"
	"plumb-triggers(1).\n"
};
