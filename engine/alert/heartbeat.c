/* heartbeat.c - the watcher's heartbeat in the store, and the built-in PlumbWatcherNotRunning that plumb alerts reports from it and the watch lock. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/heartbeat.h"
#include "monitor/watch.h"
#include "store/error.h"
#include "store/internal.h"

/*
 * A watcher cannot evaluate its own absence, so the alert is made by
 * the reader: plumb watch writes one row (watch_heartbeat) at start, at
 * most every PL_WATCHER_BEAT_MS while it runs (its tick runs at least
 * every minute) and at a clean stop; pl_alerts_active() adds a firing
 * PlumbWatcherNotRunning row when a watcher ran on this store before
 * and now no live process holds the watch lock (stopped, killed,
 * crashed), or one holds it but has not beaten for PL_WATCHER_STALE_MS
 * (hung).
 */

int
pl_watcher_beat(pl_store *st, int64_t now_ms, int64_t started_ms,
    int builtin, int stopped)
{
	static const char q[] =
	    "INSERT OR REPLACE INTO watch_heartbeat(id, pid, host, "
	    "started_ms, beat_ms, stopped_ms, builtin) "
	    "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *s = pl__stmt(st, q);
	int rc;

	if (s == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)getpid());
	sqlite3_bind_text(s, 2, pl__hostname(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, started_ms);
	sqlite3_bind_int64(s, 4, now_ms);
	if (stopped)
		sqlite3_bind_int64(s, 5, now_ms);
	sqlite3_bind_int(s, 6, builtin != 0);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PL_OK : pl__sqlerr(st, rc,
	    "writing the watcher's heartbeat");
}

int
pl_watcher_health_get(pl_watcher_health *h, pl_store *st, int64_t now_ms)
{
	static const char q[] = "SELECT pid, host, started_ms, beat_ms, "
	    "stopped_ms, builtin FROM watch_heartbeat WHERE id = 1";
	sqlite3_stmt *s;
	long lpid = 0;
	char lhost[256];
	int64_t lstart = 0;
	long rowpid = 0;
	int rc;

	memset(h, 0, sizeof *h);
	h->running = pl_watch_holder(&lpid, lhost, sizeof lhost, &lstart,
	    pl_store_dir(st));
	if (h->running) {
		h->pid = lpid;
		snprintf(h->host, sizeof h->host, "%s", lhost);
		h->started_ms = lstart;
	}
	if ((s = pl__stmt(st, q)) == NULL)
		return pl_store_errcode(st);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *host = sqlite3_column_text(s, 1);

		h->known = 1;
		rowpid = (long)sqlite3_column_int64(s, 0);
		if (!h->running) {
			h->pid = (long)sqlite3_column_int64(s, 0);
			snprintf(h->host, sizeof h->host, "%s",
			    host ? (const char *)host : "");
			h->started_ms = sqlite3_column_int64(s, 2);
		}
		h->beat_ms = sqlite3_column_int64(s, 3);
		h->stopped_ms = sqlite3_column_type(s, 4) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(s, 4);
		h->builtin = sqlite3_column_int(s, 5);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "reading the watcher's heartbeat");
	/* a watcher that just took the lock and has not beaten yet (the
	 * row is its predecessor's) is not stale: its first beat comes with
	 * its first tick */
	if (h->running && h->known)
		h->stale = now_ms - (rowpid == h->pid ? h->beat_ms :
		    h->started_ms) > PL_WATCHER_STALE_MS;
	return PL_OK;
}

int
pl__watcher_alert(pl_alert_row *r, pl_store *st, int64_t now_ms)
{
	pl_watcher_health h;
	char sum[512], when[32];
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = pl_watcher_health_get(&h, st, now_ms)) != PL_OK)
		return rc;
	if (!h.known || !h.builtin || (h.running && !h.stale))
		return PL_ENOTFOUND;
	{
		time_t t = (time_t)(h.beat_ms / 1000);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (h.stale)
		snprintf(sum, sizeof sum, "plumb watch (pid %ld on %s) holds "
		    "the watch lock but has not evaluated since %s: rules and "
		    "notifications are stuck", h.pid, h.host, when);
	else if (h.stopped_ms)
		snprintf(sum, sizeof sum, "plumb watch is not running: it was "
		    "stopped at %s; no rule is evaluated, nothing is "
		    "notified", when);
	else
		snprintf(sum, sizeof sum, "plumb watch is not running: pid "
		    "%ld on %s is gone without stopping (killed or crashed), "
		    "last seen %s; no rule is evaluated, nothing is notified",
		    h.pid, h.host, when);
	r->id = 0;
	r->alertname = strdup("PlumbWatcherNotRunning");
	r->labels = strdup("{alertname=\"PlumbWatcherNotRunning\", "
	    "severity=\"critical\"}");
	r->group = strdup("plumb-builtin");
	r->state = strdup("firing");
	r->active_ms = r->fired_ms = h.beat_ms;
	r->value = r->peak = NAN;
	/* the annotation text as the history prints a label set: the
	 * value quoted, " and \ escaped */
	if ((r->annotations = malloc(2 * strlen(sum) + 16)) != NULL) {
		char *o = r->annotations;

		o += sprintf(o, "{summary=\"");
		for (const char *c = sum; *c; c++) {
			if (*c == '"' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		strcpy(o, "\"}");
	}
	if (!r->alertname || !r->labels || !r->group || !r->state ||
	    !r->annotations) {
		free(r->alertname);
		free(r->labels);
		free(r->group);
		free(r->state);
		free(r->annotations);
		memset(r, 0, sizeof *r);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	return PL_OK;
}
