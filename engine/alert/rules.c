/* rules.c - loading Prometheus rule files (groups:, alert/record rules) with FILE:LINE:COL errors. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ropen.h"
#include "store/error.h"
#include "rules.h"
#include "template.h"
#include "config/ynode.h"

/*
 * The format is Prometheus' (model/rulefmt/rulefmt.go), read strictly:
 * an unknown key is an error, as `promtool check rules` says.  Every
 * message carries the file, line and column of the key or value at
 * fault; an expression's error points inside the expression.
 */

struct ld {
	const char *file;	/* display name */
	const char *text;	/* the file's bytes, to find columns */
	size_t len;
	char *err;
	size_t errlen;
};

static int
lerr(struct ld *l, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(l->err, l->errlen, "%s:%d:%d: ", l->file, line, col);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < l->errlen)
		vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

/* Start of 1-based line ln in the text, or NULL. */
static const char *
line_start(const struct ld *l, int ln)
{
	const char *p = l->text;
	for (int i = 1; i < ln && p; i++) {
		p = memchr(p, '\n', l->len - (size_t)(p - l->text));
		if (p)
			p++;
	}
	return p;
}

/*
 * Position in the file of byte off of a scalar's value: exact for plain
 * and quoted one-line scalars and for block scalars (| >), whose lines
 * start at their indentation.
 */
static void
scalar_pos(const struct ld *l, const ynode *n, size_t off, int *line, int *col)
{
	const char *ls = line_start(l, n->line);
	char c = ls && (size_t)(ls - l->text) + (size_t)n->col - 1 < l->len ?
	    ls[n->col - 1] : 0;
	size_t nl = 0, last = 0;

	for (size_t i = 0; i < off && n->str[i]; i++)
		if (n->str[i] == '\n') {
			nl++;
			last = i + 1;
		}
	if (c == '|' || c == '>') {
		*line = n->line + 1 + (int)nl;
		const char *p = line_start(l, *line);
		int indent = 0;
		while (p && p[indent] == ' ')
			indent++;
		*col = indent + (int)(off - last) + 1;
		return;
	}
	*line = n->line + (int)nl;
	if (nl)
		*col = (int)(off - last) + 1;
	else
		*col = n->col + (int)off + (c == '"' || c == '\'');
}

static int
valid_label(const char *s, int metric)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_' ||
	    (metric && *s == ':')))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' ||
		    (metric && *s == ':')))
			return 0;
	return 1;
}

static int
need_scalar(struct ld *l, const ynode *v, const char *key)
{
	if (!v || v->kind != YN_SCALAR)
		return lerr(l, v ? v->line : 0, v ? v->col : 0,
		    "%s must be a string, not %s", key, v ? yn_a_type(v) :
		    "nothing");
	return 0;
}

static int
duration(struct ld *l, const ynode *v, const char *key, int64_t *ms)
{
	if (need_scalar(l, v, key))
		return PL_EINVAL;
	if (pq_parse_duration(v->str, strlen(v->str), ms) < 0)
		return lerr(l, v->line, v->col, "%s: not a valid duration "
		    "string: \"%s\" (use e.g. 30s, 5m, 1h30m)", key, v->str);
	return 0;
}

static void
rule_dispose(struct pl_rule *r)
{
	free(r->name);
	free(r->expr_text);
	pq_expr_free(r->expr);
	for (size_t i = 0; i < r->nlabels; i++) {
		free(r->lnames[i]);
		free(r->lraw[i]);
		tmpl_free(r->ltmpl[i]);
	}
	for (size_t i = 0; i < r->nann; i++) {
		free(r->anames[i]);
		free(r->araw[i]);
		tmpl_free(r->atmpl[i]);
	}
	free(r->araw);
	free(r->lnames);
	free(r->lraw);
	free(r->ltmpl);
	free(r->anames);
	free(r->atmpl);
	for (size_t i = 0; i < r->nact; i++) {
		pq_labels_unref(r->act[i].labels);
		pq_labels_unref(r->act[i].annotations);
	}
	free(r->act);
	for (size_t i = 0; i < r->nprev; i++)
		pq_labels_unref(r->prev[i]);
	free(r->prev);
}

static void
group_dispose(struct pl_rgroup *g)
{
	for (size_t i = 0; i < g->n; i++)
		rule_dispose(&g->rules[i]);
	free(g->rules);
	free(g->name);
	free(g->file);
}

