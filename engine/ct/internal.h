/* internal.h - what the files of engine/ct/ share (never front ends). */
#ifndef PL_ENGINE_CT_INTERNAL_H
#define PL_ENGINE_CT_INTERNAL_H

#include <stdint.h>

#include "store/store.h"

/* history.c: updates of a row. */
int pl__trigger_set_pid(pl_store *st, int64_t id, long pid,
    const char *log_path);
int pl__trigger_add_run(pl_store *st, int64_t id, const char *run_id);
/* Ends row id with status (model_version, promotion, message: NULL keeps
 * what is there); only_running: only when it is still running. */
int pl__trigger_finish(pl_store *st, int64_t id, const char *status,
    const char *model_version, const char *promotion, const char *message,
    int64_t now_ms, int only_running);
/* The last data hash recorded for trigger (*out NULL when none). */
int pl__trigger_last_data_hash(char **out, pl_store *st, const char *trigger);

/* exec.c: the trigger's lock file, STORE/triggers/NAME.lock (malloc'ed). */
char *pl__trigger_lock_path(pl_store *st, const char *name);
/* 1 when some process holds the trigger's lock, 0 when not, -1 on error. */
int pl__trigger_locked(pl_store *st, const char *name);

#endif
