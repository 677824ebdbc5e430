/* audit.c - the append-only audit log: appending entries and reading them back. */
#include "config.h"
#include "store/audit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/internal.h"
#include "vec.h"

/* First word of an SSH_CLIENT/SSH_CONNECTION value, if it looks like an
 * address (hex digits, '.', ':', '%' and letters for zone ids only). */
static void
ssh_addr(char *out, size_t n, const char *env)
{
	size_t i = 0;

	out[0] = '\0';
	if (env == NULL)
		return;
	while (*env == ' ')
		env++;
	for (; env[i] && env[i] != ' ' && i + 1 < n; i++) {
		unsigned char c = (unsigned char)env[i];

		if (!isalnum(c) && c != '.' && c != ':' && c != '%') {
			out[0] = '\0';
			return;
		}
		out[i] = (char)c;
	}
	out[i] = '\0';
}

void
pl_actor_current(pl_actor *out)
{
	const char *e;

	memset(out, 0, sizeof *out);
	snprintf(out->user, sizeof out->user, "%s", pl__username());
	snprintf(out->host, sizeof out->host, "%s", pl__hostname());
	out->uid = (long)getuid();
	out->pid = (long)getpid();
	if ((e = getenv("SSH_CLIENT")) != NULL && *e)
		ssh_addr(out->ssh_client, sizeof out->ssh_client, e);
	if (out->ssh_client[0] == '\0' &&
	    (e = getenv("SSH_CONNECTION")) != NULL && *e)
		ssh_addr(out->ssh_client, sizeof out->ssh_client, e);
}

/* Copies s into out (n bytes), control characters as '?': an actor's
 * name comes from outside (a token file, a socket address). */
static void
copy_clean(char *out, size_t n, const char *s)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	out[i] = '\0';
}

void
pl_store_set_actor(pl_store *st, const char *user, const char *client_addr)
{
	copy_clean(st->actor_user, sizeof st->actor_user, user);
	copy_clean(st->actor_host, sizeof st->actor_host, client_addr);
}

const char *
pl__actor_user(const pl_store *st)
{
	return st->actor_user[0] ? st->actor_user : pl__username();
}

void
pl_store_actor(const pl_store *st, pl_actor *out)
{
	pl_actor_current(out);
	if (st->actor_user[0]) {
		snprintf(out->user, sizeof out->user, "%s", st->actor_user);
		out->uid = -1;
	}
	if (st->actor_host[0])
		snprintf(out->host, sizeof out->host, "%s", st->actor_host);
}

int
pl_audit_append(pl_store *st, const char *action, const char *object,
    const char *detail)
{
	static const char ins[] =
	    "INSERT INTO audit(time_ms, user, uid, host, ssh_client, pid, "
	    "action, object, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	int own = sqlite3_get_autocommit(st->db) != 0;
	sqlite3_stmt *s;
	pl_actor a;
	int rc;

	if (action == NULL || *action == '\0')
		return pl__err(st, PL_EINVAL, "an audit entry needs an action");
	pl_store_actor(st, &a);
	if (own && (rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, ins)) == NULL) {
		rc = PL_ERROR;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, pl__now_ms());
	sqlite3_bind_text(s, 2, a.user, -1, SQLITE_TRANSIENT);
	if (a.uid >= 0)
		sqlite3_bind_int64(s, 3, a.uid);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_text(s, 4, a.host, -1, SQLITE_TRANSIENT);
	if (a.ssh_client[0])
		sqlite3_bind_text(s, 5, a.ssh_client, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, a.pid);
	sqlite3_bind_text(s, 7, action, -1, SQLITE_STATIC);
	if (object)
		sqlite3_bind_text(s, 8, object, -1, SQLITE_STATIC);
	if (detail)
		sqlite3_bind_text(s, 9, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "appending to the audit log");
		goto fail;
	}
	if (own)
		return pl__commit(st);
	return PL_OK;
fail:
	if (own)
		pl__rollback(st);
	return rc;
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

void
pl_audit_list_free(pl_audit_entry *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].user);
		free(e[i].host);
		free(e[i].ssh_client);
		free(e[i].action);
		free(e[i].object);
		free(e[i].detail);
	}
	free(e);
}

/* Steps s to its end, collecting the rows (the columns of pl_audit_list's
 * select) in *out; resets s. */
