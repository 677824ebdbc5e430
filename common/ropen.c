/* ropen.c - open a file for reading without ever blocking on a FIFO or device. */
#include "config.h"
#include "ropen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *
ropen_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static int
blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

int
ropen(const char *path, unsigned flags, struct stat *sb, char *err,
    size_t err_len)
{
	struct stat st;
	int fd, e;

	/* O_NONBLOCK: opening a FIFO with no writer returns at once, and a
	 * device's open cannot wait for a carrier; O_NOCTTY: a terminal
	 * never becomes ours. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, err_len, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		snprintf(err, err_len, "%s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (!(S_ISREG(st.st_mode) ||
	    (S_ISDIR(st.st_mode) && (flags & ROPEN_DIR)) ||
	    (S_ISFIFO(st.st_mode) && (flags & ROPEN_PIPE)))) {
		snprintf(err, err_len, "%s: is %s, not a regular file", path,
		    ropen_kind(st.st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (blocking(fd) < 0) {
		e = errno;
		snprintf(err, err_len, "%s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (sb)
		*sb = st;
	return fd;
}

int
wopen(const char *path, char *err, size_t err_len)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC, 0666);
	if (fd < 0) {
		e = errno;
		if (e == ENXIO)
			snprintf(err, err_len, "%s: is a FIFO that nothing "
			    "reads", path);
		else
			snprintf(err, err_len, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		snprintf(err, err_len, "%s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (!(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) ||
	    S_ISCHR(st.st_mode))) {
		snprintf(err, err_len, "%s: is %s, not a regular file", path,
		    ropen_kind(st.st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0) || blocking(fd) < 0) {
		e = errno;
		snprintf(err, err_len, "%s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
