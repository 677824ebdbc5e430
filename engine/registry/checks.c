/* checks.c - running checks: CSV data validation with bad-row line numbers, and model gates. */
#include "config.h"
#include "registry/checks.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ropen.h"
#include "data/csvread.h"
#include "store/error.h"
#include "utf8.h"

const char *
pl_check_status_name(enum pl_check_status s)
{
	switch (s) {
	case PL_CHECK_PASS: return "pass";
	case PL_CHECK_FAIL: return "fail";
	case PL_CHECK_SKIP: return "skip";
	default: return "error";
	}
}

pl_check_report *
pl_check_report_new(void)
{
	return calloc(1, sizeof(pl_check_report));
}

void
pl_check_report_free(pl_check_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].check);
		free(r->items[i].kind);
		free(r->items[i].name);
		free(r->items[i].message);
	}
	free(r->items);
	free(r);
}

int
pl_check_report_failed(const pl_check_report *r)
{
	return r->nfail > 0 || r->nerror > 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends an item; message is printf-style.  Returns the item or NULL. */
static pl_check_item *add_item(pl_check_report *r, const char *check,
    const char *kind, const char *name, enum pl_check_status st,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static pl_check_item *
add_item(pl_check_report *r, const char *check, const char *kind,
    const char *name, enum pl_check_status status, const char *fmt, ...)
{
	pl_check_item *it, *nv;
	va_list ap;
	int k;

	nv = realloc(r->items, (r->n + 1) * sizeof *r->items);
	if (nv == NULL)
		return NULL;
	r->items = nv;
	it = &nv[r->n];
	memset(it, 0, sizeof *it);
	it->check = strdup(check);
	it->kind = strdup(kind);
	it->name = strdup(name);
	it->status = status;
	va_start(ap, fmt);
	k = vasprintf(&it->message, fmt, ap);
	va_end(ap);
	if (k < 0)
		it->message = NULL;
	if (!it->check || !it->kind || !it->name || !it->message) {
		free(it->check);
		free(it->kind);
		free(it->name);
		free(it->message);
		return NULL;
	}
	r->n++;
	switch (status) {
	case PL_CHECK_PASS: r->npass++; break;
	case PL_CHECK_FAIL: r->nfail++; break;
	case PL_CHECK_SKIP: r->nskip++; break;
	default: r->nerror++; break;
	}
	return it;
}

/* ---- data validation ---- */

/* A set of strings (open addressing) for `unique`. */
struct strset {
	char **keys;
	size_t cap, n;
};

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* 1 if added, 0 if already present, -1 on OOM. */
static int
strset_add(struct strset *s, const char *v, size_t n)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		char **nk = calloc(ncap, sizeof *nk);

		if (nk == NULL)
			return -1;
		for (i = 0; i < s->cap; i++) {
			if (s->keys[i] == NULL)
				continue;
			size_t j = hash_bytes(s->keys[i], strlen(s->keys[i])) &
			    (ncap - 1);
			while (nk[j])
				j = (j + 1) & (ncap - 1);
			nk[j] = s->keys[i];
		}
		free(s->keys);
		s->keys = nk;
		s->cap = ncap;
	}
	i = hash_bytes(v, n) & (s->cap - 1);
	while (s->keys[i]) {
		if (strlen(s->keys[i]) == n && memcmp(s->keys[i], v, n) == 0)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	if ((s->keys[i] = strndup(v, n)) == NULL)
		return -1;
	s->n++;
	return 1;
}

static void
strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
}

struct colstate {
	const pl_col_rule *r;
	long idx;		/* field index, -1 when absent */
	size_t missing, values;
	size_t n_type, n_range, n_allowed, n_required, n_dup;
	size_t nbad;		/* rows listed */
	struct buf bad;		/* "line N: ..." examples */
	struct strset seen;
};

