/* schema.c - the store's schema as numbered migrations on PRAGMA user_version. */
#include "config.h"
#include "schema.h"

#include <string.h>

/*
 * Migration i (1-based) takes a store from user_version i-1 to i.  Never
 * edit a migration that has shipped: append a new one.  Each runs inside
 * the same IMMEDIATE transaction as the user_version bump, so a crash
 * leaves the store at the old or the new version, never between.
 *
 * Layout notes (see notes/measured-facts.md in the design notes):
 * - metric points live in a WITHOUT ROWID table keyed (run, key, step,
 *   ts): ~35% smaller than rowid+index, fastest bulk ingest that still
 *   reads one series by range scan.  A point's NaN is stored as NULL.
 * - names of params, tags and metrics are interned in `keys` so rows
 *   stay narrow.
 * - metric_summary keeps latest/min/max/count per (run, key), maintained
 *   by the writers, so listing and filtering 100k runs never scans points.
 */
static const char *const migrations[] = {
	/* 1: the foundation */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
	"CREATE TABLE experiments("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_ms INTEGER NOT NULL) STRICT;"
	"CREATE TABLE runs("
	"  rid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE CHECK(length(id) = 32),"
	"  experiment_id INTEGER NOT NULL REFERENCES experiments(id),"
	"  name TEXT,"
	"  status TEXT NOT NULL CHECK(status IN"
	"    ('running','finished','failed','killed','lost')),"
	"  user TEXT, host TEXT, pid INTEGER, pid_start INTEGER,"
	"  cwd TEXT, command TEXT, exit_status INTEGER,"
	"  start_ms INTEGER NOT NULL, end_ms INTEGER, heartbeat_ms INTEGER,"
	"  git_commit TEXT, git_branch TEXT, git_dirty INTEGER,"
	"  git_diff_hash TEXT,"
	"  parent_rid INTEGER REFERENCES runs(rid),"
	"  bad_lines INTEGER NOT NULL DEFAULT 0,"
	"  message TEXT) STRICT;"
	"CREATE INDEX runs_start ON runs(start_ms);"
	"CREATE INDEX runs_experiment ON runs(experiment_id, start_ms);"
	"CREATE INDEX runs_running ON runs(status) WHERE status = 'running';"
	"CREATE TABLE keys(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"
	"  STRICT;"
	"CREATE TABLE params("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  key_id INTEGER NOT NULL REFERENCES keys(id),"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY(run_id, key_id)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX params_kv ON params(key_id, value);"
	"CREATE TABLE tags("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  key_id INTEGER NOT NULL REFERENCES keys(id),"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY(run_id, key_id)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX tags_kv ON tags(key_id, value);"
	"CREATE TABLE metrics("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  key_id INTEGER NOT NULL,"
	"  step INTEGER NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  value REAL,"
	"  PRIMARY KEY(run_id, key_id, step, ts_ms)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE metric_summary("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  key_id INTEGER NOT NULL REFERENCES keys(id),"
	"  last REAL, last_step INTEGER NOT NULL, last_ts INTEGER NOT NULL,"
	"  min REAL, max REAL, count INTEGER NOT NULL,"
	"  PRIMARY KEY(run_id, key_id)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX metric_summary_kv ON metric_summary(key_id, last);"
	"CREATE TABLE artifacts("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL CHECK(length(sha256) = 64),"
	"  size INTEGER NOT NULL,"
	"  logged_ms INTEGER NOT NULL,"
	"  PRIMARY KEY(run_id, path)) STRICT, WITHOUT ROWID;",
};

int
pl__schema_latest(void)
{
	return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *
pl__schema_migration(int version)
{
	if (version < 1 || version > pl__schema_latest())
		return NULL;
	return migrations[version - 1];
}
