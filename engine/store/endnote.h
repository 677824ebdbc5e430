/* endnote.h - a run's end kept in runs/ID/end when the store has no room for it (engine internal). */
#ifndef PL_STORE_ENDNOTE_H
#define PL_STORE_ENDNOTE_H

#include <stdint.h>

#include "store/store.h"

/* Bytes reserved per run; a note never grows the file past this. */
#define PL__ENDNOTE_SIZE 1024

typedef struct {
	char status[16];	/* "failed", "finished" or "killed" */
	int exit_status;	/* -1 when none */
	int64_t end_ms;
	char message[PL__ENDNOTE_SIZE / 2];
} pl__endnote;

/* Writes the blank note of run id (its runs/ID/ directory exists), so its
 * disk block is allocated while there is room.  0, or -1 with errno; a
 * failure only loses the fallback. */
int pl__endnote_reserve(pl_store *st, const char *id);

/* Overwrites the reserved note in place (never creates or extends it) and
 * syncs it.  message may be NULL; it is cut to fit.  0, or -1 when there
 * is no reserved note or the write failed. */
int pl__endnote_write(pl_store *st, const char *id, const char *status,
    int exit_status, int64_t end_ms, const char *message);

/* Reads a complete note into *out.  0, or -1 when there is none, it is
 * still blank, or it is torn or malformed. */
int pl__endnote_read(pl__endnote *out, const pl_store *st, const char *id);

#endif
