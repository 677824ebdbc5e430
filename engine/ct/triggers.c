/* triggers.c - plumb.yaml's triggers: section, read strictly and checked against the pipeline, the models and the alert rules (FILE:LINE:COL). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/alert.h"
#include "buf.h"
#include "config/monitor.h"
#include "config/names.h"
#include "config/plumb-yaml.h"
#include "config/ynode.h"
#include "ct/ct.h"
#include "pipeline/pipeline.h"
#include "registry/registry.h"
#include "store/error.h"

static int
cerr(char *err, size_t errlen, const char *file, const ynode *n,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int __attribute__((format(printf, 5, 6)))
cerr(char *err, size_t errlen, const char *file, const ynode *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yn_verrf(err, errlen, file, n, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

const char *
pl_trig_on_name(pl_trig_on on)
{
	switch (on) {
	case PL_TRIG_ALERT: return "alert";
	case PL_TRIG_DATA: return "data";
	case PL_TRIG_SCHEDULE: return "schedule";
	case PL_TRIG_MODEL: return "model";
	}
	return "?";
}

char *
pl_trigger_on_text(const pl_trigger *t)
{
	struct buf b = BUF_INIT;

	switch (t->on) {
	case PL_TRIG_ALERT: buf_printf(&b, "alert %s", t->alert); break;
	case PL_TRIG_DATA: buf_printf(&b, "data %s", t->data); break;
	case PL_TRIG_SCHEDULE: buf_printf(&b, "schedule \"%s\"", t->schedule);
		break;
	case PL_TRIG_MODEL: buf_printf(&b, "model %s %s", t->model, t->event);
		break;
	}
	return buf_detach(&b);
}

static void
trigger_dispose(pl_trigger *t)
{
	free(t->name);
	free(t->alert);
	free(t->data);
	free(t->data_abs);
	free(t->schedule);
	free(t->model);
	free(t->event);
	for (size_t i = 0; i < t->nrepro; i++)
		free(t->repro[i]);
	free(t->repro);
	free(t->run);
	free(t->promote_model);
	free(t->promote_to);
}

void
pl_triggers_free(pl_triggers *ts)
{
	if (ts == NULL)
		return;
	for (size_t i = 0; i < ts->n; i++)
		trigger_dispose(&ts->t[i]);
	free(ts->t);
	free(ts->path);
	free(ts->dir);
	free(ts->pipeline);
	free(ts);
}

const pl_trigger *
pl_triggers_find(const pl_triggers *ts, const char *name)
{
	for (size_t i = 0; ts && i < ts->n; i++)
		if (strcmp(ts->t[i].name, name) == 0)
			return &ts->t[i];
	return NULL;
}

/* A scalar that is a string (or a plain word), else NULL. */
static const char *
str_of(const ynode *v)
{
	if (v == NULL || v->kind != YN_SCALAR || yn_scalar_type(v) == YT_NULL ||
	    v->str[0] == '\0')
		return NULL;
	return v->str;
}

/* Trigger names become file names (the lock, the logs). */
static int
name_ok(const char *s)
{
	if (*s == '\0' || *s == '.' || strlen(s) > 100)
		return 0;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') ||
		    ('0' <= *s && *s <= '9') || *s == '_' || *s == '-' ||
		    *s == '.'))
			return 0;
	return 1;
}

/* Context of one load: what the checks need, opened on first use. */
struct load {
	const char *file;
	const ynode *root;
	pl_store *st;
	char *err;
	size_t errlen;
	pl_config *cfg;
	int cfg_tried;
	pl_pipeline *pipe;
	int pipe_tried;
	pl_alerting *alerting;
	int alerting_tried;
	pl_triggers *ts;
};

static int
load_cfg(struct load *L)
{
	if (!L->cfg_tried) {
		L->cfg_tried = 1;
		if (pl_config_load(&L->cfg, L->file, L->err, L->errlen) !=
		    PL_OK)
			return PL_EINVAL;
	}
	return L->cfg ? PL_OK : PL_EINVAL;
}

static int
check_model(struct load *L, const ynode *v, const char *what)
{
	int *vers = NULL;
	size_t n = 0;
	int rc;

	if (load_cfg(L) != PL_OK)
		return PL_EINVAL;
	if (pl_config_model(L->cfg, v->str))
		return PL_OK;
	if (L->st) {
		rc = pl_model_versions(&vers, &n, L->st, v->str);
		free(vers);
		if (rc == PL_OK)
			return PL_OK;
	}
	return cerr(L->err, L->errlen, L->file, v, "%s: no model '%s' (neither "
	    "in models: nor in the registry)", what, v->str);
}

