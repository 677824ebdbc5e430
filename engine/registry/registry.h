/* registry.h - the model registry: versions with lineage, stages, aliases, history. */
#ifndef PL_ENGINE_REGISTRY_H
#define PL_ENGINE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "config/names.h"
#include "track/run.h"
#include "store/store.h"

/*
 * A model is a name ([A-Za-z0-9._-], 1-100 characters, starting with a
 * letter or digit) with versions numbered 1, 2, 3... in the order they
 * were registered.  A version holds an artifact (a file copied into the
 * store's content-addressed cache) and its lineage: the run that made
 * it, that run's code commit and dirty state, the data versions it read,
 * and a snapshot of its params and metrics (the latest value of each).
 *
 * Each version is in one stage: none (just registered), staging,
 * production or archived.  staging and production have at most one
 * holder each: moving a version into one archives the previous holder.
 * Aliases ("champion") are free names that point at one version each.
 * Every change of stage or alias is recorded in the model's history
 * with who did it (user, uid, host, SSH client address), when, from
 * which stage to which, why, and the gate results; the history is
 * append-only, like the audit log (audit.h).
 *
 * Promotion with gates and deploy targets is in deploy.h; this module
 * keeps the state.
 */

/* pl_model_stage, pl_model_stage_name(), pl_model_stage_parse() and
 * pl_model_name_valid() are in config/names.h (plumb.yaml uses them). */

/* One data version a model was trained on: a path and its content hash
 * (as recorded by the pipeline's lock file, or hashed at registration). */
typedef struct pl_data_ref {
	char *path;
	char *hash;		/* hex digest; may be NULL when unknown */
	int64_t size;		/* -1 when unknown */
} pl_data_ref;
void pl_data_refs_free(pl_data_ref *d, size_t n);

/* What to register.  name and path are required. */
typedef struct pl_model_reg {
	const char *name;
	const char *run;	/* run id or unique prefix; NULL: no run */
	/* The artifact: a file, or the name of an artifact the run logged
	 * (then its cached object is used as is). */
	const char *path;
	const char *description;	/* may be NULL */
	const pl_data_ref *data;	/* data versions read (may be NULL) */
	size_t ndata;
	/* When set, the artifact is this object, already in the cache
	 * (64 hex digits), and path is only recorded as the source (MLflow's
	 * source URI; a directory's manifest). */
	const char *object_sha256;
	int64_t object_size;
} pl_model_reg;

/*
 * Registers a new version of model name (the model is created on its
 * first version) and writes its number to *out_version.  The artifact
 * is copied into the cache first; the version, its lineage and the audit
 * entry are one transaction, so two registrations at once get distinct
 * numbers.  PL_EINVAL for a bad name, PL_ENOTFOUND for a missing run or
 * artifact.
 */
int pl_model_register(int *out_version, pl_store *st, const pl_model_reg *r);

/*
 * Resolves a version reference of model name: NULL, "" or "latest" (the
 * highest version), a number ("3" or "v3"), a stage name (the holder of
 * staging/production; the newest version in none/archived), or an alias.
 * PL_ENOTFOUND with a message naming what exists when nothing matches.
 */
int pl_model_resolve(int *out_version, pl_store *st, const char *name,
    const char *ref);

/*
 * Splits "NAME@REF" into its parts (malloc'ed; *out_ref NULL when there
 * is no '@').  PL_EINVAL for an invalid name.  Free both with free().
 */
int pl_model_ref_split(char **out_name, char **out_ref, const char *text);

/* A metric value in a snapshot. */
typedef struct pl_model_metric {
	char *key;
	double value;
} pl_model_metric;

/* Everything about one version.  Owned by the struct. */
typedef struct pl_model_version {
	char *model;
	int version;
	pl_model_stage stage;
	char *description;	/* may be NULL */
	char run_id[PL_ID_LEN + 1];	/* empty when registered without a run */
	char *source_path;	/* path (or artifact name) given at registration */
	char sha256[65];
	int64_t size;
	char *object_path;	/* the artifact in the cache (absolute) */
	pl_gitinfo git;		/* code version of the run (may be empty) */
	char *user, *host;
	int64_t created_ms;
	char **aliases;		/* sorted */
	size_t naliases;
	pl_kvlist *params;	/* snapshot, sorted by key; never NULL */
	pl_model_metric *metrics;	/* snapshot, sorted by key */
	size_t nmetrics;
	pl_data_ref *data;	/* sorted by path */
	size_t ndata;
} pl_model_version;

/* Reads version `version` of model name.  Free with pl_model_version_free. */
int pl_model_get(pl_model_version **out, pl_store *st, const char *name,
    int version);
void pl_model_version_free(pl_model_version *v);
/* The snapshot value of metric key; returns 1 and sets *out when the
 * version has it. */
int pl_model_metric_value(double *out, const pl_model_version *v,
    const char *key);

/* One registered model, for listing. */
typedef struct pl_model_summary {
	char *name;
	char *description;	/* of the model (first registration's) */
	int nversions;
	int latest;
	int production;		/* version, 0 when none */
	int staging;		/* version, 0 when none */
	int64_t created_ms, updated_ms;
} pl_model_summary;

/* Every model, sorted by name. Free with pl_model_summary_free. */
int pl_model_list(pl_model_summary **out, size_t *out_n, pl_store *st);
void pl_model_summary_free(pl_model_summary *m, size_t n);

/* Version numbers of model name, ascending (malloc'ed int array). */
int pl_model_versions(int **out, size_t *out_n, pl_store *st,
    const char *name);

/* The version holding stage (staging or production) now; *out 0 when
 * none.  PL_ENOTFOUND if the model does not exist. */
int pl_model_stage_holder(int *out, pl_store *st, const char *name,
    pl_model_stage stage);

/*
 * Points alias at version (moving it from another version if needed),
 * or removes it when version is 0.  Alias names follow the model-name
 * rules and may not be "latest", a stage name or a number.  Recorded in
 * the history and the audit log.
 */
int pl_model_set_alias(pl_store *st, const char *name, const char *alias,
    int version, const char *reason);

/* A gate's outcome as recorded with a transition. */
typedef struct pl_gate_record {
	char *check;		/* the check's name in plumb.yaml */
	char *gate;		/* the gate as written */
	char *status;		/* "pass", "fail", "skip" */
	int has_value, has_bound;
	double value, bound;
	char *message;
} pl_gate_record;

/* One entry of a model's history. */
typedef struct pl_model_transition {
	int64_t id;
	char *model;
	int version;
	char *kind;		/* "register", "promote", "rollback",
				 * "alias", "alias-remove" */
	char *from_stage, *to_stage;	/* may be NULL (alias entries) */
	char *status;		/* "ok" or "failed" (deploy/health failed
				 * and the previous version was restored) */
	int replaced_version;	/* the previous holder archived, or 0 */
	int forced;		/* gates failed and --force was given */
	char *reason, *detail;	/* may be NULL */
	char *user;
	long uid;
	char *host, *ssh_client;	/* ssh_client NULL when not over SSH */
	long pid;
	int64_t time_ms;
	pl_gate_record *gates;
	size_t ngates;
} pl_model_transition;

/* History of model name, oldest first. Free with pl_model_history_free. */
int pl_model_history(pl_model_transition **out, size_t *out_n, pl_store *st,
    const char *name);
void pl_model_history_free(pl_model_transition *t, size_t n);


#endif
