/* scrape-bench.c - benchmarks of the scrape source and the series store: scrape+parse+store, bytes per sample, a 30-day read. */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config/monitor.h"
#include "monitor/source.h"
#include "plumb.h"

/*
 * tests/bench/scrape-bench scrape STORE_DIR EXPO_OUT
 *   Serves a 1,000-series exposition (counters, gauges and histograms
 *   with labels, as a real service's /metrics) from a loopback HTTP
 *   server thread, and times the scrape source's poll (libcurl GET,
 *   expfmt parse, sink) plus the drain into the series writer and its
 *   flush (one transaction), 15 s of series time apart.  Baseline in
 *   the same run: the bare libcurl GET of the same body (transfer
 *   only).  Writes the exposition to EXPO_OUT for promtool.
 *   Prints: "scrape MEDIAN_MS P90_MS GET_MS SERIES POLL_MS FLUSH_MS"
 *   (medians; POLL the source's poll, FLUSH the store's transaction).
 * tests/bench/scrape-bench storage STORE_DIR
 *   1,000 series x 1 day at 15 s through pl_ts_append/flush (a flush
 *   per 15-s round, as the watcher does), values of a real service's
 *   mix (below).  Prints "storage SAMPLES BYTES_DELTA SECONDS WAL_PEAK"
 *   where BYTES_DELTA is the growth of the store's files (database, WAL
 *   checkpointed, shared-memory index) over the empty store with the
 *   schema, and WAL_PEAK the largest the WAL grew while writing (seen
 *   after each flush), which the running watcher keeps on disk too.
 * tests/bench/scrape-bench read STORE_DIR
 *   One series, 30 days at 15 s, written; then read back at 5-minute
 *   resolution over the 30 days (pl_ts_read_agg) and, as the baseline,
 *   its raw samples over the same range (pl_ts_read).  Prints
 *   "read AGG_MS POINTS RAW_MS RAW_SAMPLES RES".
 */

#define NSERIES 1000
#define STEP_MS 15000

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ---- the exposition ---- */

static char *body;
static size_t body_len;

/*
 * 1,000 series: 20 counters x 10 label sets (200), 10 gauges x 20 (200),
 * 5 histograms x 8 label sets x (12 buckets + +Inf + sum + count) (600).
 * Values change from round to round as a live service's do.
 */
static void
make_body(int round)
{
	size_t cap = 1 << 20, w = 0;
	static const double le[12] = { 0.0005, 0.001, 0.0025, 0.005, 0.01,
	    0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };

	free(body);
	body = malloc(cap);
#define P(...) (w += (size_t)snprintf(body + w, cap - w, __VA_ARGS__))
	for (int m = 0; m < 20; m++) {
		P("# HELP app_events_%d_total Events of kind %d.\n", m, m);
		P("# TYPE app_events_%d_total counter\n", m);
		for (int l = 0; l < 10; l++)
			P("app_events_%d_total{handler=\"/api/v1/h%d\",code=\"%d\"} "
			    "%d\n", m, l, 200 + l, 1000 * m + 37 * l + round * (l + 1));
	}
	for (int m = 0; m < 10; m++) {
		P("# HELP app_level_%d A gauge.\n# TYPE app_level_%d gauge\n", m,
		    m);
		for (int l = 0; l < 20; l++)
			P("app_level_%d{shard=\"s%02d\"} %.6g\n", m, l,
			    50 + 10 * sin((round + l) * 0.1) + m);
	}
	for (int m = 0; m < 5; m++) {
		P("# HELP rpc_%d_seconds Latency.\n# TYPE rpc_%d_seconds "
		    "histogram\n", m, m);
		for (int l = 0; l < 8; l++) {
			long c = 0, n = 100 + round * 10 + l;

			for (int b = 0; b < 12; b++) {
				c = n * (b + 1) / 13;
				P("rpc_%d_seconds_bucket{method=\"m%d\",le=\"%g\"} "
				    "%ld\n", m, l, le[b], c);
			}
			P("rpc_%d_seconds_bucket{method=\"m%d\",le=\"+Inf\"} %ld\n",
			    m, l, n);
			P("rpc_%d_seconds_sum{method=\"m%d\"} %.9g\n", m, l,
			    n * 0.0123);
			P("rpc_%d_seconds_count{method=\"m%d\"} %ld\n", m, l, n);
		}
	}
#undef P
	body_len = w;
}