void
pl__ruleset_dispose(struct pl_ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		group_dispose(&rs->g[i]);
	free(rs->g);
	rs->g = NULL;
	rs->n = 0;
}

/* labels: or annotations: - a map of names to template strings. */
static int
templates(struct ld *l, const ynode *m, const char *what, int is_label,
    char ***names, struct tmpl ***tm, char ***raw, size_t *n)
{
	if (!m || (m->kind == YN_SCALAR && yn_scalar_type(m) == YT_NULL))
		return 0;
	if (m->kind != YN_MAP)
		return lerr(l, m->line, m->col, "%s must be a map of names to "
		    "strings, not %s", what, yn_a_type(m));
	*names = calloc(m->n + 1, sizeof **names);
	*tm = calloc(m->n + 1, sizeof **tm);
	if (raw)
		*raw = calloc(m->n + 1, sizeof **raw);
	if (!*names || !*tm || (raw && !*raw))
		return PL_ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		const ynode *k = yn_key(m, i), *v = yn_val(m, i);
		if (!valid_label(k->str, 0))
			return lerr(l, k->line, k->col, "invalid %s name: %s",
			    is_label ? "label" : "annotation", k->str);
		if (v->kind != YN_SCALAR)
			return lerr(l, v->line, v->col, "%s %s must be a string, "
			    "not %s", what, k->str, yn_a_type(v));
		size_t epos;
		char err[256];
		const char *text = yn_scalar_type(v) == YT_NULL && !v->quoted ?
		    "" : v->str;
		(*names)[*n] = strdup(k->str);
		if (raw)
			(*raw)[*n] = strdup(text);
		if (tmpl_parse(&(*tm)[*n], text, &epos, err, sizeof err) < 0) {
			int line, col;
			(*n)++;
			scalar_pos(l, v, epos, &line, &col);
			return lerr(l, line, col, "%s %s: template: %s", what,
			    k->str, err);
		}
		(*n)++;
	}
	return 0;
}

static int
load_rule(struct ld *l, const ynode *rn, struct pl_rule *r)
{
	const ynode *rec = NULL, *al = NULL, *expr = NULL, *forn = NULL,
	    *kff = NULL, *labels = NULL, *ann = NULL;
	int rc;

	if (rn->kind != YN_MAP)
		return lerr(l, rn->line, rn->col, "a rule must be a map, not %s",
		    yn_a_type(rn));
	r->line = rn->line;
	r->col = rn->col;
	for (size_t i = 0; i < rn->n; i++) {
		const ynode *k = yn_key(rn, i), *v = yn_val(rn, i);
		if (strcmp(k->str, "record") == 0) rec = v;
		else if (strcmp(k->str, "alert") == 0) al = v;
		else if (strcmp(k->str, "expr") == 0) expr = v;
		else if (strcmp(k->str, "for") == 0) forn = v;
		else if (strcmp(k->str, "keep_firing_for") == 0) kff = v;
		else if (strcmp(k->str, "labels") == 0) labels = v;
		else if (strcmp(k->str, "annotations") == 0) ann = v;
		else
			return lerr(l, k->line, k->col, "field %s not found in "
			    "type rulefmt.RuleNode (a rule has record or alert, "
			    "expr, for, keep_firing_for, labels, annotations)",
			    k->str);
	}
	if (!rec && !al)
		return lerr(l, rn->line, rn->col, "one of 'record' or 'alert' "
		    "must be set");
	if (rec && al)
		return lerr(l, al->line, al->col, "only one of 'record' and "
		    "'alert' must be set");
	r->alert = al != NULL;
	const ynode *nm = al ? al : rec;
	if ((rc = need_scalar(l, nm, al ? "alert" : "record")))
		return rc;
	r->name = strdup(nm->str);
	if (!r->name)
		return PL_ENOMEM;
	if (!al && !valid_label(nm->str, 1))
		return lerr(l, nm->line, nm->col, "invalid recording rule name: "
		    "%s", nm->str);
	if (al && !nm->str[0])
		return lerr(l, nm->line, nm->col, "alert name must not be empty");
	if (!expr || (expr->kind == YN_SCALAR && !expr->str[0]))
		return lerr(l, rn->line, rn->col, "field 'expr' must be set in "
		    "rule");
	if ((rc = need_scalar(l, expr, "expr")))
		return rc;
	r->expr_text = strdup(expr->str);
	if (!r->expr_text)
		return PL_ENOMEM;
	{
		int col, line, ecol;
		char err[512];
		if (pq_parse(&r->expr, expr->str, &col, err, sizeof err) < 0) {
			scalar_pos(l, expr, (size_t)(col - 1), &line, &ecol);
			return lerr(l, line, ecol, "could not parse expression: "
			    "%s", err);
		}
		if (pq_expr_type(r->expr) != PQ_T_VECTOR &&
		    pq_expr_type(r->expr) != PQ_T_SCALAR)
			return lerr(l, expr->line, expr->col, "invalid "
			    "expression type \"%s\" for a rule (want an instant "
			    "vector or a scalar)",
			    pq_type_name(pq_expr_type(r->expr)));
	}
	if (!al) {
		if (ann)
			return lerr(l, ann->line, ann->col, "invalid field "
			    "'annotations' in recording rule");
		if (forn)
			return lerr(l, forn->line, forn->col, "invalid field "
			    "'for' in recording rule");
		if (kff)
			return lerr(l, kff->line, kff->col, "invalid field "
			    "'keep_firing_for' in recording rule");
	}
	if (forn && (rc = duration(l, forn, "for", &r->for_ms)))
		return rc;
	if (kff && (rc = duration(l, kff, "keep_firing_for",
	    &r->keep_firing_ms)))
		return rc;
	if ((rc = templates(l, labels, "labels", 1, &r->lnames, &r->ltmpl,
	    &r->lraw, &r->nlabels)))
		return rc;
	for (size_t i = 0; i < r->nlabels; i++)
		if (!al && strcmp(r->lnames[i], "__name__") == 0)
			return lerr(l, labels->line, labels->col, "invalid "
			    "recording rule label name: __name__");
	if ((rc = templates(l, ann, "annotations", 0, &r->anames, &r->atmpl,
	    &r->araw, &r->nann)))
		return rc;
	return 0;
}

