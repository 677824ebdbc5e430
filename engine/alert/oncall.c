/* oncall.c - the on-call side of alerting: active alerts and history from the store, acknowledgements, Alertmanager-style silences. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "alert/alert.h"
#include "alert/heartbeat.h"
#include "alert/promql.h"
#include "monitor/tsdb.h"
#include "store/audit.h"
#include "store/error.h"
#include "store/internal.h"

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

static int64_t
col_i64(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(s, i);
}

static double
col_dbl(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN :
	    sqlite3_column_double(s, i);
}

void
pl_alert_rows_free(pl_alert_row *r, size_t n)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].alertname);
		free(r[i].labels);
		free(r[i].group);
		free(r[i].state);
		free(r[i].annotations);
		free(r[i].ack_user);
		free(r[i].ack_host);
		free(r[i].ack_ssh);
		free(r[i].ack_comment);
		free(r[i].silenced_by);
	}
	free(r);
}

#define ROW_COLS "id, alertname, labels, rule_group, state, active_ms, " \
	"fired_ms, end_ms, value, peak, annotations, ack_ms, ack_user, " \
	"ack_host, ack_ssh, ack_comment"

static int
read_rows(pl_alert_row **out, size_t *out_n, pl_store *st, sqlite3_stmt *s)
{
	pl_alert_row *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			pl_alert_row *nv = realloc(v, nc * sizeof *nv);
			if (!nv) {
				sqlite3_reset(s);
				pl_alert_rows_free(v, n);
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
			v = nv;
			cap = nc;
		}
		pl_alert_row *r = &v[n++];
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(s, 0);
		r->alertname = col_dup(s, 1);
		r->labels = col_dup(s, 2);
		r->group = col_dup(s, 3);
		r->state = col_dup(s, 4);
		r->active_ms = col_i64(s, 5);
		r->fired_ms = col_i64(s, 6);
		r->end_ms = col_i64(s, 7);
		r->value = col_dbl(s, 8);
		r->peak = col_dbl(s, 9);
		r->annotations = col_dup(s, 10);
		r->ack_ms = col_i64(s, 11);
		r->ack_user = col_dup(s, 12);
		r->ack_host = col_dup(s, 13);
		r->ack_ssh = col_dup(s, 14);
		r->ack_comment = col_dup(s, 15);
		if (!r->alertname || !r->labels || !r->group || !r->state ||
		    !r->annotations) {
			sqlite3_reset(s);
			pl_alert_rows_free(v, n);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_alert_rows_free(v, n);
		return pl__sqlerr(st, rc, "reading alert history");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

int
pl_alerts_active(pl_alert_row **out, size_t *out_n, pl_store *st,
    int64_t now_ms)
{
	static const char sql[] = "SELECT " ROW_COLS " FROM alert_history "
	    "WHERE end_ms IS NULL ORDER BY active_ms, id";
	sqlite3_stmt *s;
	pl_silence *sil = NULL;
	size_t nsil = 0;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	if ((rc = read_rows(out, out_n, st, s)) != PL_OK)
		return rc;
	{
		/* the watcher's own absence (heartbeat.c), in time order */
		pl_alert_row w, *v;

		rc = pl__watcher_alert(&w, st, now_ms);
		if (rc == PL_OK) {
			if ((v = realloc(*out, (*out_n + 1) * sizeof *v)) ==
			    NULL) {
				free(w.alertname);
				free(w.labels);
				free(w.group);
				free(w.state);
				free(w.annotations);
				pl_alert_rows_free(*out, *out_n);
				*out = NULL;
				*out_n = 0;
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
			size_t at = *out_n;
			while (at > 0 && v[at - 1].active_ms > w.active_ms)
				at--;
			memmove(&v[at + 1], &v[at], (*out_n - at) * sizeof *v);
			v[at] = w;
			*out = v;
			(*out_n)++;
		} else if (rc != PL_ENOTFOUND) {
			pl_alert_rows_free(*out, *out_n);
			*out = NULL;
			*out_n = 0;
			return rc;
		}
	}
	if ((rc = pl_silence_list(&sil, &nsil, st, now_ms, 0)) != PL_OK) {
		pl_alert_rows_free(*out, *out_n);
		*out = NULL;
		*out_n = 0;
		return rc;
	}
	for (size_t i = 0; i < *out_n; i++)
		for (size_t j = 0; j < nsil; j++)
			if (sil[j].starts_ms <= now_ms &&
			    pl_silence_matches(sil[j].matchers,
			    (*out)[i].labels) == 1) {
				(*out)[i].silenced_by = strdup(sil[j].id);
				break;
			}
	pl_silences_free(sil, nsil);
	return PL_OK;
}

