/* logtail.c - the rotation-aware log follower behind the prediction and label sources (contract in logtail.h). */
#include "config.h"
#include "monitor/logtail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/error.h"

#define CHUNK (1u << 20)
#define MAX_LINE (64u << 20)	/* longer lines are cut (and will not parse) */
#define HEADER_MAX 65536

struct tfile {
	int fd;			/* -1: closed */
	int64_t dev, ino, off;
	uint64_t fp;
	uint32_t fp_len;
	int64_t last_size;
	int quiet;		/* polls without growth (old file only) */
	int header;		/* replay the first line before the next data */
};

struct pl_tail {
	char *path, *dir, *base;
	struct tfile cur, old;
	struct pl_tail_pos start;
	int started, missing;
	char *buf;
	size_t cap;
	uint64_t bytes;
	char err[512];
};

static uint64_t
fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* Fingerprint of the first len bytes of fd; -1 if they cannot be read
 * (file shorter). */
static int
fp_of(int fd, uint32_t len, uint64_t *out)
{
	unsigned char b[PL_TAIL_FP_MAX];
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, b + got, len - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	*out = fnv1a(b, len);
	return 0;
}

static void
tf_close(struct tfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

static int64_t
fsize(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* (Re)computes the fingerprint over the first min(size, FP_MAX) bytes. */
static void
tf_refp(struct tfile *f)
{
	int64_t sz = fsize(f->fd);
	uint32_t len = sz < 0 ? 0 : (sz > PL_TAIL_FP_MAX ? PL_TAIL_FP_MAX : (uint32_t)sz);

	if (len == 0 || fp_of(f->fd, len, &f->fp) != 0) {
		f->fp_len = 0;
		f->fp = 0;
		return;
	}
	f->fp_len = len;
}

/* 1 if fd's first pos->fp_len bytes carry pos's fingerprint (an empty
 * fingerprint matches anything). */
static int
fp_match(int fd, uint32_t len, uint64_t fp)
{
	uint64_t h;

	if (len == 0)
		return 1;
	return fp_of(fd, len, &h) == 0 && h == fp;
}

static int
tf_open(pl_tail *t, struct tfile *f, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	(void)t;
	memset(f, 0, sizeof *f);
	f->fd = fd;
	f->dev = (int64_t)st.st_dev;
	f->ino = (int64_t)st.st_ino;
	f->last_size = (int64_t)st.st_size;
	tf_refp(f);
	return 0;
}

static int
grow(pl_tail *t)
{
	size_t n = t->cap ? t->cap * 2 : CHUNK;
	char *b;

	if (n > MAX_LINE)
		return -1;
	b = realloc(t->buf, n);
	if (b == NULL)
		return -1;
	t->buf = b;
	t->cap = n;
	return 0;
}

/* Delivers the first line of f again (a CSV header) before resuming. */
static int
replay_header(pl_tail *t, struct tfile *f, pl_tail_line_fn fn, void *ctx)
{
	ssize_t n;
	char *nl;

	f->header = 0;
	if (f->off == 0)
		return 0;
	do
		n = pread(f->fd, t->buf, t->cap < HEADER_MAX ? t->cap : HEADER_MAX, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || (nl = memchr(t->buf, '\n', (size_t)n)) == NULL)
		return 0;
	size_t len = (size_t)(nl - t->buf);
	if (len && t->buf[len - 1] == '\r')
		len--;
	return fn(ctx, t->buf, len, PL_TAIL_LINE_FIRST | PL_TAIL_LINE_HEADER_ONLY);
}

/*
 * Reads f from its offset to the end, delivering complete lines; with
 * final, an unterminated last line too.  *budget (bytes left, may be
 * NULL) stops early.
 */
static int
drain(pl_tail *t, struct tfile *f, int final, pl_tail_line_fn fn, void *ctx,
    size_t *budget)
{
	if (t->buf == NULL && grow(t) != 0) {
		snprintf(t->err, sizeof t->err, "out of memory");
		return PL_ENOMEM;
	}
	if (f->header) {
		int rc = replay_header(t, f, fn, ctx);
		if (rc)
			return rc;
	}
	for (;;) {
		ssize_t n = pread(f->fd, t->buf, t->cap, (off_t)f->off);
		size_t start = 0;
		char *p;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(t->err, sizeof t->err, "%s: %s", t->path,
			    strerror(errno));
			return PL_EIO;
		}
		if (n == 0)
			return PL_OK;
		while ((p = memchr(t->buf + start, '\n', (size_t)n - start))) {
			size_t len = (size_t)(p - (t->buf + start)), l2 = len;
			if (l2 && t->buf[start + l2 - 1] == '\r')
				l2--;
			int rc = fn(ctx, t->buf + start, l2,
			    f->off == 0 ? PL_TAIL_LINE_FIRST : 0);
			if (rc)
				return rc;
			f->off += (int64_t)len + 1;
			t->bytes += len + 1;
			start += len + 1;
		}
		if (start == 0) {
			if ((size_t)n == t->cap) {
				if (grow(t) == 0)
					continue;
				final = 1;	/* an endless line: cut it */
			}
			if (final) {
				int rc = fn(ctx, t->buf, (size_t)n,
				    f->off == 0 ? PL_TAIL_LINE_FIRST : 0);
				if (rc)
					return rc;
				f->off += n;
				t->bytes += (uint64_t)n;
				continue;
			}
			return PL_OK;
		}
		if (budget) {
			if (*budget <= start) {
				*budget = 0;
				return PL_OK;
			}
			*budget -= start;
		}
	}
}

/*
 * Searches PATH's directory for a rotated file: by inode (ino != 0) or,
 * for a copy, by fingerprint and a size of at least min_size (newest
 * first).  Opens it into *f on success.
 */
static int
find_sibling(pl_tail *t, struct tfile *f, int64_t dev, int64_t ino,
    uint32_t fp_len, uint64_t fp, int64_t min_size)
{
	DIR *d = opendir(t->dir);
	struct dirent *e;
	size_t bl = strlen(t->base);
	char best[4096] = "";
	struct timespec best_m = { 0, 0 };

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char p[4096];
		struct stat st;

		if (strncmp(e->d_name, t->base, bl) != 0 || e->d_name[bl] == '\0')
			continue;
		if ((size_t)snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name) >= sizeof p)
			continue;
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (ino) {
			if ((int64_t)st.st_dev == dev && (int64_t)st.st_ino == ino) {
				snprintf(best, sizeof best, "%s", p);
				break;
			}
			continue;
		}
		if ((int64_t)st.st_size < min_size)
			continue;
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		int ok = fp_match(fd, fp_len, fp);
		close(fd);
		if (ok && (best[0] == '\0' || st.st_mtim.tv_sec > best_m.tv_sec ||
		    (st.st_mtim.tv_sec == best_m.tv_sec &&
		    st.st_mtim.tv_nsec > best_m.tv_nsec))) {
			snprintf(best, sizeof best, "%s", p);
			best_m = st.st_mtim;
		}
	}
	closedir(d);
	if (best[0] == '\0')
		return -1;
	return tf_open(t, f, best);
}

