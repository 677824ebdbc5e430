/* predsrc-drift.c - a prediction source's window drift: the last window's features against the reference, per feature and for the dataset. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drift/drift.h"
#include "monitor/predsrc-int.h"
#include "store/error.h"
#include "store/internal.h"

int
pl__ps_drift_window(pl_predsrc *s)
{
	size_t nref = pl_wdrift_ncolumns(s->wd);
	size_t nf = pl_predparse_nfeatures(s->pred.parser);
	double **cols = calloc(nref ? nref : 1, sizeof *cols);
	size_t n = 0, cap = 0;
	int rc, ret = PL_OK;
	sqlite3_stmt *q;

	if (cols == NULL)
		return pl__ps_seterr(s, PL_ENOMEM, "out of memory");
	/* log feature -> reference column, rebuilt when columns change */
	if (s->nrefmap != nf) {
		long *m = realloc(s->refmap, (nf ? nf : 1) * sizeof *m);
		if (m == NULL) {
			free(cols);
			return pl__ps_seterr(s, PL_ENOMEM, "out of memory");
		}
		s->refmap = m;
		for (size_t i = 0; i < nf; i++) {
			const char *name = pl_predparse_feature(s->pred.parser, i);
			long k = pl_wdrift_find(s->wd, name);
			if (k >= 0 && s->drift_features) {
				int want = 0;
				for (size_t j = 0; j < s->n_drift_features; j++)
					want |= strcmp(s->drift_features[j], name) == 0;
				if (!want)
					k = -1;
			}
			m[i] = k;
		}
		s->nrefmap = nf;
	}
	/* The window: the newest drift_window_rows records (ties: the later
	 * read first), or those newer than drift_window_ms before the newest
	 * (in time order).  Candidates: records at or after lo. */
	int64_t lo;
	if (s->drift_window_rows) {
		/* blocks, newest first, until they hold enough records: the
		 * window's records are all at or after the oldest of those */
		size_t have = 0;
		lo = INT64_MAX;
		q = pl__stmt(s->st, "SELECT n, ts_min FROM mon_pred_blocks"
		    " WHERE target = ?1 ORDER BY ts_max DESC");
		if (q == NULL) {
			free(cols);
			return pl__ps_dbfail(s, "reading the drift window");
		}
		sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
		while (have < s->drift_window_rows &&
		    (rc = sqlite3_step(q)) == SQLITE_ROW) {
			have += (size_t)sqlite3_column_int64(q, 0);
			int64_t t = sqlite3_column_int64(q, 1);
			if (t < lo)
				lo = t;
		}
		sqlite3_reset(q);
		if (have < s->drift_window_rows)
			lo = INT64_MIN;
	} else
		lo = s->max_ts - s->drift_window_ms + 1;
	q = pl__stmt(s->st, "SELECT seq, n, nfeat, ts, features FROM"
	    " mon_pred_blocks WHERE target = ?1 AND ts_max >= ?2 ORDER BY seq");
	if (q == NULL) {
		free(cols);
		return pl__ps_dbfail(s, "reading the drift window");
	}
	struct rec *order = NULL;
	double *col = NULL;		/* one feature column of a block */
	size_t nc = 0, ncol = 0;
	struct pl_pblock *b = &s->look[s->look_next++ & 1];
	sqlite3_bind_text(q, 1, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, lo);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(q, 0);
		size_t bn = (size_t)sqlite3_column_int64(q, 1);
		size_t bnf = (size_t)sqlite3_column_int64(q, 2);
		const void *fb = sqlite3_column_blob(q, 4);
		size_t fbn = (size_t)sqlite3_column_bytes(q, 4);
		int d = pl_pblock_decode(b, seq, bn, NULL, 0,
		    sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q, 3),
		    NULL, 0, NULL, 0);
		if (d != 0) {
			rc = d == -1 ? SQLITE_NOMEM : SQLITE_CORRUPT;
			break;
		}
		size_t first = nc;
		for (size_t i = 0; i < bn; i++) {
			if (b->ts[i] < lo)
				continue;
			if (nc == cap) {
				cap = cap ? cap * 2 : 4096;
				void *o = realloc(order, cap * sizeof *order);
				if (o == NULL) {
					rc = SQLITE_NOMEM;
					goto read_done;
				}
				order = o;
				for (size_t j = 0; j < nref; j++) {
					double *c = realloc(cols[j], cap * sizeof *c);
					if (c == NULL) {
						rc = SQLITE_NOMEM;
						goto read_done;
					}
					cols[j] = c;
				}
			}
			order[nc].ts = b->ts[i];
			order[nc].row = i;	/* the place in the block, for now */
			for (size_t j = 0; j < nref; j++)
				cols[j][nc] = NAN;
			nc++;
		}
		if (nc == first)
			continue;
		if (bn > ncol) {
			double *t = realloc(col, bn * sizeof *t);
			if (t == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			col = t;
			ncol = bn;
		}
		for (size_t k = 0; k < bnf && k < nf; k++) {
			if (s->refmap[k] < 0)
				continue;
			if (pl_pblock_feature(fb, fbn, bn, bnf, k, col) != 0) {
				rc = SQLITE_CORRUPT;
				goto read_done;
			}
			double *dst = cols[s->refmap[k]];
			for (size_t r = first; r < nc; r++)
				dst[r] = col[order[r].row];
		}
		for (size_t r = first; r < nc; r++)
			order[r].row = r;
	}
