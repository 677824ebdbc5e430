/* mlflow-artifacts.c - MLflow's artifacts proxy (mlflow-artifacts:/) on plumb serve: upload, download and list a run's artifacts in plumb's cache. */
#include "config.h"
#include "plumb.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlflow.h"

/*
 * A run's artifact_uri is mlflow-artifacts:/EXP/RUN/artifacts
 * (mlflow-runs.c), which the client turns into
 * /api/2.0/mlflow-artifacts/artifacts/EXP/RUN/artifacts/REL.  There is
 * no directory tree behind it: REL is the name of an artifact of run RUN
 * in the artifacts table, its bytes an object of the content-addressed
 * cache, exactly what `plumb run` records.  So a path cannot reach a
 * file outside the root, and no symlink can be planted in it; the checks
 * below still refuse every path that would name something else on a
 * file system (.., absolute, empty or dot segments, backslashes, control
 * bytes), because MLflow refuses them and a name like that could not be
 * exported back to a directory.
 */

/* 1 when rel is a safe relative path: segments of printable bytes, none
 * empty, "." or "..", no backslash. */
static int
path_safe(const char *rel)
{
	const char *seg = rel;

	if (rel == NULL || *rel == '\0' || *rel == '/')
		return 0;
	for (const char *p = rel;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t n = (size_t)(p - seg);

			if (n == 0 || (n == 1 && seg[0] == '.') ||
			    (n == 2 && seg[0] == '.' && seg[1] == '.'))
				return 0;
			if (*p == '\0')
				return 1;
			seg = p + 1;
			continue;
		}
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	}
}

/* The parts of EXP/RUN/artifacts[/REL]; rel "" for the root.  -1 after
 * a 400/404 reply.  *info is the run (free it). */
static int
split_path(struct ml_call *c, const char *p, pl_run_info **info,
    const char **rel)
{
	char exp[24], run[PL_ID_LEN + 1], wire[24];
	const char *s1, *s2;
	int rc;

	*info = NULL;
	if (!path_safe(p)) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "Invalid artifact path: "
		    "'..', '.', empty segments, absolute paths, backslashes "
		    "and control characters are refused");
		return -1;
	}
	s1 = strchr(p, '/');
	s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (s1 == NULL || s2 == NULL || (size_t)(s1 - p) >= sizeof exp ||
	    (size_t)(s2 - s1 - 1) > PL_ID_LEN ||
	    strncmp(s2 + 1, "artifacts", 9) != 0 ||
	    (s2[10] != '\0' && s2[10] != '/')) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "An artifact path is "
		    "EXPERIMENT_ID/RUN_ID/artifacts[/PATH], as a run's "
		    "artifact_uri gives");
		return -1;
	}
	memcpy(exp, p, (size_t)(s1 - p));
	exp[s1 - p] = '\0';
	memcpy(run, s1 + 1, (size_t)(s2 - s1 - 1));
	run[s2 - s1 - 1] = '\0';
	if ((rc = pl_run_get(info, c->st, run)) != PL_OK) {
		ml_engine_error(c, rc);
		return -1;
	}
	/* the id must be the run's whole id, not a prefix plumb resolves,
	 * and the experiment its own: one artifact, one URI */
	ml_exp_wire_id(wire, (*info)->experiment_id, (*info)->experiment);
	if (strcmp((*info)->id, run) != 0 || strcmp(wire, exp) != 0) {
		ml_error(c, "RESOURCE_DOES_NOT_EXIST", "Run '%s' not found in "
		    "experiment '%s'", run, exp);
		pl_run_info_free(*info);
		*info = NULL;
		return -1;
	}
	*rel = s2[10] == '/' ? s2 + 11 : "";
	return 0;
}

/* PUT: the body becomes artifact rel of the run (replacing one of that
 * name, so a retried upload changes nothing). */
