/* auth.h - plumb serve's tokens: the token file, Bearer and Basic credentials, valid methods and which requests are writes (pure, no socket). */
#ifndef PL_SERVER_AUTH_H
#define PL_SERVER_AUTH_H

#include <stddef.h>

/*
 * The token file (--token-file) holds one token per line:
 *
 *   TOKEN USER [ro|rw]        # comment
 *
 * TOKEN: 16 to 256 printable ASCII characters, no space; USER: 1 to 64
 * of [A-Za-z0-9._@+-], the name audit entries get; ro: reads only, rw
 * (the default): reads and writes.  Blank lines and lines starting with
 * '#' are skipped.  A file of a single line holding only a token (the
 * form before users existed) is that token for user "token", rw.
 * Tokens must be unique.
 */

#define SRV_TOKEN_MAX 256
#define SRV_USER_MAX 64
#define SRV_TOKENS_MAX 4096
#define SRV_TOKEN_FILE_MAX (1u << 20)

struct srv_token {
	char token[SRV_TOKEN_MAX + 1];
	char user[SRV_USER_MAX + 1];
	int readonly;
	int legacy;		/* the one-token form: any basic-auth user */
};

struct srv_tokens {
	struct srv_token *v;	/* owned */
	size_t n;
};

/*
 * Parses a token file's bytes (text need not be NUL-terminated) into t
 * (zeroed by the caller; replaced on success).  On failure returns -1
 * with "line N: reason" in err and t unchanged; 0 on success.
 */
int srv_tokens_parse(struct srv_tokens *t, const char *text, size_t len,
    char *err, size_t errlen);
void srv_tokens_free(struct srv_tokens *t);

/*
 * The token an Authorization header value names, or NULL: "Bearer
 * TOKEN", or "Basic base64(USER:TOKEN)" where USER must be the token's
 * user (any user for the one-token form).  Every token is compared in
 * constant time, and all of them each time, so timing tells nothing
 * about which characters or which token matched.
 */
const struct srv_token *srv_tokens_check(const struct srv_tokens *t,
    const char *authorization);

/*
 * 1 when a request changes the store, so a read-only token may not make
 * it: every method but GET, HEAD and OPTIONS, except the POSTs that only
 * read (Prometheus' query API takes its parameters as a form; MLflow's
 * searches and get-latest-versions take a JSON body).
 */
int srv_is_write(const char *method, const char *path);

/* 1 when method is an HTTP token (RFC 9110: 1 to 32 of A-Z a-z 0-9 and
 * !#$%&'*+-.^_`|~); libmicrohttpd passes any bytes up to the space, and
 * replies quote the method. */
int srv_method_valid(const char *method);

/* Decodes standard base64 (RFC 4648, padding optional, no spaces) into
 * out (at most outlen - 1 bytes, NUL-terminated); the length, or -1 on
 * a bad character or when it does not fit. */
long srv_base64_decode(const char *in, size_t inlen, char *out,
    size_t outlen);

#endif
