/* model.c - the "model" source of plumb watch: pl_predsrc (prediction and label logs, accuracy, data and concept drift) behind pl_mon_source_ops. */
#include "config.h"
#include "monitor/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/cache.h"
#include "drift/detect.h"
#include "drift/drift.h"
#include "monitor/perf.h"
#include "monitor/predsrc.h"
#include "registry/registry.h"
#include "store/error.h"

/*
 * The adapter maps a target's predictions:, labels:, drift:,
 * performance: and concept: settings onto struct pl_predsrc_opts and
 * forwards pl_predsrc's callbacks into the watcher's sink.
 *
 * drift: {reference: deployed} is resolved once, at open: the version of
 * the target's model: that holds production in the registry, then the
 * data versions recorded with it (the lineage of the run that produced
 * it), then the first of them that is a CSV file, read from the store's
 * cache by its hash (the file at its recorded path when the cache does
 * not hold it and the file still has that size).  When there is nothing
 * to compare with - no model:, no production version, no recorded CSV -
 * the rest of the source still runs; the reason is reported as the
 * "drift" state "no-reference" at every poll (logged once: states are
 * logged on change).
 *
 * The reference then follows the registry: every FOLLOW_MS the source
 * reads which version holds production, and when another version was
 * promoted (or rolled back to) it compares the window with that
 * version's training data from the next poll on - the drift of a model
 * retrained on today's data is measured against today's data - and adds
 * a "drift-reference" event saying so.  (A source opened with no
 * reference at all gets one at the next reload.)
 */

#define FOLLOW_MS 2000

struct model_state {
	pl_predsrc *ps;
	pl_mon_sink *sink;		/* of the poll under way */
	char *drift_note;		/* why drift does not run, or NULL */
	char *ref_note;			/* which reference was resolved */
	int noted;
	/* following the deployed version (drift: {reference: deployed}) */
	char *model, *store_dir;	/* NULL: not following */
	int version;			/* the production version compared with */
	int64_t checked_ms;
};

/* The version of model holding production (0: none, -1: cannot tell). */
static int
production_version(const char *store_dir, const char *model)
{
	pl_store *st = NULL;
	int version = 0;

	if (pl_store_open(&st, store_dir, PL_OPEN_READONLY) != PL_OK ||
	    pl_model_stage_holder(&version, st, model, PL_MODEL_PRODUCTION) !=
	    PL_OK)
		version = -1;
	pl_store_close(st);
	return version;
}

/* Compares with the new production version's training data when another
 * version holds production now. */
static void
follow_deployed(struct model_state *m, int64_t now_ms)
{
	char note[1024] = "", err[1024] = "", *ref = NULL;
	int v;

	if (m->model == NULL || now_ms - m->checked_ms < FOLLOW_MS)
		return;
	m->checked_ms = now_ms;
	v = production_version(m->store_dir, m->model);
	if (v <= 0 || v == m->version)
		return;
	if (pl_mon_deployed_reference(&ref, note, sizeof note, m->store_dir,
	    m->model) != PL_OK || ref == NULL) {
		if (note[0])
			pl_mon_sink_event(m->sink, now_ms, "drift-reference",
			    note);
		m->version = v;		/* said once */
		free(ref);
		return;
	}
	if (pl_predsrc_set_reference(m->ps, ref, err, sizeof err) != PL_OK) {
		pl_mon_sink_event(m->sink, now_ms, "drift-reference", err);
	} else {
		char *dup = strdup(note);

		if (dup) {
			free(m->ref_note);
			m->ref_note = dup;
		}
		pl_mon_sink_event(m->sink, now_ms, "drift-reference", note);
	}
	m->version = v;
	free(ref);
}

static int
wants(const pl_mon_target *t)
{
	return t->predictions.path != NULL || t->labels.path != NULL;
}

static int
fmt_of(const char *s)
{
	if (s == NULL)
		return 0;
	return strcmp(s, "csv") == 0 ? PL_PRED_CSV : PL_PRED_JSONL;
}

static int
ends_csv(const char *p)
{
	size_t n = strlen(p);

	return n >= 4 && strcasecmp(p + n - 4, ".csv") == 0;
}

/*
 * The training CSV of the deployed version of model.  On success *out is
 * a malloc'ed path and *note says which version and file; otherwise
 * *out is NULL and note says why (the source runs without drift).
 * Returns PL_ENOMEM only as a failure.
 */
