/* lock.c - reading and atomically writing plumb.lock in a deterministic order. */
#include "config.h"
#include "pipeline/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/error.h"
#include "config/ynode.h"

#define LOCK_SCHEMA "plumb-lock/1"

struct pl_lock {
	pl_lock_stage *v;	/* sorted by name */
	size_t n, cap;
};

pl_lock *
pl_lock_new(void)
{
	return calloc(1, sizeof(pl_lock));
}

static void
entries_free(pl_lock_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].path);
		free(e[i].etag);
		free(e[i].modified);
	}
	free(e);
}

void
pl_lock_stage_dispose(pl_lock_stage *s)
{
	if (s == NULL)
		return;
	free(s->name);
	for (size_t i = 0; i < s->ncmds; i++)
		free(s->cmds[i]);
	free(s->cmds);
	entries_free(s->deps, s->ndeps);
	entries_free(s->outs, s->nouts);
	for (size_t i = 0; i < s->nparams; i++) {
		free(s->params[i].file);
		free(s->params[i].key);
		free(s->params[i].value);
	}
	free(s->params);
	memset(s, 0, sizeof *s);
}

void
pl_lock_free(pl_lock *lk)
{
	if (lk == NULL)
		return;
	for (size_t i = 0; i < lk->n; i++)
		pl_lock_stage_dispose(&lk->v[i]);
	free(lk->v);
	free(lk);
}

static int
copy_entries(pl_lock_entry **dst, const pl_lock_entry *src, size_t n)
{
	*dst = calloc(n ? n : 1, sizeof **dst);
	if (*dst == NULL)
		return PL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		(*dst)[i] = src[i];
		(*dst)[i].path = strdup(src[i].path);
		(*dst)[i].etag = src[i].etag ? strdup(src[i].etag) : NULL;
		(*dst)[i].modified = src[i].modified ?
		    strdup(src[i].modified) : NULL;
		if ((*dst)[i].path == NULL || (src[i].etag &&
		    !(*dst)[i].etag) || (src[i].modified &&
		    !(*dst)[i].modified))
			return PL_ENOMEM;
	}
	return PL_OK;
}

int
pl_lock_stage_copy(pl_lock_stage *d, const pl_lock_stage *s)
{
	memset(d, 0, sizeof *d);
	if ((d->name = strdup(s->name)) == NULL)
		goto oom;
	d->cmds = calloc(s->ncmds ? s->ncmds : 1, sizeof *d->cmds);
	if (d->cmds == NULL)
		goto oom;
	for (; d->ncmds < s->ncmds; d->ncmds++)
		if ((d->cmds[d->ncmds] = strdup(s->cmds[d->ncmds])) == NULL)
			goto oom;
	d->ndeps = s->ndeps;
	if (copy_entries(&d->deps, s->deps, s->ndeps) != PL_OK)
		goto oom;
	d->nouts = s->nouts;
	if (copy_entries(&d->outs, s->outs, s->nouts) != PL_OK)
		goto oom;
	d->params = calloc(s->nparams ? s->nparams : 1, sizeof *d->params);
	if (d->params == NULL)
		goto oom;
	for (; d->nparams < s->nparams; d->nparams++) {
		pl_lock_param *p = &d->params[d->nparams];

		p->file = strdup(s->params[d->nparams].file);
		p->key = strdup(s->params[d->nparams].key);
		p->value = strdup(s->params[d->nparams].value);
		if (!p->file || !p->key || !p->value) {
			d->nparams++;
			goto oom;
		}
	}
	return PL_OK;
oom:
	pl_lock_stage_dispose(d);
	return PL_ENOMEM;
}