static int
check_stage(struct load *L, const ynode *v)
{
	char perr[1024];

	if (!L->pipe_tried) {
		char *pf = NULL;

		L->pipe_tried = 1;
		if (yn_get(L->root, "stages"))
			pf = strdup(L->file);
		else if (asprintf(&pf, "%s/dvc.yaml", L->ts->dir) < 0)
			pf = NULL;
		if (pf == NULL)
			return PL_ENOMEM;
		if (access(pf, F_OK) != 0) {
			free(pf);
			return cerr(L->err, L->errlen, L->file, v, "repro: "
			    "there is no pipeline (plumb.yaml has no stages: "
			    "and no dvc.yaml is beside it)");
		}
		if (pl_pipeline_load(&L->pipe, pf, 0, perr, sizeof perr) !=
		    PL_OK) {
			snprintf(L->err, L->errlen, "%s", perr);
			free(pf);
			return PL_EINVAL;
		}
		L->ts->pipeline = pf;
	}
	if (L->pipe == NULL)
		return PL_EINVAL;
	{
		size_t n = pl_pipeline_nstages(L->pipe);
		unsigned char *mask = calloc(n + 1, 1);
		char *targets[1] = { v->str };
		int rc;

		if (mask == NULL)
			return PL_ENOMEM;
		rc = pl_pipeline_select(L->pipe, mask, targets, 1, 1, perr,
		    sizeof perr);
		free(mask);
		if (rc != PL_OK)
			return cerr(L->err, L->errlen, L->file, v, "repro: no "
			    "stage '%s' in the pipeline %s", v->str,
			    L->ts->pipeline);
	}
	return PL_OK;
}

static int
check_alert(struct load *L, const ynode *v)
{
	if (L->st == NULL)
		return PL_OK;
	if (!L->alerting_tried) {
		L->alerting_tried = 1;
		if (load_cfg(L) != PL_OK)
			return PL_EINVAL;
		if (pl_alerting_open(&L->alerting, L->st, L->cfg, L->err,
		    L->errlen) != PL_OK)
			return PL_EINVAL;
	}
	if (L->alerting == NULL)
		return PL_EINVAL;
	if (!pl_alerting_has_alert(L->alerting, v->str))
		return cerr(L->err, L->errlen, L->file, v, "on: alert: no "
		    "alerting rule is named '%s' (alerts: section, its rule "
		    "files, the built-in rules)", v->str);
	return PL_OK;
}

static int
dupstr(char **out, const char *s)
{
	return (*out = strdup(s)) ? PL_OK : PL_ENOMEM;
}

static int
parse_on(struct load *L, pl_trigger *t, const ynode *on)
{
	const ynode *k = NULL, *v = NULL, *ev = NULL;
	int rc;

	if (on->kind != YN_MAP || on->n == 0)
		return cerr(L->err, L->errlen, L->file, on, "on: must be a map: "
		    "{alert: NAME}, {data: PATH}, {schedule: \"CRON\"} or "
		    "{model: NAME, event: promoted|registered|rolled_back}");
	for (size_t i = 0; i < on->n; i++) {
		const ynode *ki = yn_key(on, i);

		if (!strcmp(ki->str, "event")) {
			ev = yn_val(on, i);
			continue;
		}
		if (strcmp(ki->str, "alert") && strcmp(ki->str, "data") &&
		    strcmp(ki->str, "schedule") && strcmp(ki->str, "model"))
			return cerr(L->err, L->errlen, L->file, ki, "on: unknown "
			    "key '%s' (alert, data, schedule, model with "
			    "event)", ki->str);
		if (k)
			return cerr(L->err, L->errlen, L->file, ki, "on: one "
			    "of alert, data, schedule or model, not both %s and "
			    "%s", k->str, ki->str);
		k = ki;
		v = yn_val(on, i);
	}
	if (k == NULL)
		return cerr(L->err, L->errlen, L->file, on, "on: needs alert, "
		    "data, schedule or model");
	if (str_of(v) == NULL)
		return cerr(L->err, L->errlen, L->file, v, "on: %s: must be a "
		    "string", k->str);
	if (ev && strcmp(k->str, "model"))
		return cerr(L->err, L->errlen, L->file, ev, "on: event: goes "
		    "with model: only");
	if (!strcmp(k->str, "alert")) {
		t->on = PL_TRIG_ALERT;
		if ((rc = dupstr(&t->alert, v->str)) != PL_OK)
			return rc;
		return check_alert(L, v);
	}
	if (!strcmp(k->str, "data")) {
		t->on = PL_TRIG_DATA;
		if ((rc = dupstr(&t->data, v->str)) != PL_OK)
			return rc;
		if (v->str[0] == '/')
			return dupstr(&t->data_abs, v->str);
		if (asprintf(&t->data_abs, "%s/%s", L->ts->dir, v->str) < 0) {
			t->data_abs = NULL;
			return PL_ENOMEM;
		}
		/* "data/raw/": the directory itself */
		while (strlen(t->data_abs) > 1 &&
		    t->data_abs[strlen(t->data_abs) - 1] == '/')
			t->data_abs[strlen(t->data_abs) - 1] = '\0';
		return PL_OK;
	}
	if (!strcmp(k->str, "schedule")) {
		char cerrbuf[256];
		size_t off = 0;

		t->on = PL_TRIG_SCHEDULE;
		if ((rc = dupstr(&t->schedule, v->str)) != PL_OK)
			return rc;
		if (pl_cron_parse(&t->cron, v->str, &off, cerrbuf,
		    sizeof cerrbuf) != PL_OK) {
			ynode at = *v;

			/* the column of the bad field inside the string */
			at.col += (int)off + (v->quoted ? 1 : 0);
			return cerr(L->err, L->errlen, L->file, &at, "on: "
			    "schedule: %s", cerrbuf);
		}
		return PL_OK;
	}
	t->on = PL_TRIG_MODEL;
	if ((rc = dupstr(&t->model, v->str)) != PL_OK)
		return rc;
	if (ev == NULL)
		return cerr(L->err, L->errlen, L->file, on, "on: model: needs "
		    "event: promoted, registered or rolled_back");
	if (str_of(ev) == NULL || (strcmp(ev->str, "promoted") &&
	    strcmp(ev->str, "registered") && strcmp(ev->str, "rolled_back")))
		return cerr(L->err, L->errlen, L->file, ev, "on: event: "
		    "promoted, registered or rolled_back");
	if ((rc = dupstr(&t->event, ev->str)) != PL_OK)
		return rc;
	return check_model(L, v, "on: model");
}

