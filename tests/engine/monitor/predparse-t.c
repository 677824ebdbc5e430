/* predparse-t.c - unit tests of the prediction/label line parser (JSONL and CSV, schema changes, times, errors). */
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

#include "store/error.h"
#include "monitor/logtail.h"
#include "monitor/predparse.h"

static int
parse(pl_predparse *p, const char *s, unsigned flags, struct pl_pred_row *r)
{
	return pl_predparse_line(p, s, strlen(s), flags, r);
}

static void
test_jsonl_server_line(void **state)
{
	pl_predparse *p;
	struct pl_pred_row r;

	(void)state;
	assert_int_equal(pl_predparse_new(&p, PL_PRED_JSONL, NULL), PL_OK);
	assert_int_equal(parse(p, "{\"id\":\"r-0\",\"ts\":1796459328.255609,"
	    "\"features\":{\"f0\":1.288185,\"f1\":-1.5e2,\"f2\":0,\"f3\":null},"
	    "\"prediction\":1,\"score\":0.53,\"latency\":0.000104,"
	    "\"status\":\"ok\",\"extra\":[1,{\"a\":[]}]}", 0, &r), PL_OK);
	assert_int_equal(r.id_len, 3);
	assert_memory_equal(r.id, "r-0", 3);
	assert_true(r.ts_ms == 1796459328256LL);
	assert_true(r.prediction == 1.0);
	assert_true(r.latency == 0.000104);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.nfeatures, 4);
	assert_true(r.features[0] == 1.288185);
	assert_true(r.features[1] == -150.0);
	assert_true(r.features[2] == 0.0);
	assert_true(isnan(r.features[3]));
	assert_string_equal(pl_predparse_feature(p, 1), "f1");
	assert_int_equal(pl_predparse_schema_changes(p), 0);

	/* reordered features map by name; a missing one is NaN */
	assert_int_equal(parse(p, "{\"features\":{\"f2\":2,\"f0\":3},"
	    "\"id\":\"a\\\"b\\u00e9\",\"status\":500,\"prediction\":false}", 0, &r),
	    PL_OK);
	assert_int_equal(r.id_len, 5);
	assert_memory_equal(r.id, "a\"b\xc3\xa9", 5);
	assert_true(r.features[0] == 3 && r.features[2] == 2);
	assert_true(isnan(r.features[1]));
	assert_int_equal(r.status, 1);
	assert_true(r.prediction == 0.0);
	assert_true(r.ts_ms == INT64_MIN);

	/* a new column: one schema change, however many lines carry it */
	for (int k = 0; k < 3; k++)
		assert_int_equal(parse(p, "{\"id\":\"x\",\"features\":{\"f0\":1,\"age\":4}}",
		    0, &r), PL_OK);
	assert_int_equal(pl_predparse_schema_changes(p), 1);
	assert_non_null(strstr(pl_predparse_schema_note(p), "age"));
	assert_int_equal(r.nfeatures, 5);
	pl_predparse_free(p);
}

static void
test_jsonl_errors(void **state)
{
	static const struct {
		const char *line;
		const char *want;
	} bad[] = {
		{ "not json", "column 1: expected '{'" },
		{ "{\"id\":\"a\",}", "column 11: expected a member name" },
		{ "{\"id\" \"a\"}", "column 7: expected ':'" },
		{ "{\"id\":\"a\"", "column 10: expected ',' or '}'" },
		{ "{\"id\":\"a\"} x", "column 12: text after the object" },
		{ "{\"features\":{\"f0\":\"high\"}}", "column 19: a feature value is a string" },
		{ "{\"prediction\":\"yes\"}", "column 15: prediction is not a number" },
		{ "{\"ts\":\"yesterday\"}", "column 7: time is neither" },
		{ "{\"id\":\"a\\q\"}", "bad escape" },
		{ "{\"id\":\"\\ud800\"}", "unpaired surrogate" },
		{ "{\"x\":01}", "not a JSON value" },
		{ "{\"x\":tru}", "not a JSON value" },
		{ "{\"id\":\"tab\there\"}", "control character" },
	};
	pl_predparse *p;
	struct pl_pred_row r;

	(void)state;
	assert_int_equal(pl_predparse_new(&p, PL_PRED_JSONL, NULL), PL_OK);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse(p, bad[i].line, 0, &r);
		if (rc != PL_EINVAL || !strstr(pl_predparse_errmsg(p), bad[i].want))
			fail_msg("%s: rc %d, message '%s', wanted '%s'", bad[i].line,
			    rc, pl_predparse_errmsg(p), bad[i].want);
	}
	/* deep nesting is refused, not a stack overflow */
	char deep[400] = "{\"x\":";
	for (int k = 0; k < 100; k++)
		strcat(deep, "[");
	assert_int_equal(parse(p, deep, 0, &r), PL_EINVAL);
	assert_non_null(strstr(pl_predparse_errmsg(p), "nested too deeply"));
	assert_int_equal(parse(p, "   ", 0, &r), PL_ITEROVER);
	assert_int_equal(parse(p, "{\"f\":NaN,\"id\":7}", 0, &r), PL_OK);
	assert_int_equal(r.id_len, 1);
	pl_predparse_free(p);
}

