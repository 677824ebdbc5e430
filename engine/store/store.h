/* store.h - the plumb store: discovery, creation, opening, integrity. */
#ifndef PL_ENGINE_STORE_H
#define PL_ENGINE_STORE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A pl_store is an open store: a directory (".plumb/" by default) that
 * holds plumb.db (SQLite, WAL mode), cache/ (content-addressed objects,
 * SHA-256, two-level fan-out) and runs/<id>/ (captured logs).  Many
 * processes and users may open one store at once; every write is one
 * transaction and waits (busy timeout) rather than failing when another
 * writer holds the lock.
 *
 * A handle is used by one thread at a time.  Open one handle per thread.
 */
typedef struct pl_store pl_store;

/* Name of the store directory looked for when walking up. */
#define PL_STORE_DIRNAME ".plumb"

/* A run id is 32 lowercase hex digits (128 random bits); the store keeps
 * them and every room names runs by them. */
#define PL_ID_LEN 32

/* pl_store_open() flags. */
#define PL_OPEN_READONLY 0x1	/* never write (no reaping of lost runs) */
/*
 * Read pages with read(), not through a memory map.  For a process that
 * keeps several handles writing in turn (plumb serve's threads): SQLite
 * drops a handle's whole map when another connection has written, and
 * each munmap costs a TLB shootdown on every CPU, once per transaction.
 */
#define PL_OPEN_NOMMAP 0x2
/*
 * Never checkpoint the WAL at commit (SQLite does by default once it holds
 * 1000 pages): the commit that crosses the mark copies them all into the
 * database while every other writer waits.  A process that opens its
 * handles so calls pl_store_checkpoint() itself, off the writers' path
 * (plumb serve: a thread of its own).
 */
#define PL_OPEN_NOCHECKPOINT 0x4

/* The schema version this build creates and understands. */
int pl_store_schema_latest(void);

/*
 * Finds the store directory: explicit (when not NULL, e.g. --store), else
 * $PLUMB_STORE, else the nearest ".plumb" directory walking up from the
 * working directory.  On success *out is a malloc'ed path the caller
 * frees.  On failure returns PL_ENOTFOUND and writes an explanation into
 * err (err_len bytes, may be 0).
 */
int pl_store_find(char **out, const char *explicit_dir, char *err,
    size_t err_len);

/*
 * Creates a store in dir (made if missing, parents too) or upgrades the
 * one already there; returns it open.  Idempotent.  *out follows the
 * pl_store_open() rules.
 */
int pl_store_init(pl_store **out, const char *dir);

/*
 * Opens the store in dir and upgrades its schema in place when it is
 * older than this build.  Lost runs (their plumb process died) are marked
 * `lost` unless PL_OPEN_READONLY.  A read-only store directory opens
 * read-only by itself.
 *
 * Like sqlite3_open(), *out is set to a handle even on failure (unless
 * memory ran out, then NULL) so that pl_store_errmsg() can explain it;
 * the caller must pl_store_close() it in every case.
 * Returns PL_OK, PL_ENOTFOUND (no store there), PL_EVERSION (newer
 * schema), PL_ECORRUPT (not a plumb store), PL_EBUSY, PL_EIO.
 */
int pl_store_open(pl_store **out, const char *dir, unsigned flags);

/* Closes the store; NULL is a no-op. */
void pl_store_close(pl_store *st);

/* Message of the last failure on st; valid until the next call on st.
 * Never NULL (empty when nothing failed). */
const char *pl_store_errmsg(const pl_store *st);

/* Code (PL_E*) of the last failure on st, PL_OK when none. */
int pl_store_errcode(const pl_store *st);

/* The store directory (absolute), owned by st. */
const char *pl_store_dir(const pl_store *st);

/* 1 if the store was opened read-only. */
int pl_store_readonly(const pl_store *st);

/*
 * Groups the reads that follow in one snapshot: SQLite then takes its
 * file locks once instead of once per statement (a screen that reads a
 * few hundred series pays for that), and every read sees the same state.
 * Only reads may run until pl_store_read_end(); a write in between fails
 * with "cannot start a transaction within a transaction".  Returns 1 when
 * it began a snapshot, 0 when one was already open (or it could not
 * begin: the reads then run one by one, as without it); pass the result
 * to pl_store_read_end(), which ends the snapshot only if this call began
 * it.  A stamp of the store's state: moves when another connection
 * commits (data_version) or this one writes (total changes).
 */
int pl_store_read_begin(pl_store *st);
void pl_store_read_end(pl_store *st, int began);
int pl_store_change_stamp(int64_t *out, pl_store *st);

/* Schema version of the open store. */
int pl_store_schema_version(const pl_store *st);

/*
 * Runs SQLite's integrity check and plumb's own consistency checks.
 * *out_report is set to a malloc'ed text ("ok", or one problem per line)
 * that the caller frees.  Returns PL_OK when the store is sound,
 * PL_ECORRUPT when problems were found, or another code on failure.
 */
int pl_store_check(char **out_report, pl_store *st);

/*
 * Marks as `lost` every running run whose plumb process is gone: its
 * heartbeat is overdue, or it ran on this host and its process no longer
 * exists.  Detached runs (no heartbeat: created over plumb serve's
 * MLflow API, see pl_run_spec) are never marked: their client ends them.
 * *out_count (may be NULL) receives how many were marked.
 * pl_store_open() calls it; long-lived readers (the TUI) call it again.
 */
int pl_store_reap(int *out_count, pl_store *st);

/*
 * Copies what it can of the WAL into the database without waiting for
 * readers or writers (SQLite's PASSIVE checkpoint).  *out_wal is the WAL's
 * length in frames (pages), *out_left how many of them are still to copy;
 * either may be NULL.  For the owner of PL_OPEN_NOCHECKPOINT handles.
 * PL_OK, PL_EBUSY, PL_EIO.
 */
int pl_store_checkpoint(int *out_wal, int *out_left, pl_store *st);

/*
 * A number that changes whenever another connection commits to the store
 * (SQLite's PRAGMA data_version); cheap enough to poll every second.
 */
int pl_store_data_version(int64_t *out, pl_store *st);

/* Heartbeat period of a running run, and how late it may be before the
 * run counts as lost (milliseconds). */
#define PL_HEARTBEAT_MS 2000
#define PL_HEARTBEAT_LOST_MS 30000

/* SQL LIKE with MLflow semantics: '%' any run, '_' one character, case-
 * sensitive unless nocase (ASCII folding).  Registered on every store
 * connection as pl_like(pattern, value, nocase), which the run filters
 * (track/filter.c) emit for LIKE and ILIKE. */
int pl_like_match(const char *pat, const char *s, int nocase);

#endif
