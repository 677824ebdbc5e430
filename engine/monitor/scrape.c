/* scrape.c - the Prometheus scrape source of plumb watch: GET /metrics (libcurl), parse (expfmt), queue every sample. */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor/expfmt.h"
#include "monitor/http.h"
#include "monitor/names.h"
#include "monitor/source.h"
#include "store/error.h"

/*
 * One GET of the target's scrape: URL per round, asking for the text
 * format 0.0.4 (gzip accepted), then every sample of the body into the
 * sink with its own labels plus `target` (a scraped `target` label is
 * kept as `exported_target`, as Prometheus does with honor_labels off).
 * Histograms and summaries stay their _bucket/_sum/_count/{quantile}
 * series.  A sample without a timestamp gets the scrape's start time.
 *
 * Per scrape, as Prometheus writes them:
 *   up                          1 when the GET gave a 2xx body, else 0
 *   scrape_duration_seconds
 *   scrape_samples_scraped      samples in the body
 *   scrape_malformed_lines      lines of the body that did not parse
 *   plumb_malformed_lines_total{source="scrape"}  the same, summed since
 *                               the source opened (a counter)
 *
 * The state (key "scrape") is "up"; "malformed" while the body has bad
 * lines (detail: how many and the first one's LINE:COL and problem);
 * "down" with the reason (libcurl's error, "HTTP 500", "response larger
 * than the limit of N bytes").  A target going down also queues a
 * scrape-failure event (once per failure, not per round).
 *
 * Staleness: a series scraped last round and missing from this one (or
 * every series of a failed scrape) gets Prometheus' staleness marker, so
 * a query stops seeing it at once instead of 5 minutes later.  Series
 * whose samples carry their own timestamps are left alone, as in
 * Prometheus.
 *
 * Limits: the body may hold at most the target's limit (default 10 MB,
 * counted after decompression); past it the transfer is aborted and the
 * scrape fails.  Time: min(target timeout, time left before the round's
 * deadline) for the whole transfer.  A garbage body is bad lines, never
 * a crash (tests/fuzz/expfmt-fuzz.c).
 */

struct scrape {
	CURL *h;
	struct curl_slist *hdrs;
	char *url;
	char *ca;		/* NULL: the system's CAs */
	double timeout_s;
	int64_t limit;
	/* the body */
	char *body;
	size_t len, cap;
	int over;		/* the body passed the limit */
	char err[CURL_ERROR_SIZE];
	/* series of the last scrape (keys, sorted) and of this one */
	char **prev, **cur;
	size_t nprev, ncur, capcur;
	int64_t malformed_total;
	int was_up;		/* -1 before the first scrape */
	/* this round */
	pl_mon_sink *sink;
	int64_t t_ms;
	int cb_rc;
};

static int
scrape_wants(const pl_mon_target *t)
{
	return t->scrape.url != NULL;
}

static size_t
grow_body(char *p, size_t sz, size_t n, void *ud)
{
	struct scrape *s = ud;
	size_t add = sz * n;

	if ((int64_t)(s->len + add) > s->limit) {
		s->over = 1;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (s->len + add + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		char *nb;

		while (cap < s->len + add + 1)
			cap *= 2;
		if ((nb = realloc(s->body, cap)) == NULL)
			return 0;
		s->body = nb;
		s->cap = cap;
	}
	memcpy(s->body + s->len, p, add);
	s->len += add;
	return add;
}

static int
scrape_open(void **state, const pl_mon_target *t, const pl_mon_env *env,
    char *err, size_t err_len)
{
	struct scrape *s;
	char hdr[96];

	(void)env;
	*state = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, err_len, "scrape: libcurl did not initialise");
		return PL_EIO;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		goto nomem;
	s->was_up = -1;
	s->timeout_s = t->scrape.timeout_s > 0 ? t->scrape.timeout_s :
	    PL_MON_TIMEOUT_DEFAULT;
	s->limit = t->scrape.limit > 0 ? t->scrape.limit :
	    PL_MON_SCRAPE_LIMIT_DEFAULT;
	snprintf(hdr, sizeof hdr, "X-Prometheus-Scrape-Timeout-Seconds: %g",
	    s->timeout_s);
	if ((s->url = strdup(t->scrape.url)) == NULL ||
	    (t->scrape.ca && (s->ca = strdup(t->scrape.ca)) == NULL) ||
	    (s->h = curl_easy_init()) == NULL ||
	    (s->hdrs = curl_slist_append(NULL, "Accept: text/plain;"
	    "version=0.0.4;q=1.0,*/*;q=0.1")) == NULL ||
	    curl_slist_append(s->hdrs, hdr) == NULL)
		goto nomem;
	*state = s;
	return PL_OK;
nomem:
	if (s) {
		curl_slist_free_all(s->hdrs);
		curl_easy_cleanup(s->h);
		free(s->url);
		free(s->ca);
		free(s);
	}
	curl_global_cleanup();
	snprintf(err, err_len, "scrape: out of memory");
	return PL_ENOMEM;
}

