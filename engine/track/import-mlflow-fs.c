/* import-mlflow-fs.c - reads an MLflow file store (mlruns/): experiment and run meta.yaml, params/, tags/, metrics/ files and the artifacts/ tree. */
#include "config.h"
#include "track/import-mlflow-int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config/ynode.h"
#include "ropen.h"
#include "store/error.h"
#include "vec.h"

/*
 * Layout (MLflow's FileStore):
 *   ROOT/<exp id>/meta.yaml                 name, lifecycle_stage, ...
 *   ROOT/<exp id>/<run id>/meta.yaml        run_id, status (1..5),
 *                                           start_time, end_time, ...
 *   ROOT/<exp id>/<run id>/params/<key>     the value, whole file
 *   ROOT/<exp id>/<run id>/tags/<key>       the value, whole file
 *   ROOT/<exp id>/<run id>/metrics/<key>    "timestamp value [step]" lines
 *   ROOT/<exp id>/<run id>/artifacts/...    the files
 *   ROOT/.trash/<exp id>/                   deleted experiments
 * A key holding '/' is a path under params/, tags/ or metrics/.
 */

/* snprintf for paths.  A path longer than PATH_MAX is cut, and then
 * names nothing that exists: such an entry is skipped like a missing
 * one (the kernel could not open it either). */
