/* probe.c - the HTTP(S) probe source of plumb watch (libcurl): up/down, status, latency by phase, TLS expiry. */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor/http.h"
#include "monitor/names.h"
#include "monitor/source.h"
#include "store/error.h"

/*
 * One GET of the target's probe: URL per round, as Prometheus' blackbox
 * exporter's http prober does with its defaults (follow up to 10
 * redirects, success = a final 2xx status).  Series (target label added
 * by the sink):
 *
 *   probe_success                     1 or 0
 *   probe_duration_seconds            the whole probe
 *   probe_http_status_code            final status (0: no answer)
 *   probe_http_duration_seconds{phase="resolve|connect|tls|processing|
 *                                      transfer"}
 *       resolve + connect + tls + processing is the time to first byte
 *       (processing ends at the first byte of the answer); tls is 0 for
 *       http://.  Written only when an answer came.
 *   probe_http_ssl                    1 when the final URL was https
 *   probe_ssl_earliest_cert_expiry    Unix seconds of the earliest
 *       notAfter of the certificates the server sent (https only)
 *
 * The state (key "probe") is "up", or "down" with the reason: the
 * libcurl error ("Failed to connect to 127.0.0.1 port 9: Connection
 * refused", "timeout after 5 s") or "HTTP 503".
 *
 * Time: the request gets min(target timeout, time left before the
 * round's deadline), for connecting too, so a target that accepts and
 * never answers costs its own deadline and nothing more.  libcurl runs
 * with CURLOPT_NOSIGNAL (threads: no SIGALRM for DNS timeouts).
 */

struct probe {
	CURL *h;
	char *url;
	char *ca;		/* NULL: the system's CAs */
	char *target;
	double timeout_s;
	char err[CURL_ERROR_SIZE];
};

static int
probe_wants(const pl_mon_target *t)
{
	return t->probe.url != NULL;
}

static size_t
discard(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return sz * n;	/* the body does not matter, its arrival does */
}

static int
probe_open(void **state, const pl_mon_target *t, const pl_mon_env *env,
    char *err, size_t err_len)
{
	struct probe *p;

	(void)env;
	*state = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, err_len, "probe: libcurl did not initialise");
		return PL_EIO;
	}
	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->url = strdup(t->probe.url)) == NULL ||
	    (p->target = strdup(t->name)) == NULL ||
	    (t->probe.ca && (p->ca = strdup(t->probe.ca)) == NULL) ||
	    (p->h = curl_easy_init()) == NULL) {
		if (p) {
			free(p->ca);
			free(p->url);
			free(p->target);
		}
		free(p);
		curl_global_cleanup();
		snprintf(err, err_len, "probe: out of memory");
		return PL_ENOMEM;
	}
	p->timeout_s = t->probe.timeout_s > 0 ? t->probe.timeout_s :
	    PL_MON_TIMEOUT_DEFAULT;
	*state = p;
	return PL_OK;
}

/* Unix time of an OpenSSL-printed date ("Mar  1 12:00:00 2030 GMT"),
 * or -1. */
static int64_t
cert_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	while (*s == ' ')
		s++;
	end = strptime(s, "%b %d %H:%M:%S %Y", &tm);
	if (end == NULL)
		return -1;
	return (int64_t)timegm(&tm);
}

/* The earliest "Expire date:" of the chain libcurl saw, or -1. */
static int64_t
earliest_expiry(CURL *h)
{
	struct curl_certinfo *ci = NULL;
	int64_t best = -1;

	if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL)
		return -1;
	for (int i = 0; i < ci->num_of_certs; i++)
		for (struct curl_slist *l = ci->certinfo[i]; l; l = l->next)
			if (strncmp(l->data, "Expire date:", 12) == 0) {
				int64_t t = cert_time(l->data + 12);

				if (t >= 0 && (best < 0 || t < best))
					best = t;
			}
	return best;
}

static double
secs(CURL *h, CURLINFO what)
{
	curl_off_t us = 0;

	if (curl_easy_getinfo(h, what, &us) != CURLE_OK || us < 0)
		return 0;
	return (double)us / 1e6;
}

