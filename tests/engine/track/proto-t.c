/* proto-t.c - unit tests of the PLUMB_FD line protocol parser. */
#include "config.h"

#include <math.h>

#include "tests/engine/testutil.h"

static pl_record r;
static char err[200];

static int
parse(const char *line)
{
	err[0] = '\0';
	return pl_proto_parse(&r, line, strlen(line), err, sizeof err);
}

static void
test_metric(void **state)
{
	(void)state;
	assert_int_equal(parse("metric loss 0.25"), PL_OK);
	assert_int_equal(r.type, PL_REC_METRIC);
	assert_int_equal(r.key_len, 4);
	assert_memory_equal(r.key, "loss", 4);
	assert_true(r.value == 0.25);
	assert_true(r.step == PL_STEP_AUTO);
	assert_int_equal(r.ts_ms, 0);
	assert_int_equal(parse("  metric\tval/acc@5   -1.5e-3 step=7 ts=1700000000123\r"), PL_OK);
	assert_memory_equal(r.key, "val/acc@5", 9);
	assert_true(r.value == -1.5e-3);
	assert_int_equal(r.step, 7);
	assert_int_equal(r.ts_ms, 1700000000123LL);
	assert_int_equal(parse("metric x nan"), PL_OK);
	assert_true(isnan(r.value));
	assert_int_equal(parse("metric x -inf ts=5 step=0"), PL_OK);
	assert_true(isinf(r.value) && r.value < 0);
	assert_int_equal(r.step, 0);
	assert_int_equal(parse("metric x 0x1p-2"), PL_OK);
	assert_true(r.value == 0.25);
}

static void
test_text_records(void **state)
{
	(void)state;
	assert_int_equal(parse("param lr 0.01"), PL_OK);
	assert_int_equal(r.type, PL_REC_PARAM);
	assert_int_equal(r.text_len, 4);
	assert_memory_equal(r.text, "0.01", 4);
	assert_int_equal(parse("param note a  b\tc "), PL_OK);
	assert_int_equal(r.text_len, 7);	/* trailing space kept */
	assert_memory_equal(r.text, "a  b\tc ", 7);
	assert_int_equal(parse("param empty"), PL_OK);
	assert_int_equal(r.text_len, 0);
	assert_int_equal(parse("tag team vision"), PL_OK);
	assert_int_equal(r.type, PL_REC_TAG);
	assert_int_equal(parse("artifact out/model file.bin"), PL_OK);
	assert_int_equal(r.type, PL_REC_ARTIFACT);
	assert_int_equal(r.text_len, 18);	/* "out/model file.bin" */
	assert_int_equal(parse(""), PL_OK);
	assert_int_equal(r.type, PL_REC_NONE);
	assert_int_equal(parse("   # a comment"), PL_OK);
	assert_int_equal(r.type, PL_REC_NONE);
}

static void
test_errors(void **state)
{
	char big[300];

	(void)state;
	assert_int_equal(parse("metrics loss 1"), PL_EINVAL);
	assert_string_equal(err, "column 1: unknown record type 'metrics' "
	    "(expected metric, param, tag or artifact)");
	assert_int_equal(parse("metric loss"), PL_EINVAL);
	assert_string_equal(err, "column 12: missing value");
	assert_int_equal(parse("metric loss 1.5x"), PL_EINVAL);
	assert_string_equal(err, "column 13: metric value is not a number");
	assert_int_equal(parse("metric loss 1 step=x"), PL_EINVAL);
	assert_string_equal(err, "column 20: step is not an integer >= 0");
	assert_int_equal(parse("metric loss 1 step=-1"), PL_EINVAL);
	assert_int_equal(parse("metric loss 1 step=99999999999999999999"), PL_EINVAL);
	assert_int_equal(parse("metric loss 1 ts=0"), PL_EINVAL);
	assert_int_equal(parse("metric loss 1 epoch=3"), PL_EINVAL);
	assert_string_equal(err, "column 15: unexpected 'epoch=3' (expected "
	    "step=N or ts=UNIX_MS)");
	assert_int_equal(parse("metric"), PL_EINVAL);
	assert_int_equal(parse("param"), PL_EINVAL);
	assert_int_equal(parse("artifact"), PL_EINVAL);
	assert_string_equal(err, "column 9: missing path");
	assert_int_equal(parse("metric a\001b 1"), PL_EINVAL);
	memset(big, 'k', sizeof big);
	memcpy(big, "metric ", 7);
	big[sizeof big - 3] = ' ';
	big[sizeof big - 2] = '1';
	big[sizeof big - 1] = '\0';
	assert_int_equal(parse(big), PL_EINVAL);
	assert_non_null(strstr(err, "longer than 250"));
	/* A NUL inside the line is an error, not a truncation. */
	assert_int_equal(pl_proto_parse(&r, "param a b\0c", 11, err, sizeof err),
	    PL_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric),
		cmocka_unit_test(test_text_records),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
