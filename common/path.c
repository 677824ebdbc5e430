/* path.c - normalising and joining path names as text (no file system access). */
#include "config.h"
#include "path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
