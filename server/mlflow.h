/* mlflow.h - what the MLflow REST files of plumb serve share: the request as JSON, MLflow's errors, wire forms of ids and values. */
#ifndef PL_SERVER_MLFLOW_H
#define PL_SERVER_MLFLOW_H

#include <stdint.h>

#include <jansson.h>

#include "srv.h"

/*
 * One MLflow call: the request's fields as a JSON object (a POST's body,
 * or a GET's query string with every value a string, repeated keys as
 * arrays), and the thread's store.  A handler reads fields with the
 * ml_get_* helpers, which reply MLflow's 400 themselves and return -1
 * on a missing or mistyped field, so a handler only returns.
 */
struct ml_call {
	struct srv_req *r;
	json_t *in;
	pl_store *st;
};

typedef void (*ml_handler)(struct ml_call *c);

/* ---- jansson's memory during a call (mlflow-arena.c) ---- */

/* From begin to end, this thread's jansson allocations come from an
 * arena that end empties: nothing jansson made may outlive the call. */
void ml_arena_begin(void);
void ml_arena_end(void);
/* A malloc'ed copy of s (which jansson allocated), s released. */
char *ml_arena_strdup(char *s);

/* ---- replies (mlflow-wire.c) ---- */

/* 200 with obj (a reference is taken; NULL replies {}). */
void ml_ok(struct ml_call *c, json_t *obj);
/* {"error_code": code, "message": ...} with the status MLflow gives code. */
void ml_error(struct ml_call *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The engine's last error on the store as MLflow's: not found 404
 * RESOURCE_DOES_NOT_EXIST, taken 400 RESOURCE_ALREADY_EXISTS, bad
 * input 400, busy 503, else 500 INTERNAL_ERROR. */
void ml_engine_error(struct ml_call *c, int rc);

/* The server's write lock: MLflow writes take it around their store
 * transactions (the router does for the calls it marks as writes). */
void ml_write_lock(void);
void ml_write_unlock(void);

/* The HTTP status MLflow gives an error code (500 for one it lacks). */
int ml_error_status(const char *code);

/*
 * Logs one point (its key already checked) through the group commit
 * (mlflow-commit.c) and answers the request: at once when it writes the
 * point itself, or later, from the writer thread, when it suspended the
 * request (srv_suspend).  The reply is only sent once the point's
 * transaction committed or failed.
 */
void ml_group_log_point(struct ml_call *c, const char *run_id,
    const pl_batch_point *pt);

/* ---- fields ---- */

/* A string field: NULL when absent (and not required).  -1 after the
 * error reply. */
int ml_get_str(struct ml_call *c, json_t *obj, const char *name, int required,
    const char **out);
/* An int64 (number, or a string of digits); def when absent. */
int ml_get_i64(struct ml_call *c, json_t *obj, const char *name, int required,
    int64_t def, int64_t *out);
/* A double: a number, or "NaN", "Infinity", "-Infinity", a numeric
 * string. */
int ml_get_dbl(struct ml_call *c, json_t *obj, const char *name, int required,
    double *out);
/* An array field: NULL when absent; a lone value (a GET's single
 * repeated key) is not an array: -1. */
int ml_get_arr(struct ml_call *c, json_t *obj, const char *name,
    json_t **out);
/* A list of strings: an array of strings or, from a query string, one
 * string.  *out malloc'ed (borrowed strings), NULL when absent. */
int ml_get_strs(struct ml_call *c, const char *name, const char ***out,
    size_t *out_n);

/* ---- wire forms ---- */

/* A double as MLflow writes it: a number, or "NaN" / "Infinity" /
 * "-Infinity". */
json_t *ml_num(double v);
/* The wire id of an experiment: "0" for Default, else its id. */
void ml_exp_wire_id(char out[24], int64_t id, const char *name);
/*
 * The store id of a wire experiment id ("0": Default, made when
 * missing).  404 RESOURCE_DOES_NOT_EXIST when there is none, 400 for a
 * non-number.
 */
int ml_exp_resolve(struct ml_call *c, const char *wire, int64_t *out);

/*
 * The run named by run_id (or run_uuid, as older clients send): 400 when
 * missing, 404 when unknown, and for a write (for_write) 400 when the
 * run is deleted.  *info (may be NULL) receives the run.
 */
int ml_get_run(struct ml_call *c, int for_write, char id[PL_ID_LEN + 1],
    pl_run_info **info);

/* Only the run_id (or run_uuid) field, checked as an id, not looked
 * up: 400 when missing, 404 when it cannot be a run id. */
int ml_get_run_id(struct ml_call *c, char id[PL_ID_LEN + 1]);

/* Key rules of mlflow/utils/validation.py: at most 250 characters of
 * [/\w.\- ] that do not normalise to another path.  -1 after a 400. */
int ml_check_key(struct ml_call *c, const char *what, const char *key);

/* Page tokens: base64 of {"offset":N}, as MLflow's.  A bad token is a
 * 400 (-1). */
int ml_token_offset(struct ml_call *c, const char *token, int64_t *out);
char *ml_token_make(int64_t offset);	/* malloc'ed */

/* ---- the calls ---- */

/* mlflow-experiments.c */
void ml_experiments_create(struct ml_call *c);
void ml_experiments_get(struct ml_call *c);
void ml_experiments_get_by_name(struct ml_call *c);
void ml_experiments_delete(struct ml_call *c);
void ml_experiments_restore(struct ml_call *c);
void ml_experiments_update(struct ml_call *c);
void ml_experiments_set_tag(struct ml_call *c);
/* An experiment as MLflow's JSON (NULL when memory ran out). */
json_t *ml_experiment_json(const pl_experiment_rec *e);

/* mlflow-runs.c */
void ml_runs_create(struct ml_call *c);
void ml_runs_get(struct ml_call *c);
void ml_runs_update(struct ml_call *c);
void ml_runs_delete(struct ml_call *c);
void ml_runs_restore(struct ml_call *c);
void ml_runs_log_metric(struct ml_call *c);
void ml_runs_log_param(struct ml_call *c);
void ml_runs_set_tag(struct ml_call *c);
void ml_runs_delete_tag(struct ml_call *c);
void ml_runs_log_batch(struct ml_call *c);
void ml_runs_log_inputs(struct ml_call *c);
/* A run as MLflow's {"info":..., "data":...}; NULL with the engine's
 * code in *rc. */
json_t *ml_run_json(pl_store *st, const pl_run_info *info, int *rc);
json_t *ml_run_info_json(const pl_run_info *info);

/* mlflow-search.c */
void ml_runs_search(struct ml_call *c);
void ml_experiments_search(struct ml_call *c);
void ml_metrics_history(struct ml_call *c);

/* mlflow-registry.c */
void ml_registered_models_create(struct ml_call *c);
void ml_registered_models_get(struct ml_call *c);
void ml_registered_models_rename(struct ml_call *c);
void ml_registered_models_update(struct ml_call *c);
void ml_registered_models_delete(struct ml_call *c);
void ml_registered_models_search(struct ml_call *c);
void ml_registered_models_latest(struct ml_call *c);
void ml_registered_models_set_tag(struct ml_call *c);
void ml_registered_models_delete_tag(struct ml_call *c);
void ml_registered_models_alias(struct ml_call *c);
void ml_model_versions_create(struct ml_call *c);
void ml_model_versions_get(struct ml_call *c);
void ml_model_versions_update(struct ml_call *c);
void ml_model_versions_delete(struct ml_call *c);
void ml_model_versions_search(struct ml_call *c);
void ml_model_versions_transition(struct ml_call *c);
void ml_model_versions_set_tag(struct ml_call *c);
void ml_model_versions_delete_tag(struct ml_call *c);
void ml_model_versions_download_uri(struct ml_call *c);

#endif
