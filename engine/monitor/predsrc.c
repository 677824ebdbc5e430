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
#include "monitor/predblock.h"
#include "store/internal.h"
#include "monitor/wdrift.h"
#include "monitor/predsrc-int.h"

#define DAY_MS 86400000LL
#define MAX_BYTES_DEFAULT (64u << 20)


int
pl__ps_seterr(pl_predsrc *s, int code, const char *fmt, ...)
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

int
pl__ps_dbfail(pl_predsrc *s, const char *what)
{
	return pl__ps_seterr(s, pl_store_errcode(s->st) ? pl_store_errcode(s->st) : PL_EIO,
	    "%s: %s", what, pl_store_errmsg(s->st));
}

/* ---- output helpers ---- */

void
pl__ps_emit(pl_predsrc *s, const char *name, const char *const *labels,
    size_t npairs, int64_t t, double v)
{
	if (s->out && s->out->sample && !s->cb_failed &&
	    s->out->sample(s->out->ctx, name, labels, npairs, t, v) != 0)
		s->cb_failed = 1;
}

void
pl__ps_emit0(pl_predsrc *s, const char *name, double v)
{
	pl__ps_emit(s, name, NULL, 0, s->now_ms, v);
}

void
pl__ps_event(pl_predsrc *s, const char *kind, const char *msg)
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
		return pl__ps_dbfail(s, "reading the log position");
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
		    pl__ps_dbfail(s, "reading the log position");
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
		return pl__ps_dbfail(s, "saving the log position");
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
		return pl__ps_dbfail(s, "saving the log position");
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

static int
on_prediction(void *ctx, const char *line, size_t len, unsigned flags)
{
	pl_predsrc *s = ctx;
	struct flog *f = &s->pred;
	struct pl_pred_row r;
	const struct pl_pblock *b;
	int64_t seq;
	uint32_t idx;
	int rc;

	if (!(flags & PL_TAIL_LINE_HEADER_ONLY))
		f->lines++;
	rc = pl_predparse_line(f->parser, line, len, flags, &r);
	if (rc == PL_ITEROVER)
		return 0;
	if (rc == PL_ENOMEM)
		return pl__ps_oom(s);
	if (rc != PL_OK) {
		bad_line(f, pl_predparse_errmsg(f->parser));
		return 0;
	}
	if (r.id == NULL || r.id_len == 0) {
		bad_line(f, "no id");
		return 0;
	}
	int64_t ts = r.ts_ms == INT64_MIN ? s->now_ms : r.ts_ms;
	if ((rc = pl__ps_find_id(s, r.id, r.id_len, &seq, &idx, &b)) < 0)
		return rc;
	if (rc == 1) {
		f->duplicates++;
		return 0;
	}
	if ((rc = pl__ps_add_record(s, r.id, r.id_len, ts, r.status == 1, r.prediction,
	    r.score, r.latency, r.features, r.nfeatures)) != PL_OK)
		return rc;
	f->records++;
	s->round_records++;
	s->round_errors += r.status == 1;
	if (r.status == 1 && s->errors >= 0)
		s->errors++;
	if (ts > s->max_ts)
		s->max_ts = ts;
	if ((!isnan(r.latency) && push(&s->lat, &s->nlat, &s->cap_lat, r.latency)) ||
	    (!isnan(r.prediction) && push(&s->pv, &s->npv, &s->cap_pv, r.prediction)))
		return pl__ps_oom(s);
	return 0;
}

/* ---- labels ---- */

