/* stage-check.c - is a pipeline stage up to date, and why not: change detection and plumb status. */
#include "config.h"
#include "pipeline/stage-check.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/internal.h"
#include "pipeline/internal.h"
#include "pipeline/repro.h"
#include "track/run.h"
#include "config/ynode.h"

/* --- change detection ------------------------------------------------------ */


void
pl__check_dispose(struct check *c, const pl_pipe_stage *s)
{
	buf_free(&c->reasons);
	free(c->deps);
	free(c->outs);
	free(c->urls);
	for (size_t i = 0; c->pvals && i < s->nparams; i++)
		free(c->pvals[i]);
	free(c->pvals);
	memset(c, 0, sizeof *c);
}

static void __attribute__((format(printf, 2, 3)))
reason(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->reasons.len)
		buf_putc(&c->reasons, '\n');
	va_start(ap, fmt);
	buf_vprintf(&c->reasons, fmt, ap);
	va_end(ap);
	c->nreasons++;
	c->changed = 1;
}

static int
same_entry(const pl_lock_entry *e, const pl_hashed *h)
{
	return e && !h->missing && strcmp(e->hash, h->hash) == 0 &&
	    e->is_dir == h->is_dir;
}

/* Value of a string param for display: unquoted when it is a string. */
static void
short_value(char *out, size_t n, const char *canon)
{
	if (canon == NULL) {
		snprintf(out, n, "(missing)");
		return;
	}
	snprintf(out, n, "%s", canon);
	if (strlen(out) > 40)
		strcpy(out + 37, "...");
}

/*
 * Hashes the deps and outs of s (deps first) into *deps and *outs.  Local
 * paths are hashed together, through the memo; a URL dep is asked of its
 * server (url.c), its headers kept in urls[j].  A URL that cannot be
 * checked fails the whole check with the reason in err ("FILE:LINE:COL:
 * dependency ... of stage ...: why"): as in DVC, a stage whose input
 * cannot be looked at is neither up to date nor safe to re-run.
 */
static int
hash_stage_paths(pl_hashed **deps, pl_hashed **outs,
    struct pl_url_meta **urls, pl_store *st, const pl_pipeline *p,
    const pl_pipe_stage *s, char *err, size_t err_len)
{
	size_t n = s->ndeps + s->nouts, m = 0;
	char **abs = calloc(n + 1, sizeof *abs);
	size_t *at = calloc(n + 1, sizeof *at);
	pl_hashed *h = calloc(n + 1, sizeof *h);
	pl_hashed *lh = calloc(n + 1, sizeof *lh);
	struct pl_url_meta *u = calloc(s->ndeps + 1, sizeof *u);
	int rc = PL_OK;

	*deps = *outs = NULL;
	*urls = NULL;
	if (abs == NULL || at == NULL || h == NULL || lh == NULL || u == NULL)
		rc = PL_ENOMEM;
	/* the local paths, packed: abs[k] is entry at[k] */
	for (size_t i = 0; i < n && rc == PL_OK; i++) {
		if (i < s->ndeps && s->deps[i].url)
			continue;
		abs[m] = pl_pipeline_abspath(p, i < s->ndeps ?
		    s->deps[i].wpath : s->outs[i - s->ndeps].wpath);
		if (abs[m] == NULL)
			rc = PL_ENOMEM;
		at[m++] = i;
	}
	if (rc == PL_OK && m)
		rc = pl_hash_paths_in(lh, NULL, st, pl_pipeline_dir(p),
		    (const char *const *)abs, m, 0, 0);
	for (size_t k = 0; k < m && rc == PL_OK; k++)
		h[at[k]] = lh[k];
	for (size_t i = 0; i < s->ndeps && rc == PL_OK; i++) {
		char why[400];

		if (!s->deps[i].url)
			continue;
		rc = pl__url_stat(&h[i], &u[i], s->deps[i].wpath, why,
		    sizeof why);
		if (rc != PL_OK && rc != PL_ENOMEM)
			snprintf(err, err_len, "%s:%d:%d: dependency '%s' of "
			    "stage '%s': %s", s->file,
			    s->deps[i].line, s->deps[i].col, s->deps[i].path,
			    s->name, why);
	}
	for (size_t k = 0; k < m; k++)
		free(abs[k]);
	free(abs);
	free(at);
	free(lh);
	if (rc == PL_OK)
		*outs = calloc(s->nouts + 1, sizeof **outs);
	if (rc == PL_OK && *outs == NULL)
		rc = PL_ENOMEM;
	if (rc != PL_OK) {
		free(h);
		free(u);
		return rc;
	}
	*deps = h;
	*urls = u;
	memcpy(*outs, h + s->ndeps, s->nouts * sizeof **outs);
	return PL_OK;
}

