/* cmd-data.c - `plumb data add|status|checkout|log|hash`: versioned datasets in the store's cache. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd-pipeline.h"
#include "fmt.h"
#include "xalloc.h"

static const char usage_text[] =
	"usage: plumb data add PATH...\n"
	"       plumb data status [PATH...]\n"
	"       plumb data checkout [--force] [--link TYPES] [PATH...]\n"
	"       plumb data log PATH\n"
	"       plumb data hash [--no-memo] [-j N] PATH...\n"
	"\n"
	"Versions raw datasets.  `add` puts the content of each PATH (a file or\n"
	"a directory) in the store's content-addressed cache and writes\n"
	"PATH.plumb, a small pointer (path, sha256, size) to commit to git.\n"
	"`status` compares the workspace with the pointers (all of them under\n"
	"the working directory when no PATH is given); `checkout` restores the\n"
	"recorded content (a modified copy only with --force); `log` lists\n"
	"every version of PATH: when, by whom, and which stage runs read it.\n"
	"`hash` prints the SHA-256 of each PATH (a directory's is that of its\n"
	"manifest), hashing files in parallel; unchanged files come from the\n"
	"memo unless --no-memo.\n"
	"\n"
	"  --link TYPES   reflink, hardlink, copy: tried in order (default\n"
	"                 reflink,copy; also $PLUMB_CACHE_TYPE).  A reflink or\n"
	"                 copy can be edited freely; a hardlink is read-only.\n"
	"  --force        checkout over a modified workspace copy\n"
	"  --no-memo      hash: read every file (neither use nor fill the memo)\n"
	"  -j N           hash: threads (default: number of CPUs)\n";

static int
open_store(pl_store **st)
{
	char cwd[PATH_MAX];

	if (getcwd(cwd, sizeof cwd) == NULL)
		return cli_error("cannot read the working directory: %s",
		    strerror(errno));
	return pipe_open_store(st, cwd, 1);
}

static int
cmd_add(int argc, char **argv)
{
	pl_store *st = NULL;
	int status = CLI_OK;

	if (argc < 1)
		return cli_usage("data", "data add needs a PATH");
	if (open_store(&st) != CLI_OK)
		return CLI_ERROR;
	for (int i = 0; i < argc; i++) {
		pl_hashed h;
		char sz[32];

		if (pl_data_add(&h, st, argv[i]) != PL_OK) {
			cli_error("%s", pl_store_errmsg(st));
			status = CLI_ERROR;
			continue;
		}
		snprintf(sz, sizeof sz, "%lld", (long long)h.size);
		printf("added %s  %.12s  %s bytes", argv[i], h.hash, sz);
		if (h.is_dir)
			printf(", %lld files", (long long)h.nfiles);
		printf("  -> %s%s\n", argv[i], PL_DATA_SUFFIX);
	}
	pl_store_close(st);
	return status;
}

/* The pointers named on the command line, or every one under ".". */
static int
pointers(char ***out, size_t *n, int argc, char **argv)
{
	if (argc == 0) {
		if (pl_data_find_pointers(out, n, ".") != PL_OK)
			return cli_error("out of memory");
		return CLI_OK;
	}
	*out = xcalloc((size_t)argc, sizeof **out);
	*n = (size_t)argc;
	for (int i = 0; i < argc; i++)
		(*out)[i] = xstrdup(argv[i]);
	return CLI_OK;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
cmd_status(int argc, char **argv)
{
	pl_store *st = NULL;
	char **v = NULL;
	size_t n = 0, dirty = 0;
	int status = CLI_OK;

	if (pointers(&v, &n, argc, argv) != CLI_OK)
		return CLI_ERROR;
	if (open_store(&st) != CLI_OK) {
		free_list(v, n);
		return CLI_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		pl_data_pointer p;
		pl_data_state s;
		int cached = 0;

		if (pl_data_pointer_read(&p, st, v[i]) != PL_OK ||
		    pl_data_status(&s, &cached, st, &p) != PL_OK) {
			cli_error("%s", pl_store_errmsg(st));
			pl_data_pointer_dispose(&p);
			status = CLI_ERROR;
			continue;
		}
		if (s != PL_DATA_CLEAN) {
			dirty++;
			printf("%-16s ", s == PL_DATA_MODIFIED ? "modified" :
			    "not checked out");
			cli_put_safe(stdout, p.data);
			if (!cached)
				printf("  (version %.12s not in the cache)",
				    p.h.hash);
			putchar('\n');
		}
		pl_data_pointer_dispose(&p);
	}
	if (dirty == 0 && status == CLI_OK)
		printf("Data is up to date (%zu path%s).\n", n,
		    n == 1 ? "" : "s");
	free_list(v, n);
	pl_store_close(st);
	return status;
}

static int
cmd_checkout(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "link", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	const char *link = getenv("PLUMB_CACHE_TYPE");
	int c, force = 0, lt, status = CLI_OK;
	pl_store *st = NULL;
	char **v = NULL;
	size_t n = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = 1; break;
		case 'L': link = optarg; break;
		default:
			return cli_usage("data", "bad option");
		}
	}
	lt = pl_link_parse(link);
	if (lt < 0)
		return cli_usage("data", "--link takes reflink, hardlink "
		    "and/or copy, got '%s'", link);
	if (pointers(&v, &n, argc - optind, argv + optind) != CLI_OK)
		return CLI_ERROR;
	if (open_store(&st) != CLI_OK) {
		free_list(v, n);
		return CLI_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		pl_data_pointer p;

		if (pl_data_pointer_read(&p, st, v[i]) != PL_OK ||
		    pl_data_checkout(st, &p, lt, force) != PL_OK) {
			cli_error("%s", pl_store_errmsg(st));
			status = CLI_ERROR;
		}
		pl_data_pointer_dispose(&p);
	}
	free_list(v, n);
	pl_store_close(st);
	return status;
}