static void
feed_detectors(pl_predsrc *s, double prediction, double score, double label)
{
	if ((isnan(prediction) && isnan(score)) || isnan(label))
		return;
	int task = s->task ? s->task :
	    (label == 0 || label == 1 ? PL_PERF_CLASSIFICATION : PL_PERF_REGRESSION);
	if (task == PL_PERF_REGRESSION && isnan(prediction))
		return;
	double e = pl_perf_error(task, prediction, score, label, s->threshold);
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

/* Joins one label with its prediction when that is stored, not labelled
 * yet and at most `within` older than the label: 1 if joined, 0 if not
 * (*exists: the prediction is stored), <0 on a failure. */
static int
join_label(pl_predsrc *s, const char *id, size_t idlen, double label,
    int64_t label_ms, int *exists)
{
	const struct pl_pblock *b;
	int64_t seq;
	uint32_t idx;
	int rc;

	*exists = 0;
	if ((rc = pl__ps_find_id(s, id, idlen, &seq, &idx, &b)) <= 0)
		return rc;
	*exists = 1;
	if (pl__ps_is_joined(s, seq, idx) || b->ts[idx] < label_ms - s->within_ms)
		return 0;
	double pred = b->pred[idx], score = b->score[idx];
	if ((rc = pl__ps_store_label(s, seq, idx, label, label_ms)) != PL_OK)
		return rc;
	s->round_new_labels++;
	feed_detectors(s, pred, score, label);
	return 1;
}

static int
on_label(void *ctx, const char *line, size_t len, unsigned flags)
{
	pl_predsrc *s = ctx;
	struct flog *f = &s->lab;
	struct pl_pred_row r;
	int rc, exists;

	if (!(flags & PL_TAIL_LINE_HEADER_ONLY))
		f->lines++;
	rc = pl_predparse_line(f->parser, line, len, flags, &r);
	if (rc == PL_ITEROVER)
		return 0;
	if (rc == PL_ENOMEM)
		return pl__ps_oom(s);
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
	rc = join_label(s, r.id, r.id_len, r.label, ts, &exists);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return 0;
	/* Not joinable now: already labelled (a duplicate), or its
	 * prediction not read yet (wait), or too old (dropped later). */
	if (exists) {
		f->duplicates++;	/* labelled already, or out of `within` */
		return 0;
	}
	sqlite3_stmt *q = pl__stmt(s->st, "INSERT OR IGNORE INTO"
	    " mon_labels_pending(target, id, label, label_ms)"
	    " VALUES(?1, ?2, ?3, ?4)");
	if (q == NULL)
		return pl__ps_dbfail(s, "keeping a label");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r.id, (int)r.id_len, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, r.label);
	sqlite3_bind_int64(q, 4, ts);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "keeping a label");
		return pl__ps_dbfail(s, "keeping a label");
	}
	return 0;
}

/* Labels that waited for their prediction, in id order; drops those
 * joined, those whose prediction is labelled, and those past `within`. */
static int
join_pending(pl_predsrc *s)
{
	sqlite3_stmt *q = pl__stmt(s->st,
	    "SELECT id, label, label_ms FROM mon_labels_pending"
	    " WHERE target = ?1 ORDER BY id");
	struct {
		char *id;
		size_t len;
		double label;
		int64_t ms;
	} *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (q == NULL)
		return pl__ps_dbfail(s, "joining waiting labels");
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
		v[n].len = (size_t)sqlite3_column_bytes(q, 0);
		v[n].id = malloc(v[n].len + 1);
		v[n].label = sqlite3_column_double(q, 1);
		v[n].ms = sqlite3_column_int64(q, 2);
		if (v[n].id == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		memcpy(v[n].id, sqlite3_column_text(q, 0), v[n].len + 1);
		n++;
	}
	sqlite3_reset(q);
	int ret = PL_OK;
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "joining waiting labels");
		ret = pl__ps_dbfail(s, "joining waiting labels");
	}
	q = pl__stmt(s->st, "DELETE FROM mon_labels_pending WHERE target = ?1"
	    " AND id = ?2");
	if (q == NULL && ret == PL_OK)
		ret = pl__ps_dbfail(s, "dropping waiting labels");
	for (size_t i = 0; i < n && ret == PL_OK; i++) {
		int exists;
		if ((rc = join_label(s, v[i].id, v[i].len, v[i].label, v[i].ms,
		    &exists)) < 0) {
			ret = rc;
			break;
		}
		if (!exists)
			continue;
		/* joined now, or its prediction was labelled before */
		const struct pl_pblock *b;
		int64_t seq;
		uint32_t idx;
		if (rc == 0 && ((rc = pl__ps_find_id(s, v[i].id, v[i].len, &seq, &idx,
		    &b)) < 0 || !pl__ps_is_joined(s, seq, idx))) {
			if (rc < 0)
				ret = rc;
			continue;
		}
		sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, v[i].id, (int)v[i].len, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			pl__sqlerr(s->st, rc, "dropping waiting labels");
			ret = pl__ps_dbfail(s, "dropping waiting labels");
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
	if (ret != PL_OK)
		return ret;
	q = pl__stmt(s->st, "DELETE FROM mon_labels_pending WHERE target = ?1"
	    " AND label_ms < ?2");
	if (q == NULL)
		return pl__ps_dbfail(s, "dropping waiting labels");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->now_ms - s->within_ms);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl__sqlerr(s->st, rc, "dropping waiting labels");
		return pl__ps_dbfail(s, "dropping waiting labels");
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
		pl__ps_event(s, "log-rotated", f->path);
	} else if (ev & PL_TAIL_EV_TRUNCATED) {
		state(s, f, "truncated", f->path);
		pl__ps_event(s, "log-rotated", f->path);
	} else if (f->state == NULL || strcmp(f->state, "ok") != 0)
		state(s, f, "ok", f->path);
	unsigned ch = pl_predparse_schema_changes(f->parser);
	if (ch != f->changes_seen) {
		char msg[700];
		f->schema_changes += ch - f->changes_seen;
		f->changes_seen = ch;
		snprintf(msg, sizeof msg, "%s: columns changed: %s", f->path,
		    pl_predparse_schema_note(f->parser));
		pl__ps_event(s, "log-schema", msg);
	}
	return save_log(s, f);
}

