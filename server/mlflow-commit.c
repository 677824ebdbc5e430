/* mlflow-commit.c - group commit of log-metric points: concurrent requests share one store transaction. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "mlflow.h"

/*
 * Each log-metric is one point; written alone it costs a transaction,
 * and fifty clients logging at once queue behind fifty commits.  Here a
 * request puts its point on a queue; the first thread to find no writer
 * at work becomes the leader, takes the whole queue, writes it in one
 * transaction (pl_runs_log_points) with the one handle kept for this
 * (its page cache stays warm between groups), and wakes
 * the others with their results.  Requests that arrive meanwhile form
 * the next group.  The leader holds the server's write lock
 * (ml_write_lock) for its transaction, like every other MLflow write.
 */

struct item {
	pl_run_points rp;
	pl_batch_point point;
	int done;
	char err[256];
	struct item *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct item *head, **tail = &head;
static int writing;

/* Writes a group (a list taken off the queue) with st. */
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
			if (rc != PL_OK)
				snprintf(first->err, sizeof first->err, "%s",
				    pl_store_errmsg(st));
		}
	}
}

/* The leaders' handle: one for every group (see srv_store_shared), else
 * this thread's own. */
static pl_store *
writer(struct ml_call *c)
{
	const char *why;
	pl_store *st = srv_store_shared(&why);

	return st ? st : c->st;
}

int
ml_group_log_point(struct ml_call *c, const char *run_id,
    const pl_batch_point *pt, char *err, size_t err_len)
{
	struct item me;

	memset(&me, 0, sizeof me);
	me.point = *pt;
	me.rp.run_id = run_id;
	me.rp.points = &me.point;
	me.rp.n = 1;
	pthread_mutex_lock(&mu);
	*tail = &me;
	tail = &me.next;
	while (!me.done) {
		if (!writing) {
			struct item *g = head, *p;

			writing = 1;
			head = NULL;
			tail = &head;
			pthread_mutex_unlock(&mu);
			write_group(writer(c), g);
			pthread_mutex_lock(&mu);
			for (p = g; p; p = p->next)
				p->done = 1;
			writing = 0;
			pthread_cond_broadcast(&cv);
		} else {
			pthread_cond_wait(&cv, &mu);
		}
	}
	pthread_mutex_unlock(&mu);
	snprintf(err, err_len, "%s", me.err);
	return me.rp.rc;
}
