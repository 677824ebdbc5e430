/* rule-eval.c - evaluating a rule group: recording rules, the alert state machine, ALERTS series and staleness markers. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rules.h"
#include "template.h"

/*
 * rules/alerting.go (AlertingRule.Eval), rules/recording.go and
 * rules/manager.go (Group.Eval) of Prometheus 2.42:
 *  - each output sample of an alerting rule is an alert instance named by
 *    its labels minus __name__, plus the rule's (templated) labels, plus
 *    alertname; a new one is pending with ActiveAt = ts;
 *  - pending becomes firing at the first evaluation with
 *    ts - ActiveAt >= for;
 *  - a missing pending instance is dropped; a missing firing one resolves
 *    (inactive, ResolvedAt = ts), unless keep_firing_for holds it while
 *    ts - KeepFiringSince < keep_firing_for; resolved instances are kept
 *    15 minutes (for resending as resolved) and a reappearance starts a
 *    fresh pending period;
 *  - ALERTS{alertstate} = 1 and ALERTS_FOR_STATE = ActiveAt (seconds) are
 *    written for every pending and firing instance;
 *  - a series a rule wrote last time and not now gets a staleness marker.
 */

#define RESOLVED_RETENTION_MS (15 * 60 * 1000)

void
pl__go_duration(char *out, size_t len, int64_t ms)
{
	size_t o = 0;

	if (ms == 0) {
		snprintf(out, len, "0s");
		return;
	}
	if (ms < 0) {
		o += (size_t)snprintf(out, len, "-");
		ms = -ms;
	}
	if (ms < 1000) {
		snprintf(out + o, len - o, "%lldms", (long long)ms);
		return;
	}
	int64_t h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60,
	    frac = ms % 1000;
	if (h)
		o += (size_t)snprintf(out + o, len - o, "%lldh", (long long)h);
	if (h || m)
		o += (size_t)snprintf(out + o, len - o, "%lldm", (long long)m);
	if (frac) {
		char f[8];
		snprintf(f, sizeof f, "%03lld", (long long)frac);
		for (int i = 2; i > 0 && f[i] == '0'; i--)
			f[i] = 0;
		snprintf(out + o, len - o, "%lld.%ss", (long long)s, f);
	} else
		snprintf(out + o, len - o, "%llds", (long long)s);
}

static int
rule_error(struct pl_rule *r, const char *msg)
{
	r->has_err = 1;
	snprintf(r->err, sizeof r->err, "%s", msg);
	return -1;
}

/* Expands one template; a runtime error renders as Prometheus does. */
static char *
expand(const struct tmpl *t, const struct tmpl_data *d)
{
	struct buf b = BUF_INIT;
	char err[256];

	if (tmpl_exec(t, d, &b, err, sizeof err) < 0) {
		buf_clear(&b);
		buf_printf(&b, "<error expanding template: %s>", err);
	}
	return buf_detach(&b);
}

struct outv {
	pq_labels **lb;
	double *v;
	size_t n, cap;
};

static int
out_push(struct outv *o, pq_labels *lb, double v)
{
	if (!lb)
		return -1;
	if (o->n == o->cap) {
		size_t nc = o->cap ? 2 * o->cap : 16;
		pq_labels **nl = realloc(o->lb, nc * sizeof *nl);
		if (!nl) {
			pq_labels_unref(lb);
			return -1;
		}
		o->lb = nl;
		double *nv = realloc(o->v, nc * sizeof *nv);
		if (!nv) {
			pq_labels_unref(lb);
			return -1;
		}
		o->v = nv;
		o->cap = nc;
	}
	o->lb[o->n] = lb;
	o->v[o->n] = v;
	o->n++;
	return 0;
}

static void
out_dispose(struct outv *o)
{
	for (size_t i = 0; i < o->n; i++)
		pq_labels_unref(o->lb[i]);
	free(o->lb);
	free(o->v);
}

static int
has_dups(pq_labels **lb, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (pq_labels_equal(lb[i], lb[j]))
				return 1;
	return 0;
}

/* Sorted-hash duplicate check for large outputs. */
static int
cmp_lbp(const void *a, const void *b)
{
	const pq_labels *x = *(pq_labels *const *)a, *y = *(pq_labels *const *)b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return pq_labels_cmp(x, y);
}

static int
dups(pq_labels **lb, size_t n)
{
	if (n < 32)
		return has_dups(lb, n);
	pq_labels **c = malloc(n * sizeof *c);
	int d = 0;
	if (!c)
		return has_dups(lb, n);
	memcpy(c, lb, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_lbp);
	for (size_t i = 1; i < n && !d; i++)
		d = pq_labels_equal(c[i - 1], c[i]);
	free(c);
	return d;
}