int
pl_tail_new(pl_tail **out, const char *path, const struct pl_tail_pos *pos)
{
	pl_tail *t = calloc(1, sizeof *t);
	const char *slash;

	*out = NULL;
	if (t == NULL)
		return PL_ENOMEM;
	t->cur.fd = t->old.fd = -1;
	t->path = strdup(path);
	slash = strrchr(path, '/');
	t->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) :
	    strdup(".");
	t->base = strdup(slash ? slash + 1 : path);
	if (!t->path || !t->dir || !t->base) {
		pl_tail_free(t);
		return PL_ENOMEM;
	}
	if (pos)
		t->start = *pos;
	*out = t;
	return PL_OK;
}

void
pl_tail_free(pl_tail *t)
{
	if (t == NULL)
		return;
	tf_close(&t->cur);
	tf_close(&t->old);
	free(t->path);
	free(t->dir);
	free(t->base);
	free(t->buf);
	free(t);
}

/* First poll: where to resume. */
static void
start(pl_tail *t, unsigned *ev)
{
	const struct pl_tail_pos *s = &t->start;
	int have = s->dev != 0 || s->ino != 0;
	int open_ok = tf_open(t, &t->cur, t->path) == 0;
	int64_t size = open_ok ? fsize(t->cur.fd) : -1;

	t->started = 1;
	if (!have)
		return;
	if (open_ok && t->cur.dev == s->dev && t->cur.ino == s->ino) {
		if (size >= s->offset && fp_match(t->cur.fd, s->fp_len, s->fp)) {
			t->cur.off = s->offset;
			t->cur.header = 1;
			*ev |= PL_TAIL_EV_RESUMED;
			return;
		}
		/* Truncated (copytruncate) while we were down. */
		*ev |= PL_TAIL_EV_TRUNCATED;
		if (find_sibling(t, &t->old, 0, 0, s->fp_len, s->fp, s->offset) == 0) {
			t->old.off = s->offset;
			t->old.header = 1;
			t->old.quiet = PL_TAIL_GRACE;	/* a copy is final */
			*ev |= PL_TAIL_EV_COPY_READ;
		}
		return;
	}
	/* Rotated away while we were down? */
	if (find_sibling(t, &t->old, s->dev, s->ino, 0, 0, 0) == 0) {
		if (fsize(t->old.fd) >= s->offset &&
		    fp_match(t->old.fd, s->fp_len, s->fp)) {
			t->old.off = s->offset;
			t->old.header = 1;
			*ev |= PL_TAIL_EV_RESUMED | PL_TAIL_EV_ROTATED;
			return;
		}
		tf_close(&t->old);
	}
	/* The same content under another inode (restored, copied). */
	if (open_ok && size >= s->offset && s->fp_len > 0 &&
	    fp_match(t->cur.fd, s->fp_len, s->fp)) {
		t->cur.off = s->offset;
		t->cur.header = 1;
		*ev |= PL_TAIL_EV_RESUMED;
		return;
	}
	*ev |= PL_TAIL_EV_RESTARTED;
}