int
pl_alerts_history(pl_alert_row **out, size_t *out_n, pl_store *st,
    int64_t since_ms)
{
	static const char sql[] = "SELECT " ROW_COLS " FROM alert_history "
	    "WHERE end_ms IS NULL OR end_ms >= ?1 ORDER BY active_ms, id";
	sqlite3_stmt *s;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int64(s, 1, since_ms);
	return read_rows(out, out_n, st, s);
}

int
pl_alerts_ack(size_t *out_n, pl_store *st, const char *alertname,
    const char *comment, int64_t now_ms)
{
	static const char sql[] =
	    "UPDATE alert_history SET ack_ms = ?2, ack_user = ?3, "
	    "ack_host = ?4, ack_ssh = ?5, ack_comment = ?6 "
	    "WHERE end_ms IS NULL AND alertname = ?1";
	sqlite3_stmt *s;
	pl_actor a;
	int rc;

	*out_n = 0;
	pl_store_actor(st, &a);
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, sql)) == NULL) {
		rc = pl_store_errcode(st);
		goto fail;
	}
	sqlite3_bind_text(s, 1, alertname, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now_ms);
	sqlite3_bind_text(s, 3, a.user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, a.host, -1, SQLITE_TRANSIENT);
	if (a.ssh_client[0])
		sqlite3_bind_text(s, 5, a.ssh_client, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, comment ? comment : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "acknowledging");
		goto fail;
	}
	*out_n = (size_t)sqlite3_changes(st->db);
	if (*out_n == 0) {
		rc = pl__err(st, PL_ENOTFOUND, "no active alert named '%s'",
		    alertname);
		goto fail;
	}
	if ((rc = pl_audit_append(st, "alert.ack", alertname, comment)) !=
	    PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

/* ---- silences ----------------------------------------------------------- */

void
pl_silences_free(pl_silence *s, size_t n)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(s[i].id);
		free(s[i].matchers);
		free(s[i].created_by);
		free(s[i].comment);
	}
	free(s);
}

static const char *const opnames[] = { "=", "!=", "=~", "!~" };

/*
 * One amtool-style matcher: NAME OP VALUE, the value possibly in double
 * or single quotes.  Appends it to b in PromQL's form (NAME OP "VALUE").
 */
static int
parse_one(struct buf *b, pl_store *st, const char *text, int *empty_ok)
{
	const char *p = text, *v;
	size_t nlen, vlen;
	char name[256], *val;
	int op;
	pq_matcher m;
	char err[256];

	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	nlen = (size_t)(p - text);
	if (nlen == 0 || nlen >= sizeof name || isdigit((unsigned char)*text))
		return pl__err(st, PL_EINVAL, "matcher '%s': expected a label "
		    "name, then = != =~ or !~, then a value", text);
	memcpy(name, text, nlen);
	name[nlen] = '\0';
	if (p[0] == '=' && p[1] == '~')
		op = PQ_MRE, p += 2;
	else if (p[0] == '!' && p[1] == '~')
		op = PQ_MNRE, p += 2;
	else if (p[0] == '!' && p[1] == '=')
		op = PQ_MNE, p += 2;
	else if (p[0] == '=')
		op = PQ_MEQ, p += 1;
	else
		return pl__err(st, PL_EINVAL, "matcher '%s': expected = != =~ "
		    "or !~ after '%s'", text, name);
	v = p;
	vlen = strlen(v);
	if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
		v++;
		vlen -= 2;
	}
	if ((val = strndup(v, vlen)) == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	memset(&m, 0, sizeof m);
	m.type = (enum pq_mtype)op;
	m.name = name;
	m.value = val;
	if ((op == PQ_MRE || op == PQ_MNRE) &&
	    pq_matcher_compile(&m, err, sizeof err) < 0) {
		free(val);
		return pl__err(st, PL_EINVAL, "matcher '%s': bad regex: %s",
		    text, err);
	}
	*empty_ok = pq_matcher_matches(&m, "");
	if (m.has_re)
		regfree(&m.re);
	if (b->len && buf_puts(b, ", ") < 0)
		goto oom;
	if (buf_printf(b, "%s%s", name, opnames[op]) < 0 ||
	    pq_go_quote(b, val) < 0)
		goto oom;
	free(val);
	return PL_OK;
oom:
	free(val);
	return pl__err(st, PL_ENOMEM, "out of memory");
}

