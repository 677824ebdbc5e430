/* query.c - run lists: compile filter and sort to SQL, keep ids, read rows lazily. */
#include "config.h"
#include "query.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "filter.h"
#include "pl_internal.h"

struct pl_runlist {
	pl_store *st;
	int64_t *rids;
	size_t n;
	pl_run_row row;
	struct buf arena;	/* strings of the current row */
};

size_t
pl_store_error_offset(const pl_store *st)
{
	return st->erroff;
}

/* Sort keys compiled: ORDER BY text plus the binds it needs (key names
 * for the LEFT JOINs, numbered from ?1). */
struct sortc {
	struct buf joins;
	struct buf order;
	char **binds;
	int nbinds;
};

static void
sortc_dispose(struct sortc *sc)
{
	buf_free(&sc->joins);
	buf_free(&sc->order);
	for (int i = 0; i < sc->nbinds; i++)
		free(sc->binds[i]);
	free(sc->binds);
}

static int
compile_sort(struct sortc *sc, pl_store *st, const char *spec)
{
	char *copy, *save = NULL, *tok, err[256];
	int rc = PL_OK, j = 0;

	memset(sc, 0, sizeof *sc);
	if (spec == NULL || *spec == '\0')
		spec = "-start_time";
	copy = strdup(spec);
	if (copy == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		char kind, *key;
		int desc;
		void *p;

		if (pl_filter_sort_key(&kind, &key, &desc, tok, err,
		    sizeof err) != PL_OK) {
			rc = pl__err(st, PL_EINVAL, "bad sort key: %s", err);
			break;
		}
		if (sc->order.len)
			buf_puts(&sc->order, ", ");
		if (kind == 'a') {
			/* NULLs (e.g. no end time yet) sort last. */
			buf_printf(&sc->order, "(%s IS NULL), %s %s", key, key,
			    desc ? "DESC" : "ASC");
			free(key);
			continue;
		}
		p = realloc(sc->binds, (size_t)(sc->nbinds + 1) * sizeof(char *));
		if (p == NULL) {
			free(key);
			rc = pl__err(st, PL_ENOMEM, "out of memory");
			break;
		}
		sc->binds = p;
		sc->binds[sc->nbinds++] = key;
		buf_printf(&sc->joins, " LEFT JOIN %s j%d ON j%d.run_id = r.rid "
		    "AND j%d.key_id = (SELECT id FROM keys WHERE name = ?%d)",
		    kind == 'm' ? "metric_summary" : kind == 'p' ? "params" :
		    "tags", j, j, j, sc->nbinds);
		if (kind == 'm')
			buf_printf(&sc->order, "(j%d.last IS NULL), j%d.last %s",
			    j, j, desc ? "DESC" : "ASC");
		else
			buf_printf(&sc->order, "(j%d.value IS NULL), "
			    "j%d.value %s", j, j, desc ? "DESC" : "ASC");
		j++;
	}
	free(copy);
	if (rc == PL_OK && (buf_puts(&sc->order, ", r.start_ms DESC, "
	    "r.rid DESC") < 0))
		rc = pl__err(st, PL_ENOMEM, "out of memory");
	return rc;
}