static int
load_group(struct ld *l, const ynode *gn, struct pl_rgroup *g,
    const struct pl_ruleset *rs, size_t first)
{
	const ynode *name = NULL, *interval = NULL, *rules = NULL;
	int rc;

	if (gn->kind != YN_MAP)
		return lerr(l, gn->line, gn->col, "a group must be a map, not %s",
		    yn_a_type(gn));
	g->line = gn->line;
	g->col = gn->col;
	for (size_t i = 0; i < gn->n; i++) {
		const ynode *k = yn_key(gn, i), *v = yn_val(gn, i);
		if (strcmp(k->str, "name") == 0) name = v;
		else if (strcmp(k->str, "interval") == 0) interval = v;
		else if (strcmp(k->str, "rules") == 0) rules = v;
		else if (strcmp(k->str, "limit") == 0)
			return lerr(l, k->line, k->col, "group limit is not "
			    "supported by plumb");
		else
			return lerr(l, k->line, k->col, "field %s not found in "
			    "type rulefmt.RuleGroup (a group has name, interval, "
			    "rules)", k->str);
	}
	if (!name || (name->kind == YN_SCALAR && !name->str[0]))
		return lerr(l, gn->line, gn->col, "Groupname must not be empty");
	if ((rc = need_scalar(l, name, "name")))
		return rc;
	for (size_t i = first; i < rs->n; i++)
		if (&rs->g[i] != g && rs->g[i].name &&
		    strcmp(rs->g[i].name, name->str) == 0)
			return lerr(l, name->line, name->col, "groupname: \"%s\" "
			    "is repeated in the same file", name->str);
	g->name = strdup(name->str);
	if (!g->name)
		return PL_ENOMEM;
	if (interval && (rc = duration(l, interval, "interval", &g->interval)))
		return rc;
	if (!rules || (rules->kind == YN_SCALAR &&
	    yn_scalar_type(rules) == YT_NULL))
		return 0;
	if (rules->kind != YN_SEQ)
		return lerr(l, rules->line, rules->col, "rules must be a list, "
		    "not %s", yn_a_type(rules));
	g->rules = calloc(rules->n + 1, sizeof *g->rules);
	if (!g->rules)
		return PL_ENOMEM;
	for (size_t i = 0; i < rules->n; i++) {
		g->rules[i].file = g->file;
		g->n = i + 1;
		if ((rc = load_rule(l, rules->items[i], &g->rules[i])))
			return rc;
	}
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	char why[64];
	int fd = ropen(path, 0, NULL, why, sizeof why);	/* no FIFO, no device */
	FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_detach(&b);
}

