/* mlflow-load.c - benchmark helper: MLflow REST load on plumb serve over keep-alive connections (log-batch throughput, concurrent log-metric latency). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage:
 *   mlflow-load batch PORT RUN_ID REQUESTS
 *       one connection, REQUESTS runs/log-batch of 1000 points each (10
 *       keys x 100 steps); prints "points N seconds S rate R errors E"
 *   mlflow-load metric PORT RUN_ID CLIENTS PER_CLIENT
 *   mlflow-load health PORT - CLIENTS PER_CLIENT
 *       CLIENTS threads, one connection each, PER_CLIENT requests each
 *       (runs/log-metric of key cK at steps 0.., or GET /health: the
 *       HTTP floor without the store); prints "requests N p50_ms X
 *       p99_ms Y max_ms Z errors E seconds S"
 *   mlflow-load idle PORT - CONNECTIONS SECONDS
 *       opens CONNECTIONS keep-alive connections, one GET /health on
 *       each, prints "open N" (flushed), holds them all idle for
 *       SECONDS, then asks /health again on each and prints "held N
 *       answered M": whether the server kept every idle connection
 * A plain client (no libcurl): what is timed is the server.
 */

static int port;
static const char *run_id;

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
dial(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Sends one request, reads the whole reply; returns its status or -1. */
static int
roundtrip(int fd, const char *method, const char *path, const char *body)
{
	char head[512], buf[65536];
	size_t blen = body ? strlen(body) : 0, have = 0;
	int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1"
	    "\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
	    method, path, blen);
	char *end;
	long clen;
	int status;

	if (write_all(fd, head, (size_t)n) < 0 ||
	    (blen && write_all(fd, body, blen) < 0))
		return -1;
	for (;;) {
		ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);

		if (r <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
		if (have == sizeof buf - 1)
			return -1;
	}
	status = atoi(buf + 9);
	{
		char *cl = strcasestr(buf, "Content-Length:");

		clen = cl && cl < end ? atol(cl + 15) : 0;
	}
	while ((long)(have - (size_t)(end + 4 - buf)) < clen) {
		ssize_t r = read(fd, buf, sizeof buf);

		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
	return status;
}

static int
batch(long requests)
{
	size_t cap = 1 << 17;
	char **bodies = calloc((size_t)requests, sizeof *bodies);
	double t0;
	long errors = 0;
	int fd = dial();

	if (fd < 0 || bodies == NULL) {
		fprintf(stderr, "mlflow-load: cannot connect to port %d\n", port);
		return 1;
	}
	/* The bodies are made before the clock starts: the client's
	 * printf of 1000 numbers is not the server's time. */
	for (long r = 0; r < requests; r++) {
		char *body = bodies[r] = malloc(cap);
		size_t o;

		if (body == NULL)
			return 1;
		o = (size_t)snprintf(body, cap, "{\"run_id\":\"%s\","
		    "\"metrics\":[", run_id);
		for (int i = 0; i < 1000; i++)
			o += (size_t)snprintf(body + o, cap - o, "%s{\"key\":"
			    "\"k%d\",\"value\":%.6f,\"timestamp\":%ld,\"step\":"
			    "%ld}", i ? "," : "", i % 10, 1.0 / (i + 1 + r),
			    1767225600000L + r, r * 100 + i / 10);
		snprintf(body + o, cap - o, "]}");
	}
	t0 = now_s();
	for (long r = 0; r < requests; r++)
		if (roundtrip(fd, "POST", "/api/2.0/mlflow/runs/log-batch",
		    bodies[r]) != 200)
			errors++;
	{
		double s = now_s() - t0;

		printf("points %ld seconds %.3f rate %.0f errors %ld\n",
		    requests * 1000, s, (double)requests * 1000 / s, errors);
	}
	close(fd);
	for (long r = 0; r < requests; r++)
		free(bodies[r]);
	free(bodies);
	return 0;
}

struct client {
	pthread_t th;
	int k, health;
	long n, errors;
	double *lat;		/* seconds per request */
};

static void *
client_main(void *arg)
{
	struct client *c = arg;
	char body[256];
	int fd = dial();

	if (fd < 0) {
		c->errors = c->n;
		return NULL;
	}
	for (long i = 0; i < c->n; i++) {
		double t0 = now_s();
		int st;

		if (c->health) {
			st = roundtrip(fd, "GET", "/health", NULL);
		} else {
			snprintf(body, sizeof body, "{\"run_id\":\"%s\",\"key\":"
			    "\"c%d\",\"value\":%ld,\"timestamp\":%ld,\"step\":"
			    "%ld}", run_id, c->k, i, 1767225600000L + i, i);
			st = roundtrip(fd, "POST",
			    "/api/2.0/mlflow/runs/log-metric", body);
		}
		c->lat[i] = now_s() - t0;
		if (st != 200) {
			c->errors++;
			if (st < 0) {	/* the connection broke: redial */
				close(fd);
				if ((fd = dial()) < 0) {
					c->errors += c->n - i - 1;
					return NULL;
				}
			}
		}
	}
	close(fd);
	return NULL;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
concurrent(int health, int nclients, long per)
{
	struct client *cl = calloc((size_t)nclients, sizeof *cl);
	double *all = malloc((size_t)nclients * (size_t)per * sizeof *all), t0;
	long errors = 0, n = 0;

	if (cl == NULL || all == NULL)
		return 1;
	t0 = now_s();
	for (int i = 0; i < nclients; i++) {
		cl[i].k = i;
		cl[i].health = health;
		cl[i].n = per;
		cl[i].lat = all + (size_t)i * (size_t)per;
		pthread_create(&cl[i].th, NULL, client_main, &cl[i]);
	}
	for (int i = 0; i < nclients; i++) {
		pthread_join(cl[i].th, NULL);
		errors += cl[i].errors;
	}
	n = (long)nclients * per;
	qsort(all, (size_t)n, sizeof *all, cmp_d);
	printf("requests %ld p50_ms %.3f p99_ms %.3f max_ms %.3f errors %ld "
	    "seconds %.3f\n", n, all[n / 2] * 1e3, all[(n * 99) / 100] * 1e3,
	    all[n - 1] * 1e3, errors, now_s() - t0);
	free(all);
	free(cl);
	return 0;
}

static int
idle(int nconn, int seconds)
{
	int *fd = malloc((size_t)nconn * sizeof *fd), open_n = 0, ok = 0;

	if (fd == NULL)
		return 1;
	for (int i = 0; i < nconn; i++)
		if ((fd[i] = dial()) >= 0 &&
		    roundtrip(fd[i], "GET", "/health", NULL) == 200)
			open_n++;
	printf("open %d\n", open_n);
	fflush(stdout);
	sleep((unsigned)seconds);
	for (int i = 0; i < nconn; i++)
		if (fd[i] >= 0 && roundtrip(fd[i], "GET", "/health", NULL) == 200)
			ok++;
	printf("held %d answered %d\n", open_n, ok);
	for (int i = 0; i < nconn; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: mlflow-load batch PORT RUN_ID REQUESTS\n"
		    "       mlflow-load metric|health PORT RUN_ID CLIENTS "
		    "PER_CLIENT\n"
		    "       mlflow-load idle PORT - CONNECTIONS SECONDS\n");
		return 2;
	}
	/* a server that stops mid-load is counted as errors, not a
	 * SIGPIPE that kills the load before it prints */
	signal(SIGPIPE, SIG_IGN);
	port = atoi(argv[2]);
	run_id = argv[3];
	if (strcmp(argv[1], "batch") == 0)
		return batch(atol(argv[4]));
	if (argc < 6)
		return 2;
	if (strcmp(argv[1], "idle") == 0)
		return idle(atoi(argv[4]), atoi(argv[5]));
	return concurrent(strcmp(argv[1], "health") == 0, atoi(argv[4]),
	    atol(argv[5]));
}
