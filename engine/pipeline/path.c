/* path.c - workspace-relative paths of pipelines: normalising, joining, containment. */
#include "config.h"
#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pipeline/internal.h"

char *
pl_path_normalize(const char *path)
{
	size_t len = strlen(path);
	char *out = malloc(len + 2), *tmp = strdup(path);
	size_t o = 0, depth = 0;	/* depth: segments that can be popped */
	int abs = path[0] == '/';
	char *save = NULL;

	if (out == NULL || tmp == NULL) {
		free(out);
		free(tmp);
		return NULL;
	}
	if (abs)
		out[o++] = '/';
	for (char *seg = strtok_r(tmp, "/", &save); seg;
	    seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0 && depth > 0) {
			/* drop the last segment */
			while (o > (size_t)abs && out[o - 1] != '/')
				o--;
			if (o > (size_t)abs)
				o--;	/* its slash */
			depth--;
			continue;
		}
		if (strcmp(seg, "..") == 0 && abs)
			continue;	/* "/.." is "/" */
		if (o > (size_t)abs)
			out[o++] = '/';
		memcpy(out + o, seg, strlen(seg));
		o += strlen(seg);
		if (strcmp(seg, "..") != 0)
			depth++;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	free(tmp);
	return out;
}

char *
pl_path_join(const char *dir, const char *path)
{
	char *j, *n;

	if (path[0] == '/' || dir == NULL || !*dir || strcmp(dir, ".") == 0)
		return pl_path_normalize(path);
	if (asprintf(&j, "%s/%s", dir, path) < 0)
		return NULL;
	n = pl_path_normalize(j);
	free(j);
	return n;
}

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
