/* ingest.h - fast, batched ingestion of a run's protocol stream. */
#ifndef PL_ENGINE_INGEST_H
#define PL_ENGINE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * A pl_ingest takes the raw bytes a run writes on PLUMB_FD, splits and
 * parses lines on the caller's thread, and writes records from a writer
 * thread of its own (with its own connection to the store) in batched
 * IMMEDIATE transactions, so a chatty training loop never waits on the
 * disk.  The writer also keeps the run's heartbeat.
 *
 * Life cycle: pl_ingest_start() -> pl_ingest_feed()* -> pl_ingest_finish()
 * -> pl_ingest_free().  One thread calls feed/finish.
 */
typedef struct pl_ingest pl_ingest;

/* How many malformed lines are kept (with their reasons) for reporting. */
#define PL_INGEST_MAX_ERRORS 5

typedef struct pl_ingest_stats {
	int64_t lines;		/* protocol lines seen */
	int64_t points;		/* metric points written */
	int64_t params, tags, artifacts;
	int64_t bad_lines;	/* malformed lines (never fatal) */
	int64_t transactions;
	/* The first PL_INGEST_MAX_ERRORS malformed lines, as
	 * "line N: reason" (NUL-terminated). */
	char errors[PL_INGEST_MAX_ERRORS][200];
} pl_ingest_stats;

/*
 * Starts ingestion for run_id (full id) of the store in store_dir.  cwd
 * (may be NULL) is where relative artifact paths are resolved.  On
 * failure *out is NULL and err holds the reason.
 */
int pl_ingest_start(pl_ingest **out, const char *store_dir,
    const char *run_id, const char *cwd, char *err, size_t err_len);

/*
 * Feeds bytes read from PLUMB_FD (any split; a line may span calls).
 * Returns PL_OK, or the writer's error code once writing has failed
 * (disk full, I/O error): the caller stops the run with that error; the
 * store keeps every transaction committed before it.
 */
int pl_ingest_feed(pl_ingest *in, const char *data, size_t len);

/*
 * Hands waiting records to the writer when they have waited long enough.
 * Call it from the caller's loop at least every few hundred ms, so a
 * quiet child's last points do not wait for its next line.  Returns like
 * pl_ingest_feed().
 */
int pl_ingest_tick(pl_ingest *in);

/*
 * Flushes a final partial line, waits for the writer to commit
 * everything, and stops it.  Returns PL_OK or the first write error.
 */
int pl_ingest_finish(pl_ingest *in);

/* Counters so far (complete after pl_ingest_finish). */
void pl_ingest_get_stats(const pl_ingest *in, pl_ingest_stats *out);
/* Message of the write error, or "" (owned by in). */
const char *pl_ingest_errmsg(const pl_ingest *in);

void pl_ingest_free(pl_ingest *in);

#endif
