/* proto-fuzz.c - libFuzzer harness for the PLUMB_FD line protocol parser (engine/proto.c). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "track/metric.h"
#include "track/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Splits the input into lines as the ingester does and parses each one.
 * Checks the parser's contract: on success the pointers it returns lie
 * inside the line and the lengths fit; keys are 1..PL_KEY_MAX bytes with
 * no control character; on failure the message names a column.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line = malloc(len ? len : 1);	/* exact size: ASan sees overreads */
		char err[160];
		pl_record r;

		memcpy(line, s, len);
		err[0] = '\0';
		if (pl_proto_parse(&r, line, len, err, sizeof err) == 0) {
			if (r.key && (r.key < line || r.key + r.key_len > line + len))
				abort();
			if (r.text && (r.text < line || r.text + r.text_len > line + len))
				abort();
			if (r.type == PL_REC_METRIC || r.type == PL_REC_PARAM ||
			    r.type == PL_REC_TAG) {
				if (r.key_len == 0 || r.key_len > PL_KEY_MAX)
					abort();
				for (size_t i = 0; i < r.key_len; i++)
					if ((unsigned char)r.key[i] < 0x20)
						abort();
			}
			if (r.type == PL_REC_METRIC && r.step != PL_STEP_AUTO &&
			    r.step < 0)
				abort();
		} else if (strncmp(err, "column ", 7) != 0) {
			abort();
		}
		free(line);
		s += len + 1;
	}
	return 0;
}