static int
collect(pl_audit_entry **out, size_t *out_n, pl_store *st, sqlite3_stmt *s)
{
	pl_audit_entry *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pl_audit_entry *e;

		if (vec_grow(&v, &cap, n, sizeof *v, 64) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		e = &v[n++];
		memset(e, 0, sizeof *e);
		e->id = sqlite3_column_int64(s, 0);
		e->time_ms = sqlite3_column_int64(s, 1);
		e->user = col_dup(s, 2);
		e->uid = sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 :
		    (long)sqlite3_column_int64(s, 3);
		e->host = col_dup(s, 4);
		e->ssh_client = col_dup(s, 5);
		e->pid = (long)sqlite3_column_int64(s, 6);
		e->action = col_dup(s, 7);
		e->object = col_dup(s, 8);
		e->detail = col_dup(s, 9);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		pl_audit_list_free(v, n);
		if (rc == SQLITE_NOMEM)
			return pl__err(st, PL_ENOMEM, "out of memory");
		return pl__sqlerr(st, rc, "reading the audit log");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

int
pl_audit_list(pl_audit_entry **out, size_t *out_n, pl_store *st,
    const pl_audit_query *q)
{
	/* The newest `limit` matching rows, then back in id order. */
	static const char sel[] =
	    "SELECT * FROM (SELECT id, time_ms, user, uid, host, ssh_client, "
	    "pid, action, object, detail FROM audit WHERE "
	    "(?1 IS NULL OR action = ?1 OR substr(action, 1, length(?1) + 1) "
	    "  = ?1 || '.') AND "
	    "(?2 IS NULL OR object = ?2 OR substr(object, 1, length(?2) + 1) "
	    "  = ?2 || '@') AND "
	    "time_ms >= ?3 ORDER BY id DESC LIMIT ?4) ORDER BY id";
	sqlite3_stmt *s;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	if (q && q->action)
		sqlite3_bind_text(s, 1, q->action, -1, SQLITE_STATIC);
	if (q && q->object)
		sqlite3_bind_text(s, 2, q->object, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, q ? q->since_ms : 0);
	sqlite3_bind_int64(s, 4, q && q->limit > 0 ? q->limit : -1);
	return collect(out, out_n, st, s);
}

/*
 * Intent without outcome: a deploy is recorded as model.deploy.intent
 * ("target T, stage S: starting (pid P start J)") before its command runs
 * and as model.deploy ("target T, stage S: ...") by the same process
 * once it is known.  An intent no outcome follows, whose process is gone,
 * is a deploy that may or may not have happened (kill -9 mid-promote).
 */
int
pl_audit_unfinished(pl_audit_entry **out, size_t *out_n, pl_store *st)
{
	static const char sel[] =
	    "SELECT id, time_ms, user, uid, host, ssh_client, pid, action, "
	    "object, detail FROM audit i WHERE action = 'model.deploy.intent' "
	    "AND NOT EXISTS (SELECT 1 FROM audit o WHERE o.id > i.id AND "
	    "o.action = 'model.deploy' AND o.pid = i.pid AND "
	    "o.host IS i.host AND o.object IS i.object AND "
	    "substr(o.detail, 1, instr(i.detail, ': starting')) = "
	    "substr(i.detail, 1, instr(i.detail, ': starting'))) ORDER BY id";
	pl_audit_entry *v = NULL;
	size_t n = 0, k = 0;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	if ((rc = collect(&v, &n, st, s)) != PL_OK)
		return rc;
	/* still in progress: the same process (pid and start time) on this
	 * host is alive */
	for (size_t i = 0; i < n; i++) {
		const char *p = v[i].detail ? strstr(v[i].detail, " start ") :
		    NULL;
		long long start = p ? strtoll(p + 7, NULL, 10) : -1;
		int live = v[i].host && strcmp(v[i].host, pl__hostname()) == 0
		    && start >= 0 && pl__proc_start(v[i].pid) == start;

		if (live) {
			free(v[i].user);
			free(v[i].host);
			free(v[i].ssh_client);
			free(v[i].action);
			free(v[i].object);
			free(v[i].detail);
			continue;
		}
		v[k++] = v[i];
	}
	*out = v;
	*out_n = k;
	if (k == 0) {
		free(v);
		*out = NULL;
	}
	return PL_OK;
}
