/* metrics-fuzz.c - libFuzzer harness for a stage's metrics-file reader (engine/pipeline/metrics-file.c, over config/ynode.c). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/metrics-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Reads arbitrary bytes as a metrics file (JSON or YAML) and checks the
 * reader's contract: every value handed out is finite under a non-empty
 * dotted key; every skip note names the file; every third value is
 * refused by the callback and each refusal must become a note (nothing
 * is dropped silently: issue 15, item 7).  Any crash, leak or sanitizer
 * report is a bug too.
 */
#define SHOWN "m.json"

struct ctx {
	size_t values, refused, notes;
};

static int
value(void *vctx, const char *key, double v, const char **why)
{
	struct ctx *c = vctx;
	size_t n = strlen(key);

	if (!isfinite(v) || n == 0)
		abort();
	if (++c->values % 3 == 0) {
		c->refused++;
		*why = "refused by the harness";
		return -1;
	}
	return 0;
}

static void
skip(void *vctx, const char *note)
{
	struct ctx *c = vctx;

	if (note == NULL || strncmp(note, SHOWN, strlen(SHOWN)) != 0)
		abort();
	c->notes++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { 0, 0, 0 };
	const struct pl_metrics_reader r = { value, skip, &c };

	pl__metrics_text_read(&r, (const char *)data, size, SHOWN);
	if (c.notes < c.refused)
		abort();
	return 0;
}