static void
test_flat_and_names(void **state)
{
	pl_predparse *p;
	struct pl_pred_row r;
	struct pl_pred_fields f = { .id = "request_id", .time = "time",
		.prediction = "score", .features = "", .label = "churned" };

	(void)state;
	assert_int_equal(pl_predparse_new(&p, PL_PRED_JSONL, &f), PL_OK);
	assert_int_equal(parse(p, "{\"request_id\":\"q\",\"time\":\"2026-12-05T08:00:01.5+01:00\","
	    "\"score\":0.25,\"age\":30,\"plan\":\"gold\",\"churned\":true}", 0, &r), PL_OK);
	assert_true(r.ts_ms == 1796889601500LL - 3600000LL - 86400000LL * 5);
	assert_true(r.prediction == 0.25);
	assert_true(r.label == 1.0);
	assert_int_equal(r.nfeatures, 1);	/* plan is text: not a feature */
	assert_string_equal(pl_predparse_feature(p, 0), "age");
	pl_predparse_free(p);

	/* feature names matched in place or through their escapes alike: a
	 * name with a quote or a backslash, and one written escaped */
	assert_int_equal(pl_predparse_new(&p, PL_PRED_JSONL, NULL), PL_OK);
	assert_int_equal(parse(p, "{\"id\":\"1\",\"features\":{\"x\":1,"
	    "\"q\\\"t\":2,\"b\\\\s\":3}}", 0, &r), PL_OK);
	assert_int_equal(r.nfeatures, 3);
	assert_string_equal(pl_predparse_feature(p, 1), "q\"t");
	assert_string_equal(pl_predparse_feature(p, 2), "b\\s");
	assert_int_equal(parse(p, "{\"id\":\"2\",\"features\":{\"\\u0078\":4,"
	    "\"q\\\"t\":5,\"b\\\\s\":6}}", 0, &r), PL_OK);
	assert_int_equal(r.nfeatures, 3);
	assert_true(r.features[0] == 4 && r.features[1] == 5 && r.features[2] == 6);
	/* raw text equal to a name's bytes but not to its JSON text */
	assert_int_equal(parse(p, "{\"id\":\"3\",\"features\":{\"x\":7,"
	    "\"q\\\"t\":8,\"b\\s\":9}}", 0, &r), PL_EINVAL);
	assert_int_equal(pl_predparse_schema_changes(p), 0);
	pl_predparse_free(p);
}

static void
test_time_formats(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(pl_predparse_time("1970-01-01T00:00:00Z", 20, &ms), 0);
	assert_true(ms == 0);
	assert_int_equal(pl_predparse_time("2000-03-01 12:00", 16, &ms), 0);
	assert_true(ms == 951912000000LL);
	assert_int_equal(pl_predparse_time("2024-02-29T23:59:59.999-00:30", 29, &ms), 0);
	assert_true(ms == 1709251199999LL + 1800000LL);
	assert_int_equal(pl_predparse_time("2024-13-01", 10, &ms), -1);
	assert_int_equal(pl_predparse_time("2024-01-01T10", 13, &ms), -1);
	assert_int_equal(pl_predparse_time("2024-01-01Tx", 12, &ms), -1);

	pl_predparse *p;
	struct pl_pred_row r;
	assert_int_equal(pl_predparse_new(&p, PL_PRED_JSONL, NULL), PL_OK);
	assert_int_equal(parse(p, "{\"ts\":1700000000123}", 0, &r), PL_OK);
	assert_true(r.ts_ms == 1700000000123LL);
	assert_int_equal(parse(p, "{\"ts\":1700000000123456}", 0, &r), PL_OK);
	assert_true(r.ts_ms == 1700000000123LL);
	pl_predparse_free(p);
}

