/* mlflow-wire.c - MLflow REST 2.0 on plumb serve: routing, JSON requests and replies, MLflow's error codes, field and key checks, page tokens. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlflow.h"

/*
 * Writes are serialised by one process-wide lock before they reach
 * SQLite: the pool threads would otherwise queue on the store's write
 * lock through SQLite's busy handler, which sleeps in steps of
 * milliseconds, and the p99 of 50 clients logging at once would be
 * those sleeps.  A mutex hands the lock over in microseconds.  (Other
 * processes writing the store still meet the busy handler.)
 */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static __thread int write_depth;	/* this thread holds write_mu */

void
ml_write_lock(void)
{
	if (write_depth++ == 0)
		pthread_mutex_lock(&write_mu);
}

void
ml_write_unlock(void)
{
	if (--write_depth == 0)
		pthread_mutex_unlock(&write_mu);
}

#define W 1			/* the call writes */
#define G 2			/* GET is its method (else POST) */
#define GP 4			/* GET or POST */
#define SELF 8			/* a write that takes the lock itself
				 * (group commit) */
#define MPATCH 16		/* PATCH is its method */
#define MDEL 32			/* DELETE is its method */
#define MANY 64			/* GET reads; POST, DELETE write */

static const struct ml_route {
	const char *path;	/* after .../2.0/mlflow/ */
	int flags;
	ml_handler fn;
} routes[] = {
	{ "experiments/create", W, ml_experiments_create },
	{ "experiments/get", G, ml_experiments_get },
	{ "experiments/get-by-name", G, ml_experiments_get_by_name },
	{ "experiments/search", GP, ml_experiments_search },
	{ "experiments/delete", W, ml_experiments_delete },
	{ "experiments/restore", W, ml_experiments_restore },
	{ "experiments/update", W, ml_experiments_update },
	{ "experiments/set-experiment-tag", W, ml_experiments_set_tag },
	{ "runs/create", W, ml_runs_create },
	{ "runs/get", G, ml_runs_get },
	{ "runs/update", W, ml_runs_update },
	{ "runs/delete", W, ml_runs_delete },
	{ "runs/restore", W, ml_runs_restore },
	{ "runs/log-metric", W | SELF, ml_runs_log_metric },
	{ "runs/log-parameter", W, ml_runs_log_param },
	{ "runs/set-tag", W, ml_runs_set_tag },
	{ "runs/delete-tag", W, ml_runs_delete_tag },
	{ "runs/log-batch", W, ml_runs_log_batch },
	{ "runs/log-inputs", W, ml_runs_log_inputs },
	{ "runs/search", GP, ml_runs_search },
	{ "metrics/get-history", G, ml_metrics_history },
	/* the model registry (mlflow-registry.c) */
	{ "registered-models/create", W, ml_registered_models_create },
	{ "registered-models/get", G, ml_registered_models_get },
	{ "registered-models/rename", W, ml_registered_models_rename },
	{ "registered-models/update", W | MPATCH, ml_registered_models_update },
	{ "registered-models/delete", W | MDEL, ml_registered_models_delete },
	{ "registered-models/search", G, ml_registered_models_search },
	{ "registered-models/get-latest-versions", GP,
	    ml_registered_models_latest },
	{ "registered-models/set-tag", W, ml_registered_models_set_tag },
	{ "registered-models/delete-tag", W | MDEL,
	    ml_registered_models_delete_tag },
	{ "registered-models/alias", W | MANY, ml_registered_models_alias },
	{ "model-versions/create", W, ml_model_versions_create },
	{ "model-versions/get", G, ml_model_versions_get },
	{ "model-versions/update", W | MPATCH, ml_model_versions_update },
	{ "model-versions/delete", W | MDEL, ml_model_versions_delete },
	{ "model-versions/search", G, ml_model_versions_search },
	{ "model-versions/transition-stage", W, ml_model_versions_transition },
	{ "model-versions/set-tag", W, ml_model_versions_set_tag },
	{ "model-versions/delete-tag", W | MDEL, ml_model_versions_delete_tag },
	{ "model-versions/get-download-uri", G, ml_model_versions_download_uri },
};

/* ---- replies ---- */