static void
upload(struct ml_call *c, const pl_run_info *ri, const char *rel)
{
	char *tmp = NULL;
	int rc;

	if (*rel == '\0') {
		ml_error(c, "INVALID_PARAMETER_VALUE", "An upload needs a file "
		    "name after artifacts/");
		return;
	}
	if (ri->deleted_ms) {
		ml_error(c, "INVALID_PARAMETER_VALUE", "The run %s must be in "
		    "the 'active' state. Current state is deleted.", ri->id);
		return;
	}
	/* The cache takes files: the body goes through the store's tmp/
	 * (same file system as the cache, so its rename is atomic). */
	if ((rc = pl_tmp_write(&tmp, c->st, c->r->body, c->r->body_len))
	    != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	rc = pl_run_log_artifact(c->st, ri->id, tmp, rel);
	unlink(tmp);
	free(tmp);
	if (rc != PL_OK)
		ml_engine_error(c, rc);
}

/* GET of a file: its bytes from the cache. */
static void
download(struct ml_call *c, const pl_run_info *ri, const char *rel)
{
	pl_artifact *a = NULL;
	size_t na = 0;
	char *obj = NULL;
	struct stat sb;
	int rc, fd = -1;

	if ((rc = pl_run_artifacts(&a, &na, c->st, ri->id)) != PL_OK) {
		ml_engine_error(c, rc);
		return;
	}
	for (size_t i = 0; i < na && obj == NULL; i++)
		if (strcmp(a[i].path, rel) == 0)
			obj = pl_cache_object_path(c->st, a[i].sha256);
	pl_artifact_list_free(a, na);
	/* MLflow answers 500 here, which its client retries five times; a
	 * missing file is a 404 */
	if (obj == NULL) {
		ml_error(c, "RESOURCE_DOES_NOT_EXIST", "No artifact '%s' in run "
		    "%s", rel, ri->id);
		return;
	}
	fd = open(obj, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		ml_error(c, "RESOURCE_DOES_NOT_EXIST", "The object of artifact "
		    "'%s' is missing from the cache", rel);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	/* served from the file as the client reads it: an artifact of
	 * several GB costs no memory (the cache object is immutable, named
	 * by its hash, so the bytes cannot change under the reply) */
	srv_reply_fd(c->r, 200, "application/octet-stream", fd,
	    (uint64_t)sb.st_size);
out:
	free(obj);
}

/* GET ?path=: the entries right under sub, names bare, directories
 * once each (the artifacts come sorted by path, so the files of one
 * directory are consecutive). */
static void
list(struct ml_call *c, const pl_run_info *ri, const char *sub)
{
	pl_artifact *a = NULL;
	size_t na = 0, sl = strlen(sub);
	json_t *files = json_array(), *o;
	char *lastdir = NULL;
	int rc;

	if ((rc = pl_run_artifacts(&a, &na, c->st, ri->id)) != PL_OK) {
		json_decref(files);
		ml_engine_error(c, rc);
		return;
	}
	for (size_t i = 0; files && i < na; i++) {
		const char *rest = a[i].path, *slash;
		json_t *e;

		if (sl) {
			if (strncmp(rest, sub, sl) != 0 || rest[sl] != '/')
				continue;
			rest += sl + 1;
		}
		if ((slash = strchr(rest, '/')) != NULL) {
			size_t n = (size_t)(slash - rest);

			if (lastdir && strlen(lastdir) == n &&
			    strncmp(lastdir, rest, n) == 0)
				continue;
			free(lastdir);
			lastdir = strndup(rest, n);
			e = json_pack("{s:s%,s:b}", "path", rest, n, "is_dir", 1);
		} else {
			e = json_pack("{s:s,s:b,s:I}", "path", rest, "is_dir", 0,
			    "file_size", (json_int_t)a[i].size);
		}
		if (e == NULL || json_array_append_new(files, e) != 0) {
			json_decref(files);
			files = NULL;
		}
	}
	free(lastdir);
	pl_artifact_list_free(a, na);
	if (files == NULL) {
		ml_error(c, "INTERNAL_ERROR", "out of memory");
		return;
	}
	/* proto3 leaves an empty list out: an empty directory (or a file,
	 * which the client then downloads) answers {} */
	o = json_array_size(files) ? json_pack("{s:o}", "files", files) : NULL;
	if (o == NULL)
		json_decref(files);
	ml_ok(c, o);
}

/* 1 when the raw path encodes a separator or a control byte (%2F, %5C,
 * %00-%1F, %7F): decoded, they would make one segment two, or cut the
 * path short. */
static int
raw_encodes_separator(const char *raw)
{
	for (const char *p = raw ? strchr(raw, '%') : NULL; p;
	    p = strchr(p + 1, '%')) {
		char h[3] = { p[1], p[1] ? p[2] : 0, 0 };
		unsigned long v;
		char *e;

		if (!isxdigit((unsigned char)h[0]) ||
		    !isxdigit((unsigned char)h[1]))
			continue;
		v = strtoul(h, &e, 16);
		if (v == '/' || v == '\\' || v < 0x20 || v == 0x7f)
			return 1;
	}
	return 0;
}

int
srv_mlflow_artifacts(struct srv_req *r)
{
	static const char *const prefixes[] = {
		"/api/2.0/mlflow-artifacts/artifacts",
		"/ajax-api/2.0/mlflow-artifacts/artifacts",
	};
	const char *rest = NULL, *why = NULL, *rel = NULL, *p;
	pl_run_info *ri = NULL;
	struct ml_call c;
	int is_get = strcmp(r->method, "GET") == 0;
	int is_delete = strcmp(r->method, "DELETE") == 0;

	for (size_t i = 0; i < 2 && rest == NULL; i++)
		if (strncmp(r->path, prefixes[i], strlen(prefixes[i])) == 0)
			rest = r->path + strlen(prefixes[i]);
	if (rest == NULL || (*rest != '\0' && *rest != '/'))
		return 0;
	memset(&c, 0, sizeof c);
	c.r = r;
	if (*rest == '\0' ? !is_get :
	    !(is_get || strcmp(r->method, "PUT") == 0 || is_delete)) {
		srv_replyf(r, 405, "application/json", "{\"error_code\":"
		    "\"BAD_REQUEST\",\"message\":\"%s is not allowed here\"}",
		    r->method);
		return 1;
	}
	if (!is_get && r->readonly) {	/* (http.c refused it already) */
		ml_error(&c, "PERMISSION_DENIED", "a read-only token cannot "
		    "upload artifacts");
		return 1;
	}
	if (is_delete) {
		/* a run's artifacts are part of its record, which plumb keeps
		 * append-only (plumb show, lineage of the model versions made
		 * from them), and a cache object is shared by every run with
		 * the same bytes: no removal here, said plainly rather than a
		 * 405 the client reports as a server fault */
		ml_error(&c, "NOT_IMPLEMENTED", "plumb keeps a run's artifacts "
		    "as recorded (its runs are append-only records and cache "
		    "objects are shared by content): artifact DELETE is not "
		    "supported; delete the run instead (runs/delete)");
		return 1;
	}
	if (raw_encodes_separator(r->raw_path)) {
		ml_error(&c, "INVALID_PARAMETER_VALUE", "Invalid artifact path: "
		    "encoded slashes, backslashes and control characters are "
		    "refused");
		return 1;
	}
	if ((c.st = srv_store(&why)) == NULL) {
		ml_error(&c, "TEMPORARILY_UNAVAILABLE", "the store cannot be "
		    "opened");
		return 1;
	}
	if (*rest == '\0') {
		/* the list: a root shorter than EXP/RUN/artifacts holds
		 * nothing plumb serves (MLflow would list its directories) */
		p = srv_param(r, "path");
		if (p == NULL || *p == '\0' || (strchr(p, '/') &&
		    strchr(strchr(p, '/') + 1, '/') == NULL &&
		    path_safe(p))) {
			ml_ok(&c, NULL);
			return 1;
		}
		if (path_safe(p) && strchr(p, '/') == NULL) {
			ml_ok(&c, NULL);
			return 1;
		}
		if (split_path(&c, p, &ri, &rel) == 0)
			list(&c, ri, rel);
	} else if (split_path(&c, rest + 1, &ri, &rel) == 0) {
		if (is_get)
			download(&c, ri, rel);
		else
			upload(&c, ri, rel);
	}
	pl_run_info_free(ri);
	if (r->status == 0)
		ml_ok(&c, NULL);
	return 1;
}
