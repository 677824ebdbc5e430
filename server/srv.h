/* srv.h - what the route files of plumb serve share: the request, replies, the thread's store handle. */
#ifndef PL_SERVER_SRV_H
#define PL_SERVER_SRV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "plumb.h"

struct MHD_Connection;

/* One request, its body read whole (at most SRV_MAX_BODY bytes). */
struct srv_req {
	struct MHD_Connection *conn;
	const char *method;		/* "GET", "POST", ... */
	const char *path;		/* URL path, without the query */
	char *body;			/* NUL-terminated; "" when none */
	size_t body_len;
	/* who asks (auth.h): the user of the request's token, or NULL when
	 * the server runs without tokens (loopback only); readonly is 1
	 * for a read-only token (http.c already answered 403 to its
	 * writes, srv_is_write(); a route may refuse more).  remote_addr is
	 * the client's numeric address.  The thread's store handle
	 * (srv_store) acts as this user in the audit log, from this
	 * address. */
	const char *user;
	int readonly;
	const char *remote_addr;
	/* the path as the request line sent it, percent-encoded (NULL when
	 * unknown): for routes that must tell %2F from / */
	const char *raw_path;
	/* filled by the handler */
	int status;
	char *reply;			/* malloc'ed */
	size_t reply_len;
	const char *content_type;
	/* a reply served from a file (srv_reply_fd): reply_fd is owned
	 * while has_fd; libmicrohttpd reads it as the client takes it */
	int has_fd;
	int reply_fd;
	uint64_t reply_fd_size;
	/* private: the decoded form body, name/value pairs */
	char **form;
	size_t nform;
	int form_parsed;
	/* private: the connection's state (http.c); set by srv_suspend */
	void *ctx;
	int deferred;
};

#define SRV_MAX_BODY (16u << 20)

/*
 * A parameter of the query string or, for a POST with
 * application/x-www-form-urlencoded, of the body (as Prometheus' API
 * accepts both).  NULL when absent.  Valid until the request ends.
 */
const char *srv_param(struct srv_req *r, const char *name);

/* Every value of a repeated parameter (e.g. match[]) of the query
 * string then the form body, up to max, into out; returns the count. */
size_t srv_params(struct srv_req *r, const char *name, const char **out,
    size_t max);

/* Replies: the body is copied (or taken, for srv_reply_take). */
void srv_reply(struct srv_req *r, int status, const char *ctype,
    const char *body, size_t len);
void srv_reply_take(struct srv_req *r, int status, const char *ctype,
    char *body);
void srv_replyf(struct srv_req *r, int status, const char *ctype,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A reply whose body is the first size bytes of the open file fd, read
 * as it is sent (a multi-GB file costs no memory).  Takes fd: it is
 * closed when the reply is sent or replaced.  A later srv_reply* replaces
 * it (e.g. an error found after). */
void srv_reply_fd(struct srv_req *r, int status, const char *ctype, int fd,
    uint64_t size);

/* This server thread's own store handle (opened on first use, closed
 * when the server stops); NULL with *why set when it cannot open. */
pl_store *srv_store(const char **why);
/* One handle for a writer serialised by a lock of its own (whichever
 * thread runs it): its cache stays warm.  Owned by the server. */
pl_store *srv_store_shared(const char **why);
/*
 * A reply that comes later, from another thread.  srv_suspend(), called by
 * a route, suspends the request's connection (its pool thread goes on
 * with other connections) and returns a handle; the route then replies
 * nothing.  srv_resume() gives the reply (status, content type, a
 * malloc'ed body it takes; NULL body: 500) and resumes the connection;
 * it must be called exactly once per handle, from any thread, and the
 * handle is not valid afterwards.  srv_suspend() returns NULL when the
 * request cannot wait (no connection: the fuzz harness); the route then
 * replies itself.
 */
struct srv_pending;
struct srv_pending *srv_suspend(struct srv_req *r);
void srv_resume(struct srv_pending *p, int status, const char *ctype,
    char *body);
/* mlflow-commit.c: the log-metric writer thread (-1: not started, and
 * every log-metric then writes for itself).  Stopped before the HTTP
 * daemon, so no request is left suspended. */
int srv_mlflow_start(void);
void srv_mlflow_stop(void);

/* checkpoint.c: the WAL checkpoint thread (-1: could not start it). */
int srv_checkpoint_start(const char *store_dir);
void srv_checkpoint_stop(void);

/* tls.c: reads the PEM certificate and key for libmicrohttpd, after
 * checking it has TLS; 0, or -1 with the reason on log.  Free both with
 * srv_tls_free() (the key is wiped). */
int srv_tls_load(const char *cert_file, const char *key_file, char **cert,
    char **key, FILE *log);
void srv_tls_free(char *cert, char *key);

/* Route handlers (prom-api.c). */
int srv_prom_api(struct srv_req *r);	/* 1 when the path was its */
int srv_metrics(struct srv_req *r);	/* metrics.c: /metrics */
/* mlflow-wire.c: MLflow's tracking API under /api/2.0/mlflow/ (and
 * /ajax-api/2.0/mlflow/); 1 when the path was one of its calls. */
int srv_mlflow(struct srv_req *r);
/* mlflow-artifacts.c: MLflow's artifacts proxy under
 * /api/2.0/mlflow-artifacts/artifacts; 1 when the path was its. */
int srv_mlflow_artifacts(struct srv_req *r);

#endif
