/* predsrc.c - prediction/label log ingestion, label joins, window metrics, window drift and concept drift (contract in predsrc.h). */
#include "config.h"
#include "monitor/predsrc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "drift/detect.h"
#include "drift/drift.h"
#include "store/error.h"
#include "monitor/logtail.h"
#include "monitor/perf.h"
#include "store/internal.h"
#include "monitor/wdrift.h"

#define DAY_MS 86400000LL
#define MAX_BYTES_DEFAULT (64u << 20)

/* One followed log and its counters (mirrors a mon_logs row). */
struct flog {
	const char *name;		/* "predictions" | "labels" */
	char *path;
	pl_tail *tail;
	pl_predparse *parser;
	int64_t lines, records, malformed, duplicates;
	unsigned changes_seen;		/* parser changes already reported */
	int64_t schema_changes;
	char last_error[256];
	const char *state;		/* last state reported */
};

struct det {
	pl_detect *d;
	int kind;
	int drift, warning;		/* this poll */
};

struct pl_predsrc {
	pl_store *st;
	char *target;
	struct flog pred, lab;
	int64_t within_ms, perf_window_ms;
	int task;
	size_t max_bytes;
	/* this poll */
	const struct pl_predsrc_out *out;
	int64_t now_ms;
	int64_t round_records, round_errors, round_new_labels;
	double *lat, *pv;
	size_t nlat, npv, cap_lat, cap_pv;
	int64_t max_ts;			/* latest prediction time seen */
	int64_t errors;			/* stored rows with an error status; -1: unknown */
	struct buf blob;
	char idbuf[1024];
	int cb_failed;
	/* rate */
	struct timespec last_mono;
	int have_last;
	/* drift */
	pl_wdrift *wd;
	struct pl_wdrift_opts wdo;	/* to build another reference */
	int64_t drift_window_ms;
	size_t drift_window_rows, drift_min_rows;
	char **drift_features;
	size_t n_drift_features;
	long *refmap;			/* log feature index -> reference column */
	size_t nrefmap;
	int dataset_drift;
	int64_t drift_rows_seen;	/* records at the last evaluation */
	/* concept */
	struct det *dets;
	size_t ndets;
	char err[1024];
};

