/* commands.c - the TUI's ":" commands: one table the dispatcher and the help overlay both read. */
#include "config.h"
#include "tui.h"

#include <stdio.h>
#include <string.h>

#include "help.h"

/*
 * Two kinds of command:
 *  - the app's own (this table): open a screen, quit, help;
 *  - a screen's (screen_ops.commands/.command): the runs list's
 *    :filter, :sort, ... .  They are looked up on the top screen first,
 *    then on the home screen (the bottom of the stack), which is brought
 *    back first so the user sees what the command did.
 * Help lists both from the same tables, so it cannot promise a command
 * the dispatcher does not know.
 */

struct app_cmd {
	struct cmd_spec spec;		/* verb, usage and help text */
	const char *alias;		/* or NULL */
	void (*run)(struct app *a, char *arg);
};

static struct screen *
home_screen(struct app *a)
{
	struct screen *s = a->top;

	while (s && s->below)
		s = s->below;
	return s;
}

static void
cmd_quit(struct app *a, char *arg)
{
	(void)arg;
	a->quit = true;
}

static void
cmd_runs(struct app *a, char *arg)
{
	(void)arg;
	app_home(a);
}

static void
cmd_run(struct app *a, char *arg)
{
	char id[PL_ID_LEN + 1];

	if (arg[0] == '\0')
		app_error(a, "usage: :run ID");
	else if (pl_run_resolve(id, a->st, arg) != PL_OK)
		app_error(a, "%s", pl_store_errmsg(a->st));
	else
		app_push(a, run_screen_new(a, id));
}

static void
cmd_compare(struct app *a, char *arg)
{
	char ids[16][PL_ID_LEN + 1];
	size_t k = 0;

	if (arg[0] != '\0') {
		char *save = NULL, *tok;

		for (tok = strtok_r(arg, " ,", &save); tok && k < 16;
		    tok = strtok_r(NULL, " ,", &save)) {
			if (pl_run_resolve(ids[k], a->st, tok) != PL_OK) {
				app_error(a, "%s", pl_store_errmsg(a->st));
				return;
			}
			k++;
		}
	} else {
		struct screen *h = home_screen(a);

		if (h && h->ops->selection)
			k = h->ops->selection(h, ids, 16);
	}
	if (k < 2) {
		app_error(a, "compare needs two runs: mark them with space");
		return;
	}
	app_push(a, compare_screen_new(a, ids, k));
}

static void
cmd_pipeline(struct app *a, char *arg)
{
	struct screen *s;

	(void)arg;
	if ((s = pipeline_screen_new(a)) != NULL)
		app_push(a, s);
}

static void
open_models(struct app *a, const char *model)
{
	struct screen *s = models_screen_new(a, model);

	if (s)
		app_push(a, s);
}

static void
cmd_models(struct app *a, char *arg)
{
	open_models(a, arg[0] ? arg : NULL);
}

static void
cmd_model(struct app *a, char *arg)
{
	if (arg[0] == '\0')
		app_error(a, "usage: :model NAME");
	else
		open_models(a, arg);
}

static void
cmd_monitor(struct app *a, char *arg)
{
	(void)arg;
	app_push(a, monitor_screen_new(a));
}

static void
cmd_help(struct app *a, char *arg)
{
	(void)arg;
	app_help(a);
}

static const struct app_cmd app_cmds[] = {
	{ { "runs", ":runs", "the runs list" }, NULL, cmd_runs },
	{ { "run", ":run ID", "open a run (id or unique prefix)" }, NULL,
	    cmd_run },
	{ { "compare", ":compare [ID...]",
	    "compare runs (default: the marked ones)" }, NULL, cmd_compare },
	{ { "pipeline", ":pipeline", "the pipeline screen" }, NULL,
	    cmd_pipeline },
	{ { "models", ":models", "the model registry" }, NULL, cmd_models },
	{ { "model", ":model NAME", "the registry, on one model" }, NULL,
	    cmd_model },
	{ { "monitor", ":monitor", "production: targets, charts, alerts" },
	    NULL, cmd_monitor },
	{ { "help", ":help", "this help" }, NULL, cmd_help },
	{ { "q", ":q", "quit" }, "quit", cmd_quit },
	{ { "q!", NULL, NULL }, "qa", cmd_quit },	/* not in help */
};

/* 1 when s declares verb among its commands. */
static int
screen_knows(const struct screen *s, const char *verb)
{
	if (s == NULL || s->ops->command == NULL)
		return 0;
	for (size_t i = 0; i < s->ops->ncommands; i++)
		if (strcmp(s->ops->commands[i].verb, verb) == 0)
			return 1;
	return 0;
}

int
app_screen_command(struct screen *s, const char *verb, const char *arg)
{
	if (!screen_knows(s, verb))
		return 0;
	return s->ops->command(s, verb, arg);
}

int
app_command(struct app *a, const char *cmd)
{
	char verb[32], rest[256];
	int n = 0;

	rest[0] = '\0';
	if (sscanf(cmd, "%31s %n", verb, &n) < 1)
		return 1;
	snprintf(rest, sizeof rest, "%s", cmd + n);
	for (size_t i = 0; i < sizeof app_cmds / sizeof app_cmds[0]; i++) {
		const struct app_cmd *c = &app_cmds[i];

		if (strcmp(verb, c->spec.verb) == 0 ||
		    (c->alias && strcmp(verb, c->alias) == 0)) {
			c->run(a, rest);
			return 1;
		}
	}
	if (screen_knows(a->top, verb))
		return app_screen_command(a->top, verb, rest);
	if (screen_knows(home_screen(a), verb)) {
		app_home(a);
		return app_screen_command(a->top, verb, rest);
	}
	return 0;
}

void
tui_commands_help(struct app *a, struct whelp *h)
{
	const struct screen *top = a->top, *home = home_screen(a);

	whelp_add(h, NULL, "Commands");
	for (size_t i = 0; i < sizeof app_cmds / sizeof app_cmds[0]; i++)
		if (app_cmds[i].spec.usage)
			whelp_add(h, app_cmds[i].spec.usage,
			    app_cmds[i].spec.help);
	for (int pass = 0; pass < 2; pass++) {
		const struct screen *s = pass == 0 ? top : home;

		if (s == NULL || (pass == 1 && home == top) ||
		    s->ops->ncommands == 0)
			continue;
		for (size_t i = 0; i < s->ops->ncommands; i++)
			whelp_add(h, s->ops->commands[i].usage,
			    s->ops->commands[i].help);
	}
}
