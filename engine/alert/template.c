/* template.c - the Go text/template subset of alert labels and annotations ({{ $value }}, {{ $labels.x }}, humanize, printf). */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "template.h"

/*
 * Prometheus expands rule labels and annotations with Go's text/template
 * (template/template.go), option missingkey=zero, after prepending
 * {{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}
 * {{$externalURL := .ExternalURL}}{{$value := .Value}}.  This file does
 * the part rules use: text, {{ pipeline }} actions with variables and
 * fields ($labels.x, .Labels.x, $value, .Value, $externalLabels.x,
 * $externalURL), string and number literals, function calls and pipes
 * (printf, print, humanize, humanize1024, humanizePercentage,
 * humanizeDuration, toUpper, toLower, stripPort), comments and the {{- -}}
 * trim markers.  Control structures (if, range, with, define...) and
 * the functions that query are refused when the rule file loads, with
 * the position, so a file never half-renders.
 */

enum opk { O_VAR, O_DOT, O_STR, O_NUM, O_FUNC };

struct operand {
	enum opk kind;
	char *name;		/* variable without $, or function */
	char **fields;		/* .a.b after a variable or the dot */
	size_t nfields;
	char *str;
	double num;
};

struct command {
	struct operand *ops;
	size_t nops;
};

struct part {
	char *text;		/* literal text, or NULL for an action */
	struct command *cmds;	/* the pipeline */
	size_t ncmds;
};

struct tmpl {
	struct part *parts;
	size_t nparts;
};

static const char *const funcs[] = {
	"printf", "print", "humanize", "humanize1024", "humanizePercentage",
	"humanizeDuration", "toUpper", "toLower", "stripPort", NULL
};

/* Prometheus and Go functions plumb does not run, named in the refusal. */
static const char *const refused[] = {
	"query", "first", "label", "value", "strvalue", "args", "reReplaceAll",
	"safeHtml", "match", "title", "graphLink", "tableLink", "sortByLabel",
	"humanizeTimestamp", "pathPrefix", "externalURL", "parseDuration",
	"stripDomain", "toTime", "and", "or", "not", "len", "index", "println",
	"eq", "ne", "lt", "le", "gt", "ge", "html", "js", "urlquery", "slice",
	"call", NULL
};

static const char *const keywords[] = {
	"if", "else", "end", "range", "with", "define", "template", "block",
	"break", "continue", NULL
};

static int
in(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

static void
free_operand(struct operand *o)
{
	free(o->name);
	for (size_t i = 0; i < o->nfields; i++)
		free(o->fields[i]);
	free(o->fields);
	free(o->str);
}

void
tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nparts; i++) {
		free(t->parts[i].text);
		for (size_t c = 0; c < t->parts[i].ncmds; c++) {
			for (size_t o = 0; o < t->parts[i].cmds[c].nops; o++)
				free_operand(&t->parts[i].cmds[c].ops[o]);
			free(t->parts[i].cmds[c].ops);
		}
		free(t->parts[i].cmds);
	}
	free(t->parts);
	free(t);
}

struct tparse {
	const char *s;
	size_t i, end;		/* inside an action: [i, end) */
	size_t *epos;
	char *err;
	size_t errlen;
	int failed;
};

