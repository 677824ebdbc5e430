/* filter.c - MLflow search syntax: tokenizer, recursive-descent parser, SQL emitter. */
#include "config.h"
#include "track/filter.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/error.h"

enum tok {
	T_END, T_IDENT, T_STRING, T_NUMBER, T_LPAREN, T_RPAREN, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_AND, T_OR, T_NOT, T_LIKE, T_ILIKE, T_IN, T_IS, T_NULL
};

struct parser {
	const char *s;
	size_t pos;		/* start of the current token */
	size_t next;		/* just past it */
	enum tok tok;
	char *text;		/* token text (idents: whole "kind.key") */
	double num;
	int err;
	char *errbuf;
	size_t errlen;
	size_t errcol;
	pl_filter *out;
	int base;
	int depth;
	/* Plan choice (see pl_filter_compile): what the first pass saw, and
	 * whether metric comparisons are emitted as EXISTS probes. */
	int saw_or;
	int saw_kv_eq;
	int metric_exists;
};

/* Attributes: name, aliases share a row; SQL over the runs alias r. */
static const struct attr {
	const char *name;
	const char *sql;
	int numeric;
} attrs[] = {
	{ "status", "r.status", 0 },
	{ "name", "r.name", 0 },
	{ "run_name", "r.name", 0 },
	{ "user", "r.user", 0 },
	{ "user_id", "r.user", 0 },
	{ "host", "r.host", 0 },
	{ "experiment", "(SELECT e.name FROM experiments e WHERE "
	    "e.id = r.experiment_id)", 0 },
	{ "experiment_name", "(SELECT e.name FROM experiments e WHERE "
	    "e.id = r.experiment_id)", 0 },
	{ "run_id", "r.id", 0 },
	{ "id", "r.id", 0 },
	{ "command", "r.command", 0 },
	{ "start_time", "r.start_ms", 1 },
	{ "end_time", "r.end_ms", 1 },
	{ "duration", "(r.end_ms - r.start_ms)", 1 },
	{ "exit_status", "r.exit_status", 1 },
	{ "git_commit", "r.git_commit", 0 },
	{ "git_branch", "r.git_branch", 0 },
	{ "git_dirty", "r.git_dirty", 1 },
	{ "bad_lines", "r.bad_lines", 1 },
};

static const struct attr *
find_attr(const char *name)
{
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
		if (strcasecmp(attrs[i].name, name) == 0)
			return &attrs[i];
	return NULL;
}