static int
seterr(pl_predsrc *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
seterr(pl_predsrc *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return code;
}

int
pl_predsrc_set_reference(pl_predsrc *s, const char *reference_csv, char *err,
    size_t errlen)
{
	pl_wdrift *wd = NULL;
	int rc;

	if (s->wd == NULL) {
		snprintf(err, errlen, "this source has no drift: section");
		return PL_EINVAL;
	}
	if ((rc = pl_wdrift_new(&wd, reference_csv, &s->wdo, err, errlen)) !=
	    PL_OK)
		return rc;
	for (size_t i = 0; i < s->n_drift_features; i++)
		if (pl_wdrift_find(wd, s->drift_features[i]) < 0) {
			snprintf(err, errlen, "%s: no column '%s' in the drift "
			    "reference", reference_csv, s->drift_features[i]);
			pl_wdrift_free(wd);
			return PL_ENOTFOUND;
		}
	pl_wdrift_free(s->wd);
	s->wd = wd;
	s->nrefmap = (size_t)-1;	/* map the log's features again */
	s->drift_rows_seen = -1;	/* and test the window at the next poll */
	return PL_OK;
}

const char *
pl_predsrc_errmsg(const pl_predsrc *s)
{
	return s->err;
}

static int
dbfail(pl_predsrc *s, const char *what)
{
	return seterr(s, pl_store_errcode(s->st) ? pl_store_errcode(s->st) : PL_EIO,
	    "%s: %s", what, pl_store_errmsg(s->st));
}

/* ---- output helpers ---- */

static void
emit(pl_predsrc *s, const char *name, const char *const *labels,
    size_t npairs, int64_t t, double v)
{
	if (s->out && s->out->sample && !s->cb_failed &&
	    s->out->sample(s->out->ctx, name, labels, npairs, t, v) != 0)
		s->cb_failed = 1;
}

static void
emit0(pl_predsrc *s, const char *name, double v)
{
	emit(s, name, NULL, 0, s->now_ms, v);
}

static void
event(pl_predsrc *s, const char *kind, const char *msg)
{
	if (s->out && s->out->event && !s->cb_failed &&
	    s->out->event(s->out->ctx, s->now_ms, kind, msg) != 0)
		s->cb_failed = 1;
}

static void
state(pl_predsrc *s, struct flog *f, const char *st, const char *detail)
{
	f->state = st;
	if (s->out && s->out->state && !s->cb_failed &&
	    s->out->state(s->out->ctx, f->name, st, detail) != 0)
		s->cb_failed = 1;
}

/* ---- mon_logs ---- */

static int
load_log(pl_predsrc *s, struct flog *f, struct pl_tail_pos *pos)
{
	sqlite3_stmt *q = pl__stmt(s->st,
	    "SELECT path, dev, ino, offset, fp, fp_len, lines, records,"
	    " malformed, duplicates, schema_changes, last_error, features"
	    " FROM mon_logs WHERE target = ?1 AND log = ?2");
	int rc;

	memset(pos, 0, sizeof *pos);
	if (q == NULL)
		return dbfail(s, "reading the log position");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, f->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(q, 0);
		/* A position belongs to the file it was taken on: a target
		 * pointed at another path starts that file from its start,
		 * but keeps its counters. */
		if (path && strcmp(path, f->path) == 0) {
			pos->dev = sqlite3_column_int64(q, 1);
			pos->ino = sqlite3_column_int64(q, 2);
			pos->offset = sqlite3_column_int64(q, 3);
			pos->fp = (uint64_t)sqlite3_column_int64(q, 4);
			pos->fp_len = (uint32_t)sqlite3_column_int64(q, 5);
		}
		f->lines = sqlite3_column_int64(q, 6);
		f->records = sqlite3_column_int64(q, 7);
		f->malformed = sqlite3_column_int64(q, 8);
		f->duplicates = sqlite3_column_int64(q, 9);
		f->schema_changes = sqlite3_column_int64(q, 10);
		const char *le = (const char *)sqlite3_column_text(q, 11);
		snprintf(f->last_error, sizeof f->last_error, "%s", le ? le : "");
		const char *names = (const char *)sqlite3_column_text(q, 12);
		/* the blob layout must survive restarts: same names, same order */
		while (names && *names) {
			const char *nl = strchr(names, '\n');
			size_t n = nl ? (size_t)(nl - names) : strlen(names);
			char tmp[512];
			if (n < sizeof tmp) {
				memcpy(tmp, names, n);
				tmp[n] = '\0';
				pl_predparse_add_feature(f->parser, tmp);
			}
			names += n + (nl != NULL);
		}
		rc = SQLITE_DONE;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(s->st, rc, "reading the log position"),
		    dbfail(s, "reading the log position");
	return PL_OK;
}

static int
save_log(pl_predsrc *s, struct flog *f)
{
	struct pl_tail_pos pos;
	struct buf names = BUF_INIT;
	sqlite3_stmt *q = pl__stmt(s->st,
	    "INSERT INTO mon_logs(target, log, path, dev, ino, offset, fp,"
	    " fp_len, lines, records, malformed, duplicates, schema_changes,"
	    " last_error, features, updated_ms)"
	    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)"
	    " ON CONFLICT(target, log) DO UPDATE SET path = ?3, dev = ?4,"
	    " ino = ?5, offset = ?6, fp = ?7, fp_len = ?8, lines = ?9,"
	    " records = ?10, malformed = ?11, duplicates = ?12,"
	    " schema_changes = ?13, last_error = ?14, features = ?15,"
	    " updated_ms = ?16");
	int rc;

	if (q == NULL)
		return dbfail(s, "saving the log position");
	pl_tail_position(f->tail, &pos);
	for (size_t i = 0; i < pl_predparse_nfeatures(f->parser); i++)
		buf_printf(&names, "%s%s", i ? "\n" : "",
		    pl_predparse_feature(f->parser, i));
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, pos.dev);
	sqlite3_bind_int64(q, 5, pos.ino);
	sqlite3_bind_int64(q, 6, pos.offset);
	sqlite3_bind_int64(q, 7, (int64_t)pos.fp);
	sqlite3_bind_int64(q, 8, pos.fp_len);
	sqlite3_bind_int64(q, 9, f->lines);
	sqlite3_bind_int64(q, 10, f->records);
	sqlite3_bind_int64(q, 11, f->malformed);
	sqlite3_bind_int64(q, 12, f->duplicates);
	sqlite3_bind_int64(q, 13, f->schema_changes);
	if (f->last_error[0])
		sqlite3_bind_text(q, 14, f->last_error, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 14);
	sqlite3_bind_text(q, 15, buf_str(&names), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 16, s->now_ms);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	buf_free(&names);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "saving the log position");
		return dbfail(s, "saving the log position");
	}
	return PL_OK;
}

/* ---- predictions ---- */

static int
push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		double *p = realloc(*v, c * sizeof *p);
		if (p == NULL)
			return -1;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static void
bad_line(struct flog *f, const char *msg)
{
	f->malformed++;
	snprintf(f->last_error, sizeof f->last_error, "%s:%lld: %s", f->path,
	    (long long)f->lines, msg);
}

static void
bind_real(sqlite3_stmt *q, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(q, i);
	else
		sqlite3_bind_double(q, i, v);
}

