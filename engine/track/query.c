/* query.c - run lists: compile filter and sort to SQL, keep ids, read rows lazily. */
#include "config.h"
#include "track/query.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "track/filter.h"
#include "store/internal.h"
#include "vec.h"

/*
 * Rows are read in windows: asking for a row outside the current window
 * loads WINDOW rows from there with a few IN (...) queries (the rows, then
 * all their params, tags and metric summaries), so listing thousands of
 * runs with a dozen value columns costs a few queries per window instead
 * of one per cell.  A screen that shows rows i..i+50 loads one window.
 */
#define WINDOW 512
/* A new list's first window is smaller: a list sorted by a value holds
 * runs scattered over the whole table, each a cold page or three, and
 * the first screen needs about 50 of them.  Each later window doubles,
 * up to WINDOW, so scrolling keeps its few queries per 512 rows. */
#define FIRST_WINDOW 64

struct wrow {			/* one cached row; strings are arena offsets */
	pl_run_row row;
	size_t off[5];		/* experiment, name, user, host, commit (+1) */
	size_t kv0, nkv;	/* its entries in kv[] */
};

struct wkv {
	size_t row;		/* index in the window */
	char kind;		/* 'p', 't', 'm' */
	int64_t kid;		/* key id */
	size_t val_off;		/* arena offset + 1 of a text value */
	double num;
};

struct pl_runlist {
	pl_store *st;
	int64_t *rids;
	size_t n;
	size_t win_from, win_n;	/* cached rows [win_from, win_from+win_n) */
	size_t win_size;	/* rows the next window loads (0: first) */
	int win_values;		/* the window's params/tags/metrics loaded */
	struct wrow *w;
	struct wkv *kv;
	size_t nkv, kvcap;
	struct buf arena;	/* the window's row strings */
	struct buf varena;	/* its text values: loading values later
				 * must not move the row strings */
	/* Key names already looked up, and their ids (-1: no such key):
	 * columns ask for the same few keys row after row, and every
	 * statement costs file-lock system calls. */
	struct {
		char *name;
		int64_t kid;
	} keys[64];
	int nkeys, next_key;
	/* pl_runlist_want(): JSON arrays of the key ids to read per kind. */
	int wanting;
	struct buf want_p, want_t, want_m;
};

size_t
pl_store_error_offset(const pl_store *st)
{
	return st->erroff;
}

/*
 * Sort keys compiled: ORDER BY text plus the binds it needs (key names
 * for the LEFT JOINs, numbered from ?1).  When the first key is a metric,
 * param or tag, the query runs in two parts so that SQLite can walk the
 * (key_id, value) index in order and stop at the limit instead of sorting
 * every run: part A lists the runs that have the value, through an inner
 * join; part B the runs without it, after them (missing values sort last
 * either way).  first_* hold that first key's pieces.
 */
struct sortc {
	struct buf joins;	/* LEFT JOINs of keys 2..n */
	struct buf order;	/* ORDER BY of keys 2..n and tie-breakers */
	char **binds;
	int nbinds;
	char first_kind;	/* 'a': one plain query; 'm', 'p', 't': a
				 * value (join j0); 'n': a nullable attribute */
	struct buf first_join;	/* "metric_summary j0 ON ..." (no JOIN word) */
	struct buf first_col;	/* "j0.last" */
	int first_desc;
	struct buf first_attr;	/* ORDER BY of a leading attribute key */
	/* The first key is the experiment's name: one query per experiment,
	 * in name order, each walking runs_experiment (see pl_runs_query);
	 * the name of each run's experiment, looked up per row, sorted all
	 * 100k runs for every screen (450 ms). */
	int by_exp, exp_desc;
};

static void
sortc_dispose(struct sortc *sc)
{
	buf_free(&sc->joins);
	buf_free(&sc->order);
	buf_free(&sc->first_join);
	buf_free(&sc->first_col);
	buf_free(&sc->first_attr);
	for (int i = 0; i < sc->nbinds; i++)
		free(sc->binds[i]);
	free(sc->binds);
}

