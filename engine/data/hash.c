/* hash.c - parallel SHA-256 of file sets, directory manifests, the hash memo, cache put and checkout. */
#include "config.h"
#include "data/hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ropen.h"
#include "store/internal.h"

#define READ_CHUNK (1 << 20)

/* One file to hash. */
struct fjob {
	char *abs;		/* path to open */
	char *rel;		/* path inside its directory (NULL for a top file) */
	size_t owner;		/* index of the top-level path */
	struct stat sb;
	char hash[PL_HASH_HEX];
	int64_t hashed_ns;	/* when reading started */
	int need;		/* not in the memo: read it */
	int err;		/* errno of a failed read */
};

struct jobs {
	struct fjob *v;
	size_t n, cap;
};

static void
hexify(char out[PL_HASH_HEX], const unsigned char *md, unsigned n)
{
	static const char hx[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[2 * n] = '\0';
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t
mtime_ns(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
}

/* SHA-256 of a file; 0 or an errno.  buf is READ_CHUNK bytes. */
static int
sha_file(char out[PL_HASH_HEX], const char *path, char *buf, EVP_MD_CTX *ctx)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char msg[64];
	/* never open(2) a FIFO or device blindly: a path may have changed
	 * type since the walk saw it */
	int fd = ropen(path, 0, NULL, msg, sizeof msg);

	if (fd < 0)
		return errno;
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (;;) {
		ssize_t r = read(fd, buf, READ_CHUNK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			return e;
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	}
	close(fd);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	hexify(out, md, mdlen);
	return 0;
}

static void
sha_mem(char out[PL_HASH_HEX], const void *p, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL);
	hexify(out, md, mdlen);
}

/* --- the worker pool ------------------------------------------------------ */

struct pool {
	struct jobs *jobs;
	size_t *todo;		/* indexes of jobs that need reading */
	size_t ntodo;
	atomic_size_t next;
};

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	char *buf = malloc(READ_CHUNK);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	for (;;) {
		size_t i = atomic_fetch_add(&pl->next, 1);
		struct fjob *j;

		if (i >= pl->ntodo)
			break;
		j = &pl->jobs->v[pl->todo[i]];
		if (buf == NULL || ctx == NULL) {
			j->err = ENOMEM;
			continue;
		}
		j->hashed_ns = now_ns();
		j->err = sha_file(j->hash, j->abs, buf, ctx);
	}
	free(buf);
	EVP_MD_CTX_free(ctx);
	return NULL;
}

