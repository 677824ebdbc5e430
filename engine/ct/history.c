/* history.c - the trigger history table: a row per firing, its reason, status, runs, model version and promotion. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct/ct.h"
#include "ct/internal.h"
#include "store/error.h"
#include "store/events.h"
#include "store/internal.h"

#define COLS "id, trigger, reason_kind, reason, alert_id, alert_name, " \
	"alert_labels, alert_value, data_hash, started_ms, ended_ms, status, " \
	"run_ids, model_version, promotion, message, pid, log_path"

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

static int64_t
col_i64(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(s, i);
}

void
pl_trigger_rows_free(pl_trigger_row *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].trigger);
		free(r[i].reason_kind);
		free(r[i].reason);
		free(r[i].alert_name);
		free(r[i].alert_labels);
		free(r[i].data_hash);
		free(r[i].status);
		free(r[i].run_ids);
		free(r[i].model_version);
		free(r[i].promotion);
		free(r[i].message);
		free(r[i].log_path);
	}
	free(r);
}

static int
read_rows(pl_trigger_row **out, size_t *out_n, pl_store *st, sqlite3_stmt *s)
{
	pl_trigger_row *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pl_trigger_row *r;

		if (n == cap) {
			pl_trigger_row *nv;

			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				sqlite3_reset(s);
				pl_trigger_rows_free(v, n);
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
			v = nv;
		}
		r = &v[n++];
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(s, 0);
		r->trigger = col_dup(s, 1);
		r->reason_kind = col_dup(s, 2);
		r->reason = col_dup(s, 3);
		r->alert_id = col_i64(s, 4);
		r->alert_name = col_dup(s, 5);
		r->alert_labels = col_dup(s, 6);
		r->alert_value = sqlite3_column_type(s, 7) == SQLITE_NULL ? NAN :
		    sqlite3_column_double(s, 7);
		r->data_hash = col_dup(s, 8);
		r->started_ms = col_i64(s, 9);
		r->ended_ms = col_i64(s, 10);
		r->status = col_dup(s, 11);
		r->run_ids = col_dup(s, 12);
		r->model_version = col_dup(s, 13);
		r->promotion = col_dup(s, 14);
		r->message = col_dup(s, 15);
		r->pid = (long)col_i64(s, 16);
		r->log_path = col_dup(s, 17);
		if (!r->trigger || !r->reason_kind || !r->reason ||
		    !r->status || !r->run_ids) {
			sqlite3_reset(s);
			pl_trigger_rows_free(v, n);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_trigger_rows_free(v, n);
		return pl__sqlerr(st, rc, "reading the trigger history");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

int
pl_trigger_history_add(int64_t *out_id, pl_store *st, const char *trigger,
    const pl_trigger_reason *r, const char *status, const char *message,
    int64_t now_ms)
{
	static const char sql[] = "INSERT INTO trigger_history(trigger, "
	    "reason_kind, reason, alert_id, alert_name, alert_labels, "
	    "alert_value, data_hash, started_ms, ended_ms, status, message) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	sqlite3_stmt *s;
	int rc;

	if (out_id)
		*out_id = 0;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_text(s, 1, trigger, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->text ? r->text : "", -1, SQLITE_STATIC);
	if (r->alert_id)
		sqlite3_bind_int64(s, 4, r->alert_id);
	if (r->alert_name)
		sqlite3_bind_text(s, 5, r->alert_name, -1, SQLITE_STATIC);
	if (r->alert_labels)
		sqlite3_bind_text(s, 6, r->alert_labels, -1, SQLITE_STATIC);
	if (!isnan(r->alert_value))
		sqlite3_bind_double(s, 7, r->alert_value);
	if (r->data_hash)
		sqlite3_bind_text(s, 8, r->data_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, now_ms);
	/* a skipped firing ends when it is recorded */
	if (strcmp(status, "running") != 0)
		sqlite3_bind_int64(s, 10, now_ms);
	sqlite3_bind_text(s, 11, status, -1, SQLITE_STATIC);
	if (message)
		sqlite3_bind_text(s, 12, message, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "recording a trigger firing");
	if (out_id)
		*out_id = sqlite3_last_insert_rowid(st->db);
	/* A CT run is a mark on the monitor's charts (events.h); a skipped
	 * firing is not (the history says why). */
	if (strcmp(status, "running") == 0) {
		char msg[600];

		snprintf(msg, sizeof msg, "CT trigger %s started: %.400s "
		    "(history #%lld)", trigger, r->text ? r->text : r->kind,
		    (long long)sqlite3_last_insert_rowid(st->db));
		(void)pl_event_append(st, now_ms, "ct", NULL, NULL, 0, msg);
	}
	return PL_OK;
}

