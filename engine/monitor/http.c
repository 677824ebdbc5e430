/* http.c - what the probe and scrape sources share about libcurl: a bounded GET and the reason of a failure. */
#include "config.h"
#include "monitor/http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t
pl__mon_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
pl__mon_budget_ms(double timeout_s, int64_t deadline_ms)
{
	int64_t budget = (int64_t)(timeout_s * 1000);
	int64_t left = deadline_ms - pl__mon_wall_ms();

	return left < budget ? left : budget;
}

void
pl__mon_http_setup(CURL *h, const char *url, const char *ca,
    int64_t budget_ms, char *errbuf)
{
	curl_easy_reset(h);
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* no SIGALRM for DNS timeouts: polls run on worker threads */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)budget_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)budget_ms);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "plumb-watch/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
}

void
pl__mon_http_why(char *into, size_t len, CURL *h, CURLcode cc,
    const char *errbuf, int64_t budget_ms)
{
	long oserr = 0;
	char *ip = NULL;
	long port = 0;

	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(h, CURLINFO_PRIMARY_PORT, &port);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		snprintf(into, len, "timeout after %.3g s",
		    (double)budget_ms / 1000);
	else if (cc == CURLE_COULDNT_CONNECT && oserr == ECONNREFUSED &&
	    ip && *ip && port > 0)
		snprintf(into, len, "connection refused (%s:%ld)", ip, port);
	else if (cc == CURLE_COULDNT_CONNECT && oserr == ECONNREFUSED)
		snprintf(into, len, "connection refused");
	else if (cc == CURLE_COULDNT_CONNECT && oserr != 0)
		snprintf(into, len, "cannot connect: %s", strerror((int)oserr));
	else if (cc == CURLE_GOT_NOTHING)
		snprintf(into, len, "the server closed the connection without "
		    "an answer");
	else
		snprintf(into, len, "%s", errbuf && errbuf[0] ? errbuf :
		    curl_easy_strerror(cc));
}
