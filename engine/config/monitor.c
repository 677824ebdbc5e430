/* monitor.c - parsing plumb.yaml's monitor: section (targets, sources, retention) from a ynode tree. */
#include "config.h"
#include "config/monitor.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"
#include "store/internal.h"
#include "config/ynode.h"

struct mp {
	const char *dir;
	char *err;
	size_t errlen;
	int rc;
};

static int __attribute__((format(printf, 3, 4)))
merr(struct mp *p, const ynode *n, const char *fmt, ...)
{
	va_list ap;

	if (p->rc != PL_OK)
		return p->rc;	/* the first error is the one reported */
	p->rc = PL_EINVAL;
	va_start(ap, fmt);
	yn_verrf(p->err, p->errlen, NULL, n, fmt, ap);
	va_end(ap);
	return p->rc;
}

static int
moom(struct mp *p)
{
	if (p->rc == PL_OK) {
		p->rc = PL_ENOMEM;
		snprintf(p->err, p->errlen, "out of memory");
	}
	return p->rc;
}

/* Checks that every key of map is one of known (NULL-terminated); the
 * error names the key, where it is, the section, and what is allowed. */
static int
keys_known(struct mp *p, const ynode *map, const char *what,
    const char *const *known)
{
	for (size_t i = 0; i < map->n && p->rc == PL_OK; i++) {
		const ynode *k = yn_key(map, i);
		int ok = 0;

		for (size_t j = 0; known[j] && !ok; j++)
			ok = strcmp(k->str, known[j]) == 0;
		if (!ok) {
			const char *best = pl__closest(k->str, known);
			char list[400];
			size_t off = 0;

			list[0] = '\0';
			for (size_t j = 0; known[j] && off < sizeof list; j++)
				off += (size_t)snprintf(list + off,
				    sizeof list - off, "%s%s", j ? ", " : "",
				    known[j]);
			if (best)
				merr(p, k, "unknown key '%s' in %s (did you "
				    "mean '%s'?)", k->str, what, best);
			else
				merr(p, k, "unknown key '%s' in %s (expected "
				    "%s)", k->str, what, list);
		}
	}
	return p->rc;
}

static int
is_null(const ynode *v)
{
	return v == NULL || (v->kind == YN_SCALAR &&
	    yn_scalar_type(v) == YT_NULL);
}

static int
want_map(struct mp *p, const ynode *v, const char *what)
{
	if (v->kind != YN_MAP)
		return merr(p, v, "%s must be a mapping, not %s", what,
		    yn_a_type(v));
	return PL_OK;
}

static int
want_str(struct mp *p, const ynode *v, const char *what, char **out)
{
	if (v->kind != YN_SCALAR || yn_scalar_type(v) == YT_NULL)
		return merr(p, v, "%s must be a string, not %s", what,
		    yn_a_type(v));
	free(*out);
	if ((*out = strdup(v->str)) == NULL)
		return moom(p);
	return PL_OK;
}

static int
want_path(struct mp *p, const ynode *v, const char *what, char **out)
{
	char *s = NULL;

	if (want_str(p, v, what, &s) != PL_OK)
		return p->rc;
	if (s[0] == '\0') {
		free(s);
		return merr(p, v, "%s must not be empty", what);
	}
	free(*out);
	if (s[0] == '/' || p->dir == NULL) {
		*out = s;
		return PL_OK;
	}
	if (asprintf(out, "%s/%s", p->dir, s) < 0) {
		*out = NULL;
		free(s);
		return moom(p);
	}
	free(s);
	return PL_OK;
}

static int
want_list(struct mp *p, const ynode *v, const char *what, char ***out,
    size_t *out_n)
{
	if (v->kind == YN_SCALAR && yn_scalar_type(v) != YT_NULL) {
		if ((*out = calloc(1, sizeof **out)) == NULL)
			return moom(p);
		*out_n = 1;
		return want_str(p, v, what, &(*out)[0]);
	}
	if (v->kind != YN_SEQ)
		return merr(p, v, "%s must be a list of names, not %s", what,
		    yn_a_type(v));
	if ((*out = calloc(v->n + 1, sizeof **out)) == NULL)
		return moom(p);
	for (size_t i = 0; i < v->n && p->rc == PL_OK; i++) {
		want_str(p, v->items[i], what, &(*out)[i]);
		*out_n = i + 1;
	}
	return p->rc;
}