int
pl_runs_query(pl_runlist **out, pl_store *st, const pl_query *q)
{
	static const pl_query none;
	struct sortc sc;
	pl_filter f;
	struct buf sql = BUF_INIT;
	pl_runlist *l = NULL;
	sqlite3_stmt *s = NULL;
	char err[512];
	size_t col = 0, cap = 0;
	int rc, next;

	*out = NULL;
	pl__clear_err(st);
	memset(&f, 0, sizeof f);
	if (q == NULL)
		q = &none;
	if ((rc = compile_sort(&sc, st, q->sort)) != PL_OK) {
		sortc_dispose(&sc);
		return rc;
	}
	next = sc.nbinds + 1;
	buf_printf(&sql, "SELECT r.rid FROM runs r%s WHERE 1",
	    buf_str(&sc.joins));
	if (q->experiment)
		buf_printf(&sql, " AND r.experiment_id = (SELECT id FROM "
		    "experiments WHERE name = ?%d)", next++);
	if (q->filter && *q->filter) {
		rc = pl_filter_compile(&f, q->filter, next, err, sizeof err,
		    &col);
		if (rc != PL_OK) {
			pl__err(st, rc, "%s", err);
			st->erroff = col;
			goto done;
		}
		buf_printf(&sql, " AND %s", buf_str(&f.sql));
		next += (int)f.nbinds;
	}
	buf_printf(&sql, " ORDER BY %s", buf_str(&sc.order));
	if (q->limit > 0)
		buf_printf(&sql, " LIMIT ?%d", next);
	if (sql.p == NULL) {
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto done;
	}
	rc = sqlite3_prepare_v2(st->db, sql.p, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		rc = pl__sqlerr(st, rc, "preparing the run query");
		goto done;
	}
	next = 1;
	for (int i = 0; i < sc.nbinds; i++)
		sqlite3_bind_text(s, next++, sc.binds[i], -1, SQLITE_STATIC);
	if (q->experiment)
		sqlite3_bind_text(s, next++, q->experiment, -1, SQLITE_STATIC);
	for (size_t i = 0; i < f.nbinds; i++, next++) {
		if (f.binds[i].is_text)
			sqlite3_bind_text(s, next, f.binds[i].text, -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_double(s, next, f.binds[i].num);
	}
	if (q->limit > 0)
		sqlite3_bind_int64(s, next, q->limit);
	l = calloc(1, sizeof *l);
	if (l == NULL) {
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto done;
	}
	l->st = st;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (l->n == cap) {
			void *p;

			cap = cap ? cap * 2 : 256;
			p = realloc(l->rids, cap * sizeof *l->rids);
			if (p == NULL) {
				rc = pl__err(st, PL_ENOMEM, "out of memory");
				goto done;
			}
			l->rids = p;
		}
		l->rids[l->n++] = sqlite3_column_int64(s, 0);
	}
	if (rc != SQLITE_DONE) {
		rc = pl__sqlerr(st, rc, "listing runs");
		goto done;
	}
	rc = PL_OK;
	if (q->experiment && l->n == 0) {
		/* Tell "no such experiment" from "no matching run". */
		static const char chk[] =
		    "SELECT 1 FROM experiments WHERE name = ?1";
		sqlite3_stmt *c = pl__stmt(st, chk);

		if (c) {
			sqlite3_bind_text(c, 1, q->experiment, -1,
			    SQLITE_STATIC);
			if (sqlite3_step(c) != SQLITE_ROW)
				rc = pl__err(st, PL_ENOTFOUND,
				    "no experiment named '%s'", q->experiment);
			sqlite3_reset(c);
		}
	}
done:
	sqlite3_finalize(s);
	buf_free(&sql);
	pl_filter_dispose(&f);
	sortc_dispose(&sc);
	if (rc != PL_OK) {
		pl_runlist_free(l);
		return rc;
	}
	*out = l;
	return PL_OK;
}

size_t
pl_runlist_count(const pl_runlist *l)
{
	return l->n;
}

void
pl_runlist_free(pl_runlist *l)
{
	if (l == NULL)
		return;
	free(l->rids);
	buf_free(&l->arena);
	free(l);
}

/* Copies a text column into the row arena; returns its offset + 1, or 0
 * for NULL (offsets, because the arena may move while growing). */
static size_t
keep(pl_runlist *l, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t off = l->arena.len;

	if (t == NULL)
		return 0;
	if (buf_add(&l->arena, t, strlen((const char *)t) + 1) < 0)
		return 0;
	return off + 1;
}

int
pl_runlist_row(const pl_run_row **out, pl_runlist *l, size_t i)
{
	static const char sql[] =
	    "SELECT r.id, e.name, r.name, r.status, r.user, r.host, "
	    "r.start_ms, r.end_ms, r.exit_status, r.git_commit, r.git_dirty "
	    "FROM runs r JOIN experiments e ON e.id = r.experiment_id "
	    "WHERE r.rid = ?1";
	pl_store *st = l->st;
	pl_run_row *r = &l->row;
	size_t o[5];
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if (i >= l->n)
		return pl__err(st, PL_EINVAL, "row %zu is past the end", i);
	if ((s = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, l->rids[i]);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return pl__err(st, PL_ENOTFOUND, "run was deleted");
		return pl__sqlerr(st, rc, "reading a run");
	}
	buf_clear(&l->arena);
	memset(r, 0, sizeof *r);
	snprintf(r->id, sizeof r->id, "%s", sqlite3_column_text(s, 0));
	o[0] = keep(l, s, 1);
	o[1] = keep(l, s, 2);
	pl_run_status_parse(&r->status, (const char *)sqlite3_column_text(s, 3));
	o[2] = keep(l, s, 4);
	o[3] = keep(l, s, 5);
	r->start_ms = sqlite3_column_int64(s, 6);
	r->end_ms = sqlite3_column_int64(s, 7);
	r->has_exit_status = sqlite3_column_type(s, 8) != SQLITE_NULL;
	r->exit_status = sqlite3_column_int(s, 8);
	o[4] = keep(l, s, 9);
	r->git_dirty = sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, 10);
	sqlite3_reset(s);
	r->experiment = o[0] ? l->arena.p + o[0] - 1 : "";
	r->name = o[1] ? l->arena.p + o[1] - 1 : NULL;
	r->user = o[2] ? l->arena.p + o[2] - 1 : NULL;
	r->host = o[3] ? l->arena.p + o[3] - 1 : NULL;
	r->git_commit = o[4] ? l->arena.p + o[4] - 1 : NULL;
	*out = r;
	return PL_OK;
}

