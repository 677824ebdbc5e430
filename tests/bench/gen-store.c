/* gen-store.c - benchmark tool: generates a large plumb store (runs, params, metrics, one huge series). */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "plumb.h"

/*
 * Usage: gen-store [-r RUNS] [-p PARAMS] [-m METRICS] [-b BIG_POINTS] DIR
 *
 * Creates (or extends) the store in DIR with RUNS runs (default 100,000)
 * spread over 10 experiments, each with PARAMS params (default 10) and
 * METRICS metrics (default 10) of one point each, plus one run named
 * "big" whose metric "loss" has BIG_POINTS points (default 1,000,000),
 * written through the real ingest path.  Values are deterministic
 * (xorshift with a fixed seed), so benchmarks are repeatable: params.lr
 * cycles through 0.1, 0.01, 0.001, 0.0001; metrics.loss is uniform in
 * [0, 1).
 *
 * The bulk rows are written with SQL in one transaction, laid out exactly
 * as the engine writes them (runs, params, metric_summary, metric_chunks);
 * going through the engine one run at a time would take minutes.
 */

static uint64_t rng = 88172645463325252ULL;

static double
uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static void
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "gen-store: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
	exit(1);
}

static void
put_le(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

int
main(int argc, char **argv)
{
	long runs = 100000, nparams = 10, nmetrics = 10, big = 1000000;
	static const char *const lrs[] = { "0.1", "0.01", "0.001", "0.0001" };
	static const char *const users[] = { "ana", "bo", "chen", "dee" };
	sqlite3 *db;
	sqlite3_stmt *ins_run, *ins_param, *ins_sum, *ins_chunk;
	pl_store *st = NULL;
	char *dbpath, big_id[PL_ID_LEN + 1], err[256];
	int64_t t0 = 1767225600000LL;	/* 2026-01-01 */
	int64_t base_rid = 0, kid0 = 0;
	int c;

	while ((c = getopt(argc, argv, "r:p:m:b:")) != -1) {
		switch (c) {
		case 'r': runs = atol(optarg); break;
		case 'p': nparams = atol(optarg); break;
		case 'm': nmetrics = atol(optarg); break;
		case 'b': big = atol(optarg); break;
		default:
			fprintf(stderr, "usage: gen-store [-r RUNS] [-p PARAMS] "
			    "[-m METRICS] [-b BIG_POINTS] DIR\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: gen-store [-r RUNS] [-p PARAMS] "
		    "[-m METRICS] [-b BIG_POINTS] DIR\n");
		return 2;
	}
	if (pl_store_init(&st, argv[optind]) != PL_OK) {
		fprintf(stderr, "gen-store: %s\n", pl_store_errmsg(st));
		return 1;
	}
	if (asprintf(&dbpath, "%s/plumb.db", pl_store_dir(st)) < 0)
		return 1;
	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		die(db, "open");
	sqlite3_exec(db, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		die(db, "begin");
	for (int e = 0; e < 10; e++) {
		char sql[160];

		snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO experiments(name, "
		    "created_ms) VALUES ('exp-%d', %lld)", e, (long long)t0);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	/* Keys: p0..pN (lr is p0), m0..mM (loss is m0). */
	for (long k = 0; k < nparams + nmetrics; k++) {
		char sql[128];

		if (k < nparams)
			snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO keys(name) "
			    "VALUES ('%s')", k == 0 ? "lr" : "p");
		else
			snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO keys(name) "
			    "VALUES ('%s')", k == nparams ? "loss" : "m");
		if (k != 0 && k != nparams) {
			snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO keys(name) "
			    "VALUES ('%s%ld')", k < nparams ? "param" : "metric",
			    k < nparams ? k : k - nparams);
		}
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			die(db, "keys");
	}
	{
		sqlite3_stmt *s;

		sqlite3_prepare_v2(db, "SELECT coalesce(max(rid), 0) FROM runs",
		    -1, &s, NULL);
		sqlite3_step(s);
		base_rid = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		sqlite3_prepare_v2(db, "SELECT id FROM keys WHERE name = 'lr'",
		    -1, &s, NULL);
		sqlite3_step(s);
		kid0 = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO runs(rid, id, experiment_id, "
	    "name, status, user, host, start_ms, end_ms, heartbeat_ms, "
	    "exit_status, command) VALUES (?1, ?2, (SELECT id FROM experiments "
	    "WHERE name = ?3), ?4, 'finished', ?5, 'gen', ?6, ?7, ?7, 0, "
	    "'python train.py')", -1, &ins_run, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO params VALUES (?1, (SELECT id "
	    "FROM keys WHERE name = ?2), ?3)", -1, &ins_param, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO metric_summary VALUES (?1, "
	    "(SELECT id FROM keys WHERE name = ?2), ?3, 0, ?4, ?3, ?3, 1)", -1,
	    &ins_sum, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO metric_chunks VALUES (?1, "
	    "(SELECT id FROM keys WHERE name = ?2), 0, 1, 0, 0, ?3)", -1,
	    &ins_chunk, NULL))
		die(db, "prepare");
	(void)kid0;
	for (long i = 0; i < runs; i++) {
		int64_t rid = base_rid + 1 + i, start = t0 + i * 60000;
		char id[PL_ID_LEN + 1], name[32], exp[16], key[32], val[32];

		snprintf(id, sizeof id, "%016llx%016llx",
		    (unsigned long long)(rng * 2654435761ULL),
		    (unsigned long long)rid);
		uniform();
		snprintf(name, sizeof name, "run-%ld", i);
		snprintf(exp, sizeof exp, "exp-%ld", i % 10);
		sqlite3_bind_int64(ins_run, 1, rid);
		sqlite3_bind_text(ins_run, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_run, 3, exp, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_run, 4, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_run, 5, users[i % 4], -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_run, 6, start);
		sqlite3_bind_int64(ins_run, 7, start + 1000 + (int64_t)(uniform() * 3.6e6));
		if (sqlite3_step(ins_run) != SQLITE_DONE)
			die(db, "run");
		sqlite3_reset(ins_run);
		for (long k = 0; k < nparams; k++) {
			if (k == 0) {
				snprintf(key, sizeof key, "lr");
				snprintf(val, sizeof val, "%s", lrs[i % 4]);
			} else {
				snprintf(key, sizeof key, "param%ld", k);
				snprintf(val, sizeof val, "v%ld", (long)(uniform() * 20));
			}
			sqlite3_bind_int64(ins_param, 1, rid);
			sqlite3_bind_text(ins_param, 2, key, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(ins_param, 3, val, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(ins_param) != SQLITE_DONE)
				die(db, "param");
			sqlite3_reset(ins_param);
		}
		for (long k = 0; k < nmetrics; k++) {
			double v = uniform();
			unsigned char pt[24];
			uint64_t bits;

			if (k == 0)
				snprintf(key, sizeof key, "loss");
			else
				snprintf(key, sizeof key, "metric%ld", k);
			memcpy(&bits, &v, sizeof bits);
			put_le(pt, 0);
			put_le(pt + 8, (uint64_t)start);
			put_le(pt + 16, bits);
			sqlite3_bind_int64(ins_sum, 1, rid);
			sqlite3_bind_text(ins_sum, 2, key, -1, SQLITE_TRANSIENT);
			sqlite3_bind_double(ins_sum, 3, v);
			sqlite3_bind_int64(ins_sum, 4, start);
			sqlite3_bind_int64(ins_chunk, 1, rid);
			sqlite3_bind_text(ins_chunk, 2, key, -1, SQLITE_TRANSIENT);
			sqlite3_bind_blob(ins_chunk, 3, pt, 24, SQLITE_TRANSIENT);
			if (sqlite3_step(ins_sum) != SQLITE_DONE ||
			    sqlite3_step(ins_chunk) != SQLITE_DONE)
				die(db, "metric");
			sqlite3_reset(ins_sum);
			sqlite3_reset(ins_chunk);
		}
		if (i % 10000 == 9999)
			fprintf(stderr, "\rgen-store: %ld runs", i + 1);
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die(db, "commit");
	fprintf(stderr, "\rgen-store: %ld runs\n", runs);
	sqlite3_finalize(ins_run);
	sqlite3_finalize(ins_param);
	sqlite3_finalize(ins_sum);
	sqlite3_finalize(ins_chunk);
	sqlite3_exec(db, "ANALYZE", NULL, NULL, NULL);
	sqlite3_close(db);
	free(dbpath);

	if (big > 0) {
		pl_run_spec spec;
		pl_ingest *in;
		struct buf b = BUF_INIT;

		memset(&spec, 0, sizeof spec);
		spec.experiment = "exp-0";
		spec.name = "big";
		spec.command = "python train.py --epochs 1000";
		if (pl_run_create(big_id, st, &spec) != PL_OK ||
		    pl_run_set_param(st, big_id, "lr", "0.01") != PL_OK ||
		    pl_ingest_start(&in, pl_store_dir(st), big_id, NULL, err,
		    sizeof err) != PL_OK) {
			fprintf(stderr, "gen-store: %s\n", pl_store_errmsg(st));
			return 1;
		}
		for (long i = 0; i < big; i++) {
			buf_printf(&b, "metric loss %.17g step=%ld\n",
			    exp(-(double)i / (double)big * 5) + 0.05 * uniform(), i);
			if (b.len > 1 << 16) {
				pl_ingest_feed(in, b.p, b.len);
				buf_clear(&b);
			}
		}
		pl_ingest_feed(in, b.p ? b.p : "", b.len);
		if (pl_ingest_finish(in) != PL_OK) {
			fprintf(stderr, "gen-store: %s\n", pl_ingest_errmsg(in));
			return 1;
		}
		pl_ingest_free(in);
		buf_free(&b);
		pl_run_finish(st, big_id, PL_RUN_FINISHED, 0, NULL);
		fprintf(stderr, "gen-store: run big (%s) with %ld points\n",
		    big_id, big);
	}
	pl_store_close(st);
	return 0;
}
