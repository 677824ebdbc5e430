/* dataset.c - pointer files for versioned data, their status, checkout and history. */
#include "config.h"
#include "data/dataset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"
#include "store/audit.h"
#include "store/internal.h"
#include "config/ynode.h"

void
pl_data_pointer_dispose(pl_data_pointer *p)
{
	if (p == NULL)
		return;
	free(p->pointer);
	free(p->data);
	memset(p, 0, sizeof *p);
}

static int
ends_with(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);

	return ls >= lf && strcmp(s + ls - lf, suf) == 0;
}

int
pl_data_paths(char **data, char **pointer, const char *arg)
{
	char *a = pl_path_normalize(arg);

	*data = *pointer = NULL;
	if (a == NULL)
		return PL_ENOMEM;
	if (ends_with(a, PL_DATA_SUFFIX) && strlen(a) > strlen(PL_DATA_SUFFIX)) {
		*pointer = a;
		*data = strndup(a, strlen(a) - strlen(PL_DATA_SUFFIX));
	} else {
		*data = a;
		if (asprintf(pointer, "%s%s", a, PL_DATA_SUFFIX) < 0)
			*pointer = NULL;
	}
	if (*data == NULL || *pointer == NULL) {
		free(*data);
		free(*pointer);
		*data = *pointer = NULL;
		return PL_ENOMEM;
	}
	return PL_OK;
}

/* Absolute path of p without resolving its last component. */
static char *
abs_path(const char *p)
{
	char *copy = strdup(p), *slash, *dir, *r = NULL;
	const char *base;

	if (copy == NULL)
		return NULL;
	slash = strrchr(copy, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
		dir = realpath(*copy ? copy : "/", NULL);
	} else {
		base = copy;
		dir = realpath(".", NULL);
	}
	if (dir && asprintf(&r, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "",
	    base) < 0)
		r = NULL;
	free(dir);
	free(copy);
	return r;
}

