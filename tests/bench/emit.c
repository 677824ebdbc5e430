/* emit.c - test and benchmark helper: writes N metric lines on $PLUMB_FD as fast as it can. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Usage: emit N [KEY] [SLEEP_EVERY_US]
 * Writes "metric KEY VALUE step=I" for I in [0, N).  Values are exact
 * functions of I (1/(I+1)) so tests can check what was stored.
 */
int
main(int argc, char **argv)
{
	const char *fd = getenv("PLUMB_FD"), *key = argc > 2 ? argv[2] : "loss";
	static char buf[1 << 16];
	long n, i;
	FILE *f;

	if (argc < 2 || fd == NULL) {
		fprintf(stderr, "usage: emit N [KEY] (inside plumb run)\n");
		return 2;
	}
	n = atol(argv[1]);
	f = fdopen(atoi(fd), "w");
	if (f == NULL)
		return 1;
	setvbuf(f, buf, _IOFBF, sizeof buf);
	for (i = 0; i < n; i++)
		fprintf(f, "metric %s %.17g step=%ld\n", key, 1.0 / (double)(i + 1),
		    i);
	return fclose(f) == 0 ? 0 : 1;
}
