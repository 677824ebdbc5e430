/* notify-t.c - notifications on a fake clock: group_wait, group_interval, repeat_interval, resolved alerts, silences, routes, retries with backoff, the notification log across a restart, the route:/receivers: configuration. */
#include "config.h"
#include "../testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/notify.h"
#include "config/plumb-yaml.h"
#include "monitor/tsdb.h"
#include "fixture.h"

#define T0 1767225600000LL	/* 2026-01-01T00:00:00Z */
#define S 1000LL
#define M (60 * S)
#define H (60 * M)

struct env {
	char *dir, *out;
	pl_store *st;
	pl_config *cfg;
	pl_alerting *a;
	pl_notifier *n;
};

/* Rules evaluated, then the notifier's tick at t, then its deliveries
 * waited for (collected by ticks at the same t). */
static void
step(struct env *e, int64_t t)
{
	if (pl_alerting_eval(e->a, t) != PL_OK)
		fail_msg("eval: %s", pl_alerting_errmsg(e->a));
	assert_int_equal(pl_notifier_tick(e->n, t), PL_OK);
	for (int i = 0; pl_notifier_inflight(e->n) > 0 && i < 3000; i++) {
		usleep(5000);
		assert_int_equal(pl_notifier_tick(e->n, t), PL_OK);
	}
	assert_int_equal(pl_notifier_inflight(e->n), 0);
}

/* Payloads the command receiver wrote: p0.json, p1.json, ... */
static size_t
npayloads(const struct env *e)
{
	DIR *d = opendir(e->out);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] == 'p';
	closedir(d);
	return n;
}

