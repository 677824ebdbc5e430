/* internal.h - engine internals shared by the engine's own files (never by front ends). */
#ifndef PL_ENGINE_INTERNAL_H
#define PL_ENGINE_INTERNAL_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>

#include "store/error.h"
#include "store/store.h"

#define PL__NSTMT 96

struct pl_store {
	sqlite3 *db;
	char *dir;		/* absolute store directory */
	char *dbpath;
	int readonly;
	int schema;
	char errmsg[1024];
	int errcode;		/* code of the last failure */
	size_t erroff;		/* column of a filter error, 0 if none */
	/* Prepared-statement cache keyed by the SQL text's address: callers
	 * pass string literals, so the pointer identifies the statement. */
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} stmts[PL__NSTMT];
	/* who acts through this handle when not the process itself
	 * (pl_store_set_actor: plumb serve's caller); "" when unset */
	char actor_user[128];
	char actor_host[128];
};

/* Sets st's message (printf-style) and returns code. */
int pl__err(pl_store *st, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Maps an SQLite failure to a PL code, with "what: sqlite message". */
int pl__sqlerr(pl_store *st, int rc, const char *what);
/* PL code for an SQLite result code. */
int pl__code_from_sqlite(int rc);
void pl__clear_err(pl_store *st);

/* Returns a cached, reset statement for sql (a string literal), or NULL
 * after setting st's error. */
sqlite3_stmt *pl__stmt(pl_store *st, const char *sql);

/* Write transactions always start IMMEDIATE so a reader never has to
 * upgrade to a writer (that upgrade fails with SQLITE_BUSY at once,
 * without the busy timeout). */
int pl__begin(pl_store *st);
int pl__commit(pl_store *st);
void pl__rollback(pl_store *st);

/* Milliseconds since the Unix epoch. */
int64_t pl__now_ms(void);

/* Interned key id for a param/tag/metric name; create when missing. */
int pl__key_id(pl_store *st, const char *name, int create, int64_t *out);

/* Row id of a run from its full 32-hex id. */
int pl__run_rid(pl_store *st, const char *id, int64_t *out);
/* The same for a write (run-edit.c): PL_EINVAL when the run is
 * deleted. */
int pl__live_rid(pl_store *st, const char *id, int64_t *out);

/* Opens a raw sqlite connection to the store's database with plumb's
 * pragmas (used by the ingest writer thread). */
int pl__open_db(sqlite3 **out, const char *dbpath, int readonly,
    char *err, size_t err_len);

/* Start time of a local process (jiffies since boot, from /proc), or -1
 * when it does not exist; tells a live process from a reused pid. */
int64_t pl__proc_start(long pid);
/* "STORE/tmp/PREFIX.PID.START." into buf, for a temporary file in the
 * store's tmp/ (the caller appends the rest): the name says which process
 * holds it, so fsck can tell a leftover (store/tmpfiles.c).  Returns the
 * length, or -1 when buf is too small. */
int pl__tmp_name(char *buf, size_t len, const pl_store *st,
    const char *prefix);
/* Host name (static buffer). */
const char *pl__hostname(void);
/* User name (static buffer). */
const char *pl__username(void);
/* The user acting through st: pl_store_set_actor()'s, else the
 * process's (pl__username()).  Valid until the actor changes. */
const char *pl__actor_user(const pl_store *st);

/* 1 when key is one of pl_config_sections (config/plumb-yaml.h). */
int pl__config_section_known(const char *key);
/* The entry of known (NULL-terminated) closest to word by edit distance
 * (at most 2 edits), or NULL: for "did you mean". */
const char *pl__closest(const char *word, const char *const *known);

/* mkdir -p; returns 0 or -1 with errno. */
int pl__mkdirs(const char *path, int mode);


/* Running aggregate of the points written for one (run, key) within a
 * transaction, merged into metric_summary by pl__summary_upsert(). */
struct pl__agg {
	int64_t kid;
	int64_t last_step, last_ts;
	double last;
	double min, max;	/* NaN until a non-NaN point arrives */
	int64_t count;
};
void pl__agg_init(struct pl__agg *a, int64_t kid);
void pl__agg_add(struct pl__agg *a, int64_t step, int64_t ts, double v);
int pl__summary_upsert(pl_store *st, int64_t rid, const struct pl__agg *a);
/* The points of one key gathered for one chunk row, plus their aggregate. */
struct pl__chunk {
	int64_t kid;
	unsigned char *data;	/* packed points (metric.c) */
	size_t n, cap;
	int64_t min_step, max_step;
	struct pl__agg agg;
};
void pl__chunk_init(struct pl__chunk *c, int64_t kid);
int pl__chunk_add(struct pl__chunk *c, int64_t step, int64_t ts, double v);
/* Writes the chunk (and its summary) inside the caller's transaction,
 * then empties it for reuse.  A chunk with no points writes nothing. */
int pl__chunk_write(pl_store *st, int64_t rid, struct pl__chunk *c);
void pl__chunk_dispose(struct pl__chunk *c);
/*
 * Drops from c the points (run, key) already holds, the same step,
 * timestamp and value (bit for bit), and any the chunk holds twice: what
 * MLflow's store keeps once, so that a client's replayed request changes
 * nothing, the summary's count included.  Reads stored chunks only when
 * c reaches back to the key's last step (a replay, or steps logged out
 * of order), so an append costs one summary lookup.
 */
int pl__chunk_drop_known(pl_store *st, int64_t rid, struct pl__chunk *c);
/* Last step of (run, key), or -1 when it has no points. */
int pl__last_step(pl_store *st, int64_t rid, int64_t kid, int64_t *out);

#endif
