/* common-t.c - unit tests of common/: buffers, UTF-8 sanitizing and width, the JSON writer. */
#include "config.h"

#include <math.h>

#include "buf.h"
#include "json.h"
#include "tests/engine/testutil.h"
#include "utf8.h"
#include "vec.h"

static void
test_buf(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_int_equal(buf_printf(&b, "-%d-%s", 42, "x"), 0);
	assert_string_equal(b.p, "abc-42-x");
	assert_int_equal(b.len, 8);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_putc(&b, 'z'), 0);
	assert_int_equal(b.len, 10008);
	buf_clear(&b);
	assert_string_equal(buf_str(&b), "");
	buf_puts(&b, "keep");
	{
		char *s = buf_detach(&b);

		assert_string_equal(s, "keep");
		assert_null(b.p);
		free(s);
	}
	buf_free(&b);
}

static char *
san(const char *s, size_t n, unsigned flags)
{
	struct buf b = BUF_INIT;

	assert_int_equal(utf8_sanitize(&b, s, n, flags), 0);
	return buf_detach(&b);
}

static void
test_sanitize(void **state)
{
	char *r;

	(void)state;
	r = san("plain text", 10, 0);
	assert_string_equal(r, "plain text");
	free(r);
	r = san("\033]0;title\007", 10, 0);
	assert_string_equal(r, "^[]0;title^G");
	free(r);
	r = san("a\033[2Jb", 6, 0);
	assert_string_equal(r, "a^[[2Jb");
	free(r);
	r = san("a\nb\tc", 5, 0);
	assert_string_equal(r, "a^Jb c");
	free(r);
	r = san("a\nb\tc", 5, UTF8_KEEP_NEWLINE | UTF8_KEEP_TAB);
	assert_string_equal(r, "a\nb\tc");
	free(r);
	r = san("x\302\233y", 4, 0);	/* C1 CSI */
	assert_string_equal(r, "x<U+009B>y");
	free(r);
	r = san("\342\200\256evil", 7, 0);	/* RLO */
	assert_string_equal(r, "<U+202E>evil");
	free(r);
	r = san("bad\377\300\200end", 9, 0);	/* invalid + overlong */
	assert_string_equal(r, "bad\\xFF\\xC0\\x80end");
	free(r);
	r = san("caf\303\251 \346\227\245", 9, 0);	/* valid UTF-8 kept */
	assert_string_equal(r, "caf\303\251 \346\227\245");
	free(r);
	r = san("\177", 1, 0);
	assert_string_equal(r, "^?");
	free(r);
	r = san("nul\0x", 5, 0);
	assert_string_equal(r, "nul^@x");
	free(r);
	r = san("", 0, 0);
	assert_string_equal(r, "");
	free(r);
}

static void
test_decode_width(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(utf8_decode(&cp, "\303\251", 2), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode(&cp, "\355\240\200", 3), 0);	/* surrogate */
	assert_int_equal(utf8_decode(&cp, "\360\237\230\200", 4), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_decode(&cp, "\360\237", 2), 0);	/* truncated */
	assert_int_equal(utf8_width("abc"), 3);
	assert_int_equal(utf8_prefix_for_width("abcdef", 4), 4);
	assert_int_equal(utf8_prefix_for_width("\303\251\303\251", 1), 2);
}

static void
test_json(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;

	(void)state;
	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "s"); json_str(&j, "q\"b\\\n\001\302\233");
	json_key(&j, "n"); json_num(&j, 0.1);
	json_key(&j, "i"); json_int(&j, -42);
	json_key(&j, "big"); json_num(&j, 1e300);
	json_key(&j, "inf"); json_num(&j, INFINITY);
	json_key(&j, "ninf"); json_num(&j, -INFINITY);
	json_key(&j, "nan"); json_num(&j, NAN);
	json_key(&j, "null"); json_str(&j, NULL);
	json_key(&j, "a");
	json_arr_begin(&j);
	json_bool(&j, 1); json_bool(&j, 0); json_null(&j);
	json_obj_begin(&j); json_obj_end(&j);
	json_arr_end(&j);
	json_key(&j, "bad"); json_strn(&j, "x\377", 2);
	json_obj_end(&j);
	assert_false(json_error(&j));
	assert_string_equal(b.p,
	    "{\"s\":\"q\\\"b\\\\\\n\\u0001\\u009b\",\"n\":0.1,\"i\":-42,"
	    "\"big\":1e+300,\"inf\":\"inf\",\"ninf\":\"-inf\",\"nan\":\"nan\","
	    "\"null\":null,\"a\":[true,false,null,{}],"
	    "\"bad\":\"x\357\277\275\"}");
	buf_free(&b);
	/* Round trip: 17 significant digits when needed. */
	json_init(&j, &b);
	json_num(&j, 1.0 / 3.0);
	assert_true(strtod(b.p, NULL) == 1.0 / 3.0);
	buf_free(&b);
}

static void
test_vec(void **state)
{
	int *v = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(vec_grow(&v, &cap, n, sizeof *v, 4), 0);
		assert_true(cap > n);
		v[n++] = i;
	}
	assert_int_equal(cap, 1024);	/* 4, 8, ... doubling */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	/* no room needed: untouched */
	assert_int_equal(vec_grow(&v, &cap, 10, sizeof *v, 4), 0);
	assert_int_equal(cap, 1024);
	/* an impossible size fails and leaves the array as it was */
	assert_int_equal(vec_grow(&v, &cap, n + 24, (size_t)-1 / 2, 4), -1);
	assert_int_equal(cap, 1024);
	assert_int_equal(v[999], 999);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_decode_width),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_vec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
