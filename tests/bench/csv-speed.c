/* csv-speed.c - CSV parsing speed of the engine's reader on one core (for drift-bench.sh). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "data/csvread.h"
#include "store/error.h"

/* usage: csv-speed FILE.csv [REPEAT]: prints "MB/s bytes seconds" (best of REPEAT). */
int
main(int argc, char **argv)
{
	struct stat st;
	double best = 1e30;
	int rep = argc > 2 ? atoi(argv[2]) : 3;
	char err[512];

	if (argc < 2 || stat(argv[1], &st) != 0) {
		fprintf(stderr, "usage: csv-speed FILE.csv [REPEAT]\n");
		return 2;
	}
	for (int r = 0; r < rep; r++) {
		struct timespec a, b;
		pl_csv_table *t;

		clock_gettime(CLOCK_MONOTONIC, &a);
		if (pl_csv_read(&t, argv[1], NULL, err, sizeof err) != PL_OK) {
			fprintf(stderr, "csv-speed: %s\n", err);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		pl_csv_free(t);
		double sec = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		if (sec < best)
			best = sec;
	}
	printf("%.1f %lld %.3f\n", (double)st.st_size / 1e6 / best,
	    (long long)st.st_size, best);
	return 0;
}
