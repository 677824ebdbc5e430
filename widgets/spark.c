/* spark.c - sparkline levels, rendering and painting. */
#include "config.h"
#include "spark.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scale.h"

static const char *const blocks[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char ascii[] = "_.-:=+*#";

int
wspark_levels(const double *v, size_t n, int width, double lo, double hi,
    int *levels)
{
	int cells, i;
	double alo = 0, ahi = 0;

	if (width <= 0 || n == 0)
		return 0;
	cells = n < (size_t)width ? (int)n : width;
	if (isnan(lo) || isnan(hi)) {
		if (wscale_minmax(v, n, false, &alo, &ahi) == 0) {
			for (i = 0; i < cells; i++)
				levels[i] = -1;
			return cells;
		}
		if (isnan(lo))
			lo = alo;
		if (isnan(hi))
			hi = ahi;
	}
	for (i = 0; i < cells; i++) {
		size_t a = (size_t)i * n / (size_t)cells;
		size_t b = (size_t)(i + 1) * n / (size_t)cells, j, k = 0;
		double sum = 0, m;

		for (j = a; j < b; j++) {
			if (isfinite(v[j])) {
				sum += v[j];
				k++;
			}
		}
		if (k == 0) {
			levels[i] = -1;
			continue;
		}
		m = sum / (double)k;
		if (!(hi > lo)) {
			levels[i] = 3;
			continue;
		}
		m = (m - lo) / (hi - lo) * 7;
		levels[i] = m < 0 ? 0 : m > 7 ? 7 : (int)floor(m + 0.5);
	}
	return cells;
}

int
wspark_render(const double *v, size_t n, int width, double lo, double hi,
    int utf8, char *out, size_t outsz)
{
	int *lv, cells, i;
	size_t len = 0;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	if (width <= 0)
		return 0;
	lv = malloc((size_t)width * sizeof *lv);
	if (lv == NULL)
		return 0;
	cells = wspark_levels(v, n, width, lo, hi, lv);
	for (i = 0; i < cells; i++) {
		const char *g;
		char a[2];

		if (lv[i] < 0) {
			g = " ";
		} else if (utf8) {
			g = blocks[lv[i]];
		} else {
			a[0] = ascii[lv[i]];
			a[1] = '\0';
			g = a;
		}
		if (len + strlen(g) + 1 > outsz)
			break;
		memcpy(out + len, g, strlen(g));
		len += strlen(g);
	}
	out[len] = '\0';
	free(lv);
	return i;
}

void
wspark_draw(WINDOW *win, int y, int x, int width, const double *v, size_t n,
    double lo, double hi, attr_t attr)
{
	char *buf;
	size_t sz;

	if (width <= 0)
		return;
	sz = (size_t)width * 3 + 1;
	buf = malloc(sz);
	if (buf == NULL)
		return;
	wspark_render(v, n, width, lo, hi, widgets_utf8(), buf, sz);
	wput(win, y, x, width, buf, attr, WPUT_TRUSTED | WPUT_PAD);
	free(buf);
}
