/* wdrift.c - window drift: the reference sorted (and its spread taken) once, each window cleaned, sorted and tested per column (see wdrift.h). */
#include "config.h"
#include "monitor/wdrift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csvread.h"
#include "drift/stats.h"
#include "store/error.h"

struct rcol {
	char *name;
	double *v;		/* sorted, cleaned; NULL for a text column */
	size_t n;
	struct pl_drift_ref ref;	/* v prepared for the walks (n > 0) */
	struct pl_drift_column res;
	char reason[160];
};

struct pl_wdrift {
	struct rcol *cols;
	size_t ncols, ref_rows;
	struct pl_wdrift_opts o;
	double *cur, *scratch;
	size_t cap;
	size_t tested, drifted;
	double share;
	int dataset;
};

int
pl_wdrift_new(pl_wdrift **out, const char *path,
    const struct pl_wdrift_opts *opts, char *err, size_t errlen)
{
	pl_csv_table *t = NULL;
	pl_wdrift *w;
	int rc;

	*out = NULL;
	rc = pl_csv_read(&t, path, NULL, err, errlen);
	if (rc != PL_OK)
		return rc;
	w = calloc(1, sizeof *w);
	if (w == NULL)
		goto oom;
	w->o.method = PL_DRIFT_DEFAULT;
	w->o.threshold = NAN;
	w->o.drift_share = 0.5;
	if (opts) {
		w->o = *opts;
		if (!(w->o.drift_share > 0))
			w->o.drift_share = 0.5;
	}
	if (w->o.method != PL_DRIFT_DEFAULT &&
	    !pl_drift_method_applies(w->o.method, PL_DRIFT_NUMERICAL)) {
		snprintf(err, errlen, "drift method %s does not apply to numerical features",
		    pl_drift_method_name(w->o.method) ? pl_drift_method_name(w->o.method) : "?");
		pl_csv_free(t);
		pl_wdrift_free(w);
		return PL_EINVAL;
	}
	w->ncols = pl_csv_ncols(t);
	w->ref_rows = pl_csv_rows(t);
	w->cols = calloc(w->ncols ? w->ncols : 1, sizeof *w->cols);
	if (w->cols == NULL)
		goto oom;
	size_t maxn = 0;
	for (size_t i = 0; i < w->ncols; i++) {
		struct rcol *c = &w->cols[i];
		c->name = strdup(pl_csv_name(t, i));
		if (c->name == NULL)
			goto oom;
		c->res.name = c->name;
		if (pl_csv_storage(t, i) != PL_CSV_NUM)
			continue;
		c->n = pl_csv_count(t, i);
		c->v = malloc((c->n ? c->n : 1) * sizeof *c->v);
		if (c->v == NULL)
			goto oom;
		memcpy(c->v, pl_csv_num(t, i), c->n * sizeof *c->v);
		if (c->n > maxn)
			maxn = c->n;
	}
	w->scratch = malloc((maxn ? maxn : 1) * sizeof *w->scratch);
	if (w->scratch == NULL)
		goto oom;
	/*
	 * The one-time preparation: every reference column sorted, its
	 * distinct values with the empirical CDF at each, and its standard
	 * deviation (Wasserstein's scale).  Before, each window re-took the
	 * deviation (two compensated passes over 100k values, a third of an
	 * evaluation) and walked every reference value with a division and
	 * a tie scan; the results are the same bit for bit.
	 */
	for (size_t i = 0; i < w->ncols; i++) {
		struct rcol *c = &w->cols[i];
		if (c->v == NULL)
			continue;
		pl_drift_sort(c->v, c->n, w->scratch);
		if (c->n > 0 && pl_drift_ref_prepare(&c->ref, c->v, c->n) != 0)
			goto oom;
	}
	pl_csv_free(t);
	*out = w;
	return PL_OK;
oom:
	pl_csv_free(t);
	pl_wdrift_free(w);
	snprintf(err, errlen, "out of memory");
	return PL_ENOMEM;
}

