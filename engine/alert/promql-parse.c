/* promql-parse.c - the PromQL lexer and recursive-descent parser (the subset alert rules use), with type checks. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "promql.h"
#include "promql-int.h"

/*
 * Grammar and precedence follow promql/parser/generated_parser.y of
 * Prometheus 2.42: `or` < `and unless` < comparisons < `+ -` <
 * `* / %` < unary minus < `^` (right-associative), so -2^2 = -4.
 * Everything Prometheus has and plumb does not (subqueries, @, group_left,
 * functions and aggregations outside the subset, strings) is refused
 * with the column and the construct's name.  Errors are reported once:
 * the first one found stops the parse (a longjmp-free design: every
 * function returns NULL and the parser remembers the first message).
 */

enum tok {
	T_EOF, T_IDENT, T_NUM, T_DUR, T_STR,
	T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK,
	T_COMMA, T_COLON, T_AT,
	T_ASSIGN, T_NEQ, T_RE, T_NRE,
	T_EQL, T_GT, T_LT, T_GE, T_LE,
	T_ADD, T_SUB, T_MUL, T_DIV, T_MOD, T_POW,
	T_BAD
};

struct parser {
	const char *text;
	size_t len;
	/* current token */
	enum tok tok;
	size_t pos, end;	/* [pos, end) of the token */
	double num;
	int64_t dur;
	char *str;		/* T_STR: unquoted value (malloc'ed) */
	/* first error */
	int failed;
	size_t epos;
	char *err;
	size_t errlen;
};

static void
fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	p->epos = pos;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

/* ---- lexer -------------------------------------------------------------- */

static int
is_ident_start(int c)
{
	return isalpha(c) || c == '_' || c == ':';
}

static int
is_ident(int c)
{
	return isalnum(c) || c == '_' || c == ':';
}

/* Length of a duration at s ("5m", "1h30m"), 0 when none. */
static size_t
scan_duration(const char *s, size_t len)
{
	size_t i = 0, last = 0;

	while (i < len && isdigit((unsigned char)s[i])) {
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
		if (i + 1 < len && s[i] == 'm' && s[i + 1] == 's')
			i += 2;
		else if (i < len && strchr("smhdwy", s[i]) && s[i])
			i++;
		else
			break;
		last = i;
	}
	return last;
}

static const char *
tok_name(enum tok t)
{
	static const char *n[] = {
		"end of input", "identifier", "number", "duration", "string",
		"\"(\"", "\")\"", "\"{\"", "\"}\"", "\"[\"", "\"]\"",
		"\",\"", "\":\"", "\"@\"",
		"\"=\"", "\"!=\"", "\"=~\"", "\"!~\"",
		"\"==\"", "\">\"", "\"<\"", "\">=\"", "\"<=\"",
		"\"+\"", "\"-\"", "\"*\"", "\"/\"", "\"%\"", "\"^\"",
		"character"
	};
	return n[t];
}

/* Reads a quoted string starting at p->end (the quote); Go escapes. */
static int
lex_string(struct parser *p, size_t i)
{
	char q = p->text[i];
	struct buf b = BUF_INIT;

	i++;
	while (i < p->len && p->text[i] != q) {
		unsigned char c = (unsigned char)p->text[i];
		if (q != '`' && c == '\n')
			break;
		if (q != '`' && c == '\\') {
			i++;
			if (i >= p->len)
				break;
			c = (unsigned char)p->text[i];
			switch (c) {
			case 'n': buf_putc(&b, '\n'); break;
			case 't': buf_putc(&b, '\t'); break;
			case 'r': buf_putc(&b, '\r'); break;
			case 'a': buf_putc(&b, '\a'); break;
			case 'b': buf_putc(&b, '\b'); break;
			case 'f': buf_putc(&b, '\f'); break;
			case 'v': buf_putc(&b, '\v'); break;
			case '\\': case '"': case '\'': case '`':
				buf_putc(&b, (char)c);
				break;
			case 'x': {
				unsigned v;
				if (i + 2 < p->len && sscanf(p->text + i + 1,
				    "%2x", &v) == 1 &&
				    isxdigit((unsigned char)p->text[i + 1]) &&
				    isxdigit((unsigned char)p->text[i + 2])) {
					buf_putc(&b, (char)v);
					i += 2;
					break;
				}
			}
				/* fall through */
			default:
				buf_free(&b);
				fail(p, i - 1, "unknown escape sequence in string");
				return -1;
			}
			i++;
			continue;
		}
		buf_putc(&b, (char)c);
		i++;
	}
	if (i >= p->len || p->text[i] != q) {
		buf_free(&b);
		fail(p, p->pos, "unterminated quoted string");
		return -1;
	}
	free(p->str);
	p->str = buf_detach(&b);
	if (!p->str) {
		fail(p, p->pos, "out of memory");
		return -1;
	}
	p->end = i + 1;
	return 0;
}

