/* predsrc-t.c - unit tests of the model-performance source: ingest, restarts, label joins, metrics, window drift, concept drift. */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include "tests/engine/testutil.h"

#include "drift/detect.h"
#include "drift/drift.h"
#include "monitor/perf.h"
#include "monitor/predsrc.h"
#include "monitor/wdrift.h"
#include "store/internal.h"

struct sample {
	char key[200];
	double v;
};

struct sink {
	struct sample s[4096];
	size_t n;
	char events[8192];
	char states[4096];
};

static int
on_sample(void *ctx, const char *name, const char *const *labels,
    size_t npairs, int64_t t, double v)
{
	struct sink *k = ctx;
	struct sample *s = &k->s[k->n < 4095 ? k->n++ : 4095];

	(void)t;
	snprintf(s->key, sizeof s->key, "%s", name);
	for (size_t i = 0; i < npairs; i++) {
		size_t l = strlen(s->key);
		snprintf(s->key + l, sizeof s->key - l, "%s%s=%s", i ? "," : "{",
		    labels[2 * i], labels[2 * i + 1]);
	}
	if (npairs)
		strcat(s->key, "}");
	s->v = v;
	return 0;
}

static int
on_event(void *ctx, int64_t t, const char *kind, const char *msg)
{
	struct sink *k = ctx;
	size_t l = strlen(k->events);

	(void)t;
	snprintf(k->events + l, sizeof k->events - l, "%s: %s\n", kind, msg);
	return 0;
}

static int
on_state(void *ctx, const char *key, const char *st, const char *detail)
{
	struct sink *k = ctx;
	size_t l = strlen(k->states);

	(void)detail;
	snprintf(k->states + l, sizeof k->states - l, "%s=%s ", key, st);
	return 0;
}

/* Last value of the sample with this key, NaN if none. */
static double
got(const struct sink *k, const char *key)
{
	for (size_t i = k->n; i-- > 0;)
		if (strcmp(k->s[i].key, key) == 0)
			return k->s[i].v;
	return NAN;
}

static void
sink_reset(struct sink *k)
{
	k->n = 0;
	k->events[0] = k->states[0] = '\0';
}