/* How filter.c's experiment attribute begins. */
#define EXP_NAME_SQL "(SELECT e.name FROM experiments e "

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
		int desc, first = sc->first_kind == 0;
		void *p;

		if (pl_filter_sort_key(&kind, &key, &desc, tok, err,
		    sizeof err) != PL_OK) {
			rc = pl__err(st, PL_EINVAL, "bad sort key: %s", err);
			break;
		}
		if (first)
			sc->first_kind = kind;
		if (kind == 'a' && first && strncmp(key, EXP_NAME_SQL,
		    sizeof EXP_NAME_SQL - 1) == 0) {
			sc->by_exp = 1;
			sc->exp_desc = desc;
			free(key);
			continue;
		}
		if (kind == 'a' && first && strcmp(key, "r.start_ms") != 0 &&
		    strcmp(key, "r.id") != 0 && strcmp(key, "r.status") != 0) {
			/* A leading attribute that may be NULL (end time,
			 * duration, exit status while running, ...) splits
			 * like a metric: the runs that have it in index order
			 * (runs_duration, ...), then the rest. */
			sc->first_kind = 'n';
			buf_puts(&sc->first_col, key);
			sc->first_desc = desc;
			free(key);
			continue;
		}
		if (kind == 'a') {
			/* NULLs (e.g. no end time yet) sort last.  start_ms,
			 * id and status are NOT NULL: without the IS NULL
			 * term an index gives the order (runs_start,
			 * runs_status, id's own), and the first screen of the
			 * listing reads 50 rows, not all of them. */
			struct buf *o = first ? &sc->first_attr : &sc->order;

			if (o->len)
				buf_puts(o, ", ");
			if (strcmp(key, "r.start_ms") == 0 ||
			    strcmp(key, "r.id") == 0 ||
			    strcmp(key, "r.status") == 0)
				buf_printf(o, "%s %s", key, desc ? "DESC" : "ASC");
			else
				buf_printf(o, "(%s IS NULL), %s %s", key, key,
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
		if (first) {
			buf_printf(&sc->first_join, "%s j0 ON j0.run_id = r.rid "
			    "AND j0.key_id = (SELECT id FROM keys WHERE name = "
			    "?%d)", kind == 'm' ? "metric_summary" :
			    kind == 'p' ? "params" : "tags", sc->nbinds);
			buf_puts(&sc->first_col, kind == 'm' ? "j0.last" :
			    "j0.value");
			sc->first_desc = desc;
			j++;
			continue;
		}
		buf_printf(&sc->joins, " LEFT JOIN %s j%d ON j%d.run_id = r.rid "
		    "AND j%d.key_id = (SELECT id FROM keys WHERE name = ?%d)",
		    kind == 'm' ? "metric_summary" : kind == 'p' ? "params" :
		    "tags", j, j, j, sc->nbinds);
		if (sc->order.len)
			buf_puts(&sc->order, ", ");
		buf_printf(&sc->order, "(j%d.%s IS NULL), j%d.%s %s", j,
		    kind == 'm' ? "last" : "value", j,
		    kind == 'm' ? "last" : "value", desc ? "DESC" : "ASC");
		j++;
	}
	free(copy);
	if (rc == PL_OK && (buf_printf(&sc->order, "%sr.start_ms DESC, "
	    "r.rid DESC", sc->order.len ? ", " : "") < 0))
		rc = pl__err(st, PL_ENOMEM, "out of memory");
	return rc;
}

/* Appends the rows of one prepared query to l->rids. */
static int
collect(pl_runlist *l, pl_store *st, sqlite3_stmt *s, size_t *cap)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (vec_grow(&l->rids, &*cap, l->n, sizeof *l->rids, 256) < 0)
			return pl__err(st, PL_ENOMEM, "out of memory");
		l->rids[l->n++] = sqlite3_column_int64(s, 0);
	}
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "listing runs");
	return PL_OK;
}

/*
 * Builds one query: part 0 is the plain query (leading attribute key),
 * part 1 the runs having the leading value, part 2 the runs lacking it.
 */