static size_t
find_pos(const pl_lock *lk, const char *name, int *found)
{
	size_t lo = 0, hi = lk->n;

	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(lk->v[mid].name, name);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Takes ownership of *s (moved in). */
static int
put_moved(pl_lock *lk, pl_lock_stage *s)
{
	int found;
	size_t pos = find_pos(lk, s->name, &found);

	if (found) {
		pl_lock_stage_dispose(&lk->v[pos]);
		lk->v[pos] = *s;
		return PL_OK;
	}
	if (lk->n == lk->cap) {
		size_t cap = lk->cap ? lk->cap * 2 : 16;
		pl_lock_stage *v = realloc(lk->v, cap * sizeof *v);

		if (v == NULL)
			return PL_ENOMEM;
		lk->v = v;
		lk->cap = cap;
	}
	memmove(&lk->v[pos + 1], &lk->v[pos], (lk->n - pos) * sizeof *lk->v);
	lk->v[pos] = *s;
	lk->n++;
	return PL_OK;
}

int
pl_lock_set(pl_lock *lk, const pl_lock_stage *s)
{
	pl_lock_stage c;
	int rc;

	if ((rc = pl_lock_stage_copy(&c, s)) != PL_OK)
		return rc;
	if ((rc = put_moved(lk, &c)) != PL_OK)
		pl_lock_stage_dispose(&c);
	return rc;
}

void
pl_lock_remove(pl_lock *lk, const char *name)
{
	int found;
	size_t pos = find_pos(lk, name, &found);

	if (!found)
		return;
	pl_lock_stage_dispose(&lk->v[pos]);
	memmove(&lk->v[pos], &lk->v[pos + 1],
	    (lk->n - pos - 1) * sizeof *lk->v);
	lk->n--;
}

size_t pl_lock_nstages(const pl_lock *lk) { return lk->n; }

const pl_lock_stage *
pl_lock_stage_at(const pl_lock *lk, size_t i)
{
	return i < lk->n ? &lk->v[i] : NULL;
}

const pl_lock_stage *
pl_lock_find(const pl_lock *lk, const char *name)
{
	int found;
	size_t pos = find_pos(lk, name, &found);

	return found ? &lk->v[pos] : NULL;
}

static const pl_lock_entry *
find_entry(const pl_lock_entry *e, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].path, path) == 0)
			return &e[i];
	return NULL;
}

const pl_lock_entry *
pl_lock_stage_dep(const pl_lock_stage *s, const char *path)
{
	return find_entry(s->deps, s->ndeps, path);
}

const pl_lock_entry *
pl_lock_stage_out(const pl_lock_stage *s, const char *path)
{
	return find_entry(s->outs, s->nouts, path);
}

/* --- reading ---------------------------------------------------------------- */

static int
bad(char *err, size_t err_len, const ynode *n, const char *what)
{
	snprintf(err, err_len, "%s:%d:%d: %s", n->file ? n->file : "?",
	    n->line, n->col, what);
	return PL_EINVAL;
}

static int
read_entries(pl_lock_entry **out, size_t *out_n, const ynode *seq, char *err,
    size_t err_len)
{
	*out = NULL;
	*out_n = 0;
	if (seq == NULL)
		return PL_OK;
	if (seq->kind != YN_SEQ)
		return bad(err, err_len, seq, "expected a list of entries");
	*out = calloc(seq->n ? seq->n : 1, sizeof **out);
	if (*out == NULL)
		return PL_ENOMEM;
	for (size_t i = 0; i < seq->n; i++) {
		const ynode *e = seq->items[i], *p, *h, *sz, *nf;
		pl_lock_entry *le = &(*out)[i];

		if (e->kind != YN_MAP || (p = yn_get(e, "path")) == NULL ||
		    p->kind != YN_SCALAR)
			return bad(err, err_len, e, "an entry needs a path");
		le->path = strdup(p->str);
		if (le->path == NULL)
			return PL_ENOMEM;
		(*out_n)++;
		h = yn_get(e, "sha256");
		if (h && h->kind == YN_SCALAR && pl_hash_valid(h->str))
			memcpy(le->hash, h->str, PL_HASH_HEX);
		else if (h)
			return bad(err, err_len, h, "sha256 must be 64 "
			    "lowercase hex digits");
		sz = yn_get(e, "size");
		if (sz && sz->kind == YN_SCALAR)
			le->size = strtoll(sz->str, NULL, 10);
		nf = yn_get(e, "nfiles");
		if (nf && nf->kind == YN_SCALAR) {
			le->nfiles = strtoll(nf->str, NULL, 10);
			le->is_dir = 1;
		}
		h = yn_get(e, "etag");
		if (h && h->kind == YN_SCALAR &&
		    (le->etag = strdup(h->str)) == NULL)
			return PL_ENOMEM;
		h = yn_get(e, "last_modified");
		if (h && h->kind == YN_SCALAR &&
		    (le->modified = strdup(h->str)) == NULL)
			return PL_ENOMEM;
	}
	return PL_OK;
}