static char *
payload(const struct env *e, size_t i)
{
	char path[4096], *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof path, "%s/p%zu.json", e->out, i);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("no payload %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static void
has(const char *text, const char *what)
{
	if (strstr(text, what) == NULL)
		fail_msg("expected %s in %s", what, text);
}

static void
hasnt(const char *text, const char *what)
{
	if (strstr(text, what) != NULL)
		fail_msg("did not expect %s in %s", what, text);
}

static size_t
count(const char *text, const char *what)
{
	size_t k = 0;

	for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
		k++;
	return k;
}

static const char rules[] =
    "alerts:\n"
    "  builtin: false\n"
    "  external_url: http://plumb.example/\n"
    "  groups:\n"
    "  - name: g\n"
    "    interval: 15s\n"
    "    rules:\n"
    "    - alert: HighX\n"
    "      expr: x > 5\n"
    "      labels: {severity: page}\n"
    "      annotations: {summary: 'x is {{ $value }}'}\n";

/* rules, then route with @OUT@ replaced by out */
static char *
subst(const char *route, const char *out)
{
	size_t cap = strlen(rules) + strlen(route) * 2 + 4096, k;
	char *t = calloc(1, cap);
	const char *p;

	assert_non_null(t);
	strcpy(t, rules);
	k = strlen(t);
	for (p = route; *p; p++) {
		if (!strncmp(p, "@OUT@", 5)) {
			k += (size_t)snprintf(t + k, cap - k, "%s", out);
			p += 4;
		} else
			t[k++] = *p;
	}
	return t;
}

static void
env_open(struct env *e, const char *route)
{
	char *text, err[1024];

	memset(e, 0, sizeof *e);
	e->st = tu_store(&e->dir);
	assert_true(asprintf(&e->out, "%s/out", e->dir) > 0);
	assert_int_equal(mkdir(e->out, 0755), 0);
	text = subst(route, e->out);
	e->cfg = config(e->dir, text);
	free(text);
	if (pl_alerting_open(&e->a, e->st, e->cfg, err, sizeof err) != PL_OK)
		fail_msg("alerting: %s", err);
	if (pl_notifier_open(&e->n, e->st, e->cfg, NULL, NULL, err,
	    sizeof err) != PL_OK)
		fail_msg("notifier: %s", err);
}

static void
env_close(struct env *e)
{
	pl_notifier_close(e->n);
	pl_alerting_close(e->a);
	pl_config_free(e->cfg);
	pl_store_close(e->st);
	tu_rmrf(e->dir);
	free(e->dir);
	free(e->out);
}

#define WRITE_PAYLOAD \
    "    command: [sh, -c, 'n=$(ls \"$0\" | grep -c ^p); " \
    "cat > \"$0/p$n.json\"', '@OUT@']\n"

static const char grouped[] =
    "  route:\n"
    "    receiver: ops\n"
    "    group_by: [alertname]\n"
    "  receivers:\n"
    "  - name: ops\n"
    WRITE_PAYLOAD;

/* group_wait, group_interval, repeat_interval, resolved, all resolved */
static void
test_timers(void **state)
{
	struct env e;
	char *p;

	(void)state;
	env_open(&e, grouped);
	assert_int_equal(pl_notifier_nreceivers(e.n), 1);

	put(e.st, "a", T0, 10);
	step(&e, T0);
	assert_int_equal(npayloads(&e), 0);	/* group_wait: 30s */
	assert_true(pl_notifier_next(e.n) <= T0 + 30 * S);
	put(e.st, "a", T0 + 15 * S, 10);
	step(&e, T0 + 15 * S);
	assert_int_equal(npayloads(&e), 0);
	put(e.st, "a", T0 + 30 * S, 10);
	step(&e, T0 + 30 * S);
	assert_int_equal(npayloads(&e), 1);
	p = payload(&e, 0);
	has(p, "{\"receiver\":\"ops\",\"status\":\"firing\",\"alerts\":"
	    "[{\"status\":\"firing\",\"labels\":{\"alertname\":\"HighX\","
	    "\"job\":\"a\",\"severity\":\"page\"},\"annotations\":"
	    "{\"summary\":\"x is 10\"},\"startsAt\":\"2026-01-01T00:00:00Z\","
	    "\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":"
	    "\"http://plumb.example/graph?g0.expr=x+%3E+5&g0.tab=1\","
	    "\"fingerprint\":\"");
	has(p, "\"groupLabels\":{\"alertname\":\"HighX\"},\"commonLabels\":"
	    "{\"alertname\":\"HighX\",\"job\":\"a\",\"severity\":\"page\"},"
	    "\"commonAnnotations\":{\"summary\":\"x is 10\"},\"externalURL\":"
	    "\"http://plumb.example/\",\"version\":\"4\",\"groupKey\":"
	    "\"{}:{alertname=\\\"HighX\\\"}\",\"truncatedAlerts\":0}");
	free(p);

	/* b joins: sent at the next group_interval (30s + 5m) */
	for (int64_t t = 45 * S; t < 330 * S; t += 15 * S) {
		put(e.st, "a", T0 + t, 10);
		put(e.st, "b", T0 + t, 20);
		step(&e, T0 + t);
	}
	assert_int_equal(npayloads(&e), 1);
	put(e.st, "a", T0 + 330 * S, 10);
	put(e.st, "b", T0 + 330 * S, 20);
	step(&e, T0 + 330 * S);
	assert_int_equal(npayloads(&e), 2);
	p = payload(&e, 1);
	assert_int_equal(count(p, "\"status\":\"firing\""), 3);
	has(p, "\"commonLabels\":{\"alertname\":\"HighX\",\"severity\":"
	    "\"page\"}");
	has(p, "\"commonAnnotations\":{}");
	free(p);

	/* unchanged at the next group_interval: nothing */
	put(e.st, "a", T0 + 630 * S, 10);
	put(e.st, "b", T0 + 630 * S, 20);
	step(&e, T0 + 630 * S);
	assert_int_equal(npayloads(&e), 2);

	/* a resolves at 700s: sent at 930s, resolved with its endsAt */
	put(e.st, "a", T0 + 700 * S, 1);
	put(e.st, "b", T0 + 700 * S, 20);
	step(&e, T0 + 700 * S);
	assert_int_equal(npayloads(&e), 2);
	put(e.st, "b", T0 + 930 * S, 20);
	step(&e, T0 + 930 * S);
	assert_int_equal(npayloads(&e), 3);
	p = payload(&e, 2);
	has(p, "\"receiver\":\"ops\",\"status\":\"firing\"");
	has(p, "{\"status\":\"resolved\",\"labels\":{\"alertname\":\"HighX\","
	    "\"job\":\"a\"");
	has(p, "\"endsAt\":\"2026-01-01T00:11:40Z\"");
	free(p);

	/* next interval: the resolved alert was sent, nothing new */
	put(e.st, "b", T0 + 1230 * S, 20);
	step(&e, T0 + 1230 * S);
	assert_int_equal(npayloads(&e), 3);

	/* repeat_interval: 4h after the last notification, b again alone */
	put(e.st, "b", T0 + 930 * S + 4 * H - 60 * S, 20);
	step(&e, T0 + 930 * S + 4 * H - 60 * S);
	assert_int_equal(npayloads(&e), 3);
	put(e.st, "b", T0 + 930 * S + 4 * H + 240 * S, 20);
	step(&e, T0 + 930 * S + 4 * H + 240 * S);
	assert_int_equal(npayloads(&e), 4);
	p = payload(&e, 3);
	assert_int_equal(count(p, "\"status\":\"firing\""), 2);
	hasnt(p, "\"job\":\"a\"");
	free(p);

	/* all resolved: a last notification with status resolved */
	int64_t t = T0 + 930 * S + 4 * H + 300 * S;
	put(e.st, "b", t, 1);
	step(&e, t);
	step(&e, t + 5 * M);
	assert_int_equal(npayloads(&e), 5);
	p = payload(&e, 4);
	has(p, "{\"receiver\":\"ops\",\"status\":\"resolved\",\"alerts\":"
	    "[{\"status\":\"resolved\"");
	free(p);
	step(&e, t + 10 * M);
	step(&e, t + 15 * M);
	assert_int_equal(npayloads(&e), 5);

	/* the delivery log */
	pl_delivery *d = NULL;
	size_t nd = 0;
	assert_int_equal(pl_notify_deliveries(&d, &nd, e.st, 0, 0), PL_OK);
	assert_int_equal(nd, 5);
	assert_true(d[0].ok);
	assert_string_equal(d[0].status, "resolved");
	assert_string_equal(d[0].receiver, "ops");
	pl_deliveries_free(d, nd);
	env_close(&e);
}

/* An alert that fires and resolves within group_wait is never sent; a
 * silenced alert is not sent; a restart does not send again. */
static void
test_silence_restart(void **state)
{
	struct env e;
	char *id = NULL, err[1024];
	const char *m[] = { "job=c" };

	(void)state;
	env_open(&e, grouped);

	put(e.st, "a", T0, 10);
	step(&e, T0);
	put(e.st, "a", T0 + 15 * S, 1);
	step(&e, T0 + 15 * S);
	put(e.st, "a", T0 + 30 * S, 1);
	step(&e, T0 + 30 * S);
	step(&e, T0 + 6 * M);
	assert_int_equal(npayloads(&e), 0);

	/* c is silenced, d is not: only d is sent */
	assert_int_equal(pl_silence_add(&id, e.st, m, 1, T0 + 7 * M,
	    T0 + 2 * H, "maintenance"), PL_OK);
	free(id);
	for (int64_t t = 7 * M; t <= 8 * M; t += 15 * S) {
		put(e.st, "c", T0 + t, 10);
		put(e.st, "d", T0 + t, 10);
		step(&e, T0 + t);
	}
	assert_int_equal(npayloads(&e), 1);
	char *p = payload(&e, 0);
	has(p, "\"job\":\"d\"");
	hasnt(p, "\"job\":\"c\"");
	free(p);

	/* a restart: same alerts, nothing sent again */
	pl_notifier_close(e.n);
	if (pl_notifier_open(&e.n, e.st, e.cfg, NULL, NULL, err,
	    sizeof err) != PL_OK)
		fail_msg("%s", err);
	for (int64_t t = 9 * M; t <= 20 * M; t += 15 * S) {
		put(e.st, "c", T0 + t, 10);
		put(e.st, "d", T0 + t, 10);
		step(&e, T0 + t);
	}
	assert_int_equal(npayloads(&e), 1);
	env_close(&e);
}

static const char routed[] =
    "  route:\n"
    "    receiver: ops\n"
    "    group_by: ['...']\n"
    "    group_wait: 0s\n"
    "    routes:\n"
    "    - matchers: ['job=~\"f.*\"']\n"
    "      receiver: failing\n"
    "  receivers:\n"
    "  - name: ops\n"
    WRITE_PAYLOAD
    "  - name: failing\n"
    "    command: [sh, -c, 'echo broken pipe >&2; exit 3']\n";

/* routes by matcher, group_by '...', retries with backoff */
static void
test_routes_retries(void **state)
{
	struct env e;
	pl_delivery *d = NULL;
	size_t nd = 0;
	pl_notify_state *ns = NULL;
	size_t nns = 0;

	(void)state;
	env_open(&e, routed);
	put(e.st, "a", T0, 10);
	put(e.st, "f1", T0, 10);
	step(&e, T0);
	/* a to ops at once (group_wait 0s), its own group ('...') */
	assert_int_equal(npayloads(&e), 1);
	char *p = payload(&e, 0);
	has(p, "\"groupLabels\":{\"alertname\":\"HighX\",\"job\":\"a\","
	    "\"severity\":\"page\"}");
	hasnt(p, "f1");
	free(p);
	/* f1 went to failing: attempt 1 failed, next in 5s, then 10s, 20s */
	assert_int_equal(pl_notify_deliveries(&d, &nd, e.st, 0, 0), PL_OK);
	assert_int_equal(nd, 2);
	/* both ended at T0, in either order */
	size_t k = strcmp(d[0].receiver, "failing") ? 1 : 0;
	assert_string_equal(d[k].receiver, "failing");
	assert_false(d[k].ok);
	assert_int_equal(d[k].attempt, 1);
	assert_string_equal(d[k].error, "exit 3: broken pipe");
	assert_int_equal(d[k].next_ms, T0 + 5 * S);
	assert_string_equal(d[1 - k].receiver, "ops");
	assert_true(d[1 - k].ok);
	pl_deliveries_free(d, nd);
	step(&e, T0 + 4 * S);
	assert_int_equal(pl_notify_deliveries(&d, &nd, e.st, 0, 0), PL_OK);
	assert_int_equal(nd, 2);	/* not before its time */
	pl_deliveries_free(d, nd);
	step(&e, T0 + 5 * S);
	step(&e, T0 + 15 * S);
	step(&e, T0 + 35 * S);
	assert_int_equal(pl_notify_deliveries(&d, &nd, e.st, 0, 0), PL_OK);
	assert_int_equal(nd, 5);
	assert_int_equal(d[0].attempt, 4);
	assert_int_equal(d[0].next_ms, T0 + 75 * S);
	pl_deliveries_free(d, nd);
	assert_int_equal(pl_notify_states(&ns, &nns, e.st,
	    "{alertname=\"HighX\", job=\"f1\", severity=\"page\"}"), PL_OK);
	assert_int_equal(nns, 1);
	assert_string_equal(ns[0].receiver, "failing");
	assert_false(ns[0].ok);
	assert_int_equal(ns[0].attempt, 4);
	assert_int_equal(ns[0].ok_ms, 0);
	pl_notify_states_free(ns, nns);
	assert_int_equal(pl_notify_states(&ns, &nns, e.st,
	    "{alertname=\"HighX\", job=\"a\", severity=\"page\"}"), PL_OK);
	assert_int_equal(nns, 1);
	assert_true(ns[0].ok);
	assert_int_equal(ns[0].ok_ms, T0);
	pl_notify_states_free(ns, nns);
	env_close(&e);
}

/* A command that hangs is cut off at its timeout; the tick never waits. */
static void
test_timeout(void **state)
{
	struct env e;
	pl_delivery *d = NULL;
	size_t nd = 0;
	struct timespec t0, t1;

	(void)state;
	env_open(&e,
	    "  route: {receiver: slow, group_wait: 0s}\n"
	    "  receivers:\n"
	    "  - name: slow\n"
	    "    command: [sh, -c, 'sleep 30']\n"
	    "    timeout: 300ms\n");
	put(e.st, "a", T0, 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pl_alerting_eval(e.a, T0), PL_OK);
	assert_int_equal(pl_notifier_tick(e.n, T0), PL_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the tick started it and returned */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec -
	    t0.tv_nsec) / 1000000 < 250);
	assert_int_equal(pl_notifier_inflight(e.n), 1);
	step(&e, T0);
	assert_int_equal(pl_notify_deliveries(&d, &nd, e.st, 0, 0), PL_OK);
	assert_int_equal(nd, 1);
	assert_false(d[0].ok);
	assert_string_equal(d[0].error, "timed out after 0.3s (process group "
	    "killed)");
	assert_true(d[0].duration_ms >= 300 && d[0].duration_ms < 5000);
	pl_deliveries_free(d, nd);
	env_close(&e);
}