static const struct {
	const char *code;
	int status;
} statuses[] = {	/* mlflow/exceptions.py */
	{ "INVALID_PARAMETER_VALUE", 400 }, { "BAD_REQUEST", 400 },
	{ "RESOURCE_ALREADY_EXISTS", 400 }, { "UNAUTHENTICATED", 401 },
	{ "PERMISSION_DENIED", 403 }, { "RESOURCE_DOES_NOT_EXIST", 404 },
	{ "ENDPOINT_NOT_FOUND", 404 }, { "ALREADY_EXISTS", 409 },
	{ "RESOURCE_CONFLICT", 409 }, { "REQUEST_LIMIT_EXCEEDED", 429 },
	{ "INTERNAL_ERROR", 500 }, { "INVALID_STATE", 500 },
	{ "NOT_IMPLEMENTED", 501 }, { "TEMPORARILY_UNAVAILABLE", 503 },
};

int
ml_error_status(const char *code)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (strcmp(statuses[i].code, code) == 0)
			return statuses[i].status;
	return 500;
}

static void
reply_json(struct srv_req *r, int status, json_t *obj)
{
	char *s = ml_arena_strdup(json_dumps(obj, JSON_COMPACT));

	if (s == NULL) {
		srv_replyf(r, 500, "application/json", "{\"error_code\":"
		    "\"INTERNAL_ERROR\",\"message\":\"out of memory\"}");
		return;
	}
	srv_reply_take(r, status, "application/json", s);
}

void
ml_ok(struct ml_call *c, json_t *obj)
{
	if (obj == NULL) {
		srv_reply(c->r, 200, "application/json", "{}", 2);
		return;
	}
	reply_json(c->r, 200, obj);
	json_decref(obj);
}

void
ml_error(struct ml_call *c, const char *code, const char *fmt, ...)
{
	char msg[1024];
	int status;
	json_t *o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	status = ml_error_status(code);
	/* The message may quote the client's bytes cut anywhere: json_pack
	 * refuses invalid UTF-8, so fall back to a fixed text. */
	o = json_pack("{s:s,s:s}", "error_code", code, "message", msg);
	if (o == NULL)
		o = json_pack("{s:s,s:s}", "error_code", code, "message",
		    "invalid request");
	reply_json(c->r, status, o);
	json_decref(o);
}

void
ml_engine_error(struct ml_call *c, int rc)
{
	const char *msg = pl_store_errmsg(c->st);

	switch (rc) {
	case PL_ENOTFOUND:
		ml_error(c, "RESOURCE_DOES_NOT_EXIST", "%s", msg);
		break;
	case PL_EEXISTS:
		ml_error(c, "RESOURCE_ALREADY_EXISTS", "%s", msg);
		break;
	case PL_EINVAL:
	case PL_EAMBIGUOUS:
		ml_error(c, "INVALID_PARAMETER_VALUE", "%s", msg);
		break;
	case PL_EBUSY:
		ml_error(c, "TEMPORARILY_UNAVAILABLE", "%s", msg);
		break;
	case PL_EREADONLY:
		ml_error(c, "PERMISSION_DENIED", "%s", msg);
		break;
	default:
		ml_error(c, "INTERNAL_ERROR", "%s", msg);
	}
}

/* ---- fields ---- */

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int
missing(struct ml_call *c, const char *name)
{
	ml_error(c, "INVALID_PARAMETER_VALUE", "Missing value for required "
	    "parameter '%s'.", name);
	return -1;
}

static int
mistyped(struct ml_call *c, const char *name, const json_t *v,
    const char *want)
{
	ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid value for parameter "
	    "'%s': expected %s, got %s.", name, want, type_name(v));
	return -1;
}

/* A present, non-null field (proto3 reads null as absent). */
static json_t *
field(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);

	return v && !json_is_null(v) ? v : NULL;
}

int
ml_get_str(struct ml_call *c, json_t *obj, const char *name, int required,
    const char **out)
{
	json_t *v = field(obj, name);

	*out = NULL;
	if (v == NULL)
		return required ? missing(c, name) : 0;
	if (!json_is_string(v))
		return mistyped(c, name, v, "a string");
	*out = json_string_value(v);
	if (required && **out == '\0')
		return missing(c, name);
	return 0;
}

