/* ynode.c - building, querying and emitting YAML trees with libyaml. */
#include "config.h"
#include "config/ynode.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "buf.h"
#include "store/error.h"
#include "json.h"
#include "ropen.h"

ynode *
yn_new(yn_kind kind, int line, int col)
{
	ynode *n = calloc(1, sizeof *n);

	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->line = line;
	n->col = col;
	return n;
}

ynode *
yn_new_scalar(const char *s, int quoted, int line, int col)
{
	ynode *n = yn_new(YN_SCALAR, line, col);

	if (n == NULL)
		return NULL;
	n->str = strdup(s ? s : "");
	if (n->str == NULL) {
		free(n);
		return NULL;
	}
	n->quoted = quoted;
	return n;
}

int
yn_verrf(char *err, size_t err_len, const char *file, const ynode *n,
    const char *fmt, va_list ap)
{
	int k;

	if (err_len == 0)
		return PL_EINVAL;
	if (file == NULL)
		file = n && n->file ? n->file : "plumb.yaml";
	k = snprintf(err, err_len, "%s:%d:%d: ", file, n ? n->line : 1,
	    n ? n->col : 1);
	if (k >= 0 && (size_t)k < err_len)
		vsnprintf(err + k, err_len - (size_t)k, fmt, ap);
	return PL_EINVAL;
}

int
yn_errf(char *err, size_t err_len, const char *file, const ynode *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yn_verrf(err, err_len, file, n, fmt, ap);
	va_end(ap);
	return PL_EINVAL;
}

void
yn_free(ynode *n)
{
	size_t cnt;

	if (n == NULL)
		return;
	cnt = n->kind == YN_MAP ? 2 * n->n : n->n;
	for (size_t i = 0; i < cnt; i++)
		yn_free(n->items[i]);
	free(n->items);
	free(n->str);
	free(n);
}

static int
push(ynode *n, ynode *item)
{
	size_t cnt = n->kind == YN_MAP ? 2 * n->n + (n->half ? 1 : 0) : n->n;

	if (cnt == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 4;
		ynode **p = realloc(n->items, cap * sizeof *p);

		if (p == NULL)
			return PL_ENOMEM;
		n->items = p;
		n->cap = cap;
	}
	n->items[cnt] = item;
	return PL_OK;
}

int
yn_append(ynode *n, ynode *item)
{
	if (push(n, item) != PL_OK)
		return PL_ENOMEM;
	n->n++;
	return PL_OK;
}

int
yn_map_put(ynode *map, ynode *key, ynode *value)
{
	if (push(map, key) != PL_OK)
		return PL_ENOMEM;
	map->half = 1;
	if (push(map, value) != PL_OK) {
		map->half = 0;
		return PL_ENOMEM;
	}
	map->half = 0;
	map->n++;
	return PL_OK;
}

ynode *
yn_copy(const ynode *n)
{
	ynode *c;
	size_t cnt;

	if (n == NULL)
		return NULL;
	c = n->kind == YN_SCALAR ? yn_new_scalar(n->str, n->quoted, n->line,
	    n->col) : yn_new(n->kind, n->line, n->col);
	if (c == NULL)
		return NULL;
	c->file = n->file;
	cnt = n->kind == YN_MAP ? 2 * n->n : n->n;
	if (cnt == 0)
		return c;
	c->items = calloc(cnt, sizeof *c->items);
	if (c->items == NULL) {
		yn_free(c);
		return NULL;
	}
	c->cap = cnt;
	for (size_t i = 0; i < cnt; i++) {
		c->items[i] = yn_copy(n->items[i]);
		if (c->items[i] == NULL) {
			for (size_t j = 0; j < i; j++)
				yn_free(c->items[j]);
			free(c->items);
			c->items = NULL;
			yn_free(c);
			return NULL;
		}
	}
	c->n = n->n;
	return c;
}

ynode *
yn_get(const ynode *map, const char *key)
{
	if (map == NULL || map->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		ynode *k = yn_key(map, i);

		if (k->kind == YN_SCALAR && strcmp(k->str, key) == 0)
			return yn_val(map, i);
	}
	return NULL;
}