static int
perr(struct parser *p, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
perr(struct parser *p, size_t col, const char *fmt, ...)
{
	va_list ap;

	if (p->err)
		return PL_EINVAL;
	p->err = 1;
	p->errcol = col + 1;
	va_start(ap, fmt);
	if (p->errlen)
		vsnprintf(p->errbuf, p->errlen, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

static int
is_key_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr("=!<>(),'\"`", c);
}

/* Reads a quoted string starting at s[i] (the quote); handles doubled
 * quotes and backslash escapes.  Returns the index past the closing
 * quote, or 0 when unterminated. */
static size_t
read_quoted(const char *s, size_t i, struct buf *b)
{
	char q = s[i++];

	for (;;) {
		if (s[i] == '\0')
			return 0;
		if (s[i] == '\\' && s[i + 1]) {
			buf_putc(b, s[i + 1]);
			i += 2;
			continue;
		}
		if (s[i] == q) {
			if (s[i + 1] == q) {
				buf_putc(b, q);
				i += 2;
				continue;
			}
			break;
		}
		buf_putc(b, s[i++]);
	}
	if (b->p == NULL)
		buf_add(b, "", 0);
	return i + 1;
}

static void
advance(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->next;
	struct buf b = BUF_INIT;

	free(p->text);
	p->text = NULL;
	while (isspace((unsigned char)s[i]))
		i++;
	p->pos = i;
	if (s[i] == '\0') {
		p->tok = T_END;
		p->next = i;
		return;
	}
	switch (s[i]) {
	case '(': p->tok = T_LPAREN; p->next = i + 1; return;
	case ')': p->tok = T_RPAREN; p->next = i + 1; return;
	case ',': p->tok = T_COMMA; p->next = i + 1; return;
	case '=':
		p->tok = T_EQ;
		p->next = i + (s[i + 1] == '=' ? 2 : 1);
		return;
	case '!':
		if (s[i + 1] == '=') {
			p->tok = T_NE;
			p->next = i + 2;
			return;
		}
		perr(p, i, "unexpected '!' (did you mean '!='?)");
		p->tok = T_END;
		return;
	case '<':
		if (s[i + 1] == '=') {
			p->tok = T_LE;
			p->next = i + 2;
		} else if (s[i + 1] == '>') {
			p->tok = T_NE;
			p->next = i + 2;
		} else {
			p->tok = T_LT;
			p->next = i + 1;
		}
		return;
	case '>':
		p->tok = s[i + 1] == '=' ? T_GE : T_GT;
		p->next = i + (s[i + 1] == '=' ? 2 : 1);
		return;
	case '\'':
	case '"': {
		size_t end = read_quoted(s, i, &b);

		if (end == 0) {
			buf_free(&b);
			perr(p, i, "unterminated string (missing closing %c)",
			    s[i]);
			p->tok = T_END;
			return;
		}
		p->tok = T_STRING;
		p->text = buf_detach(&b);
		p->next = end;
		return;
	}
	}
	if (isdigit((unsigned char)s[i]) || ((s[i] == '-' || s[i] == '+' ||
	    s[i] == '.') && (isdigit((unsigned char)s[i + 1]) ||
	    (s[i + 1] == '.' && isdigit((unsigned char)s[i + 2]))))) {
		char *end;

		errno = 0;
		p->num = strtod(s + i, &end);
		if (end == s + i || is_key_char(*end)) {
			perr(p, i, "malformed number");
			p->tok = T_END;
			return;
		}
		p->tok = T_NUMBER;
		p->text = strndup(s + i, (size_t)(end - (s + i)));
		p->next = (size_t)(end - s);
		return;
	}
	/* Words: keywords, or identifiers "kind.key" whose key may be
	 * quoted with backquotes or double quotes. */
	{
		size_t j = i;

		while (is_key_char(s[j]) && s[j] != '.')
			j++;
		if (s[j] == '.') {
			buf_add(&b, s + i, j - i + 1);
			j++;
			if (s[j] == '`' || s[j] == '"') {
				size_t end = read_quoted(s, j, &b);

				if (end == 0) {
					buf_free(&b);
					perr(p, j, "unterminated quoted key");
					p->tok = T_END;
					return;
				}
				j = end;
			} else {
				size_t k = j;

				while (is_key_char(s[k]))
					k++;
				buf_add(&b, s + j, k - j);
				j = k;
			}
			p->tok = T_IDENT;
			p->text = buf_detach(&b);
			p->next = j;
			return;
		}
		if (j == i) {
			perr(p, i, "unexpected character '%c'", s[i]);
			p->tok = T_END;
			return;
		}
		buf_add(&b, s + i, j - i);
		p->text = buf_detach(&b);
		p->next = j;
		if (strcasecmp(p->text, "and") == 0) p->tok = T_AND;
		else if (strcasecmp(p->text, "or") == 0) p->tok = T_OR;
		else if (strcasecmp(p->text, "not") == 0) p->tok = T_NOT;
		else if (strcasecmp(p->text, "like") == 0) p->tok = T_LIKE;
		else if (strcasecmp(p->text, "ilike") == 0) p->tok = T_ILIKE;
		else if (strcasecmp(p->text, "in") == 0) p->tok = T_IN;
		else if (strcasecmp(p->text, "is") == 0) p->tok = T_IS;
		else if (strcasecmp(p->text, "null") == 0) p->tok = T_NULL;
		else p->tok = T_IDENT;	/* bare word: checked by the caller */
	}
}

static void
emit(struct parser *p, const char *s)
{
	if (buf_puts(&p->out->sql, s) < 0)
		p->err = 1;
}

static int
add_bind(struct parser *p, int is_text, const char *text, double num)
{
	pl_filter *f = p->out;
	void *np = realloc(f->binds, (f->nbinds + 1) * sizeof *f->binds);
	char tmp[24];

	if (np == NULL) {
		p->err = 1;
		return 0;
	}
	f->binds = np;
	f->binds[f->nbinds].is_text = is_text;
	f->binds[f->nbinds].text = is_text ? strdup(text) : NULL;
	f->binds[f->nbinds].num = num;
	f->nbinds++;
	snprintf(tmp, sizeof tmp, "?%d", p->base + (int)f->nbinds - 1);
	emit(p, tmp);
	return 1;
}

static int parse_expr(struct parser *p);

/* Splits "kind.key" and tells the kind: 'm', 'p', 't', 'a'. */
static int
ident_kind(struct parser *p, const char *id, char *kind, const char **key)
{
	const char *dot = strchr(id, '.');
	size_t n = dot ? (size_t)(dot - id) : 0;

	if (dot == NULL) {
		const struct attr *a = find_attr(id);

		if (a) {
			*kind = 'a';
			*key = id;
			return PL_OK;
		}
		return perr(p, p->pos, "unknown identifier '%s' (expected "
		    "metrics.KEY, params.KEY, tags.KEY or attributes.NAME)",
		    id);
	}
	*key = dot + 1;
	if (**key == '\0')
		return perr(p, p->pos + n + 1, "missing key after '%.*s.'",
		    (int)n, id);
#define IS(w) (n == strlen(w) && strncasecmp(id, w, n) == 0)
	if (IS("metrics") || IS("metric"))
		*kind = 'm';
	else if (IS("params") || IS("param") || IS("parameters"))
		*kind = 'p';
	else if (IS("tags") || IS("tag"))
		*kind = 't';
	else if (IS("attributes") || IS("attribute") || IS("attr") ||
	    IS("run"))
		*kind = 'a';
	else
		return perr(p, p->pos, "unknown entity '%.*s' (expected "
		    "metrics, params, tags or attributes)", (int)n, id);
#undef IS
	if (*kind == 'a' && find_attr(*key) == NULL)
		return perr(p, p->pos + n + 1, "unknown attribute '%s' "
		    "(status, name, user, host, experiment, run_id, "
		    "start_time, end_time, duration, exit_status, "
		    "git_commit, git_branch, git_dirty, command)", *key);
	return PL_OK;
}

static const char *
op_sql(enum tok t)
{
	switch (t) {
	case T_EQ: return " = ";
	case T_NE: return " != ";
	case T_LT: return " < ";
	case T_LE: return " <= ";
	case T_GT: return " > ";
	case T_GE: return " >= ";
	default: return NULL;
	}
}

/* Emits the value expression side for a literal compared with a text
 * column: a status is matched case-insensitively (MLflow writes
 * FINISHED, plumb stores finished). */
static int
emit_literal(struct parser *p, int numeric_col, int is_status)
{
	if (p->tok == T_NUMBER) {
		if (numeric_col)
			return add_bind(p, 0, NULL, p->num);
		return add_bind(p, 1, p->text, 0);
	}
	if (p->tok == T_STRING) {
		if (numeric_col) {
			char *end;
			double v = strtod(p->text, &end);

			if (*p->text == '\0' || *end != '\0')
				return perr(p, p->pos, "expected a number, "
				    "got '%s'", p->text) == PL_OK;
			return add_bind(p, 0, NULL, v);
		}
		if (is_status) {
			char *low = strdup(p->text);
			int ok;

			if (low == NULL)
				return 0;
			for (char *c = low; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			ok = add_bind(p, 1, low, 0);
			free(low);
			return ok;
		}
		return add_bind(p, 1, p->text, 0);
	}
	perr(p, p->pos, "expected a value (a number or a quoted string)");
	return 0;
}

/* cmp := ident op literal | ident [NOT] IN (...) | ident IS [NOT] NULL */
static int
cmp_body(struct parser *p, char *id)
{
	char kind;
	const char *key;
	const struct attr *a = NULL;
	size_t idpos = p->pos;
	enum tok op;
	int negate_in = 0, numeric, is_status = 0;
	const char *col;

	if (ident_kind(p, id, &kind, &key) != PL_OK)
		return PL_EINVAL;
	advance(p);
	op = p->tok;
	if (op == T_NOT) {
		advance(p);
		if (p->tok != T_IN && p->tok != T_LIKE && p->tok != T_ILIKE) {
			return perr(p, p->pos, "expected IN, LIKE or ILIKE "
			    "after NOT");
		}
		negate_in = 1;
		op = p->tok;
	}
	if (op == T_IS) {
		int isnot = 0;

		advance(p);
		if (p->tok == T_NOT) {
			isnot = 1;
			advance(p);
		}
		if (p->tok != T_NULL) {
			return perr(p, p->pos, "expected NULL after IS");
		}
		advance(p);
		if (kind == 'a') {
			emit(p, "(");
			emit(p, find_attr(key)->sql);
			emit(p, isnot ? " IS NOT NULL)" : " IS NULL)");
		} else {
			emit(p, isnot ? "(r.rid IN (SELECT run_id FROM " :
			    "(r.rid NOT IN (SELECT run_id FROM ");
			emit(p, kind == 'm' ? "metric_summary" : kind == 'p' ?
			    "params" : "tags");
			emit(p, " WHERE key_id = (SELECT id FROM keys WHERE "
			    "name = ");
			add_bind(p, 1, key, 0);
			emit(p, ")))");
		}
		return p->err ? PL_EINVAL : PL_OK;
	}
	if (op_sql(op) == NULL && op != T_LIKE && op != T_ILIKE && op != T_IN) {
		return perr(p, p->pos, "expected a comparison operator "
		    "(= != < <= > >= LIKE ILIKE IN) after '%s'", id);
	}
	if (kind == 'm' && (op == T_LIKE || op == T_ILIKE)) {
		return perr(p, p->pos, "metrics are numbers: LIKE and ILIKE "
		    "apply to params, tags and text attributes");
	}
	advance(p);
	/* Decide the column expression and whether it compares as numbers. */
	if (kind == 'a') {
		a = find_attr(key);
		col = a->sql;
		numeric = a->numeric;
		is_status = strcmp(a->sql, "r.status") == 0;
		emit(p, "(");
	} else {
		numeric = kind == 'm' || (p->tok == T_NUMBER && op != T_EQ &&
		    op != T_NE && op != T_IN);
		col = kind == 'm' ? "last" : numeric ? "CAST(value AS REAL)" :
		    "value";
		if (kind != 'm' && (op == T_EQ || op == T_IN) && !negate_in)
			p->saw_kv_eq = 1;
		if (kind == 'm' && p->metric_exists) {
			/* A probe of the run's own summary row: cheap when
			 * another condition already narrows the runs. */
			emit(p, "(EXISTS (SELECT 1 FROM metric_summary ms WHERE "
			    "ms.run_id = r.rid AND ms.key_id = (SELECT id FROM "
			    "keys WHERE name = ");
			add_bind(p, 1, key, 0);
			emit(p, ") AND ms.");
		} else {
			emit(p, "(r.rid IN (SELECT run_id FROM ");
			emit(p, kind == 'm' ? "metric_summary" : kind == 'p' ?
			    "params" : "tags");
			emit(p, " WHERE key_id = (SELECT id FROM keys WHERE "
			    "name = ");
			add_bind(p, 1, key, 0);
			emit(p, ") AND ");
		}
	}
	if (op == T_LIKE || op == T_ILIKE) {
		if (numeric) {
			return perr(p, idpos, "LIKE applies to text, and '%s' "
			    "is a number", key);
		}
		if (p->tok != T_STRING) {
			return perr(p, p->pos, "LIKE needs a quoted pattern");
		}
		emit(p, negate_in ? "NOT pl_like(" : "pl_like(");
		add_bind(p, 1, p->text, 0);
		emit(p, ", ");
		emit(p, col);
		emit(p, op == T_ILIKE ? ", 1)" : ", 0)");
		advance(p);
	} else if (op == T_IN) {
		if (p->tok != T_LPAREN) {
			return perr(p, p->pos, "expected '(' after IN");
		}
		emit(p, col);
		emit(p, negate_in ? " NOT IN (" : " IN (");
		advance(p);
		for (int first = 1;; first = 0) {
			if (!first)
				emit(p, ", ");
			if (!emit_literal(p, numeric, is_status)) {
				return PL_EINVAL;
			}
			advance(p);
			if (p->tok == T_COMMA) {
				advance(p);
				continue;
			}
			if (p->tok != T_RPAREN) {
				return perr(p, p->pos, "expected ',' or ')' in "
				    "the IN list");
			}
			advance(p);
			break;
		}
		emit(p, ")");
	} else {
		if (numeric && p->tok == T_STRING && kind == 'm') {
			return perr(p, p->pos, "metrics are numbers: compare "
			    "metrics.%s with a number, not a string", key);
		}
		if (kind != 'a' && !numeric && p->tok == T_NUMBER &&
		    op != T_EQ && op != T_NE) {
			/* unreachable: numbers with order ops are numeric */
		}
		emit(p, col);
		emit(p, op_sql(op));
		if (!emit_literal(p, numeric, is_status)) {
			return PL_EINVAL;
		}
		advance(p);
	}
	emit(p, kind == 'a' ? ")" : "))");
	return p->err ? PL_EINVAL : PL_OK;
}

/* Owns the identifier's text for the whole comparison, so error
 * messages can quote it. */
static int
parse_cmp(struct parser *p)
{
	char *id;
	int rc;

	if (p->tok != T_IDENT) {
		if (p->tok == T_END)
			return perr(p, p->pos, "expected a comparison, got "
			    "the end of the filter");
		return perr(p, p->pos, "expected a comparison such as "
		    "metrics.loss < 0.5");
	}
	id = p->text;
	p->text = NULL;
	rc = cmp_body(p, id);
	free(id);
	return rc;
}

static int
parse_factor(struct parser *p)
{
	if (++p->depth > 100)
		return perr(p, p->pos, "filter nested too deeply");
	if (p->tok == T_NOT) {
		advance(p);
		emit(p, "(NOT ");
		if (parse_factor(p) != PL_OK)
			return PL_EINVAL;
		emit(p, ")");
	} else if (p->tok == T_LPAREN) {
		size_t open = p->pos;

		advance(p);
		emit(p, "(");
		if (parse_expr(p) != PL_OK)
			return PL_EINVAL;
		if (p->tok != T_RPAREN)
			return perr(p, p->tok == T_END ? open : p->pos,
			    p->tok == T_END ? "unclosed '('" :
			    "expected ')', AND or OR");
		advance(p);
		emit(p, ")");
	} else if (parse_cmp(p) != PL_OK) {
		return PL_EINVAL;
	}
	p->depth--;
	return p->err ? PL_EINVAL : PL_OK;
}

static int
parse_term(struct parser *p)
{
	if (parse_factor(p) != PL_OK)
		return PL_EINVAL;
	while (p->tok == T_AND) {
		advance(p);
		emit(p, " AND ");
		if (parse_factor(p) != PL_OK)
			return PL_EINVAL;
	}
	return PL_OK;
}

static int
parse_expr(struct parser *p)
{
	if (parse_term(p) != PL_OK)
		return PL_EINVAL;
	while (p->tok == T_OR) {
		p->saw_or = 1;
		advance(p);
		emit(p, " OR ");
		if (parse_term(p) != PL_OK)
			return PL_EINVAL;
	}
	return PL_OK;
}

void
pl_filter_dispose(pl_filter *f)
{
	if (f == NULL)
		return;
	buf_free(&f->sql);
	for (size_t i = 0; i < f->nbinds; i++)
		free(f->binds[i].text);
	free(f->binds);
	f->binds = NULL;
	f->nbinds = 0;
}

static int
compile_pass(pl_filter *out, struct parser *p)
{
	if (p->errlen)
		p->errbuf[0] = '\0';
	advance(p);
	if (!p->err && p->tok == T_END)
		perr(p, 0, "empty filter");
	if (!p->err) {
		emit(p, "(");
		parse_expr(p);
		emit(p, ")");
	}
	if (!p->err && p->tok != T_END)
		perr(p, p->pos, p->tok == T_RPAREN ? "unmatched ')'" :
		    "expected AND, OR or the end of the filter");
	free(p->text);
	p->text = NULL;
	if (p->err) {
		if (p->errlen && p->errbuf[0] == '\0')
			snprintf(p->errbuf, p->errlen, "out of memory");
		pl_filter_dispose(out);
		return p->errcol ? PL_EINVAL : PL_ENOMEM;
	}
	return PL_OK;
}

/*
 * Plan choice.  A metric comparison is normally a set of run ids read
 * from the (key, value) index; a param or tag equality too.  When a
 * filter has no OR and names a param or tag equality, SQLite drives the
 * query from that (selective) set, and building the metric's set (tens
 * of thousands of ids) costs more than probing each candidate run's own
 * summary row: the metric comparisons are then compiled as EXISTS
 * probes instead.  Same rows either way; the first pass decides.
 */
int
pl_filter_compile(pl_filter *out, const char *text, int base, char *err,
    size_t err_len, size_t *err_col)
{
	struct parser p;
	int rc, exists;

	memset(out, 0, sizeof *out);
	memset(&p, 0, sizeof p);
	p.s = text;
	p.errbuf = err;
	p.errlen = err_len;
	p.out = out;
	p.base = base;
	*err_col = 0;
	rc = compile_pass(out, &p);
	*err_col = p.errcol;
	if (rc != PL_OK)
		return rc;
	exists = !p.saw_or && p.saw_kv_eq;
	if (!exists || strstr(buf_str(&out->sql), "metric_summary") == NULL)
		return PL_OK;
	pl_filter_dispose(out);
	memset(&p, 0, sizeof p);
	p.s = text;
	p.errbuf = err;
	p.errlen = err_len;
	p.out = out;
	p.base = base;
	p.metric_exists = 1;
	rc = compile_pass(out, &p);
	*err_col = p.errcol;
	return rc;
}

int
pl_filter_sort_key(char *kind, char **key, int *desc, const char *text,
    char *err, size_t err_len)
{
	struct parser p;
	const char *k;
	int rc = PL_OK;

	memset(&p, 0, sizeof p);
	*key = NULL;
	*desc = 0;
	while (isspace((unsigned char)*text))
		text++;
	if (*text == '-') {
		*desc = 1;
		text++;
	} else if (*text == '+') {
		text++;
	}
	p.s = text;
	p.errbuf = err;
	p.errlen = err_len;
	advance(&p);
	if (p.tok != T_IDENT) {
		free(p.text);
		snprintf(err, err_len, "bad sort key '%s' (expected e.g. "
		    "metrics.loss, -start_time or 'params.lr desc')", text);
		return PL_EINVAL;
	}
	if (ident_kind(&p, p.text, kind, &k) != PL_OK) {
		free(p.text);
		return PL_EINVAL;
	}
	*key = strdup(*kind == 'a' ? find_attr(k)->sql : k);
	free(p.text);
	p.text = NULL;
	advance(&p);
	if (p.tok == T_IDENT && p.text && strcasecmp(p.text, "desc") == 0) {
		*desc = !*desc;
		advance(&p);
	} else if (p.tok == T_IDENT && p.text &&
	    strcasecmp(p.text, "asc") == 0) {
		advance(&p);
	}
	if (p.tok != T_END && !p.err) {
		snprintf(err, err_len, "bad sort key '%s': unexpected text "
		    "at column %zu", text, p.pos + 1);
		rc = PL_EINVAL;
	}
	free(p.text);
	if (p.err)
		rc = PL_EINVAL;
	if (rc != PL_OK) {
		free(*key);
		*key = NULL;
	}
	return rc;
}

int
pl_like_match(const char *pat, const char *s, int nocase)
{
	/* Iterative wildcard match with one backtrack point, O(n*m) worst. */
	const char *star = NULL, *ss = NULL;

	while (*s) {
		if (*pat == '%') {
			star = pat++;
			ss = s;
			continue;
		}
		if (*pat && (*pat == '_' || *pat == *s || (nocase &&
		    tolower((unsigned char)*pat) == tolower((unsigned char)*s)))) {
			if (*pat == '_') {
				/* '_' is one character: skip a whole UTF-8
				 * sequence. */
				s++;
				while ((*s & 0xc0) == 0x80)
					s++;
				pat++;
				continue;
			}
			pat++;
			s++;
			continue;
		}
		if (star) {
			pat = star + 1;
			s = ++ss;
			continue;
		}
		return 0;
	}
	while (*pat == '%')
		pat++;
	return *pat == '\0';
}