/* ---- a loopback HTTP server (keep-alive, one thread per connection) ---- */

static pthread_mutex_t body_mu = PTHREAD_MUTEX_INITIALIZER;

static void *
serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[8192];
	size_t have = 0;

	for (;;) {
		ssize_t r = read(fd, req + have, sizeof req - 1 - have);

		if (r <= 0)
			break;
		have += (size_t)r;
		req[have] = '\0';
		char *end = strstr(req, "\r\n\r\n");
		if (end == NULL) {
			if (have >= sizeof req - 1)
				break;
			continue;
		}
		char hdr[256];
		pthread_mutex_lock(&body_mu);
		int hn = snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain; version=0.0.4\r\n"
		    "Content-Length: %zu\r\n\r\n", body_len);
		/* Header and body in one writev, as real exporters send a
		 * response (Go's net/http buffers it): two write()s would
		 * leave the body's first segment to Nagle, held until the
		 * client's delayed ACK of the header (40 ms on Linux). */
		struct iovec iov[2] = { { hdr, (size_t)hn },
		    { body, body_len } };
		size_t total = (size_t)hn + body_len, sent = 0;
		int ok = 1;
		while (ok && sent < total) {
			ssize_t wr = writev(fd, iov, 2);

			if (wr <= 0) {
				ok = 0;
				break;
			}
			sent += (size_t)wr;
			for (int i = 0; i < 2; i++) {
				size_t k = (size_t)wr < iov[i].iov_len ?
				    (size_t)wr : iov[i].iov_len;

				iov[i].iov_base = (char *)iov[i].iov_base + k;
				iov[i].iov_len -= k;
				wr -= (ssize_t)k;
			}
		}
		pthread_mutex_unlock(&body_mu);
		if (!ok)
			break;
		size_t used = (size_t)(end + 4 - req);
		memmove(req, req + used, have - used);
		have -= used;
	}
	close(fd);
	return NULL;
}

static void *
serve(void *arg)
{
	int ls = (int)(intptr_t)arg;

	for (;;) {
		int c = accept(ls, NULL, NULL);
		pthread_t th;

		if (c < 0)
			continue;
		/* and no Nagle at all, as Go's net package sets it */
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
		    sizeof(int));
		pthread_create(&th, NULL, serve_conn, (void *)(intptr_t)c);
		pthread_detach(th);
	}
	return NULL;
}

static int
start_server(void)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	pthread_t th;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 16) < 0)
		return -1;
	getsockname(ls, (struct sockaddr *)&a, &al);
	pthread_create(&th, NULL, serve, (void *)(intptr_t)ls);
	pthread_detach(th);
	return ntohs(a.sin_port);
}

static size_t
sink_body(char *p, size_t sz, size_t n, void *ud)
{
	size_t *len = ud;

	(void)p;
	*len += sz * n;
	return sz * n;
}

