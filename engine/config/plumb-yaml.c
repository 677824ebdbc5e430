/* plumb-yaml.c - parsing plumb.yaml's checks:, deploy:, models: (and, via config/monitor.c and config/executor-cfg.c, monitor: and executor:) sections. */
#include "config.h"
#include "config/plumb-yaml.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "ropen.h"
#include "store/error.h"
#include "config/names.h"
#include "store/internal.h"
#include "config/ynode.h"

struct ps {
	const char *name;
	char *err;
	size_t errlen;
	yaml_document_t *doc;
	int rc;
};

static int perr(struct ps *p, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
perr(struct ps *p, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int k = 0;

	if (p->rc != PL_OK)
		return p->rc;
	p->rc = PL_EINVAL;
	if (p->errlen == 0)
		return p->rc;
	if (n)
		k = snprintf(p->err, p->errlen, "%s:%zu:%zu: ", p->name,
		    (size_t)n->start_mark.line + 1,
		    (size_t)n->start_mark.column + 1);
	else
		k = snprintf(p->err, p->errlen, "%s: ", p->name);
	if (k < 0 || (size_t)k >= p->errlen)
		return p->rc;
	va_start(ap, fmt);
	vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return p->rc;
}

static int
oom(struct ps *p)
{
	if (p->rc == PL_OK) {
		p->rc = PL_ENOMEM;
		snprintf(p->err, p->errlen, "%s: out of memory", p->name);
	}
	return p->rc;
}

static yaml_node_t *
node(struct ps *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

static const char *
scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

static const char *
kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static int
want_map(struct ps *p, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "%s must be a mapping, not %s", what,
		    kind_name(n));
	return PL_OK;
}

static int
want_str(struct ps *p, const yaml_node_t *n, const char *what, char **out)
{
	const char *s = scalar(n);

	if (s == NULL)
		return perr(p, n, "%s must be a string, not %s", what,
		    kind_name(n));
	if ((*out = strdup(s)) == NULL)
		return oom(p);
	return PL_OK;
}

static int
want_num(struct ps *p, const yaml_node_t *n, const char *what, double *out)
{
	const char *s = scalar(n);
	char *end;

	if (s == NULL)
		return perr(p, n, "%s must be a number, not %s", what,
		    kind_name(n));
	errno = 0;
	*out = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno == ERANGE || !isfinite(*out))
		return perr(p, n, "%s must be a number, not '%s'", what, s);
	return PL_OK;
}

static int
want_bool(struct ps *p, const yaml_node_t *n, const char *what, int *out)
{
	const char *s = scalar(n);

	if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
	    !strcmp(s, "1") || !strcasecmp(s, "on"))) {
		*out = 1;
		return PL_OK;
	}
	if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") ||
	    !strcmp(s, "0") || !strcasecmp(s, "off"))) {
		*out = 0;
		return PL_OK;
	}
	return perr(p, n, "%s must be true or false", what);
}