/* ---- derived series ---- */

/* Moves the k-th smallest of v[0..n) to v[k], smaller ones before it and
 * larger after (Hoare's selection, median of three; no NaN in v). */
static void
select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2;
		double a = v[lo], b = v[mid], c = v[hi], t;
		double piv = a < b ? (b < c ? b : (a < c ? c : a)) :
		    (a < c ? a : (b < c ? c : b));
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < piv)
				i++;
			while (v[j] > piv)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* numpy's default (linear) quantile of v, as if v were sorted: the two
 * order statistics it needs are selected, not the whole of v sorted
 * (v is reordered). */
static double
quantile(double *v, size_t n, double q)
{
	double r = q * (double)(n - 1);
	size_t i = (size_t)r;
	double w = r - (double)i;

	select_kth(v, n, i);
	if (i + 1 >= n)
		return v[i];
	double next = v[i + 1];
	for (size_t k = i + 2; k < n; k++)
		if (v[k] < next)
			next = v[k];
	return v[i] * (1 - w) + next * w;
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
	pl__ps_emit0(s, "plumb_predictions_total", (double)s->pred.records);
	if (secs > 0)
		pl__ps_emit0(s, "plumb_prediction_rate", (double)s->round_records / secs);
	if (s->round_records > 0)
		pl__ps_emit0(s, "plumb_prediction_error_ratio",
		    (double)s->round_errors / (double)s->round_records);
	if (s->nlat > 0) {
		for (int k = 0; k < 3; k++) {
			const char *l[] = { "quantile", qs[k] };
			pl__ps_emit(s, "plumb_prediction_latency_seconds", l, 1, s->now_ms,
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
		const char *l[] = { "quantile", "0.5" };
		pl__ps_emit(s, "plumb_prediction_value", l, 1, s->now_ms,
		    quantile(s->pv, s->npv, 0.5));
		pl__ps_emit0(s, "plumb_prediction_mean", sum / (double)s->npv);
		if (binary || s->task == PL_PERF_CLASSIFICATION)
			pl__ps_emit0(s, "plumb_prediction_positive_ratio",
			    (double)pos / (double)s->npv);
	}
	for (int k = 0; k < 2; k++) {
		struct flog *f = k ? &s->lab : &s->pred;
		if (f->path == NULL)
			continue;
		const char *l[] = { "log", f->name };
		pl__ps_emit(s, "plumb_log_lines_total", l, 1, s->now_ms, (double)f->lines);
		pl__ps_emit(s, "plumb_log_malformed_total", l, 1, s->now_ms,
		    (double)f->malformed);
		pl__ps_emit(s, "plumb_log_schema_changes_total", l, 1, s->now_ms,
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
	q = pl__stmt(s->st, "SELECT (SELECT coalesce(sum(errors), 0) FROM"
	    " mon_pred_blocks WHERE target = ?1) + (SELECT count(*) FROM"
	    " mon_predictions WHERE target = ?1 AND status != 0)");
	if (q == NULL)
		return pl__ps_dbfail(s, "counting errors");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		s->errors = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? PL_OK : pl__ps_dbfail(s, "counting errors");
}

/*
 * Reading stored records back.  The former table was read through its
 * (target, ts_ms) index, so in time order, ties in reading order; the
 * window readers below give the same order from the blocks, which keeps
 * every sum (and so every metric) the same to the last bit.
 */

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* Sorts by (ts, reading order) unless already so. */
void
pl__ps_rec_sort(struct rec *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i].ts < v[i - 1].ts) {
			qsort(v, n, sizeof *v, rec_cmp);
			return;
		}
}

static int
emit_performance(pl_predsrc *s)
{
	sqlite3_stmt *q = pl__stmt(s->st,
	    "SELECT seq, n, ts, status, vals FROM mon_pred_blocks"
	    " WHERE target = ?1 AND ts_max > ?2 ORDER BY seq");
	struct cand {
		int64_t seq;
		uint32_t idx;
		double p, sc, l;
	} *c = NULL;
	struct rec *order = NULL;
	double *p = NULL, *sc = NULL, *l = NULL;
	size_t nc = 0, cc = 0, n = 0;
	int rc, ret = PL_OK;
	int64_t cutoff = s->max_ts - s->perf_window_ms, minseq = -1;
	struct pl_pblock *b = &s->look[s->look_next++ & 1];
	struct pl_perf m;

	if (q == NULL)
		return pl__ps_dbfail(s, "reading labelled predictions");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, cutoff);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(q, 0);
		size_t bn = (size_t)sqlite3_column_int64(q, 1);
		int d = pl_pblock_decode(b, seq, bn, NULL, 0,
		    sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2),
		    sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q, 3),
		    sqlite3_column_blob(q, 4), (size_t)sqlite3_column_bytes(q, 4));
		if (d != 0) {
			rc = d == -1 ? SQLITE_NOMEM : SQLITE_CORRUPT;
			break;
		}
		if (minseq < 0)
			minseq = seq;
		for (size_t i = 0; i < bn; i++) {
			if (b->ts[i] <= cutoff || b->status[i] != 0)
				continue;
			if (nc == cc) {
				cc = cc ? cc * 2 : 1024;
				void *a = realloc(c, cc * sizeof *c);
				void *o = realloc(order, cc * sizeof *order);
				if (a)
					c = a;
				if (o)
					order = o;
				if (!a || !o) {
					rc = SQLITE_NOMEM;
					goto read_done;
				}
			}
			c[nc].seq = seq;
			c[nc].idx = (uint32_t)i;
			c[nc].p = b->pred[i];
			c[nc].sc = b->score[i];
			c[nc].l = NAN;
			order[nc].ts = b->ts[i];
			order[nc].row = nc;
			nc++;
		}
	}
