/* alerting.c - plumb.yaml's alerts: section and the rule groups evaluated over the series store, with history, events and restored `for` state. */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "alert/alert.h"
#include "alert/pq-tsdb.h"
#include "alert/rules.h"
#include "config/plumb-yaml.h"
#include "config/ynode.h"
#include "monitor/tsdb.h"
#include "store/error.h"
#include "store/events.h"
#include "store/internal.h"

/*
 * The evaluation follows Prometheus' rules manager (rules/manager.go,
 * 2.42): a group's rules run in order at the group's interval, each
 * rule's output appended to the store before the next rule reads (here:
 * the reader flushes the writer before any select when samples are
 * queued), ALERTS and ALERTS_FOR_STATE written for pending and firing
 * alerts.  After the first evaluation of a group, RestoreForState: an
 * alert of a rule whose `for` is at least the grace period gets back the
 * activeAt its ALERTS_FOR_STATE series last recorded, within the outage
 * tolerance, shifted by the downtime (or to now + grace - for when less
 * than the grace period remained), so a restart neither fires early nor
 * makes a long `for` start over.  Until it is restored, the group's
 * ALERTS/ALERTS_FOR_STATE samples are not written (Prometheus: restored
 * is false), so the restore reads what the previous watcher wrote.
 */

#define DATA_EARLY_MS 250	/* pl_alerting_tick(): see alert.h */
#define GRACE_DEFAULT_MS (10 * 60 * 1000LL)		/* --rules.alert.for-grace-period */
#define OUTAGE_DEFAULT_MS (60 * 60 * 1000LL)		/* --rules.alert.for-outage-tolerance */

struct pl_alerting {
	pl_store *st;
	struct pl_ruleset rs;
	int64_t interval;	/* default group interval, ms */
	int64_t grace, outage;
	int64_t *next;		/* per group: next evaluation time (0: now) */
	int *restored;
	pl_ts_writer *w;
	int dirty;		/* samples queued since the last flush */
	int suppress;		/* drop ALERTS* samples (group not restored) */
	pq_tsdb *tsdb;
	pq_reader inner;
	size_t failed;		/* rules that failed in the last evaluation */
	int builtin;		/* alerts: builtin: */
	int data_mode;		/* driven by pl_alerting_tick() */
	char err[1024];
};

/* ---- the built-in rules --------------------------------------------- */

/*
 * The basics a user would otherwise forget.  A rule of the user's with
 * the same alert name replaces the built-in one; `builtin: false` drops
 * them all.
 */
static const struct builtin {
	const char *name, *text;
} builtins[] = {
	{ "PlumbTargetDown",
	  "  - alert: PlumbTargetDown\n"
	  "    expr: up == 0\n"
	  "    for: 1m\n"
	  "    labels: {severity: critical}\n"
	  "    annotations:\n"
	  "      summary: 'Target {{ $labels.target }} is down: its scrape fails'\n" },
	{ "PlumbProbeFailing",
	  "  - alert: PlumbProbeFailing\n"
	  "    expr: probe_success == 0\n"
	  "    for: 1m\n"
	  "    labels: {severity: critical}\n"
	  "    annotations:\n"
	  "      summary: 'Target {{ $labels.target }} is down: its health probe fails'\n" },
	{ "PlumbNoPredictions",
	  "  - alert: PlumbNoPredictions\n"
	  "    expr: sum by (target) (increase(plumb_predictions_total[15m])) == 0\n"
	  "    for: 5m\n"
	  "    labels: {severity: warning}\n"
	  "    annotations:\n"
	  "      summary: 'No prediction logged by {{ $labels.target }} for 15 minutes'\n" },
	/* labels: configured (the series exists only then), watched for
	 * 24 hours at least (the offset sample), and not one new line in
	 * the label log over those 24 hours: delayed ground truth arrives
	 * at least daily in most pipelines; a rule of the same name with
	 * another window overrides it */
	{ "PlumbLabelsStopped",
	  "  - alert: PlumbLabelsStopped\n"
	  "    expr: increase(plumb_log_lines_total{log=\"labels\"}[24h]) == 0 and on (target) plumb_log_lines_total{log=\"labels\"} offset 24h\n"
	  "    for: 15m\n"
	  "    labels: {severity: warning}\n"
	  "    annotations:\n"
	  "      summary: 'No new line in the label log of {{ $labels.target }} for 24 hours: labels stopped arriving, accuracy is no longer measured'\n" },
	{ "PlumbTriggerFailed",
	  "  - alert: PlumbTriggerFailed\n"
	  "    expr: plumb_trigger_failed == 1\n"
	  "    labels: {severity: warning}\n"
	  "    annotations:\n"
	  "      summary: 'The last run of trigger {{ $labels.trigger }} failed (plumb triggers history)'\n" },
};