static int
ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static void
run_pool(struct jobs *jobs, size_t *todo, size_t ntodo, int threads)
{
	struct pool pl;
	pthread_t tid[64];
	int nt = threads > 0 ? threads : ncpus(), started = 0;

	if (nt > 64)
		nt = 64;
	if ((size_t)nt > ntodo)
		nt = (int)ntodo;
	pl.jobs = jobs;
	pl.todo = todo;
	pl.ntodo = ntodo;
	atomic_init(&pl.next, 0);
	/* the calling thread is one of the workers */
	for (int i = 1; i < nt; i++)
		if (pthread_create(&tid[started], NULL, worker, &pl) == 0)
			started++;
	worker(&pl);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

/* --- collecting files ------------------------------------------------------ */

static int
add_job(struct jobs *js, const char *abs, const char *rel, size_t owner,
    const struct stat *sb)
{
	struct fjob *j;

	if (js->n == js->cap) {
		size_t cap = js->cap ? js->cap * 2 : 64;
		struct fjob *v = realloc(js->v, cap * sizeof *v);

		if (v == NULL)
			return PL_ENOMEM;
		js->v = v;
		js->cap = cap;
	}
	j = &js->v[js->n];
	memset(j, 0, sizeof *j);
	j->abs = strdup(abs);
	j->rel = rel ? strdup(rel) : NULL;
	j->owner = owner;
	j->sb = *sb;
	if (j->abs == NULL || (rel && j->rel == NULL)) {
		free(j->abs);
		free(j->rel);
		return PL_ENOMEM;
	}
	js->n++;
	return PL_OK;
}

/* 1 if absolute path a is b or lies inside directory b. */
static int
abs_within(const char *a, const char *b)
{
	size_t lb = strlen(b);

	if (strcmp(b, "/") == 0)
		return 1;
	return strncmp(a, b, lb) == 0 && (a[lb] == '\0' || a[lb] == '/');
}

/*
 * Whether to follow symlink ca found while walking directory dir, and
 * where it leads (*sb).  A link is followed only when it resolves inside
 * root (the workspace): a data directory holding a link to /usr or to
 * someone's home is not walked through, nor is a file out there copied
 * into the cache.  A link to a directory that holds dir itself (a loop)
 * is not followed either.  Dangling links are skipped.
 */
static int
follow_link(const char *ca, const char *dir, const char *root,
    struct stat *sb)
{
	char *to = realpath(ca, NULL), *here = NULL;
	int ok = 0;

	if (to == NULL || root == NULL || !abs_within(to, root) ||
	    stat(to, sb) < 0)
		goto out;
	if (S_ISDIR(sb->st_mode)) {
		here = realpath(dir, NULL);
		if (here == NULL || abs_within(here, to))
			goto out;
	}
	ok = 1;
out:
	free(to);
	free(here);
	return ok;
}

/* Walks directory abs (relative name rel, "" at the top); symlinks are
 * followed only inside root. */
static int
walk_dir(struct jobs *js, const char *abs, const char *rel, size_t owner,
    pl_store *st, int depth, const char *root)
{
	DIR *d = opendir(abs);
	struct dirent *de;
	int rc = PL_OK;

	if (d == NULL)
		return pl__err(st, PL_EIO, "cannot read directory %s: %s", abs,
		    strerror(errno));
	if (depth > 100) {
		closedir(d);
		return pl__err(st, PL_EIO, "%s: directories nested too deep",
		    abs);
	}
	while (rc == PL_OK && (de = readdir(d)) != NULL) {
		char *ca = NULL, *cr = NULL;
		struct stat sb;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* a store or a git directory inside data is not data */
		if (strcmp(de->d_name, ".plumb") == 0 ||
		    strcmp(de->d_name, ".git") == 0)
			continue;
		/* (no printf here: this loop runs once per file of a data
		 * set, and status over 10,000 files has a budget) */
		{
			size_t la = strlen(abs), lr = strlen(rel),
			    ln = strlen(de->d_name);

			ca = malloc(la + ln + 2);
			cr = malloc(lr + ln + 2);
			if (ca == NULL || cr == NULL) {
				free(ca);
				free(cr);
				rc = PL_ENOMEM;
				break;
			}
			memcpy(ca, abs, la);
			ca[la] = '/';
			memcpy(ca + la + 1, de->d_name, ln + 1);
			memcpy(cr, rel, lr);
			if (lr)
				cr[lr++] = '/';
			memcpy(cr + lr, de->d_name, ln + 1);
		}
		/* relative to the open directory: no path walk per file */
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (S_ISLNK(sb.st_mode) && !follow_link(ca, abs, root, &sb))) {
			/* gone, dangling, or leading out: skip it */
		} else if (S_ISDIR(sb.st_mode)) {
			rc = walk_dir(js, ca, cr, owner, st, depth + 1, root);
		} else if (S_ISREG(sb.st_mode)) {
			rc = add_job(js, ca, cr, owner, &sb);
		}
		free(ca);
		free(cr);
	}
	closedir(d);
	return rc;
}

/* --- memo -------------------------------------------------------------------- */

