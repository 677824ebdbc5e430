/* params.c - the params files a pipeline reads while loading, and the values of their dotted keys. */
#include "config.h"
#include "pipeline/pipeline.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store/error.h"
#include "pipeline/internal.h"
#include "config/ynode.h"

/*
 * Place in the pipeline room's chain: path.c <- params.c <- graph.c <-
 * parse.c (each file calls only the ones to its left, and template.c).
 */

/* --- params files ------------------------------------------------------- */

struct pfile *
pl__pipe_pfile_get(pl_pipeline *p, const char *wfile, char *err, size_t err_len,
    int *rc)
{
	char *abs;
	ynode *t = NULL;
	struct pfile *f;

	*rc = PL_OK;
	for (size_t i = 0; i < p->npfiles; i++)
		if (strcmp(p->pfiles[i].wfile, wfile) == 0)
			return &p->pfiles[i];
	abs = pl_pipeline_abspath(p, wfile);
	if (abs == NULL) {
		*rc = PL_ENOMEM;
		return NULL;
	}
	f = realloc(p->pfiles, (p->npfiles + 1) * sizeof *f);
	if (f == NULL) {
		free(abs);
		*rc = PL_ENOMEM;
		return NULL;
	}
	p->pfiles = f;
	f = &p->pfiles[p->npfiles];
	memset(f, 0, sizeof *f);
	f->wfile = strdup(wfile);
	*rc = yn_parse_file(&t, abs, f->wfile ? f->wfile : wfile, err,
	    err_len);
	free(abs);
	if (f->wfile == NULL) {
		yn_free(t);
		*rc = PL_ENOMEM;
		return NULL;
	}
	p->npfiles++;
	if (*rc == PL_ENOTFOUND) {
		f->missing = 1;
		*rc = PL_OK;
	} else if (*rc != PL_OK) {
		return NULL;
	}
	f->tree = t;
	return f;
}

struct pfile *
pl__pipe_pfile_add(pl_pipeline *p, const char *wfile)
{
	struct pfile *f;

	for (size_t i = 0; i < p->npfiles; i++)
		if (strcmp(p->pfiles[i].wfile, wfile) == 0)
			return &p->pfiles[i];
	f = realloc(p->pfiles, (p->npfiles + 1) * sizeof *f);
	if (f == NULL)
		return NULL;
	p->pfiles = f;
	f = &p->pfiles[p->npfiles];
	memset(f, 0, sizeof *f);
	f->wfile = strdup(wfile);
	if (f->wfile == NULL)
		return NULL;
	f->missing = 1;		/* not read */
	p->npfiles++;
	return f;
}

/* Finds a dotted key in a params tree; a key with dots may also be a
 * literal key at some level ("a.b" stored as one key). */
const ynode *
pl__pipe_param_find(const ynode *t, const char *key)
{
	const char *dot;

	if (t == NULL || t->kind != YN_MAP)
		return NULL;
	{
		const ynode *v = yn_get(t, key);

		if (v)
			return v;
	}
	for (dot = strchr(key, '.'); dot; dot = strchr(dot + 1, '.')) {
		char head[512];
		size_t len = (size_t)(dot - key);
		const ynode *v;

		if (len >= sizeof head)
			return NULL;
		memcpy(head, key, len);
		head[len] = '\0';
		v = yn_get(t, head);
		if (v && v->kind == YN_MAP) {
			v = pl__pipe_param_find(v, dot + 1);
			if (v)
				return v;
		} else if (v && v->kind == YN_SEQ) {
			char *end;
			long i = strtol(dot + 1, &end, 10);

			if (end != dot + 1 && (*end == '\0') && i >= 0 &&
			    (size_t)i < v->n)
				return v->items[i];
		}
	}
	return NULL;
}

int
pl__pipe_param_is_glob(const char *key)
{
	return key && strpbrk(key, "*?[") != NULL;
}

/*
 * DVC reads params keys with dpath: the key is split at dots and each
 * part is an fnmatch pattern ("ds.moon*"; "**" spans any number of
 * levels; list items are their indexes).  Adds every match to out, a
 * mapping of dotted keys to copies of the values, in file order.
 */
