/* source-drive.c - test driver: opens plumb watch's sources for targets of a plumb.yaml, polls them and prints what they queued. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/plumb-yaml.h"
#include "monitor/source.h"
#include "plumb.h"

/*
 * Usage: source-drive [-r ROUNDS] [-i MS] [-d MS] [-k KIND] [-s STORE]
 *                     [-g GATE] PLUMB.YAML TARGET...
 *
 * For every TARGET, every source kind of pl_mon_sources[] that wants it
 * (or only KIND) is opened; each round polls every target on a thread
 * of its own, all at once, as the watcher does, with the deadline now +
 * MS (-d; default the target's interval), then prints, per target and
 * kind:
 *
 *   sample TARGET KIND NAME{l="v",...} VALUE T_MS
 *   state TARGET KIND KEY STATE DETAIL
 *   event TARGET KIND EVENT-KIND MESSAGE
 *   elapsed TARGET KIND MS
 *
 * Rounds are -i MS apart (default 1000); with -g, round N > 1 waits
 * for the file GATE.N to exist instead (a test changes the world between
 * rounds).  With -s the samples are also stored in that store's series
 * tables (pl_mon_sink_drain, one flush per round) and the end prints
 * "stored N series".  Exit 0, or 1 with a message when a source fails to open
 * or a poll returns an error (a fault of plumb, not of the target).
 * This is the watcher's contract with the sources, without the watcher.
 */

struct job {
	const pl_mon_target *t;
	const pl_mon_source_ops *ops;
	void *state;
	pl_mon_sink *sink;
	int64_t deadline_ms;
	int rc;
	double elapsed_ms;
};

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One target's kinds, in table order, on this thread. */
struct tjob {
	struct job *jobs;
	size_t n;
};

static void *
run_target(void *arg)
{
	struct tjob *tj = arg;

	for (size_t i = 0; i < tj->n; i++) {
		struct job *j = &tj->jobs[i];
		double t0 = mono_ms();

		pl_mon_sink_reset(j->sink);
		j->rc = j->ops->poll(j->state, wall_ms(), j->deadline_ms,
		    j->sink);
		j->elapsed_ms = mono_ms() - t0;
	}
	return NULL;
}

static void
print_job(const struct job *j)
{
	const pl_mon_sink *k = j->sink;

	for (size_t i = 0; i < pl_mon_sink_nsamples(k); i++) {
		pl_mon_queued q;

		pl_mon_sink_get(&q, k, i);
		printf("sample %s %s %s{", j->t->name, j->ops->kind, q.name);
		for (size_t l = 0; l < q.nlabels; l++)
			printf("%s%s=\"%s\"", l ? "," : "", q.labels[l].name,
			    q.labels[l].value);
		if (pl_ts_is_stale(q.v))
			printf("} stale %lld\n", (long long)q.t_ms);
		else
			printf("} %.17g %lld\n", q.v, (long long)q.t_ms);
	}
	for (size_t i = 0; i < pl_mon_sink_nstates(k); i++) {
		const char *key, *st, *detail;

		pl_mon_sink_state_get(&key, &st, &detail, k, i);
		printf("state %s %s %s %s %s\n", j->t->name, j->ops->kind, key,
		    st, detail ? detail : "");
	}
	for (size_t i = 0; i < pl_mon_sink_nevents(k); i++) {
		int64_t t;
		const char *kind, *msg;

		pl_mon_sink_event_get(&t, &kind, &msg, k, i);
		printf("event %s %s %s %s\n", j->t->name, j->ops->kind, kind,
		    msg ? msg : "");
	}
	printf("elapsed %s %s %.1f\n", j->t->name, j->ops->kind, j->elapsed_ms);
}

