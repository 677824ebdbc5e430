/* filter-fuzz.c - libFuzzer harness for the MLflow filter compiler and sort keys (engine/filter.c). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "track/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Compiles the input as a filter and as a sort key, and matches it as a
 * LIKE pattern against itself.  Checks the contract: on success the SQL
 * holds no byte of user text outside the fixed vocabulary (every literal
 * and key became a bind), and parameters are numbered from the base; on
 * failure there is a message and a column inside the text (+1).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256], kind, *key;
	pl_filter f;
	size_t col;
	int desc;

	memcpy(text, data, size);
	text[size] = '\0';
	if (pl_filter_compile(&f, text, 7, err, sizeof err, &col) == 0) {
		/* The SQL is made of our own tokens only. */
		for (const char *p = f.sql.p; *p; p++)
			if (*p == '\'' || *p == '"' || *p == ';' || *p == '-')
				abort();
		for (size_t i = 0; i < f.nbinds; i++)
			if (f.binds[i].is_text && f.binds[i].text == NULL)
				abort();
		if (f.nbinds && strstr(f.sql.p, "?7") == NULL)
			abort();
		pl_filter_dispose(&f);
	} else {
		if (err[0] == '\0' || col > strlen(text) + 1)
			abort();
	}
	if (pl_filter_sort_key(&kind, &key, &desc, text, err, sizeof err) == 0) {
		if (key == NULL || strchr("ampt", kind) == NULL)
			abort();
		free(key);
	}
	if (size < 64)
		(void)pl_like_match(text, text, size & 1);
	free(text);
	return 0;
}
