/* path.c - workspace-relative paths of pipelines: normalising, joining, containment, confinement to the workspace. */
#include "config.h"
#include "pipeline/pipeline.h"

#include <errno.h>
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

/* 1 if a is b or lies inside b (both normalised). */
int
pl__pipe_path_within(const char *a, const char *b)
{
	size_t lb = strlen(b);

	if (strcmp(b, ".") == 0)
		return 1;
	return strncmp(a, b, lb) == 0 && (a[lb] == '\0' || a[lb] == '/');
}


/* a, sep and b in one malloc'ed string (NULL on ENOMEM): asprintf's
 * format machinery cost more than the rest of a path check. */
static char *
join3(const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
	char *r = malloc(la + ls + lb + 1);

	if (r == NULL)
		return NULL;
	memcpy(r, a, la);
	memcpy(r + la, sep, ls);
	memcpy(r + la + ls, b, lb + 1);
	return r;
}

/* --- confinement ------------------------------------------------------------ */

/* 1 if absolute path a is b or lies inside directory b. */
static int
abs_within(const char *a, const char *b)
{
	size_t lb = strlen(b);

	if (strcmp(b, "/") == 0)
		return 1;
	return strncmp(a, b, lb) == 0 && (a[lb] == '\0' || a[lb] == '/');
}

/* 1 if absolute path a is dir/name or lies inside it (abs_within without
 * building the path: this runs for every dep and out). */
static int
sub_within(const char *a, const char *dir, const char *name)
{
	size_t ld = strcmp(dir, "/") == 0 ? 0 : strlen(dir),
	    ln = strlen(name);

	if (strncmp(a, dir, ld) != 0 || a[ld] != '/')
		return 0;
	a += ld + 1;
	return strncmp(a, name, ln) == 0 && (a[ln] == '\0' || a[ln] == '/');
}

/*
 * Resolves absolute path abs the way the kernel would walk it, also when
 * its tail does not exist yet: every existing component is resolved
 * (symlinks followed, a dangling one by its text), what does not exist is
 * appended as written.  *through is set when a symlink was followed.
 * Malloc'ed; NULL on ENOMEM or a symlink loop (errno ELOOP).
 */
static char *
resolve(const char *abs, int *through, int *out_exists)
{
	struct buf res = BUF_INIT;
	char *rest = strdup(abs), *cur;
	int links = 0, exists = 1;

	*through = 0;
	*out_exists = 1;
	if (rest == NULL)
		return NULL;
	cur = rest;
	for (;;) {
		char *comp, *slash;
		size_t keep;
		struct stat sb;

		while (*cur == '/')
			cur++;
		if (!*cur)
			break;
		comp = cur;
		slash = strchr(cur, '/');
		if (slash) {
			*slash = '\0';
			cur = slash + 1;
		} else {
			cur += strlen(cur);
		}
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			while (res.len > 0 && res.p[res.len - 1] != '/')
				res.len--;
			if (res.len > 0)
				res.len--;
			if (res.p)
				res.p[res.len] = '\0';
			continue;
		}
		keep = res.len;
		if (buf_putc(&res, '/') < 0 || buf_puts(&res, comp) < 0)
			goto nomem;
		if (!exists || lstat(buf_str(&res), &sb) < 0) {
			exists = 0;	/* the rest is appended as written */
			continue;
		}
		if (S_ISLNK(sb.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(buf_str(&res), target,
			    sizeof target - 1);
			char *nr;

			if (n < 0 || ++links > 40) {
				buf_free(&res);
				free(rest);
				errno = ELOOP;
				return NULL;
			}
			target[n] = '\0';
			*through = 1;
			/* the link's text replaces it, then the rest */
			res.len = target[0] == '/' ? 0 : keep;
			if (res.p)
				res.p[res.len] = '\0';
			if (asprintf(&nr, "%s/%s", target, cur) < 0)
				goto nomem;
			free(rest);
			rest = cur = nr;
		}
	}
	free(rest);
	*out_exists = exists;
	if (res.len == 0 && buf_putc(&res, '/') < 0)
		goto nomem2;
	return buf_detach(&res);
nomem2:
	rest = NULL;
nomem:
	buf_free(&res);
	free(rest);
	errno = ENOMEM;
	return NULL;
}

char *
pl__path_resolve(const char *abs, int *through)
{
	int exists;

	return resolve(abs, through, &exists);
}

/*
 * Directories resolved during one check of many paths: the deps and
 * outs of 1,000 stages lie in a few directories, and a walk of every
 * component of each path (an lstat per component) was most of the
 * check.  A few slots, replaced in turn.
 */