static void
next(struct parser *p)
{
	size_t i = p->end;
	const char *s = p->text;

	if (p->failed) {
		p->tok = T_EOF;
		return;
	}
	for (;;) {
		while (i < p->len && isspace((unsigned char)s[i]))
			i++;
		if (i < p->len && s[i] == '#') {	/* comment to end of line */
			while (i < p->len && s[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	p->pos = i;
	if (i >= p->len) {
		p->tok = T_EOF;
		p->end = i;
		return;
	}
	char c = s[i], d = i + 1 < p->len ? s[i + 1] : 0;
	p->end = i + 1;
	switch (c) {
	case '(': p->tok = T_LPAREN; return;
	case ')': p->tok = T_RPAREN; return;
	case '{': p->tok = T_LBRACE; return;
	case '}': p->tok = T_RBRACE; return;
	case '[': p->tok = T_LBRACK; return;
	case ']': p->tok = T_RBRACK; return;
	case ',': p->tok = T_COMMA; return;
	case '@': p->tok = T_AT; return;
	case '+': p->tok = T_ADD; return;
	case '-': p->tok = T_SUB; return;
	case '*': p->tok = T_MUL; return;
	case '/': p->tok = T_DIV; return;
	case '%': p->tok = T_MOD; return;
	case '^': p->tok = T_POW; return;
	case '=':
		if (d == '=') { p->tok = T_EQL; p->end++; }
		else if (d == '~') { p->tok = T_RE; p->end++; }
		else p->tok = T_ASSIGN;
		return;
	case '!':
		if (d == '=') { p->tok = T_NEQ; p->end++; return; }
		if (d == '~') { p->tok = T_NRE; p->end++; return; }
		p->tok = T_BAD;
		fail(p, i, "unexpected character after '!': %s",
		    d ? (char[]){ '\'', d, '\'', 0 } : "end of input");
		return;
	case '>':
		if (d == '=') { p->tok = T_GE; p->end++; } else p->tok = T_GT;
		return;
	case '<':
		if (d == '=') { p->tok = T_LE; p->end++; } else p->tok = T_LT;
		return;
	case '"': case '\'': case '`':
		p->tok = T_STR;
		lex_string(p, i);
		return;
	}
	/* ':' followed by a letter starts an identifier (a recording
	 * rule's name may); alone it is the subquery colon. */
	if (c == ':' && !(isalpha((unsigned char)d) || d == '_' || d == ':')) {
		p->tok = T_COLON;
		return;
	}
	if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)d))) {
		size_t dl = scan_duration(s + i, p->len - i);
		if (dl && !(i + dl < p->len && (isalnum((unsigned char)s[i + dl]) ||
		    s[i + dl] == '_' || s[i + dl] == '.'))) {
			p->tok = T_DUR;
			p->end = i + dl;
			if (pq_parse_duration(s + i, dl, &p->dur) < 0)
				fail(p, i, "bad duration \"%.*s\"", (int)dl,
				    s + i);
			return;
		}
		/* A number: decimal with exponent, or hex. */
		size_t j = i;
		char tmp[128];
		if (c == '0' && (d == 'x' || d == 'X')) {
			j += 2;
			while (j < p->len && isxdigit((unsigned char)s[j]))
				j++;
		} else {
			while (j < p->len && isdigit((unsigned char)s[j]))
				j++;
			if (j < p->len && s[j] == '.') {
				j++;
				while (j < p->len && isdigit((unsigned char)s[j]))
					j++;
			}
			if (j < p->len && (s[j] == 'e' || s[j] == 'E')) {
				size_t k = j + 1;
				if (k < p->len && (s[k] == '+' || s[k] == '-'))
					k++;
				if (k < p->len && isdigit((unsigned char)s[k])) {
					j = k;
					while (j < p->len &&
					    isdigit((unsigned char)s[j]))
						j++;
				}
			}
		}
		if ((j < p->len && (is_ident(s[j]) || s[j] == '.')) ||
		    j - i >= sizeof tmp) {
			p->tok = T_BAD;
			fail(p, i, "bad number or duration syntax: \"%.*s\"",
			    (int)(j - i + 1 < 40 ? j - i + 1 : 40), s + i);
			return;
		}
		memcpy(tmp, s + i, j - i);
		tmp[j - i] = 0;
		errno = 0;
		p->num = strtod(tmp, NULL);
		p->tok = T_NUM;
		p->end = j;
		return;
	}
	if (is_ident_start((unsigned char)c)) {
		size_t j = i;
		while (j < p->len && is_ident((unsigned char)s[j]))
			j++;
		p->end = j;
		if ((j - i == 3 && strncasecmp(s + i, "inf", 3) == 0)) {
			p->tok = T_NUM;
			p->num = INFINITY;
			return;
		}
		if ((j - i == 3 && strncasecmp(s + i, "nan", 3) == 0)) {
			p->tok = T_NUM;
			p->num = NAN;
			return;
		}
		p->tok = T_IDENT;
		return;
	}
	p->tok = T_BAD;
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		fail(p, i, "unexpected character: 0x%02x", (unsigned char)c);
	else
		fail(p, i, "unexpected character: '%c'", c);
}

/* Is the current token the identifier kw (keywords are case-insensitive)? */
static int
is_kw(const struct parser *p, const char *kw)
{
	size_t n = strlen(kw);
	return p->tok == T_IDENT && p->end - p->pos == n &&
	    strncasecmp(p->text + p->pos, kw, n) == 0;
}