static int
on_prediction(void *ctx, const char *line, size_t len, unsigned flags)
{
	pl_predsrc *s = ctx;
	struct flog *f = &s->pred;
	struct pl_pred_row r;
	int rc;

	if (!(flags & PL_TAIL_LINE_HEADER_ONLY))
		f->lines++;
	rc = pl_predparse_line(f->parser, line, len, flags, &r);
	if (rc == PL_ITEROVER)
		return 0;
	if (rc == PL_ENOMEM)
		return seterr(s, PL_ENOMEM, "out of memory");
	if (rc != PL_OK) {
		bad_line(f, pl_predparse_errmsg(f->parser));
		return 0;
	}
	if (r.id == NULL || r.id_len == 0) {
		bad_line(f, "no id");
		return 0;
	}
	int64_t ts = r.ts_ms == INT64_MIN ? s->now_ms : r.ts_ms;
	sqlite3_stmt *q = pl__stmt(s->st,
	    "INSERT INTO mon_predictions(target, id, ts_ms, prediction, score,"
	    " latency, status, features) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)"
	    " ON CONFLICT DO NOTHING");
	if (q == NULL)
		return dbfail(s, "storing a prediction");
	buf_clear(&s->blob);
	for (size_t i = 0; i < r.nfeatures; i++) {
		/* little-endian float64, the host order on every platform
		 * plumb runs on; checked at compile time below */
		if (buf_add(&s->blob, &r.features[i], sizeof(double)) != 0)
			return seterr(s, PL_ENOMEM, "out of memory");
	}
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r.id, (int)r.id_len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, ts);
	bind_real(q, 4, r.prediction);
	bind_real(q, 5, r.score);
	bind_real(q, 6, r.latency);
	sqlite3_bind_int(q, 7, r.status == 1);
	sqlite3_bind_blob(q, 8, s->blob.len ? s->blob.p : "", (int)s->blob.len,
	    SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "storing a prediction");
		return dbfail(s, "storing a prediction");
	}
	if (sqlite3_changes(s->st->db) == 0) {
		f->duplicates++;
		return 0;
	}
	f->records++;
	s->round_records++;
	s->round_errors += r.status == 1;
	if (r.status == 1 && s->errors >= 0)
		s->errors++;
	if (ts > s->max_ts)
		s->max_ts = ts;
	if ((!isnan(r.latency) && push(&s->lat, &s->nlat, &s->cap_lat, r.latency)) ||
	    (!isnan(r.prediction) && push(&s->pv, &s->npv, &s->cap_pv, r.prediction)))
		return seterr(s, PL_ENOMEM, "out of memory");
	return 0;
}

_Static_assert(sizeof(double) == 8, "float64 blobs");

/* ---- labels ---- */

static void
feed_detectors(pl_predsrc *s, double prediction, double label)
{
	if (isnan(prediction) || isnan(label))
		return;
	int task = s->task ? s->task :
	    (label == 0 || label == 1 ? PL_PERF_CLASSIFICATION : PL_PERF_REGRESSION);
	double e = pl_perf_error(task, prediction, label);
	for (size_t i = 0; i < s->ndets; i++) {
		struct det *d = &s->dets[i];
		if ((d->kind == PL_DETECT_DDM || d->kind == PL_DETECT_EDDM) &&
		    task != PL_PERF_CLASSIFICATION)
			continue;	/* binary detectors need a 0/1 error */
		int sig = pl_detect_update(d->d, e);
		if (sig == PL_DETECT_DRIFT)
			d->drift++;
		else if (sig == PL_DETECT_WARNING)
			d->warning = 1;
	}
}

/* Joins one label; 1 if joined, 0 if its prediction is unknown or too
 * old or already labelled, <0 on a store failure. */
static int
join_label(pl_predsrc *s, const char *id, int idlen, double label,
    int64_t label_ms)
{
	sqlite3_stmt *q = pl__stmt(s->st,
	    "UPDATE mon_predictions SET label = ?3, label_ms = ?4"
	    " WHERE target = ?1 AND id = ?2 AND label IS NULL"
	    " AND ts_ms >= ?4 - ?5 RETURNING prediction");
	int rc, joined = 0;
	double pred = NAN;

	if (q == NULL)
		return dbfail(s, "joining a label");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, id, idlen, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, label);
	sqlite3_bind_int64(q, 4, label_ms);
	sqlite3_bind_int64(q, 5, s->within_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		joined = 1;
		if (sqlite3_column_type(q, 0) != SQLITE_NULL)
			pred = sqlite3_column_double(q, 0);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "joining a label");
		return dbfail(s, "joining a label");
	}
	if (joined) {
		s->round_new_labels++;
		feed_detectors(s, pred, label);
	}
	return joined;
}

static int
on_label(void *ctx, const char *line, size_t len, unsigned flags)
{
	pl_predsrc *s = ctx;
	struct flog *f = &s->lab;
	struct pl_pred_row r;
	int rc;

	if (!(flags & PL_TAIL_LINE_HEADER_ONLY))
		f->lines++;
	rc = pl_predparse_line(f->parser, line, len, flags, &r);
	if (rc == PL_ITEROVER)
		return 0;
	if (rc == PL_ENOMEM)
		return seterr(s, PL_ENOMEM, "out of memory");
	if (rc != PL_OK) {
		bad_line(f, pl_predparse_errmsg(f->parser));
		return 0;
	}
	if (r.id == NULL || r.id_len == 0 || isnan(r.label)) {
		bad_line(f, r.id == NULL || r.id_len == 0 ? "no id" : "no label");
		return 0;
	}
	int64_t ts = r.ts_ms == INT64_MIN ? s->now_ms : r.ts_ms;
	f->records++;
	rc = join_label(s, r.id, (int)r.id_len, r.label, ts);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return 0;
	/* Not joinable now: already labelled (a duplicate), or its
	 * prediction not read yet (wait), or too old (dropped later). */
	sqlite3_stmt *q = pl__stmt(s->st,
	    "SELECT label IS NOT NULL FROM mon_predictions"
	    " WHERE target = ?1 AND id = ?2");
	if (q == NULL)
		return dbfail(s, "joining a label");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r.id, (int)r.id_len, SQLITE_STATIC);
	rc = sqlite3_step(q);
	int exists = rc == SQLITE_ROW;
	sqlite3_reset(q);
	if (exists) {
		f->duplicates++;	/* labelled already, or out of `within` */
		return 0;
	}
	q = pl__stmt(s->st, "INSERT OR IGNORE INTO mon_labels_pending(target, id,"
	    " label, label_ms) VALUES(?1, ?2, ?3, ?4)");
	if (q == NULL)
		return dbfail(s, "keeping a label");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r.id, (int)r.id_len, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, r.label);
	sqlite3_bind_int64(q, 4, ts);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "keeping a label");
		return dbfail(s, "keeping a label");
	}
	return 0;
}