int
ml_get_i64(struct ml_call *c, json_t *obj, const char *name, int required,
    int64_t def, int64_t *out)
{
	json_t *v = field(obj, name);

	*out = def;
	if (v == NULL)
		return required ? missing(c, name) : 0;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {	/* 5.0 is an integer, 5.5 is not */
		double d = json_real_value(v);

		if (d == floor(d) && fabs(d) < 9.2e18) {
			*out = (int64_t)d;
			return 0;
		}
		return mistyped(c, name, v, "an integer");
	}
	if (json_is_string(v)) {	/* proto3 JSON: int64 as a string */
		const char *s = json_string_value(v);
		char *end;
		long long n;

		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s && *end == '\0' && errno == 0 && !isspace((unsigned char)*s)) {
			*out = n;
			return 0;
		}
	}
	return mistyped(c, name, v, "an integer");
}

static int
parse_dbl(json_t *v, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		if (strcmp(s, "NaN") == 0) {
			*out = NAN;
			return 0;
		}
		if (strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0) {
			*out = *s == '-' ? -INFINITY : INFINITY;
			return 0;
		}
		*out = strtod(s, &end);
		if (*s && *end == '\0' && !isspace((unsigned char)*s))
			return 0;
	}
	return -1;
}

int
ml_get_dbl(struct ml_call *c, json_t *obj, const char *name, int required,
    double *out)
{
	json_t *v = field(obj, name);

	*out = 0;
	if (v == NULL)
		return required ? missing(c, name) : 0;
	if (parse_dbl(v, out) < 0)
		return mistyped(c, name, v, "a number");
	return 0;
}

int
ml_get_arr(struct ml_call *c, json_t *obj, const char *name, json_t **out)
{
	json_t *v = field(obj, name);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return mistyped(c, name, v, "an array");
	*out = v;
	return 0;
}

int
ml_get_strs(struct ml_call *c, const char *name, const char ***out,
    size_t *out_n)
{
	json_t *v = field(c->in, name), *e;
	size_t i;

	*out = NULL;
	*out_n = 0;
	if (v == NULL)
		return 0;
	if (json_is_string(v)) {
		if ((*out = malloc(sizeof **out)) == NULL)
			goto oom;
		(*out)[0] = json_string_value(v);
		*out_n = 1;
		return 0;
	}
	if (!json_is_array(v))
		return mistyped(c, name, v, "an array of strings");
	if ((*out = calloc(json_array_size(v) + 1, sizeof **out)) == NULL)
		goto oom;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			free(*out);
			*out = NULL;
			return mistyped(c, name, e, "a string");
		}
		(*out)[(*out_n)++] = json_string_value(e);
	}
	return 0;
oom:
	ml_error(c, "INTERNAL_ERROR", "out of memory");
	return -1;
}

/* ---- wire forms ---- */

json_t *
ml_num(double v)
{
	if (isnan(v))
		return json_string("NaN");
	if (isinf(v))
		return json_string(v > 0 ? "Infinity" : "-Infinity");
	return json_real(v);
}

void
ml_exp_wire_id(char out[24], int64_t id, const char *name)
{
	if (name && strcmp(name, PL_EXPERIMENT_DEFAULT) == 0)
		snprintf(out, 24, "0");
	else
		snprintf(out, 24, "%lld", (long long)id);
}

int
ml_exp_resolve(struct ml_call *c, const char *wire, int64_t *out)
{
	pl_experiment_rec *e = NULL;
	char *end;
	long long n;
	int rc;

	*out = 0;
	errno = 0;
	n = strtoll(wire, &end, 10);
	if (*wire == '\0' || *end || errno || n < 0 ||
	    !isdigit((unsigned char)*wire)) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid experiment ID: "
		    "'%.100s'", wire);
		return -1;
	}
	if (n == 0) {
		/* Scripts that name no experiment log to "0": it exists. */
		ml_write_lock();
		rc = pl_experiment_default(out, c->st);
		ml_write_unlock();
		if (rc != PL_OK) {
			ml_engine_error(c, rc);
			return -1;
		}
		return 0;
	}
	if ((rc = pl_experiment_read(&e, c->st, n)) != PL_OK) {
		if (rc == PL_ENOTFOUND)
			ml_error(c, "RESOURCE_DOES_NOT_EXIST", "No Experiment "
			    "with id=%lld exists", n);
		else
			ml_engine_error(c, rc);
		return -1;
	}
	pl_experiment_rec_free(e);
	*out = n;
	return 0;
}

