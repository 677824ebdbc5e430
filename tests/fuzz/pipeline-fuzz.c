/* pipeline-fuzz.c - libFuzzer harness for pipeline files (engine/pipeline/: schema, templating, paths and their confinement) and plumb.lock. */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "store/error.h"
#include "pipeline/lock.h"
#include "pipeline/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is up to three files separated by a line "%%": dvc.yaml,
 * params.yaml and plumb.lock, written into a private temporary
 * workspace (nothing else in it).  The pipeline is loaded as `plumb
 * repro` loads it and, when it loads, checked against its contract:
 *
 * - every out and dep path (normalised, relative to the workspace) is
 *   refused by nothing: it stays inside the workspace, outside .plumb/
 *   and .git/, has no ".." component and is normalised (issue 15 item 1:
 *   the confinement check at load time must be what repro relies on);
 * - the stage order is a permutation; graph edges name real stages;
 * - every param's value can be asked for.
 *
 * A refused file must come with a message.  The lock file must read as
 * a lock or be refused with a message; every hash it hands out is empty
 * or exactly 64 lowercase hex digits (issue 15 item 1: a hash made of
 * "../" must never reach the cache).  The first line of the input also
 * goes through the path normaliser, which must be idempotent.
 */
static char dir[64];

static void
cleanup(void)
{
	char p[128];

	snprintf(p, sizeof p, "%s/dvc.yaml", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/params.yaml", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/plumb.lock", dir);
	unlink(p);
	rmdir(dir);
}

static void
put(const char *name, const uint8_t *d, size_t n)
{
	char p[128];
	int fd;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	if (d == NULL) {
		unlink(p);
		return;
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (n > 0 && write(fd, d, n) != (ssize_t)n))
		abort();
	close(fd);
}

/* The next part of the input up to a line "%%" (or its end). */
static const uint8_t *
part(const uint8_t **d, size_t *n, size_t *len)
{
	const uint8_t *start = *d, *p = *d;
	size_t left = *n;

	if (*d == NULL)
		return NULL;
	while (left >= 4) {
		const uint8_t *q = memmem(p, left, "\n%%\n", 4);

		if (q == NULL)
			break;
		*len = (size_t)(q + 1 - start);
		*n -= *len + 3;
		*d = q + 4;
		return start;
	}
	*len = *n;
	*d = NULL;
	return start;
}

static int
bad_path(const char *w)
{
	char *n = pl_path_normalize(w);
	int bad = n == NULL || strcmp(n, w) != 0 || w[0] == '/' ||
	    strcmp(w, "..") == 0 || strncmp(w, "../", 3) == 0 ||
	    strcmp(w, ".plumb") == 0 || strncmp(w, ".plumb/", 7) == 0 ||
	    strcmp(w, ".git") == 0 || strncmp(w, ".git/", 5) == 0;

	free(n);
	return bad;
}

static void
check_pipeline(const pl_pipeline *p)
{
	size_t n = pl_pipeline_nstages(p);
	const size_t *order = pl_pipeline_order(p);
	unsigned char *seen = calloc(n + 1, 1);

	if (seen == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (order[i] >= n || seen[order[i]]++)
			abort();
	}
	for (size_t i = 0; i < n; i++) {
		const pl_pipe_stage *s = pl_pipeline_stage(p, i);
		const size_t *up;
		size_t nup;

		if (s->name == NULL || !s->name[0] || s->ncmds == 0)
			abort();
		for (size_t k = 0; k < s->nouts; k++)
			if (bad_path(s->outs[k].wpath) ||
			    strcmp(s->outs[k].wpath, ".") == 0 ||
			    pl_pipeline_path_refusal(p, NULL, s->outs[k].wpath,
			    1) != NULL)
				abort();
		for (size_t k = 0; k < s->ndeps; k++)
			if (!s->deps[k].url && (bad_path(s->deps[k].wpath) ||
			    pl_pipeline_path_refusal(p, NULL, s->deps[k].wpath,
			    0) != NULL))
				abort();
		for (size_t k = 0; k < s->nparams; k++) {
			char *v = NULL;

			(void)pl_pipeline_param_value(&v, p, &s->params[k]);
			free(v);
		}
		pl_pipeline_upstream(p, i, &up, &nup);
		for (size_t k = 0; k < nup; k++)
			if (up[k] >= n || pl_pipeline_upstream_via(p, i, k) == NULL)
				abort();
		if (pl_pipeline_index(p, s->name) < 0)
			abort();
	}
	free(seen);
}

static void
check_lock(void)
{
	char path[128], err[512] = "";
	pl_lock *lk = NULL;
	int rc;

	snprintf(path, sizeof path, "%s/plumb.lock", dir);
	rc = pl_lock_read(&lk, path, err, sizeof err);
	if (rc != PL_OK) {
		if (!err[0])
			abort();
		return;
	}
	for (size_t i = 0; i < pl_lock_nstages(lk); i++) {
		const pl_lock_stage *s = pl_lock_stage_at(lk, i);

		for (size_t k = 0; k < s->ndeps + s->nouts; k++) {
			const pl_lock_entry *e = k < s->ndeps ? &s->deps[k] :
			    &s->outs[k - s->ndeps];
			size_t len = strlen(e->hash);

			if (e->path == NULL || (len != 0 && len != 64) ||
			    strspn(e->hash, "0123456789abcdef") != len)
				abort();
		}
	}
	pl_lock_free(lk);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d = data, *f;
	size_t n = size, len = 0;
	char path[128], err[1024] = "", line[4097];
	pl_pipeline *p = NULL;
	int rc;

	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/plumb-pipefuzz.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(cleanup);
	}
	/* the path normaliser, on the first line */
	{
		const uint8_t *nl = memchr(data, '\n', size);
		size_t l = nl ? (size_t)(nl - data) : size;
		char *a, *b;

		if (l > sizeof line - 1)
			l = sizeof line - 1;
		memcpy(line, data, l);
		line[l] = '\0';
		a = pl_path_normalize(line);
		b = a ? pl_path_normalize(a) : NULL;
		if (a == NULL || b == NULL || strcmp(a, b) != 0 || !a[0])
			abort();
		free(a);
		free(b);
	}
	f = part(&d, &n, &len);
	put("dvc.yaml", f, len);
	f = part(&d, &n, &len);
	put("params.yaml", f, len);
	f = part(&d, &n, &len);
	put("plumb.lock", f, len);

	snprintf(path, sizeof path, "%s/dvc.yaml", dir);
	rc = pl_pipeline_load(&p, path, 0, err, sizeof err);
	if (rc == PL_OK) {
		check_pipeline(p);
		pl_pipeline_free(p);
	} else if (p != NULL || !err[0])
		abort();
	check_lock();
	return 0;
}