int
pl_duration_parse(double *out_s, const char *s)
{
	char *end;
	double total = 0;
	int any = 0;

	*out_s = 0;
	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	double plain = strtod(s, &end);
	if (*end == '\0' && errno == 0 && isfinite(plain) && plain >= 0) {
		*out_s = plain;
		return 0;
	}
	while (*s) {
		double v, mul;

		if (!isdigit((unsigned char)*s))
			return -1;
		v = strtod(s, &end);
		if (end == s)
			return -1;
		s = end;
		if (s[0] == 'm' && s[1] == 's') {
			mul = 0.001;
			s += 2;
		} else {
			switch (*s) {
			case 's': mul = 1; break;
			case 'm': mul = 60; break;
			case 'h': mul = 3600; break;
			case 'd': mul = 86400; break;
			case 'w': mul = 7 * 86400; break;
			case 'y': mul = 365 * 86400; break;
			default: return -1;
			}
			s++;
		}
		total += v * mul;
		any = 1;
	}
	if (!any)
		return -1;
	*out_s = total;
	return 0;
}

static int
want_duration(struct mp *p, const ynode *v, const char *what, double *out,
    int allow_zero)
{
	if (v->kind != YN_SCALAR || pl_duration_parse(out, v->str) < 0)
		return merr(p, v, "%s must be a duration like 15s, 5m, 1h30m "
		    "or 7d, not '%s'", what, v->kind == YN_SCALAR ? v->str :
		    yn_a_type(v));
	if (!allow_zero && *out <= 0)
		return merr(p, v, "%s must be more than zero", what);
	return PL_OK;
}

static int
want_count(struct mp *p, const ynode *v, const char *what, int64_t *out)
{
	double d;

	if (v->kind != YN_SCALAR || yn_number(v, &d) != 0 || d < 0 ||
	    d != floor(d) || d > 1e15)
		return merr(p, v, "%s must be a whole number >= 0", what);
	*out = (int64_t)d;
	return PL_OK;
}

static int
want_size(struct mp *p, const ynode *v, const char *what, int64_t *out)
{
	static const struct { const char *u; double m; } units[] = {
		{ "", 1 }, { "B", 1 }, { "kB", 1e3 }, { "KB", 1e3 },
		{ "MB", 1e6 }, { "GB", 1e9 }, { "KiB", 1024.0 },
		{ "MiB", 1048576.0 }, { "GiB", 1073741824.0 }, { NULL, 0 }
	};
	char *end;
	double d;

	if (v->kind == YN_SCALAR) {
		errno = 0;
		d = strtod(v->str, &end);
		while (*end == ' ')
			end++;
		for (size_t i = 0; units[i].u && end != v->str; i++)
			if (strcmp(end, units[i].u) == 0 && errno == 0 &&
			    d > 0 && isfinite(d)) {
				*out = (int64_t)(d * units[i].m);
				return PL_OK;
			}
	}
	return merr(p, v, "%s must be a size like 10MB or 1048576, not '%s'",
	    what, v->kind == YN_SCALAR ? v->str : yn_a_type(v));
}

static int
want_number(struct mp *p, const ynode *v, const char *what, double *out)
{
	if (v->kind != YN_SCALAR || yn_number(v, out) != 0 ||
	    !isfinite(*out))
		return merr(p, v, "%s must be a number", what);
	return PL_OK;
}

static void
at(size_t *line, size_t *col, const ynode *n)
{
	*line = (size_t)n->line;
	*col = (size_t)n->col;
}

/* ---- target parts ---- */