read_done:
	b->seq = -1;		/* decoded without ids: not for block_at */
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		ret = pl__ps_read_fail(s, rc, "reading labelled predictions");
		goto out;
	}
	if (nc == 0)
		goto out;
	/* the labels of the candidates, both in (seq, idx) order */
	q = pl__stmt(s->st, "SELECT seq, idx, label FROM mon_pred_labels"
	    " WHERE target = ?1 AND seq >= ?2 ORDER BY seq, idx");
	if (q == NULL) {
		ret = pl__ps_dbfail(s, "reading labels");
		goto out;
	}
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, minseq);
	size_t j = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && j < nc) {
		int64_t seq = sqlite3_column_int64(q, 0);
		int64_t idx = sqlite3_column_int64(q, 1);
		while (j < nc && (c[j].seq < seq ||
		    (c[j].seq == seq && (int64_t)c[j].idx < idx)))
			j++;
		if (j < nc && c[j].seq == seq && (int64_t)c[j].idx == idx)
			c[j].l = sqlite3_column_double(q, 2);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		pl__sqlerr(s->st, rc, "reading labels");
		ret = pl__ps_dbfail(s, "reading labels");
		goto out;
	}
	pl__ps_rec_sort(order, nc);
	p = malloc(nc * sizeof *p);
	sc = malloc(nc * sizeof *sc);
	l = malloc(nc * sizeof *l);
	if (!p || !sc || !l) {
		ret = pl__ps_oom(s);
		goto out;
	}
	for (size_t k = 0; k < nc; k++) {
		const struct cand *x = &c[order[k].row];
		if (isnan(x->l))
			continue;
		p[n] = x->p;
		sc[n] = x->sc;
		l[n] = x->l;
		n++;
	}
	pl__ps_emit0(s, "plumb_label_coverage", (double)n / (double)nc);
	pl__ps_emit0(s, "plumb_labelled_predictions", (double)n);
	if (n == 0)
		goto out;
	if ((ret = pl_perf_compute(&m, p, sc, l, n, s->task, s->threshold))
	    != PL_OK) {
		pl__ps_seterr(s, ret, "out of memory");
		goto out;
	}
	unsigned want = s->metrics ? s->metrics : ~0u;
	if (m.task == PL_PERF_CLASSIFICATION) {
		if (want & PL_PERF_M_ACCURACY)
			pl__ps_emit0(s, "plumb_model_accuracy", m.accuracy);
		if (want & PL_PERF_M_PRECISION)
			pl__ps_emit0(s, "plumb_model_precision", m.precision);
		if (want & PL_PERF_M_RECALL)
			pl__ps_emit0(s, "plumb_model_recall", m.recall);
		if (want & PL_PERF_M_F1)
			pl__ps_emit0(s, "plumb_model_f1", m.f1);
		if ((want & PL_PERF_M_AUC) && !isnan(m.auc))
			pl__ps_emit0(s, "plumb_model_auc", m.auc);
	} else {
		if (want & PL_PERF_M_MAE)
			pl__ps_emit0(s, "plumb_model_mae", m.mae);
		if (want & PL_PERF_M_RMSE)
			pl__ps_emit0(s, "plumb_model_rmse", m.rmse);
	}
