/* http.c - plumb serve's HTTP/1.1 server on GNU libmicrohttpd: binding, auth, body limits, routing, per-thread store handles. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ropen.h"

#include "auth.h"
#include "form.h"
#include "srv.h"
#include "server.h"

/*
 * Threads: libmicrohttpd's internal thread pool (epoll), a few threads
 * serving every connection, so hundreds of idle keep-alive connections
 * cost memory, not threads.  The engine's store handle is not shared
 * between threads: each pool thread opens its own on first use (SQLite
 * in WAL mode lets them read while one writes) and the server closes
 * them all when it stops.
 *
 * Auth: the tokens of --token-file (auth.h); a request carries one as
 * `Authorization: Bearer TOKEN` (what MLflow's client sends from
 * MLFLOW_TRACKING_TOKEN) or as basic auth USER:TOKEN.  Health endpoints
 * need none.  Without tokens the server binds loopback only.  It is
 * checked when the headers arrive, before any body is read, as are a
 * read-only token's writes and the body limit: a refused upload is not
 * buffered.  The request's user is then the actor of the thread's store
 * handle, so whatever it writes is audited under that name.
 */

static const char *store_dir;
static struct srv_tokens tokens;
static int have_token;
static FILE *log_out;
static int verbose;

/* ---- per-thread store handles ---- */

static pthread_mutex_t handles_mu = PTHREAD_MUTEX_INITIALIZER;
static pl_store **handles;
static size_t nhandles, caphandles;
static __thread pl_store *tls_store;
static pl_store *shared_store;	/* srv_store_shared's */
/* no mmap: the pool's handles write in turn (store.h); no checkpoint in
 * a client's commit: checkpoint.c does them */
#define SRV_OPEN (PL_OPEN_NOMMAP | PL_OPEN_NOCHECKPOINT)
/* the request this thread is serving: who acts on the store */
static __thread const char *tls_user, *tls_addr;

/* Room for one more handle; called with handles_mu held. */
static int
grow_handles(void)
{
	size_t nc = caphandles ? caphandles * 2 : 8;
	pl_store **g = realloc(handles, nc * sizeof *g);

	if (g == NULL)
		return -1;
	handles = g;
	caphandles = nc;
	return 0;
}

pl_store *
srv_store(const char **why)
{
	pl_store *st = NULL;

	if (tls_store) {
		pl_store_set_actor(tls_store, tls_user, tls_addr);
		return tls_store;
	}
	if (pl_store_open(&st, store_dir, SRV_OPEN) != PL_OK) {
		static __thread char msg[512];

		snprintf(msg, sizeof msg, "%s", st ? pl_store_errmsg(st) :
		    "out of memory");
		pl_store_close(st);
		*why = msg;
		return NULL;
	}
	pthread_mutex_lock(&handles_mu);
	if (nhandles == caphandles && grow_handles() < 0) {
		pthread_mutex_unlock(&handles_mu);
		pl_store_close(st);
		*why = "out of memory";
		return NULL;
	}
	handles[nhandles++] = st;
	pthread_mutex_unlock(&handles_mu);
	tls_store = st;
	pl_store_set_actor(st, tls_user, tls_addr);
	return st;
}

/*
 * One more handle, not a thread's: for a writer that runs on whichever
 * pool thread holds a lock of its own (the log-metric group commit).
 * Written by one handle only, its page cache stays valid from one
 * transaction to the next; a thread's handle, after another handle
 * wrote, drops its cache and reads the pages again.
 */
pl_store *
srv_store_shared(const char **why)
{
	pl_store *st = NULL, *mine;

	pthread_mutex_lock(&handles_mu);
	st = shared_store;
	pthread_mutex_unlock(&handles_mu);
	if (st)
		return st;
	if (pl_store_open(&st, store_dir, SRV_OPEN) != PL_OK) {
		static __thread char msg[512];

		snprintf(msg, sizeof msg, "%s", st ? pl_store_errmsg(st) :
		    "out of memory");
		pl_store_close(st);
		*why = msg;
		return NULL;
	}
	mine = st;
	pthread_mutex_lock(&handles_mu);
	if (shared_store == NULL && (nhandles < caphandles || grow_handles() == 0)) {
		shared_store = st;
		handles[nhandles++] = st;
		st = NULL;
	}
	mine = shared_store;
	pthread_mutex_unlock(&handles_mu);
	pl_store_close(st);	/* another thread's won, or no room */
	if (mine == NULL)
		*why = "out of memory";
	return mine;
}