int
ml_get_run_id(struct ml_call *c, char id[PL_ID_LEN + 1])
{
	const char *s;

	id[0] = '\0';
	if (ml_get_str(c, c->in, "run_id", 0, &s) < 0)
		return -1;
	if ((s == NULL || *s == '\0') &&
	    ml_get_str(c, c->in, "run_uuid", 0, &s) < 0)
		return -1;
	if (s == NULL || *s == '\0')
		return missing(c, "run_id");
	/* Exact ids only: a prefix is a CLI convenience, not MLflow's. */
	if (strlen(s) != PL_ID_LEN || strspn(s, "0123456789abcdef") !=
	    PL_ID_LEN) {
		ml_error(c, "RESOURCE_DOES_NOT_EXIST", "Run with id=%.64s not "
		    "found", s);
		return -1;
	}
	memcpy(id, s, PL_ID_LEN + 1);
	return 0;
}

int
ml_get_run(struct ml_call *c, int for_write, char id[PL_ID_LEN + 1],
    pl_run_info **info)
{
	pl_run_info *ri = NULL;
	int rc;

	if (info)
		*info = NULL;
	if (ml_get_run_id(c, id) < 0)
		return -1;
	if ((rc = pl_run_get(&ri, c->st, id)) != PL_OK) {
		if (rc == PL_ENOTFOUND)
			ml_error(c, "RESOURCE_DOES_NOT_EXIST", "Run with id=%s "
			    "not found", id);
		else
			ml_engine_error(c, rc);
		return -1;
	}
	if (for_write && ri->deleted_ms) {
		pl_run_info_free(ri);
		ml_error(c, "INVALID_PARAMETER_VALUE", "The run %s must be in "
		    "the 'active' state. Current state is deleted.", id);
		return -1;
	}
	if (info)
		*info = ri;
	else
		pl_run_info_free(ri);
	return 0;
}

int
ml_check_key(struct ml_call *c, const char *what, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	if (n == 0 || n > 250)
		goto bad;
	for (p = key; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		/* \w of Python's re is Unicode: any non-ASCII byte of valid
		 * UTF-8 (jansson checked) passes as part of a letter. */
		if (!(isalnum(ch) || ch >= 0x80 || strchr("_-./ ", ch)))
			goto bad;
	}
	/* posixpath.normpath(key) must be key: no leading or trailing
	 * slash, no empty, "." or ".." segment. */
	if (key[0] == '/' || key[n - 1] == '/' || strstr(key, "//"))
		goto bad;
	for (p = key; *p;) {
		size_t seg = strcspn(p, "/");

		if ((seg == 1 && p[0] == '.') ||
		    (seg == 2 && p[0] == '.' && p[1] == '.'))
			goto bad;
		p += seg;
		if (*p)
			p++;
	}
	return 0;
bad:
	ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid %s name: '%.260s'. "
	    "Names may be up to 250 characters of alphanumerics, underscores "
	    "(_), dashes (-), periods (.), spaces ( ), and slashes (/), and "
	    "may not be a path that normalises to another.", what, key);
	return -1;
}

/* ---- page tokens ---- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
ml_token_make(int64_t offset)
{
	char raw[48], *out;
	size_t n = (size_t)snprintf(raw, sizeof raw, "{\"offset\": %lld}",
	    (long long)offset), o = 0;

	if ((out = malloc((n + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)raw[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)raw[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)raw[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

int
ml_token_offset(struct ml_call *c, const char *token, int64_t *out)
{
	char raw[128];
	size_t n = 0, len;
	unsigned v = 0;
	int bits = 0;
	json_t *j, *off;

	*out = 0;
	if (token == NULL || *token == '\0')
		return 0;
	len = strlen(token);
	if (len > 160)
		goto bad;
	for (size_t i = 0; i < len && token[i] != '='; i++) {
		const char *p = strchr(b64, token[i]);

		if (p == NULL || token[i] == '\0')
			goto bad;
		v = (v << 6) | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			raw[n++] = (char)((v >> bits) & 0xff);
			if (n == sizeof raw - 1)
				goto bad;
		}
	}
	raw[n] = '\0';
	if ((j = json_loadb(raw, n, 0, NULL)) == NULL)
		goto bad;
	off = json_object_get(j, "offset");
	if (!json_is_integer(off) || json_integer_value(off) < 0) {
		json_decref(j);
		goto bad;
	}
	*out = (int64_t)json_integer_value(off);
	json_decref(j);
	return 0;
bad:
	ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid page token, could not "
	    "base64-decode");
	return -1;
}

/* ---- requests ---- */