int
pl_mon_deployed_reference(char **out, char *note, size_t note_len,
    const char *store_dir, const char *model)
{
	pl_store *st = NULL;
	pl_model_version *v = NULL;
	int version = 0, rc;

	*out = NULL;
	if (model == NULL) {
		snprintf(note, note_len, "drift reference 'deployed' needs the "
		    "target's model:");
		return PL_OK;
	}
	if ((rc = pl_store_open(&st, store_dir, PL_OPEN_READONLY)) != PL_OK) {
		snprintf(note, note_len, "cannot open the store: %s",
		    st ? pl_store_errmsg(st) : "out of memory");
		pl_store_close(st);
		return rc == PL_ENOMEM ? rc : PL_OK;
	}
	rc = pl_model_stage_holder(&version, st, model, PL_MODEL_PRODUCTION);
	if (rc == PL_ENOTFOUND) {
		snprintf(note, note_len, "model '%s' is not in the registry",
		    model);
		goto done;
	}
	if (rc != PL_OK) {
		snprintf(note, note_len, "registry: %s", pl_store_errmsg(st));
		goto done;
	}
	if (version == 0) {
		snprintf(note, note_len, "model '%s' has no deployed "
		    "(production) version", model);
		goto done;
	}
	if ((rc = pl_model_get(&v, st, model, version)) != PL_OK) {
		snprintf(note, note_len, "registry: %s", pl_store_errmsg(st));
		goto done;
	}
	for (size_t i = 0; i < v->ndata; i++) {
		const pl_data_ref *d = &v->data[i];
		char *obj;
		struct stat sb;

		if (!ends_csv(d->path))
			continue;
		obj = d->hash ? pl_cache_object_path(st, d->hash) : NULL;
		if (obj && stat(obj, &sb) == 0) {
			*out = obj;
		} else {
			free(obj);
			/* not cached: the file itself when it is still the
			 * size recorded (relative paths are the project's,
			 * the store directory's parent) */
			char path[4096];

			if (d->path[0] == '/')
				snprintf(path, sizeof path, "%s", d->path);
			else
				snprintf(path, sizeof path, "%s/../%s",
				    store_dir, d->path);
			if (stat(path, &sb) == 0 &&
			    (d->size < 0 || sb.st_size == d->size))
				*out = strdup(path);
			else
				continue;
		}
		if (*out == NULL) {
			rc = PL_ENOMEM;
			goto done;
		}
		snprintf(note, note_len, "reference: %s v%d training data %s",
		    model, version, d->path);
		goto done;
	}
	snprintf(note, note_len, "%s v%d (deployed) has no recorded CSV "
	    "training data in the cache", model, version);
done:
	pl_model_version_free(v);
	pl_store_close(st);
	return rc == PL_ENOMEM ? rc : PL_OK;
}

static int
cb_sample(void *ctx, const char *name, const char *const *labels,
    size_t npairs, int64_t t_ms, double v)
{
	struct model_state *m = ctx;
	pl_label l[8];

	if (npairs > 8)
		npairs = 8;
	for (size_t i = 0; i < npairs; i++) {
		l[i].name = labels[2 * i];
		l[i].value = labels[2 * i + 1];
	}
	return pl_mon_sink_sample(m->sink, name, l, npairs, t_ms, v) != PL_OK;
}

static int
cb_event(void *ctx, int64_t t_ms, const char *kind, const char *message)
{
	struct model_state *m = ctx;

	return pl_mon_sink_event(m->sink, t_ms, kind, message) != PL_OK;
}

static int
cb_state(void *ctx, const char *key, const char *state, const char *detail)
{
	struct model_state *m = ctx;

	return pl_mon_sink_state(m->sink, key, state, detail) != PL_OK;
}

static void
model_close(void *state)
{
	struct model_state *m = state;

	if (m == NULL)
		return;
	pl_predsrc_close(m->ps);
	free(m->drift_note);
	free(m->ref_note);
	free(m->model);
	free(m->store_dir);
	free(m);
}