static void
close_handles(void)
{
	for (size_t i = 0; i < nhandles; i++)
		pl_store_close(handles[i]);
	free(handles);
	handles = NULL;
	nhandles = caphandles = 0;
	shared_store = NULL;
}

/* ---- replies ---- */

/* Drops a pending file reply (replaced by another, or never sent). */
static void
drop_fd(struct srv_req *r)
{
	if (r->has_fd)
		close(r->reply_fd);
	r->has_fd = 0;
}

void
srv_reply_fd(struct srv_req *r, int status, const char *ctype, int fd,
    uint64_t size)
{
	drop_fd(r);
	free(r->reply);
	r->reply = NULL;
	r->reply_len = 0;
	r->status = status;
	r->content_type = ctype;
	r->has_fd = 1;
	r->reply_fd = fd;
	r->reply_fd_size = size;
}

void
srv_reply_take(struct srv_req *r, int status, const char *ctype, char *body)
{
	drop_fd(r);
	free(r->reply);
	r->status = status;
	r->content_type = ctype;
	r->reply = body;
	r->reply_len = body ? strlen(body) : 0;
}

void
srv_reply(struct srv_req *r, int status, const char *ctype, const char *body,
    size_t len)
{
	char *copy = malloc(len + 1);

	if (copy) {
		memcpy(copy, body, len);
		copy[len] = '\0';
	}
	drop_fd(r);
	free(r->reply);
	r->status = copy ? status : 500;
	r->content_type = ctype;
	r->reply = copy;
	r->reply_len = copy ? len : 0;
}

void
srv_replyf(struct srv_req *r, int status, const char *ctype,
    const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	srv_reply_take(r, s ? status : 500, ctype, s);
}

/* ---- parameters ---- */

/* The form body, decoded once, when a parameter is first asked for. */
static void
parse_form(struct srv_req *r)
{
	const char *ct;
	size_t npairs = 0;

	r->form_parsed = 1;
	ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "Content-Type");
	if (r->body_len == 0 || ct == NULL ||
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return;
	/* (out of memory: the pairs decoded so far are used) */
	(void)srv_form_parse(&r->form, &npairs, r->body, r->body_len);
	r->nform = npairs * 2;
}

const char *
srv_param(struct srv_req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn,
	    MHD_GET_ARGUMENT_KIND, name);

	if (v)
		return v;
	if (!r->form_parsed)
		parse_form(r);
	for (size_t i = 0; i + 1 < r->nform; i += 2)
		if (strcmp(r->form[i], name) == 0)
			return r->form[i + 1];
	return NULL;
}

struct collect {
	const char *name;
	const char **out;
	size_t n, max;
};

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct collect *c = cls;

	(void)kind;
	if (key && strcmp(key, c->name) == 0 && c->n < c->max)
		c->out[c->n++] = value ? value : "";
	return MHD_YES;
}

size_t
srv_params(struct srv_req *r, const char *name, const char **out, size_t max)
{
	struct collect c = { name, out, 0, max };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_arg,
	    &c);
	if (!r->form_parsed)
		parse_form(r);
	for (size_t i = 0; i + 1 < r->nform && c.n < max; i += 2)
		if (strcmp(r->form[i], name) == 0)
			out[c.n++] = r->form[i + 1];
	return c.n;
}

/* ---- auth ---- */

/* The caller's token; NULL when the request is not authorized (always
 * authorized, as the anonymous NULL-user token, when there are none). */
static const struct srv_token *
caller(struct MHD_Connection *c, int *ok)
{
	const struct srv_token *tk;

	*ok = 1;
	if (!have_token)
		return NULL;
	tk = srv_tokens_check(&tokens, MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, "Authorization"));
	*ok = tk != NULL;
	return tk;
}

