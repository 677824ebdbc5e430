/* endnote.c - a run's end kept beside the store when the store is full, applied later by the reaper. */
/*
 * Why: when the disk fills during a run, the ingest writer fails and so
 * does the UPDATE that would mark the run failed: SQLite needs new WAL
 * frames for it and there is no room.  The run then stayed 'running' and
 * the reaper later called it 'lost', losing the one fact the user needs
 * ("disk full").
 *
 * The fix needs no space at the moment of failure: pl_run_create()
 * writes runs/ID/end with PL__ENDNOTE_SIZE blank bytes while there is
 * room, so its block is allocated.  If pl_run_finish() cannot write, the
 * end (status, exit status, time, message) is overwritten in place into
 * that file: no allocation, no growth.  pl_store_reap(), which runs when
 * a writer opens the store, applies a note instead of calling the run
 * lost.  A blank or torn note is ignored (it must begin with the magic
 * line and end with the closing line).
 *
 * Format (text, one field per line, NUL/blank padded):
 *   plumb-run-end 1
 *   status=failed
 *   exit=-1
 *   end_ms=1796533499367
 *   message=recording the run failed: ... (newlines replaced by spaces)
 *   end
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/internal.h"
#include "store/endnote.h"

#define MAGIC "plumb-run-end 1\n"

static int
note_path(char *buf, size_t len, const pl_store *st, const char *id)
{
	int n = snprintf(buf, len, "%s/runs/%s/end", st->dir, id);

	return n > 0 && (size_t)n < len ? 0 : -1;
}

int
pl__endnote_reserve(pl_store *st, const char *id)
{
	char path[4096], blank[PL__ENDNOTE_SIZE];
	int fd, ok;

	if (note_path(path, sizeof path, st, id) < 0)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) < 0)
		return -1;
	memset(blank, ' ', sizeof blank);
	blank[sizeof blank - 1] = '\n';
	ok = write(fd, blank, sizeof blank) == (ssize_t)sizeof blank;
	if (close(fd) < 0)
		ok = 0;
	if (!ok)
		unlink(path);
	return ok ? 0 : -1;
}

int
pl__endnote_write(pl_store *st, const char *id, const char *status,
    int exit_status, int64_t end_ms, const char *message)
{
	char path[4096], buf[PL__ENDNOTE_SIZE], msg[PL__ENDNOTE_SIZE / 2];
	size_t i;
	int fd, n, ok;

	if (note_path(path, sizeof path, st, id) < 0)
		return -1;
	/* Never create or extend: only the reserved bytes are used. */
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	snprintf(msg, sizeof msg, "%s", message ? message : "");
	for (i = 0; msg[i]; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	memset(buf, ' ', sizeof buf);
	n = snprintf(buf, sizeof buf, MAGIC "status=%s\nexit=%d\n"
	    "end_ms=%" PRId64 "\nmessage=%s\nend\n", status, exit_status,
	    end_ms, msg);
	if (n < 0 || (size_t)n >= sizeof buf) {
		close(fd);
		return -1;
	}
	buf[n] = ' ';
	buf[sizeof buf - 1] = '\n';
	ok = pwrite(fd, buf, sizeof buf, 0) == (ssize_t)sizeof buf &&
	    fdatasync(fd) == 0;
	if (close(fd) < 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* Value of "key=" on its own line within note, copied into out. */
static int
field(const char *note, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	const char *p = note;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == note || p[-1] == '\n') && p[kl] == '=') {
			const char *v = p + kl + 1, *e = strchr(v, '\n');
			size_t n = e ? (size_t)(e - v) : strlen(v);

			if (n >= len)
				n = len - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 0;
		}
		p += kl;
	}
	return -1;
}

int
pl__endnote_read(pl__endnote *out, const pl_store *st, const char *id)
{
	char path[4096], buf[PL__ENDNOTE_SIZE + 1], num[32];
	ssize_t n;
	int fd;
	char *end;

	memset(out, 0, sizeof *out);
	if (note_path(path, sizeof path, st, id) < 0)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = pread(fd, buf, PL__ENDNOTE_SIZE, 0);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n) != NULL ||
	    strncmp(buf, MAGIC, sizeof MAGIC - 1) != 0 ||
	    strstr(buf, "\nend\n") == NULL)
		return -1;	/* blank (reserved only) or torn */
	if (field(buf, "status", out->status, sizeof out->status) < 0 ||
	    (strcmp(out->status, "failed") != 0 &&
	    strcmp(out->status, "finished") != 0 &&
	    strcmp(out->status, "killed") != 0))
		return -1;
	if (field(buf, "exit", num, sizeof num) < 0)
		return -1;
	errno = 0;
	out->exit_status = (int)strtol(num, &end, 10);
	if (errno || *end)
		return -1;
	if (field(buf, "end_ms", num, sizeof num) < 0)
		return -1;
	out->end_ms = strtoll(num, &end, 10);
	if (errno || *end || out->end_ms <= 0)
		return -1;
	if (field(buf, "message", out->message, sizeof out->message) < 0)
		return -1;
	return 0;
}
