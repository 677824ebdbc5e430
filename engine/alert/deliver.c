/* deliver.c - one delivery attempt of a notification: a command fed the payload on stdin in its own process group, or an HTTP POST with libcurl, each cut off at its timeout. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert/notify-int.h"

extern char **environ;

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
fmt_secs(char *out, size_t n, int64_t ms)
{
	if (ms % 1000)
		snprintf(out, n, "%.1fs", ms / 1000.0);
	else
		snprintf(out, n, "%llds", (long long)(ms / 1000));
}

/* The first line of what the command wrote, trimmed, for the error. */
static void
add_output(struct njob *j, const char *out, size_t n)
{
	size_t len = strlen(j->err), k = 0;

	while (k < n && (out[k] == ' ' || out[k] == '\n' || out[k] == '\t'))
		k++;
	if (k == n || len + 4 >= sizeof j->err)
		return;
	snprintf(j->err + len, sizeof j->err - len, ": ");
	len += 2;
	for (; k < n && out[k] != '\n' && len + 1 < sizeof j->err; k++)
		j->err[len++] = out[k];
	j->err[len] = '\0';
}

/*
 * The command runs in a process group of its own (so a timeout kills
 * whatever it started too), with the default signal mask and
 * dispositions (the watcher's threads block every signal), the payload
 * on stdin and stdout/stderr read into a small buffer (the start of it
 * explains a failure).
 */
static void
run_command(struct njob *j)
{
	posix_spawnattr_t at;
	posix_spawn_file_actions_t fa;
	sigset_t none, def;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, st = 0, rc;
	pid_t pid = -1;
	int64_t t0 = mono_ms(), deadline = t0 + j->timeout_ms;
	size_t sent = 0, got = 0;
	char output[512], secs[32];
	int exited = 0, timed_out = 0;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		snprintf(j->err, sizeof j->err, "cannot make a pipe: %s",
		    strerror(errno));
		goto done;
	}
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_init(&fa);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGHUP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	rc = posix_spawnp(&pid, j->argv[0], &fa, &at, j->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	if (rc != 0) {
		snprintf(j->err, sizeof j->err, "cannot run %s: %s",
		    j->argv[0], strerror(rc));
		pid = -1;
		goto done;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	if (j->len == 0) {
		close(in[1]);
		in[1] = -1;
	}
	/* feed stdin, drain the output, until the command exits */
	while (!exited) {
		struct pollfd p[2];
		int np = 0, left;
		int64_t now = mono_ms();

		if (now >= deadline || j->cancel) {
			timed_out = 1;
			break;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		if (in[1] >= 0)
			p[np++] = (struct pollfd){ in[1], POLLOUT, 0 };
		if (out[0] >= 0)
			p[np++] = (struct pollfd){ out[0], POLLIN, 0 };
		left = (int)(deadline - now);
		/* wake up now and then to reap the child and see cancel */
		if (left > 50)
			left = 50;
		if (np == 0) {
			poll(NULL, 0, left);
			continue;
		}
		if (poll(p, (nfds_t)np, left) <= 0)
			continue;
		for (int i = 0; i < np; i++) {
			if (p[i].fd == in[1] && p[i].revents) {
				ssize_t w = write(in[1], j->body + sent,
				    j->len - sent);
				if (w > 0)
					sent += (size_t)w;
				if ((w < 0 && errno != EAGAIN &&
				    errno != EINTR) || sent == j->len) {
					close(in[1]);
					in[1] = -1;
				}
			} else if (p[i].fd == out[0] && p[i].revents) {
				char tmp[4096];
				ssize_t r = read(out[0], tmp, sizeof tmp);
				if (r > 0) {
					size_t k = (size_t)r;
					if (k > sizeof output - got)
						k = sizeof output - got;
					memcpy(output + got, tmp, k);
					got += k;
				} else if (r == 0 || (errno != EAGAIN &&
				    errno != EINTR)) {
					close(out[0]);
					out[0] = -1;
				}
			}
		}
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		fmt_secs(secs, sizeof secs, j->timeout_ms);
		snprintf(j->err, sizeof j->err, j->cancel ? "cut off: the "
		    "watcher stopped" : "timed out after %s (process group "
		    "killed)", secs);
		goto done;
	}
	/* what it wrote before exiting */
	if (out[0] >= 0) {
		ssize_t r;
		while (got < sizeof output && (r = read(out[0], output + got,
		    sizeof output - got)) > 0)
			got += (size_t)r;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		j->ok = 1;
		goto done;
	}
	if (WIFEXITED(st))
		snprintf(j->err, sizeof j->err, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(j->err, sizeof j->err, "killed by signal %d",
		    WTERMSIG(st));
	else
		snprintf(j->err, sizeof j->err, "ended oddly (status %d)", st);
	add_output(j, output, got);
done:
	if (pid > 0 && !exited && !timed_out) {
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	j->took_ms = mono_ms() - t0;
}

/* ---- HTTP --------------------------------------------------------------- */

struct resp {
	char body[256];
	size_t len;
};

static size_t
keep_body(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t add = sz * n, k = add;

	if (k > sizeof r->body - 1 - r->len)
		k = sizeof r->body - 1 - r->len;
	memcpy(r->body + r->len, p, k);
	r->len += k;
	r->body[r->len] = '\0';
	return add;
}

static int
abort_cb(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	const struct njob *j = ud;

	(void)a, (void)b, (void)c, (void)d;
	return j->cancel ? 1 : 0;
}

static void
run_http(struct njob *j)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	struct resp r = { .len = 0 };
	char cerr[CURL_ERROR_SIZE] = "", secs[32];
	int64_t t0 = mono_ms();
	long code = 0;
	CURLcode rc;

	if (h == NULL) {
		snprintf(j->err, sizeof j->err, "libcurl: cannot start");
		return;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, j->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->len);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "plumb-notify/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)j->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, j);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		fmt_secs(secs, sizeof secs, j->timeout_ms);
		snprintf(j->err, sizeof j->err, "timed out after %s", secs);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK)
		snprintf(j->err, sizeof j->err, "cut off: the watcher stopped");
	else if (rc != CURLE_OK)
		snprintf(j->err, sizeof j->err, "%s", cerr[0] ? cerr :
		    curl_easy_strerror(rc));
	else if (code < 200 || code > 299) {
		snprintf(j->err, sizeof j->err, "HTTP %ld", code);
		add_output(j, r.body, r.len);
	} else
		j->ok = 1;
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	j->took_ms = mono_ms() - t0;
}

void
pl__njob_run(struct njob *j)
{
	j->ok = 0;
	j->err[0] = '\0';
	if (j->kind == NR_COMMAND)
		run_command(j);
	else
		run_http(j);
}

int
pl__ndeliver_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
pl__ndeliver_fini(void)
{
	curl_global_cleanup();
}