struct vstate {
	const pl_check *c;
	struct colstate *cols;
	size_t ncols;
	int in_header;
	size_t field;		/* index of the field in the record */
	size_t nfields_hdr;
	size_t line, nl_in_record;
	int last_term;
	size_t rows;
	size_t n_badrec;
	struct buf badrec;
	int oom;
	/* the current record's fields, kept until it ends */
	char **hdr;
	size_t nhdr, caphdr;
};

static size_t
count_nl(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || (s[i] == '\r' && !(i + 1 < n &&
		    s[i + 1] == '\n')))
			k++;
	return k;
}

static int
utf8_valid(const char *s, size_t n)
{
	uint32_t cp;

	for (size_t i = 0, k; i < n; i += k)
		if ((k = utf8_decode(&cp, s + i, n - i)) == 0)
			return 0;
	return 1;
}

static int
is_missing(const char *s, size_t n)
{
	static const char *const na[] = { "NA", "NaN", "nan", "null" };

	if (n == 0)
		return 1;
	for (size_t i = 0; i < sizeof na / sizeof na[0]; i++)
		if (strlen(na[i]) == n && memcmp(na[i], s, n) == 0)
			return 1;
	return 0;
}

static int
is_int(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && isdigit((unsigned char)s[i]); i++)
		d++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return d > 0 && i == n;
}

static int
is_bool(const char *s, size_t n)
{
	static const char *const b[] = { "true", "false", "1", "0", "yes",
	    "no" };

	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		if (strlen(b[i]) == n && strncasecmp(b[i], s, n) == 0)
			return 1;
	return 0;
}

static const char *
type_name(enum pl_coltype t)
{
	switch (t) {
	case PL_COL_INT: return "an int";
	case PL_COL_FLOAT: return "a number";
	case PL_COL_BOOL: return "a bool";
	case PL_COL_STRING: return "a string";
	default: return "anything";
	}
}

/* Appends "line N: 'value' why" to the column's examples. */
static void
bad_row(struct vstate *v, struct colstate *cs, const char *s, size_t n,
    const char *why)
{
	struct buf q = BUF_INIT;
	size_t shown = n > 40 ? 40 : n;

	if (cs->nbad >= PL_CHECK_MAX_BAD_ROWS)
		return;
	cs->nbad++;
	if (utf8_sanitize(&q, s, shown, 0) != 0) {
		v->oom = 1;
		return;
	}
	if (cs->bad.len)
		buf_puts(&cs->bad, "; ");
	buf_printf(&cs->bad, "line %zu: '%s%s' %s", v->line, buf_str(&q),
	    shown < n ? "..." : "", why);
	buf_free(&q);
}

static void
check_value(struct vstate *v, struct colstate *cs, const char *s, size_t n)
{
	const pl_col_rule *r = cs->r;
	char why[160];
	double d = 0;
	int numeric = 0;

	if (is_missing(s, n)) {
		cs->missing++;
		if (r->required) {
			cs->n_required++;
			bad_row(v, cs, s, n, "is missing (required)");
		}
		return;
	}
	cs->values++;
	if (r->type == PL_COL_INT || r->type == PL_COL_FLOAT ||
	    r->has_min || r->has_max ||
	    (r->nallowed && r->type != PL_COL_STRING))
		numeric = pl_csv_parse_double(s, n, &d);
	if ((r->type == PL_COL_INT && !is_int(s, n)) ||
	    (r->type == PL_COL_FLOAT && !numeric) ||
	    (r->type == PL_COL_BOOL && !is_bool(s, n)) ||
	    (r->type == PL_COL_STRING && !utf8_valid(s, n))) {
		cs->n_type++;
		snprintf(why, sizeof why, "is not %s", type_name(r->type));
		bad_row(v, cs, s, n, why);
		return;
	}
	if ((r->has_min || r->has_max) &&
	    (!numeric || (r->has_min && !(d >= r->min)) ||
	    (r->has_max && !(d <= r->max)))) {
		char lo[32] = "-inf", hi[32] = "inf";

		if (r->has_min)
			snprintf(lo, sizeof lo, "%.17g", r->min);
		if (r->has_max)
			snprintf(hi, sizeof hi, "%.17g", r->max);
		cs->n_range++;
		snprintf(why, sizeof why, "%s [%s, %s]", numeric ?
		    "is out of range" : "is not a number, for range", lo, hi);
		bad_row(v, cs, s, n, why);
	}
	if (r->nallowed) {
		int ok = 0;

		for (size_t i = 0; i < r->nallowed && !ok; i++) {
			double a;
			const char *t = r->allowed[i];

			if (strlen(t) == n && memcmp(t, s, n) == 0)
				ok = 1;
			else if (numeric && (r->type == PL_COL_INT ||
			    r->type == PL_COL_FLOAT) &&
			    pl_csv_parse_double(t, strlen(t), &a) && a == d)
				ok = 1;
		}
		if (!ok) {
			cs->n_allowed++;
			bad_row(v, cs, s, n, "is not an allowed value");
		}
	}
	if (r->unique) {
		int added = strset_add(&cs->seen, s, n);

		if (added < 0)
			v->oom = 1;
		else if (added == 0) {
			cs->n_dup++;
			bad_row(v, cs, s, n, "is a duplicate");
		}
	}
}