static int
parse_trigger(struct load *L, pl_trigger *t, const ynode *k, const ynode *v)
{
	const ynode *on = NULL, *repro = NULL, *run = NULL, *promote = NULL;
	int rc;

	t->line = k->line;
	t->col = k->col;
	if ((rc = dupstr(&t->name, k->str)) != PL_OK)
		return rc;
	if (!name_ok(k->str))
		return cerr(L->err, L->errlen, L->file, k, "trigger name '%s': "
		    "letters, digits, '_', '-' and '.' only", k->str);
	if (v->kind != YN_MAP)
		return cerr(L->err, L->errlen, L->file, v, "trigger %s: must be "
		    "a map (on:, repro: or run:, promote:, cooldown:)", k->str);
	for (size_t i = 0; i < v->n; i++) {
		const ynode *ki = yn_key(v, i), *vi = yn_val(v, i);

		if (!strcmp(ki->str, "on"))
			on = vi;
		else if (!strcmp(ki->str, "repro"))
			repro = vi;
		else if (!strcmp(ki->str, "run"))
			run = vi;
		else if (!strcmp(ki->str, "promote"))
			promote = vi;
		else if (!strcmp(ki->str, "cooldown")) {
			double s;

			if (vi->kind != YN_SCALAR || pl_duration_parse(&s,
			    vi->str) != 0 || s < 0)
				return cerr(L->err, L->errlen, L->file, vi,
				    "cooldown: not a valid duration (like 30m, "
				    "6h, 1d)");
			t->cooldown_ms = (int64_t)(s * 1000 + 0.5);
		} else
			return cerr(L->err, L->errlen, L->file, ki, "trigger "
			    "%s: unknown key '%s' (on, repro, run, promote, "
			    "cooldown)", k->str, ki->str);
	}
	if (on == NULL)
		return cerr(L->err, L->errlen, L->file, k, "trigger %s: needs "
		    "on: (what starts it)", k->str);
	if ((rc = parse_on(L, t, on)) != PL_OK)
		return rc;
	if (!repro == !run)
		return cerr(L->err, L->errlen, L->file, repro ? run : k,
		    "trigger %s: needs one of repro: [stages] or run: "
		    "\"command\"%s", k->str, repro ? ", not both" : "");
	if (run) {
		if (str_of(run) == NULL)
			return cerr(L->err, L->errlen, L->file, run, "run: must "
			    "be a command (a string)");
		if ((rc = dupstr(&t->run, run->str)) != PL_OK)
			return rc;
	} else {
		if (repro->kind != YN_SEQ || repro->n == 0)
			return cerr(L->err, L->errlen, L->file, repro, "repro: "
			    "must be a list of stage names");
		if ((t->repro = calloc(repro->n + 1, sizeof *t->repro)) ==
		    NULL)
			return PL_ENOMEM;
		for (size_t i = 0; i < repro->n; i++) {
			const ynode *s = repro->items[i];

			if (str_of(s) == NULL)
				return cerr(L->err, L->errlen, L->file, s,
				    "repro: a stage name (a string)");
			if ((rc = dupstr(&t->repro[t->nrepro], s->str)) !=
			    PL_OK)
				return rc;
			t->nrepro++;
			if ((rc = check_stage(L, s)) != PL_OK)
				return rc;
		}
	}
	if (promote) {
		const ynode *m = NULL, *to = NULL;
		pl_model_stage stage;

		if (promote->kind != YN_MAP)
			return cerr(L->err, L->errlen, L->file, promote,
			    "promote: must be {model: NAME, to: STAGE}");
		for (size_t i = 0; i < promote->n; i++) {
			const ynode *ki = yn_key(promote, i);

			if (!strcmp(ki->str, "model"))
				m = yn_val(promote, i);
			else if (!strcmp(ki->str, "to"))
				to = yn_val(promote, i);
			else
				return cerr(L->err, L->errlen, L->file, ki,
				    "promote: unknown key '%s' (model, to)",
				    ki->str);
		}
		if (str_of(m) == NULL)
			return cerr(L->err, L->errlen, L->file, m ? m : promote,
			    "promote: needs model: NAME");
		if (str_of(to) == NULL || pl_model_stage_parse(&stage,
		    to->str) != PL_OK || stage == PL_MODEL_NONE)
			return cerr(L->err, L->errlen, L->file, to ? to : promote,
			    "promote: to: staging, production or archived");
		if ((rc = check_model(L, m, "promote: model")) != PL_OK)
			return rc;
		if ((rc = dupstr(&t->promote_model, m->str)) != PL_OK ||
		    (rc = dupstr(&t->promote_to, to->str)) != PL_OK)
			return rc;
	}
	return PL_OK;
}