static char *
tok_text(const struct parser *p)
{
	return strndup(p->text + p->pos, p->end - p->pos);
}

/* Describes the current token for "unexpected X" messages. */
static void
unexpected(struct parser *p, const char *ctx)
{
	if (p->failed)
		return;
	if (p->tok == T_IDENT || p->tok == T_NUM || p->tok == T_DUR)
		fail(p, p->pos, "unexpected %s \"%.*s\"%s%s", tok_name(p->tok),
		    (int)(p->end - p->pos), p->text + p->pos,
		    ctx ? " " : "", ctx ? ctx : "");
	else
		fail(p, p->pos, "unexpected %s%s%s", tok_name(p->tok),
		    ctx ? " " : "", ctx ? ctx : "");
}

static int
expect(struct parser *p, enum tok t, const char *ctx)
{
	if (p->tok != t) {
		if (!p->failed) {
			char buf[160];
			snprintf(buf, sizeof buf, "%s, expected %s", ctx,
			    tok_name(t));
			unexpected(p, buf);
		}
		return -1;
	}
	next(p);
	return 0;
}

/* ---- nodes ---------------------------------------------------------------- */

static pq_node *
node(struct parser *p, enum pq_kind k, size_t pos)
{
	pq_node *n = calloc(1, sizeof *n);

	if (!n) {
		fail(p, pos, "out of memory");
		return NULL;
	}
	n->kind = k;
	n->pos = (int)pos;
	return n;
}

static void
free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
pq__node_free(pq_node *n)
{
	if (!n)
		return;
	free(n->name);
	for (size_t i = 0; i < n->nms; i++)
		pq_matcher_dispose(&n->ms[i]);
	free(n->ms);
	free_names(n->mlabels, n->nmlabels);
	free_names(n->grouping, n->ngrouping);
	pq__node_free(n->a);
	pq__node_free(n->b);
	for (size_t i = 0; i < n->nargs; i++)
		pq__node_free(n->args[i]);
	free(n->args);
	free(n);
}

const char *
pq_type_name(enum pq_type t)
{
	switch (t) {
	case PQ_T_SCALAR: return "scalar";
	case PQ_T_VECTOR: return "instant vector";
	case PQ_T_MATRIX: return "range vector";
	case PQ_T_STRING: return "string";
	default: return "none";
	}
}

/* ---- constructs outside the subset ------------------------------------- */

static const char *const unsupported_funcs[] = {
	"idelta", "deriv", "predict_linear", "resets", "changes",
	"label_replace", "label_join", "round", "ceil", "floor", "exp", "ln",
	"log2", "log10", "sqrt", "sgn", "clamp", "sort", "sort_desc",
	"timestamp", "day_of_month", "day_of_week", "day_of_year",
	"days_in_month", "hour", "minute", "month", "year", "holt_winters",
	"stddev_over_time", "stdvar_over_time", "present_over_time",
	"sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
	"asinh", "acosh", "atanh", "deg", "rad", "pi", "histogram_count",
	"histogram_sum", "histogram_fraction", "histogram_stddev",
	"histogram_stdvar", "mad_over_time", "sort_by_label",
	"sort_by_label_desc", "double_exponential_smoothing", "info",
	"last_over_time_", NULL
};

static const char *const unsupported_aggs[] = {
	"stddev", "stdvar", "topk", "bottomk", "count_values", "group",
	"limitk", "limit_ratio", NULL
};

static int
in_list(const char *const *l, const char *s, size_t n)
{
	for (; *l; l++)
		if (strlen(*l) == n && strncmp(*l, s, n) == 0)
			return 1;
	return 0;
}