static int
tfail(struct tparse *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (!p->failed) {
		p->failed = 1;
		*p->epos = pos;
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
add_part(struct tmpl *t, struct part pt)
{
	struct part *np = realloc(t->parts, (t->nparts + 1) * sizeof *np);
	if (!np)
		return -1;
	t->parts = np;
	t->parts[t->nparts++] = pt;
	return 0;
}

static char *
ident(struct tparse *p)
{
	size_t j = p->i;
	while (j < p->end && (isalnum((unsigned char)p->s[j]) || p->s[j] == '_'))
		j++;
	char *r = strndup(p->s + p->i, j - p->i);
	p->i = j;
	return r;
}

static int
fields(struct tparse *p, struct operand *o)
{
	while (p->i < p->end && p->s[p->i] == '.' && p->i + 1 < p->end &&
	    (isalnum((unsigned char)p->s[p->i + 1]) || p->s[p->i + 1] == '_')) {
		p->i++;
		char **nf = realloc(o->fields, (o->nfields + 1) * sizeof *nf);
		if (!nf)
			return tfail(p, p->i, "out of memory");
		o->fields = nf;
		o->fields[o->nfields++] = ident(p);
	}
	return 0;
}

static int
parse_operand(struct tparse *p, struct operand *o, int first)
{
	size_t pos = p->i;
	char c = p->s[p->i];

	memset(o, 0, sizeof *o);
	if (c == '$') {
		p->i++;
		o->kind = O_VAR;
		o->name = ident(p);
		return fields(p, o);
	}
	if (c == '.') {
		o->kind = O_DOT;
		if (p->i + 1 < p->end && (isalnum((unsigned char)p->s[p->i + 1]) ||
		    p->s[p->i + 1] == '_'))
			return fields(p, o);
		p->i++;
		return 0;
	}
	if (c == '"' || c == '`') {
		struct buf b = BUF_INIT;
		p->i++;
		while (p->i < p->end && p->s[p->i] != c) {
			if (c == '"' && p->s[p->i] == '\\' && p->i + 1 < p->end) {
				char e = p->s[++p->i];
				buf_putc(&b, e == 'n' ? '\n' : e == 't' ? '\t' :
				    e == 'r' ? '\r' : e);
			} else
				buf_putc(&b, p->s[p->i]);
			p->i++;
		}
		if (p->i >= p->end) {
			buf_free(&b);
			return tfail(p, pos, "unterminated quoted string");
		}
		p->i++;
		o->kind = O_STR;
		o->str = buf_detach(&b);
		return o->str ? 0 : tfail(p, pos, "out of memory");
	}
	if (isdigit((unsigned char)c) || c == '-' || c == '+') {
		char *endp;
		o->kind = O_NUM;
		o->num = strtod(p->s + p->i, &endp);
		if (endp == p->s + p->i)
			return tfail(p, pos, "bad number syntax");
		p->i = (size_t)(endp - p->s);
		return 0;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		o->name = ident(p);
		o->kind = O_FUNC;
		if (in(keywords, o->name))
			return tfail(p, pos, "template action \"%s\" is not "
			    "supported (plumb templates are values, functions "
			    "and pipes)", o->name);
		if (strcmp(o->name, "nil") == 0 || strcmp(o->name, "true") == 0 ||
		    strcmp(o->name, "false") == 0)
			return tfail(p, pos, "\"%s\" is not supported", o->name);
		if (in(refused, o->name))
			return tfail(p, pos, "function \"%s\" is not supported "
			    "by plumb", o->name);
		if (!in(funcs, o->name))
			return tfail(p, pos, "function \"%s\" not defined",
			    o->name);
		(void)first;
		return 0;
	}
	if (c == '(')
		return tfail(p, pos, "parenthesized pipelines are not supported");
	if (c == ':' || c == '=')
		return tfail(p, pos, "variable declarations are not supported");
	return tfail(p, pos, "unexpected \"%c\" in command", c);
}

static int
parse_action(struct tparse *p, struct part *pt)
{
	struct command cmd = { 0 };

	for (;;) {
		while (p->i < p->end && isspace((unsigned char)p->s[p->i]))
			p->i++;
		if (p->i >= p->end || p->s[p->i] == '|') {
			if (cmd.nops == 0)
				return tfail(p, p->i, "missing value for command");
			struct command *nc = realloc(pt->cmds, (pt->ncmds + 1) *
			    sizeof *nc);
			if (!nc)
				return tfail(p, p->i, "out of memory");
			pt->cmds = nc;
			pt->cmds[pt->ncmds++] = cmd;
			memset(&cmd, 0, sizeof cmd);
			if (p->i >= p->end)
				break;
			p->i++;
			continue;
		}
		struct operand o;
		if (parse_operand(p, &o, cmd.nops == 0) < 0) {
			free_operand(&o);
			goto bad;
		}
		if (p->i < p->end && !isspace((unsigned char)p->s[p->i]) &&
		    p->s[p->i] != '|') {
			free_operand(&o);
			tfail(p, p->i, "unexpected \"%c\" in operand",
			    p->s[p->i]);
			goto bad;
		}
		struct operand *no = realloc(cmd.ops, (cmd.nops + 1) * sizeof *no);
		if (!no) {
			free_operand(&o);
			tfail(p, p->i, "out of memory");
			goto bad;
		}
		cmd.ops = no;
		cmd.ops[cmd.nops++] = o;
	}
	/* Only the first command of a pipeline may take no function... and
	 * later ones must be function calls. */
	for (size_t c = 1; c < pt->ncmds; c++)
		if (pt->cmds[c].ops[0].kind != O_FUNC)
			return tfail(p, p->end, "non executable command in "
			    "pipeline stage %zu", c + 1);
	for (size_t c = 0; c < pt->ncmds; c++)
		for (size_t o = 1; o < pt->cmds[c].nops; o++)
			if (pt->cmds[c].ops[o].kind == O_FUNC)
				return tfail(p, p->end, "function \"%s\" as an "
				    "argument is not supported",
				    pt->cmds[c].ops[o].name);
	return 0;
bad:
	for (size_t o = 0; o < cmd.nops; o++)
		free_operand(&cmd.ops[o]);
	free(cmd.ops);
	return -1;
}

int
tmpl_parse(struct tmpl **out, const char *s, size_t *epos, char *err,
    size_t errlen)
{
	struct tmpl *t = calloc(1, sizeof *t);
	struct tparse p = { .s = s, .epos = epos, .err = err, .errlen = errlen };
	size_t len = strlen(s), i = 0;
	int trim_next = 0;

	*out = NULL;
	*epos = 0;
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (i <= len) {
		const char *open = strstr(s + i, "{{");
		size_t tend = open ? (size_t)(open - s) : len;
		size_t tstart = i;
		if (trim_next)
			while (tstart < tend && isspace((unsigned char)s[tstart]))
				tstart++;
		int trim_prev = open && open[2] == '-' && open[3] &&
		    isspace((unsigned char)open[3]);
		size_t te = tend;
		if (trim_prev)
			while (te > tstart && isspace((unsigned char)s[te - 1]))
				te--;
		if (te > tstart) {
			struct part pt = { .text = strndup(s + tstart, te - tstart) };
			if (!pt.text || add_part(t, pt) < 0) {
				free(pt.text);
				tfail(&p, i, "out of memory");
				goto bad;
			}
		}
		if (!open)
			break;
		size_t a = tend + 2 + (trim_prev ? 2 : 0);
		const char *close = strstr(s + a, "}}");
		if (!close) {
			tfail(&p, tend, "unclosed action");
			goto bad;
		}
		size_t b = (size_t)(close - s);
		trim_next = 0;
		if (b >= a + 2 && s[b - 1] == '-' && isspace((unsigned char)s[b - 2])) {
			trim_next = 1;
			b -= 2;
		}
		/* comments */
		size_t ca = a;
		while (ca < b && isspace((unsigned char)s[ca]))
			ca++;
		if (b >= ca + 4 && strncmp(s + ca, "/*", 2) == 0) {
			i = (size_t)(close - s) + 2;
			continue;
		}
		struct part pt = { 0 };
		p.i = a;
		p.end = b;
		if (parse_action(&p, &pt) < 0 || add_part(t, pt) < 0) {
			for (size_t c = 0; c < pt.ncmds; c++) {
				for (size_t o = 0; o < pt.cmds[c].nops; o++)
					free_operand(&pt.cmds[c].ops[o]);
				free(pt.cmds[c].ops);
			}
			free(pt.cmds);
			tfail(&p, a, "out of memory");
			goto bad;
		}
		i = (size_t)(close - s) + 2;
	}
	*out = t;
	return 0;
bad:
	tmpl_free(t);
	return -1;
}

/* ---- execution ----------------------------------------------------------- */

enum vk { V_NIL, V_STR, V_NUM, V_MAP, V_DATA };

struct val {
	enum vk kind;
	char *s;		/* V_STR, owned */
	double num;
	const pq_labels *map;
};

static void
vfree(struct val *v)
{
	free(v->s);
	v->s = NULL;
}

static struct val
vstr(const char *s)
{
	struct val v = { .kind = V_STR, .s = strdup(s ? s : "") };
	return v;
}

/* Go's %v of a value. */
static void
vprint(struct buf *b, const struct val *v)
{
	char num[64];

	switch (v->kind) {
	case V_STR:
		buf_puts(b, v->s);
		break;
	case V_NUM:
		pq_go_float(num, sizeof num, v->num, 'g');
		buf_puts(b, num);
		break;
	case V_MAP:
		buf_puts(b, "map[");
		for (size_t i = 0; v->map && i < v->map->n; i++)
			buf_printf(b, "%s%s:%s", i ? " " : "",
			    v->map->l[i].name, v->map->l[i].value);
		buf_putc(b, ']');
		break;
	case V_DATA:
		buf_puts(b, "{...}");
		break;
	case V_NIL:
		buf_puts(b, "<no value>");
		break;
	}
}

static int
to_float(const struct val *v, double *out, char *err, size_t errlen)
{
	if (v->kind == V_NUM) {
		*out = v->num;
		return 0;
	}
	if (v->kind == V_STR) {
		char *end;
		*out = strtod(v->s, &end);
		if (*v->s && !*end)
			return 0;
		snprintf(err, errlen, "strconv.ParseFloat: parsing \"%s\": "
		    "invalid syntax", v->s);
		return -1;
	}
	snprintf(err, errlen, "can't convert value to float");
	return -1;
}

static void
go_g4(char *out, size_t len, double v, const char *suffix)
{
	char tmp[40];
	pq_go_printf_float(tmp, sizeof tmp, "%.4g", v);
	snprintf(out, len, "%s%s", tmp, suffix);
}

static void
humanize(char *out, size_t len, double v, int base1024)
{
	static const char *big[] = { "k", "M", "G", "T", "P", "E", "Z", "Y" };
	static const char *big2[] = { "ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi",
	    "Yi" };
	static const char *small[] = { "m", "u", "n", "p", "f", "a", "z", "y" };
	const char *prefix = "";

	if (base1024) {
		if (fabs(v) <= 1 || isnan(v) || isinf(v)) {
			go_g4(out, len, v, "");
			return;
		}
		for (size_t i = 0; i < 8 && fabs(v) >= 1024; i++) {
			prefix = big2[i];
			v /= 1024;
		}
		go_g4(out, len, v, prefix);
		return;
	}
	if (v == 0 || isnan(v) || isinf(v)) {
		go_g4(out, len, v, "");
		return;
	}
	if (fabs(v) >= 1) {
		for (size_t i = 0; i < 8 && fabs(v) >= 1000; i++) {
			prefix = big[i];
			v /= 1000;
		}
	} else {
		for (size_t i = 0; i < 8 && fabs(v) < 1; i++) {
			prefix = small[i];
			v *= 1000;
		}
	}
	go_g4(out, len, v, prefix);
}

static void
humanize_duration(char *out, size_t len, double v)
{
	static const char *small[] = { "m", "u", "n", "p", "f", "a", "z", "y" };
	const char *prefix = "";

	if (isnan(v) || isinf(v)) {
		go_g4(out, len, v, "");
		return;
	}
	if (v == 0) {
		go_g4(out, len, v, "s");
		return;
	}
	if (fabs(v) >= 1) {
		const char *sign = "";
		if (v < 0) {
			sign = "-";
			v = -v;
		}
		long long d = (long long)v;
		long long sec = d % 60, min = (d / 60) % 60,
		    hr = (d / 3600) % 24, days = d / 86400;
		if (days)
			snprintf(out, len, "%s%lldd %lldh %lldm %llds", sign, days,
			    hr, min, sec);
		else if (hr)
			snprintf(out, len, "%s%lldh %lldm %llds", sign, hr, min,
			    sec);
		else if (min)
			snprintf(out, len, "%s%lldm %llds", sign, min, sec);
		else {
			char tmp[64];
			go_g4(tmp, sizeof tmp, v, "s");
			snprintf(out, len, "%s%s", sign, tmp);
		}
		return;
	}
	for (size_t i = 0; i < 8 && fabs(v) < 1; i++) {
		prefix = small[i];
		v *= 1000;
	}
	char suf[8];
	snprintf(suf, sizeof suf, "%ss", prefix);
	go_g4(out, len, v, suf);
}

/* Go's fmt.Sprintf over the argument values (the verbs rules use). */
static int
go_sprintf(struct buf *b, const char *fmt, struct val *args, size_t nargs)
{
	size_t ai = 0;

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			buf_putc(b, *p);
			continue;
		}
		if (p[1] == '%') {
			buf_putc(b, '%');
			p++;
			continue;
		}
		char spec[32];
		size_t k = 0;
		spec[k++] = '%';
		p++;
		while (*p && strchr("+-# 0123456789.", *p) && k < sizeof spec - 2)
			spec[k++] = *p++;
		if (!*p) {
			buf_puts(b, "%!(NOVERB)");
			break;
		}
		char verb = *p;
		spec[k++] = verb;
		spec[k] = 0;
		if (ai >= nargs) {
			buf_printf(b, "%%!%c(MISSING)", verb);
			continue;
		}
		struct val *a = &args[ai++];
		char out[512];
		if (a->kind == V_NUM) {
			if (strchr("eEfFgGv", verb)) {
				if (verb == 'F')
					spec[k - 1] = 'f';
				pq_go_printf_float(out, sizeof out, spec, a->num);
				buf_puts(b, out);
			} else {
				char num[64];
				pq_go_float(num, sizeof num, a->num, 'g');
				buf_printf(b, "%%!%c(float64=%s)", verb, num);
			}
		} else if (a->kind == V_STR) {
			if (verb == 's' || verb == 'v') {
				spec[k - 1] = 's';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
				buf_printf(b, spec, a->s);
#pragma GCC diagnostic pop
			} else if (verb == 'q')
				pq_go_quote(b, a->s);
			else
				buf_printf(b, "%%!%c(string=%s)", verb, a->s);
		} else {
			vprint(b, a);
		}
	}
	if (ai < nargs) {
		buf_puts(b, "%!(EXTRA ");
		for (size_t i = ai; i < nargs; i++) {
			if (i > ai)
				buf_puts(b, ", ");
			buf_puts(b, args[i].kind == V_NUM ? "float64=" :
			    "string=");
			vprint(b, &args[i]);
		}
		buf_putc(b, ')');
	}
	return 0;
}

