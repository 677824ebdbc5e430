/* predparse-fuzz.c - libFuzzer harness for the prediction/label line parser (see tests/fuzz/README). */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"
#include "monitor/logtail.h"
#include "monitor/predparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte picks the format (JSONL or CSV), flat features and
 * whether the first line is a header; the rest is split at newlines and
 * fed line by line to one parser, as the log follower would.  Every
 * accepted row is walked (id bytes, every feature) and must be
 * consistent: an error always comes with a "column N: " message whose
 * column lies within the line (+1 for the end).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pl_predparse *p;
	struct pl_pred_fields f = { 0 };
	struct pl_pred_row r;
	unsigned first = PL_TAIL_LINE_FIRST;

	if (size == 0)
		return 0;
	if (data[0] & 2)
		f.features = "";
	if (pl_predparse_new(&p, (data[0] & 1) ? PL_PRED_CSV : PL_PRED_JSONL,
	    &f) != PL_OK)
		return 0;
	data++;
	size--;
	while (size > 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;
		int rc = pl_predparse_line(p, (const char *)data, len, first, &r);
		first = 0;
		if (rc == PL_OK) {
			volatile unsigned sum = 0;
			for (size_t i = 0; i < r.id_len; i++)
				sum += (unsigned char)r.id[i];
			for (size_t i = 0; i < r.nfeatures; i++)
				if (r.features[i] == r.features[i])
					sum++;
			if (r.nfeatures != pl_predparse_nfeatures(p))
				abort();
			(void)sum;
		} else if (rc == PL_EINVAL) {
			const char *m = pl_predparse_errmsg(p);
			unsigned long col;
			if (strncmp(m, "column ", 7) != 0)
				abort();
			col = strtoul(m + 7, NULL, 10);
			if (col < 1 || col > len + 1)
				abort();
		} else if (rc != PL_ITEROVER)
			abort();
		if (!nl)
			break;
		data = nl + 1;
		size -= len + 1;
	}
	pl_predparse_free(p);
	return 0;
}