const char *
pl__check_param_key(const pl_param *pp)
{
	return pp->key ? pp->key : "";
}

/*
 * Compares stage i with its lock entry.  Outputs are only compared when
 * cmd, deps and params match (otherwise the stage runs anyway).
 */
int
pl__check_stage(struct check *c, pl_store *st, const pl_pipeline *p, size_t i,
    const pl_lock *lk)
{
	const pl_pipe_stage *s = pl_pipeline_stage(p, i);
	const pl_lock_stage *ls = pl_lock_find(lk, s->name);
	int rc, inputs_same = 1;

	memset(c, 0, sizeof *c);
	if ((rc = hash_stage_paths(&c->deps, &c->outs, &c->urls, st, p, s,
	    c->err, sizeof c->err)) != PL_OK)
		return rc;
	c->pvals = calloc(s->nparams + 1, sizeof *c->pvals);
	if (c->pvals == NULL)
		return PL_ENOMEM;
	for (size_t j = 0; j < s->nparams; j++) {
		rc = pl_pipeline_param_value(&c->pvals[j], p, &s->params[j]);
		if (rc == PL_ENOMEM)
			return rc;
	}
	if (ls == NULL) {
		c->never = 1;
		reason(c, "never run");
		return PL_OK;
	}
	/* command */
	{
		int same = ls->ncmds == s->ncmds;

		for (size_t j = 0; same && j < s->ncmds; j++)
			same = strcmp(ls->cmds[j], s->cmds[j]) == 0;
		if (!same) {
			reason(c, "command changed");
			inputs_same = 0;
		}
	}
	/* deps */
	for (size_t j = 0; j < s->ndeps; j++) {
		const pl_lock_entry *e = pl_lock_stage_dep(ls, s->deps[j].path);

		if (e == NULL) {
			reason(c, "new dep %s", s->deps[j].path);
			inputs_same = 0;
		} else if (c->deps[j].missing) {
			reason(c, "dep %s is missing", s->deps[j].path);
			inputs_same = 0;
		} else if (!same_entry(e, &c->deps[j])) {
			reason(c, "dep %s changed", s->deps[j].path);
			inputs_same = 0;
		}
	}
	for (size_t j = 0; j < ls->ndeps; j++) {
		int found = 0;

		for (size_t k = 0; k < s->ndeps && !found; k++)
			found = strcmp(s->deps[k].path, ls->deps[j].path) == 0;
		if (!found) {
			reason(c, "dep %s removed", ls->deps[j].path);
			inputs_same = 0;
		}
	}
	/* params */
	for (size_t j = 0; j < s->nparams; j++) {
		const pl_param *pp = &s->params[j];
		const pl_lock_param *lp = NULL;

		for (size_t k = 0; k < ls->nparams && !lp; k++)
			if (strcmp(ls->params[k].file, pp->file) == 0 &&
			    strcmp(ls->params[k].key, pl__check_param_key(pp)) == 0)
				lp = &ls->params[k];
		if (lp == NULL) {
			reason(c, "new param %s%s%s", pp->key ? pp->key :
			    pp->file, pp->key && strcmp(pp->file,
			    "params.yaml") ? " in " : "", pp->key &&
			    strcmp(pp->file, "params.yaml") ? pp->file : "");
			inputs_same = 0;
		} else if (c->pvals[j] == NULL ||
		    strcmp(lp->value, c->pvals[j]) != 0) {
			char a[48], b[48];

			short_value(a, sizeof a, lp->value);
			short_value(b, sizeof b, c->pvals[j]);
			reason(c, "param %s changed (%s -> %s)",
			    pp->key ? pp->key : pp->file, a, b);
			inputs_same = 0;
		}
	}
	for (size_t k = 0; k < ls->nparams; k++) {
		int found = 0;

		for (size_t j = 0; j < s->nparams && !found; j++)
			found = strcmp(ls->params[k].file,
			    s->params[j].file) == 0 && strcmp(ls->params[k].key,
			    pl__check_param_key(&s->params[j])) == 0;
		if (!found) {
			reason(c, "param %s removed", ls->params[k].key);
			inputs_same = 0;
		}
	}
	/* outputs */
	for (size_t j = 0; j < s->nouts; j++) {
		const pl_lock_entry *e = pl_lock_stage_out(ls, s->outs[j].path);

		if (e == NULL)
			reason(c, "new output %s", s->outs[j].path);
		else if (c->outs[j].missing)
			reason(c, "output %s is missing", s->outs[j].path);
		else if (!same_entry(e, &c->outs[j]))
			reason(c, "output %s was modified", s->outs[j].path);
		else
			continue;
		if (e == NULL)
			inputs_same = 0;
	}
	if (s->always_changed)
		reason(c, "always_changed");
	c->outs_only = c->changed && inputs_same && !s->always_changed;
	return PL_OK;
}

