/* util.c - helpers shared by the subcommands: errors, help, store, safe output. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "runref.h"
#include "utf8.h"

/* Messages echo arguments, file contents and engine messages that hold
 * user text: sanitized here, once, for every error (the output gate is
 * the net behind it). */
static void
put_message(const char *fmt, va_list ap)
{
	struct buf raw = BUF_INIT, safe = BUF_INIT;

	if (buf_vprintf(&raw, fmt, ap) == 0 &&
	    utf8_sanitize(&safe, raw.p ? raw.p : "", raw.len,
	    UTF8_KEEP_NEWLINE | UTF8_KEEP_TAB) == 0)
		fputs(buf_str(&safe), stderr);
	else
		fputs("(out of memory)", stderr);
	buf_free(&raw);
	buf_free(&safe);
}

int
cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("plumb: ", stderr);
	va_start(ap, fmt);
	put_message(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERROR;
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("plumb: ", stderr);
	va_start(ap, fmt);
	put_message(fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see plumb %s --help)\n", cmd);
	return CLI_USAGE;
}

const struct cli_cmd *
cli_find(const char *name)
{
	for (const struct cli_cmd *const *cp = cli_cmds; *cp; cp++)
		if (strcmp((*cp)->name, name) == 0)
			return *cp;
	return NULL;
}

int
cli_help(const char *name)
{
	const struct cli_cmd *c = cli_find(name);

	if (c == NULL)
		return cli_error("unknown command '%s'", name);
	fputs(c->help, stdout);
	return CLI_OK;
}

int
cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int
cli_open_store(pl_store **out, unsigned flags)
{
	char *dir = NULL;
	pl_store *st = NULL;
	char err[512];
	int rc;

	*out = NULL;
	rc = pl_store_find(&dir, cli_g.store_dir, err, sizeof err);
	if (rc != PL_OK)
		return cli_error("%s", err);
	rc = pl_store_open(&st, dir, flags);
	free(dir);
	if (rc != PL_OK) {
		cli_error("%s", st ? pl_store_errmsg(st) : pl_strerror(rc));
		pl_store_close(st);
		return CLI_ERROR;
	}
	*out = st;
	return CLI_OK;
}

void
cli_put_safe(FILE *f, const char *s)
{
	struct buf b = BUF_INIT;

	if (s == NULL)
		return;
	if (utf8_sanitize(&b, s, strlen(s), UTF8_KEEP_NEWLINE) == 0)
		fputs(buf_str(&b), f);
	buf_free(&b);
}

const char *
cli_color(const char *sgr)
{
	static char tmp[8][16];
	static int slot;

	if (!cli_g.color)
		return "";
	slot = (slot + 1) % 8;
	snprintf(tmp[slot], sizeof tmp[slot], "\033[%sm", sgr);
	return tmp[slot];
}

int
cli_resolve_run(char out[PL_ID_LEN + 1], pl_store *st, const char *arg)
{
	if (pl_run_resolve(out, st, arg) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		return CLI_ERROR;
	}
	return CLI_OK;
}
