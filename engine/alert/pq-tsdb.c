/* pq-tsdb.c - the PromQL reader over plumb's series store: selects pushed to the label index, samples decoded from chunks. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/pq-tsdb.h"
#include "monitor/tsdb.h"
#include "store/error.h"

struct pq_tsdb {
	pl_store *st;
	/* what select() handed out, freed by release() */
	pq_labels **lbs;
	size_t nlbs, caplbs;
	pq_sample **samples;
	size_t nsamples, capsamples;
	pq_series **outs;
	size_t nouts, capouts;
};

pq_tsdb *
pq_tsdb_new(pl_store *st)
{
	pq_tsdb *t = calloc(1, sizeof *t);

	if (t)
		t->st = st;
	return t;
}

static void
tsdb_release(void *ctx)
{
	pq_tsdb *t = ctx;

	for (size_t i = 0; i < t->nlbs; i++)
		pq_labels_unref(t->lbs[i]);
	for (size_t i = 0; i < t->nsamples; i++)
		free(t->samples[i]);
	t->nlbs = t->nsamples = t->nouts = 0;
}

void
pq_tsdb_free(pq_tsdb *t)
{
	if (t == NULL)
		return;
	tsdb_release(t);
	free(t->lbs);
	free(t->samples);
	free(t->outs);
	free(t);
}

/* Keeps p (an array of n pointers, grown by doubling) for release(). */
static int
keep(void ***arr, size_t *n, size_t *cap, void *p)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void **g = realloc(*arr, nc * sizeof *g);

		if (g == NULL)
			return -1;
		*arr = g;
		*cap = nc;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

/* The series' labels as PromQL sees them: __name__ plus its labels. */
static pq_labels *
series_labels(const pl_ts_series *s)
{
	pq_label stackl[32], *l = stackl;
	pq_labels *lb;

	if (s->nlabels + 1 > sizeof stackl / sizeof stackl[0] &&
	    (l = malloc((s->nlabels + 1) * sizeof *l)) == NULL)
		return NULL;
	l[0].name = "__name__";
	l[0].value = s->name;
	for (size_t i = 0; i < s->nlabels; i++) {
		l[i + 1].name = s->labels[i].name;
		l[i + 1].value = s->labels[i].value;
	}
	lb = pq_labels_new(l, s->nlabels + 1);
	if (l != stackl)
		free(l);
	return lb;
}

static int
tsdb_select(void *ctx, const pq_matcher *m, size_t nm, int64_t mint,
    int64_t maxt, pq_series **out, size_t *nout, char *err, size_t errlen)
{
	pq_tsdb *t = ctx;
	pl_matcher *pm = NULL;
	pl_ts_set *set = NULL;
	pq_series *res = NULL;
	size_t npm = 0, nres = 0;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	/* Only non-empty equalities go to the index: "" means "absent"
	 * there too, but regexes keep PromQL's own dialect, applied below. */
	if (nm && (pm = calloc(nm, sizeof *pm)) == NULL)
		goto oom;
	for (size_t i = 0; i < nm; i++) {
		if (m[i].type != PQ_MEQ || m[i].value[0] == '\0')
			continue;
		pm[npm].name = m[i].name;
		pm[npm].op = PL_MATCH_EQ;
		pm[npm].value = m[i].value;
		npm++;
	}
	if (pl_ts_select(&set, t->st, pm, npm) != PL_OK) {
		snprintf(err, errlen, "series store: %s",
		    pl_store_errmsg(t->st));
		goto done;
	}
	if (set->n && (res = calloc(set->n, sizeof *res)) == NULL)
		goto oom;
	for (size_t i = 0; i < set->n; i++) {
		pl_ts_sample *s = NULL;
		size_t ns = 0;
		pq_labels *lb = series_labels(&set->v[i]);

		if (lb == NULL)
			goto oom;
		if (!pq_labels_match(lb, m, nm)) {
			pq_labels_unref(lb);
			continue;
		}
		if (keep((void ***)&t->lbs, &t->nlbs, &t->caplbs, lb) < 0) {
			pq_labels_unref(lb);
			goto oom;
		}
		if (pl_ts_read(&s, &ns, t->st, set->v[i].id, mint, maxt) !=
		    PL_OK) {
			snprintf(err, errlen, "series store: %s",
			    pl_store_errmsg(t->st));
			goto done;
		}
		if (ns == 0) {
			free(s);
			continue;
		}
		/* pl_ts_sample and pq_sample are both {int64_t t; double v}. */
		if (keep((void ***)&t->samples, &t->nsamples, &t->capsamples,
		    s) < 0) {
			free(s);
			goto oom;
		}
		_Static_assert(sizeof(pl_ts_sample) == sizeof(pq_sample),
		    "sample layouts differ");
		res[nres].lb = lb;
		res[nres].s = (const pq_sample *)(const void *)s;
		res[nres].n = ns;
		nres++;
	}
	*out = res;
	*nout = nres;
	res = NULL;
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory");
done:
	free(res);
	free(pm);
	pl_ts_set_free(set);
	return rc;
}

pq_reader
pq_tsdb_reader(pq_tsdb *t)
{
	pq_reader r = { .ctx = t, .select = tsdb_select,
	    .release = tsdb_release };

	return r;
}