static void
parse_http(struct mp *p, const ynode *v, const char *what, pl_mon_http *h,
    int scrape)
{
	static const char *const pkeys[] = { "url", "timeout", "ca", NULL };
	static const char *const skeys[] = { "url", "timeout", "limit", "ca",
	    NULL };
	const ynode *url = v;

	at(&h->line, &h->col, v);
	if (v->kind == YN_MAP) {
		if (keys_known(p, v, what, scrape ? skeys : pkeys) != PL_OK)
			return;
		url = yn_get(v, "url");
		if (url == NULL) {
			merr(p, v, "%s needs a url", what);
			return;
		}
		if (yn_get(v, "timeout"))
			want_duration(p, yn_get(v, "timeout"), "timeout",
			    &h->timeout_s, 0);
		if (scrape && yn_get(v, "limit"))
			want_size(p, yn_get(v, "limit"), "limit", &h->limit);
		if (p->rc == PL_OK && yn_get(v, "ca"))
			want_path(p, yn_get(v, "ca"), "ca", &h->ca);
	}
	if (p->rc != PL_OK || want_str(p, url, what, &h->url) != PL_OK)
		return;
	if (strncmp(h->url, "http://", 7) && strncmp(h->url, "https://", 8))
		merr(p, url, "%s must be an http:// or https:// URL, not '%s'",
		    what, h->url);
}

static void
parse_process(struct mp *p, const ynode *v, pl_mon_process *pr)
{
	static const char *const keys[] = { "pid", "pidfile", "match", NULL };
	int n = 0;

	at(&pr->line, &pr->col, v);
	pr->set = 1;
	if (want_map(p, v, "process") != PL_OK ||
	    keys_known(p, v, "process", keys) != PL_OK)
		return;
	for (size_t i = 0; i < v->n && p->rc == PL_OK; i++) {
		const char *k = yn_key(v, i)->str;
		const ynode *x = yn_val(v, i);

		n++;
		if (!strcmp(k, "pid")) {
			int64_t pid;

			if (want_count(p, x, "pid", &pid) == PL_OK &&
			    (pid < 1 || pid > 4194304))
				merr(p, x, "pid must be a process id");
			pr->pid = (long)pid;
		} else if (!strcmp(k, "pidfile")) {
			want_path(p, x, "pidfile", &pr->pidfile);
		} else {
			regex_t re;

			if (want_str(p, x, "match", &pr->match) != PL_OK)
				break;
			if (regcomp(&re, pr->match, REG_EXTENDED | REG_NOSUB)) {
				merr(p, x, "match is not a valid regular "
				    "expression: '%s'", pr->match);
				break;
			}
			regfree(&re);
		}
	}
	if (p->rc == PL_OK && n != 1)
		merr(p, v, "process needs exactly one of pid, pidfile, match");
}

static void
parse_predictions(struct mp *p, const ynode *v, pl_mon_predictions *pr)
{
	static const char *const keys[] = { "path", "format", "id", "time",
	    "prediction", "score", "features", "latency", "status", NULL };

	at(&pr->line, &pr->col, v);
	if (want_map(p, v, "predictions") != PL_OK ||
	    keys_known(p, v, "predictions", keys) != PL_OK)
		return;
	for (size_t i = 0; i < v->n && p->rc == PL_OK; i++) {
		const char *k = yn_key(v, i)->str;
		const ynode *x = yn_val(v, i);

		if (!strcmp(k, "path"))
			want_path(p, x, "path", &pr->path);
		else if (!strcmp(k, "format")) {
			if (want_str(p, x, "format", &pr->format) == PL_OK &&
			    strcmp(pr->format, "jsonl") &&
			    strcmp(pr->format, "csv"))
				merr(p, x, "format must be jsonl or csv");
		} else if (!strcmp(k, "id"))
			want_str(p, x, "id", &pr->id);
		else if (!strcmp(k, "time"))
			want_str(p, x, "time", &pr->time);
		else if (!strcmp(k, "prediction"))
			want_str(p, x, "prediction", &pr->prediction);
		else if (!strcmp(k, "score"))
			want_str(p, x, "score", &pr->score);
		else if (!strcmp(k, "latency"))
			want_str(p, x, "latency", &pr->latency);
		else if (!strcmp(k, "status"))
			want_str(p, x, "status", &pr->status);
		else
			want_list(p, x, "features", &pr->features,
			    &pr->nfeatures);
	}
	if (p->rc == PL_OK && pr->path == NULL)
		merr(p, v, "predictions needs a path");
}