out:
	free(c);
	free(order);
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
		pl__ps_emit(s, "plumb_concept_drift", l, 1, s->now_ms, d->drift ? 1 : 0);
		if (pl_detect_has_warnings(d->kind))
			pl__ps_emit(s, "plumb_concept_warning", l, 1, s->now_ms,
			    d->warning ? 1 : 0);
		if (d->drift) {
			char msg[160];
			snprintf(msg, sizeof msg, "%s detected a change in the error rate of the predictions (%d alarm%s this round)",
			    pl_detect_kind_name(d->kind), d->drift,
			    d->drift == 1 ? "" : "s");
			pl__ps_event(s, "concept-drift", msg);
		}
		d->drift = d->warning = 0;
	}
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
	s->retain_ms = o->retain_ms > 0 ? o->retain_ms : 0;
	s->perf_window_ms = o->perf_window_ms > 0 ? o->perf_window_ms : DAY_MS;
	s->task = o->task;
	s->threshold = o->threshold > 0 ? o->threshold : 0.5;
	s->metrics = o->metrics;
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
	/* A poll that catches up on a large log is one big transaction of
	 * blocks, whose pages are written once: a small page cache spills
	 * them to the WAL as it goes instead of growing (measured: a 64 MB
	 * cache spent more in page faults than it saved). */
	sqlite3_exec(s->st->db, "PRAGMA cache_size = -2048", NULL, NULL, NULL);
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

/* ---- retention ---- */

#define PRUNE_EVERY_MS 3600000LL

/* Deletes the blocks older than the retention (contract in predsrc.h)
 * with their labels, in a transaction of its own; *deleted: records. */
