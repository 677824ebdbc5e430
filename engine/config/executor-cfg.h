/* executor-cfg.h - plumb.yaml's executor: section: per-stage Slurm resources as sbatch arguments. */
#ifndef PL_ENGINE_EXECUTOR_CFG_H
#define PL_ENGINE_EXECUTOR_CFG_H

#include <stddef.h>

struct ynode;

/*
 *   executor:
 *     slurm:
 *       defaults: {partition: debug, time: 10m}
 *       stages:
 *         train: {cpus: 2, mem: 512M, time: 5m, gres: "gpu:1"}
 *         "eval@*": {time: 1h}
 *       extra: ["--exclusive"]
 *
 * Resource keys (Slurm's units): cpus (--cpus-per-task), mem (per node,
 * --mem: 512, 512M, 4G; bare is megabytes), time (--time: a bare number
 * is minutes; 90s, 10m, 2h, 1d, 1h30m are converted; Slurm's MM:SS,
 * HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS and UNLIMITED pass as written),
 * nodes, ntasks, partition, gres, account, qos, constraint, and extra (a
 * list of sbatch options, each one argument).  A stage takes the first
 * entry of stages: naming it exactly, else the first whose shell glob
 * matches it; its keys override those of defaults:; extra lists add up
 * (section, defaults, stage).  Anything unknown or malformed is an error
 * at FILE:LINE:COL naming the key, before any job is submitted.
 */
enum { PL_SLURM_NKEYS = 10 };

typedef struct pl_slurm_res {
	char *val[PL_SLURM_NKEYS];	/* sbatch value per key, or NULL */
	char **extra;
	size_t nextra;
} pl_slurm_res;

typedef struct pl_slurm_rule {
	char *pattern;
	int line, col;		/* where the pattern is written */
	pl_slurm_res res;
} pl_slurm_rule;

typedef struct pl_slurm_cfg {
	int present;
	pl_slurm_res defaults;
	pl_slurm_rule *stages;
	size_t nstages;
	char **extra;
	size_t nextra;
} pl_slurm_cfg;

/* Parses the executor: node (NULL: no section). */
int pl__slurm_cfg_parse(pl_slurm_cfg *out, const struct ynode *sec,
    char *err, size_t err_len);
void pl__slurm_cfg_dispose(pl_slurm_cfg *c);

/* The sbatch arguments for stage (a malloc'ed NULL-ended vector of
 * malloc'ed strings; free with pl_strv_free, track/run.h).  Never fails but for
 * memory (PL_ENOMEM). */
int pl_slurm_cfg_args(char ***out, const pl_slurm_cfg *c, const char *stage);

#endif
