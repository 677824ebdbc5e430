/* url.c - remote dependencies of pipeline stages: http(s) URLs checked with a HEAD request (libcurl). */
#include "config.h"
#include "pipeline/pipeline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>

#include "buf.h"
#include "store/error.h"
#include "data/hash.h"
#include "pipeline/internal.h"

/*
 * DVC lets a stage depend on a URL.  For http and https it asks the
 * server (a HEAD request, redirects followed) and compares what the
 * server says about the resource: its ETag, else its Last-Modified date,
 * with the size.  plumb does the same: the "hash" of a URL dep is the
 * SHA-256 of the text "etag: E" or "last-modified: L", then "size: N",
 * so the lock file keeps its one format.  A server that gives neither an
 * ETag nor a Last-Modified date cannot say whether the resource changed:
 * that is an error, as in DVC, rather than a stage that never reruns.
 * Other schemes (s3, gs, azure, ssh, hdfs, ...) need DVC's remote
 * plugins: they are refused by name.
 */

/* "s3" for "s3://b/k"; NULL when path has no scheme.  Written to out. */
const char *
pl__url_scheme(const char *path, char *out, size_t len)
{
	const char *p = path;
	size_t n;

	if (!isalpha((unsigned char)*p))
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	    *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0)
		return NULL;
	n = (size_t)(p - path);
	if (n >= len)
		n = len - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)path[i]);
	out[n] = '\0';
	return out;
}

int
pl__url_is_http(const char *path)
{
	char s[16];

	return pl__url_scheme(path, s, sizeof s) && (strcmp(s, "http") == 0 ||
	    strcmp(s, "https") == 0);
}


/* Copies a header's value (trimmed) when its name matches. */
static void
take(const char *line, size_t n, const char *name, char *dst, size_t dlen)
{
	size_t ln = strlen(name), v;

	if (n <= ln || strncasecmp(line, name, ln) != 0)
		return;
	line += ln;
	n -= ln;
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' ||
	    line[n - 1] == ' '))
		n--;
	v = n < dlen - 1 ? n : dlen - 1;
	memcpy(dst, line, v);
	dst[v] = '\0';
}

static size_t
on_header(char *data, size_t size, size_t nitems, void *payload)
{
	struct pl_url_meta *h = payload;
	size_t n = size * nitems;

	/* a redirect starts a new response: forget the previous one's */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		h->etag[0] = h->modified[0] = '\0';
	take(data, n, "etag:", h->etag, sizeof h->etag);
	take(data, n, "last-modified:", h->modified, sizeof h->modified);
	return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
init_curl(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
pl__url_stat(pl_hashed *out, struct pl_url_meta *meta, const char *url,
    char *err, size_t err_len)
{
	struct pl_url_meta h;
	char ebuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode rc;
	long status = 0;
	curl_off_t len = -1;
	struct buf id = BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	static const char hx[] = "0123456789abcdef";

	memset(out, 0, sizeof *out);
	memset(meta, 0, sizeof *meta);
	memset(&h, 0, sizeof h);
	if (!pl__url_is_http(url)) {
		char s[16];

		snprintf(err, err_len, "unsupported scheme %s: plumb checks "
		    "http and https URLs ('%s' needs DVC's remote storage)",
		    pl__url_scheme(url, s, sizeof s) ? s : "?", url);
		return PL_EINVAL;
	}
	pthread_once(&curl_once, init_curl);
	if (curl_init_rc != CURLE_OK || (c = curl_easy_init()) == NULL) {
		snprintf(err, err_len, "cannot start libcurl");
		return PL_ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "plumb/" PLUMB_VERSION);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	}
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(err, err_len, "cannot reach the server (%s)", ebuf[0] ?
		    ebuf : curl_easy_strerror(rc));
		return PL_EIO;
	}
	if (status >= 400) {
		if (status == 404 || status == 410) {
			out->missing = 1;
			return PL_OK;
		}
		snprintf(err, err_len, "%s: the server answered HTTP %ld", url,
		    status);
		return PL_EIO;
	}
	if (!h.etag[0] && !h.modified[0]) {
		snprintf(err, err_len, "%s: the server sends neither an ETag "
		    "nor a Last-Modified date, so a change cannot be seen",
		    url);
		return PL_EINVAL;
	}
	if (h.etag[0])
		buf_printf(&id, "etag: %s\n", h.etag);
	else
		buf_printf(&id, "last-modified: %s\n", h.modified);
	buf_printf(&id, "size: %lld\n", (long long)len);
	if (id.p == NULL) {
		snprintf(err, err_len, "out of memory");
		return PL_ENOMEM;
	}
	EVP_Digest(id.p, id.len, md, &mdlen, EVP_sha256(), NULL);
	buf_free(&id);
	for (unsigned i = 0; i < mdlen && 2 * i + 1 < PL_HASH_HEX; i++) {
		out->hash[2 * i] = hx[md[i] >> 4];
		out->hash[2 * i + 1] = hx[md[i] & 15];
	}
	out->size = len >= 0 ? (int64_t)len : 0;
	if (h.etag[0])
		h.modified[0] = '\0';	/* the ETag decides, as in DVC */
	*meta = h;
	return PL_OK;
}