/* --- parsing --------------------------------------------------------- */

struct anchor {
	char *name;
	ynode *node;		/* borrowed: lives in the tree */
};

struct pstate {
	yaml_parser_t p;
	const char *file;
	char *err;
	size_t err_len;
	struct anchor *anchors;
	size_t nanchors;
	size_t alias_nodes;	/* nodes made by expanding aliases so far */
};

static int
perr(struct pstate *ps, yaml_mark_t m, const char *msg)
{
	snprintf(ps->err, ps->err_len, "%s:%zu:%zu: %s", ps->file,
	    m.line + 1, m.column + 1, msg);
	return PL_EINVAL;
}

/*
 * libyaml's problem texts ("did not find expected key") describe the
 * grammar, not the file.  The common ones are said again in the user's
 * terms, with a hint; the original stays in parentheses for searching.
 */
static const struct {
	const char *problem, *context, *say;	/* "@" is replaced by where */
} yaml_hints[] = {
	{ "did not find expected key", "while parsing a block mapping",
	    "bad indentation@: a key must start in the column of the keys "
	    "above it (indent it further to make it part of a value)" },
	{ "did not find expected '-' indicator", NULL,
	    "bad indentation in a list@: every item starts with '- ' in the "
	    "column of the items above it" },
	{ "mapping values are not allowed in this context", NULL,
	    "unexpected ':' in a value@: quote a value that holds ': ' "
	    "(cmd: \"echo a: b\"), or check the indentation" },
	{ "found character that cannot start any token", NULL,
	    "a character that cannot start a value@ (indent with spaces, "
	    "never tabs; quote a value that starts with '@' or '`')" },
	{ "found a tab character that violates indentation", NULL,
	    "a tab in the indentation@: YAML indents with spaces only" },
	{ "found unexpected end of stream", "while scanning a quoted scalar",
	    "a quoted string is never closed@" },
	{ "could not find expected ':'", NULL,
	    "a key without ':'@: write 'key: value', or indent a "
	    "continuation line further than its key" },
	{ "did not find expected node content", NULL,
	    "a value is missing here@" },
	/* outs: [${item}.json]: '{' inside [ ] opens a mapping (the file
	 * is as bad for DVC's ruamel; the hint says how to write it) */
	{ "did not find expected ',' or ']'", "while parsing a flow sequence",
	    "a [ ] list is cut short@: inside [ ] quote a value that holds "
	    "'${...}', braces, brackets or ', ' (outs: [\"${item}.json\"]), "
	    "or write the list as '- ' items" },
	{ "block sequence entries are not allowed in this context", NULL,
	    "a '- ' list item on the line of a key@: put the items on the "
	    "lines below, indented" },
};

/* The message for a libyaml parser error, at the problem's mark. */
static int
syntax_err(struct pstate *ps)
{
	const yaml_parser_t *p = &ps->p;
	const char *problem = p->problem ? p->problem : "YAML syntax error";
	char where[80] = "";

	if (p->context && p->context_mark.line != p->problem_mark.line) {
		const char *what = strstr(p->context, "mapping") ? "mapping" :
		    strstr(p->context, "scalar") ? "string" :
		    strstr(p->context, "collection") ||
		    strstr(p->context, "sequence") ? "list" : "part";

		snprintf(where, sizeof where, " (in the %s that starts at "
		    "line %zu)", what, p->context_mark.line + 1);
	}
	for (size_t i = 0; i < sizeof yaml_hints / sizeof *yaml_hints; i++) {
		const char *say = yaml_hints[i].say, *at = strchr(say, '@');

		if (strcmp(problem, yaml_hints[i].problem) != 0 ||
		    (yaml_hints[i].context && (p->context == NULL ||
		    strcmp(p->context, yaml_hints[i].context) != 0)))
			continue;
		snprintf(ps->err, ps->err_len, "%s:%zu:%zu: %.*s%s%s "
		    "[YAML: %s]", ps->file, p->problem_mark.line + 1,
		    p->problem_mark.column + 1, (int)(at - say), say, where,
		    at + 1, problem);
		return PL_EINVAL;
	}
	snprintf(ps->err, ps->err_len, "%s:%zu:%zu: YAML syntax error: %s%s%s",
	    ps->file, p->problem_mark.line + 1, p->problem_mark.column + 1,
	    problem, p->context ? " " : "", p->context ? p->context : "");
	return PL_EINVAL;
}

