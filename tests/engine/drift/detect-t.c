/* detect-t.c - unit tests of the concept-drift detectors against River's published vectors and tests/data/drift streams. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/csvread.h"
#include "drift/detect.h"
#include "store/error.h"

static char datadir[2048];

static double *
load_stream(const char *name, size_t *n)
{
	char path[4200], err[512];
	pl_csv_table *t;

	snprintf(path, sizeof path, "%s/%s", datadir, name);
	if (pl_csv_read(&t, path, NULL, err, sizeof err) != PL_OK)
		fail_msg("%s", err);
	*n = pl_csv_count(t, 0);
	double *v = malloc(*n * sizeof *v);
	memcpy(v, pl_csv_num(t, 0), *n * sizeof *v);
	pl_csv_free(t);
	return v;
}

/* "1,2,3" or "-" into a list; returns the count. */
static size_t
parse_list(const char *s, long *out, size_t max)
{
	size_t n = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	while (*s && n < max) {
		out[n++] = strtol(s, (char **)&s, 10);
		if (*s == ',')
			s++;
	}
	return n;
}

static void
apply_params(struct pl_detect_params *p, char *ps)
{
	if (strcmp(ps, "-") == 0)
		return;
	for (char *tok = strtok(ps, ","); tok; tok = strtok(NULL, ",")) {
		char *eq = strchr(tok, '=');
		assert_non_null(eq);
		*eq = '\0';
		double v = strtod(eq + 1, NULL);
		if (strcmp(tok, "alpha") == 0)
			p->alpha = v;
		else if (strcmp(tok, "beta") == 0)
			p->beta = v;
		else
			fail_msg("unknown param %s", tok);
	}
}

#define MAXI 4096
static long got_d[MAXI], got_w[MAXI], want_d[MAXI], want_w[MAXI];

/* Runs a detector; drifts and warning onsets as plumb detect reports them.
 * With first_only, warnings are River's docstring prints: the first one,
 * then again only after a drift (a row's warning looked at before its
 * drift). */
static void
run(const double *x, size_t n, int kind, const struct pl_detect_params *p,
    size_t *nd, size_t *nw, int first_only)
{
	pl_detect *d;
	int prev = 0, armed = 1;

	assert_int_equal(pl_detect_new(&d, kind, p), PL_OK);
	*nd = *nw = 0;
	for (size_t i = 0; i < n; i++) {
		int s = pl_detect_update(d, x[i]);
		int w = s == PL_DETECT_WARNING;
		if (first_only) {
			if (w && armed && *nw < MAXI) {
				got_w[(*nw)++] = (long)i;
				armed = 0;
			}
			if (s == PL_DETECT_DRIFT)
				armed = 1;
		} else if (w && !prev && *nw < MAXI)
			got_w[(*nw)++] = (long)i;
		prev = w;
		if (s == PL_DETECT_DRIFT && *nd < MAXI)
			got_d[(*nd)++] = (long)i;
	}
	pl_detect_free(d);
}

static void
expect_same(const char *what, const char *ctx, const long *got, size_t ng,
    const long *want, size_t nw)
{
	if (ng != nw)
		fail_msg("%s: %zu %s, want %zu (first got %ld)", ctx, ng, what, nw,
		    ng ? got[0] : -1L);
	for (size_t i = 0; i < ng; i++)
		if (got[i] != want[i])
			fail_msg("%s: %s[%zu] = %ld, want %ld", ctx, what, i, got[i],
			    want[i]);
}