/*
 * A series key: name, then each label as "\xffname\xfevalue" in the
 * order given (bytes that valid UTF-8 never holds; expfmt checked the
 * values) (a server writes a series' labels in the same order every
 * time; were it not to, the marker written for the "old" order comes
 * after the sample at the same time and is dropped by the store).
 */
static char *
series_key(const char *name, const pl_label *l, size_t nl)
{
	size_t n = strlen(name) + 1;
	char *k, *w;

	for (size_t i = 0; i < nl; i++)
		n += strlen(l[i].name) + strlen(l[i].value) + 2;
	if ((k = malloc(n)) == NULL)
		return NULL;
	w = stpcpy(k, name);
	for (size_t i = 0; i < nl; i++) {
		*w++ = '\xff';
		w = stpcpy(w, l[i].name);
		*w++ = '\xfe';
		w = stpcpy(w, l[i].value);
	}
	return k;
}

/* Queues a staleness marker for the series of key (modified). */
static int
mark_stale(struct scrape *s, char *key)
{
	pl_label l[65];
	size_t nl = 0;
	char *p = strchr(key, '\xff');

	while (p != NULL && nl < 65) {
		*p++ = '\0';
		l[nl].name = p;
		p = strchr(p, '\xfe');
		if (p == NULL)
			break;
		*p++ = '\0';
		l[nl].value = p;
		nl++;
		p = strchr(p, '\xff');
	}
	return pl_mon_sink_sample(s->sink, key, l, nl, s->t_ms, pl_ts_stale());
}

