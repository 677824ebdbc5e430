/* scale-t.c - pure tests of chart axis math: nice steps and ranges, labels, log ticks, decimation. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "widgets/scale.h"

static void
eq(double a, double b, int line)
{
	if (!(fabs(a - b) <= 1e-9 * fabs(b) + 1e-15)) {
		print_error("line %d: %.17g != %.17g\n", line, a, b);
		fail();
	}
}
#define EQ(a, b) eq((a), (b), __LINE__)

static void
test_nice_step(void **state)
{
	(void)state;
	EQ(wscale_nice_step(1, 5), 0.2);
	EQ(wscale_nice_step(10, 5), 2);
	EQ(wscale_nice_step(7, 5), 2);
	EQ(wscale_nice_step(3, 5), 1);
	EQ(wscale_nice_step(0.9, 4), 0.5);
	EQ(wscale_nice_step(100, 10), 10);
	EQ(wscale_nice_step(1234, 4), 500);
	EQ(wscale_nice_step(6e-5, 3), 2e-5);
	EQ(wscale_nice_step(0, 5), 1);
	EQ(wscale_nice_step(NAN, 5), 1);
}

static void
test_nice_range_and_ticks(void **state)
{
	double lo = 0.229, hi = 0.913, t[32], step;
	int n;

	(void)state;
	wscale_nice_range(&lo, &hi, 4);
	EQ(lo, 0.2);
	EQ(hi, 1.0);
	n = wscale_ticks(lo, hi, 4, t, 32, &step);
	EQ(step, 0.2);
	assert_int_equal(n, 5);
	EQ(t[0], 0.2);
	EQ(t[1], 0.4);
	EQ(t[4], 1.0);
	/* ticks include both ends and never print "-0" */
	n = wscale_ticks(-1, 1, 4, t, 32, &step);
	assert_int_equal(n, 5);
	EQ(step, 0.5);
	assert_true(t[2] == 0 && !signbit(t[2]));
	/* flat series: opened around the value */
	lo = hi = 5;
	wscale_nice_range(&lo, &hi, 4);
	assert_true(lo < 5 && hi > 5);
	lo = hi = 0;
	wscale_nice_range(&lo, &hi, 4);
	EQ(lo, -1);
	EQ(hi, 1);
	/* reversed input is swapped */
	lo = 10;
	hi = 0;
	wscale_nice_range(&lo, &hi, 5);
	EQ(lo, 0);
	EQ(hi, 10);
	/* max respected */
	assert_int_equal(wscale_ticks(0, 100, 50, t, 3, NULL), 3);
}

static void
fmt_is(double v, double step, const char *want)
{
	char b[32];

	wscale_fmt(b, sizeof b, v, step);
	assert_string_equal(b, want);
}

static void
test_fmt(void **state)
{
	(void)state;
	fmt_is(0, 0.2, "0");
	fmt_is(0.2, 0.2, "0.2");
	fmt_is(0.4, 0.2, "0.4");
	fmt_is(0.05, 0.05, "0.05");
	fmt_is(0.15, 0.05, "0.15");
	fmt_is(1, 0.5, "1");
	fmt_is(1.5, 0.5, "1.5");
	fmt_is(-2.5, 0.5, "-2.5");
	fmt_is(100, 50, "100");
	fmt_is(1000, 500, "1k");
	fmt_is(1500, 500, "1.5k");
	fmt_is(20000, 10000, "20k");
	fmt_is(2000000, 1000000, "2M");
	fmt_is(2500000, 500000, "2.5M");
	fmt_is(3e9, 1e9, "3G");
	fmt_is(-4000, 2000, "-4k");
	fmt_is(1e-4, 1e-4, "1e-4");
	fmt_is(1.2e-4, 2e-5, "1.2e-4");
	fmt_is(0.002, 0.001, "0.002");
	fmt_is(1e-12, 0.2, "0");
	fmt_is(NAN, 1, "nan");
	/* truncation is safe */
	{
		char b[4];

		wscale_fmt(b, sizeof b, 123456, 1);
		assert_string_equal(b, "123");
	}
}

static void
test_log_ticks(void **state)
{
	double t[32];
	int n;

	(void)state;
	n = wscale_log_ticks(1, 1000, 10, t, 32);
	assert_int_equal(n, 4);
	EQ(t[0], 1);
	EQ(t[1], 10);
	EQ(t[3], 1000);
	/* few decades, room: 1 2 5 10 20 50 100 */
	n = wscale_log_ticks(1, 100, 10, t, 32);
	assert_int_equal(n, 7);
	EQ(t[1], 2);
	EQ(t[2], 5);
	EQ(t[6], 100);
	/* many decades: thinned */
	n = wscale_log_ticks(1e-6, 1e6, 4, t, 32);
	assert_true(n <= 5 && n >= 3);
	EQ(t[0], 1e-6);
	assert_int_equal(wscale_log_ticks(0, 10, 5, t, 32), 0);
	assert_int_equal(wscale_log_ticks(-1, 10, 5, t, 32), 0);
}

