/* pq-mem.c - an in-memory series set behind the PromQL reader interface (rule unit tests, benchmarks). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promql.h"

/*
 * Series are kept in arrival order with their samples in time order;
 * an index from the metric name to its series serves the usual
 * selector (`name{...}`) without a scan of every series, and an index
 * from the label hash serves appends.  Appends follow the rules of
 * Prometheus' head block: no sample before the series' last one, and a
 * second sample at the same time only if it is bit-identical.
 */

struct mseries {
	pq_labels *lb;
	pq_sample *s;
	size_t n, cap;
};

struct nameent {
	char *name;
	size_t *ids;
	size_t n, cap;
};

struct pq_mem {
	struct mseries *series;
	size_t n, cap;
	/* label hash -> series index + 1 (open addressing) */
	uint64_t *hk;
	size_t *hv;
	size_t hcap;
	/* name -> series indices */
	struct nameent *names;
	size_t nnames, namecap;
};

pq_mem *
pq_mem_new(void)
{
	return calloc(1, sizeof(pq_mem));
}

void
pq_mem_free(pq_mem *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		pq_labels_unref(m->series[i].lb);
		free(m->series[i].s);
	}
	free(m->series);
	free(m->hk);
	free(m->hv);
	for (size_t i = 0; i < m->namecap; i++) {
		free(m->names[i].name);
		free(m->names[i].ids);
	}
	free(m->names);
	free(m);
}

size_t
pq_mem_series_count(const pq_mem *m)
{
	return m->n;
}

static uint64_t
strhash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct nameent *
name_slot(pq_mem *m, const char *name)
{
	size_t i = (size_t)strhash(name) & (m->namecap - 1);
	while (m->names[i].name && strcmp(m->names[i].name, name) != 0)
		i = (i + 1) & (m->namecap - 1);
	return &m->names[i];
}

static int
name_add(pq_mem *m, const char *name, size_t id)
{
	if (2 * (m->nnames + 1) > m->namecap) {
		size_t oc = m->namecap, nc = oc ? 2 * oc : 64;
		struct nameent *old = m->names;
		m->names = calloc(nc, sizeof *m->names);
		if (!m->names) {
			m->names = old;
			return -1;
		}
		m->namecap = nc;
		for (size_t i = 0; i < oc; i++)
			if (old[i].name)
				*name_slot(m, old[i].name) = old[i];
		free(old);
	}
	struct nameent *e = name_slot(m, name);
	if (!e->name) {
		e->name = strdup(name);
		if (!e->name)
			return -1;
		m->nnames++;
	}
	if (e->n == e->cap) {
		size_t nc = e->cap ? 2 * e->cap : 4;
		size_t *ni = realloc(e->ids, nc * sizeof *ni);
		if (!ni)
			return -1;
		e->ids = ni;
		e->cap = nc;
	}
	e->ids[e->n++] = id;
	return 0;
}

static size_t
hslot(const pq_mem *m, const pq_labels *lb, int *found)
{
	size_t i = (size_t)(lb->hash ^ (lb->hash >> 31)) & (m->hcap - 1);
	*found = 0;
	while (m->hv[i]) {
		if (m->hk[i] == lb->hash &&
		    pq_labels_equal(m->series[m->hv[i] - 1].lb, lb)) {
			*found = 1;
			break;
		}
		i = (i + 1) & (m->hcap - 1);
	}
	return i;
}

static int
rehash(pq_mem *m)
{
	size_t nc = m->hcap ? 2 * m->hcap : 256, oc = m->hcap;
	uint64_t *ok = m->hk;
	size_t *ov = m->hv;
	int found;

	m->hk = calloc(nc, sizeof *m->hk);
	m->hv = calloc(nc, sizeof *m->hv);
	if (!m->hk || !m->hv) {
		free(m->hk);
		free(m->hv);
		m->hk = ok;
		m->hv = ov;
		return -1;
	}
	m->hcap = nc;
	for (size_t i = 0; i < oc; i++)
		if (ov[i]) {
			size_t s = hslot(m, m->series[ov[i] - 1].lb, &found);
			m->hk[s] = ok[i];
			m->hv[s] = ov[i];
		}
	free(ok);
	free(ov);
	return 0;
}

int
pq_mem_append(pq_mem *m, pq_labels *lb, int64_t t, double v, const char **why)
{
	int found;
	size_t slot;
	struct mseries *s;

	*why = "out of memory";
	if (2 * (m->n + 1) > m->hcap && rehash(m) < 0)
		return -1;
	slot = hslot(m, lb, &found);
	if (found)
		s = &m->series[m->hv[slot] - 1];
	else {
		if (m->n == m->cap) {
			size_t nc = m->cap ? 2 * m->cap : 64;
			struct mseries *ns = realloc(m->series, nc * sizeof *ns);
			if (!ns)
				return -1;
			m->series = ns;
			m->cap = nc;
		}
		s = &m->series[m->n];
		memset(s, 0, sizeof *s);
		const char *name = pq_labels_get(lb, "__name__");
		if (name_add(m, name ? name : "", m->n) < 0)
			return -1;
		s->lb = pq_labels_ref(lb);
		m->hk[slot] = lb->hash;
		m->hv[slot] = ++m->n;
	}
	if (s->n) {
		const pq_sample *last = &s->s[s->n - 1];
		if (t < last->t) {
			*why = "out of order sample";
			return -1;
		}
		if (t == last->t) {
			if (memcmp(&last->v, &v, sizeof v) == 0)
				return 0;
			*why = "duplicate sample for timestamp";
			return -1;
		}
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 16;
		pq_sample *ns = realloc(s->s, nc * sizeof *ns);
		if (!ns)
			return -1;
		s->s = ns;
		s->cap = nc;
	}
	s->s[s->n].t = t;
	s->s[s->n].v = v;
	s->n++;
	return 0;
}

static size_t
lower(const pq_sample *s, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s[mid].t < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
cmp_series(const void *a, const void *b)
{
	const pq_series *x = a, *y = b;
	return pq_labels_cmp(x->lb, y->lb);
}

static int
mem_select(void *ctx, const pq_matcher *ms, size_t nm, int64_t mint,
    int64_t maxt, pq_series **out, size_t *nout, char *err, size_t errlen)
{
	pq_mem *m = ctx;
	pq_series *res = NULL;
	size_t n = 0, cap = 0, *ids = NULL, nids = m->n;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < nm; i++)
		if (ms[i].type == PQ_MEQ && strcmp(ms[i].name, "__name__") == 0) {
			if (!m->namecap)
				return 0;
			struct nameent *e = name_slot(m, ms[i].value);
			if (!e->name)
				return 0;
			ids = e->ids;
			nids = e->n;
			break;
		}
	for (size_t k = 0; k < nids; k++) {
		struct mseries *s = &m->series[ids ? ids[k] : k];
		if (!pq_labels_match(s->lb, ms, nm))
			continue;
		size_t a = lower(s->s, s->n, mint), b = lower(s->s, s->n, maxt + 1);
		if (b <= a)
			continue;
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			pq_series *nr = realloc(res, nc * sizeof *nr);
			if (!nr) {
				free(res);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			res = nr;
			cap = nc;
		}
		res[n].lb = s->lb;
		res[n].s = s->s + a;
		res[n].n = b - a;
		n++;
	}
	if (n > 1)
		qsort(res, n, sizeof *res, cmp_series);
	*out = res;
	*nout = n;
	return 0;
}

pq_reader
pq_mem_reader(pq_mem *m)
{
	pq_reader r = { .ctx = m, .select = mem_select, .release = NULL };
	return r;
}
