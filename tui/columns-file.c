/* columns-file.c - the runs screen's :columns, remembered per store in the user's config directory. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"


/*
 * :columns is remembered per store, per user, in
 * $XDG_CONFIG_HOME/plumb/tui-columns (default ~/.config): one line per
 * store, "STORE-DIR<TAB>SPEC".  Nothing is written into the store,
 * which may be shared or read-only.  Failing to save is not an error
 * worth more than a status message.
 */
static char *
columns_file(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/plumb/tui-columns", x);
	if (h && *h == '/')
		return xasprintf("%s/.config/plumb/tui-columns", h);
	return NULL;
}

/* The remembered spec for this store (malloc'ed), or NULL. */
char *
tui_columns_load(const char *store)
{
	char *path = columns_file(), line[4096], *spec = NULL;
	size_t sl = strlen(store);
	FILE *f;

	if (path == NULL || (f = fopen(path, "r")) == NULL) {
		free(path);
		return NULL;
	}
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, store, sl) == 0 && line[sl] == '\t') {
			free(spec);
			spec = xstrdup(line + sl + 1);
		}
	}
	fclose(f);
	free(path);
	return spec;
}

/* Saves spec ("" forgets) for this store; returns 0 or -1. */
int
tui_columns_save(const char *store, const char *spec)
{
	char *path = columns_file(), *tmp, *dir, line[4096];
	size_t sl = strlen(store);
	FILE *in, *out;
	int rc = 0;

	if (path == NULL || strchr(store, '\n') || strchr(spec, '\n')) {
		free(path);
		return -1;
	}
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0700);		/* ~/.config */
	free(dir);
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0700);		/* .../plumb */
	free(dir);
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	if ((out = fopen(tmp, "w")) == NULL) {
		free(tmp);
		free(path);
		return -1;
	}
	if ((in = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, in))
			if (!(strncmp(line, store, sl) == 0 &&
			    line[sl] == '\t'))
				fputs(line, out);
		fclose(in);
	}
	if (*spec)
		fprintf(out, "%s\t%s\n", store, spec);
	if (fclose(out) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		rc = -1;
	}
	free(tmp);
	free(path);
	return rc;
}