int
pl_triggers_load(pl_triggers **out, pl_store *st, const char *path,
    char *err, size_t errlen)
{
	struct load L;
	ynode *root = NULL;
	const ynode *sec;
	pl_triggers *ts;
	const char *slash;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	memset(&L, 0, sizeof L);
	if ((ts = calloc(1, sizeof *ts)) == NULL)
		return PL_ENOMEM;
	L.ts = ts;
	L.file = path;
	L.st = st;
	L.err = err;
	L.errlen = errlen;
	/* absolute: CT runs start in plumb.yaml's directory and are
	 * handed this path */
	if ((ts->path = realpath(path, NULL)) == NULL &&
	    (ts->path = strdup(path)) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	slash = strrchr(ts->path, '/');
	ts->dir = slash ? strndup(ts->path, (size_t)(slash - ts->path == 0 ?
	    1 : slash - ts->path)) : getcwd(NULL, 0);
	if (ts->dir == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	rc = yn_parse_file(&root, path, path, err, errlen);
	if (rc == PL_ENOTFOUND) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOENT));
		rc = PL_EIO;
	}
	if (rc != PL_OK)
		goto out;
	L.root = root;
	sec = root && root->kind == YN_MAP ? yn_get(root, "triggers") : NULL;
	if (sec == NULL || (sec->kind == YN_SCALAR &&
	    yn_scalar_type(sec) == YT_NULL))
		goto out;
	if (sec->kind != YN_MAP) {
		rc = cerr(err, errlen, path, sec, "triggers: must be a map of "
		    "trigger names");
		goto out;
	}
	if ((ts->t = calloc(sec->n + 1, sizeof *ts->t)) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < sec->n && rc == PL_OK; i++) {
		rc = parse_trigger(&L, &ts->t[ts->n++], yn_key(sec, i),
		    yn_val(sec, i));
		for (size_t j = 0; rc == PL_OK && j + 1 < ts->n; j++)
			if (!strcmp(ts->t[j].name, ts->t[ts->n - 1].name))
				rc = cerr(err, errlen, path, yn_key(sec, i),
				    "trigger %s is defined twice",
				    ts->t[j].name);
	}
out:
	if (rc == PL_ENOMEM)
		snprintf(err, errlen, "out of memory");
	yn_free(root);
	pl_config_free(L.cfg);
	pl_pipeline_free(L.pipe);
	pl_alerting_close(L.alerting);
	if (rc != PL_OK) {
		pl_triggers_free(ts);
		return rc;
	}
	*out = ts;
	return PL_OK;
}
