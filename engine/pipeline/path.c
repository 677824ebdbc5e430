/* path.c - workspace-relative paths of pipelines: joining to a stage's wdir, containment, absolute paths. */
#include "config.h"
#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pipeline/internal.h"

/* 1 if a is b or lies inside b (both normalised). */
int
pl__pipe_path_within(const char *a, const char *b)
{
	size_t lb = strlen(b);

	if (strcmp(b, ".") == 0)
		return 1;
	return strncmp(a, b, lb) == 0 && (a[lb] == '\0' || a[lb] == '/');
}


/*
 * path (relative to wdir, itself relative to the pipeline directory) as
 * a path relative to the pipeline directory.  The join goes through the
 * absolute directory so that a wdir which leaves the directory and comes
 * back ("wdir: .." with deps "proj/data" in .../proj/dvc.yaml) gives
 * "data", the path every other stage uses for that file; a path that
 * really lies outside keeps its leading "../" segments.
 */
char *
pl__pipe_wjoin(const pl_pipeline *p, const char *wdir, const char *path)
{
	char *j, *abs;
	size_t ld = strlen(p->dir);

	if (asprintf(&j, "%s/%s/%s", p->dir, wdir ? wdir : ".", path) < 0)
		return NULL;
	if (path[0] == '/') {
		free(j);
		j = strdup(path);
		if (j == NULL)
			return NULL;
	}
	abs = pl_path_normalize(j);
	free(j);
	if (abs == NULL)
		return NULL;
	if (strcmp(abs, p->dir) == 0) {
		free(abs);
		return strdup(".");
	}
	if (strncmp(abs, p->dir, ld) == 0 && (abs[ld] == '/' || ld == 1)) {
		char *r = strdup(abs + ld + (ld == 1 ? 0 : 1));

		free(abs);
		return r;
	}
	if (path[0] == '/') {
		return abs;	/* absolute as written stays absolute */
	}
	/* outside: climb from the directory to the common ancestor */
	{
		size_t common = 0, i;
		struct buf b = BUF_INIT;

		for (i = 0; p->dir[i] && p->dir[i] == abs[i]; i++)
			if (p->dir[i] == '/')
				common = i;
		if ((p->dir[i] == '\0' && abs[i] == '/') ||
		    (abs[i] == '\0' && p->dir[i] == '/'))
			common = i;
		for (const char *q = p->dir + common; *q; q++)
			if (*q == '/')
				buf_puts(&b, "../");
		buf_puts(&b, abs[common] == '/' ? abs + common + 1 :
		    abs + common);
		free(abs);
		if (b.len > 1 && b.p[b.len - 1] == '/')
			b.p[--b.len] = '\0';
		return buf_detach(&b);
	}
}

/* An absolute path for wpath (relative to the pipeline directory). */
char *
pl_pipeline_abspath(const pl_pipeline *p, const char *wpath)
{
	char *r;

	if (wpath[0] == '/')
		return strdup(wpath);
	if (strcmp(wpath, ".") == 0)
		return strdup(p->dir);
	if (asprintf(&r, "%s/%s", p->dir, wpath) < 0)
		return NULL;
	return r;
}
