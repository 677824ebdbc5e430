/* executor-cfg.c - plumb.yaml's executor: section: per-stage Slurm resources, checked and converted to sbatch arguments. */
#include "config.h"
#include "config/executor-cfg.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"
#include "config/ynode.h"

/* The keys, their sbatch option, and what their value must be. */
enum kind { K_COUNT, K_MEM, K_TIME, K_NAME, K_TEXT };

static const struct {
	const char *key, *opt;
	enum kind kind;
} keys[PL_SLURM_NKEYS] = {
	{ "cpus", "--cpus-per-task", K_COUNT },
	{ "mem", "--mem", K_MEM },
	{ "time", "--time", K_TIME },
	{ "nodes", "--nodes", K_COUNT },
	{ "ntasks", "--ntasks", K_COUNT },
	{ "partition", "--partition", K_NAME },
	{ "account", "--account", K_NAME },
	{ "qos", "--qos", K_NAME },
	{ "gres", "--gres", K_TEXT },
	{ "constraint", "--constraint", K_TEXT },
};

struct xp {
	char *err;
	size_t errlen;
	int rc;
};

static int __attribute__((format(printf, 3, 4)))
xerr(struct xp *p, const ynode *n, const char *fmt, ...)
{
	va_list ap;

	if (p->rc != PL_OK)
		return p->rc;	/* the first error is the one reported */
	p->rc = PL_EINVAL;
	va_start(ap, fmt);
	yn_verrf(p->err, p->errlen, NULL, n, fmt, ap);
	va_end(ap);
	return p->rc;
}

static int
xoom(struct xp *p)
{
	if (p->rc == PL_OK) {
		p->rc = PL_ENOMEM;
		snprintf(p->err, p->errlen, "out of memory");
	}
	return p->rc;
}

/* All digits, at least one; the value (capped) in *v. */
static int
digits(const char *s, size_t n, long long *v)
{
	long long x = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		if (x < 1000000000LL)
			x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 1;
}

/* Slurm's own time formats, passed as written. */
static int
slurm_time_form(const char *s)
{
	const char *dash = strchr(s, '-');
	const char *rest = dash ? dash + 1 : s;
	int parts = 1;
	long long v;

	if (!strcasecmp(s, "UNLIMITED") || !strcasecmp(s, "INFINITE"))
		return 1;
	if (dash && !digits(s, (size_t)(dash - s), &v))
		return 0;
	for (const char *p = rest; *p; p++)
		if (*p == ':')
			parts++;
	if (parts > 3 || (!dash && parts == 1))
		return 0;	/* bare minutes are handled by the caller */
	for (const char *p = rest;;) {
		size_t len = strcspn(p, ":");

		if (!digits(p, len, &v) || len > 2 + (p == rest ? 2 : 0))
			return 0;
		if (p != rest && v > 59)
			return 0;
		if (!p[len])
			break;
		p += len + 1;
	}
	return 1;
}

/* time: to sbatch's form in out; 0 when it is not a time. */
static int
conv_time(char *out, size_t n, const char *s)
{
	long long v, total = 0;
	const char *p = s;

	if (digits(s, strlen(s), &v)) {
		if (v < 1)
			return 0;
		snprintf(out, n, "%lld", v);	/* minutes */
		return 1;
	}
	if (slurm_time_form(s)) {
		snprintf(out, n, "%s", s);
		return 1;
	}
	/* 90s, 10m, 2h, 1d, 1h30m */
	while (*p) {
		size_t len = strspn(p, "0123456789");

		if (!digits(p, len, &v))
			return 0;
		switch (p[len]) {
		case 's': total += v; break;
		case 'm': total += v * 60; break;
		case 'h': total += v * 3600; break;
		case 'd': total += v * 86400; break;
		default: return 0;
		}
		if (total > 365LL * 86400 * 100)
			return 0;
		p += len + 1;
	}
	if (total < 1)
		return 0;
	if (total % 60 == 0)
		snprintf(out, n, "%lld", total / 60);
	else
		snprintf(out, n, "%lld:%02lld", total / 60, total % 60);
	return 1;
}

/* mem: 512 (MB), 512M, 4G, 1T, 100K. */
static int
conv_mem(char *out, size_t n, const char *s)
{
	size_t len = strspn(s, "0123456789");
	long long v;

	if (!digits(s, len, &v) || v < 1)
		return 0;
	if (s[len] && (s[len + 1] || !strchr("KMGTkmgt", s[len])))
		return 0;
	snprintf(out, n, "%lld%c", v, s[len] ? toupper((unsigned char)s[len]) :
	    'M');
	return 1;
}

