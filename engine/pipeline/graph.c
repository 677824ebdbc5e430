/* graph.c - the stage graph: names, params, edges from outputs to deps, overlaps, cycles, order. */
#include "config.h"
#include "pipeline/pipeline.h"

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

/* --- graph ------------------------------------------------------------------ */

struct outref {
	const char *wpath;
	size_t stage, out;
};

/*
 * Paths are sorted with '/' before every other byte, so that the paths
 * inside a directory come right after it, in one run: with plain strcmp
 * "r.txt" ('.' < '/') would sit between "r" and "r/x.json" and end the
 * run early, hiding r/x.json from a dep on r.
 */
static int
path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = *a == '/' ? 1 : (unsigned char)*a;
		int y = *b == '/' ? 1 : (unsigned char)*b;

		if (x != y)
			return x - y;
		if (x == 0)
			return 0;
	}
}

static int
outref_cmp(const void *a, const void *b)
{
	return path_cmp(((const struct outref *)a)->wpath,
	    ((const struct outref *)b)->wpath);
}

/* Index of the first outref whose wpath >= key. */
static size_t
lower_bound(const struct outref *v, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (path_cmp(v[mid].wpath, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Stage `to` depends on stage `from` through its dep path `via`.  A
 * stage whose dep overlaps its own output is a cycle of one (DVC refuses
 * it too): the caller reports it. */
static int
add_edge(pl_pipeline *p, size_t from, size_t to, const char *via)
{
	size_t *u;
	const char **v;

	for (size_t i = 0; i < p->nup[to]; i++)
		if (p->up[to][i] == from)
			return PL_OK;
	v = realloc(p->upvia[to], (p->nup[to] + 1) * sizeof *v);
	if (v == NULL)
		return PL_ENOMEM;
	p->upvia[to] = v;
	v[p->nup[to]] = via;
	u = realloc(p->up[to], (p->nup[to] + 1) * sizeof *u);
	if (u == NULL)
		return PL_ENOMEM;
	p->up[to] = u;
	u[p->nup[to]++] = from;
	u = realloc(p->down[from], (p->ndown[from] + 1) * sizeof *u);
	if (u == NULL)
		return PL_ENOMEM;
	p->down[from] = u;
	u[p->ndown[from]++] = to;
	return PL_OK;
}

static int
loc_err(char *err, size_t err_len, const char *file, int line, int col,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
loc_err(char *err, size_t err_len, const char *file, int line, int col,
    const char *fmt, ...)
{
	va_list ap;
	size_t off = (size_t)snprintf(err, err_len, "%s:%d:%d: ", file,
	    line, col);

	if (off < err_len) {
		va_start(ap, fmt);
		vsnprintf(err + off, err_len - off, fmt, ap);
		va_end(ap);
	}
	return PL_EINVAL;
}

int
pl__pipe_build_graph(pl_pipeline *p, unsigned flags, char *err, size_t err_len)
{
	struct outref *refs;
	size_t nrefs = 0, n = p->n;
	int rc = PL_OK;

	p->up = calloc(n + 1, sizeof *p->up);
	p->down = calloc(n + 1, sizeof *p->down);
	p->nup = calloc(n + 1, sizeof *p->nup);
	p->ndown = calloc(n + 1, sizeof *p->ndown);
	p->order = calloc(n + 1, sizeof *p->order);
	p->upvia = calloc(n + 1, sizeof *p->upvia);
	for (size_t i = 0; i < n; i++)
		nrefs += p->stages[i].nouts;
	refs = calloc(nrefs + 1, sizeof *refs);
	if (!p->up || !p->down || !p->nup || !p->ndown || !p->order ||
	    !p->upvia || !refs) {
		free(refs);
		return PL_ENOMEM;
	}
	nrefs = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < p->stages[i].nouts; j++) {
			refs[nrefs].wpath = p->stages[i].outs[j].wpath;
			refs[nrefs].stage = i;
			refs[nrefs].out = j;
			nrefs++;
		}
	qsort(refs, nrefs, sizeof *refs, outref_cmp);
	/* One output, one producer; no output inside another. */
	for (size_t i = 0; i < nrefs; i++) {
		const pl_out *o = &p->stages[refs[i].stage].outs[refs[i].out];

		if (i + 1 < nrefs && path_cmp(refs[i].wpath,
		    refs[i + 1].wpath) == 0) {
			const struct outref *a = &refs[i], *b = &refs[i + 1];
			const pl_out *oa = &p->stages[a->stage].outs[a->out];
			const pl_out *ob = &p->stages[b->stage].outs[b->out];

			/* report at the later one in the file */
			if (oa->line > ob->line) {
				const struct outref *t = a;

				a = b;
				b = t;
				oa = &p->stages[a->stage].outs[a->out];
				ob = &p->stages[b->stage].outs[b->out];
			}
			rc = loc_err(err, err_len, p->stages[b->stage].file, ob->line, ob->col,
			    "output '%s' of stage '%s' is also an output of "
			    "stage '%s' (line %d)", ob->path,
			    p->stages[b->stage].name, p->stages[a->stage].name,
			    oa->line);
			goto out;
		}
		/* any ancestor directory that is an output? */
		for (char *s = strchr(refs[i].wpath, '/'); s;
		    s = strchr(s + 1, '/')) {
			size_t len = (size_t)(s - refs[i].wpath), k;
			char anc[PATH_MAX];

			if (len >= sizeof anc)
				break;
			memcpy(anc, refs[i].wpath, len);
			anc[len] = '\0';
			k = lower_bound(refs, nrefs, anc);
			if (k < nrefs && strcmp(refs[k].wpath, anc) == 0) {
				const pl_out *oa =
				    &p->stages[refs[k].stage].outs[refs[k].out];

				rc = loc_err(err, err_len, p->stages[refs[i].stage].file, o->line, o->col,
				    "output '%s' of stage '%s' is inside "
				    "output '%s' of stage '%s' (line %d)",
				    o->path, p->stages[refs[i].stage].name,
				    oa->path, p->stages[refs[k].stage].name,
				    oa->line);
				goto out;
			}
		}
	}
	/* Edges (DVC's rule): B depends on A when a dep of B (or a params
	 * file of B) is, lies inside or contains an output of A. */
	for (size_t i = 0; i < n && rc == PL_OK; i++) {
		const pl_pipe_stage *s = &p->stages[i];
		size_t nd = s->ndeps + s->nparams;

		for (size_t j = 0; j < nd && rc == PL_OK; j++) {
			const int isdep = j < s->ndeps;
			const pl_param *pp = isdep ? NULL :
			    &s->params[j - s->ndeps];
			const char *d = isdep ? s->deps[j].wpath : pp->wfile;
			const char *shown = isdep ? s->deps[j].path : pp->file;
			int line = isdep ? s->deps[j].line : pp->line;
			int col = isdep ? s->deps[j].col : pp->col;
			size_t k, self = (size_t)-1;
			int found = 0;

			/* a URL is no stage's output; only what plumb can
			 * check is accepted by repro */
			if (isdep && s->deps[j].url) {
				char sch[16];

				if ((flags & PL_PIPE_CHECK_DEPS) &&
				    !pl__url_is_http(d)) {
					rc = loc_err(err, err_len, s->file, line, col,
					    "dependency '%s' of stage '%s': "
					    "unsupported scheme %s: plumb checks "
					    "http and https URLs (DVC reads the "
					    "others through its remote storage)",
					    shown, s->name,
					    pl__url_scheme(d, sch, sizeof sch));
					break;
				}
				continue;
			}
			/* one edge per params file, not per key */
			if (!isdep) {
				int seen = 0;

				for (size_t q = 0; q < j - s->ndeps; q++)
					seen |= strcmp(s->params[q].wfile,
					    d) == 0;
				if (seen)
					continue;
			}
#define EDGE(k_) do { \
		found = 1; \
		if (refs[k_].stage == i) \
			self = (k_); \
		else \
			rc = add_edge(p, refs[k_].stage, i, shown); \
	} while (0)
			/* exact and nested-inside-dep: a run from k */
			if (strcmp(d, ".") == 0)
				for (k = 0; k < nrefs && rc == PL_OK; k++)
					EDGE(k);
			else
				for (k = lower_bound(refs, nrefs, d); k < nrefs &&
				    rc == PL_OK &&
				    pl__pipe_path_within(refs[k].wpath, d); k++)
					EDGE(k);
			/* the dep is inside an output directory */
			for (const char *sl = strchr(d, '/'); sl && rc == PL_OK;
			    sl = strchr(sl + 1, '/')) {
				char anc[PATH_MAX];
				size_t len = (size_t)(sl - d);

				if (len >= sizeof anc)
					break;
				memcpy(anc, d, len);
				anc[len] = '\0';
				k = lower_bound(refs, nrefs, anc);
				if (k < nrefs && strcmp(refs[k].wpath, anc) == 0)
					EDGE(k);
			}
#undef EDGE
			if (rc == PL_OK && self != (size_t)-1) {
				rc = loc_err(err, err_len, s->file, line, col,
				    "dependency cycle: %s -> %s -> %s (stage "
				    "'%s' depends on its own output '%s')",
				    s->name, shown, s->name, s->name,
				    s->outs[refs[self].out].path);
				break;
			}
			if (rc == PL_OK && found && !isdep) {
				/* a params file some stage writes: its
				 * values are read when asked, not now */
				struct pfile *f = pl__pipe_pfile_add(p, d);

				if (f == NULL)
					rc = PL_ENOMEM;
				else
					f->produced = 1;
			}
			if (!found && isdep && (flags & PL_PIPE_CHECK_DEPS)) {
				char *abs = pl_pipeline_abspath(p, d), *ptr = NULL;
				struct stat sb;

				if (abs == NULL || asprintf(&ptr, "%s.plumb",
				    abs) < 0) {
					free(abs);
					rc = PL_ENOMEM;
					break;
				}
				if (lstat(abs, &sb) < 0 && lstat(ptr, &sb) < 0)
					rc = loc_err(err, err_len, s->file,
					    s->deps[j].line, s->deps[j].col,
					    "dependency '%s' of stage '%s' does "
					    "not exist and no stage produces it",
					    s->deps[j].path, s->name);
				free(abs);
				free(ptr);
			}
		}
	}
	if (rc != PL_OK)
		goto out;
	/* Topological order (Kahn); what is left over lies on a cycle. */
	{
		size_t *indeg = calloc(n + 1, sizeof *indeg), head = 0, tail = 0;

		if (indeg == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			indeg[i] = p->nup[i];
		for (size_t i = 0; i < n; i++)
			if (indeg[i] == 0)
				p->order[tail++] = i;
		while (head < tail) {
			size_t v = p->order[head++];

			for (size_t j = 0; j < p->ndown[v]; j++)
				if (--indeg[p->down[v][j]] == 0)
					p->order[tail++] = p->down[v][j];
		}
		if (tail < n) {
			/* Walk upstream from a leftover stage until a stage
			 * repeats: that loop is the cycle. */
			size_t start = 0, *seen = calloc(n, sizeof *seen), v,
			    step = 1;
			struct buf b = BUF_INIT;

			if (seen == NULL) {
				free(indeg);
				rc = PL_ENOMEM;
				goto out;
			}
			while (indeg[start] == 0)
				start++;
			v = start;
			while (!seen[v]) {
				seen[v] = step++;
				for (size_t j = 0; j < p->nup[v]; j++)
					if (indeg[p->up[v][j]] != 0) {
						v = p->up[v][j];
						break;
					}
			}
			/* v is on the cycle; list it in dependency order */
			{
				size_t first = v, cur = v;
				size_t *cyc = calloc(n + 1, sizeof *cyc), nc = 0;

				if (cyc == NULL) {
					free(seen);
					free(indeg);
					rc = PL_ENOMEM;
					goto out;
				}
				do {
					cyc[nc++] = cur;
					for (size_t j = 0; j < p->nup[cur]; j++)
						if (indeg[p->up[cur][j]] != 0) {
							cur = p->up[cur][j];
							break;
						}
				} while (cur != first && nc <= n);
				/* cyc[] runs downstream -> upstream: print
				 * it reversed, from the stage first in the
				 * file, each stage then the dep path through
				 * which the next one reads it */
				{
					size_t m = 0;

					for (size_t j = 1; j < nc; j++)
						if (cyc[j] < cyc[m])
							m = j;
					for (size_t t = 0; t < nc; t++) {
						size_t from = cyc[(m + nc - t) % nc];
						size_t to = cyc[(m + 2 * nc - t - 1) %
						    nc];
						const char *via = "?";

						for (size_t q = 0; q < p->nup[to];
						    q++)
							if (p->up[to][q] == from)
								via = p->upvia[to][q];
						buf_printf(&b, "%s -> %s -> ",
						    p->stages[from].name, via);
					}
					buf_puts(&b, p->stages[cyc[m]].name);
				}
				/* report at the stage first in the file */
				{
					size_t at = cyc[0];

					for (size_t j = 1; j < nc; j++)
						if (cyc[j] < at)
							at = cyc[j];
					rc = loc_err(err, err_len,
					    p->stages[at].file,
					    p->stages[at].line,
					    p->stages[at].col,
					    "dependency cycle: %s",
					    buf_str(&b));
				}
				free(cyc);
			}
			buf_free(&b);
			free(seen);
		}
		free(indeg);
	}
out:
	free(refs);
	return rc;
}

/* --- loading ------------------------------------------------------------------ */


static int
name_cmp_r(const void *a, const void *b, void *arg)
{
	const pl_pipeline *p = arg;
	const pl_pipe_stage *x = &p->stages[*(const size_t *)a];
	const pl_pipe_stage *y = &p->stages[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Two stages with one name (foreach keys or matrix values that render the
 * same) are an error; sorting keeps this O(n log n) for big pipelines. */
int
pl__pipe_check_names(pl_pipeline *p, char *err, size_t err_len)
{
	size_t *idx = calloc(p->n + 1, sizeof *idx);
	int rc = PL_OK;

	if (idx == NULL)
		return PL_ENOMEM;
	for (size_t i = 0; i < p->n; i++)
		idx[i] = i;
	qsort_r(idx, p->n, sizeof *idx, name_cmp_r, p);
	for (size_t i = 1; i < p->n && rc == PL_OK; i++) {
		const pl_pipe_stage *a = &p->stages[idx[i - 1]];
		const pl_pipe_stage *b = &p->stages[idx[i]];

		if (strcmp(a->name, b->name) == 0)
			rc = loc_err(err, err_len, b->file, b->line, b->col, "stage "
			    "'%s' is defined twice (first at line %d)",
			    b->name, a->line);
	}
	free(idx);
	return rc;
}

int
pl__pipe_check_params(pl_pipeline *p, char *err, size_t err_len)
{
	for (size_t i = 0; i < p->n; i++) {
		pl_pipe_stage *s = &p->stages[i];

		for (size_t j = 0; j < s->nparams; j++) {
			pl_param *pp = &s->params[j];
			struct pfile *f;
			int rc;

			f = pl__pipe_pfile_get(p, pp->wfile, err, err_len, &rc);
			if (f == NULL)
				return rc;
			if (f->produced)
				continue;	/* written by a stage */
			if (f->missing)
				return loc_err(err, err_len, s->file, pp->line,
				    pp->col, "params file '%s' of stage '%s' "
				    "does not exist", pp->file, s->name);
			if (pp->key && !pl__pipe_param_is_glob(pp->key) &&
			    pl__pipe_param_find(f->tree, pp->key) == NULL)
				return loc_err(err, err_len, s->file, pp->line,
				    pp->col, "param '%s' of stage '%s' is not "
				    "in %s", pp->key, s->name, pp->file);
		}
	}
	return PL_OK;
}

void
pl_pipeline_upstream(const pl_pipeline *p, size_t i, const size_t **out,
    size_t *n)
{
	*out = p->up[i];
	*n = p->nup[i];
}

void
pl_pipeline_downstream(const pl_pipeline *p, size_t i, const size_t **out,
    size_t *n)
{
	*out = p->down[i];
	*n = p->ndown[i];
}

const char *
pl_pipeline_upstream_via(const pl_pipeline *p, size_t i, size_t k)
{
	return i < p->n && k < p->nup[i] ? p->upvia[i][k] : NULL;
}

const size_t *
pl_pipeline_order(const pl_pipeline *p)
{
	return p->order;
}

static void
mark_up(const pl_pipeline *p, unsigned char *mask, size_t i)
{
	if (mask[i])
		return;
	mask[i] = 1;
	for (size_t j = 0; j < p->nup[i]; j++)
		mark_up(p, mask, p->up[i][j]);
}

/* Where the stage name's bare part starts after a subdirectory file's
 * address ("sub/dvc.yaml:train"), or NULL for a stage of the main file. */
static const char *
addr_end(const char *name)
{
	const char *c = strstr(name, "/dvc.yaml:");

	return c ? c + 9 : NULL;
}

static const char *
bare(const char *name)
{
	const char *c = addr_end(name);

	return c ? c + 1 : name;
}

/* Is stage s, by name or by its foreach/matrix entry, target t? */
static int
named(const pl_pipe_stage *s, const char *t, int bare_only)
{
	if (bare_only)
		return strcmp(bare(s->name), t) == 0 || (s->group &&
		    strcmp(bare(s->group), t) == 0);
	return strcmp(s->name, t) == 0 || (s->group &&
	    strcmp(s->group, t) == 0);
}

/*
 * Targets as DVC takes them: a stage ("train", "build@us"), a foreach or
 * matrix entry ("build"), a stage of a dvc.yaml in a subdirectory by its
 * address ("sub/dvc.yaml:train") or every stage of that file
 * ("sub/dvc.yaml"); the main file's address works too ("dvc.yaml:train").
 * A bare name that no stage of the main file has selects the stage of
 * that name in a subdirectory's file, when only one file has one.
 */
int
pl_pipeline_select(const pl_pipeline *p, unsigned char *mask,
    char *const *targets, size_t ntargets, int single_only, char *err,
    size_t err_len)
{
	const char *mainbase = strrchr(p->file, '/');

	mainbase = mainbase ? mainbase + 1 : p->file;
	if (ntargets == 0) {
		memset(mask, 1, p->n);
		return PL_OK;
	}
	for (size_t t = 0; t < ntargets; t++) {
		const char *tg = targets[t];
		size_t lb = strlen(mainbase), lt;
		int found = 0, whole = 0, bare_only = 0;
		const char *file1 = NULL;
		size_t file1_len = 0;

		while (tg[0] == '.' && tg[1] == '/')
			tg += 2;
		lt = strlen(tg);
		/* "dvc.yaml:train" is the main file's "train" */
		if (strncmp(tg, mainbase, lb) == 0 && tg[lb] == ':')
			tg += lb + 1;
		/* "sub/dvc.yaml": every stage of that file */
		else if (lt > 9 && strcmp(tg + lt - 9, "/dvc.yaml") == 0)
			whole = 1;
		else if (strcmp(tg, mainbase) == 0)
			whole = 2;
		if (!whole && strchr(tg, ':') == NULL) {
			/* a bare name: the main file's, else one sub file's */
			for (size_t i = 0; i < p->n && !found; i++)
				found = addr_end(p->stages[i].name) == NULL &&
				    named(&p->stages[i], tg, 0);
			bare_only = !found;
			found = 0;
		}
		for (size_t i = 0; i < p->n; i++) {
			const pl_pipe_stage *s = &p->stages[i];
			const char *c = addr_end(s->name);

			if (whole == 1 ? !(c && (size_t)(c - s->name) == lt &&
			    strncmp(s->name, tg, lt) == 0) :
			    whole == 2 ? c != NULL :
			    bare_only ? !(c && named(s, tg, 1)) :
			    !named(s, tg, 0))
				continue;
			if (bare_only) {
				size_t fl = (size_t)(c - s->name);

				if (file1 && (fl != file1_len ||
				    strncmp(file1, s->name, fl) != 0)) {
					snprintf(err, err_len, "'%s' is "
					    "ambiguous: %.*s:%s or %.*s:%s "
					    "(name the file)", tg,
					    (int)file1_len, file1, tg,
					    (int)fl, s->name, tg);
					return PL_EINVAL;
				}
				file1 = s->name;
				file1_len = fl;
			}
			found = 1;
			if (single_only)
				mask[i] = 1;
			else
				mark_up(p, mask, i);
		}
		if (!found) {
			snprintf(err, err_len, "%s: no stage named '%s'",
			    p->file, targets[t]);
			return PL_ENOTFOUND;
		}
	}
	return PL_OK;
}
