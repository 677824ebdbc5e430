/* schema.c - the store's schema as numbered migrations on PRAGMA user_version. */
#include "config.h"
#include "store/schema.h"

#include <string.h>

/*
 * Migration i (1-based) takes a store from user_version i-1 to i.  Never
 * edit a migration that has shipped: append a new one.  Each runs inside
 * the same IMMEDIATE transaction as the user_version bump, so a crash
 * leaves the store at the old or the new version, never between.
 *
 * Layout notes (see notes/measured-facts.md in the design notes):
 * - metric points are stored in chunks: one row per (run, key) and
 *   writer transaction holds that transaction's points packed in a BLOB
 *   (see metric.c for the format).  A row per point caps ingest at the
 *   rate SQLite inserts rows (~0.5M/s here with the key index); chunks
 *   cost one row per thousands of points, so ingest runs at the speed of
 *   parsing, and reading a series is one range scan over few rows.
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
	"CREATE TABLE metric_chunks("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  key_id INTEGER NOT NULL REFERENCES keys(id),"
	"  seq INTEGER NOT NULL,"
	"  n INTEGER NOT NULL CHECK(n > 0),"
	"  min_step INTEGER NOT NULL, max_step INTEGER NOT NULL,"
	"  data BLOB NOT NULL CHECK(length(data) = 24 * n),"
	"  PRIMARY KEY(run_id, key_id, seq)) STRICT, WITHOUT ROWID;"
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
	/* 2: model registry, transitions with their gate results, and the
	 * append-only audit log (triggers refuse UPDATE and DELETE). */
	"CREATE TABLE models("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  description TEXT,"
	"  created_ms INTEGER NOT NULL,"
	"  op_token TEXT, op_pid INTEGER, op_pid_start INTEGER, op_host TEXT,"
	"  op_user TEXT, op_ms INTEGER, op_what TEXT) STRICT;"
	"CREATE TABLE model_versions("
	"  id INTEGER PRIMARY KEY,"
	"  model_id INTEGER NOT NULL REFERENCES models(id),"
	"  version INTEGER NOT NULL CHECK(version > 0),"
	"  stage TEXT NOT NULL DEFAULT 'none' CHECK(stage IN"
	"    ('none','staging','production','archived')),"
	"  run_rid INTEGER REFERENCES runs(rid),"
	"  source_path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL CHECK(length(sha256) = 64),"
	"  size INTEGER NOT NULL,"
	"  description TEXT,"
	"  git_commit TEXT, git_branch TEXT, git_dirty INTEGER,"
	"  git_diff_hash TEXT,"
	"  user TEXT, host TEXT,"
	"  created_ms INTEGER NOT NULL,"
	"  UNIQUE(model_id, version)) STRICT;"
	"CREATE INDEX model_versions_stage ON model_versions(model_id, stage);"
	"CREATE TABLE model_params("
	"  mv_id INTEGER NOT NULL REFERENCES model_versions(id),"
	"  key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY(mv_id, key)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE model_metrics("
	"  mv_id INTEGER NOT NULL REFERENCES model_versions(id),"
	"  key TEXT NOT NULL, value REAL,"
	"  PRIMARY KEY(mv_id, key)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE model_data("
	"  mv_id INTEGER NOT NULL REFERENCES model_versions(id),"
	"  path TEXT NOT NULL, hash TEXT, size INTEGER,"
	"  PRIMARY KEY(mv_id, path)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE model_aliases("
	"  model_id INTEGER NOT NULL REFERENCES models(id),"
	"  alias TEXT NOT NULL,"
	"  mv_id INTEGER NOT NULL REFERENCES model_versions(id),"
	"  PRIMARY KEY(model_id, alias)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE model_transitions("
	"  id INTEGER PRIMARY KEY,"
	"  model_id INTEGER NOT NULL REFERENCES models(id),"
	"  version INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  from_stage TEXT, to_stage TEXT,"
	"  status TEXT NOT NULL CHECK(status IN ('ok','failed')),"
	"  replaced_version INTEGER,"
	"  forced INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT, detail TEXT,"
	"  user TEXT NOT NULL, uid INTEGER, host TEXT, ssh_client TEXT,"
	"  pid INTEGER, time_ms INTEGER NOT NULL) STRICT;"
	"CREATE INDEX model_transitions_model ON model_transitions(model_id, id);"
	"CREATE TABLE transition_gates("
	"  transition_id INTEGER NOT NULL REFERENCES model_transitions(id),"
	"  seq INTEGER NOT NULL,"
	"  check_name TEXT NOT NULL, gate TEXT NOT NULL,"
	"  status TEXT NOT NULL, value REAL, bound REAL, message TEXT,"
	"  PRIMARY KEY(transition_id, seq)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE audit("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  user TEXT NOT NULL, uid INTEGER, host TEXT, ssh_client TEXT,"
	"  pid INTEGER,"
	"  action TEXT NOT NULL, object TEXT, detail TEXT) STRICT;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
	"  SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
	"  SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER transitions_no_update BEFORE UPDATE ON model_transitions"
	"  BEGIN SELECT RAISE(ABORT, 'model history is append-only'); END;"
	"CREATE TRIGGER transitions_no_delete BEFORE DELETE ON model_transitions"
	"  BEGIN SELECT RAISE(ABORT, 'model history is append-only'); END;"
	"CREATE TRIGGER gates_no_update BEFORE UPDATE ON transition_gates"
	"  BEGIN SELECT RAISE(ABORT, 'model history is append-only'); END;"
	"CREATE TRIGGER gates_no_delete BEFORE DELETE ON transition_gates"
	"  BEGIN SELECT RAISE(ABORT, 'model history is append-only'); END;",
	/* 3: pipelines and data versioning.
	 * - hash_memo: the SHA-256 of a file keyed by (device, inode) and
	 *   valid while size and mtime_ns match, so unchanged files are
	 *   never read again; hashed_ns guards against a file rewritten
	 *   within the same timestamp tick as its hashing.
	 * - data_versions: every `plumb data add` of a path.
	 * - run_cache: a stage's exact inputs (key) -> its outputs.
	 * - run_io: the deps and outs (absolute path, hash) of each stage
	 *   run, for lineage ("which runs read this data"). */
	"CREATE TABLE hash_memo("
	"  dev INTEGER NOT NULL, ino INTEGER NOT NULL,"
	"  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
	"  hashed_ns INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL CHECK(length(sha256) = 64),"
	"  PRIMARY KEY(dev, ino)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE data_versions("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL CHECK(length(sha256) = 64),"
	"  size INTEGER NOT NULL, nfiles INTEGER,"
	"  user TEXT, host TEXT, created_ms INTEGER NOT NULL) STRICT;"
	"CREATE INDEX data_versions_path ON data_versions(path, id);"
	"CREATE TABLE run_cache("
	"  key TEXT PRIMARY KEY CHECK(length(key) = 64),"
	"  stage TEXT NOT NULL,"
	"  outs TEXT NOT NULL,"
	"  run_id INTEGER REFERENCES runs(rid) ON DELETE SET NULL,"
	"  created_ms INTEGER NOT NULL) STRICT, WITHOUT ROWID;"
	"CREATE TABLE run_io("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK(kind IN ('dep','out')),"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  PRIMARY KEY(run_id, kind, path)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX run_io_hash ON run_io(sha256);",

	/* 4: sorting runs by duration (the TUI's and plumb runs -s duration)
	 * walks an index instead of sorting every run. */
	"CREATE INDEX runs_duration ON runs(end_ms - start_ms);",

	/* 5: model-performance monitoring (engine/monitor/predsrc.c).
	 * - mon_logs: per target and log ("predictions", "labels") the
	 *   follower's position (device, inode, offset, fingerprint of the
	 *   first fp_len bytes; logtail.h), its counters and the feature
	 *   names (one per line, in the order of the blobs below).  Written
	 *   in the same transaction as the rows read, so a restart neither
	 *   repeats nor skips a line.
	 * - mon_predictions: every logged prediction, unique by (target, id),
	 *   rows appended in reading order (an integer key: appends are
	 *   cheap, the id and time indexes stay narrow);
	 *   features is the row's values as little-endian float64 in
	 *   mon_logs.features order (a prefix when columns were added
	 *   later); label/label_ms once its delayed label is joined.
	 * - mon_labels_pending: labels read before their prediction. */
	"CREATE TABLE mon_logs("
	"  target TEXT NOT NULL,"
	"  log TEXT NOT NULL CHECK(log IN ('predictions','labels')),"
	"  path TEXT NOT NULL,"
	"  dev INTEGER NOT NULL, ino INTEGER NOT NULL, offset INTEGER NOT NULL,"
	"  fp INTEGER NOT NULL, fp_len INTEGER NOT NULL,"
	"  lines INTEGER NOT NULL, records INTEGER NOT NULL,"
	"  malformed INTEGER NOT NULL, duplicates INTEGER NOT NULL,"
	"  schema_changes INTEGER NOT NULL,"
	"  last_error TEXT, features TEXT NOT NULL DEFAULT '',"
	"  updated_ms INTEGER NOT NULL,"
	"  PRIMARY KEY(target, log)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE mon_predictions("
	"  rid INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL, id TEXT NOT NULL,"
	"  ts_ms INTEGER NOT NULL,"
	"  prediction REAL, score REAL, latency REAL,"
	"  status INTEGER NOT NULL,"
	"  features BLOB,"
	"  label REAL, label_ms INTEGER) STRICT;"
	"CREATE UNIQUE INDEX mon_predictions_id ON mon_predictions(target, id);"
	"CREATE INDEX mon_predictions_time ON mon_predictions(target, ts_ms);"
	"CREATE TABLE mon_labels_pending("
	"  target TEXT NOT NULL, id TEXT NOT NULL,"
	"  label REAL NOT NULL, label_ms INTEGER NOT NULL,"
	"  PRIMARY KEY(target, id)) STRICT, WITHOUT ROWID;",

	/* 6: monitoring (engine/monitor/).
	 * - ts_series: one row per metric name + label set; labels is the
	 *   canonical text of the sorted set (name="value",... with
	 *   Prometheus escaping), unique with the name.
	 * - ts_labels: the inverted index (label, value) -> series that
	 *   selectors use.
	 * - ts_chunks: compressed samples (engine/monitor/chunk.h), one row
	 *   per series, resolution (0 raw, else the aggregate's bucket in
	 *   ms) and time block (start ms, aligned); n points, t_min/t_max
	 *   their time span.  A head chunk is rewritten whole at each flush,
	 *   in one transaction, so readers never see half of one.
	 * - events: what happened to the monitored services (deploys,
	 *   promotions, rollbacks, watcher start/stop, scrape failures,
	 *   drift alarms) for charts and `plumb monitor events`. */
	"CREATE TABLE ts_series("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  labels TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  UNIQUE(name, labels)) STRICT;"
	"CREATE TABLE ts_labels("
	"  name TEXT NOT NULL, value TEXT NOT NULL,"
	"  series_id INTEGER NOT NULL REFERENCES ts_series(id),"
	"  PRIMARY KEY(name, value, series_id)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE ts_chunks("
	"  series_id INTEGER NOT NULL REFERENCES ts_series(id),"
	"  res INTEGER NOT NULL,"
	"  block INTEGER NOT NULL,"
	"  n INTEGER NOT NULL CHECK(n > 0),"
	"  t_min INTEGER NOT NULL, t_max INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY(series_id, res, block)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX ts_chunks_age ON ts_chunks(res, t_max);"
	"CREATE TABLE events("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  target TEXT, model TEXT, version INTEGER,"
	"  message TEXT NOT NULL,"
	"  user TEXT, host TEXT) STRICT;"
	"CREATE INDEX events_time ON events(time_ms);",

	/* 7: work in progress (progress.h): a repro's stage states and a
	 * promotion's steps and event lines, written as the job goes, so
	 * that any process (the TUI, another terminal) can watch it. */
	"CREATE TABLE jobs("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  pid_start INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  start_ms INTEGER NOT NULL,"
	"  end_ms INTEGER,"
	"  message TEXT) STRICT;"
	"CREATE INDEX jobs_subject ON jobs(kind, subject, id);"
	"CREATE TABLE job_steps("
	"  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  run_id TEXT,"
	"  reason TEXT,"
	"  start_ms INTEGER,"
	"  end_ms INTEGER,"
	"  PRIMARY KEY(job_id, name)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE job_events("
	"  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  ms INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  PRIMARY KEY(job_id, seq)) STRICT, WITHOUT ROWID;",

	/* 8: alerting (engine/alert/alerting.c, oncall.c).
	 * - alert_history: one row per episode of an alert instance (a
	 *   label set of an alerting rule) from pending to its end: when it
	 *   became active, fired, ended; last and peak value; labels and
	 *   annotations as Prometheus prints them; acknowledgement.  Open
	 *   rows (end_ms NULL) are the alerts active now.
	 * - silences: Alertmanager's silences (matchers, startsAt, endsAt,
	 *   createdBy, comment); expiring sets ends_ms. */
	"CREATE TABLE alert_history("
	"  id INTEGER PRIMARY KEY,"
	"  alertname TEXT NOT NULL,"
	"  labels TEXT NOT NULL,"
	"  rule_group TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK(state IN ('pending','firing','resolved')),"
	"  active_ms INTEGER NOT NULL,"
	"  fired_ms INTEGER,"
	"  end_ms INTEGER,"
	"  value REAL,"
	"  peak REAL,"
	"  annotations TEXT NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  ack_ms INTEGER, ack_user TEXT, ack_host TEXT, ack_ssh TEXT,"
	"  ack_comment TEXT) STRICT;"
	"CREATE INDEX alert_history_open ON alert_history(end_ms, alertname);"
	"CREATE INDEX alert_history_time ON alert_history(active_ms);"
	"CREATE TABLE silences("
	"  id TEXT PRIMARY KEY,"
	"  matchers TEXT NOT NULL,"
	"  starts_ms INTEGER NOT NULL,"
	"  ends_ms INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  comment TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL) STRICT;",

	/* 9: continuous training (engine/ct/history.c).
	 * - trigger_history: one row per firing of a trigger of plumb.yaml's
	 *   triggers: and what it did: the reason (kind and text; for an
	 *   alert its alert_history row, labels and value; for data the new
	 *   content hash), start and end, status (running, succeeded,
	 *   failed, or the firing skipped: a run in progress, the
	 *   cooldown), the tracked runs it made (space-separated ids), the
	 *   model version it registered, the promotion's result, the CT
	 *   run's pid and log file. */
	"CREATE TABLE trigger_history("
	"  id INTEGER PRIMARY KEY,"
	"  trigger TEXT NOT NULL,"
	"  reason_kind TEXT NOT NULL CHECK(reason_kind IN "
	"    ('alert','data','schedule','model','manual')),"
	"  reason TEXT NOT NULL,"
	"  alert_id INTEGER,"
	"  alert_name TEXT,"
	"  alert_labels TEXT,"
	"  alert_value REAL,"
	"  data_hash TEXT,"
	"  started_ms INTEGER NOT NULL,"
	"  ended_ms INTEGER,"
	"  status TEXT NOT NULL CHECK(status IN ('running','succeeded',"
	"    'failed','skipped-running','skipped-cooldown')),"
	"  run_ids TEXT NOT NULL DEFAULT '',"
	"  model_version TEXT,"
	"  promotion TEXT,"
	"  message TEXT,"
	"  pid INTEGER,"
	"  log_path TEXT) STRICT;"
	"CREATE INDEX trigger_history_trigger ON trigger_history(trigger, id);"
	"CREATE INDEX trigger_history_time ON trigger_history(started_ms);"
	"CREATE INDEX trigger_history_alert ON trigger_history(alert_id);",

	/* 10: alert notifications (engine/alert/notify.c).
	 * - notify_log: per aggregation group and receiver, what was last
	 *   sent successfully (Alertmanager's notification log): when, the
	 *   fingerprints of its firing and resolved alerts, so a restarted
	 *   watcher does not send again what was sent.
	 * - notify_deliveries: every delivery attempt, ok or not.
	 * - notify_state: per alert (label text) and receiver, the last
	 *   attempt, for `plumb alerts`. */
	"CREATE TABLE notify_log("
	"  group_key TEXT NOT NULL,"
	"  receiver TEXT NOT NULL,"
	"  sent_ms INTEGER NOT NULL,"
	"  firing TEXT NOT NULL,"
	"  resolved TEXT NOT NULL,"
	"  PRIMARY KEY(group_key, receiver)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE notify_deliveries("
	"  id INTEGER PRIMARY KEY,"
	"  ms INTEGER NOT NULL,"
	"  receiver TEXT NOT NULL,"
	"  group_key TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  ok INTEGER NOT NULL,"
	"  attempt INTEGER NOT NULL,"
	"  error TEXT NOT NULL,"
	"  next_ms INTEGER,"
	"  nfiring INTEGER NOT NULL,"
	"  nresolved INTEGER NOT NULL,"
	"  duration_ms INTEGER NOT NULL) STRICT;"
	"CREATE INDEX notify_deliveries_ms ON notify_deliveries(ms);"
	"CREATE TABLE notify_state("
	"  labels TEXT NOT NULL,"
	"  receiver TEXT NOT NULL,"
	"  ms INTEGER NOT NULL,"
	"  ok INTEGER NOT NULL,"
	"  attempt INTEGER NOT NULL,"
	"  error TEXT NOT NULL,"
	"  next_ms INTEGER,"
	"  ok_ms INTEGER,"
	"  PRIMARY KEY(labels, receiver)) STRICT, WITHOUT ROWID;",

	/* 11: generatorURL and the watcher's heartbeat (engine/alert/).
	 * - alert_history.expr: the alerting rule's expression, for the
	 *   generatorURL of notifications (Prometheus' /graph link).
	 * - watch_heartbeat: one row, written by the running plumb watch
	 *   (pid, host, start, last beat, clean stop), so `plumb alerts`
	 *   can report a watcher that is not running: it cannot evaluate
	 *   its own absence.  builtin: 0 when the alerts: section turned
	 *   the built-in rules off. */
	"ALTER TABLE alert_history ADD COLUMN expr TEXT;"
	"CREATE TABLE watch_heartbeat("
	"  id INTEGER PRIMARY KEY CHECK(id = 1),"
	"  pid INTEGER NOT NULL,"
	"  host TEXT NOT NULL,"
	"  started_ms INTEGER NOT NULL,"
	"  beat_ms INTEGER NOT NULL,"
	"  stopped_ms INTEGER,"
	"  builtin INTEGER NOT NULL) STRICT;",

	/* 12: predictions in blocks (engine/monitor/predblock.h), because
	 * one row per prediction with its two indexes caps ingest at the
	 * rate SQLite inserts indexed rows (~150k/s, tests/bench/raw-insert.c),
	 * half the 300k lines/s budget.
	 * - mon_pred_blocks: per target, blocks numbered seq (reading order)
	 *   of up to 1024 records: n, the number of feature columns, the
	 *   time span and error count, and the encoded columns (ids, ts,
	 *   status, vals, features; features last, so reading the others
	 *   never loads them).  The head block is rewritten at each poll
	 *   until full, in the transaction that moves the log position.
	 * - mon_pred_labels: a joined label, by its prediction's (seq, idx).
	 * Uniqueness by (target, id) is kept by the watcher in memory.
	 * mon_predictions stays for stores written before: the watcher moves
	 * a target's rows into blocks when it opens it, and status counts
	 * both until then. */
	"CREATE TABLE mon_pred_blocks("
	"  rid INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  nfeat INTEGER NOT NULL,"
	"  ts_min INTEGER NOT NULL, ts_max INTEGER NOT NULL,"
	"  errors INTEGER NOT NULL,"
	"  ids BLOB NOT NULL, ts BLOB NOT NULL, status BLOB NOT NULL,"
	"  vals BLOB NOT NULL, features BLOB NOT NULL) STRICT;"
	"CREATE UNIQUE INDEX mon_pred_blocks_seq ON mon_pred_blocks(target, seq);"
	"CREATE INDEX mon_pred_blocks_time ON mon_pred_blocks(target, ts_max);"
	"CREATE TABLE mon_pred_labels("
	"  target TEXT NOT NULL,"
	"  seq INTEGER NOT NULL, idx INTEGER NOT NULL,"
	"  label REAL NOT NULL, label_ms INTEGER NOT NULL,"
	"  PRIMARY KEY(target, seq, idx)) STRICT, WITHOUT ROWID;",

	/* 13: the series store's chunks, laid out for size
	 * (engine/monitor/tsdb-write.c).  In the WITHOUT ROWID ts_chunks
	 * of 6 a chunk over ~1 KB (a 2-hour raw block is ~1.2 KB) spilled
	 * to an overflow page of its own, mostly empty, and the head
	 * chunks rewritten at every flush left the pages of sealed chunks
	 * ~40% full: 9 bytes per sample on disk for 3.4 of data.
	 * - ts_packs: the bytes of sealed chunks (their block is over),
	 *   all those sealed by one flush concatenated in one row, written
	 *   once: a long row fills its overflow pages to the last byte.
	 * - ts_chunks: where each sealed chunk is (pack, offset, length),
	 *   by series, resolution and block.
	 * - ts_heads: the open (head) chunk of each series and resolution,
	 *   rewritten in place at each flush under the fixed rowid
	 *   series_id + (k << 40) (k 0 raw, 1 5-minute, 2 hourly: the raw
	 *   heads a flush rewrites share their pages): its size is bounded
	 *   by the number of series, whatever the history.
	 * The last block of each series and resolution moves from the old
	 * table to ts_heads, each older chunk to a pack of its own. */
	"CREATE TABLE ts_heads("
	"  id INTEGER PRIMARY KEY,"
	"  series_id INTEGER NOT NULL REFERENCES ts_series(id),"
	"  res INTEGER NOT NULL,"
	"  block INTEGER NOT NULL,"
	"  n INTEGER NOT NULL CHECK(n > 0),"
	"  t_min INTEGER NOT NULL, t_max INTEGER NOT NULL,"
	"  data BLOB NOT NULL) STRICT;"
	"INSERT INTO ts_heads(id, series_id, res, block, n, t_min, t_max, data)"
	"  SELECT series_id + ((CASE res WHEN 0 THEN 0 WHEN 300000 THEN 1"
	"  ELSE 2 END) << 40), series_id, res, block, n, t_min, t_max, data"
	"  FROM ts_chunks c WHERE block = (SELECT max(block) FROM ts_chunks d"
	"  WHERE d.series_id = c.series_id AND d.res = c.res);"
	"DELETE FROM ts_chunks WHERE (series_id, res, block) IN"
	"  (SELECT series_id, res, block FROM ts_heads);"
	"CREATE TABLE ts_packs("
	"  id INTEGER PRIMARY KEY,"
	"  data BLOB NOT NULL) STRICT;"
	"INSERT INTO ts_packs(id, data) SELECT row_number() OVER"
	"  (ORDER BY series_id, res, block), data FROM ts_chunks;"
	"CREATE TABLE ts_chunks11("
	"  series_id INTEGER NOT NULL REFERENCES ts_series(id),"
	"  res INTEGER NOT NULL,"
	"  block INTEGER NOT NULL,"
	"  n INTEGER NOT NULL CHECK(n > 0),"
	"  t_min INTEGER NOT NULL, t_max INTEGER NOT NULL,"
	"  pack INTEGER NOT NULL, off INTEGER NOT NULL, len INTEGER NOT NULL,"
	"  PRIMARY KEY(series_id, res, block)) STRICT, WITHOUT ROWID;"
	"INSERT INTO ts_chunks11 SELECT series_id, res, block, n, t_min, t_max,"
	"  row_number() OVER (ORDER BY series_id, res, block), 0,"
	"  length(data) FROM ts_chunks;"
	"DROP TABLE ts_chunks;"
	"ALTER TABLE ts_chunks11 RENAME TO ts_chunks;",

	/* 14: the runs list sorted by any of its columns reads an index,
	 * not the table (engine/track/query.c).  The first screen of a
	 * re-sort reads ~500 rows in order, ties by start time: with the
	 * start time in the index, no row of the 100k-run table is looked
	 * up to order them (the cold table pages cost 30-70 ms; the
	 * status and name columns had no index and sorted every run).
	 * Ties are newest first in both directions, and SQLite walks an
	 * index only one way: a column with few values (status, user)
	 * has huge ties, so it gets an index for each direction
	 * (runs_status scanned backwards is status Z-A, newest first;
	 * runs_status_az forwards is A-Z, newest first). */
	"DROP INDEX IF EXISTS runs_duration;"
	"CREATE INDEX runs_duration ON runs(end_ms - start_ms, start_ms);"
	"CREATE INDEX IF NOT EXISTS runs_status ON runs(status, start_ms);"
	"CREATE INDEX IF NOT EXISTS runs_status_az ON runs(status,"
	"  start_ms DESC);"
	"CREATE INDEX IF NOT EXISTS runs_name ON runs(name, start_ms);"
	"CREATE INDEX IF NOT EXISTS runs_user ON runs(user, start_ms);"
	"CREATE INDEX IF NOT EXISTS runs_user_az ON runs(user, start_ms DESC);",

	/* 15: what MLflow's tracking API (plumb serve, server/mlflow-*.c)
	 * keeps that plumb did not: soft deletion, experiment tags.
	 * - experiments: deleted_ms (NULL: active; else when it was
	 *   deleted), updated_ms (last rename, tag or lifecycle change),
	 *   artifact_location as the client gave it.
	 * - experiment_tags: key/value per experiment.
	 * - runs.deleted_ms: NULL while the run is active.  Deleting an
	 *   experiment stamps its active runs with the experiment's
	 *   deleted_ms, so a restore brings back exactly those.  The
	 *   partial index holds only deleted runs: it lists them
	 *   (DELETED_ONLY) and costs nothing to stores without any. */
	"ALTER TABLE experiments ADD COLUMN deleted_ms INTEGER;"
	"ALTER TABLE experiments ADD COLUMN updated_ms INTEGER;"
	"ALTER TABLE experiments ADD COLUMN artifact_location TEXT;"
	"CREATE TABLE experiment_tags("
	"  experiment_id INTEGER NOT NULL REFERENCES experiments(id),"
	"  key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY(experiment_id, key)) STRICT, WITHOUT ROWID;"
	"ALTER TABLE runs ADD COLUMN deleted_ms INTEGER;"
	"CREATE INDEX runs_deleted ON runs(deleted_ms) "
	"  WHERE deleted_ms IS NOT NULL;",

	/* 16: what MLflow's model registry API (plumb serve,
	 * server/mlflow-registry.c) keeps that plumb's registry did not:
	 * tags on models and on versions, and when a model or a version
	 * was last edited (description, tags, rename).  A model may now
	 * exist without versions (MLflow creates it first). */
	"CREATE TABLE model_tags("
	"  model_id INTEGER NOT NULL REFERENCES models(id),"
	"  key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY(model_id, key)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE model_version_tags("
	"  mv_id INTEGER NOT NULL REFERENCES model_versions(id),"
	"  key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY(mv_id, key)) STRICT, WITHOUT ROWID;"
	"ALTER TABLE models ADD COLUMN updated_ms INTEGER;"
	"ALTER TABLE model_versions ADD COLUMN updated_ms INTEGER;",

	/* 17: the datasets a run read, as MLflow's runs/log-inputs gives
	 * them (mlflow.log_input): one row per (run, name, digest), which
	 * is MLflow's identity of a dataset input; its tags (e.g.
	 * mlflow.data.context = training) beside it.  Written once: the
	 * same input again changes nothing, as in MLflow. */
	"CREATE TABLE run_inputs("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL, digest TEXT NOT NULL,"
	"  source_type TEXT NOT NULL, source TEXT NOT NULL,"
	"  schema TEXT, profile TEXT,"
	"  PRIMARY KEY(run_id, name, digest)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE run_input_tags("
	"  run_id INTEGER NOT NULL REFERENCES runs(rid) ON DELETE CASCADE,"
	"  name TEXT NOT NULL, digest TEXT NOT NULL,"
	"  key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY(run_id, name, digest, key)) STRICT, WITHOUT ROWID;",

	/* 18: MLflow's model-versions/delete on an append-only registry:
	 * a deleted version keeps its row (the history and the audit log
	 * name it, and its number is never given again) and is stamped
	 * deleted_ms; every lookup, listing and stage holder skips it. */
	"ALTER TABLE model_versions ADD COLUMN deleted_ms INTEGER;",
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