#define MEMO_SLOTS 8
struct memo {
	struct {
		char *dir, *res;	/* NULL: free slot */
		int through, exists;
	} v[MEMO_SLOTS];
	size_t next;
};

static void
memo_dispose(struct memo *m)
{
	for (size_t k = 0; k < MEMO_SLOTS; k++) {
		free(m->v[k].dir);
		free(m->v[k].res);
	}
	memset(m, 0, sizeof *m);
}

/*
 * pl__path_resolve() through memo m: abs's directory resolved once, then
 * its last component looked at alone.  When that component is a symlink
 * (or "." or ".."), the whole walk, as without the memo.
 */
static char *
resolve_memo(struct memo *m, const char *abs, int *through)
{
	const char *slash = strrchr(abs, '/'), *base;
	char *dir, *r;
	size_t k, ld;
	struct stat sb;

	if (m == NULL || slash == NULL || slash == abs)
		return pl__path_resolve(abs, through);
	base = slash + 1;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return pl__path_resolve(abs, through);
	ld = (size_t)(slash - abs);
	for (k = 0; k < MEMO_SLOTS; k++)
		if (m->v[k].dir && strlen(m->v[k].dir) == ld &&
		    memcmp(m->v[k].dir, abs, ld) == 0)
			break;
	if (k == MEMO_SLOTS) {
		int th, ex;

		if ((dir = strndup(abs, ld)) == NULL) {
			errno = ENOMEM;
			return NULL;
		}
		if ((r = resolve(dir, &th, &ex)) == NULL) {
			free(dir);
			return NULL;
		}
		k = m->next;
		m->next = (m->next + 1) % MEMO_SLOTS;
		free(m->v[k].dir);
		free(m->v[k].res);
		m->v[k].dir = dir;
		m->v[k].res = r;
		m->v[k].through = th;
		m->v[k].exists = ex;
	}
	if ((r = join3(m->v[k].res, strcmp(m->v[k].res, "/") ? "/" : "",
	    base)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/* the walk stops looking at the first component missing */
	if (m->v[k].exists && lstat(r, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		free(r);
		return pl__path_resolve(abs, through);
	}
	*through = m->v[k].through;
	return r;
}

/* Why wpath is refused, with the store's real path (NULL: no store)
 * and memo m (may be NULL). */
static const char *
refusal(const pl_pipeline *p, const char *store, const char *wpath,
    int is_out, struct memo *m)
{
	const char *why = NULL;
	char *abs = NULL, *res = NULL;
	int through = 0;

	/* what the text alone says */
	if (strcmp(wpath, "..") == 0 || strncmp(wpath, "../", 3) == 0)
		return "is outside the workspace";
	if (is_out && strcmp(wpath, ".") == 0)
		return "is the workspace itself";
	if (pl__pipe_path_within(wpath, ".plumb"))
		return "is inside the store (.plumb/)";
	if (pl__pipe_path_within(wpath, ".git"))
		return "is inside .git/";
	/* what the file system says, symlinks followed */
	abs = pl_pipeline_abspath(p, wpath);
	res = abs ? resolve_memo(m, abs, &through) : NULL;
	if (res == NULL) {
		why = errno == ELOOP ? "leads into a symlink loop" :
		    "cannot be resolved (out of memory)";
		goto out;
	}
	if (!abs_within(res, p->dir))
		why = through ? "is outside the workspace (through a symlink)" :
		    "is outside the workspace";
	else if (is_out && strcmp(res, p->dir) == 0)
		why = through ? "is the workspace itself (through a symlink)" :
		    "is the workspace itself";
	else if (sub_within(res, p->dir, ".plumb"))
		why = through ? "is inside the store (.plumb/) (through a "
		    "symlink)" : "is inside the store (.plumb/)";
	else if (store && abs_within(res, store))
		why = through ? "is inside the store (through a symlink)" :
		    "is inside the store";
	else if (sub_within(res, p->dir, ".git"))
		why = through ? "is inside .git/ (through a symlink)" :
		    "is inside .git/";
out:
	free(abs);
	free(res);
	return why;
}

/* (p->dir, the workspace, comes from realpath(3): symlinks resolved.) */
const char *
pl_pipeline_path_refusal(const pl_pipeline *p, const char *store_dir,
    const char *wpath, int is_out)
{
	char *store = store_dir ? realpath(store_dir, NULL) : NULL;
	const char *why = refusal(p, store, wpath, is_out, NULL);

	free(store);
	return why;
}

static int __attribute__((format(printf, 5, 6)))
path_err(char *err, size_t err_len, const char *file, const int *lc,
    const char *fmt, ...)
{
	va_list ap;
	size_t off = (size_t)snprintf(err, err_len, "%s:%d:%d: ", file,
	    lc[0], lc[1]);

	if (off < err_len) {
		va_start(ap, fmt);
		vsnprintf(err + off, err_len - off, fmt, ap);
		va_end(ap);
	}
	return PL_EINVAL;
}

int
pl_pipeline_check_paths(const pl_pipeline *p, const char *store_dir,
    char *err, size_t err_len)
{
	/* the store resolved once for all paths (it was once per path) */
	char *store = store_dir ? realpath(store_dir, NULL) : NULL;
	struct memo m;
	int rc = PL_OK;

	memset(&m, 0, sizeof m);
	for (size_t i = 0; i < p->n && rc == PL_OK; i++) {
		const pl_pipe_stage *s = &p->stages[i];
		const char *why;

		/* (wdir itself may leave the directory, as in DVC, when
		 * the paths come back: "wdir: .." with "proj/data") */
		/* A stage whose wdir itself leaves the directory (DVC's
		 * "wdir: .." in a monorepo) may read from up there; it
		 * never writes there, nor reads the store or .git. */
		int up = strcmp(s->wdir, "..") == 0 ||
		    strncmp(s->wdir, "../", 3) == 0;

		for (size_t j = 0; j < s->ndeps && rc == PL_OK; j++)
			if ((why = refusal(p, store, s->deps[j].wpath, 0,
			    &m)) != NULL &&
			    !(up && strncmp(why, "is outside", 10) == 0)) {
				int lc[2] = { s->deps[j].line, s->deps[j].col };

				rc = path_err(err, err_len, s->file, lc, "stage "
				    "'%s': dependency '%s' %s", s->name,
				    s->deps[j].path, why);
			}
		for (size_t j = 0; j < s->nouts && rc == PL_OK; j++)
			if ((why = refusal(p, store, s->outs[j].wpath, 1,
			    &m)) != NULL) {
				int lc[2] = { s->outs[j].line, s->outs[j].col };

				rc = path_err(err, err_len, s->file, lc, "stage "
				    "'%s': output '%s' %s", s->name,
				    s->outs[j].path, why);
			}
	}
	memo_dispose(&m);
	free(store);
	return rc;
}

/*
 * path (relative to wdir, itself relative to the pipeline directory) as
 * a path relative to the pipeline directory.  The join goes through the
 * absolute directory so that a wdir which leaves the directory and comes
 * back ("wdir: .." with deps "proj/data" in .../proj/dvc.yaml) gives
 * "data", the path every other stage uses for that file; a path that
 * really lies outside keeps its leading "../" segments.
 */
char *
pl__pipe_wjoin(const pl_pipeline *p, const char *wdir, const char *path)
{
	char *j, *abs;
	size_t ld = strlen(p->dir);

	if (asprintf(&j, "%s/%s/%s", p->dir, wdir ? wdir : ".", path) < 0)
		return NULL;
	if (path[0] == '/') {
		free(j);
		j = strdup(path);
		if (j == NULL)
			return NULL;
	}
	abs = pl_path_normalize(j);
	free(j);
	if (abs == NULL)
		return NULL;
	if (strcmp(abs, p->dir) == 0) {
		free(abs);
		return strdup(".");
	}
	if (strncmp(abs, p->dir, ld) == 0 && (abs[ld] == '/' || ld == 1)) {
		char *r = strdup(abs + ld + (ld == 1 ? 0 : 1));

		free(abs);
		return r;
	}
	if (path[0] == '/') {
		return abs;	/* absolute as written stays absolute */
	}
	/* outside: climb from the directory to the common ancestor */
	{
		size_t common = 0, i;
		struct buf b = BUF_INIT;

		for (i = 0; p->dir[i] && p->dir[i] == abs[i]; i++)
			if (p->dir[i] == '/')
				common = i;
		if ((p->dir[i] == '\0' && abs[i] == '/') ||
		    (abs[i] == '\0' && p->dir[i] == '/'))
			common = i;
		for (const char *q = p->dir + common; *q; q++)
			if (*q == '/')
				buf_puts(&b, "../");
		buf_puts(&b, abs[common] == '/' ? abs + common + 1 :
		    abs + common);
		free(abs);
		if (b.len > 1 && b.p[b.len - 1] == '/')
			b.p[--b.len] = '\0';
		return buf_detach(&b);
	}
}

/* An absolute path for wpath (relative to the pipeline directory). */
char *
pl_pipeline_abspath(const pl_pipeline *p, const char *wpath)
{
	if (wpath[0] == '/')
		return strdup(wpath);
	if (strcmp(wpath, ".") == 0)
		return strdup(p->dir);
	return join3(p->dir, "/", wpath);
}
