/* raw-insert.c - benchmark baseline: a raw SQLite prepared-insert loop into a table like plumb's metrics. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/*
 * Usage: raw-insert DBFILE N
 * Creates a table shaped like plumb's metric table (same columns, same
 * WITHOUT ROWID primary key, same pragmas) and inserts N points of one
 * series with one reused prepared statement, 100,000 rows per
 * transaction.  Prints "points_per_s N".  This is the ceiling plumb's
 * ingest is measured against.
 */
int
main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	struct timespec a, b;
	long n, i;
	double secs;

	if (argc != 3) {
		fprintf(stderr, "usage: raw-insert DBFILE N\n");
		return 2;
	}
	n = atol(argv[2]);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;"
	    "CREATE TABLE runs(rid INTEGER PRIMARY KEY);"
	    "INSERT INTO runs VALUES (1);"
	    "CREATE TABLE metrics(run_id INTEGER NOT NULL REFERENCES runs(rid),"
	    " key_id INTEGER NOT NULL, step INTEGER NOT NULL,"
	    " ts_ms INTEGER NOT NULL, value REAL,"
	    " PRIMARY KEY(run_id, key_id, step, ts_ms)) STRICT, WITHOUT ROWID;",
	    NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO metrics VALUES "
	    "(?1, ?2, ?3, ?4, ?5)", -1, &s, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (i % 100000 == 0)
			sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_bind_int64(s, 1, 1);
		sqlite3_bind_int64(s, 2, 1);
		sqlite3_bind_int64(s, 3, i);
		sqlite3_bind_int64(s, 4, 1700000000000 + i);
		sqlite3_bind_double(s, 5, 1.0 / (double)(i + 1));
		if (sqlite3_step(s) != SQLITE_DONE) {
			fprintf(stderr, "raw-insert: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(s);
		if (i % 100000 == 99999 || i == n - 1)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("points_per_s %.0f\n", (double)n / secs);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return 0;
}