const char *const pl_alerts_builtin_names[] = {
	"PlumbTargetDown", "PlumbProbeFailing", "PlumbNoPredictions",
	"PlumbLabelsStopped", "PlumbTriggerFailed", NULL
};

static int
user_defines(const struct pl_ruleset *rs, const char *alert)
{
	for (size_t i = 0; i < rs->n; i++)
		for (size_t j = 0; j < rs->g[i].n; j++)
			if (rs->g[i].rules[j].alert &&
			    strcmp(rs->g[i].rules[j].name, alert) == 0)
				return 1;
	return 0;
}

static int
load_builtins(struct pl_ruleset *rs, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	size_t n = 0;
	int rc;

	int bad = buf_puts(&b, "groups:\n- name: plumb-builtin\n  rules:\n");
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (!user_defines(rs, builtins[i].name)) {
			bad |= buf_puts(&b, builtins[i].text);
			n++;
		}
	if (n == 0 || bad) {
		buf_free(&b);
		return bad ? PL_ENOMEM : PL_OK;
	}
	rc = pl__rules_load_text(rs, b.p, b.len, "(built-in rules)", err,
	    errlen);
	buf_free(&b);
	return rc;
}

/* ---- the alerts: section ---------------------------------------------- */

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

static int
cfg_duration(const char *file, const ynode *v, const char *key, int64_t *ms,
    char *err, size_t errlen)
{
	if (v->kind != YN_SCALAR || pq_parse_duration(v->str, strlen(v->str),
	    ms) < 0)
		return cerr(err, errlen, file, v, "%s: not a valid duration "
		    "(like 30s, 5m, 1h30m)", key);
	return PL_OK;
}

/* Loads one rule_files: entry (a path or a glob, relative to dir). */
static int
load_rule_file(struct pl_ruleset *rs, const char *file, const char *dir,
    const ynode *v, char *err, size_t errlen)
{
	struct buf p = BUF_INIT;
	glob_t gl;
	int rc = PL_OK, g;

	if (v->kind != YN_SCALAR || !v->str[0])
		return cerr(err, errlen, file, v, "rule_files: each entry is a "
		    "path");
	if ((v->str[0] != '/' && dir && buf_printf(&p, "%s/", dir) < 0) ||
	    buf_puts(&p, v->str) < 0) {
		buf_free(&p);
		return PL_ENOMEM;
	}
	g = glob(p.p, 0, NULL, &gl);
	if (g == GLOB_NOMATCH) {
		if (strpbrk(v->str, "*?[") == NULL)
			rc = cerr(err, errlen, file, v, "rule file %s: %s",
			    v->str, strerror(ENOENT));
		/* a glob matching nothing is fine, as in Prometheus */
	} else if (g != 0)
		rc = cerr(err, errlen, file, v, "rule_files: cannot expand %s",
		    v->str);
	else {
		for (size_t i = 0; i < gl.gl_pathc && rc == PL_OK; i++) {
			rc = pl__rules_load(rs, gl.gl_pathv[i], gl.gl_pathv[i],
			    err, errlen);
			if (rc == PL_ENOTFOUND || rc == PL_EIO) {
				char tmp[1024];
				snprintf(tmp, sizeof tmp, "%s", err);
				rc = cerr(err, errlen, file, v, "%s", tmp);
			}
		}
		globfree(&gl);
	}
	buf_free(&p);
	return rc;
}

