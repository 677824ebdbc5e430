/* unittest.c - promtool's rule unit-test files run unchanged (rule_files, input_series, alert_rule_test, promql_expr_test). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "buf.h"
#include "store/error.h"
#include "rules.h"
#include "config/ynode.h"

/*
 * cmd/promtool/unittest.go of Prometheus 2.42.  Each test group starts
 * from empty storage; input samples are loaded up to each evaluation
 * step; every rule group is evaluated at 0, evaluation_interval, ...
 * up to the largest eval_time; alert tests compare the firing alerts at
 * the last step <= eval_time as unordered sets; expression tests run an
 * instant query at eval_time after all steps and compare with ==.
 * The report text mimics promtool's, so a CI log reads the same.
 */

struct series_in {
	pq_labels *lb;
	pq_sample *s;
	size_t n, next;
};

struct exp_alert {
	pq_labels *labels, *ann;
};

struct alert_test {
	int64_t eval_time;
	char *alertname;
	struct exp_alert *exp;
	size_t nexp;
	char *eval_time_text;
};

struct exp_sample {
	pq_labels *lb;
	double v;
	char *text;
	int line, col;
};

struct expr_test {
	char *expr;
	int64_t eval_time;
	char *eval_time_text;
	struct exp_sample *exp;
	size_t nexp;
	int line, col;
};

struct tgroup {
	char *name;
	int64_t interval;
	int has_interval;
	struct series_in *in;
	size_t nin;
	struct alert_test *at;
	size_t nat;
	struct expr_test *et;
	size_t net;
	pq_labels *ext_labels;
	char *ext_url;
};

struct tfile {
	const char *path;
	char **rule_files;
	size_t nrf;
	int64_t eval_interval;
	char **order;
	size_t norder;
	struct tgroup *g;
	size_t ng;
};