/* Nodes in a tree (for the alias budget). */
static size_t
count_nodes(const ynode *n)
{
	size_t c = 1, cnt;

	if (n == NULL)
		return 0;
	cnt = n->kind == YN_MAP ? 2 * n->n : n->n;
	for (size_t i = 0; i < cnt; i++)
		c += count_nodes(n->items[i]);
	return c;
}

static int
add_anchor(struct pstate *ps, const yaml_char_t *name, ynode *n)
{
	struct anchor *a;

	if (name == NULL)
		return PL_OK;
	a = realloc(ps->anchors, (ps->nanchors + 1) * sizeof *a);
	if (a == NULL)
		return PL_ENOMEM;
	ps->anchors = a;
	a[ps->nanchors].name = strdup((const char *)name);
	if (a[ps->nanchors].name == NULL)
		return PL_ENOMEM;
	a[ps->nanchors++].node = n;
	return PL_OK;
}

/*
 * YAML 1.1 merge keys: `<<: *base` (or `<<: [*a, *b]`) in a mapping adds
 * the pairs of the merged mappings whose keys the mapping does not have
 * itself; with a list, earlier mappings win over later ones.  libyaml
 * leaves this to the application.  While the mapping is read the merge
 * value stays in it as a pair with key "<<" (a plain scalar); when the
 * mapping ends the pairs are moved in and the "<<" pair goes away.
 */
static int
is_merge_key(const ynode *k)
{
	return k->kind == YN_SCALAR && !k->quoted && strcmp(k->str, "<<") == 0;
}

static int
merge_one(struct pstate *ps, ynode *map, ynode *src, ynode *at)
{
	if (src->kind != YN_MAP) {
		snprintf(ps->err, ps->err_len, "%s:%d:%d: the merge key '<<' "
		    "needs a mapping or a list of mappings, not %s", ps->file,
		    at->line, at->col, yn_a_type(src));
		return PL_EINVAL;
	}
	for (size_t i = 0; i < src->n; i++) {
		ynode *k = yn_key(src, i), *v = yn_val(src, i);

		if (yn_get(map, k->str) != NULL)
			continue;	/* the mapping's own key (or an earlier
					 * merge) wins */
		if (yn_map_put(map, k, v) != PL_OK)
			return PL_ENOMEM;
		src->items[2 * i] = src->items[2 * i + 1] = NULL;
	}
	return PL_OK;
}

static int
apply_merges(struct pstate *ps, ynode *n)
{
	size_t i = 0;
	ynode *k, *v;
	int rc = PL_OK;

	while (i < n->n && !is_merge_key(yn_key(n, i)))
		i++;
	if (i == n->n)
		return PL_OK;
	k = yn_key(n, i);
	v = yn_val(n, i);
	memmove(&n->items[2 * i], &n->items[2 * i + 2],
	    2 * (n->n - i - 1) * sizeof *n->items);
	n->n--;
	if (v->kind == YN_SEQ) {
		for (size_t j = 0; j < v->n && rc == PL_OK; j++)
			rc = merge_one(ps, n, v->items[j], v->items[j]);
	} else {
		rc = merge_one(ps, n, v, v);
	}
	yn_free(k);
	yn_free(v);	/* what was not moved (yn_free skips NULL slots) */
	return rc;
}

struct keyset;
static int parse_children2(struct pstate *ps, ynode *n,
    yaml_event_type_t end, int depth, struct keyset *ks);

/* Parses the node whose first event is ev (already taken). */
static int parse_node(struct pstate *ps, yaml_event_t *ev, ynode **out,
    int depth);