static int
parse_extra(struct xp *p, const ynode *v, const char *where, char ***out,
    size_t *nout)
{
	if (v->kind != YN_SEQ)
		return xerr(p, v, "%s: extra must be a list of sbatch options, "
		    "each one argument (e.g. [\"--exclusive\"]), not %s",
		    where, yn_a_type(v));
	for (size_t i = 0; i < v->n; i++) {
		const ynode *it = v->items[i];
		char **nv;

		if (it->kind != YN_SCALAR || it->str[0] != '-')
			return xerr(p, it, "%s: extra: each item is one sbatch "
			    "option starting with '-' (like \"--exclusive\" or "
			    "\"--mail-type=END\")", where);
		for (const char *c = it->str; *c; c++)
			if ((unsigned char)*c < 32)
				return xerr(p, it, "%s: extra: a control "
				    "character in '%s'", where, it->str);
		if ((nv = realloc(*out, (*nout + 2) * sizeof *nv)) == NULL)
			return xoom(p);
		*out = nv;
		if ((nv[*nout] = strdup(it->str)) == NULL)
			return xoom(p);
		nv[++*nout] = NULL;
	}
	return PL_OK;
}

static int
parse_res(struct xp *p, const ynode *m, const char *where, pl_slurm_res *r)
{
	if (m->kind != YN_MAP)
		return xerr(p, m, "%s must be a mapping of resources (cpus, "
		    "mem, time, partition, ...), not %s", where, yn_a_type(m));
	for (size_t i = 0; i < m->n && p->rc == PL_OK; i++) {
		const ynode *k = yn_key(m, i), *v = yn_val(m, i);
		char buf[128];
		size_t ki;
		long long x;

		if (!strcmp(k->str, "extra")) {
			parse_extra(p, v, where, &r->extra, &r->nextra);
			continue;
		}
		for (ki = 0; ki < PL_SLURM_NKEYS; ki++)
			if (!strcmp(k->str, keys[ki].key))
				break;
		if (ki == PL_SLURM_NKEYS)
			return xerr(p, k, "%s: unknown key '%s' (known: cpus, "
			    "mem, time, nodes, ntasks, partition, account, qos, "
			    "gres, constraint, extra)", where, k->str);
		if (v->kind != YN_SCALAR || yn_scalar_type(v) == YT_NULL ||
		    !v->str[0])
			return xerr(p, v, "%s: %s needs a value", where, k->str);
		switch (keys[ki].kind) {
		case K_COUNT:
			if (!digits(v->str, strlen(v->str), &x) || x < 1 ||
			    x > 1000000)
				return xerr(p, v, "%s: %s must be a whole number "
				    "of at least 1, not '%s'", where, k->str,
				    v->str);
			snprintf(buf, sizeof buf, "%lld", x);
			break;
		case K_MEM:
			if (!conv_mem(buf, sizeof buf, v->str))
				return xerr(p, v, "%s: mem '%s' is not an amount "
				    "of memory per node (512, 512M, 4G: a whole "
				    "number, megabytes unless K, M, G or T)",
				    where, v->str);
			break;
		case K_TIME:
			if (!conv_time(buf, sizeof buf, v->str))
				return xerr(p, v, "%s: time '%s' is not a time "
				    "limit (minutes like 30, or 90s, 10m, 2h, "
				    "1d, 1h30m, or Slurm's 1:00:00, 1-00:00)",
				    where, v->str);
			break;
		case K_NAME:
			for (const char *c = v->str; *c; c++)
				if (!isalnum((unsigned char)*c) &&
				    !strchr("_-.,", *c))
					return xerr(p, v, "%s: %s '%s' is not a "
					    "Slurm name (letters, digits, '_', "
					    "'-', '.'; a comma between several)",
					    where, k->str, v->str);
			snprintf(buf, sizeof buf, "%s", v->str);
			break;
		default:
			for (const char *c = v->str; *c; c++)
				if ((unsigned char)*c <= 32)
					return xerr(p, v, "%s: %s '%s' has a "
					    "space or control character", where,
					    k->str, v->str);
			if (strlen(v->str) >= sizeof buf)
				return xerr(p, v, "%s: %s is too long", where,
				    k->str);
			snprintf(buf, sizeof buf, "%s", v->str);
		}
		free(r->val[ki]);
		if ((r->val[ki] = strdup(buf)) == NULL)
			return xoom(p);
	}
	return p->rc;
}

/* (the same as pl_strv_free of track/run.h, which config/ must not
 * include: rooms never include each other in a circle) */
static void
strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void
res_dispose(pl_slurm_res *r)
{
	for (size_t i = 0; i < PL_SLURM_NKEYS; i++)
		free(r->val[i]);
	strv_free(r->extra);
	memset(r, 0, sizeof *r);
}

void
pl__slurm_cfg_dispose(pl_slurm_cfg *c)
{
	res_dispose(&c->defaults);
	for (size_t i = 0; i < c->nstages; i++) {
		free(c->stages[i].pattern);
		res_dispose(&c->stages[i].res);
	}
	free(c->stages);
	strv_free(c->extra);
	memset(c, 0, sizeof *c);
}