static void
parse_labels(struct mp *p, const ynode *v, pl_mon_labels *l)
{
	static const char *const keys[] = { "path", "format", "id", "label",
	    "time", "within", NULL };

	at(&l->line, &l->col, v);
	if (want_map(p, v, "labels") != PL_OK ||
	    keys_known(p, v, "labels", keys) != PL_OK)
		return;
	for (size_t i = 0; i < v->n && p->rc == PL_OK; i++) {
		const char *k = yn_key(v, i)->str;
		const ynode *x = yn_val(v, i);

		if (!strcmp(k, "path"))
			want_path(p, x, "path", &l->path);
		else if (!strcmp(k, "format")) {
			if (want_str(p, x, "format", &l->format) == PL_OK &&
			    strcmp(l->format, "jsonl") &&
			    strcmp(l->format, "csv"))
				merr(p, x, "format must be jsonl or csv");
		} else if (!strcmp(k, "id"))
			want_str(p, x, "id", &l->id);
		else if (!strcmp(k, "label"))
			want_str(p, x, "label", &l->label);
		else if (!strcmp(k, "time"))
			want_str(p, x, "time", &l->time);
		else
			want_duration(p, x, "within", &l->within_s, 0);
	}
	if (p->rc == PL_OK && l->path == NULL)
		merr(p, v, "labels needs a path");
	if (p->rc == PL_OK && l->label == NULL)
		merr(p, v, "labels needs label: the field holding the truth");
}

static void
parse_drift(struct mp *p, const ynode *v, pl_mon_drift *d)
{
	static const char *const keys[] = { "reference", "window", "min_rows",
	    "features", "method", "threshold", NULL };

	at(&d->line, &d->col, v);
	d->set = 1;
	if (want_map(p, v, "drift") != PL_OK ||
	    keys_known(p, v, "drift", keys) != PL_OK)
		return;
	for (size_t i = 0; i < v->n && p->rc == PL_OK; i++) {
		const char *k = yn_key(v, i)->str;
		const ynode *x = yn_val(v, i);

		if (!strcmp(k, "reference")) {
			if (x->kind == YN_SCALAR &&
			    strcmp(x->str, "deployed") == 0 && !x->quoted) {
				d->deployed = 1;
				free(d->reference);
				d->reference = NULL;
			} else {
				d->deployed = 0;
				want_path(p, x, "reference", &d->reference);
			}
		} else if (!strcmp(k, "window")) {
			if (x->kind == YN_MAP) {
				static const char *const wk[] = { "rows",
				    NULL };
				const ynode *r = yn_get(x, "rows");

				if (keys_known(p, x, "window", wk) != PL_OK)
					break;
				if (r == NULL) {
					merr(p, x, "window needs rows");
					break;
				}
				if (want_count(p, r, "rows", &d->window_rows)
				    == PL_OK && d->window_rows < 1)
					merr(p, r, "rows must be at least 1");
				d->window_s = 0;
			} else {
				want_duration(p, x, "window", &d->window_s,
				    0);
				d->window_rows = 0;
			}
		} else if (!strcmp(k, "min_rows"))
			want_count(p, x, "min_rows", &d->min_rows);
		else if (!strcmp(k, "features"))
			want_list(p, x, "features", &d->features,
			    &d->nfeatures);
		else if (!strcmp(k, "method"))
			want_str(p, x, "method", &d->method);
		else if (want_number(p, x, "threshold", &d->threshold) ==
		    PL_OK && d->threshold < 0)
			merr(p, x, "threshold must be >= 0");
	}
}