void
pl_wdrift_free(pl_wdrift *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->ncols; i++) {
		free(w->cols[i].name);
		free(w->cols[i].v);
		pl_drift_ref_free(&w->cols[i].ref);
	}
	free(w->cols);
	free(w->cur);
	free(w->scratch);
	free(w);
}

size_t
pl_wdrift_ncolumns(const pl_wdrift *w)
{
	return w->ncols;
}

const char *
pl_wdrift_column_name(const pl_wdrift *w, size_t i)
{
	return i < w->ncols ? w->cols[i].name : NULL;
}

long
pl_wdrift_find(const pl_wdrift *w, const char *name)
{
	for (size_t i = 0; i < w->ncols; i++)
		if (strcmp(w->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

size_t
pl_wdrift_reference_rows(const pl_wdrift *w)
{
	return w->ref_rows;
}

int
pl_wdrift_eval(pl_wdrift *w, const double *const *cols, size_t n)
{
	if (n > w->cap) {
		double *c = realloc(w->cur, n * sizeof *c);
		double *s = c ? realloc(w->scratch, (n > w->cap ? n : w->cap) * sizeof *s) : NULL;
		if (c)
			w->cur = c;
		if (s)
			w->scratch = s;
		if (c == NULL || s == NULL)
			return PL_ENOMEM;
		w->cap = n;
	}
	/* the scratch must also hold the longest reference column */
	w->tested = w->drifted = 0;
	for (size_t i = 0; i < w->ncols; i++) {
		struct rcol *c = &w->cols[i];
		struct pl_drift_column *r = &c->res;
		memset(r, 0, sizeof *r);
		r->name = c->name;
		r->p_value = r->statistic = r->score = r->threshold = NAN;
		r->reason = c->reason;
		c->reason[0] = '\0';
		if (c->v == NULL || cols[i] == NULL) {
			r->skipped = 1;
			r->type = c->v ? PL_DRIFT_NUMERICAL : PL_DRIFT_CATEGORICAL;
			snprintf(c->reason, sizeof c->reason, "%s",
			    c->v == NULL ? "text in the reference: log features are numbers" :
			    "not in the prediction log");
			continue;
		}
		size_t m = 0, miss = 0;
		for (size_t k = 0; k < n; k++) {
			double x = cols[i][k];
			if (isnan(x) || isinf(x)) {
				miss++;
				continue;
			}
			w->cur[m++] = x == 0 ? 0.0 : x;	/* -0.0 is 0.0 */
		}
		pl_drift_sort(w->cur, m, w->scratch);
		int rc = c->n == 0 ?
		    pl__drift_sorted(r, c->v, c->n, w->cur, m,
		    PL_DRIFT_NUMERICAL, w->o.method, w->o.threshold, c->reason,
		    sizeof c->reason) :
		    pl__drift_sorted_ref(r, &c->ref, w->cur, m,
		    PL_DRIFT_NUMERICAL, w->o.method, w->o.threshold, c->reason,
		    sizeof c->reason);
		if (rc != PL_OK)
			return rc;
		r->current_missing = miss;
		if (r->skipped)
			continue;
		r->reason = NULL;
		w->tested++;
		w->drifted += r->drift != 0;
	}
	w->share = w->tested ? (double)w->drifted / (double)w->tested : 0.0;
	w->dataset = w->tested > 0 && w->share >= w->o.drift_share;
	return PL_OK;
}

const struct pl_drift_column *
pl_wdrift_result(const pl_wdrift *w, size_t i)
{
	return i < w->ncols ? &w->cols[i].res : NULL;
}

size_t
pl_wdrift_tested(const pl_wdrift *w)
{
	return w->tested;
}

size_t
pl_wdrift_drifted(const pl_wdrift *w)
{
	return w->drifted;
}

double
pl_wdrift_share(const pl_wdrift *w)
{
	return w->share;
}

int
pl_wdrift_dataset_drift(const pl_wdrift *w)
{
	return w->dataset;
}
