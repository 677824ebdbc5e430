/* rules-fuzz.c - libFuzzer harness for the Prometheus rule-file loader (engine/alert/rules.c, with its PromQL and template parsing). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Loads arbitrary bytes as a rule file.  A refused file leaves the rule
 * set as it was (still holding the group loaded before it) and says why,
 * naming the file; a loaded one holds groups whose rules each have a
 * name, an expression and its parse.  Any crash, leak or sanitizer
 * report is a bug too.
 */
#define SHOWN "rules.yml"

static const char base[] =
	"groups:\n- name: base\n  rules:\n  - record: job:up:sum\n"
	"    expr: sum by (job) (up)\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl_ruleset rs = { NULL, 0 };
	char err[1024] = "";
	int rc;

	if (pl__rules_load_text(&rs, base, sizeof base - 1, "base.yml", err,
	    sizeof err) != PL_OK || rs.n != 1)
		abort();
	rc = pl__rules_load_text(&rs, (const char *)data, size, SHOWN, err,
	    sizeof err);
	if (rc != PL_OK) {
		if (rs.n != 1 || strncmp(err, SHOWN, strlen(SHOWN)) != 0)
			abort();
	} else {
		for (size_t i = 0; i < rs.n; i++)
			for (size_t k = 0; k < rs.g[i].n; k++) {
				const struct pl_rule *r = &rs.g[i].rules[k];

				if (r->name == NULL || r->expr_text == NULL ||
				    r->expr == NULL)
					abort();
			}
	}
	pl__ruleset_dispose(&rs);
	return 0;
}
