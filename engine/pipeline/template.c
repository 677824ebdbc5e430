/* template.c - DVC-style templating: vars, params files and ${...} interpolation. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "store/error.h"
#include "pipeline/pipeline.h"
#include "pipeline/internal.h"

int
tpl_ctx_init(struct tpl_ctx *c)
{
	memset(c, 0, sizeof *c);
	c->vars = yn_new(YN_MAP, 0, 0);
	return c->vars ? PL_OK : PL_ENOMEM;
}

void
tpl_ctx_dispose(struct tpl_ctx *c)
{
	yn_free(c->vars);
	for (size_t i = 0; i < c->nsrc; i++) {
		free(c->src[i].file);
		free(c->src[i].wfile);
		yn_free(c->src[i].tree);
	}
	free(c->src);
	yn_free(c->item);
	yn_free(c->key);
	memset(c, 0, sizeof *c);
}

int
tpl_ctx_clone(struct tpl_ctx *dst, const struct tpl_ctx *src)
{
	memset(dst, 0, sizeof *dst);
	dst->vars = yn_copy(src->vars);
	if (dst->vars == NULL)
		return PL_ENOMEM;
	if (src->nsrc) {
		dst->src = calloc(src->nsrc, sizeof *dst->src);
		if (dst->src == NULL)
			goto oom;
		for (size_t i = 0; i < src->nsrc; i++) {
			dst->src[i].file = strdup(src->src[i].file);
			dst->src[i].wfile = strdup(src->src[i].wfile);
			dst->src[i].tree = yn_copy(src->src[i].tree);
			dst->nsrc++;
			if (!dst->src[i].file || !dst->src[i].wfile ||
			    !dst->src[i].tree)
				goto oom;
		}
	}
	if (src->item && (dst->item = yn_copy(src->item)) == NULL)
		goto oom;
	if (src->key && (dst->key = yn_copy(src->key)) == NULL)
		goto oom;
	return PL_OK;
oom:
	tpl_ctx_dispose(dst);
	return PL_ENOMEM;
}

void
tpl_used_clear(struct tpl_used_list *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].file);
		free(u->v[i].wfile);
		free(u->v[i].key);
	}
	free(u->v);
	u->v = NULL;
	u->n = 0;
}

/* Merges src into dst (both maps).  path is the dotted key so far. */
static int
merge(ynode *dst, const ynode *src, const char *origin, struct buf *path,
    char *err, size_t err_len)
{
	for (size_t i = 0; i < src->n; i++) {
		const ynode *k = yn_key(src, i), *v = yn_val(src, i);
		ynode *have = yn_get(dst, k->str);
		size_t plen = path->len;
		int rc;

		if (have == NULL) {
			ynode *kc = yn_copy(k), *vc = yn_copy(v);

			if (!kc || !vc || yn_map_put(dst, kc, vc) != PL_OK) {
				yn_free(kc);
				yn_free(vc);
				return PL_ENOMEM;
			}
			continue;
		}
		if (plen)
			buf_putc(path, '.');
		buf_puts(path, k->str);
		if (have->kind == YN_MAP && v->kind == YN_MAP) {
			rc = merge(have, v, origin, path, err, err_len);
		} else {
			snprintf(err, err_len, YN_LOC_FMT ": cannot redefine "
			    "'%s' from %s: it is already defined (at "
			    YN_LOC_FMT ")", YN_LOC(k), buf_str(path), origin,
			    YN_LOC(have));
			rc = PL_EINVAL;
		}
		path->len = plen;
		if (path->p)
			path->p[plen] = '\0';
		if (rc != PL_OK)
			return rc;
	}
	return PL_OK;
}

int
tpl_ctx_merge(struct tpl_ctx *c, const ynode *map, const char *origin,
    const char *file, const char *wfile, char *err, size_t err_len)
{
	struct buf path = BUF_INIT;
	int rc;

	rc = merge(c->vars, map, origin, &path, err, err_len);
	buf_free(&path);
	if (rc != PL_OK || file == NULL)
		return rc;
	{
		struct tpl_source *s = realloc(c->src,
		    (c->nsrc + 1) * sizeof *s);

		if (s == NULL)
			return PL_ENOMEM;
		c->src = s;
		s[c->nsrc].file = strdup(file);
		s[c->nsrc].wfile = strdup(wfile);
		s[c->nsrc].tree = yn_copy(map);
		c->nsrc++;
		if (!s[c->nsrc - 1].file || !s[c->nsrc - 1].wfile ||
		    !s[c->nsrc - 1].tree)
			return PL_ENOMEM;
	}
	return PL_OK;
}