static int
write_atomic(pl_store *st, const char *path, const char *text)
{
	char *tmp;
	int fd, rc = PL_OK;
	size_t len = strlen(text);

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return PL_ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = pl__err(st, PL_EIO, "cannot write %s: %s", tmp,
		    strerror(errno));
		free(tmp);
		return rc;
	}
	for (size_t off = 0; off < len && rc == PL_OK;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			rc = pl__err(st, PL_EIO, "cannot write %s: %s", tmp,
			    strerror(errno));
		else
			off += (size_t)w;
	}
	if (rc == PL_OK && fsync(fd) < 0)
		rc = pl__err(st, PL_EIO, "cannot write %s: %s", tmp,
		    strerror(errno));
	close(fd);
	if (rc == PL_OK && rename(tmp, path) < 0)
		rc = pl__err(st, PL_EIO, "cannot write %s: %s", path,
		    strerror(errno));
	if (rc != PL_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Inside a git work tree, the data itself stays out of git: "/NAME" goes
 * into the .gitignore of its directory (once).  Best effort: a failure
 * here does not undo the add. */
static void
gitignore_data(const char *abs)
{
	char *dir = strdup(abs), *slash, *probe = NULL, *gi = NULL, *line = NULL;
	const char *name;
	int in_git = 0;
	FILE *f;

	if (dir == NULL || (slash = strrchr(dir, '/')) == NULL)
		goto out;
	*slash = '\0';
	name = slash + 1;
	{
		/* walk up looking for .git */
		char *up = strdup(*dir ? dir : "/");

		while (up && !in_git) {
			char *s2;

			free(probe);
			if (asprintf(&probe, "%s/.git", up) < 0) {
				probe = NULL;
				break;
			}
			in_git = access(probe, F_OK) == 0;
			s2 = strrchr(up, '/');
			if (s2 == NULL || s2 == up)
				break;
			*s2 = '\0';
		}
		free(up);
	}
	if (!in_git || asprintf(&gi, "%s/.gitignore", *dir ? dir : "") < 0 ||
	    asprintf(&line, "/%s", name) < 0)
		goto out;
	f = fopen(gi, "r");
	if (f) {
		char buf[PATH_MAX + 2];

		while (fgets(buf, sizeof buf, f)) {
			buf[strcspn(buf, "\n")] = '\0';
			if (strcmp(buf, line) == 0) {
				fclose(f);
				goto out;
			}
		}
		fclose(f);
	}
	f = fopen(gi, "a");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
out:
	free(dir);
	free(probe);
	free(gi);
	free(line);
}

/*
 * The workspace of data versioned in store st: the directory holding the
 * store when the store is its .plumb/, and abs lies in it.  Symlinks in a
 * data directory are followed only inside it (NULL: only inside the
 * directory itself).  Malloc'ed or NULL.
 */
static char *
data_root(const pl_store *st, const char *abs)
{
	const char *sd = pl_store_dir(st), *slash = strrchr(sd, '/');
	char *root;
	size_t lr;

	if (slash == NULL || strcmp(slash, "/.plumb") != 0)
		return NULL;
	lr = (size_t)(slash - sd);
	if (lr == 0 || strncmp(abs, sd, lr) != 0 || abs[lr] != '/')
		return NULL;
	root = strndup(sd, lr);
	return root;
}

int
pl_data_add(pl_hashed *out, pl_store *st, const char *path)
{
	char *data = NULL, *pointer = NULL, *abs = NULL;
	const char *base;
	struct buf b = BUF_INIT;
	pl_hashed h;
	int rc;

	if ((rc = pl_data_paths(&data, &pointer, path)) != PL_OK)
		return rc;
	abs = abs_path(data);
	if (abs == NULL) {
		rc = pl__err(st, PL_ENOTFOUND, "%s: %s", data, strerror(errno));
		goto out;
	}
	/* data inside the store is never versioned into it */
	if (strncmp(abs, pl_store_dir(st), strlen(pl_store_dir(st))) == 0) {
		rc = pl__err(st, PL_EINVAL, "%s is inside the store", data);
		goto out;
	}
	{
		char *root = data_root(st, abs);

		rc = pl_cache_put_path_in(&h, st, root, abs);
		free(root);
	}
	if (rc != PL_OK)
		goto out;
	base = strrchr(data, '/') ? strrchr(data, '/') + 1 : data;
	buf_puts(&b, "# plumb data pointer: the content is in the store's "
	    "cache (plumb data checkout)\n");
	{
		ynode *m = yn_new(YN_MAP, 0, 0);
		char num[32], *text;

		if (m == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
		yn_map_put(m, yn_new_scalar("path", 0, 0, 0),
		    yn_new_scalar(base, 1, 0, 0));
		yn_map_put(m, yn_new_scalar("sha256", 0, 0, 0),
		    yn_new_scalar(h.hash, 1, 0, 0));
		snprintf(num, sizeof num, "%lld", (long long)h.size);
		yn_map_put(m, yn_new_scalar("size", 0, 0, 0),
		    yn_new_scalar(num, 0, 0, 0));
		if (h.is_dir) {
			snprintf(num, sizeof num, "%lld", (long long)h.nfiles);
			yn_map_put(m, yn_new_scalar("nfiles", 0, 0, 0),
			    yn_new_scalar(num, 0, 0, 0));
		}
		text = yn_emit(m);
		yn_free(m);
		if (text == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
		/* yn_emit starts documents with "---"; keep the file plain */
		buf_puts(&b, strncmp(text, "---\n", 4) == 0 ? text + 4 : text);
		free(text);
	}
	if ((rc = write_atomic(st, pointer, buf_str(&b))) != PL_OK)
		goto out;
	gitignore_data(abs);
	{
		sqlite3_stmt *q;

		if ((rc = pl__begin(st)) != PL_OK)
			goto out;
		q = pl__stmt(st, "INSERT INTO data_versions(path, sha256, size, "
		    "nfiles, user, host, created_ms) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
		if (q == NULL) {
			pl__rollback(st);
			rc = PL_ERROR;
			goto out;
		}
		sqlite3_bind_text(q, 1, abs, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, h.hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, h.size);
		if (h.is_dir)
			sqlite3_bind_int64(q, 4, h.nfiles);
		else
			sqlite3_bind_null(q, 4);
		sqlite3_bind_text(q, 5, pl__actor_user(st), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 6, pl__hostname(), -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 7, pl__now_ms());
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			rc = pl__sqlerr(st, rc, "recording the data version");
			pl__rollback(st);
			goto out;
		}
		/* Every mutating action is in the audit log, in the same
		 * transaction as the action itself. */
		if ((rc = pl_audit_append(st, "data.add", abs, h.hash)) != PL_OK) {
			pl__rollback(st);
			goto out;
		}
		rc = pl__commit(st);
	}
	if (rc == PL_OK && out)
		*out = h;
out:
	buf_free(&b);
	free(data);
	free(pointer);
	free(abs);
	return rc;
}

int
pl_data_pointer_read(pl_data_pointer *out, pl_store *st, const char *arg)
{
	char *data = NULL, *pointer = NULL, err[512];
	ynode *t = NULL;
	const ynode *path, *hash, *size, *nfiles;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = pl_data_paths(&data, &pointer, arg)) != PL_OK)
		return rc;
	rc = yn_parse_file(&t, pointer, pointer, err, sizeof err);
	if (rc != PL_OK) {
		rc = pl__err(st, rc, "%s", err);
		goto fail;
	}
	if (t == NULL || t->kind != YN_MAP) {
		rc = pl__err(st, PL_EINVAL, "%s:1:1: not a plumb data pointer",
		    pointer);
		goto fail;
	}
	path = yn_get(t, "path");
	hash = yn_get(t, "sha256");
	size = yn_get(t, "size");
	nfiles = yn_get(t, "nfiles");
	if (path == NULL || path->kind != YN_SCALAR) {
		rc = pl__err(st, PL_EINVAL, "%s:%d:%d: a pointer needs a path",
		    pointer, t->line, t->col);
		goto fail;
	}
	if (hash == NULL || hash->kind != YN_SCALAR ||
	    !pl_hash_valid(hash->str)) {
		const ynode *at = hash ? hash : t;

		rc = pl__err(st, PL_EINVAL, "%s:%d:%d: sha256 must be 64 "
		    "lowercase hex digits", pointer, at->line, at->col);
		goto fail;
	}
	memcpy(out->h.hash, hash->str, PL_HASH_HEX);
	out->h.size = size && size->kind == YN_SCALAR ?
	    strtoll(size->str, NULL, 10) : 0;
	if (nfiles && nfiles->kind == YN_SCALAR) {
		out->h.is_dir = 1;
		out->h.nfiles = strtoll(nfiles->str, NULL, 10);
	}
	/* the data sits next to its pointer, under the recorded name */
	{
		const char *slash = strrchr(pointer, '/');

		free(data);
		if (strchr(path->str, '/') || strcmp(path->str, "..") == 0 ||
		    strcmp(path->str, ".") == 0 || !*path->str) {
			rc = pl__err(st, PL_EINVAL, "%s:%d:%d: path must be a "
			    "plain file name", pointer, path->line, path->col);
			data = NULL;
			goto fail;
		}
		if (slash) {
			if (asprintf(&data, "%.*s/%s", (int)(slash - pointer),
			    pointer, path->str) < 0)
				data = NULL;
		} else {
			data = strdup(path->str);
		}
		if (data == NULL) {
			rc = PL_ENOMEM;
			goto fail;
		}
	}
	yn_free(t);
	out->pointer = pointer;
	out->data = data;
	return PL_OK;
fail:
	yn_free(t);
	free(data);
	free(pointer);
	return rc;
}

int
pl_data_status(pl_data_state *state, int *cached, pl_store *st,
    const pl_data_pointer *p)
{
	pl_hashed cur;
	const char *pp[1] = { p->data };
	char *abs = abs_path(p->data), *root = abs ? data_root(st, abs) : NULL;
	int rc = pl_hash_paths_in(&cur, NULL, st, root, pp, 1, 0, 0);

	free(abs);
	free(root);

	if (rc != PL_OK)
		return rc;
	if (cur.missing)
		*state = PL_DATA_MISSING;
	else if (strcmp(cur.hash, p->h.hash) == 0 && cur.is_dir == p->h.is_dir)
		*state = PL_DATA_CLEAN;
	else
		*state = PL_DATA_MODIFIED;
	if (cached)
		*cached = pl_cache_has(st, &p->h);
	return PL_OK;
}

int
pl_data_checkout(pl_store *st, const pl_data_pointer *p, int link_types,
    int force)
{
	pl_data_state s;
	int cached, rc;

	if ((rc = pl_data_status(&s, &cached, st, p)) != PL_OK)
		return rc;
	if (s == PL_DATA_CLEAN)
		return PL_OK;
	if (!cached)
		return pl__err(st, PL_ENOTFOUND, "%s: version %.12s is not in "
		    "the cache", p->data, p->h.hash);
	if (s == PL_DATA_MODIFIED && !force)
		return pl__err(st, PL_EEXISTS, "%s has changes that are not "
		    "versioned (plumb data add it, or checkout --force)",
		    p->data);
	return pl_cache_checkout(st, p->data, &p->h, link_types);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
find_rec(char ***v, size_t *n, size_t *cap, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL || depth > 64) {
		if (d)
			closedir(d);
		return PL_OK;
	}
	while ((de = readdir(d)) != NULL) {
		char *p;
		struct stat sb;

		if (de->d_name[0] == '.' && (!strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".plumb")
		    || !strcmp(de->d_name, ".git")))
			continue;
		if (asprintf(&p, "%s%s%s", strcmp(dir, ".") ? dir : "",
		    strcmp(dir, ".") ? "/" : "", de->d_name) < 0) {
			closedir(d);
			return PL_ENOMEM;
		}
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			int rc = find_rec(v, n, cap, p, depth + 1);

			free(p);
			if (rc != PL_OK) {
				closedir(d);
				return rc;
			}
			continue;
		}
		if (S_ISREG(sb.st_mode) && ends_with(p, PL_DATA_SUFFIX)) {
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 16;
				char **nv = realloc(*v, nc * sizeof *nv);

				if (nv == NULL) {
					free(p);
					closedir(d);
					return PL_ENOMEM;
				}
				*v = nv;
				*cap = nc;
			}
			(*v)[(*n)++] = p;
			continue;
		}
		free(p);
	}
	closedir(d);
	return PL_OK;
}

