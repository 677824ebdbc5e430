/* perf.c - accuracy, precision, recall, F1, ROC AUC, MAE and RMSE over labelled predictions (scikit-learn's definitions). */
#include "config.h"
#include "monitor/perf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"

struct sp {
	double s;
	int y;
};

static int
sp_cmp(const void *a, const void *b)
{
	double x = ((const struct sp *)a)->s, y = ((const struct sp *)b)->s;

	return (x > y) - (x < y);
}

unsigned
pl_perf_metric_bit(const char *name)
{
	static const char *const names[] = { "accuracy", "precision",
	    "recall", "f1", "auc", "mae", "rmse", NULL };

	for (unsigned i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return 1u << i;
	return 0;
}

/* The predicted class: the score cut at the threshold when there is a
 * score, else the prediction (a 0/1 class or a probability). */
static int
predicted(double pred, double score, double threshold)
{
	return (isnan(score) ? pred : score) >= threshold;
}

double
pl_perf_error(int task, double prediction, double score, double label,
    double threshold)
{
	if (task == PL_PERF_REGRESSION)
		return fabs(prediction - label);
	if (isnan(threshold))
		threshold = 0.5;
	return (double)(predicted(prediction, score, threshold) !=
	    (label >= 0.5));
}

int
pl_perf_compute(struct pl_perf *o, const double *pred, const double *score,
    const double *label, size_t n, int task, double threshold)
{
	size_t m = 0;

	if (isnan(threshold))
		threshold = 0.5;

	memset(o, 0, sizeof *o);
	o->accuracy = o->precision = o->recall = o->f1 = o->auc = NAN;
	o->mae = o->rmse = NAN;
	if (task == PL_PERF_AUTO) {
		task = PL_PERF_CLASSIFICATION;
		for (size_t i = 0; i < n; i++)
			if (!isnan(label[i]) && label[i] != 0 && label[i] != 1) {
				task = PL_PERF_REGRESSION;
				break;
			}
	}
	o->task = task;
	if (task == PL_PERF_REGRESSION) {
		double sa = 0, sq = 0;
		for (size_t i = 0; i < n; i++) {
			if (isnan(label[i]) || isnan(pred[i]))
				continue;
			double e = pred[i] - label[i];
			sa += fabs(e);
			sq += e * e;
			m++;
		}
		o->n = m;
		if (m) {
			o->mae = sa / (double)m;
			o->rmse = sqrt(sq / (double)m);
		}
		return PL_OK;
	}

	size_t tp = 0, fp = 0, fn = 0, tn = 0;
	struct sp *v = malloc((n ? n : 1) * sizeof *v);
	if (v == NULL)
		return PL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double si = score ? score[i] : NAN;
		if (isnan(label[i]) || (isnan(pred[i]) && isnan(si)))
			continue;
		int y = label[i] >= 0.5, c = predicted(pred[i], si, threshold);
		tp += y && c;
		fp += !y && c;
		fn += y && !c;
		tn += !y && !c;
		double s = !isnan(si) ? si : pred[i];
		v[m].s = s;
		v[m].y = y;
		m++;
	}
	o->n = m;
	o->positives = tp + fn;
	if (m) {
		o->accuracy = (double)(tp + tn) / (double)m;
		o->precision = tp + fp ? (double)tp / (double)(tp + fp) : 0.0;
		o->recall = tp + fn ? (double)tp / (double)(tp + fn) : 0.0;
		o->f1 = 2 * tp + fp + fn ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
	}
	size_t P = tp + fn, N = fp + tn;
	if (P > 0 && N > 0) {
		/* Mann-Whitney U with average ranks for ties. */
		double rsum = 0;
		qsort(v, m, sizeof *v, sp_cmp);
		for (size_t i = 0; i < m;) {
			size_t j = i;
			size_t pos = 0;
			while (j < m && v[j].s == v[i].s) {
				pos += (size_t)v[j].y;
				j++;
			}
			double rank = ((double)(i + 1) + (double)j) / 2.0;
			rsum += rank * (double)pos;
			i = j;
		}
		o->auc = (rsum - (double)P * ((double)P + 1) / 2.0) /
		    ((double)P * (double)N);
	}
	free(v);
	return PL_OK;
}
