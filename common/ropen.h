/* ropen.h - open a file for reading without ever blocking on a FIFO or device. */
#ifndef PL_COMMON_ROPEN_H
#define PL_COMMON_ROPEN_H

#include <stddef.h>
#include <sys/stat.h>

/* What ropen() accepts besides a regular file. */
#define ROPEN_DIR	1u	/* a directory (the caller walks it) */
#define ROPEN_PIPE	2u	/* a FIFO or pipe, read once from the start:
				 * `plumb drift <(zcat ref.csv.gz) cur.csv` */

/*
 * Opens PATH read-only with O_NONBLOCK (so a FIFO without a writer or a
 * device cannot block the open), checks the file type with fstat, and
 * refuses anything but a regular file (plus what FLAGS allow) with a
 * message "PATH: is a FIFO, not a regular file" in ERR.  On success the
 * descriptor is back in blocking mode and close-on-exec; *SB (if not NULL)
 * holds its fstat.  A FIFO or pipe without a writer reads as empty at once
 * (read() returns 0 when no writer holds it), so it never hangs either.
 * Returns the descriptor, or -1 with errno set (EINVAL for a wrong type).
 */
int ropen(const char *path, unsigned flags, struct stat *sb, char *err,
    size_t err_len);

/* "a FIFO", "a directory", "a character device", ... for messages. */
const char *ropen_kind(mode_t mode);

/*
 * Opens PATH for writing (create/truncate, mode 0666 before umask) without
 * blocking on a FIFO that has no reader: such a FIFO is refused at once
 * (ENXIO); a device or directory is refused too, except a FIFO with a
 * reader or a character device like /dev/null or a terminal, which are
 * fine places to write.  Returns the descriptor (blocking mode) or -1 with
 * ERR set.
 */
int wopen(const char *path, char *err, size_t err_len);

#endif