static int
build(struct buf *sql, const struct sortc *sc, const pl_query *q,
    const pl_filter *f, int part, int filter_base, int64_t exp_id)
{
	int next = filter_base + (int)f->nbinds;

	buf_clear(sql);
	buf_printf(sql, "SELECT r.rid FROM runs r%s%s%s",
	    part == 0 || sc->first_join.len == 0 ? "" :
	    part == 1 ? " JOIN " : " LEFT JOIN ",
	    part ? buf_str(&sc->first_join) : "", buf_str(&sc->joins));
	buf_puts(sql, " WHERE 1");
	if (part == 1)
		buf_printf(sql, " AND %s IS NOT NULL", buf_str(&sc->first_col));
	if (part == 2)
		buf_printf(sql, " AND %s IS NULL", buf_str(&sc->first_col));
	if (part == 3)	/* a row id of ours, not user text */
		buf_printf(sql, " AND r.experiment_id = %lld",
		    (long long)exp_id);
	if (q->experiment)
		buf_printf(sql, " AND r.experiment_id = (SELECT id FROM "
		    "experiments WHERE name = ?%d)", filter_base - 1);
	if (q->n_experiment_ids) {
		/* Ids are numbers the caller holds, not user text: printed. */
		buf_puts(sql, " AND r.experiment_id IN (");
		for (size_t i = 0; i < q->n_experiment_ids; i++)
			buf_printf(sql, "%s%lld", i ? "," : "",
			    (long long)q->experiment_ids[i]);
		buf_puts(sql, ")");
	}
	/* Deleted runs are few and have a partial index of their own: the
	 * set of their row ids is read once, and the sort's covering
	 * indexes (migration 14) still answer without reading the table,
	 * which "r.deleted_ms IS NULL" would, for each of 100k rows. */
	if (q->view == PL_VIEW_ACTIVE)
		buf_puts(sql, " AND r.rid NOT IN (SELECT rid FROM runs "
		    "WHERE deleted_ms IS NOT NULL)");
	else if (q->view == PL_VIEW_DELETED)
		buf_puts(sql, " AND r.deleted_ms IS NOT NULL");
	if (f->sql.len)
		buf_printf(sql, " AND %s", buf_str(&f->sql));
	buf_puts(sql, " ORDER BY ");
	if (part == 1)
		buf_printf(sql, "%s %s, ", buf_str(&sc->first_col),
		    sc->first_desc ? "DESC" : "ASC");
	else if (part == 0 && sc->first_attr.len)
		buf_printf(sql, "%s, ", buf_str(&sc->first_attr));
	buf_puts(sql, buf_str(&sc->order));
	if (q->limit > 0)
		buf_printf(sql, " LIMIT ?%d", next);
	return sql->p ? PL_OK : PL_ENOMEM;
}

/* Ids of every experiment by name, A-Z or Z-A (*out malloc'ed). */
static int
exp_ids(int64_t **out, size_t *n, pl_store *st, int desc)
{
	static const char asc_sql[] =
	    "SELECT id FROM experiments ORDER BY name ASC";
	static const char desc_sql[] =
	    "SELECT id FROM experiments ORDER BY name DESC";
	sqlite3_stmt *s = pl__stmt(st, desc ? desc_sql : asc_sql);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return PL_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (vec_grow(out, &cap, *n, sizeof **out, 16) < 0) {
			sqlite3_reset(s);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
		(*out)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "listing experiments");
	return PL_OK;
}