static int
read_stage(pl_lock_stage *s, const ynode *name, const ynode *def, char *err,
    size_t err_len)
{
	const ynode *cmd, *params;
	int rc;

	memset(s, 0, sizeof *s);
	if ((s->name = strdup(name->str)) == NULL)
		return PL_ENOMEM;
	if (def->kind != YN_MAP)
		return bad(err, err_len, def, "a stage must be a mapping");
	cmd = yn_get(def, "cmd");
	if (cmd == NULL)
		return bad(err, err_len, def, "a stage needs its cmd");
	if (cmd->kind == YN_SCALAR) {
		s->cmds = calloc(1, sizeof *s->cmds);
		if (!s->cmds || !(s->cmds[0] = strdup(cmd->str)))
			return PL_ENOMEM;
		s->ncmds = 1;
	} else if (cmd->kind == YN_SEQ) {
		s->cmds = calloc(cmd->n ? cmd->n : 1, sizeof *s->cmds);
		if (s->cmds == NULL)
			return PL_ENOMEM;
		for (size_t i = 0; i < cmd->n; i++) {
			if (cmd->items[i]->kind != YN_SCALAR)
				return bad(err, err_len, cmd->items[i],
				    "a command must be a string");
			if (!(s->cmds[i] = strdup(cmd->items[i]->str)))
				return PL_ENOMEM;
			s->ncmds++;
		}
	} else {
		return bad(err, err_len, cmd, "cmd must be a string or list");
	}
	if ((rc = read_entries(&s->deps, &s->ndeps, yn_get(def, "deps"), err,
	    err_len)) != PL_OK)
		return rc;
	if ((rc = read_entries(&s->outs, &s->nouts, yn_get(def, "outs"), err,
	    err_len)) != PL_OK)
		return rc;
	params = yn_get(def, "params");
	if (params && params->kind == YN_MAP) {
		size_t total = 0;

		for (size_t i = 0; i < params->n; i++) {
			const ynode *v = yn_val(params, i);

			total += v->kind == YN_MAP ? v->n : 1;
		}
		s->params = calloc(total ? total : 1, sizeof *s->params);
		if (s->params == NULL)
			return PL_ENOMEM;
		for (size_t i = 0; i < params->n; i++) {
			const ynode *f = yn_key(params, i), *v = yn_val(params, i);

			if (v->kind != YN_MAP)
				return bad(err, err_len, v, "params of a file "
				    "must be a mapping of keys to values");
			for (size_t j = 0; j < v->n; j++) {
				pl_lock_param *p = &s->params[s->nparams];

				p->file = strdup(f->str);
				p->key = strdup(yn_key(v, j)->str);
				p->value = yn_canonical(yn_val(v, j));
				s->nparams++;
				if (!p->file || !p->key || !p->value)
					return PL_ENOMEM;
			}
		}
	}
	return PL_OK;
}

int
pl_lock_read(pl_lock **out, const char *path, char *err, size_t err_len)
{
	ynode *root = NULL;
	const ynode *stages, *schema;
	pl_lock *lk;
	int rc;

	*out = NULL;
	lk = pl_lock_new();
	if (lk == NULL)
		return PL_ENOMEM;
	rc = yn_parse_file(&root, path, path, err, err_len);
	if (rc == PL_ENOTFOUND) {
		*out = lk;
		return PL_OK;
	}
	if (rc != PL_OK)
		goto fail;
	if (root == NULL) {
		*out = lk;
		return PL_OK;
	}
	if (root->kind != YN_MAP) {
		rc = bad(err, err_len, root, "not a plumb lock file");
		goto fail;
	}
	schema = yn_get(root, "schema");
	if (schema == NULL || schema->kind != YN_SCALAR ||
	    strcmp(schema->str, LOCK_SCHEMA) != 0) {
		rc = bad(err, err_len, schema ? schema : root, "not a plumb "
		    "lock file (schema: " LOCK_SCHEMA " expected)");
		goto fail;
	}
	stages = yn_get(root, "stages");
	if (stages && stages->kind == YN_MAP) {
		for (size_t i = 0; i < stages->n; i++) {
			pl_lock_stage s;

			rc = read_stage(&s, yn_key(stages, i), yn_val(stages, i),
			    err, err_len);
			if (rc == PL_OK)
				rc = put_moved(lk, &s);
			if (rc != PL_OK) {
				pl_lock_stage_dispose(&s);
				goto fail;
			}
		}
	}
	yn_free(root);
	*out = lk;
	return PL_OK;
fail:
	if (rc == PL_ENOMEM)
		snprintf(err, err_len, "out of memory");
	yn_free(root);
	pl_lock_free(lk);
	return rc;
}