static void
client_addr(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "?");
	if (sa && getnameinfo(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), out,
	    (socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(out, len, "?");
}

/* ---- the access handler ---- */

struct conn_ctx {
	char *body;
	size_t len, cap;
	int too_big;
	int refused;		/* answered when the headers came */
	int started;		/* the access handler has seen it */
	char *raw_path;		/* the path as sent, before decoding */
	const struct srv_token *tk;
	/* a suspended request (srv_suspend): its reply, once ready is set
	 * by srv_resume; what the log line needs meanwhile */
	struct MHD_Connection *conn;
	int ready;
	int status;
	const char *ctype;
	char *reply;
	const char *user;
	struct timespec t0;
};

static int
is_health(const char *url)
{
	return strcmp(url, "/health") == 0 || strncmp(url, "/-/", 3) == 0;
}

/*
 * What is decided from the headers alone, before a body is read: 413
 * for a declared body over the limit, 401 without a valid token, 403
 * for a read-only token's write.  Fills r's reply and returns 1 when
 * refused.
 */
static int
screen(struct srv_req *r, struct conn_ctx *cx, const char *url,
    const char *method)
{
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "Content-Length");
	int ok;

	if (!srv_method_valid(method)) {
		/* (replies and route files quote the method: it must be
		 * plain text) */
		srv_replyf(r, 400, "application/json", "{\"error_code\":"
		    "\"BAD_REQUEST\",\"message\":\"the request method is "
		    "not an HTTP token\"}\n");
		return 1;
	}
	if (cl && strtoull(cl, NULL, 10) > SRV_MAX_BODY) {
		srv_replyf(r, 413, "application/json", "{\"error_code\":"
		    "\"INVALID_PARAMETER_VALUE\",\"message\":\"request body "
		    "over %u bytes\"}\n", SRV_MAX_BODY);
		return 1;
	}
	if (is_health(url))
		return 0;
	cx->tk = caller(r->conn, &ok);
	if (!ok) {
		srv_replyf(r, 401, "application/json", "{\"error_code\":"
		    "\"UNAUTHENTICATED\",\"message\":\"a valid token is "
		    "required (Authorization: Bearer TOKEN, or basic auth "
		    "USER:TOKEN)\"}\n");
		return 1;
	}
	if (cx->tk) {
		r->user = cx->tk->user;
		r->readonly = cx->tk->readonly;
	}
	if (cx->tk && cx->tk->readonly && srv_is_write(method, url)) {
		/* (Prometheus' API reads only; a POST it does not know is a
		 * write, refused in its own error shape) */
		if (strncmp(url, "/api/v1/", 8) == 0)
			srv_replyf(r, 403, "application/json", "{\"status\":"
			    "\"error\",\"errorType\":\"forbidden\",\"error\":"
			    "\"the token of user %s is read-only\"}\n",
			    cx->tk->user);
		else
			srv_replyf(r, 403, "application/json", "{\"error_code\":"
			    "\"PERMISSION_DENIED\",\"message\":\"the token of "
			    "user %s is read-only: this request would write\"}\n",
			    cx->tk->user);
		return 1;
	}
	return 0;
}

static void
route(struct srv_req *r)
{
	if (strcmp(r->path, "/health") == 0 ||
	    strcmp(r->path, "/-/healthy") == 0 ||
	    strcmp(r->path, "/-/ready") == 0) {
		const char *why = NULL;

		if (strcmp(r->path, "/-/ready") == 0 && srv_store(&why) == NULL)
			srv_replyf(r, 503, "text/plain", "not ready: %s\n", why);
		else
			srv_reply(r, 200, "text/plain", "OK\n", 3);
		return;
	}
	if (srv_prom_api(r) || srv_metrics(r) || srv_mlflow(r) ||
	    srv_mlflow_artifacts(r))
		return;
	srv_replyf(r, 404, "application/json",
	    "{\"error_code\":\"ENDPOINT_NOT_FOUND\",\"message\":"
	    "\"no such endpoint\"}\n");
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct srv_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (r->has_fd) {
		/* (the response owns the fd from here, closed or not) */
		resp = MHD_create_response_from_fd64(r->reply_fd_size,
		    r->reply_fd);
		if (resp == NULL)
			close(r->reply_fd);
		r->has_fd = 0;
	} else {
		resp = MHD_create_response_from_buffer(r->reply_len, r->reply,
		    MHD_RESPMEM_MUST_FREE);
		if (resp != NULL)
			r->reply = NULL;
	}
	if (resp == NULL)
		return MHD_NO;
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate",
		    "Bearer realm=\"plumb\"");
	ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