/* The event of a CT run's end: its status, first run and model. */
static void
end_event(pl_store *st, int64_t id, int64_t now_ms)
{
	pl_trigger_row *row = NULL;
	char msg[700], run[40] = "";

	if (pl_trigger_history_get(&row, st, id) != PL_OK || row == NULL) {
		pl__clear_err(st);
		return;
	}
	if (row->run_ids && row->run_ids[0])
		snprintf(run, sizeof run, "%.32s", row->run_ids);
	snprintf(msg, sizeof msg, "CT trigger %s %s (history #%lld)%s%s%s%s"
	    "%s%.200s", row->trigger, row->status, (long long)id,
	    run[0] ? "; run " : "", run,
	    row->model_version ? "; model " : "",
	    row->model_version ? row->model_version : "",
	    row->message ? ": " : "", row->message ? row->message : "");
	(void)pl_event_append(st, now_ms, "ct", NULL, NULL, 0, msg);
	pl_trigger_rows_free(row, 1);
}

int
pl__trigger_set_pid(pl_store *st, int64_t id, long pid, const char *log_path)
{
	static const char sql[] = "UPDATE trigger_history SET pid = ?2, "
	    "log_path = COALESCE(?3, log_path) WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, pid);
	if (log_path)
		sqlite3_bind_text(s, 3, log_path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? PL_OK : pl__sqlerr(st, rc,
	    "updating the trigger history");
}

int
pl__trigger_add_run(pl_store *st, int64_t id, const char *run_id)
{
	static const char sql[] = "UPDATE trigger_history SET run_ids = "
	    "CASE run_ids WHEN '' THEN ?2 ELSE run_ids || ' ' || ?2 END "
	    "WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, run_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? PL_OK : pl__sqlerr(st, rc,
	    "updating the trigger history");
}

int
pl__trigger_finish(pl_store *st, int64_t id, const char *status,
    const char *model_version, const char *promotion, const char *message,
    int64_t now_ms, int only_running)
{
	static const char sql[] = "UPDATE trigger_history SET status = ?2, "
	    "ended_ms = ?3, model_version = COALESCE(?4, model_version), "
	    "promotion = COALESCE(?5, promotion), message = COALESCE(?6, "
	    "message) WHERE id = ?1 AND (?7 = 0 OR status = 'running')";
	sqlite3_stmt *s;
	int rc;

	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now_ms);
	if (model_version)
		sqlite3_bind_text(s, 4, model_version, -1, SQLITE_STATIC);
	if (promotion)
		sqlite3_bind_text(s, 5, promotion, -1, SQLITE_STATIC);
	if (message)
		sqlite3_bind_text(s, 6, message, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, only_running);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "updating the trigger history");
	if (sqlite3_changes(st->db) > 0)
		end_event(st, id, now_ms);
	return PL_OK;
}

int
pl_trigger_history(pl_trigger_row **out, size_t *out_n, pl_store *st,
    const char *trigger, int64_t since_ms)
{
	static const char sql[] = "SELECT " COLS " FROM trigger_history "
	    "WHERE (?1 IS NULL OR trigger = ?1) AND (started_ms >= ?2 OR "
	    "status = 'running') ORDER BY started_ms, id";
	sqlite3_stmt *s;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	if (trigger)
		sqlite3_bind_text(s, 1, trigger, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_int64(s, 2, since_ms);
	return read_rows(out, out_n, st, s);
}

static int
one_row(pl_trigger_row **out, pl_store *st, sqlite3_stmt *s)
{
	pl_trigger_row *v = NULL;
	size_t n = 0;
	int rc = read_rows(&v, &n, st, s);

	*out = NULL;
	if (rc != PL_OK)
		return rc;
	if (n == 0) {
		free(v);
		return PL_OK;
	}
	/* the queries select one row at most (LIMIT 1, or by id) */
	*out = v;
	return PL_OK;
}

int
pl_trigger_history_get(pl_trigger_row **out, pl_store *st, int64_t id)
{
	static const char sql[] = "SELECT " COLS " FROM trigger_history "
	    "WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(s, 1, id);
	if ((rc = one_row(out, st, s)) != PL_OK)
		return rc;
	if (*out == NULL)
		return pl__err(st, PL_ENOTFOUND, "no trigger history entry %lld",
		    (long long)id);
	return PL_OK;
}

int
pl_trigger_last_run(pl_trigger_row **out, pl_store *st, const char *trigger)
{
	static const char sql[] = "SELECT " COLS " FROM trigger_history "
	    "WHERE trigger = ?1 AND status IN ('running','succeeded','failed') "
	    "ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *s;

	*out = NULL;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_text(s, 1, trigger, -1, SQLITE_TRANSIENT);
	return one_row(out, st, s);
}

int
pl_trigger_last_row(pl_trigger_row **out, pl_store *st, const char *trigger)
{
	static const char sql[] = "SELECT " COLS " FROM trigger_history "
	    "WHERE trigger = ?1 ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *s;

	*out = NULL;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_text(s, 1, trigger, -1, SQLITE_TRANSIENT);
	return one_row(out, st, s);
}

int
pl__trigger_last_data_hash(char **out, pl_store *st, const char *trigger)
{
	static const char sql[] = "SELECT data_hash FROM trigger_history "
	    "WHERE trigger = ?1 AND data_hash IS NOT NULL "
	    "ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_text(s, 1, trigger, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = col_dup(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PL_OK :
	    pl__sqlerr(st, rc, "reading the trigger history");
}