/* Every alert name once, so an inline group and a rule file cannot both
 * define it silently: Prometheus allows it, but two rules with one name
 * would share one history here. */
static int
check_names(const struct pl_ruleset *rs, char *err, size_t errlen)
{
	for (size_t i = 0; i < rs->n; i++)
		for (size_t j = 0; j < rs->g[i].n; j++) {
			const struct pl_rule *r = &rs->g[i].rules[j];
			if (!r->alert)
				continue;
			for (size_t k = 0; k <= i; k++)
				for (size_t l = 0; l < (k == i ? j : rs->g[k].n);
				    l++) {
					const struct pl_rule *o =
					    &rs->g[k].rules[l];
					if (o->alert && !strcmp(o->name,
					    r->name)) {
						snprintf(err, errlen, "%s:%d:%d: "
						    "alert %s is defined twice "
						    "(also at %s:%d:%d)", r->file,
						    r->line, r->col, r->name,
						    o->file, o->line, o->col);
						return PL_EINVAL;
					}
				}
		}
	return PL_OK;
}

struct acfg {
	int64_t interval, grace, outage;
	int builtin;
};

static int
parse_section(struct pl_ruleset *rs, struct acfg *ac, const char *file,
    const char *dir, const char *text, size_t len, char *err, size_t errlen)
{
	ynode *root = NULL;
	const ynode *sec, *groups = NULL, *files = NULL;
	int rc;

	if ((rc = yn_parse(&root, text, len, file, err, errlen)) != PL_OK)
		return rc;
	sec = root && root->kind == YN_MAP ? yn_get(root, "alerts") : NULL;
	if (sec == NULL || (sec->kind == YN_SCALAR &&
	    yn_scalar_type(sec) == YT_NULL))
		goto done;
	if (sec->kind != YN_MAP) {
		rc = cerr(err, errlen, file, sec, "alerts: must be a map (groups:, "
		    "rule_files:, interval:, builtin:)");
		goto done;
	}
	for (size_t i = 0; i < sec->n && rc == PL_OK; i++) {
		const ynode *k = yn_key(sec, i), *v = yn_val(sec, i);
		if (!strcmp(k->str, "groups"))
			groups = v;
		else if (!strcmp(k->str, "rule_files"))
			files = v;
		else if (!strcmp(k->str, "interval"))
			rc = cfg_duration(file, v, "interval", &ac->interval,
			    err, errlen);
		else if (!strcmp(k->str, "for_grace_period"))
			rc = cfg_duration(file, v, "for_grace_period",
			    &ac->grace, err, errlen);
		else if (!strcmp(k->str, "outage_tolerance"))
			rc = cfg_duration(file, v, "outage_tolerance",
			    &ac->outage, err, errlen);
		else if (!strcmp(k->str, "route") ||
		    !strcmp(k->str, "receivers") ||
		    !strcmp(k->str, "external_url"))
			;	/* notifications: engine/alert/notify-config.c */
		else if (!strcmp(k->str, "builtin")) {
			if (v->kind != YN_SCALAR || yn_scalar_type(v) != YT_BOOL)
				rc = cerr(err, errlen, file, v, "builtin: true "
				    "or false");
			else
				ac->builtin = yn_bool(v);
		} else
			rc = cerr(err, errlen, file, k, "unknown key '%s' in "
			    "alerts: (groups, rule_files, interval, builtin, "
			    "for_grace_period, outage_tolerance, route, "
			    "receivers, external_url)", k->str);
	}
	if (rc == PL_OK && ac->interval == 0 && yn_get(sec, "interval"))
		rc = cerr(err, errlen, file, yn_get(sec, "interval"),
		    "interval: must be more than 0");
	if (rc == PL_OK && groups)
		rc = pl__rules_load_node(rs, groups, text, len, file, err,
		    errlen);
	if (rc == PL_OK && files) {
		if (files->kind != YN_SEQ)
			rc = cerr(err, errlen, file, files, "rule_files: must be "
			    "a list of paths");
		for (size_t i = 0; rc == PL_OK && files->kind == YN_SEQ &&
		    i < files->n; i++)
			rc = load_rule_file(rs, file, dir, files->items[i], err,
			    errlen);
	}
done:
	yn_free(root);
	return rc;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(&b, chunk, n) < 0) {
			fclose(f);
			buf_free(&b);
			return NULL;
		}
	fclose(f);
	*len = b.len;
	if (b.p == NULL)
		return strdup("");
	return buf_detach(&b);
}

