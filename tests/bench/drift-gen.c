/* drift-gen.c - writes the drift benchmark's CSV: N rows x 20 numerical + 2 categorical columns. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * usage: drift-gen ROWS SEED SHIFT OUT.csv
 * Columns f0..f19: f0-f13 normal with per-column mean and sd ("%.6f"),
 * f14-f16 exponential ("%.4f"), f17-f18 integers in [0, 50), f19 uniform
 * with 1% empty fields; c0 5 levels, c1 30 levels.  SHIFT moves the means
 * and the category weights of the "current" file.
 */
static uint64_t s;

static double
unif(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (double)(s >> 11) * 0x1.0p-53;
}

static double
gauss(void)
{
	double u = unif(), v = unif();
	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

int
main(int argc, char **argv)
{
	static const char *const c0[] = { "red", "green", "blue", "cyan", "magenta" };
	long rows;
	double shift;
	FILE *f;
	char buf[1 << 16];

	if (argc != 5) {
		fprintf(stderr, "usage: drift-gen ROWS SEED SHIFT OUT.csv\n");
		return 2;
	}
	rows = atol(argv[1]);
	s = strtoull(argv[2], NULL, 10) * 2654435761u + 88172645463325252ull;
	shift = atof(argv[3]);
	f = fopen(argv[4], "w");
	if (f == NULL) {
		perror(argv[4]);
		return 1;
	}
	setvbuf(f, buf, _IOFBF, sizeof buf);
	for (int j = 0; j < 20; j++)
		fprintf(f, "f%d,", j);
	fputs("c0,c1\n", f);
	for (long i = 0; i < rows; i++) {
		for (int j = 0; j < 14; j++)
			fprintf(f, "%.6f,", (j * 1.5 + shift * (j % 3)) + (1 + j % 4) * gauss());
		for (int j = 14; j < 17; j++)
			fprintf(f, "%.4f,", -log(unif() + 1e-300) * (1 + shift * (j - 13)));
		for (int j = 17; j < 19; j++)
			fprintf(f, "%d,", (int)(unif() * (50 - 10 * shift * (j - 16))));
		if (unif() < 0.01)
			fputc(',', f);
		else
			fprintf(f, "%.5f,", unif() * 100 + shift * 10);
		double u = unif();
		int k = u < 0.3 + 0.2 * shift ? 0 : (int)(unif() * 5);
		fprintf(f, "%s,lvl%02d\n", c0[k], (int)(pow(unif(), 1 + shift) * 30));
	}
	if (fclose(f) != 0) {
		perror(argv[4]);
		return 1;
	}
	return 0;
}