/* Runs one part of a query (see build()) and appends its rows to l. */
static int
run_part(pl_runlist *l, size_t *cap, const struct sortc *sc,
    const pl_query *q, const pl_filter *f, int part, int base,
    int64_t exp_id)
{
	pl_store *st = l->st;
	struct buf sql = BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc;

	if (build(&sql, sc, q, f, part, base, exp_id) != PL_OK) {
		buf_free(&sql);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	rc = sqlite3_prepare_v2(st->db, sql.p, -1, &s, NULL);
	buf_free(&sql);
	if (rc != SQLITE_OK)
		return pl__sqlerr(st, rc, "preparing the run query");
	for (int i = 0; i < sc->nbinds; i++)
		sqlite3_bind_text(s, i + 1, sc->binds[i], -1, SQLITE_STATIC);
	if (q->experiment)
		sqlite3_bind_text(s, base - 1, q->experiment, -1,
		    SQLITE_STATIC);
	for (size_t i = 0; i < f->nbinds; i++) {
		if (f->binds[i].is_text)
			sqlite3_bind_text(s, base + (int)i, f->binds[i].text,
			    -1, SQLITE_STATIC);
		else
			sqlite3_bind_double(s, base + (int)i,
			    f->binds[i].num);
	}
	if (q->limit > 0)
		sqlite3_bind_int64(s, base + (int)f->nbinds,
		    q->limit - (int64_t)l->n);
	rc = collect(l, st, s, cap);
	sqlite3_finalize(s);
	return rc;
}

int
pl_runs_query(pl_runlist **out, pl_store *st, const pl_query *q)
{
	static const pl_query none;
	struct sortc sc;
	pl_filter f;
	pl_runlist *l = NULL;
	char err[512];
	size_t col = 0, cap = 0;
	int rc, base, split, parts;

	*out = NULL;
	pl__clear_err(st);
	memset(&f, 0, sizeof f);
	if (q == NULL)
		q = &none;
	if ((rc = compile_sort(&sc, st, q->sort)) != PL_OK)
		goto done;
	/* Binds: sort keys ?1..?k, experiment ?k+1, then the filter's. */
	base = sc.nbinds + 1 + (q->experiment ? 1 : 0);
	if (q->filter && *q->filter) {
		rc = pl_filter_compile(&f, q->filter, base, err, sizeof err,
		    &col);
		if (rc != PL_OK) {
			pl__err(st, rc, "%s", err);
			st->erroff = col;
			goto done;
		}
	}
	l = calloc(1, sizeof *l);
	if (l == NULL) {
		rc = pl__err(st, PL_ENOMEM, "out of memory");
		goto done;
	}
	l->st = st;
	if (sc.by_exp) {
		/* The experiments in name order, then each one's runs. */
		int64_t *ids = NULL;
		size_t nids = 0;

		if ((rc = exp_ids(&ids, &nids, st, sc.exp_desc)) != PL_OK)
			goto done;
		for (size_t k = 0; k < nids; k++) {
			if (q->limit > 0 && (int64_t)l->n >= q->limit)
				break;
			if ((rc = run_part(l, &cap, &sc, q, &f, 3, base,
			    ids[k])) != PL_OK)
				break;
		}
		free(ids);
		if (rc != PL_OK)
			goto done;
	} else {
		split = sc.first_kind != 'a';
		parts = split ? 2 : 1;
		for (int part = split ? 1 : 0; parts > 0; part++, parts--) {
			if (q->limit > 0 && (int64_t)l->n >= q->limit)
				break;
			if ((rc = run_part(l, &cap, &sc, q, &f, part, base,
			    0)) != PL_OK)
				goto done;
		}
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
	free(l->w);
	free(l->kv);
	for (int k = 0; k < l->nkeys; k++)
		free(l->keys[k].name);
	buf_free(&l->want_p);
	buf_free(&l->want_t);
	buf_free(&l->want_m);
	buf_free(&l->arena);
	buf_free(&l->varena);
	free(l);
}

/* Copies a text column into the arena; returns its offset + 1, or 0 for
 * NULL (offsets, because the arena moves while it grows). */
static size_t
keep(struct buf *arena, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t off = arena->len;

	if (t == NULL)
		return 0;
	if (buf_add(arena, t, strlen((const char *)t) + 1) < 0)
		return 0;
	return off + 1;
}

/* rid -> window index, by binary search over a sorted copy. */
struct ridx {
	int64_t rid;
	size_t idx;
};

static int
cmp_ridx(const void *a, const void *b)
{
	const struct ridx *x = a, *y = b;

	return x->rid < y->rid ? -1 : x->rid > y->rid;
}

static long
find_idx(const struct ridx *m, size_t n, int64_t rid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m[mid].rid < rid)
			lo = mid + 1;
		else if (m[mid].rid > rid)
			hi = mid;
		else
			return (long)m[mid].idx;
	}
	return -1;
}

/* The window's rows and values; ?1 is a JSON array of row ids, so each
 * statement is prepared once and cached whatever the window's size. */
static const char *const wsql[] = {
	"SELECT r.rid, r.id, e.name, r.name, r.status, r.user, r.host, "
	"r.start_ms, r.end_ms, r.exit_status, r.git_commit, r.git_dirty "
	"FROM runs r JOIN experiments e ON e.id = r.experiment_id "
	"WHERE r.rid IN (SELECT value FROM json_each(?1))",
	"SELECT run_id, key_id, value FROM params "
	"WHERE run_id IN (SELECT value FROM json_each(?1))",
	"SELECT run_id, key_id, value FROM tags "
	"WHERE run_id IN (SELECT value FROM json_each(?1))",
	"SELECT run_id, key_id, last FROM metric_summary "
	"WHERE run_id IN (SELECT value FROM json_each(?1))",
};

