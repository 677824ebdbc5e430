/* predsrc-int.h - what predsrc.c and predsrc-store.c share: the source's state and the stored-prediction calls (engine-internal). */
#ifndef PL_MONITOR_PREDSRC_INT_H
#define PL_MONITOR_PREDSRC_INT_H

#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "drift/detect.h"
#include "monitor/logtail.h"
#include "monitor/predblock.h"
#include "monitor/predparse.h"
#include "monitor/predsrc.h"
#include "monitor/wdrift.h"

/* One followed log and its counters (mirrors a mon_logs row). */
struct flog {
	const char *name;		/* "predictions" | "labels" */
	char *path;
	pl_tail *tail;
	pl_predparse *parser;
	int64_t lines, records, malformed, duplicates;
	unsigned changes_seen;		/* parser changes already reported */
	int64_t schema_changes;
	char last_error[256];
	const char *state;		/* last state reported */
};

struct det {
	pl_detect *d;
	int kind;
	int drift, warning;		/* this poll */
};

struct pl_predsrc {
	pl_store *st;
	char *target;
	struct flog pred, lab;
	int64_t within_ms, perf_window_ms;
	int task;
	int64_t retain_ms, next_prune_ms;	/* 0: no retention; 0: at once */
	int64_t pruned;			/* predictions deleted so far */
	double threshold;		/* the score cut */
	unsigned metrics;		/* PL_PERF_M_*; 0: all of the task */
	size_t max_bytes;
	/* this poll */
	const struct pl_predsrc_out *out;
	int64_t now_ms;
	int64_t round_records, round_errors, round_new_labels;
	double *lat, *pv;
	size_t nlat, npv, cap_lat, cap_pv;
	int64_t max_ts;			/* latest prediction time seen */
	int64_t errors;			/* stored rows with an error status; -1: unknown */
	int cb_failed;
	/* stored predictions (predblock.h), built from the store at the
	 * first poll and dropped when a poll rolls back */
	int loaded;
	struct pl_pidx idx;		/* id -> (seq, idx) */
	struct pl_pblock head;		/* the block being filled */
	struct pl_pblock look[2];	/* decoded blocks, for checks, joins */
	unsigned look_next;
	uint8_t **joined;		/* per seq: bitmap of labelled records */
	size_t njoined;
	struct buf enc[5];		/* a block's encoded columns */
	/* rate */
	struct timespec last_mono;
	int have_last;
	/* drift */
	pl_wdrift *wd;
	struct pl_wdrift_opts wdo;	/* to build another reference */
	int64_t drift_window_ms;
	size_t drift_window_rows, drift_min_rows;
	char **drift_features;
	size_t n_drift_features;
	long *refmap;			/* log feature index -> reference column */
	size_t nrefmap;
	int dataset_drift;
	int64_t drift_rows_seen;	/* records at the last evaluation */
	/* concept */
	struct det *dets;
	size_t ndets;
	char err[1024];
};

/* A stored prediction to visit in time order: its time and reading order
 * among the candidates. */
struct rec {
	int64_t ts;
	size_t row;			/* reading order among the candidates */
};
/* Sorts by (ts, reading order) unless already so. */
void pl__ps_rec_sort(struct rec *v, size_t n);

/* The source's outputs, through s->out's callbacks (a failing callback
 * stops the rest of the poll's output): a sample of a series (labels
 * npairs name/value pairs), a sample now, an event now. */
void pl__ps_emit(pl_predsrc *s, const char *name, const char *const *labels,
    size_t npairs, int64_t t, double v);
void pl__ps_emit0(pl_predsrc *s, const char *name, double v);
void pl__ps_event(pl_predsrc *s, const char *kind, const char *msg);

/* Window drift (predsrc-drift.c): tests the last drift window's features
 * against the reference (waiting below min_rows), emits each feature's
 * score and detection and the dataset's share and verdict, and a drift
 * event when the dataset starts drifting. */
int pl__ps_drift_window(pl_predsrc *s);

/* Sets s's message (printf-style) and returns code. */
int pl__ps_seterr(pl_predsrc *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The store's error as s's, prefixed with what was being done. */
int pl__ps_dbfail(pl_predsrc *s, const char *what);

/*
 * Stored predictions (predsrc-store.c): blocks of up to 1024 records in
 * mon_pred_blocks, the in-memory id index, label joins.  All run inside
 * the poll's transaction; an error is set on s and returned.
 */
int pl__ps_oom(pl_predsrc *s);
/* Writes block b (INSERT OR REPLACE by target and seq). */
int pl__ps_write_block(pl_predsrc *s, struct pl_pblock *b);
/* 1 when record idx of block seq already has its label. */
int pl__ps_is_joined(const pl_predsrc *s, int64_t seq, uint32_t idx);
/* Finds a stored prediction by id: 1 with its (seq, idx) and decoded
 * block (*b, valid until the next lookup), 0 when none, or a PL error
 * code. */
int pl__ps_find_id(pl_predsrc *s, const char *id, size_t len, int64_t *seq,
    uint32_t *idx, const struct pl_pblock **b);
/* Appends a record to the head block (written at the end of the poll). */
int pl__ps_add_record(pl_predsrc *s, const char *id, size_t len, int64_t ts,
    int error, double pred, double score, double lat, const double *f,
    size_t nf);
/* Stores the label of record idx of block seq, received at label_ms. */
int pl__ps_store_label(pl_predsrc *s, int64_t seq, uint32_t idx,
    double label, int64_t label_ms);
/* The error of a failed read of prediction blocks (SQLite's rc), while
 * doing what: out of memory, a corrupt block, or the store's message. */
int pl__ps_read_fail(pl_predsrc *s, int rc, const char *what);
/* Drops what was loaded (after a rollback, or at close). */
void pl__ps_unload(pl_predsrc *s);
/* Builds the id index and the head block from the store (first poll). */
int pl__ps_load(pl_predsrc *s);

#endif