static void
cb_field(void *data, size_t n, void *arg)
{
	struct vstate *v = arg;
	const char *s = data ? data : "";

	if (data == NULL)
		n = 0;
	v->nl_in_record += count_nl(s, n);
	if (v->in_header) {
		if (v->nhdr == v->caphdr) {
			size_t nc = v->caphdr ? v->caphdr * 2 : 16;
			char **nh = realloc(v->hdr, nc * sizeof *nh);

			if (nh == NULL) {
				v->oom = 1;
				return;
			}
			v->hdr = nh;
			v->caphdr = nc;
		}
		/* A UTF-8 BOM before the first name is not part of it. */
		if (v->nhdr == 0 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
			s += 3;
			n -= 3;
		}
		if ((v->hdr[v->nhdr++] = strndup(s, n)) == NULL)
			v->oom = 1;
		return;
	}
	for (size_t i = 0; i < v->ncols; i++)
		if (v->cols[i].idx == (long)v->field)
			check_value(v, &v->cols[i], s, n);
	v->field++;
}

static void
cb_record(int term, void *arg)
{
	struct vstate *v = arg;
	int empty = v->in_header ? v->nhdr == 0 : v->field == 0;
	int crlf_tail = empty && term == '\n' && v->last_term == '\r';

	v->last_term = term;
	if (crlf_tail)
		return;
	if (empty) {
		v->line += 1 + v->nl_in_record;
		v->nl_in_record = 0;
		return;
	}
	if (v->in_header) {
		v->in_header = 0;
		v->nfields_hdr = v->nhdr;
		for (size_t i = 0; i < v->ncols; i++) {
			v->cols[i].idx = -1;
			for (size_t j = 0; j < v->nhdr; j++)
				if (!strcmp(v->hdr[j], v->cols[i].r->name)) {
					v->cols[i].idx = (long)j;
					break;
				}
		}
	} else {
		v->rows++;
		if (v->field != v->nfields_hdr) {
			if (v->n_badrec < PL_CHECK_MAX_BAD_ROWS) {
				if (v->badrec.len)
					buf_puts(&v->badrec, "; ");
				buf_printf(&v->badrec, "line %zu: expected %zu "
				    "fields, found %zu", v->line,
				    v->nfields_hdr, v->field);
			}
			v->n_badrec++;
		}
	}
	v->field = 0;
	v->line += 1 + v->nl_in_record;
	v->nl_in_record = 0;
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
vstate_free(struct vstate *v)
{
	for (size_t i = 0; i < v->ncols; i++) {
		buf_free(&v->cols[i].bad);
		strset_free(&v->cols[i].seen);
	}
	free(v->cols);
	for (size_t i = 0; i < v->nhdr; i++)
		free(v->hdr[i]);
	free(v->hdr);
	buf_free(&v->badrec);
}

/* Reads the file through libcsv.  Returns 0, or -1 with why in err. */
static int
scan_csv(struct vstate *v, const char *path, char *err, size_t errlen)
{
	struct csv_parser p;
	char buf[65536];
	ssize_t r;
	char why[256];
	int fd = ropen(path, ROPEN_PIPE, NULL, why, sizeof why);

	if (fd < 0) {
		snprintf(err, errlen, "cannot read %s", why);
		return -1;
	}
	if (csv_init(&p, CSV_REPALL_NL) != 0) {
		close(fd);
		v->oom = 1;
		return -1;
	}
	csv_set_space_func(&p, no_space);
	csv_set_delim(&p, (unsigned char)(v->c->delimiter ?
	    v->c->delimiter : ','));
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			break;
		}
		if (csv_parse(&p, buf, (size_t)r, cb_field, cb_record, v) !=
		    (size_t)r) {
			snprintf(err, errlen, "%s:%zu: %s", path, v->line,
			    csv_strerror(csv_error(&p)));
			r = -1;
			break;
		}
		if (v->oom)
			break;
	}
	if (r == 0 && csv_fini(&p, cb_field, cb_record, v) != 0) {
		snprintf(err, errlen, "%s:%zu: %s", path, v->line,
		    csv_strerror(csv_error(&p)));
		r = -1;
	}
	csv_free(&p);
	close(fd);
	return r == 0 ? 0 : -1;
}