static int
agg_of(const struct parser *p, enum pq_aggop *op)
{
	static const struct { const char *n; enum pq_aggop op; } a[] = {
		{ "sum", PQ_SUM }, { "avg", PQ_AVG }, { "min", PQ_MIN },
		{ "max", PQ_MAX }, { "count", PQ_COUNT },
		{ "quantile", PQ_QUANTILE },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
		if (is_kw(p, a[i].n)) {
			*op = a[i].op;
			return 1;
		}
	return 0;
}

/* ---- grammar ------------------------------------------------------------- */

static pq_node *parse_expr(struct parser *p, int minprec);

/* ( name, name, ... ) for by/without/on/ignoring. */
static int
parse_label_list(struct parser *p, char ***out, size_t *nout)
{
	char **v = NULL;
	size_t n = 0;

	if (expect(p, T_LPAREN, "in grouping opts") < 0)
		return -1;
	while (p->tok != T_RPAREN) {
		if (p->tok != T_IDENT) {
			unexpected(p, "in grouping opts, expected label");
			goto bad;
		}
		for (size_t i = p->pos; i < p->end; i++)
			if (p->text[i] == ':') {
				fail(p, p->pos, "unexpected identifier \"%.*s\" "
				    "in grouping opts, expected label",
				    (int)(p->end - p->pos), p->text + p->pos);
				goto bad;
			}
		char **nv = realloc(v, (n + 1) * sizeof *v);
		if (!nv) {
			fail(p, p->pos, "out of memory");
			goto bad;
		}
		v = nv;
		v[n++] = tok_text(p);
		next(p);
		if (p->tok == T_COMMA)
			next(p);
		else if (p->tok != T_RPAREN) {
			unexpected(p, "in grouping opts, expected \")\" or \",\"");
			goto bad;
		}
	}
	next(p);
	*out = v;
	*nout = n;
	return 0;
bad:
	free_names(v, n);
	return -1;
}

/* { name op "value", ... } into n (after an optional metric name). */
static int
parse_matchers(struct parser *p, pq_node *n)
{
	next(p);		/* { */
	while (p->tok != T_RBRACE) {
		pq_matcher m = { 0 };
		size_t mpos = p->pos;

		if (p->tok != T_IDENT) {
			unexpected(p, "in label matching, expected label");
			return -1;
		}
		m.name = tok_text(p);
		next(p);
		switch (p->tok) {
		case T_ASSIGN: m.type = PQ_MEQ; break;
		case T_NEQ: m.type = PQ_MNE; break;
		case T_RE: m.type = PQ_MRE; break;
		case T_NRE: m.type = PQ_MNRE; break;
		default:
			free(m.name);
			unexpected(p, "in label matching, expected one of "
			    "\"=\", \"!=\", \"=~\" or \"!~\"");
			return -1;
		}
		next(p);
		if (p->tok != T_STR) {
			free(m.name);
			unexpected(p, "in label matching, expected string");
			return -1;
		}
		m.value = p->str;
		p->str = NULL;
		char err[256];
		if (pq_matcher_compile(&m, err, sizeof err) < 0) {
			fail(p, p->pos, "%s", err);
			pq_matcher_dispose(&m);
			return -1;
		}
		next(p);
		pq_matcher *nm = realloc(n->ms, (n->nms + 1) * sizeof *nm);
		if (!nm) {
			pq_matcher_dispose(&m);
			fail(p, mpos, "out of memory");
			return -1;
		}
		n->ms = nm;
		n->ms[n->nms++] = m;
		if (p->tok == T_COMMA)
			next(p);
		else if (p->tok != T_RBRACE) {
			unexpected(p, "in label matching, expected \",\" or \"}\"");
			return -1;
		}
	}
	next(p);
	return 0;
}

static pq_node *
parse_selector(struct parser *p)
{
	pq_node *n = node(p, PQ_VSEL, p->pos);

	if (!n)
		return NULL;
	n->type = PQ_T_VECTOR;
	if (p->tok == T_IDENT) {
		n->name = tok_text(p);
		next(p);
	}
	if (p->tok == T_LBRACE && parse_matchers(p, n) < 0)
		goto bad;
	if (n->name) {
		for (size_t i = 0; i < n->nms; i++)
			if (strcmp(n->ms[i].name, "__name__") == 0) {
				fail(p, (size_t)n->pos, "metric name must not "
				    "be set twice: \"%s\" or \"%s\"", n->name,
				    n->ms[i].value);
				goto bad;
			}
		pq_matcher *nm = realloc(n->ms, (n->nms + 1) * sizeof *nm);
		if (!nm)
			goto oom;
		n->ms = nm;
		memmove(n->ms + 1, n->ms, n->nms * sizeof *nm);
		n->nms++;
		n->ms[0] = (pq_matcher){ .type = PQ_MEQ,
		    .name = strdup("__name__"), .value = strdup(n->name) };
		if (!n->ms[0].name || !n->ms[0].value)
			goto oom;
	}
	int nonempty = 0;
	for (size_t i = 0; i < n->nms; i++)
		if (!pq_matcher_matches(&n->ms[i], ""))
			nonempty = 1;
	if (!nonempty) {
		fail(p, (size_t)n->pos, "vector selector must contain at least "
		    "one non-empty matcher");
		goto bad;
	}
	return n;
oom:
	fail(p, (size_t)n->pos, "out of memory");
bad:
	pq__node_free(n);
	return NULL;
}

static pq_node *
parse_call(struct parser *p)
{
	size_t pos = p->pos, nlen = p->end - p->pos;
	const char *name = p->text + pos;
	const struct pq_func *fn = pq__func_lookup(name, nlen);
	pq_node *n;

	if (!fn) {
		if (in_list(unsupported_funcs, name, nlen))
			fail(p, pos, "function \"%.*s\" is not supported "
			    "(outside plumb's PromQL subset)", (int)nlen, name);
		else
			fail(p, pos, "unknown function with name \"%.*s\"",
			    (int)nlen, name);
		return NULL;
	}
	n = node(p, PQ_CALL, pos);
	if (!n)
		return NULL;
	n->fn = fn;
	n->type = fn->ret;
	next(p);		/* name */
	next(p);		/* ( */
	while (p->tok != T_RPAREN) {
		pq_node *a = parse_expr(p, 0);
		if (!a)
			goto bad;
		pq_node **na = realloc(n->args, (n->nargs + 1) * sizeof *na);
		if (!na) {
			pq__node_free(a);
			fail(p, pos, "out of memory");
			goto bad;
		}
		n->args = na;
		n->args[n->nargs++] = a;
		if (p->tok == T_COMMA)
			next(p);
		else if (p->tok != T_RPAREN) {
			unexpected(p, "in function call, expected \",\" or \")\"");
			goto bad;
		}
	}
	next(p);
	if (n->nargs < (size_t)fn->min_args ||
	    n->nargs > (size_t)fn->max_args) {
		if (fn->min_args == fn->max_args)
			fail(p, pos, "expected %d argument(s) in call to \"%s\", "
			    "got %zu", fn->min_args, fn->name, n->nargs);
		else if (n->nargs > (size_t)fn->max_args)
			fail(p, pos, "expected at most %d argument(s) in call "
			    "to \"%s\", got %zu", fn->max_args, fn->name,
			    n->nargs);
		else
			fail(p, pos, "expected at least %d argument(s) in call "
			    "to \"%s\", got %zu", fn->min_args, fn->name,
			    n->nargs);
		goto bad;
	}
	for (size_t i = 0; i < n->nargs; i++)
		if (n->args[i]->type != fn->args[i]) {
			fail(p, (size_t)n->args[i]->pos, "expected type %s in "
			    "call to function \"%s\", got %s",
			    pq_type_name(fn->args[i]), fn->name,
			    pq_type_name(n->args[i]->type));
			goto bad;
		}
	return n;
bad:
	pq__node_free(n);
	return NULL;
}

static int
parse_grouping(struct parser *p, pq_node *n)
{
	if (n->grouping || n->without) {
		unexpected(p, "in aggregation");
		return -1;
	}
	n->without = is_kw(p, "without");
	next(p);
	if (parse_label_list(p, &n->grouping, &n->ngrouping) < 0)
		return -1;
	if (!n->grouping) {	/* by () : keep an empty, non-NULL list */
		n->grouping = calloc(1, sizeof(char *));
		if (!n->grouping) {
			fail(p, p->pos, "out of memory");
			return -1;
		}
	}
	return 0;
}

static pq_node *
parse_agg(struct parser *p, enum pq_aggop op)
{
	pq_node *n = node(p, PQ_AGG, p->pos);
	size_t pos = p->pos;

	if (!n)
		return NULL;
	n->agg = op;
	n->type = PQ_T_VECTOR;
	next(p);
	if ((is_kw(p, "by") || is_kw(p, "without")) && parse_grouping(p, n) < 0)
		goto bad;
	if (expect(p, T_LPAREN, "in aggregation") < 0)
		goto bad;
	if (op == PQ_QUANTILE) {
		n->b = parse_expr(p, 0);
		if (!n->b)
			goto bad;
		if (expect(p, T_COMMA, "in aggregation") < 0)
			goto bad;
	}
	n->a = parse_expr(p, 0);
	if (!n->a)
		goto bad;
	if (p->tok == T_COMMA) {
		fail(p, p->pos, "aggregation takes %s argument(s)",
		    op == PQ_QUANTILE ? "2" : "1");
		goto bad;
	}
	if (expect(p, T_RPAREN, "in aggregation") < 0)
		goto bad;
	if ((is_kw(p, "by") || is_kw(p, "without")) && parse_grouping(p, n) < 0)
		goto bad;
	if (n->a->type != PQ_T_VECTOR) {
		fail(p, (size_t)n->a->pos, "expected type instant vector in "
		    "aggregation expression, got %s", pq_type_name(n->a->type));
		goto bad;
	}
	if (n->b && n->b->type != PQ_T_SCALAR) {
		fail(p, (size_t)n->b->pos, "expected type scalar in "
		    "aggregation parameter, got %s", pq_type_name(n->b->type));
		goto bad;
	}
	(void)pos;
	return n;
bad:
	pq__node_free(n);
	return NULL;
}

static pq_node *
parse_primary(struct parser *p)
{
	enum pq_aggop agg;
	pq_node *n;
	size_t pos = p->pos;

	switch (p->tok) {
	case T_NUM:
		n = node(p, PQ_NUMBER, pos);
		if (n) {
			n->num = p->num;
			n->type = PQ_T_SCALAR;
		}
		next(p);
		return n;
	case T_STR:
		fail(p, pos, "string literals are not supported (outside "
		    "plumb's PromQL subset)");
		return NULL;
	case T_LPAREN:
		next(p);
		n = node(p, PQ_PAREN, pos);
		if (!n)
			return NULL;
		n->a = parse_expr(p, 0);
		if (!n->a || expect(p, T_RPAREN, "in parentheses") < 0) {
			pq__node_free(n);
			return NULL;
		}
		n->type = n->a->type;
		return n;
	case T_LBRACE:
		return parse_selector(p);
	case T_IDENT: {
		size_t nlen = p->end - p->pos;
		const char *name = p->text + p->pos;
		/* Peek past the identifier (and spaces) for "(". */
		size_t j = p->end;
		while (j < p->len && isspace((unsigned char)p->text[j]))
			j++;
		int call = j < p->len && p->text[j] == '(';
		int grouping_after = 0;
		if (!call) {
			/* sum by (x) (...) / sum without (x) (...) */
			struct parser q = *p;
			q.str = NULL;
			q.err = (char[64]){ 0 };
			q.errlen = 64;
			next(&q);
			grouping_after = is_kw(&q, "by") || is_kw(&q, "without");
			free(q.str);
		}
		if (agg_of(p, &agg) && (call || grouping_after))
			return parse_agg(p, agg);
		if (in_list(unsupported_aggs, name, nlen) &&
		    (call || grouping_after)) {
			fail(p, pos, "aggregation \"%.*s\" is not supported "
			    "(outside plumb's PromQL subset)", (int)nlen, name);
			return NULL;
		}
		if (call)
			return parse_call(p);
		static const char *const kws[] = { "by", "without", "on",
		    "ignoring", "bool", "offset", "and", "or", "unless",
		    "group_left", "group_right", NULL };
		for (size_t i = 0; kws[i]; i++)
			if (is_kw(p, kws[i])) {
				fail(p, pos, "unexpected keyword \"%.*s\"",
				    (int)nlen, name);
				return NULL;
			}
		return parse_selector(p);
	}
	default:
		unexpected(p, NULL);
		return NULL;
	}
}

/* Range, offset and the refused subquery / @ after a primary. */
static pq_node *
parse_postfix(struct parser *p)
{
	pq_node *n = parse_primary(p);

	if (!n)
		return NULL;
	if (p->tok == T_LBRACK) {
		size_t bpos = p->pos;
		next(p);
		if (p->tok != T_DUR) {
			if (p->tok == T_NUM)
				fail(p, p->pos, "bad duration: missing unit "
				    "(ms s m h d w y)");
			else
				unexpected(p, "in range, expected duration");
			goto bad;
		}
		int64_t d = p->dur;
		size_t dpos = p->pos;
		next(p);
		if (p->tok == T_COLON) {
			fail(p, bpos, "subqueries are not supported (outside "
			    "plumb's PromQL subset)");
			goto bad;
		}
		if (expect(p, T_RBRACK, "in range") < 0)
			goto bad;
		if (n->kind != PQ_VSEL) {
			fail(p, bpos, "ranges only allowed for vector selectors");
			goto bad;
		}
		if (d <= 0) {
			fail(p, dpos, "duration must be greater than 0");
			goto bad;
		}
		n->kind = PQ_MSEL;
		n->type = PQ_T_MATRIX;
		n->range = d;
	}
	if (is_kw(p, "offset")) {
		size_t opos = p->pos;
		next(p);
		if (n->kind != PQ_VSEL && n->kind != PQ_MSEL) {
			fail(p, opos, "offset modifier must be preceded by an "
			    "instant vector selector or range vector selector");
			goto bad;
		}
		if (p->tok == T_SUB) {
			fail(p, p->pos, "negative offsets are not supported "
			    "(outside plumb's PromQL subset)");
			goto bad;
		}
		if (p->tok != T_DUR) {
			unexpected(p, "in offset, expected duration");
			goto bad;
		}
		n->offset = p->dur;
		next(p);
	}
	if (p->tok == T_AT) {
		fail(p, p->pos, "the @ modifier is not supported (outside "
		    "plumb's PromQL subset)");
		goto bad;
	}
	if (p->tok == T_LBRACK) {
		fail(p, p->pos, n->kind == PQ_MSEL ? "subqueries are not "
		    "supported (outside plumb's PromQL subset)" :
		    "ranges only allowed for vector selectors");
		goto bad;
	}
	return n;
bad:
	pq__node_free(n);
	return NULL;
}

/* The binary operator at the current token, with its precedence. */
static int
binop(const struct parser *p, enum pq_op *op)
{
	switch (p->tok) {
	case T_ADD: *op = PQ_ADD; return 4;
	case T_SUB: *op = PQ_SUB; return 4;
	case T_MUL: *op = PQ_MUL; return 5;
	case T_DIV: *op = PQ_DIV; return 5;
	case T_MOD: *op = PQ_MOD; return 5;
	case T_POW: *op = PQ_POW; return 7;
	case T_EQL: *op = PQ_EQ; return 3;
	case T_NEQ: *op = PQ_NE; return 3;
	case T_GT: *op = PQ_GT; return 3;
	case T_LT: *op = PQ_LT; return 3;
	case T_GE: *op = PQ_GE; return 3;
	case T_LE: *op = PQ_LE; return 3;
	default: break;
	}
	if (is_kw(p, "and")) { *op = PQ_AND; return 2; }
	if (is_kw(p, "unless")) { *op = PQ_UNLESS; return 2; }
	if (is_kw(p, "or")) { *op = PQ_OR; return 1; }
	if (is_kw(p, "atan2")) { *op = PQ_ADD; return -2; }
	return -1;
}

static const char *
op_name(enum pq_op op)
{
	static const char *n[] = { "+", "-", "*", "/", "%", "^", "==", "!=",
	    ">", "<", ">=", "<=", "and", "or", "unless" };
	return n[op];
}

int
pq__is_comparison(enum pq_op op)
{
	return op >= PQ_EQ && op <= PQ_LE;
}

int
pq__is_setop(enum pq_op op)
{
	return op == PQ_AND || op == PQ_OR || op == PQ_UNLESS;
}

/* Unary minus/plus binds tighter than * but looser than ^. */
static pq_node *
parse_unary(struct parser *p)
{
	if (p->tok == T_SUB || p->tok == T_ADD) {
		size_t pos = p->pos;
		int neg = p->tok == T_SUB;
		next(p);
		pq_node *a = parse_expr(p, 6);
		if (!a)
			return NULL;
		if (a->type != PQ_T_SCALAR && a->type != PQ_T_VECTOR) {
			fail(p, pos, "unary expression only allowed on "
			    "expressions of type scalar or instant vector, got "
			    "%s", pq_type_name(a->type));
			pq__node_free(a);
			return NULL;
		}
		if (!neg)
			return a;
		if (a->kind == PQ_NUMBER) {
			a->num = -a->num;
			a->pos = (int)pos;
			return a;
		}
		pq_node *n = node(p, PQ_NEG, pos);
		if (!n) {
			pq__node_free(a);
			return NULL;
		}
		n->a = a;
		n->type = a->type;
		return n;
	}
	return parse_postfix(p);
}

static pq_node *
parse_expr(struct parser *p, int minprec)
{
	pq_node *lhs = parse_unary(p);
	enum pq_op op;
	int prec;

	while (lhs && (prec = binop(p, &op)) != -1 && (prec >= minprec ||
	    prec == -2)) {
		size_t opos = p->pos;
		if (prec == -2) {
			fail(p, opos, "operator \"atan2\" is not supported "
			    "(outside plumb's PromQL subset)");
			goto bad;
		}
		pq_node *n = node(p, PQ_BINARY, opos);
		if (!n)
			goto bad;
		n->op = op;
		n->a = lhs;
		lhs = n;
		next(p);
		if (is_kw(p, "bool")) {
			if (!pq__is_comparison(op)) {
				fail(p, p->pos, "bool modifier can only be used "
				    "on comparison operators");
				goto bad;
			}
			n->bool_mod = 1;
			next(p);
		}
		if (is_kw(p, "on") || is_kw(p, "ignoring")) {
			n->matching = is_kw(p, "on") ? 1 : 2;
			next(p);
			if (parse_label_list(p, &n->mlabels, &n->nmlabels) < 0)
				goto bad;
			if (is_kw(p, "group_left") || is_kw(p, "group_right")) {
				fail(p, p->pos, "\"%.*s\" (many-to-one "
				    "matching) is not supported (outside "
				    "plumb's PromQL subset)",
				    (int)(p->end - p->pos), p->text + p->pos);
				goto bad;
			}
		}
		if (is_kw(p, "group_left") || is_kw(p, "group_right")) {
			unexpected(p, NULL);
			goto bad;
		}
		n->b = parse_expr(p, op == PQ_POW ? prec : prec + 1);
		if (!n->b)
			goto bad;
		enum pq_type lt = n->a->type, rt = n->b->type;
		if (lt != PQ_T_SCALAR && lt != PQ_T_VECTOR) {
			fail(p, (size_t)n->a->pos, "binary expression must "
			    "contain only scalar and instant vector types");
			goto bad;
		}
		if (rt != PQ_T_SCALAR && rt != PQ_T_VECTOR) {
			fail(p, (size_t)n->b->pos, "binary expression must "
			    "contain only scalar and instant vector types");
			goto bad;
		}
		if (pq__is_comparison(op) && !n->bool_mod &&
		    lt == PQ_T_SCALAR && rt == PQ_T_SCALAR) {
			fail(p, opos, "comparisons between scalars must use "
			    "BOOL modifier");
			goto bad;
		}
		if ((lt == PQ_T_SCALAR || rt == PQ_T_SCALAR) && pq__is_setop(op)) {
			fail(p, opos, "set operator \"%s\" not allowed in binary "
			    "scalar expression", op_name(op));
			goto bad;
		}
		if ((lt != PQ_T_VECTOR || rt != PQ_T_VECTOR) && n->matching) {
			if (n->nmlabels) {
				fail(p, opos, "vector matching only allowed "
				    "between instant vectors");
				goto bad;
			}
			n->matching = 0;
		}
		n->type = (lt == PQ_T_VECTOR || rt == PQ_T_VECTOR) ?
		    PQ_T_VECTOR : PQ_T_SCALAR;
	}
	return lhs;
bad:
	pq__node_free(lhs);
	return NULL;
}

int
pq_parse(pq_expr **out, const char *text, int *col, char *err, size_t errlen)
{
	struct parser p = { .text = text, .len = strlen(text), .err = err,
	    .errlen = errlen };
	pq_node *root;

	*out = NULL;
	*col = 0;
	if (errlen)
		err[0] = 0;
	next(&p);
	if (p.tok == T_EOF && !p.failed) {
		fail(&p, 0, "no expression found in input");
		root = NULL;
	} else
		root = parse_expr(&p, 0);
	if (root && p.tok != T_EOF && !p.failed) {
		if (p.tok == T_IDENT)
			fail(&p, p.pos, "unexpected identifier \"%.*s\"",
			    (int)(p.end - p.pos), p.text + p.pos);
		else
			unexpected(&p, NULL);
	}
	free(p.str);
	if (p.failed || !root) {
		pq__node_free(root);
		if (!p.failed)
			fail(&p, p.pos, "syntax error");
		*col = (int)p.epos + 1;
		return -1;
	}
	pq_expr *e = calloc(1, sizeof *e);
	if (!e || !(e->text = strdup(text))) {
		free(e);
		pq__node_free(root);
		snprintf(err, errlen, "out of memory");
		*col = 1;
		return -1;
	}
	e->root = root;
	*out = e;
	return 0;
}

void
pq_expr_free(pq_expr *e)
{
	if (!e)
		return;
	pq__node_free(e->root);
	free(e->text);
	free(e);
}

enum pq_type
pq_expr_type(const pq_expr *e)
{
	return e->root->type;
}

/* ---- durations ----------------------------------------------------------- */

/* model.ParseDuration: units largest first, each at most once; "0" alone. */
int
pq_parse_duration(const char *s, size_t len, int64_t *ms)
{
	static const struct { const char *u; int64_t ms; } units[] = {
		{ "y", 365LL * 86400000 }, { "w", 7LL * 86400000 },
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "s", 1000 }, { "ms", 1 },
	};
	size_t i = 0, u = 0;
	int64_t total = 0;

	*ms = 0;
	if (len == 1 && s[0] == '0')
		return 0;
	if (len == 0)
		return -1;
	while (i < len) {
		int64_t v = 0;
		size_t start = i;
		while (i < len && isdigit((unsigned char)s[i])) {
			if (v > INT64_MAX / 10)
				return -1;
			v = v * 10 + (s[i] - '0');
			i++;
		}
		if (i == start)
			return -1;
		size_t k;
		for (k = u; k < sizeof units / sizeof units[0]; k++) {
			size_t ul = strlen(units[k].u);
			if (i + ul <= len && strncmp(s + i, units[k].u, ul) == 0 &&
			    !(ul == 1 && units[k].u[0] == 'm' && i + 1 < len &&
			    s[i + 1] == 's'))
				break;
		}
		if (k == sizeof units / sizeof units[0])
			return -1;
		if (v > INT64_MAX / units[k].ms)
			return -1;
		total += v * units[k].ms;
		i += strlen(units[k].u);
		u = k + 1;
	}
	*ms = total;
	return 0;
}