static int
model_open(void **state, const pl_mon_target *t, const pl_mon_env *env,
    char *err, size_t err_len)
{
	struct pl_predsrc_opts o;
	struct model_state *m;
	char *ref = NULL, note[1024] = "";
	int dets[8], rc;
	size_t nd = 0;

	*state = NULL;
	memset(&o, 0, sizeof o);
	o.target = t->name;
	o.pred_path = t->predictions.path;
	o.pred_format = fmt_of(t->predictions.format);
	o.pred_fields.id = t->predictions.id;
	o.pred_fields.time = t->predictions.time;
	o.pred_fields.prediction = t->predictions.prediction;
	o.pred_fields.score = t->predictions.score;
	o.pred_fields.positive = t->performance.positive;
	o.pred_fields.latency = t->predictions.latency;
	o.pred_fields.status = t->predictions.status;
	o.label_path = t->labels.path;
	o.label_format = fmt_of(t->labels.format);
	o.label_fields.id = t->labels.id;
	o.label_fields.time = t->labels.time;
	o.label_fields.label = t->labels.label;
	o.label_fields.positive = t->performance.positive;
	o.within_ms = (int64_t)(t->labels.within_s * 1000);
	if (env->config)
		o.retain_ms = env->config->monitor.retain_raw_ms;
	if (t->performance.set) {
		const pl_mon_performance *pf = &t->performance;

		o.perf_window_ms = (int64_t)(pf->window_s * 1000);
		/* the config checked that these agree on one task */
		if (pf->task)
			o.task = strcmp(pf->task, "regression") == 0 ?
			    PL_PERF_REGRESSION : PL_PERF_CLASSIFICATION;
		else if (pf->positive || pf->threshold >= 0)
			o.task = PL_PERF_CLASSIFICATION;
		for (size_t j = 0; j < pf->nmetrics; j++)
			o.metrics |= pl_perf_metric_bit(pf->metrics[j]);
		if (o.task == 0 && o.metrics)
			o.task = o.metrics & PL_PERF_M_REGRESSION ?
			    PL_PERF_REGRESSION : PL_PERF_CLASSIFICATION;
		if (pf->threshold > 0)
			o.threshold = pf->threshold;
	}
	o.drift_threshold = NAN;
	if (t->drift.set) {
		if (t->drift.deployed) {
			if ((rc = pl_mon_deployed_reference(&ref, note,
			    sizeof note, env->store_dir, t->model)) != PL_OK) {
				snprintf(err, err_len, "out of memory");
				return rc;
			}
		} else {
			ref = strdup(t->drift.reference);
			if (ref == NULL) {
				snprintf(err, err_len, "out of memory");
				return PL_ENOMEM;
			}
		}
		o.drift_reference = ref;
		o.drift_window_ms = (int64_t)(t->drift.window_s * 1000);
		o.drift_window_rows = (size_t)t->drift.window_rows;
		o.drift_min_rows = (size_t)t->drift.min_rows;
		/* the features to compare: drift:'s, else predictions:' */
		if (t->drift.features) {
			o.drift_features = (const char *const *)t->drift.features;
			o.n_drift_features = t->drift.nfeatures;
		} else if (t->predictions.features) {
			o.drift_features =
			    (const char *const *)t->predictions.features;
			o.n_drift_features = t->predictions.nfeatures;
		}
		o.drift_method = t->drift.method ?
		    pl_drift_method_parse(t->drift.method) : PL_DRIFT_DEFAULT;
		if (o.drift_method < 0)
			o.drift_method = PL_DRIFT_DEFAULT;
		if (t->drift.threshold >= 0)
			o.drift_threshold = t->drift.threshold;
	}
	if (t->concept.set)
		for (size_t i = 0; i < t->concept.ndetectors && nd < 8; i++) {
			char name[32];
			int k;

			/* plumb.yaml says page-hinkley, River page_hinkley */
			snprintf(name, sizeof name, "%s", t->concept.detectors[i]);
			for (char *c = name; *c; c++)
				if (*c == '-')
					*c = '_';
			k = pl_detect_kind_parse(name);

			if (k > 0)
				dets[nd++] = k;
		}
	o.detectors = dets;
	o.ndetectors = nd;
	m = calloc(1, sizeof *m);
	if (m == NULL) {
		free(ref);
		snprintf(err, err_len, "out of memory");
		return PL_ENOMEM;
	}
	if (t->drift.set && ref == NULL &&
	    (m->drift_note = strdup(note)) == NULL) {
		model_close(m);
		snprintf(err, err_len, "out of memory");
		return PL_ENOMEM;
	}
	if (t->drift.set && ref && t->drift.deployed &&
	    (m->ref_note = strdup(note)) == NULL) {
		free(ref);
		model_close(m);
		snprintf(err, err_len, "out of memory");
		return PL_ENOMEM;
	}
	rc = pl_predsrc_open(&m->ps, env->store_dir, &o, err, err_len);
	free(ref);
	if (rc != PL_OK) {
		model_close(m);
		return rc;
	}
	if (t->drift.set && t->drift.deployed && m->ref_note) {
		m->version = production_version(env->store_dir, t->model);
		m->model = strdup(t->model);
		m->store_dir = strdup(env->store_dir);
		if (m->model == NULL || m->store_dir == NULL) {
			model_close(m);
			snprintf(err, err_len, "out of memory");
			return PL_ENOMEM;
		}
	}
	*state = m;
	return PL_OK;
}

static int
model_poll(void *state, int64_t now_ms, int64_t deadline_ms,
    pl_mon_sink *sink)
{
	struct model_state *m = state;
	struct pl_predsrc_out out = { cb_sample, cb_event, cb_state, m };
	int rc;

	(void)deadline_ms;	/* a poll reads at most max_bytes per log */
	m->sink = sink;
	follow_deployed(m, now_ms);
	rc = pl_predsrc_poll(m->ps, now_ms, &out);
	if (m->drift_note)
		pl_mon_sink_state(sink, "drift", "no-reference", m->drift_note);
	else if (m->ref_note && !m->noted) {
		pl_mon_sink_event(sink, now_ms, "drift-reference", m->ref_note);
		m->noted = 1;
	}
	m->sink = NULL;
	if (rc != PL_OK)
		pl_mon_sink_state(sink, "model", "error",
		    pl_predsrc_errmsg(m->ps));
	return rc;
}

const pl_mon_source_ops pl_mon_source_model = {
	"model", wants, model_open, model_poll, model_close
};