int
pl_check_data(pl_check_report *rep, const pl_check *c)
{
	struct vstate v;
	char err[512] = "", name[300];
	double t0 = now_s();
	pl_check_item *it = NULL;
	int rc = PL_OK;

	memset(&v, 0, sizeof v);
	v.c = c;
	v.in_header = 1;
	v.line = 1;
	v.ncols = c->ncols;
	if (c->ncols && (v.cols = calloc(c->ncols, sizeof *v.cols)) == NULL)
		return PL_ENOMEM;
	for (size_t i = 0; i < c->ncols; i++) {
		v.cols[i].r = &c->cols[i];
		v.cols[i].idx = -1;
	}
	if (scan_csv(&v, c->data_path, err, sizeof err) < 0 || v.oom) {
		if (v.oom)
			rc = PL_ENOMEM;
		else if (!add_item(rep, c->name, "data", "file", PL_CHECK_ERROR,
		    "%s", err))
			rc = PL_ENOMEM;
		goto out;
	}
	if (v.in_header) {
		if (!add_item(rep, c->name, "data", "file", PL_CHECK_ERROR,
		    "%s: empty file (no header line)", c->data))
			rc = PL_ENOMEM;
		goto out;
	}
	if (v.n_badrec) {
		it = add_item(rep, c->name, "data", "format", PL_CHECK_FAIL,
		    "%zu record%s with the wrong number of fields: %s%s",
		    v.n_badrec, v.n_badrec == 1 ? "" : "s", buf_str(&v.badrec),
		    v.n_badrec > PL_CHECK_MAX_BAD_ROWS ? "; ..." : "");
		if (it == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
	}
	if (c->has_rows_min || c->has_rows_max) {
		int bad = (c->has_rows_min && (int64_t)v.rows < c->rows_min) ||
		    (c->has_rows_max && (int64_t)v.rows > c->rows_max);
		char lo[32] = "0", hi[32] = "any";

		if (c->has_rows_min)
			snprintf(lo, sizeof lo, "%lld", (long long)c->rows_min);
		if (c->has_rows_max)
			snprintf(hi, sizeof hi, "%lld", (long long)c->rows_max);
		it = add_item(rep, c->name, "data", "rows",
		    bad ? PL_CHECK_FAIL : PL_CHECK_PASS,
		    "%zu rows, expected %s to %s", v.rows, lo, hi);
		if (it == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
		it->has_value = it->has_bound = 1;
		it->value = (double)v.rows;
		it->bound = bad && c->has_rows_min &&
		    (int64_t)v.rows < c->rows_min ? (double)c->rows_min :
		    (double)c->rows_max;
	}
	for (size_t i = 0; i < v.ncols; i++) {
		struct colstate *cs = &v.cols[i];
		const pl_col_rule *r = cs->r;
		struct buf m = BUF_INIT;
		size_t nbadvals;
		double frac;
		int bad = 0;

		snprintf(name, sizeof name, "column %s", r->name);
		if (cs->idx < 0) {
			it = add_item(rep, c->name, "data", name, PL_CHECK_FAIL,
			    "column '%s' is not in %s (header line 1)", r->name,
			    c->data);
			if (it == NULL) {
				rc = PL_ENOMEM;
				goto out;
			}
			continue;
		}
		frac = v.rows ? (double)cs->missing / (double)v.rows : 0;
		if (cs->n_type) {
			buf_printf(&m, "%s%zu not %s", bad ? ", " : "",
			    cs->n_type, type_name(r->type));
			bad = 1;
		}
		if (cs->n_range) {
			buf_printf(&m, "%s%zu out of range", bad ? ", " : "",
			    cs->n_range);
			bad = 1;
		}
		if (cs->n_allowed) {
			buf_printf(&m, "%s%zu not allowed", bad ? ", " : "",
			    cs->n_allowed);
			bad = 1;
		}
		if (cs->n_required) {
			buf_printf(&m, "%s%zu missing (required)",
			    bad ? ", " : "", cs->n_required);
			bad = 1;
		}
		if (cs->n_dup) {
			buf_printf(&m, "%s%zu duplicate%s", bad ? ", " : "",
			    cs->n_dup, cs->n_dup == 1 ? "" : "s");
			bad = 1;
		}
		nbadvals = cs->n_type + cs->n_range + cs->n_allowed +
		    cs->n_required + cs->n_dup;
		if (r->max_missing >= 0 && frac > r->max_missing) {
			buf_printf(&m, "%smissing fraction %.4g > max_missing "
			    "%.4g (%zu of %zu rows)", bad ? ", " : "", frac,
			    r->max_missing, cs->missing, v.rows);
			bad = 1;
		}
		if (bad) {
			if (cs->nbad)
				buf_printf(&m, "; first bad rows: %s%s",
				    buf_str(&cs->bad), nbadvals > cs->nbad ?
				    "; ..." : "");
			it = add_item(rep, c->name, "data", name, PL_CHECK_FAIL,
			    "%s", buf_str(&m));
		} else {
			it = add_item(rep, c->name, "data", name, PL_CHECK_PASS,
			    "%zu values, %zu missing", cs->values, cs->missing);
		}
		buf_free(&m);
		if (it == NULL) {
			rc = PL_ENOMEM;
			goto out;
		}
		if (r->max_missing >= 0) {
			it->has_value = it->has_bound = 1;
			it->value = frac;
			it->bound = r->max_missing;
		}
	}
	if (c->ncols == 0 && !c->has_rows_min && !c->has_rows_max &&
	    !v.n_badrec && !add_item(rep, c->name, "data", "format",
	    PL_CHECK_PASS, "%zu rows, %zu columns", v.rows, v.nfields_hdr))
		rc = PL_ENOMEM;
out:
	{
		double dt = now_s() - t0;

		/* Spread the time over this check's items. */
		for (size_t i = 0; i < rep->n; i++)
			if (!strcmp(rep->items[i].check, c->name))
				rep->items[i].seconds = dt;
	}
	vstate_free(&v);
	return rc;
}

/* ---- gates ---- */

static const char *
op_text(enum pl_gate_op op)
{
	switch (op) {
	case PL_OP_LT: return "<";
	case PL_OP_LE: return "<=";
	case PL_OP_GT: return ">";
	case PL_OP_GE: return ">=";
	case PL_OP_EQ: return "==";
	default: return "!=";
	}
}

static int
compare(double a, enum pl_gate_op op, double b)
{
	if (isnan(a) || isnan(b))
		return op == PL_OP_NE;
	switch (op) {
	case PL_OP_LT: return a < b;
	case PL_OP_LE: return a <= b;
	case PL_OP_GT: return a > b;
	case PL_OP_GE: return a >= b;
	case PL_OP_EQ: return a == b;
	default: return a != b;
	}
}

static void
metric_names(struct buf *b, const pl_model_version *v)
{
	if (v->nmetrics == 0) {
		buf_puts(b, "it has no metrics");
		return;
	}
	buf_puts(b, "its metrics: ");
	for (size_t i = 0; i < v->nmetrics && i < 12; i++)
		buf_printf(b, "%s%s", i ? ", " : "", v->metrics[i].key);
	if (v->nmetrics > 12)
		buf_puts(b, ", ...");
}

int
pl_check_gates(pl_check_report *rep, const pl_check *c,
    const pl_model_version *v, const pl_model_version *prod)
{
	for (size_t i = 0; i < c->ngates; i++) {
		const pl_gate *g = &c->gates[i];
		double t0 = now_s(), value, base = 0, bound;
		pl_check_item *it;
		struct buf m = BUF_INIT;
		enum pl_check_status st;

		if (!pl_model_metric_value(&value, v, g->metric)) {
			metric_names(&m, v);
			it = add_item(rep, c->name, "gate", g->text,
			    PL_CHECK_FAIL, "%s v%d has no metric '%s' (%s)",
			    v->model, v->version, g->metric, buf_str(&m));
			buf_free(&m);
			if (it == NULL)
				return PL_ENOMEM;
			continue;
		}
		if (g->relative && prod == NULL) {
			it = add_item(rep, c->name, "gate", g->text,
			    PL_CHECK_SKIP, "%s = %.6g; no version of %s is in "
			    "production yet, nothing to compare with",
			    g->metric, value, v->model);
			if (it == NULL)
				return PL_ENOMEM;
			it->has_value = 1;
			it->value = value;
			continue;
		}
		if (g->relative && !pl_model_metric_value(&base, prod,
		    g->metric)) {
			metric_names(&m, prod);
			it = add_item(rep, c->name, "gate", g->text,
			    PL_CHECK_FAIL, "the production version %s v%d has "
			    "no metric '%s' to compare with (%s)", prod->model,
			    prod->version, g->metric, buf_str(&m));
			buf_free(&m);
			if (it == NULL)
				return PL_ENOMEM;
			it->has_value = 1;
			it->value = value;
			continue;
		}
		if (!g->relative)
			bound = g->value;
		else if (g->arith == '+')
			bound = base + g->value;
		else if (g->arith == '-')
			bound = base - g->value;
		else if (g->arith == '*')
			bound = base * g->value;
		else if (g->arith == '/')
			bound = base / g->value;
		else
			bound = base;
		st = compare(value, g->op, bound) ? PL_CHECK_PASS :
		    PL_CHECK_FAIL;
		if (g->relative)
			buf_printf(&m, " (production v%d: %.6g)", prod->version,
			    base);
		it = add_item(rep, c->name, "gate", g->text, st,
		    "%s = %.6g, %s %s %.6g%s", g->metric, value,
		    st == PL_CHECK_PASS ? "is" : "needs", op_text(g->op), bound,
		    buf_str(&m));
		buf_free(&m);
		if (it == NULL)
			return PL_ENOMEM;
		it->has_value = it->has_bound = 1;
		it->value = value;
		it->bound = bound;
		it->seconds = now_s() - t0;
	}
	return PL_OK;
}

/* Loads model@version and its production version (NULL when none). */
static int
load_versions(pl_model_version **v, pl_model_version **prod, pl_store *st,
    const char *model, int version, char *err, size_t err_len)
{
	int pv = 0, rc;

	*v = *prod = NULL;
	if ((rc = pl_model_get(v, st, model, version)) != PL_OK ||
	    (rc = pl_model_stage_holder(&pv, st, model,
	    PL_MODEL_PRODUCTION)) != PL_OK ||
	    (pv && (rc = pl_model_get(prod, st, model, pv)) != PL_OK)) {
		snprintf(err, err_len, "%s", pl_store_errmsg(st));
		pl_model_version_free(*v);
		*v = NULL;
		return rc;
	}
	return PL_OK;
}

int
pl_check_run(pl_check_report **out, pl_store *st, const pl_config *cfg,
    const char *const *names, size_t nnames, const char *model, int version,
    char *err, size_t err_len)
{
	pl_check_report *rep;
	pl_model_version *v = NULL, *prod = NULL;
	int rc = PL_OK;

	*out = NULL;
	for (size_t i = 0; i < nnames; i++)
		if (pl_config_check(cfg, names[i]) == NULL) {
			snprintf(err, err_len, "no check named '%s' in %s",
			    names[i], cfg ? cfg->path : "plumb.yaml");
			return PL_ENOTFOUND;
		}
	if (model && (rc = load_versions(&v, &prod, st, model, version, err,
	    err_len)) != PL_OK)
		return rc;
	if ((rep = pl_check_report_new()) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; cfg && i < cfg->nchecks && rc == PL_OK; i++) {
		const pl_check *c = &cfg->checks[i];
		size_t k;

		for (k = 0; k < nnames; k++)
			if (!strcmp(names[k], c->name))
				break;
		if (nnames && k == nnames)
			continue;
		if (c->kind == PL_CHECK_DATA) {
			rc = pl_check_data(rep, c);
		} else if (v == NULL) {
			for (size_t g = 0; g < c->ngates && rc == PL_OK; g++)
				if (!add_item(rep, c->name, "gate",
				    c->gates[g].text, PL_CHECK_SKIP,
				    "a gate needs a model version: plumb check "
				    "--model NAME@VERSION"))
					rc = PL_ENOMEM;
		} else if (c->model && strcmp(c->model, model)) {
			for (size_t g = 0; g < c->ngates && rc == PL_OK; g++)
				if (!add_item(rep, c->name, "gate",
				    c->gates[g].text, PL_CHECK_SKIP,
				    "applies to model %s, not %s", c->model,
				    model))
					rc = PL_ENOMEM;
		} else {
			rc = pl_check_gates(rep, c, v, prod);
		}
	}
	if (rc != PL_OK) {
		snprintf(err, err_len, "out of memory");
		pl_check_report_free(rep);
		rep = NULL;
	}
	*out = rep;
out:
	pl_model_version_free(v);
	pl_model_version_free(prod);
	return rc;
}

int
pl_check_promotion(pl_check_report **out, pl_store *st,
    const pl_config *cfg, const char *model, int version, pl_model_stage stage,
    char *err, size_t err_len)
{
	pl_check_report *rep;
	pl_model_version *v = NULL, *prod = NULL;
	int rc;

	*out = NULL;
	if ((rc = load_versions(&v, &prod, st, model, version, err,
	    err_len)) != PL_OK)
		return rc;
	if ((rep = pl_check_report_new()) == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; cfg && i < cfg->nchecks && rc == PL_OK; i++) {
		const pl_check *c = &cfg->checks[i];

		if (c->kind != PL_CHECK_GATE || !(c->stages & (1 << stage)) ||
		    (c->model && strcmp(c->model, model)))
			continue;
		rc = pl_check_gates(rep, c, v, prod);
	}
	if (rc != PL_OK) {
		snprintf(err, err_len, "out of memory");
		pl_check_report_free(rep);
		rep = NULL;
	}
	*out = rep;
out:
	pl_model_version_free(v);
	pl_model_version_free(prod);
	return rc;
}