/* A GET's query string as a JSON object: values are strings, a key
 * given twice becomes an array (MLflow's lists repeat the key). */
static enum MHD_Result
add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	json_t *o = cls, *old, *v;

	(void)kind;
	if (key == NULL)
		return MHD_YES;
	/* Bytes that are not UTF-8 make no JSON string: skip them (the
	 * field then reads as absent, which the handler reports). */
	if ((v = json_string(value ? value : "")) == NULL)
		return MHD_YES;
	old = json_object_get(o, key);
	if (old == NULL) {
		json_object_set_new(o, key, v);
	} else if (json_is_array(old)) {
		json_array_append_new(old, v);
	} else {
		json_t *a = json_array();

		json_array_append(a, old);
		json_array_append_new(a, v);
		json_object_set_new(o, key, a);
	}
	return MHD_YES;
}

/* Reads the request into c->in; -1 after a 400. */
static int
decode(struct ml_call *c)
{
	json_error_t err;

	if (strcmp(c->r->method, "GET") == 0) {
		c->in = json_object();
		MHD_get_connection_values(c->r->conn, MHD_GET_ARGUMENT_KIND,
		    add_arg, c->in);
		return c->in ? 0 : -1;
	}
	if (c->r->body_len == 0) {
		c->in = json_object();
		return 0;
	}
	c->in = json_loadb(c->r->body, c->r->body_len, 0, &err);
	if (c->in == NULL) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Malformed JSON request "
		    "body at line %d, column %d: %s", err.line, err.column,
		    err.text);
		return -1;
	}
	if (!json_is_object(c->in)) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "The request body must "
		    "be a JSON object, not %s", type_name(c->in));
		return -1;
	}
	return 0;
}

/* Whether method is one the route's flags allow. */
static int
method_ok(int flags, const char *m)
{
	int get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;

	if (flags & GP)
		return get || post;
	if (flags & G)
		return get;
	if (flags & MPATCH)
		return strcmp(m, "PATCH") == 0;
	if (flags & MDEL)
		return strcmp(m, "DELETE") == 0;
	if (flags & MANY)
		return get || post || strcmp(m, "DELETE") == 0;
	return post;
}

int
srv_mlflow(struct srv_req *r)
{
	static const char *const prefixes[] = {
		"/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/",
	};
	const struct ml_route *rt = NULL;
	struct ml_call c;
	const char *name = NULL, *why = NULL;
	int is_get = strcmp(r->method, "GET") == 0, writes;

	for (size_t i = 0; i < 2 && name == NULL; i++)
		if (strncmp(r->path, prefixes[i], strlen(prefixes[i])) == 0)
			name = r->path + strlen(prefixes[i]);
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(routes[i].path, name) == 0)
			rt = &routes[i];
	if (rt == NULL)		/* not ours: registry, artifacts, ... */
		return 0;
	memset(&c, 0, sizeof c);
	c.r = r;
	if (!method_ok(rt->flags, r->method)) {
		srv_replyf(r, 405, "application/json", "{\"error_code\":"
		    "\"BAD_REQUEST\",\"message\":\"%s is not allowed on %s\"}",
		    r->method, name);
		return 1;
	}
	/* http.c refuses a read-only token's writes already (srv_is_write);
	 * this table is the one that knows which calls write. */
	writes = (rt->flags & W) && !is_get;
	if (writes && r->readonly) {
		srv_replyf(r, 403, "application/json", "{\"error_code\":"
		    "\"PERMISSION_DENIED\",\"message\":\"a read-only token "
		    "cannot call %s\"}", name);
		return 1;
	}
	if ((c.st = srv_store(&why)) == NULL) {
		srv_replyf(r, 503, "application/json", "{\"error_code\":"
		    "\"TEMPORARILY_UNAVAILABLE\",\"message\":\"the store "
		    "cannot be opened\"}");
		return 1;
	}
	ml_arena_begin();
	if (decode(&c) == 0) {
		int lock = writes && !(rt->flags & SELF);

		if (lock)
			ml_write_lock();
		rt->fn(&c);
		if (lock)
			ml_write_unlock();
	}
	json_decref(c.in);
	ml_arena_end();
	if (r->status == 0 && !r->deferred)
		ml_ok(&c, NULL);
	return 1;
}