static int
cmd_log(int argc, char **argv)
{
	pl_store *st = NULL;
	pl_data_version *v = NULL;
	size_t n = 0;

	if (argc != 1)
		return cli_usage("data", "data log takes one PATH");
	if (open_store(&st) != CLI_OK)
		return CLI_ERROR;
	if (pl_data_log(&v, &n, st, argv[0]) != PL_OK) {
		cli_error("%s", pl_store_errmsg(st));
		pl_store_close(st);
		return CLI_ERROR;
	}
	if (n == 0)
		printf("%s has no recorded versions (plumb data add it)\n",
		    argv[0]);
	for (size_t i = 0; i < n; i++) {
		char t[32];

		fmt_time(t, sizeof t, v[i].created_ms);
		printf("%s%.12s%s  %s  %s@%s  %lld bytes", CLI_BOLD, v[i].hash,
		    CLI_RESET, t, v[i].user ? v[i].user : "?",
		    v[i].host ? v[i].host : "?", (long long)v[i].size);
		if (v[i].nfiles)
			printf(", %lld files", (long long)v[i].nfiles);
		putchar('\n');
		for (size_t k = 0; k < v[i].nruns; k++)
			printf("    read by run %.8s\n", v[i].runs[k]);
	}
	pl_data_log_free(v, n);
	pl_store_close(st);
	return CLI_OK;
}

static int
cmd_hash(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-memo", no_argument, NULL, 'M' },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int c, memo = 1, jobs = 0, status = CLI_OK;
	pl_store *st = NULL;
	pl_hashed *h;
	pl_hash_stats stats;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j:", opts, NULL)) != -1) {
		switch (c) {
		case 'M': memo = 0; break;
		case 'j': jobs = atoi(optarg); break;
		default:
			return cli_usage("data", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage("data", "data hash needs a PATH");
	if (memo && open_store(&st) != CLI_OK)
		return CLI_ERROR;
	h = xcalloc((size_t)(argc - optind), sizeof *h);
	if (pl_hash_paths(h, &stats, st, (const char *const *)argv + optind,
	    (size_t)(argc - optind), jobs, 0) != PL_OK) {
		cli_error("%s", st ? pl_store_errmsg(st) :
		    "cannot read the files");
		status = CLI_ERROR;
	} else {
		for (int i = optind; i < argc; i++) {
			const pl_hashed *e = &h[i - optind];

			if (e->missing) {
				cli_error("%s: no such file or directory",
				    argv[i]);
				status = CLI_ERROR;
				continue;
			}
			printf("%s  ", e->hash);
			cli_put_safe(stdout, argv[i]);
			putchar('\n');
		}
	}
	free(h);
	pl_store_close(st);
	return status;
}

static int
run(int argc, char **argv)
{
	const char *sub;

	if (argc < 2)
		return cli_usage("data", "missing a subcommand (add, status, "
		    "checkout, log, hash)");
	sub = argv[1];
	if (strcmp(sub, "add") == 0)
		return cmd_add(argc - 2, argv + 2);
	if (strcmp(sub, "status") == 0)
		return cmd_status(argc - 2, argv + 2);
	if (strcmp(sub, "checkout") == 0)
		return cmd_checkout(argc - 1, argv + 1);
	if (strcmp(sub, "log") == 0)
		return cmd_log(argc - 2, argv + 2);
	if (strcmp(sub, "hash") == 0)
		return cmd_hash(argc - 1, argv + 1);
	return cli_usage("data", "unknown subcommand '%s'", sub);
}

const struct cli_cmd cli_cmd_data = {
	"data", run, "version datasets: add, status, checkout, log, hash",
	usage_text,
};
