/* tls.c - plumb serve's native TLS: the certificate and key files read for libmicrohttpd's GnuTLS. */
#include "config.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ropen.h"

#include "srv.h"

/*
 * libmicrohttpd takes the PEM text itself (MHD_OPTION_HTTPS_MEM_CERT
 * and _KEY) and hands it to GnuTLS when the daemon starts; it keeps the
 * pointers, so the text lives until the server stops.  Reading the files
 * here, not in libmicrohttpd, gives a refusal that names the file and
 * the reason before anything listens.
 */

#define PEM_MAX (1u << 20)

static char *
read_pem(const char *path, const char *opt, int is_key, FILE *log)
{
	char why[512];
	struct stat sb;
	size_t n = 0;
	char *text;
	int fd;

	if ((fd = ropen(path, 0, &sb, why, sizeof why)) < 0) {
		fprintf(log, "plumb serve: %s %s\n", opt, why);
		return NULL;
	}
	if ((text = malloc(PEM_MAX + 1)) == NULL) {
		close(fd);
		fprintf(log, "plumb serve: out of memory\n");
		return NULL;
	}
	while (n < PEM_MAX) {
		ssize_t r = read(fd, text + n, PEM_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(log, "plumb serve: %s %s: %s\n", opt, path,
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	text[n] = '\0';
	if (n == PEM_MAX || memchr(text, '\0', n) ||
	    strstr(text, "-----BEGIN ") == NULL) {
		fprintf(log, "plumb serve: %s %s: not a PEM file (no "
		    "-----BEGIN line%s)\n", opt, path, n == PEM_MAX ?
		    ", or over 1 MB" : "");
		goto fail;
	}
	if (is_key && (sb.st_mode & 077))
		/* (a warning, not a refusal: containers often run as a
		 * user the file's group can read) */
		fprintf(log, "plumb serve: warning: %s %s can be read by "
		    "others than its owner (mode %03o)\n", opt, path,
		    (unsigned)(sb.st_mode & 0777));
	close(fd);
	return text;
fail:
	close(fd);
	memset(text, 0, n);
	free(text);
	return NULL;
}

int
srv_tls_load(const char *cert_file, const char *key_file, char **cert,
    char **key, FILE *log)
{
	*cert = *key = NULL;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		fprintf(log, "plumb serve: --cert: this libmicrohttpd was built "
		    "without TLS; serve plain HTTP on 127.0.0.1 behind a "
		    "reverse proxy that speaks HTTPS instead (plumb-serve(1), "
		    "TLS)\n");
		return -1;
	}
	if ((*cert = read_pem(cert_file, "--cert", 0, log)) == NULL ||
	    (*key = read_pem(key_file, "--key", 1, log)) == NULL) {
		srv_tls_free(*cert, *key);
		*cert = *key = NULL;
		return -1;
	}
	return 0;
}

void
srv_tls_free(char *cert, char *key)
{
	free(cert);
	if (key) {
		memset(key, 0, strlen(key));
		free(key);
	}
}
