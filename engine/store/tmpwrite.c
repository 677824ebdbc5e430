/* tmpwrite.c - bytes from memory into a held temporary file of the store's tmp/. */
#include "config.h"
#include "store/tmpwrite.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/internal.h"
#include "store/tmpfiles.h"

int
pl_tmp_write(char **out, pl_store *st, const void *buf, size_t len)
{
	char path[PATH_MAX];
	const char *p = buf;
	int fd, n = pl__tmp_name(path, sizeof path, st, "put");

	*out = NULL;
	if (n < 0 || (size_t)n + 7 > sizeof path)
		return pl__err(st, PL_EIO, "store path too long");
	strcat(path, "XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return pl__err(st, PL_EIO, "cannot create %s: %s", path,
		    strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;

			close(fd);
			unlink(path);
			return pl__err(st, PL_EIO, "cannot write %s: %s", path,
			    strerror(e));
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) != 0) {
		int e = errno;

		unlink(path);
		return pl__err(st, PL_EIO, "cannot write %s: %s", path,
		    strerror(e));
	}
	if ((*out = strdup(path)) == NULL) {
		unlink(path);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	return PL_OK;
}