static int
put(pl_mon_sink *k, const char *name, int64_t t, double v)
{
	return pl_mon_sink_sample(k, name, NULL, 0, t, v);
}

static int
put_phase(pl_mon_sink *k, const char *phase, int64_t t, double v)
{
	pl_label l = { "phase", phase };

	return pl_mon_sink_sample(k, PL_SERIES_PROBE_PHASE, &l, 1, t,
	    v < 0 ? 0 : v);
}

static int
probe_poll(void *state, int64_t now_ms, int64_t deadline_ms,
    pl_mon_sink *k)
{
	struct probe *p = state;
	CURL *h = p->h;
	CURLcode cc;
	long code = 0;
	int64_t budget_ms = pl__mon_budget_ms(p->timeout_s, deadline_ms);
	char detail[CURL_ERROR_SIZE + 64];
	struct timespec t0, t1;
	int rc = PL_OK, ok, https = 0;
	char *eff = NULL;

	if (budget_ms < 1) {
		/* no time left this round: a failed probe, said so */
		if ((rc = put(k, PL_SERIES_PROBE_SUCCESS, now_ms, 0)) != PL_OK)
			return rc;
		return pl_mon_sink_state(k, "probe", "down",
		    "no time left before the round's deadline");
	}
	pl__mon_http_setup(h, p->url, p->ca, budget_ms, p->err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
	/* a fresh connection per probe, as blackbox does: what is measured
	 * includes connecting, and a dead keep-alive socket is not reused */
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = curl_easy_perform(h);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double dur = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK &&
	    eff && strncmp(eff, "https://", 8) == 0)
		https = 1;
	ok = cc == CURLE_OK && code >= 200 && code < 300;
	if ((rc = put(k, PL_SERIES_PROBE_SUCCESS, now_ms, ok)) != PL_OK ||
	    (rc = put(k, PL_SERIES_PROBE_DURATION, now_ms, dur)) != PL_OK ||
	    (rc = put(k, PL_SERIES_PROBE_STATUS, now_ms, (double)code)) != PL_OK ||
	    (rc = put(k, "probe_http_ssl", now_ms, https)) != PL_OK)
		return rc;
	if (code > 0) {
		double dns = secs(h, CURLINFO_NAMELOOKUP_TIME_T);
		double con = secs(h, CURLINFO_CONNECT_TIME_T);
		double app = secs(h, CURLINFO_APPCONNECT_TIME_T);
		double first = secs(h, CURLINFO_STARTTRANSFER_TIME_T);
		double total = secs(h, CURLINFO_TOTAL_TIME_T);
		double ready = app > con ? app : con;

		if ((rc = put_phase(k, "resolve", now_ms, dns)) != PL_OK ||
		    (rc = put_phase(k, "connect", now_ms, con - dns)) != PL_OK ||
		    (rc = put_phase(k, "tls", now_ms,
		    app > 0 ? app - con : 0)) != PL_OK ||
		    (rc = put_phase(k, "processing", now_ms,
		    first - ready)) != PL_OK ||
		    (rc = put_phase(k, "transfer", now_ms,
		    total - first)) != PL_OK)
			return rc;
	}
	if (https) {
		int64_t exp = earliest_expiry(h);

		if (exp >= 0 && (rc = put(k, PL_SERIES_PROBE_CERT_EXPIRY,
		    now_ms, (double)exp)) != PL_OK)
			return rc;
	}
	if (ok)
		return pl_mon_sink_state(k, "probe", "up", "");
	if (cc != CURLE_OK)
		pl__mon_http_why(detail, sizeof detail, h, cc, p->err,
		    budget_ms);
	else
		snprintf(detail, sizeof detail, "HTTP %ld", code);
	return pl_mon_sink_state(k, "probe", "down", detail);
}

static void
probe_close(void *state)
{
	struct probe *p = state;

	if (p == NULL)
		return;
	curl_easy_cleanup(p->h);
	free(p->url);
	free(p->ca);
	free(p->target);
	free(p);
	curl_global_cleanup();
}

const pl_mon_source_ops pl_mon_probe_ops = {
	.kind = "probe",
	.wants = probe_wants,
	.open = probe_open,
	.poll = probe_poll,
	.close = probe_close,
};
