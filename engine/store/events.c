/* events.c - appending to and reading the monitoring events table. */
#include "config.h"
#include "store/events.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/internal.h"

static int
kind_valid(const char *k)
{
	size_t n = 0;

	if (k == NULL || !islower((unsigned char)k[0]))
		return 0;
	for (; *k; k++, n++)
		if (!(islower((unsigned char)*k) || isdigit((unsigned char)*k) ||
		    *k == '.' || *k == '-'))
			return 0;
	return n <= 40;
}

int
pl_event_append(pl_store *st, int64_t time_ms, const char *kind,
    const char *target, const char *model, int version,
    const char *message)
{
	static const char ins[] =
	    "INSERT INTO events(time_ms, kind, target, model, version, "
	    "message, user, host) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	int own = sqlite3_get_autocommit(st->db) != 0;
	sqlite3_stmt *s;
	pl_actor a;
	int rc;

	if (!kind_valid(kind))
		return pl__err(st, PL_EINVAL, "invalid event kind '%s'",
		    kind ? kind : "");
	pl_store_actor(st, &a);
	if (own && (rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, ins)) == NULL) {
		rc = pl_store_errcode(st);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, time_ms > 0 ? time_ms : pl__now_ms());
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	if (target)
		sqlite3_bind_text(s, 3, target, -1, SQLITE_STATIC);
	if (model)
		sqlite3_bind_text(s, 4, model, -1, SQLITE_STATIC);
	if (version > 0)
		sqlite3_bind_int64(s, 5, version);
	sqlite3_bind_text(s, 6, message ? message : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, a.user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, a.host, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "appending an event");
		goto fail;
	}
	return own ? pl__commit(st) : PL_OK;
fail:
	if (own)
		pl__rollback(st);
	return rc;
}

void
pl_event_dispose(pl_event *e)
{
	free(e->kind);
	free(e->target);
	free(e->model);
	free(e->message);
	free(e->user);
	free(e->host);
	memset(e, 0, sizeof *e);
}

void
pl_events_free(pl_event *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		pl_event_dispose(&e[i]);
	free(e);
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

int
pl_event_list(pl_event **out, size_t *out_n, pl_store *st,
    const pl_event_query *q)
{
	/* The newest `limit` rows, returned oldest first. */
	static const char sql[] =
	    "SELECT * FROM (SELECT id, time_ms, kind, target, model, "
	    "version, message, user, host FROM events "
	    "WHERE time_ms >= ?1 AND (?2 = 0 OR time_ms <= ?2) "
	    "AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR target = ?4) "
	    "AND (?5 IS NULL OR model = ?5) "
	    "ORDER BY time_ms DESC, id DESC LIMIT ?6) ORDER BY time_ms, id";
	pl_event *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(s, 1, q ? q->start_ms : 0);
	sqlite3_bind_int64(s, 2, q ? q->end_ms : 0);
	if (q && q->kind)
		sqlite3_bind_text(s, 3, q->kind, -1, SQLITE_STATIC);
	if (q && q->target)
		sqlite3_bind_text(s, 4, q->target, -1, SQLITE_STATIC);
	if (q && q->model)
		sqlite3_bind_text(s, 5, q->model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, q && q->limit ? (int64_t)q->limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pl_event *e;

		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			pl_event *p = realloc(v, nc * sizeof *p);

			if (p == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = p;
			cap = nc;
		}
		e = &v[n++];
		memset(e, 0, sizeof *e);
		e->id = sqlite3_column_int64(s, 0);
		e->time_ms = sqlite3_column_int64(s, 1);
		e->kind = col_dup(s, 2);
		e->target = col_dup(s, 3);
		e->model = col_dup(s, 4);
		e->version = sqlite3_column_int(s, 5);
		e->message = col_dup(s, 6);
		e->user = col_dup(s, 7);
		e->host = col_dup(s, 8);
		if (e->kind == NULL || e->message == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		pl_events_free(v, n);
		return pl__sqlerr(st, rc, "listing events");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}