log_request(const char *method, const char *url, const struct srv_req *r,
    const struct timespec *t0)
{
	struct timespec t1;

	if (!verbose || !log_out)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* (the URL is the client's text: no control character reaches
	 * the terminal the log may be on) */
	fprintf(log_out, "%s ", srv_method_valid(method) ? method : "?");
	for (const char *p = url; *p; p++)
		fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p,
		    log_out);
	fprintf(log_out, " %d %s %.1f ms\n", r->status,
	    r->user ? r->user : "-",
	    (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
	fflush(log_out);
}

static void
req_free(struct srv_req *r)
{
	drop_fd(r);
	free(r->reply);
	for (size_t i = 0; i < r->nform; i++)
		free(r->form[i]);
	free(r->form);
}

/* Keeps the request's path as the client sent it (libmicrohttpd hands
 * the access handler a decoded one, where %2F is a slash and %00 ends
 * the string): its context, created here, holds the copy. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct conn_ctx *cx = calloc(1, sizeof *cx);

	(void)cls;
	(void)c;
	if (cx)
		cx->raw_path = strndup(uri, strcspn(uri, "?"));
	return cx;
}

struct srv_pending *
srv_suspend(struct srv_req *r)
{
	struct conn_ctx *cx = r->ctx;

	if (r->conn == NULL || cx == NULL)
		return NULL;
	cx->conn = r->conn;
	cx->user = r->user;
	cx->ready = 0;
	r->deferred = 1;
	MHD_suspend_connection(r->conn);
	return (struct srv_pending *)cx;
}

void
srv_resume(struct srv_pending *p, int status, const char *ctype, char *body)
{
	struct conn_ctx *cx = (struct conn_ctx *)p;

	cx->status = body ? status : 500;
	cx->ctype = ctype;
	cx->reply = body;
	cx->ready = 1;
	/* (libmicrohttpd's lock orders these writes before the pool thread
	 * calls on_request again for the connection) */
	MHD_resume_connection(cx->conn);
}

