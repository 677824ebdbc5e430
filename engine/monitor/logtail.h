/* logtail.h - follows a growing log file through rotation and restarts, line by line, nothing lost or repeated. */
#ifndef PL_ENGINE_LOGTAIL_H
#define PL_ENGINE_LOGTAIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * A tail reads the complete lines appended to PATH since its position.
 * A line is delivered once it ends with '\n' (a trailing '\r' is
 * dropped); a half-written last line waits for its newline.
 *
 * The position is (device, inode, offset) plus a fingerprint of the
 * file's first bytes (FNV-1a 64 of up to PL_TAIL_FP_MAX bytes, and how
 * many).  The caller stores it with what it did with the lines, in one
 * transaction, and hands it back after a restart: delivery is then
 * exactly once across crashes (kill -9 between delivery and commit
 * delivers the same lines again to a caller whose commit was lost).
 *
 * Each pl_tail_poll() reads to the end, then checks PATH:
 *  - rename-and-create (PATH is another inode, or gone and back): the
 *    old file is drained to its end first.  When its last line has no
 *    newline yet, the old file is kept open for up to PL_TAIL_GRACE
 *    polls for the writer to finish (a writer that has not reopened yet
 *    still appends to it); after that the unterminated rest is delivered
 *    as a line and the new file is read from its start.
 *  - copytruncate (same inode, now shorter than the offset, or its first
 *    bytes no longer match the fingerprint): the lines appended between
 *    the last read and the copy are read from the copy (a file in the
 *    same directory whose name starts with PATH's name and whose first
 *    bytes match the fingerprint), then the truncated file from offset 0.
 *  - deleted: the open file is still drained; PATH is watched until a
 *    new file appears (read from its start).
 * On a restart whose stored inode is no longer at PATH, the directory is
 * searched for it (rotated while the watcher was down): its rest is read
 * before PATH.  A stored position that matches nothing (another file
 * entirely) restarts at offset 0 of PATH, with PL_TAIL_EV_RESTARTED.
 */

#define PL_TAIL_FP_MAX 1024
#define PL_TAIL_GRACE 2

struct pl_tail_pos {
	int64_t dev, ino;
	int64_t offset;
	uint64_t fp;		/* FNV-1a 64 of the first fp_len bytes */
	uint32_t fp_len;	/* 0 while the file was empty */
};
/* dev == 0 and ino == 0: no position (start at the beginning). */

/* Flags passed with a line. */
#define PL_TAIL_LINE_FIRST 0x1	/* the line starts at offset 0 (a header) */
#define PL_TAIL_LINE_HEADER_ONLY 0x2	/* first line re-read on resume, not new data */

/* Events reported by a poll (bit set). */
#define PL_TAIL_EV_ROTATED 0x1	/* rename-and-create or delete-and-recreate */
#define PL_TAIL_EV_TRUNCATED 0x2	/* copytruncate or truncation */
#define PL_TAIL_EV_MISSING 0x4	/* PATH does not exist (reported once) */
#define PL_TAIL_EV_RESUMED 0x8	/* first poll resumed a stored position */
#define PL_TAIL_EV_RESTARTED 0x10	/* stored position matched nothing */
#define PL_TAIL_EV_COPY_READ 0x20	/* lines were recovered from a rotated copy */

/* Called per line; return 0 to go on, anything else stops the poll (it is
 * returned by pl_tail_poll, and the position stays before this line). */
typedef int (*pl_tail_line_fn)(void *ctx, const char *line, size_t len,
    unsigned flags);

typedef struct pl_tail pl_tail;

/* A tail of path starting at *pos (NULL or no position: from the start).
 * Nothing is opened before the first poll.  PL_OK or PL_ENOMEM. */
int pl_tail_new(pl_tail **out, const char *path, const struct pl_tail_pos *pos);
void pl_tail_free(pl_tail *t);

/*
 * Delivers the complete lines available now, reading at most about
 * max_bytes (0: no limit; a poll that stops early leaves the rest for the
 * next).  *events (may be NULL) gets PL_TAIL_EV_* bits.  Returns PL_OK,
 * the callback's non-zero value, or PL_EIO (message in pl_tail_errmsg).
 * A missing file is not an error.
 */
int pl_tail_poll(pl_tail *t, pl_tail_line_fn fn, void *ctx, size_t max_bytes,
    unsigned *events);

/* The position after the last delivered line (to store). */
void pl_tail_position(const pl_tail *t, struct pl_tail_pos *out);
/* Bytes delivered so far (all files). */
uint64_t pl_tail_bytes(const pl_tail *t);
const char *pl_tail_errmsg(const pl_tail *t);
const char *pl_tail_path(const pl_tail *t);

#endif
