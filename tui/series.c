/* series.c - a run's metric series shaped for the run screen's chart; a big one read and binned in a thread, off the keyboard's path. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "series.h"
#include "spark.h"
#include "widget.h"
#include "xalloc.h"

/*
 * Why a thread: reading and binning a million points takes 200+ ms,
 * which the keystroke that opened the run screen would otherwise wait
 * for (budget 16 ms).  The screen paints at once with "loading" in the
 * chart and the sparkline; the thread reads through its own store
 * handle (SQLite connections are not shared between threads here),
 * bins, and pokes the screen's pipe.
 *
 * Ownership: the job is shared by the screen and the thread under the
 * job's mutex.  The screen either takes the result (series_job_finish,
 * after the thread said done) or abandons the job (series_dispose);
 * whichever side comes last frees it.  The thread writes to the pipe
 * only while the job is not abandoned, and the screen abandons every
 * job before it closes the pipe.
 */
struct series_job {
	pthread_t thread;
	pthread_mutex_t mu;
	bool done, abandoned;
	char *dir, *key;
	char id[PL_ID_LEN + 1];
	int64_t start_ms;
	int fd;
	double t0;
	struct series out;	/* the result (key unset) */
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* x of point p in mode m (0 step, 1 seconds since start). */
static double
point_x(const pl_point *p, int m, int64_t start)
{
	return m ? (p->ts_ms - start) / 1000.0 : (double)p->step;
}

/* Bins n points into SERIES_ENV_BINS min/max pairs over x mode m. */
static void
make_envelope(struct series *s, const pl_point *p, size_t n, int m,
    int64_t start)
{
	double lo = INFINITY, hi = -INFINITY;

	s->mn[m] = xreallocarray(NULL, SERIES_ENV_BINS, sizeof *s->mn[m]);
	s->mx[m] = xreallocarray(NULL, SERIES_ENV_BINS, sizeof *s->mx[m]);
	for (size_t i = 0; i < n; i++) {
		double x = point_x(&p[i], m, start);

		if (x < lo)
			lo = x;
		if (x > hi)
			hi = x;
	}
	for (size_t b = 0; b < SERIES_ENV_BINS; b++)
		s->mn[m][b] = s->mx[m][b] = NAN;
	if (hi <= lo)
		hi = lo + 1;
	for (size_t i = 0; i < n; i++) {
		double y = p[i].value;
		size_t b = (size_t)((point_x(&p[i], m, start) - lo) / (hi - lo) *
		    (SERIES_ENV_BINS - 1) + 0.5);

		if (isnan(y))
			continue;
		if (b >= SERIES_ENV_BINS)
			b = SERIES_ENV_BINS - 1;
		if (isnan(s->mn[m][b]) || y < s->mn[m][b])
			s->mn[m][b] = y;
		if (isnan(s->mx[m][b]) || y > s->mx[m][b])
			s->mx[m][b] = y;
	}
	s->x0[m] = lo;
	s->x1[m] = hi;
}

void
series_fill(struct series *s, const pl_point *p, size_t n, int64_t start_ms)
{
	s->n = n;
	if (n > SERIES_BIG) {
		double mid[SERIES_ENV_BINS];

		make_envelope(s, p, n, 0, start_ms);
		make_envelope(s, p, n, 1, start_ms);
		for (size_t b = 0; b < SERIES_ENV_BINS; b++)
			mid[b] = (s->mn[0][b] + s->mx[0][b]) / 2;
		wspark_render(mid, SERIES_ENV_BINS, 20, NAN, NAN,
		    widgets_utf8(), s->spark, sizeof s->spark);
	} else if (n) {
		s->x = xreallocarray(NULL, n, sizeof *s->x);
		s->xt = xreallocarray(NULL, n, sizeof *s->xt);
		s->y = xreallocarray(NULL, n, sizeof *s->y);
		for (size_t i = 0; i < n; i++) {
			s->x[i] = point_x(&p[i], 0, 0);
			s->xt[i] = point_x(&p[i], 1, start_ms);
			s->y[i] = p[i].value;
		}
		wspark_render(s->y, n, 20, NAN, NAN, widgets_utf8(), s->spark,
		    sizeof s->spark);
	}
}

/* Frees the arrays of s (not its key, not its job). */
static void
free_data(struct series *s)
{
	free(s->x);
	free(s->y);
	free(s->xt);
	for (int m = 0; m < 2; m++) {
		free(s->mn[m]);
		free(s->mx[m]);
	}
}

static void
job_free(struct series_job *j)
{
	free_data(&j->out);
	free(j->dir);
	free(j->key);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void *
job_main(void *arg)
{
	struct series_job *j = arg;
	pl_store *st = NULL;
	pl_point *p = NULL;
	size_t n = 0;
	bool abandoned;

	if (pl_store_open(&st, j->dir, PL_OPEN_READONLY) == PL_OK &&
	    pl_metric_series(&p, &n, st, j->id, j->key) != PL_OK)
		n = 0;
	pl_store_close(st);
	series_fill(&j->out, p, n, j->start_ms);
	free(p);
	pthread_mutex_lock(&j->mu);
	j->done = true;
	abandoned = j->abandoned;
	if (!abandoned) {
		ssize_t w;

		do
			w = write(j->fd, "s", 1);
		while (w < 0 && errno == EINTR);
	}
	pthread_mutex_unlock(&j->mu);
	if (abandoned)
		job_free(j);	/* the screen is gone: nobody else will */
	return NULL;
}

int
series_job_start(struct series *s, const char *store_dir,
    const char *run_id, int64_t start_ms, int notify_fd)
{
	struct series_job *j = xcalloc(1, sizeof *j);

	j->dir = xstrdup(store_dir);
	j->key = xstrdup(s->key);
	snprintf(j->id, sizeof j->id, "%s", run_id);
	j->start_ms = start_ms;
	j->fd = notify_fd;
	j->t0 = now_ms();
	pthread_mutex_init(&j->mu, NULL);
	if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
		job_free(j);
		return -1;
	}
	s->job = j;
	snprintf(s->spark, sizeof s->spark, "loading...");
	return 0;
}

int
series_job_finish(struct series *s, double *ms)
{
	struct series_job *j = s->job;
	bool done;

	if (j == NULL)
		return 0;
	pthread_mutex_lock(&j->mu);
	done = j->done;
	pthread_mutex_unlock(&j->mu);
	if (!done)
		return 0;
	pthread_join(j->thread, NULL);
	free_data(s);
	s->n = j->out.n;
	s->x = j->out.x;
	s->y = j->out.y;
	s->xt = j->out.xt;
	for (int m = 0; m < 2; m++) {
		s->mn[m] = j->out.mn[m];
		s->mx[m] = j->out.mx[m];
		s->x0[m] = j->out.x0[m];
		s->x1[m] = j->out.x1[m];
	}
	memcpy(s->spark, j->out.spark, sizeof s->spark);
	memset(&j->out, 0, sizeof j->out);
	if (ms)
		*ms = now_ms() - j->t0;
	job_free(j);
	s->job = NULL;
	return 1;
}

void
series_dispose(struct series *s)
{
	struct series_job *j = s->job;

	if (j) {
		bool done;

		pthread_mutex_lock(&j->mu);
		j->abandoned = true;
		done = j->done;
		pthread_mutex_unlock(&j->mu);
		if (done) {	/* it ended: only the screen is left */
			pthread_join(j->thread, NULL);
			job_free(j);
		} else {
			pthread_detach(j->thread);
		}
		s->job = NULL;
	}
	free_data(s);
	free(s->key);
	memset(s, 0, sizeof *s);
}
