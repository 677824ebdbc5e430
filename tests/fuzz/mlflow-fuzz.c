/* mlflow-fuzz.c - libFuzzer harness for plumb serve's MLflow REST routes (server/mlflow-*.c): hostile JSON bodies and query strings against a real store.
 * fuzz-sources: server/mlflow-wire.c server/mlflow-experiments.c server/mlflow-runs.c server/mlflow-search.c server/mlflow-commit.c server/mlflow-arena.c server/mlflow-registry.c server/mlflow-artifacts.c server/form.c server/auth.c
 * fuzz-pkgs: jansson
 */
#include "config.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "plumb.h"
#include "auth.h"
#include "form.h"
#include "srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int srv_mlflow(struct srv_req *r);

/*
 * Input: "METHOD NAME\nQUERY-STRING\nBODY", NAME being what follows
 * /api/2.0/mlflow/ (runs/create, ...).  The request goes through
 * srv_mlflow() as http.c would hand it over, with the query string as
 * libmicrohttpd would decode it, on a real store that lives for the
 * whole run (so later inputs find the experiments and runs earlier ones
 * made), with a method http.c lets through.  Checked: the route answers or declines; an answer is never a
 * 5xx (bad input is 4xx, the MLflow client retries 5xx forever) and its
 * body is a JSON object, with error_code and message when it is an
 * error.  Crashes, leaks and sanitizer reports are bugs too.
 *
 * What http.c provides (replies, the thread's store) and the one
 * libmicrohttpd call the routes make are stand-ins below.
 */

static pl_store *store;
static char the_run[PL_ID_LEN + 1];
static char dir[64];
static char **qpairs;
static size_t nq;

static void
remove_store(void)
{
	char cmd[128];

	pl_store_close(store);
	/* (dir is mkdtemp's: letters, digits, '/', '.', '-') */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "mlflow-fuzz: could not remove %s\n", dir);
}

pl_store *
srv_store(const char **why)
{
	const char *tmp = getenv("TMPDIR");

	(void)why;
	if (store == NULL) {
		snprintf(dir, sizeof dir, "%s/plumb-mlflow-fuzz.XXXXXX",
		    tmp && *tmp && strlen(tmp) < 32 && !strchr(tmp, '\'') ?
		    tmp : "/tmp");
		pl_run_spec spec;

		if (mkdtemp(dir) == NULL || pl_store_init(&store, dir) != PL_OK)
			abort();
		atexit(remove_store);
		/* one run that "RUN" in a body names, so that the write
		 * routes get past the run lookup to their parsing */
		memset(&spec, 0, sizeof spec);
		spec.detached = 1;
		if (pl_run_create(the_run, store, &spec) != PL_OK)
			abort();
	}
	return store;
}

pl_store *
srv_store_shared(const char **why)
{
	return srv_store(why);
}

/* No connection to suspend: the routes answer at once. */
struct srv_pending *
srv_suspend(struct srv_req *r)
{
	(void)r;
	return NULL;
}

void
srv_resume(struct srv_pending *p, int status, const char *ctype, char *body)
{
	(void)p;
	(void)status;
	(void)ctype;
	free(body);
}

/* The harness's requests carry no query string: no parameter is set
 * (the artifact list then answers for the root). */
const char *
srv_param(struct srv_req *r, const char *name)
{
	(void)r;
	(void)name;
	return NULL;
}

void
srv_reply_take(struct srv_req *r, int status, const char *ctype, char *body)
{
	free(r->reply);
	r->status = status;
	r->content_type = ctype;
	r->reply = body;
	r->reply_len = body ? strlen(body) : 0;
}

void
srv_reply(struct srv_req *r, int status, const char *ctype, const char *body,
    size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		abort();
	memcpy(copy, body, len);
	copy[len] = '\0';
	srv_reply_take(r, status, ctype, copy);
}

/* A file reply (an artifact download): the harness only closes it. */
void
srv_reply_fd(struct srv_req *r, int status, const char *ctype, int fd,
    uint64_t size)
{
	(void)size;
	close(fd);
	srv_reply_take(r, status, ctype, NULL);
}