/*
 * Appends the groups of the list node groups (a seq, or null) of a file
 * whose bytes are text; used for rule files and for plumb.yaml's alerts:.
 */
static int
load_groups(struct ld *l, struct pl_ruleset *rs, const ynode *groups)
{
	size_t first = rs->n;
	int rc = 0;

	if (!groups || (groups->kind == YN_SCALAR &&
	    yn_scalar_type(groups) == YT_NULL))
		return 0;
	if (groups->kind != YN_SEQ)
		return lerr(l, groups->line, groups->col, "groups must be a "
		    "list, not %s", yn_a_type(groups));
	struct pl_rgroup *ng = realloc(rs->g, (rs->n + groups->n + 1) *
	    sizeof *ng);
	if (!ng)
		return PL_ENOMEM;
	rs->g = ng;
	for (size_t i = 0; i < groups->n; i++) {
		struct pl_rgroup *g = &rs->g[rs->n];
		memset(g, 0, sizeof *g);
		g->file = strdup(l->file);
		if (!g->file)
			return PL_ENOMEM;
		rs->n++;
		if ((rc = load_group(l, groups->items[i], g, rs, first)))
			return rc;
		/* the duplicate check above compares with earlier groups of
		 * this file only; g itself is already counted */
	}
	return 0;
}

int
pl__rules_load_node(struct pl_ruleset *rs, const struct ynode *groups,
    const char *text, size_t len, const char *display, char *err,
    size_t errlen)
{
	struct ld l = { .file = display, .text = text, .len = len, .err = err,
	    .errlen = errlen };
	size_t first = rs->n;
	int rc = load_groups(&l, rs, groups);

	if (rc == PL_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", display);
	if (rc) {
		while (rs->n > first)
			group_dispose(&rs->g[--rs->n]);
	}
	return rc;
}

int
pl__rules_load_text(struct pl_ruleset *rs, const char *text, size_t len,
    const char *display, char *err, size_t errlen)
{
	struct ld l = { .file = display, .text = text, .len = len, .err = err,
	    .errlen = errlen };
	ynode *root = NULL;
	size_t first = rs->n;
	int rc = 0;

	rc = yn_parse(&root, text, len, display, err, errlen);
	if (rc)
		goto done;
	if (!root)
		goto done;
	if (root->kind != YN_MAP) {
		rc = lerr(&l, root->line, root->col, "a rule file must be a map "
		    "with groups:, not %s", yn_a_type(root));
		goto done;
	}
	const ynode *groups = NULL;
	for (size_t i = 0; i < root->n; i++) {
		const ynode *k = yn_key(root, i);
		if (strcmp(k->str, "groups") == 0)
			groups = yn_val(root, i);
		else {
			rc = lerr(&l, k->line, k->col, "field %s not found in "
			    "type rulefmt.RuleGroups (a rule file has groups:)",
			    k->str);
			goto done;
		}
	}
	rc = load_groups(&l, rs, groups);
done:
	if (rc == PL_ENOMEM)
		snprintf(err, errlen, "%s: out of memory", display);
	if (rc) {
		while (rs->n > first)
			group_dispose(&rs->g[--rs->n]);
	}
	yn_free(root);
	return rc;
}

int
pl__rules_load(struct pl_ruleset *rs, const char *path, const char *display,
    char *err, size_t errlen)
{
	size_t len = 0;
	char *text;
	int rc;

	text = slurp(path, &len);
	if (!text && errno == EINVAL) {
		snprintf(err, errlen, "%s: cannot read: not a regular file",
		    display);
		return PL_EINVAL;
	}
	if (!text) {
		snprintf(err, errlen, "%s: cannot read: %s", display,
		    strerror(errno));
		return errno == ENOENT ? PL_ENOTFOUND : PL_EIO;
	}
	rc = pl__rules_load_text(rs, text, len, display, err, errlen);
	free(text);
	return rc;
}
