/* internal.h - what registry.c shares with promote.c (engine-internal). */
#ifndef PL_ENGINE_REGISTRY_INT_H
#define PL_ENGINE_REGISTRY_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "registry/checks.h"
#include "registry/registry.h"
#include "store/store.h"

/* A history entry of a model (one row of model_transitions). */
struct trans {
	int64_t mid;
	int version;
	const char *kind;
	const char *from, *to;
	const char *status;
	int replaced;
	int forced;
	const char *reason, *detail;
	const pl_check_report *gates;
};

/* Inserts a history entry (inside the caller's transaction). */
int pl__reg_insert_transition(pl_store *st, const struct trans *t,
    int64_t *out_id);
/* Steps s to its end, resets it, and reports a failure as "what". */
int pl__reg_exec_done(pl_store *st, sqlite3_stmt *s, const char *what);
/* The id of model name (PL_ENOTFOUND with the known models listed). */
int pl__reg_model_id(pl_store *st, const char *name, int64_t *out);
/* The version holding stage of model mid, or 0. */
int pl__reg_holder_of(pl_store *st, int64_t mid, pl_model_stage stage,
    int *out);
int pl__reg_stage_from_text(const unsigned char *t);

#endif