static void
parse_performance(struct mp *p, const ynode *v, pl_mon_performance *pf)
{
	static const char *const keys[] = { "metrics", "window", "task",
	    "threshold", "positive", NULL };
	static const char *const metrics[] = { "accuracy", "precision",
	    "recall", "f1", "auc", "mae", "rmse", NULL };

	at(&pf->line, &pf->col, v);
	pf->set = 1;
	if (want_map(p, v, "performance") != PL_OK ||
	    keys_known(p, v, "performance", keys) != PL_OK)
		return;
	for (size_t i = 0; i < v->n && p->rc == PL_OK; i++) {
		const char *k = yn_key(v, i)->str;
		const ynode *x = yn_val(v, i);

		if (!strcmp(k, "metrics")) {
			if (want_list(p, x, "metrics", &pf->metrics,
			    &pf->nmetrics) != PL_OK)
				break;
			for (size_t j = 0; j < pf->nmetrics; j++) {
				int ok = 0;

				for (size_t m = 0; metrics[m]; m++)
					ok |= !strcmp(pf->metrics[j],
					    metrics[m]);
				if (!ok) {
					merr(p, x->kind == YN_SEQ ?
					    x->items[j] : x, "unknown metric "
					    "'%s' (expected accuracy, "
					    "precision, recall, f1, auc, mae, "
					    "rmse)", pf->metrics[j]);
					break;
				}
			}
		} else if (!strcmp(k, "window"))
			want_duration(p, x, "window", &pf->window_s, 0);
		else if (!strcmp(k, "task")) {
			if (want_str(p, x, "task", &pf->task) == PL_OK &&
			    strcmp(pf->task, "classification") &&
			    strcmp(pf->task, "regression"))
				merr(p, x, "task must be classification or "
				    "regression");
		} else if (!strcmp(k, "threshold")) {
			if (want_number(p, x, "threshold", &pf->threshold) ==
			    PL_OK && !(pf->threshold > 0 &&
			    pf->threshold <= 1))
				merr(p, x, "threshold must be a probability "
				    "above 0, at most 1");
		} else if (want_str(p, x, "positive", &pf->positive) ==
		    PL_OK && pf->positive[0] == '\0')
			merr(p, x, "positive must name the positive class");
	}
	if (p->rc != PL_OK)
		return;
	/* The task the settings imply: an explicit task:, else
	 * threshold:/positive: (classification), else the first metric. */
	const char *task = pf->task;
	const ynode *why = yn_get(v, "task");
	if (task == NULL && (pf->threshold >= 0 || pf->positive)) {
		task = "classification";
		why = yn_get(v, pf->positive ? "positive" : "threshold");
	}
	if (p->rc == PL_OK && task && !strcmp(task, "regression")) {
		const char *k = pf->positive ? "positive" :
		    pf->threshold >= 0 ? "threshold" : NULL;
		if (k)
			merr(p, yn_get(v, k), "%s applies to classification, "
			    "not to task regression", k);
	}
	const ynode *mv = yn_get(v, "metrics");
	for (size_t j = 0; j < pf->nmetrics && p->rc == PL_OK; j++) {
		int reg = !strcmp(pf->metrics[j], "mae") ||
		    !strcmp(pf->metrics[j], "rmse");
		const ynode *at_j = mv->kind == YN_SEQ ? mv->items[j] : mv;

		if (task == NULL) {
			task = reg ? "regression" : "classification";
			why = at_j;
			continue;
		}
		if (reg != !strcmp(task, "regression")) {
			size_t wl = 0, wc = 0;
			at(&wl, &wc, why);
			merr(p, at_j, "metric '%s' does not apply to %s "
			    "(implied at line %zu, column %zu); %s",
			    pf->metrics[j], task, wl, wc, reg ?
			    "classification has accuracy, precision, recall, "
			    "f1, auc" : "regression has mae, rmse");
		}
	}
}

static void
parse_concept(struct mp *p, const ynode *v, pl_mon_concept *c)
{
	static const char *const keys[] = { "detectors", "series", NULL };
	static const char *const dets[] = { "adwin", "ddm", "eddm",
	    "page-hinkley", NULL };

	at(&c->line, &c->col, v);
	c->set = 1;
	if (want_map(p, v, "concept") != PL_OK ||
	    keys_known(p, v, "concept", keys) != PL_OK)
		return;
	for (size_t i = 0; i < v->n && p->rc == PL_OK; i++) {
		const char *k = yn_key(v, i)->str;
		const ynode *x = yn_val(v, i);

		if (!strcmp(k, "series")) {
			want_str(p, x, "series", &c->series);
			continue;
		}
		if (want_list(p, x, "detectors", &c->detectors,
		    &c->ndetectors) != PL_OK)
			break;
		for (size_t j = 0; j < c->ndetectors; j++) {
			int ok = 0;

			for (size_t m = 0; dets[m]; m++)
				ok |= !strcmp(c->detectors[j], dets[m]);
			if (!ok) {
				merr(p, x->kind == YN_SEQ ? x->items[j] : x,
				    "unknown detector '%s' (expected adwin, "
				    "ddm, eddm, page-hinkley)",
				    c->detectors[j]);
				break;
			}
		}
	}
}

static int
name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '.' || *s == '_' ||
		    *s == '-'))
			return 0;
	return 1;
}