static int
pathf(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int
pathf(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Sub-directories of an experiment that are not runs. */
static int
not_a_run(const char *name)
{
	static const char *const others[] = { "tags", "datasets", "traces",
		"models", "artifacts", NULL };

	for (int i = 0; others[i]; i++)
		if (strcmp(name, others[i]) == 0)
			return 1;
	return name[0] == '.';
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of dir (no . or ..); dirs_only keeps the
 * directories.  NULL-terminated; NULL when dir cannot be read. */
static char **
list_dir(const char *dir, int dirs_only, size_t *out_n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0;

	*out_n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (dirs_only) {
			int isdir = e->d_type == DT_DIR;

			if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
				char p[PATH_MAX];
				struct stat sb;

				pathf(p, sizeof p, "%s/%s", dir, e->d_name);
				isdir = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
			}
			if (!isdir)
				continue;
		}
		if (vec_grow(&v, &cap, n + 1, sizeof *v, 16) < 0)
			break;
		if ((v[n] = strdup(e->d_name)) == NULL)
			break;
		n++;
		v[n] = NULL;
	}
	closedir(d);
	if (v == NULL) {
		v = calloc(1, sizeof *v);
		if (v == NULL)
			return NULL;
	}
	qsort(v, n, sizeof *v, cmp_str);
	*out_n = n;
	return v;
}

static void
free_list(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* Reads a whole regular file into b (NUL-terminated).  0, or -1 with a
 * reason in err. */
static int
slurp(struct buf *b, const char *path, char *err, size_t err_len)
{
	char chunk[65536];
	int fd = ropen(path, 0, NULL, err, err_len);
	ssize_t n;

	buf_clear(b);
	if (fd < 0) {
		if (errno != EINVAL)
			snprintf(err, err_len, "cannot open: %s", strerror(errno));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, err_len, "cannot read: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (buf_add(b, chunk, (size_t)n) < 0) {
			snprintf(err, err_len, "out of memory");
			close(fd);
			return -1;
		}
	}
	close(fd);
	if (buf_add(b, "", 0) < 0) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	return 0;
}

/* Parses a meta.yaml into a map; reports and returns NULL when it
 * cannot be read or is not a YAML mapping. */
static ynode *
read_meta(struct mli *m, struct buf *b, const char *path)
{
	char err[512];
	ynode *y = NULL;
	size_t plen = strlen(path);

	if (slurp(b, path, err, sizeof err) < 0) {
		mli_problem(m, path, 0, "%s", err);
		return NULL;
	}
	if (yn_parse(&y, buf_str(b), b->len, path, err, sizeof err)
	    != PL_OK) {
		/* ynode says "PATH:LINE:COL: why": hand the line apart. */
		long line = 0;
		const char *why = err;

		if (strncmp(err, path, plen) == 0 && err[plen] == ':') {
			char *e;

			line = strtol(err + plen + 1, &e, 10);
			if (*e == ':')
				strtol(e + 1, &e, 10);
			why = *e == ':' ? e + 1 : e;
			while (*why == ' ')
				why++;
		}
		/* libyaml's own words, without the hints written for
		 * plumb.yaml that follow them in ynode's message. */
		{
			const char *ys = strstr(why, "[YAML: ");
			const char *ye = ys ? strrchr(ys, ']') : NULL;

			if (ys && ye) {
				mli_problem(m, path, line, "not YAML: %.*s",
				    (int)(ye - ys - 7), ys + 7);
				return NULL;
			}
		}
		mli_problem(m, path, line, "%s", why);
		return NULL;
	}
	if (y == NULL || y->kind != YN_MAP) {
		mli_problem(m, path, y ? y->line : 0, "not a YAML mapping");
		yn_free(y);
		return NULL;
	}
	return y;
}

/* Text of a scalar field, NULL when absent, null or not a scalar. */
static const char *
field(const ynode *map, const char *key)
{
	const ynode *v = yn_get(map, key);

	if (v == NULL || v->kind != YN_SCALAR)
		return NULL;
	if (!v->quoted && yn_scalar_type(v) == YT_NULL)
		return NULL;
	return v->str;
}

/* An integer field (a time in ms); 0 when absent or null; -1 when it
 * is there but no integer (the caller reports it). */
static int
int_field(const ynode *map, const char *key, int64_t *out)
{
	const char *s = field(map, key);
	char *e;

	*out = 0;
	if (s == NULL)
		return 0;
	errno = 0;
	*out = strtoll(s, &e, 10);
	if (e == s || *e != '\0' || errno) {
		*out = 0;
		return -1;
	}
	return 0;
}

/* The file store keeps a run's status as RunStatus' number. */
static const char *
status_name(const char *s)
{
	static const char *const names[] = { NULL, "RUNNING", "SCHEDULED",
		"FINISHED", "FAILED", "KILLED" };

	if (s == NULL)
		return NULL;
	if (s[0] >= '1' && s[0] <= '5' && s[1] == '\0')
		return names[s[0] - '0'];
	return s;
}

/* Malformed lines of one metric file reported one by one. */
#define MAX_BAD_LINES 5

typedef int (*file_fn)(struct mli *m, struct buf *b, const char *key,
    const char *path);

/* Calls fn for every regular file under dir, key being its path below
 * dir; sorted, depth first.  A missing dir is no problem. */
static int
walk_files(struct mli *m, struct buf *b, const char *dir, const char *prefix,
    file_fn fn)
{
	size_t n;
	char **names = list_dir(dir, 0, &n);
	int rc = PL_OK;

	if (names == NULL)
		return PL_OK;
	for (size_t i = 0; i < n && rc == PL_OK; i++) {
		char path[PATH_MAX], key[PATH_MAX];
		struct stat sb;

		if (pathf(path, sizeof path, "%s/%s", dir, names[i]) < 0)
			continue;
		pathf(key, sizeof key, "%s%s%s", prefix, *prefix ? "/" : "",
		    names[i]);
		/* lstat: a symlink in an mlruns/ tree is not followed out
		 * of it. */
		if (lstat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = walk_files(m, b, path, key, fn);
		else if (S_ISREG(sb.st_mode))
			rc = fn(m, b, key, path);
	}
	free_list(names);
	return rc;
}

static int
on_param(struct mli *m, struct buf *b, const char *key, const char *path)
{
	char err[256];

	if (slurp(b, path, err, sizeof err) < 0) {
		mli_problem(m, path, 0, "%s", err);
		return PL_OK;
	}
	return mli_param(m, key, buf_str(b));
}

static int
on_tag(struct mli *m, struct buf *b, const char *key, const char *path)
{
	char err[256];

	if (slurp(b, path, err, sizeof err) < 0) {
		mli_problem(m, path, 0, "%s", err);
		return PL_OK;
	}
	return mli_tag(m, key, buf_str(b));
}

/* One metric line: "timestamp value step" (before MLflow 1.0 without
 * the step, which is then 0).  0 on success. */
static int
parse_point(char *line, int64_t *ts, double *v, int64_t *step)
{
	char *p = line, *e;

	errno = 0;
	*ts = strtoll(p, &e, 10);
	if (e == p || (*e != ' ' && *e != '\t') || errno)
		return -1;
	p = e;
	while (*p == ' ' || *p == '\t')
		p++;
	/* The value runs to the next blank. */
	e = p;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	{
		char save = *e;

		*e = '\0';
		if (mli_parse_double(p, v) != 0) {
			*e = save;
			return -1;
		}
		*e = save;
	}
	p = e;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		*step = 0;
		return 0;
	}
	errno = 0;
	*step = strtoll(p, &e, 10);
	if (e == p || errno || *step < 0)
		return -1;
	while (*e == ' ' || *e == '\t')
		e++;
	return *e == '\0' ? 0 : -1;
}

static int
on_metric(struct mli *m, struct buf *b, const char *key, const char *path)
{
	char err[256];
	char *p, *end;
	long lineno = 0, bad = 0;
	int rc;

	if (slurp(b, path, err, sizeof err) < 0) {
		mli_problem(m, path, 0, "%s", err);
		return PL_OK;
	}
	if ((rc = mli_metric_begin(m, key)) != PL_OK)
		return rc;
	p = b->p;
	end = p ? p + b->len : p;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		int64_t ts, step;
		double v;

		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		lineno++;
		if (*p != '\0') {
			if (parse_point(p, &ts, &v, &step) != 0) {
				/* A file of garbage would otherwise print a
				 * line per line: the first few say where. */
				if (++bad <= MAX_BAD_LINES)
					mli_problem(m, path, lineno, "not a metric "
					    "point (\"timestamp value step\")");
				else
					mli_count_problem(m);
			}
			else if ((rc = mli_point(m, step, ts, v)) != PL_OK)
				return rc;
		}
		p = nl + 1;
	}
	if (bad > MAX_BAD_LINES) {
		char what[96];

		snprintf(what, sizeof what, "%ld more malformed lines",
		    bad - MAX_BAD_LINES);
		mli_report_only(m, path, what);
	}
	return mli_metric_end(m);
}