int
main(int argc, char **argv)
{
	int rounds = 1, opt, rc = 0;
	long interval_ms = 1000, deadline_ms = -1;
	const char *only = NULL, *store_dir = NULL, *gate = NULL;
	char err[1024];
	pl_config *cfg = NULL;
	pl_store *st = NULL;
	pl_ts_writer *w = NULL;
	struct job *jobs;
	struct tjob *tj;
	size_t nj = 0, nt;

	while ((opt = getopt(argc, argv, "r:i:d:k:s:g:")) != -1) {
		switch (opt) {
		case 'r': rounds = atoi(optarg); break;
		case 'i': interval_ms = atol(optarg); break;
		case 'd': deadline_ms = atol(optarg); break;
		case 'k': only = optarg; break;
		case 's': store_dir = optarg; break;
		case 'g': gate = optarg; break;
		default:
			fprintf(stderr, "usage: source-drive [-r ROUNDS] [-i MS] "
			    "[-d MS] [-k KIND] [-s STORE] PLUMB.YAML TARGET...\n");
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "source-drive: a plumb.yaml and a target\n");
		return 2;
	}
	if (pl_config_load(&cfg, argv[optind], err, sizeof err) != PL_OK) {
		fprintf(stderr, "source-drive: %s\n", err);
		return 1;
	}
	if (store_dir) {
		if (pl_store_init(&st, store_dir) != PL_OK ||
		    pl_ts_writer_open(&w, st) != PL_OK) {
			fprintf(stderr, "source-drive: store: %s\n",
			    st ? pl_store_errmsg(st) : "out of memory");
			return 1;
		}
	}
	nt = (size_t)(argc - optind - 1);
	jobs = calloc(nt * 8, sizeof *jobs);
	tj = calloc(nt, sizeof *tj);
	for (size_t i = 0; i < nt; i++) {
		const pl_mon_target *t = pl_monitor_target(&cfg->monitor,
		    argv[optind + 1 + (int)i]);
		pl_mon_env env = { cfg, store_dir };

		if (t == NULL) {
			fprintf(stderr, "source-drive: no target '%s'\n",
			    argv[optind + 1 + (int)i]);
			return 1;
		}
		tj[i].jobs = jobs + nj;
		for (size_t s = 0; pl_mon_sources[s]; s++) {
			const pl_mon_source_ops *ops = pl_mon_sources[s];
			struct job *j = &jobs[nj];

			if ((only && strcmp(only, ops->kind)) || !ops->wants(t))
				continue;
			j->t = t;
			j->ops = ops;
			if (ops->open(&j->state, t, &env, err, sizeof err) !=
			    PL_OK) {
				fprintf(stderr, "source-drive: %s: %s\n", t->name,
				    err);
				return 1;
			}
			if (pl_mon_sink_new(&j->sink, t->name) != PL_OK)
				return 1;
			nj++;
			tj[i].n++;
		}
	}
	for (int r = 0; r < rounds; r++) {
		pthread_t *th = calloc(nt, sizeof *th);

		if (r > 0 && gate) {
			char gp[4096];

			snprintf(gp, sizeof gp, "%s.%d", gate, r + 1);
			for (int i = 0; i < 3000 && access(gp, F_OK) != 0; i++)
				usleep(10000);
		} else if (r > 0) {
			usleep((useconds_t)interval_ms * 1000);
		}
		printf("round %d\n", r + 1);
		for (size_t i = 0; i < nt; i++) {
			for (size_t k = 0; k < tj[i].n; k++) {
				struct job *j = &tj[i].jobs[k];
				long d = deadline_ms >= 0 ? deadline_ms :
				    (long)(j->t->interval_s * 1000);

				j->deadline_ms = wall_ms() + d;
			}
			pthread_create(&th[i], NULL, run_target, &tj[i]);
		}
		for (size_t i = 0; i < nt; i++)
			pthread_join(th[i], NULL);
		free(th);
		for (size_t i = 0; i < nj; i++) {
			print_job(&jobs[i]);
			if (jobs[i].rc != PL_OK) {
				fprintf(stderr, "source-drive: %s %s: poll "
				    "returned %d\n", jobs[i].t->name,
				    jobs[i].ops->kind, jobs[i].rc);
				rc = 1;
			}
			if (w && pl_mon_sink_drain(NULL, jobs[i].sink, w, st) !=
			    PL_OK) {
				fprintf(stderr, "source-drive: drain: %s\n",
				    pl_ts_writer_errmsg(w));
				rc = 1;
			}
		}
		if (w && pl_ts_flush(w) != PL_OK) {
			fprintf(stderr, "source-drive: flush: %s\n",
			    pl_ts_writer_errmsg(w));
			rc = 1;
		}
		fflush(stdout);
	}
	if (w) {
		pl_ts_set *set;

		if (pl_ts_writer_close(w) != PL_OK ||
		    pl_ts_select(&set, st, NULL, 0) != PL_OK) {
			fprintf(stderr, "source-drive: %s\n", pl_store_errmsg(st));
			rc = 1;
		} else {
			printf("stored %zu series\n", set->n);
			pl_ts_set_free(set);
		}
		w = NULL;
	}
	for (size_t i = 0; i < nj; i++) {
		jobs[i].ops->close(jobs[i].state);
		pl_mon_sink_free(jobs[i].sink);
	}
	free(jobs);
	free(tj);
	if (st)
		pl_store_close(st);
	pl_config_free(cfg);
	return rc;
}
