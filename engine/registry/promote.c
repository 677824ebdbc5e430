/* promote.c - promotion and rollback of model versions: claims, gates, deploy, health check, record. */
#include "config.h"
#include "registry/deploy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/audit.h"
#include "buf.h"
#include "data/cache.h"
#include "registry/checks.h"
#include "store/internal.h"
#include "store/progress.h"
#include "registry/internal.h"
#include "store/events.h"

/* A claim by another host counts as abandoned after this long (ms). */
#define CLAIM_STALE_MS (6LL * 3600 * 1000)

/* ---- promotion: claims, deploy, record ---- */

void
pl_promote_result_free(pl_promote_result *r)
{
	if (r == NULL)
		return;
	free(r->model);
	pl_check_report_free(r->gates);
	free(r->detail);
	free(r);
}

struct claim {
	char token[40];
	int64_t mid;
};

/*
 * In one IMMEDIATE transaction: refuses when another live process holds
 * the model's claim, re-checks that `stage` is still held by
 * expect_holder and that `version` is still in expect_vstage, and
 * takes the claim.
 */
static int
claim_model(pl_store *st, struct claim *c, const char *name,
    pl_model_stage stage, int expect_holder, int version, int expect_vstage,
    const char *what)
{
	static const char sel[] = "SELECT op_token, op_pid, op_pid_start, "
	    "op_host, op_user, op_ms, op_what FROM models WHERE id = ?1";
	static const char vstage[] = "SELECT stage FROM model_versions WHERE "
	    "model_id = ?1 AND version = ?2 AND deleted_ms IS NULL";
	static const char upd[] = "UPDATE models SET op_token = ?2, "
	    "op_pid = ?3, op_pid_start = ?4, op_host = ?5, op_user = ?6, "
	    "op_ms = ?7, op_what = ?8 WHERE id = ?1";
	sqlite3_stmt *s;
	int rc, holder = 0, cur = -1;
	unsigned char rnd[16];
	FILE *f;

	if ((f = fopen("/dev/urandom", "rb")) == NULL ||
	    fread(rnd, 1, sizeof rnd, f) != sizeof rnd) {
		if (f)
			fclose(f);
		return pl__err(st, PL_EIO, "no randomness for a claim token");
	}
	fclose(f);
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(c->token + 2 * i, 3, "%02x", rnd[i]);
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((rc = pl__reg_model_id(st, name, &c->mid)) != PL_OK)
		goto fail;
	if ((s = pl__stmt(st, sel)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, c->mid);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL) {
		long pid = (long)sqlite3_column_int64(s, 1);
		int64_t pstart = sqlite3_column_int64(s, 2);
		const char *host = (const char *)sqlite3_column_text(s, 3);
		const char *user = (const char *)sqlite3_column_text(s, 4);
		int64_t since = sqlite3_column_int64(s, 5);
		const char *owhat = (const char *)sqlite3_column_text(s, 6);
		int alive;

		if (host && !strcmp(host, pl__hostname()))
			alive = pl__proc_start(pid) == pstart;
		else
			alive = pl__now_ms() - since < CLAIM_STALE_MS;
		if (alive) {
			rc = pl__err(st, PL_EBUSY, "another %s of model %s is "
			    "in progress (by %s@%s, pid %ld, %llds ago); "
			    "nothing changed: try again when it is done",
			    owhat ? owhat : "promotion", name,
			    user ? user : "?", host ? host : "?", pid,
			    (long long)((pl__now_ms() - since) / 1000));
			sqlite3_reset(s);
			goto fail;
		}
	}
	sqlite3_reset(s);
	if (stage == PL_MODEL_STAGING || stage == PL_MODEL_PRODUCTION) {
		if ((rc = pl__reg_holder_of(st, c->mid, stage, &holder)) != PL_OK)
			goto fail;
		if (holder != expect_holder) {
			rc = pl__err(st, PL_EBUSY, "%s of model %s changed "
			    "while this %s was being prepared (now %s%d); "
			    "nothing changed: run it again to evaluate the "
			    "gates against the new state",
			    pl_model_stage_name(stage), name, what,
			    holder ? "v" : "", holder);
			goto fail;
		}
	}
	if ((s = pl__stmt(st, vstage)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, c->mid);
	sqlite3_bind_int(s, 2, version);
	if (sqlite3_step(s) == SQLITE_ROW)
		cur = pl__reg_stage_from_text(sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (cur != expect_vstage) {
		rc = pl__err(st, PL_EBUSY, "%s v%d moved to %s while this %s "
		    "was being prepared; nothing changed", name, version,
		    cur >= 0 ? pl_model_stage_name((pl_model_stage)cur) : "?", what);
		goto fail;
	}
	if ((s = pl__stmt(st, upd)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, c->mid);
	sqlite3_bind_text(s, 2, c->token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, (int64_t)getpid());
	sqlite3_bind_int64(s, 4, pl__proc_start((long)getpid()));
	sqlite3_bind_text(s, 5, pl__hostname(), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, pl__username(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, pl__now_ms());
	sqlite3_bind_text(s, 8, what, -1, SQLITE_STATIC);
	if ((rc = pl__reg_exec_done(st, s, "claiming the model")) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	if (rc == PL_OK)
		rc = PL_ERROR;
	pl__rollback(st);
	return rc;
}

/* Inside a transaction: checks the claim is still ours and drops it. */
static int
release_claim(pl_store *st, const struct claim *c)
{
	static const char upd[] = "UPDATE models SET op_token = NULL, "
	    "op_pid = NULL, op_pid_start = NULL, op_host = NULL, "
	    "op_user = NULL, op_ms = NULL, op_what = NULL WHERE id = ?1 AND "
	    "op_token = ?2";
	sqlite3_stmt *s = pl__stmt(st, upd);
	int rc;

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, c->mid);
	sqlite3_bind_text(s, 2, c->token, -1, SQLITE_TRANSIENT);
	if ((rc = pl__reg_exec_done(st, s, "releasing the model")) != PL_OK)
		return rc;
	if (sqlite3_changes(st->db) != 1)
		return pl__err(st, PL_EBUSY, "the claim on the model was taken "
		    "over by another process");
	return PL_OK;
}

/* Drops the claim in a transaction of its own (error paths). */
static void
abandon_claim(pl_store *st, const struct claim *c)
{
	char keep[sizeof st->errmsg];

	memcpy(keep, st->errmsg, sizeof keep);
	if (pl__begin(st) == PL_OK) {
		if (release_claim(st, c) == PL_OK)
			pl__commit(st);
		else
			pl__rollback(st);
	}
	memcpy(st->errmsg, keep, sizeof keep);
}

static int
set_stage(pl_store *st, int64_t mid, int version, pl_model_stage stage)
{
	static const char upd[] = "UPDATE model_versions SET stage = ?3 "
	    "WHERE model_id = ?1 AND version = ?2";
	sqlite3_stmt *s = pl__stmt(st, upd);

	if (s == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_int(s, 2, version);
	sqlite3_bind_text(s, 3, pl_model_stage_name(stage), -1, SQLITE_STATIC);
	return pl__reg_exec_done(st, s, "changing a version's stage");
}

static void
event(const pl_promote_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
event(const pl_promote_opts *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (o->io.on_event == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->io.on_event(msg, o->io.payload);
}

/* One deploy command run, for the audit log. */
struct deploy_log {
	char target[128];
	int version;
	int ok;
	char message[512];
};

struct plan {
	const pl_promote_opts *o;
	const char *kind;		/* "promote" or "rollback" */
	pl_model_stage to;
	int version, from_stage, holder;
	struct deploy_log runs[64];
	int nruns;
	char log_path[4096];
};

/* Path of the object of name@version (malloc'ed). */
static char *
object_of(pl_store *st, const char *name, int version)
{
	pl_model_version *v = NULL;
	char *p = NULL;

	if (pl_model_get(&v, st, name, version) == PL_OK && v->object_path)
		p = strdup(v->object_path);
	pl_model_version_free(v);
	return p;
}

static int
deploy_one(pl_store *st, struct plan *p, const pl_deploy_target *t,
    int version, const char *obj, pl_deploy_outcome *out)
{
	pl_deploy_io io = p->o->io;
	int rc;

	io.log_path = p->log_path[0] ? p->log_path : NULL;
	event(p->o, "deploying %s v%d to %s (%s)", p->o->name, version,
	    t->name, pl_model_stage_name(p->to));
	{
		/* intent before acting, outcome after (the model.deploy entry
		 * carry_out writes): a kill -9 between the two leaves an
		 * intent that pl_audit_unfinished() and fsck explain */
		char iobj[160], d[400];

		snprintf(iobj, sizeof iobj, "%s@%d", p->o->name, version);
		snprintf(d, sizeof d, "target %s, stage %s: starting (pid %ld "
		    "start %lld)", t->name, pl_model_stage_name(p->to),
		    (long)getpid(), (long long)pl__proc_start((long)getpid()));
		if ((rc = pl_audit_append(st, "model.deploy.intent", iobj,
		    d)) != PL_OK)
			return rc;
	}
	rc = pl_deploy_run(out, t, p->o->cfg ? p->o->cfg->dir : NULL,
	    p->o->name, version, obj, pl_model_stage_name(p->to), &io);
	if (rc != PL_OK)
		return pl__err(st, rc, "out of memory");
	event(p->o, "%s: %s", t->name, out->message);
	if (p->nruns < (int)(sizeof p->runs / sizeof p->runs[0])) {
		struct deploy_log *d = &p->runs[p->nruns++];

		snprintf(d->target, sizeof d->target, "%s", t->name);
		d->version = version;
		d->ok = out->ok;
		snprintf(d->message, sizeof d->message, "%s", out->message);
	}
	return PL_OK;
}

/*
 * Runs every deploy target of (model, p->to) for p->version; on a
 * failure redeploys p->holder (when there is one) to the targets already
 * touched.  *ok says whether the new version is deployed; detail
 * describes what happened.
 */
static int
run_targets(pl_store *st, struct plan *p, int *ok, int *ntargets,
    struct buf *detail)
{
	const pl_config *cfg = p->o->cfg;
	char *obj = NULL, *oldobj = NULL;
	size_t i, failed_at = 0;
	pl_deploy_outcome out;
	int rc = PL_OK;

	*ok = 1;
	*ntargets = 0;
	for (i = 0; cfg && i < cfg->ntargets; i++) {
		const pl_deploy_target *t = &cfg->targets[i];

		if (t->stage != (int)p->to ||
		    (t->model && strcmp(t->model, p->o->name)))
			continue;
		if (obj == NULL &&
		    (obj = object_of(st, p->o->name, p->version)) == NULL)
			return PL_ERROR;
		(*ntargets)++;
		if ((rc = deploy_one(st, p, t, p->version, obj, &out)) !=
		    PL_OK)
			goto out;
		buf_printf(detail, "%s%s: %s", detail->len ? "; " : "",
		    t->name, out.message);
		if (!out.ok) {
			*ok = 0;
			failed_at = i;
			break;
		}
	}
	if (*ok || p->holder <= 0) {
		if (!*ok)
			buf_printf(detail, "; no previous version of %s to "
			    "redeploy", pl_model_stage_name(p->to));
		goto out;
	}
	/* Put the previous holder back on every target touched. */
	if ((oldobj = object_of(st, p->o->name, p->holder)) == NULL) {
		rc = PL_ERROR;
		goto out;
	}
	for (i = 0; i <= failed_at; i++) {
		const pl_deploy_target *t = &cfg->targets[i];

		if (t->stage != (int)p->to ||
		    (t->model && strcmp(t->model, p->o->name)))
			continue;
		event(p->o, "restoring %s v%d on %s", p->o->name, p->holder,
		    t->name);
		if ((rc = deploy_one(st, p, t, p->holder, oldobj, &out)) !=
		    PL_OK)
			goto out;
		buf_printf(detail, "; redeployed v%d to %s: %s", p->holder,
		    t->name, out.ok ? "ok" : out.message);
	}
out:
	free(obj);
	free(oldobj);
	return rc;
}

/* The common path of promote and rollback once the gates are known. */
static int
carry_out(pl_promote_result *res, pl_store *st, struct plan *p)
{
	const pl_promote_opts *o = p->o;
	struct buf detail = BUF_INIT;
	struct claim c;
	char obj[160];
	int ok = 1, rc, ntargets = 0;
	int64_t tid = 0;

	memset(&c, 0, sizeof c);
	if ((rc = claim_model(st, &c, o->name, p->to, p->holder, p->version,
	    p->from_stage, p->kind)) != PL_OK)
		return rc;
	{
		char dir[3800];

		snprintf(dir, sizeof dir, "%s/deploys", pl_store_dir(st));
		if (strlen(dir) < sizeof dir - 1 && pl__mkdirs(dir, 0777) == 0)
			snprintf(p->log_path, sizeof p->log_path,
			    "%s/%.100s-v%d-%lld.log", dir, o->name, p->version,
			    (long long)pl__now_ms());
	}
	if ((rc = run_targets(st, p, &ok, &ntargets, &detail)) != PL_OK) {
		abandon_claim(st, &c);
		buf_free(&detail);
		return rc;
	}
	res->ntargets = ntargets;
	if (ntargets == 0)
		buf_puts(&detail, "no deploy target for this stage");
	else if (p->log_path[0])
		buf_printf(&detail, " (log: %s)", p->log_path);
	/* Record: one transaction for state, history and audit. */
	if ((rc = pl__begin(st)) != PL_OK)
		goto abandon;
	if ((rc = release_claim(st, &c)) != PL_OK)
		goto fail;
	if (ok) {
		if (p->holder > 0 && p->holder != p->version &&
		    (rc = set_stage(st, c.mid, p->holder,
		    PL_MODEL_ARCHIVED)) != PL_OK)
			goto fail;
		if ((rc = set_stage(st, c.mid, p->version, p->to)) != PL_OK)
			goto fail;
	}
	{
		size_t ng = res->gates ? res->gates->n : 0;
		pl_gate_record *g = ng ? calloc(ng, sizeof *g) : NULL;

		if (ng && g == NULL) {
			rc = pl__err(st, PL_ENOMEM, "out of memory");
			goto fail;
		}
		/* The registry records gate results as plain rows; it
		 * knows nothing of checks.  The strings stay the report's. */
		for (size_t i = 0; i < ng; i++) {
			const pl_check_item *it = &res->gates->items[i];

			g[i].check = it->check;
			g[i].gate = it->name;
			g[i].status = (char *)pl_check_status_name(it->status);
			g[i].has_value = it->has_value;
			g[i].value = it->value;
			g[i].has_bound = it->has_bound;
			g[i].bound = it->bound;
			g[i].message = it->message;
		}
		struct trans t = { .mid = c.mid, .version = p->version,
		    .kind = p->kind,
		    .from = pl_model_stage_name((pl_model_stage)p->from_stage),
		    .to = pl_model_stage_name(p->to), .status = ok ? "ok" : "failed",
		    .replaced = p->holder != p->version ? p->holder : 0,
		    .forced = res->forced, .reason = o->reason,
		    .detail = buf_str(&detail), .gates = g, .ngates = ng };

		rc = pl__reg_insert_transition(st, &t, &tid);
		free(g);
		if (rc != PL_OK)
			goto fail;
	}
	snprintf(obj, sizeof obj, "%s@%d", o->name, p->version);
	for (int i = 0; i < p->nruns; i++) {
		char d[800], dobj[160];

		snprintf(dobj, sizeof dobj, "%s@%d", o->name,
		    p->runs[i].version);
		snprintf(d, sizeof d, "target %s, stage %s: %s%s",
		    p->runs[i].target, pl_model_stage_name(p->to),
		    p->runs[i].ok ? "" : "failed: ", p->runs[i].message);
		if ((rc = pl_audit_append(st, "model.deploy", dobj, d)) !=
		    PL_OK)
			goto fail;
		/* the monitoring timeline marks it too (same transaction) */
		if ((rc = pl_event_append(st, 0, "deploy", p->runs[i].target,
		    o->name, p->runs[i].version, d)) != PL_OK)
			goto fail;
	}
	if (res->forced) {
		struct buf g = BUF_INIT;

		buf_printf(&g, "gates forced to %s, reason: %s; failed:",
		    pl_model_stage_name(p->to), o->reason ? o->reason : "");
		for (size_t i = 0; i < res->gates->n; i++)
			if (res->gates->items[i].status == PL_CHECK_FAIL ||
			    res->gates->items[i].status == PL_CHECK_ERROR)
				buf_printf(&g, " [%s: %s]",
				    res->gates->items[i].name,
				    res->gates->items[i].message);
		rc = pl_audit_append(st, "model.gates.forced", obj, buf_str(&g));
		buf_free(&g);
		if (rc != PL_OK)
			goto fail;
	}
	{
		char action[64], repl[48] = "";
		char *d = NULL;

		snprintf(action, sizeof action, "model.%s%s", p->kind,
		    ok ? "" : ".failed");
		if (p->holder > 0 && p->holder != p->version)
			snprintf(repl, sizeof repl, " (replacing v%d)",
			    p->holder);
		if (asprintf(&d, "%s -> %s%s; %s%s%s",
		    pl_model_stage_name((pl_model_stage)p->from_stage),
		    pl_model_stage_name(p->to), repl, buf_str(&detail),
		    o->reason ? "; reason: " : "",
		    o->reason ? o->reason : "") < 0) {
			rc = pl__err(st, PL_ENOMEM, "out of memory");
			goto fail;
		}
		rc = pl_audit_append(st, action, obj, d);
		if (rc == PL_OK && ok)
			rc = pl_event_append(st, 0, p->kind, NULL, o->name,
			    p->version, d);
		free(d);
		if (rc != PL_OK)
			goto fail;
	}
	if ((rc = pl__commit(st)) != PL_OK)
		goto abandon;
	res->outcome = ok ? PL_PROMOTE_DONE : PL_PROMOTE_FAILED;
	res->transition_id = tid;
	free(res->detail);
	res->detail = buf_detach(&detail);
	buf_free(&detail);
	return res->detail ? PL_OK : pl__err(st, PL_ENOMEM, "out of memory");
fail:
	pl__rollback(st);
abandon:
	abandon_claim(st, &c);
	buf_free(&detail);
	return rc == PL_OK ? PL_ERROR : rc;
}

static pl_promote_result *
result_new(const char *name)
{
	pl_promote_result *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->model = strdup(name);
	r->gates = pl_check_report_new();
	r->detail = strdup("");
	if (!r->model || !r->gates || !r->detail) {
		pl_promote_result_free(r);
		return NULL;
	}
	return r;
}

static int
promote_impl(pl_promote_result **out, pl_store *st,
    const pl_promote_opts *o)
{
	pl_model_version *v = NULL;
	pl_promote_result *res = NULL;
	struct plan p;
	char err[512];
	int rc, holder = 0;

	*out = NULL;
	pl__clear_err(st);
	if (o->to < PL_MODEL_NONE || o->to > PL_MODEL_ARCHIVED)
		return pl__err(st, PL_EINVAL, "no such stage");
	if ((rc = pl_model_get(&v, st, o->name, o->version)) != PL_OK)
		return rc;
	if (v->stage == o->to) {
		rc = pl__err(st, PL_EINVAL, "%s v%d is already in %s",
		    o->name, o->version, pl_model_stage_name(o->to));
		goto out;
	}
	if (o->force && (o->reason == NULL || *o->reason == '\0')) {
		rc = pl__err(st, PL_EINVAL, "forcing past failed gates needs a "
		    "reason (--reason TEXT)");
		goto out;
	}
	if ((res = result_new(o->name)) == NULL) {
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto out;
	}
	res->version = o->version;
	res->from = v->stage;
	res->to = o->to;
	if ((o->to == PL_MODEL_STAGING || o->to == PL_MODEL_PRODUCTION) &&
	    (rc = pl_model_stage_holder(&holder, st, o->name, o->to)) != PL_OK)
		goto out;
	res->replaced_version = holder;
	if (o->to == PL_MODEL_STAGING || o->to == PL_MODEL_PRODUCTION) {
		pl_check_report_free(res->gates);
		res->gates = NULL;
		rc = pl_check_promotion(&res->gates, st, o->cfg, o->name,
		    o->version, o->to, err, sizeof err);
		if (rc != PL_OK) {
			pl__err(st, rc, "%s", err);
			goto out;
		}
		if (pl_check_report_failed(res->gates)) {
			if (!o->force) {
				res->outcome = PL_PROMOTE_REJECTED;
				free(res->detail);
				res->detail = strdup("a gate failed: nothing "
				    "changed");
				*out = res;
				res = NULL;
				rc = PL_OK;
				goto out;
			}
			res->forced = 1;
		}
	}
	memset(&p, 0, sizeof p);
	p.o = o;
	p.kind = "promote";
	p.to = o->to;
	p.version = o->version;
	p.from_stage = (int)v->stage;
	p.holder = holder;
	if ((rc = carry_out(res, st, &p)) != PL_OK)
		goto out;
	*out = res;
	res = NULL;
out:
	pl_model_version_free(v);
	pl_promote_result_free(res);
	return rc;
}

static int
rollback_impl(pl_promote_result **out, pl_store *st,
    const pl_promote_opts *o)
{
	static const char prev[] = "SELECT replaced_version FROM "
	    "model_transitions WHERE model_id = ?1 AND version = ?2 AND "
	    "to_stage = ?3 AND kind = 'promote' AND status = 'ok' ORDER BY "
	    "id DESC LIMIT 1";
	pl_model_stage stage = o->to == PL_MODEL_NONE ? PL_MODEL_PRODUCTION : o->to;
	pl_promote_result *res = NULL;
	pl_model_version *v = NULL;
	struct plan p;
	int64_t mid;
	int rc, holder = 0, target = 0;
	sqlite3_stmt *s;

	*out = NULL;
	pl__clear_err(st);
	if (stage != PL_MODEL_STAGING && stage != PL_MODEL_PRODUCTION)
		return pl__err(st, PL_EINVAL, "only staging and production can "
		    "be rolled back (not %s)", pl_model_stage_name(stage));
	if ((rc = pl__reg_model_id(st, o->name, &mid)) != PL_OK ||
	    (rc = pl__reg_holder_of(st, mid, stage, &holder)) != PL_OK)
		return rc;
	if (holder == 0)
		return pl__err(st, PL_ENOTFOUND, "no version of %s is in %s: "
		    "nothing to roll back", o->name, pl_model_stage_name(stage));
	if ((s = pl__stmt(st, prev)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_int(s, 2, holder);
	sqlite3_bind_text(s, 3, pl_model_stage_name(stage), -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		target = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (target <= 0)
		return pl__err(st, PL_ENOTFOUND, "%s v%d did not replace an "
		    "earlier version in %s: nothing to roll back to", o->name,
		    holder, pl_model_stage_name(stage));
	if ((rc = pl_model_get(&v, st, o->name, target)) != PL_OK)
		return rc;
	if ((res = result_new(o->name)) == NULL) {
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto out;
	}
	res->version = target;
	res->from = v->stage;
	res->to = stage;
	res->replaced_version = holder;
	memset(&p, 0, sizeof p);
	p.o = o;
	p.kind = "rollback";
	p.to = stage;
	p.version = target;
	p.from_stage = (int)v->stage;
	p.holder = holder;
	if ((rc = carry_out(res, st, &p)) != PL_OK)
		goto out;
	*out = res;
	res = NULL;
out:
	pl_model_version_free(v);
	pl_promote_result_free(res);
	return rc;
}

/* ---- progress in the store (progress.h) ------------------------------- */

/*
 * A promotion or rollback is a job: its event lines and the deploy
 * commands' output lines go into the store as they come (the caller's
 * own callbacks still get them), the gates become steps, and the end
 * records the outcome.  Best effort: a failure to record never changes
 * the outcome.
 */
struct job_io {
	pl_store *st;
	int64_t job;
	const pl_deploy_io *orig;
	int nout;		/* output lines recorded (capped) */
	char part[512];		/* an output line not yet ended */
	size_t plen;
};

#define JOB_MAX_OUTPUT_LINES 2000

static void
job_on_event(const char *msg, void *payload)
{
	struct job_io *j = payload;

	(void)pl_job_event(j->st, j->job, msg);
	if (j->orig->on_event)
		j->orig->on_event(msg, j->orig->payload);
}

static void
job_flush_line(struct job_io *j)
{
	if (j->plen == 0)
		return;
	j->part[j->plen] = '\0';
	if (j->nout++ < JOB_MAX_OUTPUT_LINES)
		(void)pl_job_event(j->st, j->job, j->part);
	j->plen = 0;
}

static void
job_on_output(int stream, const char *data, size_t n, void *payload)
{
	struct job_io *j = payload;

	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n' || j->plen + 1 >= sizeof j->part)
			job_flush_line(j);
		if (data[i] != '\n')
			j->part[j->plen++] = data[i];
	}
	if (j->orig->on_output)
		j->orig->on_output(stream, data, n, j->orig->payload);
}

static int
as_job(pl_promote_result **out, pl_store *st, const pl_promote_opts *o,
    const char *kind)
{
	struct job_io j;
	pl_promote_opts o2 = *o;
	int rc;

	memset(&j, 0, sizeof j);
	j.st = st;
	j.orig = &o->io;
	if (pl_job_begin(&j.job, st, kind, o->name) != PL_OK) {
		pl__clear_err(st);
		j.job = 0;
	}
	if (j.job > 0) {
		o2.io.on_event = job_on_event;
		o2.io.on_output = job_on_output;
		o2.io.payload = &j;
	}
	rc = strcmp(kind, "promote") == 0 ? promote_impl(out, st, &o2) :
	    rollback_impl(out, st, &o2);
	if (j.job > 0) {
		char msg[1024];
		const pl_promote_result *r = *out;

		job_flush_line(&j);
		if (rc != PL_OK) {
			snprintf(msg, sizeof msg, "%s", pl_store_errmsg(st));
			(void)pl_job_event(st, j.job, msg);
			(void)pl_job_end(st, j.job, "failed", msg);
		} else {
			for (size_t i = 0; r->gates && i < r->gates->n; i++) {
				const pl_check_item *it = &r->gates->items[i];
				char name[600];

				snprintf(name, sizeof name, "%s: %s", it->check,
				    it->name);
				(void)pl_job_set_step(st, j.job, name,
				    it->status == PL_CHECK_PASS ? "passed" :
				    pl_check_status_name(it->status), NULL,
				    it->message);
			}
			snprintf(msg, sizeof msg, "%s v%d %s %s: %s", r->model,
			    r->version, r->outcome == PL_PROMOTE_DONE ?
			    "now in" : r->outcome == PL_PROMOTE_REJECTED ?
			    "rejected for" : "failed to reach",
			    pl_model_stage_name(r->to), r->detail);
			(void)pl_job_event(st, j.job, msg);
			(void)pl_job_end(st, j.job, r->outcome ==
			    PL_PROMOTE_DONE ? "done" : "failed", msg);
		}
	}
	return rc;
}

int
pl_model_promote(pl_promote_result **out, pl_store *st,
    const pl_promote_opts *o)
{
	return as_job(out, st, o, "promote");
}

int
pl_model_rollback(pl_promote_result **out, pl_store *st,
    const pl_promote_opts *o)
{
	return as_job(out, st, o, "rollback");
}