static int
eval_record(struct pl_rule *r, pq_result *res, struct outv *out)
{
	for (size_t i = 0; i < res->vec.n; i++) {
		pq_label tmp[res->vec.e[i].lb->n + r->nlabels + 1];
		size_t k = 0;
		const pq_labels *src = res->vec.e[i].lb;
		for (size_t j = 0; j < src->n; j++)
			tmp[k++] = src->l[j];
		tmp[k++] = (pq_label){ "__name__", r->name };
		for (size_t j = 0; j < r->nlabels; j++)
			tmp[k++] = (pq_label){ r->lnames[j], r->lraw[j] };
		if (out_push(out, pq_labels_new(tmp, k), res->vec.e[i].v) < 0)
			return rule_error(r, "out of memory");
	}
	if (dups(out->lb, out->n))
		return rule_error(r, "vector contains metrics with the same "
		    "labelset after applying rule labels");
	return 0;
}

static struct pl_alert *
find_alert(struct pl_rule *r, const pq_labels *lb)
{
	for (size_t i = 0; i < r->nact; i++)
		if (pq_labels_equal(r->act[i].labels, lb))
			return &r->act[i];
	return NULL;
}

static pq_labels *
alerts_series(const struct pl_rule *r, const struct pl_alert *a, int for_state)
{
	pq_label tmp[a->labels->n + 3];
	size_t k = 0;
	for (size_t j = 0; j < a->labels->n; j++)
		tmp[k++] = a->labels->l[j];
	tmp[k++] = (pq_label){ "__name__", for_state ? "ALERTS_FOR_STATE" :
	    "ALERTS" };
	tmp[k++] = (pq_label){ "alertname", r->name };
	if (!for_state)
		tmp[k++] = (pq_label){ "alertstate",
		    a->state == PL_ALERT_FIRING ? "firing" : "pending" };
	return pq_labels_new(tmp, k);
}

/*
 * The state transitions after the merge.  in_output[i] says whether
 * r->act[i] was produced at ts.
 */
static int
transitions(struct pl_rule *r, const int *in_output, int64_t ts,
    struct outv *out)
{
	size_t w = 0;

	for (size_t i = 0; i < r->nact; i++) {
		struct pl_alert *a = &r->act[i];
		int keep = 1;
		if (!in_output[i]) {
			int keep_firing = 0;
			if (a->state == PL_ALERT_FIRING && r->keep_firing_ms > 0) {
				if (!a->has_keep) {
					a->has_keep = 1;
					a->keep_firing_since = ts;
				}
				if (ts - a->keep_firing_since < r->keep_firing_ms)
					keep_firing = 1;
			}
			if (!keep_firing) {
				if (a->state == PL_ALERT_PENDING ||
				    (a->has_resolved &&
				    ts - a->resolved_at > RESOLVED_RETENTION_MS))
					keep = 0;
				if (a->state != PL_ALERT_INACTIVE) {
					a->state = PL_ALERT_INACTIVE;
					a->resolved_at = ts;
					a->has_resolved = 1;
				}
				if (!keep) {
					pq_labels_unref(a->labels);
					pq_labels_unref(a->annotations);
				} else
					r->act[w++] = *a;
				continue;
			}
		} else
			a->has_keep = 0;
		if (a->state == PL_ALERT_PENDING && ts - a->active_at >= r->for_ms) {
			a->state = PL_ALERT_FIRING;
			a->fired_at = ts;
		}
		if (out_push(out, alerts_series(r, a, 0), 1) < 0 ||
		    out_push(out, alerts_series(r, a, 1),
		    (double)(a->active_at / 1000)) < 0) {
			r->act[w++] = *a;
			for (size_t j = i + 1; j < r->nact; j++)
				r->act[w++] = r->act[j];
			r->nact = w;
			return rule_error(r, "out of memory");
		}
		r->act[w++] = *a;
	}
	r->nact = w;
	return 0;
}

/*
 * Alerting rule: build the instances, merge them into the active set,
 * then run the transitions.
 */
