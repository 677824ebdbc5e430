/* plumb-yaml.h - plumb.yaml's checks:, deploy: and models: sections, parsed with libyaml. */
#ifndef PL_ENGINE_CONFIG_YAML_H
#define PL_ENGINE_CONFIG_YAML_H

#include <stddef.h>
#include <stdint.h>

#include "config/monitor.h"
#include "config/executor-cfg.h"

/*
 * (Not named config.h: that would hide autoconf's from this folder.)
 *
 * pl_config_load() reads the sections of plumb.yaml that the registry,
 * the checks, promotion and monitoring use (stages: and vars: belong to
 * the pipeline reader).  A top-level key that is no known section
 * (pl_config_sections) is an error, and so is any mistake in these
 * sections: the load fails with "FILE:LINE:COL: message" (1-based, from
 * libyaml's marks); unknown keys inside them are mistakes too, so a typo
 * never silently disables a gate or a monitor.  The monitor: section is
 * described in config/monitor.h.
 *
 *   checks:
 *     train-data:                    # a data check (has `data:`)
 *       data: data/train.csv         # relative to plumb.yaml's directory
 *       delimiter: ","               # optional
 *       rows: {min: 100, max: 1e6}   # optional; either bound optional
 *       columns:
 *         age: {type: int, required: true, min: 0, max: 120}
 *         country: {type: string, allowed: [FR, DE], max_missing: 0.05}
 *         id: {unique: true}
 *     accuracy-gate:                 # a model gate (has `gate:`/`gates:`)
 *       model: churn                 # optional: only this model
 *       stages: [production]         # optional; default staging+production
 *       gates:
 *         - accuracy >= 0.85
 *         - accuracy >= production - 0.01
 *         - latency_p95_ms <= production * 1.1
 *   deploy:
 *     local:
 *       model: churn                 # optional: only this model
 *       stage: production            # default production
 *       cmd: sh deploy.sh            # run by /bin/sh in plumb.yaml's dir
 *       health: sh health.sh         # optional
 *       timeout: 60                  # seconds, each of cmd and health
 *   models:
 *     churn:
 *       stage: train                 # pipeline stage that produces it
 *       path: model.bin              # the artifact it writes
 *       description: churn classifier
 *       metrics: {accuracy: higher, loss: lower}   # directions
 *
 * Column types: int, float (alias number), string, bool, any (default).
 */

enum pl_coltype {
	PL_COL_ANY, PL_COL_INT, PL_COL_FLOAT, PL_COL_STRING, PL_COL_BOOL
};

typedef struct pl_col_rule {
	char *name;
	enum pl_coltype type;
	int required;		/* no missing value allowed */
	int has_min, has_max;
	double min, max;
	char **allowed;		/* NULL when any value is allowed */
	size_t nallowed;
	double max_missing;	/* fraction 0..1; < 0 when not set */
	int unique;
	size_t line, col;	/* where the column is named */
} pl_col_rule;

/* Comparison of a gate. */
enum pl_gate_op { PL_OP_LT, PL_OP_LE, PL_OP_GT, PL_OP_GE, PL_OP_EQ, PL_OP_NE };

/*
 * A gate: METRIC OP NUMBER, or METRIC OP production [(+|-|*|/) NUMBER]
 * where `production` is that metric of the version in production.
 */
typedef struct pl_gate {
	char *text;		/* as written */
	char *metric;
	enum pl_gate_op op;
	int relative;		/* compares with the production version */
	char arith;		/* 0, '+', '-', '*', '/' (relative only) */
	double value;		/* the bound, or arith's operand */
	size_t line, col;
} pl_gate;

enum pl_check_kind { PL_CHECK_DATA = 1, PL_CHECK_GATE = 2 };