static void
parse_target(struct mp *p, const ynode *kn, const ynode *v,
    pl_monitor_cfg *m, pl_mon_target *t)
{
	static const char *const keys[] = { "model", "interval", "timeout",
	    "probe", "scrape", "process", "predictions", "labels", "drift",
	    "performance", "concept", NULL };
	char what[200];

	at(&t->line, &t->col, kn);
	if ((t->name = strdup(kn->str)) == NULL) {
		moom(p);
		return;
	}
	t->interval_s = m->interval_s;
	t->timeout_s = m->timeout_s;
	t->scrape.limit = PL_MON_SCRAPE_LIMIT_DEFAULT;
	t->labels.within_s = PL_MON_WITHIN_DEFAULT;
	t->drift.min_rows = PL_MON_MIN_ROWS_DEFAULT;
	t->drift.threshold = -1;
	t->drift.deployed = 1;
	t->performance.threshold = -1;
	if (!name_ok(kn->str)) {
		merr(p, kn, "a target needs a name of letters, digits, '.', "
		    "'_', '-'");
		return;
	}
	snprintf(what, sizeof what, "target '%s'", kn->str);
	if (want_map(p, v, what) != PL_OK ||
	    keys_known(p, v, what, keys) != PL_OK)
		return;
	/* interval and timeout first: probe/scrape timeouts default to
	 * the target's */
	if (yn_get(v, "interval"))
		want_duration(p, yn_get(v, "interval"), "interval",
		    &t->interval_s, 0);
	if (p->rc == PL_OK && yn_get(v, "timeout"))
		want_duration(p, yn_get(v, "timeout"), "timeout",
		    &t->timeout_s, 0);
	t->probe.timeout_s = t->scrape.timeout_s = t->timeout_s;
	for (size_t i = 0; i < v->n && p->rc == PL_OK; i++) {
		const char *k = yn_key(v, i)->str;
		const ynode *x = yn_val(v, i);

		if (!strcmp(k, "model"))
			want_str(p, x, "model", &t->model);
		else if (!strcmp(k, "probe"))
			parse_http(p, x, "probe", &t->probe, 0);
		else if (!strcmp(k, "scrape"))
			parse_http(p, x, "scrape", &t->scrape, 1);
		else if (!strcmp(k, "process"))
			parse_process(p, x, &t->process);
		else if (!strcmp(k, "predictions"))
			parse_predictions(p, x, &t->predictions);
		else if (!strcmp(k, "labels"))
			parse_labels(p, x, &t->labels);
		else if (!strcmp(k, "drift"))
			parse_drift(p, x, &t->drift);
		else if (!strcmp(k, "performance"))
			parse_performance(p, x, &t->performance);
		else if (!strcmp(k, "concept"))
			parse_concept(p, x, &t->concept);
	}
	if (p->rc != PL_OK)
		return;
	if (t->labels.path && !t->predictions.path)
		merr(p, yn_get(v, "labels"), "labels are joined with "
		    "predictions: target '%s' needs predictions too",
		    t->name);
	else if (t->drift.set && !t->predictions.path)
		merr(p, yn_get(v, "drift"), "drift is computed over the "
		    "prediction log: target '%s' needs predictions too",
		    t->name);
	else if (t->performance.set && !t->labels.path)
		merr(p, yn_get(v, "performance"), "performance needs "
		    "labels: target '%s' has none", t->name);
	else if (t->drift.set && t->drift.deployed && !t->model)
		merr(p, yn_get(v, "drift"), "drift against the deployed "
		    "model's training data needs model: in target '%s' (or "
		    "give reference: a CSV file)", t->name);
}