static void
test_minmax(void **state)
{
	double v[] = { NAN, -3, 2, INFINITY, 0, 7 }, lo = 99, hi = 99;

	(void)state;
	assert_int_equal(wscale_minmax(v, 6, false, &lo, &hi), 4);
	EQ(lo, -3);
	EQ(hi, 7);
	assert_int_equal(wscale_minmax(v, 6, true, &lo, &hi), 2);
	EQ(lo, 2);
	assert_int_equal(wscale_minmax(v, 1, false, &lo, &hi), 0);
}

static void
test_bin(void **state)
{
	double y[] = { 1, 5, 2, NAN, 3, 4, -1, 8 };
	double mn[4], mx[4];
	unsigned char brk[4];

	(void)state;
	/* x = index 0..7 over 4 columns: col = round(x * 3 / 7) */
	wscale_bin(NULL, y, 8, 0, 7, 4, false, mn, mx, brk);
	EQ(mn[0], 1);	/* x 0, 1 */
	EQ(mx[0], 5);
	EQ(mn[1], 2);	/* x 2, (3 = NaN) */
	EQ(mx[1], 2);
	assert_true(brk[1]);
	EQ(mn[2], 3);	/* x 4, 5 */
	EQ(mx[2], 4);
	EQ(mn[3], -1);	/* x 6, 7 */
	EQ(mx[3], 8);
	assert_false(brk[0]);
	/* log: non-positive skipped, values in log10 */
	wscale_bin(NULL, y, 8, 0, 7, 4, true, mn, mx, brk);
	EQ(mn[2], log10(3));
	EQ(mx[3], log10(8));
	/* points outside [x0, x1] are ignored; empty columns are NaN */
	wscale_bin(NULL, y, 8, 100, 200, 4, false, mn, mx, brk);
	assert_true(isnan(mn[0]) && isnan(mx[3]));
}

static void
test_bin_million(void **state)
{
	size_t n = 1000000, i;
	double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	double mn[80], mx[80];
	unsigned char brk[80];
	double emn[1000], emx[1000];

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	for (i = 0; i < n; i++) {
		x[i] = (double)i;
		y[i] = (i % 1000 == 500) ? 100.0 : (double)(i % 7);
	}
	wscale_bin(x, y, n, 0, (double)(n - 1), 80, false, mn, mx, brk);
	for (i = 0; i < 80; i++) {
		EQ(mn[i], 0);
		EQ(mx[i], 100);	/* spikes survive decimation */
	}
	/* the same through a caller-made envelope of 1000 bins */
	for (i = 0; i < 1000; i++) {
		emn[i] = 0;
		emx[i] = i == 999 ? 500 : 100;
	}
	wscale_bin_envelope(emn, emx, 1000, 0, (double)(n - 1), 0,
	    (double)(n - 1), 80, false, mn, mx, brk);
	EQ(mx[0], 100);
	EQ(mx[79], 500);
	EQ(mn[40], 0);
	free(x);
	free(y);
}

static void
time_is(double t, double step, const char *want)
{
	char b[32];

	wscale_time_fmt(b, sizeof b, t, step);
	assert_string_equal(b, want);
}

static void
test_time_axis(void **state)
{
	double t[32], step, base = 1795766400;	/* 2026-11-27 08:00:00 UTC */
	int n;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	EQ(wscale_time_step(60, 6), 10);
	EQ(wscale_time_step(3600, 4), 900);
	EQ(wscale_time_step(86400, 4), 21600);
	EQ(wscale_time_step(7 * 86400, 4), 172800);
	EQ(wscale_time_step(365 * 86400.0, 4), 604800 * 20.0);
	EQ(wscale_time_step(0.5, 5), 0.1);	/* sub-second: plain 1-2-5 */
	/* 08:07:13 .. 09:52:00, at most 4 ticks: every 30 min on the clock */
	n = wscale_time_ticks(base + 433, base + 6720, 4, t, 32, &step);
	EQ(step, 1800);
	assert_int_equal(n, 3);
	EQ(t[0], base + 1800);
	EQ(t[2], base + 5400);
	time_is(t[0], step, "08:30");
	time_is(base + 5, 5, "08:00:05");
	time_is(base, 86400, "11-27");
	/* local time: day ticks on local midnight (UTC+2 here) */
	setenv("TZ", "EET-2", 1);
	tzset();
	n = wscale_time_ticks(base, base + 3 * 86400, 3, t, 32, &step);
	EQ(step, 86400);
	EQ(fmod(t[0] + 7200, 86400), 0);
	time_is(t[0], step, "11-28");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
test_pixel(void **state)
{
	(void)state;
	assert_int_equal(wscale_pixel(0, 0, 1, 10), 0);
	assert_int_equal(wscale_pixel(1, 0, 1, 10), 9);
	assert_int_equal(wscale_pixel(0.5, 0, 1, 11), 5);
	assert_int_equal(wscale_pixel(-5, 0, 1, 10), 0);
	assert_int_equal(wscale_pixel(5, 0, 1, 10), 9);
	assert_int_equal(wscale_pixel(5, 1, 1, 10), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_step),
		cmocka_unit_test(test_nice_range_and_ticks),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_log_ticks),
		cmocka_unit_test(test_minmax),
		cmocka_unit_test(test_bin),
		cmocka_unit_test(test_bin_million),
		cmocka_unit_test(test_time_axis),
		cmocka_unit_test(test_pixel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
