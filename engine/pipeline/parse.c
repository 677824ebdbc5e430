/* parse.c - reading a pipeline file: expansion, the stage schema, and the stage graph. */
#include "config.h"
#include "pipeline/pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "store/error.h"
#include "pipeline/internal.h"
#include "config/ynode.h"
#include "config/plumb-yaml.h"


/* --- errors ------------------------------------------------------------ */

static int __attribute__((format(printf, 4, 5)))
at_err(char *err, size_t err_len, const ynode *n, const char *fmt, ...)
{
	va_list ap;
	size_t off;

	off = (size_t)snprintf(err, err_len, YN_LOC_FMT ": ", YN_LOC(n));
	if (off >= err_len)
		return PL_EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + off, err_len - off, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

/* Edit distance, for "did you mean" on unknown keys. */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[32][32];

	if (la >= 32 || lb >= 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

static int
unknown_key(char *err, size_t err_len, const ynode *k, const char *what,
    const char *const *known)
{
	const char *best = NULL;
	int bd = 3;

	for (size_t i = 0; known[i]; i++) {
		int dd = distance(k->str, known[i]);

		if (dd < bd) {
			bd = dd;
			best = known[i];
		}
	}
	if (best)
		return at_err(err, err_len, k, "unknown key '%s' in %s (did "
		    "you mean '%s'?)", k->str, what, best);
	return at_err(err, err_len, k, "unknown key '%s' in %s", k->str,
	    what);
}

/* --- stage schema --------------------------------------------------------- */

static const char *const stage_keys[] = {
	"cmd", "wdir", "deps", "outs", "params", "metrics", "plots", "frozen",
	"always_changed", "desc", "meta", "vars", NULL
};
static const char *const out_keys[] = {
	"cache", "persist", "desc", "remote", "push", "checkpoint", "type",
	"labels", "meta", NULL
};

static char *
xstrdup_or(const char *s, int *oom)
{
	char *d = strdup(s);

	if (d == NULL)
		*oom = 1;
	return d;
}

static int
want_bool(const ynode *v, int *out, const char *what, char *err,
    size_t err_len)
{
	if (v->kind != YN_SCALAR || yn_scalar_type(v) != YT_BOOL)
		return at_err(err, err_len, v, "%s must be true or false, "
		    "not %s", what, yn_a_type(v));
	*out = yn_bool(v);
	return PL_OK;
}

/* A path scalar: strings, and numbers written as file names. */
static int
want_path(const ynode *v, const char *what, char *err, size_t err_len)
{
	if (v->kind != YN_SCALAR || yn_scalar_type(v) == YT_NULL ||
	    yn_scalar_type(v) == YT_BOOL)
		return at_err(err, err_len, v, "%s must be a path, not %s",
		    what, yn_a_type(v));
	if (!*v->str)
		return at_err(err, err_len, v, "%s must not be empty", what);
	return PL_OK;
}

static int
add_out(const pl_pipeline *p, pl_pipe_stage *s, const ynode *entry,
    pl_out_kind kind, char *err, size_t err_len)
{
	static const char *const names[] = { "outs", "metrics", "plots" };
	const ynode *pathn = entry, *opts = NULL;
	pl_out *o;
	int rc, oom = 0;

	if (entry->kind == YN_MAP) {
		if (entry->n != 1)
			return at_err(err, err_len, entry, "an entry of %s "
			    "with options is a mapping of one path to its "
			    "options", names[kind]);
		pathn = yn_key(entry, 0);
		opts = yn_val(entry, 0);
	}
	if ((rc = want_path(pathn, names[kind], err, err_len)) != PL_OK)
		return rc;
	{
		char scheme[16];

		if (pl__url_scheme(pathn->str, scheme, sizeof scheme))
			return at_err(err, err_len, pathn, "%s of stage '%s' "
			    "must be a path in the workspace, not a %s:// URL "
			    "(plumb does not write to remote storage)",
			    names[kind], s->name, scheme);
	}
	o = realloc(s->outs, (s->nouts + 1) * sizeof *o);
	if (o == NULL)
		return PL_ENOMEM;
	s->outs = o;
	o = &s->outs[s->nouts];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->cache = 1;
	o->line = pathn->line;
	o->col = pathn->col;
	o->path = xstrdup_or(pathn->str, &oom);
	o->wpath = pl__pipe_wjoin(p, s->wdir, pathn->str);
	s->nouts++;
	if (oom || o->wpath == NULL)
		return PL_ENOMEM;
	if (opts && opts->kind == YN_SCALAR && yn_scalar_type(opts) == YT_NULL)
		opts = NULL;
	if (opts && opts->kind != YN_MAP)
		return at_err(err, err_len, opts, "options of '%s' must be a "
		    "mapping, not %s", pathn->str, yn_a_type(opts));
	for (size_t i = 0; opts && i < opts->n; i++) {
		const ynode *k = yn_key(opts, i), *v = yn_val(opts, i);

		if (strcmp(k->str, "cache") == 0)
			rc = want_bool(v, &o->cache, "cache", err, err_len);
		else if (strcmp(k->str, "persist") == 0)
			rc = want_bool(v, &o->persist, "persist", err, err_len);
		else if (kind == PL_OUT_PLOT)
			continue;	/* x, y, template, title...: display only */
		else {
			int known = 0;

			for (size_t j = 0; out_keys[j]; j++)
				known |= strcmp(k->str, out_keys[j]) == 0;
			if (!known)
				return unknown_key(err, err_len, k, "an output",
				    out_keys);
		}
		if (rc != PL_OK)
			return rc;
	}
	return PL_OK;
}

/* The path of wfile (relative to the pipeline directory) as seen from
 * wdir: "sub" + "params.yaml" -> "../params.yaml". */
static char *
rel_from_wdir(const char *wdir, const char *wfile)
{
	struct buf b = BUF_INIT;
	size_t lw = strlen(wdir);

	if (strcmp(wdir, ".") == 0 || wfile[0] == '/')
		return strdup(wfile);
	if (strncmp(wfile, wdir, lw) == 0 && wfile[lw] == '/')
		return strdup(wfile + lw + 1);
	buf_puts(&b, "../");
	for (const char *q = wdir; *q; q++)
		if (*q == '/')
			buf_puts(&b, "../");
	buf_puts(&b, wfile);
	return buf_detach(&b);
}

/* Adds a param dependency; file is relative to the stage's wdir, or
 * (wfile_given) wfile is already relative to the pipeline directory. */
static int
add_param(const pl_pipeline *p, pl_pipe_stage *s, const char *file,
    const char *wfile_given,
    const ynode *keyn, int implicit)
{
	pl_param *pp;
	char *wfile, *fname;

	wfile = wfile_given ? pl_path_normalize(wfile_given) :
	    pl__pipe_wjoin(p, s->wdir, file);
	fname = wfile_given ? rel_from_wdir(s->wdir, wfile_given) :
	    strdup(file);
	if (wfile == NULL || fname == NULL) {
		free(wfile);
		free(fname);
		return PL_ENOMEM;
	}
	/* no duplicates (an explicit param wins over an implicit one) */
	for (size_t i = 0; i < s->nparams; i++)
		if (strcmp(s->params[i].wfile, wfile) == 0 &&
		    ((keyn == NULL && s->params[i].key == NULL) ||
		    (keyn && s->params[i].key &&
		    strcmp(s->params[i].key, keyn->str) == 0))) {
			free(wfile);
			free(fname);
			return PL_OK;
		}
	pp = realloc(s->params, (s->nparams + 1) * sizeof *pp);
	if (pp == NULL) {
		free(wfile);
		free(fname);
		return PL_ENOMEM;
	}
	s->params = pp;
	pp = &s->params[s->nparams++];
	memset(pp, 0, sizeof *pp);
	pp->file = fname;
	pp->wfile = wfile;
	pp->key = keyn ? strdup(keyn->str) : NULL;
	pp->implicit = implicit;
	pp->line = keyn ? keyn->line : s->line;
	pp->col = keyn ? keyn->col : s->col;
	return keyn && pp->key == NULL ? PL_ENOMEM : PL_OK;
}

static int
parse_params(pl_pipeline *p, pl_pipe_stage *s, const ynode *v, char *err,
    size_t err_len)
{
	int rc;

	if (v->kind != YN_SEQ)
		return at_err(err, err_len, v, "params must be a list, not "
		    "%s", yn_a_type(v));
	for (size_t i = 0; i < v->n; i++) {
		const ynode *e = v->items[i];

		if (e->kind == YN_SCALAR) {
			if ((rc = want_path(e, "a param key", err, err_len)))
				return rc;
			rc = add_param(p, s, "params.yaml", NULL, e, 0);
		} else if (e->kind == YN_MAP) {
			rc = PL_OK;
			for (size_t j = 0; j < e->n && rc == PL_OK; j++) {
				const ynode *f = yn_key(e, j), *ks = yn_val(e, j);

				if (ks->kind == YN_SCALAR &&
				    yn_scalar_type(ks) == YT_NULL) {
					rc = add_param(p, s, f->str, NULL, NULL,
					    0);
					continue;
				}
				if (ks->kind != YN_SEQ)
					return at_err(err, err_len, ks, "the "
					    "keys of params file '%s' must be "
					    "a list, not %s", f->str,
					    yn_a_type(ks));
				for (size_t k = 0; k < ks->n && rc == PL_OK;
				    k++) {
					if ((rc = want_path(ks->items[k],
					    "a param key", err, err_len)))
						return rc;
					rc = add_param(p, s, f->str, NULL,
					    ks->items[k], 0);
				}
			}
		} else {
			return at_err(err, err_len, e, "a params entry must be "
			    "a key or a mapping of a file to keys, not %s",
			    yn_a_type(e));
		}
		if (rc != PL_OK)
			return rc;
	}
	return PL_OK;
}

static void
stage_dispose(pl_pipe_stage *s)
{
	free(s->name);
	free(s->group);
	for (size_t i = 0; i < s->ncmds; i++)
		free(s->cmds[i]);
	free(s->cmds);
	free(s->wdir);
	for (size_t i = 0; i < s->ndeps; i++) {
		free(s->deps[i].path);
		free(s->deps[i].wpath);
	}
	free(s->deps);
	for (size_t i = 0; i < s->nouts; i++) {
		free(s->outs[i].path);
		free(s->outs[i].wpath);
	}
	free(s->outs);
	for (size_t i = 0; i < s->nparams; i++) {
		free(s->params[i].file);
		free(s->params[i].wfile);
		free(s->params[i].key);
	}
	free(s->params);
	free(s->desc);
}

/* Builds stage `name` from a resolved definition d. */
/* A stage's wdir relative to the pipeline directory: as written for the
 * main file, under its directory for a dvc.yaml found in a subdirectory
 * (DVC: paths are relative to the file that names them). */
static char *
file_wdir(const pl_pipeline *p, const char *w)
{
	char *j, *r;

	if (p->cur_prefix == NULL || w[0] == '/')
		return pl_path_normalize(w);
	if (asprintf(&j, "%s/%s", p->cur_prefix, w) < 0)
		return NULL;
	r = pl_path_normalize(j);
	free(j);
	return r;
}

static int
build_stage(pl_pipeline *p, const char *name, const char *group,
    const ynode *namen, const ynode *d, struct tpl_used_list *used,
    char *err, size_t err_len)
{
	pl_pipe_stage s;
	const ynode *cmd = NULL;
	int rc = PL_OK, oom = 0;

	memset(&s, 0, sizeof s);
	s.line = namen->line;
	s.col = namen->col;
	s.file = p->cur_file;
	if (p->cur_addr) {
		/* a stage of a dvc.yaml in a subdirectory: DVC's address */
		if (asprintf(&s.name, "%s:%s", p->cur_addr, name) < 0)
			s.name = NULL;
		if (group && asprintf(&s.group, "%s:%s", p->cur_addr,
		    group) < 0)
			s.group = NULL;
		oom = s.name == NULL || (group && s.group == NULL);
	} else {
		s.name = xstrdup_or(name, &oom);
		s.group = group ? xstrdup_or(group, &oom) : NULL;
	}
	if (oom)
		goto nomem;
	if (d->kind != YN_MAP) {
		rc = at_err(err, err_len, d, "stage '%s' must be a mapping, "
		    "not %s", name, yn_a_type(d));
		goto fail;
	}
	{
		const ynode *w = yn_get(d, "wdir");

		if (w && (rc = want_path(w, "wdir", err, err_len)) != PL_OK)
			goto fail;
		s.wdir = file_wdir(p, w ? w->str : ".");
		if (s.wdir == NULL)
			goto nomem;

	}
	for (size_t i = 0; i < d->n; i++) {
		const ynode *k = yn_key(d, i), *v = yn_val(d, i);
		const char *key = k->str;
		int known = 0;

		for (size_t j = 0; stage_keys[j]; j++)
			known |= strcmp(key, stage_keys[j]) == 0;
		if (!known) {
			rc = unknown_key(err, err_len, k, "a stage",
			    stage_keys);
			goto fail;
		}
		if (strcmp(key, "cmd") == 0) {
			cmd = v;
			if (v->kind == YN_SCALAR && yn_scalar_type(v) != YT_NULL) {
				s.cmds = calloc(1, sizeof *s.cmds);
				if (s.cmds == NULL ||
				    !(s.cmds[0] = strdup(v->str)))
					goto nomem;
				s.ncmds = 1;
			} else if (v->kind == YN_SEQ && v->n > 0) {
				s.cmds = calloc(v->n, sizeof *s.cmds);
				if (s.cmds == NULL)
					goto nomem;
				for (size_t j = 0; j < v->n; j++) {
					if (v->items[j]->kind != YN_SCALAR) {
						rc = at_err(err, err_len,
						    v->items[j], "a command "
						    "must be a string, not "
						    "%s", yn_a_type(
						    v->items[j]));
						goto fail;
					}
					s.cmds[j] = strdup(v->items[j]->str);
					if (s.cmds[j] == NULL)
						goto nomem;
					s.ncmds++;
				}
			} else {
				rc = at_err(err, err_len, v, "cmd must be a "
				    "string or a list of strings, not %s%s",
				    v->kind == YN_SEQ ? "an empty " : "a ",
				    yn_a_type(v));
				goto fail;
			}
		} else if (strcmp(key, "deps") == 0) {
			if (v->kind != YN_SEQ) {
				rc = at_err(err, err_len, v, "deps must be a "
				    "list, not %s", yn_a_type(v));
				goto fail;
			}
			char scheme[16];

			s.deps = calloc(v->n ? v->n : 1, sizeof *s.deps);
			if (s.deps == NULL)
				goto nomem;
			for (size_t j = 0; j < v->n; j++) {
				const ynode *e = v->items[j];

				if ((rc = want_path(e, "a dependency", err,
				    err_len)) != PL_OK)
					goto fail;
				s.deps[j].path = strdup(e->str);
				s.deps[j].url = pl__url_scheme(e->str, scheme,
				    sizeof scheme) != NULL;
				s.deps[j].wpath = s.deps[j].url ?
				    strdup(e->str) :
				    pl__pipe_wjoin(p, s.wdir, e->str);
				s.deps[j].line = e->line;
				s.deps[j].col = e->col;
				s.ndeps++;
				if (!s.deps[j].path || !s.deps[j].wpath)
					goto nomem;
			}
		} else if (strcmp(key, "outs") == 0 ||
		    strcmp(key, "metrics") == 0 || strcmp(key, "plots") == 0) {
			pl_out_kind kind = key[0] == 'o' ? PL_OUT_OUT :
			    key[0] == 'm' ? PL_OUT_METRIC : PL_OUT_PLOT;

			if (v->kind != YN_SEQ) {
				rc = at_err(err, err_len, v, "%s must be a "
				    "list, not %s", key, yn_a_type(v));
				goto fail;
			}
			for (size_t j = 0; j < v->n; j++)
				if ((rc = add_out(p, &s, v->items[j], kind, err,
				    err_len)) != PL_OK)
					goto fail;
		} else if (strcmp(key, "params") == 0) {
			if ((rc = parse_params(p, &s, v, err, err_len)))
				goto fail;
		} else if (strcmp(key, "frozen") == 0) {
			if ((rc = want_bool(v, &s.frozen, "frozen", err,
			    err_len)))
				goto fail;
		} else if (strcmp(key, "always_changed") == 0) {
			if ((rc = want_bool(v, &s.always_changed,
			    "always_changed", err, err_len)))
				goto fail;
		} else if (strcmp(key, "desc") == 0) {
			if (v->kind != YN_SCALAR) {
				rc = at_err(err, err_len, v, "desc must be a "
				    "string, not %s", yn_a_type(v));
				goto fail;
			}
			if ((s.desc = strdup(v->str)) == NULL)
				goto nomem;
		} else if (strcmp(key, "vars") == 0 && v->kind != YN_SEQ) {
			rc = at_err(err, err_len, v, "vars must be a list, not "
			    "%s", yn_a_type(v));
			goto fail;
		}
		/* wdir done above; meta is free-form */
	}
	if (cmd == NULL) {
		rc = at_err(err, err_len, namen, "stage '%s' has no cmd",
		    name);
		goto fail;
	}
	/* Params used through ${} are tracked like listed ones. */
	for (size_t i = 0; used && i < used->n; i++) {
		ynode kn;

		memset(&kn, 0, sizeof kn);
		kn.kind = YN_SCALAR;
		kn.str = used->v[i].key;
		kn.line = s.line;
		kn.col = s.col;
		rc = add_param(p, &s, NULL, used->v[i].wfile, &kn, 1);
		if (rc != PL_OK)
			goto fail;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		pl_pipe_stage *ns = realloc(p->stages, cap * sizeof *ns);

		if (ns == NULL)
			goto nomem;
		p->stages = ns;
		p->cap = cap;
	}
	/* (names made twice by foreach/matrix are found once all stages
	 * are built: see check_names) */
	p->stages[p->n++] = s;
	return PL_OK;
nomem:
	rc = PL_ENOMEM;
	snprintf(err, err_len, "out of memory");
fail:
	stage_dispose(&s);
	return rc;
}

static int
valid_stage_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s == '@' || *s == ':' || *s == '/' || *s == '\\' ||
		    *s == ' ' || *s == '\t' || *s == '\n' || *s == '$' ||
		    *s == '{' || *s == '}')
			return 0;
	return 1;
}