void
pl__monitor_cfg_dispose(pl_monitor_cfg *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->ntargets; i++) {
		pl_mon_target *t = &m->targets[i];

		free(t->name);
		free(t->model);
		free(t->probe.url);
		free(t->scrape.url);
		free(t->probe.ca);
		free(t->scrape.ca);
		free(t->process.pidfile);
		free(t->process.match);
		free(t->predictions.path);
		free(t->predictions.format);
		free(t->predictions.id);
		free(t->predictions.time);
		free(t->predictions.prediction);
		free(t->predictions.score);
		free(t->predictions.latency);
		free(t->predictions.status);
		for (size_t j = 0; j < t->predictions.nfeatures; j++)
			free(t->predictions.features[j]);
		free(t->predictions.features);
		free(t->labels.path);
		free(t->labels.format);
		free(t->labels.id);
		free(t->labels.label);
		free(t->labels.time);
		free(t->drift.reference);
		for (size_t j = 0; j < t->drift.nfeatures; j++)
			free(t->drift.features[j]);
		free(t->drift.features);
		free(t->drift.method);
		for (size_t j = 0; j < t->performance.nmetrics; j++)
			free(t->performance.metrics[j]);
		free(t->performance.metrics);
		free(t->performance.task);
		free(t->performance.positive);
		for (size_t j = 0; j < t->concept.ndetectors; j++)
			free(t->concept.detectors[j]);
		free(t->concept.detectors);
		free(t->concept.series);
	}
	free(m->targets);
	memset(m, 0, sizeof *m);
}

int
pl__monitor_cfg_parse(pl_monitor_cfg *m, const ynode *sec, const char *dir,
    char *err, size_t err_len)
{
	static const char *const keys[] = { "interval", "timeout",
	    "retention", "targets", NULL };
	static const char *const rkeys[] = { "raw", "downsampled", NULL };
	struct mp p = { dir, err, err_len, PL_OK };
	const ynode *x;

	memset(m, 0, sizeof *m);
	m->interval_s = PL_MON_INTERVAL_DEFAULT;
	m->timeout_s = PL_MON_TIMEOUT_DEFAULT;
	m->retain_raw_ms = 15LL * 86400000;
	m->retain_down_ms = 365LL * 86400000;
	if (is_null(sec))
		return PL_OK;
	m->present = 1;
	at(&m->line, &m->col, sec);
	if (want_map(&p, sec, "monitor") != PL_OK ||
	    keys_known(&p, sec, "monitor", keys) != PL_OK)
		goto out;
	if ((x = yn_get(sec, "interval")))
		want_duration(&p, x, "interval", &m->interval_s, 0);
	if (p.rc == PL_OK && (x = yn_get(sec, "timeout")))
		want_duration(&p, x, "timeout", &m->timeout_s, 0);
	if (p.rc == PL_OK && (x = yn_get(sec, "retention")) && !is_null(x) &&
	    want_map(&p, x, "retention") == PL_OK &&
	    keys_known(&p, x, "retention", rkeys) == PL_OK) {
		double s;

		if (yn_get(x, "raw") && want_duration(&p, yn_get(x, "raw"),
		    "raw", &s, 0) == PL_OK)
			m->retain_raw_ms = (int64_t)(s * 1000);
		if (p.rc == PL_OK && yn_get(x, "downsampled") &&
		    want_duration(&p, yn_get(x, "downsampled"), "downsampled",
		    &s, 0) == PL_OK)
			m->retain_down_ms = (int64_t)(s * 1000);
		if (p.rc == PL_OK && m->retain_down_ms < m->retain_raw_ms)
			merr(&p, x, "downsampled retention must be at least "
			    "the raw one");
	}
	if (p.rc == PL_OK && (x = yn_get(sec, "targets")) && !is_null(x) &&
	    want_map(&p, x, "targets") == PL_OK) {
		if ((m->targets = calloc(x->n + 1, sizeof *m->targets)) ==
		    NULL) {
			moom(&p);
			goto out;
		}
		for (size_t i = 0; i < x->n && p.rc == PL_OK; i++) {
			const ynode *kn = yn_key(x, i);

			for (size_t j = 0; j < m->ntargets; j++)
				if (!strcmp(m->targets[j].name, kn->str))
					merr(&p, kn, "target '%s' is defined "
					    "twice", kn->str);
			if (p.rc != PL_OK)
				break;
			parse_target(&p, kn, yn_val(x, i), m,
			    &m->targets[m->ntargets++]);
		}
	}
out:
	if (p.rc != PL_OK)
		pl__monitor_cfg_dispose(m);
	return p.rc;
}

const pl_mon_target *
pl_monitor_target(const pl_monitor_cfg *m, const char *name)
{
	for (size_t i = 0; m && i < m->ntargets; i++)
		if (!strcmp(m->targets[i].name, name))
			return &m->targets[i];
	return NULL;
}
