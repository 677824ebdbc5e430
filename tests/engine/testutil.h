/* testutil.h - helpers shared by the engine unit tests: temp stores, cmocka includes. */
#ifndef PL_TESTS_TESTUTIL_H
#define PL_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plumb.h"

/* Makes a fresh temp directory; returns its malloc'ed path. */
static inline char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p;

	if (asprintf(&p, "%s/plumb-unit.XXXXXX", base && *base ? base : "/tmp") < 0)
		return NULL;
	if (mkdtemp(p) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

static inline void
tu_rmrf(const char *dir)
{
	char *cmd;

	if (dir && asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
		(void)!system(cmd);
		free(cmd);
	}
}

/* A fresh store in a temp dir; *dir_out is the dir to remove. */
static inline pl_store *
tu_store(char **dir_out)
{
	pl_store *st = NULL;
	char *dir = tu_tmpdir(), *sd;

	assert_non_null(dir);
	assert_true(asprintf(&sd, "%s/.plumb", dir) > 0);
	if (pl_store_init(&st, sd) != PL_OK)
		fail_msg("init: %s", pl_store_errmsg(st));
	free(sd);
	*dir_out = dir;
	return st;
}

#endif
