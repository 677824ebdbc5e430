/* tmpfiles.c - the store's tmp/: names that say who holds them, and finding what dead processes left. */
#include "config.h"
#include "store/tmpfiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/internal.h"

/*
 * How a holder is told from a leftover: every temporary file plumb makes
 * in tmp/ is named PREFIX.PID.START.REST, where PID is the process that
 * writes it and START that process's start time (jiffies since boot, from
 * /proc/PID/stat).  The file is held while a process with that pid and
 * that start time lives; a reused pid has another start time.  No lock
 * is needed and a kill -9 leaves a name that proves its writer is dead.
 * A name without that form (from an older plumb) counts as held until it
 * is a day old.
 */
#define UNKNOWN_STALE_S (24 * 3600)

int
pl__tmp_name(char *buf, size_t len, const pl_store *st, const char *prefix)
{
	static int64_t start = -2;
	int n;

	if (start == -2)
		start = pl__proc_start((long)getpid());
	n = snprintf(buf, len, "%s/tmp/%s.%ld.%lld.", pl_store_dir(st),
	    prefix, (long)getpid(), (long long)start);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* 1 when the process named by "PREFIX.PID.START...." is alive; -1 when
 * the name has no such form. */
static int
holder_alive(const char *name)
{
	const char *p = strchr(name, '.');
	char *end;
	long pid;
	long long start;

	if (p == NULL)
		return -1;
	pid = strtol(p + 1, &end, 10);
	if (end == p + 1 || *end != '.' || pid <= 0)
		return -1;
	p = end;
	start = strtoll(p + 1, &end, 10);
	if (end == p + 1 || *end != '.')
		return -1;
	return pl__proc_start(pid) == (int64_t)start;
}

int
pl_store_tmp_leftovers(char ***out, size_t *out_n, size_t *out_held,
    pl_store *st, int remove)
{
	char dir[4096], **v = NULL;
	size_t n = 0, held = 0;
	struct dirent *de;
	DIR *d;
	int rc = PL_OK;

	*out = NULL;
	*out_n = 0;
	if (out_held)
		*out_held = 0;
	snprintf(dir, sizeof dir, "%s/tmp", pl_store_dir(st));
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? PL_OK : pl__err(st, PL_EIO,
		    "cannot read %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		char **nv;
		int alive;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* gone meanwhile: its writer renamed it */
		alive = holder_alive(de->d_name);
		if (alive < 0)
			alive = time(NULL) - sb.st_mtime < UNKNOWN_STALE_S;
		if (alive) {
			held++;
			continue;
		}
		if (remove) {
			/* only files: a directory in tmp/ is no writer's */
			if (S_ISDIR(sb.st_mode) ||
			    unlinkat(dirfd(d), de->d_name, 0) < 0) {
				rc = pl__err(st, PL_EIO, "cannot remove "
				    "tmp/%s: %s", de->d_name, S_ISDIR(sb.st_mode)
				    ? "a directory" : strerror(errno));
				break;
			}
		}
		if ((nv = realloc(v, (n + 1) * sizeof *v)) == NULL ||
		    (nv[n] = strdup(de->d_name)) == NULL) {
			v = nv ? nv : v;
			rc = PL_ENOMEM;
			break;
		}
		v = nv;
		n++;
	}
	closedir(d);
	if (rc != PL_OK) {
		pl_store_tmp_free(v, n);
		return rc;
	}
	*out = v;
	*out_n = n;
	if (out_held)
		*out_held = held;
	return PL_OK;
}

void
pl_store_tmp_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