int
pl_tail_poll(pl_tail *t, pl_tail_line_fn fn, void *ctx, size_t max_bytes,
    unsigned *events)
{
	unsigned ev = 0;
	size_t budget = max_bytes, *bp = max_bytes ? &budget : NULL;
	int rc = PL_OK;

	t->err[0] = '\0';
	if (!t->started)
		start(t, &ev);
	for (int round = 0; round < 4; round++) {
		/* A rotated-away file is finished before the new one. */
		if (t->old.fd >= 0) {
			int final = t->old.quiet >= PL_TAIL_GRACE;
			if ((rc = drain(t, &t->old, final, fn, ctx, bp)) != PL_OK)
				goto out;
			if (bp && budget == 0)
				goto out;
			int64_t sz = fsize(t->old.fd);
			if (sz > t->old.off) {
				if (sz == t->old.last_size)
					t->old.quiet++;
				else
					t->old.quiet = 0;
				t->old.last_size = sz;
				if (t->old.quiet < PL_TAIL_GRACE)
					goto out;	/* wait for its writer */
				continue;
			}
			tf_close(&t->old);
		}
		if (t->cur.fd < 0) {
			if (tf_open(t, &t->cur, t->path) != 0) {
				if (!t->missing)
					ev |= PL_TAIL_EV_MISSING;
				t->missing = 1;
				goto out;
			}
		}

		/* Check PATH before reading, so data a rotation or truncation
		 * put there is never read at the old offset. */
		struct stat st;
		if (stat(t->path, &st) != 0) {
			if (!t->missing)
				ev |= PL_TAIL_EV_MISSING;
			t->missing = 1;
			/* keep draining the unlinked file: its writer may
			 * still append until it reopens */
			rc = drain(t, &t->cur, 0, fn, ctx, bp);
			goto out;
		}
		t->missing = 0;
		if ((int64_t)st.st_dev != t->cur.dev ||
		    (int64_t)st.st_ino != t->cur.ino) {
			ev |= PL_TAIL_EV_ROTATED;
			t->old = t->cur;
			t->old.quiet = 0;
			t->old.last_size = fsize(t->old.fd);
			t->cur.fd = -1;
			tf_close(&t->cur);
			continue;
		}
		int64_t sz = fsize(t->cur.fd);
		if (sz < t->cur.off ||
		    !fp_match(t->cur.fd, t->cur.fp_len, t->cur.fp)) {
			/* copytruncate: the tail we had not read is in the copy */
			ev |= PL_TAIL_EV_TRUNCATED;
			if (t->cur.fp_len > 0 && t->cur.off > 0 &&
			    find_sibling(t, &t->old, 0, 0, t->cur.fp_len,
			    t->cur.fp, t->cur.off) == 0) {
				t->old.off = t->cur.off;
				t->old.quiet = PL_TAIL_GRACE;
				ev |= PL_TAIL_EV_COPY_READ;
			}
			t->cur.off = 0;
			tf_refp(&t->cur);
			continue;
		}
		if ((rc = drain(t, &t->cur, 0, fn, ctx, bp)) != PL_OK)
			goto out;
		if (t->cur.fp_len < PL_TAIL_FP_MAX)
			tf_refp(&t->cur);
		break;
	}
out:
	if (events)
		*events = ev;
	return rc;
}

void
pl_tail_position(const pl_tail *t, struct pl_tail_pos *out)
{
	const struct tfile *f = t->old.fd >= 0 ? &t->old : &t->cur;

	memset(out, 0, sizeof *out);
	if (!t->started)
		*out = t->start;
	else if (f->fd >= 0) {
		out->dev = f->dev;
		out->ino = f->ino;
		out->offset = f->off;
		out->fp = f->fp;
		out->fp_len = f->fp_len;
	}
}

uint64_t
pl_tail_bytes(const pl_tail *t)
{
	return t->bytes;
}

const char *
pl_tail_errmsg(const pl_tail *t)
{
	return t->err;
}

const char *
pl_tail_path(const pl_tail *t)
{
	return t->path;
}