/* Labels that waited for their prediction; drops those past `within`. */
static int
join_pending(pl_predsrc *s)
{
	sqlite3_stmt *q = pl__stmt(s->st,
	    "SELECT l.id, l.label, l.label_ms FROM mon_labels_pending l"
	    " JOIN mon_predictions p ON p.target = l.target AND p.id = l.id"
	    " WHERE l.target = ?1");
	struct {
		char *id;
		double label;
		int64_t ms;
	} *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (q == NULL)
		return dbfail(s, "joining waiting labels");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			void *p = realloc(v, cap * sizeof *v);
			if (p == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = p;
		}
		v[n].id = strdup((const char *)sqlite3_column_text(q, 0));
		v[n].label = sqlite3_column_double(q, 1);
		v[n].ms = sqlite3_column_int64(q, 2);
		if (v[n].id == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_reset(q);
	int ret = PL_OK;
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "joining waiting labels");
		ret = dbfail(s, "joining waiting labels");
	}
	for (size_t i = 0; i < n && ret == PL_OK; i++)
		if (join_label(s, v[i].id, -1, v[i].label, v[i].ms) < 0)
			ret = PL_EIO;
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
	if (ret != PL_OK)
		return ret;
	q = pl__stmt(s->st, "DELETE FROM mon_labels_pending WHERE target = ?1"
	    " AND (label_ms < ?2 OR id IN (SELECT id FROM mon_predictions"
	    " WHERE target = ?1 AND label IS NOT NULL))");
	if (q == NULL)
		return dbfail(s, "dropping waiting labels");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->now_ms - s->within_ms);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "dropping waiting labels");
		return dbfail(s, "dropping waiting labels");
	}
	return PL_OK;
}

/* ---- one log ---- */

static int
poll_log(pl_predsrc *s, struct flog *f, pl_tail_line_fn fn)
{
	unsigned ev = 0;
	int rc;

	rc = pl_tail_poll(f->tail, fn, s, s->max_bytes, &ev);
	if (rc == PL_EIO) {
		/* An unreadable log is data, not a fault of plumb. */
		snprintf(f->last_error, sizeof f->last_error, "%s",
		    pl_tail_errmsg(f->tail));
		state(s, f, "unreadable", f->last_error);
		return PL_OK;
	}
	if (rc != PL_OK)
		return rc < 0 ? rc : PL_ERROR;
	if (ev & PL_TAIL_EV_MISSING)
		state(s, f, "missing", f->path);
	else if (ev & PL_TAIL_EV_ROTATED) {
		state(s, f, "rotated", f->path);
		event(s, "log-rotated", f->path);
	} else if (ev & PL_TAIL_EV_TRUNCATED) {
		state(s, f, "truncated", f->path);
		event(s, "log-rotated", f->path);
	} else if (f->state == NULL || strcmp(f->state, "ok") != 0)
		state(s, f, "ok", f->path);
	unsigned ch = pl_predparse_schema_changes(f->parser);
	if (ch != f->changes_seen) {
		char msg[700];
		f->schema_changes += ch - f->changes_seen;
		f->changes_seen = ch;
		snprintf(msg, sizeof msg, "%s: columns changed: %s", f->path,
		    pl_predparse_schema_note(f->parser));
		event(s, "log-schema", msg);
	}
	return save_log(s, f);
}

/* ---- derived series ---- */

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* numpy's default (linear) quantile of sorted v. */
static double
quantile(const double *v, size_t n, double q)
{
	double r = q * (double)(n - 1);
	size_t i = (size_t)r;
	double w = r - (double)i;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] * (1 - w) + v[i + 1] * w;
}

