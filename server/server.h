/* server.h - plumb serve: the HTTP(S) front end (Prometheus query API, health; MLflow REST to come), entry point for server/serve-cmd.c. */
#ifndef PL_SERVER_SERVER_H
#define PL_SERVER_SERVER_H

#include <stdio.h>

#include "plumb.h"

struct server_opts {
	const char *host;	/* address to bind; NULL: 127.0.0.1 */
	int port;		/* < 0: 5000; 0: any free port */
	const char *token_file;	/* NULL: no token (loopback only) */
	const char *cert_file;	/* PEM certificate (chain) for HTTPS, with */
	const char *key_file;	/* its PEM private key; both or neither */
	int verbose;		/* one log line per request on log */
	int threads;		/* 0: 4 */
	FILE *log;		/* start/stop and request lines */
};

/* Exit statuses of server_main(), as the CLI's. */
enum { SERVER_OK = 0, SERVER_FAIL = 1, SERVER_USAGE = 2 };

/*
 * Serves the store of st (its directory: each server thread opens its
 * own handle) until SIGINT or SIGTERM.  A host other than loopback
 * without a token file is refused (SERVER_USAGE, message on log).
 * Returns SERVER_OK after a clean stop, else SERVER_FAIL.
 */
int server_main(pl_store *st, const struct server_opts *o);

#endif
