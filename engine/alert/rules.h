/* rules.h - Prometheus rule files (groups of alerting and recording rules) and their evaluation with alert state (engine-internal). */
#ifndef PL_ENGINE_ALERT_RULES_H
#define PL_ENGINE_ALERT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "promql.h"

struct tmpl;

enum pl_astate { PL_ALERT_INACTIVE, PL_ALERT_PENDING, PL_ALERT_FIRING };

/* One alert instance of an alerting rule (rules/alerting.go: Alert). */
struct pl_alert {
	pq_labels *labels;	/* sample labels - __name__ + rule labels + alertname */
	pq_labels *annotations;	/* rendered */
	enum pl_astate state;
	double value;
	int64_t active_at, fired_at, resolved_at, keep_firing_since;
	/* 0 when unset (times are ms; 0 is a valid time only in tests,
	 * where resolved_at/keep_firing_since 0 is never compared) */
	int has_resolved, has_keep;
};

struct pl_rule {
	int alert;		/* 1 alerting, 0 recording */
	char *name;		/* alert: or record: */
	char *expr_text;
	pq_expr *expr;
	int64_t for_ms, keep_firing_ms;
	size_t nlabels, nann;
	char **lnames, **anames;
	struct tmpl **ltmpl, **atmpl;
	char **lraw;		/* label values as written */
	char **araw;		/* annotation values as written */
	const char *file;	/* borrowed from the group */
	int line, col;
	/* state */
	struct pl_alert *act;
	size_t nact, capact;
	pq_labels **prev;	/* series written at the last evaluation */
	size_t nprev;
	int has_err;
	char err[512];
};

struct pl_rgroup {
	char *name;
	char *file;
	int64_t interval;	/* 0: the default of whoever evaluates */
	struct pl_rule *rules;
	size_t n;
	int line, col;
};

struct pl_ruleset {
	struct pl_rgroup *g;
	size_t n;
};

/*
 * Loads one rule file and appends its groups to rs.  display is the name
 * used in messages.  On failure returns a PL_E* code with
 * "FILE:LINE:COL: message" in err and rs unchanged.
 */
int pl__rules_load(struct pl_ruleset *rs, const char *path,
    const char *display, char *err, size_t errlen);
/* The same from the file's bytes (text need not be NUL-terminated). */
int pl__rules_load_text(struct pl_ruleset *rs, const char *text, size_t len,
    const char *display, char *err, size_t errlen);
struct ynode;
/*
 * The same from the groups: list node of a larger YAML file (plumb.yaml's
 * alerts:) parsed from text; the messages point into that file.
 */
int pl__rules_load_node(struct pl_ruleset *rs, const struct ynode *groups,
    const char *text, size_t len, const char *display, char *err,
    size_t errlen);
void pl__ruleset_dispose(struct pl_ruleset *rs);

/* Where evaluated rules write their output (the same store they read). */
typedef int (*pl_append_fn)(void *ctx, pq_labels *lb, int64_t t, double v,
    const char **why);

/*
 * Evaluates every rule of g at ts in file order, each rule's output
 * written before the next rule runs (rules/manager.go: Group.Eval),
 * staleness markers for series a rule stopped producing, ALERTS and
 * ALERTS_FOR_STATE for pending and firing alerts.  A failing rule gets
 * has_err/err and the others still run.  Returns the number of rules
 * that failed.
 */
int pl__group_eval(struct pl_rgroup *g, const pq_reader *r,
    pl_append_fn append, void *actx, int64_t ts, const pq_labels *ext_labels,
    const char *ext_url);

struct pl_config;
/*
 * The rules plumb.yaml's alerts: section loads (inline groups, rule
 * files, the built-in rules unless builtin: false), as pl_alerting_open()
 * does, into rs; cfg NULL: the built-in rules only.  *interval gets the
 * default group interval (ms); grace, outage and builtin (may be NULL)
 * the section's settings.  On failure rs is empty and err has
 * "FILE:LINE:COL: reason".  alerting.c.
 */
int pl__alerting_load(struct pl_ruleset *rs, int64_t *interval,
    int64_t *grace, int64_t *outage, int *builtin,
    const struct pl_config *cfg, char *err, size_t errlen);

/* Go's time.Duration.String() of ms ("1m0s", "0s", "1h2m3.5s"). */
void pl__go_duration(char *out, size_t len, int64_t ms);

#endif
