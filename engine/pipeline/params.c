/* params.c - the params files a pipeline reads while loading, and the values of their dotted keys. */
#include "config.h"
#include "pipeline/pipeline.h"

#include <stdlib.h>
#include <string.h>

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
pl_pipeline_param_value(char **out, const pl_pipeline *p,
    const pl_param *prm)
{
	const ynode *v = NULL;

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
			v = prm->key ? pl__pipe_param_find(t, prm->key) : t;
			*out = v ? yn_canonical(v) : NULL;
			yn_free(t);
			return v == NULL ? PL_ENOTFOUND : *out ? PL_OK :
			    PL_ENOMEM;
		} else if (strcmp(p->pfiles[i].wfile, prm->wfile) == 0) {
			if (p->pfiles[i].missing)
				return PL_ENOTFOUND;
			v = prm->key ? pl__pipe_param_find(p->pfiles[i].tree, prm->key) :
			    p->pfiles[i].tree;
			if (v == NULL)
				return PL_ENOTFOUND;
			*out = yn_canonical(v);
			return *out ? PL_OK : PL_ENOMEM;
		}
	return PL_ENOTFOUND;
}