/* FNV-1a, for the duplicate-key check of large mappings. */
static uint32_t
key_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A set of the keys seen in one mapping: pair indexes + 1 (0 = empty),
 * open addressing.  Only built past a few keys: a pipeline's `stages`
 * can hold thousands, and pairwise comparison would be quadratic. */
struct keyset {
	uint32_t *slot;
	size_t cap;
};

/* Index of the earlier pair with key k, or -1; adds pair i otherwise.
 * -2 when memory ran out. */
static long
keyset_add(struct keyset *ks, const ynode *map, const char *k, size_t i)
{
	if ((i + 1) * 2 > ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 64;
		uint32_t *ns = calloc(cap, sizeof *ns);

		if (ns == NULL)
			return -2;
		for (size_t j = 0; j < ks->cap; j++)
			if (ks->slot[j]) {
				size_t h = key_hash(yn_key(map,
				    ks->slot[j] - 1)->str) & (cap - 1);

				while (ns[h])
					h = (h + 1) & (cap - 1);
				ns[h] = ks->slot[j];
			}
		free(ks->slot);
		ks->slot = ns;
		ks->cap = cap;
	}
	for (size_t h = key_hash(k) & (ks->cap - 1);; h = (h + 1) & (ks->cap - 1)) {
		if (ks->slot[h] == 0) {
			ks->slot[h] = (uint32_t)i + 1;
			return -1;
		}
		if (strcmp(yn_key(map, ks->slot[h] - 1)->str, k) == 0)
			return (long)ks->slot[h] - 1;
	}
}

static int
parse_children(struct pstate *ps, ynode *n, yaml_event_type_t end, int depth)
{
	struct keyset ks = { NULL, 0 };
	int rc = parse_children2(ps, n, end, depth, &ks);

	free(ks.slot);
	return rc;
}

static int
parse_children2(struct pstate *ps, ynode *n, yaml_event_type_t end, int depth,
    struct keyset *ks)
{
	for (;;) {
		yaml_event_t ev;
		ynode *key = NULL, *val = NULL;
		int rc;

		if (!yaml_parser_parse(&ps->p, &ev))
			return syntax_err(ps);
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return n->kind == YN_MAP ? apply_merges(ps, n) : PL_OK;
		}
		rc = parse_node(ps, &ev, &key, depth + 1);
		if (rc != PL_OK)
			return rc;
		if (n->kind == YN_SEQ) {
			if (yn_append(n, key) != PL_OK) {
				yn_free(key);
				return PL_ENOMEM;
			}
			continue;
		}
		if (key->kind != YN_SCALAR) {
			char msg[64];

			snprintf(msg, sizeof msg, "a mapping key must be a "
			    "scalar, not a %s", yn_type_name(key));
			snprintf(ps->err, ps->err_len, "%s:%d:%d: %s", ps->file,
			    key->line, key->col, msg);
			yn_free(key);
			return PL_EINVAL;
		}
		{
			long dup = -1;

			if (n->n < 16) {
				for (size_t i = 0; i < n->n && dup < 0; i++)
					if (strcmp(yn_key(n, i)->str,
					    key->str) == 0)
						dup = (long)i;
			} else {
				/* (the pair is added below; check first) */
				if (ks->cap == 0)
					for (size_t i = 0; i < n->n; i++)
						if (keyset_add(ks, n,
						    yn_key(n, i)->str, i) == -2) {
							yn_free(key);
							return PL_ENOMEM;
						}
				dup = keyset_add(ks, n, key->str, n->n);
				if (dup == -2) {
					yn_free(key);
					return PL_ENOMEM;
				}
				if (dup < 0) {
					/* undo: the key is not in n yet; it
					 * will be at index n->n, as recorded */
				}
			}
			if (dup >= 0) {
				snprintf(ps->err, ps->err_len,
				    "%s:%d:%d: duplicate key '%s' (first at "
				    "line %d)", ps->file, key->line, key->col,
				    key->str, yn_key(n, (size_t)dup)->line);
				yn_free(key);
				return PL_EINVAL;
			}
		}
		if (!yaml_parser_parse(&ps->p, &ev)) {
			yn_free(key);
			return syntax_err(ps);
		}
		rc = parse_node(ps, &ev, &val, depth + 1);
		if (rc != PL_OK) {
			yn_free(key);
			return rc;
		}
		if (yn_map_put(n, key, val) != PL_OK) {
			yn_free(key);
			yn_free(val);
			return PL_ENOMEM;
		}
	}
}

