/* prom-params.c - Prometheus' HTTP API parameters: which endpoint, times, step, match[], label names, rule filters, checked as Prometheus checks them. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plumb.h"
#include "timeparse.h"

#include "prom-params.h"

/*
 * Messages and codes follow Prometheus 2.42 web/api/v1 (parseTime,
 * parseDuration, "invalid parameter ..."), so Grafana shows the same
 * text it would show for Prometheus.
 */

static int __attribute__((format(printf, 4, 5)))
bad(const char **etype, char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	*etype = "bad_data";
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return 400;
}

/* An optional time parameter (dflt when absent or empty). */
static int
time_param(prom_get_fn get, void *ctx, const char *name, int64_t dflt,
    int64_t *out, const char **etype, char *msg, size_t msglen)
{
	const char *s = get(ctx, name);

	if (s == NULL || *s == '\0') {
		*out = dflt;
		return 0;
	}
	if (timeparse(s, out) == 0)
		return 0;
	return bad(etype, msg, msglen, "invalid parameter \"%s\": cannot "
	    "parse \"%.100s\" to a valid timestamp", name, s);
}

/* A label name as Prometheus' model allows: [a-zA-Z_][a-zA-Z0-9_]*. */
static int
label_name_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

int
prom_params_parse(struct prom_params *p, const char *method,
    const char *path, prom_get_fn get, prom_getv_fn getv, void *ctx,
    int64_t now_ms, const char **etype, char *msg, size_t msglen)
{
	size_t plen = strlen(path);
	int rc;

	memset(p, 0, sizeof *p);
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
		*etype = "bad_data";
		snprintf(msg, msglen, "method not allowed");
		return 405;
	}
	if (strcmp(path, "query") == 0)
		p->ep = PROM_QUERY;
	else if (strcmp(path, "query_range") == 0)
		p->ep = PROM_QUERY_RANGE;
	else if (strcmp(path, "series") == 0)
		p->ep = PROM_SERIES;
	else if (strcmp(path, "labels") == 0)
		p->ep = PROM_LABELS;
	else if (strcmp(path, "alerts") == 0)
		p->ep = PROM_ALERTS;
	else if (strcmp(path, "rules") == 0)
		p->ep = PROM_RULES;
	else if (strcmp(path, "status/buildinfo") == 0)
		p->ep = PROM_BUILDINFO;
	else if (strncmp(path, "label/", 6) == 0 && plen > 13 &&
	    strcmp(path + plen - 7, "/values") == 0) {
		size_t n = plen - 6 - 7;

		p->ep = PROM_LABEL_VALUES;
		if (n >= sizeof p->label || !label_name_ok(path + 6, n)) {
			*etype = "bad_data";
			snprintf(msg, msglen, "invalid label name: \"%.*s\"",
			    (int)(n > 100 ? 100 : n), path + 6);
			return 400;
		}
		memcpy(p->label, path + 6, n);
		p->label[n] = '\0';
	} else {
		*etype = "not_found";
		snprintf(msg, msglen, "unknown API endpoint");
		return 404;
	}

	switch (p->ep) {
	case PROM_QUERY:
		p->query = get(ctx, "query");
		if (p->query == NULL || *p->query == '\0')
			return bad(etype, msg, msglen, "invalid parameter "
			    "\"query\": missing query");
		if ((rc = time_param(get, ctx, "time", now_ms, &p->start,
		    etype, msg, msglen)))
			return rc;
		p->end = p->start;
		return 0;
	case PROM_QUERY_RANGE: {
		const char *st = get(ctx, "step");
		double step_s;

		p->query = get(ctx, "query");
		if (p->query == NULL || *p->query == '\0')
			return bad(etype, msg, msglen, "invalid parameter "
			    "\"query\": missing query");
		if (get(ctx, "start") == NULL || get(ctx, "end") == NULL)
			return bad(etype, msg, msglen, "invalid parameter "
			    "\"start\" or \"end\": both are required");
		if ((rc = time_param(get, ctx, "start", 0, &p->start, etype,
		    msg, msglen)) || (rc = time_param(get, ctx, "end", 0,
		    &p->end, etype, msg, msglen)))
			return rc;
		if (p->end < p->start)
			return bad(etype, msg, msglen, "invalid parameter "
			    "\"end\": end timestamp must not be before start "
			    "time");
		if (st == NULL || pl_duration_parse(&step_s, st) < 0 ||
		    !(step_s > 0) || !(step_s < 9.2e15))
			return bad(etype, msg, msglen, "invalid parameter "
			    "\"step\": zero or negative query resolution step "
			    "widths are not accepted. Try a positive integer");
		p->step = (int64_t)llround(step_s * 1000.0);
		if (p->step <= 0)
			p->step = 1;
		return 0;
	}
	case PROM_SERIES:
	case PROM_LABELS:
	case PROM_LABEL_VALUES:
		p->has_range = get(ctx, "start") != NULL ||
		    get(ctx, "end") != NULL;
		if ((rc = time_param(get, ctx, "start", INT64_MIN, &p->start,
		    etype, msg, msglen)) || (rc = time_param(get, ctx, "end",
		    INT64_MAX, &p->end, etype, msg, msglen)))
			return rc;
		p->nmatch = getv(ctx, "match[]", p->match, PROM_MAX_MATCH);
		return 0;
	case PROM_RULES: {
		const char *type = get(ctx, "type");

		if (type && *type) {
			if (strcmp(type, "alert") == 0)
				p->rules_type = PL_RULES_ALERTING;
			else if (strcmp(type, "record") == 0)
				p->rules_type = PL_RULES_RECORDING;
			else
				return bad(etype, msg, msglen, "invalid "
				    "parameter \"type\": not supported value "
				    "\"%.100s\"", type);
		}
		p->nnames = getv(ctx, "rule_name[]", p->names, PROM_MAX_MATCH);
		p->ngroups = getv(ctx, "rule_group[]", p->groups,
		    PROM_MAX_MATCH);
		p->nfiles = getv(ctx, "file[]", p->files, PROM_MAX_MATCH);
		return 0;
	}
	case PROM_ALERTS:
	case PROM_BUILDINFO:
		return 0;
	}
	return 0;
}
