/* notify-int.h - internals of the notifier shared by its files: the parsed route tree and receivers, the delivery job and its runner. */
#ifndef PL_ENGINE_ALERT_NOTIFY_INT_H
#define PL_ENGINE_ALERT_NOTIFY_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/promql.h"

#define NTF_GROUP_WAIT_MS (30 * 1000LL)
#define NTF_GROUP_INTERVAL_MS (5 * 60 * 1000LL)
#define NTF_REPEAT_MS (4 * 3600 * 1000LL)
#define NTF_TIMEOUT_MS (10 * 1000LL)
/* Alertmanager receivers: Prometheus' resend delay (rules/manager.go). */
#define NTF_RESEND_MS (60 * 1000LL)
/* Resolved alerts stay candidates this long (Prometheus keeps them 15m). */
#define NTF_RESOLVED_KEEP_MS (15 * 60 * 1000LL)
#define NTF_BACKOFF_BASE_MS (5 * 1000LL)
#define NTF_BACKOFF_MAX_MS (5 * 60 * 1000LL)

enum { NR_COMMAND, NR_WEBHOOK, NR_ALERTMANAGER };

struct nrecv {
	char *name;
	int kind;
	char **argv;		/* NR_COMMAND, NULL-terminated */
	char *url;		/* NR_WEBHOOK: the URL; NR_ALERTMANAGER: base */
	int64_t timeout_ms;
	int send_resolved;
	int max_alerts;		/* 0: no limit */
};

struct nroute {
	pq_matcher *m;		/* compiled, owned */
	size_t nm;
	char *key;		/* Alertmanager's route key: {}/{a="b"} */
	int recv;		/* index into receivers */
	char **group_by;
	size_t ngroup_by;
	int group_all;		/* group_by: ['...'] */
	int64_t group_wait, group_interval, repeat_interval;
	int cont;
	struct nroute *kids;
	size_t nkids;
};

struct ncfg {
	int has_route;
	struct nroute root;
	struct nrecv *recv;
	size_t nrecv;
	char *external_url;
};

struct ynode;
/* Parses the alerts: section (sec may be NULL) of file. */
int pl__ncfg_parse(struct ncfg *c, const struct ynode *sec, const char *file,
    char *err, size_t errlen);
/* Reads the alerts: section of path. */
int pl__ncfg_load(struct ncfg *c, const char *path, char *err, size_t errlen);
void pl__ncfg_free(struct ncfg *c);

/* ---- a delivery: one attempt at a time, on a thread of its own -------- */

struct njob {
	/* what to do (owned) */
	int kind;
	char **argv;
	char *url;
	int64_t timeout_ms;
	char *body;
	size_t len;
	/* the outcome, written by the thread before done is set */
	int ok;
	char err[512];
	int64_t took_ms;
	/* shared */
	int running, done;	/* under the runner's lock */
	volatile int cancel;
	pthread_t th;
};

/* Runs the job synchronously (on the calling thread). */
void pl__njob_run(struct njob *j);
/* libcurl's global state (reference counted): 0, or -1. */
int pl__ndeliver_init(void);
void pl__ndeliver_fini(void);

/* An alert the notifier holds (notify.c reads them from the history). */
struct nalert {
	char *labels;		/* text, as in the history */
	char *expr;		/* the rule's expression ("" when unknown) */
	pq_labels *lb, *ann;
	int64_t starts, ends;	/* ends 0 while firing */
	uint64_t fp;
};

/* An aggregation group: a route's key and the values of its group_by
 * labels, with its alerts and timers. */
struct ngroup {
	char *key, *receiver;
	int recv;		/* index in the configuration */
	const struct nroute *route;
	pq_labels *glabels;
	int64_t created, next_flush;
	int64_t flushed_ms;	/* last flush that sent, or needed not */
	struct nalert **al;
	size_t nal, cap;
	int live;		/* found by this tick's routing */
};

/* "2006-01-02T15:04:05.000Z" of ms (notify.c). */
void pl__n_rfc3339(char *out, size_t len, int64_t ms);

/*
 * The bodies (notify-payload.c), appended to out; external_url (may be
 * NULL) makes each alert's generatorURL.  A webhook receiver's body for
 * group g of receiver r holding na alerts (firing: the group's status);
 * an alertmanager: receiver's API v2 list, endsAt of firing alerts now +
 * 4 minutes.  PL_OK or PL_ENOMEM.
 */
struct buf;
int pl__n_webhook_body(struct buf *out, const char *external_url,
    const struct ngroup *g, const struct nrecv *r, struct nalert *const *al,
    size_t na, int firing);
int pl__n_am_body(struct buf *out, const char *external_url,
    struct nalert *const *al, size_t na, int64_t now);

#endif