/* Iterates a mapping: for (pair...) with key text and value node. */
#define FOR_PAIRS(p, map, k, kn, v)					\
	for (yaml_node_pair_t *pr_##k = (map)->data.mapping.pairs.start;	\
	    pr_##k < (map)->data.mapping.pairs.top && (p)->rc == PL_OK;	\
	    pr_##k++)							\
		for (yaml_node_t *kn = node(p, pr_##k->key), *v =	\
		    node(p, pr_##k->value); kn != NULL; kn = NULL)	\
			for (const char *k = scalar(kn) ? scalar(kn) : ""; \
			    k != NULL; k = NULL)

static void
col_rule_dispose(pl_col_rule *c)
{
	free(c->name);
	for (size_t i = 0; i < c->nallowed; i++)
		free(c->allowed[i]);
	free(c->allowed);
}

void
pl_gate_dispose(pl_gate *g)
{
	if (g == NULL)
		return;
	free(g->text);
	free(g->metric);
	memset(g, 0, sizeof *g);
}

static void
check_dispose(pl_check *c)
{
	free(c->name);
	free(c->data);
	free(c->data_path);
	for (size_t i = 0; i < c->ncols; i++)
		col_rule_dispose(&c->cols[i]);
	free(c->cols);
	free(c->model);
	for (size_t i = 0; i < c->ngates; i++)
		pl_gate_dispose(&c->gates[i]);
	free(c->gates);
}

void
pl_config_free(pl_config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nchecks; i++)
		check_dispose(&c->checks[i]);
	free(c->checks);
	for (size_t i = 0; i < c->ntargets; i++) {
		free(c->targets[i].name);
		free(c->targets[i].model);
		free(c->targets[i].cmd);
		free(c->targets[i].health);
	}
	free(c->targets);
	for (size_t i = 0; i < c->nmodels; i++) {
		pl_model_cfg *m = &c->models[i];

		free(m->name);
		free(m->stage);
		free(m->path);
		free(m->description);
		for (size_t j = 0; j < m->ndirs; j++)
			free(m->dirs[j].metric);
		free(m->dirs);
	}
	free(c->models);
	pl__monitor_cfg_dispose(&c->monitor);
	pl__slurm_cfg_dispose(&c->slurm);
	free(c->path);
	free(c->dir);
	free(c);
}

/* ---- gate expressions ---- */

static int
gerr(char *err, size_t len, size_t *off, size_t at, const char *msg)
{
	if (len)
		snprintf(err, len, "%s", msg);
	if (off)
		*off = at;
	return PL_EINVAL;
}

static int
metric_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-' || c == '/' ||
	    c == ':';
}

static int
parse_number(const char *s, size_t *i, double *out)
{
	char *end;
	const char *b = s + *i;

	if (!(isdigit((unsigned char)*b) || *b == '-' || *b == '+' ||
	    *b == '.'))
		return 0;
	errno = 0;
	*out = strtod(b, &end);
	if (end == b || errno == ERANGE || !isfinite(*out))
		return 0;
	*i += (size_t)(end - b);
	return 1;
}

int
pl_gate_parse(pl_gate *out, const char *text, char *err, size_t err_len,
    size_t *err_off)
{
	size_t i = 0, ms;
	const char *s = text;

	memset(out, 0, sizeof *out);
	if (err_off)
		*err_off = 0;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	ms = i;
	/* A metric name may contain '-', but not start with one. */
	if (!isalnum((unsigned char)s[i]) && s[i] != '_')
		return gerr(err, err_len, err_off, i,
		    "expected a metric name (e.g. accuracy >= 0.9)");
	while (metric_char((unsigned char)s[i]))
		i++;
	/* "a-b" where b starts an operator is fine: operators are <>=! */
	if ((out->metric = strndup(s + ms, i - ms)) == NULL)
		return PL_ENOMEM;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] == '<' && s[i + 1] == '=') { out->op = PL_OP_LE; i += 2; }
	else if (s[i] == '>' && s[i + 1] == '=') { out->op = PL_OP_GE; i += 2; }
	else if (s[i] == '=' && s[i + 1] == '=') { out->op = PL_OP_EQ; i += 2; }
	else if (s[i] == '!' && s[i + 1] == '=') { out->op = PL_OP_NE; i += 2; }
	else if (s[i] == '<') { out->op = PL_OP_LT; i++; }
	else if (s[i] == '>') { out->op = PL_OP_GT; i++; }
	else if (s[i] == '=') { out->op = PL_OP_EQ; i++; }
	else {
		pl_gate_dispose(out);
		return gerr(err, err_len, err_off, i,
		    "expected a comparison (<, <=, >, >=, ==, !=) after the "
		    "metric name");
	}
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (strncmp(s + i, "production", 10) == 0 &&
	    !metric_char((unsigned char)s[i + 10])) {
		out->relative = 1;
		i += 10;
		while (s[i] == ' ' || s[i] == '\t')
			i++;
		if (s[i] == '+' || s[i] == '-' || s[i] == '*' || s[i] == '/') {
			out->arith = s[i++];
			while (s[i] == ' ' || s[i] == '\t')
				i++;
			if (s[i] == '+' || s[i] == '-' ||
			    !parse_number(s, &i, &out->value)) {
				pl_gate_dispose(out);
				return gerr(err, err_len, err_off, i,
				    "expected a number after the operator");
			}
			if (out->arith == '/' && out->value == 0) {
				pl_gate_dispose(out);
				return gerr(err, err_len, err_off, i - 1,
				    "division by zero");
			}
		}
	} else if (!parse_number(s, &i, &out->value)) {
		pl_gate_dispose(out);
		return gerr(err, err_len, err_off, i,
		    "expected a number or 'production' (e.g. production - "
		    "0.01)");
	}
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] != '\0') {
		pl_gate_dispose(out);
		return gerr(err, err_len, err_off, i,
		    "unexpected text after the gate");
	}
	if ((out->text = strdup(text)) == NULL) {
		pl_gate_dispose(out);
		return PL_ENOMEM;
	}
	return PL_OK;
}