static void
expect_err(const char *err, const char *what)
{
	if (strstr(err, what) == NULL)
		fail_msg("expected '%s' in '%s'", what, err);
}

static int
check(const char *text, char *err, size_t errlen, size_t *nrecv)
{
	char *dir = tu_tmpdir();
	pl_config *c = config(dir, text);
	int rc = pl_notifier_check(c, nrecv, err, errlen);

	pl_config_free(c);
	tu_rmrf(dir);
	free(dir);
	return rc;
}

static void
test_config(void **state)
{
	char err[1024];
	size_t n = 9;

	(void)state;
	assert_int_equal(check("alerts:\n  builtin: false\n", err, sizeof err,
	    &n), PL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(check("alerts:\n  route: {receiver: x}\n"
	    "  receivers:\n  - name: ops\n    command: [true]\n", err,
	    sizeof err, &n), PL_EINVAL);
	expect_err(err, "plumb.yaml:2:21: receiver 'x' is not "
	    "defined");
	assert_int_equal(check("alerts:\n  route: {receiver: ops, "
	    "group_wait: soon}\n  receivers:\n  - name: ops\n"
	    "    command: [true]\n", err, sizeof err, &n), PL_EINVAL);
	expect_err(err, "plumb.yaml:2:38: group_wait: not a "
	    "valid duration");
	assert_int_equal(check("alerts:\n  route:\n    receiver: ops\n"
	    "    routes:\n    - matchers: ['severity=~\"(\"']\n"
	    "  receivers:\n  - name: ops\n    command: [true]\n", err,
	    sizeof err, &n), PL_EINVAL);
	expect_err(err, "plumb.yaml:5:18: matcher: bad regex");
	assert_int_equal(check("alerts:\n  route: {receiver: ops}\n"
	    "  receivers:\n  - name: ops\n    webhook: {url: ftp://x}\n",
	    err, sizeof err, &n), PL_EINVAL);
	expect_err(err, "plumb.yaml:5:20: url: an http://");
	assert_int_equal(check("alerts:\n  route: {receiver: ops}\n"
	    "  receivers:\n  - name: ops\n    pager: {url: http://x}\n",
	    err, sizeof err, &n), PL_EINVAL);
	expect_err(err, "plumb.yaml:5:5: unknown key 'pager'");
	assert_int_equal(check("alerts:\n  receivers:\n  - name: ops\n"
	    "    command: [true]\n", err, sizeof err, &n), PL_EINVAL);
	expect_err(err, "no route:");
	assert_int_equal(check("alerts:\n  route: {receiver: ops}\n"
	    "  receivers:\n  - name: ops\n    command: [true]\n"
	    "  - name: ops\n    webhook: http://127.0.0.1:1/\n", err,
	    sizeof err, &n), PL_EINVAL);
	expect_err(err, "plumb.yaml:6:11: receiver 'ops' is "
	    "defined twice");
	assert_int_equal(check("alerts:\n  route: {receiver: ops, group_by: "
	    "[alertname, '...']}\n  receivers:\n  - name: ops\n"
	    "    command: [true]\n", err, sizeof err, &n), PL_EINVAL);
	expect_err(err, "'...'");
	assert_int_equal(check("alerts:\n  route:\n    receiver: ops\n"
	    "    routes:\n    - matchers: ['severity=\"page\"']\n"
	    "      receiver: hook\n  receivers:\n  - name: ops\n"
	    "    command: [true]\n  - name: hook\n"
	    "    webhook: {url: 'http://127.0.0.1:1/', timeout: 2s}\n"
	    "  - name: am\n    alertmanager: {url: 'http://127.0.0.1:2'}\n",
	    err, sizeof err, &n), PL_OK);
	assert_int_equal(n, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_silence_restart),
		cmocka_unit_test(test_routes_retries),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
