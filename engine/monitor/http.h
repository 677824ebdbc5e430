/* http.h - what the probe and scrape sources share about libcurl: a bounded GET and the reason of a failure. */
#ifndef PL_ENGINE_MONITOR_HTTP_H
#define PL_ENGINE_MONITOR_HTTP_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

/* Wall clock in ms (what the watcher's deadlines are given in). */
int64_t pl__mon_wall_ms(void);

/*
 * The time a request may take: the target's timeout, cut to what is
 * left before deadline_ms; < 1 when nothing is left.
 */
int64_t pl__mon_budget_ms(double timeout_s, int64_t deadline_ms);

/*
 * Resets h and sets it up for one GET of url within budget_ms (connect
 * included): no signals (threads), http/https only (redirects too, at
 * most 10 followed), plumb's user agent, errbuf (CURL_ERROR_SIZE) for
 * libcurl's message; ca (may be NULL: the system's) the PEM file of the
 * CAs https certificates are checked against.  The caller adds its own
 * body handling.
 */
void pl__mon_http_setup(CURL *h, const char *url, const char *ca,
    int64_t budget_ms, char *errbuf);

/*
 * A short reason for a failed transfer: "connection refused
 * (127.0.0.1:9)", "timeout after 2 s", "could not resolve host ...", or
 * libcurl's message.  into[len].
 */
void pl__mon_http_why(char *into, size_t len, CURL *h, CURLcode cc,
    const char *errbuf, int64_t budget_ms);

#endif
