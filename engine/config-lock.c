/* config-lock.c - lineage: the dep paths and hashes a stage read, from a DVC-style lock file. */
#include "config.h"
#include "config-yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "registry.h"

/*
 * This is the registry's own small reader of plumb.lock/dvc.lock: only
 * stages.<name>.deps[].{path, sha256|md5|hash, size}.  When the
 * pipelines' pl_lock_* reader lands, pl_lineage_from_lock() becomes a
 * thin adapter over it; its callers do not change.
 */

static yaml_node_t *
map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)k->data.scalar.value, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static const char *
sval(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

static int
add_deps(pl_data_ref **v, size_t *n, yaml_document_t *d, yaml_node_t *stage)
{
	yaml_node_t *deps = map_get(d, stage, "deps");

	if (deps == NULL || deps->type != YAML_SEQUENCE_NODE)
		return PL_OK;
	for (yaml_node_item_t *it = deps->data.sequence.items.start;
	    it < deps->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(d, *it);
		const char *path = sval(map_get(d, e, "path"));
		const char *hash = sval(map_get(d, e, "sha256"));
		const char *size = sval(map_get(d, e, "size"));
		pl_data_ref *nv;
		size_t i;

		if (path == NULL)
			continue;
		if (hash == NULL)
			hash = sval(map_get(d, e, "md5"));
		if (hash == NULL)
			hash = sval(map_get(d, e, "hash"));
		for (i = 0; i < *n; i++)
			if (!strcmp((*v)[i].path, path))
				break;
		if (i < *n)
			continue;	/* read by several stages: once */
		if ((nv = realloc(*v, (*n + 1) * sizeof **v)) == NULL)
			return PL_ENOMEM;
		*v = nv;
		nv[*n].path = strdup(path);
		nv[*n].hash = hash ? strdup(hash) : NULL;
		nv[*n].size = size ? strtoll(size, NULL, 10) : -1;
		(*n)++;
		if (nv[*n - 1].path == NULL || (hash && nv[*n - 1].hash == NULL))
			return PL_ENOMEM;
	}
	return PL_OK;
}

int
pl_lineage_from_lock(pl_data_ref **out, size_t *out_n, const char *lock_path,
    const char *stage, char *err, size_t err_len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *stages;
	pl_data_ref *v = NULL;
	size_t n = 0;
	FILE *f;
	int rc = PL_OK;

	*out = NULL;
	*out_n = 0;
	if ((f = fopen(lock_path, "r")) == NULL) {
		snprintf(err, err_len, "%s: %s", lock_path, strerror(errno));
		return errno == ENOENT ? PL_ENOTFOUND : PL_EIO;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return PL_ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, err_len, "%s:%zu:%zu: %s", lock_path,
		    (size_t)parser.problem_mark.line + 1,
		    (size_t)parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		return PL_EINVAL;
	}
	stages = map_get(&doc, yaml_document_get_root_node(&doc), "stages");
	if (stages == NULL || stages->type != YAML_MAPPING_NODE) {
		snprintf(err, err_len, "%s: no stages: in the lock file",
		    lock_path);
		rc = PL_ENOTFOUND;
	} else if (stage) {
		yaml_node_t *s = map_get(&doc, stages, stage);

		if (s == NULL) {
			snprintf(err, err_len, "%s: no stage '%s' in the lock "
			    "file", lock_path, stage);
			rc = PL_ENOTFOUND;
		} else {
			rc = add_deps(&v, &n, &doc, s);
		}
	} else {
		for (yaml_node_pair_t *p = stages->data.mapping.pairs.start;
		    rc == PL_OK && p < stages->data.mapping.pairs.top; p++)
			rc = add_deps(&v, &n, &doc,
			    yaml_document_get_node(&doc, p->value));
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc != PL_OK) {
		if (rc == PL_ENOMEM)
			snprintf(err, err_len, "out of memory");
		pl_data_refs_free(v, n);
		return rc;
	}
	*out = v;
	*out_n = n;
	return PL_OK;
}