/* --- writing --------------------------------------------------------------- */

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp((*(const pl_lock_entry *const *)a)->path,
	    (*(const pl_lock_entry *const *)b)->path);
}

static int
param_cmp(const void *a, const void *b)
{
	const pl_lock_param *x = *(const pl_lock_param *const *)a;
	const pl_lock_param *y = *(const pl_lock_param *const *)b;
	int c = strcmp(x->file, y->file);

	return c ? c : strcmp(x->key, y->key);
}

static ynode *
sc(const char *s, int quoted)
{
	return yn_new_scalar(s, quoted, 0, 0);
}

static int
put_kv(ynode *m, const char *k, ynode *v)
{
	ynode *kn = sc(k, 0);

	if (kn == NULL || v == NULL || yn_map_put(m, kn, v) != PL_OK) {
		yn_free(kn);
		yn_free(v);
		return -1;
	}
	return 0;
}

static ynode *
entries_node(const pl_lock_entry *e, size_t n)
{
	ynode *seq = yn_new(YN_SEQ, 0, 0);
	const pl_lock_entry **sorted = calloc(n ? n : 1, sizeof *sorted);
	int bad_ = seq == NULL || sorted == NULL;

	for (size_t i = 0; i < n; i++)
		sorted[i] = &e[i];
	if (!bad_)
		qsort(sorted, n, sizeof *sorted, entry_cmp);
	for (size_t i = 0; i < n && !bad_; i++) {
		ynode *m = yn_new(YN_MAP, 0, 0);
		char num[32];

		if (m == NULL || yn_append(seq, m) != PL_OK) {
			yn_free(m);
			bad_ = 1;
			break;
		}
		bad_ |= put_kv(m, "path", sc(sorted[i]->path, 1));
		if (sorted[i]->hash[0])
			bad_ |= put_kv(m, "sha256", sc(sorted[i]->hash, 1));
		snprintf(num, sizeof num, "%lld", (long long)sorted[i]->size);
		bad_ |= put_kv(m, "size", sc(num, 0));
		if (sorted[i]->is_dir) {
			snprintf(num, sizeof num, "%lld",
			    (long long)sorted[i]->nfiles);
			bad_ |= put_kv(m, "nfiles", sc(num, 0));
		}
		if (sorted[i]->etag)
			bad_ |= put_kv(m, "etag", sc(sorted[i]->etag, 1));
		if (sorted[i]->modified)
			bad_ |= put_kv(m, "last_modified",
			    sc(sorted[i]->modified, 1));
	}
	free(sorted);
	if (bad_) {
		yn_free(seq);
		return NULL;
	}
	return seq;
}