static int
eval_alert_rule(struct pl_rule *r, pq_result *res, int64_t ts,
    const pq_labels *ext_labels, const char *ext_url, struct outv *out)
{
	size_t n = res->vec.n;
	pq_labels **ids = calloc(n + 1, sizeof *ids);
	pq_labels **anns = calloc(n + 1, sizeof *anns);
	int *in_output = NULL, rc = -1;

	if (!ids || !anns) {
		rule_error(r, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const pq_elem *e = &res->vec.e[i];
		struct tmpl_data d = { .labels = e->lb, .value = e->v,
		    .ext_labels = ext_labels, .ext_url = ext_url };
		pq_label tmp[e->lb->n + r->nlabels + 1];
		char *vals[r->nlabels + 1], *avals[r->nann + 1];
		pq_label an[r->nann + 1];
		size_t k = 0;
		for (size_t j = 0; j < e->lb->n; j++)
			if (strcmp(e->lb->l[j].name, "__name__") != 0)
				tmp[k++] = e->lb->l[j];
		for (size_t j = 0; j < r->nlabels; j++) {
			vals[j] = expand(r->ltmpl[j], &d);
			tmp[k++] = (pq_label){ r->lnames[j], vals[j] ? vals[j] : "" };
		}
		tmp[k++] = (pq_label){ "alertname", r->name };
		ids[i] = pq_labels_new(tmp, k);
		for (size_t j = 0; j < r->nann; j++) {
			avals[j] = expand(r->atmpl[j], &d);
			an[j] = (pq_label){ r->anames[j], avals[j] ? avals[j] : "" };
		}
		anns[i] = pq_labels_new(an, r->nann);
		for (size_t j = 0; j < r->nlabels; j++)
			free(vals[j]);
		for (size_t j = 0; j < r->nann; j++)
			free(avals[j]);
		if (!ids[i] || !anns[i]) {
			rule_error(r, "out of memory");
			goto done;
		}
	}
	if (dups(ids, n)) {
		rule_error(r, "vector contains metrics with the same labelset "
		    "after applying alert labels");
		goto done;
	}
	/* room for every new instance */
	if (r->nact + n > r->capact) {
		size_t nc = r->nact + n + 8;
		struct pl_alert *na = realloc(r->act, nc * sizeof *na);
		if (!na) {
			rule_error(r, "out of memory");
			goto done;
		}
		r->act = na;
		r->capact = nc;
	}
	in_output = calloc(r->nact + n + 1, sizeof *in_output);
	if (!in_output) {
		rule_error(r, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		struct pl_alert *a = find_alert(r, ids[i]);
		if (a && a->state != PL_ALERT_INACTIVE) {
			a->value = res->vec.e[i].v;
			pq_labels_unref(a->annotations);
			a->annotations = anns[i];
			anns[i] = NULL;
			in_output[a - r->act] = 1;
			continue;
		}
		if (!a)
			a = &r->act[r->nact++];
		else {
			pq_labels_unref(a->labels);
			pq_labels_unref(a->annotations);
		}
		memset(a, 0, sizeof *a);
		a->labels = ids[i];
		a->annotations = anns[i];
		ids[i] = anns[i] = NULL;
		a->state = PL_ALERT_PENDING;
		a->active_at = ts;
		a->value = res->vec.e[i].v;
		in_output[a - r->act] = 1;
	}
	rc = transitions(r, in_output, ts, out);
done:
	for (size_t i = 0; i < n; i++) {
		if (ids)
			pq_labels_unref(ids[i]);
		if (anns)
			pq_labels_unref(anns[i]);
	}
	free(ids);
	free(anns);
	free(in_output);
	return rc;
}

/* Is x in l (sorted by cmp_lbp)? */
static int
in_sorted(pq_labels *const *l, size_t n, const pq_labels *x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_lbp(&l[mid], &x);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
pl__group_eval(struct pl_rgroup *g, const pq_reader *rd, pl_append_fn append,
    void *actx, int64_t ts, const pq_labels *ext_labels, const char *ext_url)
{
	int failed = 0;

	for (size_t i = 0; i < g->n; i++) {
		struct pl_rule *r = &g->rules[i];
		pq_result res;
		struct outv out = { 0 };
		char err[512];
		int rc;

		r->has_err = 0;
		r->err[0] = 0;
		if (pq_eval_instant(&res, r->expr, rd, ts, err, sizeof err) < 0) {
			rule_error(r, err);
			failed++;
			continue;
		}
		if (res.type == PQ_T_SCALAR) {
			/* EngineQueryFunc: a scalar is one sample, no labels */
			pq_vector v = { 0 };
			pq_elem e = { pq_labels_new(NULL, 0), res.scalar };
			if (!e.lb) {
				rule_error(r, "out of memory");
				failed++;
				continue;
			}
			v.e = malloc(sizeof *v.e);
			if (!v.e) {
				pq_labels_unref(e.lb);
				rule_error(r, "out of memory");
				failed++;
				continue;
			}
			v.e[0] = e;
			v.n = v.cap = 1;
			res.vec = v;
			res.type = PQ_T_VECTOR;
		}
		rc = r->alert ? eval_alert_rule(r, &res, ts, ext_labels, ext_url,
		    &out) : eval_record(r, &res, &out);
		pq_result_dispose(&res);
		if (rc < 0) {
			out_dispose(&out);
			failed++;
			continue;
		}
		/* Write the output; the first failure marks the rule. */
		pq_labels **written = calloc(out.n + 1, sizeof *written);
		size_t nw = 0;
		if (!written) {
			out_dispose(&out);
			rule_error(r, "out of memory");
			failed++;
			continue;
		}
		for (size_t j = 0; j < out.n; j++) {
			const char *why;
			if (append(actx, out.lb[j], ts, out.v[j], &why) < 0) {
				if (!r->has_err) {
					rule_error(r, why);
					failed++;
				}
			} else
				written[nw++] = pq_labels_ref(out.lb[j]);
		}
		/* Stale markers for what was written last time only. */
		qsort(written, nw, sizeof *written, cmp_lbp);
		for (size_t j = 0; j < r->nprev; j++) {
			const char *why;
			if (!in_sorted(written, nw, r->prev[j]))
				(void)append(actx, r->prev[j], ts, pq_stale_nan(),
				    &why);
			pq_labels_unref(r->prev[j]);
		}
		free(r->prev);
		r->prev = written;
		r->nprev = nw;
		out_dispose(&out);
	}
	return failed;
}
