/* expfmt-fuzz.c - libFuzzer harness for the text exposition format parser (engine/monitor/expfmt.c). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/expfmt.h"
#include "monitor/tsdb.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Parses arbitrary bytes as a scrape body and checks the contract of
 * every sample handed out: a valid metric name, valid and unique label
 * names without the reserved "__" prefix, label values that are valid
 * UTF-8 (what the series store is given), and statistics that add up
 * (samples = callbacks, bad lines <= lines, the first bad line and
 * column set when and only when there was one).  Any crash, leak or
 * sanitizer report is a bug too.
 */
struct ctx {
	int64_t n;
};

static int
valid_utf8(const char *s)
{
	size_t n = strlen(s), i = 0;
	uint32_t cp;

	while (i < n) {
		size_t k = utf8_decode(&cp, s + i, n - i);

		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

static int
check(void *vctx, const char *name, const pl_label *labels, size_t nl,
    double value, int has_ts, int64_t ts)
{
	struct ctx *c = vctx;

	(void)value;
	(void)has_ts;
	(void)ts;
	c->n++;
	if (!pl_ts_name_valid(name))
		abort();
	for (size_t i = 0; i < nl; i++) {
		if (!pl_ts_label_name_valid(labels[i].name) ||
		    !valid_utf8(labels[i].value))
			abort();
		for (size_t k = 0; k < i; k++)
			if (!strcmp(labels[i].name, labels[k].name))
				abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { 0 };
	pl_expfmt_stats st;

	if (pl_expfmt_parse((const char *)data, size, check, &c, &st) != 0)
		abort();
	if (st.samples != c.n || st.bad_lines > st.lines ||
	    st.samples + st.bad_lines > st.lines ||
	    (st.bad_lines > 0) != (st.first_bad_line > 0) ||
	    st.first_bad_line > st.lines ||
	    (st.bad_lines > 0 && (st.first_bad_col < 1 || !st.first_bad[0])))
		abort();
	return 0;
}