static void
emit_traffic(pl_predsrc *s)
{
	struct timespec now;
	double secs = 0;
	static const char *const qs[] = { "0.5", "0.95", "0.99" };
	static const double qv[] = { 0.5, 0.95, 0.99 };

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->have_last)
		secs = (double)(now.tv_sec - s->last_mono.tv_sec) +
		    (double)(now.tv_nsec - s->last_mono.tv_nsec) / 1e9;
	s->last_mono = now;
	s->have_last = 1;
	emit0(s, "plumb_predictions_total", (double)s->pred.records);
	if (secs > 0)
		emit0(s, "plumb_prediction_rate", (double)s->round_records / secs);
	if (s->round_records > 0)
		emit0(s, "plumb_prediction_error_ratio",
		    (double)s->round_errors / (double)s->round_records);
	if (s->nlat > 0) {
		qsort(s->lat, s->nlat, sizeof *s->lat, dcmp);
		for (int k = 0; k < 3; k++) {
			const char *l[] = { "quantile", qs[k] };
			emit(s, "plumb_prediction_latency_seconds", l, 1, s->now_ms,
			    quantile(s->lat, s->nlat, qv[k]));
		}
	}
	if (s->npv > 0) {
		double sum = 0;
		size_t pos = 0;
		int binary = 1;
		for (size_t i = 0; i < s->npv; i++) {
			sum += s->pv[i];
			pos += s->pv[i] >= 0.5;
			if (s->pv[i] != 0 && s->pv[i] != 1)
				binary = 0;
		}
		qsort(s->pv, s->npv, sizeof *s->pv, dcmp);
		const char *l[] = { "quantile", "0.5" };
		emit(s, "plumb_prediction_value", l, 1, s->now_ms,
		    quantile(s->pv, s->npv, 0.5));
		emit0(s, "plumb_prediction_mean", sum / (double)s->npv);
		if (binary || s->task == PL_PERF_CLASSIFICATION)
			emit0(s, "plumb_prediction_positive_ratio",
			    (double)pos / (double)s->npv);
	}
	for (int k = 0; k < 2; k++) {
		struct flog *f = k ? &s->lab : &s->pred;
		if (f->path == NULL)
			continue;
		const char *l[] = { "log", f->name };
		emit(s, "plumb_log_lines_total", l, 1, s->now_ms, (double)f->lines);
		emit(s, "plumb_log_malformed_total", l, 1, s->now_ms,
		    (double)f->malformed);
		emit(s, "plumb_log_schema_changes_total", l, 1, s->now_ms,
		    (double)f->schema_changes);
	}
}

/* Rows with an error status, counted once per open (then kept up to
 * date by on_prediction). */
static int
count_errors(pl_predsrc *s)
{
	sqlite3_stmt *q;
	int rc;

	if (s->errors >= 0)
		return PL_OK;
	q = pl__stmt(s->st, "SELECT count(*) FROM mon_predictions"
	    " WHERE target = ?1 AND status != 0");
	if (q == NULL)
		return dbfail(s, "counting errors");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		s->errors = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? PL_OK : dbfail(s, "counting errors");
}

static int
emit_performance(pl_predsrc *s)
{
	sqlite3_stmt *q = pl__stmt(s->st,
	    "SELECT prediction, score, label FROM mon_predictions"
	    " WHERE target = ?1 AND ts_ms > ?2 AND status = 0");
	double *p = NULL, *sc = NULL, *l = NULL;
	size_t n = 0, cap = 0, total = 0;
	int rc, ret = PL_OK;
	struct pl_perf m;

	if (q == NULL)
		return dbfail(s, "reading labelled predictions");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->max_ts - s->perf_window_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		total++;
		if (sqlite3_column_type(q, 2) == SQLITE_NULL)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			double *a = realloc(p, cap * sizeof *a);
			if (a)
				p = a;
			double *b = realloc(sc, cap * sizeof *b);
			if (b)
				sc = b;
			double *c = realloc(l, cap * sizeof *c);
			if (c)
				l = c;
			if (!a || !b || !c) {
				rc = SQLITE_NOMEM;
				break;
			}
		}
		p[n] = sqlite3_column_type(q, 0) == SQLITE_NULL ? NAN :
		    sqlite3_column_double(q, 0);
		sc[n] = sqlite3_column_type(q, 1) == SQLITE_NULL ? NAN :
		    sqlite3_column_double(q, 1);
		l[n] = sqlite3_column_double(q, 2);
		n++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "reading labelled predictions");
		ret = dbfail(s, "reading labelled predictions");
		goto out;
	}
	if (total == 0)
		goto out;
	emit0(s, "plumb_label_coverage", (double)n / (double)total);
	emit0(s, "plumb_labelled_predictions", (double)n);
	if (n == 0)
		goto out;
	if ((ret = pl_perf_compute(&m, p, sc, l, n, s->task)) != PL_OK) {
		seterr(s, ret, "out of memory");
		goto out;
	}
	if (m.task == PL_PERF_CLASSIFICATION) {
		emit0(s, "plumb_model_accuracy", m.accuracy);
		emit0(s, "plumb_model_precision", m.precision);
		emit0(s, "plumb_model_recall", m.recall);
		emit0(s, "plumb_model_f1", m.f1);
		if (!isnan(m.auc))
			emit0(s, "plumb_model_auc", m.auc);
	} else {
		emit0(s, "plumb_model_mae", m.mae);
		emit0(s, "plumb_model_rmse", m.rmse);
	}
out:
	free(p);
	free(sc);
	free(l);
	return ret;
}

static void
emit_concept(pl_predsrc *s)
{
	for (size_t i = 0; i < s->ndets; i++) {
		struct det *d = &s->dets[i];
		const char *l[] = { "detector", pl_detect_kind_name(d->kind) };
		emit(s, "plumb_concept_drift", l, 1, s->now_ms, d->drift ? 1 : 0);
		if (pl_detect_has_warnings(d->kind))
			emit(s, "plumb_concept_warning", l, 1, s->now_ms,
			    d->warning ? 1 : 0);
		if (d->drift) {
			char msg[160];
			snprintf(msg, sizeof msg, "%s detected a change in the error rate of the predictions (%d alarm%s this round)",
			    pl_detect_kind_name(d->kind), d->drift,
			    d->drift == 1 ? "" : "s");
			event(s, "concept-drift", msg);
		}
		d->drift = d->warning = 0;
	}
}