static void
append(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static char *
path_in(const char *dir, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static struct sink K;

static void
poll_ok(pl_predsrc *s, int64_t now)
{
	struct pl_predsrc_out out = { on_sample, on_event, on_state, &K };

	if (pl_predsrc_poll(s, now, &out) != PL_OK)
		fail_msg("poll: %s", pl_predsrc_errmsg(s));
}

static void
test_ingest_restart_labels(void **state)
{
	char *dir, *sd, *log, *lab;
	pl_store *st = tu_store(&dir);
	pl_predsrc *s;
	char err[512];
	struct pl_predsrc_status ps;

	(void)state;
	sd = path_in(dir, ".plumb");
	log = path_in(dir, "p.jsonl");
	lab = path_in(dir, "l.csv");
	append(log,
	    "{\"id\":\"a\",\"ts\":1000,\"features\":{\"x\":1},\"prediction\":1,\"score\":0.9,\"latency\":0.010,\"status\":\"ok\"}\n"
	    "{\"id\":\"b\",\"ts\":1001,\"features\":{\"x\":2},\"prediction\":0,\"score\":0.2,\"latency\":0.020,\"status\":\"ok\"}\n"
	    "garbage\n"
	    "{\"id\":\"a\",\"ts\":1002,\"features\":{\"x\":3},\"prediction\":1,\"latency\":0.5}\n"
	    "{\"id\":\"c\",\"ts\":1003,\"features\":{\"x\":4},\"prediction\":1,\"score\":0.6,\"latency\":0.030,\"status\":\"error\"}\n");
	struct pl_predsrc_opts o = { .target = "api", .pred_path = log,
		.label_path = lab };
	assert_int_equal(pl_predsrc_open(&s, sd, &o, err, sizeof err), PL_OK);
	poll_ok(s, 2000000);
	assert_true(got(&K, "plumb_predictions_total") == 3);
	assert_true(got(&K, "plumb_prediction_errors_total") == 1);
	assert_true(fabs(got(&K, "plumb_prediction_latency_seconds{quantile=0.5}") - 0.02) < 1e-12);
	assert_true(got(&K, "plumb_log_malformed_total{log=predictions}") == 1);
	assert_non_null(strstr(K.states, "labels=missing"));
	assert_int_equal(pl_predsrc_status(&ps, st, "api"), PL_OK);
	assert_int_equal(ps.predictions.records, 3);
	assert_int_equal(ps.predictions.malformed, 1);
	assert_int_equal(ps.predictions.duplicates, 1);
	assert_non_null(strstr(ps.predictions.last_error, "p.jsonl:3: column 1"));
	pl_predsrc_close(s);

	/* restart: only the new lines, and a label before its prediction */
	append(log, "{\"id\":\"d\",\"ts\":1004,\"features\":{\"x\":5},\"prediction\":0,\"score\":0.4,\"status\":200}\n");
	append(lab, "id,label,ts\na,1,5000\nb,0,5000\nc,0,5000\ne,0,5000\n");
	sink_reset(&K);
	assert_int_equal(pl_predsrc_open(&s, sd, &o, err, sizeof err), PL_OK);
	poll_ok(s, 2000000);
	assert_int_equal(pl_predsrc_status(&ps, st, "api"), PL_OK);
	assert_int_equal(ps.stored, 4);
	assert_int_equal(ps.predictions.records, 4);
	assert_int_equal(ps.labelled, 3);	/* a, b, c */
	assert_int_equal(ps.pending, 1);	/* e */
	/* window over answered predictions a, b, d (c failed): a, b right */
	assert_true(got(&K, "plumb_model_accuracy") == 1.0);
	assert_true(fabs(got(&K, "plumb_label_coverage") - 2.0 / 3.0) < 1e-12);
	append(log, "{\"id\":\"e\",\"ts\":1005,\"features\":{\"x\":6},\"prediction\":1,\"score\":0.7}\n");
	sink_reset(&K);
	poll_ok(s, 2000000);
	assert_int_equal(pl_predsrc_status(&ps, st, "api"), PL_OK);
	assert_int_equal(ps.pending, 0);
	assert_int_equal(ps.labelled, 4);
	assert_true(got(&K, "plumb_model_accuracy") == 2.0 / 3.0);
	assert_true(got(&K, "plumb_model_auc") == 1.0);	/* a .9 over b .2, e .7 */
	pl_predsrc_close(s);

	/* a label past `within` of its prediction is not joined */
	append(log, "{\"id\":\"old\",\"ts\":1000,\"prediction\":1}\n");
	append(lab, "old,1,999999999\n");
	o.within_ms = 1000;
	assert_int_equal(pl_predsrc_open(&s, sd, &o, err, sizeof err), PL_OK);
	poll_ok(s, 2000000);
	assert_int_equal(pl_predsrc_status(&ps, st, "api"), PL_OK);
	assert_int_equal(ps.labelled, 4);
	pl_predsrc_close(s);

	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
	free(sd);
	free(log);
	free(lab);
}

/* Window drift gives plumb drift's numbers on the same values. */
static void
test_window_drift_matches_plumb_drift(void **state)
{
	char *dir, *sd, *log, *ref, *cur;
	pl_store *st = tu_store(&dir);
	pl_predsrc *s;
	char err[512];
	FILE *fr, *fc, *fl;
	uint64_t x = 88172645463325252ull;

	(void)state;
	sd = path_in(dir, ".plumb");
	log = path_in(dir, "p.jsonl");
	ref = path_in(dir, "ref.csv");
	cur = path_in(dir, "cur.csv");
	fr = fopen(ref, "w");
	fc = fopen(cur, "w");
	fl = fopen(log, "w");
	fprintf(fr, "a,b,c,txt\n");
	fprintf(fc, "a,b,c\n");
	for (int i = 0; i < 3000; i++) {
		double u[3];
		for (int k = 0; k < 3; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			u[k] = (double)(x >> 11) / 9007199254740992.0;
		}
		fprintf(fr, "%.17g,%.17g,%d,t%d\n", u[0], u[1], (int)(u[2] * 4), i % 3);
		if (i < 1200) {
			double a = u[1] + 0.3, b = u[0], c = (double)(int)(u[2] * 5);
			fprintf(fc, "%.17g,%.17g,%g\n", a, b, c);
			fprintf(fl, "{\"id\":\"r%d\",\"ts\":%d,\"features\":{\"a\":%.17g,\"b\":%.17g,\"c\":%g}}\n",
			    i, 1000 + i, a, b, c);
		}
	}
	fclose(fr);
	fclose(fc);
	fclose(fl);

	pl_drift_report *rep;
	assert_int_equal(pl_drift_files(&rep, ref, cur,
	    &(struct pl_drift_opts){ .columns = (const char *[]){ "a", "b", "c" },
	    .n_columns = 3, .threshold = NAN }, err, sizeof err), PL_OK);

	struct pl_predsrc_opts o = { .target = "m", .pred_path = log,
		.drift_reference = ref, .drift_window_rows = 5000,
		.drift_min_rows = 100, .drift_threshold = NAN };
	if (pl_predsrc_open(&s, sd, &o, err, sizeof err) != PL_OK)
		fail_msg("%s", err);
	sink_reset(&K);
	poll_ok(s, 5000);
	for (size_t i = 0; i < 3; i++) {
		const struct pl_drift_column *c = pl_drift_column(rep, i);
		char key[200];
		snprintf(key, sizeof key, "plumb_drift_score{feature=%s,method=%s}",
		    c->name, pl_drift_method_name(c->method));
		double v = got(&K, key);
		if (!(v == c->score))
			fail_msg("%s: window %.17g, plumb drift %.17g", key, v, c->score);
		snprintf(key, sizeof key, "plumb_drift_detected{feature=%s,method=%s}",
		    c->name, pl_drift_method_name(c->method));
		assert_true(got(&K, key) == c->drift);
	}
	assert_true(got(&K, "plumb_drift_share") == pl_drift_share(rep));
	assert_true(got(&K, "plumb_drift_window_rows") == 1200);
	if (pl_drift_dataset_drift(rep))
		assert_non_null(strstr(K.events, "drift: data drift"));
	pl_drift_report_free(rep);
	pl_predsrc_close(s);

	/* a drift feature the reference lacks is an error at open */
	o.drift_features = (const char *[]){ "nope" };
	o.n_drift_features = 1;
	assert_int_equal(pl_predsrc_open(&s, sd, &o, err, sizeof err), PL_ENOTFOUND);
	assert_non_null(strstr(err, "no column 'nope'"));

	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
	free(sd);
	free(log);
	free(ref);
	free(cur);
}

/* The detectors watch the joined errors: a model right 95% of the time,
 * then wrong 60% of the time, raises DDM and ADWIN alarms. */
static void
test_concept_drift(void **state)
{
	char *dir, *sd, *log, *lab;
	pl_store *st = tu_store(&dir);
	pl_predsrc *s;
	char err[512];
	FILE *fl, *fb;

	(void)state;
	sd = path_in(dir, ".plumb");
	log = path_in(dir, "p.jsonl");
	lab = path_in(dir, "l.jsonl");
	fl = fopen(log, "w");
	fb = fopen(lab, "w");
	for (int i = 0; i < 3000; i++) {
		int wrong = i < 1500 ? (i % 20 == 0) : (i % 5 < 3);
		fprintf(fl, "{\"id\":\"q%d\",\"ts\":%d,\"prediction\":1}\n", i, 1000 + i);
		fprintf(fb, "{\"id\":\"q%d\",\"label\":%d,\"ts\":%d}\n", i, wrong ? 0 : 1, 5000 + i);
	}
	fclose(fl);
	fclose(fb);
	int dets[] = { PL_DETECT_DDM, PL_DETECT_ADWIN };
	struct pl_predsrc_opts o = { .target = "c", .pred_path = log,
		.label_path = lab, .detectors = dets, .ndetectors = 2 };
	assert_int_equal(pl_predsrc_open(&s, sd, &o, err, sizeof err), PL_OK);
	sink_reset(&K);
	poll_ok(s, 100000);
	assert_true(got(&K, "plumb_concept_drift{detector=ddm}") == 1);
	assert_true(got(&K, "plumb_concept_drift{detector=adwin}") == 1);
	assert_non_null(strstr(K.events, "concept-drift: ddm detected"));
	assert_true(fabs(got(&K, "plumb_model_accuracy") -
	    (1500 * 0.95 + 1500 * 0.4) / 3000) < 1e-12);
	sink_reset(&K);
	poll_ok(s, 100000);
	assert_true(got(&K, "plumb_concept_drift{detector=ddm}") == 0);
	pl_predsrc_close(s);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
	free(sd);
	free(log);
	free(lab);
}

/* scikit-learn's numbers on a small case (computed by hand):
 * y = 1 1 0 0 1, score .9 .4 .35 .8 .7 -> pred 1 0 0 1 1 */
static void
test_perf_metrics(void **state)
{
	double y[] = { 1, 1, 0, 0, 1 }, sc[] = { .9, .4, .35, .8, .7 };
	double pr[] = { 1, 0, 0, 1, 1 };
	struct pl_perf m;

	(void)state;
	assert_int_equal(pl_perf_compute(&m, pr, sc, y, 5, 0, NAN), PL_OK);
	assert_int_equal(m.task, PL_PERF_CLASSIFICATION);
	assert_true(m.accuracy == 0.6);
	assert_true(fabs(m.precision - 2.0 / 3.0) < 1e-15);
	assert_true(fabs(m.recall - 2.0 / 3.0) < 1e-15);
	assert_true(fabs(m.f1 - 2.0 / 3.0) < 1e-15);
	/* positives .9 .4 .7 vs negatives .35 .8: pairs won 2+1+1 = 4 of 6 */
	assert_true(fabs(m.auc - 4.0 / 6.0) < 1e-15);
	double ry[] = { 3, -1, 2.5 }, rp[] = { 2.5, 0, 2 };
	assert_int_equal(pl_perf_compute(&m, rp, NULL, ry, 3, 0, NAN), PL_OK);
	assert_int_equal(m.task, PL_PERF_REGRESSION);
	assert_true(fabs(m.mae - 2.0 / 3.0) < 1e-15);
	assert_true(fabs(m.rmse - sqrt(1.5 / 3)) < 1e-15);
	/* ties share a rank: all scores equal -> AUC 0.5 */
	double ts[] = { .5, .5, .5, .5 }, ty[] = { 1, 0, 1, 0 };
	assert_int_equal(pl_perf_compute(&m, ts, ts, ty, 4, 0, NAN), PL_OK);
	assert_true(m.auc == 0.5);
	/* threshold .8 cuts the scores: classes 1 0 0 1 0 (tp 1, fp 1,
	 * fn 2, tn 1); AUC stays on the raw scores */
	assert_int_equal(pl_perf_compute(&m, pr, sc, y, 5, 0, 0.8), PL_OK);
	assert_true(m.accuracy == 0.4);
	assert_true(m.precision == 0.5);
	assert_true(fabs(m.recall - 1.0 / 3.0) < 1e-15);
	assert_true(fabs(m.f1 - 0.4) < 1e-15);
	assert_true(fabs(m.auc - 4.0 / 6.0) < 1e-15);
	assert_true(pl_perf_error(PL_PERF_CLASSIFICATION, 1, .7, 1, 0.8) == 1);
	assert_true(pl_perf_error(PL_PERF_CLASSIFICATION, 0, NAN, 0, 0.8) == 0);
	assert_int_equal(pl_perf_metric_bit("f1"), PL_PERF_M_F1);
	assert_int_equal(pl_perf_metric_bit("f2"), 0);
}

/* performance: {positive: churned, threshold: .8, metrics: [accuracy,
 * auc]}: class-name labels and predictions, a score cut at .8, and only
 * the metrics asked for are written. */
static void
test_positive_threshold_metrics(void **state)
{
	char *dir, *sd, *log, *lab;
	pl_store *st = tu_store(&dir);
	pl_predsrc *s;
	char err[512];
	FILE *fl, *fb;

	(void)state;
	sd = path_in(dir, ".plumb");
	log = path_in(dir, "p.jsonl");
	lab = path_in(dir, "l.csv");
	fl = fopen(log, "w");
	fb = fopen(lab, "w");
	/* the same five pairs as test_perf_metrics, as class names */
	static const char *const yv[] = { "churned", "churned", "stayed",
	    "stayed", "churned" };
	static const double scv[] = { .9, .4, .35, .8, .7 };
	fprintf(fb, "request_id,outcome\n");
	for (int i = 0; i < 5; i++) {
		fprintf(fl, "{\"id\":\"k%d\",\"ts\":%d,\"prediction\":\"%s\","
		    "\"score\":%g}\n", i, 1000 + i, scv[i] >= .5 ? "churned" :
		    "stayed", scv[i]);
		fprintf(fb, "k%d,%s\n", i, yv[i]);
	}
	/* no score: the class name decides */
	fprintf(fl, "{\"id\":\"k5\",\"ts\":1005,\"prediction\":\"churned\"}\n");
	fprintf(fb, "k5,stayed\n");
	fclose(fl);
	fclose(fb);
	struct pl_predsrc_opts o = { .target = "p", .pred_path = log,
		.label_path = lab, .threshold = 0.8,
		.metrics = PL_PERF_M_ACCURACY | PL_PERF_M_AUC,
		.pred_fields = { .positive = "churned" },
		.label_fields = { .id = "request_id", .label = "outcome",
		    .positive = "churned" } };
	if (pl_predsrc_open(&s, sd, &o, err, sizeof err) != PL_OK)
		fail_msg("%s", err);
	sink_reset(&K);
	poll_ok(s, 100000);
	/* classes 1 0 0 1 0 then 1 (by name) against 1 1 0 0 1 then 0 */
	assert_true(fabs(got(&K, "plumb_model_accuracy") - 2.0 / 6.0) < 1e-15);
	/* AUC over the scores, the score-less one ranked by its 0/1 class */
	assert_true(fabs(got(&K, "plumb_model_auc") - 4.0 / 9.0) < 1e-15);
	assert_true(isnan(got(&K, "plumb_model_f1")));
	assert_true(isnan(got(&K, "plumb_model_precision")));
	assert_true(isnan(got(&K, "plumb_model_recall")));
	assert_true(got(&K, "plumb_labelled_predictions") == 6);
	struct pl_predsrc_status ps;
	assert_int_equal(pl_predsrc_status(&ps, st, "p"), PL_OK);
	assert_int_equal(ps.labels.malformed, 0);
	assert_int_equal(ps.predictions.malformed, 0);
	pl_predsrc_close(s);
	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
	free(sd);
	free(log);
	free(lab);
}

/* ---- results on a fixed log, against a golden file ----
 *
 * Two targets fed a generated log (out-of-order and tied timestamps,
 * duplicate ids, garbage, missing and NaN features, a feature added
 * midway, error statuses, labels before and after their predictions,
 * duplicate labels, a restart between polls) and every sample, event
 * and state of every poll, values printed exactly (%a), compared with
 * tests/engine/monitor/predsrc-golden.txt.  That file was written by the
 * one-row-per-prediction layout (schema 5): the block layout that
 * replaced it must give the same numbers bit for bit.
 * PLUMB_WRITE_GOLDEN=1 rewrites it.
 */
static struct buf_golden {
	char *p;
	size_t n, cap;
} G;

static const char *G_dir;

static void
gput(const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof line);
	if (G.n + (size_t)n + 1 > G.cap) {
		G.cap = (G.n + (size_t)n + 1) * 2;
		G.p = realloc(G.p, G.cap);
		assert_non_null(G.p);
	}
	memcpy(G.p + G.n, line, (size_t)n + 1);
	G.n += (size_t)n;
}

static void
golden_poll(pl_predsrc *s, pl_store *st, const char *target, int64_t now,
    const char *what)
{
	struct pl_predsrc_status ps;

	sink_reset(&K);
	poll_ok(s, now);
	gput("== %s %s\n", target, what);
	for (size_t i = 0; i < K.n; i++) {
		if (strncmp(K.s[i].key, "plumb_prediction_rate", 21) == 0)
			continue;	/* per wall-clock second */
		gput("%s %a\n", K.s[i].key, K.s[i].v);
	}
	/* the temp directory is not part of the results */
	char ev[sizeof K.events], *e = K.events, *hit;
	size_t dl = strlen(G_dir), o = 0;
	while ((hit = strstr(e, G_dir)) != NULL) {
		o += (size_t)snprintf(ev + o, sizeof ev - o, "%.*sDIR",
		    (int)(hit - e), e);
		e = hit + dl;
	}
	snprintf(ev + o, sizeof ev - o, "%s", e);
	gput("events: %s", ev);
	gput("states: %s\n", K.states);
	assert_int_equal(pl_predsrc_status(&ps, st, target), PL_OK);
	gput("status: lines %lld/%lld records %lld/%lld malformed %lld/%lld"
	    " duplicates %lld/%lld changes %lld/%lld stored %lld labelled %lld"
	    " pending %lld\n",
	    (long long)ps.predictions.lines, (long long)ps.labels.lines,
	    (long long)ps.predictions.records, (long long)ps.labels.records,
	    (long long)ps.predictions.malformed, (long long)ps.labels.malformed,
	    (long long)ps.predictions.duplicates, (long long)ps.labels.duplicates,
	    (long long)ps.predictions.schema_changes,
	    (long long)ps.labels.schema_changes, (long long)ps.stored,
	    (long long)ps.labelled, (long long)ps.pending);
}

static uint64_t gx = 0x9E3779B97F4A7C15ull;

static double
gu(void)
{
	gx ^= gx << 13;
	gx ^= gx >> 7;
	gx ^= gx << 17;
	return (double)(gx >> 11) / 9007199254740992.0;
}

#define T0 1796400000000LL
#define DAY 86400000LL

/* Appends predictions [from, to) of a target: classification (reg 0)
 * or regression (reg 1); features g from record `gfrom` on. */
static void
golden_preds(const char *log, int from, int to, int reg, int gfrom)
{
	FILE *f = fopen(log, "a");

	assert_non_null(f);
	for (int i = from; i < to; i++) {
		/* ties every 4th record, some out of order by up to 30 ms */
		long long ts = T0 + (long long)(i / 4 * 4) * 10 -
		    (i % 7 == 3 ? (long long)(gu() * 30) : 0);
		int id = i % 97 == 5 && i > 10 ? i - 7 : i;	/* duplicates */
		double a = gu() + (i > 1800 ? 0.4 : 0), b = gu() * 3;
		int c = (int)(gu() * 4);
		if (i % 53 == 0)
			fprintf(f, "{not json\n");
		fprintf(f, "{\"id\":\"r%d\",\"ts\":%lld,\"features\":{\"a\":%.17g,",
		    id, ts, a);
		if (i % 11 == 0)
			fprintf(f, "\"b\":NaN,");
		else if (i % 13 != 0)
			fprintf(f, "\"b\":%.17g,", b);
		fprintf(f, "\"c\":%d", c);
		if (i >= gfrom)
			fprintf(f, ",\"g\":%.17g", gu() * 2 - 1);
		double sc = gu();
		if (reg)
			fprintf(f, "},\"prediction\":%.17g,\"latency\":%.6f,"
			    "\"status\":%d}\n", a * 10 + sc, 0.001 + gu() / 100,
			    i % 29 == 0 ? 500 : 200);
		else
			fprintf(f, "},\"prediction\":%d,\"score\":%.17g,"
			    "\"latency\":%.6f,\"status\":\"%s\"}\n", sc >= 0.5, sc,
			    0.001 + gu() / 100, i % 31 == 0 ? "error" : "ok");
	}
	fclose(f);
}

/* Labels of records [from, to), every third skipped, some twice, some for
 * records not written yet (ahead); label time 40 s after the record. */
static void
golden_labels(const char *lab, int from, int to, int reg, int ahead)
{
	FILE *f = fopen(lab, "a");

	assert_non_null(f);
	for (int i = from; i < to + ahead; i++) {
		if (i % 3 == 1)
			continue;
		long long ts = T0 + (long long)i * 10 + 40000;
		double y = reg ? gu() * 14 : (double)(gu() < 0.7);
		fprintf(f, "{\"id\":\"r%d\",\"label\":%.17g,\"ts\":%lld}\n", i, y, ts);
		if (i % 17 == 0)
			fprintf(f, "{\"id\":\"r%d\",\"label\":%.17g,\"ts\":%lld}\n",
			    i, y, ts + 5);
	}
	fclose(f);
}

static void
golden_run(const char *dir, const char *sd, pl_store *st, const char *target,
    int reg)
{
	char *log, *lab, *ref, err[512];
	pl_predsrc *s;
	FILE *f;

	assert_true(asprintf(&log, "%s/%s.jsonl", dir, target) > 0);
	assert_true(asprintf(&lab, "%s/%s-labels.jsonl", dir, target) > 0);
	assert_true(asprintf(&ref, "%s/%s-ref.csv", dir, target) > 0);
	f = fopen(ref, "w");
	assert_non_null(f);
	fprintf(f, "a,b,c,g\n");
	for (int i = 0; i < 2000; i++)
		fprintf(f, "%.17g,%.17g,%d,%.17g\n", gu(), gu() * 3, (int)(gu() * 4),
		    gu() * 2 - 1);
	fclose(f);
	int dets[] = { PL_DETECT_ADWIN, PL_DETECT_PAGE_HINKLEY, PL_DETECT_DDM };
	struct pl_predsrc_opts o = { .target = target, .pred_path = log,
		.label_path = lab, .perf_window_ms = 8000,
		.drift_reference = ref, .drift_min_rows = 100,
		.drift_threshold = NAN, .detectors = dets, .ndetectors = 3 };
	if (reg)
		o.drift_window_rows = 700;
	else
		o.drift_window_ms = 5000;
	golden_preds(log, 0, 1500, reg, 1200);
	golden_labels(lab, 0, 700, reg, 40);
	if (pl_predsrc_open(&s, sd, &o, err, sizeof err) != PL_OK)
		fail_msg("%s", err);
	golden_poll(s, st, target, T0 + 20000, "poll 1");
	golden_preds(log, 1500, 2500, reg, 1200);
	golden_labels(lab, 740, 1900, reg, 0);
	golden_poll(s, st, target, T0 + 30000, "poll 2");
	golden_poll(s, st, target, T0 + 30000, "poll 3 (nothing new)");
	pl_predsrc_close(s);
	golden_preds(log, 2500, 3000, reg, 1200);
	golden_labels(lab, 1900, 3000, reg, 0);
	if (pl_predsrc_open(&s, sd, &o, err, sizeof err) != PL_OK)
		fail_msg("%s", err);
	golden_poll(s, st, target, T0 + 45000, "poll 4 (restarted)");
	pl_predsrc_close(s);
	free(log);
	free(lab);
	free(ref);
}

static void
test_results_fixed_log(void **state)
{
	char *dir, *sd, *golden;
	pl_store *st = tu_store(&dir);
	const char *top = getenv("top_srcdir");

	(void)state;
	sd = path_in(dir, ".plumb");
	G_dir = dir;
	golden_run(dir, sd, st, "cls", 0);
	golden_run(dir, sd, st, "reg", 1);
	assert_true(asprintf(&golden, "%s/tests/engine/monitor/predsrc-golden.txt",
	    top ? top : ".") > 0);
	if (getenv("PLUMB_WRITE_GOLDEN")) {
		FILE *f = fopen(golden, "w");
		assert_non_null(f);
		fwrite(G.p, 1, G.n, f);
		fclose(f);
	} else {
		FILE *f = fopen(golden, "r");
		char *want = calloc(1, G.n + 2);
		assert_non_null(f);
		size_t got_n = fread(want, 1, G.n + 1, f);
		fclose(f);
		if (got_n != G.n || memcmp(want, G.p, G.n) != 0) {
			char *out;
			assert_true(asprintf(&out, "%s/predsrc-got.txt", dir) > 0);
			f = fopen(out, "w");
			fwrite(G.p, 1, G.n, f);
			fclose(f);
			fail_msg("results differ from %s (diff it with %s)", golden, out);
		}
		free(want);
	}
	free(G.p);
	memset(&G, 0, sizeof G);
	free(golden);
	free(sd);
	pl_store_close(st);
	if (!getenv("PLUMB_KEEP_TMP"))
		tu_rmrf(dir);
	free(dir);
}

/* ---- a store written before blocks (schema 5 to 11) ----
 * Target "a" in store A reads a log of 2,500 records and their labels.
 * Store B holds records 0..1999 as rows of the former mon_predictions
 * table (labels joined; features as float64 prefixes, feature b added at
 * record 1000) and a log of records 2000..2499: status counts the old
 * rows before the watcher opens the target; then they move into blocks
 * and accuracy, coverage, errors and window drift are A's, bit for bit. */
static void
legacy_line(FILE *f, int i)
{
	double a = (double)(i % 37) / 8 + (i > 2200 ? 0.6 : 0), b = (double)(i % 11) / 4;

	fprintf(f, "{\"id\":\"r%d\",\"ts\":%lld,\"features\":{\"a\":%.17g", i,
	    T0 + (long long)i * 10, a);
	if (i >= 1000)
		fprintf(f, ",\"b\":%.17g", b);
	fprintf(f, "},\"prediction\":%d,\"score\":%.17g,\"latency\":0.002,"
	    "\"status\":\"%s\"}\n", i % 5 < 3, (double)(i % 97) / 97,
	    i % 31 == 0 ? "error" : "ok");
}

static double
legacy_label(int i)
{
	return i % 7 < 4;
}

static void
legacy_results(pl_store *st, const char *dir, const char *sd, int from,
    struct sink *out)
{
	char *log = path_in(dir, "p.jsonl"), *lab = path_in(dir, "l.jsonl");
	char *ref = path_in(dir, "ref.csv"), err[512];
	FILE *f = fopen(log, "w"), *g = fopen(lab, "w"), *r = fopen(ref, "w");
	pl_predsrc *s;

	assert_true(f && g && r);
	for (int i = from; i < 2500; i++) {
		legacy_line(f, i);
		if (i % 3 != 1)
			fprintf(g, "{\"id\":\"r%d\",\"label\":%g,\"ts\":%lld}\n", i,
			    legacy_label(i), T0 + (long long)i * 10 + 40000);
	}
	fprintf(r, "a,b\n");
	for (int i = 0; i < 800; i++)
		fprintf(r, "%.17g,%.17g\n", (double)(i % 41) / 8, (double)(i % 13) / 4);
	fclose(f);
	fclose(g);
	fclose(r);
	struct pl_predsrc_opts o = { .target = "a", .pred_path = log,
		.label_path = lab, .perf_window_ms = 12000,
		.drift_reference = ref, .drift_window_rows = 900,
		.drift_min_rows = 100, .drift_threshold = NAN };
	if (pl_predsrc_open(&s, sd, &o, err, sizeof err) != PL_OK)
		fail_msg("%s", err);
	sink_reset(&K);
	poll_ok(s, T0 + 100000);
	*out = K;
	pl_predsrc_close(s);
	(void)st;
	free(log);
	free(lab);
	free(ref);
}

static void
test_legacy_rows_moved(void **state)
{
	char *da, *db;
	pl_store *sa = tu_store(&da), *sb = tu_store(&db);
	char *sda = path_in(da, ".plumb"), *sdb = path_in(db, ".plumb");
	static struct sink A, B;
	struct pl_predsrc_status ps;
	sqlite3_stmt *q;
	int labelled = 0;

	(void)state;
	legacy_results(sa, da, sda, 0, &A);

	/* store B: the old rows, as the former code wrote them */
	assert_int_equal(sqlite3_prepare_v2(sb->db, "INSERT INTO mon_predictions("
	    "target, id, ts_ms, prediction, score, latency, status, features,"
	    " label, label_ms) VALUES('a', ?1, ?2, ?3, ?4, 0.002, ?5, ?6, ?7, ?8)",
	    -1, &q, NULL), SQLITE_OK);
	for (int i = 0; i < 2000; i++) {
		char id[16];
		double fv[2] = { (double)(i % 37) / 8, (double)(i % 11) / 4 };
		snprintf(id, sizeof id, "r%d", i);
		sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 2, T0 + (long long)i * 10);
		sqlite3_bind_double(q, 3, i % 5 < 3);
		sqlite3_bind_double(q, 4, (double)(i % 97) / 97);
		sqlite3_bind_int(q, 5, i % 31 == 0);
		sqlite3_bind_blob(q, 6, fv, i >= 1000 ? 16 : 8, SQLITE_TRANSIENT);
		if (i % 3 != 1) {
			sqlite3_bind_double(q, 7, legacy_label(i));
			sqlite3_bind_int64(q, 8, T0 + (long long)i * 10 + 40000);
			labelled++;
		} else {
			sqlite3_bind_null(q, 7);
			sqlite3_bind_null(q, 8);
		}
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	/* read before the watcher moves them */
	assert_int_equal(pl_predsrc_status(&ps, sb, "a"), PL_OK);
	assert_int_equal(ps.stored, 2000);
	assert_int_equal(ps.labelled, labelled);

	legacy_results(sb, db, sdb, 2000, &B);
	assert_int_equal(pl_predsrc_status(&ps, sb, "a"), PL_OK);
	assert_int_equal(ps.stored, 2500);
	assert_int_equal(sqlite3_prepare_v2(sb->db, "SELECT count(*) FROM"
	    " mon_predictions", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 0);
	sqlite3_finalize(q);
	struct pl_predsrc_status pa;
	assert_int_equal(pl_predsrc_status(&pa, sa, "a"), PL_OK);
	assert_int_equal(pa.stored, 2500);
	assert_int_equal(ps.labelled, pa.labelled);

	static const char *const keys[] = { "plumb_model_", "plumb_label_",
		"plumb_labelled_", "plumb_drift_", "plumb_prediction_errors_total" };
	int compared = 0;
	for (size_t i = 0; i < A.n; i++) {
		int want = 0;
		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
			want |= strncmp(A.s[i].key, keys[k], strlen(keys[k])) == 0;
		if (!want)
			continue;
		double v = got(&B, A.s[i].key);
		if (memcmp(&v, &A.s[i].v, sizeof v) != 0)
			fail_msg("%s: %a from blocks, %a from the moved rows",
			    A.s[i].key, A.s[i].v, v);
		if (getenv("PLUMB_TEST_VERBOSE"))
			printf("%s %a\n", A.s[i].key, A.s[i].v);
		compared++;
	}
	assert_true(compared >= 10);
	assert_true(!isnan(got(&A, "plumb_model_accuracy")));
	assert_true(!isnan(got(&A, "plumb_drift_score{feature=b,method=ks}")));

	pl_store_close(sa);
	pl_store_close(sb);
	tu_rmrf(da);
	tu_rmrf(db);
	free(da);
	free(db);
	free(sda);
	free(sdb);
}

/* Retention: blocks older than retain_ms go with their labels and index
 * entries; recent ones stay, the window's accuracy is unchanged, and an
 * id logged again after its first record was deleted is a new record
 * (duplicates are unique within retention). */
static void
test_retention(void **state)
{
	char *dir, *sd, *log, *lab;
	pl_store *st = tu_store(&dir);
	pl_predsrc *s;
	char err[512];
	FILE *fl, *fb;
	struct pl_predsrc_status ps;
	const int64_t now = T0, old = T0 - 30 * DAY, recent = T0 - 3600000;

	(void)state;
	sd = path_in(dir, ".plumb");
	log = path_in(dir, "p.jsonl");
	lab = path_in(dir, "l.jsonl");
	fl = fopen(log, "w");
	fb = fopen(lab, "w");
	/* 2048 old records (blocks 0, 1), every one wrong; 2500 recent ones
	 * (blocks 2..4), two in three right */
	for (int i = 0; i < 4548; i++) {
		int64_t ts = i < 2048 ? old + i : recent + i;
		int y = i < 2048 ? 0 : i % 3 != 0;
		fprintf(fl, "{\"id\":\"o%d\",\"ts\":%lld,\"prediction\":1}\n",
		    i, (long long)ts);
		fprintf(fb, "{\"id\":\"o%d\",\"label\":%d,\"ts\":%lld}\n", i,
		    y, (long long)ts + 1000);
	}
	fclose(fl);
	fclose(fb);
	struct pl_predsrc_opts o = { .target = "r", .pred_path = log,
		.label_path = lab };
	/* without retention everything is kept */
	assert_int_equal(pl_predsrc_open(&s, sd, &o, err, sizeof err), PL_OK);
	sink_reset(&K);
	poll_ok(s, now);
	double acc = got(&K, "plumb_model_accuracy");
	assert_true(fabs(acc - 1667.0 / 2500.0) < 1e-12);
	assert_int_equal(pl_predsrc_status(&ps, st, "r"), PL_OK);
	assert_int_equal(ps.stored, 4548);
	assert_int_equal(ps.labelled, 4548);
	pl_predsrc_close(s);

	/* 15 days: the old blocks go at the first poll */
	o.retain_ms = 15 * DAY;
	assert_int_equal(pl_predsrc_open(&s, sd, &o, err, sizeof err), PL_OK);
	append(log, "{\"id\":\"n1\",\"ts\":1796399990000,\"prediction\":1}\n");
	sink_reset(&K);
	poll_ok(s, now);
	assert_int_equal(pl_predsrc_status(&ps, st, "r"), PL_OK);
	assert_int_equal(ps.stored, 2501);
	assert_int_equal(ps.labelled, 2500);
	/* the same labelled pairs in the window: the same accuracy */
	assert_true(got(&K, "plumb_model_accuracy") == acc);
	/* an id of a deleted block is new; a retained one a duplicate */
	append(log,
	    "{\"id\":\"o5\",\"ts\":1796399991000,\"prediction\":1}\n"
	    "{\"id\":\"o3000\",\"ts\":1796399992000,\"prediction\":1}\n");
	poll_ok(s, now + 1000);
	assert_int_equal(pl_predsrc_status(&ps, st, "r"), PL_OK);
	assert_int_equal(ps.stored, 2502);
	assert_int_equal(ps.predictions.duplicates, 1);
	/* a label of the deleted o7 finds no prediction: it waits */
	append(lab, "{\"id\":\"o7\",\"label\":1}\n");
	poll_ok(s, now + 2000);
	assert_int_equal(pl_predsrc_status(&ps, st, "r"), PL_OK);
	assert_int_equal(ps.labelled, 2500);
	assert_int_equal(ps.pending, 1);
	pl_predsrc_close(s);

	/* a retention shorter than the labels' within keeps what within
	 * needs: nothing recent goes */
	o.retain_ms = 1000;
	assert_int_equal(pl_predsrc_open(&s, sd, &o, err, sizeof err), PL_OK);
	poll_ok(s, now + 3000);
	assert_int_equal(pl_predsrc_status(&ps, st, "r"), PL_OK);
	assert_int_equal(ps.stored, 2502);
	pl_predsrc_close(s);

	pl_store_close(st);
	tu_rmrf(dir);
	free(dir);
	free(sd);
	free(log);
	free(lab);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ingest_restart_labels),
		cmocka_unit_test(test_window_drift_matches_plumb_drift),
		cmocka_unit_test(test_concept_drift),
		cmocka_unit_test(test_perf_metrics),
		cmocka_unit_test(test_positive_threshold_metrics),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_results_fixed_log),
		cmocka_unit_test(test_legacy_rows_moved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
