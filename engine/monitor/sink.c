/* sink.c - the per-target buffer sources write samples, events and states into. */
#include "config.h"
#include "monitor/source.h"

#include <stdlib.h>
#include <string.h>

#include "store/error.h"
#include "store/events.h"

struct qsample {
	char *name;
	pl_label *labels;	/* one block: array then strings */
	size_t nlabels;
	int64_t t;
	double v;
};

struct qevent {
	int64_t t;
	char *kind, *message;
};

struct qstate {
	char *key, *state, *detail;
};

struct pl_mon_sink {
	char *target;
	struct qsample *s;
	size_t n, cap;
	struct qevent *e;
	size_t ne, ecap;
	struct qstate *st;
	size_t nst, stcap;
};

#define GROW(arr, n, cap) do {						\
	if ((n) == (cap)) {						\
		size_t nc_ = (cap) ? (cap) * 2 : 64;			\
		void *p_ = realloc((arr), nc_ * sizeof *(arr));		\
		if (p_ == NULL)						\
			return PL_ENOMEM;				\
		(arr) = p_;						\
		(cap) = nc_;						\
	}								\
} while (0)

int
pl_mon_sink_new(pl_mon_sink **out, const char *target)
{
	pl_mon_sink *k = calloc(1, sizeof *k);

	*out = NULL;
	if (k == NULL || (k->target = strdup(target ? target : "")) == NULL) {
		free(k);
		return PL_ENOMEM;
	}
	*out = k;
	return PL_OK;
}

void
pl_mon_sink_reset(pl_mon_sink *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->s[i].name);
		free(k->s[i].labels);
	}
	k->n = 0;
	for (size_t i = 0; i < k->ne; i++) {
		free(k->e[i].kind);
		free(k->e[i].message);
	}
	k->ne = 0;
	for (size_t i = 0; i < k->nst; i++) {
		free(k->st[i].key);
		free(k->st[i].state);
		free(k->st[i].detail);
	}
	k->nst = 0;
}

void
pl_mon_sink_free(pl_mon_sink *k)
{
	if (k == NULL)
		return;
	pl_mon_sink_reset(k);
	free(k->s);
	free(k->e);
	free(k->st);
	free(k->target);
	free(k);
}

int
pl_mon_sink_sample(pl_mon_sink *k, const char *name, const pl_label *labels,
    size_t nl, int64_t t_ms, double v)
{
	size_t bytes = 0, m = 0;
	struct qsample *q;
	char *w;

	GROW(k->s, k->n, k->cap);
	for (size_t i = 0; i < nl; i++)
		if (strcmp(labels[i].name, "target") != 0)
			bytes += strlen(labels[i].name) +
			    strlen(labels[i].value ? labels[i].value : "") + 2;
	bytes += sizeof "target" + strlen(k->target) + 1;
	q = &k->s[k->n];
	q->labels = malloc((nl + 1) * sizeof *q->labels + bytes);
	q->name = strdup(name);
	if (q->labels == NULL || q->name == NULL) {
		free(q->labels);
		free(q->name);
		return PL_ENOMEM;
	}
	w = (char *)(q->labels + nl + 1);
	for (size_t i = 0; i <= nl; i++) {
		const char *ln = i < nl ? labels[i].name : "target";
		const char *lv = i < nl ? (labels[i].value ?
		    labels[i].value : "") : k->target;
		size_t a = strlen(ln) + 1, b = strlen(lv) + 1;

		if (i < nl && strcmp(ln, "target") == 0)
			continue;
		memcpy(w, ln, a);
		q->labels[m].name = w;
		w += a;
		memcpy(w, lv, b);
		q->labels[m].value = w;
		w += b;
		m++;
	}
	q->nlabels = m;
	q->t = t_ms;
	q->v = v;
	k->n++;
	return PL_OK;
}

int
pl_mon_sink_event(pl_mon_sink *k, int64_t t_ms, const char *kind,
    const char *message)
{
	GROW(k->e, k->ne, k->ecap);
	k->e[k->ne].t = t_ms;
	k->e[k->ne].kind = strdup(kind);
	k->e[k->ne].message = strdup(message ? message : "");
	if (!k->e[k->ne].kind || !k->e[k->ne].message) {
		free(k->e[k->ne].kind);
		free(k->e[k->ne].message);
		return PL_ENOMEM;
	}
	k->ne++;
	return PL_OK;
}

int
pl_mon_sink_state(pl_mon_sink *k, const char *key, const char *state,
    const char *detail)
{
	GROW(k->st, k->nst, k->stcap);
	k->st[k->nst].key = strdup(key);
	k->st[k->nst].state = strdup(state);
	k->st[k->nst].detail = strdup(detail ? detail : "");
	if (!k->st[k->nst].key || !k->st[k->nst].state ||
	    !k->st[k->nst].detail) {
		free(k->st[k->nst].key);
		free(k->st[k->nst].state);
		free(k->st[k->nst].detail);
		return PL_ENOMEM;
	}
	k->nst++;
	return PL_OK;
}

size_t
pl_mon_sink_nsamples(const pl_mon_sink *k)
{
	return k->n;
}

void
pl_mon_sink_get(pl_mon_queued *out, const pl_mon_sink *k, size_t i)
{
	out->name = k->s[i].name;
	out->labels = k->s[i].labels;
	out->nlabels = k->s[i].nlabels;
	out->t_ms = k->s[i].t;
	out->v = k->s[i].v;
}

size_t
pl_mon_sink_nevents(const pl_mon_sink *k)
{
	return k->ne;
}

void
pl_mon_sink_event_get(int64_t *t_ms, const char **kind, const char **message,
    const pl_mon_sink *k, size_t i)
{
	*t_ms = k->e[i].t;
	*kind = k->e[i].kind;
	*message = k->e[i].message;
}

size_t
pl_mon_sink_nstates(const pl_mon_sink *k)
{
	return k->nst;
}

void
pl_mon_sink_state_get(const char **key, const char **state,
    const char **detail, const pl_mon_sink *k, size_t i)
{
	*key = k->st[i].key;
	*state = k->st[i].state;
	*detail = k->st[i].detail;
}

const char *
pl_mon_sink_target(const pl_mon_sink *k)
{
	return k->target;
}

int
pl_mon_sink_drain(size_t *out_n, pl_mon_sink *k, pl_ts_writer *w,
    pl_store *st)
{
	size_t done = 0;
	int rc = PL_OK;

	if (out_n)
		*out_n = 0;
	for (size_t i = 0; i < k->n; i++) {
		rc = pl_ts_append(w, k->s[i].name, k->s[i].labels,
		    k->s[i].nlabels, k->s[i].t, k->s[i].v);
		if (rc == PL_EINVAL)
			continue;	/* a bad name from a source: skip it */
		if (rc != PL_OK)
			return rc;
		done++;
	}
	for (size_t i = 0; i < k->ne && st; i++)
		if ((rc = pl_event_append(st, k->e[i].t, k->e[i].kind,
		    k->target, NULL, 0, k->e[i].message)) != PL_OK)
			return rc;
	if (out_n)
		*out_n = done;
	return PL_OK;
}