/* The same, for only the keys in the JSON array ?2 (pl_runlist_want). */
static const char *const wsql_wanted[] = {
	NULL,
	"SELECT run_id, key_id, value FROM params "
	"WHERE run_id IN (SELECT value FROM json_each(?1)) "
	"AND key_id IN (SELECT value FROM json_each(?2))",
	"SELECT run_id, key_id, value FROM tags "
	"WHERE run_id IN (SELECT value FROM json_each(?1)) "
	"AND key_id IN (SELECT value FROM json_each(?2))",
	"SELECT run_id, key_id, last FROM metric_summary "
	"WHERE run_id IN (SELECT value FROM json_each(?1)) "
	"AND key_id IN (SELECT value FROM json_each(?2))",
};

static int
add_kv(pl_runlist *l, size_t row, char kind, sqlite3_stmt *s)
{
	struct wkv *e;

	if (l->nkv == l->kvcap) {
		size_t nc = l->kvcap ? l->kvcap * 2 : 1024;
		void *p = realloc(l->kv, nc * sizeof *l->kv);

		if (p == NULL)
			return -1;
		l->kv = p;
		l->kvcap = nc;
	}
	e = &l->kv[l->nkv++];
	e->row = row;
	e->kind = kind;
	e->kid = sqlite3_column_int64(s, 1);
	e->val_off = kind == 'm' ? 0 : keep(&l->varena, s, 2);
	e->num = sqlite3_column_type(s, 2) == SQLITE_NULL ? NAN :
	    sqlite3_column_double(s, 2);
	return kind == 'm' || e->val_off ? 0 : -1;
}

static int
cmp_kv_row(const void *a, const void *b)
{
	const struct wkv *x = a, *y = b;

	return x->row < y->row ? -1 : x->row > y->row;
}

/*
 * Loads rows [from, from + n) into the window: the runs themselves
 * (queries 0..0), or, with values set, their params, tags and metric
 * summaries (queries 1..3) for the window already loaded.  Values are
 * loaded only when a value is asked for (`plumb runs --ids` never pays
 * for them).
 */
