/* notify-config.c - the route: and receivers: keys of plumb.yaml's alerts: section, shaped like Alertmanager's configuration, parsed with FILE:LINE:COL errors. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "alert/notify-int.h"
#include "alert/promql.h"
#include "config/ynode.h"
#include "store/error.h"

/*
 * Alertmanager's config (config/config.go): a route inherits receiver,
 * group_by and the three timers from its parent; matchers are
 * `NAME OP "VALUE"` strings (OP one of = != =~ !~, regexes anchored),
 * match: and match_re: maps the older form of the same.  Unlike
 * Alertmanager a receiver names how to send itself (command:, webhook:
 * or alertmanager:) instead of a list of *_configs.
 */

static const char *const ops[] = { "=", "!=", "=~", "!~" };

static int __attribute__((format(printf, 5, 6)))
cerr(char *err, size_t errlen, const char *file, const ynode *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yn_verrf(err, errlen, file, n, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

static int
scalar(const ynode *v)
{
	return v->kind == YN_SCALAR && yn_scalar_type(v) != YT_NULL;
}

static int
duration(const char *file, const ynode *v, const char *key, int64_t *ms,
    int zero_ok, char *err, size_t errlen)
{
	if (!scalar(v) || pq_parse_duration(v->str, strlen(v->str), ms) < 0)
		return cerr(err, errlen, file, v, "%s: not a valid duration "
		    "(like 30s, 5m, 4h)", key);
	if (!zero_ok && *ms <= 0)
		return cerr(err, errlen, file, v, "%s: must be more than 0",
		    key);
	return PL_OK;
}

static int
boolean(const char *file, const ynode *v, const char *key, int *out,
    char *err, size_t errlen)
{
	if (v->kind != YN_SCALAR || yn_scalar_type(v) != YT_BOOL)
		return cerr(err, errlen, file, v, "%s: true or false", key);
	*out = yn_bool(v);
	return PL_OK;
}

/* ---- matchers ------------------------------------------------------------ */

static int
valid_name(const char *s, size_t n)
{
	if (n == 0 || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* Unquotes a Go/PromQL double-quoted string (\" \\ \n \t), or a single-
 * quoted one, or takes the text as is. */
static char *
unquote(const char *v, size_t n, int *bad)
{
	struct buf b = BUF_INIT;

	*bad = 0;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		char q = v[0];
		for (size_t i = 1; i + 1 < n; i++) {
			char c = v[i];
			if (c == '\\' && i + 2 < n) {
				c = v[++i];
				if (c == 'n')
					c = '\n';
				else if (c == 't')
					c = '\t';
				else if (c != '\\' && c != '"' && c != '\'')
					*bad = 1;
			} else if (c == q)
				*bad = 1;
			if (buf_putc(&b, c) < 0)
				goto oom;
		}
	} else if (buf_add(&b, v, n) < 0)
		goto oom;
	if (b.p == NULL)
		return strdup("");
	return buf_detach(&b);
oom:
	buf_free(&b);
	return NULL;
}

static int
add_matcher(struct nroute *r, const char *name, size_t nlen, int op,
    const char *val, size_t vlen, int quoted_val, const char *file,
    const ynode *at, char *err, size_t errlen)
{
	pq_matcher *nm = realloc(r->m, (r->nm + 1) * sizeof *nm);
	char rerr[256];
	int bad = 0;

	if (nm == NULL)
		return PL_ENOMEM;
	r->m = nm;
	nm = &r->m[r->nm];
	memset(nm, 0, sizeof *nm);
	nm->type = (enum pq_mtype)op;
	nm->name = strndup(name, nlen);
	nm->value = quoted_val ? unquote(val, vlen, &bad) : strndup(val, vlen);
	r->nm++;
	if (!nm->name || !nm->value)
		return PL_ENOMEM;
	if (bad)
		return cerr(err, errlen, file, at, "matcher: bad quoting in "
		    "the value");
	/* checked here (for the position), compiled once sorted */
	if (pq_matcher_compile(nm, rerr, sizeof rerr) < 0)
		return cerr(err, errlen, file, at, "matcher: bad regex: %s",
		    rerr);
	if (nm->has_re)
		regfree(&nm->re);
	nm->has_re = 0;
	return PL_OK;
}

/* One matcher string: NAME OP VALUE (spaces around OP allowed). */
static int
parse_matcher(struct nroute *r, const char *file, const ynode *v, char *err,
    size_t errlen)
{
	const char *s, *p, *e;
	int op;

	if (v->kind != YN_SCALAR)
		return cerr(err, errlen, file, v, "matchers: each entry is a "
		    "string like 'severity=\"page\"'");
	s = v->str;
	while (isspace((unsigned char)*s))
		s++;
	p = s;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	e = p;
	while (isspace((unsigned char)*p))
		p++;
	if (!valid_name(s, (size_t)(e - s)))
		return cerr(err, errlen, file, v, "matcher '%s': expected a "
		    "label name, then = != =~ or !~, then a value", v->str);
	if (p[0] == '=' && p[1] == '~')
		op = 2, p += 2;
	else if (p[0] == '!' && p[1] == '~')
		op = 3, p += 2;
	else if (p[0] == '!' && p[1] == '=')
		op = 1, p += 2;
	else if (p[0] == '=')
		op = 0, p += 1;
	else
		return cerr(err, errlen, file, v, "matcher '%s': expected = != "
		    "=~ or !~ after the label name", v->str);
	while (isspace((unsigned char)*p))
		p++;
	size_t vl = strlen(p);
	while (vl && isspace((unsigned char)p[vl - 1]))
		vl--;
	return add_matcher(r, s, (size_t)(e - s), op, p, vl, 1, file, v, err,
	    errlen);
}

static int
cmp_match(const void *a, const void *b)
{
	const pq_matcher *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = (int)x->type - (int)y->type;
	if (c == 0)
		c = strcmp(x->value, y->value);
	return c;
}

/* The route's key, once its matchers are known (sorted, as
 * Alertmanager sorts them): the parent's key, '/', {name="value",...}.
 * The regexes are compiled once sorted (a regex_t is not moved). */
static int
route_key(struct nroute *r, const char *parent_key)
{
	struct buf key = BUF_INIT;
	int bad = 0;

	char rerr[256];

	if (r->nm > 1)
		qsort(r->m, r->nm, sizeof *r->m, cmp_match);
	for (size_t i = 0; i < r->nm; i++)
		if (pq_matcher_compile(&r->m[i], rerr, sizeof rerr) < 0)
			return PL_ENOMEM;	/* compiled before: memory */
	if (parent_key)
		bad |= buf_printf(&key, "%s/", parent_key) < 0;
	bad |= buf_putc(&key, '{') < 0;
	for (size_t i = 0; i < r->nm; i++) {
		bad |= buf_printf(&key, "%s%s%s", i ? "," : "", r->m[i].name,
		    ops[r->m[i].type]) < 0;
		bad |= pq_go_quote(&key, r->m[i].value) < 0;
	}
	bad |= buf_putc(&key, '}') < 0;
	if (bad) {
		buf_free(&key);
		return PL_ENOMEM;
	}
	r->key = buf_detach(&key);
	return PL_OK;
}

/* ---- routes ------------------------------------------------------------- */

static void
route_free(struct nroute *r)
{
	for (size_t i = 0; i < r->nm; i++)
		pq_matcher_dispose(&r->m[i]);
	free(r->m);
	free(r->key);
	for (size_t i = 0; i < r->ngroup_by; i++)
		free(r->group_by[i]);
	free(r->group_by);
	for (size_t i = 0; i < r->nkids; i++)
		route_free(&r->kids[i]);
	free(r->kids);
	memset(r, 0, sizeof *r);
}

static int
find_recv(const struct ncfg *c, const char *name)
{
	for (size_t i = 0; i < c->nrecv; i++)
		if (!strcmp(c->recv[i].name, name))
			return (int)i;
	return -1;
}

static int
parse_route(struct ncfg *c, struct nroute *r, const struct nroute *parent,
    const char *file, const ynode *n, char *err, size_t errlen)
{
	const ynode *kids = NULL, *recv = NULL, *gb = NULL;
	int rc = PL_OK;

	if (n->kind != YN_MAP)
		return cerr(err, errlen, file, n, "a route is a map (receiver:, "
		    "group_by:, matchers:, routes:, ...)");
	r->recv = parent ? parent->recv : -1;
	r->group_wait = parent ? parent->group_wait : NTF_GROUP_WAIT_MS;
	r->group_interval = parent ? parent->group_interval :
	    NTF_GROUP_INTERVAL_MS;
	r->repeat_interval = parent ? parent->repeat_interval : NTF_REPEAT_MS;
	for (size_t i = 0; i < n->n && rc == PL_OK; i++) {
		const ynode *k = yn_key(n, i), *v = yn_val(n, i);

		if (!strcmp(k->str, "receiver"))
			recv = v;
		else if (!strcmp(k->str, "group_by"))
			gb = v;
		else if (!strcmp(k->str, "group_wait"))
			rc = duration(file, v, "group_wait", &r->group_wait, 1,
			    err, errlen);
		else if (!strcmp(k->str, "group_interval"))
			rc = duration(file, v, "group_interval",
			    &r->group_interval, 0, err, errlen);
		else if (!strcmp(k->str, "repeat_interval"))
			rc = duration(file, v, "repeat_interval",
			    &r->repeat_interval, 0, err, errlen);
		else if (!strcmp(k->str, "continue"))
			rc = boolean(file, v, "continue", &r->cont, err,
			    errlen);
		else if (!strcmp(k->str, "routes"))
			kids = v;
		else if (!strcmp(k->str, "matchers")) {
			if (v->kind != YN_SEQ)
				rc = cerr(err, errlen, file, v, "matchers: a "
				    "list like ['severity=\"page\"']");
			for (size_t j = 0; rc == PL_OK && v->kind == YN_SEQ &&
			    j < v->n; j++)
				rc = parse_matcher(r, file, v->items[j], err,
				    errlen);
		} else if (!strcmp(k->str, "match") ||
		    !strcmp(k->str, "match_re")) {
			int re = k->str[5] == '_';
			if (v->kind != YN_MAP)
				rc = cerr(err, errlen, file, v, "%s: a map of "
				    "label: value", k->str);
			for (size_t j = 0; rc == PL_OK && v->kind == YN_MAP &&
			    j < v->n; j++) {
				const ynode *mk = yn_key(v, j), *mv = yn_val(v, j);
				if (!valid_name(mk->str, strlen(mk->str)) ||
				    mv->kind != YN_SCALAR)
					rc = cerr(err, errlen, file, mk, "%s: "
					    "label name: value", k->str);
				else
					rc = add_matcher(r, mk->str,
					    strlen(mk->str), re ? 2 : 0,
					    mv->str, strlen(mv->str), 0, file,
					    mv, err, errlen);
			}
		} else
			rc = cerr(err, errlen, file, k, "unknown key '%s' in a "
			    "route (receiver, group_by, group_wait, "
			    "group_interval, repeat_interval, matchers, match, "
			    "match_re, continue, routes)", k->str);
	}
	if (rc != PL_OK)
		return rc;
	if (parent == NULL && r->nm)
		return cerr(err, errlen, file, n, "the top route matches every "
		    "alert: no matchers there");
	if (parent == NULL && r->cont)
		return cerr(err, errlen, file, n, "the top route cannot have "
		    "continue:");
	if (recv) {
		if (!scalar(recv))
			return cerr(err, errlen, file, recv, "receiver: the name "
			    "of a receiver");
		if ((r->recv = find_recv(c, recv->str)) < 0)
			return cerr(err, errlen, file, recv, "receiver '%s' is "
			    "not defined under receivers:", recv->str);
	} else if (parent == NULL)
		return cerr(err, errlen, file, n, "route: needs a receiver:");
	if (gb) {
		if (gb->kind != YN_SEQ)
			return cerr(err, errlen, file, gb, "group_by: a list of "
			    "label names (or ['...'])");
		r->group_by = calloc(gb->n + 1, sizeof *r->group_by);
		if (!r->group_by)
			return PL_ENOMEM;
		for (size_t j = 0; j < gb->n; j++) {
			const ynode *g = gb->items[j];
			if (g->kind == YN_SCALAR && !strcmp(g->str, "...")) {
				r->group_all = 1;
				continue;
			}
			if (g->kind != YN_SCALAR || !valid_name(g->str,
			    strlen(g->str)))
				return cerr(err, errlen, file, g, "group_by: "
				    "'%s' is not a label name", g->kind ==
				    YN_SCALAR ? g->str : "?");
			if ((r->group_by[r->ngroup_by++] = strdup(g->str)) ==
			    NULL)
				return PL_ENOMEM;
		}
		if (r->group_all && r->ngroup_by)
			return cerr(err, errlen, file, gb, "group_by: '...' "
			    "groups by every label; list nothing else");
	} else if (parent) {
		r->group_all = parent->group_all;
		if (parent->ngroup_by) {
			r->group_by = calloc(parent->ngroup_by, sizeof(char *));
			if (!r->group_by)
				return PL_ENOMEM;
			for (size_t j = 0; j < parent->ngroup_by; j++)
				if ((r->group_by[r->ngroup_by++] =
				    strdup(parent->group_by[j])) == NULL)
					return PL_ENOMEM;
		}
	}
	if ((rc = route_key(r, parent ? parent->key : NULL)) != PL_OK)
		return rc;
	if (kids) {
		if (kids->kind != YN_SEQ)
			return cerr(err, errlen, file, kids, "routes: a list of "
			    "routes");
		if ((r->kids = calloc(kids->n + 1, sizeof *r->kids)) == NULL)
			return PL_ENOMEM;
		for (size_t j = 0; j < kids->n; j++) {
			r->nkids++;
			if ((rc = parse_route(c, &r->kids[j], r, file,
			    kids->items[j], err, errlen)) != PL_OK)
				return rc;
		}
	}
	return PL_OK;
}

/* ---- receivers ---------------------------------------------------------- */

static int
http_url(const char *file, const ynode *v, char **out, char *err,
    size_t errlen)
{
	if (!scalar(v) || (strncmp(v->str, "http://", 7) &&
	    strncmp(v->str, "https://", 8)) || !v->str[7])
		return cerr(err, errlen, file, v, "url: an http:// or https:// "
		    "URL");
	return (*out = strdup(v->str)) ? PL_OK : PL_ENOMEM;
}

/* The common keys of a receiver or of its webhook:/alertmanager: map. */
static int
recv_common(struct nrecv *r, const char *file, const ynode *k,
    const ynode *v, int *known, char *err, size_t errlen)
{
	*known = 1;
	if (!strcmp(k->str, "timeout"))
		return duration(file, v, "timeout", &r->timeout_ms, 0, err,
		    errlen);
	if (!strcmp(k->str, "send_resolved"))
		return boolean(file, v, "send_resolved", &r->send_resolved,
		    err, errlen);
	if (!strcmp(k->str, "max_alerts")) {
		double d;
		if (v->kind != YN_SCALAR || yn_scalar_type(v) != YT_INT ||
		    yn_number(v, &d) != 0 || d < 0 || d > 1e6)
			return cerr(err, errlen, file, v, "max_alerts: a "
			    "number, 0 for no limit");
		r->max_alerts = (int)d;
		return PL_OK;
	}
	*known = 0;
	return PL_OK;
}

static int
parse_http(struct nrecv *r, const char *file, const char *what,
    const ynode *v, char *err, size_t errlen)
{
	const ynode *url = NULL;
	int rc = PL_OK, known;

	if (v->kind == YN_SCALAR)
		return http_url(file, v, &r->url, err, errlen);
	if (v->kind != YN_MAP)
		return cerr(err, errlen, file, v, "%s: a map {url: ..., "
		    "timeout: 10s}", what);
	for (size_t i = 0; i < v->n && rc == PL_OK; i++) {
		const ynode *k = yn_key(v, i), *x = yn_val(v, i);
		if (!strcmp(k->str, "url"))
			url = x;
		else if ((rc = recv_common(r, file, k, x, &known, err,
		    errlen)) == PL_OK && !known)
			rc = cerr(err, errlen, file, k, "unknown key '%s' in "
			    "%s: (url, timeout, send_resolved, max_alerts)",
			    k->str, what);
	}
	if (rc != PL_OK)
		return rc;
	if (url == NULL)
		return cerr(err, errlen, file, v, "%s: needs a url:", what);
	return http_url(file, url, &r->url, err, errlen);
}

static int
parse_receiver(struct ncfg *c, struct nrecv *r, const char *file,
    const ynode *n, char *err, size_t errlen)
{
	const ynode *name = NULL, *how = NULL;
	int rc = PL_OK, known;

	r->timeout_ms = NTF_TIMEOUT_MS;
	r->send_resolved = 1;
	if (n->kind != YN_MAP)
		return cerr(err, errlen, file, n, "a receiver is a map (name:, "
		    "then command:, webhook: or alertmanager:)");
	for (size_t i = 0; i < n->n && rc == PL_OK; i++) {
		const ynode *k = yn_key(n, i), *v = yn_val(n, i);

		if (!strcmp(k->str, "name"))
			name = v;
		else if (!strcmp(k->str, "command") ||
		    !strcmp(k->str, "webhook") ||
		    !strcmp(k->str, "alertmanager")) {
			if (how)
				return cerr(err, errlen, file, k, "a receiver "
				    "has one of command:, webhook:, "
				    "alertmanager: (also %s: at line %d)",
				    how->str, how->line);
			how = k;
		} else if ((rc = recv_common(r, file, k, v, &known, err,
		    errlen)) == PL_OK && !known)
			rc = cerr(err, errlen, file, k, "unknown key '%s' in a "
			    "receiver (name, command, webhook, alertmanager, "
			    "timeout, send_resolved, max_alerts)", k->str);
	}
	if (rc != PL_OK)
		return rc;
	if (name == NULL || !scalar(name) || !name->str[0])
		return cerr(err, errlen, file, n, "a receiver needs a name:");
	if ((r->name = strdup(name->str)) == NULL)
		return PL_ENOMEM;
	if (find_recv(c, r->name) >= 0)
		return cerr(err, errlen, file, name, "receiver '%s' is defined "
		    "twice", r->name);
	if (how == NULL)
		return cerr(err, errlen, file, n, "receiver '%s': say how to "
		    "send (command:, webhook: or alertmanager:)", r->name);
	const ynode *v = yn_get(n, how->str);
	if (!strcmp(how->str, "command")) {
		r->kind = NR_COMMAND;
		if (v->kind == YN_SCALAR && scalar(v)) {
			/* one string: run by sh -c */
			r->argv = calloc(4, sizeof *r->argv);
			if (!r->argv || !(r->argv[0] = strdup("/bin/sh")) ||
			    !(r->argv[1] = strdup("-c")) ||
			    !(r->argv[2] = strdup(v->str)))
				return PL_ENOMEM;
			return PL_OK;
		}
		if (v->kind != YN_SEQ || v->n == 0)
			return cerr(err, errlen, file, v, "command: a program "
			    "and its arguments, [prog, arg...] (or one string "
			    "for sh -c)");
		if ((r->argv = calloc(v->n + 1, sizeof *r->argv)) == NULL)
			return PL_ENOMEM;
		for (size_t j = 0; j < v->n; j++) {
			if (v->items[j]->kind != YN_SCALAR)
				return cerr(err, errlen, file, v->items[j],
				    "command: each argument is a string");
			if ((r->argv[j] = strdup(v->items[j]->str)) == NULL)
				return PL_ENOMEM;
		}
		if (!r->argv[0][0])
			return cerr(err, errlen, file, v, "command: the program "
			    "is empty");
		return PL_OK;
	}
	r->kind = !strcmp(how->str, "webhook") ? NR_WEBHOOK : NR_ALERTMANAGER;
	return parse_http(r, file, how->str, v, err, errlen);
}

void
pl__ncfg_free(struct ncfg *c)
{
	route_free(&c->root);
	for (size_t i = 0; i < c->nrecv; i++) {
		free(c->recv[i].name);
		for (size_t j = 0; c->recv[i].argv && c->recv[i].argv[j]; j++)
			free(c->recv[i].argv[j]);
		free(c->recv[i].argv);
		free(c->recv[i].url);
	}
	free(c->recv);
	free(c->external_url);
	memset(c, 0, sizeof *c);
}

int
pl__ncfg_parse(struct ncfg *c, const ynode *sec, const char *file, char *err,
    size_t errlen)
{
	const ynode *route, *recv, *ext;
	int rc = PL_OK;

	memset(c, 0, sizeof *c);
	if (sec == NULL || sec->kind != YN_MAP)
		return PL_OK;
	route = yn_get(sec, "route");
	recv = yn_get(sec, "receivers");
	ext = yn_get(sec, "external_url");
	if (ext && scalar(ext) && (c->external_url = strdup(ext->str)) == NULL)
		return PL_ENOMEM;
	if (ext && !scalar(ext))
		return cerr(err, errlen, file, ext, "external_url: a URL");
	if (recv && !(recv->kind == YN_SCALAR && yn_scalar_type(recv) ==
	    YT_NULL)) {
		if (recv->kind != YN_SEQ)
			return cerr(err, errlen, file, recv, "receivers: a list "
			    "of receivers (- name: ..., command: [...])");
		if ((c->recv = calloc(recv->n + 1, sizeof *c->recv)) == NULL)
			return PL_ENOMEM;
		for (size_t i = 0; i < recv->n && rc == PL_OK; i++) {
			rc = parse_receiver(c, &c->recv[c->nrecv], file,
			    recv->items[i], err, errlen);
			if (c->recv[c->nrecv].name)
				c->nrecv++;
			else	/* failed before the name: free the rest */
				for (size_t j = 0; c->recv[c->nrecv].argv &&
				    c->recv[c->nrecv].argv[j]; j++)
					free(c->recv[c->nrecv].argv[j]);
		}
		if (rc != PL_OK)
			goto fail;
	}
	if (route && !(route->kind == YN_SCALAR && yn_scalar_type(route) ==
	    YT_NULL)) {
		if (c->nrecv == 0) {
			rc = cerr(err, errlen, file, route, "route: given but "
			    "no receivers: to send to");
			goto fail;
		}
		c->has_route = 1;
		if ((rc = parse_route(c, &c->root, NULL, file, route, err,
		    errlen)) != PL_OK)
			goto fail;
	} else if (c->nrecv) {
		rc = cerr(err, errlen, file, recv, "receivers: given but no "
		    "route: says which alerts go to them (route: {receiver: "
		    "%s})", c->recv[0].name);
		goto fail;
	}
	return PL_OK;
fail:
	pl__ncfg_free(c);
	return rc;
}

int
pl__ncfg_load(struct ncfg *c, const char *path, char *err, size_t errlen)
{
	ynode *root = NULL;
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = yn_parse_file(&root, path, path, err, errlen)) != PL_OK)
		return rc;
	rc = pl__ncfg_parse(c, root && root->kind == YN_MAP ?
	    yn_get(root, "alerts") : NULL, path, err, errlen);
	yn_free(root);
	return rc;
}