static int
parse_node(struct pstate *ps, yaml_event_t *ev, ynode **out, int depth)
{
	int line = (int)ev->start_mark.line + 1;
	int col = (int)ev->start_mark.column + 1;
	ynode *n = NULL;
	int rc = PL_OK;

	*out = NULL;
	if (depth > 200) {
		rc = perr(ps, ev->start_mark, "nesting too deep");
		yaml_event_delete(ev);
		return rc;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = yn_new_scalar((const char *)ev->data.scalar.value,
		    ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE, line,
		    col);
		if (n == NULL) {
			rc = PL_ENOMEM;
			break;
		}
		/* A tag like !!str forces a string. */
		if (ev->data.scalar.tag && strcmp((char *)ev->data.scalar.tag,
		    YAML_STR_TAG) == 0)
			n->quoted = 1;
		n->file = ps->file;
		rc = add_anchor(ps, ev->data.scalar.anchor, n);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int seq = ev->type == YAML_SEQUENCE_START_EVENT;
		yaml_char_t *anchor = seq ? ev->data.sequence_start.anchor :
		    ev->data.mapping_start.anchor;

		n = yn_new(seq ? YN_SEQ : YN_MAP, line, col);
		if (n == NULL) {
			rc = PL_ENOMEM;
			break;
		}
		n->file = ps->file;
		/* The anchor is registered after the children: an alias
		 * inside its own node would be a loop. */
		rc = parse_children(ps, n, seq ? YAML_SEQUENCE_END_EVENT :
		    YAML_MAPPING_END_EVENT, depth);
		if (rc == PL_OK)
			rc = add_anchor(ps, anchor, n);
		break;
	}
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;

		rc = PL_EINVAL;
		for (size_t i = ps->nanchors; i-- > 0;)
			if (strcmp(ps->anchors[i].name, name) == 0) {
				size_t sz = count_nodes(ps->anchors[i].node);

				/* Aliases are copied (the tree has no shared
				 * nodes); a few lines of aliases of aliases
				 * ("billion laughs") would copy 10^9 nodes.
				 * No real file comes near the bound. */
				if (sz > YN_ALIAS_MAX_NODES - ps->alias_nodes) {
					char msg[300];

					snprintf(msg, sizeof msg, "aliases expand "
					    "to more than %d nodes at '*%.64s' "
					    "(an alias bomb?); refusing the file",
					    YN_ALIAS_MAX_NODES, name);
					rc = perr(ps, ev->start_mark, msg);
					break;
				}
				ps->alias_nodes += sz;
				n = yn_copy(ps->anchors[i].node);
				rc = n ? PL_OK : PL_ENOMEM;
				break;
			}
		if (rc == PL_EINVAL && n == NULL && ps->err[0] == '\0') {
			char msg[300];

			snprintf(msg, sizeof msg, "unknown alias '*%s'", name);
			rc = perr(ps, ev->start_mark, msg);
		} else if (n) {
			n->line = line;
			n->col = col;
		}
		break;
	}
	default:
		rc = perr(ps, ev->start_mark, "unexpected YAML event");
		break;
	}
	yaml_event_delete(ev);
	if (rc != PL_OK) {
		yn_free(n);
		return rc;
	}
	*out = n;
	return PL_OK;
}