/* ---- the store as the evaluator's reader and appender ----------------- */

static int
a_select(void *ctx, const pq_matcher *m, size_t nm, int64_t mint,
    int64_t maxt, pq_series **out, size_t *nout, char *err, size_t errlen)
{
	pl_alerting *a = ctx;

	if (a->dirty) {
		if (pl_ts_flush(a->w) != PL_OK) {
			snprintf(err, errlen, "series store: %s",
			    pl_ts_writer_errmsg(a->w));
			return -1;
		}
		a->dirty = 0;
	}
	return a->inner.select(a->inner.ctx, m, nm, mint, maxt, out, nout, err,
	    errlen);
}

static void
a_release(void *ctx)
{
	pl_alerting *a = ctx;

	if (a->inner.release)
		a->inner.release(a->inner.ctx);
}

static int
a_append(void *ctx, pq_labels *lb, int64_t t, double v, const char **why)
{
	pl_alerting *a = ctx;
	const char *name = pq_labels_get(lb, "__name__");
	pl_label l[lb->n + 1];
	size_t k = 0;

	if (name == NULL) {
		*why = "a recording rule's output has no metric name";
		return -1;
	}
	if (a->suppress && (!strcmp(name, "ALERTS") ||
	    !strcmp(name, "ALERTS_FOR_STATE")))
		return 0;
	for (size_t i = 0; i < lb->n; i++)
		if (strcmp(lb->l[i].name, "__name__") != 0) {
			l[k].name = lb->l[i].name;
			l[k].value = lb->l[i].value;
			k++;
		}
	if (pl_ts_append(a->w, name, l, k, t, v) != PL_OK) {
		*why = pl_ts_writer_errmsg(a->w);
		return -1;
	}
	a->dirty = 1;
	return 0;
}

/* ---- open / close ----------------------------------------------------- */

int
pl__alerting_load(struct pl_ruleset *rs, int64_t *interval, int64_t *grace,
    int64_t *outage, int *builtin, const struct pl_config *cfg, char *err,
    size_t errlen)
{
	struct acfg ac = { 0, GRACE_DEFAULT_MS, OUTAGE_DEFAULT_MS, 1 };
	int rc = PL_OK;

	if (errlen)
		err[0] = '\0';
	if (cfg && cfg->path) {
		size_t len = 0;
		char *text = slurp(cfg->path, &len);

		if (text == NULL) {
			snprintf(err, errlen, "%s: cannot read: %s", cfg->path,
			    strerror(errno));
			rc = PL_EIO;
		} else {
			rc = parse_section(rs, &ac, cfg->path, cfg->dir,
			    text, len, err, errlen);
			free(text);
		}
	}
	if (rc == PL_OK && ac.builtin)
		rc = load_builtins(rs, err, errlen);
	if (rc == PL_OK)
		rc = check_names(rs, err, errlen);
	if (rc != PL_OK) {
		pl__ruleset_dispose(rs);
		return rc;
	}
	*interval = ac.interval > 0 ? ac.interval : cfg ?
	    (int64_t)(cfg->monitor.interval_s * 1000) : 0;
	if (*interval <= 0)
		*interval = (int64_t)(PL_MON_INTERVAL_DEFAULT * 1000);
	if (grace)
		*grace = ac.grace;
	if (outage)
		*outage = ac.outage;
	if (builtin)
		*builtin = ac.builtin;
	return PL_OK;
}