static int
glob_collect(ynode *out, const ynode *n, char **segs, size_t nseg,
    struct buf *path)
{
	size_t plen = path->len, cnt;
	int rc = PL_OK;

	if (nseg == 0) {
		ynode *k = yn_new_scalar(buf_str(path), 1, n->line, n->col);
		ynode *v = yn_copy(n);

		if (k == NULL || v == NULL || yn_map_put(out, k, v) != PL_OK) {
			yn_free(k);
			yn_free(v);
			return PL_ENOMEM;
		}
		return PL_OK;
	}
	if (strcmp(segs[0], "**") == 0 && (rc = glob_collect(out, n, segs + 1,
	    nseg - 1, path)) != PL_OK)
		return rc;
	if (n->kind == YN_SCALAR)
		return PL_OK;
	cnt = n->n;
	for (size_t i = 0; i < cnt && rc == PL_OK; i++) {
		char idx[32];
		const char *name = idx;
		const ynode *child;

		if (n->kind == YN_MAP) {
			name = yn_key(n, i)->str;
			child = yn_val(n, i);
		} else {
			snprintf(idx, sizeof idx, "%zu", i);
			child = n->items[i];
		}
		if (strcmp(segs[0], "**") != 0 &&
		    fnmatch(segs[0], name, 0) != 0)
			continue;
		if (plen)
			buf_putc(path, '.');
		buf_puts(path, name);
		rc = strcmp(segs[0], "**") == 0 ?
		    glob_collect(out, child, segs, nseg, path) :
		    glob_collect(out, child, segs + 1, nseg - 1, path);
		path->len = plen;
		if (path->p)
			path->p[plen] = '\0';
	}
	return rc;
}

/* The matches of a glob key as one mapping (empty when none), or NULL
 * when memory ran out. */
static ynode *
glob_value(const ynode *tree, const char *key)
{
	char *copy = strdup(key), *segs[64], *save = NULL;
	size_t nseg = 0;
	ynode *out = yn_new(YN_MAP, 1, 1);
	struct buf path = BUF_INIT;

	if (copy == NULL || out == NULL) {
		free(copy);
		yn_free(out);
		return NULL;
	}
	for (char *t = strtok_r(copy, ".", &save); t && nseg < 64;
	    t = strtok_r(NULL, ".", &save))
		segs[nseg++] = t;
	if (tree && nseg && glob_collect(out, tree, segs, nseg, &path) !=
	    PL_OK) {
		yn_free(out);
		out = NULL;
	}
	buf_free(&path);
	free(copy);
	return out;
}

/* Canonical text of param key (dotted, or a glob) in tree. */
static int
param_canon(char **out, const ynode *tree, const char *key)
{
	const ynode *v;

	if (pl__pipe_param_is_glob(key)) {
		ynode *m = glob_value(tree, key);

		if (m == NULL)
			return PL_ENOMEM;
		*out = yn_canonical(m);
		yn_free(m);
		return *out ? PL_OK : PL_ENOMEM;
	}
	v = key ? pl__pipe_param_find(tree, key) : tree;
	if (v == NULL)
		return PL_ENOTFOUND;
	*out = yn_canonical(v);
	return *out ? PL_OK : PL_ENOMEM;
}

int
pl_pipeline_param_value(char **out, const pl_pipeline *p,
    const pl_param *prm)
{

	*out = NULL;
	for (size_t i = 0; i < p->npfiles; i++)
		if (strcmp(p->pfiles[i].wfile, prm->wfile) == 0 &&
		    p->pfiles[i].produced) {
			char *abs = pl_pipeline_abspath(p, prm->wfile), e[512];
			ynode *t = NULL;
			int rc = abs ? yn_parse_file(&t, abs, prm->wfile, e,
			    sizeof e) : PL_ENOMEM;

			free(abs);
			if (rc != PL_OK)
				return rc == PL_ENOMEM ? rc : PL_ENOTFOUND;
			rc = param_canon(out, t, prm->key);
			yn_free(t);
			return rc;
		} else if (strcmp(p->pfiles[i].wfile, prm->wfile) == 0) {
			if (p->pfiles[i].missing)
				return PL_ENOTFOUND;
			return param_canon(out, p->pfiles[i].tree, prm->key);
		}
	return PL_ENOTFOUND;
}
