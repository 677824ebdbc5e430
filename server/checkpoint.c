/* checkpoint.c - plumb serve's WAL checkpoints, on a thread of their own instead of inside a client's commit. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "mlflow.h"

/*
 * The server opens its handles with PL_OPEN_NOCHECKPOINT.  SQLite would
 * otherwise copy the WAL into the database in the commit that takes it
 * past 1000 pages: 5-7 ms during which the other 49 of 50 log-metric
 * clients wait behind the write lock (a third of the p99).  Here one
 * thread, with a handle of its own, runs a PASSIVE checkpoint every
 * CKPT_MS (see checkpoint() for how it keeps the WAL small).  A last one
 * runs when the server stops.
 */
#define CKPT_MS 200
#define WAL_MIN 256	/* frames: a smaller WAL may wait */

static pthread_t thr;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stopping, running;
static pl_store *ckst;

/*
 * SQLite starts the WAL again from the top only in a write transaction
 * that began when the whole WAL was already in the database.  Under a
 * steady stream of commits there is always a transaction in flight that
 * began before the checkpoint ended, so a checkpoint alone never lets it
 * restart: the WAL grew by 100 MB a second under 50 clients.  So after
 * the bulk copy, the frames appended meanwhile (a few milliseconds' worth,
 * mostly pages already copied) are copied again under the server's write
 * lock, between two of its transactions; the next one then restarts the
 * WAL.  (Writers in other processes checkpoint for themselves.)  A busy
 * or failed checkpoint is tried again next time.
 */
static void
checkpoint(void)
{
	int wal = 0;

	if (pl_store_checkpoint(&wal, NULL, ckst) != PL_OK || wal < WAL_MIN)
		return;
	ml_write_lock();
	(void)pl_store_checkpoint(NULL, NULL, ckst);
	ml_write_unlock();
}

static void *
loop(void *arg)
{
	struct timespec t;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += CKPT_MS * 1000000L;
		t.tv_sec += t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		while (!stopping &&
		    pthread_cond_timedwait(&cv, &mu, &t) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&mu);
		checkpoint();
		pthread_mutex_lock(&mu);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
srv_checkpoint_start(const char *dir)
{
	pthread_condattr_t ca;

	if (pl_store_open(&ckst, dir, PL_OPEN_NOMMAP) != PL_OK) {
		pl_store_close(ckst);
		ckst = NULL;
		return -1;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
	stopping = 0;
	if (pthread_create(&thr, NULL, loop, NULL) != 0) {
		pl_store_close(ckst);
		ckst = NULL;
		return -1;
	}
	running = 1;
	return 0;
}

void
srv_checkpoint_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thr, NULL);
	(void)pl_store_checkpoint(NULL, NULL, ckst);
	pl_store_close(ckst);
	ckst = NULL;
	running = 0;
}