int
tpl_load_vars_entry(struct tpl_ctx *c, const ynode *entry,
    const char *base_dir, const char *wbase, char *err, size_t err_len)
{
	char *spec, *colon, *abs = NULL, *wfile = NULL;
	ynode *tree = NULL, *part = NULL;
	int rc;

	if (entry->kind == YN_MAP)
		return tpl_ctx_merge(c, entry, "vars", NULL, NULL, err,
		    err_len);
	if (entry->kind != YN_SCALAR || yn_scalar_type(entry) != YT_STR) {
		snprintf(err, err_len, YN_LOC_FMT ": a vars entry must be a "
		    "mapping or a params file name, not %s", YN_LOC(entry),
		    yn_a_type(entry));
		return PL_EINVAL;
	}
	spec = strdup(entry->str);
	if (spec == NULL)
		return PL_ENOMEM;
	colon = strchr(spec, ':');
	if (colon)
		*colon++ = '\0';
	abs = pl_path_join(base_dir, spec);
	wfile = pl_path_join(wbase, spec);
	if (abs == NULL || wfile == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	/* A file merged whole already (params.yaml by default) is not
	 * loaded twice. */
	for (size_t i = 0; i < c->nsrc; i++)
		if (strcmp(c->src[i].wfile, wfile) == 0 && colon == NULL) {
			rc = PL_OK;
			goto out;
		}
	{
		char e2[512];

		rc = yn_parse_file(&tree, abs, wfile, e2, sizeof e2);
		if (rc == PL_ENOTFOUND) {
			snprintf(err, err_len, YN_LOC_FMT ": vars file '%s' "
			    "does not exist", YN_LOC(entry), spec);
			goto out;
		}
		if (rc != PL_OK) {
			snprintf(err, err_len, "%s", e2);
			goto out;
		}
	}
	if (tree == NULL) {
		tree = yn_new(YN_MAP, 1, 1);
		if (tree == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
	}
	if (tree->kind != YN_MAP) {
		snprintf(err, err_len, YN_LOC_FMT ": vars file '%s' must hold "
		    "a mapping", YN_LOC(entry), spec);
		rc = PL_EINVAL;
		goto out;
	}
	if (colon) {
		part = yn_new(YN_MAP, tree->line, tree->col);
		if (part == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
		for (char *k = strtok(colon, ","); k; k = strtok(NULL, ",")) {
			ynode *v;

			while (*k == ' ')
				k++;
			v = yn_get(tree, k);
			if (v == NULL) {
				snprintf(err, err_len, YN_LOC_FMT ": key '%s' "
				    "not found in '%s'", YN_LOC(entry), k,
				    spec);
				rc = PL_EINVAL;
				goto out;
			}
			if (yn_map_put(part, yn_new_scalar(k, 0, v->line,
			    v->col), yn_copy(v)) != PL_OK) {
				rc = PL_ENOMEM;
				goto out;
			}
		}
	}
	rc = tpl_ctx_merge(c, part ? part : tree, wfile, spec, wfile, err,
	    err_len);
out:
	yn_free(tree);
	yn_free(part);
	free(spec);
	free(abs);
	free(wfile);
	return rc;
}

/* --- expressions ------------------------------------------------------ */

/* Walks a dotted path "a.b[0].c" from root.  Returns the node or NULL
 * with a reason in why. */
static const ynode *
walk(const ynode *root, const char *path, char *why, size_t why_len)
{
	const ynode *n = root;
	const char *p = path;

	while (*p && n) {
		char seg[256];
		size_t len = 0;
		int index = 0;

		if (*p == '.') {
			p++;
		} else if (*p == '[') {
			index = 1;
			p++;
		}
		while (*p && *p != '.' && *p != '[' && *p != ']' &&
		    len + 1 < sizeof seg)
			seg[len++] = *p++;
		seg[len] = '\0';
		if (index) {
			if (*p != ']') {
				snprintf(why, why_len, "missing ']'");
				return NULL;
			}
			p++;
		}
		if (len == 0) {
			snprintf(why, why_len, "empty key");
			return NULL;
		}
		if (n->kind == YN_MAP) {
			n = yn_get(n, seg);
		} else if (n->kind == YN_SEQ) {
			char *end;
			long i = strtol(seg, &end, 10);

			if (*end || i < 0 || (size_t)i >= n->n) {
				snprintf(why, why_len, "no index '%s' in a "
				    "list of %zu", seg, n->n);
				return NULL;
			}
			n = n->items[i];
		} else {
			snprintf(why, why_len, "'%s' is not a mapping or list",
			    seg);
			return NULL;
		}
	}
	if (n == NULL)
		snprintf(why, why_len, "not defined");
	return n;
}

static int
valid_expr(const char *e)
{
	if (!*e)
		return 0;
	for (const char *p = e; *p; p++)
		if (!(*p == '_' || *p == '-' || *p == '.' || *p == '[' ||
		    *p == ']' || (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return 0;
	return 1;
}

/* The first segment of a dotted path. */
static size_t
root_len(const char *e)
{
	return strcspn(e, ".[");
}

static void
track(const struct tpl_ctx *c, const char *expr, const ynode *val,
    struct tpl_used_list *used)
{
	if (used == NULL || val->kind == YN_SEQ)
		return;
	for (size_t i = c->nsrc; i-- > 0;) {
		char why[64];
		const ynode *v = walk(c->src[i].tree, expr, why, sizeof why);
		int same;

		if (v == NULL)
			continue;
		/* the value came from this file (a mapping counts too: it
		 * is unpacked into the command) */
		if (v->kind == YN_SCALAR && val->kind == YN_SCALAR) {
			same = strcmp(v->str, val->str) == 0;
		} else {
			char *a = yn_canonical(v), *b = yn_canonical(val);

			same = a && b && strcmp(a, b) == 0;
			free(a);
			free(b);
		}
		if (same) {
			struct tpl_used *u;
			struct buf key = BUF_INIT;

			/* "a[0].b" -> "a.0.b", as a params key */
			for (const char *p = expr; *p; p++)
				if (*p == '[')
					buf_putc(&key, '.');
				else if (*p != ']')
					buf_putc(&key, *p);
			for (size_t j = 0; j < used->n; j++)
				if (strcmp(used->v[j].key, buf_str(&key)) == 0 &&
				    strcmp(used->v[j].wfile, c->src[i].wfile)
				    == 0) {
					buf_free(&key);
					return;
				}
			u = realloc(used->v, (used->n + 1) * sizeof *u);
			if (u == NULL) {
				buf_free(&key);
				return;
			}
			used->v = u;
			u[used->n].file = strdup(c->src[i].file);
			u[used->n].wfile = strdup(c->src[i].wfile);
			u[used->n].key = buf_detach(&key);
			used->n++;
		}
		return;
	}
}

static const ynode *
lookup(const struct tpl_ctx *c, const ynode *at, const char *expr,
    struct tpl_used_list *used, char *err, size_t err_len)
{
	size_t rl = root_len(expr);
	const ynode *base = NULL, *v;
	char why[300];

	if (rl == 4 && strncmp(expr, "item", 4) == 0 && c->item) {
		base = c->item;
	} else if (rl == 3 && strncmp(expr, "key", 3) == 0 && c->key) {
		base = c->key;
	}
	if (base) {
		v = expr[rl] ? walk(base, expr + rl, why, sizeof why) : base;
	} else {
		v = walk(c->vars, expr, why, sizeof why);
		if (v)
			track(c, expr, v, used);
	}
	if (v == NULL)
		snprintf(err, err_len, YN_LOC_FMT ": cannot interpolate "
		    "'${%s}': %s", YN_LOC(at), expr, why);
	return v;
}

/*
 * Python's shlex.quote(), which DVC's dictionary unpacking uses
 * (dvc/parsing/interpolate.py, escape_str): a non-empty string of
 * [A-Za-z0-9_@%+=:,./-] stays as it is; anything else goes in single
 * quotes, a quote written '"'"'.
 */
int
tpl_shell_quote(struct buf *b, const char *s)
{
	int rc, safe = *s != '\0';

	for (const char *q = s; *q && safe; q++)
		safe = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || strchr("_@%+=:,./-", *q);
	if (safe)
		return buf_puts(b, s);
	rc = buf_putc(b, '\'');
	for (; *s; s++)
		rc |= *s == '\'' ? buf_puts(b, "'\"'\"'") : buf_putc(b, *s);
	return rc | buf_putc(b, '\'');
}

/*
 * Python's repr() of a double (what str() gives since Python 3.1): the
 * shortest digits that read back to the same double, in positional
 * notation when the decimal exponent is in [-4, 16), else d.ddde[+-]XX.
 * DVC builds stage names and interpolated text with str(), so 1e-5 in
 * the file becomes "1e-05", 1.0e3 "1000.0".
 */
static int
py_float(struct buf *b, double x)
{
	char e[40], digits[24];
	int prec, exp10, nd = 0, decpt;

	if (isnan(x))
		return buf_puts(b, "nan");
	if (isinf(x))
		return buf_puts(b, x < 0 ? "-inf" : "inf");
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, x);
		if (strtod(e, NULL) == x)
			break;
	}
	/* e: [-]d[.ddd]e[+-]XX */
	{
		const char *q = e + (e[0] == '-');

		for (; *q && *q != 'e'; q++)
			if (*q >= '0' && *q <= '9')
				digits[nd++] = *q;
		exp10 = atoi(q + 1);
	}
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	decpt = exp10 + 1;	/* value = 0.DIGITS x 10^decpt */
	if (signbit(x))
		buf_putc(b, '-');
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			buf_puts(b, "0.");
			for (int i = 0; i < -decpt; i++)
				buf_putc(b, '0');
			return buf_puts(b, digits);
		}
		if (decpt >= nd) {
			buf_puts(b, digits);
			for (int i = nd; i < decpt; i++)
				buf_putc(b, '0');
			return buf_puts(b, ".0");
		}
		buf_add(b, digits, (size_t)decpt);
		buf_putc(b, '.');
		return buf_puts(b, digits + decpt);
	}
	buf_putc(b, digits[0]);
	if (nd > 1) {
		buf_putc(b, '.');
		buf_puts(b, digits + 1);
	}
	return buf_printf(b, "e%c%02d", exp10 < 0 ? '-' : '+',
	    exp10 < 0 ? -exp10 : exp10);
}

int
tpl_py_str(struct buf *b, const ynode *v)
{
	switch (yn_scalar_type(v)) {
	case YT_BOOL:
		return buf_puts(b, yn_bool(v) ? "true" : "false");
	case YT_NULL:
		return buf_puts(b, "None");
	case YT_INT: {
		/* str() of the int ruamel read: decimal, _ dropped */
		unsigned long long u;
		int neg;

		if (yn_int_text(v->str, &neg, &u) != 0)
			return buf_puts(b, v->str);	/* beyond 64 bits */
		return buf_printf(b, "%s%llu", neg && u ? "-" : "", u);
	}
	case YT_FLOAT: {
		double x;

		if (yn_number(v, &x) != 0)
			return buf_puts(b, v->str);
		return py_float(b, x);
	}
	default:
		return buf_puts(b, v->str);
	}
}

static int
prim_text(struct buf *b, const ynode *v, int quote_strings)
{
	if (yn_scalar_type(v) == YT_STR)
		return quote_strings ? tpl_shell_quote(b, v->str) :
		    buf_puts(b, v->str);
	return tpl_py_str(b, v);
}

/* DVC's dictionary unpacking inside cmd: --key value, --flag for true
 * (nothing for false), --list a b c, nested keys joined with dots. */
static int
unpack(struct buf *b, const ynode *m, const char *prefix, const ynode *at,
    char *err, size_t err_len)
{
	for (size_t i = 0; i < m->n; i++) {
		const ynode *v = yn_val(m, i);
		char *key;
		int rc = PL_OK;

		if (asprintf(&key, "%s%s", prefix, yn_key(m, i)->str) < 0)
			return PL_ENOMEM;
		if (v->kind == YN_MAP) {
			char *np;

			if (asprintf(&np, "%s.", key) < 0) {
				free(key);
				return PL_ENOMEM;
			}
			rc = unpack(b, v, np, at, err, err_len);
			free(np);
		} else if (v->kind == YN_SEQ) {
			if (b->len)
				buf_putc(b, ' ');
			buf_printf(b, "--%s", key);
			for (size_t j = 0; j < v->n; j++) {
				if (v->items[j]->kind != YN_SCALAR) {
					snprintf(err, err_len, YN_LOC_FMT
					    ": cannot unpack '%s': its list "
					    "holds %s", YN_LOC(at), key,
					    yn_a_type(v->items[j]));
					rc = PL_EINVAL;
					break;
				}
				buf_putc(b, ' ');
				/* (DVC formats list items with f"{i}":
				 * Python's True, not to_str's true) */
				if (yn_scalar_type(v->items[j]) == YT_BOOL)
					buf_puts(b, yn_bool(v->items[j]) ?
					    "True" : "False");
				else
					prim_text(b, v->items[j], 1);
			}
		} else if (yn_scalar_type(v) == YT_BOOL) {
			if (yn_bool(v)) {
				if (b->len)
					buf_putc(b, ' ');
				buf_printf(b, "--%s", key);
			}
		} else {
			if (b->len)
				buf_putc(b, ' ');
			buf_printf(b, "--%s ", key);
			prim_text(b, v, 1);
		}
		free(key);
		if (rc != PL_OK)
			return rc;
	}
	return PL_OK;
}

int
tpl_resolve(ynode **out, const struct tpl_ctx *c, const ynode *s,
    int is_cmd, struct tpl_used_list *used, char *err, size_t err_len)
{
	const char *p = s->str, *start;
	struct buf b = BUF_INIT;
	int any = 0;

	*out = NULL;
	if (s->kind != YN_SCALAR || strstr(p, "${") == NULL) {
		*out = yn_copy(s);
		return *out ? PL_OK : PL_ENOMEM;
	}
	/* The whole value is one expression: keep its type. */
	if (is_cmd != TPL_CMD && p[0] == '$' && p[1] == '{' &&
	    strchr(p, '}') == p + strlen(p) - 1 && strstr(p + 2, "${") == NULL) {
		char expr[512];
		size_t len = strlen(p) - 3;
		const ynode *v;
		char *e = expr, *end;

		if (len >= sizeof expr)
			len = sizeof expr - 1;
		memcpy(expr, p + 2, len);
		expr[len] = '\0';
		while (*e == ' ')
			e++;
		end = e + strlen(e);
		while (end > e && end[-1] == ' ')
			*--end = '\0';
		if (!valid_expr(e)) {
			snprintf(err, err_len, YN_LOC_FMT ": bad expression "
			    "'${%s}'", YN_LOC(s), expr);
			return PL_EINVAL;
		}
		v = lookup(c, s, e, used, err, err_len);
		if (v == NULL)
			return PL_EINVAL;
		/* DVC: a list or mapping fills a value only in foreach and
		 * matrix (`deps: ${files}` is refused, not spread) */
		if (v->kind != YN_SCALAR && is_cmd != TPL_ANY) {
			snprintf(err, err_len, YN_LOC_FMT ": cannot interpolate "
			    "'${%s}' here: it is %s (a list or mapping is "
			    "taken whole only by foreach and matrix; write "
			    "the entries one by one)", YN_LOC(s), e,
			    yn_a_type(v));
			return PL_EINVAL;
		}
		*out = yn_copy(v);
		if (*out == NULL)
			return PL_ENOMEM;
		(*out)->line = s->line;
		(*out)->col = s->col;
		(*out)->file = s->file;
		return PL_OK;
	}
	while (*p) {
		const char *close;
		char expr[512], *e, *end;
		const ynode *v;
		size_t len;

		if (p[0] == '\\' && p[1] == '$' && p[2] == '{') {
			buf_puts(&b, "${");	/* \${ is a literal ${ */
			p += 3;
			continue;
		}
		if (!(p[0] == '$' && p[1] == '{')) {
			buf_putc(&b, *p++);
			continue;
		}
		start = p + 2;
		close = strchr(start, '}');
		if (close == NULL) {
			snprintf(err, err_len, YN_LOC_FMT ": unterminated "
			    "'${' in '%s'", YN_LOC(s), s->str);
			buf_free(&b);
			return PL_EINVAL;
		}
		len = (size_t)(close - start);
		if (len >= sizeof expr)
			len = sizeof expr - 1;
		memcpy(expr, start, len);
		expr[len] = '\0';
		e = expr;
		while (*e == ' ')
			e++;
		end = e + strlen(e);
		while (end > e && end[-1] == ' ')
			*--end = '\0';
		if (!valid_expr(e)) {
			snprintf(err, err_len, YN_LOC_FMT ": bad expression "
			    "'${%s}'", YN_LOC(s), expr);
			buf_free(&b);
			return PL_EINVAL;
		}
		v = lookup(c, s, e, used, err, err_len);
		if (v == NULL) {
			buf_free(&b);
			return PL_EINVAL;
		}
		if (v->kind == YN_MAP && is_cmd) {
			struct buf u = BUF_INIT;
			int rc = unpack(&u, v, "", s, err, err_len);

			if (rc != PL_OK) {
				buf_free(&u);
				buf_free(&b);
				return rc;
			}
			buf_puts(&b, buf_str(&u));
			buf_free(&u);
		} else if (v->kind != YN_SCALAR) {
			snprintf(err, err_len, YN_LOC_FMT ": cannot interpolate "
			    "'${%s}': it is %s%s", YN_LOC(s), e,
			    yn_a_type(v), v->kind == YN_MAP ?
			    " (mappings unpack only inside cmd)" : "");
			buf_free(&b);
			return PL_EINVAL;
		} else {
			prim_text(&b, v, 0);
		}
		any = 1;
		p = close + 1;
	}
	(void)any;
	*out = yn_new_scalar(buf_str(&b), 1, s->line, s->col);
	buf_free(&b);
	if (*out == NULL)
		return PL_ENOMEM;
	(*out)->file = s->file;
	return PL_OK;
}

int
tpl_resolve_tree(ynode **out, const struct tpl_ctx *c, const ynode *n,
    int in_cmd, struct tpl_used_list *used, char *err, size_t err_len)
{
	ynode *r;
	int rc;

	*out = NULL;
	if (n->kind == YN_SCALAR)
		return tpl_resolve(out, c, n, in_cmd, used, err, err_len);
	r = yn_new(n->kind, n->line, n->col);
	if (r == NULL)
		return PL_ENOMEM;
	r->file = n->file;
	for (size_t i = 0; i < n->n; i++) {
		ynode *k = NULL, *v = NULL;

		if (n->kind == YN_SEQ) {
			rc = tpl_resolve_tree(&v, c, n->items[i], in_cmd, used,
			    err, err_len);
			if (rc == PL_OK && yn_append(r, v) != PL_OK) {
				yn_free(v);
				rc = PL_ENOMEM;
			}
		} else {
			const ynode *key = yn_key(n, i);
			int cmd = in_cmd || strcmp(key->str, "cmd") == 0;

			rc = tpl_resolve(&k, c, key, 0, used, err, err_len);
			if (rc == PL_OK && k->kind != YN_SCALAR) {
				snprintf(err, err_len, YN_LOC_FMT ": a key "
				    "must be a string, not %s", YN_LOC(key),
				    yn_a_type(k));
				rc = PL_EINVAL;
			}
			if (rc == PL_OK)
				rc = tpl_resolve_tree(&v, c, yn_val(n, i), cmd,
				    used, err, err_len);
			if (rc == PL_OK && yn_map_put(r, k, v) != PL_OK)
				rc = PL_ENOMEM;
			if (rc != PL_OK) {
				yn_free(k);
				yn_free(v);
			}
		}
		if (rc != PL_OK) {
			yn_free(r);
			return rc;
		}
	}
	*out = r;
	return PL_OK;
}