int
pl_data_find_pointers(char ***out, size_t *out_n, const char *dir)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = find_rec(out, out_n, &cap, dir, 0);
	if (rc == PL_OK && *out_n)
		qsort(*out, *out_n, sizeof **out, str_cmp);
	return rc;
}

void
pl_data_log_free(pl_data_version *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].user);
		free(v[i].host);
		free(v[i].runs);
	}
	free(v);
}

int
pl_data_log(pl_data_version **out, size_t *out_n, pl_store *st,
    const char *path)
{
	char *data = NULL, *pointer = NULL, *abs;
	pl_data_version *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *q;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((rc = pl_data_paths(&data, &pointer, path)) != PL_OK)
		return rc;
	abs = abs_path(data);
	free(data);
	free(pointer);
	if (abs == NULL)
		return pl__err(st, PL_ENOTFOUND, "%s: %s", path, strerror(errno));
	q = pl__stmt(st, "SELECT sha256, size, nfiles, user, host, created_ms "
	    "FROM data_versions WHERE path = ?1 ORDER BY id DESC");
	if (q == NULL) {
		free(abs);
		return PL_ERROR;
	}
	sqlite3_bind_text(q, 1, abs, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		pl_data_version *e;

		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			pl_data_version *nv = realloc(v, nc * sizeof *nv);

			if (nv == NULL) {
				sqlite3_reset(q);
				pl_data_log_free(v, n);
				free(abs);
				return PL_ENOMEM;
			}
			v = nv;
			cap = nc;
		}
		e = &v[n++];
		memset(e, 0, sizeof *e);
		snprintf(e->hash, sizeof e->hash, "%s",
		    (const char *)sqlite3_column_text(q, 0));
		e->size = sqlite3_column_int64(q, 1);
		e->nfiles = sqlite3_column_int64(q, 2);
		if (sqlite3_column_type(q, 3) != SQLITE_NULL)
			e->user = strdup((const char *)sqlite3_column_text(q, 3));
		if (sqlite3_column_type(q, 4) != SQLITE_NULL)
			e->host = strdup((const char *)sqlite3_column_text(q, 4));
		e->created_ms = sqlite3_column_int64(q, 5);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		pl_data_log_free(v, n);
		free(abs);
		return pl__sqlerr(st, rc, "reading data versions");
	}
	/* the runs that read each version (as a dep, at that hash) */
	for (size_t i = 0; i < n; i++) {
		q = pl__stmt(st, "SELECT r.id FROM run_io io JOIN runs r "
		    "ON r.rid = io.run_id WHERE io.kind = 'dep' AND "
		    "io.path = ?1 AND io.sha256 = ?2 ORDER BY r.start_ms");
		if (q == NULL)
			break;
		sqlite3_bind_text(q, 1, abs, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, v[i].hash, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW) {
			char (*nr)[PL_ID_LEN + 1] = realloc(v[i].runs,
			    (v[i].nruns + 1) * sizeof *nr);

			if (nr == NULL)
				break;
			v[i].runs = nr;
			snprintf(nr[v[i].nruns++], PL_ID_LEN + 1, "%s",
			    (const char *)sqlite3_column_text(q, 0));
		}
		sqlite3_reset(q);
	}
	free(abs);
	*out = v;
	*out_n = n;
	return PL_OK;
}