int
pl_alerting_open(pl_alerting **out, pl_store *st, const struct pl_config *cfg,
    char *err, size_t errlen)
{
	pl_alerting *a;
	int rc;

	*out = NULL;
	if ((a = calloc(1, sizeof *a)) == NULL)
		return PL_ENOMEM;
	a->st = st;
	if ((rc = pl__alerting_load(&a->rs, &a->interval, &a->grace,
	    &a->outage, &a->builtin, cfg, err, errlen)) != PL_OK)
		goto fail;
	a->next = calloc(a->rs.n + 1, sizeof *a->next);
	a->restored = calloc(a->rs.n + 1, sizeof *a->restored);
	a->tsdb = pq_tsdb_new(st);
	if (!a->next || !a->restored || !a->tsdb) {
		rc = PL_ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	a->inner = pq_tsdb_reader(a->tsdb);
	if ((rc = pl_ts_writer_open(&a->w, st)) != PL_OK) {
		snprintf(err, errlen, "series store: %s", pl_store_errmsg(st));
		goto fail;
	}
	*out = a;
	return PL_OK;
fail:
	pl_alerting_close(a);
	return rc;
}

void
pl_alerting_close(pl_alerting *a)
{
	if (a == NULL)
		return;
	if (a->w)
		(void)pl_ts_writer_close(a->w);
	pq_tsdb_free(a->tsdb);
	pl__ruleset_dispose(&a->rs);
	free(a->next);
	free(a->restored);
	free(a);
}

const char *
pl_alerting_errmsg(const pl_alerting *a)
{
	return a->err;
}

int
pl_alerting_has_alert(const pl_alerting *a, const char *name)
{
	return user_defines(&a->rs, name);
}

size_t
pl_alerting_nrules(const pl_alerting *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->rs.n; i++)
		n += a->rs.g[i].n;
	return n;
}

static int64_t
group_iv(const pl_alerting *a, size_t i)
{
	return a->rs.g[i].interval > 0 ? a->rs.g[i].interval : a->interval;
}

int64_t
pl_alerting_next(const pl_alerting *a)
{
	int64_t t = INT64_MAX;

	for (size_t i = 0; i < a->rs.n; i++) {
		/* driven by data: on time alone only half an interval late */
		int64_t n = a->next[i] + (a->data_mode && a->next[i] ?
		    group_iv(a, i) / 2 : 0);

		if (n < t)
			t = n;
	}
	return t;
}

/* ---- restoring `for` state ------------------------------------------- */

static void
restore_group(pl_alerting *a, struct pl_rgroup *g, int64_t ts)
{
	pq_reader rd = { a, a_select, a_release };

	for (size_t i = 0; i < g->n; i++) {
		struct pl_rule *r = &g->rules[i];

		if (!r->alert || r->for_ms < a->grace)
			continue;
		for (size_t j = 0; j < r->nact; j++) {
			struct pl_alert *al = &r->act[j];
			pq_matcher m[al->labels->n + 2];
			pq_series *ss = NULL;
			size_t ns = 0, k = 0;
			char err[256];

			if (al->state == PL_ALERT_INACTIVE)
				continue;
			m[k++] = (pq_matcher){ .type = PQ_MEQ,
			    .name = "__name__", .value = "ALERTS_FOR_STATE" };
			for (size_t l = 0; l < al->labels->n; l++)
				m[k++] = (pq_matcher){ .type = PQ_MEQ,
				    .name = (char *)al->labels->l[l].name,
				    .value = (char *)al->labels->l[l].value };
			/* [ts - outage, ts - 1]: not what this first
			 * evaluation would have written at ts */
			if (rd.select(rd.ctx, m, k, ts - a->outage, ts - 1, &ss,
			    &ns, err, sizeof err) < 0)
				continue;
			for (size_t s = 0; s < ns; s++) {
				const pq_sample *last;
				int64_t down, active, left;

				/* same labels exactly: ALERTS_FOR_STATE plus
				 * the alert's */
				if (ss[s].lb->n != al->labels->n + 1 ||
				    ss[s].n == 0)
					continue;
				last = &ss[s].s[ss[s].n - 1];
				if (pq_is_stale(last->v) || isnan(last->v))
					break;
				down = last->t / 1000 * 1000;
				active = (int64_t)last->v * 1000;
				left = r->for_ms - (down - active);
				if (left <= 0)
					;	/* was firing: the next evaluation
					 * fires it again if still true */
				else if (left < a->grace)
					active = ts + a->grace - r->for_ms;
				else
					active += ts - down;
				al->active_at = active;
				break;
			}
			free(ss);
			a_release(a);
		}
	}
}