static int
kv_value(char **out, pl_runlist *l, size_t i, const char *key,
    const char *sql)
{
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if (i >= l->n)
		return pl__err(l->st, PL_EINVAL, "row %zu is past the end", i);
	if ((s = pl__stmt(l->st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, l->rids[i]);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__sqlerr(l->st, rc, "reading a value");
	return PL_OK;
}

int
pl_runlist_param(char **out, pl_runlist *l, size_t i, const char *key)
{
	return kv_value(out, l, i, key, "SELECT value FROM params WHERE "
	    "run_id = ?1 AND key_id = (SELECT id FROM keys WHERE name = ?2)");
}

int
pl_runlist_tag(char **out, pl_runlist *l, size_t i, const char *key)
{
	return kv_value(out, l, i, key, "SELECT value FROM tags WHERE "
	    "run_id = ?1 AND key_id = (SELECT id FROM keys WHERE name = ?2)");
}

int
pl_runlist_metric(double *out, int *has, pl_runlist *l, size_t i,
    const char *key)
{
	static const char sql[] = "SELECT last FROM metric_summary WHERE "
	    "run_id = ?1 AND key_id = (SELECT id FROM keys WHERE name = ?2)";
	sqlite3_stmt *s;
	int rc;

	*has = 0;
	*out = NAN;
	if (i >= l->n)
		return pl__err(l->st, PL_EINVAL, "row %zu is past the end", i);
	if ((s = pl__stmt(l->st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_int64(s, 1, l->rids[i]);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*has = 1;
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			*out = sqlite3_column_double(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__sqlerr(l->st, rc, "reading a metric");
	return PL_OK;
}

static int
cmp_kv(const void *a, const void *b)
{
	const struct pl_kv *x = a, *y = b;
	/* "metric" sorts before "param": metric columns come first. */
	int c = strcmp(x->value, y->value);

	return c ? c : strcmp(x->key, y->key);
}

int
pl_runlist_keys(pl_kvlist **out, pl_runlist *l, size_t n)
{
	static const char sm[] = "SELECT DISTINCT k.name FROM metric_summary m "
	    "JOIN keys k ON k.id = m.key_id WHERE m.run_id = ?1";
	static const char sp[] = "SELECT DISTINCT k.name FROM params p "
	    "JOIN keys k ON k.id = p.key_id WHERE p.run_id = ?1";
	pl_kvlist *kl = calloc(1, sizeof *kl);
	size_t cap = 0;
	int rc = PL_OK;

	*out = NULL;
	if (kl == NULL)
		return pl__err(l->st, PL_ENOMEM, "out of memory");
	if (n > l->n)
		n = l->n;
	for (int pass = 0; pass < 2; pass++) {
		const char *kind = pass == 0 ? "metric" : "param";

		for (size_t i = 0; i < n; i++) {
			sqlite3_stmt *s = pl__stmt(l->st, pass ? sp : sm);

			if (s == NULL) {
				rc = PL_ERROR;
				goto done;
			}
			sqlite3_bind_int64(s, 1, l->rids[i]);
			while (sqlite3_step(s) == SQLITE_ROW) {
				const char *name =
				    (const char *)sqlite3_column_text(s, 0);
				size_t k;

				for (k = 0; k < kl->n; k++)
					if (strcmp(kl->items[k].value, kind) ==
					    0 && strcmp(kl->items[k].key, name)
					    == 0)
						break;
				if (k < kl->n)
					continue;
				if (kl->n == cap) {
					void *p;

					cap = cap ? cap * 2 : 16;
					p = realloc(kl->items,
					    cap * sizeof *kl->items);
					if (p == NULL) {
						sqlite3_reset(s);
						rc = pl__err(l->st, PL_ENOMEM,
						    "out of memory");
						goto done;
					}
					kl->items = p;
				}
				kl->items[kl->n].key = strdup(name);
				kl->items[kl->n].value = strdup(kind);
				kl->n++;
			}
			sqlite3_reset(s);
		}
	}
	qsort(kl->items, kl->n, sizeof *kl->items, cmp_kv);
done:
	if (rc != PL_OK) {
		pl_kvlist_free(kl);
		return rc;
	}
	*out = kl;
	return PL_OK;
}
