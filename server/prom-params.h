/* prom-params.h - the parameters of Prometheus' HTTP API endpoints parsed and checked (pure, no socket: fuzzed). */
#ifndef PL_SERVER_PROM_PARAMS_H
#define PL_SERVER_PROM_PARAMS_H

#include <stddef.h>
#include <stdint.h>

enum prom_ep {
	PROM_QUERY, PROM_QUERY_RANGE, PROM_SERIES, PROM_LABELS,
	PROM_LABEL_VALUES, PROM_ALERTS, PROM_RULES, PROM_BUILDINFO
};

#define PROM_MAX_MATCH 64

/* Where parameters come from: one value (NULL when absent), and every
 * value of a repeated one (match[]) up to max. */
typedef const char *(*prom_get_fn)(void *ctx, const char *name);
typedef size_t (*prom_getv_fn)(void *ctx, const char *name,
    const char **out, size_t max);

struct prom_params {
	enum prom_ep ep;
	const char *query;	/* query, query_range */
	int64_t start, end;	/* ms; an instant query: both its time */
	int64_t step;		/* ms, query_range */
	int has_range;		/* series, labels, values: start or end given */
	const char *match[PROM_MAX_MATCH];	/* match[] */
	size_t nmatch;
	char label[256];	/* label/NAME/values */
	int rules_type;		/* rules: PL_RULES_* of alert.h */
	const char *names[PROM_MAX_MATCH], *groups[PROM_MAX_MATCH],
	    *files[PROM_MAX_MATCH];
	size_t nnames, ngroups, nfiles;
};

/*
 * Parses the request for endpoint path (what follows /api/v1/), method
 * GET or POST, times defaulting to now_ms.  Returns 0 with *p filled
 * (strings borrowed from get/getv), or the HTTP status to answer - 400
 * (bad_data: a missing or malformed parameter), 404 (not_found: no such
 * endpoint), 405 (a method other than GET and POST) - with Prometheus'
 * errorType in *etype and its message in msg.
 */
int prom_params_parse(struct prom_params *p, const char *method,
    const char *path, prom_get_fn get, prom_getv_fn getv, void *ctx,
    int64_t now_ms, const char **etype, char *msg, size_t msglen);

#endif