/* ---- history and events ------------------------------------------------ */

struct openrow {
	int64_t id;
	char *alertname, *labels, *state;
	double peak;
};

static char *
labels_text(const pq_labels *lb)
{
	struct buf b = BUF_INIT;

	if (pq_labels_str(&b, lb) < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.p ? buf_detach(&b) : strdup("{}");
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : strdup("");
}

static int
event_for(pl_alerting *a, int64_t ts, const char *what,
    const struct pl_rule *r, const char *labels, double v)
{
	char msg[1024], num[64];
	const char *target = NULL;

	snprintf(num, sizeof num, "%.6g", v);
	snprintf(msg, sizeof msg, "%s %s %s value %s", what, r->name, labels,
	    num);
	(void)target;
	return pl_event_append(a->st, ts, "alert", NULL, NULL, 0, msg);
}

/*
 * Brings the open history rows of group g in line with its rules' alerts
 * after an evaluation at ts: a new pending or firing alert opens a row,
 * an alert still active updates it (state, value, peak, annotations), a
 * row whose alert is no longer active is closed as resolved.  Firing and
 * resolving also append an `alert` event.  One transaction.
 */
static int
record_group(pl_alerting *a, struct pl_rgroup *g, int64_t ts)
{
	static const char q_open[] =
	    "SELECT id, alertname, labels, state, peak FROM alert_history "
	    "WHERE end_ms IS NULL AND rule_group = ?1";
	static const char q_ins[] =
	    "INSERT INTO alert_history(alertname, labels, rule_group, state, "
	    "active_ms, fired_ms, value, peak, annotations, updated_ms, expr) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10)";
	static const char q_upd[] =
	    "UPDATE alert_history SET state = ?2, active_ms = ?3, "
	    "fired_ms = coalesce(fired_ms, ?4), value = ?5, peak = ?6, "
	    "annotations = ?7, updated_ms = ?8, expr = ?9 WHERE id = ?1";
	static const char q_close[] =
	    "UPDATE alert_history SET state = 'resolved', end_ms = ?2, "
	    "updated_ms = ?2 WHERE id = ?1";
	struct openrow *rows = NULL;
	size_t nrows = 0, caprows = 0;
	sqlite3_stmt *s;
	int rc;

	if ((rc = pl__begin(a->st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(a->st, q_open)) == NULL) {
		rc = pl_store_errcode(a->st);
		goto fail;
	}
	sqlite3_bind_text(s, 1, g->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nrows == caprows) {
			size_t nc = caprows ? caprows * 2 : 16;
			struct openrow *nr = realloc(rows, nc * sizeof *nr);
			if (!nr) {
				sqlite3_reset(s);
				rc = PL_ENOMEM;
				goto fail;
			}
			rows = nr;
			caprows = nc;
		}
		rows[nrows].id = sqlite3_column_int64(s, 0);
		rows[nrows].alertname = col_dup(s, 1);
		rows[nrows].labels = col_dup(s, 2);
		rows[nrows].state = col_dup(s, 3);
		rows[nrows].peak = sqlite3_column_type(s, 4) == SQLITE_NULL ?
		    NAN : sqlite3_column_double(s, 4);
		nrows++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(a->st, rc, "reading alert history");
		goto fail;
	}
	int *seen = calloc(nrows + 1, sizeof *seen);
	if (!seen) {
		rc = PL_ENOMEM;
		goto fail;
	}
	rc = PL_OK;
	for (size_t i = 0; i < g->n && rc == PL_OK; i++) {
		struct pl_rule *r = &g->rules[i];
		if (!r->alert)
			continue;
		for (size_t j = 0; j < r->nact && rc == PL_OK; j++) {
			struct pl_alert *al = &r->act[j];
			const char *state = al->state == PL_ALERT_FIRING ?
			    "firing" : "pending";
			char *lt, *at;
			struct openrow *row = NULL;

			if (al->state == PL_ALERT_INACTIVE)
				continue;
			lt = labels_text(al->labels);
			at = labels_text(al->annotations);
			if (!lt || !at) {
				free(lt);
				free(at);
				rc = PL_ENOMEM;
				break;
			}
			for (size_t k = 0; k < nrows; k++)
				if (!seen[k] && !strcmp(rows[k].alertname,
				    r->name) && !strcmp(rows[k].labels, lt)) {
					row = &rows[k];
					seen[k] = 1;
					break;
				}
			if (row == NULL) {
				s = pl__stmt(a->st, q_ins);
				if (s) {
					sqlite3_bind_text(s, 1, r->name, -1,
					    SQLITE_STATIC);
					sqlite3_bind_text(s, 2, lt, -1,
					    SQLITE_STATIC);
					sqlite3_bind_text(s, 3, g->name, -1,
					    SQLITE_STATIC);
					sqlite3_bind_text(s, 4, state, -1,
					    SQLITE_STATIC);
					sqlite3_bind_int64(s, 5, al->active_at);
					if (al->state == PL_ALERT_FIRING)
						sqlite3_bind_int64(s, 6,
						    al->fired_at);
					if (!isnan(al->value))
						sqlite3_bind_double(s, 7,
						    al->value);
					sqlite3_bind_text(s, 8, at, -1,
					    SQLITE_STATIC);
					sqlite3_bind_int64(s, 9, ts);
					sqlite3_bind_text(s, 10, r->expr_text,
					    -1, SQLITE_STATIC);
				}
			} else {
				double peak = row->peak;
				if (!isnan(al->value) && (isnan(peak) ||
				    al->value > peak))
					peak = al->value;
				s = pl__stmt(a->st, q_upd);
				if (s) {
					sqlite3_bind_int64(s, 1, row->id);
					sqlite3_bind_text(s, 2, state, -1,
					    SQLITE_STATIC);
					sqlite3_bind_int64(s, 3, al->active_at);
					if (al->state == PL_ALERT_FIRING)
						sqlite3_bind_int64(s, 4,
						    al->fired_at);
					if (!isnan(al->value))
						sqlite3_bind_double(s, 5,
						    al->value);
					if (!isnan(peak))
						sqlite3_bind_double(s, 6, peak);
					sqlite3_bind_text(s, 7, at, -1,
					    SQLITE_STATIC);
					sqlite3_bind_int64(s, 8, ts);
					sqlite3_bind_text(s, 9, r->expr_text,
					    -1, SQLITE_STATIC);
				}
			}
			if (s == NULL)
				rc = pl_store_errcode(a->st);
			else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
				rc = pl__sqlerr(a->st, rc, "recording an alert");
			else
				rc = PL_OK;
			if (s)
				sqlite3_reset(s);
			if (rc == PL_OK && al->state == PL_ALERT_FIRING &&
			    (row == NULL || strcmp(row->state, "firing")))
				rc = event_for(a, ts, "firing", r, lt, al->value);
			free(lt);
			free(at);
		}
	}
	/* rows left: their alert is no longer active */
	for (size_t k = 0; k < nrows && rc == PL_OK; k++) {
		if (seen[k])
			continue;
		if ((s = pl__stmt(a->st, q_close)) == NULL) {
			rc = pl_store_errcode(a->st);
			break;
		}
		sqlite3_bind_int64(s, 1, rows[k].id);
		sqlite3_bind_int64(s, 2, ts);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		rc = rc == SQLITE_DONE ? PL_OK :
		    pl__sqlerr(a->st, rc, "resolving an alert");
		if (rc == PL_OK && !strcmp(rows[k].state, "firing")) {
			char msg[1024];
			snprintf(msg, sizeof msg, "resolved %s %s",
			    rows[k].alertname, rows[k].labels);
			rc = pl_event_append(a->st, ts, "alert", NULL, NULL, 0,
			    msg);
		}
	}
	free(seen);
	if (rc != PL_OK)
		goto fail;
	rc = pl__commit(a->st);
	goto out;
fail:
	pl__rollback(a->st);
out:
	for (size_t k = 0; k < nrows; k++) {
		free(rows[k].alertname);
		free(rows[k].labels);
		free(rows[k].state);
	}
	free(rows);
	return rc;
}

/* ---- evaluation --------------------------------------------------------- */

/* One evaluation of group i at ts: rules, restore, flush, history. */
static int
eval_group(pl_alerting *a, size_t i, int64_t ts)
{
	pq_reader rd = { a, a_select, a_release };
	struct pl_rgroup *g = &a->rs.g[i];
	int rc = PL_OK, nf;

	a->suppress = !a->restored[i];
	nf = pl__group_eval(g, &rd, a_append, a, ts, NULL, NULL);
	a->suppress = 0;
	if (nf > 0) {
		a->failed += (size_t)nf;
		for (size_t j = 0; j < g->n; j++)
			if (g->rules[j].has_err && !a->err[0])
				snprintf(a->err, sizeof a->err,
				    "%s:%d:%d: rule %s: %s",
				    g->rules[j].file, g->rules[j].line,
				    g->rules[j].col, g->rules[j].name,
				    g->rules[j].err);
	}
	if (!a->restored[i]) {
		restore_group(a, g, ts);
		a->restored[i] = 1;
	}
	if (a->dirty) {
		if (pl_ts_flush(a->w) != PL_OK) {
			snprintf(a->err, sizeof a->err, "series store: %s",
			    pl_ts_writer_errmsg(a->w));
			rc = PL_ERROR;
		}
		a->dirty = 0;
	}
	int hr = record_group(a, g, ts);
	if (hr != PL_OK) {
		snprintf(a->err, sizeof a->err, "alert history: %s",
		    pl_store_errmsg(a->st));
		rc = hr;
	}
	return rc;
}

int
pl_alerting_eval(pl_alerting *a, int64_t now_ms)
{
	int rc = PL_OK;

	a->err[0] = '\0';
	a->failed = 0;
	for (size_t i = 0; i < a->rs.n; i++) {
		int64_t iv = group_iv(a, i);
		int r;

		if (a->next[i] > now_ms)
			continue;
		if ((r = eval_group(a, i, now_ms)) != PL_OK)
			rc = r;
		/* next tick on the grid of the interval, never in the past */
		a->next[i] = a->next[i] == 0 ? now_ms + iv : a->next[i] + iv;
		if (a->next[i] <= now_ms)
			a->next[i] = now_ms + iv;
	}
	if (rc == PL_OK && a->failed)
		rc = PL_ERROR;
	return rc;
}

/* How early (ms) fresh samples may trigger a group's evaluation, and
 * how long past its time a group waits for them. */
static int64_t
early_ms(int64_t iv)
{
	return iv / 2 < DATA_EARLY_MS ? iv / 2 : DATA_EARLY_MS;
}

int
pl_alerting_tick(pl_alerting *a, int64_t now_ms, int fresh)
{
	int rc = PL_OK;

	int ran = 0;

	a->data_mode = 1;
	for (size_t i = 0; i < a->rs.n; i++) {
		int64_t iv = group_iv(a, i), ts = now_ms;
		int r;

		if (a->next[i] != 0 && (fresh ?
		    now_ms < a->next[i] - early_ms(iv) :
		    now_ms < a->next[i] + iv / 2))
			continue;
		if (!ran++) {
			/* the failures are those of this evaluation */
			a->err[0] = '\0';
			a->failed = 0;
		}
		/* evaluations at least one interval apart, as on
		 * Prometheus' grid: a round flushed a little early is
		 * evaluated at the group's time (at most DATA_EARLY_MS
		 * ahead), so `for` is not missed by a few ms of jitter */
		if (a->next[i] > ts)
			ts = a->next[i];
		if ((r = eval_group(a, i, ts)) != PL_OK)
			rc = r;
		a->next[i] = ts + iv;
	}
	if (rc == PL_OK && a->failed)
		rc = PL_ERROR;
	return rc;
}

int
pl_alerting_builtin(const pl_alerting *a)
{
	return a->builtin;
}

size_t
pl_alerting_failed(const pl_alerting *a)
{
	return a->failed;
}