/* Loads a stage's own vars into a copy of ctx. */
static int
stage_vars(pl_pipeline *p, struct tpl_ctx *local, const ynode *def,
    char *err, size_t err_len)
{
	const ynode *vars = def->kind == YN_MAP ? yn_get(def, "vars") : NULL;
	const ynode *w = def->kind == YN_MAP ? yn_get(def, "wdir") : NULL;
	char *wrel, *abs;
	int rc = PL_OK;

	if (vars == NULL)
		return PL_OK;
	if (vars->kind != YN_SEQ)
		return at_err(err, err_len, vars, "vars must be a list, not "
		    "%s", yn_a_type(vars));
	wrel = file_wdir(p, w && w->kind == YN_SCALAR ? w->str : ".");
	abs = wrel ? pl_pipeline_abspath(p, wrel) : NULL;
	if (abs == NULL) {
		free(wrel);
		return PL_ENOMEM;
	}
	for (size_t i = 0; i < vars->n && rc == PL_OK; i++)
		rc = tpl_load_vars_entry(local, vars->items[i], abs, wrel, err,
		    err_len);
	free(wrel);
	free(abs);
	return rc;
}

/* Resolves def (without `vars`) in ctx and builds the stage. */
static int
expand_one(pl_pipeline *p, const struct tpl_ctx *ctx, const char *name,
    const char *group, const ynode *namen, const ynode *def, char *err,
    size_t err_len)
{
	struct tpl_ctx local;
	struct tpl_used_list used = { NULL, 0 };
	ynode *res = NULL, *body = NULL;
	int rc;

	if ((rc = tpl_ctx_clone(&local, ctx)) != PL_OK)
		return rc;
	if ((rc = stage_vars(p, &local, def, err, err_len)) != PL_OK)
		goto out;
	/* Resolve everything but vars (already loaded). */
	body = yn_copy(def);
	if (body == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	if (body->kind == YN_MAP)
		for (size_t i = 0; i < body->n; i++)
			if (strcmp(yn_key(body, i)->str, "vars") == 0) {
				yn_free(yn_val(body, i));
				body->items[2 * i + 1] = yn_new(YN_SEQ, 0, 0);
			}
	rc = tpl_resolve_tree(&res, &local, body, 0, &used, err, err_len);
	if (rc == PL_OK)
		rc = build_stage(p, name, group, namen, res, &used, err,
		    err_len);
out:
	tpl_used_clear(&used);
	yn_free(res);
	yn_free(body);
	tpl_ctx_dispose(&local);
	return rc;
}

/* Text of a primitive for a stage name: DVC's (Python's str()), since
 * users type these names: 1e-05, 0.1, true, None. */
static int
name_part(struct buf *b, const ynode *v)
{
	return tpl_py_str(b, v);
}

static int
expand_foreach(pl_pipeline *p, const struct tpl_ctx *ctx, const ynode *namen,
    const ynode *def, char *err, size_t err_len)
{
	const ynode *fe = yn_get(def, "foreach"), *doo = yn_get(def, "do");
	ynode *items = NULL;
	int rc = PL_OK, by_index;

	for (size_t i = 0; i < def->n; i++) {
		const ynode *k = yn_key(def, i);

		if (strcmp(k->str, "foreach") && strcmp(k->str, "do")) {
			static const char *const fk[] = { "foreach", "do",
			    NULL };

			return unknown_key(err, err_len, k, "a foreach stage",
			    fk);
		}
	}
	if (doo == NULL)
		return at_err(err, err_len, namen, "foreach stage '%s' has no "
		    "'do'", namen->str);
	if (doo->kind != YN_MAP)
		return at_err(err, err_len, doo, "'do' must be a mapping, not "
		    "%s", yn_a_type(doo));
	if ((rc = tpl_resolve_tree(&items, ctx, fe, TPL_ANY, NULL, err,
	    err_len)))
		return rc;
	if (items->kind == YN_SCALAR) {
		rc = at_err(err, err_len, fe, "foreach needs a list or a "
		    "mapping, not %s", yn_a_type(items));
		goto out;
	}
	/* Like DVC: a list with any list or mapping in it names its stages
	 * by index, a list of plain values by the values. */
	{
		int composite = 0;

		for (size_t i = 0; items->kind == YN_SEQ && i < items->n; i++)
			composite |= items->items[i]->kind != YN_SCALAR;
		by_index = composite;
	}
	for (size_t i = 0; i < items->n && rc == PL_OK; i++) {
		struct tpl_ctx c2;
		struct buf nm = BUF_INIT;
		const ynode *it;

		if ((rc = tpl_ctx_clone(&c2, ctx)) != PL_OK)
			break;
		buf_printf(&nm, "%s@", namen->str);
		if (items->kind == YN_MAP) {
			it = yn_val(items, i);
			c2.key = yn_copy(yn_key(items, i));
			name_part(&nm, yn_key(items, i));
		} else {
			it = items->items[i];
			if (!by_index)
				name_part(&nm, it);
			else
				buf_printf(&nm, "%zu", i);
		}
		c2.item = yn_copy(it);
		if (c2.item == NULL || (items->kind == YN_MAP && !c2.key))
			rc = PL_ENOMEM;
		else
			rc = expand_one(p, &c2, buf_str(&nm), namen->str, namen,
			    doo, err, err_len);
		buf_free(&nm);
		tpl_ctx_dispose(&c2);
	}
out:
	yn_free(items);
	return rc;
}

static int
expand_matrix(pl_pipeline *p, const struct tpl_ctx *ctx, const ynode *namen,
    const ynode *def, char *err, size_t err_len)
{
	const ynode *mx = yn_get(def, "matrix");
	ynode *axes = NULL, *body = NULL;
	size_t *idx = NULL, naxes;
	int rc = PL_OK;

	if (mx->kind != YN_MAP || mx->n == 0)
		return at_err(err, err_len, mx, "matrix must be a non-empty "
		    "mapping of names to lists, not %s", yn_a_type(mx));
	axes = yn_new(YN_MAP, mx->line, mx->col);
	if (axes == NULL)
		return PL_ENOMEM;
	for (size_t i = 0; i < mx->n; i++) {
		ynode *v = NULL;

		rc = tpl_resolve_tree(&v, ctx, yn_val(mx, i), TPL_ANY, NULL,
		    err, err_len);
		if (rc != PL_OK)
			goto out;
		if (v->kind != YN_SEQ || v->n == 0) {
			rc = at_err(err, err_len, yn_val(mx, i), "matrix "
			    "entry '%s' must be a non-empty list (got %s)",
			    yn_key(mx, i)->str, v->kind == YN_SEQ ? "an empty "
			    "list" : yn_a_type(v));
			yn_free(v);
			goto out;
		}
		if (yn_map_put(axes, yn_copy(yn_key(mx, i)), v) != PL_OK) {
			yn_free(v);
			rc = PL_ENOMEM;
			goto out;
		}
	}
	naxes = axes->n;
	body = yn_copy(def);
	if (body == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	/* the stage body is the definition without `matrix` */
	for (size_t i = 0; i < body->n; i++)
		if (strcmp(yn_key(body, i)->str, "matrix") == 0) {
			yn_free(yn_key(body, i));
			yn_free(yn_val(body, i));
			memmove(&body->items[2 * i], &body->items[2 * i + 2],
			    (2 * (body->n - i - 1)) * sizeof *body->items);
			body->n--;
			break;
		}
	idx = calloc(naxes, sizeof *idx);
	if (idx == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	for (;;) {
		struct tpl_ctx c2;
		struct buf nm = BUF_INIT;
		ynode *item = yn_new(YN_MAP, mx->line, mx->col);

		if (item == NULL) {
			rc = PL_ENOMEM;
			break;
		}
		buf_printf(&nm, "%s@", namen->str);
		for (size_t a = 0; a < naxes; a++) {
			const ynode *v = yn_val(axes, a)->items[idx[a]];

			if (a)
				buf_putc(&nm, '-');
			if (v->kind == YN_SCALAR)
				name_part(&nm, v);
			else
				buf_printf(&nm, "%s%zu", yn_key(axes, a)->str,
				    idx[a]);
			yn_map_put(item, yn_copy(yn_key(axes, a)), yn_copy(v));
		}
		rc = tpl_ctx_clone(&c2, ctx);
		if (rc == PL_OK) {
			/* like DVC: ${item.AXIS}, and ${key} the name's
			 * suffix ("cnn-3") */
			c2.item = item;
			item = NULL;
			c2.key = yn_new_scalar(buf_str(&nm) + strlen(namen->str)
			    + 1, 1, mx->line, mx->col);
			rc = c2.key == NULL ? PL_ENOMEM : expand_one(p, &c2,
			    buf_str(&nm), namen->str, namen, body, err,
			    err_len);
			tpl_ctx_dispose(&c2);
		}
		yn_free(item);
		buf_free(&nm);
		if (rc != PL_OK)
			break;
		/* next combination, last axis fastest */
		{
			size_t a = naxes;

			while (a-- > 0) {
				if (++idx[a] < yn_val(axes, a)->n)
					break;
				idx[a] = 0;
			}
			if (a == (size_t)-1)
				break;
		}
	}
out:
	free(idx);
	yn_free(axes);
	yn_free(body);
	return rc;
}


/* The top-level keys: one list for every reader of plumb.yaml. */
#define top_keys pl_config_sections

/*
 * Expands the stages of one pipeline file (root, already parsed) into p:
 * the main file, or (p->cur_prefix set) a dvc.yaml in a subdirectory,
 * whose params.yaml, vars and paths are read from its own directory.
 */
static int
load_stages(pl_pipeline *p, const ynode *root, char *err, size_t err_len)
{
	struct tpl_ctx ctx;
	const ynode *stages, *vars;
	char *wparams = NULL, *fdir = NULL;
	int rc;

	memset(&ctx, 0, sizeof ctx);
	if (p->cur_prefix) {
		if (asprintf(&wparams, "%s/params.yaml", p->cur_prefix) < 0)
			wparams = NULL;
		if (asprintf(&fdir, "%s/%s", p->dir, p->cur_prefix) < 0)
			fdir = NULL;
	} else {
		wparams = strdup("params.yaml");
		fdir = strdup(p->dir);
	}
	if (wparams == NULL || fdir == NULL) {
		rc = PL_ENOMEM;
		goto fail;
	}
	if (root->kind != YN_MAP) {
		snprintf(err, err_len, "%s:%d:%d: a pipeline file must be a "
		    "mapping with a 'stages' key", p->cur_file,
		    root ? root->line : 1, root ? root->col : 1);
		rc = PL_EINVAL;
		goto fail;
	}
	for (size_t i = 0; i < root->n; i++) {
		const ynode *k = yn_key(root, i);
		int known = 0;

		for (size_t j = 0; top_keys[j]; j++)
			known |= strcmp(k->str, top_keys[j]) == 0;
		if (!known) {
			rc = unknown_key(err, err_len, k, "the pipeline file",
			    top_keys);
			goto fail;
		}
	}
	stages = yn_get(root, "stages");
	if (stages == NULL || (stages->kind == YN_SCALAR &&
	    yn_scalar_type(stages) == YT_NULL)) {
		stages = NULL;
	} else if (stages->kind != YN_MAP) {
		rc = at_err(err, err_len, stages, "stages must be a mapping "
		    "of stage names to stages, not %s",
		    yn_a_type(stages));
		goto fail;
	}
	/* The context: params.yaml (if present), then top-level vars. */
	if ((rc = tpl_ctx_init(&ctx)) != PL_OK)
		goto fail;
	{
		/* the params.yaml next to the file */
		struct pfile *f = pl__pipe_pfile_get(p, wparams, err, err_len,
		    &rc);

		if (f == NULL)
			goto fail;
		if (f->tree && f->tree->kind == YN_MAP &&
		    (rc = tpl_ctx_merge(&ctx, f->tree, "params.yaml",
		    "params.yaml", wparams, err, err_len)) != PL_OK)
			goto fail;
	}
	vars = yn_get(root, "vars");
	if (vars) {
		if (vars->kind != YN_SEQ) {
			rc = at_err(err, err_len, vars, "vars must be a list, "
			    "not %s", yn_a_type(vars));
			goto fail;
		}
		for (size_t i = 0; i < vars->n; i++)
			if ((rc = tpl_load_vars_entry(&ctx, vars->items[i],
			    fdir, p->cur_prefix ? p->cur_prefix : ".", err,
			    err_len)) != PL_OK)
				goto fail;
	}
	for (size_t i = 0; stages && i < stages->n; i++) {
		const ynode *namen = yn_key(stages, i), *def = yn_val(stages, i);

		if (!valid_stage_name(namen->str)) {
			rc = at_err(err, err_len, namen, "bad stage name '%s' "
			    "(no '@', ':', '/', '$', braces or spaces)",
			    namen->str);
			goto fail;
		}
		if (def->kind != YN_MAP) {
			rc = at_err(err, err_len, def, "stage '%s' must be a "
			    "mapping, not %s", namen->str, yn_a_type(def));
			goto fail;
		}
		if (yn_get(def, "foreach"))
			rc = expand_foreach(p, &ctx, namen, def, err, err_len);
		else if (yn_get(def, "matrix"))
			rc = expand_matrix(p, &ctx, namen, def, err, err_len);
		else if (yn_get(def, "do"))
			rc = at_err(err, err_len, namen, "stage '%s' has 'do' "
			    "but no 'foreach'", namen->str);
		else
			rc = expand_one(p, &ctx, namen->str, NULL, namen, def,
			    err, err_len);
		if (rc != PL_OK)
			goto fail;
	}
	rc = PL_OK;
fail:
	tpl_ctx_dispose(&ctx);
	free(wparams);
	free(fdir);
	return rc;
}

/* Is path a file whose directory's dvc.yaml files are collected? */
static int
collects(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return strcmp(b, "dvc.yaml") == 0 || strcmp(b, "plumb.yaml") == 0;
}

/* The patterns of the pipeline directory's .dvcignore (NULL-ended), or
 * NULL when there is none.  Only what names directories matters here:
 * "data/raw", "/build/", "tmp*"; negations (!) are not supported. */
static char **
read_dvcignore(const char *dir)
{
	char *path = NULL, line[1024], **v = NULL;
	size_t n = 0;
	FILE *f;

	if (asprintf(&path, "%s/.dvcignore", dir) < 0)
		return NULL;
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof line, f)) {
		char *a = line, *e = line + strcspn(line, "\r\n"), **nv;

		while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		while (*a == '/')
			a++;
		while (e > a && e[-1] == '/')
			*--e = '\0';
		if (!*a || *a == '#' || *a == '!')
			continue;
		nv = realloc(v, (n + 2) * sizeof *v);
		if (nv == NULL)
			break;
		v = nv;
		if ((v[n] = strdup(a)) == NULL)
			break;
		v[++n] = NULL;
	}
	fclose(f);
	return v;
}

static int
ignored(char *const *pats, const char *rel, const char *base)
{
	for (size_t i = 0; pats && pats[i]; i++)
		if (strchr(pats[i], '/') ?
		    fnmatch(pats[i], rel, FNM_PATHNAME) == 0 :
		    fnmatch(pats[i], base, 0) == 0)
			return 1;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads rel/dvc.yaml (rel relative to the pipeline directory) into p. */
static int
load_subfile(pl_pipeline *p, const char *rel, char *err, size_t err_len)
{
	struct subfile *ns, *sf;
	const char *slash = strrchr(p->file, '/');
	char *abs = NULL;
	int rc;

	ns = realloc(p->subs, (p->nsubs + 1) * sizeof *ns);
	if (ns == NULL)
		return PL_ENOMEM;
	p->subs = ns;
	sf = &p->subs[p->nsubs];
	memset(sf, 0, sizeof *sf);
	if (asprintf(&sf->shown, "%.*s%s/dvc.yaml", slash ? (int)(slash -
	    p->file + 1) : 0, p->file, rel) < 0)
		sf->shown = NULL;
	if (asprintf(&sf->addr, "%s/dvc.yaml", rel) < 0)
		sf->addr = NULL;
	sf->prefix = strdup(rel);
	if (asprintf(&abs, "%s/%s/dvc.yaml", p->dir, rel) < 0)
		abs = NULL;
	p->nsubs++;
	if (!sf->shown || !sf->addr || !sf->prefix || !abs) {
		free(abs);
		return PL_ENOMEM;
	}
	rc = yn_parse_file(&sf->root, abs, sf->shown, err, err_len);
	free(abs);
	if (rc != PL_OK)
		return rc;
	if (sf->root == NULL)
		return PL_OK;	/* empty: no stages */
	p->cur_file = sf->shown;
	p->cur_prefix = sf->prefix;
	p->cur_addr = sf->addr;
	return load_stages(p, sf->root, err, err_len);
}

/* Walks directory rel (relative to the pipeline directory; "" for it)
 * in name order, loading each dvc.yaml below the top. */
static int
walk_subfiles(pl_pipeline *p, char *const *pats, const char *rel,
    int depth, char *err, size_t err_len)
{
	char *dpath = NULL, **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = PL_OK;

	if (depth > 64)
		return PL_OK;
	if (asprintf(&dpath, "%s%s%s", p->dir, *rel ? "/" : "", rel) < 0)
		return PL_ENOMEM;
	d = opendir(dpath);
	free(dpath);
	if (d == NULL)
		return PL_OK;	/* unreadable: DVC skips it too */
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 32) *
			    sizeof *names);

			if (nn == NULL) {
				rc = PL_ENOMEM;
				break;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = PL_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == PL_OK && n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n && rc == PL_OK; i++) {
		const char *nm = names[i];
		char *child = NULL, *cabs = NULL;
		struct stat sb;

		if (strcmp(nm, ".git") == 0 || strcmp(nm, ".dvc") == 0 ||
		    strcmp(nm, ".hg") == 0 || strcmp(nm, ".plumb") == 0)
			continue;
		if (asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", nm) < 0 ||
		    asprintf(&cabs, "%s/%s", p->dir, child) < 0) {
			free(child);
			rc = PL_ENOMEM;
			break;
		}
		/* directories only, symlinks not followed (as DVC's walk) */
		if (lstat(cabs, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    !ignored(pats, child, nm)) {
			char *f = NULL;

			if (asprintf(&f, "%s/dvc.yaml", cabs) < 0) {
				rc = PL_ENOMEM;
			} else {
				if (lstat(f, &sb) == 0 && S_ISREG(sb.st_mode))
					rc = load_subfile(p, child, err,
					    err_len);
				free(f);
			}
			if (rc == PL_OK)
				rc = walk_subfiles(p, pats, child, depth + 1,
				    err, err_len);
		}
		free(child);
		free(cabs);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Every dvc.yaml below the pipeline directory, as DVC collects them. */
static int
load_subfiles(pl_pipeline *p, char *err, size_t err_len)
{
	char **pats = read_dvcignore(p->dir);
	int rc = walk_subfiles(p, pats, "", 0, err, err_len);

	for (size_t i = 0; pats && pats[i]; i++)
		free(pats[i]);
	free(pats);
	return rc;
}

int
pl_pipeline_load(pl_pipeline **out, const char *path, unsigned flags,
    char *err, size_t err_len)
{
	pl_pipeline *p;
	char *abs = NULL, *slash;
	int rc;

	*out = NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return PL_ENOMEM;
	p->file = strdup(path);
	abs = realpath(path, NULL);
	if (p->file == NULL) {
		rc = PL_ENOMEM;
		goto fail;
	}
	if (abs == NULL) {
		snprintf(err, err_len, "cannot read %s: %s", path,
		    strerror(errno));
		rc = errno == ENOENT ? PL_ENOTFOUND : PL_EIO;
		goto fail;
	}
	slash = strrchr(abs, '/');
	p->dir = strndup(abs, slash == abs ? 1 : (size_t)(slash - abs));
	{
		const char *base = slash + 1;
		const char *dot = strrchr(base, '.');
		size_t stem = dot ? (size_t)(dot - base) : strlen(base);

		if (strcmp(base, "plumb.yaml") == 0 ||
		    strcmp(base, "dvc.yaml") == 0)
			rc = asprintf(&p->lock, "%s/plumb.lock", p->dir);
		else
			rc = asprintf(&p->lock, "%s/%.*s.lock", p->dir,
			    (int)stem, base);
		if (rc < 0)
			p->lock = NULL;
		const char *dn = strrchr(p->dir, '/');
		p->name = strdup(dn && dn[1] ? dn + 1 : p->dir);
	}
	if (!p->dir || !p->lock || !p->name) {
		rc = PL_ENOMEM;
		goto fail;
	}
	rc = yn_parse_file(&p->root, abs, p->file, err, err_len);
	if (rc != PL_OK)
		goto fail;
	/* An empty file is a pipeline without stages (as in DVC). */
	if (p->root == NULL && (p->root = yn_new(YN_MAP, 1, 1)) == NULL) {
		rc = PL_ENOMEM;
		goto fail;
	}
	p->cur_file = p->file;
	if ((rc = load_stages(p, p->root, err, err_len)) != PL_OK)
		goto fail;
	if (collects(p->file) &&
	    (rc = load_subfiles(p, err, err_len)) != PL_OK)
		goto fail;
	p->cur_file = p->cur_prefix = p->cur_addr = NULL;
	if ((rc = pl__pipe_check_names(p, err, err_len)) != PL_OK)
		goto fail;
	/* before anything looks at the files a path names */
	if ((rc = pl_pipeline_check_paths(p, NULL, err, err_len)) != PL_OK)
		goto fail;
	/* The graph first: it marks the params files that stages write,
	 * which exist (and hold their keys) only once those stages ran. */
	if ((rc = pl__pipe_build_graph(p, flags, err, err_len)) != PL_OK)
		goto fail;
	if (!(flags & PL_PIPE_GRAPH_ONLY) &&
	    (rc = pl__pipe_check_params(p, err, err_len)) != PL_OK)
		goto fail;
	free(abs);
	*out = p;
	return PL_OK;
fail:
	if (rc == PL_ENOMEM)
		snprintf(err, err_len, "out of memory");
	free(abs);
	pl_pipeline_free(p);
	return rc;
}

void
pl_pipeline_free(pl_pipeline *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		stage_dispose(&p->stages[i]);
		if (p->up)
			free(p->up[i]);
		if (p->down)
			free(p->down[i]);
		if (p->upvia)
			free(p->upvia[i]);
	}
	free(p->stages);
	free(p->up);
	free(p->down);
	free(p->upvia);
	free(p->nup);
	free(p->ndown);
	free(p->order);
	for (size_t i = 0; i < p->npfiles; i++) {
		free(p->pfiles[i].wfile);
		yn_free(p->pfiles[i].tree);
	}
	free(p->pfiles);
	yn_free(p->root);
	for (size_t i = 0; i < p->nsubs; i++) {
		yn_free(p->subs[i].root);
		free(p->subs[i].shown);
		free(p->subs[i].addr);
		free(p->subs[i].prefix);
	}
	free(p->subs);
	free(p->file);
	free(p->dir);
	free(p->lock);
	free(p->name);
	free(p);
}

int
pl_pipeline_find(char **out, const char *dir, char *err, size_t err_len)
{
	static const char *const names[] = { "plumb.yaml", "dvc.yaml" };

	*out = NULL;
	for (size_t i = 0; i < 2; i++) {
		char *p;

		if (asprintf(&p, "%s/%s", dir, names[i]) < 0)
			return PL_ENOMEM;
		if (access(p, F_OK) == 0) {
			*out = p;
			return PL_OK;
		}
		free(p);
	}
	snprintf(err, err_len, "no plumb.yaml or dvc.yaml in %s", dir);
	return PL_ENOTFOUND;
}

const char *pl_pipeline_file(const pl_pipeline *p) { return p->file; }
const char *pl_pipeline_dir(const pl_pipeline *p) { return p->dir; }
const char *pl_pipeline_lock_path(const pl_pipeline *p) { return p->lock; }
const char *pl_pipeline_name(const pl_pipeline *p) { return p->name; }
size_t pl_pipeline_nstages(const pl_pipeline *p) { return p->n; }

const pl_pipe_stage *
pl_pipeline_stage(const pl_pipeline *p, size_t i)
{
	return i < p->n ? &p->stages[i] : NULL;
}

long
pl_pipeline_index(const pl_pipeline *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->stages[i].name, name) == 0)
			return (long)i;
	return -1;
}
