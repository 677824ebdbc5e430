/* status.c - what a monitored target looks like now and over time, read from the series store (status.h). */
#include "config.h"
#include "monitor/status.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/plumb-yaml.h"
#include "drift/drift.h"
#include "monitor/names.h"
#include "monitor/tsdb.h"
#include "registry/registry.h"
#include "store/events.h"
#include "store/error.h"
#include "store/store.h"

#define S_PRED_RATE PL_SERIES_PRED_RATE
#define S_PRED_ERR PL_SERIES_PRED_ERR_RATIO
#define S_PRED_LAT PL_SERIES_PRED_LATENCY
#define S_DRIFT PL_SERIES_DRIFT_SHARE
#define S_ACC PL_SERIES_ACCURACY
#define S_COV PL_SERIES_LABEL_COVERAGE
#define S_ROUND PL_SERIES_WATCH_ROUND

void
pl_mon_targets_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
push(char ***v, size_t *n, const char *s)
{
	char **nv;

	for (size_t k = 0; k < *n; k++)
		if (strcmp((*v)[k], s) == 0)
			return 0;
	if ((nv = realloc(*v, (*n + 1) * sizeof *nv)) == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

int
pl_mon_targets(char ***out, size_t *out_n, pl_store *st)
{
	char **v = NULL, *path = NULL, err[1024];
	size_t n = 0;
	pl_config *cfg = NULL;
	pl_ts_set *set = NULL;
	pl_matcher any = { "target", PL_MATCH_RE, ".+" };
	int bad = 0;

	*out = NULL;
	*out_n = 0;
	if (pl_config_find(&path, NULL, pl_store_dir(st)) == PL_OK &&
	    pl_config_load(&cfg, path, err, sizeof err) == PL_OK)
		for (size_t i = 0; i < cfg->monitor.ntargets && !bad; i++)
			bad = push(&v, &n, cfg->monitor.targets[i].name);
	pl_config_free(cfg);
	free(path);
	if (!bad && pl_ts_select(&set, st, &any, 1) == PL_OK) {
		for (size_t i = 0; i < set->n && !bad; i++)
			bad = push(&v, &n, pl_ts_label(&set->v[i], "target"));
		pl_ts_set_free(set);
	}
	if (bad) {
		pl_mon_targets_free(v, n);
		return PL_ENOMEM;
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

/*
 * The newest sample of name{target=T[, xname=xval]}: among several
 * series the newest wins.  1 with *v and *t, 0 when none (or NaN).
 */
static int
last_of(double *v, int64_t *t, pl_store *st, const char *name,
    const char *target, const char *xname, const char *xval)
{
	pl_matcher m[3] = {
		{ "__name__", PL_MATCH_EQ, name },
		{ "target", PL_MATCH_EQ, target },
		{ xname, PL_MATCH_EQ, xval },
	};
	pl_ts_set *set = NULL;
	int found = 0;

	if (pl_ts_select(&set, st, m, xname ? 3 : 2) != PL_OK)
		return 0;
	for (size_t i = 0; i < set->n; i++) {
		pl_ts_sample s;

		if (pl_ts_last(&s, st, set->v[i].id) != PL_OK)
			continue;
		if (!found || s.t > *t) {
			*t = s.t;
			*v = s.v;
			found = 1;
		}
	}
	pl_ts_set_free(set);
	return found && !isnan(*v);
}

/* Rate of a counter over its last two samples in the 10 minutes before
 * now (a drop is a restart: the counter began again). */
static int
rate_of(double *v, pl_store *st, const char *name, const char *target,
    int64_t now)
{
	pl_matcher m[2] = {
		{ "__name__", PL_MATCH_EQ, name },
		{ "target", PL_MATCH_EQ, target },
	};
	pl_ts_set *set = NULL;
	int found = 0;

	if (pl_ts_select(&set, st, m, 2) != PL_OK)
		return 0;
	if (set->n > 0) {
		pl_ts_sample *s = NULL;
		size_t n = 0;

		if (pl_ts_read(&s, &n, st, set->v[0].id, now - 600000, now +
		    86400000) == PL_OK && n >= 2 && s[n - 1].t > s[n - 2].t &&
		    !isnan(s[n - 1].v) && !isnan(s[n - 2].v)) {
			double d = s[n - 1].v - s[n - 2].v;

			if (d < 0)
				d = s[n - 1].v;
			*v = d * 1000.0 / (double)(s[n - 1].t - s[n - 2].t);
			found = 1;
		}
		free(s);
	}
	pl_ts_set_free(set);
	return found;
}

/*
 * plumb.yaml, parsed once and kept while the file stays the same (path,
 * inode, size, mtime): a screen of 20 targets asks for each one's model
 * and drift threshold on every reload, and parsing the file each time was
 * most of its cost.  Guarded by a mutex (plumb serve's threads read
 * status too); callers get copies, never the cached config.
 */
static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *path;
	struct stat sb;
	pl_config *cfg;
} cfg_cache;

/* The cached config of st's workspace, NULL when none; cfg_lock held. */
static const pl_config *
cfg_get(pl_store *st)
{
	char *path = NULL, err[1024];
	struct stat sb;

	if (pl_config_find(&path, NULL, pl_store_dir(st)) != PL_OK ||
	    stat(path, &sb) != 0) {
		free(path);
		return NULL;
	}
	if (cfg_cache.path && strcmp(cfg_cache.path, path) == 0 &&
	    cfg_cache.sb.st_ino == sb.st_ino &&
	    cfg_cache.sb.st_size == sb.st_size &&
	    cfg_cache.sb.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
	    cfg_cache.sb.st_mtim.tv_nsec == sb.st_mtim.tv_nsec) {
		free(path);
		return cfg_cache.cfg;
	}
	pl_config_free(cfg_cache.cfg);
	free(cfg_cache.path);
	cfg_cache.cfg = NULL;
	cfg_cache.path = path;
	cfg_cache.sb = sb;
	if (pl_config_load(&cfg_cache.cfg, path, err, sizeof err) != PL_OK)
		cfg_cache.cfg = NULL;
	return cfg_cache.cfg;
}

/* plumb.yaml's model: of the target into out ("" when none or no
 * file), and its drift: threshold into *thr (-1 when unset) if thr. */
static void
target_cfg(char *out, size_t n, double *thr, pl_store *st,
    const char *target)
{
	const pl_config *cfg;
	const pl_mon_target *t = NULL;

	out[0] = '\0';
	if (thr)
		*thr = -1;
	pthread_mutex_lock(&cfg_lock);
	if ((cfg = cfg_get(st)) != NULL &&
	    (t = pl_monitor_target(&cfg->monitor, target)) != NULL) {
		if (t->model)
			snprintf(out, n, "%s", t->model);
		if (thr && t->drift.set)
			*thr = t->drift.threshold;
	}
	pthread_mutex_unlock(&cfg_lock);
}

static void
model_of(char *out, size_t n, pl_store *st, const char *target)
{
	target_cfg(out, n, NULL, st, target);
}

int
pl_mon_status_get(pl_mon_status *s, pl_store *st, const char *target,
    int64_t now)
{
	static const char *const upnames[][2] = {
		{ PL_SERIES_PROBE_SUCCESS, "probe" },
		{ PL_SERIES_UP, "scrape" },
		{ PL_SERIES_PROC_UP, "process" },
	};
	int64_t t = 0;
	double v;

	memset(s, 0, sizeof *s);
	s->up = -1;
	for (size_t i = 0; i < 3 && s->up < 0; i++)
		if (last_of(&v, &t, st, upnames[i][0], target, NULL, NULL)) {
			s->up = v > 0.5;
			s->up_from = upnames[i][1];
		}
	s->age_s = last_of(&v, &t, st, S_ROUND, target, NULL, NULL) ?
	    (double)(now - t) / 1000.0 : NAN;
#define LAST(field, name, xn, xv) \
	s->field = last_of(&v, &t, st, name, target, xn, xv) ? v : NAN
	LAST(req_rate, S_PRED_RATE, NULL, NULL);
	if (isnan(s->req_rate) && !rate_of(&s->req_rate, st,
	    PL_SERIES_PREDICTIONS, target, now))
		s->req_rate = NAN;
	LAST(err_ratio, S_PRED_ERR, NULL, NULL);
	LAST(p50, S_PRED_LAT, "quantile", "0.5");
	LAST(p95, S_PRED_LAT, "quantile", "0.95");
	LAST(p99, S_PRED_LAT, "quantile", "0.99");
	s->cpu_pct = rate_of(&v, st, PL_SERIES_PROC_CPU, target, now) ?
	    v * 100.0 : NAN;
	LAST(rss, PL_SERIES_PROC_RSS, NULL, NULL);
	LAST(drift, S_DRIFT, NULL, NULL);
	LAST(acc, S_ACC, NULL, NULL);
	LAST(cov, S_COV, NULL, NULL);
	LAST(bad_pred, PL_SERIES_LOG_MALFORMED, "log", "predictions");
	LAST(bad_lab, PL_SERIES_LOG_MALFORMED, "log", "labels");
	LAST(bad_scrape, PL_SERIES_SCRAPE_BAD_LINES, NULL, NULL);
#undef LAST
	model_of(s->model, sizeof s->model, st, target);
	if (s->model[0] && pl_model_stage_holder(&s->model_version, st,
	    s->model, PL_MODEL_PRODUCTION) != PL_OK)
		s->model_version = 0;
	return PL_OK;
}

/* ---- history ---- */

static const struct mdef {
	const char *name;	/* for pl_mon_metric_name() */
	const char *series, *xname, *xval;
	const char *alt;	/* the series to use when the first has none */
	int counter;		/* rate per second of the bucket's increase */
	double scale;
} mdefs[PL_MM__COUNT] = {
	[PL_MM_REQ_RATE] = { "req/s", S_PRED_RATE, NULL, NULL,
	    PL_SERIES_PREDICTIONS, 0, 1 },
	[PL_MM_ERR_RATIO] = { "errors", S_PRED_ERR, NULL, NULL, NULL, 0, 1 },
	[PL_MM_P50] = { "p50", S_PRED_LAT, "quantile", "0.5", NULL, 0, 1 },
	[PL_MM_P95] = { "p95", S_PRED_LAT, "quantile", "0.95", NULL, 0, 1 },
	[PL_MM_P99] = { "p99", S_PRED_LAT, "quantile", "0.99", NULL, 0, 1 },
	[PL_MM_CPU] = { "cpu%", PL_SERIES_PROC_CPU, NULL, NULL, NULL, 1, 100 },
	[PL_MM_RSS] = { "rss", PL_SERIES_PROC_RSS, NULL, NULL, NULL, 0, 1 },
	[PL_MM_DRIFT] = { "drift", S_DRIFT, NULL, NULL, NULL, 0, 1 },
	[PL_MM_ACC] = { "accuracy", S_ACC, NULL, NULL, NULL, 0, 1 },
	[PL_MM_COV] = { "labelled", S_COV, NULL, NULL, NULL, 0, 1 },
};

const char *
pl_mon_metric_name(pl_mon_metric m)
{
	return (unsigned)m < PL_MM__COUNT ? mdefs[m].name : "?";
}

/* The first series of name{target, x}; 0 when none. */
static int64_t
series_id(pl_store *st, const char *name, const char *target,
    const char *xname, const char *xval)
{
	pl_matcher m[3] = {
		{ "__name__", PL_MATCH_EQ, name },
		{ "target", PL_MATCH_EQ, target },
		{ xname, PL_MATCH_EQ, xval },
	};
	pl_ts_set *set = NULL;
	int64_t id = 0;

	if (pl_ts_select(&set, st, m, xname ? 3 : 2) == PL_OK && set->n)
		id = set->v[0].id;
	pl_ts_set_free(set);
	return id;
}

int
pl_mon_history(double *out, size_t nb, pl_store *st, const char *target,
    pl_mon_metric metric, int64_t start, int64_t end)
{
	const struct mdef *d;
	int64_t id, step, res, base;
	int counter;
	pl_ts_agg *a = NULL;
	size_t n = 0;
	int rc;

	if (nb == 0 || end <= start || (unsigned)metric >= PL_MM__COUNT)
		return PL_EINVAL;
	for (size_t i = 0; i < nb; i++)
		out[i] = NAN;
	d = &mdefs[metric];
	counter = d->counter;
	id = series_id(st, d->series, target, d->xname, d->xval);
	if (id == 0 && d->alt) {
		id = series_id(st, d->alt, target, d->xname, d->xval);
		/* the request counter stands in for the rate gauge */
		counter = metric == PL_MM_REQ_RATE;
	}
	if (id == 0)
		return PL_OK;
	/* buckets aligned on the step (pl_ts_read_agg aligns on multiples
	 * of it since the epoch), the last one holding end */
	base = pl_mon_bucket_base(&step, start, end, nb);
	rc = pl_ts_read_agg(&a, &n, &res, st, id, base, base + step *
	    (int64_t)nb + step - 1, step);
	if (rc != PL_OK)
		return rc;
	/*
	 * A counter's increase over a bucket counts the steps of the samples
	 * that fall in it, and a bucket holds 2 or 3 samples by chance when
	 * the step is not a multiple of the scrape interval: dividing by the
	 * step would make a steady rate jitter.  So a counter's rate is its
	 * increase per sample over the mean sample interval of the range.
	 */
	double per = (double)step;

	if (counter) {
		int64_t cnt = 0, first = INT64_MAX, last = INT64_MIN;

		for (size_t i = 0; i < n; i++) {
			if (a[i].count == 0)
				continue;
			cnt += a[i].count;
			if (a[i].t < first)
				first = a[i].t;
			if (a[i].t > last)
				last = a[i].t;
		}
		if (cnt > 1)
			per = (double)(last - first + step) / (double)cnt;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t k = (a[i].t - base) / step;
		double v;

		if (k < 0 || k >= (int64_t)nb || a[i].count == 0)
			continue;
		v = counter ? a[i].inc * 1000.0 / ((double)a[i].count * per) :
		    a[i].sum / (double)a[i].count;
		out[k] = v * d->scale;
	}
	free(a);
	return PL_OK;
}

/* ---- events of a target ---- */

static int
ev_cmp(const void *a, const void *b)
{
	const pl_event *x = a, *y = b;

	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Moves the events of src matching keep() to the end of *dst. */
static int
take(pl_event **dst, size_t *dn, pl_event *src, size_t sn,
    int (*keep)(const pl_event *, const char *), const char *arg)
{
	pl_event *nv;
	size_t k = 0;

	if (sn == 0)
		return PL_OK;
	if ((nv = realloc(*dst, (*dn + sn) * sizeof *nv)) == NULL)
		return PL_ENOMEM;
	*dst = nv;
	for (size_t i = 0; i < sn; i++) {
		if (keep && !keep(&src[i], arg))
			continue;
		nv[*dn + k++] = src[i];
		memset(&src[i], 0, sizeof src[i]);
	}
	*dn += k;
	return PL_OK;
}

/* An alert event whose labels say target="T". */
static int
names_target(const pl_event *e, const char *target)
{
	char want[300];

	snprintf(want, sizeof want, "target=\"%s\"", target);
	return e->message && strstr(e->message, want) != NULL;
}

int
pl_mon_timeline(pl_event **out, size_t *out_n, pl_store *st,
    const char *target, int64_t start, int64_t end)
{
	pl_event_query q = { .start_ms = start, .end_ms = end };
	pl_event *all = NULL, *e = NULL;
	size_t n = 0, ne = 0;
	char model[128];
	int rc;

	*out = NULL;
	*out_n = 0;
	q.target = target;
	if ((rc = pl_event_list(&e, &ne, st, &q)) != PL_OK ||
	    (rc = take(&all, &n, e, ne, NULL, NULL)) != PL_OK)
		goto out;
	pl_events_free(e, ne);
	e = NULL;
	ne = 0;
	model_of(model, sizeof model, st, target);
	if (model[0]) {
		q.target = NULL;
		q.model = model;
		if ((rc = pl_event_list(&e, &ne, st, &q)) != PL_OK ||
		    (rc = take(&all, &n, e, ne, NULL, NULL)) != PL_OK)
			goto out;
		pl_events_free(e, ne);
		e = NULL;
		ne = 0;
		q.model = NULL;
	}
	q.target = NULL;
	q.kind = "alert";
	if ((rc = pl_event_list(&e, &ne, st, &q)) != PL_OK ||
	    (rc = take(&all, &n, e, ne, names_target, target)) != PL_OK)
		goto out;
	if (n > 1) {
		size_t k = 1;

		qsort(all, n, sizeof *all, ev_cmp);
		/* a deploy names both the target and the model: once */
		for (size_t i = 1; i < n; i++) {
			if (all[i].id == all[k - 1].id) {
				pl_event_dispose(&all[i]);
				continue;
			}
			all[k++] = all[i];
		}
		n = k;
	}
	*out = all;
	*out_n = n;
	all = NULL;
	n = 0;
out:
	pl_events_free(e, ne);
	pl_events_free(all, n);
	return rc;
}

/* ---- the drift heatmap ---- */

void
pl_mon_drift_rows_free(pl_mon_drift_row *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].feature);
		free(r[i].method);
		free(r[i].score);
		free(r[i].drifted);
	}
	free(r);
}

/* The target's drift: threshold in plumb.yaml, or -1. */
static double
cfg_threshold(pl_store *st, const char *target)
{
	char model[8];
	double thr;

	target_cfg(model, sizeof model, &thr, st, target);
	return thr;
}

static int
row_cmp(const void *a, const void *b)
{
	const pl_mon_drift_row *x = a, *y = b;
	int c = strcmp(x->feature, y->feature);

	return c ? c : strcmp(x->method, y->method);
}

/* Buckets of series id into r's cells (score when !detected, else the
 * drifted marks), like pl_mon_history's gauges. */
static int
fill_cells(pl_mon_drift_row *r, int detected, pl_store *st, int64_t id,
    int64_t start, int64_t end, size_t nb)
{
	int64_t step, res;
	int64_t base = pl_mon_bucket_base(&step, start, end, nb);
	pl_ts_agg *a = NULL;
	size_t n = 0;
	int rc;

	rc = pl_ts_read_agg(&a, &n, &res, st, id, base, base + step *
	    (int64_t)nb + step - 1, step);
	if (rc != PL_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		int64_t k = (a[i].t - base) / step;

		if (k < 0 || k >= (int64_t)nb || a[i].count == 0)
			continue;
		if (detected)
			r->drifted[k] = a[i].max > 0.5;
		else {
			r->score[k] = r->pvalue ? a[i].min : a[i].max;
			r->last = a[i].last;
		}
	}
	free(a);
	return PL_OK;
}

int
pl_mon_drift_grid(pl_mon_drift_row **out, size_t *out_n, pl_store *st,
    const char *target, int64_t start, int64_t end, size_t nb)
{
	pl_matcher m[2] = {
		{ "__name__", PL_MATCH_EQ, PL_SERIES_DRIFT_SCORE },
		{ "target", PL_MATCH_EQ, target },
	};
	pl_ts_set *set = NULL, *det = NULL;
	pl_mon_drift_row *r = NULL;
	size_t n = 0;
	double thr;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (nb == 0 || end <= start)
		return PL_EINVAL;
	if ((rc = pl_ts_select(&set, st, m, 2)) != PL_OK)
		return rc;
	m[0].value = PL_SERIES_DRIFT_DETECTED;
	if ((rc = pl_ts_select(&det, st, m, 2)) != PL_OK)
		goto out;
	thr = cfg_threshold(st, target);
	if (set->n && (r = calloc(set->n, sizeof *r)) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < set->n; i++) {
		const char *f = pl_ts_label(&set->v[i], "feature");
		const char *me = pl_ts_label(&set->v[i], "method");
		pl_mon_drift_row *x = &r[n];
		int mid = me ? pl_drift_method_parse(me) : -1;

		if (f == NULL)
			continue;
		n++;
		x->feature = strdup(f);
		x->method = strdup(me ? me : "");
		x->score = malloc(nb * sizeof *x->score);
		x->drifted = calloc(nb, 1);
		if (!x->feature || !x->method || !x->score || !x->drifted) {
			rc = PL_ENOMEM;
			goto out;
		}
		for (size_t k = 0; k < nb; k++)
			x->score[k] = NAN;
		x->last = NAN;
		x->pvalue = mid > 0 && pl_drift_method_is_pvalue(mid);
		x->threshold = thr >= 0 ? thr : mid > 0 ?
		    pl_drift_default_threshold(mid) : NAN;
		if ((rc = fill_cells(x, 0, st, set->v[i].id, start, end,
		    nb)) != PL_OK)
			goto out;
		for (size_t j = 0; j < det->n; j++) {
			const char *df = pl_ts_label(&det->v[j], "feature");
			const char *dm = pl_ts_label(&det->v[j], "method");

			if (df && strcmp(df, f) == 0 && strcmp(dm ? dm : "",
			    x->method) == 0) {
				rc = fill_cells(x, 1, st, det->v[j].id, start,
				    end, nb);
				if (rc != PL_OK)
					goto out;
				break;
			}
		}
	}
	if (n > 1)
		qsort(r, n, sizeof *r, row_cmp);
	*out = r;
	*out_n = n;
	r = NULL;
	n = 0;
	rc = PL_OK;
out:
	pl_mon_drift_rows_free(r, n);
	pl_ts_set_free(set);
	pl_ts_set_free(det);
	return rc;
}