/* ---- sections ---- */

static int
parse_rows(struct ps *p, yaml_node_t *v, pl_check *c)
{
	double d;

	if (want_map(p, v, "rows") != PL_OK)
		return p->rc;
	FOR_PAIRS(p, v, k, kn, val) {
		if (want_num(p, val, k, &d) != PL_OK)
			break;
		if (d < 0 || d != floor(d) || d > 9.0e18) {
			perr(p, val, "%s must be a whole number >= 0", k);
			break;
		}
		if (!strcmp(k, "min")) {
			c->has_rows_min = 1;
			c->rows_min = (int64_t)d;
		} else if (!strcmp(k, "max")) {
			c->has_rows_max = 1;
			c->rows_max = (int64_t)d;
		} else {
			perr(p, kn, "unknown key '%s' in rows (expected min, "
			    "max)", k);
		}
	}
	if (p->rc == PL_OK && c->has_rows_min && c->has_rows_max &&
	    c->rows_min > c->rows_max)
		perr(p, v, "rows: min (%lld) is greater than max (%lld)",
		    (long long)c->rows_min, (long long)c->rows_max);
	return p->rc;
}

static int
parse_column(struct ps *p, yaml_node_t *kn, yaml_node_t *v, pl_col_rule *r)
{
	r->max_missing = -1;
	r->line = kn->start_mark.line + 1;
	r->col = kn->start_mark.column + 1;
	if ((r->name = strdup(scalar(kn))) == NULL)
		return oom(p);
	if (v->type == YAML_SCALAR_NODE && scalar(v)[0] == '\0')
		return PL_OK;	/* "age:" alone: the column must exist */
	if (want_map(p, v, "a column's rules") != PL_OK)
		return p->rc;
	FOR_PAIRS(p, v, k, kn2, val) {
		if (!strcmp(k, "type")) {
			const char *t = scalar(val);

			if (t && !strcmp(t, "int")) r->type = PL_COL_INT;
			else if (t && !strcmp(t, "integer")) r->type = PL_COL_INT;
			else if (t && !strcmp(t, "float")) r->type = PL_COL_FLOAT;
			else if (t && !strcmp(t, "number")) r->type = PL_COL_FLOAT;
			else if (t && !strcmp(t, "string")) r->type = PL_COL_STRING;
			else if (t && !strcmp(t, "str")) r->type = PL_COL_STRING;
			else if (t && !strcmp(t, "bool")) r->type = PL_COL_BOOL;
			else if (t && !strcmp(t, "any")) r->type = PL_COL_ANY;
			else
				perr(p, val, "unknown column type%s%s%s "
				    "(expected int, float, string, bool or "
				    "any)", t ? " '" : "", t ? t : "",
				    t ? "'" : "");
		} else if (!strcmp(k, "required")) {
			want_bool(p, val, "required", &r->required);
		} else if (!strcmp(k, "unique")) {
			want_bool(p, val, "unique", &r->unique);
		} else if (!strcmp(k, "min")) {
			if (want_num(p, val, "min", &r->min) == PL_OK)
				r->has_min = 1;
		} else if (!strcmp(k, "max")) {
			if (want_num(p, val, "max", &r->max) == PL_OK)
				r->has_max = 1;
		} else if (!strcmp(k, "max_missing")) {
			if (want_num(p, val, "max_missing", &r->max_missing) ==
			    PL_OK && (r->max_missing < 0 || r->max_missing > 1))
				perr(p, val, "max_missing is a fraction between "
				    "0 and 1");
		} else if (!strcmp(k, "allowed")) {
			if (val->type != YAML_SEQUENCE_NODE) {
				perr(p, val, "allowed must be a list of values");
				break;
			}
			size_t n = (size_t)(val->data.sequence.items.top -
			    val->data.sequence.items.start);
			r->allowed = calloc(n ? n : 1, sizeof *r->allowed);
			if (r->allowed == NULL)
				return oom(p);
			for (size_t i = 0; i < n && p->rc == PL_OK; i++) {
				yaml_node_t *it = node(p,
				    val->data.sequence.items.start[i]);
				if (want_str(p, it, "an allowed value",
				    &r->allowed[i]) == PL_OK)
					r->nallowed++;
			}
		} else {
			perr(p, kn2, "unknown column rule '%s' (expected type, "
			    "required, min, max, allowed, max_missing, unique)",
			    k);
		}
	}
	if (p->rc == PL_OK && r->has_min && r->has_max && r->min > r->max)
		perr(p, v, "min is greater than max");
	return p->rc;
}