static void
new_id(char out[37])
{
	unsigned char r[16];
	FILE *f = fopen("/dev/urandom", "rb");

	if (!f || fread(r, 1, sizeof r, f) != sizeof r) {
		for (size_t i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(rand() ^ (pl__now_ms() >> (i % 8)));
	}
	if (f)
		fclose(f);
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);	/* UUID v4, as
							 * Alertmanager */
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

int
pl_silence_add(char **out_id, pl_store *st, const char *const *matchers,
    size_t n, int64_t starts_ms, int64_t ends_ms, const char *comment)
{
	static const char sql[] =
	    "INSERT INTO silences(id, matchers, starts_ms, ends_ms, "
	    "created_by, comment, created_ms, updated_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
	struct buf b = BUF_INIT, who = BUF_INIT;
	char id[37];
	int all_empty = 1, rc;
	sqlite3_stmt *s;
	pl_actor a;

	*out_id = NULL;
	if (n == 0)
		return pl__err(st, PL_EINVAL, "a silence needs at least one "
		    "matcher");
	if (ends_ms <= starts_ms)
		return pl__err(st, PL_EINVAL, "a silence must end after it "
		    "starts");
	if (comment == NULL || !comment[0])
		return pl__err(st, PL_EINVAL, "a silence needs a comment");
	for (size_t i = 0; i < n; i++) {
		int empty_ok = 0;
		if ((rc = parse_one(&b, st, matchers[i], &empty_ok)) != PL_OK) {
			buf_free(&b);
			return rc;
		}
		if (!empty_ok)
			all_empty = 0;
	}
	if (all_empty) {
		buf_free(&b);
		return pl__err(st, PL_EINVAL, "at least one matcher must not "
		    "match the empty string (a silence of everything)");
	}
	struct buf t = BUF_INIT;
	if (buf_printf(&t, "{%s}", b.p) < 0) {
		buf_free(&b);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	buf_free(&b);
	pl_store_actor(st, &a);
	if (buf_printf(&who, "%s@%s", a.user, a.host) < 0 ||
	    (a.ssh_client[0] && buf_printf(&who, " via %s", a.ssh_client) < 0)) {
		buf_free(&t);
		buf_free(&who);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	new_id(id);
	if ((rc = pl__begin(st)) != PL_OK)
		goto out;
	if ((s = pl__stmt(st, sql)) == NULL) {
		rc = pl_store_errcode(st);
		pl__rollback(st);
		goto out;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, t.p, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, starts_ms);
	sqlite3_bind_int64(s, 4, ends_ms);
	sqlite3_bind_text(s, 5, who.p, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, comment, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, pl__now_ms());
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "adding a silence");
		pl__rollback(st);
		goto out;
	}
	{
		char detail[1024];
		snprintf(detail, sizeof detail, "%s: %s", t.p, comment);
		if ((rc = pl_audit_append(st, "silence.add", id, detail)) !=
		    PL_OK) {
			pl__rollback(st);
			goto out;
		}
	}
	if ((rc = pl__commit(st)) == PL_OK &&
	    (*out_id = strdup(id)) == NULL)
		rc = pl__err(st, PL_ENOMEM, "out of memory");
out:
	buf_free(&t);
	buf_free(&who);
	return rc;
}

int
pl_silence_list(pl_silence **out, size_t *out_n, pl_store *st, int64_t now_ms,
    int all)
{
	static const char sql[] =
	    "SELECT id, matchers, starts_ms, ends_ms, created_ms, created_by, "
	    "comment FROM silences WHERE ?1 OR ends_ms > ?2 "
	    "ORDER BY created_ms DESC, id";
	pl_silence *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((s = pl__stmt(st, sql)) == NULL)
		return pl_store_errcode(st);
	sqlite3_bind_int(s, 1, all != 0);
	sqlite3_bind_int64(s, 2, now_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			pl_silence *nv = realloc(v, nc * sizeof *nv);
			if (!nv) {
				sqlite3_reset(s);
				pl_silences_free(v, n);
				return pl__err(st, PL_ENOMEM, "out of memory");
			}
			v = nv;
			cap = nc;
		}
		pl_silence *x = &v[n++];
		x->id = col_dup(s, 0);
		x->matchers = col_dup(s, 1);
		x->starts_ms = sqlite3_column_int64(s, 2);
		x->ends_ms = sqlite3_column_int64(s, 3);
		x->created_ms = sqlite3_column_int64(s, 4);
		x->created_by = col_dup(s, 5);
		x->comment = col_dup(s, 6);
		if (!x->id || !x->matchers || !x->created_by || !x->comment) {
			sqlite3_reset(s);
			pl_silences_free(v, n);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		pl_silences_free(v, n);
		return pl__sqlerr(st, rc, "reading silences");
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}

int
pl_silence_expire(pl_store *st, const char *id, int64_t now_ms)
{
	static const char q_find[] =
	    "SELECT id, ends_ms FROM silences WHERE substr(id, 1, ?2) = ?1";
	static const char q_upd[] =
	    "UPDATE silences SET ends_ms = ?2, updated_ms = ?2 WHERE id = ?1";
	sqlite3_stmt *s;
	char full[64] = "";
	int64_t ends = 0;
	int n = 0, rc;

	if (id == NULL || strlen(id) < 4)
		return pl__err(st, PL_EINVAL, "a silence id (at least 4 "
		    "characters of it) is needed");
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if ((s = pl__stmt(st, q_find)) == NULL) {
		rc = pl_store_errcode(st);
		goto fail;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)strlen(id));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(full, sizeof full, "%s", sqlite3_column_text(s, 0));
		ends = sqlite3_column_int64(s, 1);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "reading silences");
		goto fail;
	}
	if (n == 0) {
		rc = pl__err(st, PL_ENOTFOUND, "no silence '%s'", id);
		goto fail;
	}
	if (n > 1) {
		rc = pl__err(st, PL_EINVAL, "'%s' names %d silences: give more "
		    "of the id", id, n);
		goto fail;
	}
	if (ends <= now_ms) {
		rc = pl__err(st, PL_EINVAL, "silence %s has already expired",
		    full);
		goto fail;
	}
	if ((s = pl__stmt(st, q_upd)) == NULL) {
		rc = pl_store_errcode(st);
		goto fail;
	}
	sqlite3_bind_text(s, 1, full, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now_ms);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "expiring a silence");
		goto fail;
	}
	if ((rc = pl_audit_append(st, "silence.expire", full, NULL)) != PL_OK)
		goto fail;
	return pl__commit(st);
