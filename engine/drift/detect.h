/* detect.h - River-exact concept-drift detectors (ADWIN, DDM, EDDM, Page-Hinkley) as streaming objects. */
#ifndef PL_ENGINE_DETECT_H
#define PL_ENGINE_DETECT_H

#include <stddef.h>

/*
 * Each detector follows the newest River source (drift-spec §5): feed it
 * one value at a time with pl_detect_update(); the result tells whether
 * that element raised a warning or a drift.  As in River, the update that
 * follows a drift first resets the detector.  Indices are the caller's
 * (River counts from 0).
 *
 * DDM and EDDM take a binary stream (1 = error, 0 = correct); any non-zero
 * value counts as 1 for EDDM, and DDM uses the value as is (River's
 * running mean).  ADWIN and Page-Hinkley take real values.
 */

enum pl_detect_kind {
	PL_DETECT_ADWIN = 1,
	PL_DETECT_DDM,
	PL_DETECT_EDDM,
	PL_DETECT_PAGE_HINKLEY
};

/* Result of one update. */
enum pl_detect_signal {
	PL_DETECT_NONE = 0,
	PL_DETECT_WARNING = 1,
	PL_DETECT_DRIFT = 2
};

/*
 * Parameters; pl_detect_defaults() fills River's defaults:
 * ADWIN delta 0.002, clock 32, max_buckets 5, min_window_length 5,
 * grace_period 10; DDM warm_start 30, warning 2.0, drift 3.0;
 * EDDM warm_start 30, alpha 0.95, beta 0.9; Page-Hinkley min_instances
 * 30, delta 0.005, threshold 50, alpha 1 - 1e-4, mode both.
 */
struct pl_detect_params {
	double delta;		/* ADWIN, Page-Hinkley */
	int clock, max_buckets, min_window_length, grace_period;	/* ADWIN */
	int warm_start;		/* DDM, EDDM */
	double warning_threshold, drift_threshold;	/* DDM */
	double alpha, beta;	/* EDDM (warning, drift); PH uses alpha */
	int min_instances;	/* Page-Hinkley */
	double threshold;	/* Page-Hinkley */
	int mode;		/* Page-Hinkley: 0 both, 1 up, 2 down */
};

void pl_detect_defaults(struct pl_detect_params *p, int kind);

typedef struct pl_detect pl_detect;

/* Creates a detector (params NULL: defaults).  Returns PL_OK, PL_EINVAL
 * for an unknown kind or a bad parameter, or PL_ENOMEM; *out is NULL on
 * failure.  Free with pl_detect_free(). */
int pl_detect_new(pl_detect **out, int kind, const struct pl_detect_params *params);
void pl_detect_free(pl_detect *d);

/* Feeds one value; returns a pl_detect_signal. */
int pl_detect_update(pl_detect *d, double x);
/* Back to the initial state. */
void pl_detect_reset(pl_detect *d);

/* "adwin", "ddm", "eddm", "page_hinkley"; parse returns -1 if unknown. */
const char *pl_detect_kind_name(int kind);
int pl_detect_kind_parse(const char *s);
/* 1 if the detector can report warnings (DDM, EDDM). */
int pl_detect_has_warnings(int kind);

/* ADWIN only: current window width and mean (0 for other kinds). */
double pl_detect_adwin_width(const pl_detect *d);
double pl_detect_adwin_mean(const pl_detect *d);

#endif