static int
eval_operand(const struct operand *o, const struct tmpl_data *d,
    struct val *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct val base = { .kind = V_DATA };
	if (o->kind == O_STR) {
		*out = vstr(o->str);
		return 0;
	}
	if (o->kind == O_NUM) {
		out->kind = V_NUM;
		out->num = o->num;
		return 0;
	}
	if (o->kind == O_VAR) {
		if (strcmp(o->name, "labels") == 0)
			base = (struct val){ .kind = V_MAP, .map = d->labels };
		else if (strcmp(o->name, "externalLabels") == 0)
			base = (struct val){ .kind = V_MAP, .map = d->ext_labels };
		else if (strcmp(o->name, "value") == 0)
			base = (struct val){ .kind = V_NUM, .num = d->value };
		else if (strcmp(o->name, "externalURL") == 0)
			base = (struct val){ .kind = V_STR,
			    .s = (char *)(d->ext_url ? d->ext_url : "") };
		else if (o->name[0] == 0)
			base.kind = V_DATA;
		else {
			snprintf(err, errlen, "undefined variable \"$%s\"",
			    o->name);
			return -1;
		}
	}
	size_t f = 0;
	if (base.kind == V_DATA && o->nfields) {
		const char *n = o->fields[0];
		if (strcmp(n, "Labels") == 0)
			base = (struct val){ .kind = V_MAP, .map = d->labels };
		else if (strcmp(n, "ExternalLabels") == 0)
			base = (struct val){ .kind = V_MAP, .map = d->ext_labels };
		else if (strcmp(n, "Value") == 0)
			base = (struct val){ .kind = V_NUM, .num = d->value };
		else if (strcmp(n, "ExternalURL") == 0)
			base = (struct val){ .kind = V_STR,
			    .s = (char *)(d->ext_url ? d->ext_url : "") };
		else {
			snprintf(err, errlen, "can't evaluate field %s", n);
			return -1;
		}
		f = 1;
	}
	for (; f < o->nfields; f++) {
		if (base.kind != V_MAP) {
			snprintf(err, errlen, "can't evaluate field %s in a "
			    "non-map value", o->fields[f]);
			return -1;
		}
		const char *v = base.map ? pq_labels_get(base.map, o->fields[f]) :
		    NULL;
		base = (struct val){ .kind = V_STR, .s = (char *)(v ? v : "") };
	}
	if (base.kind == V_STR)
		*out = vstr(base.s);
	else
		*out = base;
	return 0;
}

