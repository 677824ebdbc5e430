/* predlog-bench.c - benchmark helper: prediction-log generation, ingest timing, window-drift timing and retention memory (run by predlog-bench.sh, predret-bench.sh). */
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plumb.h"
#include "monitor/logtail.h"
#include "monitor/predparse.h"
#include "monitor/predsrc.h"
#include "monitor/wdrift.h"

static uint64_t rs = 0x2545F4914F6CDD1Dull;

static double
unif(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (double)(rs >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
	double u = unif(), v = unif();

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds of this process: on a machine shared with other work the
 * wall clock measures the neighbours too, so the figures come in pairs. */
static double
cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* gen FILE N NFEAT: the model server's line shape, 20 features */
static int
gen(const char *path, long n, int nf)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return 1;
	for (long i = 0; i < n; i++) {
		fprintf(f, "{\"id\":\"r-%ld\",\"ts\":%.6f,\"features\":{", i,
		    1796400000.0 + (double)i * 0.001);
		for (int k = 0; k < nf; k++)
			fprintf(f, "%s\"f%d\":%.6f", k ? "," : "", k, gauss());
		double p = unif();
		fprintf(f, "},\"prediction\":%d,\"score\":%.6f,\"latency\":%.6f,\"status\":\"%s\"}\n",
		    p >= 0.5, p, 0.001 + unif() * 0.01, i % 50 ? "ok" : "error");
	}
	return fclose(f) != 0;
}

static int
count_line(void *ctx, const char *line, size_t len, unsigned flags)
{
	struct { pl_predparse *p; long ok, bad; } *c = ctx;
	struct pl_pred_row r;

	if (pl_predparse_line(c->p, line, len, flags, &r) == PL_OK)
		c->ok++;
	else
		c->bad++;
	return 0;
}

/* parse FILE: tail + parse only (no store), lines/s */
static int
parse_only(const char *path)
{
	struct { pl_predparse *p; long ok, bad; } c = { NULL, 0, 0 };
	pl_tail *t;
	double t0 = now_s(), c0 = cpu_s();

	pl_predparse_new(&c.p, PL_PRED_JSONL, NULL);
	pl_tail_new(&t, path, NULL);
	pl_tail_poll(t, count_line, &c, 0, NULL);
	double dt = now_s() - t0, dc = cpu_s() - c0;
	printf("%.0f %ld %ld %.0f\n", (double)c.ok / dt, c.ok, c.bad,
	    (double)c.ok / dc);
	pl_tail_free(t);
	pl_predparse_free(c.p);
	return c.bad != 0;
}

/* ingest STOREDIR FILE: the whole source (tail, parse, store), lines/s */
static int
ingest(const char *sd, const char *path)
{
	pl_store *st = NULL;
	pl_predsrc *s;
	char err[512];
	struct pl_predsrc_status ps;

	if (pl_store_init(&st, sd) != PL_OK) {
		fprintf(stderr, "%s\n", pl_store_errmsg(st));
		return 1;
	}
	struct pl_predsrc_opts o = { .target = "bench", .pred_path = path,
		.max_bytes = (size_t)1 << 40 };
	if (pl_predsrc_open(&s, sd, &o, err, sizeof err) != PL_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t0 = now_s(), c0 = cpu_s();
	if (pl_predsrc_poll(s, 0, NULL) != PL_OK) {
		fprintf(stderr, "%s\n", pl_predsrc_errmsg(s));
		return 1;
	}
	double dt = now_s() - t0, dc = cpu_s() - c0;
	pl_predsrc_status(&ps, st, "bench");
	printf("%.0f %lld %lld %.0f\n", (double)ps.stored / dt, (long long)ps.stored,
	    (long long)ps.predictions.malformed, (double)ps.stored / dc);
	pl_predsrc_close(s);
	pl_store_close(st);
	return 0;
}

/* One parsed record kept in memory for the floor below. */
struct prow {
	char id[32];
	int id_len, status;
	int64_t ts;
	double pred, score, lat;
	double f[20];
};

static int
keep_line(void *ctx, const char *line, size_t len, unsigned flags)
{
	struct { pl_predparse *p; struct prow *v; long n, cap; } *c = ctx;
	struct pl_pred_row r;

	if (pl_predparse_line(c->p, line, len, flags, &r) != PL_OK || c->n == c->cap)
		return 0;
	struct prow *o = &c->v[c->n++];
	o->id_len = (int)(r.id_len < sizeof o->id ? r.id_len : sizeof o->id);
	memcpy(o->id, r.id, (size_t)o->id_len);
	o->ts = r.ts_ms;
	o->pred = r.prediction;
	o->score = r.score;
	o->lat = r.latency;
	o->status = r.status == 1;
	for (size_t k = 0; k < 20; k++)
		o->f[k] = k < r.nfeatures ? r.features[k] : NAN;
	return 0;
}

/*
 * floor DBFILE FILE INDEXES: the structural ceiling of storing one SQLite
 * row per record.  FILE is parsed into memory first (not timed); then a
 * raw prepared-insert loop, one transaction, plumb's pragmas, writes the
 * rows into a table shaped like mon_predictions (schemas 5 to 11, the
 * layout before blocks) with its two
 * indexes (INDEXES=1) or none (0).  Prints rows/s by wall clock and by
 * CPU time, insert and commit included.  No parsing, no log position, no
 * counters: ingest cannot beat this with this table layout.
 */
static int
floor_rows(const char *db_path, const char *path, int indexes, long cap)
{
	struct { pl_predparse *p; struct prow *v; long n, cap; } c = { NULL, NULL, 0, cap };
	pl_tail *t;
	sqlite3 *db;
	sqlite3_stmt *q;

	c.v = malloc((size_t)cap * sizeof *c.v);
	pl_predparse_new(&c.p, PL_PRED_JSONL, NULL);
	pl_tail_new(&t, path, NULL);
	pl_tail_poll(t, keep_line, &c, 0, NULL);
	pl_tail_free(t);
	pl_predparse_free(c.p);
	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return 1;
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
	    "PRAGMA cache_size=-16384; PRAGMA mmap_size=1073741824;"
	    "CREATE TABLE mon_predictions(rid INTEGER PRIMARY KEY,"
	    " target TEXT NOT NULL, id TEXT NOT NULL, ts_ms INTEGER NOT NULL,"
	    " prediction REAL, score REAL, latency REAL,"
	    " status INTEGER NOT NULL, features BLOB,"
	    " label REAL, label_ms INTEGER) STRICT;", NULL, NULL, NULL) != SQLITE_OK ||
	    (indexes && sqlite3_exec(db,
	    "CREATE UNIQUE INDEX mon_predictions_id ON mon_predictions(target, id);"
	    "CREATE INDEX mon_predictions_time ON mon_predictions(target, ts_ms);",
	    NULL, NULL, NULL) != SQLITE_OK) ||
	    sqlite3_prepare_v2(db, "INSERT INTO mon_predictions(target, id, ts_ms,"
	    " prediction, score, latency, status, features)"
	    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT DO NOTHING", -1, &q,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "%s\n", sqlite3_errmsg(db));
		return 1;
	}
	double t0 = now_s(), c0 = cpu_s();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (long i = 0; i < c.n; i++) {
		struct prow *o = &c.v[i];
		sqlite3_bind_text(q, 1, "bench", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, o->id, o->id_len, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, o->ts);
		sqlite3_bind_double(q, 4, o->pred);
		sqlite3_bind_double(q, 5, o->score);
		sqlite3_bind_double(q, 6, o->lat);
		sqlite3_bind_int(q, 7, o->status);
		sqlite3_bind_blob(q, 8, o->f, sizeof o->f, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE) {
			fprintf(stderr, "%s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(q);
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	double dt = now_s() - t0, dc = cpu_s() - c0;
	printf("%.0f %.0f %ld\n", (double)c.n / dt, (double)c.n / dc, c.n);
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(c.v);
	return 0;
}

/* gen-ref FILE N NFEAT: reference CSV */
static int
gen_ref(const char *path, long n, int nf)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return 1;
	for (int k = 0; k < nf; k++)
		fprintf(f, "%sf%d", k ? "," : "", k);
	fputc('\n', f);
	for (long i = 0; i < n; i++)
		for (int k = 0; k < nf; k++)
			fprintf(f, "%.6f%c", gauss(), k + 1 < nf ? ',' : '\n');
	return fclose(f) != 0;
}

/*
 * wdrift REF CUR.csv ROWS NFEAT REPS: prepares REF once, then evaluates
 * a ROWS x NFEAT window REPS times (ms per evaluation); the window is
 * also written to CUR.csv for the baseline (`plumb drift REF CUR.csv`,
 * which prepares the reference on every call).
 */
static int
wdrift(const char *ref, const char *cur, long rows, int nf, int reps)
{
	pl_wdrift *w;
	char err[512];
	double t0 = now_s();

	if (pl_wdrift_new(&w, ref, NULL, err, sizeof err) != PL_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double prep = now_s() - t0;
	size_t nc = pl_wdrift_ncolumns(w);
	double **cols = calloc(nc, sizeof *cols);
	FILE *f = fopen(cur, "w");
	for (size_t k = 0; k < nc; k++) {
		cols[k] = malloc((size_t)rows * sizeof **cols);
		fprintf(f, "%s%s", k ? "," : "", pl_wdrift_column_name(w, k));
	}
	fputc('\n', f);
	for (long i = 0; i < rows; i++)
		for (size_t k = 0; k < nc; k++) {
			/* half the features shifted by 0.1 sd */
			double v = gauss() + (k % 2 ? 0.1 : 0);
			char b[32];
			snprintf(b, sizeof b, "%.6f", v);
			cols[k][i] = strtod(b, NULL);
			fprintf(f, "%s%c", b, k + 1 < nc ? ',' : '\n');
		}
	fclose(f);
	double best = 1e9, sum = 0, c0 = cpu_s();
	for (int r = 0; r < reps; r++) {
		double a = now_s();
		if (pl_wdrift_eval(w, (const double *const *)cols, (size_t)rows) != PL_OK)
			return 1;
		double d = now_s() - a;
		sum += d;
		if (d < best)
			best = d;
	}
	double cpu = (cpu_s() - c0) / reps;
	printf("%.3f %.3f %.1f %zu %zu %.3f\n", sum / reps * 1000, best * 1000,
	    prep * 1000, pl_wdrift_drifted(w), pl_wdrift_tested(w), cpu * 1000);
	(void)nf;
	for (size_t k = 0; k < nc; k++)
		free(cols[k]);
	free(cols);
	pl_wdrift_free(w);
	return 0;
}

/* kB of a /proc/self/status line ("VmRSS", "VmHWM"), -1 if unknown. */
static long
vm_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t kl = strlen(key);

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = atol(line + kl + 1);
			break;
		}
	fclose(f);
	return v;
}

/* retain STORE LOG DAYS PER_DAY RETAIN_DAYS: a watcher's life of DAYS
 * days, PER_DAY predictions a day appended and polled once a day (so
 * retention runs at every poll); prints the rows stored at the end, the
 * process's RSS, its anonymous part (the heap: the id index; the rest is
 * the store's file mapped) and peak RSS in kB, and the seconds taken. */
static int
retain(const char *sd, const char *path, int days, long per_day,
    double retain_days)
{
	const int64_t DAYMS = 86400000, T0 = 1796400000000LL;
	pl_store *st = NULL;
	pl_predsrc *s;
	char err[512];
	struct pl_predsrc_status ps;
	long k = 0;

	if (pl_store_init(&st, sd) != PL_OK) {
		fprintf(stderr, "%s\n", pl_store_errmsg(st));
		return 1;
	}
	struct pl_predsrc_opts o = { .target = "bench", .pred_path = path,
		.max_bytes = (size_t)1 << 40,
		.retain_ms = (int64_t)(retain_days * (double)DAYMS) };
	if (pl_predsrc_open(&s, sd, &o, err, sizeof err) != PL_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t0 = now_s();
	for (int d = 0; d < days; d++) {
		FILE *f = fopen(path, "a");
		if (f == NULL)
			return 1;
		for (long i = 0; i < per_day; i++, k++)
			fprintf(f, "{\"id\":\"req-%ld\",\"ts\":%lld,"
			    "\"prediction\":%d,\"score\":%.3f}\n", k,
			    (long long)(T0 + d * DAYMS + i * (DAYMS / per_day)),
			    (int)(k % 2), (double)(k % 1000) / 1000.0);
		fclose(f);
		if (pl_predsrc_poll(s, T0 + (d + 1) * DAYMS, NULL) != PL_OK) {
			fprintf(stderr, "%s\n", pl_predsrc_errmsg(s));
			return 1;
		}
	}
	double dt = now_s() - t0;
	pl_predsrc_status(&ps, st, "bench");
	printf("%lld %ld %ld %ld %.1f\n", (long long)ps.stored, vm_kb("VmRSS"),
	    vm_kb("RssAnon"), vm_kb("VmHWM"), dt);
	pl_predsrc_close(s);
	pl_store_close(st);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], atol(argv[3]), atoi(argv[4]));
	if (argc == 7 && strcmp(argv[1], "retain") == 0)
		return retain(argv[2], argv[3], atoi(argv[4]), atol(argv[5]),
		    atof(argv[6]));
	if (argc == 3 && strcmp(argv[1], "parse") == 0)
		return parse_only(argv[2]);
	if (argc == 4 && strcmp(argv[1], "ingest") == 0)
		return ingest(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "floor") == 0)
		return floor_rows(argv[2], argv[3], atoi(argv[4]), atol(argv[5]));
	if (argc == 5 && strcmp(argv[1], "gen-ref") == 0)
		return gen_ref(argv[2], atol(argv[3]), atoi(argv[4]));
	if (argc == 7 && strcmp(argv[1], "wdrift") == 0)
		return wdrift(argv[2], argv[3], atol(argv[4]), atoi(argv[5]),
		    atoi(argv[6]));
	fprintf(stderr, "usage: predlog-bench gen FILE N NFEAT | parse FILE | ingest STOREDIR FILE\n"
	    "       | floor DBFILE FILE INDEXES MAXROWS | gen-ref FILE N NFEAT | wdrift REF CUR.csv ROWS NFEAT REPS\n");
	return 2;
}