fail:
	pl__rollback(st);
	return rc;
}

int
pl_silence_matches(const char *matchers, const char *labels)
{
	pl_matcher *pm = NULL;
	size_t npm = 0, eoff;
	pq_labels *lb = NULL;
	char err[256];
	int col, ok = 1;

	if (pl_ts_selector_parse(&pm, &npm, matchers, err, sizeof err,
	    &eoff) != PL_OK)
		return -1;
	if (pq_parse_metric(&lb, labels, &col, err, sizeof err) < 0) {
		free(pm);
		return -1;
	}
	for (size_t i = 0; i < npm && ok; i++) {
		pq_matcher m;
		const char *v = pq_labels_get(lb, pm[i].name);

		memset(&m, 0, sizeof m);
		m.type = pm[i].op == PL_MATCH_EQ ? PQ_MEQ :
		    pm[i].op == PL_MATCH_NE ? PQ_MNE :
		    pm[i].op == PL_MATCH_RE ? PQ_MRE : PQ_MNRE;
		m.name = (char *)pm[i].name;
		m.value = (char *)pm[i].value;
		if ((m.type == PQ_MRE || m.type == PQ_MNRE) &&
		    pq_matcher_compile(&m, err, sizeof err) < 0) {
			ok = -1;
			break;
		}
		ok = pq_matcher_matches(&m, v ? v : "");
		if (m.has_re)
			regfree(&m.re);
	}
	free(pm);
	pq_labels_unref(lb);
	return ok;
}