static int
prune(pl_predsrc *s, int64_t *deleted)
{
	static const char *const sqls[3] = {
		"SELECT coalesce(sum(n), 0) FROM mon_pred_blocks"
		" WHERE target = ?1 AND ts_max < ?2 AND seq < ?3",
		"DELETE FROM mon_pred_labels WHERE target = ?1 AND seq IN"
		" (SELECT seq FROM mon_pred_blocks WHERE target = ?1"
		" AND ts_max < ?2 AND seq < ?3)",
		"DELETE FROM mon_pred_blocks"
		" WHERE target = ?1 AND ts_max < ?2 AND seq < ?3" };
	sqlite3_stmt *q;
	int64_t newest = INT64_MIN, maxseq = -1;
	int rc;

	*deleted = 0;
	q = pl__stmt(s->st, "SELECT max(ts_max), max(seq) FROM mon_pred_blocks"
	    " WHERE target = ?1");
	if (q == NULL)
		return pl__ps_dbfail(s, "reading predictions");
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		newest = sqlite3_column_int64(q, 0);
		maxseq = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW) {
		pl__sqlerr(s->st, rc, "reading predictions");
		return pl__ps_dbfail(s, "reading predictions");
	}
	if (maxseq < 0)
		return PL_OK;
	/* what the windows still read */
	int64_t keep = s->retain_ms;
	if (keep < s->within_ms)
		keep = s->within_ms;
	if (keep < s->perf_window_ms)
		keep = s->perf_window_ms;
	if (s->wd && s->drift_window_ms > 0 && keep < s->drift_window_ms)
		keep = s->drift_window_ms;
	int64_t ref = newest < s->now_ms ? newest : s->now_ms;
	int64_t horizon = ref - keep;
	int64_t keep_blocks = 2;
	if (s->wd && s->drift_window_rows)
		keep_blocks += (int64_t)(s->drift_window_rows /
		    PL_PBLOCK_RECORDS) + 1;
	int64_t below = maxseq + 1 - keep_blocks;
	if (below <= 0)
		return PL_OK;

	if ((rc = pl__begin(s->st)) != PL_OK)
		return pl__ps_dbfail(s, "starting a transaction");
	for (int k = 0; k < 3; k++) {
		if ((q = pl__stmt(s->st, sqls[k])) == NULL) {
			pl__rollback(s->st);
			return pl__ps_dbfail(s, "expiring predictions");
		}
		sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, horizon);
		sqlite3_bind_int64(q, 3, below);
		rc = sqlite3_step(q);
		if (k == 0 && rc == SQLITE_ROW)
			*deleted = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		if (rc != (k == 0 ? SQLITE_ROW : SQLITE_DONE)) {
			pl__sqlerr(s->st, rc, "expiring predictions");
			pl__rollback(s->st);
			*deleted = 0;
			return pl__ps_dbfail(s, "expiring predictions");
		}
		if (k == 0 && *deleted == 0)
			break;
	}
	if ((rc = pl__commit(s->st)) != PL_OK) {	/* rolled back */
		*deleted = 0;
		return pl__ps_dbfail(s, "committing");
	}
	if (*deleted > 0)
		pl__ps_unload(s);	/* rebuilt from what is left */
	return PL_OK;
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
	/* retention: when the watcher starts, then hourly */
	if (s->retain_ms > 0 && s->pred.tail && now_ms >= s->next_prune_ms) {
		int64_t del;

		if ((rc = prune(s, &del)) != PL_OK)
			return rc;
		s->pruned += del;
		s->next_prune_ms = now_ms + PRUNE_EVERY_MS;
	}
	/* Rows and positions commit together (the point of the design). */
	if ((rc = pl__begin(s->st)) != PL_OK)
		return pl__ps_dbfail(s, "starting a transaction");
	if ((s->pred.tail || s->lab.tail) && (rc = pl__ps_load(s)) != PL_OK)
		goto rollback;
	if (s->pred.tail && (rc = poll_log(s, &s->pred, on_prediction)) != PL_OK)
		goto rollback;
	if (s->head.dirty && (rc = pl__ps_write_block(s, &s->head)) != PL_OK)
		goto rollback;
	if (s->lab.tail) {
		if ((rc = poll_log(s, &s->lab, on_label)) != PL_OK)
			goto rollback;
		if ((rc = join_pending(s)) != PL_OK)
			goto rollback;
	}
	if ((rc = pl__commit(s->st)) != PL_OK) {
		pl__ps_dbfail(s, "committing");
		goto rollback;
	}
	if (s->max_ts == INT64_MIN / 2 && s->pred.tail) {
		/* after a restart: the newest stored prediction */
		sqlite3_stmt *q = pl__stmt(s->st, "SELECT max(ts_max) FROM"
		    " mon_pred_blocks WHERE target = ?1");
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
		pl__ps_emit0(s, "plumb_prediction_errors_total", (double)s->errors);
	}
	if (s->lab.tail && (s->round_new_labels > 0 || s->round_records > 0) &&
	    (rc = emit_performance(s)) != PL_OK)
		return rc;
	emit_concept(s);
	if (s->wd && s->pred.tail &&
	    (s->pred.records != s->drift_rows_seen || records_before == 0)) {
		s->drift_rows_seen = s->pred.records;
		if ((rc = pl__ps_drift_window(s)) != PL_OK)
			return rc;
	}
	return s->cb_failed ? pl__ps_seterr(s, PL_ERROR, "the sink refused a sample") :
	    PL_OK;
rollback:
	pl__rollback(s->st);
	s->errors = -1;
	pl__ps_unload(s);
	if (s->err[0] == '\0')
		pl__ps_dbfail(s, "reading the logs");
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
	pl__ps_unload(s);
	for (int k = 0; k < 5; k++)
		buf_free(&s->enc[k]);
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
	/* blocks, labels joined with them, and rows of the former table
	 * not moved into blocks yet */
	q = pl__stmt(st, "SELECT (SELECT coalesce(sum(n), 0) FROM"
	    " mon_pred_blocks WHERE target = ?1) + (SELECT count(*) FROM"
	    " mon_predictions WHERE target = ?1), (SELECT count(*) FROM"
	    " mon_pred_labels WHERE target = ?1) + (SELECT count(label) FROM"
	    " mon_predictions WHERE target = ?1)");
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