int
yn_parse(ynode **out, const char *text, size_t len, const char *file,
    char *err, size_t err_len)
{
	struct pstate ps;
	yaml_event_t ev;
	ynode *root = NULL;
	int rc = PL_OK, done = 0;

	*out = NULL;
	memset(&ps, 0, sizeof ps);
	ps.file = file;
	ps.err = err;
	ps.err_len = err_len;
	/* (parse_node() tells "no message yet" by an empty err: the
	 * caller's buffer may hold anything) */
	if (err_len > 0)
		err[0] = '\0';
	if (!yaml_parser_initialize(&ps.p)) {
		snprintf(err, err_len, "out of memory");
		return PL_ENOMEM;
	}
	yaml_parser_set_input_string(&ps.p, (const unsigned char *)text, len);
	while (!done && rc == PL_OK) {
		if (!yaml_parser_parse(&ps.p, &ev)) {
			rc = syntax_err(&ps);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (root != NULL) {
				rc = perr(&ps, ev.start_mark, "only one YAML "
				    "document is allowed here");
			}
			yaml_event_delete(&ev);
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			done = 1;
			break;
		default:
			rc = parse_node(&ps, &ev, &root, 0);
			break;
		}
	}
	for (size_t i = 0; i < ps.nanchors; i++)
		free(ps.anchors[i].name);
	free(ps.anchors);
	yaml_parser_delete(&ps.p);
	if (rc != PL_OK) {
		yn_free(root);
		return rc;
	}
	/* An explicit null document ("~" or empty) counts as empty. */
	if (root && root->kind == YN_SCALAR && yn_scalar_type(root) == YT_NULL) {
		yn_free(root);
		root = NULL;
	}
	*out = root;
	return PL_OK;
}

int
yn_parse_file(ynode **out, const char *path, const char *name, char *err,
    size_t err_len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	char why[128];
	int fd = ropen(path, 0, NULL, why, sizeof why), rc;
	ssize_t n;

	*out = NULL;
	if (fd < 0 && errno == EINVAL) {
		snprintf(err, err_len, "cannot read %s: it is not a regular "
		    "file (%s)", name, why);
		return PL_EINVAL;
	}
	if (fd < 0) {
		snprintf(err, err_len, "cannot open %s: %s", name,
		    strerror(errno));
		return errno == ENOENT ? PL_ENOTFOUND : PL_EIO;
	}
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, err_len, "cannot read %s: %s", name,
			    strerror(errno));
			close(fd);
			buf_free(&b);
			return PL_EIO;
		}
		if (buf_add(&b, chunk, (size_t)n) < 0) {
			close(fd);
			buf_free(&b);
			snprintf(err, err_len, "out of memory");
			return PL_ENOMEM;
		}
	}
	close(fd);
	rc = yn_parse(out, buf_str(&b), b.len, name, err, err_len);
	buf_free(&b);
	return rc;
}

/* --- types ----------------------------------------------------------- */

/*
 * Numbers as DVC reads them.  DVC loads YAML with ruamel.yaml's safe
 * loader, YAML 1.2 but lenient: an int is [-+]? then 0b[01_]+,
 * 0o[0-7_]+, 0x[0-9a-fA-F_]+ or [0-9][0-9_]* (decimal even with a
 * leading 0: 017 is 17); a float allows _ in its mantissa (1_0.5,
 * 1_e5, -.5).  Underscores are dropped from the value.  Anything else,
 * 0o8 or _1, is a string.
 */
static int
digits_of(const char *s, const char *set)
{
	int n = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s == '_')
			continue;
		if (!strchr(set, *s))
			return 0;
		n++;
	}
	return n > 0;
}

/* The base of an int text (2, 8, 10, 16) and where its digits start;
 * 0 when it is no int. */
static int
int_base(const char *s, const char **digits)
{
	if (*s == '-' || *s == '+')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		int base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;

		*digits = s + 2;
		return digits_of(s + 2, base == 16 ? "0123456789abcdefABCDEF" :
		    base == 8 ? "01234567" : "01") ? base : 0;
	}
	*digits = s;
	return *s >= '0' && *s <= '9' && digits_of(s, "0123456789") ? 10 : 0;
}

static int
is_int_text(const char *s)
{
	const char *d;

	return int_base(s, &d) != 0;
}

