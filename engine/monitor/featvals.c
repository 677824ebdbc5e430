/* featvals.c - one logged feature's values in a drift window and in the target's drift reference, for the distributions the TUI draws side by side (status.h). */
#include "config.h"
#include "monitor/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/plumb-yaml.h"
#include "data/csvread.h"
#include "monitor/model.h"
#include "monitor/predblock.h"
#include "store/error.h"
#include "store/internal.h"

/* Index of feature in the newline-separated names of the target's
 * prediction log (mon_logs.features: the blocks' column order), or -1. */
static long
feature_index(pl_store *st, const char *target, const char *feature)
{
	sqlite3_stmt *q = pl__stmt(st, "SELECT features FROM mon_logs "
	    "WHERE target = ?1 AND log = 'predictions'");
	long k = -1, i = 0;

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(q, 0);
		size_t fl = strlen(feature);

		while (p && *p && k < 0) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			if (n == fl && memcmp(p, feature, n) == 0)
				k = i;
			i++;
			p += n + (nl != NULL);
		}
	}
	sqlite3_reset(q);
	return k;
}

/* Appends v to *a (cap doubling); -1 on OOM. */
static int
push(double **a, size_t *n, size_t *cap, double v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		double *p = realloc(*a, nc * sizeof *p);

		if (p == NULL)
			return -1;
		*a = p;
		*cap = nc;
	}
	(*a)[(*n)++] = v;
	return 0;
}

/*
 * The window's values: the records with ts in (end - window, end] when
 * the window is a duration, else the last `rows` records with ts <= end,
 * in reading order, NaN (absent) dropped.
 */
static int
window_values(double **out, size_t *out_n, pl_store *st, const char *target,
    long k, int64_t end, double window_s, int64_t rows)
{
	sqlite3_stmt *q = pl__stmt(st, "SELECT seq, n, nfeat, ts, features "
	    "FROM mon_pred_blocks WHERE target = ?1 AND ts_min <= ?2 AND "
	    "ts_max > ?3 ORDER BY seq");
	int64_t lo = window_s > 0 ? end - (int64_t)(window_s * 1000) :
	    INT64_MIN;
	struct pl_pblock b;
	double *v = NULL, *col = NULL;
	size_t n = 0, cap = 0;
	int rc = PL_OK, sr;

	*out = NULL;
	*out_n = 0;
	if (q == NULL)
		return pl_store_errcode(st);
	memset(&b, 0, sizeof b);
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, end);
	sqlite3_bind_int64(q, 3, lo);
	while ((sr = sqlite3_step(q)) == SQLITE_ROW) {
		size_t bn = (size_t)sqlite3_column_int64(q, 1);
		size_t nf = (size_t)sqlite3_column_int64(q, 2);
		double *c;

		if ((size_t)k >= nf)
			continue;	/* a block from before the feature */
		if (pl_pblock_decode(&b, sqlite3_column_int64(q, 0), bn, NULL, 0,
		    sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q,
		    3), NULL, 0, NULL, 0) != 0 ||
		    (c = realloc(col, (bn ? bn : 1) * sizeof *c)) == NULL) {
			rc = pl__err(st, PL_ECORRUPT, "a prediction block of "
			    "target %s does not decode", target);
			break;
		}
		col = c;
		if (pl_pblock_feature(sqlite3_column_blob(q, 4),
		    (size_t)sqlite3_column_bytes(q, 4), bn, nf, (size_t)k,
		    col) != 0) {
			rc = pl__err(st, PL_ECORRUPT, "a prediction block of "
			    "target %s does not decode", target);
			break;
		}
		for (size_t i = 0; i < bn; i++)
			if (b.ts[i] > lo && b.ts[i] <= end && !isnan(col[i]) &&
			    push(&v, &n, &cap, col[i]) != 0) {
				rc = pl__err(st, PL_ENOMEM, "out of memory");
				break;
			}
		if (rc != PL_OK)
			break;
	}
	sqlite3_reset(q);
	pl_pblock_free(&b);
	free(col);
	if (rc == PL_OK && sr != SQLITE_DONE && sr != SQLITE_ROW)
		rc = pl__sqlerr(st, sr, "reading prediction blocks");
	if (rc != PL_OK) {
		free(v);
		return rc;
	}
	if (rows > 0 && n > (size_t)rows) {	/* the last `rows` of them */
		memmove(v, v + n - (size_t)rows, (size_t)rows * sizeof *v);
		n = (size_t)rows;
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

int
pl_mon_feature_values(double **cur, size_t *ncur, double **ref, size_t *nref,
    char *note, size_t note_len, pl_store *st, const char *target,
    const char *feature, int64_t end_ms)
{
	char *path = NULL, *refpath = NULL, err[1024];
	pl_config *cfg = NULL;
	const pl_mon_target *t;
	pl_csv_table *tab = NULL;
	long k, col;
	int rc = PL_OK;

	*cur = *ref = NULL;
	*ncur = *nref = 0;
	snprintf(note, note_len, "%s", "");
	if (pl_config_find(&path, NULL, pl_store_dir(st)) != PL_OK ||
	    pl_config_load(&cfg, path, err, sizeof err) != PL_OK ||
	    (t = pl_monitor_target(&cfg->monitor, target)) == NULL ||
	    !t->drift.set) {
		snprintf(note, note_len, "target %s has no drift: in plumb.yaml",
		    target);
		goto out;
	}
	if ((k = feature_index(st, target, feature)) < 0) {
		snprintf(note, note_len, "feature %s is not in %s's prediction "
		    "log", feature, target);
		goto out;
	}
	if ((rc = window_values(cur, ncur, st, target, k, end_ms,
	    t->drift.window_s, t->drift.window_rows)) != PL_OK)
		goto out;
	if (t->drift.deployed) {
		if (pl_mon_deployed_reference(&refpath, note, note_len,
		    pl_store_dir(st), t->model) != PL_OK) {
			rc = pl__err(st, PL_ENOMEM, "out of memory");
			goto out;
		}
	} else if (t->drift.reference &&
	    (refpath = strdup(t->drift.reference)) == NULL) {
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto out;
	}
	if (refpath == NULL)
		goto out;	/* note says why */
	if (pl_csv_read(&tab, refpath, NULL, err, sizeof err) != PL_OK) {
		snprintf(note, note_len, "%s", err);
		goto out;
	}
	if ((col = pl_csv_find(tab, feature)) < 0 ||
	    pl_csv_num(tab, (size_t)col) == NULL) {
		snprintf(note, note_len, "the reference %s has no numeric "
		    "column %s", refpath, feature);
		goto out;
	}
	*nref = pl_csv_count(tab, (size_t)col);
	if ((*ref = malloc((*nref ? *nref : 1) * sizeof **ref)) == NULL) {
		*nref = 0;
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*ref, pl_csv_num(tab, (size_t)col), *nref * sizeof **ref);
	snprintf(note, note_len, "reference %s", refpath);
out:
	pl_csv_free(tab);
	pl_config_free(cfg);
	free(path);
	free(refpath);
	if (rc != PL_OK) {
		free(*cur);
		free(*ref);
		*cur = *ref = NULL;
		*ncur = *nref = 0;
	}
	return rc;
}