/* The reply of a resumed request (srv_resume's). */
static enum MHD_Result
send_resumed(struct MHD_Connection *c, struct conn_ctx *cx, const char *method,
    const char *url)
{
	struct srv_req r;
	enum MHD_Result ret;

	memset(&r, 0, sizeof r);
	r.status = cx->status;
	r.content_type = cx->ctype;
	r.user = cx->user;
	if (cx->reply == NULL)
		srv_reply(&r, 500, "text/plain", "no reply\n", 9);
	else {
		r.reply = cx->reply;
		r.reply_len = strlen(cx->reply);
		cx->reply = NULL;
	}
	ret = send_reply(c, &r);
	log_request(method, url, &r, &cx->t0);
	req_free(&r);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct conn_ctx *cx = *con_cls;
	struct srv_req r;
	enum MHD_Result ret;
	struct timespec t0;
	char addr[64];

	(void)cls;
	(void)version;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&r, 0, sizeof r);
	r.conn = c;
	r.method = method;
	r.path = url;
	r.body = (char *)"";
	if (cx == NULL || !cx->started) {
		if (cx == NULL && (cx = calloc(1, sizeof *cx)) == NULL)
			return MHD_NO;
		*con_cls = cx;
		cx->started = 1;
		r.raw_path = cx->raw_path;
		/* refused from the headers: answered now, the body (if
		 * any) never read */
		if (!screen(&r, cx, url, method))
			return MHD_YES;
		cx->refused = 1;
		ret = send_reply(c, &r);
		log_request(method, url, &r, &t0);
		req_free(&r);
		return ret;
	}
	if (cx->refused) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (cx->ready)
		return send_resumed(c, cx, method, url);
	if (*upload_size) {
		if (!cx->too_big && cx->len + *upload_size > SRV_MAX_BODY)
			cx->too_big = 1;
		if (!cx->too_big) {
			if (cx->len + *upload_size + 1 > cx->cap) {
				size_t nc = (cx->len + *upload_size + 1) * 2;
				char *g = realloc(cx->body, nc);

				if (g == NULL)
					return MHD_NO;
				cx->body = g;
				cx->cap = nc;
			}
			memcpy(cx->body + cx->len, upload, *upload_size);
			cx->len += *upload_size;
			cx->body[cx->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	r.raw_path = cx->raw_path;
	r.body = cx->body ? cx->body : (char *)"";
	r.body_len = cx->len;
	r.ctx = cx;
	cx->t0 = t0;
	if (cx->tk) {
		r.user = cx->tk->user;
		r.readonly = cx->tk->readonly;
	}
	client_addr(c, addr, sizeof addr);
	r.remote_addr = addr;
	tls_user = r.user;
	tls_addr = addr;
	if (cx->too_big)
		/* a chunked body (no Content-Length) over the limit */
		srv_replyf(&r, 413, "application/json", "{\"error_code\":"
		    "\"INVALID_PARAMETER_VALUE\",\"message\":\"request body "
		    "over %u bytes\"}\n", SRV_MAX_BODY);
	else
		route(&r);
	if (r.deferred) {
		/* suspended: srv_resume's reply is sent when the pool thread
		 * calls this again (the request may already be resumed) */
		tls_user = tls_addr = NULL;
		if (tls_store)
			pl_store_set_actor(tls_store, NULL, NULL);
		req_free(&r);
		return MHD_YES;
	}
	if (r.reply == NULL && r.status == 0 && !r.has_fd)
		srv_reply(&r, 500, "text/plain", "no reply\n", 9);
	ret = send_reply(c, &r);
	/* the handle stays the thread's: no user outlives the request */
	tls_user = tls_addr = NULL;
	if (tls_store)
		pl_store_set_actor(tls_store, NULL, NULL);
	log_request(method, url, &r, &t0);
	req_free(&r);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *cx = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (cx) {
		free(cx->body);
		free(cx->raw_path);
		free(cx->reply);
		free(cx);
		*con_cls = NULL;
	}
}

/* ---- start and stop ---- */

/*
 * libmicrohttpd's own messages: why it could not start (GnuTLS refusing
 * a key, a socket option) always; afterwards, with --verbose only, as
 * they are about single connections (a client that failed the TLS
 * handshake, one that closed early).
 */
static volatile int starting, start_logged;

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t n;

	(void)cls;
	if (!log_out || (!starting && !verbose))
		return;
	if (starting)
		start_logged++;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	fprintf(log_out, "plumb serve: libmicrohttpd: %s\n", msg);
	fflush(log_out);
}

static int
is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

static int
read_tokens(const char *path)
{
	char why[512];
	size_t n = 0, cap = SRV_TOKEN_FILE_MAX + 1;
	char *text;
	int fd, rc;

	/* (ropen: a FIFO without a writer would block a plain open, and
	 * /dev/zero would read as a token of NUL bytes) */
	if ((fd = ropen(path, 0, NULL, why, sizeof why)) < 0) {
		fprintf(log_out, "plumb serve: --token-file %s\n", why);
		return -1;
	}
	if ((text = malloc(cap)) == NULL) {
		close(fd);
		fprintf(log_out, "plumb serve: out of memory\n");
		return -1;
	}
	while (n < cap) {
		ssize_t r = read(fd, text + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(log_out, "plumb serve: --token-file %s: %s\n",
			    path, strerror(errno));
			close(fd);
			free(text);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	rc = srv_tokens_parse(&tokens, text, n, why, sizeof why);
	memset(text, 0, n);
	free(text);
	if (rc < 0) {
		fprintf(log_out, "plumb serve: --token-file %s: %s\n", path,
		    why);
		return -1;
	}
	have_token = 1;
	return 0;
}

int
server_main(pl_store *st, const struct server_opts *o)
{
	const char *host = o->host ? o->host : "127.0.0.1";
	unsigned port = o->port < 0 ? 5000 : (unsigned)o->port;
	struct addrinfo hints, *ai = NULL;
	struct MHD_Daemon *d;
	struct MHD_OptionItem tls[3];
	char portstr[16], *cert = NULL, *key = NULL;
	sigset_t set, old;
	int sig, gai, rc = SERVER_OK;

	log_out = o->log ? o->log : stderr;
	verbose = o->verbose;
	store_dir = pl_store_dir(st);
	if (o->token_file && read_tokens(o->token_file) < 0)
		return SERVER_FAIL;
	if ((o->cert_file || o->key_file) && (!o->cert_file || !o->key_file)) {
		fprintf(log_out, "plumb serve: --cert and --key go together\n");
		srv_tokens_free(&tokens);
		return SERVER_USAGE;
	}
	if (o->cert_file && srv_tls_load(o->cert_file, o->key_file, &cert,
	    &key, log_out) < 0) {
		srv_tokens_free(&tokens);
		return SERVER_FAIL;
	}
	/* (an empty array, just its END, when not TLS) */
	memset(tls, 0, sizeof tls);
	tls[0].option = tls[1].option = tls[2].option = MHD_OPTION_END;
	if (cert) {
		tls[0].option = MHD_OPTION_HTTPS_MEM_CERT;
		tls[0].ptr_value = cert;
		tls[1].option = MHD_OPTION_HTTPS_MEM_KEY;
		tls[1].ptr_value = key;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	snprintf(portstr, sizeof portstr, "%u", port);
	if ((gai = getaddrinfo(host, portstr, &hints, &ai)) != 0) {
		fprintf(log_out, "plumb serve: --host %s: %s\n", host,
		    gai_strerror(gai));
		srv_tls_free(cert, key);
		return SERVER_USAGE;
	}
	if (!is_loopback(ai->ai_addr) && !have_token) {
		fprintf(log_out, "plumb serve: refusing to listen on %s without "
		    "a token: anyone who reaches it could read and write the "
		    "store; give --token-file FILE (or bind 127.0.0.1 and put "
		    "a reverse proxy in front)\n", host);
		freeaddrinfo(ai);
		srv_tls_free(cert, key);
		return SERVER_USAGE;
	}
	/* The pool threads inherit this mask: only this thread takes the
	 * stop signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	starting = 1;
	errno = 0;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | (cert ? MHD_USE_TLS : 0) |
	    (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0), (uint16_t)port,
	    NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 0 ?
	    o->threads : 4),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)2048,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
	    MHD_OPTION_END);
	freeaddrinfo(ai);
	starting = 0;
	if (d == NULL) {
		/* (what libmicrohttpd said is above: GnuTLS's reason for a
		 * key that does not match its certificate, say) */
		fprintf(log_out, "plumb serve: cannot %s on %s port %u: %s\n",
		    cert ? "serve HTTPS" : "listen", host, port,
		    start_logged ? "libmicrohttpd's reason is above" :
		    errno ? strerror(errno) : "libmicrohttpd refused to start");
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		srv_tls_free(cert, key);
		srv_tokens_free(&tokens);
		return SERVER_FAIL;
	}
	if (port == 0) {
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(d,
		    MHD_DAEMON_INFO_BIND_PORT);

		if (di)
			port = di->port;
	}
	fprintf(log_out, "plumb serve: listening on %s://%s%s%s:%u/ "
	    "(store %s", cert ? "https" : "http", strchr(host, ':') ? "[" : "", host,
	    strchr(host, ':') ? "]" : "", port, store_dir);
	if (have_token) {
		size_t ro = 0;

		for (size_t i = 0; i < tokens.n; i++)
			ro += (size_t)tokens.v[i].readonly;
		fprintf(log_out, ", token required: %zu token%s, %zu "
		    "read-only", tokens.n, tokens.n == 1 ? "" : "s", ro);
	}
	fprintf(log_out, ")\n");
	fflush(log_out);
	if (srv_mlflow_start() < 0)
		fprintf(log_out, "plumb serve: warning: no log-metric writer "
		    "thread; each log-metric commits alone\n");
	if (srv_checkpoint_start(store_dir) < 0)
		fprintf(log_out, "plumb serve: warning: no checkpoint thread; "
		    "the WAL will grow until the server stops\n");
	if (sigwait(&set, &sig) != 0)
		rc = SERVER_FAIL;
	/* the writer answers what it holds first: no connection is left
	 * suspended when the daemon stops */
	srv_mlflow_stop();
	MHD_stop_daemon(d);
	srv_checkpoint_stop();
	close_handles();
	srv_tokens_free(&tokens);
	srv_tls_free(cert, key);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	fprintf(log_out, "plumb serve: stopped (%s)\n", strsignal(sig));
	return rc;
}