static int
bench_scrape(const char *dir, const char *expo_out)
{
	int port = start_server();
	char url[64];
	pl_mon_target t;
	const pl_mon_source_ops *ops = NULL;
	void *state;
	char err[256];
	pl_store *st = NULL;
	pl_ts_writer *w = NULL;
	pl_mon_sink *k = NULL;
	pl_mon_env env = { NULL, dir };
	double times[60], gets[60], polls[60], flushes[60];
	int n = 0;
	FILE *f;

	if (port < 0)
		return 1;
	make_body(0);
	if ((f = fopen(expo_out, "w")) != NULL) {
		fwrite(body, 1, body_len, f);
		fclose(f);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", port);
	memset(&t, 0, sizeof t);
	t.name = "bench";
	t.scrape.url = url;
	t.scrape.timeout_s = 5;
	t.scrape.limit = PL_MON_SCRAPE_LIMIT_DEFAULT;
	for (size_t i = 0; pl_mon_sources[i]; i++)
		if (!strcmp(pl_mon_sources[i]->kind, "scrape"))
			ops = pl_mon_sources[i];
	if (ops == NULL || ops->open(&state, &t, &env, err, sizeof err) != PL_OK ||
	    pl_store_init(&st, dir) != PL_OK || pl_ts_writer_open(&w, st) != PL_OK ||
	    pl_mon_sink_new(&k, "bench") != PL_OK) {
		fprintf(stderr, "scrape-bench: setup failed: %s\n", err);
		return 1;
	}
	int64_t t0 = wall_ms() - 70LL * STEP_MS;
	for (int r = 0; r < 63; r++) {
		pthread_mutex_lock(&body_mu);
		make_body(r);
		pthread_mutex_unlock(&body_mu);
		size_t drained = 0;
		double a = now_s();

		pl_mon_sink_reset(k);
		int bad = ops->poll(state, t0 + (int64_t)r * STEP_MS,
		    wall_ms() + 5000, k) != PL_OK;
		double am = now_s();
		bad = bad || pl_mon_sink_drain(&drained, k, w, st) != PL_OK;
		double af = now_s();
		if (bad || pl_ts_flush(w) != PL_OK) {
			fprintf(stderr, "scrape-bench: round failed: %s\n",
			    pl_ts_writer_errmsg(w));
			return 1;
		}
		double b = now_s();
		if (r == 0 && drained < NSERIES) {
			fprintf(stderr, "scrape-bench: only %zu samples\n",
			    drained);
			return 1;
		}
		if (r >= 3) {	/* warm-up: series created, buffers grown */
			polls[n] = (am - a) * 1000;
			flushes[n] = (b - af) * 1000;
			times[n++] = (b - a) * 1000;
		}
	}
	/* baseline: the GET alone, same server, same body, same handle
	 * reuse (keep-alive) */
	CURL *h = curl_easy_init();
	for (int r = 0; r < 63; r++) {
		size_t len = 0;
		double a = now_s();

		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &len);
		curl_easy_perform(h);
		double b = now_s();
		if (r >= 3)
			gets[r - 3] = (b - a) * 1000;
	}
	curl_easy_cleanup(h);
	qsort(times, (size_t)n, sizeof *times, cmp_d);
	qsort(gets, (size_t)n, sizeof *gets, cmp_d);
	qsort(polls, (size_t)n, sizeof *polls, cmp_d);
	qsort(flushes, (size_t)n, sizeof *flushes, cmp_d);
	printf("scrape %.3f %.3f %.3f %zu %.3f %.3f\n", times[n / 2],
	    times[(n * 9) / 10], gets[n / 2], (size_t)NSERIES, polls[n / 2],
	    flushes[n / 2]);
	ops->close(state);
	pl_mon_sink_free(k);
	pl_ts_writer_close(w);
	pl_store_close(st);
	return 0;
}

/* ---- storage ---- */

static long long
dir_bytes(const char *dir)
{
	static const char *const names[] = { "plumb.db", "plumb.db-wal",
	    "plumb.db-shm", NULL };
	long long n = 0;
	char p[4096];
	struct stat sb;

	for (int i = 0; names[i]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		if (stat(p, &sb) == 0)
			n += (long long)sb.st_size;
	}
	return n;
}

/* A deterministic pseudo-random stream (xorshift). */
static uint64_t rng = 88172645463325252ULL;
static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/*
 * Value mix of a real service's /metrics (the node exporter's and the
 * model server's, by series count): 40% counters growing by small
 * integers, 30% histogram buckets (cumulative counters), 20% gauges
 * that rarely change (sizes, limits, states), 10% float gauges
 * (temperatures, load, latencies) with 4 significant digits.
 */
static double
next_value(int s, double prev)
{
	int kind = s % 10;

	if (kind < 4)
		return prev + (double)(int)(urand() * 10);
	if (kind < 7)
		return prev + (double)(int)(urand() * 3);
	if (kind < 9)
		return urand() < 0.01 ? (double)(int)(urand() * 1000) : prev;
	double v = prev + (urand() - 0.5) * 0.2;
	return round(v * 1000) / 1000;
}