static void
test_expected(void **state)
{
	char path[4200], line[65536];
	FILE *f;
	int ncases = 0, nanchors = 0;
	int seen[5] = { 0 };

	(void)state;
	snprintf(path, sizeof path, "%s/detect-expected.txt", datadir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		char stream[128], det[32], ps[128], dl[32768], wl[32768], ctx[512];
		int anchor = strncmp(line, "anchor ", 7) == 0;
		struct pl_detect_params p;
		size_t n, nd, nw, ndw, nww;

		if (line[0] == '#')
			continue;
		if (anchor) {
			if (sscanf(line, "anchor %127s %31s %127s drifts=%32767s first_warnings=%32767s",
			    stream, det, ps, dl, wl) != 5)
				fail_msg("bad line %s", line);
		} else if (sscanf(line, "%127s %31s %127s drifts=%32767s warnings=%32767s",
		    stream, det, ps, dl, wl) != 5)
			fail_msg("bad line %s", line);
		int kind = pl_detect_kind_parse(det);
		assert_true(kind > 0);
		pl_detect_defaults(&p, kind);
		snprintf(ctx, sizeof ctx, "%s%s on %s (%s)", anchor ? "River vector: " : "",
		    det, stream, ps);
		apply_params(&p, ps);
		double *x = load_stream(stream, &n);
		run(x, n, kind, &p, &nd, &nw, anchor);
		ndw = parse_list(dl, want_d, MAXI);
		nww = parse_list(wl, want_w, MAXI);
		expect_same("drifts", ctx, got_d, nd, want_d, ndw);
		expect_same("warnings", ctx, got_w, nw, want_w, nww);
		free(x);
		seen[kind]++;
		if (anchor)
			nanchors++;
		else
			ncases++;
	}
	fclose(f);
	assert_true(nanchors >= 6 && ncases >= 18);
	for (int k = 1; k <= 4; k++)
		assert_true(seen[k] > 0);
}

/* River semantics that the streams do not isolate. */
static void
test_semantics(void **state)
{
	pl_detect *d;
	struct pl_detect_params p;

	(void)state;
	/* constant stream: ADWIN never fires, width grows */
	assert_int_equal(pl_detect_new(&d, PL_DETECT_ADWIN, NULL), PL_OK);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(pl_detect_update(d, 1.0), PL_DETECT_NONE);
	assert_true(pl_detect_adwin_width(d) == 5000);
	assert_true(pl_detect_adwin_mean(d) == 1.0);
	pl_detect_free(d);
	/* the update after a drift starts from an empty window */
	pl_detect_defaults(&p, PL_DETECT_ADWIN);
	p.clock = 1;
	assert_int_equal(pl_detect_new(&d, PL_DETECT_ADWIN, &p), PL_OK);
	int fired = 0;
	for (int i = 0; i < 500; i++)
		pl_detect_update(d, 0.0);
	for (int i = 0; i < 500 && !fired; i++)
		fired = pl_detect_update(d, 100.0) == PL_DETECT_DRIFT;
	assert_true(fired);
	pl_detect_update(d, 50.0);
	assert_true(pl_detect_adwin_width(d) == 1);
	pl_detect_free(d);
	/* DDM on an all-error stream never drifts (strict comparisons) */
	assert_int_equal(pl_detect_new(&d, PL_DETECT_DDM, NULL), PL_OK);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(pl_detect_update(d, 1.0), PL_DETECT_NONE);
	pl_detect_free(d);
	/* grace period: nothing within the first 100 with grace 100 */
	pl_detect_defaults(&p, PL_DETECT_ADWIN);
	p.grace_period = 100;
	p.clock = 1;
	assert_int_equal(pl_detect_new(&d, PL_DETECT_ADWIN, &p), PL_OK);
	for (int i = 0; i < 100; i++)
		assert_int_equal(pl_detect_update(d, i < 50 ? 0.0 : 1000.0), PL_DETECT_NONE);
	pl_detect_free(d);
	/* bad parameters */
	pl_detect_defaults(&p, PL_DETECT_EDDM);
	p.alpha = 0.5;
	p.beta = 0.9;
	assert_int_equal(pl_detect_new(&d, PL_DETECT_EDDM, &p), PL_EINVAL);
	assert_null(d);
	assert_int_equal(pl_detect_new(&d, 99, NULL), PL_EINVAL);
	assert_int_equal(pl_detect_kind_parse("page_hinkley"), PL_DETECT_PAGE_HINKLEY);
	assert_int_equal(pl_detect_kind_parse("kswin"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected),
		cmocka_unit_test(test_semantics),
	};
	const char *top = getenv("top_srcdir");

	snprintf(datadir, sizeof datadir, "%s/tests/data/drift", top ? top : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