typedef struct pl_check {
	char *name;
	enum pl_check_kind kind;
	size_t line, col;
	/* data checks */
	char *data;		/* path as written */
	char *data_path;	/* resolved against the config's directory */
	char delimiter;
	int has_rows_min, has_rows_max;
	int64_t rows_min, rows_max;
	pl_col_rule *cols;
	size_t ncols;
	/* model gates */
	char *model;		/* NULL: every model */
	int stages;		/* bit (1 << pl_model_stage) per stage it guards */
	pl_gate *gates;
	size_t ngates;
} pl_check;

typedef struct pl_deploy_target {
	char *name;
	char *model;		/* NULL: every model */
	int stage;		/* a pl_model_stage (config/names.h) */
	char *cmd;
	char *health;		/* may be NULL */
	double timeout_s;	/* for cmd and for health, each */
	size_t line, col;
} pl_deploy_target;

typedef struct pl_metric_dir {
	char *metric;
	int dir;		/* +1 higher is better, -1 lower is better */
} pl_metric_dir;

typedef struct pl_model_cfg {
	char *name;
	char *stage;		/* pipeline stage that makes it; may be NULL */
	char *path;		/* artifact path; may be NULL */
	char *description;
	pl_metric_dir *dirs;
	size_t ndirs;
	size_t line, col;
} pl_model_cfg;

/* A loaded configuration: read-only for its users. */
typedef struct pl_config {
	char *path;		/* the file */
	char *dir;		/* its directory (absolute) */
	pl_check *checks;
	size_t nchecks;
	pl_deploy_target *targets;
	size_t ntargets;
	pl_model_cfg *models;
	size_t nmodels;
	pl_monitor_cfg monitor;	/* defaults when there is no monitor: */
	pl_slurm_cfg slurm;	/* executor: slurm: (config/executor-cfg.h) */
} pl_config;

/* The top-level keys plumb.yaml may have (NULL-terminated). */
extern const char *const pl_config_sections[];

/* Default deploy/health timeout, seconds. */
#define PL_DEPLOY_TIMEOUT_DEFAULT 300.0

/*
 * Loads path.  On failure *out is NULL and err holds "PATH:LINE:COL:
 * message" (or "PATH: message" when no position applies); returns
 * PL_ENOTFOUND (no file), PL_EINVAL (bad content), PL_EIO, PL_ENOMEM.
 */
int pl_config_load(pl_config **out, const char *path, char *err,
    size_t err_len);
/* Same from memory; name is used in messages and dir resolves paths. */
int pl_config_parse(pl_config **out, const char *name, const char *dir,
    const char *text, size_t len, char *err, size_t err_len);
void pl_config_free(pl_config *c);

/*
 * Finds the configuration file: explicit (when not NULL), else the
 * nearest plumb.yaml walking up from the working directory, else
 * plumb.yaml in the directory that holds the store (store_dir's parent;
 * store_dir may be NULL).  *out is malloc'ed.  PL_ENOTFOUND when there
 * is none (not an error for commands that work without one).
 */
int pl_config_find(char **out, const char *explicit_path,
    const char *store_dir);

/* The check named name, or NULL. */
const pl_check *pl_config_check(const pl_config *c, const char *name);
/* The models: entry of name, or NULL. */
const pl_model_cfg *pl_config_model(const pl_config *c, const char *name);

/*
 * Direction of metric for model (NULL: any): +1 when higher is better,
 * -1 when lower is better.  The models: entry decides; otherwise the
 * convention: a name containing loss, error, err, latency, mse, mae,
 * rmse, time, duration, cost or perplexity (case-insensitive) is lower-
 * is-better, everything else higher-is-better.  c may be NULL.
 */
int pl_config_metric_dir(const pl_config *c, const char *model,
    const char *metric);

/*
 * Parses one gate expression (exposed for tests and the CLI).  On
 * failure returns PL_EINVAL with the message in err and the 0-based
 * offset of the problem in *err_off.  Free with pl_gate_dispose().
 */
int pl_gate_parse(pl_gate *out, const char *text, char *err, size_t err_len,
    size_t *err_off);
void pl_gate_dispose(pl_gate *g);

#endif
