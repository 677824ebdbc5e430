/* cmd-serve.c - `plumb serve`: dispatches to the server's own command entry (server/serve-main.h). */
#include "config.h"

#include "cli.h"
#include "serve-main.h"

/* The options, help and store handling are the server's
 * (server/serve-cmd.c); the CLI lends it its usage reporter and store
 * opener so that errors read like every other command's. */
static int
serve_run(int argc, char **argv)
{
	static const struct serve_cli ops = {
		.usage = cli_usage,
		.open_store = cli_open_store,
	};

	return serve_cmd(&ops, argc, argv);
}

const struct cli_cmd cli_cmd_serve = {
	.name = "serve",
	.run = serve_run,
	.summary = serve_summary,
	.help = serve_help,
};
