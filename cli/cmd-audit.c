/* cmd-audit.c - `plumb audit`: read the append-only audit log. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "fmt.h"
#include "json.h"

static int
run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "action", required_argument, NULL, 'a' },
		{ "object", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	pl_audit_query q;
	pl_audit_entry *e = NULL;
	size_t n = 0;
	pl_store *st = NULL;
	int c, json = 0;
	char *end;

	memset(&q, 0, sizeof q);
	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (c) {
		case 'J': json = 1; break;
		case 'a': q.action = optarg; break;
		case 'o': q.object = optarg; break;
		case 'n':
			q.limit = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end || q.limit <= 0)
				return cli_usage("audit", "--limit takes a "
				    "positive number");
			break;
		default: return cli_usage("audit", "bad option");
		}
	}
	if (argc != optind)
		return cli_usage("audit", "audit takes no arguments");
	if (cli_open_store(&st, PL_OPEN_READONLY) != CLI_OK)
		return CLI_ERROR;
	if (pl_audit_list(&e, &n, st, &q) != PL_OK) {
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
			json_key(&j, "id"); json_int(&j, e[i].id);
			json_key(&j, "time"); json_int(&j, e[i].time_ms);
			json_key(&j, "user"); json_str(&j, e[i].user);
			json_key(&j, "uid");
			if (e[i].uid >= 0) json_int(&j, e[i].uid);
			else json_null(&j);
			json_key(&j, "host"); json_str(&j, e[i].host);
			json_key(&j, "ssh_client"); json_str(&j, e[i].ssh_client);
			json_key(&j, "pid"); json_int(&j, e[i].pid);
			json_key(&j, "action"); json_str(&j, e[i].action);
			json_key(&j, "object"); json_str(&j, e[i].object);
			json_key(&j, "detail"); json_str(&j, e[i].detail);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		buf_putc(&b, '\n');
		fputs(buf_str(&b), stdout);
		buf_free(&b);
	} else {
		for (size_t i = 0; i < n; i++) {
			char tb[32];

			printf("%s  ", fmt_time(tb, sizeof tb, e[i].time_ms));
			cli_put_safe(stdout, e[i].user);
			putchar('@');
			cli_put_safe(stdout, e[i].host);
			if (e[i].ssh_client) {
				fputs(" (ssh ", stdout);
				cli_put_safe(stdout, e[i].ssh_client);
				putchar(')');
			}
			printf("  %s%s%s", CLI_BOLD, e[i].action, CLI_RESET);
			if (e[i].object) {
				putchar(' ');
				cli_put_safe(stdout, e[i].object);
			}
			if (e[i].detail) {
				fputs("  ", stdout);
				cli_put_safe(stdout, e[i].detail);
			}
			putchar('\n');
		}
	}
	pl_audit_list_free(e, n);
	pl_store_close(st);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_audit = {
	"audit", run, "read the audit log (who did what, when, from where)",
	"usage: plumb audit [--action ACTION] [--object OBJECT] [--limit N]\n"
	"                   [--json]\n"
	"\n"
	"Lists the append-only audit log, oldest first: every run start, data\n"
	"add, model register, alias, promote, rollback, deploy and forced gate,\n"
	"with the user, uid, host, SSH client address (when over SSH), process\n"
	"and time.  plumb has no command that edits or deletes entries, and\n"
	"the store refuses UPDATE and DELETE on the log.\n"
	"\n"
	"      --action ACTION  only this action (\"model\" matches model.*)\n"
	"      --object OBJECT  only this object (\"churn\" matches churn@N)\n"
	"  -n, --limit N        the newest N entries\n"
	"      --json           a JSON array of entries\n",
};