int
yn_int_text(const char *s, int *neg, unsigned long long *mag)
{
	const char *d;
	int base = int_base(s, &d);
	unsigned long long u = 0;

	if (base == 0)
		return -1;
	*neg = *s == '-';
	for (; *d; d++) {
		unsigned v;

		if (*d == '_')
			continue;
		v = *d <= '9' ? (unsigned)(*d - '0') : (unsigned)((*d | 32) -
		    'a' + 10);
		if (u > (ULLONG_MAX - v) / (unsigned)base)
			return 1;
		u = u * (unsigned)base + v;
	}
	*mag = u;
	return 0;
}

/* [0-9][0-9_]* at *pp; the number of digits read. */
static int
mantissa_digits(const char **pp)
{
	const char *p = *pp;
	int n = 0;

	while ((*p >= '0' && *p <= '9') || (*p == '_' && n > 0)) {
		n += *p != '_';
		p++;
	}
	*pp = p;
	return n;
}

static int
is_float_text(const char *s)
{
	const char *p = s;
	int digits = 0;

	if (strcmp(s, ".inf") == 0 || strcmp(s, "-.inf") == 0 ||
	    strcmp(s, "+.inf") == 0 || strcmp(s, ".nan") == 0 ||
	    strcmp(s, ".Inf") == 0 || strcmp(s, ".NaN") == 0 ||
	    strcmp(s, "-.Inf") == 0)
		return 1;
	if (*p == '-' || *p == '+')
		p++;
	digits = mantissa_digits(&p);
	if (*p == '.') {
		p++;
		/* after the point, _ may come first (1._5) */
		while ((*p >= '0' && *p <= '9') || *p == '_') {
			digits += *p != '_';
			p++;
		}
	}
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

yn_type
yn_scalar_type(const ynode *n)
{
	const char *s = n->str;

	if (n->quoted)
		return YT_STR;
	if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		return YT_NULL;
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") ||
	    !strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return YT_BOOL;
	if (is_int_text(s))
		return YT_INT;
	if (is_float_text(s))
		return YT_FLOAT;
	return YT_STR;
}

int
yn_bool(const ynode *n)
{
	return n->str[0] == 't' || n->str[0] == 'T';
}

int
yn_number(const ynode *n, double *out)
{
	yn_type t;
	const char *s;

	if (n == NULL || n->kind != YN_SCALAR)
		return -1;
	t = yn_scalar_type(n);
	s = n->str;
	if (t == YT_INT) {
		unsigned long long u;
		int neg;

		if (yn_int_text(s, &neg, &u) == 0)
			*out = neg ? -(double)u : (double)u;
		else
			*out = *s == '-' ? -HUGE_VAL : HUGE_VAL;
		return 0;
	}
	if (t == YT_FLOAT) {
		const char *q = s + (*s == '-' || *s == '+');

		if (q[0] == '.' && (q[1] == 'i' || q[1] == 'I'))
			*out = *s == '-' ? -INFINITY : INFINITY;
		else if (q[0] == '.' && (q[1] == 'n' || q[1] == 'N'))
			*out = NAN;
		else {
			char tmp[128], *o = tmp;

			/* ruamel drops the underscores */
			for (; *s && o < tmp + sizeof tmp - 1; s++)
				if (*s != '_')
					*o++ = *s;
			*o = '\0';
			*out = strtod(tmp, NULL);
		}
		return 0;
	}
	if (t == YT_BOOL) {
		*out = yn_bool(n);
		return 0;
	}
	return -1;
}

const char *
yn_a_type(const ynode *n)
{
	const char *t = yn_type_name(n);

	switch (t[0]) {
	case 'i': return "an integer";
	case 'l': return "a list";
	case 'm': return "a mapping";
	case 'n': return strcmp(t, "null") == 0 ? "null" : strcmp(t,
	    "nothing") == 0 ? "nothing" : "a number";
	case 'b': return "a boolean";
	default: return "a string";
	}
}

const char *
yn_type_name(const ynode *n)
{
	if (n == NULL)
		return "nothing";
	if (n->kind == YN_MAP)
		return "mapping";
	if (n->kind == YN_SEQ)
		return "list";
	switch (yn_scalar_type(n)) {
	case YT_NULL: return "null";
	case YT_BOOL: return "boolean";
	case YT_INT: return "integer";
	case YT_FLOAT: return "number";
	default: return "string";
	}
}

static int
canon(struct buf *b, const ynode *n)
{
	int rc = 0;

	if (n == NULL)
		return buf_puts(b, "null");
	if (n->kind == YN_MAP) {
		rc |= buf_putc(b, '{');
		for (size_t i = 0; i < n->n; i++) {
			const char *k = yn_key(n, i)->str;

			if (i)
				rc |= buf_putc(b, ',');
			rc |= json_quote(b, k, strlen(k));
			rc |= buf_putc(b, ':');
			rc |= canon(b, yn_val(n, i));
		}
		return rc | buf_putc(b, '}');
	}
	if (n->kind == YN_SEQ) {
		rc |= buf_putc(b, '[');
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				rc |= buf_putc(b, ',');
			rc |= canon(b, n->items[i]);
		}
		return rc | buf_putc(b, ']');
	}
	switch (yn_scalar_type(n)) {
	case YT_NULL:
		return buf_puts(b, "null");
	case YT_BOOL:
		return buf_puts(b, yn_bool(n) ? "true" : "false");
	case YT_INT:
	case YT_FLOAT:
		/* As written: 1e-3 and 0.001 are different texts, and the
		 * text is what a command line built from it shows. */
		return buf_puts(b, n->str);
	default:
		return json_quote(b, n->str, strlen(n->str));
	}
}