static int
load_part(pl_runlist *l, size_t from, int values)
{
	pl_store *st = l->st;
	size_t nwant = values ? l->win_n : l->win_size ? l->win_size :
	    FIRST_WINDOW;
	size_t n = l->n - from < nwant ? l->n - from : nwant;
	struct ridx *map = malloc(n * sizeof *map);
	struct wrow *w = values ? l->w : calloc(n, sizeof *w);
	struct buf sql = BUF_INIT;
	int rc = PL_OK, q0 = values ? 1 : 0, q1 = values ? 4 : 1;
	size_t old_arena = l->arena.len;

	if (map == NULL || w == NULL) {
		free(map);
		if (!values)
			free(w);
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	if (!values) {
		free(l->w);
		l->w = w;
		l->win_from = from;
		l->win_n = 0;
		l->win_values = 0;
		buf_clear(&l->arena);
		old_arena = 0;
		for (size_t i = 0; i < n; i++)
			w[i].row.git_dirty = -1;
	}
	l->nkv = 0;
	buf_clear(&l->varena);
	for (size_t i = 0; i < n; i++) {
		map[i].rid = l->rids[from + i];
		map[i].idx = i;
		w[i].kv0 = w[i].nkv = 0;
	}
	qsort(map, n, sizeof *map, cmp_ridx);
	buf_putc(&sql, '[');
	for (size_t k = 0; k < n; k++)
		buf_printf(&sql, "%s%lld", k ? "," : "",
		    (long long)l->rids[from + k]);
	if (buf_putc(&sql, ']') < 0)
		rc = pl__err(st, PL_ENOMEM, "out of memory");
	{
		for (int q = q0; q < q1 && rc == PL_OK; q++) {
			const struct buf *want = q == 1 ? &l->want_p :
			    q == 2 ? &l->want_t : &l->want_m;
			sqlite3_stmt *s;
			int src;

			/* With wanted keys, only those are read; a kind
			 * with none wanted is not read at all. */
			if (q > 0 && l->wanting && want->len == 0)
				continue;
			s = pl__stmt(st, q > 0 && l->wanting ? wsql_wanted[q] :
			    wsql[q]);
			if (s == NULL) {
				rc = PL_ERROR;
				break;
			}
			sqlite3_bind_text(s, 1, sql.p, (int)sql.len,
			    SQLITE_STATIC);
			if (q > 0 && l->wanting)
				sqlite3_bind_text(s, 2, want->p, (int)want->len,
				    SQLITE_STATIC);
			while ((src = sqlite3_step(s)) == SQLITE_ROW) {
				long idx = find_idx(map, n,
				    sqlite3_column_int64(s, 0));
				pl_run_row *r;

				if (idx < 0)
					continue;
				if (q > 0) {
					if (add_kv(l, (size_t)idx, "xptm"[q], s) < 0)
						src = SQLITE_NOMEM;
					if (src == SQLITE_NOMEM)
						break;
					continue;
				}
				r = &w[idx].row;
				snprintf(r->id, sizeof r->id, "%s",
				    sqlite3_column_text(s, 1));
				w[idx].off[0] = keep(&l->arena, s, 2);
				w[idx].off[1] = keep(&l->arena, s, 3);
				pl_run_status_parse(&r->status,
				    (const char *)sqlite3_column_text(s, 4));
				w[idx].off[2] = keep(&l->arena, s, 5);
				w[idx].off[3] = keep(&l->arena, s, 6);
				r->start_ms = sqlite3_column_int64(s, 7);
				r->end_ms = sqlite3_column_int64(s, 8);
				r->has_exit_status =
				    sqlite3_column_type(s, 9) != SQLITE_NULL;
				r->exit_status = sqlite3_column_int(s, 9);
				w[idx].off[4] = keep(&l->arena, s, 10);
				r->git_dirty = sqlite3_column_type(s, 11) ==
				    SQLITE_NULL ? -1 : sqlite3_column_int(s, 11);
			}
			if (src != SQLITE_DONE)
				rc = src == SQLITE_NOMEM ? pl__err(st, PL_ENOMEM,
				    "out of memory") : pl__sqlerr(st, src,
				    "reading runs");
			sqlite3_reset(s);
		}
	}
	free(map);
	buf_free(&sql);
	if (rc != PL_OK) {
		l->win_n = 0;
		return rc;
	}
	/* Group entries by row, then point the rows at the arena (which
	 * may have moved while it grew). */
	(void)old_arena;
	if (l->nkv > 1)
		qsort(l->kv, l->nkv, sizeof *l->kv, cmp_kv_row);
	for (size_t k = 0; k < l->nkv; k++) {
		struct wrow *wr = &w[l->kv[k].row];

		if (wr->nkv == 0)
			wr->kv0 = k;
		wr->nkv++;
	}
	for (size_t i = 0; i < n; i++) {
		pl_run_row *r = &w[i].row;
		const char *a = l->arena.p;

		if (r->id[0] == '\0')
			return pl__err(st, PL_ENOTFOUND, "a listed run was "
			    "deleted");
		r->experiment = w[i].off[0] ? a + w[i].off[0] - 1 : "";
		r->name = w[i].off[1] ? a + w[i].off[1] - 1 : NULL;
		r->user = w[i].off[2] ? a + w[i].off[2] - 1 : NULL;
		r->host = w[i].off[3] ? a + w[i].off[3] - 1 : NULL;
		r->git_commit = w[i].off[4] ? a + w[i].off[4] - 1 : NULL;
	}
	l->win_n = n;
	l->win_values |= values;
	return PL_OK;
}

static int
load_window(pl_runlist *l, size_t from)
{
	int rc = load_part(l, from, 0);

	if (rc == PL_OK)
		l->win_size = l->win_size == 0 ? 2 * FIRST_WINDOW :
		    l->win_size * 2 > WINDOW ? WINDOW : l->win_size * 2;
	return rc;
}

/* The cached row i, loading its window when needed; NULL on error. */
static struct wrow *
wrow(pl_runlist *l, size_t i)
{
	if (i >= l->n) {
		pl__err(l->st, PL_EINVAL, "row %zu is past the end", i);
		return NULL;
	}
	if (i < l->win_from || i >= l->win_from + l->win_n) {
		/* Start the window a little before i, so scrolling back
		 * up a few rows does not reload. */
		size_t back = (l->win_size ? l->win_size : FIRST_WINDOW) / 8;
		size_t from = i > back ? i - back : 0;

		if (load_window(l, from) != PL_OK)
			return NULL;
	}
	return &l->w[i - l->win_from];
}

int
pl_runlist_cached(const pl_runlist *l, size_t i)
{
	return l->w != NULL && i >= l->win_from && i < l->win_from + l->win_n;
}

int
pl_runlist_row(const pl_run_row **out, pl_runlist *l, size_t i)
{
	struct wrow *w = wrow(l, i);

	*out = w ? &w->row : NULL;
	return w ? PL_OK : l->st->errcode ? l->st->errcode : PL_ERROR;
}

static const struct wkv *
find_kv(pl_runlist *l, size_t i, char kind, const char *key, int *rc)
{
	struct wrow *w = wrow(l, i);

	*rc = w ? PL_OK : l->st->errcode ? l->st->errcode : PL_ERROR;
	if (w == NULL)
		return NULL;
	if (!l->win_values) {
		if ((*rc = load_part(l, l->win_from, 1)) != PL_OK)
			return NULL;
		w = &l->w[i - l->win_from];
	}
	{
		int64_t kid = -1;
		int k;

		for (k = 0; k < l->nkeys; k++)
			if (strcmp(l->keys[k].name, key) == 0)
				break;
		if (k < l->nkeys) {
			kid = l->keys[k].kid;
		} else {
			char *name = strdup(key);

			if (name == NULL) {
				*rc = pl__err(l->st, PL_ENOMEM, "out of memory");
				return NULL;
			}
			if (pl__key_id(l->st, key, 0, &kid) != PL_OK)
				kid = -1;
			if (l->nkeys < 64) {
				k = l->nkeys++;
			} else {	/* full: reuse slots round-robin */
				k = l->next_key++ % 64;
				free(l->keys[k].name);
			}
			l->keys[k].name = name;
			l->keys[k].kid = kid;
		}
		for (size_t e = w->kv0; e < w->kv0 + w->nkv; e++)
			if (l->kv[e].kind == kind && l->kv[e].kid == kid)
				return &l->kv[e];
	}
	return NULL;
}

static int
kv_text(char **out, pl_runlist *l, size_t i, char kind, const char *key)
{
	int rc;
	const struct wkv *e = find_kv(l, i, kind, key, &rc);

	*out = NULL;
	if (e && e->val_off) {
		*out = strdup(l->varena.p + e->val_off - 1);
		if (*out == NULL)
			return pl__err(l->st, PL_ENOMEM, "out of memory");
	}
	return rc;
}

int
pl_runlist_param(char **out, pl_runlist *l, size_t i, const char *key)
{
	return kv_text(out, l, i, 'p', key);
}

int
pl_runlist_tag(char **out, pl_runlist *l, size_t i, const char *key)
{
	return kv_text(out, l, i, 't', key);
}

int
pl_runlist_metric(double *out, int *has, pl_runlist *l, size_t i,
    const char *key)
{
	int rc;
	const struct wkv *e = find_kv(l, i, 'm', key, &rc);

	*has = e != NULL;
	*out = e ? e->num : NAN;
	return rc;
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
	if (kl->n > 1)
		qsort(kl->items, kl->n, sizeof *kl->items, cmp_kv);
done:
	if (rc != PL_OK) {
		pl_kvlist_free(kl);
		return rc;
	}
	*out = kl;
	return PL_OK;
}

int
pl_runlist_want(pl_runlist *l, char kind, const char *key)
{
	struct buf *w = kind == 'p' ? &l->want_p : kind == 't' ? &l->want_t :
	    kind == 'm' ? &l->want_m : NULL;
	int64_t kid;

	if (w == NULL)
		return pl__err(l->st, PL_EINVAL, "unknown value kind '%c'", kind);
	l->wanting = 1;
	l->win_values = 0;	/* reload the window's values */
	if (pl__key_id(l->st, key, 0, &kid) != PL_OK)
		return PL_OK;	/* no run has it: nothing to read */
	/* A closed JSON array between calls: reopen it to append. */
	if (w->len > 0)
		w->len--;
	if (buf_printf(w, "%s%lld]", w->len ? "," : "[", (long long)kid) < 0)
		return pl__err(l->st, PL_ENOMEM, "out of memory");
	return PL_OK;
}