void
srv_replyf(struct srv_req *r, int status, const char *ctype,
    const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	srv_reply_take(r, status, ctype, s);
}

int
MHD_get_connection_values(struct MHD_Connection *c, enum MHD_ValueKind kind,
    MHD_KeyValueIterator it, void *cls)
{
	(void)c;
	if (kind != MHD_GET_ARGUMENT_KIND)
		return 0;
	for (size_t i = 0; i < nq; i++)
		if (it(cls, MHD_GET_ARGUMENT_KIND, qpairs[2 * i],
		    qpairs[2 * i + 1]) != MHD_YES)
			break;
	return (int)nq;
}

/* A malloc'ed, NUL-terminated copy of the body with every "RUN" (quotes
 * included) replaced by the harness's run id, in quotes. */
static char *
with_run(const char *b, size_t n, size_t *out_len)
{
	static const char tok[] = "\"RUN\"";
	size_t k = 0, o = 0, hits = 0;
	const char *why;
	char *out;

	(void)srv_store(&why);
	for (size_t i = 0; i + 5 <= n; i++)
		if (memcmp(b + i, tok, 5) == 0)
			hits++;
	if ((out = malloc(n + hits * PL_ID_LEN + 1)) == NULL)
		return NULL;
	while (k < n) {
		if (k + 5 <= n && memcmp(b + k, tok, 5) == 0) {
			out[o++] = '"';
			memcpy(out + o, the_run, PL_ID_LEN);
			o += PL_ID_LEN;
			out[o++] = '"';
			k += 5;
		} else {
			out[o++] = b[k++];
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data, *end = t + size;
	const char *nl1 = memchr(t, '\n', size), *nl2 = NULL, *sp;
	char line[256], path[300], method[16] = "POST";
	struct srv_req r;
	size_t ll;
	int routed;

	if (nl1)
		nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1));
	ll = (size_t)((nl1 ? nl1 : end) - t);
	if (ll >= sizeof line || memchr(t, '\0', ll))
		return 0;
	memcpy(line, t, ll);
	line[ll] = '\0';
	if ((sp = strchr(line, ' ')) != NULL && (size_t)(sp - line) <
	    sizeof method) {
		memcpy(method, line, (size_t)(sp - line));
		method[sp - line] = '\0';
		memmove(line, sp + 1, strlen(sp + 1) + 1);
	}
	/* http.c answers 400 to a method that is not an HTTP token */
	if (!srv_method_valid(method))
		return 0;
	snprintf(path, sizeof path, "/api/2.0/mlflow/%s", line);
	nq = 0;
	qpairs = NULL;
	if (nl1 && srv_form_parse(&qpairs, &nq, nl1 + 1, (size_t)((nl2 ? nl2 :
	    end) - nl1 - 1)) < 0)
		goto out;
	memset(&r, 0, sizeof r);
	r.method = method;
	r.path = path;
	r.user = "fuzz";
	r.remote_addr = "127.0.0.1";
	if ((r.body = with_run(nl2 ? nl2 + 1 : end, nl2 ? (size_t)(end - nl2 -
	    1) : 0, &r.body_len)) == NULL)
		goto out;
	routed = srv_mlflow(&r);
	if (routed) {
		json_t *j;
		json_error_t err;

		if (r.status < 200 || r.status >= 500 || r.reply == NULL) {
			fprintf(stderr, "status %d: %s\n", r.status,
			    r.reply ? r.reply : "(no body)");
			abort();
		}
		if ((j = json_loads(r.reply, 0, &err)) == NULL ||
		    !json_is_object(j)) {
			fprintf(stderr, "not a JSON object: %s\n", r.reply);
			abort();
		}
		if (r.status >= 400 &&
		    (!json_is_string(json_object_get(j, "error_code")) ||
		    !json_is_string(json_object_get(j, "message")))) {
			fprintf(stderr, "error without code: %s\n", r.reply);
			abort();
		}
		json_decref(j);
	} else if (r.reply != NULL)
		abort();	/* declined, yet answered */
	free(r.reply);
	free(r.body);
out:
	srv_form_free(qpairs, nq);
	qpairs = NULL;
	nq = 0;
	return 0;
}