/* ---- window drift ---- */

static int
drift_window(pl_predsrc *s)
{
	size_t nref = pl_wdrift_ncolumns(s->wd);
	size_t nf = pl_predparse_nfeatures(s->pred.parser);
	double **cols = calloc(nref ? nref : 1, sizeof *cols);
	size_t n = 0, cap = 0;
	int rc, ret = PL_OK;
	sqlite3_stmt *q;

	if (cols == NULL)
		return seterr(s, PL_ENOMEM, "out of memory");
	/* log feature -> reference column, rebuilt when columns change */
	if (s->nrefmap != nf) {
		long *m = realloc(s->refmap, (nf ? nf : 1) * sizeof *m);
		if (m == NULL) {
			free(cols);
			return seterr(s, PL_ENOMEM, "out of memory");
		}
		s->refmap = m;
		for (size_t i = 0; i < nf; i++) {
			const char *name = pl_predparse_feature(s->pred.parser, i);
			long k = pl_wdrift_find(s->wd, name);
			if (k >= 0 && s->drift_features) {
				int want = 0;
				for (size_t j = 0; j < s->n_drift_features; j++)
					want |= strcmp(s->drift_features[j], name) == 0;
				if (!want)
					k = -1;
			}
			m[i] = k;
		}
		s->nrefmap = nf;
	}
	if (s->drift_window_rows) {
		q = pl__stmt(s->st, "SELECT features FROM mon_predictions"
		    " WHERE target = ?1 ORDER BY ts_ms DESC LIMIT ?2");
	} else {
		q = pl__stmt(s->st, "SELECT features FROM mon_predictions"
		    " WHERE target = ?1 AND ts_ms > ?3 LIMIT ?2");
	}
	if (q == NULL) {
		free(cols);
		return dbfail(s, "reading the drift window");
	}
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->drift_window_rows ? (int64_t)s->drift_window_rows :
	    (int64_t)10000000);
	if (!s->drift_window_rows)
		sqlite3_bind_int64(q, 3, s->max_ts - s->drift_window_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(q, 0);
		size_t nb = (size_t)sqlite3_column_bytes(q, 0) / sizeof(double);
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			for (size_t i = 0; i < nref; i++) {
				double *c = realloc(cols[i], cap * sizeof *c);
				if (c == NULL) {
					rc = SQLITE_NOMEM;
					goto read_done;
				}
				cols[i] = c;
			}
		}
		for (size_t i = 0; i < nref; i++)
			cols[i][n] = NAN;
		for (size_t i = 0; i < nb && i < nf; i++) {
			if (s->refmap[i] < 0)
				continue;
			double v;
			memcpy(&v, b + i * sizeof v, sizeof v);
			cols[s->refmap[i]][n] = v;
		}
		n++;
	}