static int
call(const char *fn, struct val *args, size_t n, struct val *out, char *err,
    size_t errlen)
{
	char tmp[128];
	double v;

	memset(out, 0, sizeof *out);
	if (strcmp(fn, "printf") == 0 || strcmp(fn, "print") == 0) {
		struct buf b = BUF_INIT;
		if (strcmp(fn, "printf") == 0) {
			if (n < 1 || args[0].kind != V_STR) {
				snprintf(err, errlen, "printf needs a format "
				    "string");
				return -1;
			}
			go_sprintf(&b, args[0].s, args + 1, n - 1);
		} else
			for (size_t i = 0; i < n; i++) {
				/* print adds spaces between non-strings */
				if (i && args[i].kind != V_STR &&
				    args[i - 1].kind != V_STR)
					buf_putc(&b, ' ');
				vprint(&b, &args[i]);
			}
		out->kind = V_STR;
		out->s = buf_detach(&b);
		return 0;
	}
	if (n != 1) {
		snprintf(err, errlen, "wrong number of args for %s: want 1 got "
		    "%zu", fn, n);
		return -1;
	}
	if (strcmp(fn, "toUpper") == 0 || strcmp(fn, "toLower") == 0 ||
	    strcmp(fn, "stripPort") == 0) {
		struct buf b = BUF_INIT;
		vprint(&b, &args[0]);
		out->kind = V_STR;
		out->s = buf_detach(&b);
		if (!out->s)
			return -1;
		if (fn[0] == 's') {
			/* net.SplitHostPort: strip ":port" and [] */
			char *c = strrchr(out->s, ':');
			if (c && (out->s[0] != '[' || c > strchr(out->s, ']'))) {
				int colons = 0;
				for (char *q = out->s; *q; q++)
					colons += *q == ':';
				if (colons == 1 || out->s[0] == '[') {
					*c = 0;
					if (out->s[0] == '[' && c[-1] == ']') {
						c[-1] = 0;
						memmove(out->s, out->s + 1,
						    strlen(out->s));
					}
				}
			}
		} else
			for (char *q = out->s; *q; q++)
				*q = (char)(fn[2] == 'U' ? toupper((unsigned char)*q) :
				    tolower((unsigned char)*q));
		return 0;
	}
	if (to_float(&args[0], &v, err, errlen) < 0)
		return -1;
	if (strcmp(fn, "humanize") == 0)
		humanize(tmp, sizeof tmp, v, 0);
	else if (strcmp(fn, "humanize1024") == 0)
		humanize(tmp, sizeof tmp, v, 1);
	else if (strcmp(fn, "humanizePercentage") == 0)
		go_g4(tmp, sizeof tmp, v * 100, "%");
	else if (strcmp(fn, "humanizeDuration") == 0)
		humanize_duration(tmp, sizeof tmp, v);
	else {
		snprintf(err, errlen, "function \"%s\" not defined", fn);
		return -1;
	}
	*out = vstr(tmp);
	return 0;
}