int
pl__slurm_cfg_parse(pl_slurm_cfg *out, const ynode *sec, char *err,
    size_t err_len)
{
	struct xp p = { err, err_len, PL_OK };
	const ynode *sl;

	memset(out, 0, sizeof *out);
	if (sec == NULL || (sec->kind == YN_SCALAR &&
	    yn_scalar_type(sec) == YT_NULL))
		return PL_OK;
	if (sec->kind != YN_MAP)
		return xerr(&p, sec, "executor must be a mapping (slurm: ...), "
		    "not %s", yn_a_type(sec));
	for (size_t i = 0; i < sec->n; i++)
		if (strcmp(yn_key(sec, i)->str, "slurm") != 0)
			return xerr(&p, yn_key(sec, i), "executor: unknown key "
			    "'%s' (the executor configured here is slurm)",
			    yn_key(sec, i)->str);
	sl = yn_get(sec, "slurm");
	if (sl == NULL || (sl->kind == YN_SCALAR && yn_scalar_type(sl) ==
	    YT_NULL))
		return PL_OK;
	if (sl->kind != YN_MAP)
		return xerr(&p, sl, "executor.slurm must be a mapping "
		    "(defaults, stages, extra), not %s", yn_a_type(sl));
	out->present = 1;
	for (size_t i = 0; i < sl->n && p.rc == PL_OK; i++) {
		const ynode *k = yn_key(sl, i), *v = yn_val(sl, i);

		if (!strcmp(k->str, "defaults"))
			parse_res(&p, v, "executor.slurm.defaults",
			    &out->defaults);
		else if (!strcmp(k->str, "extra"))
			parse_extra(&p, v, "executor.slurm", &out->extra,
			    &out->nextra);
		else if (!strcmp(k->str, "stages")) {
			if (v->kind != YN_MAP) {
				xerr(&p, v, "executor.slurm.stages must map "
				    "stage names (or globs like 'train@*') to "
				    "resources, not %s", yn_a_type(v));
				break;
			}
			out->stages = calloc(v->n + 1, sizeof *out->stages);
			if (out->stages == NULL) {
				xoom(&p);
				break;
			}
			for (size_t j = 0; j < v->n && p.rc == PL_OK; j++) {
				char where[160];
				pl_slurm_rule *r = &out->stages[out->nstages++];

				snprintf(where, sizeof where,
				    "executor.slurm.stages.%.100s",
				    yn_key(v, j)->str);
				if ((r->pattern = strdup(yn_key(v, j)->str)) ==
				    NULL) {
					xoom(&p);
					break;
				}
				r->line = yn_key(v, j)->line;
				r->col = yn_key(v, j)->col;
				parse_res(&p, yn_val(v, j), where, &r->res);
			}
		} else
			xerr(&p, k, "executor.slurm: unknown key '%s' (known: "
			    "defaults, stages, extra)", k->str);
	}
	if (p.rc != PL_OK)
		pl__slurm_cfg_dispose(out);
	return p.rc;
}

static int
push(char ***v, size_t *n, char *s)
{
	char **nv;

	if (s == NULL || (nv = realloc(*v, (*n + 2) * sizeof *nv)) == NULL) {
		free(s);
		return -1;
	}
	*v = nv;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	return 0;
}

int
pl_slurm_cfg_args(char ***out, const pl_slurm_cfg *c, const char *stage)
{
	const pl_slurm_rule *rule = NULL;
	char **v = NULL;
	size_t n = 0;

	*out = NULL;
	if (c == NULL || !c->present)
		return PL_OK;
	for (size_t i = 0; i < c->nstages && !rule; i++)
		if (!strcmp(c->stages[i].pattern, stage))
			rule = &c->stages[i];
	for (size_t i = 0; i < c->nstages && !rule; i++)
		if (fnmatch(c->stages[i].pattern, stage, 0) == 0)
			rule = &c->stages[i];
	for (size_t k = 0; k < PL_SLURM_NKEYS; k++) {
		const char *val = rule && rule->res.val[k] ? rule->res.val[k] :
		    c->defaults.val[k];
		char *s;

		if (val == NULL)
			continue;
		if (asprintf(&s, "%s=%s", keys[k].opt, val) < 0)
			s = NULL;
		if (push(&v, &n, s) < 0)
			goto oom;
	}
	for (size_t i = 0; i < c->nextra; i++)
		if (push(&v, &n, strdup(c->extra[i])) < 0)
			goto oom;
	for (size_t i = 0; i < c->defaults.nextra; i++)
		if (push(&v, &n, strdup(c->defaults.extra[i])) < 0)
			goto oom;
	for (size_t i = 0; rule && i < rule->res.nextra; i++)
		if (push(&v, &n, strdup(rule->res.extra[i])) < 0)
			goto oom;
	*out = v;
	return PL_OK;
oom:
	strv_free(v);
	return PL_ENOMEM;
}