static int
on_artifact(struct mli *m, struct buf *b, const char *key, const char *path)
{
	struct stat sb;

	(void)b;
	if (stat(path, &sb) != 0)
		return PL_OK;
	return mli_artifact(m, key, path, (int64_t)sb.st_mtim.tv_sec * 1000 +
	    sb.st_mtim.tv_nsec / 1000000);
}

int
pl__mlflow_walk_artifacts(struct mli *m, const char *dir)
{
	struct buf b = BUF_INIT;
	int rc = walk_files(m, &b, dir, "", on_artifact);

	buf_free(&b);
	return rc;
}

/* The directory the run's artifacts are in: artifacts/ beside its
 * meta.yaml when there is one (an mlruns/ tree copied from another
 * machine carries them, and its artifact_uri names the old machine's
 * path), else its artifact_uri when that is a local directory. */
static void
artifact_dir(char *out, size_t len, const char *rundir, const char *uri)
{
	struct stat sb;

	if (pathf(out, len, "%s/artifacts", rundir) == 0 &&
	    stat(out, &sb) == 0 && S_ISDIR(sb.st_mode))
		return;
	if (uri && strncmp(uri, "file://", 7) == 0 &&
	    stat(uri + 7, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    pathf(out, len, "%s", uri + 7) == 0)
		return;
	out[0] = '\0';
}

static int
import_run(struct mli *m, struct buf *b, const char *exp, const char *rundir)
{
	char path[PATH_MAX];
	struct mli_run r;
	const char *stage, *id;
	ynode *y;
	int rc = PL_OK;

	pathf(path, sizeof path, "%s/meta.yaml", rundir);
	if ((y = read_meta(m, b, path)) == NULL)
		return PL_OK;
	stage = field(y, "lifecycle_stage");
	if (stage && strcmp(stage, "deleted") == 0) {
		mli_skip_deleted(m, 0, 1);
		goto out;
	}
	id = field(y, "run_id");
	if (id == NULL)
		id = field(y, "run_uuid");
	if (id == NULL || *id == '\0') {
		mli_problem(m, path, 0, "no run_id");
		goto out;
	}
	memset(&r, 0, sizeof r);
	r.run_id = id;
	r.experiment = exp;
	r.name = field(y, "run_name");
	if (r.name == NULL || *r.name == '\0')
		r.name = field(y, "name");
	r.user = field(y, "user_id");
	r.status = status_name(field(y, "status"));
	if (int_field(y, "start_time", &r.start_ms) < 0 ||
	    int_field(y, "end_time", &r.end_ms) < 0) {
		const ynode *bad = yn_get(y, "start_time");

		if (int_field(y, "start_time", &r.start_ms) == 0)
			bad = yn_get(y, "end_time");
		mli_problem(m, path, bad ? bad->line : 0,
		    "a time is not a number of milliseconds");
		goto out;
	}
	if ((rc = mli_run_begin(m, &r)) != PL_OK)
		goto out;
	pathf(path, sizeof path, "%s/params", rundir);
	if ((rc = walk_files(m, b, path, "", on_param)) != PL_OK)
		goto out;
	pathf(path, sizeof path, "%s/tags", rundir);
	if ((rc = walk_files(m, b, path, "", on_tag)) != PL_OK)
		goto out;
	pathf(path, sizeof path, "%s/metrics", rundir);
	if ((rc = walk_files(m, b, path, "", on_metric)) != PL_OK)
		goto out;
	if (mli_want_artifacts(m)) {
		artifact_dir(path, sizeof path, rundir,
		    field(y, "artifact_uri"));
		if (path[0] &&
		    (rc = walk_files(m, b, path, "", on_artifact)) != PL_OK)
			goto out;
	}
	rc = mli_run_end(m);
out:
	yn_free(y);
	return rc;
}

/* Runs of an experiment directory (sub-directories with a meta.yaml). */
static char **
run_dirs(const char *expdir, size_t *out_n)
{
	size_t n, k = 0;
	char **v = list_dir(expdir, 1, &n);

	*out_n = 0;
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX];

		pathf(p, sizeof p, "%s/%s/meta.yaml", expdir, v[i]);
		if (not_a_run(v[i]) || access(p, F_OK) != 0) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	v[k] = NULL;
	*out_n = k;
	return v;
}

