/* perf.h - model quality from joined predictions and delayed labels: classification and regression metrics. */
#ifndef PL_ENGINE_PERF_H
#define PL_ENGINE_PERF_H

#include <stddef.h>

/*
 * Matches scikit-learn on the same pairs:
 *  - classification (binary, positive class 1): the predicted class is
 *    score >= threshold when the pair has a score, else prediction >=
 *    threshold (a class 0/1 or a probability both work); threshold NaN
 *    means 0.5, scikit-learn's predict() cut for binary probabilities;
 *    accuracy_score, precision/recall/f1_score with zero_division=0, and
 *    roc_auc_score over the score (the prediction when score is NaN),
 *    ties getting the average rank (NaN when only one class is present).
 *  - regression: mean_absolute_error and sqrt(mean_squared_error).
 * Pairs whose label or prediction is NaN are left out.
 */

enum pl_perf_task {
	PL_PERF_AUTO = 0,	/* classification iff every label is 0 or 1 */
	PL_PERF_CLASSIFICATION = 1,
	PL_PERF_REGRESSION = 2
};

struct pl_perf {
	int task;		/* the task used */
	size_t n;		/* pairs used */
	size_t positives;	/* labels == 1 (classification) */
	double accuracy, precision, recall, f1, auc;	/* NaN for regression */
	double mae, rmse;	/* NaN for classification */
};

/* score may be NULL.  Returns PL_OK or PL_ENOMEM (AUC sorts a copy). */
int pl_perf_compute(struct pl_perf *out, const double *prediction,
    const double *score, const double *label, size_t n, int task,
    double threshold);

/* The error indicator fed to concept-drift detectors: for
 * classification 1 when the predicted class (as pl_perf_compute decides
 * it; score may be NaN) differs from the label, else 0; for regression
 * the absolute error. */
double pl_perf_error(int task, double prediction, double score, double label,
    double threshold);

/* Metric bits for a performance: metrics: selection. */
enum {
	PL_PERF_M_ACCURACY = 1 << 0,
	PL_PERF_M_PRECISION = 1 << 1,
	PL_PERF_M_RECALL = 1 << 2,
	PL_PERF_M_F1 = 1 << 3,
	PL_PERF_M_AUC = 1 << 4,
	PL_PERF_M_MAE = 1 << 5,
	PL_PERF_M_RMSE = 1 << 6,
	PL_PERF_M_CLASSIFICATION = 0x1f,
	PL_PERF_M_REGRESSION = 0x60
};

/* The bit of a metric name ("accuracy", ..., "rmse"), 0 if unknown. */
unsigned pl_perf_metric_bit(const char *name);

#endif