static void
test_csv(void **state)
{
	pl_predparse *p;
	struct pl_pred_row r;

	(void)state;
	assert_int_equal(pl_predparse_new(&p, PL_PRED_CSV, NULL), PL_OK);
	assert_int_equal(parse(p, "1,2", 0, &r), PL_EINVAL);	/* no header */
	assert_int_equal(parse(p, "id,ts,a,prediction,b,status", PL_TAIL_LINE_FIRST, &r),
	    PL_ITEROVER);
	assert_int_equal(parse(p, "\"r,1\",2026-01-01T00:00:00Z,1.5,1,,200", 0, &r), PL_OK);
	assert_int_equal(r.id_len, 3);
	assert_memory_equal(r.id, "r,1", 3);
	assert_true(r.ts_ms == 1767225600000LL);
	assert_true(r.features[0] == 1.5);
	assert_true(isnan(r.features[1]));
	assert_int_equal(r.status, 0);
	assert_int_equal(parse(p, "r2,1767225600,x,1,2,error", 0, &r), PL_EINVAL);
	assert_non_null(strstr(pl_predparse_errmsg(p), "column 15: a feature value is not a number"));
	assert_int_equal(parse(p, "r2,1767225600,1,1,2,error", 0, &r), PL_OK);
	assert_int_equal(r.status, 1);
	assert_true(r.ts_ms == 1767225600000LL);
	assert_int_equal(parse(p, "r2,1,1,1", 0, &r), PL_EINVAL);
	assert_int_equal(parse(p, "r2,1,1,1,1,1,1", 0, &r), PL_EINVAL);
	/* the header read again on resume is no change; a new header is */
	assert_int_equal(parse(p, "id,ts,a,prediction,b,status",
	    PL_TAIL_LINE_FIRST | PL_TAIL_LINE_HEADER_ONLY, &r), PL_ITEROVER);
	assert_int_equal(pl_predparse_schema_changes(p), 0);
	assert_int_equal(parse(p, "id,ts,a,prediction,status", PL_TAIL_LINE_FIRST, &r),
	    PL_ITEROVER);
	assert_int_equal(pl_predparse_schema_changes(p), 1);
	assert_int_equal(parse(p, "id,ts,a,prediction,status,c", PL_TAIL_LINE_FIRST, &r),
	    PL_ITEROVER);
	assert_int_equal(pl_predparse_schema_changes(p), 2);
	assert_int_equal(parse(p, "z,5,1,0,ok,9", 0, &r), PL_OK);
	assert_int_equal(r.nfeatures, 3);
	assert_true(r.features[2] == 9 && isnan(r.features[1]));
	pl_predparse_free(p);
}

/* positive: a label is 1 when its text is the positive class (or both
 * are numbers and equal), 0 otherwise; a prediction that is not a number
 * is a class name; a number stays a number; missing stays missing. */
static void
test_positive(void **state)
{
	pl_predparse *p;
	struct pl_pred_row r;

	(void)state;
	assert_int_equal(pl_predparse_new(&p, PL_PRED_JSONL,
	    &(struct pl_pred_fields){ .positive = "churned" }), PL_OK);
	assert_int_equal(parse(p, "{\"id\":\"a\",\"label\":\"churned\","
	    "\"prediction\":\"stayed\"}", 0, &r), PL_OK);
	assert_true(r.label == 1 && r.prediction == 0);
	assert_int_equal(parse(p, "{\"id\":\"a\",\"label\":\"stayed\","
	    "\"prediction\":0.8}", 0, &r), PL_OK);
	assert_true(r.label == 0 && r.prediction == 0.8);
	assert_int_equal(parse(p, "{\"id\":\"a\",\"label\":1,"
	    "\"prediction\":\"churned\"}", 0, &r), PL_OK);
	assert_true(r.label == 0 && r.prediction == 1);
	assert_int_equal(parse(p, "{\"id\":\"a\",\"label\":null}", 0, &r),
	    PL_OK);
	assert_true(isnan(r.label));
	/* the score stays a number */
	assert_int_equal(parse(p, "{\"id\":\"a\",\"score\":\"high\"}", 0,
	    &r), PL_EINVAL);
	pl_predparse_free(p);

	assert_int_equal(pl_predparse_new(&p, PL_PRED_CSV,
	    &(struct pl_pred_fields){ .positive = "2" }), PL_OK);
	assert_int_equal(parse(p, "id,label", PL_TAIL_LINE_FIRST, &r),
	    PL_ITEROVER);
	assert_int_equal(parse(p, "a,2.0", 0, &r), PL_OK);
	assert_true(r.label == 1);
	assert_int_equal(parse(p, "a,1", 0, &r), PL_OK);
	assert_true(r.label == 0);
	assert_int_equal(parse(p, "a,two", 0, &r), PL_OK);
	assert_true(r.label == 0);
	assert_int_equal(parse(p, "a,", 0, &r), PL_OK);
	assert_true(isnan(r.label));
	pl_predparse_free(p);

	/* without positive, a class name is malformed as before */
	assert_int_equal(pl_predparse_new(&p, PL_PRED_JSONL, NULL), PL_OK);
	assert_int_equal(parse(p, "{\"id\":\"a\",\"label\":\"yes\"}", 0,
	    &r), PL_EINVAL);
	pl_predparse_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonl_server_line),
		cmocka_unit_test(test_jsonl_errors),
		cmocka_unit_test(test_flat_and_names),
		cmocka_unit_test(test_time_formats),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_positive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
