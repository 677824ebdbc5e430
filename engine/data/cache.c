/* cache.c - content-addressed object cache and file hashing. */
#include "config.h"
#include "data/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/internal.h"
#include "ropen.h"

#define CHUNK (1 << 20)

static void
to_hex(char out[PL_HASH_HEX], const unsigned char *md, unsigned n)
{
	static const char hx[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Reads fd to the end, hashing, and writing a copy to wfd when >= 0. */
static int
hash_fd(char out[PL_HASH_HEX], int64_t *out_size, int fd, int wfd,
    char *err, size_t err_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char *buf = malloc(CHUNK);
	int64_t total = 0;
	int rc = PL_OK;

	if (ctx == NULL || buf == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		snprintf(err, err_len, "out of memory");
		rc = PL_ENOMEM;
		goto done;
	}
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, err_len, "read error: %s",
			    strerror(errno));
			rc = PL_EIO;
			goto done;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		total += n;
		for (ssize_t off = 0; wfd >= 0 && off < n;) {
			ssize_t w = write(wfd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				snprintf(err, err_len, "write error: %s",
				    strerror(errno));
				rc = errno == ENOSPC || errno == EDQUOT ?
				    PL_EFULL : PL_EIO;
				goto done;
			}
			off += w;
		}
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	to_hex(out, md, mdlen);
	if (out_size)
		*out_size = total;
done:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

int
pl_hash_file(char out[PL_HASH_HEX], int64_t *out_size, const char *path,
    char *err, size_t err_len)
{
	char e2[256] = "";
	int fd = ropen(path, 0, NULL, e2, sizeof e2), rc;

	if (fd < 0) {
		rc = errno == ENOENT ? PL_ENOTFOUND :
		    errno == EINVAL ? PL_EINVAL : PL_EIO;
		if (errno == EINVAL)
			snprintf(err, err_len, "%s", e2);
		else
			snprintf(err, err_len, "cannot open %s: %s", path,
			    strerror(errno));
		return rc;
	}
	rc = hash_fd(out, out_size, fd, -1, e2, sizeof e2);
	close(fd);
	if (rc != PL_OK)
		snprintf(err, err_len, "%s: %s", path, e2);
	return rc;
}

int
pl_hash_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n]; n++)
		if (n >= 64 || !((s[n] >= '0' && s[n] <= '9') ||
		    (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 64;
}

char *
pl_cache_object_path(const pl_store *st, const char *hash)
{
	char *p;

	/* the last line of defence: whatever the caller read, a cache path
	 * never leaves cache/ */
	if (!pl_hash_valid(hash))
		return asprintf(&p, "%s/cache/invalid-hash", st->dir) < 0 ?
		    NULL : p;
	if (asprintf(&p, "%s/cache/%.2s/%s", st->dir, hash, hash + 2) < 0)
		return NULL;
	return p;
}

int
pl_cache_put_file(char out_hash[PL_HASH_HEX], int64_t *out_size,
    pl_store *st, const char *path)
{
	char tmp[PATH_MAX], dir[PATH_MAX], err[256] = "";
	char *obj = NULL;
	struct stat sb;
	int fd, wfd, rc;

	fd = ropen(path, 0, &sb, err, sizeof err);
	if (fd < 0 && errno == EINVAL)
		return pl__err(st, PL_EINVAL, "%s", err);
	if (fd < 0)
		return pl__err(st, errno == ENOENT ? PL_ENOTFOUND : PL_EIO,
		    "cannot open %s: %s", path, strerror(errno));
	if (pl__tmp_name(tmp, sizeof tmp, st, "obj") < 0 ||
	    strlen(tmp) + 7 > sizeof tmp) {
		close(fd);
		return pl__err(st, PL_EIO, "store path too long");
	}
	strcat(tmp, "XXXXXX");
	wfd = mkstemp(tmp);
	if (wfd < 0) {
		close(fd);
		return pl__err(st, errno == ENOSPC ? PL_EFULL : PL_EIO,
		    "cannot write to the store's tmp/: %s", strerror(errno));
	}
	rc = hash_fd(out_hash, out_size, fd, wfd, err, sizeof err);
	close(fd);
	if (rc == PL_OK && fsync(wfd) < 0)
		rc = PL_EIO;
	close(wfd);
	if (rc != PL_OK) {
		unlink(tmp);
		return pl__err(st, rc, "copying %s into the cache: %s", path,
		    err[0] ? err : strerror(errno));
	}
	obj = pl_cache_object_path(st, out_hash);
	snprintf(dir, sizeof dir, "%s/cache/%.2s", st->dir, out_hash);
	if (obj == NULL || (mkdir(dir, 0777) < 0 && errno != EEXIST)) {
		unlink(tmp);
		free(obj);
		return pl__err(st, PL_EIO, "cannot create %s: %s", dir,
		    strerror(errno));
	}
	if (access(obj, F_OK) == 0) {
		unlink(tmp);	/* same content already cached */
	} else {
		chmod(tmp, 0444);
		if (rename(tmp, obj) < 0) {
			rc = pl__err(st, PL_EIO, "cannot store %s: %s", obj,
			    strerror(errno));
			unlink(tmp);
			free(obj);
			return rc;
		}
	}
	free(obj);
	return PL_OK;
}