static int
memo_lookup(pl_store *st, struct fjob *j)
{
	sqlite3_stmt *s = pl__stmt(st, "SELECT size, mtime_ns, hashed_ns, "
	    "sha256 FROM hash_memo WHERE dev = ?1 AND ino = ?2");

	if (s == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)j->sb.st_dev);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)j->sb.st_ino);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_int64(s, 0) == (int64_t)j->sb.st_size &&
	    sqlite3_column_int64(s, 1) == mtime_ns(&j->sb) &&
	    mtime_ns(&j->sb) + PL_HASH_RACY_NS < sqlite3_column_int64(s, 2)) {
		const unsigned char *h = sqlite3_column_text(s, 3);

		if (pl_hash_valid((const char *)h)) {
			memcpy(j->hash, h, PL_HASH_HEX);
			sqlite3_reset(s);
			return 1;
		}
	}
	sqlite3_reset(s);
	return 0;
}

static int
memo_store(pl_store *st, const struct stat *sb, const char *hash,
    int64_t hashed_ns)
{
	sqlite3_stmt *s = pl__stmt(st, "INSERT OR REPLACE INTO hash_memo"
	    "(dev, ino, size, mtime_ns, hashed_ns, sha256) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	int rc;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)sb->st_dev);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)sb->st_ino);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)sb->st_size);
	sqlite3_bind_int64(s, 4, mtime_ns(sb));
	sqlite3_bind_int64(s, 5, hashed_ns);
	sqlite3_bind_text(s, 6, hash, 64, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PL_OK : pl__sqlerr(st, rc, "hash memo");
}

/* --- manifests -------------------------------------------------------------- */

static int
rel_cmp(const void *a, const void *b)
{
	const struct fjob *x = *(const struct fjob *const *)a;
	const struct fjob *y = *(const struct fjob *const *)b;

	return strcmp(x->rel, y->rel);
}

/* Writes text as cache object hash (if absent). */
static int
put_blob(pl_store *st, const char *hash, const char *text, size_t len)
{
	char *obj = pl_cache_object_path(st, hash), tmp[PATH_MAX], dir[PATH_MAX];
	int fd, rc = PL_OK;

	if (obj == NULL)
		return PL_ENOMEM;
	if (access(obj, F_OK) == 0) {
		free(obj);
		return PL_OK;
	}
	snprintf(dir, sizeof dir, "%s/cache/%.2s", pl_store_dir(st), hash);
	if (pl__mkdirs(dir, 0777) < 0) {
		rc = pl__err(st, PL_EIO, "cannot create %s: %s", dir,
		    strerror(errno));
		free(obj);
		return rc;
	}
	if (pl__tmp_name(tmp, sizeof tmp, st, "obj") < 0 ||
	    strlen(tmp) + 7 > sizeof tmp) {
		free(obj);
		return pl__err(st, PL_EIO, "store path too long");
	}
	strcat(tmp, "XXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0) {
		free(obj);
		return pl__err(st, PL_EIO, "cannot write to the store's tmp/: "
		    "%s", strerror(errno));
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = pl__err(st, errno == ENOSPC ? PL_EFULL : PL_EIO,
			    "writing %s: %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (rc == PL_OK && fsync(fd) < 0)
		rc = pl__err(st, PL_EIO, "fsync %s: %s", tmp, strerror(errno));
	close(fd);
	if (rc == PL_OK) {
		chmod(tmp, 0444);
		if (rename(tmp, obj) < 0)
			rc = pl__err(st, PL_EIO, "cannot store %s: %s", obj,
			    strerror(errno));
	}
	if (rc != PL_OK)
		unlink(tmp);
	free(obj);
	return rc;
}

/* Builds the manifest of the files of owner (jobs sorted by rel). */
static int
manifest(pl_hashed *out, pl_store *st, struct fjob **files, size_t n,
    int save)
{
	struct buf b = BUF_INIT;
	int rc = PL_OK;

	out->is_dir = 1;
	out->size = 0;
	out->nfiles = (int64_t)n;
	for (size_t i = 0; i < n; i++) {
		if (buf_printf(&b, "%s %lld %o %s\n", files[i]->hash,
		    (long long)files[i]->sb.st_size,
		    (unsigned)(files[i]->sb.st_mode & 07777),
		    files[i]->rel) < 0) {
			buf_free(&b);
			return PL_ENOMEM;
		}
		out->size += files[i]->sb.st_size;
	}
	sha_mem(out->hash, buf_str(&b), b.len);
	if (save && st)
		rc = put_blob(st, out->hash, buf_str(&b), b.len);
	buf_free(&b);
	return rc;
}

static __thread pl_hash_stats last_stats;

int
pl_hash_paths(pl_hashed *out, pl_hash_stats *stats, pl_store *st,
    const char *const *paths, size_t n, int threads, unsigned flags)
{
	return pl_hash_paths_in(out, stats, st, NULL, paths, n, threads,
	    flags);
}

int
pl_hash_paths_in(pl_hashed *out, pl_hash_stats *stats, pl_store *st,
    const char *root, const char *const *paths, size_t n, int threads,
    unsigned flags)
{
	struct jobs js = { NULL, 0, 0 };
	size_t *todo = NULL, ntodo = 0;
	int rc = PL_OK, memo = st != NULL && !(flags & PL_HASH_NO_MEMO);

	memset(&last_stats, 0, sizeof last_stats);
	memset(out, 0, n * sizeof *out);
	for (size_t i = 0; i < n && rc == PL_OK; i++) {
		struct stat sb;

		if (stat(paths[i], &sb) < 0) {
			if (errno != ENOENT && errno != ENOTDIR) {
				rc = pl__err(st, PL_EIO, "cannot read %s: %s",
				    paths[i], strerror(errno));
				break;
			}
			out[i].missing = 1;
			continue;
		}
		if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
			/* a FIFO would block, /dev/zero never ends */
			rc = pl__err(st, PL_EINVAL, "%s is %s, not a regular "
			    "file or directory", paths[i],
			    ropen_kind(sb.st_mode));
			break;
		}
		if (S_ISDIR(sb.st_mode)) {
			/* without a workspace, the directory is its own */
			char *own = root ? NULL : realpath(paths[i], NULL);

			out[i].is_dir = 1;
			rc = walk_dir(&js, paths[i], "", i, st, 0,
			    root ? root : own);
			free(own);
		} else {
			rc = add_job(&js, paths[i], NULL, i, &sb);
		}
	}
	if (rc != PL_OK)
		goto out;
	todo = calloc(js.n + 1, sizeof *todo);
	if (todo == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < js.n; i++) {
		if (memo && memo_lookup(st, &js.v[i]))
			continue;
		js.v[i].need = 1;
		todo[ntodo++] = i;
		last_stats.bytes_hashed += js.v[i].sb.st_size;
	}
	last_stats.files = (int64_t)js.n;
	last_stats.hashed = (int64_t)ntodo;
	if (ntodo)
		run_pool(&js, todo, ntodo, threads);
	for (size_t k = 0; k < ntodo; k++) {
		struct fjob *j = &js.v[todo[k]];

		if (j->err) {
			rc = pl__err(st, j->err == ENOMEM ? PL_ENOMEM : PL_EIO,
			    "cannot read %s: %s", j->abs, strerror(j->err));
			goto out;
		}
	}
	/* Remember what was read, in one transaction. */
	if (memo && ntodo && !pl_store_readonly(st) && pl__begin(st) == PL_OK) {
		for (size_t k = 0; k < ntodo; k++) {
			struct fjob *j = &js.v[todo[k]];

			if (memo_store(st, &j->sb, j->hash, j->hashed_ns))
				break;
		}
		if (pl__commit(st) != PL_OK)
			pl__clear_err(st);
	}
	/* Results: files directly, directories as manifests. */
	{
		struct fjob **dirfiles = calloc(js.n + 1, sizeof *dirfiles);
		size_t k = 0;

		if (dirfiles == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n && rc == PL_OK; i++) {
			size_t m = 0;

			if (out[i].missing)
				continue;
			if (!out[i].is_dir) {
				/* jobs are in path order: the next top file */
				while (k < js.n && (js.v[k].owner != i ||
				    js.v[k].rel != NULL))
					k++;
				memcpy(out[i].hash, js.v[k].hash, PL_HASH_HEX);
				out[i].size = js.v[k].sb.st_size;
				continue;
			}
			for (size_t j = 0; j < js.n; j++)
				if (js.v[j].owner == i)
					dirfiles[m++] = &js.v[j];
			qsort(dirfiles, m, sizeof *dirfiles, rel_cmp);
			rc = manifest(&out[i], st, dirfiles, m,
			    (flags & PL_HASH_SAVE_MANIFESTS) != 0);
		}
		free(dirfiles);
	}
out:
	if (stats)
		*stats = last_stats;
	for (size_t i = 0; i < js.n; i++) {
		free(js.v[i].abs);
		free(js.v[i].rel);
	}
	free(js.v);
	free(todo);
	return rc;
}

/* --- manifest reading --------------------------------------------------------- */

/* A manifest path: relative, no "." or ".." segment, no empty one. */
static int
manifest_path_ok(const char *p)
{
	if (*p == '\0' || *p == '/')
		return 0;
	for (const char *seg = p; seg;) {
		const char *sl = strchr(seg, '/');
		size_t len = sl ? (size_t)(sl - seg) : strlen(seg);

		if (len == 0 || (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		seg = sl ? sl + 1 : NULL;
	}
	return 1;
}

void
pl_manifest_free(pl_manifest_entry *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++)
		free(m[i].path);
	free(m);
}

int
pl_manifest_read(pl_manifest_entry **out, size_t *out_n, pl_store *st,
    const char *hash)
{
	char *obj = pl_cache_object_path(st, hash), *line = NULL;
	size_t cap = 0, n = 0, lcap = 0;
	pl_manifest_entry *m = NULL;
	FILE *f;
	ssize_t len;

	*out = NULL;
	*out_n = 0;
	if (obj == NULL)
		return PL_ENOMEM;
	f = fopen(obj, "r");
	if (f == NULL) {
		int rc = pl__err(st, PL_ENOTFOUND, "directory manifest %.12s "
		    "is not in the cache", hash);

		free(obj);
		return rc;
	}
	free(obj);
	while ((len = getline(&line, &lcap, f)) > 0) {
		char h[PL_HASH_HEX];
		long long size;
		unsigned mode;
		int off = 0;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		/* a file of a manifest is a hash and a path that stays
		 * inside its directory */
		if (sscanf(line, "%64s %lld %o %n", h, &size, &mode, &off) != 3
		    || off == 0 || !pl_hash_valid(h) ||
		    !manifest_path_ok(line + off)) {
			pl_manifest_free(m, n);
			free(line);
			fclose(f);
			return pl__err(st, PL_ECORRUPT, "directory manifest "
			    "%.12s is damaged", hash);
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			pl_manifest_entry *nm = realloc(m, nc * sizeof *nm);

			if (nm == NULL) {
				pl_manifest_free(m, n);
				free(line);
				fclose(f);
				return PL_ENOMEM;
			}
			m = nm;
			cap = nc;
		}
		m[n].path = strdup(line + off);
		memcpy(m[n].hash, h, PL_HASH_HEX);
		m[n].size = size;
		m[n].mode = mode;
		if (m[n].path == NULL) {
			pl_manifest_free(m, n);
			free(line);
			fclose(f);
			return PL_ENOMEM;
		}
		n++;
	}
	free(line);
	fclose(f);
	*out = m;
	*out_n = n;
	return PL_OK;
}

/* --- copying ----------------------------------------------------------------- */

/* Copies src into a new file at dst: reflink when allowed and possible,
 * else (if allowed) a kernel-side copy.  0 or an errno. */
static int
clone_or_copy(const char *src, const char *dst, int link_types, unsigned mode)
{
	char msg[64];
	int in = ropen(src, 0, NULL, msg, sizeof msg), outfd, e = 0;
	struct stat sb;

	if (in < 0)
		return errno;
	outfd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (outfd < 0) {
		e = errno;
		close(in);
		return e;
	}
	if ((link_types & PL_LINK_REFLINK) && ioctl(outfd, FICLONE, in) == 0)
		goto done;
	if (!(link_types & PL_LINK_COPY)) {
		e = EXDEV;
		goto done;
	}
	if (fstat(in, &sb) < 0) {
		e = errno;
		goto done;
	}
	for (off_t left = sb.st_size; left > 0;) {
		ssize_t c = copy_file_range(in, NULL, outfd, NULL,
		    (size_t)left, 0);

		if (c < 0 && errno == EINTR)
			continue;
		if (c <= 0) {
			/* not supported here: plain read/write */
			char buf[65536];
			ssize_t r;

			if (c < 0 && errno != EXDEV && errno != ENOSYS &&
			    errno != EOPNOTSUPP && errno != EINVAL) {
				e = errno;
				goto done;
			}
			while ((r = read(in, buf, sizeof buf)) != 0) {
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0) {
					e = errno;
					goto done;
				}
				for (ssize_t o = 0; o < r;) {
					ssize_t w = write(outfd, buf + o,
					    (size_t)(r - o));

					if (w < 0 && errno == EINTR)
						continue;
					if (w < 0) {
						e = errno;
						goto done;
					}
					o += w;
				}
			}
			break;
		}
		left -= c;
	}
done:
	if (e == 0 && fsync(outfd) < 0)
		e = errno;
	close(in);
	if (close(outfd) < 0 && e == 0)
		e = errno;
	if (e)
		unlink(dst);
	return e;
}

/* Puts one file (known hash) in the cache. */
static int
put_file_known(pl_store *st, const char *path, const char *hash)
{
	char *obj = pl_cache_object_path(st, hash), tmp[PATH_MAX], dir[PATH_MAX];
	int e, rc = PL_OK;

	if (obj == NULL)
		return PL_ENOMEM;
	if (access(obj, F_OK) == 0) {
		free(obj);
		return PL_OK;
	}
	snprintf(dir, sizeof dir, "%s/cache/%.2s", pl_store_dir(st), hash);
	if (pl__mkdirs(dir, 0777) < 0) {
		rc = pl__err(st, PL_EIO, "cannot create %s: %s", dir,
		    strerror(errno));
		free(obj);
		return rc;
	}
	/* a unique temp name in tmp/ */
	{
		static atomic_uint seq;

		int k = pl__tmp_name(tmp, sizeof tmp, st, "put");

		if (k < 0 || snprintf(tmp + k, sizeof tmp - (size_t)k, "%u",
		    atomic_fetch_add(&seq, 1)) >= (int)(sizeof tmp - (size_t)k)) {
			free(obj);
			return pl__err(st, PL_EIO, "store path too long");
		}
	}
	unlink(tmp);
	e = clone_or_copy(path, tmp, PL_LINK_REFLINK | PL_LINK_COPY, 0444);
	if (e == 0) {
		chmod(tmp, 0444);
		if (rename(tmp, obj) < 0) {
			e = errno;
			unlink(tmp);
		}
	} else {
		unlink(tmp);	/* a failed copy leaves nothing in tmp/ */
	}
	if (e)
		rc = pl__err(st, e == ENOSPC || e == EDQUOT ? PL_EFULL : PL_EIO,
		    "cannot copy %s into the cache: %s", path, strerror(e));
	free(obj);
	return rc;
}

int
pl_cache_put_path(pl_hashed *out, pl_store *st, const char *path)
{
	return pl_cache_put_path_in(out, st, NULL, path);
}

int
pl_cache_put_path_in(pl_hashed *out, pl_store *st, const char *root,
    const char *path)
{
	int rc = pl_hash_paths_in(out, NULL, st, root, &path, 1, 0,
	    PL_HASH_SAVE_MANIFESTS);
	pl_manifest_entry *m = NULL;
	size_t n = 0;

	if (rc != PL_OK)
		return rc;
	if (out->missing)
		return pl__err(st, PL_ENOTFOUND, "%s does not exist", path);
	if (!out->is_dir)
		return put_file_known(st, path, out->hash);
	if ((rc = pl_manifest_read(&m, &n, st, out->hash)) != PL_OK)
		return rc;
	for (size_t i = 0; i < n && rc == PL_OK; i++) {
		char *p;

		if (asprintf(&p, "%s/%s", path, m[i].path) < 0) {
			rc = PL_ENOMEM;
			break;
		}
		rc = put_file_known(st, p, m[i].hash);
		free(p);
	}
	pl_manifest_free(m, n);
	return rc;
}

static int
has_object(pl_store *st, const char *hash)
{
	char *obj = pl_cache_object_path(st, hash);
	int ok = obj && access(obj, F_OK) == 0;

	free(obj);
	return ok;
}

int
pl_cache_has(pl_store *st, const pl_hashed *h)
{
	pl_manifest_entry *m = NULL;
	size_t n = 0;
	int ok = 1;

	if (st == NULL || h->missing || !h->hash[0] ||
	    !has_object(st, h->hash))
		return 0;
	if (!h->is_dir)
		return 1;
	if (pl_manifest_read(&m, &n, st, h->hash) != PL_OK) {
		pl__clear_err(st);
		return 0;
	}
	for (size_t i = 0; i < n && ok; i++)
		ok = has_object(st, m[i].hash);
	pl_manifest_free(m, n);
	return ok;
}

int
pl_link_parse(const char *s)
{
	int bits = 0;
	char *copy, *save = NULL;

	if (s == NULL || !*s)
		return PL_LINK_DEFAULT;
	copy = strdup(s);
	if (copy == NULL)
		return -1;
	for (char *w = strtok_r(copy, ", ", &save); w;
	    w = strtok_r(NULL, ", ", &save)) {
		if (strcmp(w, "reflink") == 0)
			bits |= PL_LINK_REFLINK;
		else if (strcmp(w, "hardlink") == 0)
			bits |= PL_LINK_HARDLINK;
		else if (strcmp(w, "copy") == 0)
			bits |= PL_LINK_COPY;
		else {
			free(copy);
			return -1;
		}
	}
	free(copy);
	return bits ? bits : -1;
}

int
pl_remove_path(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (d == NULL)
			return -1;
		while ((de = readdir(d)) != NULL) {
			char *p;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (asprintf(&p, "%s/%s", path, de->d_name) < 0) {
				closedir(d);
				return -1;
			}
			if (pl_remove_path(p) < 0) {
				free(p);
				closedir(d);
				return -1;
			}
			free(p);
		}
		closedir(d);
		return rmdir(path);
	}
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Places object hash at path (replacing what is there). */
static int
checkout_file(pl_store *st, const char *path, const char *hash, unsigned mode,
    int link_types)
{
	char *obj = pl_cache_object_path(st, hash), *tmp = NULL;
	int e = EXDEV, rc = PL_OK;
	struct stat sb;

	if (obj == NULL || asprintf(&tmp, "%s.plumb-tmp.%ld", path,
	    (long)getpid()) < 0) {
		free(obj);
		return PL_ENOMEM;
	}
	if (access(obj, F_OK) < 0) {
		rc = pl__err(st, PL_ENOTFOUND, "object %.12s for %s is not in "
		    "the cache", hash, path);
		goto out;
	}
	unlink(tmp);
	if (link_types & (PL_LINK_REFLINK | PL_LINK_COPY)) {
		/* reflink first; a copy only if no hardlink was preferred */
		e = clone_or_copy(obj, tmp, PL_LINK_REFLINK, mode);
		if (e && (link_types & PL_LINK_HARDLINK))
			e = link(obj, tmp) < 0 ? errno : 0;
		if (e && (link_types & PL_LINK_COPY))
			e = clone_or_copy(obj, tmp, PL_LINK_COPY, mode);
	} else if (link_types & PL_LINK_HARDLINK) {
		e = link(obj, tmp) < 0 ? errno : 0;
	}
	if (e == 0 && rename(tmp, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		rc = pl__err(st, PL_EIO, "cannot restore %s: %s", path,
		    strerror(e));
		goto out;
	}
	/* The memo learns the restored file: its content is known. */
	if (stat(path, &sb) == 0)
		memo_store(st, &sb, hash, now_ns());
out:
	free(obj);
	free(tmp);
	return rc;
}

/* Makes the parent directories of path. */
static int
make_parents(const char *path)
{
	char *d = strdup(path), *slash;
	int r = 0;

	if (d == NULL)
		return -1;
	slash = strrchr(d, '/');
	if (slash && slash != d) {
		*slash = '\0';
		r = pl__mkdirs(d, 0777);
	}
	free(d);
	return r;
}

/* Removes files under dir (relative prefix rel) that are not in m. */
static void
prune(const char *dir, const char *rel, pl_manifest_entry *m, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p = NULL, *r = NULL;
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0 ||
		    asprintf(&r, "%s%s%s", rel, *rel ? "/" : "",
		    de->d_name) < 0) {
			free(p);
			break;
		}
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			prune(p, r, m, n);
			rmdir(p);	/* only when it became empty */
		} else {
			int keep = 0;

			for (size_t i = 0; i < n && !keep; i++)
				keep = strcmp(m[i].path, r) == 0;
			if (!keep)
				unlink(p);
		}
		free(p);
		free(r);
	}
	closedir(d);
}

int
pl_cache_checkout(pl_store *st, const char *path, const pl_hashed *h,
    int link_types)
{
	pl_manifest_entry *m = NULL;
	size_t n = 0;
	int rc;

	if (link_types <= 0)
		link_types = PL_LINK_DEFAULT;
	if (!h->is_dir) {
		struct stat sb;

		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    pl_remove_path(path) < 0)
			return pl__err(st, PL_EIO, "cannot remove %s: %s",
			    path, strerror(errno));
		if (make_parents(path) < 0)
			return pl__err(st, PL_EIO, "cannot create the "
			    "directory of %s: %s", path, strerror(errno));
		return checkout_file(st, path, h->hash, 0644, link_types);
	}
	if ((rc = pl_manifest_read(&m, &n, st, h->hash)) != PL_OK)
		return rc;
	{
		struct stat sb;

		if (lstat(path, &sb) == 0 && !S_ISDIR(sb.st_mode))
			unlink(path);
	}
	if (pl__mkdirs(path, 0777) < 0) {
		pl_manifest_free(m, n);
		return pl__err(st, PL_EIO, "cannot create %s: %s", path,
		    strerror(errno));
	}
	prune(path, "", m, n);
	for (size_t i = 0; i < n; i++) {
		char *fp;
		pl_hashed fh;
		const char *fpp[1];

		if (asprintf(&fp, "%s/%s", path, m[i].path) < 0) {
			rc = PL_ENOMEM;
			break;
		}
		/* an unchanged file stays as it is */
		fpp[0] = fp;
		if (pl_hash_paths(&fh, NULL, st, fpp, 1, 1, 0) == PL_OK &&
		    !fh.missing && !fh.is_dir &&
		    strcmp(fh.hash, m[i].hash) == 0) {
			free(fp);
			continue;
		}
		pl__clear_err(st);
		if (make_parents(fp) < 0)
			rc = pl__err(st, PL_EIO, "cannot create the directory "
			    "of %s: %s", fp, strerror(errno));
		else
			rc = checkout_file(st, fp, m[i].hash,
			    (m[i].mode & 0777) | 0200, link_types);
		free(fp);
		if (rc != PL_OK)
			break;
	}
	pl_manifest_free(m, n);
	return rc;
}