static int __attribute__((format(printf, 5, 6)))
ferr(char *err, size_t errlen, const char *file, const ynode *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yn_verrf(err, errlen, file, n, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

/* ---- the expanding notation: "1+2x3 _ stale _x2 NaN" -------------------- */

static size_t
scan_number(const char *s)
{
	size_t i = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	if (strncasecmp(s + i, "inf", 3) == 0)
		return i + 3;
	if (strncasecmp(s + i, "nan", 3) == 0)
		return i + 3;
	size_t d0 = i;
	while (isdigit((unsigned char)s[i]))
		i++;
	if (s[i] == '.') {
		i++;
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	if (i == d0 || (i == d0 + 1 && s[d0] == '.'))
		return 0;
	if ((s[i] == 'e' || s[i] == 'E') && (isdigit((unsigned char)s[i + 1]) ||
	    ((s[i + 1] == '+' || s[i + 1] == '-') &&
	    isdigit((unsigned char)s[i + 2])))) {
		i += 2;
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	return i;
}

static double
num_of(const char *s, size_t n)
{
	char tmp[64];
	if (n >= sizeof tmp)
		n = sizeof tmp - 1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return strtod(tmp, NULL);
}

static int
push_sample(struct series_in *si, size_t *cap, int64_t t, double v)
{
	if (si->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 16;
		pq_sample *ns = realloc(si->s, nc * sizeof *ns);
		if (!ns)
			return -1;
		si->s = ns;
		*cap = nc;
	}
	si->s[si->n].t = t;
	si->s[si->n].v = v;
	si->n++;
	return 0;
}

/* Expands values into samples at slot*interval; -1 with *bad = offset. */
static int
expand_values(struct series_in *si, const char *s, int64_t interval,
    size_t *bad, const char **why)
{
	size_t i = 0, cap = 0;
	int64_t slot = 0;

	while (s[i]) {
		while (isspace((unsigned char)s[i]))
			i++;
		if (!s[i])
			break;
		size_t start = i;
		*bad = i;
		if (s[i] == '_') {
			i++;
			long long reps = 1;
			if (s[i] == 'x') {
				char *end;
				reps = strtoll(s + i + 1, &end, 10);
				if (end == s + i + 1 || reps < 0) {
					*why = "expected a count after \"_x\"";
					return -1;
				}
				i = (size_t)(end - s);
			}
			slot += reps;
		} else if (strncmp(s + i, "stale", 5) == 0 &&
		    (!s[i + 5] || isspace((unsigned char)s[i + 5]))) {
			i += 5;
			if (push_sample(si, &cap, slot * interval,
			    pq_stale_nan()) < 0)
				return -1;
			slot++;
		} else {
			size_t nl = scan_number(s + i);
			if (!nl) {
				*why = "expected a number, \"_\" or \"stale\"";
				return -1;
			}
			double a = num_of(s + i, nl), b = 0;
			i += nl;
			long long reps = 0;
			int has_rep = 0;
			if (s[i] == '+' || s[i] == '-') {
				size_t ml = scan_number(s + i);
				if (!ml) {
					*why = "expected a number after the sign";
					return -1;
				}
				b = num_of(s + i, ml);
				i += ml;
				if (s[i] != 'x') {
					*why = "expected \"x\" and a count after "
					    "the increment";
					return -1;
				}
			}
			if (s[i] == 'x') {
				char *end;
				reps = strtoll(s + i + 1, &end, 10);
				if (end == s + i + 1 || reps < 0) {
					*why = "expected a count after \"x\"";
					return -1;
				}
				i = (size_t)(end - s);
				has_rep = 1;
			}
			/* a+bxn: n+1 values by repeated addition */
			for (long long k = 0; k <= (has_rep ? reps : 0); k++) {
				if (push_sample(si, &cap, slot * interval, a) < 0)
					return -1;
				slot++;
				a += b;
			}
		}
		if (s[i] && !isspace((unsigned char)s[i])) {
			*bad = start;
			*why = "unexpected character in value";
			return -1;
		}
	}
	return 0;
}

/* ---- reading the test file --------------------------------------------- */

static int
dur(const char *file, const ynode *v, const char *key, int64_t *ms,
    char *err, size_t errlen)
{
	if (!v || v->kind != YN_SCALAR ||
	    pq_parse_duration(v->str, strlen(v->str), ms) < 0)
		return ferr(err, errlen, file, v, "%s: not a valid duration: "
		    "\"%s\"", key, v && v->kind == YN_SCALAR ? v->str : "");
	return 0;
}

static int
str_map(const char *file, const ynode *m, const char *key, pq_labels **out,
    char *err, size_t errlen)
{
	*out = NULL;
	if (!m || (m->kind == YN_SCALAR && yn_scalar_type(m) == YT_NULL)) {
		*out = pq_labels_new(NULL, 0);
		return *out ? 0 : PL_ENOMEM;
	}
	if (m->kind != YN_MAP)
		return ferr(err, errlen, file, m, "%s must be a map, not %s", key,
		    yn_a_type(m));
	pq_label l[m->n + 1];
	for (size_t i = 0; i < m->n; i++) {
		if (yn_val(m, i)->kind != YN_SCALAR)
			return ferr(err, errlen, file, yn_val(m, i), "%s.%s must "
			    "be a string", key, yn_key(m, i)->str);
		l[i] = (pq_label){ yn_key(m, i)->str, yn_val(m, i)->str };
	}
	*out = pq_labels_new(l, m->n);
	return *out ? 0 : PL_ENOMEM;
}

static int
unknown(const char *file, const ynode *k, const char *where, char *err,
    size_t errlen)
{
	return ferr(err, errlen, file, k, "field %s not found in %s", k->str,
	    where);
}

static int
need(const char *file, const ynode *v, yn_kind kind, const char *key,
    char *err, size_t errlen)
{
	if (v->kind != kind)
		return ferr(err, errlen, file, v, "%s must be %s, not %s", key,
		    kind == YN_SEQ ? "a list" : kind == YN_MAP ? "a map" :
		    "a string", yn_a_type(v));
	return 0;
}

static int
read_group(const char *file, const ynode *gn, struct tgroup *g, char *err,
    size_t errlen)
{
	int rc;
	const ynode *input = NULL;

	if ((rc = need(file, gn, YN_MAP, "a test", err, errlen)))
		return rc;
	for (size_t i = 0; i < gn->n; i++) {
		const ynode *k = yn_key(gn, i), *v = yn_val(gn, i);
		if (strcmp(k->str, "interval") == 0) {
			if ((rc = dur(file, v, "interval", &g->interval, err,
			    errlen)))
				return rc;
			g->has_interval = 1;
		} else if (strcmp(k->str, "name") == 0) {
			if ((rc = need(file, v, YN_SCALAR, "name", err, errlen)))
				return rc;
			g->name = strdup(v->str);
		} else if (strcmp(k->str, "external_url") == 0) {
			if ((rc = need(file, v, YN_SCALAR, "external_url", err,
			    errlen)))
				return rc;
			g->ext_url = strdup(v->str);
		} else if (strcmp(k->str, "external_labels") == 0) {
			if ((rc = str_map(file, v, "external_labels",
			    &g->ext_labels, err, errlen)))
				return rc;
		} else if (strcmp(k->str, "input_series") == 0)
			input = v;
		else if (strcmp(k->str, "alert_rule_test") == 0) {
			if (v->kind == YN_SCALAR && yn_scalar_type(v) == YT_NULL)
				continue;
			if ((rc = need(file, v, YN_SEQ, "alert_rule_test", err,
			    errlen)))
				return rc;
			g->at = calloc(v->n + 1, sizeof *g->at);
			if (!g->at)
				return PL_ENOMEM;
			for (size_t j = 0; j < v->n; j++) {
				const ynode *t = v->items[j], *ea = NULL;
				struct alert_test *a = &g->at[g->nat++];
				if ((rc = need(file, t, YN_MAP, "an alert test",
				    err, errlen)))
					return rc;
				for (size_t q = 0; q < t->n; q++) {
					const ynode *tk = yn_key(t, q),
					    *tv = yn_val(t, q);
					if (strcmp(tk->str, "eval_time") == 0) {
						if ((rc = dur(file, tv, "eval_time",
						    &a->eval_time, err, errlen)))
							return rc;
						a->eval_time_text = strdup(tv->str);
					} else if (strcmp(tk->str, "alertname") == 0) {
						if ((rc = need(file, tv, YN_SCALAR,
						    "alertname", err, errlen)))
							return rc;
						a->alertname = strdup(tv->str);
					} else if (strcmp(tk->str, "exp_alerts") == 0)
						ea = tv;
					else
						return unknown(file, tk,
						    "alert_rule_test (eval_time, "
						    "alertname, exp_alerts)", err,
						    errlen);
				}
				if (!a->eval_time_text)
					a->eval_time_text = strdup("0s");
				if (!a->alertname || !a->alertname[0])
					return ferr(err, errlen, file, t, "an item "
					    "under alert_rule_test misses "
					    "required attribute alertname");
				if (!ea || (ea->kind == YN_SCALAR &&
				    yn_scalar_type(ea) == YT_NULL))
					continue;
				if ((rc = need(file, ea, YN_SEQ, "exp_alerts",
				    err, errlen)))
					return rc;
				a->exp = calloc(ea->n + 1, sizeof *a->exp);
				if (!a->exp)
					return PL_ENOMEM;
				for (size_t q = 0; q < ea->n; q++) {
					const ynode *x = ea->items[q], *el = NULL,
					    *an = NULL;
					if ((rc = need(file, x, YN_MAP,
					    "an expected alert", err, errlen)))
						return rc;
					for (size_t z = 0; z < x->n; z++) {
						const ynode *xk = yn_key(x, z);
						if (strcmp(xk->str, "exp_labels") == 0)
							el = yn_val(x, z);
						else if (strcmp(xk->str,
						    "exp_annotations") == 0)
							an = yn_val(x, z);
						else
							return unknown(file, xk,
							    "exp_alerts (exp_labels, "
							    "exp_annotations)", err,
							    errlen);
					}
					struct exp_alert *e = &a->exp[a->nexp++];
					pq_labels *tmp;
					if ((rc = str_map(file, el, "exp_labels",
					    &tmp, err, errlen)))
						return rc;
					e->labels = pq_labels_set(tmp, "alertname",
					    a->alertname);
					pq_labels_unref(tmp);
					if ((rc = str_map(file, an,
					    "exp_annotations", &e->ann, err,
					    errlen)))
						return rc;
					if (!e->labels)
						return PL_ENOMEM;
				}
			}
		} else if (strcmp(k->str, "promql_expr_test") == 0) {
			if (v->kind == YN_SCALAR && yn_scalar_type(v) == YT_NULL)
				continue;
			if ((rc = need(file, v, YN_SEQ, "promql_expr_test", err,
			    errlen)))
				return rc;
			g->et = calloc(v->n + 1, sizeof *g->et);
			if (!g->et)
				return PL_ENOMEM;
			for (size_t j = 0; j < v->n; j++) {
				const ynode *t = v->items[j], *es = NULL;
				struct expr_test *e = &g->et[g->net++];
				if ((rc = need(file, t, YN_MAP, "an expression "
				    "test", err, errlen)))
					return rc;
				e->line = t->line;
				e->col = t->col;
				for (size_t q = 0; q < t->n; q++) {
					const ynode *tk = yn_key(t, q),
					    *tv = yn_val(t, q);
					if (strcmp(tk->str, "eval_time") == 0) {
						if ((rc = dur(file, tv, "eval_time",
						    &e->eval_time, err, errlen)))
							return rc;
						e->eval_time_text = strdup(tv->str);
					} else if (strcmp(tk->str, "expr") == 0) {
						if ((rc = need(file, tv, YN_SCALAR,
						    "expr", err, errlen)))
							return rc;
						e->expr = strdup(tv->str);
					} else if (strcmp(tk->str, "exp_samples") == 0)
						es = tv;
					else
						return unknown(file, tk,
						    "promql_expr_test (expr, "
						    "eval_time, exp_samples)", err,
						    errlen);
				}
				if (!e->eval_time_text)
					e->eval_time_text = strdup("0s");
				if (!e->expr)
					e->expr = strdup("");
				if (!es || (es->kind == YN_SCALAR &&
				    yn_scalar_type(es) == YT_NULL))
					continue;
				if ((rc = need(file, es, YN_SEQ, "exp_samples",
				    err, errlen)))
					return rc;
				e->exp = calloc(es->n + 1, sizeof *e->exp);
				if (!e->exp)
					return PL_ENOMEM;
				for (size_t q = 0; q < es->n; q++) {
					const ynode *x = es->items[q];
					struct exp_sample *s = &e->exp[e->nexp++];
					if ((rc = need(file, x, YN_MAP,
					    "an expected sample", err, errlen)))
						return rc;
					s->line = x->line;
					s->col = x->col;
					for (size_t z = 0; z < x->n; z++) {
						const ynode *xk = yn_key(x, z),
						    *xv = yn_val(x, z);
						if (strcmp(xk->str, "labels") == 0) {
							if ((rc = need(file, xv,
							    YN_SCALAR, "labels", err,
							    errlen)))
								return rc;
							s->text = strdup(xv->str);
						} else if (strcmp(xk->str,
						    "value") == 0) {
							if (xv->kind != YN_SCALAR ||
							    yn_number(xv, &s->v))
								return ferr(err,
								    errlen, file, xv,
								    "value must be "
								    "a number");
						} else
							return unknown(file, xk,
							    "exp_samples (labels, "
							    "value)", err, errlen);
					}
					if (!s->text)
						s->text = strdup("{}");
				}
			}
		} else
			return unknown(file, k, "testGroup (interval, "
			    "input_series, alert_rule_test, promql_expr_test, "
			    "external_labels, external_url, name)", err, errlen);
	}
	if (!g->has_interval)
		g->interval = 0;	/* set by the caller (see below) */
	if (!input || (input->kind == YN_SCALAR &&
	    yn_scalar_type(input) == YT_NULL))
		return 0;
	if ((rc = need(file, input, YN_SEQ, "input_series", err, errlen)))
		return rc;
	g->in = calloc(input->n + 1, sizeof *g->in);
	if (!g->in)
		return PL_ENOMEM;
	/* values are expanded later, once the interval is known */
	for (size_t j = 0; j < input->n; j++) {
		const ynode *t = input->items[j], *sv = NULL, *vv = NULL;
		if ((rc = need(file, t, YN_MAP, "an input series", err, errlen)))
			return rc;
		for (size_t q = 0; q < t->n; q++) {
			const ynode *tk = yn_key(t, q);
			if (strcmp(tk->str, "series") == 0)
				sv = yn_val(t, q);
			else if (strcmp(tk->str, "values") == 0)
				vv = yn_val(t, q);
			else
				return unknown(file, tk, "input_series (series, "
				    "values)", err, errlen);
		}
		struct series_in *si = &g->in[g->nin++];
		int col;
		char perr[256];
		if (!sv || sv->kind != YN_SCALAR)
			return ferr(err, errlen, file, sv ? sv : t, "an input "
			    "series needs series: with a metric");
		if (pq_parse_metric(&si->lb, sv->str, &col, perr,
		    sizeof perr) < 0)
			return ferr(err, errlen, file, sv, "series \"%s\": "
			    "column %d: %s", sv->str, col, perr);
		if (!vv || vv->kind != YN_SCALAR)
			return ferr(err, errlen, file, vv ? vv : t, "an input "
			    "series needs values: in the expanding notation");
		size_t bad;
		const char *why = "out of memory";
		if (expand_values(si, vv->str, g->interval ? g->interval :
		    60000, &bad, &why) < 0)
			return ferr(err, errlen, file, vv, "values \"%s\": at "
			    "offset %zu: %s", vv->str, bad + 1, why);
	}
	return 0;
}

static void
tfile_dispose(struct tfile *f)
{
	for (size_t i = 0; i < f->nrf; i++)
		free(f->rule_files[i]);
	free(f->rule_files);
	for (size_t i = 0; i < f->norder; i++)
		free(f->order[i]);
	free(f->order);
	for (size_t i = 0; i < f->ng; i++) {
		struct tgroup *g = &f->g[i];
		free(g->name);
		free(g->ext_url);
		pq_labels_unref(g->ext_labels);
		for (size_t j = 0; j < g->nin; j++) {
			pq_labels_unref(g->in[j].lb);
			free(g->in[j].s);
		}
		free(g->in);
		for (size_t j = 0; j < g->nat; j++) {
			for (size_t k = 0; k < g->at[j].nexp; k++) {
				pq_labels_unref(g->at[j].exp[k].labels);
				pq_labels_unref(g->at[j].exp[k].ann);
			}
			free(g->at[j].exp);
			free(g->at[j].alertname);
			free(g->at[j].eval_time_text);
		}
		free(g->at);
		for (size_t j = 0; j < g->net; j++) {
			for (size_t k = 0; k < g->et[j].nexp; k++) {
				pq_labels_unref(g->et[j].exp[k].lb);
				free(g->et[j].exp[k].text);
			}
			free(g->et[j].exp);
			free(g->et[j].expr);
			free(g->et[j].eval_time_text);
		}
		free(g->et);
	}
	free(f->g);
}

static char *
dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return strdup(".");
	return strndup(path, (size_t)(s - path) ? (size_t)(s - path) : 1);
}

static int
read_file(struct tfile *f, const char *path, char *err, size_t errlen)
{
	ynode *root = NULL;
	int rc;

	memset(f, 0, sizeof *f);
	f->path = path;
	f->eval_interval = 60000;
	rc = yn_parse_file(&root, path, path, err, errlen);
	if (rc)
		return rc;
	if (!root)
		return ferr(err, errlen, path, NULL, "empty test file");
	if (root->kind != YN_MAP) {
		rc = ferr(err, errlen, path, root, "a test file must be a map");
		goto done;
	}
	const ynode *tests = NULL, *rf = NULL;
	for (size_t i = 0; i < root->n; i++) {
		const ynode *k = yn_key(root, i), *v = yn_val(root, i);
		if (strcmp(k->str, "rule_files") == 0)
			rf = v;
		else if (strcmp(k->str, "evaluation_interval") == 0) {
			if ((rc = dur(path, v, "evaluation_interval",
			    &f->eval_interval, err, errlen)))
				goto done;
			if (f->eval_interval == 0)
				f->eval_interval = 60000;
		} else if (strcmp(k->str, "group_eval_order") == 0) {
			if (v->kind == YN_SCALAR && yn_scalar_type(v) == YT_NULL)
				continue;
			if ((rc = need(path, v, YN_SEQ, "group_eval_order", err,
			    errlen)))
				goto done;
			f->order = calloc(v->n + 1, sizeof *f->order);
			if (!f->order) {
				rc = PL_ENOMEM;
				goto done;
			}
			for (size_t j = 0; j < v->n; j++) {
				if ((rc = need(path, v->items[j], YN_SCALAR,
				    "a group name", err, errlen)))
					goto done;
				for (size_t q = 0; q < f->norder; q++)
					if (strcmp(f->order[q],
					    v->items[j]->str) == 0) {
						rc = ferr(err, errlen, path,
						    v->items[j], "group name "
						    "repeated in evaluation "
						    "order: %s", v->items[j]->str);
						goto done;
					}
				f->order[f->norder++] = strdup(v->items[j]->str);
			}
		} else if (strcmp(k->str, "tests") == 0)
			tests = v;
		else {
			rc = unknown(path, k, "unitTestFile (rule_files, "
			    "evaluation_interval, group_eval_order, tests)", err,
			    errlen);
			goto done;
		}
	}
	if (rf && !(rf->kind == YN_SCALAR && yn_scalar_type(rf) == YT_NULL)) {
		char *dir = dir_of(path);
		if ((rc = need(path, rf, YN_SEQ, "rule_files", err, errlen))) {
			free(dir);
			goto done;
		}
		for (size_t j = 0; j < rf->n; j++) {
			const ynode *x = rf->items[j];
			glob_t gl;
			char pat[4096];
			if ((rc = need(path, x, YN_SCALAR, "a rule file", err,
			    errlen))) {
				free(dir);
				goto done;
			}
			if (x->str[0] == '/')
				snprintf(pat, sizeof pat, "%s", x->str);
			else
				snprintf(pat, sizeof pat, "%s/%s", dir, x->str);
			int gr = glob(pat, 0, NULL, &gl);
			if (gr == GLOB_NOMATCH) {
				/* a plain name that does not exist: say so */
				rc = ferr(err, errlen, path, x, "rule file %s: "
				    "no such file", x->str);
				free(dir);
				goto done;
			}
			for (size_t q = 0; gr == 0 && q < gl.gl_pathc; q++) {
				char **nr = realloc(f->rule_files, (f->nrf + 1) *
				    sizeof *nr);
				if (!nr)
					break;
				f->rule_files = nr;
				f->rule_files[f->nrf++] = strdup(gl.gl_pathv[q]);
			}
			globfree(&gl);
		}
		free(dir);
	}
	if (tests && !(tests->kind == YN_SCALAR &&
	    yn_scalar_type(tests) == YT_NULL)) {
		if ((rc = need(path, tests, YN_SEQ, "tests", err, errlen)))
			goto done;
		f->g = calloc(tests->n + 1, sizeof *f->g);
		if (!f->g) {
			rc = PL_ENOMEM;
			goto done;
		}
		for (size_t j = 0; j < tests->n; j++) {
			f->ng++;
			if ((rc = read_group(path, tests->items[j], &f->g[j], err,
			    errlen)))
				goto done;
		}
	}
done:
	if (rc == PL_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	yn_free(root);
	return rc;
}

/* ---- running ---------------------------------------------------------------- */

static int
mem_append(void *ctx, pq_labels *lb, int64_t t, double v, const char **why)
{
	return pq_mem_append(ctx, lb, t, v, why);
}

struct la {
	pq_labels *labels, *ann;
};

static int
cmp_la(const void *a, const void *b)
{
	const struct la *x = a, *y = b;
	int c = pq_labels_cmp(x->labels, y->labels);
	return c ? c : pq_labels_cmp(x->ann, y->ann);
}

/* labelsAndAnnotations.String() with promtool's indentation. */
static void
la_string(struct buf *b, struct la *v, size_t n, const char *indent)
{
	if (n == 0) {
		buf_puts(b, "[]");
		return;
	}
	buf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "%s\n%s%zu:\n%s  Labels:", i ? "," : "", indent, i,
		    indent);
		pq_labels_str(b, v[i].labels);
		buf_printf(b, "\n%s  Annotations:", indent);
		pq_labels_str(b, v[i].ann);
	}
	buf_printf(b, "\n%s]", indent);
}

struct ps {
	pq_labels *lb;
	double v;
};

static int
cmp_ps(const void *a, const void *b)
{
	const struct ps *x = a, *y = b;
	return pq_labels_cmp(x->lb, y->lb);
}

static void
ps_string(struct buf *b, struct ps *v, size_t n)
{
	char num[64];
	if (n == 0) {
		buf_puts(b, "nil");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(b, ", ");
		pq_labels_str(b, v[i].lb);
		pq_go_float(num, sizeof num, v[i].v, 'E');
		buf_printf(b, " %s", num);
	}
}

static int
group_rank(const struct tfile *f, const char *name)
{
	for (size_t i = 0; i < f->norder; i++)
		if (strcmp(f->order[i], name) == 0)
			return (int)i;
	return 0;
}

/* Runs one test group; appends failures to rep, returns their count. */
static int
run_group(const struct tfile *f, struct tgroup *g, struct pl_ruleset *rs,
    struct buf *rep)
{
	pq_mem *m = pq_mem_new();
	pq_reader rd;
	int64_t maxt = 0;
	int fails = 0;
	size_t *order = NULL;
	char tbuf[64];

	if (!m)
		return 1;
	rd = pq_mem_reader(m);
	for (size_t i = 0; i < g->nat; i++)
		if (g->at[i].eval_time > maxt)
			maxt = g->at[i].eval_time;
	for (size_t i = 0; i < g->net; i++)
		if (g->et[i].eval_time > maxt)
			maxt = g->et[i].eval_time;
	/* group evaluation order: stable by group_eval_order rank */
	order = calloc(rs->n + 1, sizeof *order);
	if (!order) {
		pq_mem_free(m);
		return 1;
	}
	for (size_t i = 0; i < rs->n; i++)
		order[i] = i;
	for (size_t i = 1; i < rs->n; i++)
		for (size_t j = i; j > 0 && group_rank(f, rs->g[order[j]].name) <
		    group_rank(f, rs->g[order[j - 1]].name); j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* alert test times, sorted */
	size_t *at = calloc(g->nat + 1, sizeof *at), cur = 0;
	for (size_t i = 0; at && i < g->nat; i++)
		at[i] = i;
	for (size_t i = 1; at && i < g->nat; i++)
		for (size_t j = i; j > 0 && g->at[at[j]].eval_time <
		    g->at[at[j - 1]].eval_time; j--) {
			size_t t = at[j];
			at[j] = at[j - 1];
			at[j - 1] = t;
		}
	const char *tname = g->name;
	for (int64_t ts = 0; ts <= maxt; ts += f->eval_interval) {
		/* load input samples up to ts */
		for (size_t i = 0; i < g->nin; i++) {
			struct series_in *si = &g->in[i];
			while (si->next < si->n && si->s[si->next].t <= ts) {
				const char *why;
				(void)pq_mem_append(m, si->lb, si->s[si->next].t,
				    si->s[si->next].v, &why);
				si->next++;
			}
		}
		int evalerrs = 0;
		for (size_t k = 0; k < rs->n; k++) {
			struct pl_rgroup *rg = &rs->g[order[k]];
			pl__group_eval(rg, &rd, mem_append, m, ts, g->ext_labels,
			    g->ext_url);
			for (size_t r = 0; r < rg->n; r++)
				if (rg->rules[r].has_err) {
					pl__go_duration(tbuf, sizeof tbuf, ts);
					buf_printf(rep, "    rule: %s, time: %s, "
					    "err: %s\n\n", rg->rules[r].name, tbuf,
					    rg->rules[r].err);
					evalerrs++;
				}
		}
		if (evalerrs) {
			fails += evalerrs;
			goto out;
		}
		while (at && cur < g->nat && ts <= g->at[at[cur]].eval_time &&
		    g->at[at[cur]].eval_time < ts + f->eval_interval) {
			int64_t t = g->at[at[cur]].eval_time;
			for (; cur < g->nat && g->at[at[cur]].eval_time == t; cur++) {
				struct alert_test *a = &g->at[at[cur]];
				struct la *got = NULL, *exp;
				size_t ngot = 0;
				for (size_t k = 0; k < rs->n; k++)
					for (size_t r = 0; r < rs->g[k].n; r++) {
						struct pl_rule *ru = &rs->g[k].rules[r];
						if (!ru->alert ||
						    strcmp(ru->name, a->alertname))
							continue;
						for (size_t q = 0; q < ru->nact; q++) {
							if (ru->act[q].state !=
							    PL_ALERT_FIRING)
								continue;
							struct la *ng = realloc(got,
							    (ngot + 1) * sizeof *ng);
							if (!ng)
								continue;
							got = ng;
							got[ngot].labels =
							    ru->act[q].labels;
							got[ngot].ann =
							    ru->act[q].annotations;
							ngot++;
						}
					}
				exp = calloc(a->nexp + 1, sizeof *exp);
				for (size_t q = 0; exp && q < a->nexp; q++) {
					exp[q].labels = a->exp[q].labels;
					exp[q].ann = a->exp[q].ann;
				}
				if (ngot > 1)
					qsort(got, ngot, sizeof *got, cmp_la);
				if (a->nexp > 1 && exp)
					qsort(exp, a->nexp, sizeof *exp, cmp_la);
				int same = ngot == a->nexp;
				for (size_t q = 0; same && q < ngot; q++)
					same = pq_labels_equal(got[q].labels,
					    exp[q].labels) &&
					    pq_labels_equal(got[q].ann, exp[q].ann);
				if (!same) {
					fails++;
					if (tname)
						buf_printf(rep, "    name: %s,\n",
						    tname);
					pq_fmt_duration(tbuf, sizeof tbuf,
					    a->eval_time);
					buf_printf(rep, "    alertname: %s, time: "
					    "%s, \n        exp:", a->alertname,
					    tbuf);
					la_string(rep, exp, a->nexp,
					    "            ");
					buf_puts(rep, ", \n        got:");
					la_string(rep, got, ngot,
					    "            ");
					buf_puts(rep, "\n\n");
				}
				free(got);
				free(exp);
			}
		}
	}
	/* expression tests */
	for (size_t i = 0; i < g->net; i++) {
		struct expr_test *e = &g->et[i];
		pq_expr *x;
		pq_result res;
		int col;
		char err[512];
		struct buf qe = BUF_INIT;
		pq_go_quote(&qe, e->expr);
		pq_fmt_duration(tbuf, sizeof tbuf, e->eval_time);
		if (pq_parse(&x, e->expr, &col, err, sizeof err) < 0) {
			buf_printf(rep, "    expr: %s, time: %s, err: 1:%d: parse "
			    "error: %s\n\n", buf_str(&qe), tbuf, col, err);
			fails++;
			buf_free(&qe);
			continue;
		}
		if (pq_eval_instant(&res, x, &rd, e->eval_time, err,
		    sizeof err) < 0) {
			buf_printf(rep, "    expr: %s, time: %s, err: %s\n\n",
			    buf_str(&qe), tbuf, err);
			fails++;
			pq_expr_free(x);
			buf_free(&qe);
			continue;
		}
		size_t ngot = res.type == PQ_T_SCALAR ? 1 : res.vec.n;
		struct ps *got = calloc(ngot + 1, sizeof *got);
		struct ps *exp = calloc(e->nexp + 1, sizeof *exp);
		pq_labels *empty = pq_labels_new(NULL, 0);
		int bad = 0;
		for (size_t q = 0; got && q < ngot; q++) {
			if (res.type == PQ_T_SCALAR) {
				got[q].lb = empty;
				got[q].v = res.scalar;
			} else {
				got[q].lb = res.vec.e[q].lb;
				got[q].v = res.vec.e[q].v;
			}
		}
		for (size_t q = 0; exp && q < e->nexp && !bad; q++) {
			if (!e->exp[q].lb && pq_parse_metric(&e->exp[q].lb,
			    e->exp[q].text, &col, err, sizeof err) < 0) {
				struct buf lq = BUF_INIT;
				pq_go_quote(&lq, e->exp[q].text);
				buf_printf(rep, "    expr: %s, time: %s, err: "
				    "labels %s: 1:%d: parse error: %s\n\n",
				    buf_str(&qe), tbuf, buf_str(&lq), col, err);
				buf_free(&lq);
				bad = 1;
				fails++;
				break;
			}
			exp[q].lb = e->exp[q].lb;
			exp[q].v = e->exp[q].v;
		}
		if (!bad && got && exp) {
			if (ngot > 1)
				qsort(got, ngot, sizeof *got, cmp_ps);
			if (e->nexp > 1)
				qsort(exp, e->nexp, sizeof *exp, cmp_ps);
			int same = ngot == e->nexp;
			for (size_t q = 0; same && q < ngot; q++)
				same = pq_labels_equal(got[q].lb, exp[q].lb) &&
				    got[q].v == exp[q].v;
			if (!same) {
				fails++;
				buf_printf(rep, "    expr: %s, time: %s,\n"
				    "        exp: ", buf_str(&qe), tbuf);
				ps_string(rep, exp, e->nexp);
				buf_puts(rep, "\n        got: ");
				ps_string(rep, got, ngot);
				buf_puts(rep, "\n\n");
			}
		}
		free(got);
		free(exp);
		pq_labels_unref(empty);
		pq_result_dispose(&res);
		pq_expr_free(x);
		buf_free(&qe);
	}
out:
	free(at);
	free(order);
	pq_mem_free(m);
	return fails;
}

/* Runs one file: 0 passed, 1 failed, 2 unreadable or invalid. */
static int
run_file(const char *path, struct buf *rep)
{
	struct tfile f;
	struct pl_ruleset rs = { 0 };
	char err[1024];
	int rc, status = 0;

	buf_printf(rep, "Unit Testing:  %s\n", path);
	rc = read_file(&f, path, err, sizeof err);
	if (rc) {
		buf_printf(rep, "  FAILED:\n%s\n\n", err);
		tfile_dispose(&f);
		return 2;
	}
	for (size_t i = 0; i < f.nrf; i++) {
		rc = pl__rules_load(&rs, f.rule_files[i], f.rule_files[i], err,
		    sizeof err);
		if (rc) {
			buf_printf(rep, "  FAILED:\n%s\n\n", err);
			pl__ruleset_dispose(&rs);
			tfile_dispose(&f);
			return 2;
		}
	}
	struct buf fails = BUF_INIT;
	for (size_t i = 0; i < f.ng; i++) {
		struct tgroup *g = &f.g[i];
		/* fresh rule state per test group, as promtool loads anew */
		struct pl_ruleset fresh = { 0 };
		for (size_t j = 0; j < f.nrf; j++)
			(void)pl__rules_load(&fresh, f.rule_files[j],
			    f.rule_files[j], err, sizeof err);
		for (size_t j = 0; j < fresh.n; j++)
			if (fresh.g[j].interval == 0)
				fresh.g[j].interval = g->interval;
		struct buf one = BUF_INIT;
		if (run_group(&f, g, &fresh, &one) > 0) {
			status = 1;
			buf_puts(&fails, buf_str(&one));
		}
		buf_free(&one);
		pl__ruleset_dispose(&fresh);
	}
	if (status)
		buf_printf(rep, "  FAILED:\n%s\n", buf_str(&fails));
	else
		buf_puts(rep, "  SUCCESS\n\n");
	buf_free(&fails);
	pl__ruleset_dispose(&rs);
	tfile_dispose(&f);
	return status;
}

int
pl_alerts_test(char **report, int *status, const char *const *files,
    size_t nfiles)
{
	struct buf rep = BUF_INIT;

	*status = 0;
	*report = NULL;
	for (size_t i = 0; i < nfiles; i++) {
		int s = run_file(files[i], &rep);
		if (s > *status)
			*status = s;
	}
	*report = buf_detach(&rep);
	return *report ? PL_OK : PL_ENOMEM;
}