static int
bench_storage(const char *dir)
{
	pl_store *st = NULL;
	pl_ts_writer *w = NULL;
	int64_t refs[NSERIES];
	double vals[NSERIES];
	const int64_t rounds = 86400000 / STEP_MS;
	int64_t t0 = 1767225600000LL;	/* 2026-01-01, aligned on 2 h */

	/* the empty store, schema included, checkpointed, is the base */
	if (pl_store_init(&st, dir) != PL_OK)
		return 1;
	pl_store_close(st);
	long long base = dir_bytes(dir);
	if (pl_store_open(&st, dir, 0) != PL_OK ||
	    pl_ts_writer_open(&w, st) != PL_OK)
		return 1;
	for (int s = 0; s < NSERIES; s++) {
		char name[64], inst[32];
		pl_label l[3] = { { "target", "api" }, { "instance", inst },
		    { "job", "node" } };

		snprintf(name, sizeof name, "bench_metric_%d", s / 10);
		snprintf(inst, sizeof inst, "10.0.0.%d:9100", s % 10);
		if (pl_ts_ref(&refs[s], w, name, l, 3) != PL_OK)
			return 1;
		vals[s] = (double)(s % 10 < 9 ? 0 : 20);
	}
	double a = now_s();
	long long wal_peak = 0;
	char walp[4096];
	snprintf(walp, sizeof walp, "%s/plumb.db-wal", dir);
	for (int64_t r = 0; r < rounds; r++) {
		int64_t t = t0 + r * STEP_MS + (int64_t)(urand() * 40) - 20;

		for (int s = 0; s < NSERIES; s++) {
			vals[s] = next_value(s, vals[s]);
			if (pl_ts_append_ref(w, refs[s], t, vals[s]) != PL_OK)
				return 1;
		}
		if (pl_ts_flush(w) != PL_OK) {
			fprintf(stderr, "flush: %s\n", pl_ts_writer_errmsg(w));
			return 1;
		}
		struct stat sb;
		if (stat(walp, &sb) == 0 && (long long)sb.st_size > wal_peak)
			wal_peak = (long long)sb.st_size;
	}
	if (pl_ts_writer_close(w) != PL_OK)
		return 1;
	double b = now_s();
	pl_store_close(st);
	/* reopen and close: the WAL is checkpointed into the database */
	if (pl_store_open(&st, dir, 0) != PL_OK)
		return 1;
	pl_store_close(st);
	printf("storage %lld %lld %.1f %lld\n", (long long)rounds * NSERIES,
	    dir_bytes(dir) - base, b - a, wal_peak);
	return 0;
}

static int
bench_read(const char *dir)
{
	pl_store *st = NULL;
	pl_ts_writer *w = NULL;
	pl_label l = { "target", "api" };
	int64_t ref, t0 = 1767225600000LL, days = 30;
	int64_t n = days * 86400000 / STEP_MS, id;
	double v = 0;
	pl_ts_set *set;
	pl_matcher m = { "__name__", PL_MATCH_EQ, "read_series" };

	if (pl_store_init(&st, dir) != PL_OK || pl_ts_writer_open(&w, st) != PL_OK ||
	    pl_ts_ref(&ref, w, "read_series", &l, 1) != PL_OK)
		return 1;
	for (int64_t i = 0; i < n; i++) {
		v += (double)(int)(urand() * 10);
		if (pl_ts_append_ref(w, ref, t0 + i * STEP_MS, v) != PL_OK)
			return 1;
		if (i % 5760 == 5759 && pl_ts_flush(w) != PL_OK)
			return 1;
	}
	if (pl_ts_writer_close(w) != PL_OK ||
	    pl_ts_select(&set, st, &m, 1) != PL_OK || set->n != 1)
		return 1;
	id = set->v[0].id;
	pl_ts_set_free(set);
	pl_store_close(st);
	if (pl_store_open(&st, dir, 0) != PL_OK)
		return 1;

	double best = 1e9, rbest = 1e9;
	size_t points = 0, raw = 0;
	int64_t res = -1;
	for (int rep = 0; rep < 7; rep++) {
		pl_ts_agg *agg;
		pl_ts_sample *smp;
		size_t na, ns;
		double a = now_s();

		if (pl_ts_read_agg(&agg, &na, &res, st, id, t0,
		    t0 + days * 86400000 - 1, 300000) != PL_OK)
			return 1;
		double b = now_s();
		if (pl_ts_read(&smp, &ns, st, id, t0,
		    t0 + days * 86400000 - 1) != PL_OK)
			return 1;
		double c = now_s();
		free(agg);
		free(smp);
		points = na;
		raw = ns;
		if (b - a < best)
			best = b - a;
		if (c - b < rbest)
			rbest = c - b;
	}
	printf("read %.3f %zu %.3f %zu %lld\n", best * 1000, points,
	    rbest * 1000, raw, (long long)res);
	pl_store_close(st);
	return 0;
}

int
main(int argc, char **argv)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc == 4 && !strcmp(argv[1], "scrape"))
		return bench_scrape(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "storage"))
		return bench_storage(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return bench_read(argv[2]);
	fprintf(stderr, "usage: scrape-bench scrape DIR EXPO | storage DIR | "
	    "read DIR\n");
	return 2;
}
