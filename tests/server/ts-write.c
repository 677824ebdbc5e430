/* ts-write.c - test tool: appends samples to a store's series, one "NAME{a=\"b\"} T_MS VALUE" per stdin line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plumb.h"

/*
 * Usage: ts-write STORE_DIR < lines.  The selector syntax of
 * pl_ts_selector_parse() with equality matchers only gives the name and
 * labels.  Stands in for plumb watch in tests of the readers (plumb
 * serve), so they do not depend on a live target.
 */
int
main(int argc, char **argv)
{
	pl_store *st = NULL;
	pl_ts_writer *w = NULL;
	char line[4096];
	long n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: ts-write STORE_DIR < samples\n");
		return 2;
	}
	if (pl_store_open(&st, argv[1], 0) != PL_OK ||
	    pl_ts_writer_open(&w, st) != PL_OK) {
		fprintf(stderr, "ts-write: %s\n", pl_store_errmsg(st));
		return 1;
	}
	while (fgets(line, sizeof line, stdin)) {
		char *sp = strrchr(line, ' '), *sp2, err[256];
		pl_matcher *m = NULL;
		size_t nm = 0, off, nl = 0;
		pl_label l[32];
		const char *name = NULL;

		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (sp == NULL)
			goto bad;
		*sp = '\0';
		if ((sp2 = strrchr(line, ' ')) == NULL)
			goto bad;
		*sp2 = '\0';
		if (pl_ts_selector_parse(&m, &nm, line, err, sizeof err,
		    &off) != PL_OK)
			goto bad;
		for (size_t i = 0; i < nm && nl < 32; i++) {
			if (strcmp(m[i].name, "__name__") == 0)
				name = m[i].value;
			else {
				l[nl].name = m[i].name;
				l[nl].value = m[i].value;
				nl++;
			}
		}
		if (name == NULL || pl_ts_append(w, name, l, nl,
		    strtoll(sp2 + 1, NULL, 10), strtod(sp + 1, NULL)) != PL_OK) {
			free(m);
			goto bad;
		}
		free(m);
		n++;
	}
	if (pl_ts_flush(w) != PL_OK || pl_ts_writer_close(w) != PL_OK) {
		fprintf(stderr, "ts-write: %s\n", pl_store_errmsg(st));
		return 1;
	}
	pl_store_close(st);
	printf("%ld samples\n", n);
	return 0;
bad:
	fprintf(stderr, "ts-write: bad line: %s\n", line);
	return 1;
}