void
pq_fmt_duration(char *out, size_t len, int64_t ms)
{
	static const struct { char u[3]; int64_t ms; } units[] = {
		{ "y", 365LL * 86400000 }, { "w", 7LL * 86400000 },
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "s", 1000 }, { "ms", 1 },
	};
	size_t o = 0;

	if (ms == 0) {
		snprintf(out, len, "0s");
		return;
	}
	out[0] = 0;
	if (ms < 0) {
		o += (size_t)snprintf(out, len, "-");
		ms = -ms;
	}
	for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
		if (ms >= units[k].ms) {
			int64_t v = ms / units[k].ms;
			ms -= v * units[k].ms;
			if (o < len)
				o += (size_t)snprintf(out + o, len - o,
				    "%lld%s", (long long)v, units[k].u);
		}
	}
}

/* ---- metric notation (promtool's series and exp_samples labels) ------- */

int
pq_parse_metric(pq_labels **out, const char *text, int *col, char *err,
    size_t errlen)
{
	struct parser p = { .text = text, .len = strlen(text), .err = err,
	    .errlen = errlen };
	pq_node *n = node(&p, PQ_VSEL, 0);
	pq_label *l = NULL;
	int rc = -1;

	*out = NULL;
	*col = 0;
	if (!n)
		goto done;
	next(&p);
	if (p.tok == T_IDENT) {
		n->name = tok_text(&p);
		next(&p);
	}
	if (p.tok == T_LBRACE && parse_matchers(&p, n) < 0)
		goto done;
	if (!p.failed && p.tok != T_EOF) {
		unexpected(&p, "in metric");
		goto done;
	}
	if (p.failed)
		goto done;
	l = calloc(n->nms + 1, sizeof *l);
	if (!l)
		goto done;
	size_t k = 0;
	if (n->name)
		l[k++] = (pq_label){ "__name__", n->name };
	for (size_t i = 0; i < n->nms; i++) {
		if (n->ms[i].type != PQ_MEQ) {
			fail(&p, 0, "labels of a metric must use \"=\"");
			goto done;
		}
		l[k++] = (pq_label){ n->ms[i].name, n->ms[i].value };
	}
	*out = pq_labels_new(l, k);
	rc = *out ? 0 : -1;
	if (rc)
		fail(&p, 0, "out of memory");
done:
	if (rc && !p.failed)
		fail(&p, p.pos, "syntax error");
	if (rc)
		*col = (int)p.epos + 1;
	free(l);
	free(p.str);
	pq__node_free(n);
	return rc;
}