read_done:
	b->seq = -1;		/* decoded without ids: not for block_at */
	sqlite3_reset(q);
	free(col);
	if (rc != SQLITE_DONE) {
		free(order);
		ret = pl__ps_read_fail(s, rc, "reading the drift window");
		goto out;
	}
	/* into the former reader's order, the window's records only */
	pl__ps_rec_sort(order, nc);
	size_t first = 0, step = 1;
	n = nc;
	if (s->drift_window_rows) {
		n = nc < s->drift_window_rows ? nc : s->drift_window_rows;
		first = nc - 1;		/* newest first */
		step = (size_t)-1;
	} else if (n > 10000000)
		n = 10000000;
	int moved = n != nc;
	for (size_t k = 0; k < n && !moved; k++)
		moved = order[first + k * step].row != k;
	if (moved && n) {
		double *tmp = malloc(n * sizeof *tmp);
		if (tmp == NULL) {
			free(order);
			ret = pl__ps_oom(s);
			goto out;
		}
		for (size_t j = 0; j < nref; j++) {
			if (cols[j] == NULL)
				continue;
			for (size_t k = 0; k < n; k++)
				tmp[k] = cols[j][order[first + k * step].row];
			memcpy(cols[j], tmp, n * sizeof *tmp);
		}
		free(tmp);
	}
	free(order);
	pl__ps_emit0(s, "plumb_drift_window_rows", (double)n);
	if (n < s->drift_min_rows) {
		if (s->out && s->out->state)
			s->out->state(s->out->ctx, "drift", "waiting",
			    "fewer rows in the window than min_rows");
		goto out;
	}
	/* a reference column no log feature maps to is passed as NULL */
	const double **in = calloc(nref ? nref : 1, sizeof *in);
	if (in == NULL) {
		ret = pl__ps_seterr(s, PL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nref; i++) {
		int mapped = 0;
		for (size_t j = 0; j < nf; j++)
			mapped |= s->refmap[j] == (long)i;
		in[i] = mapped && n ? cols[i] : NULL;
	}
	ret = pl_wdrift_eval(s->wd, in, n);
	free(in);
	if (ret != PL_OK) {
		pl__ps_seterr(s, ret, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nref; i++) {
		const struct pl_drift_column *c = pl_wdrift_result(s->wd, i);
		if (c->skipped)
			continue;
		const char *l[] = { "feature", c->name, "method",
			pl_drift_method_name(c->method) };
		pl__ps_emit(s, "plumb_drift_score", l, 2, s->now_ms, c->score);
		pl__ps_emit(s, "plumb_drift_detected", l, 2, s->now_ms, c->drift ? 1 : 0);
	}
	if (pl_wdrift_tested(s->wd) > 0) {
		int dd = pl_wdrift_dataset_drift(s->wd);
		pl__ps_emit0(s, "plumb_drift_share", pl_wdrift_share(s->wd));
		pl__ps_emit0(s, "plumb_drift_dataset", dd);
		if (dd && !s->dataset_drift) {
			char msg[200];
			snprintf(msg, sizeof msg, "data drift: %zu of %zu features drifted over the last %zu predictions",
			    pl_wdrift_drifted(s->wd), pl_wdrift_tested(s->wd), n);
			pl__ps_event(s, "drift", msg);
		}
		if (s->out && s->out->state)
			s->out->state(s->out->ctx, "drift", dd ? "drift" : "ok", "");
		s->dataset_drift = dd;
	}
out:
	for (size_t i = 0; i < nref; i++)
		free(cols[i]);
	free(cols);
	return ret;
}