static ynode *
stage_node(const pl_lock_stage *s)
{
	ynode *m = yn_new(YN_MAP, 0, 0);
	int bad_ = m == NULL;

	if (bad_)
		return NULL;
	if (s->ncmds == 1) {
		bad_ |= put_kv(m, "cmd", sc(s->cmds[0], 1));
	} else {
		ynode *seq = yn_new(YN_SEQ, 0, 0);

		for (size_t i = 0; seq && i < s->ncmds; i++)
			if (yn_append(seq, sc(s->cmds[i], 1)) != PL_OK)
				bad_ = 1;
		bad_ |= put_kv(m, "cmd", seq);
	}
	if (s->ndeps)
		bad_ |= put_kv(m, "deps", entries_node(s->deps, s->ndeps));
	if (s->nparams) {
		ynode *pm = yn_new(YN_MAP, 0, 0), *fm = NULL;
		const pl_lock_param **sorted = calloc(s->nparams,
		    sizeof *sorted);
		const char *cur = NULL;

		bad_ |= pm == NULL || sorted == NULL;
		for (size_t i = 0; !bad_ && i < s->nparams; i++)
			sorted[i] = &s->params[i];
		if (!bad_)
			qsort(sorted, s->nparams, sizeof *sorted, param_cmp);
		for (size_t i = 0; !bad_ && i < s->nparams; i++) {
			ynode *v = NULL;
			char e2[256];

			if (cur == NULL || strcmp(cur, sorted[i]->file) != 0) {
				fm = yn_new(YN_MAP, 0, 0);
				bad_ |= put_kv(pm, sorted[i]->file, fm);
				cur = sorted[i]->file;
			}
			/* the canonical JSON is YAML: keep its types */
			if (yn_parse(&v, sorted[i]->value,
			    strlen(sorted[i]->value), "param", e2,
			    sizeof e2) != PL_OK || v == NULL) {
				yn_free(v);
				v = sc("null", 0);
			}
			bad_ |= fm == NULL || put_kv(fm, sorted[i]->key, v);
		}
		free(sorted);
		bad_ |= put_kv(m, "params", pm);
	}
	if (s->nouts)
		bad_ |= put_kv(m, "outs", entries_node(s->outs, s->nouts));
	if (bad_) {
		yn_free(m);
		return NULL;
	}
	return m;
}

int
pl_lock_write(const pl_lock *lk, const char *path, char *err, size_t err_len)
{
	ynode *root = yn_new(YN_MAP, 0, 0), *stages = yn_new(YN_MAP, 0, 0);
	char *text = NULL, *tmp = NULL, *dir, *slash;
	int fd = -1, rc = PL_OK;
	size_t len;

	if (root == NULL || stages == NULL ||
	    put_kv(root, "schema", sc(LOCK_SCHEMA, 0)) < 0) {
		yn_free(root);
		yn_free(stages);
		snprintf(err, err_len, "out of memory");
		return PL_ENOMEM;
	}
	for (size_t i = 0; i < lk->n; i++)
		if (put_kv(stages, lk->v[i].name, stage_node(&lk->v[i])) < 0) {
			yn_free(root);
			yn_free(stages);
			snprintf(err, err_len, "out of memory");
			return PL_ENOMEM;
		}
	if (put_kv(root, "stages", stages) < 0 ||
	    (text = yn_emit(root)) == NULL) {
		yn_free(root);
		snprintf(err, err_len, "cannot write the lock file");
		return PL_ENOMEM;
	}
	yn_free(root);
	len = strlen(text);
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		free(text);
		return PL_ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		snprintf(err, err_len, "cannot write %s: %s", tmp,
		    strerror(errno));
		rc = PL_EIO;
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;

			snprintf(err, err_len, "cannot write %s: %s", tmp,
			    strerror(e));
			rc = e == ENOSPC || e == EDQUOT ? PL_EFULL : PL_EIO;
			goto out;
		}
		off += (size_t)w;
	}
	/* every error on the way counts: write, fsync, close, rename and
	 * the directory's fsync (a full disk must never end in "done") */
	{
		int bad = fsync(fd) < 0, e = errno;

		if (close(fd) < 0 && !bad) {
			bad = 1;
			e = errno;
		}
		fd = -1;
		if (bad) {
			snprintf(err, err_len, "cannot write %s: %s", tmp,
			    strerror(e));
			rc = e == ENOSPC || e == EDQUOT ? PL_EFULL : PL_EIO;
			goto out;
		}
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, err_len, "cannot replace %s: %s", path,
		    strerror(errno));
		rc = PL_EIO;
		goto out;
	}
	/* the rename itself must reach the disk */
	dir = strdup(path);
	if (dir) {
		slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		{
			int dfd = open(slash ? dir : ".", O_RDONLY |
			    O_DIRECTORY | O_CLOEXEC);

			/* EINVAL: a file system that cannot sync a
			 * directory; the rename is done all the same */
			if (dfd >= 0 && fsync(dfd) < 0 && errno != EINVAL) {
				snprintf(err, err_len, "cannot sync the "
				    "directory of %s: %s", path,
				    strerror(errno));
				rc = PL_EIO;
			}
			if (dfd >= 0)
				close(dfd);
		}
		free(dir);
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc != PL_OK)
		unlink(tmp);
	free(tmp);
	free(text);
	return rc;
}