/* Can every output be brought back to what the lock recorded: already
 * right (cur, may be NULL), or cached? */
int
pl__check_restorable(pl_store *st, const pl_pipe_stage *s, const pl_lock_stage *ls,
    const pl_hashed *cur)
{
	if (ls == NULL)
		return 0;
	for (size_t j = 0; j < s->nouts; j++) {
		const pl_lock_entry *e = pl_lock_stage_out(ls, s->outs[j].path);
		pl_hashed h;

		if (e == NULL || !e->hash[0])
			return 0;
		if (cur && !cur[j].missing && strcmp(cur[j].hash, e->hash) == 0)
			continue;
		if (!s->outs[j].cache)
			return 0;
		memset(&h, 0, sizeof h);
		memcpy(h.hash, e->hash, PL_HASH_HEX);
		h.is_dir = e->is_dir;
		if (!pl_cache_has(st, &h))
			return 0;
	}
	return 1;
}

/* --- status ----------------------------------------------------------------- */

void
pl_pipe_status_free(pl_pipe_status *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		for (size_t j = 0; j < s[i].nreasons; j++)
			free(s[i].reasons[j]);
		free(s[i].reasons);
	}
	free(s);
}

static int
split_reasons(pl_pipe_status *ss, const char *text, size_t n)
{
	ss->reasons = calloc(n + 1, sizeof *ss->reasons);
	if (ss->reasons == NULL)
		return PL_ENOMEM;
	for (const char *p = text; *p && ss->nreasons < n;) {
		size_t len = strcspn(p, "\n");

		ss->reasons[ss->nreasons] = strndup(p, len);
		if (ss->reasons[ss->nreasons] == NULL)
			return PL_ENOMEM;
		ss->nreasons++;
		p += len + (p[len] == '\n');
	}
	return PL_OK;
}

int
pl_pipeline_status(pl_pipe_status **out, size_t *out_n, pl_store *st,
    const pl_pipeline *p, const unsigned char *mask, char *err,
    size_t err_len)
{
	size_t n = pl_pipeline_nstages(p), k = 0;
	const size_t *order = pl_pipeline_order(p);
	pl_pipe_status *v = calloc(n + 1, sizeof *v);
	pl_lock *lk = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (v == NULL)
		return PL_ENOMEM;
	if ((rc = pl_lock_read(&lk, pl_pipeline_lock_path(p), err,
	    err_len)) != PL_OK) {
		free(v);
		return rc;
	}
	for (size_t oi = 0; oi < n && rc == PL_OK; oi++) {
		size_t i = order[oi];
		const pl_pipe_stage *s = pl_pipeline_stage(p, i);
		struct check c;

		if (mask && !mask[i])
			continue;
		v[k].stage = i;
		if (s->frozen) {
			v[k++].frozen = 1;
			continue;
		}
		rc = pl__check_stage(&c, st, p, i, lk);
		if (rc == PL_OK) {
			v[k].changed = c.changed;
			v[k].restorable = c.outs_only &&
			    pl__check_restorable(st, s, pl_lock_find(lk, s->name),
			    c.outs);
			rc = split_reasons(&v[k], buf_str(&c.reasons),
			    c.nreasons);
			k++;
		} else {
			snprintf(err, err_len, "%s", c.err[0] ? c.err :
			    pl_store_errmsg(st));
		}
		pl__check_dispose(&c, s);
	}
	pl_lock_free(lk);
	if (rc != PL_OK) {
		pl_pipe_status_free(v, k);
		return rc;
	}
	*out = v;
	*out_n = k;
	return PL_OK;
}

