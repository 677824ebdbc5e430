/* mlflow-commit.c - group commit of log-metric points: requests wait, suspended, for a writer thread that commits them together. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mlflow.h"

/*
 * Each log-metric is one point; written alone it costs a transaction,
 * and fifty clients logging at once queue behind fifty commits.
 *
 * A request checks its point, copies it onto a queue and suspends its
 * connection (srv_suspend): the pool thread that received it goes on
 * serving its other connections at once.  One writer thread takes the
 * whole queue, writes it in one transaction (pl_runs_log_points) with the
 * server's shared handle, and resumes each connection with its own
 * result (srv_resume).  Points that arrive while it writes form the next
 * group, so a group grows with the load: one commit for many clients.
 * (When pool threads waited for the commit themselves, a group could
 * hold at most one request per thread: 1.2 points on average.)
 *
 * The writer holds the server's write lock (ml_write_lock) for its
 * transaction, like every other MLflow write.  A request is answered only
 * after its transaction committed: what a client was told is stored.
 *
 * Without the writer (not started, or stopped: the server going down,
 * or the fuzz harness, which has no connections to suspend) the request
 * writes its point itself, in its own transaction.
 */

struct item {
	pl_run_points rp;
	pl_batch_point point;
	char run_id[PL_ID_LEN + 1];
	struct srv_pending *wait;
	char err[256];
	struct item *next;
	char key[];		/* the point's key, copied */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct item *head, **tail = &head;
static int running, stopping;
static pthread_t writer;

/* MLflow's error code for the engine's code of one point. */
static const char *
point_code(int rc)
{
	switch (rc) {
	case PL_ENOTFOUND: return "RESOURCE_DOES_NOT_EXIST";
	case PL_EINVAL: return "INVALID_PARAMETER_VALUE";
	case PL_EBUSY: return "TEMPORARILY_UNAVAILABLE";
	default: return "INTERNAL_ERROR";
	}
}

/* The message of a failed point.  A point refused alone in a group that
 * committed is a missing or a deleted run (the key was checked before it
 * was queued): MLflow's words for those, as the store's last message may
 * be another point's. */
static void
point_message(char *out, size_t len, const struct item *it)
{
	if (it->err[0])
		snprintf(out, len, "%s", it->err);
	else if (it->rp.rc == PL_ENOTFOUND)
		snprintf(out, len, "Run with id=%s not found", it->run_id);
	else if (it->rp.rc == PL_EINVAL)
		snprintf(out, len, "The run %s must be in the 'active' state. "
		    "Current state is deleted.", it->run_id);
	else
		snprintf(out, len, "could not log the point");
}

/* Writes a group (a list taken off the queue) with st, each item's rc
 * and err set. */
static void
write_group(pl_store *st, struct item *g)
{
	pl_run_points v[256];
	struct item *p = g;

	while (p) {
		struct item *first = p;
		size_t n = 0;
		int rc;

		for (; p && n < sizeof v / sizeof v[0]; p = p->next)
			v[n++] = p->rp;
		ml_write_lock();
		rc = pl_runs_log_points(st, v, n);
		ml_write_unlock();
		for (size_t i = 0; i < n; i++, first = first->next) {
			first->rp.rc = v[i].rc;
			if (rc != PL_OK)	/* the whole group failed */
				snprintf(first->err, sizeof first->err, "%s",
				    pl_store_errmsg(st));
		}
	}
}

/* Answers a suspended request with its item's result, and frees it. */
static void
answer(struct item *it)
{
	char msg[512], *body;
	const char *code;
	int status = 200;
	json_t *o;

	if (it->rp.rc == PL_OK) {
		srv_resume(it->wait, 200, "application/json", strdup("{}"));
		free(it);
		return;
	}
	code = point_code(it->rp.rc);
	point_message(msg, sizeof msg, it);
	status = ml_error_status(code);
	o = json_pack("{s:s,s:s}", "error_code", code, "message", msg);
	body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	srv_resume(it->wait, body ? status : 500, "application/json",
	    body ? body : strdup("{\"error_code\":\"INTERNAL_ERROR\"}"));
	free(it);
}

static void *
writer_main(void *arg)
{
	pl_store *st = arg;

	pthread_mutex_lock(&mu);
	for (;;) {
		struct item *g, *next;

		while (head == NULL && !stopping)
			pthread_cond_wait(&cv, &mu);
		if (head == NULL)
			break;		/* stopping, and nothing waits */
		g = head;
		head = NULL;
		tail = &head;
		pthread_mutex_unlock(&mu);
		write_group(st, g);
		for (; g; g = next) {
			next = g->next;
			answer(g);
		}
		pthread_mutex_lock(&mu);
	}
	running = 0;
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
srv_mlflow_start(void)
{
	const char *why;
	pl_store *st = srv_store_shared(&why);

	if (st == NULL)
		return -1;
	pthread_mutex_lock(&mu);
	stopping = 0;
	running = pthread_create(&writer, NULL, writer_main, st) == 0;
	pthread_mutex_unlock(&mu);
	return running ? 0 : -1;
}

void
srv_mlflow_stop(void)
{
	int was;

	pthread_mutex_lock(&mu);
	was = running;
	stopping = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	/* it answers what is queued before it ends; requests after that
	 * write for themselves */
	if (was)
		pthread_join(writer, NULL);
}

void
ml_group_log_point(struct ml_call *c, const char *run_id,
    const pl_batch_point *pt)
{
	size_t klen = strlen(pt->key);
	struct item *it;
	char msg[512];

	pthread_mutex_lock(&mu);
	if (running && !stopping &&
	    (it = malloc(sizeof *it + klen + 1)) != NULL) {
		if ((it->wait = srv_suspend(c->r)) != NULL) {
			memcpy(it->key, pt->key, klen + 1);
			snprintf(it->run_id, sizeof it->run_id, "%s", run_id);
			it->point = *pt;
			it->point.key = it->key;
			it->rp.run_id = it->run_id;
			it->rp.points = &it->point;
			it->rp.n = 1;
			it->rp.rc = PL_OK;
			it->err[0] = '\0';
			it->next = NULL;
			*tail = it;
			tail = &it->next;
			pthread_cond_signal(&cv);
			pthread_mutex_unlock(&mu);
			return;
		}
		free(it);
	}
	pthread_mutex_unlock(&mu);

	/* no writer: this request's own transaction */
	{
		struct item me;

		memset(&me, 0, sizeof me);
		snprintf(me.run_id, sizeof me.run_id, "%s", run_id);
		me.point = *pt;
		me.rp.run_id = me.run_id;
		me.rp.points = &me.point;
		me.rp.n = 1;
		me.next = NULL;
		write_group(c->st, &me);
		if (me.rp.rc == PL_OK)
			return;
		point_message(msg, sizeof msg, &me);
		ml_error(c, point_code(me.rp.rc), "%s", msg);
	}
}