static int
on_sample(void *ctx, const char *name, const pl_label *labels, size_t nl,
    double v, int has_ts, int64_t ts)
{
	struct scrape *s = ctx;
	pl_label l[64];
	int rc;

	/* expfmt hands at most 64 labels */
	memcpy(l, labels, nl * sizeof *l);
	for (size_t i = 0; i < nl; i++)
		if (!strcmp(l[i].name, "target"))
			l[i].name = "exported_target";
	rc = pl_mon_sink_sample(s->sink, name, l, nl, has_ts ? ts : s->t_ms,
	    v);
	if (rc != PL_OK)
		return rc;
	if (!has_ts) {
		if (s->ncur == s->capcur) {
			size_t cap = s->capcur ? s->capcur * 2 : 256;
			char **c = realloc(s->cur, cap * sizeof *c);

			if (c == NULL)
				return PL_ENOMEM;
			s->cur = c;
			s->capcur = cap;
		}
		if ((s->cur[s->ncur] = series_key(name, l, nl)) == NULL)
			return PL_ENOMEM;
		s->ncur++;
	}
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Markers for the previous keys missing from cur (sorted both), then
 * cur becomes prev. */
static int
rotate_series(struct scrape *s)
{
	size_t i = 0, j = 0;
	int rc = PL_OK;

	if (s->ncur > 1)
		qsort(s->cur, s->ncur, sizeof *s->cur, cmp_key);
	while (i < s->nprev && rc == PL_OK) {
		int c = j < s->ncur ? strcmp(s->prev[i], s->cur[j]) : -1;

		if (c < 0)
			rc = mark_stale(s, s->prev[i++]);
		else if (c == 0)
			i++, j++;
		else
			j++;
	}
	for (i = 0; i < s->nprev; i++)
		free(s->prev[i]);
	free(s->prev);
	s->prev = s->cur;
	s->nprev = s->ncur;
	s->cur = NULL;
	s->ncur = s->capcur = 0;
	return rc;
}

static int
put(pl_mon_sink *k, const char *name, int64_t t, double v)
{
	return pl_mon_sink_sample(k, name, NULL, 0, t, v);
}

static int
scrape_poll(void *state, int64_t now_ms, int64_t deadline_ms,
    pl_mon_sink *k)
{
	struct scrape *s = state;
	CURL *h = s->h;
	CURLcode cc = CURLE_OK;
	long code = 0;
	int64_t budget_ms = pl__mon_budget_ms(s->timeout_s, deadline_ms);
	struct timespec t0, t1;
	pl_expfmt_stats st;
	pl_label src = { "source", "scrape" };
	char detail[CURL_ERROR_SIZE + 256];
	int rc = PL_OK, up = 0;

	memset(&st, 0, sizeof st);
	s->sink = k;
	s->t_ms = now_ms;
	s->len = 0;
	s->over = 0;
	s->err[0] = '\0';
	detail[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (budget_ms < 1) {
		snprintf(detail, sizeof detail,
		    "no time left before the round's deadline");
	} else {
		pl__mon_http_setup(h, s->url, s->ca, budget_ms, s->err);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->hdrs);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)s->limit);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, grow_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
		cc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (s->over || cc == CURLE_FILESIZE_EXCEEDED)
			snprintf(detail, sizeof detail, "response larger than "
			    "the limit of %lld bytes", (long long)s->limit);
		else if (cc != CURLE_OK)
			pl__mon_http_why(detail, sizeof detail, h, cc, s->err,
			    budget_ms);
		else if (code < 200 || code > 299)
			snprintf(detail, sizeof detail, "HTTP %ld", code);
		else
			up = 1;
	}
	if (up) {
		rc = pl_expfmt_parse(s->body ? s->body : "", s->len, on_sample,
		    s, &st);
		if (rc != PL_OK)
			goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double dur = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	s->malformed_total += st.bad_lines;
	if ((rc = rotate_series(s)) != PL_OK ||
	    (rc = put(k, PL_SERIES_UP, now_ms, up)) != PL_OK ||
	    (rc = put(k, PL_SERIES_SCRAPE_DURATION, now_ms, dur)) != PL_OK ||
	    (rc = put(k, PL_SERIES_SCRAPE_SAMPLES, now_ms,
	    (double)st.samples)) != PL_OK ||
	    (rc = put(k, PL_SERIES_SCRAPE_BAD_LINES, now_ms,
	    (double)st.bad_lines)) != PL_OK ||
	    (rc = pl_mon_sink_sample(k, PL_SERIES_MALFORMED, &src, 1, now_ms,
	    (double)s->malformed_total)) != PL_OK)
		goto out;
	if (!up) {
		if (s->was_up != 0 && (rc = pl_mon_sink_event(k, now_ms,
		    "scrape-failure", detail)) != PL_OK)
			goto out;
		rc = pl_mon_sink_state(k, "scrape", "down", detail);
	} else if (st.bad_lines > 0) {
		snprintf(detail, sizeof detail, "%lld malformed line%s, the "
		    "first at %lld:%lld: %s", (long long)st.bad_lines,
		    st.bad_lines == 1 ? "" : "s",
		    (long long)st.first_bad_line, (long long)st.first_bad_col,
		    st.first_bad);
		rc = pl_mon_sink_state(k, "scrape", "malformed", detail);
	} else {
		rc = pl_mon_sink_state(k, "scrape", "up", "");
	}
	s->was_up = up;
out:
	for (size_t i = 0; i < s->ncur; i++)
		free(s->cur[i]);
	s->ncur = 0;
	/* keep the buffer for the next round unless it was huge */
	if (s->cap > (4u << 20)) {
		free(s->body);
		s->body = NULL;
		s->cap = 0;
	}
	s->len = 0;
	return rc;
}

static void
scrape_close(void *state)
{
	struct scrape *s = state;

	if (s == NULL)
		return;
	curl_slist_free_all(s->hdrs);
	curl_easy_cleanup(s->h);
	for (size_t i = 0; i < s->nprev; i++)
		free(s->prev[i]);
	free(s->prev);
	for (size_t i = 0; i < s->ncur; i++)
		free(s->cur[i]);
	free(s->cur);
	free(s->body);
	free(s->url);
	free(s->ca);
	free(s);
	curl_global_cleanup();
}

const pl_mon_source_ops pl_mon_scrape_ops = {
	.kind = "scrape",
	.wants = scrape_wants,
	.open = scrape_open,
	.poll = scrape_poll,
	.close = scrape_close,
};