static int
parse_gate_node(struct ps *p, yaml_node_t *n, pl_check *c)
{
	char gerrbuf[256];
	size_t off = 0;
	pl_gate *g = &c->gates[c->ngates];
	int rc;

	if (scalar(n) == NULL)
		return perr(p, n, "a gate must be a string such as "
		    "'accuracy >= 0.9'");
	rc = pl_gate_parse(g, scalar(n), gerrbuf, sizeof gerrbuf, &off);
	if (rc == PL_ENOMEM)
		return oom(p);
	if (rc != PL_OK) {
		/* Point at the column of the problem when the scalar is
		 * plain (one line, no quotes): its text starts at the mark. */
		yaml_node_t at = *n;
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			at.start_mark.column += off;
		else if (n->data.scalar.style ==
		    YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
			at.start_mark.column += off + 1;
		return perr(p, &at, "bad gate '%s': %s", scalar(n), gerrbuf);
	}
	g->line = n->start_mark.line + 1;
	g->col = n->start_mark.column + 1;
	c->ngates++;
	return PL_OK;
}

static int
parse_stage_set(struct ps *p, yaml_node_t *v, int *out)
{
	pl_model_stage s;

	*out = 0;
	if (v->type == YAML_SCALAR_NODE) {
		if (pl_model_stage_parse(&s, scalar(v)) != PL_OK)
			return perr(p, v, "unknown stage '%s' (expected none, "
			    "staging, production or archived)", scalar(v));
		*out = 1 << s;
		return PL_OK;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return perr(p, v, "stages must be a stage or a list of stages");
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = node(p, *it);

		if (scalar(n) == NULL || pl_model_stage_parse(&s, scalar(n)) != PL_OK)
			return perr(p, n, "unknown stage '%s' (expected none, "
			    "staging, production or archived)",
			    scalar(n) ? scalar(n) : "");
		*out |= 1 << s;
	}
	return PL_OK;
}

static int
join_path(char **out, const char *dir, const char *path)
{
	if (path[0] == '/' || dir == NULL)
		*out = strdup(path);
	else if (asprintf(out, "%s/%s", dir, path) < 0)
		*out = NULL;
	return *out ? PL_OK : PL_ENOMEM;
}

static int
parse_check(struct ps *p, const char *dir, yaml_node_t *kn, yaml_node_t *v,
    pl_check *c)
{
	yaml_node_t *data = NULL, *gates = NULL, *cols = NULL;

	c->line = kn->start_mark.line + 1;
	c->col = kn->start_mark.column + 1;
	c->stages = (1 << PL_MODEL_STAGING) | (1 << PL_MODEL_PRODUCTION);
	if ((c->name = strdup(scalar(kn))) == NULL)
		return oom(p);
	if (want_map(p, v, "a check") != PL_OK)
		return p->rc;
	FOR_PAIRS(p, v, k, kn2, val) {
		if (!strcmp(k, "data")) data = val;
		else if (!strcmp(k, "gate") || !strcmp(k, "gates")) {
			if (gates)
				perr(p, kn2, "give either gate or gates, not both");
			gates = val;
		} else if (!strcmp(k, "columns")) cols = val;
		else if (!strcmp(k, "rows")) parse_rows(p, val, c);
		else if (!strcmp(k, "delimiter")) {
			const char *d = scalar(val);
			if (d == NULL || strlen(d) != 1)
				perr(p, val, "delimiter must be one character");
			else
				c->delimiter = d[0];
		} else if (!strcmp(k, "model")) {
			if (want_str(p, val, "model", &c->model) == PL_OK &&
			    !pl_model_name_valid(c->model))
				perr(p, val, "invalid model name '%s'", c->model);
		} else if (!strcmp(k, "stages")) {
			parse_stage_set(p, val, &c->stages);
		} else if (!strcmp(k, "description")) {
			;
		} else {
			perr(p, kn2, "unknown key '%s' in check '%s' (expected "
			    "data, rows, columns, delimiter for data; gate(s), "
			    "model, stages for models)", k, c->name);
		}
	}
	if (p->rc != PL_OK)
		return p->rc;
	if (data && gates)
		return perr(p, v, "check '%s' has both data and gates: make "
		    "them two checks", c->name);
	if (!data && !gates)
		return perr(p, v, "check '%s' needs data: (a CSV file to "
		    "validate) or gates: (model gates)", c->name);
	if (data) {
		c->kind = PL_CHECK_DATA;
		if (want_str(p, data, "data", &c->data) != PL_OK)
			return p->rc;
		if (c->data[0] == '\0')
			return perr(p, data, "data must name a CSV file");
		if (join_path(&c->data_path, dir, c->data) != PL_OK)
			return oom(p);
		if (cols) {
			size_t n;

			if (want_map(p, cols, "columns") != PL_OK)
				return p->rc;
			n = (size_t)(cols->data.mapping.pairs.top -
			    cols->data.mapping.pairs.start);
			if ((c->cols = calloc(n ? n : 1, sizeof *c->cols)) ==
			    NULL)
				return oom(p);
			FOR_PAIRS(p, cols, ck, ckn, cv) {
				if (*ck == '\0') {
					perr(p, ckn, "a column name must be a "
					    "string");
					break;
				}
				for (size_t i = 0; i < c->ncols; i++)
					if (!strcmp(c->cols[i].name, ck))
						perr(p, ckn, "column '%s' is "
						    "listed twice", ck);
				if (p->rc == PL_OK)
					parse_column(p, ckn, cv,
					    &c->cols[c->ncols++]);
			}
		}
		if (c->model)
			return perr(p, v, "model applies to gates, not to a data "
			    "check");
		return p->rc;
	}
	c->kind = PL_CHECK_GATE;
	if (cols || c->has_rows_min || c->has_rows_max)
		return perr(p, v, "columns and rows apply to a data check "
		    "(one with data:)");
	if (gates->type == YAML_SCALAR_NODE) {
		if ((c->gates = calloc(1, sizeof *c->gates)) == NULL)
			return oom(p);
		return parse_gate_node(p, gates, c);
	}
	if (gates->type != YAML_SEQUENCE_NODE)
		return perr(p, gates, "gates must be a list of expressions");
	{
		size_t n = (size_t)(gates->data.sequence.items.top -
		    gates->data.sequence.items.start);

		if (n == 0)
			return perr(p, gates, "gates is empty");
		if ((c->gates = calloc(n, sizeof *c->gates)) == NULL)
			return oom(p);
		for (size_t i = 0; i < n && p->rc == PL_OK; i++)
			parse_gate_node(p, node(p,
			    gates->data.sequence.items.start[i]), c);
	}
	return p->rc;
}

static int
parse_target(struct ps *p, yaml_node_t *kn, yaml_node_t *v,
    pl_deploy_target *t)
{
	pl_model_stage s;

	t->line = kn->start_mark.line + 1;
	t->col = kn->start_mark.column + 1;
	t->stage = PL_MODEL_PRODUCTION;
	t->timeout_s = PL_DEPLOY_TIMEOUT_DEFAULT;
	if ((t->name = strdup(scalar(kn))) == NULL)
		return oom(p);
	if (want_map(p, v, "a deploy target") != PL_OK)
		return p->rc;
	FOR_PAIRS(p, v, k, kn2, val) {
		if (!strcmp(k, "cmd")) {
			if (want_str(p, val, "cmd", &t->cmd) == PL_OK &&
			    t->cmd[0] == '\0')
				perr(p, val, "cmd is empty");
		} else if (!strcmp(k, "health")) {
			if (want_str(p, val, "health", &t->health) == PL_OK &&
			    t->health[0] == '\0')
				perr(p, val, "health is empty");
		} else if (!strcmp(k, "timeout")) {
			if (want_num(p, val, "timeout", &t->timeout_s) ==
			    PL_OK && t->timeout_s <= 0)
				perr(p, val, "timeout must be more than 0 "
				    "seconds");
		} else if (!strcmp(k, "model")) {
			if (want_str(p, val, "model", &t->model) == PL_OK &&
			    !pl_model_name_valid(t->model))
				perr(p, val, "invalid model name '%s'", t->model);
		} else if (!strcmp(k, "stage")) {
			if (scalar(val) == NULL ||
			    pl_model_stage_parse(&s, scalar(val)) != PL_OK ||
			    (s != PL_MODEL_STAGING && s != PL_MODEL_PRODUCTION))
				perr(p, val, "stage of a deploy target must be "
				    "staging or production");
			else
				t->stage = (int)s;
		} else {
			perr(p, kn2, "unknown key '%s' in deploy target '%s' "
			    "(expected cmd, health, timeout, model, stage)", k,
			    t->name);
		}
	}
	if (p->rc == PL_OK && t->cmd == NULL)
		perr(p, v, "deploy target '%s' needs cmd:", t->name);
	return p->rc;
}

static int
parse_model(struct ps *p, yaml_node_t *kn, yaml_node_t *v, pl_model_cfg *m)
{
	m->line = kn->start_mark.line + 1;
	m->col = kn->start_mark.column + 1;
	if (!pl_model_name_valid(scalar(kn)))
		return perr(p, kn, "invalid model name '%s' (letters, digits, "
		    "'.', '_', '-')", scalar(kn));
	if ((m->name = strdup(scalar(kn))) == NULL)
		return oom(p);
	if (want_map(p, v, "a model") != PL_OK)
		return p->rc;
	FOR_PAIRS(p, v, k, kn2, val) {
		if (!strcmp(k, "stage"))
			want_str(p, val, "stage", &m->stage);
		else if (!strcmp(k, "path"))
			want_str(p, val, "path", &m->path);
		else if (!strcmp(k, "description"))
			want_str(p, val, "description", &m->description);
		else if (!strcmp(k, "metrics")) {
			size_t n;

			if (want_map(p, val, "metrics") != PL_OK)
				break;
			n = (size_t)(val->data.mapping.pairs.top -
			    val->data.mapping.pairs.start);
			if ((m->dirs = calloc(n ? n : 1, sizeof *m->dirs)) ==
			    NULL)
				return oom(p);
			FOR_PAIRS(p, val, mk, mkn, mv) {
				const char *d = scalar(mv);
				int dir;

				if (d && (!strcmp(d, "higher") ||
				    !strcmp(d, "max") || !strcmp(d, "maximize")))
					dir = 1;
				else if (d && (!strcmp(d, "lower") ||
				    !strcmp(d, "min") || !strcmp(d, "minimize")))
					dir = -1;
				else {
					perr(p, mv, "direction of metric '%s' must "
					    "be higher or lower", mk);
					break;
				}
				if ((m->dirs[m->ndirs].metric = strdup(mk)) ==
				    NULL)
					return oom(p);
				m->dirs[m->ndirs++].dir = dir;
				(void)mkn;
			}
		} else
			perr(p, kn2, "unknown key '%s' in model '%s' (expected "
			    "stage, path, description, metrics)", k, m->name);
	}
	return p->rc;
}

static int
count_pairs(const yaml_node_t *n)
{
	return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static int
parse_root(struct ps *p, pl_config *c, yaml_node_t *root)
{
	if (root == NULL)
		return PL_OK;	/* empty file */
	if (want_map(p, root, "the top level of the file") != PL_OK)
		return p->rc;
	FOR_PAIRS(p, root, k, kn, v) {
		int n;

		if (!pl__config_section_known(k)) {
			const char *best = pl__closest(k, pl_config_sections);

			if (best)
				perr(p, kn, "unknown key '%s' at the top level "
				    "(did you mean '%s'?)", k, best);
			else
				perr(p, kn, "unknown key '%s' at the top level "
				    "(see plumb.yaml(5) for the sections)", k);
			break;
		}
		if (strcmp(k, "checks") && strcmp(k, "deploy") &&
		    strcmp(k, "models"))
			continue;
		if (v->type == YAML_SCALAR_NODE && scalar(v)[0] == '\0')
			continue;	/* "checks:" with nothing under it */
		if (want_map(p, v, k) != PL_OK)
			break;
		n = count_pairs(v);
		if (!strcmp(k, "checks")) {
			if (c->checks) {
				perr(p, kn, "checks appears twice");
				break;
			}
			if ((c->checks = calloc((size_t)n + 1,
			    sizeof *c->checks)) == NULL)
				return oom(p);
			FOR_PAIRS(p, v, ck, ckn, cv) {
				if (*ck == '\0' || !pl_model_name_valid(ck)) {
					perr(p, ckn, "a check needs a name of "
					    "letters, digits, '.', '_', '-'");
					break;
				}
				for (size_t i = 0; i < c->nchecks; i++)
					if (!strcmp(c->checks[i].name, ck))
						perr(p, ckn, "check '%s' is "
						    "defined twice", ck);
				if (p->rc == PL_OK)
					parse_check(p, c->dir, ckn, cv,
					    &c->checks[c->nchecks++]);
			}
		} else if (!strcmp(k, "deploy")) {
			if (c->targets) {
				perr(p, kn, "deploy appears twice");
				break;
			}
			if ((c->targets = calloc((size_t)n + 1,
			    sizeof *c->targets)) == NULL)
				return oom(p);
			FOR_PAIRS(p, v, tk, tkn, tv) {
				if (*tk == '\0') {
					perr(p, tkn, "a deploy target needs a "
					    "name");
					break;
				}
				parse_target(p, tkn, tv,
				    &c->targets[c->ntargets++]);
			}
		} else {
			if (c->models) {
				perr(p, kn, "models appears twice");
				break;
			}
			if ((c->models = calloc((size_t)n + 1,
			    sizeof *c->models)) == NULL)
				return oom(p);
			FOR_PAIRS(p, v, mk, mkn, mv)
				parse_model(p, mkn, mv, &c->models[c->nmodels++]);
		}
	}
	return p->rc;
}

/*
 * The top-level sections plumb.yaml may have.  A module that reads a
 * section adds its key here, and only then: an unknown key is an error
 * (a misspelt section must never be silently ignored).  metrics, plots,
 * artifacts and datasets are DVC's own top-level keys, accepted so that a
 * dvc.yaml runs unchanged.
 */
const char *const pl_config_sections[] = {
	"stages", "vars", "params", "metrics", "plots", "artifacts",
	"datasets", "checks", "models", "deploy", "monitor", "alerts", "executor",
	"triggers", NULL
};

int
pl__config_section_known(const char *key)
{
	for (size_t i = 0; pl_config_sections[i]; i++)
		if (strcmp(key, pl_config_sections[i]) == 0)
			return 1;
	return 0;
}

/* Edit distance of two short words (99 when either is long). */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[32][32];

	if (la >= 32 || lb >= 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

const char *
pl__closest(const char *word, const char *const *known)
{
	const char *best = NULL;
	int bd = 3;

	for (size_t i = 0; known[i]; i++) {
		int dd = distance(word, known[i]);

		/* "monitors" for "monitor": a plural counts as close */
		if (dd < bd) {
			bd = dd;
			best = known[i];
		}
	}
	return best;
}

/* The monitor: section is read from a ynode tree (marks on every node);
 * the rest of the file was checked above. */
static int
parse_monitor(pl_config *c, const char *name, const char *text, size_t len,
    char *err, size_t err_len)
{
	ynode *root = NULL;
	int rc;

	if ((rc = yn_parse(&root, text, len, name, err, err_len)) != PL_OK)
		return rc;
	rc = pl__monitor_cfg_parse(&c->monitor, root && root->kind == YN_MAP ?
	    yn_get(root, "monitor") : NULL, c->dir, err, err_len);
	if (rc == PL_OK)
		rc = pl__slurm_cfg_parse(&c->slurm, root && root->kind ==
		    YN_MAP ? yn_get(root, "executor") : NULL, err, err_len);
	yn_free(root);
	return rc;
}

int
pl_config_parse(pl_config **out, const char *name, const char *dir,
    const char *text, size_t len, char *err, size_t err_len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ps p;
	pl_config *c;

	*out = NULL;
	if (err_len)
		err[0] = '\0';
	memset(&p, 0, sizeof p);
	p.name = name;
	p.err = err;
	p.errlen = err_len;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return PL_ENOMEM;
	c->path = strdup(name);
	c->dir = dir ? strdup(dir) : NULL;
	if (c->path == NULL || (dir && c->dir == NULL)) {
		pl_config_free(c);
		return PL_ENOMEM;
	}
	if (!yaml_parser_initialize(&parser)) {
		pl_config_free(c);
		return PL_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		if (err_len)
			snprintf(err, err_len, "%s:%zu:%zu: %s%s%s", name,
			    (size_t)parser.problem_mark.line + 1,
			    (size_t)parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "bad YAML",
			    parser.context ? " " : "",
			    parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		pl_config_free(c);
		return PL_EINVAL;
	}
	p.doc = &doc;
	parse_root(&p, c, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (p.rc == PL_OK)
		p.rc = parse_monitor(c, name, text, len, err, err_len);
	if (p.rc != PL_OK) {
		pl_config_free(c);
		return p.rc;
	}
	*out = c;
	return PL_OK;
}

int
pl_config_load(pl_config **out, const char *path, char *err, size_t err_len)
{
	char dir[PATH_MAX], *slash, *text = NULL;
	struct stat sb;
	size_t len = 0;
	ssize_t r;
	int fd, rc;

	*out = NULL;
	fd = ropen(path, 0, &sb, err, err_len);
	if (fd < 0)
		return errno == ENOENT ? PL_ENOTFOUND : PL_EIO;
	if ((text = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return PL_ENOMEM;
	}
	while (len < (size_t)sb.st_size &&
	    (r = read(fd, text + len, (size_t)sb.st_size - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, err_len, "%s: %s", path, strerror(errno));
			free(text);
			close(fd);
			return PL_EIO;
		}
		len += (size_t)r;
	}
	close(fd);
	text[len] = '\0';
	if (realpath(path, dir) == NULL)
		snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	rc = pl_config_parse(out, path, dir, text, len, err, err_len);
	free(text);
	return rc;
}

static int
is_file(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

int
pl_config_find(char **out, const char *explicit_path, const char *store_dir)
{
	char cwd[PATH_MAX], cand[PATH_MAX + 16], *p;

	*out = NULL;
	if (explicit_path) {
		*out = strdup(explicit_path);
		return *out ? PL_OK : PL_ENOMEM;
	}
	if (is_file("plumb.yaml")) {
		/* In the working directory: keep messages short. */
		*out = strdup("plumb.yaml");
		return *out ? PL_OK : PL_ENOMEM;
	}
	if (getcwd(cwd, sizeof cwd) != NULL) {
		for (;;) {
			snprintf(cand, sizeof cand, "%s/plumb.yaml",
			    strcmp(cwd, "/") ? cwd : "");
			if (is_file(cand)) {
				*out = strdup(cand);
				return *out ? PL_OK : PL_ENOMEM;
			}
			if ((p = strrchr(cwd, '/')) == NULL || p == cwd)
				break;
			*p = '\0';
		}
	}
	if (store_dir) {
		snprintf(cand, sizeof cand, "%s/../plumb.yaml", store_dir);
		if (is_file(cand)) {
			*out = strdup(cand);
			return *out ? PL_OK : PL_ENOMEM;
		}
	}
	return PL_ENOTFOUND;
}

const pl_check *
pl_config_check(const pl_config *c, const char *name)
{
	for (size_t i = 0; c && i < c->nchecks; i++)
		if (!strcmp(c->checks[i].name, name))
			return &c->checks[i];
	return NULL;
}

const pl_model_cfg *
pl_config_model(const pl_config *c, const char *name)
{
	for (size_t i = 0; c && i < c->nmodels; i++)
		if (!strcmp(c->models[i].name, name))
			return &c->models[i];
	return NULL;
}

int
pl_config_metric_dir(const pl_config *c, const char *model,
    const char *metric)
{
	static const char *const lower[] = { "loss", "error", "err",
	    "latency", "mse", "mae", "rmse", "time", "duration", "cost",
	    "perplexity" };
	char low[256];
	size_t i;

	for (size_t m = 0; c && m < c->nmodels; m++) {
		if (model && strcmp(c->models[m].name, model))
			continue;
		for (size_t d = 0; d < c->models[m].ndirs; d++)
			if (!strcmp(c->models[m].dirs[d].metric, metric))
				return c->models[m].dirs[d].dir;
	}
	for (i = 0; metric[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)metric[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof lower / sizeof lower[0]; i++)
		if (strstr(low, lower[i]))
			return -1;
	return 1;
}