read_done:
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "reading the drift window");
		ret = dbfail(s, "reading the drift window");
		goto out;
	}
	emit0(s, "plumb_drift_window_rows", (double)n);
	if (n < s->drift_min_rows) {
		if (s->out && s->out->state)
			s->out->state(s->out->ctx, "drift", "waiting",
			    "fewer rows in the window than min_rows");
		goto out;
	}
	/* a reference column no log feature maps to is passed as NULL */
	const double **in = calloc(nref ? nref : 1, sizeof *in);
	if (in == NULL) {
		ret = seterr(s, PL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nref; i++) {
		int mapped = 0;
		for (size_t j = 0; j < nf; j++)
			mapped |= s->refmap[j] == (long)i;
		in[i] = mapped && n ? cols[i] : NULL;
	}
	ret = pl_wdrift_eval(s->wd, in, n);
	free(in);
	if (ret != PL_OK) {
		seterr(s, ret, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nref; i++) {
		const struct pl_drift_column *c = pl_wdrift_result(s->wd, i);
		if (c->skipped)
			continue;
		const char *l[] = { "feature", c->name, "method",
			pl_drift_method_name(c->method) };
		emit(s, "plumb_drift_score", l, 2, s->now_ms, c->score);
		emit(s, "plumb_drift_detected", l, 2, s->now_ms, c->drift ? 1 : 0);
	}
	if (pl_wdrift_tested(s->wd) > 0) {
		int dd = pl_wdrift_dataset_drift(s->wd);
		emit0(s, "plumb_drift_share", pl_wdrift_share(s->wd));
		emit0(s, "plumb_drift_dataset", dd);
		if (dd && !s->dataset_drift) {
			char msg[200];
			snprintf(msg, sizeof msg, "data drift: %zu of %zu features drifted over the last %zu predictions",
			    pl_wdrift_drifted(s->wd), pl_wdrift_tested(s->wd), n);
			event(s, "drift", msg);
		}
		if (s->out && s->out->state)
			s->out->state(s->out->ctx, "drift", dd ? "drift" : "ok", "");
		s->dataset_drift = dd;
	}
out:
	for (size_t i = 0; i < nref; i++)
		free(cols[i]);
	free(cols);
	return ret;
}

/* ---- open / poll / close ---- */

static int
format_of(int given, const char *path)
{
	if (given)
		return given;
	size_t n = strlen(path);
	return n >= 4 && strcmp(path + n - 4, ".csv") == 0 ? PL_PRED_CSV :
	    PL_PRED_JSONL;
}

static int
open_log(pl_predsrc *s, struct flog *f, const char *name, const char *path,
    int format, const struct pl_pred_fields *fields, char *err,
    size_t errlen)
{
	struct pl_tail_pos pos;
	int rc;

	f->name = name;
	f->path = strdup(path);
	if (f->path == NULL ||
	    pl_predparse_new(&f->parser, format_of(format, path), fields) != PL_OK) {
		snprintf(err, errlen, "out of memory");
		return PL_ENOMEM;
	}
	if ((rc = load_log(s, f, &pos)) != PL_OK) {
		snprintf(err, errlen, "%s", s->err);
		return rc;
	}
	/* the parser starts with the stored names, so no change is counted
	 * for them */
	if (pl_tail_new(&f->tail, path, &pos) != PL_OK) {
		snprintf(err, errlen, "out of memory");
		return PL_ENOMEM;
	}
	return PL_OK;
}

int
pl_predsrc_open(pl_predsrc **out, const char *store_dir,
    const struct pl_predsrc_opts *o, char *err, size_t errlen)
{
	pl_predsrc *s;
	int rc;

	*out = NULL;
	if (o->target == NULL || o->target[0] == '\0') {
		snprintf(err, errlen, "a target needs a name");
		return PL_EINVAL;
	}
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return PL_ENOMEM;
	s->target = strdup(o->target);
	s->within_ms = o->within_ms > 0 ? o->within_ms : 7 * DAY_MS;
	s->perf_window_ms = o->perf_window_ms > 0 ? o->perf_window_ms : DAY_MS;
	s->task = o->task;
	s->max_bytes = o->max_bytes ? o->max_bytes : MAX_BYTES_DEFAULT;
	s->drift_window_rows = o->drift_window_rows;
	s->drift_window_ms = o->drift_window_ms > 0 ? o->drift_window_ms :
	    (o->drift_window_rows ? 0 : 3600000);
	s->drift_min_rows = o->drift_min_rows ? o->drift_min_rows : 500;
	s->max_ts = INT64_MIN / 2;
	s->errors = -1;
	if (s->target == NULL) {
		rc = PL_ENOMEM;
		goto fail_msg;
	}
	rc = pl_store_open(&s->st, store_dir, 0);
	if (rc != PL_OK) {
		snprintf(err, errlen, "%s", s->st ? pl_store_errmsg(s->st) :
		    "out of memory");
		goto fail;
	}
	/* A poll that catches up on a large log is one big transaction: a
	 * page cache that holds it avoids spilling pages to the WAL twice. */
	sqlite3_exec(s->st->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if (o->pred_path && (rc = open_log(s, &s->pred, "predictions",
	    o->pred_path, o->pred_format, &o->pred_fields, err, errlen)) != PL_OK)
		goto fail;
	if (o->label_path && (rc = open_log(s, &s->lab, "labels",
	    o->label_path, o->label_format, &o->label_fields, err, errlen)) != PL_OK)
		goto fail;
	if (o->drift_reference) {
		struct pl_wdrift_opts wo = { o->drift_method, o->drift_threshold, 0.5 };
		s->wdo = wo;
		if ((rc = pl_wdrift_new(&s->wd, o->drift_reference, &wo, err,
		    errlen)) != PL_OK)
			goto fail;
		if (o->drift_features) {
			s->drift_features = calloc(o->n_drift_features + 1,
			    sizeof *s->drift_features);
			if (s->drift_features == NULL) {
				rc = PL_ENOMEM;
				goto fail_msg;
			}
			for (size_t i = 0; i < o->n_drift_features; i++) {
				if (pl_wdrift_find(s->wd, o->drift_features[i]) < 0) {
					snprintf(err, errlen, "%s: no column '%s' in the drift reference",
					    o->drift_reference, o->drift_features[i]);
					rc = PL_ENOTFOUND;
					goto fail;
				}
				s->drift_features[i] = strdup(o->drift_features[i]);
				s->n_drift_features = i + 1;
				if (s->drift_features[i] == NULL) {
					rc = PL_ENOMEM;
					goto fail_msg;
				}
			}
		}
	}
	if (o->ndetectors) {
		s->dets = calloc(o->ndetectors, sizeof *s->dets);
		if (s->dets == NULL) {
			rc = PL_ENOMEM;
			goto fail_msg;
		}
		for (size_t i = 0; i < o->ndetectors; i++) {
			s->dets[i].kind = o->detectors[i];
			if ((rc = pl_detect_new(&s->dets[i].d, o->detectors[i], NULL)) != PL_OK) {
				snprintf(err, errlen, "unknown concept-drift detector %d",
				    o->detectors[i]);
				goto fail;
			}
			s->ndets = i + 1;
		}
	}
	*out = s;
	return PL_OK;
fail_msg:
	snprintf(err, errlen, "out of memory");
fail:
	pl_predsrc_close(s);
	return rc;
}

int
pl_predsrc_poll(pl_predsrc *s, int64_t now_ms, const struct pl_predsrc_out *out)
{
	int rc;

	s->out = out;
	s->now_ms = now_ms;
	s->round_records = s->round_errors = s->round_new_labels = 0;
	s->nlat = s->npv = 0;
	s->cb_failed = 0;
	s->err[0] = '\0';
	int64_t records_before = s->pred.records;

	if (s->pred.tail && (rc = count_errors(s)) != PL_OK)
		return rc;
	/* Rows and positions commit together (the point of the design). */
	if ((rc = pl__begin(s->st)) != PL_OK)
		return dbfail(s, "starting a transaction");
	if (s->pred.tail && (rc = poll_log(s, &s->pred, on_prediction)) != PL_OK)
		goto rollback;
	if (s->lab.tail) {
		if ((rc = poll_log(s, &s->lab, on_label)) != PL_OK)
			goto rollback;
		if ((rc = join_pending(s)) != PL_OK)
			goto rollback;
	}
	if ((rc = pl__commit(s->st)) != PL_OK) {
		dbfail(s, "committing");
		goto rollback;
	}
	if (s->max_ts == INT64_MIN / 2 && s->pred.tail) {
		/* after a restart: the newest stored prediction */
		sqlite3_stmt *q = pl__stmt(s->st, "SELECT max(ts_ms) FROM"
		    " mon_predictions WHERE target = ?1");
		if (q) {
			sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
			if (sqlite3_step(q) == SQLITE_ROW &&
			    sqlite3_column_type(q, 0) != SQLITE_NULL)
				s->max_ts = sqlite3_column_int64(q, 0);
			sqlite3_reset(q);
		}
	}
	if (s->pred.tail) {
		emit_traffic(s);
		emit0(s, "plumb_prediction_errors_total", (double)s->errors);
	}
	if (s->lab.tail && (s->round_new_labels > 0 || s->round_records > 0) &&
	    (rc = emit_performance(s)) != PL_OK)
		return rc;
	emit_concept(s);
	if (s->wd && s->pred.tail &&
	    (s->pred.records != s->drift_rows_seen || records_before == 0)) {
		s->drift_rows_seen = s->pred.records;
		if ((rc = drift_window(s)) != PL_OK)
			return rc;
	}
	return s->cb_failed ? seterr(s, PL_ERROR, "the sink refused a sample") :
	    PL_OK;
rollback:
	pl__rollback(s->st);
	s->errors = -1;
	if (s->err[0] == '\0')
		dbfail(s, "reading the logs");
	/* the parsers' and tails' in-memory state ran ahead of the store:
	 * start again from the stored positions next time */
	for (int k = 0; k < 2; k++) {
		struct flog *f = k ? &s->lab : &s->pred;
		struct pl_tail_pos pos;
		if (f->tail == NULL)
			continue;
		pl_tail_free(f->tail);
		f->tail = NULL;
		if (load_log(s, f, &pos) == PL_OK)
			pl_tail_new(&f->tail, f->path, &pos);
	}
	return rc;
}

void
pl_predsrc_close(pl_predsrc *s)
{
	if (s == NULL)
		return;
	for (int k = 0; k < 2; k++) {
		struct flog *f = k ? &s->lab : &s->pred;
		pl_tail_free(f->tail);
		pl_predparse_free(f->parser);
		free(f->path);
	}
	for (size_t i = 0; i < s->ndets; i++)
		pl_detect_free(s->dets[i].d);
	free(s->dets);
	for (size_t i = 0; i < s->n_drift_features; i++)
		free(s->drift_features[i]);
	free(s->drift_features);
	free(s->refmap);
	pl_wdrift_free(s->wd);
	free(s->lat);
	free(s->pv);
	buf_free(&s->blob);
	free(s->target);
	pl_store_close(s->st);
	free(s);
}

int
pl_predsrc_status(struct pl_predsrc_status *o, pl_store *st, const char *target)
{
	sqlite3_stmt *q;
	int rc;

	memset(o, 0, sizeof *o);
	q = pl__stmt(st, "SELECT log, lines, records, malformed, duplicates,"
	    " schema_changes, last_error, updated_ms FROM mon_logs"
	    " WHERE target = ?1");
	if (q == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *log = (const char *)sqlite3_column_text(q, 0);
		struct pl_predlog_status *l = strcmp(log, "labels") == 0 ?
		    &o->labels : &o->predictions;
		const char *le = (const char *)sqlite3_column_text(q, 6);
		l->present = 1;
		l->lines = sqlite3_column_int64(q, 1);
		l->records = sqlite3_column_int64(q, 2);
		l->malformed = sqlite3_column_int64(q, 3);
		l->duplicates = sqlite3_column_int64(q, 4);
		l->schema_changes = sqlite3_column_int64(q, 5);
		snprintf(l->last_error, sizeof l->last_error, "%s", le ? le : "");
		l->updated_ms = sqlite3_column_int64(q, 7);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "reading monitor logs");
	q = pl__stmt(st, "SELECT count(*), count(label) FROM mon_predictions"
	    " WHERE target = ?1");
	if (q == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		o->stored = sqlite3_column_int64(q, 0);
		o->labelled = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return pl__sqlerr(st, rc, "counting predictions");
	q = pl__stmt(st, "SELECT count(*) FROM mon_labels_pending WHERE target = ?1");
	if (q == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		o->pending = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? PL_OK : pl__sqlerr(st, rc, "counting labels");
}