int
tmpl_exec(const struct tmpl *t, const struct tmpl_data *d, struct buf *out,
    char *err, size_t errlen)
{
	for (size_t i = 0; i < t->nparts; i++) {
		const struct part *pt = &t->parts[i];
		struct val cur = { 0 };
		int have = 0;
		if (pt->text) {
			buf_puts(out, pt->text);
			continue;
		}
		for (size_t c = 0; c < pt->ncmds; c++) {
			const struct command *cmd = &pt->cmds[c];
			if (cmd->ops[0].kind != O_FUNC) {
				if (cmd->nops > 1) {
					snprintf(err, errlen, "can't give "
					    "argument to non-function");
					vfree(&cur);
					return -1;
				}
				if (eval_operand(&cmd->ops[0], d, &cur, err,
				    errlen) < 0)
					return -1;
				have = 1;
				continue;
			}
			size_t na = cmd->nops - 1 + (have ? 1 : 0);
			struct val args[na ? na : 1];
			size_t k = 0;
			int rc = 0;
			for (size_t o = 1; o < cmd->nops && rc == 0; o++)
				rc = eval_operand(&cmd->ops[o], d, &args[k++],
				    err, errlen);
			if (have && rc == 0) {
				args[k++] = cur;
				memset(&cur, 0, sizeof cur);
			}
			if (rc == 0)
				rc = call(cmd->ops[0].name, args, k, &cur, err,
				    errlen);
			for (size_t a = 0; a < k; a++)
				vfree(&args[a]);
			if (rc < 0) {
				vfree(&cur);
				return -1;
			}
			have = 1;
		}
		vprint(out, &cur);
		vfree(&cur);
	}
	return 0;
}