char *
yn_canonical(const ynode *n)
{
	struct buf b = BUF_INIT;

	if (canon(&b, n) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* --- emitting -------------------------------------------------------- */

static int
emit_write(void *data, unsigned char *buffer, size_t size)
{
	return buf_add(data, buffer, size) == 0;
}

static int
emit_node(yaml_emitter_t *em, const ynode *n)
{
	yaml_event_t ev;

	if (n->kind == YN_SCALAR) {
		int plain_ok = !n->quoted || yn_scalar_type(&(ynode){
		    .kind = YN_SCALAR, .str = n->str }) == YT_STR;

		if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
		    (yaml_char_t *)n->str, (int)strlen(n->str),
		    plain_ok, 1, plain_ok ? YAML_ANY_SCALAR_STYLE :
		    YAML_SINGLE_QUOTED_SCALAR_STYLE))
			return -1;
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	}
	if (n->kind == YN_SEQ) {
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		    YAML_BLOCK_SEQUENCE_STYLE) || !yaml_emitter_emit(em, &ev))
			return -1;
		for (size_t i = 0; i < n->n; i++)
			if (emit_node(em, n->items[i]) < 0)
				return -1;
		if (!yaml_sequence_end_event_initialize(&ev) ||
		    !yaml_emitter_emit(em, &ev))
			return -1;
		return 0;
	}
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
	    YAML_BLOCK_MAPPING_STYLE) || !yaml_emitter_emit(em, &ev))
		return -1;
	for (size_t i = 0; i < n->n; i++)
		if (emit_node(em, yn_key(n, i)) < 0 ||
		    emit_node(em, yn_val(n, i)) < 0)
			return -1;
	if (!yaml_mapping_end_event_initialize(&ev) ||
	    !yaml_emitter_emit(em, &ev))
		return -1;
	return 0;
}

char *
yn_emit(const ynode *n)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	struct buf b = BUF_INIT;
	int ok;

	if (!yaml_emitter_initialize(&em))
		return NULL;
	yaml_emitter_set_output(&em, emit_write, &b);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	    yaml_emitter_emit(&em, &ev) &&
	    emit_node(&em, n) == 0 &&
	    yaml_document_end_event_initialize(&ev, 1) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_stream_end_event_initialize(&ev) &&
	    yaml_emitter_emit(&em, &ev) && yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	if (!ok) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}