int
pl__mlflow_read_files(struct mli *m, const char *root)
{
	struct buf b = BUF_INIT;
	char path[PATH_MAX];
	size_t nexp;
	char **exps = list_dir(root, 1, &nexp);
	char ***runs = NULL;
	size_t *nruns = NULL;
	int64_t total = 0, done = 0;
	int rc = PL_OK, found = 0;

	if (exps == NULL) {
		mli_problem(m, root, 0, "cannot read the directory: %s",
		    strerror(errno));
		return PL_OK;
	}
	/* Deleted experiments: their runs are counted, not read. */
	pathf(path, sizeof path, "%s/.trash", root);
	{
		size_t nt, nr;
		char **trash = list_dir(path, 1, &nt);

		for (size_t i = 0; trash && i < nt; i++) {
			char d[PATH_MAX];
			char **r;

			pathf(d, sizeof d, "%s/%s", path, trash[i]);
			r = run_dirs(d, &nr);
			mli_skip_deleted(m, 1, (int64_t)nr);
			free_list(r);
		}
		free_list(trash);
	}
	/* First the run directories of every experiment, for the progress
	 * total. */
	runs = calloc(nexp + 1, sizeof *runs);
	nruns = calloc(nexp + 1, sizeof *nruns);
	if (runs == NULL || nruns == NULL) {
		rc = PL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nexp; i++) {
		char d[PATH_MAX];

		if (exps[i][0] == '.' || strcmp(exps[i], "models") == 0)
			continue;
		pathf(d, sizeof d, "%s/%s/meta.yaml", root, exps[i]);
		if (access(d, F_OK) != 0)
			continue;
		found = 1;
		pathf(d, sizeof d, "%s/%s", root, exps[i]);
		runs[i] = run_dirs(d, &nruns[i]);
		total += (int64_t)nruns[i];
	}
	if (!found && nexp > 0 && total == 0) {
		mli_problem(m, root, 0, "no experiment here (no */meta.yaml): "
		    "is this an mlruns/ directory?");
	}
	mli_progress(m, 0, total);
	for (size_t i = 0; i < nexp && rc == PL_OK; i++) {
		const char *name, *stage;
		int64_t created;
		ynode *y;

		if (runs[i] == NULL)
			continue;
		pathf(path, sizeof path, "%s/%s/meta.yaml", root, exps[i]);
		if ((y = read_meta(m, &b, path)) == NULL) {
			done += (int64_t)nruns[i];
			continue;
		}
		name = field(y, "name");
		stage = field(y, "lifecycle_stage");
		if (name == NULL || *name == '\0') {
			mli_problem(m, path, 0, "no experiment name");
			done += (int64_t)nruns[i];
		} else if (stage && strcmp(stage, "deleted") == 0) {
			mli_skip_deleted(m, 1, (int64_t)nruns[i]);
			done += (int64_t)nruns[i];
		} else {
			if (int_field(y, "creation_time", &created) < 0)
				created = 0;
			rc = mli_exp(m, name, created);
			for (size_t k = 0; k < nruns[i] && rc == PL_OK; k++) {
				char d[PATH_MAX];

				pathf(d, sizeof d, "%s/%s/%s", root, exps[i],
				    runs[i][k]);
				rc = import_run(m, &b, name, d);
				mli_progress(m, ++done, total);
			}
		}
		yn_free(y);
		/* Runs of a skipped experiment count as done too. */
		mli_progress(m, done, total);
	}
out:
	for (size_t i = 0; runs && i < nexp; i++)
		free_list(runs[i]);
	free(runs);
	free(nruns);
	free_list(exps);
	buf_free(&b);
	return rc;
}
